//! Watching a long run: the `--stats-interval` line, the `--metrics-file`
//! Prometheus file, and the progress bar on a terminal.
//!
//! Guarantees:
//! - nothing here runs per record: the driver calls [`Watch::poll`] once per
//!   input message (a chunk of up to 512 KiB) and when a wait for input times
//!   out, so a quiet pipe still gets its line every interval;
//! - the numbers are those of `--stats` at that moment: with `--threads`,
//!   everything the writer has written so far, in input order;
//! - the metrics file is replaced atomically, and written once more at exit
//!   with the final counters;
//! - a metrics line or file that cannot be written is reported once and the
//!   run goes on.

use crate::input::source::Msg;
use crate::output::metrics::{write_atomically, Snapshot};
use crate::output::stats::Stats;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the flags asked for.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// `--stats-interval`; 10 s when only a file was given.
    pub interval: Option<Duration>,
    /// `--stats-file`: the line goes here instead of stderr.
    pub stats_file: Option<PathBuf>,
    /// `--metrics-file`.
    pub metrics_file: Option<PathBuf>,
    /// Show the progress bar (decided by the flags and the terminal).
    pub progress: bool,
}

/// The interval when `--stats-file` or `--metrics-file` is given alone.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

enum LineTo {
    Stderr,
    File(std::fs::File, PathBuf),
}

struct Periodic {
    every: Duration,
    next: Instant,
    last: Instant,
    previous: (u64, u64),
    line: Option<LineTo>,
    metrics: Option<PathBuf>,
    warned: bool,
}

pub struct Watch {
    start: Instant,
    periodic: Option<Periodic>,
    progress: Option<Progress>,
}

impl Watch {
    /// Open what the settings name; `Err` (a usage error) before any input.
    /// `sizes` are the input files' sizes, `raw_read` the reader's count of
    /// bytes read from them (before decompression).
    pub fn new(
        settings: &Settings,
        sizes: Vec<u64>,
        raw_read: Arc<AtomicU64>,
    ) -> Result<Watch, String> {
        let start = Instant::now();
        let wants_line = settings.interval.is_some() || settings.stats_file.is_some();
        let periodic = if wants_line || settings.metrics_file.is_some() {
            let every = settings.interval.unwrap_or(DEFAULT_INTERVAL);
            let line = match (&settings.stats_file, wants_line) {
                (_, false) => None,
                (None, true) => Some(LineTo::Stderr),
                (Some(path), true) => Some(LineTo::File(
                    std::fs::OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(path)
                        .map_err(|e| format!("cannot open stats file {}: {e}", path.display()))?,
                    path.clone(),
                )),
            };
            let periodic = Periodic {
                every,
                next: start + every,
                last: start,
                previous: (0, 0),
                line,
                metrics: settings.metrics_file.clone(),
                warned: false,
            };
            if let Some(path) = &periodic.metrics {
                // The first file, with zeros: a bad path is a usage error.
                let text = periodic
                    .snapshot(&Stats::default(), 0.0, start)
                    .to_prometheus();
                write_atomically(path, &text)
                    .map_err(|e| format!("cannot write metrics file {}: {e}", path.display()))?;
            }
            Some(periodic)
        } else {
            None
        };
        let progress = settings
            .progress
            .then(|| Progress::new(sizes, raw_read, start));
        Ok(Watch {
            start,
            periodic,
            progress,
        })
    }

    /// An input message is about to be handled.
    pub fn message(&mut self, msg: &Msg) {
        if let (Some(progress), Msg::End(_) | Msg::Error(..)) = (&mut self.progress, msg) {
            progress.files_done += 1;
        }
    }

    /// How long input may be waited for before [`Watch::poll`] is due;
    /// `None`: wait as long as it takes.
    pub fn wait(&self, now: Instant) -> Option<Duration> {
        let periodic = self.periodic.as_ref().map(|p| p.next);
        let progress = self.progress.as_ref().map(|p| p.next);
        let next = periodic.into_iter().chain(progress).min()?;
        Some(next.saturating_duration_since(now))
    }

