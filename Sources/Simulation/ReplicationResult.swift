import Dispatch
import Statistics
import Synthesis

/// Member-level figures of one variant and subgroup in one replication.
public struct MemberStatistics: Sendable, Equatable {
    public var members: Int
    public var meanBurdenFen: Double
    /// Own-share quantiles at `Describe.memberLevels` (P50, P90, P95, P99), fen.
    public var burdenQuantilesFen: [Double]
    /// Members whose own shares exceed each of the scenario's thresholds.
    public var aboveThreshold: [Int]
    /// Members with a known income, and those of them whose own shares exceed the income share.
    public var incomeKnown: Int
    public var aboveIncomeShare: Int
    public var capHit: Int
    public var ordinaryPaid: Int
    public var meanCreditFen: Double

    public init(members: Int, meanBurdenFen: Double, burdenQuantilesFen: [Double], aboveThreshold: [Int],
                incomeKnown: Int, aboveIncomeShare: Int, capHit: Int, ordinaryPaid: Int, meanCreditFen: Double) {
        self.members = members
        self.meanBurdenFen = meanBurdenFen
        self.burdenQuantilesFen = burdenQuantilesFen
        self.aboveThreshold = aboveThreshold
        self.incomeKnown = incomeKnown
        self.aboveIncomeShare = aboveIncomeShare
        self.capHit = capHit
        self.ordinaryPaid = ordinaryPaid
        self.meanCreditFen = meanCreditFen
    }
}

/// Winners and losers of one variant against the baseline, in one subgroup and replication: the
/// change of each member's yearly net position (own shares minus account credits).
public struct NetChangeStatistics: Sendable, Equatable {
    public var members: Int
    /// Better off (change < 0), worse off (> 0), unchanged.
    public var winners: Int
    public var losers: Int
    public var unchanged: Int
    /// Sum of the winners' gains and of the losers' losses (both ≥ 0), fen.
    public var gainFen: Int64
    public var lossFen: Int64
    /// Quantiles of the change at `levels` (P10, P50, P90), fen.
    public var quantilesFen: [Double]

    public static let levels: [Double] = [0.10, 0.50, 0.90]
}

/// Everything one replication yields, ready to store.
public struct ReplicationResult: Sendable {
    public var replication: Int
    public var population: PopulationTotals
    /// Per variant, the baseline first.
    public var totals: [VariantTotals]
    /// `[variant][subgroup]`, subgroups as `Experiment.subgroupNames`.
    public var memberStatistics: [[MemberStatistics]]
    /// `[variant][subgroup]`; empty for the baseline.
    public var netChanges: [[NetChangeStatistics]]
    /// Member own shares per variant over `burdenEdges` (yuan).
    public var burdenHistogram: [[Double]]
    /// Wall time of the whole replication, and of its member-level statistics alone.
    public var seconds: Double
    public var statisticsSeconds: Double
}

extension ReplicationResult {
    /// Bin edges of the member-burden histograms (yuan).
    public static let burdenEdges = Histogram.moneyEdges()

