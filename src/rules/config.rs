//! Serde types for rule files, exactly as written in YAML.
//!
//! These types describe configuration, never behaviour: `compile` turns them
//! into the matchers the hot loop uses. Every struct denies unknown fields, so
//! a misspelt key is an error with a position, not a silently ignored rule.

use crate::model::severity::Severity;
use crate::rules::yaml::{Node, Pos, Spanned};
use serde::Deserialize;

/// One rule file: the default pack is several of these, user files layer on top.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    /// Format version of the file; only 1 exists.
    #[serde(default)]
    pub version: Option<Spanned<u32>>,
    /// Free-form description of the file.
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub settings: Option<SettingsConfig>,
    /// Ids of rules or identity classifiers to turn off.
    #[serde(default)]
    pub disable: Vec<Spanned<String>>,
    /// Identity classifiers, tried in order; the first match decides the class.
    #[serde(default)]
    pub identity: Vec<Spanned<ClassifierConfig>>,
    #[serde(default)]
    pub rules: Vec<Spanned<RuleConfig>>,
}

#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct SettingsConfig {
    /// How many tiers a failed call (errorCode or errorMessage) is bumped.
    #[serde(default)]
    pub denied_bump: Option<u8>,
    /// Error codes that do not count as a denied call (e.g. dry runs).
    #[serde(default)]
    pub denied_ignore_codes: Option<Vec<String>>,
    /// The floor for any record whose caller is the root user.
    #[serde(default)]
    pub root_min_severity: Option<Severity>,
    /// The severity of a kept record that no rule matched (`--events` lists and `*`).
    #[serde(default)]
    pub default_severity: Option<Severity>,
    /// The class given when no identity classifier matches.
    #[serde(default)]
    pub identity_default: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    pub id: Spanned<String>,
    pub title: String,
    /// Read as text so a bad level is reported with the other errors.
    pub severity: Spanned<String>,
    pub category: String,
    #[serde(default)]
    pub attack: Vec<Spanned<String>>,
    #[serde(default)]
    pub rationale: Option<String>,
    /// `source:Name` pairs; `source` may be short (`iam`), `Name*` is a prefix,
    /// and a bare `Name` matches any source. Empty means every event.
    #[serde(default)]
    pub events: Vec<Spanned<String>>,
    /// The condition; absent means the event pair alone matches.
    #[serde(default)]
    pub when: Option<Node>,
    /// Free-text tags, listed by `ctfilter rules --json` (not in the verdict).
    #[serde(default)]
    pub tags: Vec<String>,
    /// Credit line for rules adapted from elsewhere.
    #[serde(default)]
    pub author: Option<String>,
    /// Public detections this rule serves: `elastic:"Name"`, `sigma:<id>`
    /// or `PREFIX:text`; listed by `ctfilter rules --json` (not in the verdict).
    #[serde(default)]
    pub refs: Vec<Spanned<String>>,
    #[serde(default)]
    pub tests: Vec<Spanned<RuleTestConfig>>,
    /// `first_seen: {by: [...], within: 10d}`: fire only on a new tuple
    /// (compiled by `rules::first_seen`; active only with `--state`).
    #[serde(default)]
    pub first_seen: Option<Spanned<FirstSeenConfig>>,
}

/// A rule's `first_seen` block, as written.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct FirstSeenConfig {
    /// Field paths whose values form the tuple, e.g. `userIdentity.arn`.
    pub by: Vec<Spanned<String>>,
    /// How long a sighting counts, e.g. `10d`, `12h`.
    pub within: Spanned<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct ClassifierConfig {
    pub id: Spanned<String>,
    /// `human`, `machine` or `service`.
    pub class: Spanned<String>,
    /// What the classifier looks at, shown by `explain`.
    pub signal: String,
    pub when: Node,
}

/// A test carried by a rule: a record and what the rule must make of it.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RuleTestConfig {
    #[serde(default)]
    pub name: Option<String>,
    /// Whether this rule must match the record.
    #[serde(rename = "match")]
    pub should_match: bool,
    /// Expected final severity of the record (after bumps and floors).
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Expected identity class.
    #[serde(default)]
    pub identity: Option<String>,
    /// The record, written in YAML or JSON flow style.
    pub record: Node,
    /// Records evaluated before `record`, in order, on one fresh first-seen
    /// state past its learning period (for first-seen rules).
    #[serde(default)]
    pub history: Vec<Spanned<HistoryStepConfig>>,
}

/// One earlier record of a test's `history`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct HistoryStepConfig {
    pub record: Node,
    /// Whether this rule must match this record (absent: not checked).
    #[serde(default, rename = "match")]
    pub should_match: Option<bool>,
}

/// Where a config item came from, for diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: std::sync::Arc<str>,
    pub pos: Pos,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.pos.line, self.pos.col)
    }
}
