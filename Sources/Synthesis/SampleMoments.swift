import CGSL
import Policy

/// What a generated population looks like: the figures calibration targets and tests compare
/// with the configured values. Accumulated block by block; exact integer sums where possible.
public struct SampleMoments: Sendable {
    public var members = [0, 0]
    public var retiring = 0
    public var visits = [0, 0]
    public var zeroMembers = [0, 0]
    /// Visits and cost sums by channel × 4 + tier.
    public var visitsBy = [Int](repeating: 0, count: 24)
    public var costFenBy = [Double](repeating: 0, count: 24)
    public var logCostBy = [Double](repeating: 0, count: 24)
    public var compliantFen = 0.0
    public var totalFen = 0.0
    public var chronicMembers = 0
    public var specialMembers = 0
    public var linkedMembers = 0
    public var admissions = 0
    public var stayDays = 0
    /// Each member's yearly total cost (fen), when `keepMemberTotals` (for the top-10% share).
    public var memberTotals: [Double] = []
    public var keepMemberTotals: Bool

    public init(keepMemberTotals: Bool = false) { self.keepMemberTotals = keepMemberTotals }

    public mutating func add(_ m: MemberBuffer, _ v: VisitBuffer) {
        for i in 0..<m.count {
            let s = Int(m.status[i].rawValue)
            members[s] += 1
            if m.retiredOn[i] != .min && m.retiredOn[i] != .max { retiring += 1 }
            let a = Int(m.visitStart[i]), b = Int(m.visitStart[i + 1])
            visits[s] += b - a
            if a == b { zeroMembers[s] += 1 }
            if m.chronic[i] >= 0 { chronicMembers += 1 }
            if m.special[i] >= 0 { specialMembers += 1 }
            if m.holder[i] >= 0 { linkedMembers += 1 }
            var memberTotal = 0.0
            for j in a..<b {
                let k = Int(v.channel[j].rawValue) * 4 + Int(v.tier[j])
                let t = Double(v.totalFen[j])
                visitsBy[k] += 1
                costFenBy[k] += t
                logCostBy[k] += log(t)
                compliantFen += Double(v.compliantFen[j])
                totalFen += t
                memberTotal += t
                if v.channel[j] == .inpatient {
                    admissions += 1
                    stayDays += Int(v.endDay[j] - v.day[j])
                }
            }
            if keepMemberTotals { memberTotals.append(memberTotal) }
        }
    }

    public var memberCount: Int { members[0] + members[1] }
    public var visitCount: Int { visits[0] + visits[1] }
    public func meanVisits(_ s: Int) -> Double { Double(visits[s]) / Double(max(members[s], 1)) }
    public var zeroShare: Double { Double(zeroMembers[0] + zeroMembers[1]) / Double(max(memberCount, 1)) }
    public var retiredShare: Double { Double(members[1]) / Double(max(memberCount, 1)) }

    public func visits(channel: Channel) -> Int { (0..<4).reduce(0) { $0 + visitsBy[Int(channel.rawValue) * 4 + $1] } }
    public func visits(channel: Channel, tier: Int) -> Int { visitsBy[Int(channel.rawValue) * 4 + tier] }
    /// Mean cost per visit in yuan.
    public func meanCost(channel: Channel, tier: Int) -> Double {
        let k = Int(channel.rawValue) * 4 + tier
        return costFenBy[k] / Double(max(visitsBy[k], 1)) / 100
    }
    /// Geometric mean cost in yuan (estimates the lognormal median).
    public func geometricMeanCost(channel: Channel, tier: Int) -> Double {
        let k = Int(channel.rawValue) * 4 + tier
        return exp(logCostBy[k] / Double(max(visitsBy[k], 1))) / 100
    }

    /// Share of all spending by the top 10% of members (GSL's sort over the member totals).
    public mutating func top10Share() -> Double {
        precondition(keepMemberTotals, "member totals were not kept")
        guard !memberTotals.isEmpty, totalFen > 0 else { return 0 }
        memberTotals.withUnsafeMutableBufferPointer { gsl_sort($0.baseAddress, 1, $0.count) }
        let top = memberTotals.count / 10
        let sum = memberTotals.suffix(top).reduce(0, +)
        return sum / totalFen
    }
}
