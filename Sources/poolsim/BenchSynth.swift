import ArgumentParser
import Dispatch
import Foundation
import Synthesis

/// `poolsim bench-synth`: generation speed on one core and on all cores, where the time goes, and
/// a reference drawn with GSL's samplers. Prints figures, asserts nothing.
struct BenchSynth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-synth",
        abstract: "Measure members/s and visits/s generated, and where generation time goes.")

    @Option(help: "Population files to measure (the first is profiled phase by phase).")
    var calibration: [String] = ["benchmarks/ordinary-400k-population.yaml"]
    @Option(help: "Members (default: each file's member count).") var members: Int?
    @Option(help: "Timed repetitions; the best is reported.") var repeats = 5
    @Option(help: "Threads for the all-cores figure (default: every core).") var threads: Int?

    func run() throws {
        try reportingErrors {
            let cores = threads ?? ProcessInfo.processInfo.activeProcessorCount
            print("generation only (no adjudication), release build expected; best of \(repeats)")
            print("population                      members  visits      1 core: ns/visit  M visits/s  M members/s   \(cores) cores: M visits/s  speed-up")
            var first: (PopulationModel, Int)?
            for file in calibration {
                let model = try PopulationModel(try Calibration.load(path: file))
                let n = members ?? model.calibration.members
                let g = Generator(model: model, seed: 1)
                var visits = 0
                let one = Bench.best(repeats) { visits = Self.generateAll(g, n, threads: 1) }
                let many = Bench.best(repeats) { _ = Self.generateAll(g, n, threads: cores) }
                let name = model.calibration.id.padding(toLength: 30, withPad: " ", startingAt: 0)
                print(name + String(format: " %8d %9d   %17.2f  %10.1f  %11.2f   %20.1f  %8.2f×",
                                    n, visits, one * 1e9 / Double(visits), Double(visits) / one / 1e6, Double(n) / one / 1e6,
                                    Double(visits) / many / 1e6, one / many))
                if first == nil { first = (model, n) }
            }
            guard let (model, n) = first else { return }
            try profile(model, n)
        }
    }

    /// Generates every block; returns the number of visits.
    static func generateAll(_ g: Generator, _ n: Int, threads: Int, replication: Int = 0) -> Int {
        let counts = ParallelBlocks.map(blocks: PopulationModel.blocks(members: n), threads: threads,
                                        makeState: { (MemberBuffer(), VisitBuffer(), GSLGenerator()) },
                                        body: { b, s in
            g.generate(block: b, replication: replication, populationSize: n, members: s.0, visits: s.1, gsl: s.2)
            return s.1.count
        })
        return counts.reduce(0) { $0 + $1! }
    }

    func profile(_ model: PopulationModel, _ n: Int) throws {
        // The workload's own counts, groups and tiers, so each phase does exactly its share.
        var groups: [Int] = [], counts: [Int32] = [], tiers: [UInt8] = []
        let g = Generator(model: model, seed: 1)
        let mb = MemberBuffer(), vb = VisitBuffer(), gsl = GSLGenerator()
        for b in 0..<PopulationModel.blocks(members: n) {
            g.generate(block: b, replication: 0, populationSize: n, members: mb, visits: vb, gsl: gsl)
            for i in 0..<mb.count {
                let cls = mb.special[i] >= 0 ? 2 : mb.chronic[i] >= 0 ? 1 : 0
                groups.append(model.group(status: Int(mb.status[i].rawValue), band: Int(mb.band[i]), diseaseClass: cls))
                counts.append(mb.visitStart[i + 1] - mb.visitStart[i])
            }
            for j in 0..<vb.count { tiers.append(vb.tier[j]) }
        }
        let visits = tiers.count
        let total = Bench.best(repeats) { _ = Self.generateAll(g, n, threads: 1) }
        let p = GeneratorProfile(model: model)
        var sink: UInt64 = 0
        // Uniform draws the workload makes: per visit day, tier and ≈ 1.01 for the normal; per
        // member status, band, age, base normal, pension normal (retired), count: ≈ 5.3.
        let steps = 3 * visits + 6 * n
        let rng = Bench.best(repeats) { _ = p.rngSteps(steps, sink: &sink) }
        let count = Bench.best(repeats) { _ = p.countDraws(groups: groups, sink: &sink) }
        let cost = Bench.best(repeats) { _ = p.costDraws(tiers: tiers, sink: &sink) }
        let tier = Bench.best(repeats) { _ = p.tierDraws(visits, sink: &sink) }
        let day = Bench.best(repeats) { _ = p.dayDraws(counts: counts, sink: &sink) }
        var refVisits = 0
        let ref = Bench.best(repeats) { refVisits = p.gslReference(members: n, sink: &sink).1 }
        func row(_ name: String, _ s: Double, _ note: String) {
            print(name.padding(toLength: 44, withPad: " ", startingAt: 0)
                  + String(format: "%7.2f ns/visit  %5.1f%%   ", s * 1e9 / Double(visits), s / total * 100) + note)
        }
        print("\nwhere the time goes, \(model.calibration.id), one core (each phase alone, same number of draws):")
        row("whole generation", total, "")
        row("  uniform draws alone (taus2, ≈\(steps / max(visits, 1)).\(steps * 10 / max(visits, 1) % 10) a visit)", rng, "part of each phase below")
        row("  count draws (NB inverse-CDF table)", count, "per member")
        row("  visit days: draw + sort", day, "")
        row("  tier draws (GSL alias tables)", tier, "")
        row("  cost draws (ziggurat normal, exp, round)", cost, "")
        row("  rest: member attributes, stores, loop", max(0, total - count - day - tier - cost), "by difference")
        print(String(format: "\nreference: the same workload with GSL's samplers (gsl_ran_negative_binomial, gsl_rng_uniform_int, gsl_ran_discrete, gsl_ran_lognormal): %.2f ns/visit over %d visits; PoolSim's generator is %.2f× faster",
                     ref * 1e9 / Double(refVisits), refVisits, (ref / Double(refVisits)) / (total / Double(visits))))
        print("(checksum \(sink % 1000))")
    }
}
