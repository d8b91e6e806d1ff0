import Foundation
import Results
import XCTest

/// The run store's file hashes: FIPS 180-4 test vectors, and agreement with `sha256sum`.
final class SHA256Tests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testFIPSVectors() {
        XCTAssertEqual(SHA256.hex(Array("".utf8)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // 448 bits: the padding no longer fits the block, so a second block holds the length.
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        XCTAssertEqual(SHA256.digest(Array("abc".utf8)).count, 32)
    }

    /// Message lengths around the 55/56/64-byte padding boundaries, against `sha256sum`.
    func testPaddingBoundariesAgainstSha256sum() throws {
        for n in [55, 56, 63, 64, 65, 119, 120] {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
            XCTAssertEqual(SHA256.hex(bytes), try sha256sum(stdin: Data(bytes)), "\(n) bytes")
        }
    }

    func testFileHashEqualsSha256sum() throws {
        let file = Self.root.appendingPathComponent("datasets/policies/yanbian.yaml")
        let bytes = try Data(contentsOf: file)
        XCTAssertGreaterThan(bytes.count, 1000)
        XCTAssertEqual(SHA256.hex(bytes), try sha256sum(file: file.path))
    }

    func sha256sum(file: String? = nil, stdin: Data? = nil) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["sha256sum"] + (file.map { [$0] } ?? [])
        let out = Pipe(), input = Pipe()
        p.standardOutput = out
        if stdin != nil { p.standardInput = input }
        try p.run()
        if let stdin {
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        return String(text.prefix(64))
    }
}
