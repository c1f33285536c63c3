//! `--dedupe`: has this `eventID` been seen within the window?
//!
//! Guarantees:
//! - A record is a duplicate when a live entry for its `eventID` exists and
//!   its event time is not more than the window after the stored one. A
//!   true CloudTrail duplicate carries the same `eventTime`, so the window
//!   (default one hour of event time, [`DEFAULT_WINDOW`]) is really how long
//!   an ID is remembered: until the newest event time seen passes
//!   `stored + window + lateness`.
//! - Bounded like first-seen state: its own table, with its own cap and
//!   least-recently-seen eviction, so a flood of unique IDs can only shorten
//!   how long IDs are remembered, never evict first-seen baselines.
//! - Deterministic and event-time based, like [`super::table`].
//! - Records with an `addendum` are not duplicates: that is the caller's
//!   test (it must not call [`Dedupe::check`] for them, or ignore the
//!   answer), since only the caller parses the record.

use super::hash::{Key, Namespace};
use super::table::{Counters, Table};
use super::time::{Time, Window};

/// `--dedupe-window` default.
pub const DEFAULT_WINDOW: Window = Window::hours(1);

/// Key namespace of dedupe entries (part of the file format).
const NAMESPACE: &[u8] = b"ctfilter/dedupe/eventID";

#[derive(Debug)]
pub struct Dedupe {
    table: Table,
    window: Window,
    ns: Namespace,
    duplicates: u64,
}

impl Dedupe {
    pub fn new(table: Table, window: Window) -> Dedupe {
        Dedupe {
            table,
            window,
            ns: Namespace::new(NAMESPACE),
            duplicates: 0,
        }
    }

    /// The key of an `eventID` (its raw bytes from the record).
    #[inline]
    pub fn key(&self, event_id: &[u8]) -> Key {
        self.ns.key_of(event_id)
    }

    /// Record `event_id` at `t`; true if it is a duplicate (drop it).
    pub fn check(&mut self, event_id: &[u8], t: Time) -> bool {
        let key = self.key(event_id);
        let dup = !self
            .table
            .observe(key, t, self.window)
            .first_seen_within_window;
        self.duplicates += u64::from(dup);
        dup
    }

    pub fn window(&self) -> Window {
        self.window
    }

    pub fn table(&self) -> &Table {
        &self.table
    }

    /// Duplicates found since start or restore.
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    pub fn counters(&self) -> Counters {
        self.table.counters()
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::DEFAULT_LATENESS;
    use super::*;

    fn dedupe(max: usize) -> Dedupe {
        Dedupe::new(Table::new(max, DEFAULT_LATENESS), DEFAULT_WINDOW)
    }

    #[test]
    fn drops_exact_repeats_within_the_window() {
        let mut d = dedupe(100);
        assert!(!d.check(b"id-1", Time(1000)));
        assert!(d.check(b"id-1", Time(1000)));
        assert!(!d.check(b"id-2", Time(1000)));
        // Out of order inside a file: same ID, same time, still a duplicate.
        assert!(!d.check(b"id-3", Time(900)));
        assert!(d.check(b"id-3", Time(900)));
        assert!(d.check(b"id-1", Time(1000 + 3600)));
        assert_eq!(d.duplicates(), 3);
    }

    #[test]
    fn forgets_after_window_and_lateness() {
        let mut d = dedupe(100);
        assert!(!d.check(b"old", Time(0)));
        // Newest time passes 0 + 1h window + 1h lateness: "old" expired.
        assert!(!d.check(b"other", Time(7201)));
        assert!(!d.check(b"old", Time(0)));
        assert_eq!(d.table().len(), 2);
    }

    #[test]
    fn is_bounded() {
        let mut d = dedupe(10);
        for i in 0..100u32 {
            assert!(!d.check(format!("id-{i}").as_bytes(), Time(i)));
        }
        assert_eq!(d.table().len(), 10);
        assert_eq!(d.counters().evicted, 90);
        assert!(d.check(b"id-99", Time(99)));
        assert!(!d.check(b"id-0", Time(0)), "evicted, so not recognised");
    }
}
