//! `--stats-interval`, `--stats-file` and `--metrics-file`: the periodic
//! metrics line on a live pipe, the Prometheus file and its atomic
//! replacement, and the progress bar on a terminal (a pty from `script`).

use crate::util::*;
use serde_json::Value;
use std::io::Write;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// The first `ctfilter_metrics` line whose counters say `read == want`.
#[track_caller]
fn metrics_line_with(rx: &Receiver<String>, want: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(50)) {
            if line.starts_with("{\"ctfilter_metrics\"") {
                let value: Value = serde_json::from_str(&line).expect("metrics line is JSON");
                if value["ctfilter_metrics"]["counters"]["read"] == want {
                    return value["ctfilter_metrics"].clone();
                }
            }
            seen.push(line);
        }
    }
    panic!("no metrics line with read={want}; saw: {seen:?}");
}

/// Every sample line of a Prometheus text: `(name{labels}, value)`. Panics
/// on a line that is not `# HELP`/`# TYPE` or `name{labels} value`.
#[track_caller]
fn samples(text: &str) -> Vec<(String, f64)> {
    assert!(text.ends_with('\n'), "no final newline: {text:?}");
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with("# HELP ") || line.starts_with("# TYPE ") {
            continue;
        }
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("not `name value`: {line:?}"));
        let name_end = series.find('{').unwrap_or(series.len());
        let name = &series[..name_end];
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name: {line:?}"
        );
        if name_end < series.len() {
            let labels = &series[name_end..];
            assert!(
                labels.starts_with('{') && labels.ends_with('}'),
                "bad labels: {line:?}"
            );
            for pair in labels[1..labels.len() - 1].split(',') {
                let (key, val) = pair.split_once('=').expect("label is key=value");
                assert!(key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
                assert!(val.starts_with('"') && val.ends_with('"'), "{line:?}");
            }
        }
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value: {line:?}"));
        out.push((series.to_string(), value));
    }
    out
}

fn sample(samples: &[(String, f64)], series: &str) -> f64 {
    samples
        .iter()
        .find(|(s, _)| s == series)
        .unwrap_or_else(|| panic!("no {series} in {samples:?}"))
        .1
}

#[test]
fn a_quiet_pipe_gets_its_metrics_line_while_the_process_runs() {
    for threads in ["1", "2"] {
        let mut child = ctfilter(&with_test_rules(&[
            "--events",
            "*",
            "--stats-interval",
            "200ms",
            "--threads",
            threads,
        ]))
        .spawn();
        let mut stdin = child.stdin.take().unwrap();
        let _stdout = line_channel(child.stdout.take().unwrap());
        let stderr = line_channel(child.stderr.take().unwrap());
        let lines = fixture_lines("records.ndjson");
        for line in &lines[..3] {
            writeln!(stdin, "{line}").unwrap();
        }
        stdin.flush().unwrap();
        // Nothing more is written: the line must still come, on the timer.
        std::thread::sleep(Duration::from_millis(500));
        let metrics = metrics_line_with(&stderr, 3);
        assert!(child.try_wait().unwrap().is_none(), "still running");
        assert_eq!(metrics["counters"]["balanced"], true);
        assert_eq!(metrics["counters"]["emitted"], 3);
        assert!(metrics["interval"]["seconds"].as_f64().unwrap() > 0.0);
        assert!(metrics["overall"]["records_per_s"].as_f64().unwrap() > 0.0);
        assert!(metrics["lag_s"].as_f64().is_some(), "{metrics}");
        drop(stdin);
        let status = wait_with_deadline(&mut child, Duration::from_secs(10)).unwrap();
        assert!(status.success());
    }
}

#[test]
fn stats_file_takes_the_lines_and_stderr_stays_clean() {
    let dir = TempDir::new("stats-file");
    let path = dir.file("stats.ndjson");
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--stats-interval",
        "100ms",
        "--stats-file",
        &path,
    ]))
    .stdin(fixture_bytes("records.ndjson"))
    .run();
    out.assert_clean();
    assert_eq!(out.stderr, "");
    // The run is shorter than the interval: the file exists, maybe empty.
    let text = std::fs::read_to_string(&path).unwrap();
    for line in text.lines() {
        let value: Value = serde_json::from_str(line).unwrap();
        assert!(value["ctfilter_metrics"]["counters"]["read"].is_u64());
    }
}

