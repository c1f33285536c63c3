//! The default rule pack, embedded at build time from `rules/*.yml`.
//!
//! Guarantees: the files are compiled in file-name order, `pack_version()`
//! changes whenever any embedded rule file changes, and the test-free copy of
//! each file has the same rules on the same lines (checked by a test). The
//! packed copy of each file (parsed at build time, see [`crate::rules::packed`])
//! compiles to exactly the rule set its YAML compiles to (checked by a test).

use crate::rules::source::Source;
use std::sync::Arc;

/// One embedded rule file.
#[derive(Debug)]
pub struct File {
    /// `rules/NAME.yml`.
    pub name: &'static str,
    /// The file as written, for `ctfilter test` and `check`.
    pub full: &'static str,
    /// The file with its `tests:` blocks blanked out, line for line.
    pub lean: &'static str,
    /// `lean` parsed at build time; `None` when it does not parse (its errors
    /// are then reported from the YAML text, as for any rule file).
    pub packed: Option<&'static [u8]>,
}

include!(concat!(env!("OUT_DIR"), "/default_rules.rs"));

impl File {
    /// This file as a rule source: with its tests as written, or without
    /// them, packed when possible.
    pub fn source(&self, with_tests: bool) -> Source {
        Source {
            name: Arc::from(format!("<embedded>/{}", self.name)),
            text: if with_tests { self.full } else { self.lean }.to_string(),
            packed: if with_tests { None } else { self.packed },
        }
    }
}

/// `<crate version>+<content hash>`, printed by `ctfilter --version`.
pub fn pack_version() -> String {
    format!("{}+{}", env!("CARGO_PKG_VERSION"), PACK_HASH)
}

#[cfg(test)]
mod tests {
    use crate::rules::compile::compile_sources;
    use crate::rules::config::RuleFile;
    use crate::rules::source::Source;

    fn compile(sources: &[Source]) -> crate::rules::plan::RuleSet {
        let mut diags = Vec::new();
        let set = compile_sources(sources, &mut diags);
        assert!(!crate::rules::diag::has_errors(&diags), "{diags:#?}");
        assert!(diags.is_empty(), "{diags:#?}");
        set.expect("defaults compile")
    }

    /// The sources a filter run uses, or the same read from YAML only.
    fn lean(packed: bool) -> Vec<Source> {
        super::FILES
            .iter()
            .map(|file| Source {
                packed: if packed { file.packed } else { None },
                ..file.source(false)
            })
            .collect()
    }

    #[test]
    fn lean_copy_has_the_same_rules_on_the_same_lines() {
        let full = compile(
            &super::FILES
                .iter()
                .map(|f| f.source(true))
                .collect::<Vec<_>>(),
        );
        let lean = compile(&lean(false));
        assert_eq!(full.rules.len(), lean.rules.len());
        assert!(!full.rules.is_empty());
        for (a, b) in full.rules.iter().zip(&lean.rules) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.origin, b.origin);
            assert!(b.tests.is_empty());
        }
        assert_eq!(full.classifiers.len(), lean.classifiers.len());
    }

    #[test]
    fn every_file_is_packed_and_reads_as_its_yaml() {
        for file in super::FILES {
            let bytes = file
                .packed
                .unwrap_or_else(|| panic!("{} is not packed", file.name));
            let packed: RuleFile = crate::rules::packed::from_bytes(bytes)
                .unwrap_or_else(|e| panic!("{}: packed form does not decode: {e}", file.name));
            let yaml: RuleFile = crate::rules::yaml::from_str(file.lean).expect("lean YAML parses");
            assert_eq!(format!("{packed:?}"), format!("{yaml:?}"), "{}", file.name);
        }
    }

    #[test]
    fn packed_pack_compiles_to_the_yaml_rule_set() {
        let packed = compile(&lean(true));
        let yaml = compile(&lean(false));
        assert_eq!(packed.rules.len(), yaml.rules.len());
        for (p, y) in packed.rules.iter().zip(&yaml.rules) {
            assert_eq!(p.id, y.id);
            assert_eq!(p.origin, y.origin, "{}", p.id);
            assert_eq!(p.severity, y.severity, "{}", p.id);
            assert_eq!(
                p.condition.as_ref().map(|c| c.describe()),
                y.condition.as_ref().map(|c| c.describe()),
                "{}",
                p.id
            );
        }
        for (p, y) in packed.classifiers.iter().zip(&yaml.classifiers) {
            assert_eq!((&p.id, &p.origin), (&y.id, &y.origin));
            assert_eq!(p.condition.describe(), y.condition.describe(), "{}", p.id);
        }
        // Everything else too: titles, events, paths, settings, the index.
        assert_eq!(format!("{packed:#?}"), format!("{yaml:#?}"));
    }
}
