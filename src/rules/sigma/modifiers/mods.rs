//! The `|modifier` chain of a Sigma field name, parsed and checked.
//!
//! Guarantees: a modifier ctfilter lacks makes the rule unsupported (skipped
//! with a reason), never silently ignored; contradictory chains are invalid.

use super::*;

#[derive(Debug)]
pub(super) struct Mods {
    pub(super) op: Op,
    pub(super) all: bool,
    pub(super) cased: bool,
    pub(super) re_flags: String,
}

/// Sigma modifiers ctfilter knows but does not implement, with the reason.
pub(super) const UNSUPPORTED: &[(&str, &str)] = &[
    (
        "base64",
        "it matches base64-encoded text, which CloudTrail fields do not hold",
    ),
    (
        "base64offset",
        "it matches base64-encoded text, which CloudTrail fields do not hold",
    ),
    (
        "wide",
        "it matches UTF-16 encoded text, which CloudTrail fields do not hold",
    ),
    (
        "utf16",
        "it matches UTF-16 encoded text, which CloudTrail fields do not hold",
    ),
    (
        "utf16le",
        "it matches UTF-16 encoded text, which CloudTrail fields do not hold",
    ),
    (
        "utf16be",
        "it matches UTF-16 encoded text, which CloudTrail fields do not hold",
    ),
    ("windash", "it expands Windows command-line dashes"),
    ("expand", "placeholders need a pipeline to fill them in"),
    ("minute", "time-part modifiers are not supported"),
    ("hour", "time-part modifiers are not supported"),
    ("day", "time-part modifiers are not supported"),
    ("week", "time-part modifiers are not supported"),
    ("month", "time-part modifiers are not supported"),
    ("year", "time-part modifiers are not supported"),
];

pub(super) fn parse_mods(key: &Key, names: &[&str]) -> Result<Mods, Problem> {
    let mut mods = Mods {
        op: Op::Eq,
        all: false,
        cased: false,
        re_flags: String::new(),
    };
    let mut op: Option<Op> = None;
    for raw in names {
        let name = raw.trim();
        let this = match name {
            "contains" => Op::Contains,
            "startswith" => Op::StartsWith,
            "endswith" => Op::EndsWith,
            "re" => Op::Re,
            "cidr" => Op::Cidr,
            "exists" => Op::Exists,
            "fieldref" => Op::FieldRef,
            "gt" => Op::Cmp(CmpOp::Gt),
            "gte" => Op::Cmp(CmpOp::Gte),
            "lt" => Op::Cmp(CmpOp::Lt),
            "lte" => Op::Cmp(CmpOp::Lte),
            "all" => {
                mods.all = true;
                continue;
            }
            "cased" => {
                mods.cased = true;
                continue;
            }
            "i" | "m" | "s" => {
                if !mods.re_flags.contains(name) {
                    mods.re_flags.push_str(name);
                }
                continue;
            }
            _ => {
                let what = match UNSUPPORTED.iter().find(|(m, _)| *m == name) {
                    Some((_, why)) => format!("modifier '{name}' in '{}' ({why})", key.name),
                    None => format!("unknown modifier '{name}' in '{}'", key.name),
                };
                return Err(Problem::unsupported(key.pos, what));
            }
        };
        if let Some(prev) = op {
            if prev != this {
                return Err(Problem::unsupported(
                    key.pos,
                    format!(
                        "'{}' combines the modifiers '{}' and '{}'",
                        key.name,
                        prev.name(),
                        this.name()
                    ),
                ));
            }
        }
        op = Some(this);
    }
    mods.op = op.unwrap_or(Op::Eq);
    if !mods.re_flags.is_empty() && mods.op != Op::Re {
        return Err(Problem::unsupported(
            key.pos,
            format!("'{}': the i, m and s modifiers only go with re", key.name),
        ));
    }
    Ok(mods)
}
