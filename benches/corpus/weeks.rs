//! A multi-week corpus with known injected "first" events, for first-seen
//! rules (issue 13): `write_weeks`.
//!
//! Every day repeats the same activity: the first `per_day` records of the
//! ordinary generator for the seed (each given that day's time and a fresh
//! `eventID`), plus a few hand-written records of known actors (an IAM user
//! with long-term keys, a console user, an Identity Center person, a
//! workload role, a cross-account CI role, a Lambda service role, an
//! anonymous reader). So after the first day every tuple recurs daily and,
//! once the learning period (10 days) is over, nothing is new except what
//! is injected: records of those actors with exactly one new value (a
//! region, a source IP, a network, a client family, an API, a role, an
//! account, an MFA device, a bucket, a topic protocol). Each injection
//! names the default first-seen rule it is meant for.
//!
//! Injections also happen during learning (they must not be reported).
//! Records are in time order. Deterministic for a given `Weeks`.

use super::record::Generator;
use super::time::{days_from_civil, iso};
use super::Options;
use std::io::{self, Write};

/// What `write_weeks` writes.
#[derive(Clone, Copy, Debug)]
pub struct Weeks {
    pub seed: u64,
    /// Days of traffic (the first 10 are the learning period).
    pub days: u32,
    /// Ordinary generator records per day.
    pub per_day: usize,
}

impl Default for Weeks {
    fn default() -> Weeks {
        Weeks {
            seed: 1,
            days: 21,
            per_day: 200,
        }
    }
}

/// One injected first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Injected {
    pub event_id: String,
    /// The default first-seen rule it is meant to fire.
    pub rule: &'static str,
    pub event_time: String,
    /// Injected during the learning period: must not be reported.
    pub learning: bool,
}

/// What `write_weeks` wrote.
#[derive(Clone, Debug, Default)]
pub struct WeeksStats {
    pub records: u64,
    pub bytes: u64,
    pub injected: Vec<Injected>,
    /// The first record's time plus 10 days.
    pub learning_ends: String,
}

/// Day 0 of the corpus, in seconds since the Unix epoch.
fn day0() -> i64 {
    days_from_civil(2024, 6, 3) * 86_400
}
const LEARNING_DAYS: u32 = 10;
const ACCT: &str = "123456789012";
const TOOLS: &str = "444455556666";

/// Writes the corpus as NDJSON.
pub fn write_weeks(weeks: &Weeks, w: &mut impl Write) -> io::Result<WeeksStats> {
    let mut stats = WeeksStats::default();
    let mut out = Vec::with_capacity(1 << 20);
    // The day's generator records, once.
    let mut g = Generator::new(Options {
        seed: weeks.seed,
        ..Options::default()
    });
    let mut template: Vec<Vec<u8>> = Vec::with_capacity(weeks.per_day);
    for _ in 0..weeks.per_day {
        let mut rec = Vec::new();
        g.next_record(&mut rec);
        template.push(rec);
    }
    let mut ends = Vec::new();
    iso(
        &mut ends,
        (day0() + i64::from(LEARNING_DAYS) * 86_400) as u64,
    );
    stats.learning_ends = String::from_utf8(ends).unwrap();
    let mut injections = 0usize;
    for day in 0..weeks.days {
        let start = day0() + i64::from(day) * 86_400;
        // Known actors at 09:00-09:20, generator traffic across the day,
        // injections at 15:00 (in time order within the day's stream).
        let mut timed: Vec<(i64, Vec<u8>, Option<Injected>)> = Vec::new();
        for (n, rec) in baseline(day).into_iter().enumerate() {
            timed.push((start + 9 * 3600 + n as i64 * 60, rec.into_bytes(), None));
        }
        for (i, rec) in template.iter().enumerate() {
            let t = start + (i as i64 * 86_400) / weeks.per_day.max(1) as i64;
            timed.push((t, retime(rec, t, day, i), None));
        }
        let learning = day < LEARNING_DAYS;
        let count = if learning {
            usize::from(day % 3 == 1)
        } else {
            2
        };
        if day > 0 {
            for k in 0..count {
                let t = start + 15 * 3600 + k as i64 * 600;
                let id = format!("f1257000-{:04x}-4000-8000-{:012x}", injections, weeks.seed);
                let (rule, rec) = inject(injections, &id);
                let mut when = Vec::new();
                iso(&mut when, t as u64);
                let info = Injected {
                    event_id: id,
                    rule,
                    event_time: String::from_utf8(when).unwrap(),
                    learning,
                };
                timed.push((t, rec.into_bytes(), Some(info)));
                injections += 1;
            }
        }
        timed.sort_by_key(|(t, _, _)| *t);
        for (t, mut rec, info) in timed {
            set_time(&mut rec, t);
            out.extend_from_slice(&rec);
            out.push(b'\n');
            stats.records += 1;
            if let Some(info) = info {
                stats.injected.push(info);
            }
        }
        w.write_all(&out)?;
        stats.bytes += out.len() as u64;
        out.clear();
    }
    w.flush()?;
    Ok(stats)
}

