import Foundation
import XCTest
@testable import Policy

/// Reform overlays (`Overlay.parse`, `Policy.parse(_:file:reforms:)`) on the bundled policies.
final class ReformTests: XCTestCase {
    private func tieling(_ reforms: [Overlay] = []) throws -> Policy {
        try Policy.parse(try Fixtures.policyText("tieling"), file: "tieling.yaml", reforms: reforms)
    }

    private func yanbian(_ reforms: [Overlay] = []) throws -> Policy {
        try Policy.parse(try Fixtures.policyText("yanbian"), file: "yanbian.yaml", reforms: reforms)
    }

    private func reform(_ text: String, file: String = "reform.yaml") throws -> Overlay {
        try Overlay.parse(text, file: file)
    }

    private func ordinary(_ p: Policy, _ i: Int) throws -> Benefit { try XCTUnwrap(p.periods[i].benefit(.ordinary)) }

    // MARK: Parsing

    func testOverlayParse() throws {
        let text = """
            name: cap4000
            description: raise the cap
            period: 2023-on
            set:
              ordinary.annual_cap: 4000
              ordinary.ratio.tier3: 65
              ordinary.deductible: {tier1: 100, tier2: 200, tier3: 300}
              ordinary.sites: [local]
              ordinary.retired_uplift: {value: 8, unit: points, article: "§9"}
            """
        let o = try reform(text, file: "r.yaml")
        XCTAssertEqual(o.name, "cap4000")
        XCTAssertEqual(o.description, "raise the cap")
        XCTAssertEqual(o.period, "2023-on")
        XCTAssertEqual(o.entries.map(\.path), ["ordinary.annual_cap", "ordinary.ratio.tier3", "ordinary.deductible",
                                               "ordinary.sites", "ordinary.retired_uplift"])
        XCTAssertEqual(o.entries[0].value, .scalar("4000"))
        XCTAssertNil(o.entries[0].replacement)
        XCTAssertEqual(o.entries[0].origin, Origin(file: "r.yaml", line: 5))
        XCTAssertEqual(o.entries[1].origin.line, 6)
        XCTAssertEqual(o.entries[2].value.text, "{tier1: 100, tier2: 200, tier3: 300}")
        XCTAssertEqual(o.entries[3].value, .list(["local"]))
        let r = try XCTUnwrap(o.entries[4].replacement)
        XCTAssertEqual(r.value, .scalar("8"))
        XCTAssertEqual(r.unit, "points")
        XCTAssertEqual(r.article, "§9")
        XCTAssertEqual(o.entries[4].origin.line, 9)
    }

    func testOverlayParseErrors() {
        if let e = policyError({ try reform("name: x\nset:\n  a.b: 1\nperiode: 2023-on\n", file: "r.yaml") }) {
            assertError(e, file: "r.yaml", line: 4, path: "periode", messageContains: ["unknown key 'periode'", "period"])
        }
        if let e = policyError({ try reform("name: x\n", file: "r.yaml") }) {
            assertError(e, file: "r.yaml", line: 1, path: "set", messageContains: ["non-empty 'set'"])
        }
        if let e = policyError({ try reform("set:\n  a.b: 1\n", file: "r.yaml") }) {
            assertError(e, file: "r.yaml", line: 1, path: "name", messageContains: ["needs a name"])
        }
        if let e = policyError({ try reform("name: x\nset: {}\n", file: "r.yaml") }) {
            assertError(e, file: "r.yaml", line: 1, path: "set", messageContains: ["non-empty 'set'"])
        }
        if let e = policyError({ try reform("name: x\nset: [a]\n", file: "r.yaml") }) {
            assertError(e, file: "r.yaml", line: 2, path: "set", messageContains: ["expected a mapping"])
        }
    }

    // MARK: Applying

