//! Read-only access to one parsed record on a simd-json tape.
//!
//! A [`Path`] is compiled once from `a.b.c` text; looking it up walks the tape
//! without allocating. When a step meets an array, the rest of the path is
//! applied to every element ("any element" semantics, as in Sigma and ECS), and
//! a numeric step indexes the array instead. Duplicate keys resolve to the
//! first occurrence everywhere in ctfilter (first-wins).

use simd_json::prelude::{TypedValue as _, ValueIntoString as _};

pub type Val<'t, 'i> = simd_json::tape::Value<'t, 'i>;

/// A compiled dotted field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    text: Box<str>,
    steps: Box<[Step]>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Step {
    key: Box<str>,
    index: Option<usize>,
}

impl Path {
    /// Parse `a.b[].c`, `a.b.0.c` or `a.b[0].c`. `[]` is accepted for clarity:
    /// arrays are always searched element by element.
    pub fn parse(text: &str) -> Result<Path, String> {
        if text.is_empty() {
            return Err("empty field path".into());
        }
        let mut steps = Vec::new();
        for raw in text.split('.') {
            let mut part = raw;
            let mut explicit_index = None;
            if let Some(open) = part.find('[') {
                let inner = part[open..]
                    .strip_prefix('[')
                    .and_then(|s| s.strip_suffix(']'))
                    .ok_or_else(|| format!("bad array step '{raw}' in field path '{text}'"))?;
                if !inner.is_empty() {
                    explicit_index = Some(inner.parse::<usize>().map_err(|_| {
                        format!("array index '{inner}' in field path '{text}' is not a number")
                    })?);
                }
                part = &part[..open];
            }
            if part.is_empty() && explicit_index.is_none() && !raw.contains('[') {
                return Err(format!("empty step in field path '{text}'"));
            }
            if !part.is_empty() {
                steps.push(Step {
                    index: part.parse::<usize>().ok(),
                    key: part.into(),
                });
            }
            if let Some(idx) = explicit_index {
                steps.push(Step {
                    key: idx.to_string().into(),
                    index: Some(idx),
                });
            }
        }
        Ok(Path {
            text: text.into(),
            steps: steps.into_boxed_slice(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Call `visit` for every value the path reaches, until it returns `true`.
    /// Returns whether any call returned `true`. Arrays at the end of the path
    /// are expanded too, so `tags: x` matches `"tags": ["x", "y"]`.
    pub fn any<'t, 'i>(
        &self,
        root: Val<'t, 'i>,
        visit: &mut dyn FnMut(Val<'t, 'i>) -> bool,
    ) -> bool {
        walk(root, &self.steps, visit)
    }

    /// The first value the path reaches, without expanding a final array.
    pub fn first<'t, 'i>(&self, root: Val<'t, 'i>) -> Option<Val<'t, 'i>> {
        let mut found = None;
        walk_raw(root, &self.steps, &mut |v| {
            found = Some(v);
            true
        });
        found
    }

    /// Whether the path reaches any value at all (a JSON null counts as present).
    pub fn exists(&self, root: Val<'_, '_>) -> bool {
        walk_raw(root, &self.steps, &mut |_| true)
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

fn walk<'t, 'i>(
    value: Val<'t, 'i>,
    steps: &[Step],
    visit: &mut dyn FnMut(Val<'t, 'i>) -> bool,
) -> bool {
    walk_raw(value, steps, &mut |leaf| match leaf.as_array() {
        Some(items) => items.iter().any(&mut *visit),
        None => visit(leaf),
    })
}

fn walk_raw<'t, 'i>(
    value: Val<'t, 'i>,
    steps: &[Step],
    visit: &mut dyn FnMut(Val<'t, 'i>) -> bool,
) -> bool {
    let Some((step, rest)) = steps.split_first() else {
        return visit(value);
    };
    if let Some(object) = value.as_object() {
        return match object.get(&*step.key) {
            Some(child) => walk_raw(child, rest, visit),
            None => false,
        };
    }
    if let Some(items) = value.as_array() {
        if let Some(idx) = step.index {
            return match items.get(idx) {
                Some(child) => walk_raw(child, rest, visit),
                None => false,
            };
        }
        return items.iter().any(|item| walk_raw(item, steps, visit));
    }
    false
}

/// A borrowed view of a top-level string field, `None` when absent or null.
pub fn str_field<'i>(object: &simd_json::tape::Object<'_, 'i>, key: &str) -> Option<&'i str> {
    object.get(key).and_then(text)
}

/// The string a value holds, borrowed for as long as the input lives.
#[inline]
pub fn text<'i>(value: Val<'_, 'i>) -> Option<&'i str> {
    value.into_string()
}

/// The JSON kind of a value, for error messages.
pub fn kind_name(value: Val<'_, '_>) -> &'static str {
    use simd_json::ValueType;
    match value.value_type() {
        ValueType::String => "a string",
        ValueType::Object => "an object",
        ValueType::Array => "an array",
        ValueType::Null => "null",
        ValueType::Bool => "a boolean",
        _ => "a number",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_tape<R>(json: &str, f: impl FnOnce(Val<'_, '_>) -> R) -> R {
        let mut bytes = json.as_bytes().to_vec();
        let tape = simd_json::to_tape(&mut bytes).unwrap();
        f(tape.as_value())
    }

    fn strings(json: &str, path: &str) -> Vec<String> {
        let path = Path::parse(path).unwrap();
        with_tape(json, |root| {
            let mut seen = Vec::new();
            path.any(root, &mut |v| {
                seen.push(text(v).unwrap_or("<non-string>").to_string());
                false
            });
            seen
        })
    }

    #[test]
    fn walks_objects_and_any_array_element() {
        let json = r#"{"a":{"items":[{"c":"x"},{"c":"y"},{"d":1}]},"tags":["p","q"]}"#;
        assert_eq!(strings(json, "a.items.c"), ["x", "y"]);
        assert_eq!(strings(json, "a.items[].c"), ["x", "y"]);
        assert_eq!(strings(json, "a.items.1.c"), ["y"]);
        assert_eq!(strings(json, "a.items[0].c"), ["x"]);
        assert_eq!(strings(json, "tags"), ["p", "q"]);
        assert!(strings(json, "a.missing").is_empty());
        assert!(strings(json, "tags.x").is_empty());
    }

    #[test]
    fn duplicate_keys_resolve_to_the_first() {
        assert_eq!(strings(r#"{"k":"first","k":"second"}"#, "k"), ["first"]);
    }

    #[test]
    fn exists_counts_null_as_present() {
        let path = Path::parse("a").unwrap();
        assert!(with_tape(r#"{"a":null}"#, |root| path.exists(root)));
        assert!(!with_tape(r#"{"b":1}"#, |root| path.exists(root)));
    }

    #[test]
    fn rejects_malformed_paths() {
        assert!(Path::parse("").is_err());
        assert!(Path::parse("a..b").is_err());
        assert!(Path::parse("a[x]").is_err());
    }
}
