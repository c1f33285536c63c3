//! Rule files in, the immutable compiled [`plan::Plan`] out.
//!
//! YAML with positions (`yaml`), the embedded pack (`defaults`, `packed`),
//! serde config types (`config`), diagnostics (`diag`), the exclusion list
//! of the default pack (`excluded`), the fields the fast path parses (`fast`),
//! compilation
//! (`compile`, `condition`, `events`), Sigma (`sigma`), the plan itself, and
//! what a plan keeps of an event pair without running records (`reach`).
//! Guarantees: config types never reach the hot loop, and nothing here reads
//! input records or writes output.

pub mod compile;
pub mod condition;
pub mod config;
pub mod defaults;
pub mod diag;
pub mod events;
pub mod excluded;
pub mod fast;
pub mod first_seen;
pub mod load;
pub mod packed;
pub mod plan;
pub mod reach;
pub mod sigma;
pub mod source;
pub mod yaml;
