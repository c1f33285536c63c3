//! Every stage and flag, one behaviour per test.

use crate::util::*;
use serde_json::Value;

const ALL_IDS: [&str; 12] = [
    "req-0001",
    "req-0002",
    "req-0003",
    "req-0004",
    "req-0005",
    "req-0006",
    "req-0007",
    "req-0008",
    "00000000-0000-4000-8000-000000000009",
    "req-0010",
    "req-0011",
    "req-0012",
];
const INSIGHT: &str = "00000000-0000-4000-8000-000000000009";

/// ids of the records.ndjson records kept with the test rules, `--events '*'` and `extra`.
fn kept_all_events(extra: &[&str]) -> Vec<String> {
    let mut args = with_test_rules(&["--events", "*"]);
    args.extend_from_slice(extra);
    args.push("fixtures/records.ndjson");
    let out = ctfilter(&args).run();
    out.assert_clean();
    ids(&out.records())
}

/// ids kept with the test rules and `extra` (default `--events`).
fn kept(extra: &[&str]) -> Vec<String> {
    let mut args = with_test_rules(extra);
    args.push("fixtures/records.ndjson");
    let out = ctfilter(&args).run();
    out.assert_clean();
    ids(&out.records())
}

fn stats_for(extra: &[&str]) -> Value {
    let mut args = with_test_rules(&["--stats"]);
    args.extend_from_slice(extra);
    args.push("fixtures/records.ndjson");
    let out = ctfilter(&args).run();
    out.assert_code(0);
    out.stats()
}

// ------------------------------------------------------------------ scope

#[test]
fn accounts_keeps_only_records_of_the_listed_accounts() {
    assert_eq!(
        kept_all_events(&["--accounts", "444455556666"]),
        ["req-0006"]
    );
    assert_eq!(
        kept_all_events(&["--accounts", "111122223333,444455556666"]),
        ALL_IDS
    );
    assert!(kept_all_events(&["--accounts", "999999999999"]).is_empty());
}

#[test]
fn accounts_falls_back_to_the_caller_account_without_recipient_account_id() {
    let line = edit_record(&record_line("req-0001"), |r| {
        r.remove("recipientAccountId");
    });
    let run = |accounts: &str| {
        let out = ctfilter(&with_test_rules(&["--events", "*", "--accounts", accounts]))
            .stdin(format!("{line}\n"))
            .run();
        out.assert_clean();
        out.records().len()
    };
    assert_eq!(run("111122223333"), 1);
    assert_eq!(run("444455556666"), 0);
}

#[test]
fn regions_keeps_only_records_of_the_listed_regions() {
    assert_eq!(kept_all_events(&["--regions", "eu-west-1"]), ["req-0006"]);
    assert_eq!(
        kept_all_events(&["--regions", "us-east-1,eu-west-1"]),
        ALL_IDS
    );
    assert!(kept_all_events(&["--regions", "ap-south-1"]).is_empty());
}

#[test]
fn categories_keeps_only_the_listed_event_categories() {
    assert_eq!(kept_all_events(&["--categories", "data"]), ["req-0010"]);
    assert_eq!(kept_all_events(&["--categories", "insight"]), [INSIGHT]);
    let management = kept_all_events(&["--categories", "management"]);
    assert_eq!(management.len(), 10);
    assert!(
        !management.contains(&"req-0010".to_string()) && !management.contains(&INSIGHT.to_string())
    );
    assert_eq!(
        kept_all_events(&["--categories", "management,data,insight"]),
        ALL_IDS
    );
}

#[test]
fn categories_network_selects_network_activity_events() {
    let network = edit_record(&record_line("req-0010"), |r| {
        r.insert("eventCategory".into(), "NetworkActivity".into());
        r.insert("eventType".into(), "AwsVpceEvent".into());
        r.insert("requestID".into(), "net-1".into());
    });
    let input = format!("{}\n{network}\n", record_line("req-0001"));
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--categories",
        "network",
    ]))
    .stdin(&input)
    .run();
    out.assert_clean();
    assert_eq!(ids(&out.records()), ["net-1"]);
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--categories",
        "management",
    ]))
    .stdin(&input)
    .run();
    assert_eq!(ids(&out.records()), ["req-0001"]);
}

