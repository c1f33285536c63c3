//! A rule's `first_seen: {by: [...], within: 10d}` block, compiled.
//!
//! Guarantees: the `by` paths are parsed like condition paths, there is at
//! least one and none twice, and `within` is a positive duration of at most
//! 136 years (the state keeps 32-bit times). The compiled
//! [`FirstSeenSpec::state_name`] joins the rule id and the `by` fields, so a
//! rule redefined over other fields starts with a fresh baseline. Without
//! `--state`, a first-seen rule never matches (`ctfilter check` says so).

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
    let within = cfg.value.within.value.as_str();
    let within_secs = match duration_secs(within) {
        Some(0) => {
            diags.error(Pos::of(&cfg.value.within), "'within' must be at least 1s");
            0
        }
        Some(secs) => secs,
        None => {
            diags.error(
                Pos::of(&cfg.value.within),
                format!("'{within}' is not a duration of at most 136 years (e.g. 12h, 10d, 2w)"),
            );
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

/// `30s`, `15m`, `12h`, `10d`, `2w` or a sum such as `1d12h`, in seconds.
fn duration_secs(text: &str) -> Option<u32> {
    let mut total: u64 = 0;
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n = rest.bytes().take_while(u8::is_ascii_digit).count();
        let value: u64 = rest.get(..n.min(10))?.parse().ok()?;
        let unit = match rest.as_bytes().get(n)? {
            b's' => 1,
            b'm' => 60,
            b'h' => 3600,
            b'd' => 86_400,
            b'w' => 604_800,
            _ => return None,
        };
        total = total.saturating_add(value.saturating_mul(unit));
        rest = &rest[n + 1..];
    }
    u32::try_from(total).ok()
}

#[cfg(test)]
mod tests {
    use super::duration_secs;

    #[test]
    fn durations() {
        assert_eq!(duration_secs("10d"), Some(864_000));
        assert_eq!(duration_secs("1d12h"), Some(129_600));
        assert_eq!(duration_secs("2w"), Some(1_209_600));
        assert_eq!(duration_secs("0s"), Some(0));
        for bad in ["", "d", "10", "10x", "1.5d", "99999999999d", "-1d"] {
            assert_eq!(duration_secs(bad), None, "{bad}");
        }
    }
}
