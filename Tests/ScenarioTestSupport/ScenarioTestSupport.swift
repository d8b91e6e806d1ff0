import Foundation
import XCTest

// Shared by the SimulationTests and ResultsTests targets (the model: swift-argument-parser's
// ArgumentParserTestHelpers): the repository's files and scratch scenario files.

/// Paths of the repository's datasets and a scratch folder for scenario files.
public enum Repo {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    public static var yanbianCalibration: String { path("datasets/calibration/yanbian-fitted.yaml") }
    public static func policy(_ name: String) -> String { path("datasets/policies/\(name).yaml") }
}

/// A fresh temporary folder per test case, removed afterwards.
open class ScratchTestCase: XCTestCase {
    public var dir: URL!

    override open func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("poolsim-\(type(of: self))-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override open func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    public func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    /// A scenario over the fitted Yanbian calibration with `yanbian.yaml` as the baseline; `reforms`
    /// is the YAML of the `reforms:` list (indented by two), `extra` any further top-level keys.
    public func scenario(members: Int = 3000, replications: Int = 2, seed: Int = 11, baseline: String = "yanbian",
                  reforms: String = "", extra: String = "") -> String {
        var s = """
        name: test
        title: test scenario
        population:
          calibration: \(Repo.yanbianCalibration)
          members: \(members)
        replications: \(replications)
        seed: \(seed)
        baseline:
          name: base
          policy: \(Repo.policy(baseline))

        """
        if !reforms.isEmpty { s += "reforms:\n" + reforms }
        if !extra.isEmpty { s += extra }
        return s
    }
}

