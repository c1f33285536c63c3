#!/usr/bin/env bash
# Run one fuzz target for a while on the stable toolchain.
#
#   fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
#   fuzz/run.sh line 60
#   fuzz/run.sh all 30          # every target in turn
#
# New inputs go to fuzz/work/TARGET (ignored by git); the committed seeds in
# fuzz/corpus/TARGET are only read. Crashes land in fuzz/artifacts/TARGET.
# cargo-fuzz passes nightly-only flags (-Zsanitizer=address, ...), which the
# stable compiler accepts with RUSTC_BOOTSTRAP=1. Set SANITIZER=none to build
# without AddressSanitizer (faster, still catches panics and overflows).
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh TARGET|all [SECONDS] [libFuzzer flags...]}
seconds=${2:-60}
shift $(( $# >= 2 ? 2 : 1 ))
if ! command -v cargo-fuzz >/dev/null; then
    echo "cargo-fuzz is not installed: cargo install cargo-fuzz --locked" >&2
    exit 2
fi
export RUSTC_BOOTSTRAP=1
targets=("$target")
if [ "$target" = all ]; then
    targets=(line framer compile sigma)
fi
failed=()
for t in "${targets[@]}"; do
    dict=dict/json.dict
    [ "$t" = compile ] && dict=dict/yaml.dict
    mkdir -p "work/$t" "artifacts/$t"
    echo "== fuzz $t for ${seconds}s"
    cargo fuzz run --sanitizer "${SANITIZER:-address}" "$t" "work/$t" "corpus/$t" -- \
        -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
        -dict="$dict" -print_final_stats=1 "$@" || failed+=("$t")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: findings in: ${failed[*]} (see fuzz/artifacts/)" >&2
    exit 1
fi
