//! The (eventSource, eventName) pairs a Sigma condition requires, as rule
//! `events`, so the rule is tried only on records it can match.
//!
//! A rule with no `events` is evaluated on every record; most CloudTrail Sigma
//! rules AND an `eventSource: x` and an `eventName: [..]` test at the top, so
//! their pairs can be read off the rule. The derivation is sound by
//! construction: a pair set is produced only when the condition cannot be
//! true for a record whose pair is outside it, and the condition is kept as it
//! is, so a rule matches exactly the records it matched without `events`.
//!
//! - A selection item constrains only as plain equality on `eventSource` or
//!   `eventName` (a list is any of; `|cased` is fine), or for `eventName` a
//!   `|startswith` or a single trailing `*` (a prefix, as for Lambda's
//!   versioned names). Anything else (wildcards elsewhere, `contains`, `re`,
//!   `|all`, `null`) constrains nothing.
//! - `a and b` needs what both need (intersected); `a or b` needs one of them,
//!   and only when both need something; `not` needs nothing.
//! - The result is used only when every alternative names both its
//!   eventSource(s) and its eventName(s), as the event index needs both.
//!
//! The pairs are case-insensitive (`EventSpec::nocase`), as Sigma compares
//! values: `eventName: stoplogging` fires on `StopLogging`. Under `|cased`
//! that lets a few more records reach the condition, which still decides.

use super::condition::Expr;
use super::modifiers::{parse_wildcards, Part};
use crate::rules::events::EventSpec;
use crate::rules::yaml::{Node, Value};
use std::collections::HashMap;

/// An eventName as a rule can require it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    /// `text` is a prefix (`eventName|startswith`, or `Name*`).
    pub prefix: bool,
}

/// What one alternative needs: `None` in a slot means "any".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Need {
    pub sources: Option<Vec<String>>,
    pub names: Option<Vec<Name>>,
}

/// Needs of an expression: `None` when it constrains nothing; otherwise the
/// expression can only hold when one of the needs holds.
pub type Needs = Option<Vec<Need>>;

/// The most alternatives kept when `and` multiplies them out.
const MAX_ALTERNATIVES: usize = 256;

/// What one selection (a mapping, or a list of mappings) needs.
pub fn of_selection(node: &Node) -> Needs {
    match &node.value {
        Value::Map(entries) => {
            let mut need = Need::default();
            for (key, value) in entries {
                if let Some(item) = of_item(&key.name, value) {
                    need = intersect(&need, &item);
                }
            }
            (need.sources.is_some() || need.names.is_some()).then(|| vec![need])
        }
        Value::Seq(items) if !items.is_empty() => {
            let mut all = Vec::new();
            for item in items {
                all.extend(of_selection(item)?);
            }
            Some(all)
        }
        _ => None,
    }
}

fn of_item(key: &str, value: &Node) -> Option<Need> {
    let mut parts = key.split('|');
    let field = parts.next()?.trim();
    let mut startswith = false;
    for m in parts {
        match m.trim() {
            "cased" => {}
            "startswith" => startswith = true,
            _ => return None,
        }
    }
    let texts: Vec<&str> = match &value.value {
        Value::Str(s) => vec![s.as_str()],
        Value::Seq(items) if !items.is_empty() => items
            .iter()
            .map(|n| match &n.value {
                Value::Str(s) => Some(s.as_str()),
                _ => None,
            })
            .collect::<Option<_>>()?,
        _ => return None,
    };
    let mut names = Vec::new();
    for text in texts {
        let name = match parse_wildcards(text).as_slice() {
            [Part::Lit(t)] => Name {
                text: t.clone(),
                prefix: startswith,
            },
            [Part::Lit(t), Part::Star] => Name {
                text: t.clone(),
                prefix: true,
            },
            _ => return None,
        };
        names.push(name);
    }
    match field {
        "eventName" => Some(Need {
            sources: None,
            names: Some(names),
        }),
        "eventSource" if names.iter().all(|n| !n.prefix) => Some(Need {
            sources: Some(names.into_iter().map(|n| n.text).collect()),
            names: None,
        }),
        _ => None,
    }
}

/// Both needs at once. Exact sets intersect (case-insensitively, as Sigma
/// compares); where a prefix is involved, either side alone is still a sound
/// need, so the smaller one is kept.
fn intersect(a: &Need, b: &Need) -> Need {
    let sources = match (&a.sources, &b.sources) {
        (None, x) | (x, None) => x.clone(),
        (Some(x), Some(y)) => Some(
            x.iter()
                .filter(|s| y.iter().any(|t| t.eq_ignore_ascii_case(s)))
                .cloned()
                .collect(),
        ),
    };
    let names = match (&a.names, &b.names) {
        (None, x) | (x, None) => x.clone(),
        (Some(x), Some(y)) if x.iter().chain(y).all(|n| !n.prefix) => Some(
            x.iter()
                .filter(|n| y.iter().any(|m| m.text.eq_ignore_ascii_case(&n.text)))
                .cloned()
                .collect(),
        ),
        (Some(x), Some(y)) => Some(if x.len() <= y.len() { x } else { y }.clone()),
    };
    Need { sources, names }
}