#[test]
fn write_only_drops_read_only_records_and_keeps_records_without_read_only() {
    let kept = kept_all_events(&["--write-only"]);
    for dropped in ["req-0005", "req-0007", "req-0008", "req-0010"] {
        assert!(
            !kept.contains(&dropped.to_string()),
            "{dropped} is readOnly: true"
        );
    }
    assert_eq!(kept.len(), 8);
    assert!(
        kept.contains(&INSIGHT.to_string()),
        "Insights records have no readOnly and are kept"
    );
}

#[test]
fn scope_drops_are_counted_at_the_scope_stage() {
    let stats = stats_for(&["--events", "*", "--regions", "eu-west-1"]);
    assert_eq!(stats["filtered_by_stage"]["scope"], 11, "{stats}");
    assert_eq!(stats["emitted"], 1);
    assert_eq!(stats["balanced"], true);
}

// --------------------------------------------------------------- identity

#[test]
fn identity_human_keeps_people_and_insights() {
    assert_eq!(
        kept_all_events(&["--identity", "human"]),
        ["req-0001", "req-0003", "req-0004", "req-0005", INSIGHT, "req-0011", "req-0012"]
    );
}

#[test]
fn identity_machine_keeps_workloads_and_the_default_class() {
    assert_eq!(
        kept_all_events(&["--identity", "machine"]),
        ["req-0002", "req-0006", "req-0007", INSIGHT, "req-0010"]
    );
}

#[test]
fn identity_service_keeps_calls_invoked_by_a_service() {
    assert_eq!(
        kept_all_events(&["--identity", "service"]),
        ["req-0008", INSIGHT]
    );
}

#[test]
fn identity_accepts_a_comma_list_and_all() {
    assert_eq!(
        kept_all_events(&["--identity", "human,service"]),
        [
            "req-0001", "req-0003", "req-0004", "req-0005", "req-0008", INSIGHT, "req-0011",
            "req-0012"
        ]
    );
    assert_eq!(kept_all_events(&["--identity", "all"]), ALL_IDS);
    assert_eq!(
        kept_all_events(&["--identity", "human,machine,service"]),
        ALL_IDS
    );
}

#[test]
fn identity_drops_are_counted_at_the_identity_stage() {
    let stats = stats_for(&["--events", "*", "--identity", "service"]);
    assert_eq!(stats["filtered_by_stage"]["identity"], 10, "{stats}");
    assert_eq!(stats["emitted"], 2);
}

// ----------------------------------------------------------------- events

#[test]
fn events_default_keeps_records_some_rule_matches() {
    assert_eq!(
        kept(&[]),
        [
            "req-0001", "req-0002", "req-0003", "req-0004", "req-0005", "req-0006", INSIGHT,
            "req-0010", "req-0011"
        ]
    );
    assert_eq!(kept(&["--events", "default"]), kept(&[]));
    let stats = stats_for(&[]);
    assert_eq!(stats["filtered_by_stage"]["events"], 3, "{stats}");
}

#[test]
fn events_star_keeps_every_record() {
    assert_eq!(kept_all_events(&[]), ALL_IDS);
}

#[test]
fn events_list_keeps_listed_names_from_any_source() {
    assert_eq!(
        kept(&["--events", "StopLogging,CreateAccessKey"]),
        ["req-0001", "req-0003"]
    );
}

#[test]
fn events_list_source_name_pairs_must_match_the_source() {
    assert_eq!(kept(&["--events", "iam:CreateAccessKey"]), ["req-0003"]);
    assert_eq!(
        kept(&["--events", "iam.amazonaws.com:CreateAccessKey"]),
        ["req-0003"]
    );
    assert!(kept(&["--events", "ec2:CreateAccessKey"]).is_empty());
}

#[test]
fn events_list_trailing_star_is_a_name_prefix() {
    assert_eq!(
        kept(&["--events", "lambda:UpdateFunctionCode*"]),
        ["req-0011"]
    );
    assert!(kept(&["--events", "iam:UpdateFunctionCode*"]).is_empty());
    assert_eq!(kept(&["--events", "Console*"]), ["req-0004", "req-0012"]);
}

#[test]
fn events_list_matches_insights_by_the_api_that_spiked() {
    assert_eq!(kept(&["--events", "ec2:RunInstances"]), [INSIGHT]);
}

