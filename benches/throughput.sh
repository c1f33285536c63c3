#!/usr/bin/env bash
# End-to-end throughput of ctfilter on a generated CloudTrail corpus, measured
# with hyperfine next to `wc -l` (a read-speed floor) and the jq, jaq and
# Python baselines in benches/baselines/ (allow-list plus enrich).
#
# Usage (from any directory):
#   benches/throughput.sh
#   SIZE=1G RUNS=10 benches/throughput.sh
#   CTFILTER=/bin/cat SIZE=16M RUNS=2 benches/throughput.sh   # dry run of the script itself
#
# What it does:
#   1. prints the machine (nproc, CPU model, kernel) and tool versions;
#   2. builds ctfilter (`cargo build --release`) unless CTFILTER is set;
#   3. builds gen_corpus and writes two corpora with the same records to
#      $BENCH_DIR: NDJSON (one record per line) and S3 Records
#      ({"Records":[...]} per line); existing files are reused when size, seed
#      and generator sources are unchanged;
#   4. runs each candidate command once on a small sample and drops (with a
#      message) those that fail, e.g. flags the engine does not accept yet;
#   5. runs one hyperfine invocation per workload, so every command of a
#      workload is measured in the same run on the same file:
#        ndjson: wc -l, ctfilter (default rules), --events '*', --threads 1,
#                --threads 2, ctfilter on the S3 Records file, jq, jaq, python
#        s3:     the same baselines on the S3 Records file
#   6. prints a Markdown table (median seconds, MB/s = 10^6 bytes per second
#      of input, ratio to wc -l) and the speedups of ctfilter over jq, jaq and
#      python and of --threads 2 over --threads 1;
#   7. records peak RSS of ctfilter with `/usr/bin/time -v` (files, and
#      `--events '*' --threads 2` on a pipe, the heaviest case);
#   8. prints issue 14's targets as one Markdown table of ratios from this
#      run: default rules (one thread) vs wc -l, jaq and Python + orjson;
#      --events '*' vs wc -l; S3 Records vs NDJSON; --threads 2 vs one
#      thread; peak RSS.
# Results (hyperfine JSON/Markdown, summary.md) go to $BENCH_DIR/results/<UTC time>/.
#
# Environment knobs:
#   SIZE=256M           corpus size (K/M/G suffixes, binary: 1G = 1073741824 bytes)
#   SEED=1              generator seed
#   RECORDS_PER_FILE=1000   records per {"Records":[...]} line in the S3 corpus
#   RUNS=5  WARMUP=1    hyperfine --runs / --warmup
#   BENCH_DIR=target/bench  corpora and results (relative to the repo root)
#   WORKLOADS="ndjson s3"   hyperfine invocations to run
#   CTFILTER=PATH       binary to benchmark; setting it skips `cargo build --release`
#   GEN_BUILD=cargo|rustc   how to build gen_corpus (default: cargo when ctfilter
#                       was built here, else rustc directly: it is std-only)
#   JQ=jq JAQ=jaq PYTHON=python3   tool commands; set one to "" to skip it
#   PY_ALLOW_JSON=1     run filter.py even without orjson (slow json fallback)
#   SKIP_RSS=1          skip the peak-RSS measurements
#   HYPERFINE_STYLE=basic   hyperfine --style (basic keeps logs readable)
#
# Requires: bash, hyperfine (apt-get install -y hyperfine), python3 (report),
# cargo/rustc. Optional: jq (apt-get install -y jq), jaq and python3 +
# orjson, /usr/bin/time (apt-get install -y time). `benches/tools.sh`
# installs jaq (cargo install jaq --locked) and orjson (a venv, from
# benches/requirements.txt) under $BENCH_DIR/tools, where this script finds
# them when JAQ and PYTHON are not set. Nothing is installed by this script.
# Too slow for CI: run it by hand.
# The corpus is read from the page cache after the warmup run, so the numbers
# are CPU throughput, not disk throughput.

set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(git -C "$script_dir" rev-parse --show-toplevel 2>/dev/null || (cd "$script_dir/.." && pwd))
cd "$root"

