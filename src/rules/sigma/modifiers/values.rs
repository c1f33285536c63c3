//! The values of one Sigma item into value tests: equality, byte-level
//! contains/startswith/endswith, one regex for a list of wildcards, numbers,
//! CIDR, `null`, `|re`.
//!
//! Guarantees: each value gets the cheapest test with the same meaning as
//! Sigma gives it.

use super::*;

pub(super) fn value_tests(
    key: &Key,
    mods: &Mods,
    values: &[&Node],
) -> Result<Vec<ValueTest>, Problem> {
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
                let text = node.value.scalar_text().ok_or_else(|| {
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
                    _ => match node.value.scalar_text() {
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
                                needles: vec![Needle::new(needle)],
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
            needles: needles.into_iter().map(Needle::new).collect(),
            cased: mods.cased,
        });
    }
    if !patterns.is_empty() {
        tests.push(pattern(&patterns, mods.cased, first_pattern_pos)?);
    }
    Ok(tests)
}

/// contains/startswith/endswith put a `*` on the open side(s).
pub(super) fn wrap(op: Op, mut parts: Vec<Part>) -> Vec<Part> {
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
pub(super) fn fold(text: &str, cased: bool) -> String {
    if cased {
        text.to_string()
    } else {
        text.to_lowercase()
    }
}

pub(super) fn pattern(
    alternatives: &[String],
    cased: bool,
    pos: Pos,
) -> Result<ValueTest, Problem> {
    let flag = if cased { "" } else { "(?i)" };
    let source = format!("{flag}(?:{})", alternatives.join("|"));
    build_regex(&source)
        .map(ValueTest::Pattern)
        .map_err(|e| Problem::invalid(pos, format!("wildcard value does not compile: {e}")))
}

pub(super) fn regex_test(key: &Key, mods: &Mods, node: &Node) -> Result<ValueTest, Problem> {
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

pub(super) fn build_regex(source: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(source)
        .size_limit(16 << 20)
        .build()
        .map_err(|e| {
            let detail = e.to_string();
            let last = detail.lines().last().unwrap_or("invalid regex").trim();
            last.strip_prefix("error: ").unwrap_or(last).to_string()
        })
}
