//! One Sigma file into one plan rule, or the reason it is skipped.
//!
//! Steps, in order: parse the YAML (an error if it does not parse); skip
//! multi-document files and correlation rules; skip rules whose logsource is
//! not `product: aws` / `service: cloudtrail`; compile each selection, then
//! the condition; map the metadata:
//!
//! | Sigma | rule |
//! |---|---|
//! | `id` (else the file stem) | `id` |
//! | `title` (else the id) | `title` |
//! | `level`: informational, low, medium, high, critical (absent: medium) | `severity`: info, low, medium, high, critical |
//! | `tags` `attack.tNNNN[.NNN]` | `attack` `TNNNN[.NNN]` |
//! | other `tags` | `tags`, as written |
//! | `author` | `author`, credited in every verdict the rule is part of |
//! | `description` | `rationale` |
//! | (always) | `category: sigma` |
//!
//! and derive `events` where the condition requires them (see [`super::events`]).

use super::condition::{self as cond, Expr};
use super::{events, modifiers, Problem};
use crate::model::severity::Severity;
use crate::rules::condition::Condition;
use crate::rules::config::Origin;
use crate::rules::plan::Rule;
use crate::rules::yaml::{self, Node, Pos, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Why a file gave no rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Not for ctfilter, or uses a feature it lacks: a warning. `line` is
    /// where the feature is used (0: the whole file).
    Skipped {
        rule: String,
        line: u32,
        reason: String,
    },
    /// Broken: an error at a position.
    Invalid { pos: Pos, message: String },
}

/// The category given to every Sigma rule, so verdicts and `ctfilter rules`
/// show where a rule came from.
pub const CATEGORY: &str = "sigma";

fn get<'a>(entries: &'a [(yaml::Key, Node)], key: &str) -> Option<&'a Node> {
    entries.iter().find(|(k, _)| k.name == key).map(|(_, v)| v)
}

