//! The compiled condition language: `all` / `any` / `not` over field tests.
//!
//! A field test is `path|modifier|modifier: value-or-list`, spelled as in Sigma.
//! String tests are case-insensitive unless `|cased` is given; `|re` is
//! case-sensitive unless `|i` is given, also as in Sigma. A list of values
//! means "any of", or "all of" with `|all`. A path that reaches several values
//! (through arrays) matches when any of them does. Evaluation never allocates
//! for string, number and boolean fields; it formats numbers into a stack
//! buffer and only serialises a sub-object when a string test targets one.

use crate::model::record::{text, Path, Rec, Val};
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
        needles: Vec<Box<str>>,
        cased: bool,
    },
    /// glob / re, and string tests with non-ASCII needles, as one regex.
    Pattern(Regex),
    Cidr(Net),
    Cmp(CmpOp, f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralOp {
    Contains,
    StartsWith,
    EndsWith,
}

impl LiteralOp {
    fn parse(op: &str) -> Option<LiteralOp> {
        match op {
            "contains" => Some(LiteralOp::Contains),
            "startswith" => Some(LiteralOp::StartsWith),
            "endswith" => Some(LiteralOp::EndsWith),
            _ => None,
        }
    }

    /// Whether `haystack` passes for `needle` (already lowercased unless cased).
    pub fn test(self, haystack: &str, needle: &str, cased: bool) -> bool {
        let (h, n) = (haystack.as_bytes(), needle.as_bytes());
        if n.len() > h.len() {
            return false;
        }
        let eq = |a: &[u8]| {
            if cased {
                a == n
            } else {
                a.eq_ignore_ascii_case(n)
            }
        };
        match self {
            LiteralOp::StartsWith => eq(&h[..n.len()]),
            LiteralOp::EndsWith => eq(&h[h.len() - n.len()..]),
            LiteralOp::Contains => {
                if n.is_empty() {
                    return true;
                }
                if cased {
                    return memchr::memmem::find(h, n).is_some();
                }
                let (lower, upper) = (n[0].to_ascii_lowercase(), n[0].to_ascii_uppercase());
                let last_start = h.len() - n.len();
                let mut from = 0;
                while from <= last_start {
                    match memchr::memchr2(lower, upper, &h[from..=last_start]) {
                        None => return false,
                        Some(off) => {
                            let at = from + off;
                            if h[at..at + n.len()].eq_ignore_ascii_case(n) {
                                return true;
                            }
                            from = at + 1;
                        }
                    }
                }
                false
            }
        }
    }
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

// ---------------------------------------------------------------------------
// Evaluation

impl Condition {
    pub fn eval(&self, root: Val<'_, '_>) -> bool {
        self.eval_in(Rec::bare(root))
    }

    /// Evaluate with the record's top-level table (see `record::Top`).
    pub fn eval_in(&self, rec: Rec<'_, '_, '_>) -> bool {
        match self {
            Condition::All(items) => items.iter().all(|c| c.eval_in(rec)),
            Condition::Any(items) => items.iter().any(|c| c.eval_in(rec)),
            Condition::Not(inner) => !inner.eval_in(rec),
            Condition::Field(test) => test.eval_in(rec),
            Condition::Const(value) => *value,
        }
    }

    /// Like [`eval`](Self::eval), also collecting the field tests that held
    /// on the way to the result (for `explain`).
    pub fn explain(&self, root: Val<'_, '_>, fired: &mut Vec<String>) -> bool {
        match self {
            Condition::All(items) => {
                let mark = fired.len();
                let ok = items.iter().all(|c| c.explain(root, fired));
                if !ok {
                    fired.truncate(mark);
                }
                ok
            }
            Condition::Any(items) => items.iter().any(|c| c.explain(root, fired)),
            Condition::Not(inner) => {
                let mut ignored = Vec::new();
                let ok = !inner.explain(root, &mut ignored);
                if ok {
                    fired.push(format!("not({})", inner.describe()));
                }
                ok
            }
            Condition::Field(test) => {
                let ok = test.eval(root);
                if ok {
                    fired.push(test.describe());
                }
                ok
            }
            Condition::Const(value) => *value,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Condition::All(items) => join("all", items),
            Condition::Any(items) => join("any", items),
            Condition::Not(inner) => format!("not({})", inner.describe()),
            Condition::Field(test) => test.describe(),
            Condition::Const(value) => value.to_string(),
        }
    }

    /// Visit every field test (used to derive prefilter needles and for `check`).
    pub fn for_each_field(&self, visit: &mut dyn FnMut(&FieldTest)) {
        match self {
            Condition::All(items) | Condition::Any(items) => {
                items.iter().for_each(|c| c.for_each_field(visit))
            }
            Condition::Not(inner) => inner.for_each_field(visit),
            Condition::Field(test) => visit(test),
            Condition::Const(_) => {}
        }
    }
}

fn join(name: &str, items: &[Condition]) -> String {
    let parts: Vec<String> = items.iter().map(Condition::describe).collect();
    format!("{name}({})", parts.join(", "))
}

impl FieldTest {
    pub fn describe(&self) -> String {
        match &self.matcher {
            Matcher::Exists(want) => format!("{}: {want}", self.spec),
            Matcher::FieldRef { other, .. } => format!("{}: {other}", self.spec),
            Matcher::Values { tests, .. } => {
                let shown: Vec<String> = tests.iter().map(ValueTest::describe).collect();
                if shown.len() == 1 {
                    format!("{}: {}", self.spec, shown[0])
                } else {
                    format!("{}: [{}]", self.spec, shown.join(", "))
                }
            }
        }
    }

    pub fn eval(&self, root: Val<'_, '_>) -> bool {
        self.eval_in(Rec::bare(root))
    }

    pub fn eval_in(&self, rec: Rec<'_, '_, '_>) -> bool {
        match &self.matcher {
            Matcher::Exists(want) => self.path.exists_in(rec) == *want,
            Matcher::Values { tests, need_all } => {
                if *need_all {
                    tests.iter().all(|t| self.test_one(rec, t))
                } else {
                    tests.iter().any(|t| self.test_one(rec, t))
                }
            }
            Matcher::FieldRef { other, cased } => {
                let Some(target) = other.first_in(rec) else {
                    return false;
                };
                self.path
                    .any_in(rec, &mut |v| values_equal(v, target, *cased))
            }
        }
    }

    fn test_one(&self, rec: Rec<'_, '_, '_>, test: &ValueTest) -> bool {
        if let ValueTest::Null = test {
            let mut found_non_null = false;
            let found_null = self.path.any_in(rec, &mut |v| {
                if v.is_null() {
                    true
                } else {
                    found_non_null = true;
                    false
                }
            });
            return found_null || !found_non_null;
        }
        self.path.any_in(rec, &mut |v| test.matches(v))
    }
}

impl ValueTest {
    fn describe(&self) -> String {
        match self {
            ValueTest::Null => "null".into(),
            ValueTest::EqStr { needle, .. } => format!("{needle:?}"),
            ValueTest::EqNum(n) => n.to_string(),
            ValueTest::EqBool(b) => b.to_string(),
            ValueTest::Literal { op, needles, .. } => {
                let op = format!("{op:?}").to_lowercase();
                format!("{op} {needles:?}")
            }
            ValueTest::Pattern(re) => format!("/{}/", re.as_str()),
            ValueTest::Cidr(net) => format!("{}/{}", net.addr, net.prefix),
            ValueTest::Cmp(op, n) => format!("{op:?} {n}").to_lowercase(),
        }
    }

    pub fn matches(&self, value: Val<'_, '_>) -> bool {
        match self {
            ValueTest::Null => value.is_null(),
            ValueTest::EqStr { needle, cased } => with_text(value, |s| {
                if *cased {
                    s == &**needle
                } else {
                    eq_fold(s, needle)
                }
            }),
            ValueTest::EqNum(n) => number_of(value).is_some_and(|v| v == *n),
            ValueTest::EqBool(b) => match value.as_bool() {
                Some(v) => v == *b,
                None => text(value)
                    .is_some_and(|s| s.eq_ignore_ascii_case(if *b { "true" } else { "false" })),
            },
            ValueTest::Literal { op, needles, cased } => {
                with_text(value, |s| needles.iter().any(|n| op.test(s, n, *cased)))
            }
            ValueTest::Pattern(re) => with_text(value, |s| re.is_match(s)),
            ValueTest::Cidr(net) => text(value)
                .and_then(|s| s.trim().parse::<IpAddr>().ok())
                .is_some_and(|ip| net.contains(ip)),
            ValueTest::Cmp(op, n) => number_of(value).is_some_and(|v| match op {
                CmpOp::Gt => v > *n,
                CmpOp::Gte => v >= *n,
                CmpOp::Lt => v < *n,
                CmpOp::Lte => v <= *n,
            }),
        }
    }
}

/// Case-insensitive equality: ASCII folding first, full Unicode lowercase only
/// when either side has non-ASCII text.
fn eq_fold(haystack: &str, lowered_needle: &str) -> bool {
    if haystack.is_ascii() && lowered_needle.is_ascii() {
        haystack.eq_ignore_ascii_case(lowered_needle)
    } else {
        haystack.to_lowercase() == lowered_needle
    }
}

fn number_of(value: Val<'_, '_>) -> Option<f64> {
    if let Some(n) = value.as_f64() {
        return Some(n);
    }
    if let Some(n) = value.as_i64() {
        return Some(n as f64);
    }
    if let Some(n) = value.as_u64() {
        return Some(n as f64);
    }
    text(value).and_then(|s| s.trim().parse::<f64>().ok())
}

fn values_equal(a: Val<'_, '_>, b: Val<'_, '_>, cased: bool) -> bool {
    match (text(a), text(b)) {
        (Some(x), Some(y)) => {
            if cased {
                x == y
            } else if x.is_ascii() && y.is_ascii() {
                x.eq_ignore_ascii_case(y)
            } else {
                x.to_lowercase() == y.to_lowercase()
            }
        }
        _ => match (number_of(a), number_of(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a.as_bool().is_some() && a.as_bool() == b.as_bool(),
        },
    }
}

/// Run `f` on the text form of a scalar: strings as they are, numbers and
/// booleans formatted into a stack buffer, objects and arrays serialised as
/// compact JSON (so `requestParameters|contains: x` searches the whole object).
pub fn with_text(value: Val<'_, '_>, f: impl FnOnce(&str) -> bool) -> bool {
    if let Some(s) = text(value) {
        return f(s);
    }
    if value.is_null() {
        return false;
    }
    let mut buf = StackText::default();
    use std::fmt::Write as _;
    let fits = if let Some(b) = value.as_bool() {
        write!(buf, "{b}").is_ok()
    } else if let Some(n) = value.as_i64() {
        write!(buf, "{n}").is_ok()
    } else if let Some(n) = value.as_u64() {
        write!(buf, "{n}").is_ok()
    } else if let Some(n) = value.as_f64() {
        write!(buf, "{n}").is_ok()
    } else {
        false
    };
    if fits {
        return f(buf.as_str());
    }
    let mut json = Vec::new();
    if value.write(&mut json).is_err() {
        return false;
    }
    std::str::from_utf8(&json).is_ok_and(f)
}

struct StackText {
    bytes: [u8; 64],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        StackText {
            bytes: [0; 64],
            len: 0,
        }
    }
}

impl StackText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(std::fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Compilation from YAML

const MODIFIERS: &str =
    "contains, startswith, endswith, glob, re, i, m, s, cidr, exists, gt, gte, lt, lte, all, cased, fieldref";

/// The regexes built while compiling one rule set, by source text. A pattern
/// that several conditions share (the default pack repeats its markers
/// through YAML anchors) is built once: a clone shares the compiled program
/// and keeps its own match cache, so it matches exactly as a separate build.
#[derive(Default)]
pub struct Regexes(HashMap<String, Regex>);

impl Regexes {
    fn build(&mut self, source: &str, pos: Pos, diags: &mut Diags) -> Option<Regex> {
        if let Some(re) = self.0.get(source) {
            return Some(re.clone());
        }
        let re = build_regex(source, pos, diags)?;
        self.0.insert(source.to_owned(), re.clone());
        Some(re)
    }
}

/// Compile a `when:` node. Errors go to `diags`; the result is only meaningful
/// when no error was added.
pub fn compile(node: &Node, diags: &mut Diags) -> Condition {
    compile_with(node, diags, &mut Regexes::default())
}

/// [`compile`], sharing the regexes already built for other conditions.
pub fn compile_with(node: &Node, diags: &mut Diags, regexes: &mut Regexes) -> Condition {
    match &node.value {
        Value::Map(entries) => {
            let mut items: Vec<Condition> = entries
                .iter()
                .map(|(k, v)| compile_entry(k, v, diags, regexes))
                .collect();
            if items.len() == 1 {
                items.pop().unwrap_or(Condition::Const(true))
            } else {
                Condition::All(items)
            }
        }
        Value::Seq(items) => {
            if items.is_empty() {
                diags.error(
                    node.pos,
                    "an empty list of conditions never matches; remove it or add a condition",
                );
            }
            Condition::Any(
                items
                    .iter()
                    .map(|n| compile_with(n, diags, regexes))
                    .collect(),
            )
        }
        Value::Bool(b) => Condition::Const(*b),
        other => {
            diags.error(
                node.pos,
                format!(
                    "a condition must be a mapping of field tests or a list of them, not {}",
                    other.kind()
                ),
            );
            Condition::Const(false)
        }
    }
}

fn compile_entry(key: &Key, value: &Node, diags: &mut Diags, regexes: &mut Regexes) -> Condition {
    match key.name.as_str() {
        "all" | "any" => {
            let items: Vec<Condition> = match &value.value {
                Value::Seq(items) => items
                    .iter()
                    .map(|n| compile_with(n, diags, regexes))
                    .collect(),
                Value::Map(entries) => entries
                    .iter()
                    .map(|(k, v)| compile_entry(k, v, diags, regexes))
                    .collect(),
                other => {
                    diags.error(
                        value.pos,
                        format!(
                            "'{}' takes a list of conditions, not {}",
                            key.name,
                            other.kind()
                        ),
                    );
                    Vec::new()
                }
            };
            if key.name == "all" {
                Condition::All(items)
            } else {
                Condition::Any(items)
            }
        }
        "not" => Condition::Not(Box::new(compile_with(value, diags, regexes))),
        _ => match compile_field(key, value, diags, regexes) {
            Some(test) => Condition::Field(Box::new(test)),
            None => Condition::Const(false),
        },
    }
}

#[derive(Default)]
struct Mods {
    op: Option<&'static str>,
    all: bool,
    cased: bool,
    re_i: bool,
    re_m: bool,
    re_s: bool,
}

fn compile_field(
    key: &Key,
    value: &Node,
    diags: &mut Diags,
    regexes: &mut Regexes,
) -> Option<FieldTest> {
    let mut parts = key.name.split('|');
    let path_text = parts.next().unwrap_or_default().trim();
    let path = match Path::parse(path_text) {
        Ok(p) => p,
        Err(e) => {
            diags.error(key.pos, e);
            return None;
        }
    };
    let mut mods = Mods::default();
    for raw in parts {
        let m = raw.trim();
        let op = match m {
            "contains" => Some("contains"),
            "startswith" => Some("startswith"),
            "endswith" => Some("endswith"),
            "glob" => Some("glob"),
            "re" => Some("re"),
            "cidr" => Some("cidr"),
            "exists" => Some("exists"),
            "gt" => Some("gt"),
            "gte" => Some("gte"),
            "lt" => Some("lt"),
            "lte" => Some("lte"),
            "fieldref" => Some("fieldref"),
            "eq" => Some("eq"),
            "all" => {
                mods.all = true;
                None
            }
            "cased" => {
                mods.cased = true;
                None
            }
            "i" => {
                mods.re_i = true;
                None
            }
            "m" => {
                mods.re_m = true;
                None
            }
            "s" => {
                mods.re_s = true;
                None
            }
            _ => {
                diags.error(
                    key.pos,
                    format!(
                        "unknown modifier '{m}' in '{}' (known: {MODIFIERS})",
                        key.name
                    ),
                );
                return None;
            }
        };
        if let Some(op) = op {
            if let Some(prev) = mods.op {
                diags.error(
                    key.pos,
                    format!("'{}' combines '{prev}' and '{op}'; use one", key.name),
                );
                return None;
            }
            mods.op = Some(op);
        }
    }
    if (mods.re_i || mods.re_m || mods.re_s) && mods.op != Some("re") {
        diags.error(
            key.pos,
            format!("'{}': the i, m and s flags only apply to |re", key.name),
        );
        return None;
    }
    let spec: Box<str> = key.name.as_str().into();
    let op = mods.op.unwrap_or("eq");
    let matcher = match op {
        "exists" => match value.value {
            Value::Bool(b) => Matcher::Exists(b),
            _ => {
                diags.error(value.pos, format!("'{}' takes true or false", key.name));
                return None;
            }
        },
        "fieldref" => match &value.value {
            Value::Str(other) => match Path::parse(other) {
                Ok(other) => Matcher::FieldRef {
                    other,
                    cased: mods.cased,
                },
                Err(e) => {
                    diags.error(value.pos, e);
                    return None;
                }
            },
            other => {
                diags.error(
                    value.pos,
                    format!("'{}' takes a field path, not {}", key.name, other.kind()),
                );
                return None;
            }
        },
        _ => {
            let scalars: Vec<&Node> = match &value.value {
                Value::Seq(items) => items.iter().collect(),
                Value::Map(_) => {
                    diags.error(
                        value.pos,
                        format!(
                            "'{}' takes a value or a list of values, not a mapping (nest conditions under all/any/not)",
                            key.name
                        ),
                    );
                    return None;
                }
                _ => vec![value],
            };
            if scalars.is_empty() {
                diags.error(
                    value.pos,
                    format!("'{}' has an empty list of values", key.name),
                );
                return None;
            }
            let mut tests = Vec::with_capacity(scalars.len());
            if matches!(op, "contains" | "startswith" | "endswith" | "glob") && !mods.all {
                // One test for the whole list: literals are compared in a
                // loop, and anything else goes into one regex so the regex
                // engine searches all alternatives in a single pass.
                let mut literals = Vec::new();
                let mut alternatives = Vec::new();
                for node in &scalars {
                    match scalar_text(node) {
                        Some(text) if op != "glob" && text.is_ascii() => literals.push(
                            if mods.cased {
                                text
                            } else {
                                text.to_ascii_lowercase()
                            }
                            .into_boxed_str(),
                        ),
                        Some(text) => alternatives.push(pattern_for(op, &text)),
                        None => {
                            if matches!(node.value, Value::Null) {
                                tests.push(ValueTest::Null);
                            } else {
                                diags.error(
                                    node.pos,
                                    format!("'{}' takes text, not {}", key.name, node.value.kind()),
                                );
                                return None;
                            }
                        }
                    }
                }
                if let (false, Some(literal_op)) = (literals.is_empty(), LiteralOp::parse(op)) {
                    tests.push(ValueTest::Literal {
                        op: literal_op,
                        needles: literals,
                        cased: mods.cased,
                    });
                }
                if !alternatives.is_empty() {
                    let source = format!("{}(?:{})", case_flag(mods.cased), alternatives.join("|"));
                    tests.push(ValueTest::Pattern(
                        regexes.build(&source, value.pos, diags)?,
                    ));
                }
            } else {
                for node in &scalars {
                    tests.push(compile_value(op, &mods, node, &key.name, diags, regexes)?);
                }
            }
            Matcher::Values {
                tests,
                need_all: mods.all,
            }
        }
    };
    Some(FieldTest {
        spec,
        path,
        matcher,
    })
}

fn case_flag(cased: bool) -> &'static str {
    if cased {
        ""
    } else {
        "(?i)"
    }
}

fn pattern_for(op: &str, literal: &str) -> String {
    match op {
        "contains" => regex::escape(literal),
        "startswith" => format!("^{}", regex::escape(literal)),
        "endswith" => format!("{}$", regex::escape(literal)),
        _ => glob_to_regex(literal),
    }
}

/// `*` matches any run of characters, `?` one character, `\` escapes; the
/// whole value must match.
pub fn glob_to_regex(glob: &str) -> String {
    let mut out = String::from("^");
    let mut chars = glob.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push_str("(?s:.*)"),
            '?' => out.push_str("(?s:.)"),
            '\\' => match chars.next() {
                Some(next) => out.push_str(&regex::escape(&next.to_string())),
                None => out.push_str(r"\\"),
            },
            other => out.push_str(&regex::escape(&other.to_string())),
        }
    }
    out.push('$');
    out
}

