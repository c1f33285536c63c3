//! `--format ocsf` and `--format ecs`: golden files for fixtures/records.ndjson,
//! and field-by-field checks on the records that exercise each mapping rule
//! (fixtures/records.ndjson and fixtures/formats.ndjson; see
//! docs/formats.md for the mappings).

use crate::util::*;
use serde_json::{json, Value};

/// Every record of `fixture`, kept with the test rules and `--events '*'`,
/// in `format`, plus `extra` flags. Every line must be one JSON object.
fn run(format: &str, fixture: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = with_test_rules(&["--events", "*", "--format", format]);
    args.extend_from_slice(extra);
    let path = format!("fixtures/{fixture}");
    args.push(&path);
    let out = ctfilter(&args).run();
    out.assert_clean();
    assert!(out.stdout.ends_with('\n'), "output ends with a newline");
    out.records()
}

/// The fixture record with requestID `id` (or eventID, for Insights), in `format`.
fn one(format: &str, id: &str) -> Value {
    let fixture = if id.starts_with("fmt-") || id.ends_with("f5") {
        "formats.ndjson"
    } else {
        "records.ndjson"
    };
    let records = run(format, fixture, &[]);
    records
        .into_iter()
        .find(|r| record_id(r) == id)
        .unwrap_or_else(|| panic!("no {format} output for {id}"))
}

/// requestID, else eventID, wherever the format put them.
fn record_id(record: &Value) -> String {
    [
        &record["api"]["request"]["uid"],
        &record["aws"]["cloudtrail"]["request_id"],
        &record["metadata"]["uid"],
        &record["event"]["id"],
    ]
    .into_iter()
    .find_map(Value::as_str)
    .unwrap_or("?")
    .to_string()
}

/// The verdict raw mode adds to the record with requestID/eventID `id`.
fn raw_verdict(fixture: &str, id: &str) -> Value {
    let path = format!("fixtures/{fixture}");
    let args = with_test_rules(&["--events", "*", &path]);
    let out = ctfilter(&args).run();
    out.assert_clean();
    let records = out.records();
    let at = ids(&records)
        .iter()
        .position(|i| i == id)
        .unwrap_or_else(|| panic!("no raw output for {id}"));
    records[at]["ctfilter"].clone()
}

/// The input record `id` of `fixture`, parsed.
fn input(fixture: &str, id: &str) -> Value {
    let line = fixture_lines(fixture)
        .into_iter()
        .find(|l| l.contains(&format!("\"{id}\"")))
        .unwrap_or_else(|| panic!("no {id} in {fixture}"));
    serde_json::from_str(&line).unwrap()
}

/// Paths of every null in `value`, outside the members named in `skip`.
fn nulls(value: &Value, path: &str, skip: &[&str], found: &mut Vec<String>) {
    match value {
        Value::Null => found.push(path.to_string()),
        Value::Object(map) => {
            for (k, v) in map {
                if !skip.contains(&k.as_str()) {
                    nulls(v, &format!("{path}.{k}"), skip, found);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                nulls(v, &format!("{path}[{i}]"), skip, found);
            }
        }
        _ => {}
    }
}

/// Paths of every empty object or array in `value`, outside `skip`.
fn empties(value: &Value, path: &str, skip: &[&str], found: &mut Vec<String>) {
    match value {
        Value::Object(map) if map.is_empty() => found.push(path.to_string()),
        Value::Array(items) if items.is_empty() => found.push(path.to_string()),
        Value::Object(map) => {
            for (k, v) in map {
                if !skip.contains(&k.as_str()) {
                    empties(v, &format!("{path}.{k}"), skip, found);
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                empties(v, &format!("{path}[{i}]"), skip, found);
            }
        }
        _ => {}
    }
}

const EVERY_FIXTURE: [&str; 2] = ["records.ndjson", "formats.ndjson"];
/// The re-serialising formats.
const FORMATS: [&str; 2] = ["ocsf", "ecs"];

// ------------------------------------------------------------------ common

#[test]
fn golden_ocsf_output_of_records() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--format",
        "ocsf",
        "fixtures/records.ndjson",
    ]))
    .run();
    out.assert_clean();
    assert_eq!(out.records().len(), 12);
    assert_golden("records.ocsf.ndjson", &out.stdout);
}

#[test]
fn golden_ecs_output_of_records() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--format",
        "ecs",
        "fixtures/records.ndjson",
    ]))
    .run();
    out.assert_clean();
    assert_eq!(out.records().len(), 12);
    assert_golden("records.ecs.ndjson", &out.stdout);
}

#[test]
fn raw_is_the_default_and_stays_byte_identical() {
    let base = with_test_rules(&["--events", "*", "fixtures/records.ndjson"]);
    let default = ctfilter(&base).run();
    default.assert_clean();
    let mut args = base.clone();
    args.extend_from_slice(&["--format", "raw"]);
    let raw = ctfilter(&args).run();
    raw.assert_clean();
    assert_eq!(raw.stdout_bytes, default.stdout_bytes);
    assert_golden("records.all-events.ndjson", &raw.stdout);
}

#[test]
fn every_record_of_every_shape_is_one_json_object_per_line() {
    for fixture in [
        "records.ndjson",
        "formats.ndjson",
        "s3-records.json",
        "s3-pretty.json",
        "array.json",
        "eventbridge.ndjson",
        "cloudwatch.ndjson",
        "lookup-events.json",
        "vector-wrapped.ndjson",
        "fluentbit-wrapped.ndjson",
    ] {
        let raw = run("raw", fixture, &[]).len();
        for format in FORMATS {
            let records = run(format, fixture, &[]);
            assert_eq!(records.len(), raw, "{format} {fixture}");
        }
    }
}

#[test]
fn absent_fields_are_omitted_never_null_or_empty() {
    for fixture in EVERY_FIXTURE {
        for record in run("ocsf", fixture, &[]) {
            let (mut null, mut empty) = (Vec::new(), Vec::new());
            // Input values (`data`, `unmapped`) and the verdict are copied as they are.
            let skip = ["enrichments", "unmapped", "data"];
            nulls(&record, "", &skip, &mut null);
            empties(&record, "", &skip, &mut empty);
            assert!(null.is_empty(), "ocsf nulls at {null:?}: {record}");
            assert!(
                empty.is_empty(),
                "ocsf empty members at {empty:?}: {record}"
            );
        }
        for record in run("ecs", fixture, &[]) {
            let (mut null, mut empty) = (Vec::new(), Vec::new());
            nulls(&record, "", &["ctfilter", "flattened"], &mut null);
            empties(&record, "", &["ctfilter", "flattened"], &mut empty);
            assert!(null.is_empty(), "ecs nulls at {null:?}: {record}");
            assert!(empty.is_empty(), "ecs empty members at {empty:?}: {record}");
        }
    }
}

