#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CGSL
import Dispatch

/// Where generation time goes, for `poolsim bench-synth`: each kind of draw timed alone over as
/// many draws as a real generation makes, with the model's own tables, and a reference that draws
/// the same workload with GSL's samplers (`gsl_ran_negative_binomial`, `gsl_rng_uniform_int`,
/// `gsl_ran_discrete`, `gsl_ran_lognormal`). A benchmark aid: it prints nothing and asserts nothing.
public struct GeneratorProfile {
    public let model: PopulationModel
    public init(model: PopulationModel) { self.model = model }

    static func seconds(_ body: () -> Void) -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    }

    /// Seconds for `steps` raw taus2 steps.
    public func rngSteps(_ steps: Int, sink: inout UInt64) -> Double {
        var t = Taus2(seed: 1, replication: 0, block: 0)
        var x: UInt32 = 0
        let s = Self.seconds { for _ in 0..<steps { x ^= t.next() } }
        sink &+= UInt64(x)
        return s
    }

    /// Seconds for one count draw per member (group of each member given).
    public func countDraws(groups: [Int], sink: inout UInt64) -> Double {
        var t = Taus2(seed: 2, replication: 0, block: 0)
        var x = 0
        let s = model.counts.withView { v in Self.seconds { for g in groups { x &+= v.draw(g, &t) } } }
        sink &+= UInt64(x)
        return s
    }

    /// Seconds for `visits` cost draws of channel 0 (ordinary) at the given tiers: normal, exp, round.
    public func costDraws(tiers: [UInt8], sink: inout UInt64) -> Double {
        var t = Taus2(seed: 3, replication: 0, block: 0)
        var x: Int64 = 0
        let lm = model.logMedianFen, sg = model.costSigma[0]
        let s = model.ziggurat.withTables { z in
            Self.seconds {
                for tier in tiers { x &+= Int64(exp(lm[Int(tier)] + sg * z.normal(&t)).rounded()) }
            }
        }
        sink &+= UInt64(bitPattern: x)
        return s
    }

    /// Seconds for the tier draws of `visits` ordinary visits.
    public func tierDraws(_ visits: Int, sink: inout UInt64) -> Double {
        var t = Taus2(seed: 4, replication: 0, block: 0)
        var x = 0
        let table = model.tierTable[0]
        let s = model.alias.withView { v in Self.seconds { for _ in 0..<visits { x &+= v.draw(table, &t) } } }
        sink &+= UInt64(x)
        return s
    }

    /// Seconds to draw and sort the visit days of members with the given counts.
    public func dayDraws(counts: [Int32], sink: inout UInt64) -> Double {
        var t = Taus2(seed: 5, replication: 0, block: 0)
        let days = model.daysInYear
        var buffer = [Int32](repeating: 0, count: Int(counts.max() ?? 0) + 1)
        var scratch = [Int32](repeating: 0, count: 2 * buffer.count)
        var x: Int32 = 0
        let s = buffer.withUnsafeMutableBufferPointer { b in
            scratch.withUnsafeMutableBufferPointer { sc in
            Self.seconds {
                for n in counts {
                    for j in 0..<Int(n) { b[j] = Int32(bitPattern: t.below(days)) }
                    Generator.sortDays(b.baseAddress!, Int(n), days: days, scratch: sc.baseAddress!)
                    if n > 0 { x &+= b[0] }
                }
            }
            }
        }
        sink &+= UInt64(UInt32(bitPattern: x))
        return s
    }

    /// The ordinary-only workload drawn with GSL's samplers through a `gsl_rng` (taus2): per member
    /// a negative binomial count, per visit a day, a tier and a lognormal cost, days sorted.
    /// Returns (seconds, visits).
    public func gslReference(members: Int, sink: inout UInt64) -> (Double, Int) {
        let c = model.calibration
        let gsl = GSLGenerator()
        gsl_rng_set(gsl.rng, 7)
        let tiers = c.channels[0]!.tierMix
        let g = gsl_ran_discrete_preproc(tiers.count, tiers)!
        defer { gsl_ran_discrete_free(g) }
        let medians = c.channels[0]!.costMedian.map { log(max($0, 0.01) * 100) }
        let sigma = c.channels[0]!.costSigma
        var scratch = [Int32](repeating: 0, count: 8192)
        var day = [Int32](repeating: 0, count: 4096), cost = [Int64](repeating: 0, count: 4096), tier = [UInt8](repeating: 0, count: 4096)
        var visits = 0
        var x: Int64 = 0
        let r = gsl.rng
        let s = Self.seconds {
            for _ in 0..<members {
                let status = gsl_rng_uniform(r) < c.retiredShare ? 1 : 0
                let mean = c.visitMean[status][0], size = c.visitSize[status]
                let n = min(Int(gsl_ran_negative_binomial(r, size / (size + mean), size)), 4096)
                for j in 0..<n { day[j] = Int32(gsl_rng_uniform_int(r, UInt(model.daysInYear))) }
                day.withUnsafeMutableBufferPointer { d in
                    scratch.withUnsafeMutableBufferPointer { Generator.sortDays(d.baseAddress!, n, days: model.daysInYear, scratch: $0.baseAddress!) }
                }
                for j in 0..<n {
                    let t = gsl_ran_discrete(r, g)
                    tier[j] = UInt8(t)
                    cost[j] = Int64((gsl_ran_lognormal(r, medians[t], sigma)).rounded())
                    x &+= cost[j] &+ Int64(day[j])
                }
                visits += n
            }
        }
        sink &+= UInt64(bitPattern: x)
        return (s, visits)
    }
}
