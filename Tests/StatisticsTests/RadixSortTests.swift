import XCTest
@testable import Statistics

final class RadixSortTests: XCTestCase {
    /// The radix sort orders keys exactly as the standard library's sort, for keys whose high bytes
    /// are shared (the packed member keys), spread over all 64 bits, and with duplicates.
    func testMatchesStandardSort() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var scratch: [UInt64] = []
        for shape in 0..<3 {
            var keys = (0..<50_000).map { _ -> UInt64 in
                switch shape {
                case 0: return (1 << 37 + next() % 100_000) << 26 | next() % 50_000   // packed (value, member)
                case 1: return next()                                                // every bit
                default: return next() % 7                                           // many duplicates
                }
            }
            let expected = keys.sorted()
            RadixSort.sort(&keys, scratch: &scratch)
            XCTAssertEqual(keys, expected, "shape \(shape)")
        }
        var one: [UInt64] = [42]
        RadixSort.sort(&one, scratch: &scratch)
        XCTAssertEqual(one, [42])
    }
}
