import Foundation
import Policy
import Synthesis

/// The HTML report of a run store for a policy maker (`poolsim report`): one self-contained file
/// (inline CSS and SVG, no scripts, fonts or links to fetch) with the headline figures, the charts,
/// the parameter differences of each reform and the methods with every assumed value and its
/// source. Read from the store alone, plus the policy and calibration files it names (a missing
/// file is reported in the page, not an error).
public enum Report {
    public enum Language: String, Sendable, CaseIterable {
        case zh, en, both
    }

    /// Bilingual labels: `both` gives "基金支出 Fund outlay".
    struct Labels {
        var language: Language
        func callAsFunction(_ zh: String, _ en: String) -> String {
            switch language {
            case .zh: zh
            case .en: en
            case .both: zh + " " + en
            }
        }
    }

    /// Renders the report of the store at `path`. Throws `SQLiteError` when the file is not a
    /// PoolSim run store (of the current schema version).
    public static func render(path: String, language: Language = .both) throws -> String {
        guard FileManager.default.fileExists(atPath: path) else {
            throw SQLiteError(path: path, code: 0, message: "no such file")
        }
        let db: Database
        let tables: Set<String>
        do {
            db = try Database(path: path, create: false, readOnly: true)
            tables = Set(try db.tableNames())
        } catch let e as SQLiteError {
            throw SQLiteError(path: path, code: e.code, message: "not a PoolSim run store (\(e.message))")
        }
        defer { db.close() }
        let needed = ["run", "files", "variants", "parameter_differences", "sweep_points", "subgroups", "replications",
                      "summary", "member_summary", "fund_sizing"]
        let absent = needed.filter { !tables.contains($0) }
        guard absent.isEmpty else {
            throw SQLiteError(path: path, code: 0, message: "not a PoolSim run store (no table \(absent.joined(separator: ", ")))")
        }
        guard let version = try db.scalar("SELECT schema_version FROM run")?.int, version == Int64(RunStore.schemaVersion) else {
            throw SQLiteError(path: path, code: 0, message: "not a PoolSim run store of schema version \(RunStore.schemaVersion)")
        }
        return try Builder(db: db, path: path, l: Labels(language: language)).html()
    }
}

extension Report {
    struct Variant { var id: Int64; var name: String; var description: String?; var policyFile: String; var reforms: String }
    struct Level { var mean: Double?; var low: Double?; var high: Double?; var p5: Double?; var p95: Double? }
    struct Assumed { var path: String; var value: String; var source: String; var origin: String }

    final class Builder {
        let db: Database
        let path: String
        let l: Labels
        var run: [String: SQLValue] = [:]
        var variants: [Variant] = []
        var groups: [(id: Int64, name: String)] = []

        init(db: Database, path: String, l: Labels) throws {
            self.db = db
            self.path = path
            self.l = l
            let q = try db.query("SELECT * FROM run")
            guard let row = q.rows.first else { throw SQLiteError(path: path, code: 0, message: "not a PoolSim run store (empty run table)") }
            for (c, v) in zip(q.columns, row) { run[c] = v }
            variants = try db.query("SELECT variant_id, name, description, policy_file, reforms FROM variants ORDER BY variant_id").rows.map {
                Variant(id: $0[0].int, name: $0[1].text ?? "", description: $0[2].text, policyFile: $0[3].text ?? "", reforms: $0[4].text ?? "")
            }
            groups = try db.query("SELECT subgroup_id, name FROM subgroups ORDER BY subgroup_id").rows.map { ($0[0].int, $0[1].text ?? "") }
        }

        func e(_ s: String) -> String { SVGChart.escape(s) }
        func text(_ c: String) -> String { run[c]?.text ?? "" }
        var budgetFen: Double? { run["budget_fen"]?.double }
        var isSweep: Bool { text("kind") == "sweep" }
        func color(_ i: Int) -> String { SVGChart.palette[i % SVGChart.palette.count] }

