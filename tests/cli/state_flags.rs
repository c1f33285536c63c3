//! The state's operational flags (issue 13): `--state-save-interval` saves
//! during a long-running pipe, `--learn-until` moves the learning end and is
//! kept by the state, `--state-max-entries` evicts and counts, flags without
//! `--state` are usage errors, late records are not new, and a far-future
//! `eventTime` does not poison the state's clock.

use crate::util::{ctfilter, TempDir};
use std::io::Write as _;
use std::time::{Duration, Instant};

const RULE: &str = "rules:
  - id: fs1
    title: New API for a principal
    severity: medium
    category: discovery
    events: [secretsmanager:ListSecrets]
    first_seen: {by: [userIdentity.arn, eventName], within: 10d}
";

const RECORD: &str = r#"{"eventVersion":"1.08","eventSource":"secretsmanager.amazonaws.com","eventName":"ListSecrets","eventTime":"T","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"ID","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/U"}}"#;

/// The whole `--stats` line (counters and the `state` object).
pub fn line(stderr: &str) -> serde_json::Value {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("{\"ctfilter_stats\""))
        .unwrap_or_else(|| panic!("no --stats line in:\n{stderr}"));
    serde_json::from_str(line).unwrap()
}

/// A ListSecrets by `user` at `time`, with eventID `e{n}`.
fn call(n: usize, time: &str, user: &str) -> String {
    RECORD
        .replace("\"T\"", &format!("\"{time}\""))
        .replace("user/U", &format!("user/{user}"))
        .replace("\"ID\"", &format!("\"e{n}\""))
        + "\n"
}

fn input(plan: &[(&str, &str)]) -> String {
    plan.iter()
        .enumerate()
        .map(|(n, (t, u))| call(n, t, u))
        .collect()
}

fn users(stdout: &str) -> Vec<String> {
    crate::util::records(stdout)
        .iter()
        .map(|v| {
            let arn = v["userIdentity"]["arn"].as_str().unwrap();
            arn.rsplit('/').next().unwrap().to_string()
        })
        .collect()
}

/// The same corpus as `first_seen.rs`: default learning reports c and d.
const CORPUS: [(&str, &str); 8] = [
    ("2026-01-01T01:00:00Z", "a"),
    ("2026-01-01T05:00:00Z", "b"),
    ("2026-01-01T20:00:00Z", "a"),
    ("2026-01-11T02:00:00Z", "a"),
    ("2026-01-11T03:00:00Z", "c"),
    ("2026-01-11T02:30:00Z", "b"),
    ("2026-01-12T04:00:00Z", "d"),
    ("2026-01-12T05:00:00Z", "c"),
];

struct Setup {
    _tmp: TempDir,
    rules: String,
    state: String,
}

fn setup(tag: &str) -> Setup {
    let tmp = TempDir::new(tag);
    let rules = tmp.write("fs.yml", RULE);
    let state = tmp.file("ctfilter.state");
    Setup {
        _tmp: tmp,
        rules,
        state,
    }
}

impl Setup {
    fn args<'a>(&'a self, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "--no-default-rules",
            "-r",
            &self.rules,
            "--state",
            &self.state,
        ];
        args.extend_from_slice(extra);
        args
    }
}

#[test]
fn learn_until_moves_the_learning_end_and_the_state_keeps_it() {
    let s = setup("learn-until");
    let early = ["--learn-until", "2026-01-01T02:00:00Z", "--stats"];
    let out = ctfilter(&s.args(&early)).stdin(input(&CORPUS)).run();
    out.assert_code(0);
    // a (01:00) is learned; b at 05:00 is past the end: new.
    assert_eq!(users(&out.stdout), ["b", "c", "d"], "{}", out.stderr);
    let st = line(&out.stderr);
    assert_eq!(st["state"]["learning_ends"], "2026-01-01T02:00:00Z");
    // A later run without the flag keeps the stored end.
    let later = ctfilter(&s.args(&["--stats"]))
        .stdin(call(99, "2026-01-13T00:00:00Z", "e"))
        .run();
    assert_eq!(users(&later.stdout), ["e"]);
    assert_eq!(
        line(&later.stderr)["state"]["learning_ends"],
        "2026-01-01T02:00:00Z"
    );
    // Default: one window from the first record.
    let fresh = ctfilter(&s.args(&["--state-reset"]))
        .stdin(input(&CORPUS))
        .run();
    assert_eq!(users(&fresh.stdout), ["c", "d"]);
    let bad = ctfilter(&s.args(&["--learn-until", "tomorrow"])).run();
    bad.assert_code(2);
    assert!(
        bad.stderr.starts_with("ctfilter: --learn-until:"),
        "{}",
        bad.stderr
    );
}

