/// Money is integer fen and ratios integer basis points (POLICY-NOTES "Money and rounding"):
/// a member's ledger never touches floating point.
public enum Money {
    /// round-half-up(amount × bp / 10000) for non-negative amounts, the one rounding rule of
    /// POLICY-NOTES. Exact for amounts below 9.2e14 fen (9.2 trillion yuan).
    @inlinable
    public static func applyRatio(_ fen: Int64, bp: Int32) -> Int64 {
        (fen &* Int64(bp) &+ 5_000) / 10_000
    }

    /// Parses yuan with at most two decimals ("12", "12.5", "12.50") into fen. No sign, no
    /// exponent, no thousands separators: claim extracts that carry those are rejected, not guessed.
    @inlinable
    public static func parseYuan<C: Collection>(_ bytes: C) -> Int64? where C.Element == UInt8 {
        var fen: Int64 = 0
        var decimals = -1
        var sawDigit = false
        for b in bytes {
            if b == UInt8(ascii: ".") {
                guard decimals < 0, sawDigit else { return nil }
                decimals = 0
                continue
            }
            guard b >= 48 && b <= 57 else { return nil }
            if decimals >= 0 {
                decimals += 1
                guard decimals <= 2 else { return nil }
            }
            sawDigit = true
            guard fen < 100_000_000_000_000 else { return nil }  // 1e12 yuan: not a claim
            fen = fen * 10 + Int64(b - 48)
        }
        guard sawDigit, decimals != 0 else { return nil }
        if decimals < 0 { fen *= 100 } else if decimals == 1 { fen *= 10 }
        return fen
    }

    public static func parseYuan(_ s: String) -> Int64? { parseYuan(Array(s.utf8)) }

    /// Fen as yuan with exactly two decimals ("1234.50", "-0.01").
    public static func format(_ fen: Int64) -> String {
        var out: [UInt8] = []
        append(fen, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends fen as yuan with exactly two decimals to a byte buffer (the CSV writer's hot path:
    /// no String per value).
    @inlinable
    public static func append(_ fen: Int64, to out: inout [UInt8]) {
        var v = fen
        if v < 0 { out.append(UInt8(ascii: "-")); v = -v }
        let yuan = v / 100, cents = Int(v % 100)
        appendInt(yuan, to: &out)
        out.append(UInt8(ascii: "."))
        out.append(UInt8(48 + cents / 10))
        out.append(UInt8(48 + cents % 10))
    }

    @inlinable
    public static func appendInt(_ value: Int64, to out: inout [UInt8]) {
        var v = value
        if v < 0 { out.append(UInt8(ascii: "-")); v = -v }
        if v == 0 { out.append(48); return }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { buf in
            while v > 0 { buf[n] = UInt8(48 + v % 10); v /= 10; n += 1 }
            var i = n - 1
            while i >= 0 { out.append(buf[i]); i -= 1 }
        }
    }
}
