import Adjudication
import Foundation

/// A Jupyter notebook (nbformat 4.5) over a run store: it opens the store with pandas through
/// `sqlite3`, shows the comparison tables and draws the figures with matplotlib. The data stay in
/// the store; the notebook holds code, the store's path relative to the notebook's folder, and a
/// few facts about the run read at export time (title, size, the recorded command, the budget's
/// source, the files read). Nothing depends on the clock or the machine: two exports of one store
/// to one path are byte-identical (keys sorted, fixed cell ids, no outputs, no execution counts).
public enum NotebookExport {
    /// Renders the notebook for `store` as it will be saved at `notebook` (both paths absolute or
    /// relative to the current directory; only their relation is written into the notebook).
    public static func render(store: String, notebook: String) throws -> [UInt8] {
        let db = try StoreFile.open(store)
        defer { db.close() }
        let facts = try Facts(db)
        let relative = relativePath(from: URL(fileURLWithPath: notebook).deletingLastPathComponent().path, to: store)
        let cells = Self.cells(facts: facts, storePath: relative)
        let object: JSON = .object([
            "cells": .array(cells.enumerated().map { i, c in c.json(id: "c\(i + 1 < 10 ? "0" : "")\(i + 1)-\(c.name)") }),
            "metadata": .object([
                "kernelspec": .object(["display_name": "Python 3", "language": "python", "name": "python3"]),
                "language_info": .object(["name": "python", "file_extension": ".py", "mimetype": "text/x-python",
                                          "codemirror_mode": .object(["name": "ipython", "version": 3]),
                                          "nbconvert_exporter": "python", "pygments_lexer": "ipython3"]),
            ]),
            "nbformat": 4,
            "nbformat_minor": 5,
        ])
        var text = ""
        object.write(to: &text, indent: 0)
        text += "\n"
        return Array(text.utf8)
    }

    /// Writes the notebook atomically (temporary file, flush, rename), creating its folder.
    public static func export(store: String, notebook: String) throws {
        let bytes = try render(store: store, notebook: notebook)
        let dir = URL(fileURLWithPath: notebook).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeFileAtomically(bytes, to: notebook)
    }

    /// What the notebook says about the run in prose, read once at export time.
    struct Facts {
        var title = "", scenario = "", kind = "run", status = "", command = "", codeVersion = ""
        var members: Int64 = 0, done: Int64 = 0, planned: Int64 = 0, year: Int64 = 0, seed: Int64 = 0
        var budgetFen: Int64?, budgetBenefits: String?, budgetSource: String?
        var files: [(path: String, role: String)] = []
        var variants = 0

        init(_ db: Database) throws {
            let r = try db.query("""
                SELECT title, scenario, kind, status, command, code_version, members, replications_done,
                       replications_planned, year, seed, budget_fen, budget_benefits, budget_source FROM run
                """).rows[0]
            title = r[0].text ?? ""; scenario = r[1].text ?? ""; kind = r[2].text ?? "run"; status = r[3].text ?? ""
            command = r[4].text ?? ""; codeVersion = r[5].text ?? ""
            members = r[6].int; done = r[7].int; planned = r[8].int; year = r[9].int; seed = r[10].int
            if case .integer(let b) = r[11] { budgetFen = b }
            budgetBenefits = r[12].text; budgetSource = r[13].text
            files = try db.query("SELECT path, role FROM files ORDER BY role, path").rows.map {
                (NotebookExport.lexicallyNormalized($0[0].text ?? ""), $0[1].text ?? "")
            }
            variants = Int(try db.scalar("SELECT count(*) FROM variants")?.int ?? 0)
        }
    }

    struct Cell {
        var name: String
        var code: Bool
        var source: String

