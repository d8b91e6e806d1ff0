import Policy
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The adjudicated-claims file of the POLICY-NOTES contract: one row per input claim, in input
/// order, money in yuan with exactly two decimals.
public enum AdjudicatedCSV {
    public static let header = "claim_id,member_id,fund_paid,member_paid,deductible_applied,ratio_bp,rule\n"

    /// Renders the whole file into bytes (a row costs no String).
    public static func render(claims: ClaimTable, members: MemberTable, outcomes: [Outcome], ruleNames: [String]) -> [UInt8] {
        let rules = ruleNames.map { Array(csvField($0).utf8) }
        let memberIDs = members.ids.map { Array(csvField($0).utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(64 + claims.count * 80)
        out.append(contentsOf: header.utf8)
        for i in 0..<claims.count {
            let id = claims.idBytes(i)
            if needsQuoting(id) { out.append(contentsOf: csvField(String(decoding: id, as: UTF8.self)).utf8) } else { out.append(contentsOf: id) }
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: memberIDs[Int(claims.member[i])])
            let o = outcomes[i]
            out.append(UInt8(ascii: ","))
            Money.append(o.fundFen, to: &out)
            out.append(UInt8(ascii: ","))
            Money.append(o.memberFen, to: &out)
            out.append(UInt8(ascii: ","))
            Money.append(o.deductibleFen, to: &out)
            out.append(UInt8(ascii: ","))
            Money.appendInt(Int64(o.ratioBp), to: &out)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: rules[Int(o.rule)])
            out.append(10)
        }
        return out
    }

    static func needsQuoting<C: Collection>(_ b: C) -> Bool where C.Element == UInt8 {
        b.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
    }

    /// A CSV field, quoted when it must be.
    public static func csvField(_ s: String) -> String {
        needsQuoting(s.utf8) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}

extension String {
    fileprivate func replacingOccurrences(of a: String, with b: String) -> String {
        split(separator: Character(a), omittingEmptySubsequences: false).joined(separator: b)
    }
}

/// Writes a file so that readers see either nothing (or the previous file) or the complete new
/// one: the bytes go to a temporary file beside the target, are flushed to disk, then renamed.
public func writeFileAtomically(_ bytes: [UInt8], to path: String) throws {
    let f = try AtomicFile(path: path)
    try f.write(bytes)
    try f.commit()
}

/// A file written in pieces that appears under its name only when complete: writes go to a
/// temporary file beside the target; `commit` flushes it to disk and renames it; a file neither
/// committed nor abandoned is removed when released.
public final class AtomicFile {
    public let path: String
    let tmp: String
    var handle: UnsafeMutablePointer<FILE>?

    public init(path: String) throws {
        self.path = path
        tmp = path + ".tmp-\(getpid())"
        guard let f = fopen(tmp, "wb") else {
            throw InputError(file: path, line: 0, field: "", "cannot create the output file")
        }
        handle = f
    }

    public func write(_ bytes: [UInt8]) throws {
        guard let f = handle else { return }
        let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
        guard n == bytes.count else {
            abandon()
            throw InputError(file: path, line: 0, field: "", "could not write the output file")
        }
    }

    public func commit() throws {
        guard let f = handle else { return }
        handle = nil
        let flushed = fflush(f) == 0 && fsync(fileno(f)) == 0
        fclose(f)
        guard flushed, rename(tmp, path) == 0 else {
            unlink(tmp)
            throw InputError(file: path, line: 0, field: "", "could not write the output file")
        }
    }

    public func abandon() {
        guard let f = handle else { return }
        handle = nil
        fclose(f)
        unlink(tmp)
    }

    deinit { abandon() }
}
