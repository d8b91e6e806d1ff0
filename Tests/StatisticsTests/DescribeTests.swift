import Statistics
import XCTest

/// GSL's summaries against values worked by hand (the arithmetic is in each comment), so a wrong
/// GSL call (another quantile rule, a population SD, a one-sided t) fails here.
final class DescribeTests: XCTestCase {
    /// The hand sample used below: sorted, n = 5.
    let sample: [Double] = [1, 2, 4, 7, 11]

    func testQuantileInterpolatesAtIndexNMinusOneTimesF() {
        // GSL: index (n − 1)·f, linear between the order statistics around it.
        // f = 0.3:  4 × 0.3  = 1.2  → x[1] + 0.2 × (x[2] − x[1])  = 2 + 0.2 × 2 = 2.4
        // f = 0.95: 4 × 0.95 = 3.8  → x[3] + 0.8 × (x[4] − x[3])  = 7 + 0.8 × 4 = 10.2
        // f = 0.99: 4 × 0.99 = 3.96 → 7 + 0.96 × 4 = 10.84
        // f = 0.05: 4 × 0.05 = 0.2  → 1 + 0.2 × 1 = 1.2
        // f = 0.5:  index 2 exactly → 4; f = 0 → 1; f = 1 → 11 (the last order statistic)
        let cases: [(Double, Double)] = [(0.3, 2.4), (0.95, 10.2), (0.99, 10.84), (0.05, 1.2), (0.5, 4), (0, 1), (1, 11)]
        for (f, expected) in cases {
            XCTAssertEqual(Describe.quantile(sorted: sample, f), expected, accuracy: 1e-12, "f = \(f)")
        }
        // A one-value sample is every quantile; an empty one has none.
        XCTAssertEqual(Describe.quantile(sorted: [42], 0.9), 42)
        XCTAssertTrue(Describe.quantile(sorted: [], 0.5).isNaN)
    }

    func testSortIsAscending() {
        var x: [Double] = [7, -1, 11, 2, 2, 0.5]
        Describe.sort(&x)
        XCTAssertEqual(x, [-1, 0.5, 2, 2, 7, 11])
        var one: [Double] = [3]
        Describe.sort(&one)
        XCTAssertEqual(one, [3])
    }

