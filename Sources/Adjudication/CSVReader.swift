/// A small RFC 4180 reader over bytes: comma separated, optional double quotes with `""` escapes,
/// LF or CRLF line ends, an optional UTF-8 byte-order mark. Written by hand rather than with
/// SwiftCSV or CSV.swift because those build a String per field (measured: under 0.3 M rows/s),
/// while claims files must read at millions of rows a second.
public struct CSVReader {
    public let file: String
    let bytes: [UInt8]
    var pos: Int
    /// Physical line where the current record started (1-based).
    public private(set) var line = 0
    var nextLine = 1
    /// The current record's fields: ranges `starts[i] ..< ends[i]` of `bytes` for a record without
    /// quotes (no copy), or of `row`, where a record with quotes is copied unescaped.
    var row: [UInt8] = []
    var starts: [Int] = []
    var ends: [Int] = []
    var copied = false

    public init(file: String, bytes: [UInt8]) {
        self.file = file
        self.bytes = bytes
        pos = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        row.reserveCapacity(256)
        ends.reserveCapacity(32)
    }

    public var fieldCount: Int { ends.count }

    @inline(__always)
    public func field(_ i: Int) -> ArraySlice<UInt8> {
        copied ? row[starts[i]..<ends[i]] : bytes[starts[i]..<ends[i]]
    }

    public func string(_ i: Int) -> String { String(decoding: field(i), as: UTF8.self) }

    /// Reads the next record; false at the end of the file. Blank lines are skipped.
    public mutating func next() throws -> Bool {
        while true {
            guard pos < bytes.count else { return false }
            line = nextLine
            starts.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
            let n = bytes.count
            // Fast path: a line without quotes is split in place.
            var quoted = false
            var eol = pos
            bytes.withUnsafeBufferPointer { b in
                while eol < n && b[eol] != 10 {
                    if b[eol] == UInt8(ascii: "\"") { quoted = true; break }
                    eol += 1
                }
            }
            if !quoted {
                var end = eol
                if end > pos && bytes[end - 1] == 13 { end -= 1 }
                let blankLine = end == pos
                if !blankLine {
                    copied = false
                    var start = pos
                    bytes.withUnsafeBufferPointer { b in
                        var k = pos
                        while k < end {
                            if b[k] == UInt8(ascii: ",") { starts.append(start); ends.append(k); start = k + 1 }
                            k += 1
                        }
                    }
                    starts.append(start)
                    ends.append(end)
                }
                pos = eol < n ? eol + 1 : eol
                nextLine += 1
                if blankLine { continue }
                return true
            }
            copied = true
            row.removeAll(keepingCapacity: true)
            var blank = true
            try bytes.withUnsafeBufferPointer { b in
                var atFieldStart = true
                while pos < n {
                    let c = b[pos]
                    if atFieldStart && c == UInt8(ascii: "\"") {
                        pos += 1
                        blank = false
                        while true {
                            guard pos < n else {
                                throw InputError(file: file, line: line, field: "", "a quoted field is not closed")
                            }
                            let q = b[pos]
                            if q == UInt8(ascii: "\"") {
                                if pos + 1 < n && b[pos + 1] == UInt8(ascii: "\"") { row.append(q); pos += 2; continue }
                                pos += 1
                                break
                            }
                            if q == 10 { nextLine += 1 }
                            row.append(q)
                            pos += 1
                        }
                        atFieldStart = false
                        guard pos >= n || b[pos] == UInt8(ascii: ",") || b[pos] == 10 || b[pos] == 13 else {
                            throw InputError(file: file, line: line, field: "", "text after a closing quote")
                        }
                        continue
                    }
                    if c == UInt8(ascii: ",") {
                        starts.append(ends.last ?? 0)
                        ends.append(row.count)
                        atFieldStart = true
                        blank = false
                        pos += 1
                        continue
                    }
                    if c == 10 || c == 13 {
                        pos += 1
                        if c == 13 && pos < n && b[pos] == 10 { pos += 1 }
                        nextLine += 1
                        break
                    }
                    row.append(c)
                    blank = false
                    atFieldStart = false
                    pos += 1
                }
            }
            if blank { continue }
            starts.append(ends.last ?? 0)
            ends.append(row.count)
            return true
        }
    }
}

/// Maps a file's header to the columns a reader knows; rejects missing required columns and
/// reports the others.
public struct CSVHeader {
    public let columns: [String]
    public init(_ reader: CSVReader) { columns = (0..<reader.fieldCount).map { reader.string($0).trimmingSpaces } }

    /// Index of a column; throws naming the column when it is required and absent.
    public func index(of name: String, required: Bool, file: String) throws -> Int? {
        let matches = columns.indices.filter { columns[$0] == name }
        if matches.count > 1 { throw InputError(file: file, line: 1, field: name, "column given twice") }
        if let i = matches.first { return i }
        if required { throw InputError(file: file, line: 1, field: name, "required column is missing (header: \(columns.joined(separator: ",")))") }
        return nil
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

/// Reads a whole file into bytes, with an error that names it.
public func readFileBytes(_ path: String) throws -> [UInt8] {
    guard let f = fopen(path, "rb") else {
        throw InputError(file: path, line: 0, field: "", "cannot open the file")
    }
    defer { fclose(f) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
        if n > 0 { out.append(contentsOf: chunk[0..<n]) }
        if n < chunk.count {
            if ferror(f) != 0 { throw InputError(file: path, line: 0, field: "", "read error") }
            break
        }
    }
    return out
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
