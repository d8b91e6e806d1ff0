import Statistics

/// Summaries across replications, computed from the stored rows only (never from in-memory
/// state), so that the `summary`, `member_summary` and `fund_sizing` tables can be recomputed by
/// anyone from `replications`, `member_statistics`, `burden_thresholds` and `net_changes`.
public enum RunSummaries {
    /// Replication-level figures: name → SQL expression over a `replications` row.
    public static let metrics: [(name: String, sql: String)] = [
        ("fund_fen", "fund_fen"),
        ("fund_per_member_fen", "CAST(fund_fen AS REAL) / members"),
        ("fund_ordinary_fen", "fund_ordinary_fen"),
        ("fund_chronic_fen", "fund_chronic_fen"),
        ("fund_special_fen", "fund_special_fen"),
        ("fund_emergency_fen", "fund_emergency_fen"),
        ("fund_day_surgery_fen", "fund_day_surgery_fen"),
        ("fund_inpatient_fen", "fund_inpatient_fen"),
        ("large_fen", "large_fen"),
        ("budget_outlay_fen", "budget_outlay_fen"),
        ("credit_fen", "credit_fen"),
        ("fund_and_credit_fen", "fund_fen + credit_fen"),
        ("burden_fen", "burden_fen"),
        ("burden_per_member_fen", "CAST(burden_fen AS REAL) / members"),
        ("cash_fen", "cash_fen"),
        ("account_paid_fen", "account_paid_fen"),
        ("cap_hit_share", "CAST(cap_hit_members AS REAL) / members"),
        ("ordinary_paid_share", "CAST(ordinary_paid_members AS REAL) / members"),
    ]

    /// Member-level figures averaged over replications: name → SQL expression over a
    /// `member_statistics` row.
    public static let memberMetrics: [(name: String, sql: String)] = [
        ("mean_burden_fen", "mean_burden_fen"),
        ("p50_burden_fen", "p50_burden_fen"),
        ("p90_burden_fen", "p90_burden_fen"),
        ("p95_burden_fen", "p95_burden_fen"),
        ("p99_burden_fen", "p99_burden_fen"),
        ("above_income_share", "CAST(above_income_share AS REAL) / NULLIF(income_known, 0)"),
        ("cap_hit_share", "CAST(cap_hit AS REAL) / NULLIF(members, 0)"),
        ("ordinary_paid_share", "CAST(ordinary_paid AS REAL) / NULLIF(members, 0)"),
        ("mean_credit_fen", "mean_credit_fen"),
    ]

    /// Winners and losers: name → SQL expression over a `net_changes` row.
    public static let changeMetrics: [(name: String, sql: String)] = [
        ("winners_share", "CAST(winners AS REAL) / NULLIF(members, 0)"),
        ("losers_share", "CAST(losers AS REAL) / NULLIF(members, 0)"),
        ("mean_gain_fen", "CAST(gain_fen AS REAL) / NULLIF(winners, 0)"),
        ("mean_loss_fen", "CAST(loss_fen AS REAL) / NULLIF(losers, 0)"),
        ("mean_change_fen", "CAST(loss_fen - gain_fen AS REAL) / NULLIF(members, 0)"),
        ("p10_change_fen", "p10_fen"),
        ("p50_change_fen", "p50_fen"),
        ("p90_change_fen", "p90_fen"),
    ]

