//! The plan's part for the fast path: which top-level fields a dropped
//! record's decision can read, so only those are parsed (`input::fields`,
//! `run::process::fast`).
//!
//! Built once by `Plan::new` (`plan.rs`). The set holds the
//! fourteen fields `Core::extract` type-checks (so a wrong type is still
//! dead-lettered), the first key of every path read by a rule tried on every
//! event (`any_event`), and with `--identity` the classifiers' paths; a
//! record whose pair lists rules adds those rules' keys ([`FastPlan::needed`]).
//! Scope flags read only core fields.
//! Guarantees: when a decision could read anything outside the set (a path
//! with no step in a rule tried on every event), or the run keeps every record
//! (`--events '*'`), or `--validate full` is set, there is no fast plan
//! (`plan.rs` decides the last two); a
//! listed rule that reads what cannot be captured sends its records to the
//! full path.

use crate::model::record::top_slot;
use crate::rules::condition::Condition;

/// How records are validated before a decision. The default stays `Full`
/// until the structural pass is faster than simd-json's own validation
/// (BENCHMARKS.md, "Issue 14: fast path").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Validate {
    /// A structural pass over the whole record, then a parse of only the
    /// fields the plan reads; kept and unusual records take the full parse.
    Fast,
    /// Every record is parsed in full by simd-json.
    #[default]
    Full,
}

impl Validate {
    pub fn parse(text: &str) -> Result<Validate, String> {
        match text.trim() {
            "fast" => Ok(Validate::Fast),
            "full" => Ok(Validate::Full),
            other => Err(format!("--validate: '{other}' is not fast or full")),
        }
    }
}

/// Captures are numbered: a standard top-level field by its slot
/// (`model::record::TOP_FIELDS`, 0..32), any other key from 32 up. The
/// same bound as `input::fields::MAX_CAPTURES` (checked where both meet).
pub const MAX_CAPTURES: usize = 64;

/// The fields `Core::extract` type-checks; each must reach the stand-in so a
/// wrong type is found as it is on the full path.
const CORE_FIELDS: [&str; 14] = [
    "eventSource",
    "eventName",
    "eventType",
    "eventCategory",
    "eventTime",
    "awsRegion",
    "recipientAccountId",
    "errorCode",
    "errorMessage",
    "readOnly",
    "userIdentity",
    "additionalEventData",
    "insightDetails",
    "sessionCredentialFromConsole",
];

/// The keys that make an object a CloudTrail record (`classify_shape`).
const SHAPE_FIELDS: [&str; 7] = [
    "eventVersion",
    "eventName",
    "eventSource",
    "eventType",
    "eventID",
    "eventTime",
    "userIdentity",
];

/// What the fast path captures from a record's top level.
#[derive(Debug, Clone)]
pub struct FastPlan {
    /// Captures every record's stand-in holds: the core fields, and the
    /// keys of rules tried on every event (and of classifiers).
    base: u64,
    /// For each rule, the captures its condition reads; `None` when it
    /// reads more than the fast path can capture.
    by_rule: Vec<Option<u64>>,
    /// Every key that matters, bucketed by length: (its first 8 bytes, the
    /// key, its use).
    by_len: Vec<Vec<KnownKey>>,
    /// The captures of `eventSource` and `eventName`.
    pub source: u8,
    pub name: u8,
}

/// A key the plan knows: its first and last 8 bytes as words (see
/// [`words`]), the key, its use.
type KnownKey = (u64, u64, Box<[u8]>, KeyUse);

/// What a top-level key means to the fast path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUse {
    /// The capture number, when the key's value may be needed.
    pub capture: Option<u8>,
    /// Whether the key makes the object a record.
    pub shape: bool,
}

