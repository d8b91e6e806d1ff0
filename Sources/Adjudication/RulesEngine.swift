import Policy

/// A policy compiled into flat tables for adjudication: the mechanisms (deductible modes, ratio
/// tables, caps, fallback and exclusions) live here, every number comes from the policy file.
///
/// Immutable and `Sendable`: one engine is shared by every thread.
public struct RulesEngine: Sendable {
    public let policy: Policy
    /// Rule texts, indexed by `Outcome.rule` ("ordinary tieling §9", "not covered tieling §10").
    public let ruleNames: [String]
    /// Disease codes with a per-disease cap in some period; a claim's `disease` is a slot here.
    public let diseaseCodes: [String]

    @usableFromInline let effectiveFrom: Int32
    @usableFromInline let periodFrom: [Int32]
    @usableFromInline let periodTo: [Int32]
    @usableFromInline let rules: [BenefitRules]          // [period * channels + channel]
    /// [((rulesIndex * 2 + status) * 4 + site) * 3 + institution) * 4 + tier]
    @usableFromInline let ratios: [Int32]
    /// [rulesIndex * 4 + tier]
    @usableFromInline let deductibles: [Int64]
    /// [period * diseaseSlots + slot], -1 where the disease is not listed in that period.
    @usableFromInline let diseaseCaps: [Int64]
    @usableFromInline let basicCap: [Int64]               // per period, -1 if none
    @usableFromInline let largeRatio: [Int32]             // per period, 0 if none
    @usableFromInline let largeCap: [Int64]
    @usableFromInline let retirementSwitch: [RetirementSwitch]
    @usableFromInline let ruleBeforeStart: UInt16

    @usableFromInline static let channels = 6

    @usableFromInline
    struct BenefitRules: Sendable {
        @usableFromInline var present = false
        @usableFromInline var mode = DeductibleMode.none
        @usableFromInline var pool = CapPool.own
        @usableFromInline var designatedOnly = true
        @usableFromInline var excludedInHospital = false
        @usableFromInline var specialtyAnyTier = false
        @usableFromInline var tierMask: UInt8 = 0
        @usableFromInline var siteMask: UInt8 = 0
        @usableFromInline var capFen: Int64 = 0
        @usableFromInline var rulePaid: UInt16 = 0
        @usableFromInline var rulePaidLarge: UInt16 = 0
        @usableFromInline var ruleNotDesignated: UInt16 = 0
        @usableFromInline var ruleSite: UInt16 = 0
        @usableFromInline var ruleTier: UInt16 = 0
        @usableFromInline var ruleInHospital: UInt16 = 0
        @usableFromInline var ruleNoBenefit: UInt16 = 0

        /// The claim's tier is covered, or it is a specialty institution where any tier is.
        @inlinable
        func covers(_ c: Claim) -> Bool {
            tierMask & (1 << c.tier) != 0 || (specialtyAnyTier && c.institution != .general)
        }
    }

