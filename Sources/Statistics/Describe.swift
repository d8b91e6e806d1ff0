import CGSL

/// Summaries of a sample through GSL: every figure here is GSL's own (`gsl_stats_*`, `gsl_sort`,
/// `gsl_cdf_tdist_Pinv`), so a reader can check it against the manual.
public enum Describe {
    /// The quantile levels reported across replications (fund outlay) and across members (burden).
    public static let replicationLevels: [Double] = [0.05, 0.50, 0.95, 0.99]
    public static let memberLevels: [Double] = [0.50, 0.90, 0.95, 0.99]

    /// Sorts in place with `gsl_sort`.
    public static func sort(_ x: inout [Double]) {
        x.withUnsafeMutableBufferPointer { if $0.count > 1 { gsl_sort($0.baseAddress, 1, $0.count) } }
    }

    /// `gsl_stats_quantile_from_sorted_data`: linear interpolation between order statistics
    /// (GSL manual, "Median and Percentiles"): for f, index (n − 1)·f. NaN for an empty sample.
    public static func quantile(sorted x: [Double], _ f: Double) -> Double {
        guard !x.isEmpty else { return .nan }
        return x.withUnsafeBufferPointer { gsl_stats_quantile_from_sorted_data($0.baseAddress, 1, $0.count, f) }
    }

    public static func mean(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        return x.withUnsafeBufferPointer { gsl_stats_mean($0.baseAddress, 1, $0.count) }
    }

    /// The sample standard deviation (n − 1 denominator); NaN below two values.
    public static func sd(_ x: [Double]) -> Double {
        guard x.count > 1 else { return .nan }
        return x.withUnsafeBufferPointer { gsl_stats_sd($0.baseAddress, 1, $0.count) }
    }

    /// The two-sided Student t critical value for a `level` interval with `n − 1` degrees of freedom.
    public static func tCritical(level: Double, n: Int) -> Double {
        guard n > 1 else { return .nan }
        return gsl_cdf_tdist_Pinv(0.5 + level / 2, Double(n - 1))
    }

    /// The standard normal quantile.
    public static func normalQuantile(_ p: Double) -> Double { gsl_cdf_ugaussian_Pinv(p) }
}

/// Summary of one figure over replications: its mean with a 95% interval (Student t on the
/// replications' standard error) and its empirical quantiles.
public struct ReplicationSummary: Sendable, Equatable {
    public var n: Int
    public var mean: Double
    public var sd: Double
    /// 95% interval of the mean; NaN with fewer than two replications.
    public var ciLow: Double
    public var ciHigh: Double
    /// Empirical quantiles at `Describe.replicationLevels` (P5, P50, P95, P99).
    public var quantiles: [Double]

    public init(_ values: [Double]) {
        n = values.count
        mean = Describe.mean(values)
        sd = Describe.sd(values)
        let half = Describe.tCritical(level: 0.95, n: n) * sd / Double(n).squareRoot()
        ciLow = mean - half
        ciHigh = mean + half
        var sorted = values
        Describe.sort(&sorted)
        quantiles = Describe.replicationLevels.map { Describe.quantile(sorted: sorted, $0) }
    }

    public var p5: Double { quantiles[0] }
    public var p50: Double { quantiles[1] }
    public var p95: Double { quantiles[2] }
    public var p99: Double { quantiles[3] }
}

/// How much fund covers a yearly outlay with a given probability, and how likely a budget is
/// overrun, from the replications' outlays.
public struct FundSizing: Sendable, Equatable {
    /// Empirical quantile of outlay at 95% and 99% (with few replications the 99% point is the
    /// largest outlay or near it: `normal99` says what a normal fit gives).
    public var empirical95: Double
    public var empirical99: Double
    /// mean + z·SD under a normal fit of the replications.
    public var normal95: Double
    public var normal99: Double
    /// Share of replications whose outlay exceeds the budget, with its Wilson 95% interval; nil
    /// without a budget.
    public var overrun: Proportion?

    public init(outlays: [Double], budget: Double?) {
        var sorted = outlays
        Describe.sort(&sorted)
        empirical95 = Describe.quantile(sorted: sorted, 0.95)
        empirical99 = Describe.quantile(sorted: sorted, 0.99)
        let m = Describe.mean(outlays), s = Describe.sd(outlays)
        normal95 = m + Describe.normalQuantile(0.95) * s
        normal99 = m + Describe.normalQuantile(0.99) * s
        overrun = budget.map { b in Proportion(count: outlays.filter { $0 > b }.count, of: outlays.count) }
    }
}

/// A share with its Wilson score 95% interval (sound at 0 and at 1, where the Wald interval
/// collapses: the usual case for an overrun probability over a few dozen replications).
public struct Proportion: Sendable, Equatable {
    public var count: Int
    public var total: Int
    public var value: Double
    public var low: Double
    public var high: Double

    public init(count: Int, of total: Int) {
        self.count = count
        self.total = total
        guard total > 0 else { value = .nan; low = .nan; high = .nan; return }
        let n = Double(total), p = Double(count) / n
        let z = Describe.normalQuantile(0.975)
        let centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        let half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)).squareRoot()
        value = p
        low = Swift.max(0, centre - half)
        high = Swift.min(1, centre + half)
    }
}
