import CSQLite
import Foundation

// The SQLite C API is wrapped here, once, and nowhere else (the GRDB model): every pointer,
// result code and lifetime rule of SQLite lives in this file, so the rest of the package writes
// result tables through a small typed surface and cannot leak a statement or lose an error.

/// One SQLite value. The five cases are SQLite's own storage classes, so a value read back is
/// exactly what was stored: no silent Int/Double/String coercion on the way in or out.
///
/// SQLite stores a NaN `.real` as NULL; it reads back as `.null`.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// Everything a user needs to act on a failure without a debugger: which file, SQLite's result
/// code (stable, documented at sqlite.org/rescode.html), SQLite's own explanation, and the SQL
/// that was running.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public var path: String
    /// The primary result code (extended codes are not enabled), e.g. 19 for any constraint.
    public var code: Int32
    public var message: String
    public var sql: String?

    public init(path: String, code: Int32, message: String, sql: String? = nil) {
        self.path = path
        self.code = code
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var s = "\(path): SQLite error \(code) (\(message))"
        if let sql { s += " in: \(sql)" }
        return s
    }
}

/// How the rollback journal is kept. A closed set rather than a string because SQLite answers an
/// unknown `PRAGMA journal_mode` value by silently keeping the current mode.
public enum JournalMode: String, Sendable {
    case delete, truncate, persist, memory, wal, off
}

/// One connection to one database file.
///
/// Not `Sendable`: a connection is opened with `SQLITE_OPEN_NOMUTEX`, so it must stay on one
/// thread (one task) at a time; open one `Database` per worker instead of sharing one. The
/// compiler enforces this in Swift 6 mode.
///
/// Statements keep their `Database` alive, so dropping the last reference to a `Database` never
/// invalidates a statement. An explicit `close()` while statements are still alive finalizes
/// them (via `sqlite3_next_stmt`); using such a statement afterwards throws a "database is closed"
/// error (or traps, for the non-throwing column accessors) instead of touching freed memory.
public final class Database {
    public let path: String
    fileprivate private(set) var handle: OpaquePointer?
    private var savepointDepth = 0

    /// How long a statement waits for another connection's lock before failing with SQLITE_BUSY.
    /// Without it a reader (DuckDB, pandas, `sqlite3`) glancing at a results file while a run
    /// writes it makes the writer fail at once.
    public static let busyTimeoutMilliseconds: Int32 = 5_000