    public init(policy: Policy) {
        self.policy = policy
        var names: [String] = []
        var index: [String: UInt16] = [:]
        func rule(_ s: String) -> UInt16 {
            if let i = index[s] { return i }
            let i = UInt16(names.count)
            names.append(s)
            index[s] = i
            return i
        }
        let id = policy.id
        func cite(_ article: String) -> String { article.isEmpty ? id : "\(id) \(article)" }

        var codes: [String] = []
        for p in policy.periods {
            for case let b? in p.benefits { for d in b.diseaseCaps where !codes.contains(d.code) { codes.append(d.code) } }
        }
        let slots = max(codes.count, 1)

        var rules: [BenefitRules] = []
        var ratios: [Int32] = []
        var deductibles: [Int64] = []
        var diseaseCaps = [Int64](repeating: -1, count: policy.periods.count * slots)
        for (pi, p) in policy.periods.enumerated() {
            for c in Channel.allCases {
                var r = BenefitRules()
                r.ruleNoBenefit = rule("not covered \(id): no \(c.name) benefit")
                if let b = p.benefit(c) {
                    r.present = true
                    r.mode = b.deductibleMode
                    r.pool = b.capPool
                    r.designatedOnly = b.designatedOnly
                    r.excludedInHospital = b.excludedInHospital
                    r.specialtyAnyTier = b.specialtyAnyTier
                    r.tierMask = b.tierMask
                    r.siteMask = b.siteMask
                    r.capFen = b.annualCapFen
                    r.rulePaid = rule("\(c.name) \(cite(b.article))")
                    r.rulePaidLarge = rule("\(c.name) \(cite(b.article)); large-amount \(cite(p.largeAmount?.article ?? ""))")
                    r.ruleNotDesignated = rule("not covered \(cite(b.designatedArticle))")
                    r.ruleSite = rule("not covered \(cite(b.sitesArticle))")
                    r.ruleTier = rule("not covered \(cite(b.tiersArticle))")
                    r.ruleInHospital = rule("not covered \(cite(b.inHospitalArticle))")
                    for d in b.diseaseCaps {
                        diseaseCaps[pi * slots + codes.firstIndex(of: d.code)!] = d.capFen
                    }
                }
                rules.append(r)
                for t in 0..<4 { deductibles.append(p.benefit(c)?.deductibleFen[t] ?? 0) }
                for status in Status.allCases {
                    for site in Site.allCases {
                        for inst in Institution.allCases {
                            for t in 0..<4 {
                                guard let b = p.benefit(c) else { ratios.append(0); continue }
                                var bp = b.ratioBp[t]
                                if let s = b.specialtyRatioBp, inst.isSpecialty,
                                   b.specialtyRatioSiteMask & (1 << site.rawValue) != 0 {
                                    bp = s
                                }
                                if status == .retired { bp += b.retiredUpliftBp }
                                ratios.append(bp)
                            }
                        }
                    }
                }
            }
        }
        self.ruleBeforeStart = rule("not covered \(cite(policy.effectiveArticle))")
        self.ruleNames = names
        self.diseaseCodes = codes
        self.effectiveFrom = policy.effectiveFrom
        self.periodFrom = policy.periods.map(\.from)
        self.periodTo = policy.periods.map { $0.to ?? .max }
        self.rules = rules
        self.ratios = ratios
        self.deductibles = deductibles
        self.diseaseCaps = diseaseCaps
        self.basicCap = policy.periods.map { $0.basicAnnualCapFen ?? -1 }
        self.largeRatio = policy.periods.map { $0.largeAmount?.ratioBp ?? 0 }
        self.largeCap = policy.periods.map { $0.largeAmount?.annualCapFen ?? 0 }
        self.retirementSwitch = policy.periods.map(\.retirementSwitch)
    }

    /// The slot of a disease code, or -1 if no period of the policy lists it.
    public func diseaseSlot(_ code: String) -> Int16 {
        diseaseCodes.firstIndex(of: code).map(Int16.init) ?? -1
    }

    /// A ledger sized for this engine.
    public func makeLedger() -> Ledger { Ledger(diseaseSlots: diseaseCodes.count) }

    /// Index of the period in force on `day`, or -1.
    @inlinable
    func period(on day: Int32) -> Int {
        if day < effectiveFrom { return -1 }
        var i = 0
        while i < periodFrom.count {
            if day >= periodFrom[i] && day <= periodTo[i] { return i }
            i += 1
        }
        return -1
    }

    /// Moves the ledger to the segment (period ∩ calendar year) containing `day`, clearing the
    /// accumulators when it changes. Claims of a member must come in date order.
    @inlinable
    func enterSegment(day: Int32, period p: Int, ledger: inout Ledger) {
        if day >= ledger.segmentStart && day <= ledger.segmentEnd { return }
        let year = Day.year(day)
        let jan1 = Day.from(year: year, month: 1, day: 1)
        let dec31 = Day.from(year: year, month: 12, day: 31)
        ledger.segmentStart = jan1 > periodFrom[p] ? jan1 : periodFrom[p]
        ledger.segmentEnd = dec31 < periodTo[p] ? dec31 : periodTo[p]
        ledger.segmentPeriod = p
        ledger.clearAccumulators()
    }

    @inlinable
    func notCovered(_ c: Claim, rule: UInt16, status: Status) -> Outcome {
        Outcome(fundFen: 0, memberFen: c.totalFen, deductibleFen: 0, ratioBp: 0, rule: rule, benefit: nil,
                largeFen: 0, capRemainingFen: -1, status: status)
    }

