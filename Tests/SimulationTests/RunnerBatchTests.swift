import Adjudication
import Foundation
import Policy
import Simulation
import Synthesis
import XCTest

/// The runner's hot loop against the batch engine, which the adjudication tests check claim by
/// claim against hand-computed cases: the same replication written as CSV by `SynthCSV`, read back
/// through the contract readers, adjudicated by `Batch` and booked by `AccountBook`, must give the
/// runner's totals and every member's figures to the fen, under every variant.
final class RunnerBatchTests: ScratchTestCase {
    /// Fund by benefit, large subsidy, own shares, credits, cash, account payments and the two
    /// member counts; and every member's own share, fund payment and credit.
    struct BatchFigures {
        var totals = VariantTotals()
        var burden: [Int64]
        var fund: [Int64]
        var credit: [Int64]
        var flags: [UInt8]
    }

    func batchFigures(_ v: Experiment.Variant, members: MemberTable, claims: ClaimTable, year: Int) -> BatchFigures {
        let outcomes = Batch(engine: v.engine, claims: claims).run(claims: claims, members: members)
        var f = BatchFigures(burden: .init(repeating: 0, count: members.count), fund: .init(repeating: 0, count: members.count),
                             credit: .init(repeating: 0, count: members.count), flags: .init(repeating: 0, count: members.count))
        for (i, o) in outcomes.enumerated() {
            let m = Int(claims.member[i])
            if let b = o.benefit { f.totals.fundByBenefit[Int(b.rawValue)] += o.fundFen }
            f.totals.largeFen += o.largeFen
            f.totals.burdenFen += o.memberFen
            f.burden[m] += o.memberFen
            f.fund[m] += o.fundFen
            if o.benefit == .ordinary {
                if o.fundFen > 0 { f.flags[m] |= MemberColumns.ordinaryPaid }
                if o.capRemainingFen == 0 { f.flags[m] |= MemberColumns.capHit }
            }
        }
        f.totals.capHitMembers = Int64(f.flags.filter { $0 & MemberColumns.capHit != 0 }.count)
        f.totals.ordinaryPaidMembers = Int64(f.flags.filter { $0 & MemberColumns.ordinaryPaid != 0 }.count)

        let book = AccountBook(policy: v.policy, members: members, claims: claims, outcomes: outcomes)
        // The book credits from the month of the earliest claim; the runner from January. With
        // thousands of members some claim falls in January, so both cover the same twelve months.
        XCTAssertEqual(book.firstMonth, Day.from(year: year, month: 1, day: 1), "the earliest claim is in January")
        XCTAssertEqual(book.lastMonth, Day.from(year: year, month: 12, day: 1))
        for (m, a) in book.accounts.enumerated() {
            f.credit[m] = a.creditedFen
            f.totals.creditFen += a.creditedFen
            f.totals.cashFen += a.cashFen
            f.totals.accountPaidFen += a.paidFen
        }
        return f
    }

