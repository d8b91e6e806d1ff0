import ArgumentParser
import Policy

struct ShowPolicy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check a policy file (and reforms) and print every parameter with its unit and citation.")

    @Argument(help: "Policy parameter file (YAML).")
    var file: String

    @Option(help: "Reform overlay file(s) applied in order.")
    var reform: [String] = []

    func run() throws {
        try reportingErrors {
            let policy = try Policy.load(path: file, reforms: try reform.map { try Overlay.load(path: $0) })
            print("\(policy.id): \(policy.title)")
            print("source: \(policy.source)")
            print("in force from \(Day.format(policy.effectiveFrom)) (\(policy.effectiveArticle))"
                + (policy.reforms.isEmpty ? "" : "; reforms: " + policy.reforms.joined(separator: ", ")))
            for (i, p) in policy.periods.enumerated() {
                print("\nperiod \(p.id): \(Day.format(p.from)) to \(p.to.map(Day.format) ?? "open")")
                var rows: [[String]] = []
                Self.collect(policy.periodTrees[i], prefix: "", into: &rows)
                print(Table.render(header: ["parameter", "value", "unit", "citation", "changed by"], rows: rows))
            }
        }
    }

    static func collect(_ node: ParameterNode, prefix: String, into rows: inout [[String]]) {
        switch node {
        case .text: break
        case .group(let children, _):
            for (k, c) in children { collect(c, prefix: prefix.isEmpty ? k : prefix + "." + k, into: &rows) }
        case .parameter(let p):
            let cite = p.assumed ? "assumed: \(p.source ?? "")" : (p.article ?? "")
            rows.append([prefix, p.value.text, p.unit ?? "", cite, p.changedBy ?? ""])
        }
    }
}
