//! Rule files in, [`RuleSet`] out: loading, layering and compilation.
//!
//! Layers are applied in order: the embedded defaults (unless disabled), then
//! each `-r` path in command-line order (a directory contributes its `*.yml`
//! and `*.yaml` files sorted by name), then the `--sigma` files as one last
//! layer (see [`crate::rules::sigma`]). A rule whose id already exists replaces
//! it in place; identity classifiers of later layers are tried before earlier
//! ones; `disable:` removes rules and classifiers by id after all layers are
//! applied. Every problem in every file is reported, each with `path:line:col`;
//! a rule set is produced only when there is no error.

use crate::rules::condition::{self, Condition};
use crate::rules::config::{ClassifierConfig, Origin, RuleConfig, RuleFile, RuleTestConfig};
use crate::rules::diag::{has_errors, Diagnostic, Diags};
use crate::rules::events::EventSpec;
use crate::rules::plan::{Classifier, IdentityClass, Rule, RuleSet, RuleTest, Settings};
use crate::rules::yaml::{self, Node, Pos, Spanned, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The text of one rule file and the name it is reported under.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: Arc<str>,
    pub text: String,
    /// For an embedded file, `text` parsed at build time ([`crate::rules::packed`]):
    /// read instead of the YAML when it decodes.
    pub packed: Option<&'static [u8]>,
}

impl Source {
    /// A rule file read as YAML (a user's file, or text in a test).
    pub fn yaml(name: impl Into<Arc<str>>, text: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            text: text.into(),
            packed: None,
        }
    }
}

/// Where rules come from; kept so SIGHUP can load them again.
#[derive(Clone, Debug, Default)]
pub struct RuleSources {
    pub defaults: bool,
    pub paths: Vec<PathBuf>,
    /// `--sigma` files or directories, compiled after (over) the YAML rules.
    pub sigma: Vec<PathBuf>,
    /// Load the embedded tests of the default rules too (`test`, `check`).
    pub with_tests: bool,
}

impl RuleSources {
    /// Read every source. Unreadable paths become diagnostics.
    pub fn read(&self, diags: &mut Vec<Diagnostic>) -> Vec<Source> {
        let mut sources = Vec::new();
        if self.defaults {
            sources.extend(
                crate::rules::defaults::FILES
                    .iter()
                    .map(|file| embedded(file, self.with_tests)),
            );
        }
        for path in &self.paths {
            read_path(path, &mut sources, diags);
        }
        sources
    }

    /// Read and compile in one step.
    pub fn compile(&self) -> Result<(RuleSet, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut diags = Vec::new();
        let sources = self.read(&mut diags);
        let sigma = crate::rules::sigma::read(&self.sigma, &mut diags);
        let rules = compile_layered(&sources, &sigma, &mut diags);
        match rules {
            Some(rules) if !has_errors(&diags) => Ok((rules, diags)),
            _ => Err(diags),
        }
    }
}

/// An embedded rule file as a source: with its tests as written, or without
/// them, packed when possible.
pub fn embedded(file: &crate::rules::defaults::File, with_tests: bool) -> Source {
    Source {
        name: Arc::from(format!("<embedded>/{}", file.name)),
        text: if with_tests { file.full } else { file.lean }.to_string(),
        packed: if with_tests { None } else { file.packed },
    }
}

pub(crate) fn read_path(path: &Path, sources: &mut Vec<Source>, diags: &mut Vec<Diagnostic>) {
    let shown: Arc<str> = Arc::from(path.display().to_string());
    let file_error = |diags: &mut Vec<Diagnostic>, message: String| {
        Diags {
            file: shown.clone(),
            out: diags,
        }
        .error(Pos::default(), message)
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) => return file_error(diags, format!("cannot read rules: {e}")),
    };
    if meta.is_dir() {
        let mut files: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.is_file()
                        && p.extension()
                            .is_some_and(|ext| ext == "yml" || ext == "yaml")
                })
                .collect(),
            Err(e) => return file_error(diags, format!("cannot list rules directory: {e}")),
        };
        files.sort();
        if files.is_empty() {
            diags.push(Diagnostic {
                level: crate::rules::diag::Level::Warning,
                file: shown,
                pos: Pos::default(),
                message: "directory holds no .yml or .yaml rule files".into(),
            });
        }
        for file in files {
            read_path(&file, sources, diags);
        }
        return;
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => sources.push(Source::yaml(shown, text)),
            Err(_) => file_error(diags, "rule file is not valid UTF-8".into()),
        },
        Err(e) => file_error(diags, format!("cannot read rules: {e}")),
    }
}

