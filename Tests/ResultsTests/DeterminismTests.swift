import Foundation
import Results
import Simulation
import XCTest

/// A run's results do not depend on the number of threads or on being run again: every stored row
/// is the same with 1, 2, 3 and 8 threads and in a repeated run, timing and the thread count aside.
final class DeterminismTests: ScratchTestCase {
    static let tables = ["variants", "parameter_differences", "subgroups", "files", "histogram_bins", "replications",
                         "member_statistics", "burden_thresholds", "net_changes", "burden_histogram", "members",
                         "summary", "member_summary", "fund_sizing"]
    static let timing: Set<String> = ["seconds", "started_at", "finished_at", "threads", "command"]

    func testSameRowsForAnyThreadCount() throws {
        let text = scenario(members: 4000, replications: 2, seed: 99, reforms: """
              - name: cap-2000
                set: {ordinary.annual_cap: 2000}
              - name: tieling
                policy: \(Repo.policy("tieling"))

            """, extra: "budget: {value: 900000, unit: yuan, benefits: [ordinary]}\noutputs:\n  member_table: 1\n")
        let x = try Experiment(try Scenario.parse(text, file: try write("test.yaml", text)))
        var stores: [Database] = []
        // 1, 2, 3 (splits the 4 blocks unevenly), 8 (more threads than blocks), and 1 again (a repeated run).
        for (k, threads) in [1, 2, 3, 8, 1].enumerated() {
            let out = path("t\(k)-\(threads).sqlite")
            XCTAssertTrue(try RunRecorder.record(x, to: out, threads: threads, command: "test"))
            stores.append(try Database(path: out, create: false, readOnly: true))
        }
        XCTAssertEqual(try stores[2].int("SELECT threads FROM run"), 3)
        XCTAssertEqual(try stores[0].int("SELECT count(*) FROM members"), 4000 * 3, "member table of replication 1, three variants")
        XCTAssertEqual(try stores[0].int("SELECT count(*) FROM replications"), 2 * 3)
        for table in Self.tables {
            let one = try stores[0].rows(table, except: Self.timing)
            XCTAssertFalse(one.isEmpty, "\(table) has rows")
            for s in 1..<stores.count {
                let other = try stores[s].rows(table, except: Self.timing)
                XCTAssertEqual(other.count, one.count, "\(table) rows, store \(s)")
                XCTAssertTrue(other == one, "\(table) differs in store \(s): first difference \(zip(one, other).first { $0 != $1 }.map { "\($0)\n vs \($1)" } ?? "")")
            }
        }
        let run = try stores[0].rows("run", except: Self.timing)
        XCTAssertEqual(try stores[1].rows("run", except: Self.timing), run)
        XCTAssertEqual(try stores[2].rows("run", except: Self.timing), run)
    }
}