fn text(node: Option<&Node>) -> Option<String> {
    match node.map(|n| &n.value) {
        Some(Value::Str(s)) => Some(s.trim().to_string()),
        Some(Value::Int(i)) => Some(i.to_string()),
        Some(Value::Float(f)) => Some(f.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

/// The file name without directory and extension, made into a valid id.
fn file_stem(name: &str) -> String {
    let stem = std::path::Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id: String = stem
        .chars()
        .map(|c| if valid_id_char(c) { c } else { '_' })
        .collect();
    if id.is_empty() {
        "sigma-rule".into()
    } else {
        id
    }
}

fn valid_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')
}

/// Compile one Sigma file (`name` is how it is reported).
pub fn compile_file(name: &Arc<str>, text_in: &str) -> Result<Rule, Failure> {
    let stem = file_stem(name);
    let root: Node = match yaml::from_str(text_in) {
        Ok(node) => node,
        Err(e) => {
            let lower = e.message.to_ascii_lowercase();
            if lower.contains("multiple") && lower.contains("document") {
                return Err(Failure::Skipped {
                    rule: stem,
                    line: 0,
                    reason: "multi-document Sigma files (action: global or repeat, or a \
                             correlation with its rules) are not supported"
                        .into(),
                });
            }
            return Err(Failure::Invalid {
                pos: e.pos,
                message: e.message,
            });
        }
    };
    let Value::Map(entries) = &root.value else {
        return Err(Failure::Invalid {
            pos: root.pos,
            message: format!("a Sigma rule must be a mapping, not {}", root.value.kind()),
        });
    };
    let id = match get(entries, "id") {
        Some(node) => {
            let id = text(Some(node)).unwrap_or_default();
            if id.is_empty() || !id.chars().all(valid_id_char) {
                return Err(Failure::Invalid {
                    pos: node.pos,
                    message: format!(
                        "Sigma id '{id}' must be non-empty letters, digits, '-', '_', '.' or ':'"
                    ),
                });
            }
            id
        }
        None => stem,
    };
    let skip_at = |line: u32, reason: String| Failure::Skipped {
        rule: id.clone(),
        line,
        reason,
    };
    let skip = |reason: String| skip_at(0, reason);
    if get(entries, "correlation").is_some() {
        return Err(skip("correlation rules are not supported".into()));
    }
    let (Some(logsource), Some(detection)) = (get(entries, "logsource"), get(entries, "detection"))
    else {
        return Err(skip(
            "not a Sigma detection rule (it has no logsource or no detection)".into(),
        ));
    };
    let (product, service) = match &logsource.value {
        Value::Map(ls) => (text(get(ls, "product")), text(get(ls, "service"))),
        _ => (None, None),
    };
    let is =
        |v: &Option<String>, want: &str| v.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(want));
    if !is(&product, "aws") || !is(&service, "cloudtrail") {
        return Err(skip(format!(
            "its logsource is product: {}, service: {} (ctfilter reads product: aws, service: cloudtrail)",
            product.as_deref().unwrap_or("(none)"),
            service.as_deref().unwrap_or("(none)")
        )));
    }
    let (condition, events) = compile_detection(detection).map_err(|p| match p {
        Problem::Unsupported { pos, what } => skip_at(pos.line, what),
        Problem::Invalid { pos, message } => Failure::Invalid { pos, message },
    })?;
    let severity = match get(entries, "level") {
        None => Severity::Medium,
        Some(node) => level(node)?,
    };
    let mut attack = Vec::new();
    let mut tags = Vec::new();
    if let Some(Value::Seq(items)) = get(entries, "tags").map(|n| &n.value) {
        for item in items {
            let Some(tag) = text(Some(item)) else {
                continue;
            };
            match attack_id(&tag) {
                Some(t) if !attack.contains(&t) => attack.push(t),
                Some(_) => {}
                None => tags.push(tag.into_boxed_str()),
            }
        }
    }
    let author = match get(entries, "author").map(|n| &n.value) {
        Some(Value::Seq(items)) => {
            let names: Vec<String> = items.iter().filter_map(|n| text(Some(n))).collect();
            (!names.is_empty()).then(|| names.join(", "))
        }
        Some(_) => text(get(entries, "author")).filter(|a| !a.is_empty()),
        None => None,
    };
    Ok(Rule {
        title: text(get(entries, "title"))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| id.clone())
            .into(),
        id: id.into(),
        severity,
        category: CATEGORY.into(),
        attack,
        rationale: text(get(entries, "description"))
            .filter(|d| !d.is_empty())
            .map(Into::into),
        author: author.map(Into::into),
        tags,
        events,
        condition: Some(condition),
        origin: Origin {
            file: name.clone(),
            pos: root.pos,
        },
        tests: Vec::new(),
        first_seen: None,
    })
}

fn level(node: &Node) -> Result<Severity, Failure> {
    let text = text(Some(node)).unwrap_or_default().to_ascii_lowercase();
    Ok(match text.as_str() {
        "informational" | "info" => Severity::Info,
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        "critical" => Severity::Critical,
        _ => {
            return Err(Failure::Invalid {
                pos: node.pos,
                message: format!(
                    "unknown Sigma level '{text}' (expected informational, low, medium, high or critical)"
                ),
            })
        }
    })
}

