//! The embedded rule pack, parsed at build time: a YAML node tree in a
//! compact binary form, read back through serde.
//!
//! `build.rs` parses each embedded rule file (its test-free copy) with
//! [`crate::rules::yaml`], the parser and options used for every rule file, and
//! stores the resulting [`Node`] tree with [`encode`]. At startup
//! [`from_bytes`] deserializes a `RuleFile` from those bytes through the same
//! serde derives, so no YAML is scanned; scanning was most of the startup
//! time. Positions travel with every node, so origins and diagnostics are the
//! same as from the YAML text.
//!
//! Guarantees: malformed bytes give an error, never a panic, and a value the
//! tree cannot express as the YAML deserializer would (a number where the
//! target wants text, say) is an error too: the caller then reads the YAML
//! text instead, so a successful decode can only be the value YAML gives. A
//! test in `defaults.rs` checks that the whole pack decodes and compiles to
//! the same rule set as its YAML. Like `yaml.rs`, this module is also
//! compiled into `build.rs` and must only use that module and serde.

use super::yaml::{Node, Pos, Value, SPAN_TOKEN};
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess};
use serde::forward_to_deserialize_any;
use std::fmt;

// Node layout: line (varint), column (varint), tag (one byte), payload.
const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
/// Payload: the zigzag-encoded value as a varint.
const INT: u8 = 3;
/// Payload: the IEEE bits, 8 bytes little-endian.
const FLOAT: u8 = 4;
/// Payload: byte length (varint), UTF-8 bytes.
const STR: u8 = 5;
/// Payload: item count (varint), items.
const SEQ: u8 = 6;
/// Payload: entry count (varint), then key and value nodes (keys as `STR`).
const MAP: u8 = 7;

/// Append `node` to `out`.
pub fn encode(node: &Node, out: &mut Vec<u8>) {
    header(out, node.pos);
    match &node.value {
        Value::Null => out.push(NULL),
        Value::Bool(b) => out.push(if *b { TRUE } else { FALSE }),
        Value::Int(i) => {
            out.push(INT);
            varint(out, ((*i << 1) ^ (*i >> 63)) as u64);
        }
        Value::Float(f) => {
            out.push(FLOAT);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::Str(s) => text(out, s),
        Value::Seq(items) => {
            out.push(SEQ);
            varint(out, items.len() as u64);
            for item in items {
                encode(item, out);
            }
        }
        Value::Map(entries) => {
            out.push(MAP);
            varint(out, entries.len() as u64);
            for (key, value) in entries {
                header(out, key.pos);
                text(out, &key.name);
                encode(value, out);
            }
        }
    }
}

fn header(out: &mut Vec<u8>, pos: Pos) {
    varint(out, u64::from(pos.line));
    varint(out, u64::from(pos.col));
}

fn text(out: &mut Vec<u8>, s: &str) {
    out.push(STR);
    varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Why packed bytes could not be read as the wanted type.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

fn malformed() -> Error {
    Error("malformed packed rules".into())
}

/// Deserialize a `T` from bytes written by [`encode`] (one node, nothing after).
pub fn from_bytes<'de, T: de::Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    let mut decoder = Decoder {
        bytes,
        at: 0,
        depth: 0,
    };
    let value = T::deserialize(&mut decoder)?;
    if decoder.at != bytes.len() {
        return Err(malformed());
    }
    Ok(value)
}

/// Deeper nesting is refused rather than risking the stack on corrupt input
/// (rule files nest a few levels; the YAML text is read instead).
const MAX_DEPTH: u32 = 256;

struct Decoder<'de> {
    bytes: &'de [u8],
    at: usize,
    depth: u32,
}

impl<'de> Decoder<'de> {
    fn byte(&mut self) -> Result<u8, Error> {
        let b = *self.bytes.get(self.at).ok_or_else(malformed)?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, Error> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(malformed())
    }

