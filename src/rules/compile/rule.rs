//! One rule, identity classifier or embedded test from its config type to
//! its compiled form, and YAML test records as JSON text.
//!
//! Guarantees: every problem is reported with its position and compilation
//! goes on, so one run shows all of a file's problems; ids and ATT&CK ids are
//! validated here, once, for YAML and Sigma alike.

use super::origin;
use crate::rules::condition::{self, Condition};
use crate::rules::config::{ClassifierConfig, RuleConfig, RuleTestConfig};
use crate::rules::diag::Diags;
use crate::rules::events::EventSpec;
use crate::rules::plan::{Classifier, HistoryStep, IdentityClass, Rule, RuleTest};
use crate::rules::yaml::{Node, Pos, Value};

pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

fn valid_attack_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix('T') else {
        return false;
    };
    let (main, sub) = match rest.split_once('.') {
        Some((main, sub)) => (main, Some(sub)),
        None => (rest, None),
    };
    main.len() == 4
        && main.bytes().all(|b| b.is_ascii_digit())
        && sub.is_none_or(|s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
}

/// A `refs:` entry: `elastic:"Rule name"` (the name in double quotes),
/// `sigma:<id>` (id characters, no spaces), or `PREFIX:text` for any other
/// catalogue (PREFIX of letters, digits, `-` or `_`; text non-empty).
pub fn check_ref(text: &str) -> Result<(), String> {
    let text = text.trim();
    let bad = |why: &str| {
        Err(format!(
            "ref '{text}' {why} (expected elastic:\"Rule name\", sigma:<id> or PREFIX:text)"
        ))
    };
    let Some((prefix, rest)) = text.split_once(':') else {
        return bad("has no PREFIX:");
    };
    if prefix.is_empty()
        || !prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
    {
        return bad("has an empty or malformed prefix");
    }
    if rest.trim().is_empty() {
        return bad("names nothing after the prefix");
    }
    match prefix {
        "elastic" => {
            let name = rest.strip_prefix('"').and_then(|r| r.strip_suffix('"'));
            match name {
                Some(name) if !name.trim().is_empty() && !name.contains('"') => Ok(()),
                _ => bad("must quote the rule name in double quotes"),
            }
        }
        "sigma" if !valid_id(rest) => bad("is not a Sigma id"),
        _ => Ok(()),
    }
}

pub(super) fn compile_rule(
    cfg: &RuleConfig,
    pos: Pos,
    diags: &mut Diags,
    regexes: &mut condition::Regexes,
) -> Option<Rule> {
    let errors_before = diags.out.len();
    let mut events = Vec::new();
    for spec in &cfg.events {
        match EventSpec::parse(&spec.value) {
            Ok(parsed) => events.push(parsed),
            Err(e) => diags.error(Pos::of(spec), e),
        }
    }
    for id in &cfg.attack {
        if !valid_attack_id(&id.value) {
            diags.error(
                Pos::of(id),
                format!(
                    "'{}' is not an ATT&CK technique id (expected T1234 or T1234.001)",
                    id.value
                ),
            );
        }
    }
    for r in &cfg.refs {
        if let Err(e) = check_ref(&r.value) {
            diags.error(Pos::of(r), e);
        }
    }
    if cfg.category.trim().is_empty() {
        diags.error(
            pos,
            format!("rule '{}' has an empty category", cfg.id.value),
        );
    }
    let severity = match cfg
        .severity
        .value
        .parse::<crate::model::severity::Severity>()
    {
        Ok(level) => level,
        Err(e) => {
            diags.error(Pos::of(&cfg.severity), e);
            crate::model::severity::Severity::Info
        }
    };
    let condition = cfg
        .when
        .as_ref()
        .map(|node| condition::compile_with(node, diags, regexes));
    if cfg.events.is_empty() && condition.is_none() {
        diags.error(
            pos,
            format!(
                "rule '{}' has neither events nor a condition, so it would keep every record",
                cfg.id.value
            ),
        );
    }
    let first_seen = cfg
        .first_seen
        .as_ref()
        .and_then(|fs| crate::rules::first_seen::compile(&cfg.id.value, fs, diags));
    let rule_origin = origin(diags, pos);
    let tests = cfg
        .tests
        .iter()
        .filter_map(|t| compile_test(&t.value, Pos::of(t), diags))
        .collect();
    if diags.out[errors_before..]
        .iter()
        .any(|d| d.level == crate::rules::diag::Level::Error)
    {
        return None;
    }
    Some(Rule {
        id: cfg.id.value.as_str().into(),
        title: cfg.title.as_str().into(),
        severity,
        category: cfg.category.as_str().into(),
        attack: cfg.attack.iter().map(|a| a.value.as_str().into()).collect(),
        rationale: cfg.rationale.as_deref().map(Into::into),
        author: cfg.author.as_deref().map(Into::into),
        tags: cfg.tags.iter().map(|t| t.as_str().into()).collect(),
        refs: cfg.refs.iter().map(|r| r.value.trim().into()).collect(),
        events,
        condition,
        origin: rule_origin,
        tests,
        first_seen,
    })
}

