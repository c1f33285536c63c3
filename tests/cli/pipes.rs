//! Signals and pipes: idle flush, SIGTERM/SIGINT, SIGHUP reload, a closed
//! stdout, and gzip on files and stdin.

use crate::util::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::Child;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// Wait up to `timeout` for the next line.
#[track_caller]
fn next_line(rx: &Receiver<String>, timeout: Duration, what: &str) -> String {
    rx.recv_timeout(timeout)
        .unwrap_or_else(|_| panic!("no {what} within {timeout:?}"))
}

/// Wait until a stderr line contains `needle`; return every line seen.
#[track_caller]
fn wait_for_stderr(rx: &Receiver<String>, needle: &str) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(50)) {
            let found = line.contains(needle);
            seen.push(line);
            if found {
                return seen;
            }
        }
    }
    panic!("stderr never contained {needle:?}; saw: {seen:?}");
}

struct Live {
    child: Child,
    stdin: Option<std::process::ChildStdin>,
    stdout: Receiver<String>,
    stderr: Receiver<String>,
}

impl Live {
    fn start(args: &[&str]) -> Live {
        let mut child = ctfilter(args).spawn();
        let stdin = child.stdin.take();
        let stdout = line_channel(child.stdout.take().unwrap());
        let stderr = line_channel(child.stderr.take().unwrap());
        Live {
            child,
            stdin,
            stdout,
            stderr,
        }
    }

    fn write_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// The requestID of the next output record.
    #[track_caller]
    fn next_id(&self) -> String {
        let line = next_line(&self.stdout, Duration::from_secs(10), "output record");
        let record: serde_json::Value = serde_json::from_str(&line).expect("output is JSON");
        record["requestID"].as_str().unwrap_or("?").to_string()
    }

    fn close_stdin(&mut self) {
        self.stdin.take();
    }

    #[track_caller]
    fn wait(&mut self) -> i32 {
        let status =
            wait_with_deadline(&mut self.child, Duration::from_secs(20)).expect("ctfilter exits");
        status.code().unwrap_or(-1)
    }

