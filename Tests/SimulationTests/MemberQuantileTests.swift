import XCTest
import CGSL
@testable import Simulation
import Statistics

/// The runner finds every subgroup's quantiles from one sort of all members (packed keys, ranks
/// counted per subgroup). They must equal GSL's own quantile of each subgroup sorted alone.
final class MemberQuantileTests: XCTestCase {
    func testOneSortQuantilesEqualGSLPerSubgroup() throws {
        let n = 5_003, bands = 4
        let cols = MemberColumns(count: n, variants: 2)
        var state: UInt64 = 12345
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        for m in 0..<n {
            cols.status[m] = UInt8(next() % 2)
            cols.band[m] = UInt8(next() % UInt64(bands))
            // Many zero burdens (members without visits), some ties, a long tail, negative changes.
            let b = next() % 4 == 0 ? 0 : Int64(next() % 1_000) * Int64(next() % 300)
            cols.burdenFen[m] = b
            cols.burdenFen[n + m] = b - Int64(next() % 5_000)
            cols.creditFen[m] = Int64(next() % 2_000)
            cols.creditFen[n + m] = Int64(next() % 3_000)
        }
        let layout = ReplicationResult.GroupLayout(cols, bands: bands)
        var keys: [UInt64] = [], scratch: [UInt64] = []
        for v in 0..<2 {
            keys = (0..<n).map { ReplicationResult.key(cols.burden(v, $0), $0) }
            RadixSort.sort(&keys, scratch: &scratch)
            let q = ReplicationResult.quantiles(sorted: keys, cols, layout, levels: Describe.memberLevels)
            for g in 0..<layout.count {
                var x = (0..<n).filter { m in
                    let (a, b, c) = ReplicationResult.GroupLayout.groups(cols, m)
                    return a == g || b == g || c == g
                }.map { Double(cols.burden(v, $0)) }
                XCTAssertEqual(x.count, layout.sizes[g])
                x.withUnsafeMutableBufferPointer { gsl_sort($0.baseAddress, 1, $0.count) }
                for (l, f) in Describe.memberLevels.enumerated() {
                    let expected = x.withUnsafeBufferPointer { gsl_stats_quantile_from_sorted_data($0.baseAddress, 1, $0.count, f) }
                    XCTAssertEqual(q[g][l], expected, accuracy: 1e-9 * max(1, abs(expected)), "variant \(v) group \(g) level \(f)")
                }
            }
        }
    }
}
