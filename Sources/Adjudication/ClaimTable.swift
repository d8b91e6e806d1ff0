import Policy

/// Claims as read from `claims.csv` (POLICY-NOTES contract), stored column by column in input
/// order. Identifiers are kept as bytes in one arena so that reading a million claims makes no
/// String per claim.
public struct ClaimTable: Sendable {
    public var member: [Int32] = []
    public var day: [Int32] = []
    /// Discharge day of an inpatient claim (its admission day when not given); the claim's day otherwise.
    public var endDay: [Int32] = []
    public var tier: [UInt8] = []
    public var channel: [Channel] = []
    public var institution: [Institution] = []
    public var site: [Site] = []
    public var designated: [Bool] = []
    /// Index into `diseaseCodes`, or -1.
    public var disease: [Int16] = []
    public var totalFen: [Int64] = []
    public var compliantFen: [Int64] = []
    /// Disease codes seen in the file.
    public var diseaseCodes: [String] = []
    /// claim_id bytes of claim i: idArena[idEnd[i-1] ..< idEnd[i]].
    public var idArena: [UInt8] = []
    public var idEnd: [Int] = []
    public var ignoredColumns: [String] = []

    public init() {}

    public var count: Int { day.count }

    public func idBytes(_ i: Int) -> ArraySlice<UInt8> { idArena[(i == 0 ? 0 : idEnd[i - 1])..<idEnd[i]] }
    public func id(_ i: Int) -> String { String(decoding: idBytes(i), as: UTF8.self) }

    /// The engine's view of claim i, with its disease mapped through `slots` (file code → engine slot).
    @inlinable
    public func claim(_ i: Int, slots: [Int16]) -> Claim {
        Claim(day: day[i], tier: tier[i], channel: channel[i], institution: institution[i], site: site[i],
              designated: designated[i], disease: disease[i] < 0 ? -1 : slots[Int(disease[i])],
              totalFen: totalFen[i], compliantFen: compliantFen[i])
    }

    public mutating func append(id: String, member: Int32, claim c: Claim, endDay: Int32? = nil, diseaseCode: String? = nil) {
        idArena.append(contentsOf: id.utf8)
        idEnd.append(idArena.count)
        self.member.append(member)
        day.append(c.day)
        self.endDay.append(endDay ?? c.day)
        tier.append(c.tier)
        channel.append(c.channel)
        institution.append(c.institution)
        site.append(c.site)
        designated.append(c.designated)
        if let code = diseaseCode, !code.isEmpty {
            if let k = diseaseCodes.firstIndex(of: code) { disease.append(Int16(k)) } else {
                diseaseCodes.append(code)
                disease.append(Int16(diseaseCodes.count - 1))
            }
        } else {
            disease.append(-1)
        }
        totalFen.append(c.totalFen)
        compliantFen.append(c.compliantFen)
    }

    static let known = ["claim_id", "member_id", "date", "tier", "total_cost", "compliant_cost", "channel",
                        "institution", "site", "designated", "end_date", "disease"]

    /// Parses `claims.csv` against the members already read. Any unreadable row is an error naming
    /// file, line and field.
    public static func parse(file: String, bytes: [UInt8], members: MemberTable) throws -> ClaimTable {
        var r = CSVReader(file: file, bytes: bytes)
        guard try r.next() else { throw InputError(file: file, line: 1, field: "", "the file is empty (a header row is needed)") }
        let h = CSVHeader(r)
        func col(_ n: String, _ req: Bool) throws -> Int? { try h.index(of: n, required: req, file: file) }
        let cID = try col("claim_id", true)!, cMember = try col("member_id", true)!, cDate = try col("date", true)!
        let cTier = try col("tier", true)!, cTotal = try col("total_cost", true)!, cCompliant = try col("compliant_cost", true)!
        let cChannel = try col("channel", false), cInst = try col("institution", false), cSite = try col("site", false)
        let cDesignated = try col("designated", false), cEnd = try col("end_date", false), cDisease = try col("disease", false)
        var t = ClaimTable()
        t.ignoredColumns = h.columns.filter { !known.contains($0) }
        var seen = Set<String>()
        let width = h.columns.count
        while try r.next() {
            let line = r.line
            func fail(_ field: String, _ message: String) -> InputError { InputError(file: file, line: line, field: field, message) }
            guard r.fieldCount == width else { throw fail("", "expected \(width) fields, found \(r.fieldCount)") }
            let id = r.string(cID)
            guard !id.isEmpty else { throw fail("claim_id", "empty") }
            guard seen.insert(id).inserted else { throw fail("claim_id", "claim '\(id)' appears twice") }
            let memberID = r.string(cMember)
            guard let m = members.index[memberID] else { throw fail("member_id", "unknown member '\(memberID)' (not in the members file)") }
            guard let day = Day.parse(r.field(cDate)) else { throw fail("date", "expected a real date YYYY-MM-DD, got '\(r.string(cDate))'") }
            let tf = r.field(cTier)
            guard tf.count == 1, let t0 = tf.first, t0 >= 48, t0 <= 51 else { throw fail("tier", "expected 0, 1, 2 or 3, got '\(r.string(cTier))'") }
            func money(_ c: Int, _ name: String) throws -> Int64 {
                let f = r.field(c)
                if f.first == UInt8(ascii: "-") { throw fail(name, "must not be negative, got '\(r.string(c))'") }
                guard let v = Money.parseYuan(f) else { throw fail(name, "expected an amount in yuan with at most 2 decimals, got '\(r.string(c))'") }
                return v
            }
            let total = try money(cTotal, "total_cost")
            let compliant = try money(cCompliant, "compliant_cost")
            guard compliant <= total else { throw fail("compliant_cost", "is more than total_cost (\(r.string(cCompliant)) > \(r.string(cTotal)))") }
            func choice<T>(_ c: Int?, _ name: String, _ def: T, _ parse: (String) -> T?, _ allowed: String) throws -> T {
                guard let c, !r.field(c).isEmpty else { return def }
                guard let v = parse(r.string(c)) else { throw fail(name, "unknown value '\(r.string(c))' (allowed: \(allowed))") }
                return v
            }
            let channel = try choice(cChannel, "channel", Channel.ordinary, { Channel(name: $0) }, Channel.allCases.map(\.name).joined(separator: ", "))
            let inst = try choice(cInst, "institution", Institution.general, { Institution(name: $0) }, Institution.allCases.map(\.name).joined(separator: ", "))
            let site = try choice(cSite, "site", Site.local, { Site(name: $0) }, Site.allCases.map(\.name).joined(separator: ", "))
            let designated = try choice(cDesignated, "designated", true, { $0 == "true" ? true : $0 == "false" ? false : nil }, "true, false")
            var end = day
            if let c = cEnd, !r.field(c).isEmpty {
                guard channel == .inpatient else { throw fail("end_date", "only an inpatient claim has a discharge date") }
                guard let d = Day.parse(r.field(c)) else { throw fail("end_date", "expected a real date YYYY-MM-DD, got '\(r.string(c))'") }
                guard d >= day else { throw fail("end_date", "discharge before admission (\(r.string(c)) < \(r.string(cDate)))") }
                end = d
            }
            let disease = cDisease.map { r.string($0) }
            t.append(id: id, member: m,
                     claim: Claim(day: day, tier: t0 - 48, channel: channel, institution: inst, site: site,
                                  designated: designated, totalFen: total, compliantFen: compliant),
                     endDay: end, diseaseCode: disease)
        }
        return t
    }
}
