//! Sigma string values as pieces (text, `*`, `?`), and the cheapest test shape
//! a list of them allows.
//!
//! Guarantees: `\*`, `\?` and `\\` stand for the character itself and any
//! other backslash is a plain backslash, exactly as the Sigma specification says.

use super::*;

/// A piece of a Sigma string value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    /// `*`: any run of characters, possibly empty.
    Star,
    /// `?`: exactly one character.
    One,
}

/// Split a Sigma string into literal text and wildcards. Adjacent literals
/// are merged and runs of `*` collapse into one.
pub fn parse_wildcards(text: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => push(&mut parts, Part::Star),
            '?' => push(&mut parts, Part::One),
            '\\' => match chars.peek() {
                Some(&next @ ('*' | '?' | '\\')) => {
                    chars.next();
                    push_char(&mut parts, next);
                }
                _ => push_char(&mut parts, '\\'),
            },
            other => push_char(&mut parts, other),
        }
    }
    parts
}

pub(super) fn push(parts: &mut Vec<Part>, part: Part) {
    if part == Part::Star && parts.last() == Some(&Part::Star) {
        return;
    }
    parts.push(part);
}

pub(super) fn push_char(parts: &mut Vec<Part>, c: char) {
    match parts.last_mut() {
        Some(Part::Lit(text)) => text.push(c),
        _ => parts.push(Part::Lit(c.to_string())),
    }
}

/// What a string value asks of a field, in the cheapest form.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Shape {
    /// The whole value equals this text.
    Exact(String),
    /// A contains/startswith/endswith on plain text (ASCII, or `|cased`).
    Literal(LiteralOp, String),
    /// Anything else: an anchored regex source, without the case flag.
    Pattern(String),
}

pub(super) fn shape(parts: &[Part], cased: bool) -> Shape {
    let literal_ok = |t: &str| cased || t.is_ascii();
    match parts {
        [] => Shape::Exact(String::new()),
        [Part::Lit(t)] => Shape::Exact(t.clone()),
        [Part::Star] => Shape::Literal(LiteralOp::Contains, String::new()),
        [Part::Star, Part::Lit(t)] if literal_ok(t) => {
            Shape::Literal(LiteralOp::EndsWith, t.clone())
        }
        [Part::Lit(t), Part::Star] if literal_ok(t) => {
            Shape::Literal(LiteralOp::StartsWith, t.clone())
        }
        [Part::Star, Part::Lit(t), Part::Star] if literal_ok(t) => {
            Shape::Literal(LiteralOp::Contains, t.clone())
        }
        _ => {
            let mut source = String::from("^");
            for part in parts {
                match part {
                    Part::Lit(t) => source.push_str(&regex::escape(t)),
                    Part::Star => source.push_str("(?s:.*)"),
                    Part::One => source.push_str("(?s:.)"),
                }
            }
            source.push('$');
            Shape::Pattern(source)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Op {
    Eq,
    Contains,
    StartsWith,
    EndsWith,
    Re,
    Cidr,
    Exists,
    FieldRef,
    Cmp(CmpOp),
}

impl Op {
    pub(super) fn name(self) -> &'static str {
        match self {
            Op::Eq => "equality",
            Op::Contains => "contains",
            Op::StartsWith => "startswith",
            Op::EndsWith => "endswith",
            Op::Re => "re",
            Op::Cidr => "cidr",
            Op::Exists => "exists",
            Op::FieldRef => "fieldref",
            Op::Cmp(CmpOp::Gt) => "gt",
            Op::Cmp(CmpOp::Gte) => "gte",
            Op::Cmp(CmpOp::Lt) => "lt",
            Op::Cmp(CmpOp::Lte) => "lte",
        }
    }
}
