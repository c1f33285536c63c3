//! `--dedupe` (issue 13): exact repeats of an `eventID` are dropped and
//! counted as their own stage, records with an `addendum` are kept and
//! marked `update_of`, the window is event time, it works in memory without
//! `--state` and persists with it, and threads do not change the output.

use super::state_flags::line;
use crate::util::{ctfilter, records, TempDir};

const RECORD: &str = r#"{"eventVersion":"1.08","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventTime":"T","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"ID","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"}}"#;

fn rec(id: &str, time: &str) -> String {
    RECORD
        .replace("\"ID\"", &format!("\"{id}\""))
        .replace("\"T\"", &format!("\"{time}\""))
        + "\n"
}

/// An update of `original`, delivered as its own record with a new eventID.
fn addendum(id: &str, original: &str, time: &str) -> String {
    rec(id, time).replace(
        "\"userIdentity\"",
        &format!(
            r#""addendum":{{"reason":"DELIVERY_DELAY","updatedFields":"tlsDetails","originalRequestID":"r1","originalEventID":"{original}"}},"userIdentity""#
        ),
    )
}

fn ids(stdout: &str) -> Vec<String> {
    records(stdout)
        .iter()
        .map(|r| r["eventID"].as_str().unwrap().to_string())
        .collect()
}

const T0: &str = "2026-01-15T10:00:00Z";

fn input() -> String {
    [
        rec("e1", T0),
        rec("e2", T0),
        rec("e1", T0),
        // Out of order inside a file, same ID and time: still a repeat.
        rec("e2", T0),
        addendum("e3", "e1", "2026-01-15T10:00:05Z"),
        // An addendum is never a duplicate, even repeated.
        addendum("e3", "e1", "2026-01-15T10:00:05Z"),
        rec("e1", "2026-01-15T10:30:00Z"),
    ]
    .concat()
}

#[test]
fn drops_exact_repeats_and_keeps_addenda_marked() {
    let out = ctfilter(&["--dedupe", "--stats"]).stdin(input()).run();
    out.assert_code(0);
    assert_eq!(ids(&out.stdout), ["e1", "e2", "e3", "e3"], "{}", out.stderr);
    let kept = records(&out.stdout);
    assert!(kept[0]["ctfilter"].get("update_of").is_none());
    assert_eq!(kept[2]["ctfilter"]["update_of"], "e1");
    let st = line(&out.stderr);
    let c = &st["ctfilter_stats"];
    assert_eq!(c["filtered_by_stage"]["duplicate"], 3, "{st}");
    assert_eq!(c["balanced"], true);
    assert_eq!(st["state"]["deduplicated"], 3);
    // Without --dedupe: every record, no update_of, no state object.
    let plain = ctfilter(&["--stats"]).stdin(input()).run();
    assert_eq!(ids(&plain.stdout).len(), 7);
    assert!(!plain.stdout.contains("update_of"));
    assert!(line(&plain.stderr).get("state").is_none());
}

#[test]
fn ocsf_and_ecs_carry_update_of() {
    for format in ["ocsf", "ecs"] {
        let out = ctfilter(&["--dedupe", "--format", format])
            .stdin(addendum("e3", "e1", T0))
            .run();
        out.assert_code(0);
        assert!(
            out.stdout.contains(r#""update_of":"e1""#),
            "{format}: {}",
            out.stdout
        );
    }
}

#[test]
fn the_window_is_event_time() {
    let later = [rec("e1", T0), rec("e1", "2026-01-15T10:10:00Z")].concat();
    let out = ctfilter(&["--dedupe", "--dedupe-window", "5m"])
        .stdin(later.clone())
        .run();
    assert_eq!(
        ids(&out.stdout),
        ["e1", "e1"],
        "10 minutes apart, window 5m"
    );
    let out = ctfilter(&["--dedupe", "--dedupe-window", "15m"])
        .stdin(later)
        .run();
    assert_eq!(ids(&out.stdout), ["e1"]);
    let bad = ctfilter(&["--dedupe", "--dedupe-window", "0s"]).run();
    bad.assert_code(2);
    assert!(
        bad.stderr.starts_with("ctfilter: --dedupe-window:"),
        "{}",
        bad.stderr
    );
}

#[test]
fn without_state_it_is_in_memory_and_with_state_it_persists() {
    let tmp = TempDir::new("dedupe");
    let state = tmp.file("d.state");
    let first = ctfilter(&["--dedupe"]).stdin(rec("e1", T0)).run();
    assert_eq!(ids(&first.stdout), ["e1"]);
    let again = ctfilter(&["--dedupe"]).stdin(rec("e1", T0)).run();
    assert_eq!(
        ids(&again.stdout),
        ["e1"],
        "nothing remembered between runs"
    );
    let with = ["--dedupe", "--state", &state];
    let first = ctfilter(&with).stdin(rec("e1", T0)).run();
    assert_eq!(ids(&first.stdout), ["e1"]);
    let again = ctfilter(&with).stdin(rec("e1", T0)).run();
    assert_eq!(again.stdout, "", "the state file remembers e1");
}

#[test]
fn threads_do_not_change_dedupe_output() {
    let mut many = String::new();
    for i in 0..3000 {
        many.push_str(&rec(&format!("e{}", i % 1000), T0));
        if i % 7 == 0 {
            many.push_str(&addendum(&format!("u{i}"), &format!("e{i}"), T0));
        }
    }
    let run = |threads| {
        ctfilter(&["--dedupe", "--threads", threads, "--now", T0])
            .stdin(many.clone())
            .run()
    };
    let (one, two) = (run("1"), run("2"));
    one.assert_code(0);
    two.assert_code(0);
    assert_eq!(ids(&one.stdout).len(), 1000 + 429);
    assert!(one.stdout == two.stdout, "--threads 2 output differs");
}