/// A generator record with its time and a fresh `eventID` for `day`.
fn retime(rec: &[u8], t: i64, day: u32, i: usize) -> Vec<u8> {
    let mut rec = rec.to_vec();
    set_time(&mut rec, t);
    if let Some(at) = find(&rec, b"\"eventID\":\"") {
        let id = format!("{day:08x}-{:04x}-4000-8000-{:012x}", i & 0xffff, i);
        let end = at + 11 + 36;
        if end <= rec.len() {
            rec[at + 11..end].copy_from_slice(id.as_bytes());
        }
    }
    rec
}

/// Overwrite the first `eventTime` (always the top-level one here).
fn set_time(rec: &mut [u8], t: i64) {
    if let Some(at) = find(rec, b"\"eventTime\":\"") {
        let mut stamp = Vec::with_capacity(20);
        iso(&mut stamp, t as u64);
        let end = at + 13 + 20;
        if end <= rec.len() {
            rec[at + 13..end].copy_from_slice(&stamp);
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A record of a known actor (times are set by the caller).
struct Call<'a> {
    who: &'a str,
    source: &'a str,
    name: &'a str,
    region: &'a str,
    ip: &'a str,
    ua: &'a str,
    request: &'a str,
    response: &'a str,
    extra: &'a str,
    account: &'a str,
    id: &'a str,
}

impl Call<'_> {
    fn json(&self) -> String {
        let kind = if self.source == "signin" {
            "AwsConsoleSignIn"
        } else {
            "AwsApiCall"
        };
        format!(
            concat!(
                r#"{{"eventVersion":"1.09","userIdentity":{},"eventTime":"2024-06-03T00:00:00Z","#,
                r#""eventSource":"{}.amazonaws.com","eventName":"{}","awsRegion":"{}","#,
                r#""sourceIPAddress":"{}","userAgent":"{}","requestParameters":{},"#,
                r#""responseElements":{}{},"eventID":"{}","readOnly":false,"eventType":"{}","#,
                r#""managementEvent":true,"recipientAccountId":"{}","eventCategory":"Management"}}"#
            ),
            self.who,
            self.source,
            self.name,
            self.region,
            self.ip,
            self.ua,
            self.request,
            self.response,
            self.extra,
            self.id,
            kind,
            self.account,
        )
    }
}

const CLI: &str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1014-aws exe/x86_64.ubuntu.22";
const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
const BOTO: &str = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.1.0-1029-aws lang/python#3.11.6 Botocore/1.34.84";

fn iam_user(name: &str) -> String {
    format!(
        r#"{{"type":"IAMUser","principalId":"AIDAWEEKS{n:0>11}","arn":"arn:aws:iam::{ACCT}:user/{name}","accountId":"{ACCT}","accessKeyId":"AKIAWEEKS{n:0>11}","userName":"{name}"}}"#,
        n = name.len()
    )
}

fn role_session(account: &str, role: &str, session: &str, key: &str) -> String {
    format!(
        r#"{{"type":"AssumedRole","principalId":"AROAWEEKS{role}:{session}","arn":"arn:aws:sts::{account}:assumed-role/{role}/{session}","accountId":"{account}","accessKeyId":"{key}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"AROAWEEKS{role}","arn":"arn:aws:iam::{account}:role/{role}","accountId":"{account}","userName":"{role}"}},"attributes":{{"creationDate":"2024-06-03T00:00:00Z","mfaAuthenticated":"false"}}}}}}"#
    )
}

fn alice() -> String {
    iam_user("alice")
}
fn console_user(name: &str) -> String {
    format!(
        r#"{{"type":"IAMUser","principalId":"AIDAWEEKSCONSOLE{name}","arn":"arn:aws:iam::{ACCT}:user/{name}","accountId":"{ACCT}","userName":"{name}"}}"#
    )
}
fn carol() -> String {
    role_session(
        ACCT,
        "AWSReservedSSO_Admin_0123456789abcdef",
        "carol@example.com",
        "ASIAWEEKSCAROL000001",
    )
}
fn app() -> String {
    role_session(
        ACCT,
        "weeks-app",
        "i-0abc1234def567890",
        "ASIAWEEKSAPP00000001",
    )
}
fn ci() -> String {
    role_session(TOOLS, "ci-deploy", "build", "ASIAWEEKSCI000000001")
}
const LAMBDA: &str = r#"{"type":"AWSService","invokedBy":"lambda.amazonaws.com"}"#;
const ANON: &str = r#"{"type":"AWSAccount","principalId":"","accountId":"anonymous"}"#;

fn call<'a>(who: &'a str, source: &'a str, name: &'a str, id: &'a str) -> Call<'a> {
    Call {
        who,
        source,
        name,
        region: "us-east-1",
        ip: "192.0.2.10",
        ua: CLI,
        request: "null",
        response: "null",
        extra: "",
        account: ACCT,
        id,
    }
}

const LOGIN_OK: &str = r#"{"ConsoleLogin":"Success"}"#;
const MFA_YES: &str = r#","additionalEventData":{"MFAUsed":"Yes","MobileVersion":"No"}"#;
const MFA_NO: &str = r#","additionalEventData":{"MFAUsed":"No","MobileVersion":"No"}"#;

/// The known actors' daily activity.
fn baseline(day: u32) -> Vec<String> {
    let (alice, carol, app, ci, bob) = (alice(), carol(), app(), ci(), console_user("bob"));
    let ids: Vec<String> = (0..12)
        .map(|n| format!("ba5e0000-{day:04x}-4000-8000-{n:012x}"))
        .collect();
    let role = |arn: &str, extra: &str| {
        format!(r#"{{"roleArn":"arn:aws:iam::{ACCT}:role/{arn}","roleSessionName":"s"{extra}}}"#)
    };
    let alice_assume = role(
        "readonly",
        r#","serialNumber":"arn:aws:iam::123456789012:mfa/alice-phone""#,
    );
    let app_chain = role("reporting", "");
    let fn_role = role("fn-orders", "");
    vec![
        call(&alice, "sts", "GetCallerIdentity", &ids[0]).json(),
        Call {
            request: &alice_assume,
            ..call(&alice, "sts", "AssumeRole", &ids[1])
        }
        .json(),
        Call {
            ip: "198.51.100.23",
            ua: BROWSER,
            response: LOGIN_OK,
            extra: MFA_YES,
            ..call(&bob, "signin", "ConsoleLogin", &ids[2])
        }
        .json(),
        Call {
            ip: "198.51.100.23",
            ua: BROWSER,
            ..call(&bob, "ec2", "DescribeRegions", &ids[3])
        }
        .json(),
        Call {
            ip: "203.0.113.40",
            ..call(&carol, "sts", "GetCallerIdentity", &ids[4])
        }
        .json(),
        Call {
            ip: "10.0.12.34",
            ua: BOTO,
            request: r#"{"secretId":"prod/db"}"#,
            ..call(&app, "secretsmanager", "GetSecretValue", &ids[5])
        }
        .json(),
        Call {
            ip: "10.0.12.34",
            ua: BOTO,
            request: &app_chain,
            ..call(&app, "sts", "AssumeRole", &ids[6])
        }
        .json(),
        Call {
            ip: "10.20.1.9",
            ua: BOTO,
            request: r#"{"bucketName":"prod-assets"}"#,
            ..call(&ci, "s3", "GetBucketPolicy", &ids[7])
        }
        .json(),
        Call {
            ip: "lambda.amazonaws.com",
            ua: "lambda.amazonaws.com",
            request: &fn_role,
            ..call(LAMBDA, "sts", "AssumeRole", &ids[8])
        }
        .json(),
        Call {
            ip: "192.0.2.50",
            ua: "curl/8.5.0",
            request: r#"{"bucketName":"public-site","key":"index.html"}"#,
            ..call(ANON, "s3", "GetObject", &ids[9])
        }
        .json(),
    ]
}

/// Injection number `n`: the rule it is meant for, and the record.
fn inject(n: usize, id: &str) -> (&'static str, String) {
    let (alice, carol, app, ci) = (alice(), carol(), app(), ci());
    let v = n / KINDS; // a fresh value for each use of a kind
    let ipv6 = format!("2001:db8:{:x}::7", 0x100 + n);
    let new_role = |name: String, extra: &str| {
        format!(r#"{{"roleArn":"arn:aws:iam::{ACCT}:role/{name}","roleSessionName":"s"{extra}}}"#)
    };
    match n % KINDS {
        0 => {
            let region = REGIONS[v % REGIONS.len()];
            let json = Call {
                region,
                ..call(&alice, "sts", "GetCallerIdentity", id)
            }
            .json();
            ("recon-first-region-for-person", json)
        }
        1 => {
            let ip = format!("198.51.100.{}", 100 + n % 150);
            let json = Call {
                ip: &ip,
                ..call(&alice, "sts", "GetCallerIdentity", id)
            }
            .json();
            ("credentials-first-source-ip-for-access-key", json)
        }
        2 => {
            let bob = console_user("bob");
            let json = Call {
                ip: &ipv6,
                ua: BROWSER,
                response: LOGIN_OK,
                extra: MFA_YES,
                ..call(&bob, "signin", "ConsoleLogin", id)
            }
            .json();
            ("authentication-first-console-network-for-user", json)
        }
        3 => {
            let ua = FAMILIES[v % FAMILIES.len()];
            let json = Call {
                ip: "203.0.113.40",
                ua,
                ..call(&carol, "sts", "GetCallerIdentity", id)
            }
            .json();
            ("recon-first-user-agent-family-for-person", json)
        }
        4 => {
            let (source, name) = DISCOVERY[v % DISCOVERY.len()];
            let json = call(&alice, source, name, id).json();
            ("recon-first-discovery-call-by-person", json)
        }
        5 => {
            let (source, name) = SENSITIVE[v % SENSITIVE.len()];
            let json = Call {
                ip: "10.0.12.34",
                ua: BOTO,
                ..call(&app, source, name, id)
            }
            .json();
            ("credentials-first-sensitive-call-by-principal", json)
        }
        6 => {
            let account = format!("7777888{:05}", n);
            let json = Call {
                ip: "10.20.1.9",
                ua: BOTO,
                request: r#"{"bucketName":"prod-assets"}"#,
                account: &account,
                ..call(&ci, "s3", "GetBucketPolicy", id)
            }
            .json();
            ("authentication-first-cross-account-access", json)
        }
        7 => {
            let request = new_role(format!("injected-{n}"), "");
            let json = Call {
                request: &request,
                ..call(&alice, "sts", "AssumeRole", id)
            }
            .json();
            ("authentication-first-role-assumed-by-user", json)
        }
        8 => {
            let request = new_role(format!("chained-{n}"), "");
            let json = Call {
                ip: "10.0.12.34",
                ua: BOTO,
                request: &request,
                ..call(&app, "sts", "AssumeRole", id)
            }
            .json();
            ("authentication-first-role-chained-by-role", json)
        }
        9 => {
            let request = new_role(format!("fn-{n}"), "");
            let json = Call {
                ip: "lambda.amazonaws.com",
                ua: "lambda.amazonaws.com",
                request: &request,
                ..call(LAMBDA, "sts", "AssumeRole", id)
            }
            .json();
            ("authentication-first-role-assumed-by-service", json)
        }
        10 => {
            let request = new_role(
                "readonly".into(),
                &format!(r#","serialNumber":"arn:aws:iam::{ACCT}:mfa/device-{n}""#),
            );
            let json = Call {
                request: &request,
                ..call(&alice, "sts", "AssumeRole", id)
            }
            .json();
            ("authentication-first-mfa-device-for-principal", json)
        }
        11 => {
            let request = format!(
                r#"{{"roleName":"role-{n}","policyArn":"arn:aws:iam::{ACCT}:policy/extra"}}"#
            );
            let json = Call {
                request: &request,
                ..call(&alice, "iam", "AttachRolePolicy", id)
            }
            .json();
            ("iam-first-role-policy-change-by-principal", json)
        }
        12 => {
            let json = Call {
                ip: &ipv6,
                ua: "curl/8.5.0",
                request: r#"{"bucketName":"public-site","key":"index.html"}"#,
                ..call(ANON, "s3", "GetObject", id)
            }
            .json();
            ("exposure-first-anonymous-s3-source", json)
        }
        13 => {
            let request = format!(
                r#"{{"bucketName":"bucket-{n}","key":"a","x-amz-server-side-encryption-customer-algorithm":"AES256"}}"#
            );
            let json = Call {
                request: &request,
                ..call(&alice, "s3", "PutObject", id)
            }
            .json();
            ("impact-first-sse-c-encryption-by-principal", json)
        }
        14 => {
            let request = format!(
                r#"{{"topicArn":"arn:aws:sns:us-east-1:{ACCT}:topic-{n}","protocol":"email","endpoint":"x@example.com"}}"#
            );
            let json = Call {
                ip: "10.0.12.34",
                ua: BOTO,
                request: &request,
                ..call(&app, "sns", "Subscribe", id)
            }
            .json();
            ("messaging-first-sns-target-by-principal", json)
        }
        15 => {
            let user = console_user(&format!("nomfa{n}"));
            let json = Call {
                ip: "198.51.100.23",
                ua: BROWSER,
                response: LOGIN_OK,
                extra: MFA_NO,
                ..call(&user, "signin", "ConsoleLogin", id)
            }
            .json();
            (
                "authentication-first-console-login-without-mfa-for-user",
                json,
            )
        }
        _ => {
            let (source, name) = SERVICES[v % SERVICES.len()];
            let json = Call {
                ip: "10.0.12.34",
                ua: BOTO,
                ..call(&app, source, name, id)
            }
            .json();
            ("iam-first-service-for-role", json)
        }
    }
}

const KINDS: usize = 17;
const REGIONS: &[&str] = &["ap-southeast-3", "me-central-1", "af-south-1", "sa-east-1"];
const FAMILIES: &[&str] = &[
    "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 lang/python#3.11.6 Botocore/1.34.84",
    "S3 Browser/11.4.5 https://s3browser.com",
    "Cyberduck/8.7.0.40629 (Mac OS X/14.4) (arm64)",
    "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2",
];
const DISCOVERY: &[(&str, &str)] = &[
    ("iam", "ListRoles"),
    ("iam", "ListUsers"),
    ("organizations", "ListAccounts"),
    ("ec2", "DescribeInstances"),
];
/// Sensitive APIs on services the app role never called.
const SENSITIVE: &[(&str, &str)] = &[
    ("ssm", "StartSession"),
    ("cloudformation", "CreateStack"),
    ("dynamodb", "ExportTableToPointInTime"),
    ("batch", "SubmitJob"),
    ("ec2", "CreateKeyPair"),
    ("lambda", "Invoke"),
];
/// Services the app role never called, and no sensitive API (kind 16).
const SERVICES: &[(&str, &str)] = &[
    ("iam", "GetAccountSummary"),
    ("kms", "ListKeys"),
    ("rds", "DescribeDBInstances"),
    ("bedrock", "ListFoundationModels"),
];
