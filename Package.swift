// swift-tools-version:6.0
import PackageDescription

// Only the C shims (`CGSL`, `CSQLite`) touch C; every other module is plain Swift over value types.
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
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "Policy", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Adjudication", dependencies: ["Policy"]),
        .target(name: "Synthesis", dependencies: ["CGSL", "Policy", "Adjudication"]),
        .target(name: "Statistics", dependencies: ["CGSL"]),
        .target(name: "Simulation", dependencies: ["Policy", "Adjudication", "Synthesis", "Statistics", "CGSL",
                                                   .product(name: "Yams", package: "Yams")]),
        .target(name: "Results", dependencies: ["CSQLite", "Simulation", "Synthesis", "Statistics", "Policy", "Adjudication"]),
        .executableTarget(name: "poolsim", dependencies: [
            "Policy", "Adjudication", "Synthesis", "Statistics", "Simulation", "Results",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Fuzz targets (issue 7): replay tools in a normal build, libFuzzer entry points with -DFUZZING
        // (scripts/fuzz.sh, `make fuzz`). Never part of `make test`.
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport"),
        .executableTarget(name: "FuzzClaims", dependencies: ["FuzzSupport", "Adjudication"], path: "Fuzz/FuzzClaims"),
        .executableTarget(name: "FuzzPolicy", dependencies: ["FuzzSupport", "Policy"], path: "Fuzz/FuzzPolicy"),
        .executableTarget(name: "FuzzScenario", dependencies: ["FuzzSupport", "Simulation"], path: "Fuzz/FuzzScenario"),
        .testTarget(name: "PolicyTests", dependencies: ["Policy"]),
        .testTarget(name: "AdjudicationTests", dependencies: ["Adjudication", "Policy", "Synthesis", .product(name: "Yams", package: "Yams")],
                    resources: [.copy("Cases")]),
        .testTarget(name: "SynthesisTests", dependencies: ["Synthesis", "Policy", "Adjudication", "CGSL"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "CGSL"]),
        .target(name: "ScenarioTestSupport", path: "Tests/ScenarioTestSupport"),
        .testTarget(name: "SimulationTests", dependencies: ["ScenarioTestSupport", "Simulation", "Synthesis", "Adjudication", "Policy", "Statistics"]),
        .testTarget(name: "ResultsTests", dependencies: ["ScenarioTestSupport", "Results", "Simulation", "Statistics", "CSQLite"]),
        .testTarget(name: "CLITests", dependencies: ["poolsim"]),
    ],
    swiftLanguageModes: [.v6]
)
