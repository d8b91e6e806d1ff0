/// Turns one period's parameter tree into typed, validated `PeriodParameters`. Every key is
/// checked: unknown keys, wrong units, ratios outside 0–100%, negative money and missing values are
/// errors naming the file, line and key path of the value at fault.
struct Compiler {
    let periodID: String

    typealias Group = ParameterGroup

    func fail(_ p: Parameter, _ path: String, _ message: String) -> PolicyError {
        PolicyError(file: p.origin.file, line: p.origin.line, path: path, message + " (period \(periodID))")
    }

    func checkUnit(_ p: Parameter, _ path: String, _ unit: String) throws {
        if let message = ParameterGroup.unitMismatch(p, unit) { throw fail(p, path, message) }
    }

    func scalar(_ p: Parameter, _ path: String) throws -> String {
        guard case .scalar(let s) = p.value else { throw fail(p, path, "expected a single value, got \(p.value.text)") }
        return s
    }

    /// Yuan → fen.
    func money(_ text: String, _ p: Parameter, _ path: String) throws -> Int64 {
        if text.hasPrefix("-") { throw fail(p, path, "money must be non-negative, got \(text)") }
        guard let fen = Money.parseYuan(text) else { throw fail(p, path, "expected an amount in yuan with at most 2 decimals, got '\(text)'") }
        return fen
    }

    /// Percent (up to 2 decimals) → basis points, within 0–100%.
    func percent(_ text: String, _ p: Parameter, _ path: String) throws -> Int32 {
        if text.hasPrefix("-") { throw fail(p, path, "a ratio must be within 0–100%, got \(text)") }
        guard let hundredths = Money.parseYuan(text) else { throw fail(p, path, "expected a percentage with at most 2 decimals, got '\(text)'") }
        guard hundredths <= 10_000 else { throw fail(p, path, "a ratio must be within 0–100%, got \(text)") }
        return Int32(hundredths)
    }

    func moneyParameter(_ p: Parameter, _ path: String) throws -> Int64 {
        try checkUnit(p, path, "yuan")
        return try money(try scalar(p, path), p, path)
    }

    func percentParameter(_ p: Parameter, _ path: String, unit: String = "percent") throws -> Int32 {
        try checkUnit(p, path, unit)
        return try percent(try scalar(p, path), p, path)
    }

    /// A single value for every tier, or a table `tier1`, `tier2`, `tier3`; index 0 (unrated) takes tier 1's value.
    func perTier<T>(_ p: Parameter, _ path: String, _ convert: (String, String) throws -> T) throws -> [T] {
        switch p.value {
        case .scalar(let s):
            let v = try convert(s, path)
            return [v, v, v, v]
        case .table(let t):
            let keys = ["tier1", "tier2", "tier3"]
            for e in t where !keys.contains(e.key) {
                throw PolicyError(file: e.origin.file, line: e.origin.line, path: path + "." + e.key,
                                  "unknown tier key '\(e.key)' (allowed: tier1, tier2, tier3; unrated tier 0 counts as tier 1)")
            }
            var out: [T] = []
            for k in keys {
                guard let e = t.first(where: { $0.key == k }) else { throw fail(p, path, "the table needs \(keys.joined(separator: ", ")); '\(k)' is missing") }
                do { out.append(try convert(e.value, path + "." + k)) } catch var err as PolicyError {
                    // Point at the entry's own line, not the table's.
                    err.file = e.origin.file
                    err.line = e.origin.line
                    throw err
                }
            }
            return [out[0]] + out
        case .list:
            throw fail(p, path, "expected a value or a table by tier")
        }
    }

    func bool(_ p: Parameter, _ path: String) throws -> Bool {
        switch try scalar(p, path) {
        case "true": return true
        case "false": return false
        case let s: throw fail(p, path, "expected true or false, got '\(s)'")
        }
    }

