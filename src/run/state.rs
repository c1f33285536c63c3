//! `--state PATH` and `--dedupe`: open the first-seen and dedupe state
//! before input is read, save it atomically now and then, on SIGHUP and at
//! exit (SIGTERM and SIGINT included), and report its figures.
//!
//! Guarantees:
//! - A file that cannot be loaded (corrupt, truncated, foreign, newer) is
//!   reported as `PATH: reason` and never saved over; a missing file or
//!   `--state-reset` starts a fresh state that learns for one window.
//! - `--learn-until` replaces the learning end stored in the state, and is
//!   saved with it: a later run without the flag keeps that end.
//! - `--state-max-entries` caps the first-seen table and, separately, the
//!   dedupe table (least recently seen evicted first, counted).
//! - `--dedupe` without `--state` keeps its table in memory only; first-seen
//!   rules then stay inactive, exactly as without `--state`.
//! - Periodic saves (`--state-save-interval`) are driven by the run loop
//!   between input chunks and while input is idle ([`Saver`]), never per
//!   record, and only when records arrived since the last save.

use crate::engine::state::{Config, State, Time, Window};
use crate::engine::tracker::Tracker;
use crate::output::stats::StateFigures;
use crate::rules::plan::Plan;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// `--state-save-interval` default.
pub const DEFAULT_SAVE_INTERVAL: Duration = Duration::from_secs(60);
/// `--state-max-entries` default.
pub const DEFAULT_MAX_ENTRIES: usize = 1_000_000;

/// Where the state lives, from the command line.
#[derive(Debug, Clone)]
pub struct StateFile {
    pub path: PathBuf,
    /// `--state-reset`: start afresh; the file is replaced at the next save.
    pub reset: bool,
}

/// Every state flag.
#[derive(Debug, Clone)]
pub struct StateOptions {
    /// `--state` (and `--state-reset`).
    pub file: Option<StateFile>,
    /// `--state-save-interval`.
    pub save_interval: Duration,
    /// `--learn-until`.
    pub learn_until: Option<Time>,
    /// `--state-max-entries`.
    pub max_entries: usize,
    /// `--dedupe`, with its window (`--dedupe-window`).
    pub dedupe: Option<Window>,
}

impl Default for StateOptions {
    fn default() -> StateOptions {
        StateOptions {
            file: None,
            save_interval: DEFAULT_SAVE_INTERVAL,
            learn_until: None,
            max_entries: DEFAULT_MAX_ENTRIES,
            dedupe: None,
        }
    }
}

impl StateOptions {
    fn config(&self) -> Config {
        let mut config = Config {
            max_entries: self.max_entries,
            dedupe_max_entries: self.max_entries,
            ..Config::default()
        };
        if let Some(window) = self.dedupe {
            config.dedupe_window = window;
        }
        config
    }

    /// Load (or start) the state and bind `plan`'s first-seen rules to it;
    /// `None` when neither `--state` nor `--dedupe` is given.
    pub fn open(&self, plan: &Plan) -> Result<Option<Tracker>, String> {
        let config = self.config();
        let state = match &self.file {
            Some(file) => {
                let (mut state, _) = State::open(&file.path, &config, file.reset)
                    .map_err(|e| format!("{}: {e}", file.path.display()))?;
                if self.learn_until.is_some() {
                    state.first_seen.set_learn_until(self.learn_until);
                }
                state
            }
            None if self.dedupe.is_some() => State::new(&config),
            None => return Ok(None),
        };
        let mut tracker =
            Tracker::with_modes(state, plan, self.file.is_some(), self.dedupe.is_some());
        tracker.set_clock(unix_now());
        Ok(Some(tracker))
    }

    /// Save atomically (nothing to do without `--state`); the message names
    /// the path.
    pub fn save(&self, tracker: &Tracker) -> Result<(), String> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        tracker
            .state
            .save(&file.path)
            .map_err(|e| format!("{}: cannot save state: {e}", file.path.display()))
    }

    /// The state's figures for `--stats` and the metrics.
    pub fn figures(&self, tracker: &Tracker) -> StateFigures {
        StateFigures {
            state: tracker.state.stats(),
            max_entries: self.max_entries,
            future: tracker.future,
        }
    }
}

/// The wall clock in Unix seconds (for the far-future limit only).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// When the next periodic save is due, and whether anything changed.
#[derive(Debug)]
pub struct Saver {
    interval: Duration,
    next: Instant,
    /// `read` at the last save.
    saved_at_read: u64,
}

impl Saver {
    pub fn new(interval: Duration) -> Saver {
        Saver {
            interval,
            next: Instant::now() + interval,
            saved_at_read: 0,
        }
    }

    /// When the loop should wake up to save, if it is idle.
    pub fn deadline(&self) -> Instant {
        self.next
    }

    /// True when a save is due: the interval has passed and records were
    /// read since the last save. Moves the deadline on either way.
    pub fn due(&mut self, now: Instant, read: u64) -> bool {
        if now < self.next {
            return false;
        }
        self.next = now + self.interval;
        if read == self.saved_at_read {
            return false;
        }
        self.saved_at_read = read;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_is_due_after_the_interval_and_only_if_records_came() {
        let mut saver = Saver::new(Duration::from_secs(60));
        let start = saver.deadline() - Duration::from_secs(60);
        assert!(!saver.due(start + Duration::from_secs(59), 10));
        assert!(saver.due(start + Duration::from_secs(60), 10));
        assert!(
            !saver.due(start + Duration::from_secs(61), 20),
            "not yet due again"
        );
        assert!(
            !saver.due(start + Duration::from_secs(200), 10),
            "nothing new"
        );
        assert!(saver.due(start + Duration::from_secs(300), 11));
    }
}
