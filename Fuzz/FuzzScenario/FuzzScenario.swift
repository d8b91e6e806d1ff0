// Fuzz target for the scenario YAML parser (issue 7). Thrown errors are fine; a crash or trap is a
// finding. Built with -DFUZZING by scripts/fuzz.sh; otherwise a replay tool:
// `FuzzScenario FILE...` prints "ok" or "error: …" per file.
import Foundation
import Simulation

func parseInput(_ bytes: [UInt8]) -> Error? {
    do { _ = try Scenario.parse(String(decoding: bytes, as: UTF8.self), file: "scenarios/fuzz.yaml") } catch { return error }
    return nil
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = parseInput(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if !FUZZING
// Not main.swift: top-level code does not compile in the fuzz build (-parse-as-library), and @main
// is refused in a file named main.swift.
@main
struct Replay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { print("\(path): error: cannot read"); continue }
            if let e = parseInput([UInt8](data)) { print("\(path): error: \(e)") } else { print("\(path): ok") }
        }
    }
}
#endif
