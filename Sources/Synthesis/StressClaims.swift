import Adjudication
import Policy

/// Random members and claims that exercise every rule: all channels, tiers, institutions and
/// sites, undesignated institutions, inpatient stays, retirements during the year, listed and
/// unlisted diseases, claims on both sides of 2023-01-01. Not a calibrated population (that is the
/// synthesis proper): a workload for benchmarks and for invariants that must hold on any claims.
public enum StressClaims {
    public static let diseaseCodes = ["hypertension", "diabetes", "copd", "unlisted_code"]

    public static func generate(members: Int, claims: Int, seed: UInt64, from: Int32 = Day.from(year: 2022, month: 11, day: 1),
                                days: Int = 790) -> (MemberTable, ClaimTable) {
        let rng = RandomStream(seed: seed)
        var mt = MemberTable()
        for m in 0..<members {
            let u = rng.uniform()
            let status: Status = u < 0.3 ? .retired : .inService
            var retiredOn: Int32?
            if status == .retired && rng.bernoulli(0.2) { retiredOn = from + Int32(rng.uniformInt(days)) }
            mt.append(id: "M\(m)", status: status, retiredOn: retiredOn,
                      contributionBaseFen: Int64(300_000 + rng.uniformInt(900_000)),
                      remoteRegistered: rng.bernoulli(0.05))
        }
        var ct = ClaimTable()
        ct.idArena.reserveCapacity(claims * 8)
        let channels: [Channel] = [.ordinary, .ordinary, .ordinary, .ordinary, .ordinary, .ordinary, .ordinary,
                                   .chronic, .chronic, .special, .emergency, .daySurgery, .inpatient]
        for i in 0..<claims {
            let m = Int32(rng.uniformInt(members))
            let day = from + Int32(rng.uniformInt(days))
            let channel = channels[rng.uniformInt(channels.count)]
            let tier = UInt8(rng.uniformInt(4))
            let s = rng.uniform()
            let site: Site = s < 0.9 ? .local : s < 0.95 ? .remoteRegistered : s < 0.975 ? .remoteReferral : .remoteTemporary
            let k = rng.uniform()
            let inst: Institution = k < 0.95 ? .general : k < 0.975 ? .psychiatric : .infectious
            let median: Double = channel == .inpatient ? 9000 : channel == .special ? 1500 : 200
            let total = Int64((rng.lognormal(median: median, sigma: 1.0) * 100).rounded())
            let compliant = rng.bernoulli(0.3) ? total : Int64(Double(total) * rng.uniform())
            let c = Claim(day: day, tier: tier, channel: channel, institution: inst, site: site,
                          designated: rng.bernoulli(0.98), totalFen: max(total, 1), compliantFen: min(max(compliant, 0), max(total, 1)))
            let disease = channel == .chronic ? diseaseCodes[rng.uniformInt(diseaseCodes.count)] : nil
            ct.append(id: "C\(i)", member: m, claim: c,
                      endDay: channel == .inpatient ? day + Int32(rng.uniformInt(15)) : day, diseaseCode: disease)
        }
        return (mt, ct)
    }
}
