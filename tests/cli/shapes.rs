//! Every input shape gives the right records, in order, each with its own
//! bytes and the added `ctfilter` key.

use crate::util::*;
use serde_json::Value;

/// `ctfilter --no-default-rules -r test-rules --now NOW --events '*' [extra] fixtures/<file> --stats`
fn run_all_events(file: &str, extra: &[&str]) -> Output {
    let path = format!("fixtures/{file}");
    let mut args = with_test_rules(&["--events", "*", "--stats"]);
    args.extend_from_slice(extra);
    args.push(&path);
    ctfilter(&args).run()
}

/// The output records are `expected` (record texts, in order), each with the
/// original bytes kept: the output line is the record text minus its final
/// `}`, then `,"ctfilter":{...}}`.
#[track_caller]
fn assert_records_keep_their_bytes(out: &Output, expected: &[String]) {
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        expected.len(),
        "number of output records; stdout:\n{}",
        out.stdout
    );
    for (n, (line, raw)) in lines.iter().zip(expected).enumerate() {
        let stem = raw
            .trim_end()
            .strip_suffix('}')
            .expect("record text ends with }");
        assert!(
            line.starts_with(stem),
            "record {n}: output does not start with the input bytes\n  input:  {}\n  output: {}",
            truncate(raw, 200),
            truncate(line, 200)
        );
        let added = &line[stem.len()..];
        assert!(
            added.starts_with(",\"ctfilter\":{"),
            "record {n}: added part is {}",
            truncate(added, 80)
        );
        assert!(
            line.ends_with("}}"),
            "record {n}: line must end with the verdict and the record's brace"
        );
    }
    assert_same_records(
        out,
        &expected
            .iter()
            .map(|r| serde_json::from_str(r).unwrap())
            .collect::<Vec<Value>>(),
    );
}

/// Parsed output, minus the `ctfilter` key, equals `expected`, in order.
#[track_caller]
fn assert_same_records(out: &Output, expected: &[Value]) {
    let records = out.records();
    assert_eq!(records.len(), expected.len(), "number of output records");
    for (n, (got, want)) in records.iter().zip(expected).enumerate() {
        assert!(
            got["ctfilter"].is_object(),
            "record {n} has no ctfilter object"
        );
        assert_eq!(
            &without_key(got, "ctfilter"),
            want,
            "record {n} differs from its input"
        );
    }
}

#[track_caller]
fn assert_shape_count(out: &Output, shape: &str, count: u64) {
    let stats = out.stats();
    assert_eq!(
        stats["records_by_shape"][shape], count,
        "records_by_shape.{shape}: {stats}"
    );
    assert_eq!(stats["balanced"], true);
}

fn lines_of(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| record_line(id)).collect()
}

#[test]
fn bare_ndjson_records_are_emitted_in_order_with_their_exact_bytes() {
    let out = run_all_events("records.ndjson", &[]);
    assert_eq!(out.stderr_without_stats(), "");
    assert_records_keep_their_bytes(&out, &fixture_lines("records.ndjson"));
    assert_shape_count(&out, "bare", 12);
}

#[test]
fn s3_records_file_on_one_line_is_exploded_into_its_records() {
    let expected = lines_of(&["req-0001", "req-0003", "req-0005"]);
    let text = String::from_utf8(fixture_bytes("s3-records.json")).unwrap();
    assert!(text.starts_with("{\"Records\":["), "fixture shape");
    for raw in &expected {
        assert!(
            text.contains(raw.as_str()),
            "fixture s3-records.json must embed the records verbatim"
        );
    }
    let out = run_all_events("s3-records.json", &[]);
    assert_eq!(out.stderr_without_stats(), "");
    assert_records_keep_their_bytes(&out, &expected);
    assert_shape_count(&out, "s3_records", 3);
}

