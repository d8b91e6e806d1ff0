#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import Synthesis

/// Runs an experiment's replications: within a replication, blocks of members on every thread;
/// each block's visits are generated once and adjudicated under every variant (common random
/// numbers), so a reform's difference carries no sampling noise from the population.
///
/// Results do not depend on `threads`: a block's draws come from its own stream, members' figures
/// land at their own index, totals are integer sums, and statistics are computed after the last
/// block of a replication.
public struct Runner: Sendable {
    public let experiment: Experiment
    public let threads: Int

    public init(_ experiment: Experiment, threads: Int) {
        self.experiment = experiment
        self.threads = Swift.max(1, threads)
    }

    /// The day of the simulated year (offset from January 1) → month 0…11.
    var monthOfDay: [UInt8] {
        let s = experiment.monthStarts
        var out: [UInt8] = []
        for m in 0..<12 { out += [UInt8](repeating: UInt8(m), count: Int(s[m + 1] - s[m])) }
        return out
    }

    /// Runs `replications` in order, handing each finished one to `finished` (with its member
    /// columns, valid only during the call). Stops between blocks when `stop` is raised; the
    /// unfinished replication is dropped. Returns whether every replication ran.
    public func run(replications: [Int], stop: StopFlag? = nil, progress: ProgressMeter? = nil,
                    finished: (ReplicationResult, MemberColumns) throws -> Void) throws -> Bool {
        let x = experiment
        let gen = x.generator
        let months = monthOfDay
        let blocks = x.blocks
        progress?.start(totalBlocks: blocks * replications.count, visitsHint: 0)
        // Workers keep their buffers across replications: one set per thread, handed out by index.
        let pool = WorkerPool(count: threads)
        // Every block rewrites every member's entries, so one set of columns serves all replications
        // (fresh pages each replication cost 2% in page faults).
        let cols = MemberColumns(count: x.members, variants: x.variants.count)
        for r in replications {
            let clock = ContinuousClock.now
            let slots = ResultSlots<(PopulationTotals, [VariantTotals])>(count: blocks)
            let workers = Swift.min(threads, blocks)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let worker = pool.worker(w, x)
                var b = w
                while b < blocks {
                    if stop?.isRaised == true { return }
                    let result = worker.run(x, generator: gen, block: b, replication: r, monthOfDay: months, out: cols)
                    slots.set(b, result)
                    progress?.blockDone(visits: Int(result.0.visits))
                    b += workers
                }
            }
            if stop?.isRaised == true { return false }
            var population = PopulationTotals()
            var totals = [VariantTotals](repeating: VariantTotals(), count: x.variants.count)
            for case let (p, t)? in slots.values() {
                population.add(p)
                for v in t.indices { totals[v].add(t[v]) }
            }
            let adjudicated = ContinuousClock.now
            let (stats, changes, hist) = ReplicationResult.memberStatistics(cols, x, threads: threads)
            let seconds = (ContinuousClock.now - clock) / .seconds(1)
            try finished(ReplicationResult(replication: r, population: population, totals: totals, memberStatistics: stats,
                                           netChanges: changes, burdenHistogram: hist, seconds: seconds,
                                           statisticsSeconds: (ContinuousClock.now - adjudicated) / .seconds(1)), cols)
        }
        progress?.finish()
        return true
    }
}

/// One `BlockWorker` per thread index, made on first use inside that thread and kept across
/// replications (buffers are sized once).
final class WorkerPool: @unchecked Sendable {
    private var workers: [BlockWorker?]
    private let lock = NSLock()

    init(count: Int) { workers = Array(repeating: nil, count: count) }

    /// Index `w` is used by one thread at a time (`concurrentPerform` iteration `w`).
    func worker(_ w: Int, _ x: Experiment) -> BlockWorker {
        lock.lock()
        defer { lock.unlock() }
        if let k = workers[w] { return k }
        let k = BlockWorker(x)
        workers[w] = k
        return k
    }
}

/// Raised to stop a run between blocks (Ctrl-C, or a test).
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    public var isRaised: Bool {
        lock.lock()
        defer { lock.unlock() }
        return raised
    }

    public func raise() {
        lock.lock()
        raised = true
        lock.unlock()
    }

    /// Raises the flag on SIGINT (Ctrl-C) and SIGTERM (`kill`, a batch system's time limit) instead
    /// of letting the signal kill the process, so the run can close its store cleanly.
    public func raiseOnInterrupt() {
        sources = [SIGINT, SIGTERM].map { sig in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { [weak self] in
                self?.raise()
                FileHandle.standardError.write("\npoolsim: \(sig == SIGINT ? "interrupted" : "terminated"); finishing the store…\n".data(using: .utf8)!)
            }
            s.resume()
            return s
        }
    }
}

/// A progress bar on standard error (done, rate, time left), drawn only when standard error is a
/// terminal, so piped or logged output stays clean.
public final class ProgressMeter: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private var total = 0
    private var done = 0
    private var visits = 0
    private var started = ContinuousClock.now
    private var lastDraw = ContinuousClock.now

    public init(enabled: Bool = isatty(2) != 0) { self.enabled = enabled }

    func start(totalBlocks: Int, visitsHint: Int) {
        lock.lock()
        total = totalBlocks
        done = 0
        visits = 0
        started = .now
        lock.unlock()
    }

    func blockDone(visits v: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        done += 1
        visits += v
        let now = ContinuousClock.now
        guard now - lastDraw > .milliseconds(200) || done == total else { return }
        lastDraw = now
        let elapsed = Swift.max((now - started) / .seconds(1), 1e-9)
        let share = Double(done) / Double(Swift.max(total, 1))
        let width = 30, filled = Int(share * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let eta = share > 0 ? elapsed * (1 - share) / share : 0
        let line = String(format: "\r%@ %3.0f%%  %.1f M visits/s  %@ left ", bar, share * 100,
                          Double(visits) / elapsed / 1e6, Self.clock(eta))
        FileHandle.standardError.write(line.data(using: .utf8)!)
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write("\r\u{1B}[K".data(using: .utf8)!)
    }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
    }
}