        func level(_ v: Int64, _ metric: String, _ kind: String = "level") throws -> Level {
            let r = try db.query("SELECT mean, ci_low, ci_high, p5, p95 FROM summary WHERE variant_id = ? AND metric = ? AND kind = ?",
                                 [.integer(v), .text(metric), .text(kind)]).rows.first
            return Level(mean: r?[0].double, low: r?[1].double, high: r?[2].double, p5: r?[3].double, p95: r?[4].double)
        }

        func member(_ v: Int64, _ group: Int64, _ metric: String) throws -> Double? {
            try db.scalar("SELECT mean FROM member_summary WHERE variant_id = ? AND subgroup_id = ? AND metric = ?",
                          [.integer(v), .integer(group), .text(metric)])?.double
        }

        func groupLabel(_ name: String) -> String {
            switch name {
            case "all": l("全体", "all members")
            case "in_service": l("在职", "in service")
            case "retired": l("退休", "retired")
            default: name.hasPrefix("age ") ? l("年龄 " + name.dropFirst(4), name) : name
            }
        }

        var benefitsLabel: String {
            let b = text("budget_benefits")
            return b.isEmpty ? l("全部待遇", "all benefits") : b
        }

        // MARK: page

        func html() throws -> String {
            let lang = l.language == .en ? "en" : "zh-Hans"
            var s = "<!DOCTYPE html>\n<html lang=\"\(lang)\"><head><meta charset=\"utf-8\">"
            s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            s += "<title>\(e(l("职工医保门诊共济模拟报告", "Outpatient pooling simulation report") + " — " + text("title")))</title>"
            s += "<style>\(Self.css)</style></head>\n<body data-kind=\"\(e(text("kind")))\">\n<main>\n"
            s += try headline()
            s += try charts()
            s += try differences()
            s += try methods()
            s += "<footer>\(e(l("由 poolsim report 生成，来源", "Generated by poolsim report from"))) <code>\(e(path))</code> · "
            s += "\(e(text("code_version")))</footer>\n</main>\n</body></html>\n"
            return s
        }

        static let css = """
        body{margin:0;background:#f4f6f9;color:#1d2733;font:15px/1.5 'Noto Sans CJK SC','WenQuanYi Micro Hei','PingFang SC','Microsoft YaHei',system-ui,sans-serif}
        main{max-width:1000px;margin:0 auto;padding:24px 20px 48px;background:#fff}
        h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:2px solid #1f77b4;padding-bottom:4px}
        h3{font-size:16px;margin:18px 0 6px}.meta{color:#556;font-size:13px;margin:0 0 16px}
        .cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}.card{flex:1 1 200px;border:1px solid #d5dde8;border-radius:6px;padding:10px 14px;background:#f8fafc}
        .card .k{font-size:12px;color:#556}.card .v{font-size:24px;font-weight:bold;color:#123}.card .r{font-size:12px;color:#445}
        table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}th,td{border-bottom:1px solid #e1e6ee;padding:4px 6px;text-align:left;vertical-align:top}
        th{background:#eef2f7;font-weight:600}td:first-child{white-space:nowrap}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        .note{font-size:13px;color:#445}.warn{background:#fff3cd;border:1px solid #e0c36a;padding:8px 12px;border-radius:4px}
        figure{margin:16px 0}figure svg{max-width:100%;height:auto;border:1px solid #e1e6ee}figcaption{font-size:13px;color:#445;margin-top:4px}
        code{font-size:12px;background:#f1f3f6;padding:0 3px;word-break:break-all}#assumed td:last-child code{white-space:nowrap;word-break:normal}footer{margin-top:32px;font-size:12px;color:#667}
        """

        // MARK: headline