#[test]
fn pretty_printed_s3_records_file_gives_one_output_line_per_record() {
    let file: Value = serde_json::from_slice(&fixture_bytes("s3-pretty.json")).unwrap();
    let expected = file["Records"].as_array().unwrap().clone();
    assert_eq!(expected.len(), 3);
    let out = run_all_events("s3-pretty.json", &[]);
    assert_eq!(out.stderr_without_stats(), "");
    assert_eq!(out.stats()["emitted"], 3);
    assert_same_records(&out, &expected);
    assert_shape_count(&out, "s3_records", 3);
}

#[test]
fn pretty_printed_json_array_gives_one_output_line_per_record() {
    let expected = serde_json::from_slice::<Value>(&fixture_bytes("array.json"))
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(expected.len(), 2);
    let out = run_all_events("array.json", &[]);
    assert_eq!(out.stderr_without_stats(), "");
    assert_same_records(&out, &expected);
    assert_shape_count(&out, "array", 2);
}

#[test]
fn pretty_printed_single_record_is_one_output_line() {
    let dir = TempDir::new("pretty-one");
    let record: Value = serde_json::from_str(&record_line("req-0002")).unwrap();
    let pretty = serde_json::to_string_pretty(&record).unwrap() + "\n";
    let path = dir.write("one.json", &pretty);
    let out = ctfilter(&with_test_rules(&["--events", "*", &path])).run();
    out.assert_clean();
    assert_same_records(&out, &[record]);
}

#[test]
fn compact_json_array_on_one_line_is_exploded_into_its_records() {
    let expected = lines_of(&["req-0004", "req-0006"]);
    let input = format!("[{}]\n", expected.join(","));
    let out = ctfilter(&with_test_rules(&["--events", "*", "--stats"]))
        .stdin(input)
        .run();
    assert_eq!(out.stderr_without_stats(), "");
    assert_records_keep_their_bytes(&out, &expected);
    assert_shape_count(&out, "array", 2);
}

#[test]
fn eventbridge_envelopes_are_unwrapped_to_their_detail() {
    let expected = lines_of(&["req-0001", "req-0004"]);
    let fixture = fixture_lines("eventbridge.ndjson");
    for (line, raw) in fixture.iter().zip(&expected) {
        let envelope: Value = serde_json::from_str(line).unwrap();
        assert!(envelope["detail-type"]
            .as_str()
            .unwrap()
            .ends_with("via CloudTrail"));
        assert!(
            line.contains(raw.as_str()),
            "fixture embeds the record verbatim"
        );
    }
    let out = run_all_events("eventbridge.ndjson", &[]);
    assert_eq!(out.stderr_without_stats(), "");
    assert_records_keep_their_bytes(&out, &expected);
    assert_shape_count(&out, "eventbridge", 2);
}

#[test]
fn cloudwatch_logs_messages_are_parsed_and_the_control_message_is_skipped() {
    let mut messages = Vec::new();
    let mut control = 0;
    for line in fixture_lines("cloudwatch.ndjson") {
        let payload: Value = serde_json::from_str(&line).unwrap();
        if payload["messageType"] == "CONTROL_MESSAGE" {
            control += 1;
            continue;
        }
        for event in payload["logEvents"].as_array().unwrap() {
            messages.push(event["message"].as_str().unwrap().to_string());
        }
    }
    assert_eq!((control, messages.len()), (1, 3), "fixture shape");
    assert_eq!(messages, lines_of(&["req-0003", "req-0007", "req-0010"]));
    let out = run_all_events("cloudwatch.ndjson", &[]);
    assert_eq!(
        out.stderr_without_stats(),
        "",
        "a control message is not a bad input"
    );
    assert_records_keep_their_bytes(&out, &messages);
    assert_shape_count(&out, "cloudwatch_logs", 3);
    let stats = out.stats();
    assert_eq!(stats["skipped_by_kind"]["control_message"], 1);
    assert_eq!(stats["skipped"], 1);
    assert_eq!(stats["read"], 4);
    assert_eq!(stats["dead_lettered"], 0);
}