/// What an expanded condition needs, given each selection's needs.
pub fn of_expr(expr: &Expr, selections: &HashMap<&str, Needs>) -> Needs {
    match expr {
        Expr::Sel(name) => selections.get(name.as_str()).cloned().flatten(),
        Expr::Not(_) | Expr::Of { .. } => None,
        Expr::Or(items) => {
            let mut all = Vec::new();
            for item in items {
                all.extend(of_expr(item, selections)?);
            }
            Some(all)
        }
        Expr::And(items) => {
            let parts: Vec<Vec<Need>> = items
                .iter()
                .filter_map(|item| of_expr(item, selections))
                .collect();
            let mut combined: Option<Vec<Need>> = None;
            for part in &parts {
                combined = Some(match combined {
                    None => part.clone(),
                    Some(so_far) if so_far.len() * part.len() <= MAX_ALTERNATIVES => so_far
                        .iter()
                        .flat_map(|a| part.iter().map(move |b| intersect(a, b)))
                        .collect(),
                    // Too many alternatives: any one side is still sound.
                    Some(so_far) => {
                        if so_far.len() <= part.len() {
                            so_far
                        } else {
                            part.clone()
                        }
                    }
                });
            }
            combined
        }
    }
}

/// The rule `events` for these needs: empty (every event) unless every
/// alternative names both its eventSource(s) and its eventName(s). A need
/// with names alone is not used: the event index only sees records that
/// have an eventSource, while the condition alone would not require one.
pub fn specs(needs: &Needs) -> Vec<EventSpec> {
    let Some(list) = needs else {
        return Vec::new();
    };
    // `startswith: ''` is every name: no constraint at all.
    let every_name = |n: &Name| n.text.is_empty() && n.prefix;
    let constrained = list.iter().all(|need| {
        need.sources.is_some()
            && need
                .names
                .as_ref()
                .is_some_and(|names| !names.iter().any(every_name))
    });
    if constrained {
        required(needs)
    } else {
        Vec::new()
    }
}

