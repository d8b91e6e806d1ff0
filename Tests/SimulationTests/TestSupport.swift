import Foundation
import XCTest

/// Paths of the repository's datasets and a scratch folder for scenario files.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    static var yanbianCalibration: String { path("datasets/calibration/yanbian-fitted.yaml") }
    static func policy(_ name: String) -> String { path("datasets/policies/\(name).yaml") }
}

/// A fresh temporary folder per test case, removed afterwards.
class ScratchTestCase: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("poolsim-\(type(of: self))-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    /// A scenario over the fitted Yanbian calibration with `yanbian.yaml` as the baseline; `reforms`
    /// is the YAML of the `reforms:` list (indented by two), `extra` any further top-level keys.
    func scenario(members: Int = 3000, replications: Int = 2, seed: Int = 11, baseline: String = "yanbian",
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

/// The 1-based line of the first line of `text` that starts with `prefix`.
func line(of prefix: String, in text: String, file: StaticString = #filePath, line: UInt = #line) -> Int? {
    let i = text.components(separatedBy: "\n").firstIndex { $0.hasPrefix(prefix) }
    XCTAssertNotNil(i, "no line starts with '\(prefix)'", file: file, line: line)
    return i.map { $0 + 1 }
}
