import ArgumentParser
import Adjudication
import Foundation
import Results

/// `poolsim report`: one self-contained HTML page of a run store for policy makers.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run store's report: one self-contained HTML file (inline SVG charts, no network).",
        discussion: """
            Headline (fund outlay per variant with its 95% interval, the fund needed at 95% and 99%, the \
            overrun probability when the scenario sets a budget), charts (outlay per replication, burden \
            percentiles by subgroup, winners and losers, the sweep curve of a sweep), each reform's \
            parameter differences with their articles, and the methods with every assumed value and its \
            source. Labels in Chinese and English (--lang both, the default), or one of them.
            """)

    @Argument(help: "Run store (SQLite) written by `poolsim run` or `poolsim sweep`.") var store: String
    @Option(help: "HTML file to write, e.g. out/report.html.") var out: String
    @Option(help: "Label language: zh, en or both.") var lang: String = "both"

    func validate() throws {
        guard Report.Language(rawValue: lang) != nil else { throw ValidationError("--lang must be zh, en or both") }
    }

    func run() throws {
        try reportingErrors {
            let clock = ContinuousClock.now
            let html = try Report.render(path: store, language: Report.Language(rawValue: lang) ?? .both)
            let dir = URL(fileURLWithPath: out).deletingLastPathComponent().path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try writeFileAtomically(Array(html.utf8), to: out)
            let seconds = Double((ContinuousClock.now - clock) / .milliseconds(1)) / 1000
            print("→ \(out) (\(ComparisonTable.grouped(Double(html.utf8.count) / 1024, 0)) KiB, \(String(format: "%.2f", seconds)) s)")
        }
    }
}
