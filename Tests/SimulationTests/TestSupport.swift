import Foundation
import XCTest
@_exported import ScenarioTestSupport

/// The 1-based line of the first line of `text` that starts with `prefix`.
func line(of prefix: String, in text: String, file: StaticString = #filePath, line: UInt = #line) -> Int? {
    let i = text.components(separatedBy: "\n").firstIndex { $0.hasPrefix(prefix) }
    XCTAssertNotNil(i, "no line starts with '\(prefix)'", file: file, line: line)
    return i.map { $0 + 1 }
}
