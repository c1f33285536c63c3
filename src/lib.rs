//! ctfilter: a streaming filter for AWS CloudTrail records.
//!
//! The crate is layered; each folder is one stage of the pipeline, and a
//! module only imports from layers below its own (`tests/layering.rs` checks
//! this, and that no two modules import each other):
//!
//! ```text
//! cli     flags and subcommands; builds the plan, hands it to run
//! run     the driver loop, threads, one unit in -> bytes out
//! input   bytes -> record units (sources, gzip, framing, envelopes)
//! engine  one parsed record -> a decision (scope, identity, allow-list, severity)
//! output  a decision -> bytes (splice, raw/OCSF/ECS, dead letters, stats, explain)
//! rules   YAML and Sigma -> the immutable compiled plan
//! model   vocabulary shared by all: record paths on a tape, JSON writing, severity
//! ```
//!
//! See `ARCHITECTURE.md` at the repository root for the invariants at each
//! boundary.

pub mod cli;
pub mod engine;
pub mod input;
pub mod model;
pub mod output;
pub mod rules;
pub mod run;
