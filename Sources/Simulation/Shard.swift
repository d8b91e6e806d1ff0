/// A share of a run's replications, for running a scenario on several machines (`--shard I/N`).
/// Shard I of N runs the replications r with r mod N = I; each replication is seeded by (seed, r)
/// alone, so the shards together are exactly the unsharded run, replication by replication.
public struct Shard: Sendable, Equatable {
    public var index: Int
    public var count: Int

    /// The whole run: one shard.
    public static let whole = Shard(index: 0, count: 1)

    public init(index: Int, count: Int) {
        precondition(count >= 1 && index >= 0 && index < count, "shard \(index)/\(count)")
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (0 ≤ I < N); nil when malformed.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else { return nil }
        self.init(index: i, count: n)
    }

    /// This shard's replications of a run of `total`.
    public func replications(of total: Int) -> [Int] {
        Array(stride(from: index, to: total, by: count))
    }
}