/// `attack.t1078.004` -> `T1078.004`; other tags -> `None`.
pub fn attack_id(tag: &str) -> Option<Box<str>> {
    let rest = tag.strip_prefix("attack.")?;
    let rest = rest.strip_prefix('t').or_else(|| rest.strip_prefix('T'))?;
    let (main, sub) = match rest.split_once('.') {
        Some((main, sub)) => (main, Some(sub)),
        None => (rest, None),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    (digits(main, 4) && sub.is_none_or(|s| digits(s, 3))).then(|| format!("T{rest}").into())
}

/// The detection block: every selection, then the condition(s), then the
/// event pairs they require.
fn compile_detection(
    node: &Node,
) -> Result<(Condition, Vec<crate::rules::events::EventSpec>), Problem> {
    let Value::Map(entries) = &node.value else {
        return Err(Problem::invalid(
            node.pos,
            format!("'detection' must be a mapping, not {}", node.value.kind()),
        ));
    };
    let mut names = Vec::new();
    let mut selections: HashMap<&str, Condition> = HashMap::new();
    let mut needs: HashMap<&str, events::Needs> = HashMap::new();
    let mut conditions: Vec<(&str, Pos)> = Vec::new();
    let mut condition_pos = node.pos;
    for (key, value) in entries {
        match key.name.as_str() {
            "condition" => {
                condition_pos = value.pos;
                match &value.value {
                    Value::Str(s) => conditions.push((s, value.pos)),
                    Value::Seq(items) => {
                        for item in items {
                            match &item.value {
                                Value::Str(s) => conditions.push((s, item.pos)),
                                other => {
                                    return Err(Problem::invalid(
                                        item.pos,
                                        format!("a condition must be text, not {}", other.kind()),
                                    ))
                                }
                            }
                        }
                    }
                    other => {
                        return Err(Problem::invalid(
                            value.pos,
                            format!("a condition must be text, not {}", other.kind()),
                        ))
                    }
                }
            }
            "timeframe" => {
                return Err(Problem::unsupported(
                    key.pos,
                    "'timeframe' (conditions over a time window) is not supported",
                ))
            }
            name => {
                selections.insert(name, modifiers::selection(value)?);
                needs.insert(name, events::of_selection(value));
                names.push(name);
            }
        }
    }
    if conditions.is_empty() {
        return Err(Problem::invalid(
            condition_pos,
            "the detection has no condition",
        ));
    }
    let mut exprs: Vec<Expr> = Vec::new();
    for (text, pos) in conditions {
        let expr = cond::parse(text)
            .and_then(|e| cond::expand(&e, &names))
            .map_err(|e| match e {
                cond::Error::Unsupported(what) => Problem::unsupported(pos, what),
                cond::Error::Invalid(message) => {
                    Problem::invalid(pos, format!("condition '{text}': {message}"))
                }
            })?;
        exprs.push(expr);
    }
    // Several conditions: any of them (each would be its own query in Sigma).
    let expr = if exprs.len() == 1 {
        exprs.remove(0)
    } else {
        Expr::Or(exprs)
    };
    let condition = cond::to_condition(&expr, &selections);
    let specs = events::specs(&events::of_expr(&expr, &needs));
    Ok((condition, specs))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(text: &str) -> Result<Rule, Failure> {
        compile_file(&Arc::from("rules/t.yml"), text)
    }

    const RULE: &str = r#"
title: Trail stopped
id: 0b0f2b6a-1111-4c1e-9a57-000000000001
status: test
description: Someone stopped or deleted a trail.
author: Jane Doe, John Roe
date: 2024-01-01
tags:
    - attack.defense-evasion
    - attack.t1562.008
    - attack.t1562.008
    - attack.t1078
    - detection.threat-hunting
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: cloudtrail.amazonaws.com
        eventName:
            - StopLogging
            - DeleteTrail
    filter:
        userAgent|startswith: 'terraform'
    condition: selection and not filter
level: high
"#;

    #[test]
    fn metadata_maps_onto_the_rule() {
        let rule = compile(RULE).unwrap();
        assert_eq!(&*rule.id, "0b0f2b6a-1111-4c1e-9a57-000000000001");
        assert_eq!(&*rule.title, "Trail stopped");
        assert_eq!(rule.severity, Severity::High);
        assert_eq!(&*rule.category, "sigma");
        assert_eq!(
            rule.attack,
            vec!["T1562.008".into(), "T1078".into()] as Vec<Box<str>>
        );
        assert_eq!(
            rule.tags,
            vec![
                "attack.defense-evasion".into(),
                "detection.threat-hunting".into()
            ] as Vec<Box<str>>
        );
        assert_eq!(rule.author.as_deref(), Some("Jane Doe, John Roe"));
        assert_eq!(
            rule.rationale.as_deref(),
            Some("Someone stopped or deleted a trail.")
        );
        let events: Vec<String> = rule.events.iter().map(ToString::to_string).collect();
        assert_eq!(
            events,
            [
                "cloudtrail.amazonaws.com:StopLogging",
                "cloudtrail.amazonaws.com:DeleteTrail"
            ]
        );
        assert_eq!(&*rule.origin.file, "rules/t.yml");
    }

    #[test]
    fn levels_and_defaults() {
        for (level, want) in [
            ("informational", Severity::Info),
            ("low", Severity::Low),
            ("medium", Severity::Medium),
            ("high", Severity::High),
            ("critical", Severity::Critical),
        ] {
            let text = RULE.replace("level: high", &format!("level: {level}"));
            assert_eq!(compile(&text).unwrap().severity, want);
        }
        let bare = "logsource: {product: aws, service: cloudtrail}\ndetection: {sel: {eventName: X}, condition: sel}\n";
        let rule = compile(bare).unwrap();
        assert_eq!(&*rule.id, "t");
        assert_eq!(&*rule.title, "t");
        assert_eq!(rule.severity, Severity::Medium);
        assert!(rule.author.is_none());
        assert!(rule.events.is_empty());
        match compile(&RULE.replace("level: high", "level: severe")) {
            Err(Failure::Invalid { pos, message }) => {
                assert!(message.contains("severe"), "{message}");
                assert_eq!(pos.line, 26);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn attack_ids() {
        assert_eq!(attack_id("attack.t1078").as_deref(), Some("T1078"));
        assert_eq!(attack_id("attack.t1078.004").as_deref(), Some("T1078.004"));
        assert_eq!(attack_id("attack.T1078").as_deref(), Some("T1078"));
        assert_eq!(attack_id("attack.persistence"), None);
        assert_eq!(attack_id("attack.g0016"), None);
        assert_eq!(attack_id("attack.t10"), None);
        assert_eq!(attack_id("cve.2021-44228"), None);
    }

    fn skipped(text: &str) -> String {
        match compile(text) {
            Err(Failure::Skipped { reason, line, .. }) => format!("{reason} (line {line})"),
            other => panic!("expected a skip, got {other:?}"),
        }
    }

    fn invalid(text: &str) -> (Pos, String) {
        match compile(text) {
            Err(Failure::Invalid { pos, message }) => (pos, message),
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn other_logsources_are_skipped() {
        let windows = RULE.replace(
            "product: aws\n    service: cloudtrail",
            "product: windows\n    category: process_creation",
        );
        let reason = skipped(&windows);
        assert!(
            reason.contains("product: windows, service: (none)"),
            "{reason}"
        );
        let reason = skipped("title: x\nfoo: bar\n");
        assert!(reason.contains("not a Sigma detection rule"), "{reason}");
        // Case does not matter.
        assert!(compile(&RULE.replace("product: aws", "product: AWS")).is_ok());
    }

    #[test]
    fn unsupported_features_are_skipped_with_the_feature_named() {
        let with = |old: &str, new: &str| {
            assert!(RULE.contains(old), "{old}");
            skipped(&RULE.replace(old, new))
        };
        let r = with("userAgent|startswith", "userAgent|base64offset|contains");
        assert!(
            r.contains("modifier 'base64offset'") && r.contains("line 24"),
            "{r}"
        );
        let r = with("userAgent|startswith", "userAgent|windash");
        assert!(r.contains("modifier 'windash'"), "{r}");
        let r = with("userAgent|startswith", "userAgent|expand");
        assert!(r.contains("modifier 'expand'"), "{r}");
        let r = with(
            "condition: selection and not filter",
            "condition: selection | count() by userName > 3",
        );
        assert!(r.contains("aggregation"), "{r}");
        let r = with(
            "condition: selection and not filter",
            "condition: selection near filter",
        );
        assert!(r.contains("near"), "{r}");
        let r = with(
            "condition: selection and not filter",
            "timeframe: 5m\n    condition: selection",
        );
        assert!(r.contains("timeframe"), "{r}");
        let r = with(
            "    filter:\n        userAgent|startswith: 'terraform'\n",
            "    keywords:\n        - evil\n",
        );
        assert!(r.contains("keyword search"), "{r}");
        let r = skipped("title: c\ncorrelation:\n  type: event_count\n  rules: [x]\n");
        assert!(r.contains("correlation"), "{r}");
        let r = skipped(&format!("{RULE}---\ntitle: second\n"));
        assert!(r.contains("multi-document"), "{r}");
    }

    #[test]
    fn malformed_rules_are_errors_with_positions() {
        let (pos, m) = invalid(&RULE.replace(
            "condition: selection and not filter",
            "condition: selection and not fliter",
        ));
        assert!(m.contains("'fliter'"), "{m}");
        assert_eq!(pos.line, 25);
        let (_, m) = invalid(&RULE.replace(
            "condition: selection and not filter",
            "condition: (selection",
        ));
        assert!(m.contains("not closed"), "{m}");
        let (_, m) = invalid(&RULE.replace("    condition: selection and not filter\n", ""));
        assert!(m.contains("no condition"), "{m}");
        let (pos, m) = invalid(&RULE.replace(
            "userAgent|startswith: 'terraform'",
            "userAgent|exists: sometimes",
        ));
        assert!(m.contains("true or false"), "{m}");
        assert_eq!(pos.line, 24);
        let (pos, _) = invalid("title: [unclosed\n");
        assert!(pos.line >= 1);
        let (_, m) = invalid(&RULE.replace(
            "id: 0b0f2b6a-1111-4c1e-9a57-000000000001",
            "id: 'has space'",
        ));
        assert!(m.contains("has space"), "{m}");
    }

    /// Compile a detection block (indented under `detection:`) and evaluate
    /// it on a JSON record.
    fn eval(detection: &str, json: &str) -> bool {
        let text =
            format!("logsource: {{product: aws, service: cloudtrail}}\ndetection:\n{detection}");
        let rule = compile(&text).unwrap_or_else(|e| panic!("{detection}: {e:?}"));
        let mut bytes = json.as_bytes().to_vec();
        let tape = simd_json::to_tape(&mut bytes).unwrap();
        rule.condition.unwrap().eval(tape.as_value())
    }

    #[test]
    fn conditions_evaluate_with_sigma_precedence() {
        let sels = "  a: {x: 1}\n  b: {y: 1}\n  c: {z: 1}\n";
        let with = |cond: &str, json: &str| eval(&format!("{sels}  condition: {cond}\n"), json);
        // a or (b and c)
        assert!(with("a or b and c", r#"{"x":1}"#));
        assert!(!with("a or b and c", r#"{"y":1}"#));
        assert!(with("a or b and c", r#"{"y":1,"z":1}"#));
        // (a or b) and c
        assert!(!with("(a or b) and c", r#"{"x":1}"#));
        assert!(with("(a or b) and c", r#"{"x":1,"z":1}"#));
        // (not a) and b
        assert!(with("not a and b", r#"{"y":1}"#));
        assert!(!with("not a and b", r#"{"x":1,"y":1}"#));
        assert!(with("not (a and b)", r#"{"x":1}"#));
        assert!(!with("not (a and b)", r#"{"x":1,"y":1}"#));
    }

    #[test]
    fn quantifiers_evaluate() {
        let sels = "  sel_a: {x: 1}\n  sel_b: {y: 1}\n  filter_1: {f: 1}\n  filter_2: {g: 1}\n  _aux: {h: 1}\n";
        let with = |cond: &str, json: &str| eval(&format!("{sels}  condition: {cond}\n"), json);
        assert!(with("1 of sel_*", r#"{"y":1}"#));
        assert!(!with("all of sel_*", r#"{"y":1}"#));
        assert!(with("all of sel_*", r#"{"x":1,"y":1}"#));
        assert!(with("1 of sel_* and not 1 of filter_*", r#"{"x":1}"#));
        assert!(!with(
            "1 of sel_* and not 1 of filter_*",
            r#"{"x":1,"g":1}"#
        ));
        assert!(with("not all of filter_*", r#"{"f":1}"#));
        assert!(!with("not all of filter_*", r#"{"f":1,"g":1}"#));
        // `them` leaves out `_aux`.
        assert!(with("all of them", r#"{"x":1,"y":1,"f":1,"g":1}"#));
        assert!(with("1 of them", r#"{"g":1}"#));
        assert!(!with("1 of them", r#"{"h":1}"#));
        assert!(with("any of them", r#"{"x":1}"#));
    }

    #[test]
    fn multiple_conditions_are_any() {
        let text = RULE.replace(
            "condition: selection and not filter",
            "condition:\n        - selection\n        - filter",
        );
        let rule = compile(&text).unwrap();
        assert!(matches!(rule.condition, Some(Condition::Any(_))));
        // `filter` names no event pair, so nothing is derived.
        assert!(rule.events.is_empty());
    }
}
