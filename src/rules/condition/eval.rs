//! Evaluating a compiled condition against one record on a tape.
//!
//! Guarantees: evaluation never allocates for string, number and boolean
//! fields (numbers are formatted into a stack buffer), and a path that reaches
//! several values matches when any of them does.

use super::fold::{eq_fold, eq_ignore_case};
use super::*;

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

pub(super) fn join(name: &str, items: &[Condition]) -> String {
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
        if let Matcher::Exists(want) = self.matcher {
            return self.path.exists_in(rec) == want;
        }
        // Most paths reach one scalar or nothing: test it directly, and keep
        // the visitor walk for paths through arrays.
        match (&self.matcher, self.path.reach_in(rec)) {
            (Matcher::Values { tests, need_all }, Reach::Nothing) => {
                // Only a null test holds for a missing field.
                let null = |t: &ValueTest| matches!(t, ValueTest::Null);
                return if *need_all {
                    tests.iter().all(null)
                } else {
                    tests.iter().any(null)
                };
            }
            (Matcher::Values { tests, need_all }, Reach::One(value)) => {
                // A string (most values) is read once for every listed test.
                let string = text(value);
                if let (Some(first), Some(s)) = (&self.first_bytes, string) {
                    if !first.admits(s) {
                        return false;
                    }
                }
                let test = |t: &ValueTest| match string {
                    Some(s) => t.matches_text(s).unwrap_or_else(|| t.matches(value)),
                    None => t.matches(value),
                };
                return if *need_all {
                    tests.iter().all(test)
                } else {
                    tests.iter().any(test)
                };
            }
            (Matcher::FieldRef { .. }, Reach::Nothing) => return false,
            (Matcher::FieldRef { other, cased }, Reach::One(value)) => {
                return other
                    .first_in(rec)
                    .is_some_and(|target| values_equal(value, target, *cased));
            }
            _ => {}
        }
        self.eval_walking(rec)
    }

    /// [`eval_in`](Self::eval_in) by visiting every value the path reaches.
    pub(super) fn eval_walking(&self, rec: Rec<'_, '_, '_>) -> bool {
        match &self.matcher {
            Matcher::Exists(want) => self.path.exists_in(rec) == *want,
            Matcher::Values { tests, need_all } => {
                if *need_all {
                    tests.iter().all(|t| self.test_one(rec, t))
                } else if tests.len() > 1 && !tests.iter().any(|t| matches!(t, ValueTest::Null)) {
                    // One walk for the whole list: "any value matches any test"
                    // is the same as "any test matches any value", and it
                    // resolves the path once instead of once per listed value.
                    self.path
                        .any_in(rec, &mut |v| tests.iter().any(|t| t.matches(v)))
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

    /// [`matches`](Self::matches) for a string value, when the test reads
    /// only its text; `None` for the tests that need the value itself.
    #[inline]
    fn matches_text(&self, s: &str) -> Option<bool> {
        Some(match self {
            ValueTest::Null => false,
            ValueTest::EqStr { needle, cased } => {
                if *cased {
                    s == &**needle
                } else {
                    eq_fold(s, needle)
                }
            }
            ValueTest::Literal { op, needles, cased } => {
                needles.iter().any(|n| op.test_needle(s, n, *cased))
            }
            ValueTest::Pattern(re) => re.is_match(s),
            _ => return None,
        })
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
            ValueTest::Literal { op, needles, cased } => with_text(value, |s| {
                needles.iter().any(|n| op.test_needle(s, n, *cased))
            }),
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
pub(super) fn number_of(value: Val<'_, '_>) -> Option<f64> {
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

pub(super) fn values_equal(a: Val<'_, '_>, b: Val<'_, '_>, cased: bool) -> bool {
    match (text(a), text(b)) {
        (Some(x), Some(y)) => {
            if cased {
                x == y
            } else {
                eq_ignore_case(x, y)
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
    with_json(value, f)
}

/// An object or array as compact JSON text: rare, and allocating, so kept
/// out of line.
#[cold]
#[inline(never)]
fn with_json(value: Val<'_, '_>, f: impl FnOnce(&str) -> bool) -> bool {
    let mut json = Vec::new();
    if value.write(&mut json).is_err() {
        return false;
    }
    std::str::from_utf8(&json).is_ok_and(f)
}

pub(super) struct StackText {
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
