import Policy

/// Adjudicates a whole claims table: each member's claims in date order (ties in input order,
/// POLICY-NOTES), each member with a fresh ledger. Results come back in input order.
public struct Batch {
    public let engine: RulesEngine
    /// File disease code → engine slot.
    let slots: [Int16]

    public init(engine: RulesEngine, claims: ClaimTable) {
        self.engine = engine
        slots = claims.diseaseCodes.map { engine.diseaseSlot($0) }
    }

    /// Claim indices grouped by member (in member order) and, within a member, by date then input
    /// order: a counting sort by member, then a stable sort by day per member (usually a no-op,
    /// since extracts come in date order).
    public static func order(_ claims: ClaimTable, memberCount: Int) -> (order: [Int32], memberStart: [Int]) {
        var start = [Int](repeating: 0, count: memberCount + 1)
        for m in claims.member { start[Int(m) + 1] += 1 }
        for i in 0..<memberCount { start[i + 1] += start[i] }
        var next = start
        var order = [Int32](repeating: 0, count: claims.count)
        for i in 0..<claims.count {
            let m = Int(claims.member[i])
            order[next[m]] = Int32(i)
            next[m] += 1
        }
        let day = claims.day
        for m in 0..<memberCount where start[m + 1] - start[m] > 1 {
            var sorted = true
            for k in (start[m] + 1)..<start[m + 1] where day[Int(order[k])] < day[Int(order[k - 1])] { sorted = false; break }
            if !sorted {
                order[start[m]..<start[m + 1]].sort { a, b in
                    day[Int(a)] != day[Int(b)] ? day[Int(a)] < day[Int(b)] : a < b
                }
            }
        }
        return (order, start)
    }

    /// Adjudicates every claim; `visit` sees each outcome in adjudication order (for traces).
    public func run(claims: ClaimTable, members: MemberTable,
                    visit: ((Int, Outcome) -> Void)? = nil) -> [Outcome] {
        let (order, start) = Self.order(claims, memberCount: members.count)
        var out = [Outcome](repeating: Outcome(fundFen: 0, memberFen: 0, deductibleFen: 0, ratioBp: 0, rule: 0, benefit: nil,
                                               largeFen: 0, capRemainingFen: -1, status: .inService),
                            count: claims.count)
        var ledger = engine.makeLedger()
        var stays: [(Int32, Int32)] = []
        for m in 0..<members.count where start[m + 1] > start[m] {
            ledger.reset()
            stays.removeAll(keepingCapacity: true)
            for k in start[m]..<start[m + 1] {
                let i = Int(order[k])
                if claims.channel[i] == .inpatient { stays.append((claims.day[i], claims.endDay[i])) }
            }
            let retirement = members.retirement(m)
            for k in start[m]..<start[m + 1] {
                let i = Int(order[k])
                let c = claims.claim(i, slots: slots)
                var inHospital = false
                if c.channel != .inpatient {
                    for s in stays where c.day >= s.0 && c.day <= s.1 { inHospital = true; break }
                }
                let o = engine.adjudicate(c, retirement: retirement, inHospital: inHospital, ledger: &ledger)
                out[i] = o
                visit?(i, o)
            }
        }
        return out
    }
}
