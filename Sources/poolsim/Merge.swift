import ArgumentParser
import Foundation
import Adjudication
import Results
import Simulation

/// `poolsim merge`: joins the stores of a sharded run into the unsharded run's store.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Join the shard stores of one run (poolsim run --shard I/N) into one store.",
        discussion: """
            Checks that the stores are every shard of one run (same scenario text, file hashes, seed, \
            code version and shard count; no shard missing, repeated or incomplete), copies their \
            replications and recomputes every summary from them: the result equals the unsharded run's.
            """)

    @Argument(help: "The shard stores.") var shards: [String]
    @Option(help: "Merged store to write.") var out: String

    func run() throws {
        try reportingErrors {
            let t0 = ContinuousClock.now
            do {
                let n = try RunMerge.merge(shards, to: out)
                print(try ComparisonTable.render(path: out), terminator: "")
                print(String(format: "→ %@ (%d shards, %d replications, merged in %.2f s)", out, shards.count, n,
                             (ContinuousClock.now - t0) / .seconds(1)))
            } catch let e as RunMerge.MergeError {
                FileHandleOut.stderr("poolsim: error: \(e)")
                throw ExitCode.failure
            }
        }
    }
}

/// `poolsim slurm`: a Slurm array job that runs a scenario's shards, and a dependent merge job.
struct Slurm: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write (and optionally submit) Slurm batch scripts that run a scenario in shards and merge them.",
        discussion: """
            Writes DIR/poolsim.sbatch (an array job: task I runs `poolsim run SCENARIO --shard I/N`) and \
            DIR/merge.sbatch (runs `poolsim merge` into DIR/run.sqlite). With --submit, submits both, the \
            merge depending on every array task (afterok); with --wait as well, returns when the merge ends.
            """)

    @Argument(help: "Scenario file.") var scenario: String
    @Option(help: "Number of shards (array tasks).") var shards: Int
    @Option(help: "Slurm partition (default: the cluster's).") var partition: String?
    @Option(help: "Time limit of each task, Slurm syntax (e.g. 1:00:00).") var time: String?
    @Option(help: "CPUs per task (threads of each shard).") var cpusPerTask = 1
    @Option(help: "Replications (default: the scenario's).") var replications: Int?
    @Option(help: "Folder for the scripts, logs, shard stores and run.sqlite.") var out: String
    @Flag(help: "Submit the jobs with sbatch.") var submit = false
    @Flag(help: "With --submit: wait until the merge job ends; fail if any job failed.") var wait = false

    func validate() throws {
        if shards < 1 { throw ValidationError("--shards must be at least 1") }
        if cpusPerTask < 1 { throw ValidationError("--cpus-per-task must be at least 1") }
        if wait && !submit { throw ValidationError("--wait needs --submit") }
    }

    func run() throws {
        try reportingErrors {
            _ = try Scenario.load(path: scenario)   // fail here, not in N jobs
            let fm = FileManager.default
            try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
            let cwd = fm.currentDirectoryPath
            func absolute(_ p: String) -> String { URL(fileURLWithPath: p, relativeTo: URL(fileURLWithPath: cwd + "/")).standardizedFileURL.path }
            let dir = absolute(out), scen = absolute(scenario)
            // #SBATCH lines take no shell quoting: a folder with a space or % would not survive.
            for p in [dir, cwd] where p.contains(where: { $0 == " " || $0 == "%" || $0 == "\n" }) {
                throw ValidationError("\(p): Slurm's #SBATCH lines cannot hold a path with spaces or %; use another folder")
            }
            let binary = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0]).standardizedFileURL.path
            let reps = replications.map { " --replications \($0)" } ?? ""
            let (array, merge) = Self.scripts(name: (scen as NSString).lastPathComponent, binary: binary, scenario: scen,
                                              dir: dir, cwd: cwd, shards: shards, cpus: cpusPerTask, partition: partition,
                                              time: time, extra: reps)
            try writeFileAtomically(Array(array.utf8), to: dir + "/poolsim.sbatch")
            try writeFileAtomically(Array(merge.utf8), to: dir + "/merge.sbatch")
            print("→ \(dir)/poolsim.sbatch (array 0-\(shards - 1)), \(dir)/merge.sbatch")
            guard submit else {
                print("submit: jobid=$(sbatch --parsable \(dir)/poolsim.sbatch) && sbatch --dependency=afterok:$jobid \(dir)/merge.sbatch")
                return
            }
            let t0 = ContinuousClock.now
            // An earlier run.sqlite would pass for this merge's result.
            try? fm.removeItem(atPath: dir + "/run.sqlite")
            let job = try Self.sbatch(["--parsable", dir + "/poolsim.sbatch"])
            print("submitted array job \(job)")
            let mergeJob = try Self.sbatch(["--parsable", "--dependency=afterok:\(job)"] + (wait ? ["--wait"] : []) + [dir + "/merge.sbatch"])
            guard wait else { print("submitted merge job \(mergeJob) (after \(job))"); return }
            // `sbatch --wait` also returns 0 for a merge that Slurm cancelled because a shard failed:
            // the merged store itself (removed before submitting) is the proof of success.
            guard fm.fileExists(atPath: dir + "/run.sqlite") else {
                FileHandleOut.stderr("poolsim: error: the merge job \(mergeJob) wrote no \(dir)/run.sqlite: a shard failed or the merge was cancelled; see \(dir)/shard-*.log and \(dir)/merge.log")
                throw ExitCode.failure
            }
            print(String(format: "merge job %@ done in %.1f s → %@/run.sqlite", mergeJob, (ContinuousClock.now - t0) / .seconds(1), dir))
        }
    }

    /// The two batch scripts: plain, commented, for an HPC user to adapt.
    static func scripts(name: String, binary: String, scenario: String, dir: String, cwd: String, shards: Int, cpus: Int,
                        partition: String?, time: String?, extra: String) -> (array: String, merge: String) {
        func q(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        var common = "#SBATCH --chdir=\(cwd)\n"
        if let partition { common += "#SBATCH --partition=\(partition)\n" }
        if let time { common += "#SBATCH --time=\(time)\n" }
        let array = """
            #!/bin/bash
            # PoolSim: scenario \(name) in \(shards) shards. Task I runs the replications r with
            # r mod \(shards) = I into shard-I.sqlite; merge.sbatch joins them into run.sqlite.
            #SBATCH --job-name=poolsim-\(name)
            #SBATCH --array=0-\(shards - 1)
            #SBATCH --cpus-per-task=\(cpus)
            #SBATCH --output=\(dir)/shard-%a.log
            \(common)set -euo pipefail
            exec \(q(binary)) run \(q(scenario))\(extra) --shard "${SLURM_ARRAY_TASK_ID}/\(shards)" \\
              --threads "${SLURM_CPUS_PER_TASK:-\(cpus)}" --out \(q(dir))/shard-"${SLURM_ARRAY_TASK_ID}".sqlite

            """
        let shardList = (0..<shards).map { q(dir) + "/shard-\($0).sqlite" }.joined(separator: " ")
        let merge = """
            #!/bin/bash
            # PoolSim: merge the \(shards) shard stores of scenario \(name) into run.sqlite. Submit it
            # with --dependency=afterok:<array job id>; it is cancelled if a shard fails.
            #SBATCH --job-name=poolsim-\(name)-merge
            #SBATCH --kill-on-invalid-dep=yes
            #SBATCH --output=\(dir)/merge.log
            \(common)set -euo pipefail
            exec \(q(binary)) merge \(shardList) --out \(q(dir))/run.sqlite

            """
        return (array, merge)
    }

    static func sbatch(_ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sbatch"] + args
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard p.terminationStatus == 0 else {
            throw ValidationError("sbatch \(args.joined(separator: " ")) failed (exit \(p.terminationStatus)) \(text)")
        }
        return text.split(separator: ";").first.map(String.init) ?? text
    }
}