#[test]
fn the_verdict_is_the_raw_mode_verdict_in_both_formats() {
    for fixture in EVERY_FIXTURE {
        for record in run("ocsf", fixture, &[]) {
            let id = record_id(&record);
            let enrichments = record["enrichments"].as_array().expect("enrichments");
            assert_eq!(enrichments.len(), 1);
            let entry = &enrichments[0];
            assert_eq!(entry["name"], "ctfilter");
            assert_eq!(entry["type"], "verdict");
            assert_eq!(entry["provider"], "ctfilter");
            let verdict = raw_verdict(fixture, &id);
            assert_eq!(entry["value"], verdict["severity"], "{id}");
            assert_eq!(entry["data"], verdict, "{id}");
        }
        for record in run("ecs", fixture, &[]) {
            let id = record_id(&record);
            assert_eq!(record["ctfilter"], raw_verdict(fixture, &id), "{id}");
        }
    }
}

#[test]
fn key_renames_the_verdict_in_both_formats() {
    let ocsf = run("ocsf", "records.ndjson", &["--key", "_ct"]);
    assert!(ocsf.iter().all(|r| r["enrichments"][0]["name"] == "_ct"));
    let ecs = run("ecs", "records.ndjson", &["--key", "_ct"]);
    assert!(ecs
        .iter()
        .all(|r| r.get("_ct").is_some() && r.get("ctfilter").is_none()));
}

#[test]
fn threads_do_not_change_the_output() {
    for format in FORMATS {
        let mut args = with_test_rules(&["--events", "*", "--format", format]);
        args.extend_from_slice(&["fixtures/records.ndjson", "fixtures/formats.ndjson"]);
        let one = ctfilter(&args).run();
        one.assert_clean();
        args.extend_from_slice(&["--threads", "3"]);
        let three = ctfilter(&args).run();
        three.assert_clean();
        assert_eq!(one.stdout, three.stdout, "{format}");
    }
}

#[test]
fn an_unknown_format_is_a_usage_error() {
    let out = ctfilter(&["--format", "cef"]).stdin("").run();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(out.stdout, "");
    assert!(out.stderr.starts_with("ctfilter: "), "{}", out.stderr);
    assert!(out.stderr.contains("--format"), "{}", out.stderr);
}

#[test]
fn help_documents_the_format_flag_with_an_example() {
    let out = ctfilter(&["--help"]).run();
    out.assert_code(0);
    let help = out.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(help.contains("--format <raw|ocsf|ecs>"));
    assert!(help.contains("Example: `--format ocsf`"), "{help}");
}

// ------------------------------------------------------------------ OCSF

#[test]
fn ocsf_iam_user_call() {
    let r = one("ocsf", "req-0003");
    assert_eq!(r["class_uid"], 6003);
    assert_eq!(r["class_name"], "API Activity");
    assert_eq!(r["category_uid"], 6);
    assert_eq!(r["category_name"], "Application Activity");
    assert_eq!(r["activity_id"], 1);
    assert_eq!(r["activity_name"], "Create");
    assert_eq!(r["type_uid"], 600301);
    assert_eq!(r["type_name"], "API Activity: Create");
    assert_eq!(r["severity_id"], 4);
    assert_eq!(r["severity"], "High");
    assert_eq!(r["status_id"], 1);
    assert_eq!(r["status"], "Success");
    assert!(r.get("status_code").is_none() && r.get("status_detail").is_none());
    assert_eq!(r["time"], 1_768_471_320_000_i64);
    assert_eq!(
        r["metadata"],
        json!({
            "version": "1.1.0",
            "product": {"name": "CloudTrail", "vendor_name": "AWS", "version": "1.09",
                        "feature": {"name": "Management"}},
            "profiles": ["cloud"],
            "uid": "00000000-0000-4000-8000-000000000003",
            "event_code": "AwsApiCall",
            "original_time": "2026-01-15T10:02:00Z"
        })
    );
    assert_eq!(
        r["actor"],
        json!({"user": {
            "type": "IAMUser",
            "name": "alice",
            "uid": "arn:aws:iam::111122223333:user/alice",
            "uid_alt": "AIDAEXAMPLEALICE0001",
            "account": {"uid": "111122223333"},
            "credential_uid": "AKIAEXAMPLEALICE0001"
        }})
    );
    let source = input("records.ndjson", "req-0003");
    assert_eq!(
        r["api"],
        json!({
            "operation": "CreateAccessKey",
            "service": {"name": "iam.amazonaws.com"},
            "request": {"uid": "req-0003", "data": source["requestParameters"]},
            "response": {"data": source["responseElements"]}
        })
    );
    assert_eq!(r["src_endpoint"], json!({"ip": "203.0.113.10"}));
    assert_eq!(
        r["http_request"]["user_agent"],
        "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22"
    );
    assert_eq!(
        r["cloud"],
        json!({"provider": "AWS", "region": "us-east-1", "account": {"uid": "111122223333"}})
    );
    assert!(r.get("resources").is_none());
    assert_eq!(
        r["unmapped"],
        json!({"readOnly": false, "managementEvent": true})
    );
}

#[test]
fn ocsf_assumed_role_with_session_context_and_mfa() {
    let r = one("ocsf", "fmt-0001");
    assert_eq!(r["activity_id"], 3, "DisableKey is an update");
    assert_eq!(r["time"], 1_768_471_445_250_i64, "milliseconds are kept");
    assert_eq!(r["metadata"]["original_time"], "2026-01-15T10:04:05.250Z");
    assert_eq!(
        r["actor"],
        json!({
            "user": {
                "type": "AssumedRole",
                "name": "grace",
                "uid": "arn:aws:sts::111122223333:assumed-role/Ops/grace",
                "uid_alt": "AROAEXAMPLEOPS000001:grace",
                "account": {"uid": "111122223333"},
                "credential_uid": "ASIAEXAMPLEGRACE0001"
            },
            "session": {
                "created_time": 1_768_470_600_000_i64,
                "is_mfa": true,
                "issuer": "arn:aws:iam::111122223333:role/Ops"
            }
        })
    );
    assert_eq!(
        r["src_endpoint"],
        json!({"ip": "2001:db8::10", "uid": "vpce-0example0000001"})
    );
    assert_eq!(
        r["resources"],
        json!([{
            "uid": "arn:aws:kms:us-west-2:111122223333:key/00000000-1111-2222-3333-444444444444",
            "type": "AWS::KMS::Key",
            "owner": {"account": {"uid": "111122223333"}}
        }])
    );
    assert_eq!(r["cloud"]["region"], "us-west-2");
    let source = input("formats.ndjson", "fmt-0001");
    let unmapped = &r["unmapped"];
    assert_eq!(unmapped["tlsDetails"], source["tlsDetails"]);
    assert_eq!(unmapped["vpcEndpointAccountId"], "111122223333");
    let mut context = source["userIdentity"]["sessionContext"].clone();
    let context_map = context.as_object_mut().unwrap();
    context_map.remove("attributes");
    context_map["sessionIssuer"]
        .as_object_mut()
        .unwrap()
        .remove("arn");
    assert_eq!(
        unmapped["userIdentity"],
        json!({"sessionContext": context}),
        "only what actor does not hold: creationDate, mfaAuthenticated and the \
         issuer's arn are in actor.session"
    );
    assert!(unmapped.get("vpcEndpointId").is_none());
    assert!(
        unmapped.get("responseElements").is_none(),
        "null is omitted"
    );
}

