//! The fast path's structural pass: one forward scan over a record that
//! checks it is JSON simd-json will accept, and notes where the first
//! occurrence of each top-level field the plan needs is.
//!
//! It is conservative: [`scan`] returns `true` only when the whole record is
//! valid, and then simd-json's full parse of the same bytes succeeds (after
//! the number masking of `input::numbers` at most). Anything else, invalid or
//! merely unusual, returns `false`, and the caller parses the record in full,
//! which dead-letters it or not exactly as before. `true` means all of:
//! - the bytes are UTF-8;
//! - after optional whitespace (space, tab, CR, LF) comes one object, then
//!   only whitespace to the end;
//! - objects and arrays nest less deep than both `max_depth` and 64, with
//!   commas and colons where JSON puts them, and no trailing commas;
//! - strings hold no byte below 0x20, and every escape is one of
//!   `\" \\ \/ \b \f \n \r \t \uXXXX`, where a `\u` surrogate is a high one
//!   directly followed by a low one;
//! - numbers follow JSON's grammar with no exponent, at most 18 digits before
//!   and 18 after the point (others are valid but take the full path);
//! - literals are `true`, `false` and `null`;
//! - no top-level key holds a backslash (escaped keys take the full path).
//!
//! It never recurses, never allocates, and never reads out of bounds.

/// How many captures a record can have; a capture number is below this.
pub const MAX_CAPTURES: usize = 64;

/// What a top-level key means to the caller's plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUse {
    /// The capture number, when the key's value is needed.
    pub capture: Option<u8>,
    /// Whether the key makes the object a CloudTrail record.
    pub shape: bool,
}

/// What the pass found at the top level of a valid record.
#[derive(Clone)]
pub struct Fields {
    /// Captures made, one bit each.
    pub seen: u64,
    /// For each capture: the span from the key's opening quote to the end of
    /// its value, so `bytes[span]` is a member `"key":value` as written.
    pub spans: [(usize, usize); MAX_CAPTURES],
    /// Whether a key that makes the object a CloudTrail record was seen.
    pub shape: bool,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            seen: 0,
            spans: [(0, 0); MAX_CAPTURES],
            shape: false,
        }
    }
}

/// The deepest nesting the pass follows, whatever `--max-depth` says.
const DEPTH_CAP: usize = 64;

/// Longest run of digits accepted on either side of a number's point.
const MAX_DIGITS: usize = 18;

enum Next {
    Value,
    Key,
    After,
}

/// Check `bytes` and fill `out`; see the module header for what `true` means.
/// `key` says what each top-level key (its raw bytes, no escapes) means.
pub fn scan(
    bytes: &[u8],
    key: impl Fn(&[u8]) -> KeyUse,
    max_depth: usize,
    out: &mut Fields,
) -> bool {
    out.seen = 0;
    out.shape = false;
    // The depth reached must stay below `max_depth` with one level to spare,
    // so whichever way the parser counts, it accepts the record.
    let limit = max_depth.min(DEPTH_CAP).saturating_sub(1) as u32;
    let n = bytes.len();
    let mut i = skip_ws(bytes, 0);
    if bytes.get(i) != Some(&b'{') {
        return false;
    }
    let mut depth: u32 = 0;
    // Bit d: the container at depth d + 1 is an object.
    let mut objects: u64 = 0;
    // A top-level member being captured: (capture, key start).
    let mut pending: Option<(u8, usize)> = None;
    let mut next = Next::Value;
    loop {
        match next {
            Next::Value => {
                i = skip_ws(bytes, i);
                let Some(&c) = bytes.get(i) else {
                    return false;
                };
                match c {
                    b'{' | b'[' => {
                        depth += 1;
                        if depth > limit {
                            return false;
                        }
                        let object = c == b'{';
                        objects = (objects << 1) | u64::from(object);
                        i = skip_ws(bytes, i + 1);
                        let close = if object { b'}' } else { b']' };
                        if bytes.get(i) == Some(&close) {
                            depth -= 1;
                            objects >>= 1;
                            i += 1;
                            next = Next::After;
                        } else if object {
                            next = Next::Key;
                        }
                    }
                    b'"' => {
                        let Some((end, _)) = string(bytes, i) else {
                            return false;
                        };
                        i = end;
                        next = Next::After;
                    }
                    b't' | b'f' | b'n' => {
                        let word: &[u8] = match c {
                            b't' => b"true",
                            b'f' => b"false",
                            _ => b"null",
                        };
                        if !bytes[i..].starts_with(word) {
                            return false;
                        }
                        i += word.len();
                        next = Next::After;
                    }
                    b'-' | b'0'..=b'9' => {
                        let Some(end) = number(bytes, i) else {
                            return false;
                        };
                        i = end;
                        next = Next::After;
                    }
                    _ => return false,
                }
            }
            Next::Key => {
                i = skip_ws(bytes, i);
                if bytes.get(i) != Some(&b'"') {
                    return false;
                }
                let Some((end, escaped)) = string(bytes, i) else {
                    return false;
                };
                if depth == 1 {
                    if escaped {
                        return false;
                    }
                    let key = key(&bytes[i + 1..end - 1]);
                    out.shape |= key.shape;
                    pending = key
                        .capture
                        .filter(|&c| usize::from(c) < MAX_CAPTURES && out.seen & (1 << c) == 0)
                        .map(|c| (c, i));
                }
                i = skip_ws(bytes, end);
                if bytes.get(i) != Some(&b':') {
                    return false;
                }
                i += 1;
                next = Next::Value;
            }
            Next::After => {
                if depth == 0 {
                    return skip_ws(bytes, i) == n;
                }
                if depth == 1 {
                    if let Some((capture, from)) = pending.take() {
                        out.seen |= 1 << capture;
                        out.spans[capture as usize] = (from, i);
                    }
                }
                i = skip_ws(bytes, i);
                let object = objects & 1 == 1;
                match bytes.get(i) {
                    Some(b',') => {
                        i += 1;
                        next = if object { Next::Key } else { Next::Value };
                    }
                    Some(b'}') if object => {
                        depth -= 1;
                        objects >>= 1;
                        i += 1;
                    }
                    Some(b']') if !object => {
                        depth -= 1;
                        objects >>= 1;
                        i += 1;
                    }
                    _ => return false,
                }
            }
        }
    }
}