    fn rest_of_stderr(&self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_millis(500)) {
            lines.push(line);
        }
        lines
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn idle_flush(threads: &str) {
    let mut live = Live::start(&with_test_rules(&["--threads", threads]));
    // Let the process start up before timing.
    live.write_line(&record_line("req-0001"));
    assert_eq!(live.next_id(), "req-0001");
    let start = Instant::now();
    live.write_line(&record_line("req-0003"));
    let line = next_line(
        &live.stdout,
        Duration::from_secs(2),
        "record while stdin stays open",
    );
    let elapsed = start.elapsed();
    assert!(line.contains("\"req-0003\""));
    assert!(
        elapsed < Duration::from_millis(500),
        "record took {elapsed:?} to come out"
    );
    live.close_stdin();
    assert_eq!(live.wait(), 0);
}

#[test]
fn output_is_flushed_as_soon_as_input_goes_idle() {
    idle_flush("1");
}

#[test]
fn output_is_flushed_as_soon_as_input_goes_idle_with_two_threads() {
    idle_flush("2");
}

#[test]
fn the_first_record_comes_out_without_closing_stdin() {
    let start = Instant::now();
    let mut live = Live::start(&with_test_rules(&[]));
    live.write_line(&record_line("req-0001"));
    let line = next_line(
        &live.stdout,
        Duration::from_secs(2),
        "first record while stdin stays open",
    );
    assert!(line.contains("\"req-0001\""));
    eprintln!(
        "first record after {:?} (includes process start-up)",
        start.elapsed()
    );
    live.close_stdin();
    assert_eq!(live.wait(), 0);
}

fn sigterm_mid_stream(threads: &str) {
    let mut live = Live::start(&with_test_rules(&[
        "--events",
        "*",
        "--stats",
        "--threads",
        threads,
    ]));
    let lines = fixture_lines("records.ndjson");
    for line in &lines {
        live.write_line(line);
    }
    let mut seen = Vec::new();
    for _ in &lines {
        seen.push(live.next_id());
    }
    assert_eq!(seen.len(), 12);
    signal(&live.child, "TERM");
    assert_eq!(live.wait(), 0, "SIGTERM is a normal end");
    let stderr = live.rest_of_stderr().concat();
    let stats = stats(&stderr);
    assert_eq!(stats["emitted"], 12, "{stats}");
    assert_eq!(stats["read"], 12);
    assert_eq!(stats["balanced"], true);
    assert!(
        live.stdout
            .recv_timeout(Duration::from_millis(200))
            .is_err(),
        "nothing is written twice"
    );
}

#[test]
fn sigterm_emits_everything_read_prints_stats_and_exits_0() {
    sigterm_mid_stream("1");
}

#[test]
fn sigterm_emits_everything_read_prints_stats_and_exits_0_with_two_threads() {
    sigterm_mid_stream("2");
}

#[test]
fn sigint_is_handled_like_sigterm() {
    let mut live = Live::start(&with_test_rules(&["--stats"]));
    live.write_line(&record_line("req-0002"));
    assert_eq!(live.next_id(), "req-0002");
    signal(&live.child, "INT");
    assert_eq!(live.wait(), 0);
    let stats = stats(&live.rest_of_stderr().concat());
    assert_eq!(stats["emitted"], 1);
}

/// Base rules for the reload tests: the test rules minus nothing, in a temp
/// file we can rewrite.
fn reload_setup(tag: &str, threads: &str) -> (TempDir, String, Live) {
    let dir = TempDir::new(tag);
    let rules = dir.write("rules.yml", fixture_bytes("rules/test-rules.yml"));
    let live = Live::start(&[
        "--no-default-rules",
        "-r",
        &rules,
        "--now",
        NOW,
        "--threads",
        threads,
    ]);
    (dir, rules, live)
}

/// Write `probe` (a record the current rules may drop) and then a sentinel
/// the rules keep; return the ids that came out up to the sentinel.
fn probe(live: &mut Live, probe: &str) -> Vec<String> {
    live.write_line(probe);
    live.write_line(&record_line("req-0001"));
    let mut ids = Vec::new();
    loop {
        let id = live.next_id();
        if id == "req-0001" {
            return ids;
        }
        ids.push(id);
    }
}

const EXTRA_RULE: &str = "
  - id: t-reloaded
    title: Added by the reload test
    severity: low
    category: discovery
    events: [ec2:DescribeInstances]
";

fn sighup_reload(threads: &str) {
    let (_dir, rules, mut live) = reload_setup("sighup-ok", threads);
    let describe = record_line("req-0007");
    assert!(
        probe(&mut live, &describe).is_empty(),
        "no rule keeps DescribeInstances yet"
    );
    let mut text = String::from_utf8(fixture_bytes("rules/test-rules.yml")).unwrap();
    text.push_str(EXTRA_RULE);
    std::fs::write(&rules, text).unwrap();
    signal(&live.child, "HUP");
    wait_for_stderr(&live.stderr, "reloaded");
    assert_eq!(
        probe(&mut live, &describe),
        ["req-0007"],
        "the new rule keeps it"
    );
    live.close_stdin();
    assert_eq!(live.wait(), 0);
}

#[test]
fn sighup_reloads_a_valid_modified_rule_file() {
    sighup_reload("1");
}

#[test]
fn sighup_reloads_a_valid_modified_rule_file_with_two_threads() {
    sighup_reload("2");
}

#[test]
fn sighup_with_a_broken_rule_file_keeps_the_previous_rules() {
    let (_dir, rules, mut live) = reload_setup("sighup-bad", "1");
    let describe = record_line("req-0007");
    assert!(probe(&mut live, &describe).is_empty());
    let mut text = String::from_utf8(fixture_bytes("rules/test-rules.yml")).unwrap();
    text.push_str(EXTRA_RULE);
    text.push_str("    when:\n      eventName|bogus: x\n");
    std::fs::write(&rules, text).unwrap();
    signal(&live.child, "HUP");
    let seen = wait_for_stderr(&live.stderr, "keeping the previous rules");
    assert!(
        seen.iter().any(|l| l.contains("unknown modifier 'bogus'")),
        "the error itself is logged: {seen:?}"
    );
    assert!(
        probe(&mut live, &describe).is_empty(),
        "the old rules still apply"
    );
    assert_eq!(
        probe(&mut live, &record_line("req-0003")),
        ["req-0003"],
        "and still keep what they kept"
    );
    live.close_stdin();
    assert_eq!(live.wait(), 0, "a failed reload is not fatal");
}

fn closed_stdout(threads: &str) {
    // An endless input (it keeps coming until ctfilter goes away): the run can
    // only end because stdout was closed.
    let line = record_line("req-0001") + "\n";
    let chunk: Vec<u8> = line.as_bytes().repeat(64 * 1024 / line.len());
    let mut child = ctfilter(&["--events", "*", "--threads", threads]).spawn();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let mut written = 0usize;
        while stdin.write_all(&chunk).is_ok() {
            written += chunk.len();
        }
        written
    });
    let stderr = child.stderr.take().unwrap();
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = BufReader::new(stderr).read_to_string(&mut text);
        text
    });
    {
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        assert!(first.contains("StopLogging"));
        // Dropping the reader closes the pipe.
    }
    let status = wait_with_deadline(&mut child, Duration::from_secs(30))
        .expect("ctfilter exits after stdout closes");
    let written = writer.join().unwrap();
    let stderr = stderr_reader.join().unwrap();
    eprintln!("{written} bytes went in before ctfilter stopped reading");
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "", "no error for a closed stdout");
}