#[test]
fn lookup_events_response_embedded_cloudtrail_event_strings_are_parsed() {
    let response: Value = serde_json::from_slice(&fixture_bytes("lookup-events.json")).unwrap();
    let embedded: Vec<String> = response["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["CloudTrailEvent"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(embedded, lines_of(&["req-0001", "req-0005", "req-0012"]));
    assert!(
        String::from_utf8(fixture_bytes("lookup-events.json"))
            .unwrap()
            .lines()
            .count()
            > 10,
        "fixture is pretty-printed"
    );
    let out = run_all_events("lookup-events.json", &[]);
    assert_eq!(out.stderr_without_stats(), "");
    assert_records_keep_their_bytes(&out, &embedded);
    assert_shape_count(&out, "lookup_events", 3);
}

#[test]
fn lookup_events_items_one_per_line_are_parsed() {
    let embedded: Vec<String> = fixture_lines("lookup-item.ndjson")
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["CloudTrailEvent"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(embedded, lines_of(&["req-0002", "req-0003"]));
    let out = run_all_events("lookup-item.ndjson", &[]);
    assert_eq!(out.stderr_without_stats(), "");
    assert_records_keep_their_bytes(&out, &embedded);
    assert_shape_count(&out, "lookup_events", 2);
}

#[test]
fn vector_wrapped_whole_records_file_in_message_is_exploded() {
    let line = &fixture_lines("vector-wrapped.ndjson")[0];
    let wrapper: Value = serde_json::from_str(line).unwrap();
    assert_eq!(wrapper["source_type"], "aws_s3");
    let message = wrapper["message"].as_str().unwrap();
    let expected = lines_of(&["req-0001", "req-0002"]);
    assert_eq!(message, format!("{{\"Records\":[{}]}}", expected.join(",")));
    let out = run_all_events("vector-wrapped.ndjson", &[]);
    assert_eq!(out.stderr_without_stats(), "");
    assert_records_keep_their_bytes(&out, &expected);
    assert_eq!(out.stats()["balanced"], true);
}

#[test]
fn fluent_bit_log_field_holding_a_record_is_parsed() {
    let logs: Vec<String> = fixture_lines("fluentbit-wrapped.ndjson")
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["log"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(logs, lines_of(&["req-0004", "req-0006"]));
    let out = run_all_events("fluentbit-wrapped.ndjson", &[]);
    assert_eq!(out.stderr_without_stats(), "");
    assert_records_keep_their_bytes(&out, &logs);
    assert_shape_count(&out, "host_wrapped", 2);
}

#[test]
fn field_flag_names_a_nested_field_holding_the_record_text() {
    let bodies: Vec<String> = fixture_lines("custom-field.ndjson")
        .iter()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["payload"]["body"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(bodies, lines_of(&["req-0001", "req-0011"]));
    let out = run_all_events("custom-field.ndjson", &["--field", "payload.body"]);
    assert_eq!(out.stderr_without_stats(), "");
    assert_records_keep_their_bytes(&out, &bodies);
    assert_shape_count(&out, "host_wrapped", 2);
}

#[test]
fn without_field_flag_a_custom_wrapper_is_unrecognized() {
    let out = run_all_events("custom-field.ndjson", &[]);
    assert_eq!(out.stdout, "");
    let stats = out.stats();
    assert_eq!(stats["bad_by_kind"]["unrecognized"], 2, "{stats}");
    assert_eq!(stats["dead_lettered"], 2);
}

#[test]
fn digest_file_is_skipped_silently_and_counted() {
    let out = run_all_events("digest.json", &[]);
    out.assert_code(0);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr_without_stats(),
        "",
        "a digest is not a bad input"
    );
    let stats = out.stats();
    assert_eq!(stats["read"], 1);
    assert_eq!(stats["skipped"], 1);
    assert_eq!(stats["skipped_by_kind"]["digest"], 1);
    assert_eq!(stats["dead_lettered"], 0);
    assert_eq!(stats["balanced"], true);
}

#[test]
fn several_files_are_read_in_command_line_order() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "fixtures/eventbridge.ndjson",
        "fixtures/s3-records.json",
        "fixtures/lookup-item.ndjson",
    ]))
    .run();
    out.assert_clean();
    assert_eq!(
        ids(&out.records()),
        ["req-0001", "req-0004", "req-0001", "req-0003", "req-0005", "req-0002", "req-0003"]
    );
}

