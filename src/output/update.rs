//! The verdict's `update_of` member: with `--dedupe`, a record that carries
//! an `addendum` block (CloudTrail's late update of an earlier event) is
//! kept, and marked as an update of `addendum.originalEventID`.
//!
//! Guarantees: written only when the tracker flagged the record (so without
//! `--dedupe` every verdict is byte-for-byte today's); the value is
//! `addendum.originalEventID` as a JSON string, or `null` when it is missing
//! or not a string; it travels inside the verdict, so OCSF (`unmapped`
//! data) and ECS (the verdict's key) carry it too; nothing allocates once
//! the verdict buffer is warm.

use crate::model::json;
use crate::model::record::{text, Val};

/// Append `,"update_of":"<id>"` inside the verdict object `out` ends with.
pub fn append(out: &mut Vec<u8>, root: Val<'_, '_>) {
    let original = root
        .get("addendum")
        .and_then(|a| a.get("originalEventID"))
        .and_then(text);
    json::append_member(out, "update_of", |out| json::write_opt_str(out, original));
}

#[cfg(test)]
mod tests {
    use super::append;

    fn verdict_for(record: &str) -> String {
        let mut bytes = record.as_bytes().to_vec();
        let tape = simd_json::to_tape(&mut bytes).unwrap();
        let mut out = br#"{"severity":"low"}"#.to_vec();
        append(&mut out, tape.as_value());
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn names_the_original_event_or_null() {
        assert_eq!(
            verdict_for(
                r#"{"eventID":"e2","addendum":{"reason":"DELIVERY_DELAY","originalEventID":"e1"}}"#
            ),
            r#"{"severity":"low","update_of":"e1"}"#
        );
        assert_eq!(
            verdict_for(r#"{"eventID":"e2","addendum":{"reason":"DELIVERY_DELAY"}}"#),
            r#"{"severity":"low","update_of":null}"#
        );
    }
}
