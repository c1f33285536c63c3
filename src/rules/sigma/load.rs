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
    compile_with_needs(name, text_in).map(|(rule, _)| rule)
}

/// Compile one Sigma file, and say which event pairs its detection needs
/// (all of them, also those the rule's `events` cannot hold; see
/// [`events::required`]), for `ctfilter coverage`.
pub fn compile_with_needs(
    name: &Arc<str>,
    text_in: &str,
) -> Result<(Rule, events::Needs), Failure> {
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
    let (condition, needs) = compile_detection(detection).map_err(|p| match p {
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
    let events = events::specs(&needs);
    let rule = Rule {
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
        refs: Vec::new(),
        events,
        condition: Some(condition),
        origin: Origin {
            file: name.clone(),
            pos: root.pos,
        },
        tests: Vec::new(),
        first_seen: None,
    };
    Ok((rule, needs))
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
fn compile_detection(node: &Node) -> Result<(Condition, events::Needs), Problem> {
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
    Ok((condition, events::of_expr(&expr, &needs)))
}

#[cfg(test)]
#[path = "load_tests.rs"]
mod tests;
