import Foundation
import Policy

/// A synthetic population's parameters as read from a calibration file
/// (`datasets/calibration/*.yaml`): every value with its unit and its source, or `assumed: true`
/// with why. Shares are fractions here (the file writes percent); money is yuan.
///
/// Index conventions: status 0 in service, 1 retired (`Status.rawValue`); disease class 0 none,
/// 1 chronic, 2 special; channels by `Channel.rawValue`; tiers 0–3.
public struct Calibration: Sendable {
    public var id: String
    public var title: String
    public var file: String
    /// The calendar year simulated.
    public var year: Int
    public var members: Int

    public var retiredShare: Double
    public var femaleShare: [Double]
    /// Age band edges in years: band b is [edges[b], edges[b+1]).
    public var ageEdges: [Double]
    public var ageShares: [[Double]]
    public var retirementAgeMale: Double
    public var retirementAgeFemaleWorker: Double
    public var retirementAgeFemaleCadre: Double
    public var femaleCadreShare: Double
    public var remoteShare: [Double]

    public var averageWageYuan: Double
    /// Contribution base: lognormal with this median (share of the average monthly wage) and sigma,
    /// clamped to [floor, ceiling] of the average monthly wage.
    public var baseMedian: Double
    public var baseSigma: Double
    public var baseFloor: Double
    public var baseCeiling: Double
    public var pensionMedianYuan: Double
    public var pensionSigma: Double

    public var linkedShare: [Double]

    public var chronicPrevalence: [Double]
    public var chronicMix: [(code: String, share: Double)]
    public var specialPrevalence: [Double]
    public var specialMix: [(code: String, share: Double)]

    /// Mean visits a year by [status][age band], before the disease multiplier.
    public var visitMean: [[Double]]
    /// Negative binomial size r by status.
    public var visitSize: [Double]
    public var diseaseMultiplier: [Double]
    /// Channel shares by [disease class][channel].
    public var channelMix: [[Double]]
    public var institutionMix: [Double]
    /// Site shares by [member registered remote ? 1 : 0][site].
    public var siteMix: [[Double]]
    public var designatedShare: Double
    /// Per channel (nil where no class uses it).
    public var channels: [ChannelCosts?]

    public struct ChannelCosts: Sendable {
        public var tierMix: [Double]
        /// Median cost per visit in yuan by tier (0 where the tier is not used).
        public var costMedian: [Double]
        public var costSigma: Double
        public var compliantShare: Double
        /// Beta concentration a + b of the compliant share; 0 for a fixed share.
        public var compliantConcentration: Double
        /// Inpatient only: length of stay, lognormal median (days) and sigma.
        public var stayMedian: Double
        public var staySigma: Double
    }

    public var bandLabels: [String] { (0..<ageEdges.count - 1).map { Self.bandLabel(ageEdges, $0) } }
    public var bands: Int { ageEdges.count - 1 }

    static func bandLabel(_ edges: [Double], _ b: Int) -> String { "\(Int(edges[b]))-\(Int(edges[b + 1]) - 1)" }

    public static let statusKeys = ["in_service", "retired"]
    public static let classKeys = ["none", "chronic", "special"]
    public static let tierKeys = ["tier0", "tier1", "tier2", "tier3"]
    static let headerKeys = ["id", "title", "source", "year"]
    static let groupKeys = ["population", "income", "family", "diseases", "visits", "channels"]

    /// Loads a calibration file, or a fitted overlay (`base:` names the calibration it adjusts).
    public static func load(path: String) throws -> Calibration {
        let text = try ParameterFile.readText(path)
        if text.split(separator: "\n").contains(where: { $0.hasPrefix("base:") }) {
            let overlay = try Overlay.parse(text, file: path)
            guard let base = overlay.base else { throw PolicyError(file: path, line: nil, path: "base", "missing") }
            let basePath = ParameterFile.resolve(base, besideFile: path)
            var file = try ParameterFile.load(path: basePath, headerKeys: headerKeys, groupKeys: groupKeys, citation: .articleOrSource)
            try file.apply(overlay)
            return try Calibration(file)
        }
        return try Calibration(try ParameterFile.parse(text, file: path, headerKeys: headerKeys, groupKeys: groupKeys, citation: .articleOrSource))
    }

    public static func parse(_ text: String, file: String) throws -> Calibration {
        try Calibration(try ParameterFile.parse(text, file: file, headerKeys: headerKeys, groupKeys: groupKeys, citation: .articleOrSource))
    }

    /// The parameter tree, for `calibrate` to address values by path.
    public private(set) var tree: ParameterNode

