//! The verdict's `first_seen` member: which first-seen rules fired, the
//! tuple's fields and values, and the tuple's previous sighting.
//!
//! Guarantees: written only when a first-seen rule fired, so every other
//! verdict is byte-for-byte today's; values are re-read from the record by
//! the rule's `by` paths, transformed as the tuple was and keyed by the
//! field as written (a missing or non-string value is `null`);
//! `previous` is RFC 3339 UTC, or `null` if never seen (or expired); nothing
//! allocates once the verdict buffer is warm.

use crate::engine::tracker::Fired;
use crate::model::json;
use crate::model::record::{text, Rec};
use crate::rules::first_seen::TransformBuf;
use crate::rules::plan::Plan;
use std::io::Write as _;

/// Append `,"first_seen":[...]` inside the verdict object `out` ends with.
pub fn append(out: &mut Vec<u8>, plan: &Plan, rec: Rec<'_, '_, '_>, fired: &[Fired]) {
    if fired.is_empty() {
        return;
    }
    json::append_member(out, "first_seen", |out| write_fired(out, plan, rec, fired));
}

/// The `first_seen` array: one object per fired rule.
fn write_fired(out: &mut Vec<u8>, plan: &Plan, rec: Rec<'_, '_, '_>, fired: &[Fired]) {
    out.push(b'[');
    for (n, f) in fired.iter().enumerate() {
        let rule = &plan.rules.rules[f.rule as usize];
        let Some(spec) = &rule.first_seen else {
            continue;
        };
        if n > 0 {
            out.push(b',');
        }
        let first = &mut true;
        out.push(b'{');
        json::key(out, first, "rule");
        json::write_str(out, &rule.id);
        json::key(out, first, "by");
        let inner = &mut true;
        out.push(b'{');
        let mut buf = TransformBuf::default();
        for field in &spec.by {
            let value = field.path.first_in(rec).and_then(text);
            let value = value.map(|v| field.transform.apply(v, &mut buf));
            json::opt_str_member(out, inner, &field.name, value);
        }
        out.push(b'}');
        json::key(out, first, "previous");
        match f.previous {
            Some(t) => {
                out.push(b'"');
                let _ = write!(out, "{t}");
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
    }
    out.push(b']');
}
