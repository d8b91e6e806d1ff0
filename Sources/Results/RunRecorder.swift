import Simulation

/// Runs an experiment into a run store: each replication is stored as soon as it finishes, and
/// the summaries are computed from the stored rows at the end (also when the run is stopped).
public enum RunRecorder {
    /// Returns whether every replication ran. Throws (leaving no file behind) on a store error.
    ///
    /// `afterReplication` is called with each replication once it is committed to the store: a
    /// caller (the tests) can raise `stop` there to interrupt the run at a known point, or throw to
    /// make the run fail after something was stored.
    @discardableResult
    public static func record(_ x: Experiment, to path: String, threads: Int, kind: String = "run", command: String,
                              shard: Shard = .whole,
                              sweep: [[(parameter: String, value: Double)]] = [], stop: StopFlag? = nil,
                              progress: ProgressMeter? = nil,
                              afterReplication: ((ReplicationResult) throws -> Void)? = nil) throws -> Bool {
        let clock = ContinuousClock.now
        let store = try RunStore(path: path, experiment: x, kind: kind, threads: threads, command: command, shard: shard,
                                 sweep: sweep)
        do {
            let complete = try Runner(x, threads: threads).run(replications: shard.replications(of: x.scenario.replications),
                                                               stop: stop, progress: progress) { r, cols in
                try store.write(r, members: cols, experiment: x)
                try afterReplication?(r)
            }
            try store.finish(complete: complete, seconds: (ContinuousClock.now - clock) / .seconds(1),
                             budgetFen: x.scenario.budget?.amountFen)
            return complete
        } catch {
            store.abandon()
            throw error
        }
    }
}
