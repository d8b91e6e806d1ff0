import Adjudication
import Policy
import Synthesis

/// One worker's reusable state: the generator's buffers, one ledger per variant, and scratch for
/// the account months and inpatient stays. Made inside the worker's thread, never shared; sized
/// once by the largest block it meets, so the hot loop allocates nothing.
final class BlockWorker {
    let members = MemberBuffer()
    let visits = VisitBuffer()
    let gsl = GSLGenerator()
    var ledgers: [Ledger]
    /// Own shares by paying account and month, `[member * 12 + month]` (block-local members).
    let monthDebit: UnsafeMutablePointer<Int64>
    var stays: UnsafeMutablePointer<Int32>
    var stayCapacity = 64

    init(_ x: Experiment) {
        ledgers = x.variants.map { $0.engine.makeLedger() }
        monthDebit = .allocate(capacity: PopulationModel.blockSize * 12)
        stays = .allocate(capacity: 2 * stayCapacity)
    }

    deinit {
        monthDebit.deallocate()
        stays.deallocate()
    }

    /// Generates block `b` of `replication`, adjudicates its visits under every variant and writes
    /// each member's figures into `out`; returns the block's totals.
    func run(_ x: Experiment, generator: Generator, block b: Int, replication: Int, monthOfDay: [UInt8],
             out: MemberColumns) -> (PopulationTotals, [VariantTotals]) {
        generator.generate(block: b, replication: replication, populationSize: x.members,
                           members: members, visits: visits, gsl: gsl)
        var pop = PopulationTotals()
        let n = members.count, first = members.first, k = visits.count
        pop.members = Int64(n)
        pop.visits = Int64(k)
        let totP = visits.totalFen.base, compP = visits.compliantFen.base
        for j in 0..<k {
            pop.costFen &+= totP[j]
            pop.compliantFen &+= compP[j]
        }
        let statusP = members.status.base, bandP = members.band.base, startP = members.visitStart.base
        for i in 0..<n {
            out.status[first + i] = statusP[i].rawValue
            out.band[first + i] = bandP[i]
            out.visits[first + i] = startP[i + 1] - startP[i]
            out.incomeFen[first + i] = income(i, x)
        }
        var totals: [VariantTotals] = []
        totals.reserveCapacity(x.variants.count)
        for v in x.variants.indices {
            var t = VariantTotals()
            monthOfDay.withUnsafeBufferPointer { months in
                x.variants[v].diseaseSlot.withUnsafeBufferPointer { slots in
                    adjudicate(x.variants[v].engine, variant: v, ledger: &ledgers[v], slots: slots.baseAddress!,
                               months: months.baseAddress!, yearStart: x.model.yearStart, out: out, totals: &t)
                }
            }
            accounts(x, variant: v, out: out, totals: &t)
            totals.append(t)
        }
        return (pop, totals)
    }

    /// Yearly income, month by month: the contribution base while in service, the pension once
    /// retired; -1 when a needed figure is unknown.
    func income(_ i: Int, _ x: Experiment) -> Int64 {
        let retiredOn = members.retiredOn.base[i], base = members.baseFen.base[i], pension = members.pensionFen.base[i]
        var sum: Int64 = 0
        for m in 0..<12 {
            let v = x.monthStarts[m] >= retiredOn ? pension : base
            if v < 0 { return -1 }
            sum += v
        }
        return sum
    }

