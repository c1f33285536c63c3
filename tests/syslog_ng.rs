//! syslog-ng, for real: a private `syslog-ng -F` follows a file with a
//! `file()` source (`flags(no-parse)`: each line is the message, untouched)
//! and feeds every line to ctfilter through a `program()` destination, whose
//! shell command sends ctfilter's stdout to a file. This is the
//! configuration documented in `docs/integrations/syslog-ng.md`, with paths
//! in a temporary directory.
//!
//! It checks what a user relies on: enriched records come out while
//! syslog-ng keeps the pipe open (idle flush), noise is dropped, bad lines go
//! to the dead-letter file, a syslog-ng reload (HUP) restarts ctfilter
//! without losing or repeating records, and stopping syslog-ng stops
//! ctfilter.
//!
//! syslog-ng is not a Rust dependency: `.ci/run` installs it (Debian package
//! `syslog-ng-core`). Without it this test prints `skipping: syslog-ng not
//! installed` and passes. Set `CTFILTER_TEST_KEEP_TMP=1` to keep the
//! configuration and the files syslog-ng wrote.

#[path = "util/mod.rs"]
mod util;

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use util::*;

/// How long any one step may take before the test fails.
const STEP: Duration = Duration::from_secs(10);

fn find_syslog_ng() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CTFILTER_SYSLOG_NG") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|dir| dir.join("syslog-ng"))
        .find(|candidate| candidate.is_file())
}

/// A running syslog-ng, stopped (TERM, then KILL) when dropped.
struct SyslogNg {
    child: Child,
    dir: PathBuf,
}

impl SyslogNg {
    fn start(syslog_ng: &Path, dir: &Path) -> SyslogNg {
        let child = Command::new(syslog_ng)
            .arg("-F")
            .arg("-e")
            .arg("--no-caps")
            .arg("-f")
            .arg(dir.join("syslog-ng.conf"))
            .arg("-R")
            .arg(dir.join("syslog-ng.persist"))
            .arg("-p")
            .arg(dir.join("syslog-ng.pid"))
            .arg("-c")
            .arg(dir.join("syslog-ng.ctl"))
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.join("syslog-ng.stdout")).unwrap())
            .stderr(std::fs::File::create(dir.join("syslog-ng.stderr")).unwrap())
            .spawn()
            .expect("start syslog-ng");
        SyslogNg {
            child,
            dir: dir.to_path_buf(),
        }
    }

    /// Everything syslog-ng and ctfilter said, for failure messages.
    fn diagnostics(&self) -> String {
        let mut text = String::new();
        for name in [
            "syslog-ng.stdout",
            "syslog-ng.stderr",
            "ctfilter.stderr",
            "out.ndjson",
        ] {
            let body = std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
            text.push_str(&format!("--- {name}:\n{}\n", truncate(&body, 3000)));
        }
        text
    }

    /// Wait until `out.ndjson` satisfies `done`; fail with diagnostics after STEP.
    #[track_caller]
    fn wait_for_output(&mut self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + STEP;
        loop {
            let out = std::fs::read_to_string(self.dir.join("out.ndjson")).unwrap_or_default();
            if done(&out) {
                return out;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "syslog-ng exited ({status}) while waiting for {what}\n{}",
                    self.diagnostics()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "no {what} from syslog-ng+ctfilter within {STEP:?}\n{}",
                    self.diagnostics()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn signal(&self, name: &str) {
        let _ = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status();
    }
}

impl Drop for SyslogNg {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.signal("TERM");
            if wait_with_deadline(&mut self.child, STEP).is_none() {
                notice("syslog-ng did not stop on TERM; killed it");
            }
        }
    }
}

/// Processes whose command line contains `needle` (our ctfilter children).
fn processes_with(needle: &str) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|cmd| String::from_utf8_lossy(&cmd).contains(needle))
                .unwrap_or(false)
        })
        .collect()
}

