import XCTest
@testable import Policy

final class DayTests: XCTestCase {
    func testKnownDayNumbers() {
        XCTAssertEqual(Day.from(year: 1970, month: 1, day: 1), 0)
        XCTAssertEqual(Day.from(year: 1970, month: 1, day: 2), 1)
        XCTAssertEqual(Day.from(year: 1969, month: 12, day: 31), -1)
        XCTAssertEqual(Day.from(year: 2000, month: 3, day: 1), 11017)
        XCTAssertEqual(Day.from(year: 2023, month: 1, day: 1), 19358)
        XCTAssertEqual(Day.from(year: 2023, month: 1, day: 1) - Day.from(year: 2022, month: 12, day: 1), 31)
        XCTAssertEqual(Day.from(year: 2025, month: 1, day: 1) - Day.from(year: 2024, month: 1, day: 1), 366)
    }

    func testParseRejectsInvalidDates() {
        for bad in ["2023-02-29", "2023-13-01", "2023-00-10", "2023-01-00", "2023-04-31", "2023-01-32",
                    "1900-02-29", "2100-02-29", "2023-1-01", "2023-01-1", "23-01-01", "2023/01/01", "2023-01-01 ",
                    " 2023-01-01", "2023-01-01T00", "20230101", "2023-0a-01", "+023-01-01", "", "1899-12-31"] {
            XCTAssertNil(Day.parse(bad), "'\(bad)' should be rejected")
        }
    }

    func testParseAcceptsValidDates() {
        XCTAssertEqual(Day.parse("2024-02-29"), Day.from(year: 2024, month: 2, day: 29))
        XCTAssertEqual(Day.parse("2000-02-29"), Day.from(year: 2000, month: 2, day: 29))
        XCTAssertEqual(Day.parse("2023-12-31"), Day.from(year: 2023, month: 12, day: 31))
        XCTAssertEqual(Day.parse("2022-12-01"), Day.from(year: 2022, month: 12, day: 1))
        XCTAssertEqual(Day.parse("1970-01-01"), 0)
        XCTAssertEqual(Day.parse(Array("2023-04-30".utf8)[...]), Day.from(year: 2023, month: 4, day: 30), "byte slices")
    }

    func testRoundTripOverTwoCenturies() {
        let first = Day.from(year: 1900, month: 1, day: 1), last = Day.from(year: 2100, month: 12, day: 31)
        var expected = (year: 1900, month: 1, day: 1)
        for d in first...last {
            let c = Day.civil(d)
            XCTAssertTrue(c == expected, "civil(\(d)) = \(c), expected \(expected)")
            if !(c == expected) { return }
            XCTAssertEqual(Day.from(year: c.year, month: c.month, day: c.day), d)
            XCTAssertEqual(Day.year(d), c.year)
            // The next calendar day, counted by hand.
            if expected.day < Day.daysIn(month: expected.month, year: expected.year) {
                expected.day += 1
            } else if expected.month < 12 {
                expected = (expected.year, expected.month + 1, 1)
            } else {
                expected = (expected.year + 1, 1, 1)
            }
        }
        XCTAssertEqual(last - first + 1, 73414, "days in 1900–2100")
    }

    func testFormatRoundTrip() {
        for s in ["2024-02-29", "2022-12-01", "1900-01-01", "2099-12-31"] {
            XCTAssertEqual(Day.parse(s).map(Day.format), s)
        }
    }

    func testFirstOfNextMonth() {
        XCTAssertEqual(Day.firstOfNextMonth(Day.from(year: 2023, month: 12, day: 31)), Day.from(year: 2024, month: 1, day: 1))
        XCTAssertEqual(Day.firstOfNextMonth(Day.from(year: 2023, month: 12, day: 1)), Day.from(year: 2024, month: 1, day: 1))
        XCTAssertEqual(Day.firstOfNextMonth(Day.from(year: 2024, month: 1, day: 31)), Day.from(year: 2024, month: 2, day: 1))
        XCTAssertEqual(Day.firstOfNextMonth(Day.from(year: 2023, month: 1, day: 31)), Day.from(year: 2023, month: 2, day: 1))
        XCTAssertEqual(Day.firstOfNextMonth(Day.from(year: 2024, month: 2, day: 29)), Day.from(year: 2024, month: 3, day: 1))
        XCTAssertEqual(Day.firstOfNextMonth(Day.from(year: 2023, month: 6, day: 1)), Day.from(year: 2023, month: 7, day: 1))
    }

