import Foundation

/// The readable comparison of a run store's variants, as `poolsim run` ends with and `poolsim
/// compare` prints: fund outlay with its spread and the fund it needs, members' burden, and who
/// gains and who loses against the baseline. Read from the store only, so both commands print the
/// same table. Fits 100 columns.
public enum ComparisonTable {
    public static func render(path: String) throws -> String {
        let db = try Database(path: path, create: false, readOnly: true)
        defer { db.close() }
        guard let version = try db.scalar("SELECT schema_version FROM run")?.int, version == RunStore.schemaVersion else {
            throw SQLiteError(path: path, code: 0, message: "not a PoolSim run store of schema version \(RunStore.schemaVersion)")
        }
        let run = try db.query("""
            SELECT scenario, title, members, replications_done, replications_planned, status, seed, year, budget_fen,
                   budget_benefits, code_version, seconds, income_share_bp, shard_index, shard_count, shard_replications FROM run
            """).rows[0]
        var variants = try db.query("SELECT variant_id, name FROM variants ORDER BY variant_id").rows.map { ($0[0].int, $0[1].text ?? "") }
        // A sweep's variants are named by their full parameter paths, too long for a column: show
        // the values, with the parameters named once above the tables.
        let swept = try db.query("SELECT DISTINCT parameter FROM sweep_points ORDER BY rowid").rows.compactMap(\.[0].text)
        if !swept.isEmpty {
            for i in variants.indices where variants[i].0 != 0 {
                let values = try db.query("SELECT value FROM sweep_points WHERE variant_id = ? ORDER BY rowid",
                                          [.integer(variants[i].0)]).rows.compactMap(\.[0].double)
                variants[i].1 = values.map { String(format: "%g", $0) }.joined(separator: ", ")
            }
        }
        let width = max(12, min(22, variants.map(\.1.count).max() ?? 12))
        func name(_ s: String) -> String { s.count > width ? String(s.prefix(width - 1)) + "…" : s.padding(toLength: width, withPad: " ", startingAt: 0) }
        func summary(_ v: Int64, _ metric: String, _ kind: String) throws -> [Double?] {
            let r = try db.query("SELECT mean, ci_low, ci_high, p95, sd FROM summary WHERE variant_id = ? AND metric = ? AND kind = ?",
                                 [.integer(v), .text(metric), .text(kind)]).rows
            return r.first?.map(\.double) ?? [nil, nil, nil, nil, nil]
        }
        func member(_ v: Int64, _ metric: String, group: Int64 = 0) throws -> Double? {
            try db.scalar("SELECT mean FROM member_summary WHERE variant_id = ? AND subgroup_id = ? AND metric = ?",
                          [.integer(v), .integer(group), .text(metric)])?.double
        }

        let done = run[3].int, status = run[5].text ?? ""
        let shardCount = run[14].int, planned = shardCount > 1 ? run[15].int : run[4].int
        var out = "\(run[1].text ?? "") [\(run[0].text ?? "")]\n"
        out += "\(grouped(Double(run[2].int), 0)) members, year \(run[7].int), seed \(run[6].int), "
        out += "\(done) of \(planned) replications"
        if shardCount > 1 { out += " (shard \(run[13].int)/\(shardCount) of \(run[4].int))" }
        out += ", \(status)"
        if let s = run[11].double { out += String(format: ", %.1f s", s) }
        out += "\n"
        if !swept.isEmpty { out += "Sweep over \(swept.joined(separator: ", ")); each row below names its values.\n" }
        if status != "complete" { out += "NOTE: the run is incomplete: figures use the \(done) finished replications.\n" }

        let budget = run[8].double
        out += "\nFund outlay in 10,000 yuan (万元), mean over replications with its 95% interval\n"
        var header = name("variant") + pad("outlay", 11) + pad("95% interval", 22) + pad("fund@99%", 10)
            + pad("Δ baseline", 11) + pad("Δ all+acct", 11)
        if budget != nil { header += pad("P(over)", 8) }
        out += header + "\n" + String(repeating: "─", count: header.count) + "\n"
        for (v, n) in variants {
            let s = try summary(v, "budget_outlay_fen", "level")
            let need = try db.scalar("SELECT need99_fen FROM fund_sizing WHERE variant_id = ?", [.integer(v)])?.double
            let d = v == 0 ? nil : try summary(v, "budget_outlay_fen", "delta")[0]
            let all = v == 0 ? nil : try summary(v, "fund_and_credit_fen", "delta")[0]
            var line = name(n) + pad(wan(s[0]), 11) + pad("[\(wan(s[1])), \(wan(s[2]))]", 22)
                + pad(wan(need), 10) + pad(d.map { signed(wan($0)) } ?? "—", 11) + pad(all.map { signed(wan($0)) } ?? "—", 11)
            if budget != nil {
                let p = try db.scalar("SELECT overrun_share FROM fund_sizing WHERE variant_id = ?", [.integer(v)])?.double
                line += pad(p.map { String(format: "%.0f%%", $0 * 100) } ?? "—", 8)
            }
            out += line + "\n"
        }
        if let budget {
            let benefits = run[9].text.flatMap { $0.isEmpty ? nil : $0 } ?? "all benefits"
            out += "Outlay of \(benefits); budget \(wan(budget)) 万元. P(over): share of replications over budget.\n"
        } else {
            out += "Outlay of all benefits.\n"
        }
        out += "fund@99%: not exceeded in 99% of replications.\n"
        out += "Δ all+acct: change in every benefit's outlay plus account credits (the fund's whole cost).\n"

        let share = Double(run[12].int) / 100
        out += "\nMembers, per member per year in yuan (own shares before the personal account pays)\n"
        header = name("variant") + pad("burden", 9) + pad("P90", 8) + pad("P99", 9) + pad("credit", 8) + pad("cash 万元", 11)
            + pad("cap hit", 8) + pad("paid", 7) + pad(String(format: ">%g%% inc", share), 10)
        out += header + "\n" + String(repeating: "─", count: header.count) + "\n"
        for (v, n) in variants {
            let cash = try summary(v, "cash_fen", "level")[0]
            out += name(n) + pad(yuan(try member(v, "mean_burden_fen")), 9) + pad(yuan(try member(v, "p90_burden_fen")), 8)
                + pad(yuan(try member(v, "p99_burden_fen")), 9) + pad(yuan(try member(v, "mean_credit_fen")), 8)
                + pad(wan(cash), 11) + pad(percent(try member(v, "cap_hit_share")), 8)
                + pad(percent(try member(v, "ordinary_paid_share")), 7) + pad(percent(try member(v, "above_income_share")), 10) + "\n"
        }
        out += "cap hit / paid: share of members whose ordinary pooled benefit reached its cap / paid anything.\n"

        if variants.count > 1 {
            let groups = try db.query("SELECT subgroup_id, name FROM subgroups WHERE name IN ('in_service', 'retired') ORDER BY subgroup_id").rows
            out += "\nWinners and losers against the baseline (change in own shares minus change in credits)\n"
            header = name("variant") + pad("better", 8) + pad("worse", 8) + pad("avg gain", 10) + pad("avg loss", 10)
            for g in groups { header += pad("worse " + (g[1].text == "retired" ? "ret." : "serv."), 12) }
            out += header + "\n" + String(repeating: "─", count: header.count) + "\n"
            for (v, n) in variants where v != 0 {
                var line = name(n) + pad(percent(try member(v, "winners_share")), 8) + pad(percent(try member(v, "losers_share")), 8)
                    + pad(yuan(try member(v, "mean_gain_fen")), 10) + pad(yuan(try member(v, "mean_loss_fen")), 10)
                for g in groups { line += pad(percent(try member(v, "losers_share", group: g[0].int)), 12) }
                out += line + "\n"
            }
            out += "avg gain / loss: yuan a year among the members better / worse off.\n"
        }
        return out
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s
    }

    /// Thousands separators: 1234567.8 → "1,234,567.8".
    public static func grouped(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return "—" }
        let s = String(format: "%.\(decimals)f", abs(x))
        let parts = s.split(separator: ".", maxSplits: 1)
        var int = String(parts[0])
        var out = ""
        while int.count > 3 {
            out = "," + int.suffix(3) + out
            int = String(int.dropLast(3))
        }
        out = int + out
        if parts.count > 1 { out += "." + parts[1] }
        return (x < 0 && s.contains(where: { $0 != "0" && $0 != "." }) ? "-" : "") + out
    }

    static func wan(_ fen: Double?) -> String { fen.map { grouped($0 / 1_000_000, 1) } ?? "—" }
    static func yuan(_ fen: Double?) -> String { fen.map { grouped($0 / 100, 0) } ?? "—" }
    static func percent(_ x: Double?) -> String { x.map { String(format: "%.1f%%", $0 * 100) } ?? "—" }
    static func signed(_ s: String) -> String { s.hasPrefix("-") || s == "—" ? s : "+" + s }
}

extension SQLValue {
    var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}
