//! The fast path against the full parse (`--validate fast` vs `full`), run
//! through the binary: the same kept records byte for byte, the same dead
//! letters (kind, reason, raw bytes, position) and the same counters, on the
//! generated corpus and on hostile records aimed at the structural pass and
//! the stand-in (escaped, nested, duplicate and reordered keys, huge strings,
//! unicode, and every malformed class: truncated, not UTF-8, not an object,
//! too deep, too long, bad strings, numbers and literals).

use crate::generator;
use crate::util::*;

const NOW: &str = "2026-01-15T10:05:00Z";

/// A record the default rules drop on the fast path.
const BASE: &str = r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/app/i-0abc","accountId":"111122223333","sessionContext":{"ec2RoleDelivery":"2.0","attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2026-01-15T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"10.0.0.1","userAgent":"aws-sdk-go/1.44","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-0abc"}]},"maxResults":1000,"ratio":-0.25,"flag":true,"none":null},"responseElements":null,"readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}"#;

/// `BASE` with `from` replaced by `to` (which must occur).
fn edit(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from}");
    BASE.replacen(from, to, 1)
}

/// Hostile lines: each is a record, or a broken one, that the fast path
/// could get wrong.
fn hostile() -> Vec<u8> {
    let name = r#""eventName":"DescribeInstances""#;
    let source = r#""eventSource":"ec2.amazonaws.com""#;
    let stop = r#""eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging""#;
    let mut lines: Vec<Vec<u8>> = vec![
        BASE.into(),
        // Listed rules whose conditions read fields beyond the core ones.
        br#"{"eventVersion":"1.09","eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","userIdentity":{"type":"IAMUser","userName":"bob"},"requestParameters":{"userName":"bob","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}}"#.to_vec(),
        br#"{"eventVersion":"1.09","eventSource":"iam.amazonaws.com","eventName":"AttachUserPolicy","userIdentity":{"type":"IAMUser"},"requestParameters":{"userName":"bob","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}"#.to_vec(),
        br#"{"eventVersion":"1.09","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"AssumedRole"},"requestParameters":{"bucketName":"my-secret-bucket","key":"a"},"readOnly":true}"#.to_vec(),
        br#"{"eventVersion":"1.09","eventSource":"s3.amazonaws.com","eventName":"GetObject","userIdentity":{"type":"AssumedRole"},"requestParameters":{"bucketName":"logs","key":"a"},"readOnly":true}"#.to_vec(),
        // Escaped names, keys and values.
        edit(name, r#""event\u004eame":"StopLogging","eventName":"DescribeInstances""#).into(),
        edit(name, r#""eventName":"Describe\u0049nstances""#).into(),
        edit(&format!("{source},{name}"), r#""eventSource":"cloudtrail.amazonaws.com","eventName":"Stop\u004cogging""#).into(),
        edit(source, r#""eventSource":"ec2.amazon\u0061ws.com""#).into(),
        edit(r#""type":"AssumedRole""#, r#""type":"\u0052oot""#).into(),
        // Nested and duplicate eventName keys; first wins.
        edit(r#""awsRegion""#, r#""x":{"eventName":"StopLogging"},"awsRegion""#).into(),
        edit(name, &format!("{name},\"eventName\":\"StopLogging\"")).into(),
        edit(&format!("{source},{name}"), &format!("{stop},{source},{name}")).into(),
        edit(r#""readOnly":true"#, r#""readOnly":true,"readOnly":"garbage""#).into(),
        edit(r#""readOnly":true"#, r#""readOnly":"garbage","readOnly":true"#).into(),
        // Keys in unusual order, and whitespace everywhere.
        format!("{{{name},{source},\"readOnly\":true,\"eventVersion\":\"1.09\",\"userIdentity\":{{\"type\":\"Root\"}}}}").into(),
        format!("{{{name},{source},\"eventVersion\":\"1.09\"}}").into(),
        b"  { \"eventVersion\" : \"1.09\" ,\t\"eventSource\" : \"ec2.amazonaws.com\" , \"eventName\"\r: \"DescribeInstances\" , \"x\" : [ 1 , { } , [ ] ] }  ".to_vec(),
        // Huge strings before the name.
        edit(r#""eventVersion":"1.09""#, &format!("\"eventVersion\":\"1.09\",\"pad\":\"{}\"", "x\\\"y".repeat(40_000))).into(),
        // Unicode: raw, escaped, surrogate pairs, a lone surrogate.
        edit(r#""aws-sdk-go/1.44""#, "\"aws-sdk-go/1.44 caf\u{e9} \u{1F600} \\u00e9 \\ud83d\\ude00\"").into(),
        edit(r#""aws-sdk-go/1.44""#, r#""kali \ud800""#).into(),
        edit(r#""aws-sdk-go/1.44""#, r#""\udc00 x""#).into(),
        // Wrong types of core fields, null and odd values.
        edit(name, r#""eventName":5"#).into(),
        edit(name, r#""eventName":null"#).into(),
        edit(source, r#""eventSource":null"#).into(),
        edit(source, r#""eventSource":7"#).into(),
        edit(r#""readOnly":true"#, r#""readOnly":"maybe""#).into(),
        edit(r#""readOnly":true"#, r#""readOnly":"TRUE""#).into(),
        edit(r#""eventCategory":"Management""#, r#""eventCategory":["x"]"#).into(),
        edit(r#""recipientAccountId":"111122223333""#, r#""errorMessage":1"#).into(),
        edit(r#""recipientAccountId":"111122223333""#, r#""errorCode":"AccessDenied""#).into(),
        edit(r#""recipientAccountId":"111122223333""#, r#""sessionCredentialFromConsole":"true""#).into(),
        // Bad strings, numbers and literals, inside and outside captures.
        edit("i-0abc\"}", "i-0\tabc\"}").into(),
        edit("i-0abc\"}", "i-0\u{1}abc\"}").into(),
        edit("i-0abc\"}", "i-0\\xabc\"}").into(),
        edit("i-0abc\"}", "i-0\\u12\"}").into(),
        edit("1000", "1e400").into(),
        edit("1000", "1.5E3").into(),
        edit("1000", "0.00000000000000000000000001").into(),
        edit("1000", "123456789012345678901234567890").into(),
        edit("1000", "01").into(),
        edit("1000", "-").into(),
        edit("1000", "1.").into(),
        edit("1000", "+1").into(),
        edit(r#""flag":true"#, r#""flag":tru"#).into(),
        edit(r#""none":null"#, r#""none":nul"#).into(),
        edit(r#""none":null"#, r#""none":null,"#).into(),
        edit("[{", "[{},{").into(),
        edit("}]}", "},]}").into(),
        edit(r#""readOnly":true"#, r#""readOnly" true"#).into(),
        // Not an object, several values, trailing bytes.
        b"[1,2]".to_vec(),
        b"\"a string\"".to_vec(),
        b"42".to_vec(),
        b"{}".to_vec(),
        b"{\"x\":1}".to_vec(),
        format!("{BASE}{BASE}").into(),
        format!("{BASE} x").into(),
        format!("{BASE}\u{c}").into(),
        // Too deep.
        edit(r#""flag":true"#, &format!("\"flag\":{}1{}", "[".repeat(200), "]".repeat(200))).into(),
        edit(r#""flag":true"#, &format!("\"flag\":{}1{}", "[".repeat(60), "]".repeat(60))).into(),
        edit(r#""flag":true"#, &format!("\"flag\":{}1{}", "[".repeat(126), "]".repeat(126))).into(),
        // An envelope of records.
        format!("{{\"Records\":[{BASE},{},{BASE}]}}", edit(name, r#""eventName":5"#)).into(),
    ];
    // Block alignment: a bitmask pass works on 64-byte blocks, so put each
    // tricky sequence at every offset around a block boundary (escapes and
    // escaped quotes split across blocks, runs of backslashes before a
    // quote, strings spanning blocks, control characters at the edge).
    for pad in 0..70 {
        let fill = "p".repeat(pad);
        for tricky in [
            r#"\""#,
            r#"\\""#,
            r#"\\\""#,
            r#"\\\\""#,
            r#"\u0041\\""#,
            r#"\ud83d\ude00""#,
            "\u{1f}\"",
            "\u{0}\"",
            "\u{7f}\"",
            "\u{e9}\\\"\"",
        ] {
            lines.push(
                edit(
                    r#""eventVersion":"1.09""#,
                    &format!("\"pad\":\"{fill}{tricky},\"x\":\"{fill}\",\"eventVersion\":\"1.09\""),
                )
                .into(),
            );
            lines.push(edit(r#""aws-sdk-go/1.44""#, &format!("\"{fill}{tricky}")).into());
        }
        // Structural-looking bytes inside strings near a boundary.
        lines.push(
            edit(
                r#""awsRegion":"us-east-1""#,
                &format!("\"awsRegion\":\"{fill}{{}}[],:\\\"\""),
            )
            .into(),
        );
    }
    // Grammar errors deep inside a dropped record, where a pass that walks
    // only the top-level structure would miss them.
    for (from, to) in [
        (r#""flag":true"#, "\"flag\":true\u{b}"),
        (r#""flag":true"#, "\"flag\":\u{c}true"),
        (r#"{"instanceId":"i-0abc"}"#, r#"{"instanceId" "i-0abc"}"#),
        (r#"{"instanceId":"i-0abc"}"#, r#"{"instanceId":"i-0abc",}"#),
        (
            r#"{"instanceId":"i-0abc"}"#,
            r#"{"instanceId":"i-0abc"} {}"#,
        ),
        (r#"{"instanceId":"i-0abc"}"#, r#"{"instanceId":"i-0abc"}}"#),
        (r#"{"instanceId":"i-0abc"}"#, r#"{"instanceId":"i-0abc":1}"#),
        (r#"{"instanceId":"i-0abc"}"#, r#"{"instanceId","i-0abc"}"#),
        (r#"{"instanceId":"i-0abc"}"#, r#"{1:"i-0abc"}"#),
        (r#"{"instanceId":"i-0abc"}"#, r#"["instanceId":"i-0abc"]"#),
        (r#"{"instanceId":"i-0abc"}"#, r#"{"instanceId":"i-0abc"]"#),
        (r#""maxResults":1000"#, r#""maxResults":1000 2"#),
        (r#""maxResults":1000"#, r#""maxResults":"a""b""#),
    ] {
        lines.push(edit(from, to).into());
    }
    // Records shorter than a block, and runs of backslashes in them.
    for short in [
        &br#"{"a":"\"}"#[..],
        br#"{"a":"\"}"#,
        br#"{"a":"""}"#,
        br#"{"a":"\\"}"#,
        br#"{"eventName":"x\"}"#,
        br#"{"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com"}"#,
        b"{\"a\":\"\x1f\"}",
        b"{\"a\":1\x0b}",
        b"{\"a\":\"\x7f\"}",
        b"{\"a\":[1,2,{\"b\":\"}\"}]}",
        b"{ }",
        b"{\"a\" }",
        b"{\"a\":}",
        b"{,}",
        b"{\"a\":1,,\"b\":2}",
        b"{\"a\":[1 2]}",
        b"{\"a\":{\"b\" 1}}",
        b"{\"a\":{\"b\":1,}}",
        b"{\"a\":{1:2}}",
        b"{\"a\":[}",
        b"{\"a\":{]}",
    ] {
        lines.push(short.to_vec());
    }
    // Not UTF-8.
    for bad in [
        &b"\xff"[..],
        b"\xc3",
        b"\xc0\x80",
        b"\xed\xa0\x80",
        b"\xf4\x90\x80\x80",
    ] {
        let mut line = BASE.as_bytes().to_vec();
        let at = line.windows(6).position(|w| w == b"i-0abc").unwrap() + 3;
        line.splice(at..at, bad.iter().copied());
        lines.push(line);
        let mut key = BASE.as_bytes().to_vec();
        key.splice(1..1, [b"\"".as_slice(), bad, b"\":1,"].concat());
        lines.push(key);
    }
    // Truncated at many points.
    for cut in (1..BASE.len()).step_by(13) {
        lines.push(BASE.as_bytes()[..cut].to_vec());
    }
    let mut out = Vec::new();
    for line in lines {
        out.extend_from_slice(&line);
        out.push(b'\n');
    }
    out
}

/// Run both modes on `input` with `args`, and require identical results.
fn same_both_ways(input: &[u8], args: &[&str]) {
    let dir = TempDir::new("fast");
    let file = dir.write("in.json", input);
    let run = |mode: &str| {
        let dead = dir.file(&format!("dead-{mode}.ndjson"));
        let out = ctfilter(&[
            "--now",
            NOW,
            "--stats",
            "--validate",
            mode,
            "--dead-letter",
            &dead,
        ])
        .args(args)
        .arg(&file)
        .run();
        assert!(out.code == 0 || out.code == 1, "{mode}: {}", out.stderr);
        let dead = std::fs::read(&dead).unwrap_or_default();
        (out, dead)
    };
    let (fast, fast_dead) = run("fast");
    let (full, full_dead) = run("full");
    assert_eq!(fast.code, full.code, "{args:?}");
    if fast.stdout_bytes != full.stdout_bytes {
        assert_same_lines(
            &full.stdout,
            &fast.stdout,
            &format!("kept records {args:?}"),
        );
    }
    if fast_dead != full_dead {
        let (a, b) = (
            String::from_utf8_lossy(&full_dead),
            String::from_utf8_lossy(&fast_dead),
        );
        assert_same_lines(&a, &b, &format!("dead letters {args:?}"));
    }
    assert_eq!(fast.stats(), full.stats(), "{args:?}");
}

/// The first differing line, shown briefly.
fn assert_same_lines(expected: &str, actual: &str, what: &str) {
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        let cut = |s: &str| s.chars().take(300).collect::<String>();
        assert_eq!(
            cut(a),
            cut(e),
            "{what}: line {} differs (fast vs full)",
            i + 1
        );
    }
    assert_eq!(
        actual.lines().count(),
        expected.lines().count(),
        "{what}: line counts differ (fast vs full)"
    );
}

/// Flag sets that give the fast plan different fields to capture.
const RUNS: &[&[&str]] = &[
    &[],
    &["--identity", "human"],
    &[
        "--accounts",
        "111122223333",
        "--regions",
        "us-east-1",
        "--write-only",
    ],
    &[
        "--events",
        "ec2:DescribeInstances,cloudtrail:StopLogging",
        "--min-severity",
        "low",
    ],
    &["--max-depth", "64", "--max-line-bytes", "150K"],
    &["--on-error", "pass"],
];

#[test]
fn fast_and_full_validation_agree_on_hostile_records() {
    let input = hostile();
    for args in RUNS {
        same_both_ways(&input, args);
    }
    same_both_ways(&input, &TEST_RULES[..3]);
    same_both_ways(
        &input,
        &[&TEST_RULES[..3], &["--identity", "machine"][..]].concat(),
    );
}

#[test]
fn fast_and_full_validation_agree_on_the_generated_corpus() {
    let (ndjson, _) = generator::generate(&generator::Options::default(), 3 << 20);
    for args in RUNS {
        same_both_ways(&ndjson, args);
    }
    let s3 = generator::Options {
        seed: 2,
        shape: generator::Shape::s3(100),
    };
    let (records, _) = generator::generate(&s3, 2 << 20);
    same_both_ways(&records, &[]);
}
