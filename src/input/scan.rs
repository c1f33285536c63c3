//! A raw JSON scanner that finds value boundaries without building values.
//!
//! Envelopes (`{"Records":[...]}`, arrays, documents of several values) are cut
//! into the byte spans of their members here; each span is then parsed on its
//! own, so output can reuse the exact input bytes. The scanner checks structure
//! (brackets, strings, commas, colons) but not scalar syntax, which the real
//! parser checks when the span is parsed. Guarantees: it never reads out of
//! bounds, never recurses, and reports nesting beyond `max_depth`.

use std::borrow::Cow;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScanError {
    /// The input ended inside a value (the offset of the value's start).
    Truncated(usize),
    /// Something unexpected at this offset.
    Unexpected(usize, &'static str),
    TooDeep(usize),
}

impl ScanError {
    pub fn offset(&self) -> usize {
        match *self {
            ScanError::Truncated(at) | ScanError::Unexpected(at, _) | ScanError::TooDeep(at) => at,
        }
    }
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanError::Truncated(at) => {
                write!(f, "truncated JSON: value starting at byte {at} never ends")
            }
            ScanError::Unexpected(at, what) => {
                write!(f, "invalid JSON at byte {at}: expected {what}")
            }
            ScanError::TooDeep(at) => write!(f, "nested too deep at byte {at}"),
        }
    }
}

/// `bytes` without a leading UTF-8 byte order mark. Any line may start with
/// one (`cat` of files that each begin with a BOM); nowhere else is it taken.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

