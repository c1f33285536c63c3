//! Streaming of one-line envelopes: `{"Records":[...]}` and `[...]` lines of
//! any size, cut into records while the bytes arrive.
//!
//! The framer hands a line to [`Stream`] once the unfinished line has grown
//! past a threshold and starts like an envelope. From then on, complete
//! records are cut off the front of the buffer as soon as their closing
//! bracket arrives, so memory is bounded by the largest record, not by the
//! line. Guarantees: records come out in order, each as its exact input
//! bytes; a record over the size limit is skipped without being buffered and
//! reported with its position; a line that ends inside the array yields every
//! complete record before the break, then its tail as one broken piece with
//! the tail's byte offset.

/// What the stream produced from the bytes it was given.
pub enum Piece<'a> {
    Record {
        bytes: &'a [u8],
        index: usize,
        offset: u64,
    },
    /// A record over the limit: its first bytes, and its full length.
    TooLong {
        prefix: &'a [u8],
        len: u64,
        index: usize,
        offset: u64,
    },
    /// Bytes that are not a record: a cut-off array or a malformed tail.
    Broken {
        bytes: &'a [u8],
        offset: u64,
        reason: String,
        truncated: bool,
        index: Option<usize>,
    },
    /// JSON text after the envelope closed on the same line (log files
    /// concatenated without newlines, as `zcat *.json.gz` does).
    Trailing { bytes: &'a [u8], offset: u64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    BeforeElement,
    InElement,
    AfterElement,
    /// After the closing `]`: the rest of the line must close the envelope.
    Tail,
    /// Malformed: everything up to the end of the line is one broken piece.
    Failed,
}

/// How many bytes of an oversized record are kept for the dead letter.
const TOO_LONG_PREFIX: usize = 1024;

pub struct Stream {
    /// Whether the envelope is an object (`{"Records":[`), so `}` must follow.
    object: bool,
    /// Offset in the line of `buf[0]`.
    base: u64,
    pos: usize,
    phase: Phase,
    index: usize,
    start: usize,
    depth: u32,
    in_string: bool,
    escaped: bool,
    scalar: bool,
    /// Bytes of the current record already dropped for being over the limit.
    dropped: u64,
    failed_reason: String,
    max_record: usize,
    pub line_bytes: u64,
}

/// Where the array starts if `buf` begins like a one-line envelope.
pub fn envelope_start(buf: &[u8]) -> Option<(usize, bool)> {
    let bom = buf.len() - crate::input::scan::strip_bom(buf).len();
    let at = crate::input::scan::skip_ws(buf, bom);
    match buf.get(at)? {
        // Any long unfinished array: its elements are handled one by one,
        // records or not, so even millions of bad elements stay bounded.
        b'[' => Some((at + 1, false)),
        b'{' => {
            let key = crate::input::scan::skip_ws(buf, at + 1);
            if !buf[key..].starts_with(b"\"Records\"") {
                return None;
            }
            let colon = crate::input::scan::skip_ws(buf, key + 9);
            if buf.get(colon) != Some(&b':') {
                return None;
            }
            let open = crate::input::scan::skip_ws(buf, colon + 1);
            (buf.get(open) == Some(&b'[')).then_some((open + 1, true))
        }
        _ => None,
    }
}

impl Stream {
    /// Start streaming; `array_at` is just past the `[` in `buf`.
    pub fn new(array_at: usize, object: bool, max_record: usize) -> Stream {
        Stream {
            object,
            base: 0,
            pos: array_at,
            phase: Phase::BeforeElement,
            index: 0,
            start: 0,
            depth: 0,
            in_string: false,
            escaped: false,
            scalar: false,
            dropped: 0,
            failed_reason: String::new(),
            max_record,
            line_bytes: 0,
        }
    }

