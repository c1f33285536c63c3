//! Periodic metrics: the `--stats-interval` JSON line and the
//! `--metrics-file` Prometheus text, both from one [`Stats`] snapshot.
//!
//! Guarantees: the counters are those of `--stats` (same names and
//! meanings); the Prometheus text follows the text exposition format
//! (`# HELP` and `# TYPE` before each family, one `name{labels} value` per
//! sample, a final newline), so node_exporter's textfile collector reads it;
//! [`write_atomically`] replaces the file whole, so a reader never sees half
//! of it. With `--state` or `--dedupe`, both also carry the state's size,
//! cap, memory, learning end, evictions, expiry and duplicates dropped.

use crate::engine::Stage;
use crate::input::origin::Shape;
use crate::model::severity::Severity;
use crate::output::stats::{BadKind, Stats};
use serde_json::json;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// Counters at one moment, with what rates and lag need.
pub struct Snapshot<'a> {
    pub stats: &'a Stats,
    /// Seconds since the run started.
    pub elapsed: f64,
    /// Seconds since the previous snapshot, and its `read` and `bytes`.
    pub interval: f64,
    pub previous: (u64, u64),
    /// Now, in seconds since the epoch (for the lag).
    pub now: f64,
}

impl Snapshot<'_> {
    /// now − the newest eventTime read, when one was.
    pub fn lag(&self) -> Option<f64> {
        self.stats.newest_event_epoch().map(|t| self.now - t)
    }

    /// The `--stats-interval` line: `{"ctfilter_metrics": {...}}`, with the
    /// `--stats` counters under `counters`.
    pub fn to_json_line(&self) -> String {
        let s = self.stats;
        let per = |n: u64, secs: f64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let records = s.read.saturating_sub(self.previous.0);
        let bytes = s.bytes.saturating_sub(self.previous.1);
        let line = json!({
            "ctfilter_metrics": {
                "elapsed_s": round3(self.elapsed),
                "interval": {
                    "seconds": round3(self.interval),
                    "records": records,
                    "bytes": bytes,
                    "records_per_s": round3(per(records, self.interval)),
                    "bytes_per_s": round3(per(bytes, self.interval)),
                },
                "overall": {
                    "records_per_s": round3(per(s.read, self.elapsed)),
                    "bytes_per_s": round3(per(s.bytes, self.elapsed)),
                },
                "lag_s": self.lag().map(round3),
                "counters": s.to_json(),
            }
        });
        let mut line = line;
        if let Some(state) = &s.state {
            line["ctfilter_metrics"]["state"] = state.to_json();
        }
        line.to_string()
    }

    /// The Prometheus text exposition of the counters.
    pub fn to_prometheus(&self) -> String {
        let s = self.stats;
        let mut out = String::with_capacity(4096);
        let mut family = |name: &str, kind: &str, help: &str, samples: &[(String, f64)]| {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(out, "{name}{labels} {}", number(*value));
            }
        };
        let one = |v: u64| vec![(String::new(), v as f64)];
        let by = |label: &str, names: &[&str], values: &[u64]| -> Samples {
            names
                .iter()
                .zip(values)
                .map(|(n, v)| (format!("{{{label}=\"{n}\"}}"), *v as f64))
                .collect()
        };
        let counters: [(&str, &str, Samples); 11] = [
            (
                "ctfilter_lines_total",
                "Input lines read (streamed and pretty documents count once).",
                one(s.lines),
            ),
            (
                "ctfilter_bytes_total",
                "Input bytes read (after decompression).",
                one(s.bytes),
            ),
            (
                "ctfilter_blank_lines_total",
                "Blank input lines (not units).",
                one(s.blank_lines),
            ),
            (
                "ctfilter_units_total",
                "Units read: records, bad inputs and skipped items.",
                one(s.read),
            ),
            (
                "ctfilter_records_total",
                "Records read, by the shape they arrived in.",
                by("shape", &Shape::ALL.map(Shape::as_str), &s.shapes),
            ),
            (
                "ctfilter_emitted_total",
                "Records written, by severity (bad inputs passed through are in ctfilter_passed_bad_total).",
                by("severity", &Severity::ALL.map(Severity::as_str), &s.severities),
            ),
            (
                "ctfilter_filtered_total",
                "Records dropped, by the first stage that dropped them.",
                by("stage", &Stage::ALL.map(Stage::as_str), &s.filtered),
            ),
            (
                "ctfilter_dead_letters_total",
                "Bad inputs, by kind (dead-lettered, or passed through with --on-error pass).",
                by("kind", &BadKind::ALL.map(BadKind::as_str), &s.bad),
            ),
            (
                "ctfilter_dead_lettered_total",
                "Bad inputs written to the dead-letter sink.",
                one(s.dead_lettered),
            ),
            (
                "ctfilter_passed_bad_total",
                "Bad inputs passed through unchanged with --on-error pass.",
                one(s.passed_bad),
            ),
            (
                "ctfilter_skipped_total",
                "Items skipped, by kind.",
                by(
                    "kind",
                    &["digest", "control_message"],
                    &[s.skipped_digest, s.skipped_control],
                ),
            ),
        ];
        for (name, help, samples) in &counters {
            family(name, "counter", help, samples);
        }
        if let Some(newest) = s.newest_event_epoch() {
            family(
                "ctfilter_newest_event_timestamp_seconds",
                "gauge",
                "The newest eventTime read, in seconds since the epoch.",
                &[(String::new(), newest)],
            );
            family(
                "ctfilter_lag_seconds",
                "gauge",
                "Now minus the newest eventTime read.",
                &[(String::new(), round3(self.now - newest))],
            );
        }
        if let Some(state) = &s.state {
            for (name, kind, help, samples) in state_families(state) {
                family(name, kind, help, &samples);
            }
        }
        family(
            "ctfilter_uptime_seconds",
            "gauge",
            "Seconds since ctfilter started.",
            &[(String::new(), round3(self.elapsed))],
        );
        family(
            "ctfilter_last_update_timestamp_seconds",
            "gauge",
            "When this file was written, in seconds since the epoch.",
            &[(String::new(), round3(self.now))],
        );
        out
    }
}