        func headline() throws -> String {
            var s = "<header><h1>\(e(text("title")))</h1>"
            let done = run["replications_done"]?.int ?? 0, planned = run["replications_planned"]?.int ?? 0
            s += "<p class=\"meta\">\(e(l("情景", "Scenario"))) <b>\(e(text("scenario")))</b> · "
            s += "\(e(ComparisonTable.grouped(run["members"]?.double ?? 0, 0))) \(e(l("名参保职工", "members"))) · "
            s += "\(e(l("年度", "year"))) \(run["year"]?.int ?? 0) · \(e(l("重复模拟", "replications"))) \(done)/\(planned) · "
            s += "\(e(l("随机种子", "seed"))) \(run["seed"]?.int ?? 0) · \(e(text("status"))) · \(e(text("finished_at")))</p></header>\n"
            if text("status") != "complete" {
                s += "<p class=\"warn\">\(e(l("本次运行未完成：数字只用已完成的 \(done) 次重复模拟。", "The run is incomplete: the figures use the \(done) finished replications.")))</p>\n"
            }
            s += "<section id=\"headline\"><h2>\(e(l("要点", "Headline")))</h2>\n"
            let base = variants.first
            if let base {
                let o = try level(base.id, "budget_outlay_fen")
                let f = try sizing(base.id)
                s += "<p>\(e(l("基线", "Baseline"))) <b>\(e(base.name))</b>: \(e(l("基金支出", "fund outlay"))) (\(e(benefitsLabel))) · \(e(l("单位：万元", "in 10,000 yuan (万元)")))</p>"
                s += "<div class=\"cards\">"
                s += card(l("基金支出（均值）", "Fund outlay (mean)"), wan(o.mean), l("95% 区间", "95% interval") + " " + range(o.low, o.high))
                s += card(l("95% 把握所需基金", "Fund needed at 95%"), wan(f.need95), l("99% 把握", "at 99%") + " " + wan(f.need99))
                if let b = budgetFen {
                    s += card(l("超预算概率", "Overrun probability"), percent(f.overrun),
                              l("预算", "budget") + " " + wan(b) + " · " + l("区间", "interval") + " " + range(f.low, f.high, percent))
                }
                s += "</div>\n"
            }
            s += "<table id=\"headline-table\"><thead><tr><th>\(e(l("方案", "Variant")))</th>"
            s += "<th>\(e(l("基金支出", "Fund outlay")))</th><th>\(e(l("95% 区间", "95% interval")))</th>"
            s += "<th>\(e(l("较基线", "Δ baseline")))</th><th>\(e(l("95% 所需基金", "Fund needed 95%")))</th><th>\(e(l("99% 所需基金", "Fund needed 99%")))</th>"
            if budgetFen != nil { s += "<th>\(e(l("超预算概率", "P(over budget)")))</th>" }
            s += "</tr></thead><tbody>\n"
            for v in variants {
                let o = try level(v.id, "budget_outlay_fen")
                let d = v.id == 0 ? nil : try level(v.id, "budget_outlay_fen", "delta")
                let f = try sizing(v.id)
                s += "<tr data-variant=\"\(e(v.name))\"><td>\(e(v.name))</td><td class=\"n\">\(wan(o.mean))</td><td class=\"n\">\(range(o.low, o.high))</td>"
                s += "<td class=\"n\">\(d.map { ComparisonTable.signed(wan($0.mean)) + " " + range($0.low, $0.high) } ?? "—")</td>"
                s += "<td class=\"n\">\(wan(f.need95))</td><td class=\"n\">\(wan(f.need99))</td>"
                if budgetFen != nil { s += "<td class=\"n\">\(percent(f.overrun)) \(range(f.low, f.high, percent))</td>" }
                s += "</tr>\n"
            }
            s += "</tbody></table>\n<p class=\"note\">"
            s += e(l("单位：万元。基金支出为 \(benefitsLabel) 的年度统筹基金支出，各次重复模拟的均值及其 95% 置信区间（t 分布）；较基线为同一批参保人与就诊的配对差值。所需基金：在 95% / 99% 的重复模拟中不被超过的数额（经验分位数）。",
                     "In 10,000 yuan (万元). Fund outlay: the yearly pooled-fund outlay of \(benefitsLabel), the mean over replications with its 95% confidence interval (Student t); Δ baseline is the paired difference on the same members and visits. Fund needed: not exceeded in 95% / 99% of replications (empirical quantile)."))
            if let b = budgetFen {
                s += " " + e(l("超预算概率：支出超过预算 \(wan(b)) 万元的重复模拟占比，括号内为 Wilson 95% 区间。",
                               "P(over budget): share of replications whose outlay exceeds the budget of \(wan(b)) 万元, with its Wilson 95% interval."))
            } else {
                s += " " + e(l("本情景未设定预算，故无超预算概率。", "The scenario sets no budget, so there is no overrun probability."))
            }
            s += "</p></section>\n"
            return s
        }

