//! The per-record decision: `--dedupe`, scope, identity class, allow-list,
//! severity.
//!
//! Stages run in the documented order and a dropped record is attributed to the
//! first stage that drops it. The identity class is computed lazily when no
//! `--identity` filter is set (it cannot drop anything then), which changes no
//! result. The evaluator reuses its buffers, so a warmed-up record allocates
//! nothing here.

pub mod state;
pub mod tracker;

use crate::model::counted::counted_enum;
use crate::model::record::{kind_name, text, top_slot, Rec, Top, Val};
use crate::model::severity::Severity;
use crate::rules::plan::{Categories, EventsMode, IdentityClass, Plan};
use simd_json::prelude::{TypedScalarValue as _, ValueAsScalar as _};

counted_enum! {
    /// The stages that can drop a record, in order.
    pub enum Stage {
        Scope => "scope",
        Identity => "identity",
        Events => "events",
        Severity => "severity",
        /// `--dedupe`: the `eventID` was already seen within the window.
        Duplicate => "duplicate",
    }
}

/// Why a record is bad, as written to the dead-letter sink.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadRecord(pub String);

/// The top-level fields the stages read, type-checked once.
#[derive(Clone, Copy, Default)]
pub struct Core<'t, 'i> {
    pub event_source: Option<&'i str>,
    pub event_name: Option<&'i str>,
    pub event_type: Option<&'i str>,
    pub event_category: Option<&'i str>,
    pub event_time: Option<&'i str>,
    pub aws_region: Option<&'i str>,
    pub recipient_account: Option<&'i str>,
    pub error_code: Option<&'i str>,
    pub error_message: Option<&'i str>,
    pub read_only: Option<bool>,
    pub user_identity: Option<Val<'t, 'i>>,
    pub additional: Option<Val<'t, 'i>>,
    pub insight_details: Option<Val<'t, 'i>>,
    pub session_from_console: Option<bool>,
    /// Where each standard top-level field is.
    pub top: Top<'t, 'i>,
}

impl<'t, 'i> Core<'t, 'i> {
    pub fn extract(root: Val<'t, 'i>) -> Result<Core<'t, 'i>, BadRecord> {
        let Some(object) = root.as_object() else {
            return Err(BadRecord(format!(
                "record is {}, not an object",
                kind_name(root)
            )));
        };
        let mut core = Core::default();
        // One walk over the members; the first occurrence of a key wins, as in
        // every other lookup.
        for (key, value) in object.iter() {
            if let Some(slot) = top_slot(key) {
                core.top.fill(slot, value);
            }
        }
        core.top.fill_identity();
        let top = core.top;
        let field = |name: &'static str| {
            top_slot(name)
                .and_then(|slot| top.get(slot))
                .map(|v| (name, v))
        };
        core.event_source = string(field("eventSource"))?;
        core.event_name = string(field("eventName"))?;
        core.event_type = string(field("eventType"))?;
        core.event_category = string(field("eventCategory"))?;
        core.event_time = string(field("eventTime"))?;
        core.aws_region = string(field("awsRegion"))?;
        core.recipient_account = string(field("recipientAccountId"))?;
        core.error_code = string(field("errorCode"))?;
        core.error_message = string(field("errorMessage"))?;
        core.read_only = boolean(field("readOnly"))?;
        core.user_identity = object_of(field("userIdentity"))?;
        core.additional = object_of(field("additionalEventData"))?;
        core.insight_details = object_of(field("insightDetails"))?;
        core.session_from_console = boolean(field("sessionCredentialFromConsole"))?;
        Ok(core)
    }

    /// The record with its top-level table, for condition evaluation.
    pub fn rec<'a>(&'a self, root: Val<'t, 'i>) -> Rec<'a, 't, 'i> {
        Rec {
            root,
            top: Some(&self.top),
        }
    }

    pub fn is_insight(&self) -> bool {
        self.event_type == Some("AwsCloudTrailInsight") || self.event_category == Some("Insight")
    }

    /// The (eventSource, eventName) pair; Insights records use the API that spiked.
    pub fn pair(&self) -> (Option<&'i str>, Option<&'i str>) {
        if self.event_name.is_none() {
            if let Some(details) = self.insight_details {
                return (
                    details.get("eventSource").and_then(text),
                    details.get("eventName").and_then(text),
                );
            }
        }
        (self.event_source, self.event_name)
    }

    pub fn failed(&self) -> bool {
        self.error_code.is_some_and(|c| !c.is_empty()) || self.error_message.is_some()
    }

    pub fn identity_type(&self) -> Option<&'i str> {
        self.user_identity
            .and_then(|u| u.get("type"))
            .and_then(text)
    }

    pub fn account(&self) -> Option<&'i str> {
        self.recipient_account.or_else(|| {
            self.user_identity
                .and_then(|u| u.get("accountId"))
                .and_then(text)
        })
    }
}

