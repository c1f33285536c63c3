//! The immutable compiled plan: everything the hot loop consults.
//!
//! A `Plan` is built once from CLI options and rule files before any input is
//! read (and rebuilt whole on SIGHUP). It holds compiled conditions, resolved
//! paths and hashed event sets, and nothing in it changes while records flow.

use crate::model::record::Path;
use crate::model::severity::Severity;
use crate::rules::condition::Condition;
use crate::rules::config::Origin;
use crate::rules::events::{EventIndex, EventSpec};
use std::collections::HashSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentityClass {
    Human,
    Machine,
    Service,
}

impl IdentityClass {
    pub fn parse(text: &str) -> Option<IdentityClass> {
        match text.trim().to_ascii_lowercase().as_str() {
            "human" => Some(IdentityClass::Human),
            "machine" => Some(IdentityClass::Machine),
            "service" => Some(IdentityClass::Service),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityClass::Human => "human",
            IdentityClass::Machine => "machine",
            IdentityClass::Service => "service",
        }
    }
}

#[derive(Debug)]
pub struct Rule {
    pub id: Box<str>,
    pub title: Box<str>,
    pub severity: Severity,
    pub category: Box<str>,
    pub attack: Vec<Box<str>>,
    pub rationale: Option<Box<str>>,
    pub author: Option<Box<str>>,
    pub tags: Vec<Box<str>>,
    /// Public detections the rule serves (`elastic:"Name"`, `sigma:<id>`,
    /// `PREFIX:text`), validated at compile time; never in the verdict.
    pub refs: Vec<Box<str>>,
    /// Empty: the rule is tried on every event.
    pub events: Vec<EventSpec>,
    pub condition: Option<Condition>,
    pub origin: Origin,
    pub tests: Vec<RuleTest>,
    /// `first_seen`: the rule matches only on a new tuple (with `--state`).
    pub first_seen: Option<FirstSeenSpec>,
}

pub use crate::rules::first_seen::{ByField, FirstSeenSpec, KeyTransform};

#[derive(Debug, Clone)]
pub struct RuleTest {
    pub name: Option<String>,
    pub should_match: bool,
    pub severity: Option<Severity>,
    pub identity: Option<String>,
    /// The record as compact JSON.
    pub record_json: String,
    pub origin: Origin,
    /// Records evaluated first, on one first-seen state (`history:`).
    pub history: Vec<HistoryStep>,
}

/// One record of a test's `history`.
#[derive(Debug, Clone)]
pub struct HistoryStep {
    pub record_json: String,
    /// Whether the rule must match it (`None`: not checked).
    pub should_match: Option<bool>,
    pub origin: Origin,
}

#[derive(Debug)]
pub struct Classifier {
    pub id: Box<str>,
    pub class: IdentityClass,
    pub signal: Box<str>,
    pub condition: Condition,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub denied_bump: u8,
    pub denied_ignore_codes: Vec<Box<str>>,
    pub root_min_severity: Severity,
    pub default_severity: Severity,
    pub identity_default: IdentityClass,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            denied_bump: 1,
            denied_ignore_codes: vec!["Client.DryRunOperation".into()],
            root_min_severity: Severity::High,
            default_severity: Severity::Info,
            identity_default: IdentityClass::Machine,
        }
    }
}

/// The rules part of a plan: what `-r`, `--no-default-rules` and SIGHUP change.
#[derive(Debug, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub classifiers: Vec<Classifier>,
    pub settings: Settings,
    /// Rule indices by event pair.
    pub index: EventIndex<u32>,
    /// Rules with no `events`, tried on every record.
    pub any_event: Vec<u32>,
}

