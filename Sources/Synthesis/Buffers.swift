import Policy

/// A column of plain values in memory this program manages: reused block after block, grown
/// only when a block needs more room than any before it (so no allocation per visit or member).
public struct Column<T: BitwiseCopyable> {
    public private(set) var base: UnsafeMutablePointer<T>
    public private(set) var capacity: Int

    init() {
        base = UnsafeMutablePointer<T>.allocate(capacity: 1)
        capacity = 1
    }

    /// Makes room for `n` values; the old contents are dropped (every block writes its own).
    mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        base.deallocate()
        capacity = Swift.max(n, capacity * 3 / 2)
        base = UnsafeMutablePointer<T>.allocate(capacity: capacity)
    }

    func free() { base.deallocate() }

    public subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// One block of synthetic members, as columns (struct of arrays). Reused across blocks: one per
/// worker, never shared (not `Sendable`).
public final class MemberBuffer {
    /// Members in this block, and the population index of the first.
    public internal(set) var count = 0
    public internal(set) var first = 0
    /// Status on the first day of the year.
    public internal(set) var status = Column<Status>()
    /// First day retired: `Int32.min` retired all year, `Int32.max` not retiring this year.
    public internal(set) var retiredOn = Column<Int32>()
    /// Whole years of age on the first day of the year, and the age band.
    public internal(set) var age = Column<UInt8>()
    public internal(set) var band = Column<UInt8>()
    public internal(set) var female = Column<Bool>()
    /// Monthly contribution base and pension in fen; -1 where none.
    public internal(set) var baseFen = Column<Int64>()
    public internal(set) var pensionFen = Column<Int64>()
    public internal(set) var remote = Column<Bool>()
    /// Disease index into `PopulationModel.diseaseCodes` (chronic, then special), or -1.
    public internal(set) var chronic = Column<Int16>()
    public internal(set) var special = Column<Int16>()
    /// Block-local index of the member whose personal account pays this member's share, or -1.
    public internal(set) var holder = Column<Int32>()
    /// Visits of member i are `visitStart[i]..<visitStart[i+1]` of the visit buffer.
    public internal(set) var visitStart = Column<Int32>()
    /// Scratch: members who can hold a family account.
    var eligible = Column<Int32>()

    public init() {}

    func reserve(_ n: Int) {
        status.reserve(n); retiredOn.reserve(n); age.reserve(n); band.reserve(n); female.reserve(n)
        baseFen.reserve(n); pensionFen.reserve(n); remote.reserve(n); chronic.reserve(n); special.reserve(n)
        holder.reserve(n); visitStart.reserve(n + 1); eligible.reserve(n)
    }

    deinit {
        status.free(); retiredOn.free(); age.free(); band.free(); female.free(); baseFen.free(); pensionFen.free()
        remote.free(); chronic.free(); special.free(); holder.free(); visitStart.free(); eligible.free()
    }
}

/// The visits (claims) of one block of members, in member order and, per member, date order.
public final class VisitBuffer {
    public internal(set) var count = 0
    public internal(set) var day = Column<Int32>()
    /// Discharge day of an inpatient stay; the visit day otherwise.
    public internal(set) var endDay = Column<Int32>()
    public internal(set) var tier = Column<UInt8>()
    public internal(set) var channel = Column<Channel>()
    public internal(set) var institution = Column<Institution>()
    public internal(set) var site = Column<Site>()
    public internal(set) var designated = Column<Bool>()
    /// Index into `PopulationModel.diseaseCodes`, or -1.
    public internal(set) var disease = Column<Int16>()
    public internal(set) var totalFen = Column<Int64>()
    public internal(set) var compliantFen = Column<Int64>()
    /// Scratch for sorting one member's days.
    var scratch = Column<Int32>()

    public init() {}

    func reserve(_ n: Int) {
        day.reserve(n); endDay.reserve(n); tier.reserve(n); channel.reserve(n); institution.reserve(n)
        site.reserve(n); designated.reserve(n); disease.reserve(n); totalFen.reserve(n); compliantFen.reserve(n)
    }

    deinit {
        day.free(); endDay.free(); tier.free(); channel.free(); institution.free(); site.free()
        designated.free(); disease.free(); totalFen.free(); compliantFen.free(); scratch.free()
    }
}
