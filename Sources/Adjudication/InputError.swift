/// A problem in a members or claims file: names the file, the line (1 = header) and the field.
public struct InputError: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var line: Int
    public var field: String
    public var message: String

    public init(file: String, line: Int, field: String, _ message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    public var description: String {
        "\(file):\(line): \(field.isEmpty ? "" : "field '\(field)': ")\(message)"
    }
}
