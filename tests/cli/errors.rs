//! Errors people can act on: rule files report `path:line:col: message`,
//! usage errors exit 2 before any input is read, unreadable inputs are named
//! and the others still processed.

use crate::util::*;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

/// Spawn ctfilter with stdin left open (never written, never closed): a run
/// that must fail before reading input exits on its own; one that reads stdin
/// would hang and be killed at the deadline.
fn run_with_stdin_open(args: &[&str]) -> Output {
    let mut child = ctfilter(args).spawn();
    let stdin = child.stdin.take();
    let status = wait_with_deadline(&mut child, Duration::from_secs(20));
    drop(stdin);
    let mut stdout = String::new();
    let mut stderr = String::new();
    use std::io::Read;
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = status.unwrap_or_else(|| {
        panic!("ctfilter {args:?} waited for stdin instead of failing first; stderr:\n{stderr}")
    });
    Output {
        stdout_bytes: stdout.clone().into_bytes(),
        stdout,
        stderr,
        code: status.code().unwrap_or(-1),
    }
}

#[test]
fn a_broken_rule_file_exits_2_with_positions_before_reading_stdin() {
    let out = run_with_stdin_open(&[
        "--no-default-rules",
        "-r",
        "fixtures/rules/broken/multi-error.yml",
    ]);
    out.assert_code(2);
    assert_eq!(out.stdout, "");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(
        lines.len() >= 8,
        "every error is reported, not just the first:\n{}",
        out.stderr
    );
    for line in lines {
        let rest = line
            .strip_prefix("ctfilter: fixtures/rules/broken/multi-error.yml:")
            .unwrap_or_else(|| panic!("not `ctfilter: path:...`: {line}"));
        let mut parts = rest.splitn(3, ':');
        let line_no: u32 = parts
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("no line number: {line}"));
        let col: u32 = parts
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("no column: {line}"));
        assert!(line_no >= 5 && col >= 1, "{line}");
        assert!(parts.next().unwrap().starts_with(' '), "{line}");
    }
}

#[test]
fn golden_diagnostics_of_a_rule_file_with_many_errors() {
    let out = ctfilter(&[
        "--no-default-rules",
        "-r",
        "fixtures/rules/broken/multi-error.yml",
    ])
    .run();
    out.assert_code(2);
    for needle in [
        ":5:9: id 'bad id with spaces'",
        "'X1234' is not an ATT&CK technique id",
        "event 'iam:' has an empty name",
        ":24:7: unknown modifier 'sometimes'",
        "regex does not compile",
        "'10.0.0.0/99' has a bad prefix length",
        "unknown severity 'loud'",
        "duplicate id 't-bad-severity' (first defined at line 35)",
        "rule 't-keeps-everything' has neither events nor a condition",
        "unknown identity class 'robot'",
    ] {
        assert!(
            out.stderr.contains(needle),
            "missing diagnostic {needle:?} in:\n{}",
            out.stderr
        );
    }
    assert_golden("multi-error.stderr", &out.stderr);
}

