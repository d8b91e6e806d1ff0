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
    public var seconds: Double
}

extension ReplicationResult {
    /// Bin edges of the member-burden histograms (yuan).
    public static let burdenEdges = Histogram.moneyEdges()

    /// The member-level statistics of a finished replication. Variants are independent, so they
    /// are computed in parallel, each into its own slot.
    static func memberStatistics(_ cols: MemberColumns, _ x: Experiment, threads: Int)
        -> (stats: [[MemberStatistics]], changes: [[NetChangeStatistics]], histograms: [[Double]]) {
        let groups = subgroups(cols, bands: x.model.calibration.ageEdges.count - 1)
        let V = cols.variants
        let outputs = x.scenario.outputs
        let slots = ResultSlots<([MemberStatistics], [NetChangeStatistics], [Double])>(count: V)
        let workers = Swift.min(V, Swift.max(threads, 1))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var scratch: [Double] = []
            var v = w
            while v < V {
                let stats = groups.map { describe(cols, v, $0, outputs, &scratch) }
                let changes = v == 0 ? [] : groups.map { netChange(cols, v, $0, &scratch) }
                let h = Histogram(edges: burdenEdges)
                for m in 0..<cols.count { h.add(Double(cols.burden(v, m)) / 100) }
                slots.set(v, (stats, changes, h.counts))
                v += workers
            }
        }
        let done = slots.values().map { $0! }
        let (stats, changes, hist) = (done.map(\.0), done.map(\.1), done.map(\.2))
        return (stats, changes, hist)
    }

    /// Member indices of each subgroup: everyone, in service, retired, then each age band.
    static func subgroups(_ cols: MemberColumns, bands: Int) -> [[Int32]] {
        var g = [[Int32]](repeating: [], count: 3 + bands)
        g[0].reserveCapacity(cols.count)
        for m in 0..<cols.count {
            g[0].append(Int32(m))
            g[1 + Int(cols.status[m])].append(Int32(m))
            g[3 + Int(cols.band[m])].append(Int32(m))
        }
        return g
    }

    static func describe(_ cols: MemberColumns, _ v: Int, _ members: [Int32], _ o: Scenario.Outputs,
                         _ scratch: inout [Double]) -> MemberStatistics {
        scratch.removeAll(keepingCapacity: true)
        var sum: Int64 = 0, credit: Int64 = 0, known = 0, aboveIncome = 0, capHit = 0, paid = 0
        var above = [Int](repeating: 0, count: o.burdenThresholdsFen.count)
        for m32 in members {
            let m = Int(m32)
            let b = cols.burden(v, m)
            scratch.append(Double(b))
            sum += b
            credit += cols.credit(v, m)
            for (k, t) in o.burdenThresholdsFen.enumerated() where b > t { above[k] += 1 }
            let income = cols.incomeFen[m]
            if income > 0 {
                known += 1
                // burden > share × income, compared in integers: burden · 10000 > income · bp.
                if b * 10_000 > income * Int64(o.incomeShareBp) { aboveIncome += 1 }
            }
            let f = cols.flag(v, m)
            if f & MemberColumns.capHit != 0 { capHit += 1 }
            if f & MemberColumns.ordinaryPaid != 0 { paid += 1 }
        }
        Describe.sort(&scratch)
        let n = members.count
        return MemberStatistics(members: n, meanBurdenFen: n > 0 ? Double(sum) / Double(n) : .nan,
                                burdenQuantilesFen: Describe.memberLevels.map { Describe.quantile(sorted: scratch, $0) },
                                aboveThreshold: above, incomeKnown: known, aboveIncomeShare: aboveIncome,
                                capHit: capHit, ordinaryPaid: paid, meanCreditFen: n > 0 ? Double(credit) / Double(n) : .nan)
    }

    static func netChange(_ cols: MemberColumns, _ v: Int, _ members: [Int32], _ scratch: inout [Double]) -> NetChangeStatistics {
        scratch.removeAll(keepingCapacity: true)
        var winners = 0, losers = 0, gain: Int64 = 0, loss: Int64 = 0
        for m32 in members {
            let d = cols.netChange(v, Int(m32))
            scratch.append(Double(d))
            if d < 0 { winners += 1; gain -= d } else if d > 0 { losers += 1; loss += d }
        }
        Describe.sort(&scratch)
        return NetChangeStatistics(members: members.count, winners: winners, losers: losers,
                                   unchanged: members.count - winners - losers, gainFen: gain, lossFen: loss,
                                   quantilesFen: NetChangeStatistics.levels.map { Describe.quantile(sorted: scratch, $0) })
    }
}
