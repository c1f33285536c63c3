//! Building a JSON object member by member into a byte buffer.
//!
//! Guarantees: output is valid JSON whatever the values (strings escaped, a
//! sub-value copied from the tape re-serialised exactly), and nothing
//! allocates beyond growing the caller's buffer.

use super::*;

/// An object being written. A nested object whose members were all absent is
/// removed again when it ends, so no `{}` is ever written for missing data.
pub(crate) struct Obj {
    mark: usize,
    parent_was_first: bool,
    first: bool,
}

impl Obj {
    /// Open an object that is not a member (the record, an array element).
    pub(crate) fn open(out: &mut Vec<u8>) -> Obj {
        out.push(b'{');
        Obj {
            mark: out.len() - 1,
            parent_was_first: true,
            first: true,
        }
    }

    /// Close an object opened with [`Obj::open`] (even if empty).
    pub(crate) fn close(self, out: &mut Vec<u8>) {
        out.push(b'}');
    }

    /// Open the top-level object.
    pub(crate) fn root(out: &mut Vec<u8>) -> Obj {
        Obj::open(out)
    }

    /// Close the top-level object and end the line.
    pub(crate) fn end_root(self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"}\n");
    }

    /// Where writing stands, to undo a member with [`Obj::restore`].
    pub(crate) fn save(&self, out: &[u8]) -> (usize, bool) {
        (out.len(), self.first)
    }

    /// Remove everything written since [`Obj::save`].
    pub(crate) fn restore(&mut self, out: &mut Vec<u8>, saved: (usize, bool)) {
        out.truncate(saved.0);
        self.first = saved.1;
    }

    /// Start member `name`, one of the formats' own names (the value follows).
    /// They need no escaping, so they are copied as they are.
    pub(crate) fn key(&mut self, out: &mut Vec<u8>, name: &'static str) {
        debug_assert!(!name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20));
        if !self.first {
            out.push(b',');
        }
        self.first = false;
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    }

    /// Start member `name` taken from the input or the command line.
    pub(crate) fn key_escaped(&mut self, out: &mut Vec<u8>, name: &str) {
        json::key(out, &mut self.first, name);
    }

    /// Open a nested object member; finish it with [`Obj::end`].
    pub(crate) fn object(&mut self, out: &mut Vec<u8>, name: &'static str) -> Obj {
        let mark = out.len();
        let parent_was_first = self.first;
        self.key(out, name);
        out.push(b'{');
        Obj {
            mark,
            parent_was_first,
            first: true,
        }
    }

    /// Close a nested object, or remove it if it stayed empty.
    pub(crate) fn end(self, out: &mut Vec<u8>, parent: &mut Obj) {
        if self.first {
            out.truncate(self.mark);
            parent.first = self.parent_was_first;
        } else {
            out.push(b'}');
        }
    }

    pub(crate) fn str(&mut self, out: &mut Vec<u8>, name: &'static str, value: Option<&str>) {
        if let Some(value) = value {
            self.key(out, name);
            json::write_str(out, value);
        }
    }

    pub(crate) fn int(&mut self, out: &mut Vec<u8>, name: &'static str, value: Option<i64>) {
        if let Some(value) = value {
            self.key(out, name);
            let _ = write!(out, "{value}");
        }
    }

    pub(crate) fn bool(&mut self, out: &mut Vec<u8>, name: &'static str, value: Option<bool>) {
        if let Some(value) = value {
            self.key(out, name);
            json::write_bool(out, value);
        }
    }

    /// A time (epoch seconds) as an ISO 8601 UTC string; omitted when absent
    /// or outside years 0..=9999.
    pub(crate) fn time(&mut self, out: &mut Vec<u8>, name: &'static str, secs: Option<f64>) {
        if let Some(secs) = secs {
            let saved = self.save(out);
            self.key(out, name);
            if !write_iso_time(out, secs) {
                self.restore(out, saved);
            }
        }
    }

    /// An input value, re-serialised; null is omitted.
    pub(crate) fn value(&mut self, out: &mut Vec<u8>, name: &str, value: Option<Val<'_, '_>>) {
        if let Some(value) = value.filter(|v| !v.is_null()) {
            self.key_escaped(out, name);
            write_value(out, value);
        }
    }

    /// Bytes that already hold one JSON value.
    pub(crate) fn raw(&mut self, out: &mut Vec<u8>, name: &str, json: &[u8]) {
        self.key_escaped(out, name);
        out.extend_from_slice(json);
    }
}

/// Re-serialise an input value from the tape (compact JSON).
pub(crate) fn write_value(out: &mut Vec<u8>, value: Val<'_, '_>) {
    // Writing into a Vec cannot fail.
    let _ = value.write(out);
}

/// Write an input value as one JSON string holding its JSON text (a string
/// value is written as itself, not quoted twice).
pub(crate) fn write_json_text(out: &mut Vec<u8>, value: Val<'_, '_>) {
    if let Some(s) = text(value) {
        json::write_str(out, s);
        return;
    }
    out.push(b'"');
    let _ = value.write(&mut Escape(out));
    out.push(b'"');
}

/// Escapes JSON text (valid UTF-8, compact) into the inside of a JSON string.
pub(super) struct Escape<'a>(&'a mut Vec<u8>);

impl std::io::Write for Escape<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut start = 0;
        for (i, &b) in buf.iter().enumerate() {
            if b == b'"' || b == b'\\' || b < 0x20 {
                self.0.extend_from_slice(&buf[start..i]);
                match b {
                    b'"' => self.0.extend_from_slice(b"\\\""),
                    b'\\' => self.0.extend_from_slice(b"\\\\"),
                    _ => {
                        let _ = write!(self.0, "\\u{b:04x}");
                    }
                }
                start = i + 1;
            }
        }
        self.0.extend_from_slice(&buf[start..]);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
