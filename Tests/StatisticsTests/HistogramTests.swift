import Statistics
import XCTest

final class HistogramTests: XCTestCase {
    func testCountsUnderflowOverflowAndMerge() {
        // Bins [0, 1), [1, 2), [2, 4).
        let h = Histogram(edges: [0, 1, 2, 4])
        for x in [-1, 0, 0.5, 1, 3.99, 4, 100] { h.add(x) }
        // −1 below the first edge; 0 and 0.5 in bin 0; 1 in bin 1 (lower edges are inclusive);
        // 3.99 in bin 2; 4 (the last edge is exclusive) and 100 above.
        XCTAssertEqual(h.counts, [2, 1, 1])
        XCTAssertEqual(h.underflow, 1)
        XCTAssertEqual(h.overflow, 2)

        let other = Histogram(edges: [0, 1, 2, 4])
        for x in [1.5, 2, -5] { other.add(x) }
        XCTAssertEqual(other.counts, [0, 1, 1])
        h.merge(other)
        XCTAssertEqual(h.counts, [2, 2, 2])
        XCTAssertEqual(h.underflow, 2)
        XCTAssertEqual(h.overflow, 2)
        XCTAssertEqual(other.counts, [0, 1, 1], "merge leaves the other histogram alone")
    }

    func testMoneyEdges() {
        // 0, 1, then 10^(k/4) rounded to the fen: 10^0.25 = 1.7783 → 1.78, 10^0.5 = 3.1623 → 3.16,
        // 10^0.75 = 5.6234 → 5.62, 10, 17.78, 31.62, 56.23, 100.
        XCTAssertEqual(Histogram.moneyEdges(maxYuan: 100), [0, 1, 1.78, 3.16, 5.62, 10, 17.78, 31.62, 56.23, 100])
        XCTAssertEqual(Histogram.moneyEdges(maxYuan: 99.99), [0, 1, 1.78, 3.16, 5.62, 10, 17.78, 31.62, 56.23])
        let e = Histogram.moneyEdges()
        XCTAssertTrue(zip(e, e.dropFirst()).allSatisfy { $0 < $1 }, "strictly increasing: \(e)")
        // 0 and 1, then k = 1…24 (10^(24/4) = 1,000,000 is the last one not above the maximum).
        XCTAssertEqual(e.count, 26)
        XCTAssertEqual(e.first, 0)
        XCTAssertEqual(e.last, 1_000_000)
        // Usable as histogram edges (the initializer checks them again).
        XCTAssertEqual(Histogram(edges: e).counts.count, 25)
    }
}
