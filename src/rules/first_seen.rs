//! A rule's `first_seen: {by: [...], within: 10d}` block, compiled, and the
//! key transforms a `by` field may carry (`sourceIPAddress|ipnet`,
//! `userAgent|family`).
//!
//! Guarantees: the `by` paths are parsed like condition paths, there is at
//! least one and none twice, and `within` is a positive duration of at most
//! 136 years (the state keeps 32-bit times). The compiled
//! [`FirstSeenSpec::state_name`] joins the rule id and the `by` fields as
//! written (transforms included), so a rule redefined over other fields or
//! transforms starts with a fresh baseline. A transform maps a value to a
//! substring of it or to a short text in a caller's stack buffer, so it
//! never allocates. Without `--state`, a first-seen rule never matches
//! (`ctfilter check` says so).

use crate::model::duration::Window;
use crate::model::record::Path;
use crate::rules::config::FirstSeenConfig;
use crate::rules::diag::Diags;
use crate::rules::yaml::{Pos, Spanned};

/// A compiled `first_seen` block.
#[derive(Debug, Clone)]
pub struct FirstSeenSpec {
    /// The tuple's fields, in the order written.
    pub by: Vec<ByField>,
    /// The window, in seconds of event time.
    pub within_secs: u32,
    /// The name the state knows the rule by: the id and the `by` fields,
    /// so a rule redefined with other fields starts afresh.
    pub state_name: Box<str>,
}

/// One field of a tuple: a path, and what is done to its value.
#[derive(Debug, Clone)]
pub struct ByField {
    pub path: Path,
    pub transform: KeyTransform,
    /// As written, e.g. `sourceIPAddress|ipnet` (the verdict's key).
    pub name: Box<str>,
}

/// What a `by` field does to its value before it joins the tuple.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyTransform {
    /// The value as it is.
    Value,
    /// `|ipnet`: an IPv4 address's /24 network (`203.0.113`), an IPv6
    /// address's /48 (`2001:db8:12`, its first three groups); any other
    /// value (a service host name) as it is.
    IpNet,
    /// `|family`: a user agent's first product name: the text before the
    /// first `/`, space, `(`, `,` or `]`, after a leading `[`
    /// (`aws-cli/2.15.30 Python/3.11` gives `aws-cli`, `Boto3/1.34` gives
    /// `Boto3`, `[S3Console/0.4]` gives `S3Console`).
    Family,
}

/// Room for the longest transformed text that is not a substring.
pub type TransformBuf = [u8; 16];

impl KeyTransform {
    pub const NAMES: &'static [&'static str] = &["ipnet", "family"];

    fn parse(name: &str) -> Option<KeyTransform> {
        match name {
            "ipnet" => Some(KeyTransform::IpNet),
            "family" => Some(KeyTransform::Family),
            _ => None,
        }
    }

    /// The transformed value: a substring of `value`, or text in `buf`.
    pub fn apply<'a>(self, value: &'a str, buf: &'a mut TransformBuf) -> &'a str {
        match self {
            KeyTransform::Value => value,
            KeyTransform::IpNet => ip_net(value, buf),
            KeyTransform::Family => family(value),
        }
    }
}

fn ip_net<'a>(value: &'a str, buf: &'a mut TransformBuf) -> &'a str {
    if value.parse::<std::net::Ipv4Addr>().is_ok() {
        // A valid dotted quad: the network is the text before the last dot.
        return value.rsplit_once('.').map_or(value, |(net, _)| net);
    }
    let Ok(v6) = value.parse::<std::net::Ipv6Addr>() else {
        return value;
    };
    if let Some(v4) = v6.to_ipv4_mapped() {
        let [a, b, c, _] = v4.octets();
        return write_into(buf, format_args!("{a}.{b}.{c}"));
    }
    let s = v6.segments();
    write_into(buf, format_args!("{:x}:{:x}:{:x}", s[0], s[1], s[2]))
}

