import Foundation
import Results
import XCTest

/// `poolsim run`, `compare` and `sweep` as a user runs them: a tiny scenario end to end.
final class RunCommandTests: CommandTestCase {
    static let reformNames = ["cap-2000", "retiree-uplift-ten-pts", "tieling"]

    func writeScenario(_ edit: (String) -> String = { $0 }) throws -> (file: String, text: String) {
        let text = edit("""
        name: tiny
        title: "延边州 tiny: the 2023 rules against three alternatives"
        population:
          calibration: \(repo("datasets/calibration/yanbian-fitted.yaml"))
          members: 2000
        replications: 2
        seed: 8
        baseline:
          name: rules-2023
          policy: \(repo("datasets/policies/yanbian.yaml"))
        reforms:
          - name: cap-2000
            set: {ordinary.annual_cap: 2000}
          - name: retiree-uplift-ten-pts
            set: {ordinary.retired_uplift: 10}
          - name: tieling
            policy: \(repo("datasets/policies/tieling.yaml"))
        budget: {value: 700000, unit: yuan, benefits: [ordinary]}

        """)
        return (try write("tiny.yaml", text), text)
    }

    /// Terminal columns of a line: CJK ideographs and full-width forms take two.
    static func columns(_ line: String) -> Int {
        line.unicodeScalars.reduce(0) { n, u in
            let v = u.value
            let wide = (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v) || (0xFFE0...0xFFE6).contains(v)
            return n + (wide ? 2 : 1)
        }
    }

    func testRunPrintsTheComparisonAndCompareReprintsIt() throws {
        let (scenario, _) = try writeScenario()
        let out = path("out/tiny.sqlite")
        let r = try run(["run", scenario, "--out", out, "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out))
        let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for l in lines { XCTAssertLessThanOrEqual(Self.columns(l), 100, "wider than 100 columns: '\(l)'") }
        for name in ["rules-2023"] + Self.reformNames {
            XCTAssertTrue(lines.contains { $0.hasPrefix(name + " ") }, "a row for \(name):\n\(r.stdout)")
        }
        XCTAssertTrue(r.stdout.contains("2 of 2 replications, complete"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Winners and losers"), r.stdout)
        XCTAssertEqual(lines.dropLast().last, "→ \(out)")

        let c = try run(["compare", out])
        XCTAssertEqual(c.status, 0, c.stderr)
        XCTAssertEqual(c.stdout, r.stdout.replacingOccurrences(of: "→ \(out)\n", with: ""), "compare prints the table run printed")
        XCTAssertFalse(c.stdout.isEmpty)
    }

    func testSweepStoresTheGridAndOutlayRisesWithTheCap() throws {
        let (scenario, _) = try writeScenario()
        let out = path("sweep.sqlite")
        let r = try run(["sweep", scenario, "--param", "ordinary.annual_cap=1000:3000:1000", "--out", out, "--threads", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let db = try Database(path: out, create: false, readOnly: true)
        XCTAssertEqual(try db.scalar("SELECT kind FROM run"), .text("sweep"))
        let variants = try db.query("SELECT variant_id, name, is_baseline FROM variants ORDER BY variant_id").rows
        XCTAssertEqual(variants.map { $0[1] }, [.text("rules-2023"), .text("ordinary.annual_cap=1000"),
                                                .text("ordinary.annual_cap=2000"), .text("ordinary.annual_cap=3000")],
                       "the baseline and the grid; the scenario's own reforms are not run")
        XCTAssertEqual(variants.map { $0[2] }, [.integer(1), .integer(0), .integer(0), .integer(0)])
        let points = try db.query("SELECT variant_id, parameter, value FROM sweep_points ORDER BY variant_id").rows
        XCTAssertEqual(points, [[.integer(1), .text("ordinary.annual_cap"), .real(1000)],
                                [.integer(2), .text("ordinary.annual_cap"), .real(2000)],
                                [.integer(3), .text("ordinary.annual_cap"), .real(3000)]])
        for rep in 0..<2 {
            let outlay = try db.query("SELECT fund_ordinary_fen FROM replications WHERE replication = ? ORDER BY variant_id",
                                      [.integer(Int64(rep))]).rows.map { $0[0] }
            XCTAssertEqual(outlay.count, 4)
            XCTAssertEqual(outlay[1], outlay[0], "cap 1000 is yanbian.yaml's own cap")
            guard case .integer(let a) = outlay[1], case .integer(let b) = outlay[2], case .integer(let c) = outlay[3] else {
                return XCTFail("outlays \(outlay)")
            }
            XCTAssertLessThan(a, b, "replication \(rep): 1000 → 2000")
            XCTAssertLessThanOrEqual(b, c, "replication \(rep): 2000 → 3000")
        }
    }

    func testInvalidScenarioFailsWithFileAndLine() throws {
        let (scenario, text) = try writeScenario { $0.replacingOccurrences(of: "seed: 8", with: "sed: 8") }
        let out = path("bad.sqlite")
        let r = try run(["run", scenario, "--out", out])
        XCTAssertNotEqual(r.status, 0)
        let line = text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("sed: 8") }! + 1
        XCTAssertTrue(r.stderr.contains("\(scenario):\(line): sed: unknown key 'sed'"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(r.stdout, "")

        // An unknown parameter path in a reform is found when the policy is built, and still
        // points into the scenario file.
        let (bad, text2) = try writeScenario { $0.replacingOccurrences(of: "set: {ordinary.annual_cap: 2000}", with: "set: {ordinary.anual_cap: 2000}") }
        let r2 = try run(["run", bad, "--out", out])
        XCTAssertNotEqual(r2.status, 0)
        let line2 = text2.components(separatedBy: "\n").firstIndex { $0.contains("ordinary.anual_cap") }! + 1
        XCTAssertTrue(r2.stderr.contains("\(bad):\(line2): ordinary.anual_cap: unknown parameter path"), r2.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".partial-") }, [])
    }
}