#[test]
fn events_list_records_no_rule_matches_are_still_graded() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "ec2:DescribeInstances",
        "fixtures/records.ndjson",
    ]))
    .run();
    out.assert_clean();
    let records = out.records();
    assert_eq!(ids(&records), ["req-0007"]);
    let verdict = &records[0]["ctfilter"];
    assert_eq!(verdict["severity"], "info");
    assert_eq!(verdict["category"], "none");
    assert_eq!(verdict["rules"], serde_json::json!([]));
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "StopLogging",
        "fixtures/records.ndjson",
    ]))
    .run();
    assert_eq!(
        out.records()[0]["ctfilter"]["rules"],
        serde_json::json!(["t-stop-logging"]),
        "rules still grade listed events"
    );
}

// --------------------------------------------------------------- severity

#[test]
fn min_severity_drops_kept_records_below_the_level() {
    assert_eq!(
        kept(&["--min-severity", "high"]),
        ["req-0001", "req-0002", "req-0003", "req-0005", "req-0006"]
    );
    assert_eq!(kept(&["--min-severity", "critical"]), ["req-0001"]);
    assert_eq!(kept(&["--min-severity", "CRITICAL"]), ["req-0001"]);
    assert_eq!(kept_all_events(&["--min-severity", "info"]), ALL_IDS);
    let stats = stats_for(&["--min-severity", "critical"]);
    assert_eq!(stats["filtered_by_stage"]["severity"], 8, "{stats}");
    assert_eq!(stats["filtered_by_stage"]["events"], 3, "{stats}");
}

// ----------------------------------------------------------------- output

#[test]
fn key_renames_the_added_member() {
    let out = ctfilter(&with_test_rules(&[
        "--key",
        "_ct",
        "fixtures/records.ndjson",
    ]))
    .run();
    out.assert_clean();
    let records = out.records();
    assert_eq!(records.len(), 9);
    for record in &records {
        assert!(record.get("ctfilter").is_none());
        assert!(record["_ct"]["severity"].is_string());
    }
}

#[test]
fn key_with_json_special_characters_is_escaped() {
    let out = ctfilter(&with_test_rules(&[
        "--key",
        "a\"b\\c",
        "fixtures/records.ndjson",
    ]))
    .run();
    out.assert_clean();
    assert!(out.records()[0]["a\"b\\c"]["severity"].is_string());
}

#[test]
fn now_fixes_the_latency() {
    let latency = |now: &str| {
        let out = ctfilter(&[
            "--no-default-rules",
            "-r",
            "fixtures/rules/test-rules.yml",
            "--now",
            now,
            "fixtures/records.ndjson",
        ])
        .run();
        out.assert_clean();
        out.records()[0]["ctfilter"]["latency_s"].as_f64().unwrap()
    };
    // req-0001 happened at 2026-01-15T10:00:00Z.
    assert_eq!(latency("2026-01-15T10:05:00Z"), 300.0);
    assert_eq!(latency("2026-01-15T10:00:00Z"), 0.0);
    assert_eq!(latency("2026-01-15T10:00:01.500Z"), 1.5);
    assert_eq!(latency("2026-01-15T12:00:00+02:00"), 0.0);
}

#[test]
fn without_now_the_latency_comes_from_the_clock() {
    let out = ctfilter(&[
        "--no-default-rules",
        "-r",
        "fixtures/rules/test-rules.yml",
        "fixtures/records.ndjson",
    ])
    .run();
    out.assert_clean();
    let latency = out.records()[0]["ctfilter"]["latency_s"].as_f64().unwrap();
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let expected = since_epoch - 1_768_471_200.0;
    assert!(
        (latency - expected).abs() < 60.0,
        "latency {latency}, expected about {expected}"
    );
}

// ------------------------------------------------------------------ rules

#[test]
fn later_rule_file_replaces_a_rule_with_the_same_id_and_disables_others() {
    let out = ctfilter(&with_test_rules(&[
        "-r",
        "fixtures/rules/override.yml",
        "fixtures/records.ndjson",
    ]))
    .run();
    out.assert_clean();
    let records = out.records();
    let found = ids(&records);
    assert!(
        !found.contains(&"req-0002".to_string()),
        "t-detector-deleted is disabled: {found:?}"
    );
    let stop = &records[0]["ctfilter"];
    assert_eq!(found[0], "req-0001");
    assert_eq!(stop["title"], "Trail logging stopped (site override)");
    assert_eq!(stop["severity"], "low");
    assert_eq!(stop["rules"], serde_json::json!(["t-stop-logging"]));
}

