// Fuzz target for the scenario YAML parser (issue 7). Thrown errors are fine; a crash or trap is a
// finding. Built with -DFUZZING by scripts/fuzz.sh; otherwise a replay tool:
// `FuzzScenario FILE...` prints "ok" or "error: …" per file.
import Foundation
import FuzzSupport
import Simulation

func parseInput(_ bytes: [UInt8]) -> Error? {
    do { _ = try Scenario.parse(String(decoding: bytes, as: UTF8.self), file: "scenarios/fuzz.yaml") } catch { return error }
    return nil
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
