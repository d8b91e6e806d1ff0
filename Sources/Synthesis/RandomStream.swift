import CGSL

/// One GSL random-number stream. Streams are seeded from (seed, replication, block) so that what a
/// block of members draws never depends on which thread generates it or in what order.
///
/// Not `Sendable`: a `gsl_rng` has mutable state. Make one per worker or block, inside the task.
public final class RandomStream {
    let generator = GSLGenerator()
    @usableFromInline let rng: UnsafeMutablePointer<gsl_rng>

    /// A taus2 stream (L'Ecuyer's maximally equidistributed Tausworthe generator; period 2^88,
    /// ≈ 2.2 ns a draw here against 6.9 for mt19937, ENGINEERING-NOTES), its state set as
    /// `Taus2(seed:replication:block:)` sets it (`gsl_rng_set` keeps only 32 bits of the seed).
    public init(seed: UInt64, replication: UInt64 = 0, block: UInt64 = 0) {
        rng = generator.rng
        Taus2(seed: seed, replication: replication, block: block).store(into: rng)
    }

    /// Uniform on [0, 1).
    @inlinable public func uniform() -> Double { gsl_rng_uniform(rng) }

    /// Uniform integer in 0..<n (GSL's unbiased rejection).
    @inlinable public func uniformInt(_ n: Int) -> Int { Int(gsl_rng_uniform_int(rng, UInt(n))) }

    /// Lognormal with the given median (e^zeta) and sigma (GSL's sampler).
    @inlinable public func lognormal(median: Double, sigma: Double) -> Double {
        gsl_ran_lognormal(rng, log(median), sigma)
    }

    /// Negative binomial count with the given mean and size r (GSL's p = r / (r + mean)).
    @inlinable public func negativeBinomial(mean: Double, size: Double) -> Int {
        Int(gsl_ran_negative_binomial(rng, size / (size + mean), size))
    }

    @inlinable public func bernoulli(_ p: Double) -> Bool { gsl_rng_uniform(rng) < p }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
