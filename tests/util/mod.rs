//! Helpers for the `ctfilter` integration tests: run the binary, parse its
//! output, compare with golden files, make temporary files.
//!
//! Every run has a watchdog (`Cmd::timeout`, 60 s by default), so a test that
//! makes ctfilter hang fails with a message instead of hanging the suite.
#![allow(dead_code)]

use serde_json::Value;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The fixed ingest time used wherever output is compared, so `latency_s` is
/// stable: 300 s after the first record of `fixtures/records.ndjson`.
pub const NOW: &str = "2026-01-15T10:05:00Z";

/// The path of the binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_ctfilter")
}

/// The crate root; every command runs there, so fixture paths are relative
/// and stable in messages and golden files.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/<name>` as an absolute path.
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

/// The bytes of `fixtures/<name>`.
pub fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = fixture(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The lines of `fixtures/<name>` without their `\n`.
pub fn fixture_lines(name: &str) -> Vec<String> {
    String::from_utf8(fixture_bytes(name))
        .expect("fixture is UTF-8")
        .lines()
        .map(str::to_string)
        .collect()
}

/// The flags that make a run independent of the default rule pack and of the
/// clock: `--no-default-rules -r fixtures/rules/test-rules.yml --now NOW`.
pub const TEST_RULES: [&str; 5] = [
    "--no-default-rules",
    "-r",
    "fixtures/rules/test-rules.yml",
    "--now",
    NOW,
];

/// `TEST_RULES` followed by `extra`.
pub fn with_test_rules<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args: Vec<&str> = TEST_RULES.to_vec();
    args.extend_from_slice(extra);
    args
}

/// A ctfilter invocation being built.
pub struct Cmd {
    args: Vec<OsString>,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
}

/// Start building `ctfilter ARGS...`.
pub fn ctfilter(args: &[&str]) -> Cmd {
    Cmd {
        args: args.iter().map(OsString::from).collect(),
        stdin: None,
        timeout: Duration::from_secs(60),
    }
}

/// What a finished run left behind.
#[derive(Debug)]
pub struct Output {
    /// stdout, lossily decoded (see `stdout_bytes` for the exact bytes).
    pub stdout: String,
    pub stdout_bytes: Vec<u8>,
    pub stderr: String,
    /// The exit code; -1 when killed by a signal.
    pub code: i32,
}

impl Cmd {
    pub fn arg(mut self, arg: impl Into<OsString>) -> Cmd {
        self.args.push(arg.into());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Cmd {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Feed these bytes on stdin (then close it). Without this, stdin is empty.
    pub fn stdin(mut self, bytes: impl AsRef<[u8]>) -> Cmd {
        self.stdin = Some(bytes.as_ref().to_vec());
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Cmd {
        self.timeout = timeout;
        self
    }

    /// The underlying command, with piped stdio, run from the crate root.
    pub fn command(&self) -> Command {
        let mut command = Command::new(bin());
        command
            .args(&self.args)
            .current_dir(root())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Start the process with all three streams piped (for signal tests).
    pub fn spawn(&self) -> Child {
        self.command().spawn().expect("spawn ctfilter")
    }

    /// Run to completion (or kill it at the timeout and panic).
    pub fn run(self) -> Output {
        let mut child = self.spawn();
        let input = self.stdin.clone().unwrap_or_default();
        let mut stdin = child.stdin.take().expect("stdin");
        // ctfilter may exit before reading everything (usage errors, --strict):
        // a failed write is not an error here.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let stdout = drain_in_thread(child.stdout.take().expect("stdout"));
        let stderr = drain_in_thread(child.stderr.take().expect("stderr"));
        let status = wait_with_deadline(&mut child, self.timeout).unwrap_or_else(|| {
            panic!(
                "ctfilter {:?} did not finish within {:?}",
                self.args, self.timeout
            )
        });
        let _ = writer.join();
        let stdout_bytes = stdout.join().expect("stdout reader");
        let stderr = stderr.join().expect("stderr reader");
        Output {
            stdout: String::from_utf8_lossy(&stdout_bytes).into_owned(),
            stdout_bytes,
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
            code: status.code().unwrap_or(-1),
        }
    }
}

fn drain_in_thread<R: Read + Send + 'static>(mut reader: R) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = reader.read_to_end(&mut bytes);
        bytes
    })
}

/// Wait for the child to exit; kill it and return `None` after `timeout`.
pub fn wait_with_deadline(
    child: &mut Child,
    timeout: Duration,
) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Lines of a child stream, delivered through a channel by a reader thread.
pub fn line_channel<R: Read + Send + 'static>(reader: R) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = std::io::BufReader::new(reader);
        loop {
            let mut line = String::new();
            match std::io::BufRead::read_line(&mut reader, &mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    if tx.send(line).is_err() {
                        return;
                    }
                }
            }
        }
    });
    rx
}

/// Send a signal (`TERM`, `HUP`, `INT`) to a child with kill(1).
pub fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} {} failed", child.id());
}

impl Output {
    /// Assert the exit code, showing stderr when it differs.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Output {
        assert_eq!(self.code, code, "exit code; stderr:\n{}", self.stderr);
        self
    }

    /// Exit 0 and nothing on stderr.
    #[track_caller]
    pub fn assert_clean(&self) -> &Output {
        self.assert_code(0);
        assert_eq!(self.stderr, "", "unexpected stderr");
        self
    }

    /// The output records, parsed (panics on a line that is not a JSON object).
    pub fn records(&self) -> Vec<Value> {
        records(&self.stdout)
    }

    /// The `--stats` object (the value of `ctfilter_stats`).
    pub fn stats(&self) -> Value {
        stats(&self.stderr)
    }

    /// stderr without the `--stats` line.
    pub fn stderr_without_stats(&self) -> String {
        self.stderr
            .lines()
            .filter(|l| !l.starts_with("{\"ctfilter_stats\""))
            .map(|l| format!("{l}\n"))
            .collect()
    }
}

