/// Media tooling: probe, transcode, keyframes (built in later issues).
public enum ZhimeiMediaVersion { public static let value = "0.1.0" }