/// Which events pass the allow-list stage.
#[derive(Debug, Clone)]
pub enum EventsMode {
    /// A record is kept when an enabled rule matches it.
    Rules,
    /// Every record is kept.
    All,
    /// Records whose pair is listed are kept, rules only grade them.
    List(EventIndex<()>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The input record with the verdict spliced in.
    Raw,
    /// OCSF 1.1.0 API Activity / Detection Finding (`src/format/ocsf.rs`).
    Ocsf,
    /// Elastic Common Schema, as Elastic's CloudTrail integration (`src/format/ecs.rs`).
    Ecs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    DeadLetter,
    Pass,
}

#[derive(Debug, Clone, Default)]
pub struct Categories {
    pub management: bool,
    pub data: bool,
    pub insight: bool,
    pub network: bool,
}

impl Categories {
    pub fn all() -> Self {
        Categories {
            management: true,
            data: true,
            insight: true,
            network: true,
        }
    }
}

/// Options from the command line that shape the run, independent of rules.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub accounts: Option<HashSet<String>>,
    pub regions: Option<HashSet<String>>,
    pub categories: Categories,
    pub write_only: bool,
    /// `None`: every class passes.
    pub identities: Option<Vec<IdentityClass>>,
    pub events: EventsMode,
    pub min_severity: Severity,
    pub key: String,
    pub format: Format,
    /// Host-wrapped field named with `--field`; `message` and `log` are always tried.
    pub field: Option<Path>,
    pub on_error: OnError,
    pub strict: bool,
    pub max_line_bytes: usize,
    pub max_depth: usize,
    /// Fixed ingest time (epoch seconds) for reproducible `latency_s`.
    pub now: Option<f64>,
    /// `--validate`: the fast structural pass, or a full parse of every record.
    pub validate: crate::rules::fast::Validate,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            accounts: None,
            regions: None,
            categories: Categories::all(),
            write_only: false,
            identities: None,
            events: EventsMode::Rules,
            min_severity: Severity::Info,
            key: "ctfilter".into(),
            format: Format::Raw,
            field: None,
            on_error: OnError::DeadLetter,
            strict: false,
            max_line_bytes: 64 << 20,
            max_depth: 128,
            now: None,
            validate: Default::default(),
        }
    }
}

#[derive(Debug)]
pub struct Plan {
    pub rules: RuleSet,
    pub options: RunOptions,
    /// The escaped key, ready to splice: `"ctfilter":`.
    pub key_json: Vec<u8>,
    /// For each rule, an earlier first-seen rule with the same condition,
    /// whose result the evaluator reuses within a record (`None`: own).
    pub same_condition: Vec<Option<u32>>,
    /// The fields a dropped record's decision reads; `None`: every record
    /// takes the full parse.
    pub fast: Option<crate::rules::fast::FastPlan>,
}

/// The fast path's part, for `--validate fast` unless every record is kept.
fn fast_plan(rules: &RuleSet, options: &RunOptions) -> Option<crate::rules::fast::FastPlan> {
    if options.validate != crate::rules::fast::Validate::Fast
        || matches!(options.events, EventsMode::All)
    {
        return None;
    }
    let any_event = rules
        .any_event
        .iter()
        .filter_map(|&idx| rules.rules[idx as usize].condition.as_ref());
    let classifiers = rules
        .classifiers
        .iter()
        .filter(|_| options.identities.is_some())
        .map(|c| &c.condition);
    crate::rules::fast::FastPlan::build(
        any_event.chain(classifiers),
        rules.rules.iter().map(|rule| rule.condition.as_ref()),
    )
}

impl Plan {
    pub fn new(rules: RuleSet, options: RunOptions) -> Plan {
        let mut key_json = Vec::with_capacity(options.key.len() + 3);
        crate::model::json::write_str(&mut key_json, &options.key);
        key_json.push(b':');
        let fast = fast_plan(&rules, &options);
        let same_condition = same_conditions(&rules);
        Plan {
            rules,
            options,
            key_json,
            fast,
            same_condition,
        }
    }
}

/// First-seen rules with identical conditions (the default region and
/// client-family rules share theirs): each points at the first of them.
/// Only first-seen rules are compared, so building stays cheap.
fn same_conditions(rules: &RuleSet) -> Vec<Option<u32>> {
    let mut seen: Vec<(String, u32)> = Vec::new();
    let mut out = vec![None; rules.rules.len()];
    for (i, rule) in rules.rules.iter().enumerate() {
        let (Some(_), Some(cond)) = (&rule.first_seen, &rule.condition) else {
            continue;
        };
        let text = format!("{cond:?}");
        match seen.iter().find(|(t, _)| *t == text) {
            Some(&(_, first)) => out[i] = Some(first),
            None => seen.push((text, i as u32)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::fast::Validate;

    #[test]
    fn a_fast_plan_only_for_validate_fast_without_events_all() {
        let plan = |validate, events| {
            let options = RunOptions {
                validate,
                events,
                ..RunOptions::default()
            };
            Plan::new(RuleSet::default(), options).fast.is_some()
        };
        assert!(plan(Validate::Fast, EventsMode::Rules));
        assert!(!plan(Validate::Full, EventsMode::Rules));
        assert!(!plan(Validate::Fast, EventsMode::All));
        assert!(!plan(Validate::Full, EventsMode::All));
    }
}
