#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import Foundation
import Simulation

/// `poolsim bench-run`: the runner's benchmark workload end to end (generate, adjudicate under
/// every variant, accumulate, member-level statistics) on one core and on two, beside the numpy
/// version of the same workload, in one go. Prints figures, asserts nothing.
struct BenchRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-run",
        abstract: "Measure the scenario runner on the benchmark workload against its numpy version.")

    @Option(help: "Benchmark scenario.") var scenario = "benchmarks/ordinary-400k.yaml"
    @Option(help: "Replications per timing (default: the scenario's).") var replications: Int?
    @Option(help: "Python with numpy and PyYAML (default: .venv/bin/python if present, else python3).") var python: String?
    @Option(help: "The numpy version of the workload.") var numpy = "benchmarks/ordinary_400k.py"
    @Flag(help: "Skip the numpy run.") var noNumpy = false

    func run() throws {
        try reportingErrors {
            var s = try Scenario.load(path: scenario)
            if let r = replications { s.replications = r }
            let x = try Experiment(s)
            let reps = Array(0..<s.replications)
            print("benchmark \(s.name): \(s.members) members, \(x.variants.count) policies (\(x.variants.map(\.name).joined(separator: ", "))), \(reps.count) replications, release build expected")

            var visits: Int64 = 0, stats = 0.0
            var fund = [Double](repeating: 0, count: x.variants.count)
            let one = try Self.time {
                _ = try Runner(x, threads: 1).run(replications: reps) { r, _ in
                    visits += r.population.visits
                    stats += r.statisticsSeconds
                    for v in r.totals.indices { fund[v] += Double(r.totals[v].fundFen) }
                }
            }
            let peak = Self.peakMiB()
            let generation = Bench.best(1) { for r in reps { _ = BenchSynth.generateAll(x.generator, s.members, threads: 1, replication: r) } }
            let two = try Self.time { _ = try Runner(x, threads: 2).run(replications: reps) { _, _ in } }
            let perVisit = one / Double(visits) * 1e9
            print(String(format: "PoolSim, 1 core: %.2f ns/visit end to end, %.3f s per replication (member statistics %.3f s of it), peak memory %.0f MiB",
                         perVisit, one / Double(reps.count), stats / Double(reps.count), peak))
            let ns = { (t: Double) in t / Double(visits) * 1e9 }
            print(String(format: "  where the time goes, ns/visit: generation %.1f, adjudication of %d policies + accounts + totals %.1f, member statistics %.1f",
                         ns(generation), x.variants.count, ns(one - generation - stats), ns(stats)))
            print(String(format: "PoolSim, 2 cores: %.3f s per replication, %.2f× the 1-core speed", two / Double(reps.count), one / two))
            print(String(format: "  %.2f visits per member; fund per member: %@", Double(visits) / Double(s.members * reps.count),
                         x.variants.indices.map { String(format: "%@ %.2f yuan", x.variants[$0].name, fund[$0] / Double(s.members * reps.count) / 100) }
                            .joined(separator: ", ")))

            guard !noNumpy else { return }
            let py = python ?? (FileManager.default.isExecutableFile(atPath: ".venv/bin/python") ? ".venv/bin/python" : "python3")
            let args = [numpy, "--members", "\(s.members)", "--replications", "\(reps.count)", "--seed", "\(s.seed)", "--json"]
                + x.variants.flatMap { ["--policy", $0.files[0]] }
            guard let json = try Self.runPython(py, args) else {
                print("numpy: the reference did not run (\(py) \(args.joined(separator: " "))); try `make bench-env` first")
                return
            }
            let nsNumpy = json["ns_per_visit"] as? Double ?? .nan
            print(String(format: "numpy, 1 core:   %.2f ns/visit, %.3f s per replication, peak memory %.0f MiB",
                         nsNumpy, json["seconds_per_replication"] as? Double ?? .nan, json["peak_mib"] as? Double ?? .nan))
            if let policies = json["policies"] as? [String: [String: Any]] {
                let n = Double(s.members * reps.count)
                print("  fund per member: " + policies.keys.sorted().map { k in
                    String(format: "%@ %.2f yuan", k, (policies[k]?["fund_fen"] as? Double ?? .nan) / n / 100)
                }.joined(separator: ", ") + " (other random draws: equal within sampling error, not to the fen)")
            }
            print(String(format: "ratio: PoolSim is %.1f× faster than numpy per visit", nsNumpy / perVisit))
        }
    }

    static func time(_ body: () throws -> Void) throws -> Double {
        let t0 = ContinuousClock.now
        try body()
        return (ContinuousClock.now - t0) / .seconds(1)
    }

    /// The process's peak resident memory so far (`ru_maxrss`, KiB on Linux).
    static func peakMiB() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_maxrss) / 1024
    }

    /// Runs the numpy reference on one core and returns its final JSON line.
    static func runPython(_ python: String, _ args: [String]) throws -> [String: Any]? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [python] + args
        var env = ProcessInfo.processInfo.environment
        for k in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"] { env[k] = "1" }
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        do { try p.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let last = String(decoding: data, as: UTF8.self).split(separator: "\n").last else { return nil }
        return try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
    }
}
