import XCTest
@testable import Policy

/// Every invalid policy is rejected with an error naming the file, the line and the key path, and
/// saying what is wrong. Each test changes one thing in `Fixtures.minimal`.
final class ValidationTests: XCTestCase {
    let base = Fixtures.minimal

    /// The fixture itself is valid, so the errors below come from the one change each test makes.
    func testMinimalFixtureIsValid() throws {
        let p = try Policy.parse(base, file: "x.yaml")
        XCTAssertEqual(p.id, "mini")
        XCTAssertEqual(p.file, "x.yaml")
        let b = try XCTUnwrap(p.periods[0].benefit(.ordinary))
        XCTAssertEqual(b.ratioBp, [6000, 6000, 5500, 5000])
        XCTAssertEqual(b.deductibleFen, [30000, 30000, 30000, 30000])
        XCTAssertEqual(b.annualCapFen, 300000)
        XCTAssertEqual(b.retiredUpliftBp, 500)
        XCTAssertNil(p.periods[0].benefit(.chronic))
        // Parameters remember the line they were written on.
        XCTAssertEqual(p.periodTrees[0].parameter(at: "ordinary.annual_cap")?.origin,
                       Origin(file: "x.yaml", line: lineOf("annual_cap:", in: base)))
    }

    // MARK: Values

    func testRatioOver100PercentInATable() {
        let text = replacing("{tier1: 60, tier2: 55, tier3: 50}", with: "{tier1: 60, tier2: 101, tier3: 50}", in: base)
        assertPolicyError(text, line: lineOf("ratio:", in: text), path: "ordinary.ratio.tier2",
                          messageContains: ["0–100%", "101", "period p1"])
    }

    func testRatioOver100PercentAsAScalar() {
        let text = replacing("value: {tier1: 60, tier2: 55, tier3: 50}", with: "value: 101", in: base)
        assertPolicyError(text, line: lineOf("ratio:", in: text), path: "ordinary.ratio",
                          messageContains: ["0–100%", "101"])
    }

    func testNegativeRatio() {
        let text = replacing("{tier1: 60,", with: "{tier1: -60,", in: base)
        assertPolicyError(text, line: lineOf("ratio:", in: text), path: "ordinary.ratio.tier1",
                          messageContains: ["0–100%", "-60"])
    }

    func testRatioWithThreeDecimals() {
        let text = replacing("tier3: 50}", with: "tier3: 50.125}", in: base)
        assertPolicyError(text, line: lineOf("ratio:", in: text), path: "ordinary.ratio.tier3",
                          messageContains: ["at most 2 decimals", "50.125"])
    }

    func testNegativeMoney() {
        let text = replacing("annual_cap: {value: 3000,", with: "annual_cap: {value: -5,", in: base)
        assertPolicyError(text, line: lineOf("annual_cap:", in: text), path: "ordinary.annual_cap",
                          messageContains: ["non-negative", "-5"])
    }

    func testMoneyThatIsNotANumber() {
        let text = replacing("deductible: {value: 300,", with: "deductible: {value: 3e2,", in: base)
        assertPolicyError(text, line: lineOf("deductible:", in: text), path: "ordinary.deductible",
                          messageContains: ["yuan", "3e2"])
    }

    func testWrongUnit() {
        let text = replacing("annual_cap: {value: 3000, unit: yuan", with: "annual_cap: {value: 3000, unit: fen", in: base)
        assertPolicyError(text, line: lineOf("annual_cap:", in: text), path: "ordinary.annual_cap",
                          messageContains: ["unit must be 'yuan'", "not 'fen'"])
    }

    func testMissingUnit() {
        let text = replacing("ratio: {value: {tier1: 60, tier2: 55, tier3: 50}, unit: percent,",
                             with: "ratio: {value: {tier1: 60, tier2: 55, tier3: 50},", in: base)
        assertPolicyError(text, line: lineOf("ratio:", in: text), path: "ordinary.ratio",
                          messageContains: ["unit must be 'percent'", "no unit given"])
    }

    func testUpliftInPercentInsteadOfPoints() {
        let text = replacing("unit: points", with: "unit: percent", in: base)
        assertPolicyError(text, line: lineOf("retired_uplift:", in: text), path: "ordinary.retired_uplift",
                          messageContains: ["unit must be 'points'", "not 'percent'"])
    }

