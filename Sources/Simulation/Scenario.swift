import Policy
import Yams

/// A scenario file (`scenarios/*.yaml`): the population to draw, the baseline policy, the
/// variants to compare with it, how many replications under which seed, an optional budget, and
/// what to keep. Paths are relative to the scenario file. The schema is in the README.
public struct Scenario: Sendable {
    public var file: String
    /// The file's text, stored with every run for provenance.
    public var text: String
    public var name: String
    public var title: String
    public var description: String?
    /// The calibration file (resolved path) and the population size.
    public var calibration: String
    public var members: Int
    /// Overrides the calibration's year when set.
    public var year: Int?
    public var replications: Int
    public var seed: UInt64
    public var budget: Budget?
    /// The baseline first, then the reforms, in file order.
    public var variants: [VariantSpec]
    public var outputs: Outputs

    /// A yearly budget for the fund outlay of some benefits (all when `benefits` is empty).
    public struct Budget: Sendable, Equatable {
        public var amountFen: Int64
        public var benefits: [Channel]
        public var source: String?

        public init(amountFen: Int64, benefits: [Channel] = [], source: String? = nil) {
            self.amountFen = amountFen
            self.benefits = benefits
            self.source = source
        }
    }

    /// One policy variant: a policy file with reforms applied (reform files, then the inline `set`).
    public struct VariantSpec: Sendable {
        public var name: String
        public var description: String?
        public var policy: String
        public var reforms: [Overlay]
        public var origin: Origin

        public init(name: String, description: String? = nil, policy: String, reforms: [Overlay] = [], origin: Origin) {
            self.name = name
            self.description = description
            self.policy = policy
            self.reforms = reforms
            self.origin = origin
        }
    }

    public struct Outputs: Sendable, Equatable {
        /// Member burden thresholds whose shares are reported (fen).
        public var burdenThresholdsFen: [Int64] = [100_000, 300_000, 1_000_000]
        /// Burden above this share of yearly income counts as heavy (basis points).
        public var incomeShareBp: Int32 = 1_000
        /// Store every member's yearly figures for this replication (nil: none).
        public var memberTableReplication: Int? = nil

        public init() {}
    }

    static let topKeys = ["name", "title", "description", "population", "baseline", "reforms", "replications",
                          "seed", "budget", "outputs"]

    public static func load(path: String) throws -> Scenario {
        try parse(try ParameterFile.readText(path), file: path)
    }

    public static func parse(_ text: String, file: String) throws -> Scenario {
        let r = YAMLReader(file: file)
        let root = try r.compose(text)
        let top = try Keys(r, root, "", allowed: topKeys)
        let name = try top.text("name")
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw r.error(top.node("name"), "name", "a scenario name is letters, digits, - and _ (it names result files)")
        }

        let pop = try Keys(r, try top.require("population"), "population", allowed: ["calibration", "members", "year"])
        let calibration = ParameterFile.resolve(try pop.text("calibration"), besideFile: file)
        let members = try pop.integer("members", in: 1...50_000_000)
        let year = try pop.optional("year").map { _ in try pop.integer("year", in: 1990...2100) }

        var variants = [try variant(try top.require("baseline"), "baseline", r, file: file, baselinePolicy: nil)]
        if let list = top.optional("reforms") {
            for (i, node) in try r.sequence(list, "reforms").enumerated() {
                let v = try variant(node, "reforms[\(i)]", r, file: file, baselinePolicy: variants[0].policy)
                if let dup = variants.first(where: { $0.name == v.name }) {
                    throw PolicyError(file: file, line: v.origin.line, path: "reforms[\(i)].name",
                                      "variant name '\(v.name)' is used twice (first at line \(dup.origin.line ?? 0))")
                }
                variants.append(v)
            }
        }

        var budget: Budget?
        if let b = top.optional("budget") {
            let k = try Keys(r, b, "budget", allowed: ["value", "unit", "benefits", "source", "note"])
            guard try k.text("unit") == "yuan" else { throw r.error(k.node("unit"), "budget.unit", "a budget is in yuan") }
            let amount = try k.text("value")
            guard let fen = Money.parseYuan(amount), fen > 0 else {
                throw r.error(k.node("value"), "budget.value", "expected a positive amount of yuan, got '\(amount)'")
            }
            var channels: [Channel] = []
            if let list = k.optional("benefits") {
                for (i, n) in try r.sequence(list, "budget.benefits").enumerated() {
                    let word = try r.scalar(n, "budget.benefits[\(i)]")
                    guard let c = Channel(name: word) else {
                        throw r.error(n, "budget.benefits[\(i)]", "unknown benefit '\(word)' (one of \(Channel.allCases.map(\.name).joined(separator: ", ")))")
                    }
                    channels.append(c)
                }
            }
            budget = Budget(amountFen: fen, benefits: channels, source: try k.optional("source").map { try r.scalar($0, "budget.source") })
        }