#[test]
fn later_rule_file_classifiers_are_tried_first() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "-r",
        "fixtures/rules/override.yml",
        "--identity",
        "human",
    ]))
    .arg("fixtures/records.ndjson")
    .run();
    out.assert_clean();
    let records = out.records();
    let bob = records
        .iter()
        .find(|r| r["requestID"] == "req-0002")
        .expect("Admin/bob is human with the override");
    assert_eq!(bob["ctfilter"]["identity"]["signal"], "t-id-admin-role");
}

#[test]
fn a_rules_directory_is_layered_in_file_name_order() {
    // fixtures/rules/layered/: 10-base.yml defines t-dir-rule (low), 20-site.yml
    // replaces it (high); 30-off.yml disables t-dir-other.
    let out = ctfilter(&[
        "--no-default-rules",
        "-r",
        "fixtures/rules/layered",
        "--now",
        NOW,
        "fixtures/records.ndjson",
    ])
    .run();
    out.assert_clean();
    let records = out.records();
    assert_eq!(ids(&records), ["req-0001"]);
    assert_eq!(records[0]["ctfilter"]["severity"], "high");
    assert_eq!(
        records[0]["ctfilter"]["rules"],
        serde_json::json!(["t-dir-rule"])
    );
}

#[test]
fn no_default_rules_without_rule_files_keeps_nothing_by_default() {
    let out = ctfilter(&["--no-default-rules", "fixtures/records.ndjson"]).run();
    out.assert_clean();
    assert_eq!(out.stdout, "");
}

#[test]
fn no_default_rules_with_events_star_grades_everything_info_with_the_default_class() {
    let out = ctfilter(&[
        "--no-default-rules",
        "--events",
        "*",
        "--now",
        NOW,
        "fixtures/records.ndjson",
    ])
    .run();
    out.assert_clean();
    let records = out.records();
    assert_eq!(records.len(), 12);
    for record in &records {
        let verdict = &record["ctfilter"];
        if record["eventType"] == "AwsCloudTrailInsight" {
            assert_eq!(verdict["identity"]["class"], Value::Null);
            continue;
        }
        let expected = if record["userIdentity"]["type"] == "Root" {
            "high"
        } else if record.get("errorCode").is_some() {
            "low"
        } else {
            "info"
        };
        assert_eq!(verdict["severity"], expected, "{}", record["requestID"]);
        assert_eq!(verdict["identity"]["class"], "machine");
        assert_eq!(verdict["identity"]["signal"], "default");
    }
}

#[test]
fn default_rules_are_loaded_unless_disabled() {
    let out = ctfilter(&["--now", NOW, "fixtures/records.ndjson"]).run();
    out.assert_clean();
    let records = out.records();
    let stop = records
        .iter()
        .find(|r| r["eventName"] == "StopLogging")
        .expect("the default pack keeps StopLogging");
    assert_eq!(stop["ctfilter"]["severity"], "critical");
    assert!(!stop["ctfilter"]["rules"].as_array().unwrap().is_empty());
    assert!(
        !records
            .iter()
            .any(|r| r["eventName"] == "DescribeInstances"),
        "the default pack drops read-only machine noise"
    );
}

// ------------------------------------------------------------ bad inputs

#[test]
fn dead_letter_file_gets_one_ndjson_entry_per_bad_input_with_the_raw_line() {
    let dir = TempDir::new("dead-letter");
    let dead = dir.file("dead.ndjson");
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--dead-letter",
        &dead,
        "fixtures/bad/unrecognized.ndjson",
    ]))
    .run();
    out.assert_clean();
    assert_eq!(ids(&out.records()), ["req-0001", "req-0003"]);
    let entries = dead_letters(&dead);
    assert_eq!(entries.len(), 1);
    let entry = &entries[0];
    assert_eq!(entry["source"], "fixtures/bad/unrecognized.ndjson");
    assert_eq!(entry["line"], 2);
    assert_eq!(entry["kind"], "unrecognized");
    assert!(entry["reason"].as_str().unwrap().len() > 10);
    assert_eq!(entry["raw"], "{\"hello\":\"world\"}");
}

