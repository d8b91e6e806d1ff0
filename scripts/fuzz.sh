#!/usr/bin/env bash
# libFuzzer + ASan over the parsers (issue 7): scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
# Builds the Fuzz* targets with -DFUZZING in .build-fuzz (never the normal build), runs each for
# SECONDS_PER_TARGET (default 60) from the seeds in Fuzz/corpus/<target>/ and writes crashing
# inputs to Fuzz/crashes/<target>/. Inputs it discovers go to .build-fuzz/corpus/<target>/ (not
# committed). Exit status 1 when a target found a crash. Recipe: ENGINEERING-NOTES.md, "Fuzzing
# Swift parsers with libFuzzer" (built per product: poolsim has its own main and would not link).
set -uo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-60}"; shift || true
TARGETS=("$@"); [ ${#TARGETS[@]} -gt 0 ] || TARGETS=(FuzzClaims FuzzPolicy FuzzScenario)
SWIFT="${SWIFT:-swift}"
FLAGS=(-c debug --scratch-path .build-fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
       -Xcc -fsanitize=address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld)
for t in "${TARGETS[@]}"; do
    "$SWIFT" build "${FLAGS[@]}" --product "$t" || exit 2
done
BIN="$("$SWIFT" build "${FLAGS[@]}" --show-bin-path)"
export SWIFT_BACKTRACE=enable=no   # the Swift backtracer gives a false ASan report
status=0
for t in "${TARGETS[@]}"; do
    mkdir -p ".build-fuzz/corpus/$t" "Fuzz/crashes/$t"
    before=$(ls "Fuzz/crashes/$t" | wc -l)
    echo "== $t: ${SECONDS_PER_TARGET}s"
    "$BIN/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="Fuzz/crashes/$t/" ".build-fuzz/corpus/$t" "Fuzz/corpus/$t" 2>&1 | tee ".build-fuzz/$t.log" |
        grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)|^==[0-9]+==ERROR|SUMMARY|Fatal error|stat::|artifact_prefix|Test unit written'
    after=$(ls "Fuzz/crashes/$t" | wc -l)
    if [ "$after" -gt "$before" ]; then
        echo "!! $t: $((after - before)) new crash input(s) in Fuzz/crashes/$t/ (log .build-fuzz/$t.log)"; status=1
    fi
done
exit $status
