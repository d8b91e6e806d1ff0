import Foundation
import Results
import Simulation
import Statistics
import XCTest

/// The run store: its summaries are what anyone recomputes from the stored replication rows, and
/// the file at the destination is always either a whole store or what was there before.
final class RunStoreTests: ScratchTestCase {
    /// The budget (yuan) for the ordinary benefit: between the replications' outlays of the
    /// baseline (fixed seed), so the overrun count is neither 0 nor all.
    static let budgetYuan = 1_090_000

    func experiment(replications: Int, budget: Bool = true) throws -> Experiment {
        let text = scenario(members: 3000, replications: replications, seed: 4242, reforms: """
              - name: cap-2000
                set: {ordinary.annual_cap: 2000}

            """, extra: budget ? "budget: {value: \(Self.budgetYuan), unit: yuan, benefits: [ordinary]}\n" : "")
        return try Experiment(try Scenario.parse(text, file: try write("test.yaml", text)))
    }

    /// Files in the scratch folder that look like a store under construction.
    func partials() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".partial-") }
    }

    // MARK: summaries

    /// Plain Swift, independent of GSL: mean, sample SD, t interval with t_{0.975,4} = 2.776445
    /// (five replications), and quantiles at index (n − 1)·f.
    struct Hand {
        var n: Int, mean: Double, sd: Double, low: Double, high: Double, q: [Double]
        init(_ x: [Double], t: Double) {
            n = x.count
            mean = x.reduce(0, +) / Double(n)
            let m = mean
            sd = (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(n - 1)).squareRoot()
            let half = t * sd / Double(n).squareRoot()
            low = mean - half
            high = mean + half
            let s = x.sorted(), count = x.count
            q = [0.05, 0.50, 0.95, 0.99].map { f in
                let h = Double(count - 1) * f, i = Int(h.rounded(.down)), d = h - Double(i)
                return i + 1 < count ? s[i] + d * (s[i + 1] - s[i]) : s[i]
            }
        }
    }

    func assertSummary(_ db: Database, variant v: Int, metric: String, kind: String, equals h: Hand,
                       file: StaticString = #filePath, line: UInt = #line) throws {
        let row = try db.query("SELECT n, mean, sd, ci_low, ci_high, p5, p50, p95, p99 FROM summary WHERE variant_id = ? AND metric = ? AND kind = ?",
                               [.integer(Int64(v)), .text(metric), .text(kind)]).rows
        XCTAssertEqual(row.count, 1, "\(metric) \(kind) variant \(v)", file: file, line: line)
        guard let r = row.first else { return }
        XCTAssertEqual(r[0], .integer(Int64(h.n)), file: file, line: line)
        func d(_ x: SQLValue) -> Double { if case .real(let y) = x { return y }; if case .integer(let i) = x { return Double(i) }; return .nan }
        let scale = Swift.max(abs(h.mean), 1)
        XCTAssertEqual(d(r[1]), h.mean, accuracy: 1e-12 * scale, "mean", file: file, line: line)
        XCTAssertEqual(d(r[2]), h.sd, accuracy: 1e-9 * Swift.max(h.sd, 1), "sd", file: file, line: line)
        // The hand t has 7 digits: the interval agrees to about 1e-7 of its half width.
        let half = h.high - h.mean
        XCTAssertEqual(d(r[3]), h.low, accuracy: 1e-6 * Swift.max(half, 1), "ci_low", file: file, line: line)
        XCTAssertEqual(d(r[4]), h.high, accuracy: 1e-6 * Swift.max(half, 1), "ci_high", file: file, line: line)
        for k in 0..<4 { XCTAssertEqual(d(r[5 + k]), h.q[k], accuracy: 1e-9 * scale, "quantile \(k)", file: file, line: line) }
    }

    func testSummariesEqualARecomputationFromStoredRows() throws {
        let x = try experiment(replications: 5)
        let out = path("run.sqlite")
        XCTAssertTrue(try RunRecorder.record(x, to: out, threads: 2, command: "test"))
        let db = try Database(path: out, create: false, readOnly: true)
        XCTAssertEqual(try db.int("SELECT replications_done FROM run"), 5)
        XCTAssertEqual(try db.query("SELECT status FROM run").rows[0][0], .text("complete"))
        let t4 = 2.776445

        let fund0 = try db.doubles("SELECT fund_fen FROM replications WHERE variant_id = 0 ORDER BY replication")
        let fund1 = try db.doubles("SELECT fund_fen FROM replications WHERE variant_id = 1 ORDER BY replication")
        XCTAssertEqual(fund0.count, 5)
        XCTAssertEqual(Set(fund0).count, 5, "replications differ")
        try assertSummary(db, variant: 0, metric: "fund_fen", kind: "level", equals: Hand(fund0, t: t4))
        try assertSummary(db, variant: 1, metric: "fund_fen", kind: "level", equals: Hand(fund1, t: t4))
        let delta = zip(fund1, fund0).map { $0 - $1 }
        XCTAssertTrue(delta.allSatisfy { $0 > 0 }, "a higher cap costs more in every replication")
        try assertSummary(db, variant: 1, metric: "fund_fen", kind: "delta", equals: Hand(delta, t: t4))
        let perMember = try db.doubles("SELECT CAST(burden_fen AS REAL) / members FROM replications WHERE variant_id = 1 ORDER BY replication")
        try assertSummary(db, variant: 1, metric: "burden_per_member_fen", kind: "level", equals: Hand(perMember, t: t4))

        // Member summaries: mean and SD over replications of the stored per-replication figures.
        for (metric, sql) in [("mean_burden_fen", "SELECT mean_burden_fen FROM member_statistics"),
                              ("cap_hit_share", "SELECT CAST(cap_hit AS REAL) / members FROM member_statistics")] {
            for g in [0, 2] {
                let values = try db.doubles(sql + " WHERE variant_id = 1 AND subgroup_id = ? ORDER BY replication", [.integer(Int64(g))])
                let h = Hand(values, t: t4)
                let r = try db.query("SELECT n, mean, sd FROM member_summary WHERE variant_id = 1 AND subgroup_id = ? AND metric = ?",
                                     [.integer(Int64(g)), .text(metric)]).rows
                XCTAssertEqual(r.first?[0], .integer(5), metric)
                XCTAssertEqual(try db.doubles("SELECT mean FROM member_summary WHERE variant_id = 1 AND subgroup_id = ? AND metric = ?",
                                              [.integer(Int64(g)), .text(metric)]).first ?? .nan, h.mean, accuracy: 1e-12 * Swift.max(abs(h.mean), 1), metric)
                XCTAssertEqual(try db.doubles("SELECT sd FROM member_summary WHERE variant_id = 1 AND subgroup_id = ? AND metric = ?",
                                              [.integer(Int64(g)), .text(metric)]).first ?? .nan, h.sd, accuracy: 1e-9 * Swift.max(h.sd, 1e-9), metric)
            }
        }
        let winners = try db.doubles("SELECT CAST(winners AS REAL) / members FROM net_changes WHERE variant_id = 1 AND subgroup_id = 0 ORDER BY replication")
        XCTAssertEqual(try db.doubles("SELECT mean FROM member_summary WHERE variant_id = 1 AND subgroup_id = 0 AND metric = 'winners_share'").first ?? .nan,
                       Hand(winners, t: t4).mean, accuracy: 1e-15)

        // Fund sizing: overruns counted directly against the budget (fen).
        let budgetFen = Double(Self.budgetYuan) * 100
        for v in 0..<2 {
            let outlay = try db.doubles("SELECT budget_outlay_fen FROM replications WHERE variant_id = ? ORDER BY replication", [.integer(Int64(v))])
            let ordinary = try db.doubles("SELECT fund_ordinary_fen FROM replications WHERE variant_id = ? ORDER BY replication", [.integer(Int64(v))])
            XCTAssertEqual(outlay, ordinary, "the budget covers the ordinary benefit only")
            let over = outlay.filter { $0 > budgetFen }.count
            if v == 0 { XCTAssertTrue(over > 0 && over < 5, "budget between the outlays: \(outlay)") }
            XCTAssertEqual(try db.int("SELECT overrun_replications FROM fund_sizing WHERE variant_id = ?", [.integer(Int64(v))]), Int64(over))
            XCTAssertEqual(try db.int("SELECT budget_fen FROM fund_sizing WHERE variant_id = ?", [.integer(Int64(v))]), Int64(budgetFen))
            XCTAssertEqual(try db.doubles("SELECT overrun_share FROM fund_sizing WHERE variant_id = ?", [.integer(Int64(v))]).first ?? .nan,
                           Double(over) / 5, accuracy: 1e-15)
            let h = Hand(outlay, t: t4)
            // need95 is the empirical P95 of the outlay: index 4 × 0.95 = 3.8.
            XCTAssertEqual(try db.doubles("SELECT need95_fen FROM fund_sizing WHERE variant_id = ?", [.integer(Int64(v))]).first ?? .nan,
                           h.q[2], accuracy: 1e-6)
        }
    }

    // MARK: interrupted and failed runs

    func testInterruptedRunKeepsTheFinishedReplication() throws {
        let x = try experiment(replications: 3)
        let out = path("run.sqlite")
        let stop = StopFlag()
        var seen: [Int] = []
        let complete = try RunRecorder.record(x, to: out, threads: 2, command: "test", stop: stop) { r in
            seen.append(r.replication)
            stop.raise()
        }
        XCTAssertFalse(complete)
        XCTAssertEqual(seen, [0], "nothing runs after the stop")
        XCTAssertEqual(try partials(), [], "no temporary file left")
        let db = try Database(path: out, create: false, readOnly: true)
        XCTAssertEqual(try db.query("SELECT status FROM run").rows[0][0], .text("interrupted"))
        XCTAssertEqual(try db.int("SELECT replications_done FROM run"), 1)
        XCTAssertEqual(try db.int("SELECT replications_planned FROM run"), 3)
        XCTAssertEqual(try db.doubles("SELECT DISTINCT replication FROM replications"), [0])
        XCTAssertEqual(try db.doubles("SELECT DISTINCT n FROM summary"), [1], "summaries over the one stored replication")
        // Member metrics over the one replication (n = 0 where the figure is undefined, e.g. the
        // mean gain of a subgroup with no winners).
        XCTAssertEqual(try db.doubles("SELECT DISTINCT n FROM member_summary WHERE metric = 'mean_burden_fen'"), [1])
        XCTAssertEqual(try db.doubles("SELECT count(*) FROM member_summary WHERE n > 1"), [0])
        XCTAssertEqual(try db.doubles("SELECT replications FROM fund_sizing"), [1, 1])
        let fund = try db.doubles("SELECT fund_fen FROM replications WHERE variant_id = 0")
        XCTAssertEqual(try db.doubles("SELECT mean FROM summary WHERE variant_id = 0 AND metric = 'fund_fen' AND kind = 'level'"), fund)
        XCTAssertEqual(try db.query("SELECT sd, ci_low, ci_high FROM summary WHERE variant_id = 0 AND metric = 'fund_fen' AND kind = 'level'").rows[0],
                       [.null, .null, .null], "no spread from one replication")
        XCTAssertNotNil(try db.scalar("SELECT finished_at FROM run"))
    }

    func testMissingDestinationFolderLeavesNothing() throws {
        let x = try experiment(replications: 2)
        let out = path("missing/run.sqlite")
        XCTAssertThrowsError(try RunRecorder.record(x, to: out, threads: 1, command: "test")) { error in
            XCTAssertTrue(error is SQLiteError, "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("missing")))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["test.yaml"])
    }

    /// The store cannot be moved into place (the destination is a folder): the run fails at the
    /// end and removes its temporary file.
    func testFailedMoveLeavesNoTemporaryFile() throws {
        let x = try experiment(replications: 2)
        let out = path("taken")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
        try "keep".write(toFile: out + "/inside", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunRecorder.record(x, to: out, threads: 1, command: "test")) { error in
            XCTAssertTrue("\(error)".contains("cannot move"), "\(error)")
        }
        XCTAssertEqual(try partials(), [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out), ["inside"])
    }

    struct Failure: Error {}

    func testExistingDestinationUntouchedWhenTheRunFails() throws {
        let x = try experiment(replications: 3)
        let out = path("run.sqlite")
        let previous = Data("the previous run".utf8)
        try previous.write(to: URL(fileURLWithPath: out))
        var stored = 0
        XCTAssertThrowsError(try RunRecorder.record(x, to: out, threads: 2, command: "test") { _ in
            stored += 1
            throw Failure()
        }) { error in XCTAssertTrue(error is Failure, "\(error)") }
        XCTAssertEqual(stored, 1, "the failure came after a replication was stored")
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: out)), previous)
        XCTAssertEqual(try partials(), [])

        // A run that finishes replaces it.
        XCTAssertTrue(try RunRecorder.record(x, to: out, threads: 2, command: "test"))
        XCTAssertEqual(try Database(path: out, create: false, readOnly: true).int("SELECT replications_done FROM run"), 3)
        XCTAssertEqual(try partials(), [])
    }
}

