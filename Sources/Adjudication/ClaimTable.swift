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

    /// Appends a claim; `diseaseCode` is interned into `diseaseCodes` (the claim's own `disease` is ignored).
    public mutating func append(id: String, member: Int32, claim c: Claim, endDay: Int32? = nil, diseaseCode: String? = nil) {
        var disease: Int16 = -1
        if let code = diseaseCode, !code.isEmpty {
            if let k = diseaseCodes.firstIndex(of: code) { disease = Int16(k) } else {
                diseaseCodes.append(code)
                disease = Int16(diseaseCodes.count - 1)
            }
        }
        appendRow(id: Array(id.utf8)[...], member: member, claim: c, endDay: endDay ?? c.day, disease: disease)
    }

    @inline(__always)
    mutating func appendRow(id: ArraySlice<UInt8>, member: Int32, claim c: Claim, endDay: Int32, disease: Int16) {
        idArena.append(contentsOf: id)
        idEnd.append(idArena.count)
        self.member.append(member)
        day.append(c.day)
        self.endDay.append(endDay)
        tier.append(c.tier)
        channel.append(c.channel)
        institution.append(c.institution)
        site.append(c.site)
        designated.append(c.designated)
        self.disease.append(disease)
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
        var codes = ByteKeyIndex()
        var seen = ByteKeyIndex(capacity: bytes.count / 64)
        let width = h.columns.count
        let channels = Channel.allCases.map { (Array($0.name.utf8), $0) }
        let institutions = Institution.allCases.map { (Array($0.name.utf8), $0) }
        let sites = Site.allCases.map { (Array($0.name.utf8), $0) }
        let bools = [(Array("true".utf8), true), (Array("false".utf8), false)]
        // The helpers below take field bytes as arguments: a nested function that captured the
        // reader would box it on the heap (measured: 2.5 µs a row instead of well under 1).
        func text(_ f: ArraySlice<UInt8>) -> String { String(decoding: f, as: UTF8.self) }
        func money(_ f: ArraySlice<UInt8>, _ name: String, _ line: Int) throws -> Int64 {
            if let v = Money.parseYuan(f) { return v }
            if f.first == UInt8(ascii: "-") { throw InputError(file: file, line: line, field: name, "must not be negative, got '\(text(f))'") }
            throw InputError(file: file, line: line, field: name, "expected an amount in yuan with at most 2 decimals, got '\(text(f))'")
        }
        func choice<T>(_ f: ArraySlice<UInt8>?, _ name: String, _ def: T, _ table: [([UInt8], T)], _ line: Int) throws -> T {
            guard let f, !f.isEmpty else { return def }
            guard let v = Words.match(f, table) else {
                throw InputError(file: file, line: line, field: name,
                                 "unknown value '\(text(f))' (allowed: \(table.map { text($0.0[...]) }.joined(separator: ", ")))")
            }
            return v
        }
        while try r.next() {
            let line = r.line
            guard r.fieldCount == width else { throw InputError(file: file, line: line, field: "", "expected \(width) fields, found \(r.fieldCount)") }
            func fail(_ field: String, _ message: String) -> InputError { InputError(file: file, line: line, field: field, message) }
            let idBytes = r.field(cID)
            guard !idBytes.isEmpty else { throw fail("claim_id", "empty") }
            guard seen.insert(idBytes) != nil else { throw fail("claim_id", "claim '\(text(idBytes))' appears twice") }
            let memberBytes = r.field(cMember)
            guard let m = members.byID.find(memberBytes) else {
                throw fail("member_id", "unknown member '\(text(memberBytes))' (not in the members file)")
            }
            let dateBytes = r.field(cDate)
            guard let day = Day.parse(dateBytes) else { throw fail("date", "expected a real date YYYY-MM-DD, got '\(text(dateBytes))'") }
            let tf = r.field(cTier)
            guard tf.count == 1, let t0 = tf.first, t0 >= 48, t0 <= 51 else { throw fail("tier", "expected 0, 1, 2 or 3, got '\(text(tf))'") }
            let totalBytes = r.field(cTotal), compliantBytes = r.field(cCompliant)
            let total = try money(totalBytes, "total_cost", line)
            let compliant = try money(compliantBytes, "compliant_cost", line)
            guard compliant <= total else { throw fail("compliant_cost", "is more than total_cost (\(text(compliantBytes)) > \(text(totalBytes)))") }
            let channel = try choice(cChannel.map { r.field($0) }, "channel", Channel.ordinary, channels, line)
            let inst = try choice(cInst.map { r.field($0) }, "institution", Institution.general, institutions, line)
            let site = try choice(cSite.map { r.field($0) }, "site", Site.local, sites, line)
            let designated = try choice(cDesignated.map { r.field($0) }, "designated", true, bools, line)
            var end = day
            if let c = cEnd, !r.field(c).isEmpty {
                let f = r.field(c)
                guard channel == .inpatient else { throw fail("end_date", "only an inpatient claim has a discharge date") }
                guard let d = Day.parse(f) else { throw fail("end_date", "expected a real date YYYY-MM-DD, got '\(text(f))'") }
                guard d >= day else { throw fail("end_date", "discharge before admission (\(text(f)) < \(text(dateBytes)))") }
                end = d
            }
            var disease = -1
            if let c = cDisease, !r.field(c).isEmpty {
                if let k = codes.find(r.field(c)) { disease = Int(k) } else {
                    disease = Int(codes.insert(r.field(c))!)
                    t.diseaseCodes.append(r.string(c))
                }
            }
            t.appendRow(id: idBytes, member: m,
                     claim: Claim(day: day, tier: t0 - 48, channel: channel, institution: inst, site: site,
                                  designated: designated, totalFen: total, compliantFen: compliant),
                     endDay: end, disease: Int16(disease))
        }
        return t
    }
}
