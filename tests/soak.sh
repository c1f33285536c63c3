#!/usr/bin/env bash
# Soak test: a multi-GB realistic corpus streamed through ctfilter by a pipe,
# with peak memory and throughput sampled every second, counters checked;
# then the heavy hardening tests (ignored by `cargo test`) in release mode.
# Not part of `cargo test` or CI: it takes minutes and GBs of disk.
#
#   tests/soak.sh                      # SIZE=2G, --threads 2
#   SIZE=8G THREADS=1 tests/soak.sh
#   SKIP_TESTS=1 tests/soak.sh         # only the streaming passes
#   BUGS=1 tests/soak.sh               # also run the ignored BUG tests (they fail until fixed)
#
# Passes (each reads the same corpus through `cat FILE | ctfilter ...`):
#   1. --events '*' --threads $THREADS: every record comes out, so output
#      lines per second are records per second; the timeline is written to
#      $WORK/timeline-all.tsv;
#   2. the default rules (the realistic filter) --threads $THREADS;
#   3. the default rules --threads 1, for comparison.
# Checks: exit 0; read = emitted + filtered + dead_lettered + skipped; no
# dead letters (the corpus is clean); pass 1 emits every record of the corpus
# and the output line count matches emitted.
#
# Environment: SIZE (default 2G, K/M/G suffixes), SEED (9), THREADS (2),
# WORK (target/soak; the corpus is kept there and reused), SKIP_TESTS, BUGS.
# Requires bash, cargo, python3. Exit status: 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

SIZE=${SIZE:-2G}
SEED=${SEED:-9}
THREADS=${THREADS:-2}
WORK=${WORK:-target/soak}
mkdir -p "$WORK"

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "== build (release)"
cargo build --release --bin ctfilter --example gen_corpus 2>&1 | tail -1
BIN=target/release/ctfilter
GEN=target/release/examples/gen_corpus

corpus="$WORK/corpus-$SIZE-seed$SEED.ndjson"
if [ ! -s "$corpus" ] || [ "$GEN" -nt "$corpus" ]; then
    echo "== generate $SIZE (seed $SEED) -> $corpus"
    "$GEN" --bytes "$SIZE" --seed "$SEED" --shape ndjson -o "$corpus" --stats 2>&1 | head -1
else
    echo "== reuse $corpus"
fi
bytes=$(stat -c %s "$corpus")
records=$(wc -l < "$corpus")
echo "   $bytes bytes, $records records"