    func testCapReformChangesBothTielingPeriods() throws {
        let o = try reform("name: cap4000\nset:\n  ordinary.annual_cap: 4000\n")
        let p = try tieling([o])
        XCTAssertEqual(p.reforms, ["cap4000"])
        XCTAssertEqual(try ordinary(p, 0).annualCapFen, 400_000, "no period given: December 2022 changes too")
        XCTAssertEqual(try ordinary(p, 1).annualCapFen, 400_000)
        XCTAssertEqual(try ordinary(p, 0).deductibleFen, [2500, 2500, 2500, 2500], "the rest of the exception stays")
        // Provenance: the reformed value says where it came from and keeps its citation.
        for tree in p.periodTrees {
            let cap = try XCTUnwrap(tree.parameter(at: "ordinary.annual_cap"))
            XCTAssertEqual(cap.value, .scalar("4000"))
            XCTAssertEqual(cap.changedBy, "cap4000")
            XCTAssertEqual(cap.origin, Origin(file: "reform.yaml", line: 3))
            XCTAssertEqual(cap.unit, "yuan")
            XCTAssertEqual(cap.article, "§9")
            XCTAssertNil(tree.parameter(at: "ordinary.deductible")?.changedBy, "untouched values have no reform")
        }
    }

    func testCapReformLimitedToOnePeriod() throws {
        let o = try reform("name: cap4000\nperiod: 2023-on\nset:\n  ordinary.annual_cap: 4000\n")
        let p = try tieling([o])
        XCTAssertEqual(try ordinary(p, 0).annualCapFen, 25_000, "December 2022 keeps its 250 yuan")
        XCTAssertEqual(try ordinary(p, 1).annualCapFen, 400_000)
        XCTAssertNil(p.periodTrees[0].parameter(at: "ordinary.annual_cap")?.changedBy)
        XCTAssertEqual(p.periodTrees[1].parameter(at: "ordinary.annual_cap")?.changedBy, "cap4000")

        let dec = try reform("name: dec\nperiod: 2022-12\nset:\n  ordinary.annual_cap: 300\n")
        let q = try tieling([dec])
        XCTAssertEqual(try ordinary(q, 0).annualCapFen, 30_000)
        XCTAssertEqual(try ordinary(q, 1).annualCapFen, 300_000)
    }

    func testTableEntryPath() throws {
        let o = try reform("name: t3\nset:\n  ordinary.ratio.tier3: 65\n")
        let p = try tieling([o])
        for i in 0..<2 {
            XCTAssertEqual(try ordinary(p, i).ratioBp, [6000, 6000, 5500, 6500])
        }
        let ratio = try XCTUnwrap(p.periodTrees[1].parameter(at: "ordinary.ratio"))
        guard case .table(let t) = ratio.value else { return XCTFail("ratio should stay a table") }
        XCTAssertEqual(t.map(\.key), ["tier1", "tier2", "tier3"])
        XCTAssertEqual(t.map(\.value), ["60", "55", "65"])
        XCTAssertEqual(t[2].origin, Origin(file: "reform.yaml", line: 3))
        XCTAssertEqual(ratio.changedBy, "t3")

        let y = try yanbian([try reform("name: d2\nset:\n  ordinary.deductible.tier2: 150\n")])
        XCTAssertEqual(try ordinary(y, 0).deductibleFen, [10000, 10000, 15000, 30000])
    }

    func testScalarReplacesAPerTierTable() throws {
        let p = try yanbian([try reform("name: flat\nset:\n  ordinary.ratio: 58\n  ordinary.deductible: 150.5\n")])
        let b = try ordinary(p, 0)
        XCTAssertEqual(b.ratioBp, [5800, 5800, 5800, 5800])
        XCTAssertEqual(b.deductibleFen, [15050, 15050, 15050, 15050])
        XCTAssertEqual(p.periodTrees[0].parameter(at: "ordinary.ratio")?.value, .scalar("58"))
        XCTAssertEqual(p.periodTrees[0].parameter(at: "ordinary.ratio")?.unit, "percent")
    }

    func testTableReplacesAScalar() throws {
        let o = try reform("""
            name: tiered
            set:
              ordinary.deductible: {tier1: 100, tier2: 200, tier3: 300}
              ordinary.deductible.tier2: 250
            """)
        let p = try tieling([o])
        // Applied after the December exception, so both periods get the table; the entry path
        // addresses the table the entry before created.
        for i in 0..<2 {
            XCTAssertEqual(try ordinary(p, i).deductibleFen, [10000, 10000, 25000, 30000])
        }
    }

