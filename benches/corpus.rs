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
//!
//! Layout. This file is the public API (`Options`, `Shape`, `Kind`, `Stats`,
//! `Generator`, `write_corpus`, `generate`, `json_string`) and the line
//! writer. Data and code are apart:
//!
//! - `corpus/templates.txt`: the vocabulary (accounts, regions, user agents,
//!   role, bucket and table names, tags) and the weighted event mixes;
//!   embedded with `include_str!` and parsed once by `corpus/vocab.rs`.
//! - `corpus/rng.rs`, `corpus/time.rs`: the PRNG and text writers, dates.
//! - `corpus/actors.rs`: the identities, drawn once per seed.
//! - `corpus/record.rs`: `Generator` and the parts every record shares.
//! - `corpus/read_*.rs`, `corpus/write_*.rs`, `corpus/human.rs`,
//!   `corpus/high_signal.rs`: the record shapes of each part of the mix.
//! - `corpus/weeks.rs`: `write_weeks`, a multi-week corpus with known
//!   injected "first" events for first-seen rules (issue 13).
//!
//! Children are declared with `#[path]`, so the includer's own path to this
//! file is all it needs; everything stays std-only, and
//! `rustc --edition 2021 examples/gen_corpus.rs` still builds alone.
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

#[path = "corpus/actors.rs"]
mod actors;
#[path = "corpus/high_signal.rs"]
mod high_signal;
#[path = "corpus/human.rs"]
mod human;
#[path = "corpus/read_data.rs"]
mod read_data;
#[path = "corpus/read_describe.rs"]
mod read_describe;
#[path = "corpus/record.rs"]
mod record;
#[path = "corpus/rng.rs"]
mod rng;
#[path = "corpus/time.rs"]
mod time;
#[path = "corpus/vocab.rs"]
mod vocab;
#[path = "corpus/weeks.rs"]
mod weeks;
#[path = "corpus/write_data.rs"]
mod write_data;
#[path = "corpus/write_infra.rs"]
mod write_infra;

pub use record::Generator;
#[allow(unused_imports)]
pub use weeks::{write_weeks, Injected, Weeks, WeeksStats};

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
