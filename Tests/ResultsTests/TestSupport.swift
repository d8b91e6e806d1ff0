import Foundation
import Results
import XCTest
@_exported import ScenarioTestSupport

extension Database {
    /// Every row of `table` with the named columns left out, as text, sorted: for comparing two
    /// stores regardless of insertion order.
    func rows(_ table: String, except skipped: Set<String> = []) throws -> [String] {
        let q = try query("SELECT * FROM \(table)")
        let keep = q.columns.indices.filter { !skipped.contains(q.columns[$0]) }
        return q.rows.map { row in keep.map { "\(q.columns[$0])=\(row[$0])" }.joined(separator: " ") }.sorted()
    }

    func int(_ sql: String, _ values: [SQLValue] = []) throws -> Int64? {
        if case .integer(let i)? = try scalar(sql, values) { return i }
        return nil
    }

    func doubles(_ sql: String, _ values: [SQLValue] = []) throws -> [Double] {
        try query(sql, values).rows.map { row in
            switch row[0] {
            case .integer(let i): return Double(i)
            case .real(let d): return d
            default: return .nan
            }
        }
    }
}
