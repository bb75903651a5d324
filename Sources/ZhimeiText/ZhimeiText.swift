public enum ZhimeiTextVersion { public static let value = "0.1.0" }