/// Wait until exactly one process matches `needle` and is not in `not`.
#[track_caller]
fn one_process(needle: &str, not: &[u32], ng: &SyslogNg) -> u32 {
    let deadline = Instant::now() + STEP;
    loop {
        let found: Vec<u32> = processes_with(needle)
            .into_iter()
            .filter(|p| !not.contains(p))
            .collect();
        if found.len() == 1 {
            return found[0];
        }
        if Instant::now() >= deadline {
            panic!(
                "expected one new ctfilter, found {found:?} (old {not:?})\n{}",
                ng.diagnostics()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn append(path: &Path, lines: &[String]) {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .unwrap();
    for line in lines {
        writeln!(file, "{line}").unwrap();
    }
    file.flush().unwrap();
}

fn has_request(out: &str, id: &str) -> bool {
    out.contains(&format!("\"requestID\":\"{id}\""))
}

#[test]
fn syslog_ng_program_destination_runs_ctfilter_over_a_file_source() {
    let Some(syslog_ng) = find_syslog_ng() else {
        notice("skipping: syslog-ng not installed");
        return;
    };
    let tmp = TempDir::new("syslog-ng");
    let dir = tmp.path().to_path_buf();
    let rules = root().join("fixtures/rules/test-rules.yml");
    let paths = [
        bin().to_string(),
        dir.display().to_string(),
        rules.display().to_string(),
    ];
    if paths
        .iter()
        .any(|p| p.contains(|c: char| c.is_whitespace() || "\"'\\$`".contains(c)))
    {
        notice("skipping: a path has a space or a shell character, which program() cannot carry");
        return;
    }
    let input = dir.join("cloudtrail.ndjson");
    let dead = dir.join("dead.ndjson");

    // The documented configuration, with private paths and no system sources.
    let conf = format!(
        r#"@version: 3.38
options {{ log-msg-size(4194304); stats-freq(0); }};

source s_cloudtrail {{
  file("{input}" flags(no-parse) log-msg-size(4194304) follow-freq(0.2));
}};

destination d_ctfilter {{
  program("exec {bin} --no-default-rules -r {rules} --now {now} --dead-letter {dead} >> {dir}/out.ndjson 2>> {dir}/ctfilter.stderr"
          template("${{MSG}}\n"));
}};

log {{ source(s_cloudtrail); destination(d_ctfilter); }};
"#,
        dir = dir.display(),
        input = input.display(),
        bin = bin(),
        rules = rules.display(),
        now = NOW,
        dead = dead.display(),
    );
    std::fs::write(dir.join("syslog-ng.conf"), &conf).unwrap();

    let check = Command::new(&syslog_ng)
        .arg("--syntax-only")
        .arg("-f")
        .arg(dir.join("syslog-ng.conf"))
        .stdin(Stdio::null())
        .output()
        .expect("run syslog-ng --syntax-only");
    assert!(
        check.status.success(),
        "syslog-ng --syntax-only rejects the configuration:\n{}{}\n{conf}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    // Before syslog-ng starts: a StopLogging record, a noise record the test
    // rules drop, a broken line, and a Fluent Bit-wrapped record.
    let bad_line = r#"{"eventName":"StopLogging","eventSource":"#.to_string();
    append(
        &input,
        &[
            record_line("req-0001"),
            record_line("req-0007"),
            bad_line.clone(),
            fixture_lines("fluentbit-wrapped.ndjson")[0].clone(),
        ],
    );

    let started = Instant::now();
    let mut ng = SyslogNg::start(&syslog_ng, &dir);
    ng.wait_for_output("records from the file's first lines", |out| {
        has_request(out, "req-0001") && has_request(out, "req-0004")
    });
    let needle = dead.display().to_string();
    let first = one_process(&needle, &[], &ng);

    // While syslog-ng keeps ctfilter's stdin open, a new line comes out at
    // once: ctfilter flushes when its input goes idle.
    append(&input, &[record_line("req-0003"), record_line("req-0008")]);
    ng.wait_for_output("a record appended while running", |out| {
        has_request(out, "req-0003")
    });

    // A reload (HUP) restarts program() destinations: a new ctfilter, with
    // freshly read rules, carries on where the file source stopped.
    ng.signal("HUP");
    let second = one_process(&needle, &[first], &ng);
    append(&input, &[record_line("req-0006")]);
    ng.wait_for_output("a record after the reload", |out| {
        has_request(out, "req-0006")
    });

    // Stopping syslog-ng closes ctfilter's stdin; ctfilter exits.
    ng.signal("TERM");
    let status = wait_with_deadline(&mut ng.child, STEP)
        .unwrap_or_else(|| panic!("syslog-ng did not stop on TERM\n{}", ng.diagnostics()));
    assert!(
        status.success(),
        "syslog-ng exit status {status}\n{}",
        ng.diagnostics()
    );
    let deadline = Instant::now() + STEP;
    while !processes_with(&needle).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let left = processes_with(&needle);
    for pid in &left {
        let _ = Command::new("kill")
            .arg("-KILL")
            .arg(pid.to_string())
            .status();
    }
    assert!(
        left.is_empty(),
        "ctfilter outlived syslog-ng: pids {left:?} (started {first}, {second})"
    );

    let out = std::fs::read_to_string(dir.join("out.ndjson")).unwrap();
    let records: Vec<Value> = records(&out);
    assert_eq!(
        ids(&records),
        ["req-0001", "req-0004", "req-0003", "req-0006"],
        "kept records, in input order, none twice\n{}",
        ng.diagnostics()
    );
    for record in &records {
        assert!(
            record["ctfilter"]["severity"].is_string(),
            "no ctfilter verdict: {record}"
        );
    }
    assert_eq!(records[0]["eventName"], "StopLogging");
    assert_eq!(records[0]["ctfilter"]["severity"], "critical");
    assert_eq!(records[0]["ctfilter"]["latency_s"], 300.0);
    assert_eq!(records[1]["ctfilter"]["severity"], "medium");
    assert_eq!(records[2]["ctfilter"]["severity"], "high");
    assert!(
        !has_request(&out, "req-0007") && !has_request(&out, "req-0008"),
        "noise records must be dropped"
    );
    let stderr = std::fs::read_to_string(dir.join("ctfilter.stderr")).unwrap_or_default();
    assert!(stderr.trim().is_empty(), "ctfilter said: {stderr}");

    let dead = dead_letters(&dead.display().to_string());
    assert_eq!(dead.len(), 1, "one dead letter: {dead:?}");
    assert_eq!(dead[0]["kind"], "truncated", "{}", dead[0]);
    assert_eq!(dead[0]["raw"], bad_line.as_str());

    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(30), "took {elapsed:?}");
}
