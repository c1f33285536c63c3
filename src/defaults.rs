//! The default rule pack, embedded at build time from `rules/*.yml`.
//!
//! Guarantees: the files are compiled in file-name order, `pack_version()`
//! changes whenever any embedded rule file changes, and the test-free copy of
//! each file has the same rules on the same lines (checked by a test).

include!(concat!(env!("OUT_DIR"), "/default_rules.rs"));

/// `<crate version>+<content hash>`, printed by `ctfilter --version`.
pub fn pack_version() -> String {
    format!("{}+{}", env!("CARGO_PKG_VERSION"), PACK_HASH)
}

#[cfg(test)]
mod tests {
    use crate::compile::{compile_sources, Source};

    fn compile(with_tests: bool) -> crate::plan::RuleSet {
        let sources: Vec<Source> = super::FILES
            .iter()
            .map(|(name, full, lean)| Source {
                name: (*name).into(),
                text: if with_tests { full } else { lean }.to_string(),
            })
            .collect();
        let mut diags = Vec::new();
        let set = compile_sources(&sources, &mut diags);
        assert!(!crate::diag::has_errors(&diags), "{diags:#?}");
        set.expect("defaults compile")
    }

    #[test]
    fn lean_copy_has_the_same_rules_on_the_same_lines() {
        let full = compile(true);
        let lean = compile(false);
        assert_eq!(full.rules.len(), lean.rules.len());
        assert!(!full.rules.is_empty());
        for (a, b) in full.rules.iter().zip(&lean.rules) {
            assert_eq!(a.id, b.id);
            assert_eq!(a.origin, b.origin);
            assert!(b.tests.is_empty());
        }
        assert_eq!(full.classifiers.len(), lean.classifiers.len());
    }
}
