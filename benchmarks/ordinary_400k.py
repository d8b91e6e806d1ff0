#!/usr/bin/env python3
"""The runner benchmark's workload in numpy: the reference `poolsim bench-run` compares against.

Workload (PoolSim issue 4; benchmarks/ordinary-400k-population.yaml writes the same in the
calibration format): 400,000 members, 30% retired; visits per member-year negative binomial with
mean 8 (in service) or 14 (retired) and one shared size r = 0.72141688 (≈ 15% of members with no
visit); each visit's tier 1/2/3 with probability 0.45/0.30/0.25 at a local general designated
institution; cost lognormal with median 150/220/380 yuan by tier and sigma 0.9; compliant cost 85%
of cost; every visit in 2023. Each visit is adjudicated under the ORDINARY benefit (普通门诊统筹) of
each policy file (default: datasets/policies/tieling.yaml and yanbian.yaml), in force in 2023.

Written as a researcher writes numpy: whole arrays, group cumulative sums, no loop over members or
visits. The arithmetic is the Swift engine's (Sources/Adjudication/RulesEngine.swift `adjudicate`,
Sources/Policy/Money.swift): integer fen, ratios in basis points, per visit

    due      = max(0, D(tier) - deductible paid so far)       (annual top-up, 补差)
    applied  = min(compliant, due)
    eligible = compliant - applied
    raw      = (eligible * ratio_bp + 5000) // 10000          (Money.applyRatio, half up)
    fund     = min(raw, max(0, cap - fund paid so far))
    member   = total - fund

taken per member in date order. Vectorised, both running limits are sums-then-clips:

* The cap: fund paid after visit k is min(R_k, cap) with R_k the member's running sum of raw
  (induction: while R_{k-1} <= cap the fund so far is R_{k-1}, and min(raw_k, cap - R_{k-1}) adds
  up to min(R_k, cap); once the cap is reached nothing more is paid). So the year's fund is
  min(R, cap) per member, and only R's group sums are needed.
* The deductible with one amount for every tier (Tieling) is paid-so-far = min(C_k, D), C_k the
  running sum of compliant cost. With amounts by tier (Yanbian 100/200/300 yuan) it is not a plain
  running sum (tier 3 visit of 50 then tier 1 visit of 100: the tier 1 visit pays 50, not 100), but
  it is one per band. Sort the distinct amounts d_1 < … < d_B (d_0 = 0) and cut the deductible
  into bands (d_{b-1}, d_b]. A visit pays from the level reached so far upwards, so its payment
  fills the lowest unfilled band first, and it reaches band b only if its own D(tier) >= d_b.
  Let offer_1 = compliant, and for band b let x_k = offer_b,k where D(tier_k) >= d_b, else 0;
  the band then fills by sum-then-clip, fill_b,k = min(d_b - d_{b-1}, running sum of x), the
  visit's payment into it is p_b,k = fill_b,k - fill_b,k-1, and what it offers the next band is
  offer_b+1,k = x_k - p_b,k. The visit's applied deductible is the sum of its p_b,k and the
  paid-so-far level is the sum of the fills. (Check on the example, D = 100/300: band 1 fills
  50 then 100, the tier 3 visit offers 0 beyond it and the tier 1 visit may not enter band 2:
  applied 50 and 50.) A plain per-visit loop (`--reference`) computes the same totals the slow
  way; benchmarks/check_numpy_adjudication.sh compares both and the Swift engine to the fen.

Per policy the run accumulates: fund_fen (fund outlay), member_fen (total - fund), cap_hit_members
(the fund paid in the year reached the annual cap), deductible_met_members (on some visit the
deductible paid so far reached that visit's tier's deductible, i.e. nothing of it was left due:
for Tieling, the member paid the whole 300 yuan). With --replications R every figure is the sum
over the R replications (replication i uses numpy.random.Generator seeded from [seed, i]), and
"visits" counts all R replications' visits; ns_per_visit = time / visits, each visit counted once
although every policy adjudicates it. The timed part is generation, adjudication and
accumulation of every replication (not the YAML reading, not the CSV reading); peak_mib is the
process's peak resident size (ru_maxrss).

Options: --members N, --replications R, --seed S, --policy PATH (repeatable), --claims-csv and
--members-csv (adjudicate a POLICY-NOTES claims extract, e.g. `poolsim synth` output, instead of
generating: only ordinary claims, general institutions; then only adjudication is timed), --json
(one final JSON line), --reference (plain per-visit loop instead of the whole-array version; slow,
for checking).
"""
import os

