//! The plan's part for the fast path: which top-level fields a dropped
//! record's decision can read, so only those are parsed (`input::fields`,
//! `run::process::fast`).
//!
//! Built once with the [`Plan`](crate::rules::plan::Plan). The set holds the
//! fourteen fields `Core::extract` type-checks (so a wrong type is still
//! dead-lettered), the first key of every path read by a rule tried on every
//! event (`any_event`), and with `--identity` the classifiers' paths. Scope
//! flags read only core fields. Rules listed for an event pair are not
//! covered: a record whose pair is in the rule index takes the full path.
//! Guarantees: when a decision could read anything outside the set (a path
//! with no step, too many distinct keys), or the run keeps every record
//! (`--events '*'`), or `--validate full` is set, there is no fast plan.

use crate::model::record::top_slot;
use crate::rules::plan::{EventsMode, RuleSet, RunOptions};

/// How records are validated before a decision.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Validate {
    /// A structural pass over the whole record, then a parse of only the
    /// fields the plan reads; kept and unusual records take the full parse.
    #[default]
    Fast,
    /// Every record is parsed in full by simd-json.
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
    /// Standard slots to capture, one bit each.
    standard: u32,
    /// Standard slots whose key makes the object a record.
    shape: u32,
    /// Other top-level keys to capture, as raw bytes (capture 32 + index).
    extra: Vec<Box<[u8]>>,
}

/// What a top-level key means to the fast path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUse {
    /// The capture number, when the key's value is needed.
    pub capture: Option<u8>,
    /// Whether the key makes the object a record.
    pub shape: bool,
}

impl FastPlan {
    /// The fast plan for these rules and options, `None` when the fast path
    /// cannot decide a record of this run.
    pub fn build(rules: &RuleSet, options: &RunOptions) -> Option<FastPlan> {
        if options.validate == Validate::Full || matches!(options.events, EventsMode::All) {
            return None;
        }
        let mut keys: Vec<String> = CORE_FIELDS.iter().map(|k| k.to_string()).collect();
        let mut complete = true;
        let mut note = |condition: &crate::rules::condition::Condition| {
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
        };
        for &idx in &rules.any_event {
            if let Some(condition) = &rules.rules[idx as usize].condition {
                note(condition);
            }
        }
        if options.identities.is_some() {
            for classifier in &rules.classifiers {
                note(&classifier.condition);
            }
        }
        if !complete {
            return None;
        }
        let mut plan = FastPlan {
            standard: 0,
            shape: 0,
            extra: Vec::new(),
        };
        for key in SHAPE_FIELDS {
            plan.shape |= 1 << top_slot(key)?;
        }
        for key in keys {
            match top_slot(&key) {
                Some(slot) => plan.standard |= 1 << slot,
                None if plan.extra.iter().any(|k| **k == *key.as_bytes()) => {}
                None => plan.extra.push(key.into_bytes().into_boxed_slice()),
            }
        }
        (plan.extra.len() <= MAX_CAPTURES - 32).then_some(plan)
    }

    /// What `key` (raw bytes between the quotes, no escapes) means.
    #[inline]
    pub fn key(&self, key: &[u8]) -> KeyUse {
        let slot = std::str::from_utf8(key).ok().and_then(top_slot);
        if let Some(slot) = slot {
            let bit = 1u32 << slot;
            return KeyUse {
                capture: (self.standard & bit != 0).then_some(slot as u8),
                shape: self.shape & bit != 0,
            };
        }
        KeyUse {
            capture: self
                .extra
                .iter()
                .position(|k| **k == *key)
                .map(|i| (32 + i) as u8),
            shape: false,
        }
    }

    /// How many captures this plan can make (the bound of capture numbers).
    pub fn captures(&self) -> usize {
        32 + self.extra.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::plan::Plan;

    fn plan_for(yaml: &str, options: RunOptions) -> Plan {
        let mut diags = Vec::new();
        let source = crate::rules::source::Source::yaml("t.yml", yaml);
        let rules = crate::rules::load::compile_layered(&[source], &[], &mut diags);
        Plan::new(rules.unwrap_or_else(|| panic!("{diags:?}")), options)
    }

    const RULES: &str = r#"
rules:
  - id: any-ua
    title: t
    severity: high
    category: x
    when:
      userAgent|contains: kali
      custom.deep|fieldref: other.x
  - id: listed
    title: t
    severity: high
    category: x
    events: [iam:CreateUser]
    when:
      requestParameters.userName: root
"#;

    #[test]
    fn captures_core_fields_and_any_event_paths_only() {
        let plan = plan_for(RULES, RunOptions::default());
        let fast = plan.fast.as_ref().expect("a fast plan");
        for key in ["eventName", "userIdentity", "readOnly", "userAgent"] {
            assert!(fast.key(key.as_bytes()).capture.is_some(), "{key}");
        }
        assert_eq!(fast.key(b"eventVersion").capture, None);
        assert!(fast.key(b"eventVersion").shape);
        assert!(!fast.key(b"userAgent").shape);
        // Only the any-event rule's keys; the listed rule takes the full path.
        assert_eq!(fast.key(b"requestParameters").capture, None);
        assert_eq!(fast.key(b"custom").capture, Some(32));
        assert_eq!(fast.key(b"other").capture, Some(33));
        assert_eq!(fast.key(b"nothing").capture, None);
    }

    #[test]
    fn no_fast_plan_when_every_record_is_kept_or_full_validation_is_asked() {
        let all = RunOptions {
            events: EventsMode::All,
            ..RunOptions::default()
        };
        assert!(plan_for(RULES, all).fast.is_none());
        let full = RunOptions {
            validate: Validate::Full,
            ..RunOptions::default()
        };
        assert!(plan_for(RULES, full).fast.is_none());
    }
}