fn wrong_type(key: &str, value: Val<'_, '_>) -> BadRecord {
    BadRecord(format!("wrong type: {key} is {}", kind_name(value)))
}

/// A string field: absent and null are `None`, anything else but a string is bad.
fn string<'i>(field: Option<(&str, Val<'_, 'i>)>) -> Result<Option<&'i str>, BadRecord> {
    match field {
        None => Ok(None),
        Some((_, v)) if v.is_null() => Ok(None),
        Some((key, v)) => text(v).map(Some).ok_or_else(|| wrong_type(key, v)),
    }
}

/// A boolean field; the strings "true" and "false" are accepted too.
fn boolean(field: Option<(&str, Val<'_, '_>)>) -> Result<Option<bool>, BadRecord> {
    match field {
        None => Ok(None),
        Some((_, v)) if v.is_null() => Ok(None),
        Some((key, v)) => match v.as_bool() {
            Some(b) => Ok(Some(b)),
            None => match text(v) {
                Some(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
                Some(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
                _ => Err(wrong_type(key, v)),
            },
        },
    }
}

/// An object field.
fn object_of<'t, 'i>(field: Option<(&str, Val<'t, 'i>)>) -> Result<Option<Val<'t, 'i>>, BadRecord> {
    match field {
        None => Ok(None),
        Some((_, v)) if v.is_null() => Ok(None),
        Some((_, v)) if v.as_object().is_some() => Ok(Some(v)),
        Some((key, v)) => Err(wrong_type(key, v)),
    }
}

/// What the engine decided for a kept record.
#[derive(Clone, Copy, Debug)]
pub struct Verdict {
    pub severity: Severity,
    pub score: u8,
    pub denied: bool,
    pub failed: bool,
    pub insight: bool,
    /// `None` for Insights records, which have no caller.
    pub class: Option<IdentityClass>,
    /// Index of the classifier that decided the class, `None` for the default.
    pub classifier: Option<u32>,
    /// Index of the rule whose category and title lead the verdict.
    pub lead_rule: Option<u32>,
}

pub enum Decision {
    Keep(Verdict),
    Drop(Stage),
}

/// Reusable per-thread evaluation state.
#[derive(Default)]
pub struct Evaluator {
    /// Indices of the rules that matched the last record, ascending.
    pub matched: Vec<u32>,
    /// With `--state`: first-seen rules are judged here (`first_seen.rs`).
    pub tracker: Option<tracker::Tracker>,
    /// Condition results of this record's first-seen rules, for rules that
    /// share a condition (`Plan::same_condition`).
    pub conditions: Vec<(u32, bool)>,
}

impl Evaluator {
    pub fn decide(&mut self, plan: &Plan, root: Val<'_, '_>, core: &Core<'_, '_>) -> Decision {
        let options = &plan.options;
        self.matched.clear();
        if let Some(tracker) = &mut self.tracker {
            tracker.note(core.event_time);
            if tracker.dedupes() {
                // Both from the top-level table (first occurrence, as
                // everywhere), not a second search of the record's members.
                let top_field = |name| top_slot(name).and_then(|slot| core.top.get(slot));
                let id = top_field("eventID").and_then(text);
                let addendum = top_field("addendum").is_some_and(|a| a.as_object().is_some());
                if tracker.duplicate(id, addendum) {
                    return Decision::Drop(Stage::Duplicate);
                }
            }
        }
        if !in_scope(plan, core) {
            return Decision::Drop(Stage::Scope);
        }
        let insight = core.is_insight();
        let mut identity = None;
        if let Some(wanted) = &options.identities {
            if !insight {
                let decided = classify_in(plan, core.rec(root));
                if !wanted.contains(&decided.0) {
                    return Decision::Drop(Stage::Identity);
                }
                identity = Some(decided);
            }
        }
        self.match_rules(plan, core.rec(root), core);
        let kept = match &options.events {
            EventsMode::Rules => !self.matched.is_empty(),
            EventsMode::All => true,
            EventsMode::List(list) => match core.pair() {
                (Some(source), Some(name)) => list.contains(source, name),
                _ => false,
            },
        };
        if !kept {
            return Decision::Drop(Stage::Events);
        }
        let settings = &plan.rules.settings;
        let mut lead_rule = None;
        let mut severity = settings.default_severity;
        for &idx in &self.matched {
            let rule_severity = plan.rules.rules[idx as usize].severity;
            if lead_rule.is_none() || rule_severity > severity {
                severity = rule_severity;
                lead_rule = Some(idx);
            }
        }
        let failed = core.failed();
        let denied = failed
            && !core
                .error_code
                .is_some_and(|code| settings.denied_ignore_codes.iter().any(|c| &**c == code));
        if denied {
            severity = severity.bump(settings.denied_bump);
        }
        if core.identity_type() == Some("Root") && severity < settings.root_min_severity {
            severity = settings.root_min_severity;
        }
        if severity < options.min_severity {
            return Decision::Drop(Stage::Severity);
        }
        let (class, classifier) = if insight {
            (None, None)
        } else {
            let (class, classifier) = identity.unwrap_or_else(|| classify_in(plan, core.rec(root)));
            (Some(class), classifier)
        };
        Decision::Keep(Verdict {
            severity,
            score: severity.score(self.matched.len(), denied),
            denied,
            failed,
            insight,
            class,
            classifier,
            lead_rule,
        })
    }

    /// A first-seen rule matches only when the tracker finds its tuple new;
    /// without a tracker (no `--state`) it is inactive (issue 13).
    fn match_rules(&mut self, plan: &Plan, rec: Rec<'_, '_, '_>, core: &Core<'_, '_>) {
        let rules = &plan.rules;
        let matched = &mut self.matched;
        let tracker = &mut self.tracker;
        let conditions = &mut self.conditions;
        conditions.clear();
        let mut try_rule = |idx: u32| {
            let rule = &rules.rules[idx as usize];
            // Inactive first-seen rules (no `--state`, or `--dedupe` alone)
            // cost no condition evaluation.
            if rule.first_seen.is_some() && !tracker.as_ref().is_some_and(|t| t.judges()) {
                return;
            }
            let holds = if rule.first_seen.is_none() {
                rule.condition.as_ref().is_none_or(|c| c.eval_in(rec))
            } else {
                let shared = plan.same_condition.get(idx as usize).copied().flatten();
                let known = shared.and_then(|j| conditions.iter().find(|c| c.0 == j));
                match known {
                    Some(&(_, holds)) => holds,
                    None => {
                        let holds = rule.condition.as_ref().is_none_or(|c| c.eval_in(rec));
                        conditions.push((shared.unwrap_or(idx), holds));
                        holds
                    }
                }
            };
            if !holds {
                return;
            }
            let fires = match (&rule.first_seen, tracker.as_mut()) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(_), Some(tracker)) => tracker.judge(plan, idx, rec),
            };
            if fires {
                matched.push(idx);
            }
        };
        if let (Some(source), Some(name)) = core.pair() {
            rules.index.for_each(source, name, &mut try_rule);
        }
        for &idx in &rules.any_event {
            try_rule(idx);
        }
        matched.sort_unstable();
        matched.dedup();
    }
}

