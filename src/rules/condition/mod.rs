//! The compiled condition language: `all` / `any` / `not` over field tests.
//!
//! A field test is `path|modifier|modifier: value-or-list`, spelled as in Sigma.
//! String tests are case-insensitive unless `|cased` is given; `|re` is
//! case-sensitive unless `|i` is given, also as in Sigma. A list of values
//! means "any of", or "all of" with `|all`. A path that reaches several values
//! (through arrays) matches when any of them does. Evaluation never allocates
//! for string, number and boolean fields; it formats numbers into a stack
//! buffer and only serialises a sub-object when a string test targets one.

use crate::model::record::{text, Path, Reach, Rec, Val};
use crate::rules::diag::Diags;
use crate::rules::yaml::{Key, Node, Pos, Value};
use regex::Regex;
use simd_json::prelude::{TypedScalarValue as _, ValueAsScalar as _, Writable as _};
use std::collections::HashMap;
use std::net::IpAddr;

#[derive(Debug, Clone)]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    Field(Box<FieldTest>),
    Const(bool),
}

#[derive(Debug, Clone)]
pub struct FieldTest {
    /// The key as written, e.g. `eventName|startswith`, shown by `explain`.
    pub spec: Box<str>,
    pub path: Path,
    pub matcher: Matcher,
    /// For a list of case-folding equality tests, the first bytes a value
    /// can start with and still equal one of them.
    first_bytes: Option<FirstBytes>,
}

impl FieldTest {
    pub fn new(spec: Box<str>, path: Path, matcher: Matcher) -> FieldTest {
        let first_bytes = FirstBytes::of(&matcher);
        FieldTest {
            spec,
            path,
            matcher,
            first_bytes,
        }
    }
}

/// A set of bytes: the first bytes of the values that can pass a list of
/// case-folding ASCII equality tests, so `userIdentity.type: [IAMUser, Root,
/// ...]` fails `AssumedRole` with one lookup instead of one comparison per
/// listed value.
#[derive(Debug, Clone, Copy)]
pub struct FirstBytes([u64; 4]);

impl FirstBytes {
    fn of(matcher: &Matcher) -> Option<FirstBytes> {
        let Matcher::Values {
            tests,
            need_all: false,
        } = matcher
        else {
            return None;
        };
        let mut set = FirstBytes([0; 4]);
        for test in tests {
            let ValueTest::EqStr {
                needle,
                cased: false,
            } = test
            else {
                return None;
            };
            let first = *needle.as_bytes().first()?;
            if !first.is_ascii() {
                return None;
            }
            set.insert(first.to_ascii_lowercase());
            set.insert(first.to_ascii_uppercase());
            // The characters whose lowercase starts with an ASCII letter
            // (see `eq_fold`): the Kelvin sign and the dotted capital I.
            match first {
                b'k' => set.insert(0xE2),
                b'i' => set.insert(0xC4),
                _ => {}
            }
        }
        Some(set)
    }

    fn insert(&mut self, byte: u8) {
        self.0[usize::from(byte >> 6)] |= 1 << (byte & 63);
    }

    /// Whether `text` may equal one of the needles.
    #[inline]
    pub fn admits(&self, text: &str) -> bool {
        text.as_bytes()
            .first()
            .is_some_and(|&b| self.0[usize::from(b >> 6)] >> (b & 63) & 1 != 0)
    }
}

#[derive(Debug, Clone)]
pub enum Matcher {
    /// `|exists: true/false`
    Exists(bool),
    /// Values tested against whatever the path reaches.
    Values {
        tests: Vec<ValueTest>,
        need_all: bool,
    },
    /// `|fieldref`: equal to the value at another path.
    FieldRef { other: Path, cased: bool },
}

#[derive(Debug, Clone)]
pub enum ValueTest {
    /// Missing or JSON null.
    Null,
    EqStr {
        needle: Box<str>,
        cased: bool,
    },
    EqNum(f64),
    EqBool(bool),
    /// contains / startswith / endswith on ASCII needles (lowercased unless
    /// cased): plain byte comparisons, no regex to build or run.
    Literal {
        op: LiteralOp,
        needles: Vec<Needle>,
        cased: bool,
    },
    /// glob / re, and string tests with non-ASCII needles, as one regex.
    Pattern(Regex),
    Cidr(Net),
    Cmp(CmpOp, f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    pub fn parse(text: &str) -> Result<Net, String> {
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .trim()
            .parse()
            .map_err(|_| format!("'{text}' is not an IP network (expected e.g. 10.0.0.0/8)"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("'{text}' has a bad prefix length (0..={max})"))?,
            None => max,
        };
        Ok(Net { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            (IpAddr::V4(_), IpAddr::V6(ip)) => ip
                .to_ipv4_mapped()
                .is_some_and(|v4| self.contains(IpAddr::V4(v4))),
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

mod eval;
mod fold;
mod literal;
mod parse;

pub use literal::{LiteralOp, Needle};

pub use eval::with_text;
pub use parse::{compile, compile_with, glob_to_regex, Regexes};

#[cfg(test)]
mod tests;
