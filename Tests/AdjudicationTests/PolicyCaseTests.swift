import Foundation
import XCTest
import Yams
import Policy
import Adjudication

/// Data-driven adjudication tests (OpenFisca style): every `Cases/*.yaml` file holds one or more
/// hand-computed cases (YAML documents separated by `---`); adding a case needs no Swift.
///
/// A case:
///
///     # tieling §9: (1000 − 300) × 50% = 350.00; member pays 1000 − 350 = 650.00
///     name: tieling ordinary tier 3, in service, 2023
///     policy: tieling                       # datasets/policies/<policy>.yaml
///     reform: {ordinary.annual_cap: 4000}   # optional overlay: path → value, or {period:, set:}, or a list of those
///     members:
///       - {id: m1, status: in_service}      # optional retired_on: YYYY-MM-DD, remote_registered: true
///     claims:                               # in input order
///       - {id: c1, member: m1, date: 2023-03-01, tier: 3, total: 1000, compliant: 1000,
///          expect: {fund: "350.00", member: "650.00", deductible: "300.00", ratio_bp: 5000, rule: "ordinary tieling §9"}}
///
/// Claims take the optional columns of the claims contract: `channel`, `institution`, `site`,
/// `designated`, `end_date` (inpatient only), `disease`; `compliant` defaults to `total`.
/// `expect` needs `fund`, `member`, `deductible`, `ratio_bp` and `rule`; `large` (the part of
/// `fund` paid by the large-amount subsidy) defaults to 0.
final class PolicyCaseTests: XCTestCase {
    /// The case files must not silently disappear (a renamed folder, a broken resource copy).
    static let minimumCaseFiles = 25

    static var casesDirectory: URL? { Bundle.module.url(forResource: "Cases", withExtension: nil) }