fn in_scope(plan: &Plan, core: &Core<'_, '_>) -> bool {
    let options = &plan.options;
    if let Some(accounts) = &options.accounts {
        if !core.account().is_some_and(|a| accounts.contains(a)) {
            return false;
        }
    }
    if let Some(regions) = &options.regions {
        if !core.aws_region.is_some_and(|r| regions.contains(r)) {
            return false;
        }
    }
    if options.write_only && core.read_only == Some(true) {
        return false;
    }
    category_allowed(&options.categories, core)
}

/// Why a record is out of scope (for `explain`), `None` when in scope.
pub fn scope_failure(plan: &Plan, core: &Core<'_, '_>) -> Option<String> {
    let options = &plan.options;
    if let Some(accounts) = &options.accounts {
        if !core.account().is_some_and(|a| accounts.contains(a)) {
            return Some(format!(
                "account {} not in --accounts",
                core.account().unwrap_or("(none)")
            ));
        }
    }
    if let Some(regions) = &options.regions {
        if !core.aws_region.is_some_and(|r| regions.contains(r)) {
            return Some(format!(
                "region {} not in --regions",
                core.aws_region.unwrap_or("(none)")
            ));
        }
    }
    if options.write_only && core.read_only == Some(true) {
        return Some("readOnly is true and --write-only is set".into());
    }
    if !category_allowed(&options.categories, core) {
        return Some(format!(
            "category {} not in --categories",
            core.event_category.unwrap_or("Management")
        ));
    }
    None
}

fn category_allowed(allowed: &Categories, core: &Core<'_, '_>) -> bool {
    if core.is_insight() {
        return allowed.insight;
    }
    match core.event_category {
        Some("Data") => allowed.data,
        Some("NetworkActivity") => allowed.network,
        _ => allowed.management,
    }
}

/// The first classifier that matches decides; otherwise the configured default.
pub fn classify(plan: &Plan, root: Val<'_, '_>) -> (IdentityClass, Option<u32>) {
    classify_in(plan, Rec::bare(root))
}

/// [`classify`] with the record's top-level table.
pub fn classify_in(plan: &Plan, rec: Rec<'_, '_, '_>) -> (IdentityClass, Option<u32>) {
    for (idx, classifier) in plan.rules.classifiers.iter().enumerate() {
        if classifier.condition.eval_in(rec) {
            return (classifier.class, Some(idx as u32));
        }
    }
    (plan.rules.settings.identity_default, None)
}
