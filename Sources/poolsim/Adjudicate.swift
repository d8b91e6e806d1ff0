import ArgumentParser
import Adjudication
import Policy

struct Adjudicate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Adjudicate a claims file under a policy (and reforms); write one row per claim.",
        discussion: """
        Output columns: claim_id,member_id,fund_paid,member_paid,deductible_applied,ratio_bp,rule
        in input order, money in yuan with two decimals. Nothing is written when any input row is bad.
        """)

    @OptionGroup var inputs: ClaimInputs

    @Option(help: "Adjudicated claims CSV to write (replaced atomically).")
    var out: String

    @Option(help: "Also write each member's personal account: credits, paid from the account, cash, closing balance.")
    var accounts: String?

    func run() throws {
        try reportingErrors {
            let l = try inputs.load()
            let outcomes = Batch(engine: l.engine, claims: l.claims).run(claims: l.claims, members: l.members)
            let bytes = AdjudicatedCSV.render(claims: l.claims, members: l.members, outcomes: outcomes, ruleNames: l.engine.ruleNames)
            var accountBytes: [UInt8]?
            if accounts != nil {
                accountBytes = AccountBook(policy: l.engine.policy, members: l.members, claims: l.claims, outcomes: outcomes)
                    .render(members: l.members)
            }
            try writeFileAtomically(bytes, to: out)
            if let path = accounts, let b = accountBytes { try writeFileAtomically(b, to: path) }
            var fund: Int64 = 0, member: Int64 = 0
            for o in outcomes { fund += o.fundFen; member += o.memberFen }
            FileHandleOut.stderr("poolsim: \(l.claims.count) claims of \(l.members.count) members under \(l.engine.policy.id)"
                + (l.engine.policy.reforms.isEmpty ? "" : " + " + l.engine.policy.reforms.joined(separator: " + "))
                + ": fund \(Money.format(fund)) yuan, members \(Money.format(member)) yuan → \(out)")
        }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how one member's claims were adjudicated, claim by claim, with the articles applied.")

    @OptionGroup var inputs: ClaimInputs

    @Option(help: "The member to explain.")
    var member: String

    func run() throws {
        try reportingErrors {
            let l = try inputs.load()
            guard let m = l.members.index(of: member) else {
                throw InputError(file: inputs.members, line: 0, field: "member_id", "no member '\(member)'")
            }
            // The whole file is adjudicated (as `adjudicate` does) and this member's claims are kept.
            var rows: [[String]] = []
            let c = l.claims
            _ = Batch(engine: l.engine, claims: c).run(claims: c, members: l.members) { i, o in
                guard c.member[i] == m else { return }
                rows.append([Day.format(c.day[i]), c.id(i), c.channel[i].name, String(c.tier[i]),
                             Money.format(c.totalFen[i]), Money.format(c.compliantFen[i]),
                             Money.format(o.deductibleFen), Self.percent(o.ratioBp),
                             o.capRemainingFen < 0 ? "-" : Money.format(o.capRemainingFen),
                             Money.format(o.fundFen), Money.format(o.memberFen), o.status.name, l.engine.ruleNames[Int(o.rule)]])
            }
            let retired = l.members.retiredOn[Int(m)]
            let since = retired == .min ? "retired" : retired == .max ? "in service" : "retired from \(Day.format(retired))"
            print("member \(member) (\(since)) under \(l.engine.policy.id)"
                + (l.engine.policy.reforms.isEmpty ? "" : " + " + l.engine.policy.reforms.joined(separator: " + "))
                + ": \(rows.count) claims in adjudication order")
            print(Table.render(header: ["date", "claim", "channel", "tier", "total", "compliant", "deductible", "ratio",
                                        "cap left", "fund", "member", "status", "rule"],
                               rows: rows, rightAligned: [3, 4, 5, 6, 7, 8, 9, 10]))
            let fund = rows.reduce(Int64(0)) { $0 + (Money.parseYuan($1[9]) ?? 0) }
            print("fund pays \(Money.format(fund)) yuan in all")
        }
    }

    static func percent(_ bp: Int32) -> String {
        let s = String(bp / 100) + (bp % 100 == 0 ? "" : "." + String(format2(Int(bp % 100))))
        return s + "%"
    }

    static func format2(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
}

/// Plain aligned text tables for the terminal.
enum Table {
    static func width(_ s: String) -> Int {
        // CJK characters take two columns in a terminal.
        s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && ($1.value <= 0x115F || (0x2E80...0xA4CF).contains($1.value) || (0xAC00...0xD7A3).contains($1.value) || (0xF900...0xFAFF).contains($1.value) || (0xFF00...0xFF60).contains($1.value)) ? 2 : 1) }
    }

    static func render(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> String {
        var widths = header.map(width)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], width(c)) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - width(c))
                return i == cells.count - 1 && !rightAligned.contains(i) ? c : (rightAligned.contains(i) ? pad + c : c + pad)
            }.joined(separator: "  ")
        }
        return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line))
            .joined(separator: "\n")
    }
}