struct Layer {
    disable: Vec<(String, Origin)>,
    rules: Vec<Rule>,
    classifiers: Vec<Classifier>,
}

/// Compile and layer sources in order. Returns `None` when any error was found.
pub fn compile_sources(sources: &[Source], out: &mut Vec<Diagnostic>) -> Option<RuleSet> {
    compile_layered(sources, &[], out)
}

/// [`compile_sources`], then the Sigma files as one last layer (so a Sigma
/// rule replaces a YAML rule with the same id, and `disable:` reaches it).
pub fn compile_layered(
    sources: &[Source],
    sigma: &[Source],
    out: &mut Vec<Diagnostic>,
) -> Option<RuleSet> {
    let mut settings = Settings::default();
    let mut layers = Vec::new();
    let mut regexes = condition::Regexes::default();
    for source in sources {
        let first_diag = out.len();
        let mut diags = Diags {
            file: source.name.clone(),
            out,
        };
        let file: RuleFile = match read_file(source) {
            Ok(file) => file,
            Err(e) => {
                diags.error(e.pos, e.message);
                continue;
            }
        };
        if let Some(version) = &file.version {
            if version.value != 1 {
                diags.error(
                    Pos::of(version),
                    format!(
                        "unsupported rule file version {} (expected 1)",
                        version.value
                    ),
                );
            }
        }
        if let Some(cfg) = &file.settings {
            apply_settings(&mut settings, cfg, &mut diags);
        }
        layers.push(compile_layer(&file, &mut diags, &mut regexes));
        // Report each file's problems in reading order.
        out[first_diag..].sort_by_key(|d| (d.pos.line, d.pos.col));
    }
    if !sigma.is_empty() {
        layers.push(Layer {
            disable: Vec::new(),
            rules: crate::rules::sigma::compile_sources(sigma, out),
            classifiers: Vec::new(),
        });
    }

    let mut rules: Vec<Rule> = Vec::new();
    let mut by_id: HashMap<Box<str>, usize> = HashMap::new();
    let mut classifiers: Vec<Classifier> = Vec::new();
    let mut disabled: Vec<(String, Origin)> = Vec::new();
    for layer in layers {
        for rule in layer.rules {
            match by_id.get(&rule.id) {
                Some(&at) => rules[at] = rule,
                None => {
                    by_id.insert(rule.id.clone(), rules.len());
                    rules.push(rule);
                }
            }
        }
        // Later layers are tried first; a same-id classifier replaces the old one.
        classifiers.retain(|old| !layer.classifiers.iter().any(|new| new.id == old.id));
        let mut merged = layer.classifiers;
        merged.append(&mut classifiers);
        classifiers = merged;
        disabled.extend(layer.disable);
    }
    for (id, origin) in &disabled {
        let before = rules.len() + classifiers.len();
        rules.retain(|r| &*r.id != id);
        classifiers.retain(|c| &*c.id != id);
        if before == rules.len() + classifiers.len() {
            out.push(Diagnostic {
                level: crate::rules::diag::Level::Warning,
                file: origin.file.clone(),
                pos: origin.pos,
                message: format!("disable: no rule or classifier has id '{id}'"),
            });
        }
    }
    if has_errors(out) {
        return None;
    }
    let mut set = RuleSet {
        rules,
        classifiers,
        settings,
        ..RuleSet::default()
    };
    for (idx, rule) in set.rules.iter().enumerate() {
        if rule.events.is_empty() {
            set.any_event.push(idx as u32);
        }
        for spec in &rule.events {
            set.index.insert(spec, idx as u32);
        }
    }
    Some(set)
}

