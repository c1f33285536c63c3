//! Cuts a byte stream into units: lines, or whole pretty-printed documents.
//!
//! NDJSON is one value per line. A line that is just `{` or `[` starts a
//! pretty-printed document (a saved S3 log file, `aws cloudtrail lookup-events`
//! output), which runs until its brackets balance. A compact record at column 0
//! (`{"`) inside an unfinished document means the document was truncated: the
//! document is handed on as it is (its complete records are still emitted) and
//! the line starts afresh. Guarantees: every input byte ends up in exactly one
//! unit, in order, and a unit's line number is the line it started on.
//!
//! Copies: a line inside one chunk is handed on as a slice of the chunk. An
//! unfinished line is held in `carry` until it ends, or until it reaches
//! `STREAM_AT` and is streamed; from then on, records inside a chunk are cut
//! from the chunk and only a record split by a chunk boundary is copied.

use crate::input::origin::Shape;
use crate::input::stream::{Piece, Stream};
use crate::input::unescape::{Step, Unescaper};

/// A host-wrapped file (`{"message":"{\"Records\":[...]}"}`) being streamed:
/// the string is decoded as it arrives into `decoded`, which the record
/// stream consumes.
struct Wrapped {
    unescaper: Unescaper,
    decoded: Vec<u8>,
    error: Option<String>,
}

/// Bracket depth across lines, aware of strings and escapes.
#[derive(Default, Clone, Copy)]
struct Depth {
    depth: i64,
    in_string: bool,
    escaped: bool,
}

impl Depth {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => self.depth -= 1,
                _ => {}
            }
        }
    }
}

