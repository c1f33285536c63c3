//! A generated stream of ~5,000 lines, ~5% of them bad: counters balance,
//! order is kept, dead letters hold the exact input bytes, and the result does
//! not depend on `--threads`.

use crate::util::*;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Valid,
    /// A bad line, with the dead-letter kinds its defect may be reported as.
    Bad(&'static [&'static str]),
    Blank,
}

struct Generated {
    input: Vec<u8>,
    /// One entry per input line: its kind and bytes (without `\n`).
    lines: Vec<(Kind, Vec<u8>)>,
}

const EVENTS: [(&str, &str); 10] = [
    ("cloudtrail.amazonaws.com", "StopLogging"),
    ("iam.amazonaws.com", "CreateAccessKey"),
    ("iam.amazonaws.com", "AttachUserPolicy"),
    ("guardduty.amazonaws.com", "DeleteDetector"),
    ("ec2.amazonaws.com", "DescribeInstances"),
    ("s3.amazonaws.com", "GetObject"),
    ("sts.amazonaws.com", "AssumeRole"),
    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2"),
    ("signin.amazonaws.com", "ConsoleLogin"),
    ("kms.amazonaws.com", "Decrypt"),
];

fn identities() -> Vec<Value> {
    vec![
        json!({"type": "IAMUser", "principalId": "AIDAEXAMPLEALICE0001", "arn": "arn:aws:iam::111122223333:user/alice", "accountId": "111122223333", "userName": "alice"}),
        json!({"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}),
        json!({"type": "AssumedRole", "principalId": "AROAEXAMPLEAPP000001:i-0abc1234def567890", "arn": "arn:aws:sts::111122223333:assumed-role/app/i-0abc1234def567890", "accountId": "111122223333",
               "sessionContext": {"ec2RoleDelivery": "2.0", "attributes": {"mfaAuthenticated": "false"}}}),
        json!({"type": "AWSService", "invokedBy": "cloudformation.amazonaws.com"}),
        json!({"type": "AssumedRole", "principalId": "AROAEXAMPLEZOE000001:zoë", "arn": "arn:aws:sts::444455556666:assumed-role/Dev/zoë", "accountId": "444455556666"}),
    ]
}

fn valid_record(rng: &mut Rng, seq: usize, identities: &[Value]) -> String {
    let (source, name) = *rng.pick(&EVENTS);
    let mut record = json!({
        "eventVersion": "1.09",
        "userIdentity": rng.pick(identities).clone(),
        "eventTime": format!("2026-01-15T{:02}:{:02}:{:02}Z", rng.below(10), rng.below(60), rng.below(60)),
        "eventSource": source,
        "eventName": name,
        "awsRegion": *rng.pick(&["us-east-1", "eu-west-1", "ap-southeast-2"]),
        "sourceIPAddress": format!("198.51.100.{}", rng.below(255)),
        "userAgent": *rng.pick(&["aws-cli/2.15.30 Python/3.11.8", "Mozilla/5.0", "Boto3/1.34.0", "agent \"quoted\" \\ back ✓"]),
        "requestParameters": {"seq": seq, "userName": *rng.pick(&["alice", "mallory"])},
        "responseElements": null,
        "requestID": format!("seq-{seq}"),
        "eventID": format!("00000000-0000-4000-8000-{seq:012}"),
        "readOnly": rng.chance(50),
        "eventType": "AwsApiCall",
        "recipientAccountId": *rng.pick(&["111122223333", "444455556666"]),
        "eventCategory": *rng.pick(&["Management", "Management", "Data"]),
    });
    if rng.chance(10) {
        record["errorCode"] = json!("AccessDenied");
        record["errorMessage"] = json!("not authorized");
    }
    serde_json::to_string(&record).unwrap()
}

fn bad_line(rng: &mut Rng, seq: usize, identities: &[Value]) -> (Vec<u8>, &'static [&'static str]) {
    match rng.below(5) {
        // Truncated: a proper prefix of a record is never valid JSON.
        0 => {
            let record = valid_record(rng, seq, identities).into_bytes();
            let cut = 2 + rng.below(record.len() - 3);
            let bytes = record[..cut].to_vec();
            // A cut inside a multi-byte character also makes invalid UTF-8.
            let kinds: &[&str] = if std::str::from_utf8(&bytes).is_ok() {
                &["truncated"]
            } else {
                &["truncated", "invalid_utf8"]
            };
            (bytes, kinds)
        }
        // Garbage bytes, possibly invalid UTF-8 or NUL.
        1 => {
            let mut bytes = vec![b'~'];
            for _ in 0..1 + rng.below(60) {
                let b = (rng.next_u64() & 0xff) as u8;
                bytes.push(if b == b'\n' { b'?' } else { b });
            }
            if bytes.last() == Some(&b'\r') {
                *bytes.last_mut().unwrap() = b'!';
            }
            (bytes, &["invalid_json", "invalid_utf8"])
        }
        // Wrong types.
        2 => {
            let mut record: Value =
                serde_json::from_str(&valid_record(rng, seq, identities)).unwrap();
            match rng.below(4) {
                0 => record["eventName"] = json!(42),
                1 => record["userIdentity"] = json!("alice"),
                2 => record["readOnly"] = json!("maybe"),
                _ => record["awsRegion"] = json!(["us-east-1"]),
            }
            (
                serde_json::to_string(&record).unwrap().into_bytes(),
                &["wrong_type"],
            )
        }
        // Too deep.
        3 => {
            let depth = 130 + rng.below(200);
            let line = format!(
                "{{\"eventName\":\"Deep\",\"requestID\":\"bad-{seq}\",\"a\":{}{}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            );
            (line.into_bytes(), &["too_deep"])
        }
        // Not an object.
        _ => (
            rng.pick(&["42", "\"text\"", "true", "null", "-1.5e3"])
                .as_bytes()
                .to_vec(),
            &["not_object"],
        ),
    }
}

fn generate(seed: u64, count: usize) -> Generated {
    let mut rng = Rng::new(seed);
    let identities = identities();
    let mut lines = Vec::with_capacity(count);
    for seq in 0..count {
        let roll = rng.below(1000);
        let line = if roll < 50 {
            let (bytes, kinds) = bad_line(&mut rng, seq, &identities);
            (Kind::Bad(kinds), bytes)
        } else if roll < 55 {
            (Kind::Blank, b"   ".to_vec())
        } else {
            (
                Kind::Valid,
                valid_record(&mut rng, seq, &identities).into_bytes(),
            )
        };
        lines.push(line);
    }
    let mut input = Vec::new();
    for (_, bytes) in &lines {
        input.extend_from_slice(bytes);
        input.push(b'\n');
    }
    Generated { input, lines }
}

struct Result {
    stdout: Vec<u8>,
    dead: Vec<u8>,
    stats: Value,
}

/// Run over `input` (a file holding a generated stream); dead letters go to a
/// fresh file.
fn run(input: &str, threads: &str, extra: &[&str]) -> Result {
    let dir = TempDir::new("property-run");
    let dead = dir.file("dead.ndjson");
    let mut args = with_test_rules(&["--dead-letter", &dead, "--stats", "--threads", threads]);
    args.extend_from_slice(extra);
    args.push(input);
    let out = ctfilter(&args).run();
    out.assert_code(0);
    assert_eq!(
        out.stderr_without_stats(),
        "",
        "dead letters go to the file"
    );
    Result {
        stdout: out.stdout_bytes.clone(),
        dead: std::fs::read(&dead).unwrap_or_default(),
        stats: out.stats(),
    }
}

#[test]
fn generated_stream_balances_keeps_order_and_dead_letters_exact_bytes() {
    let gen = generate(0x5eed_c7f1, 5000);
    let valid: Vec<usize> = (0..gen.lines.len())
        .filter(|&i| gen.lines[i].0 == Kind::Valid)
        .collect();
    let bad: Vec<usize> = (0..gen.lines.len())
        .filter(|&i| matches!(gen.lines[i].0, Kind::Bad(_)))
        .collect();
    let blank = gen.lines.iter().filter(|l| l.0 == Kind::Blank).count();
    assert!(
        bad.len() > 150 && bad.len() < 350,
        "about 5% bad lines: {}",
        bad.len()
    );

    let dir = TempDir::new("property");
    let input = dir.write("input.ndjson", &gen.input);
    let result = run(&input, "1", &["--events", "*"]);
    let stats = &result.stats;
    let n = |k: &str| stats[k].as_u64().unwrap();
    assert_eq!(
        n("read"),
        n("emitted") + n("filtered") + n("dead_lettered") + n("skipped"),
        "{stats}"
    );
    assert_eq!(stats["balanced"], true);
    assert_eq!(n("emitted"), valid.len() as u64, "{stats}");
    assert_eq!(n("dead_lettered"), bad.len() as u64, "{stats}");
    assert_eq!(n("read"), (valid.len() + bad.len()) as u64);
    assert_eq!(n("blank_lines"), blank as u64);
    assert_eq!(n("lines"), gen.lines.len() as u64);

    // Output: every valid record, in input order, with its own bytes first.
    let stdout = String::from_utf8(result.stdout.clone()).expect("output is UTF-8");
    let out_lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(out_lines.len(), valid.len());
    for (out, &i) in out_lines.iter().zip(&valid) {
        let input = std::str::from_utf8(&gen.lines[i].1).unwrap();
        assert!(
            out.starts_with(input.strip_suffix('}').unwrap()),
            "line {}: output does not start with the input record\n  in:  {}\n  out: {}",
            i + 1,
            truncate(input, 120),
            truncate(out, 120)
        );
        assert!(out[input.len() - 1..].starts_with(",\"ctfilter\":{"));
    }

    // Dead letters: one per bad line, in order, with the exact bytes.
    let dead = String::from_utf8(result.dead.clone()).expect("dead letters are UTF-8 JSON");
    let entries = records(&dead);
    assert_eq!(entries.len(), bad.len());
    for (entry, &i) in entries.iter().zip(&bad) {
        assert_eq!(entry["line"], i + 1, "{entry}");
        assert!(
            entry["source"].as_str().unwrap().ends_with("input.ndjson"),
            "{entry}"
        );
        let kind = entry["kind"].as_str().unwrap_or("");
        assert!(
            [
                "invalid_json",
                "invalid_utf8",
                "not_object",
                "wrong_type",
                "too_long",
                "too_deep",
                "unrecognized",
                "truncated"
            ]
            .contains(&kind),
            "unknown dead-letter kind: {entry}"
        );
        assert!(
            entry["reason"].as_str().is_some_and(|r| !r.is_empty()),
            "{entry}"
        );
        assert!(
            dead_letter_raw(entry) == gen.lines[i].1,
            "line {}: raw differs from the input\n  in:  {:?}\n  raw: {:?}",
            i + 1,
            truncate(&String::from_utf8_lossy(&gen.lines[i].1), 120),
            truncate(&String::from_utf8_lossy(&dead_letter_raw(entry)), 120)
        );
    }
}

#[test]
fn generated_bad_lines_get_the_kind_of_their_defect() {
    let gen = generate(0xbad_c0de, 3000);
    let dir = TempDir::new("property");
    let input = dir.write("input.ndjson", &gen.input);
    let result = run(&input, "1", &["--events", "*"]);
    let entries = records(&String::from_utf8(result.dead).unwrap());
    let bad: Vec<(usize, &[&str])> = gen
        .lines
        .iter()
        .enumerate()
        .filter_map(|(i, (kind, _))| match kind {
            Kind::Bad(kinds) => Some((i, *kinds)),
            _ => None,
        })
        .collect();
    assert_eq!(entries.len(), bad.len());
    let mut wrong = Vec::new();
    for (entry, (i, kinds)) in entries.iter().zip(&bad) {
        let kind = entry["kind"].as_str().unwrap_or("?");
        if !kinds.contains(&kind) {
            wrong.push(format!(
                "line {}: {kind} (expected {kinds:?}): {}",
                i + 1,
                truncate(&String::from_utf8_lossy(&gen.lines[*i].1), 60)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} bad lines have the wrong kind:\n{}",
        wrong.len(),
        bad.len(),
        wrong[..wrong.len().min(10)].join("\n")
    );
}

#[test]
fn generated_stream_gives_identical_results_with_one_and_two_threads() {
    let gen = generate(0x0dd_ba11, 5000);
    let dir = TempDir::new("property");
    let input = dir.write("input.ndjson", &gen.input);
    for extra in [
        &["--events", "*"][..],
        &[
            "--identity",
            "human,service",
            "--min-severity",
            "low",
            "--write-only",
        ][..],
    ] {
        let one = run(&input, "1", extra);
        let two = run(&input, "2", extra);
        assert!(!one.stdout.is_empty(), "{extra:?}");
        assert!(
            one.stdout == two.stdout,
            "{extra:?}: stdout differs between --threads 1 and 2"
        );
        assert!(
            one.dead == two.dead,
            "{extra:?}: dead letters differ between --threads 1 and 2"
        );
        assert_eq!(one.stats, two.stats, "{extra:?}");
        assert_eq!(one.stats["balanced"], true);
    }
}

#[test]
fn generated_stream_split_into_envelopes_gives_the_same_records() {
    // The valid records of a generated stream, regrouped into S3 Records
    // lines of random sizes, give the same output lines as bare NDJSON.
    let gen = generate(0xfeed_f00d, 1500);
    let valid: Vec<&[u8]> = gen
        .lines
        .iter()
        .filter(|l| l.0 == Kind::Valid)
        .map(|l| &l.1[..])
        .collect();
    let mut rng = Rng::new(7);
    let mut bare = Vec::new();
    let mut envelopes = Vec::new();
    let mut rest = &valid[..];
    while !rest.is_empty() {
        let take = (1 + rng.below(40)).min(rest.len());
        envelopes.extend_from_slice(b"{\"Records\":[");
        for (k, record) in rest[..take].iter().enumerate() {
            if k > 0 {
                envelopes.push(b',');
            }
            envelopes.extend_from_slice(record);
            bare.extend_from_slice(record);
            bare.push(b'\n');
        }
        envelopes.extend_from_slice(b"]}\n");
        rest = &rest[take..];
    }
    let a = ctfilter(&with_test_rules(&["--events", "*"]))
        .stdin(&bare)
        .run();
    let b = ctfilter(&with_test_rules(&["--events", "*"]))
        .stdin(&envelopes)
        .run();
    a.assert_clean();
    b.assert_clean();
    assert_eq!(a.stdout.lines().count(), valid.len());
    assert!(
        a.stdout == b.stdout,
        "S3 envelopes and bare lines give different output"
    );
}

/// Lines of every shape around and across read boundaries: batches point into
/// the input chunks they were framed from, so a line split between chunks, a
/// streamed envelope line and a pretty document must come out exactly as with
/// one thread. Run from a file and through a pipe written in uneven pieces
/// (short reads, topped up from the pipe).
#[test]
fn mixed_shapes_across_chunk_boundaries_give_identical_results_for_any_thread_count() {
    let gen = generate(0xc4a2_b0dd, 6000);
    let mut rng = Rng::new(7);
    let identities = identities();
    let mut input = gen.input.clone();
    // A one-line envelope over 1 MiB is streamed record by record.
    let mut envelope = b"{\"Records\":[".to_vec();
    let mut seq = 100_000;
    while envelope.len() < (3 << 20) / 2 {
        if seq > 100_000 {
            envelope.push(b',');
        }
        envelope.extend_from_slice(valid_record(&mut rng, seq, &identities).as_bytes());
        seq += 1;
    }
    envelope.extend_from_slice(b"]}\n");
    input.extend_from_slice(&envelope);
    // A pretty-printed document, then more lines.
    input.extend_from_slice(b"{\n  \"Records\": [\n");
    input.extend_from_slice(valid_record(&mut rng, seq, &identities).as_bytes());
    input.extend_from_slice(b"\n  ]\n}\n");
    input.extend_from_slice(&generate(0x5107, 3000).input);
    assert!(input.len() > 4 << 20, "spans several 512 KiB chunks");

    let dir = TempDir::new("property-chunks");
    let path = dir.write("input.ndjson", &input);
    let baseline = run(&path, "1", &["--events", "*"]);
    assert_eq!(baseline.stats["balanced"], true);
    for threads in ["2", "3"] {
        let from_file = run(&path, threads, &["--events", "*"]);
        assert!(
            from_file.stdout == baseline.stdout,
            "file, --threads {threads}: stdout differs"
        );
        assert!(
            from_file.dead == baseline.dead,
            "file, --threads {threads}: dead letters differ"
        );
        assert_eq!(from_file.stats, baseline.stats, "file, --threads {threads}");
    }
    for threads in ["1", "2", "3"] {
        let piped = run_piped_unevenly(&input, threads, &mut rng);
        assert!(
            piped.0 == baseline.stdout,
            "pipe, --threads {threads}: stdout differs"
        );
        // Dead letters name their source: the file, or stdin.
        let from_file = String::from_utf8_lossy(&baseline.dead).replace(
            &format!("\"source\":{}", serde_json::json!(path)),
            "\"source\":\"stdin\"",
        );
        assert!(!from_file.is_empty());
        assert!(
            String::from_utf8_lossy(&piped.1) == from_file,
            "pipe, --threads {threads}: dead letters differ"
        );
    }
}

/// stdout and dead letters of a run fed through a pipe in pieces of 1 byte
/// to 200 KB, with short pauses, so reads come back short and uneven.
fn run_piped_unevenly(input: &[u8], threads: &str, rng: &mut Rng) -> (Vec<u8>, Vec<u8>) {
    use std::io::{Read, Write};
    let dir = TempDir::new("property-pipe");
    let dead = dir.file("dead.ndjson");
    let mut args = with_test_rules(&["--dead-letter", &dead, "--threads", threads]);
    args.extend_from_slice(&["--events", "*"]);
    let mut child = ctfilter(&args).spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    let mut pieces = Vec::new();
    let mut at = 0;
    while at < input.len() {
        let len = match rng.below(4) {
            0 => 1 + rng.below(100),
            1 => 4096 + rng.below(4096),
            _ => 1 + rng.below(200_000),
        };
        let end = (at + len).min(input.len());
        pieces.push(input[at..end].to_vec());
        at = end;
    }
    let writer = std::thread::spawn(move || {
        for (i, piece) in pieces.iter().enumerate() {
            if stdin.write_all(piece).is_err() {
                return;
            }
            if i % 16 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    });
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_end(&mut stdout)
        .expect("read stdout");
    writer.join().expect("writer");
    let status = wait_with_deadline(&mut child, std::time::Duration::from_secs(60)).expect("exit");
    assert!(status.success(), "--threads {threads}: {status}");
    (stdout, std::fs::read(&dead).unwrap_or_default())
}
