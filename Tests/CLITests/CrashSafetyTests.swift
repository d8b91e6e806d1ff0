import Foundation
import Results
import XCTest

/// `poolsim adjudicate` and `poolsim run` killed with SIGKILL at pseudo-random moments (fixed
/// seed) spread over an uninterrupted run's duration: nothing half-written is ever found under an
/// output's name, and what a kill leaves behind is a documented temporary.
///
/// What the current code leaves after SIGKILL (no handler can run): `adjudicate` renders both
/// outputs in memory and writes them at the very end, so a kill in that short window can leave
/// `NAME.tmp-PID` beside an output (AtomicFile); `run` leaves
/// `.NAME.partial-PID` (and at most a `-journal` beside it) holding the replications committed so
/// far with `run.status = 'running'`. Neither is resumed or removed by a later run.
final class CrashSafetyTests: CommandTestCase {
    static let kills = 20

    /// SplitMix64: the kill moments are the same on every machine and every run.
    struct Moments {
        var state: UInt64
        mutating func unit() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        /// Kill `i` of `n` lands in the i-th of n equal slices of `0...span`.
        mutating func delay(_ i: Int, of n: Int, span: Double) -> Double { span * (Double(i) + unit()) / Double(n) }
        /// Attempt `i`: the first `kills + 1` attempts in equal slices of 1.05 × the run time, the
        /// latest first (so the final writes are probed even when every later attempt kills); an
        /// attempt that comes after the end is made up by one anywhere in the run.
        mutating func next(_ i: Int, span: Double) -> Double {
            let n = CrashSafetyTests.kills
            return i <= n ? delay(n - i, of: n + 1, span: 1.05 * span) : delay(0, of: 1, span: span)
        }
    }

    /// Runs the binary; when `killAfter` is set, sends SIGKILL that many seconds after the start.
    /// Returns whether the process ended by the signal (false: it had finished first) and the wall time.
    @discardableResult
    func launch(_ args: [String], killAfter: Double? = nil) throws -> (killed: Bool, status: Int32, seconds: Double) {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = args
        p.currentDirectoryURL = workingDirectory
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        let start = Date()
        try p.run()
        if let d = killAfter {
            Thread.sleep(forTimeInterval: d)
            kill(p.processIdentifier, SIGKILL)
        }
        p.waitUntilExit()
        let killed = p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL
        return (killed, p.terminationStatus, Date().timeIntervalSince(start))
    }

    func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    func matches(_ name: String, _ pattern: String) -> Bool {
        name.range(of: pattern, options: .regularExpression) != nil
    }

    // MARK: adjudicate

