#!/usr/bin/env bash
# Slurm integration test: a sharded run on a local single-node cluster must equal the single-machine run.
#
#   bash scripts/test-slurm.sh [POOLSIM_BINARY]
#
# 1. starts the local cluster (scripts/slurm-local.sh; stopped again on exit if this script started it)
#    and checks that it runs array jobs (4 trivial tasks) and that sbatch --wait fails when a task fails;
# 2. with POOLSIM_BINARY: writes a small copy of scenarios/demo.yaml (3000 members, 8 replications,
#    absolute dataset paths, no member table), runs it on this machine (`poolsim run`), writes the
#    Slurm scripts (`poolsim slurm --shards 4`), submits the array job and then the merge job
#    (sbatch --wait, timed separately), and compares the merged store with the single run's, table by
#    table, every value exactly (timing columns left out). When `poolsim slurm` has --submit, that path
#    (`--submit --wait`) is run and compared as well.
# Without POOLSIM_BINARY only step 1 runs. Needs root (Slurm's daemons). Exit status non-zero on any
# failure or difference. KEEP=1 keeps the temporary folder (it is kept anyway when the test fails).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARDS=4
JOB_TIMEOUT=${POOLSIM_SLURM_JOB_TIMEOUT:-900}   # seconds any one sbatch --wait may take

