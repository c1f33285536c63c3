//! A YAML value tree that keeps the line and column of every node.
//!
//! Rule conditions are free-form maps (`field|modifier: value`), so they cannot
//! be typed serde structs. They are read into [`Node`] instead, which remembers
//! where each key and value came from, so the compiler can report any problem
//! as `path:line:col`. Guarantees: loading never panics on any input, and every
//! node carries the position it was read from.
//!
//! This module is also compiled into `build.rs`, which parses the embedded
//! rule pack with it (see [`crate::rules::packed`]): it must only use `serde` and
//! `serde_saphyr`, never other modules of the crate.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A position in a rule file, 1-based.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub fn of<T>(spanned: &Spanned<T>) -> Pos {
        spanned.pos
    }
}

/// A value with the position it was read from (where it is referenced, for
/// values reached through an alias or a merge key).
///
/// From YAML it is read through [`serde_saphyr::Spanned`]; from the packed
/// form of the embedded pack ([`crate::rules::packed`]) as a `(line, col, value)`
/// sequence, asked for with the newtype name [`SPAN_TOKEN`].
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub pos: Pos,
}

/// The newtype-struct name a [`Spanned`] asks its deserializer for.
/// serde-saphyr passes unknown names through to `visit_newtype_struct`.
pub const SPAN_TOKEN: &str = "__ctfilter_spanned";

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(SPAN_TOKEN, SpannedVisitor(PhantomData))
    }
}

struct SpannedVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for SpannedVisitor<T> {
    type Value = Spanned<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value with its position")
    }
    /// YAML: serde-saphyr's own spanned wrapper does the work.
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Spanned<T>, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Spanned {
            pos: Pos {
                line: spanned.referenced.line() as u32,
                col: spanned.referenced.column() as u32,
            },
            value: spanned.value,
        })
    }
    /// The packed form: line, column, value.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Spanned<T>, A::Error> {
        let missing = || de::Error::custom("truncated spanned value");
        let line = seq.next_element::<u32>()?.ok_or_else(missing)?;
        let col = seq.next_element::<u32>()?.ok_or_else(missing)?;
        let value = seq.next_element::<T>()?.ok_or_else(missing)?;
        Ok(Spanned {
            value,
            pos: Pos { line, col },
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub pos: Pos,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub pos: Pos,
}

impl Value {
    /// A string, number or boolean as the text a rule author wrote for it;
    /// `None` for null, lists and maps.
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        Ok(Node {
            pos: Pos::of(&spanned),
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<KeyText>::deserialize(deserializer)?;
        Ok(Key {
            pos: Pos::of(&spanned),
            name: spanned.value.0,
        })
    }
}

/// A mapping key: YAML allows non-string keys, rule files read them as text.
struct KeyText(String);

impl<'de> Deserialize<'de> for KeyText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::Str(s) => Ok(KeyText(s)),
            Value::Int(i) => Ok(KeyText(i.to_string())),
            Value::Float(f) => Ok(KeyText(f.to_string())),
            Value::Bool(b) => Ok(KeyText(b.to_string())),
            Value::Null => Ok(KeyText("null".into())),
            other => Err(de::Error::custom(format!(
                "a mapping key must be a plain value, not {}",
                other.kind()
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .or(Ok(Value::Float(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Key>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

/// A failure to read a YAML document, with its position when known.
#[derive(Debug, Clone)]
pub struct YamlError {
    pub pos: Pos,
    pub message: String,
}

/// Parse one YAML document into `T`. Errors carry a line and column.
pub fn from_str<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str_with_options::<T>(text, options()).map_err(|err| {
        let pos = err
            .location()
            .map(|loc| Pos {
                line: loc.line() as u32,
                col: loc.column() as u32,
            })
            .unwrap_or(Pos { line: 1, col: 1 });
        YamlError {
            pos,
            message: first_line(&err.to_string()),
        }
    })
}

/// YAML 1.2 scalars only: `no`, `off` and `n` stay text (CloudTrail says
/// `MFAUsed: No`), and `0123` stays text (account ids keep their zeros).
/// Duplicate keys in a rule file are an error.
fn options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    options.with_snippet = false;
    options
}

/// serde-saphyr renders a multi-line snippet; our diagnostics carry one line,
/// and print the snippet themselves.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or("invalid YAML").trim();
    // Drop a trailing " at line X, column Y": the position is printed up front.
    match line.find(" at line ") {
        Some(cut) => line[..cut].to_string(),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_remember_positions() {
        let node: Node = from_str("a: 1\nb:\n  - x\n  - {c: true}\n").unwrap();
        let Value::Map(entries) = node.value else {
            panic!("not a map")
        };
        assert_eq!(entries[0].0.name, "a");
        assert_eq!(entries[0].0.pos, Pos { line: 1, col: 1 });
        assert_eq!(entries[1].0.pos.line, 2);
        let Value::Seq(items) = &entries[1].1.value else {
            panic!("not a seq")
        };
        assert_eq!(items[0].value, Value::Str("x".into()));
        assert_eq!(items[0].pos.line, 3);
        assert_eq!(items[1].pos.line, 4);
    }

    #[test]
    fn yaml_1_1_words_stay_text() {
        let node: Node = from_str("n: No\ny: off\nacct: 012345678901\n").unwrap();
        let Value::Map(entries) = node.value else {
            panic!("not a map")
        };
        assert_eq!(entries[0].0.name, "n");
        assert_eq!(entries[0].1.value, Value::Str("No".into()));
        assert_eq!(entries[1].1.value, Value::Str("off".into()));
        assert_eq!(entries[2].1.value, Value::Str("012345678901".into()));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = from_str::<Node>("a: 1\na: 2\n").unwrap_err();
        assert_eq!(err.pos.line, 2, "{}", err.message);
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = from_str::<Node>("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.pos.line >= 1);
        assert!(!err.message.is_empty());
    }
}
