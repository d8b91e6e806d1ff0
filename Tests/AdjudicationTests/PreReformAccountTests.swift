import Adjudication
import Policy
import XCTest

/// Personal-account credits under the pre-reform files against the reformed ones: the member's side
/// of "who gains and who loses". Every expected amount is worked out by hand in the comments.
final class PreReformAccountTests: XCTestCase {
    static let policies = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("datasets/policies")

    func policy(_ name: String) throws -> Policy {
        try Policy.load(path: Self.policies.appendingPathComponent("\(name).yaml").path)
    }

    func rule(_ name: String) throws -> AccountRule {
        let p = try policy(name)
        return try XCTUnwrap(p.periods[try XCTUnwrap(p.periodIndex(on: Self.june2023))].account, name)
    }

    static let june2023 = Day.from(year: 2023, month: 6, day: 1)
    static let never = Int32.max, always = Int32.min

    func credit(_ rule: AccountRule, retired: Bool, base: Int64 = -1, pension: Int64 = -1, month: Int32 = june2023) -> Int64 {
        PersonalAccount.monthlyCredit(rule: rule, monthStart: month, retiredFrom: retired ? Self.always : Self.never,
                                      baseFen: base, pensionFen: pension)
    }

    func testInServiceCreditBeforeAndAfterTheReform() throws {
        for city in ["tieling", "yanbian"] {
            // Pre-reform: 5000.00 yuan × (2% + 30% × 6%) = 500000 fen × 380 bp / 10000 = 19000 fen.
            XCTAssertEqual(credit(try rule(city + "-pre-reform"), retired: false, base: 500_000), 19_000, city)
            // Reformed (Tieling §14): 500000 fen × 200 bp / 10000 = 10000 fen.
            XCTAssertEqual(credit(try rule(city), retired: false, base: 500_000), 10_000, city)
        }
        // Half up to the fen: 1002.50 yuan × 3.8% = 38.095 yuan → 38.10 (100250 × 380 = 38,095,000;
        // + 5000, / 10000 = 3810 fen).
        XCTAssertEqual(credit(try rule("tieling-pre-reform"), retired: false, base: 100_250), 3_810)
        // No base on file: nothing credited rather than a guess.
        XCTAssertEqual(credit(try rule("tieling-pre-reform"), retired: false, base: -1), 0)
    }

    func testRetiredCreditBeforeAndAfterTheReform() throws {
        let pre = try rule("tieling-pre-reform"), post = try rule("tieling")
        // Pre-reform: 3000.00 yuan pension × 4% = 300000 fen × 400 bp / 10000 = 12000 fen.
        XCTAssertEqual(credit(pre, retired: true, pension: 300_000), 12_000)
        // Reformed (Tieling §14): the fixed 60 yuan, whatever the pension.
        XCTAssertEqual(credit(post, retired: true, pension: 300_000), 6_000)
        XCTAssertEqual(credit(post, retired: true, pension: -1), 6_000)
        // Half up: 2987.63 × 4% = 119.5052 yuan → 119.51 (298763 × 400 = 119,505,200; + 5000, / 10000 = 11951).
        XCTAssertEqual(credit(pre, retired: true, pension: 298_763), 11_951)
        // Unknown (-1) or zero pension: the pension part is 0, and this rule has no fixed part.
        XCTAssertEqual(credit(pre, retired: true, pension: -1), 0)
        XCTAssertEqual(credit(pre, retired: true, pension: 0), 0)
        // A retiree's contribution base is not used.
        XCTAssertEqual(credit(pre, retired: true, base: 500_000, pension: 300_000), 12_000)
        // Yanbian: 2800.00 × 4% = 280000 × 400 / 10000 = 11200 fen, against the assumed fixed 56 yuan.
        XCTAssertEqual(credit(try rule("yanbian-pre-reform"), retired: true, pension: 280_000), 11_200)
        XCTAssertEqual(credit(try rule("yanbian"), retired: true, pension: 280_000), 5_600)
    }

    func testFixedAmountAndPensionShareAdd() {
        let rule = AccountRule(startDay: Day.from(year: 2023, month: 1, day: 1), inServiceRateBp: 200, retiredMonthlyFen: 2_000,
                               article: "test", retiredPensionRateBp: 300)
        // 20.00 + 3000.00 × 3% = 20.00 + 90.00 = 110.00 yuan.
        XCTAssertEqual(credit(rule, retired: true, pension: 300_000), 11_000)
        XCTAssertEqual(credit(rule, retired: true, pension: -1), 2_000)
        // Before the rule starts nothing is credited.
        XCTAssertEqual(credit(rule, retired: true, pension: 300_000, month: Day.from(year: 2022, month: 12, day: 1)), 0)
    }

    // MARK: AccountBook over members.csv with a pension column