#[test]
fn max_entries_caps_the_state_and_counts_evictions() {
    let s = setup("max-entries");
    let plan: Vec<(String, String)> = (0..10)
        .map(|i| (format!("2026-01-01T0{i}:00:00Z"), format!("u{i}")))
        .collect();
    let plan: Vec<(&str, &str)> = plan.iter().map(|(t, u)| (&t[..], &u[..])).collect();
    let out = ctfilter(&s.args(&["--state-max-entries", "4", "--stats"]))
        .stdin(input(&plan))
        .run();
    out.assert_code(0);
    let st = line(&out.stderr);
    assert_eq!(st["state"]["entries"], 4, "{st}");
    assert_eq!(st["state"]["evicted"], 6, "{st}");
    assert_eq!(st["state"]["max_entries"], 4, "{st}");
    // The state file holds the cap's worth, and a reload with a smaller cap
    // evicts (counted) down to it.
    let out = ctfilter(&s.args(&["--state-max-entries", "2", "--stats"])).run();
    let st = line(&out.stderr);
    assert_eq!(
        (
            st["state"]["entries"].as_u64(),
            st["state"]["evicted"].as_u64()
        ),
        (Some(2), Some(2))
    );
}

#[test]
fn state_flags_without_state_are_usage_errors() {
    for args in [
        &["--state-save-interval", "10s"][..],
        &["--learn-until", "2026-01-01T00:00:00Z"],
        &["--state-max-entries", "10"],
        &["--state-reset"],
        &["--dedupe-window", "1h"],
    ] {
        let out = ctfilter(args)
            .stdin(call(0, "2026-01-01T00:00:00Z", "a"))
            .run();
        out.assert_code(2);
        assert!(
            out.stderr.starts_with("ctfilter: "),
            "{args:?}: {}",
            out.stderr
        );
        assert_eq!(out.stdout, "", "{args:?}: nothing is read");
    }
    let s = setup("bad-flags");
    for (flag, value) in [
        ("--state-save-interval", "soon"),
        ("--state-max-entries", "0"),
    ] {
        let out = ctfilter(&s.args(&[flag, value])).run();
        out.assert_code(2);
        assert!(out.stderr.contains(flag), "{}", out.stderr);
    }
    assert!(!std::path::Path::new(&s.state).exists());
}

