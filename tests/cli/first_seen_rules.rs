//! The default first-seen rules and `ctfilter test` histories (issue 13):
//! a multi-week corpus with injected firsts replayed with `--state` reports
//! exactly the injected events after learning and none during it, a split
//! replay equals one run, the pack without `--state` changes nothing, and a
//! rule test's `history:` is run in order and its failures are reported.

use crate::generator::{write_weeks, Weeks, WeeksStats};
use crate::util::{ctfilter, TempDir};
use std::collections::{BTreeMap, BTreeSet};

/// Small enough for a debug build: three weeks of 40 generator records a
/// day plus the known actors (about 1,100 records).
fn weeks() -> (String, WeeksStats) {
    let mut out = Vec::new();
    let stats = write_weeks(
        &Weeks {
            seed: 7,
            days: 21,
            per_day: 40,
        },
        &mut out,
    )
    .unwrap();
    (String::from_utf8(out).unwrap(), stats)
}

/// eventID -> (eventTime, the first-seen rules that fired), for every
/// record whose verdict carries `first_seen`.
fn fired(stdout: &str) -> BTreeMap<String, (String, Vec<String>)> {
    let mut out = BTreeMap::new();
    for line in stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(list) = v["ctfilter"]["first_seen"].as_array() else {
            continue;
        };
        let rules = list
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect();
        out.insert(
            v["eventID"].as_str().unwrap().to_string(),
            (v["eventTime"].as_str().unwrap().to_string(), rules),
        );
    }
    out
}

/// A fixed clock, so `latency_s` does not differ between runs.
const NOW: &str = "2026-01-15T10:00:00Z";

fn run_state(state: &str, input: &str) -> String {
    let out = ctfilter(&["--state", state, "--now", NOW])
        .stdin(input)
        .run();
    out.assert_code(0);
    out.stdout
}

#[test]
fn the_default_rules_report_exactly_the_injected_firsts_after_learning() {
    let tmp = TempDir::new("first-seen-weeks");
    let (corpus, stats) = weeks();
    let out = fired(&run_state(&tmp.file("w.state"), &corpus));
    let expected: BTreeSet<&str> = stats
        .injected
        .iter()
        .filter(|i| !i.learning)
        .map(|i| i.event_id.as_str())
        .collect();
    assert!(
        expected.len() >= 17,
        "every kind is injected after learning"
    );
    assert!(
        stats.injected.iter().any(|i| i.learning),
        "some firsts are injected during learning"
    );
    let got: BTreeSet<&str> = out.keys().map(String::as_str).collect();
    assert_eq!(got, expected, "reported firsts: {out:#?}");
    for (id, (time, _)) in &out {
        assert!(
            *time >= stats.learning_ends,
            "{id} reported at {time}, during learning"
        );
    }
    for i in stats.injected.iter().filter(|i| !i.learning) {
        let rules = &out[&i.event_id].1;
        assert!(
            rules.iter().any(|r| r == i.rule),
            "{} was meant for {}, fired {rules:?}",
            i.event_id,
            i.rule
        );
    }
    // Every default first-seen rule is exercised.
    let meant: BTreeSet<&str> = stats.injected.iter().map(|i| i.rule).collect();
    let listed = ctfilter(&["rules", "--json"]).run();
    let pack: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let first_seen_rules: BTreeSet<&str> = pack
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["id"].as_str().unwrap().contains("-first-"))
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(meant, first_seen_rules);
}

#[test]
fn a_weeks_replay_split_in_two_runs_sharing_the_state_equals_one_run() {
    let tmp = TempDir::new("first-seen-weeks");
    let (corpus, stats) = weeks();
    let lines: Vec<&str> = corpus.split_inclusive('\n').collect();
    let whole = run_state(&tmp.file("whole.state"), &corpus);
    // In learning, at its end, just before the first reported injection
    // and one record after it.
    let learning_end = lines
        .iter()
        .position(|l| l.contains(&format!("\"eventTime\":\"{}", &stats.learning_ends[..10])))
        .unwrap();
    let first = &stats
        .injected
        .iter()
        .find(|i| !i.learning)
        .unwrap()
        .event_id;
    let injected_at = lines
        .iter()
        .position(|l| l.contains(first.as_str()))
        .unwrap();
    for split in [lines.len() / 5, learning_end, injected_at, injected_at + 1] {
        let state = tmp.file(&format!("split-{split}.state"));
        let a = run_state(&state, &lines[..split].concat());
        let b = run_state(&state, &lines[split..].concat());
        assert!(
            a + &b == whole,
            "split at line {split} differs from one run"
        );
    }
}

