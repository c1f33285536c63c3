//! The verdict object spliced into each kept record, and the splice itself.
//!
//! The record's own bytes are copied unchanged; the verdict is appended as one
//! more top-level member just before the closing brace, so a record is never
//! re-serialised. Writing reuses the caller's buffer and allocates nothing.

use crate::engine::{Core, Verdict};
use crate::model::calendar::days_from_civil;
use crate::model::json;
use crate::model::record::{text, Val};
use crate::rules::plan::Plan;
use simd_json::prelude::ValueAsScalar as _;

/// Who made the call, as far as the record says.
#[derive(Clone, Copy, Debug, Default)]
pub struct IdentityFields<'i> {
    pub kind: Option<&'i str>,
    pub name: Option<&'i str>,
    pub arn: Option<&'i str>,
    pub account: Option<&'i str>,
    pub mfa: Option<bool>,
    pub console: bool,
}

impl<'i> IdentityFields<'i> {
    pub fn of(core: &Core<'_, 'i>) -> IdentityFields<'i> {
        let Some(user) = core.user_identity else {
            return IdentityFields::default();
        };
        let field = |key: &str| user.get(key).and_then(text);
        let kind = field("type");
        let arn = field("arn");
        let name = field("userName")
            .or_else(|| match kind {
                Some("AssumedRole") | Some("FederatedUser") => {
                    arn.and_then(|a| a.rsplit('/').next())
                }
                Some("Root") => Some("root"),
                _ => None,
            })
            .or_else(|| field("principalId"));
        let attributes = user.get("sessionContext").and_then(|s| s.get("attributes"));
        let mfa = attributes
            .and_then(|a| a.get("mfaAuthenticated"))
            .and_then(loose_bool)
            .or_else(|| {
                core.additional
                    .and_then(|a| a.get("MFAUsed"))
                    .and_then(text)
                    .map(|s| s.eq_ignore_ascii_case("yes"))
            });
        let console = core.session_from_console == Some(true)
            || field("invokedBy") == Some("signin.amazonaws.com")
            || matches!(
                core.event_type,
                Some("AwsConsoleSignIn") | Some("AwsConsoleAction")
            );
        IdentityFields {
            kind,
            name,
            arn,
            account: field("accountId"),
            mfa,
            console,
        }
    }
}

