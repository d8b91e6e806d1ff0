#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CGSL
import Policy

/// Draws synthetic members and their year of visits, one block of members at a time.
///
/// A block's draws come from its own stream (seed, replication, block), so any block can be made
/// on any thread in any order and the population is the same. Within a block the order is fixed:
/// first every member (attributes, then the visit count), then every member's visits (days, sorted,
/// then per visit channel, tier, institution, site, designation, cost, compliant share, stay).
/// Choices with a single possible outcome draw nothing.
public struct Generator: Sendable {
    public let model: PopulationModel
    public let seed: UInt64
    /// Whether members with one possible channel take the specialised visit loop. It draws exactly
    /// what the general loop draws (`GeneratorTests` compares both); off only to check that.
    public var fastPath = true

    public init(model: PopulationModel, seed: UInt64) {
        self.model = model
        self.seed = seed
    }

    /// Generates block `block` of a population of `populationSize` members for `replication`.
    /// `gsl` serves GSL's own samplers on rare paths (beta compliant shares).
    public func generate(block: Int, replication: Int, populationSize: Int,
                         members: MemberBuffer, visits: VisitBuffer, gsl: GSLGenerator) {
        let first = block * PopulationModel.blockSize
        let n = Swift.max(0, Swift.min(PopulationModel.blockSize, populationSize - first))
        members.reserve(n)
        members.count = n
        members.first = first
        var rng = Taus2(seed: seed, replication: UInt64(replication), block: UInt64(block))
        let (total, longest) = model.alias.withView { alias in
            model.counts.withView { counts in
                drawMembers(n, members, &rng, alias, counts)
            }
        }
        visits.reserve(total)
        visits.count = total
        visits.scratch.reserve(2 * longest)
        model.alias.withView { alias in
            model.ziggurat.withTables { zig in
                drawVisits(n, members, visits, &rng, alias, zig, gsl)
            }
        }
    }

    @inline(__always)
    static func bernoulli(_ p: Double, _ rng: inout Taus2) -> Bool {
        p <= 0 ? false : p >= 1 ? true : rng.uniform() < p
    }

    /// Pass 1: member attributes and visit counts; returns the block's number of visits and the
    /// largest count of one member (the day sort's scratch size).
    /// Columns are read into local pointers first: a class's stored properties cost an
    /// exclusivity check per access (ENGINEERING-NOTES: 2×).
    @inline(never)
    func drawMembers(_ n: Int, _ m: MemberBuffer, _ stream: inout Taus2, _ alias: AliasTables.View,
                     _ counts: CountTables.View) -> (total: Int, longest: Int) {
        // The generator state in a local, so it stays in registers (not stored through the inout).
        var rng = stream
        defer { stream = rng }
        let c = model.calibration
        let yearStart = model.yearStart, days = Double(model.daysInYear)
        let statusP = m.status.base, retiredP = m.retiredOn.base, ageP = m.age.base, bandP = m.band.base
        let femaleP = m.female.base, baseP = m.baseFen.base, pensionP = m.pensionFen.base, remoteP = m.remote.base
        let chronicP = m.chronic.base, specialP = m.special.base, holderP = m.holder.base, startP = m.visitStart.base
        let eligibleP = m.eligible.base
        var eligible = 0, longest = 0
        var total: Int32 = 0
        model.ziggurat.withTables { zig in
            for i in 0..<n {
                let retired = Self.bernoulli(c.retiredShare, &rng)
                let s = retired ? 1 : 0
                let female = Self.bernoulli(c.femaleShare[s], &rng)
                let band = alias.draw(model.ageTable[s], &rng)
                let lo = c.ageEdges[band], hi = c.ageEdges[band + 1]
                let age = lo + rng.uniform() * (hi - lo)
                var retiredOn = Int32.max
                if retired {
                    retiredOn = .min
                } else {
                    let cadre = female && Self.bernoulli(c.femaleCadreShare, &rng)
                    let r = female ? (cadre ? c.retirementAgeFemaleCadre : c.retirementAgeFemaleWorker) : c.retirementAgeMale
                    // Retires on the birthday that reaches the retirement age, if it falls in the year.
                    if age < r && r - age < 1 {
                        retiredOn = yearStart + Swift.min(Int32((r - age) * days), Int32(days) - 1)
                    }
                }
                var base: Int64 = -1, pension: Int64 = -1
                if !retired {
                    var b = model.logBaseMedianFen
                    if c.baseSigma > 0 { b += c.baseSigma * zig.normal(&rng) }
                    b = exp(b)
                    b = b < model.baseFloorFen ? model.baseFloorFen : b > model.baseCeilingFen ? model.baseCeilingFen : b
                    base = Int64(b.rounded())
                }
                if retiredOn != .max {
                    var p = model.logPensionMedianFen
                    if c.pensionSigma > 0 { p += c.pensionSigma * zig.normal(&rng) }
                    pension = Int64(exp(p).rounded())
                }
                let remote = Self.bernoulli(c.remoteShare[s], &rng)
                var chronic: Int16 = -1, special: Int16 = -1
                if Self.bernoulli(c.chronicPrevalence[band], &rng) {
                    chronic = Int16(alias.draw(model.chronicTable, &rng))
                }
                if Self.bernoulli(c.specialPrevalence[band], &rng) {
                    special = Int16(model.chronicCount + alias.draw(model.specialTable, &rng))
                }
                var holder: Int32 = -1
                if Self.bernoulli(c.linkedShare[s], &rng) && eligible > 0 {
                    holder = eligibleP[Int(rng.below(UInt32(eligible)))]
                } else if !retired {
                    eligibleP[eligible] = Int32(i)
                    eligible += 1
                }
                let diseaseClass = special >= 0 ? 2 : chronic >= 0 ? 1 : 0
                let count = counts.draw(model.group(status: s, band: band, diseaseClass: diseaseClass), &rng)
                longest = count > longest ? count : longest

                statusP[i] = retired ? .retired : .inService
                retiredP[i] = retiredOn
                ageP[i] = UInt8(age)
                bandP[i] = UInt8(band)
                femaleP[i] = female
                baseP[i] = base
                pensionP[i] = pension
                remoteP[i] = remote
                chronicP[i] = chronic
                specialP[i] = special
                holderP[i] = holder
                startP[i] = total
                total += Int32(count)
            }
        }
        startP[n] = total
        return (Int(total), longest)
    }