    func testFullParameterReplacement() throws {
        let o = try reform("name: assumed-cap\nset:\n  ordinary.annual_cap: {value: 200, unit: yuan, assumed: true, source: x}\n")
        let p = try tieling([o])
        for i in 0..<2 {
            XCTAssertEqual(try ordinary(p, i).annualCapFen, 20_000)
            let cap = try XCTUnwrap(p.periodTrees[i].parameter(at: "ordinary.annual_cap"))
            XCTAssertTrue(cap.assumed)
            XCTAssertEqual(cap.source, "x")
            XCTAssertNil(cap.article, "the reform brought its own citation")
            XCTAssertEqual(cap.unit, "yuan")
            XCTAssertEqual(cap.changedBy, "assumed-cap")
        }
        // A replacement with another article replaces the citation; the benefit cites it.
        let q = try yanbian([try reform("name: a\nset:\n  ordinary.sites: {value: [local], article: \"§99\"}\n")])
        XCTAssertEqual(try ordinary(q, 0).siteMask, 1)
        XCTAssertEqual(try ordinary(q, 0).sitesArticle, "§99")
        // A replacement without citation keeps the policy's.
        let r = try yanbian([try reform("name: b\nset:\n  ordinary.annual_cap: {value: 1200, unit: yuan}\n")])
        XCTAssertEqual(try ordinary(r, 0).annualCapFen, 120_000)
        XCTAssertEqual(r.periodTrees[0].parameter(at: "ordinary.annual_cap")?.article, "§5")
    }

    func testReplacementWithAWrongUnitIsCaught() {
        let o = try? reform("name: fen\nset:\n  ordinary.annual_cap: {value: 200, unit: fen}\n", file: "fen.yaml")
        guard let o else { return XCTFail("the reform itself parses") }
        guard let e = policyError({ try yanbian([o]) }) else { return }
        assertError(e, file: "fen.yaml", line: 3, path: "ordinary.annual_cap", messageContains: ["unit must be 'yuan'", "'fen'"])
    }

    func testReformsApplyInOrder() throws {
        let a = try reform("name: a\nset:\n  ordinary.annual_cap: 4000\n  ordinary.ratio.tier1: 70\n", file: "a.yaml")
        let b = try reform("name: b\nset:\n  ordinary.annual_cap: 5000\n", file: "b.yaml")
        let p = try yanbian([a, b])
        XCTAssertEqual(p.reforms, ["a", "b"])
        XCTAssertEqual(try ordinary(p, 0).annualCapFen, 500_000)
        XCTAssertEqual(try ordinary(p, 0).ratioBp, [7000, 7000, 5500, 5000])
        XCTAssertEqual(p.periodTrees[0].parameter(at: "ordinary.annual_cap")?.changedBy, "b")
        XCTAssertEqual(p.periodTrees[0].parameter(at: "ordinary.ratio")?.changedBy, "a")
        // Reforms do not change the policy they were applied to.
        XCTAssertEqual(try ordinary(try yanbian(), 0).annualCapFen, 100_000)
    }

    func testIdentityReformCompilesToEqualParameters() throws {
        let base = try tieling()
        let all = try reform("""
            name: identity
            set:
              ordinary.ratio.tier3: 50
              ordinary.ratio.tier1: "60.00"
              ordinary.retired_uplift: 5
              ordinary.specialty_ratio: {value: 60, unit: percent, article: "§9"}
              ordinary.sites: [local, remote_registered]
              chronic.disease_caps.diabetes: 1500
            """)
        let later = try reform("name: identity-2023\nperiod: 2023-on\nset:\n  ordinary.annual_cap: 3000\n  ordinary.deductible: \"300.00\"\n")
        let p = try tieling([all, later])
        XCTAssertEqual(p.periods, base.periods)
        XCTAssertEqual(p.periods.count, 2)
        // The trees do differ: they record the reform.
        XCTAssertNotEqual(p.periodTrees[1], base.periodTrees[1])
        XCTAssertEqual(p.periodTrees[1].parameter(at: "ordinary.deductible")?.changedBy, "identity-2023")

        let y = try yanbian()
        let yIdentity = try yanbian([try reform("name: id\nset:\n  ordinary.deductible: {tier1: 100, tier2: 200, tier3: 300}\n")])
        XCTAssertEqual(yIdentity.periods, y.periods)
    }

