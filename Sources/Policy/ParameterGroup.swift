/// Reads the children of one group of a parameter tree, remembering which keys were used so that
/// `finish` can reject the rest. Every error names the file, line and key path of the value at
/// fault. Policy files, calibration files and scenario files are all read through it.
public struct ParameterGroup {
    public let path: String
    public let origin: Origin
    public let children: [(String, ParameterNode)]
    var used: Set<String> = []

    public init(_ node: ParameterNode, path: String) throws {
        guard case .group(let c, let o) = node else {
            throw PolicyError(file: node.origin.file, line: node.origin.line, path: path, "expected a group of parameters")
        }
        self.path = path
        self.origin = o
        self.children = c
    }

    public func keyPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// The keys present, in file order.
    public var keys: [String] { children.map(\.0) }

    public mutating func node(_ key: String) -> ParameterNode? {
        used.insert(key)
        return children.first { $0.0 == key }?.1
    }

    public mutating func parameter(_ key: String) throws -> Parameter? {
        guard let n = node(key) else { return nil }
        guard case .parameter(let p) = n else {
            throw PolicyError(file: n.origin.file, line: n.origin.line, path: keyPath(key), "expected a parameter (a mapping with value)")
        }
        return p
    }

    public mutating func require(_ key: String) throws -> Parameter {
        guard let p = try parameter(key) else { throw missing(key) }
        return p
    }

    /// A missing key; when a key present but not read is a near miss of it (a typo), the error
    /// points at that key instead.
    func missing(_ key: String) -> PolicyError {
        let a = Array(key.utf8)
        if let (k, n) = children.first(where: { !used.contains($0.0) && ParameterNode.editDistance(a, Array($0.0.utf8)) <= 2 }) {
            return PolicyError(file: n.origin.file, line: n.origin.line, path: keyPath(k),
                               "unknown key '\(k)'; did you mean '\(key)'?")
        }
        return PolicyError(file: origin.file, line: origin.line, path: keyPath(key), "missing")
    }

    public mutating func text(_ key: String) throws -> String {
        guard let n = node(key) else {
            throw PolicyError(file: origin.file, line: origin.line, path: keyPath(key), "missing")
        }
        guard case .text(let s, _) = n else {
            throw PolicyError(file: n.origin.file, line: n.origin.line, path: keyPath(key), "expected plain text")
        }
        return s
    }

    public mutating func group(_ key: String) throws -> ParameterGroup? {
        guard let n = node(key) else { return nil }
        return try ParameterGroup(n, path: keyPath(key))
    }

    public mutating func requireGroup(_ key: String) throws -> ParameterGroup {
        guard let g = try group(key) else { throw missing(key) }
        return g
    }

    public func finish(allowed: [String]) throws {
        // `description` is free text for readers, allowed everywhere.
        for (key, n) in children where !used.contains(key) && key != "description" {
            let near = ParameterNode.nearest(key, among: allowed, count: 3)
            throw PolicyError(file: n.origin.file, line: n.origin.line, path: keyPath(key),
                              "unknown key '\(key)'; nearest valid keys: \(near.joined(separator: ", "))")
        }
    }

    // MARK: Decimal values (calibration and scenario files)

    /// A decimal number with the given unit, within `range`.
    public mutating func number(_ key: String, unit: String, in range: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude) throws -> Double {
        let p = try require(key)
        let kp = keyPath(key)
        try Self.checkUnit(p, kp, unit)
        guard case .scalar(let s) = p.value else {
            throw PolicyError(file: p.origin.file, line: p.origin.line, path: kp, "expected a single value, got \(p.value.text)")
        }
        return try Self.decimal(s, range: range, file: p.origin.file, line: p.origin.line, path: kp)
    }

    /// A table of decimal numbers with the given unit, in file order. When `keys` is given the
    /// table must have exactly those keys (in any order); the result follows `keys`' order.
    public mutating func numberTable(_ key: String, unit: String, keys: [String]? = nil,
                                     in range: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude) throws -> [(key: String, value: Double)] {
        let p = try require(key)
        let kp = keyPath(key)
        try Self.checkUnit(p, kp, unit)
        guard case .table(let t) = p.value else {
            throw PolicyError(file: p.origin.file, line: p.origin.line, path: kp, "expected a table of values, got \(p.value.text)")
        }
        guard !t.isEmpty else { throw PolicyError(file: p.origin.file, line: p.origin.line, path: kp, "the table is empty") }
        var out: [(key: String, value: Double)] = []
        for e in t {
            if let keys, !keys.contains(e.key) {
                throw PolicyError(file: e.origin.file, line: e.origin.line, path: kp + "." + e.key,
                                  "unknown key '\(e.key)' (expected: \(keys.joined(separator: ", ")))")
            }
            out.append((e.key, try Self.decimal(e.value, range: range, file: e.origin.file, line: e.origin.line, path: kp + "." + e.key)))
        }
        guard let keys else { return out }
        return try keys.map { k in
            guard let v = out.first(where: { $0.key == k }) else {
                throw PolicyError(file: p.origin.file, line: p.origin.line, path: kp + "." + k, "missing (the table needs \(keys.joined(separator: ", ")))")
            }
            return v
        }
    }

    /// A list of decimal numbers with the given unit.
    public mutating func numberList(_ key: String, unit: String, in range: ClosedRange<Double> = 0...Double.greatestFiniteMagnitude) throws -> [Double] {
        let p = try require(key)
        let kp = keyPath(key)
        try Self.checkUnit(p, kp, unit)
        guard case .list(let l) = p.value else {
            throw PolicyError(file: p.origin.file, line: p.origin.line, path: kp, "expected a list of values, got \(p.value.text)")
        }
        return try l.enumerated().map { i, s in
            try Self.decimal(s, range: range, file: p.origin.file, line: p.origin.line, path: kp + "[\(i)]")
        }
    }

    static func checkUnit(_ p: Parameter, _ path: String, _ unit: String) throws {
        if let message = unitMismatch(p, unit) { throw PolicyError(file: p.origin.file, line: p.origin.line, path: path, message) }
    }

    /// What is wrong with `p`'s unit, or nil when it is `unit` (shared with the policy compiler).
    static func unitMismatch(_ p: Parameter, _ unit: String) -> String? {
        p.unit == unit ? nil : "unit must be '\(unit)'" + (p.unit.map { ", not '\($0)'" } ?? " (no unit given)")
    }

    /// Plain decimal notation only (digits, one point, an optional leading minus): `1e3`, `inf`
    /// and `nan` are refused, so that a file means the same to every reader.
    static func decimal(_ s: String, range: ClosedRange<Double>, file: String, line: Int?, path: String) throws -> Double {
        let body = s.hasPrefix("-") ? s.dropFirst() : Substring(s)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        let ok = !body.isEmpty && parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0 >= "0" && $0 <= "9" } }
        guard ok, let v = Double(s) else {
            throw PolicyError(file: file, line: line, path: path, "expected a decimal number, got '\(s)'")
        }
        guard range.contains(v) else {
            let hi = range.upperBound == .greatestFiniteMagnitude ? "" : " and \(range.upperBound)"
            throw PolicyError(file: file, line: line, path: path, "must be between \(range.lowerBound)\(hi), got \(s)")
        }
        return v
    }
}
