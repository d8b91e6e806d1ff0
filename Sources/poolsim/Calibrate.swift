import ArgumentParser
import Foundation
import Adjudication
import Policy
import Synthesis

/// `poolsim calibrate`: fits a calibration to aggregate targets and writes the fitted values as an
/// overlay of the calibration (`base:` + `set:`), which `synth` and scenarios read like a
/// calibration file.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fit a population's visit means, NB sizes and cost spread to aggregate targets.",
        discussion: """
            TARGETS names the calibration it fits in its `calibration:` header (or give --calibration). \
            The fitted file keeps every other value of the calibration; each fitted value says how it \
            was fitted. The table of achieved against target values is printed and stored in the \
            fitted file's description.
            """)

    @Argument(help: "Targets file (YAML), e.g. datasets/calibration/tieling-targets.yaml.") var targets: String
    @Option(help: "Calibration to fit (default: the targets file's `calibration:`).") var calibration: String?
    @Option(help: "Members simulated per evaluation of the top-10% share.") var members = 200_000
    @Option(help: "Seed of the fitting population (the check uses seed + 1).") var seed: UInt64 = 1
    @Option(help: "Threads (results do not depend on it).") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Fitted overlay file to write.") var out: String

    func run() throws {
        try reportingErrors {
            let t = try CalibrationTargets.load(path: targets)
            guard let basePath = calibration ?? t.calibrationPath else {
                throw PolicyError(file: targets, line: nil, path: "calibration", "missing: name the calibration to fit here or with --calibration")
            }
            let base = try Calibration.load(path: basePath)
            let result = try Calibrator(base: base, targets: t, members: members, seed: seed).fit(threads: threads)
            let table = Self.table(result.rows)
            print("\(base.id) fitted to \(t.id) (\(members) members per evaluation, seed \(seed); check seed \(seed + 1)):")
            print(table)
            for n in result.notes { print("not met: \(n)") }
            let text = Self.overlay(result, base: base, basePath: basePath, targets: t, table: table, members: members, seed: seed, out: out)
            try writeFileAtomically(Array(text.utf8), to: out)
            print("→ \(out)")
        }
    }

    static func table(_ rows: [Calibrator.Row]) -> String {
        var s = "target                              target   achieved (fit)   achieved (check)\n"
        for r in rows {
            s += r.name.padding(toLength: 32, withPad: " ", startingAt: 0)
            s += String(format: "%10.2f %6@ %9.2f       %9.2f\n", r.target, r.unit as NSString, r.achieved, r.check)
        }
        return s
    }

    /// `to` relative to the folder of `from`.
    static func relativePath(_ to: String, from file: String) -> String {
        let a = URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL.pathComponents
        let b = URL(fileURLWithPath: to).standardizedFileURL.pathComponents
        var i = 0
        while i < a.count && i < b.count - 1 && a[i] == b[i] { i += 1 }
        return (Array(repeating: "..", count: a.count - i) + b[i...]).joined(separator: "/")
    }

    static func overlay(_ r: Calibrator.Result, base: Calibration, basePath: String, targets: CalibrationTargets, table: String,
                        members: Int, seed: UInt64, out: String) -> String {
        let c = r.calibration
        let via = "fitted by poolsim calibrate to \(relativePath(targets.file, from: out))"
        func num(_ x: Double, _ d: Int) -> String { String(format: "%.\(d)f", x) }
        func tableText(_ keys: [String], _ values: [Double], _ d: Int) -> String {
            "{" + zip(keys, values).map { "\($0): \(num($1, d))" }.joined(separator: ", ") + "}"
        }
        var s = "# Written by `poolsim calibrate`: the fitted values of \(base.id); every other value is the base file's.\n"
        s += "name: fitted-\(base.id)\n"
        s += "description: |\n"
        s += "  Fitted to \(targets.id) with \(members) members per evaluation (seed \(seed); the check column uses seed \(seed + 1)).\n"
        for line in table.split(separator: "\n") { s += "  " + line + "\n" }
        for n in r.notes { s += "  not met: " + n + "\n" }
        s += "base: \(relativePath(basePath, from: out))\n"
        s += "set:\n"
        for st in 0..<2 {
            let key = st == 0 ? "mean_in_service" : "mean_retired"
            s += "  visits.\(key): {value: \(tableText(c.bandLabels, c.visitMean[st], 4)), unit: visits_per_year, source: \"\(via): the base values × \(num(r.visitScale[st], 4)), so that the expected mean visits \(Calibration.statusKeys[st]) equal \(num(targets.meanVisits[st], 2))\"}\n"
        }
        s += "  visits.size: {value: \(tableText(Calibration.statusKeys, c.visitSize, 6)), unit: nb_size, source: \"\(via): the base sizes × \(num(r.sizeFactor, 4)), so that the expected zero-visit share equals \(num(targets.zeroShare * 100, 2))%\"}\n"
        for ch in Channel.allCases {
            guard let costs = c.channels[Int(ch.rawValue)] else { continue }
            let tiers = (0..<4).filter { costs.costMedian[$0] > 0 }
            let why = ch == .ordinary ? "medians give the target mean cost per visit by tier" : "medians keep the base file's mean cost"
            s += "  channels.\(ch.name).cost_sigma: {value: \(num(costs.costSigma, 4)), unit: log_sd, source: \"\(via): the base sigma × \(num(r.spreadFactor, 4)) (one spread factor for every channel, fitted to the top-10% share of spending)\"}\n"
            s += "  channels.\(ch.name).cost_median: {value: \(tableText(tiers.map { Calibration.tierKeys[$0] }, tiers.map { costs.costMedian[$0] }, 2)), unit: yuan, source: \"\(via): \(why) at the fitted sigma\"}\n"
        }
        return s
    }
}
