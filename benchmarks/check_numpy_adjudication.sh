#!/usr/bin/env bash
# Exactness check of the numpy benchmark reference (benchmarks/ordinary_400k.py) against the Swift
# engine: `poolsim synth` draws a population of the benchmark workload, `poolsim adjudicate`
# adjudicates it under each policy, and ordinary_400k.py --claims-csv adjudicates the same files.
# Fund and member totals must agree to the fen, and so must the cap-hit and deductible-met counts
# (taken from Swift's per-claim output: a member's fund paid reaching the annual cap; the running
# deductible_applied reaching the claim's tier's deductible). The plain per-visit loop
# (--reference) is compared too, on the same files and on a population numpy draws itself.
# Exits non-zero on any difference.
#
#   bash benchmarks/check_numpy_adjudication.sh [MEMBERS [SEED]]     (default 20000 1)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
members="${1:-20000}"
seed="${2:-1}"
scratch="${POOLSIM_SCRATCH:-.build-numpy}"
policies=(datasets/policies/tieling.yaml datasets/policies/yanbian.yaml)

bash scripts/python-env.sh
py="$root/.venv/bin/python"
swift build -c release --scratch-path "$scratch" >/dev/null
bin="$scratch/release/poolsim"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$bin" synth benchmarks/ordinary-400k-population.yaml --members "$members" --seed "$seed" --out "$tmp/synth" >/dev/null
# A harder extract from the same population: rows shuffled (the order the engine restores:
# member, date, ties in file order), some unrated (tier 0), non-designated and remote claims, and
# retirement dates within 2023 (Tieling switches ratios on the date, Yanbian the next month).
mkdir -p "$tmp/mixed"
"$py" - "$tmp/synth" "$tmp/mixed" "$seed" <<'PY'
import csv, random, sys
src, dst, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
with open(f"{src}/members.csv", newline="") as f:
    r = csv.DictReader(f); head = r.fieldnames; members = list(r)
for m in members:
    if rng.random() < 0.05:
        m["retired_on"] = f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
with open(f"{dst}/members.csv", "w", newline="") as f:
    w = csv.DictWriter(f, head); w.writeheader(); w.writerows(members)
with open(f"{src}/claims.csv", newline="") as f:
    r = csv.DictReader(f); head = r.fieldnames; claims = list(r)
for c in claims:
    u = rng.random()
    if c["tier"] == "1" and u < 0.1:
        c["tier"] = "0"
    u = rng.random()
    c["site"] = "remote_registered" if u < 0.03 else "remote_referral" if u < 0.05 else "remote_temporary" if u < 0.06 else c["site"]
    if rng.random() < 0.02:
        c["designated"] = "false"
rng.shuffle(claims)
with open(f"{dst}/claims.csv", "w", newline="") as f:
    w = csv.DictWriter(f, head); w.writeheader(); w.writerows(claims)
PY

policy_args=()
for p in "${policies[@]}"; do policy_args+=(--policy "$p"); done
for set in synth mixed; do
  for p in "${policies[@]}"; do
    "$bin" adjudicate --policy "$p" --members "$tmp/$set/members.csv" --claims "$tmp/$set/claims.csv" \
      --out "$tmp/swift-$set-$(basename "$p" .yaml).csv" 2>/dev/null
  done
  csv_args=(--claims-csv "$tmp/$set/claims.csv" --members-csv "$tmp/$set/members.csv" "${policy_args[@]}" --json)
  "$py" benchmarks/ordinary_400k.py "${csv_args[@]}" > "$tmp/numpy-$set.json"
  "$py" benchmarks/ordinary_400k.py "${csv_args[@]}" --reference > "$tmp/loop-$set.json"
done
gen_args=(--members "$members" --seed "$seed" "${policy_args[@]}" --json)
"$py" benchmarks/ordinary_400k.py "${gen_args[@]}" > "$tmp/numpy-drawn.json"
"$py" benchmarks/ordinary_400k.py "${gen_args[@]}" --reference > "$tmp/loop-drawn.json"

"$py" - "$tmp" "${policies[@]}" <<'PY'
import csv, json, sys
sys.path.insert(0, "benchmarks")
import ordinary_400k as ref

tmp, policy_files = sys.argv[1], sys.argv[2:]
fen = lambda s: int(s.replace(".", "")) if "." in s else int(s) * 100   # Swift writes 2 decimals
fields = ("fund_fen", "member_fen", "cap_hit_members", "deductible_met_members")


def swift_totals(dataset, policy):
    """The four figures from Swift's per-claim output, claims taken in adjudication order."""
    with open(f"{tmp}/{dataset}/members.csv", newline="") as f:
        index = {r["member_id"]: i for i, r in enumerate(csv.DictReader(f))}
    with open(f"{tmp}/{dataset}/claims.csv", newline="") as f:
        claims = list(csv.DictReader(f))
    with open(f"{tmp}/swift-{dataset}-{policy['name']}.csv", newline="") as f:
        out = list(csv.DictReader(f))
    assert [c["claim_id"] for c in claims] == [o["claim_id"] for o in out], "Swift output not in input order"
    # Member (members.csv order), then date, ties in file order (sorted is stable).
    order = sorted(range(len(claims)), key=lambda i: (index[claims[i]["member_id"]], claims[i]["date"]))
    ded, cap = policy["deductible_fen"].tolist(), policy["cap_fen"]
    t = dict.fromkeys(fields, 0)
    current, paid_fund, paid_ded, met = None, 0, 0, False
    for i in order + [None]:
        m = None if i is None else claims[i]["member_id"]
        if m != current:
            t["cap_hit_members"] += current is not None and paid_fund >= cap
            t["deductible_met_members"] += met
            current, paid_fund, paid_ded, met = m, 0, 0, False
        if i is None:
            break
        o = out[i]
        t["fund_fen"] += fen(o["fund_paid"])
        t["member_fen"] += fen(o["member_paid"])
        paid_fund += fen(o["fund_paid"])
        paid_ded += fen(o["deductible_applied"])
        if o["rule"].startswith("ordinary") and paid_ded >= ded[int(claims[i]["tier"])]:
            met = True
    return t


load = lambda name: json.load(open(f"{tmp}/{name}.json"))["policies"]
bad = 0
print(f"{'claims':8} {'policy':8} {'figure':22} {'Swift':>12} {'numpy':>12} {'loop':>12}")
for dataset in ("synth", "mixed", "drawn"):
    numpy, loop = load(f"numpy-{dataset}"), load(f"loop-{dataset}")
    for path in policy_files:
        p = ref.load_ordinary(path, ref.WORKLOAD["year"])
        name = p["name"]
        swift = swift_totals(dataset, p) if dataset != "drawn" else None
        for k in fields:
            row = ((swift[k],) if swift else ()) + (numpy[name][k], loop[name][k])
            same = len(set(row)) == 1
            bad += not same
            cells = " ".join(f"{v:>12}" for v in row) if swift else f"{'-':>12} " + " ".join(f"{v:>12}" for v in row)
            print(f"{dataset:8} {name:8} {k:22} {cells}  {'same' if same else 'DIFFERENT'}")
n = json.load(open(f"{tmp}/numpy-synth.json"))
print("synth: poolsim synth's files; mixed: the same shuffled, with tier 0, remote, non-designated claims and "
      "retirement dates; drawn: numpy's own population (no Swift figure)")
print(f"{n['members']} members, {n['visits']} claims: "
      + ("numpy equals the Swift engine to the fen" if not bad else f"{bad} figures differ"))
sys.exit(1 if bad else 0)
PY
