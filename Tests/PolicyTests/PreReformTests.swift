import XCTest
@testable import Policy

/// The two pre-reform files (`*-pre-reform.yaml`): the counterfactual "the old system continued"
/// that a scenario compares with each city's reformed rules. They must differ from the reformed file
/// only in what the reform changed: no ordinary pooling, and the old personal-account credit.
/// (The credits a member gets under each rule, through `PersonalAccount`, are checked in
/// AdjudicationTests/PreReformAccountTests: this target cannot link Adjudication.)
final class PreReformTests: XCTestCase {
    static let cities = ["tieling", "yanbian"]

    func load(_ name: String) throws -> Policy { try Policy.load(path: Fixtures.policyPath(name)) }

    /// The pre-reform file's only period, and the reformed file's period from 2023 on (Tieling's
    /// December 2022 differs only in ordinary pooling, which the pre-reform file lacks).
    func periods(_ city: String) throws -> (pre: PeriodParameters, post: PeriodParameters) {
        let pre = try load(city + "-pre-reform"), post = try load(city)
        XCTAssertEqual(pre.periods.count, 1, city)
        let day2023 = Day.from(year: 2023, month: 1, day: 1)
        return (pre.periods[try XCTUnwrap(pre.periodIndex(on: day2023))], post.periods[try XCTUnwrap(post.periodIndex(on: day2023))])
    }

    func testHeadersAndTheOpenEndedPeriod() throws {
        for city in Self.cities {
            let p = try load(city + "-pre-reform")
            XCTAssertEqual(p.id, city + "-pre-reform")
            XCTAssertEqual(p.effectiveFrom, Day.from(year: 2000, month: 1, day: 1), city)
            XCTAssertNil(p.periods[0].to, "\(city): the old rules are taken to continue")
            // Every year a scenario runs, before and after the reform date, is under the old rules.
            for year in [2021, 2022, 2023, 2030] {
                XCTAssertEqual(p.periodIndex(on: Day.from(year: year, month: 6, day: 1)), 0, "\(city) \(year)")
            }
        }
    }

    func testNoOrdinaryPooling() throws {
        for city in Self.cities {
            let (pre, post) = try periods(city)
            XCTAssertNil(pre.benefit(.ordinary), "\(city): ordinary pooling is what the reform introduced")
            XCTAssertNotNil(post.benefit(.ordinary), "\(city): the reformed file has it, so the difference is real")
        }
    }

    /// The copied benefits compile to exactly the reformed file's, so the two files cannot drift.
    func testEveryOtherBenefitEqualsTheReformedFile() throws {
        for city in Self.cities {
            let (pre, post) = try periods(city)
            for c in Channel.allCases where c != .ordinary {
                let b = try XCTUnwrap(pre.benefit(c), "\(city) \(c.name) is copied")
                XCTAssertEqual(b, post.benefit(c), "\(city) \(c.name)")
            }
            XCTAssertEqual(pre.basicAnnualCapFen, post.basicAnnualCapFen, city)
            XCTAssertNotNil(pre.basicAnnualCapFen, city)
            XCTAssertEqual(pre.basicCapArticle, post.basicCapArticle, city)
            XCTAssertEqual(pre.largeAmount, post.largeAmount, city)
            XCTAssertNotNil(pre.largeAmount, city)
            XCTAssertEqual(pre.retirementSwitch, post.retirementSwitch, city)
            XCTAssertEqual(pre.retirementArticle, post.retirementArticle, city)
        }
    }

    /// Not only the compiled values: every copied parameter keeps its unit, citation and note.
    func testCopiedParametersKeepTheirCitations() throws {
        let copied = ["chronic", "special", "emergency", "day_surgery", "inpatient", "basic_insurance", "large_amount", "retirement"]
        func key(_ p: Parameter) -> [String?] {
            [p.value.text, p.unit, p.article, p.assumed ? "assumed" : nil, p.source, p.note]
        }
        for city in Self.cities {
            let pre = try load(city + "-pre-reform").periodTrees[0].allParameters()
            let post = try load(city).periodTrees.last!.allParameters()
            for group in copied {
                let a = pre.filter { $0.path.hasPrefix(group + ".") }, b = post.filter { $0.path.hasPrefix(group + ".") }
                XCTAssertFalse(a.isEmpty, "\(city) \(group)")
                XCTAssertEqual(a.map(\.path), b.map(\.path), "\(city) \(group): the same keys in the same order")
                for (x, y) in zip(a, b) { XCTAssertEqual(key(x.parameter), key(y.parameter), "\(city) \(x.path)") }
            }
            let groups = Set(pre.map { String($0.path.split(separator: ".")[0]) })
            XCTAssertEqual(groups, Set(copied + ["personal_account"]), "\(city): nothing else in the pre-reform file")
        }
    }