        var outputs = Outputs()
        var memberTableNode: Node?
        if let o = top.optional("outputs") {
            let k = try Keys(r, o, "outputs", allowed: ["burden_thresholds", "income_share", "member_table"])
            if let t = k.optional("burden_thresholds") {
                let tk = try Keys(r, t, "outputs.burden_thresholds", allowed: ["value", "unit"])
                guard try tk.text("unit") == "yuan" else { throw r.error(tk.node("unit"), "outputs.burden_thresholds.unit", "thresholds are in yuan") }
                outputs.burdenThresholdsFen = try r.sequence(try tk.require("value"), "outputs.burden_thresholds.value").enumerated().map { i, n in
                    let s = try r.scalar(n, "outputs.burden_thresholds.value[\(i)]")
                    guard let f = Money.parseYuan(s), f > 0 else {
                        throw r.error(n, "outputs.burden_thresholds.value[\(i)]", "expected a positive amount of yuan, got '\(s)'")
                    }
                    return f
                }
                if Set(outputs.burdenThresholdsFen).count != outputs.burdenThresholdsFen.count {
                    throw r.error(tk.node("value"), "outputs.burden_thresholds.value", "a threshold is given twice")
                }
            }
            if let s = k.optional("income_share") {
                let sk = try Keys(r, s, "outputs.income_share", allowed: ["value", "unit"])
                guard try sk.text("unit") == "percent" else { throw r.error(sk.node("unit"), "outputs.income_share.unit", "expected percent") }
                let v = try sk.text("value")
                // A percentage with two decimals is a count of basis points, as yuan with two decimals are fen.
                guard let bp = Money.parseYuan(v).map({ Int32(clamping: $0) }), bp > 0, bp <= 10_000 else {
                    throw r.error(sk.node("value"), "outputs.income_share.value", "expected a percentage in (0, 100], got '\(v)'")
                }
                outputs.incomeShareBp = bp
            }
            if let n = k.optional("member_table") {
                memberTableNode = n
                outputs.memberTableReplication = try k.integer("member_table", in: 0...1_000_000)
            }
        }

        let replications = try top.integer("replications", in: 1...100_000)
        if let m = outputs.memberTableReplication, m >= replications {
            throw r.error(memberTableNode, "outputs.member_table",
                          "replication \(m) is not run (replications: \(replications), numbered from 0)")
        }
        return Scenario(file: file, text: text, name: name, title: try top.text("title"),
                        description: try top.optional("description").map { try r.scalar($0, "description") },
                        calibration: calibration, members: members, year: year, replications: replications,
                        seed: UInt64(try top.integer("seed", in: 0...Int(Int64.max))), budget: budget,
                        variants: variants, outputs: outputs)
    }

    static func variant(_ node: Node, _ path: String, _ r: YAMLReader, file: String, baselinePolicy: String?) throws -> VariantSpec {
        let k = try Keys(r, node, path, allowed: ["name", "description", "policy", "reform", "set"])
        let name = try k.text("name")
        var policy = baselinePolicy
        if k.optional("policy") != nil { policy = ParameterFile.resolve(try k.text("policy"), besideFile: file) }
        guard let policy else { throw r.error(node, path + ".policy", "the baseline needs a policy file") }
        var reforms: [Overlay] = []
        if let list = k.optional("reform") {
            let nodes: [Node]
            if case .sequence = list { nodes = try r.sequence(list, path + ".reform") } else { nodes = [list] }
            for n in nodes {
                let p = ParameterFile.resolve(try r.scalar(n, path + ".reform"), besideFile: file)
                reforms.append(try Overlay.load(path: p))
            }
        }
        if let set = k.optional("set") {
            let entries = try Overlay.parseEntries(set, path: path + ".set", reader: r)
            guard !entries.isEmpty else { throw r.error(set, path + ".set", "an empty set changes nothing") }
            reforms.append(Overlay(name: name, description: try k.optional("description").map { try r.scalar($0, path + ".description") },
                                   entries: entries))
        }
        if path != "baseline" && reforms.isEmpty && k.optional("policy") == nil {
            throw r.error(node, path, "a reform needs a policy, a reform file or a set of parameter changes")
        }
        return VariantSpec(name: name, description: try k.optional("description").map { try r.scalar($0, path + ".description") },
                           policy: policy, reforms: reforms, origin: Origin(file: file, line: r.line(k.node("name")!)))
    }
}

/// The keys of one mapping, checked against the allowed ones (a misspelt key names its nearest
/// valid spelling), with typed accessors whose errors carry file, line and key path.
struct Keys {
    let reader: YAMLReader
    let path: String
    let mapNode: Node
    let pairs: [(key: String, node: Node, keyNode: Node)]

    init(_ reader: YAMLReader, _ node: Node, _ path: String, allowed: [String]) throws {
        self.reader = reader
        self.path = path
        mapNode = node
        pairs = try reader.mapping(node, path)
        for p in pairs where !allowed.contains(p.key) {
            let near = ParameterNode.nearest(p.key, among: allowed, count: 2)
            throw reader.error(p.keyNode, keyPath(p.key), "unknown key '\(p.key)'; did you mean \(near.map { "'\($0)'" }.joined(separator: " or "))?")
        }
    }

    func keyPath(_ k: String) -> String { path.isEmpty ? k : path + "." + k }
    func node(_ k: String) -> Node? { pairs.first { $0.key == k }?.node }
    func optional(_ k: String) -> Node? { node(k) }

    func require(_ k: String) throws -> Node {
        guard let n = node(k) else { throw reader.error(mapNode, keyPath(k), "missing key '\(k)'") }
        return n
    }

    func text(_ k: String) throws -> String { try reader.scalar(try require(k), keyPath(k)) }

    func integer(_ k: String, in range: ClosedRange<Int>) throws -> Int {
        let s = try text(k)
        guard let v = Int(s.replacingOccurrences(of: "_", with: "")), range.contains(v) else {
            throw reader.error(node(k), keyPath(k), "expected a whole number in \(range.lowerBound)...\(range.upperBound), got '\(s)'")
        }
        return v
    }
}
