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
use crate::rules::condition::{CmpOp, Condition, FieldTest, LiteralOp, Matcher, Net, ValueTest};
use crate::rules::yaml::{Key, Node, Pos, Value};
use regex::Regex;

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

fn push(parts: &mut Vec<Part>, part: Part) {
    if part == Part::Star && parts.last() == Some(&Part::Star) {
        return;
    }
    parts.push(part);
}

fn push_char(parts: &mut Vec<Part>, c: char) {
    match parts.last_mut() {
        Some(Part::Lit(text)) => text.push(c),
        _ => parts.push(Part::Lit(c.to_string())),
    }
}

/// What a string value asks of a field, in the cheapest form.
#[derive(Clone, Debug, PartialEq)]
enum Shape {
    /// The whole value equals this text.
    Exact(String),
    /// A contains/startswith/endswith on plain text (ASCII, or `|cased`).
    Literal(LiteralOp, String),
    /// Anything else: an anchored regex source, without the case flag.
    Pattern(String),
}

fn shape(parts: &[Part], cased: bool) -> Shape {
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
enum Op {
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
    fn name(self) -> &'static str {
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

#[derive(Debug)]
struct Mods {
    op: Op,
    all: bool,
    cased: bool,
    re_flags: String,
}

/// Sigma modifiers ctfilter knows but does not implement, with the reason.
const UNSUPPORTED: &[(&str, &str)] = &[
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

fn parse_mods(key: &Key, names: &[&str]) -> Result<Mods, Problem> {
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

/// One selection: a mapping is the AND of its items, a list of mappings the
/// OR of them. Plain values (keyword search) are unsupported.
pub fn selection(node: &Node) -> Result<Condition, Problem> {
    match &node.value {
        Value::Map(entries) => {
            if entries.is_empty() {
                return Err(Problem::invalid(node.pos, "an empty selection"));
            }
            let mut items = entries
                .iter()
                .map(|(k, v)| item(k, v))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if items.len() == 1 {
                items.remove(0)
            } else {
                Condition::All(items)
            })
        }
        Value::Seq(items) if items.iter().all(|n| matches!(n.value, Value::Map(_))) => {
            if items.is_empty() {
                return Err(Problem::invalid(node.pos, "an empty selection"));
            }
            let mut maps = items.iter().map(selection).collect::<Result<Vec<_>, _>>()?;
            Ok(if maps.len() == 1 {
                maps.remove(0)
            } else {
                Condition::Any(maps)
            })
        }
        Value::Seq(_) | Value::Str(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
            Err(keywords(node.pos))
        }
        Value::Null => Err(Problem::invalid(
            node.pos,
            "a selection must be a mapping of fields or a list of them, not null",
        )),
    }
}

fn keywords(pos: Pos) -> Problem {
    Problem::unsupported(
        pos,
        "keyword search (plain values without a field name) is not supported: \
         CloudTrail Sigma rules select on fields",
    )
}

/// One `field|modifiers: value-or-list` item.
pub fn item(key: &Key, value: &Node) -> Result<Condition, Problem> {
    let mut names = key.name.split('|');
    let field = names.next().unwrap_or_default().trim();
    if field.is_empty() {
        return Err(keywords(key.pos));
    }
    let mods_text: Vec<&str> = names.collect();
    let mods = parse_mods(key, &mods_text)?;
    let path = Path::parse(field).map_err(|e| Problem::invalid(key.pos, e))?;
    let spec: Box<str> = key.name.as_str().into();
    let values: Vec<&Node> = match &value.value {
        Value::Seq(items) => items.iter().collect(),
        _ => vec![value],
    };
    if values.is_empty() {
        return Err(Problem::invalid(
            value.pos,
            format!("'{}' has an empty list of values", key.name),
        ));
    }
    for v in &values {
        if matches!(v.value, Value::Seq(_) | Value::Map(_)) {
            return Err(Problem::invalid(
                v.pos,
                format!("'{}' takes plain values, not {}", key.name, v.value.kind()),
            ));
        }
    }
    let field_test = |matcher| {
        Condition::Field(Box::new(FieldTest {
            spec: spec.clone(),
            path: path.clone(),
            matcher,
        }))
    };
    match mods.op {
        Op::Exists => match (&value.value, values.len()) {
            (Value::Bool(b), 1) => Ok(field_test(Matcher::Exists(*b))),
            _ => Err(Problem::invalid(
                value.pos,
                format!("'{}' takes true or false", key.name),
            )),
        },
        Op::FieldRef => {
            let mut tests = Vec::new();
            for v in &values {
                let Value::Str(other) = &v.value else {
                    return Err(Problem::invalid(
                        v.pos,
                        format!("'{}' takes a field name, not {}", key.name, v.value.kind()),
                    ));
                };
                let other = Path::parse(other).map_err(|e| Problem::invalid(v.pos, e))?;
                tests.push(field_test(Matcher::FieldRef {
                    other,
                    cased: mods.cased,
                }));
            }
            Ok(match (tests.len(), mods.all) {
                (1, _) => tests.remove(0),
                (_, true) => Condition::All(tests),
                (_, false) => Condition::Any(tests),
            })
        }
        _ => Ok(field_test(Matcher::Values {
            tests: value_tests(key, &mods, &values)?,
            need_all: mods.all,
        })),
    }
}

fn value_tests(key: &Key, mods: &Mods, values: &[&Node]) -> Result<Vec<ValueTest>, Problem> {
    let mut tests = Vec::new();
    // Without |all, literals of one kind share one test and wildcard values
    // share one regex; with |all, each value is its own test.
    let mut literals: Vec<(LiteralOp, Vec<Box<str>>)> = Vec::new();
    let mut patterns: Vec<String> = Vec::new();
    let mut first_pattern_pos = Pos::default();
    for node in values {
        match mods.op {
            Op::Re => tests.push(regex_test(key, mods, node)?),
            Op::Cidr => {
                let text = scalar_text(node).ok_or_else(|| {
                    Problem::invalid(node.pos, format!("'{}' takes an IP network", key.name))
                })?;
                let net = Net::parse(&text).map_err(|e| Problem::invalid(node.pos, e))?;
                tests.push(ValueTest::Cidr(net));
            }
            Op::Cmp(op) => {
                let n = match &node.value {
                    Value::Int(i) => Some(*i as f64),
                    Value::Float(f) => Some(*f),
                    Value::Str(s) => s.trim().parse::<f64>().ok(),
                    _ => None,
                }
                .ok_or_else(|| {
                    Problem::invalid(node.pos, format!("'{}' takes a number", key.name))
                })?;
                tests.push(ValueTest::Cmp(op, n));
            }
            _ => {
                let parts = match &node.value {
                    Value::Null if mods.op == Op::Eq => {
                        tests.push(ValueTest::Null);
                        continue;
                    }
                    Value::Null => {
                        return Err(Problem::invalid(
                            node.pos,
                            format!(
                                "'{}': null cannot take the {} modifier",
                                key.name,
                                mods.op.name()
                            ),
                        ))
                    }
                    Value::Bool(b) if mods.op == Op::Eq => {
                        tests.push(ValueTest::EqBool(*b));
                        continue;
                    }
                    Value::Int(i) if mods.op == Op::Eq => {
                        tests.push(ValueTest::EqNum(*i as f64));
                        continue;
                    }
                    Value::Float(f) if mods.op == Op::Eq => {
                        tests.push(ValueTest::EqNum(*f));
                        continue;
                    }
                    Value::Str(s) => parse_wildcards(s),
                    // Numbers and booleans under contains/startswith/endswith
                    // are their text, with no wildcards.
                    _ => match scalar_text(node) {
                        Some(text) => vec![Part::Lit(text)],
                        None => continue,
                    },
                };
                let parts = wrap(mods.op, parts);
                match shape(&parts, mods.cased) {
                    Shape::Exact(text) => tests.push(ValueTest::EqStr {
                        needle: fold(&text, mods.cased).into(),
                        cased: mods.cased,
                    }),
                    Shape::Literal(op, text) => {
                        let needle: Box<str> = fold(&text, mods.cased).into();
                        if mods.all {
                            tests.push(ValueTest::Literal {
                                op,
                                needles: vec![needle],
                                cased: mods.cased,
                            });
                        } else {
                            match literals.iter_mut().find(|(o, _)| *o == op) {
                                Some((_, needles)) => needles.push(needle),
                                None => literals.push((op, vec![needle])),
                            }
                        }
                    }
                    Shape::Pattern(source) => {
                        if mods.all {
                            tests.push(pattern(&[source], mods.cased, node.pos)?);
                        } else {
                            if patterns.is_empty() {
                                first_pattern_pos = node.pos;
                            }
                            patterns.push(source);
                        }
                    }
                }
            }
        }
    }
    for (op, needles) in literals {
        tests.push(ValueTest::Literal {
            op,
            needles,
            cased: mods.cased,
        });
    }
    if !patterns.is_empty() {
        tests.push(pattern(&patterns, mods.cased, first_pattern_pos)?);
    }
    Ok(tests)
}

/// contains/startswith/endswith put a `*` on the open side(s).
fn wrap(op: Op, mut parts: Vec<Part>) -> Vec<Part> {
    if matches!(op, Op::Contains | Op::EndsWith) && parts.first() != Some(&Part::Star) {
        parts.insert(0, Part::Star);
    }
    if matches!(op, Op::Contains | Op::StartsWith) && parts.last() != Some(&Part::Star) {
        parts.push(Part::Star);
    }
    parts
}

/// Needles are stored lowercased unless the match is cased (as the
/// condition module expects): ASCII folding for literals, full lowercase for
/// exact text.
fn fold(text: &str, cased: bool) -> String {
    if cased {
        text.to_string()
    } else {
        text.to_lowercase()
    }
}

fn pattern(alternatives: &[String], cased: bool, pos: Pos) -> Result<ValueTest, Problem> {
    let flag = if cased { "" } else { "(?i)" };
    let source = format!("{flag}(?:{})", alternatives.join("|"));
    build_regex(&source)
        .map(ValueTest::Pattern)
        .map_err(|e| Problem::invalid(pos, format!("wildcard value does not compile: {e}")))
}

fn regex_test(key: &Key, mods: &Mods, node: &Node) -> Result<ValueTest, Problem> {
    let Value::Str(text) = &node.value else {
        return Err(Problem::invalid(
            node.pos,
            format!(
                "'{}' takes a regular expression as text, not {}",
                key.name,
                node.value.kind()
            ),
        ));
    };
    let source = if mods.re_flags.is_empty() {
        text.clone()
    } else {
        format!("(?{}){text}", mods.re_flags)
    };
    // Sigma regexes are PCRE-flavoured; a construct the linear-time engine
    // lacks (look-around, back-references) is a missing feature, not a
    // broken rule.
    build_regex(&source).map(ValueTest::Pattern).map_err(|e| {
        Problem::unsupported(
            node.pos,
            format!(
                "the regular expression of '{}' does not compile: {e}",
                key.name
            ),
        )
    })
}

fn build_regex(source: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(source)
        .size_limit(16 << 20)
        .build()
        .map_err(|e| {
            let detail = e.to_string();
            let last = detail.lines().last().unwrap_or("invalid regex").trim();
            last.strip_prefix("error: ").unwrap_or(last).to_string()
        })
}

fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Str(s) => Some(s.clone()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(yaml: &str) -> Node {
        crate::rules::yaml::from_str(yaml).unwrap()
    }

    fn compile(yaml: &str) -> Result<Condition, Problem> {
        selection(&node(yaml))
    }

    fn check(yaml: &str, json: &str) -> bool {
        let cond = compile(yaml).unwrap_or_else(|e| panic!("{yaml}: {e:?}"));
        let mut bytes = json.as_bytes().to_vec();
        let tape = simd_json::to_tape(&mut bytes).unwrap();
        cond.eval(tape.as_value())
    }

    fn unsupported(yaml: &str) -> String {
        match compile(yaml) {
            Err(Problem::Unsupported { what, .. }) => what,
            other => panic!("{yaml}: expected unsupported, got {other:?}"),
        }
    }

    fn invalid(yaml: &str) -> String {
        match compile(yaml) {
            Err(Problem::Invalid { message, .. }) => message,
            other => panic!("{yaml}: expected invalid, got {other:?}"),
        }
    }

    const REC: &str = r#"{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey",
        "userAgent":"S3 Browser 9.5.5 https://s3browser.com","n":42,"flag":true,"star":"a*b",
        "path":"C:\\Windows\\System32","errorCode":null,"sourceIPAddress":"10.1.2.3",
        "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","userName":"alice"},
        "requestParameters":{"userName":"alice","layers":["arn:aws:lambda:us-east-1:111122223333:layer:x:1"]},
        "responseElements":{"accessKey":{"userName":"bob"}},"unicode":"ÉCOLE"}"#;

    #[test]
    fn wildcards_parse_with_escapes() {
        use Part::*;
        let lit = |s: &str| Lit(s.into());
        assert_eq!(
            parse_wildcards("a*b?c"),
            [lit("a"), Star, lit("b"), One, lit("c")]
        );
        assert_eq!(parse_wildcards(r"a\*b\?c\\d"), [lit(r"a*b?c\d")]);
        assert_eq!(parse_wildcards(r"C:\Windows\*"), [lit(r"C:\Windows*")]);
        assert_eq!(parse_wildcards(r"C:\Windows\x"), [lit(r"C:\Windows\x")]);
        assert_eq!(parse_wildcards("**a***"), [Star, lit("a"), Star]);
        assert_eq!(parse_wildcards(""), []);
    }

    #[test]
    fn plain_values_are_whole_value_and_case_insensitive() {
        assert!(check("eventName: createaccesskey", REC));
        assert!(check("eventName: CREATEACCESSKEY", REC));
        assert!(!check("eventName: CreateAccess", REC));
        assert!(check("unicode: école", REC));
        assert!(!check("eventName|cased: createaccesskey", REC));
        assert!(check("eventName|cased: CreateAccessKey", REC));
    }

    #[test]
    fn wildcards_in_plain_values() {
        assert!(check("eventName: 'Create*'", REC));
        assert!(check("eventName: '*Key'", REC));
        assert!(check("eventName: '*access*'", REC));
        assert!(check("eventName: 'Create?ccessKey'", REC));
        assert!(!check("eventName: 'Create?Key'", REC));
        assert!(check("unicode: 'é*'", REC));
        assert!(!check("eventName|cased: 'create*'", REC));
        // Escaped wildcards are literal characters.
        assert!(check(r"star: 'a\*b'", REC));
        assert!(!check(r"star: 'a\*c'", REC));
        assert!(check("star: 'a*b'", REC));
        assert!(!check(r"eventName: 'Create\*'", REC));
        // A backslash before anything else is a plain backslash.
        assert!(check(r"path: 'C:\Windows\System32'", REC));
        assert!(check(r"path|endswith: '\System32'", REC));
    }

    #[test]
    fn contains_startswith_endswith() {
        assert!(check("userAgent|contains: 's3 browser'", REC));
        assert!(check("userAgent|startswith: 'S3 BROWSER'", REC));
        assert!(check("userAgent|endswith: '.COM'", REC));
        assert!(!check("userAgent|endswith: 'browser'", REC));
        assert!(check("userAgent|contains: 'Browser*s3browser'", REC));
        assert!(check("eventName|startswith: 'Create?ccess'", REC));
        assert!(!check("userAgent|contains|cased: 's3 browser'", REC));
        assert!(check("n|contains: 4", REC));
        assert!(check("flag|startswith: tr", REC));
        assert!(check("unicode|contains: 'col'", REC));
        assert!(check("unicode|contains: 'éco'", REC));
    }

    #[test]
    fn contains_star_means_any_non_null_value() {
        assert!(check("userAgent|contains: '*'", REC));
        assert!(check("requestParameters.layers|contains: '*'", REC));
        assert!(check("requestParameters|contains: '*'", REC));
        assert!(!check("errorCode|contains: '*'", REC));
        assert!(!check("errorMessage|contains: '*'", REC));
    }

    #[test]
    fn lists_are_any_unless_all() {
        assert!(check("eventName: [CreateUser, CreateAccessKey]", REC));
        assert!(!check("eventName: [CreateUser, DeleteUser]", REC));
        assert!(check(
            "userAgent|contains: [terraform, 'S3 Browser', 'x*y']",
            REC
        ));
        assert!(check(
            "userAgent|contains|all: ['S3 Browser', 's3browser.com']",
            REC
        ));
        assert!(!check(
            "userAgent|contains|all: ['S3 Browser', terraform]",
            REC
        ));
        assert!(check("eventName: ['Delete*', 'Create*']", REC));
        assert!(check("eventName|all: ['Create*', '*Key']", REC));
        assert!(!check("eventName|all: ['Create*', '*User']", REC));
    }

    #[test]
    fn null_numbers_and_booleans() {
        assert!(check("errorCode: null", REC));
        assert!(check("errorMessage: null", REC));
        assert!(!check("eventName: null", REC));
        assert!(check("errorCode: [Success, null]", REC));
        assert!(check("n: 42", REC));
        assert!(!check("n: 41", REC));
        assert!(check("flag: true", REC));
        assert!(check("flag: 'true'", REC));
        assert!(!check("flag: false", REC));
    }

    #[test]
    fn a_map_is_and_a_list_of_maps_is_or() {
        assert!(check(
            "{eventName: CreateAccessKey, userIdentity.type: IAMUser}",
            REC
        ));
        assert!(!check(
            "{eventName: CreateAccessKey, userIdentity.type: Root}",
            REC
        ));
        assert!(check("[{eventName: x}, {userIdentity.type: iamuser}]", REC));
        assert!(!check("[{eventName: x}, {userIdentity.type: root}]", REC));
    }

    #[test]
    fn regex_is_case_sensitive_unless_i() {
        assert!(check("userIdentity.arn|re: ':user/ali'", REC));
        assert!(!check("userIdentity.arn|re: ':USER/'", REC));
        assert!(check("userIdentity.arn|re|i: ':USER/'", REC));
        assert!(check("eventName|re: '^Create.+Key$'", REC));
        assert!(!check("userAgent|re: 'Browser.s3'", REC));
        assert!(check("userAgent|re|s: 'Browser.*s3'", REC));
        assert!(check("userAgent|re|m: '^S3'", REC));
    }

    #[test]
    fn cidr_exists_fieldref_and_comparisons() {
        assert!(check("sourceIPAddress|cidr: 10.0.0.0/8", REC));
        assert!(!check(
            "sourceIPAddress|cidr: [192.168.0.0/16, 172.16.0.0/12]",
            REC
        ));
        assert!(check("userAgent|exists: true", REC));
        assert!(check("errorMessage|exists: false", REC));
        assert!(check(
            "userIdentity.userName|fieldref: requestParameters.userName",
            REC
        ));
        assert!(!check(
            "userIdentity.userName|fieldref: responseElements.accessKey.userName",
            REC
        ));
        assert!(check("n|gt: 41", REC));
        assert!(check("n|gte: 42", REC));
        assert!(check("n|lt: 43", REC));
        assert!(!check("n|lte: 41", REC));
    }

    #[test]
    fn unsupported_modifiers_name_the_feature() {
        for m in [
            "base64",
            "base64offset",
            "windash",
            "utf16le",
            "wide",
            "expand",
        ] {
            let what = unsupported(&format!("CommandLine|{m}|contains: x"));
            assert!(what.contains(&format!("modifier '{m}'")), "{what}");
        }
        assert!(unsupported("a|bogus: x").contains("unknown modifier 'bogus'"));
        assert!(unsupported("a|contains|re: x").contains("combines"));
        assert!(unsupported("a|i: x").contains("only go with re"));
        assert!(unsupported("a|re: '(?<=x)y'").contains("does not compile"));
        assert!(unsupported("[evil, worse]").contains("keyword search"));
        assert!(unsupported("'|contains': evil").contains("keyword search"));
    }

    #[test]
    fn malformed_values_are_invalid() {
        assert!(invalid("a|exists: maybe").contains("true or false"));
        assert!(invalid("a|cidr: 10.0.0.0/99").contains("prefix"));
        assert!(invalid("a|gt: lots").contains("number"));
        assert!(invalid("a|contains: null").contains("null"));
        assert!(invalid("a: []").contains("empty list"));
        assert!(invalid("a: [[x]]").contains("plain values"));
        assert!(invalid("{}").contains("empty selection"));
    }
}