    /// `datasets/policies/` of the package, found from this file (Tests/AdjudicationTests/X.swift).
    static var policiesDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()   // Tests/AdjudicationTests
            .deletingLastPathComponent()   // Tests
            .deletingLastPathComponent()   // package root
            .appendingPathComponent("datasets")
            .appendingPathComponent("policies")
    }

    static func caseFiles() throws -> [URL] {
        guard let dir = casesDirectory else { return [] }
        return try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" || $0.pathExtension == "yml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    func testCaseFilesAreFound() throws {
        let dir = try XCTUnwrap(Self.casesDirectory, "the Cases resource folder is missing from the test bundle")
        let files = try Self.caseFiles()
        XCTAssertGreaterThanOrEqual(files.count, Self.minimumCaseFiles,
                                    "expected at least \(Self.minimumCaseFiles) case files in \(dir.path), found \(files.count)")
    }

    func testEveryCase() throws {
        let files = try Self.caseFiles()
        XCTAssertFalse(files.isEmpty, "no case files found")
        var cases = 0, claims = 0
        for url in files {
            let name = url.lastPathComponent
            let parsed: [PolicyCase]
            do {
                parsed = try CaseParser.parse(try String(contentsOf: url, encoding: .utf8), file: name)
            } catch {
                XCTFail("\(name): cannot be read as a case file: \(error)")
                continue
            }
            for c in parsed {
                cases += 1
                claims += c.claims.count
                check(c)
            }
        }
        print("PolicyCaseTests: \(files.count) case files, \(cases) cases, \(claims) claims checked")
    }

    /// Runs one case through `Batch` and compares every expected field.
    private func check(_ c: PolicyCase) {
        let at = "\(c.file): case '\(c.name)'"
        let policy: Policy
        do {
            policy = try Policy.load(path: Self.policiesDirectory.appendingPathComponent(c.policy + ".yaml").path,
                                     reforms: c.reforms)
        } catch {
            XCTFail("\(at): cannot load policy '\(c.policy)': \(error)")
            return
        }
        var members = MemberTable()
        for m in c.members {
            members.append(id: m.id, status: m.status, retiredOn: m.retiredOn, remoteRegistered: m.remoteRegistered)
        }
        // Member rows are appended in case order, so a member's row is its position in the case.
        var row: [String: Int32] = [:]
        for (i, m) in c.members.enumerated() { row[m.id] = Int32(i) }
        var table = ClaimTable()
        for k in c.claims {
            table.append(id: k.id, member: row[k.member]!, claim: k.claim, endDay: k.endDay, diseaseCode: k.disease)
        }
        let engine = RulesEngine(policy: policy)
        let outcomes = Batch(engine: engine, claims: table).run(claims: table, members: members)
        XCTAssertEqual(outcomes.count, c.claims.count, "\(at): one outcome per claim")
        guard outcomes.count == c.claims.count else { return }

        var failed = false
        for (k, o) in zip(c.claims, outcomes) {
            let e = k.expect
            let here = "\(at) claim \(k.id) (line \(k.line))"
            func money(_ field: String, _ want: Int64, _ got: Int64) {
                if want != got {
                    failed = true
                    XCTFail("\(here): \(field) expected \(Money.format(want)), got \(Money.format(got))")
                }
            }
            money("fund", e.fund, o.fundFen)
            money("member", e.member, o.memberFen)
            money("deductible", e.deductible, o.deductibleFen)
            money("large", e.large, o.largeFen)
            if e.ratioBp != o.ratioBp {
                failed = true
                XCTFail("\(here): ratio_bp expected \(e.ratioBp), got \(o.ratioBp)")
            }
            let rule = Int(o.rule) < engine.ruleNames.count ? engine.ruleNames[Int(o.rule)] : "#\(o.rule)"
            if e.rule != rule {
                failed = true
                XCTFail("\(here): rule expected '\(e.rule)', got '\(rule)'")
            }
            // Not an expectation of the case but of the contract: the two shares make the bill.
            XCTAssertEqual(o.fundFen + o.memberFen, k.claim.totalFen, "\(here): fund + member must equal the total cost")
        }
        if failed {
            // The whole case as the engine saw it, to read the failure in context.
            var lines = ["\(at) — engine outcomes:"]
            for (k, o) in zip(c.claims, outcomes) {
                let rule = Int(o.rule) < engine.ruleNames.count ? engine.ruleNames[Int(o.rule)] : "#\(o.rule)"
                lines.append("  \(k.id) \(Day.format(k.claim.day)) fund \(Money.format(o.fundFen)) member \(Money.format(o.memberFen)) "
                             + "deductible \(Money.format(o.deductibleFen)) large \(Money.format(o.largeFen)) ratio_bp \(o.ratioBp) rule '\(rule)'")
            }
            print(lines.joined(separator: "\n"))
        }
    }

    // MARK: The parser refuses what would make a case silently pass

    func testParserRejectsACaseWithoutClaims() {
        let text = """
            name: empty
            policy: tieling
            members: [{id: m1, status: in_service}]
            claims: []
            """
        XCTAssertThrowsError(try CaseParser.parse(text, file: "inline.yaml")) { error in
            XCTAssertTrue("\(error)".contains("no claims"), "\(error)")
        }
    }

    func testParserRejectsUnknownKeysAndMissingExpectations() {
        let base = """
            name: typo
            policy: tieling
            members: [{id: m1, status: in_service}]
            claims:
              - {id: c1, member: m1, date: 2023-03-01, tier: 3, total: 1000,
                 expect: {fund: "350.00", member: "650.00", deductible: "300.00", ratio_bp: 5000, rule: "ordinary tieling §9"}}
            """
        XCTAssertNoThrow(try CaseParser.parse(base, file: "inline.yaml"))
        for (bad, good) in [("ratio_bp: 5000", "ratio: 5000"), ("expect:", "expcet:"), ("tier: 3", "tier: 4"),
                            ("total: 1000", "total: 1000, compliant: 1000.001"), ("member: m1, date", "member: m2, date"),
                            ("2023-03-01", "2023-02-30"), ("rule: \"ordinary tieling §9\"", "rule: \"\"")] {
            let text = base.replacingOccurrences(of: bad, with: good)
            XCTAssertThrowsError(try CaseParser.parse(text, file: "inline.yaml"), "accepted with \(good)")
        }
    }

    func testParserReadsSeveralDocumentsAndReforms() throws {
        let text = """
            name: one
            policy: tieling
            reform: {ordinary.annual_cap: 4000, ordinary.ratio: {tier3: 70}}
            members: [{id: m1, status: in_service, retired_on: 2023-06-15}]
            claims:
              - {id: c1, member: m1, date: 2023-03-01, tier: 3, total: 1000, compliant: 900,
                 expect: {fund: "1.00", member: "999.00", deductible: "0.00", ratio_bp: 1, rule: r}}
            ---
            name: two
            policy: yanbian
            reform: {period: 2023-on, set: {ordinary.annual_cap: 10}}
            members: [{id: m1, status: retired}]
            claims:
              - {id: c1, member: m1, date: 2023-03-01, tier: 0, total: 1, channel: inpatient, end_date: 2023-03-02,
                 expect: {fund: "1", member: "0", deductible: "0", ratio_bp: 1, rule: r, large: "0.50"}}
            """
        let cases = try CaseParser.parse(text, file: "inline.yaml")
        XCTAssertEqual(cases.map(\.name), ["one", "two"])
        XCTAssertEqual(cases[0].reforms.first?.entries.map(\.path), ["ordinary.annual_cap", "ordinary.ratio.tier3"])
        XCTAssertNil(cases[0].reforms.first?.period)
        XCTAssertEqual(cases[0].members[0].retiredOn, Day.from(year: 2023, month: 6, day: 15))
        XCTAssertEqual(cases[0].claims[0].claim.compliantFen, 90_000)
        XCTAssertEqual(cases[1].reforms.first?.period, "2023-on")
        XCTAssertEqual(cases[1].members[0].retiredOn, nil)
        XCTAssertEqual(cases[1].claims[0].claim.compliantFen, 100)
        XCTAssertEqual(cases[1].claims[0].endDay, Day.from(year: 2023, month: 3, day: 2))
        XCTAssertEqual(cases[1].claims[0].expect.large, 50)
    }
}