    public init(_ pf: ParameterFile) throws {
        file = pf.file
        tree = pf.tree
        id = try pf.require("id").text
        title = try pf.require("title").text
        _ = try pf.require("source")
        let y = try pf.require("year")
        guard let year = Int(y.text), (1990...2100).contains(year) else {
            throw PolicyError(file: pf.file, line: y.origin.line, path: "year", "expected a year such as 2023, got '\(y.text)'")
        }
        self.year = year
        var root = try ParameterGroup(pf.tree, path: "")

        var pop = try root.requireGroup("population")
        members = Int(try pop.number("members", unit: "members", in: 1...100_000_000))
        retiredShare = try pop.number("retired_share", unit: "percent", in: 0...100) / 100
        femaleShare = try Self.byStatus(&pop, "female_share", unit: "percent").map { $0 / 100 }
        let edges = try pop.numberList("age_bands", unit: "years", in: 0...120)
        ageEdges = edges
        guard edges.count >= 2, zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 }),
              edges.allSatisfy({ $0 == $0.rounded() }) else {
            let p = try Self.param(pop, "age_bands")
            throw PolicyError(file: p.origin.file, line: p.origin.line, path: "population.age_bands",
                              "expected at least two increasing whole ages (band edges)")
        }
        let labels = (0..<edges.count - 1).map { Self.bandLabel(edges, $0) }
        ageShares = [try Self.shares(&pop, "age_shares_in_service", keys: labels),
                     try Self.shares(&pop, "age_shares_retired", keys: labels)]
        let ages = try pop.numberTable("retirement_age", unit: "years", keys: ["male", "female_worker", "female_cadre"], in: 40...80)
        retirementAgeMale = ages[0].value
        retirementAgeFemaleWorker = ages[1].value
        retirementAgeFemaleCadre = ages[2].value
        femaleCadreShare = try pop.number("female_cadre_share", unit: "percent", in: 0...100) / 100
        remoteShare = try Self.byStatus(&pop, "remote_registered_share", unit: "percent").map { $0 / 100 }
        try pop.finish(allowed: ["members", "retired_share", "female_share", "age_bands", "age_shares_in_service",
                                 "age_shares_retired", "retirement_age", "female_cadre_share", "remote_registered_share"])

        var inc = try root.requireGroup("income")
        averageWageYuan = try inc.number("average_wage", unit: "yuan_per_year", in: 1...10_000_000)
        baseMedian = try inc.number("base_median", unit: "percent_of_average_wage", in: 1...1000) / 100
        baseSigma = try inc.number("base_sigma", unit: "log_sd", in: 0...5)
        baseFloor = try inc.number("base_floor", unit: "percent_of_average_wage", in: 0...1000) / 100
        baseCeiling = try inc.number("base_ceiling", unit: "percent_of_average_wage", in: 0...1000) / 100
        if baseCeiling < baseFloor {
            let p = try Self.param(inc, "base_ceiling")
            throw PolicyError(file: p.origin.file, line: p.origin.line, path: "income.base_ceiling", "is below base_floor")
        }
        pensionMedianYuan = try inc.number("pension_median", unit: "yuan_per_month", in: 0...1_000_000)
        pensionSigma = try inc.number("pension_sigma", unit: "log_sd", in: 0...5)
        try inc.finish(allowed: ["average_wage", "base_median", "base_sigma", "base_floor", "base_ceiling", "pension_median", "pension_sigma"])

        var fam = try root.requireGroup("family")
        linkedShare = try Self.byStatus(&fam, "linked_share", unit: "percent").map { $0 / 100 }
        try fam.finish(allowed: ["linked_share"])

        var dis = try root.requireGroup("diseases")
        chronicPrevalence = try dis.numberTable("chronic_prevalence", unit: "percent", keys: labels, in: 0...100).map { $0.value / 100 }
        chronicMix = try Self.mix(&dis, "chronic_mix")
        specialPrevalence = try dis.numberTable("special_prevalence", unit: "percent", keys: labels, in: 0...100).map { $0.value / 100 }
        specialMix = try Self.mix(&dis, "special_mix")
        try dis.finish(allowed: ["chronic_prevalence", "chronic_mix", "special_prevalence", "special_mix"])

        var vis = try root.requireGroup("visits")
        visitMean = [try vis.numberTable("mean_in_service", unit: "visits_per_year", keys: labels, in: 0...1000).map(\.value),
                     try vis.numberTable("mean_retired", unit: "visits_per_year", keys: labels, in: 0...1000).map(\.value)]
        visitSize = try vis.numberTable("size", unit: "nb_size", keys: Self.statusKeys, in: 0.001...1_000_000).map(\.value)
        diseaseMultiplier = try vis.numberTable("disease_multiplier", unit: "factor", keys: Self.classKeys, in: 0...100).map(\.value)
        let channelKeys = Channel.allCases.map(\.name)
        var mixes: [[Double]] = []
        for c in Self.classKeys { mixes.append(try Self.shares(&vis, "channel_mix_" + c, keys: channelKeys, partial: true)) }
        channelMix = mixes
        institutionMix = try Self.shares(&vis, "institution_mix", keys: Institution.allCases.map(\.name), partial: true)
        let siteKeys = Site.allCases.map(\.name)
        siteMix = [try Self.shares(&vis, "site_mix_local_members", keys: siteKeys, partial: true),
                   try Self.shares(&vis, "site_mix_remote_members", keys: siteKeys, partial: true)]
        designatedShare = try vis.number("designated_share", unit: "percent", in: 0...100) / 100
        try vis.finish(allowed: ["mean_in_service", "mean_retired", "size", "disease_multiplier", "institution_mix",
                                 "site_mix_local_members", "site_mix_remote_members", "designated_share"]
                       + Self.classKeys.map { "channel_mix_" + $0 })

        var ch = try root.requireGroup("channels")
        channels = []
        for c in Channel.allCases {
            let used = mixes.contains { $0[Int(c.rawValue)] > 0 }
            guard var g = try ch.group(c.name) else {
                if used { throw PolicyError(file: ch.origin.file, line: ch.origin.line, path: "channels." + c.name,
                                            "missing: a channel mix gives this channel a share") }
                channels.append(nil)
                continue
            }
            let tierMix = try Self.shares(&g, "tier_mix", keys: Self.tierKeys, partial: true)
            let medians = try g.numberTable("cost_median", unit: "yuan", keys: nil, in: 0.01...10_000_000)
            var median = [Double](repeating: 0, count: 4)
            for (k, v) in medians {
                guard let t = Self.tierKeys.firstIndex(of: k) else {
                    let p = try Self.param(g, "cost_median")
                    throw PolicyError(file: p.origin.file, line: p.origin.line, path: g.keyPath("cost_median") + "." + k,
                                      "unknown tier (expected \(Self.tierKeys.joined(separator: ", ")))")
                }
                median[t] = v
            }
            for t in 0..<4 where tierMix[t] > 0 && median[t] == 0 {
                let p = try Self.param(g, "cost_median")
                throw PolicyError(file: p.origin.file, line: p.origin.line, path: g.keyPath("cost_median") + "." + Self.tierKeys[t],
                                  "missing: tier_mix gives this tier a share")
            }
            var costs = ChannelCosts(tierMix: tierMix, costMedian: median,
                                     costSigma: try g.number("cost_sigma", unit: "log_sd", in: 0...5),
                                     compliantShare: try g.number("compliant_share", unit: "percent", in: 0...100) / 100,
                                     compliantConcentration: 0, stayMedian: 0, staySigma: 0)
            var allowed = ["tier_mix", "cost_median", "cost_sigma", "compliant_share", "compliant_concentration"]
            if g.keys.contains("compliant_concentration") {
                costs.compliantConcentration = try g.number("compliant_concentration", unit: "beta_concentration", in: 0...1_000_000)
                if costs.compliantConcentration > 0 && !(0.0 < costs.compliantShare && costs.compliantShare < 1) {
                    let p = try Self.param(g, "compliant_share")
                    throw PolicyError(file: p.origin.file, line: p.origin.line, path: g.keyPath("compliant_share"),
                                      "a beta-distributed share needs a mean strictly between 0 and 100%")
                }
            }
            if c == .inpatient {
                costs.stayMedian = try g.number("stay_median", unit: "days", in: 1...365)
                costs.staySigma = try g.number("stay_sigma", unit: "log_sd", in: 0...5)
                allowed += ["stay_median", "stay_sigma"]
            }
            try g.finish(allowed: allowed)
            channels.append(costs)
        }
        try ch.finish(allowed: channelKeys)
        try root.finish(allowed: Self.groupKeys)
    }

    static func param(_ g: ParameterGroup, _ key: String) throws -> Parameter {
        var g = g
        return try g.require(key)
    }

    static func byStatus(_ g: inout ParameterGroup, _ key: String, unit: String) throws -> [Double] {
        try g.numberTable(key, unit: unit, keys: statusKeys, in: 0...100).map(\.value)
    }

    /// Percent shares over `keys` that sum to 100 (within 0.01). With `partial`, keys may be left
    /// out (share 0).
    static func shares(_ g: inout ParameterGroup, _ key: String, keys: [String], partial: Bool = false) throws -> [Double] {
        let p = try param(g, key)
        let t = try g.numberTable(key, unit: "percent", keys: partial ? nil : keys, in: 0...100)
        var out = [Double](repeating: 0, count: keys.count)
        for (k, v) in t {
            guard let i = keys.firstIndex(of: k) else {
                throw PolicyError(file: p.origin.file, line: p.origin.line, path: g.keyPath(key) + "." + k,
                                  "unknown key '\(k)' (expected: \(keys.joined(separator: ", ")))")
            }
            out[i] = v / 100
        }
        try checkSum(out.reduce(0, +), p, g.keyPath(key))
        return out
    }

    static func mix(_ g: inout ParameterGroup, _ key: String) throws -> [(code: String, share: Double)] {
        let p = try param(g, key)
        let t = try g.numberTable(key, unit: "percent", in: 0...100)
        try checkSum(t.reduce(0) { $0 + $1.value } / 100, p, g.keyPath(key))
        return t.map { ($0.key, $0.value / 100) }
    }

    static func checkSum(_ sum: Double, _ p: Parameter, _ path: String) throws {
        guard abs(sum - 1) <= 0.0001 else {
            throw PolicyError(file: p.origin.file, line: p.origin.line, path: path,
                              "shares must add up to 100%, they add up to \((sum * 100 * 1000).rounded() / 1000)%")
        }
    }
}
