import Foundation
import XCTest
@testable import Policy

/// Replays every input of Fuzz/regressions/FuzzPolicy/ (crashes libFuzzer found, issue 7): a policy
/// file, then overlays each after a line `#overlay`, as in Fuzz/FuzzPolicy. Parse or throw, never trap.
final class FuzzRegressionTests: XCTestCase {
    func testPolicyRegressionInputsParseOrThrow() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Fuzz/regressions/FuzzPolicy")
        for url in try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            where url.lastPathComponent != "README" {
            let parts = String(decoding: try Data(contentsOf: url), as: UTF8.self).components(separatedBy: "\n#overlay\n")
            let reforms = parts.dropFirst().enumerated().compactMap { try? Overlay.parse($1, file: "overlay\($0).yaml") }
            _ = try? Policy.parse(parts[0], file: "policy.yaml", reforms: reforms)
        }
    }

    /// A duplicated key in a CRLF or CR-only file trapped in YAMLReader.locateDuplicate (the line
    /// split saw one line); now the error names the right line and key path.
    func testDuplicateKeyInCRLFAndCRFilesIsLocated() {
        for eol in ["\r\n", "\r", "\n"] {
            let text = ["x: 1", "y: 2", "m:", "  a: 1", "  a: 2", ""].joined(separator: eol)
            XCTAssertThrowsError(try YAMLReader(file: "p.yaml").compose(text)) { error in
                let e = error as? PolicyError
                XCTAssertEqual(e?.line, 5, "line ends \(eol.debugDescription)")
                XCTAssertEqual(e?.path, "m.a", "line ends \(eol.debugDescription)")
            }
        }
    }
}