/// The packed form when it decodes (it then holds what the YAML holds),
/// else the YAML text.
fn read_file(source: &Source) -> Result<RuleFile, yaml::YamlError> {
    if let Some(file) = source
        .packed
        .and_then(|bytes| crate::rules::packed::from_bytes(bytes).ok())
    {
        return Ok(file);
    }
    yaml::from_str(&source.text)
}

fn origin(diags: &Diags, pos: Pos) -> Origin {
    Origin {
        file: diags.file.clone(),
        pos,
    }
}

fn apply_settings(
    settings: &mut Settings,
    cfg: &crate::rules::config::SettingsConfig,
    diags: &mut Diags,
) {
    if let Some(bump) = cfg.denied_bump {
        settings.denied_bump = bump.min(4);
    }
    if let Some(codes) = &cfg.denied_ignore_codes {
        settings.denied_ignore_codes = codes.iter().map(|c| c.as_str().into()).collect();
    }
    if let Some(level) = cfg.root_min_severity {
        settings.root_min_severity = level;
    }
    if let Some(level) = cfg.default_severity {
        settings.default_severity = level;
    }
    if let Some(class) = &cfg.identity_default {
        match IdentityClass::parse(&class.value) {
            Some(c) => settings.identity_default = c,
            None => diags.error(
                Pos::of(class),
                format!(
                    "unknown identity class '{}' (expected human, machine or service)",
                    class.value
                ),
            ),
        }
    }
}

fn compile_layer(file: &RuleFile, diags: &mut Diags, regexes: &mut condition::Regexes) -> Layer {
    let mut layer = Layer {
        disable: file
            .disable
            .iter()
            .map(|id| (id.value.clone(), origin(diags, Pos::of(id))))
            .collect(),
        rules: Vec::new(),
        classifiers: Vec::new(),
    };
    let mut seen: HashMap<String, Pos> = HashMap::new();
    let mut check_id = |diags: &mut Diags, id: &Spanned<String>| -> bool {
        let pos = Pos::of(id);
        if !valid_id(&id.value) {
            diags.error(
                pos,
                format!(
                    "id '{}' must be non-empty letters, digits, '-', '_', '.' or ':'",
                    id.value
                ),
            );
            return false;
        }
        if let Some(first) = seen.insert(id.value.clone(), pos) {
            diags.error(
                pos,
                format!(
                    "duplicate id '{}' (first defined at line {})",
                    id.value, first.line
                ),
            );
            return false;
        }
        true
    };
    for spanned in &file.rules {
        if !check_id(diags, &spanned.value.id) {
            continue;
        }
        if let Some(rule) = compile_rule(&spanned.value, Pos::of(spanned), diags, regexes) {
            layer.rules.push(rule);
        }
    }
    for spanned in &file.identity {
        if !check_id(diags, &spanned.value.id) {
            continue;
        }
        if let Some(c) = compile_classifier(&spanned.value, Pos::of(spanned), diags, regexes) {
            layer.classifiers.push(c);
        }
    }
    layer
}

fn valid_id(id: &str) -> bool {
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

fn compile_rule(
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
        events,
        condition,
        origin: rule_origin,
        tests,
    })
}