    /// Opens the file, creating it only when `create` is set, so that a mistyped input path fails
    /// here instead of silently yielding an empty database.
    ///
    /// The journal mode defaults to `.delete` rather than `.wal`: result files are written by one
    /// writer in large transactions (where WAL's reader/writer concurrency buys nothing), then
    /// copied, archived and opened on other machines, possibly over NFS on a cluster. A DELETE-mode
    /// file is complete and self-contained after every commit; WAL needs shared memory that network
    /// file systems do not provide and leaves `-wal`/`-shm` companions that must travel with it.
    ///
    /// `PRAGMA foreign_keys=ON` because SQLite ignores declared foreign keys otherwise. The file is
    /// read once here, so a file that is not a database fails at open (code 26), not at first use.
    /// A read-only connection keeps whatever journal mode the file has (changing it is a write).
    public init(path: String, create: Bool = true, readOnly: Bool = false,
                journalMode: JournalMode = .delete) throws {
        self.path = path
        // READONLY must not be combined with CREATE (undefined per the sqlite3_open_v2 docs).
        var flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
        flags |= SQLITE_OPEN_NOMUTEX
        var h: OpaquePointer?
        let rc = sqlite3_open_v2(path, &h, flags, nil)
        guard rc == SQLITE_OK, let h else {
            // sqlite3_open_v2 allocates a handle even on failure (except out of memory); it carries
            // the message and must still be closed.
            let message = h.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(h)
            throw SQLiteError(path: path, code: rc, message: message)
        }
        handle = h
        do {
            sqlite3_busy_timeout(h, Self.busyTimeoutMilliseconds)
            try execute("PRAGMA foreign_keys = ON")
            _ = try scalar("SELECT count(*) FROM sqlite_master")
            if !readOnly {
                let sql = "PRAGMA journal_mode = \(journalMode.rawValue)"
                let got = try scalar(sql)
                // An in-memory database always reports "memory"; anywhere else a different answer
                // means SQLite refused the mode (e.g. WAL on a file system without shared memory).
                if got != .text(journalMode.rawValue) && path != ":memory:" {
                    throw SQLiteError(path: path, code: SQLITE_ERROR,
                                      message: "journal mode \(journalMode.rawValue) refused, got \(got.map { "\($0)" } ?? "nothing")",
                                      sql: sql)
                }
            }
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// Idempotent so that an explicit close and the one in `deinit` never double-free. Any open
    /// transaction is rolled back by SQLite; live statements are finalized first because
    /// `sqlite3_close` refuses to close a connection that still has them.
    public func close() {
        guard let h = handle else { return }
        handle = nil
        while let stmt = sqlite3_next_stmt(h, nil) { sqlite3_finalize(stmt) }
        sqlite3_close_v2(h)
    }

    fileprivate func liveHandle(_ sql: String?) throws -> OpaquePointer {
        guard let h = handle else { throw closedError(sql) }
        return h
    }

    fileprivate func closedError(_ sql: String?) -> SQLiteError {
        SQLiteError(path: path, code: SQLITE_MISUSE, message: "database is closed", sql: sql)
    }

    /// Must be called right after the failing call: the next API call on the connection
    /// overwrites `sqlite3_errmsg`.
    fileprivate func error(_ rc: Int32, sql: String?) -> SQLiteError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "database is closed"
        return SQLiteError(path: path, code: rc, message: message, sql: sql)
    }

    /// For schema scripts and pragmas. Statements run one by one (what `sqlite3_exec` does) so
    /// that an error names the statement that failed rather than the whole script; rows are
    /// discarded. Nothing is bound: values go through `run` or `prepare`, never into SQL text.
    public func execute(_ sql: String) throws {
        let h = try liveHandle(sql)
        try sql.withCString { base in
            var cursor = base
            while cursor.pointee != 0 {
                var stmt: OpaquePointer?
                var tail: UnsafePointer<CChar>?
                let rc = sqlite3_prepare_v2(h, cursor, -1, &stmt, &tail)
                if rc != SQLITE_OK { throw error(rc, sql: Self.trimmed(String(cString: cursor))) }
                guard let stmt else {            // only whitespace, comments or an empty `;` left
                    guard let tail, tail > cursor else { break }
                    cursor = tail
                    continue
                }
                defer { sqlite3_finalize(stmt) }
                var s: Int32
                repeat { s = sqlite3_step(stmt) } while s == SQLITE_ROW
                if s != SQLITE_DONE { throw error(s, sql: Self.trimmed(String(cString: sqlite3_sql(stmt)))) }
                guard let tail else { break }
                cursor = tail
            }
        }
    }

    private static func trimmed(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Exactly one statement: SQLite's prepare silently ignores whatever follows the first
    /// statement, so trailing SQL (a second statement, a stray fragment) is an error here rather
    /// than code that never runs. Trailing whitespace, comments and semicolons are fine.
    public func prepare(_ sql: String) throws -> Statement {
        let h = try liveHandle(sql)
        var stmt: OpaquePointer?
        let (rc, extra): (Int32, Bool) = sql.withCString { base in
            var tail: UnsafePointer<CChar>?
            let rc = sqlite3_prepare_v2(h, base, -1, &stmt, &tail)
            guard rc == SQLITE_OK, stmt != nil else { return (rc, false) }
            var cursor = tail
            while let c = cursor, c.pointee != 0 {
                var more: OpaquePointer?
                var next: UnsafePointer<CChar>?
                let rc2 = sqlite3_prepare_v2(h, c, -1, &more, &next)
                if more != nil { sqlite3_finalize(more) }
                if rc2 != SQLITE_OK || more != nil { return (rc, true) }
                guard let n = next, n > c else { break }
                cursor = n
            }
            return (rc, false)
        }
        if rc != SQLITE_OK { throw error(rc, sql: sql) }
        guard let stmt else {
            throw SQLiteError(path: path, code: SQLITE_MISUSE, message: "no SQL statement to prepare", sql: sql)
        }
        if extra {
            sqlite3_finalize(stmt)
            throw SQLiteError(path: path, code: SQLITE_MISUSE,
                              message: "prepare takes one statement; use execute for scripts", sql: sql)
        }
        return Statement(database: self, handle: stmt, sql: sql)
    }

    /// One-off parameterised statements (DDL with values, single inserts), stepped to completion so
    /// that a statement with RETURNING or a deferred failure is fully applied or reported.
    public func run(_ sql: String, _ values: [SQLValue]) throws {
        try prepare(sql).execute(values)
    }

    /// All-or-nothing writes: a run's rows appear complete or not at all. The outer level uses
    /// BEGIN IMMEDIATE so the write lock is taken up front (waiting up to the busy timeout) rather
    /// than failing midway on upgrade from a read lock. A call inside another transaction (ours or
    /// one begun with `execute("BEGIN")`) becomes a SAVEPOINT, so a helper can be transactional
    /// whether or not its caller is. When `body` throws, its changes are undone and the body's
    /// error (not any rollback error) is rethrown; if COMMIT fails the transaction is rolled back
    /// and the COMMIT error is thrown.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        let h = try liveHandle(nil)
        if sqlite3_get_autocommit(h) != 0 {
            try execute("BEGIN IMMEDIATE")
            let result: T
            do {
                result = try body()
            } catch {
                rollbackIfOpen()
                throw error
            }
            do {
                try execute("COMMIT")
            } catch {
                rollbackIfOpen()
                throw error
            }
            return result
        }
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "poolsim_sp\(savepointDepth)"
        try execute("SAVEPOINT \(name)")
        let result: T
        do {
            result = try body()
        } catch {
            // Fails harmlessly if SQLite already rolled the whole transaction back (e.g. on
            // SQLITE_FULL); the outer level then sees no transaction either.
            try? execute("ROLLBACK TO \(name)")
            try? execute("RELEASE \(name)")
            throw error
        }
        try execute("RELEASE \(name)")
        return result
    }

    /// Some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM, …) already roll the transaction back;
    /// a second ROLLBACK would then fail and hide the real error.
    private func rollbackIfOpen() {
        guard let h = handle, sqlite3_get_autocommit(h) == 0 else { return }
        try? execute("ROLLBACK")
    }

    /// The rowid of the most recent successful INSERT on this connection; 0 once closed.
    public var lastInsertRowID: Int64 {
        handle.map { sqlite3_last_insert_rowid($0) } ?? 0
    }

    /// Rows changed by the most recent INSERT/UPDATE/DELETE on this connection; 0 once closed.
    public var changes: Int {
        handle.map { Int(sqlite3_changes64($0)) } ?? 0
    }

    /// For small result sets (summaries, tests, inspection); large tables should be read with a
    /// `Statement` row by row instead of being materialised.
    public func query(_ sql: String, _ values: [SQLValue] = []) throws -> (columns: [String], rows: [[SQLValue]]) {
        let statement = try prepare(sql)
        try statement.bind(values)
        let n = statement.columnCount
        let columns = (0..<n).map { statement.columnName($0) }
        var rows: [[SQLValue]] = []
        while try statement.step() {
            rows.append((0..<n).map { statement.value($0) })
        }
        return (columns, rows)
    }

    /// `nil` when the query returns no row, which is distinct from a row holding NULL (`.null`).
    public func scalar(_ sql: String, _ values: [SQLValue] = []) throws -> SQLValue? {
        let statement = try prepare(sql)
        try statement.bind(values)
        let value = try statement.step() ? statement.value(0) : nil
        try statement.reset()       // reports a failure deferred past the first row
        return value
    }

    /// Tables created by the user in the main schema, sorted by name (SQLite's binary collation);
    /// SQLite's internal `sqlite_*` tables are left out.
    public func tableNames() throws -> [String] {
        let rows = try query("""
            SELECT name FROM sqlite_master
            WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
            ORDER BY name
            """).rows
        return rows.compactMap { if case .text(let s) = $0.first { s } else { nil } }
    }
}

@available(*, unavailable, message: "one connection per thread: open a Database in each task")
extension Database: Sendable {}

/// A prepared statement: compiled once, bound and stepped many times, which is what makes bulk
/// inserts fast (millions of rows per second inside one transaction).
///
/// Keeps its `Database` alive; finalized in `deinit`. Not `Sendable`, like its connection.
public final class Statement {
    /// The SQL as given to `prepare`, for error messages.
    public let sql: String
    private let database: Database
    private let handle: OpaquePointer
    /// Set when `step` has thrown: `sqlite3_reset` then returns that same error again, which
    /// `reset` must not report a second time.
    private var stepFailed = false