    func testLeapYears() {
        XCTAssertTrue(Day.isLeap(2024))
        XCTAssertTrue(Day.isLeap(2000))
        XCTAssertFalse(Day.isLeap(1900))
        XCTAssertFalse(Day.isLeap(2023))
        XCTAssertEqual(Day.daysIn(month: 2, year: 2024), 29)
        XCTAssertEqual(Day.daysIn(month: 2, year: 2023), 28)
        XCTAssertEqual(Day.daysIn(month: 4, year: 2023), 30)
        XCTAssertEqual(Day.daysIn(month: 12, year: 2023), 31)
    }
}

final class MoneyTests: XCTestCase {
    func testParseYuanAcceptsUpToTwoDecimals() {
        XCTAssertEqual(Money.parseYuan("12"), 1200)
        XCTAssertEqual(Money.parseYuan("12.5"), 1250)
        XCTAssertEqual(Money.parseYuan("12.50"), 1250)
        XCTAssertEqual(Money.parseYuan("12.05"), 1205)
        XCTAssertEqual(Money.parseYuan("0"), 0)
        XCTAssertEqual(Money.parseYuan("0.01"), 1)
        XCTAssertEqual(Money.parseYuan("007"), 700)
        XCTAssertEqual(Money.parseYuan("3000"), 300_000)
        XCTAssertEqual(Money.parseYuan("999999999.99"), 99_999_999_999)
        XCTAssertEqual(Money.parseYuan(Array("300.1".utf8)[...]), 30010, "byte slices")
    }

    func testParseYuanRejects() {
        for bad in ["12.345", "-1", "1e3", "", ".", "12.", ".5", "+1", "1,000", " 12", "12 ", "1.2.3", "12..5",
                    "１２", "NaN", "0x10", "100000000000000000000"] {
            XCTAssertNil(Money.parseYuan(bad), "'\(bad)' should be rejected")
        }
    }

    func testApplyRatioRoundsHalfUp() {
        XCTAssertEqual(Money.applyRatio(1, bp: 5000), 1, "0.5 fen rounds up")
        XCTAssertEqual(Money.applyRatio(1, bp: 4999), 0, "0.4999 fen rounds down")
        XCTAssertEqual(Money.applyRatio(3, bp: 5000), 2, "1.5 → 2")
        XCTAssertEqual(Money.applyRatio(15, bp: 5500), 8, "8.25 → 8")
        XCTAssertEqual(Money.applyRatio(15, bp: 5700), 9, "8.55 → 9")
        XCTAssertEqual(Money.applyRatio(0, bp: 6000), 0)
        XCTAssertEqual(Money.applyRatio(12345, bp: 0), 0)
        XCTAssertEqual(Money.applyRatio(12345, bp: 10000), 12345)
        // POLICY-NOTES worked examples.
        XCTAssertEqual(Money.applyRatio(100_000 - 30_000, bp: 5000), 35_000, "Tieling 1000 at tier 3")
        XCTAssertEqual(Money.applyRatio(200_000 - 30_000, bp: 6000), 102_000, "Tieling retired 2000 at tier 2")
        XCTAssertEqual(Money.applyRatio(60_000 - 2_500, bp: 5000), 28_750, "Tieling Dec 2022 before the cap")
        XCTAssertEqual(Money.applyRatio(15_000 - 12_000, bp: 5500), 1_650, "Yanbian 150 at tier 2 after 80 paid")
        // Large but valid amounts stay exact.
        XCTAssertEqual(Money.applyRatio(900_000_000_000_000, bp: 10000), 900_000_000_000_000)
        XCTAssertEqual(Money.applyRatio(900_000_000_000_001, bp: 5000), 450_000_000_000_001)
    }

    func testFormat() {
        XCTAssertEqual(Money.format(-1), "-0.01")
        XCTAssertEqual(Money.format(123450), "1234.50")
        XCTAssertEqual(Money.format(0), "0.00")
        XCTAssertEqual(Money.format(5), "0.05")
        XCTAssertEqual(Money.format(100), "1.00")
        XCTAssertEqual(Money.format(-123456), "-1234.56")
        XCTAssertEqual(Money.format(-100), "-1.00")
        XCTAssertEqual(Money.format(1_000_000_007), "10000000.07")
        var buf: [UInt8] = Array("x=".utf8)
        Money.append(250_00, to: &buf)
        XCTAssertEqual(String(decoding: buf, as: UTF8.self), "x=250.00")
    }

    func testParseFormatRoundTrip() {
        for fen: Int64 in [0, 1, 9, 10, 99, 100, 101, 1205, 123450, 30_000, 987_654_321] {
            XCTAssertEqual(Money.parseYuan(Money.format(fen)), fen)
        }
    }

    func testAppendInt() {
        for v: Int64 in [0, 7, -7, 10, 1234567890, -1234567890, Int64.max] {
            var buf: [UInt8] = []
            Money.appendInt(v, to: &buf)
            XCTAssertEqual(String(decoding: buf, as: UTF8.self), String(v))
        }
    }
}
