//! The fast path for a record that will be dropped: check the whole record
//! with the structural pass (`input::fields`), copy the first occurrence of
//! each top-level field the plan reads (`rules::fast`) into a small stand-in
//! object, parse only that, and run the unchanged `Core::extract` and
//! `Evaluator::decide` on it.
//!
//! Guarantees: the fast path only ever counts a record as filtered, at the
//! stage the full path would name. It gives the record back to the full
//! path (returns `false`, having counted nothing) whenever the pass is not
//! sure the record is valid, a top-level key is escaped, the object is not
//! a record, `eventName` is not a plain string (absent, null, escaped), a
//! rule listed for the event pair reads what cannot be captured, the
//! stand-in does not extract or parse, the decision is to keep, or `explain`
//! or first-seen state is active. The stand-in holds every field the
//! decision reads: the plan's base set, plus the keys of the rules listed
//! for the pair (looked up from the raw, unescaped `eventSource` and
//! `eventName`, which are then the values the decision sees). Kept records and dead letters
//! therefore come from the full path, byte for byte as before. Nothing here
//! allocates once the stand-in buffer has grown.

use super::*;
use crate::engine::Decision;
use crate::input::fields::{self, KeyUse};

const _: () = assert!(fields::MAX_CAPTURES == crate::rules::fast::MAX_CAPTURES);

impl Processor {
    /// Decide `bytes` on the fast path; `true` when it was counted as
    /// filtered, `false` when the full path must take it.
    pub(super) fn fast(&mut self, plan: &Plan, bytes: &[u8], ctx: Ctx<'_>) -> bool {
        let Some(fast) = &plan.fast else {
            return false;
        };
        if self.explain.is_some() || self.eval.tracker.is_some() {
            return false;
        }
        let keys = |key: &[u8]| {
            let used = fast.key(key);
            KeyUse {
                capture: used.capture,
                shape: used.shape,
            }
        };
        let found = &mut self.fields;
        if !fields::scan(bytes, keys, plan.options.max_depth, found) || !found.shape {
            return false;
        }
        // The stand-in holds the base captures, and the keys of every rule
        // listed for the record's event pair (read from the raw values).
        let Some(name) = plain_string(bytes, found, fast.name) else {
            return false;
        };
        let mut needed = fast.needed([]);
        match plain_string(bytes, found, fast.source) {
            Some(source) => plan.rules.index.for_each(source, name, |idx| {
                needed = fast.with_rule(needed, idx);
            }),
            None if found.seen & (1 << fast.source) == 0 => {}
            None if raw_value(bytes, found, fast.source) == Some(b"null") => {}
            None => return false,
        }
        let Some(needed) = needed else {
            return false;
        };
        let mut stand = std::mem::take(&mut self.stand);
        stand.clear();
        stand.push(b'{');
        let mut seen = found.seen & needed;
        while seen != 0 {
            let capture = seen.trailing_zeros() as usize;
            seen &= seen - 1;
            let (from, to) = found.spans[capture];
            stand.extend_from_slice(&bytes[from..to]);
            stand.push(b',');
        }
        match stand.last_mut() {
            Some(last @ b',') => *last = b'}',
            _ => stand.push(b'}'),
        }
        let len = stand.len();
        stand.resize(len + simd_json::INPUT_PADDING, 0);
        let mut tape = self
            .tape
            .take()
            .unwrap_or_else(|| Tape::null().reset())
            .reset();
        let mut done = false;
        if simd_json::fill_tape_padded(&mut stand, len, &mut self.buffers, &mut tape).is_ok() {
            let root = tape.as_value();
            done = self.decide_dropped(plan, root, ctx);
        }
        self.tape = Some(tape.reset());
        self.stand = stand;
        done
    }

    /// Count the stand-in's record as filtered if the plan drops it.
    fn decide_dropped(&mut self, plan: &Plan, root: Val<'_, '_>, ctx: Ctx<'_>) -> bool {
        let Ok(core) = Core::extract(root) else {
            return false;
        };
        if core.event_name.is_none() {
            return false;
        }
        let Decision::Drop(stage) = self.eval.decide(plan, root, &core) else {
            return false;
        };
        self.stats.read += 1;
        self.stats.shapes[ctx.shape as usize] += 1;
        if let Some(stamp) = core.event_time {
            self.stats.saw_event_time(stamp);
        }
        self.stats.drop_at(stage);
        self.fast_dropped += 1;
        true
    }
}

/// The raw value of a captured member (`"key" : value` as written).
fn raw_value<'b>(bytes: &'b [u8], found: &fields::Fields, capture: u8) -> Option<&'b [u8]> {
    if found.seen & (1 << capture) == 0 {
        return None;
    }
    let (from, to) = found.spans[capture as usize];
    let member = &bytes[from..to];
    // The key is a known field name: the first colon ends it.
    let colon = memchr::memchr(b':', member)?;
    let value = &member[colon + 1..];
    let start = value.iter().position(|b| !b.is_ascii_whitespace())?;
    Some(&value[start..])
}

/// A captured value that is a string without escapes, as its text.
fn plain_string<'b>(bytes: &'b [u8], found: &fields::Fields, capture: u8) -> Option<&'b str> {
    let value = raw_value(bytes, found, capture)?;
    let inner = value.strip_prefix(b"\"")?.strip_suffix(b"\"")?;
    if memchr::memchr(b'\\', inner).is_some() {
        return None;
    }
    std::str::from_utf8(inner).ok()
}
