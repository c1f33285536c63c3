//! Generates a deterministic, realistic CloudTrail corpus (see benches/corpus.rs).
//!
//! ```text
//! cargo run --release --example gen_corpus -- --bytes 1G --seed 1 --shape ndjson -o target/bench/ct.json
//! cargo run --release --example gen_corpus -- --bytes 64M --stats > /dev/null
//! cargo run --release --example gen_corpus -- --check
//! ```
//!
//! Options:
//!   --bytes SIZE            stop after at least SIZE bytes (K/M/G/T suffixes, binary: 1M = 1048576) [256M]
//!   --seed N                PRNG seed [1]
//!   --shape ndjson|s3|wrapped
//!                           one record per line | {"Records":[...]} per line |
//!                           host envelope {"<field>":"<Records line as a string>",...} [ndjson]
//!   --records-per-file N    records per Records line (s3, wrapped) [1000]
//!   --field NAME            envelope field holding the log file (wrapped) [message]
//!   -o, --output FILE       write to FILE instead of stdout
//!   --stats                 print the mix, record sizes and speed to stderr
//!   --check                 self-test: validate JSON, mix, sizes, determinism; exit 1 on failure
//!   --weeks DAYS            instead: a DAYS-day corpus for first-seen rules (issue 13), the same
//!                           activity every day plus known injected "first" events (NDJSON)
//!   --per-day N             generator records per day with --weeks [200]
//!   --injected FILE         with --weeks: write "eventID<TAB>rule<TAB>eventTime<TAB>learning|reported"
//!                           per injected event to FILE
//!
//! Only std is used, so it builds in seconds and can also be compiled alone:
//! `rustc --edition 2021 -O examples/gen_corpus.rs -o gen_corpus`.

#[path = "../benches/corpus.rs"]
mod corpus;

use corpus::{Generator, Kind, Options, Shape, Stats};
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: gen_corpus [--bytes SIZE] [--seed N] [--shape ndjson|s3|wrapped] \
[--records-per-file N] [--field NAME] [-o FILE] [--stats] [--check]
       gen_corpus --weeks DAYS [--per-day N] [--seed N] [--injected FILE] [-o FILE]
  SIZE accepts K/M/G/T suffixes (binary multiples: 1M = 1048576 bytes); default 256M.";

