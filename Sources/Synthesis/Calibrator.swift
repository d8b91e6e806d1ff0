import CGSL
import Foundation
import Policy

/// Aggregate targets for `poolsim calibrate` (`datasets/calibration/*-targets.yaml`).
public struct CalibrationTargets: Sendable {
    public var id: String
    public var file: String
    /// The calibration file the targets fit, from the `calibration` header (relative to the file).
    public var calibrationPath: String?
    /// Mean visits (claims of every channel) per member-year by status.
    public var meanVisits: [Double]
    public var zeroShare: Double
    /// Mean cost per ordinary visit by tier (yuan; 0 where not targeted).
    public var meanCostOrdinary: [Double]
    public var top10Share: Double

    public init(id: String, file: String, calibrationPath: String?, meanVisits: [Double], zeroShare: Double,
                meanCostOrdinary: [Double], top10Share: Double) {
        self.id = id
        self.file = file
        self.calibrationPath = calibrationPath
        self.meanVisits = meanVisits
        self.zeroShare = zeroShare
        self.meanCostOrdinary = meanCostOrdinary
        self.top10Share = top10Share
    }

    public static func load(path: String) throws -> CalibrationTargets {
        let pf = try ParameterFile.load(path: path, headerKeys: ["id", "title", "source", "calibration"], groupKeys: ["targets"],
                                        citation: .articleOrSource)
        var root = try ParameterGroup(pf.tree, path: "")
        var g = try root.requireGroup("targets")
        let visits = try g.numberTable("mean_visits", unit: "visits_per_year", keys: Calibration.statusKeys, in: 0...1000).map(\.value)
        let zero = try g.number("zero_visit_share", unit: "percent", in: 0...100) / 100
        var cost = [Double](repeating: 0, count: 4)
        for (k, v) in try g.numberTable("mean_cost_ordinary", unit: "yuan", in: 0.01...1_000_000) {
            guard let t = Calibration.tierKeys.firstIndex(of: k) else {
                throw PolicyError(file: path, line: nil, path: "targets.mean_cost_ordinary." + k, "unknown tier (expected tier0–tier3)")
            }
            cost[t] = v
        }
        let top = try g.number("top10_spending_share", unit: "percent", in: 10...100) / 100
        try g.finish(allowed: ["mean_visits", "zero_visit_share", "mean_cost_ordinary", "top10_spending_share"])
        try root.finish(allowed: ["targets"])
        let base = pf.header["calibration"].map { ParameterFile.resolve($0.text, besideFile: path) }
        return CalibrationTargets(id: try pf.require("id").text, file: path, calibrationPath: base, meanVisits: visits,
                                  zeroShare: zero, meanCostOrdinary: cost, top10Share: top)
    }
}

/// Fits a calibration to aggregate targets, in an order where each step leaves the earlier
/// targets met:
/// 1. visit means of each status scaled so that their expectation (exact, from the age and disease
///    mix) equals the target: closed form;
/// 2. both NB sizes scaled by one factor (their ratio kept) until the expected zero-visit share
///    (GSL's NB probability of 0 per group) equals the target: GSL's Brent root finder;
/// 3. every channel's cost sigma scaled by one spread factor, each median moved to keep its
///    channel's mean cost, the ordinary medians set so that ordinary mean costs by tier equal their
///    targets, until the simulated share of spending of the top 10% of members equals the target:
///    Brent again, over a population drawn with a fixed seed (common random numbers, so the
///    function is smooth enough for the solver).
public struct Calibrator {
    public let base: Calibration
    public let targets: CalibrationTargets
    public let members: Int
    public let seed: UInt64

    public init(base: Calibration, targets: CalibrationTargets, members: Int, seed: UInt64) {
        self.base = base
        self.targets = targets
        self.members = members
        self.seed = seed
    }

    /// One row of the achieved-vs-target table.
    public struct Row: Sendable {
        public var name: String
        public var target: Double
        public var achieved: Double
        public var check: Double
        public var unit: String
    }

    public struct Result {
        public var calibration: Calibration
        public var visitScale: [Double]
        public var sizeFactor: Double
        public var spreadFactor: Double
        public var rows: [Row]
        /// Steps that could not reach their target, said plainly.
        public var notes: [String]
    }