        func sizing(_ v: Int64) throws -> (need95: Double?, need99: Double?, overrun: Double?, low: Double?, high: Double?) {
            let r = try db.query("SELECT need95_fen, need99_fen, overrun_share, overrun_low, overrun_high FROM fund_sizing WHERE variant_id = ?",
                                 [.integer(v)]).rows.first
            return (r?[0].double, r?[1].double, r?[2].double, r?[3].double, r?[4].double)
        }

        func card(_ k: String, _ v: String, _ r: String) -> String {
            "<div class=\"card\"><div class=\"k\">\(e(k))</div><div class=\"v\">\(e(v))</div><div class=\"r\">\(e(r))</div></div>"
        }

        func wan(_ fen: Double?) -> String { ComparisonTable.wan(fen) }
        func percent(_ x: Double?) -> String { ComparisonTable.percent(x) }
        func range(_ a: Double?, _ b: Double?, _ f: (Double?) -> String = ComparisonTable.wan) -> String {
            a == nil && b == nil ? "—" : "[\(f(a)), \(f(b))]"
        }

        // MARK: charts

        func charts() throws -> String {
            var s = "<section id=\"charts\"><h2>\(e(l("图表", "Charts")))</h2>\n"
            s += try outlayChart()
            if isSweep { s += try sweepChart() }
            s += try burdenChart()
            s += try winnersChart()
            return s + "</section>\n"
        }

        func figure(_ svg: String, _ caption: String) -> String {
            "<figure>\(svg)<figcaption>\(e(caption))</figcaption></figure>\n"
        }

        func outlayChart() throws -> String {
            var rows: [SVGChart.Row] = [], all: [Double] = []
            for (i, v) in variants.enumerated() {
                let x = try db.query("SELECT budget_outlay_fen FROM replications WHERE variant_id = ? ORDER BY replication", [.integer(v.id)])
                    .rows.compactMap { $0[0].double.map { $0 / 1_000_000 } }
                let o = try level(v.id, "budget_outlay_fen")
                all += x
                var marks: [SVGChart.Mark] = [.dots(x, color: color(i))]
                if let lo = o.low, let hi = o.high { marks.append(.interval(lo / 1_000_000, hi / 1_000_000, color: "#111")) }
                if let m = o.mean { marks.append(.tick(m / 1_000_000, color: "#111")) }
                rows.append(.init(label: v.name, marks: marks))
            }
            var refs: [SVGChart.Reference] = []
            if let b = budgetFen {
                all.append(b / 1_000_000)
                refs.append(.init(value: b / 1_000_000, label: l("预算", "budget") + " " + wan(b), color: "#c0392b"))
            }
            let axis = SVGChart.Axis(values: all, format: { ComparisonTable.grouped($0, 0) })
            let svg = SVGChart.rows(id: "outlay", title: l("各方案基金支出分布", "Fund outlay per variant"), rows: rows, axis: axis,
                                    axisTitle: l("基金支出（万元）", "Fund outlay (10,000 yuan)") + " · " + benefitsLabel, references: refs,
                                    legend: [.init(l("每次重复模拟", "one replication"), color: "#888", shape: "circle"),
                                             .init(l("均值及 95% 区间", "mean and 95% interval"), color: "#111", shape: "bar")],
                                    rowHeight: 30)
            return figure(svg, l("每个点是一次重复模拟的年度基金支出；竖线为均值，横线为均值的 95% 置信区间。",
                                 "Each dot is one replication's yearly fund outlay; the bar is the mean, the whisker its 95% confidence interval."))
        }

