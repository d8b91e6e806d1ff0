import Foundation
import XCTest
@testable import Policy

/// Helpers shared by the PolicyTests: locating the bundled policy files, catching `PolicyError`s,
/// finding the line of a snippet in an inline YAML text, and a small valid policy to mutate.
enum Fixtures {
    /// `datasets/policies/` of the package, found from this file (Tests/PolicyTests/X.swift).
    static var policiesDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()   // Tests/PolicyTests
            .deletingLastPathComponent()   // Tests
            .deletingLastPathComponent()   // package root
            .appendingPathComponent("datasets")
            .appendingPathComponent("policies")
    }

    static func policyPath(_ name: String) -> String {
        policiesDirectory.appendingPathComponent(name + ".yaml").path
    }

    static func policyText(_ name: String) throws -> String {
        try String(contentsOfFile: policyPath(name), encoding: .utf8)
    }

    /// A small, valid one-benefit policy. Every validation test changes exactly one thing in it, so
    /// the error a test expects is the only one in the text.
    static let minimal = """
        id: mini
        title: Minimal test policy
        source: PolicyTests
        effective_from: {value: 2023-01-01, article: "§1"}
        periods:
          - id: p1
            from: 2023-01-01
        ordinary:
          article: "§5"
          designated_only: {value: true, article: "§5"}
          tiers: {value: [0, 1, 2, 3], article: "§5"}
          sites: {value: [local, remote_registered], article: "§11"}
          deductible_mode: {value: annual_topup, article: "§5"}
          deductible: {value: 300, unit: yuan, article: "§5"}
          ratio: {value: {tier1: 60, tier2: 55, tier3: 50}, unit: percent, article: "§5"}
          retired_uplift: {value: 5, unit: points, article: "§5"}
          cap_pool: {value: own, article: "§5"}
          annual_cap: {value: 3000, unit: yuan, article: "§5"}
        retirement:
          ratio_switch: {value: on_date, article: "§19"}

        """

    /// The minimal policy's periods block (two lines), for tests that replace it.
    static let minimalPeriods = """
          - id: p1
            from: 2023-01-01

        """
}

extension XCTestCase {
    /// `text` with `old` (which must occur exactly once) replaced by `new`.
    func replacing(_ old: String, with new: String, in text: String,
                   file: StaticString = #filePath, line: UInt = #line) -> String {
        let n = text.components(separatedBy: old).count - 1
        XCTAssertEqual(n, 1, "fixture edit: '\(old)' should occur exactly once", file: file, line: line)
        return text.replacingOccurrences(of: old, with: new)
    }

    /// The 1-based line of the only line of `text` containing `needle`.
    func lineOf(_ needle: String, in text: String, file: StaticString = #filePath, line: UInt = #line) -> Int {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let hits = lines.indices.filter { lines[$0].contains(needle) }
        XCTAssertEqual(hits.count, 1, "fixture: '\(needle)' should be on exactly one line", file: file, line: line)
        return (hits.first ?? -1) + 1
    }

    /// The `PolicyError` that `body` throws; records a failure (and returns nil) if it throws nothing
    /// or something else.
    func policyError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> PolicyError? {
        do {
            _ = try body()
            XCTFail("expected a PolicyError, but it succeeded", file: file, line: line)
            return nil
        } catch let e as PolicyError {
            return e
        } catch {
            XCTFail("expected a PolicyError, got \(type(of: error)): \(error)", file: file, line: line)
            return nil
        }
    }

    /// Parses `text` as a policy named `x.yaml` and checks the error's file, line, path and message.
    @discardableResult
    func assertPolicyError(_ text: String, line expectedLine: Int?, path: String, messageContains: [String],
                           fileName: String = "x.yaml", reforms: [Overlay] = [],
                           file: StaticString = #filePath, line: UInt = #line) -> PolicyError? {
        guard let e = policyError({ try Policy.parse(text, file: fileName, reforms: reforms) }, file: file, line: line) else {
            return nil
        }
        assertError(e, file: fileName, line: expectedLine, path: path, messageContains: messageContains,
                    sourceFile: file, sourceLine: line)
        return e
    }

    func assertError(_ e: PolicyError, file fileName: String, line expectedLine: Int?, path: String,
                     messageContains: [String], sourceFile: StaticString = #filePath, sourceLine: UInt = #line) {
        XCTAssertEqual(e.file, fileName, "file of \(e)", file: sourceFile, line: sourceLine)
        XCTAssertEqual(e.line, expectedLine, "line of \(e)", file: sourceFile, line: sourceLine)
        XCTAssertEqual(e.path, path, "path of \(e)", file: sourceFile, line: sourceLine)
        for fragment in messageContains {
            XCTAssertTrue(e.message.contains(fragment), "message of \(e) should contain '\(fragment)'",
                          file: sourceFile, line: sourceLine)
        }
        // The description a user sees names the file and, where known, the line.
        let prefix = fileName + (expectedLine.map { ":\($0)" } ?? "")
        XCTAssertTrue(e.description.hasPrefix(prefix), "description \(e.description) should start with \(prefix)",
                      file: sourceFile, line: sourceLine)
    }
}

extension ParameterNode {
    /// Every parameter of the tree with its dotted path.
    func allParameters(prefix: String = "") -> [(path: String, parameter: Parameter)] {
        switch self {
        case .text: return []
        case .parameter(let p): return [(prefix, p)]
        case .group(let children, _):
            return children.flatMap { key, child in
                child.allParameters(prefix: prefix.isEmpty ? key : prefix + "." + key)
            }
        }
    }

    /// The parameter at a dotted path, if there is one.
    func parameter(at path: String) -> Parameter? {
        allParameters().first { $0.path == path }?.parameter
    }
}