/// The first and the last 8 bytes of `key` as two words (they overlap
/// when the key is shorter than 16 bytes; a key shorter than 8 is
/// zero-padded, and both words are then the same). Two keys of the same
/// length up to 16 bytes are equal exactly when both words are.
#[inline(always)]
fn words(key: &[u8]) -> (u64, u64) {
    let n = key.len();
    if n >= 8 {
        let word = |at: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&key[at..at + 8]);
            u64::from_le_bytes(w)
        };
        (word(0), word(n - 8))
    } else {
        let mut w = [0u8; 8];
        for (to, from) in w.iter_mut().zip(key) {
            *to = *from;
        }
        let w = u64::from_le_bytes(w);
        (w, w)
    }
}

/// Top-level keys of a condition's paths; `None` when a path has no step.
fn condition_keys(condition: &Condition) -> Option<Vec<String>> {
    let mut keys = Vec::new();
    let mut complete = true;
    condition.for_each_field(&mut |test| {
        let mut add = |path: &crate::model::record::Path| match path.first_key() {
            Some(key) => keys.push(key.to_string()),
            None => complete = false,
        };
        add(&test.path);
        if let crate::rules::condition::Matcher::FieldRef { other, .. } = &test.matcher {
            add(other);
        }
    });
    complete.then_some(keys)
}

