//! The reviewed list of event pairs and detections that the default pack
//! deliberately does not keep, `rules/excluded/EXCLUDED.yml`, embedded in the
//! binary for `ctfilter check` and `ctfilter coverage`.
//!
//! The file sits in a subfolder so build.rs does not embed it as a rule file;
//! it is embedded here with `include_str!` (cargo rebuilds when it changes)
//! and parsed with the rule files' YAML loader, so a problem in it is reported
//! as `rules/excluded/EXCLUDED.yml:line:col: ...`.
//!
//! Guarantees: parsing never panics; every entry has a non-empty reason; an
//! excluded event is a `source:Name` pair with a source and an exact name; no
//! pair or detection is listed twice. The list describes the default pack
//! only: callers apply it only when the default rules are loaded.

use crate::rules::diag::{has_errors, Diagnostic, Diags};
use crate::rules::events::EventSpec;
use crate::rules::yaml::{self, Pos, Spanned};
use serde::Deserialize;
use std::sync::Arc;

/// Where the list lives in the repository, and the name it is reported under.
pub const FILE: &str = "rules/excluded/EXCLUDED.yml";

/// The embedded text of [`FILE`].
pub const TEXT: &str = include_str!("../../rules/excluded/EXCLUDED.yml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExclusionFile {
    #[serde(default)]
    version: Option<Spanned<u32>>,
    #[serde(default)]
    events: Vec<Spanned<EventEntry>>,
    #[serde(default)]
    detections: Vec<Spanned<DetectionEntry>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EventEntry {
    event: String,
    reason: String,
    #[serde(default)]
    sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DetectionEntry {
    detection: String,
    reason: String,
}

/// One excluded event pair.
#[derive(Clone, Debug)]
pub struct ExcludedEvent {
    /// The pair as written (`s3:GetObject`).
    pub event: String,
    pub spec: EventSpec,
    pub reason: String,
    /// The detections that query it (`elastic:"Name"`, `sigma:<id>`).
    pub sources: Vec<String>,
    pub pos: Pos,
}

/// One whole detection that matches no specific pair.
#[derive(Clone, Debug)]
pub struct ExcludedDetection {
    /// As in the sources of an event: `sigma:<id>`, `elastic:"Name"`.
    pub detection: String,
    pub reason: String,
    pub pos: Pos,
}

/// The parsed exclusion list.
#[derive(Clone, Debug, Default)]
pub struct Exclusions {
    pub events: Vec<ExcludedEvent>,
    pub detections: Vec<ExcludedDetection>,
}

impl Exclusions {
    /// The embedded list of the default pack.
    pub fn embedded() -> Result<Exclusions, Vec<Diagnostic>> {
        parse(FILE, TEXT)
    }

    /// The exclusion of a required pair, if listed. A pair without a source
    /// (a detection that names only the eventName) matches by name; a prefix
    /// never matches, as exclusions name exact events.
    pub fn event(&self, need: &EventSpec) -> Option<&ExcludedEvent> {
        if need.prefix {
            return None;
        }
        self.events.iter().find(|e| {
            e.spec.name == need.name
                && need
                    .source
                    .as_ref()
                    .is_none_or(|s| e.spec.source == Some(s.clone()))
        })
    }

    /// The exclusion of a whole detection (`sigma:<id>`), if listed.
    pub fn detection(&self, detection: &str) -> Option<&ExcludedDetection> {
        self.detections.iter().find(|d| d.detection == detection)
    }
}

/// Parse an exclusion list; `name` is how problems are reported.
pub fn parse(name: &str, text: &str) -> Result<Exclusions, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut diags = Diags {
        file: Arc::from(name),
        out: &mut out,
    };
    let file: ExclusionFile = match yaml::from_str(text) {
        Ok(file) => file,
        Err(e) => {
            diags.error(e.pos, e.message);
            return Err(out);
        }
    };
    if let Some(v) = &file.version {
        if v.value != 1 {
            diags.error(
                v.pos,
                format!("unknown version {} (only 1 exists)", v.value),
            );
        }
    }
    let mut list = Exclusions::default();
    for entry in file.events {
        let (pos, e) = (entry.pos, entry.value);
        if e.reason.trim().is_empty() {
            diags.error(pos, format!("excluded event '{}' has no reason", e.event));
        }
        let spec = match EventSpec::parse(&e.event) {
            Ok(spec) if spec.source.is_some() && !spec.prefix => spec,
            Ok(_) => {
                diags.error(
                    pos,
                    format!(
                        "excluded event '{}' must be source:Name, with no '*'",
                        e.event
                    ),
                );
                continue;
            }
            Err(message) => {
                diags.error(pos, message);
                continue;
            }
        };
        if list.events.iter().any(|o| o.spec == spec) {
            diags.error(pos, format!("event '{}' is excluded twice", e.event));
        }
        list.events.push(ExcludedEvent {
            event: e.event.trim().to_string(),
            spec,
            reason: e.reason.trim().to_string(),
            sources: e.sources,
            pos,
        });
    }
    for entry in file.detections {
        let (pos, d) = (entry.pos, entry.value);
        let detection = d.detection.trim().to_string();
        if detection.is_empty() || d.reason.trim().is_empty() {
            diags.error(pos, "an excluded detection needs a name and a reason");
        }
        if list.detection(&detection).is_some() {
            diags.error(pos, format!("detection {detection} is excluded twice"));
        }
        list.detections.push(ExcludedDetection {
            detection,
            reason: d.reason.trim().to_string(),
            pos,
        });
    }
    if has_errors(&out) {
        Err(out)
    } else {
        Ok(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_parses() {
        let list = Exclusions::embedded().unwrap_or_else(|d| panic!("{d:?}"));
        assert!(!list.events.is_empty());
        let get_object = EventSpec::parse("s3:GetObject").unwrap();
        assert!(list.event(&get_object).is_some());
        let by_name = EventSpec::parse("GetObject").unwrap();
        assert!(list.event(&by_name).is_some());
        let other = EventSpec::parse("s3:DeleteBucket").unwrap();
        assert!(list.event(&other).is_none());
    }

    #[test]
    fn problems_have_positions() {
        let text = "version: 1\nevents:\n  - event: s3:GetObject\n    reason: ''\n  - event: 'GetObject'\n    reason: x\n";
        let diags = parse("x.yml", text).unwrap_err();
        let text: Vec<String> = diags.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(text[0].starts_with("x.yml:3:"), "{text:?}");
        assert!(text[1].contains("must be source:Name"), "{text:?}");
        let diags = parse("x.yml", "events:\n  - evnt: a\n").unwrap_err();
        assert!(diags[0].to_string().starts_with("x.yml:2:"), "{}", diags[0]);
        let diags = parse(
            "x.yml",
            "detections:\n  - {detection: a, reason: b}\n  - {detection: a, reason: c}\n",
        )
        .unwrap_err();
        assert!(diags[0].message.contains("twice"), "{}", diags[0]);
    }
}
