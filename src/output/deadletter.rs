//! Dead letters: why a unit is bad, and how its entry is written.
//!
//! Guarantees: every entry carries the unit's source, line and raw bytes
//! (`--dead-letter` NDJSON is lossless: the input can be rebuilt from it), a
//! reason names the problem and its position, and writing never allocates
//! beyond growing the caller's buffer.

use crate::input::origin::Where;
use crate::input::scan::{self, ScanError};
use crate::model::json;
use crate::output::stats::BadKind;

/// How dead letters are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadLetterStyle {
    /// `ctfilter: source:line: reason`, one line each (stderr default).
    Reason,
    /// One NDJSON object each with the raw input, lossless.
    Ndjson,
}

/// One dead-letter entry.
pub struct DeadLetter<'a> {
    pub at: Where<'a>,
    pub kind: BadKind,
    pub reason: &'a str,
    pub raw: &'a [u8],
    pub index: Option<usize>,
    pub offset: Option<usize>,
}

impl DeadLetter<'_> {
    pub fn write(&self, out: &mut Vec<u8>, style: DeadLetterStyle) {
        use std::io::Write as _;
        let DeadLetter {
            at,
            kind,
            reason,
            raw,
            index,
            offset,
        } = *self;
        match style {
            DeadLetterStyle::Reason => {
                let _ = write!(out, "ctfilter: {}:{}", at.source, at.line);
                if let Some(index) = index {
                    let _ = write!(out, " (record {index})");
                }
                if let Some(offset) = offset {
                    let _ = write!(out, " (byte {offset})");
                }
                let _ = writeln!(out, ": {reason}");
            }
            DeadLetterStyle::Ndjson => {
                let first = &mut true;
                out.push(b'{');
                json::key(out, first, "source");
                json::write_str(out, at.source);
                json::key(out, first, "line");
                json::write_u64(out, at.line);
                if let Some(index) = index {
                    json::key(out, first, "index");
                    json::write_u64(out, index as u64);
                }
                if let Some(offset) = offset {
                    json::key(out, first, "offset");
                    json::write_u64(out, offset as u64);
                }
                json::key(out, first, "kind");
                json::write_str(out, kind.as_str());
                json::key(out, first, "reason");
                json::write_str(out, reason);
                match std::str::from_utf8(raw) {
                    Ok(text) => {
                        json::key(out, first, "raw");
                        json::write_str(out, text);
                    }
                    Err(_) => {
                        use base64::Engine as _;
                        json::key(out, first, "raw_base64");
                        out.push(b'"');
                        let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
                        out.extend_from_slice(encoded.as_bytes());
                        out.push(b'"');
                    }
                }
                out.extend_from_slice(b"}\n");
            }
        }
    }
}

pub fn scan_kind(e: &ScanError) -> BadKind {
    match e {
        ScanError::Truncated(_) => BadKind::Truncated,
        ScanError::TooDeep(_) => BadKind::TooDeep,
        ScanError::Unexpected(..) => BadKind::InvalidJson,
    }
}

/// The kind and a readable reason for a parse failure: structure problems are
/// located by the raw scanner (which knows truncation from garbage), scalar
/// problems are named after the parser's error.
pub fn diagnose(bytes: &[u8], e: &simd_json::Error, max_depth: usize) -> (BadKind, String) {
    let start = scan::skip_ws(bytes, 0);
    match scan::value_end(bytes, start, max_depth) {
        Err(ScanError::Truncated(_)) => {
            return (
                BadKind::Truncated,
                "truncated JSON: the input ends inside a value".to_string(),
            )
        }
        Err(ScanError::Unexpected(at, what)) => {
            return (
                BadKind::InvalidJson,
                format!("invalid JSON at byte {at}: expected {what}"),
            )
        }
        Ok(end) if scan::skip_ws(bytes, end) < bytes.len() => {
            let at = scan::skip_ws(bytes, end);
            return (
                BadKind::InvalidJson,
                format!("invalid JSON at byte {at}: text after the end of the value"),
            );
        }
        _ => {}
    }
    describe_parse_error(e)
}

pub fn describe_parse_error(e: &simd_json::Error) -> (BadKind, String) {
    use simd_json::ErrorType;
    let kind = match e.error() {
        ErrorType::InvalidUtf8 => BadKind::InvalidUtf8,
        ErrorType::DepthLimitExceeded => BadKind::TooDeep,
        ErrorType::Eof | ErrorType::UnterminatedString => BadKind::Truncated,
        _ => BadKind::InvalidJson,
    };
    let what = match e.error() {
        ErrorType::Eof | ErrorType::UnterminatedString => "input ends inside a value".to_string(),
        ErrorType::TrailingData => "text after the end of the value".to_string(),
        ErrorType::InvalidEscape
        | ErrorType::InvalidUnicodeEscape
        | ErrorType::InvalidUnicodeCodepoint => "bad escape in a string".to_string(),
        ErrorType::InvalidNumber | ErrorType::InvalidExponent => "bad number".to_string(),
        ErrorType::ExpectedObjectColon => "expected ':'".to_string(),
        ErrorType::ExpectedMapComma | ErrorType::ExpectedArrayComma => "expected ','".to_string(),
        ErrorType::ExpectedNull | ErrorType::ExpectedTrue | ErrorType::ExpectedFalse => {
            "a bare word that is not true, false or null".to_string()
        }
        ErrorType::UnexpectedCharacter | ErrorType::Syntax | ErrorType::InternalError => {
            "unexpected character".to_string()
        }
        ErrorType::KeyMustBeAString | ErrorType::BadKeyType => {
            "an object key that is not a string".to_string()
        }
        other => format!("{other:?}"),
    };
    let reason = match kind {
        BadKind::InvalidUtf8 => "invalid UTF-8".to_string(),
        BadKind::TooDeep => "JSON nested deeper than --max-depth".to_string(),
        _ => format!("invalid JSON at byte {}: {what}", e.index()),
    };
    (kind, reason)
}
