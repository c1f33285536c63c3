//! The default rule pack, embedded at build time from `rules/*.yml`.
//!
//! Guarantees: the files are compiled in file-name order, and `PACK_VERSION`
//! changes whenever any embedded rule file changes.

include!(concat!(env!("OUT_DIR"), "/default_rules.rs"));

/// `<crate version>+<content hash>`, printed by `ctfilter --version`.
pub fn pack_version() -> String {
    format!("{}+{}", env!("CARGO_PKG_VERSION"), PACK_HASH)
}