extension RunStoreTests {
    /// Every file the run read is recorded with the hash and size of its bytes, including the base
    /// file under a fitted calibration overlay.
    func testFilesTableHashesEveryFileRead() throws {
        let x = try experiment(replications: 1)
        let out = path("run.sqlite")
        XCTAssertTrue(try RunRecorder.record(x, to: out, threads: 1, command: "test"))
        let db = try Database(path: out, create: false, readOnly: true)
        let rows = try db.query("SELECT path, role, sha256, bytes FROM files ORDER BY role, path").rows
        var recorded: [String: String] = [:]
        for r in rows {
            guard case .text(let p) = r[0], case .text(let role) = r[1], case .text(let hash) = r[2] else { return XCTFail("\(r)") }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: p))
            XCTAssertEqual(hash, SHA256.hex(bytes), p)
            XCTAssertEqual(r[3], .integer(Int64(bytes.count)), p)
            recorded[p] = role
        }
        XCTAssertEqual(recorded[path("test.yaml")], "scenario")
        XCTAssertEqual(recorded[Repo.yanbianCalibration], "calibration")
        XCTAssertEqual(recorded[Repo.path("datasets/calibration/yanbian.yaml")], "calibration",
                       "the base of the fitted calibration: \(recorded)")
        XCTAssertEqual(recorded[Repo.policy("yanbian")], "policy")
    }
}
