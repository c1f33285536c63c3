//! `ctfilter check` and `ctfilter rules`: static analysis and listing.
//!
//! `check` compiles without reading input, prints every diagnostic with
//! `path:line:col`, flags rules that can never fire or never change a verdict,
//! and ends with counts by severity and category, the event pairs covered,
//! and (with the default rules) the default pack's exclusion list: counted,
//! or listed with reasons under `--exclusions`; an excluded pair that a rule
//! now keeps unconditionally is a warning, so the list cannot go stale.

use crate::cli::args::{CheckArgs, RulesArgs};
use crate::model::severity::Severity;
use crate::rules::condition::{Condition, Matcher, ValueTest};
use crate::rules::diag::{Diagnostic, Level};
use crate::rules::excluded::{self, Exclusions};
use crate::rules::load::RuleSources;
use crate::rules::plan::{Rule, RuleSet};
use crate::rules::reach::{reach, Status};
use crate::run::driver::exit;
use std::collections::{BTreeMap, BTreeSet};

pub fn run(check: &CheckArgs) -> i32 {
    let args = &check.rules;
    let sources = RuleSources::with_tests(!args.no_default_rules, &args.rules, &args.sigma);
    let (set, diags) = match sources.compile() {
        Ok(ok) => ok,
        Err(diags) => {
            for d in &diags {
                out!("{d}");
            }
            let errors = diags.iter().filter(|d| d.level == Level::Error).count();
            out!("check: {errors} errors");
            return exit::USAGE;
        }
    };
    for d in &diags {
        out!("{d}");
    }
    let exclusions = if args.no_default_rules {
        None
    } else {
        match Exclusions::embedded() {
            Ok(list) => Some(list),
            Err(diags) => {
                for d in &diags {
                    out!("{d}");
                }
                out!("check: {} errors", diags.len());
                return exit::USAGE;
            }
        }
    };
    let mut findings = analyse(&set);
    if let Some(list) = &exclusions {
        findings.extend(stale_exclusions(&set, list));
    }
    for f in &findings {
        out!("{f}");
    }
    summary(&set);
    if let Some(list) = &exclusions {
        print_exclusions(list, check.exclusions);
    }
    exit::OK
}

/// An excluded pair that a rule keeps unconditionally should leave the list.
fn stale_exclusions(set: &RuleSet, list: &Exclusions) -> Vec<Diagnostic> {
    list.events
        .iter()
        .filter_map(|e| {
            let r = reach(set, None, &e.spec);
            (r.status == Status::Always).then(|| Diagnostic {
                level: Level::Warning,
                file: excluded::FILE.into(),
                pos: e.pos,
                message: format!(
                    "excluded event '{}' is kept unconditionally by {}; remove it from the list",
                    e.event,
                    r.rules.join(", ")
                ),
            })
        })
        .collect()
}

fn print_exclusions(list: &Exclusions, verbose: bool) {
    out!(
        "excluded on purpose ({}): {} event pairs, {} detections",
        excluded::FILE,
        list.events.len(),
        list.detections.len()
    );
    if !verbose {
        out!("  (list them with their reasons: ctfilter check --exclusions)");
        return;
    }
    for e in &list.events {
        out!("  {}: {}", e.event, e.reason);
    }
    for d in &list.detections {
        out!("  {}: {}", d.detection, d.reason);
    }
}

/// Warnings for rules that cannot fire or never change an outcome.
pub fn analyse(set: &RuleSet) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let warn = |out: &mut Vec<Diagnostic>, rule: &Rule, message: String| {
        out.push(Diagnostic {
            level: Level::Warning,
            file: rule.origin.file.clone(),
            pos: rule.origin.pos,
            message,
        })
    };
    for (i, rule) in set.rules.iter().enumerate() {
        if let Some(fs) = &rule.first_seen {
            out.push(Diagnostic {
                level: Level::Note,
                file: rule.origin.file.clone(),
                pos: rule.origin.pos,
                message: format!(
                    "rule '{}' is a first-seen rule (by {}): inactive without --state",
                    rule.id,
                    fs.state_name.split_once("/by=").map_or("", |(_, by)| by)
                ),
            });
        }
        let positive = rule.tests.iter().any(|t| {
            t.should_match
                && t.severity.is_some()
                && (t.identity.is_some() || t.record_json.contains("AwsCloudTrailInsight"))
        });
        if !positive {
            warn(
                &mut out,
                rule,
                format!(
                    "rule '{}' has no test that must match with an expected severity and identity",
                    rule.id
                ),
            );
        }
        if rule.condition.is_some() && !rule.tests.iter().any(|t| !t.should_match) {
            warn(
                &mut out,
                rule,
                format!(
                    "rule '{}' has a condition but no test that must not match",
                    rule.id
                ),
            );
        }
        if let Some(cond) = &rule.condition {
            if matches!(cond, Condition::Const(false)) {
                warn(
                    &mut out,
                    rule,
                    format!(
                        "rule '{}' is unreachable: its condition is always false",
                        rule.id
                    ),
                );
                continue;
            }
            if let Some(names) = required_names(cond) {
                let reachable = rule.events.is_empty()
                    || rule.events.iter().any(|spec| {
                        names.iter().any(|n| {
                            if spec.prefix {
                                n.starts_with(&*spec.name.to_lowercase())
                            } else {
                                **n == spec.name.to_lowercase()
                            }
                        })
                    });
                if !reachable {
                    warn(
                        &mut out,
                        rule,
                        format!("rule '{}' is unreachable: its condition requires an eventName outside its events", rule.id),
                    );
                }
            }
        }
        // Shadowed: an unconditional rule covering all the same events at an
        // equal or higher severity already keeps and grades every record.
        if rule.events.is_empty() {
            continue;
        }
        for (j, other) in set.rules.iter().enumerate() {
            if i == j
                || other.condition.is_some()
                || other.first_seen.is_some()
                || other.severity < rule.severity
            {
                continue;
            }
            let covered = rule.events.iter().all(|spec| {
                other.events.iter().any(|o| {
                    o.source
                        .as_ref()
                        .is_none_or(|s| spec.source.as_ref() == Some(s))
                        && if o.prefix {
                            spec.name.starts_with(&*o.name)
                        } else {
                            !spec.prefix && o.name == spec.name
                        }
                })
            });
            if covered && (other.severity > rule.severity || j < i) {
                warn(
                    &mut out,
                    rule,
                    format!(
                        "rule '{}' is shadowed by '{}' ({}), which keeps the same events unconditionally at {}",
                        rule.id, other.id, other.origin, other.severity
                    ),
                );
                break;
            }
        }
    }
    for (i, c) in set.classifiers.iter().enumerate() {
        if matches!(c.condition, Condition::Const(true)) && i + 1 < set.classifiers.len() {
            out.push(Diagnostic {
                level: Level::Warning,
                file: c.origin.file.clone(),
                pos: c.origin.pos,
                message: format!(
                    "classifier '{}' always matches, so the {} classifiers after it are unreachable",
                    c.id,
                    set.classifiers.len() - i - 1
                ),
            });
        }
    }
    out
}

