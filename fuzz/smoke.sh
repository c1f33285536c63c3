#!/usr/bin/env bash
# Fuzz smoke for CI: build every fuzz target with libFuzzer's coverage
# instrumentation on the stable toolchain (no cargo-fuzz, no nightly flags,
# no sanitizer), replay the committed seeds and regression inputs, then run a
# fixed number of mutations with a fixed seed, so the smoke is deterministic.
#
#   fuzz/smoke.sh            # RUNS=60000 mutations per target
#   RUNS=200000 fuzz/smoke.sh
#
# A finding fails the script and leaves the input in fuzz/artifacts/TARGET/.
# For real fuzzing (AddressSanitizer, hours), see docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${RUNS:-60000}
host=$(rustc -vV | sed -n 's/^host: //p')
# The instrumentation cargo-fuzz adds, minus -Zsanitizer: all stable flags.
# --target keeps them off build scripts and proc macros.
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR=target/smoke
# opt-level 1 without debug info builds in about 3 minutes instead of 4 on 2
# cores; the panic message still names the file and line.
export CARGO_PROFILE_RELEASE_OPT_LEVEL=${OPT_LEVEL:-1} CARGO_PROFILE_RELEASE_DEBUG=0
cargo build --release --target "$host" --bins 2>&1 | tail -1
failed=()
for t in line framer compile sigma; do
    dict=dict/json.dict
    case $t in compile | sigma) dict=dict/yaml.dict ;; esac
    mkdir -p "artifacts/$t"
    work=$(mktemp -d)
    start=$SECONDS
    if "target/smoke/$host/release/$t" "$work" "corpus/$t" -runs="$RUNS" -seed=1 \
        -timeout=30 -rss_limit_mb=4096 -dict="$dict" -artifact_prefix="artifacts/$t/" \
        > "$work.log" 2>&1; then
        echo "fuzz smoke $t: ok ($(grep -c . < <(ls "corpus/$t")) seeds, $RUNS runs, $((SECONDS - start)) s)"
    else
        echo "fuzz smoke $t: FINDING ($((SECONDS - start)) s)"
        grep -E "panicked|ERROR|SUMMARY|Test unit written" "$work.log" | head -20
        failed+=("$t")
    fi
    rm -rf "$work" "$work.log"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz smoke: findings in ${failed[*]} (inputs in fuzz/artifacts/)"
    exit 1
fi
