/// Something a person may do. Routes declare the permission they need; roles grant sets of them.
public enum Permission: String, CaseIterable, Codable, Sendable {
    // Administration (管理)
    case tenantsCreate = "tenants.create"
    case tenantRead = "tenant.read"
    case tenantSettings = "tenant.settings"
    case usersManage = "users.manage"
    case auditRead = "audit.read"
    case jobsManage = "jobs.manage"
    // The newsroom chain, used by later modules (策采编审发管).
    case leadsRead = "leads.read"
    case leadsManage = "leads.manage"
    case topicsManage = "topics.manage"
    case topicsApprove = "topics.approve"
    case storiesRead = "stories.read"
    case storiesWrite = "stories.write"
    case reviewFirst = "review.first"
    case reviewSecond = "review.second"
    case reviewFinal = "review.final"
    case reviewOverride = "review.override"
    case aigcLabelRemove = "aigc.label_remove"
    case publish = "publish"
    case assetsManage = "assets.manage"
    case opinionRead = "opinion.read"
    case opinionManage = "opinion.manage"
    case analyticsRead = "analytics.read"
    case servicesHandle = "services.handle"
    case textUse = "text.use"

    /// The API-token scope a permission belongs to.
    public var tokenScope: TokenScope {
        switch self {
        case .tenantsCreate, .tenantSettings, .usersManage, .auditRead, .jobsManage, .aigcLabelRemove, .reviewOverride:
            return .admin
        case .tenantRead, .leadsRead, .storiesRead, .opinionRead, .analyticsRead, .textUse:
            return .read
        default:
            return .write
        }
    }
}

/// What an API token may be used for; a token never grants more than its owner has.
public enum TokenScope: String, CaseIterable, Codable, Sendable {
    case read, write, admin
}
