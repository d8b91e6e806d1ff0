import CGSL

/// Discrete distributions over a few categories, prepared by GSL's Walker alias preprocessing
/// (`gsl_ran_discrete_preproc`) and stored flat so that a hot loop reads them through one pointer.
///
/// Why the lookup is inline: `gsl_ran_discrete` is a function call through the generator's
/// pointer per draw; the lookup below is the same four lines over GSL's own tables (its Knuth
/// convention: the whole uniform is compared with F), so a draw equals `gsl_ran_discrete`'s draw
/// for draw (`RandomTests`). A table with one possible outcome draws nothing.
public struct AliasTables: Sendable {
    /// Per table: number of categories K, and the offset of its slots.
    public private(set) var k: [Int32] = []
    public private(set) var offset: [Int32] = []
    /// Per slot: GSL's F (the threshold on the whole uniform) and A (the alias).
    public private(set) var f: [Double] = []
    public private(set) var alias: [Int32] = []

    public init() {}

    /// Adds a table for the given weights (any positive scale) and returns its index.
    public mutating func add(_ weights: [Double]) -> Int {
        precondition(!weights.isEmpty && weights.allSatisfy { $0 >= 0 } && weights.contains { $0 > 0 })
        let id = k.count
        offset.append(Int32(f.count))
        let positive = weights.indices.filter { weights[$0] > 0 }
        if positive.count == 1 {
            // One possible outcome (whatever zeros surround it): draw nothing, answer it.
            k.append(1)
            f.append(1)
            alias.append(Int32(positive[0]))
            return id
        }
        k.append(Int32(weights.count))
        guard let g = gsl_ran_discrete_preproc(weights.count, weights) else {
            preconditionFailure("gsl_ran_discrete_preproc failed on \(weights)")
        }
        defer { gsl_ran_discrete_free(g) }
        for i in 0..<weights.count {
            f.append(g.pointee.F[i])
            alias.append(Int32(g.pointee.A[i]))
        }
        return id
    }

    /// Raw view for hot loops.
    public struct View {
        public let k: UnsafePointer<Int32>
        public let offset: UnsafePointer<Int32>
        public let f: UnsafePointer<Double>
        public let alias: UnsafePointer<Int32>

        @usableFromInline init(k: UnsafePointer<Int32>, offset: UnsafePointer<Int32>, f: UnsafePointer<Double>, alias: UnsafePointer<Int32>) {
            self.k = k; self.offset = offset; self.f = f; self.alias = alias
        }

        /// A draw from table `t`; consumes one uniform unless the table has one category.
        @inlinable @inline(__always)
        public func draw(_ t: Int, _ rng: inout Taus2) -> Int {
            let n = Int(k[t])
            if n == 1 { return Int(alias[Int(offset[t])]) }
            let u = rng.uniform()
            let c = Int(u * Double(n))
            let o = Int(offset[t]) + c
            // A select, not a branch: which side wins is random, so a branch mispredicts often.
            let other = Int(alias[o])
            return u < f[o] ? c : other
        }
    }

    @inlinable
    public func withView<T>(_ body: (View) throws -> T) rethrows -> T {
        try k.withUnsafeBufferPointer { kp in
            try offset.withUnsafeBufferPointer { op in
                try f.withUnsafeBufferPointer { fp in
                    try alias.withUnsafeBufferPointer { ap in
                        try body(View(k: kp.baseAddress!, offset: op.baseAddress!, f: fp.baseAddress!, alias: ap.baseAddress!))
                    }
                }
            }
        }
    }
}

/// Negative binomial counts by inverse CDF, one table per member group.
///
/// Why by hand: GSL's negative binomial sampler (a gamma–Poisson mixture) costs 90–145 ns a draw
/// here (ENGINEERING-NOTES), against ≈ 5 ns for a table search. The tables hold GSL's own
/// probabilities (`gsl_ran_negative_binomial_pdf`, p = r / (r + mean)), summed until the
/// remaining tail is below 2^-40, so the only difference from GSL's sampler is that tail.
/// `RandomTests` compares the two by a chi-square test.
public struct CountTables: Sendable {
    /// All groups' cumulative probabilities, one after another.
    public private(set) var cdf: [Double] = []
    public private(set) var start: [Int32] = []
    public private(set) var length: [Int32] = []
    /// Per group, 64 buckets: the first count whose CDF exceeds bucket/64 (where a search starts).
    public private(set) var guide: [Int32] = []
    static let buckets = 64
    /// Counts above this are refused when building a table: such a group is a data error.
    public static let maxCount = 20_000

    public init() {}

    public enum BuildError: Error, Equatable { case tailTooLong(mean: Double, size: Double) }

    /// Adds the table of NB(mean, size) and returns its index.
    public mutating func add(mean: Double, size: Double) throws -> Int {
        precondition(mean >= 0 && size > 0)
        let id = start.count
        start.append(Int32(cdf.count))
        var table: [Double] = []
        if mean == 0 {
            table = [1]
        } else {
            let p = size / (size + mean)
            var sum = 0.0, k = 0
            while sum < 1 - 0x1p-40 {
                guard k <= Self.maxCount else { throw BuildError.tailTooLong(mean: mean, size: size) }
                sum += gsl_ran_negative_binomial_pdf(UInt32(k), p, size)
                table.append(sum)
                k += 1
            }
        }
        table[table.count - 1] = 1.0   // the ≤ 2^-40 tail goes to the last count
        length.append(Int32(table.count))
        var j = 0
        for b in 0..<Self.buckets {
            let edge = Double(b) / Double(Self.buckets)
            while table[j] <= edge { j += 1 }
            guide.append(Int32(j))
        }
        cdf += table
        return id
    }

    /// Probability of a zero count in group `g`.
    public func zeroShare(_ g: Int) -> Double { cdf[Int(start[g])] }

    public struct View {
        public let cdf: UnsafePointer<Double>
        public let start: UnsafePointer<Int32>
        public let guide: UnsafePointer<Int32>

        @usableFromInline init(cdf: UnsafePointer<Double>, start: UnsafePointer<Int32>, guide: UnsafePointer<Int32>) {
            self.cdf = cdf; self.start = start; self.guide = guide
        }

        /// One count of group `g`: the least k with u < CDF(k).
        @inlinable @inline(__always)
        public func draw(_ g: Int, _ rng: inout Taus2) -> Int {
            let u = rng.uniform()
            let base = cdf + Int(start[g])
            var k = Int(guide[g &* 64 &+ Int(u * 64)])
            while u >= base[k] { k &+= 1 }
            return k
        }
    }

    @inlinable
    public func withView<T>(_ body: (View) throws -> T) rethrows -> T {
        try cdf.withUnsafeBufferPointer { cp in
            try start.withUnsafeBufferPointer { sp in
                try guide.withUnsafeBufferPointer { gp in
                    try body(View(cdf: cp.baseAddress!, start: sp.baseAddress!, guide: gp.baseAddress!))
                }
            }
        }
    }
}