    func testRetiredUpliftPushingARatioOver100() {
        let text = replacing("{tier1: 60,", with: "{tier1: 98,", in: base)
        assertPolicyError(text, line: lineOf("retired_uplift:", in: text), path: "ordinary.retired_uplift",
                          messageContains: ["retired ratio would exceed 100%"])
        // Exactly 100% is allowed.
        XCTAssertNoThrow(try Policy.parse(replacing("{tier1: 60,", with: "{tier1: 95,", in: base), file: "x.yaml"))
    }

    func testRetiredUpliftPushingTheSpecialtyRatioOver100() {
        let text = replacing("  retired_uplift:", with: """
              specialty_ratio: {value: 96, unit: percent, article: "§9"}
              specialty_ratio_sites: {value: [local], article: "§10"}
              retired_uplift:
            """, in: base)
        assertPolicyError(text, line: lineOf("retired_uplift:", in: text), path: "ordinary.retired_uplift",
                          messageContains: ["exceed 100%"])
    }

    func testUnknownTierKeyInATable() {
        let text = replacing("{tier1: 60, tier2: 55, tier3: 50}", with: "{tier1: 60, tier2: 55, tier3: 50, tier4: 40}", in: base)
        assertPolicyError(text, line: lineOf("ratio:", in: text), path: "ordinary.ratio.tier4",
                          messageContains: ["unknown tier key 'tier4'", "tier1, tier2, tier3"])
    }

    func testMissingTierInATable() {
        let text = replacing("{tier1: 60, tier2: 55, tier3: 50}", with: "{tier1: 60, tier3: 50}", in: base)
        assertPolicyError(text, line: lineOf("ratio:", in: text), path: "ordinary.ratio",
                          messageContains: ["'tier2' is missing"])
    }

    func testTierOutOfRange() {
        let text = replacing("[0, 1, 2, 3]", with: "[0, 1, 2, 4]", in: base)
        assertPolicyError(text, line: lineOf("tiers:", in: text), path: "ordinary.tiers",
                          messageContains: ["tiers are 0, 1, 2, 3", "'4'"])
    }

    func testUnknownSite() {
        let text = replacing("[local, remote_registered]", with: "[local, abroad]", in: base)
        assertPolicyError(text, line: lineOf("sites:", in: text), path: "ordinary.sites",
                          messageContains: ["unknown site 'abroad'", "remote_registered"])
    }

    func testUnknownChoice() {
        let text = replacing("{value: annual_topup,", with: "{value: yearly,", in: base)
        assertPolicyError(text, line: lineOf("deductible_mode:", in: text), path: "ordinary.deductible_mode",
                          messageContains: ["unknown value 'yearly'", "none, annual_topup, per_event"])
    }

    func testBooleanMustBeTrueOrFalse() {
        let text = replacing("designated_only: {value: true,", with: "designated_only: {value: yes,", in: base)
        assertPolicyError(text, line: lineOf("designated_only:", in: text), path: "ordinary.designated_only",
                          messageContains: ["expected true or false", "'yes'"])
    }

    // MARK: Keys

    func testUnknownKeyInABenefitListsNearestKeys() {
        let text = replacing("retired_uplift:", with: "retired_uplfit:", in: base)
        let e = assertPolicyError(text, line: lineOf("retired_uplfit:", in: text), path: "ordinary.retired_uplfit",
                                  messageContains: ["unknown key 'retired_uplfit'", "nearest valid keys: retired_uplift"])
        XCTAssertEqual(e?.message.components(separatedBy: "nearest valid keys: ").last?.split(separator: ",").count, 3)
    }

    func testUnknownKeyInsideAParameter() {
        let text = replacing("annual_cap: {value: 3000, unit: yuan, article: \"§5\"}",
                             with: "annual_cap: {value: 3000, unit: yuan, article: \"§5\", artcle: x}", in: base)
        assertPolicyError(text, line: lineOf("annual_cap:", in: text), path: "ordinary.annual_cap.artcle",
                          messageContains: ["unknown key 'artcle'", "article"])
    }

    func testUnknownTopLevelKeyListsNearestKeys() {
        let text = base + "ordinery: {article: \"§5\"}\n"
        assertPolicyError(text, line: lineOf("ordinery:", in: text), path: "ordinery",
                          messageContains: ["unknown key 'ordinery'", "nearest valid keys: ordinary"])
    }

