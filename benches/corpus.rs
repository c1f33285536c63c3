//! Deterministic, realistic AWS CloudTrail corpus generator (std only).
//!
//! Include it from examples, criterion benches or integration tests with
//!
//! ```ignore
//! #[path = "../benches/corpus.rs"]
//! mod corpus;
//! ```
//!
//! The record stream models a busy production account (by record count):
//! about 70% read-only calls by AWS services and machine roles, 20% machine
//! writes (data events included), 9% human activity and under 1% high-signal
//! events (tamper, IAM backdoors, public sharing, root use, some of them
//! denied). Records are compact JSON, mostly 1 to 3 KB, with a tail up to
//! about 10 KB (RunInstances-like responses), and carry unicode and JSON
//! escapes (`\"`, `\\`, `\n`, `\u00e9`, `\/`) in object keys, user agents,
//! policy documents and error messages.
//!
//! Output is byte-for-byte deterministic for a given seed, shape and size:
//! the only source of randomness is a splitmix64 generator seeded from
//! `Options::seed`. For one seed, every shape carries the same record stream
//! (the S3 shape groups consecutive records into `{"Records":[...]}` lines).
//!
//! Accounts, ARNs and IP addresses are fictitious: account ids are the usual
//! documentation placeholders and public IPs come from the documentation
//! ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32).
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{self, Write};

/// Appends each argument (anything `AsRef<[u8]>`: `&str`, `String`, `&[u8]`,
/// `Vec<u8>`) to the output buffer, verbatim. Arguments are raw JSON text, so
/// literal pieces must already be escaped.
macro_rules! put {
    ($o:expr, $($s:expr),+ $(,)?) => {{
        $( $o.extend_from_slice(AsRef::<[u8]>::as_ref(&$s)); )+
    }};
}

/// Records per `{"Records":[...]}` line when a shape does not say otherwise.
pub const DEFAULT_RECORDS_PER_FILE: usize = 1000;

/// How records are laid out in lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// One record per line.
    Ndjson,
    /// Each line is a CloudTrail log file body: `{"Records":[...]}`.
    S3Records { records_per_file: usize },
    /// Each line is a host/agent envelope, as Vector's `aws_s3` source emits
    /// it: `{"<field>":"<the S3 Records line as a JSON string>",
    /// "source_type":"aws_s3","bucket":...,"object":...,"region":...,
    /// "timestamp":...}`.
    HostWrapped {
        field: &'static str,
        records_per_file: usize,
    },
}

impl Shape {
    pub fn s3(records_per_file: usize) -> Shape {
        Shape::S3Records { records_per_file }
    }
    /// Host-wrapped shape with `DEFAULT_RECORDS_PER_FILE` records per file.
    pub fn host_wrapped(field: &'static str) -> Shape {
        Shape::HostWrapped {
            field,
            records_per_file: DEFAULT_RECORDS_PER_FILE,
        }
    }
    fn records_per_file(&self) -> usize {
        match *self {
            Shape::Ndjson => 1,
            Shape::S3Records { records_per_file }
            | Shape::HostWrapped {
                records_per_file, ..
            } => records_per_file.max(1),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub seed: u64,
    pub shape: Shape,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 1,
            shape: Shape::Ndjson,
        }
    }
}

/// Which part of the mix a record belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Read-only calls by AWS services and machine roles.
    ServiceRead,
    /// Writes by machines and services, data events included.
    MachineWrite,
    /// Routine human activity (console, CLI, SSO).
    Human,
    /// Rare, security-relevant events (tamper, IAM backdoors, root, ...).
    HighSignal,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::ServiceRead,
        Kind::MachineWrite,
        Kind::Human,
        Kind::HighSignal,
    ];
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn name(self) -> &'static str {
        match self {
            Kind::ServiceRead => "ServiceRead",
            Kind::MachineWrite => "MachineWrite",
            Kind::Human => "Human",
            Kind::HighSignal => "HighSignal",
        }
    }
}

/// What `write_corpus` wrote.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Lines written (records for NDJSON, files for the other shapes).
    pub lines: u64,
    /// Bytes written, newlines and envelopes included.
    pub bytes: u64,
    pub records: u64,
    /// Record counts indexed by `Kind::index()`.
    pub kinds: [u64; 4],
    /// Records carrying an `errorCode`.
    pub failures: u64,
    /// Records whose `userIdentity.type` is `Root`.
    pub root: u64,
    pub min_record: u64,
    pub max_record: u64,
    /// Size of every record in bytes (compact JSON, no newline), in order.
    pub record_sizes: Vec<u32>,
    pub event_names: HashMap<&'static str, u64>,
}

impl Stats {
    fn add(&mut self, g: &Generator, kind: Kind, size: usize) {
        let size = size as u64;
        if self.records == 0 || size < self.min_record {
            self.min_record = size;
        }
        self.max_record = self.max_record.max(size);
        self.records += 1;
        self.kinds[kind.index()] += 1;
        self.failures += g.st.failed as u64;
        self.root += g.st.root as u64;
        self.record_sizes.push(size as u32);
        *self.event_names.entry(g.st.name).or_insert(0) += 1;
    }
    /// Record size at percentile `p` (0..=100).
    pub fn percentile(&self, p: f64) -> u64 {
        if self.record_sizes.is_empty() {
            return 0;
        }
        let mut v = self.record_sizes.clone();
        v.sort_unstable();
        let i = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
        u64::from(v[i.min(v.len() - 1)])
    }
    pub fn median_record(&self) -> u64 {
        self.percentile(50.0)
    }
    /// Share of records of `kind`, in percent.
    pub fn kind_pct(&self, kind: Kind) -> f64 {
        if self.records == 0 {
            0.0
        } else {
            100.0 * self.kinds[kind.index()] as f64 / self.records as f64
        }
    }
}

/// Writes whole lines of `opts.shape` to `w` until at least `target_bytes`
/// bytes are written (a `{"Records":[...]}` file is closed early when the
/// target is reached, so the last one may hold fewer records).
pub fn write_corpus(opts: &Options, target_bytes: u64, w: &mut impl Write) -> io::Result<Stats> {
    let mut g = Generator::new(opts);
    let mut st = Stats::default();
    let mut buf: Vec<u8> = Vec::with_capacity(4 << 20);
    let mut line: Vec<u8> = Vec::new();
    let mut written: u64 = 0;
    const FLUSH: usize = 1 << 20;
    match opts.shape {
        Shape::Ndjson => {
            while written + (buf.len() as u64) < target_bytes {
                let start = buf.len();
                let kind = g.next_record(&mut buf);
                st.add(&g, kind, buf.len() - start);
                buf.push(b'\n');
                st.lines += 1;
                if buf.len() >= FLUSH {
                    w.write_all(&buf)?;
                    written += buf.len() as u64;
                    buf.clear();
                }
            }
        }
        Shape::S3Records { .. } | Shape::HostWrapped { .. } => {
            let per_file = opts.shape.records_per_file();
            while written < target_bytes {
                line.clear();
                put!(line, "{\"Records\":[");
                for i in 0..per_file {
                    if i > 0 {
                        line.push(b',');
                    }
                    let start = line.len();
                    let kind = g.next_record(&mut line);
                    st.add(&g, kind, line.len() - start);
                    if written + line.len() as u64 + 3 >= target_bytes {
                        break;
                    }
                }
                put!(line, "]}");
                match opts.shape {
                    Shape::HostWrapped { field, .. } => {
                        put!(buf, "{");
                        json_string(&mut buf, field.as_bytes());
                        put!(buf, ":");
                        json_string(&mut buf, &line);
                        g.wrap_tail(&mut buf);
                    }
                    _ => buf.extend_from_slice(&line),
                }
                buf.push(b'\n');
                st.lines += 1;
                w.write_all(&buf)?;
                written += buf.len() as u64;
                buf.clear();
            }
        }
    }
    if !buf.is_empty() {
        w.write_all(&buf)?;
        written += buf.len() as u64;
    }
    w.flush()?;
    st.bytes = written;
    Ok(st)
}

/// Convenience for in-process benches and tests: the corpus as one buffer.
pub fn generate(opts: &Options, target_bytes: u64) -> (Vec<u8>, Stats) {
    let mut v = Vec::with_capacity(target_bytes as usize + (64 << 10));
    let st = write_corpus(opts, target_bytes, &mut v).expect("writing to a Vec cannot fail");
    (v, st)
}

/// Appends `s` as a JSON string literal (quotes, backslashes and control
/// characters escaped; UTF-8 passed through).
pub fn json_string(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    let mut last = 0;
    for (i, &b) in s.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&s[last..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 15) as usize]);
        } else {
            out.extend_from_slice(esc);
        }
        last = i + 1;
    }
    out.extend_from_slice(&s[last..]);
    out.push(b'"');
}

// ---------------------------------------------------------------------------
// PRNG and low-level writers

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    #[inline]
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n <= 2^32).
    #[inline]
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() >> 32) * n) >> 32
    }
    /// Uniform in lo..=hi.
    #[inline]
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability pct/100.
    #[inline]
    fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    #[inline]
    fn pick<'a, T>(&mut self, s: &'a [T]) -> &'a T {
        &s[self.below(s.len() as u64) as usize]
    }
    /// Index drawn from integer weights.
    fn weighted(&mut self, w: &[u64]) -> usize {
        let total: u64 = w.iter().sum();
        let mut x = self.below(total);
        for (i, &wi) in w.iter().enumerate() {
            if x < wi {
                return i;
            }
            x -= wi;
        }
        w.len() - 1
    }
}

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn rand_chars(out: &mut Vec<u8>, r: &mut Rng, n: usize, alphabet: &[u8], bits: u32) {
    let per = (64 / bits) as usize;
    let mask = (1u64 << bits) - 1;
    let mut left = n;
    while left > 0 {
        let mut x = r.next();
        for _ in 0..per.min(left) {
            out.push(alphabet[(x & mask) as usize]);
            x >>= bits;
        }
        left -= per.min(left);
    }
}
fn hex(out: &mut Vec<u8>, r: &mut Rng, n: usize) {
    rand_chars(out, r, n, HEX_LOWER, 4)
}
fn hex_upper(out: &mut Vec<u8>, r: &mut Rng, n: usize) {
    rand_chars(out, r, n, HEX_UPPER, 4)
}
fn b32(out: &mut Vec<u8>, r: &mut Rng, n: usize) {
    rand_chars(out, r, n, B32, 5)
}
fn b64(out: &mut Vec<u8>, r: &mut Rng, n: usize) {
    rand_chars(out, r, n, B64, 6)
}
fn uuid(out: &mut Vec<u8>, r: &mut Rng) {
    hex(out, r, 8);
    out.push(b'-');
    hex(out, r, 4);
    put!(out, "-4");
    hex(out, r, 3);
    out.push(b'-');
    out.push(b"89ab"[r.below(4) as usize]);
    hex(out, r, 3);
    out.push(b'-');
    hex(out, r, 12);
}
fn num(out: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&tmp[i..]);
}
fn two(out: &mut Vec<u8>, n: u64) {
    out.push(b'0' + (n / 10 % 10) as u8);
    out.push(b'0' + (n % 10) as u8);
}
fn s_hex(r: &mut Rng, n: usize) -> String {
    let mut v = Vec::with_capacity(n);
    hex(&mut v, r, n);
    String::from_utf8(v).unwrap()
}
fn s_b32(r: &mut Rng, n: usize) -> String {
    let mut v = Vec::with_capacity(n);
    b32(&mut v, r, n);
    String::from_utf8(v).unwrap()
}
fn s_uuid(r: &mut Rng) -> String {
    let mut v = Vec::with_capacity(36);
    uuid(&mut v, r);
    String::from_utf8(v).unwrap()
}

// Howard Hinnant's civil-from-days / days-from-civil.
fn civil_from_days(z: i64) -> (i64, u64, u64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    (if m <= 2 { y + 1 } else { y }, m, d)
}
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
/// `2024-06-03T12:34:56Z`
fn iso(out: &mut Vec<u8>, secs: u64) {
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    num(out, y as u64);
    out.push(b'-');
    two(out, m);
    out.push(b'-');
    two(out, d);
    out.push(b'T');
    two(out, s / 3600);
    out.push(b':');
    two(out, s / 60 % 60);
    out.push(b':');
    two(out, s % 60);
    out.push(b'Z');
}
/// IAM/STS style: `Jun 3, 2024, 1:02:03 PM`
fn aws_date(out: &mut Vec<u8>, secs: u64) {
    const MON: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    let h = s / 3600;
    put!(out, MON[(m - 1) as usize], " ");
    num(out, d);
    put!(out, ", ");
    num(out, y as u64);
    put!(out, ", ");
    num(
        out,
        match h % 12 {
            0 => 12,
            x => x,
        },
    );
    out.push(b':');
    two(out, s / 60 % 60);
    out.push(b':');
    two(out, s % 60);
    put!(out, if h < 12 { " AM" } else { " PM" });
}
fn s_iso(secs: u64) -> String {
    let mut v = Vec::new();
    iso(&mut v, secs);
    String::from_utf8(v).unwrap()
}

// ---------------------------------------------------------------------------
// Static vocabulary

const ACCOUNTS: [&str; 5] = [
    "123456789012",
    "210987654321",
    "111122223333",
    "444455556666",
    "777788889999",
];
const ACCOUNT_W: [u64; 5] = [55, 20, 12, 8, 5];
const ORG_TRAIL_ACCOUNT: usize = 2;
const REGIONS: [&str; 8] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-northeast-1",
    "ap-southeast-2",
    "sa-east-1",
    "ca-central-1",
];
const REGION_W: [u64; 8] = [50, 18, 14, 8, 4, 3, 2, 1];
const VERSIONS_MGMT: [&str; 4] = ["1.08", "1.09", "1.09", "1.10"];
const VERSIONS_DATA: [&str; 3] = ["1.09", "1.10", "1.11"];

const UA_SDK: [&str; 12] = [
    "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
    "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.1",
    "aws-sdk-java/2.25.31 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. md/internal io/sync http/Apache cfg/retry-mode/legacy",
    "aws-cli/2.15.38 Python/3.11.8 Linux/5.10.213-201.855.amzn2.x86_64 exec-env/EC2 exe/x86_64.amzn.2 prompt/off command/s3.cp",
    "aws-sdk-go/1.51.21 (go1.21.9; linux; amd64)",
    "aws-sdk-rust/1.1.9 os/linux lang/rust/1.77.2",
    "aws-sdk-cpp/1.11.285 Linux/5.15.0-1057-aws x86_64 GCC/11.4.0 \\\"spark-etl\\\"",
    "APN/1.0 HashiCorp/1.0 Terraform/1.8.1 (+https:\\/\\/www.terraform.io) terraform-provider-aws/5.46.0 (+https:\\/\\/registry.terraform.io\\/providers\\/hashicorp\\/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.2 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.156.0",
    "aws-sdk-java/1.12.701 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/11.0.22+7-LTS java/11.0.22 scala/2.12.18 vendor/Amazon.com_Inc. cfg/retry-mode/standard",
    "fluent-bit/3.0.2 aws-sdk-c/1.0",
    "rclone/v1.66.0",
    "Datadog/1.0 (caf\\u00e9-collector; +https:\\/\\/example.com\\/bot)",
];
const UA_LAMBDA: [&str; 3] = [
    "aws-sdk-nodejs/2.1590.0 linux/v18.19.1 exec-env/AWS_Lambda_nodejs18.x promise",
    "aws-sdk-js/3.556.0 ua/2.0 os/linux#5.10.214-223.855.amzn2.x86_64 lang/js md/nodejs#20.12.2 api/dynamodb#3.556.0 exec-env/AWS_Lambda_nodejs20.x",
    "Boto3/1.34.42 md/Botocore#1.34.42 ua/2.0 os/linux#5.10.214-223.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.42",
];
const UA_ECS: [&str; 2] = [
    "aws-sdk-go-v2/1.25.3 os/linux lang/go#1.21.8 md/GOOS#linux md/GOARCH#amd64 api/sqs#1.31.3 exec-env/AWS_ECS_FARGATE",
    "aws-sdk-java/2.25.20 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.2+13-LTS Java/21.0.2 vendor/Eclipse_Adoptium exec-env/AWS_ECS_EC2 io/sync http/Apache cfg/retry-mode/legacy",
];
const UA_IRSA: [&str; 4] = [
    "aws-sdk-go/1.51.21 (go1.21.9; linux; amd64) karpenter.sh-v0.35.4",
    "aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/route53#1.40.3 external-dns/v0.14.1",
    "aws-sdk-go/1.50.30 (go1.21.7; linux; amd64) aws-load-balancer-controller/v2.7.2",
    "aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.0 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.149.1 ebs.csi.aws.com-1.29.1",
];
const UA_SSM_AGENT: &str =
    "aws-sdk-go/1.44.260 (go1.21.8; linux; amd64) amazon-ssm-agent/3.3.131.0";
const UA_BROWSER: [&str; 4] = [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
];
const UA_HUMAN_CLI: [&str; 3] = [
    "aws-cli/2.15.40 md/awscrt#0.19.19 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#ec2.describe-instances",
    "aws-cli/2.13.25 Python/3.11.5 Windows/10 exe/AMD64 prompt/off command/s3.cp",
    "Boto3/1.34.90 md/Botocore#1.34.90 ua/2.0 os/macos#23.4.0 md/arch#arm64 lang/python#3.12.3 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.90 ipykernel",
];
const UA_CONSOLE: [&str; 3] = [
    "AWS Internal",
    "console.ec2.amazonaws.com",
    "S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.701 Linux/5.10.215-181.850.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard",
];
const UA_TRUFFLEHOG: &str = "TruffleHog";
const UA_ODD: [&str; 3] = [
    "python-requests/2.31.0",
    "aws-cli/1.18.69 Python/2.7.18 Linux/4.15.0-213-generic botocore/1.16.19",
    "curl/8.5.0",
];