        func json(id: String) -> JSON {
            // nbformat keeps source as a list of lines, each but the last ending in "\n".
            var lines: [String] = []
            var current = ""
            for ch in source {
                current.append(ch)
                if ch == "\n" { lines.append(current); current = "" }
            }
            if !current.isEmpty { lines.append(current) }
            var c: [String: JSON] = ["cell_type": .string(code ? "code" : "markdown"), "id": .string(id),
                                     "metadata": .object([:]), "source": .array(lines.map(JSON.string))]
            if code {
                c["execution_count"] = .null
                c["outputs"] = .array([])
            }
            return .object(c)
        }
    }

    static func markdown(_ name: String, _ s: String) -> Cell { Cell(name: name, code: false, source: s) }
    static func code(_ name: String, _ s: String) -> Cell { Cell(name: name, code: true, source: s) }

    /// A Python string literal (double-quoted, escaped) for any text.
    static func pythonString(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 || u.value == 0x7F { out += String(format: "\\x%02x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Inline code in markdown: backticks that cannot be closed by the text itself.
    static func inlineCode(_ s: String) -> String {
        var fence = "`"
        while s.contains(fence) { fence += "`" }
        let pad = s.hasPrefix("`") || s.hasSuffix("`") ? " " : ""
        return fence + pad + s + pad + fence
    }

    /// Markdown text with the characters that would start formatting escaped.
    static func escaped(_ s: String) -> String {
        var out = ""
        for c in s {
            if "\\`*_[]<>#|".contains(c) { out.append("\\") }
            out.append(c == "\n" ? " " : c)
        }
        return out
    }

    static func yuan(_ fen: Int64) -> String { ComparisonTable.grouped(Double(fen) / 100, fen % 100 == 0 ? 0 : 2) }

    static func cells(facts f: Facts, storePath: String) -> [Cell] {
        var cells: [Cell] = []
        var intro = "# \(escaped(f.title))\n\n"
        intro += "PoolSim \(f.kind) of scenario \(inlineCode(f.scenario)): \(ComparisonTable.grouped(Double(f.members), 0)) synthetic "
        intro += "members, year \(f.year), seed \(f.seed), \(f.done) of \(f.planned) replications (\(f.status)), "
        intro += "\(f.variants) variants (variant 0 is the baseline).\n\n"
        intro += "Recorded command: \(inlineCode(f.command)) (\(escaped(f.codeVersion))).\n"
        if f.command.contains("--members") || f.command.contains("--replications") {
            intro += "\nThe population size or the number of replications was set on the command line, not taken from the "
            intro += "scenario file: this run is smaller than the scenario describes (to keep its store small), so its "
            intro += "intervals are wider than a full run's."
            if f.budgetFen != nil && f.command.contains("--members") {
                intro += " The budget is still the scenario file's, sized for the population it describes, so the "
                intro += "outlay here is far from it and the overrun figures say nothing."
            }
            intro += "\n"
        }
        intro += "\nThe figures come from the run store \(inlineCode(storePath)) (SQLite, next to this notebook; "
        intro += "its tables are described in the README's \"Run store\" section). Money in the store is in fen; "
        intro += "the tables here show yuan or 万元 (10,000 yuan). Shares are fractions of members.\n"
        cells.append(markdown("intro", intro))

        cells.append(code("open", """
            import sqlite3
            from pathlib import Path

            import matplotlib.pyplot as plt
            import pandas as pd

            # The store, relative to this notebook's folder (run the notebook from there).
            STORE = Path(\(pythonString(storePath)))
            con = sqlite3.connect(STORE.resolve().as_uri() + "?mode=ro", uri=True)


            def sql(query, params=()):
                \"\"\"One query against the store, as a DataFrame.\"\"\"
                return pd.read_sql_query(query, con, params=params)


            run = sql("SELECT * FROM run").iloc[0]
            variants = sql("SELECT variant_id, name, description, is_baseline, policy_id, reforms FROM variants ORDER BY variant_id")
            names = dict(zip(variants.variant_id, variants.name))
            subgroups = sql("SELECT subgroup_id, name FROM subgroups ORDER BY subgroup_id")
            variants
            """))

        var outlayText = "## Fund outlay by variant\n\n"
        if let b = f.budgetFen {
            let benefits = (f.budgetBenefits ?? "").isEmpty ? "every benefit" : "the budgeted benefits (\(escaped(f.budgetBenefits ?? "")))"
            outlayText += "The outlay of \(benefits) in 万元 a year: the mean over replications with its 95% interval "
            outlayText += "(Student t), the 5th and 95th percentiles across replications, and the paired change against the "
            outlayText += "baseline (the variants see the same members and visits). The budget is \(yuan(b)) yuan.\n"
        } else {
            outlayText += "The outlay of every benefit in 万元 a year: the mean over replications with its 95% interval "
            outlayText += "(Student t), the 5th and 95th percentiles across replications, and the paired change against the "
            outlayText += "baseline (the variants see the same members and visits).\n"
        }
        cells.append(markdown("outlay-text", outlayText))
        cells.append(code("outlay-table", """
            outlay = sql(\"\"\"
                SELECT v.name AS variant, s.n AS replications,
                       s.mean / 1e6 AS mean_wan, s.ci_low / 1e6 AS ci95_low_wan, s.ci_high / 1e6 AS ci95_high_wan,
                       s.p5 / 1e6 AS p5_wan, s.p95 / 1e6 AS p95_wan,
                       d.mean / 1e6 AS change_wan, d.ci_low / 1e6 AS change_ci95_low_wan, d.ci_high / 1e6 AS change_ci95_high_wan
                FROM summary s JOIN variants v USING (variant_id)
                LEFT JOIN summary d ON d.variant_id = s.variant_id AND d.metric = s.metric AND d.kind = 'delta'
                WHERE s.metric = 'budget_outlay_fen' AND s.kind = 'level'
                ORDER BY s.variant_id\"\"\")
            outlay.round(1)
            """))

        cells.append(markdown("outlay-figure-text", """
            Each dot is one replication's outlay (one synthetic year of the whole population); the box spans the \
            middle half of the replications and the line inside it is the median. A wide spread means the outlay \
            depends on the luck of the year as much as on the rules.

            """))
        cells.append(code("outlay-figure", """
            reps = sql("SELECT replication, variant_id, budget_outlay_fen / 1e6 AS outlay_wan FROM replications ORDER BY variant_id, replication")
            ids = list(variants.variant_id)
            data = [reps.loc[reps.variant_id == v, "outlay_wan"].to_numpy() for v in ids]
            fig, ax = plt.subplots(figsize=(9, 4))
            ax.boxplot(data, vert=False, widths=0.5, showfliers=False)
            for i, values in enumerate(data, start=1):
                ax.scatter(values, [i] * len(values), s=12, color="tab:blue", alpha=0.7, zorder=3)
            ax.set_yticks(range(1, len(ids) + 1), [names[v] for v in ids])
            ax.invert_yaxis()
            if pd.notna(run.budget_fen):
                ax.axvline(run.budget_fen / 1e6, color="tab:red", linestyle="--", label="budget")
                ax.legend(loc="lower right")
            ax.set_xlabel("outlay per year, 10,000 yuan")
            ax.set_title("Fund outlay per replication")
            fig.tight_layout()
            """))

        cells.append(markdown("sizing-text", """
            ## Fund sizing

            The fund that covers the outlay in 95% and 99% of replications: `need95`/`need99` are the empirical \
            quantiles, `normal95`/`normal99` the mean plus z standard deviations. With a budget, `overrun_share` is \
            the share of replications over it, with its 95% Wilson interval. Few replications make these rough.

            """))
        cells.append(code("sizing-table", """
            sizing = sql(\"\"\"
                SELECT v.name AS variant, f.replications,
                       f.need95_fen / 1e6 AS need95_wan, f.need99_fen / 1e6 AS need99_wan,
                       f.normal95_fen / 1e6 AS normal95_wan, f.normal99_fen / 1e6 AS normal99_wan,
                       f.budget_fen / 1e6 AS budget_wan, f.overrun_replications, f.overrun_share, f.overrun_low, f.overrun_high
                FROM fund_sizing f JOIN variants v USING (variant_id)
                ORDER BY f.variant_id\"\"\")
            sizing.round(3)
            """))

        cells.append(markdown("burden-text", """
            ## Members' burden by subgroup

            A member's burden is everything the funds do not pay (deductibles, co-payments, costs above caps and \
            outside the lists) before the personal account pays any of it, in yuan a year. Each figure is the mean \
            over replications of that replication's statistic across the subgroup's members: the mean and the \
            50th/90th/95th/99th percentiles, the mean account credit, and the share of members whose burden \
            exceeds the income share. Subgroups: everyone, by status at the start of the year, by age band.

            """))
        cells.append(code("burden-table", """
            burden = sql(\"\"\"
                SELECT v.name AS variant, g.name AS subgroup, m.metric, m.mean
                FROM member_summary m JOIN variants v USING (variant_id) JOIN subgroups g USING (subgroup_id)
                WHERE m.metric IN ('mean_burden_fen', 'p50_burden_fen', 'p90_burden_fen', 'p95_burden_fen',
                                   'p99_burden_fen', 'mean_credit_fen', 'above_income_share')
                ORDER BY m.variant_id, m.subgroup_id\"\"\")
            burden_wide = burden.pivot_table(index=["variant", "subgroup"], columns="metric", values="mean", sort=False)
            for c in burden_wide.columns:
                if c.endswith("_fen"):
                    burden_wide[c] = burden_wide[c] / 100  # fen to yuan
            burden_wide = burden_wide.rename(columns=lambda c: c.replace("_fen", "_yuan"))
            burden_wide.round(2)
            """))

        cells.append(markdown("burden-figure-text", """
            One panel per percentile of members' yearly burden, in yuan, by subgroup; one line per variant. \
            The upper percentiles show what the members with the most care pay: a reform can lower the mean and \
            still leave the 99th percentile where it was.

            """))
        cells.append(code("burden-figure", """
            percentiles = ["p50_burden_fen", "p90_burden_fen", "p95_burden_fen", "p99_burden_fen"]
            groups = list(subgroups.name)
            fig, axes = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
            for ax, metric in zip(axes.flat, percentiles):
                part = burden[burden.metric == metric]
                for v in variants.variant_id:
                    line = part[part.variant == names[v]].set_index("subgroup").reindex(groups)["mean"] / 100
                    ax.plot(range(len(groups)), line.to_numpy(), marker="o", markersize=3, label=names[v])
                ax.set_title(metric.replace("_burden_fen", "").upper() + " burden, yuan a year")
                ax.grid(alpha=0.3)
            for ax in axes[1]:
                ax.set_xticks(range(len(groups)), groups, rotation=45, ha="right")
            axes[0][0].legend(fontsize=8)
            fig.tight_layout()
            """))

        cells.append(markdown("winners-text", """
            ## Winners and losers

            For each reform against the baseline, each member's change of net position is the change in own \
            shares minus the change in account credits: better off when it is negative, worse off when positive. \
            The table gives the shares better and worse off, the mean gain and loss among them (yuan a year) and \
            the 10th/50th/90th percentiles of the change, for every subgroup.

            """))
        cells.append(code("winners-table", """
            changes = sql(\"\"\"
                SELECT v.name AS variant, g.name AS subgroup, m.metric, m.mean
                FROM member_summary m JOIN variants v USING (variant_id) JOIN subgroups g USING (subgroup_id)
                WHERE m.metric IN ('winners_share', 'losers_share', 'mean_gain_fen', 'mean_loss_fen',
                                   'p10_change_fen', 'p50_change_fen', 'p90_change_fen')
                ORDER BY m.variant_id, m.subgroup_id\"\"\")
            changes_wide = changes.pivot_table(index=["variant", "subgroup"], columns="metric", values="mean", sort=False, dropna=False)
            for c in changes_wide.columns:
                if c.endswith("_fen"):
                    changes_wide[c] = changes_wide[c] / 100  # fen to yuan
            changes_wide = changes_wide.rename(columns=lambda c: c.replace("_fen", "_yuan"))
            changes_wide.round(3)
            """))

        cells.append(markdown("winners-figure-text", """
            Left: the share of all members better off (to the left of zero) and worse off (to the right) under \
            each reform. Right: the share worse off in each subgroup, which shows who carries a reform's cost \
            (for instance retirees against members in service).

            """))
        cells.append(code("winners-figure", """
            share = changes[changes.metric.isin(["winners_share", "losers_share"])]
            reforms = [names[v] for v in variants.variant_id if v != 0]
            everyone = share[share.subgroup == "all"].pivot_table(index="variant", columns="metric", values="mean", sort=False).reindex(reforms)
            fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
            y = range(len(reforms))
            left.barh(y, -100 * everyone["winners_share"].fillna(0), color="tab:green", label="better off")
            left.barh(y, 100 * everyone["losers_share"].fillna(0), color="tab:red", label="worse off")
            left.set_yticks(list(y), reforms)
            left.invert_yaxis()
            left.axvline(0, color="black", linewidth=0.8)
            left.set_xlabel("% of members (better off to the left)")
            left.set_title("Winners and losers, all members")
            left.legend(fontsize=8)
            losers = share[share.metric == "losers_share"].pivot_table(index="subgroup", columns="variant", values="mean", sort=False)
            losers = losers.reindex(index=[g for g in subgroups.name if g != "all"], columns=reforms)
            (100 * losers).plot.bar(ax=right, width=0.8)
            right.set_ylabel("% of the subgroup worse off")
            right.set_xlabel("")
            right.set_title("Worse off, by subgroup")
            right.legend(fontsize=8)
            fig.tight_layout()
            """))

        if f.kind == "sweep" {
            cells.append(markdown("sweep-text", """
                ## Sweep curves

                This run is a sweep: every variant after the baseline sets the swept parameters to one grid point \
                (table `sweep_points`). The curve is the mean outlay against the parameter's value with its 95% \
                interval; with several parameters there is one curve per combination of the others.

                """))
            cells.append(code("sweep-figure", """
                points = sql("SELECT variant_id, parameter, value FROM sweep_points ORDER BY variant_id, parameter")
                level = sql("SELECT variant_id, mean / 1e6 AS mean_wan, ci_low / 1e6 AS low_wan, ci_high / 1e6 AS high_wan "
                            "FROM summary WHERE metric = 'budget_outlay_fen' AND kind = 'level'")
                grid = points.pivot_table(index="variant_id", columns="parameter", values="value").reset_index()
                curves = grid.merge(level, on="variant_id")
                parameters = [c for c in grid.columns if c != "variant_id"]
                fig, axes = plt.subplots(1, len(parameters), figsize=(6 * len(parameters), 4), squeeze=False)
                for ax, p in zip(axes[0], parameters):
                    others = [q for q in parameters if q != p]
                    groups = curves.groupby(others) if others else [("", curves)]
                    for key, part in groups:
                        part = part.sort_values(p)
                        label = ", ".join(f"{q}={k}" for q, k in zip(others, key if isinstance(key, tuple) else (key,))) if others else None
                        ax.errorbar(part[p], part.mean_wan, yerr=[part.mean_wan - part.low_wan, part.high_wan - part.mean_wan],
                                    marker="o", capsize=3, label=label)
                    base = level.loc[level.variant_id == 0, "mean_wan"]
                    if len(base):
                        ax.axhline(base.iloc[0], color="gray", linestyle=":", label="baseline")
                    if pd.notna(run.budget_fen):
                        ax.axhline(run.budget_fen / 1e6, color="tab:red", linestyle="--", label="budget")
                    ax.set_xlabel(p)
                    ax.set_ylabel("outlay, 10,000 yuan a year")
                    ax.legend(fontsize=8)
                    ax.grid(alpha=0.3)
                fig.tight_layout()
                curves.round(2)
                """))
        }

        var assumed = "## Assumed values\n\n"
        if let s = f.budgetSource, !s.isEmpty {
            assumed += "- The budget (\(f.budgetFen.map { yuan($0) + " yuan" } ?? "none")): \(escaped(s)) (`run.budget_source`).\n"
        } else if f.budgetFen != nil {
            assumed += "- The budget (\(f.budgetFen.map { yuan($0) + " yuan" } ?? "")) has no recorded source (`run.budget_source` is empty).\n"
        } else {
            assumed += "- No budget was set, so there are no overrun figures.\n"
        }
        assumed += "- The members and their visits are synthetic, drawn from the calibration file; its values and the "
        assumed += "policy files' values marked `assumed: true` are assumptions (each with its `source:`), not read from "
        assumed += "the policy documents. The files this run read (table `files`, with their SHA-256 hashes):\n"
        for file in f.files {
            assumed += "  - \(file.role): \(inlineCode(file.path))\n"
        }
        cells.append(markdown("assumed", assumed))
        cells.append(code("files", """
            sql("SELECT role, path, sha256, bytes FROM files ORDER BY role, path")
            """))
        return cells
    }

    /// `a/b/../c/./d` → `a/c/d`, on the text alone: a relative path stays relative (the current
    /// directory must not leak into the notebook), leading `..` of a relative path are kept.
    static func lexicallyNormalized(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for p in path.split(separator: "/") where p != "." {
            if p == "..", let last = parts.last, last != ".." { parts.removeLast() }
            else if p == "..", absolute { continue }
            else { parts.append(p) }
        }
        let s = parts.joined(separator: "/")
        return absolute ? "/" + s : (s.isEmpty ? "." : s)
    }

    /// `target` relative to the folder `base`, lexically (no file-system access): both are made
    /// absolute against the current directory and standardized first.
    public static func relativePath(from base: String, to target: String) -> String {
        let b = URL(fileURLWithPath: base).standardized.pathComponents
        let t = URL(fileURLWithPath: target).standardized.pathComponents
        var i = 0
        while i < b.count, i < t.count, b[i] == t[i] { i += 1 }
        let parts = Array(repeating: "..", count: b.count - i) + t[i...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}

/// The JSON of a notebook, written the way Jupyter itself saves one (Python's
/// `json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False)`), so that opening and saving the
/// exported notebook in Jupyter changes no byte of its layout.
enum JSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case null
    case int(Int)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    init(stringLiteral s: String) { self = .string(s) }
    init(integerLiteral i: Int) { self = .int(i) }

    func write(to out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .int(let i): out += String(i)
        case .string(let s): Self.quote(s, into: &out)
        case .array(let a):
            if a.isEmpty { out += "[]"; return }
            out += "[\n"
            for (k, v) in a.enumerated() {
                out += String(repeating: " ", count: indent + 1)
                v.write(to: &out, indent: indent + 1)
                out += k + 1 < a.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let o):
            if o.isEmpty { out += "{}"; return }
            out += "{\n"
            // Python sorts keys by code point; Swift's String < compares by Unicode scalars too
            // for these ASCII keys.
            let keys = o.keys.sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes($1.unicodeScalars.map(\.value)) }
            for (k, key) in keys.enumerated() {
                out += String(repeating: " ", count: indent + 1)
                Self.quote(key, into: &out)
                out += ": "
                o[key]!.write(to: &out, indent: indent + 1)
                out += k + 1 < keys.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    /// Python's escaping with ensure_ascii=False: quote, backslash and control characters only.
    static func quote(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
