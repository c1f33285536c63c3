//! Every field of the added `ctfilter` object, and golden files for the whole
//! output of fixtures/records.ndjson.

use crate::util::*;
use serde_json::{json, Value};

/// Verdicts of records.ndjson with the test rules and `--events '*'`, by id.
fn verdicts() -> Vec<(String, Value)> {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "fixtures/records.ndjson",
    ]))
    .run();
    out.assert_clean();
    let records = out.records();
    ids(&records)
        .into_iter()
        .zip(records.into_iter().map(|mut r| r["ctfilter"].take()))
        .collect()
}

fn verdict(id: &str) -> Value {
    let id = if id == "insight" {
        "00000000-0000-4000-8000-000000000009"
    } else {
        id
    };
    verdicts()
        .into_iter()
        .find(|(i, _)| i == id)
        .unwrap_or_else(|| panic!("no output for {id}"))
        .1
}

/// The verdict for one record given on stdin.
fn verdict_of(line: &str, extra: &[&str]) -> Value {
    let mut args = with_test_rules(&["--events", "*"]);
    args.extend_from_slice(extra);
    let out = ctfilter(&args).stdin(format!("{line}\n")).run();
    out.assert_clean();
    let mut records = out.records();
    assert_eq!(records.len(), 1);
    records[0]["ctfilter"].take()
}

#[test]
fn golden_output_of_records_with_test_rules() {
    let out = ctfilter(&with_test_rules(&["fixtures/records.ndjson"])).run();
    out.assert_clean();
    out.records();
    assert_golden("records.test-rules.ndjson", &out.stdout);
}

#[test]
fn golden_output_of_records_with_every_event_kept() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "fixtures/records.ndjson",
    ]))
    .run();
    out.assert_clean();
    assert_golden("records.all-events.ndjson", &out.stdout);
}

#[test]
fn verdict_has_every_documented_field_in_order() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "fixtures/records.ndjson",
    ]))
    .run();
    out.assert_clean();
    for line in out.stdout.lines() {
        let verdict = &line[line.find(",\"ctfilter\":{").expect("verdict") + 12..];
        let mut at = 0;
        for key in [
            "severity",
            "score",
            "category",
            "title",
            "rules",
            "attack",
            "identity",
            "service",
            "action",
            "region",
            "account",
            "outcome",
            "error",
            "read_only",
            "latency_s",
        ] {
            let pos = verdict[at..]
                .find(&format!("\"{key}\":"))
                .unwrap_or_else(|| panic!("{key} missing or out of order in {verdict}"));
            at += pos;
        }
        let identity = &verdict[verdict.find("\"identity\":{").unwrap()..];
        let mut at = 0;
        for key in [
            "class", "signal", "type", "name", "arn", "account", "mfa", "console",
        ] {
            at += identity[at..]
                .find(&format!("\"{key}\":"))
                .unwrap_or_else(|| panic!("identity.{key} missing in {identity}"));
        }
    }
}

#[test]
fn severity_and_category_and_title_come_from_the_highest_rule() {
    let v = verdict("req-0001");
    assert_eq!(v["severity"], "critical");
    assert_eq!(v["category"], "logging");
    assert_eq!(v["title"], "Trail logging stopped");
    assert_eq!(v["rules"], json!(["t-stop-logging"]));
    assert_eq!(v["attack"], json!(["T1562.008"]));
}

#[test]
fn record_no_rule_matches_has_category_none_and_null_title() {
    let v = verdict("req-0007");
    assert_eq!(v["severity"], "info");
    assert_eq!(v["score"], 10);
    assert_eq!(v["category"], "none");
    assert_eq!(v["title"], Value::Null);
    assert_eq!(v["rules"], json!([]));
    assert_eq!(v["attack"], json!([]));
    assert!(v.get("authors").is_none());
}

#[test]
fn rules_lists_every_matching_rule_and_attack_is_their_deduplicated_union() {
    let v = verdict("req-0003");
    assert_eq!(
        v["rules"],
        json!(["t-access-key-for-other-user", "t-iam-change-from-cli"])
    );
    assert_eq!(v["attack"], json!(["T1098.001", "T1098"]));
    assert_eq!(v["authors"], json!(["ctfilter tests"]));
    assert_eq!(v["category"], "persistence");
    assert_eq!(v["title"], "Access key created for another user");
}

