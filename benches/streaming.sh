#!/usr/bin/env bash
# Full-size streaming check for one-line CloudTrail log files (issue: bounded
# memory for files of any size). Generates a single-line {"Records":[...]}
# file of SIZE (default 1G) in three forms -- plain, gzip, and wrapped as a
# JSON string under "message" the way Vector's aws_s3 source hands it over --
# streams each through ctfilter via a pipe, and checks that every record is
# emitted, nothing is dead-lettered, the counters balance and peak RSS stays
# at or under LIMIT_MIB (default 64). The cargo test suite runs the same
# checks at 48 MiB (tests/cli/streaming.rs).
#
# Usage: benches/streaming.sh            SIZE=2G LIMIT_MIB=64 benches/streaming.sh
set -euo pipefail
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"
SIZE=${SIZE:-1G}
LIMIT_MIB=${LIMIT_MIB:-64}
DIR=${BENCH_DIR:-target/bench}
mkdir -p "$DIR"
cargo build --release -q
cargo build --release -q --example gen_corpus
gen=target/release/examples/gen_corpus
bin=target/release/ctfilter
plain="$DIR/one-line-$SIZE.json"
wrapped="$DIR/one-line-$SIZE.wrapped.json"
[ -s "$plain" ] || "$gen" --bytes "$SIZE" --seed 5 --shape s3 --records-per-file 1000000000 -o "$plain"
[ -s "$wrapped" ] || "$gen" --bytes "$SIZE" --seed 5 --shape wrapped --records-per-file 1000000000 --field message -o "$wrapped"
[ -s "$plain.gz" ] || gzip -1 -c "$plain" > "$plain.gz"

status=0
run() {
    local name=$1; shift
    local start end err
    err=$(mktemp)
    start=$(date +%s.%N)
    "$@" --events '*' --stats > /dev/null 2> "$err"
    end=$(date +%s.%N)
    python3 - "$name" "$err" "$start" "$end" "$LIMIT_MIB" <<'PY' || status=1
import json, sys
name, path, start, end, limit = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
line = next(l for l in open(path) if l.startswith('{"ctfilter_stats"'))
doc = json.loads(line)
s, rss = doc["ctfilter_stats"], doc["process"]["peak_rss_kib"]
ok = s["bad"] == 0 and s["balanced"] and s["emitted"] == s["read"] and rss <= limit * 1024
print(f"| {name} | {s['emitted']:,} | {s['bad']} | {rss / 1024:.1f} | {end - start:.2f} | {'ok' if ok else 'FAIL'} |")
sys.exit(0 if ok else 1)
PY
    rm -f "$err"
}
echo "| form ($SIZE, one line) | records emitted | dead letters | peak RSS MiB | wall s | check |"
echo "|---|---:|---:|---:|---:|---|"
run "plain, piped" sh -c "cat '$plain' | '$bin' \"\$@\"" _
run "gzip file" "$bin" "$plain.gz"
run "Vector-wrapped under message, piped" sh -c "cat '$wrapped' | '$bin' \"\$@\"" _
exit $status