// MARK: - Case files

struct CaseMember {
    var id: String
    var status: Status
    var retiredOn: Int32?
    var remoteRegistered: Bool
}

struct ExpectedOutcome {
    var fund: Int64
    var member: Int64
    var deductible: Int64
    var ratioBp: Int32
    var rule: String
    var large: Int64
}

struct CaseClaim {
    var id: String
    var member: String
    var claim: Claim
    var endDay: Int32?
    var disease: String?
    var expect: ExpectedOutcome
    var line: Int
}

struct PolicyCase {
    var file: String
    var name: String
    var policy: String
    var reforms: [Overlay]
    var members: [CaseMember]
    var claims: [CaseClaim]
}

struct CaseFileError: Error, CustomStringConvertible {
    var file: String
    var line: Int?
    var path: String
    var message: String
    var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(path.isEmpty ? "" : path + ": ")\(message)" }
}

/// Reads case files strictly: an unknown key, a missing expectation or an unreadable value is an
/// error naming file, line and key path, so a typo can never turn a check off.
struct CaseParser {
    let file: String

    static func parse(_ text: String, file: String) throws -> [PolicyCase] {
        let p = CaseParser(file: file)
        var out: [PolicyCase] = []
        let docs: [Node]
        do { docs = Array(try Yams.compose_all(yaml: text)) } catch {
            throw CaseFileError(file: file, line: nil, path: "", message: "not valid YAML: \(error)")
        }
        for (i, doc) in docs.enumerated() { out.append(try p.testCase(doc, index: i)) }
        guard !out.isEmpty else { throw CaseFileError(file: file, line: nil, path: "", message: "the file holds no case") }
        return out
    }

    func error(_ node: Node?, _ path: String, _ message: String) -> CaseFileError {
        CaseFileError(file: file, line: node?.mark?.line, path: path, message: message)
    }

    func mapping(_ node: Node, _ path: String, allowed: [String], required: [String] = []) throws -> [String: Node] {
        guard case .mapping(let m) = node else { throw error(node, path, "expected a mapping") }
        var out: [String: Node] = [:]
        for (k, v) in m {
            guard case .scalar(let ks) = k else { throw error(k, path, "keys must be plain text") }
            let key = ks.string
            guard allowed.contains(key) else {
                throw error(k, path, "unknown key '\(key)' (allowed: \(allowed.joined(separator: ", ")))")
            }
            guard out[key] == nil else { throw error(k, path, "key '\(key)' given twice") }
            out[key] = v
        }
        for r in required where out[r] == nil { throw error(node, path, "'\(r)' is required") }
        return out
    }

    func scalar(_ node: Node, _ path: String) throws -> String {
        guard case .scalar(let s) = node else { throw error(node, path, "expected a single value") }
        return s.string
    }

    func nonEmpty(_ node: Node, _ path: String) throws -> String {
        let s = try scalar(node, path)
        guard !s.isEmpty else { throw error(node, path, "must not be empty") }
        return s
    }

