//! A rule's `first_seen: {by: [...], within: 10d}` block, compiled.
//!
//! Guarantees: the `by` paths are parsed like condition paths, there is at
//! least one and none twice, and `within` is a positive duration of at most
//! 136 years (the state keeps 32-bit times). The compiled
//! [`FirstSeenSpec::state_name`] joins the rule id and the `by` fields, so a
//! rule redefined over other fields starts with a fresh baseline. Without
//! `--state`, a first-seen rule never matches (`ctfilter check` says so).

use crate::model::duration::Window;
use crate::model::record::Path;
use crate::rules::config::FirstSeenConfig;
use crate::rules::diag::Diags;
use crate::rules::plan::FirstSeenSpec;
use crate::rules::yaml::{Pos, Spanned};

/// Compile one block; report every problem and return `None` if any.
pub fn compile(
    rule_id: &str,
    cfg: &Spanned<FirstSeenConfig>,
    diags: &mut Diags,
) -> Option<FirstSeenSpec> {
    let errors = diags.out.len();
    if cfg.value.by.is_empty() {
        diags.error(Pos::of(cfg), "first_seen needs at least one field in 'by'");
    }
    let mut by: Vec<Path> = Vec::new();
    for field in &cfg.value.by {
        match Path::parse(&field.value) {
            Ok(path) if by.iter().any(|p| p.as_str() == path.as_str()) => diags.error(
                Pos::of(field),
                format!("field '{}' is listed twice in 'by'", field.value),
            ),
            Ok(path) => by.push(path),
            Err(e) => diags.error(Pos::of(field), e),
        }
    }
    let within_secs = match Window::parse(&cfg.value.within.value) {
        Ok(window) => window.as_secs(),
        Err(message) => {
            diags.error(Pos::of(&cfg.value.within), message);
            0
        }
    };
    if diags.out.len() > errors {
        return None;
    }
    let fields: Vec<&str> = by.iter().map(Path::as_str).collect();
    Some(FirstSeenSpec {
        state_name: format!("{rule_id}/by={}", fields.join(",")).into(),
        by,
        within_secs,
    })
}
