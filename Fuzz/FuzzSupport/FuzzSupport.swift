// Shared by the fuzz targets: the libFuzzer call of one input, and the replay tool that a normal
// build makes of each target. Each target keeps only its `parseInput` and its `@_cdecl` entry
// point (a C symbol must be defined in the binary's own module).
import Foundation

/// Runs `parse` on one libFuzzer input; thrown errors are the expected outcome of bad input.
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int, _ parse: ([UInt8]) -> Error?) -> CInt {
    _ = parse(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

/// The replay tool: `TARGET FILE...` prints "ok" or "error: …" per file.
public func replay(_ parse: ([UInt8]) -> Error?) {
    for path in CommandLine.arguments.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path) else { print("\(path): error: cannot read"); continue }
        if let e = parse([UInt8](data)) { print("\(path): error: \(e)") } else { print("\(path): ok") }
    }
}
