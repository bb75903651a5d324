/// A role a person holds in one tenant. The permission table below is the only place
/// that decides what a role may do.
public enum Role: String, CaseIterable, Codable, Sendable {
    case platformAdmin = "platform_admin"
    case tenantAdmin = "tenant_admin"
    case chiefEditor = "chief_editor"
    case editor
    case reporter
    case reviewer
    case analyst
    case serviceAgent = "service_agent"

    /// The role → permission table.
    public var permissions: Set<Permission> {
        switch self {
        case .platformAdmin:
            return Set(Permission.allCases)
        case .tenantAdmin:
            return [.tenantRead, .tenantSettings, .usersManage, .auditRead, .jobsManage, .leadsRead, .storiesRead, .analyticsRead, .textUse, .publish]
        case .chiefEditor:
            return [.tenantRead, .leadsRead, .leadsManage, .topicsManage, .topicsApprove, .storiesRead, .storiesWrite,
                    .reviewFirst, .reviewSecond, .reviewFinal, .reviewOverride, .aigcLabelRemove, .publish, .assetsManage,
                    .opinionRead, .opinionManage, .analyticsRead, .textUse]
        case .editor:
            return [.tenantRead, .leadsRead, .leadsManage, .topicsManage, .topicsApprove, .storiesRead, .storiesWrite,
                    .reviewFirst, .reviewSecond, .assetsManage, .opinionRead, .opinionManage, .analyticsRead, .textUse]
        case .reporter:
            return [.tenantRead, .leadsRead, .leadsManage, .topicsManage, .storiesRead, .storiesWrite, .assetsManage, .textUse]
        case .reviewer:
            return [.tenantRead, .storiesRead, .reviewFirst, .reviewSecond, .textUse]
        case .analyst:
            return [.tenantRead, .leadsRead, .storiesRead, .opinionRead, .opinionManage, .analyticsRead, .textUse]
        case .serviceAgent:
            return [.tenantRead, .servicesHandle, .leadsRead, .textUse]
        }
    }

    /// Chinese and English names for the UI.
    public var label: (zh: String, en: String) {
        switch self {
        case .platformAdmin: return ("平台管理员", "Platform admin")
        case .tenantAdmin: return ("单位管理员", "Tenant admin")
        case .chiefEditor: return ("总编辑（终审）", "Chief editor (final review)")
        case .editor: return ("编辑（初审/复审）", "Editor (first/second review)")
        case .reporter: return ("记者", "Reporter")
        case .reviewer: return ("审校员", "Reviewer")
        case .analyst: return ("分析师", "Analyst")
        case .serviceAgent: return ("问政专员", "Service agent")
        }
    }

    /// Roles a tenant admin may hand out inside their own tenant.
    public static let tenantAssignable: [Role] = [.tenantAdmin, .chiefEditor, .editor, .reporter, .reviewer, .analyst, .serviceAgent]
}