#[test]
fn a_closed_stdout_ends_the_run_quietly_with_exit_0() {
    closed_stdout("1");
}

#[test]
fn a_closed_stdout_ends_the_run_quietly_with_exit_0_with_two_threads() {
    closed_stdout("2");
}

#[test]
fn a_gzip_file_argument_is_decompressed() {
    let plain = ctfilter(&with_test_rules(&["fixtures/records.ndjson"])).run();
    let gz = ctfilter(&with_test_rules(&["fixtures/records.ndjson.gz"])).run();
    gz.assert_clean();
    assert_eq!(gz.records().len(), 9);
    assert_eq!(gz.stdout, plain.stdout);
}

#[test]
fn gzipped_stdin_is_decompressed() {
    let plain = ctfilter(&with_test_rules(&["fixtures/records.ndjson"])).run();
    let gz = ctfilter(&with_test_rules(&[]))
        .stdin(fixture_bytes("records.ndjson.gz"))
        .run();
    gz.assert_clean();
    assert_eq!(gz.stdout, plain.stdout);
}

#[test]
fn concatenated_gzip_members_are_all_read() {
    let mut twice = fixture_bytes("records.ndjson.gz");
    twice.extend(fixture_bytes("records.ndjson.gz"));
    let out = ctfilter(&with_test_rules(&["--events", "*"]))
        .stdin(twice)
        .run();
    out.assert_clean();
    assert_eq!(out.records().len(), 24);
}

#[test]
fn the_gzip_fixture_matches_records_ndjson() {
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(&fixture_bytes("records.ndjson.gz")[..])
        .read_to_end(&mut text)
        .unwrap();
    assert!(
        text == fixture_bytes("records.ndjson"),
        "fixtures/records.ndjson.gz is stale: run `gzip -9n -c fixtures/records.ndjson > fixtures/records.ndjson.gz`"
    );
}

#[test]
fn a_truncated_gzip_file_is_an_input_error_after_its_complete_records() {
    let gz = fixture_bytes("records.ndjson.gz");
    let dir = TempDir::new("gz-cut");
    let path = dir.write("cut.json.gz", &gz[..gz.len() - 40]);
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        &path,
        "fixtures/eventbridge.ndjson",
    ]))
    .run();
    out.assert_code(1);
    assert!(out.stderr.contains(&path), "names the file: {}", out.stderr);
    let found = ids(&out.records());
    assert!(
        found.ends_with(&["req-0001".to_string(), "req-0004".to_string()]),
        "the next file is still read: {found:?}"
    );
}

/// Regression: `ctfilter rules --json | head` panicked (exit 101) because the
/// reports were written with `println!`. Every report-writing subcommand now
/// ends quietly with exit 0 when its reader goes away, as the filter does.
#[test]
fn a_closed_stdout_ends_a_subcommand_report_quietly_with_exit_0() {
    for args in [
        &["rules", "--json"][..],
        &["rules"][..],
        &["check", "--exclusions"][..],
    ] {
        let mut command = ctfilter(args).command();
        command.stdin(std::process::Stdio::null());
        let mut child = command.spawn().expect("spawn ctfilter");
        // Close the read end before the report is written.
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}: no error for a closed stdout");
    }
}
