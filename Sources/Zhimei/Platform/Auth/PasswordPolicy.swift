/// The password policy: long enough, varied enough, not obvious.
public enum PasswordPolicy {
    public static let minimumLength = 10
    static let common: Set<String> = ["password123", "1234567890", "qwertyuiop", "password1234", "admin12345", "zhimei12345", "iloveyou123", "abc1234567"]

    /// Returns a bilingual error when the password does not meet the policy.
    public static func check(_ password: String, username: String) -> AppError? {
        if password.count < minimumLength || password.count > 128 {
            return .invalid("password", zh: "密码长度须为 \(minimumLength)–128 个字符", en: "Passwords must be \(minimumLength)–128 characters long")
        }
        let classes = [
            password.contains { $0.isLowercase }, password.contains { $0.isUppercase },
            password.contains { $0.isNumber }, password.contains { !$0.isLetter && !$0.isNumber },
        ].filter { $0 }.count
        if classes < 3 && password.count < 16 {
            return .invalid("password", zh: "密码须包含大写字母、小写字母、数字、符号中的至少三类（或长度不少于 16 个字符）",
                            en: "Use at least three of: upper case, lower case, digits, symbols (or 16+ characters)")
        }
        let lowered = password.lowercased()
        if common.contains(lowered) || (!username.isEmpty && lowered.contains(username.lowercased())) {
            return .invalid("password", zh: "密码过于常见或包含用户名", en: "The password is too common or contains the username")
        }
        return nil
    }
}
