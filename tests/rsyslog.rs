//! rsyslog, for real: a private `rsyslogd -n` tails a file with `imfile` and
//! feeds every line to ctfilter through `omprog`; omprog's `output=` file
//! captures ctfilter's stdout. This is the configuration documented in
//! `docs/integrations/rsyslog.md`, with paths in a temporary directory.
//!
//! It checks what a user relies on: enriched records come out while rsyslog
//! keeps the pipe open (idle flush), noise is dropped, bad lines go to the
//! dead-letter file, rsyslog's HUP reaches ctfilter (`hup.signal`), and
//! stopping rsyslog stops ctfilter.
//!
//! rsyslogd is not a Rust dependency: `.ci/run` installs it (Debian package
//! `rsyslog`). Without it this test prints `skipping: rsyslogd not installed`
//! and passes. Set `CTFILTER_TEST_KEEP_TMP=1` to keep the configuration and
//! the files rsyslog wrote.

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

fn find_rsyslogd() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CTFILTER_RSYSLOGD") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/local/sbin"].map(PathBuf::from))
        .map(|dir| dir.join("rsyslogd"))
        .find(|candidate| candidate.is_file())
}

/// A running rsyslogd, stopped (TERM, then KILL) when dropped.
struct Rsyslogd {
    child: Child,
    dir: PathBuf,
}

