import ArgumentParser
import Adjudication
import Foundation
import Policy
import Synthesis

/// Throughput of the rules engine and of `adjudicate` from CSV to CSV, on one core, on the
/// random stress mix (every channel, tier, site; see `StressClaims`). A benchmark, not a test: it
/// prints figures and asserts nothing.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure claims/s of the engine alone and of CSV-in to CSV-out adjudication.")

    @Option(help: "Claims to generate.") var claims = 1_000_000
    @Option(help: "Members to spread them over.") var members = 100_000
    @Option(help: "Seed of the generated workload.") var seed: UInt64 = 20231
    @Option(help: "Timed repetitions; the best is reported.") var repeats = 5
    @Option(help: "Policy files to measure.")
    var policy: [String] = ["datasets/policies/tieling.yaml", "datasets/policies/yanbian.yaml"]

    func run() throws {
        try reportingErrors {
            let (mt, ct) = StressClaims.generate(members: members, claims: claims, seed: seed)
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("poolsim-bench-\(getpid())").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let membersCSV = dir + "/members.csv", claimsCSV = dir + "/claims.csv", outCSV = dir + "/adjudicated.csv"
            try writeFileAtomically(Self.membersCSV(mt), to: membersCSV)
            try writeFileAtomically(Self.claimsCSV(ct, members: mt), to: claimsCSV)
            let size = (try? FileManager.default.attributesOfItem(atPath: claimsCSV)[.size] as? Int) ?? 0
            print("workload: \(claims) claims of \(members) members (stress mix, seed \(seed)), claims.csv \(size / 1_000_000) MB; best of \(repeats), one core")

            var rows: [[String]] = []
            for file in policy {
                let engine = RulesEngine(policy: try Policy.load(path: file))
                let batch = Batch(engine: engine, claims: ct)
                let (order, start) = Batch.order(ct, memberCount: mt.count)
                let slots = ct.diseaseCodes.map { engine.diseaseSlot($0) }
                // Claims laid out contiguously per member, as a simulation produces them.
                let contiguous = order.map { ct.claim(Int($0), slots: slots) }
                let retirements = (0..<mt.count).map { mt.retirement($0) }
                var checksum: Int64 = 0
                let engineTime = Self.best(repeats) {
                    checksum = Self.engineOnly(engine: engine, claims: contiguous, retirements: retirements, start: start)
                }
                let batchTime = Self.best(repeats) { _ = batch.run(claims: ct, members: mt) }
                let csvTime = Self.best(repeats) { try! Self.adjudicateCSV(engine: engine, members: membersCSV, claims: claimsCSV, out: outCSV) }
                let n = Double(claims)
                // Where the CSV path spends its time, phase by phase (one run).
                var phases: [(String, Double)] = []
                var t = DispatchTime.now().uptimeNanoseconds
                try Self.adjudicateCSV(engine: engine, members: membersCSV, claims: claimsCSV, out: outCSV) { name in
                    let now = DispatchTime.now().uptimeNanoseconds
                    phases.append((name, Double(now - t) / n))
                    t = now
                }
                print("  \(engine.policy.id) CSV phases, ns/claim: " + phases.map { "\($0.0) \(String(format: "%.0f", $0.1))" }.joined(separator: ", "))
                rows.append([engine.policy.id, "engine alone (sorted claims)", Self.rate(n / engineTime), String(format: "%.1f", engineTime / n * 1e9), "≥ 20 M/s"])
                rows.append([engine.policy.id, "batch (order + stays + engine)", Self.rate(n / batchTime), String(format: "%.1f", batchTime / n * 1e9), ""])
                rows.append([engine.policy.id, "adjudicate CSV → CSV", Self.rate(n / csvTime), String(format: "%.1f", csvTime / n * 1e9), "≥ 1 M/s"])
                print("  \(engine.policy.id): fund total \(Money.format(checksum)) yuan")
            }
            print(Table.render(header: ["policy", "path", "claims/s", "ns/claim", "target"], rows: rows, rightAligned: [2, 3]))
        }
    }

    /// The engine over pre-ordered claims: the loop a simulation runs.
    @inline(never)
    static func engineOnly(engine: RulesEngine, claims: [Claim], retirements: [MemberRetirement], start: [Int]) -> Int64 {
        var ledger = engine.makeLedger()
        var fund: Int64 = 0
        for m in 0..<retirements.count where start[m + 1] > start[m] {
            ledger.reset()
            let retirement = retirements[m]
            for k in start[m]..<start[m + 1] {
                let o = engine.adjudicate(claims[k], retirement: retirement, inHospital: false, ledger: &ledger)
                fund &+= o.fundFen
            }
        }
        return fund
    }

    /// What `poolsim adjudicate` does, in process; `lap` is called after each phase.
    static func adjudicateCSV(engine: RulesEngine, members: String, claims: String, out: String,
                              lap: (String) -> Void = { _ in }) throws {
        let mb = try readFileBytes(members), cb = try readFileBytes(claims); lap("read")
        let m = try MemberTable.parse(file: members, bytes: mb); lap("members")
        let c = try ClaimTable.parse(file: claims, bytes: cb, members: m); lap("claims")
        let o = Batch(engine: engine, claims: c).run(claims: c, members: m); lap("batch")
        let rendered = AdjudicatedCSV.render(claims: c, members: m, outcomes: o, ruleNames: engine.ruleNames); lap("render")
        try writeFileAtomically(rendered, to: out); lap("write")
    }

    static func best(_ n: Int, _ body: () -> Void) -> Double {
        var b = Double.infinity
        for _ in 0..<max(n, 1) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            b = min(b, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        return b
    }

    static func rate(_ r: Double) -> String { String(format: "%.2f M", r / 1e6) }

    static func membersCSV(_ m: MemberTable) -> [UInt8] {
        var s = "member_id,status,retired_on,contribution_base,remote_registered\n"
        for i in 0..<m.count {
            let r = m.retiredOn[i]
            s += "\(m.ids[i]),\(m.status[i].name),\(r == .min || r == .max ? "" : Day.format(r)),\(Money.format(m.contributionBaseFen[i])),\(m.remoteRegistered[i])\n"
        }
        return Array(s.utf8)
    }

    static func claimsCSV(_ c: ClaimTable, members m: MemberTable) -> [UInt8] {
        var out = Array("claim_id,member_id,date,tier,total_cost,compliant_cost,channel,institution,site,designated,end_date,disease\n".utf8)
        out.reserveCapacity(c.count * 100)
        for i in 0..<c.count {
            var s = "\(c.id(i)),\(m.ids[Int(c.member[i])]),\(Day.format(c.day[i])),\(c.tier[i]),\(Money.format(c.totalFen[i])),\(Money.format(c.compliantFen[i])),"
            s += "\(c.channel[i].name),\(c.institution[i].name),\(c.site[i].name),\(c.designated[i]),"
            s += "\(c.channel[i] == .inpatient ? Day.format(c.endDay[i]) : ""),\(c.disease[i] >= 0 ? c.diseaseCodes[Int(c.disease[i])] : "")\n"
            out.append(contentsOf: s.utf8)
        }
        return out
    }
}
