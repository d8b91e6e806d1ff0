import Foundation

/// Joins the stores of a sharded run (`poolsim run --shard I/N`) into the store the unsharded run
/// would have written: the per-replication rows of every shard, then the summaries recomputed
/// from them by the same code in the same replication order, so every summary is identical to
/// the single-machine run's (quantiles across replications are never merged from parts).
public enum RunMerge {
    public struct MergeError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Per-replication tables, copied shard by shard.
    static let replicationTables = ["replications", "member_statistics", "burden_thresholds", "net_changes",
                                    "burden_histogram", "members"]
    /// What every shard of one run must agree on, from its `run` row.
    static let sameRun = ["schema_version", "kind", "scenario", "scenario_text", "calibration_file", "year", "members",
                          "seed", "replications_planned", "code_version", "budget_fen", "budget_benefits",
                          "burden_thresholds_fen", "income_share_bp", "shard_count"]
    /// Tables every shard holds whole and identical.
    static let sharedTables = ["files", "variants", "parameter_differences", "sweep_points", "subgroups", "histogram_bins"]

    /// Checks that `shards` are all the shards of one complete run and writes the merged store to
    /// `path` (under a temporary name, renamed when complete). Returns the merged replication count.
    @discardableResult
    public static func merge(_ shards: [String], to path: String) throws -> Int {
        guard !shards.isEmpty else { throw MergeError(message: "no shard stores given") }
        var runs: [[String: SQLValue]] = []
        var tables: [[String: [[SQLValue]]]] = []
        for file in shards {
            let db = try Database(path: file, create: false, readOnly: true)
            defer { db.close() }
            guard try db.tableNames().contains("run"),
                  try db.scalar("SELECT schema_version FROM run")?.int == Int64(RunStore.schemaVersion) else {
                throw MergeError(message: "\(file): not a PoolSim run store of schema version \(RunStore.schemaVersion)")
            }
            let q = try db.query("SELECT * FROM run")
            runs.append(Dictionary(uniqueKeysWithValues: zip(q.columns, q.rows[0])))
            var t: [String: [[SQLValue]]] = [:]
            for name in sharedTables { t[name] = try db.query("SELECT * FROM \(name) ORDER BY 1, 2").rows }
            tables.append(t)
        }
        let first = runs[0]
        for (i, r) in runs.enumerated().dropFirst() {
            for key in sameRun where r[key] != first[key] {
                throw MergeError(message: "\(shards[i]) and \(shards[0]) are not shards of one run: their \(key) differs")
            }
            for name in sharedTables where tables[i][name]! != tables[0][name]! {
                throw MergeError(message: "\(shards[i]) and \(shards[0]) are not shards of one run: their \(name) tables differ")
            }
        }
        let count = Int(first["shard_count"]!.int)
        var seen: [Int: String] = [:]
        for (i, r) in runs.enumerated() {
            let index = Int(r["shard_index"]!.int)
            if let other = seen[index] { throw MergeError(message: "shard \(index)/\(count) given twice: \(other) and \(shards[i])") }
            seen[index] = shards[i]
            guard r["status"]?.text == "complete" else {
                throw MergeError(message: "\(shards[i]): shard \(index)/\(count) is \(r["status"]?.text ?? "?"), not complete: rerun it")
            }
        }
        let missing = (0..<count).filter { seen[$0] == nil }
        guard missing.isEmpty else {
            throw MergeError(message: "shards missing: \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) (given \(shards.count) of \(count))")
        }

        let url = URL(fileURLWithPath: path)
        let temporary = RunStore.temporaryPath(for: url)
        try? FileManager.default.removeItem(atPath: temporary)
        do {
            // The store of shard 0 carries the shared tables; every shard's replications are added to it.
            let base = seen[0]!
            try FileManager.default.copyItem(atPath: base, toPath: temporary)
            let db = try Database(path: temporary)
            defer { db.close() }
            // Shard by shard (SQLite cannot detach inside a transaction); the whole file is still
            // all or nothing, since it only takes the destination's name once complete.
            try db.transaction { for t in replicationTables { try db.execute("DELETE FROM \(t)") } }
            for index in 0..<count {
                try db.run("ATTACH DATABASE ? AS shard", [.text(seen[index]!)])
                try db.transaction {
                    for t in replicationTables { try db.execute("INSERT INTO main.\(t) SELECT * FROM shard.\(t)") }
                }
                try db.execute("DETACH DATABASE shard")
            }
            try db.transaction {
                let planned = first["replications_planned"]!.int
                let done = try db.scalar("SELECT COUNT(DISTINCT replication) FROM replications")?.int ?? 0
                guard done == planned else {
                    throw MergeError(message: "the shards hold \(done) replications, the run plans \(planned)")
                }
                try RunSummaries.write(db, budgetFen: first["budget_fen"].flatMap { $0 == .null ? nil : $0.int })
                let started = runs.compactMap { $0["started_at"]?.text }.min() ?? ""
                let finished = runs.compactMap { $0["finished_at"]?.text }.max() ?? ""
                let seconds = runs.compactMap { $0["seconds"]?.double }.max() ?? 0
                try db.run("""
                    UPDATE run SET replications_done = ?, shard_index = 0, shard_count = 1, shard_replications = ?,
                      started_at = ?, finished_at = ?, seconds = ?, status = 'complete',
                      command = ?, threads = ?
                    """, [.integer(done), .integer(done), .text(started), .text(finished), .real(seconds),
                          .text("poolsim merge " + shards.joined(separator: " ")),
                          .integer(runs.map { $0["threads"]?.int ?? 0 }.max() ?? 0)])
            }
            db.close()
            guard rename(temporary, path) == 0 else {
                throw MergeError(message: "cannot move \(temporary) to \(path): \(String(cString: strerror(errno)))")
            }
            return Int(first["replications_planned"]!.int)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