#[test]
fn the_prometheus_file_parses_and_holds_the_stats_counters() {
    let dir = TempDir::new("metrics-file");
    let path = dir.file("ctfilter.prom");
    for threads in ["1", "2"] {
        let out = ctfilter(&with_test_rules(&[
            "--stats",
            "--metrics-file",
            &path,
            "--threads",
            threads,
            "fixtures/records.ndjson",
            "fixtures/bad/not-object.ndjson",
        ]))
        .run();
        let stats = out.stats();
        let text = std::fs::read_to_string(&path).unwrap();
        let samples = samples(&text);
        for (series, key) in [
            ("ctfilter_bytes_total", "bytes"),
            ("ctfilter_lines_total", "lines"),
            ("ctfilter_units_total", "read"),
            ("ctfilter_dead_lettered_total", "dead_lettered"),
        ] {
            assert_eq!(
                sample(&samples, series),
                stats[key].as_f64().unwrap(),
                "{series}"
            );
        }
        for (family, label, key) in [
            ("ctfilter_filtered_total", "stage", "filtered_by_stage"),
            ("ctfilter_emitted_total", "severity", "emitted_by_severity"),
            ("ctfilter_records_total", "shape", "records_by_shape"),
            ("ctfilter_dead_letters_total", "kind", "bad_by_kind"),
        ] {
            for (name, n) in stats[key].as_object().unwrap() {
                let series = format!("{family}{{{label}=\"{name}\"}}");
                assert_eq!(sample(&samples, &series), n.as_f64().unwrap(), "{series}");
            }
        }
        assert!(
            stats["bad"].as_u64().unwrap() > 0,
            "the fixture has bad lines"
        );
        assert!(sample(&samples, "ctfilter_lag_seconds") > 0.0);
        for family in ["ctfilter_bytes_total", "ctfilter_lag_seconds"] {
            assert!(text.contains(&format!("# HELP {family} ")), "{family}");
            assert!(text.contains(&format!("# TYPE {family} ")), "{family}");
        }
        // Only the file is left in the directory: no temporary file.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

#[test]
fn a_reader_never_sees_a_partial_metrics_file() {
    let dir = TempDir::new("metrics-atomic");
    let path = dir.file("ctfilter.prom");
    let mut child = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--stats-interval",
        "10ms",
        "--metrics-file",
        &path,
    ]))
    .spawn();
    let mut stdin = child.stdin.take().unwrap();
    let _stdout = line_channel(child.stdout.take().unwrap());
    let _stderr = line_channel(child.stderr.take().unwrap());
    let lines = fixture_lines("records.ndjson");
    let writer = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_millis(1500);
        while Instant::now() < deadline {
            for line in &lines {
                if writeln!(stdin, "{line}").is_err() {
                    return;
                }
            }
            let _ = stdin.flush();
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    // The first file is written before any input is read.
    let started = Instant::now();
    while !std::path::Path::new(&path).exists() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no metrics file"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let (mut reads, mut contents) = (0, std::collections::BTreeSet::new());
    let deadline = Instant::now() + Duration::from_millis(1500);
    while Instant::now() < deadline {
        let text = std::fs::read_to_string(&path).expect("the file is always there");
        let last = text.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("ctfilter_last_update_timestamp_seconds "),
            "partial file (read {reads}): ends with {last:?}"
        );
        samples(&text);
        contents.insert(text);
        reads += 1;
    }
    writer.join().unwrap();
    let status = wait_with_deadline(&mut child, Duration::from_secs(10)).unwrap();
    assert!(status.success());
    assert!(
        contents.len() > 5,
        "the file was rewritten while it was read ({} versions in {reads} reads)",
        contents.len()
    );
}

#[test]
fn bad_durations_and_paths_are_usage_errors_before_input() {
    for (args, message) in [
        (&["--stats-interval", "soon"][..], "--stats-interval"),
        (&["--stats-interval", "0s"], "--stats-interval"),
        (
            &["--metrics-file", "/nonexistent-dir/ctfilter.prom"],
            "cannot write metrics file",
        ),
        (
            &[
                "--stats-interval",
                "1s",
                "--stats-file",
                "/nonexistent-dir/s",
            ],
            "cannot open stats file",
        ),
    ] {
        let out = ctfilter(args).stdin("{}\n").run();
        out.assert_code(2);
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "");
    }
}

/// Run ctfilter under `script` (a pty for its stdin, stdout and stderr);
/// everything the terminal got. `None` when `script` is missing.
fn on_a_terminal(args: &str) -> Option<String> {
    let found = std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        notice("`script` (util-linux) is missing: progress bar pty test skipped");
        return None;
    }
    let command = format!("{} {args} > /dev/null", bin());
    let out = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(root())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script");
    assert!(out.status.success(), "{out:?}");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A file big enough that the bar is drawn before the run ends.
fn big_input(dir: &TempDir) -> String {
    let lines = fixture_lines("records.ndjson");
    let mut text = String::new();
    while text.len() < 8 << 20 {
        for line in &lines {
            text.push_str(line);
            text.push('\n');
        }
    }
    dir.write("big.ndjson", text)
}

#[test]
fn the_progress_bar_shows_on_a_terminal_and_never_in_a_pipe() {
    let dir = TempDir::new("progress");
    let input = big_input(&dir);
    let Some(terminal) = on_a_terminal(&format!("--events '*' {input}")) else {
        return;
    };
    assert!(
        terminal.contains("records/s"),
        "no bar on a terminal: {terminal:?}"
    );
    assert!(terminal.contains("files "), "{terminal:?}");
    // --no-progress, and a --stats-interval line on stderr, turn it off.
    for off in ["--no-progress", "--stats-interval 1h"] {
        let terminal = on_a_terminal(&format!("--events '*' {off} {input}")).unwrap();
        assert!(!terminal.contains("records/s"), "{off}: {terminal:?}");
    }
    // In a pipe: never, unless asked for.
    let out = ctfilter(&["--events", "*", &input]).run();
    out.assert_clean();
    assert!(!out.stderr.contains("records/s"), "{}", out.stderr);
    let out = ctfilter(&["--events", "*", "--progress", &input]).run();
    assert_eq!(out.code, 0);
}

#[test]
fn odd_event_times_are_kept_and_leave_the_lag_unknown() {
    // Regression (fuzz): a 19-byte eventTime, without its `Z`, panicked
    // while the newest eventTime was being noted.
    let dir = TempDir::new("metrics-odd-time");
    let path = dir.file("ctfilter.prom");
    let lines: String = [
        "2026-01-15T10:00:00",
        "2026-01-15",
        "",
        "2026-01-15T10:00:00+01:00",
    ]
    .iter()
    .enumerate()
    .map(|(i, stamp)| {
        edit_record(&record_line("req-0001"), |r| {
            r["eventTime"] = Value::from(*stamp);
            r["requestID"] = Value::from(format!("odd{i}"));
        }) + "\n"
    })
    .collect();
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--metrics-file",
        &path,
    ]))
    .stdin(lines)
    .run();
    out.assert_clean();
    assert_eq!(out.records().len(), 4);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(!text.contains("ctfilter_lag_seconds"), "{text}");
}
