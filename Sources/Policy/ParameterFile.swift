import Foundation
import Yams

/// A YAML file of cited parameters with a few plain header keys (`id`, `title`, ...): the format
/// shared by policy, calibration and scenario files. Header keys hold text; every other top-level
/// key is a group of parameters, each value with its unit and citation.
public struct ParameterFile: Sendable {
    public var file: String
    /// Header values by key, with the line that set them.
    public var header: [String: (text: String, origin: Origin)]
    /// The parameter groups, in file order.
    public var tree: ParameterNode

    /// Reads `text`; keys outside `headerKeys` and `groupKeys` are errors listing the nearest valid ones.
    public static func parse(_ text: String, file: String, headerKeys: [String], groupKeys: [String],
                             citation: Citation) throws -> ParameterFile {
        let reader = YAMLReader(file: file)
        let root = try reader.compose(text)
        var header: [String: (text: String, origin: Origin)] = [:]
        var children: [(String, ParameterNode)] = []
        for (key, node, keyNode) in try reader.mapping(root, "") {
            if headerKeys.contains(key) {
                header[key] = (try reader.scalar(node, key), Origin(file: file, line: reader.line(node)))
            } else if groupKeys.contains(key) {
                children.append((key, try TreeBuilder.build(node, path: key, reader: reader, citation: citation)))
            } else {
                let near = ParameterNode.nearest(key, among: headerKeys + groupKeys, count: 3)
                throw reader.error(keyNode, key, "unknown key '\(key)'; nearest valid keys: \(near.joined(separator: ", "))")
            }
        }
        return ParameterFile(file: file, header: header, tree: .group(children, Origin(file: file, line: reader.line(root))))
    }

    public static func load(path: String, headerKeys: [String], groupKeys: [String], citation: Citation) throws -> ParameterFile {
        try parse(try readText(path), file: path, headerKeys: headerKeys, groupKeys: groupKeys, citation: citation)
    }

    /// Reads a UTF-8 text file, or throws an error naming it.
    public static func readText(_ path: String) throws -> String {
        do { return try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw PolicyError(file: path, line: nil, path: "", "cannot read the file: \(error.localizedDescription)")
        }
    }

    /// `path` as written in `file`: absolute, or relative to the folder of `file`. A relative
    /// `file` gives a relative result, with `.` and `..` folded where they can be
    /// (`scenarios/../datasets/x.yaml` → `datasets/x.yaml`), so that run stores and messages name
    /// files as the user does, not by this machine's absolute paths.
    public static func resolve(_ path: String, besideFile file: String) -> String {
        if path.hasPrefix("/") { return normalize(path) }
        let slash = file.lastIndex(of: "/")
        let folder = slash.map { String(file[...$0]) } ?? ""
        return normalize(folder + path)
    }

    /// Folds `.` and `name/..` segments; `name/..` stays when `name` is a symbolic link, where the
    /// system's `..` leads elsewhere than the text suggests.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var out: [Substring] = []
        func isLink(_ parts: [Substring]) -> Bool {
            let p = (absolute ? "/" : "") + parts.joined(separator: "/")
            return (try? FileManager.default.destinationOfSymbolicLink(atPath: p)) != nil
        }
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = out.last, last != "..", !isLink(out) { out.removeLast(); continue }
            if part == "..", absolute, out.isEmpty { continue }
            out.append(part)
        }
        let joined = out.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }

    /// A required header value.
    public func require(_ key: String) throws -> (text: String, origin: Origin) {
        guard let v = header[key] else { throw PolicyError(file: file, line: 1, path: key, "missing") }
        return v
    }

    /// Applies overlay entries (e.g. the output of `poolsim calibrate`) to the tree.
    public mutating func apply(_ overlay: Overlay) throws {
        for e in overlay.entries { try tree.apply(e, reform: overlay.name) }
    }
}
