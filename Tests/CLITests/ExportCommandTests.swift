import Foundation
import Results
import XCTest

/// `poolsim export` as a user runs it: CSV tables and the notebook of a tiny run, and the example
/// notebook in notebooks-export/ against a fresh export of its committed store.
final class ExportCommandTests: CommandTestCase {
    func writeScenario() throws -> String {
        let text = """
        name: tiny
        title: "延边州 tiny, \\"quoted\\": 门诊共济"
        population:
          calibration: \(repo("datasets/calibration/yanbian-fitted.yaml"))
          members: 300
        replications: 2
        seed: 8
        baseline:
          name: rules-2023
          policy: \(repo("datasets/policies/yanbian.yaml"))
        reforms:
          - name: cap-2000
            set: {ordinary.annual_cap: 2000}
        budget: {value: 100000, unit: yuan, benefits: [ordinary], source: "a test figure"}

        """
        return try write("tiny.yaml", text)
    }

    /// Two variants, a title with a comma, quotes and Chinese text (a field that must be quoted),
    /// and a reform without description (a NULL).
    func tinyStore(sweep: Bool = false) throws -> String {
        let scenario = try writeScenario()
        let out = path(sweep ? "sweep.sqlite" : "tiny.sqlite")
        let args = sweep ? ["sweep", scenario, "--param", "ordinary.annual_cap=1000:2000:1000", "--out", out, "--threads", "2"]
                         : ["run", scenario, "--out", out, "--threads", "2"]
        let r = try run(args)
        XCTAssertEqual(r.status, 0, r.stderr)
        return out
    }

