//! Output shapes for kept records: `--format raw`, `ocsf` and `ecs`.
//!
//! `raw` (the default) is the input record's own bytes with the verdict
//! spliced in ([`enrich::splice`]); it is dispatched from here unchanged. `ocsf`
//! and `ecs` build a new JSON object per record from the parsed tape, so they
//! cost more than `raw`; the mappings are documented in `docs/formats.md`.
//!
//! Guarantees for `ocsf` and `ecs`:
//! - each kept record becomes exactly one line holding one valid JSON object,
//!   whatever the input holds (strings are escaped, input values re-written
//!   from the tape);
//! - absent fields are omitted: a missing, null or empty CloudTrail field
//!   produces no key, and an object that would be empty is left out;
//! - duplicate keys resolve to the first occurrence, as everywhere in ctfilter;
//! - the verdict object is byte for byte the one raw mode adds;
//! - writing appends to the caller's buffer and allocates nothing else.

pub mod ecs;
pub mod ocsf;

use crate::engine::{Core, Verdict};
use crate::model::json;
use crate::model::record::{text, Val};
use crate::model::severity::Severity;
use crate::output::enrich;
use crate::rules::plan::{Format, Plan};
use simd_json::prelude::{TypedScalarValue as _, Writable as _};
use std::io::Write as _;

/// Everything a format needs about one kept record.
pub struct Kept<'a, 't, 'i> {
    pub plan: &'a Plan,
    pub root: Val<'t, 'i>,
    pub core: &'a Core<'t, 'i>,
    pub verdict: &'a Verdict,
    /// Indices of the matched rules, ascending.
    pub matched: &'a [u32],
    /// The verdict object exactly as raw mode writes it.
    pub verdict_json: &'a [u8],
    /// The record's own bytes, for `raw`.
    pub raw: &'a [u8],
    /// Whether the record object has members, for `raw`.
    pub has_members: bool,
    /// Ingest time, epoch seconds.
    pub now: f64,
}

/// `--format` text into a [`Format`].
pub fn parse(text: &str) -> Result<Format, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "raw" => Ok(Format::Raw),
        "ocsf" => Ok(Format::Ocsf),
        "ecs" => Ok(Format::Ecs),
        other => Err(format!(
            "--format: unknown format '{other}' (expected raw, ocsf or ecs)"
        )),
    }
}

/// Append one kept record, in `format`, and its newline.
pub fn write(out: &mut Vec<u8>, format: Format, kept: &Kept<'_, '_, '_>) {
    match format {
        Format::Raw => enrich::splice(
            out,
            kept.raw,
            kept.has_members,
            &kept.plan.key_json,
            kept.verdict_json,
        ),
        Format::Ocsf => ocsf::write(out, kept),
        Format::Ecs => ecs::write(out, kept),
    }
}

mod fields;
mod mappings;
mod writer;

pub(crate) use fields::{first_of_name, member, write_resources, Field, Fields};
pub use mappings::*;
pub(crate) use writer::{write_json_text, Obj};

#[cfg(test)]
mod tests;
