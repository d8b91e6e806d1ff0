import Policy

/// Members as read from `members.csv` (POLICY-NOTES contract), column by column.
public struct MemberTable: Sendable {
    public var ids: [String] = []
    public var status: [Status] = []
    /// First retired day; Int32.min when retired with no date, Int32.max when in service.
    public var retiredOn: [Int32] = []
    /// Monthly contribution base in fen, or -1 where not given.
    public var contributionBaseFen: [Int64] = []
    /// Monthly pension in fen once retired, or -1 where not given (the pension share of a
    /// pre-reform personal account is then 0).
    public var pensionFen: [Int64] = []
    public var remoteRegistered: [Bool] = []
    /// Index of the member whose personal account pays this member's own share (family mutual aid,
    /// Tieling §15), or -1. PoolSim's extension of the contract: the optional `account_holder` column.
    public var accountHolder: [Int32] = []
    /// member_id → row, keyed by the id's bytes.
    public var byID = ByteKeyIndex()
    /// Columns the file had that the contract does not know (reported, then ignored).
    public var ignoredColumns: [String] = []

    public init() {}

    public var count: Int { ids.count }

    public func retirement(_ m: Int) -> MemberRetirement { MemberRetirement(retiredOn: retiredOn[m]) }

    /// The row of a member id, or nil.
    public func index(of id: String) -> Int32? { byID.find(Array(id.utf8)[...]) }

    public mutating func append(id: String, status: Status, retiredOn: Int32? = nil, contributionBaseFen: Int64 = -1,
                                pensionFen: Int64 = -1, remoteRegistered: Bool = false, accountHolder: Int32 = -1) {
        byID.insert(Array(id.utf8)[...])
        ids.append(id)
        self.status.append(status)
        self.retiredOn.append(retiredOn ?? (status == .retired ? .min : .max))
        self.contributionBaseFen.append(contributionBaseFen)
        self.pensionFen.append(pensionFen)
        self.remoteRegistered.append(remoteRegistered)
        self.accountHolder.append(accountHolder)
    }

    static let known = ["member_id", "status", "retired_on", "contribution_base", "pension", "remote_registered", "account_holder"]

    /// Parses `members.csv`. When `retired_on` is given it decides the status on each claim's day
    /// (in service before, retired from then on); `status` then describes the member at extract time.
    public static func parse(file: String, bytes: [UInt8]) throws -> MemberTable {
        var r = CSVReader(file: file, bytes: bytes)
        guard try r.next() else { throw InputError(file: file, line: 1, field: "", "the file is empty (a header row is needed)") }
        let h = CSVHeader(r)
        let cID = try h.index(of: "member_id", required: true, file: file)!
        let cStatus = try h.index(of: "status", required: true, file: file)!
        let cRetired = try h.index(of: "retired_on", required: false, file: file)
        let cBase = try h.index(of: "contribution_base", required: false, file: file)
        let cPension = try h.index(of: "pension", required: false, file: file)
        let cRemote = try h.index(of: "remote_registered", required: false, file: file)
        let cHolder = try h.index(of: "account_holder", required: false, file: file)
        var t = MemberTable()
        t.ignoredColumns = h.columns.filter { !known.contains($0) }
        var holders: [(member: Int, id: String, line: Int)] = []
        while try r.next() {
            let line = r.line
            guard r.fieldCount == h.columns.count else {
                throw InputError(file: file, line: line, field: "", "expected \(h.columns.count) fields, found \(r.fieldCount)")
            }
            let id = r.string(cID)
            guard !id.isEmpty else { throw InputError(file: file, line: line, field: "member_id", "empty") }
            guard t.byID.find(r.field(cID)) == nil else { throw InputError(file: file, line: line, field: "member_id", "member '\(id)' is listed twice") }
            guard let status = Status(name: r.string(cStatus)) else {
                throw InputError(file: file, line: line, field: "status", "expected in_service or retired, got '\(r.string(cStatus))'")
            }
            var retired: Int32?
            if let c = cRetired, !r.field(c).isEmpty {
                guard let d = Day.parse(r.field(c)) else {
                    throw InputError(file: file, line: line, field: "retired_on", "expected a date YYYY-MM-DD, got '\(r.string(c))'")
                }
                retired = d
            }
            var base: Int64 = -1
            if let c = cBase, !r.field(c).isEmpty {
                guard let v = Money.parseYuan(r.field(c)) else {
                    throw InputError(file: file, line: line, field: "contribution_base", "expected a non-negative amount in yuan with at most 2 decimals, got '\(r.string(c))'")
                }
                base = v
            }
            var pension: Int64 = -1
            if let c = cPension, !r.field(c).isEmpty {
                guard let v = Money.parseYuan(r.field(c)) else {
                    throw InputError(file: file, line: line, field: "pension", "expected a non-negative amount in yuan with at most 2 decimals, got '\(r.string(c))'")
                }
                pension = v
            }
            var remote = false
            if let c = cRemote, !r.field(c).isEmpty {
                switch r.string(c) {
                case "true": remote = true
                case "false": remote = false
                case let s: throw InputError(file: file, line: line, field: "remote_registered", "expected true or false, got '\(s)'")
                }
            }
            if let c = cHolder, !r.field(c).isEmpty { holders.append((t.count, r.string(c), line)) }
            t.append(id: id, status: status, retiredOn: retired, contributionBaseFen: base, pensionFen: pension, remoteRegistered: remote)
        }
        for h in holders {
            guard let i = t.index(of: h.id) else {
                throw InputError(file: file, line: h.line, field: "account_holder", "no member '\(h.id)' in this file")
            }
            guard Int(i) != h.member else { throw InputError(file: file, line: h.line, field: "account_holder", "a member cannot be their own account holder") }
            t.accountHolder[h.member] = i
        }
        return t
    }
}
