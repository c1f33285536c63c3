//! The vocabulary every layer shares, and nothing else: read-only paths into a
//! parsed record, JSON writing into a byte buffer, severity levels, the calendar and
//! durations of event time.
//!
//! Guarantees: this layer imports no other module of the crate.

pub mod calendar;
pub mod counted;
pub mod duration;
pub mod json;
pub mod record;
pub mod severity;