POOLSIM=""
if [ $# -ge 1 ]; then
  [ -x "$1" ] || { echo "test-slurm: $1 is not an executable" >&2; exit 2; }
  # Jobs run from their own --chdir on the node: the binary path must be absolute.
  POOLSIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fi

say() { echo "test-slurm: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

TMP=$(mktemp -d /tmp/poolsim-slurm-test.XXXXXX)
chmod 0755 "$TMP"
STARTED=0
OK=0
cleanup() {
  local rc=$?
  if [ "$STARTED" -eq 1 ]; then bash "$REPO/scripts/slurm-local.sh" stop || true; fi
  if [ "$OK" -eq 1 ] && [ "${KEEP:-0}" != 1 ]; then rm -rf "$TMP"; else say "files kept in $TMP"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Prints the tail of every Slurm log in a folder (the jobs' stdout/stderr), for a failed job.
show_job_logs() {
  local f
  for f in "$1"/*.log "$1"/*.out; do
    [ -f "$f" ] || continue
    echo "----- $f -----" >&2
    tail -n 30 "$f" >&2
  done
}

# ---- 1. the cluster --------------------------------------------------------------------------------
if bash "$REPO/scripts/slurm-local.sh" status >/dev/null 2>&1; then
  say "a local cluster already runs: using it (left running afterwards)"
else
  STARTED=1
fi
t=$(now)
bash "$REPO/scripts/slurm-local.sh" start
T_START=$(secs "$t" "$(now)")

say "self-check: a 4-task array job"
mkdir -p "$TMP/selfcheck"
t=$(now)
timeout 120 sbatch --wait --quiet --array=0-3 --time=2 --job-name=selfcheck --chdir="$TMP/selfcheck" \
  --output="$TMP/selfcheck/task-%a.out" \
  --wrap 'echo "$SLURM_ARRAY_TASK_ID" > "x-$SLURM_ARRAY_TASK_ID"' \
  || { show_job_logs "$TMP/selfcheck"; fail "the trivial array job failed"; }
for i in 0 1 2 3; do
  [ "$(cat "$TMP/selfcheck/x-$i" 2>/dev/null)" = "$i" ] || { show_job_logs "$TMP/selfcheck"; fail "array task $i wrote no x-$i"; }
done
T_SELF=$(secs "$t" "$(now)")
say "self-check: array tasks 0-3 ran (${T_SELF}s)"
# The test relies on sbatch --wait failing when a task fails.
if timeout 120 sbatch --wait --quiet --array=0-1 --time=2 --job-name=selfcheck-fail --chdir="$TMP/selfcheck" \
     --output=/dev/null --wrap 'exit "$SLURM_ARRAY_TASK_ID"'; then
  fail "sbatch --wait returned 0 although array task 1 exited 1"
fi
say "self-check: sbatch --wait fails when a task fails"

if [ -z "$POOLSIM" ]; then
  say "no POOLSIM_BINARY given: cluster self-check only"
  OK=1
  say "PASS (cluster start ${T_START}s, trivial array job ${T_SELF}s)"
  exit 0
fi

# ---- 2. the scenario -------------------------------------------------------------------------------
SCEN="$TMP/scenario.yaml"
python3 - "$REPO/scenarios/demo.yaml" "$SCEN" "$REPO" <<'EOF'
import json, os, re, sys
src, dst, repo = sys.argv[1:4]
text = open(src, encoding="utf-8").read()
base = os.path.dirname(os.path.abspath(src))
def sub(pattern, repl, s, what):
    s2, n = re.subn(pattern, repl, s, flags=re.M)
    if n == 0:
        sys.exit(f"test-slurm: {src} has no {what}: update scripts/test-slurm.sh")
    return s2
text = sub(r"^([ \t]+members:[ \t]*)\d+[ \t]*$", r"\g<1>3000", text, "population members line")
text = sub(r"^(replications:[ \t]*)\d+[ \t]*$", r"\g<1>8", text, "replications line")
text = sub(r"^[ \t]*member_table:.*(?:\n|\Z)", "", text, "outputs.member_table line")
# Every relative file path (calibration:, policy:) made absolute (JSON strings are valid YAML).
def absolute(m):
    path = os.path.normpath(os.path.join(base, m.group(2)))
    if not os.path.exists(path):
        sys.exit(f"test-slurm: {path} (from {src}) does not exist")
    return m.group(1) + json.dumps(path)
text = sub(r"^([ \t]*(?:calibration|policy):[ \t]*)(\.\.?/\S+)[ \t]*$", absolute, text, "relative file paths")
open(dst, "w", encoding="utf-8").write(text)
EOF
say "scenario: $SCEN"

# ---- 3. single machine -----------------------------------------------------------------------------
cd "$TMP"
t=$(now)
"$POOLSIM" run "$SCEN" --out "$TMP/single.sqlite" > "$TMP/single.txt" \
  || { cat "$TMP/single.txt" >&2; fail "poolsim run failed"; }
T_SINGLE=$(secs "$t" "$(now)")
say "single run: ${T_SINGLE}s"

# ---- 4. Slurm: scripts, array job, merge job -------------------------------------------------------
DIR="$TMP/slurm"
"$POOLSIM" slurm "$SCEN" --shards "$SHARDS" --out "$DIR" || fail "poolsim slurm failed"
for f in poolsim.sbatch merge.sbatch; do
  [ -s "$DIR/$f" ] || fail "poolsim slurm wrote no $DIR/$f"
  echo "----- $DIR/$f -----"
  cat "$DIR/$f"
done
grep -q -- '--array=0-'"$((SHARDS - 1))" "$DIR/poolsim.sbatch" || fail "$DIR/poolsim.sbatch is not an array job 0-$((SHARDS - 1))"

touch "$TMP/submitted"   # run.sqlite must be newer than this
t=$(now)
JOB=$(timeout "$JOB_TIMEOUT" sbatch --wait --parsable "$DIR/poolsim.sbatch") \
  || { show_job_logs "$DIR"; fail "array job ${JOB:-?} failed (or timed out after ${JOB_TIMEOUT}s)"; }
JOB=${JOB%%;*}
T_ARRAY=$(secs "$t" "$(now)")
for i in $(seq 0 $((SHARDS - 1))); do
  [ -s "$DIR/shard-$i.sqlite" ] || { show_job_logs "$DIR"; fail "array task $i wrote no $DIR/shard-$i.sqlite"; }
done
say "array job $JOB ($SHARDS tasks): ${T_ARRAY}s"

t=$(now)
MJOB=$(timeout "$JOB_TIMEOUT" sbatch --wait --parsable --dependency=afterok:"$JOB" "$DIR/merge.sbatch") \
  || { show_job_logs "$DIR"; fail "merge job ${MJOB:-?} failed (or timed out after ${JOB_TIMEOUT}s)"; }
MJOB=${MJOB%%;*}
T_MERGE=$(secs "$t" "$(now)")
# A merge job cancelled for its dependency also ends sbatch --wait with status 0: check the store.
[ "$DIR/run.sqlite" -nt "$TMP/submitted" ] || { show_job_logs "$DIR"; fail "merge job $MJOB wrote no $DIR/run.sqlite"; }
say "merge job $MJOB: ${T_MERGE}s"

# ---- 5. compare ------------------------------------------------------------------------------------
compare() {   # compare STORE: every summary table of STORE against single.sqlite, exactly
  python3 - "$TMP/single.sqlite" "$1" <<'EOF'
import sqlite3, sys, difflib
TABLES = ["summary", "member_summary", "fund_sizing", "replications", "member_statistics",
          "burden_thresholds", "net_changes", "burden_histogram", "variants", "parameter_differences"]
EXCLUDE = {"replications": {"seconds"}}   # timing columns

def dump(path, table):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        cols = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')]
        if not cols:
            return None, None
        keep = [c for c in cols if c not in EXCLUDE.get(table, set())]
        sel = ", ".join(f'"{c}"' for c in keep)
        # ORDER BY 1, 2, 3, … over every kept column: a total order, whatever the insertion order.
        order = ", ".join(str(i + 1) for i in range(len(keep)))
        rows = db.execute(f'SELECT {sel} FROM "{table}" ORDER BY {order}').fetchall()
    finally:
        db.close()
    # repr: floats to the last bit, text and blobs exactly, NULL distinct from "".
    return keep, ["\t".join(repr(v) for v in r) for r in rows]

single, other = sys.argv[1], sys.argv[2]
bad = 0
for t in TABLES:
    ca, a = dump(single, t)
    cb, b = dump(other, t)
    if ca is None or cb is None:
        print(f"  {t}: missing in {'single.sqlite' if ca is None else other}")
        bad += 1
        continue
    if ca != cb:
        print(f"  {t}: columns differ: {ca} vs {cb}")
        bad += 1
        continue
    if a != b:
        print(f"  {t}: DIFFERENT ({len(a)} vs {len(b)} rows)")
        diff = list(difflib.unified_diff(a, b, "single.sqlite", other, lineterm="", n=0))
        for line in diff[:20]:
            print("    " + line[:300])
        if len(diff) > 20:
            print(f"    … {len(diff) - 20} more diff lines")
        bad += 1
    else:
        print(f"  {t}: {len(a)} rows identical")
        if t == "summary" and not a:
            print("  summary: empty: nothing was compared")
            bad += 1
sys.exit(1 if bad else 0)
EOF
}
say "comparing $DIR/run.sqlite with single.sqlite"
compare "$DIR/run.sqlite" || fail "the merged Slurm run differs from the single-machine run"

# ---- 6. the one-command path, when poolsim slurm has it --------------------------------------------
T_SUBMIT=""
if "$POOLSIM" slurm --help 2>&1 | grep -q -- '--submit'; then
  DIR2="$TMP/slurm-submit"
  touch "$TMP/submitted"
  t=$(now)
  timeout "$JOB_TIMEOUT" "$POOLSIM" slurm "$SCEN" --shards "$SHARDS" --out "$DIR2" --submit --wait \
    || { show_job_logs "$DIR2"; fail "poolsim slurm --submit --wait failed"; }
  T_SUBMIT=$(secs "$t" "$(now)")
  # A shard that fails gets the merge job cancelled (afterok, --kill-on-invalid-dep), and sbatch --wait
  # returns 0 for a cancelled job that never ran: only the store tells.
  [ "$DIR2/run.sqlite" -nt "$TMP/submitted" ] || { show_job_logs "$DIR2"; fail "poolsim slurm --submit --wait returned 0 but wrote no $DIR2/run.sqlite"; }
  say "poolsim slurm --submit --wait: ${T_SUBMIT}s; comparing $DIR2/run.sqlite with single.sqlite"
  compare "$DIR2/run.sqlite" || fail "the merged Slurm run (--submit) differs from the single-machine run"
fi

OK=1
say "PASS"
printf 'timings (wall seconds): cluster start %s, trivial array job %s, single run %s, array job (%d shards) %s, merge job %s%s\n' \
  "$T_START" "$T_SELF" "$T_SINGLE" "$SHARDS" "$T_ARRAY" "$T_MERGE" "${T_SUBMIT:+, slurm --submit --wait $T_SUBMIT}" >&2
