import Foundation
import Results
import Simulation
import XCTest

/// The HTML report: every variant, the headline figures as the store has them, one inline SVG per
/// chart, nothing fetched from the network, balanced tags; a sweep adds its curve; a file that is
/// not a run store is refused and a missing policy file is reported in the page.
final class ReportTests: ScratchTestCase {
    func record(_ text: String, kind: String = "run", sweep: [[(parameter: String, value: Double)]] = []) throws -> String {
        let x = try Experiment(try Scenario.parse(text, file: try write("test.yaml", text)))
        let out = path("run.sqlite")
        XCTAssertTrue(try RunRecorder.record(x, to: out, threads: 2, kind: kind, command: "test", sweep: sweep))
        return out
    }

    var reforms: String {
        """
          - name: cap-2000
            set: {ordinary.annual_cap: 2000}
          - name: deductible-low
            set: {ordinary.deductible: {value: {tier1: 50, tier2: 100, tier3: 150}, unit: yuan}}

        """
    }

    func smallRun() throws -> String {
        try record(scenario(members: 2000, replications: 3, seed: 7, reforms: reforms,
                            extra: "budget: {value: 700000, unit: yuan, benefits: [ordinary], source: \"a test budget\"}\n"))
    }

    func testReportHasEveryVariantTheStoresHeadlineFiguresAndItsCharts() throws {
        let store = try smallRun()
        let html = try Report.render(path: store)
        let db = try Database(path: store, create: false, readOnly: true)
        defer { db.close() }
        func wan(_ fen: Double?) -> String { fen.map { ComparisonTable.grouped($0 / 1_000_000, 1) } ?? "—" }
        for row in try db.query("SELECT variant_id, name FROM variants ORDER BY variant_id").rows {
            guard case .integer(let v) = row[0], case .text(let name) = row[1] else { return XCTFail("variants row \(row)") }
            XCTAssertTrue(html.contains(name), name)
            // The headline row of this variant holds the store's mean, interval and fund needed.
            guard let start = html.range(of: "<tr data-variant=\"\(name)\">") else { XCTFail("no headline row for \(name)"); continue }
            let line = String(html[start.upperBound...].prefix { $0 != "\n" })
            let s = try db.query("SELECT mean, ci_low, ci_high FROM summary WHERE variant_id = ? AND metric = 'budget_outlay_fen' AND kind = 'level'",
                                 [.integer(v)]).rows[0]
            let f = try db.query("SELECT need95_fen, need99_fen, overrun_share FROM fund_sizing WHERE variant_id = ?", [.integer(v)]).rows[0]
            XCTAssertTrue(line.contains(">\(wan(s[0].number))<"), "\(name) mean \(wan(s[0].number)) in \(line)")
            XCTAssertTrue(line.contains("[\(wan(s[1].number)), \(wan(s[2].number))]"), "\(name) interval in \(line)")
            XCTAssertTrue(line.contains(">\(wan(f[0].number))<"), "\(name) need95 in \(line)")
            XCTAssertTrue(line.contains(">\(wan(f[1].number))<"), "\(name) need99 in \(line)")
            let overrun = String(format: "%.1f%%", (f[2].number ?? .nan) * 100)
            XCTAssertTrue(line.contains(">\(overrun) ["), "\(name) overrun \(overrun) in \(line)")
        }
        XCTAssertEqual(charts(html), ["outlay", "burden", "winners"])
        XCTAssertTrue(html.contains("a test budget"), "the budget's source is in the methods")
        XCTAssertTrue(html.contains("基金支出 Fund outlay"), "labels in both languages by default")
        assertSelfContained(html)
        assertBalanced(html)
    }

    func testSweepReportHasTheSweepCurve() throws {
        let store = try record(scenario(members: 1500, replications: 2, seed: 3, reforms: """
              - name: cap-1500
                set: {ordinary.annual_cap: 1500}
              - name: cap-2500
                set: {ordinary.annual_cap: 2500}

            """), kind: "sweep", sweep: [[], [("ordinary.annual_cap", 1500)], [("ordinary.annual_cap", 2500)]])
        let html = try Report.render(path: store, language: .en)
        XCTAssertEqual(charts(html), ["outlay", "sweep", "burden", "winners"])
        XCTAssertTrue(html.contains("Parameter sweep: fund outlay against ordinary.annual_cap"))
        XCTAssertFalse(html.contains("基金支出"), "--lang en has English labels only")
        assertSelfContained(html)
        assertBalanced(html)
    }