const EC2_ROLES: [&str; 8] = [
    "eks-node-prod-NodeInstanceRole-1XK3ZQ7B2C9D",
    "app-server-instance-role",
    "batch-worker-role",
    "ci-runner-instance",
    "etl-spark-emr-ec2-role",
    "bastion-ssm-role",
    "kafka-broker-role",
    "jenkins-agent",
];
const LAMBDA_FUNCS: [&str; 10] = [
    "order-processor",
    "thumbnail-generator",
    "s3-event-router",
    "stripe-webhook-handler",
    "nightly-report",
    "cognito-post-confirmation",
    "log-shipper",
    "cost-anomaly-notifier",
    "ddb-stream-indexer",
    "api-authorizer",
];
const ECS_ROLES: [&str; 4] = [
    "ecsTaskRole-payments",
    "ecsTaskRole-search",
    "checkout-api-task",
    "ledger-worker-task",
];
const IRSA_ROLES: [&str; 5] = [
    "karpenter-controller",
    "external-dns",
    "aws-load-balancer-controller",
    "ebs-csi-driver",
    "cluster-autoscaler",
];
const HUMANS: [&str; 10] = [
    "alice",
    "bob.smith",
    "carol",
    "dmitri",
    "eve.ops",
    "farah",
    "gustavo",
    "hiroshi",
    "ines",
    "jkowalski",
];
const SSO_SETS: [&str; 4] = [
    "AWSReservedSSO_AdministratorAccess_5f2a9c1e7b3d4a68",
    "AWSReservedSSO_ReadOnlyAccess_0c7d1e3f9a2b4c56",
    "AWSReservedSSO_PowerUserAccess_9e8d7c6b5a4f3e21",
    "AWSReservedSSO_DataEngineer_3b1f0e2d4c6a8b97",
];
const BUCKETS: [&str; 10] = [
    "acme-prod-assets",
    "acme-prod-uploads",
    "acme-data-lake-raw",
    "acme-data-lake-curated",
    "acme-logs-archive",
    "acme-cloudtrail-org",
    "acme-backups-us-east-1",
    "acme-ml-artifacts",
    "acme-static-site",
    "acme-athena-results",
];
const TABLES: [&str; 6] = [
    "orders",
    "sessions",
    "inventory",
    "idempotency-keys",
    "user-profiles",
    "feature-flags",
];
const FANCY_KEYS: [&str; 9] = [
    "reports/été/日本語.csv",
    "exports\\/2024\\/06\\/part-00001.snappy.parquet",
    "uploads/caf\\u00e9/men\\u00fa.pdf",
    "backups/C:\\\\Users\\\\admin\\\\dump.sql",
    "tmp/quote \\\"q\\\".txt",
    "data/Straße/größe.json",
    "img/😀/emoji.png",
    "inbox/line\\nbreak.eml",
    "docs/Résumé – final (2).docx",
];
const INSTANCE_TYPES: [&str; 8] = [
    "m6i.large",
    "m6i.xlarge",
    "c6g.2xlarge",
    "r6i.large",
    "t3.medium",
    "m7g.xlarge",
    "c7i.4xlarge",
    "g5.xlarge",
];

// ---------------------------------------------------------------------------
// Actors (identities), precomputed once per generator

struct Actor {
    /// The whole `userIdentity` object, compact JSON.
    ident: Vec<u8>,
    /// `userIdentity` on the actor's ConsoleLogin records (empty: `ident`).
    login_ident: Vec<u8>,
    acct: usize,
    region: usize,
    /// JSON string contents (already escaped).
    ip: String,
    ua: &'static str,
    arn: String,
    role: String,
    role_arn: String,
    role_id: String,
    session: String,
    user: String,
    instance: String,
    console: bool,
    /// Host of the calling service for service-linked / service actors.
    svc: &'static str,
}

impl Actor {
    fn blank(acct: usize, region: usize) -> Actor {
        Actor {
            ident: Vec::new(),
            login_ident: Vec::new(),
            acct,
            region,
            ip: String::new(),
            ua: "",
            arn: String::new(),
            role: String::new(),
            role_arn: String::new(),
            role_id: String::new(),
            session: String::new(),
            user: String::new(),
            instance: String::new(),
            console: false,
            svc: "",
        }
    }
}

struct Pools {
    ec2: Vec<Actor>,
    lambda: Vec<Actor>,
    ecs: Vec<Actor>,
    irsa: Vec<Actor>,
    ci: Vec<Actor>,
    slr: Vec<Actor>,
    cfn: Vec<Actor>,
    awssvc: Vec<Actor>,
    humans: Vec<Actor>,
    roots: Vec<Actor>,
    kms_keys: Vec<String>,
    sgs: Vec<String>,
    subnets: Vec<String>,
    vpcs: Vec<String>,
    amis: Vec<String>,
    detector: String,
}

fn public_ip(r: &mut Rng) -> String {
    match r.below(7) {
        0 => format!("192.0.2.{}", r.range(1, 254)),
        1 | 2 => format!("198.51.100.{}", r.range(1, 254)),
        3 => format!(
            "2001:db8:{:x}:{:x}::{:x}",
            r.below(0xffff),
            r.below(0xffff),
            r.range(1, 0xfff)
        ),
        _ => format!("203.0.113.{}", r.range(1, 254)),
    }
}
fn private_ip(r: &mut Rng) -> String {
    format!("10.{}.{}.{}", r.below(4), r.below(64), r.range(4, 250))
}

#[allow(clippy::too_many_arguments)]
fn assumed_role(
    r: &mut Rng,
    a: &mut Actor,
    path: &str,
    role: &str,
    session: &str,
    mfa: bool,
    created: u64,
    webid: &str,
    extra: &str,
) {
    let acct = ACCOUNTS[a.acct];
    let rid = format!("AROA{}", s_b32(r, 17));
    a.role = role.to_string();
    a.role_id = rid.clone();
    a.session = session.to_string();
    a.role_arn = format!("arn:aws:iam::{acct}:role{path}{role}");
    a.arn = format!("arn:aws:sts::{acct}:assumed-role/{role}/{session}");
    a.ident = format!(
        "{{\"type\":\"AssumedRole\",\"principalId\":\"{rid}:{session}\",\"arn\":\"{}\",\"accountId\":\"{acct}\",\"accessKeyId\":\"ASIA{}\",\"sessionContext\":{{\"sessionIssuer\":{{\"type\":\"Role\",\"principalId\":\"{rid}\",\"arn\":\"{}\",\"accountId\":\"{acct}\",\"userName\":\"{role}\"}},\"webIdFederationData\":{{{webid}}},\"attributes\":{{\"creationDate\":\"{}\",\"mfaAuthenticated\":\"{mfa}\"}}{extra}}}}}",
        a.arn,
        s_b32(r, 16),
        a.role_arn,
        s_iso(created),
    )
    .into_bytes();
}

fn iam_user(r: &mut Rng, a: &mut Actor, user: &str, console: bool, mfa: bool, created: u64) {
    let acct = ACCOUNTS[a.acct];
    a.user = user.to_string();
    a.arn = format!("arn:aws:iam::{acct}:user/{user}");
    let ctx = if console {
        format!(
            ",\"sessionContext\":{{\"sessionIssuer\":{{}},\"webIdFederationData\":{{}},\"attributes\":{{\"creationDate\":\"{}\",\"mfaAuthenticated\":\"{mfa}\"}}}}",
            s_iso(created)
        )
    } else {
        String::new()
    };
    a.ident = format!(
        "{{\"type\":\"IAMUser\",\"principalId\":\"AIDA{}\",\"arn\":\"{}\",\"accountId\":\"{acct}\",\"accessKeyId\":\"{}{}\",\"userName\":\"{user}\"{ctx}}}",
        s_b32(r, 17),
        a.arn,
        if console { "ASIA" } else { "AKIA" },
        s_b32(r, 16),
    )
    .into_bytes();
}

impl Pools {
    fn new(seed: u64, base: u64) -> Pools {
        let mut r = Rng(seed ^ 0x5EED_AC70_0C0F_FEE5);
        let r = &mut r;
        let created = |r: &mut Rng| base - r.range(60, 6 * 3600);
        let acct_of = |r: &mut Rng| r.weighted(&ACCOUNT_W);
        let region_of = |r: &mut Rng| r.weighted(&REGION_W);

        let mut ec2 = Vec::new();
        for i in 0..160 {
            let mut a = Actor::blank(acct_of(r), region_of(r));
            let role = EC2_ROLES[i % EC2_ROLES.len()];
            a.instance = format!("i-0{}", s_hex(r, 16));
            let deliv = if r.pct(85) { "2.0" } else { "1.0" };
            let c = created(r);
            let session = a.instance.clone();
            assumed_role(
                r,
                &mut a,
                "/",
                role,
                &session,
                false,
                c,
                "",
                &format!(",\"ec2RoleDelivery\":\"{deliv}\""),
            );
            a.ip = if r.pct(40) {
                private_ip(r)
            } else {
                public_ip(r)
            };
            a.ua = if role.starts_with("bastion") {
                UA_SSM_AGENT
            } else {
                UA_SDK[r.below(UA_SDK.len() as u64) as usize]
            };
            ec2.push(a);
        }
        let mut lambda = Vec::new();
        for (i, f) in LAMBDA_FUNCS.iter().enumerate() {
            for _ in 0..3 {
                let mut a = Actor::blank(acct_of(r), region_of(r));
                let role = format!("{f}-role-{}", s_hex(r, 8));
                let c = created(r);
                assumed_role(r, &mut a, "/service-role/", &role, f, false, c, "", "");
                a.ip = public_ip(r);
                a.ua = UA_LAMBDA[i % UA_LAMBDA.len()];
                a.user = f.to_string();
                lambda.push(a);
            }
        }
        let mut ecs = Vec::new();
        for role in ECS_ROLES {
            for _ in 0..6 {
                let mut a = Actor::blank(acct_of(r), region_of(r));
                let session = s_hex(r, 32);
                let c = created(r);
                assumed_role(r, &mut a, "/", role, &session, false, c, "", "");
                a.ip = if r.pct(50) {
                    private_ip(r)
                } else {
                    public_ip(r)
                };
                a.ua = UA_ECS[r.below(2) as usize];
                ecs.push(a);
            }
        }
        let mut irsa = Vec::new();
        for (i, role) in IRSA_ROLES.iter().enumerate() {
            for _ in 0..2 {
                let mut a = Actor::blank(0, region_of(r));
                let oidc = format!(
                    "\"federatedProvider\":\"arn:aws:iam::{}:oidc-provider/oidc.eks.{}.amazonaws.com/id/{}\",\"attributes\":{{}}",
                    ACCOUNTS[0],
                    REGIONS[a.region],
                    s_hex(r, 32).to_uppercase()
                );
                let session = format!("{}", 1_717_300_000_000_000_000u64 + r.below(1 << 31) * 1000);
                let c = created(r);
                assumed_role(r, &mut a, "/", role, &session, false, c, &oidc, "");
                a.ip = private_ip(r);
                a.ua = UA_IRSA[i % UA_IRSA.len()];
                irsa.push(a);
            }
        }
        let mut ci = Vec::new();
        {
            let mut a = Actor::blank(0, 0);
            let c = created(r);
            assumed_role(
                r,
                &mut a,
                "/",
                "github-actions-deploy",
                "GitHubActions",
                false,
                c,
                "\"federatedProvider\":\"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\",\"attributes\":{}",
                "",
            );
            a.ip = public_ip(r);
            a.ua = UA_SDK[7];
            ci.push(a);
            for (u, ua) in [
                ("svc-backup", UA_SDK[10]),
                ("legacy-ci", UA_SDK[3]),
                ("datadog-integration", UA_SDK[11]),
            ] {
                let mut a = Actor::blank(acct_of(r), 0);
                iam_user(r, &mut a, u, false, false, base);
                a.ip = public_ip(r);
                a.ua = ua;
                ci.push(a);
            }
        }
        let mut slr = Vec::new();
        for (role, session, svc) in [
            (
                "AWSServiceRoleForAutoScaling",
                "AutoScaling",
                "autoscaling.amazonaws.com",
            ),
            (
                "AWSServiceRoleForConfig",
                "AWSConfig-Describe",
                "config.amazonaws.com",
            ),
            (
                "AWSServiceRoleForElasticLoadBalancing",
                "ElasticLoadBalancing",
                "elasticloadbalancing.amazonaws.com",
            ),
            (
                "AWSServiceRoleForAmazonEKSNodegroup",
                "EKS",
                "eks-nodegroup.amazonaws.com",
            ),
            ("AWSServiceRoleForAmazonSSM", "SSM", "ssm.amazonaws.com"),
            (
                "AWSServiceRoleForTrustedAdvisor",
                "TrustedAdvisor_123456789012_e5f6a7b8",
                "trustedadvisor.amazonaws.com",
            ),
        ] {
            for acct in 0..3 {
                let mut a = Actor::blank(acct, region_of(r));
                let c = created(r);
                assumed_role(
                    r,
                    &mut a,
                    &format!("/aws-service-role/{svc}/"),
                    role,
                    session,
                    false,
                    c,
                    "",
                    "",
                );
                let rest = a.ident.split_off(a.ident.len() - 1);
                a.ident
                    .extend_from_slice(format!(",\"invokedBy\":\"{svc}\"").as_bytes());
                a.ident.extend_from_slice(&rest);
                a.ip = svc.to_string();
                a.ua = svc;
                a.svc = svc;
                slr.push(a);
            }
        }
        let mut cfn = Vec::new();
        for acct in 0..3 {
            let mut a = Actor::blank(acct, region_of(r));
            let c = created(r);
            assumed_role(
                r,
                &mut a,
                "/",
                "cfn-exec-role",
                "AWSCloudFormation",
                false,
                c,
                "",
                "",
            );
            let rest = a.ident.split_off(a.ident.len() - 1);
            a.ident
                .extend_from_slice(b",\"invokedBy\":\"cloudformation.amazonaws.com\"");
            a.ident.extend_from_slice(&rest);
            a.ip = "cloudformation.amazonaws.com".into();
            a.ua = "cloudformation.amazonaws.com";
            a.svc = "cloudformation.amazonaws.com";
            cfn.push(a);
        }
        let mut awssvc = Vec::new();
        for svc in [
            "lambda.amazonaws.com",
            "ecs-tasks.amazonaws.com",
            "ec2.amazonaws.com",
            "states.amazonaws.com",
            "firehose.amazonaws.com",
            "glue.amazonaws.com",
        ] {
            let mut a = Actor::blank(0, 0);
            a.ident = format!("{{\"type\":\"AWSService\",\"invokedBy\":\"{svc}\"}}").into_bytes();
            a.ip = svc.to_string();
            a.ua = svc;
            a.svc = svc;
            awssvc.push(a);
        }
        let mut humans = Vec::new();
        for (i, u) in HUMANS.iter().enumerate() {
            // One SSO console session, one SSO CLI session, one IAM user (console or keys).
            for variant in 0..3 {
                let mut a = Actor::blank(acct_of(r), if r.pct(70) { 0 } else { region_of(r) });
                let ip = public_ip(r);
                match variant {
                    0 | 1 => {
                        let set = SSO_SETS[(i + variant) % SSO_SETS.len()];
                        let session = format!("{u}@example.com");
                        let c = created(r);
                        assumed_role(
                            r,
                            &mut a,
                            "/aws-reserved/sso.amazonaws.com/eu-west-1/",
                            set,
                            &session,
                            false,
                            c,
                            "",
                            "",
                        );
                        a.console = variant == 0;
                        a.ua = if a.console {
                            UA_BROWSER[i % 4]
                        } else {
                            UA_HUMAN_CLI[i % 3]
                        };
                    }
                    _ => {
                        let console = i % 2 == 0;
                        let c = created(r);
                        iam_user(r, &mut a, u, console, console, c);
                        // Sign-in records carry the bare IAM user, no session.
                        let bare = String::from_utf8_lossy(&a.ident).into_owned();
                        let cut = bare.find(",\"accessKeyId\"").unwrap();
                        let uname = format!(",\"userName\":\"{u}\"}}");
                        a.login_ident = format!("{}{uname}", &bare[..cut]).into_bytes();
                        a.console = console;
                        a.ua = if console {
                            UA_BROWSER[(i + 1) % 4]
                        } else {
                            UA_HUMAN_CLI[(i + 1) % 3]
                        };
                    }
                }
                a.user = u.to_string();
                a.ip = ip;
                humans.push(a);
            }
        }
        let mut roots = Vec::new();
        for acct in 0..ACCOUNTS.len() {
            let mut a = Actor::blank(acct, 0);
            let id = ACCOUNTS[acct];
            a.arn = format!("arn:aws:iam::{id}:root");
            let alias = if acct == 0 {
                ",\"userName\":\"acme-prod\""
            } else {
                ""
            };
            a.ident = format!(
                "{{\"type\":\"Root\",\"principalId\":\"{id}\",\"arn\":\"{}\",\"accountId\":\"{id}\",\"accessKeyId\":\"ASIA{}\"{alias},\"sessionContext\":{{\"sessionIssuer\":{{}},\"webIdFederationData\":{{}},\"attributes\":{{\"creationDate\":\"{}\",\"mfaAuthenticated\":\"false\"}}}}}}",
                a.arn,
                s_b32(r, 16),
                s_iso(created(r))
            )
            .into_bytes();
            a.ip = public_ip(r);
            a.ua = UA_BROWSER[acct % 4];
            a.console = true;
            a.user = "root".into();
            roots.push(a);
        }
        Pools {
            ec2,
            lambda,
            ecs,
            irsa,
            ci,
            slr,
            cfn,
            awssvc,
            humans,
            roots,
            kms_keys: (0..12).map(|_| s_uuid(r)).collect(),
            sgs: (0..16).map(|_| format!("sg-0{}", s_hex(r, 16))).collect(),
            subnets: (0..12)
                .map(|_| format!("subnet-0{}", s_hex(r, 16)))
                .collect(),
            vpcs: (0..4).map(|_| format!("vpc-0{}", s_hex(r, 16))).collect(),
            amis: (0..6).map(|_| format!("ami-0{}", s_hex(r, 16))).collect(),
            detector: s_hex(r, 32),
        }
    }
}

