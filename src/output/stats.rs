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
    pub filtered: [u64; 4],
    pub dead_lettered: u64,
    /// Bad inputs passed through unchanged with `--on-error pass` (part of `emitted`).
    pub passed_bad: u64,
    pub skipped_digest: u64,
    pub skipped_control: u64,
    pub bad: [u64; BadKind::COUNT],
    pub shapes: [u64; Shape::COUNT],
    pub severities: [u64; 5],
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
