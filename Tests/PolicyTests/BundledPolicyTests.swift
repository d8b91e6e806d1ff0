import XCTest
@testable import Policy

/// The two bundled policy files load and compile to the values of POLICY-NOTES.
final class BundledPolicyTests: XCTestCase {
    private func site(_ sites: Site...) -> UInt8 { sites.reduce(0) { $0 | (1 << $1.rawValue) } }

    func testPolicyFilesAreFoundRelativeToTheTests() {
        XCTAssertTrue(FileManager.default.fileExists(atPath: Fixtures.policyPath("tieling")), Fixtures.policyPath("tieling"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: Fixtures.policyPath("yanbian")), Fixtures.policyPath("yanbian"))
    }

    // MARK: Tieling

    func testTielingHeaderAndPeriods() throws {
        let path = Fixtures.policyPath("tieling")
        let p = try Policy.load(path: path)
        XCTAssertEqual(p.id, "tieling")
        XCTAssertEqual(p.file, path)
        XCTAssertEqual(p.effectiveFrom, Day.from(year: 2022, month: 12, day: 1))
        XCTAssertEqual(p.effectiveArticle, "§34")
        XCTAssertEqual(p.reforms, [])
        XCTAssertEqual(p.periods.map(\.id), ["2022-12", "2023-on"])
        XCTAssertEqual(p.periodTrees.count, 2)
        XCTAssertEqual(p.periods[0].from, Day.from(year: 2022, month: 12, day: 1))
        XCTAssertEqual(p.periods[0].to, Day.from(year: 2022, month: 12, day: 31))
        XCTAssertEqual(p.periods[1].from, Day.from(year: 2023, month: 1, day: 1))
        XCTAssertNil(p.periods[1].to)

        XCTAssertNil(p.periodIndex(on: Day.from(year: 2022, month: 11, day: 30)), "before §34 start")
        XCTAssertEqual(p.periodIndex(on: Day.from(year: 2022, month: 12, day: 1)), 0)
        XCTAssertEqual(p.periodIndex(on: Day.from(year: 2022, month: 12, day: 31)), 0)
        XCTAssertEqual(p.periodIndex(on: Day.from(year: 2023, month: 1, day: 1)), 1)
        XCTAssertEqual(p.periodIndex(on: Day.from(year: 2030, month: 6, day: 15)), 1)
    }

    func testTielingDecember2022Ordinary() throws {
        let p = try Policy.load(path: Fixtures.policyPath("tieling"))
        let b = try XCTUnwrap(p.periods[0].benefit(.ordinary))
        XCTAssertEqual(b.deductibleFen, [2500, 2500, 2500, 2500], "§9: 25 yuan in the month the rules start")
        XCTAssertEqual(b.annualCapFen, 25000, "§9: 250 yuan")
        XCTAssertEqual(b.deductibleMode, .annualTopUp)
        XCTAssertEqual(b.capPool, .own)
        // The exception changes only deductible and cap: ratios are the 2023 ones.
        XCTAssertEqual(b.ratioBp, [6000, 6000, 5500, 5000])
        XCTAssertEqual(b.retiredUpliftBp, 500)
        XCTAssertEqual(b.specialtyRatioBp, 6000)
        // The exception's values carry its own citation and line.
        let tree = p.periodTrees[0]
        let ded = try XCTUnwrap(tree.parameter(at: "ordinary.deductible"))
        XCTAssertEqual(ded.value, .scalar("25"))
        XCTAssertEqual(ded.article, "§9")
        XCTAssertNil(ded.changedBy, "a period exception is not a reform")
        let text = try Fixtures.policyText("tieling")
        XCTAssertEqual(ded.origin.line, lineOf("ordinary.deductible: {value: 25", in: text))
    }

    func testTielingFrom2023Ordinary() throws {
        let p = try Policy.load(path: Fixtures.policyPath("tieling"))
        let period = p.periods[1]
        let b = try XCTUnwrap(period.benefit(.ordinary))
        XCTAssertEqual(b.channel, .ordinary)
        XCTAssertEqual(b.article, "§9")
        XCTAssertEqual(b.deductibleFen, [30000, 30000, 30000, 30000])
        XCTAssertEqual(b.annualCapFen, 300000)
        XCTAssertEqual(b.ratioBp, [6000, 6000, 5500, 5000], "tier 0 (unrated) takes tier 1's 60%")
        XCTAssertEqual(b.specialtyRatioBp, 6000)
        XCTAssertEqual(b.specialtyRatioSiteMask, site(.local), "§10: specialty ratio not at the remote registered place")
        XCTAssertEqual(b.retiredUpliftBp, 500)
        XCTAssertEqual(b.siteMask, site(.local, .remoteRegistered))
        XCTAssertTrue(b.covers(site: .local))
        XCTAssertTrue(b.covers(site: .remoteRegistered))
        XCTAssertFalse(b.covers(site: .remoteReferral))
        XCTAssertFalse(b.covers(site: .remoteTemporary))
        XCTAssertEqual(b.sitesArticle, "§10")
        XCTAssertEqual(b.tierMask, 0b1111)
        XCTAssertEqual(b.tiersArticle, "§8")
        XCTAssertTrue(b.designatedOnly)
        XCTAssertEqual(b.designatedArticle, "§8")
        XCTAssertFalse(b.excludedInHospital, "Tieling's text has no in-hospital exclusion")
        XCTAssertEqual(b.inHospitalArticle, "")
        XCTAssertEqual(b.deductibleMode, .annualTopUp)
        XCTAssertEqual(b.capPool, .own)
        XCTAssertEqual(b.diseaseCaps, [])
    }

