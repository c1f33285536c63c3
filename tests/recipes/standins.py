#!/usr/bin/env python3
"""Stand-ins for the log hosts that cannot be installed on the test machine.

Each stand-in does, at the pipe, what the real host does in the recipe of
docs/integrations/<host>.md: it writes the exact line shapes the host writes
(Vector's console sink, Fluent Bit's stdout output, Fluentd's exec_filter,
Logstash's pipe output) and reads ctfilter's output the way the host reads it.
tests/recipes.sh wires them to the recipes' ctfilter command lines.

Usage: standins.py <stand-in> [args]; see each function. Exit 0 on success;
on failure, a message on stderr and exit 1.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time

WAIT = 10.0  # seconds any one expectation may take


def die(message):
    sys.stderr.write(f"standins: {message}\n")
    sys.exit(1)


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def wait_for_file(path, what):
    """Block until `path` exists (the consumer's signal), or fail."""
    deadline = time.monotonic() + WAIT
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            die(f"{what}: no output within {WAIT}s while the input stayed open")
        time.sleep(0.02)


def write_slowly(out, lines, then_wait_for=None, what=""):
    """Write lines one by one with small idle gaps, then, before closing,
    wait until the consumer has seen output: proves ctfilter flushes while
    its input is still open."""
    for line in lines:
        out.write(line + "\n")
        out.flush()
        time.sleep(0.05)
    if then_wait_for:
        wait_for_file(then_wait_for, what)


# --------------------------------------------------------------- producers


def vector_console(files, seen):
    """Vector: aws_s3 source -> console sink with `encoding.codec = "json"`.

    The aws_s3 source reads an S3 object and, with the default
    newline-delimited framing, makes one event per line of the object; a
    CloudTrail log file is one line, so one event holds the whole
    {"Records":[...]} text in `message`, beside bucket/object/region
    metadata. The console sink writes one JSON event per line."""
    out = sys.stdout
    events = []
    for n, path in enumerate(files):
        with open(path, encoding="utf-8") as f:
            body = f.read().rstrip("\n")
        events.append(
            json.dumps(
                {
                    "bucket": "my-trail-bucket",
                    "message": body,
                    "object": f"AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/15/file{n}.json.gz",
                    "region": "us-east-1",
                    "source_type": "aws_s3",
                    "timestamp": "2026-01-15T10:05:00.000000Z",
                },
                separators=(",", ":"),
            )
        )
    write_slowly(out, events, seen, "vector console -> ctfilter")


def fluent_bit_stdout(path, seen):
    """Fluent Bit: tail input -> stdout output with `format json_lines`.

    tail puts each line under `log` (no parser); json_lines adds the
    `date` key (json_date_key, default "date", a float). Fluent Bit escapes
    "/" as "\\/" in its JSON output; the stand-in does the same."""
    out = sys.stdout
    events = []
    for n, line in enumerate(lines_of(path)):
        text = json.dumps({"date": 1768471500.0 + n, "log": line}, separators=(",", ":"))
        events.append(text.replace("/", "\\/"))
    write_slowly(out, events, seen, "fluent-bit stdout -> ctfilter")


def ndjson_lines(path, seen):
    """A plain NDJSON writer that keeps its stdout open until `seen` exists."""
    write_slowly(sys.stdout, lines_of(path), seen, "ndjson -> ctfilter")


# --------------------------------------------------------------- consumers


def consume(expect_ids, seen, report):
    """Read ctfilter's output line by line, as Vector's stdin source (with
    `decoding.codec = "json"`) or Fluent Bit's stdin input do: every line must
    be one JSON object with the `ctfilter` key. Creates `seen` once every
    expected requestID has arrived; writes a summary to `report`."""
    want = set(filter(None, expect_ids.split(",")))
    got = []
    for n, line in enumerate(sys.stdin, 1):
        try:
            record = json.loads(line)
        except ValueError as e:
            die(f"output line {n} is not JSON ({e}): {line[:200]}")
        if not isinstance(record, dict) or "ctfilter" not in record:
            die(f"output line {n} has no ctfilter key: {line[:200]}")
        got.append(record)
        ids = {r.get("requestID") for r in got}
        if want <= ids and not os.path.exists(seen):
            open(seen, "w").close()
    with open(report, "w") as f:
        json.dump(got, f)


# ---------------------------------------------------------------- Fluentd


def fluentd_exec_filter(command, records_path, parse, report):
    """Fluentd: out_exec_filter with `<format> @type json`.

    Write side: the formatter gives one JSON object per line; Fluentd writes
    whole buffer chunks to the child's stdin at each flush (flush_interval,
    1s by default). The stand-in writes 8 KiB pieces, cut anywhere (not at
    line ends), with idle gaps, and keeps stdin open until output is seen.

    Read side, as Fluentd's `run(io)`:
      parse=none  -> `<parse> @type none`: parser_type :text_per_line, so
                     `io.each_line`: every line is handled when it arrives;
      parse=json  -> `<parse> @type json`: JSONParser#parse_io, Yajl reading
                     `io.read(stream_buffer_size)` (8192 by default), which
                     blocks until 8192 bytes or EOF.
    The child is started through the shell, like Fluentd's child_process
    helper given a command string."""
    records = [json.loads(l) for l in lines_of(records_path)]
    child = subprocess.Popen(
        command, shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    got = []
    first_at = []

    def reader():
        if parse == "none":
            for line in child.stdout:
                got.append(json.loads(line))  # then <filter> @type parser, json
                if not first_at:
                    first_at.append(time.monotonic())
        else:
            pending = b""
            while True:
                block = child.stdout.read(8192)  # blocks for 8192 bytes or EOF
                if not block:
                    break
                pending += block
                *done, pending = pending.split(b"\n")
                for line in done:
                    if line.strip():
                        got.append(json.loads(line))
                        if not first_at:
                            first_at.append(time.monotonic())
            if pending.strip():
                got.append(json.loads(pending))

    t = threading.Thread(target=reader)
    t.start()
    data = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records).encode()
    for i in range(0, len(data), 8192):
        child.stdin.write(data[i : i + 8192])
        child.stdin.flush()
        time.sleep(0.2)
    closed_at = None
    if parse == "none":
        deadline = time.monotonic() + WAIT
        while not first_at and time.monotonic() < deadline:
            time.sleep(0.02)
        if not first_at:
            child.kill()
            die("exec_filter (parse none): no output while stdin stayed open")
    else:
        time.sleep(1.0)  # what a flush_interval of idle looks like
    before_eof = len(got)
    closed_at = time.monotonic()
    child.stdin.close()
    t.join(WAIT)
    code = child.wait(WAIT)
    if code != 0:
        die(f"ctfilter exited {code} after stdin closed")
    with open(report, "w") as f:
        json.dump({"records": got, "before_eof": before_eof}, f)


# ---------------------------------------------------------------- Logstash


def logstash_pipe(command, records_path, ttl_wait):
    """Logstash: logstash-output-pipe.

    It runs `IO.popen(command, "a+")` (a string command: through the shell
    when it has shell syntax), writes `event.to_json` plus "\\n" for each
    event and flushes; it never reads the child's stdout, so the command
    must send ctfilter's stdout elsewhere itself. After `ttl` idle seconds it
    closes the pipe (EOF) and waits for the child. Events carry the line in
    `message`, with ECS fields beside it (`log.file.path`, `event.original`)."""
    child = subprocess.Popen(
        command, shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    for line in lines_of(records_path):
        event = {
            "@timestamp": "2026-01-15T10:05:00.000Z",
            "@version": "1",
            "message": line,
            "event": {"original": line},
            "host": {"name": "logstash-1"},
            "log": {"file": {"path": "/var/log/cloudtrail/trail.ndjson"}},
        }
        child.stdin.write((json.dumps(event) + "\n").encode())
        child.stdin.flush()
    time.sleep(float(ttl_wait))
    child.stdin.close()  # ttl reached: drop_pipe -> close
    code = child.wait(WAIT)
    if code != 0:
        die(f"the pipe command exited {code}")


# ------------------------------------------------------------------ Vector


def vector_socket_sink(sock_path, records_path, out_path, expect_ids):
    """Vector: socket sink, `mode = "unix"`, `encoding.codec = "json"`:
    one connection, one JSON event per line, kept open. Waits (connection
    still open) until the exec source's stdout file holds every expected
    record, then disconnects."""
    deadline = time.monotonic() + WAIT
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock_path)
            break
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                die(f"cannot connect to {sock_path}")
            time.sleep(0.05)
    for line in lines_of(records_path):
        event = {"message": line, "source_type": "file", "file": "/var/log/ct.ndjson"}
        s.sendall((json.dumps(event) + "\n").encode())
        time.sleep(0.05)
    want = set(expect_ids.split(","))
    while True:
        ids = set()
        if os.path.exists(out_path):
            with open(out_path, encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        ids.add(json.loads(line).get("requestID"))
        if want <= ids:
            break
        if time.monotonic() > deadline:
            die(f"exec source output lacks {sorted(want - ids)} while connected")
        time.sleep(0.05)
    s.close()


def main():
    if len(sys.argv) < 2:
        die(__doc__)
    name, args = sys.argv[1], sys.argv[2:]
    table = {
        "vector-console": lambda: vector_console(args[1:], args[0]),
        "fluent-bit-stdout": lambda: fluent_bit_stdout(args[1], args[0]),
        "ndjson": lambda: ndjson_lines(args[1], args[0]),
        "consume": lambda: consume(*args),
        "fluentd-exec-filter": lambda: fluentd_exec_filter(*args),
        "logstash-pipe": lambda: logstash_pipe(*args),
        "vector-socket-sink": lambda: vector_socket_sink(*args),
    }
    if name not in table:
        die(f"unknown stand-in {name}")
    table[name]()


if __name__ == "__main__":
    main()
