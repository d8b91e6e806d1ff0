import Foundation
import Yams

/// Where a value came from: the file and line that set it (the policy file, a period exception, or
/// a reform overlay).
public struct Origin: Sendable, Equatable {
    public var file: String
    public var line: Int?
    public init(file: String, line: Int?) { self.file = file; self.line = line }
}

/// The value of one parameter as written: a scalar, a list, or a keyed table (per tier, per
/// disease). Kept as text so that decimals are parsed exactly (no binary floating point).
public enum ParameterValue: Sendable, Equatable {
    case scalar(String)
    case list([String])
    case table([TableEntry])

    public struct TableEntry: Sendable, Equatable {
        public var key: String
        public var value: String
        public var origin: Origin
    }

    public var text: String {
        switch self {
        case .scalar(let s): s
        case .list(let l): "[" + l.joined(separator: ", ") + "]"
        case .table(let t): "{" + t.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

/// One policy parameter: its value and the citation that makes it traceable.
public struct Parameter: Sendable, Equatable {
    public var value: ParameterValue
    public var unit: String?
    /// The article of the policy text that gives the value (e.g. "§9").
    public var article: String?
    /// True where the policy text is silent and the value is ours, with `source` saying why.
    public var assumed: Bool
    public var source: String?
    public var note: String?
    public var origin: Origin
    /// The reform that changed this value, if any.
    public var changedBy: String?
}

/// A node of the parameter tree: a group of named children, a parameter, or plain metadata text
/// (such as a benefit's `article`).
public indirect enum ParameterNode: Sendable, Equatable {
    case group([(String, ParameterNode)], Origin)
    case parameter(Parameter)
    case text(String, Origin)

    public static func == (a: ParameterNode, b: ParameterNode) -> Bool {
        switch (a, b) {
        case let (.group(x, ox), .group(y, oy)):
            ox == oy && x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.parameter(x), .parameter(y)): x == y
        case let (.text(x, ox), .text(y, oy)): x == y && ox == oy
        default: false
        }
    }

    var origin: Origin {
        switch self {
        case .group(_, let o), .text(_, let o): o
        case .parameter(let p): p.origin
        }
    }
}

/// Reading YAML nodes with errors that carry file, line and key path.
public struct YAMLReader {
    public let file: String

    public init(file: String) { self.file = file }

    public func line(_ node: Node) -> Int? { node.mark?.line }

    public func error(_ node: Node?, _ path: String, _ message: String) -> PolicyError {
        PolicyError(file: file, line: node?.mark?.line, path: path, message)
    }

    public func compose(_ text: String) throws -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw PolicyError(file: file, line: nil, path: "", "the file is empty")
            }
            return node
        } catch let e as PolicyError {
            throw e
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            let key = duplicates.first ?? ""
            let (line, path) = Self.locateDuplicate(key, in: text, after: context.mark.line)
            throw PolicyError(file: file, line: line, path: path, "key '\(key)' given twice")
        } catch let e as YamlError {
            throw PolicyError(file: file, line: Self.line(of: e), path: "", "not valid YAML: \(e)")
        } catch {
            throw PolicyError(file: file, line: nil, path: "", "not valid YAML: \(error)")
        }
    }

    /// Yams reports a duplicated key with the mapping's position only: find the second block-style
    /// line that defines `key` and rebuild its key path from the indentation above it.
    static func locateDuplicate(_ key: String, in text: String, after mappingLine: Int) -> (Int?, String) {
        // Lines as YAML counts them (LF, CRLF or CR alone): a String's "\r\n" is one Character, so
        // splitting at "\n" alone missed CRLF and CR files, and the mapping's line then lay past the
        // end of `lines` (a trap on the range below, found by Fuzz/FuzzScenario, issue 7).
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        func indent(_ l: String) -> Int { l.prefix { $0 == " " }.count }
        func keyOf(_ l: String) -> String? {
            let t = l.drop { $0 == " " || $0 == "-" }
            guard !t.hasPrefix("#"), let colon = t.firstIndex(of: ":") else { return nil }
            return String(t[..<colon]).trimmingCharacters(in: .whitespaces)
        }
        var seen = 0
        for i in min(max(mappingLine - 1, 0), lines.count)..<lines.count where keyOf(lines[i]) == key {
            seen += 1
            guard seen == 2 else { continue }
            var path = [key]
            var level = indent(lines[i])
            var j = i - 1
            while j >= 0 && level > 0 {
                if let k = keyOf(lines[j]), indent(lines[j]) < level, !lines[j].trimmingCharacters(in: .whitespaces).hasPrefix("-") {
                    path.insert(k, at: 0)
                    level = indent(lines[j])
                }
                j -= 1
            }
            return (i + 1, path.joined(separator: "."))
        }
        return (mappingLine, key)
    }

    static func line(of e: YamlError) -> Int? {
        switch e {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }

    /// The pairs of a mapping node; duplicate keys are an error (YAML allows them to be caught).
    public func mapping(_ node: Node, _ path: String) throws -> [(key: String, node: Node, keyNode: Node)] {
        guard case .mapping(let m) = node else {
            throw error(node, path, "expected a mapping of keys")
        }
        var out: [(key: String, node: Node, keyNode: Node)] = []
        var seen = Set<String>()
        for (k, v) in m {
            guard case .scalar(let ks) = k else { throw error(k, path, "keys must be plain text") }
            let key = ks.string
            let p = path.isEmpty ? key : path + "." + key
            guard seen.insert(key).inserted else { throw error(k, p, "key given twice") }
            out.append((key, v, k))
        }
        return out
    }

    public func scalar(_ node: Node, _ path: String) throws -> String {
        guard case .scalar(let s) = node else { throw error(node, path, "expected a single value") }
        return s.string
    }

    public func sequence(_ node: Node, _ path: String) throws -> [Node] {
        guard case .sequence(let s) = node else { throw error(node, path, "expected a list") }
        return Array(s)
    }
}

