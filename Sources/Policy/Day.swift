/// Calendar days as plain integers (days since 1970-01-01), so the engine compares and stores dates
/// without Foundation. The conversions are Howard Hinnant's `days_from_civil` / `civil_from_days`
/// algorithms for the proleptic Gregorian calendar.
public enum Day {
    /// Day number of a civil date; the date must be valid (see `parse`).
    @inlinable
    public static func from(year: Int, month: Int, day: Int) -> Int32 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int32(era * 146097 + doe - 719468)
    }

    /// Civil date of a day number.
    @inlinable
    public static func civil(_ d: Int32) -> (year: Int, month: Int, day: Int) {
        let z = Int(d) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Calendar year of a day number.
    @inlinable
    public static func year(_ d: Int32) -> Int { civil(d).year }

    /// First day of the month after the one containing `d`.
    @inlinable
    public static func firstOfNextMonth(_ d: Int32) -> Int32 {
        let c = civil(d)
        return c.month == 12 ? from(year: c.year + 1, month: 1, day: 1) : from(year: c.year, month: c.month + 1, day: 1)
    }

    @inlinable
    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    @inlinable
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Parses exactly `YYYY-MM-DD` with a real calendar date (rejecting 2023-02-30, unlike Yams
    /// and Foundation, which roll such dates over).
    @inlinable
    public static func parse<C: Collection>(_ bytes: C) -> Int32? where C.Element == UInt8 {
        guard bytes.count == 10 else { return nil }
        var y = 0, m = 0, d = 0
        var i = 0
        for b in bytes {
            if i == 4 || i == 7 {
                guard b == UInt8(ascii: "-") else { return nil }
            } else {
                guard b >= 48 && b <= 57 else { return nil }
                let v = Int(b - 48)
                if i < 4 { y = y * 10 + v } else if i < 7 { m = m * 10 + v } else { d = d * 10 + v }
            }
            i += 1
        }
        guard y >= 1900, m >= 1, m <= 12, d >= 1, d <= daysIn(month: m, year: y) else { return nil }
        return from(year: y, month: m, day: d)
    }

    public static func parse(_ s: String) -> Int32? { parse(Array(s.utf8)) }

    /// `YYYY-MM-DD`.
    public static func format(_ d: Int32) -> String {
        let c = civil(d)
        func pad(_ v: Int, _ w: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }

    /// Appends `YYYY-MM-DD` as bytes (no String per row).
    public static func append(_ d: Int32, to out: inout [UInt8]) {
        let (y, m, dd) = civil(d)
        out.append(UInt8(48 + y / 1000 % 10)); out.append(UInt8(48 + y / 100 % 10))
        out.append(UInt8(48 + y / 10 % 10)); out.append(UInt8(48 + y % 10))
        out.append(UInt8(ascii: "-")); out.append(UInt8(48 + m / 10)); out.append(UInt8(48 + m % 10))
        out.append(UInt8(ascii: "-")); out.append(UInt8(48 + dd / 10)); out.append(UInt8(48 + dd % 10))
    }
}
