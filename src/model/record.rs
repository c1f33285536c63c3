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
    /// The slot of the first step when it is a standard top-level field.
    top: Option<usize>,
    /// The slot of the second step when the path is `userIdentity.<member>`
    /// with a member that has an [`identity_slot`].
    identity: Option<usize>,
}

/// The standard top-level fields of a CloudTrail record. `Core::extract`
/// records where each one is in a [`Top`] table during its single walk over
/// the record, so paths that start with one of them skip the linear search
/// of the record's members.
pub const TOP_FIELDS: [&str; 32] = [
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "readOnly",
    "resources",
    "eventType",
    "apiVersion",
    "managementEvent",
    "recipientAccountId",
    "serviceEventDetails",
    "sharedEventID",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "eventCategory",
    "addendum",
    "sessionCredentialFromConsole",
    "edgeDeviceDetails",
    "tlsDetails",
    "insightDetails",
    "eventContext",
];

/// The slot of a standard top-level field (a `match`, so the compiler turns
/// it into a length switch and a few comparisons; checked against
/// `TOP_FIELDS` by a test).
#[inline]
pub fn top_slot(key: &str) -> Option<usize> {
    match key {
        "eventVersion" => Some(0),
        "userIdentity" => Some(1),
        "eventTime" => Some(2),
        "eventSource" => Some(3),
        "eventName" => Some(4),
        "awsRegion" => Some(5),
        "sourceIPAddress" => Some(6),
        "userAgent" => Some(7),
        "errorCode" => Some(8),
        "errorMessage" => Some(9),
        "requestParameters" => Some(10),
        "responseElements" => Some(11),
        "additionalEventData" => Some(12),
        "requestID" => Some(13),
        "eventID" => Some(14),
        "readOnly" => Some(15),
        "resources" => Some(16),
        "eventType" => Some(17),
        "apiVersion" => Some(18),
        "managementEvent" => Some(19),
        "recipientAccountId" => Some(20),
        "serviceEventDetails" => Some(21),
        "sharedEventID" => Some(22),
        "vpcEndpointId" => Some(23),
        "vpcEndpointAccountId" => Some(24),
        "eventCategory" => Some(25),
        "addendum" => Some(26),
        "sessionCredentialFromConsole" => Some(27),
        "edgeDeviceDetails" => Some(28),
        "tlsDetails" => Some(29),
        "insightDetails" => Some(30),
        "eventContext" => Some(31),
        _ => None,
    }
}

/// The slot of one of the members of `userIdentity` that rules read most
/// (the caller's type, ARN, account, key and session). `Core::extract` notes
/// where each one is in the [`Top`] table too, so `userIdentity.arn` is one
/// table read, not a search of the object's members for every rule that
/// tests it.
#[inline]
pub fn identity_slot(key: &str) -> Option<usize> {
    match key {
        "type" => Some(0),
        "principalId" => Some(1),
        "arn" => Some(2),
        "accountId" => Some(3),
        "accessKeyId" => Some(4),
        "userName" => Some(5),
        "sessionContext" => Some(6),
        "invokedBy" => Some(7),
        _ => None,
    }
}

/// The slot of `userIdentity` in [`TOP_FIELDS`].
const IDENTITY_TOP_SLOT: usize = 1;

/// Where the standard top-level fields, and the members of `userIdentity`
/// that have an [`identity_slot`], are in one record (first occurrence).
#[derive(Clone, Copy, Default)]
pub struct Top<'t, 'i> {
    slots: [Option<Val<'t, 'i>>; 32],
    identity: [Option<Val<'t, 'i>>; 8],
}

impl<'t, 'i> Top<'t, 'i> {
    /// Record `value` for `slot` unless an earlier duplicate key was seen.
    #[inline]
    pub fn fill(&mut self, slot: usize, value: Val<'t, 'i>) -> bool {
        let cell = &mut self.slots[slot];
        if cell.is_some() {
            return false;
        }
        *cell = Some(value);
        true
    }

    #[inline]
    pub fn get(&self, slot: usize) -> Option<Val<'t, 'i>> {
        self.slots[slot]
    }