    func choice<E: RawRepresentable & CaseIterable>(_ p: Parameter, _ path: String, _: E.Type) throws -> E where E.RawValue == String {
        let s = try scalar(p, path)
        guard let e = E(rawValue: s) else {
            throw fail(p, path, "unknown value '\(s)' (allowed: \(E.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return e
    }

    func list(_ p: Parameter, _ path: String) throws -> [String] {
        guard case .list(let l) = p.value else { throw fail(p, path, "expected a list") }
        return l
    }

    func siteMask(_ p: Parameter, _ path: String) throws -> UInt8 {
        var mask: UInt8 = 0
        for s in try list(p, path) {
            guard let site = Site(name: s) else {
                throw fail(p, path, "unknown site '\(s)' (allowed: \(Site.allCases.map(\.name).joined(separator: ", ")))")
            }
            mask |= 1 << site.rawValue
        }
        return mask
    }

    func citation(_ p: Parameter) -> String { p.article ?? "(assumed)" }

    mutating func benefit(_ node: ParameterNode, channel: Channel, path: String) throws -> Benefit {
        var g = try Group(node, path: path)
        func kp(_ k: String) -> String { path + "." + k }
        let article = try g.text("article")

        let designated = try g.require("designated_only")
        let tiers = try g.require("tiers")
        var tierMask: UInt8 = 0
        for t in try list(tiers, kp("tiers")) {
            guard let v = Int(t), (0...3).contains(v) else { throw fail(tiers, kp("tiers"), "tiers are 0, 1, 2, 3; got '\(t)'") }
            tierMask |= 1 << UInt8(v)
        }
        let specialtyAnyTier = try g.parameter("specialty_any_tier").map { try bool($0, kp("specialty_any_tier")) } ?? false
        let sites = try g.require("sites")
        let inHospital = try g.parameter("excluded_in_hospital")

        let modeP = try g.require("deductible_mode")
        let mode = try choice(modeP, kp("deductible_mode"), DeductibleMode.self)
        var deductible: [Int64] = [0, 0, 0, 0]
        let dedP = try g.parameter("deductible")
        if mode == .none {
            if let d = dedP { throw fail(d, kp("deductible"), "deductible_mode is none, so no deductible may be given") }
        } else {
            guard let d = dedP else { throw fail(modeP, kp("deductible"), "deductible_mode \(mode.rawValue) needs a deductible") }
            try checkUnit(d, kp("deductible"), "yuan")
            deductible = try perTier(d, kp("deductible")) { try money($0, d, $1) }
        }

        let ratioP = try g.require("ratio")
        try checkUnit(ratioP, kp("ratio"), "percent")
        let ratio = try perTier(ratioP, kp("ratio")) { try percent($0, ratioP, $1) }
        var specialtyRatio: Int32?
        var specialtySites: UInt8 = 0
        if let s = try g.parameter("specialty_ratio") {
            specialtyRatio = try percentParameter(s, kp("specialty_ratio"))
            guard let sitesP = try g.parameter("specialty_ratio_sites") else {
                throw fail(s, kp("specialty_ratio_sites"), "specialty_ratio needs specialty_ratio_sites (where it applies)")
            }
            specialtySites = try siteMask(sitesP, kp("specialty_ratio_sites"))
        } else if let sitesP = try g.parameter("specialty_ratio_sites") {
            throw fail(sitesP, kp("specialty_ratio_sites"), "given without specialty_ratio")
        }
        var uplift: Int32 = 0
        if let u = try g.parameter("retired_uplift") {
            uplift = try percentParameter(u, kp("retired_uplift"), unit: "points")
            for r in ratio + [specialtyRatio ?? 0] where r + uplift > 10_000 {
                throw fail(u, kp("retired_uplift"), "a retired ratio would exceed 100%")
            }
        }

        let poolP = try g.require("cap_pool")
        let pool = try choice(poolP, kp("cap_pool"), CapPool.self)
        var cap: Int64 = 0
        var diseaseCaps: [Benefit.DiseaseCap] = []
        let capP = try g.parameter("annual_cap")
        let diseaseP = try g.parameter("disease_caps")
        switch pool {
        case .own:
            guard let c = capP else { throw fail(poolP, kp("annual_cap"), "cap_pool own needs annual_cap") }
            cap = try moneyParameter(c, kp("annual_cap"))
        case .basic:
            if let c = capP { throw fail(c, kp("annual_cap"), "cap_pool basic uses basic_insurance.annual_cap; remove this key") }
        case .perDisease:
            guard let d = diseaseP else { throw fail(poolP, kp("disease_caps"), "cap_pool per_disease needs disease_caps") }
            try checkUnit(d, kp("disease_caps"), "yuan")
            guard case .table(let t) = d.value, !t.isEmpty else { throw fail(d, kp("disease_caps"), "expected a table of disease code: cap") }
            diseaseCaps = try t.map { .init(code: $0.key, capFen: try money($0.value, d, kp("disease_caps." + $0.key))) }
        }
        if pool != .perDisease, let d = diseaseP { throw fail(d, kp("disease_caps"), "only for cap_pool per_disease") }
        if pool != .own, pool != .perDisease, let c = capP { throw fail(c, kp("annual_cap"), "not used with cap_pool \(pool.rawValue)") }

        try g.finish(allowed: ["article", "description", "designated_only", "tiers", "specialty_any_tier", "sites",
                               "excluded_in_hospital", "deductible_mode", "deductible", "ratio", "specialty_ratio",
                               "specialty_ratio_sites", "retired_uplift", "cap_pool", "annual_cap", "disease_caps"])
        return Benefit(
            channel: channel, article: article,
            designatedOnly: try bool(designated, kp("designated_only")), designatedArticle: citation(designated),
            tierMask: tierMask, tiersArticle: citation(tiers), specialtyAnyTier: specialtyAnyTier,
            siteMask: try siteMask(sites, kp("sites")), sitesArticle: citation(sites),
            excludedInHospital: try inHospital.map { try bool($0, kp("excluded_in_hospital")) } ?? false,
            inHospitalArticle: inHospital.map(citation) ?? "",
            deductibleMode: mode, deductibleFen: deductible, ratioBp: ratio,
            specialtyRatioBp: specialtyRatio, specialtyRatioSiteMask: specialtySites, retiredUpliftBp: uplift,
            capPool: pool, annualCapFen: cap, diseaseCaps: diseaseCaps)
    }

    /// `personal_account`: in service, the member's own rate plus, before the reform, a share of
    /// the employer's contribution; retired, a fixed amount, a share of the pension, or both.
    func accountRule(_ g: inout Group) throws -> AccountRule {
        func kp(_ k: String) -> String { "personal_account." + k }
        let f = try g.require("from"), r = try g.require("in_service_rate")
        guard let start = Day.parse(try scalar(f, kp("from"))) else { throw fail(f, kp("from"), "expected a date YYYY-MM-DD") }
        let own = try percentParameter(r, kp("in_service_rate"), unit: "percent_of_base")

        var employerRate: Int32 = 0, employerShare: Int32 = 0
        switch (try g.parameter("employer_rate"), try g.parameter("employer_share")) {
        case (nil, nil):
            break
        case let (rateP?, shareP?):
            employerRate = try percentParameter(rateP, kp("employer_rate"), unit: "percent_of_base")
            employerShare = try percentParameter(shareP, kp("employer_share"))
            // The credit must stay a whole number of basis points so that it is applied with one
            // rounding, like every other ratio.
            let product = Int64(employerRate) * Int64(employerShare)
            guard product % 10_000 == 0 else {
                let fraction = String(product % 10_000)
                let exact = "\(product / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
                throw fail(shareP, kp("employer_share"),
                           "employer_rate × employer_share must be a whole number of basis points of the base, got "
                           + "\(employerRate) bp × \(employerShare) bp / 10000 = \(exact) bp")
            }
        case let (rateP?, nil):
            throw fail(rateP, kp("employer_share"), "employer_rate needs employer_share (the part of it credited to the account)")
        case let (nil, shareP?):
            throw fail(shareP, kp("employer_rate"), "employer_share needs employer_rate (the employer's contribution it is a share of)")
        }
        let combined = own + Int32(Int64(employerRate) * Int64(employerShare) / 10_000)
        guard combined <= 10_000 else {
            throw fail(r, kp("in_service_rate"), "in_service_rate plus the employer's share comes to more than 100% of the base")
        }

        let monthlyP = try g.parameter("retired_monthly"), pensionP = try g.parameter("retired_pension_rate")
        let monthly = try monthlyP.map { try moneyParameter($0, kp("retired_monthly")) } ?? 0
        let pensionRate = try pensionP.map { try percentParameter($0, kp("retired_pension_rate"), unit: "percent_of_pension") } ?? 0
        let article = try g.text("article")
        // Unknown keys first: a misspelt retired_monthly is better reported as the typo it is.
        try g.finish(allowed: ["from", "in_service_rate", "employer_rate", "employer_share", "retired_monthly",
                               "retired_pension_rate", "article", "description"])
        guard monthlyP != nil || pensionP != nil else {
            throw PolicyError(file: g.origin.file, line: g.origin.line, path: "personal_account",
                              "a retired member's credit needs retired_monthly (yuan), retired_pension_rate "
                              + "(percent_of_pension) or both (period \(periodID))")
        }
        return AccountRule(startDay: start, inServiceRateBp: combined, retiredMonthlyFen: monthly, article: article,
                           employerRateBp: employerRate, employerShareBp: employerShare, retiredPensionRateBp: pensionRate)
    }

    static func parameterNode(_ tree: ParameterNode, _ path: String) -> ParameterNode? {
        var node = tree
        for part in path.split(separator: ".") {
            guard case .group(let children, _) = node, let next = children.first(where: { $0.0 == part })?.1 else { return nil }
            node = next
        }
        return node
    }

    mutating func period(_ tree: ParameterNode, id: String, from: Int32, to: Int32?) throws -> PeriodParameters {
        var root = try Group(tree, path: "")
        var benefits = [Benefit?](repeating: nil, count: Channel.allCases.count)
        for c in Channel.allCases {
            if let n = root.node(c.name) { benefits[Int(c.rawValue)] = try benefit(n, channel: c, path: c.name) }
        }

        var basicCap: Int64?
        var basicArticle = ""
        if var g = try root.group("basic_insurance") {
            let p = try g.require("annual_cap")
            basicCap = try moneyParameter(p, "basic_insurance.annual_cap")
            basicArticle = citation(p)
            try g.finish(allowed: ["annual_cap", "description"])
        }
        for case let b? in benefits where b.capPool == .basic && basicCap == nil {
            let pool = Self.parameterNode(tree, b.channel.name + ".cap_pool")?.origin
            throw PolicyError(file: pool?.file ?? tree.origin.file, line: pool?.line, path: "basic_insurance.annual_cap",
                              "\(b.channel.name) uses cap_pool basic, so basic_insurance.annual_cap is needed (period \(id))")
        }

        var large: LargeAmountSubsidy?
        if var g = try root.group("large_amount") {
            let r = try g.require("ratio"), c = try g.require("annual_cap")
            large = LargeAmountSubsidy(ratioBp: try percentParameter(r, "large_amount.ratio"),
                                       annualCapFen: try moneyParameter(c, "large_amount.annual_cap"),
                                       article: try g.text("article"))
            try g.finish(allowed: ["ratio", "annual_cap", "article", "description"])
        }

        var retirement = RetirementSwitch.onDate
        var retirementArticle = ""
        if var g = try root.group("retirement") {
            let p = try g.require("ratio_switch")
            retirement = try choice(p, "retirement.ratio_switch", RetirementSwitch.self)
            retirementArticle = citation(p)
            try g.finish(allowed: ["ratio_switch", "description"])
        } else if benefits.contains(where: { ($0?.retiredUpliftBp ?? 0) > 0 }) {
            throw PolicyError(file: tree.origin.file, line: nil, path: "retirement.ratio_switch",
                              "retired ratios differ, so the policy must say when they start (period \(id))")
        }

        var account: AccountRule?
        if var g = try root.group("personal_account") { account = try accountRule(&g) }
        try root.finish(allowed: Policy.groupKeys)
        return PeriodParameters(id: id, from: from, to: to, benefits: benefits, basicAnnualCapFen: basicCap,
                                basicCapArticle: basicArticle, largeAmount: large, retirementSwitch: retirement,
                                retirementArticle: retirementArticle, account: account)
    }
}
