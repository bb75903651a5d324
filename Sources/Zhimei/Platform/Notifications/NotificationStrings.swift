/// UI strings of notifications (merged into the Planning table, which owns this service). Keys start with "notifications."
enum NotificationStrings {
    static let table: [String: (String, String)] = [
        "notifications.title": ("通知", "Notifications"),
        "notifications.bell": ("通知", "Notifications"),
        "notifications.unread": ("未读", "Unread"),
        "notifications.unreadOnly": ("只看未读", "Unread only"),
        "notifications.read": ("已读", "Read"),
        "notifications.markRead": ("标为已读", "Mark read"),
        "notifications.markAllRead": ("全部标为已读", "Mark all read"),
        "notifications.empty": ("暂无通知", "No notifications yet"),
        "notifications.open": ("查看", "Open"),
        "notifications.settings": ("通知网络钩子", "Notification webhook"),
        "notifications.settingsHint": ("本单位的每条通知都会以 JSON POST 到此地址，并带有 HMAC-SHA256 签名头 X-Zhimei-Signature（sha256=十六进制，签名内容为“时间戳.请求体”，时间戳见 X-Zhimei-Timestamp）与幂等键 Idempotency-Key。失败会自动重试。",
                                       "Every notification of this tenant is POSTed here as JSON with an HMAC-SHA256 signature header X-Zhimei-Signature (sha256=hex over “timestamp.body”, timestamp in X-Zhimei-Timestamp) and an Idempotency-Key. Failures are retried."),
        "notifications.url": ("网络钩子地址", "Webhook URL"),
        "notifications.secret": ("签名密钥（留空则自动生成）", "Signing secret (empty = generate)"),
        "notifications.secretHint": ("当前密钥", "Current secret"),
        "notifications.enabled": ("启用", "Enabled"),
        "notifications.lastDelivery": ("最近投递", "Last delivery"),
        "notifications.lastStatus": ("最近状态码", "Last status"),
        "notifications.lastError": ("最近错误", "Last error"),
        "notifications.remove": ("删除网络钩子", "Remove webhook"),
        "notifications.test": ("发送测试通知", "Send a test notification"),
        "notifications.secretShown": ("签名密钥（只显示这一次）：", "Signing secret (shown only once):"),
        "notifications.notConfigured": ("尚未配置网络钩子。", "No webhook configured yet."),
    ]
}
