import Foundation
import Results
import XCTest

/// The SQLite wrapper on real files: values survive the round trip unchanged, transactions are
/// all-or-nothing, and every failure names the file, the SQLite code and the SQL.
final class SQLiteTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("poolsim-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// The `SQLiteError` thrown by `body`, failing the test if it does not throw one.
    func sqliteError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> SQLiteError? {
        do {
            try body()
            XCTFail("expected an SQLiteError, nothing was thrown", file: file, line: line)
        } catch let e as SQLiteError {
            return e
        } catch {
            XCTFail("expected an SQLiteError, got \(error)", file: file, line: line)
        }
        return nil
    }

    func count(_ db: Database, _ table: String) throws -> SQLValue? {
        try db.scalar("SELECT count(*) FROM \(table)")
    }

    // MARK: values

    func testEveryValueTypeRoundTripsUnchanged() throws {
        let db = try Database(path: path("values.sqlite"))
        // No declared type: no column affinity, so SQLite keeps each value's storage class.
        try db.execute("CREATE TABLE t(i INTEGER PRIMARY KEY, v)")
        let values: [SQLValue] = [
            .null,
            .integer(0), .integer(-1), .integer(Int64.min), .integer(Int64.max),
            .real(0.1), .real(-1.5e300), .real(Double.pi), .real(Double.leastNonzeroMagnitude),
            .real(Double.infinity), .real(-Double.infinity),
            .text(""), .text("plain ASCII"),
            .text("医保基金池：门诊统筹报销比例 70%"), .text("🧾 é (e + combining acute: e\u{301})"),
            .text("embedded\u{0}NUL"),
            .blob([]), .blob([0, 1, 255, 0, 128]), .blob(Array(0...255)),
        ]
        for (i, v) in values.enumerated() {
            try db.run("INSERT INTO t(i, v) VALUES (?, ?)", [.integer(Int64(i)), v])
        }
        let result = try db.query("SELECT v, typeof(v) FROM t ORDER BY i")
        XCTAssertEqual(result.columns, ["v", "typeof(v)"])
        XCTAssertEqual(result.rows.map { $0[0] }, values)
        // The storage class SQLite itself reports: empty text and empty blobs are not NULL.
        let expectedTypes = values.map { v -> SQLValue in
            switch v {
            case .null: .text("null")
            case .integer: .text("integer")
            case .real: .text("real")
            case .text: .text("text")
            case .blob: .text("blob")
            }
        }
        XCTAssertEqual(result.rows.map { $0[1] }, expectedTypes)
        // And through a WHERE clause, so the bound text is really the same bytes as stored.
        XCTAssertEqual(try db.scalar("SELECT i FROM t WHERE v = ?", [.text("医保基金池：门诊统筹报销比例 70%")]), .integer(13))
        XCTAssertNil(try db.scalar("SELECT i FROM t WHERE v = ?", [.text("absent")]), "no row is nil, not .null")
        XCTAssertEqual(try db.scalar("SELECT NULL"), .null, "a NULL cell is .null, not nil")
    }

    func testTypedBindsAndAccessors() throws {
        let db = try Database(path: path("typed.sqlite"))
        try db.execute("CREATE TABLE t(a INTEGER, b REAL, c TEXT, d TEXT)")
        let insert = try db.prepare("INSERT INTO t VALUES (?, ?, ?, ?)")
        try insert.bind(1, Int64.min)
        try insert.bind(2, -0.125)
        try insert.bind(3, "参保人 №42")
        try insert.bindNull(4)
        XCTAssertFalse(try insert.step())
        try insert.reset()
        try insert.bind(1, Int64.max)
        try insert.bind(2, 1e-300)
        try insert.bind(3, "")
        try insert.bind(4, "x")
        XCTAssertFalse(try insert.step())

        let select = try db.prepare("SELECT a, b, c, d FROM t ORDER BY a")
        XCTAssertEqual(select.columnCount, 4)
        XCTAssertEqual((0..<4).map { select.columnName($0) }, ["a", "b", "c", "d"])
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.int64(0), Int64.min)
        XCTAssertEqual(select.double(1), -0.125)
        XCTAssertEqual(select.text(2), "参保人 №42")
        XCTAssertNil(select.text(3))
        XCTAssertEqual(select.value(3), .null)
        XCTAssertTrue(try select.step())
        XCTAssertEqual(select.int64(0), Int64.max)
        XCTAssertEqual(select.double(1), 1e-300)
        XCTAssertEqual(select.text(2), "", "empty text must not come back as NULL")
        XCTAssertEqual(select.value(2), .text(""))
        XCTAssertEqual(select.text(3), "x")
        XCTAssertFalse(try select.step())

        let stepped = try XCTUnwrap(sqliteError { try insert.bind(1, Int64(1)) })
        XCTAssertEqual(stepped.code, 21, "SQLITE_MISUSE: binding a stepped statement without reset")
        XCTAssertTrue(stepped.message.contains("reset"), stepped.message)
        try insert.reset()
        let e = try XCTUnwrap(sqliteError { try insert.bind(5, Int64(1)) })
        XCTAssertEqual(e.code, 25, "SQLITE_RANGE for a parameter index past the end")
        XCTAssertEqual(e.sql, "INSERT INTO t VALUES (?, ?, ?, ?)")
    }

    func testNaNIsStoredAsNull() throws {
        let db = try Database(path: path("nan.sqlite"))
        try db.execute("CREATE TABLE t(v REAL)")
        try db.run("INSERT INTO t VALUES (?)", [.real(.nan)])
        XCTAssertEqual(try db.scalar("SELECT v FROM t"), .null)
    }

    func testBindCountMustMatchParameters() throws {
        let db = try Database(path: path("count.sqlite"))
        try db.execute("CREATE TABLE t(a, b)")
        let e = try XCTUnwrap(sqliteError { try db.run("INSERT INTO t VALUES (?, ?)", [.integer(1)]) })
        XCTAssertEqual(e.code, 25)
        XCTAssertTrue(e.message.contains("2 parameter(s), 1 value(s)"), e.message)
        XCTAssertEqual(try count(db, "t"), .integer(0))
        XCTAssertNotNil(sqliteError { _ = try db.query("SELECT ?") })
    }

    // MARK: transactions

    struct Boom: Error {}

    func testThrowingBodyRollsBackAndRethrows() throws {
        let db = try Database(path: path("rollback.sqlite"))
        try db.execute("CREATE TABLE t(x INTEGER)")
        try db.run("INSERT INTO t VALUES (?)", [.integer(1)])
        XCTAssertThrowsError(try db.transaction { () throws -> Void in
            try db.run("INSERT INTO t VALUES (?)", [.integer(2)])
            try db.run("INSERT INTO t VALUES (?)", [.integer(3)])
            XCTAssertEqual(try self.count(db, "t"), .integer(3), "visible inside the transaction")
            throw Boom()
        }) { XCTAssertTrue($0 is Boom, "the body's own error is rethrown, got \($0)") }
        XCTAssertEqual(try count(db, "t"), .integer(1))

        // No transaction was left open: the next one commits, and its value comes back.
        let n = try db.transaction { () throws -> Int in
            try db.run("INSERT INTO t VALUES (?)", [.integer(4)])
            return db.changes
        }
        XCTAssertEqual(n, 1)
        db.close()
        let reopened = try Database(path: path("rollback.sqlite"))
        XCTAssertEqual(try reopened.query("SELECT x FROM t ORDER BY x").rows, [[.integer(1)], [.integer(4)]])
    }

    func testNestedSavepointRollbackKeepsOuterChanges() throws {
        let db = try Database(path: path("nested.sqlite"))
        try db.execute("CREATE TABLE t(x INTEGER)")
        try db.transaction {
            try db.run("INSERT INTO t VALUES (?)", [.integer(1)])
            XCTAssertThrowsError(try db.transaction { () throws -> Void in
                try db.run("INSERT INTO t VALUES (?)", [.integer(2)])
                throw Boom()
            }) { XCTAssertTrue($0 is Boom) }
            try db.transaction {
                try db.run("INSERT INTO t VALUES (?)", [.integer(3)])
                // Two levels deep, rolled back alone.
                XCTAssertThrowsError(try db.transaction { () throws -> Void in
                    try db.run("INSERT INTO t VALUES (?)", [.integer(4)])
                    throw Boom()
                })
            }
            try db.run("INSERT INTO t VALUES (?)", [.integer(5)])
        }
        db.close()
        let reopened = try Database(path: path("nested.sqlite"))
        XCTAssertEqual(try reopened.query("SELECT x FROM t ORDER BY x").rows, [[.integer(1)], [.integer(3)], [.integer(5)]])
    }

    func testOuterFailureUndoesReleasedSavepoints() throws {
        let db = try Database(path: path("outer.sqlite"))
        try db.execute("CREATE TABLE t(x INTEGER)")
        XCTAssertThrowsError(try db.transaction { () throws -> Void in
            try db.transaction { try db.run("INSERT INTO t VALUES (?)", [.integer(1)]) }
            throw Boom()
        })
        XCTAssertEqual(try count(db, "t"), .integer(0))
    }

    // MARK: errors

    func testConstraintViolationNamesPathCodeAndSQL() throws {
        let file = path("run.sqlite")
        let db = try Database(path: file)
        try db.execute("CREATE TABLE member(id INTEGER PRIMARY KEY, card TEXT NOT NULL UNIQUE)")
        let sql = "INSERT INTO member(card) VALUES (?)"
        try db.run(sql, [.text("A-1")])
        XCTAssertEqual(db.lastInsertRowID, 1)
        let e = try XCTUnwrap(sqliteError { try db.run(sql, [.text("A-1")]) })
        XCTAssertEqual(e.path, file)
        XCTAssertEqual(e.code, 19)
        XCTAssertEqual(e.sql, sql)
        XCTAssertTrue(e.message.contains("UNIQUE constraint failed: member.card"), e.message)
        XCTAssertEqual(e.description,
                       "\(file): SQLite error 19 (UNIQUE constraint failed: member.card) in: \(sql)")

        // A prepared statement reports the same way and stays usable after the failure.
        let insert = try db.prepare(sql)
        let again = try XCTUnwrap(sqliteError { try insert.execute([.text("A-1")]) })
        XCTAssertEqual(again.code, 19)
        XCTAssertEqual(again.sql, sql)
        try insert.execute([.text("B-2")])
        // Stepping by hand: the failure is thrown once, by step, not again by reset or bind.
        try insert.bind([.text("A-1")])
        XCTAssertEqual(sqliteError { _ = try insert.step() }?.code, 19)
        try insert.reset()
        try insert.bind([.text("C-3")])
        XCTAssertFalse(try insert.step())
        XCTAssertEqual(db.changes, 1)
        XCTAssertEqual(try count(db, "member"), .integer(3))
    }

    func testForeignKeysAreEnforced() throws {
        let db = try Database(path: path("fk.sqlite"))
        try db.execute("""
            CREATE TABLE member(id INTEGER PRIMARY KEY);
            CREATE TABLE claim(id INTEGER PRIMARY KEY, member INTEGER NOT NULL REFERENCES member(id));
            """)
        let e = try XCTUnwrap(sqliteError { try db.run("INSERT INTO claim(member) VALUES (?)", [.integer(7)]) })
        XCTAssertEqual(e.code, 19)
        XCTAssertTrue(e.message.contains("FOREIGN KEY"), e.message)
    }

    func testExecuteNamesTheFailingStatement() throws {
        let db = try Database(path: path("script.sqlite"))
        try db.execute("CREATE TABLE t(x UNIQUE); INSERT INTO t VALUES (1);")
        let e = try XCTUnwrap(sqliteError {
            try db.execute("""
                CREATE TABLE a(x);
                INSERT INTO t VALUES (1);
                CREATE TABLE b(x);
                """)
        })
        XCTAssertEqual(e.code, 19)
        XCTAssertEqual(e.sql, "INSERT INTO t VALUES (1);")
        XCTAssertEqual(try db.tableNames(), ["a", "t"], "statements before the failure ran, those after did not")
    }

    func testPrepareRejectsMoreThanOneStatement() throws {
        let db = try Database(path: path("prepare.sqlite"))
        let e = try XCTUnwrap(sqliteError { _ = try db.prepare("SELECT 1; SELECT 2") })
        XCTAssertEqual(e.sql, "SELECT 1; SELECT 2")
        XCTAssertNotNil(sqliteError { _ = try db.prepare("   -- only a comment\n") })
        let ok = try db.prepare("SELECT 1;  -- trailing comment\n ; ")
        XCTAssertTrue(try ok.step())
        XCTAssertEqual(ok.int64(0), 1)
        let syntax = try XCTUnwrap(sqliteError { _ = try db.prepare("SELEC 1") })
        XCTAssertEqual(syntax.code, 1)
        XCTAssertTrue(syntax.description.contains("in: SELEC 1"), syntax.description)
    }

    // MARK: opening

    func testMissingFileWithoutCreateFailsNamingThePath() throws {
        let file = path("missing.sqlite")
        let e = try XCTUnwrap(sqliteError { _ = try Database(path: file, create: false) })
        XCTAssertEqual(e.code, 14, "SQLITE_CANTOPEN")
        XCTAssertTrue(e.description.contains(file), e.description)
        XCTAssertFalse(FileManager.default.fileExists(atPath: file), "create: false must not create the file")
        XCTAssertNotNil(sqliteError { _ = try Database(path: file, readOnly: true) })
    }

    func testNonDatabaseFileFailsAtOpen() throws {
        let file = path("notes.txt")
        try Data(String(repeating: "not a database. ", count: 64).utf8).write(to: URL(fileURLWithPath: file))
        let e = try XCTUnwrap(sqliteError { _ = try Database(path: file) })
        XCTAssertEqual(e.code, 26, "SQLITE_NOTADB")
        XCTAssertEqual(e.path, file)
    }

    func testReadOnlyRejectsWrites() throws {
        let file = path("ro.sqlite")
        do {
            let db = try Database(path: file)
            try db.execute("CREATE TABLE t(x); INSERT INTO t VALUES (42);")
        }
        let ro = try Database(path: file, readOnly: true)
        XCTAssertEqual(try ro.scalar("SELECT x FROM t"), .integer(42))
        let e = try XCTUnwrap(sqliteError { try ro.run("INSERT INTO t VALUES (?)", [.integer(1)]) })
        XCTAssertEqual(e.code, 8, "SQLITE_READONLY")
        XCTAssertEqual(e.path, file)
        XCTAssertNotNil(sqliteError { try ro.execute("CREATE TABLE u(y)") })
        XCTAssertNotNil(sqliteError { try ro.transaction { try ro.run("DELETE FROM t", []) } })
        XCTAssertEqual(try ro.query("SELECT x FROM t").rows, [[.integer(42)]])
    }

    func testJournalModeIsDeleteAndLeavesOneFile() throws {
        let file = path("journal.sqlite")
        let db = try Database(path: file)
        XCTAssertEqual(try db.scalar("PRAGMA journal_mode"), .text("delete"))
        XCTAssertEqual(try db.scalar("PRAGMA foreign_keys"), .integer(1))
        try db.transaction { try db.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1);") }
        for suffix in ["-journal", "-wal", "-shm"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: file + suffix), "\(suffix) left after commit")
        }
        let wal = try Database(path: path("wal.sqlite"), journalMode: .wal)
        XCTAssertEqual(try wal.scalar("PRAGMA journal_mode"), .text("wal"), "a requested mode is applied")
        // In-memory and anonymous temporary databases open too (their journal is not a file).
        for special in [":memory:", ""] {
            let db = try Database(path: special)
            XCTAssertEqual(try db.scalar("SELECT 1 + 1"), .integer(2))
        }
    }

    func testTableNamesAreUserTablesSorted() throws {
        let db = try Database(path: path("tables.sqlite"))
        XCTAssertEqual(try db.tableNames(), [])
        try db.execute("""
            CREATE TABLE zeta(x);
            CREATE TABLE alpha(x);
            CREATE TABLE Mid(x);
            CREATE TABLE counter(id INTEGER PRIMARY KEY AUTOINCREMENT, x);
            CREATE INDEX alpha_x ON alpha(x);
            CREATE VIEW beta AS SELECT x FROM alpha;
            INSERT INTO counter(x) VALUES (1);
            """)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_sequence'"), .integer(1))
        XCTAssertEqual(try db.tableNames(), ["Mid", "alpha", "counter", "zeta"])
    }

    // MARK: lifetime

    func testCloseIsIdempotentAndStatementsFailCleanlyAfterIt() throws {
        let db = try Database(path: path("close.sqlite"))
        try db.execute("CREATE TABLE t(x)")
        let insert = try db.prepare("INSERT INTO t VALUES (?)")
        try insert.execute([.integer(1)])
        db.close()
        db.close()
        let e = try XCTUnwrap(sqliteError { try insert.execute([.integer(2)]) })
        XCTAssertEqual(e.code, 21, "SQLITE_MISUSE")
        XCTAssertTrue(e.description.contains("database is closed"), e.description)
        XCTAssertNotNil(sqliteError { try db.execute("SELECT 1") })
        XCTAssertNotNil(sqliteError { _ = try db.prepare("SELECT 1") })
        XCTAssertEqual(db.changes, 0)
        let reopened = try Database(path: path("close.sqlite"))
        XCTAssertEqual(try reopened.scalar("SELECT count(*) FROM t"), .integer(1))
    }

    func testStatementKeepsItsDatabaseAlive() throws {
        var statement: Statement?
        do {
            let db = try Database(path: path("alive.sqlite"))
            try db.execute("CREATE TABLE t(x); INSERT INTO t VALUES (9);")
            statement = try db.prepare("SELECT x FROM t")
        }
        let s = try XCTUnwrap(statement)
        XCTAssertTrue(try s.step())
        XCTAssertEqual(s.int64(0), 9)
    }

    // MARK: volume

    func testHundredThousandPreparedInsertsInOneTransaction() throws {
        let file = path("bulk.sqlite")
        let n = 100_000
        let db = try Database(path: file)
        try db.execute("CREATE TABLE claim(id INTEGER PRIMARY KEY, amount REAL NOT NULL, label TEXT NOT NULL, note TEXT)")
        try db.transaction {
            let insert = try db.prepare("INSERT INTO claim(id, amount, label, note) VALUES (?, ?, ?, ?)")
            for i in 0..<n {
                try insert.bind(1, Int64(i))
                try insert.bind(2, Double(i) * 0.25)
                try insert.bind(3, "门诊-\(i)")
                if i % 2 == 0 { try insert.bindNull(4) } else { try insert.bind(4, "odd") }
                XCTAssertFalse(try insert.step())
                try insert.reset()
            }
        }
        db.close()
        let check = try Database(path: file, readOnly: true)
        XCTAssertEqual(try check.scalar("SELECT count(*) FROM claim"), .integer(Int64(n)))
        XCTAssertEqual(try check.scalar("SELECT sum(id) FROM claim"), .integer(Int64(n * (n - 1) / 2)))
        XCTAssertEqual(try check.scalar("SELECT count(note) FROM claim"), .integer(Int64(n / 2)))
        XCTAssertEqual(try check.scalar("SELECT label FROM claim WHERE id = ?", [.integer(99_999)]), .text("门诊-99999"))
        XCTAssertEqual(try check.scalar("SELECT amount FROM claim WHERE id = ?", [.integer(99_999)]), .real(24_999.75))
    }
}
