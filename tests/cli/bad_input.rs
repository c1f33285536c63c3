//! Every kind of bad input is dead-lettered with the right kind, counted, and
//! the stream goes on; harmless oddities (CRLF, BOM, no final newline) are
//! processed as if the input were clean.

use crate::util::*;
use serde_json::Value;

struct Run {
    out: Output,
    dead: Vec<Value>,
}

/// Run with the test rules, `--events '*' --stats --dead-letter <tmp>`.
fn run_dead(args: &[&str], stdin: &[u8]) -> Run {
    let dir = TempDir::new("bad");
    let dead = dir.file("dead.ndjson");
    let mut all = with_test_rules(&["--events", "*", "--stats", "--dead-letter", &dead]);
    all.extend_from_slice(args);
    let out = ctfilter(&all).stdin(stdin).run();
    out.assert_code(0);
    assert_eq!(
        out.stderr_without_stats(),
        "",
        "dead letters go to the file only"
    );
    let dead = dead_letters(&dead);
    let stats = out.stats();
    assert_eq!(stats["balanced"], true, "{stats}");
    assert_eq!(
        stats["dead_lettered"].as_u64().unwrap(),
        dead.len() as u64,
        "{stats}"
    );
    Run { out, dead }
}

fn run_file(file: &str) -> Run {
    run_dead(&[&format!("fixtures/bad/{file}")], b"")
}

/// Line `n` (1-based) of a fixture, as bytes, without `\n`.
fn line_of(file: &str, n: usize) -> Vec<u8> {
    fixture_bytes(&format!("bad/{file}"))
        .split(|&b| b == b'\n')
        .nth(n - 1)
        .unwrap()
        .to_vec()
}

#[track_caller]
fn assert_entry(entry: &Value, line: u64, kind: &str, raw: &[u8]) {
    assert_eq!(entry["line"], line, "{entry}");
    assert_eq!(entry["kind"], kind, "{entry}");
    assert!(
        entry["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{entry}"
    );
    assert_eq!(
        String::from_utf8_lossy(&dead_letter_raw(entry)),
        String::from_utf8_lossy(raw),
        "raw must be the input bytes: {entry}"
    );
    assert_eq!(dead_letter_raw(entry), raw);
}

#[test]
fn truncated_json_is_dead_lettered_as_truncated_and_the_stream_continues() {
    let run = run_file("truncated.ndjson");
    assert_eq!(ids(&run.out.records()), ["req-0001", "req-0003"]);
    assert_eq!(run.dead.len(), 1);
    assert_entry(
        &run.dead[0],
        2,
        "truncated",
        &line_of("truncated.ndjson", 2),
    );
    assert_eq!(run.out.stats()["bad_by_kind"]["truncated"], 1);
}

#[test]
fn a_line_ending_inside_a_string_or_an_array_is_truncated() {
    let input =
        "{\"eventName\":\"X\",\"a\":\"abc\n{\"eventName\":\"X\",\"a\":[1,2\n{\"eventName\":\"X\"\n";
    let run = run_dead(&[], input.as_bytes());
    let kinds: Vec<&str> = run
        .dead
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["truncated", "truncated", "truncated"]);
}

#[test]
fn invalid_utf8_is_dead_lettered_with_the_raw_bytes_in_base64() {
    let run = run_file("invalid-utf8.ndjson");
    assert_eq!(ids(&run.out.records()), ["req-0001", "req-0003"]);
    assert_eq!(run.dead.len(), 1);
    assert_entry(
        &run.dead[0],
        2,
        "invalid_utf8",
        &line_of("invalid-utf8.ndjson", 2),
    );
    assert!(run.dead[0]["raw_base64"].is_string());
    assert_eq!(run.out.stats()["bad_by_kind"]["invalid_utf8"], 1);
}

#[test]
fn nul_bytes_are_invalid_json_inside_a_string_and_on_their_own() {
    let run = run_file("nul-bytes.ndjson");
    assert_eq!(ids(&run.out.records()), ["req-0001", "req-0003"]);
    assert_eq!(run.dead.len(), 2);
    assert_entry(
        &run.dead[0],
        2,
        "invalid_json",
        &line_of("nul-bytes.ndjson", 2),
    );
    assert_entry(&run.dead[1], 3, "invalid_json", b"\0\0\0");
}

