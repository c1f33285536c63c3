//! Minimal JSON writing into a byte buffer: strings, numbers and literals.
//!
//! Guarantees: output is valid JSON for any `&str` (control characters and
//! quotes escaped, other UTF-8 passed through), and nothing allocates beyond
//! growing the caller's buffer.

use std::io::Write as _;

/// Add the member `"name":value` at the end of the object `out` ends with
/// (`value` writes the value); does nothing when `out` does not end with `}`.
pub fn append_member(out: &mut Vec<u8>, name: &str, value: impl FnOnce(&mut Vec<u8>)) {
    if out.last() != Some(&b'}') {
        return;
    }
    out.pop();
    out.push(b',');
    write_str(out, name);
    out.push(b':');
    value(out);
    out.push(b'}');
}

pub fn write_str(out: &mut Vec<u8>, text: &str) {
    out.push(b'"');
    write_escaped(out, text);
    out.push(b'"');
}

/// The inside of a JSON string for `text`, without the quotes: lets a caller
/// build one string value from several pieces.
pub fn write_escaped(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip whole 8-byte words that hold nothing to escape.
        if let Some(word) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
            if !needs_escape(word) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                let _ = write!(out, "\\u{b:04x}");
                i += 1;
                start = i;
                continue;
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape);
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Whether any byte of `word` is a quote, a backslash or below 0x20. May
/// report a false positive only in a word that also holds a true one.
#[inline]
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (control | quote | backslash) & HIGH != 0
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

/// A JSON array, each item written by `each`.
pub fn write_array<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut each: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(b'[');
    for (n, item) in items.into_iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        each(out, item);
    }
    out.push(b']');
}

/// A JSON array of strings.
pub fn write_str_array<'a>(out: &mut Vec<u8>, items: impl IntoIterator<Item = &'a str>) {
    write_array(out, items, write_str);
}

/// One `"key":"text"` (or `"key":null`) member; see [`key`].
pub fn opt_str_member(out: &mut Vec<u8>, first: &mut bool, name: &str, text: Option<&str>) {
    key(out, first, name);
    write_opt_str(out, text);
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

    #[test]
    fn escapes_at_every_position_of_long_strings() {
        for special in ['"', '\\', '\n', '\u{1f}', '\u{0}', '\u{7f}', 'é'] {
            for len in [7, 8, 9, 16, 17, 33] {
                for at in 0..len {
                    let text: String = (0..len)
                        .map(|i| if i == at { special } else { 'x' })
                        .collect();
                    let mut out = Vec::new();
                    write_str(&mut out, &text);
                    let back: String = serde_json::from_slice(&out).unwrap();
                    assert_eq!(back, text);
                    let raw = std::str::from_utf8(&out).unwrap();
                    assert!(!raw[1..raw.len() - 1].bytes().any(|b| b < 0x20));
                }
            }
        }
    }
}