        func burdenChart() throws -> String {
            let pct = [("p50_burden_fen", "P50", "circle"), ("p90_burden_fen", "P90", "square"), ("p95_burden_fen", "P95", "triangle"),
                       ("p99_burden_fen", "P99", "diamond")]
            var rows: [SVGChart.Row] = [], all: [Double] = []
            for g in groups {
                rows.append(.init(label: groupLabel(g.name), heading: true))
                for (i, v) in variants.enumerated() {
                    let values = try pct.map { try member(v.id, g.id, $0.0).map { $0 / 100 } }
                    let present = values.compactMap { $0 }
                    all += present
                    var marks: [SVGChart.Mark] = []
                    if let lo = present.min(), let hi = present.max() { marks.append(.interval(max(lo, 1), max(hi, 1), color: "#999")) }
                    for (k, p) in pct.enumerated() {
                        if let x = values[k] {
                            marks.append(.marker(max(x, 1), shape: p.2, color: color(i), title: "\(v.name) \(g.name) \(p.1): \(ComparisonTable.grouped(x, 0))"))
                        }
                    }
                    rows.append(.init(label: v.name, marks: marks))
                }
            }
            let axis = SVGChart.Axis(values: all.map { max($0, 1) }, scale: .log, format: { ComparisonTable.grouped($0, 0) })
            let svg = SVGChart.rows(id: "burden", title: l("参保人自付负担分位数（按人群）", "Members' burden percentiles by subgroup"), rows: rows,
                                    axis: axis, axisTitle: l("每人每年自付（元，对数刻度）", "Own shares per member per year (yuan, log scale)"),
                                    legend: pct.map { .init($0.1, color: "#555", shape: $0.2) }, rowHeight: 18)
            return figure(svg, l("参保人自付：基金不支付的部分（个人账户支付之前）。每行一个方案，标记为各次重复模拟平均的 P50、P90、P95、P99；低于 1 元的值画在 1 元处。",
                                 "Own shares: everything the funds do not pay, before the personal account pays. One row per variant; markers are P50, P90, P95 and P99 averaged over replications; values below 1 yuan are drawn at 1."))
        }

        func winnersChart() throws -> String {
            var rows: [SVGChart.Row] = []
            for v in variants where v.id != 0 {
                rows.append(.init(label: v.name, heading: true))
                for g in groups {
                    let w = try member(v.id, g.id, "winners_share") ?? 0, lo = try member(v.id, g.id, "losers_share") ?? 0
                    rows.append(.init(label: groupLabel(g.name), marks: [
                        .bar(from: -w, to: 0, color: "#2e8b57", label: w >= 0.0005 ? percent(w) : nil),
                        .bar(from: 0, to: lo, color: "#c0392b", label: lo >= 0.0005 ? percent(lo) : nil),
                    ]))
                }
            }
            if rows.isEmpty { rows.append(.init(label: l("（无改革方案）", "(no reform)"))) }
            var axis = SVGChart.Axis(values: [-1, 1], format: { String(format: "%.0f%%", abs($0) * 100) })
            axis.ticks = stride(from: -1.0, through: 1.0001, by: 0.25).map { $0 }
            let svg = SVGChart.rows(id: "winners", title: l("各改革方案的受益者与受损者", "Winners and losers of each reform"), rows: rows,
                                    axis: axis, axisTitle: l("← 受益者占比 · 受损者占比 →", "← share better off · share worse off →"),
                                    legend: [.init(l("受益（净负担下降）", "better off (net burden down)"), color: "#2e8b57"),
                                             .init(l("受损（净负担上升）", "worse off (net burden up)"), color: "#c0392b")], rowHeight: 18)
            return figure(svg, l("与基线相比，每名参保人净负担的变化 =（自付变化）−（个人账户划入变化）；下降为受益，上升为受损；未变者不画。",
                                 "Against the baseline, each member's change of net position = (change in own shares) − (change in account credits); down is better off, up is worse off; members with no change are not drawn."))
        }