pub enum Unit<'a> {
    Line(&'a [u8], u64),
    Document(&'a [u8], u64),
    /// A piece of a streamed envelope line (see `stream`), with its line and
    /// the shape it arrived in (S3 Records, or host-wrapped).
    Piece(Piece<'a>, u64, Shape),
    /// A streamed line ended: its number and length, for the counters.
    StreamEnd(u64, u64),
    /// A line over the limit, skipped to its newline: first bytes, length.
    TooLong(&'a [u8], u64, u64),
}

/// Lines shorter than this are framed whole, as before; only longer
/// unfinished lines that start like an envelope are streamed.
const STREAM_AT: usize = 1 << 20;
/// How much of a skipped over-long line is kept for its dead letter.
const TOO_LONG_PREFIX: usize = 1024;

pub struct Framer {
    carry: Vec<u8>,
    line_no: u64,
    doc: Option<(Vec<u8>, u64, Depth)>,
    /// Bytes dropped from a pretty document over the limit (its first bytes
    /// stay in `doc`); the document is then dead-lettered, not held.
    doc_dropped: u64,
    stream: Option<Stream>,
    wrapped: Option<Wrapped>,
    /// Bytes skipped of an over-long line (its first bytes stay in `carry`).
    skipped: Option<u64>,
    max_bytes: usize,
}

impl Default for Framer {
    fn default() -> Self {
        Framer::new(usize::MAX)
    }
}

impl Framer {
    /// `max_bytes` bounds what is held for one line or record.
    pub fn new(max_bytes: usize) -> Framer {
        Framer {
            carry: Vec::new(),
            line_no: 0,
            doc: None,
            doc_dropped: 0,
            stream: None,
            wrapped: None,
            skipped: None,
            max_bytes,
        }
    }

    pub fn reset(&mut self) {
        self.carry.clear();
        self.line_no = 0;
        self.doc = None;
        self.doc_dropped = 0;
        self.stream = None;
        self.wrapped = None;
        self.skipped = None;
    }

    /// Feed a chunk; `emit` gets every complete unit.
    pub fn feed(&mut self, chunk: &[u8], emit: &mut dyn FnMut(Unit<'_>)) {
        let mut rest = chunk;
        loop {
            let newline = memchr::memchr(b'\n', rest);
            if self.stream.is_some() || self.skipped.is_some() {
                let part = &rest[..newline.unwrap_or(rest.len())];
                self.continue_long_line(part, newline.is_some(), emit);
                match newline {
                    Some(nl) => {
                        rest = &rest[nl + 1..];
                        continue;
                    }
                    None => return,
                }
            }
            let Some(nl) = newline else { break };
            let (line, tail) = rest.split_at(nl);
            rest = &tail[1..];
            if self.carry.is_empty() {
                self.line(line, emit);
            } else {
                let mut whole = std::mem::take(&mut self.carry);
                whole.extend_from_slice(line);
                self.line(&whole, emit);
                whole.clear();
                self.carry = whole;
            }
        }
        self.carry.extend_from_slice(rest);
        if self.doc.is_none() && self.carry.len() >= STREAM_AT {
            self.start_long_line(emit);
        }
    }

    /// An unfinished line has grown large: stream it if it is an envelope,
    /// or stop holding it once it passes the limit.
    fn start_long_line(&mut self, emit: &mut dyn FnMut(Unit<'_>)) {
        let line = self.line_no + 1;
        if let Some((at, object)) = crate::input::stream::envelope_start(&self.carry) {
            let mut stream = Stream::new(at, object, self.max_bytes);
            stream.line_bytes = self.carry.len() as u64;
            stream.pump(&mut self.carry, &mut |piece| {
                emit(Unit::Piece(piece, line, Shape::S3Records))
            });
            self.stream = Some(stream);
        } else if let Some((mut wrapped, stream)) = self.wrapped_envelope() {
            let mut stream = stream;
            stream.line_bytes = self.carry.len() as u64;
            self.carry.clear();
            stream.pump(&mut wrapped.decoded, &mut |piece| {
                emit(Unit::Piece(piece, line, Shape::HostWrapped))
            });
            self.stream = Some(stream);
            self.wrapped = Some(wrapped);
        } else if self.carry.len() > self.max_bytes {
            self.skipped = Some((self.carry.len() - TOO_LONG_PREFIX) as u64);
            self.carry.truncate(TOO_LONG_PREFIX);
        }
    }

    /// `{"message":"{\"Records\":[` (or `"log"`): the offset just inside the
    /// string, and the record stream over its decoded start. Members before
    /// the wrapper field are skipped; the field must hold an envelope.
    fn wrapped_envelope(&self) -> Option<(Wrapped, Stream)> {
        let buf = &self.carry;
        let bom = buf.len() - crate::input::scan::strip_bom(buf).len();
        let mut at = crate::input::scan::skip_ws(buf, bom);
        if buf.get(at) != Some(&b'{') {
            return None;
        }
        at = crate::input::scan::skip_ws(buf, at + 1);
        loop {
            if buf.get(at) != Some(&b'"') {
                return None;
            }
            let key_end = crate::input::scan::value_end(buf, at, 2).ok()?;
            let key = &buf[at + 1..key_end - 1];
            at = crate::input::scan::skip_ws(buf, key_end);
            if buf.get(at) != Some(&b':') {
                return None;
            }
            at = crate::input::scan::skip_ws(buf, at + 1);
            if (key == b"message" || key == b"log") && buf.get(at) == Some(&b'"') {
                let mut wrapped = Wrapped {
                    unescaper: Unescaper::default(),
                    decoded: Vec::with_capacity(1 << 20),
                    error: None,
                };
                let step = wrapped
                    .unescaper
                    .feed(&buf[at + 1..], &mut wrapped.decoded)
                    .ok()?;
                if matches!(step, Step::End(_)) {
                    return None; // the whole string is here: the ordinary path reads it
                }
                let (array_at, object) = crate::input::stream::envelope_start(&wrapped.decoded)?;
                return Some((wrapped, Stream::new(array_at, object, self.max_bytes)));
            }
            at = crate::input::scan::value_end(buf, at, 64).ok()?;
            at = crate::input::scan::skip_ws(buf, at);
            if buf.get(at) != Some(&b',') {
                return None;
            }
            at = crate::input::scan::skip_ws(buf, at + 1);
        }
    }

    /// More bytes of a streamed or skipped line; `ends` when its newline came.
    fn continue_long_line(&mut self, part: &[u8], ends: bool, emit: &mut dyn FnMut(Unit<'_>)) {
        let line = self.line_no + 1;
        if let (Some(stream), Some(wrapped)) = (&mut self.stream, &mut self.wrapped) {
            stream.line_bytes += part.len() as u64 + u64::from(ends);
            if !wrapped.unescaper.is_done() && wrapped.error.is_none() {
                // Bytes after the closing quote are the wrapper's other members.
                if let Err(e) = wrapped.unescaper.feed(part, &mut wrapped.decoded) {
                    wrapped.error = Some(e);
                }
            }
            let mut push = |piece: Piece<'_>| emit(Unit::Piece(piece, line, Shape::HostWrapped));
            if ends {
                if let Some(reason) = wrapped.error.take() {
                    push(Piece::Broken {
                        bytes: &[],
                        offset: 0,
                        reason,
                        truncated: false,
                        index: None,
                    });
                }
                stream.finish(&mut wrapped.decoded, &mut push);
                emit(Unit::StreamEnd(line, stream.line_bytes));
                self.stream = None;
                self.wrapped = None;
                self.line_no += 1;
            } else {
                stream.pump(&mut wrapped.decoded, &mut push);
            }
            return;
        }
        if let Some(stream) = &mut self.stream {
            stream.line_bytes += part.len() as u64 + u64::from(ends);
            let mut push = |piece: Piece<'_>| emit(Unit::Piece(piece, line, Shape::S3Records));
            // Records inside `part` are cut from it; `carry` holds only a
            // record that the chunk boundary splits.
            stream.feed(&mut self.carry, part, &mut push);
            if ends {
                stream.finish(&mut self.carry, &mut push);
                emit(Unit::StreamEnd(line, stream.line_bytes));
                self.stream = None;
                self.line_no += 1;
            }
        } else if let Some(skipped) = &mut self.skipped {
            *skipped += part.len() as u64;
            if ends {
                let len = *skipped + self.carry.len() as u64;
                emit(Unit::TooLong(&self.carry, len, line));
                self.carry.clear();
                self.skipped = None;
                self.line_no += 1;
            }
        }
    }

    /// Bytes held for an unfinished line or document.
    pub fn pending(&self) -> usize {
        self.carry.len() + self.doc.as_ref().map_or(0, |d| d.0.len())
    }

    /// End of the source: flush whatever is pending.
    pub fn finish(&mut self, emit: &mut dyn FnMut(Unit<'_>)) {
        if self.stream.is_some() || self.skipped.is_some() {
            self.continue_long_line(&[], true, emit);
            return;
        }
        if !self.carry.is_empty() {
            let last = std::mem::take(&mut self.carry);
            self.line(&last, emit);
        }
        self.end_document(emit);
    }

    /// Hand on the document being gathered: whole, or as an over-long unit.
    fn end_document(&mut self, emit: &mut dyn FnMut(Unit<'_>)) {
        let Some((doc, start, _)) = self.doc.take() else {
            return;
        };
        if self.doc_dropped > 0 {
            let len = self.doc_dropped + doc.len() as u64;
            self.doc_dropped = 0;
            emit(Unit::TooLong(&doc, len, start));
        } else {
            emit(Unit::Document(&doc, start));
        }
    }

    fn line(&mut self, line: &[u8], emit: &mut dyn FnMut(Unit<'_>)) {
        self.line_no += 1;
        // A line may start with a byte order mark (files joined with `cat`).
        let trimmed = trim(crate::input::scan::strip_bom(line));
        if let Some((doc, _, depth)) = &mut self.doc {
            // `[` then one compact record per line is a well-formed array: the
            // element starts at depth 1 right after `[` or `,`.
            let after_separator = doc
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|b| matches!(b, b'[' | b','));
            let compact = crate::input::scan::strip_bom(line).starts_with(b"{\"");
            if compact && !(depth.depth == 1 && after_separator) {
                self.end_document(emit);
            } else {
                doc.extend_from_slice(line);
                doc.push(b'\n');
                depth.feed(line);
                if doc.len() > self.max_bytes.max(TOO_LONG_PREFIX) {
                    // Over the limit: stop holding it, keep finding its end.
                    self.doc_dropped += (doc.len() - TOO_LONG_PREFIX) as u64;
                    doc.truncate(TOO_LONG_PREFIX);
                }
                if depth.depth <= 0 && !depth.in_string {
                    self.end_document(emit);
                }
                return;
            }
        }
        if trimmed == b"{" || trimmed == b"[" {
            let mut depth = Depth::default();
            depth.feed(line);
            let mut doc = Vec::with_capacity(4096);
            doc.extend_from_slice(line);
            doc.push(b'\n');
            self.doc = Some((doc, self.line_no, depth));
            return;
        }
        emit(Unit::Line(line, self.line_no));
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(input: &[&[u8]]) -> Vec<(String, u64, bool)> {
        let mut framer = Framer::default();
        let mut seen = Vec::new();
        let mut push = |u: Unit<'_>| match u {
            Unit::Line(l, n) => seen.push((String::from_utf8_lossy(l).into_owned(), n, false)),
            Unit::Document(d, n) => seen.push((String::from_utf8_lossy(d).into_owned(), n, true)),
            _ => unreachable!("short inputs are never streamed"),
        };
        for chunk in input {
            framer.feed(chunk, &mut push);
        }
        framer.finish(&mut push);
        seen
    }

    #[test]
    fn lines_across_chunks_and_missing_final_newline() {
        let got = units(&[b"{\"a\":1}\n{\"b\"", b":2}\n{\"c\":3}"]);
        assert_eq!(got.len(), 3);
        assert_eq!(got[1], ("{\"b\":2}".into(), 2, false));
        assert_eq!(got[2], ("{\"c\":3}".into(), 3, false));
    }

    #[test]
    fn pretty_documents_are_gathered() {
        let got = units(&[b"{\n  \"Records\": [\n    {\"x\": \"}\"}\n  ]\n}\n{\"next\":1}\n"]);
        assert_eq!(got.len(), 2);
        assert!(got[0].2);
        assert_eq!(got[0].1, 1);
        assert_eq!(got[1], ("{\"next\":1}".into(), 6, false));
    }

    #[test]
    fn long_envelope_lines_are_streamed_and_long_other_lines_skipped() {
        let record = format!(r#"{{"eventName":"X","pad":"{}"}}"#, "p".repeat(1000));
        let records: Vec<String> = (0..3000).map(|_| record.clone()).collect();
        let envelope = format!("{{\"Records\":[{}]}}\n", records.join(","));
        let other = format!("{{\"x\":\"{}\"}}\n", "q".repeat(3 << 20));
        let input = format!("{envelope}{other}{{\"after\":1}}\n");
        let mut framer = Framer::new(2 << 20);
        let (mut pieces, mut ends, mut too_long, mut lines) =
            (0, Vec::new(), Vec::new(), Vec::new());
        for chunk in input.as_bytes().chunks(65536) {
            framer.feed(chunk, &mut |u| match u {
                Unit::Piece(Piece::Record { .. }, 1, Shape::S3Records) => pieces += 1,
                Unit::StreamEnd(line, len) => ends.push((line, len)),
                Unit::TooLong(prefix, len, line) => too_long.push((prefix.len(), len, line)),
                Unit::Line(l, n) => lines.push((l.len(), n)),
                _ => panic!("unexpected unit"),
            });
        }
        framer.finish(&mut |_| panic!("nothing pending"));
        assert_eq!(pieces, 3000);
        assert_eq!(ends, vec![(1, envelope.len() as u64)]);
        assert_eq!(too_long, vec![(TOO_LONG_PREFIX, other.len() as u64 - 1, 2)]);
        assert_eq!(lines, vec![(11, 3)]);
    }

    #[test]
    fn array_of_compact_records_one_per_line_is_one_document() {
        let got = units(&[b"[\n{\"a\":1},\n{\"b\":2}\n]\n"]);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].2);
    }

    #[test]
    fn truncated_document_gives_way_to_a_compact_record() {
        let got = units(&[b"[\n  {\"a\": 1},\n  {\"b\":\n{\"eventName\":\"X\"}\n"]);
        assert_eq!(got.len(), 2);
        assert!(got[0].2);
        assert_eq!(got[1], ("{\"eventName\":\"X\"}".into(), 4, false));
    }
}