    /// RFC 4180 records (quoted fields may hold commas, doubled quotes and line breaks).
    static func parseCSV(_ text: String) -> [[String?]] {
        var rows: [[String?]] = [], row: [String?] = [], field = "", quoted = false, inQuotes = false
        var it = Array(text.unicodeScalars)[...]
        func endField() { row.append(quoted || !field.isEmpty ? field : nil); field = ""; quoted = false }
        while let c = it.popFirst() {
            if inQuotes {
                if c == "\"" {
                    if it.first == "\"" { it.removeFirst(); field.unicodeScalars.append("\"") } else { inQuotes = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" { inQuotes = true; quoted = true }
            else if c == "," { endField() }
            else if c == "\n" { endField(); rows.append(row); row = [] }
            else { field.unicodeScalars.append(c) }
        }
        return rows
    }

    func testCSVExportsEveryTableWithItsColumnsAndRows() throws {
        let store = try tinyStore()
        let dir = path("csv")
        let r = try run(["export", store, "--csv", dir])
        XCTAssertEqual(r.status, 0, r.stderr)
        let db = try Database(path: store, create: false, readOnly: true)
        let tables = try db.tableNames()
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), Set(tables.map { $0 + ".csv" }),
                       "one file per table, nothing else (no temporary files)")
        for t in tables {
            let text = try String(contentsOfFile: dir + "/\(t).csv", encoding: .utf8)
            let rows = Self.parseCSV(text)
            let columns = try db.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", [.text(t)]).rows.map { row -> String? in if case .text(let s) = row[0] { s } else { nil } }
            XCTAssertEqual(rows.first ?? [], columns, "\(t): header = the store's columns")
            let count = try db.scalar("SELECT count(*) FROM \"\(t)\"")
            XCTAssertEqual(SQLValue.integer(Int64(rows.count - 1)), count, "\(t): one line per row")
            XCTAssertTrue(text.isEmpty || text.hasSuffix("\n"))
            // Every cell reads back as the stored value.
            // Rows come in primary-key order (rowid where the table has none).
            let pk = try db.query("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", [.text(t)]).rows
                .compactMap { row -> String? in if case .text(let s) = row[0] { "\"\(s)\"" } else { nil } }
            let stored = try db.query("SELECT * FROM \"\(t)\" ORDER BY \(pk.isEmpty ? "rowid" : pk.joined(separator: ", "))").rows
            for (i, values) in stored.enumerated() {
                for (j, v) in values.enumerated() {
                    let cell = rows[i + 1][j]
                    switch v {
                    case .null: XCTAssertNil(cell, "\(t) row \(i) col \(j): NULL is an empty field")
                    case .integer(let n): XCTAssertEqual(cell, String(n), "\(t): integers as integers")
                    case .real(let d): XCTAssertEqual(cell.flatMap(Double.init), d, "\(t): reals round-trip")
                    case .text(let s): XCTAssertEqual(cell, s, "\(t): text")
                    case .blob: XCTFail("no blobs in a run store")
                    }
                }
            }
        }
        let run = try String(contentsOfFile: dir + "/run.csv", encoding: .utf8)
        XCTAssertTrue(run.contains(",\"延边州 tiny, \"\"quoted\"\": 门诊共济\","), "comma and quotes quoted, quotes doubled:\n\(run.prefix(400))")
        let variants = try String(contentsOfFile: dir + "/variants.csv", encoding: .utf8)
        XCTAssertTrue(variants.split(separator: "\n")[2].hasPrefix("1,cap-2000,,0,"), "NULL description is empty:\n\(variants)")
        XCTAssertEqual(Self.parseCSV(try String(contentsOfFile: dir + "/sweep_points.csv", encoding: .utf8)),
                       [["variant_id", "parameter", "value"]], "an empty table still has its header")

        // --table writes one file; a second export is byte-identical.
        let one = path("one")
        XCTAssertEqual(try self.run(["export", store, "--csv", one, "--table", "summary"]).status, 0)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: one), ["summary.csv"])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: one + "/summary.csv")),
                       try Data(contentsOf: URL(fileURLWithPath: dir + "/summary.csv")))
    }

    func testCSVUnknownTableFailsAndListsTheTables() throws {
        let store = try tinyStore()
        let r = try run(["export", store, "--csv", path("csv"), "--table", "outlays"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("no table 'outlays'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("fund_sizing, histogram_bins"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("csv/outlays.csv")))
        let notStore = path("plain.txt")
        try "hello".write(toFile: notStore, atomically: true, encoding: .utf8)
        XCTAssertEqual(try run(["export", notStore, "--csv", path("csv")]).status, 1)
    }

    func notebook(_ store: String, _ name: String) throws -> (bytes: Data, json: [String: Any]) {
        let file = path("nb/\(name).ipynb")
        let r = try run(["export", store, "--notebook", file])
        XCTAssertEqual(r.status, 0, r.stderr)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        return (bytes, try XCTUnwrap(try JSONSerialization.jsonObject(with: bytes) as? [String: Any]))
    }

    func testNotebookIsValidNbformatAndStable() throws {
        let store = try tinyStore()
        let (bytes, nb) = try notebook(store, "tiny")
        XCTAssertEqual(nb["nbformat"] as? Int, 4)
        XCTAssertEqual(nb["nbformat_minor"] as? Int, 5)
        let meta = try XCTUnwrap(nb["metadata"] as? [String: Any])
        XCTAssertEqual((meta["kernelspec"] as? [String: Any])?["name"] as? String, "python3")
        XCTAssertEqual((meta["language_info"] as? [String: Any])?["name"] as? String, "python")
        let cells = try XCTUnwrap(nb["cells"] as? [[String: Any]])
        var ids = Set<String>()
        for c in cells {
            let id = try XCTUnwrap(c["id"] as? String)
            XCTAssertTrue(ids.insert(id).inserted, "cell ids are unique")
            XCTAssertNotNil(id.range(of: "^[a-zA-Z0-9_-]{1,64}$", options: .regularExpression), id)
            XCTAssertTrue(["code", "markdown"].contains(c["cell_type"] as? String ?? ""))
            XCTAssertNotNil(c["source"] as? [String])
            if c["cell_type"] as? String == "code" {
                XCTAssertTrue(c["execution_count"] is NSNull)
                XCTAssertEqual((c["outputs"] as? [Any])?.count, 0)
            }
        }
        let code = cells.filter { $0["cell_type"] as? String == "code" }.map { ($0["source"] as? [String] ?? []).joined() }
        let all = code.joined(separator: "\n")
        for table in ["FROM run", "FROM variants", "FROM summary", "FROM fund_sizing", "FROM member_summary", "FROM replications"] {
            XCTAssertTrue(all.contains(table), "the notebook reads \(table)")
        }
        XCTAssertTrue(all.contains("STORE = Path(\"../tiny.sqlite\")"), "store path relative to the notebook's folder")
        XCTAssertTrue(all.contains("import matplotlib.pyplot as plt"))
        for figure in ["budget_outlay_fen / 1e6 AS outlay_wan", "p99_burden_fen", "winners_share"] {
            XCTAssertTrue(code.contains { $0.contains(figure) && $0.contains("plt.subplots") }, "a plot cell with \(figure)")
        }
        XCTAssertFalse(all.contains("sweep_points"), "no sweep cell for a plain run")
        let prose = cells.filter { $0["cell_type"] as? String == "markdown" }.map { ($0["source"] as? [String] ?? []).joined() }.joined()
        XCTAssertTrue(prose.contains("`assumed: true`") && prose.contains("yanbian-fitted.yaml"), "assumed values are pointed to")
        XCTAssertEqual(try notebook(store, "tiny").bytes, bytes, "two exports are byte-identical")

        let (_, sweep) = try notebook(try tinyStore(sweep: true), "sweep")
        let sweepCode = (sweep["cells"] as? [[String: Any]] ?? []).map { ($0["source"] as? [String] ?? []).joined() }.joined()
        XCTAssertTrue(sweepCode.contains("FROM sweep_points") && sweepCode.contains("ax.errorbar"), "a sweep gets its curves")
    }

    /// notebooks-export/demo.ipynb is what the current code exports from the committed store: it
    /// cannot drift from the exporter. After changing the exporter, re-export it (README).
    func testCommittedExampleEqualsAFreshExport() throws {
        let committed = repo("notebooks-export/demo.ipynb")
        let store = path("demo.sqlite")
        try FileManager.default.copyItem(atPath: repo("notebooks-export/demo.sqlite"), toPath: store)
        let fresh = path("demo.ipynb")
        let r = try run(["export", store, "--notebook", fresh])
        XCTAssertEqual(r.status, 0, r.stderr)
        let a = try String(contentsOfFile: committed, encoding: .utf8), b = try String(contentsOfFile: fresh, encoding: .utf8)
        if a != b {
            let (la, lb) = (a.split(separator: "\n", omittingEmptySubsequences: false), b.split(separator: "\n", omittingEmptySubsequences: false))
            let i = Array(zip(la, lb)).firstIndex { $0.0 != $0.1 } ?? min(la.count, lb.count)
            XCTFail("""
                notebooks-export/demo.ipynb differs from a fresh export at line \(i + 1):
                  committed: \(i < la.count ? la[i] : "(end)")
                  fresh:     \(i < lb.count ? lb[i] : "(end)")
                re-export: poolsim export notebooks-export/demo.sqlite --notebook notebooks-export/demo.ipynb
                """)
        }
    }
}
