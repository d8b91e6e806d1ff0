import Policy
import Synthesis
import XCTest

/// Bad calibration files give one error naming the file, the line and the key path.
final class CalibrationFileTests: XCTestCase {
    static let text = try! String(contentsOfFile: GeneratorTests.rich, encoding: .utf8)

    /// Replaces `old` (which must occur once) and returns the loader's error text.
    func error(replacing old: String, with new: String) -> String {
        XCTAssertEqual(Self.text.components(separatedBy: old).count, 2, "fixture must contain \(old) once")
        do {
            _ = try Calibration.parse(Self.text.replacingOccurrences(of: old, with: new), file: "rich.yaml")
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func line(of needle: String) -> Int {
        Self.text.components(separatedBy: "\n").firstIndex { $0.contains(needle) }! + 1
    }

    func testFixtureLoads() throws {
        let c = try Calibration.parse(Self.text, file: "rich.yaml")
        XCTAssertEqual(c.bandLabels, ["20-49", "50-59", "60-89"])
        XCTAssertEqual(c.channelMix[1][Int(Channel.chronic.rawValue)], 0.40, accuracy: 1e-12)
        XCTAssertEqual(c.channels[Int(Channel.inpatient.rawValue)]?.stayMedian, 8)
    }

    func testSharesMustAddUpTo100() {
        let l = line(of: "channel_mix_none:")
        XCTAssertEqual(error(replacing: "{ordinary: 95, emergency: 2,", with: "{ordinary: 94, emergency: 2,"),
                       "rich.yaml:\(l): visits.channel_mix_none: shares must add up to 100%, they add up to 99.0%")
    }

    func testUnknownKeyNamesNearest() {
        let l = line(of: "designated_share:")
        XCTAssertEqual(error(replacing: "  designated_share:", with: "  designated_shares:"),
                       "rich.yaml:\(l): visits.designated_shares: unknown key 'designated_shares'; did you mean 'designated_share'?")
    }

    func testWrongUnit() {
        let l = line(of: "average_wage:")
        XCTAssertEqual(error(replacing: "unit: yuan_per_year", with: "unit: yuan"),
                       "rich.yaml:\(l): income.average_wage: unit must be 'yuan_per_year', not 'yuan'")
    }

    func testNotADecimal() {
        let l = line(of: "retired_share:")
        XCTAssertEqual(error(replacing: "retired_share: {value: 40,", with: "retired_share: {value: 4e1,"),
                       "rich.yaml:\(l): population.retired_share: expected a decimal number, got '4e1'")
    }

    func testOutOfRange() {
        let l = line(of: "retired_share:")
        XCTAssertEqual(error(replacing: "retired_share: {value: 40,", with: "retired_share: {value: 140,"),
                       "rich.yaml:\(l): population.retired_share: must be between 0.0 and 100.0, got 140")
    }

    func testTierWithShareNeedsACost() {
        let l = line(of: "cost_median: {value: {tier1: 150, tier2: 200}")
        XCTAssertEqual(error(replacing: "cost_median: {value: {tier1: 150, tier2: 200}", with: "cost_median: {value: {tier1: 150}"),
                       "rich.yaml:\(l): channels.chronic.cost_median.tier2: missing: tier_mix gives this tier a share")
    }

    func testUsedChannelNeedsItsCosts() {
        XCTAssertTrue(error(replacing: "  day_surgery:\n", with: "  day_surgery_x:\n")
            .contains("channels.day_surgery: missing: a channel mix gives this channel a share"))
    }

    func testEveryValueNeedsASource() {
        let l = line(of: "pension_sigma:")
        XCTAssertEqual(error(replacing: "pension_sigma: {value: 0.3, unit: log_sd, source: test}", with: "pension_sigma: {value: 0.3, unit: log_sd}"),
                       "rich.yaml:\(l): income.pension_sigma: needs a source (or an article), or assumed: true with a source saying why")
    }

    func testAgeBandsMustIncrease() {
        let l = line(of: "age_bands:")
        XCTAssertEqual(error(replacing: "[20, 50, 60, 90]", with: "[20, 60, 50, 90]"),
                       "rich.yaml:\(l): population.age_bands: expected at least two increasing whole ages (band edges)")
    }

    func testBadYearHeader() {
        XCTAssertEqual(error(replacing: "year: 2024", with: "year: next"),
                       "rich.yaml:\(line(of: "year: 2024")): year: expected a year such as 2023, got 'next'")
    }
}