    /// Check the clock; write what is due, with `stats` read only then.
    pub fn poll(&mut self, stats: &dyn Fn() -> Stats) {
        if self.periodic.is_none() && self.progress.is_none() {
            return;
        }
        let now = Instant::now();
        let periodic_due = self.periodic.as_ref().is_some_and(|p| now >= p.next);
        let progress_due = self.progress.as_ref().is_some_and(|p| now >= p.next);
        if !periodic_due && !progress_due {
            return;
        }
        let stats = stats();
        if let (true, Some(progress)) = (progress_due, &mut self.progress) {
            progress.update(&stats, now);
        }
        if let (true, Some(periodic)) = (periodic_due, &mut self.periodic) {
            let elapsed = now.duration_since(self.start).as_secs_f64();
            periodic.report(&stats, elapsed, now);
        }
    }

    /// The run is over: clear the bar, write the final metrics file.
    pub fn finish(&mut self, stats: &Stats) {
        if let Some(progress) = self.progress.take() {
            progress.bar.finish_and_clear();
        }
        let elapsed = self.start.elapsed().as_secs_f64();
        if let Some(periodic) = &mut self.periodic {
            if let Some(path) = &periodic.metrics {
                let text = periodic
                    .snapshot(stats, elapsed, Instant::now())
                    .to_prometheus();
                if let Err(e) = write_atomically(path, &text) {
                    eprintln!(
                        "ctfilter: cannot write metrics file {}: {e}",
                        path.display()
                    );
                }
            }
        }
    }
}

impl Periodic {
    fn snapshot<'a>(&self, stats: &'a Stats, elapsed: f64, now: Instant) -> Snapshot<'a> {
        Snapshot {
            stats,
            elapsed,
            interval: now.duration_since(self.last).as_secs_f64(),
            previous: self.previous,
            now: crate::output::enrich::now_epoch(),
        }
    }

    fn report(&mut self, stats: &Stats, elapsed: f64, now: Instant) {
        let snapshot = self.snapshot(stats, elapsed, now);
        let mut failure = None;
        if let Some(line) = &mut self.line {
            let text = snapshot.to_json_line();
            match line {
                LineTo::Stderr => eprintln!("{text}"),
                LineTo::File(file, path) => {
                    if let Err(e) = writeln!(file, "{text}") {
                        failure = Some(format!("cannot write stats file {}: {e}", path.display()));
                    }
                }
            }
        }
        if let Some(path) = &self.metrics {
            if let Err(e) = write_atomically(path, &snapshot.to_prometheus()) {
                failure = Some(format!("cannot write metrics file {}: {e}", path.display()));
            }
        }
        if let Some(message) = failure {
            if !self.warned {
                eprintln!("ctfilter: {message} (further failures are not reported)");
                self.warned = true;
            }
        }
        self.previous = (stats.read, stats.bytes);
        self.last = now;
        // The next tick keeps its phase; after a stall, it is one interval on.
        self.next += self.every;
        if self.next <= now {
            self.next = now + self.every;
        }
    }
}

/// How often the bar's numbers are refreshed.
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

/// The progress bar: bytes of the input files read (before decompression),
/// files done, records per second and an ETA.
struct Progress {
    bar: indicatif::ProgressBar,
    files: usize,
    files_done: usize,
    raw_read: Arc<AtomicU64>,
    start: Instant,
    next: Instant,
}

impl Progress {
    fn new(sizes: Vec<u64>, raw_read: Arc<AtomicU64>, start: Instant) -> Progress {
        let total: u64 = sizes.iter().sum();
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::stderr(),
        );
        let style = indicatif::ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {msg} ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        let mut progress = Progress {
            bar,
            files: sizes.len(),
            files_done: 0,
            raw_read,
            start,
            next: start,
        };
        progress.update(&Stats::default(), start);
        progress
    }

    fn update(&mut self, stats: &Stats, now: Instant) {
        let secs = now.duration_since(self.start).as_secs_f64();
        let rate = if secs > 0.0 {
            stats.read as f64 / secs
        } else {
            0.0
        };
        self.bar.set_message(format!(
            "files {}/{} {:.0} records/s",
            self.files_done, self.files, rate
        ));
        self.bar.set_position(self.raw_read.load(Ordering::Relaxed));
        self.next = now + PROGRESS_EVERY;
    }
}
