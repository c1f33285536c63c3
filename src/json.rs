//! Minimal JSON writing into a byte buffer: strings, numbers and literals.
//!
//! Guarantees: output is valid JSON for any `&str` (control characters and
//! quotes escaped, other UTF-8 passed through), and nothing allocates beyond
//! growing the caller's buffer.

use std::io::Write as _;

pub fn write_str(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                let _ = write!(out, "\\u{b:04x}");
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

pub fn write_opt_str(out: &mut Vec<u8>, text: Option<&str>) {
    match text {
        Some(t) => write_str(out, t),
        None => out.extend_from_slice(b"null"),
    }
}

pub fn write_bool(out: &mut Vec<u8>, value: bool) {
    out.extend_from_slice(if value { b"true" } else { b"false" });
}

pub fn write_opt_bool(out: &mut Vec<u8>, value: Option<bool>) {
    match value {
        Some(v) => write_bool(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

pub fn write_u64(out: &mut Vec<u8>, value: u64) {
    let _ = write!(out, "{value}");
}

/// A finite number with at most three decimals; non-finite becomes null.
pub fn write_f64_3(out: &mut Vec<u8>, value: f64) {
    if value.is_finite() {
        let _ = write!(out, "{value:.3}");
    } else {
        out.extend_from_slice(b"null");
    }
}

/// `"key":` prefixed by a comma unless it is the first member.
pub fn key(out: &mut Vec<u8>, first: &mut bool, name: &str) {
    if !*first {
        out.push(b',');
    }
    *first = false;
    write_str(out, name);
    out.push(b':');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_json_requires() {
        let mut out = Vec::new();
        write_str(&mut out, "a\"b\\c\nd\u{1}é日");
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            "\"a\\\"b\\\\c\\nd\\u0001é日\""
        );
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, "a\"b\\c\nd\u{1}é日");
    }
}