#[test]
fn score_lies_inside_the_severity_band_for_every_record() {
    for (id, v) in verdicts() {
        let score = v["score"].as_u64().unwrap();
        let base = match v["severity"].as_str().unwrap() {
            "info" => 10,
            "low" => 30,
            "medium" => 50,
            "high" => 70,
            "critical" => 90,
            other => panic!("{id}: unknown severity {other}"),
        };
        assert!(
            (base..base + 10).contains(&score),
            "{id}: score {score} outside the {} band",
            v["severity"]
        );
        assert!(score <= 100);
    }
}

#[test]
fn score_grows_with_matched_rules_and_a_denied_call() {
    assert_eq!(verdict("req-0002")["score"], 70, "one rule");
    assert_eq!(verdict("req-0003")["score"], 72, "two rules");
    assert_eq!(
        verdict("req-0006")["score"],
        75,
        "two rules and a denied call"
    );
}

#[test]
fn identity_of_an_iam_user() {
    let v = verdict("req-0001");
    assert_eq!(
        v["identity"],
        json!({
            "class": "human", "signal": "t-id-iam-user", "type": "IAMUser", "name": "alice",
            "arn": "arn:aws:iam::111122223333:user/alice", "account": "111122223333", "mfa": null, "console": false
        })
    );
}

#[test]
fn identity_of_an_assumed_role_takes_the_session_name_and_string_mfa() {
    let v = verdict("req-0002");
    assert_eq!(
        v["identity"],
        json!({
            "class": "machine", "signal": "default", "type": "AssumedRole", "name": "bob",
            "arn": "arn:aws:sts::111122223333:assumed-role/Admin/bob", "account": "111122223333", "mfa": false, "console": false
        })
    );
}

#[test]
fn identity_of_root_with_mfa_from_the_console() {
    let v = verdict("req-0005");
    assert_eq!(v["identity"]["class"], "human");
    assert_eq!(v["identity"]["signal"], "t-id-root");
    assert_eq!(v["identity"]["type"], "Root");
    assert_eq!(v["identity"]["name"], "root");
    assert_eq!(v["identity"]["mfa"], true);
    assert_eq!(
        v["identity"]["console"], true,
        "sessionCredentialFromConsole: \"true\""
    );
}

#[test]
fn identity_of_a_console_sign_in_takes_mfa_from_additional_event_data() {
    let v = verdict("req-0004");
    assert_eq!(v["identity"]["signal"], "t-id-console-sign-in");
    assert_eq!(v["identity"]["mfa"], false, "MFAUsed: No");
    assert_eq!(v["identity"]["console"], true);
    assert_eq!(verdict("req-0012")["identity"]["mfa"], true, "MFAUsed: Yes");
}

#[test]
fn identity_of_an_aws_service_principal() {
    let v = verdict("req-0008");
    assert_eq!(
        v["identity"],
        json!({
            "class": "service", "signal": "t-id-service-invoked", "type": "AWSService", "name": null,
            "arn": null, "account": null, "mfa": null, "console": false
        })
    );
}

#[test]
fn identity_of_an_ec2_instance_role() {
    let v = verdict("req-0007");
    assert_eq!(v["identity"]["class"], "machine");
    assert_eq!(v["identity"]["signal"], "t-id-ec2-instance");
    assert_eq!(v["identity"]["name"], "i-0abc1234def567890");
}

#[test]
fn identity_of_an_insights_record_is_null() {
    let v = verdict("insight");
    assert_eq!(v["identity"]["class"], Value::Null);
    assert_eq!(v["identity"]["signal"], Value::Null);
    assert_eq!(v["identity"]["type"], Value::Null);
    assert_eq!(v["category"], "insight");
}

#[test]
fn identity_console_flag_from_invoked_by_signin() {
    let line = edit_record(&record_line("req-0002"), |r| {
        r["userIdentity"]
            .as_object_mut()
            .unwrap()
            .insert("invokedBy".into(), "signin.amazonaws.com".into());
    });
    assert_eq!(verdict_of(&line, &[])["identity"]["console"], true);
}

#[test]
fn identity_name_falls_back_to_the_principal_id() {
    let line = edit_record(&record_line("req-0008"), |r| {
        r["userIdentity"] = json!({"type": "AWSAccount", "principalId": "AIDAEXAMPLEOTHER0001", "accountId": "444455556666"});
    });
    let v = verdict_of(&line, &[]);
    assert_eq!(v["identity"]["name"], "AIDAEXAMPLEOTHER0001");
    assert_eq!(v["identity"]["account"], "444455556666");
}