impl FastPlan {
    /// The fast plan: `base` are the conditions tried on every record (rules
    /// with no events, classifiers with `--identity`), `rules` each rule's
    /// condition in rule order. `None` when the fast path cannot decide.
    /// `Plan::new` calls this only for `--validate fast` without `--events '*'`.
    pub fn build<'a>(
        base: impl IntoIterator<Item = &'a Condition>,
        rules: impl IntoIterator<Item = Option<&'a Condition>>,
    ) -> Option<FastPlan> {
        let mut names: Vec<String> = Vec::new();
        let mut capture = |key: &str| -> Option<u8> {
            if let Some(slot) = top_slot(key) {
                return Some(slot as u8);
            }
            let at = match names.iter().position(|k| k == key) {
                Some(at) => at,
                None => {
                    names.push(key.to_string());
                    names.len() - 1
                }
            };
            (32 + at < MAX_CAPTURES).then_some((32 + at) as u8)
        };
        let mut mask_of = |keys: &[String]| -> Option<u64> {
            keys.iter()
                .try_fold(0u64, |mask, key| Some(mask | 1 << capture(key)?))
        };
        let mut base_mask = mask_of(&CORE_FIELDS.map(String::from))?;
        for condition in base {
            base_mask |= mask_of(&condition_keys(condition)?)?;
        }
        let by_rule = rules
            .into_iter()
            .map(|condition| match condition {
                None => Some(0),
                Some(condition) => condition_keys(condition).and_then(|keys| mask_of(&keys)),
            })
            .collect();
        let mut plan = FastPlan {
            base: base_mask,
            by_rule,
            by_len: Vec::new(),
            source: top_slot("eventSource")? as u8,
            name: top_slot("eventName")? as u8,
        };
        let mut add = |key: &str, capture: Option<u8>, shape: bool| {
            let len = key.len();
            if plan.by_len.len() <= len {
                plan.by_len.resize(len + 1, Vec::new());
            }
            let (head, tail) = words(key.as_bytes());
            let used = KeyUse { capture, shape };
            plan.by_len[len].push((head, tail, key.as_bytes().into(), used));
        };
        for (slot, key) in crate::model::record::TOP_FIELDS.iter().enumerate() {
            add(key, Some(slot as u8), SHAPE_FIELDS.contains(key));
        }
        for (i, key) in names.iter().enumerate() {
            if 32 + i < MAX_CAPTURES {
                add(key, Some((32 + i) as u8), false);
            }
        }
        Some(plan)
    }

    /// What `key` (raw bytes between the quotes, no escapes) means.
    #[inline]
    pub fn key(&self, key: &[u8]) -> KeyUse {
        if let Some(bucket) = self.by_len.get(key.len()) {
            let (head, tail) = words(key);
            for (known_head, known_tail, known, used) in bucket {
                if *known_head == head
                    && *known_tail == tail
                    && (key.len() <= 16 || known[8..] == key[8..])
                {
                    return *used;
                }
            }
        }
        KeyUse {
            capture: None,
            shape: false,
        }
    }

    /// The captures the stand-in of a record with this rule list needs:
    /// the base set and each listed rule's keys; `None` when a listed rule
    /// reads what the fast path cannot capture.
    #[inline]
    pub fn needed(&self, rules: impl IntoIterator<Item = u32>) -> Option<u64> {
        rules
            .into_iter()
            .try_fold(self.base, |mask, idx| self.with_rule(Some(mask), idx))
    }

    /// `mask` with rule `idx`'s captures added (`None` stays `None`).
    #[inline]
    pub fn with_rule(&self, mask: Option<u64>, idx: u32) -> Option<u64> {
        Some(mask? | (*self.by_rule.get(idx as usize)?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(yaml: &str) -> Condition {
        let node = crate::rules::yaml::from_str(yaml).unwrap();
        let mut out = Vec::new();
        let mut diags = crate::rules::diag::Diags {
            file: "t.yml".into(),
            out: &mut out,
        };
        let condition = crate::rules::condition::compile(&node, &mut diags);
        assert!(out.is_empty(), "{yaml}");
        condition
    }

    #[test]
    fn captures_core_fields_base_paths_and_listed_rules_on_demand() {
        let any = condition("userAgent|contains: kali\ncustom.deep|fieldref: other.x\n");
        let listed = condition("requestParameters.userName: root\n");
        let fast = FastPlan::build([&any], [Some(&any), Some(&listed), None]).unwrap();
        let bit = |key: &str| 1u64 << fast.key(key.as_bytes()).capture.unwrap();
        let base = fast.needed([]).unwrap();
        for key in [
            "eventName",
            "userIdentity",
            "readOnly",
            "userAgent",
            "custom",
            "other",
        ] {
            assert_ne!(base & bit(key), 0, "{key}");
        }
        assert!(fast.key(b"eventVersion").shape);
        assert!(!fast.key(b"userAgent").shape);
        assert_eq!(fast.key(b"custom").capture, Some(32));
        assert_eq!(fast.key(b"other").capture, Some(33));
        assert_eq!(fast.key(b"nothing").capture, None);
        // The listed rule's keys join only when its pair is listed.
        assert_eq!(base & bit("requestParameters"), 0);
        assert_eq!(fast.needed([1]), Some(base | bit("requestParameters")));
        assert_eq!(fast.needed([2]), Some(base));
        assert_eq!(fast.needed([9]), None);
    }

    #[test]
    fn key_lookup_finds_exactly_the_known_keys() {
        let long = condition("aVeryLongCustomFieldNameHere.x: 1\nshort.x: 1\n");
        let fast = FastPlan::build([&long], []).unwrap();
        let mut known: Vec<&str> = crate::model::record::TOP_FIELDS.to_vec();
        known.extend(["aVeryLongCustomFieldNameHere", "short"]);
        for key in &known {
            let used = fast.key(key.as_bytes());
            assert!(used.capture.is_some(), "{key}");
            // Every one-byte change, at every position, is another key.
            let mut other = key.as_bytes().to_vec();
            for at in 0..other.len() {
                other[at] ^= 1;
                if !known.iter().any(|k| k.as_bytes() == other) {
                    assert_eq!(fast.key(&other).capture, None, "{key} changed at {at}");
                }
                other[at] ^= 1;
            }
            // Prefixes and extensions, which share leading words.
            for cut in 0..key.len() {
                if !known.contains(&&key[..cut]) {
                    assert_eq!(fast.key(&key.as_bytes()[..cut]).capture, None);
                }
            }
            let longer = format!("{key}\0");
            assert_eq!(fast.key(longer.as_bytes()).capture, None);
        }
    }

    #[test]
    fn a_base_path_without_a_step_leaves_no_fast_plan() {
        let whole = condition("'[]|contains': x\n");
        assert!(FastPlan::build([&whole], []).is_none());
        assert!(FastPlan::build([], [Some(&whole)])
            .unwrap()
            .needed([0])
            .is_none());
    }
}
