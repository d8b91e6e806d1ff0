import Policy

/// One personal account (个人账户): monthly credits, debits of members' own shares, cash when the
/// balance is short, balance carried over between years (Tieling §14–§19).
public struct PersonalAccount: Sendable, Equatable {
    public var balanceFen: Int64
    public var creditedFen: Int64 = 0
    /// Own shares the account paid (for the holder and linked family members).
    public var paidFen: Int64 = 0
    /// Own shares the patients paid in cash because the balance was short (§18).
    public var cashFen: Int64 = 0

    public init(openingFen: Int64 = 0) { balanceFen = openingFen }

    public mutating func credit(_ fen: Int64) {
        balanceFen += fen
        creditedFen += fen
    }

    /// Pays a member's own share from the account as far as the balance goes; the rest is cash.
    @discardableResult
    public mutating func pay(_ shareFen: Int64) -> (fromAccount: Int64, cash: Int64) {
        let fromAccount = shareFen < balanceFen ? shareFen : balanceFen
        balanceFen -= fromAccount
        paidFen += fromAccount
        cashFen += shareFen - fromAccount
        return (fromAccount, shareFen - fromAccount)
    }

    /// The credit for the month starting on `monthStart`: in service, the rate × the monthly
    /// contribution base (rounded half up to the fen); retired, the fixed amount (§14) plus the
    /// pension share × the monthly pension (rounded half up). A member counts as retired for a month
    /// when retired ratios apply on its first day. An unknown base or pension (negative) credits
    /// nothing for that part rather than guessing one.
    public static func monthlyCredit(rule: AccountRule, monthStart: Int32, retiredFrom: Int32,
                                     baseFen: Int64, pensionFen: Int64) -> Int64 {
        monthlyCredit(CreditTerms(rule), monthStart: monthStart, retiredFrom: retiredFrom, baseFen: baseFen, pensionFen: pensionFen)
    }

    /// The same credit from the rule's numbers alone.
    @inlinable
    public static func monthlyCredit(_ rule: CreditTerms, monthStart: Int32, retiredFrom: Int32,
                                     baseFen: Int64, pensionFen: Int64) -> Int64 {
        guard monthStart >= rule.startDay || Day.firstOfNextMonth(monthStart) > rule.startDay else { return 0 }
        if monthStart >= retiredFrom {
            return rule.retiredMonthlyFen + (pensionFen > 0 ? Money.applyRatio(pensionFen, bp: rule.retiredPensionRateBp) : 0)
        }
        return baseFen > 0 ? Money.applyRatio(baseFen, bp: rule.inServiceRateBp) : 0
    }
}

/// An account rule's numbers without its citation: plain values, so the scenario runner's loop
/// over members and months copies them for free (copying `AccountRule`, whose article is a
/// string, was 11% of the runner's benchmark).
public struct CreditTerms: Sendable, Equatable, BitwiseCopyable {
    public var startDay: Int32
    public var inServiceRateBp: Int32
    public var retiredMonthlyFen: Int64
    public var retiredPensionRateBp: Int32

    public init(_ r: AccountRule) {
        startDay = r.startDay
        inServiceRateBp = r.inServiceRateBp
        retiredMonthlyFen = r.retiredMonthlyFen
        retiredPensionRateBp = r.retiredPensionRateBp
    }
}

/// Personal accounts of every member over the claims of a batch: each month's credit lands on
/// the first of the month, then that month's own shares are debited in date order (ties in input
/// order). A member with an `account_holder` has no account of their own here: their shares are
/// paid from the holder's account (family mutual aid, Tieling §15, §18).
public struct AccountBook {
    public var accounts: [PersonalAccount]
    /// First and last month credited (first days), the same for every member.
    public var firstMonth: Int32
    public var lastMonth: Int32

    /// Runs the accounts from the month of the earliest claim to December of the latest claim's
    /// year, with opening balances of zero.
    public init(policy: Policy, members: MemberTable, claims: ClaimTable, outcomes: [Outcome]) {
        accounts = [PersonalAccount](repeating: PersonalAccount(), count: members.count)
        guard let minDay = claims.day.min(), let maxDay = claims.day.max() else {
            firstMonth = 0; lastMonth = -1
            return
        }
        let c0 = Day.civil(minDay)
        firstMonth = Day.from(year: c0.year, month: c0.month, day: 1)
        lastMonth = Day.from(year: Day.year(maxDay), month: 12, day: 1)

        // Debits grouped by paying account, in date then input order.
        var debits: [[(day: Int32, index: Int32)]] = Array(repeating: [], count: members.count)
        for i in 0..<claims.count where outcomes[i].memberFen > 0 {
            let m = Int(claims.member[i])
            let payer = members.accountHolder[m] >= 0 ? Int(members.accountHolder[m]) : m
            debits[payer].append((claims.day[i], Int32(i)))
        }
        for m in 0..<members.count {
            debits[m].sort { $0.day != $1.day ? $0.day < $1.day : $0.index < $1.index }
            let ownsAccount = members.accountHolder[m] < 0
            var account = PersonalAccount()
            var k = 0
            var month = firstMonth
            while month <= lastMonth {
                let next = Day.firstOfNextMonth(month)
                if ownsAccount, let p = policy.periodIndex(on: month).map({ policy.periods[$0] }), let rule = p.account {
                    let retiredFrom = members.retirement(m).retiredRatiosFrom(p.retirementSwitch)
                    account.credit(PersonalAccount.monthlyCredit(rule: rule, monthStart: month, retiredFrom: retiredFrom,
                                                                 baseFen: members.contributionBaseFen[m],
                                                                 pensionFen: members.pensionFen[m]))
                }
                while k < debits[m].count && debits[m][k].day < next {
                    account.pay(outcomes[Int(debits[m][k].index)].memberFen)
                    k += 1
                }
                month = next
            }
            accounts[m] = account
        }
    }

    /// `member_id,credited,paid_from_account,cash_paid,closing_balance` for every member.
    public func render(members: MemberTable) -> [UInt8] {
        var out = Array("member_id,credited,paid_from_account,cash_paid,closing_balance\n".utf8)
        for m in 0..<members.count {
            let a = accounts[m]
            out.append(contentsOf: AdjudicatedCSV.csvField(members.ids[m]).utf8)
            for v in [a.creditedFen, a.paidFen, a.cashFen, a.balanceFen] {
                out.append(UInt8(ascii: ","))
                Money.append(v, to: &out)
            }
            out.append(10)
        }
        return out
    }
}