/// Format into `buf` (the texts written here fit 16 bytes).
fn write_into<'a>(buf: &'a mut TransformBuf, args: std::fmt::Arguments<'_>) -> &'a str {
    use std::io::Write as _;
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    let _ = cursor.write_fmt(args);
    let n = cursor.position() as usize;
    std::str::from_utf8(&buf[..n]).unwrap_or("")
}

fn family(value: &str) -> &str {
    let rest = value.trim_start().trim_start_matches('[');
    let end = rest.find(['/', ' ', '(', ',', ']']).unwrap_or(rest.len());
    &rest[..end]
}

/// `path` or `path|transform`.
fn by_field(text: &str) -> Result<ByField, String> {
    let (path, transform) = match text.split_once('|') {
        None => (text, KeyTransform::Value),
        Some((path, name)) => match KeyTransform::parse(name) {
            Some(t) => (path, t),
            None => {
                return Err(format!(
                    "unknown key transform '{name}' in 'by' (expected one of: {})",
                    KeyTransform::NAMES.join(", ")
                ))
            }
        },
    };
    Ok(ByField {
        path: Path::parse(path)?,
        transform,
        name: text.into(),
    })
}

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
    let mut by: Vec<ByField> = Vec::new();
    for field in &cfg.value.by {
        match by_field(&field.value) {
            Ok(f) if by.iter().any(|b| b.name == f.name) => diags.error(
                Pos::of(field),
                format!("field '{}' is listed twice in 'by'", field.value),
            ),
            Ok(f) => by.push(f),
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
    let fields: Vec<&str> = by.iter().map(|b| &*b.name).collect();
    Some(FirstSeenSpec {
        state_name: format!("{rule_id}/by={}", fields.join(",")).into(),
        by,
        within_secs,
    })
}

#[cfg(test)]
mod tests {
    use super::{by_field, KeyTransform, TransformBuf};

    fn apply(t: KeyTransform, value: &str) -> String {
        let mut buf = TransformBuf::default();
        t.apply(value, &mut buf).to_string()
    }

    #[test]
    fn ipnet_keeps_the_network() {
        for (value, net) in [
            ("203.0.113.10", "203.0.113"),
            ("198.51.100.255", "198.51.100"),
            ("2001:db8:12:34::1", "2001:db8:12"),
            ("2001:0db8:0012:ffff:ffff:ffff:ffff:ffff", "2001:db8:12"),
            ("2001:db8::1", "2001:db8:0"),
            ("::ffff:192.0.2.7", "192.0.2"),
            (
                "cloudformation.amazonaws.com",
                "cloudformation.amazonaws.com",
            ),
            ("AWS Internal", "AWS Internal"),
            ("1.2.3", "1.2.3"),
            ("", ""),
        ] {
            assert_eq!(apply(KeyTransform::IpNet, value), net, "{value}");
        }
    }

    #[test]
    fn family_is_the_first_product_name() {
        for (ua, fam) in [
            ("aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0", "aws-cli"),
            ("Boto3/1.34.84 md/Botocore#1.34.84", "Boto3"),
            (
                "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12]",
                "S3Console",
            ),
            ("console.amazonaws.com", "console.amazonaws.com"),
            ("AWS Internal", "AWS"),
            ("Mozilla/5.0 (Windows NT 10.0)", "Mozilla"),
            ("", ""),
        ] {
            assert_eq!(apply(KeyTransform::Family, ua), fam, "{ua}");
        }
    }

    #[test]
    fn by_fields_parse_their_transform() {
        let f = by_field("sourceIPAddress|ipnet").unwrap();
        assert_eq!(
            (f.path.as_str(), f.transform, &*f.name),
            (
                "sourceIPAddress",
                KeyTransform::IpNet,
                "sourceIPAddress|ipnet"
            )
        );
        assert_eq!(
            by_field("userAgent").unwrap().transform,
            KeyTransform::Value
        );
        assert!(by_field("userAgent|lower")
            .unwrap_err()
            .contains("unknown key transform 'lower'"));
    }
}
