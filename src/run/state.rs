//! `--state PATH`: open the first-seen state before input is read, and save
//! it atomically at exit (SIGTERM and SIGINT included) and on SIGHUP.
//!
//! Guarantees: a file that cannot be loaded (corrupt, truncated, foreign,
//! newer) is reported as `PATH: reason` and never saved over; a missing file
//! or `--state-reset` starts a fresh state that learns for one window. Not
//! yet: periodic saves (`--state-save-interval`), `--learn-until`, caps and
//! state figures in `--stats`.

use crate::engine::state::{Config, State};
use crate::engine::tracker::Tracker;
use crate::rules::plan::Plan;
use std::path::PathBuf;

/// Where the state lives, from the command line.
#[derive(Debug, Clone)]
pub struct StateFile {
    pub path: PathBuf,
    /// `--state-reset`: start afresh; the file is replaced at the next save.
    pub reset: bool,
}

impl StateFile {
    /// Load (or start) the state and bind `plan`'s first-seen rules to it.
    pub fn open(&self, plan: &Plan) -> Result<Tracker, String> {
        let (state, _) = State::open(&self.path, &Config::default(), self.reset)
            .map_err(|e| format!("{}: {e}", self.path.display()))?;
        Ok(Tracker::new(state, plan))
    }

    /// Save atomically; the message names the path.
    pub fn save(&self, tracker: &Tracker) -> Result<(), String> {
        tracker
            .state
            .save(&self.path)
            .map_err(|e| format!("{}: cannot save state: {e}", self.path.display()))
    }
}

/// The state's part of `--stats`, under `"state"` (only with `--state`).
pub fn stats_json(tracker: &Tracker) -> serde_json::Value {
    let s = tracker.state.stats();
    let time = |t: Option<crate::engine::state::Time>| t.map(|t| t.to_string());
    serde_json::json!({
        "entries": s.entries,
        "created": time(s.created),
        "learning_ends": time(s.learning_ends),
        "new": s.first_seen.new,
        "seen": s.first_seen.seen,
        "learning": s.first_seen.learning,
        "evicted": s.evicted,
        "expired": s.expired,
        "memory_bytes": s.memory_bytes,
    })
}
