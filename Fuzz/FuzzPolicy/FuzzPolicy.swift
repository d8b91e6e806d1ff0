// Fuzz target for the policy YAML loader with reform overlays (issue 7). Input: a policy file,
// then optionally lines `#overlay` each followed by an overlay file; the overlays that parse are
// applied as reforms. Thrown errors are fine; a crash or trap is a finding. Built with -DFUZZING
// by scripts/fuzz.sh; otherwise a replay tool: `FuzzPolicy FILE...` prints "ok"/"error: …" per file.
import Foundation
import FuzzSupport
import Policy

func parseInput(_ bytes: [UInt8]) -> Error? {
    let text = String(decoding: bytes, as: UTF8.self)
    let parts = text.components(separatedBy: "\n#overlay\n")
    var firstError: Error?
    var reforms: [Overlay] = []
    for (i, part) in parts.dropFirst().enumerated() {
        do { reforms.append(try Overlay.parse(part, file: "overlay\(i).yaml")) } catch { firstError = firstError ?? error }
    }
    do { _ = try Policy.parse(parts[0], file: "policy.yaml", reforms: reforms) } catch { firstError = firstError ?? error }
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