fn build_regex(source: &str, pos: Pos, diags: &mut Diags) -> Option<Regex> {
    match regex::RegexBuilder::new(source)
        .size_limit(16 << 20)
        .build()
    {
        Ok(re) => Some(re),
        Err(e) => {
            let detail = e.to_string();
            let last = detail.lines().last().unwrap_or("invalid regex").trim();
            let last = last.strip_prefix("error: ").unwrap_or(last);
            diags.error(pos, format!("regex does not compile: {last}"));
            None
        }
    }
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

fn compile_value(
    op: &str,
    mods: &Mods,
    node: &Node,
    key: &str,
    diags: &mut Diags,
    regexes: &mut Regexes,
) -> Option<ValueTest> {
    if matches!(node.value, Value::Null) {
        if op == "eq" {
            return Some(ValueTest::Null);
        }
        diags.error(node.pos, format!("'{key}' cannot test against null"));
        return None;
    }
    if matches!(node.value, Value::Seq(_) | Value::Map(_)) {
        diags.error(
            node.pos,
            format!("'{key}' takes plain values, not {}", node.value.kind()),
        );
        return None;
    }
    match op {
        "eq" => Some(match &node.value {
            Value::Bool(b) => ValueTest::EqBool(*b),
            Value::Int(i) => ValueTest::EqNum(*i as f64),
            Value::Float(f) => ValueTest::EqNum(*f),
            Value::Str(s) => ValueTest::EqStr {
                needle: if mods.cased {
                    s.as_str().into()
                } else {
                    s.to_lowercase().into()
                },
                cased: mods.cased,
            },
            _ => return None,
        }),
        "contains" | "startswith" | "endswith" | "glob" => {
            let text = scalar_text(node)?;
            if let (true, Some(literal_op)) = (text.is_ascii(), LiteralOp::parse(op)) {
                let needle = if mods.cased {
                    text
                } else {
                    text.to_ascii_lowercase()
                };
                return Some(ValueTest::Literal {
                    op: literal_op,
                    needles: vec![needle.into_boxed_str()],
                    cased: mods.cased,
                });
            }
            let source = format!("{}(?:{})", case_flag(mods.cased), pattern_for(op, &text));
            Some(ValueTest::Pattern(regexes.build(&source, node.pos, diags)?))
        }
        "re" => {
            let Value::Str(pattern) = &node.value else {
                diags.error(
                    node.pos,
                    format!("'{key}' takes a regular expression as text"),
                );
                return None;
            };
            let mut flags = String::new();
            if mods.re_i {
                flags.push('i');
            }
            if mods.re_m {
                flags.push('m');
            }
            if mods.re_s {
                flags.push('s');
            }
            let source = if flags.is_empty() {
                pattern.clone()
            } else {
                format!("(?{flags}){pattern}")
            };
            Some(ValueTest::Pattern(regexes.build(&source, node.pos, diags)?))
        }
        "cidr" => {
            let text = scalar_text(node)?;
            match Net::parse(&text) {
                Ok(net) => Some(ValueTest::Cidr(net)),
                Err(e) => {
                    diags.error(node.pos, e);
                    None
                }
            }
        }
        "gt" | "gte" | "lt" | "lte" => {
            let n = match &node.value {
                Value::Int(i) => *i as f64,
                Value::Float(f) => *f,
                Value::Str(s) => match s.trim().parse::<f64>() {
                    Ok(n) => n,
                    Err(_) => {
                        diags.error(node.pos, format!("'{key}' takes a number, not '{s}'"));
                        return None;
                    }
                },
                other => {
                    diags.error(
                        node.pos,
                        format!("'{key}' takes a number, not {}", other.kind()),
                    );
                    return None;
                }
            };
            let cmp = match op {
                "gt" => CmpOp::Gt,
                "gte" => CmpOp::Gte,
                "lt" => CmpOp::Lt,
                _ => CmpOp::Lte,
            };
            Some(ValueTest::Cmp(cmp, n))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::diag::Diagnostic;

    fn compile_text(yaml: &str) -> Result<Condition, Vec<Diagnostic>> {
        let node: Node = crate::rules::yaml::from_str(yaml).unwrap();
        let mut out = Vec::new();
        let cond = compile(
            &node,
            &mut Diags {
                file: "t.yml".into(),
                out: &mut out,
            },
        );
        if out.is_empty() {
            Ok(cond)
        } else {
            Err(out)
        }
    }

    fn check(yaml: &str, json: &str) -> bool {
        let cond = compile_text(yaml).unwrap_or_else(|e| panic!("{yaml}: {}", e[0]));
        let mut bytes = json.as_bytes().to_vec();
        let tape = simd_json::to_tape(&mut bytes).unwrap();
        cond.eval(tape.as_value())
    }

    const REC: &str = r#"{"eventName":"AuthorizeSecurityGroupIngress","sourceIPAddress":"10.1.2.3",
        "userAgent":"aws-cli/2.0 Python/3","readOnly":false,"n":42,"s":"7",
        "userIdentity":{"type":"Root","arn":"arn:aws:iam::111:root","sessionContext":{"attributes":{"mfaAuthenticated":"true"}}},
        "requestParameters":{"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}},
            {"ipv6Ranges":{"items":[{"cidrIpv6":"::/0"}]}}]}},"errorCode":null,
        "a":"same","b":"SAME"}"#;

    #[test]
    fn equality_is_case_insensitive_by_default() {
        assert!(check("eventName: authorizesecuritygroupingress", REC));
        assert!(!check(
            "eventName|cased: authorizesecuritygroupingress",
            REC
        ));
        assert!(check("eventName|cased: AuthorizeSecurityGroupIngress", REC));
    }

    #[test]
    fn lists_mean_any_unless_all() {
        assert!(check(
            "eventName: [Foo, AuthorizeSecurityGroupIngress]",
            REC
        ));
        assert!(!check("eventName: [Foo, Bar]", REC));
        assert!(check("userAgent|contains|all: [aws-cli, python]", REC));
        assert!(!check("userAgent|contains|all: [aws-cli, terraform]", REC));
    }

    #[test]
    fn string_modifiers() {
        assert!(check("eventName|startswith: Authorize", REC));
        assert!(check("eventName|endswith: ingress", REC));
        assert!(check("eventName|contains: SecurityGroup", REC));
        assert!(check("eventName|glob: 'Authorize*Ingress'", REC));
        assert!(!check("eventName|glob: 'Authorize?Ingress'", REC));
        assert!(check("eventName|re: '^Authorize.*Ingress$'", REC));
        assert!(!check("eventName|re: '^authorize'", REC));
        assert!(check("eventName|re|i: '^authorize'", REC));
    }

    #[test]
    fn array_paths_match_any_element() {
        assert!(check(
            "requestParameters.ipPermissions.items.ipv6Ranges.items.cidrIpv6: '::/0'",
            REC
        ));
        assert!(!check(
            "requestParameters.ipPermissions.items.ipRanges.items.cidrIp: 0.0.0.0/0",
            REC
        ));
    }

    #[test]
    fn exists_and_null() {
        assert!(check("errorCode: null", REC));
        assert!(check("errorMessage: null", REC));
        assert!(check("errorCode|exists: true", REC));
        assert!(check("errorMessage|exists: false", REC));
        assert!(!check("eventName: null", REC));
    }

    #[test]
    fn cidr_numbers_and_booleans() {
        assert!(check("sourceIPAddress|cidr: 10.0.0.0/8", REC));
        assert!(!check(
            "sourceIPAddress|cidr: [192.168.0.0/16, 172.16.0.0/12]",
            REC
        ));
        assert!(check("n|gt: 41", REC));
        assert!(check("n|lte: 42", REC));
        assert!(!check("n|lt: 42", REC));
        assert!(check("s|gte: 7", REC));
        assert!(check("n: 42", REC));
        assert!(check("readOnly: false", REC));
        assert!(check(
            "userIdentity.sessionContext.attributes.mfaAuthenticated: true",
            REC
        ));
    }

    #[test]
    fn all_any_not_and_fieldref() {
        assert!(check(
            "all: [{eventName|startswith: Auth}, {userIdentity.type: Root}]",
            REC
        ));
        assert!(check(
            "any: [{eventName: x}, {userIdentity.type: root}]",
            REC
        ));
        assert!(check("not: {eventName: x}", REC));
        assert!(check("- {eventName: x}\n- {n: 42}\n", REC));
        assert!(check("a|fieldref: b", REC));
        assert!(!check("a|fieldref|cased: b", REC));
    }

    #[test]
    fn literal_tests_fold_ascii_case() {
        assert!(LiteralOp::Contains.test("aws-CLI/2.0", "cli/2", false));
        assert!(!LiteralOp::Contains.test("aws-CLI/2.0", "cli/2", true));
        assert!(LiteralOp::Contains.test("xxabcxxABCd", "abcd", false));
        assert!(!LiteralOp::Contains.test("ab", "abc", false));
        assert!(LiteralOp::StartsWith.test("AWSReservedSSO_Admin", "awsreservedsso_", false));
        assert!(LiteralOp::EndsWith.test("role/i-0abc", "I-0ABC", false));
        assert!(check("userAgent|contains: [terraform, 'AWS-CLI']", REC));
        assert!(check("eventName|startswith: [nope, autho]", REC));
    }

    #[test]
    fn contains_searches_serialised_objects() {
        assert!(check(
            "requestParameters|contains: '\"cidrIpv6\":\"::/0\"'",
            REC
        ));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let errs = compile_text("eventName|bogus: x").unwrap_err();
        assert!(
            errs[0].message.contains("unknown modifier 'bogus'"),
            "{}",
            errs[0]
        );
        assert_eq!((errs[0].pos.line, errs[0].pos.col), (1, 1));
        let errs = compile_text("a: 1\nb|re: '(unclosed'\n").unwrap_err();
        assert!(
            errs[0].message.contains("regex does not compile"),
            "{}",
            errs[0]
        );
        assert_eq!(errs[0].pos.line, 2);
        let errs = compile_text("a|cidr: 10.0.0.0/99").unwrap_err();
        assert!(errs[0].message.contains("prefix"));
        let errs = compile_text("a|contains|startswith: x").unwrap_err();
        assert!(errs[0].message.contains("combines"));
    }

    #[test]
    fn a_repeated_pattern_is_built_once_and_errors_stay_per_place() {
        let mut regexes = Regexes::default();
        let mut out = Vec::new();
        let mut diags = Diags {
            file: "t.yml".into(),
            out: &mut out,
        };
        let node: Node = crate::rules::yaml::from_str("userAgent|re: '^aws-cli/'").unwrap();
        let first = compile_with(&node, &mut diags, &mut regexes);
        let second = compile_with(&node, &mut diags, &mut regexes);
        assert_eq!(regexes.0.len(), 1);
        let mut bytes = REC.as_bytes().to_vec();
        let tape = simd_json::to_tape(&mut bytes).unwrap();
        assert!(first.eval(tape.as_value()) && second.eval(tape.as_value()));
        let bad: Node = crate::rules::yaml::from_str("a|re: '('\nb|re: '('\n").unwrap();
        compile_with(&bad, &mut diags, &mut regexes);
        let lines: Vec<u32> = out.iter().map(|d| d.pos.line).collect();
        assert_eq!(lines, [1, 2], "{out:?}");
    }

    #[test]
    fn pathological_regex_stays_linear() {
        let long = format!(r#"{{"ua":"{}"}}"#, "a".repeat(200_000));
        let start = std::time::Instant::now();
        assert!(!check("ua|re: '(a+)+$b'", &long));
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn nets() {
        let net = Net::parse("::/0").unwrap();
        assert!(net.contains("2001:db8::1".parse().unwrap()));
        let net = Net::parse("0.0.0.0/0").unwrap();
        assert!(net.contains("8.8.8.8".parse().unwrap()));
        assert!(Net::parse("10.0.0.1")
            .unwrap()
            .contains("10.0.0.1".parse().unwrap()));
        assert!(Net::parse("nonsense").is_err());
    }
}