#[test]
fn ocsf_failed_call() {
    let r = one("ocsf", "req-0006");
    let message = input("records.ndjson", "req-0006")["errorMessage"].clone();
    assert_eq!(r["status_id"], 2);
    assert_eq!(r["status"], "Failure");
    assert_eq!(r["status_code"], "AccessDenied");
    assert_eq!(r["status_detail"], message);
    assert_eq!(
        r["api"]["response"],
        json!({"error": "AccessDenied", "message": message})
    );
    assert_eq!(r["activity_name"], "Update");
    assert_eq!(r["severity"], "High", "denied bump from medium");
    assert_eq!(r["cloud"]["account"]["uid"], "444455556666");
}

#[test]
fn ocsf_service_call_with_missing_identity_fields_and_a_domain_source() {
    let r = one("ocsf", "fmt-0002");
    assert_eq!(
        r["actor"],
        json!({"invoked_by": "cloudformation.amazonaws.com"}),
        "OCSF wants a name, uid or account in actor.user"
    );
    assert_eq!(r["unmapped"]["userIdentity"], json!({"type": "AWSService"}));
    assert_eq!(
        r["src_endpoint"],
        json!({"domain": "cloudformation.amazonaws.com", "svc_name": "cloudformation.amazonaws.com"})
    );
    assert_eq!(
        r["api"],
        json!({
            "operation": "CreateRole",
            "service": {"name": "iam.amazonaws.com"},
            "request": {"uid": "fmt-0002"}
        }),
        "null requestParameters and responseElements leave no trace"
    );
    assert_eq!(r["activity_id"], 1);
    assert_eq!(r["enrichments"][0]["data"]["identity"]["class"], "service");
    assert!(r["unmapped"].get("requestParameters").is_none());
}

#[test]
fn ocsf_root_call() {
    let r = one("ocsf", "req-0005");
    assert_eq!(
        r["actor"],
        json!({
            "user": {
                "type": "Root",
                "name": "root",
                "uid": "arn:aws:iam::111122223333:root",
                "uid_alt": "111122223333",
                "account": {"uid": "111122223333"},
                "credential_uid": "ASIAEXAMPLEROOT00001"
            },
            "session": {"created_time": 1_768_470_900_000_i64, "is_mfa": true}
        })
    );
    assert_eq!(r["activity_name"], "Read");
    assert_eq!(r["severity_id"], 4, "root use is at least high");
    assert_eq!(r["unmapped"]["sessionCredentialFromConsole"], "true");
    assert_eq!(r["unmapped"]["readOnly"], true);
}

#[test]
fn ocsf_saml_user_carries_the_identity_provider() {
    let r = one("ocsf", "fmt-0003");
    assert_eq!(
        r["actor"]["idp"]["name"],
        "arn:aws:iam::111122223333:saml-provider/ExampleIdP"
    );
    assert_eq!(r["actor"]["user"]["name"], "heidi@example.com");
    assert_eq!(
        r["actor"]["user"]["uid"], "EXAMPLEQUALIFIER0001:heidi@example.com",
        "principalId when there is no ARN"
    );
    assert!(r["actor"]["user"].get("uid_alt").is_none());
    assert_eq!(r["activity_id"], 99);
    assert_eq!(r["activity_name"], "Other");
    assert_eq!(r["type_uid"], 600399);
    assert_eq!(r["resources"].as_array().unwrap().len(), 2);
}

#[test]
fn ocsf_data_event() {
    let r = one("ocsf", "req-0010");
    assert_eq!(r["metadata"]["product"]["feature"]["name"], "Data");
    assert_eq!(r["metadata"]["product"]["version"], "1.10");
    assert_eq!(r["activity_name"], "Read");
    assert_eq!(r["api"]["operation"], "GetObject");
    assert_eq!(
        r["resources"],
        json!([
            {"uid": "arn:aws:s3:::acme-secrets-prod/db/password.txt", "type": "AWS::S3::Object"},
            {"uid": "arn:aws:s3:::acme-secrets-prod", "type": "AWS::S3::Bucket",
             "owner": {"account": {"uid": "111122223333"}}}
        ])
    );
    assert_eq!(
        r["unmapped"]["additionalEventData"],
        input("records.ndjson", "req-0010")["additionalEventData"]
    );
    assert_eq!(r["unmapped"]["managementEvent"], false);
}

#[test]
fn ocsf_insights_are_detection_findings() {
    let start = one("ocsf", "00000000-0000-4000-8000-000000000009");
    assert_eq!(start["class_uid"], 2004);
    assert_eq!(start["class_name"], "Detection Finding");
    assert_eq!(start["category_uid"], 2);
    assert_eq!(start["category_name"], "Findings");
    assert_eq!(start["activity_id"], 1);
    assert_eq!(start["activity_name"], "Create");
    assert_eq!(start["type_uid"], 200401);
    assert_eq!(start["severity"], "Medium");
    assert_eq!(start["time"], 1_768_471_200_000_i64);
    assert_eq!(start["start_time"], 1_768_471_200_000_i64);
    assert_eq!(
        start["finding_info"],
        json!({
            "uid": "00000000-0000-4000-8000-0000000000bb",
            "title": "Unusual API call rate: RunInstances (ec2.amazonaws.com)",
            "types": ["ApiCallRateInsight"]
        })
    );
    assert_eq!(start["metadata"]["product"]["feature"]["name"], "Insight");
    assert_eq!(start["metadata"]["event_code"], "AwsCloudTrailInsight");
    assert_eq!(
        start["cloud"],
        json!({"provider": "AWS", "region": "us-east-1", "account": {"uid": "111122223333"}})
    );
    for absent in ["actor", "api", "src_endpoint", "status_id", "http_request"] {
        assert!(start.get(absent).is_none(), "{absent}");
    }
    let source = input("records.ndjson", "00000000-0000-4000-8000-000000000009");
    assert_eq!(
        start["unmapped"],
        json!({"insightDetails": source["insightDetails"]})
    );

    let end = one("ocsf", "00000000-0000-4000-8000-0000000000f5");
    assert_eq!(end["activity_id"], 3);
    assert_eq!(end["activity_name"], "Close");
    assert_eq!(end["type_name"], "Detection Finding: Close");
    assert_eq!(end["end_time"], end["time"]);
    assert!(end.get("start_time").is_none());
    assert_eq!(
        end["finding_info"]["uid"], "00000000-0000-4000-8000-0000000000cc",
        "sharedEventID ties End to its Start"
    );
    assert_eq!(
        end["finding_info"]["title"],
        "Unusual API error rate: GetUser (iam.amazonaws.com)"
    );
}

