//! One Sigma detection item, `field|modifier|...: value-or-list`, into a
//! compiled test, and one selection (a mapping or a list of mappings) into a
//! condition.
//!
//! Sigma's value semantics, kept exactly:
//! - a plain string matches the whole value, case-insensitively (`|cased`
//!   makes it exact); `*` matches any run of characters and `?` one
//!   character; `\*`, `\?` and `\\` stand for the character itself, and any
//!   other backslash is a plain backslash (so `C:\Windows` needs no escaping);
//! - `contains`, `startswith` and `endswith` put `*` around the value, so
//!   `contains: '*'` means "any non-null value";
//! - a list means any of its values, all of them with `|all`; `null` means the
//!   field is missing or null; numbers and booleans compare as such (and also
//!   match their text);
//! - `|re` is case-sensitive unless `|i`; `|m` and `|s` set those flags;
//! - `|cidr`, `|exists`, `|fieldref`, `|gt`, `|gte`, `|lt`, `|lte`.
//!
//! Every value gets the cheapest test that means the same: exact equality, a
//! byte-level contains/startswith/endswith, or one regex for all the wildcard
//! values of a list. Modifiers that ctfilter lacks (`base64`, `windash`,
//! `expand`, ...) make the rule [`Problem::Unsupported`].

use super::Problem;
use crate::model::record::Path;
use crate::rules::condition::{
    CmpOp, Condition, FieldTest, LiteralOp, Matcher, Needle, Net, ValueTest,
};
use crate::rules::yaml::{Key, Node, Pos, Value};
use regex::Regex;

mod item;
mod mods;
mod values;
mod wildcards;

pub use item::{item, selection};
pub use wildcards::{parse_wildcards, Part};

// The parts use each other's items through `use super::*`.
use mods::*;
use values::*;
use wildcards::*;

#[cfg(test)]
mod tests;
