#!/usr/bin/env bash
# Exercise every recipe in docs/integrations/ with the ctfilter command line
# the recipe uses, taken from the doc itself, so a doc cannot drift from what
# was tested.
#
# Hosts that CI cannot install (Vector, Fluent Bit, Fluentd, Logstash: none is
# in Debian's archive) are replaced by stand-ins (tests/recipes/standins.py)
# that write exactly what the host writes to ctfilter and read ctfilter's
# output the way the host reads it. rsyslog and syslog-ng run for real in
# tests/rsyslog.rs and tests/syslog_ng.rs; here their docs are only checked
# against those tests. The shell recipes run for
# real, with a stand-in `aws`.
#
# Usage: tests/recipes.sh            (CTFILTER=path/to/ctfilter to choose the binary)
# Run by `cargo test` through tests/recipes.rs. Needs bash and python3; socat
# for the Vector exec-source recipe (skipped with a message without it).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
docs=$root/docs/integrations
fixtures=$root/fixtures
standins=$root/tests/recipes/standins.py
CTFILTER=${CTFILTER:-$root/target/debug/ctfilter}
[ -x "$CTFILTER" ] || { echo "recipes: no ctfilter binary at $CTFILTER (cargo build first)"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ctfilter-recipes.XXXXXX")
cleanup() {
    # Stop only what this script started (pids recorded in $tmp/pids).
    if [ -f "$tmp/pids" ]; then
        while read -r pid; do kill "$pid" 2>/dev/null || true; done <"$tmp/pids"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# Recipes call `ctfilter` (and `aws`) by name.
mkdir -p "$tmp/bin"
ln -s "$CTFILTER" "$tmp/bin/ctfilter"
export PATH="$tmp/bin:$PATH"

passed=0
failed=0
skipped=0
ok() { echo "ok      $1"; passed=$((passed + 1)); }
bad() { echo "FAILED  $1: $2"; failed=$((failed + 1)); }
skip() { echo "skipped $1: $2"; skipped=$((skipped + 1)); }

# run NAME COMMAND...: run a check, count it, show its output on failure.
run() {
    local name=$1
    shift
    local log="$tmp/log.$passed.$failed.$skipped" start=$SECONDS
    if "$@" >"$log" 2>&1; then
        ok "$name ($((SECONDS - start)) s)"
    else
        bad "$name" "exit $?"
        sed 's/^/        /' "$log"
    fi
}

# doc_line DOC NEEDLE: the first line of docs/integrations/DOC holding NEEDLE.
doc_line() {
    local line
    line=$(grep -m1 -F -- "$2" "$docs/$1") || {
        echo "docs/integrations/$1 has no line with: $2" >&2
        return 1
    }
    printf '%s\n' "$line"
}

# Paths in the recipes, moved into the temporary directory.
relocate() {
    sed -e "s#/var/lib/ctfilter#$tmp/state#g" \
        -e "s#/run/ctfilter#$tmp/run#g" \
        -e "s#/usr/local/bin/ctfilter#ctfilter#g"
}
mkdir -p "$tmp/state" "$tmp/run"

# check FILE PRESENT ABSENT: FILE holds enriched records (NDJSON, or a JSON
# list) with every requestID in PRESENT (id:severity, comma separated) and
# none in ABSENT; every record has the ctfilter key.
check() {
    python3 - "$@" <<'EOF'
import json, sys
path, present, absent = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path, encoding="utf-8").read()
try:
    records = json.loads(text)
    if isinstance(records, dict):  # a stand-in's report, or one NDJSON record
        records = records["records"] if "before_eof" in records else [records]
except ValueError:
    records = [json.loads(l) for l in text.splitlines() if l.strip()]
by_id = {}
for r in records:
    assert isinstance(r, dict) and "ctfilter" in r, f"not an enriched record: {str(r)[:200]}"
    by_id[r.get("requestID")] = r
for item in filter(None, present.split(",")):
    rid, _, severity = item.partition(":")
    assert rid in by_id, f"{rid} missing; got {sorted(map(str, by_id))}"
    if severity:
        got = by_id[rid]["ctfilter"]["severity"]
        assert got == severity, f"{rid}: severity {got}, expected {severity}"
for rid in filter(None, absent.split(",")):
    assert rid not in by_id, f"{rid} should have been dropped"
print(f"{len(records)} records ok")
EOF
}

# no_ctfilter_left NEEDLE: no process of ours still has NEEDLE in its command line.
no_ctfilter_left() {
    local deadline=$((SECONDS + 10))
    while grep -lsF -- "$1" /proc/[0-9]*/cmdline >/dev/null 2>&1; do
        if [ $SECONDS -ge $deadline ]; then
            echo "processes still running with $1 in their command line"
            return 1
        fi
        sleep 0.1
    done
}

# ------------------------------------------------------------------ inputs
# CloudTrail-style log files: one {"Records":[...]} object each, gzipped.
# StopLogging (req-0001) is kept as critical by any sane default pack;
# DescribeInstances (req-0007) and an AWS-service AssumeRole (req-0008) are
# noise the defaults drop.
record() { grep -F "\"requestID\":\"$1\"" "$fixtures/records.ndjson"; }
records_file() { # records_file ID... -> {"Records":[...]} on one line, no newline
    local sep="" out='{"Records":['
    for id in "$@"; do out+="$sep$(record "$id")"; sep=","; done
    printf '%s]}' "$out"
}
trail=$tmp/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/15
mkdir -p "$trail" "$tmp/nl"
records_file req-0001 req-0007 | gzip -n >"$trail/111122223333_CloudTrail_us-east-1_20260115T1000Z_a.json.gz"
records_file req-0003 req-0008 | gzip -n >"$trail/111122223333_CloudTrail_us-east-1_20260115T1005Z_b.json.gz"
# The same files ending with a newline.
(records_file req-0001 req-0007; echo) | gzip -n >"$tmp/nl/a.json.gz"
(records_file req-0003 req-0008; echo) | gzip -n >"$tmp/nl/b.json.gz"
grep -vF '"requestID":"req-0002"' "$fixtures/records.ndjson" >"$tmp/records.ndjson"

# ------------------------------------------------------------------- shell
shell_files() {
    cd "$tmp"
    ctfilter AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/15/*.json.gz >"$tmp/out.shell1"
    check "$tmp/out.shell1" req-0001:critical,req-0003 req-0007,req-0008
}
doc_line shell.md 'ctfilter AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/15/*.json.gz' >/dev/null &&
    run "shell: ctfilter FILES (files without a final newline)" shell_files

shell_find_ctfilter() {
    local line
    line=$(doc_line shell.md "-exec ctfilter --threads 2 {} +")
    (cd "$tmp" && eval "$line") >"$tmp/out.shell2"
    check "$tmp/out.shell2" req-0001:critical,req-0003 req-0007,req-0008
}
run "shell: find -exec ctfilter --threads 2 {} +" shell_find_ctfilter

shell_zcat() {
    local line
    line=$(doc_line shell.md 'zcat *.json.gz | ctfilter')
    (cd "$tmp/nl" && eval "$line") >"$tmp/out.shell3"
    check "$tmp/out.shell3" req-0001:critical,req-0003 req-0007,req-0008
}
run "shell: zcat *.json.gz | ctfilter (files ending with a newline)" shell_zcat

shell_find_zcat() {
    local line
    line=$(doc_line shell.md "-exec zcat {} + | ctfilter --threads 2")
    mkdir -p "$tmp/nltree/AWSLogs/x"
    cp "$tmp/nl/"*.json.gz "$tmp/nltree/AWSLogs/x/"
    (cd "$tmp/nltree" && eval "$line") >"$tmp/out.shell4"
    check "$tmp/out.shell4" req-0001:critical,req-0003 req-0007,req-0008
}
run "shell: find -exec zcat {} + | ctfilter --threads 2" shell_find_zcat

# What the doc says about zcat over files without a final newline (CloudTrail's
# own files end without one): every file's records are read, nothing is
# dead-lettered.
shell_zcat_no_newline() {
    (cd "$trail" && zcat ./*.json.gz | ctfilter --dead-letter "$tmp/dead.zcat" --stats) \
        >"$tmp/out.shell5" 2>"$tmp/err.shell5"
    check "$tmp/out.shell5" req-0001:critical,req-0003 req-0007,req-0008
    [ ! -s "$tmp/dead.zcat" ]
}
run "shell: zcat over files without a final newline reads every file" shell_zcat_no_newline

# A stand-in `aws`: `s3 cp URL -` prints the object's bytes (gzip); `cloudtrail
# lookup-events` prints a pretty-printed LookupEvents response.
cat >"$tmp/bin/aws" <<EOF
#!/bin/sh
case "\$1 \$2" in
"s3 cp") [ "\$4" = "-" ] || { echo "stand-in aws: only 'cp URL -'" >&2; exit 2; }
         exec cat "$trail/111122223333_CloudTrail_us-east-1_20260115T1000Z_a.json.gz" ;;
"cloudtrail lookup-events") exec cat "$fixtures/lookup-events.json" ;;
*) echo "stand-in aws: unsupported: \$*" >&2; exit 2 ;;
esac
EOF
chmod +x "$tmp/bin/aws"

shell_s3_cp() {
    local line
    line=$(doc_line shell.md 'aws s3 cp s3://')
    eval "$line" >"$tmp/out.shell6"
    check "$tmp/out.shell6" req-0001:critical req-0007
}
run "shell: aws s3 cp s3://... - | ctfilter (stand-in aws)" shell_s3_cp

shell_lookup() {
    local line
    line=$(doc_line shell.md "aws cloudtrail lookup-events --max-results 50 | ctfilter --events '*'")
    eval "$line" >"$tmp/out.shell7"
    check "$tmp/out.shell7" req-0001:critical,req-0005,req-0012 ""
    [ "$(wc -l <"$tmp/out.shell7")" -eq 3 ]
}
run "shell: aws cloudtrail lookup-events | ctfilter --events '*' (stand-in aws)" shell_lookup

# ------------------------------------------------------------------ Vector
vector_pipe() {
    local line
    line=$(doc_line vector.md 'vector --config collect.toml | ctfilter')
    line=$(printf '%s' "$line" | relocate |
        sed -e "s#vector --config collect.toml#python3 $standins vector-console $tmp/seen.v1 $tmp/s3-a.json $tmp/s3-b.json#" \
            -e "s#vector --config ship.toml#python3 $standins consume req-0001,req-0003 $tmp/seen.v1 $tmp/out.v1#")
    records_file req-0001 req-0007 >"$tmp/s3-a.json"
    records_file req-0003 req-0008 >"$tmp/s3-b.json"
    echo "+ $line"
    eval "$line"
    check "$tmp/out.v1" req-0001:critical,req-0003 req-0007,req-0008
}
run "vector: console sink (aws_s3 message) | ctfilter | stdin source" vector_pipe

vector_exec_source() {
    local toml
    toml=$(doc_line vector.md 'command = ["socat"')
    # The exec source runs this argv with stdin from /dev/null; we do the same.
    python3 - "$toml" "$tmp/argv" <<'EOF'
import json, sys
value = sys.argv[1].split("=", 1)[1].strip()
argv = json.loads(value)  # a TOML array of basic strings is JSON here
open(sys.argv[2], "w").write("\0".join(argv))
EOF
    local -a argv
    mapfile -d '' argv < <(relocate <"$tmp/argv")
    echo "+ ${argv[*]}"
    "${argv[@]}" </dev/null >"$tmp/out.v2" 2>"$tmp/err.v2" &
    local socat=$!
    echo "$socat" >>"$tmp/pids"
    python3 "$standins" vector-socket-sink "$tmp/run/in.sock" "$tmp/records.ndjson" \
        "$tmp/out.v2" req-0001,req-0003
    kill -TERM "$socat" # Vector's shutdown of the exec source
    wait "$socat" || true
    no_ctfilter_left "$tmp/state/dead.ndjson"
    check "$tmp/out.v2" req-0001:critical,req-0003 req-0007,req-0008
}
if command -v socat >/dev/null 2>&1; then
    run "vector: socket sink -> exec source (socat + ctfilter, real socat)" vector_exec_source
else
    skip "vector: socket sink -> exec source" "socat not installed"
fi

# -------------------------------------------------------------- Fluent Bit
fluent_bit_pipe() {
    local line
    line=$(doc_line fluent-bit.md 'fluent-bit -q -c collect.conf | ctfilter')
    line=$(printf '%s' "$line" | relocate |
        sed -e "s#fluent-bit -q -c collect.conf#python3 $standins fluent-bit-stdout $tmp/seen.fb $tmp/records.ndjson#" \
            -e "s#fluent-bit -q -c ship.conf#python3 $standins consume req-0001,req-0003 $tmp/seen.fb $tmp/out.fb#")
    echo "+ $line"
    eval "$line"
    check "$tmp/out.fb" req-0001:critical,req-0003,req-0004 req-0007,req-0008
}
run "fluent-bit: stdout json_lines (log, date, \\/) | ctfilter | stdin input" fluent_bit_pipe

# ----------------------------------------------------------------- Fluentd
# in_tail with `<parse> @type none` gives {"message": "<line>"} records.
python3 - "$tmp/records.ndjson" "$tmp/fluentd-records.ndjson" <<'EOF'
import json, sys
with open(sys.argv[1]) as src, open(sys.argv[2], "w") as dst:
    for line in src:
        dst.write(json.dumps({"message": line.rstrip("\n")}) + "\n")
EOF
fluentd_command() {
    doc_line fluentd.md '  command ' | sed -e 's/^ *command //' | relocate
}
fluentd_lines() {
    local cmd
    cmd=$(fluentd_command)
    echo "+ $cmd"
    python3 "$standins" fluentd-exec-filter "$cmd" "$tmp/fluentd-records.ndjson" none "$tmp/out.fd1"
    check "$tmp/out.fd1" req-0001:critical,req-0003 req-0007,req-0008
}
run "fluentd: exec_filter, <parse> @type none (records before EOF)" fluentd_lines

fluentd_json() {
    local cmd
    cmd=$(fluentd_command)
    python3 "$standins" fluentd-exec-filter "$cmd" "$tmp/fluentd-records.ndjson" json "$tmp/out.fd2"
    check "$tmp/out.fd2" req-0001:critical,req-0003 req-0007,req-0008
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["before_eof"], "of", len(r["records"]), "records read before EOF, in 8 KiB blocks")' "$tmp/out.fd2"
}
run "fluentd: exec_filter, <parse> @type json (8 KiB blocks, all by EOF)" fluentd_json

# ---------------------------------------------------------------- Logstash
logstash_pipe() {
    local cmd
    cmd=$(doc_line logstash.md 'command => "' | sed -e 's/^ *command => "//' -e 's/"$//' | relocate)
    echo "+ $cmd"
    python3 "$standins" logstash-pipe "$cmd" "$tmp/records.ndjson" 0.5
    # A second pipe (after ttl) appends to the same file.
    python3 "$standins" logstash-pipe "$cmd" "$fixtures/fluentbit-wrapped.ndjson" 0.2
    check "$tmp/state/enriched.ndjson" req-0001:critical,req-0003,req-0004,req-0006 req-0007,req-0008
}
run "logstash: pipe output -> ctfilter >> file (ECS events, ttl reopen)" logstash_pipe

# ----------------------------------------------------------------- rsyslog
rsyslog_doc_matches_test() {
    local needle
    for needle in 'string="%msg%\n"' 'template="ctfilter_line"' 'forceSingleInstance="on"' \
        'hup.signal="HUP"' 'module(load="imfile")' 'module(load="omprog")' 'maxMessageSize="4m"'; do
        doc_line rsyslog.md "$needle" >/dev/null
        grep -qF -- "$needle" "$root/tests/rsyslog.rs" || {
            echo "tests/rsyslog.rs does not use $needle"
            return 1
        }
    done
}
run "rsyslog: the documented omprog config is the one tests/rsyslog.rs runs" rsyslog_doc_matches_test

# ----------------------------------------------------------------- syslog-ng
syslog_ng_doc_matches_test() {
    local needle
    for needle in 'flags(no-parse)' 'log-msg-size(4194304)' 'follow-freq(0.2)' \
        'template("${MSG}\n")' 'program("exec ' '--dead-letter ' '>> ' '2>> ' \
        'log { source(s_cloudtrail); destination(d_ctfilter); };'; do
        doc_line syslog-ng.md "$needle" >/dev/null
        # The test writes the config with format!, which doubles braces.
        grep -qF -- "$(printf '%s' "$needle" | sed 's/{/{{/g; s/}/}}/g')" "$root/tests/syslog_ng.rs" || {
            echo "tests/syslog_ng.rs does not use $needle"
            return 1
        }
    done
}
run "syslog-ng: the documented program() config is the one tests/syslog_ng.rs runs" syslog_ng_doc_matches_test

echo "recipes: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