#[test]
fn ocsf_old_records_duplicates_unknown_fields_and_escapes() {
    let r = one("ocsf", "fmt-0004");
    assert_eq!(
        r["api"]["operation"], "DeleteBucket",
        "first eventName wins"
    );
    assert_eq!(r["activity_name"], "Delete");
    assert_eq!(
        r["metadata"]["product"]["feature"]["name"], "Management",
        "no eventCategory before 1.07"
    );
    assert_eq!(
        r["src_endpoint"],
        json!({"domain": "AWS Internal", "name": "AWS Internal"})
    );
    assert_eq!(
        r["http_request"]["user_agent"],
        "agent \"quoted\" \\ tab\t \u{e9}"
    );
    assert_eq!(
        r["unmapped"],
        json!({"futureField": {"x": [1, "two", null, 2.5]}}),
        "unknown members kept, first occurrence only"
    );
    assert_eq!(r["status_code"], "NoSuchBucket");
}

#[test]
fn ocsf_console_sign_in_failure() {
    let r = one("ocsf", "fmt-0006");
    assert_eq!(r["status"], "Failure");
    assert_eq!(r["status_detail"], "Failed authentication");
    assert!(r.get("status_code").is_none());
    assert_eq!(r["actor"]["session"], json!({"is_mfa": false}));
    assert!(
        r["actor"]["user"].get("credential_uid").is_none(),
        "empty strings are absent"
    );
    assert_eq!(r["metadata"]["event_code"], "AwsConsoleSignIn");
    assert_eq!(
        r["api"]["response"]["data"],
        json!({"ConsoleLogin": "Failure"})
    );
}

// ------------------------------------------------------------------ ECS

#[test]
fn ecs_iam_user_call() {
    let r = one("ecs", "req-0003");
    let source = input("records.ndjson", "req-0003");
    assert_eq!(r["@timestamp"], "2026-01-15T10:02:00.000Z");
    assert_eq!(r["ecs"], json!({"version": "8.11.0"}));
    assert_eq!(
        r["event"],
        json!({
            "kind": "event",
            "module": "aws",
            "dataset": "aws.cloudtrail",
            "provider": "iam.amazonaws.com",
            "action": "CreateAccessKey",
            "id": "00000000-0000-4000-8000-000000000003",
            "outcome": "success",
            "category": ["iam"],
            "type": ["user", "change"],
            "created": "2026-01-15T10:05:00.000Z",
            "severity": 4,
            "risk_score": 72
        })
    );
    assert_eq!(
        r["cloud"],
        json!({
            "provider": "aws",
            "region": "us-east-1",
            "service": {"name": "iam"},
            "account": {"id": "111122223333"}
        })
    );
    assert_eq!(
        r["source"],
        json!({"address": "203.0.113.10", "ip": "203.0.113.10"})
    );
    assert_eq!(
        r["user"],
        json!({"name": "alice", "id": "AIDAEXAMPLEALICE0001", "target": {"name": "mallory"}})
    );
    assert_eq!(r["user_agent"]["original"], source["userAgent"]);
    assert_eq!(
        r["rule"],
        json!({
            "id": "t-access-key-for-other-user",
            "name": "Access key created for another user",
            "category": "persistence",
            "ruleset": "ctfilter"
        })
    );
    assert_eq!(
        r["threat"],
        json!({"framework": "MITRE ATT&CK", "technique": {"id": ["T1098.001", "T1098"]}})
    );
    let trail = &r["aws"]["cloudtrail"];
    assert_eq!(trail["event_version"], "1.09");
    assert_eq!(trail["event_type"], "AwsApiCall");
    assert_eq!(trail["event_category"], "Management");
    assert_eq!(
        trail["user_identity"],
        json!({
            "type": "IAMUser",
            "arn": "arn:aws:iam::111122223333:user/alice",
            "access_key_id": "AKIAEXAMPLEALICE0001"
        })
    );
    let text = |v: &Value| serde_json::from_str::<Value>(v.as_str().expect("JSON text")).unwrap();
    assert_eq!(
        text(&trail["request_parameters"]),
        source["requestParameters"]
    );
    assert_eq!(
        text(&trail["response_elements"]),
        source["responseElements"]
    );
    assert_eq!(trail["request_id"], "req-0003");
    assert_eq!(
        trail["management_event"], "true",
        "text, as Elastic writes it"
    );
    assert_eq!(trail["read_only"], false);
    assert_eq!(trail["recipient_account_id"], "111122223333");
    assert!(trail.get("error_code").is_none());
}

#[test]
fn ecs_assumed_role_with_session_context_and_mfa() {
    let r = one("ecs", "fmt-0001");
    assert_eq!(r["@timestamp"], "2026-01-15T10:04:05.250Z");
    assert_eq!(
        r["user"],
        json!({"name": "Ops", "id": "AROAEXAMPLEOPS000001:grace"}),
        "Elastic names the role, not the session"
    );
    assert_eq!(
        r["source"],
        json!({"address": "2001:db8::10", "ip": "2001:db8::10"})
    );
    assert_eq!(
        r["tls"],
        json!({
            "version_protocol": "tls",
            "version": "1.3",
            "cipher": "TLS_AES_128_GCM_SHA256",
            "client": {"server_name": "kms.us-west-2.amazonaws.com"}
        })
    );
    let trail = &r["aws"]["cloudtrail"];
    assert_eq!(
        trail["user_identity"],
        json!({
            "type": "AssumedRole",
            "arn": "arn:aws:sts::111122223333:assumed-role/Ops/grace",
            "access_key_id": "ASIAEXAMPLEGRACE0001",
            "session_context": {
                "mfa_authenticated": "true",
                "creation_date": "2026-01-15T09:50:00.000Z",
                "session_issuer": {
                    "type": "Role",
                    "principal_id": "AROAEXAMPLEOPS000001",
                    "arn": "arn:aws:iam::111122223333:role/Ops",
                    "account_id": "111122223333"
                },
                "source_identity": "grace"
            }
        })
    );
    assert_eq!(trail["vpc_endpoint_id"], "vpce-0example0000001");
    assert_eq!(
        trail["resources"],
        json!([{
            "arn": "arn:aws:kms:us-west-2:111122223333:key/00000000-1111-2222-3333-444444444444",
            "account_id": "111122223333",
            "type": "AWS::KMS::Key"
        }])
    );
    assert_eq!(r["event"]["type"], json!(["info"]));
    assert!(r["event"].get("category").is_none());
    assert!(
        r.get("rule").is_none() && r.get("threat").is_none(),
        "no rule matched"
    );
}