#[test]
fn dead_letter_file_is_appended_to() {
    let dir = TempDir::new("dead-append");
    let dead = dir.write("dead.ndjson", "{\"earlier\":true}\n");
    for _ in 0..2 {
        ctfilter(&with_test_rules(&[
            "--dead-letter",
            &dead,
            "fixtures/bad/unrecognized.ndjson",
        ]))
        .run()
        .assert_clean();
    }
    let entries = dead_letters(&dead);
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0]["earlier"], true);
    assert_eq!(entries[2]["kind"], "unrecognized");
}

#[test]
fn dead_letter_raw_is_base64_for_invalid_utf8() {
    let dir = TempDir::new("dead-b64");
    let dead = dir.file("dead.ndjson");
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--dead-letter",
        &dead,
        "fixtures/bad/invalid-utf8.ndjson",
    ]))
    .run();
    out.assert_clean();
    let entries = dead_letters(&dead);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["kind"], "invalid_utf8");
    assert!(
        entries[0].get("raw").is_none(),
        "raw must not hold lossy text"
    );
    let line = fixture_bytes("bad/invalid-utf8.ndjson")
        .split(|&b| b == b'\n')
        .nth(1)
        .unwrap()
        .to_vec();
    assert_eq!(dead_letter_raw(&entries[0]), line);
}

#[test]
fn on_error_pass_writes_bad_inputs_unchanged_in_place() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--on-error",
        "pass",
        "--stats",
        "fixtures/bad/unrecognized.ndjson",
    ]))
    .run();
    out.assert_code(0);
    assert_eq!(out.stderr_without_stats(), "", "nothing is dead-lettered");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].contains("\"req-0001\""));
    assert_eq!(lines[1], "{\"hello\":\"world\"}");
    assert!(lines[2].contains("\"req-0003\""));
    let stats = out.stats();
    assert_eq!(stats["passed_bad"], 1);
    assert_eq!(stats["emitted"], 3);
    assert_eq!(stats["dead_lettered"], 0);
    assert_eq!(stats["balanced"], true);
}

#[test]
fn on_error_pass_keeps_invalid_utf8_bytes_as_they_were() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--on-error",
        "pass",
        "fixtures/bad/invalid-utf8.ndjson",
    ]))
    .run();
    out.assert_clean();
    let input = fixture_bytes("bad/invalid-utf8.ndjson");
    let bad_line = input.split(|&b| b == b'\n').nth(1).unwrap();
    let out_line = out.stdout_bytes.split(|&b| b == b'\n').nth(1).unwrap();
    assert_eq!(out_line, bad_line);
}

#[test]
fn strict_exits_3_at_the_first_bad_input_after_writing_what_came_before() {
    // With --threads 2 too: nothing after the bad line may be written.
    let input = format!(
        "{}\n{}\nnot json\n{}\n",
        record_line("req-0001"),
        record_line("req-0002"),
        record_line("req-0003")
    );
    for threads in ["1", "2"] {
        let out = ctfilter(&with_test_rules(&[
            "--events",
            "*",
            "--strict",
            "--threads",
            threads,
        ]))
        .stdin(&input)
        .run();
        out.assert_code(3);
        assert_eq!(
            ids(&out.records()),
            ["req-0001", "req-0002"],
            "--threads {threads}"
        );
        assert!(out.stderr.contains("--strict"), "{}", out.stderr);
        assert!(
            out.stderr.contains("stdin"),
            "names the source: {}",
            out.stderr
        );
    }
}

#[test]
fn strict_with_clean_input_exits_0() {
    let out = ctfilter(&with_test_rules(&["--strict", "fixtures/records.ndjson"])).run();
    out.assert_clean();
    assert_eq!(out.records().len(), 9);
}

#[test]
fn max_line_bytes_dead_letters_longer_lines_and_accepts_suffixes() {
    let short = record_line("req-0001");
    let long = edit_record(&short, |r| {
        r.insert("padding".into(), "x".repeat(2000).into());
        r.insert("requestID".into(), "long".into());
    });
    assert!(short.len() < 1024 && long.len() > 2048);
    let input = format!("{short}\n{long}\n{}\n", record_line("req-0002"));
    let dir = TempDir::new("max-line");
    let dead = dir.file("dead.ndjson");
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--max-line-bytes",
        "1K",
        "--dead-letter",
        &dead,
    ]))
    .stdin(&input)
    .run();
    out.assert_clean();
    assert_eq!(ids(&out.records()), ["req-0001", "req-0002"]);
    let entries = dead_letters(&dead);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["kind"], "too_long");
    assert_eq!(entries[0]["line"], 2);
    assert_eq!(entries[0]["raw"], long.as_str());
    // The same line passes under a larger limit, in bytes or with a suffix.
    for limit in ["4096", "4k", "1M"] {
        let out = ctfilter(&with_test_rules(&[
            "--events",
            "*",
            "--max-line-bytes",
            limit,
        ]))
        .stdin(&input)
        .run();
        out.assert_clean();
        assert_eq!(out.records().len(), 3, "--max-line-bytes {limit}");
    }
}

