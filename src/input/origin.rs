//! Where a unit came from: the shape of the input it was cut from, and its
//! source and line, for counters and dead letters.
//!
//! Guarantees: [`Shape::ALL`] lists every shape once, in the order the
//! `--stats` summary prints them.

use crate::model::counted::counted_enum;

/// Where a unit came from.
#[derive(Clone, Copy, Debug)]
pub struct Where<'a> {
    pub source: &'a str,
    pub line: u64,
}

counted_enum! {
    /// The input shape a record was cut from.
    pub enum Shape {
        Bare => "bare",
        S3Records => "s3_records",
        Array => "array",
        EventBridge => "eventbridge",
        CloudWatchLogs => "cloudwatch_logs",
        LookupEvents => "lookup_events",
        HostWrapped => "host_wrapped",
    }
}