    /// Cut every complete record out of `buf`, then drop the consumed bytes,
    /// keeping only what an unfinished record still needs.
    pub fn pump(&mut self, buf: &mut Vec<u8>, emit: &mut dyn FnMut(Piece<'_>)) {
        loop {
            match self.phase {
                Phase::BeforeElement => {
                    self.pos = crate::input::scan::skip_ws(buf, self.pos);
                    let Some(&c) = buf.get(self.pos) else { break };
                    if c == b']' && self.index == 0 {
                        self.pos += 1;
                        self.phase = Phase::Tail;
                        continue;
                    }
                    self.start = self.pos;
                    self.depth = 0;
                    self.in_string = false;
                    self.escaped = false;
                    self.dropped = 0;
                    self.scalar = !matches!(c, b'{' | b'[' | b'"');
                    self.phase = Phase::InElement;
                }
                Phase::InElement => match self.scan(buf) {
                    Some(end) => {
                        let offset = self.base + self.start as u64;
                        if self.dropped > 0 {
                            let len = self.dropped + (end - self.start) as u64;
                            let prefix_end = buf.len().min(self.start + TOO_LONG_PREFIX).min(end);
                            emit(Piece::TooLong {
                                prefix: &buf[self.start..prefix_end],
                                len,
                                index: self.index,
                                offset: offset - self.dropped,
                            });
                        } else {
                            emit(Piece::Record {
                                bytes: &buf[self.start..end],
                                index: self.index,
                                offset,
                            });
                        }
                        self.index += 1;
                        self.pos = end;
                        self.phase = Phase::AfterElement;
                    }
                    None => {
                        let held = buf.len() - self.start;
                        if held > self.max_record {
                            // Over the limit: keep scanning, stop holding.
                            let keep = TOO_LONG_PREFIX.min(held);
                            if self.dropped == 0 {
                                buf.copy_within(self.start..self.start + keep, self.start);
                            }
                            let drop = held - keep;
                            buf.truncate(self.start + keep);
                            self.dropped += drop as u64;
                            self.base += drop as u64;
                            self.pos = buf.len();
                        }
                        break;
                    }
                },
                Phase::AfterElement => {
                    self.pos = crate::input::scan::skip_ws(buf, self.pos);
                    let Some(&c) = buf.get(self.pos) else { break };
                    match c {
                        b',' => {
                            self.pos += 1;
                            self.phase = Phase::BeforeElement;
                        }
                        b']' => {
                            self.pos += 1;
                            self.phase = Phase::Tail;
                        }
                        _ => {
                            self.failed_reason = format!(
                                "invalid JSON at byte {}: expected ',' or ']' after record {}",
                                self.base + self.pos as u64,
                                self.index - 1
                            );
                            self.start = self.pos;
                            self.phase = Phase::Failed;
                        }
                    }
                }
                Phase::Tail => {
                    if self.start < self.pos {
                        self.start = self.pos;
                    }
                    // `}{"Records":[` : the next log file starts on this line.
                    let close = crate::input::scan::skip_ws(buf, self.pos);
                    let expected = if self.object { b'}' } else { b']' };
                    let next = match buf.get(close) {
                        Some(&c) if c == expected && self.object => {
                            crate::input::scan::skip_ws(buf, close + 1)
                        }
                        _ if !self.object => close,
                        _ => break,
                    };
                    match envelope_start(&buf[next..]) {
                        Some((at, object)) if next < buf.len() => {
                            self.object = object;
                            self.pos = next + at;
                            self.index = 0;
                            self.phase = Phase::BeforeElement;
                        }
                        _ => break,
                    }
                }
                Phase::Failed => break,
            }
        }
        self.compact(buf);
    }

    /// Scan the current record from `pos`; its end (exclusive) once complete.
    fn scan(&mut self, buf: &[u8]) -> Option<usize> {
        let mut i = self.pos;
        if self.scalar {
            while i < buf.len() {
                if matches!(buf[i], b',' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                    self.pos = i;
                    return Some(i);
                }
                i += 1;
            }
            self.pos = i;
            return None;
        }
        while i < buf.len() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                // Strings are most of a record's bytes: jump to the next
                // quote or backslash instead of stepping byte by byte (this
                // loop was half of all instructions on S3 Records files).
                let Some(skip) = memchr::memchr2(b'"', b'\\', &buf[i..]) else {
                    i = buf.len();
                    break;
                };
                i += skip;
                if buf[i] == b'\\' {
                    self.escaped = true;
                } else {
                    self.in_string = false;
                    if self.depth == 0 {
                        self.pos = i + 1;
                        return Some(i + 1);
                    }
                }
                i += 1;
                continue;
            }
            match buf[i] {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        self.pos = i + 1;
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        self.pos = i;
        None
    }

    /// Drop consumed bytes from the front of `buf`.
    fn compact(&mut self, buf: &mut Vec<u8>) {
        let keep_from = match self.phase {
            Phase::InElement | Phase::Failed | Phase::Tail => self.start,
            _ => self.pos,
        };
        if keep_from > 0 {
            buf.drain(..keep_from);
            self.base += keep_from as u64;
            self.pos -= keep_from;
            self.start -= keep_from.min(self.start);
        }
        // A malformed tail is kept only up to the record limit.
        if self.phase == Phase::Failed && buf.len() > self.max_record {
            buf.truncate(self.max_record);
        }
    }

    /// The line ended (newline or end of input): report what is left.
    pub fn finish(&mut self, buf: &mut Vec<u8>, emit: &mut dyn FnMut(Piece<'_>)) {
        self.pump(buf, emit);
        match self.phase {
            Phase::Tail => {
                let from = self.start.min(buf.len());
                let tail = &buf[from..];
                let close = crate::input::scan::skip_ws(tail, 0);
                let after = if self.object && tail.get(close) == Some(&b'}') {
                    Some(close + 1)
                } else if !self.object {
                    Some(0)
                } else {
                    None
                };
                let rest = after.map(|a| crate::input::scan::skip_ws(tail, a));
                if let Some(rest) =
                    rest.filter(|r| *r < tail.len() && matches!(tail[*r], b'{' | b'['))
                {
                    emit(Piece::Trailing {
                        bytes: &tail[rest..],
                        offset: self.base + (from + rest) as u64,
                    });
                } else if !(if self.object {
                    tail_closes_object(tail)
                } else {
                    tail.iter().all(u8::is_ascii_whitespace)
                }) {
                    emit(Piece::Broken {
                        bytes: tail,
                        offset: self.base + self.start as u64,
                        reason: "malformed text after the Records array".into(),
                        truncated: false,
                        index: None,
                    });
                }
            }
            Phase::Failed => emit(Piece::Broken {
                bytes: &buf[self.start.min(buf.len())..],
                offset: self.base + self.start as u64,
                reason: std::mem::take(&mut self.failed_reason),
                truncated: false,
                index: None,
            }),
            Phase::InElement | Phase::BeforeElement | Phase::AfterElement => {
                let from = if self.phase == Phase::InElement {
                    self.start
                } else {
                    self.pos
                };
                let from = from.min(buf.len());
                emit(Piece::Broken {
                    bytes: &buf[from..],
                    offset: self.base + from as u64,
                    reason: format!(
                        "truncated JSON: the line ends inside the Records array (after {} complete records)",
                        self.index
                    ),
                    truncated: true,
                    index: Some(self.index),
                })
            }
        }
        buf.clear();
    }
}

/// After the Records array: optional further members, then `}`.
fn tail_closes_object(tail: &[u8]) -> bool {
    let at = crate::input::scan::skip_ws(tail, 0);
    match tail.get(at) {
        Some(b'}') => crate::input::scan::skip_ws(tail, at + 1) == tail.len(),
        Some(b',') => {
            let mut patched = Vec::with_capacity(tail.len() - at);
            patched.push(b'{');
            patched.extend_from_slice(&tail[at + 1..]);
            crate::input::scan::object_members(&patched, 0, 1024)
                .is_ok_and(|(_, end)| crate::input::scan::skip_ws(&patched, end) == patched.len())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The element scanner as first written, one byte at a time: the
    /// reference the faster `scan` must agree with.
    fn scan_bytewise(s: &mut Stream, buf: &[u8]) -> Option<usize> {
        let mut i = s.pos;
        while i < buf.len() {
            let b = buf[i];
            if s.in_string {
                if s.escaped {
                    s.escaped = false;
                } else if b == b'\\' {
                    s.escaped = true;
                } else if b == b'"' {
                    s.in_string = false;
                    if s.depth == 0 {
                        s.pos = i + 1;
                        return Some(i + 1);
                    }
                }
                i += 1;
                continue;
            }
            match b {
                b'"' => s.in_string = true,
                b'{' | b'[' => s.depth += 1,
                b'}' | b']' => {
                    s.depth = s.depth.saturating_sub(1);
                    if s.depth == 0 {
                        s.pos = i + 1;
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        s.pos = i;
        None
    }

    #[test]
    fn element_scan_agrees_with_the_bytewise_scan_on_random_input() {
        const ALPHABET: &[u8] = b"\"\\{}[]a,: \\\"";
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 80) as usize;
            let buf: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let mut fast = Stream::new(0, true, usize::MAX);
            fast.pos = (next() % (len as u64 + 1)) as usize;
            fast.depth = (next() % 3) as u32;
            fast.in_string = next() % 2 == 0;
            fast.escaped = fast.in_string && next() % 4 == 0;
            let mut slow = Stream::new(0, true, usize::MAX);
            (slow.pos, slow.depth, slow.in_string, slow.escaped) =
                (fast.pos, fast.depth, fast.in_string, fast.escaped);
            // Feed the buffer in two growing steps, as chunks arrive.
            let cut = fast.pos + (next() % (len - fast.pos + 1) as u64) as usize;
            for end in [cut, len] {
                let a = fast.scan(&buf[..end]);
                let b = scan_bytewise(&mut slow, &buf[..end]);
                let state = |s: &Stream| (s.pos, s.depth, s.in_string, s.escaped);
                assert_eq!(a, b, "{:?}", String::from_utf8_lossy(&buf[..end]));
                assert_eq!(
                    state(&fast),
                    state(&slow),
                    "{:?}",
                    String::from_utf8_lossy(&buf)
                );
                if a.is_some() {
                    break;
                }
            }
        }
    }

    #[derive(Debug, PartialEq)]
    enum Got {
        Rec(String, usize, u64),
        Long(u64, usize),
        Broken(String, u64, bool),
    }

    fn run(line: &[u8], chunk: usize, max: usize) -> Vec<Got> {
        let mut got = Vec::new();
        let mut push = |p: Piece<'_>| match p {
            Piece::Record {
                bytes,
                index,
                offset,
            } => got.push(Got::Rec(
                String::from_utf8_lossy(bytes).into(),
                index,
                offset,
            )),
            Piece::TooLong { len, index, .. } => got.push(Got::Long(len, index)),
            Piece::Broken {
                bytes,
                offset,
                truncated,
                ..
            } => got.push(Got::Broken(
                String::from_utf8_lossy(bytes).into(),
                offset,
                truncated,
            )),
            Piece::Trailing { bytes, offset } => got.push(Got::Broken(
                format!("trailing {}", String::from_utf8_lossy(bytes)),
                offset,
                false,
            )),
        };
        let mut buf = Vec::new();
        let mut stream: Option<Stream> = None;
        for piece in line.chunks(chunk) {
            buf.extend_from_slice(piece);
            if stream.is_none() {
                if let Some((at, object)) = envelope_start(&buf) {
                    stream = Some(Stream::new(at, object, max));
                }
            }
            if let Some(s) = &mut stream {
                s.pump(&mut buf, &mut push);
                assert!(
                    buf.len() <= max + 2 * chunk + 8,
                    "buffer grew to {}",
                    buf.len()
                );
            }
        }
        stream.expect("envelope").finish(&mut buf, &mut push);
        got
    }

    #[test]
    fn cuts_records_at_any_chunk_size() {
        let line = br#"{"Records":[{"a":"x]}"},{"b":[1,{"c":"\""}]} , {"d":2}]}"#;
        for chunk in 1..line.len() {
            let got = run(line, chunk, 1 << 20);
            assert_eq!(
                got,
                vec![
                    Got::Rec(r#"{"a":"x]}"}"#.into(), 0, 12),
                    Got::Rec(r#"{"b":[1,{"c":"\""}]}"#.into(), 1, 24),
                    Got::Rec(r#"{"d":2}"#.into(), 2, 47),
                ],
                "chunk size {chunk}"
            );
        }
    }

    #[test]
    fn oversized_records_are_skipped_without_being_held() {
        let big = format!(r#"{{"pad":"{}"}}"#, "y".repeat(5000));
        let line = format!(r#"[{{"a":1}},{big},{{"b":2}}]"#);
        let got = run(line.as_bytes(), 100, 1000);
        assert_eq!(got[0], Got::Rec(r#"{"a":1}"#.into(), 0, 1));
        assert_eq!(got[1], Got::Long(big.len() as u64, 1));
        assert_eq!(
            got[2],
            Got::Rec(r#"{"b":2}"#.into(), 2, 9 + big.len() as u64 + 1)
        );
    }

    #[test]
    fn a_cut_off_array_yields_complete_records_then_its_tail() {
        let got = run(br#"{"Records":[{"a":1},{"b":2},{"c":"#, 7, 1000);
        assert_eq!(got.len(), 3);
        assert_eq!(got[2], Got::Broken(r#"{"c":"#.into(), 28, true));
    }

    #[test]
    fn concatenated_log_files_keep_streaming() {
        let line = br#"{"Records":[{"a":1}]}{"Records":[{"b":2},{"c":3}]}"#;
        for chunk in [1, 3, 7, 100] {
            let got = run(line, chunk, 1000);
            let recs: Vec<_> = got.iter().filter(|g| matches!(g, Got::Rec(..))).collect();
            assert_eq!(recs.len(), 3, "chunk {chunk}: {got:?}");
            assert_eq!(got.len(), 3, "chunk {chunk}: {got:?}");
        }
    }

    #[test]
    fn malformed_separators_and_tails_are_reported() {
        let got = run(br#"{"Records":[{"a":1} x {"b":2}]}"#, 5, 1000);
        assert!(matches!(&got[1], Got::Broken(_, 20, false)), "{got:?}");
        let got = run(br#"{"Records":[{"a":1}] trailing"#, 5, 1000);
        assert!(matches!(&got[1], Got::Broken(_, _, false)), "{got:?}");
        let got = run(br#"{"Records":[{"a":1}],"x":{"y":2}}"#, 5, 1000);
        assert_eq!(got.len(), 1, "{got:?}");
        let got = run(br#"{"Records":[]}"#, 3, 1000);
        assert!(got.is_empty(), "{got:?}");
    }
}