    /// Pass 2: each member's visits in date order.
    @inline(never)
    func drawVisits(_ n: Int, _ m: MemberBuffer, _ v: VisitBuffer, _ stream: inout Taus2,
                    _ alias: AliasTables.View, _ zig: Ziggurat.Tables, _ gsl: GSLGenerator) {
        var rng = stream
        defer { stream = rng }
        let yearStart = model.yearStart, days = model.daysInYear
        let dayP = v.day.base, endP = v.endDay.base, tierP = v.tier.base, chP = v.channel.base
        let instP = v.institution.base, siteP = v.site.base, desP = v.designated.base, disP = v.disease.base
        let totP = v.totalFen.base, compP = v.compliantFen.base
        let startP = m.visitStart.base, chronicP = m.chronic.base, specialP = m.special.base, remoteP = m.remote.base
        let scratchP = v.scratch.base
        let designatedShare = model.calibration.designatedShare
        let institutionTable = model.institutionTable
        let channels = Channel.allCases, institutions = Institution.allCases, sites = Site.allCases
        let chronicCh = Int(Channel.chronic.rawValue), specialCh = Int(Channel.special.rawValue)
        let inpatientCh = Int(Channel.inpatient.rawValue)
        let c = model.calibration
        let fixedChannel: [Int?] = c.channelMix.map { mix in
            let used = mix.indices.filter { mix[$0] > 0 }
            return used.count == 1 && used[0] != inpatientCh && c.channels[used[0]]?.compliantConcentration == 0 ? used[0] : nil
        }
        let fixedSite = c.siteMix.map { mix in mix.filter { $0 > 0 }.count == 1 }
        let siteP0 = c.siteMix.map { mix in mix.firstIndex { $0 > 0 } ?? 0 }
        let simpleRest = c.institutionMix[0] == 1 && (designatedShare <= 0 || designatedShare >= 1)
        let designatedFixed = designatedShare >= 1
        model.logMedianFen.withUnsafeBufferPointer { logMedian in
        model.costSigma.withUnsafeBufferPointer { sigma in
        model.compliantShare.withUnsafeBufferPointer { share in
        model.betaA.withUnsafeBufferPointer { betaA in
        model.tierTable.withUnsafeBufferPointer { tierTable in
        model.channelTable.withUnsafeBufferPointer { channelTable in
        model.siteTable.withUnsafeBufferPointer { siteTable in
        channels.withUnsafeBufferPointer { channels in
        institutions.withUnsafeBufferPointer { institutions in
        sites.withUnsafeBufferPointer { sites in
            for i in 0..<n {
                let a = Int(startP[i]), b = Int(startP[i + 1])
                if a == b { continue }
                for j in a..<b { dayP[j] = Int32(bitPattern: rng.below(days)) }
                Self.sortDays(dayP + a, b - a, days: days, scratch: scratchP)
                for j in a..<b { dayP[j] &+= yearStart }
                let diseaseClass = specialP[i] >= 0 ? 2 : chronicP[i] >= 0 ? 1 : 0
                let channelTab = channelTable[diseaseClass]
                let siteTab = siteTable[remoteP[i] ? 1 : 0]
                // Fast path, same draws: one possible channel (not inpatient), institution and
                // site, designation certain either way, a fixed compliant share. Then only the
                // tier and the cost are drawn per visit.
                if fastPath, let ch = fixedChannel[diseaseClass], simpleRest, fixedSite[remoteP[i] ? 1 : 0] {
                    let tierTab = tierTable[ch], sg = sigma[ch], sh = share[ch], lm = logMedian.baseAddress! + ch &* 4
                    let chv = channels[ch], instv = institutions[0], sitev = sites[siteP0[remoteP[i] ? 1 : 0]]
                    var disease: Int16 = -1
                    if ch == chronicCh { disease = chronicP[i] } else if ch == specialCh { disease = specialP[i] }
                    for j in a..<b {
                        let tier = alias.draw(tierTab, &rng)
                        let z = zig.normal(&rng)
                        var total = Int64(exp(lm[tier] + sg * z) + 0.5)
                        total = total < 1 ? 1 : total
                        let compliant = Int64(Double(total) * sh + 0.5)
                        endP[j] = dayP[j]
                        tierP[j] = UInt8(truncatingIfNeeded: tier)
                        chP[j] = chv
                        instP[j] = instv
                        siteP[j] = sitev
                        desP[j] = designatedFixed
                        disP[j] = disease
                        totP[j] = total
                        compP[j] = compliant > total ? total : compliant
                    }
                    continue
                }
                for j in a..<b {
                    let ch = alias.draw(channelTab, &rng)
                    let tier = alias.draw(tierTable[ch], &rng)
                    let inst = alias.draw(institutionTable, &rng)
                    let site = alias.draw(siteTab, &rng)
                    let designated = Self.bernoulli(designatedShare, &rng)
                    let z = zig.normal(&rng)
                    let cost = exp(logMedian[ch &* 4 &+ tier] + sigma[ch] * z)
                    // + 0.5 and truncation rounds a positive value half up without libm's `round` call.
                    var total = Int64(cost + 0.5)
                    total = total < 1 ? 1 : total
                    var compliant: Int64
                    if betaA[ch] == 0 {
                        compliant = Int64(Double(total) * share[ch] + 0.5)
                    } else {
                        compliant = Int64(Double(total) * betaShare(ch, &rng, gsl) + 0.5)
                    }
                    compliant = compliant > total ? total : compliant
                    var disease: Int16 = -1
                    if ch == chronicCh { disease = chronicP[i] } else if ch == specialCh { disease = specialP[i] }
                    var end = dayP[j]
                    if ch == inpatientCh { end &+= stayDays(&rng, zig) }
                    endP[j] = end
                    tierP[j] = UInt8(truncatingIfNeeded: tier)
                    chP[j] = channels[ch]
                    instP[j] = institutions[inst]
                    siteP[j] = sites[site]
                    desP[j] = designated
                    disP[j] = disease
                    totP[j] = total
                    compP[j] = compliant
                }
            }
        }}}}}}}}}}
    }

