import Foundation
import XCTest
@testable import Simulation

/// Replays every input of Fuzz/regressions/FuzzScenario/ (crashes libFuzzer found, issue 7): each
/// scenario file must parse or throw, never trap.
final class FuzzRegressionTests: XCTestCase {
    func testScenarioRegressionInputsParseOrThrow() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Fuzz/regressions/FuzzScenario")
        for url in try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            where url.lastPathComponent != "README" {
            _ = try? Scenario.parse(String(decoding: try Data(contentsOf: url), as: UTF8.self), file: "scenarios/fuzz.yaml")
        }
    }
}
