// swift-tools-version:6.0
import PackageDescription

// Only the C shims (`CGSL`) touch C; every other module is plain Swift over value types.
let package = Package(
    name: "PoolSim",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "poolsim", targets: ["poolsim"]),
        .library(name: "Policy", targets: ["Policy"]),
        .library(name: "Adjudication", targets: ["Adjudication"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CGSL", path: "Sources/CGSL", pkgConfig: "gsl",
                       providers: [.apt(["libgsl-dev"])]),
        .target(name: "Policy", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Adjudication", dependencies: ["Policy"]),
        .target(name: "Synthesis", dependencies: ["CGSL", "Policy", "Adjudication"]),
        .executableTarget(name: "poolsim", dependencies: [
            "Policy", "Adjudication", "Synthesis",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy"]),
        .testTarget(name: "AdjudicationTests", dependencies: ["Adjudication", "Policy", "Synthesis", .product(name: "Yams", package: "Yams")],
                    resources: [.copy("Cases")]),
        .testTarget(name: "SynthesisTests", dependencies: ["Synthesis", "Policy", "Adjudication", "CGSL"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "CLITests", dependencies: ["poolsim"]),
    ],
    swiftLanguageModes: [.v6]
)