    fileprivate init(database: Database, handle: OpaquePointer, sql: String) {
        self.database = database
        self.handle = handle
        self.sql = sql
    }

    deinit {
        // After Database.close() the statement was already finalized there.
        if database.handle != nil { sqlite3_finalize(handle) }
    }

    @inline(__always) private func live() throws -> OpaquePointer {
        guard database.handle != nil else { throw database.closedError(sql) }
        return handle
    }

    @inline(__always) private func check(_ rc: Int32) throws {
        if rc != SQLITE_OK { throw bindError(rc) }
    }

    /// SQLite's own message for a bind on a statement that was stepped but not reset is only
    /// "bad parameter or other API misuse"; say what to do instead.
    @inline(never) private func bindError(_ rc: Int32) -> SQLiteError {
        var e = database.error(rc, sql: sql)
        if rc == SQLITE_MISUSE { e.message += "; call reset() after step() before binding again" }
        return e
    }

    /// Binds a whole row of parameters, after a reset and clearing old bindings so that no value
    /// from a previous execution leaks into this one. The count must match the statement's
    /// parameters: SQLite would otherwise leave missing ones NULL without a word.
    public func bind(_ values: [SQLValue]) throws {
        let stmt = try live()
        try reset()
        sqlite3_clear_bindings(stmt)
        let expected = Int(sqlite3_bind_parameter_count(stmt))
        guard values.count == expected else {
            throw SQLiteError(path: database.path, code: SQLITE_RANGE,
                              message: "statement has \(expected) parameter(s), \(values.count) value(s) given", sql: sql)
        }
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            switch value {
            case .null: try bindNull(index)
            case .integer(let v): try bind(index, v)
            case .real(let v): try bind(index, v)
            case .text(let v): try bind(index, v)
            case .blob(let v): try bind(index, v)
            }
        }
    }