/// A family's samples: `({labels}, value)`.
type Samples = Vec<(String, f64)>;

/// The `--state`/`--dedupe` families: size, cap, memory, learning end,
/// evictions, expiry, future stamps and duplicates dropped.
fn state_families(
    f: &crate::output::stats::StateFigures,
) -> Vec<(&'static str, &'static str, &'static str, Samples)> {
    let s = &f.state;
    let one = |v: f64| vec![(String::new(), v)];
    let tables = |a: u64, b: u64| {
        vec![
            ("{table=\"first_seen\"}".to_string(), a as f64),
            ("{table=\"dedupe\"}".to_string(), b as f64),
        ]
    };
    let mut out = vec![
        (
            "ctfilter_state_entries",
            "gauge",
            "Entries in the state, by table.",
            tables(s.entries as u64, s.dedupe_entries as u64),
        ),
        (
            "ctfilter_state_max_entries",
            "gauge",
            "The cap of each table (--state-max-entries).",
            one(f.max_entries as f64),
        ),
        (
            "ctfilter_state_memory_bytes",
            "gauge",
            "Heap bytes held by the state's tables.",
            one(s.memory_bytes as f64),
        ),
        (
            "ctfilter_state_evictions_total",
            "counter",
            "Entries evicted by the cap (least recently seen first), by table.",
            tables(s.evicted, s.dedupe_evicted),
        ),
        (
            "ctfilter_state_expired_total",
            "counter",
            "First-seen entries dropped because their window had passed.",
            one(s.expired as f64),
        ),
        (
            "ctfilter_state_future_total",
            "counter",
            "Records whose eventTime was too far past the wall clock to count.",
            one(f.future as f64),
        ),
        (
            "ctfilter_deduplicated_total",
            "counter",
            "Records dropped by --dedupe as repeats of an eventID.",
            one(s.duplicates as f64),
        ),
    ];
    if let Some(end) = s.learning_ends {
        out.push((
            "ctfilter_state_learning_end_timestamp_seconds",
            "gauge",
            "When first-seen learning ends, in event time (seconds since the epoch).",
            one(end.unix() as f64),
        ));
    }
    out
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A sample value: integers without a fraction, as Prometheus writes them.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Replace `path` with `text` whole: write a temporary file in the same
/// directory, fsync it, and rename it over `path`.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A leading dot and no .prom suffix: the textfile collector skips it.
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Stats {
        let mut stats = Stats {
            lines: 10,
            bytes: 5000,
            read: 8,
            emitted: 3,
            ..Stats::default()
        };
        stats.severities[Severity::High as usize] = 3;
        stats.filtered[Stage::Events as usize] = 4;
        stats.bad[BadKind::InvalidJson as usize] = 1;
        stats.dead_lettered = 1;
        stats.shapes[Shape::Bare as usize] = 7;
        stats.saw_event_time("2026-01-15T10:00:00Z");
        stats
    }

    fn snapshot(stats: &Stats, elapsed: f64, previous: (u64, u64), now: f64) -> Snapshot<'_> {
        Snapshot {
            stats,
            elapsed,
            interval: elapsed / 2.0,
            previous,
            now,
        }
    }

    #[test]
    fn prometheus_text_has_help_type_and_one_sample_per_line() {
        let stats = sample();
        let now = crate::output::enrich::parse_time("2026-01-15T10:05:00Z").unwrap();
        let snap = snapshot(&stats, 2.0, (0, 0), now);
        let text = snap.to_prometheus();
        assert!(text.ends_with('\n'));
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (name, value) = line.rsplit_once(' ').unwrap();
            assert!(value.parse::<f64>().is_ok(), "{line}");
            assert!(name.starts_with("ctfilter_"), "{line}");
        }
        assert!(text.contains("ctfilter_bytes_total 5000\n"));
        assert!(text.contains("ctfilter_emitted_total{severity=\"high\"} 3\n"));
        assert!(text.contains("ctfilter_filtered_total{stage=\"events\"} 4\n"));
        assert!(text.contains("ctfilter_dead_letters_total{kind=\"invalid_json\"} 1\n"));
        assert!(text.contains("ctfilter_records_total{shape=\"bare\"} 7\n"));
        assert!(text.contains("ctfilter_lag_seconds 300\n"));
        assert!(text.contains("# TYPE ctfilter_lag_seconds gauge\n"));
    }

    #[test]
    fn json_line_has_rates_and_the_stats_counters() {
        let stats = sample();
        let snap = snapshot(&stats, 4.0, (4, 1000), 0.0);
        let line: serde_json::Value = serde_json::from_str(&snap.to_json_line()).unwrap();
        let m = &line["ctfilter_metrics"];
        assert_eq!(m["interval"]["records"], 4);
        assert_eq!(m["interval"]["records_per_s"], 2.0);
        assert_eq!(m["interval"]["bytes_per_s"], 2000.0);
        assert_eq!(m["overall"]["bytes_per_s"], 1250.0);
        assert_eq!(m["counters"], stats.to_json());
    }

    #[test]
    fn state_figures_appear_in_both_only_with_state() {
        let mut stats = sample();
        let plain = snapshot(&stats, 2.0, (0, 0), 0.0);
        assert!(!plain.to_prometheus().contains("ctfilter_state_"));
        assert!(!plain.to_json_line().contains("\"state\""));
        let mut state = crate::engine::state::Stats {
            entries: 5,
            dedupe_entries: 7,
            created: None,
            learning_ends: crate::engine::state::Time::parse("2026-01-11T01:00:00Z").ok(),
            first_seen: Default::default(),
            evicted: 2,
            expired: 1,
            duplicates: 3,
            dedupe_evicted: 4,
            memory_bytes: 4096,
        };
        state.first_seen.new = 1;
        stats.state = Some(crate::output::stats::StateFigures {
            state,
            max_entries: 10,
            future: 6,
        });
        let snap = snapshot(&stats, 2.0, (0, 0), 0.0);
        let text = snap.to_prometheus();
        for sample in [
            "ctfilter_state_entries{table=\"first_seen\"} 5\n",
            "ctfilter_state_entries{table=\"dedupe\"} 7\n",
            "ctfilter_state_max_entries 10\n",
            "ctfilter_state_memory_bytes 4096\n",
            "ctfilter_state_evictions_total{table=\"first_seen\"} 2\n",
            "ctfilter_state_evictions_total{table=\"dedupe\"} 4\n",
            "ctfilter_state_expired_total 1\n",
            "ctfilter_state_future_total 6\n",
            "ctfilter_deduplicated_total 3\n",
            "ctfilter_state_learning_end_timestamp_seconds 1768093200\n",
            "# TYPE ctfilter_state_entries gauge\n",
        ] {
            assert!(text.contains(sample), "{sample} in\n{text}");
        }
        let line: serde_json::Value = serde_json::from_str(&snap.to_json_line()).unwrap();
        let m = &line["ctfilter_metrics"]["state"];
        assert_eq!(m["entries"], 5);
        assert_eq!(m["deduplicated"], 3);
        assert_eq!(m["learning_ends"], "2026-01-11T01:00:00Z");
        assert_eq!(m["memory_bytes"], 4096);
    }

    #[test]
    fn atomic_write_replaces_the_file() {
        let dir = std::env::temp_dir().join(format!("ctfilter-metrics-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("m.prom");
        write_atomically(&path, "a 1\n").unwrap();
        write_atomically(&path, "a 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a 2\n");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "no temp file left"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
