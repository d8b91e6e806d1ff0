import Adjudication
import Foundation

/// A failure of `poolsim export` that is not SQLite's: an unknown table, a file that is not a run
/// store of this schema version.
public struct ExportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Opens a run store read-only and checks that it is one (of the schema version this code reads).
enum StoreFile {
    static func open(_ path: String) throws -> Database {
        let db = try Database(path: path, create: false, readOnly: true)
        let tables = try db.tableNames()
        guard tables.contains("run"),
              let version = try db.scalar("SELECT schema_version FROM run")?.int, version == RunStore.schemaVersion else {
            db.close()
            throw ExportError("\(path): not a PoolSim run store of schema version \(RunStore.schemaVersion)")
        }
        return db
    }
}

/// Every table of a run store as CSV, one file per table (`TABLE.csv`): UTF-8, a header row with
/// the store's own column names (README "Run store"), RFC 4180 quoting (a field with a comma, a
/// double quote, CR or LF is quoted and its quotes doubled), lines ending in LF. Integers are
/// written as integers, reals with the shortest text that reads back as the same double (Swift's
/// `description`: `0.1`, `1800000000.0`, `1e-05`), NULL as an empty field and empty text as `""`
/// (so the two stay distinct), blobs as hex. Rows come
/// in the table's storage (rowid) order, so two exports of one store are byte-identical.
public enum CSVExport {
    public struct Written: Sendable, Equatable {
        public var table: String
        public var path: String
        public var rows: Int
    }

    /// Writes the tables (all, or the one named by `table`) into `directory`, creating it if
    /// needed. Each file is written atomically: under a temporary name, flushed, then renamed.
    @discardableResult
    public static func export(store: String, to directory: String, table: String? = nil) throws -> [Written] {
        let db = try StoreFile.open(store)
        defer { db.close() }
        let tables = try db.tableNames()
        var chosen = tables
        if let table {
            guard tables.contains(table) else {
                throw ExportError("\(store): no table '\(table)'; the tables are: \(tables.joined(separator: ", "))")
            }
            chosen = [table]
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var written: [Written] = []
        for t in chosen {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(t + ".csv").path
            let rows = try write(db, table: t, to: path)
            written.append(Written(table: t, path: path, rows: rows))
        }
        return written
    }

    /// One table into one file; returns the number of data rows.
    static func write(_ db: Database, table: String, to path: String) throws -> Int {
        // Rows in primary-key order (rowid where there is none): a merged store's rows were inserted
        // shard by shard, and its CSV must still equal the unsharded run's byte for byte.
        let pk = try db.query("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", [.text(table)]).rows
            .compactMap { row -> String? in if case .text(let s) = row[0] { return quotedIdentifier(s) } else { return nil } }
        let order = pk.isEmpty ? "rowid" : pk.joined(separator: ", ")
        let st = try db.prepare("SELECT * FROM \(quotedIdentifier(table)) ORDER BY \(order)")
        let n = st.columnCount
        let file = try AtomicFile(path: path)
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        out.append(contentsOf: (0..<n).map { field(st.columnName($0)) }.joined(separator: ",").utf8)
        out.append(10)
        var rows = 0
        while try st.step() {
            for i in 0..<n {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                append(st.value(i), to: &out)
            }
            out.append(10)
            rows += 1
            if out.count >= 1 << 16 {
                try file.write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        try file.write(out)
        try file.commit()
        return rows
    }

    static func append(_ v: SQLValue, to out: inout [UInt8]) {
        switch v {
        case .null: break
        case .integer(let i): out.append(contentsOf: String(i).utf8)
        case .real(let d): out.append(contentsOf: real(d).utf8)
        case .text(let s): out.append(contentsOf: (s.isEmpty ? "\"\"" : field(s)).utf8)
        case .blob(let b):
            let hex = Array("0123456789abcdef".utf8)
            for byte in b { out.append(hex[Int(byte >> 4)]); out.append(hex[Int(byte & 15)]) }
        }
    }

    /// The shortest decimal text that reads back as the same double; `inf`/`-inf` for infinities
    /// (pandas and Python's float() read both).
    public static func real(_ d: Double) -> String {
        d.isInfinite ? (d < 0 ? "-inf" : "inf") : d.description
    }

    /// A CSV field, quoted (RFC 4180) when it holds a comma, a double quote, CR or LF.
    public static func field(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) else { return s }
        var q = "\""
        for c in s.unicodeScalars {
            if c == "\"" { q += "\"\"" } else { q.unicodeScalars.append(c) }
        }
        return q + "\""
    }

    static func quotedIdentifier(_ name: String) -> String {
        "\"" + name.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