#[test]
fn service_and_action_are_derived_from_the_event() {
    let cases = [
        ("req-0001", "cloudtrail", "Stop"),
        ("req-0003", "iam", "Create"),
        ("req-0004", "signin", "Console"),
        ("req-0010", "s3", "Get"),
        ("req-0011", "lambda", "Update"),
        ("insight", "ec2", "Run"),
    ];
    for (id, service, action) in cases {
        let v = verdict(id);
        assert_eq!(
            (v["service"].as_str(), v["action"].as_str()),
            (Some(service), Some(action)),
            "{id}"
        );
    }
}

#[test]
fn region_and_account_come_from_the_record() {
    let v = verdict("req-0006");
    assert_eq!(v["region"], "eu-west-1");
    assert_eq!(v["account"], "444455556666");
    let line = edit_record(&record_line("req-0001"), |r| {
        r.remove("recipientAccountId");
        r.remove("awsRegion");
    });
    let v = verdict_of(&line, &[]);
    assert_eq!(
        v["account"], "111122223333",
        "falls back to userIdentity.accountId"
    );
    assert_eq!(v["region"], Value::Null);
}

#[test]
fn outcome_and_error_report_a_failed_call() {
    let v = verdict("req-0006");
    assert_eq!(v["outcome"], "failure");
    assert_eq!(v["error"], "AccessDenied");
    let v = verdict("req-0001");
    assert_eq!(v["outcome"], "success");
    assert_eq!(v["error"], Value::Null);
}

#[test]
fn an_error_message_without_error_code_is_a_failure() {
    let line = edit_record(&record_line("req-0004"), |r| {
        r.insert("errorMessage".into(), "Failed authentication".into());
        r.insert(
            "responseElements".into(),
            json!({"ConsoleLogin": "Failure"}),
        );
    });
    let v = verdict_of(&line, &[]);
    assert_eq!(v["outcome"], "failure");
    assert!(
        v["error"].is_string(),
        "error is set when only errorMessage is present: {v}"
    );
}

#[test]
fn an_empty_error_code_is_a_success() {
    let line = edit_record(&record_line("req-0001"), |r| {
        r.insert("errorCode".into(), "".into());
    });
    assert_eq!(verdict_of(&line, &[])["outcome"], "success");
}

#[test]
fn read_only_is_true_false_or_null() {
    assert_eq!(verdict("req-0005")["read_only"], true);
    assert_eq!(verdict("req-0001")["read_only"], false);
    assert_eq!(verdict("insight")["read_only"], Value::Null);
    let line = edit_record(&record_line("req-0001"), |r| {
        r.insert("readOnly".into(), "true".into());
    });
    assert_eq!(
        verdict_of(&line, &[])["read_only"],
        true,
        "the LookupEvents string form is accepted"
    );
}

#[test]
fn latency_is_now_minus_event_time_in_seconds() {
    let v = verdicts();
    let latency = |id: &str| {
        v.iter().find(|(i, _)| i == id).unwrap().1["latency_s"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(latency("req-0001"), 300.0);
    assert_eq!(latency("req-0006"), 60.0);
    assert_eq!(latency("req-0011"), 20.0);
    let line = edit_record(&record_line("req-0001"), |r| {
        r.insert("eventTime".into(), "2026-01-15T10:04:59.750Z".into());
    });
    assert_eq!(verdict_of(&line, &[])["latency_s"], 0.25);
    let line = edit_record(&record_line("req-0001"), |r| {
        r.remove("eventTime");
    });
    assert_eq!(verdict_of(&line, &[])["latency_s"], Value::Null);
}

#[test]
fn an_existing_ctfilter_member_in_the_input_is_kept_and_the_verdict_added_last() {
    let line = edit_record(&record_line("req-0001"), |r| {
        r.insert("ctfilter".into(), json!("from upstream"));
    });
    let out = ctfilter(&with_test_rules(&["--events", "*"]))
        .stdin(format!("{line}\n"))
        .run();
    out.assert_clean();
    let text = out.stdout.trim_end();
    assert!(text.starts_with(line.strip_suffix('}').unwrap()));
    assert!(text[line.len() - 1..].starts_with(",\"ctfilter\":{\"severity\""));
}

#[test]
fn a_record_with_a_single_member_gets_a_well_formed_splice() {
    let out = ctfilter(&with_test_rules(&["--events", "*"]))
        .stdin("{\"eventVersion\":\"1.09\"}\n")
        .run();
    out.assert_clean();
    let records = out.records();
    assert_eq!(records[0]["eventVersion"], "1.09");
    assert_eq!(records[0]["ctfilter"]["severity"], "info");
}