    fn small(&mut self) -> Result<u32, Error> {
        u32::try_from(self.varint()?).map_err(|_| malformed())
    }

    /// Position and tag of the next node, consumed.
    fn header(&mut self) -> Result<(Pos, u8), Error> {
        let line = self.small()?;
        let col = self.small()?;
        Ok((Pos { line, col }, self.byte()?))
    }

    /// Position and tag of the next node, left in place.
    fn peek(&mut self) -> Result<(Pos, u8), Error> {
        let at = self.at;
        let header = self.header();
        self.at = at;
        header
    }

    fn str(&mut self) -> Result<&'de str, Error> {
        let len = usize::try_from(self.varint()?).map_err(|_| malformed())?;
        let end = self.at.checked_add(len).ok_or_else(malformed)?;
        let bytes = self.bytes.get(self.at..end).ok_or_else(malformed)?;
        self.at = end;
        std::str::from_utf8(bytes).map_err(|_| malformed())
    }

    fn count(&mut self) -> Result<usize, Error> {
        let n = usize::try_from(self.varint()?).map_err(|_| malformed())?;
        // Every node takes at least three bytes: a count beyond the bytes
        // left is corrupt (and would over-allocate).
        if n > self.bytes.len() - self.at {
            return Err(malformed());
        }
        Ok(n)
    }

    /// Skip one node, iteratively (no recursion on deep input).
    fn skip(&mut self) -> Result<(), Error> {
        let mut pending: usize = 1;
        while pending > 0 {
            pending -= 1;
            match self.header()?.1 {
                NULL | FALSE | TRUE => {}
                INT => {
                    self.varint()?;
                }
                FLOAT => {
                    self.at = self.at.checked_add(8).ok_or_else(malformed)?;
                    if self.at > self.bytes.len() {
                        return Err(malformed());
                    }
                }
                STR => {
                    self.str()?;
                }
                SEQ => pending += self.count()?,
                MAP => pending += 2 * self.count()?,
                _ => return Err(malformed()),
            }
        }
        Ok(())
    }
}

impl<'de> Deserializer<'de> for &mut Decoder<'de> {
    type Error = Error;

    fn deserialize_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.header()?.1 {
            NULL => visitor.visit_unit(),
            FALSE => visitor.visit_bool(false),
            TRUE => visitor.visit_bool(true),
            INT => {
                let z = self.varint()?;
                visitor.visit_i64((z >> 1) as i64 ^ -((z & 1) as i64))
            }
            FLOAT => {
                let end = self.at.checked_add(8).ok_or_else(malformed)?;
                let bytes = self.bytes.get(self.at..end).ok_or_else(malformed)?;
                self.at = end;
                let bits = u64::from_le_bytes(bytes.try_into().map_err(|_| malformed())?);
                visitor.visit_f64(f64::from_bits(bits))
            }
            STR => visitor.visit_borrowed_str(self.str()?),
            SEQ | MAP if self.depth >= MAX_DEPTH => Err(de::Error::custom("nested too deeply")),
            SEQ => {
                let left = self.count()?;
                self.depth += 1;
                let value = visitor.visit_seq(Items { de: self, left });
                self.depth -= 1;
                value
            }
            MAP => {
                let left = self.count()?;
                self.depth += 1;
                let value = visitor.visit_map(Entries { de: self, left });
                self.depth -= 1;
                value
            }
            _ => Err(malformed()),
        }
    }

    /// Null is `None`, as serde-saphyr reads it.
    fn deserialize_option<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.peek()?.1 == NULL {
            self.header()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == SPAN_TOKEN {
            let pos = self.peek()?.0;
            visitor.visit_seq(SpanParts {
                de: self,
                pos,
                step: 0,
            })
        } else {
            visitor.visit_newtype_struct(self)
        }
    }

    /// Unit variants only, spelled as text (`severity: high`).
    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.header()?.1 {
            STR => visitor.visit_enum(self.str()?.into_deserializer()),
            _ => Err(de::Error::custom("expected a variant name")),
        }
    }

    fn deserialize_ignored_any<V: de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.skip()?;
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

