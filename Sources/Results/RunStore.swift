import Foundation
import Policy
import Simulation
import Statistics

/// The SQLite run store: one file per run, its schema documented in the README ("Run store").
///
/// The file is built beside its destination under a temporary name and renamed over it when the
/// run ends (completed or interrupted), so the destination always holds either the previous run or
/// this one. Inside, each replication is written in one transaction together with the run's
/// progress, so a crash leaves every finished replication and a consistent `run` row.
public final class RunStore {
    public let path: String
    public let temporaryPath: String
    let db: Database
    let subgroupCount: Int

    /// Bumped when the schema changes; readers check it.
    public static let schemaVersion = 2

    static let schema = """
    CREATE TABLE run (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      schema_version INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('run', 'sweep')),
      scenario TEXT NOT NULL, title TEXT NOT NULL, scenario_file TEXT NOT NULL, scenario_text TEXT NOT NULL,
      calibration_file TEXT NOT NULL, year INTEGER NOT NULL, members INTEGER NOT NULL, seed INTEGER NOT NULL,
      replications_planned INTEGER NOT NULL, replications_done INTEGER NOT NULL, threads INTEGER NOT NULL,
      code_version TEXT NOT NULL, command TEXT NOT NULL,
      started_at TEXT NOT NULL, finished_at TEXT, seconds REAL,
      status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'interrupted')),
      budget_fen INTEGER, budget_benefits TEXT, budget_source TEXT,
      burden_thresholds_fen TEXT NOT NULL, income_share_bp INTEGER NOT NULL,
      shard_index INTEGER NOT NULL, shard_count INTEGER NOT NULL, shard_replications INTEGER NOT NULL);
    CREATE TABLE files (path TEXT NOT NULL, role TEXT NOT NULL, sha256 TEXT NOT NULL, bytes INTEGER NOT NULL,
      PRIMARY KEY (path, role));
    CREATE TABLE variants (variant_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT,
      is_baseline INTEGER NOT NULL, policy_id TEXT NOT NULL, policy_file TEXT NOT NULL, reforms TEXT NOT NULL);
    CREATE TABLE parameter_differences (variant_id INTEGER NOT NULL REFERENCES variants, path TEXT NOT NULL,
      baseline_value TEXT, variant_value TEXT, citation TEXT NOT NULL, changed_by TEXT);
    CREATE TABLE sweep_points (variant_id INTEGER NOT NULL REFERENCES variants, parameter TEXT NOT NULL,
      value REAL NOT NULL, PRIMARY KEY (variant_id, parameter));
    CREATE TABLE subgroups (subgroup_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE replications (replication INTEGER NOT NULL, variant_id INTEGER NOT NULL REFERENCES variants,
      members INTEGER NOT NULL, visits INTEGER NOT NULL, cost_fen INTEGER NOT NULL, compliant_fen INTEGER NOT NULL,
      fund_fen INTEGER NOT NULL, fund_ordinary_fen INTEGER NOT NULL, fund_chronic_fen INTEGER NOT NULL,
      fund_special_fen INTEGER NOT NULL, fund_emergency_fen INTEGER NOT NULL, fund_day_surgery_fen INTEGER NOT NULL,
      fund_inpatient_fen INTEGER NOT NULL, large_fen INTEGER NOT NULL, budget_outlay_fen INTEGER NOT NULL,
      credit_fen INTEGER NOT NULL, burden_fen INTEGER NOT NULL, cash_fen INTEGER NOT NULL, account_paid_fen INTEGER NOT NULL,
      cap_hit_members INTEGER NOT NULL, ordinary_paid_members INTEGER NOT NULL, seconds REAL NOT NULL,
      PRIMARY KEY (replication, variant_id));
    CREATE TABLE member_statistics (replication INTEGER NOT NULL, variant_id INTEGER NOT NULL REFERENCES variants,
      subgroup_id INTEGER NOT NULL REFERENCES subgroups, members INTEGER NOT NULL, mean_burden_fen REAL,
      p50_burden_fen REAL, p90_burden_fen REAL, p95_burden_fen REAL, p99_burden_fen REAL,
      income_known INTEGER NOT NULL, above_income_share INTEGER NOT NULL, cap_hit INTEGER NOT NULL,
      ordinary_paid INTEGER NOT NULL, mean_credit_fen REAL, PRIMARY KEY (replication, variant_id, subgroup_id));
    CREATE TABLE burden_thresholds (replication INTEGER NOT NULL, variant_id INTEGER NOT NULL REFERENCES variants,
      subgroup_id INTEGER NOT NULL REFERENCES subgroups, threshold_fen INTEGER NOT NULL, members_above INTEGER NOT NULL,
      PRIMARY KEY (replication, variant_id, subgroup_id, threshold_fen));
    CREATE TABLE net_changes (replication INTEGER NOT NULL, variant_id INTEGER NOT NULL REFERENCES variants,
      subgroup_id INTEGER NOT NULL REFERENCES subgroups, members INTEGER NOT NULL, winners INTEGER NOT NULL,
      losers INTEGER NOT NULL, unchanged INTEGER NOT NULL, gain_fen INTEGER NOT NULL, loss_fen INTEGER NOT NULL,
      p10_fen REAL, p50_fen REAL, p90_fen REAL, PRIMARY KEY (replication, variant_id, subgroup_id));
    CREATE TABLE histogram_bins (bin INTEGER PRIMARY KEY, low_yuan REAL NOT NULL, high_yuan REAL NOT NULL);
    CREATE TABLE burden_histogram (replication INTEGER NOT NULL, variant_id INTEGER NOT NULL REFERENCES variants,
      bin INTEGER NOT NULL REFERENCES histogram_bins, members INTEGER NOT NULL, PRIMARY KEY (replication, variant_id, bin));
    CREATE TABLE members (replication INTEGER NOT NULL, member INTEGER NOT NULL, variant_id INTEGER NOT NULL REFERENCES variants,
      status TEXT NOT NULL, age_band INTEGER NOT NULL, income_fen INTEGER, visits INTEGER NOT NULL,
      burden_fen INTEGER NOT NULL, credit_fen INTEGER NOT NULL, fund_fen INTEGER NOT NULL,
      cap_hit INTEGER NOT NULL, ordinary_paid INTEGER NOT NULL, PRIMARY KEY (replication, member, variant_id));
    CREATE TABLE summary (variant_id INTEGER NOT NULL REFERENCES variants, metric TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('level', 'delta')), n INTEGER NOT NULL, mean REAL, sd REAL,
      ci_low REAL, ci_high REAL, p5 REAL, p50 REAL, p95 REAL, p99 REAL, PRIMARY KEY (variant_id, metric, kind));
    CREATE TABLE member_summary (variant_id INTEGER NOT NULL REFERENCES variants, subgroup_id INTEGER NOT NULL REFERENCES subgroups,
      metric TEXT NOT NULL, n INTEGER NOT NULL, mean REAL, sd REAL, PRIMARY KEY (variant_id, subgroup_id, metric));
    CREATE TABLE fund_sizing (variant_id INTEGER PRIMARY KEY REFERENCES variants, replications INTEGER NOT NULL,
      need95_fen REAL, need99_fen REAL, normal95_fen REAL, normal99_fen REAL, budget_fen INTEGER,
      overrun_replications INTEGER, overrun_share REAL, overrun_low REAL, overrun_high REAL);
    """

