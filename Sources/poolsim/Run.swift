import ArgumentParser
import Foundation
import Policy
import Results
import Simulation

/// Options shared by `run` and `sweep`.
struct RunOptions: ParsableArguments {
    @Argument(help: "Scenario file (YAML), e.g. scenarios/demo.yaml.") var scenario: String
    @Option(help: "Replications (default: the scenario's).") var replications: Int?
    @Option(help: "Seed (default: the scenario's).") var seed: UInt64?
    @Option(help: "Members (default: the scenario's population size).") var members: Int?
    @Option(help: "Threads (results do not depend on it).") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Run store to write (SQLite), e.g. out/demo.sqlite.") var out: String
    @Option(help: "Run only shard I of N (replications r with r mod N = I); `poolsim merge` joins the shards.")
    var shard: String?

    var shardValue: Shard { shard.flatMap(Shard.init) ?? .whole }

    func validate() throws {
        if let r = replications, r < 1 { throw ValidationError("--replications must be at least 1") }
        if let m = members, !(1...50_000_000).contains(m) { throw ValidationError("--members must be in 1...50000000") }
        if threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let s = shard, Shard(s) == nil { throw ValidationError("--shard \(s): expected I/N with 0 ≤ I < N, e.g. 0/4") }
    }

    func loadScenario() throws -> Scenario {
        var s = try Scenario.load(path: scenario)
        if let r = replications { s.replications = r }
        if let v = seed { s.seed = v }
        if let m = members {
            if s.budget != nil && m != s.members {
                FileHandleOut.stderr("poolsim: note: the budget is the scenario's amount for \(s.members) members; with --members \(m) it no longer fits the population")
            }
            s.members = m
        }
        if let m = s.outputs.memberTableReplication, m >= s.replications { s.outputs.memberTableReplication = nil }
        return s
    }

    /// Runs into the store with Ctrl-C handling and a progress bar, then prints the comparison.
    func record(_ x: Experiment, kind: String, sweep: [[(parameter: String, value: Double)]] = []) throws {
        let stop = StopFlag()
        stop.raiseOnInterrupt()
        let dir = URL(fileURLWithPath: out).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let command = CommandLine.arguments.joined(separator: " ")
        let complete = try RunRecorder.record(x, to: out, threads: threads, kind: kind, command: command, shard: shardValue, sweep: sweep,
                                              stop: stop, progress: ProgressMeter())
        print(try ComparisonTable.render(path: out), terminator: "")
        print("→ \(out)")
        if !complete {
            FileHandleOut.stderr("poolsim: the run was interrupted; \(out) holds the finished replications, marked incomplete")
            throw ExitCode(130)
        }
    }
}

/// `poolsim run`: Monte Carlo over the scenario's baseline and reforms into a SQLite run store.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario: the baseline and every reform on the same synthetic members and visits.",
        discussion: """
            Each replication draws a population and its year of visits once and adjudicates it under \
            every variant (common random numbers). Results go to one SQLite file (schema in the README) \
            and a comparison table is printed. Ctrl-C or SIGTERM stops between blocks; the store then holds the \
            finished replications and is marked interrupted.
            """)

    @OptionGroup var options: RunOptions

    func run() throws {
        try reportingErrors {
            let x = try Experiment(try options.loadScenario())
            try options.record(x, kind: "run")
        }
    }
}

/// `poolsim compare`: prints a run store's comparison table again.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the comparison table of a run store.")

    @Argument(help: "Run store (SQLite) written by `poolsim run` or `poolsim sweep`.") var store: String

    func run() throws {
        try reportingErrors { print(try ComparisonTable.render(path: store), terminator: "") }
    }
}

/// `poolsim sweep`: the baseline under a grid of values of one or more parameters.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the scenario's baseline over a grid of parameter values and store the curves.",
        discussion: """
            --param PATH=FROM:TO:STEP (repeatable; several give their product). PATH is a policy \
            parameter path as in reform files (ordinary.annual_cap, ordinary.ratio.tier1). Every grid \
            point is a variant on the same members and visits; the scenario's own reforms are not run. \
            The store's sweep_points table gives each variant's parameter values.
            """)

    @OptionGroup var options: RunOptions
    @Option(name: .customLong("param"), help: "PATH=FROM:TO:STEP, e.g. ordinary.annual_cap=1000:6000:500.") var params: [String]

    func run() throws {
        try reportingErrors {
            var s = try options.loadScenario()
            let grid = try Self.grid(params)
            let base = s.variants[0]
            s.variants = [base] + grid.map { point in
                let name = point.map { "\($0.parameter)=\($0.text)" }.joined(separator: ",")
                let overlay = Overlay(name: name, entries: point.map {
                    Overlay.Entry(path: $0.parameter, value: .scalar($0.text), origin: Origin(file: "--param", line: nil))
                })
                return Scenario.VariantSpec(name: name, policy: base.policy, reforms: base.reforms + [overlay], origin: base.origin)
            }
            let x = try Experiment(s)
            try options.record(x, kind: "sweep", sweep: [[]] + grid.map { $0.map { ($0.parameter, $0.value) } })
        }
    }

    struct Point { var parameter: String; var value: Double; var text: String }

    /// The product of every `--param` range, first parameter slowest.
    static func grid(_ specs: [String]) throws -> [[Point]] {
        guard !specs.isEmpty else { throw ValidationError("give at least one --param PATH=FROM:TO:STEP") }
        var grid: [[Point]] = [[]]
        for spec in specs {
            let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
            let range = parts.count == 2 ? parts[1].split(separator: ":").map { Double($0) } : []
            guard parts.count == 2, range.count == 3, let from = range[0], let to = range[1], let step = range[2],
                  step > 0, to >= from else {
                throw ValidationError("--param \(spec): expected PATH=FROM:TO:STEP with FROM ≤ TO and STEP > 0")
            }
            let count = Int(((to - from) / step + 1e-9).rounded(.down)) + 1
            guard count <= 200 else { throw ValidationError("--param \(spec): \(count) values; at most 200 per parameter") }
            // Values are written as decimals with the finest precision of FROM, TO and STEP, so 0.1
            // steps stay exact text; the recorded value is the text's, exactly what the policy reads.
            let decimals = parts[1].split(separator: ":").map { $0.split(separator: ".").dropFirst().first?.count ?? 0 }.max() ?? 0
            let points = (0..<count).map { i -> Point in
                let text = String(format: "%.\(decimals)f", from + Double(i) * step)
                return Point(parameter: parts[0], value: Double(text)!, text: text)
            }
            guard Set(points.map(\.text)).count == points.count else {
                throw ValidationError("--param \(spec): two grid values print the same at \(decimals) decimals; write FROM, TO or STEP with more decimals")
            }
            grid = grid.flatMap { g in points.map { g + [$0] } }
        }
        return grid
    }
}