struct Items<'a, 'de> {
    de: &'a mut Decoder<'de>,
    left: usize,
}

impl<'de> SeqAccess<'de> for Items<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

struct Entries<'a, 'de> {
    de: &'a mut Decoder<'de>,
    left: usize,
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.de).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.de)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.left)
    }
}

/// A spanned value as the sequence line, column, value (see `yaml::Spanned`).
struct SpanParts<'a, 'de> {
    de: &'a mut Decoder<'de>,
    pos: Pos,
    step: u8,
}

impl<'de> SeqAccess<'de> for SpanParts<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.step += 1;
        match self.step {
            1 => seed
                .deserialize(self.pos.line.into_deserializer())
                .map(Some),
            2 => seed.deserialize(self.pos.col.into_deserializer()).map(Some),
            3 => seed.deserialize(&mut *self.de).map(Some),
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::config::RuleFile;
    use crate::rules::yaml;

    fn pack(text: &str) -> Vec<u8> {
        let node: Node = yaml::from_str(text).unwrap();
        let mut out = Vec::new();
        encode(&node, &mut out);
        out
    }

    #[test]
    fn a_node_tree_round_trips_with_positions() {
        let text = "a: 1\nb:\n  - x\n  - {c: true, d: ~, e: -2.5, f: -7, 12: k}\n";
        let node: Node = yaml::from_str(text).unwrap();
        let back: Node = from_bytes(&pack(text)).unwrap();
        assert_eq!(back, node);
    }

    #[test]
    fn rule_files_read_as_from_yaml() {
        let text = r#"
version: 1
settings: {denied_bump: 2, root_min_severity: critical, identity_default: human}
disable: [x, y]
rules:
  - &base
    id: r1
    title: T
    severity: high
    category: iam
    attack: [T1098]
    events: [iam:CreateUser]
    when:
      userIdentity.type: [IAMUser, ~]
      not: {userAgent|contains: console}
  - <<: *base
    id: r2
"#;
        let from_yaml: RuleFile = yaml::from_str(text).unwrap();
        let from_packed: RuleFile = from_bytes(&pack(text)).unwrap();
        assert_eq!(format!("{from_packed:?}"), format!("{from_yaml:?}"));
        assert_eq!(from_packed.rules[1].pos.line, 16);
    }

    #[test]
    fn what_yaml_would_read_differently_is_an_error() {
        // A number where text is wanted: YAML gives "123", the tree an int.
        let text = "rules:\n  - {id: a, title: 123, severity: low, category: x}\n";
        assert!(yaml::from_str::<RuleFile>(text).is_ok());
        assert!(from_bytes::<RuleFile>(&pack(text)).is_err());
        // Unknown fields stay errors.
        assert!(from_bytes::<RuleFile>(&pack("nope: 1\n")).is_err());
    }

    #[test]
    fn malformed_bytes_are_errors() {
        let good = pack("rules: [{id: a, title: b, severity: low, category: c}]\n");
        for cut in 0..good.len() {
            assert!(from_bytes::<RuleFile>(&good[..cut]).is_err());
            assert!(from_bytes::<Node>(&good[..cut]).is_err());
        }
        let mut flipped = good.clone();
        for i in 0..flipped.len() {
            flipped[i] ^= 0xff;
            let _ = from_bytes::<RuleFile>(&flipped);
            let _ = from_bytes::<Node>(&flipped);
            flipped[i] ^= 0xff;
        }
        assert!(from_bytes::<Node>(&[0, 0, 9]).is_err());
        let mut deep = Vec::new();
        for _ in 0..=MAX_DEPTH {
            deep.extend_from_slice(&[1, 1, SEQ, 1]);
        }
        deep.extend_from_slice(&[1, 1, NULL]);
        assert!(from_bytes::<Node>(&deep).is_err());
    }
}
