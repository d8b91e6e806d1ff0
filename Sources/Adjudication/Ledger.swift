import Policy

/// One member's accumulators for one policy year (or the part of it a period covers): what was paid
/// toward each deductible and under each cap. Reset whenever a claim falls in a new segment (a new
/// calendar year or a new period); never shared between members (限本人使用).
///
/// Arrays are sized once when the ledger is made and reused across members, so adjudication
/// allocates nothing per claim.
public struct Ledger: Sendable {
    /// First and last day of the segment the accumulators belong to; empty until the first claim.
    public var segmentStart: Int32 = 1
    public var segmentEnd: Int32 = 0
    public var segmentPeriod: Int = -1
    /// Deductible paid so far, per benefit (annual top-up mode only).
    public var deductiblePaid: [Int64]
    /// Fund paid so far under each benefit's own cap.
    public var fundPaid: [Int64]
    /// Fund paid so far under the shared basic-insurance cap.
    public var basicPaid: Int64 = 0
    public var largePaid: Int64 = 0
    /// Fund paid so far per chronic-disease slot.
    public var diseasePaid: [Int64]

    public init(diseaseSlots: Int) {
        deductiblePaid = [Int64](repeating: 0, count: Channel.allCases.count)
        fundPaid = [Int64](repeating: 0, count: Channel.allCases.count)
        diseasePaid = [Int64](repeating: 0, count: max(diseaseSlots, 1))
    }

    /// Forgets everything: call between members.
    @inlinable
    public mutating func reset() {
        segmentStart = 1
        segmentEnd = 0
        segmentPeriod = -1
        clearAccumulators()
    }

    @usableFromInline
    mutating func clearAccumulators() {
        for i in deductiblePaid.indices { deductiblePaid[i] = 0; fundPaid[i] = 0 }
        for i in diseasePaid.indices { diseasePaid[i] = 0 }
        basicPaid = 0
        largePaid = 0
    }
}
