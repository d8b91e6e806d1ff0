import Adjudication
import CGSL
import Policy
import Synthesis
import XCTest

/// Generated populations against their configured values: every sample moment within 4 standard
/// errors (fixed seeds), determinism across thread counts, and the contract through `adjudicate`.
final class GeneratorTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let benchmarkPopulation = root.appendingPathComponent("benchmarks/ordinary-400k-population.yaml").path
    static let rich = Bundle.module.url(forResource: "Fixtures/rich", withExtension: "yaml")!.path

    func model(_ path: String) throws -> PopulationModel { try PopulationModel(try Calibration.load(path: path)) }

    /// Calls `body` for every block of a population, in block order.
    func forEachBlock(_ model: PopulationModel, members: Int, seed: UInt64 = 1, replication: Int = 0,
                      _ body: (MemberBuffer, VisitBuffer) -> Void) {
        let g = Generator(model: model, seed: seed)
        let mb = MemberBuffer(), vb = VisitBuffer(), gsl = GSLGenerator()
        for b in 0..<PopulationModel.blocks(members: members) {
            g.generate(block: b, replication: replication, populationSize: members, members: mb, visits: vb, gsl: gsl)
            body(mb, vb)
        }
    }

    static func binomialSE(_ p: Double, _ n: Int) -> Double { (p * (1 - p) / Double(n)).squareRoot() }

    /// The benchmark workload (issue 4), 200,000 members.
    func testBenchmarkPopulationMoments() throws {
        let model = try model(Self.benchmarkPopulation)
        let n = 200_000
        var m = SampleMoments()
        var costs = [[Double]](repeating: [], count: 4)
        var compliantExact = true
        forEachBlock(model, members: n) { mb, vb in
            m.add(mb, vb)
            for j in 0..<vb.count {
                costs[Int(vb.tier[j])].append(Double(vb.totalFen[j]) / 100)
                // Compliant = 85% of cost, rounded half up to the fen.
                if vb.compliantFen[j] != Int64((Double(vb.totalFen[j]) * 0.85).rounded()) { compliantExact = false }
                XCTAssert(vb.channel[j] == .ordinary && vb.institution[j] == .general && vb.site[j] == .local && vb.designated[j])
            }
        }
        XCTAssertTrue(compliantExact)
        XCTAssertEqual(m.memberCount, n)

        // Retired share 30%: binomial SE over members.
        XCTAssertEqual(m.retiredShare, 0.30, accuracy: 4 * Self.binomialSE(0.3, n))
        // Mean visits 8 (in service) and 14 (retired); NB variance μ + μ²/r with r = 0.72141688.
        let r = 0.72141688
        for (s, mu) in [(0, 8.0), (1, 14.0)] {
            let se = ((mu + mu * mu / r) / Double(m.members[s])).squareRoot()
            XCTAssertEqual(m.meanVisits(s), mu, accuracy: 4 * se, "status \(s)")
            // Zero share (r/(r+μ))^r.
            let p0 = pow(r / (r + mu), r)
            XCTAssertEqual(Double(m.zeroMembers[s]) / Double(m.members[s]), p0, accuracy: 4 * Self.binomialSE(p0, m.members[s]))
        }
        // Tier shares 45/30/25 over visits.
        let visits = m.visitCount
        for (t, p) in [(1, 0.45), (2, 0.30), (3, 0.25)] {
            XCTAssertEqual(Double(m.visits(channel: .ordinary, tier: t)) / Double(visits), p, accuracy: 4 * Self.binomialSE(p, visits), "tier \(t)")
        }
        XCTAssertEqual(m.visits(channel: .ordinary, tier: 0), 0)
        // Cost lognormal, median 150/220/380, σ 0.9: mean = median·e^{σ²/2}, sd = mean·√(e^{σ²}−1);
        // sample median SE = median·σ·√(π/2)/√n.
        let sigma = 0.9
        for (t, median) in [(1, 150.0), (2, 220.0), (3, 380.0)] {
            let k = costs[t].count
            let mean = median * exp(sigma * sigma / 2)
            let sd = mean * (exp(sigma * sigma) - 1).squareRoot()
            XCTAssertEqual(m.meanCost(channel: .ordinary, tier: t), mean, accuracy: 4 * sd / Double(k).squareRoot(), "mean cost tier \(t)")
            var c = costs[t]
            let sampleMedian = c.withUnsafeMutableBufferPointer { b -> Double in
                gsl_sort(b.baseAddress, 1, b.count)
                return gsl_stats_median_from_sorted_data(b.baseAddress, 1, b.count)
            }
            XCTAssertEqual(sampleMedian, median, accuracy: 4 * median * sigma * (Double.pi / 2).squareRoot() / Double(k).squareRoot(), "median cost tier \(t)")
        }
    }

    /// Every mechanism, on the rich test population (50,000 members).
    func testRichPopulationMechanisms() throws {
        let model = try model(Self.rich)
        let c = model.calibration
        let n = 50_000
        let yearStart = Day.from(year: 2024, month: 1, day: 1), yearEnd = Day.from(year: 2024, month: 12, day: 31)
        var classVisits = [Int](repeating: 0, count: 3)
        var classChannel = [[Int]](repeating: [Int](repeating: 0, count: 6), count: 3)
        var bandMembers = [Int](repeating: 0, count: 3), bandChronic = [Int](repeating: 0, count: 3)
        var ratioSum = 0.0, ratioCount = 0
        var retiring = 0, remoteMembers = 0, remoteVisits = 0, remoteRegisteredVisits = 0
        var inService = 0, linkedInService = 0
        forEachBlock(model, members: n, seed: 77) { mb, vb in
            for i in 0..<mb.count {
                let band = Int(mb.band[i])
                bandMembers[band] += 1
                if mb.chronic[i] >= 0 { bandChronic[band] += 1 }
                let cls = mb.special[i] >= 0 ? 2 : mb.chronic[i] >= 0 ? 1 : 0
                if mb.status[i] == .inService {
                    inService += 1
                    XCTAssertGreaterThanOrEqual(mb.baseFen[i], Int64((80000.0 / 12 * 0.6 * 100).rounded()), "base floor 60%")
                    if mb.holder[i] >= 0 { linkedInService += 1 }
                }
                if mb.retiredOn[i] != .min && mb.retiredOn[i] != .max {
                    retiring += 1
                    // Retires within the year on reaching 50, 55 or 60, so is 49, 54 or 59 on 1 January.
                    XCTAssertTrue(mb.status[i] == .inService && mb.retiredOn[i] >= yearStart && mb.retiredOn[i] <= yearEnd)
                    XCTAssertTrue([49, 54, 59].contains(Int(mb.age[i])), "age \(mb.age[i])")
                    XCTAssertGreaterThan(mb.pensionFen[i], 0)
                }
                if mb.holder[i] >= 0 {
                    let h = Int(mb.holder[i])
                    XCTAssertTrue(h < i && mb.status[h] == .inService && mb.holder[h] < 0, "holders are earlier, in service, unlinked")
                }
                if mb.remote[i] { remoteMembers += 1 }
                var last = Int32.min
                for j in Int(mb.visitStart[i])..<Int(mb.visitStart[i + 1]) {
                    XCTAssertGreaterThanOrEqual(vb.day[j], last, "date order")
                    last = vb.day[j]
                    XCTAssertTrue(vb.day[j] >= yearStart && vb.day[j] <= yearEnd)
                    let ch = Int(vb.channel[j].rawValue)
                    classVisits[cls] += 1
                    classChannel[cls][ch] += 1
                    if vb.channel[j] == .chronic { XCTAssertEqual(vb.disease[j], mb.chronic[i]) }
                    if vb.channel[j] == .special { XCTAssertEqual(vb.disease[j], mb.special[i]) }
                    if vb.channel[j] == .inpatient { XCTAssertGreaterThan(vb.endDay[j], vb.day[j]) } else { XCTAssertEqual(vb.endDay[j], vb.day[j]) }
                    XCTAssertLessThanOrEqual(vb.compliantFen[j], vb.totalFen[j])
                    if vb.channel[j] == .ordinary {
                        ratioSum += Double(vb.compliantFen[j]) / Double(vb.totalFen[j])
                        ratioCount += 1
                    }
                    if mb.remote[i] {
                        remoteVisits += 1
                        if vb.site[j] == .remoteRegistered { remoteRegisteredVisits += 1 }
                    } else {
                        XCTAssertNotEqual(vb.site[j], .remoteRegistered)
                    }
                }
            }
        }
        // Channel shares within each disease class: binomial over that class's visits.
        for cls in 0..<3 {
            for ch in 0..<6 {
                let p = c.channelMix[cls][ch]
                let observed = Double(classChannel[cls][ch]) / Double(classVisits[cls])
                if p == 0 { XCTAssertEqual(classChannel[cls][ch], 0, "class \(cls) channel \(ch)"); continue }
                XCTAssertEqual(observed, p, accuracy: 4 * Self.binomialSE(p, classVisits[cls]), "class \(cls) channel \(ch)")
            }
        }
        // Chronic prevalence by band.
        for b in 0..<3 where bandMembers[b] > 0 {
            let p = c.chronicPrevalence[b]
            XCTAssertEqual(Double(bandChronic[b]) / Double(bandMembers[b]), p, accuracy: 4 * Self.binomialSE(p, bandMembers[b]), "band \(b)")
        }
        // Beta compliant share of ordinary visits: mean 0.8, variance m(1−m)/(c+1) = 0.16/21.
        XCTAssertEqual(ratioSum / Double(ratioCount), 0.8, accuracy: 4 * (0.16 / 21 / Double(ratioCount)).squareRoot() + 0.0001)
        // Remote-registered members: 80% of their visits at the registered remote site.
        XCTAssertEqual(Double(remoteRegisteredVisits) / Double(remoteVisits), 0.8, accuracy: 4 * Self.binomialSE(0.8, remoteVisits))
        XCTAssertGreaterThan(remoteMembers, 0)
        XCTAssertGreaterThan(retiring, 0)
        XCTAssertGreaterThan(linkedInService, 0)
    }

    func testSameSeedSameDrawsForAnyThreadCount() throws {
        let model = try model(Self.rich)
        let g = Generator(model: model, seed: 2024)
        let n = 10 * PopulationModel.blockSize + 17
        let one = g.fingerprints(populationSize: n, replication: 3, threads: 1)
        XCTAssertEqual(one.count, 11)
        XCTAssertEqual(g.fingerprints(populationSize: n, replication: 3, threads: 2), one)
        XCTAssertEqual(g.fingerprints(populationSize: n, replication: 3, threads: 4), one)
        XCTAssertEqual(g.fingerprints(populationSize: n, replication: 3, threads: 1), one, "repeatable")
        let other = g.fingerprints(populationSize: n, replication: 4, threads: 2)
        XCTAssertTrue(zip(one, other).allSatisfy { $0 != $1 }, "another replication changes every block")
        let otherSeed = Generator(model: model, seed: 2025).fingerprints(populationSize: n, replication: 3, threads: 2)
        XCTAssertTrue(zip(one, otherSeed).allSatisfy { $0 != $1 }, "another seed changes every block")
    }

    /// The specialised loop for one-channel members draws exactly what the general loop draws.
    func testFastPathEqualsGeneralPath() throws {
        let model = try model(Self.benchmarkPopulation)
        let fast = Generator(model: model, seed: 31)
        var general = fast
        general.fastPath = false
        let n = 5 * PopulationModel.blockSize
        XCTAssertEqual(fast.fingerprints(populationSize: n, replication: 0, threads: 2),
                       general.fingerprints(populationSize: n, replication: 0, threads: 2))
    }

    /// Synthetic files through the contract readers and the engine: nothing lost, invariants hold.
    func testSyntheticFilesPassThroughAdjudication() throws {
        let model = try model(Self.rich)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("synth-test-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let n = 3000
        let written = try SynthCSV.write(generator: Generator(model: model, seed: 5), members: n, replication: 0,
                                         membersPath: dir + "/members.csv", claimsPath: dir + "/claims.csv").visitCount
        let members = try MemberTable.parse(file: "members.csv", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/members.csv"))))
        let claims = try ClaimTable.parse(file: "claims.csv", bytes: Array(try Data(contentsOf: URL(fileURLWithPath: dir + "/claims.csv"))), members: members)
        XCTAssertEqual(members.count, n)
        XCTAssertEqual(claims.count, written)
        var generated = 0
        var totals: [Int64] = []
        forEachBlock(model, members: n, seed: 5) { _, vb in
            generated += vb.count
            for j in 0..<vb.count { totals.append(vb.totalFen[j]) }
        }
        XCTAssertEqual(written, generated)
        XCTAssertEqual(claims.totalFen, totals, "costs survive the CSV round trip to the fen")
        XCTAssertGreaterThan(members.accountHolder.filter { $0 >= 0 }.count, 0, "family links are read back")
        let policies = Self.root.appendingPathComponent("datasets/policies")
        for city in ["tieling", "yanbian"] {
            let engine = RulesEngine(policy: try Policy.load(path: policies.appendingPathComponent("\(city).yaml").path))
            let outcomes = Batch(engine: engine, claims: claims).run(claims: claims, members: members)
            XCTAssertEqual(outcomes.count, claims.count)
            var fund: Int64 = 0
            for i in 0..<claims.count {
                XCTAssertEqual(outcomes[i].fundFen + outcomes[i].memberFen, claims.totalFen[i])
                XCTAssertGreaterThanOrEqual(outcomes[i].fundFen, 0)
                XCTAssertLessThanOrEqual(outcomes[i].fundFen - outcomes[i].largeFen, claims.compliantFen[i])
                fund += outcomes[i].fundFen
            }
            XCTAssertGreaterThan(fund, 0, city)
        }
    }
}