// ---------------------------------------------------------------------------
// Generator

struct St {
    r: Rng,
    t_ms: u64,
    name: &'static str,
    failed: bool,
    root: bool,
    region: &'static str,
}

/// Deterministic record generator. `next_record` appends one compact record.
pub struct Generator {
    st: St,
    p: Pools,
}

/// Which request-id style a service uses.
#[derive(Clone, Copy)]
enum Rid {
    Uuid,
    S3,
    None,
}

/// `tlsDetails` to write.
#[derive(Clone, Copy)]
enum Tls<'a> {
    None,
    /// `clientProvidedHostHeader` = `<prefix>.<region>.amazonaws.com`.
    Svc(&'a str),
    /// `clientProvidedHostHeader` = `<bucket>.s3.<region>.amazonaws.com`.
    S3(&'a str),
    /// Verbatim host.
    Host(&'a str),
}

enum Who {
    Ec2,
    Lambda,
    Ecs,
    Irsa,
    Ci,
}

impl Generator {
    pub fn new<O: std::borrow::Borrow<Options>>(opts: O) -> Generator {
        let opts = opts.borrow();
        let base_day = days_from_civil(2024, 6, 3) as u64;
        let mut r = Rng(opts.seed);
        let base = base_day * 86_400 + r.below(30) * 86_400 + r.below(86_400);
        Generator {
            st: St {
                r,
                t_ms: base * 1000,
                name: "",
                failed: false,
                root: false,
                region: REGIONS[0],
            },
            p: Pools::new(opts.seed, base),
        }
    }

    pub fn with_seed(seed: u64) -> Generator {
        Generator::new(Options {
            seed,
            shape: Shape::Ndjson,
        })
    }

    /// Appends one compact JSON record (no newline) and returns its kind.
    pub fn next_record(&mut self, out: &mut Vec<u8>) -> Kind {
        let st = &mut self.st;
        let p = &self.p;
        st.failed = false;
        st.root = false;
        st.t_ms += st.r.below(30);
        let x = st.r.below(10_000);
        if x < 7_000 {
            st.service_read(p, out);
            Kind::ServiceRead
        } else if x < 9_000 {
            st.machine_write(p, out);
            Kind::MachineWrite
        } else if x < 9_940 {
            st.human(p, out);
            Kind::Human
        } else {
            st.high_signal(p, out);
            Kind::HighSignal
        }
    }

    /// eventName of the last record.
    pub fn last_event_name(&self) -> &'static str {
        self.st.name
    }
    /// Whether the last record carries an errorCode.
    pub fn last_failed(&self) -> bool {
        self.st.failed
    }

    /// The envelope fields after the message field of a host-wrapped line.
    fn wrap_tail(&mut self, out: &mut Vec<u8>) {
        let st = &mut self.st;
        let acct = ACCOUNTS[st.r.weighted(&ACCOUNT_W)];
        let region = REGIONS[st.r.weighted(&REGION_W)];
        let secs = st.t_ms / 1000;
        let (y, m, d) = civil_from_days((secs / 86_400) as i64);
        put!(
            out,
            ",\"source_type\":\"aws_s3\",\"bucket\":\"",
            BUCKETS[5],
            "\",\"object\":\"AWSLogs/o-a1b2c3d4e5/",
            acct,
            "/CloudTrail/",
            region,
            "/"
        );
        num(out, y as u64);
        out.push(b'/');
        two(out, m);
        out.push(b'/');
        two(out, d);
        put!(out, "/", acct, "_CloudTrail_", region, "_");
        num(out, y as u64);
        two(out, m);
        two(out, d);
        out.push(b'T');
        two(out, secs % 86_400 / 3600);
        two(out, secs % 3600 / 60 / 5 * 5);
        put!(out, "Z_");
        b32(out, &mut st.r, 16);
        put!(
            out,
            ".json.gz\",\"region\":\"",
            REGIONS[0],
            "\",\"timestamp\":\""
        );
        iso(out, secs);
        put!(out, "\"}");
    }
}

impl St {
    // ---- envelope helpers -------------------------------------------------

    fn ver(&mut self, data: bool) -> &'static str {
        if data {
            VERSIONS_DATA[self.r.below(VERSIONS_DATA.len() as u64) as usize]
        } else {
            VERSIONS_MGMT[self.r.below(VERSIONS_MGMT.len() as u64) as usize]
        }
    }

    /// `{"eventVersion":..,"userIdentity":..,"eventTime":..,"eventSource":..,
    /// "eventName":..,"awsRegion":..,"sourceIPAddress":..,"userAgent":..`
    #[allow(clippy::too_many_arguments)]
    fn head(
        &mut self,
        out: &mut Vec<u8>,
        ver: &str,
        a: &Actor,
        invoked_by: Option<&str>,
        src: &str,
        name: &'static str,
        ip: &str,
        ua: &str,
    ) {
        self.name = name;
        self.region = REGIONS[if self.r.pct(90) {
            a.region
        } else {
            self.r.weighted(&REGION_W)
        }];
        put!(out, "{\"eventVersion\":\"", ver, "\",\"userIdentity\":");
        match invoked_by {
            None => out.extend_from_slice(&a.ident),
            Some(svc) => {
                out.extend_from_slice(&a.ident[..a.ident.len() - 1]);
                put!(out, ",\"invokedBy\":\"", svc, "\"}");
            }
        }
        put!(out, ",\"eventTime\":\"");
        let mut secs = self.t_ms / 1000;
        if self.r.pct(8) {
            secs -= self.r.below(300); // log files are not in time order
        }
        iso(out, secs);
        put!(
            out,
            "\",\"eventSource\":\"",
            src,
            ".amazonaws.com\",\"eventName\":\"",
            name,
            "\",\"awsRegion\":\"",
            self.region
        );
        put!(
            out,
            "\",\"sourceIPAddress\":\"",
            ip,
            "\",\"userAgent\":\"",
            ua,
            "\""
        );
    }

    fn error(&mut self, out: &mut Vec<u8>, code: &str, msg: &str) {
        self.failed = true;
        put!(
            out,
            ",\"errorCode\":\"",
            code,
            "\",\"errorMessage\":\"",
            msg,
            "\""
        );
    }

    /// AccessDenied in the style of the service (`svc` is the IAM prefix).
    fn denied(&mut self, out: &mut Vec<u8>, a: &Actor, svc: &str, action: &str, resource: &str) {
        self.failed = true;
        let principal = if a.arn.is_empty() {
            "arn:aws:iam::123456789012:root"
        } else {
            &a.arn
        };
        match svc {
            "ec2" => {
                put!(out, ",\"errorCode\":\"Client.UnauthorizedOperation\",\"errorMessage\":\"You are not authorized to perform this operation. User: ", principal, " is not authorized to perform: ec2:", action, " on resource: ", resource, " because no identity-based policy allows the ec2:", action, " action. Encoded authorization failure message: ");
                let n = 420 + self.r.below(400) as usize;
                rand_chars(
                    out,
                    &mut self.r,
                    n,
                    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                    6,
                );
                put!(out, "\"");
            }
            "s3" => put!(
                out,
                ",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"Access Denied\""
            ),
            "kms" | "secretsmanager" | "guardduty" | "lambda" | "ssm" | "organizations" => put!(
                out,
                ",\"errorCode\":\"AccessDeniedException\",\"errorMessage\":\"User: ",
                principal,
                " is not authorized to perform: ",
                svc,
                ":",
                action,
                " on resource: ",
                resource,
                " because no identity-based policy allows the ",
                svc,
                ":",
                action,
                " action\""
            ),
            _ => put!(
                out,
                ",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"User: ",
                principal,
                " is not authorized to perform: ",
                svc,
                ":",
                action,
                " on resource: ",
                resource,
                " with an explicit deny in a service control policy\""
            ),
        }
    }

    /// `,"requestID":..,"eventID":..,"readOnly":..`
    fn ids(&mut self, out: &mut Vec<u8>, rid: Rid, read_only: bool) {
        match rid {
            Rid::Uuid => {
                put!(out, ",\"requestID\":\"");
                uuid(out, &mut self.r);
                out.push(b'"');
            }
            Rid::S3 => {
                put!(out, ",\"requestID\":\"");
                hex_upper(out, &mut self.r, 16);
                out.push(b'"');
            }
            Rid::None => {}
        }
        put!(out, ",\"eventID\":\"");
        uuid(out, &mut self.r);
        put!(
            out,
            "\",\"readOnly\":",
            if read_only { "true" } else { "false" }
        );
    }

    /// `,"eventType":..,"managementEvent":..,"recipientAccountId":..,..,"eventCategory":..,"tlsDetails":..}`
    #[allow(clippy::too_many_arguments)]
    fn tail(
        &mut self,
        out: &mut Vec<u8>,
        etype: &str,
        data: bool,
        acct: usize,
        vpce: bool,
        tls: Tls,
        console: bool,
    ) {
        put!(
            out,
            ",\"eventType\":\"",
            etype,
            "\",\"managementEvent\":",
            if data { "false" } else { "true" }
        );
        put!(out, ",\"recipientAccountId\":\"", ACCOUNTS[acct], "\"");
        if vpce {
            put!(out, ",\"vpcEndpointId\":\"vpce-0");
            hex(out, &mut self.r, 16);
            put!(out, "\",\"vpcEndpointAccountId\":\"", ACCOUNTS[acct], "\"");
        }
        put!(
            out,
            ",\"eventCategory\":\"",
            if data { "Data" } else { "Management" },
            "\""
        );
        let host_known = !matches!(tls, Tls::None);
        if host_known {
            let v13 = self.r.pct(80);
            put!(
                out,
                ",\"tlsDetails\":{\"tlsVersion\":\"",
                if v13 { "TLSv1.3" } else { "TLSv1.2" },
                "\",\"cipherSuite\":\"",
                if v13 {
                    "TLS_AES_128_GCM_SHA256"
                } else {
                    "ECDHE-RSA-AES128-GCM-SHA256"
                },
                "\",\"clientProvidedHostHeader\":\""
            );
            match tls {
                Tls::Svc(s) => put!(out, s, ".", self.region, ".amazonaws.com"),
                Tls::S3(b) => put!(out, b, ".s3.", self.region, ".amazonaws.com"),
                Tls::Host(h) => put!(out, h),
                Tls::None => {}
            }
            out.push(b'"');
            if v13 && self.r.pct(30) {
                put!(
                    out,
                    ",\"keyExchange\":\"",
                    if self.r.pct(50) {
                        "x25519"
                    } else {
                        "X25519MLKEM768"
                    },
                    "\""
                );
            }
            out.push(b'}');
        }
        if console {
            put!(out, ",\"sessionCredentialFromConsole\":\"true\"");
        }
        out.push(b'}');
    }

    fn resource(
        &mut self,
        out: &mut Vec<u8>,
        first: bool,
        acct: usize,
        ty: &str,
        arn_parts: &[&str],
    ) {
        put!(
            out,
            if first { ",\"resources\":[{" } else { ",{" },
            "\"accountId\":\"",
            ACCOUNTS[acct],
            "\",\"type\":\"",
            ty,
            "\",\"ARN\":\""
        );
        for part in arn_parts {
            put!(out, part);
        }
        put!(out, "\"}");
    }

    fn machine<'p>(&mut self, p: &'p Pools, w: &[u64; 5]) -> (&'p Actor, Who) {
        match self.r.weighted(w) {
            0 => (self.r.pick(&p.ec2), Who::Ec2),
            1 => (self.r.pick(&p.lambda), Who::Lambda),
            2 => (self.r.pick(&p.ecs), Who::Ecs),
            3 => (self.r.pick(&p.irsa), Who::Irsa),
            _ => (self.r.pick(&p.ci), Who::Ci),
        }
    }

    fn object_key(&mut self, out: &mut Vec<u8>) {
        let r = &mut self.r;
        match r.below(100) {
            0..=2 => put!(out, FANCY_KEYS[r.below(FANCY_KEYS.len() as u64) as usize]),
            3..=40 => {
                put!(
                    out,
                    "app-logs/",
                    *r.pick(&["web", "api", "worker", "cron"]),
                    "/2024/06/"
                );
                two(out, r.range(1, 30));
                out.push(b'/');
                two(out, r.below(24));
                put!(out, "/part-");
                hex(out, r, 8);
                put!(out, ".json.gz");
            }
            41..=60 => {
                put!(out, "uploads/user-");
                num(out, r.range(1000, 999_999));
                out.push(b'/');
                hex(out, r, 24);
                put!(out, *r.pick(&[".jpg", ".png", ".pdf", ".heic"]));
            }
            61..=80 => {
                put!(
                    out,
                    "warehouse/",
                    *r.pick(&["events", "orders", "sessions", "clicks"]),
                    "/dt=2024-06-"
                );
                two(out, r.range(1, 30));
                put!(out, "/part-0000");
                num(out, r.below(10));
                out.push(b'-');
                uuid(out, r);
                put!(out, ".c000.snappy.parquet");
            }
            _ => {
                put!(out, "static/", *r.pick(&["js", "css", "img", "fonts"]), "/");
                hex(out, r, 20);
                put!(out, *r.pick(&[".js", ".css", ".woff2", ".svg"]));
            }
        }
    }

    fn kms_arn(&mut self, out: &mut Vec<u8>, p: &Pools, acct: usize) {
        put!(
            out,
            "arn:aws:kms:",
            self.region,
            ":",
            ACCOUNTS[acct],
            ":key/",
            self.r.pick(&p.kms_keys)
        );
    }

    fn s3_additional(&mut self, out: &mut Vec<u8>, bytes_in: u64, bytes_out: u64) {
        put!(out, ",\"additionalEventData\":{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":\"TLS_AES_128_GCM_SHA256\",\"bytesTransferredIn\":");
        num(out, bytes_in);
        put!(
            out,
            ".0,\"AuthenticationMethod\":\"AuthHeader\",\"x-amz-id-2\":\""
        );
        b64(out, &mut self.r, 76);
        put!(out, "\",\"bytesTransferredOut\":");
        num(out, bytes_out);
        put!(out, ".0}");
    }

    // ---- ~70%: read-only calls by services and machine roles --------------

    fn service_read(&mut self, p: &Pools, out: &mut Vec<u8>) {
        match self.r.below(1000) {
            0..=199 => self.s3_object_read(p, out, "GetObject"),
            200..=259 => self.s3_object_read(p, out, "HeadObject"),
            260..=289 => self.s3_list(p, out),
            290..=409 => self.kms_read(p, out, "Decrypt"),
            410..=469 => self.kms_read(p, out, "GenerateDataKey"),
            470..=569 => self.sts_assume_role_service(p, out),
            570..=609 => self.sts_web_identity(p, out),
            610..=759 => self.ec2_describe(p, out),
            760..=799 => self.ecr_read(p, out),
            800..=839 => self.ddb_read(p, out),
            840..=879 => self.misc_describe(p, out),
            880..=919 => self.ssm_agent_read(p, out),
            920..=959 => self.config_iam_read(p, out),
            _ => self.get_caller_identity(p, out),
        }
    }

    fn s3_object_read(&mut self, p: &Pools, out: &mut Vec<u8>, name: &'static str) {
        let (a, _) = self.machine(p, &[40, 30, 20, 8, 2]);
        let bucket = BUCKETS[self.r.below(BUCKETS.len() as u64) as usize];
        let ver = self.ver(true);
        self.head(out, ver, a, None, "s3", name, &a.ip, a.ua);
        put!(
            out,
            ",\"requestParameters\":{\"bucketName\":\"",
            bucket,
            "\",\"Host\":\"",
            bucket,
            ".s3.",
            self.region,
            ".amazonaws.com\",\"key\":\""
        );
        let k0 = out.len();
        self.object_key(out);
        let key = out[k0..].to_vec();
        put!(out, "\"}");
        let denied = self.r.pct(2);
        if denied {
            // errorCode goes before requestParameters in real records; order is irrelevant to JSON.
            put!(out, ",\"errorCode\":\"NoSuchKey\",\"errorMessage\":\"The specified key does not exist.\"");
            self.failed = true;
        }
        put!(out, ",\"responseElements\":null");
        let size = if name == "HeadObject" {
            0
        } else {
            self.r.range(200, 40_000_000)
        };
        self.s3_additional(out, 0, size);
        self.ids(out, Rid::S3, true);
        self.resource_s3(out, a.acct, bucket, &key);
        let vpce = a.ip.starts_with("10.");
        self.tail(
            out,
            "AwsApiCall",
            true,
            a.acct,
            vpce,
            Tls::S3(bucket),
            false,
        );
    }

    fn resource_s3(&mut self, out: &mut Vec<u8>, acct: usize, bucket: &str, key: &[u8]) {
        put!(
            out,
            ",\"resources\":[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::",
            bucket,
            "/",
            key,
            "\"}"
        );
        self.resource(
            out,
            false,
            acct,
            "AWS::S3::Bucket",
            &["arn:aws:s3:::", bucket],
        );
        out.push(b']');
    }

    fn s3_list(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[50, 20, 20, 5, 5]);
        let bucket = BUCKETS[self.r.below(BUCKETS.len() as u64) as usize];
        let ver = self.ver(true);
        self.head(out, ver, a, None, "s3", "ListObjects", &a.ip, a.ua);
        put!(
            out,
            ",\"requestParameters\":{\"list-type\":\"2\",\"bucketName\":\"",
            bucket,
            "\",\"encoding-type\":\"url\",\"max-keys\":\"1000\",\"prefix\":\"",
            *self
                .r
                .pick(&["app-logs/", "warehouse/orders/", "uploads/", ""]),
            "\",\"Host\":\"",
            bucket,
            ".s3.",
            self.region,
            ".amazonaws.com\"},\"responseElements\":null"
        );
        self.s3_additional(out, 0, 0);
        self.ids(out, Rid::S3, true);
        self.resource(
            out,
            true,
            a.acct,
            "AWS::S3::Bucket",
            &["arn:aws:s3:::", bucket],
        );
        out.push(b']');
        self.tail(
            out,
            "AwsApiCall",
            true,
            a.acct,
            false,
            Tls::S3(bucket),
            false,
        );
    }

    fn kms_read(&mut self, p: &Pools, out: &mut Vec<u8>, name: &'static str) {
        let (a, _) = self.machine(p, &[40, 30, 20, 5, 5]);
        let via = *self.r.pick(&[
            "s3.amazonaws.com",
            "secretsmanager.amazonaws.com",
            "",
            "",
            "dynamodb.amazonaws.com",
            "AWS Internal",
        ]);
        let ver = self.ver(false);
        let (ip, ua, inv) = match via {
            "" => (a.ip.as_str(), a.ua, None),
            "AWS Internal" => ("AWS Internal", "AWS Internal", None),
            s => (s, s, Some(s)),
        };
        self.head(out, ver, a, inv, "kms", name, ip, ua);
        put!(out, ",\"requestParameters\":{");
        if name == "GenerateDataKey" {
            put!(out, "\"keyId\":\"");
            self.kms_arn(out, p, a.acct);
            put!(out, "\",\"keySpec\":\"AES_256\",");
        }
        put!(out, "\"encryptionContext\":{");
        match via {
            "s3.amazonaws.com" => {
                put!(
                    out,
                    "\"aws:s3:arn\":\"arn:aws:s3:::",
                    BUCKETS[self.r.below(BUCKETS.len() as u64) as usize],
                    "/"
                );
                self.object_key(out);
                out.push(b'"');
            }
            "secretsmanager.amazonaws.com" => {
                put!(
                    out,
                    "\"SecretARN\":\"arn:aws:secretsmanager:",
                    self.region,
                    ":",
                    ACCOUNTS[a.acct],
                    ":secret:prod/app/db-"
                );
                b64(out, &mut self.r, 6);
                put!(out, "\",\"SecretVersionId\":\"");
                uuid(out, &mut self.r);
                out.push(b'"');
            }
            "dynamodb.amazonaws.com" => put!(
                out,
                "\"aws:dynamodb:tableName\":\"",
                *self.r.pick(&TABLES),
                "\",\"aws:dynamodb:subscriberId\":\"",
                ACCOUNTS[a.acct],
                "\""
            ),
            _ => {
                put!(
                    out,
                    "\"aws:lambda:FunctionArn\":\"arn:aws:lambda:",
                    self.region,
                    ":",
                    ACCOUNTS[a.acct],
                    ":function:",
                    *self.r.pick(&LAMBDA_FUNCS),
                    "\""
                );
            }
        }
        put!(
            out,
            "},\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"},\"responseElements\":null"
        );
        self.ids(out, Rid::Uuid, true);
        put!(
            out,
            ",\"resources\":[{\"accountId\":\"",
            ACCOUNTS[a.acct],
            "\",\"type\":\"AWS::KMS::Key\",\"ARN\":\""
        );
        self.kms_arn(out, p, a.acct);
        put!(out, "\"}]");
        let tls = if inv.is_none() && ip != "AWS Internal" {
            Tls::Svc("kms")
        } else {
            Tls::None
        };
        self.tail(out, "AwsApiCall", false, a.acct, false, tls, false);
    }

    fn credentials(&mut self, out: &mut Vec<u8>, target: &Actor, session: &str) {
        put!(
            out,
            ",\"responseElements\":{\"credentials\":{\"accessKeyId\":\"ASIA"
        );
        b32(out, &mut self.r, 16);
        put!(out, "\",\"sessionToken\":\"IQoJb3JpZ2luX2Vj");
        let n = 560 + 4 * self.r.below(90) as usize;
        b64(out, &mut self.r, n);
        put!(out, "\",\"expiration\":\"");
        aws_date(out, self.t_ms / 1000 + 3600);
        put!(
            out,
            "\"},\"assumedRoleUser\":{\"assumedRoleId\":\"",
            target.role_id,
            ":",
            session,
            "\",\"arn\":\"arn:aws:sts::",
            ACCOUNTS[target.acct],
            ":assumed-role/",
            target.role,
            "/",
            session,
            "\"}"
        );
    }

    fn sts_assume_role_service(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let svc = self.r.pick(&p.awssvc);
        let target = match svc.svc {
            "lambda.amazonaws.com" => self.r.pick(&p.lambda),
            "ec2.amazonaws.com" => self.r.pick(&p.ec2),
            _ => self.r.pick(&p.ecs),
        };
        let session = target.session.as_str();
        let ver = self.ver(false);
        self.head(out, ver, svc, None, "sts", "AssumeRole", &svc.ip, svc.ua);
        put!(
            out,
            ",\"requestParameters\":{\"roleArn\":\"",
            target.role_arn,
            "\",\"roleSessionName\":\"",
            session,
            "\""
        );
        if svc.svc == "ec2.amazonaws.com" {
            put!(out, ",\"durationSeconds\":21600");
        }
        put!(out, "}");
        self.credentials(out, target, session);
        put!(out, "}");
        self.ids(out, Rid::Uuid, true);
        self.resource(
            out,
            true,
            target.acct,
            "AWS::IAM::Role",
            &[target.role_arn.as_str()],
        );
        out.push(b']');
        put!(
            out,
            ",\"eventType\":\"AwsApiCall\",\"managementEvent\":true,\"recipientAccountId\":\"",
            ACCOUNTS[target.acct],
            "\",\"sharedEventID\":\""
        );
        uuid(out, &mut self.r);
        put!(out, "\",\"eventCategory\":\"Management\"}");
    }

    fn sts_web_identity(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let target = self.r.pick(&p.irsa);
        let ver = self.ver(false);
        self.name = "AssumeRoleWithWebIdentity";
        let sub = format!("system:serviceaccount:kube-system:{}", target.role);
        let mut ident = Actor::blank(target.acct, target.region);
        ident.ident = format!(
            "{{\"type\":\"WebIdentityUser\",\"principalId\":\"arn:aws:iam::{}:oidc-provider/oidc.eks.{}.amazonaws.com/id/{}:sts.amazonaws.com:{sub}\",\"userName\":\"{sub}\",\"identityProvider\":\"arn:aws:iam::{}:oidc-provider/oidc.eks.{}.amazonaws.com/id/{}\"}}",
            ACCOUNTS[0], REGIONS[target.region], "8F1D3C5A7B9E2F4D6C8A0B1E3D5F7A9C", ACCOUNTS[0], REGIONS[target.region], "8F1D3C5A7B9E2F4D6C8A0B1E3D5F7A9C"
        )
        .into_bytes();
        self.head(
            out,
            ver,
            &ident,
            None,
            "sts",
            "AssumeRoleWithWebIdentity",
            &target.ip,
            target.ua,
        );
        put!(
            out,
            ",\"requestParameters\":{\"roleArn\":\"",
            target.role_arn,
            "\",\"roleSessionName\":\"",
            target.session,
            "\"}"
        );
        self.credentials(out, target, &target.session);
        put!(
            out,
            ",\"subjectFromWebIdentityToken\":\"",
            sub,
            "\",\"audience\":\"sts.amazonaws.com\",\"provider\":\"arn:aws:iam::",
            ACCOUNTS[0],
            ":oidc-provider/oidc.eks.",
            REGIONS[target.region],
            ".amazonaws.com/id/8F1D3C5A7B9E2F4D6C8A0B1E3D5F7A9C\"}"
        );
        put!(out, ",\"additionalEventData\":{\"identityProviderConnectionVerificationMethod\":\"IAMTrustStore\"}");
        self.ids(out, Rid::Uuid, true);
        self.resource(
            out,
            true,
            target.acct,
            "AWS::IAM::Role",
            &[target.role_arn.as_str()],
        );
        out.push(b']');
        self.tail(
            out,
            "AwsApiCall",
            false,
            target.acct,
            false,
            Tls::Host("sts.amazonaws.com"),
            false,
        );
    }

    fn ec2_describe(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let by_slr = self.r.pct(35);
        let (a, _) = if by_slr {
            (self.r.pick(&p.slr), Who::Ci)
        } else {
            self.machine(p, &[30, 5, 5, 55, 5])
        };
        const NAMES: [&str; 9] = [
            "DescribeInstances",
            "DescribeVolumes",
            "DescribeSecurityGroups",
            "DescribeNetworkInterfaces",
            "DescribeSubnets",
            "DescribeInstanceStatus",
            "DescribeTags",
            "DescribeLaunchTemplateVersions",
            "DescribeSpotPriceHistory",
        ];
        let name = NAMES[self.r.below(NAMES.len() as u64) as usize];
        let ver = self.ver(false);
        self.head(out, ver, a, None, "ec2", name, &a.ip, a.ua);
        put!(out, ",\"requestParameters\":{");
        match name {
            "DescribeInstances" | "DescribeInstanceStatus" => {
                put!(out, "\"instancesSet\":{\"items\":[");
                let n = self.r.range(1, 12);
                for i in 0..n {
                    put!(
                        out,
                        if i > 0 {
                            ",{\"instanceId\":\""
                        } else {
                            "{\"instanceId\":\""
                        },
                        self.r.pick(&p.ec2).instance,
                        "\"}"
                    );
                }
                put!(out, "]},\"filterSet\":{}");
                if name == "DescribeInstanceStatus" {
                    put!(out, ",\"includeAllInstances\":true");
                }
            }
            "DescribeTags" | "DescribeNetworkInterfaces" | "DescribeVolumes" => {
                put!(
                    out,
                    "\"filterSet\":{\"items\":[{\"name\":\"",
                    *self.r.pick(&[
                        "resource-id",
                        "attachment.instance-id",
                        "tag:kubernetes.io/cluster/prod"
                    ]),
                    "\",\"valueSet\":{\"items\":[{\"value\":\"",
                    self.r.pick(&p.ec2).instance,
                    "\"}]}}]},\"maxResults\":1000"
                );
            }
            "DescribeLaunchTemplateVersions" => {
                put!(
                    out,
                    "\"DescribeLaunchTemplateVersionsRequest\":{\"LaunchTemplateId\":\"lt-0"
                );
                hex(out, &mut self.r, 16);
                put!(
                    out,
                    "\",\"LaunchTemplateVersion\":{\"content\":\"$Latest\",\"tag\":1}}"
                );
            }
            "DescribeSpotPriceHistory" => {
                put!(out, "\"startTime\":");
                num(out, self.t_ms - 3_600_000);
                put!(out, ",\"instanceTypeSet\":{\"items\":[");
                for i in 0..self.r.range(2, 8) {
                    put!(
                        out,
                        if i > 0 {
                            ",{\"instanceType\":\""
                        } else {
                            "{\"instanceType\":\""
                        },
                        *self.r.pick(&INSTANCE_TYPES),
                        "\"}"
                    );
                }
                put!(out, "]},\"productDescriptionSet\":{\"items\":[{\"productDescription\":\"Linux/UNIX\"}]},\"maxResults\":1000");
            }
            _ => {
                put!(out, "\"filterSet\":{\"items\":[{\"name\":\"vpc-id\",\"valueSet\":{\"items\":[{\"value\":\"", self.r.pick(&p.vpcs), "\"}]}}]}");
            }
        }
        put!(out, "},\"responseElements\":null");
        self.ids(out, Rid::Uuid, true);
        let tls = if a.svc.is_empty() {
            Tls::Svc("ec2")
        } else {
            Tls::None
        };
        self.tail(out, "AwsApiCall", false, a.acct, false, tls, false);
    }

    fn ecr_read(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = &p.ec2[self.r.below(20) as usize * 8 % p.ec2.len()]; // eks node roles
        let name = *self.r.pick(&[
            "BatchGetImage",
            "GetDownloadUrlForLayer",
            "GetAuthorizationToken",
            "BatchCheckLayerAvailability",
        ]);
        let ver = self.ver(false);
        self.head(out, ver, a, None, "ecr", name, &a.ip, "AWS Internal");
        let repo = *self.r.pick(&[
            "checkout-api",
            "search-indexer",
            "payments/ledger",
            "base-images/python",
        ]);
        match name {
            "GetAuthorizationToken" => put!(
                out,
                ",\"requestParameters\":{\"registryIds\":[\"",
                ACCOUNTS[0],
                "\"]},\"responseElements\":null"
            ),
            "BatchGetImage" => {
                put!(out, ",\"requestParameters\":{\"imageIds\":[{\"imageTag\":\"", *self.r.pick(&["latest", "v1.42.0", "sha-3f9c2e1", "2024-06-01"]), "\"}],\"acceptedMediaTypes\":[\"application/vnd.docker.distribution.manifest.v1+json\",\"application/vnd.docker.distribution.manifest.v2+json\",\"application/vnd.oci.image.manifest.v1+json\",\"application/vnd.oci.image.index.v1+json\"],\"repositoryName\":\"", repo, "\",\"registryId\":\"", ACCOUNTS[0], "\"},\"responseElements\":null");
            }
            _ => {
                put!(
                    out,
                    ",\"requestParameters\":{\"repositoryName\":\"",
                    repo,
                    "\",\"registryId\":\"",
                    ACCOUNTS[0],
                    "\",\"layerDigest\":\"sha256:"
                );
                hex(out, &mut self.r, 64);
                put!(out, "\"},\"responseElements\":null");
            }
        }
        self.ids(out, Rid::Uuid, true);
        if name != "GetAuthorizationToken" {
            self.resource(
                out,
                true,
                0,
                "AWS::ECR::Repository",
                &[
                    "arn:aws:ecr:",
                    self.region,
                    ":",
                    ACCOUNTS[0],
                    ":repository/",
                    repo,
                ],
            );
            out.push(b']');
        }
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            Tls::Host("api.ecr.us-east-1.amazonaws.com"),
            false,
        );
    }

    fn ddb_key(&mut self, out: &mut Vec<u8>) {
        put!(
            out,
            "\"key\":{\"pk\":\"",
            *self.r.pick(&["ORDER#", "USER#", "SESSION#", "SKU#"])
        );
        uuid(out, &mut self.r);
        put!(
            out,
            "\",\"sk\":\"",
            *self.r.pick(&["META", "ITEM#0001", "PROFILE", "v0"]),
            "\"}"
        );
    }

    fn ddb_read(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[10, 50, 40, 0, 0]);
        let name = *self
            .r
            .pick(&["GetItem", "Query", "GetItem", "BatchGetItem"]);
        let table = *self.r.pick(&TABLES);
        let ver = self.ver(true);
        self.head(out, ver, a, None, "dynamodb", name, &a.ip, a.ua);
        put!(
            out,
            ",\"requestParameters\":{\"tableName\":\"",
            table,
            "\","
        );
        match name {
            "Query" => put!(out, "\"keyConditionExpression\":\"#pk = :pk AND begins_with(#sk, :sk)\",\"limit\":50,\"scanIndexForward\":false,\"consistentRead\":false,\"select\":\"ALL_ATTRIBUTES\""),
            _ => {
                self.ddb_key(out);
                put!(out, ",\"consistentRead\":", if self.r.pct(20) { "true" } else { "false" }, ",\"projectionExpression\":\"#s, updatedAt, version\"");
            }
        }
        put!(out, "},\"responseElements\":null");
        self.ids(out, Rid::Uuid, true);
        self.resource(
            out,
            true,
            a.acct,
            "AWS::DynamoDB::Table",
            &[
                "arn:aws:dynamodb:",
                self.region,
                ":",
                ACCOUNTS[a.acct],
                ":table/",
                table,
            ],
        );
        out.push(b']');
        self.tail(
            out,
            "AwsApiCall",
            true,
            a.acct,
            false,
            Tls::Svc("dynamodb"),
            false,
        );
    }

    fn misc_describe(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[20, 10, 10, 60, 0]);
        let ver = self.ver(false);
        match self.r.below(4) {
            0 => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "elasticloadbalancing",
                    "DescribeTargetHealth",
                    &a.ip,
                    a.ua,
                );
                put!(
                    out,
                    ",\"requestParameters\":{\"targetGroupArn\":\"arn:aws:elasticloadbalancing:",
                    self.region,
                    ":",
                    ACCOUNTS[a.acct],
                    ":targetgroup/k8s-default-checkout-"
                );
                hex(out, &mut self.r, 10);
                out.push(b'/');
                hex(out, &mut self.r, 16);
                put!(out, "\"},\"responseElements\":null");
                self.ids(out, Rid::Uuid, true);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Svc("elasticloadbalancing"),
                    false,
                );
            }
            1 => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "autoscaling",
                    "DescribeAutoScalingGroups",
                    &a.ip,
                    a.ua,
                );
                put!(out, ",\"requestParameters\":{\"filters\":[{\"name\":\"tag-key\",\"values\":[\"k8s.io/cluster-autoscaler/enabled\",\"k8s.io/cluster-autoscaler/prod\"]}],\"maxRecords\":100},\"responseElements\":null");
                self.ids(out, Rid::Uuid, true);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Svc("autoscaling"),
                    false,
                );
            }
            2 => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "monitoring",
                    "GetMetricData",
                    &a.ip,
                    a.ua,
                );
                put!(out, ",\"requestParameters\":{\"metricDataQueries\":[");
                for i in 0..self.r.range(1, 6) {
                    put!(out, if i > 0 { ",{\"id\":\"m" } else { "{\"id\":\"m" });
                    num(out, i);
                    put!(
                        out,
                        "\",\"metricStat\":{\"metric\":{\"namespace\":\"AWS/",
                        *self
                            .r
                            .pick(&["EC2", "ApplicationELB", "Lambda", "RDS", "SQS"]),
                        "\",\"metricName\":\"",
                        *self.r.pick(&[
                            "CPUUtilization",
                            "RequestCount",
                            "Errors",
                            "ApproximateNumberOfMessagesVisible",
                            "Duration"
                        ]),
                        "\",\"dimensions\":[{\"name\":\"",
                        *self.r.pick(&["InstanceId", "LoadBalancer", "FunctionName"]),
                        "\",\"value\":\"",
                        self.r.pick(&p.ec2).instance,
                        "\"}]},\"period\":60,\"stat\":\"Average\"},\"returnData\":true}"
                    );
                }
                put!(out, "],\"startTime\":\"");
                iso(out, self.t_ms / 1000 - 3600);
                put!(out, "\",\"endTime\":\"");
                iso(out, self.t_ms / 1000);
                put!(out, "\"},\"responseElements\":null");
                self.ids(out, Rid::Uuid, true);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Svc("monitoring"),
                    false,
                );
            }
            _ => {
                self.head(out, ver, a, None, "logs", "DescribeLogStreams", &a.ip, a.ua);
                put!(out, ",\"requestParameters\":{\"logGroupName\":\"/aws/containerinsights/prod/application\",\"logStreamNamePrefix\":\"fluent-bit-", a.instance, "\"},\"responseElements\":null");
                self.ids(out, Rid::Uuid, true);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Svc("logs"),
                    false,
                );
            }
        }
    }

    fn ssm_agent_read(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = self.r.pick(&p.ec2);
        let name = *self.r.pick(&[
            "ListInstanceAssociations",
            "ListAssociations",
            "DescribeInstanceProperties",
        ]);
        let ver = self.ver(false);
        self.head(out, ver, a, None, "ssm", name, &a.ip, UA_SSM_AGENT);
        put!(
            out,
            ",\"requestParameters\":{\"instanceId\":\"",
            a.instance,
            "\",\"maxResults\":20},\"responseElements\":null"
        );
        self.ids(out, Rid::Uuid, true);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            Tls::Svc("ssm"),
            false,
        );
    }

    fn config_iam_read(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = &p.slr[3 + self.r.below(3) as usize]; // AWSServiceRoleForConfig
        let name = *self.r.pick(&[
            "GetRole",
            "ListAttachedRolePolicies",
            "ListRolePolicies",
            "GetPolicyVersion",
            "GetBucketAcl",
        ]);
        let ver = self.ver(false);
        let src = if name == "GetBucketAcl" { "s3" } else { "iam" };
        self.head(out, ver, a, None, src, name, a.svc, a.svc);
        if src == "s3" {
            let b = *self.r.pick(&BUCKETS);
            put!(
                out,
                ",\"requestParameters\":{\"bucketName\":\"",
                b,
                "\",\"Host\":\"",
                b,
                ".s3.amazonaws.com\",\"acl\":\"\"},\"responseElements\":null"
            );
            self.ids(out, Rid::S3, true);
        } else {
            let role = self.r.pick(&p.lambda);
            put!(
                out,
                ",\"requestParameters\":{\"roleName\":\"",
                role.role,
                "\""
            );
            if name == "GetPolicyVersion" {
                put!(out, ",\"policyArn\":\"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole\",\"versionId\":\"v1\"");
            }
            put!(out, "},\"responseElements\":null");
            self.ids(out, Rid::Uuid, true);
        }
        self.tail(out, "AwsApiCall", false, a.acct, false, Tls::None, false);
    }

    fn get_caller_identity(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[40, 20, 20, 10, 10]);
        let ver = self.ver(false);
        self.head(out, ver, a, None, "sts", "GetCallerIdentity", &a.ip, a.ua);
        put!(out, ",\"requestParameters\":null,\"responseElements\":null");
        self.ids(out, Rid::Uuid, true);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            Tls::Host("sts.amazonaws.com"),
            false,
        );
    }

    // ---- ~20%: machine writes ---------------------------------------------

    fn machine_write(&mut self, p: &Pools, out: &mut Vec<u8>) {
        match self.r.below(1000) {
            0..=219 => self.s3_object_write(p, out),
            220..=339 => self.ddb_write(p, out),
            340..=439 => self.logs_put(p, out),
            440..=559 => self.ssm_update_instance_information(p, out),
            560..=639 => self.ec2_create_tags_machine(p, out),
            640..=679 => {
                let a = &p.slr[self.r.below(3) as usize];
                let n = self.r.range(1, 3);
                self.run_instances(p, out, a, Some("autoscaling.amazonaws.com"), n, false)
            }
            680..=709 => self.terminate_instances(p, out),
            710..=769 => self.cfn_write(p, out),
            770..=819 => self.service_event(p, out),
            820..=869 => self.ecs_state_change(p, out),
            870..=919 => self.sns_publish(p, out),
            _ => self.eni_attr(p, out),
        }
    }

    fn s3_object_write(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[40, 25, 20, 5, 10]);
        let bucket = BUCKETS[self.r.below(BUCKETS.len() as u64) as usize];
        let name = *self.r.pick(&[
            "PutObject",
            "PutObject",
            "PutObject",
            "DeleteObject",
            "CreateMultipartUpload",
            "CompleteMultipartUpload",
        ]);
        let ver = self.ver(true);
        self.head(out, ver, a, None, "s3", name, &a.ip, a.ua);
        put!(
            out,
            ",\"requestParameters\":{\"bucketName\":\"",
            bucket,
            "\",\"Host\":\"",
            bucket,
            ".s3.",
            self.region,
            ".amazonaws.com\",\"key\":\""
        );
        let k0 = out.len();
        self.object_key(out);
        let key = out[k0..].to_vec();
        out.push(b'"');
        if name == "PutObject" && self.r.pct(50) {
            put!(out, ",\"x-amz-server-side-encryption\":\"aws:kms\",\"x-amz-server-side-encryption-aws-kms-key-id\":\"");
            self.kms_arn(out, p, a.acct);
            out.push(b'"');
        }
        if name == "CompleteMultipartUpload" {
            put!(out, ",\"uploadId\":\"");
            b64(out, &mut self.r, 88);
            out.push(b'"');
        }
        put!(out, "}");
        if name == "DeleteObject" {
            put!(out, ",\"responseElements\":null");
        } else {
            put!(
                out,
                ",\"responseElements\":{\"x-amz-server-side-encryption\":\"",
                if self.r.pct(50) { "aws:kms" } else { "AES256" },
                "\""
            );
            if name != "CreateMultipartUpload" {
                put!(out, ",\"x-amz-version-id\":\"");
                b64(out, &mut self.r, 32);
                out.push(b'"');
            }
            put!(out, "}");
        }
        let size = if name == "PutObject" {
            self.r.range(100, 8_000_000)
        } else {
            0
        };
        self.s3_additional(out, size, 0);
        self.ids(out, Rid::S3, false);
        self.resource_s3(out, a.acct, bucket, &key);
        let vpce = a.ip.starts_with("10.");
        self.tail(
            out,
            "AwsApiCall",
            true,
            a.acct,
            vpce,
            Tls::S3(bucket),
            false,
        );
    }

    fn ddb_write(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[10, 50, 40, 0, 0]);
        let name = *self.r.pick(&[
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "BatchWriteItem",
            "PutItem",
        ]);
        let table = *self.r.pick(&TABLES);
        let ver = self.ver(true);
        self.head(out, ver, a, None, "dynamodb", name, &a.ip, a.ua);
        if self.r.pct(3) {
            put!(out, ",\"errorCode\":\"ConditionalCheckFailedException\",\"errorMessage\":\"The conditional request failed\"");
            self.failed = true;
        }
        put!(
            out,
            ",\"requestParameters\":{\"tableName\":\"",
            table,
            "\","
        );
        if name == "BatchWriteItem" {
            put!(out, "\"requestItems\":[");
            for i in 0..self.r.range(2, 25) {
                put!(out, if i > 0 { ",{" } else { "{" });
                self.ddb_key(out);
                put!(out, ",\"operation\":\"Put\"}");
            }
            put!(out, "]");
        } else {
            self.ddb_key(out);
            match name {
                "UpdateItem" => put!(out, ",\"updateExpression\":\"SET #s = :s, updatedAt = :now, version = version + :one\",\"conditionExpression\":\"version = :v\",\"returnValues\":\"ALL_NEW\""),
                "PutItem" => put!(out, ",\"item\":[\"pk\",\"sk\",\"status\",\"total\",\"currency\",\"createdAt\"],\"conditionExpression\":\"attribute_not_exists(pk)\""),
                _ => {}
            }
        }
        put!(out, "},\"responseElements\":null");
        self.ids(out, Rid::Uuid, false);
        self.resource(
            out,
            true,
            a.acct,
            "AWS::DynamoDB::Table",
            &[
                "arn:aws:dynamodb:",
                self.region,
                ":",
                ACCOUNTS[a.acct],
                ":table/",
                table,
            ],
        );
        out.push(b']');
        self.tail(
            out,
            "AwsApiCall",
            true,
            a.acct,
            false,
            Tls::Svc("dynamodb"),
            false,
        );
    }

    fn logs_put(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, who) = self.machine(p, &[50, 30, 20, 0, 0]);
        let stream = if matches!(who, Who::Lambda) {
            "2024/06/03/[$LATEST]"
        } else {
            "fluent-bit-kube.var.log.containers."
        };
        let create = self.r.pct(20);
        let name = if create {
            "CreateLogStream"
        } else {
            "PutLogEvents"
        };
        let ver = self.ver(!create);
        self.head(out, ver, a, None, "logs", name, &a.ip, a.ua);
        put!(
            out,
            ",\"requestParameters\":{\"logGroupName\":\"",
            *self.r.pick(&[
                "/aws/lambda/order-processor",
                "/aws/containerinsights/prod/application",
                "/ecs/checkout-api",
                "/var/log/messages"
            ]),
            "\",\"logStreamName\":\"",
            stream
        );
        hex(out, &mut self.r, 32);
        put!(out, "\"},\"responseElements\":null");
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            !create,
            a.acct,
            false,
            Tls::Svc("logs"),
            false,
        );
    }

    fn ssm_update_instance_information(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = self.r.pick(&p.ec2);
        let ver = self.ver(false);
        self.head(
            out,
            ver,
            a,
            None,
            "ssm",
            "UpdateInstanceInformation",
            &a.ip,
            UA_SSM_AGENT,
        );
        put!(out, ",\"requestParameters\":{\"instanceId\":\"", a.instance, "\",\"agentVersion\":\"3.3.131.0\",\"agentStatus\":\"Active\",\"platformType\":\"Linux\",\"platformName\":\"", *self.r.pick(&["Amazon Linux", "Ubuntu", "Bottlerocket"]), "\",\"platformVersion\":\"", *self.r.pick(&["2023", "22.04", "1.19.4"]), "\",\"iPAddress\":\"", if a.ip.starts_with("10.") { a.ip.as_str() } else { "10.0.12.34" }, "\",\"computerName\":\"ip-10-0-12-34.", REGIONS[a.region], ".compute.internal\",\"agentName\":\"amazon-ssm-agent\",\"availabilityZone\":\"", REGIONS[a.region], "a\",\"availabilityZoneId\":\"use1-az", );
        num(out, self.r.range(1, 6));
        put!(
            out,
            "\",\"sSMConnectionChannel\":\"ssmmessages\"},\"responseElements\":null"
        );
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            Tls::Svc("ssm"),
            false,
        );
    }

    fn tags(&mut self, out: &mut Vec<u8>, n: u64, key_field: &str, value_field: &str) {
        const T: [(&str, &str); 10] = [
            ("Name", "prod-worker"),
            ("team", "payments"),
            ("env", "prod"),
            ("cost-center", "CC-4711"),
            ("karpenter.sh/nodepool", "default"),
            ("kubernetes.io/cluster/prod", "owned"),
            ("aws:autoscaling:groupName", "eks-prod-ng-2024060311"),
            ("owner", "jürgen.müller@example.com"),
            ("description", "build \\\"nightly\\\" \\u2013 do not delete"),
            ("managed-by", "terraform"),
        ];
        for i in 0..n {
            let (k, v) = T[(i as usize + self.r.below(3) as usize) % T.len()];
            put!(
                out,
                if i > 0 { ",{\"" } else { "{\"" },
                key_field,
                "\":\"",
                k,
                "\",\"",
                value_field,
                "\":\"",
                v,
                "\"}"
            );
        }
    }

    fn ec2_create_tags_machine(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = if self.r.pct(50) {
            &p.slr[self.r.below(3) as usize]
        } else {
            &p.irsa[0]
        };
        let ver = self.ver(false);
        self.head(out, ver, a, None, "ec2", "CreateTags", &a.ip, a.ua);
        put!(out, ",\"requestParameters\":{\"resourcesSet\":{\"items\":[");
        let nres = self.r.range(1, 4);
        for i in 0..nres {
            put!(
                out,
                if i > 0 {
                    ",{\"resourceId\":\""
                } else {
                    "{\"resourceId\":\""
                },
                self.r.pick(&p.ec2).instance,
                "\"}"
            );
        }
        put!(out, "]},\"tagSet\":{\"items\":[");
        let n = self.r.range(2, 8);
        self.tags(out, n, "key", "value");
        put!(out, "]}},\"responseElements\":{\"requestId\":\"");
        uuid(out, &mut self.r);
        put!(out, "\",\"_return\":true}");
        self.ids(out, Rid::Uuid, false);
        let tls = if a.svc.is_empty() {
            Tls::Svc("ec2")
        } else {
            Tls::None
        };
        self.tail(out, "AwsApiCall", false, a.acct, false, tls, false);
    }

    /// RunInstances-like record with a nested `instancesSet.items[]` response.
    fn run_instances(
        &mut self,
        p: &Pools,
        out: &mut Vec<u8>,
        a: &Actor,
        inv: Option<&str>,
        n: u64,
        console: bool,
    ) {
        let ver = self.ver(false);
        self.head(
            out,
            ver,
            a,
            inv.filter(|_| a.svc.is_empty()),
            "ec2",
            "RunInstances",
            &a.ip,
            a.ua,
        );
        let ami = self.r.pick(&p.amis).clone();
        let itype = *self.r.pick(&INSTANCE_TYPES);
        let subnet = self.r.pick(&p.subnets).clone();
        let sg = self.r.pick(&p.sgs).clone();
        let vpc = self.r.pick(&p.vpcs).clone();
        let az = format!("{}{}", self.region, *self.r.pick(&["a", "b", "c"]));
        let launch_ms = self.t_ms / 1000 * 1000;
        let ntags = self.r.range(3, 8);
        put!(
            out,
            ",\"requestParameters\":{\"instancesSet\":{\"items\":[{\"imageId\":\"",
            ami,
            "\",\"minCount\":"
        );
        num(out, n);
        put!(out, ",\"maxCount\":");
        num(out, n);
        put!(out, "}]},\"instanceType\":\"", itype, "\",\"blockDeviceMapping\":{},\"availabilityZone\":\"", az, "\",\"tenancy\":\"default\",\"monitoring\":{\"enabled\":false},\"disableApiTermination\":false,\"disableApiStop\":false,\"clientToken\":\"");
        uuid(out, &mut self.r);
        put!(
            out,
            "\",\"networkInterfaceSet\":{\"items\":[{\"deviceIndex\":0,\"subnetId\":\"",
            subnet,
            "\",\"groupSet\":{\"items\":[{\"groupId\":\"",
            sg,
            "\"}]}}]},\"iamInstanceProfile\":{\"arn\":\"arn:aws:iam::",
            ACCOUNTS[a.acct],
            ":instance-profile/",
            EC2_ROLES[0],
            "\"},\"launchTemplate\":{\"launchTemplateId\":\"lt-0"
        );
        hex(out, &mut self.r, 16);
        put!(out, "\",\"version\":\"");
        num(out, self.r.range(1, 40));
        put!(
            out,
            "\"},\"tagSpecificationSet\":{\"items\":[{\"resourceType\":\"instance\",\"tags\":["
        );
        self.tags(out, ntags, "key", "value");
        put!(out, "]},{\"resourceType\":\"volume\",\"tags\":[");
        self.tags(out, 2, "key", "value");
        put!(out, "]}]},\"metadataOptions\":{\"httpTokens\":\"required\",\"httpPutResponseHopLimit\":2}},\"responseElements\":{\"requestId\":\"");
        uuid(out, &mut self.r);
        put!(out, "\",\"reservationId\":\"r-0");
        hex(out, &mut self.r, 16);
        put!(
            out,
            "\",\"ownerId\":\"",
            ACCOUNTS[a.acct],
            "\",\"groupSet\":{},\"instancesSet\":{\"items\":["
        );
        for i in 0..n {
            let ip = format!(
                "10.{}.{}.{}",
                self.r.below(4),
                self.r.below(64),
                self.r.range(4, 250)
            );
            let dns = format!("ip-{}.ec2.internal", ip.replace('.', "-"));
            put!(
                out,
                if i > 0 {
                    ",{\"instanceId\":\"i-0"
                } else {
                    "{\"instanceId\":\"i-0"
                }
            );
            hex(out, &mut self.r, 16);
            put!(out, "\",\"imageId\":\"", ami, "\",\"currentInstanceBootMode\":\"uefi\",\"instanceState\":{\"code\":0,\"name\":\"pending\"},\"privateDnsName\":\"", dns, "\",\"amiLaunchIndex\":");
            num(out, i);
            put!(
                out,
                ",\"productCodes\":{},\"instanceType\":\"",
                itype,
                "\",\"launchTime\":"
            );
            num(out, launch_ms);
            put!(out, ",\"placement\":{\"availabilityZone\":\"", az, "\",\"tenancy\":\"default\"},\"monitoring\":{\"state\":\"disabled\"},\"subnetId\":\"", subnet, "\",\"vpcId\":\"", vpc, "\",\"privateIpAddress\":\"", ip, "\",\"stateReason\":{\"code\":\"pending\",\"message\":\"pending\"},\"architecture\":\"x86_64\",\"rootDeviceType\":\"ebs\",\"rootDeviceName\":\"/dev/xvda\",\"blockDeviceMapping\":{},\"virtualizationType\":\"hvm\",\"hypervisor\":\"xen\",\"tagSet\":{\"items\":[");
            self.tags(out, ntags, "key", "value");
            put!(out, "]},\"groupSet\":{\"items\":[{\"groupId\":\"", sg, "\",\"groupName\":\"eks-cluster-sg-prod-1234567890\"}]},\"sourceDestCheck\":true,\"networkInterfaceSet\":{\"items\":[{\"networkInterfaceId\":\"eni-0");
            hex(out, &mut self.r, 16);
            put!(
                out,
                "\",\"subnetId\":\"",
                subnet,
                "\",\"vpcId\":\"",
                vpc,
                "\",\"ownerId\":\"",
                ACCOUNTS[a.acct],
                "\",\"status\":\"in-use\",\"macAddress\":\"0e:"
            );
            for j in 0..5 {
                hex(out, &mut self.r, 2);
                if j < 4 {
                    out.push(b':');
                }
            }
            put!(out, "\",\"privateIpAddress\":\"", ip, "\",\"privateDnsName\":\"", dns, "\",\"sourceDestCheck\":true,\"interfaceType\":\"interface\",\"groupSet\":{\"items\":[{\"groupId\":\"", sg, "\",\"groupName\":\"eks-cluster-sg-prod-1234567890\"}]},\"attachment\":{\"attachmentId\":\"eni-attach-0");
            hex(out, &mut self.r, 16);
            put!(out, "\",\"deviceIndex\":0,\"networkCardIndex\":0,\"status\":\"attaching\",\"attachTime\":");
            num(out, launch_ms);
            put!(out, ",\"deleteOnTermination\":true},\"privateIpAddressesSet\":{\"item\":[{\"privateIpAddress\":\"", ip, "\",\"privateDnsName\":\"", dns, "\",\"primary\":true}]},\"ipv6AddressesSet\":{},\"tagSet\":{}}]},\"ebsOptimized\":false,\"enaSupport\":true,\"cpuOptions\":{\"coreCount\":1,\"threadsPerCore\":2},\"capacityReservationSpecification\":{\"capacityReservationPreference\":\"open\"},\"enclaveOptions\":{\"enabled\":false},\"metadataOptions\":{\"state\":\"pending\",\"httpTokens\":\"required\",\"httpPutResponseHopLimit\":2,\"httpEndpoint\":\"enabled\",\"httpProtocolIpv4\":\"ipv4\",\"httpProtocolIpv6\":\"disabled\",\"instanceMetadataTags\":\"disabled\"},\"maintenanceOptions\":{\"autoRecovery\":\"default\"},\"privateDnsNameOptions\":{\"hostnameType\":\"ip-name\",\"enableResourceNameDnsARecord\":false,\"enableResourceNameDnsAAAARecord\":false}}");
        }
        put!(
            out,
            "]},\"requesterId\":\"",
            *self.r.pick(&["940372691376", "490497432234"]),
            "\"}"
        );
        self.ids(out, Rid::Uuid, false);
        let tls = if a.svc.is_empty() {
            Tls::Svc("ec2")
        } else {
            Tls::None
        };
        self.tail(out, "AwsApiCall", false, a.acct, false, tls, console);
    }

    fn terminate_instances(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = &p.slr[self.r.below(3) as usize];
        let ver = self.ver(false);
        self.head(out, ver, a, None, "ec2", "TerminateInstances", &a.ip, a.ua);
        let inst = self.r.pick(&p.ec2).instance.clone();
        put!(
            out,
            ",\"requestParameters\":{\"instancesSet\":{\"items\":[{\"instanceId\":\"",
            inst,
            "\"}]}},\"responseElements\":{\"requestId\":\""
        );
        uuid(out, &mut self.r);
        put!(out, "\",\"instancesSet\":{\"items\":[{\"instanceId\":\"", inst, "\",\"currentState\":{\"code\":32,\"name\":\"shutting-down\"},\"previousState\":{\"code\":16,\"name\":\"running\"}}]}}");
        self.ids(out, Rid::Uuid, false);
        self.tail(out, "AwsApiCall", false, a.acct, false, Tls::None, false);
    }

    fn cfn_write(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = self.r.pick(&p.cfn);
        let ver = self.ver(false);
        let stack = format!(
            "arn:aws:cloudformation:{}:{}:stack/prod-checkout/{}",
            REGIONS[a.region], ACCOUNTS[a.acct], "3f1c2b4a-8e9d-11ee-b9d1-0242ac120002"
        );
        match self.r.below(6) {
            0 => {
                self.head(out, ver, a, None, "sns", "CreateTopic", &a.ip, a.ua);
                put!(out, ",\"requestParameters\":{\"name\":\"prod-checkout-events\",\"tags\":[{\"key\":\"aws:cloudformation:stack-id\",\"value\":\"", stack, "\"},{\"key\":\"aws:cloudformation:logical-id\",\"value\":\"EventsTopic\"}]},\"responseElements\":{\"topicArn\":\"arn:aws:sns:", self.region, ":", ACCOUNTS[a.acct], ":prod-checkout-events\"}");
            }
            1 => {
                self.head(out, ver, a, None, "sqs", "SetQueueAttributes", &a.ip, a.ua);
                put!(out, ",\"requestParameters\":{\"queueUrl\":\"https://sqs.", self.region, ".amazonaws.com/", ACCOUNTS[a.acct], "/prod-checkout-dlq\",\"attributes\":{\"VisibilityTimeout\":\"180\",\"MessageRetentionPeriod\":\"1209600\",\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"arn:aws:sqs:", self.region, ":", ACCOUNTS[a.acct], ":prod-checkout-dlq-2\\\",\\\"maxReceiveCount\\\":5}\"}},\"responseElements\":null");
            }
            2 => {
                self.head(out, ver, a, None, "logs", "PutRetentionPolicy", &a.ip, a.ua);
                put!(out, ",\"requestParameters\":{\"logGroupName\":\"/aws/lambda/prod-checkout-handler\",\"retentionInDays\":30},\"responseElements\":null");
            }
            3 => {
                self.head(out, ver, a, None, "dynamodb", "UpdateTable", &a.ip, a.ua);
                put!(out, ",\"requestParameters\":{\"tableName\":\"", *self.r.pick(&TABLES), "\",\"billingMode\":\"PAY_PER_REQUEST\",\"sSESpecification\":{\"enabled\":true,\"sSEType\":\"KMS\"}},\"responseElements\":{\"tableDescription\":{\"tableStatus\":\"UPDATING\",\"itemCount\":0,\"tableSizeBytes\":0}}");
            }
            4 => {
                self.head(out, ver, a, None, "iam", "CreateRole", &a.ip, a.ua);
                put!(
                    out,
                    ",\"requestParameters\":{\"roleName\":\"prod-checkout-HandlerRole-"
                );
                b32(out, &mut self.r, 12);
                put!(out, "\",\"assumeRolePolicyDocument\":\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":[\\\"lambda.amazonaws.com\\\"]},\\\"Action\\\":[\\\"sts:AssumeRole\\\"]}]}\",\"tags\":[{\"key\":\"aws:cloudformation:stack-id\",\"value\":\"", stack, "\"}]},\"responseElements\":{\"role\":{\"path\":\"/\",\"roleName\":\"prod-checkout-HandlerRole\",\"roleId\":\"AROA");
                b32(out, &mut self.r, 17);
                put!(
                    out,
                    "\",\"arn\":\"arn:aws:iam::",
                    ACCOUNTS[a.acct],
                    ":role/prod-checkout-HandlerRole\",\"createDate\":\""
                );
                aws_date(out, self.t_ms / 1000);
                put!(out, "\"}}");
            }
            _ => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "lambda",
                    "TagResource20170331v2",
                    &a.ip,
                    a.ua,
                );
                put!(out, ",\"requestParameters\":{\"resource\":\"arn:aws:lambda:", self.region, ":", ACCOUNTS[a.acct], ":function:prod-checkout-handler\",\"tags\":{\"aws:cloudformation:stack-name\":\"prod-checkout\",\"aws:cloudformation:logical-id\":\"Handler\",\"aws:cloudformation:stack-id\":\"", stack, "\"}},\"responseElements\":null");
            }
        }
        self.ids(out, Rid::Uuid, false);
        self.tail(out, "AwsApiCall", false, a.acct, false, Tls::None, false);
    }

    /// Small `AwsServiceEvent` records (the smallest in the corpus).
    fn service_event(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let acct = self.r.weighted(&ACCOUNT_W);
        let region = REGIONS[self.r.weighted(&REGION_W)];
        self.region = region;
        let (src, name) = *self.r.pick(&[
            ("kms", "RotateKey"),
            ("ssm", "UpdateInstanceAssociationStatus"),
            ("backup", "BackupJobCompleted"),
            ("autoscaling", "AutoScalingGroupLaunch"),
        ]);
        self.name = name;
        put!(
            out,
            "{\"eventVersion\":\"",
            self.ver(false),
            "\",\"userIdentity\":{\"accountId\":\"",
            ACCOUNTS[acct],
            "\",\"invokedBy\":\"",
            src,
            ".amazonaws.com\"},\"eventTime\":\""
        );
        iso(out, self.t_ms / 1000);
        put!(
            out,
            "\",\"eventSource\":\"",
            src,
            ".amazonaws.com\",\"eventName\":\"",
            name,
            "\",\"awsRegion\":\"",
            region,
            "\",\"sourceIPAddress\":\"",
            src,
            ".amazonaws.com\",\"userAgent\":\"",
            src,
            ".amazonaws.com\",\"requestParameters\":null,\"responseElements\":null"
        );
        if src == "kms" {
            put!(
                out,
                ",\"additionalEventData\":{\"keyId\":\"",
                self.r.pick(&p.kms_keys),
                "\"}"
            );
        }
        self.ids(out, Rid::None, false);
        if src == "kms" {
            put!(
                out,
                ",\"resources\":[{\"accountId\":\"",
                ACCOUNTS[acct],
                "\",\"type\":\"AWS::KMS::Key\",\"ARN\":\""
            );
            self.kms_arn(out, p, acct);
            put!(out, "\"}]");
        }
        put!(
            out,
            ",\"eventType\":\"AwsServiceEvent\",\"managementEvent\":true,\"recipientAccountId\":\"",
            ACCOUNTS[acct],
            "\",\"eventCategory\":\"Management\"}"
        );
    }

    fn ecs_state_change(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = self.r.pick(&p.ec2);
        let name = *self.r.pick(&[
            "SubmitTaskStateChange",
            "SubmitContainerStateChange",
            "SubmitAttachmentStateChanges",
        ]);
        let ver = self.ver(false);
        self.head(
            out,
            ver,
            a,
            None,
            "ecs",
            name,
            &a.ip,
            "aws-sdk-go/1.44.327 (go1.20.12; linux; amd64) amazon-ecs-agent/1.82.1",
        );
        put!(
            out,
            ",\"requestParameters\":{\"cluster\":\"arn:aws:ecs:",
            self.region,
            ":",
            ACCOUNTS[a.acct],
            ":cluster/prod\",\"task\":\"arn:aws:ecs:",
            self.region,
            ":",
            ACCOUNTS[a.acct],
            ":task/prod/"
        );
        hex(out, &mut self.r, 32);
        put!(
            out,
            "\",\"status\":\"",
            *self.r.pick(&["RUNNING", "STOPPED", "PENDING"]),
            "\",\"reason\":\"\",\"containers\":[{\"containerName\":\"app\",\"runtimeId\":\""
        );
        hex(out, &mut self.r, 64);
        put!(out, "\",\"status\":\"RUNNING\",\"networkBindings\":[]}]},\"responseElements\":{\"acknowledgment\":\"ACK\"}");
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            Tls::Svc("ecs"),
            false,
        );
    }

    fn sns_publish(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let (a, _) = self.machine(p, &[10, 60, 30, 0, 0]);
        let ver = self.ver(true);
        self.head(out, ver, a, None, "sns", "Publish", &a.ip, a.ua);
        put!(out, ",\"requestParameters\":{\"topicArn\":\"arn:aws:sns:", self.region, ":", ACCOUNTS[a.acct], ":", *self.r.pick(&["order-events", "alerts-critical", "user-signups"]), "\",\"messageAttributes\":\"HIDDEN_DUE_TO_SECURITY_REASONS\",\"message\":\"HIDDEN_DUE_TO_SECURITY_REASONS\"},\"responseElements\":{\"messageId\":\"");
        uuid(out, &mut self.r);
        put!(out, "\"}");
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            true,
            a.acct,
            false,
            Tls::Svc("sns"),
            false,
        );
    }

    fn eni_attr(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = &p.ec2[self.r.below(20) as usize * 8 % p.ec2.len()];
        let name = *self.r.pick(&[
            "ModifyNetworkInterfaceAttribute",
            "AssignPrivateIpAddresses",
            "CreateNetworkInterface",
        ]);
        let ver = self.ver(false);
        self.head(out, ver, a, None, "ec2", name, &a.ip, "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.6 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.141.0 amazon-vpc-cni-k8s/v1.16.4");
        put!(
            out,
            ",\"requestParameters\":{\"networkInterfaceId\":\"eni-0"
        );
        hex(out, &mut self.r, 16);
        put!(out, "\",\"secondaryPrivateIpAddressCount\":");
        num(out, self.r.range(1, 14));
        put!(
            out,
            ",\"description\":\"aws-K8S-",
            a.instance,
            "\",\"groupSet\":{\"items\":[{\"groupId\":\"",
            self.r.pick(&p.sgs),
            "\"}]}},\"responseElements\":{\"requestId\":\""
        );
        uuid(out, &mut self.r);
        put!(out, "\",\"_return\":true}");
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            Tls::Svc("ec2"),
            false,
        );
    }

    // ---- ~9%: human activity ----------------------------------------------

    fn human_ua<'a>(&mut self, a: &'a Actor) -> &'a str {
        if a.console && self.r.pct(60) {
            UA_CONSOLE[self.r.below(2) as usize]
        } else {
            a.ua
        }
    }

    fn human(&mut self, p: &Pools, out: &mut Vec<u8>) {
        let a = self.r.pick(&p.humans);
        match self.r.below(1000) {
            0..=69 => self.console_login(p, out, true),
            70..=219 => self.human_describe_instances(p, out, a),
            220..=319 => self.human_s3(p, out, a),
            320..=379 => self.lambda_update_config(p, out, a),
            380..=459 => self.human_create_tags(p, out, a),
            460..=579 => self.human_console_read(p, out, a),
            580..=629 => {
                let n = self.r.range(1, 3);
                self.run_instances(p, out, a, None, n, a.console)
            }
            630..=699 => {
                let ver = self.ver(false);
                let ua = self.human_ua(a);
                self.head(out, ver, a, None, "sts", "GetCallerIdentity", &a.ip, ua);
                put!(out, ",\"requestParameters\":null,\"responseElements\":null");
                self.ids(out, Rid::Uuid, true);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Host("sts.amazonaws.com"),
                    a.console,
                );
            }
            700..=759 => self.start_stop(p, out, a),
            760..=819 => self.ecs_update_service(p, out, a),
            820..=899 => self.athena_query(p, out, a),
            _ => self.human_s3(p, out, a),
        }
    }

    fn console_login(&mut self, p: &Pools, out: &mut Vec<u8>, mfa: bool) {
        let a = loop {
            let a = self.r.pick(&p.humans);
            if a.console {
                break a;
            }
        };
        let ver = self.ver(false);
        if a.login_ident.is_empty() {
            self.head(out, ver, a, None, "signin", "ConsoleLogin", &a.ip, a.ua);
        } else {
            let mut who = Actor::blank(a.acct, a.region);
            who.ident = a.login_ident.clone();
            self.head(out, ver, &who, None, "signin", "ConsoleLogin", &a.ip, a.ua);
        }
        // A failed console sign-in carries errorMessage but no errorCode.
        let fail = !mfa && self.r.pct(30);
        if fail {
            put!(out, ",\"errorMessage\":\"Failed authentication\"");
        }
        put!(out, ",\"requestParameters\":null,\"responseElements\":{\"ConsoleLogin\":\"", if fail { "Failure" } else { "Success" }, "\"},\"additionalEventData\":{\"LoginTo\":\"https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&nc2=h_ct&src=header-signin&state=hashArgsFromTB_", self.region, "_");
        hex(out, &mut self.r, 16);
        put!(out, "\",\"MobileVersion\":\"No\",");
        if mfa {
            put!(
                out,
                "\"MFAIdentifier\":\"arn:aws:iam::",
                ACCOUNTS[a.acct],
                ":mfa/",
                a.user,
                "\","
            );
        }
        put!(out, "\"MFAUsed\":\"", if mfa { "Yes" } else { "No" }, "\"}");
        self.ids(out, Rid::None, false);
        self.tail(
            out,
            "AwsConsoleSignIn",
            false,
            a.acct,
            false,
            Tls::Host("signin.aws.amazon.com"),
            false,
        );
    }

    fn human_describe_instances(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        self.head(out, ver, a, None, "ec2", "DescribeInstances", &a.ip, ua);
        put!(out, ",\"requestParameters\":{\"instancesSet\":{},\"filterSet\":{\"items\":[{\"name\":\"instance-state-name\",\"valueSet\":{\"items\":[{\"value\":\"running\"},{\"value\":\"stopped\"}]}},{\"name\":\"tag:team\",\"valueSet\":{\"items\":[{\"value\":\"", *self.r.pick(&["payments", "search", "data"]), "\"}]}}]},\"maxResults\":", if a.console { "50" } else { "1000" }, "},\"responseElements\":null");
        let _ = p;
        self.ids(out, Rid::Uuid, true);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            if a.console {
                Tls::None
            } else {
                Tls::Svc("ec2")
            },
            a.console,
        );
    }

    fn human_s3(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let name = *self
            .r
            .pick(&["PutObject", "GetObject", "GetObject", "CopyObject"]);
        let bucket = BUCKETS[self.r.below(BUCKETS.len() as u64) as usize];
        let ver = self.ver(true);
        let ua = if a.console { UA_CONSOLE[2] } else { a.ua };
        self.head(out, ver, a, None, "s3", name, &a.ip, ua);
        put!(
            out,
            ",\"requestParameters\":{\"bucketName\":\"",
            bucket,
            "\",\"Host\":\"",
            bucket,
            ".s3.",
            self.region,
            ".amazonaws.com\",\"key\":\""
        );
        let k0 = out.len();
        if self.r.pct(25) {
            put!(
                out,
                FANCY_KEYS[self.r.below(FANCY_KEYS.len() as u64) as usize]
            );
        } else {
            self.object_key(out);
        }
        let key = out[k0..].to_vec();
        out.push(b'"');
        if name == "CopyObject" {
            put!(out, ",\"x-amz-copy-source\":\"", BUCKETS[0], "/", key, "\"");
        }
        put!(out, "}");
        if name == "GetObject" {
            put!(out, ",\"responseElements\":null");
        } else {
            put!(out, ",\"responseElements\":{\"x-amz-server-side-encryption\":\"AES256\",\"x-amz-version-id\":\"");
            b64(out, &mut self.r, 32);
            put!(out, "\"}");
        }
        let size = self.r.range(1_000, 50_000_000);
        if name == "PutObject" {
            self.s3_additional(out, size, 0)
        } else {
            self.s3_additional(out, 0, size)
        }
        self.ids(out, Rid::S3, name == "GetObject");
        self.resource_s3(out, a.acct, bucket, &key);
        let _ = p;
        self.tail(
            out,
            "AwsApiCall",
            true,
            a.acct,
            false,
            Tls::S3(bucket),
            a.console,
        );
    }

    fn lambda_update_config(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let f = self.r.pick(&p.lambda);
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        self.head(
            out,
            ver,
            a,
            None,
            "lambda",
            "UpdateFunctionConfiguration20150331v2",
            &a.ip,
            ua,
        );
        put!(
            out,
            ",\"requestParameters\":{\"functionName\":\"",
            f.user,
            "\",\"timeout\":"
        );
        num(out, *self.r.pick(&[30, 60, 300, 900]));
        put!(out, ",\"memorySize\":");
        num(out, *self.r.pick(&[256, 512, 1024, 2048]));
        put!(out, ",\"environment\":{},\"tracingConfig\":{\"mode\":\"Active\"}},\"responseElements\":{\"functionName\":\"", f.user, "\",\"functionArn\":\"arn:aws:lambda:", self.region, ":", ACCOUNTS[a.acct], ":function:", f.user, "\",\"runtime\":\"python3.12\",\"role\":\"", f.role_arn, "\",\"handler\":\"app.handler\",\"codeSize\":");
        num(out, self.r.range(2_000, 50_000_000));
        put!(out, ",\"description\":\"\",\"timeout\":300,\"memorySize\":1024,\"lastModified\":\"2024-06-03T10:11:12.000+0000\",\"codeSha256\":\"");
        b64(out, &mut self.r, 43);
        put!(out, "=\",\"version\":\"$LATEST\",\"environment\":{},\"tracingConfig\":{\"mode\":\"Active\"},\"revisionId\":\"");
        uuid(out, &mut self.r);
        put!(out, "\",\"layers\":[],\"state\":\"Active\",\"lastUpdateStatus\":\"InProgress\",\"lastUpdateStatusReason\":\"The function is being created.\",\"lastUpdateStatusReasonCode\":\"Creating\",\"packageType\":\"Zip\",\"architectures\":[\"arm64\"],\"ephemeralStorage\":{\"size\":512},\"snapStart\":{\"applyOn\":\"None\",\"optimizationStatus\":\"Off\"},\"runtimeVersionConfig\":{\"runtimeVersionArn\":\"arn:aws:lambda:", self.region, "::runtime:");
        hex(out, &mut self.r, 64);
        put!(
            out,
            "\"},\"loggingConfig\":{\"logFormat\":\"Text\",\"logGroup\":\"/aws/lambda/",
            f.user,
            "\"}}"
        );
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            if a.console {
                Tls::None
            } else {
                Tls::Svc("lambda")
            },
            a.console,
        );
    }

    fn human_create_tags(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        self.head(out, ver, a, None, "ec2", "CreateTags", &a.ip, ua);
        put!(
            out,
            ",\"requestParameters\":{\"resourcesSet\":{\"items\":[{\"resourceId\":\"",
            self.r.pick(&p.ec2).instance,
            "\"}]},\"tagSet\":{\"items\":["
        );
        let n = self.r.range(1, 4);
        self.tags(out, n, "key", "value");
        put!(out, "]}},\"responseElements\":{\"requestId\":\"");
        uuid(out, &mut self.r);
        put!(out, "\",\"_return\":true}");
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            if a.console {
                Tls::None
            } else {
                Tls::Svc("ec2")
            },
            a.console,
        );
    }

    fn human_console_read(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        let (src, name) = *self.r.pick(&[
            ("iam", "ListRoles"),
            ("iam", "GetRole"),
            ("cloudformation", "DescribeStacks"),
            ("logs", "FilterLogEvents"),
            ("monitoring", "DescribeAlarms"),
            ("kms", "ListAliases"),
            ("rds", "DescribeDBInstances"),
            ("lambda", "ListFunctions20150331"),
        ]);
        self.head(out, ver, a, None, src, name, &a.ip, ua);
        match name {
            "GetRole" => put!(out, ",\"requestParameters\":{\"roleName\":\"", self.r.pick(&p.lambda).role, "\"}"),
            "DescribeStacks" => put!(out, ",\"requestParameters\":{\"stackName\":\"prod-checkout\"}"),
            "FilterLogEvents" => put!(out, ",\"requestParameters\":{\"logGroupName\":\"/aws/lambda/order-processor\",\"filterPattern\":\"{ $.level = \\\"ERROR\\\" }\",\"startTime\":1717372800000,\"interleaved\":true}"),
            "DescribeAlarms" => put!(out, ",\"requestParameters\":{\"stateValue\":\"ALARM\",\"maxRecords\":100}"),
            _ => put!(out, ",\"requestParameters\":{\"maxItems\":100}"),
        }
        put!(out, ",\"responseElements\":null");
        self.ids(out, Rid::Uuid, true);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            if a.console { Tls::None } else { Tls::Svc(src) },
            a.console,
        );
    }

    fn start_stop(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        let start = self.r.pct(50);
        self.head(
            out,
            ver,
            a,
            None,
            "ec2",
            if start {
                "StartInstances"
            } else {
                "StopInstances"
            },
            &a.ip,
            ua,
        );
        let inst = self.r.pick(&p.ec2).instance.clone();
        put!(
            out,
            ",\"requestParameters\":{\"instancesSet\":{\"items\":[{\"instanceId\":\"",
            inst,
            "\"}]}",
            if start { "" } else { ",\"force\":false" },
            "},\"responseElements\":{\"requestId\":\""
        );
        uuid(out, &mut self.r);
        put!(
            out,
            "\",\"instancesSet\":{\"items\":[{\"instanceId\":\"",
            inst,
            "\",\"currentState\":{\"code\":",
            if start {
                "0,\"name\":\"pending\"}"
            } else {
                "64,\"name\":\"stopping\"}"
            },
            ",\"previousState\":{\"code\":",
            if start {
                "80,\"name\":\"stopped\"}"
            } else {
                "16,\"name\":\"running\"}"
            },
            "}]}}"
        );
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            if a.console {
                Tls::None
            } else {
                Tls::Svc("ec2")
            },
            a.console,
        );
    }

    fn ecs_update_service(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        self.head(out, ver, a, None, "ecs", "UpdateService", &a.ip, ua);
        put!(out, ",\"requestParameters\":{\"cluster\":\"prod\",\"service\":\"checkout-api\",\"desiredCount\":");
        num(out, self.r.range(2, 24));
        put!(out, ",\"forceNewDeployment\":true},\"responseElements\":{\"service\":{\"serviceArn\":\"arn:aws:ecs:", self.region, ":", ACCOUNTS[a.acct], ":service/prod/checkout-api\",\"serviceName\":\"checkout-api\",\"clusterArn\":\"arn:aws:ecs:", self.region, ":", ACCOUNTS[a.acct], ":cluster/prod\",\"status\":\"ACTIVE\",\"launchType\":\"FARGATE\",\"taskDefinition\":\"arn:aws:ecs:", self.region, ":", ACCOUNTS[a.acct], ":task-definition/checkout-api:");
        num(out, self.r.range(100, 400));
        put!(out, "\",\"deployments\":[{\"id\":\"ecs-svc/");
        num(out, self.r.next() % 10_000_000_000_000_000);
        put!(out, "\",\"status\":\"PRIMARY\",\"rolloutState\":\"IN_PROGRESS\",\"rolloutStateReason\":\"ECS deployment ecs-svc/1234 in progress.\"}],\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"", self.r.pick(&p.subnets), "\"],\"securityGroups\":[\"", self.r.pick(&p.sgs), "\"],\"assignPublicIp\":\"DISABLED\"}}}}");
        self.ids(out, Rid::Uuid, false);
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            if a.console {
                Tls::None
            } else {
                Tls::Svc("ecs")
            },
            a.console,
        );
    }

    fn athena_query(&mut self, p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        let ua = self.human_ua(a);
        self.head(
            out,
            ver,
            a,
            None,
            "athena",
            "StartQueryExecution",
            &a.ip,
            ua,
        );
        put!(out, ",\"requestParameters\":{\"queryString\":\"SELECT useridentity.arn, eventname, count(*) AS n\\nFROM \\\"cloudtrail_logs\\\".\\\"acme_org\\\"\\nWHERE eventtime > '2024-06-01' AND sourceipaddress <> 'AWS Internal'\\n  AND useragent LIKE '%caf\\u00e9%'\\nGROUP BY 1, 2\\nORDER BY n DESC\\nLIMIT 100;\",\"clientRequestToken\":\"");
        uuid(out, &mut self.r);
        put!(out, "\",\"queryExecutionContext\":{\"database\":\"cloudtrail_logs\",\"catalog\":\"AwsDataCatalog\"},\"resultConfiguration\":{\"outputLocation\":\"s3://", BUCKETS[9], "/Unsaved/2024/06/03/\"},\"workGroup\":\"primary\"},\"responseElements\":{\"queryExecutionId\":\"");
        uuid(out, &mut self.r);
        put!(out, "\"}");
        let _ = p;
        self.ids(out, Rid::Uuid, false);
        self.resource(
            out,
            true,
            a.acct,
            "AWS::Athena::WorkGroup",
            &[
                "arn:aws:athena:",
                self.region,
                ":",
                ACCOUNTS[a.acct],
                ":workgroup/primary",
            ],
        );
        out.push(b']');
        self.tail(
            out,
            "AwsApiCall",
            false,
            a.acct,
            false,
            if a.console {
                Tls::None
            } else {
                Tls::Svc("athena")
            },
            a.console,
        );
    }

    // ---- <1%: high-signal events ------------------------------------------

    fn high_signal(&mut self, p: &Pools, out: &mut Vec<u8>) {
        // Who: mostly humans, sometimes a machine role (stolen instance
        // credentials), sometimes root.
        let a: &Actor = match self.r.below(100) {
            0..=64 => self.r.pick(&p.humans),
            65..=84 => self.r.pick(&p.ec2),
            85..=89 => &p.ci[0],
            _ => {
                self.root = true;
                self.r.pick(&p.roots)
            }
        };
        let deny = self.r.pct(25);
        let odd_ua = self.r.pct(15);
        let ua: &str = if odd_ua {
            if self.r.pct(30) {
                UA_TRUFFLEHOG
            } else {
                UA_ODD[self.r.below(UA_ODD.len() as u64) as usize]
            }
        } else {
            a.ua
        };
        let ver = self.ver(false);
        let acct = ACCOUNTS[a.acct];
        let tls_for = |svc: &'static str| if a.console { Tls::None } else { Tls::Svc(svc) };
        match self.r.below(27) {
            0..=2 => {
                let name = *self.r.pick(&["StopLogging", "DeleteTrail", "UpdateTrail"]);
                self.head(out, ver, a, None, "cloudtrail", name, &a.ip, ua);
                let trail = format!(
                    "arn:aws:cloudtrail:{}:{}:trail/org-trail",
                    self.region, ACCOUNTS[ORG_TRAIL_ACCOUNT]
                );
                if deny {
                    self.denied(out, a, "cloudtrail", name, &trail);
                }
                put!(out, ",\"requestParameters\":{\"name\":\"", trail, "\"");
                if name == "UpdateTrail" {
                    put!(
                        out,
                        ",\"s3BucketName\":\"exfil-logs-",
                        acct,
                        "\",\"isMultiRegionTrail\":false,\"includeGlobalServiceEvents\":false"
                    );
                }
                put!(out, "}");
                if name == "UpdateTrail" && !deny {
                    put!(out, ",\"responseElements\":{\"name\":\"org-trail\",\"s3BucketName\":\"exfil-logs-", acct, "\",\"includeGlobalServiceEvents\":false,\"isMultiRegionTrail\":false,\"trailARN\":\"", trail, "\",\"logFileValidationEnabled\":false,\"isOrganizationTrail\":false}");
                } else {
                    put!(out, ",\"responseElements\":null");
                }
                self.ids(out, Rid::Uuid, false);
                self.resource(
                    out,
                    true,
                    ORG_TRAIL_ACCOUNT,
                    "AWS::CloudTrail::Trail",
                    &[trail.as_str()],
                );
                out.push(b']');
                let t = tls_for("cloudtrail");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            3 => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "cloudtrail",
                    "PutEventSelectors",
                    &a.ip,
                    ua,
                );
                let trail = format!(
                    "arn:aws:cloudtrail:{}:{}:trail/org-trail",
                    self.region, ACCOUNTS[ORG_TRAIL_ACCOUNT]
                );
                if deny {
                    self.denied(out, a, "cloudtrail", "PutEventSelectors", &trail);
                }
                let sel = "[{\"readWriteType\":\"WriteOnly\",\"includeManagementEvents\":false,\"dataResources\":[],\"excludeManagementEventSources\":[\"kms.amazonaws.com\",\"rdsdata.amazonaws.com\"]}]";
                put!(
                    out,
                    ",\"requestParameters\":{\"trailName\":\"",
                    trail,
                    "\",\"eventSelectors\":",
                    sel,
                    "}"
                );
                if deny {
                    put!(out, ",\"responseElements\":null");
                } else {
                    put!(
                        out,
                        ",\"responseElements\":{\"trailARN\":\"",
                        trail,
                        "\",\"eventSelectors\":",
                        sel,
                        "}"
                    );
                }
                self.ids(out, Rid::Uuid, false);
                let t = tls_for("cloudtrail");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            4 | 5 => {
                let name = if self.r.pct(50) {
                    "DeleteDetector"
                } else {
                    "UpdateDetector"
                };
                self.head(out, ver, a, None, "guardduty", name, &a.ip, ua);
                if deny {
                    let res = format!(
                        "arn:aws:guardduty:{}:{}:detector/{}",
                        self.region, acct, p.detector
                    );
                    self.denied(out, a, "guardduty", name, &res);
                }
                put!(
                    out,
                    ",\"requestParameters\":{\"detectorId\":\"",
                    p.detector,
                    "\"",
                    if name == "UpdateDetector" {
                        ",\"enable\":false,\"findingPublishingFrequency\":\"SIX_HOURS\""
                    } else {
                        ""
                    },
                    "},\"responseElements\":null"
                );
                self.ids(out, Rid::Uuid, false);
                let t = tls_for("guardduty");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            6..=10 => {
                let name = *self.r.pick(&[
                    "CreateAccessKey",
                    "CreateLoginProfile",
                    "AttachUserPolicy",
                    "CreateUser",
                    "UpdateAssumeRolePolicy",
                ]);
                let target = *self
                    .r
                    .pick(&["svc-backup", "jenkins", "tmp-admin", "alice"]);
                self.head(out, ver, a, None, "iam", name, &a.ip, ua);
                if deny {
                    let res = format!("arn:aws:iam::{acct}:user/{target}");
                    self.denied(out, a, "iam", name, &res);
                }
                match name {
                    "UpdateAssumeRolePolicy" => {
                        put!(out, ",\"requestParameters\":{\"roleName\":\"OrganizationAccountAccessRole\",\"policyDocument\":\"{\\n  \\\"Version\\\": \\\"2012-10-17\\\",\\n  \\\"Statement\\\": [\\n    {\\n      \\\"Effect\\\": \\\"Allow\\\",\\n      \\\"Principal\\\": {\\n        \\\"AWS\\\": \\\"arn:aws:iam::999988887777:root\\\"\\n      },\\n      \\\"Action\\\": \\\"sts:AssumeRole\\\"\\n    }\\n  ]\\n}\"},\"responseElements\":null");
                    }
                    "AttachUserPolicy" => put!(out, ",\"requestParameters\":{\"userName\":\"", target, "\",\"policyArn\":\"arn:aws:iam::aws:policy/AdministratorAccess\"},\"responseElements\":null"),
                    _ => {
                        put!(out, ",\"requestParameters\":{\"userName\":\"", target, "\"", if name == "CreateLoginProfile" { ",\"passwordResetRequired\":false" } else { "" }, "}");
                        if deny {
                            put!(out, ",\"responseElements\":null");
                        } else {
                            match name {
                                "CreateAccessKey" => {
                                    put!(out, ",\"responseElements\":{\"accessKey\":{\"userName\":\"", target, "\",\"accessKeyId\":\"AKIA");
                                    b32(out, &mut self.r, 16);
                                    put!(out, "\",\"status\":\"Active\",\"createDate\":\"");
                                }
                                "CreateLoginProfile" => put!(out, ",\"responseElements\":{\"loginProfile\":{\"userName\":\"", target, "\",\"passwordResetRequired\":false,\"createDate\":\""),
                                _ => {
                                    put!(out, ",\"responseElements\":{\"user\":{\"path\":\"/\",\"userName\":\"", target, "\",\"userId\":\"AIDA");
                                    b32(out, &mut self.r, 17);
                                    put!(out, "\",\"arn\":\"arn:aws:iam::", acct, ":user/", target, "\",\"createDate\":\"");
                                }
                            }
                            aws_date(out, self.t_ms / 1000);
                            put!(out, "\"}}");
                        }
                    }
                }
                self.ids(out, Rid::Uuid, false);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    if a.console {
                        Tls::None
                    } else {
                        Tls::Host("iam.amazonaws.com")
                    },
                    a.console,
                );
            }
            11 | 12 => {
                let name = if self.r.pct(50) {
                    "ScheduleKeyDeletion"
                } else {
                    "DisableKey"
                };
                self.head(out, ver, a, None, "kms", name, &a.ip, ua);
                let mut key = Vec::new();
                self.kms_arn(&mut key, p, a.acct);
                let key = String::from_utf8(key).unwrap();
                if deny {
                    self.denied(out, a, "kms", name, &key);
                }
                put!(
                    out,
                    ",\"requestParameters\":{\"keyId\":\"",
                    key,
                    "\"",
                    if name == "ScheduleKeyDeletion" {
                        ",\"pendingWindowInDays\":7"
                    } else {
                        ""
                    },
                    "}"
                );
                if name == "ScheduleKeyDeletion" && !deny {
                    put!(
                        out,
                        ",\"responseElements\":{\"keyId\":\"",
                        key,
                        "\",\"deletionDate\":\""
                    );
                    aws_date(out, self.t_ms / 1000 + 7 * 86_400);
                    put!(
                        out,
                        "\",\"keyState\":\"PendingDeletion\",\"pendingWindowInDays\":7}"
                    );
                } else {
                    put!(out, ",\"responseElements\":null");
                }
                self.ids(out, Rid::Uuid, false);
                self.resource(out, true, a.acct, "AWS::KMS::Key", &[key.as_str()]);
                out.push(b']');
                let t = tls_for("kms");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            13 | 14 => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "ec2",
                    "AuthorizeSecurityGroupIngress",
                    &a.ip,
                    ua,
                );
                let sg = self.r.pick(&p.sgs).clone();
                if deny {
                    let res = format!("arn:aws:ec2:{}:{acct}:security-group/{sg}", self.region);
                    self.denied(out, a, "ec2", "AuthorizeSecurityGroupIngress", &res);
                }
                let port = *self.r.pick(&["22", "3389", "5432", "6379", "0"]);
                put!(out, ",\"requestParameters\":{\"groupId\":\"", sg, "\",\"ipPermissions\":{\"items\":[{\"ipProtocol\":\"", if port == "0" { "-1" } else { "tcp" }, "\",\"fromPort\":", port, ",\"toPort\":", port, ",\"groups\":{},\"ipRanges\":{\"items\":[{\"cidrIp\":\"0.0.0.0/0\",\"description\":\"temp debug \\u2013 remove\"}]},\"ipv6Ranges\":{\"items\":[{\"cidrIpv6\":\"::/0\"}]},\"prefixListIds\":{}}]}}");
                if deny {
                    put!(out, ",\"responseElements\":null");
                } else {
                    put!(out, ",\"responseElements\":{\"requestId\":\"");
                    uuid(out, &mut self.r);
                    put!(out, "\",\"_return\":true,\"securityGroupRuleSet\":{\"items\":[{\"groupOwnerId\":\"", acct, "\",\"groupId\":\"", sg, "\",\"securityGroupRuleId\":\"sgr-0");
                    hex(out, &mut self.r, 16);
                    put!(
                        out,
                        "\",\"isEgress\":false,\"ipProtocol\":\"tcp\",\"fromPort\":",
                        port,
                        ",\"toPort\":",
                        port,
                        ",\"cidrIpv4\":\"0.0.0.0/0\"}]}}"
                    );
                }
                self.ids(out, Rid::Uuid, false);
                let t = tls_for("ec2");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            15 => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "ec2",
                    "ModifySnapshotAttribute",
                    &a.ip,
                    ua,
                );
                let snap = format!("snap-0{}", s_hex(&mut self.r, 16));
                if deny {
                    let res = format!("arn:aws:ec2:{}::snapshot/{snap}", self.region);
                    self.denied(out, a, "ec2", "ModifySnapshotAttribute", &res);
                }
                put!(out, ",\"requestParameters\":{\"snapshotId\":\"", snap, "\",\"createVolumePermission\":{\"add\":{\"items\":[{\"group\":\"all\"}]}},\"attributeType\":\"CREATE_VOLUME_PERMISSION\"}");
                if deny {
                    put!(out, ",\"responseElements\":null");
                } else {
                    put!(out, ",\"responseElements\":{\"requestId\":\"");
                    uuid(out, &mut self.r);
                    put!(out, "\",\"_return\":true}");
                }
                self.ids(out, Rid::Uuid, false);
                let t = tls_for("ec2");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            16..=18 => {
                let name = *self.r.pick(&[
                    "PutBucketPolicy",
                    "PutBucketAcl",
                    "DeleteBucketPublicAccessBlock",
                ]);
                let b = *self.r.pick(&BUCKETS);
                self.head(out, ver, a, None, "s3", name, &a.ip, ua);
                if deny {
                    self.denied(out, a, "s3", name, b);
                }
                put!(
                    out,
                    ",\"requestParameters\":{\"bucketName\":\"",
                    b,
                    "\",\"Host\":\"",
                    b,
                    ".s3.",
                    self.region,
                    ".amazonaws.com\","
                );
                match name {
                    "PutBucketPolicy" => put!(out, "\"bucketPolicy\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"PublicRead\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":[\"arn:aws:s3:::", b, "\",\"arn:aws:s3:::", b, "/*\"]}]},\"policy\":\"\"}"),
                    "PutBucketAcl" => {
                        put!(out, "\"acl\":\"\",\"AccessControlPolicy\":{\"AccessControlList\":{\"Grant\":[{\"Grantee\":{\"xsi:type\":\"CanonicalUser\",\"xmlns:xsi\":\"http://www.w3.org/2001/XMLSchema-instance\",\"ID\":\"");
                        hex(out, &mut self.r, 64);
                        put!(out, "\"},\"Permission\":\"FULL_CONTROL\"},{\"Grantee\":{\"xsi:type\":\"Group\",\"xmlns:xsi\":\"http://www.w3.org/2001/XMLSchema-instance\",\"URI\":\"http://acs.amazonaws.com/groups/global/AllUsers\"},\"Permission\":\"READ\"}]},\"xmlns\":\"http://s3.amazonaws.com/doc/2006-03-01/\",\"Owner\":{\"ID\":\"");
                        hex(out, &mut self.r, 64);
                        put!(out, "\"}}}");
                    }
                    _ => put!(out, "\"publicAccessBlock\":\"\"}"),
                }
                put!(out, ",\"responseElements\":null");
                self.s3_additional(out, 0, 0);
                self.ids(out, Rid::S3, false);
                self.resource(out, true, a.acct, "AWS::S3::Bucket", &["arn:aws:s3:::", b]);
                out.push(b']');
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::S3(b),
                    a.console,
                );
            }
            19 => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "organizations",
                    "LeaveOrganization",
                    &a.ip,
                    ua,
                );
                if deny {
                    self.denied(
                        out,
                        a,
                        "organizations",
                        "LeaveOrganization",
                        "arn:aws:organizations::999988887777:organization/o-a1b2c3d4e5",
                    );
                }
                put!(out, ",\"requestParameters\":null,\"responseElements\":null");
                self.ids(out, Rid::Uuid, false);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Host("organizations.us-east-1.amazonaws.com"),
                    a.console,
                );
            }
            20 | 21 => {
                if self.root {
                    self.root_console_login(p, out, a);
                } else {
                    self.console_login(p, out, false);
                }
            }
            22 => {
                self.head(
                    out,
                    ver,
                    a,
                    None,
                    "secretsmanager",
                    "GetSecretValue",
                    &a.ip,
                    ua,
                );
                let secret = format!(
                    "arn:aws:secretsmanager:{}:{acct}:secret:prod/payments/stripe-api-key-Xy12Zq",
                    self.region
                );
                if deny {
                    self.denied(out, a, "secretsmanager", "GetSecretValue", &secret);
                }
                put!(
                    out,
                    ",\"requestParameters\":{\"secretId\":\"",
                    secret,
                    "\"},\"responseElements\":null"
                );
                self.ids(out, Rid::Uuid, true);
                self.resource(
                    out,
                    true,
                    a.acct,
                    "AWS::SecretsManager::Secret",
                    &[secret.as_str()],
                );
                out.push(b']');
                let t = tls_for("secretsmanager");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            23 | 24 => {
                let f = self.r.pick(&p.lambda);
                let name = if self.r.pct(50) {
                    "AddPermission20150331v2"
                } else {
                    "UpdateFunctionCode20150331v2"
                };
                self.head(out, ver, a, None, "lambda", name, &a.ip, ua);
                let farn = format!("arn:aws:lambda:{}:{acct}:function:{}", self.region, f.user);
                if deny {
                    self.denied(
                        out,
                        a,
                        "lambda",
                        if name.starts_with("Add") {
                            "AddPermission"
                        } else {
                            "UpdateFunctionCode"
                        },
                        &farn,
                    );
                }
                if name.starts_with("Add") {
                    put!(out, ",\"requestParameters\":{\"functionName\":\"", f.user, "\",\"statementId\":\"public-invoke\",\"action\":\"lambda:InvokeFunction\",\"principal\":\"*\",\"functionUrlAuthType\":\"NONE\"}");
                    if deny {
                        put!(out, ",\"responseElements\":null");
                    } else {
                        put!(out, ",\"responseElements\":{\"statement\":\"{\\\"Sid\\\":\\\"public-invoke\\\",\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"lambda:InvokeFunction\\\",\\\"Resource\\\":\\\"", farn, "\\\",\\\"Condition\\\":{\\\"StringEquals\\\":{\\\"lambda:FunctionUrlAuthType\\\":\\\"NONE\\\"}}}\"}");
                    }
                } else {
                    put!(
                        out,
                        ",\"requestParameters\":{\"functionName\":\"",
                        f.user,
                        "\",\"publish\":false,\"dryRun\":false}"
                    );
                    if deny {
                        put!(out, ",\"responseElements\":null");
                    } else {
                        put!(
                            out,
                            ",\"responseElements\":{\"functionName\":\"",
                            f.user,
                            "\",\"functionArn\":\"",
                            farn,
                            "\",\"runtime\":\"python3.12\",\"role\":\"",
                            f.role_arn,
                            "\",\"handler\":\"app.handler\",\"codeSize\":"
                        );
                        num(out, self.r.range(500, 60_000_000));
                        put!(out, ",\"description\":\"\",\"timeout\":30,\"memorySize\":256,\"lastModified\":\"2024-06-03T10:11:12.000+0000\",\"codeSha256\":\"");
                        b64(out, &mut self.r, 43);
                        put!(out, "=\",\"version\":\"$LATEST\",\"tracingConfig\":{\"mode\":\"PassThrough\"},\"revisionId\":\"");
                        uuid(out, &mut self.r);
                        put!(out, "\",\"state\":\"Active\",\"lastUpdateStatus\":\"InProgress\",\"packageType\":\"Zip\",\"architectures\":[\"x86_64\"]}");
                    }
                }
                self.ids(out, Rid::Uuid, false);
                let t = tls_for("lambda");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            25 => {
                self.head(out, ver, a, None, "ssm", "SendCommand", &a.ip, ua);
                let inst = self.r.pick(&p.ec2).instance.clone();
                if deny {
                    let res = format!("arn:aws:ec2:{}:{acct}:instance/{inst}", self.region);
                    self.denied(out, a, "ssm", "SendCommand", &res);
                }
                put!(out, ",\"requestParameters\":{\"instanceIds\":[\"", inst, "\"],\"documentName\":\"AWS-RunShellScript\",\"parameters\":\"HIDDEN_DUE_TO_SECURITY_REASONS\",\"interactive\":false}");
                if deny {
                    put!(out, ",\"responseElements\":null");
                } else {
                    put!(out, ",\"responseElements\":{\"command\":{\"commandId\":\"");
                    uuid(out, &mut self.r);
                    put!(out, "\",\"documentName\":\"AWS-RunShellScript\",\"documentVersion\":\"$DEFAULT\",\"comment\":\"\",\"expiresAfter\":\"");
                    aws_date(out, self.t_ms / 1000 + 3600);
                    put!(
                        out,
                        "\",\"parameters\":\"HIDDEN_DUE_TO_SECURITY_REASONS\",\"instanceIds\":[\"",
                        inst,
                        "\"],\"targets\":[],\"requestedDateTime\":\""
                    );
                    aws_date(out, self.t_ms / 1000);
                    put!(out, "\",\"status\":\"Pending\",\"statusDetails\":\"Pending\",\"outputS3Region\":\"", self.region, "\",\"maxConcurrency\":\"50\",\"maxErrors\":\"0\",\"targetCount\":1,\"completedCount\":0,\"errorCount\":0,\"deliveryTimedOutCount\":0,\"serviceRole\":\"\",\"notificationConfig\":{\"notificationArn\":\"\",\"notificationEvents\":[],\"notificationType\":\"\"},\"cloudWatchOutputConfig\":{\"cloudWatchLogGroupName\":\"\",\"cloudWatchOutputEnabled\":false},\"timeoutSeconds\":3600,\"alarmConfiguration\":{\"ignorePollAlarmFailure\":false,\"alarms\":[]},\"triggeredAlarms\":[]}}");
                }
                self.ids(out, Rid::Uuid, false);
                let t = tls_for("ssm");
                self.tail(out, "AwsApiCall", false, a.acct, false, t, a.console);
            }
            _ => {
                // Root or human recon.
                self.head(out, ver, a, None, "s3", "ListBuckets", &a.ip, ua);
                if deny {
                    self.denied(out, a, "s3", "ListBuckets", "*");
                }
                put!(
                    out,
                    ",\"requestParameters\":{\"Host\":\"s3.",
                    self.region,
                    ".amazonaws.com\"},\"responseElements\":null"
                );
                self.s3_additional(out, 0, 0);
                self.ids(out, Rid::S3, true);
                self.tail(
                    out,
                    "AwsApiCall",
                    false,
                    a.acct,
                    false,
                    Tls::Svc("s3"),
                    a.console,
                );
            }
        }
    }

    fn root_console_login(&mut self, _p: &Pools, out: &mut Vec<u8>, a: &Actor) {
        let ver = self.ver(false);
        self.name = "ConsoleLogin";
        let id = ACCOUNTS[a.acct];
        let mut who = Actor::blank(a.acct, a.region);
        who.ident = format!("{{\"type\":\"Root\",\"principalId\":\"{id}\",\"arn\":\"arn:aws:iam::{id}:root\",\"accountId\":\"{id}\",\"accessKeyId\":\"\"}}").into_bytes();
        self.head(out, ver, &who, None, "signin", "ConsoleLogin", &a.ip, a.ua);
        let mfa = self.r.pct(50);
        put!(out, ",\"requestParameters\":null,\"responseElements\":{\"ConsoleLogin\":\"Success\"},\"additionalEventData\":{\"LoginTo\":\"https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true\",\"MobileVersion\":\"No\",\"MFAUsed\":\"", if mfa { "Yes" } else { "No" }, "\"}");
        self.ids(out, Rid::None, false);
        self.tail(
            out,
            "AwsConsoleSignIn",
            false,
            a.acct,
            false,
            Tls::Host("signin.aws.amazon.com"),
            false,
        );
    }
}