#[test]
fn values_that_are_not_objects_are_dead_lettered_as_not_object() {
    let run = run_file("not-object.ndjson");
    assert_eq!(ids(&run.out.records()), ["req-0001", "req-0003"]);
    assert_entry(&run.dead[0], 2, "not_object", b"42");
    assert_entry(&run.dead[1], 3, "not_object", b"\"x\"");
    // `[1,2]` is an array of two non-records: each element is dead-lettered,
    // with its position in the line.
    let rest = &run.dead[2..];
    assert!(!rest.is_empty());
    let line = line_of("not-object.ndjson", 4);
    for entry in rest {
        assert_eq!(entry["line"], 4);
        assert_eq!(entry["kind"], "not_object");
        let offset = entry["offset"]
            .as_u64()
            .expect("array elements carry an offset") as usize;
        assert!(
            line[offset..].starts_with(&dead_letter_raw(entry)),
            "{entry}"
        );
    }
    assert_eq!(run.out.stats()["bad_by_kind"]["not_object"], run.dead.len());
}

#[test]
fn wrong_field_types_are_dead_lettered_with_the_field_named() {
    let run = run_file("wrong-types.ndjson");
    assert_eq!(ids(&run.out.records()), ["req-0001"]);
    assert_eq!(run.dead.len(), 3);
    for (n, field) in [(1, "eventName"), (2, "userIdentity"), (3, "readOnly")] {
        let entry = &run.dead[n - 1];
        assert_entry(
            entry,
            n as u64,
            "wrong_type",
            &line_of("wrong-types.ndjson", n),
        );
        assert!(entry["reason"].as_str().unwrap().contains(field), "{entry}");
    }
    assert_eq!(run.out.stats()["bad_by_kind"]["wrong_type"], 3);
}

#[test]
fn an_unrecognized_object_is_dead_lettered_as_unrecognized() {
    let run = run_file("unrecognized.ndjson");
    assert_eq!(ids(&run.out.records()), ["req-0001", "req-0003"]);
    assert_eq!(run.dead.len(), 1);
    assert_entry(&run.dead[0], 2, "unrecognized", b"{\"hello\":\"world\"}");
}

#[test]
fn two_hundred_open_brackets_are_too_deep() {
    let deep = "[".repeat(200);
    let input = format!(
        "{}\n{deep}\n{}\n",
        record_line("req-0001"),
        record_line("req-0002")
    );
    let run = run_dead(&[], input.as_bytes());
    assert_eq!(ids(&run.out.records()), ["req-0001", "req-0002"]);
    assert_eq!(run.dead.len(), 1, "{:?}", run.dead);
    let entry = &run.dead[0];
    assert_eq!(entry["line"], 2);
    assert_eq!(entry["kind"], "too_deep");
    let offset = entry["offset"].as_u64().unwrap_or(0) as usize;
    assert_eq!(
        dead_letter_raw(entry),
        deep.as_bytes()[offset..],
        "raw is the line from the reported offset"
    );
}

#[test]
fn a_record_nested_deeper_than_the_limit_is_too_deep() {
    let deep = format!(
        "{{\"eventName\":\"Deep\",\"a\":{}{}}}",
        "[".repeat(200),
        "]".repeat(200)
    );
    let input = format!("{deep}\n{}\n", record_line("req-0001"));
    let run = run_dead(&[], input.as_bytes());
    assert_eq!(ids(&run.out.records()), ["req-0001"]);
    assert_entry(&run.dead[0], 1, "too_deep", deep.as_bytes());
    assert_eq!(run.out.stats()["bad_by_kind"]["too_deep"], 1);
}

#[test]
fn an_over_long_line_is_too_long() {
    let long = format!(
        "{{\"eventName\":\"Long\",\"pad\":\"{}\"}}",
        "x".repeat(3000)
    );
    let short = "{\"eventName\":\"Short\",\"requestID\":\"short\"}";
    let input = format!("{short}\n{long}\n{short}\n");
    let run = run_dead(&["--max-line-bytes", "1K"], input.as_bytes());
    assert_eq!(ids(&run.out.records()), ["short", "short"]);
    assert_eq!(run.dead.len(), 1);
    assert_entry(&run.dead[0], 2, "too_long", long.as_bytes());
    assert_eq!(run.out.stats()["bad_by_kind"]["too_long"], 1);
}

