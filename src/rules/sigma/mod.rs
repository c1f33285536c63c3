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

use crate::rules::diag::{Diagnostic, Diags};
use crate::rules::plan::Rule;
use crate::rules::source::{read_path, Source};
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
        read_path(path, &mut sources, diags);
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