        func sweepChart() throws -> String {
            let pts = try db.query("SELECT variant_id, parameter, value FROM sweep_points ORDER BY variant_id, rowid").rows
            var params: [String] = []
            var byVariant: [Int64: [(String, Double)]] = [:]
            for r in pts {
                let p = r[1].text ?? ""
                if !params.contains(p) { params.append(p) }
                byVariant[r[0].int, default: []].append((p, r[2].double ?? .nan))
            }
            guard let xParam = params.first else {
                let svg = SVGChart.rows(id: "sweep", title: l("参数扫描", "Parameter sweep"), rows: [.init(label: l("（无扫描点）", "(no sweep points)"))],
                                        axis: SVGChart.Axis(values: [0, 1], format: { "\($0)" }), axisTitle: "")
                return figure(svg, l("本次扫描没有记录参数点。", "The sweep recorded no parameter points."))
            }
            // One series per combination of the other parameters' values.
            var series: [String: [(x: Double, y: Double, low: Double?, high: Double?)]] = [:], order: [String] = []
            for v in variants {
                guard let point = byVariant[v.id], let x = point.first(where: { $0.0 == xParam })?.1 else { continue }
                let key = point.filter { $0.0 != xParam }.map { "\($0.0)=\(ComparisonTable.grouped($0.1, $0.1 == $0.1.rounded() ? 0 : 2))" }
                    .joined(separator: ", ")
                let o = try level(v.id, "budget_outlay_fen")
                guard let m = o.mean else { continue }
                if series[key] == nil { order.append(key) }
                series[key, default: []].append((x, m / 1_000_000, o.low.map { $0 / 1_000_000 }, o.high.map { $0 / 1_000_000 }))
            }
            let list = order.enumerated().map { i, k in
                SVGChart.Series(name: k.isEmpty ? l("基金支出", "Fund outlay") : k, color: color(i), points: series[k] ?? [])
            }
            var refs: [SVGChart.Reference] = []
            var ys = list.flatMap { $0.points.flatMap { [$0.y, $0.low ?? $0.y, $0.high ?? $0.y] } }
            if let base = try level(0, "budget_outlay_fen").mean {
                refs.append(.init(value: base / 1_000_000, label: l("基线", "baseline") + " " + (variants.first?.name ?? ""), color: "#555"))
                ys.append(base / 1_000_000)
            }
            if let b = budgetFen {
                refs.append(.init(value: b / 1_000_000, label: l("预算", "budget") + " " + wan(b), color: "#c0392b"))
                ys.append(b / 1_000_000)
            }
            let xs = list.flatMap { $0.points.map(\.x) }
            let xAxis = SVGChart.Axis(values: xs, includeZero: false, format: { ComparisonTable.grouped($0, $0 == $0.rounded() ? 0 : 2) })
            let yAxis = SVGChart.Axis(values: ys, format: { ComparisonTable.grouped($0, 0) })
            let svg = SVGChart.line(id: "sweep", title: l("参数扫描：基金支出随 \(xParam) 变化", "Parameter sweep: fund outlay against \(xParam)"),
                                    series: list, xAxis: xAxis, yAxis: yAxis, xTitle: xParam,
                                    yTitle: l("基金支出（万元）", "Fund outlay (10,000 yuan)"), references: refs)
            return figure(svg, l("每点为该参数值下各次重复模拟的平均基金支出（\(benefitsLabel)），阴影为 95% 置信区间；所有点使用同一批参保人与就诊。",
                                 "Each point is the mean fund outlay (\(benefitsLabel)) over replications at that parameter value, the band its 95% confidence interval; every point uses the same members and visits."))
        }

        // MARK: parameter differences