#[test]
fn a_bad_record_inside_an_s3_records_file_is_dead_lettered_alone() {
    let bad = edit_record(&record_line("req-0002"), |r| {
        r.insert("eventName".into(), 7.into());
    });
    let input = format!(
        "{{\"Records\":[{},{bad},42,{}]}}\n",
        record_line("req-0001"),
        record_line("req-0003")
    );
    let run = run_dead(&[], input.as_bytes());
    assert_eq!(ids(&run.out.records()), ["req-0001", "req-0003"]);
    let kinds: Vec<&str> = run
        .dead
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["wrong_type", "not_object"]);
    assert_eq!(run.dead[0]["index"], 1);
    assert_eq!(run.dead[1]["index"], 2);
    assert_eq!(dead_letter_raw(&run.dead[0]), bad.as_bytes());
    let offset = run.dead[0]["offset"].as_u64().unwrap() as usize;
    assert!(
        input[offset..].starts_with(&bad),
        "offset points at the record"
    );
}

#[test]
fn a_truncated_s3_records_file_keeps_its_complete_records() {
    let full = String::from_utf8(fixture_bytes("s3-records.json")).unwrap();
    let cut = full.find(&record_line("req-0005")).unwrap() + 100;
    let input = format!("{}\n{}\n", &full[..cut], record_line("req-0011"));
    let run = run_dead(&[], input.as_bytes());
    assert_eq!(
        ids(&run.out.records()),
        ["req-0001", "req-0003", "req-0011"]
    );
    assert_eq!(run.dead.len(), 1);
    assert_eq!(run.dead[0]["kind"], "truncated");
    assert_eq!(run.dead[0]["line"], 1);
}

#[test]
fn a_truncated_pretty_document_gives_way_to_the_next_compact_record() {
    let pretty = String::from_utf8(fixture_bytes("s3-pretty.json")).unwrap();
    // Cut inside the third record (the Insights one), at a line boundary.
    let cut = pretty.find("\"insightDetails\"").unwrap();
    let cut = pretty[..cut].rfind('\n').unwrap() + 1;
    let input = format!("{}{}\n", &pretty[..cut], record_line("req-0011"));
    let run = run_dead(&[], input.as_bytes());
    let found = ids(&run.out.records());
    assert_eq!(found, ["req-0002", "req-0004", "req-0011"]);
    assert_eq!(run.dead.len(), 1);
    assert_eq!(run.dead[0]["kind"], "truncated");
}

#[test]
fn a_bad_cloudwatch_message_is_dead_lettered_and_the_others_are_kept() {
    let payload = serde_json::json!({
        "messageType": "DATA_MESSAGE", "owner": "111122223333", "logGroup": "trail", "logStream": "s",
        "subscriptionFilters": ["f"],
        "logEvents": [
            {"id": "1", "timestamp": 1, "message": record_line("req-0001")},
            {"id": "2", "timestamp": 2, "message": "{\"eventName\":\"Cut"},
            {"id": "3", "timestamp": 3, "message": record_line("req-0002")}
        ]
    });
    let run = run_dead(&[], format!("{payload}\n").as_bytes());
    assert_eq!(ids(&run.out.records()), ["req-0001", "req-0002"]);
    assert_eq!(run.dead.len(), 1);
    assert_eq!(dead_letter_raw(&run.dead[0]), b"{\"eventName\":\"Cut");
}

#[test]
fn crlf_line_endings_are_processed_as_if_clean() {
    let clean = ctfilter(&with_test_rules(&["--events", "*"]))
        .stdin(fixture_lines("records.ndjson")[..3].join("\n") + "\n")
        .run();
    clean.assert_clean();
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "fixtures/bad/crlf.ndjson",
    ]))
    .run();
    out.assert_clean();
    assert!(!out.stdout.contains('\r'));
    assert_eq!(out.stdout, clean.stdout);
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let clean = ctfilter(&with_test_rules(&["--events", "*"]))
        .stdin(fixture_lines("records.ndjson")[..3].join("\n") + "\n")
        .run();
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "fixtures/bad/bom.ndjson",
    ]))
    .run();
    out.assert_clean();
    assert_eq!(out.stdout, clean.stdout);
    let out = ctfilter(&with_test_rules(&["--events", "*"]))
        .stdin(fixture_bytes("bad/bom.ndjson"))
        .run();
    out.assert_clean();
    assert_eq!(out.stdout, clean.stdout, "on stdin too");
}