#[test]
fn ecs_failed_call() {
    let r = one("ecs", "req-0006");
    let source = input("records.ndjson", "req-0006");
    assert_eq!(r["event"]["outcome"], "failure");
    assert_eq!(r["event"]["category"], json!(["iam"]));
    assert_eq!(r["event"]["type"], json!(["user", "change"]));
    assert_eq!(r["aws"]["cloudtrail"]["error_code"], "AccessDenied");
    assert_eq!(
        r["aws"]["cloudtrail"]["error_message"],
        source["errorMessage"]
    );
    assert_eq!(r["user"]["name"], "Developer");
    assert_eq!(r["user"]["target"]["name"], "dave");
    assert_eq!(r["cloud"]["account"]["id"], "444455556666");
}

#[test]
fn ecs_service_call_with_missing_identity_fields_and_a_domain_source() {
    let r = one("ecs", "fmt-0002");
    assert_eq!(
        r["source"],
        json!({"address": "cloudformation.amazonaws.com"}),
        "no source.ip for a host name"
    );
    assert!(r.get("user").is_none());
    let trail = &r["aws"]["cloudtrail"];
    assert_eq!(
        trail["user_identity"],
        json!({"type": "AWSService", "invoked_by": "cloudformation.amazonaws.com"})
    );
    assert!(trail.get("request_parameters").is_none());
    assert!(trail.get("response_elements").is_none());
    assert!(
        r["event"].get("category").is_none(),
        "CreateRole is not in Elastic's table"
    );
    assert_eq!(r["event"]["type"], json!(["info"]));
    assert_eq!(
        r["cloud"]["account"]["id"], "111122223333",
        "recipient account"
    );
}

#[test]
fn ecs_root_call() {
    let r = one("ecs", "req-0005");
    assert!(r["user"].get("name").is_none(), "Root has no userName");
    assert_eq!(r["user"]["id"], "111122223333");
    let trail = &r["aws"]["cloudtrail"];
    assert_eq!(trail["user_identity"]["type"], "Root");
    assert_eq!(
        trail["user_identity"]["session_context"],
        json!({"mfa_authenticated": "true", "creation_date": "2026-01-15T09:55:00.000Z"})
    );
    assert_eq!(trail["session_credential_from_console"], "true");
    assert_eq!(trail["read_only"], true);
    assert_eq!(
        r["event"]["type"],
        json!(["info"]),
        "ListAccessKeys is not in Elastic's table"
    );
    assert!(r["event"].get("category").is_none());
    assert_eq!(r["event"]["severity"], 4);
    assert_eq!(r["rule"]["id"], "t-root-activity");
}

#[test]
fn ecs_insights() {
    let r = one("ecs", "00000000-0000-4000-8000-000000000009");
    let source = input("records.ndjson", "00000000-0000-4000-8000-000000000009");
    for absent in ["action", "provider", "outcome", "category"] {
        assert!(r["event"].get(absent).is_none(), "event.{absent}");
    }
    assert_eq!(r["event"]["kind"], "event");
    let trail = &r["aws"]["cloudtrail"];
    assert_eq!(trail["event_type"], "AwsCloudTrailInsight");
    assert_eq!(trail["event_category"], "Insight");
    assert_eq!(
        trail["shared_event_id"],
        "00000000-0000-4000-8000-0000000000bb"
    );
    assert_eq!(
        trail["flattened"]["insight_details"],
        source["insightDetails"]
    );
    assert!(trail.get("user_identity").is_none());
    assert_eq!(r["cloud"]["account"]["id"], "111122223333");
    assert_eq!(r["rule"]["id"], "t-insight-call-rate");
    assert!(r.get("source").is_none() && r.get("user").is_none());
}

#[test]
fn ecs_data_event() {
    let r = one("ecs", "req-0010");
    let source = input("records.ndjson", "req-0010");
    let trail = &r["aws"]["cloudtrail"];
    assert_eq!(trail["event_category"], "Data");
    assert_eq!(trail["management_event"], "false");
    let extra: Value =
        serde_json::from_str(trail["additional_eventdata"].as_str().unwrap()).unwrap();
    assert_eq!(extra, source["additionalEventData"]);
    assert_eq!(trail["resources"].as_array().unwrap().len(), 2);
    assert_eq!(
        trail["resources"][0],
        json!({"arn": "arn:aws:s3:::acme-secrets-prod/db/password.txt", "type": "AWS::S3::Object"})
    );
    assert_eq!(r["event"]["action"], "GetObject");
    assert_eq!(r["source"]["ip"], "10.0.2.40");
}

#[test]
fn ecs_console_sign_ins() {
    let failed = one("ecs", "fmt-0006");
    assert_eq!(failed["event"]["outcome"], "failure");
    assert_eq!(failed["event"]["category"], json!(["authentication"]));
    assert_eq!(
        failed["aws"]["cloudtrail"]["console_login"],
        json!({"additional_eventdata": {
            "mobile_version": false,
            "login_to": "https://console.aws.amazon.com/console/home",
            "mfa_used": false
        }})
    );
    let ok = one("ecs", "req-0012");
    assert_eq!(ok["event"]["outcome"], "success");
    assert_eq!(
        ok["aws"]["cloudtrail"]["console_login"]["additional_eventdata"]["mfa_used"],
        true
    );
}

#[test]
fn ecs_old_records_duplicates_and_escapes() {
    let r = one("ecs", "fmt-0004");
    assert_eq!(r["event"]["action"], "DeleteBucket", "first eventName wins");
    assert_eq!(r["event"]["category"], json!(["file"]));
    assert_eq!(r["event"]["type"], json!(["deletion"]));
    assert_eq!(r["event"]["outcome"], "failure");
    assert_eq!(r["source"], json!({"address": "AWS Internal"}));
    assert_eq!(
        r["user_agent"]["original"],
        "agent \"quoted\" \\ tab\t \u{e9}"
    );
    assert!(r["aws"]["cloudtrail"].get("event_category").is_none());
    assert!(
        r.get("futureField").is_none(),
        "unknown members are dropped"
    );
}

