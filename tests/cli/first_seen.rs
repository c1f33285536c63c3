//! First-seen rules (issue 13): the YAML spelling, its errors, and that
//! without `--state` such a rule is inactive and the output is today's.

use crate::util::{ctfilter, TempDir};

const RULE: &str = "rules:
  - id: fs1
    title: New API for a principal
    severity: medium
    category: discovery
    events: [secretsmanager:ListSecrets]
    first_seen: {by: [userIdentity.arn, eventName], within: 10d}
";

const RECORD: &str = r#"{"eventVersion":"1.08","eventSource":"secretsmanager.amazonaws.com","eventName":"ListSecrets","eventTime":"2026-01-15T10:00:00Z","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"e1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"}}"#;

#[test]
fn check_says_a_first_seen_rule_is_inactive_without_state() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("fs.yml");
    std::fs::write(&file, RULE).unwrap();
    let out = ctfilter(&["check", "--no-default-rules", &file]).run();
    out.assert_code(0);
    assert!(
        out.stdout.contains(
            "rule 'fs1' is a first-seen rule (by userIdentity.arn,eventName): inactive without --state"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn without_state_a_first_seen_rule_never_matches() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("fs.yml");
    std::fs::write(&file, RULE).unwrap();
    let input = format!("{RECORD}\n{RECORD}\n");
    let out = ctfilter(&["--no-default-rules", "-r", &file])
        .stdin(input)
        .run();
    out.assert_code(0);
    assert_eq!(out.stdout, "", "an inactive rule keeps nothing");
}

#[test]
fn bad_first_seen_blocks_are_reported_with_positions() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("bad.yml");
    let bad = RULE.replace(
        "{by: [userIdentity.arn, eventName], within: 10d}",
        "{by: [eventName, eventName, 'a..b'], within: 10x}",
    );
    std::fs::write(&file, bad).unwrap();
    let out = ctfilter(&["check", "--no-default-rules", &file]).run();
    out.assert_code(2);
    for want in [
        "field 'eventName' is listed twice in 'by'",
        "empty step in field path 'a..b'",
        "'10x' is not a duration",
    ] {
        assert!(
            out.stdout.contains(want),
            "missing {want:?} in {}",
            out.stdout
        );
    }
    let empty = RULE.replace("[userIdentity.arn, eventName]", "[]");
    std::fs::write(&file, empty).unwrap();
    let out = ctfilter(&["check", "--no-default-rules", &file]).run();
    out.assert_code(2);
    assert!(
        out.stdout.contains("needs at least one field"),
        "{}",
        out.stdout
    );
}

/// A ListSecrets by `user` at `time`, with a unique eventID.
fn call(n: usize, time: &str, user: &str) -> String {
    RECORD
        .replace("2026-01-15T10:00:00Z", time)
        .replace("user/a", &format!("user/{user}"))
        .replace("\"e1\"", &format!("\"e{n}\""))
}

/// Three days: day 1 learns a and b; day 2 repeats them and brings c (new);
/// day 3 brings d (new) and c again (seen).
fn corpus() -> Vec<String> {
    let plan = [
        ("2026-01-01T01:00:00Z", "a"),
        ("2026-01-01T05:00:00Z", "b"),
        ("2026-01-01T20:00:00Z", "a"),
        ("2026-01-11T02:00:00Z", "a"),
        ("2026-01-11T03:00:00Z", "c"),
        ("2026-01-11T02:30:00Z", "b"),
        ("2026-01-12T04:00:00Z", "d"),
        ("2026-01-12T05:00:00Z", "c"),
    ];
    plan.iter()
        .enumerate()
        .map(|(n, (t, u))| call(n, t, u) + "\n")
        .collect()
}