# Reads ctfilter's stdout from a FIFO, counts lines per second, samples the
# process's VmHWM/VmRSS every second; writes a TSV timeline and prints a
# one-line JSON summary.
METER=$(cat <<'PY'
import json, os, sys, time
fifo, pid, timeline = sys.argv[1], sys.argv[2], sys.argv[3]
def mem(field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None
import threading
peak = 0.0
done = False
def sample():
    # VmHWM is a high-water mark: sampling it often catches the final value
    # before the process exits and /proc/PID goes away.
    global peak
    while not done:
        hwm = mem("VmHWM")
        if hwm:
            peak = max(peak, hwm)
        time.sleep(0.05)
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
start = time.monotonic()
lines = out_bytes = 0
last_t, last_lines = start, 0
rates = []
rows = ["t_s\tlines\tlines_per_s\tvm_rss_mib\tvm_hwm_mib"]
with open(fifo, "rb", buffering=0) as f:
    while True:
        chunk = f.read(1 << 20)
        if not chunk:
            break
        lines += chunk.count(b"\n")
        out_bytes += len(chunk)
        now = time.monotonic()
        if now - last_t >= 1.0:
            hwm, rss = mem("VmHWM"), mem("VmRSS")
            rate = (lines - last_lines) / (now - last_t)
            rates.append(rate)
            rows.append(f"{now - start:.1f}\t{lines}\t{rate:.0f}\t{rss or 0:.0f}\t{hwm or 0:.0f}")
            last_t, last_lines = now, lines
elapsed = time.monotonic() - start
done = True
sampler.join()
with open(timeline, "w") as t:
    t.write("\n".join(rows) + "\n")
steady = sorted(rates[1:-1] or rates or [0])
print(json.dumps({
    "lines": lines, "out_bytes": out_bytes, "secs": round(elapsed, 2),
    "peak_rss_mib": round(peak, 1),
    "rate_min": round(steady[0]), "rate_median": round(steady[len(steady) // 2]),
    "rate_max": round(steady[-1]), "samples": len(rates),
}))
PY
)

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# run_pass NAME ARGS...: one streaming pass; appends a row to $WORK/summary.tsv.
run_pass() {
    local name=$1; shift
    local fifo="$WORK/out.fifo" stderr="$WORK/stderr-$name.txt"
    rm -f "$fifo"; mkfifo "$fifo"
    echo "== pass $name: cat corpus | ctfilter --stats $(printf '%q ' "$@")"
    local t0=$SECONDS
    cat "$corpus" | "$BIN" --stats "$@" > "$fifo" 2> "$stderr" &
    local pid=$!
    local meter
    meter=$(python3 -c "$METER" "$fifo" "$pid" "$WORK/timeline-$name.tsv")
    local code=0
    wait "$pid" || code=$?
    rm -f "$fifo"
    [ "$code" -eq 0 ] || fail "$name: exit $code: $(grep -v ctfilter_stats "$stderr" | head -3)"
    python3 - "$name" "$stderr" "$meter" "$records" "$bytes" "$WORK/summary.tsv" <<'PY' || failures=$((failures + 1))
import json, sys
name, stderr_path, meter, records, size, summary = sys.argv[1:7]
records, size = int(records), int(size)
meter = json.loads(meter)
stats = None
for line in open(stderr_path, errors="replace"):
    if line.startswith('{"ctfilter_stats"'):
        stats = json.loads(line)["ctfilter_stats"]
ok = True
def check(cond, what):
    global ok
    if not cond:
        ok = False
        print(f"FAIL: {name}: {what}")
check(stats is not None, "no --stats line")
stats = stats or {}
g = lambda k: stats.get(k, -1)
check(g("balanced") is True, f"counters do not balance: {stats}")
check(g("read") == g("emitted") + g("filtered") + g("dead_lettered") + g("skipped"), "read != emitted + filtered + dead_lettered + skipped")
check(g("read") == records, f"read {g('read')} of {records} records")
check(g("dead_lettered") == 0, f"{g('dead_lettered')} dead letters on a clean corpus")
check(meter["lines"] == g("emitted"), f"{meter['lines']} output lines, {g('emitted')} emitted")
if name == "all":
    check(g("emitted") == records, f"--events '*' emitted {g('emitted')} of {records}")
mbs = size / 1e6 / meter["secs"]
rps = records / meter["secs"]
row = [name, f"{meter['secs']:.1f}", f"{mbs:.0f}", f"{rps:,.0f}", f"{meter['rate_median']:,}", f"{meter['rate_min']:,}", str(g("emitted")), f"{meter['peak_rss_mib']:.0f}", "ok" if ok else "FAIL"]
open(summary, "a").write("\t".join(row) + "\n")
print("   " + "  ".join(row))
sys.exit(0 if ok else 1)
PY
}

: > "$WORK/summary.tsv"
run_pass all --events '*' --threads "$THREADS"
run_pass default --threads "$THREADS"
run_pass default-1 --threads 1

echo
echo "== summary: $SIZE corpus (seed $SEED), $records records, $bytes bytes, piped with cat"
echo
echo "| pass | flags | seconds | MB/s in | records/s (whole run) | out lines/s median | out lines/s min | emitted | peak RSS MiB | check |"
echo "|---|---|---|---|---|---|---|---|---|---|"
while IFS=$'\t' read -r name secs mbs rps med min emitted rss ok; do
    case $name in
        all) flags="--events '*' --threads $THREADS" ;;
        default) flags="--threads $THREADS" ;;
        default-1) flags="--threads 1" ;;
    esac
    echo "| $name | \`$flags\` | $secs | $mbs | $rps | $med | $min | $emitted | $rss | $ok |"
done < "$WORK/summary.tsv"
echo
echo "Timelines (per second: output lines, lines/s, VmRSS, VmHWM): $WORK/timeline-*.tsv"

if [ -z "${SKIP_TESTS:-}" ]; then
    echo
    echo "== heavy hardening tests (release)"
    heavy=(
        hardening::a_100_mb_single_line_is_processed_in_every_shape
        hardening::a_records_array_of_1m_entries_is_emitted_in_order_and_memory_is_reported
        hardening::a_slow_consumer_of_50_mb_keeps_memory_bounded
        hardening::a_records_line_streams_its_output
        hardening::an_array_of_millions_of_bad_scalars_does_not_buffer_its_dead_letters
    )
    code=0
    cargo test --release --test cli -- --ignored --exact --nocapture --test-threads 1 "${heavy[@]}" \
        > "$WORK/heavy-tests.log" 2>&1 || code=$?
    grep -E "^test |RSS|MiB|test result|panicked" "$WORK/heavy-tests.log" | sed 's/^/   /' || true
    [ "$code" -eq 0 ] || fail "heavy hardening tests (see $WORK/heavy-tests.log)"
    if [ -n "${BUGS:-}" ]; then
        echo
        echo "== ignored BUG tests (expected to fail until fixed)"
        bugs=$(cargo test --release --test cli -- --ignored --list 2>/dev/null | sed -n 's/: test$//p' | grep -v -F -x -f <(printf '%s\n' "${heavy[@]}") || true)
        for t in $bugs; do
            if cargo test --release --test cli -- --ignored --exact --nocapture "$t" > "$WORK/bug-$t.log" 2>&1; then
                echo "   FIXED  $t"
            else
                echo "   open   $t ($(grep -m1 -E 'RSS|panicked' "$WORK/bug-$t.log" | cut -c1-120))"
            fi
        done
    fi
fi

echo
if [ "$failures" -eq 0 ]; then
    echo "soak: all checks passed"
else
    echo "soak: $failures check(s) failed"
    exit 1
fi
