/// How a benefit's deductible (起付标准) accumulates.
public enum DeductibleMode: String, Sendable, CaseIterable {
    /// No deductible (Yanbian chronic disease §6, day surgery §9).
    case none
    /// One yearly accumulator with a per-tier amount; at tier t the member pays only
    /// max(0, deductible(t) − already paid) (Yanbian §5 补差). A single amount for all tiers is
    /// Tieling's one annual accumulator (§9).
    case annualTopUp = "annual_topup"
    /// Paid again with every claim, by tier (an inpatient admission; Yanbian emergency §8).
    case perEvent = "per_event"
}

/// Which yearly ceiling a benefit's fund payments count against.
public enum CapPool: String, Sendable, CaseIterable {
    /// The benefit's own `annual_cap` (ordinary pooling, Tieling §9 / Yanbian §5).
    case own
    /// The basic-insurance annual cap shared with inpatient care, with the large-amount subsidy
    /// above it (Yanbian §16).
    case basic
    /// A cap per listed disease (Yanbian chronic disease §6).
    case perDisease = "per_disease"
}

/// When a member who retires during the year starts getting retired ratios.
public enum RetirementSwitch: String, Sendable, CaseIterable {
    /// From the retirement date itself.
    case onDate = "on_date"
    /// From the first day of the month after the retirement date (Yanbian §19 次月).
    case nextMonth = "next_month"
}

/// One benefit's rules for one period, validated. Money in fen, ratios in basis points, tables
/// indexed by tier 0...3 (tier 0 already mapped to tier 1's value).
public struct Benefit: Sendable, Equatable {
    public var channel: Channel
    /// Article cited in the rule of every claim this benefit pays.
    public var article: String
    public var designatedOnly: Bool
    public var designatedArticle: String
    /// Bit t set: tier t is covered.
    public var tierMask: UInt8
    public var tiersArticle: String
    /// Specialty institutions are covered at any tier (Yanbian special disease §7).
    public var specialtyAnyTier: Bool
    /// Bit s set: site s (Site.rawValue) is covered.
    public var siteMask: UInt8
    public var sitesArticle: String
    /// Claims dated inside an inpatient stay get nothing from this benefit (Yanbian §17).
    public var excludedInHospital: Bool
    public var inHospitalArticle: String
    public var deductibleMode: DeductibleMode
    public var deductibleFen: [Int64]
    /// In-service ratio by tier.
    public var ratioBp: [Int32]
    /// Ratio for psychiatric and infectious-disease institutions at any tier, where set.
    public var specialtyRatioBp: Int32?
    /// Sites at which the specialty ratio applies (Tieling §10: not at the remote registered place).
    public var specialtyRatioSiteMask: UInt8
    /// Points added to every ratio for retired members.
    public var retiredUpliftBp: Int32
    public var capPool: CapPool
    /// The own annual cap (for `capPool == .own`).
    public var annualCapFen: Int64
    /// Per-disease caps (for `capPool == .perDisease`), in file order.
    public var diseaseCaps: [DiseaseCap]

    public struct DiseaseCap: Sendable, Equatable {
        public var code: String
        public var capFen: Int64
    }

    public func covers(tier: UInt8) -> Bool { tierMask & (1 << tier) != 0 }
    public func covers(site: Site) -> Bool { siteMask & (1 << site.rawValue) != 0 }
}

/// 大额医疗费用补助: pays a share of compliant cost above the basic-insurance cap.
public struct LargeAmountSubsidy: Sendable, Equatable {
    public var ratioBp: Int32
    public var annualCapFen: Int64
    public var article: String
}

/// Personal-account credits: the reformed rule (Tieling §14: 2% of the base; a fixed amount for
/// retirees) and the pre-reform one (the member's 2% plus a share of the employer's 6%; a share of
/// the pension for retirees), so that the two can be compared member by member.
public struct AccountRule: Sendable, Equatable {
    /// Credits start in the month of this day.
    public var startDay: Int32
    /// In service: the whole share of the monthly contribution base credited, i.e. the member's own
    /// rate plus `employerRateBp × employerShareBp / 10000` (kept whole so callers apply one rate
    /// and round once).
    public var inServiceRateBp: Int32
    /// Retired: this fixed amount a month (0 where the rule credits a pension share only).
    public var retiredMonthlyFen: Int64
    public var article: String
    /// The employer's contribution rate whose share goes to the account (0: none, as after the reform).
    public var employerRateBp: Int32
    /// The share of the employer's contribution credited to the account.
    public var employerShareBp: Int32
    /// Retired: this share of the member's monthly pension, on top of `retiredMonthlyFen`.
    public var retiredPensionRateBp: Int32

    public init(startDay: Int32, inServiceRateBp: Int32, retiredMonthlyFen: Int64, article: String,
                employerRateBp: Int32 = 0, employerShareBp: Int32 = 0, retiredPensionRateBp: Int32 = 0) {
        self.startDay = startDay
        self.inServiceRateBp = inServiceRateBp
        self.retiredMonthlyFen = retiredMonthlyFen
        self.article = article
        self.employerRateBp = employerRateBp
        self.employerShareBp = employerShareBp
        self.retiredPensionRateBp = retiredPensionRateBp
    }

    /// The part of `inServiceRateBp` that comes from the employer's contribution.
    public var employerPartBp: Int32 { Int32(Int64(employerRateBp) * Int64(employerShareBp) / 10_000) }

    /// The member's own part of `inServiceRateBp` (`in_service_rate`).
    public var memberRateBp: Int32 { inServiceRateBp - employerPartBp }
}

/// The rules in force over one period (a date range within which the parameters do not change).
public struct PeriodParameters: Sendable, Equatable {
    public var id: String
    public var from: Int32
    /// Last day, inclusive; nil for an open-ended period.
    public var to: Int32?
    /// Indexed by `Channel.rawValue`; nil where the policy has no such benefit.
    public var benefits: [Benefit?]
    public var basicAnnualCapFen: Int64?
    public var basicCapArticle: String
    public var largeAmount: LargeAmountSubsidy?
    public var retirementSwitch: RetirementSwitch
    public var retirementArticle: String
    public var account: AccountRule?

    public func benefit(_ c: Channel) -> Benefit? { benefits[Int(c.rawValue)] }
}

/// A loaded, validated policy: its periods' parameters and the trees they were compiled from
/// (kept for citations, reports and `explain`).
public struct Policy: Sendable {
    public var id: String
    public var title: String
    public var source: String
    public var file: String
    public var effectiveFrom: Int32
    public var effectiveArticle: String
    public var periods: [PeriodParameters]
    /// The parameter tree of each period, after the period's exceptions and any reforms.
    public var periodTrees: [ParameterNode]
    /// Names of the reforms applied, in order.
    public var reforms: [String]

    /// Index of the period in force on `day`, or nil before the policy starts / after a closed end.
    public func periodIndex(on day: Int32) -> Int? {
        periods.firstIndex { day >= $0.from && ($0.to == nil || day <= $0.to!) }
    }
}