    static func write(_ db: Database, budgetFen: Int64?) throws {
        for t in ["summary", "member_summary", "fund_sizing"] { try db.execute("DELETE FROM \(t)") }
        let variants = try db.query("SELECT variant_id FROM variants ORDER BY variant_id").rows.map { $0[0].int }
        let insert = try db.prepare("INSERT INTO summary VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        for v in variants {
            for (name, sql) in metrics {
                let level = try column(db, "SELECT \(sql) FROM replications WHERE variant_id = ? ORDER BY replication", [.integer(v)])
                try insert.execute(row(v, name, "level", level))
                if v != 0 {
                    let paired = try column(db, """
                        SELECT a.x - b.x FROM (SELECT replication, \(sql) AS x FROM replications WHERE variant_id = ?) a
                        JOIN (SELECT replication, \(sql) AS x FROM replications WHERE variant_id = 0) b USING (replication)
                        ORDER BY replication
                        """, [.integer(v)])
                    try insert.execute(row(v, name, "delta", paired))
                }
            }
            let outlay = try column(db, "SELECT budget_outlay_fen FROM replications WHERE variant_id = ? ORDER BY replication", [.integer(v)])
            if !outlay.isEmpty {
                let f = FundSizing(outlays: outlay, budget: budgetFen.map(Double.init))
                try db.run("INSERT INTO fund_sizing VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           [.integer(v), .integer(Int64(outlay.count)), real(f.empirical95), real(f.empirical99),
                            real(f.normal95), real(f.normal99), budgetFen.map { .integer($0) } ?? .null,
                            f.overrun.map { .integer(Int64($0.count)) } ?? .null, f.overrun.map { real($0.value) } ?? .null,
                            f.overrun.map { real($0.low) } ?? .null, f.overrun.map { real($0.high) } ?? .null])
            }
        }
        let member = try db.prepare("INSERT INTO member_summary VALUES (?, ?, ?, ?, ?, ?)")
        let groups = try db.query("SELECT subgroup_id FROM subgroups ORDER BY subgroup_id").rows.map { $0[0].int }
        for v in variants {
            for g in groups {
                let key: [SQLValue] = [.integer(v), .integer(g)]
                for (name, sql) in memberMetrics {
                    let x = try column(db, "SELECT \(sql) FROM member_statistics WHERE variant_id = ? AND subgroup_id = ? ORDER BY replication", key)
                    try member.execute(key + [.text(name), .integer(Int64(x.count)), real(Describe.mean(x)), real(Describe.sd(x))])
                }
                let thresholds = try db.query("SELECT DISTINCT threshold_fen FROM burden_thresholds ORDER BY threshold_fen").rows.map { $0[0].int }
                for t in thresholds {
                    let x = try column(db, """
                        SELECT CAST(t.members_above AS REAL) / NULLIF(s.members, 0) FROM burden_thresholds t
                        JOIN member_statistics s USING (replication, variant_id, subgroup_id)
                        WHERE t.variant_id = ? AND t.subgroup_id = ? AND t.threshold_fen = ? ORDER BY replication
                        """, key + [.integer(t)])
                    try member.execute(key + [.text("above_\(t)_fen_share"), .integer(Int64(x.count)), real(Describe.mean(x)), real(Describe.sd(x))])
                }
                guard v != 0 else { continue }
                for (name, sql) in changeMetrics {
                    let x = try column(db, "SELECT \(sql) FROM net_changes WHERE variant_id = ? AND subgroup_id = ? ORDER BY replication", key)
                    try member.execute(key + [.text(name), .integer(Int64(x.count)), real(Describe.mean(x)), real(Describe.sd(x))])
                }
            }
        }
    }

    /// The non-null values of a one-column query, as doubles.
    static func column(_ db: Database, _ sql: String, _ values: [SQLValue]) throws -> [Double] {
        try db.query(sql, values).rows.compactMap { $0[0].double }
    }

    static func row(_ v: Int64, _ metric: String, _ kind: String, _ x: [Double]) -> [SQLValue] {
        let s = ReplicationSummary(x)
        return [.integer(v), .text(metric), .text(kind), .integer(Int64(s.n)), real(s.mean), real(s.sd),
                real(s.ciLow), real(s.ciHigh)] + s.quantiles.map(real)
    }

    static func real(_ x: Double) -> SQLValue { x.isNaN || x.isInfinite ? .null : .real(x) }
}

extension SQLValue {
    var int: Int64 {
        switch self {
        case .integer(let i): i
        case .real(let d): Int64(d)
        default: 0
        }
    }

    var double: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .real(let d): d
        default: nil
        }
    }
}
