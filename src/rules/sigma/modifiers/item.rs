//! One Sigma selection (a mapping or a list of mappings) and one detection
//! item into a condition.
//!
//! Guarantees: a mapping is the AND of its items, a list the OR of its
//! mappings, and keyword (bare value) searches are unsupported, not guessed.

use super::*;

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

pub(super) fn keywords(pos: Pos) -> Problem {
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
        Condition::Field(Box::new(FieldTest::new(
            spec.clone(),
            path.clone(),
            matcher,
        )))
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