    // Typed binds for hot insert loops: no `SQLValue` array per row. Indexes are 1-based, as in
    // SQLite. They do not reset; call `reset()` (or use `execute`) between rows.

    public func bind(_ index: Int32, _ v: Int64) throws {
        try check(sqlite3_bind_int64(try live(), index, v))
    }

    public func bind(_ index: Int32, _ v: Double) throws {
        try check(sqlite3_bind_double(try live(), index, v))
    }

    /// Copied by SQLite (SQLITE_TRANSIENT): the Swift buffer is only valid during the call. An
    /// empty string is bound as empty text: a nil pointer would make SQLite store NULL.
    public func bind(_ index: Int32, _ v: String) throws {
        let stmt = try live()
        var v = v
        let rc = v.withUTF8 { buf -> Int32 in
            guard let base = buf.baseAddress, buf.count > 0 else {
                return sqlite3_bind_text(stmt, index, "", 0, poolsim_sqlite_transient())
            }
            return base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                sqlite3_bind_text64(stmt, index, $0, sqlite3_uint64(buf.count),
                                    poolsim_sqlite_transient(), UInt8(SQLITE_UTF8))
            }
        }
        try check(rc)
    }

    /// Copied by SQLite (SQLITE_TRANSIENT). An empty blob is bound as a zero-length blob, not NULL.
    public func bind(_ index: Int32, _ v: [UInt8]) throws {
        let stmt = try live()
        let rc = v.withUnsafeBytes { buf -> Int32 in
            guard let base = buf.baseAddress, buf.count > 0 else { return sqlite3_bind_zeroblob(stmt, index, 0) }
            return sqlite3_bind_blob64(stmt, index, base, sqlite3_uint64(buf.count), poolsim_sqlite_transient())
        }
        try check(rc)
    }

    public func bindNull(_ index: Int32) throws {
        try check(sqlite3_bind_null(try live(), index))
    }

    /// `true` while rows come; `false` once the statement has run to completion.
    public func step() throws -> Bool {
        let stmt = try live()
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        stepFailed = true
        throw database.error(rc, sql: sql)
    }

    /// Rewinds for another execution (bindings are kept) and releases the statement's locks.
    /// Throws only for a failure not already thrown by `step` (e.g. one deferred past an early
    /// stop, such as an INSERT … RETURNING stepped only once).
    public func reset() throws {
        let stmt = try live()
        let rc = sqlite3_reset(stmt)
        let alreadyReported = stepFailed
        stepFailed = false
        if rc != SQLITE_OK && !alreadyReported { throw database.error(rc, sql: sql) }
    }

    /// One complete execution with the given parameters; the statement is left reset (its locks
    /// released) whether it succeeds or throws, ready for the next row.
    public func execute(_ values: [SQLValue]) throws {
        try bind(values)
        do {
            while try step() {}
        } catch {
            try? reset()
            throw error
        }
        try reset()
    }

    // Column accessors are 0-based, as in SQLite, and valid only after `step` returned true.
    // They do not throw (they are called per cell); using them after `Database.close()` is a
    // programming error and traps rather than reading freed memory.

    @inline(__always) private func liveForColumns() -> OpaquePointer {
        precondition(database.handle != nil, "Statement used after Database.close(): \(sql)")
        return handle
    }

    public var columnCount: Int32 {
        sqlite3_column_count(liveForColumns())
    }

    public func columnName(_ i: Int32) -> String {
        sqlite3_column_name(liveForColumns(), i).map { String(cString: $0) } ?? ""
    }

    /// NULL reads as 0; other types are converted as SQLite does.
    public func int64(_ i: Int32) -> Int64 {
        sqlite3_column_int64(liveForColumns(), i)
    }

    /// NULL reads as 0.0; other types are converted as SQLite does.
    public func double(_ i: Int32) -> Double {
        sqlite3_column_double(liveForColumns(), i)
    }

    /// `nil` for NULL, so NULL and empty text stay distinct. Decoded with the byte count, not up to
    /// the first NUL, and invalid UTF-8 is repaired rather than dropped.
    public func text(_ i: Int32) -> String? {
        let stmt = liveForColumns()
        // Order matters: sqlite3_column_bytes after sqlite3_column_text gives the UTF-8 length.
        guard let p = sqlite3_column_text(stmt, i) else { return nil }
        let n = Int(sqlite3_column_bytes(stmt, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// The cell as stored, keeping SQLite's storage class.
    public func value(_ i: Int32) -> SQLValue {
        let stmt = liveForColumns()
        switch sqlite3_column_type(stmt, i) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(stmt, i))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(stmt, i))
        case SQLITE3_TEXT:
            return text(i).map(SQLValue.text) ?? .null
        case SQLITE_BLOB:
            let p = sqlite3_column_blob(stmt, i)
            let n = Int(sqlite3_column_bytes(stmt, i))
            guard let p, n > 0 else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: p, count: n)))
        default:
            return .null
        }
    }
}

@available(*, unavailable, message: "a statement belongs to its connection's thread")
extension Statement: Sendable {}
