//! Compiling a condition from its YAML node: keys, modifiers and values.
//!
//! Guarantees: every problem is reported with the position of the key or
//! value at fault and compilation goes on; a regex used by several conditions
//! of one rule set is built once ([`Regexes`]).

use super::*;

pub(super) const MODIFIERS: &str =
    "contains, startswith, endswith, glob, re, i, m, s, cidr, exists, gt, gte, lt, lte, all, cased, fieldref";

/// The regexes built while compiling one rule set, by source text. A pattern
/// that several conditions share (the default pack repeats its markers
/// through YAML anchors) is built once: a clone shares the compiled program
/// and keeps its own match cache, so it matches exactly as a separate build.
#[derive(Default)]
pub struct Regexes(pub(super) HashMap<String, Regex>);

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

pub(super) fn compile_entry(
    key: &Key,
    value: &Node,
    diags: &mut Diags,
    regexes: &mut Regexes,
) -> Condition {
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
pub(super) struct Mods {
    op: Option<&'static str>,
    all: bool,
    cased: bool,
    re_i: bool,
    re_m: bool,
    re_s: bool,
}

pub(super) fn compile_field(
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
                    match node.value.scalar_text() {
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
                        needles: literals.into_iter().map(Needle::new).collect(),
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
    Some(FieldTest::new(spec, path, matcher))
}

pub(super) fn case_flag(cased: bool) -> &'static str {
    if cased {
        ""
    } else {
        "(?i)"
    }
}

pub(super) fn pattern_for(op: &str, literal: &str) -> String {
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

pub(super) fn build_regex(source: &str, pos: Pos, diags: &mut Diags) -> Option<Regex> {
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

pub(super) fn compile_value(
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
            let text = node.value.scalar_text()?;
            if let (true, Some(literal_op)) = (text.is_ascii(), LiteralOp::parse(op)) {
                let needle = if mods.cased {
                    text
                } else {
                    text.to_ascii_lowercase()
                };
                return Some(ValueTest::Literal {
                    op: literal_op,
                    needles: vec![Needle::new(needle.into_boxed_str())],
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
            let text = node.value.scalar_text()?;
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