    /// P(disease class | band): special first, then chronic only.
    static func classShares(_ c: Calibration, band b: Int) -> [Double] {
        let sp = c.specialPrevalence[b], ch = c.chronicPrevalence[b] * (1 - sp)
        return [1 - sp - ch, ch, sp]
    }

    static func expectedVisits(_ c: Calibration, status s: Int) -> Double {
        (0..<c.bands).reduce(0) { sum, b in
            let cls = classShares(c, band: b)
            return sum + c.ageShares[s][b] * c.visitMean[s][b] * (0..<3).reduce(0) { $0 + cls[$1] * c.diseaseMultiplier[$1] }
        }
    }

    static func expectedZeroShare(_ c: Calibration) -> Double {
        var z = 0.0
        for s in 0..<2 {
            let ws = s == 1 ? c.retiredShare : 1 - c.retiredShare
            for b in 0..<c.bands {
                let cls = classShares(c, band: b)
                for k in 0..<3 {
                    let mu = c.visitMean[s][b] * c.diseaseMultiplier[k], r = c.visitSize[s]
                    z += ws * c.ageShares[s][b] * cls[k] * gsl_ran_negative_binomial_pdf(0, r / (r + mu), r)
                }
            }
        }
        return z
    }

    /// The calibration with cost sigmas scaled by `spread` and medians set as described above.
    func withSpread(_ c0: Calibration, _ spread: Double) -> Calibration {
        var c = c0
        for (i, ch) in base.channels.enumerated() {
            guard var ch else { continue }
            let sigma = ch.costSigma * spread
            for t in 0..<4 where ch.costMedian[t] > 0 {
                let mean = i == 0 && targets.meanCostOrdinary[t] > 0
                    ? targets.meanCostOrdinary[t] : ch.costMedian[t] * exp(ch.costSigma * ch.costSigma / 2)
                ch.costMedian[t] = mean / exp(sigma * sigma / 2)
            }
            ch.costSigma = sigma
            c.channels[i] = ch
        }
        return c
    }

    /// Draws `members` members with `seed` and returns their moments.
    public static func simulate(_ c: Calibration, members: Int, seed: UInt64, threads: Int) throws -> SampleMoments {
        let g = Generator(model: try PopulationModel(c), seed: seed)
        let parts = ParallelBlocks.map(blocks: PopulationModel.blocks(members: members), threads: threads,
                                       makeState: { (MemberBuffer(), VisitBuffer(), GSLGenerator()) },
                                       body: { b, s -> SampleMoments in
            g.generate(block: b, replication: 0, populationSize: members, members: s.0, visits: s.1, gsl: s.2)
            var m = SampleMoments(keepMemberTotals: true)
            m.add(s.0, s.1)
            return m
        })
        var all = SampleMoments(keepMemberTotals: true)
        for p in parts { all.merge(p!) }
        return all
    }

    enum Root {
        case root(Double)
        /// f has the same sign at both ends (the values at the ends).
        case noSignChange(Double, Double)
    }

    /// Brent's method (GSL) on f over [lo, hi].
    static func brent(_ lo: Double, _ hi: Double, tolerance: Double, _ f: @escaping (Double) -> Double) -> Root {
        let flo = f(lo), fhi = f(hi)
        if flo == 0 { return .root(lo) }
        if fhi == 0 { return .root(hi) }
        guard (flo < 0) != (fhi < 0) else { return .noSignChange(flo, fhi) }
        final class Box { let f: (Double) -> Double; init(_ f: @escaping (Double) -> Double) { self.f = f } }
        let box = Box(f)
        var fn = gsl_function(function: { x, p in Unmanaged<Box>.fromOpaque(p!).takeUnretainedValue().f(x) },
                              params: Unmanaged.passUnretained(box).toOpaque())
        let solver = gsl_root_fsolver_alloc(poolsim_root_brent())!
        defer { gsl_root_fsolver_free(solver) }
        gsl_root_fsolver_set(solver, &fn, lo, hi)
        var root = (lo + hi) / 2
        for _ in 0..<100 {
            guard gsl_root_fsolver_iterate(solver) == GSL_SUCCESS else { break }
            root = gsl_root_fsolver_root(solver)
            if gsl_root_test_interval(gsl_root_fsolver_x_lower(solver), gsl_root_fsolver_x_upper(solver), tolerance, 0) == GSL_SUCCESS { break }
        }
        withExtendedLifetime(box) {}
        return .root(root)
    }

