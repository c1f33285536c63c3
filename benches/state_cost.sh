#!/usr/bin/env bash
# The cost of `--state` with the default rules (issue 13: at most 15%):
# the same corpus through the same binary with and without `--state`, in
# the same run.
#
# Usage (from any directory):
#   benches/state_cost.sh
#   SIZE=64M PAIRS=21 benches/state_cost.sh
#
# What it does:
#   1. builds ctfilter and gen_corpus (release) unless CTFILTER is set;
#   2. writes `gen_corpus --bytes $SIZE --seed $SEED` to $BENCH_DIR (reused
#      when present) and two slices of it: every 4th record (16 MB at 64M)
#      and every 16th (4 MB);
#   3. if valgrind is installed: callgrind instruction counts (deterministic,
#      so they hold on a loaded machine) of each slice and of the whole
#      corpus, without and with `--state PATH --state-reset` (an empty state
#      each run, saved at exit), and checks both outputs are identical (the
#      corpus covers minutes of event time, so the state is learning and
#      reports nothing);
#   4. interleaved timing: $PAIRS pairs of runs on the whole corpus,
#      alternating which goes first, median wall and CPU (user + system)
#      time of each and their ratio. Interleaving keeps a load change on a
#      shared machine from landing on one side only.
#
# Environment knobs: SIZE=64M SEED=1 PAIRS=21 BENCH_DIR=target/bench-state
# CTFILTER=path/to/binary NOW=2026-12-01T00:00:00Z
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SIZE=${SIZE:-64M}
SEED=${SEED:-1}
PAIRS=${PAIRS:-21}
NOW=${NOW:-2026-12-01T00:00:00Z}
BENCH_DIR=${BENCH_DIR:-$ROOT/target/bench-state}
mkdir -p "$BENCH_DIR"

if [[ -z "${CTFILTER:-}" ]]; then
    (cd "$ROOT" && cargo build --release --quiet && cargo build --release --quiet --example gen_corpus)
    CTFILTER=$ROOT/target/release/ctfilter
fi
GEN=$ROOT/target/release/examples/gen_corpus
CORPUS=$BENCH_DIR/corpus-$SIZE-$SEED.ndjson
if [[ ! -s $CORPUS ]]; then
    "$GEN" --bytes "$SIZE" --seed "$SEED" >"$CORPUS"
fi
awk 'NR % 4 == 1' "$CORPUS" >"$BENCH_DIR/every-4th.ndjson"
awk 'NR % 16 == 1' "$CORPUS" >"$BENCH_DIR/every-16th.ndjson"
STATE=$BENCH_DIR/state
echo "ctfilter: $CTFILTER ($("$CTFILTER" --version))"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

if command -v valgrind >/dev/null; then
    echo "| input | records | without --state | with --state | cost |"
    echo "|---|---:|---:|---:|---:|"
    for input in every-16th every-4th whole; do
        file=$BENCH_DIR/$input.ndjson
        [[ $input == whole ]] && file=$CORPUS
        count() {
            local tag=$1
            shift
            valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" <"$file" \
                2>&1 >"$BENCH_DIR/out.$input.$tag" | sed -n 's/.*Collected : //p'
        }
        rm -f "$STATE"
        base=$(count base "$CTFILTER" --now "$NOW")
        with=$(count state "$CTFILTER" --now "$NOW" --state "$STATE" --state-reset)
        if ! cmp -s "$BENCH_DIR/out.$input.base" "$BENCH_DIR/out.$input.state"; then
            echo "ctfilter: $input: outputs differ with and without --state" >&2
            exit 1
        fi
        awk -v i="$input" -v r="$(wc -l <"$file")" -v b="$base" -v w="$with" \
            'BEGIN { printf "| %s | %d | %.1fM | %.1fM | %+.1f%% |\n", i, r, b/1e6, w/1e6, (w/b-1)*100 }'
    done
    echo
else
    echo "(valgrind not installed: no instruction counts)"
fi

python3 - "$PAIRS" "$CTFILTER" "$NOW" "$STATE" "$CORPUS" <<'PY'
import os, statistics, subprocess, sys, time
pairs, exe, now, state, corpus = int(sys.argv[1]), *sys.argv[2:]
runs = {
    "without --state": [exe, "--now", now, corpus],
    "with --state": [exe, "--now", now, "--state", state, "--state-reset", corpus],
}
times = {name: ([], []) for name in runs}
for i in range(pairs):
    for name in (list(runs) if i % 2 == 0 else list(runs)[::-1]):
        start = time.perf_counter()
        child = subprocess.Popen(runs[name], stdout=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        if status != 0:
            sys.exit(f"ctfilter: {name} failed with status {status}")
        times[name][0].append(time.perf_counter() - start)
        times[name][1].append(usage.ru_utime + usage.ru_stime)
print(f"interleaved, {pairs} pairs, whole corpus (medians):")
print("| run | wall | CPU (user + sys) |")
print("|---|---:|---:|")
base = None
for name, (wall, cpu) in times.items():
    w, c = statistics.median(wall), statistics.median(cpu)
    base = base or (w, c)
    print(f"| {name} | {w*1000:.1f} ms ({w/base[0]:.3f}x) | {c*1000:.1f} ms ({c/base[1]:.3f}x) |")
PY
