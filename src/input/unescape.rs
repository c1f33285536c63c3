//! Incremental decoding of a JSON string value whose bytes arrive in pieces.
//!
//! Used to stream a host-wrapped log file (Vector's aws_s3 source puts a whole
//! CloudTrail file under `message` as one JSON string): the escaped bytes are
//! decoded as they arrive and handed on, so the file never has to be held.
//! Guarantees: escapes split across pieces (`\`, `\u00`, surrogate pairs) are
//! decoded exactly as a one-shot decoder would; invalid escapes and lone
//! surrogates are errors, never panics.

#[derive(Default)]
pub struct Unescaper {
    /// Bytes of an escape sequence not yet complete (at most 12).
    pending: Vec<u8>,
    done: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// All input consumed; the string goes on.
    More,
    /// The closing quote was found after `n` input bytes.
    End(usize),
}

impl Unescaper {
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Decode `input` into `out`. Stops at the closing quote.
    pub fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<Step, String> {
        let mut i = 0;
        while i < input.len() {
            if !self.pending.is_empty() {
                self.pending.push(input[i]);
                i += 1;
                if self.try_escape(out)? {
                    self.pending.clear();
                }
                continue;
            }
            let rest = &input[i..];
            match memchr::memchr2(b'"', b'\\', rest) {
                None => {
                    out.extend_from_slice(rest);
                    return Ok(Step::More);
                }
                Some(at) => {
                    out.extend_from_slice(&rest[..at]);
                    i += at;
                    if input[i] == b'"' {
                        self.done = true;
                        return Ok(Step::End(i + 1));
                    }
                    self.pending.push(b'\\');
                    i += 1;
                }
            }
        }
        Ok(Step::More)
    }

    /// Decode `pending` if it is a complete escape; `Ok(false)` when more
    /// bytes are needed.
    fn try_escape(&mut self, out: &mut Vec<u8>) -> Result<bool, String> {
        let p = &self.pending;
        let simple = match p[1] {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => 0,
            other => {
                return Err(format!(
                    "invalid escape '\\{}' in the wrapped text",
                    other as char
                ))
            }
        };
        if p[1] != b'u' {
            out.push(simple);
            return Ok(true);
        }
        if p.len() < 6 {
            return Ok(false);
        }
        let first = hex4(&p[2..6])?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if p.len() < 12 {
                if p.len() >= 7 && p[6] != b'\\' || p.len() >= 8 && p[7] != b'u' {
                    return Err("a lone high surrogate in the wrapped text".into());
                }
                return Ok(false);
            }
            let second = hex4(&p[8..12])?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err("a high surrogate without its low half in the wrapped text".into());
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else if (0xDC00..0xE000).contains(&first) {
            return Err("a lone low surrogate in the wrapped text".into());
        } else {
            first
        };
        let c = char::from_u32(code).ok_or("an invalid code point in the wrapped text")?;
        let mut utf8 = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        Ok(true)
    }
}

fn hex4(digits: &[u8]) -> Result<u32, String> {
    let text = std::str::from_utf8(digits)
        .map_err(|_| "a bad \\u escape in the wrapped text".to_string())?;
    u32::from_str_radix(text, 16)
        .map_err(|_| format!("a bad \\u escape '\\u{text}' in the wrapped text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_in_pieces(escaped: &str, piece: usize) -> Result<(String, usize), String> {
        let mut u = Unescaper::default();
        let mut out = Vec::new();
        let bytes = escaped.as_bytes();
        let mut consumed = 0;
        for chunk in bytes.chunks(piece) {
            match u.feed(chunk, &mut out)? {
                Step::More => consumed += chunk.len(),
                Step::End(n) => {
                    consumed += n;
                    return Ok((String::from_utf8(out).unwrap(), consumed));
                }
            }
        }
        Err("no closing quote".into())
    }

    #[test]
    fn decodes_every_escape_across_any_split() {
        let original = "{\"Records\":[{\"ua\":\"a\\\\b \\\"q\\\" \\n\\t/ é 日本 😀\"}]}\u{1}";
        let escaped = serde_json::to_string(original).unwrap();
        // serde_json writes the opening quote; the decoder starts after it.
        let body = format!("{}trailing", &escaped[1..]);
        for piece in 1..12 {
            let (decoded, consumed) = decode_in_pieces(&body, piece).unwrap();
            assert_eq!(decoded, original, "piece {piece}");
            assert_eq!(consumed, escaped.len() - 1, "piece {piece}");
        }
        let surrogates = r#"\ud83d\ude00\u00e9\u002F""#;
        for piece in 1..8 {
            assert_eq!(decode_in_pieces(surrogates, piece).unwrap().0, "😀é/");
        }
    }

    #[test]
    fn rejects_bad_escapes() {
        assert!(decode_in_pieces(r#"\q""#, 1).is_err());
        assert!(decode_in_pieces(r#"\u12G4""#, 2).is_err());
        assert!(decode_in_pieces(r#"\ud83dx""#, 3).is_err());
        assert!(decode_in_pieces(r#"\ude00""#, 3).is_err());
    }
}