pub(super) fn compile_classifier(
    cfg: &ClassifierConfig,
    pos: Pos,
    diags: &mut Diags,
    regexes: &mut condition::Regexes,
) -> Option<Classifier> {
    let class = match IdentityClass::parse(&cfg.class.value) {
        Some(class) => class,
        None => {
            diags.error(
                Pos::of(&cfg.class),
                format!(
                    "unknown identity class '{}' (expected human, machine or service)",
                    cfg.class.value
                ),
            );
            return None;
        }
    };
    let errors_before = diags.out.len();
    let condition: Condition = condition::compile_with(&cfg.when, diags, regexes);
    if diags.out.len() > errors_before {
        return None;
    }
    Some(Classifier {
        id: cfg.id.value.as_str().into(),
        class,
        signal: cfg.signal.as_str().into(),
        condition,
        origin: origin(diags, pos),
    })
}

pub(super) fn compile_test(cfg: &RuleTestConfig, pos: Pos, diags: &mut Diags) -> Option<RuleTest> {
    if let Some(class) = &cfg.identity {
        if IdentityClass::parse(class).is_none() {
            diags.error(
                pos,
                format!("test expects unknown identity class '{class}'"),
            );
            return None;
        }
    }
    let records = std::iter::once(&cfg.record).chain(cfg.history.iter().map(|h| &h.value.record));
    let mut bad = false;
    for record in records {
        if !matches!(record.value, Value::Map(_)) {
            diags.error(
                record.pos,
                "a test record must be a mapping (a CloudTrail record)",
            );
            bad = true;
        }
    }
    if bad {
        return None;
    }
    let history = cfg
        .history
        .iter()
        .map(|step| HistoryStep {
            record_json: to_json_text(&step.value.record),
            should_match: step.value.should_match,
            origin: origin(diags, Pos::of(step)),
        })
        .collect();
    Some(RuleTest {
        name: cfg.name.clone(),
        should_match: cfg.should_match,
        severity: cfg.severity,
        identity: cfg.identity.clone(),
        record_json: to_json_text(&cfg.record),
        origin: origin(diags, pos),
        history,
    })
}

/// A YAML node as compact JSON text, keys in the order they were written, so
/// a test record reaches the engine exactly as a live record with that key
/// order would (serde_json's map would sort them).
pub fn to_json_text(node: &Node) -> String {
    fn write(node: &Node, out: &mut Vec<u8>) {
        match &node.value {
            Value::Null => out.extend_from_slice(b"null"),
            Value::Bool(b) => crate::model::json::write_bool(out, *b),
            Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Value::Float(f) if f.is_finite() => {
                out.extend_from_slice(serde_json::Value::from(*f).to_string().as_bytes())
            }
            Value::Float(_) => out.extend_from_slice(b"null"),
            Value::Str(s) => crate::model::json::write_str(out, s),
            Value::Seq(items) => {
                crate::model::json::write_array(out, items, |out, item| write(item, out))
            }
            Value::Map(entries) => {
                out.push(b'{');
                for (n, (key, value)) in entries.iter().enumerate() {
                    if n > 0 {
                        out.push(b',');
                    }
                    crate::model::json::write_str(out, &key.name);
                    out.push(b':');
                    write(value, out);
                }
                out.push(b'}');
            }
        }
    }
    let mut out = Vec::new();
    write(node, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// A YAML node as a JSON value (keys sorted; see [`to_json_text`]).
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Str(s) => J::String(s.clone()),
        Value::Seq(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Map(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::check_ref;

    #[test]
    fn refs_are_checked() {
        for good in [
            r#"elastic:"AWS Bedrock Guardrails Deleted""#,
            "sigma:59b70e4d-dd17-44a9-b740-acf07ae3eb6a",
            "traildiscover:DeleteTrail",
            "site_soc-1:runbook 12",
        ] {
            assert_eq!(check_ref(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "   ",
            "no prefix",
            ":text",
            "bad prefix:x",
            "elastic:",
            "elastic:Unquoted Name",
            r#"elastic:"""#,
            r#"elastic:"a"b""#,
            "sigma:has spaces",
            "sigma:",
        ] {
            assert!(check_ref(bad).is_err(), "{bad:?}");
        }
    }
}
