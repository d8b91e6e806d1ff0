import Policy
import Simulation
import XCTest

/// Every variant sees the same members and visits (common random numbers), so a reform's
/// difference from the baseline is its own effect, member by member, with no sampling noise.
final class CommonRandomNumbersTests: ScratchTestCase {
    func testIdentityAndCapRaise() throws {
        let members = 4000
        // yanbian.yaml's ordinary cap is 1000 yuan: `identity` sets it to what it is.
        let text = scenario(members: members, replications: 3, seed: 515, reforms: """
              - name: identity
                set: {ordinary.annual_cap: 1000}
              - name: cap-1500
                set: {ordinary.annual_cap: 1500}

            """)
        let x = try Experiment(try Scenario.parse(text, file: try write("test.yaml", text)))
        XCTAssertEqual(x.differences(1), [], "the identity reform changes no parameter")
        XCTAssertEqual(x.differences(2).map(\.path), ["ordinary.annual_cap"])
        let subgroups = x.subgroupNames
        var capRaisePaidMore = 0
        let complete = try Runner(x, threads: 2).run(replications: [0, 1, 2]) { r, cols in
            let label = "replication \(r.replication)"
            // (a) The identity reform: every figure equal, every member unchanged.
            XCTAssertEqual(r.totals[1], r.totals[0], label)
            XCTAssertEqual(r.burdenHistogram[1], r.burdenHistogram[0], label)
            for g in subgroups.indices {
                let a = r.memberStatistics[0][g], b = r.memberStatistics[1][g]
                XCTAssertEqual(a.members, b.members)
                XCTAssertEqual(a.meanBurdenFen.isNaN ? nil : a.meanBurdenFen, b.meanBurdenFen.isNaN ? nil : b.meanBurdenFen, "\(label) \(subgroups[g])")
                XCTAssertEqual(a.aboveThreshold, b.aboveThreshold)
                XCTAssertEqual(a.capHit, b.capHit)
                XCTAssertEqual(a.ordinaryPaid, b.ordinaryPaid)
                let c = r.netChanges[1][g]
                XCTAssertEqual([c.winners, c.losers, c.unchanged], [0, 0, c.members], "\(label) \(subgroups[g])")
                XCTAssertEqual([c.gainFen, c.lossFen], [0, 0])
                if c.members > 0 { XCTAssertEqual(c.quantilesFen, [0, 0, 0]) }
            }
            var identityDiffers = 0, fundLower = 0, fundHigher = 0, creditDiffers = 0, costDiffers = 0
            var gain: Int64 = 0, winners = 0
            for m in 0..<cols.count {
                if cols.burden(1, m) != cols.burden(0, m) || cols.credit(1, m) != cols.credit(0, m)
                    || cols.fund(1, m) != cols.fund(0, m) || cols.flag(1, m) != cols.flag(0, m) || cols.netChange(1, m) != 0 {
                    identityDiffers += 1
                }
                // (b) A higher ordinary cap: nobody's fund payment falls, and what the fund pays
                // more the member pays less (same visits, same credits).
                let more = cols.fund(2, m) - cols.fund(0, m)
                if more < 0 { fundLower += 1 }
                if more > 0 { fundHigher += 1; winners += 1; gain += more }
                if cols.credit(2, m) != cols.credit(0, m) { creditDiffers += 1 }
                if cols.burden(2, m) + cols.fund(2, m) != cols.burden(0, m) + cols.fund(0, m) { costDiffers += 1 }
                XCTAssertEqual(cols.netChange(2, m), -more)
            }
            XCTAssertEqual(identityDiffers, 0, "members whose figures differ under the identity reform, \(label)")
            XCTAssertEqual(fundLower, 0, "members paid less by the fund under a higher cap, \(label)")
            XCTAssertEqual(creditDiffers, 0)
            XCTAssertEqual(costDiffers, 0)
            capRaisePaidMore += fundHigher

            let base = r.totals[0], up = r.totals[2]
            XCTAssertGreaterThanOrEqual(up.fundFen, base.fundFen, label)
            XCTAssertGreaterThanOrEqual(up.fundByBenefit[0], base.fundByBenefit[0], label)
            XCTAssertEqual(Array(up.fundByBenefit[1...]), Array(base.fundByBenefit[1...]), "other benefits untouched, \(label)")
            XCTAssertLessThanOrEqual(up.capHitMembers, base.capHitMembers)
            XCTAssertEqual(up.fundFen - base.fundFen, gain, "the fund's extra outlay is the members' gain")

            // (c) Winners, losers and unchanged partition every subgroup, and agree with the columns.
            for v in 1..<x.variants.count {
                for g in subgroups.indices {
                    let c = r.netChanges[v][g]
                    XCTAssertEqual(c.winners + c.losers + c.unchanged, c.members, "\(label) variant \(v) \(subgroups[g])")
                    XCTAssertEqual(c.members, r.memberStatistics[v][g].members)
                }
                XCTAssertEqual(r.netChanges[v][0].members, members)
                XCTAssertEqual(r.netChanges[v][1].members + r.netChanges[v][2].members, members, "in service + retired")
            }
            let all = r.netChanges[2][0]
            XCTAssertEqual(all.winners, winners)
            XCTAssertEqual(all.losers, 0)
            XCTAssertEqual(all.unchanged, members - winners)
            XCTAssertEqual(all.gainFen, gain)
            XCTAssertEqual(all.lossFen, 0)
        }
        XCTAssertTrue(complete)
        XCTAssertGreaterThan(capRaisePaidMore, 0, "the higher cap pays some member more")
    }
}