    func testBareScalarWhereAParameterIsExpected() {
        let text = replacing("annual_cap: {value: 3000, unit: yuan, article: \"§5\"}", with: "annual_cap: 3000", in: base)
        assertPolicyError(text, line: lineOf("annual_cap:", in: text), path: "ordinary.annual_cap",
                          messageContains: ["must be a mapping with value"])
    }

    func testMissingRequiredKeyInABenefit() {
        let text = replacing("  sites: {value: [local, remote_registered], article: \"§11\"}\n", with: "", in: base)
        // A missing key is reported at the group's mapping, which starts on the line after `ordinary:`.
        assertPolicyError(text, line: lineOf("ordinary:", in: text) + 1, path: "ordinary.sites",
                          messageContains: ["missing"])
    }

    func testMissingHeaderKeys() {
        assertPolicyError(replacing("id: mini\n", with: "", in: base), line: 1, path: "id", messageContains: ["needs an id"])
        assertPolicyError(replacing("effective_from: {value: 2023-01-01, article: \"§1\"}\n", with: "", in: base),
                          line: 1, path: "effective_from", messageContains: ["needs effective_from"])
    }

    // MARK: Citations

    func testParameterWithNeitherArticleNorAssumed() {
        let text = replacing("annual_cap: {value: 3000, unit: yuan, article: \"§5\"}",
                             with: "annual_cap: {value: 3000, unit: yuan}", in: base)
        assertPolicyError(text, line: lineOf("annual_cap:", in: text), path: "ordinary.annual_cap",
                          messageContains: ["needs an article", "assumed: true with a source"])
    }

    func testAssumedWithoutSource() {
        let text = replacing("annual_cap: {value: 3000, unit: yuan, article: \"§5\"}",
                             with: "annual_cap: {value: 3000, unit: yuan, assumed: true}", in: base)
        assertPolicyError(text, line: lineOf("annual_cap:", in: text), path: "ordinary.annual_cap",
                          messageContains: ["assumed value needs a source"])
    }

    func testAssumedWithSourceIsAccepted() throws {
        let text = replacing("annual_cap: {value: 3000, unit: yuan, article: \"§5\"}",
                             with: "annual_cap: {value: 3000, unit: yuan, assumed: true, source: a guess}", in: base)
        let p = try Policy.parse(text, file: "x.yaml")
        let cap = try XCTUnwrap(p.periodTrees[0].parameter(at: "ordinary.annual_cap"))
        XCTAssertTrue(cap.assumed)
        XCTAssertEqual(cap.source, "a guess")
        XCTAssertNil(cap.article)
    }

    func testAssumedMustBeTrueOrFalse() {
        let text = replacing("annual_cap: {value: 3000, unit: yuan, article: \"§5\"}",
                             with: "annual_cap: {value: 3000, unit: yuan, assumed: maybe, source: s}", in: base)
        assertPolicyError(text, line: lineOf("annual_cap:", in: text), path: "ordinary.annual_cap.assumed",
                          messageContains: ["expected true or false"])
    }

    // MARK: Periods

    private func withPeriods(_ periods: String) -> String {
        replacing(Fixtures.minimalPeriods, with: periods, in: base)
    }

    func testOverlappingPeriods() {
        let text = withPeriods("""
              - id: p1
                from: 2023-01-01
                to: 2023-06-30
              - id: p2
                from: 2023-06-01

            """)
        assertPolicyError(text, line: lineOf("- id: p2", in: text), path: "periods[1].from",
                          messageContains: ["overlaps period 'p1'"])
    }

    func testGapBetweenPeriods() {
        let text = withPeriods("""
              - id: p1
                from: 2023-01-01
                to: 2023-06-30
              - id: p2
                from: 2023-07-02

            """)
        assertPolicyError(text, line: lineOf("- id: p2", in: text), path: "periods[1].from",
                          messageContains: ["gap after period 'p1'", "2023-06-30"])
    }

    func testFirstPeriodMustStartOnEffectiveFrom() {
        let text = withPeriods("""
              - id: p1
                from: 2023-02-01

            """)
        assertPolicyError(text, line: lineOf("- id: p1", in: text), path: "periods[0].from",
                          messageContains: ["first period must start on effective_from", "2023-01-01"])
    }