    func testMeanAndSampleSD() {
        // mean = 25 / 5 = 5; deviations −4, −3, −1, 2, 6 → squares 16 + 9 + 1 + 4 + 36 = 66;
        // sample variance 66 / (5 − 1) = 16.5 → sd √16.5 = 4.062019202 (not √(66/5) = 3.633).
        XCTAssertEqual(Describe.mean(sample), 5, accuracy: 1e-15)
        XCTAssertEqual(Describe.sd(sample), 16.5.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(Describe.sd(sample), 4.062019202, accuracy: 1e-9)
        XCTAssertTrue(Describe.sd([3]).isNaN, "no SD from one value")
        XCTAssertTrue(Describe.mean([]).isNaN)
    }

    func testStudentTCriticalValues() {
        // Tables: t_{0.975, 19} = 2.093024, t_{0.975, 4} = 2.776445, t_{0.975, 1} = 12.706205;
        // with n − 1 degrees of freedom for n values.
        XCTAssertEqual(Describe.tCritical(level: 0.95, n: 20), 2.093024, accuracy: 5e-7)
        XCTAssertEqual(Describe.tCritical(level: 0.95, n: 5), 2.776445, accuracy: 5e-7)
        XCTAssertEqual(Describe.tCritical(level: 0.95, n: 2), 12.706205, accuracy: 5e-6)
        // A 90% interval: t_{0.95, 19} = 1.729133.
        XCTAssertEqual(Describe.tCritical(level: 0.90, n: 20), 1.729133, accuracy: 5e-7)
        XCTAssertTrue(Describe.tCritical(level: 0.95, n: 1).isNaN)
        // Standard normal: z_{0.975} = 1.959964, z_{0.95} = 1.644854.
        XCTAssertEqual(Describe.normalQuantile(0.975), 1.959964, accuracy: 5e-7)
        XCTAssertEqual(Describe.normalQuantile(0.95), 1.644854, accuracy: 5e-7)
    }

    func testReplicationSummaryOnAHandSample() {
        let s = ReplicationSummary([7, 1, 11, 2, 4])   // unsorted on purpose
        XCTAssertEqual(s.n, 5)
        XCTAssertEqual(s.mean, 5, accuracy: 1e-15)
        XCTAssertEqual(s.sd, 4.062019202, accuracy: 1e-9)
        // half width = t_{0.975,4} · sd / √n = 2.776445 × 4.062019 / 2.236068 = 5.043663
        XCTAssertEqual(s.ciLow, 5 - 5.043663, accuracy: 1e-6)
        XCTAssertEqual(s.ciHigh, 5 + 5.043663, accuracy: 1e-6)
        // Quantiles at 5, 50, 95, 99% (worked in testQuantileInterpolatesAtIndexNMinusOneTimesF).
        XCTAssertEqual(s.quantiles.count, 4)
        XCTAssertEqual(s.p5, 1.2, accuracy: 1e-12)
        XCTAssertEqual(s.p50, 4, accuracy: 1e-12)
        XCTAssertEqual(s.p95, 10.2, accuracy: 1e-12)
        XCTAssertEqual(s.p99, 10.84, accuracy: 1e-12)

        // One replication: a mean, no spread, no interval.
        let one = ReplicationSummary([3])
        XCTAssertEqual(one.mean, 3)
        XCTAssertTrue(one.sd.isNaN && one.ciLow.isNaN && one.ciHigh.isNaN)
        XCTAssertEqual(one.p99, 3)
    }

    func testFundSizingEmpiricalNormalAndOverrun() {
        let outlays: [Double] = [40, 10, 30, 20]
        let f = FundSizing(outlays: outlays, budget: 25)
        // Sorted 10, 20, 30, 40 (n = 4): P95 at index 3 × 0.95 = 2.85 → 30 + 0.85 × 10 = 38.5;
        // P99 at 2.97 → 30 + 0.97 × 10 = 39.7.
        XCTAssertEqual(f.empirical95, 38.5, accuracy: 1e-12)
        XCTAssertEqual(f.empirical99, 39.7, accuracy: 1e-12)
        // mean 25, sd √((225 + 25 + 25 + 225) / 3) = √166.667 = 12.909944;
        // normal95 = 25 + 1.644854 × 12.909944 = 46.234969; normal99 = 25 + 2.326348 × 12.909944 = 55.033022.
        XCTAssertEqual(f.normal95, 46.234969, accuracy: 1e-5)
        XCTAssertEqual(f.normal99, 55.033022, accuracy: 1e-5)
        // Outlays above 25: 30 and 40 → 2 of 4.
        XCTAssertEqual(f.overrun?.count, 2)
        XCTAssertEqual(f.overrun?.total, 4)
        XCTAssertEqual(f.overrun?.value ?? .nan, 0.5, accuracy: 1e-15)
        // "Exceeds" is strict: an outlay equal to the budget is not an overrun (only 40 > 30).
        XCTAssertEqual(FundSizing(outlays: outlays, budget: 30).overrun?.count, 1)
        XCTAssertNil(FundSizing(outlays: outlays, budget: nil).overrun)
    }

    func testWilsonInterval() {
        // z = 1.959964, z² = 3.841459. 0 of 20: p = 0,
        // centre = (0 + z²/40) / (1 + z²/20) = 0.0960365 / 1.1920729 = 0.0805626,
        // half   = z / (1 + z²/20) · √(z² / (4 · 400)) = 1.6441638 × 0.0489991 = 0.0805626,
        // so [0, 0.1611252] (the Wald interval would be [0, 0]).
        let zero = Proportion(count: 0, of: 20)
        XCTAssertEqual(zero.value, 0)
        XCTAssertEqual(zero.low, 0, accuracy: 1e-12)
        XCTAssertEqual(zero.high, 0.1611252, accuracy: 1e-6)
        // 5 of 20: p = 0.25, centre = 0.3460365 / 1.1920729 = 0.2902816,
        // half = 1.6441638 × √(0.25 × 0.75 / 20 + 0.0024009) = 1.6441638 × 0.1085169 = 0.1784196
        // → [0.1118617, 0.4687009].
        let five = Proportion(count: 5, of: 20)
        XCTAssertEqual(five.value, 0.25)
        XCTAssertEqual(five.low, 0.1118617, accuracy: 1e-6)
        XCTAssertEqual(five.high, 0.4687009, accuracy: 1e-6)
        // 20 of 20 mirrors 0 of 20.
        let all = Proportion(count: 20, of: 20)
        XCTAssertEqual(all.low, 1 - 0.1611252, accuracy: 1e-6)
        XCTAssertEqual(all.high, 1, accuracy: 1e-12)
        XCTAssertTrue(Proportion(count: 0, of: 0).value.isNaN)
    }
}