    func testTielingOtherBenefitsAndGroups() throws {
        let p = try Policy.load(path: Fixtures.policyPath("tieling"))
        let period = p.periods[1]
        XCTAssertEqual(period.retirementSwitch, .onDate)
        XCTAssertEqual(period.retirementArticle, "(assumed)")
        XCTAssertEqual(period.basicAnnualCapFen, 10_000_000)
        XCTAssertEqual(period.largeAmount, LargeAmountSubsidy(ratioBp: 9000, annualCapFen: 40_000_000,
                                                              article: "large-amount subsidy (assumed)"))
        XCTAssertEqual(period.account, AccountRule(startDay: Day.from(year: 2022, month: 12, day: 1),
                                                   inServiceRateBp: 200, retiredMonthlyFen: 6000, article: "§14"))

        let chronic = try XCTUnwrap(period.benefit(.chronic))
        XCTAssertEqual(chronic.deductibleMode, .none)
        XCTAssertEqual(chronic.deductibleFen, [0, 0, 0, 0])
        XCTAssertEqual(chronic.capPool, .perDisease)
        XCTAssertEqual(chronic.tierMask, 0b0111)
        XCTAssertEqual(chronic.diseaseCaps.count, 8)
        XCTAssertEqual(chronic.diseaseCaps.first, Benefit.DiseaseCap(code: "hypertension", capFen: 100_000))
        XCTAssertEqual(chronic.diseaseCaps.last, Benefit.DiseaseCap(code: "parkinsons", capFen: 150_000))

        let special = try XCTUnwrap(period.benefit(.special))
        XCTAssertEqual(special.tierMask, 0b1100)
        XCTAssertTrue(special.specialtyAnyTier)
        XCTAssertEqual(special.deductibleFen, [40_000, 40_000, 80_000, 110_000])
        XCTAssertEqual(special.ratioBp, [9200, 9200, 9000, 8800])
        XCTAssertEqual(special.capPool, .basic)

        XCTAssertEqual(period.benefit(.emergency)?.deductibleMode, .perEvent)
        XCTAssertEqual(period.benefit(.daySurgery)?.deductibleMode, DeductibleMode.none)
        XCTAssertEqual(period.benefit(.inpatient)?.capPool, .basic)
        // The December exception touches nothing but the ordinary deductible and cap.
        var dec = p.periods[0]
        dec.benefits[Int(Channel.ordinary.rawValue)] = period.benefits[Int(Channel.ordinary.rawValue)]
        dec.id = period.id; dec.from = period.from; dec.to = period.to
        XCTAssertEqual(dec, period)
    }

    // MARK: Yanbian

    func testYanbianOrdinary() throws {
        let p = try Policy.load(path: Fixtures.policyPath("yanbian"))
        XCTAssertEqual(p.id, "yanbian")
        XCTAssertEqual(p.effectiveFrom, Day.from(year: 2023, month: 1, day: 1))
        XCTAssertEqual(p.effectiveArticle, "§22")
        XCTAssertEqual(p.periods.count, 1)
        XCTAssertEqual(p.periods[0].id, "2023-on")
        XCTAssertEqual(p.periods[0].from, Day.from(year: 2023, month: 1, day: 1))
        XCTAssertNil(p.periods[0].to)
        XCTAssertNil(p.periodIndex(on: Day.from(year: 2022, month: 12, day: 31)), "§22: not before 2023")
        XCTAssertEqual(p.periodIndex(on: Day.from(year: 2023, month: 1, day: 1)), 0)

        let period = p.periods[0]
        let b = try XCTUnwrap(period.benefit(.ordinary))
        XCTAssertEqual(b.article, "§5")
        XCTAssertEqual(b.deductibleFen, [10000, 10000, 20000, 30000])
        XCTAssertEqual(b.ratioBp, [6000, 6000, 5500, 5000])
        XCTAssertEqual(b.retiredUpliftBp, 200)
        XCTAssertEqual(b.annualCapFen, 100000)
        XCTAssertEqual(b.capPool, .own)
        XCTAssertEqual(b.deductibleMode, .annualTopUp)
        XCTAssertNil(b.specialtyRatioBp)
        XCTAssertEqual(b.specialtyRatioSiteMask, 0)
        XCTAssertTrue(b.excludedInHospital)
        XCTAssertEqual(b.inHospitalArticle, "§17")
        XCTAssertEqual(b.siteMask, site(.local, .remoteRegistered, .remoteReferral, .remoteTemporary))
        XCTAssertEqual(b.tierMask, 0b1111)
        XCTAssertEqual(period.retirementSwitch, .nextMonth)
        XCTAssertEqual(period.retirementArticle, "§19")
    }

