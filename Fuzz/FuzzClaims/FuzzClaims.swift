// Fuzz target for the members and claims CSV parsers (issue 7). One input holds both files:
// members CSV, a line `#claims`, claims CSV. Without the marker the whole input is tried as each.
// Thrown errors are fine; a crash or trap is a finding. Built with -DFUZZING by scripts/fuzz.sh;
// otherwise a replay tool: `FuzzClaims FILE...` prints "ok" or "error: …" per file.
import Foundation
import FuzzSupport
import Adjudication

func splitAtMarker(_ b: [UInt8], _ marker: String) -> ([UInt8], [UInt8]?) {
    let m = Array(("\n" + marker + "\n").utf8)
    guard b.count >= m.count else { return (b, nil) }
    for i in 0...(b.count - m.count) where b[i] == m[0] && Array(b[i..<i + m.count]) == m {
        return (Array(b[..<(i + 1)]), Array(b[(i + m.count)...]))
    }
    return (b, nil)
}

/// Parses the input; returns the first error (nil when everything parsed).
func parseInput(_ bytes: [UInt8]) -> Error? {
    let (first, rest) = splitAtMarker(bytes, "#claims")
    var firstError: Error?
    var members = MemberTable()
    do { members = try MemberTable.parse(file: "members.csv", bytes: first) } catch { firstError = error }
    do { _ = try ClaimTable.parse(file: "claims.csv", bytes: rest ?? first, members: members) }
    catch { firstError = firstError ?? error }
    return firstError
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt { fuzzOne(data, size, parseInput) }

#if !FUZZING
// Not main.swift: top-level code does not compile in the fuzz build (-parse-as-library), and @main
// is refused in a file named main.swift.
@main
struct Replay {
    static func main() { replay(parseInput) }
}
#endif
