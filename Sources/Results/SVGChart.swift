import Foundation

/// Small inline-SVG chart builders for the HTML report: a row chart (one labelled row per
/// category, a numeric x axis, and marks in each row: dots, bars, intervals, ticks, markers) and a
/// line chart with an interval band. Plain strings, no external fonts, scripts or styles; every
/// text is XML-escaped. Each chart's `<svg>` carries `data-chart="ID"` so checks can find it.
public enum SVGChart {
    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
                                 "#7f7f7f", "#bcbd22"]
    static let font = "font-family=\"'Noto Sans CJK SC','WenQuanYi Micro Hei','PingFang SC','Microsoft YaHei',sans-serif\""

    /// Escapes text for XML/HTML content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    static func n(_ x: Double) -> String { String(format: "%.1f", x) }

    // MARK: axes

    public enum Scale: Sendable {
        case linear
        /// Base-10 logarithmic; values ≤ 0 are drawn at the axis minimum.
        case log
    }

    /// A numeric axis: domain, scale and tick positions with their labels.
    public struct Axis {
        public var low: Double, high: Double, scale: Scale
        public var ticks: [Double]
        public var format: (Double) -> String

        public init(values: [Double], scale: Scale = .linear, includeZero: Bool = true, format: @escaping (Double) -> String) {
            self.scale = scale
            self.format = format
            let finite = values.filter(\.isFinite)
            switch scale {
            case .linear:
                var lo = finite.min() ?? 0, hi = finite.max() ?? 1
                if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
                if hi - lo < 1e-12 * max(abs(hi), 1) { lo -= max(abs(lo) * 0.1, 1); hi += max(abs(hi) * 0.1, 1) }
                let step = Self.niceStep((hi - lo) / 5)
                low = (lo / step).rounded(.down) * step
                high = (hi / step).rounded(.up) * step
                ticks = stride(from: low, through: high + step * 1e-9, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
            case .log:
                let pos = finite.filter { $0 > 0 }
                let lo = pos.min() ?? 1, hi = max(pos.max() ?? 10, lo * 10)
                low = pow(10, log10(lo).rounded(.down))
                high = pow(10, log10(hi).rounded(.up))
                var t: [Double] = []
                var d = low
                while d <= high * 1.0001 {
                    for m in [1.0, 2, 5] where d * m <= high * 1.0001 { t.append(d * m) }
                    d *= 10
                }
                ticks = t
            }
        }

        /// 1, 2, 2.5 or 5 times a power of ten, at least `raw`.
        static func niceStep(_ raw: Double) -> Double {
            guard raw > 0, raw.isFinite else { return 1 }
            let p = pow(10, log10(raw).rounded(.down))
            for m in [1.0, 2, 2.5, 5, 10] where m * p >= raw * 0.999 { return m * p }
            return 10 * p
        }

        /// The value's position in [0, 1] along the axis.
        public func fraction(_ x: Double) -> Double {
            switch scale {
            case .linear: return high > low ? (x - low) / (high - low) : 0
            case .log:
                guard x > 0 else { return 0 }
                return max(0, (log10(x) - log10(low)) / (log10(high) - log10(low)))
            }
        }
    }

    // MARK: row chart

    public enum Mark {
        /// One dot per value (jittered vertically within the row, deterministically).
        case dots([Double], color: String)
        /// A bar from `from` to `to`.
        case bar(from: Double, to: Double, color: String, label: String?)
        /// A thin line from low to high with end caps.
        case interval(Double, Double, color: String)
        /// A tall vertical tick (a mean, a median).
        case tick(Double, color: String)
        /// A small marker: "circle", "diamond", "square", "triangle" or "bar".
        case marker(Double, shape: String, color: String, title: String?)
    }

    public struct Row {
        public var label: String
        /// A heading row (bold label, no marks) that starts a group of rows.
        public var heading: Bool
        public var marks: [Mark]
        public init(label: String, heading: Bool = false, marks: [Mark] = []) {
            self.label = label; self.heading = heading; self.marks = marks
        }
    }

    public struct Reference {
        public var value: Double, label: String, color: String
        public init(value: Double, label: String, color: String = "#444") { self.value = value; self.label = label; self.color = color }
    }

    public struct LegendEntry {
        public var label: String, color: String, shape: String
        public init(_ label: String, color: String, shape: String = "square") { self.label = label; self.color = color; self.shape = shape }
    }

    /// Horizontal rows with a common x axis. `axisTitle` goes under the axis.
    public static func rows(id: String, title: String, rows: [Row], axis: Axis, axisTitle: String,
                            references: [Reference] = [], legend: [LegendEntry] = [], width: Double = 960,
                            rowHeight: Double = 22) -> String {
        let labelWidth = min(360, max(120, Double(rows.map { displayWidth($0.label) }.max() ?? 10) * 7 + 16))
        let left = labelWidth, right = 24.0, top = 36.0 + (legend.isEmpty ? 0 : 20) + (references.isEmpty ? 0 : 14)
        let plotW = width - left - right
        let plotH = Double(rows.count) * rowHeight
        let height = top + plotH + 48
        func x(_ v: Double) -> Double { left + plotW * min(1, max(0, axis.fraction(v))) }
        var s = header(id: id, width: width, height: height, title: title)
        s += legendSVG(legend, x: left, y: 40)
        // Zebra stripes and row labels.
        for (i, r) in rows.enumerated() {
            let y = top + Double(i) * rowHeight
            if r.heading {
                s += "<rect x=\"0\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(rowHeight))\" fill=\"#eef2f7\"/>"
                s += text(8, y + rowHeight * 0.7, r.label, size: 12, weight: "bold")
            } else {
                if i % 2 == 1 { s += "<rect x=\"\(n(left))\" y=\"\(n(y))\" width=\"\(n(plotW))\" height=\"\(n(rowHeight))\" fill=\"#fafafa\"/>" }
                s += text(left - 8, y + rowHeight * 0.68, r.label, size: 12, anchor: "end")
            }
        }
        // Grid and ticks.
        for t in axis.ticks {
            let xt = x(t)
            s += "<line x1=\"\(n(xt))\" y1=\"\(n(top))\" x2=\"\(n(xt))\" y2=\"\(n(top + plotH))\" stroke=\"#ddd\" stroke-width=\"1\"/>"
            s += text(xt, top + plotH + 16, axis.format(t), size: 11, anchor: "middle")
        }
        s += "<line x1=\"\(n(left))\" y1=\"\(n(top + plotH))\" x2=\"\(n(left + plotW))\" y2=\"\(n(top + plotH))\" stroke=\"#333\"/>"
        s += text(left + plotW / 2, top + plotH + 36, axisTitle, size: 12, anchor: "middle")
        // Marks.
        for (i, r) in rows.enumerated() where !r.heading {
            let y0 = top + Double(i) * rowHeight, mid = y0 + rowHeight / 2
            for m in r.marks {
                switch m {
                case .dots(let values, let color):
                    for (k, v) in values.enumerated() where v.isFinite {
                        let jitter = (Double((k * 7919) % 11) / 10 - 0.5) * rowHeight * 0.5
                        s += "<circle cx=\"\(n(x(v)))\" cy=\"\(n(mid + jitter))\" r=\"3\" fill=\"\(color)\" fill-opacity=\"0.55\"/>"
                    }
                case .bar(let a, let b, let color, let label):
                    let xa = x(min(a, b)), xb = x(max(a, b))
                    s += "<rect x=\"\(n(xa))\" y=\"\(n(y0 + rowHeight * 0.18))\" width=\"\(n(max(xb - xa, 0.5)))\" height=\"\(n(rowHeight * 0.64))\" fill=\"\(color)\"/>"
                    if let label, xb - xa > 34 {
                        s += text((xa + xb) / 2, mid + 4, label, size: 10, anchor: "middle", fill: "#fff")
                    }
                case .interval(let a, let b, let color):
                    let xa = x(a), xb = x(b), h = rowHeight * 0.25
                    s += "<path d=\"M\(n(xa)) \(n(mid))H\(n(xb))M\(n(xa)) \(n(mid - h))V\(n(mid + h))M\(n(xb)) \(n(mid - h))V\(n(mid + h))\" stroke=\"\(color)\" stroke-width=\"1.5\" fill=\"none\"/>"
                case .tick(let v, let color):
                    s += "<line x1=\"\(n(x(v)))\" y1=\"\(n(y0 + 2))\" x2=\"\(n(x(v)))\" y2=\"\(n(y0 + rowHeight - 2))\" stroke=\"\(color)\" stroke-width=\"2.5\"/>"
                case .marker(let v, let shape, let color, let title):
                    s += marker(x(v), mid, shape: shape, color: color, title: title)
                }
            }
        }
        for ref in references {
            let xr = x(ref.value)
            s += "<line x1=\"\(n(xr))\" y1=\"\(n(top - 4))\" x2=\"\(n(xr))\" y2=\"\(n(top + plotH))\" stroke=\"\(ref.color)\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>"
            s += text(min(xr + 4, width - 4), top - 6, ref.label, size: 11, anchor: xr > left + plotW * 0.7 ? "end" : "start", fill: ref.color)
        }
        return s + "</svg>"
    }

    // MARK: line chart

    public struct Series {
        public var name: String, color: String
        public var points: [(x: Double, y: Double, low: Double?, high: Double?)]
        public init(name: String, color: String, points: [(x: Double, y: Double, low: Double?, high: Double?)]) {
            self.name = name; self.color = color; self.points = points
        }
    }

    /// Lines through each series' points (sorted by x) with a shaded low–high band and a dot per
    /// point; optional horizontal reference lines.
    public static func line(id: String, title: String, series: [Series], xAxis: Axis, yAxis: Axis, xTitle: String, yTitle: String,
                            references: [Reference] = [], width: Double = 960, height: Double = 420) -> String {
        let left = 86.0, right = 24.0, top = series.count > 1 || !references.isEmpty ? 58.0 : 40.0, bottom = 56.0
        let plotW = width - left - right, plotH = height - top - bottom
        func x(_ v: Double) -> Double { left + plotW * min(1, max(0, xAxis.fraction(v))) }
        func y(_ v: Double) -> Double { top + plotH * (1 - min(1, max(0, yAxis.fraction(v)))) }
        var s = header(id: id, width: width, height: height, title: title)
        var legend = series.count > 1 ? series.map { LegendEntry($0.name, color: $0.color, shape: "line") } : []
        legend += references.map { LegendEntry($0.label, color: $0.color, shape: "dash") }
        s += legendSVG(legend, x: left, y: 40)
        for t in yAxis.ticks {
            s += "<line x1=\"\(n(left))\" y1=\"\(n(y(t)))\" x2=\"\(n(left + plotW))\" y2=\"\(n(y(t)))\" stroke=\"#ddd\"/>"
            s += text(left - 6, y(t) + 4, yAxis.format(t), size: 11, anchor: "end")
        }
        for t in xAxis.ticks {
            s += "<line x1=\"\(n(x(t)))\" y1=\"\(n(top + plotH))\" x2=\"\(n(x(t)))\" y2=\"\(n(top + plotH + 5))\" stroke=\"#333\"/>"
            s += text(x(t), top + plotH + 18, xAxis.format(t), size: 11, anchor: "middle")
        }
        s += "<path d=\"M\(n(left)) \(n(top))V\(n(top + plotH))H\(n(left + plotW))\" stroke=\"#333\" fill=\"none\"/>"
        s += text(left + plotW / 2, height - 10, xTitle, size: 12, anchor: "middle")
        s += "<text x=\"14\" y=\"\(n(top + plotH / 2))\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(n(top + plotH / 2)))\" \(font)>\(escape(yTitle))</text>"
        for ref in references {
            s += "<line x1=\"\(n(left))\" y1=\"\(n(y(ref.value)))\" x2=\"\(n(left + plotW))\" y2=\"\(n(y(ref.value)))\" stroke=\"\(ref.color)\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>"
        }
        for se in series {
            let p = se.points.filter { $0.x.isFinite && $0.y.isFinite }.sorted { $0.x < $1.x }
            guard !p.isEmpty else { continue }
            let band = p.compactMap { q in q.high.map { (q.x, $0) } }, lowBand = p.compactMap { q in q.low.map { (q.x, $0) } }
            if band.count == p.count && lowBand.count == p.count && p.count > 1 {
                let upper = band.map { "\(n(x($0.0))) \(n(y($0.1)))" }, lower = lowBand.reversed().map { "\(n(x($0.0))) \(n(y($0.1)))" }
                s += "<path d=\"M\((upper + lower).joined(separator: "L"))Z\" fill=\"\(se.color)\" fill-opacity=\"0.15\" stroke=\"none\"/>"
            }
            s += "<path d=\"M\(p.map { "\(n(x($0.x))) \(n(y($0.y)))" }.joined(separator: "L"))\" stroke=\"\(se.color)\" stroke-width=\"2\" fill=\"none\"/>"
            for q in p {
                s += "<circle cx=\"\(n(x(q.x)))\" cy=\"\(n(y(q.y)))\" r=\"3.5\" fill=\"\(se.color)\"><title>\(escape("\(xAxis.format(q.x)): \(yAxis.format(q.y))"))</title></circle>"
            }
        }
        return s + "</svg>"
    }

    // MARK: pieces

    static func header(id: String, width: Double, height: Double, title: String) -> String {
        "<svg data-chart=\"\(escape(id))\" role=\"img\" aria-label=\"\(escape(title))\" "
            + "viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" \(font)>"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
            + text(8, 22, title, size: 15, weight: "bold")
    }

    static func text(_ x: Double, _ y: Double, _ s: String, size: Double, anchor: String = "start", weight: String = "normal",
                     fill: String = "#222") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\""
            + (weight == "normal" ? "" : " font-weight=\"\(weight)\"") + " fill=\"\(fill)\">\(escape(s))</text>"
    }

    static func marker(_ x: Double, _ y: Double, shape: String, color: String, title: String?) -> String {
        let t = title.map { "<title>\(escape($0))</title>" } ?? ""
        let open: String
        switch shape {
        case "diamond": open = "<path d=\"M\(n(x)) \(n(y - 5))L\(n(x + 5)) \(n(y))L\(n(x)) \(n(y + 5))L\(n(x - 5)) \(n(y))Z\" fill=\"\(color)\""
        case "square": open = "<rect x=\"\(n(x - 4))\" y=\"\(n(y - 4))\" width=\"8\" height=\"8\" fill=\"\(color)\""
        case "triangle": open = "<path d=\"M\(n(x)) \(n(y - 5))L\(n(x + 5)) \(n(y + 4))L\(n(x - 5)) \(n(y + 4))Z\" fill=\"\(color)\""
        case "bar": open = "<rect x=\"\(n(x - 1.5))\" y=\"\(n(y - 7))\" width=\"3\" height=\"14\" fill=\"\(color)\""
        default: open = "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"4\" fill=\"\(color)\""
        }
        return t.isEmpty ? open + "/>" : open + ">" + t + (open.hasPrefix("<circle") ? "</circle>" : open.hasPrefix("<rect") ? "</rect>" : "</path>")
    }

    static func legendSVG(_ entries: [LegendEntry], x: Double, y: Double) -> String {
        var s = "", cx = x
        for e in entries {
            switch e.shape {
            case "line": s += "<line x1=\"\(n(cx))\" y1=\"\(n(y))\" x2=\"\(n(cx + 16))\" y2=\"\(n(y))\" stroke=\"\(e.color)\" stroke-width=\"2.5\"/>"
            case "dash": s += "<line x1=\"\(n(cx))\" y1=\"\(n(y))\" x2=\"\(n(cx + 16))\" y2=\"\(n(y))\" stroke=\"\(e.color)\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>"
            case "square": s += "<rect x=\"\(n(cx + 3))\" y=\"\(n(y - 5))\" width=\"10\" height=\"10\" fill=\"\(e.color)\"/>"
            default: s += marker(cx + 8, y, shape: e.shape, color: e.color, title: nil)
            }
            s += text(cx + 21, y + 4, e.label, size: 11)
            cx += 21 + Double(displayWidth(e.label)) * 6.2 + 16
        }
        return s
    }

    /// Approximate width in Latin-character units: CJK characters count double.
    static func displayWidth(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x2E80 ? 2 : 1) }
    }
}