fn kept_users(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["userIdentity"]["arn"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn with_state_learns_one_window_then_reports_exactly_new_tuples() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("fs.yml");
    std::fs::write(&file, RULE).unwrap();
    let state = tmp.file("ctfilter.state");
    let args = [
        "--no-default-rules",
        "-r",
        &file,
        "--state",
        &state,
        "--now",
        "2026-01-15T10:00:00Z",
    ];
    let out = ctfilter(&args).stdin(corpus().concat()).run();
    out.assert_code(0);
    assert_eq!(kept_users(&out.stdout), ["c", "d"], "{}", out.stderr);
    assert!(std::path::Path::new(&state).exists(), "state saved at exit");
    // A rerun of the same corpus over the saved state reports nothing new.
    let again = ctfilter(&args).stdin(corpus().concat()).run();
    again.assert_code(0);
    assert_eq!(again.stdout, "");
    // --state-reset starts afresh.
    let mut reset = args.to_vec();
    reset.push("--state-reset");
    let fresh = ctfilter(&reset).stdin(corpus().concat()).run();
    assert_eq!(fresh.stdout, out.stdout);
}

#[test]
fn a_replay_split_in_two_runs_sharing_the_state_equals_one_run() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("fs.yml");
    std::fs::write(&file, RULE).unwrap();
    let records = corpus();
    let whole_state = tmp.file("whole.state");
    let run = |state: &str, input: String| {
        let out = ctfilter(&[
            "--no-default-rules",
            "-r",
            &file,
            "--state",
            state,
            "--now",
            "2026-01-15T10:00:00Z",
        ])
        .stdin(input)
        .run();
        out.assert_code(0);
        out.stdout
    };
    let whole = run(&whole_state, records.concat());
    for split in 0..=records.len() {
        let state = tmp.file(&format!("split-{split}.state"));
        let first = run(&state, records[..split].concat());
        let second = run(&state, records[split..].concat());
        assert_eq!(first + &second, whole, "split at {split}");
    }
}

#[test]
fn threads_do_not_change_first_seen_output() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("fs.yml");
    std::fs::write(&file, RULE).unwrap();
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let state = tmp.file(&format!("t{threads}.state"));
        let out = ctfilter(&[
            "--no-default-rules",
            "-r",
            &file,
            "--state",
            &state,
            "--threads",
            threads,
            "--now",
            "2026-01-15T10:00:00Z",
        ])
        .stdin(corpus().concat())
        .run();
        out.assert_code(0);
        outs.push(out.stdout);
    }
    assert_eq!(outs[0], outs[1]);
    assert_eq!(kept_users(&outs[0]), ["c", "d"]);
}

#[test]
fn a_broken_state_file_is_exit_2_with_its_path_and_is_not_overwritten() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("fs.yml");
    std::fs::write(&file, RULE).unwrap();
    let good = tmp.file("good.state");
    ctfilter(&["--no-default-rules", "-r", &file, "--state", &good])
        .stdin(corpus().concat())
        .run()
        .assert_code(0);
    let bytes = std::fs::read(&good).unwrap();
    let mut flipped = bytes.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x55;
    let cases: [(&str, Vec<u8>); 3] = [
        ("corrupt", flipped),
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        (
            "foreign",
            b"this is not a ctfilter state file, just text\n".to_vec(),
        ),
    ];
    for (name, content) in cases {
        let path = tmp.file(&format!("{name}.state"));
        std::fs::write(&path, &content).unwrap();
        let out = ctfilter(&["--no-default-rules", "-r", &file, "--state", &path])
            .stdin(corpus().concat())
            .run();
        out.assert_code(2);
        assert!(
            out.stderr.starts_with(&format!("ctfilter: {path}: ")),
            "{name}: {}",
            out.stderr
        );
        assert_eq!(out.stdout, "", "{name}: nothing read");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            content,
            "{name}: left as it was"
        );
    }
}