/// Parse NDJSON output: one JSON object per line, nothing else.
#[track_caller]
pub fn records(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .enumerate()
        .map(|(n, line)| {
            let value: Value = serde_json::from_str(line).unwrap_or_else(|e| {
                panic!(
                    "output line {} is not one JSON value ({e}); every record must be on one line:\n{}",
                    n + 1,
                    truncate(line, 300)
                )
            });
            assert!(value.is_object(), "output line {} is not an object: {}", n + 1, truncate(line, 300));
            value
        })
        .collect()
}

/// The `ctfilter_stats` object from stderr (exactly one such line).
#[track_caller]
pub fn stats(stderr: &str) -> Value {
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("{\"ctfilter_stats\""))
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one --stats line on stderr, got:\n{stderr}"
    );
    let mut value: Value = serde_json::from_str(lines[0]).expect("--stats line is JSON");
    value["ctfilter_stats"].take()
}

/// Peak resident memory reported with `--stats` (Linux `VmHWM`), in KiB.
pub fn peak_rss_kib(stderr: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("{\"ctfilter_stats\""))
        .expect("a --stats line");
    let value: Value = serde_json::from_str(line).expect("--stats line is JSON");
    value["process"]["peak_rss_kib"]
        .as_u64()
        .expect("peak RSS on Linux")
}

/// The `requestID` of each record (`eventID` for records without one).
pub fn ids(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            r.get("requestID")
                .or_else(|| r.get("eventID"))
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string()
        })
        .collect()
}

/// The record with its `key` member removed.
pub fn without_key(record: &Value, key: &str) -> Value {
    let mut copy = record.clone();
    copy.as_object_mut()
        .expect("record is an object")
        .remove(key);
    copy
}

pub fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &text[..end], text.len())
}

/// Print a line on the real stderr, past libtest's output capture (which only
/// captures the print macros), so it shows even for passing tests.
pub fn notice(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Compare `actual` with `tests/golden/<name>`; with `UPDATE_GOLDEN=1`, write
/// it instead.
#[track_caller]
pub fn assert_golden(name: &str, actual: &str) {
    let path = root().join("tests").join("golden").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        notice(&format!("UPDATE_GOLDEN=1: rewrote {}", path.display()));
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read golden file {}: {e}\nrun `UPDATE_GOLDEN=1 cargo test --test cli` to create it, then review it",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "output differs from golden file {} at line {}:\n  expected: {}\n  actual:   {}\n\
             ({} expected lines, {} actual lines)\n\
             If the change is intended, run `UPDATE_GOLDEN=1 cargo test --test cli` and review the diff.",
            path.display(),
            first + 1,
            truncate(expected.lines().nth(first).unwrap_or("<end of file>"), 400),
            truncate(actual.lines().nth(first).unwrap_or("<end of output>"), 400),
            expected.lines().count(),
            actual.lines().count(),
        );
    }
}

/// A temporary directory removed on drop (kept when the environment variable
/// `CTFILTER_TEST_KEEP_TMP` is set, to debug a failure).
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path =
            std::env::temp_dir().join(format!("ctfilter-test-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `<dir>/<name>` as a string, for command lines.
    pub fn file(&self, name: &str) -> String {
        self.path.join(name).to_string_lossy().into_owned()
    }

    /// Write `<dir>/<name>` and return its path as a string.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> String {
        let path = self.path.join(name);
        std::fs::write(&path, bytes).expect("write temp file");
        path.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("CTFILTER_TEST_KEEP_TMP").is_some() {
            notice(&format!(
                "CTFILTER_TEST_KEEP_TMP: keeping {}",
                self.path.display()
            ));
            return;
        }
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Decode standard base64 (with padding), for `raw_base64` dead letters.
pub fn base64_decode(text: &str) -> Vec<u8> {
    fn val(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c:?}"),
        }
    }
    let bytes: Vec<u8> = text.bytes().filter(|&c| c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c) << (18 - 6 * i);
        }
        out.push((n >> 16) as u8);
        if chunk.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if chunk.len() > 3 {
            out.push(n as u8);
        }
    }
    out
}

/// The raw bytes of a dead-letter entry (`raw`, or decoded `raw_base64`).
pub fn dead_letter_raw(entry: &Value) -> Vec<u8> {
    if let Some(raw) = entry.get("raw").and_then(Value::as_str) {
        return raw.as_bytes().to_vec();
    }
    match entry.get("raw_base64").and_then(Value::as_str) {
        Some(b64) => base64_decode(b64),
        None => panic!("dead letter has neither raw nor raw_base64: {entry}"),
    }
}

/// Parse a dead-letter NDJSON file.
pub fn dead_letters(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    records(&text)
}

/// A small deterministic PRNG (xorshift64*), so property tests need no crate
/// and every failure reproduces.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// True with probability `percent`%.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Apply `edit` to a JSON record line and return the compact result.
pub fn edit_record(line: &str, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut value: Value = serde_json::from_str(line).expect("fixture record is JSON");
    edit(value.as_object_mut().expect("record is an object"));
    serde_json::to_string(&value).unwrap()
}

/// The lines of fixtures/records.ndjson, by requestID (`req-0001`...) or, for
/// the Insights record, `insight`.
pub fn record_line(id: &str) -> String {
    let lines = fixture_lines("records.ndjson");
    let needle = if id == "insight" {
        "\"eventType\":\"AwsCloudTrailInsight\"".to_string()
    } else {
        format!("\"requestID\":\"{id}\"")
    };
    lines
        .into_iter()
        .find(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no record {id} in fixtures/records.ndjson"))
}
