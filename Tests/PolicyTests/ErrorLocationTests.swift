import XCTest
@testable import Policy

/// Errors point at the right file, line and key path. These were written as failing tests of
/// defects in Sources/Policy and pass since b7e0838 ("Policy loader: precise error locations");
/// they stay as regression tests. The comments say what used to go wrong.
final class ErrorLocationTests: XCTestCase {
    let base = Fixtures.minimal

    /// PolicyError promises "always names the file, the key path and, where the YAML parser gives
    /// it, the line". Yams 6 rejects duplicate keys itself while composing
    /// (`YamlError.duplicatedKeysInMapping`); the error used to have line nil and path "".
    func testDuplicateKeyNamesItsLineAndPath() {
        let text = replacing("  annual_cap: {value: 3000,",
                             with: "  deductible: {value: 400, unit: yuan, article: \"§5\"}\n  annual_cap: {value: 3000,", in: base)
        guard let e = policyError({ try Policy.parse(text, file: "x.yaml") }) else { return }
        let first = lineOf("deductible: {value: 300", in: text), second = lineOf("deductible: {value: 400", in: text)
        XCTAssertEqual(e.file, "x.yaml")
        XCTAssertNotEqual(first, second)
        XCTAssertEqual(e.line, second, "the second occurrence: \(e)")
        XCTAssertEqual(e.path, "ordinary.deductible", "duplicate key: no key path in \(e)")
    }

    /// The same in a reform: setting one path twice names the second line.
    func testDuplicatePathInAReformNamesItsLineAndPath() {
        guard let e = policyError({
            try Overlay.parse("name: r\nset:\n  ordinary.annual_cap: 4000\n  ordinary.annual_cap: 5000\n", file: "r.yaml")
        }) else { return }
        XCTAssertEqual(e.file, "r.yaml")
        XCTAssertEqual(e.line, 4, "the second occurrence: \(e)")
        XCTAssertEqual(e.path, "set.ordinary.annual_cap", "no key path in \(e)")
    }

    /// "ordinary uses cap_pool basic, so basic_insurance.annual_cap is needed" used to have no line;
    /// it points at the benefit's `cap_pool: {value: basic}`.
    func testCapPoolBasicWithoutBasicInsurancePointsAtTheCapPool() {
        let text = replacing("""
              cap_pool: {value: own, article: "§5"}
              annual_cap: {value: 3000, unit: yuan, article: "§5"}

            """, with: """
              cap_pool: {value: basic, article: "§16"}

            """, in: base)
        assertPolicyError(text, line: lineOf("cap_pool:", in: text), path: "basic_insurance.annual_cap",
                          messageContains: ["cap_pool basic"])
    }

    /// A reform naming an unknown period used to be reported without a line.
    func testUnknownReformPeriodPointsAtThePeriodLine() throws {
        let o = try Overlay.parse("name: p\nperiod: 2024-on\nset:\n  ordinary.annual_cap: 4000\n", file: "p.yaml")
        guard let e = policyError({ try Policy.parse(try Fixtures.policyText("tieling"), file: "tieling.yaml", reforms: [o]) })
        else { return }
        XCTAssertEqual(e.file, "p.yaml")
        XCTAssertEqual(e.line, 2, "the line of `period: 2024-on` in \(e)")
        XCTAssertEqual(e.path, "period")
    }

    /// The unknown-top-level-key error used to take the value node's line: in block style, one line
    /// below the misspelt key.
    func testUnknownTopLevelKeyInBlockStylePointsAtTheKey() {
        let text = base + "ordinery:\n  article: \"§5\"\n"
        assertPolicyError(text, line: lineOf("ordinery:", in: text), path: "ordinery",
                          messageContains: ["unknown key 'ordinery'", "nearest valid keys: ordinary"])
    }

    /// A bad value in a block-style per-tier table used to be reported at the parameter's line, not
    /// the entry's.
    func testBadTableEntryPointsAtTheEntryLine() {
        let text = replacing("  ratio: {value: {tier1: 60, tier2: 55, tier3: 50}, unit: percent, article: \"§5\"}\n", with: """
              ratio:
                unit: percent
                article: "§5"
                value:
                  tier1: 60
                  tier2: 155
                  tier3: 50

            """, in: base)
        assertPolicyError(text, line: lineOf("tier2: 155", in: text), path: "ordinary.ratio.tier2",
                          messageContains: ["0–100%", "155"])
    }

    /// POLICY-NOTES: a value the texts do not give is "marked `assumed: true` with the source it came
    /// from". Period exceptions (`periods[].set`) used to accept `assumed: true` without a source.
    func testPeriodExceptionAssumedWithoutASourceIsRejected() {
        let text = replacing("    from: 2023-01-01\n",
                             with: "    from: 2023-01-01\n    set:\n      ordinary.annual_cap: {value: 250, unit: yuan, assumed: true}\n",
                             in: base)
        assertPolicyError(text, line: lineOf("ordinary.annual_cap: {value: 250", in: text), path: "ordinary.annual_cap",
                          messageContains: ["source"])
    }

    /// The same through a reform file: `{value: 200, unit: yuan, assumed: true}` is rejected.
    func testReformReplacementAssumedWithoutASourceIsRejected() {
        guard let e = policyError({
            let o = try Overlay.parse("name: r\nset:\n  ordinary.annual_cap: {value: 200, unit: yuan, assumed: true}\n", file: "r.yaml")
            return try Policy.parse(try Fixtures.policyText("yanbian"), file: "yanbian.yaml", reforms: [o])
        }) else { return }
        XCTAssertEqual(e.file, "r.yaml")
        XCTAssertEqual(e.line, 3)
        XCTAssertEqual(e.path, "ordinary.annual_cap")
        XCTAssertTrue(e.message.contains("source"), e.message)
    }
}
