import Policy

/// One member's accumulators for one policy year (or the part of it a period covers): what was paid
/// toward each deductible and under each cap. Reset whenever a claim falls in a new segment (a new
/// calendar year or a new period); never shared between members (限本人使用).
///
/// The per-benefit amounts are stored inline and the per-disease array is sized once when the
/// ledger is made and reused across members, so adjudication allocates nothing per claim.
public struct Ledger: Sendable {
    /// First and last day of the segment the accumulators belong to; empty until the first claim.
    public var segmentStart: Int32 = 1
    public var segmentEnd: Int32 = 0
    public var segmentPeriod: Int = -1
    /// Deductible paid so far, per benefit (annual top-up mode only).
    public var deductiblePaid = ChannelAmounts()
    /// Fund paid so far under each benefit's own cap.
    public var fundPaid = ChannelAmounts()
    /// Fund paid so far under the shared basic-insurance cap.
    public var basicPaid: Int64 = 0
    public var largePaid: Int64 = 0
    /// Fund paid so far per chronic-disease slot.
    public var diseasePaid: [Int64]
    /// Whether any disease slot may be non-zero (clearing then touches the array).
    @usableFromInline var diseaseTouched = false

    public init(diseaseSlots: Int) {
        diseasePaid = [Int64](repeating: 0, count: max(diseaseSlots, 1))
    }

    /// Forgets the member's amounts: call between members. The segment bounds are kept: with every
    /// accumulator at zero, a next member whose first claim falls in the same segment starts
    /// exactly as from a fresh ledger, and the segment's dates are not computed again per member
    /// (measured: 3% of the scenario runner's time).
    @inlinable
    public mutating func reset() {
        clearAccumulators()
    }

    @inlinable
    mutating func clearAccumulators() {
        deductiblePaid = ChannelAmounts()
        fundPaid = ChannelAmounts()
        if diseaseTouched {
            for i in diseasePaid.indices { diseasePaid[i] = 0 }
            diseaseTouched = false
        }
        basicPaid = 0
        largePaid = 0
    }

    @inlinable
    mutating func addDisease(_ slot: Int, _ fen: Int64) {
        diseasePaid[slot] &+= fen
        diseaseTouched = true
    }
}

/// One amount per benefit (`Channel.rawValue`), stored inline: no heap storage, so writing one
/// costs no uniqueness check (with arrays, two such checks per claim were measurable in the
/// scenario runner's hot loop).
public struct ChannelAmounts: Sendable, Equatable {
    @usableFromInline var storage: (Int64, Int64, Int64, Int64, Int64, Int64) = (0, 0, 0, 0, 0, 0)

    @inlinable public init() {}

    public var indices: Range<Int> { 0..<6 }

    @inlinable
    public subscript(i: Int) -> Int64 {
        get {
            precondition(i >= 0 && i < 6, "benefit index out of range")
            return withUnsafeBytes(of: storage) { $0.load(fromByteOffset: i &* 8, as: Int64.self) }
        }
        set {
            precondition(i >= 0 && i < 6, "benefit index out of range")
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: newValue, toByteOffset: i &* 8, as: Int64.self) }
        }
    }

    public static func == (a: ChannelAmounts, b: ChannelAmounts) -> Bool {
        (0..<6).allSatisfy { a[$0] == b[$0] }
    }
}