    func testRunnerEqualsBatchEngineToTheFen() throws {
        let members = 5000
        let text = scenario(members: members, replications: 2, seed: 20240, reforms: """
              - name: cap-2000-retired-10
                set:
                  ordinary.annual_cap: 2000
                  ordinary.retired_uplift: 10
              - name: tieling
                policy: \(Repo.policy("tieling"))
              - name: pre-reform
                policy: \(Repo.policy("yanbian-pre-reform"))

            """)
        let x = try Experiment(try Scenario.parse(text, file: try write("test.yaml", text)))
        XCTAssertEqual(x.variants.count, 4)
        XCTAssertTrue(x.variants[3].accountActive[0], "the pre-reform policy credits accounts in January")

        struct Stored { var result: ReplicationResult; var burden, fund, credit: [Int64]; var flags: [UInt8] }
        var runs: [Stored] = []
        let complete = try Runner(x, threads: 2).run(replications: [0, 1]) { r, cols in
            let n = cols.count * cols.variants
            runs.append(Stored(result: r, burden: Array(UnsafeBufferPointer(start: cols.burdenFen, count: n)),
                               fund: Array(UnsafeBufferPointer(start: cols.fundFen, count: n)),
                               credit: Array(UnsafeBufferPointer(start: cols.creditFen, count: n)),
                               flags: Array(UnsafeBufferPointer(start: cols.flags, count: n))))
        }
        XCTAssertTrue(complete)
        XCTAssertEqual(runs.map(\.result.replication), [0, 1])

        let year = x.model.calibration.year
        for run in runs {
            let r = run.result.replication
            let mp = path("members-\(r).csv"), cp = path("claims-\(r).csv")
            try SynthCSV.write(generator: x.generator, members: members, replication: r, membersPath: mp, claimsPath: cp)
            let table = try MemberTable.parse(file: mp, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: mp))))
            let claims = try ClaimTable.parse(file: cp, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: cp))), members: table)
            XCTAssertEqual(table.count, members)
            XCTAssertEqual(table.ids[members - 1], "M\(members - 1)", "member rows are the runner's member indices")

            let pop = run.result.population
            XCTAssertEqual(pop.members, Int64(members))
            XCTAssertEqual(pop.visits, Int64(claims.count))
            XCTAssertEqual(pop.costFen, claims.totalFen.reduce(0, +))
            XCTAssertEqual(pop.compliantFen, claims.compliantFen.reduce(0, +))

            for (v, variant) in x.variants.enumerated() {
                let b = batchFigures(variant, members: table, claims: claims, year: year)
                let t = run.result.totals[v]
                let label = "replication \(r), variant \(variant.name)"
                XCTAssertEqual(t.fundByBenefit, b.totals.fundByBenefit, "fund by benefit, \(label)")
                XCTAssertEqual(t.largeFen, b.totals.largeFen, "large subsidy, \(label)")
                XCTAssertEqual(t.burdenFen, b.totals.burdenFen, "own shares, \(label)")
                XCTAssertEqual(t.creditFen, b.totals.creditFen, "credits, \(label)")
                XCTAssertEqual(t.cashFen, b.totals.cashFen, "cash, \(label)")
                XCTAssertEqual(t.accountPaidFen, b.totals.accountPaidFen, "paid from accounts, \(label)")
                XCTAssertEqual(t.capHitMembers, b.totals.capHitMembers, "members at the cap, \(label)")
                XCTAssertEqual(t.ordinaryPaidMembers, b.totals.ordinaryPaidMembers, "members paid, \(label)")
                XCTAssertEqual(t, b.totals, label)
                // Cash plus account payments are the own shares.
                XCTAssertEqual(t.cashFen + t.accountPaidFen, t.burdenFen, label)

                let lo = v * members, hi = lo + members
                XCTAssertEqual(Array(run.burden[lo..<hi]), b.burden, "members' own shares, \(label)")
                XCTAssertEqual(Array(run.fund[lo..<hi]), b.fund, "members' fund payments, \(label)")
                XCTAssertEqual(Array(run.credit[lo..<hi]), b.credit, "members' credits, \(label)")
                XCTAssertEqual(Array(run.flags[lo..<hi]), b.flags, "members' flags, \(label)")
            }
            // The check has teeth: every benefit paid something somewhere, some members hit the
            // cap, the pre-reform variant has no ordinary pooling, accounts paid and fell short.
            let base = run.result.totals[0]
            XCTAssertTrue(base.fundByBenefit.allSatisfy { $0 > 0 }, "\(base.fundByBenefit)")
            XCTAssertGreaterThan(base.capHitMembers, 0)
            XCTAssertGreaterThan(base.largeFen + run.result.totals[2].largeFen, 0, "the large subsidy is exercised")
            XCTAssertEqual(run.result.totals[3].fundByBenefit[0], 0)
            XCTAssertGreaterThan(run.result.totals[3].accountPaidFen, 0)
            XCTAssertGreaterThan(run.result.totals[3].cashFen, 0)
            XCTAssertNotEqual(run.result.totals[1].fundFen, base.fundFen)
        }
    }
}