    func testAFileThatIsNotARunStoreIsRefused() throws {
        let text = try write("notes.sqlite", "just some text, not a database\n")
        let other = path("other.sqlite")
        let db = try Database(path: other)
        try db.execute("CREATE TABLE t (x INTEGER)")
        db.close()
        for p in [text, other, path("absent.sqlite")] {
            XCTAssertThrowsError(try Report.render(path: p), p) { error in
                XCTAssertTrue("\(error)".contains("not a PoolSim run store") || "\(error)".contains("no such file"), "\(error)")
            }
        }
    }

    func testAMissingPolicyFileIsReportedNotFatal() throws {
        let copy = path("yanbian-copy.yaml")
        try FileManager.default.copyItem(atPath: Repo.policy("yanbian"), toPath: copy)
        let store = try record(scenario(members: 1000, replications: 2).replacingOccurrences(of: Repo.policy("yanbian"), with: copy))
        try FileManager.default.removeItem(atPath: copy)
        let html = try Report.render(path: store, language: .en)
        XCTAssertTrue(html.contains("File missing, its assumed values cannot be listed"))
        XCTAssertTrue(html.contains(copy))
        // The calibration is still there: its assumed values are listed.
        XCTAssertTrue(html.contains("<table id=\"assumed\">"))
    }

    // MARK: helpers

    /// The `data-chart` ids of the `<svg>` elements, in order; every `<svg` has one.
    func charts(_ html: String) -> [String] {
        let parts = html.components(separatedBy: "<svg").dropFirst()
        return parts.map { p in
            let tag = p.prefix { $0 != ">" }
            guard let r = tag.range(of: "data-chart=\"") else { return "?" }
            return String(tag[r.upperBound...].prefix { $0 != "\"" })
        }
    }

    /// No scripts, stylesheets, fonts or images from elsewhere: no URL in any tag (text may
    /// mention one).
    func assertSelfContained(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
        for tag in tags(html) {
            let t = tag.lowercased()
            XCTAssertFalse(t.contains("http://") || t.contains("https://") || t.contains("src=") || t.contains("href="),
                           "a reference in \(tag)", file: file, line: line)
            XCTAssertFalse(t.hasPrefix("<script") || t.hasPrefix("<link") || t.hasPrefix("<img") || t.hasPrefix("<iframe"),
                           String(tag), file: file, line: line)
        }
        XCTAssertFalse(html.contains("@import") || html.contains("url("), "a CSS reference", file: file, line: line)
    }

    /// Every element that is opened is closed, in order (HTML void elements and `/>` aside).
    func assertBalanced(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
        let void: Set<String> = ["meta", "br", "hr", "img", "input", "link", "!doctype"]
        var stack: [String] = []
        for tag in tags(html) {
            let body = tag.dropFirst().dropLast()
            if body.hasSuffix("/") { continue }
            let closing = body.hasPrefix("/")
            let name = String(body.drop { $0 == "/" }.prefix { !$0.isWhitespace }).lowercased()
            if void.contains(name) { continue }
            if closing {
                guard stack.last == name else {
                    return XCTFail("</\(name)> closes <\(stack.last ?? "nothing")>", file: file, line: line)
                }
                stack.removeLast()
            } else {
                stack.append(name)
            }
        }
        XCTAssertEqual(stack, [], "unclosed elements", file: file, line: line)
        XCTAssertEqual(html.components(separatedBy: "<svg").count, html.components(separatedBy: "</svg>").count, file: file, line: line)
    }

    /// The tags of a document (text between tags skipped; our text never holds a raw `<`).
    func tags(_ html: String) -> [Substring] {
        var out: [Substring] = []
        var i = html.startIndex
        while let open = html[i...].firstIndex(of: "<") {
            guard let close = html[open...].firstIndex(of: ">") else { break }
            out.append(html[open...close])
            i = html.index(after: close)
        }
        return out
    }
}

extension SQLValue {
    var number: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .real(let d): d
        default: nil
        }
    }
}