    /// Adjudicates one claim and books it on the member's ledger.
    ///
    /// - Parameters:
    ///   - inHospital: the claim's date lies within one of the member's inpatient stays
    ///     (admission to discharge, inclusive); only outpatient benefits that exclude such days care.
    /// Always inlined: as a call it was 17% of the runner's benchmark (its arguments and the
    /// outcome go through memory, and the caller's constant paths are not folded).
    @inlinable @inline(__always)
    public func adjudicate(_ c: Claim, retirement: MemberRetirement, inHospital: Bool, ledger: inout Ledger) -> Outcome {
        // A claim in the ledger's segment (the usual case: the member's previous claim, or the
        // previous member's year) is in that segment's period; only other days search the periods.
        let inSegment = c.day >= ledger.segmentStart && c.day <= ledger.segmentEnd
        let p = inSegment ? ledger.segmentPeriod : period(on: c.day)
        let retiredFrom = p >= 0 ? retirement.retiredRatiosFrom(retirementSwitch[p]) : retirement.retiredOn
        let status: Status = c.day >= retiredFrom ? .retired : .inService
        guard p >= 0 else { return notCovered(c, rule: ruleBeforeStart, status: status) }
        if !inSegment { enterSegment(day: c.day, period: p, ledger: &ledger) }

        let slots = diseaseCodes.count > 0 ? diseaseCodes.count : 1
        var channel = c.channel
        var ri = p &* Self.channels &+ Int(channel.rawValue)
        var r = rules[ri]
        guard r.present else { return notCovered(c, rule: r.ruleNoBenefit, status: status) }

        // Chronic and special disease benefits take priority over ordinary pooling (Yanbian §17);
        // a claim they do not cover (tier, unlisted disease) is an ordinary claim.
        if channel == .chronic || channel == .special {
            let listed = channel == .special || (c.disease >= 0 && diseaseCaps[p &* slots &+ Int(c.disease)] >= 0)
            if !listed || !r.covers(c) {
                channel = .ordinary
                ri = p &* Self.channels
                let ordinary = rules[ri]
                guard ordinary.present else {
                    return notCovered(c, rule: listed ? r.ruleTier : ordinary.ruleNoBenefit, status: status)
                }
                r = ordinary
            }
        }
        if !r.covers(c) { return notCovered(c, rule: r.ruleTier, status: status) }
        if r.designatedOnly && !c.designated { return notCovered(c, rule: r.ruleNotDesignated, status: status) }
        if r.siteMask & (1 << c.site.rawValue) == 0 { return notCovered(c, rule: r.ruleSite, status: status) }
        if inHospital && r.excludedInHospital { return notCovered(c, rule: r.ruleInHospital, status: status) }

        let tier = Int(c.tier == 0 ? 1 : c.tier)
        let ratio = ratios[((((ri &* 2 &+ Int(status.rawValue)) &* 4 &+ Int(c.site.rawValue)) &* 3 &+ Int(c.institution.rawValue)) &* 4) &+ tier]
        let ch = Int(channel.rawValue)

        var due: Int64
        switch r.mode {
        case .none: due = 0
        case .perEvent: due = deductibles[ri &* 4 &+ tier]
        case .annualTopUp:
            due = deductibles[ri &* 4 &+ tier] &- ledger.deductiblePaid[ch]
            due = due > 0 ? due : 0
        }
        let applied = c.compliantFen < due ? c.compliantFen : due
        let eligible = c.compliantFen &- applied
        let raw = Money.applyRatio(eligible, bp: ratio)

        var remaining: Int64
        switch r.pool {
        case .own: remaining = r.capFen &- ledger.fundPaid[ch]
        case .basic: remaining = basicCap[p] &- ledger.basicPaid
        case .perDisease: remaining = diseaseCaps[p &* slots &+ Int(c.disease)] &- ledger.diseasePaid[Int(c.disease)]
        }
        remaining = remaining > 0 ? remaining : 0
        let fund = raw < remaining ? raw : remaining
        var large: Int64 = 0
        if r.pool == .basic && raw > remaining && largeRatio[p] > 0 {
            large = largeAmount(eligible: eligible, basicRemaining: remaining, ratio: ratio, period: p, ledger: ledger)
        }

        if r.mode == .annualTopUp { ledger.deductiblePaid[ch] &+= applied }
        switch r.pool {
        case .own: ledger.fundPaid[ch] &+= fund
        case .basic: ledger.basicPaid &+= fund; ledger.largePaid &+= large
        case .perDisease: ledger.addDisease(Int(c.disease), fund)
        }
        return Outcome(fundFen: fund &+ large, memberFen: c.totalFen &- fund &- large, deductibleFen: applied,
                       ratioBp: ratio, rule: large > 0 ? r.rulePaidLarge : r.rulePaid, benefit: channel,
                       largeFen: large, capRemainingFen: remaining &- fund, status: status)
    }

    /// The large-amount subsidy's share of a claim that crosses the basic cap (Yanbian §16): the
    /// compliant cost the basic fund could still cover at `ratio` is remaining × 10000 / ratio
    /// (rounded half up); the rest is paid at the subsidy's ratio, within its own annual cap.
    @inline(never)
    @usableFromInline
    func largeAmount(eligible: Int64, basicRemaining: Int64, ratio: Int32, period p: Int, ledger: Ledger) -> Int64 {
        guard ratio > 0 else { return 0 }
        var coveredByBasic = (basicRemaining * 20_000 / Int64(ratio) + 1) / 2
        if coveredByBasic > eligible { coveredByBasic = eligible }
        let pay = Money.applyRatio(eligible - coveredByBasic, bp: largeRatio[p])
        let left = largeCap[p] - ledger.largePaid
        return pay < left ? pay : (left > 0 ? left : 0)
    }
}