# One core: no BLAS or OpenMP threads (set before numpy is imported).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import csv
import json
import resource
import sys
import time

import numpy as np
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# The benchmark's definition (issue 4). Checked against benchmarks/ordinary-400k-population.yaml
# at start-up, so the two descriptions of the workload cannot drift apart.
WORKLOAD = {
    "members": 400_000,
    "retired_share": 0.30,
    "mean_visits": {"in_service": 8.0, "retired": 14.0},
    "nb_size": 0.72141688,
    "tier_shares": (0.45, 0.30, 0.25),
    "cost_median_yuan": (150.0, 220.0, 380.0),
    "cost_sigma": 0.9,
    "compliant_share": 0.85,
    "year": 2023,
}
POPULATION_FILE = os.path.join(HERE, "ordinary-400k-population.yaml")
DEFAULT_POLICIES = [os.path.join(ROOT, "datasets", "policies", n) for n in ("tieling.yaml", "yanbian.yaml")]


class PolicyFileError(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# Policy files: the ordinary benefit in force for the whole year, as integer fen and basis points.


def _exact_hundredths(text, where):
    """'12', '12.5', '12.50' → 1200, 1250, 1250 (Money.parseYuan: no sign, at most 2 decimals)."""
    whole, dot, frac = text.partition(".")
    if not whole.isdigit() or (dot and (not frac.isdigit() or len(frac) > 2)):
        raise PolicyFileError(f"{where}: expected a non-negative number with at most 2 decimals, got '{text}'")
    return int(whole) * 100 + (int(frac.ljust(2, "0")) if dot else 0)


def _value(node):
    return node["value"] if isinstance(node, dict) and "value" in node else node


def _unit(node, unit, where):
    if isinstance(node, dict) and "unit" in node and node["unit"] != unit:
        raise PolicyFileError(f"{where}: expected unit {unit}, got {node['unit']}")


def _per_tier(node, where, convert):
    """One value for every tier or {tier1, tier2, tier3}; index 0 (unrated) takes tier 1's value."""
    v = _value(node)
    if isinstance(v, dict):
        if set(v) != {"tier1", "tier2", "tier3"}:
            raise PolicyFileError(f"{where}: expected tier1, tier2, tier3, got {sorted(v)}")
        t = [convert(v[k], f"{where}.{k}") for k in ("tier1", "tier2", "tier3")]
        return [t[0]] + t
    if isinstance(v, str):
        x = convert(v, where)
        return [x, x, x, x]
    raise PolicyFileError(f"{where}: expected a value or a table by tier")


def _set_path(tree, path, new, where):
    """A period's `set:` entry (dotted path) on the parsed tree; a bare value keeps the unit."""
    parts = path.split(".")
    node = tree
    for p in parts[:-1]:
        if isinstance(node, dict) and p not in node and "value" in node:
            node = node["value"]
        if not isinstance(node, dict) or p not in node:
            raise PolicyFileError(f"{where}: unknown parameter path {path}")
        node = node[p]
    last = parts[-1]
    if isinstance(node, dict) and last not in node and "value" in node:
        node = node["value"]
    if not isinstance(node, dict) or last not in node:
        raise PolicyFileError(f"{where}: unknown parameter path {path}")
    if isinstance(new, dict) and "value" in new:
        node[last] = new
    elif isinstance(node[last], dict) and "value" in node[last]:
        node[last] = dict(node[last], value=new)
    else:
        node[last] = new


def load_ordinary(path, year):
    """The ordinary benefit of `path` in force from 1 January to 31 December of `year`.

    Scalars are read as text (BaseLoader), as the Swift loader does, then turned into fen and
    basis points exactly. Returns a dict of numpy tables indexed by tier 0..3 (and status)."""
    with open(path, encoding="utf-8") as f:
        tree = yaml.load(f, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))
    name = tree.get("id") or os.path.splitext(os.path.basename(path))[0]
    jan1, dec31 = f"{year}-01-01", f"{year}-12-31"
    if _value(tree["effective_from"]) > jan1:
        raise PolicyFileError(f"{path}: in force only from {_value(tree['effective_from'])}, not all of {year}")
    periods = [p for p in tree.get("periods", []) if p["from"] <= dec31 and p.get("to", "9999-12-31") >= jan1]
    if len(periods) != 1 or periods[0]["from"] > jan1 or periods[0].get("to", "9999-12-31") < dec31:
        raise PolicyFileError(f"{path}: {year} is not covered by exactly one period (the benchmark needs one)")
    period = periods[0]
    for key, new in (period.get("set") or {}).items():
        _set_path(tree, key, new, f"{path} period {period['id']}")

    o = tree.get("ordinary")
    if o is None:
        raise PolicyFileError(f"{path}: no ordinary benefit")
    w = f"{path}: ordinary"
    mode = _value(o["deductible_mode"])
    if mode not in ("annual_topup", "per_event", "none"):
        raise PolicyFileError(f"{w}.deductible_mode: unknown mode {mode}")
    pool = _value(o.get("cap_pool", {"value": "own"}))
    if pool != "own":
        raise PolicyFileError(f"{w}.cap_pool: the benchmark needs an own cap, got {pool}")
    ded = [0, 0, 0, 0]
    if mode != "none":
        _unit(o["deductible"], "yuan", f"{w}.deductible")
        ded = _per_tier(o["deductible"], f"{w}.deductible", _exact_hundredths)
    _unit(o["ratio"], "percent", f"{w}.ratio")
    ratio = _per_tier(o["ratio"], f"{w}.ratio", _exact_hundredths)   # percent → hundredths = bp
    uplift = 0
    if "retired_uplift" in o:
        _unit(o["retired_uplift"], "points", f"{w}.retired_uplift")
        uplift = _exact_hundredths(_value(o["retired_uplift"]), f"{w}.retired_uplift")
    _unit(o["annual_cap"], "yuan", f"{w}.annual_cap")
    cap = _exact_hundredths(_value(o["annual_cap"]), f"{w}.annual_cap")
    tiers = [int(t) for t in _value(o["tiers"])]
    sites = list(_value(o["sites"]))
    switch = _value(tree.get("retirement", {}).get("ratio_switch", {"value": "on_date"}))
    if switch not in ("on_date", "next_month"):
        raise PolicyFileError(f"{path}: retirement.ratio_switch: unknown value {switch}")
    return {
        "name": name,
        "mode": mode,
        "deductible_fen": np.array(ded, dtype=np.int64),                  # [tier]
        "ratio_bp": np.array([ratio, [r + uplift for r in ratio]], dtype=np.int64),  # [status, tier]
        "cap_fen": cap,
        "tier_covered": np.array([t in tiers for t in range(4)]),
        "sites": sites,
        "designated_only": _value(o.get("designated_only", {"value": "true"})) == "true",
        "ratio_switch": switch,
    }


