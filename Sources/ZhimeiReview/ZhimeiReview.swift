public enum ZhimeiReviewVersion { public static let value = "0.1.0" }
