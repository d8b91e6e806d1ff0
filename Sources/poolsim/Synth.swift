import ArgumentParser
import Foundation
import Policy
import Synthesis

/// `poolsim synth`: a synthetic city as contract CSV files.
struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a synthetic population and its year of claims as members.csv and claims.csv.",
        discussion: """
            CALIBRATION is a calibration file (datasets/calibration/*.yaml) or a fitted overlay written \
            by `poolsim calibrate`. The same seed and replication give the same files on any machine.
            """)

    @Argument(help: "Calibration file (YAML).") var calibration: String
    @Option(help: "Members to generate (default: the calibration's member count).") var members: Int?
    @Option(help: "Seed of the random streams.") var seed: UInt64 = 1
    @Option(help: "Replication index (another index gives another population).") var replication = 0
    @Option(help: "Output folder; members.csv and claims.csv are written there.") var out: String

    func run() throws {
        try reportingErrors {
            let cal = try Calibration.load(path: calibration)
            let model = try PopulationModel(cal)
            let n = members ?? cal.members
            guard n > 0 else { throw ValidationError("--members must be positive") }
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let generator = Generator(model: model, seed: seed)
            let start = DispatchTime.now().uptimeNanoseconds
            let m = try SynthCSV.write(generator: generator, members: n, replication: replication,
                                       membersPath: out + "/members.csv", claimsPath: out + "/claims.csv")
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print("\(cal.id) \(cal.year): \(n) members, \(m.visitCount) claims (seed \(seed), replication \(replication)) → \(out)/members.csv, \(out)/claims.csv in \(String(format: "%.2f", seconds)) s")
            print(Self.summary(m))
        }
    }

    static func summary(_ m: SampleMoments) -> String {
        func pct(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }
        var s = "retired \(pct(m.retiredShare)), retiring in the year \(m.retiring), chronic \(m.chronicMembers), special \(m.specialMembers), family-linked \(m.linkedMembers)\n"
        s += "visits per member: in service \(String(format: "%.2f", m.meanVisits(0))), retired \(String(format: "%.2f", m.meanVisits(1))); no visit \(pct(m.zeroShare)); admissions \(m.admissions)"
        return s
    }
}
