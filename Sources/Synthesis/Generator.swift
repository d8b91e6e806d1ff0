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
        let total = model.alias.withView { alias in
            model.counts.withView { counts in
                drawMembers(n, members, &rng, alias, counts)
            }
        }
        visits.reserve(total)
        visits.count = total
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

    /// Pass 1: member attributes and visit counts; returns the block's number of visits.
    @inline(never)
    func drawMembers(_ n: Int, _ m: MemberBuffer, _ rng: inout Taus2, _ alias: AliasTables.View,
                     _ counts: CountTables.View) -> Int {
        let c = model.calibration
        let yearStart = model.yearStart, days = Double(model.daysInYear)
        var eligible = 0
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
                    var b = exp(model.logBaseMedianFen + c.baseSigma * zig.normal(&rng))
                    b = b < model.baseFloorFen ? model.baseFloorFen : b > model.baseCeilingFen ? model.baseCeilingFen : b
                    base = Int64(b.rounded())
                }
                if retiredOn != .max {
                    pension = Int64(exp(model.logPensionMedianFen + c.pensionSigma * zig.normal(&rng)).rounded())
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
                    holder = m.eligible[Int(rng.below(UInt32(eligible)))]
                } else if !retired {
                    m.eligible[eligible] = Int32(i)
                    eligible += 1
                }
                let diseaseClass = special >= 0 ? 2 : chronic >= 0 ? 1 : 0
                let count = counts.draw(model.group(status: s, band: band, diseaseClass: diseaseClass), &rng)

                m.status[i] = retired ? .retired : .inService
                m.retiredOn[i] = retiredOn
                m.age[i] = UInt8(age)
                m.band[i] = UInt8(band)
                m.female[i] = female
                m.baseFen[i] = base
                m.pensionFen[i] = pension
                m.remote[i] = remote
                m.chronic[i] = chronic
                m.special[i] = special
                m.holder[i] = holder
                m.visitStart[i] = total
                total += Int32(count)
            }
        }
        m.visitStart[n] = total
        return Int(total)
    }

    /// Pass 2: each member's visits in date order.
    @inline(never)
    func drawVisits(_ n: Int, _ m: MemberBuffer, _ v: VisitBuffer, _ rng: inout Taus2,
                    _ alias: AliasTables.View, _ zig: Ziggurat.Tables, _ gsl: GSLGenerator) {
        let yearStart = model.yearStart, days = model.daysInYear
        let dayP = v.day.base, endP = v.endDay.base, tierP = v.tier.base, chP = v.channel.base
        let instP = v.institution.base, siteP = v.site.base, desP = v.designated.base, disP = v.disease.base
        let totP = v.totalFen.base, compP = v.compliantFen.base
        let designatedShare = model.calibration.designatedShare
        let institutionTable = model.institutionTable
        model.logMedianFen.withUnsafeBufferPointer { logMedian in
        model.costSigma.withUnsafeBufferPointer { sigma in
        model.compliantShare.withUnsafeBufferPointer { share in
        model.betaA.withUnsafeBufferPointer { betaA in
        model.tierTable.withUnsafeBufferPointer { tierTable in
        model.channelTable.withUnsafeBufferPointer { channelTable in
        model.siteTable.withUnsafeBufferPointer { siteTable in
            for i in 0..<n {
                let a = Int(m.visitStart[i]), b = Int(m.visitStart[i + 1])
                if a == b { continue }
                for j in a..<b { dayP[j] = yearStart &+ Int32(bitPattern: rng.below(days)) }
                Self.sortDays(dayP + a, b - a)
                let diseaseClass = m.special[i] >= 0 ? 2 : m.chronic[i] >= 0 ? 1 : 0
                let channelTab = channelTable[diseaseClass]
                let siteTab = siteTable[m.remote[i] ? 1 : 0]
                for j in a..<b {
                    let ch = alias.draw(channelTab, &rng)
                    let tier = alias.draw(tierTable[ch], &rng)
                    let inst = alias.draw(institutionTable, &rng)
                    let site = alias.draw(siteTab, &rng)
                    let designated = Self.bernoulli(designatedShare, &rng)
                    let z = zig.normal(&rng)
                    let cost = exp(logMedian[ch &* 4 &+ tier] + sigma[ch] * z)
                    var total = Int64(cost.rounded())
                    total = total < 1 ? 1 : total
                    var compliant: Int64
                    if betaA[ch] == 0 {
                        compliant = Int64((Double(total) * share[ch]).rounded())
                    } else {
                        compliant = Int64((Double(total) * betaShare(ch, &rng, gsl)).rounded())
                    }
                    compliant = compliant > total ? total : compliant
                    var disease: Int16 = -1
                    if ch == Int(Channel.chronic.rawValue) { disease = m.chronic[i] }
                    else if ch == Int(Channel.special.rawValue) { disease = m.special[i] }
                    var end = dayP[j]
                    if ch == Int(Channel.inpatient.rawValue) { end &+= stayDays(&rng, zig) }
                    endP[j] = end
                    tierP[j] = UInt8(truncatingIfNeeded: tier)
                    chP[j] = Channel(rawValue: UInt8(truncatingIfNeeded: ch))!
                    instP[j] = Institution(rawValue: UInt8(truncatingIfNeeded: inst))!
                    siteP[j] = Site(rawValue: UInt8(truncatingIfNeeded: site))!
                    desP[j] = designated
                    disP[j] = disease
                    totP[j] = total
                    compP[j] = compliant
                }
            }
        }}}}}}}
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

    /// Sorts a member's visit days in place. Members have a handful of visits (mean 4–14), where
    /// an inline insertion sort avoids a call per member (GSL's `gsl_sort` works on doubles and is
    /// an out-of-line heapsort); the standard library's in-place sort takes the rare long lists.
    @inline(__always)
    static func sortDays(_ p: UnsafeMutablePointer<Int32>, _ n: Int) {
        if n > 32 {
            var buffer = UnsafeMutableBufferPointer(start: p, count: n)
            buffer.sort()
            return
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