#[test]
fn the_verdict_names_the_rule_the_tuple_and_the_previous_sighting() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("fs.yml");
    std::fs::write(&file, RULE).unwrap();
    let state = tmp.file("v.state");
    let base = [
        "--no-default-rules",
        "-r",
        &file,
        "--state",
        &state,
        "--now",
        "2026-01-15T10:00:00Z",
    ];
    let out = ctfilter(&base).stdin(corpus().concat()).run();
    out.assert_code(0);
    let first: serde_json::Value =
        serde_json::from_str(out.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(
        first["ctfilter"]["first_seen"],
        serde_json::json!([{
            "rule": "fs1",
            "by": {"userIdentity.arn": "arn:aws:iam::111122223333:user/c", "eventName": "ListSecrets"},
            "previous": null
        }])
    );
    assert_eq!(first["ctfilter"]["rules"], serde_json::json!(["fs1"]));
    // c again after its window: new again, with its last sighting.
    let late = call(99, "2026-01-25T00:00:00Z", "c") + "\n";
    let out = ctfilter(&base).stdin(late.clone()).run();
    let v: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    let previous = &v["ctfilter"]["first_seen"][0]["previous"];
    assert!(
        previous.is_null() || previous == "2026-01-12T05:00:00Z",
        "{previous}"
    );
    // OCSF and ECS carry the verdict, so they carry first_seen too.
    for format in ["ocsf", "ecs"] {
        let state = tmp.file(&format!("{format}.state"));
        let out = ctfilter(&[
            "--no-default-rules",
            "-r",
            &file,
            "--state",
            &state,
            "--format",
            format,
            "--now",
            "2026-01-15T10:00:00Z",
        ])
        .stdin(corpus().concat())
        .run();
        out.assert_code(0);
        assert_eq!(out.stdout.lines().count(), 2, "{format}");
        assert!(
            out.stdout.contains(r#""first_seen":[{"rule":"fs1""#),
            "{format}: {}",
            out.stdout
        );
    }
}

#[test]
fn three_processes_on_an_account_partition_emit_what_one_process_emits() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("fs.yml");
    std::fs::write(&file, RULE).unwrap();
    // Six accounts; each starts on day 1 so every partition learns the same
    // window as the single run (learning starts at a state's first record).
    let accounts: Vec<String> = (0..6).map(|n| format!("10000000000{n}")).collect();
    let mut records = Vec::new();
    for (n, account) in accounts.iter().enumerate() {
        let at = |time: &str, user: &str, id: usize| {
            call(id, time, user).replace("111122223333", account) + "\n"
        };
        records.push(at("2026-01-01T01:00:00Z", "a", n * 10));
        records.push(at("2026-01-01T02:00:00Z", "b", n * 10 + 1));
        records.push(at("2026-01-10T23:00:00Z", "a", n * 10 + 2));
        records.push(at(
            &format!("2026-01-11T0{}:00:00Z", 4 + n % 3),
            "new",
            n * 10 + 3,
        ));
        records.push(at("2026-01-12T05:00:00Z", &format!("u{n}"), n * 10 + 4));
    }
    // Interleave accounts, as one stream would.
    records.sort_by_key(|r| r[r.find("eventTime").unwrap()..][12..32].to_string());
    let run = |state: &str, input: String| {
        let out = ctfilter(&[
            "--no-default-rules",
            "-r",
            &file,
            "--state",
            state,
            "--now",
            "2026-01-15T10:00:00Z",
        ])
        .stdin(input)
        .run();
        out.assert_code(0);
        out.stdout
    };
    let single = run(&tmp.file("single.state"), records.concat());
    assert_eq!(single.lines().count(), 12, "{single}");
    let partition = |r: &str| {
        let v: serde_json::Value = serde_json::from_str(r).unwrap();
        let account = v["recipientAccountId"].as_str().unwrap();
        account.bytes().map(usize::from).sum::<usize>() % 3
    };
    let mut union: Vec<String> = Vec::new();
    for p in 0..3 {
        let part: String = records
            .iter()
            .filter(|r| partition(r) == p)
            .cloned()
            .collect();
        assert!(!part.is_empty(), "partition {p} is empty");
        union.extend(
            run(&tmp.file(&format!("p{p}.state")), part)
                .lines()
                .map(String::from),
        );
    }
    let mut single: Vec<String> = single.lines().map(String::from).collect();
    single.sort();
    union.sort();
    assert_eq!(union, single);
}

#[test]
fn stats_say_when_learning_ends_and_count_the_state() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("fs.yml");
    std::fs::write(&file, RULE).unwrap();
    let state = tmp.file("s.state");
    let out = ctfilter(&[
        "--no-default-rules",
        "-r",
        &file,
        "--state",
        &state,
        "--stats",
    ])
    .stdin(corpus().concat())
    .run();
    out.assert_code(0);
    let line = out
        .stderr
        .lines()
        .find(|l| l.starts_with("{\"ctfilter_stats\""))
        .unwrap();
    let stats: serde_json::Value = serde_json::from_str(line).unwrap();
    let s = &stats["state"];
    assert_eq!(s["learning_ends"], "2026-01-11T01:00:00Z", "{stats}");
    assert_eq!(s["created"], "2026-01-01T01:00:00Z");
    assert_eq!(
        (s["new"].as_u64(), s["entries"].as_u64()),
        (Some(2), Some(4))
    );
    // Without --state there is no "state" key: the stats are today's.
    let plain = ctfilter(&["--no-default-rules", "-r", &file, "--stats"])
        .stdin(corpus().concat())
        .run();
    assert!(!plain.stderr.contains("\"state\""), "{}", plain.stderr);
}