struct Args {
    bytes: u64,
    seed: u64,
    shape: String,
    records_per_file: usize,
    field: String,
    output: Option<String>,
    stats: bool,
    check: bool,
    bytes_given: bool,
    weeks: Option<u32>,
    per_day: usize,
    injected: Option<String>,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let stripped = lower.trim_end_matches("ib").trim_end_matches('b');
    let (digits, mult) = match stripped.chars().last() {
        Some('k') => (&stripped[..stripped.len() - 1], 1u64 << 10),
        Some('m') => (&stripped[..stripped.len() - 1], 1 << 20),
        Some('g') => (&stripped[..stripped.len() - 1], 1 << 30),
        Some('t') => (&stripped[..stripped.len() - 1], 1 << 40),
        _ => (stripped, 1),
    };
    let n: f64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("bad size {s:?} (try 64M, 1G, 1048576)"))?;
    if n.is_nan() || n < 0.0 {
        return Err(format!("bad size {s:?}"));
    }
    Ok((n * mult as f64) as u64)
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        bytes: 256 << 20,
        seed: 1,
        shape: "ndjson".into(),
        records_per_file: corpus::DEFAULT_RECORDS_PER_FILE,
        field: "message".into(),
        output: None,
        stats: false,
        check: false,
        bytes_given: false,
        weeks: None,
        per_day: 200,
        injected: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (key, inline) = match arg.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut val = |name: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it.next().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match key.as_str() {
            "--bytes" | "--size" => {
                a.bytes = parse_size(&val("--bytes")?)?;
                a.bytes_given = true;
            }
            "--seed" => {
                a.seed = val("--seed")?
                    .parse()
                    .map_err(|_| "bad --seed".to_string())?
            }
            "--shape" => a.shape = val("--shape")?,
            "--records-per-file" => {
                a.records_per_file = val("--records-per-file")?
                    .parse()
                    .map_err(|_| "bad --records-per-file".to_string())?;
                if a.records_per_file == 0 {
                    return Err("--records-per-file must be >= 1".into());
                }
            }
            "--field" => a.field = val("--field")?,
            "-o" | "--output" => a.output = Some(val("--output")?),
            "--stats" => a.stats = true,
            "--check" => a.check = true,
            "--weeks" => {
                a.weeks = Some(
                    val("--weeks")?
                        .parse()
                        .map_err(|_| "bad --weeks (a number of days)".to_string())?,
                )
            }
            "--per-day" => {
                a.per_day = val("--per-day")?
                    .parse()
                    .map_err(|_| "bad --per-day".to_string())?
            }
            "--injected" => a.injected = Some(val("--injected")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(a)
}

fn shape_of(name: &str, records_per_file: usize, field: &str) -> Result<Shape, String> {
    Ok(match name {
        "ndjson" | "lines" => Shape::Ndjson,
        "s3" | "records" => Shape::S3Records { records_per_file },
        "wrapped" | "host" | "vector" => Shape::HostWrapped {
            field: Box::leak(field.to_string().into_boxed_str()),
            records_per_file,
        },
        other => return Err(format!("unknown --shape {other:?} (ndjson, s3, wrapped)")),
    })
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(days) = args.weeks {
        return weeks(&args, days);
    }
    if args.check {
        let bytes = if args.bytes_given {
            args.bytes
        } else {
            32 << 20
        };
        return if check::run(args.seed, bytes) {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }
    let shape = match shape_of(&args.shape, args.records_per_file, &args.field) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            return ExitCode::from(2);
        }
    };
    let opts = Options {
        seed: args.seed,
        shape,
    };
    let t0 = Instant::now();
    let res = match &args.output {
        Some(path) => std::fs::File::create(path)
            .and_then(|mut f| corpus::write_corpus(&opts, args.bytes, &mut f)),
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            corpus::write_corpus(&opts, args.bytes, &mut lock)
        }
    };
    let elapsed = t0.elapsed().as_secs_f64();
    match res {
        Ok(st) => {
            if args.stats {
                print_stats(&st, elapsed, &args);
            }
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_corpus: write failed: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--weeks DAYS`: the first-seen corpus, and its list of injected events.
fn weeks(args: &Args, days: u32) -> ExitCode {
    let w = corpus::Weeks {
        seed: args.seed,
        days,
        per_day: args.per_day,
    };
    let res = match &args.output {
        Some(path) => std::fs::File::create(path)
            .map(std::io::BufWriter::new)
            .and_then(|mut f| corpus::write_weeks(&w, &mut f)),
        None => corpus::write_weeks(&w, &mut std::io::stdout().lock()),
    };
    let st = match res {
        Ok(st) => st,
        Err(e) => {
            eprintln!("gen_corpus: write failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(path) = &args.injected {
        let mut text = String::new();
        for i in &st.injected {
            let when = if i.learning { "learning" } else { "reported" };
            text += &format!("{}\t{}\t{}\t{when}\n", i.event_id, i.rule, i.event_time);
        }
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("gen_corpus: {path}: {e}");
            return ExitCode::FAILURE;
        }
    }
    if args.stats {
        eprintln!(
            "gen_corpus: weeks={days} seed={} wrote {} bytes, {} records, {} injected; learning ends {}",
            args.seed,
            st.bytes,
            st.records,
            st.injected.len(),
            st.learning_ends
        );
    }
    ExitCode::SUCCESS
}

fn print_stats(st: &Stats, secs: f64, args: &Args) {
    let mut e = std::io::stderr().lock();
    let mb = st.bytes as f64 / 1e6;
    let _ = writeln!(
        e,
        "gen_corpus: shape={} seed={} wrote {} bytes ({:.1} MiB), {} lines, {} records in {:.2}s ({:.0} MB/s)",
        args.shape,
        args.seed,
        st.bytes,
        st.bytes as f64 / (1 << 20) as f64,
        st.lines,
        st.records,
        secs,
        mb / secs.max(1e-9)
    );
    let _ = writeln!(e, "  mix by record count:");
    for k in Kind::ALL {
        let _ = writeln!(
            e,
            "    {:<13} {:>10}  {:>6.2}%",
            k.name(),
            st.kinds[k.index()],
            st.kind_pct(k)
        );
    }
    let _ = writeln!(
        e,
        "  with errorCode: {} ({:.2}%), userIdentity.type=Root: {}",
        st.failures,
        100.0 * st.failures as f64 / st.records.max(1) as f64,
        st.root
    );
    let _ = writeln!(
        e,
        "  record size (bytes): min {}  p10 {}  median {}  mean {:.0}  p90 {}  p99 {}  max {}",
        st.min_record,
        st.percentile(10.0),
        st.median_record(),
        st.record_sizes.iter().map(|&s| s as f64).sum::<f64>() / st.records.max(1) as f64,
        st.percentile(90.0),
        st.percentile(99.0),
        st.max_record
    );
    let mut names: Vec<(&&str, &u64)> = st.event_names.iter().collect();
    names.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let _ = writeln!(e, "  {} distinct eventNames; top 12:", names.len());
    for (n, c) in names.iter().take(12) {
        let _ = writeln!(
            e,
            "    {:<40} {:>9}  {:>5.2}%",
            n,
            c,
            100.0 * **c as f64 / st.records.max(1) as f64
        );
    }
}

/// `--check`: structural self-tests of the generator.
mod check {
    use super::corpus::{self, Generator, Kind, Options, Shape};
    use super::json;
    use std::collections::HashSet;

    struct T {
        passed: u32,
        failed: u32,
    }
    impl T {
        fn ok(&mut self, cond: bool, what: &str) {
            if cond {
                self.passed += 1;
                eprintln!("  ok    {what}");
            } else {
                self.failed += 1;
                eprintln!("  FAIL  {what}");
            }
        }
    }

    pub fn run(seed: u64, bytes: u64) -> bool {
        let mut t = T {
            passed: 0,
            failed: 0,
        };
        eprintln!("gen_corpus --check (seed {seed}, {bytes} bytes per shape)");

        // NDJSON: valid JSON per line, mix, sizes, size target.
        let nd = Options {
            seed,
            shape: Shape::Ndjson,
        };
        let (buf, st) = corpus::generate(&nd, bytes);
        let lines: Vec<&[u8]> = buf
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        let bad = lines.iter().filter(|l| json::validate(l).is_err()).count();
        if let Some(l) = lines.iter().find(|l| json::validate(l).is_err()) {
            eprintln!(
                "        first invalid line: {:?}: {}",
                json::validate(l).unwrap_err(),
                String::from_utf8_lossy(&l[..l.len().min(300)])
            );
        }
        t.ok(
            bad == 0,
            &format!("ndjson: all {} lines are valid JSON objects", lines.len()),
        );
        t.ok(
            lines.len() as u64 == st.records && st.lines == st.records,
            "ndjson: one record per line, stats agree",
        );
        t.ok(
            buf.len() as u64 == st.bytes && st.bytes >= bytes && st.bytes - bytes <= 16_384,
            &format!("ndjson: wrote {} bytes for a target of {bytes}", st.bytes),
        );
        let pct = |k: Kind| st.kind_pct(k);
        t.ok(
            (67.0..=73.0).contains(&pct(Kind::ServiceRead)),
            &format!("mix: ServiceRead {:.2}% in 67..73", pct(Kind::ServiceRead)),
        );
        t.ok(
            (17.0..=23.0).contains(&pct(Kind::MachineWrite)),
            &format!(
                "mix: MachineWrite {:.2}% in 17..23",
                pct(Kind::MachineWrite)
            ),
        );
        t.ok(
            (7.5..=10.5).contains(&pct(Kind::Human)),
            &format!("mix: Human {:.2}% in 7.5..10.5", pct(Kind::Human)),
        );
        t.ok(
            pct(Kind::HighSignal) > 0.2 && pct(Kind::HighSignal) < 1.0,
            &format!("mix: HighSignal {:.2}% in 0.2..1", pct(Kind::HighSignal)),
        );
        let med = st.median_record();
        t.ok(
            st.min_record >= 400 && st.max_record <= 11_000,
            &format!(
                "sizes: min {} >= 400, max {} <= 11000",
                st.min_record, st.max_record
            ),
        );
        t.ok(
            (1_000..=3_000).contains(&med),
            &format!("sizes: median {med} in 1000..3000"),
        );
        let in_1_3k = st
            .record_sizes
            .iter()
            .filter(|&&s| (1_000..=3_000).contains(&s))
            .count() as f64
            / st.records as f64;
        t.ok(
            in_1_3k > 0.6,
            &format!("sizes: {:.1}% of records are 1-3 KB", 100.0 * in_1_3k),
        );
        t.ok(
            st.record_sizes.iter().any(|&s| s >= 5_000),
            "sizes: some records >= 5 KB",
        );
        t.ok(std::str::from_utf8(&buf).is_ok(), "ndjson: output is UTF-8");
        for (needle, what) in [
            (&b"\\\""[..], "\\\" escape"),
            (b"\\\\", "\\\\ escape"),
            (b"\\n", "\\n escape"),
            (b"\\u00e9", "\\u00e9 escape"),
            (b"\\/", "\\/ escape"),
            ("日本語".as_bytes(), "raw CJK"),
            ("été".as_bytes(), "raw accented"),
            (b"\"readOnly\":true", "readOnly"),
            (b"\"eventCategory\":\"Data\"", "data events"),
            (b"\"invokedBy\":", "invokedBy"),
            (b"\"type\":\"Root\"", "Root identity"),
            (b"\"errorCode\":\"AccessDenied", "AccessDenied"),
            (b"\"cidrIp\":\"0.0.0.0/0\"", "0.0.0.0/0 ingress"),
            (b"\"mfaAuthenticated\":\"true\"", "MFA sessions"),
            (b"\"MFAUsed\":\"No\"", "ConsoleLogin without MFA"),
        ] {
            t.ok(
                buf.windows(needle.len()).any(|w| w == needle),
                &format!("content: has {what}"),
            );
        }

        // Determinism.
        let (again, _) = corpus::generate(&nd, bytes);
        t.ok(again == buf, "determinism: same seed gives identical bytes");
        let (other, _) = corpus::generate(
            &Options {
                seed: seed + 1,
                shape: Shape::Ndjson,
            },
            bytes.min(1 << 20),
        );
        t.ok(
            other[..] != buf[..other.len().min(buf.len())],
            "determinism: another seed gives other bytes",
        );

        // S3 Records shape: same record stream, grouped.
        let rpf = 50;
        let s3 = Options {
            seed,
            shape: Shape::S3Records {
                records_per_file: rpf,
            },
        };
        let (sbuf, sst) = corpus::generate(&s3, bytes);
        let slines: Vec<&[u8]> = sbuf
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        let sbad = slines
            .iter()
            .filter(|l| json::validate(l).is_err() || !l.starts_with(b"{\"Records\":["))
            .count();
        t.ok(
            sbad == 0,
            &format!(
                "s3: all {} lines are valid {{\"Records\":[...]}} objects",
                slines.len()
            ),
        );
        let first: Vec<u8> = lines[..rpf].join(&b","[..]);
        t.ok(
            slines[0] == [&b"{\"Records\":["[..], &first, b"]}"].concat(),
            "s3: first file holds the first 50 NDJSON records",
        );
        t.ok(
            sst.bytes >= bytes && sst.records > 0,
            &format!(
                "s3: {} bytes, {} records in {} files",
                sst.bytes, sst.records, sst.lines
            ),
        );

        // Host-wrapped shape: the message field decodes to the S3 line.
        let wr = Options {
            seed,
            shape: Shape::HostWrapped {
                field: "message",
                records_per_file: rpf,
            },
        };
        let (wbuf, wst) = corpus::generate(&wr, bytes.min(8 << 20));
        let wlines: Vec<&[u8]> = wbuf
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .collect();
        let mut wbad = 0;
        let mut inner_ok = 0;
        for l in &wlines {
            if json::validate(l).is_err() {
                wbad += 1;
                continue;
            }
            match json::first_string_value(l, b"message") {
                Some(inner)
                    if json::validate(&inner).is_ok() && inner.starts_with(b"{\"Records\":[") =>
                {
                    inner_ok += 1
                }
                _ => wbad += 1,
            }
        }
        t.ok(
            wbad == 0 && inner_ok == wlines.len(),
            &format!(
                "wrapped: all {} lines valid, message decodes to a valid Records object",
                wlines.len()
            ),
        );
        t.ok(
            json::first_string_value(wlines[0], b"message").as_deref() == Some(slines[0]),
            "wrapped: first message equals the first S3 line",
        );
        t.ok(
            wbuf.windows(24)
                .any(|w| w == b"\"source_type\":\"aws_s3\",\""),
            &format!("wrapped: envelope fields ({} files)", wst.lines),
        );

        // High-signal coverage on a longer stream (not stored).
        let mut g = Generator::new(Options {
            seed,
            shape: Shape::Ndjson,
        });
        let mut rec = Vec::with_capacity(16 << 10);
        let mut hs: HashSet<&'static str> = HashSet::new();
        let mut hs_fail = 0u64;
        let mut hs_n = 0u64;
        for _ in 0..300_000 {
            rec.clear();
            if g.next_record(&mut rec) == Kind::HighSignal {
                hs.insert(g.last_event_name());
                hs_n += 1;
                hs_fail += g.last_failed() as u64;
            }
        }
        let want = [
            "StopLogging",
            "DeleteTrail",
            "UpdateTrail",
            "PutEventSelectors",
            "DeleteDetector",
            "UpdateDetector",
            "CreateAccessKey",
            "CreateLoginProfile",
            "AttachUserPolicy",
            "CreateUser",
            "UpdateAssumeRolePolicy",
            "ScheduleKeyDeletion",
            "DisableKey",
            "AuthorizeSecurityGroupIngress",
            "ModifySnapshotAttribute",
            "PutBucketPolicy",
            "PutBucketAcl",
            "DeleteBucketPublicAccessBlock",
            "LeaveOrganization",
            "ConsoleLogin",
            "GetSecretValue",
            "AddPermission20150331v2",
            "UpdateFunctionCode20150331v2",
            "SendCommand",
            "ListBuckets",
        ];
        let missing: Vec<&str> = want.iter().copied().filter(|n| !hs.contains(n)).collect();
        t.ok(
            missing.is_empty(),
            &format!(
                "high-signal: all {} names occur in 300k records (missing: {missing:?})",
                want.len()
            ),
        );
        let fail_pct = 100.0 * hs_fail as f64 / hs_n.max(1) as f64;
        t.ok(
            (10.0..=40.0).contains(&fail_pct),
            &format!("high-signal: {fail_pct:.1}% of {hs_n} carry an errorCode"),
        );

        println!("gen_corpus check: {} passed, {} failed", t.passed, t.failed);
        t.failed == 0
    }
}

/// Minimal strict JSON validator (RFC 8259 grammar, UTF-8 checked by caller
/// or by `std::str::from_utf8` on strings) used by `--check`.
mod json {
    pub fn validate(s: &[u8]) -> Result<(), String> {
        if std::str::from_utf8(s).is_err() {
            return Err("not UTF-8".into());
        }
        let mut p = P { s, i: 0, depth: 0 };
        p.ws();
        if p.peek() != Some(b'{') {
            return Err("top level is not an object".into());
        }
        p.value()?;
        p.ws();
        if p.i != s.len() {
            return Err(format!("trailing bytes at {}", p.i));
        }
        Ok(())
    }

    /// Decoded value of the first top-level member `key` whose value is a string.
    pub fn first_string_value(s: &[u8], key: &[u8]) -> Option<Vec<u8>> {
        let mut p = P { s, i: 0, depth: 0 };
        p.ws();
        p.eat(b'{').ok()?;
        loop {
            p.ws();
            let (ks, ke) = p.string().ok()?;
            p.ws();
            p.eat(b':').ok()?;
            p.ws();
            if &s[ks..ke] == key && p.peek() == Some(b'"') {
                let (vs, ve) = p.string().ok()?;
                return unescape(&s[vs..ve]);
            }
            p.value().ok()?;
            p.ws();
            if p.eat(b',').is_err() {
                return None;
            }
        }
    }

    fn unescape(s: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(s.len());
        let mut i = 0;
        let hex4 = |i: usize| -> Option<u32> {
            u32::from_str_radix(std::str::from_utf8(s.get(i..i + 4)?).ok()?, 16).ok()
        };
        while i < s.len() {
            if s[i] != b'\\' {
                out.push(s[i]);
                i += 1;
                continue;
            }
            let c = *s.get(i + 1)?;
            i += 2;
            match c {
                b'"' => out.push(b'"'),
                b'\\' => out.push(b'\\'),
                b'/' => out.push(b'/'),
                b'b' => out.push(8),
                b'f' => out.push(12),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'u' => {
                    let mut cp = hex4(i)?;
                    i += 4;
                    if (0xD800..0xDC00).contains(&cp)
                        && s.get(i) == Some(&b'\\')
                        && s.get(i + 1) == Some(&b'u')
                    {
                        let lo = hex4(i + 2)?;
                        i += 6;
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    let ch = char::from_u32(cp)?;
                    let mut b = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
                }
                _ => return None,
            }
        }
        Some(out)
    }

    struct P<'a> {
        s: &'a [u8],
        i: usize,
        depth: u32,
    }

    impl P<'_> {
        fn peek(&self) -> Option<u8> {
            self.s.get(self.i).copied()
        }
        fn ws(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.i += 1;
            }
        }
        fn eat(&mut self, c: u8) -> Result<(), String> {
            if self.peek() == Some(c) {
                self.i += 1;
                Ok(())
            } else {
                Err(format!("expected {:?} at {}", c as char, self.i))
            }
        }
        fn lit(&mut self, w: &[u8]) -> Result<(), String> {
            if self.s[self.i..].starts_with(w) {
                self.i += w.len();
                Ok(())
            } else {
                Err(format!("bad literal at {}", self.i))
            }
        }
        fn value(&mut self) -> Result<(), String> {
            self.ws();
            match self.peek() {
                Some(b'{') => {
                    self.depth += 1;
                    if self.depth > 128 {
                        return Err("too deep".into());
                    }
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b'}') {
                        self.i += 1;
                    } else {
                        loop {
                            self.ws();
                            self.string()?;
                            self.ws();
                            self.eat(b':')?;
                            self.value()?;
                            self.ws();
                            if self.peek() == Some(b',') {
                                self.i += 1;
                            } else {
                                self.eat(b'}')?;
                                break;
                            }
                        }
                    }
                    self.depth -= 1;
                    Ok(())
                }
                Some(b'[') => {
                    self.depth += 1;
                    self.i += 1;
                    self.ws();
                    if self.peek() == Some(b']') {
                        self.i += 1;
                    } else {
                        loop {
                            self.value()?;
                            self.ws();
                            if self.peek() == Some(b',') {
                                self.i += 1;
                            } else {
                                self.eat(b']')?;
                                break;
                            }
                        }
                    }
                    self.depth -= 1;
                    Ok(())
                }
                Some(b'"') => self.string().map(|_| ()),
                Some(b't') => self.lit(b"true"),
                Some(b'f') => self.lit(b"false"),
                Some(b'n') => self.lit(b"null"),
                Some(b'-' | b'0'..=b'9') => self.number(),
                _ => Err(format!("unexpected byte at {}", self.i)),
            }
        }
        /// Returns the span of the string contents (between the quotes).
        fn string(&mut self) -> Result<(usize, usize), String> {
            self.eat(b'"')?;
            let start = self.i;
            loop {
                match self.peek() {
                    None => return Err("unterminated string".into()),
                    Some(b'"') => {
                        self.i += 1;
                        return Ok((start, self.i - 1));
                    }
                    Some(b'\\') => match self.s.get(self.i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 2,
                        Some(b'u') => {
                            let h = self.s.get(self.i + 2..self.i + 6).ok_or("short \\u")?;
                            if !h.iter().all(u8::is_ascii_hexdigit) {
                                return Err(format!("bad \\u escape at {}", self.i));
                            }
                            self.i += 6;
                        }
                        _ => return Err(format!("bad escape at {}", self.i)),
                    },
                    Some(c) if c < 0x20 => {
                        return Err(format!("raw control byte in string at {}", self.i))
                    }
                    Some(_) => self.i += 1,
                }
            }
        }
        fn number(&mut self) -> Result<(), String> {
            let start = self.i;
            if self.peek() == Some(b'-') {
                self.i += 1;
            }
            match self.peek() {
                Some(b'0') => self.i += 1,
                Some(b'1'..=b'9') => {
                    while matches!(self.peek(), Some(b'0'..=b'9')) {
                        self.i += 1;
                    }
                }
                _ => return Err(format!("bad number at {start}")),
            }
            if self.peek() == Some(b'.') {
                self.i += 1;
                let d = self.i;
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.i += 1;
                }
                if self.i == d {
                    return Err(format!("bad fraction at {start}"));
                }
            }
            if matches!(self.peek(), Some(b'e' | b'E')) {
                self.i += 1;
                if matches!(self.peek(), Some(b'+' | b'-')) {
                    self.i += 1;
                }
                let d = self.i;
                while matches!(self.peek(), Some(b'0'..=b'9')) {
                    self.i += 1;
                }
                if self.i == d {
                    return Err(format!("bad exponent at {start}"));
                }
            }
            Ok(())
        }
    }
}

#[allow(dead_code)]
fn _api_surface_compiles(g: &mut Generator) -> Kind {
    let mut v = Vec::new();
    g.next_record(&mut v)
}
