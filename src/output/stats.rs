//! Counters for one run, and the `--stats` JSON summary.
//!
//! Invariant, checked by tests: `read = emitted + filtered + dead_lettered +
//! skipped`, where a unit is one record, one bad input or one skipped item
//! (digest file, CloudWatch control message). Blank lines are not units; they
//! are counted separately.

use crate::engine::Stage;
use crate::input::origin::Shape;
use crate::model::counted::counted_enum;
use crate::model::severity::Severity;
use serde_json::json;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub lines: u64,
    pub bytes: u64,
    pub blank_lines: u64,
    pub read: u64,
    pub emitted: u64,
    pub filtered: [u64; Stage::COUNT],
    pub dead_lettered: u64,
    /// Bad inputs passed through unchanged with `--on-error pass` (part of `emitted`).
    pub passed_bad: u64,
    pub skipped_digest: u64,
    pub skipped_control: u64,
    pub bad: [u64; BadKind::COUNT],
    pub shapes: [u64; Shape::COUNT],
    pub severities: [u64; 5],
    /// The newest `eventTime` read, as its `YYYY-MM-DDTHH:MM:SS` bytes (for
    /// the lag metric; see [`Stats::saw_event_time`]).
    pub newest_event: Option<[u8; 19]>,
    /// With `--state` or `--dedupe`: the state's figures, filled in by the
    /// run when it takes a snapshot (never per record).
    pub state: Option<StateFigures>,
}

/// The first-seen and dedupe state at one moment (`--stats`, metrics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StateFigures {
    pub state: crate::engine::state::Stats,
    /// `--state-max-entries`.
    pub max_entries: usize,
    /// Records whose `eventTime` was too far past the wall clock to count.
    pub future: u64,
}

impl StateFigures {
    /// The `"state"` object of `--stats` and of the metrics line.
    pub fn to_json(&self) -> serde_json::Value {
        let s = &self.state;
        let time = |t: Option<crate::engine::state::Time>| t.map(|t| t.to_string());
        json!({
            "entries": s.entries,
            "max_entries": self.max_entries,
            "created": time(s.created),
            "learning_ends": time(s.learning_ends),
            "new": s.first_seen.new,
            "seen": s.first_seen.seen,
            "learning": s.first_seen.learning,
            "evicted": s.evicted,
            "expired": s.expired,
            "future": self.future,
            "dedupe_entries": s.dedupe_entries,
            "deduplicated": s.duplicates,
            "dedupe_evicted": s.dedupe_evicted,
            "memory_bytes": s.memory_bytes,
        })
    }
}

counted_enum! {
    pub enum BadKind {
        InvalidJson => "invalid_json",
        InvalidUtf8 => "invalid_utf8",
        NotObject => "not_object",
        WrongType => "wrong_type",
        TooLong => "too_long",
        TooDeep => "too_deep",
        Unrecognized => "unrecognized",
        Truncated => "truncated",
    }
}

impl Stats {
    pub fn filtered_total(&self) -> u64 {
        self.filtered.iter().sum()
    }
    pub fn skipped(&self) -> u64 {
        self.skipped_digest + self.skipped_control
    }
    pub fn bad_total(&self) -> u64 {
        self.bad.iter().sum()
    }
    pub fn balanced(&self) -> bool {
        self.read == self.emitted + self.filtered_total() + self.dead_lettered + self.skipped()
    }

    /// Note a record's `eventTime`. CloudTrail writes
    /// `YYYY-MM-DDTHH:MM:SS[.fff]Z`, whose first 19 bytes order as the times
    /// do, so the newest is kept by comparing bytes: no parsing, no
    /// allocation. Other forms are not counted.
    #[inline]
    pub fn saw_event_time(&mut self, stamp: &str) {
        let b = stamp.as_bytes();
        // 19 bytes of date and time, then `Z` or a fraction.
        if b.len() < 20 {
            return;
        }
        let head = &b[..19];
        if self.newest_event.is_some_and(|newest| head <= &newest[..]) {
            return;
        }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
        let shaped = b.last() == Some(&b'Z')
            && matches!(b[19], b'Z' | b'.')
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && digits.iter().all(|&i| b[i].is_ascii_digit())
            && (b"01"..=b"12").contains(&&[b[5], b[6]])
            && (b"01"..=b"31").contains(&&[b[8], b[9]])
            && &[b[11], b[12]] <= b"23";
        if shaped {
            let mut newest = [0u8; 19];
            newest.copy_from_slice(head);
            self.newest_event = Some(newest);
        }
    }