    func testNonIdentityReformIsNotEqual() throws {
        // Guards the identity test: PeriodParameters' equality does see a one-fen change.
        let p = try yanbian([try reform("name: n\nset:\n  ordinary.annual_cap: 1000.01\n")])
        XCTAssertNotEqual(p.periods, try yanbian().periods)
    }

    // MARK: Errors

    func testUnknownPathListsNearestPaths() throws {
        let text = "name: typo\ndescription: misspelt\nset:\n  ordinary.anual_cap: 4000\n"
        let o = try reform(text, file: "typo.yaml")
        guard let e = policyError({ try tieling([o]) }) else { return }
        assertError(e, file: "typo.yaml", line: 4, path: "ordinary.anual_cap",
                    messageContains: ["unknown parameter path", "nearest valid paths: ordinary.annual_cap"])
        XCTAssertTrue(e.description.hasPrefix("typo.yaml:4: ordinary.anual_cap: "), e.description)
    }

    func testUnknownTableEntryAndPathsThroughNonParameters() throws {
        for (path, nearest) in [("ordinary.ratio.tier4", "ordinary.ratio.tier1"),
                                ("ordinary.article", "ordinary.tiers"),
                                ("ordinary", "ordinary.ratio"),
                                ("ordinary.annual_cap.value", "ordinary.annual_cap"),
                                ("ordinary.deductible.tier1", "ordinary.deductible")] {
            let o = try reform("name: bad\nset:\n  \(path): 1\n", file: "bad.yaml")
            guard let e = policyError({ try tieling([o]) }) else { continue }
            XCTAssertEqual(e.file, "bad.yaml", path)
            XCTAssertEqual(e.line, 3, path)
            XCTAssertEqual(e.path, path)
            XCTAssertTrue(e.message.contains("unknown parameter path"), "\(path): \(e)")
            XCTAssertTrue(e.message.contains(nearest), "\(path): \(e) should suggest \(nearest)")
        }
    }

    func testReformNamingAnUnknownPeriod() throws {
        let o = try reform("name: p\nperiod: 2024-on\nset:\n  ordinary.annual_cap: 4000\n", file: "p.yaml")
        guard let e = policyError({ try tieling([o]) }) else { return }
        XCTAssertEqual(e.file, "p.yaml")
        XCTAssertEqual(e.path, "period")
        XCTAssertTrue(e.message.contains("no period '2024-on'"), e.message)
        XCTAssertTrue(e.message.contains("2022-12, 2023-on"), e.message)
        XCTAssertTrue(e.message.contains("tieling.yaml"), e.message)
        XCTAssertEqual(e.line, 2, "the `period:` line")
    }

    func testInvalidRatioViaReformNamesTheReformFileAndLine() throws {
        let o = try reform("name: big\ndescription: too generous\nset:\n  ordinary.ratio.tier3: 150\n", file: "big.yaml")
        guard let e = policyError({ try tieling([o]) }) else { return }
        assertError(e, file: "big.yaml", line: 4, path: "ordinary.ratio.tier3", messageContains: ["0–100%", "150"])

        let s = try reform("name: s\nset:\n  ordinary.specialty_ratio: 150\n", file: "s.yaml")
        guard let e2 = policyError({ try yanbian([try reform("name: r\nset:\n  ordinary.ratio: 150\n", file: "r.yaml")]) }),
              let e3 = policyError({ try tieling([s]) }) else { return }
        assertError(e2, file: "r.yaml", line: 3, path: "ordinary.ratio", messageContains: ["0–100%"])
        assertError(e3, file: "s.yaml", line: 3, path: "ordinary.specialty_ratio", messageContains: ["0–100%"])
    }