    func testYanbianOtherBenefits() throws {
        let period = try Policy.load(path: Fixtures.policyPath("yanbian")).periods[0]
        let chronic = try XCTUnwrap(period.benefit(.chronic))
        XCTAssertEqual(chronic.ratioBp, [6000, 6000, 6000, 6000])
        XCTAssertEqual(chronic.tierMask, 0b0111)
        XCTAssertTrue(chronic.excludedInHospital)
        XCTAssertEqual(chronic.diseaseCaps.map(\.code), ["hypertension", "diabetes", "coronary_heart_disease", "copd",
                                                         "stroke_sequelae", "chronic_hepatitis", "rheumatoid_arthritis", "parkinsons"])
        XCTAssertEqual(chronic.diseaseCaps.map(\.capFen), [100_000, 150_000, 150_000, 120_000, 120_000, 200_000, 120_000, 150_000])
        let special = try XCTUnwrap(period.benefit(.special))
        XCTAssertEqual(special.capPool, .basic)
        XCTAssertEqual(special.deductibleMode, .annualTopUp)
        XCTAssertEqual(special.retiredUpliftBp, 200)
        XCTAssertEqual(period.benefit(.daySurgery)?.deductibleFen, [0, 0, 0, 0])
        // POLICY-NOTES reads §17 as excluding every outpatient benefit during an inpatient stay.
        for c in [Channel.ordinary, .chronic, .special, .emergency, .daySurgery] {
            XCTAssertEqual(period.benefit(c)?.excludedInHospital, true, c.name)
            XCTAssertEqual(period.benefit(c)?.inHospitalArticle, "§17", c.name)
        }
        XCTAssertEqual(period.benefit(.inpatient)?.excludedInHospital, false, "an admission is not an outpatient claim")
        XCTAssertEqual(period.basicAnnualCapFen, 10_000_000)
        XCTAssertEqual(period.basicCapArticle, "(assumed)")
        XCTAssertEqual(period.largeAmount?.article, "§16")
        XCTAssertEqual(period.account?.startDay, Day.from(year: 2023, month: 1, day: 1))
        XCTAssertEqual(period.account?.retiredMonthlyFen, 5600)
    }

    // MARK: Citations

    /// POLICY-NOTES: every value cites its article, or is `assumed: true` with a source.
    func testEveryParameterIsCitedOrAssumedWithASource() throws {
        for name in ["tieling", "yanbian"] {
            let p = try Policy.load(path: Fixtures.policyPath(name))
            var assumed = 0, cited = 0
            for (i, tree) in p.periodTrees.enumerated() {
                let params = tree.allParameters()
                XCTAssertGreaterThan(params.count, 30, "\(name) period \(i) should have its whole tree")
                for (path, param) in params {
                    if param.assumed {
                        assumed += 1
                        XCTAssertFalse((param.source ?? "").trimmingCharacters(in: .whitespaces).isEmpty,
                                       "\(name) \(p.periods[i].id) \(path): assumed without a source")
                    } else {
                        cited += 1
                        XCTAssertFalse((param.article ?? "").trimmingCharacters(in: .whitespaces).isEmpty,
                                       "\(name) \(p.periods[i].id) \(path): neither article nor assumed")
                    }
                    XCTAssertEqual(param.origin.file, p.file, "\(name) \(path): origin file")
                    XCTAssertNotNil(param.origin.line, "\(name) \(path): origin line")
                    XCTAssertNil(param.changedBy, "\(name) \(path): no reform applied")
                }
            }
            XCTAssertGreaterThan(assumed, 0, name)
            XCTAssertGreaterThan(cited, 0, name)
        }
        // Spot checks of both kinds.
        let y = try Policy.load(path: Fixtures.policyPath("yanbian")).periodTrees[0]
        XCTAssertEqual(y.parameter(at: "ordinary.annual_cap")?.article, "§5")
        XCTAssertEqual(y.parameter(at: "ordinary.annual_cap")?.assumed, false)
        XCTAssertEqual(y.parameter(at: "basic_insurance.annual_cap")?.assumed, true)
        XCTAssertNil(y.parameter(at: "basic_insurance.annual_cap")?.article)
        XCTAssertTrue(y.parameter(at: "basic_insurance.annual_cap")?.source?.contains("§16") ?? false)
    }

    func testAddressablePathsIncludeTableEntries() throws {
        let tree = try Policy.load(path: Fixtures.policyPath("tieling")).periodTrees[1]
        let paths = tree.addressablePaths()
        for expected in ["ordinary.annual_cap", "ordinary.ratio", "ordinary.ratio.tier1", "ordinary.ratio.tier3",
                         "chronic.disease_caps.diabetes", "retirement.ratio_switch", "personal_account.from"] {
            XCTAssertTrue(paths.contains(expected), expected)
        }
        XCTAssertFalse(paths.contains("ordinary.article"), "metadata text is not a parameter")
        XCTAssertFalse(paths.contains("ordinary"), "a group is not a parameter")
    }
}
