//! Log files of any size in bounded memory: a one-line `{"Records":[...]}`
//! is cut into records while it arrives, so the first record comes out before
//! the line is complete, memory stays near the size of one record, a record
//! over the limit is dead-lettered with its position while its neighbours are
//! emitted, and a truncated file yields every complete record plus one dead
//! letter for its tail.

use crate::generator as corpus;

use crate::util::*;
use serde_json::Value;
use std::io::{BufRead, Write};
use std::time::{Duration, Instant};

/// A single-line S3 log file of about `bytes`, and its eventIDs in order.
fn log_file(bytes: u64, seed: u64) -> (Vec<u8>, Vec<String>) {
    let (data, _) = corpus::generate(
        &corpus::Options {
            seed,
            shape: corpus::Shape::s3(100_000_000),
        },
        bytes,
    );
    assert_eq!(data.iter().filter(|b| **b == b'\n').count(), 1, "one line");
    let parsed: Value = serde_json::from_slice(&data).unwrap();
    let ids = parsed["Records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["eventID"].as_str().unwrap().to_string())
        .collect();
    (data, ids)
}

fn event_ids(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["eventID"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn a_large_one_line_records_file_streams_every_record_in_order_in_bounded_memory() {
    let (data, ids) = log_file(48 << 20, 21);
    let out = ctfilter(&["--events", "*", "--stats", "--now", "2026-01-15T10:05:00Z"])
        .stdin(data)
        .timeout(Duration::from_secs(120))
        .run();
    out.assert_code(0);
    let stats = out.stats();
    assert_eq!(stats["bad"], 0, "{}", out.stderr);
    assert_eq!(event_ids(&out.stdout), ids);
    let rss = peak_rss_kib(&out.stderr);
    assert!(rss <= 64 * 1024, "peak RSS {rss} KiB for a 48 MiB line");
}

#[test]
fn a_gzipped_one_line_records_file_streams_too() {
    let (data, ids) = log_file(12 << 20, 22);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&data).unwrap();
    let tmp = TempDir::new("streaming");
    let file = tmp.write("log.json.gz", gz.finish().unwrap());
    let out = ctfilter(&["--events", "*", "--stats", &file])
        .timeout(Duration::from_secs(60))
        .run();
    out.assert_code(0);
    assert_eq!(event_ids(&out.stdout), ids);
    assert!(peak_rss_kib(&out.stderr) <= 64 * 1024);
}

#[test]
fn the_first_record_comes_out_before_the_line_is_complete() {
    let (data, ids) = log_file(8 << 20, 23);
    let mut child = ctfilter(&["--events", "*"]).spawn();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = std::io::BufReader::new(stdout).lines();
        if let Some(Ok(first)) = lines.next() {
            let _ = tx.send(first);
        }
        for _ in lines {}
    });
    // Half the line, and no newline yet.
    stdin.write_all(&data[..data.len() / 2]).unwrap();
    stdin.flush().unwrap();
    let started = Instant::now();
    let first = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a record before the line ended");
    assert!(started.elapsed() < Duration::from_secs(10));
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["eventID"].as_str().unwrap(), ids[0]);
    stdin.write_all(&data[data.len() / 2..]).unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_truncated_one_line_file_yields_its_complete_records_and_one_dead_letter() {
    let (data, ids) = log_file(4 << 20, 24);
    let cut = &data[..data.len() * 2 / 3];
    let tmp = TempDir::new("streaming");
    let dead = tmp.file("dead.ndjson");
    let out = ctfilter(&["--events", "*", "--stats", "--dead-letter", &dead])
        .stdin(cut)
        .run();
    out.assert_code(0);
    let emitted = event_ids(&out.stdout);
    assert!(!emitted.is_empty());
    assert_eq!(
        emitted[..],
        ids[..emitted.len()],
        "complete records, in order"
    );
    let letters: Vec<Value> = std::fs::read_to_string(&dead)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0]["kind"], "truncated");
    let offset = letters[0]["offset"].as_u64().unwrap() as usize;
    assert_eq!(
        letters[0]["raw"].as_str().unwrap().as_bytes(),
        &cut[offset..],
        "the tail, byte for byte"
    );
    assert_eq!(
        letters[0]["index"].as_u64().unwrap() as usize,
        emitted.len()
    );
    assert_eq!(out.stats()["balanced"], true);
}

