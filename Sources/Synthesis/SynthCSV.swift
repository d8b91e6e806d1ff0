import Adjudication
import Policy

/// Writes a synthetic population as the POLICY-NOTES contract's `members.csv` and `claims.csv`,
/// so that it flows into `poolsim adjudicate` and into any other tool.
///
/// Members are `M<index>`; claims `M<index>-<k>` (the member's k-th visit of the year), so ids do
/// not depend on how the population was split into blocks. Besides the contract's columns,
/// `members.csv` carries `account_holder` (family mutual aid, read by `adjudicate`) and, for
/// readers, `age`, `sex`, `pension`, `chronic_disease`, `special_disease` (ignored by `adjudicate`).
public enum SynthCSV {
    public static let memberHeader = "member_id,status,retired_on,contribution_base,remote_registered,account_holder,age,sex,pension,chronic_disease,special_disease\n"
    public static let claimHeader = "claim_id,member_id,date,tier,total_cost,compliant_cost,channel,institution,site,designated,end_date,disease\n"

    /// Generates `members` members of replication `replication` block by block and writes both
    /// files atomically (neither appears unless both are complete). Returns the moments of what
    /// it wrote (its claim count is `visitCount`), so that no caller generates the population twice.
    @discardableResult
    public static func write(generator: Generator, members: Int, replication: Int,
                             membersPath: String, claimsPath: String) throws -> SampleMoments {
        let mf = try AtomicFile(path: membersPath)
        let cf = try AtomicFile(path: claimsPath)
        try mf.write(Array(memberHeader.utf8))
        try cf.write(Array(claimHeader.utf8))
        let mb = MemberBuffer(), vb = VisitBuffer(), gsl = GSLGenerator()
        let codes = generator.model.diseaseCodes.map { Array($0.utf8) }
        var moments = SampleMoments()
        var mo: [UInt8] = [], co: [UInt8] = []
        for block in 0..<PopulationModel.blocks(members: members) {
            generator.generate(block: block, replication: replication, populationSize: members, members: mb, visits: vb, gsl: gsl)
            moments.add(mb, vb)
            mo.removeAll(keepingCapacity: true)
            co.removeAll(keepingCapacity: true)
            for i in 0..<mb.count {
                let id = mb.first + i
                appendMember(mb, i, id: id, codes: codes, to: &mo)
                let a = Int(mb.visitStart[i]), b = Int(mb.visitStart[i + 1])
                for j in a..<b {
                    appendClaim(vb, j, member: id, k: j - a + 1, codes: codes, to: &co)
                }
            }
            try mf.write(mo)
            try cf.write(co)
        }
        try cf.commit()
        try mf.commit()
        return moments
    }

    static func appendID(_ prefix: UInt8, _ n: Int, to out: inout [UInt8]) {
        out.append(prefix)
        Money.appendInt(Int64(n), to: &out)
    }

    static func appendMember(_ m: MemberBuffer, _ i: Int, id: Int, codes: [[UInt8]], to out: inout [UInt8]) {
        let comma = UInt8(ascii: ",")
        appendID(UInt8(ascii: "M"), id, to: &out)
        out.append(comma)
        out.append(contentsOf: m.status[i].name.utf8)
        out.append(comma)
        let r = m.retiredOn[i]
        if r != .min && r != .max { Day.append(r, to: &out) }
        out.append(comma)
        if m.baseFen[i] >= 0 { Money.append(m.baseFen[i], to: &out) }
        out.append(comma)
        out.append(contentsOf: (m.remote[i] ? "true" : "false").utf8)
        out.append(comma)
        if m.holder[i] >= 0 { appendID(UInt8(ascii: "M"), m.first + Int(m.holder[i]), to: &out) }
        out.append(comma)
        Money.appendInt(Int64(m.age[i]), to: &out)
        out.append(comma)
        out.append(m.female[i] ? UInt8(ascii: "F") : UInt8(ascii: "M"))
        out.append(comma)
        if m.pensionFen[i] >= 0 { Money.append(m.pensionFen[i], to: &out) }
        out.append(comma)
        if m.chronic[i] >= 0 { out.append(contentsOf: codes[Int(m.chronic[i])]) }
        out.append(comma)
        if m.special[i] >= 0 { out.append(contentsOf: codes[Int(m.special[i])]) }
        out.append(10)
    }

    static func appendClaim(_ v: VisitBuffer, _ j: Int, member: Int, k: Int, codes: [[UInt8]], to out: inout [UInt8]) {
        let comma = UInt8(ascii: ",")
        appendID(UInt8(ascii: "M"), member, to: &out)
        out.append(UInt8(ascii: "-"))
        Money.appendInt(Int64(k), to: &out)
        out.append(comma)
        appendID(UInt8(ascii: "M"), member, to: &out)
        out.append(comma)
        Day.append(v.day[j], to: &out)
        out.append(comma)
        out.append(48 + v.tier[j])
        out.append(comma)
        Money.append(v.totalFen[j], to: &out)
        out.append(comma)
        Money.append(v.compliantFen[j], to: &out)
        out.append(comma)
        out.append(contentsOf: v.channel[j].name.utf8)
        out.append(comma)
        out.append(contentsOf: v.institution[j].name.utf8)
        out.append(comma)
        out.append(contentsOf: v.site[j].name.utf8)
        out.append(comma)
        out.append(contentsOf: (v.designated[j] ? "true" : "false").utf8)
        out.append(comma)
        if v.channel[j] == .inpatient { Day.append(v.endDay[j], to: &out) }
        out.append(comma)
        if v.disease[j] >= 0 { out.append(contentsOf: codes[Int(v.disease[j])]) }
        out.append(10)
    }
}