    /// Length of stay in days (at least 1), lognormal.
    @inline(never)
    func stayDays(_ rng: inout Taus2, _ zig: Ziggurat.Tables) -> Int32 {
        let d = exp(model.logStayMedian + model.staySigma * zig.normal(&rng)).rounded()
        return d < 1 ? 1 : d > 365 ? 365 : Int32(d)
    }

    /// A beta-distributed compliant share, drawn by GSL (rare path: channels so configured).
    @inline(never)
    func betaShare(_ ch: Int, _ rng: inout Taus2, _ gsl: GSLGenerator) -> Double {
        let a = model.betaA[ch], b = model.betaB[ch]
        return gsl.draw(&rng) { gsl_ran_beta($0, a, b) }
    }

    /// Sorts a member's visit days (offsets 0..<days in the year) in place. Visit counts are
    /// small but heavy-tailed (NB with size < 1), so an insertion sort's n² moves dominate: 9 ns a
    /// visit here. Above 8 days, a bucket pass first (n buckets by day, counting sort through
    /// `scratch`, which holds at least 2n values) leaves the days nearly in order, and the
    /// insertion sort then finishes in expected linear time.
    @inline(__always)
    static func sortDays(_ p: UnsafeMutablePointer<Int32>, _ n: Int, days: UInt32, scratch: UnsafeMutablePointer<Int32>) {
        if n < 2 { return }
        if n > 8 {
            let counts = scratch, out = scratch + n
            counts.update(repeating: 0, count: n)
            let nn = UInt64(n), d = UInt64(days)
            for j in 0..<n { counts[Int(UInt64(p[j]) &* nn / d)] &+= 1 }
            var sum: Int32 = 0
            for b in 0..<n { let c = counts[b]; counts[b] = sum; sum &+= c }
            for j in 0..<n {
                let b = Int(UInt64(p[j]) &* nn / d)
                out[Int(counts[b])] = p[j]
                counts[b] &+= 1
            }
            p.update(from: out, count: n)
        }
        var i = 1
        while i < n {
            let x = p[i]
            var j = i - 1
            while j >= 0 && p[j] > x {
                p[j + 1] = p[j]
                j -= 1
            }
            p[j + 1] = x
            i += 1
        }
    }
}
