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
//!
//! Bytes arrive in parts (`feed`): a record that lies wholly inside a part is
//! cut from the part itself, so only the record that a part boundary splits
//! is copied into the held buffer. Record ends are found 64 bytes at a time
//! (`blocks`).

use crate::input::blocks::Nest;

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
        self.cut(buf, emit);
        let keep = self.keep(buf.len());
        buf.truncate(keep.end);
        buf.drain(..keep.start);
    }

    /// The next bytes of the line, `part`, after those already held in
    /// `held`. Records that lie wholly inside `part` are cut from it in
    /// place; only an unfinished record (or a malformed tail) is copied into
    /// `held`, so each byte is copied at most once, and only near the end of
    /// a part.
    pub fn feed(&mut self, held: &mut Vec<u8>, part: &[u8], emit: &mut dyn FnMut(Piece<'_>)) {
        let mut part = part;
        if !held.is_empty() {
            // Complete the held record with the bytes up to its end, found
            // by a scan that leaves the stream's own state as it was.
            let take = if self.phase == Phase::InElement {
                let saved = (self.pos, self.depth, self.in_string, self.escaped);
                self.pos = 0;
                let end = self.scan(part);
                (self.pos, self.depth, self.in_string, self.escaped) = saved;
                end.unwrap_or(part.len())
            } else {
                part.len()
            };
            held.extend_from_slice(&part[..take]);
            self.pump(held, emit);
            part = &part[take..];
            if !held.is_empty() {
                held.extend_from_slice(part);
                self.pump(held, emit);
                return;
            }
        }
        self.cut(part, emit);
        let keep = self.keep(part.len());
        held.extend_from_slice(&part[keep]);
    }

    /// Run the state machine over `buf` from `pos`, emitting every complete
    /// record; `keep` then says which bytes must be held.
    fn cut(&mut self, buf: &[u8], emit: &mut dyn FnMut(Piece<'_>)) {
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
                    None => break,
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
        if self.depth > 0 {
            return self.scan_container(buf, i);
        }
        // Depth 0: the element's first byte, or a string element.
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
                b'{' | b'[' => {
                    self.depth += 1;
                    return self.scan_container(buf, i + 1);
                }
                b'}' | b']' => {
                    self.pos = i + 1;
                    return Some(i + 1);
                }
                _ => {}
            }
            i += 1;
        }
        self.pos = i;
        None
    }

    /// Inside a container (depth 1 or more): 64 bytes at a time.
    fn scan_container(&mut self, buf: &[u8], at: usize) -> Option<usize> {
        let mut nest = Nest {
            depth: self.depth,
            in_string: self.in_string,
            escaped: self.escaped,
        };
        let end = crate::input::blocks::close(buf, at, &mut nest);
        (self.depth, self.in_string, self.escaped) = (nest.depth, nest.in_string, nest.escaped);
        self.pos = end.unwrap_or(buf.len());
        end
    }

    /// After `cut` over a buffer of `len` bytes: the range of it that must
    /// be held for the bytes still to come. Offsets are moved so that the
    /// first byte kept becomes offset 0.
    fn keep(&mut self, len: usize) -> std::ops::Range<usize> {
        let mut end = len;
        if self.phase == Phase::InElement && len - self.start > self.max_record {
            // Over the limit: keep scanning, stop holding (its first bytes
            // stay for the dead letter).
            let held = len - self.start;
            let keep = TOO_LONG_PREFIX.min(held);
            let drop = held - keep;
            end = self.start + keep;
            self.dropped += drop as u64;
            self.base += drop as u64;
            self.pos = end;
        }
        let keep_from = match self.phase {
            Phase::InElement | Phase::Failed | Phase::Tail => self.start,
            _ => self.pos,
        };
        self.base += keep_from as u64;
        self.pos -= keep_from;
        self.start -= keep_from.min(self.start);
        // A malformed tail is kept only up to the record limit.
        if self.phase == Phase::Failed && end - keep_from > self.max_record {
            end = keep_from + self.max_record;
        }
        keep_from..end
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
mod tests;