    func testAdjudicateKilledLeavesNoHalfWrittenOutput() throws {
        let data = path("data")
        let s = try run(["synth", repo("datasets/calibration/yanbian-fitted.yaml"), "--members", "20000", "--seed", "1", "--out", data])
        XCTAssertEqual(s.status, 0, s.stderr)
        func args(_ folder: String) -> [String] {
            ["adjudicate", "--policy", policy("yanbian"), "--members", data + "/members.csv", "--claims", data + "/claims.csv",
             "--out", folder + "/out.csv", "--accounts", folder + "/acc.csv"]
        }
        let ref = path("ref")
        try FileManager.default.createDirectory(atPath: ref, withIntermediateDirectories: true)
        let r = try launch(args(ref))
        XCTAssertEqual(r.status, 0)
        let refOut = try Data(contentsOf: URL(fileURLWithPath: ref + "/out.csv"))
        let refAcc = try Data(contentsOf: URL(fileURLWithPath: ref + "/acc.csv"))
        XCTAssertEqual(files(in: ref), ["acc.csv", "out.csv"], "an uninterrupted run leaves only its outputs")

        let kill = path("kill")
        var moments = Moments(state: 7)
        var killed = 0, temporaries: [String: Int] = [:], outcomes: [String: Int] = [:]
        var i = -1
        while killed < Self.kills && i < Self.kills + 10 {
            i += 1
            try? FileManager.default.removeItem(atPath: kill)
            try FileManager.default.createDirectory(atPath: kill, withIntermediateDirectories: true)
            let d = moments.next(i, span: r.seconds)
            let k = try launch(args(kill), killAfter: d)
            if k.killed { killed += 1 } else { XCTAssertEqual(k.status, 0, "kill \(i) came after the end and the run failed") }
            var state: [String] = []
            for (name, reference) in [("out.csv", refOut), ("acc.csv", refAcc)] {
                let f = kill + "/" + name
                if let got = FileManager.default.contents(atPath: f) {
                    XCTAssertEqual(got, reference, "kill \(i) after \(d) s: \(name) exists but is not the complete output")
                    state.append(name)
                }
            }
            outcomes[state.isEmpty ? "none" : state.joined(separator: "+"), default: 0] += 1
            for name in files(in: kill) where name != "out.csv" && name != "acc.csv" {
                XCTAssertTrue(matches(name, #"^(out|acc)\.csv\.tmp-[0-9]+$"#), "kill \(i): stray file \(name)")
                temporaries[name.hasPrefix("out") ? "out.csv.tmp-PID" : "acc.csv.tmp-PID", default: 0] += 1
            }
        }
        XCTAssertEqual(killed, Self.kills, "\(Self.kills) processes killed")
        print("adjudicate: \(killed) of \(i + 1) attempts killed over \(String(format: "%.2f", r.seconds)) s; outputs present: \(outcomes); temporaries left: \(temporaries)")
    }

    // MARK: run

    /// Rows of every table, timing columns left out, in a fixed order.
    func contents(_ file: String) throws -> [String: [[SQLValue]]] {
        let db = try Database(path: file, create: false, readOnly: true)
        let timing: Set<String> = ["seconds", "started_at", "finished_at", "threads", "command"]
        var out: [String: [[SQLValue]]] = [:]
        for t in try db.tableNames() {
            let cols = try db.query("SELECT name FROM pragma_table_info(?)", [.text(t)]).rows.compactMap { row -> String? in
                guard case .text(let c) = row[0], !((t == "run" || t == "replications") && timing.contains(c)) else { return nil }
                return c
            }
            let list = cols.map { "\"\($0)\"" }.joined(separator: ", ")
            let order = (1...cols.count).map(String.init).joined(separator: ", ")
            out[t] = try db.query("SELECT \(list) FROM \"\(t)\" ORDER BY \(order)").rows
        }
        return out
    }

    /// A partial store left by a kill: opens (rolling back any hot journal), is intact, and holds
    /// only complete replications under a run marked incomplete. Returns the replications it holds,
    /// or nil when nothing had been committed yet.
    func checkPartial(_ file: String, reference: [String: [[SQLValue]]], _ label: String) throws -> Int? {
        let db = try Database(path: file, create: false)
        XCTAssertEqual(try db.scalar("PRAGMA integrity_check"), .text("ok"), label)
        guard try db.tableNames().contains("run") else { return nil }
        XCTAssertEqual(try db.scalar("SELECT status FROM run"), .text("running"), "\(label): a partial store is marked incomplete")
        guard case .integer(let variants)? = try db.scalar("SELECT count(*) FROM variants"),
              case .integer(let subgroups)? = try db.scalar("SELECT count(*) FROM subgroups"),
              case .integer(let done)? = try db.scalar("SELECT replications_done FROM run") else {
            XCTFail("\(label): no variants, subgroups or progress"); return nil
        }
        XCTAssertGreaterThan(variants, 0, label)
        let perReplication = try db.query("""
            SELECT r.replication, count(*), (SELECT count(*) FROM member_statistics m WHERE m.replication = r.replication)
            FROM replications r GROUP BY r.replication ORDER BY 1
            """).rows
        for row in perReplication {
            XCTAssertEqual(row[1], .integer(variants), "\(label): replication \(row[0]) has one row per variant")
            XCTAssertEqual(row[2], .integer(variants * subgroups), "\(label): replication \(row[0]) has every variant × subgroup")
        }
        XCTAssertEqual(try db.scalar("""
            SELECT count(*) FROM member_statistics WHERE replication NOT IN (SELECT replication FROM replications)
            """), .integer(0), "\(label): no statistics of an unfinished replication")
        XCTAssertEqual(Int64(perReplication.count), done, "\(label): replications_done counts the replications held")
        // What it holds is what the uninterrupted run computed for the same replications.
        let held = perReplication.map { $0[0] }
        let got = try contents(file)
        for t in ["replications", "member_statistics", "variants", "subgroups"] {
            XCTAssertEqual(got[t], reference[t]?.filter { t == "variants" || t == "subgroups" || held.contains($0[0]) },
                           "\(label): \(t) as in the uninterrupted run")
        }
        return perReplication.count
    }

    func testRunKilledLeavesThePreviousStoreOrNothingAndResumesCleanly() throws {
        let demo = try String(contentsOfFile: repo("scenarios/demo.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "../datasets/", with: repo("datasets") + "/")
            .replacingOccurrences(of: "members: 50000", with: "members: 5000")
            .replacingOccurrences(of: "replications: 20", with: "replications: 6")
        XCTAssertTrue(demo.contains("members: 5000\n") && demo.contains("replications: 6\n"), "the demo scenario changed")
        let scenario = try write("demo.yaml", demo)
        let out = path("store/demo.sqlite")
        let command = ["run", scenario, "--out", out]

        // Two uninterrupted runs: the reference, and the previous store some kills find in place.
        // The first run of a fresh binary is often slower; the kill moments follow the faster.
        let ref = try launch(["run", scenario, "--out", path("ref.sqlite")])
        XCTAssertEqual(ref.status, 0)
        let previous = path("previous.sqlite")
        let second = try launch(["run", scenario, "--out", previous])
        XCTAssertEqual(second.status, 0)
        let r = ref.seconds < second.seconds ? ref : second
        let reference = try contents(path("ref.sqlite"))
        XCTAssertEqual(reference["run"]?.count, 1)
        XCTAssertEqual(try contents(previous), reference, "two uninterrupted runs store the same")
        let previousBytes = try Data(contentsOf: URL(fileURLWithPath: previous))

        var moments = Moments(state: 11)
        var killed = 0, outcomes: [String: Int] = [:], partials: [String: Int] = [:]
        try FileManager.default.createDirectory(atPath: path("store"), withIntermediateDirectories: true)
        var i = -1
        while killed < Self.kills && i < Self.kills + 10 {
            i += 1
            // Every other kill finds the previous complete store of the same scenario in place.
            let hadPrevious = i % 2 == 1
            // Each attempt's check sees only its own leftovers; the last one's stay for the rerun below.
            for name in files(in: path("store")) where name != "demo.sqlite" { try FileManager.default.removeItem(atPath: path("store/" + name)) }
            try? FileManager.default.removeItem(atPath: out)
            if hadPrevious { try FileManager.default.copyItem(atPath: previous, toPath: out) }
            let d = moments.next(i, span: r.seconds)
            let k = try launch(command, killAfter: d)
            let label = "kill \(i) after \(String(format: "%.3f", d)) s\(hadPrevious ? " (previous store in place)" : "")"
            if k.killed { killed += 1 } else { XCTAssertEqual(k.status, 0, "\(label): came after the end and the run failed") }

            if let got = FileManager.default.contents(atPath: out) {
                if got == previousBytes && hadPrevious {
                    outcomes["previous store unchanged", default: 0] += 1
                } else {
                    XCTAssertEqual(try contents(out), reference, "\(label): the destination is neither the previous store nor complete")
                    outcomes["new complete store", default: 0] += 1
                }
            } else {
                XCTAssertFalse(hadPrevious, "\(label): the previous store was removed")
                outcomes["no store", default: 0] += 1
            }

            for name in files(in: path("store")) where name != "demo.sqlite" {
                XCTAssertTrue(matches(name, #"^\.demo\.sqlite\.partial-[0-9]+(-journal)?$"#), "\(label): stray file \(name)")
                guard !name.hasSuffix("-journal") else { partials["journal beside a partial", default: 0] += 1; continue }
                XCTAssertTrue(k.killed, "\(label): a run that finished left \(name)")
                let held = try checkPartial(path("store/" + name), reference: reference, label)
                partials[held.map { "partial with \($0) replication(s)" } ?? "partial with nothing committed", default: 0] += 1
            }
        }
        XCTAssertEqual(killed, Self.kills, "\(Self.kills) processes killed")

        // The same command again finishes cleanly and stores what an uninterrupted run stores.
        let leftovers = files(in: path("store")).filter { $0 != "demo.sqlite" }
        let again = try run(command)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("6 of 6 replications, complete"), again.stdout)
        XCTAssertEqual(try contents(out), reference, "the rerun's store equals the uninterrupted run's")
        let after = files(in: path("store")).filter { $0 != "demo.sqlite" }
        // Not asserted: today the rerun neither resumes nor removes a dead process's partial store
        // (`after == leftovers`); a later change that cleans them up should not fail this test.
        for name in after { XCTAssertTrue(leftovers.contains(name), "the rerun left \(name)") }
        print("run: \(killed) of \(i + 1) attempts killed over \(String(format: "%.2f", r.seconds)) s; destination: \(outcomes); left beside it: \(partials); still there after the rerun: \(after)")
    }
}