    func sequence(_ node: Node, _ path: String) throws -> [Node] {
        guard case .sequence(let s) = node else { throw error(node, path, "expected a list") }
        return Array(s)
    }

    func date(_ node: Node, _ path: String) throws -> Int32 {
        let s = try scalar(node, path)
        guard let d = Day.parse(s) else { throw error(node, path, "expected a real date YYYY-MM-DD, got '\(s)'") }
        return d
    }

    func money(_ node: Node, _ path: String) throws -> Int64 {
        let s = try scalar(node, path)
        guard let v = Money.parseYuan(s) else { throw error(node, path, "expected yuan with at most 2 decimals, got '\(s)'") }
        return v
    }

    func bool(_ node: Node, _ path: String) throws -> Bool {
        switch try scalar(node, path) {
        case "true": return true
        case "false": return false
        case let s: throw error(node, path, "expected true or false, got '\(s)'")
        }
    }

    func choice<T>(_ node: Node?, _ path: String, _ def: T, _ make: (String) -> T?, _ allowed: [String]) throws -> T {
        guard let node else { return def }
        let s = try scalar(node, path)
        guard let v = make(s) else { throw error(node, path, "unknown value '\(s)' (allowed: \(allowed.joined(separator: ", ")))") }
        return v
    }

    func testCase(_ node: Node, index: Int) throws -> PolicyCase {
        let top = "document \(index + 1)"
        let m = try mapping(node, top, allowed: ["name", "policy", "reform", "members", "claims"],
                            required: ["name", "policy", "members", "claims"])
        let name = try nonEmpty(m["name"]!, "name")
        let policy = try nonEmpty(m["policy"]!, "policy")
        var reforms: [Overlay] = []
        if let r = m["reform"] {
            if case .sequence(let items) = r {
                for (i, item) in items.enumerated() { reforms.append(try reform(item, path: "reform[\(i)]", name: "\(name) #\(i + 1)")) }
            } else {
                reforms.append(try reform(r, path: "reform", name: name))
            }
        }

        var members: [CaseMember] = []
        for (i, item) in try sequence(m["members"]!, "members").enumerated() {
            let path = "members[\(i)]"
            let f = try mapping(item, path, allowed: ["id", "status", "retired_on", "remote_registered"], required: ["id", "status"])
            let id = try nonEmpty(f["id"]!, path + ".id")
            guard !members.contains(where: { $0.id == id }) else { throw error(item, path, "member '\(id)' is listed twice") }
            let status = try choice(f["status"], path + ".status", Status.inService, { Status(name: $0) }, ["in_service", "retired"])
            members.append(CaseMember(id: id, status: status, retiredOn: try f["retired_on"].map { try date($0, path + ".retired_on") },
                                      remoteRegistered: try f["remote_registered"].map { try bool($0, path + ".remote_registered") } ?? false))
        }
        guard !members.isEmpty else { throw error(m["members"], "members", "a case needs at least one member") }

        var claims: [CaseClaim] = []
        for (i, item) in try sequence(m["claims"]!, "claims").enumerated() {
            let c = try claim(item, path: "claims[\(i)]")
            guard claims.allSatisfy({ $0.id != c.id }) else { throw error(item, "claims[\(i)]", "claim '\(c.id)' appears twice") }
            guard members.contains(where: { $0.id == c.member }) else {
                throw error(item, "claims[\(i)].member", "unknown member '\(c.member)'")
            }
            claims.append(c)
        }
        guard !claims.isEmpty else { throw error(m["claims"], "claims", "case '\(name)' has no claims") }
        return PolicyCase(file: file, name: name, policy: policy, reforms: reforms, members: members, claims: claims)
    }