        func differences() throws -> String {
            var s = "<section id=\"differences\"><h2>\(e(l("各方案与基线的参数差异", "Parameter differences against the baseline")))</h2>\n"
            guard let base = variants.first else { return s + "</section>\n" }
            s += "<p class=\"note\">\(e(l("基线", "Baseline"))) <b>\(e(base.name))</b>: <code>\(e(base.policyFile))</code></p>\n"
            for v in variants.dropFirst() {
                let rows = try db.query("SELECT path, baseline_value, variant_value, citation, changed_by FROM parameter_differences WHERE variant_id = ? ORDER BY rowid",
                                        [.integer(v.id)]).rows
                s += "<h3>\(e(v.name))</h3>"
                if let d = v.description, !d.isEmpty { s += "<p class=\"note\">\(e(d))</p>" }
                s += "<p class=\"note\">\(e(l("政策文件", "Policy file"))) <code>\(e(v.policyFile))</code>"
                if !v.reforms.isEmpty { s += " · \(e(l("改革", "reforms"))) \(e(v.reforms))" }
                s += "</p>"
                if rows.isEmpty {
                    s += "<p class=\"note\">\(e(l("无参数差异。", "No parameter differs.")))</p>\n"
                    continue
                }
                s += "<table><thead><tr><th>\(e(l("参数", "Parameter")))</th><th>\(e(l("基线值", "Baseline")))</th><th>\(e(l("方案值", "Variant")))</th>"
                s += "<th>\(e(l("条款 / 来源", "Article / source")))</th><th>\(e(l("修改者", "Changed by")))</th></tr></thead><tbody>\n"
                for r in rows {
                    s += "<tr><td><code>\(e(r[0].text ?? ""))</code></td><td>\(e(r[1].text ?? "—"))</td><td>\(e(r[2].text ?? "—"))</td>"
                    s += "<td>\(e(r[3].text ?? ""))</td><td>\(e(r[4].text ?? ""))</td></tr>\n"
                }
                s += "</tbody></table>\n"
            }
            return s + "</section>\n"
        }

        // MARK: methods

