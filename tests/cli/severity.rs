//! Severity semantics: the highest matching rule wins, a denied call is
//! bumped one tier, root is at least high, and Insights records bypass
//! `--identity`.

use crate::util::*;
use serde_json::Value;

fn severity_of(line: &str, extra: &[&str]) -> Option<String> {
    let mut args = with_test_rules(extra);
    args.push("-");
    let out = ctfilter(&args).stdin(format!("{line}\n")).run();
    out.assert_clean();
    let records = out.records();
    assert!(records.len() <= 1);
    records
        .first()
        .map(|r| r["ctfilter"]["severity"].as_str().unwrap().to_string())
}

fn sev(line: &str) -> String {
    severity_of(line, &[]).expect("record is kept")
}

#[test]
fn highest_matching_rule_wins_whatever_the_rule_order() {
    // req-0003 matches t-access-key-for-other-user (high, first) and
    // t-iam-change-from-cli (low, second); req-0006 (without its error)
    // matches t-iam-change-from-cli (low, first) and t-admin-policy-attached
    // (medium, second).
    assert_eq!(sev(&record_line("req-0003")), "high");
    let undenied = edit_record(&record_line("req-0006"), |r| {
        r.remove("errorCode");
        r.remove("errorMessage");
    });
    assert_eq!(sev(&undenied), "medium");
}

#[test]
fn a_denied_call_is_bumped_one_tier() {
    let denied = record_line("req-0006");
    let allowed = edit_record(&denied, |r| {
        r.remove("errorCode");
        r.remove("errorMessage");
    });
    assert_eq!(sev(&allowed), "medium");
    assert_eq!(sev(&denied), "high");
}

#[test]
fn an_error_message_alone_also_bumps() {
    let line = edit_record(&record_line("req-0006"), |r| {
        r.remove("errorCode");
    });
    assert_eq!(sev(&line), "high");
}

#[test]
fn an_ignored_error_code_is_not_bumped() {
    let line = edit_record(&record_line("req-0006"), |r| {
        r.insert("errorCode".into(), "Client.DryRunOperation".into());
        r.remove("errorMessage");
    });
    assert_eq!(sev(&line), "medium");
}

#[test]
fn a_denied_critical_call_stays_critical() {
    let line = edit_record(&record_line("req-0001"), |r| {
        r.insert("errorCode".into(), "AccessDenied".into());
    });
    assert_eq!(sev(&line), "critical");
}

#[test]
fn a_denied_call_no_rule_matches_is_bumped_from_the_default_severity() {
    let line = edit_record(&record_line("req-0007"), |r| {
        r.insert("errorCode".into(), "Client.UnauthorizedOperation".into());
    });
    assert_eq!(severity_of(&line, &["--events", "*"]).unwrap(), "low");
}

#[test]
fn root_is_at_least_high() {
    assert_eq!(
        sev(&record_line("req-0005")),
        "high",
        "a low rule on a root call is raised to high"
    );
    let root_stop = edit_record(&record_line("req-0001"), |r| {
        r["userIdentity"] = serde_json::json!({"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"});
    });
    assert_eq!(sev(&root_stop), "critical", "the floor never lowers");
    let root_describe = edit_record(&record_line("req-0007"), |r| {
        r["userIdentity"] = serde_json::json!({"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"});
    });
    assert_eq!(
        severity_of(&root_describe, &["--events", "*"]).unwrap(),
        "high",
        "even when no rule matches"
    );
}

#[test]
fn min_severity_applies_after_the_bump_and_the_root_floor() {
    assert!(
        severity_of(&record_line("req-0006"), &["--min-severity", "high"]).is_some(),
        "medium + denied = high"
    );
    assert!(
        severity_of(&record_line("req-0005"), &["--min-severity", "high"]).is_some(),
        "low root call = high"
    );
    assert!(severity_of(&record_line("req-0004"), &["--min-severity", "high"]).is_none());
}

#[test]
fn insights_records_bypass_the_identity_filter() {
    let insight = record_line("insight");
    for class in ["human", "machine", "service", "human,service"] {
        assert_eq!(
            severity_of(&insight, &["--identity", class]).as_deref(),
            Some("medium"),
            "--identity {class} keeps Insights records"
        );
    }
}

#[test]
fn insights_records_are_still_subject_to_scope_and_severity() {
    let insight = record_line("insight");
    assert!(severity_of(&insight, &["--regions", "eu-west-1"]).is_none());
    assert!(severity_of(&insight, &["--categories", "management"]).is_none());
    assert!(severity_of(&insight, &["--min-severity", "high"]).is_none());
}

#[test]
fn settings_in_a_rule_file_change_bump_floor_and_default() {
    let dir = TempDir::new("settings");
    let rules = dir.write(
        "settings.yml",
        "version: 1\nsettings:\n  denied_bump: 2\n  root_min_severity: critical\n  default_severity: low\n",
    );
    let run = |line: &str| {
        let out = ctfilter(&with_test_rules(&["-r", &rules, "--events", "*", "-"]))
            .stdin(format!("{line}\n"))
            .run();
        out.assert_clean();
        out.records()[0]["ctfilter"]["severity"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        run(&record_line("req-0006")),
        "critical",
        "medium + 2 tiers"
    );
    assert_eq!(run(&record_line("req-0005")), "critical", "root floor");
    assert_eq!(run(&record_line("req-0007")), "low", "default severity");
}

#[test]
fn severities_are_counted_in_the_stats() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--stats",
        "fixtures/records.ndjson",
    ]))
    .run();
    out.assert_code(0);
    let stats = out.stats();
    let mut counted = std::collections::BTreeMap::new();
    for record in out.records() {
        *counted
            .entry(record["ctfilter"]["severity"].as_str().unwrap().to_string())
            .or_insert(0u64) += 1;
    }
    for (level, n) in stats["emitted_by_severity"].as_object().unwrap() {
        assert_eq!(
            counted.get(level).copied().unwrap_or(0),
            n.as_u64().unwrap(),
            "{level}"
        );
    }
    assert_eq!(stats["emitted_by_severity"]["info"], Value::from(3));
}
