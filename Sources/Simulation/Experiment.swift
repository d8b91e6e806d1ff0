import Adjudication
import Policy
import Synthesis

/// A scenario made ready to run: the population model and one compiled rules engine per variant,
/// with the per-variant tables the hot loop reads (disease slots, monthly account rules).
/// Immutable and `Sendable`: shared by every worker.
public struct Experiment: Sendable {
    public let scenario: Scenario
    public let model: PopulationModel
    public let variants: [Variant]
    /// The simulated year's first day of each month, and one past the last day.
    public let monthStarts: [Int32]

    /// One policy variant, compiled.
    public struct Variant: Sendable {
        public let name: String
        public let description: String?
        public let policy: Policy
        public let engine: RulesEngine
        /// Generator disease index + 1 → the engine's slot (index 0 stands for "no disease").
        public let diseaseSlot: [Int16]
        /// Per month of the year: whether an account rule is in force on its first day, the rule,
        /// and that period's retirement switch. Plain arrays rather than optionals of tuples: the
        /// account loop then borrows the rule in place instead of copying it (and its strings)
        /// for every member and month (measured: 14% of the benchmark).
        public let accountActive: [Bool]
        public let accountRule: [CreditTerms]
        public let accountSwitch: [RetirementSwitch]
        /// The same rule in force all year: a member whose status does not change in the year then
        /// gets the same credit every month, computed once.
        public let accountUniform: Bool
        /// Files read to build it (policy, reform files).
        public let files: [String]
    }

    public init(_ scenario: Scenario) throws {
        self.scenario = scenario
        var calibration = try Calibration.load(path: scenario.calibration)
        if let y = scenario.year { calibration.year = y }
        let model = try PopulationModel(calibration)
        self.model = model
        let year = calibration.year
        monthStarts = (1...12).map { Day.from(year: year, month: $0, day: 1) } + [Day.from(year: year + 1, month: 1, day: 1)]
        let months = monthStarts
        variants = try scenario.variants.map { spec in
            let policy = try Policy.load(path: spec.policy, reforms: spec.reforms)
            let engine = RulesEngine(policy: policy)
            let rules: [(rule: AccountRule, switch: RetirementSwitch)?] = months.dropLast().map { day in
                guard let p = policy.periodIndex(on: day), let a = policy.periods[p].account else { return nil }
                return (a, policy.periods[p].retirementSwitch)
            }
            let none = AccountRule(startDay: .max, inServiceRateBp: 0, retiredMonthlyFen: 0, article: "")
            var files = [spec.policy]
            // Reform files only: an inline `set` comes from the scenario file, recorded as such.
            for r in spec.reforms {
                if let f = r.entries.first?.origin.file, f != scenario.file, f != "--param", !files.contains(f) { files.append(f) }
            }
            return Variant(name: spec.name, description: spec.description, policy: policy, engine: engine,
                           diseaseSlot: [-1] + model.diseaseCodes.map { engine.diseaseSlot($0) },
                           accountActive: rules.map { $0 != nil }, accountRule: rules.map { CreditTerms($0?.rule ?? none) },
                           accountSwitch: rules.map { $0?.switch ?? .onDate },
                           accountUniform: rules.allSatisfy { $0 != nil && CreditTerms($0!.rule) == CreditTerms(rules[0]!.rule) && $0!.switch == rules[0]!.switch },
                           files: files)
        }
    }

    public var members: Int { scenario.members }
    public var blocks: Int { PopulationModel.blocks(members: scenario.members) }
    public var generator: Generator { Generator(model: model, seed: scenario.seed) }

    /// Subgroup labels, in the order of `Subgroups` indices: everyone, then by status at the
    /// start of the year, then by the calibration's age bands.
    public var subgroupNames: [String] {
        let e = model.calibration.ageEdges
        return ["all", "in_service", "retired"] + (0..<(e.count - 1)).map { i in
            let lo = Int(e[i]), hi = e[i + 1]
            return hi >= 150 ? "age \(lo)+" : "age \(lo)-\(Int(hi) - 1)"
        }
    }
}

/// One parameter that differs between a variant and the baseline, in the period in force at the
/// start of the simulated year.
public struct ParameterDifference: Sendable, Equatable {
    public var path: String
    public var baseline: String?
    public var variant: String?
    /// The variant's citation: its article, or "assumed: source".
    public var citation: String
    /// The reform that changed the value, if a reform did.
    public var changedBy: String?
}

extension Experiment {
    /// Parameters that differ from the baseline's (value or unit) for variant `v`.
    public func differences(_ v: Int) -> [ParameterDifference] {
        let day = monthStarts[0]
        func tree(_ p: Policy) -> [String: Parameter] {
            guard let i = p.periodIndex(on: day) else { return [:] }
            var out: [String: Parameter] = [:]
            p.periodTrees[i].forEachParameter { out[$0] = $1 }
            return out
        }
        let a = tree(variants[0].policy), b = tree(variants[v].policy)
        var paths = Array(Set(a.keys).union(b.keys))
        paths.sort()
        return paths.compactMap { path in
            let x = a[path], y = b[path]
            // Compared as written: table entries also carry the file they came from, which is no difference.
            if let x, let y, x.value.text == y.value.text && x.unit == y.unit { return nil }
            let cite = y.map { p in
                p.assumed ? "assumed: \(p.source ?? "")" : (p.article ?? p.source ?? "")
            } ?? (x.map { "absent (baseline: \($0.article ?? $0.source ?? ""))" } ?? "")
            func show(_ p: Parameter?) -> String? { p.map { $0.value.text + ($0.unit.map { " " + $0 } ?? "") } }
            return ParameterDifference(path: path, baseline: show(x), variant: show(y), citation: cite, changedBy: y?.changedBy)
        }
    }
}
