import Foundation
import Results
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


extension Database {
    /// Every row of `table` with the named columns left out, as text, sorted: for comparing two
    /// stores regardless of insertion order.
    func rows(_ table: String, except skipped: Set<String> = []) throws -> [String] {
        let q = try query("SELECT * FROM \(table)")
        let keep = q.columns.indices.filter { !skipped.contains(q.columns[$0]) }
        return q.rows.map { row in keep.map { "\(q.columns[$0])=\(row[$0])" }.joined(separator: " ") }.sorted()
    }

    func int(_ sql: String, _ values: [SQLValue] = []) throws -> Int64? {
        if case .integer(let i)? = try scalar(sql, values) { return i }
        return nil
    }

    func doubles(_ sql: String, _ values: [SQLValue] = []) throws -> [Double] {
        try query(sql, values).rows.map { row in
            switch row[0] {
            case .integer(let i): return Double(i)
            case .real(let d): return d
            default: return .nan
            }
        }
    }
}
