import XCTest
@testable import Policy

/// `personal_account` in both shapes: the reformed one (a rate of the base; a fixed amount for
/// retirees) and the pre-reform one (plus a share of the employer's contribution; a share of the
/// pension for retirees), and the errors of each new key.
final class AccountRuleTests: XCTestCase {
    let base = Fixtures.minimal

    func policy(account lines: String) -> String {
        base + "personal_account:\n  article: \"§14\"\n  from: {value: 2023-01-01, article: \"§14\"}\n" + lines
    }

    static let preReform = """
          in_service_rate: {value: 2, unit: percent_of_base, article: "§14"}
          employer_rate: {value: 6, unit: percent_of_base, article: "§14"}
          employer_share: {value: 30, unit: percent, article: "§14"}
          retired_pension_rate: {value: 4, unit: percent_of_pension, article: "§14"}

        """

    func testPreReformRuleCombinesTheEmployerShare() throws {
        let rule = try XCTUnwrap(try Policy.parse(policy(account: Self.preReform), file: "x.yaml").periods[0].account)
        // 200 bp own + 600 bp × 3000 bp / 10000 = 200 + 180 = 380 bp.
        XCTAssertEqual(rule, AccountRule(startDay: Day.from(year: 2023, month: 1, day: 1), inServiceRateBp: 380,
                                         retiredMonthlyFen: 0, article: "§14",
                                         employerRateBp: 600, employerShareBp: 3000, retiredPensionRateBp: 400))
        XCTAssertEqual(rule.employerPartBp, 180)
        XCTAssertEqual(rule.memberRateBp, 200)
    }

    func testReformedRuleHasNoEmployerOrPensionPart() throws {
        let rule = try XCTUnwrap(try Policy.parse(policy(account: """
              in_service_rate: {value: 2, unit: percent_of_base, article: "§14"}
              retired_monthly: {value: 60, unit: yuan, article: "§14"}

            """), file: "x.yaml").periods[0].account)
        XCTAssertEqual(rule.inServiceRateBp, 200)
        XCTAssertEqual(rule.retiredMonthlyFen, 6000)
        XCTAssertEqual(rule.employerRateBp, 0)
        XCTAssertEqual(rule.employerShareBp, 0)
        XCTAssertEqual(rule.retiredPensionRateBp, 0)
        XCTAssertEqual(rule.memberRateBp, 200)
    }

    func testRetiredFixedAmountAndPensionShareTogether() throws {
        let rule = try XCTUnwrap(try Policy.parse(policy(account: """
              in_service_rate: {value: 2, unit: percent_of_base, article: "§14"}
              retired_monthly: {value: 20.5, unit: yuan, article: "§14"}
              retired_pension_rate: {value: 3.25, unit: percent_of_pension, article: "§14"}

            """), file: "x.yaml").periods[0].account)
        XCTAssertEqual(rule.retiredMonthlyFen, 2050)
        XCTAssertEqual(rule.retiredPensionRateBp, 325)
    }

    /// 6.5% × 33.33% = 650 bp × 3333 bp / 10000 = 216.645 bp: not a whole basis point, so no single
    /// rate can be applied with one rounding.
    func testEmployerPartMustBeAWholeBasisPoint() {
        var text = replacing("employer_rate: {value: 6,", with: "employer_rate: {value: 6.5,", in: policy(account: Self.preReform))
        text = replacing("employer_share: {value: 30,", with: "employer_share: {value: 33.33,", in: text)
        assertPolicyError(text, line: lineOf("employer_share:", in: text), path: "personal_account.employer_share",
                          messageContains: ["whole number of basis points", "650 bp × 3333 bp", "216.6450"])
    }

    func testEmployerRateAndShareComeTogether() {
        let noShare = replacing("  employer_share: {value: 30, unit: percent, article: \"§14\"}\n", with: "", in: policy(account: Self.preReform))
        assertPolicyError(noShare, line: lineOf("employer_rate:", in: noShare), path: "personal_account.employer_share",
                          messageContains: ["employer_rate needs employer_share"])
        let noRate = replacing("  employer_rate: {value: 6, unit: percent_of_base, article: \"§14\"}\n", with: "", in: policy(account: Self.preReform))
        assertPolicyError(noRate, line: lineOf("employer_share:", in: noRate), path: "personal_account.employer_rate",
                          messageContains: ["employer_share needs employer_rate"])
    }

    func testCombinedRateOver100Percent() {
        var text = replacing("in_service_rate: {value: 2,", with: "in_service_rate: {value: 80,", in: policy(account: Self.preReform))
        text = replacing("employer_rate: {value: 6,", with: "employer_rate: {value: 80,", in: text)
        text = replacing("employer_share: {value: 30,", with: "employer_share: {value: 50,", in: text)
        // 8000 + 8000 × 5000 / 10000 = 12000 bp.
        assertPolicyError(text, line: lineOf("in_service_rate:", in: text), path: "personal_account.in_service_rate",
                          messageContains: ["more than 100%"])
    }

    func testUnitsOfTheNewKeys() {
        let pension = replacing("unit: percent_of_pension", with: "unit: percent", in: policy(account: Self.preReform))
        assertPolicyError(pension, line: lineOf("retired_pension_rate:", in: pension), path: "personal_account.retired_pension_rate",
                          messageContains: ["unit must be 'percent_of_pension', not 'percent'"])
        let employer = replacing("employer_rate: {value: 6, unit: percent_of_base", with: "employer_rate: {value: 6, unit: percent",
                                 in: policy(account: Self.preReform))
        assertPolicyError(employer, line: lineOf("employer_rate:", in: employer), path: "personal_account.employer_rate",
                          messageContains: ["unit must be 'percent_of_base'"])
        let share = replacing("employer_share: {value: 30, unit: percent,", with: "employer_share: {value: 30, unit: percent_of_base,",
                              in: policy(account: Self.preReform))
        assertPolicyError(share, line: lineOf("employer_share:", in: share), path: "personal_account.employer_share",
                          messageContains: ["unit must be 'percent'"])
    }

    func testPensionRateOver100Percent() {
        let text = replacing("retired_pension_rate: {value: 4,", with: "retired_pension_rate: {value: 104,", in: policy(account: Self.preReform))
        assertPolicyError(text, line: lineOf("retired_pension_rate:", in: text), path: "personal_account.retired_pension_rate",
                          messageContains: ["0–100%", "104"])
    }

    /// A misspelt retired key is reported as the typo it is, not as "neither retired key given".
    func testMisspeltPensionRateIsAnUnknownKey() {
        let text = replacing("retired_pension_rate:", with: "retired_pension_rte:", in: policy(account: Self.preReform))
        assertPolicyError(text, line: lineOf("retired_pension_rte:", in: text), path: "personal_account.retired_pension_rte",
                          messageContains: ["unknown key 'retired_pension_rte'", "retired_pension_rate"])
    }

    /// A reform can move a pre-reform rule's pension share like any other value.
    func testReformCanSetThePensionShare() throws {
        let overlay = try Overlay.parse("name: r\nset:\n  personal_account.retired_pension_rate: 5\n", file: "r.yaml")
        let p = try Policy.parse(policy(account: Self.preReform), file: "x.yaml", reforms: [overlay])
        XCTAssertEqual(p.periods[0].account?.retiredPensionRateBp, 500)
        XCTAssertEqual(p.periodTrees[0].parameter(at: "personal_account.retired_pension_rate")?.changedBy, "r")
    }
}
