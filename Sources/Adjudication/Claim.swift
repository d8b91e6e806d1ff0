import Policy

/// One claim as the engine sees it: plain values, no strings.
public struct Claim: Sendable, Equatable {
    public var day: Int32
    public var tier: UInt8
    public var channel: Channel
    public var institution: Institution
    public var site: Site
    public var designated: Bool
    /// Slot of the claim's disease in the engine's disease list (`RulesEngine.diseaseSlot`), or -1.
    public var disease: Int16
    public var totalFen: Int64
    public var compliantFen: Int64

    @inlinable
    public init(day: Int32, tier: UInt8, channel: Channel = .ordinary, institution: Institution = .general,
                site: Site = .local, designated: Bool = true, disease: Int16 = -1,
                totalFen: Int64, compliantFen: Int64) {
        self.day = day
        self.tier = tier
        self.channel = channel
        self.institution = institution
        self.site = site
        self.designated = designated
        self.disease = disease
        self.totalFen = totalFen
        self.compliantFen = compliantFen
    }
}

/// What the engine needs to know of a member: when retirement starts to count.
public struct MemberRetirement: Sendable, Equatable {
    /// First day the member is retired (Int32.min: retired throughout; Int32.max: never).
    public var retiredOn: Int32

    public static let never = MemberRetirement(retiredOn: .max)
    public static let always = MemberRetirement(retiredOn: .min)

    @inlinable
    public init(retiredOn: Int32) { self.retiredOn = retiredOn }

    /// The first day retired ratios apply under a policy's switch rule.
    @inlinable
    public func retiredRatiosFrom(_ rule: RetirementSwitch) -> Int32 {
        guard rule == .nextMonth, retiredOn != .min, retiredOn != .max else { return retiredOn }
        return Day.firstOfNextMonth(retiredOn)
    }
}

/// The result of adjudicating one claim.
public struct Outcome: Sendable, Equatable {
    /// Everything the funds pay: the benefit's fund plus any large-amount subsidy.
    public var fundFen: Int64
    public var memberFen: Int64
    public var deductibleFen: Int64
    public var ratioBp: Int32
    /// Index into `RulesEngine.ruleNames`.
    public var rule: UInt16
    /// The benefit that paid (after any fallback), or nil when nothing covered the claim.
    public var benefit: Channel?
    /// Part of `fundFen` paid by the large-amount subsidy.
    public var largeFen: Int64
    /// What is left of the cap the payment counted against, after this claim (-1: no cap used).
    public var capRemainingFen: Int64
    public var status: Status

    @inlinable
    public init(fundFen: Int64, memberFen: Int64, deductibleFen: Int64, ratioBp: Int32, rule: UInt16,
                benefit: Channel?, largeFen: Int64, capRemainingFen: Int64, status: Status) {
        self.fundFen = fundFen
        self.memberFen = memberFen
        self.deductibleFen = deductibleFen
        self.ratioBp = ratioBp
        self.rule = rule
        self.benefit = benefit
        self.largeFen = largeFen
        self.capRemainingFen = capRemainingFen
        self.status = status
    }
}
