import Yams

extension Policy {
    /// The top-level keys of a policy file that are not parameters.
    static let headerKeys = ["id", "title", "source", "effective_from", "periods"]
    /// The parameter groups a policy file may have.
    static let groupKeys = Channel.allCases.map(\.name) + ["basic_insurance", "large_amount", "retirement", "personal_account"]

    /// Loads and validates a policy file, then applies reform overlays in order.
    public static func load(path file: String, reforms: [Overlay] = []) throws -> Policy {
        try parse(try ParameterFile.readText(file), file: file, reforms: reforms)
    }

    public static func parse(_ text: String, file: String, reforms: [Overlay] = []) throws -> Policy {
        let reader = YAMLReader(file: file)
        let root = try reader.compose(text)
        var id: String?, title: String?, source: String?
        var effective: Parameter?
        var periodsNode: Node?
        var paramPairs: [(String, Node)] = []
        for (key, node, keyNode) in try reader.mapping(root, "") {
            switch key {
            case "id": id = try reader.scalar(node, key)
            case "title": title = try reader.scalar(node, key)
            case "source": source = try reader.scalar(node, key)
            case "effective_from":
                guard case .parameter(let p) = try TreeBuilder.build(node, path: key, reader: reader) else {
                    throw reader.error(node, key, "expected a parameter with value and article")
                }
                effective = p
            case "periods": periodsNode = node
            default:
                guard groupKeys.contains(key) else {
                    let near = ParameterNode.nearest(key, among: headerKeys + groupKeys, count: 3)
                    throw reader.error(keyNode, key, "unknown key '\(key)'; nearest valid keys: \(near.joined(separator: ", "))")
                }
                paramPairs.append((key, node))
            }
        }
        guard let id, !id.isEmpty else { throw reader.error(root, "id", "a policy needs an id (used in rule names)") }
        guard let title else { throw reader.error(root, "title", "a policy needs a title") }
        guard let source else { throw reader.error(root, "source", "a policy needs a source") }
        guard let effective else { throw reader.error(root, "effective_from", "a policy needs effective_from") }
        guard case .scalar(let effText) = effective.value, let effectiveFrom = Day.parse(effText) else {
            throw PolicyError(file: file, line: effective.origin.line, path: "effective_from", "expected a date YYYY-MM-DD")
        }
        guard let periodsNode else { throw reader.error(root, "periods", "a policy needs a list of periods") }

        var children: [(String, ParameterNode)] = []
        for (key, node) in paramPairs {
            children.append((key, try TreeBuilder.build(node, path: key, reader: reader)))
        }
        let base = ParameterNode.group(children, Origin(file: file, line: reader.line(root)))

        let specs = try parsePeriods(periodsNode, reader: reader, effectiveFrom: effectiveFrom)
        for reform in reforms {
            if let p = reform.period, !specs.contains(where: { $0.id == p }) {
                throw PolicyError(file: reform.periodOrigin?.file ?? reform.entries.first?.origin.file ?? reform.name,
                                  line: reform.periodOrigin?.line, path: "period",
                                  "no period '\(p)' in \(file) (periods: \(specs.map(\.id).joined(separator: ", ")))")
            }
        }

        var periods: [PeriodParameters] = []
        var trees: [ParameterNode] = []
        for spec in specs {
            var tree = base
            for e in spec.entries { try tree.apply(e, reform: nil) }
            for reform in reforms where reform.period == nil || reform.period == spec.id {
                for e in reform.entries { try tree.apply(e, reform: reform.name) }
            }
            var compiler = Compiler(periodID: spec.id)
            periods.append(try compiler.period(tree, id: spec.id, from: spec.from, to: spec.to))
            trees.append(tree)
        }
        return Policy(id: id, title: title, source: source, file: file, effectiveFrom: effectiveFrom,
                      effectiveArticle: effective.article ?? "", periods: periods, periodTrees: trees,
                      reforms: reforms.map(\.name))
    }

    struct PeriodSpec {
        var id: String
        var from: Int32
        var to: Int32?
        var entries: [Overlay.Entry]
    }

    /// Periods must start at `effective_from`, follow one another without gap or overlap, and only
    /// the last may be open-ended.
    static func parsePeriods(_ node: Node, reader: YAMLReader, effectiveFrom: Int32) throws -> [PeriodSpec] {
        var specs: [PeriodSpec] = []
        let items = try reader.sequence(node, "periods")
        guard !items.isEmpty else { throw reader.error(node, "periods", "needs at least one period") }
        for (i, item) in items.enumerated() {
            let path = "periods[\(i)]"
            var id: String?, from: Int32?, to: Int32?
            var entries: [Overlay.Entry] = []
            for (key, child, _) in try reader.mapping(item, path) {
                let kp = path + "." + key
                switch key {
                case "id": id = try reader.scalar(child, kp)
                case "from", "to":
                    guard let d = Day.parse(try reader.scalar(child, kp)) else {
                        throw reader.error(child, kp, "expected a date YYYY-MM-DD")
                    }
                    if key == "from" { from = d } else { to = d }
                case "article", "description": _ = try reader.scalar(child, kp)
                case "set": entries = try Overlay.parseEntries(child, path: kp, reader: reader)
                default: throw reader.error(child, kp, "unknown key '\(key)' in a period (allowed: id, from, to, article, description, set)")
                }
            }
            guard let id else { throw reader.error(item, path + ".id", "a period needs an id") }
            guard let from else { throw reader.error(item, path + ".from", "a period needs a start date") }
            if let to, to < from { throw reader.error(item, path + ".to", "ends before it starts") }
            if let prev = specs.last {
                guard let prevTo = prev.to else {
                    throw reader.error(item, path, "period '\(prev.id)' is open-ended, so no period can follow it")
                }
                if from <= prevTo { throw reader.error(item, path + ".from", "overlaps period '\(prev.id)'") }
                if from != prevTo + 1 { throw reader.error(item, path + ".from", "leaves a gap after period '\(prev.id)' (ends \(Day.format(prevTo)))") }
            } else if from != effectiveFrom {
                throw reader.error(item, path + ".from", "the first period must start on effective_from (\(Day.format(effectiveFrom)))")
            }
            if specs.contains(where: { $0.id == id }) { throw reader.error(item, path + ".id", "period id '\(id)' used twice") }
            specs.append(PeriodSpec(id: id, from: from, to: to, entries: entries))
        }
        return specs
    }
}