    func testPeriodAfterAnOpenEndedOne() {
        let text = withPeriods("""
              - id: p1
                from: 2023-01-01
              - id: p2
                from: 2024-01-01

            """)
        assertPolicyError(text, line: lineOf("- id: p2", in: text), path: "periods[1]",
                          messageContains: ["'p1' is open-ended"])
    }

    func testPeriodEndingBeforeItStarts() {
        let text = withPeriods("""
              - id: p1
                from: 2023-01-01
                to: 2022-12-31

            """)
        assertPolicyError(text, line: lineOf("- id: p1", in: text), path: "periods[0].to",
                          messageContains: ["ends before it starts"])
    }

    func testDuplicatePeriodID() {
        let text = withPeriods("""
              - id: p1
                from: 2023-01-01
                to: 2023-06-30
              - id: p1
                from: 2023-07-01

            """)
        assertPolicyError(text, line: lineOf("from: 2023-07-01", in: text) - 1, path: "periods[1].id",
                          messageContains: ["'p1' used twice"])
    }

    func testNoPeriods() {
        let text = withPeriods("  []\n")
        assertPolicyError(text, line: lineOf("[]", in: text), path: "periods", messageContains: ["at least one period"])
    }

    func testAdjacentPeriodsAndAClosedEnd() throws {
        let text = withPeriods("""
              - id: p1
                from: 2023-01-01
                to: 2023-06-30
                set:
                  ordinary.annual_cap: 1500
              - id: p2
                from: 2023-07-01
                to: 2023-12-31

            """)
        let p = try Policy.parse(text, file: "x.yaml")
        XCTAssertEqual(p.periods.map(\.annualCap), [150_000, 300_000])
        XCTAssertEqual(p.periodIndex(on: Day.from(year: 2023, month: 6, day: 30)), 0)
        XCTAssertEqual(p.periodIndex(on: Day.from(year: 2023, month: 7, day: 1)), 1)
        XCTAssertNil(p.periodIndex(on: Day.from(year: 2024, month: 1, day: 1)), "after a closed end")
    }

    // MARK: Benefit consistency

    func testDeductibleModeNoneWithADeductible() {
        let text = replacing("{value: annual_topup,", with: "{value: none,", in: base)
        assertPolicyError(text, line: lineOf("deductible:", in: text), path: "ordinary.deductible",
                          messageContains: ["deductible_mode is none", "no deductible may be given"])
    }

    func testDeductibleModeWithoutADeductible() {
        let text = replacing("  deductible: {value: 300, unit: yuan, article: \"§5\"}\n", with: "", in: base)
        assertPolicyError(text, line: lineOf("deductible_mode:", in: text), path: "ordinary.deductible",
                          messageContains: ["annual_topup needs a deductible"])
    }

    func testCapPoolBasicWithoutBasicInsurance() {
        let text = replacing("""
              cap_pool: {value: own, article: "§5"}
              annual_cap: {value: 3000, unit: yuan, article: "§5"}

            """, with: """
              cap_pool: {value: basic, article: "§16"}

            """, in: base)
        guard let e = policyError({ try Policy.parse(text, file: "x.yaml") }) else { return }
        XCTAssertEqual(e.file, "x.yaml")
        XCTAssertEqual(e.path, "basic_insurance.annual_cap")
        XCTAssertTrue(e.message.contains("ordinary uses cap_pool basic"), e.message)
        XCTAssertTrue(e.message.contains("basic_insurance.annual_cap is needed"), e.message)
        XCTAssertEqual(e.line, lineOf("cap_pool:", in: text), "points at the cap_pool that needs the shared cap")

        // With the shared cap it compiles.
        let ok = text + "basic_insurance:\n  annual_cap: {value: 100000, unit: yuan, article: \"§16\"}\n"
        XCTAssertEqual(try Policy.parse(ok, file: "x.yaml").periods[0].basicAnnualCapFen, 10_000_000)
    }

    func testCapPoolBasicWithItsOwnCap() {
        let text = replacing("cap_pool: {value: own,", with: "cap_pool: {value: basic,", in: base)
            + "basic_insurance:\n  annual_cap: {value: 100000, unit: yuan, article: \"§16\"}\n"
        assertPolicyError(text, line: lineOf("annual_cap: {value: 3000", in: text), path: "ordinary.annual_cap",
                          messageContains: ["cap_pool basic uses basic_insurance.annual_cap"])
    }