    /// The hot loop: every visit of the block under one variant. Columns and the ledger are held in
    /// locals (a class's stored properties cost an exclusivity check per access, ENGINEERING-NOTES).
    @inline(never)
    func adjudicate(_ engine: RulesEngine, variant v: Int, ledger: inout Ledger, slots: UnsafePointer<Int16>,
                    months: UnsafePointer<UInt8>, yearStart: Int32, out: MemberColumns, totals: inout VariantTotals) {
        let n = members.count, first = members.first, count = out.count
        let startP = members.visitStart.base, holderP = members.holder.base, retiredP = members.retiredOn.base
        let dayP = visits.day.base, endP = visits.endDay.base, tierP = visits.tier.base, chP = visits.channel.base
        let instP = visits.institution.base, siteP = visits.site.base, desP = visits.designated.base
        let disP = visits.disease.base, totP = visits.totalFen.base, compP = visits.compliantFen.base
        let debit = monthDebit
        debit.update(repeating: 0, count: n * 12)
        let burdenOut = out.burdenFen + v * count + first, fundOut = out.fundFen + v * count + first
        let flagsOut = out.flags + v * count + first
        var f0: Int64 = 0, f1: Int64 = 0, f2: Int64 = 0, f3: Int64 = 0, f4: Int64 = 0, f5: Int64 = 0
        var large: Int64 = 0, burdenSum: Int64 = 0, capHits: Int64 = 0, paidMembers: Int64 = 0
        var led = ledger
        defer { ledger = led }
        for i in 0..<n {
            let a = Int(startP[i]), b = Int(startP[i + 1])
            var burden: Int64 = 0, fund: Int64 = 0, flags: UInt8 = 0
            if a < b {
                led.reset()
                let stays = collectStays(a, b, chP, dayP, endP)
                let stayP = self.stays
                let retirement = MemberRetirement(retiredOn: retiredP[i])
                let payer = (holderP[i] >= 0 ? Int(holderP[i]) : i) &* 12
                for j in a..<b {
                    let c = Claim(day: dayP[j], tier: tierP[j], channel: chP[j], institution: instP[j], site: siteP[j],
                                  designated: desP[j], disease: slots[Int(disP[j]) &+ 1],
                                  totalFen: totP[j], compliantFen: compP[j])
                    var inHospital = false
                    if stays > 0 && c.channel != .inpatient {
                        var s = 0
                        while s < stays {
                            if c.day >= stayP[2 &* s] && c.day <= stayP[2 &* s &+ 1] { inHospital = true; break }
                            s &+= 1
                        }
                    }
                    let o = engine.adjudicate(c, retirement: retirement, inHospital: inHospital, ledger: &led)
                    switch o.benefit {
                    case .ordinary?:
                        f0 &+= o.fundFen
                        if o.fundFen > 0 { flags |= MemberColumns.ordinaryPaid }
                        if o.capRemainingFen == 0 { flags |= MemberColumns.capHit }
                    case .chronic?: f1 &+= o.fundFen
                    case .special?: f2 &+= o.fundFen
                    case .emergency?: f3 &+= o.fundFen
                    case .daySurgery?: f4 &+= o.fundFen
                    case .inpatient?: f5 &+= o.fundFen
                    case nil: break
                    }
                    large &+= o.largeFen
                    burden &+= o.memberFen
                    fund &+= o.fundFen
                    debit[payer &+ Int(months[Int(c.day &- yearStart)])] &+= o.memberFen
                }
            }
            burdenOut[i] = burden
            fundOut[i] = fund
            flagsOut[i] = flags
            burdenSum &+= burden
            if flags & MemberColumns.capHit != 0 { capHits &+= 1 }
            if flags & MemberColumns.ordinaryPaid != 0 { paidMembers &+= 1 }
        }
        totals.fundByBenefit = [f0, f1, f2, f3, f4, f5]
        totals.largeFen = large
        totals.burdenFen = burdenSum
        totals.capHitMembers = capHits
        totals.ordinaryPaidMembers = paidMembers
    }

    /// The member's inpatient stays (admission, discharge) into `stays`; returns how many.
    @inline(__always)
    func collectStays(_ a: Int, _ b: Int, _ ch: UnsafeMutablePointer<Channel>, _ day: UnsafeMutablePointer<Int32>,
                      _ end: UnsafeMutablePointer<Int32>) -> Int {
        var k = 0
        for j in a..<b where ch[j] == .inpatient {
            if k == stayCapacity { growStays() }
            stays[2 &* k] = day[j]
            stays[2 &* k &+ 1] = end[j]
            k &+= 1
        }
        return k
    }

    @inline(never)
    func growStays() {
        let bigger = UnsafeMutablePointer<Int32>.allocate(capacity: 4 * stayCapacity)
        bigger.update(from: stays, count: 2 * stayCapacity)
        stays.deallocate()
        stays = bigger
        stayCapacity *= 2
    }

    /// Personal accounts of the block under one variant, month by month from a zero opening
    /// balance: the month's credit lands on its first day, then the month's own shares (of the
    /// holder and any linked family members) are paid from the balance as far as it goes. Paid in
    /// date order the total paid in a month is min(balance, debits), so month sums give exactly
    /// `AccountBook`'s totals. Linked members have no account of their own (credit 0).
    func accounts(_ x: Experiment, variant v: Int, out: MemberColumns, totals: inout VariantTotals) {
        let variant = x.variants[v]
        let n = members.count, first = members.first
        let holderP = members.holder.base, retiredP = members.retiredOn.base
        let baseP = members.baseFen.base, pensionP = members.pensionFen.base, debit = monthDebit
        let creditOut = out.creditFen + v * out.count + first
        var credits: Int64 = 0, cash: Int64 = 0, paid: Int64 = 0
        for i in 0..<n {
            guard holderP[i] < 0 else { creditOut[i] = 0; continue }
            let retirement = MemberRetirement(retiredOn: retiredP[i])
            var balance: Int64 = 0, credited: Int64 = 0
            var fixed: Int64 = -1
            if variant.accountUniform && (retiredP[i] == .min || retiredP[i] == .max) && variant.accountRule[0].startDay <= x.monthStarts[0] {
                fixed = PersonalAccount.monthlyCredit(variant.accountRule[0], monthStart: x.monthStarts[0],
                                                      retiredFrom: retiredP[i], baseFen: baseP[i], pensionFen: pensionP[i])
            }
            for m in 0..<12 {
                if fixed >= 0 {
                    balance += fixed
                    credited += fixed
                } else if variant.accountActive[m] {
                    let c = PersonalAccount.monthlyCredit(variant.accountRule[m], monthStart: x.monthStarts[m],
                                                          retiredFrom: retirement.retiredRatiosFrom(variant.accountSwitch[m]),
                                                          baseFen: baseP[i], pensionFen: pensionP[i])
                    balance += c
                    credited += c
                }
                let d = debit[i * 12 + m]
                let p = d < balance ? d : balance
                balance -= p
                paid += p
                cash += d - p
            }
            creditOut[i] = credited
            credits += credited
        }
        totals.creditFen = credits
        totals.cashFen = cash
        totals.accountPaidFen = paid
    }
}