        func methods() throws -> String {
            var s = "<section id=\"methods\"><h2>\(e(l("方法与假设", "Methods and assumptions")))</h2>\n"
            s += "<p>" + e(l("参保人与就诊由校准文件合成（\(text("calibration_file"))），每次重复模拟抽取一个人群及其一年就诊，并在所有方案下结算（共同随机数），故方案间差异只来自政策。跨重复模拟：均值、标准差、均值的 95% 置信区间（Student t）、分位数（GSL 定义）；超预算占比的区间为 Wilson 区间。",
                             "Members and visits are synthetic, drawn from the calibration (\(text("calibration_file"))). Each replication draws one population and its year of visits and adjudicates it under every variant (common random numbers), so differences between variants come from the policy alone. Across replications: mean, SD, the 95% confidence interval of the mean (Student t), quantiles (GSL's definition); the overrun share's interval is Wilson's.")) + "</p>\n"
            s += "<table><tbody>"
            func row(_ k: String, _ v: String) -> String { "<tr><th>\(e(k))</th><td>\(e(v))</td></tr>" }
            s += row(l("情景文件", "Scenario file"), text("scenario_file"))
            s += row(l("参保人数", "Members"), ComparisonTable.grouped(run["members"]?.double ?? 0, 0))
            s += row(l("重复模拟", "Replications"), "\(run["replications_done"]?.int ?? 0) / \(run["replications_planned"]?.int ?? 0)")
            s += row(l("随机种子", "Seed"), "\(run["seed"]?.int ?? 0)")
            s += row(l("程序版本", "Code version"), text("code_version"))
            s += row(l("命令", "Command"), text("command"))
            s += row(l("开始 / 结束", "Started / finished"), text("started_at") + " / " + text("finished_at"))
            if let b = budgetFen {
                s += row(l("预算", "Budget"), wan(b) + " 万元" + (l.language == .zh ? "" : " (10,000 yuan)") + " · " + benefitsLabel)
                s += row(l("预算来源", "Budget source"), run["budget_source"]?.text ?? l("未说明来源", "no source given"))
            } else {
                s += row(l("预算", "Budget"), l("未设定", "none set"))
            }
            s += "</tbody></table>\n"

            // Files read by the run, with whether they still match.
            let files = try db.query("SELECT path, role, sha256, bytes FROM files ORDER BY rowid").rows
            s += "<h3>\(e(l("运行读取的文件", "Files the run read")))</h3><table><thead><tr><th>\(e(l("文件", "File")))</th><th>\(e(l("角色", "Role")))</th>"
            s += "<th>SHA-256</th><th>\(e(l("现状", "Now")))</th></tr></thead><tbody>\n"
            var missing: [String] = []
            for f in files {
                let p = f[0].text ?? "", hash = f[2].text ?? ""
                var now: String
                if let data = FileManager.default.contents(atPath: p) {
                    now = SHA256.hex(data) == hash ? l("未变", "unchanged") : l("已改动", "changed since the run")
                } else {
                    now = l("缺失", "missing")
                    missing.append(p)
                }
                s += "<tr><td><code>\(e(p))</code></td><td>\(e(f[1].text ?? ""))</td><td><code>\(e(String(hash.prefix(16))))…</code></td><td>\(e(now))</td></tr>\n"
            }
            s += "</tbody></table>\n"

            // Every assumed value with its source.
            var assumed: [Assumed] = [], problems: [String] = [], seen = Set<String>()
            func add(_ a: Assumed) { if seen.insert(a.origin + "\u{0}" + a.path).inserted { assumed.append(a) } }
            for f in files {
                let p = f[0].text ?? "", role = f[1].text ?? ""
                guard FileManager.default.fileExists(atPath: p), ["policy", "calibration", "reform"].contains(role) else { continue }
                do {
                    switch role {
                    case "policy":
                        let policy = try Policy.load(path: p)
                        for t in policy.periodTrees { t.forEachParameter { path, q in if q.assumed { add(Self.assumed(path, q)) } } }
                    case "calibration":
                        let c = try Calibration.load(path: p)
                        c.tree.forEachParameter { path, q in if q.assumed { add(Self.assumed(path, q)) } }
                    default:
                        let o = try Overlay.load(path: p)
                        for entry in o.entries {
                            if let q = entry.replacement, q.assumed { add(Self.assumed(entry.path, q)) }
                        }
                    }
                } catch {
                    problems.append("\(p): \(error)")
                }
            }
            s += "<h3>\(e(l("假设值及其来源", "Assumed values and their sources")))</h3>\n"
            s += "<p class=\"note\">\(e(l("政策文本未规定、由本模型设定的值（assumed: true），连同其来源说明。", "Values the policy texts do not give and the model sets (assumed: true), with the source of each.")))</p>\n"
            for p in missing {
                s += "<p class=\"warn\">\(e(l("文件缺失，无法列出其假设值：", "File missing, its assumed values cannot be listed: ")))<code>\(e(p))</code></p>\n"
            }
            for p in problems {
                s += "<p class=\"warn\">\(e(l("文件无法读取：", "File could not be read: ")))\(e(p))</p>\n"
            }
            if assumed.isEmpty {
                s += "<p class=\"note\">\(e(l("没有找到假设值。", "No assumed values found.")))</p>\n"
            } else {
                s += "<table id=\"assumed\"><thead><tr><th>\(e(l("参数", "Parameter")))</th><th>\(e(l("值", "Value")))</th><th>\(e(l("来源", "Source")))</th>"
                s += "<th>\(e(l("位置", "Where")))</th></tr></thead><tbody>\n"
                for a in assumed {
                    s += "<tr><td><code>\(e(a.path))</code></td><td>\(e(a.value))</td><td>\(e(a.source))</td><td><code>\(e(a.origin))</code></td></tr>\n"
                }
                s += "</tbody></table>\n"
            }
            return s + "</section>\n"
        }

        static func assumed(_ path: String, _ p: Parameter) -> Assumed {
            let origin = URL(fileURLWithPath: p.origin.file).lastPathComponent + (p.origin.line.map { ":\($0)" } ?? "")
            return Assumed(path: path, value: p.value.text + (p.unit.map { " " + $0 } ?? ""), source: p.source ?? "—", origin: origin)
        }
    }
}