/// eventName values a condition requires at its top level (lowercased), if any.
fn required_names(cond: &Condition) -> Option<Vec<String>> {
    let tests: Vec<&Condition> = match cond {
        Condition::All(items) => items.iter().collect(),
        other => vec![other],
    };
    for t in tests {
        if let Condition::Field(field) = t {
            if field.path.as_str() == "eventName" {
                if let Matcher::Values {
                    tests,
                    need_all: false,
                } = &field.matcher
                {
                    let names: Option<Vec<String>> = tests
                        .iter()
                        .map(|v| match v {
                            ValueTest::EqStr { needle, .. } => Some(needle.to_lowercase()),
                            _ => None,
                        })
                        .collect();
                    if names.is_some() {
                        return names;
                    }
                }
            }
        }
    }
    None
}

fn summary(set: &RuleSet) {
    let mut by_severity: BTreeMap<Severity, usize> = BTreeMap::new();
    let mut by_category: BTreeMap<&str, usize> = BTreeMap::new();
    let mut pairs = BTreeSet::new();
    let mut tests = 0;
    for rule in &set.rules {
        *by_severity.entry(rule.severity).or_default() += 1;
        *by_category.entry(&rule.category).or_default() += 1;
        tests += rule.tests.len();
        for spec in &rule.events {
            pairs.insert(spec.to_string());
        }
    }
    let sev: Vec<String> = by_severity
        .iter()
        .rev()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let cat: Vec<String> = by_category
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    out!("rules: {} ({})", set.rules.len(), sev.join(", "));
    out!("categories: {}", cat.join(", "));
    out!("identity classifiers: {}", set.classifiers.len());
    out!("embedded tests: {tests}");
    out!("event pairs covered: {}", pairs.len());
    for p in &pairs {
        out!("  {p}");
    }
}

pub fn list(args: &RulesArgs) -> i32 {
    let sources = args.layers.sources(true);
    let set = match sources.compile() {
        Ok((set, warnings)) => {
            // Skipped Sigma rules and the like: say so next to the listing.
            for w in warnings {
                eprintln!("ctfilter: {w}");
            }
            set
        }
        Err(diags) => {
            for d in diags {
                eprintln!("ctfilter: {d}");
            }
            return exit::USAGE;
        }
    };
    if args.json {
        let rules: Vec<serde_json::Value> = set
            .rules
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": &*r.id,
                    "title": &*r.title,
                    "severity": r.severity.as_str(),
                    "category": &*r.category,
                    "attack": r.attack.iter().map(|a| &**a).collect::<Vec<_>>(),
                    "events": r.events.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "conditional": r.condition.is_some(),
                    "rationale": r.rationale.as_deref(),
                    "author": r.author.as_deref(),
                    "origin": r.origin.to_string(),
                    "tags": r.tags.iter().map(|t| &**t).collect::<Vec<_>>(),
                    "refs": r.refs.iter().map(|t| &**t).collect::<Vec<_>>(),
                    "tests": r.tests.len(),
                    "tests_match": r.tests.iter().filter(|t| t.should_match).count(),
                    "tests_nomatch": r.tests.iter().filter(|t| !t.should_match).count(),
                })
            })
            .collect();
        out!(
            "{}",
            serde_json::to_string_pretty(&rules).unwrap_or_default()
        );
        return exit::OK;
    }
    out!("{:<48} {:<9} {:<15} EVENTS", "ID", "SEVERITY", "CATEGORY");
    for r in &set.rules {
        let events: Vec<String> = r.events.iter().map(ToString::to_string).collect();
        let events = if events.is_empty() {
            "(any event)".to_string()
        } else {
            events.join(",")
        };
        let cond = if r.condition.is_some() { " +when" } else { "" };
        out!(
            "{:<48} {:<9} {:<15} {events}{cond}",
            r.id,
            r.severity.as_str(),
            r.category
        );
    }
    exit::OK
}