    func testInvalidValuesViaReform() throws {
        let cases: [(String, String, String)] = [
            ("ordinary.annual_cap: -1", "ordinary.annual_cap", "non-negative"),
            ("ordinary.deductible_mode: sometimes", "ordinary.deductible_mode", "unknown value 'sometimes'"),
            ("ordinary.sites: [local, mars]", "ordinary.sites", "unknown site 'mars'"),
            ("retirement.ratio_switch: never", "retirement.ratio_switch", "unknown value 'never'"),
            ("ordinary.deductible: {tier1: 1, tier2: 2}", "ordinary.deductible", "'tier3' is missing"),
        ]
        for (line, path, fragment) in cases {
            let o = try reform("name: bad\nset:\n  \(line)\n", file: "bad.yaml")
            guard let e = policyError({ try yanbian([o]) }) else { continue }
            assertError(e, file: "bad.yaml", line: 3, path: path, messageContains: [fragment])
        }
    }

    func testShapeChangesThatAreErrors() throws {
        let o = try reform("name: s\nset:\n  ordinary.tiers: 3\n", file: "s.yaml")
        if let e = policyError({ try yanbian([o]) }) {
            assertError(e, file: "s.yaml", line: 3, path: "ordinary.tiers", messageContains: ["another shape"])
        }
        let t = try reform("name: t\nset:\n  ordinary.ratio.tier3: [1, 2]\n", file: "t.yaml")
        if let e = policyError({ try yanbian([t]) }) {
            assertError(e, file: "t.yaml", line: 3, path: "ordinary.ratio.tier3", messageContains: ["takes a single value"])
        }
    }

    func testReformPushingARetiredRatioOver100() throws {
        let o = try reform("name: hi\nset:\n  ordinary.ratio.tier1: 99\n", file: "hi.yaml")
        guard let e = policyError({ try yanbian([o]) }) else { return }
        XCTAssertEqual(e.path, "ordinary.retired_uplift")
        XCTAssertTrue(e.message.contains("exceed 100%"), e.message)
    }

    func testLoadingReformFilesFromDisk() throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("PolicyTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("cap.yaml").path
        let bad = dir.appendingPathComponent("typo.yaml").path
        try "name: cap\nperiod: 2023-on\nset:\n  ordinary.annual_cap: 4000\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "name: typo\nset:\n  ordinary.annual_capp: 4000\n".write(toFile: bad, atomically: true, encoding: .utf8)

        let p = try Policy.load(path: Fixtures.policyPath("tieling"), reforms: [try Overlay.load(path: good)])
        XCTAssertEqual(try ordinary(p, 0).annualCapFen, 25_000)
        XCTAssertEqual(try ordinary(p, 1).annualCapFen, 400_000)
        XCTAssertEqual(p.periodTrees[1].parameter(at: "ordinary.annual_cap")?.origin, Origin(file: good, line: 4))

        let typo = try Overlay.load(path: bad)
        if let e = policyError({ try Policy.load(path: Fixtures.policyPath("tieling"), reforms: [typo]) }) {
            assertError(e, file: bad, line: 3, path: "ordinary.annual_capp",
                        messageContains: ["nearest valid paths: ordinary.annual_cap"])
        }
        if let e = policyError({ try Overlay.load(path: dir.appendingPathComponent("missing.yaml").path) }) {
            XCTAssertTrue(e.file.hasSuffix("missing.yaml"))
            XCTAssertTrue(e.message.contains("cannot read"), e.message)
        }
    }

    func testPeriodExceptionWithAnUnknownPath() {
        let text = replacing("    from: 2023-01-01\n", with: "    from: 2023-01-01\n    set:\n      ordinary.anual_cap: 5\n",
                             in: Fixtures.minimal)
        assertPolicyError(text, line: lineOf("ordinary.anual_cap", in: text), path: "ordinary.anual_cap",
                          messageContains: ["nearest valid paths: ordinary.annual_cap"])
    }
}