def check_workload_file():
    """The constants above must say what benchmarks/ordinary-400k-population.yaml says."""
    if not os.path.exists(POPULATION_FILE):
        return
    with open(POPULATION_FILE, encoding="utf-8") as f:
        t = yaml.safe_load(f)
    v = lambda node: node["value"]
    ch = t["channels"]["ordinary"]
    found = {
        "members": v(t["population"]["members"]),
        "retired_share": v(t["population"]["retired_share"]) / 100,
        "mean_visits": {"in_service": set(v(t["visits"]["mean_in_service"]).values()),
                        "retired": set(v(t["visits"]["mean_retired"]).values())},
        "nb_size": set(v(t["visits"]["size"]).values()),
        "tier_shares": tuple(v(ch["tier_mix"])[k] / 100 for k in ("tier1", "tier2", "tier3")),
        "cost_median_yuan": tuple(float(v(ch["cost_median"])[k]) for k in ("tier1", "tier2", "tier3")),
        "cost_sigma": v(ch["cost_sigma"]),
        "compliant_share": v(ch["compliant_share"]) / 100,
        "year": t["year"],
    }
    w = WORKLOAD
    same = (found["members"] == w["members"] and abs(found["retired_share"] - w["retired_share"]) < 1e-12
            and found["mean_visits"] == {k: {x} for k, x in w["mean_visits"].items()}
            and found["nb_size"] == {w["nb_size"]}
            and np.allclose(found["tier_shares"], w["tier_shares"], rtol=0, atol=1e-12)
            and found["cost_median_yuan"] == w["cost_median_yuan"] and found["cost_sigma"] == w["cost_sigma"]
            and abs(found["compliant_share"] - w["compliant_share"]) < 1e-12 and found["year"] == w["year"])
    if not same:
        sys.exit(f"ordinary_400k.py: the workload constants differ from {POPULATION_FILE}: {found}")