#[test]
fn a_byte_order_mark_at_the_start_of_any_line_is_ignored() {
    // Regression: only a BOM at the very start of a source was accepted;
    // `cat a.json b.json` of files that each begin with one put the second
    // BOM at the start of a later line, which was dead-lettered.
    let lines = fixture_lines("records.ndjson");
    let bom = fixture_bytes("bad/bom.ndjson");
    let mut input = bom.clone();
    input.extend_from_slice(&bom);
    // A pretty-printed Records file, and a one-line one, each with a BOM.
    input.extend_from_slice(
        format!("\u{feff}{{\n  \"Records\": [\n    {}\n  ]\n}}\n", lines[0]).as_bytes(),
    );
    input.extend_from_slice(format!("\u{feff}{{\"Records\":[{}]}}\n", lines[1]).as_bytes());
    // A long one-line Records file (streamed) with a BOM.
    let many = vec![lines[2].as_str(); 2000].join(",");
    input.extend_from_slice(format!("\u{feff}{{\"Records\":[{many}]}}\n").as_bytes());
    for threads in ["1", "2"] {
        let out = ctfilter(&with_test_rules(&["--events", "*", "--threads", threads]))
            .stdin(&input)
            .run();
        out.assert_clean();
        assert_eq!(out.records().len(), 3 + 3 + 1 + 1 + 2000, "{}", out.stderr);
        assert!(!out.stdout.contains('\u{feff}'));
    }
}

#[test]
fn a_missing_final_newline_still_processes_the_last_record() {
    let clean = ctfilter(&with_test_rules(&["--events", "*"]))
        .stdin(fixture_lines("records.ndjson")[..3].join("\n") + "\n")
        .run();
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "fixtures/bad/no-final-newline.ndjson",
    ]))
    .run();
    out.assert_clean();
    assert_eq!(out.records().len(), 3);
    assert_eq!(out.stdout, clean.stdout);
}

#[test]
fn a_missing_final_newline_before_the_next_file_does_not_join_the_files() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "fixtures/bad/no-final-newline.ndjson",
        "fixtures/eventbridge.ndjson",
    ]))
    .run();
    out.assert_clean();
    assert_eq!(
        ids(&out.records()),
        ["req-0001", "req-0002", "req-0003", "req-0001", "req-0004"]
    );
}

#[test]
fn every_bad_kind_is_counted_once_and_the_counters_balance() {
    let deep = format!(
        "{{\"eventName\":\"Deep\",\"a\":{}{}}}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    let long = format!(
        "{{\"eventName\":\"Long\",\"pad\":\"{}\"}}\n",
        "x".repeat(5000)
    );
    let run = run_dead(
        &[
            "--max-line-bytes",
            "4K",
            "fixtures/bad/truncated.ndjson",
            "fixtures/bad/invalid-utf8.ndjson",
            "fixtures/bad/wrong-types.ndjson",
            "fixtures/bad/unrecognized.ndjson",
            "-",
        ],
        format!("{deep}{long}42\n").as_bytes(),
    );
    let stats = run.out.stats();
    let kinds = &stats["bad_by_kind"];
    for (kind, n) in [
        ("truncated", 1),
        ("invalid_utf8", 1),
        ("wrong_type", 3),
        ("unrecognized", 1),
        ("too_deep", 1),
        ("too_long", 1),
        ("not_object", 1),
    ] {
        assert_eq!(kinds[kind], n, "{kind}: {stats}");
    }
    assert_eq!(stats["bad"], 9);
    assert_eq!(stats["dead_lettered"], 9);
    assert_eq!(stats["emitted"], 7);
    assert_eq!(stats["read"], 16);
}

#[test]
fn golden_default_dead_letter_lines_on_stderr() {
    let deep = format!(
        "{{\"eventName\":\"Deep\",\"a\":{}{}}}\n",
        "[".repeat(200),
        "]".repeat(200)
    );
    let long = format!(
        "{{\"eventName\":\"Long\",\"pad\":\"{}\"}}\n",
        "x".repeat(5000)
    );
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "--max-line-bytes",
        "4K",
        "fixtures/bad/truncated.ndjson",
        "fixtures/bad/invalid-utf8.ndjson",
        "fixtures/bad/nul-bytes.ndjson",
        "fixtures/bad/not-object.ndjson",
        "fixtures/bad/wrong-types.ndjson",
        "fixtures/bad/unrecognized.ndjson",
        "fixtures/bad/crlf.ndjson",
        "fixtures/bad/bom.ndjson",
        "fixtures/bad/no-final-newline.ndjson",
        "-",
    ]))
    .stdin(format!("{deep}{long}{}\n", "[".repeat(200)))
    .run();
    out.assert_code(0);
    for line in out.stderr.lines() {
        assert!(
            line.starts_with("ctfilter: "),
            "every dead-letter line is prefixed: {line}"
        );
        assert!(
            line.len() < 400,
            "reason lines stay short (no raw dump): {}",
            truncate(line, 100)
        );
    }
    assert_golden("dead-letters.stderr", &out.stderr);
}