    /// The newest `eventTime` read, in seconds since the epoch.
    pub fn newest_event_epoch(&self) -> Option<f64> {
        let newest = self.newest_event?;
        let text = std::str::from_utf8(&newest).ok()?;
        crate::output::enrich::parse_time(text)
    }

    pub fn drop_at(&mut self, stage: Stage) {
        self.filtered[stage as usize] += 1;
    }

    pub fn add(&mut self, other: &Stats) {
        self.lines += other.lines;
        self.bytes += other.bytes;
        self.blank_lines += other.blank_lines;
        self.read += other.read;
        self.emitted += other.emitted;
        self.dead_lettered += other.dead_lettered;
        self.passed_bad += other.passed_bad;
        self.skipped_digest += other.skipped_digest;
        self.skipped_control += other.skipped_control;
        for (a, b) in self.filtered.iter_mut().zip(other.filtered) {
            *a += b;
        }
        for (a, b) in self.bad.iter_mut().zip(other.bad) {
            *a += b;
        }
        for (a, b) in self.shapes.iter_mut().zip(other.shapes) {
            *a += b;
        }
        for (a, b) in self.severities.iter_mut().zip(other.severities) {
            *a += b;
        }
        self.newest_event = self.newest_event.max(other.newest_event);
        self.state = other.state.or(self.state);
    }

    pub fn to_json(&self) -> serde_json::Value {
        let per_stage = counts(&Stage::ALL, Stage::as_str, |s| s as usize, &self.filtered);
        let bad = counts(&BadKind::ALL, BadKind::as_str, |k| k as usize, &self.bad);
        let shapes = counts(&Shape::ALL, Shape::as_str, |s| s as usize, &self.shapes);
        let severities = counts(
            &Severity::ALL,
            Severity::as_str,
            |s| s as usize,
            &self.severities,
        );
        json!({
            "lines": self.lines,
            "bytes": self.bytes,
            "blank_lines": self.blank_lines,
            "read": self.read,
            "emitted": self.emitted,
            "filtered": self.filtered_total(),
            "dead_lettered": self.dead_lettered,
            "skipped": self.skipped(),
            "balanced": self.balanced(),
            "filtered_by_stage": per_stage,
            "skipped_by_kind": {"digest": self.skipped_digest, "control_message": self.skipped_control},
            "bad": self.bad_total(),
            "bad_by_kind": bad,
            "passed_bad": self.passed_bad,
            "records_by_shape": shapes,
            "emitted_by_severity": severities,
        })
    }
}

/// One JSON object of counters, `{name: count}`, for every item of an
/// enumeration whose discriminants index `values`.
fn counts<T: Copy>(
    items: &[T],
    name: fn(T) -> &'static str,
    index: fn(T) -> usize,
    values: &[u64],
) -> serde_json::Map<String, serde_json::Value> {
    items
        .iter()
        .map(|&item| (name(item).to_string(), json!(values[index(item)])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_event_time_is_kept_by_its_bytes() {
        let mut stats = Stats::default();
        for stamp in [
            "2026-01-15T10:00:00Z",
            "2026-01-15T09:00:00Z",
            "2026-01-15T11:00:00.250Z",
            "2027-13-01T00:00:00Z",
            "9999-01-01",
            "2028-01-15T10:00:00",
            "soon",
        ] {
            stats.saw_event_time(stamp);
        }
        assert_eq!(
            stats.newest_event.as_ref().map(|b| &b[..]),
            Some(&b"2026-01-15T11:00:00"[..])
        );
        let mut other = Stats::default();
        other.saw_event_time("2026-02-01T00:00:00Z");
        stats.add(&other);
        assert_eq!(
            stats.newest_event_epoch(),
            crate::output::enrich::parse_time("2026-02-01T00:00:00Z")
        );
    }
}