SIZE=${SIZE:-256M}
SEED=${SEED:-1}
RECORDS_PER_FILE=${RECORDS_PER_FILE:-1000}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
BENCH_DIR=${BENCH_DIR:-target/bench}
WORKLOADS=${WORKLOADS:-ndjson s3}
HYPERFINE_STYLE=${HYPERFINE_STYLE:-basic}
jaq_set=${JAQ+x} python_set=${PYTHON+x}
JQ=${JQ-jq}
JAQ=${JAQ-jaq}
PYTHON=${PYTHON-python3}
TARGET_DIR=${CARGO_TARGET_DIR:-target}

say() { printf '%s\n' "$*"; }
warn() { printf 'throughput.sh: %s\n' "$*" >&2; }
die() { warn "$*"; exit 1; }
have() { [ -n "$1" ] && command -v "$1" >/dev/null 2>&1; }

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
# Comparators installed by benches/tools.sh.
if [ -z "$jaq_set" ] && [ -x "$BENCH_DIR/tools/bin/jaq" ]; then JAQ="$BENCH_DIR/tools/bin/jaq"; fi
if [ -z "$python_set" ] && [ -x "$BENCH_DIR/tools/venv/bin/python3" ]; then PYTHON="$BENCH_DIR/tools/venv/bin/python3"; fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$BENCH_DIR/results/$stamp"
mkdir -p "$out"
summary="$out/summary.md"