    /// The old credit: 2% of the base from the member plus 30% of the employer's 6%.
    func testCombinedInServiceRateIs380BasisPoints() throws {
        for city in Self.cities {
            let (pre, post) = try periods(city)
            let old = try XCTUnwrap(pre.account, city), new = try XCTUnwrap(post.account, city)
            // 200 + 600 × 3000 / 10000 = 200 + 180 = 380 bp.
            XCTAssertEqual(old.inServiceRateBp, 380, city)
            XCTAssertEqual(old.memberRateBp, 200, city)
            XCTAssertEqual(old.employerRateBp, 600, city)
            XCTAssertEqual(old.employerShareBp, 3000, city)
            XCTAssertEqual(old.employerPartBp, 180, city)
            // Retirees: a share of their own pension and no fixed amount.
            XCTAssertEqual(old.retiredPensionRateBp, 400, city)
            XCTAssertEqual(old.retiredMonthlyFen, 0, city)
            XCTAssertEqual(old.startDay, Day.from(year: 2000, month: 1, day: 1), city)
            // After the reform the employer's part is gone (Tieling §14; Yanbian assumed the same).
            XCTAssertEqual(new.inServiceRateBp, 200, city)
            XCTAssertEqual(new.employerPartBp, 0, city)
            XCTAssertEqual(new.retiredPensionRateBp, 0, city)
        }
        XCTAssertEqual(try periods("tieling").post.account?.retiredMonthlyFen, 6000, "Tieling §14: 60 yuan")
        XCTAssertEqual(try periods("yanbian").post.account?.retiredMonthlyFen, 5600, "yanbian.yaml: 56 yuan, assumed")
    }

    /// POLICY-NOTES: every value cites its article, or is `assumed: true` with a source.
    func testEveryParameterIsCitedOrAssumedWithASource() throws {
        for city in Self.cities {
            let p = try load(city + "-pre-reform")
            for (path, param) in p.periodTrees[0].allParameters() {
                if param.assumed {
                    XCTAssertFalse((param.source ?? "").trimmingCharacters(in: .whitespaces).isEmpty, "\(city) \(path)")
                } else {
                    XCTAssertFalse((param.article ?? "").trimmingCharacters(in: .whitespaces).isEmpty, "\(city) \(path)")
                }
            }
            // The old account rule is nowhere in our two texts: all of it is assumed, with sources.
            for (path, param) in p.periodTrees[0].allParameters() where path.hasPrefix("personal_account.") {
                XCTAssertTrue(param.assumed, "\(city) \(path)")
                XCTAssertTrue(path == "personal_account.from" || (param.source ?? "").contains("国发〔1998〕44号"), "\(city) \(path)")
            }
        }
    }

    /// Retirees need some credit rule: a fixed amount, a pension share, or both. With neither the
    /// error names the file, the line of the personal_account block and the group.
    func testNeitherRetiredMonthlyNorPensionRateIsAnError() {
        let text = Fixtures.minimal + """
            personal_account:
              article: "§14"
              from: {value: 2023-01-01, article: "§14"}
              in_service_rate: {value: 2, unit: percent_of_base, article: "§14"}
              employer_rate: {value: 6, unit: percent_of_base, article: "§14"}
              employer_share: {value: 30, unit: percent, article: "§14"}

            """
        // The group's line is where its first key is (as for the other "missing" errors).
        assertPolicyError(text, line: lineOf("personal_account:", in: text) + 1, path: "personal_account",
                          messageContains: ["retired_monthly", "retired_pension_rate", "period p1"])
    }
}