#[test]
fn a_record_over_the_limit_is_dead_lettered_with_its_position_and_its_neighbours_kept() {
    let small = |id: &str| {
        format!(
            r#"{{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"{id}"}}"#
        )
    };
    let big = format!(
        r#"{{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","eventID":"big","pad":"{}"}}"#,
        "z".repeat(300_000)
    );
    let mut records: Vec<String> = (0..20_000).map(|i| small(&format!("a{i}"))).collect();
    records.insert(10_000, big.clone());
    let line = format!("{{\"Records\":[{}]}}\n", records.join(","));
    let tmp = TempDir::new("streaming");
    let dead = tmp.file("dead.ndjson");
    let out = ctfilter(&[
        "--events",
        "*",
        "--stats",
        "--max-line-bytes",
        "64K",
        "--dead-letter",
        &dead,
    ])
    .stdin(line.clone())
    .run();
    out.assert_code(0);
    let emitted = event_ids(&out.stdout);
    assert_eq!(emitted.len(), 20_000);
    assert_eq!(emitted[9_999], "a9999");
    assert_eq!(emitted[10_000], "a10000");
    let letters: Vec<Value> = std::fs::read_to_string(&dead)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0]["kind"], "too_long");
    assert_eq!(letters[0]["index"], 10_000);
    let offset = letters[0]["offset"].as_u64().unwrap() as usize;
    assert!(
        line[offset..].starts_with(&big),
        "offset {offset} points at the big record"
    );
    assert!(letters[0]["reason"]
        .as_str()
        .unwrap()
        .contains(&format!("{} bytes", big.len())));
}

#[test]
fn an_over_long_plain_line_is_skipped_not_held_and_the_next_line_is_processed() {
    let long = format!(
        "{{\"eventName\":\"StopLogging\",\"pad\":\"{}\"}}\n",
        "w".repeat(24 << 20)
    );
    let next = r#"{"eventVersion":"1.08","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventID":"after"}"#;
    let out = ctfilter(&["--events", "*", "--stats", "--max-line-bytes", "2M"])
        .stdin(format!("{long}{next}\n"))
        .run();
    out.assert_code(0);
    assert_eq!(event_ids(&out.stdout), vec!["after".to_string()]);
    let stats = out.stats();
    assert_eq!(stats["bad_by_kind"]["too_long"], 1);
    // Holding the 24 MiB line would put the peak well above this.
    assert!(peak_rss_kib(&out.stderr) < 40 * 1024, "{stats}");
    assert!(
        out.stderr
            .contains(&format!("line is {} bytes", long.len() - 1)),
        "{}",
        out.stderr
    );
}

#[test]
fn log_files_joined_without_newlines_are_all_read() {
    let one = r#"{"Records":[{"eventVersion":"1.08","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","eventID":"f1"}]}"#;
    let two = r#"{"Records":[{"eventVersion":"1.08","eventSource":"cloudtrail.amazonaws.com","eventName":"DeleteTrail","eventID":"f2"}]}"#;
    let out = ctfilter(&["--events", "*"])
        .stdin(format!("{one}{two}\n"))
        .run();
    out.assert_clean();
    assert_eq!(event_ids(&out.stdout), vec!["f1", "f2"]);
    // The same at streaming sizes.
    let (a, ids_a) = log_file(3 << 20, 25);
    let (b, ids_b) = log_file(3 << 20, 26);
    let mut joined = a[..a.len() - 1].to_vec();
    joined.extend_from_slice(&b);
    let out = ctfilter(&["--events", "*", "--stats"]).stdin(joined).run();
    out.assert_code(0);
    assert_eq!(out.stats()["bad"], 0, "{}", out.stderr);
    assert_eq!(event_ids(&out.stdout), [ids_a, ids_b].concat());
}

#[test]
fn a_large_host_wrapped_log_file_streams_in_bounded_memory() {
    let (file, ids) = log_file(48 << 20, 27);
    let file = &file[..file.len() - 1];
    let mut line = Vec::with_capacity(file.len() + file.len() / 8 + 128);
    line.extend_from_slice(br#"{"bucket":"trail-bucket","message":"#);
    line.extend_from_slice(
        serde_json::to_string(std::str::from_utf8(file).unwrap())
            .unwrap()
            .as_bytes(),
    );
    line.extend_from_slice(b",\"source_type\":\"aws_s3\"}\n");
    let out = ctfilter(&["--events", "*", "--stats"])
        .stdin(line)
        .timeout(Duration::from_secs(120))
        .run();
    out.assert_code(0);
    let stats = out.stats();
    assert_eq!(stats["bad"], 0, "{}", out.stderr);
    assert_eq!(
        stats["records_by_shape"]["host_wrapped"].as_u64().unwrap() as usize,
        ids.len()
    );
    assert_eq!(event_ids(&out.stdout), ids);
    let rss = peak_rss_kib(&out.stderr);
    assert!(
        rss <= 64 * 1024,
        "peak RSS {rss} KiB for a 48 MiB wrapped line"
    );
}

#[test]
fn a_truncated_host_wrapped_file_yields_its_complete_records() {
    let (file, ids) = log_file(3 << 20, 28);
    let escaped =
        serde_json::to_string(std::str::from_utf8(&file[..file.len() - 1]).unwrap()).unwrap();
    let cut = format!("{{\"message\":{}\n", &escaped[..escaped.len() / 2]);
    let out = ctfilter(&["--events", "*", "--stats"]).stdin(cut).run();
    out.assert_code(0);
    let emitted = event_ids(&out.stdout);
    assert!(!emitted.is_empty());
    assert_eq!(emitted[..], ids[..emitted.len()]);
    let stats = out.stats();
    assert_eq!(stats["bad_by_kind"]["truncated"], 1, "{stats}");
    assert_eq!(stats["balanced"], true);
}
