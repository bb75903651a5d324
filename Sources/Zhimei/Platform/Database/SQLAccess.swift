import Fluent
import SQLKit

extension Database {
    /// This database as SQLKit sees it, for statements Fluent's query builder cannot say. Both drivers Zhimei runs on
    /// (SQLite, PostgreSQL) are SQL databases; anything else is a set-up error, not an empty answer.
    func sql() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else {
            throw AppError(.internalServerError, "not_sql", zh: "需要 SQL 数据库", en: "An SQL database is needed")
        }
        return sql
    }
}