impl Rsyslogd {
    fn start(rsyslogd: &Path, dir: &Path) -> Rsyslogd {
        let child = Command::new(rsyslogd)
            .arg("-n")
            .arg("-f")
            .arg(dir.join("rsyslog.conf"))
            .arg("-i")
            .arg(dir.join("rsyslogd.pid"))
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.join("rsyslogd.stdout")).unwrap())
            .stderr(std::fs::File::create(dir.join("rsyslogd.stderr")).unwrap())
            .spawn()
            .expect("start rsyslogd");
        Rsyslogd {
            child,
            dir: dir.to_path_buf(),
        }
    }

    /// Everything rsyslog said, for failure messages.
    fn diagnostics(&self) -> String {
        let mut text = String::new();
        for name in [
            "rsyslogd.stdout",
            "rsyslogd.stderr",
            "rsyslog-internal.log",
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
                    "rsyslogd exited ({status}) while waiting for {what}\n{}",
                    self.diagnostics()
                );
            }
            if Instant::now() >= deadline {
                panic!(
                    "no {what} from rsyslog+ctfilter within {STEP:?}\n{}",
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

impl Drop for Rsyslogd {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.signal("TERM");
            if wait_with_deadline(&mut self.child, STEP).is_none() {
                notice("rsyslogd did not stop on TERM; killed it");
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

/// The JSON records of omprog's output file. With `confirmMessages` off,
/// omprog writes the program's stderr there too: ctfilter's own log lines
/// start with `ctfilter: ` and are returned separately.
fn split_output(out: &str) -> (Vec<Value>, Vec<String>) {
    let mut records = Vec::new();
    let mut logs = Vec::new();
    for line in out.lines() {
        if line.starts_with("ctfilter: ") {
            logs.push(line.to_string());
        } else {
            let value: Value = serde_json::from_str(line).unwrap_or_else(|e| {
                panic!(
                    "omprog output line is not JSON ({e}): {}",
                    truncate(line, 300)
                )
            });
            records.push(value);
        }
    }
    (records, logs)
}

fn has_request(out: &str, id: &str) -> bool {
    out.contains(&format!("\"requestID\":\"{id}\""))
}

#[test]
fn rsyslog_omprog_runs_ctfilter_over_an_imfile_input() {
    let Some(rsyslogd) = find_rsyslogd() else {
        notice("skipping: rsyslogd not installed");
        return;
    };
    let tmp = TempDir::new("rsyslog");
    let dir = tmp.path().to_path_buf();
    let rules = root().join("fixtures/rules/test-rules.yml");
    let paths = [
        bin().to_string(),
        dir.display().to_string(),
        rules.display().to_string(),
    ];
    if paths
        .iter()
        .any(|p| p.contains(|c: char| c.is_whitespace() || c == '"'))
    {
        notice("skipping: a path has a space or a quote, which omprog's binary= cannot carry");
        return;
    }
    std::fs::create_dir_all(dir.join("work")).unwrap();
    let input = dir.join("cloudtrail.ndjson");
    let dead = dir.join("dead.ndjson");

    // The documented configuration, with private paths and no system inputs
    // (no imuxsock, no imklog): only the file below is read.
    let conf = format!(
        r#"global(workDirectory="{dir}/work" maxMessageSize="4m")
module(load="imfile")
module(load="omprog")

template(name="ctfilter_line" type="string" string="%msg%\n")

input(type="imfile" file="{input}" tag="cloudtrail" ruleset="cloudtrail")

ruleset(name="cloudtrail") {{
  action(type="omprog"
         name="ctfilter"
         binary="{bin} --no-default-rules -r {rules} --now {now} --dead-letter {dead}"
         template="ctfilter_line"
         output="{dir}/out.ndjson"
         forceSingleInstance="on"
         hup.signal="HUP")
}}

# rsyslog's own messages, for diagnostics only.
*.* action(type="omfile" file="{dir}/rsyslog-internal.log")
"#,
        dir = dir.display(),
        input = input.display(),
        bin = bin(),
        rules = rules.display(),
        now = NOW,
        dead = dead.display(),
    );
    std::fs::write(dir.join("rsyslog.conf"), &conf).unwrap();

    let check = Command::new(&rsyslogd)
        .arg("-N1")
        .arg("-f")
        .arg(dir.join("rsyslog.conf"))
        .stdin(Stdio::null())
        .output()
        .expect("run rsyslogd -N1");
    assert!(
        check.status.success(),
        "rsyslogd -N1 rejects the configuration:\n{}{}\n{conf}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    // Before rsyslog starts: a StopLogging record, a noise record the test
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
    let mut rsyslog = Rsyslogd::start(&rsyslogd, &dir);
    rsyslog.wait_for_output("records from the file's first lines", |out| {
        has_request(out, "req-0001") && has_request(out, "req-0004")
    });

    // While rsyslog keeps ctfilter's stdin open, a new line comes out at once:
    // ctfilter flushes when its input goes idle.
    append(&input, &[record_line("req-0003"), record_line("req-0008")]);
    rsyslog.wait_for_output("a record appended while running", |out| {
        has_request(out, "req-0003")
    });

    // rsyslog forwards its HUP to ctfilter (hup.signal="HUP"): rules reload.
    rsyslog.signal("HUP");
    rsyslog.wait_for_output("ctfilter's SIGHUP reload message", |out| {
        out.contains("ctfilter: SIGHUP: reloaded")
    });

    // Stopping rsyslog closes ctfilter's stdin; ctfilter exits.
    rsyslog.signal("TERM");
    let status = wait_with_deadline(&mut rsyslog.child, STEP)
        .unwrap_or_else(|| panic!("rsyslogd did not stop on TERM\n{}", rsyslog.diagnostics()));
    assert!(
        status.success(),
        "rsyslogd exit status {status}\n{}",
        rsyslog.diagnostics()
    );
    let needle = dead.display().to_string();
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
    assert!(left.is_empty(), "ctfilter outlived rsyslogd: pids {left:?}");

    let out = std::fs::read_to_string(dir.join("out.ndjson")).unwrap();
    let (records, logs) = split_output(&out);
    assert_eq!(
        ids(&records),
        ["req-0001", "req-0004", "req-0003"],
        "kept records, in input order\n{}",
        rsyslog.diagnostics()
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
    assert!(
        logs.iter().all(|l| l.contains("SIGHUP")),
        "unexpected ctfilter log lines: {logs:?}"
    );

    let dead = dead_letters(&dead.display().to_string());
    assert_eq!(dead.len(), 1, "one dead letter: {dead:?}");
    assert_eq!(dead[0]["kind"], "truncated", "{}", dead[0]);
    assert_eq!(dead[0]["raw"], bad_line.as_str());

    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
}