    /// Note the members of the record's `userIdentity` object (call once,
    /// after the top level is filled; first occurrence wins).
    pub fn fill_identity(&mut self) {
        let Some(object) = self.slots[IDENTITY_TOP_SLOT].and_then(|v| v.as_object()) else {
            return;
        };
        for (key, value) in object.iter() {
            if let Some(slot) = identity_slot(key) {
                let cell = &mut self.identity[slot];
                if cell.is_none() {
                    *cell = Some(value);
                }
            }
        }
    }
}

/// A record to evaluate against: its root, and its top-level table when known.
#[derive(Clone, Copy)]
pub struct Rec<'a, 't, 'i> {
    pub root: Val<'t, 'i>,
    pub top: Option<&'a Top<'t, 'i>>,
}

impl<'t, 'i> Rec<'_, 't, 'i> {
    /// A record without a top-level table: every path starts at the root.
    pub fn bare(root: Val<'t, 'i>) -> Self {
        Rec { root, top: None }
    }
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
        let top = steps
            .first()
            .filter(|s| s.index.is_none())
            .and_then(|s| top_slot(&s.key));
        let identity = match (top, steps.get(1)) {
            (Some(IDENTITY_TOP_SLOT), Some(step)) if step.index.is_none() => {
                identity_slot(&step.key)
            }
            _ => None,
        };
        Ok(Path {
            text: text.into(),
            steps: steps.into_boxed_slice(),
            top,
            identity,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The top-level key the path reads first; `None` when the path has no
    /// step and so reaches the whole record.
    pub fn first_key(&self) -> Option<&str> {
        self.steps.first().map(|s| &*s.key)
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

    /// The start of the walk: the record's top-level table when the first
    /// step is a standard field, else the root. `None`: the field is absent.
    #[inline(always)]
    fn start<'t, 'i>(&self, rec: Rec<'_, 't, 'i>) -> Option<(Val<'t, 'i>, &[Step])> {
        match (self.top, rec.top) {
            (Some(slot), Some(top)) if rec.root.as_object().is_some() => {
                let value = top.get(slot)?;
                match self.identity {
                    // `fill_identity` saw this object: a member it did not
                    // note is absent.
                    Some(member) if value.as_object().is_some() => {
                        top.identity[member].map(|v| (v, &self.steps[2..]))
                    }
                    _ => Some((value, &self.steps[1..])),
                }
            }
            _ => Some((rec.root, &self.steps[..])),
        }
    }

    /// [`any`](Self::any) using the record's top-level table.
    pub fn any_in<'t, 'i>(
        &self,
        rec: Rec<'_, 't, 'i>,
        visit: &mut dyn FnMut(Val<'t, 'i>) -> bool,
    ) -> bool {
        match self.start(rec) {
            Some((value, steps)) => walk(value, steps, visit),
            None => false,
        }
    }

    /// [`first`](Self::first) using the record's top-level table.
    pub fn first_in<'t, 'i>(&self, rec: Rec<'_, 't, 'i>) -> Option<Val<'t, 'i>> {
        match self.reach_in(rec) {
            Reach::Nothing => return None,
            Reach::One(value) => return Some(value),
            Reach::Several => {}
        }
        let (value, steps) = self.start(rec)?;
        let mut found = None;
        walk_raw(value, steps, &mut |v| {
            found = Some(v);
            true
        });
        found
    }

    /// [`exists`](Self::exists) using the record's top-level table.
    pub fn exists_in(&self, rec: Rec<'_, '_, '_>) -> bool {
        match self.reach_in(rec) {
            Reach::Nothing => return false,
            Reach::One(_) => return true,
            Reach::Several => {}
        }
        match self.start(rec) {
            Some((value, steps)) => walk_raw(value, steps, &mut |_| true),
            None => false,
        }
    }
}

/// What a path reaches in one record when that is at most one value, the
/// common case, which [`Path::reach_in`] finds without the visitor walk.
#[derive(Clone, Copy)]
pub enum Reach<'t, 'i> {
    Nothing,
    /// One value that is not an array.
    One(Val<'t, 'i>),
    /// The path crosses or ends at an array: use [`Path::any_in`].
    Several,
}

impl Path {
    /// The value the path reaches, if it reaches one that is not an array;
    /// [`Reach::Several`] whenever an array is met, so the caller's visitor
    /// walk keeps the "any element" semantics.
    #[inline(always)]
    pub fn reach_in<'t, 'i>(&self, rec: Rec<'_, 't, 'i>) -> Reach<'t, 'i> {
        let Some((mut value, steps)) = self.start(rec) else {
            return Reach::Nothing;
        };
        for step in steps {
            if let Some(object) = value.as_object() {
                match object.get(&*step.key) {
                    Some(child) => value = child,
                    None => return Reach::Nothing,
                }
            } else if value.as_array().is_some() {
                return Reach::Several;
            } else {
                return Reach::Nothing;
            }
        }
        if value.as_array().is_some() {
            Reach::Several
        } else {
            Reach::One(value)
        }
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
    fn top_slots_match_the_field_list() {
        for (i, field) in TOP_FIELDS.iter().enumerate() {
            assert_eq!(top_slot(field), Some(i), "{field}");
        }
        assert_eq!(top_slot("eventname"), None);
    }

    /// The table `Core::extract` builds for a record.
    fn filled<'t, 'i>(root: Val<'t, 'i>) -> Top<'t, 'i> {
        let mut top = Top::default();
        for (key, value) in root.as_object().unwrap().iter() {
            if let Some(slot) = top_slot(key) {
                top.fill(slot, value);
            }
        }
        top.fill_identity();
        top
    }

    /// Run `f` on `json` as `Core::extract` would present it.
    fn with_rec<R>(json: &str, f: impl FnOnce(Rec<'_, '_, '_>) -> R) -> R {
        let mut bytes = json.as_bytes().to_vec();
        let tape = simd_json::to_tape(&mut bytes).unwrap();
        let root = tape.as_value();
        let top = filled(root);
        f(Rec {
            root,
            top: Some(&top),
        })
    }

    #[test]
    fn paths_through_the_top_table_agree_with_the_root() {
        let json = r#"{"eventName":"A","eventName":"B","userIdentity":{"type":"Root","arn":"a1","type":"IAMUser","sessionContext":{"sessionIssuer":{"arn":"s"}},"arn":"a2"},"x":{"y":1}}"#;
        with_rec(json, |rec| {
            let root = rec.root;
            for path in [
                "eventName",
                "userIdentity.type",
                "x.y",
                "missing",
                "eventSource",
                "userIdentity.nope",
                "userIdentity.arn",
                "userIdentity.accountId",
                "userIdentity.sessionContext.sessionIssuer.arn",
                "userIdentity.sessionContext.nope",
                "userIdentity.0",
            ] {
                let path = Path::parse(path).unwrap();
                assert_eq!(path.exists_in(rec), path.exists(root), "{path}");
                let a = path.first_in(rec).map(|v| format!("{v:?}"));
                let b = path.first(root).map(|v| format!("{v:?}"));
                assert_eq!(a, b, "{path}");
            }
            assert_eq!(
                Path::parse("eventName")
                    .unwrap()
                    .first_in(rec)
                    .and_then(text),
                Some("A")
            );
            let first = |path: &str| Path::parse(path).unwrap().first_in(rec).and_then(text);
            assert_eq!(first("userIdentity.type"), Some("Root"));
            assert_eq!(first("userIdentity.arn"), Some("a1"));
            assert_eq!(
                first("userIdentity.sessionContext.sessionIssuer.arn"),
                Some("s")
            );
        });
    }

    #[test]
    fn identity_members_of_a_non_object_walk_as_before() {
        let json = r#"{"userIdentity":[{"type":"Root"},{"type":"IAMUser"}]}"#;
        with_rec(json, |rec| {
            let path = Path::parse("userIdentity.type").unwrap();
            let mut seen = Vec::new();
            path.any_in(rec, &mut |v| {
                seen.push(text(v).unwrap_or_default().to_string());
                false
            });
            assert_eq!(seen, ["Root", "IAMUser"]);
            assert_eq!(path.first_in(rec).and_then(text), Some("Root"));
            let whole = Path::parse("userIdentity").unwrap().first_in(rec);
            assert!(whole.is_some_and(|v| v.as_array().is_some()));
        });
    }

    #[test]
    fn rejects_malformed_paths() {
        assert!(Path::parse("").is_err());
        assert!(Path::parse("a..b").is_err());
        assert!(Path::parse("a[x]").is_err());
    }
}