    /// The member-level statistics of a finished replication: per variant, the own-share figures,
    /// and per reform, the net changes against the baseline. Each is one task (one sort of all
    /// members, whatever the number of subgroups); tasks run in parallel, each into its own slot.
    static func memberStatistics(_ cols: MemberColumns, _ x: Experiment, threads: Int)
        -> (stats: [[MemberStatistics]], changes: [[NetChangeStatistics]], histograms: [[Double]]) {
        let layout = GroupLayout(cols, bands: x.model.calibration.ageEdges.count - 1)
        let V = cols.variants
        let outputs = x.scenario.outputs
        enum Done: Sendable { case burden([MemberStatistics], [Double]), change([NetChangeStatistics]) }
        let tasks = 2 * V - 1
        let slots = ResultSlots<Done>(count: tasks)
        let workers = Swift.min(tasks, Swift.max(threads, 1))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var keys: [UInt64] = [], scratch: [UInt64] = []
            var t = w
            while t < tasks {
                if t < V {
                    let (s, h) = burdenStatistics(cols, t, layout, outputs, &keys, &scratch)
                    slots.set(t, .burden(s, h))
                } else {
                    slots.set(t, .change(netChanges(cols, t - V + 1, layout, &keys, &scratch)))
                }
                t += workers
            }
        }
        var stats: [[MemberStatistics]] = [], hist: [[Double]] = [], changes: [[NetChangeStatistics]] = [[]]
        for case let done? in slots.values() {
            switch done {
            case .burden(let s, let h): stats.append(s); hist.append(h)
            case .change(let c): changes.append(c)
            }
        }
        return (stats, changes, hist)
    }

    /// Which subgroups each member belongs to: everyone (0), status (1 + status), age band
    /// (3 + band), and the subgroup sizes.
    struct GroupLayout: Sendable {
        let count: Int
        let sizes: [Int]

        init(_ cols: MemberColumns, bands: Int) {
            count = 3 + bands
            var n = [Int](repeating: 0, count: count)
            n[0] = cols.count
            for m in 0..<cols.count {
                n[1 + Int(cols.status[m])] += 1
                n[3 + Int(cols.band[m])] += 1
            }
            sizes = n
        }

        @inline(__always) static func groups(_ cols: MemberColumns, _ m: Int) -> (Int, Int, Int) {
            (0, 1 + Int(cols.status[m]), 3 + Int(cols.band[m]))
        }
    }

    /// Members are sorted once by value as packed keys, value << memberBits | member, so that one
    /// sort serves every subgroup: walking the sorted keys and counting ranks per subgroup finds
    /// each subgroup's order statistics.
    static let memberBits: UInt64 = 26
    static let valueOffset: Int64 = 1 << 37

    @inline(__always) static func key(_ value: Int64, _ m: Int) -> UInt64 {
        let shifted = value + valueOffset
        precondition(shifted >= 0 && shifted < 1 << 38, "a member's yearly figure of \(value) fen is outside ±1.37 billion yuan")
        precondition(m < 1 << memberBits, "member index \(m) beyond the packed keys' \(memberBits) bits")
        return UInt64(shifted) << memberBits | UInt64(m)
    }

    /// The quantiles at `levels` of every subgroup from keys sorted ascending, by GSL's definition
    /// (`gsl_stats_quantile_from_sorted_data`: position (n − 1)·f, linear interpolation between
    /// the order statistics around it; `StatisticsTests` checks the two agree).
    static func quantiles(sorted keys: [UInt64], _ cols: MemberColumns, _ layout: GroupLayout, levels: [Double]) -> [[Double]] {
        // Per subgroup, the ranks needed (ascending) and where each value goes.
        var needed = [[(rank: Int, level: Int, upper: Bool)]](repeating: [], count: layout.count)
        for g in 0..<layout.count where layout.sizes[g] > 0 {
            for (l, f) in levels.enumerated() {
                let pos = f * Double(layout.sizes[g] - 1)
                let lo = Int(pos.rounded(.down))
                needed[g].append((lo, l, false))
                if lo + 1 < layout.sizes[g] { needed[g].append((lo + 1, l, true)) }
            }
            needed[g].sort { $0.rank < $1.rank }
        }
        var lower = [[Double]](repeating: [Double](repeating: .nan, count: levels.count), count: layout.count)
        var upper = lower
        var rank = [Int](repeating: 0, count: layout.count)
        var cursor = [Int](repeating: 0, count: layout.count)
        let mask: UInt64 = (1 << memberBits) - 1
        for k in keys {
            let m = Int(k & mask)
            let value = Double(Int64(k >> memberBits) - valueOffset)
            let (a, b, c) = GroupLayout.groups(cols, m)
            for g in [a, b, c] {
                while cursor[g] < needed[g].count && needed[g][cursor[g]].rank == rank[g] {
                    let n = needed[g][cursor[g]]
                    if n.upper { upper[g][n.level] = value } else { lower[g][n.level] = value }
                    cursor[g] += 1
                }
                rank[g] += 1
            }
        }
        return (0..<layout.count).map { g in
            levels.indices.map { l in
                guard layout.sizes[g] > 0 else { return .nan }
                let pos = levels[l] * Double(layout.sizes[g] - 1)
                let delta = pos - pos.rounded(.down)
                return upper[g][l].isNaN || delta == 0 ? lower[g][l] : (1 - delta) * lower[g][l] + delta * upper[g][l]
            }
        }
    }

    static func burdenStatistics(_ cols: MemberColumns, _ v: Int, _ layout: GroupLayout, _ o: Scenario.Outputs,
                                 _ keys: inout [UInt64], _ scratch: inout [UInt64]) -> ([MemberStatistics], [Double]) {
        let G = layout.count, T = o.burdenThresholdsFen.count
        var sum = [Int64](repeating: 0, count: G), credit = sum
        var known = [Int](repeating: 0, count: G), aboveIncome = known, capHit = known, paid = known
        var above = [Int](repeating: 0, count: G * T)
        keys.removeAll(keepingCapacity: true)
        keys.reserveCapacity(cols.count)
        let share = Int64(o.incomeShareBp)
        for m in 0..<cols.count {
            let b = cols.burden(v, m), c = cols.credit(v, m), income = cols.incomeFen[m], f = cols.flag(v, m)
            keys.append(key(b, m))
            let (g0, g1, g2) = GroupLayout.groups(cols, m)
            for g in [g0, g1, g2] {
                sum[g] += b
                credit[g] += c
                for k in 0..<T where b > o.burdenThresholdsFen[k] { above[g * T + k] += 1 }
                if income > 0 {
                    known[g] += 1
                    // burden > share × income, in integers: burden · 10000 > income · bp.
                    if b * 10_000 > income * share { aboveIncome[g] += 1 }
                }
                if f & MemberColumns.capHit != 0 { capHit[g] += 1 }
                if f & MemberColumns.ordinaryPaid != 0 { paid[g] += 1 }
            }
        }
        RadixSort.sort(&keys, scratch: &scratch)
        let q = quantiles(sorted: keys, cols, layout, levels: Describe.memberLevels)
        let h = histogram(sorted: keys)
        let stats = (0..<G).map { g in
            let n = layout.sizes[g]
            return MemberStatistics(members: n, meanBurdenFen: n > 0 ? Double(sum[g]) / Double(n) : .nan,
                                    burdenQuantilesFen: q[g], aboveThreshold: Array(above[(g * T)..<(g * T + T)]),
                                    incomeKnown: known[g], aboveIncomeShare: aboveIncome[g], capHit: capHit[g],
                                    ordinaryPaid: paid[g], meanCreditFen: n > 0 ? Double(credit[g]) / Double(n) : .nan)
        }
        return (stats, h)
    }

    /// The burden histogram from keys sorted by value: members are counted bin by bin in one walk,
    /// then each bin is added to GSL's histogram once with its count (a GSL bin search per member
    /// was 4% of the runner's time).
    static func histogram(sorted keys: [UInt64]) -> [Double] {
        let edges = burdenEdges
        let h = Histogram(edges: edges)
        var bin = 0, count = 0.0
        var binValue = edges[0]
        for k in keys {
            let yuan = Double(Int64(k >> memberBits) - valueOffset) / 100
            if bin + 1 < edges.count && yuan >= edges[bin + 1] {
                if count > 0 { h.add(binValue, weight: count) }
                count = 0
                while bin + 1 < edges.count && yuan >= edges[bin + 1] { bin += 1 }
                binValue = yuan
            }
            if count == 0 { binValue = yuan }
            count += 1
        }
        if count > 0 { h.add(binValue, weight: count) }
        return h.counts
    }

    static func netChanges(_ cols: MemberColumns, _ v: Int, _ layout: GroupLayout, _ keys: inout [UInt64],
                           _ scratch: inout [UInt64]) -> [NetChangeStatistics] {
        let G = layout.count
        var winners = [Int](repeating: 0, count: G), losers = winners
        var gain = [Int64](repeating: 0, count: G), loss = gain
        keys.removeAll(keepingCapacity: true)
        keys.reserveCapacity(cols.count)
        for m in 0..<cols.count {
            let d = cols.netChange(v, m)
            keys.append(key(d, m))
            let (g0, g1, g2) = GroupLayout.groups(cols, m)
            for g in [g0, g1, g2] {
                if d < 0 { winners[g] += 1; gain[g] -= d } else if d > 0 { losers[g] += 1; loss[g] += d }
            }
        }
        RadixSort.sort(&keys, scratch: &scratch)
        let q = quantiles(sorted: keys, cols, layout, levels: NetChangeStatistics.levels)
        return (0..<G).map { g in
            NetChangeStatistics(members: layout.sizes[g], winners: winners[g], losers: losers[g],
                                unchanged: layout.sizes[g] - winners[g] - losers[g], gainFen: gain[g], lossFen: loss[g],
                                quantilesFen: q[g])
        }
    }
}
