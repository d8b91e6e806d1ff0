import Foundation
import Results
import Simulation
import XCTest

/// A run in shards, merged, is the unsharded run: every stored row equal (timing and the command
/// aside), with summaries recomputed from the joined replications; stores that are not every
/// complete shard of one run are refused.
final class RunMergeTests: ScratchTestCase {
    func experiment(seed: Int = 5) throws -> Experiment {
        let text = scenario(members: 2500, replications: 5, seed: seed, reforms: """
              - name: cap-2000
                set: {ordinary.annual_cap: 2000}

            """, extra: "budget: {value: 900000, unit: yuan, benefits: [ordinary]}\noutputs:\n  member_table: 3\n")
        return try Experiment(try Scenario.parse(text, file: try write("s\(seed).yaml", text)))
    }

    func shards(_ x: Experiment, _ n: Int, prefix: String = "shard") throws -> [String] {
        try (0..<n).map { i in
            let out = path("\(prefix)-\(i).sqlite")
            XCTAssertTrue(try RunRecorder.record(x, to: out, threads: 2, command: "test", shard: Shard(index: i, count: n)))
            return out
        }
    }

    func testShardsMergeIntoTheUnshardedRun() throws {
        let x = try experiment()
        XCTAssertEqual(Shard(index: 1, count: 3).replications(of: 5), [1, 4])
        XCTAssertNil(Shard("3/3"))
        XCTAssertEqual(Shard("2/3"), Shard(index: 2, count: 3))
        let single = path("single.sqlite")
        XCTAssertTrue(try RunRecorder.record(x, to: single, threads: 1, command: "test"))
        let parts = try shards(x, 3)
        let shard1 = try Database(path: parts[1], create: false, readOnly: true)
        XCTAssertEqual(try shard1.int("SELECT count(DISTINCT replication) FROM replications"), 2, "replications 1 and 4")
        shard1.close()
        let merged = path("run.sqlite")
        XCTAssertEqual(try RunMerge.merge(parts.reversed(), to: merged), 5)
        let a = try Database(path: single, create: false, readOnly: true), b = try Database(path: merged, create: false, readOnly: true)
        let timing: Set<String> = ["seconds", "started_at", "finished_at", "threads", "command"]
        for table in DeterminismTests.tables + ["run", "sweep_points"] {
            let one = try a.rows(table, except: timing), other = try b.rows(table, except: timing)
            XCTAssertEqual(one.count, other.count, table)
            XCTAssertTrue(one == other, "\(table) differs: \(zip(one, other).first { $0 != $1 }.map { "\($0)\n vs \($1)" } ?? "")")
        }
        XCTAssertEqual(try b.int("SELECT count(*) FROM members"), 2500 * 2, "the member table of replication 3, from shard 0")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path(".run.sqlite.partial-\(getpid())")))
    }

    func testRefusesWhatIsNotEveryCompleteShardOfOneRun() throws {
        let x = try experiment()
        let parts = try shards(x, 3)
        func refused(_ files: [String], _ words: String, file: StaticString = #filePath, line: UInt = #line) {
            let out = path("bad.sqlite")
            XCTAssertThrowsError(try RunMerge.merge(files, to: out), file: file, line: line) { e in
                XCTAssertTrue("\(e)".contains(words), "\(e)", file: file, line: line)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), file: file, line: line)
        }
        refused([parts[0], parts[2]], "shards missing: 1/3")
        refused([parts[0], parts[1], parts[1], parts[2]], "shard 1/3 given twice")
        let other = try shards(try experiment(seed: 6), 3, prefix: "other")
        refused([parts[0], other[1], parts[2]], "not shards of one run: their scenario_text differs")
        let single = path("single.sqlite")
        XCTAssertTrue(try RunRecorder.record(x, to: single, threads: 1, command: "test"))
        refused([parts[0], single], "their shard_count differs")
        // An interrupted shard is not merged.
        let stop = StopFlag()
        let cut = path("cut-1.sqlite")
        XCTAssertFalse(try RunRecorder.record(x, to: cut, threads: 1, command: "test", shard: Shard(index: 1, count: 3), stop: stop,
                                               afterReplication: { _ in stop.raise() }))
        refused([parts[0], cut, parts[2]], "shard 1/3 is interrupted, not complete")
    }
}