#[test]
fn max_depth_dead_letters_deeper_records() {
    let nested = |depth: usize| {
        format!(
            "{{\"eventName\":\"Nested\",\"requestID\":\"d{depth}\",\"a\":{}{}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    let input = format!("{}\n{}\n", nested(5), nested(100));
    let run = |extra: &[&str]| {
        let mut args = with_test_rules(&["--events", "*", "--stats"]);
        args.extend_from_slice(extra);
        ctfilter(&args).stdin(&input).run()
    };
    let out = run(&[]);
    assert_eq!(
        ids(&out.records()),
        ["d5", "d100"],
        "the default depth (128) accepts 101 levels"
    );
    let out = run(&["--max-depth", "64"]);
    assert_eq!(ids(&out.records()), ["d5"]);
    assert_eq!(out.stats()["bad_by_kind"]["too_deep"], 1);
    let out = run(&["--max-depth", "4"]);
    assert!(out.records().is_empty());
    assert_eq!(out.stats()["bad_by_kind"]["too_deep"], 2);
}

// ------------------------------------------------------------------ stats

#[test]
fn stats_prints_one_json_line_with_balanced_counters() {
    let out = ctfilter(&with_test_rules(&["--stats", "fixtures/records.ndjson"])).run();
    out.assert_code(0);
    assert_eq!(
        out.stderr.lines().count(),
        1,
        "only the stats line: {}",
        out.stderr
    );
    let stats = out.stats();
    assert_eq!(stats["lines"], 12);
    assert_eq!(stats["bytes"], fixture_bytes("records.ndjson").len());
    assert_eq!(stats["read"], 12);
    assert_eq!(stats["emitted"], 9);
    assert_eq!(stats["filtered"], 3);
    assert_eq!(stats["dead_lettered"], 0);
    assert_eq!(stats["skipped"], 0);
    assert_eq!(stats["balanced"], true);
    assert_eq!(
        stats["emitted_by_severity"],
        serde_json::json!({"info": 0, "low": 1, "medium": 3, "high": 4, "critical": 1})
    );
    let read = stats["read"].as_u64().unwrap();
    let sum = ["emitted", "filtered", "dead_lettered", "skipped"]
        .iter()
        .map(|k| stats[*k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(read, sum);
}

#[test]
fn stats_are_balanced_on_a_mix_of_every_outcome() {
    let out = ctfilter(&with_test_rules(&[
        "--stats",
        "--regions",
        "us-east-1",
        "--min-severity",
        "medium",
        "fixtures/records.ndjson",
        "fixtures/digest.json",
        "fixtures/cloudwatch.ndjson",
        "fixtures/bad/not-object.ndjson",
        "fixtures/bad/wrong-types.ndjson",
    ]))
    .run();
    out.assert_code(0);
    let stats = out.stats();
    let filtered: u64 = stats["filtered_by_stage"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(stats["filtered"].as_u64().unwrap(), filtered);
    let bad: u64 = stats["bad_by_kind"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(stats["bad"].as_u64().unwrap(), bad);
    assert_eq!(stats["dead_lettered"].as_u64().unwrap(), bad);
    assert_eq!(stats["skipped"], 2);
    assert!(stats["filtered_by_stage"]["scope"].as_u64().unwrap() > 0);
    assert!(stats["filtered_by_stage"]["severity"].as_u64().unwrap() > 0);
    assert!(stats["filtered_by_stage"]["events"].as_u64().unwrap() > 0);
    assert_eq!(
        stats["emitted"].as_u64().unwrap(),
        out.records().len() as u64
    );
    assert_eq!(stats["balanced"], true, "{stats}");
    let read = stats["read"].as_u64().unwrap();
    let sum = ["emitted", "filtered", "dead_lettered", "skipped"]
        .iter()
        .map(|k| stats[*k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(read, sum, "{stats}");
}

#[test]
fn without_stats_nothing_is_printed_on_stderr() {
    let out = ctfilter(&with_test_rules(&["fixtures/records.ndjson"])).run();
    out.assert_clean();
}

// ---------------------------------------------------------------- threads

#[test]
fn two_threads_give_the_same_output_as_one() {
    let files = [
        "fixtures/records.ndjson",
        "fixtures/s3-records.json",
        "fixtures/cloudwatch.ndjson",
        "fixtures/bad/not-object.ndjson",
        "fixtures/lookup-events.json",
        "fixtures/bad/truncated.ndjson",
        "fixtures/records.ndjson.gz",
    ];
    let run = |threads: &str| {
        let mut args = with_test_rules(&["--events", "*", "--stats", "--threads", threads]);
        args.extend_from_slice(&files);
        let out = ctfilter(&args).run();
        out.assert_code(0);
        out
    };
    let one = run("1");
    let two = run("2");
    assert!(one.stdout.lines().count() > 30);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.stderr_without_stats(), two.stderr_without_stats());
    assert_eq!(one.stats(), two.stats());
}

// ------------------------------------------------------------ --help etc.

#[test]
fn version_names_the_rule_pack() {
    let out = ctfilter(&["--version"]).run();
    out.assert_code(0);
    assert!(out.stdout.starts_with("ctfilter "), "{}", out.stdout);
    assert!(out.stdout.contains("rules"), "{}", out.stdout);
}

#[test]
fn help_mentions_every_flag_examples_and_exit_codes() {
    let out = ctfilter(&["--help"]).run();
    out.assert_code(0);
    let help = &out.stdout;
    for flag in [
        "-r, --rules",
        "--no-default-rules",
        "--events",
        "--identity",
        "--min-severity",
        "--accounts",
        "--regions",
        "--categories",
        "--write-only",
        "--key",
        "--field",
        "--dead-letter",
        "--on-error",
        "--strict",
        "--max-line-bytes",
        "--max-depth",
        "--stats",
        "--threads",
        "--now",
        "--help",
        "--version",
    ] {
        assert!(help.contains(flag), "--help does not mention {flag}");
    }
    assert!(help.contains("Examples:"), "--help has an Examples section");
    let examples = help.split("Examples:").nth(1).unwrap();
    assert!(
        examples
            .lines()
            .filter(|l| l.trim_start().starts_with("ctfilter ") || l.contains("| ctfilter"))
            .count()
            >= 3
    );
    assert!(
        help.contains("Exit codes"),
        "--help documents the exit codes"
    );
    assert!(
        help.matches("Example: `").count() >= 15,
        "most flags carry an example"
    );
}

#[test]
fn max_line_bytes_also_bounds_records_of_pretty_printed_documents() {
    let big = edit_record(&record_line("req-0001"), |r| {
        r.insert("padding".into(), "x".repeat(5000).into());
    });
    let big: Value = serde_json::from_str(&big).unwrap();
    let small: Value = serde_json::from_str(&record_line("req-0002")).unwrap();
    let input = serde_json::to_string_pretty(&serde_json::json!([big, small])).unwrap() + "\n";
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--stats",
        "--max-line-bytes",
        "2K",
    ]))
    .stdin(input)
    .run();
    out.assert_code(0);
    assert!(
        !out.stdout.contains("xxxxxxxxxx"),
        "a 5 KB record passed --max-line-bytes 2K"
    );
    assert!(
        out.stats()["bad_by_kind"]["too_long"].as_u64().unwrap() >= 1,
        "{}",
        out.stats()
    );
}

#[test]
fn max_depth_counts_a_records_own_nesting_whatever_its_envelope() {
    // A record nested exactly --max-depth deep is accepted bare, so it must be
    // accepted inside an array or a Records file too.
    let record = "{\"eventName\":\"Nested\",\"requestID\":\"n\",\"a\":[[[]]]}"; // depth 4
    for input in [
        format!("{record}\n"),
        format!("[{record}]\n"),
        format!("{{\"Records\":[{record}]}}\n"),
    ] {
        let out = ctfilter(&with_test_rules(&["--events", "*", "--max-depth", "4"]))
            .stdin(&input)
            .run();
        assert_eq!(out.stderr, "", "{input}");
        assert_eq!(ids(&out.records()), ["n"], "{input}");
    }
}
