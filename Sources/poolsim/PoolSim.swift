import ArgumentParser
import Foundation
import Adjudication
import Policy
import Synthesis
import Results

@main
struct PoolSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poolsim",
        abstract: "Policy simulation for employee medical insurance outpatient mutual aid (职工医保门诊共济保障).",
        subcommands: [Run.self, Compare.self, Sweep.self, Merge.self, Slurm.self, ReportCommand.self, Export.self, Adjudicate.self, Explain.self, ShowPolicy.self,
                      Synth.self, Calibrate.self,
                      Bench.self, BenchSynth.self, BenchRun.self])
}

/// Runs a command body, turning input errors into one clear line on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as PolicyError {
        FileHandleOut.stderr("poolsim: error: \(e)")
        throw ExitCode.failure
    } catch let e as InputError {
        FileHandleOut.stderr("poolsim: error: \(e)")
        throw ExitCode.failure
    } catch let e as PopulationModel.ModelError {
        FileHandleOut.stderr("poolsim: error: \(e)")
        throw ExitCode.failure
    } catch let e as SQLiteError {
        FileHandleOut.stderr("poolsim: error: \(e)")
        throw ExitCode.failure
    }
}

enum FileHandleOut {
    static func stderr(_ s: String) {
        var line = s
        if !line.hasSuffix("\n") { line += "\n" }
        // FileHandle.standardError rather than the C `stderr` global, which Swift 6 rejects.
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// The inputs shared by `adjudicate` and `explain`.
struct ClaimInputs: ParsableArguments {
    @Option(help: "Policy parameter file (YAML), e.g. datasets/policies/tieling.yaml.")
    var policy: String

    @Option(help: "Reform overlay file(s) applied in order on top of the policy.")
    var reform: [String] = []

    @Option(help: "members.csv (POLICY-NOTES contract).")
    var members: String

    @Option(help: "claims.csv (POLICY-NOTES contract).")
    var claims: String

    struct Loaded {
        var engine: RulesEngine
        var members: MemberTable
        var claims: ClaimTable
    }

    func load() throws -> Loaded {
        let overlays = try reform.map { try Overlay.load(path: $0) }
        let policy = try Policy.load(path: self.policy, reforms: overlays)
        let members = try MemberTable.parse(file: self.members, bytes: try readFileBytes(self.members))
        let claims = try ClaimTable.parse(file: self.claims, bytes: try readFileBytes(self.claims), members: members)
        for (file, cols) in [(self.members, members.ignoredColumns), (self.claims, claims.ignoredColumns)] where !cols.isEmpty {
            FileHandleOut.stderr("poolsim: note: \(file): columns not in the contract, ignored: \(cols.joined(separator: ", "))")
        }
        return Loaded(engine: RulesEngine(policy: policy), members: members, claims: claims)
    }
}
