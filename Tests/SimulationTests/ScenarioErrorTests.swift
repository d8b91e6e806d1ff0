import Policy
import Simulation
import XCTest

/// Every scenario error names the file, the line and the key path, so a user can fix the file
/// without guessing.
final class ScenarioErrorTests: ScratchTestCase {
    /// Parses `text` as `test.yaml` in the scratch folder and returns the error thrown.
    func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> PolicyError? {
        let f = path("test.yaml")
        do {
            _ = try Scenario.parse(text, file: f)
            XCTFail("expected a PolicyError", file: file, line: line)
        } catch let e as PolicyError {
            XCTAssertEqual(e.file, f, "the error names the scenario file", file: file, line: line)
            return e
        } catch {
            XCTFail("expected a PolicyError, got \(error)", file: file, line: line)
        }
        return nil
    }

    func testAValidScenarioParses() throws {
        let text = scenario(reforms: "  - name: cap-2000\n    set:\n      ordinary.annual_cap: 2000\n",
                            extra: "budget: {value: 1000000, unit: yuan, benefits: [ordinary]}\noutputs:\n  member_table: 1\n")
        let s = try Scenario.parse(text, file: path("test.yaml"))
        XCTAssertEqual(s.members, 3000)
        XCTAssertEqual(s.replications, 2)
        XCTAssertEqual(s.variants.map(\.name), ["base", "cap-2000"])
        XCTAssertEqual(s.variants[1].policy, Repo.policy("yanbian"), "a reform without a policy takes the baseline's")
        XCTAssertEqual(s.budget?.amountFen, 100_000_000)
        XCTAssertEqual(s.outputs.memberTableReplication, 1)
    }

    func testUnknownKeyNamesItsSuggestion() {
        let text = scenario().replacingOccurrences(of: "replications: 2", with: "replication: 2")
        let e = parseError(text)
        XCTAssertEqual(e?.line, line(of: "replication: 2", in: text))
        XCTAssertEqual(e?.path, "replication")
        XCTAssertTrue(e?.message.contains("unknown key 'replication'") == true, e?.message ?? "")
        XCTAssertTrue(e?.message.contains("did you mean 'replications'") == true, e?.message ?? "")

        // One level down: the key path includes the parent.
        let nested = scenario().replacingOccurrences(of: "  members: 3000", with: "  members: 3000\n  seeds: 4")
        let n = parseError(nested)
        XCTAssertEqual(n?.line, line(of: "  seeds: 4", in: nested))
        XCTAssertEqual(n?.path, "population.seeds")
    }

    func testDuplicateBurdenThreshold() {
        // 1000 and 1000.00 yuan are one threshold: refused when the file is read, not after a replication.
        let text = scenario(extra: "outputs:\n  burden_thresholds: {value: [1000, 1000.00], unit: yuan}\n")
        let e = parseError(text)
        XCTAssertEqual(e?.path, "outputs.burden_thresholds.value")
        XCTAssertEqual(e?.line, line(of: "  burden_thresholds:", in: text))
        XCTAssertTrue(e?.message.contains("given twice") == true, e?.message ?? "")
    }

    func testMissingMembers() {
        let text = scenario().replacingOccurrences(of: "  members: 3000\n", with: "")
        let e = parseError(text)
        XCTAssertEqual(e?.path, "population.members")
        XCTAssertTrue(e?.message.contains("missing key 'members'") == true, e?.message ?? "")
        // The population mapping starts on the line after `population:` (its first key).
        XCTAssertEqual(e?.line, line(of: "  calibration:", in: text))
    }

    func testDuplicateVariantName() {
        let text = scenario(reforms: """
              - name: cap-2000
                set: {ordinary.annual_cap: 2000}
              - name: base
                set: {ordinary.annual_cap: 3000}

            """)
        let e = parseError(text)
        XCTAssertEqual(e?.path, "reforms[1].name")
        XCTAssertEqual(e?.line, line(of: "  - name: base", in: text))
        XCTAssertTrue(e?.message.contains("'base' is used twice") == true, e?.message ?? "")
        XCTAssertTrue(e?.message.contains("first at line \(line(of: "  name: base", in: text)!)") == true, e?.message ?? "")
    }

    func testReformWithNothingToChange() {
        let text = scenario(reforms: "  - name: idle\n    description: changes nothing\n")
        let e = parseError(text)
        XCTAssertEqual(e?.path, "reforms[0]")
        XCTAssertEqual(e?.line, line(of: "  - name: idle", in: text))
        XCTAssertTrue(e?.message.contains("a reform needs a policy, a reform file or a set") == true, e?.message ?? "")

        let empty = scenario(reforms: "  - name: idle\n    set: {}\n")
        let f = parseError(empty)
        XCTAssertEqual(f?.path, "reforms[0].set")
        XCTAssertEqual(f?.line, line(of: "    set: {}", in: empty))
    }

    func testBudgetInAnotherUnit() {
        let text = scenario(extra: "budget:\n  value: 1000000\n  unit: fen\n")
        let e = parseError(text)
        XCTAssertEqual(e?.path, "budget.unit")
        XCTAssertEqual(e?.line, line(of: "  unit: fen", in: text))
        XCTAssertTrue(e?.message.contains("yuan") == true, e?.message ?? "")
    }

    func testMemberTableOfAReplicationNotRun() {
        let text = scenario(replications: 2, extra: "outputs:\n  income_share: {value: 10, unit: percent}\n  member_table: 2\n")
        let e = parseError(text)
        XCTAssertEqual(e?.path, "outputs.member_table")
        XCTAssertEqual(e?.line, line(of: "  member_table: 2", in: text))
        XCTAssertTrue(e?.message.contains("replication 2 is not run") == true, e?.message ?? "")
        // The last replication run (numbered from 0) is fine.
        XCTAssertNoThrow(try Scenario.parse(text.replacingOccurrences(of: "member_table: 2", with: "member_table: 1"), file: path("test.yaml")))
    }

    /// An unknown parameter path in a reform's `set` is found when the policy is built: the error
    /// still points into the scenario file, at the key's line.
    func testUnknownParameterPathInSet() throws {
        let text = scenario(reforms: """
              - name: typo
                set:
                  ordinary.anual_cap: 2000

            """)
        let file = try write("test.yaml", text)
        let s = try Scenario.load(path: file)
        XCTAssertThrowsError(try Experiment(s)) { error in
            guard let e = error as? PolicyError else { return XCTFail("expected a PolicyError, got \(error)") }
            XCTAssertEqual(e.file, file)
            XCTAssertEqual(e.line, line(of: "      ordinary.anual_cap", in: text))
            XCTAssertEqual(e.path, "ordinary.anual_cap")
            XCTAssertTrue(e.message.contains("ordinary.annual_cap"), "suggests the valid path: \(e.message)")
            XCTAssertTrue(e.description.hasPrefix("\(file):\(e.line ?? -1): "), e.description)
        }
    }
}
