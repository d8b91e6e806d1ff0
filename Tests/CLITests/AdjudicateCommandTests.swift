import Foundation
import XCTest

/// Runs the built `poolsim` binary as a user would.
final class AdjudicateCommandTests: CommandTestCase {
    /// These tests name the repository's files relative to its root.
    override var workingDirectory: URL { Self.root }

    let members = """
    member_id,status,retired_on
    m1,in_service,
    m2,retired,
    """

    func adjudicate(claims: String, members: String? = nil, policy city: String = "tieling", extra: [String] = []) throws -> (Int32, String, String) {
        try write("members.csv", members ?? self.members)
        try write("claims.csv", claims)
        return try run(["adjudicate", "--policy", policy(city), "--members", path("members.csv"),
                        "--claims", path("claims.csv"), "--out", path("out.csv")] + extra)
    }

    /// The bad-input contract: an error naming file, line and field; a non-zero exit; no output.
    func assertRejected(claims: String, members: String? = nil, extra: [String] = [], mentions: [String],
                        file: StaticString = #filePath, line: UInt = #line) throws {
        let (status, _, err) = try adjudicate(claims: claims, members: members, extra: extra)
        XCTAssertNotEqual(status, 0, "exit status", file: file, line: line)
        for m in mentions { XCTAssertTrue(err.contains(m), "stderr should mention \(m): \(err)", file: file, line: line) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.csv")), "no output file", file: file, line: line)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [], "no temporary file left", file: file, line: line)
    }

    let header = "claim_id,member_id,date,tier,total_cost,compliant_cost\n"

    func testMissingColumn() throws {
        try assertRejected(claims: "claim_id,member_id,date,tier,total_cost\nc1,m1,2023-03-01,3,1000\n",
                           mentions: ["claims.csv:1:", "field 'compliant_cost'", "required column is missing"])
    }

    func testBadDate() throws {
        try assertRejected(claims: header + "c1,m1,2023-03-01,3,1000,1000\nc2,m1,2023-02-30,3,10,10\n",
                           mentions: ["claims.csv:3:", "field 'date'", "2023-02-30"])
    }

    func testUnknownTier() throws {
        try assertRejected(claims: header + "c1,m1,2023-03-01,5,1000,1000\n", mentions: ["claims.csv:2:", "field 'tier'", "'5'"])
    }

    func testNegativeCost() throws {
        try assertRejected(claims: header + "c1,m1,2023-03-01,3,-10,0\n", mentions: ["claims.csv:2:", "field 'total_cost'", "negative"])
    }

    func testCompliantAboveTotal() throws {
        try assertRejected(claims: header + "c1,m1,2023-03-01,3,100,100.01\n", mentions: ["claims.csv:2:", "field 'compliant_cost'", "more than total_cost"])
    }

    func testThreeDecimals() throws {
        try assertRejected(claims: header + "c1,m1,2023-03-01,3,100.005,100\n", mentions: ["claims.csv:2:", "field 'total_cost'"])
    }

    func testUnknownMember() throws {
        try assertRejected(claims: header + "c1,m1,2023-03-01,3,100,100\nc2,m9,2023-03-02,3,100,100\n",
                           mentions: ["claims.csv:3:", "field 'member_id'", "unknown member 'm9'"])
    }

    func testUnknownChannelAndDuplicateClaim() throws {
        try assertRejected(claims: "claim_id,member_id,date,tier,total_cost,compliant_cost,channel\nc1,m1,2023-03-01,3,100,100,dental\n",
                           mentions: ["claims.csv:2:", "field 'channel'", "'dental'"])
        try assertRejected(claims: header + "c1,m1,2023-03-01,3,100,100\nc1,m1,2023-03-02,3,100,100\n",
                           mentions: ["claims.csv:3:", "field 'claim_id'", "twice"])
    }

    func testBadMembersFile() throws {
        try assertRejected(claims: header, members: "member_id,status\nm1,on_leave\n",
                           mentions: ["members.csv:2:", "field 'status'", "on_leave"])
    }

    func testUnknownPolicyKey() throws {
        let text = try String(contentsOfFile: policy("tieling"), encoding: .utf8)
            .replacingOccurrences(of: "  retired_uplift: {value: 5", with: "  retired_uplfit: {value: 5")
        let bad = try write("bad-policy.yaml", text)
        try write("members.csv", members)
        try write("claims.csv", header + "c1,m1,2023-03-01,3,100,100\n")
        let (status, _, err) = try run(["adjudicate", "--policy", bad, "--members", path("members.csv"),
                                        "--claims", path("claims.csv"), "--out", path("out.csv")])
        XCTAssertNotEqual(status, 0)
        let line = text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("  retired_uplfit:") }! + 1
        XCTAssertTrue(err.contains("bad-policy.yaml:\(line): ordinary.retired_uplfit: unknown key 'retired_uplfit'"), err)
        XCTAssertTrue(err.contains("nearest valid keys: retired_uplift"), "suggests the valid key: \(err)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.csv")))
    }

    func testUnknownReformPathListsNearest() throws {
        let reform = try write("reform.yaml", "name: typo\nset:\n  ordinary.anual_cap: 4000\n")
        try assertRejected(claims: header + "c1,m1,2023-03-01,3,100,100\n", extra: ["--reform", reform],
                           mentions: ["reform.yaml:3:", "ordinary.anual_cap", "nearest valid paths: ordinary.annual_cap"])
    }

    func testBadInputLeavesAnEarlierOutputUntouched() throws {
        try write("out.csv", "previous\n")
        let (status, _, _) = try adjudicate(claims: header + "c1,m1,2023-13-01,3,100,100\n")
        XCTAssertNotEqual(status, 0)
        XCTAssertEqual(try String(contentsOfFile: path("out.csv"), encoding: .utf8), "previous\n")
    }

    /// The output contract: header, input order, two decimals, the rule with its article.
    func testOutputContract() throws {
        // tieling §9, retired tier 2: (2000 − 300) × 60% = 1020.00 (POLICY-NOTES worked example);
        // in service tier 3 on 2022-12-10: (600 − 25) × 50% = 287.50, cap 250.00 in December 2022;
        // a 0.01-yuan claim at tier 1 after the deductible is met: 1 fen × 60% = 0.6 → 1 fen.
        let (status, _, err) = try adjudicate(claims: header + """
        c3,m2,2023-01-09,2,2000,2000
        c1,m1,2022-12-10,3,600,600
        c2,m1,2022-12-11,1,0.01,0.01
        c4,m1,2022-11-30,1,100,100

        """)
        XCTAssertEqual(status, 0, err)
        XCTAssertEqual(try String(contentsOfFile: path("out.csv"), encoding: .utf8), """
        claim_id,member_id,fund_paid,member_paid,deductible_applied,ratio_bp,rule
        c3,m2,1020.00,980.00,300.00,6000,ordinary tieling §9
        c1,m1,250.00,350.00,25.00,5000,ordinary tieling §9
        c2,m1,0.00,0.01,0.00,6000,ordinary tieling §9
        c4,m1,0.00,100.00,0.00,0,not covered tieling §34

        """)
    }

    /// Yanbian's 1-fen rounding where the cap is not reached: 1 fen × 60% = 0.6 → 1 fen (§5).
    func testOneFenRoundsHalfUp() throws {
        let (status, _, err) = try adjudicate(claims: header + "c1,m1,2023-02-01,1,100,100\nc2,m1,2023-02-02,1,0.01,0.01\n", policy: "yanbian")
        XCTAssertEqual(status, 0, err)
        let rows = try String(contentsOfFile: path("out.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows[2], "c2,m1,0.01,0.00,0.00,6000,ordinary yanbian §5")
    }

    func testIdentityReformChangesNothing() throws {
        let claims = try String(contentsOfFile: Self.root.appendingPathComponent("datasets/examples/claims.csv").path, encoding: .utf8)
        let members = try String(contentsOfFile: Self.root.appendingPathComponent("datasets/examples/members.csv").path, encoding: .utf8)
        XCTAssertEqual(try adjudicate(claims: claims, members: members).0, 0)
        let plain = try Data(contentsOf: URL(fileURLWithPath: path("out.csv")))
        let reform = try write("identity.yaml", "name: identity\nperiod: 2023-on\nset:\n  ordinary.annual_cap: 3000\n  ordinary.deductible: 300\n  ordinary.ratio.tier2: 55\n")
        XCTAssertEqual(try adjudicate(claims: claims, members: members, extra: ["--reform", reform]).0, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path("out.csv"))), plain)
        XCTAssertEqual(plain.filter { $0 == 10 }.count, 15, "header + 14 claims")
    }

    func testExplainShowsTheMembersClaimsWithArticles() throws {
        let r = try run(["explain", "--policy", policy("yanbian"), "--members", "datasets/examples/members.csv",
                         "--claims", "datasets/examples/claims.csv", "--member", "A002"])
        XCTAssertEqual(r.status, 0, r.stderr)
        // A002 is retired: tier 2, (2000 − 200) × 57% = 1026 → cap 1000 (yanbian §5); the tier-1 claim on
        // 2023-07-12 falls inside the stay 07-10..07-19 and gets nothing (§17).
        XCTAssertTrue(r.stdout.contains("4 claims"), r.stdout)
        let c05 = r.stdout.split(separator: "\n").first { $0.contains("C05") }.map(String.init) ?? ""
        XCTAssertTrue(c05.contains("57%") && c05.contains("1000.00") && c05.contains("ordinary yanbian §5"), c05)
        let c08 = r.stdout.split(separator: "\n").first { $0.contains("C08") }.map(String.init) ?? ""
        XCTAssertTrue(c08.contains("not covered yanbian §17"), c08)
        let missing = try run(["explain", "--policy", policy("yanbian"), "--members", "datasets/examples/members.csv",
                               "--claims", "datasets/examples/claims.csv", "--member", "NOPE"])
        XCTAssertNotEqual(missing.status, 0)
    }
}
