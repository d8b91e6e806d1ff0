import Dispatch

/// Runs a body over blocks on several threads. Each worker owns its buffers and takes blocks
/// `w, w + threads, w + 2·threads, …`; results land at the block's own index, so they never
/// depend on the thread count or on scheduling.
public enum ParallelBlocks {
    /// `makeState` builds one worker's private state (buffers, GSL generator) inside its thread.
    public static func map<State, Result: Sendable>(blocks: Int, threads: Int,
                                                    makeState: @Sendable () -> State,
                                                    body: @Sendable (Int, inout State) -> Result) -> [Result?] {
        let workers = Swift.max(1, Swift.min(threads, blocks))
        let results = ResultSlots<Result>(count: blocks)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var state = makeState()
            var b = w
            while b < blocks {
                results.set(b, body(b, &state))
                b += workers
            }
        }
        return results.values()
    }
}

/// One slot per work item, each written by exactly one worker.
public final class ResultSlots<T: Sendable>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<T?>
    private let count: Int

    public init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    /// Safe without a lock: distinct workers write distinct indices, and `concurrentPerform`
    /// returns only after every write.
    public func set(_ i: Int, _ v: T) { slots[i] = v }

    public func values() -> [T?] { Array(UnsafeBufferPointer(start: slots, count: count)) }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
}

extension Generator {
    /// A 64-bit FNV-1a fingerprint of every block's members and visits, block by block: equal
    /// fingerprints mean byte-identical populations.
    public func fingerprints(populationSize: Int, replication: Int, threads: Int) -> [UInt64] {
        let blocks = PopulationModel.blocks(members: populationSize)
        let gen = self
        return ParallelBlocks.map(blocks: blocks, threads: threads,
                                  makeState: { (MemberBuffer(), VisitBuffer(), GSLGenerator()) },
                                  body: { b, s in
            gen.generate(block: b, replication: replication, populationSize: populationSize, members: s.0, visits: s.1, gsl: s.2)
            return Self.fingerprint(s.0, s.1)
        }).map { $0! }
    }

    static func fingerprint(_ m: MemberBuffer, _ v: VisitBuffer) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        func mix<T>(_ c: Column<T>, _ n: Int) {
            UnsafeRawBufferPointer(start: c.base, count: n * MemoryLayout<T>.stride).forEach {
                h = (h ^ UInt64($0)) &* 0x100_0000_01B3
            }
        }
        let n = m.count, k = v.count
        mix(m.status, n); mix(m.retiredOn, n); mix(m.age, n); mix(m.female, n); mix(m.baseFen, n); mix(m.pensionFen, n)
        mix(m.remote, n); mix(m.chronic, n); mix(m.special, n); mix(m.holder, n); mix(m.visitStart, n + 1)
        mix(v.day, k); mix(v.endDay, k); mix(v.tier, k); mix(v.channel, k); mix(v.institution, k); mix(v.site, k)
        mix(v.designated, k); mix(v.disease, k); mix(v.totalFen, k); mix(v.compliantFen, k)
        return h
    }
}
