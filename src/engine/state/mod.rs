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
//! use ctfilter::engine::state::{Config, State, Time, Verdict, Window};
//! let mut state = State::new(&Config::default());
//! let rule = state.first_seen.register("api-by-principal/by=arn,eventName", Window::days(10));
//! let t = Time::parse("2026-01-15T10:00:00Z").unwrap();
//! let key = state.first_seen.key(rule).field(b"arn:aws:iam::1:user/a").field(b"ListSecrets").finish();
//! let o = state.first_seen.observe(rule, key, t);
//! assert_eq!(o.verdict, Verdict::Learning); // a new state learns first
//! assert!(!state.dedupe.check(b"6f1d...", t));
//! assert_eq!(state.stats().first_seen.learning, 1);
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

/// How [`State::open`] got its state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Opened {
    /// From the file.
    Loaded,
    /// No file yet: a new state (learning starts with the first record).
    Fresh,
    /// `--state-reset`: a new state, the file is replaced at the next save.
    Reset,
}

/// The state's part of `--stats`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    pub entries: usize,
    pub dedupe_entries: usize,
    /// First event time the state saw.
    pub created: Option<Time>,
    /// When the last rule stops learning (`None`: no record seen yet).
    pub learning_ends: Option<Time>,
    pub first_seen: first_seen::Tally,
    /// First-seen entries evicted by the cap, and expired.
    pub evicted: u64,
    pub expired: u64,
    /// Records `--dedupe` found to be repeats, and IDs evicted by its cap.
    pub duplicates: u64,
    pub dedupe_evicted: u64,
    /// Heap bytes of both tables.
    pub memory_bytes: usize,
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

    /// What `--state PATH` asks for: a fresh state if `reset` or if there
    /// is no file yet, else the loaded one. Any other load error is
    /// returned: report it (`ctfilter: PATH: {error}`), exit 2, and do not
    /// save to `path`.
    pub fn open(
        path: &std::path::Path,
        config: &Config,
        reset: bool,
    ) -> Result<(State, Opened), LoadError> {
        if reset {
            return Ok((State::new(config), Opened::Reset));
        }
        match State::load(path, config) {
            Ok(state) => Ok((state, Opened::Loaded)),
            Err(e) if e.is_missing() => Ok((State::new(config), Opened::Fresh)),
            Err(e) => Err(e),
        }
    }

    /// Figures for `--stats` (counters are for this run).
    pub fn stats(&self) -> Stats {
        let fs = &self.first_seen;
        Stats {
            entries: fs.table().len(),
            dedupe_entries: self.dedupe.table().len(),
            created: fs.created(),
            learning_ends: fs.learning_ends(),
            first_seen: fs.tally(),
            evicted: fs.counters().evicted,
            expired: fs.counters().expired,
            duplicates: self.dedupe.duplicates(),
            dedupe_evicted: self.dedupe.counters().evicted,
            memory_bytes: fs.table().memory_bytes() + self.dedupe.table().memory_bytes(),
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
