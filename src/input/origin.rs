//! Where a unit came from: the shape of the input it was cut from, and its
//! source and line, for counters and dead letters.
//!
//! Guarantees: [`Shape::ALL`] lists every shape once, in the order the
//! `--stats` summary prints them.

/// Where a unit came from.
#[derive(Clone, Copy, Debug)]
pub struct Where<'a> {
    pub source: &'a str,
    pub line: u64,
}

/// The input shape a record was cut from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    Bare,
    S3Records,
    Array,
    EventBridge,
    CloudWatchLogs,
    LookupEvents,
    HostWrapped,
}

impl Shape {
    pub const COUNT: usize = 7;
    pub const ALL: [Shape; Shape::COUNT] = [
        Shape::Bare,
        Shape::S3Records,
        Shape::Array,
        Shape::EventBridge,
        Shape::CloudWatchLogs,
        Shape::LookupEvents,
        Shape::HostWrapped,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Shape::Bare => "bare",
            Shape::S3Records => "s3_records",
            Shape::Array => "array",
            Shape::EventBridge => "eventbridge",
            Shape::CloudWatchLogs => "cloudwatch_logs",
            Shape::LookupEvents => "lookup_events",
            Shape::HostWrapped => "host_wrapped",
        }
    }
}
