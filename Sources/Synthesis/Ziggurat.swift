#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard normal draws by Marsaglia & Tsang's ziggurat (J. Stat. Softw. 5(8), 2000), 128
/// layers, tables computed here from the paper's constants.
///
/// Why by hand: GSL's lognormal costs 31 ns a draw here, a ziggurat normal 4–8 ns plus `exp` 3 ns
/// (ENGINEERING-NOTES), and costs are drawn once per visit. The layer comes from the low 7 bits
/// of one 32-bit draw and the value from the other 25 (sign included), so the two never share
/// bits (the flaw Doornik 2005 found in the original). `ZigguratTests` compares it with GSL's
/// Gaussian sampler (moments and a Kolmogorov–Smirnov test against `gsl_cdf_ugaussian_P`).
public struct Ziggurat: Sendable {
    /// Acceptance thresholds on |value| per layer, scaled to 2^31.
    public let k: [UInt32]
    /// Layer widths over 2^31.
    public let w: [Double]
    /// Density at each layer's edge.
    public let f: [Double]

    static let r = 3.442619855899
    static let v = 9.91256303526217e-3

    public init() {
        var k = [UInt32](repeating: 0, count: 128), w = [Double](repeating: 0, count: 128), f = [Double](repeating: 0, count: 128)
        let m1 = 2147483648.0
        var dn = Self.r, tn = dn
        let q = Self.v / exp(-0.5 * dn * dn)
        k[0] = UInt32(dn / q * m1)
        k[1] = 0
        w[0] = q / m1
        w[127] = dn / m1
        f[0] = 1
        f[127] = exp(-0.5 * dn * dn)
        for i in stride(from: 126, through: 1, by: -1) {
            dn = sqrt(-2 * log(Self.v / dn + exp(-0.5 * dn * dn)))
            k[i + 1] = UInt32(dn / tn * m1)
            tn = dn
            f[i] = exp(-0.5 * dn * dn)
            w[i] = dn / m1
        }
        self.k = k; self.w = w; self.f = f
    }

    /// The tables as raw pointers for a hot loop (valid while `self` lives).
    public struct Tables {
        public let k: UnsafePointer<UInt32>
        public let w: UnsafePointer<Double>
        public let f: UnsafePointer<Double>

        @usableFromInline init(k: UnsafePointer<UInt32>, w: UnsafePointer<Double>, f: UnsafePointer<Double>) {
            self.k = k; self.w = w; self.f = f
        }

        /// One standard normal draw.
        @inlinable @inline(__always)
        public func normal(_ rng: inout Taus2) -> Double {
            let u = rng.next()
            let layer = Int(u & 127)
            let hz = Int32(bitPattern: u & ~127)
            if hz.magnitude < k[layer] { return Double(hz) * w[layer] }
            return slow(&rng, hz: hz, layer: layer)
        }

        /// The base strip's tail and the wedges (≈ 1.2% of draws).
        @inline(never)
        public func slow(_ rng: inout Taus2, hz hz0: Int32, layer layer0: Int) -> Double {
            var hz = hz0, layer = layer0
            while true {
                let x = Double(hz) * w[layer]
                if layer == 0 {
                    var tx: Double, ty: Double
                    repeat {
                        tx = -log(rng.uniformPositive()) / Ziggurat.r
                        ty = -log(rng.uniformPositive())
                    } while ty + ty < tx * tx
                    return hz > 0 ? Ziggurat.r + tx : -Ziggurat.r - tx
                }
                if f[layer] + rng.uniform() * (f[layer - 1] - f[layer]) < exp(-0.5 * x * x) { return x }
                let u = rng.next()
                layer = Int(u & 127)
                hz = Int32(bitPattern: u & ~127)
                if hz.magnitude < k[layer] { return Double(hz) * w[layer] }
            }
        }
    }

    /// Runs `body` with raw tables.
    @inlinable
    public func withTables<T>(_ body: (Tables) throws -> T) rethrows -> T {
        try k.withUnsafeBufferPointer { kp in
            try w.withUnsafeBufferPointer { wp in
                try f.withUnsafeBufferPointer { fp in
                    try body(Tables(k: kp.baseAddress!, w: wp.baseAddress!, f: fp.baseAddress!))
                }
            }
        }
    }
}