/// Wait until `cond` holds, for at most 10 s.
fn eventually(cond: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn save_interval_saves_during_a_long_running_pipe() {
    let s = setup("save-interval");
    let mut child = ctfilter(&s.args(&["--state-save-interval", "100ms"])).spawn();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input(&CORPUS[..3]).as_bytes()).unwrap();
    stdin.flush().unwrap();
    let path = std::path::PathBuf::from(&s.state);
    assert!(eventually(|| path.exists()), "saved while the pipe is open");
    let first = std::fs::read(&path).unwrap();
    // Quiet input: nothing new, so the file is not rewritten.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(std::fs::read(&path).unwrap(), first);
    stdin.write_all(input(&CORPUS[3..]).as_bytes()).unwrap();
    stdin.flush().unwrap();
    assert!(
        eventually(|| std::fs::read(&path).unwrap() != first),
        "saved again after more records"
    );
    assert!(child.try_wait().unwrap().is_none(), "still running");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn late_and_unsorted_records_are_not_reported_as_new() {
    let s = setup("late");
    let plan = [
        ("2026-01-05T10:00:00Z", "a"),
        // Older than what is stored for a: seen, never new.
        ("2026-01-05T09:45:00Z", "a"),
        ("2026-01-05T09:50:00Z", "b"),
        ("2026-01-05T09:40:00Z", "b"),
        ("2026-01-05T09:55:00Z", "a"),
    ];
    let out = ctfilter(&s.args(&["--learn-until", "2026-01-01T00:00:00Z"]))
        .stdin(input(&plan))
        .run();
    out.assert_code(0);
    assert_eq!(users(&out.stdout), ["a", "b"]);
}

#[test]
fn a_far_future_event_time_does_not_poison_the_state() {
    let s = setup("future");
    let plan = [
        ("2026-01-01T01:00:00Z", "a"),
        // Forged or broken: far past the wall clock. Without the guard it
        // would move the state's clock to 2100 and expire a's entry.
        ("2100-01-01T00:00:00Z", "z"),
        ("2026-01-02T01:00:00Z", "a"),
    ];
    let out = ctfilter(&s.args(&["--learn-until", "2026-01-01T00:00:00Z", "--stats"]))
        .stdin(input(&plan))
        .run();
    out.assert_code(0);
    assert_eq!(users(&out.stdout), ["a"], "{}", out.stderr);
    let st = line(&out.stderr);
    assert_eq!(st["state"]["future"], 1, "{st}");
    assert_eq!(st["state"]["entries"], 1, "{st}");
    assert_eq!(st["ctfilter_stats"]["balanced"], true);
}

#[test]
fn metrics_carry_the_state_figures() {
    let s = setup("metrics");
    let prom = s._tmp.file("ctfilter.prom");
    let out = ctfilter(&s.args(&[
        "--dedupe",
        "--metrics-file",
        &prom,
        "--stats-interval",
        "1h",
        "--stats-file",
        &s._tmp.file("stats.ndjson"),
    ]))
    // The first record again at once: a repeat within the dedupe window.
    .stdin(call(0, CORPUS[0].0, CORPUS[0].1) + &input(&CORPUS))
    .run();
    out.assert_code(0);
    let text = std::fs::read_to_string(&prom).unwrap();
    for sample in [
        "ctfilter_state_entries{table=\"first_seen\"} 4\n",
        // IDs older than window + lateness behind the newest are swept.
        "ctfilter_state_entries{table=\"dedupe\"} 2\n",
        "ctfilter_deduplicated_total 1\n",
        "ctfilter_filtered_total{stage=\"duplicate\"} 1\n",
        "ctfilter_state_max_entries 1000000\n",
        "ctfilter_state_learning_end_timestamp_seconds 1768093200\n",
    ] {
        assert!(text.contains(sample), "{sample} in\n{text}");
    }
    let plain = s._tmp.file("plain.prom");
    ctfilter(&["--metrics-file", &plain])
        .stdin(input(&CORPUS))
        .run()
        .assert_code(0);
    let text = std::fs::read_to_string(&plain).unwrap();
    assert!(!text.contains("ctfilter_state_"), "{text}");
}

#[test]
fn sighup_and_sigterm_save_the_state() {
    let s = setup("signals");
    let path = std::path::PathBuf::from(&s.state);
    let mut child = ctfilter(&s.args(&["--state-save-interval", "1h"])).spawn();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input(&CORPUS[..3]).as_bytes()).unwrap();
    stdin.flush().unwrap();
    // Let the records be read before the signal (they share one channel).
    std::thread::sleep(Duration::from_millis(300));
    crate::util::signal(&child, "HUP");
    assert!(eventually(|| path.exists()), "SIGHUP saves");
    stdin.write_all(input(&CORPUS[3..]).as_bytes()).unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    crate::util::signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
    // The saved state holds all four tuples: the corpus again is all seen.
    let again = ctfilter(&s.args(&["--stats"])).stdin(input(&CORPUS)).run();
    again.assert_code(0);
    assert_eq!(again.stdout, "");
    assert_eq!(line(&again.stderr)["state"]["entries"], 4);
}
