//! The first-seen and dedupe state flags (`--state`, `--dedupe` and their
//! settings), flattened into the filter's flags, and their check.
//!
//! Guarantees: every state flag is checked before input is read; a flag
//! that needs `--state` (or `--dedupe`) without it is a clap usage error or
//! a `ctfilter: ...` message, exit 2, never a silent no-op.

use crate::model::duration::parse_interval;
use clap::Args;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct StateArgs {
    /// First-seen and dedupe state file, loaded at start and saved every
    /// --state-save-interval, on SIGHUP and at exit (SIGTERM and SIGINT
    /// included); activates first-seen rules. Example: `--state /var/lib/ctfilter.state`
    #[arg(long, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// Start a fresh state instead of loading `--state` (replaced at the next save).
    #[arg(long, requires = "state")]
    pub state_reset: bool,
    /// Save --state this often while running (default 60s), when records
    /// arrived since the last save. Example: `--state-save-interval 5m`
    // `DUR`, not `DURATION`: a longer flag column would rewrap every
    // flag's help (tests/cli/sigma.rs reads one example whole).
    #[arg(long, value_name = "DUR", requires = "state")]
    pub state_save_interval: Option<String>,
    /// End the learning period at this event time instead of one window
    /// after the state began; saved with the state, so later runs keep it.
    /// Example: `--learn-until 2026-02-01T00:00:00Z`
    #[arg(long, value_name = "RFC3339", requires = "state")]
    pub learn_until: Option<String>,
    /// Cap the first-seen entries, and separately the --dedupe entries, at
    /// N (default 1000000); the least recently seen are evicted first.
    /// Needs --state or --dedupe. Example: `--state-max-entries 200000`
    #[arg(long, value_name = "N")]
    pub state_max_entries: Option<usize>,
    /// Drop a record whose eventID was already seen within --dedupe-window
    /// (kept in memory, and in --state if given). A record with an
    /// `addendum` is kept and marked `"update_of"` in its verdict.
    #[arg(long)]
    pub dedupe: bool,
    /// How long --dedupe remembers an eventID, in event time (default 1h).
    /// Example: `--dedupe-window 6h`
    #[arg(long, value_name = "DURATION", requires = "dedupe")]
    pub dedupe_window: Option<String>,
}

impl StateArgs {
    /// The state flags, checked (`--state-max-entries` needs `--state` or
    /// `--dedupe`; clap checks the others' `requires`).
    pub fn options(&self) -> Result<crate::run::state::StateOptions, String> {
        use crate::engine::state::{Time, Window};
        let mut options = crate::run::state::StateOptions {
            file: self.state.clone().map(|path| crate::run::state::StateFile {
                path,
                reset: self.state_reset,
            }),
            ..Default::default()
        };
        if let Some(text) = &self.state_save_interval {
            options.save_interval =
                parse_interval(text).map_err(|e| format!("--state-save-interval: {e}"))?;
        }
        if let Some(text) = &self.learn_until {
            options.learn_until = Some(
                Time::parse(text.trim()).map_err(|e| format!("--learn-until: '{text}': {e}"))?,
            );
        }
        if let Some(n) = self.state_max_entries {
            if self.state.is_none() && !self.dedupe {
                return Err("--state-max-entries needs --state or --dedupe".into());
            }
            if n == 0 {
                return Err("--state-max-entries: must be at least 1".into());
            }
            options.max_entries = n;
        }
        if self.dedupe {
            options.dedupe = Some(match &self.dedupe_window {
                Some(text) => Window::parse(text).map_err(|e| format!("--dedupe-window: {e}"))?,
                None => crate::engine::state::dedupe::DEFAULT_WINDOW,
            });
        }
        Ok(options)
    }
}