    static let members = """
        member_id,status,retired_on,contribution_base,pension
        w1,in_service,,5000,
        r1,retired,,,3000
        r2,retired,,,
        r3,in_service,2023-03-15,6000,2500

        """
    static let claims = """
        claim_id,member_id,date,tier,total_cost,compliant_cost
        c1,w1,2023-01-10,1,500,500
        c2,r1,2023-12-20,3,1000,1000

        """

    func book(_ name: String) throws -> (AccountBook, MemberTable) {
        let members = try MemberTable.parse(file: "members.csv", bytes: Array(Self.members.utf8))
        let claims = try ClaimTable.parse(file: "claims.csv", bytes: Array(Self.claims.utf8), members: members)
        let engine = RulesEngine(policy: try policy(name))
        let outcomes = Batch(engine: engine, claims: claims).run(claims: claims, members: members)
        return (AccountBook(policy: engine.policy, members: members, claims: claims, outcomes: outcomes), members)
    }

    func testMembersFileReadsThePension() throws {
        let m = try MemberTable.parse(file: "members.csv", bytes: Array(Self.members.utf8))
        XCTAssertEqual(m.pensionFen, [-1, 300_000, -1, 250_000])
        XCTAssertEqual(m.contributionBaseFen, [500_000, -1, -1, 600_000])
        XCTAssertEqual(m.ignoredColumns, [], "pension is a known column")
    }

    /// Credits Jan–Dec 2023 (the months of the claims' year), claims debited in their month.
    func testAccountBookCreditsRetireesThePensionShare() throws {
        let (pre, members) = try book("tieling-pre-reform")
        XCTAssertEqual(pre.firstMonth, Day.from(year: 2023, month: 1, day: 1))
        XCTAssertEqual(pre.lastMonth, Day.from(year: 2023, month: 12, day: 1))
        // [credited, paid from the account, cash, closing balance] in fen, by member.
        func rows(_ b: AccountBook) -> [[Int64]] { b.accounts.map { [$0.creditedFen, $0.paidFen, $0.cashFen, $0.balanceFen] } }
        XCTAssertEqual(rows(pre), [
            // w1: 190.00 × 12 = 2280.00. c1 is not covered (no ordinary pooling), so its 500.00 is the
            // member's: 190.00 from January's credit, 310.00 cash; 2280.00 − 190.00 = 2090.00 left.
            [228_000, 19_000, 31_000, 209_000],
            // r1: 3000.00 × 4% = 120.00 × 12 = 1440.00; c2 (1000.00, not covered) paid from it in December.
            [144_000, 100_000, 0, 44_000],
            // r2: no pension on file and no fixed part: nothing.
            [0, 0, 0, 0],
            // r3 retires 2023-03-15 (Tieling: retired from that day, so from April's first day):
            // Jan–Mar 6000.00 × 3.8% = 228.00 × 3 = 684.00; Apr–Dec 2500.00 × 4% = 100.00 × 9 = 900.00.
            [158_400, 0, 0, 158_400],
        ])
        let (post, _) = try book("tieling")
        XCTAssertEqual(rows(post), [
            // w1: 100.00 × 12 = 1200.00. c1 under ordinary pooling (§9): (500 − 300) × 60% = 120.00 from
            // the fund, 380.00 the member's: 100.00 from January's credit, 280.00 cash.
            [120_000, 10_000, 28_000, 110_000],
            // r1: 60.00 × 12 = 720.00. c2: (1000 − 300) × 55% = 385.00 fund; 615.00 from the account.
            [72_000, 61_500, 0, 10_500],
            // r2: the fixed 60.00 needs no pension on file.
            [72_000, 0, 0, 72_000],
            // r3: Jan–Mar 6000.00 × 2% = 120.00 × 3 = 360.00; Apr–Dec 60.00 × 9 = 540.00.
            [90_000, 0, 0, 90_000],
        ])
        let csv = String(decoding: pre.render(members: members), as: UTF8.self)
        XCTAssertTrue(csv.contains("\nr1,1440.00,1000.00,0.00,440.00\n"), csv)
    }

    func testABadPensionNamesFileLineAndColumn() {
        for bad in ["-5", "12.345", "3000 yuan"] {
            let text = "member_id,status,pension\nm1,retired,3000\nm2,retired,\(bad)\n"
            XCTAssertThrowsError(try MemberTable.parse(file: "members.csv", bytes: Array(text.utf8))) { e in
                XCTAssertEqual(e as? InputError, InputError(file: "members.csv", line: 3, field: "pension",
                                                            "expected a non-negative amount in yuan with at most 2 decimals, got '\(bad)'"))
                XCTAssertTrue("\(e)".hasPrefix("members.csv:3: field 'pension': "), "\(e)")
            }
        }
    }
}
