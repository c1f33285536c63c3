//! Where rules come from, read and compiled in one step: the embedded pack,
//! `-r` files, and `--sigma` files layered over them.
//!
//! Guarantees: the layer order is defaults, then `-r` paths in command-line
//! order, then Sigma; [`RuleSources`] is kept so that SIGHUP reloads exactly
//! the same sources.

use crate::rules::compile::{compile_files, merge};
use crate::rules::diag::{has_errors, Diagnostic};
use crate::rules::plan::RuleSet;
use crate::rules::sigma;
use crate::rules::source::{read_path, Source};
use std::path::PathBuf;

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
    /// The sources `test`, `check` and `rules` read: the embedded tests of
    /// the default rules are loaded too.
    pub fn with_tests(defaults: bool, paths: &[PathBuf], sigma: &[PathBuf]) -> RuleSources {
        RuleSources {
            defaults,
            paths: paths.to_vec(),
            sigma: sigma.to_vec(),
            with_tests: true,
        }
    }

    /// Read every source. Unreadable paths become diagnostics.
    pub fn read(&self, diags: &mut Vec<Diagnostic>) -> Vec<Source> {
        let mut sources = Vec::new();
        if self.defaults {
            sources.extend(
                crate::rules::defaults::FILES
                    .iter()
                    .map(|file| file.source(self.with_tests)),
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
        let sigma = sigma::read(&self.sigma, &mut diags);
        let rules = compile_layered(&sources, &sigma, &mut diags);
        match rules {
            Some(rules) if !has_errors(&diags) => Ok((rules, diags)),
            _ => Err(diags),
        }
    }
}

/// The YAML sources compiled in order, then the Sigma files as one last layer
/// (so a Sigma rule replaces a YAML rule with the same id, and `disable:`
/// reaches it). Returns `None` when any error was found.
pub fn compile_layered(
    sources: &[Source],
    sigma: &[Source],
    out: &mut Vec<Diagnostic>,
) -> Option<RuleSet> {
    let mut layers = compile_files(sources, out);
    if !sigma.is_empty() {
        layers.push_rules(sigma::compile_sources(sigma, out));
    }
    merge(layers, out)
}

#[cfg(test)]
mod tests {
    use super::compile_layered;
    use crate::rules::diag::Level;
    use crate::rules::source::Source;

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