# ---------------------------------------------------------------------------------------------
# Claims: per visit, in member order and date order within a member.


class Claims:
    """Visits grouped by member, members in order, each member's visits in date order (members
    with no visit hold no group). `first`: the group starts; `tier`: int8 0..3; `total_fen`,
    `compliant_fen`: int32 (generated, checked to fit) or int64 (read); retirement per visit
    either fixed (`retired`, bool) or by day (`day`, `retired_from`: days since 1970, where the
    policy's retirement switch decides); `covered_extra`: site and designation checks of a read
    extract, or None."""

    def __init__(self, first, tier, total_fen, compliant_fen, retired=None, day=None,
                 retired_from=None, covered_extra=None):
        self.first = first
        self.tier = tier
        self.total_fen = total_fen
        self.compliant_fen = compliant_fen
        self.retired = retired
        self.day = day
        self.retired_from = retired_from
        self.covered_extra = covered_extra

    @property
    def visits(self):
        return len(self.tier)


INT32_MAX = np.iinfo(np.int32).max
SITES = ["local", "remote_registered", "remote_referral", "remote_temporary"]


def generate(rng, members, w=WORKLOAD):
    """One replication of the workload, drawn as the Swift generator draws it: members (status,
    visit count), then per member the visit days uniform over the year and sorted, then per visit,
    in date order, the tier and the cost."""
    year = w["year"]
    days_in_year = int((np.datetime64(f"{year + 1}-01-01") - np.datetime64(f"{year}-01-01")).astype(int))
    retired = rng.random(members) < w["retired_share"]
    r = w["nb_size"]
    p_in, p_ret = (r / (r + w["mean_visits"][k]) for k in ("in_service", "retired"))
    counts = rng.negative_binomial(r, np.where(retired, p_ret, p_in))
    visits = int(counts.sum())

    # Days: sorting the key member * days + day orders each member's days and keeps members apart.
    base = np.repeat(np.arange(members, dtype=np.int32) * np.int32(days_in_year), counts)
    day = base + rng.integers(0, days_in_year, visits, dtype=np.int16)
    day.sort()
    day -= base
    del base
    day = day.astype(np.int16)      # day of the year (0 = 1 January), sorted within each member

    # Tier: one uniform integer on a 1/10000 grid (the shares are whole hundredths of a percent).
    grid = 10_000
    cuts = np.cumsum([round(s * grid) for s in w["tier_shares"]])
    if cuts[-1] != grid or not np.allclose(np.array(w["tier_shares"]) * grid, np.diff(cuts, prepend=0)):
        sys.exit("ordinary_400k.py: tier shares must be whole hundredths of a percent adding up to 1")
    k = rng.integers(0, grid, visits, dtype=np.int16)
    tier = (k >= cuts[0]).view(np.int8) + (k >= cuts[1]).view(np.int8)
    tier += 1
    del k

    # Cost: lognormal in fen, rounded half up (Int64(cost + 0.5)), at least 1 fen; compliant share
    # of it rounded the same way, at most the cost.
    log_median = np.log(np.array([1.0] + list(w["cost_median_yuan"])) * 100.0)
    x = rng.standard_normal(visits)
    x *= w["cost_sigma"]
    x += log_median[tier]
    np.exp(x, out=x)
    x += 0.5
    if visits and not x.max() < INT32_MAX:    # never at these medians (it would take z > 9)
        sys.exit("ordinary_400k.py: a cost above 21 million yuan: int32 fen would overflow")
    total = x.astype(np.int32)
    np.maximum(total, 1, out=total)
    np.multiply(total, w["compliant_share"], out=x)
    x += 0.5
    compliant = x.astype(np.int32)
    del x
    np.minimum(compliant, total, out=compliant)

    ends = np.cumsum(counts)
    first = (ends - counts)[counts > 0]
    return Claims(first=first, tier=tier, total_fen=total, compliant_fen=compliant,
                  retired=np.repeat(retired, counts), day=day)


