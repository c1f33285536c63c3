#!/usr/bin/env bash
# Installs the comparators that benches/throughput.sh measures ctfilter
# against, inside the repository (nothing system-wide):
#   jaq     cargo install jaq --locked --root target/bench/tools
#   orjson  python3 -m venv target/bench/tools/venv + pip install -r benches/requirements.txt
# throughput.sh finds both there on its own. jq and hyperfine come from the
# system (apt-get install -y jq hyperfine time).
#
# Usage: benches/tools.sh            (BENCH_DIR=target/bench by default)
set -euo pipefail
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
cd "$root"
BENCH_DIR=${BENCH_DIR:-target/bench}
tools="$BENCH_DIR/tools"
mkdir -p "$tools"

if [ -x "$tools/bin/jaq" ]; then
    echo "jaq: $("$tools/bin/jaq" --version) (already in $tools/bin)"
else
    echo "jaq: cargo install jaq --locked --root $tools"
    cargo install jaq --locked --root "$tools"
fi

venv="$tools/venv"
if [ ! -x "$venv/bin/python3" ]; then
    echo "python: creating $venv"
    python3 -m venv "$venv"
fi
"$venv/bin/python3" -m pip install --quiet -r benches/requirements.txt
echo "orjson: $("$venv/bin/python3" -c 'import orjson; print(orjson.__version__)') in $venv"
