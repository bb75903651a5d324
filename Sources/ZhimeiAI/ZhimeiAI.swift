/// AI provider protocols and built-in implementations (built in later issues).
public enum ZhimeiAIVersion { public static let value = "0.1.0" }