#[test]
fn dash_reads_stdin_between_files() {
    let out = ctfilter(&with_test_rules(&[
        "--events",
        "*",
        "fixtures/lookup-item.ndjson",
        "-",
        "fixtures/eventbridge.ndjson",
    ]))
    .stdin(record_line("req-0011") + "\n")
    .run();
    out.assert_clean();
    assert_eq!(
        ids(&out.records()),
        ["req-0002", "req-0003", "req-0011", "req-0001", "req-0004"]
    );
}

#[test]
fn a_line_with_a_records_envelope_between_bare_records_keeps_the_order() {
    let input = format!(
        "{}\n{{\"Records\":[{},{}]}}\n{}\n",
        record_line("req-0001"),
        record_line("req-0002"),
        record_line("req-0003"),
        record_line("req-0004")
    );
    let out = ctfilter(&with_test_rules(&["--events", "*"]))
        .stdin(input)
        .run();
    out.assert_clean();
    assert_eq!(
        ids(&out.records()),
        ["req-0001", "req-0002", "req-0003", "req-0004"]
    );
}

#[test]
fn blank_lines_are_ignored_and_counted_separately() {
    let input = format!(
        "\n{}\n   \n\n{}\n",
        record_line("req-0001"),
        record_line("req-0002")
    );
    let out = ctfilter(&with_test_rules(&["--events", "*", "--stats"]))
        .stdin(input)
        .run();
    assert_eq!(out.stderr_without_stats(), "");
    assert_eq!(ids(&out.records()), ["req-0001", "req-0002"]);
    let stats = out.stats();
    assert_eq!(stats["blank_lines"], 3);
    assert_eq!(stats["read"], 2);
    assert_eq!(stats["dead_lettered"], 0);
}

#[test]
fn an_empty_records_file_is_not_an_error() {
    for input in [
        "{\"Records\":[]}\n",
        "{\"Records\": [ ]}\n",
        "{\n  \"Records\": []\n}\n",
    ] {
        let out = ctfilter(&with_test_rules(&["--events", "*", "--stats"]))
            .stdin(input)
            .run();
        out.assert_code(0);
        assert_eq!(out.stdout, "", "{input:?}");
        assert_eq!(
            out.stderr_without_stats(),
            "",
            "{input:?} is a valid, empty S3 log file"
        );
        assert_eq!(out.stats()["dead_lettered"], 0, "{input:?}");
    }
}

#[test]
fn an_empty_array_or_lookup_response_is_not_an_error() {
    let out = ctfilter(&with_test_rules(&["--events", "*", "--stats"]))
        .stdin("[]\n{\"Events\":[],\"NextToken\":null}\n")
        .run();
    out.assert_code(0);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr_without_stats(), "");
}

#[test]
fn the_records_member_need_not_come_first() {
    let input = format!(
        "{{\"x\":1,\"Records\":[{}]}}\n{{\"Records\":[{}],\"x\":{{\"y\":[1]}}}}\n",
        record_line("req-0001"),
        record_line("req-0002")
    );
    let out = ctfilter(&with_test_rules(&["--events", "*"]))
        .stdin(input)
        .run();
    out.assert_clean();
    assert_records_keep_their_bytes(&out, &lines_of(&["req-0001", "req-0002"]));
}

#[test]
fn a_json_array_with_one_compact_record_per_line_is_read_as_an_array() {
    // `[` / `{...},` / `{...}` / `]`: a common export layout.
    let input = format!(
        "[\n{},\n{}\n]\n",
        record_line("req-0001"),
        record_line("req-0002")
    );
    let out = ctfilter(&with_test_rules(&["--events", "*", "--stats"]))
        .stdin(input)
        .run();
    assert_eq!(
        out.stderr_without_stats(),
        "",
        "no record of a well-formed array is bad"
    );
    assert_eq!(ids(&out.records()), ["req-0001", "req-0002"]);
}