/// What makes a value traceable. Policy values cite the article of their text; calibration and
/// scenario values may instead cite a published source. Either may be `assumed: true` with a
/// source saying why.
public enum Citation: Sendable {
    case article
    case articleOrSource
}

enum TreeBuilder {
    static let parameterKeys: Set<String> = ["value", "unit", "article", "assumed", "source", "note"]
    static let metadataKeys: Set<String> = ["article", "description"]

    /// Builds the tree of a policy's parameter section. A mapping with a `value` key is a parameter;
    /// any other mapping is a group; a scalar is allowed only under metadata keys.
    static func build(_ node: Node, path: String, reader: YAMLReader, citation: Citation = .article) throws -> ParameterNode {
        let origin = Origin(file: reader.file, line: reader.line(node))
        let pairs = try reader.mapping(node, path)
        if pairs.contains(where: { $0.key == "value" }) {
            return .parameter(try parameter(pairs, node: node, path: path, reader: reader, requireCitation: true, citation: citation))
        }
        var children: [(String, ParameterNode)] = []
        for (key, child, _) in pairs {
            let p = path.isEmpty ? key : path + "." + key
            if case .scalar = child {
                guard metadataKeys.contains(key) else {
                    throw reader.error(child, p, "a parameter must be a mapping with value, unit and article (or assumed: true and source)")
                }
                children.append((key, .text(try reader.scalar(child, p), Origin(file: reader.file, line: reader.line(child)))))
            } else {
                children.append((key, try build(child, path: p, reader: reader, citation: citation)))
            }
        }
        return .group(children, origin)
    }

    static func parameter(_ pairs: [(key: String, node: Node, keyNode: Node)], node: Node, path: String,
                          reader: YAMLReader, requireCitation: Bool, citation: Citation = .article) throws -> Parameter {
        var value: ParameterValue?
        var p = Parameter(value: .scalar(""), unit: nil, article: nil, assumed: false, source: nil, note: nil,
                          origin: Origin(file: reader.file, line: reader.line(node)), changedBy: nil)
        for (key, child, _) in pairs {
            let kp = path + "." + key
            switch key {
            case "value": value = try self.value(child, path: path, reader: reader)
            case "unit": p.unit = try reader.scalar(child, kp)
            case "article": p.article = try reader.scalar(child, kp)
            case "source": p.source = try reader.scalar(child, kp)
            case "note": p.note = try reader.scalar(child, kp)
            case "assumed":
                switch try reader.scalar(child, kp) {
                case "true": p.assumed = true
                case "false": p.assumed = false
                default: throw reader.error(child, kp, "expected true or false")
                }
            default:
                throw reader.error(child, kp, "unknown key '\(key)' in a parameter (allowed: \(parameterKeys.sorted().joined(separator: ", ")))")
            }
        }
        p.value = value!
        if p.assumed && p.source == nil {
            throw reader.error(node, path, "an assumed value needs a source saying where it comes from or why")
        }
        if requireCitation {
            if p.assumed {
                guard p.source != nil else { throw reader.error(node, path, "an assumed value needs a source saying where it comes from or why") }
            } else if p.article == nil && !(citation == .articleOrSource && p.source != nil) {
                throw reader.error(node, path, citation == .article
                    ? "needs an article, or assumed: true with a source"
                    : "needs a source (or an article), or assumed: true with a source saying why")
            }
        }
        return p
    }

    static func value(_ node: Node, path: String, reader: YAMLReader) throws -> ParameterValue {
        switch node {
        case .scalar(let s):
            return .scalar(s.string)
        case .sequence(let seq):
            return .list(try seq.map { try reader.scalar($0, path) })
        case .mapping:
            return .table(try reader.mapping(node, path).map { (key, child, _) in
                ParameterValue.TableEntry(key: key, value: try reader.scalar(child, path + "." + key),
                                          origin: Origin(file: reader.file, line: reader.line(child)))
            })
        default:
            throw reader.error(node, path, "unsupported value")
        }
    }
}