#[inline]
pub fn skip_ws(buf: &[u8], mut at: usize) -> usize {
    while at < buf.len() && matches!(buf[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    at
}

/// End (exclusive) of the string whose opening quote is at `at`.
fn string_end(buf: &[u8], at: usize) -> Result<usize, ScanError> {
    let mut i = at + 1;
    loop {
        match memchr::memchr2(b'"', b'\\', &buf[i.min(buf.len())..]) {
            None => return Err(ScanError::Truncated(at)),
            Some(off) => {
                let pos = i + off;
                if buf[pos] == b'"' {
                    return Ok(pos + 1);
                }
                i = pos + 2;
                if i > buf.len() {
                    return Err(ScanError::Truncated(at));
                }
            }
        }
    }
}

/// End (exclusive) of the JSON value that starts at `at` (no leading space).
pub fn value_end(buf: &[u8], at: usize, max_depth: usize) -> Result<usize, ScanError> {
    let Some(&first) = buf.get(at) else {
        return Err(ScanError::Truncated(at));
    };
    match first {
        b'"' => string_end(buf, at),
        b'{' | b'[' => container_end(buf, at, max_depth),
        b'}' | b']' | b',' | b':' => Err(ScanError::Unexpected(at, "a value")),
        _ => {
            let mut i = at;
            while i < buf.len()
                && !matches!(
                    buf[i],
                    b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r' | b'"' | b'{' | b'[' | b':'
                )
            {
                i += 1;
            }
            Ok(i)
        }
    }
}

/// The end of the container at `at`: 64 bytes at a time (`blocks`) while it
/// is well formed and within `max_depth`; the error, when there is one, from
/// the byte-by-byte scan, which knows where it happened.
fn container_end(buf: &[u8], at: usize, max_depth: usize) -> Result<usize, ScanError> {
    if max_depth >= 1 {
        let limit = u32::try_from(max_depth).unwrap_or(u32::MAX);
        let mut nest = crate::input::blocks::Nest {
            depth: 1,
            ..Default::default()
        };
        if let Some(end) = crate::input::blocks::close_within(buf, at + 1, &mut nest, limit) {
            return Ok(end);
        }
    }
    container_end_bytewise(buf, at, max_depth)
}

fn container_end_bytewise(buf: &[u8], at: usize, max_depth: usize) -> Result<usize, ScanError> {
    let mut depth = 0usize;
    let mut i = at;
    while i < buf.len() {
        match buf[i] {
            b'"' => {
                i = string_end(buf, i)?;
                continue;
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > max_depth {
                    return Err(ScanError::TooDeep(i));
                }
            }
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(ScanError::Truncated(at))
}

/// Unescape a JSON key's raw bytes (without quotes) when it has escapes.
pub fn key_text(raw: &[u8]) -> Option<Cow<'_, str>> {
    if !raw.contains(&b'\\') {
        return std::str::from_utf8(raw).ok().map(Cow::Borrowed);
    }
    let mut quoted = Vec::with_capacity(raw.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(raw);
    quoted.push(b'"');
    serde_json::from_slice::<String>(&quoted)
        .ok()
        .map(Cow::Owned)
}

/// An object member: its unescaped name and the span of its value.
pub type Member<'a> = (Cow<'a, str>, std::ops::Range<usize>);

/// The members of the object whose `{` is at `at`: (key, value span) pairs.
/// Returns the end of the object as well.
pub fn object_members(
    buf: &[u8],
    at: usize,
    max_depth: usize,
) -> Result<(Vec<Member<'_>>, usize), ScanError> {
    let mut members = Vec::new();
    let mut i = skip_ws(buf, at + 1);
    if buf.get(i) == Some(&b'}') {
        return Ok((members, i + 1));
    }
    loop {
        if buf.get(i) != Some(&b'"') {
            return Err(if i >= buf.len() {
                ScanError::Truncated(at)
            } else {
                ScanError::Unexpected(i, "a member name")
            });
        }
        let key_end = string_end(buf, i)?;
        let key = key_text(&buf[i + 1..key_end - 1])
            .ok_or(ScanError::Unexpected(i, "a valid member name"))?;
        i = skip_ws(buf, key_end);
        if buf.get(i) != Some(&b':') {
            return Err(if i >= buf.len() {
                ScanError::Truncated(at)
            } else {
                ScanError::Unexpected(i, "':'")
            });
        }
        i = skip_ws(buf, i + 1);
        let end = value_end(buf, i, max_depth.saturating_sub(1))?;
        members.push((key, i..end));
        i = skip_ws(buf, end);
        match buf.get(i) {
            Some(b',') => i = skip_ws(buf, i + 1),
            Some(b'}') => return Ok((members, i + 1)),
            Some(_) => return Err(ScanError::Unexpected(i, "',' or '}'")),
            None => return Err(ScanError::Truncated(at)),
        }
    }
}

/// Walks the elements of an array one at a time, so a huge array is never
/// materialised. Yields spans; after an error it yields nothing more.
pub struct Elements<'a> {
    buf: &'a [u8],
    at: usize,
    start: usize,
    max_depth: usize,
    done: bool,
}

impl<'a> Elements<'a> {
    /// `at` is the offset of `[`.
    pub fn new(buf: &'a [u8], at: usize, max_depth: usize) -> Elements<'a> {
        let first = skip_ws(buf, at + 1);
        let done = buf.get(first) == Some(&b']');
        Elements {
            buf,
            at: if done { first + 1 } else { first },
            start: at,
            max_depth,
            done,
        }
    }

    /// Offset just past the closing `]`, once iteration has finished cleanly.
    pub fn position(&self) -> usize {
        self.at
    }
}

impl Iterator for Elements<'_> {
    type Item = Result<std::ops::Range<usize>, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let buf = self.buf;
        let start = self.at;
        if start >= buf.len() {
            self.done = true;
            return Some(Err(ScanError::Truncated(self.start)));
        }
        let end = match value_end(buf, start, self.max_depth.saturating_sub(1)) {
            Ok(end) => end,
            // A complete element nested too deep is still one element: the
            // parser rejects it on its own and the walk goes on (the scanner
            // is iterative, so finding its end costs no stack).
            Err(ScanError::TooDeep(_)) if value_end(buf, start, usize::MAX).is_ok() => {
                value_end(buf, start, usize::MAX).unwrap_or(buf.len())
            }
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        let after = skip_ws(buf, end);
        match buf.get(after) {
            Some(b',') => self.at = skip_ws(buf, after + 1),
            Some(b']') => {
                self.at = after + 1;
                self.done = true;
            }
            Some(_) => {
                self.done = true;
                return Some(Err(ScanError::Unexpected(after, "',' or ']'")));
            }
            None => {
                self.done = true;
                return Some(Err(ScanError::Truncated(self.start)));
            }
        }
        Some(Ok(start..end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_value_ends() {
        let buf = br#"{"a":"x\"}","b":[1,{"c":2}]} tail"#;
        assert_eq!(value_end(buf, 0, 10), Ok(28));
        assert_eq!(value_end(b"123,", 0, 10), Ok(3));
        assert_eq!(value_end(br#""a\\""#, 0, 10), Ok(5));
        assert!(matches!(
            value_end(b"{\"a\":[", 0, 10),
            Err(ScanError::Truncated(0))
        ));
        assert!(matches!(
            value_end(b"[[[[1]]]]", 0, 3),
            Err(ScanError::TooDeep(_))
        ));
    }

    #[test]
    fn walks_members_and_elements() {
        let buf = br#" {"Records" : [ {"a":1} , {"b":[2]} ], "k\u0031":null}"#;
        let (members, end) = object_members(buf, 1, 10).unwrap();
        assert_eq!(end, buf.len());
        assert_eq!(members[0].0, "Records");
        assert_eq!(members[1].0, "k1");
        let spans: Vec<_> = Elements::new(buf, members[0].1.start, 10)
            .map(Result::unwrap)
            .collect();
        assert_eq!(&buf[spans[0].clone()], br#"{"a":1}"#);
        assert_eq!(&buf[spans[1].clone()], br#"{"b":[2]}"#);
    }

    #[test]
    fn empty_array_position_is_past_the_bracket() {
        let mut items = Elements::new(b"[ ] ", 0, 5);
        assert!(items.next().is_none());
        assert_eq!(items.position(), 3);
    }

    #[test]
    fn a_too_deep_element_does_not_end_the_walk() {
        let buf = b"[[[[[1]]]]],{\"a\":1}]";
        let buf = [&b"["[..], &buf[..]].concat();
        let items: Vec<_> = Elements::new(&buf, 0, 3).collect();
        assert_eq!(items.len(), 2, "{items:?}");
        assert!(items.iter().all(Result::is_ok), "{items:?}");
        let unclosed: Vec<_> = Elements::new(b"[[[[[[1", 0, 3).collect();
        assert!(
            matches!(unclosed[0], Err(ScanError::TooDeep(_))),
            "{unclosed:?}"
        );
    }

    #[test]
    fn reports_truncation_after_complete_elements() {
        let buf = br#"[{"a":1},{"b":2},{"c":"#;
        let items: Vec<_> = Elements::new(buf, 0, 10).collect();
        assert_eq!(items.len(), 3);
        assert!(items[0].is_ok() && items[1].is_ok());
        assert!(matches!(items[2], Err(ScanError::Truncated(_))));
    }

    #[test]
    fn rejects_garbage_between_elements() {
        let items: Vec<_> = Elements::new(b"[1 2]", 0, 10).collect();
        assert!(
            matches!(items[0], Err(ScanError::Unexpected(3, _))),
            "{items:?}"
        );
        assert!(object_members(b"{\"a\" 1}", 0, 5).is_err());
    }

    #[test]
    fn block_container_scan_agrees_with_the_bytewise_scan() {
        const ALPHABET: &[u8] = b"\"\\{}[]a,: ";
        let mut next = crate::input::blocks::noise::rng(0x0123_4567_89ab_cdef);
        for round in 0..30_000 {
            let len = 1 + (next() % 200) as usize;
            let mut buf = crate::input::blocks::noise::bytes(&mut next, len, ALPHABET);
            buf[0] = if next().is_multiple_of(2) { b'{' } else { b'[' };
            let max_depth = (next() % 6) as usize;
            assert_eq!(
                container_end(&buf, 0, max_depth),
                container_end_bytewise(&buf, 0, max_depth),
                "round {round}, max_depth {max_depth}: {:?}",
                String::from_utf8_lossy(&buf)
            );
        }
    }

    #[test]
    fn never_panics_on_short_or_odd_input() {
        for input in [
            &b""[..],
            b"[",
            b"{",
            b"\"",
            b"\"\\",
            b"[1,",
            b"{\"a\"",
            b"{\"a\":",
            b"]",
            b"[}",
            b"\\",
        ] {
            let _ = value_end(input, 0, 4);
            if !input.is_empty() {
                let _ = object_members(input, 0, 4);
                let _: Vec<_> = Elements::new(input, 0, 4).collect();
            }
        }
    }
}
