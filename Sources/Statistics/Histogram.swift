import CGSL

/// A histogram with fixed bin edges (GSL's `gsl_histogram`): fixed edges make histograms of
/// different blocks, replications or shards add exactly (`gsl_histogram_add`).
public final class Histogram {
    public let edges: [Double]
    private let h: UnsafeMutablePointer<gsl_histogram>
    /// Values below the first edge or at/above the last, which GSL does not bin.
    public private(set) var underflow = 0
    public private(set) var overflow = 0

    /// `edges` must increase strictly; there are `edges.count − 1` bins [edges[i], edges[i+1]).
    public init(edges: [Double]) {
        precondition(edges.count >= 2 && zip(edges, edges.dropFirst()).allSatisfy { $0 < $1 }, "histogram edges must increase")
        self.edges = edges
        h = gsl_histogram_alloc(edges.count - 1)
        _ = edges.withUnsafeBufferPointer { gsl_histogram_set_ranges(h, $0.baseAddress, $0.count) }
    }

    deinit { gsl_histogram_free(h) }

    public func add(_ x: Double) { add(x, weight: 1) }

    /// Adds `weight` observations of `x` (`gsl_histogram_accumulate`).
    public func add(_ x: Double, weight: Double) {
        if gsl_histogram_accumulate(h, x, weight) != GSL_SUCCESS {
            if x < edges[0] { underflow += Int(weight) } else { overflow += Int(weight) }
        }
    }

    /// Adds another histogram with the same edges.
    public func merge(_ other: Histogram) {
        precondition(other.edges == edges, "histograms with different edges do not add")
        _ = gsl_histogram_add(h, other.h)
        underflow += other.underflow
        overflow += other.overflow
    }

    public var counts: [Double] { (0..<(edges.count - 1)).map { gsl_histogram_get(h, $0) } }

    /// Edges for money in yuan: 0, then four bins a decade from 1 yuan to `maxYuan`
    /// (1, 1.78, 3.16, 5.62, 10, …): burdens span five decades, so equal widths would put most
    /// members in the first bin.
    public static func moneyEdges(maxYuan: Double = 1_000_000) -> [Double] {
        var e: [Double] = [0, 1]
        var k = 1
        while true {
            let v = Swift.max(1, (pow(10, Double(k) / 4) * 100).rounded() / 100)
            if v > maxYuan { break }
            if v > e.last! { e.append(v) }
            k += 1
        }
        return e
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
