/// An error in a policy, reform or scenario file: always names the file, the key path and, where
/// the YAML parser gives it, the line.
public struct PolicyError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var line: Int?
    public var path: String
    public var message: String

    public init(file: String, line: Int?, path: String, _ message: String) {
        self.file = file
        self.line = line
        self.path = path
        self.message = message
    }

    public var description: String {
        var s = file
        if let line { s += ":\(line)" }
        if !path.isEmpty { s += ": \(path)" }
        return s + ": " + message
    }
}