#[test]
fn ecs_objects_are_nested_never_dotted() {
    fn dotted(value: &Value, path: &str, found: &mut Vec<String>) {
        if let Value::Object(map) = value {
            for (k, v) in map {
                if k == "ctfilter" || k == "flattened" {
                    continue;
                }
                if k.contains('.') {
                    found.push(format!("{path}.{k}"));
                }
                dotted(v, &format!("{path}.{k}"), found);
            }
        }
    }
    for fixture in EVERY_FIXTURE {
        for record in run("ecs", fixture, &[]) {
            let mut found = Vec::new();
            dotted(&record, "", &mut found);
            assert!(found.is_empty(), "dotted keys {found:?}");
        }
    }
}

// ------------------------------------------------------------------ generated

/// A record with odd but valid content: keys and values that need escaping,
/// wrong types for fields the stages do not check, nested and numeric values.
fn odd_record(rng: &mut Rng, seq: usize) -> Value {
    const IDS: [&str; 12] = [
        "req-0001", "req-0002", "req-0003", "req-0004", "req-0005", "req-0006", "req-0007",
        "req-0008", "insight", "req-0010", "req-0011", "req-0012",
    ];
    let id = IDS[rng.below(IDS.len())];
    let mut record = serde_json::from_str::<Value>(&record_line(id)).unwrap();
    let map = record.as_object_mut().unwrap();
    map.insert("requestID".into(), json!(format!("gen-{seq}")));
    let odd = [
        json!(null),
        json!(""),
        json!(5),
        json!(-0.000001),
        json!(1e300),
        json!(18446744073709551615_u64),
        json!(true),
        json!([]),
        json!({}),
        json!(["a", {"b": [null, 1.5]}]),
        json!("quote \" back \\ nl \n ctl \u{1} é ✓"),
        json!({"k\"ey": {"\u{7}": "v"}}),
    ];
    for key in [
        "userAgent",
        "sourceIPAddress",
        "resources",
        "tlsDetails",
        "vpcEndpointId",
        "apiVersion",
        "sharedEventID",
        "additionalEventData",
        "serviceEventDetails",
        "eventTime",
        "requestParameters",
        "responseElements",
        "managementEvent",
        "odd \"key\" \\ ✓",
        "",
    ] {
        if rng.chance(25) {
            map.insert(key.into(), rng.pick(&odd).clone());
        }
    }
    if rng.chance(20) {
        map.insert(
            "resources".into(),
            json!([1, null, {"ARN": 7}, {"type": "AWS::S3::Bucket"}, {}]),
        );
    }
    if let Some(user) = map.get_mut("userIdentity").and_then(Value::as_object_mut) {
        for key in ["userName", "arn", "sessionContext", "weird\nkey"] {
            if rng.chance(20) {
                user.insert(key.into(), rng.pick(&odd).clone());
            }
        }
    }
    record
}

#[test]
fn generated_odd_records_are_always_valid_json_in_both_formats() {
    let mut rng = Rng::new(20260115);
    let mut input = String::new();
    for seq in 0..600 {
        input.push_str(&serde_json::to_string(&odd_record(&mut rng, seq)).unwrap());
        input.push('\n');
    }
    let mut base = with_test_rules(&["--events", "*", "--stats"]);
    base.push("--on-error");
    base.push("dead-letter");
    let raw = ctfilter(&base).stdin(&input).run();
    raw.assert_code(0);
    let emitted = raw.stats()["emitted"].as_u64().unwrap();
    assert!(emitted > 300, "most generated records are kept: {emitted}");
    for format in FORMATS {
        let mut args = base.clone();
        args.extend_from_slice(&["--format", format]);
        let out = ctfilter(&args).stdin(&input).run();
        out.assert_code(0);
        assert_eq!(out.stderr_without_stats(), raw.stderr_without_stats());
        let records = records(&out.stdout);
        assert_eq!(records.len() as u64, emitted, "{format}");
        let mut threaded = args.clone();
        threaded.extend_from_slice(&["--threads", "2"]);
        let again = ctfilter(&threaded).stdin(&input).run();
        assert_eq!(again.stdout, out.stdout, "{format} with --threads 2");
    }
}

#[test]
fn ocsf_keeps_values_of_unexpected_types_under_unmapped() {
    let line = r#"{"eventVersion":"1.09","eventTime":"2026-01-15T10:00:00Z","eventSource":"iam.amazonaws.com","eventName":"GetUser","userAgent":5,"sourceIPAddress":["x"],"resources":"r","requestParameters":"text","userIdentity":{"type":"IAMUser","userName":7,"arn":"arn:aws:iam::111122223333:user/x"},"requestID":"w-1","odd\"key":1}"#;
    let out = ctfilter(&with_test_rules(&["--events", "*", "--format", "ocsf"]))
        .stdin(format!("{line}\n"))
        .run();
    out.assert_clean();
    let r = &out.records()[0];
    assert_eq!(
        r["unmapped"],
        json!({
            "userAgent": 5,
            "sourceIPAddress": ["x"],
            "resources": "r",
            "requestParameters": "text",
            "userIdentity": {"userName": 7},
            "odd\"key": 1
        })
    );
    assert!(r.get("http_request").is_none());
    assert_eq!(
        r["src_endpoint"],
        json!({"name": "Unknown"}),
        "OCSF requires src_endpoint"
    );
    assert_eq!(
        r["actor"],
        json!({"user": {"type": "IAMUser", "uid": "arn:aws:iam::111122223333:user/x"}})
    );
}

// ------------------------------------------------------------------ Elastic's rules

/// fixtures/ecs-elastic.ndjson in ECS, by requestID.
fn elastic_fixture() -> Vec<Value> {
    run("ecs", "ecs-elastic.ndjson", &[])
}

fn by_id<'a>(records: &'a [Value], id: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["aws"]["cloudtrail"]["request_id"] == id)
        .unwrap_or_else(|| panic!("no ECS output for {id}"))
}

/// One record per row of Elastic's categorisation table (`ecs-0001`..), a few
/// names it does not list, then one record per `user.*`/`related.*`
/// derivation (`ecs-0101`..). The golden file is the reviewed expectation.
#[test]
fn golden_ecs_output_of_elastics_categorisation_and_derivations() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--format",
        "ecs",
        "fixtures/ecs-elastic.ndjson",
    ]))
    .run();
    out.assert_clean();
    let records = out.records();
    assert_eq!(records.len(), fixture_lines("ecs-elastic.ndjson").len());
    let listed: std::collections::BTreeSet<&str> = records
        .iter()
        .filter(|r| r["event"].get("category").is_some())
        .filter_map(|r| r["event"]["action"].as_str())
        .collect();
    assert_eq!(listed.len(), 91, "every row of Elastic's table: {listed:?}");
    assert_golden("ecs-elastic.ecs.ndjson", &out.stdout);
}