#[inline(always)]
fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = bytes.get(i) {
        i += 1;
    }
    i
}

/// The end (exclusive) of the valid string whose quote is at `at`, and
/// whether it holds an escape; `None` when it is invalid or unusual.
#[inline(always)]
fn string(bytes: &[u8], at: usize) -> Option<(usize, bool)> {
    let mut i = at + 1;
    let mut escaped = false;
    loop {
        i = find_special(bytes, i);
        match *bytes.get(i)? {
            b'"' => return Some((i + 1, escaped)),
            b'\\' => {
                escaped = true;
                i += escape_len(bytes, i)?;
            }
            b if b < 0x20 => return None,
            _ => {
                // A run of non-ASCII bytes: valid UTF-8 exactly when it is
                // whole sequences, since every byte of a sequence is >= 0x80.
                let mut end = i;
                while bytes.get(end).is_some_and(|&b| b >= 0x80) {
                    end += 1;
                }
                std::str::from_utf8(&bytes[i..end]).ok()?;
                i = end;
            }
        }
    }
}

/// The length of the valid escape at `at` (a backslash), or `None`.
fn escape_len(bytes: &[u8], at: usize) -> Option<usize> {
    match *bytes.get(at + 1)? {
        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(2),
        b'u' => match hex4(bytes, at + 2)? {
            0xD800..=0xDBFF => {
                if bytes.get(at + 6..at + 8)? != b"\\u" {
                    return None;
                }
                matches!(hex4(bytes, at + 8)?, 0xDC00..=0xDFFF).then_some(12)
            }
            0xDC00..=0xDFFF => None,
            _ => Some(6),
        },
        _ => None,
    }
}

fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    digits.iter().try_fold(0u32, |acc, &d| {
        let v = (d as char).to_digit(16)?;
        Some(acc * 16 + v)
    })
}

/// The end of the number at `at`: JSON's grammar without an exponent, and
/// at most [`MAX_DIGITS`] digits on each side of the point.
fn number(bytes: &[u8], at: usize) -> Option<usize> {
    let mut i = at + usize::from(bytes[at] == b'-');
    let digits = |i: &mut usize| {
        let from = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    match bytes.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => {
            if digits(&mut i) > MAX_DIGITS {
                return None;
            }
        }
        _ => return None,
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if !(1..=MAX_DIGITS).contains(&digits(&mut i)) {
            return None;
        }
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        return None;
    }
    Some(i)
}

