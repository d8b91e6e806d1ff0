import Yams

/// A set of parameter changes addressed by dotted path (`ordinary.annual_cap: 4000`): the one
/// mechanism behind a policy's dated exceptions (Tieling's December 2022), reform files and
/// parameter sweeps.
public struct Overlay: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var path: String
        /// The new value; `replacement` carries a full parameter (value with unit and citation)
        /// when the overlay gave one.
        public var value: ParameterValue
        public var replacement: Parameter?
        public var origin: Origin

        public init(path: String, value: ParameterValue, replacement: Parameter? = nil, origin: Origin) {
            self.path = path
            self.value = value
            self.replacement = replacement
            self.origin = origin
        }
    }

    public var name: String
    public var description: String?
    /// The id of the one period the overlay applies to; nil applies it to every period.
    public var period: String?
    /// Where `period` was given, for errors.
    public var periodOrigin: Origin?
    /// The file this overlay was made for, relative to the overlay's folder (optional; a fitted
    /// calibration names the calibration it adjusts).
    public var base: String?
    public var baseOrigin: Origin?
    public var entries: [Entry]

    public init(name: String, description: String? = nil, period: String? = nil, entries: [Entry]) {
        self.name = name
        self.description = description
        self.period = period
        self.entries = entries
    }

    /// Reads a reform file: `name`, optional `description` and `period`, and `set` (path → value).
    public static func load(path file: String) throws -> Overlay {
        try parse(try ParameterFile.readText(file), file: file)
    }

    public static func parse(_ text: String, file: String) throws -> Overlay {
        let reader = YAMLReader(file: file)
        let root = try reader.compose(text)
        var name: String?, description: String?, period: String?, periodOrigin: Origin?
        var base: String?, baseOrigin: Origin?
        var entries: [Entry] = []
        var sawSet = false
        for (key, node, _) in try reader.mapping(root, "") {
            switch key {
            case "name": name = try reader.scalar(node, key)
            case "description": description = try reader.scalar(node, key)
            case "period":
                period = try reader.scalar(node, key)
                periodOrigin = Origin(file: file, line: reader.line(node))
            case "base":
                base = try reader.scalar(node, key)
                baseOrigin = Origin(file: file, line: reader.line(node))
            case "set":
                sawSet = true
                entries = try parseEntries(node, path: "set", reader: reader)
            default:
                throw reader.error(node, key, "unknown key '\(key)' in a reform (allowed: name, description, base, period, set)")
            }
        }
        guard let name else { throw reader.error(root, "name", "a reform needs a name") }
        guard sawSet, !entries.isEmpty else { throw reader.error(root, "set", "a reform needs a non-empty 'set' of parameter paths") }
        var overlay = Overlay(name: name, description: description, period: period, entries: entries)
        overlay.periodOrigin = periodOrigin
        overlay.base = base
        overlay.baseOrigin = baseOrigin
        return overlay
    }

    /// The `set:` mapping of a reform or a period exception.
    public static func parseEntries(_ node: Node, path: String, reader: YAMLReader) throws -> [Entry] {
        try reader.mapping(node, path).map { (key, child, keyNode) in
            let origin = Origin(file: reader.file, line: reader.line(keyNode))
            if case .mapping = child, try reader.mapping(child, key).contains(where: { $0.key == "value" }) {
                let p = try TreeBuilder.parameter(try reader.mapping(child, key), node: child, path: key,
                                                  reader: reader, requireCitation: false)
                return Entry(path: key, value: p.value, replacement: p, origin: origin)
            }
            return Entry(path: key, value: try TreeBuilder.value(child, path: key, reader: reader), origin: origin)
        }
    }
}

extension ParameterNode {
    /// Visits every parameter with its dotted path, in file order.
    public func forEachParameter(prefix: String = "", _ visit: (String, Parameter) -> Void) {
        switch self {
        case .text: return
        case .parameter(let p): visit(prefix, p)
        case .group(let children, _):
            for (k, c) in children { c.forEachParameter(prefix: prefix.isEmpty ? k : prefix + "." + k, visit) }
        }
    }

    /// Every path an overlay can address: parameters, and the entries of table parameters.
    public func addressablePaths(prefix: String = "") -> [String] {
        switch self {
        case .text: return []
        case .group(let children, _):
            return children.flatMap { key, child in child.addressablePaths(prefix: prefix.isEmpty ? key : prefix + "." + key) }
        case .parameter(let p):
            var out = [prefix]
            if case .table(let t) = p.value { out += t.map { prefix + "." + $0.key } }
            return out
        }
    }

    /// Applies one overlay entry; `reform` names the change in the parameter's provenance.
    mutating func apply(_ entry: Overlay.Entry, reform: String?) throws {
        let parts = entry.path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard try set(parts[...], entry: entry, reform: reform) else {
            throw unknownPath(entry)
        }
    }

    private func unknownPath(_ entry: Overlay.Entry) -> PolicyError {
        let nearest = Self.nearest(entry.path, among: addressablePaths(), count: 3)
        return PolicyError(file: entry.origin.file, line: entry.origin.line, path: entry.path,
                           "unknown parameter path; nearest valid paths: \(nearest.joined(separator: ", "))")
    }

    private mutating func set(_ parts: ArraySlice<String>, entry: Overlay.Entry, reform: String?) throws -> Bool {
        switch self {
        case .text:
            return false
        case .group(var children, let origin):
            guard let head = parts.first, let i = children.firstIndex(where: { $0.0 == head }) else { return false }
            var child = children[i].1
            guard try child.set(parts.dropFirst(), entry: entry, reform: reform) else { return false }
            children[i].1 = child
            self = .group(children, origin)
            return true
        case .parameter(var p):
            if parts.isEmpty {
                if let r = entry.replacement {
                    // A full replacement keeps the original citation unless it brings its own.
                    p.value = r.value
                    p.unit = r.unit ?? p.unit
                    if r.article != nil || r.assumed || r.source != nil { p.article = r.article; p.assumed = r.assumed; p.source = r.source }
                    p.note = r.note ?? p.note
                } else {
                    p.value = entry.value
                }
                try Self.checkShape(old: self, new: p.value, entry: entry)
            } else if parts.count == 1, case .table(var t) = p.value,
                      let j = t.firstIndex(where: { $0.key == parts.first! }) {
                guard case .scalar(let s) = entry.value else {
                    throw PolicyError(file: entry.origin.file, line: entry.origin.line, path: entry.path, "a table entry takes a single value")
                }
                t[j].value = s
                t[j].origin = entry.origin
                p.value = .table(t)
            } else {
                return false
            }
            p.origin = entry.origin
            p.changedBy = reform
            self = .parameter(p)
            return true
        }
    }

    private static func checkShape(old: ParameterNode, new: ParameterValue, entry: Overlay.Entry) throws {
        guard case .parameter(let p) = old else { return }
        switch (p.value, new) {
        case (.list, .list), (.table, .table), (.scalar, .scalar), (.scalar, .table), (.table, .scalar): return
        default:
            throw PolicyError(file: entry.origin.file, line: entry.origin.line, path: entry.path,
                              "the new value has another shape than \(p.value.text)")
        }
    }

    /// The `count` paths closest to `path` by edit distance, for error messages.
    public static func nearest(_ path: String, among candidates: [String], count: Int) -> [String] {
        let a = Array(path.utf8)
        return candidates
            .map { ($0, editDistance(a, Array($0.utf8))) }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .prefix(count)
            .map(\.0)
    }

    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}
