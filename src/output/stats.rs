//! Counters for one run, and the `--stats` JSON summary.
//!
//! Invariant, checked by tests: `read = emitted + filtered + dead_lettered +
//! skipped`, where a unit is one record, one bad input or one skipped item
//! (digest file, CloudWatch control message). Blank lines are not units; they
//! are counted separately.

use crate::engine::Stage;
use crate::input::origin::Shape;
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadKind {
    InvalidJson,
    InvalidUtf8,
    NotObject,
    WrongType,
    TooLong,
    TooDeep,
    Unrecognized,
    Truncated,
}

impl BadKind {
    pub const COUNT: usize = 8;
    pub const ALL: [BadKind; BadKind::COUNT] = [
        BadKind::InvalidJson,
        BadKind::InvalidUtf8,
        BadKind::NotObject,
        BadKind::WrongType,
        BadKind::TooLong,
        BadKind::TooDeep,
        BadKind::Unrecognized,
        BadKind::Truncated,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            BadKind::InvalidJson => "invalid_json",
            BadKind::InvalidUtf8 => "invalid_utf8",
            BadKind::NotObject => "not_object",
            BadKind::WrongType => "wrong_type",
            BadKind::TooLong => "too_long",
            BadKind::TooDeep => "too_deep",
            BadKind::Unrecognized => "unrecognized",
            BadKind::Truncated => "truncated",
        }
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
        let per_stage: serde_json::Map<_, _> = Stage::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), json!(self.filtered[*s as usize])))
            .collect();
        let bad: serde_json::Map<_, _> = BadKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), json!(self.bad[*k as usize])))
            .collect();
        let shapes: serde_json::Map<_, _> = Shape::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), json!(self.shapes[*s as usize])))
            .collect();
        let severities: serde_json::Map<_, _> = Severity::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), json!(self.severities[*s as usize])))
            .collect();
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