/// The first index from `i` whose byte is `"`, `\`, below 0x20 or above
/// 0x7F; `bytes.len()` when there is none.
#[inline(always)]
fn find_special(bytes: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of every x86_64 target; each load reads the
        // 16 bytes at `i`, in bounds because `i + 16 <= len`, unaligned.
        unsafe {
            let quote = _mm_set1_epi8(b'"' as i8);
            let backslash = _mm_set1_epi8(b'\\' as i8);
            let space = _mm_set1_epi8(0x20);
            while i + 16 <= bytes.len() {
                let v = _mm_loadu_si128(bytes.as_ptr().add(i).cast());
                // A signed compare: bytes >= 0x80 are negative, so below 0x20.
                let hits = _mm_or_si128(
                    _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                    _mm_cmplt_epi8(v, space),
                );
                let mask = _mm_movemask_epi8(hits) as u32;
                if mask != 0 {
                    return i + mask.trailing_zeros() as usize;
                }
                i += 16;
            }
        }
    }
    while let Some(&b) = bytes.get(i) {
        if b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b) {
            return i;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::top_slot;

    /// Every standard top-level field is captured; two make a record.
    fn keys(key: &[u8]) -> KeyUse {
        let slot = std::str::from_utf8(key).ok().and_then(top_slot);
        KeyUse {
            capture: slot.map(|s| s as u8),
            shape: matches!(key, b"eventName" | b"eventSource"),
        }
    }

    /// What simd-json (with the full path's number masking) says.
    fn parses(text: &[u8]) -> bool {
        let mut copy = text.to_vec();
        if simd_json::to_tape(&mut copy).is_ok() {
            return true;
        }
        let mut copy = text.to_vec();
        crate::input::numbers::mask_out_of_range(&mut copy);
        simd_json::to_tape(&mut copy).is_ok()
    }

    fn check(text: &[u8]) -> bool {
        let mut fields = Fields::default();
        let fast = scan(text, keys, 128, &mut fields);
        assert!(
            !fast || parses(text),
            "fast pass accepts what the parser rejects: {:?}",
            String::from_utf8_lossy(text)
        );
        fast
    }

    #[test]
    fn accepts_ordinary_records() {
        for ok in [
            &br#"{}"#[..],
            br#" {"a" : 1 , "b" : [ ] , "c":{}} "#,
            br#"{"eventName":"A","x":[1,-2.5,0,true,false,null,"s",{"k":[]}]}"#,
            "{\"u\":\"caf\u{e9} \u{1F600} \\u00e9 \\ud83d\\ude00 \\\" \\/\"}".as_bytes(),
            br#"{"n":123456789012345678,"f":0.123456789012345678}"#,
        ] {
            assert!(check(ok), "{}", String::from_utf8_lossy(ok));
        }
    }

    #[test]
    fn leaves_invalid_and_unusual_records_to_the_full_parse() {
        for bad in [
            &b""[..],
            b"[]",
            b"\"s\"",
            b"{",
            br#"{"a":1"#,
            br#"{"a":"x}"#,
            br#"{"a":1,}"#,
            br#"{"a":[1,]}"#,
            br#"{"a" 1}"#,
            br#"{"a":1 "b":2}"#,
            br#"{"a":[1 2]}"#,
            br#"{"a":1}{"b":2}"#,
            br#"{"a":1} x"#,
            b"{\"a\":1}\x0c",
            br#"{"a":tru}"#,
            br#"{"a":truex}"#,
            br#"{"a":nul}"#,
            br#"{"a":01}"#,
            br#"{"a":-}"#,
            br#"{"a":1.}"#,
            br#"{"a":.5}"#,
            br#"{"a":+1}"#,
            br#"{"a":1e5}"#,
            br#"{"a":1e400}"#,
            br#"{"a":1234567890123456789}"#,
            br#"{"a":"\x"}"#,
            br#"{"a":"\u12"}"#,
            br#"{"a":"\ud800"}"#,
            br#"{"a":"\udc00"}"#,
            br#"{"a":"\ud800\u0041"}"#,
            b"{\"a\":\"x\ty\"}",
            b"{\"a\":\"x\x01y\"}",
            b"{\"a\":\"\xff\"}",
            b"{\"a\":\"\xc3\"}",
            b"{\"a\":\"\xed\xa0\x80\"}",
            b"{\"a\":1,\xc3\xa9:2}",
            br#"{"event\u004eame":"A"}"#,
            br#"{1:2}"#,
            br#"{"a":}"#,
            br#"{"a":]"#,
            br#"{"a":[}"#,
        ] {
            assert!(!check(bad), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn depth_stays_below_the_parser_limit() {
        let deep = |n: usize| format!("{{\"a\":{}1{}}}", "[".repeat(n), "]".repeat(n));
        let mut fields = Fields::default();
        assert!(scan(deep(10).as_bytes(), keys, 128, &mut fields));
        assert!(!scan(deep(10).as_bytes(), keys, 11, &mut fields));
        assert!(!scan(deep(70).as_bytes(), keys, 128, &mut fields));
        for max in 2..14 {
            if scan(deep(10).as_bytes(), keys, max, &mut fields) {
                let mut copy = deep(10).into_bytes();
                let mut buffers = simd_json::Buffers::with_max_depth(64, max);
                let mut tape = simd_json::tape::Tape::null().reset();
                let len = copy.len();
                copy.resize(len + simd_json::INPUT_PADDING, 0);
                assert!(
                    simd_json::fill_tape_padded(&mut copy, len, &mut buffers, &mut tape).is_ok(),
                    "max depth {max}"
                );
            }
        }
    }

    #[test]
    fn captures_the_first_top_level_occurrence() {
        let text = br#"{"x":{"eventName":"N"},"eventName" : "A","eventName":"B","readOnly":true}"#;
        let mut fields = Fields::default();
        assert!(scan(text, keys, 128, &mut fields));
        assert!(fields.shape);
        let slot = |k: &str| top_slot(k).unwrap();
        let (a, b) = fields.spans[slot("eventName")];
        assert_eq!(&text[a..b], br#""eventName" : "A""#);
        let (a, b) = fields.spans[slot("readOnly")];
        assert_eq!(&text[a..b], br#""readOnly":true"#);
        assert_eq!(fields.seen.count_ones(), 2);
        assert!(scan(br#"{"x":1}"#, keys, 128, &mut fields));
        assert!(!fields.shape);
        assert_eq!(fields.seen, 0);
    }
}