main() {
# ---------------------------------------------------------------------------
# 1. Machine and tools

say "# ctfilter throughput ($stamp)"
say
say "## Machine"
say
say "- CPUs (nproc): $(nproc 2>/dev/null || echo '?')"
model=$( (lscpu 2>/dev/null || true) | grep -m1 'Model name' | sed 's/^Model name:[[:space:]]*//' || true)
say "- CPU: ${model:-unknown}"
say "- kernel: $(uname -srm)"
say "- memory: $( (free -g 2>/dev/null || true) | awk '/^Mem:/ {print $2 " GiB"}')"
say "- repo: $root ($(git rev-parse --short HEAD 2>/dev/null || echo 'no git'))"
say

if ! have hyperfine; then
    die "hyperfine is required: apt-get install -y hyperfine"
fi
have python3 || warn "python3 not found: the summary table will fall back to hyperfine's Markdown"

tools=("hyperfine: $(hyperfine --version | head -n1)")
use_jq=0 use_jaq=0 use_py=0
missing() { # var-name value hint
    if [ -z "$2" ]; then say "- skipping $1: disabled ($1 is empty)"; else say "- skipping $1: '$2' not found ($3)"; fi
}
if have "$JQ"; then use_jq=1; tools+=("jq: $("$JQ" --version 2>&1 | head -n1)"); else missing JQ "$JQ" "apt-get install -y jq"; fi
if have "$JAQ"; then use_jaq=1; tools+=("jaq: $("$JAQ" --version 2>&1 | head -n1)"); else missing JAQ "$JAQ" "benches/tools.sh, or cargo install --locked jaq"; fi
if have "$PYTHON"; then
    if orjson_v=$("$PYTHON" -c 'import orjson; print(orjson.__version__)' 2>/dev/null); then
        use_py=1; tools+=("python: $("$PYTHON" --version 2>&1) + orjson $orjson_v")
    elif [ "${PY_ALLOW_JSON:-0}" = 1 ]; then
        use_py=1; tools+=("python: $("$PYTHON" --version 2>&1) with the json module (no orjson)")
    else
        say "- skipping python baseline: orjson not importable by $PYTHON (benches/tools.sh, or pip install orjson; PY_ALLOW_JSON=1 for the slow json fallback)"
    fi
else
    missing PYTHON "$PYTHON" "apt-get install -y python3"
fi
have_time=0
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then have_time=1; fi

# ---------------------------------------------------------------------------
# 2. Build ctfilter

built_here=0
if [ -n "${CTFILTER:-}" ]; then
    CTF=$CTFILTER
    say "- ctfilter: using CTFILTER=$CTF (no cargo build)"
else
    say "- building ctfilter: cargo build --release"
    cargo build --release >"$out/cargo-build.log" 2>&1 || { tail -n 30 "$out/cargo-build.log" >&2; die "cargo build --release failed (log: $out/cargo-build.log)"; }
    CTF="$TARGET_DIR/release/ctfilter"
    built_here=1
fi
if ! have "$CTF" && [ ! -x "$CTF" ]; then die "ctfilter binary not found or not executable: $CTF"; fi
for t in "${tools[@]}"; do say "- $t"; done
say

# ---------------------------------------------------------------------------
# 3. Corpora

gen_src=(benches/corpus.rs benches/corpus/* examples/gen_corpus.rs)
gen_hash=$(cat "${gen_src[@]}" | sha256sum | cut -c1-16)
ndjson="$BENCH_DIR/ct-ndjson-${SIZE}-seed${SEED}.json"
s3file="$BENCH_DIR/ct-s3-${SIZE}-seed${SEED}-r${RECORDS_PER_FILE}.json"
GEN=""

build_gen() {
    [ -n "$GEN" ] && return 0
    local how=${GEN_BUILD:-}
    if [ -z "$how" ]; then
        if [ "$built_here" = 1 ]; then how=cargo; else how=rustc; fi
    fi
    if [ "$how" = cargo ]; then
        say "- building gen_corpus: cargo build --release --example gen_corpus"
        if cargo build --release --example gen_corpus >"$out/gen-build.log" 2>&1; then
            GEN="$TARGET_DIR/release/examples/gen_corpus"
            return 0
        fi
        warn "cargo build of gen_corpus failed (log: $out/gen-build.log); compiling it directly with rustc"
    fi
    say "- building gen_corpus: rustc -C opt-level=3 examples/gen_corpus.rs (std only)"
    rustc --edition 2021 -C opt-level=3 -C debuginfo=0 examples/gen_corpus.rs -o "$BENCH_DIR/gen_corpus" \
        >"$out/gen-build.log" 2>&1 || { cat "$out/gen-build.log" >&2; die "could not build gen_corpus"; }
    GEN="$BENCH_DIR/gen_corpus"
}

make_corpus() { # file shape [extra args...]
    local file=$1 shape=$2
    shift 2
    local want="size=$SIZE seed=$SEED shape=$shape $* gen=$gen_hash"
    if [ -s "$file" ] && [ -f "$file.stamp" ] && [ "$(cat "$file.stamp")" = "$want" ]; then
        say "- reusing $file ($(stat -c %s "$file") bytes)"
        return 0
    fi
    build_gen
    say "- generating $file ($shape, $SIZE, seed $SEED)"
    rm -f "$file.stamp"
    "$GEN" --bytes "$SIZE" --seed "$SEED" --shape "$shape" "$@" -o "$file.tmp" --stats 2>"$file.stats"
    sed 's/^/    /' "$file.stats" | head -n 8
    mv "$file.tmp" "$file"
    printf '%s' "$want" >"$file.stamp"
}

say "## Corpus"
say
make_corpus "$ndjson" ndjson
make_corpus "$s3file" s3 --records-per-file "$RECORDS_PER_FILE"
nd_bytes=$(stat -c %s "$ndjson")
s3_bytes=$(stat -c %s "$s3file")
say

# Small samples for the preflight run (the S3 sample keeps whole lines).
sample_nd="$out/sample.ndjson"
sample_s3="$out/sample-s3.json"
head -n 2000 "$ndjson" >"$sample_nd"
head -n 2 "$s3file" >"$sample_s3"

# ---------------------------------------------------------------------------
# 4. Candidate commands. Each entry: name | input kind (nd|s3) | template, where
# {} stands for the input file.

jqf=benches/baselines/filter.jq
pyf=benches/baselines/filter.py
q() { printf '%q' "$1"; }
CTFq=$(q "$CTF")

cands_ndjson=(
    "wc -l|nd|wc -l {}"
    "ctfilter|nd|$CTFq {} > /dev/null"
    "ctfilter --events '*'|nd|$CTFq --events '*' {} > /dev/null"
    "ctfilter --threads 1|nd|$CTFq --threads 1 {} > /dev/null"
    "ctfilter --threads 2|nd|$CTFq --threads 2 {} > /dev/null"
    "ctfilter (S3 Records file)|s3|$CTFq {} > /dev/null"
)
cands_s3=(
    "wc -l (S3 Records file)|s3|wc -l {}"
    "ctfilter (S3 Records file)|s3|$CTFq {} > /dev/null"
    "ctfilter --threads 2 (S3 Records file)|s3|$CTFq --threads 2 {} > /dev/null"
)
add_baselines() { # array-name kind suffix
    local -n arr=$1
    local kind=$2 sfx=$3
    [ "$use_jq" = 1 ] && arr+=("jq$sfx|$kind|$(q "$JQ") -nc -f $jqf {} > /dev/null")
    [ "$use_jaq" = 1 ] && arr+=("jaq$sfx|$kind|$(q "$JAQ") -nc -f $jqf {} > /dev/null")
    [ "$use_py" = 1 ] && arr+=("python+orjson$sfx|$kind|$(q "$PYTHON") $pyf < {} > /dev/null")
    return 0
}
add_baselines cands_ndjson nd ""
add_baselines cands_s3 s3 " (S3 Records file)"

subst() { # template file
    local t=$1 f
    f=$(q "$2")
    printf '%s' "${t//\{\}/$f}"
}

say "## Preflight (each command once on a sample)"
say
declare -A ok_cmd=()
preflight() { # entry
    local name kind tmpl file cmd
    IFS='|' read -r name kind tmpl <<<"$1"
    [ -n "${ok_cmd[$name]+x}" ] && return 0
    if [ "$kind" = s3 ]; then file=$sample_s3; else file=$sample_nd; fi
    cmd=$(subst "$tmpl" "$file")
    if bash -c "$cmd" >/dev/null 2>"$out/preflight.err"; then
        ok_cmd[$name]=1
    else
        ok_cmd[$name]=0
        say "- dropping \`$name\`: failed on the sample ($(head -c 200 "$out/preflight.err" | tr '\n' ' '))"
    fi
}
for e in "${cands_ndjson[@]}" "${cands_s3[@]}"; do preflight "$e"; done

# Do the baselines agree with each other on the sample? (kept-record counts)
count_kept() { bash -c "$(subst "${1% > /dev/null}" "$2")" 2>/dev/null | wc -l; }
agree=""
for e in "${cands_ndjson[@]}"; do
    IFS='|' read -r name kind tmpl <<<"$e"
    case $name in jq | jaq | python+orjson | ctfilter)
        [ "${ok_cmd[$name]}" = 1 ] && agree+="${agree:+, }$name=$(count_kept "$tmpl" "$sample_nd")" ;;
    esac
done
say "- output lines on the 2000-record sample: ${agree:-none} (baselines should agree; ctfilter's default rules may differ)"
say

# ---------------------------------------------------------------------------
# 5. hyperfine, one invocation per workload

run_workload() { # workload-name array-name
    local wl=$1
    local -n cands=$2
    local args=() sizes="$out/$wl.sizes" name kind tmpl file n=0
    : >"$sizes"
    for e in "${cands[@]}"; do
        IFS='|' read -r name kind tmpl <<<"$e"
        [ "${ok_cmd[$name]}" = 1 ] || continue
        if [ "$kind" = s3 ]; then file=$s3file; else file=$ndjson; fi
        args+=(-n "$name" "$(subst "$tmpl" "$file")")
        printf '%s\t%s\n' "$name" "$(stat -c %s "$file")" >>"$sizes"
        n=$((n + 1))
    done
    if [ "$n" = 0 ]; then
        say "- workload $wl: no runnable commands, skipped"
        return 0
    fi
    say "### hyperfine: $wl ($n commands, $RUNS runs + $WARMUP warmup)"
    say
    say '```'
    hyperfine --style "$HYPERFINE_STYLE" --warmup "$WARMUP" --runs "$RUNS" \
        --export-json "$out/$wl.json" --export-markdown "$out/$wl.hyperfine.md" "${args[@]}" 2>&1 |
        tee "$out/$wl.hyperfine.log" || { say '```'; die "hyperfine failed for workload $wl"; }
    say '```'
    say
    report "$wl"
}

report() { # workload-name
    local wl=$1
    if ! have python3; then
        cat "$out/$wl.hyperfine.md"
        return 0
    fi
    python3 - "$out/$wl.json" "$out/$wl.sizes" <<'PY'
import json, statistics, sys

res = json.load(open(sys.argv[1]))["results"]
sizes = dict(line.rstrip("\n").split("\t") for line in open(sys.argv[2]) if line.strip())
med = {}
for r in res:
    m = r.get("median")
    if m is None:
        m = statistics.median(r["times"])
    med[r["command"]] = m

wc = next((c for c in med if c.startswith("wc -l")), None)
print("| command | median s | min s | max s | MB/s | time / wc -l |")
print("|---|---:|---:|---:|---:|---:|")
for r in res:
    c = r["command"]
    m = med[c]
    mbs = int(sizes[c]) / 1e6 / m if m > 0 else float("inf")
    ratio = f"{m / med[wc]:.2f}x" if wc and med[wc] > 0 else "-"
    print(f"| `{c}` | {m:.3f} | {r['min']:.3f} | {r['max']:.3f} | {mbs:,.0f} | {ratio} |")
print()

def speedup(slow, fast, text):
    if slow in med and fast in med and med[fast] > 0:
        print(f"- {text}: **{med[slow] / med[fast]:.2f}x** ({med[slow]:.3f} s / {med[fast]:.3f} s)")

sfx = " (S3 Records file)" if all("S3 Records" in c for c in med) else ""
ctf = "ctfilter" + sfx
for tool in ("jq", "jaq", "python+orjson"):
    speedup(tool + sfx, ctf, f"`{ctf}` vs `{tool + sfx}` (speedup)")
speedup("ctfilter --threads 1", "ctfilter --threads 2", "`--threads 2` vs `--threads 1` (speedup)")
speedup(ctf, "ctfilter --threads 2" + sfx, "`--threads 2` vs default threads (speedup)")
speedup("ctfilter", "ctfilter --events '*'", "`--events '*'` vs default rules (speedup, <1 means slower)")
if not sfx:
    speedup("ctfilter (S3 Records file)", "ctfilter", "NDJSON vs S3 Records input, same records (speedup, <1 means NDJSON slower)")
print()
PY
}

say "## Throughput"
say
say "Inputs: NDJSON $ndjson ($nd_bytes bytes), S3 Records $s3file ($s3_bytes bytes)."
say
for wl in $WORKLOADS; do
    case $wl in
        ndjson) run_workload ndjson cands_ndjson ;;
        s3) run_workload s3 cands_s3 ;;
        *) warn "unknown workload '$wl' (ndjson, s3)" ;;
    esac
done

# ---------------------------------------------------------------------------
# 6. Peak RSS

say "## Peak RSS (/usr/bin/time -v, one run each)"
say
if [ "${SKIP_RSS:-0}" = 1 ]; then
    say "- skipped (SKIP_RSS=1)"
elif [ "$have_time" = 0 ]; then
    say "- skipped: /usr/bin/time not found (apt-get install -y time)"
else
    say "| command | input | peak RSS MiB | wall s |"
    say "|---|---|---:|---:|"
    local e name kind tmpl file log kb wall cmd
    local rss_cands=("${cands_ndjson[@]}")
    # The heaviest case: everything kept, two workers, uneven chunks from a pipe.
    rss_cands+=("ctfilter --events '*' --threads 2 (piped)|pipe|cat {} | $CTFq --events '*' --threads 2")
    for e in "${rss_cands[@]}"; do
        IFS='|' read -r name kind tmpl <<<"$e"
        case $name in ctfilter*) ;; *) continue ;; esac
        [ "${ok_cmd[$name]:-1}" = 1 ] || continue
        if [ "$kind" = s3 ]; then file=$s3file; else file=$ndjson; fi
        cmd=$(subst "${tmpl% > /dev/null}" "$file")
        [ "$kind" = pipe ] || cmd="exec $cmd"
        log="$out/rss-$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '_').txt"
        # With a pipe, bash waits for both sides; the largest child is ctfilter.
        if /usr/bin/time -v bash -c "$cmd" >/dev/null 2>"$log"; then
            kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
            wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
            say "| \`$name\` | $(basename "$file") | $(awk -v k="$kb" 'BEGIN {printf "%.1f", k / 1024}') | $wall |"
            printf '%s\t%s\n' "$name" "$kb" >>"$out/rss.tsv"
        else
            say "| \`$name\` | $(basename "$file") | failed (see $log) | |"
        fi
    done
fi
say
targets
say "Results: $out (summary.md, <workload>.json, <workload>.hyperfine.md)"
}

# ---------------------------------------------------------------------------
# 7. Issue 14's targets, as ratios within this run

targets() {
    say "## Against the targets (issue 14), ratios within this run"
    say
    if ! have python3; then
        say "- skipped: python3 not found"
        return 0
    fi
    python3 - "$out" <<'PY'
import json, os, statistics, sys

out = sys.argv[1]

def load(wl):
    path = os.path.join(out, wl + ".json")
    if not os.path.exists(path):
        return {}, {}
    res = json.load(open(path))["results"]
    sizes = dict(l.rstrip("\n").split("\t") for l in open(os.path.join(out, wl + ".sizes")) if l.strip())
    med = {r["command"]: r.get("median") or statistics.median(r["times"]) for r in res}
    return med, {c: int(sizes[c]) for c in med}

med, size = load("ndjson")

def mbs(c):
    return size[c] / 1e6 / med[c] if c in med and med[c] > 0 else None

def ratio(a, b):
    """Throughput of a over throughput of b (per byte of input)."""
    ta, tb = mbs(a), mbs(b)
    return ta / tb if ta and tb else None

one = "ctfilter --threads 1"
rows = [
    ("default rules, one thread vs `wc -l`", ratio(one, "wc -l"), 0.2, "x", "(aim 0.3x)"),
    ("default rules vs jaq", ratio(one, "jaq"), 20, "x", ""),
    ("default rules vs Python + orjson", ratio(one, "python+orjson"), 5, "x", ""),
    ("`--events '*'` vs `wc -l`", ratio("ctfilter --events '*'", "wc -l"), 0.08, "x", ""),
    ("S3 Records file vs NDJSON (same records)", ratio("ctfilter (S3 Records file)", "ctfilter"), 0.8, "x", "(within 20%)"),
    ("`--threads 2` vs one thread", ratio("ctfilter --threads 2", one), 1.7, "x", ""),
]
print("| workload | measured | target | status |")
print("|---|---:|---:|---|")
for name, value, target, unit, note in rows:
    if value is None:
        print(f"| {name} | not measured | >= {target}{unit} {note} | - |")
        continue
    status = "met" if value >= target else "**not met**"
    # Enough digits that a value just under its target does not print as it.
    shown = f"{value:.3f}" if value < 10 else f"{value:.1f}"
    print(f"| {name} | {shown}{unit} | >= {target}{unit} {note} | {status} |")
rss_path = os.path.join(out, "rss.tsv")
if os.path.exists(rss_path):
    rss = [(l.split("\t")[0], int(l.split("\t")[1]) / 1024) for l in open(rss_path) if l.strip()]
    name, peak = max(rss, key=lambda r: r[1])
    status = "met" if peak <= 32 else "**not met**"
    print(f"| peak RSS (largest: `{name}`) | {peak:.1f} MiB | <= 32 MiB | {status} |")
else:
    print("| peak RSS | not measured | <= 32 MiB | - |")
print("| a warmed-up record allocates nothing | `cargo test --test alloc` | 0 allocations | run separately |")
print()
print("Ratios are of throughput (bytes of input per second, medians), so the S3 row")
print("compares files of the same records in two shapes despite their sizes.")
print()
PY
}

main 2>&1 | tee "$summary"
