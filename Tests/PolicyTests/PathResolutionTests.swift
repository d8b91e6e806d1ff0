import Foundation
import XCTest
@testable import Policy

/// Files named in a scenario or calibration are resolved beside it, keeping relative paths
/// relative (stores record what the user wrote) and symbolic links meaning what the system means.
final class PathResolutionTests: XCTestCase {
    func testRelativeStaysRelativeAndFolds() {
        XCTAssertEqual(ParameterFile.resolve("../datasets/x.yaml", besideFile: "scenarios/demo.yaml"), "datasets/x.yaml")
        XCTAssertEqual(ParameterFile.resolve("./x.yaml", besideFile: "demo.yaml"), "x.yaml")
        XCTAssertEqual(ParameterFile.resolve("../../x.yaml", besideFile: "a/demo.yaml"), "../x.yaml")
        XCTAssertEqual(ParameterFile.resolve("/abs/./y/../x.yaml", besideFile: "a/demo.yaml"), "/abs/x.yaml")
    }

    func testDotDotAfterASymbolicLinkIsKept() throws {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("poolsim-links-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: root) }
        try fm.createDirectory(atPath: root + "/real/scenarios", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/real/datasets", withIntermediateDirectories: true)
        try "x".write(toFile: root + "/real/datasets/x.yaml", atomically: true, encoding: .utf8)
        try fm.createDirectory(atPath: root + "/elsewhere", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: root + "/elsewhere/scen", withDestinationPath: root + "/real/scenarios")
        let resolved = ParameterFile.resolve("../datasets/x.yaml", besideFile: root + "/elsewhere/scen/demo.yaml")
        // Folding the text would give elsewhere/datasets/x.yaml, which does not exist; the system's
        // `..` from the link leads to real/datasets.
        XCTAssertEqual(resolved, root + "/elsewhere/scen/../datasets/x.yaml")
        XCTAssertEqual(try String(contentsOfFile: resolved, encoding: .utf8), "x")
    }
}
