import Adjudication
import Policy
import Synthesis
import XCTest

/// Properties that must hold for any claims, checked on 200,000 random claims of the stress mix
/// (every channel, tier, site and institution) under both cities' rules.
final class InvariantTests: XCTestCase {
    static let policies = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("datasets/policies")

    func load(_ city: String, reforms: [Overlay] = []) throws -> RulesEngine {
        RulesEngine(policy: try Policy.load(path: Self.policies.appendingPathComponent("\(city).yaml").path, reforms: reforms))
    }

    func testMoneyInvariants() throws {
        let (members, claims) = StressClaims.generate(members: 20_000, claims: 200_000, seed: 7)
        for city in ["tieling", "yanbian"] {
            let engine = try load(city)
            let outcomes = Batch(engine: engine, claims: claims).run(claims: claims, members: members)
            var ordinaryByMemberYear: [Int64: Int64] = [:]
            var covered = 0
            for i in 0..<claims.count {
                let o = outcomes[i]
                XCTAssertEqual(o.fundFen + o.memberFen, claims.totalFen[i], "\(city) claim \(i): fund + member = total")
                XCTAssertGreaterThanOrEqual(o.fundFen, 0, "\(city) claim \(i)")
                XCTAssertGreaterThanOrEqual(o.deductibleFen, 0)
                XCTAssertLessThanOrEqual(o.fundFen - o.largeFen, claims.compliantFen[i], "\(city) claim \(i): the fund pays compliant cost only")
                if o.benefit == .ordinary {
                    covered += 1
                    let key = Int64(claims.member[i]) << 32 | Int64(Day.year(claims.day[i]) * 100 + (claims.day[i] < Day.from(year: 2023, month: 1, day: 1) ? 12 : 0))
                    ordinaryByMemberYear[key, default: 0] += o.fundFen
                }
            }
            XCTAssertGreaterThan(covered, 50_000, "\(city): the mix must reach ordinary pooling")
            // Ordinary fund per member and period-year within that period's cap: Tieling 250 (Dec 2022)
            // and 3000 yuan (§9); Yanbian 1000 (§5).
            let caps: (Int64, Int64) = city == "tieling" ? (25_000, 300_000) : (100_000, 100_000)
            for (key, fund) in ordinaryByMemberYear {
                let dec2022 = key & 0xFFFF_FFFF == 2022 * 100 + 12
                XCTAssertLessThanOrEqual(fund, dec2022 ? caps.0 : caps.1, "\(city): member-year \(key)")
            }
            XCTAssertTrue(ordinaryByMemberYear.values.contains(city == "tieling" ? 300_000 : 100_000), "\(city): some members reach the cap")
        }
    }

    func testIdentityReformChangesNothing() throws {
        let (members, claims) = StressClaims.generate(members: 5_000, claims: 50_000, seed: 11)
        for city in ["tieling", "yanbian"] {
            let base = try load(city)
            let cap = city == "tieling" ? "3000" : "1000"
            // Only for the open period: Tieling's December 2022 has its own cap (§9).
            let identity = Overlay(name: "identity", period: city == "tieling" ? "2023-on" : nil, entries: [
                .init(path: "ordinary.annual_cap", value: .scalar(cap), origin: Origin(file: "test", line: nil)),
                .init(path: "inpatient.ratio.tier3", value: .scalar("88"), origin: Origin(file: "test", line: nil)),
            ])
            let same = try load(city, reforms: [identity])
            XCTAssertEqual(Batch(engine: base, claims: claims).run(claims: claims, members: members),
                           Batch(engine: same, claims: claims).run(claims: claims, members: members))
        }
    }

    /// Raising only the ordinary cap can only raise what the fund pays each member (common random
    /// numbers make this exact, claim by claim summed per member).
    func testRaisingTheCapNeverLowersAMembersFund() throws {
        let (members, claims) = StressClaims.generate(members: 5_000, claims: 50_000, seed: 12)
        for city in ["tieling", "yanbian"] {
            let base = try load(city)
            let up = try load(city, reforms: [Overlay(name: "cap up", entries: [
                .init(path: "ordinary.annual_cap", value: .scalar("4000"), origin: Origin(file: "test", line: nil))])])
            let a = Batch(engine: base, claims: claims).run(claims: claims, members: members)
            let b = Batch(engine: up, claims: claims).run(claims: claims, members: members)
            var perMember = [Int64](repeating: 0, count: members.count)
            var total: Int64 = 0
            for i in 0..<claims.count {
                perMember[Int(claims.member[i])] += b[i].fundFen - a[i].fundFen
                total += b[i].fundFen - a[i].fundFen
            }
            XCTAssertTrue(perMember.allSatisfy { $0 >= 0 }, city)
            XCTAssertGreaterThan(total, 0, "\(city): a higher cap pays more in all")
        }
    }

    func testStressClaimsAreReproducible() {
        let (_, a) = StressClaims.generate(members: 100, claims: 1_000, seed: 3)
        let (_, b) = StressClaims.generate(members: 100, claims: 1_000, seed: 3)
        let (_, c) = StressClaims.generate(members: 100, claims: 1_000, seed: 4)
        XCTAssertEqual(a.totalFen, b.totalFen)
        XCTAssertNotEqual(a.totalFen, c.totalFen)
    }
}
