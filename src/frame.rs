//! Cuts a byte stream into units: lines, or whole pretty-printed documents.
//!
//! NDJSON is one value per line. A line that is just `{` or `[` starts a
//! pretty-printed document (a saved S3 log file, `aws cloudtrail lookup-events`
//! output), which runs until its brackets balance. A compact record at column 0
//! (`{"`) inside an unfinished document means the document was truncated: the
//! document is handed on as it is (its complete records are still emitted) and
//! the line starts afresh. Guarantees: every input byte ends up in exactly one
//! unit, in order, and a unit's line number is the line it started on.

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
}

#[derive(Default)]
pub struct Framer {
    carry: Vec<u8>,
    line_no: u64,
    doc: Option<(Vec<u8>, u64, Depth)>,
}

impl Framer {
    pub fn reset(&mut self) {
        self.carry.clear();
        self.line_no = 0;
        self.doc = None;
    }

    /// Feed a chunk; `emit` gets every complete unit.
    pub fn feed(&mut self, chunk: &[u8], emit: &mut dyn FnMut(Unit<'_>)) {
        let mut rest = chunk;
        while let Some(nl) = memchr::memchr(b'\n', rest) {
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
    }

    /// Bytes held for an unfinished line or document.
    pub fn pending(&self) -> usize {
        self.carry.len() + self.doc.as_ref().map_or(0, |d| d.0.len())
    }

    /// End of the source: flush whatever is pending.
    pub fn finish(&mut self, emit: &mut dyn FnMut(Unit<'_>)) {
        if !self.carry.is_empty() {
            let last = std::mem::take(&mut self.carry);
            self.line(&last, emit);
        }
        if let Some((doc, start, _)) = self.doc.take() {
            emit(Unit::Document(&doc, start));
        }
    }

    fn line(&mut self, line: &[u8], emit: &mut dyn FnMut(Unit<'_>)) {
        self.line_no += 1;
        let trimmed = trim(line);
        if let Some((doc, start, depth)) = &mut self.doc {
            // `[` then one compact record per line is a well-formed array: the
            // element starts at depth 1 right after `[` or `,`.
            let after_separator = doc
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|b| matches!(b, b'[' | b','));
            if line.starts_with(b"{\"") && !(depth.depth == 1 && after_separator) {
                let (doc, start, _) = self.doc.take().unwrap_or_default();
                emit(Unit::Document(&doc, start));
            } else {
                doc.extend_from_slice(line);
                doc.push(b'\n');
                depth.feed(line);
                if depth.depth <= 0 && !depth.in_string {
                    let start = *start;
                    let (doc, _, _) = self.doc.take().unwrap_or_default();
                    emit(Unit::Document(&doc, start));
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