#[test]
fn ecs_categories_follow_elastics_table() {
    let records = elastic_fixture();
    let of = |name: &str| {
        let r = records
            .iter()
            .find(|r| r["event"]["action"] == name)
            .unwrap_or_else(|| panic!("no {name}"));
        (r["event"]["category"].clone(), r["event"]["type"].clone())
    };
    let none = Value::Null;
    for (name, category, kind) in [
        ("StartSession", json!(["session"]), json!(["start"])),
        ("TerminateSession", json!(["session"]), json!(["end"])),
        (
            "AuthorizeSecurityGroupIngress",
            json!(["network"]),
            json!(["access"]),
        ),
        ("CreateTopic", json!(["configuration"]), json!(["creation"])),
        ("CreateDocument", json!(["file"]), json!(["creation"])),
        ("Converse", json!(["api"]), json!(["info"])),
        ("Publish", json!(["api"]), json!(["info"])),
        ("SendCommand", json!(["process"]), json!(["start"])),
        ("AttachRolePolicy", json!(["iam"]), json!(["change"])),
        ("DeleteObject", json!(["file"]), json!(["deletion"])),
        ("CreateRole", none.clone(), json!(["info"])),
        ("GetSessionToken", none.clone(), json!(["info"])),
        ("InvokeModel", none.clone(), json!(["info"])),
    ] {
        assert_eq!(of(name), (category, kind), "{name}");
    }
}

#[test]
fn ecs_unparseable_times_are_omitted_and_basic_format_is_read() {
    let records = elastic_fixture();
    let context = |id: &str| {
        by_id(&records, id)["aws"]["cloudtrail"]["user_identity"]["session_context"].clone()
    };
    let redacted = context("ecs-0102");
    assert!(redacted.get("creation_date").is_none(), "{redacted}");
    assert_eq!(redacted["mfa_authenticated"], "false");
    for (id, time) in [
        ("ecs-0101", "2013-11-02T01:06:28.000Z"),
        ("ecs-0115", "2026-02-01T08:00:00.000Z"),
        ("ecs-0112", "2026-02-01T07:30:00.500Z"),
    ] {
        assert_eq!(context(id)["creation_date"], time, "{id}");
    }
}

#[test]
fn ecs_user_and_related_fields_as_elastic_derives_them() {
    let records = elastic_fixture();
    let sso = by_id(&records, "ecs-0101");
    assert_eq!(sso["user"]["name"], "AWSReservedSSO_Admin_0example");
    assert_eq!(
        sso["user"]["email"], "frank@example.com",
        "a session name that is an address"
    );
    assert_eq!(
        sso["related"],
        json!({
            "user": ["frank@example.com", "frank", "AROAEXAMPLESSO000001:frank@example.com", "AWSReservedSSO_Admin_0example"],
            "ip": ["203.0.113.77"]
        }),
        "the session name, its local part, user.id and user.name"
    );
    let sign_in = by_id(&records, "ecs-0103");
    assert_eq!(
        sign_in["user"],
        json!({"name": "grace@example.com", "email": "grace@example.com", "id": "111122223333"})
    );
    let center = by_id(&records, "ecs-0104");
    assert_eq!(
        center["user"],
        json!({"id": "94482488-3041-7026-18f3-000000000001"})
    );
    assert_eq!(
        center["aws"]["cloudtrail"]["user_identity"]["on_behalf_of"]["user_id"],
        "94482488-3041-7026-18f3-000000000001"
    );
    let rename = by_id(&records, "ecs-0105");
    assert_eq!(rename["user"]["target"], json!({"name": "henry"}));
    assert_eq!(rename["user"]["changes"], json!({"name": "henry.old"}));
    assert_eq!(
        rename["related"]["user"],
        json!(["henry", "henry.old", "AIDAEXAMPLEECS000001", "erin"])
    );
    let created = by_id(&records, "ecs-0106");
    assert_eq!(
        created["user"]["target"],
        json!({"name": "ivan", "id": "AIDAEXAMPLEIVAN00001"})
    );
    let group = by_id(&records, "ecs-0107");
    assert_eq!(
        group["group"],
        json!({"name": "auditors", "id": "AGPAEXAMPLEAUDIT0001"})
    );
    let federated = by_id(&records, "ecs-0108");
    assert_eq!(federated["user"]["name"], "federator");
    assert_eq!(federated["related"]["user"][0], "judy");
    let address = by_id(&records, "ecs-0109");
    assert_eq!(address["user"]["email"], "kate@example.com");
    assert_eq!(
        address["related"]["user"],
        json!(["kate@example.com", "AIDAEXAMPLEKATE00001"]),
        "no repeats"
    );
    assert_eq!(
        by_id(&records, "ecs-0110")["tls"],
        json!({"version": "TLS1.2", "cipher": "ECDHE-RSA-AES128-GCM-SHA256"})
    );
    let service = by_id(&records, "ecs-0111");
    assert!(service.get("tls").is_none(), "placeholder tlsVersion");
    assert!(service.get("related").is_none() && service.get("user").is_none());
    assert_eq!(service["service"], json!({"name": "ec2.amazonaws.com"}));
    assert_eq!(service["cloud"]["service"], json!({"name": "ec2"}));
    let no_issuer = by_id(&records, "ecs-0112");
    assert!(
        no_issuer["user"].get("name").is_none(),
        "an assumed role without sessionIssuer.userName has no user.name"
    );
    // Every IP-sourced record relates its address.
    for r in &records {
        if let Some(ip) = r["source"]["ip"].as_str() {
            assert_eq!(r["related"]["ip"], json!([ip]));
        }
    }
}

#[test]
fn ecs_service_actors_are_not_users() {
    let records = elastic_fixture();
    let linked = by_id(&records, "ecs-0113");
    assert_eq!(
        linked["service"],
        json!({"name": "elasticloadbalancing.amazonaws.com"}),
        "an assumed service-linked role names its service by its path"
    );
    assert!(linked.get("user").is_none(), "{linked}");
    assert_eq!(linked["related"]["user"], json!(["ElasticLoadBalancing"]));
    let delegated = by_id(&records, "ecs-0114");
    assert_eq!(delegated["service"], json!({"name": "ssm.amazonaws.com"}));
    assert_eq!(
        delegated["aws"]["cloudtrail"]["user_identity"]["invoked_by_delegate"],
        json!({"account_id": "444455556666"})
    );
}