def _yuan_to_fen(texts, where):
    out = np.empty(len(texts), dtype=np.int64)
    for i, s in enumerate(texts):
        whole, dot, frac = s.partition(".")
        if not whole.isdigit() or (dot and (not frac.isdigit() or len(frac) > 2)):
            sys.exit(f"{where} row {i + 2}: expected yuan with at most 2 decimals, got '{s}'")
        out[i] = int(whole) * 100 + (int(frac.ljust(2, "0")) if dot else 0)
    return out


def read_claims_csv(claims_path, members_path, year):
    """A POLICY-NOTES extract: members.csv (member_id, status, retired_on) and claims.csv
    (claim_id, member_id, date, tier, total_cost, compliant_cost, channel, institution, site,
    designated). Claims are ordered by member (members.csv order) then date, ties in file order,
    as the Swift Batch orders them. Only what this benchmark adjudicates is accepted: ordinary
    claims at general institutions, all in `year`. Returns the claims, the member count and
    whether the file was already in that order."""
    with open(members_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    h = {k: i for i, k in enumerate(rows[0])}
    ids = [r[h["member_id"]] for r in rows[1:]]
    index = {m: i for i, m in enumerate(ids)}
    if len(index) != len(ids):
        sys.exit(f"{members_path}: a member is listed twice")
    status = np.array([r[h["status"]] for r in rows[1:]])
    if not np.isin(status, ["in_service", "retired"]).all():
        sys.exit(f"{members_path}: status must be in_service or retired")
    never, always = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    retired_on = np.where(status == "retired", always, never).astype(np.int64)
    if "retired_on" in h:
        dates = [r[h["retired_on"]] for r in rows[1:]]
        given = np.array([d != "" for d in dates], dtype=bool)
        if given.any():
            retired_on[given] = np.array([d for d in dates if d], dtype="datetime64[D]").astype(np.int64)
    del rows

    with open(claims_path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    h = {k: i for i, k in enumerate(rows[0])}
    body = rows[1:]
    col = lambda k: [r[h[k]] for r in body]
    try:
        member = np.array([index[m] for m in col("member_id")], dtype=np.int64)
    except KeyError as e:
        sys.exit(f"{claims_path}: unknown member {e}")
    day = np.array(col("date"), dtype="datetime64[D]")
    if (day.astype("datetime64[Y]").astype(np.int64) + 1970 != year).any():
        sys.exit(f"{claims_path}: every claim must be in {year}")
    day = day.astype(np.int64)
    tier = np.array(col("tier"))
    if not np.isin(tier, ["0", "1", "2", "3"]).all():
        sys.exit(f"{claims_path}: tier must be 0, 1, 2 or 3")
    tier = tier.astype(np.int8)
    total = _yuan_to_fen(col("total_cost"), claims_path)
    compliant = _yuan_to_fen(col("compliant_cost"), claims_path)
    if (compliant > total).any():
        sys.exit(f"{claims_path}: compliant_cost above total_cost")
    for k, allowed in (("channel", ["", "ordinary"]), ("institution", ["", "general"])):
        if k in h and not np.isin(np.array(col(k)), allowed).all():
            sys.exit(f"{claims_path}: this benchmark adjudicates {k} {allowed[1]} only")
    site = np.array(col("site")) if "site" in h else None
    designated = np.array(col("designated")) if "designated" in h else None
    del rows, body

    order = np.lexsort((day, member))      # stable: ties keep file order
    in_order = bool((order == np.arange(len(order))).all())
    member, day, tier, total, compliant = member[order], day[order], tier[order], total[order], compliant[order]
    counts = np.bincount(member, minlength=len(ids))
    ends = np.cumsum(counts)
    first = (ends - counts)[counts > 0]
    if site is not None:
        site = np.where(site == "", "local", site)[order]
        if not np.isin(site, SITES).all():
            sys.exit(f"{claims_path}: site must be one of {', '.join(SITES)}")
    if designated is not None:
        if not np.isin(designated, ["", "true", "false"]).all():
            sys.exit(f"{claims_path}: designated must be true or false")
        designated = (designated != "false")[order]
    extra = {"site": site, "designated": designated}
    claims = Claims(first=first, tier=tier, total_fen=total, compliant_fen=compliant,
                    day=day, retired_from=retired_on[member], covered_extra=extra)
    return claims, len(ids), in_order


def retired_on_day(claims, policy):
    """Per visit: retired ratios apply (retired from the claim's day under the policy's switch)."""
    if claims.retired is not None:
        return claims.retired
    rf = claims.retired_from
    if policy["ratio_switch"] == "next_month":
        finite = (rf != np.iinfo(np.int64).min) & (rf != np.iinfo(np.int64).max)
        rf = rf.copy()
        d = rf[finite].astype("datetime64[D]")
        rf[finite] = (d.astype("datetime64[M]") + 1).astype("datetime64[D]").astype(np.int64)
    return claims.day >= rf


def covered(claims, policy):
    """Per visit, whether the ordinary benefit covers it (tier, site, designation), or None when
    it covers every visit. Generated visits are all local and designated."""
    extra = claims.covered_extra or {}
    site, designated = extra.get("site"), extra.get("designated")
    if not policy["designated_only"]:
        designated = None
    ok = None
    if not policy["tier_covered"][int(claims.tier.min()):int(claims.tier.max()) + 1].all():
        ok = policy["tier_covered"][claims.tier]
    if site is None and "local" not in policy["sites"]:
        return np.zeros(claims.visits, dtype=bool)
    if site is not None:
        in_sites = np.isin(site, policy["sites"])
        ok = in_sites if ok is None else ok & in_sites
    if designated is not None:
        ok = designated.copy() if ok is None else ok & designated
    return None if ok is None or ok.all() else ok


# ---------------------------------------------------------------------------------------------
# Adjudication, whole arrays.


def group_cumsum(x, first, last, out):
    """Running sums of x restarting at each group start, into the int64 array `out`: the value at
    each group's start is lowered by the previous group's sum, so one cumulative sum restarts."""
    np.cumsum(x, dtype=np.int64, out=out)
    sums = np.diff(out[last], prepend=0)
    np.copyto(out, x)
    out[first[1:]] -= sums[:-1]
    np.cumsum(out, out=out)
    return out


def group_totals(x, last, scratch=None):
    """Per group, the sum of x (through one cumulative sum; faster than add.reduceat)."""
    c = np.cumsum(x, dtype=np.int64, out=scratch)
    return np.diff(c[last], prepend=0)


def group_diff(fill, first, out):
    """Per element, its fill minus the previous element's in the same group (0 before the first)."""
    out[0] = fill[0]
    np.subtract(fill[1:], fill[:-1], out=out[1:])
    out[first] = fill[first]
    return out


def adjudicate(claims, policy):
    """Fund, member share, cap hits and deductible-met members of the ordinary benefit."""
    keys = ("fund_fen", "member_fen", "cap_hit_members", "deductible_met_members")
    if claims.visits == 0:
        return dict.fromkeys(keys, 0)
    first, tier, visits = claims.first, claims.tier, claims.visits
    last = np.append(first[1:], visits) - 1
    compliant = claims.compliant_fen
    ok = covered(claims, policy)
    if ok is not None:
        compliant = np.where(ok, compliant, 0)   # an uncovered visit counts toward nothing
    ded = policy["deductible_fen"]
    present = range(int(tier.min()), int(tier.max()) + 1)
    levels = sorted({int(ded[t]) for t in present} - {0})

    run = np.empty(visits, dtype=np.int64)      # running sums, int64: no overflow
    applied = None                              # deductible applied per visit
    met_visit = met_members = None
    if policy["mode"] == "annual_topup" and levels:
        # The deductible by bands (module docstring): band b takes what a visit whose tier's
        # deductible reaches d_b offers beyond the bands below, up to the band's width.
        one_level = len(levels) == 1 and all(ded[t] == levels[0] for t in present)
        paid = None if one_level else np.zeros(visits, dtype=np.int64)
        offer = compliant
        low = 0
        for b, d in enumerate(levels):
            if any(ded[t] < d for t in present):
                offer = offer * (ded >= d).astype(offer.dtype)[tier]    # visits that may not enter
            fill = group_cumsum(offer, first, last, out=run)
            np.minimum(fill, d - low, out=fill)
            if paid is not None:
                paid += fill
            step = group_diff(fill, first, out=np.empty(visits, dtype=offer.dtype))
            applied = step if applied is None else np.add(applied, step, out=applied)
            if b + 1 < len(levels):
                offer = offer - step
            low = d
        del offer, step
        if one_level:   # one amount: met when the year's paid reached it (the last running value)
            met_members = int((run[last] >= levels[0]).sum())
        else:           # met on a visit whose tier's deductible the paid-so-far reached
            met_visit = paid >= ded.take(tier)
            del paid
    elif policy["mode"] == "per_event":
        dv = ded.astype(compliant.dtype)[tier]
        applied = np.minimum(compliant, dv)
        met_visit = compliant >= dv
        del dv
    if met_visit is not None:
        if ok is not None:
            met_visit &= ok
        met_members = int((group_totals(met_visit, last, scratch=run) > 0).sum())
    elif met_members is None:
        met_members = 0

    # raw = applyRatio(compliant - applied, bp), bp by (status on the claim's day, tier).
    eligible = compliant.copy() if applied is None else np.subtract(compliant, applied, out=applied)
    del applied
    retired = retired_on_day(claims, policy)
    code = retired.view(np.int8) << 2
    code += tier
    bp = policy["ratio_bp"].astype(np.int32).reshape(-1)[code]
    del code
    raw = np.multiply(eligible, bp, out=run, dtype=np.int64)
    del bp, eligible
    raw += 5000
    raw //= 10000
    raw_by_member = group_totals(raw, last, scratch=raw)
    del raw, run
    cap = policy["cap_fen"]
    fund = int(np.minimum(raw_by_member, cap).sum())
    total = int(claims.total_fen.sum(dtype=np.int64))
    return {
        "fund_fen": fund,
        "member_fen": total - fund,
        "cap_hit_members": int((raw_by_member >= cap).sum()),
        "deductible_met_members": met_members,
    }


def adjudicate_reference(claims, policy):
    """The same, one visit at a time: RulesEngine.adjudicate's arithmetic as a plain loop."""
    ded = policy["deductible_fen"].tolist()
    bp_tab = policy["ratio_bp"].tolist()
    cap = policy["cap_fen"]
    ok = covered(claims, policy)
    ok = [True] * claims.visits if ok is None else ok.tolist()
    retired = retired_on_day(claims, policy).tolist()
    tier, comp, tot = claims.tier.tolist(), claims.compliant_fen.tolist(), claims.total_fen.tolist()
    bounds = claims.first.tolist() + [claims.visits]
    fund_total = cap_hits = met_members = 0
    for g in range(len(bounds) - 1):
        ded_paid = fund_paid = 0
        met = hit = False
        for k in range(bounds[g], bounds[g + 1]):
            if not ok[k]:
                continue
            t, c = tier[k], comp[k]
            if policy["mode"] == "none":
                due = 0
            elif policy["mode"] == "per_event":
                due = ded[t]
            else:
                due = max(0, ded[t] - ded_paid)
            applied = min(c, due)
            if policy["mode"] != "none" and applied == due:
                met = True
            raw = ((c - applied) * bp_tab[int(retired[k])][t] + 5000) // 10000
            fund = min(raw, max(0, cap - fund_paid))
            if policy["mode"] == "annual_topup":
                ded_paid += applied
            fund_paid += fund
            if raw >= cap - (fund_paid - fund):
                hit = True
        fund_total += fund_paid
        cap_hits += hit
        met_members += met
    total = sum(tot)
    return {"fund_fen": fund_total, "member_fen": total - fund_total,
            "cap_hit_members": cap_hits, "deductible_met_members": met_members}


# ---------------------------------------------------------------------------------------------


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--members", type=int, default=WORKLOAD["members"])
    ap.add_argument("--replications", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--policy", action="append", help="policy YAML (repeatable; default: Tieling and Yanbian)")
    ap.add_argument("--claims-csv", help="adjudicate this claims.csv instead of generating")
    ap.add_argument("--members-csv", help="members.csv of --claims-csv")
    ap.add_argument("--json", action="store_true", help="print one final JSON line")
    ap.add_argument("--reference", action="store_true", help="plain per-visit loop (slow; for checking)")
    a = ap.parse_args(argv)
    if bool(a.claims_csv) != bool(a.members_csv):
        ap.error("--claims-csv and --members-csv go together")
    if a.members < 1 or a.replications < 1:
        ap.error("--members and --replications must be at least 1")
    check_workload_file()
    try:
        policies = [load_ordinary(p, WORKLOAD["year"]) for p in (a.policy or DEFAULT_POLICIES)]
    except (PolicyFileError, KeyError, OSError) as e:
        sys.exit(f"ordinary_400k.py: {e}")
    names = [p["name"] for p in policies]
    if len(set(names)) != len(names):
        sys.exit("ordinary_400k.py: two policies with the same id")
    run = adjudicate_reference if a.reference else adjudicate

    totals = {p["name"]: dict.fromkeys(("fund_fen", "member_fen", "cap_hit_members", "deductible_met_members"), 0)
              for p in policies}
    visits = 0
    seconds = 0.0
    members = a.members
    if a.claims_csv:
        claims, members, in_order = read_claims_csv(a.claims_csv, a.members_csv, WORKLOAD["year"])
        print(f"ordinary_400k.py: {a.claims_csv}: {claims.visits} claims "
              f"{'already' if in_order else 'not'} in member and date order", file=sys.stderr)
    for rep in range(a.replications):
        t0 = time.perf_counter()
        if not a.claims_csv:
            claims = generate(np.random.default_rng([a.seed, rep]), members)
        for p in policies:
            for k, v in run(claims, p).items():
                totals[p["name"]][k] += v
        seconds += time.perf_counter() - t0
        visits += claims.visits
        if not a.claims_csv:
            del claims

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "members": members,
        "visits": visits,
        "replications": a.replications,
        "seconds_per_replication": seconds / a.replications,
        "ns_per_visit": seconds * 1e9 / visits if visits else 0.0,
        "peak_mib": peak_mib,
        "policies": totals,
    }
    if a.json:
        print(json.dumps(result))
    else:
        print(f"numpy {np.__version__}, {members} members x {a.replications} replication(s), {visits} visits: "
              f"{result['ns_per_visit']:.1f} ns/visit, {result['seconds_per_replication']:.3f} s/replication, "
              f"peak {peak_mib:.0f} MiB")
        n = members * a.replications
        for name, t in totals.items():
            print(f"  {name}: fund {t['fund_fen'] / 100:.2f} yuan ({t['fund_fen'] / 100 / n:.2f}/member), "
                  f"member share {t['member_fen'] / 100:.2f} yuan ({t['member_fen'] / 100 / n:.2f}/member), "
                  f"cap hit {t['cap_hit_members']}, deductible met {t['deductible_met_members']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