fn compile_classifier(
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

fn compile_test(cfg: &RuleTestConfig, pos: Pos, diags: &mut Diags) -> Option<RuleTest> {
    if let Some(class) = &cfg.identity {
        if IdentityClass::parse(class).is_none() {
            diags.error(
                pos,
                format!("test expects unknown identity class '{class}'"),
            );
            return None;
        }
    }
    if !matches!(cfg.record.value, Value::Map(_)) {
        diags.error(
            cfg.record.pos,
            "a test record must be a mapping (a CloudTrail record)",
        );
        return None;
    }
    Some(RuleTest {
        name: cfg.name.clone(),
        should_match: cfg.should_match,
        severity: cfg.severity,
        identity: cfg.identity.clone(),
        record_json: to_json_text(&cfg.record),
        origin: origin(diags, pos),
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
                out.push(b'[');
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.push(b',');
                    }
                    write(item, out);
                }
                out.push(b']');
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
    use super::*;

    const BASE: &str = r#"
version: 1
rules:
  - id: stop-logging
    title: Stop
    severity: critical
    category: logging
    attack: [T1562.008]
    events: [cloudtrail:StopLogging]
  - id: sg-open
    title: Open SG
    severity: high
    category: network
    events: [ec2:AuthorizeSecurityGroupIngress]
    when: {requestParameters.cidrIp: 0.0.0.0/0}
identity:
  - {id: root, class: human, signal: root, when: {userIdentity.type: Root}}
"#;

    #[test]
    fn layers_override_and_disable() {
        let user = r#"
disable: [sg-open, nothing-here]
rules:
  - id: stop-logging
    title: Stop (mine)
    severity: medium
    category: logging
    events: [cloudtrail:StopLogging]
identity:
  - {id: ci, class: machine, signal: ci, when: {userAgent|contains: terraform}}
"#;
        let mut diags = Vec::new();
        let set = compile_sources(
            &[
                Source::yaml("base.yml", BASE),
                Source::yaml("user.yml", user),
            ],
            &mut diags,
        )
        .unwrap();
        assert_eq!(set.rules.len(), 1);
        assert_eq!(&*set.rules[0].title, "Stop (mine)");
        assert_eq!(
            set.classifiers.iter().map(|c| &*c.id).collect::<Vec<_>>(),
            ["ci", "root"]
        );
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(diags[0].to_string().contains("user.yml:2:"), "{}", diags[0]);
        assert!(diags[0].message.contains("nothing-here"));
    }

    #[test]
    fn every_error_is_reported_with_a_position() {
        let bad = r#"
rules:
  - id: a
    title: A
    severity: high
    category: x
    attack: [X1]
    events: ['iam:']
    when: {eventName|nope: x}
  - id: a
    title: again
    severity: low
    category: x
    events: [iam:CreateUser]
  - id: b
    title: B
    severity: loud
    category: x
"#;
        let mut diags = Vec::new();
        assert!(compile_sources(&[Source::yaml("bad.yml", bad)], &mut diags).is_none());
        let text: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.starts_with("bad.yml:7:") && t.contains("ATT&CK")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("bad.yml:8:") && t.contains("empty name")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("bad.yml:9:") && t.contains("unknown modifier")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("bad.yml:10:") && t.contains("duplicate id 'a'")),
            "{text:#?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("bad.yml:17:") && t.contains("unknown severity 'loud'")),
            "{text:#?}"
        );
    }

    #[test]
    fn unknown_fields_are_errors() {
        let mut diags = Vec::new();
        let text = "rules:\n  - id: a\n    title: A\n    severity: high\n    category: x\n    evnts: [iam:CreateUser]\n";
        assert!(compile_sources(&[Source::yaml("u.yml", text)], &mut diags).is_none());
        assert!(diags[0].message.contains("evnts"), "{}", diags[0]);
        assert_eq!(diags[0].pos.line, 6, "{}", diags[0]);
    }

    #[test]
    fn test_records_keep_their_key_order() {
        let node: Node =
            yaml::from_str("{zeta: 1, alpha: [true, null, 'x\\\"y'], mid: {b: 2.5, a: -3}}")
                .unwrap();
        assert_eq!(
            to_json_text(&node),
            r#"{"zeta":1,"alpha":[true,null,"x\\\"y"],"mid":{"b":2.5,"a":-3}}"#
        );
        let parsed: serde_json::Value = serde_json::from_str(&to_json_text(&node)).unwrap();
        assert_eq!(parsed, to_json(&node));
    }

    #[test]
    fn duplicate_ids_in_one_file_are_errors() {
        let text = "rules:\n  - {id: a, title: A, severity: low, category: x, events: [iam:A]}\n  - {id: a, title: B, severity: low, category: x, events: [iam:B]}\n";
        let mut diags = Vec::new();
        assert!(compile_sources(&[Source::yaml("d.yml", text)], &mut diags).is_none());
        assert!(
            diags[0].message.contains("duplicate id 'a'"),
            "{}",
            diags[0]
        );
    }
}