/// The pairs a detection needs, for `ctfilter coverage`: like [`specs`],
/// but an alternative that names only eventName(s) gives pairs of any
/// source (`*:Name`), and one that names only eventSource(s) gives every
/// name of those sources (`source:*`). Empty: the detection can match any
/// event (no alternative, or one that constrains neither).
pub fn required(needs: &Needs) -> Vec<EventSpec> {
    let Some(needs) = needs else {
        return Vec::new();
    };
    let any_name = [Name {
        text: String::new(),
        prefix: true,
    }];
    let mut out: Vec<EventSpec> = Vec::new();
    for need in needs {
        let sources: Vec<Option<&str>> = match &need.sources {
            Some(s) => s.iter().map(|s| Some(s.as_str())).collect(),
            None => vec![None],
        };
        let names = need.names.as_deref().unwrap_or(&any_name);
        for source in &sources {
            for name in names {
                if source.is_none() && name.text.is_empty() && name.prefix {
                    return Vec::new();
                }
                let spec = EventSpec {
                    source: source.map(Into::into),
                    name: name.text.as_str().into(),
                    prefix: name.prefix,
                    nocase: true,
                };
                if !out.contains(&spec) {
                    out.push(spec);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::condition::{expand, parse};
    use super::*;

    /// What a detection's condition needs.
    fn needs_of(detection: &str, condition: &str) -> Needs {
        let node: Node = crate::rules::yaml::from_str(detection).unwrap();
        let Value::Map(entries) = &node.value else {
            panic!("not a map")
        };
        let names: Vec<&str> = entries.iter().map(|(k, _)| k.name.as_str()).collect();
        let needs: HashMap<&str, Needs> = entries
            .iter()
            .map(|(k, v)| (k.name.as_str(), of_selection(v)))
            .collect();
        let expr = expand(&parse(condition).unwrap(), &names).unwrap();
        of_expr(&expr, &needs)
    }

    fn strings(specs: &[EventSpec]) -> Vec<String> {
        specs.iter().map(ToString::to_string).collect()
    }

    /// The derived events of a detection, as `source:name` strings.
    fn derive(detection: &str, condition: &str) -> Vec<String> {
        strings(&specs(&needs_of(detection, condition)))
    }

    /// What `required` makes of a detection, as `source:name` strings.
    fn required_of(detection: &str, condition: &str) -> Vec<String> {
        strings(&required(&needs_of(detection, condition)))
    }

    #[test]
    fn source_and_names_at_the_top() {
        assert_eq!(
            derive(
                "selection: {eventSource: ec2.amazonaws.com, eventName: [A, B]}\nfilter: {x: 1}",
                "selection and not filter"
            ),
            ["ec2.amazonaws.com:A", "ec2.amazonaws.com:B"]
        );
    }

    #[test]
    fn a_name_alone_is_not_enough() {
        // The index only tries records that have an eventSource; this
        // condition does not require one.
        assert!(derive(
            "sel: {eventName: DeleteBucket}\ns1: {errorCode: Success}\ns2: {errorCode: null}",
            "sel and 1 of s*"
        )
        .is_empty());
    }

    #[test]
    fn source_and_name_from_different_selections() {
        assert_eq!(
            derive(
                "src: {eventSource: guardduty.amazonaws.com}\na1: {eventName: DeleteDetector}\na2: {eventName: UpdateDetector, x: 'false'}",
                "src and 1 of a*"
            ),
            [
                "guardduty.amazonaws.com:DeleteDetector",
                "guardduty.amazonaws.com:UpdateDetector"
            ]
        );
    }

    #[test]
    fn or_of_selections_unions_pairs() {
        assert_eq!(
            derive(
                "s1: {eventSource: sts.amazonaws.com, eventName: AssumeRoleWithSAML}\ns2: {eventSource: iam.amazonaws.com, eventName: UpdateSAMLProvider}",
                "1 of s*"
            ),
            [
                "sts.amazonaws.com:AssumeRoleWithSAML",
                "iam.amazonaws.com:UpdateSAMLProvider"
            ]
        );
        // One side of an `or` without a name: nothing can be derived.
        assert!(derive("s1: {eventName: A}\ns2: {userAgent: x}", "s1 or s2").is_empty());
    }

    #[test]
    fn prefixes() {
        assert_eq!(
            derive(
                "sel: {eventSource: lambda.amazonaws.com, eventName|startswith: UpdateFunctionConfiguration}",
                "sel"
            ),
            ["lambda.amazonaws.com:UpdateFunctionConfiguration*"]
        );
        assert_eq!(
            derive(
                "sel: {eventSource: s3.amazonaws.com, eventName: 'Put*'}",
                "sel"
            ),
            ["s3.amazonaws.com:Put*"]
        );
    }

    #[test]
    fn nothing_is_derived_when_not_exact() {
        for (detection, condition) in [
            ("sel: {userIdentity.type: Root}", "sel"),
            ("sel: {eventSource: s3.amazonaws.com}", "sel"),
            (
                "sel: {eventSource: s3.amazonaws.com, eventName|contains: Bucket}",
                "sel",
            ),
            (
                "sel: {eventSource: s3.amazonaws.com, eventName: '*Bucket'}",
                "sel",
            ),
            (
                "sel: {eventSource: s3.amazonaws.com, eventName: 'Get?ucket'}",
                "sel",
            ),
            (
                "sel: {eventSource: s3.amazonaws.com, eventName: [A, null]}",
                "sel",
            ),
            (
                "sel: {eventSource: s3.amazonaws.com, eventName|re: '^A'}",
                "sel",
            ),
            (
                "sel: {eventSource: s3.amazonaws.com, eventName|all: [A, B]}",
                "sel",
            ),
            ("sel: {eventSource: 's3.*', eventName: A}", "sel"),
            (
                "sel: {eventSource: s3.amazonaws.com, eventName: A}",
                "not sel",
            ),
            (
                "sel: {eventSource: s3.amazonaws.com, eventName|startswith: ''}",
                "sel",
            ),
        ] {
            assert!(
                derive(detection, condition).is_empty(),
                "{detection} / {condition}"
            );
        }
    }

    #[test]
    fn required_pairs_keep_names_without_a_source() {
        assert_eq!(
            required_of(
                "sel: {eventName: DeleteBucket}\ns: {errorCode: x}",
                "sel and s"
            ),
            ["*:DeleteBucket"]
        );
        assert_eq!(
            required_of("sel: {eventSource: s3.amazonaws.com}", "sel"),
            ["s3.amazonaws.com:*"]
        );
        assert_eq!(
            required_of(
                "sel: {eventSource: x.amazonaws.com, eventName: [A, B]}",
                "sel"
            ),
            ["x.amazonaws.com:A", "x.amazonaws.com:B"]
        );
        assert!(required_of("sel: {userAgent: TruffleHog}", "sel").is_empty());
        assert!(required_of("a: {eventName: A}\nb: {userAgent: x}", "a or b").is_empty());
    }

    #[test]
    fn and_intersects() {
        assert_eq!(
            derive(
                "a: {eventSource: x.amazonaws.com, eventName: [A, B]}\nb: {eventName: [b, C]}",
                "a and b"
            ),
            ["x.amazonaws.com:B"]
        );
        assert_eq!(
            derive(
                "a: {eventSource: [x.amazonaws.com, y.amazonaws.com]}\nb: {eventSource: y.amazonaws.com, eventName: N}",
                "a and b"
            ),
            ["y.amazonaws.com:N"]
        );
        // A contradiction matches nothing; nothing is derived (every event).
        assert!(derive(
            "a: {eventSource: x.amazonaws.com, eventName: A}\nb: {eventName: B}",
            "a and b"
        )
        .is_empty());
    }
}
