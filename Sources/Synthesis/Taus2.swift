import CGSL

/// GSL's `taus2` generator (L'Ecuyer's maximally equidistributed combined Tausworthe generator,
/// period 2^88), stepped inline.
///
/// Why by hand: calling `gsl_rng_get` goes through GSL's function pointer (≈ 2.2 ns a draw here,
/// ENGINEERING-NOTES) and the generator needs ≈ 3–5 draws a visit, which alone would use most of
/// the 12.5 ns a visit we budget. This struct holds the same three words as GSL's `taus_state_t`
/// and applies the same recurrence, so its output is GSL's taus2 output draw for draw
/// (`Taus2Tests` checks 10^6 draws against `gsl_rng_get`), and `load`/`store` hand the state to
/// and from a real `gsl_rng` for GSL's own samplers on rare paths.
///
/// Seeding: `gsl_rng_set` keeps only 32 bits of a taus2 seed, so 10^5 (seed, replication, block)
/// streams would collide by the birthday bound. The three state words are set instead from a
/// SplitMix64 hash of the coordinates (96 bits), with GSL's lower bounds on each word and its
/// six warm-up steps.
public struct Taus2: Sendable {
    public var s1: UInt32
    public var s2: UInt32
    public var s3: UInt32

    /// The stream of one (seed, replication, block): never depends on thread or order.
    public init(seed: UInt64, replication: UInt64, block: UInt64) {
        var h = SplitMix64(state: seed)
        _ = h.next()
        h.state ^= replication &* 0xD1B5_4A32_D192_ED03
        _ = h.next()
        h.state ^= block &* 0x8CB9_2BA7_2F3D_8DD7
        let a = h.next(), b = h.next()
        s1 = UInt32(truncatingIfNeeded: a)
        s2 = UInt32(truncatingIfNeeded: a >> 32)
        s3 = UInt32(truncatingIfNeeded: b)
        // taus2 needs s1 ≥ 2, s2 ≥ 8, s3 ≥ 16 (the bits its masks drop must not be all there is).
        if s1 < 2 { s1 &+= 2 }
        if s2 < 8 { s2 &+= 8 }
        if s3 < 16 { s3 &+= 16 }
        for _ in 0..<6 { _ = next() }
    }

    /// Next 32 random bits: GSL's `taus_get`.
    @inlinable @inline(__always)
    public mutating func next() -> UInt32 {
        s1 = ((s1 & 0xFFFF_FFFE) << 12) ^ (((s1 << 13) ^ s1) >> 19)
        s2 = ((s2 & 0xFFFF_FFF8) << 4) ^ (((s2 << 2) ^ s2) >> 25)
        s3 = ((s3 & 0xFFFF_FFF0) << 17) ^ (((s3 << 3) ^ s3) >> 11)
        return s1 ^ s2 ^ s3
    }

    /// Uniform on [0, 1): exactly `gsl_rng_uniform` for taus2 (the 32 bits over 2^32).
    @inlinable @inline(__always)
    public mutating func uniform() -> Double { Double(next()) * 0x1p-32 }

    /// Uniform on (0, 1): never 0, for logarithms.
    @inlinable @inline(__always)
    public mutating func uniformPositive() -> Double { (Double(next()) + 0.5) * 0x1p-32 }

    /// Integer in 0..<n by multiply-and-shift. Biased by at most n / 2^32 (< 10^-7 for a year of
    /// days): accepted because GSL's unbiased `gsl_rng_uniform_int` divides per draw.
    @inlinable @inline(__always)
    public mutating func below(_ n: UInt32) -> UInt32 { UInt32((UInt64(next()) &* UInt64(n)) >> 32) }

    /// Writes this state into a GSL taus2 generator, so GSL's samplers continue the same stream.
    public func store(into rng: UnsafeMutablePointer<gsl_rng>) {
        let s = rng.pointee.state.assumingMemoryBound(to: UInt.self)
        s[0] = UInt(s1); s[1] = UInt(s2); s[2] = UInt(s3)
    }

    /// Takes the state back from a GSL taus2 generator after GSL drew from it.
    public mutating func load(from rng: UnsafeMutablePointer<gsl_rng>) {
        let s = rng.pointee.state.assumingMemoryBound(to: UInt.self)
        s1 = UInt32(truncatingIfNeeded: s[0]); s2 = UInt32(truncatingIfNeeded: s[1]); s3 = UInt32(truncatingIfNeeded: s[2])
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): turns nearby integers into unrelated 64-bit words.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A GSL taus2 generator for GSL's own samplers (beta, the reference samplers in tests), sharing
/// its state with a `Taus2` through `store`/`load`. Not `Sendable`: one per worker.
public final class GSLGenerator {
    public let rng: UnsafeMutablePointer<gsl_rng>

    public init() {
        gsl_set_error_handler_off()
        rng = gsl_rng_alloc(poolsim_rng_taus2())
        // The inline stepping relies on GSL's taus2 state being three unsigned longs.
        precondition(gsl_rng_size(rng) == 3 * MemoryLayout<UInt>.size, "GSL's taus2 state layout is not the expected one")
    }

    deinit { gsl_rng_free(rng) }

    /// Runs `body` on GSL's generator continuing `stream`, then takes the advanced state back.
    @inline(never)
    public func draw<T>(_ stream: inout Taus2, _ body: (UnsafeMutablePointer<gsl_rng>) -> T) -> T {
        stream.store(into: rng)
        let v = body(rng)
        stream.load(from: rng)
        return v
    }
}
