//! (eventSource, eventName) sets: exact pairs hashed by name, prefixes (for
//! Lambda's versioned names such as `UpdateFunctionCode20150331v2`, hashed by
//! source), and names valid for any source.
//!
//! Specs from Sigma rules are case-insensitive (`nocase`), as Sigma compares
//! values; they sit in their own ASCII-folded map, so the exact lookup of
//! YAML rules costs the same as before and the folded one is only tried when
//! some Sigma rule was loaded.
//!
//! Guarantees: lookups never allocate, and a spec's meaning does not depend on
//! the order specs were added.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The multiply-rotate hash of rustc's FxHasher: event names are short and
/// not attacker-chosen keys of a long-lived map (the map is built from rules),
/// so SipHash's flooding resistance buys nothing and costs a lookup per record.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;

/// One parsed `source:Name` spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventSpec {
    /// Full eventSource (`iam.amazonaws.com`), or `None` for any source.
    pub source: Option<Box<str>>,
    pub name: Box<str>,
    /// `Name*`: `name` is a prefix.
    pub prefix: bool,
    /// Source and name compare ignoring ASCII case (Sigma rules).
    pub nocase: bool,
}

impl EventSpec {
    /// Parse `iam:CreateUser`, `iam.amazonaws.com:CreateUser`, `CreateUser`,
    /// `*:CreateUser` or `lambda:UpdateFunctionCode*`.
    pub fn parse(text: &str) -> Result<EventSpec, String> {
        let text = text.trim();
        let (source, name) = match text.rsplit_once(':') {
            Some((source, name)) => (Some(source.trim()), name.trim()),
            None => (None, text),
        };
        let source = match source {
            None | Some("*") => None,
            Some("") => return Err(format!("event '{text}' has an empty source")),
            Some(s) if s.contains('.') => Some(s.into()),
            Some(s) => Some(format!("{s}.amazonaws.com").into_boxed_str()),
        };
        let (name, prefix) = match name.strip_suffix('*') {
            Some(stem) => (stem, true),
            None => (name, false),
        };
        if name.is_empty() && !prefix {
            return Err(format!("event '{text}' has an empty name"));
        }
        if name.contains(['*', '?', ' ', ',']) {
            return Err(format!(
                "event '{text}': only a trailing '*' is allowed in a name (use a rule condition for other patterns)"
            ));
        }
        Ok(EventSpec {
            source,
            name: name.into(),
            prefix,
            nocase: false,
        })
    }

    pub fn matches(&self, source: &str, name: &str) -> bool {
        if self.nocase {
            let want = self.name.as_bytes();
            return self
                .source
                .as_deref()
                .is_none_or(|s| s.eq_ignore_ascii_case(source))
                && if self.prefix {
                    name.len() >= want.len()
                        && name.as_bytes()[..want.len()].eq_ignore_ascii_case(want)
                } else {
                    name.eq_ignore_ascii_case(&self.name)
                };
        }
        self.source.as_deref().is_none_or(|s| s == source)
            && if self.prefix {
                name.starts_with(&*self.name)
            } else {
                name == &*self.name
            }
    }
}

impl std::fmt::Display for EventSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = self.source.as_deref().unwrap_or("*");
        let star = if self.prefix { "*" } else { "" };
        write!(f, "{source}:{}{star}", self.name)
    }
}

/// Items registered for one eventName, each with its source (`None`: any).
type BySource<T> = Vec<(Option<Box<str>>, T)>;

/// Maps event pairs to the ids (`T`) registered for them.
#[derive(Clone, Debug, Default)]
pub struct EventIndex<T> {
    exact: HashMap<Box<str>, BySource<T>, FxBuild>,
    /// `nocase` exact specs, keyed and sourced in ASCII lower case.
    folded: HashMap<Box<str>, BySource<T>, FxBuild>,
    /// Case-sensitive prefix specs with a source, by source: a record's
    /// source has a handful of them at most, of the pack's 44.
    sourced_prefixes: HashMap<Box<str>, Vec<(EventSpec, T)>, FxBuild>,
    /// The other prefix specs (no source, or `nocase`), tried one by one.
    prefixes: Vec<(EventSpec, T)>,
}

/// Longest eventName folded on the stack; longer names (none in CloudTrail)
/// are compared one entry at a time.
const FOLD_MAX: usize = 128;