    /// Creates the store for a run of `experiment` under a temporary name beside `path`.
    public init(path: String, experiment x: Experiment, kind: String, threads: Int, command: String, shard: Shard = .whole,
                sweep: [[(parameter: String, value: Double)]] = []) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        temporaryPath = Self.temporaryPath(for: url)
        try? FileManager.default.removeItem(atPath: temporaryPath)
        Self.removeAbandonedPartials(beside: url)
        db = try Database(path: temporaryPath)
        let names = x.subgroupNames
        subgroupCount = names.count
        do {
            try create(x, kind: kind, threads: threads, command: command, shard: shard, sweep: sweep, names: names)
        } catch {
            abandon()
            throw error
        }
    }

    func create(_ x: Experiment, kind: String, threads: Int, command: String, shard: Shard,
                sweep: [[(parameter: String, value: Double)]], names: [String]) throws {
        let s = x.scenario
        try db.transaction {
            try db.execute(Self.schema)
            try db.run("""
                INSERT INTO run VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, NULL, NULL, 'running', ?, ?, ?, ?, ?, ?, ?, ?)
                """, [.integer(Int64(Self.schemaVersion)), .text(kind), .text(s.name), .text(s.title), .text(s.file), .text(s.text),
                      .text(s.calibration), .integer(Int64(x.model.calibration.year)), .integer(Int64(s.members)),
                      .integer(Int64(bitPattern: s.seed)), .integer(Int64(s.replications)), .integer(Int64(threads)),
                      .text(Self.codeVersion), .text(command), .text(Self.timestamp()),
                      s.budget.map { .integer($0.amountFen) } ?? .null,
                      s.budget.map { .text($0.benefits.map(\.name).joined(separator: ",")) } ?? .null,
                      s.budget?.source.map { .text($0) } ?? .null,
                      .text(s.outputs.burdenThresholdsFen.map(String.init).joined(separator: ",")),
                      .integer(Int64(s.outputs.incomeShareBp)), .integer(Int64(shard.index)), .integer(Int64(shard.count)),
                      .integer(Int64(shard.replications(of: s.replications).count))])
            var files: [(String, String)] = [(s.file, "scenario"), (s.calibration, "calibration")]
            // A fitted calibration is an overlay on a base file (`base:`); the population depends on both.
            if x.model.calibration.file != s.calibration { files.append((x.model.calibration.file, "calibration")) }
            for v in x.variants {
                files.append((v.files[0], "policy"))
                for f in v.files.dropFirst() { files.append((f, "reform")) }
            }
            var seen = Set<String>()
            for (f, role) in files where seen.insert(f + "\u{0}" + role).inserted {
                // Every file was read moments ago to build the experiment; one that cannot be read
                // now has changed under the run, and its hash would record nothing.
                guard let bytes = try? Data(contentsOf: URL(fileURLWithPath: f)) else {
                    throw SQLiteError(path: f, code: 0, message: "cannot read the file to record its hash")
                }
                try db.run("INSERT INTO files VALUES (?, ?, ?, ?)",
                           [.text(f), .text(role), .text(SHA256.hex(bytes)), .integer(Int64(bytes.count))])
            }
            for (i, v) in x.variants.enumerated() {
                try db.run("INSERT INTO variants VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [.integer(Int64(i)), .text(v.name), v.description.map { .text($0) } ?? .null,
                            .integer(i == 0 ? 1 : 0), .text(v.policy.id), .text(v.files[0]),
                            .text(v.policy.reforms.joined(separator: ", "))])
                if i > 0 {
                    for d in x.differences(i) {
                        try db.run("INSERT INTO parameter_differences VALUES (?, ?, ?, ?, ?, ?)",
                                   [.integer(Int64(i)), .text(d.path), d.baseline.map { .text($0) } ?? .null,
                                    d.variant.map { .text($0) } ?? .null, .text(d.citation), d.changedBy.map { .text($0) } ?? .null])
                    }
                }
            }
            for (i, point) in sweep.enumerated() {
                for p in point {
                    try db.run("INSERT INTO sweep_points VALUES (?, ?, ?)", [.integer(Int64(i)), .text(p.parameter), .real(p.value)])
                }
            }
            for (i, n) in names.enumerated() {
                try db.run("INSERT INTO subgroups VALUES (?, ?)", [.integer(Int64(i)), .text(n)])
            }
            let edges = ReplicationResult.burdenEdges
            for b in 0..<(edges.count - 1) {
                try db.run("INSERT INTO histogram_bins VALUES (?, ?, ?)", [.integer(Int64(b)), .real(edges[b]), .real(edges[b + 1])])
            }
        }
    }

    /// `.NAME.partial-PID` beside the destination: where a store is built before it takes its name
    /// (also by `RunMerge`), and what `removeAbandonedPartials` recognises.
    static func temporaryPath(for url: URL) -> String {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
    }

    /// Removes `.NAME.partial-PID` files (and their journals) of earlier runs to this destination
    /// whose process no longer exists: what a SIGKILL leaves behind. Runs still going are left alone.
    static func removeAbandonedPartials(beside url: URL) {
        let dir = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent).partial-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.isEmpty ? "." : dir) else { return }
        for name in names where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(pidText), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: (dir.isEmpty ? "." : dir) + "/" + name)
        }
    }

    /// The program's version and, when run from a git checkout, its commit (with "+dirty" when the
    /// work tree differs): part of what a run is a function of.
    public static let codeVersion: String = {
        var v = "poolsim 0.4"
        // The source tree this binary was built from (not the current folder, which may be another
        // repository or none): Sources/Results/RunStore.swift → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        if let commit = git(["-C", root, "rev-parse", "--short=12", "HEAD"]) {
            v += " (\(commit)\(git(["-C", root, "status", "--porcelain", "--untracked-files=no", "--", "Sources", "Package.swift"])?.isEmpty == false ? "+dirty" : ""))"
        }
        return v
    }()

    static func git(_ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return nil }
        return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: Date())
    }

    /// Writes one finished replication (and the members table when the scenario asks for it) in
    /// one transaction with the run's progress.
    public func write(_ r: ReplicationResult, members cols: MemberColumns, experiment x: Experiment) throws {
        let budget = x.scenario.budget.map { $0.benefits.map { Int($0.rawValue) } } ?? []
        try db.transaction {
            let rep = Int64(r.replication)
            let ins = try db.prepare("INSERT INTO replications VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for (v, t) in r.totals.enumerated() {
                try ins.execute([.integer(rep), .integer(Int64(v)), .integer(r.population.members), .integer(r.population.visits),
                                 .integer(r.population.costFen), .integer(r.population.compliantFen), .integer(t.fundFen)]
                                + t.fundByBenefit.map { .integer($0) }
                                + [.integer(t.largeFen), .integer(t.fundFen(benefits: budget)), .integer(t.creditFen),
                                   .integer(t.burdenFen), .integer(t.cashFen), .integer(t.accountPaidFen),
                                   .integer(t.capHitMembers), .integer(t.ordinaryPaidMembers), .real(r.seconds)])
            }
            let ms = try db.prepare("INSERT INTO member_statistics VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            let th = try db.prepare("INSERT INTO burden_thresholds VALUES (?, ?, ?, ?, ?)")
            for (v, groups) in r.memberStatistics.enumerated() {
                for (g, s) in groups.enumerated() {
                    try ms.execute([.integer(rep), .integer(Int64(v)), .integer(Int64(g)), .integer(Int64(s.members)),
                                    Self.real(s.meanBurdenFen)] + s.burdenQuantilesFen.map(Self.real)
                                   + [.integer(Int64(s.incomeKnown)), .integer(Int64(s.aboveIncomeShare)), .integer(Int64(s.capHit)),
                                      .integer(Int64(s.ordinaryPaid)), Self.real(s.meanCreditFen)])
                    for (k, t) in x.scenario.outputs.burdenThresholdsFen.enumerated() {
                        try th.execute([.integer(rep), .integer(Int64(v)), .integer(Int64(g)), .integer(t), .integer(Int64(s.aboveThreshold[k]))])
                    }
                }
            }
            let nc = try db.prepare("INSERT INTO net_changes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for (v, groups) in r.netChanges.enumerated() {
                for (g, c) in groups.enumerated() {
                    try nc.execute([.integer(rep), .integer(Int64(v)), .integer(Int64(g)), .integer(Int64(c.members)),
                                    .integer(Int64(c.winners)), .integer(Int64(c.losers)), .integer(Int64(c.unchanged)),
                                    .integer(c.gainFen), .integer(c.lossFen)] + c.quantilesFen.map(Self.real))
                }
            }
            let h = try db.prepare("INSERT INTO burden_histogram VALUES (?, ?, ?, ?)")
            for (v, counts) in r.burdenHistogram.enumerated() {
                for (b, c) in counts.enumerated() where c > 0 {
                    try h.execute([.integer(rep), .integer(Int64(v)), .integer(Int64(b)), .integer(Int64(c))])
                }
            }
            if x.scenario.outputs.memberTableReplication == r.replication { try writeMembers(r.replication, cols) }
            try db.run("UPDATE run SET replications_done = replications_done + 1", [])
        }
    }

    func writeMembers(_ replication: Int, _ c: MemberColumns) throws {
        let st = try db.prepare("INSERT INTO members VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        let statusNames = Status.allCases.map(\.name)
        for m in 0..<c.count {
            for v in 0..<c.variants {
                try st.bind(1, Int64(replication)); try st.bind(2, Int64(m)); try st.bind(3, Int64(v))
                try st.bind(4, statusNames[Int(c.status[m])]); try st.bind(5, Int64(c.band[m]))
                if c.incomeFen[m] >= 0 { try st.bind(6, c.incomeFen[m]) } else { try st.bindNull(6) }
                try st.bind(7, Int64(c.visits[m])); try st.bind(8, c.burden(v, m)); try st.bind(9, c.credit(v, m))
                try st.bind(10, c.fund(v, m))
                try st.bind(11, Int64(c.flag(v, m) & MemberColumns.capHit != 0 ? 1 : 0))
                try st.bind(12, Int64(c.flag(v, m) & MemberColumns.ordinaryPaid != 0 ? 1 : 0))
                _ = try st.step()
                try st.reset()
            }
        }
    }

    static func real(_ x: Double) -> SQLValue { x.isNaN ? .null : .real(x) }

    /// Computes the summaries from the stored replication rows, marks the run complete or
    /// interrupted, closes the file and moves it to `path`.
    public func finish(complete: Bool, seconds: Double, budgetFen: Int64?) throws {
        try db.transaction {
            try RunSummaries.write(db, budgetFen: budgetFen)
            try db.run("UPDATE run SET status = ?, finished_at = ?, seconds = ?",
                       [.text(complete ? "complete" : "interrupted"), .text(Self.timestamp()), .real(seconds)])
        }
        db.close()
        guard rename(temporaryPath, path) == 0 else {
            throw SQLiteError(path: path, code: 0, message: "cannot move \(temporaryPath) into place: \(String(cString: strerror(errno)))")
        }
    }

    /// Leaves no temporary file behind after a failure before `finish`.
    public func abandon() {
        db.close()
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }
}
