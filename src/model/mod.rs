//! The vocabulary every layer shares, and nothing else: read-only paths into a
//! parsed record, JSON writing into a byte buffer, and severity levels.
//!
//! Guarantees: this layer imports no other module of the crate.

pub mod calendar;
pub mod counted;
pub mod json;
pub mod record;
pub mod severity;