#[test]
fn ecs_related_hosts_and_ips_as_elastic_collects_them() {
    let records = elastic_fixture();
    assert_eq!(
        by_id(&records, "ecs-0113")["related"]["hosts"],
        json!([
            "i-0aaaaaaaaaaaaaaa2",
            "i-0bbbbbbbbbbbbbbb3",
            "i-0aaaaaaaaaaaaaaa1"
        ]),
        "resources first, then the request; AWS endpoints are not hosts"
    );
    assert_eq!(
        by_id(&records, "ecs-0114")["related"]["hosts"],
        json!([
            "proxy.corp.example.com",
            "host-7.corp.example.com",
            "WIN-EXAMPLE01",
            "i-0ddddddddddddddd5",
            "i-0ccccccccccccccc4",
            "i-0eeeeeeeeeeeeeee6"
        ]),
        "server name, host-name source, computerName, then instance ids once each"
    );
    let internal = by_id(&records, "ecs-0115");
    assert!(internal["related"].get("hosts").is_none(), "AWS Internal");
    assert_eq!(internal["related"]["ip"], json!(["198.51.100.9"]));
    for r in &records {
        assert!(
            r["related"].get("hosts").is_none()
                || ["ecs-0112", "ecs-0113", "ecs-0114"]
                    .contains(&r["aws"]["cloudtrail"]["request_id"].as_str().unwrap()),
            "no other fixture has hosts: {r}"
        );
    }
}

#[test]
fn ecs_keeps_the_identity_and_delivery_members_elastic_keeps() {
    let records = elastic_fixture();
    let r = by_id(&records, "ecs-0115");
    let trail = &r["aws"]["cloudtrail"];
    let identity = &trail["user_identity"];
    assert_eq!(identity["credential_id"], "EXAMPLECREDENTIAL0001");
    assert_eq!(identity["identity_provider"], "accounts.example.com");
    assert_eq!(
        identity["in_scope_of"]["issuer_type"],
        "AWS::Lambda::Function"
    );
    assert_eq!(identity["in_scope_of"]["source_account"], "111122223333");
    let session = &identity["session_context"];
    assert_eq!(session["ec2_role_delivery"], "2.0");
    assert_eq!(session["source_identity"], "dev-ops");
    assert_eq!(session["assumed_root"], "true");
    assert_eq!(
        session["web_id_federation_data"]["attributes"],
        json!({"accounts.example.com:aud": "client-1"})
    );
    assert_eq!(
        trail["shared_event_id"],
        "00000000-0000-4000-8000-0000000051ed"
    );
    assert_eq!(trail["vpc_endpoint_account_id"], "444455556666");
    assert_eq!(trail["addendum"]["reason"], "DELIVERY_DELAY");
    assert_eq!(
        trail["addendum"]["original_event_id"],
        "00000000-0000-4000-8000-00000000e015"
    );
    assert_eq!(
        r["related"]["user"],
        json!(["app", "AROAEXAMPLEWEB000001:app", "web-role"])
    );
    assert_eq!(
        by_id(&records, "ecs-0114")["aws"]["cloudtrail"]["tls_details"],
        json!({"key_exchange": "x25519"})
    );
}

// ------------------------------------------------------------------ OCSF edges

/// fixtures/ocsf-edge.ndjson in OCSF, in input order.
fn ocsf_edges() -> Vec<Value> {
    let records = run("ocsf", "ocsf-edge.ndjson", &[]);
    assert_eq!(records.len(), 7);
    records
}

#[test]
fn ocsf_request_uid_falls_back_to_the_event_id() {
    let records = ocsf_edges();
    assert_eq!(
        records[0]["api"]["request"]["uid"], "00000000-0000-4000-8000-0000000000c1",
        "parameters but no requestID"
    );
    assert!(records[0]["unmapped"].get("requestParameters").is_none());
    assert!(
        records[1]["api"].get("request").is_none(),
        "neither requestID nor eventID"
    );
    assert_eq!(
        records[1]["unmapped"]["requestParameters"],
        json!({"filterSet": {}})
    );
    assert!(
        records[3]["api"].get("request").is_none(),
        "no requestID and no parameters: no request"
    );
}

#[test]
fn ocsf_session_context_is_in_actor_session_and_only_the_rest_is_unmapped() {
    let records = ocsf_edges();
    // An unparseable creationDate is not a time: it stays in unmapped.
    assert!(records[0]["actor"]["session"].get("created_time").is_none());
    assert_eq!(
        records[0]["unmapped"]["userIdentity"],
        json!({"sessionContext": {"attributes": {"creationDate": "20131102T010628Z"}}})
    );
    let web = &records[2];
    assert_eq!(
        web["actor"]["session"],
        json!({"is_mfa": true, "issuer": "arn:aws:iam::111122223333:role/web"})
    );
    assert_eq!(
        web["unmapped"]["userIdentity"]["sessionContext"]["attributes"],
        json!({"creationDate": "REDACTED"})
    );
    assert!(
        web["unmapped"]["userIdentity"]["sessionContext"]["sessionIssuer"]
            .get("arn")
            .is_none()
    );
    let login = &records[3];
    assert_eq!(
        login["http_request"]["url"]["url_string"],
        "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true"
    );
    assert_eq!(login["actor"]["session"]["is_mfa"], true);
    assert_eq!(
        login["unmapped"]["additionalEventData"],
        json!({"MobileVersion": "No", "MFAIdentifier": "arn:aws:iam::111122223333:mfa/paul"})
    );
}

#[test]
fn ocsf_observables_and_required_fallbacks() {
    let records = ocsf_edges();
    assert_eq!(
        records[3]["observables"],
        json!([
            {"name": "src_endpoint.ip", "type_id": 2, "type": "IP Address", "value": "203.0.113.100"},
            {"name": "actor.user.name", "type_id": 4, "type": "User Name", "value": "paul"},
            {"name": "actor.user.uid", "type_id": 10, "type": "Resource UID",
             "value": "arn:aws:iam::111122223333:user/paul"}
        ])
    );
    let nobody = &records[4];
    assert_eq!(nobody["actor"], json!({"user": {"name": "Unknown"}}));
    assert_eq!(nobody["src_endpoint"], json!({"name": "Unknown"}));
    assert!(nobody.get("observables").is_none());
    let service = &records[5];
    assert_eq!(
        service["actor"],
        json!({"invoked_by": "lambda.amazonaws.com"})
    );
    assert_eq!(
        service["src_endpoint"],
        json!({"svc_name": "lambda.amazonaws.com"})
    );
    assert_eq!(
        service["observables"],
        json!([{"name": "resources.uid", "type_id": 10, "type": "Resource UID",
                "value": "arn:aws:iam::111122223333:role/fn"}])
    );
    assert_eq!(
        records[6]["src_endpoint"],
        json!({"domain": "AWS Internal", "name": "AWS Internal"})
    );
}
