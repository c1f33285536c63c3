//! Rule files in, [`RuleSet`] out: compilation and layering.
//!
//! Layers are applied in order: the embedded defaults (unless disabled), then
//! each `-r` path in command-line order (a directory contributes its `*.yml`
//! and `*.yaml` files sorted by name), then, from [`crate::rules::load`], the
//! `--sigma` files as one last layer. A rule whose id already exists replaces
//! it in place; identity classifiers of later layers are tried before earlier
//! ones; `disable:` removes rules and classifiers by id after all layers are
//! applied. Every problem in every file is reported, each with `path:line:col`;
//! a rule set is produced only when there is no error. One rule, classifier
//! or test is compiled in [`rule`].

mod rule;

use rule::{compile_classifier, compile_rule, valid_id};
pub use rule::{to_json, to_json_text};

use crate::rules::condition;
use crate::rules::config::{Origin, RuleFile};
use crate::rules::diag::{has_errors, Diagnostic, Diags};
use crate::rules::plan::{Classifier, IdentityClass, Rule, RuleSet, Settings};
use crate::rules::source::Source;
use crate::rules::yaml::{self, Pos, Spanned};
use std::collections::HashMap;

struct Layer {
    disable: Vec<(String, Origin)>,
    rules: Vec<Rule>,
    classifiers: Vec<Classifier>,
}

/// Compile and layer sources in order. Returns `None` when any error was found.
pub fn compile_sources(sources: &[Source], out: &mut Vec<Diagnostic>) -> Option<RuleSet> {
    merge(compile_files(sources, out), out)
}

/// Every file's settings and rules, compiled in order but not yet merged, so
/// that rules compiled elsewhere (Sigma) can be layered over them.
pub struct Layers {
    settings: Settings,
    layers: Vec<Layer>,
}

impl Layers {
    /// Adds already compiled rules as one more layer, over every earlier one.
    pub fn push_rules(&mut self, rules: Vec<Rule>) {
        self.layers.push(Layer {
            disable: Vec::new(),
            rules,
            classifiers: Vec::new(),
        });
    }
}

/// Reads and compiles each source as one layer; problems go to `out`.
pub fn compile_files(sources: &[Source], out: &mut Vec<Diagnostic>) -> Layers {
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
    Layers { settings, layers }
}

/// Applies the layers in order: a same-id rule replaces the earlier one in
/// place, later classifiers are tried first, and `disable:` runs last.
/// Returns `None` when any error was found, in any layer.
pub fn merge(layers: Layers, out: &mut Vec<Diagnostic>) -> Option<RuleSet> {
    let Layers { settings, layers } = layers;
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

pub(super) fn origin(diags: &Diags, pos: Pos) -> Origin {
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
#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::yaml::Node;

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
        for (at, says) in [
            ("bad.yml:7:", "ATT&CK"),
            ("bad.yml:8:", "empty name"),
            ("bad.yml:9:", "unknown modifier"),
            ("bad.yml:10:", "duplicate id 'a'"),
            ("bad.yml:17:", "unknown severity 'loud'"),
        ] {
            assert!(
                text.iter().any(|t| t.starts_with(at) && t.contains(says)),
                "{at} {says}: {text:#?}"
            );
        }
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