#[test]
fn without_state_the_first_seen_rules_change_nothing() {
    let tmp = TempDir::new("first-seen-weeks");
    let (corpus, _) = weeks();
    let listed = ctfilter(&["rules", "--json"]).run();
    let pack: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let ids: Vec<&str> = pack
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .filter(|id| id.contains("-first-"))
        .collect();
    assert!(ids.len() >= 15, "{ids:?}");
    let disable = tmp.file("disable.yml");
    std::fs::write(&disable, format!("disable: [{}]\n", ids.join(", "))).unwrap();
    let with = ctfilter(&["--now", NOW]).stdin(corpus.as_str()).run();
    let without = ctfilter(&["--now", NOW, "-r", &disable])
        .stdin(corpus.as_str())
        .run();
    with.assert_code(0);
    assert!(!with.stdout.contains("\"first_seen\""));
    assert!(
        with.stdout == without.stdout,
        "first-seen rules changed the output without --state"
    );
}

const SITE: &str = r#"rules:
  - id: new-region
    title: New region for a user
    severity: low
    category: recon
    rationale: test
    events: [sts:GetCallerIdentity]
    first_seen: {by: [userIdentity.arn, awsRegion], within: 1d}
    tests:
      - name: passes
        match: true
        severity: low
        identity: machine
        history:
          - record: &r {eventSource: sts.amazonaws.com, eventName: GetCallerIdentity, eventTime: "2026-01-15T10:00:00Z", awsRegion: us-east-1, userIdentity: {type: IAMUser, arn: "arn:aws:iam::1:user/a"}}
            match: true
          - record: {<<: *r, eventTime: "2026-01-15T11:00:00Z"}
            match: false
        record: {<<: *r, eventTime: "2026-01-15T12:00:00Z", awsRegion: eu-west-1}
      - name: history expectation wrong
        match: true
        history:
          - record: *r
          - record: {<<: *r, eventTime: "2026-01-15T11:00:00Z"}
            match: true
        record: {<<: *r, eventTime: "2026-01-15T12:00:00Z", awsRegion: eu-west-1}
      - name: seen in the history, so not new
        match: true
        history:
          - record: *r
        record: {<<: *r, eventTime: "2026-01-15T12:00:00Z"}
      - name: after its window it is new again
        match: true
        history:
          - record: *r
        record: {<<: *r, eventTime: "2026-01-16T10:00:01Z"}
      - name: no event time
        match: true
        record: {eventSource: sts.amazonaws.com, eventName: GetCallerIdentity, userIdentity: {type: IAMUser, arn: x}}
"#;

#[test]
fn rule_tests_run_their_history_in_order_and_report_each_failure() {
    let tmp = TempDir::new("first-seen-test");
    let file = tmp.file("site.yml");
    std::fs::write(&file, SITE).unwrap();
    let out = ctfilter(&["test", "--no-default-rules", &file]).run();
    out.assert_code(1);
    let fails: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("FAIL "))
        .collect();
    assert_eq!(fails.len(), 3, "{}", out.stdout);
    for want in [
        "FAIL new-region / history expectation wrong",
        "history record 2 (",
        "- expected: true\n    + actual:   false (matched rules: [])",
        "FAIL new-region / seen in the history, so not new",
        "FAIL new-region / no event time",
        "no valid eventTime, which a first-seen test needs",
        "rule tests: 2 passed, 3 failed",
    ] {
        assert!(
            out.stdout.contains(want),
            "missing {want:?} in\n{}",
            out.stdout
        );
    }
}

#[test]
fn a_history_record_must_be_a_mapping_and_steps_deny_unknown_keys() {
    let tmp = TempDir::new("first-seen-test");
    let file = tmp.file("bad.yml");
    for (bad, message) in [
        (
            SITE.replacen(
                "            match: false\n",
                "            matches: false\n",
                1,
            ),
            "matches",
        ),
        (
            SITE.replacen("          - record: *r\n", "          - record: [1]\n", 1),
            "a test record must be a mapping",
        ),
    ] {
        assert_ne!(bad, SITE);
        std::fs::write(&file, bad).unwrap();
        let out = ctfilter(&["check", "--no-default-rules", &file]).run();
        out.assert_code(2);
        assert!(out.stdout.contains(message), "{}", out.stdout);
    }
}
