/// Every member's yearly figures for one replication, column by column: what the member-level
/// statistics (quantiles, winners and losers) and the optional member table read.
///
/// Blocks write disjoint member ranges from several threads, so the columns are raw memory
/// (`@unchecked Sendable`): each index is written by exactly one block, and readers start only
/// after every block has finished.
public final class MemberColumns: @unchecked Sendable {
    public let count: Int
    public let variants: Int
    /// Status at the start of the year (`Status.rawValue`) and age band.
    public let status: UnsafeMutablePointer<UInt8>
    public let band: UnsafeMutablePointer<UInt8>
    /// Yearly income (contribution base in service, pension retired, month by month), -1 if unknown.
    public let incomeFen: UnsafeMutablePointer<Int64>
    public let visits: UnsafeMutablePointer<Int32>
    /// Per variant, `[variant * count + member]`: own shares, account credits, fund payments, flags.
    public let burdenFen: UnsafeMutablePointer<Int64>
    public let creditFen: UnsafeMutablePointer<Int64>
    public let fundFen: UnsafeMutablePointer<Int64>
    public let flags: UnsafeMutablePointer<UInt8>

    /// `flags` bits.
    public static let capHit: UInt8 = 1
    public static let ordinaryPaid: UInt8 = 2

    public init(count: Int, variants: Int) {
        self.count = count
        self.variants = variants
        func column<T>(_ n: Int, _ zero: T) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: Swift.max(n, 1))
            p.initialize(repeating: zero, count: Swift.max(n, 1))
            return p
        }
        status = column(count, 0)
        band = column(count, 0)
        incomeFen = column(count, -1)
        visits = column(count, 0)
        burdenFen = column(count * variants, 0)
        creditFen = column(count * variants, 0)
        fundFen = column(count * variants, 0)
        flags = column(count * variants, 0)
    }

    deinit {
        status.deallocate(); band.deallocate(); incomeFen.deallocate(); visits.deallocate()
        burdenFen.deallocate(); creditFen.deallocate(); fundFen.deallocate(); flags.deallocate()
    }

    @inline(__always) public func burden(_ v: Int, _ m: Int) -> Int64 { burdenFen[v &* count &+ m] }
    @inline(__always) public func credit(_ v: Int, _ m: Int) -> Int64 { creditFen[v &* count &+ m] }
    @inline(__always) public func fund(_ v: Int, _ m: Int) -> Int64 { fundFen[v &* count &+ m] }
    @inline(__always) public func flag(_ v: Int, _ m: Int) -> UInt8 { flags[v &* count &+ m] }

    /// Member `m`'s change of yearly net position under variant `v` against the baseline: the change
    /// in own shares minus the change in account credits (positive: the member is worse off).
    @inline(__always) public func netChange(_ v: Int, _ m: Int) -> Int64 {
        (burden(v, m) - burden(0, m)) - (credit(v, m) - credit(0, m))
    }
}

/// Totals of one variant over a block or a replication: exact integer sums, so that blocks add up
/// to the same figures whatever the thread count.
public struct VariantTotals: Sendable, Equatable {
    /// Fund payments by the benefit that paid (`Channel.rawValue`), large-amount subsidy included.
    public var fundByBenefit: [Int64] = [Int64](repeating: 0, count: 6)
    /// The large-amount subsidy's part of those payments.
    public var largeFen: Int64 = 0
    /// Members' own shares of all claims (before the personal account pays any).
    public var burdenFen: Int64 = 0
    /// Own shares paid in cash because the account balance was short, and paid from accounts.
    public var cashFen: Int64 = 0
    public var accountPaidFen: Int64 = 0
    public var creditFen: Int64 = 0
    /// Members whose ordinary benefit reached its yearly cap / paid anything (deductible passed).
    public var capHitMembers: Int64 = 0
    public var ordinaryPaidMembers: Int64 = 0

    public init() {}

    public var fundFen: Int64 { fundByBenefit.reduce(0, +) }

    /// Fund payments of the listed benefits (all when empty).
    public func fundFen(benefits: [Int]) -> Int64 {
        benefits.isEmpty ? fundFen : benefits.reduce(0) { $0 + fundByBenefit[$1] }
    }

    public mutating func add(_ o: VariantTotals) {
        for i in 0..<6 { fundByBenefit[i] += o.fundByBenefit[i] }
        largeFen += o.largeFen
        burdenFen += o.burdenFen
        cashFen += o.cashFen
        accountPaidFen += o.accountPaidFen
        creditFen += o.creditFen
        capHitMembers += o.capHitMembers
        ordinaryPaidMembers += o.ordinaryPaidMembers
    }
}

/// The variant-independent totals of a block or replication: the population and its visits.
public struct PopulationTotals: Sendable, Equatable {
    public var members: Int64 = 0
    public var visits: Int64 = 0
    public var costFen: Int64 = 0
    public var compliantFen: Int64 = 0

    public init() {}

    public mutating func add(_ o: PopulationTotals) {
        members += o.members
        visits += o.visits
        costFen += o.costFen
        compliantFen += o.compliantFen
    }
}
