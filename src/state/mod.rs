//! Persisted, bounded state for first-seen rules and `--dedupe` (issue 13).
//!
//! This folder is self-contained (std and Cargo.toml's crates only); the
//! engine and the CLI drive it. What it guarantees, as a whole:
//! - **Event time, not the clock**: every answer is a function of the
//!   sequence of calls (and of a loaded state), so replays and split runs
//!   that share a state file give the output of one uninterrupted run.
//! - **Bounded**: each table has a cap with least-recently-seen eviction,
//!   and expiry; 1M entries take about 21 MiB ([`table`]).
//! - **Durable**: [`State::save`] is atomic and [`State::load`] refuses a
//!   corrupt, truncated, foreign or newer file with a typed error ([`file`]).
//!
//! Modules: [`time`] (event time, windows), [`hash`] (fixed 64-bit keys),
//! [`table`] (the compact table), [`first_seen`] (rules and learning),
//! [`dedupe`] (`eventID` repeats), [`file`] (the state file).
//!
//! Typical use by the integration:
//! ```
//! use ctfilter::state::{Config, State, Time, Verdict, Window};
//! let mut state = State::new(&Config::default());
//! let rule = state.first_seen.register("api-by-principal/by=arn,eventName", Window::days(10));
//! let t = Time::parse("2026-01-15T10:00:00Z").unwrap();
//! let key = state.first_seen.key(rule).field(b"arn:aws:iam::1:user/a").field(b"ListSecrets").finish();
//! let o = state.first_seen.observe(rule, key, t);
//! assert_eq!(o.verdict, Verdict::Learning); // a new state learns first
//! assert!(!state.dedupe.check(b"6f1d...", t));
//! ```

pub mod dedupe;
pub mod file;
pub mod first_seen;
pub mod hash;
pub mod table;
pub mod time;
mod zeroed;

pub use dedupe::Dedupe;
pub use file::{LoadError, SaveError};
pub use first_seen::{FirstSeen, Observation, RuleId, Verdict};
pub use hash::{Key, KeyBuilder, Namespace};
pub use table::Table;
pub use time::{Time, TimeError, Window};

/// Limits and windows, from the command line (not saved in the file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// `--state-max-entries`: cap of the first-seen table.
    pub max_entries: usize,
    /// Cap of the dedupe table (the integration may tie it to the above).
    pub dedupe_max_entries: usize,
    /// `--dedupe-window`.
    pub dedupe_window: Window,
    /// How late a record may be, behind the newest, and still be judged
    /// exactly after its tuple's window has passed ([`table`]).
    pub lateness: Window,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_entries: 1_000_000,
            dedupe_max_entries: 1_000_000,
            dedupe_window: dedupe::DEFAULT_WINDOW,
            lateness: table::DEFAULT_LATENESS,
        }
    }
}

/// Everything `--state PATH` holds.
#[derive(Debug)]
pub struct State {
    pub first_seen: FirstSeen,
    pub dedupe: Dedupe,
}

impl State {
    /// A fresh, empty state (first run, or `--state-reset`).
    pub fn new(config: &Config) -> State {
        State {
            first_seen: FirstSeen::new(Table::new(config.max_entries, config.lateness)),
            dedupe: Dedupe::new(
                Table::new(config.dedupe_max_entries, config.lateness),
                config.dedupe_window,
            ),
        }
    }

    /// Load `path`. [`LoadError::Missing`] means "start fresh"; every other
    /// error means "stop, and do not save over this file".
    pub fn load(path: &std::path::Path, config: &Config) -> Result<State, LoadError> {
        file::load(path, config)
    }

    /// Save atomically to `path` (see [`file::save`]).
    pub fn save(&self, path: &std::path::Path) -> Result<(), SaveError> {
        file::save(path, self)
    }
}