    func testRetiredUpliftNeedsARetirementSwitch() {
        let text = replacing("retirement:\n  ratio_switch: {value: on_date, article: \"§19\"}\n", with: "", in: base)
        guard let e = policyError({ try Policy.parse(text, file: "x.yaml") }) else { return }
        XCTAssertEqual(e.file, "x.yaml")
        XCTAssertEqual(e.path, "retirement.ratio_switch")
        XCTAssertTrue(e.message.contains("must say when they start"), e.message)
    }

    func testSpecialtyRatioNeedsItsSites() {
        let text = replacing("  retired_uplift:", with: "  specialty_ratio: {value: 60, unit: percent, article: \"§9\"}\n  retired_uplift:", in: base)
        assertPolicyError(text, line: lineOf("specialty_ratio:", in: text), path: "ordinary.specialty_ratio_sites",
                          messageContains: ["specialty_ratio needs specialty_ratio_sites"])
    }

    // MARK: Syntax

    func testDuplicateKeyIsRejected() {
        let text = replacing("  annual_cap: {value: 3000,", with: "  deductible: {value: 400, unit: yuan, article: \"§5\"}\n  annual_cap: {value: 3000,", in: base)
        guard let e = policyError({ try Policy.parse(text, file: "x.yaml") }) else { return }
        XCTAssertEqual(e.file, "x.yaml")
        XCTAssertTrue(e.message.contains("deductible"), "the message should name the key: \(e)")
        XCTAssertEqual(e.line, lineOf("deductible: {value: 400", in: text), "the second occurrence")
        XCTAssertEqual(e.path, "ordinary.deductible")
        XCTAssertTrue(e.message.contains("given twice"), e.message)
    }

    func testInvalidYAML() {
        let text = replacing("source: PolicyTests", with: "source: a: b", in: base)
        assertPolicyError(text, line: lineOf("source: a: b", in: text), path: "", messageContains: ["not valid YAML"])
    }

    func testUnclosedFlowMapping() {
        let text = replacing("annual_cap: {value: 3000, unit: yuan, article: \"§5\"}",
                             with: "annual_cap: {value: 3000, unit: yuan, article: \"§5\"", in: base)
        guard let e = policyError({ try Policy.parse(text, file: "x.yaml") }) else { return }
        XCTAssertEqual(e.file, "x.yaml")
        XCTAssertNotNil(e.line)
        XCTAssertTrue(e.message.hasPrefix("not valid YAML"), e.message)
    }

    func testEmptyAndNonMappingFiles() {
        assertPolicyError("", line: nil, path: "", messageContains: ["empty"])
        assertPolicyError("- a\n- b\n", line: 1, path: "", messageContains: ["expected a mapping"])
    }

    func testBadEffectiveFromDate() {
        let text = replacing("{value: 2023-01-01, article: \"§1\"}", with: "{value: 2023-02-29, article: \"§1\"}", in: base)
        assertPolicyError(text, line: lineOf("effective_from:", in: text), path: "effective_from",
                          messageContains: ["expected a date YYYY-MM-DD"])
    }

    func testBadPeriodDate() {
        let text = withPeriods("""
              - id: p1
                from: 2023-13-01

            """)
        assertPolicyError(text, line: lineOf("from: 2023-13-01", in: text), path: "periods[0].from",
                          messageContains: ["expected a date YYYY-MM-DD"])
    }

    func testBadPersonalAccountDate() {
        let text = base + """
            personal_account:
              article: "§14"
              from: {value: 2023-02-30, article: "§14"}
              in_service_rate: {value: 2, unit: percent_of_base, article: "§14"}
              retired_monthly: {value: 60, unit: yuan, article: "§14"}

            """
        assertPolicyError(text, line: lineOf("from: {value: 2023-02-30", in: text), path: "personal_account.from",
                          messageContains: ["expected a date YYYY-MM-DD"])
    }

    func testLoadReportsAMissingFile() {
        guard let e = policyError({ try Policy.load(path: "/nonexistent/policy.yaml") }) else { return }
        XCTAssertEqual(e.file, "/nonexistent/policy.yaml")
        XCTAssertNil(e.line)
        XCTAssertTrue(e.message.contains("cannot read"), e.message)
    }
}

extension PeriodParameters {
    var annualCap: Int64? { benefit(.ordinary)?.annualCapFen }
}
