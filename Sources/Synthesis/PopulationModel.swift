#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Policy

/// A calibration compiled into the flat tables the generator reads: alias tables for every
/// discrete choice, negative binomial count tables per member group, log-medians per channel and
/// tier. Immutable and `Sendable`: one model is shared by every worker.
public struct PopulationModel: Sendable {
    public let calibration: Calibration
    public let yearStart: Int32
    public let daysInYear: UInt32
    /// Chronic disease codes, then special disease codes (the visit and member `disease` index).
    public let diseaseCodes: [String]
    public let chronicCount: Int

    let alias: AliasTables
    let counts: CountTables
    let ziggurat = Ziggurat()
    let ageTable: [Int]
    let chronicTable: Int
    let specialTable: Int
    let channelTable: [Int]
    let tierTable: [Int]
    let institutionTable: Int
    let siteTable: [Int]
    /// log(median cost in fen) by channel × 4 + tier, and sigma by channel.
    let logMedianFen: [Double]
    let costSigma: [Double]
    let compliantShare: [Double]
    /// Beta parameters (a, b) of the compliant share by channel; a = 0 for a fixed share.
    let betaA: [Double]
    let betaB: [Double]
    let logStayMedian: Double
    let staySigma: Double
    let logBaseMedianFen: Double
    let baseFloorFen: Double
    let baseCeilingFen: Double
    let logPensionMedianFen: Double

    /// Members per block: part of the definition of the random streams (changing it changes draws).
    public static let blockSize = 1024

    public enum ModelError: Error, CustomStringConvertible {
        case countTable(file: String, path: String, mean: Double, size: Double)
        public var description: String {
            switch self {
            case let .countTable(file, path, mean, size):
                "\(file): \(path): a negative binomial with mean \(mean) and size \(size) has counts above \(CountTables.maxCount): not a plausible visit distribution"
            }
        }
    }

    public init(_ c: Calibration) throws {
        calibration = c
        yearStart = Day.from(year: c.year, month: 1, day: 1)
        daysInYear = UInt32(Day.from(year: c.year + 1, month: 1, day: 1) - yearStart)
        diseaseCodes = c.chronicMix.map(\.code) + c.specialMix.map(\.code)
        chronicCount = c.chronicMix.count

        var a = AliasTables()
        ageTable = c.ageShares.map { a.add($0) }
        chronicTable = a.add(c.chronicMix.map(\.share))
        specialTable = a.add(c.specialMix.map(\.share))
        channelTable = c.channelMix.map { a.add($0) }
        tierTable = c.channels.map { $0.map { a.add($0.tierMix) } ?? -1 }
        institutionTable = a.add(c.institutionMix)
        siteTable = c.siteMix.map { a.add($0) }
        alias = a

        var n = CountTables()
        for s in 0..<2 {
            for b in 0..<c.bands {
                for k in 0..<3 {
                    let mean = c.visitMean[s][b] * c.diseaseMultiplier[k]
                    do { _ = try n.add(mean: mean, size: c.visitSize[s]) } catch {
                        throw ModelError.countTable(file: c.file, path: "visits.size.\(Calibration.statusKeys[s])", mean: mean, size: c.visitSize[s])
                    }
                }
            }
        }
        counts = n

        var lm = [Double](repeating: 0, count: Channel.allCases.count * 4)
        var sg = [Double](repeating: 0, count: Channel.allCases.count)
        var cs = sg, ba = sg, bb = sg
        for (i, ch) in c.channels.enumerated() {
            guard let ch else { continue }
            for t in 0..<4 where ch.costMedian[t] > 0 { lm[i * 4 + t] = log(ch.costMedian[t] * 100) }
            sg[i] = ch.costSigma
            cs[i] = ch.compliantShare
            if ch.compliantConcentration > 0 {
                ba[i] = ch.compliantShare * ch.compliantConcentration
                bb[i] = (1 - ch.compliantShare) * ch.compliantConcentration
            }
        }
        logMedianFen = lm
        costSigma = sg
        compliantShare = cs
        betaA = ba
        betaB = bb
        let inpatient = c.channels[Int(Channel.inpatient.rawValue)]
        logStayMedian = log(inpatient?.stayMedian ?? 1)
        staySigma = inpatient?.staySigma ?? 0
        let monthlyWageFen = c.averageWageYuan / 12 * 100
        logBaseMedianFen = log(c.baseMedian * monthlyWageFen)
        baseFloorFen = c.baseFloor * monthlyWageFen
        baseCeilingFen = c.baseCeiling * monthlyWageFen
        logPensionMedianFen = log(max(c.pensionMedianYuan, 0.01) * 100)
    }

    /// The count table of a member group: status at the start of the year, age band, disease class.
    @inlinable
    public func group(status: Int, band: Int, diseaseClass: Int) -> Int { (status * calibration.bands + band) * 3 + diseaseClass }

    /// Number of blocks for `members` members.
    public static func blocks(members: Int) -> Int { (members + blockSize - 1) / blockSize }
}
