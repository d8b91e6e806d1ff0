import Foundation
import XCTest
@testable import Adjudication

/// Replays every input of Fuzz/regressions/FuzzClaims/ (crashes libFuzzer found, issue 7): members
/// CSV, a line `#claims`, claims CSV, as in Fuzz/FuzzClaims. Each must parse or throw, never trap.
final class FuzzRegressionTests: XCTestCase {
    static func inputs(_ target: String, filePath: String = #filePath) throws -> [URL] {
        let root = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Fuzz/regressions/\(target)")
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent != "README" }.sorted { $0.path < $1.path }
    }

    func testClaimsRegressionInputsParseOrThrow() throws {
        let marker = Array("\n#claims\n".utf8)
        for url in try Self.inputs("FuzzClaims") {
            let bytes = [UInt8](try Data(contentsOf: url))
            var first = bytes, rest: [UInt8]?
            if bytes.count >= marker.count,
               let i = (0...(bytes.count - marker.count)).first(where: { Array(bytes[$0..<$0 + marker.count]) == marker }) {
                first = Array(bytes[..<(i + 1)]); rest = Array(bytes[(i + marker.count)...])
            }
            let members = (try? MemberTable.parse(file: "members.csv", bytes: first)) ?? MemberTable()
            _ = try? ClaimTable.parse(file: "claims.csv", bytes: rest ?? first, members: members)
        }
    }
}