impl<T: Copy> EventIndex<T> {
    pub fn insert(&mut self, spec: &EventSpec, item: T) {
        if spec.prefix {
            match (&spec.source, spec.nocase) {
                (Some(source), false) => self
                    .sourced_prefixes
                    .entry(source.clone())
                    .or_default()
                    .push((spec.clone(), item)),
                _ => self.prefixes.push((spec.clone(), item)),
            }
        } else if spec.nocase {
            let source = spec
                .source
                .as_deref()
                .map(|s| s.to_ascii_lowercase().into());
            self.folded
                .entry(spec.name.to_ascii_lowercase().into())
                .or_default()
                .push((source, item));
        } else {
            self.exact
                .entry(spec.name.clone())
                .or_default()
                .push((spec.source.clone(), item));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
            && self.folded.is_empty()
            && self.sourced_prefixes.is_empty()
            && self.prefixes.is_empty()
    }

    /// Call `visit` with every item registered for the pair.
    #[inline]
    pub fn for_each(&self, source: &str, name: &str, mut visit: impl FnMut(T)) {
        if let Some(entries) = self.exact.get(name) {
            for (want, item) in entries {
                if want.as_deref().is_none_or(|s| s == source) {
                    visit(*item);
                }
            }
        }
        if !self.folded.is_empty() {
            self.for_each_folded(source, name, &mut visit);
        }
        if !self.sourced_prefixes.is_empty() {
            if let Some(entries) = self.sourced_prefixes.get(source) {
                for (spec, item) in entries {
                    if name.starts_with(&*spec.name) {
                        visit(*item);
                    }
                }
            }
        }
        for (spec, item) in &self.prefixes {
            if spec.matches(source, name) {
                visit(*item);
            }
        }
    }

    /// The case-insensitive entries for the pair.
    fn for_each_folded(&self, source: &str, name: &str, visit: &mut impl FnMut(T)) {
        let mut visit_entries = |entries: &BySource<T>| {
            for (want, item) in entries {
                if want
                    .as_deref()
                    .is_none_or(|s| s.eq_ignore_ascii_case(source))
                {
                    visit(*item);
                }
            }
        };
        let mut buf = [0u8; FOLD_MAX];
        match buf.get_mut(..name.len()) {
            Some(lower) => {
                lower.copy_from_slice(name.as_bytes());
                lower.make_ascii_lowercase();
                // Lower-casing ASCII bytes keeps UTF-8 valid.
                if let Some(entries) = std::str::from_utf8(lower)
                    .ok()
                    .and_then(|key| self.folded.get(key))
                {
                    visit_entries(entries);
                }
            }
            None => {
                for (key, entries) in &self.folded {
                    if key.eq_ignore_ascii_case(name) {
                        visit_entries(entries);
                    }
                }
            }
        }
    }

    pub fn contains(&self, source: &str, name: &str) -> bool {
        let mut found = false;
        self.for_each(source, name, |_| found = true);
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_spec_forms() {
        let s = EventSpec::parse("iam:CreateUser").unwrap();
        assert_eq!(s.source.as_deref(), Some("iam.amazonaws.com"));
        assert_eq!(&*s.name, "CreateUser");
        let s = EventSpec::parse("route53domains.amazonaws.com:TransferDomainToAnotherAwsAccount")
            .unwrap();
        assert_eq!(s.source.as_deref(), Some("route53domains.amazonaws.com"));
        let s = EventSpec::parse("StopLogging").unwrap();
        assert_eq!(s.source, None);
        let s = EventSpec::parse("lambda:UpdateFunctionCode*").unwrap();
        assert!(s.prefix && s.matches("lambda.amazonaws.com", "UpdateFunctionCode20150331v2"));
        assert!(!s.matches("iam.amazonaws.com", "UpdateFunctionCode20150331v2"));
        assert!(EventSpec::parse("iam:").is_err());
        assert!(EventSpec::parse("iam:Create*User").is_err());
    }

    #[test]
    fn index_keys_on_source_and_name() {
        let mut idx = EventIndex::default();
        idx.insert(&EventSpec::parse("events:DeleteRule").unwrap(), 1);
        idx.insert(&EventSpec::parse("CreateUser").unwrap(), 2);
        idx.insert(&EventSpec::parse("lambda:AddPermission*").unwrap(), 3);
        idx.insert(&EventSpec::parse("lambda:Add*").unwrap(), 4);
        idx.insert(&EventSpec::parse("Get*").unwrap(), 5);
        let hits = |s: &str, n: &str| {
            let mut v = Vec::new();
            idx.for_each(s, n, |i| v.push(i));
            v
        };
        assert_eq!(hits("events.amazonaws.com", "DeleteRule"), [1]);
        assert!(hits("waf.amazonaws.com", "DeleteRule").is_empty());
        assert_eq!(hits("sso-directory.amazonaws.com", "CreateUser"), [2]);
        assert_eq!(hits("lambda.amazonaws.com", "Add"), [4]);
        assert!(hits("lambda.amazonaws.com", "Ad").is_empty());
        assert!(hits("s3.amazonaws.com", "AddPermission20150331v2").is_empty());
        assert_eq!(
            hits("lambda.amazonaws.com", "AddPermission20150331v2"),
            [3, 4]
        );
        assert_eq!(hits("s3.amazonaws.com", "GetObject"), [5]);
    }

    #[test]
    fn nocase_specs_ignore_ascii_case_and_exact_ones_do_not() {
        let nocase = |text: &str| EventSpec {
            nocase: true,
            ..EventSpec::parse(text).unwrap()
        };
        let mut idx = EventIndex::default();
        idx.insert(&EventSpec::parse("cloudtrail:StopLogging").unwrap(), 1);
        idx.insert(&nocase("CloudTrail:stoplogging"), 2);
        idx.insert(&nocase("lambda:updatefunctioncode*"), 3);
        let long = "X".repeat(FOLD_MAX + 1);
        idx.insert(&nocase(&format!("iam:{}", long.to_lowercase())), 4);
        let hits = |s: &str, n: &str| {
            let mut v = Vec::new();
            idx.for_each(s, n, |i| v.push(i));
            v
        };
        assert_eq!(hits("cloudtrail.amazonaws.com", "StopLogging"), [1, 2]);
        assert_eq!(hits("cloudtrail.amazonaws.com", "STOPLOGGING"), [2]);
        assert!(hits("iam.amazonaws.com", "StopLogging").is_empty());
        assert_eq!(
            hits("Lambda.amazonaws.com", "UpdateFunctionCode20150331"),
            [3]
        );
        assert_eq!(hits("iam.amazonaws.com", &long), [4]);
    }
}