#[test]
fn a_yaml_syntax_error_points_at_the_line_and_column() {
    let out = run_with_stdin_open(&[
        "--no-default-rules",
        "-r",
        "fixtures/rules/broken/syntax-error.yml",
    ]);
    out.assert_code(2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr
            .starts_with("ctfilter: fixtures/rules/broken/syntax-error.yml:4:"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_misspelt_rule_key_is_an_error_at_its_line() {
    let out = run_with_stdin_open(&[
        "--no-default-rules",
        "-r",
        "fixtures/rules/broken/unknown-field.yml",
    ]);
    out.assert_code(2);
    assert!(
        out.stderr
            .starts_with("ctfilter: fixtures/rules/broken/unknown-field.yml:7:"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("evnts"), "{}", out.stderr);
}

#[test]
fn a_missing_rule_file_is_a_usage_error_naming_it() {
    let out = run_with_stdin_open(&["-r", "fixtures/rules/no-such-file.yml"]);
    out.assert_code(2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("fixtures/rules/no-such-file.yml"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_broken_rule_file_in_a_directory_is_reported_with_its_own_path() {
    let dir = TempDir::new("rules-dir");
    dir.write("a.yml", "version: 1\nrules:\n  - {id: t-a, title: A, severity: low, category: x, events: [iam:A]}\n");
    dir.write("b.yml", "version: 1\nrules:\n  - {id: t-b, title: B, severity: bad, category: x, events: [iam:B]}\n");
    let path = dir.path().to_string_lossy().into_owned();
    let out = run_with_stdin_open(&["--no-default-rules", "-r", &path]);
    out.assert_code(2);
    assert!(
        out.stderr.contains(&format!("{}:3:", dir.file("b.yml"))),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("a.yml"), "{}", out.stderr);
}

#[test]
fn an_unknown_flag_exits_2_with_a_ctfilter_message() {
    let out = run_with_stdin_open(&["--frobnicate"]);
    out.assert_code(2);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.starts_with("ctfilter: "), "{}", out.stderr);
    assert!(out.stderr.contains("--frobnicate"), "{}", out.stderr);
    assert!(
        !out.stderr.starts_with("ctfilter: error:"),
        "no doubled prefix: {}",
        out.stderr
    );
}

#[test]
fn a_bad_flag_value_exits_2_naming_the_flag() {
    for (flag, value) in [
        ("--min-severity", "loud"),
        ("--identity", "robot"),
        ("--categories", "weird"),
        ("--on-error", "ignore"),
        ("--events", "iam:"),
        ("--events", "Create*User"),
        ("--events", ","),
        ("--now", "soon"),
        ("--max-line-bytes", "lots"),
        ("--max-line-bytes", "0"),
        ("--threads", "0"),
        ("--key", ""),
        ("--field", "a..b"),
        ("--max-depth", "deep"),
    ] {
        let out = run_with_stdin_open(&[flag, value]);
        assert_eq!(out.code, 2, "{flag} {value:?}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{flag} {value:?}");
        assert!(
            out.stderr.starts_with("ctfilter: "),
            "{flag} {value:?}: {}",
            out.stderr
        );
        assert!(
            out.stderr.contains(flag),
            "{flag} {value:?}: message must name the flag: {}",
            out.stderr
        );
    }
}

#[test]
fn a_missing_input_file_is_named_the_others_are_processed_and_the_exit_is_1() {
    let out = ctfilter(&with_test_rules(&[
        "fixtures/no-such-input.json",
        "fixtures/records.ndjson",
    ]))
    .run();
    out.assert_code(1);
    assert!(
        out.stderr.contains("fixtures/no-such-input.json"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.starts_with("ctfilter: "), "{}", out.stderr);
    assert_eq!(
        out.records().len(),
        9,
        "the readable file is still processed"
    );
}

#[test]
fn a_directory_as_input_file_is_an_unreadable_input() {
    let out = ctfilter(&with_test_rules(&[
        "fixtures/records.ndjson",
        "fixtures/rules",
        "fixtures/eventbridge.ndjson",
    ]))
    .run();
    out.assert_code(1);
    assert!(out.stderr.contains("fixtures/rules"), "{}", out.stderr);
    assert_eq!(out.records().len(), 11);
}

#[test]
fn an_unreadable_input_file_is_named() {
    let dir = TempDir::new("unreadable");
    let path = dir.write("secret.json", record_line("req-0001") + "\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        notice("skipping: running as a user who can read mode-000 files (root)");
        return;
    }
    let out = ctfilter(&with_test_rules(&[&path, "fixtures/records.ndjson"])).run();
    out.assert_code(1);
    assert!(out.stderr.contains(&path), "{}", out.stderr);
    assert_eq!(out.records().len(), 9);
}

#[test]
fn an_unwritable_dead_letter_path_exits_2_before_reading_stdin() {
    let out = run_with_stdin_open(&["--dead-letter", "/nonexistent-dir/ctfilter/dead.ndjson"]);
    out.assert_code(2);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("/nonexistent-dir/ctfilter/dead.ndjson"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_dead_letter_path_that_is_a_directory_exits_2() {
    let dir = TempDir::new("dead-dir");
    let path = dir.path().to_string_lossy().into_owned();
    let out = run_with_stdin_open(&["--dead-letter", &path]);
    out.assert_code(2);
    assert!(out.stderr.contains(&path), "{}", out.stderr);
}

#[test]
fn a_rule_error_wins_over_reading_a_large_input() {
    // Even with input ready, nothing is read or written when the rules are bad.
    let mut child = ctfilter(&[
        "--no-default-rules",
        "-r",
        "fixtures/rules/broken/unknown-field.yml",
    ])
    .spawn();
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(&fixture_bytes("records.ndjson"));
    drop(stdin);
    let status = wait_with_deadline(&mut child, Duration::from_secs(20)).expect("exits");
    assert_eq!(status.code(), Some(2));
    let mut stdout = String::new();
    use std::io::Read;
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(stdout, "");
}

/// Run with stdout sent to /dev/full (every write fails with ENOSPC).
fn run_into_dev_full(args: &[&str]) -> Option<Output> {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .ok()?;
    let mut command = ctfilter(args).command();
    command.stdout(full).stdin(std::process::Stdio::null());
    let output = command.output().unwrap();
    Some(Output {
        stdout: String::new(),
        stdout_bytes: Vec::new(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    })
}

#[test]
fn output_that_cannot_be_written_exits_4_with_one_message() {
    for threads in ["1", "2"] {
        let Some(out) = run_into_dev_full(&[
            "--events",
            "*",
            "--threads",
            threads,
            "fixtures/records.ndjson",
        ]) else {
            notice("skipping: no /dev/full");
            return;
        };
        out.assert_code(4);
        assert_eq!(
            out.stderr.lines().count(),
            1,
            "--threads {threads}: {}",
            out.stderr
        );
        assert!(
            out.stderr.starts_with("ctfilter: cannot write output"),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn dead_letters_that_cannot_be_written_exit_4_with_one_message() {
    if !Path::new("/dev/full").exists() {
        notice("skipping: no /dev/full");
        return;
    }
    for threads in ["1", "2"] {
        let out = ctfilter(&[
            "--events",
            "*",
            "--threads",
            threads,
            "--dead-letter",
            "/dev/full",
            "fixtures/bad/unrecognized.ndjson",
        ])
        .run();
        out.assert_code(4);
        assert_eq!(
            out.stderr.lines().count(),
            1,
            "--threads {threads}: the error is reported once:\n{}",
            out.stderr
        );
        assert!(out.stderr.contains("/dev/full"), "{}", out.stderr);
    }
}