    public func fit(threads: Int) throws -> Result {
        var c = base
        var notes: [String] = []
        // 1. Visit means.
        let scale = (0..<2).map { s in targets.meanVisits[s] / Self.expectedVisits(base, status: s) }
        for s in 0..<2 { c.visitMean[s] = c.visitMean[s].map { $0 * scale[s] } }
        // 2. One factor on both NB sizes.
        let sizes = c.visitSize
        let zeroAt: (Double) -> Double = { f in
            var t = c
            t.visitSize = sizes.map { $0 * exp(f) }
            return Self.expectedZeroShare(t) - self.targets.zeroShare
        }
        var sizeFactor = 1.0
        if case .root(let f) = Self.brent(log(0.01), log(100), tolerance: 1e-6, zeroAt) {
            sizeFactor = exp(f)
        } else {
            notes.append("zero-visit share: not reachable by scaling the NB sizes between ×0.01 and ×100")
        }
        c.visitSize = sizes.map { $0 * sizeFactor }
        // 3. Cost spread.
        let fitted = c
        let top10At: (Double) -> Double = { spread in
            guard var m = try? Self.simulate(self.withSpread(fitted, spread), members: self.members, seed: self.seed, threads: threads) else { return .nan }
            return m.top10Share() - self.targets.top10Share
        }
        var spread = 1.0
        switch Self.brent(0.25, 2.5, tolerance: 1e-3, top10At) {
        case .root(let s):
            spread = s
        case .noSignChange(let flo, let fhi):
            // Out of reach: keep the base file's sigmas rather than an extreme spread, and say so.
            let lo = flo + targets.top10Share, hi = fhi + targets.top10Share
            notes.append(String(format: "top-10%% spending share: out of reach of the cost spread (%.1f%% at ×0.25, %.1f%% at ×2.5 of every cost sigma); the base sigmas are kept",
                                lo * 100, hi * 100))
        }
        c = withSpread(fitted, spread)

        var fitRun = try Self.simulate(c, members: members, seed: seed, threads: threads)
        var checkRun = try Self.simulate(c, members: members, seed: seed &+ 1, threads: threads)
        var rows: [Row] = []
        for s in 0..<2 {
            rows.append(Row(name: "mean visits, \(Calibration.statusKeys[s])", target: targets.meanVisits[s],
                            achieved: fitRun.meanVisits(s), check: checkRun.meanVisits(s), unit: "visits"))
        }
        rows.append(Row(name: "zero-visit share", target: targets.zeroShare * 100, achieved: fitRun.zeroShare * 100,
                        check: checkRun.zeroShare * 100, unit: "%"))
        for t in 0..<4 where targets.meanCostOrdinary[t] > 0 {
            rows.append(Row(name: "mean cost, ordinary tier \(t)", target: targets.meanCostOrdinary[t],
                            achieved: fitRun.meanCost(channel: .ordinary, tier: t), check: checkRun.meanCost(channel: .ordinary, tier: t), unit: "yuan"))
        }
        rows.append(Row(name: "top-10% share of spending", target: targets.top10Share * 100, achieved: fitRun.top10Share() * 100,
                        check: checkRun.top10Share() * 100, unit: "%"))
        return Result(calibration: c, visitScale: scale, sizeFactor: sizeFactor, spreadFactor: spread, rows: rows, notes: notes)
    }
}

extension SampleMoments {
    /// Adds another part's sums (blocks are merged in block order, so the result is the same for
    /// any thread count).
    public mutating func merge(_ o: SampleMoments) {
        for s in 0..<2 { members[s] += o.members[s]; visits[s] += o.visits[s]; zeroMembers[s] += o.zeroMembers[s] }
        retiring += o.retiring
        for k in 0..<visitsBy.count { visitsBy[k] += o.visitsBy[k]; costFenBy[k] += o.costFenBy[k]; logCostBy[k] += o.logCostBy[k] }
        compliantFen += o.compliantFen
        totalFen += o.totalFen
        chronicMembers += o.chronicMembers
        specialMembers += o.specialMembers
        linkedMembers += o.linkedMembers
        admissions += o.admissions
        stayDays += o.stayDays
        memberTotals += o.memberTotals
    }
}
