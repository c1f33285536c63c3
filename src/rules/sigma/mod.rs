//! Sigma rules (`--sigma PATH`) compiled into ordinary plan rules.
//!
//! A Sigma file whose logsource is `product: aws` / `service: cloudtrail` is
//! compiled into one [`Rule`] with the same `Condition`
//! tree the YAML rules use, so the hot loop does not know Sigma exists. The
//! work is split into small steps:
//!
//! - [`load`]: one file in, one rule (or a reason to skip it) out: logsource,
//!   metadata (id, title, level, tags, author, description) and detection;
//! - [`modifiers`]: one detection item, `field|modifier: values`, into a
//!   field test, with Sigma's wildcards and case rules;
//! - [`condition`]: the condition string (`and`, `or`, `not`, parentheses,
//!   `1 of x*`, `all of them`) parsed and resolved against the selections;
//! - [`events`]: the (eventSource, eventName) pairs a condition requires, so
//!   a rule is only tried on the records it can match.
//!
//! Guarantees: a file that cannot be read or parsed as YAML, and a rule that is
//! malformed as Sigma (bad condition, undefined selection, bad value for
//! `exists`, `cidr` or a comparison), is an error with `path:line:col`; a rule
//! that is fine but uses a feature ctfilter does not have (a modifier such as
//! `base64`, keyword search, aggregations, correlations, other logsources) is
//! skipped with a warning naming the file and the feature, and the other rules
//! still load. See `docs/sigma.md`.

pub mod condition;
pub mod events;
pub mod load;
pub mod modifiers;

use crate::rules::compile::Source;
use crate::rules::diag::{Diagnostic, Diags};
use crate::rules::plan::Rule;
use crate::rules::yaml::Pos;
use std::path::PathBuf;

/// Why one Sigma rule did not compile.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// A valid rule that uses something ctfilter does not support: the rule
    /// is skipped with a warning.
    Unsupported { pos: Pos, what: String },
    /// A malformed rule: an error, reported with its position.
    Invalid { pos: Pos, message: String },
}

impl Problem {
    pub fn unsupported(pos: Pos, what: impl Into<String>) -> Problem {
        Problem::Unsupported {
            pos,
            what: what.into(),
        }
    }
    pub fn invalid(pos: Pos, message: impl Into<String>) -> Problem {
        Problem::Invalid {
            pos,
            message: message.into(),
        }
    }
}

/// Read every `--sigma` path (a file, or a directory's `*.yml` and `*.yaml`
/// files sorted by name, not recursing). Unreadable paths become errors.
pub fn read(paths: &[PathBuf], diags: &mut Vec<Diagnostic>) -> Vec<Source> {
    let mut sources = Vec::new();
    for path in paths {
        crate::rules::compile::read_path(path, &mut sources, diags);
    }
    sources
}

/// Compile Sigma sources, in order, into rules. Errors and warnings go to
/// `out`; a skipped rule leaves one warning:
/// `path: warning: Sigma rule 'id' skipped (line N): <reason>`.
pub fn compile_sources(sources: &[Source], out: &mut Vec<Diagnostic>) -> Vec<Rule> {
    let mut rules = Vec::new();
    for source in sources {
        let mut diags = Diags {
            file: source.name.clone(),
            out,
        };
        match load::compile_file(&source.name, &source.text) {
            Ok(rule) => rules.push(rule),
            Err(load::Failure::Skipped { rule, line, reason }) => {
                let at = if line > 0 {
                    format!(" (line {line})")
                } else {
                    String::new()
                };
                diags.warning(
                    Pos::default(),
                    format!("Sigma rule '{rule}' skipped{at}: {reason}"),
                )
            }
            Err(load::Failure::Invalid { pos, message }) => diags.error(pos, message),
        }
    }
    rules
}

#[cfg(test)]
mod tests {
    use crate::rules::compile::{compile_layered, Source};
    use crate::rules::diag::Level;

    const SIGMA: &str = "title: From Sigma\nid: shared-id\nauthor: A. Author\n\
        logsource: {product: aws, service: cloudtrail}\n\
        detection: {sel: {eventSource: iam.amazonaws.com, eventName: CreateUser}, condition: sel}\n\
        level: high\n";

    const YAML: &str = "rules:\n  - {id: shared-id, title: From YAML, severity: low, category: x, events: [iam:CreateUser]}\n  - {id: other, title: Other, severity: low, category: x, events: [iam:DeleteUser]}\n";

    #[test]
    fn sigma_rules_layer_over_yaml_rules() {
        let mut diags = Vec::new();
        let set = compile_layered(
            &[Source::yaml("y.yml", YAML)],
            &[Source::yaml("s.yml", SIGMA)],
            &mut diags,
        )
        .unwrap();
        assert!(diags.is_empty(), "{diags:?}");
        let ids: Vec<&str> = set.rules.iter().map(|r| &*r.id).collect();
        assert_eq!(ids, ["shared-id", "other"]);
        assert_eq!(&*set.rules[0].title, "From Sigma");
        assert_eq!(set.rules[0].author.as_deref(), Some("A. Author"));
    }

    #[test]
    fn disable_reaches_sigma_rules() {
        let mut diags = Vec::new();
        let set = compile_layered(
            &[Source::yaml("y.yml", "disable: [shared-id]\n")],
            &[Source::yaml("s.yml", SIGMA)],
            &mut diags,
        )
        .unwrap();
        assert!(set.rules.is_empty());
        assert!(diags.is_empty(), "{diags:?}");
    }

    #[test]
    fn a_skipped_rule_is_a_warning_and_the_others_load() {
        let windows =
            "title: W\nlogsource: {product: windows}\ndetection: {s: {a: b}, condition: s}\n";
        let mut diags = Vec::new();
        let set = compile_layered(
            &[],
            &[Source::yaml("w.yml", windows), Source::yaml("s.yml", SIGMA)],
            &mut diags,
        )
        .unwrap();
        assert_eq!(set.rules.len(), 1);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].level, Level::Warning);
        assert_eq!(
            diags[0].to_string(),
            "w.yml: warning: Sigma rule 'w' skipped: its logsource is product: windows, \
             service: (none) (ctfilter reads product: aws, service: cloudtrail)"
        );
    }

    #[test]
    fn a_broken_rule_is_an_error_and_nothing_compiles() {
        let broken = SIGMA
            .replace("condition: sel", "condition: sel and")
            .replace("id: shared-id", "id: broken");
        let mut diags = Vec::new();
        let set = compile_layered(
            &[],
            &[Source::yaml("b.yml", &broken), Source::yaml("s.yml", SIGMA)],
            &mut diags,
        );
        assert!(set.is_none());
        assert_eq!(diags[0].level, Level::Error);
        assert!(diags[0].to_string().starts_with("b.yml:5:"), "{}", diags[0]);
    }
}
