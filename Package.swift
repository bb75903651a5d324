// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Zhimei",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "zhimei", targets: ["zhimei"]),
        .library(name: "ZhimeiText", targets: ["ZhimeiText"]),
        .library(name: "ZhimeiTextCLI", targets: ["ZhimeiTextCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.110.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.12.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.50.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.8.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.10.0"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.30.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.4.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.25.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.19"),
    ],
    targets: [
        // Pure engines: no server dependency, fast to build and test alone.
        .target(name: "ZhimeiText"),
        .target(
            name: "ZhimeiTextCLI",
            dependencies: ["ZhimeiText", "ZhimeiReview", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(name: "ZhimeiReview", dependencies: ["ZhimeiText"]),
        .target(name: "ZhimeiMedia"),
        .target(name: "ZhimeiAI"),
        // The application: one folder per chain module.
        .target(
            name: "Zhimei",
            dependencies: [
                "ZhimeiText", "ZhimeiReview", "ZhimeiMedia", "ZhimeiAI",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .executableTarget(
            name: "zhimei",
            dependencies: [
                "Zhimei", "ZhimeiTextCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ZhimeiTextTests", dependencies: ["ZhimeiText", "ZhimeiTextCLI"]),
        .testTarget(name: "ZhimeiReviewTests", dependencies: ["ZhimeiReview", "ZhimeiText", "ZhimeiTextCLI"]),
        .testTarget(
            name: "ZhimeiTests",
            dependencies: [
                "Zhimei",
                .product(name: "XCTVapor", package: "vapor"),
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)