    /// An inline overlay: `{path: value, ...}` for every period, or `{name:, period:, set: {...}}`.
    /// Values are scalars, lists or tables (per tier / per disease); a table sets the entries it names.
    func reform(_ node: Node, path: String, name: String) throws -> Overlay {
        guard case .mapping(let m) = node else { throw error(node, path, "expected a mapping of parameter paths") }
        let isFull = m.contains { k, _ in (try? scalar(k, path)) == "set" }
        var period: String?
        var reformName = name
        var set = node
        if isFull {
            let f = try mapping(node, path, allowed: ["name", "period", "set"], required: ["set"])
            period = try f["period"].map { try nonEmpty($0, path + ".period") }
            reformName = try f["name"].map { try nonEmpty($0, path + ".name") } ?? name
            set = f["set"]!
        }
        guard case .mapping(let entries) = set, !entries.isEmpty else { throw error(set, path, "expected a non-empty mapping of parameter paths") }
        var out: [Overlay.Entry] = []
        for (k, v) in entries {
            let key = try nonEmpty(k, path)
            let origin = Origin(file: file, line: k.mark?.line)
            switch v {
            case .scalar(let s): out.append(Overlay.Entry(path: key, value: .scalar(s.string), origin: origin))
            case .sequence(let s):
                out.append(Overlay.Entry(path: key, value: .list(try s.map { try scalar($0, path + "." + key) }), origin: origin))
            case .mapping(let t):
                // A table (per tier, per disease) is set entry by entry: `ordinary.ratio: {tier3: 70}`
                // is `ordinary.ratio.tier3: 70`.
                for (tk, tv) in t {
                    let sub = key + "." + (try nonEmpty(tk, path + "." + key))
                    out.append(Overlay.Entry(path: sub, value: .scalar(try scalar(tv, path + "." + sub)),
                                             origin: Origin(file: file, line: tk.mark?.line)))
                }
            default: throw error(v, path + "." + key, "unsupported value")
            }
        }
        return Overlay(name: reformName, period: period, entries: out)
    }

    func claim(_ node: Node, path: String) throws -> CaseClaim {
        let f = try mapping(node, path,
                            allowed: ["id", "member", "date", "tier", "total", "compliant", "channel", "institution",
                                      "site", "designated", "end_date", "disease", "expect"],
                            required: ["id", "member", "date", "tier", "total", "expect"])
        let id = try nonEmpty(f["id"]!, path + ".id")
        let tierText = try scalar(f["tier"]!, path + ".tier")
        guard let tier = UInt8(tierText), tier <= 3 else { throw error(f["tier"], path + ".tier", "expected 0, 1, 2 or 3, got '\(tierText)'") }
        let total = try money(f["total"]!, path + ".total")
        let compliant = try f["compliant"].map { try money($0, path + ".compliant") } ?? total
        guard compliant <= total else { throw error(f["compliant"], path + ".compliant", "is more than total") }
        let channel = try choice(f["channel"], path + ".channel", Channel.ordinary, { Channel(name: $0) }, Channel.allCases.map(\.name))
        let day = try date(f["date"]!, path + ".date")
        var endDay: Int32?
        if let e = f["end_date"] {
            guard channel == .inpatient else { throw error(e, path + ".end_date", "only an inpatient claim has a discharge date") }
            let d = try date(e, path + ".end_date")
            guard d >= day else { throw error(e, path + ".end_date", "discharge before admission") }
            endDay = d
        }
        let claim = Claim(
            day: day, tier: tier, channel: channel,
            institution: try choice(f["institution"], path + ".institution", Institution.general, { Institution(name: $0) }, Institution.allCases.map(\.name)),
            site: try choice(f["site"], path + ".site", Site.local, { Site(name: $0) }, Site.allCases.map(\.name)),
            designated: try f["designated"].map { try bool($0, path + ".designated") } ?? true,
            totalFen: total, compliantFen: compliant)

        let ep = path + ".expect"
        let e = try mapping(f["expect"]!, ep, allowed: ["fund", "member", "deductible", "ratio_bp", "rule", "large"],
                            required: ["fund", "member", "deductible", "ratio_bp", "rule"])
        let bpText = try scalar(e["ratio_bp"]!, ep + ".ratio_bp")
        guard let bp = Int32(bpText), (0...10_000).contains(bp) else {
            throw error(e["ratio_bp"], ep + ".ratio_bp", "expected basis points 0–10000, got '\(bpText)'")
        }
        let expect = ExpectedOutcome(
            fund: try money(e["fund"]!, ep + ".fund"), member: try money(e["member"]!, ep + ".member"),
            deductible: try money(e["deductible"]!, ep + ".deductible"), ratioBp: bp,
            rule: try nonEmpty(e["rule"]!, ep + ".rule"),
            large: try e["large"].map { try money($0, ep + ".large") } ?? 0)
        return CaseClaim(id: id, member: try nonEmpty(f["member"]!, path + ".member"), claim: claim, endDay: endDay,
                         disease: try f["disease"].map { try nonEmpty($0, path + ".disease") }, expect: expect,
                         line: node.mark?.line ?? 0)
    }
}