/// A boolean, or a `"true"`/`"false"` string in any case, as CloudTrail
/// writes `mfaAuthenticated`.
pub fn loose_bool(value: Val<'_, '_>) -> Option<bool> {
    value.as_bool().or_else(|| match text(value) {
        Some(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// `iam.amazonaws.com` -> `iam`.
pub fn service_of(source: &str) -> &str {
    source.strip_suffix(".amazonaws.com").unwrap_or(source)
}

/// The verb that starts an API name: `CreateAccessKey` -> `Create`.
pub fn action_of(name: &str) -> &str {
    // By character, not byte: a name may start with any character, and a cut
    // inside a multi-byte one would panic.
    let end = name
        .char_indices()
        .skip(1)
        .find(|&(_, c)| !c.is_ascii_lowercase())
        .map_or(name.len(), |(at, _)| at);
    &name[..end]
}

/// Seconds since the epoch for `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`.
pub fn parse_time(stamp: &str) -> Option<f64> {
    let b = stamp.as_bytes();
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let s = stamp.get(range)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &stamp[19..];
    let mut fraction = 0.0;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        fraction = format!("0.{}", &frac[..digits.min(9)]).parse().ok()?;
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let hm = rest[1..].replace(':', "");
            if hm.len() != 4 || !hm.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let h: i64 = hm[..2].parse().ok()?;
            let m: i64 = hm[2..].parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some((days * 86_400 + hour * 3600 + minute * 60 + second - offset) as f64 + fraction)
}

pub fn now_epoch() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Write the verdict object (the value only, `{...}`).
pub fn write_verdict(
    out: &mut Vec<u8>,
    plan: &Plan,
    core: &Core<'_, '_>,
    verdict: &Verdict,
    matched: &[u32],
    now: f64,
) {
    let rules = &plan.rules.rules;
    let lead = verdict.lead_rule.map(|i| &rules[i as usize]);
    let first = &mut true;
    out.push(b'{');
    json::key(out, first, "severity");
    json::write_str(out, verdict.severity.as_str());
    json::key(out, first, "score");
    json::write_u64(out, u64::from(verdict.score));
    json::key(out, first, "category");
    let category = match lead {
        Some(rule) => &*rule.category,
        None if verdict.insight => "insight",
        None => "none",
    };
    json::write_str(out, category);
    json::opt_str_member(out, first, "title", lead.map(|r| &*r.title));
    json::key(out, first, "rules");
    json::write_str_array(out, matched.iter().map(|&i| &*rules[i as usize].id));
    json::key(out, first, "attack");
    write_attack_ids(out, rules, matched);
    let authors = matched
        .iter()
        .filter_map(|&i| rules[i as usize].author.as_deref());
    if matched.iter().any(|&i| rules[i as usize].author.is_some()) {
        json::key(out, first, "authors");
        json::write_str_array(out, authors);
    }

    json::key(out, first, "identity");
    let who = IdentityFields::of(core);
    let inner = &mut true;
    out.push(b'{');
    json::opt_str_member(out, inner, "class", verdict.class.map(|c| c.as_str()));
    json::key(out, inner, "signal");
    match (verdict.class, verdict.classifier) {
        (None, _) => out.extend_from_slice(b"null"),
        (Some(_), Some(idx)) => json::write_str(out, &plan.rules.classifiers[idx as usize].id),
        (Some(_), None) => json::write_str(out, "default"),
    }
    json::opt_str_member(out, inner, "type", who.kind);
    json::opt_str_member(out, inner, "name", who.name);
    json::opt_str_member(out, inner, "arn", who.arn);
    json::opt_str_member(out, inner, "account", who.account);
    json::key(out, inner, "mfa");
    json::write_opt_bool(out, who.mfa);
    json::key(out, inner, "console");
    json::write_bool(out, who.console);
    out.push(b'}');

    let (source, name) = core.pair();
    json::opt_str_member(out, first, "service", source.map(service_of));
    json::opt_str_member(out, first, "action", name.map(action_of));
    json::opt_str_member(out, first, "region", core.aws_region);
    json::opt_str_member(out, first, "account", core.account());
    json::key(out, first, "outcome");
    json::write_str(out, if verdict.failed { "failure" } else { "success" });
    json::opt_str_member(
        out,
        first,
        "error",
        core.error_code.or(core.error_message.map(|_| "error")),
    );
    json::key(out, first, "read_only");
    json::write_opt_bool(out, core.read_only);
    json::key(out, first, "latency_s");
    match core.event_time.and_then(parse_time) {
        Some(t) => json::write_f64_3(out, now - t),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
}

/// The ATT&CK ids of the matched rules as a JSON array, in rule order,
/// each id once. Returns how many were written.
pub fn write_attack_ids(
    out: &mut Vec<u8>,
    rules: &[crate::rules::plan::Rule],
    matched: &[u32],
) -> usize {
    out.push(b'[');
    let mut count = 0;
    for (pos, &i) in matched.iter().enumerate() {
        let attack = &rules[i as usize].attack;
        for (k, id) in attack.iter().enumerate() {
            let seen_before = attack[..k].contains(id)
                || matched[..pos]
                    .iter()
                    .any(|&j| rules[j as usize].attack.contains(id));
            if seen_before {
                continue;
            }
            if count > 0 {
                out.push(b',');
            }
            json::write_str(out, id);
            count += 1;
        }
    }
    out.push(b']');
    count
}

/// Append `record` with `"key":verdict` added as its last member, then a newline.
/// `record` must be one JSON object (leading/trailing whitespace allowed) and
/// `has_members` says whether it is non-empty. A record that spans several
/// lines (from a pretty-printed document) is compacted onto one line.
pub fn splice(
    out: &mut Vec<u8>,
    record: &[u8],
    has_members: bool,
    key_json: &[u8],
    verdict: &[u8],
) {
    if memchr::memchr2(b'\n', b'\r', record).is_some() {
        splice_compacted(out, record, has_members, key_json, verdict);
    } else {
        splice_exact(out, record, has_members, key_json, verdict);
    }
}

fn splice_exact(
    out: &mut Vec<u8>,
    record: &[u8],
    has_members: bool,
    key_json: &[u8],
    verdict: &[u8],
) {
    let end = record
        .iter()
        .rposition(|&b| b == b'}')
        .unwrap_or(record.len());
    let start = record
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0)
        .min(end);
    out.extend_from_slice(&record[start..end]);
    if has_members {
        out.push(b',');
    }
    out.extend_from_slice(key_json);
    out.extend_from_slice(verdict);
    out.extend_from_slice(b"}\n");
}

/// Whitespace outside strings is dropped so the record comes out on one line.
/// Values and key order are unchanged.
fn splice_compacted(
    out: &mut Vec<u8>,
    record: &[u8],
    has_members: bool,
    key_json: &[u8],
    verdict: &[u8],
) {
    let mut compact = Vec::with_capacity(record.len());
    let mut in_string = false;
    let mut escaped = false;
    for &b in record {
        if in_string {
            compact.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            if b == b'"' {
                in_string = true;
            }
            compact.push(b);
        }
    }
    splice_exact(out, &compact, has_members, key_json, verdict);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacts_pretty_records_but_not_strings() {
        let mut out = Vec::new();
        let record = b"{\n  \"a\": \"x y\\\" z\",\n  \"b\": [1, 2]\n}";
        splice_compacted(&mut out, record, true, b"\"k\":", b"{}");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"a\":\"x y\\\" z\",\"b\":[1,2],\"k\":{}}\n"
        );
    }

    #[test]
    fn actions_and_services() {
        assert_eq!(action_of("CreateAccessKey"), "Create");
        assert_eq!(action_of("UpdateFunctionCode20150331v2"), "Update");
        assert_eq!(action_of("GetObject"), "Get");
        assert_eq!(action_of("ListDBSnapshots"), "List");
        assert_eq!(action_of(""), "");
        assert_eq!(action_of("\u{e9}Decrypt"), "\u{e9}");
        assert_eq!(action_of("\u{feff}Create"), "\u{feff}");
        assert_eq!(action_of("Cr\u{e9}ate"), "Cr");
        assert_eq!(service_of("iam.amazonaws.com"), "iam");
        assert_eq!(service_of("custom"), "custom");
    }

    #[test]
    fn parses_cloudtrail_times() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_time("2026-01-15T10:00:00Z"), Some(1_768_471_200.0));
        assert_eq!(
            parse_time("2026-01-15T10:00:00.250Z"),
            Some(1_768_471_200.25)
        );
        assert_eq!(
            parse_time("2026-01-15T12:00:00+02:00"),
            Some(1_768_471_200.0)
        );
        assert_eq!(parse_time("2024-02-29T00:00:00Z"), Some(1_709_164_800.0));
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("2026-13-15T10:00:00Z"), None);
        assert_eq!(parse_time("2026-01-15T10:00:00Q"), None);
    }

    #[test]
    fn splice_keeps_the_record_bytes() {
        let mut out = Vec::new();
        splice(&mut out, b"  {\"a\":1 } ", true, b"\"k\":", b"{}");
        assert_eq!(out, b"{\"a\":1 ,\"k\":{}}\n");
        out.clear();
        splice(&mut out, b"{}", false, b"\"k\":", b"{}");
        assert_eq!(out, b"{\"k\":{}}\n");
    }
}
