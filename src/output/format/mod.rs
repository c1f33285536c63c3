//! Output shapes for kept records: `--format raw`, `ocsf` and `ecs`.
//!
//! `raw` (the default) is the input record's own bytes with the verdict
//! spliced in ([`enrich::splice`]); it is dispatched from here unchanged. `ocsf`
//! and `ecs` build a new JSON object per record from the parsed tape, so they
//! cost more than `raw`; the mappings are documented in `docs/formats.md`.
//!
//! Guarantees for `ocsf` and `ecs`:
//! - each kept record becomes exactly one line holding one valid JSON object,
//!   whatever the input holds (strings are escaped, input values re-written
//!   from the tape);
//! - absent fields are omitted: a missing, null or empty CloudTrail field
//!   produces no key, and an object that would be empty is left out;
//! - duplicate keys resolve to the first occurrence, as everywhere in ctfilter;
//! - the verdict object is byte for byte the one raw mode adds;
//! - writing appends to the caller's buffer and allocates nothing else.

pub mod ecs;
pub mod ocsf;

use crate::engine::{Core, Verdict};
use crate::model::json;
use crate::model::record::{text, Val};
use crate::model::severity::Severity;
use crate::output::enrich;
use crate::rules::plan::{Format, Plan};
use simd_json::prelude::{TypedScalarValue as _, Writable as _};
use std::io::Write as _;

/// Everything a format needs about one kept record.
pub struct Kept<'a, 't, 'i> {
    pub plan: &'a Plan,
    pub root: Val<'t, 'i>,
    pub core: &'a Core<'t, 'i>,
    pub verdict: &'a Verdict,
    /// Indices of the matched rules, ascending.
    pub matched: &'a [u32],
    /// The verdict object exactly as raw mode writes it.
    pub verdict_json: &'a [u8],
    /// The record's own bytes, for `raw`.
    pub raw: &'a [u8],
    /// Whether the record object has members, for `raw`.
    pub has_members: bool,
    /// Ingest time, epoch seconds.
    pub now: f64,
}

/// `--format` text into a [`Format`].
pub fn parse(text: &str) -> Result<Format, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "raw" => Ok(Format::Raw),
        "ocsf" => Ok(Format::Ocsf),
        "ecs" => Ok(Format::Ecs),
        other => Err(format!(
            "--format: unknown format '{other}' (expected raw, ocsf or ecs)"
        )),
    }
}

/// Append one kept record, in `format`, and its newline.
pub fn write(out: &mut Vec<u8>, format: Format, kept: &Kept<'_, '_, '_>) {
    match format {
        Format::Raw => enrich::splice(
            out,
            kept.raw,
            kept.has_members,
            &kept.plan.key_json,
            kept.verdict_json,
        ),
        Format::Ocsf => ocsf::write(out, kept),
        Format::Ecs => ecs::write(out, kept),
    }
}

// ------------------------------------------------------------ record fields

/// The top-level CloudTrail members the formats read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    EventVersion,
    UserIdentity,
    EventTime,
    EventSource,
    EventName,
    AwsRegion,
    SourceIpAddress,
    UserAgent,
    ErrorCode,
    ErrorMessage,
    RequestParameters,
    ResponseElements,
    AdditionalEventData,
    RequestId,
    EventId,
    EventType,
    ApiVersion,
    ManagementEvent,
    ReadOnly,
    Resources,
    RecipientAccountId,
    SharedEventId,
    VpcEndpointId,
    EventCategory,
    TlsDetails,
    ServiceEventDetails,
    InsightDetails,
    SessionCredentialFromConsole,
}

const FIELDS: usize = Field::SessionCredentialFromConsole as usize + 1;

impl Field {
    pub(crate) fn of(key: &str) -> Option<Field> {
        Some(match key {
            "eventVersion" => Field::EventVersion,
            "userIdentity" => Field::UserIdentity,
            "eventTime" => Field::EventTime,
            "eventSource" => Field::EventSource,
            "eventName" => Field::EventName,
            "awsRegion" => Field::AwsRegion,
            "sourceIPAddress" => Field::SourceIpAddress,
            "userAgent" => Field::UserAgent,
            "errorCode" => Field::ErrorCode,
            "errorMessage" => Field::ErrorMessage,
            "requestParameters" => Field::RequestParameters,
            "responseElements" => Field::ResponseElements,
            "additionalEventData" => Field::AdditionalEventData,
            "requestID" => Field::RequestId,
            "eventID" => Field::EventId,
            "eventType" => Field::EventType,
            "apiVersion" => Field::ApiVersion,
            "managementEvent" => Field::ManagementEvent,
            "readOnly" => Field::ReadOnly,
            "resources" => Field::Resources,
            "recipientAccountId" => Field::RecipientAccountId,
            "sharedEventID" => Field::SharedEventId,
            "vpcEndpointId" => Field::VpcEndpointId,
            "eventCategory" => Field::EventCategory,
            "tlsDetails" => Field::TlsDetails,
            "serviceEventDetails" => Field::ServiceEventDetails,
            "insightDetails" => Field::InsightDetails,
            "sessionCredentialFromConsole" => Field::SessionCredentialFromConsole,
            _ => return None,
        })
    }
}

/// The record's top-level members, found in one pass; the first occurrence of
/// a key wins, and its position is kept so later duplicates can be skipped.
pub(crate) struct Fields<'t, 'i> {
    slots: [Option<(usize, Val<'t, 'i>)>; FIELDS],
}

impl<'t, 'i> Fields<'t, 'i> {
    pub(crate) fn collect(root: Val<'t, 'i>) -> Fields<'t, 'i> {
        let mut slots = [None; FIELDS];
        if let Some(object) = root.as_object() {
            for (index, (key, value)) in object.iter().enumerate() {
                if let Some(field) = Field::of(key) {
                    let slot = &mut slots[field as usize];
                    if slot.is_none() {
                        *slot = Some((index, value));
                    }
                }
            }
        }
        Fields { slots }
    }

    /// The value, unless absent or null.
    pub(crate) fn get(&self, field: Field) -> Option<Val<'t, 'i>> {
        self.slots[field as usize]
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    /// The value when it is a non-empty string.
    pub(crate) fn str(&self, field: Field) -> Option<&'i str> {
        self.get(field).and_then(text).filter(|s| !s.is_empty())
    }

    /// The value when it is an object.
    pub(crate) fn object(&self, field: Field) -> Option<Val<'t, 'i>> {
        self.get(field).filter(|v| v.as_object().is_some())
    }

    /// Whether member `index` of the record is the first occurrence of `field`.
    pub(crate) fn is_first(&self, field: Field, index: usize) -> bool {
        self.slots[field as usize].is_some_and(|(at, _)| at == index)
    }
}

/// Whether member `index` (named `key`) of `object` is the first with its name.
pub(crate) fn first_of_name(
    object: &simd_json::tape::Object<'_, '_>,
    index: usize,
    key: &str,
) -> bool {
    object.iter().take(index).all(|(k, _)| k != key)
}

/// A non-empty string member of an object value.
pub(crate) fn member<'i>(value: Option<Val<'_, 'i>>, key: &str) -> Option<&'i str> {
    value
        .and_then(|v| v.get(key))
        .and_then(text)
        .filter(|s| !s.is_empty())
}

/// Write the record's `resources` as member `name` of `parent`: one object
/// per entry, with each `(input member, output name)` of `members` copied in
/// that order. Entries with none of them are skipped, and the member is left
/// out when no entry remains.
pub(crate) fn write_resources(
    out: &mut Vec<u8>,
    parent: &mut Obj,
    fields: &Fields,
    members: &[(&str, &'static str); 3],
) {
    let Some(items) = fields.get(Field::Resources).and_then(|v| v.as_array()) else {
        return;
    };
    let saved = parent.save(out);
    parent.key(out, "resources");
    out.push(b'[');
    let mut count = 0;
    for item in items.iter() {
        let values = members.map(|(from, _)| member(Some(item), from));
        if values.iter().all(Option::is_none) {
            continue;
        }
        if count > 0 {
            out.push(b',');
        }
        count += 1;
        let mut resource = Obj::open(out);
        for ((_, name), value) in members.iter().zip(values) {
            resource.str(out, name, value);
        }
        resource.close(out);
    }
    if count == 0 {
        parent.restore(out, saved);
    } else {
        out.push(b']');
    }
}

// ------------------------------------------------------------ writing

/// An object being written. A nested object whose members were all absent is
/// removed again when it ends, so no `{}` is ever written for missing data.
pub(crate) struct Obj {
    mark: usize,
    parent_was_first: bool,
    first: bool,
}

impl Obj {
    /// Open an object that is not a member (the record, an array element).
    pub(crate) fn open(out: &mut Vec<u8>) -> Obj {
        out.push(b'{');
        Obj {
            mark: out.len() - 1,
            parent_was_first: true,
            first: true,
        }
    }

    /// Close an object opened with [`Obj::open`] (even if empty).
    pub(crate) fn close(self, out: &mut Vec<u8>) {
        out.push(b'}');
    }

    /// Open the top-level object.
    pub(crate) fn root(out: &mut Vec<u8>) -> Obj {
        Obj::open(out)
    }

    /// Close the top-level object and end the line.
    pub(crate) fn end_root(self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"}\n");
    }

    /// Where writing stands, to undo a member with [`Obj::restore`].
    pub(crate) fn save(&self, out: &[u8]) -> (usize, bool) {
        (out.len(), self.first)
    }

    /// Remove everything written since [`Obj::save`].
    pub(crate) fn restore(&mut self, out: &mut Vec<u8>, saved: (usize, bool)) {
        out.truncate(saved.0);
        self.first = saved.1;
    }

    /// Start member `name`, one of the formats' own names (the value follows).
    /// They need no escaping, so they are copied as they are.
    pub(crate) fn key(&mut self, out: &mut Vec<u8>, name: &'static str) {
        debug_assert!(!name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20));
        if !self.first {
            out.push(b',');
        }
        self.first = false;
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
    }

    /// Start member `name` taken from the input or the command line.
    pub(crate) fn key_escaped(&mut self, out: &mut Vec<u8>, name: &str) {
        json::key(out, &mut self.first, name);
    }

    /// Open a nested object member; finish it with [`Obj::end`].
    pub(crate) fn object(&mut self, out: &mut Vec<u8>, name: &'static str) -> Obj {
        let mark = out.len();
        let parent_was_first = self.first;
        self.key(out, name);
        out.push(b'{');
        Obj {
            mark,
            parent_was_first,
            first: true,
        }
    }

    /// Close a nested object, or remove it if it stayed empty.
    pub(crate) fn end(self, out: &mut Vec<u8>, parent: &mut Obj) {
        if self.first {
            out.truncate(self.mark);
            parent.first = self.parent_was_first;
        } else {
            out.push(b'}');
        }
    }

    pub(crate) fn str(&mut self, out: &mut Vec<u8>, name: &'static str, value: Option<&str>) {
        if let Some(value) = value {
            self.key(out, name);
            json::write_str(out, value);
        }
    }

    pub(crate) fn int(&mut self, out: &mut Vec<u8>, name: &'static str, value: Option<i64>) {
        if let Some(value) = value {
            self.key(out, name);
            let _ = write!(out, "{value}");
        }
    }

    pub(crate) fn bool(&mut self, out: &mut Vec<u8>, name: &'static str, value: Option<bool>) {
        if let Some(value) = value {
            self.key(out, name);
            json::write_bool(out, value);
        }
    }

    /// A time (epoch seconds) as an ISO 8601 UTC string; omitted when absent
    /// or outside years 0..=9999.
    pub(crate) fn time(&mut self, out: &mut Vec<u8>, name: &'static str, secs: Option<f64>) {
        if let Some(secs) = secs {
            let saved = self.save(out);
            self.key(out, name);
            if !write_iso_time(out, secs) {
                self.restore(out, saved);
            }
        }
    }

    /// An input value, re-serialised; null is omitted.
    pub(crate) fn value(&mut self, out: &mut Vec<u8>, name: &str, value: Option<Val<'_, '_>>) {
        if let Some(value) = value.filter(|v| !v.is_null()) {
            self.key_escaped(out, name);
            write_value(out, value);
        }
    }

    /// Bytes that already hold one JSON value.
    pub(crate) fn raw(&mut self, out: &mut Vec<u8>, name: &str, json: &[u8]) {
        self.key_escaped(out, name);
        out.extend_from_slice(json);
    }
}

/// Re-serialise an input value from the tape (compact JSON).
pub(crate) fn write_value(out: &mut Vec<u8>, value: Val<'_, '_>) {
    // Writing into a Vec cannot fail.
    let _ = value.write(out);
}

/// Write an input value as one JSON string holding its JSON text (a string
/// value is written as itself, not quoted twice).
pub(crate) fn write_json_text(out: &mut Vec<u8>, value: Val<'_, '_>) {
    if let Some(s) = text(value) {
        json::write_str(out, s);
        return;
    }
    out.push(b'"');
    let _ = value.write(&mut Escape(out));
    out.push(b'"');
}

/// Escapes JSON text (valid UTF-8, compact) into the inside of a JSON string.
struct Escape<'a>(&'a mut Vec<u8>);

impl std::io::Write for Escape<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut start = 0;
        for (i, &b) in buf.iter().enumerate() {
            if b == b'"' || b == b'\\' || b < 0x20 {
                self.0.extend_from_slice(&buf[start..i]);
                match b {
                    b'"' => self.0.extend_from_slice(b"\\\""),
                    b'\\' => self.0.extend_from_slice(b"\\\\"),
                    _ => {
                        let _ = write!(self.0, "\\u{b:04x}");
                    }
                }
                start = i + 1;
            }
        }
        self.0.extend_from_slice(&buf[start..]);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// ------------------------------------------------------------ shared mappings

/// What an API call does, from the verb that starts its name. The numbers are
/// OCSF API Activity `activity_id`s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    Create = 1,
    Read = 2,
    Update = 3,
    Delete = 4,
    Other = 99,
}

impl Activity {
    /// `CreateUser` -> Create, `ListBuckets` -> Read, `PutBucketPolicy` ->
    /// Update, `DetachUserPolicy` -> Delete, `AssumeRole` -> Other. `Batch`
    /// names are classified by their second verb (`BatchGetItem` -> Read).
    pub fn of(event_name: &str) -> Activity {
        let mut verb = enrich::action_of(event_name);
        if verb == "Batch" && event_name.len() > verb.len() {
            verb = enrich::action_of(&event_name[verb.len()..]);
        }
        match verb {
            "Create" | "Run" | "Generate" | "Allocate" | "Import" | "Issue" | "Launch" | "Copy"
            | "Clone" | "Provision" | "Upload" | "Request" | "Purchase" => Activity::Create,
            "Get" | "List" | "Describe" | "Head" | "Lookup" | "Search" | "Query" | "Scan"
            | "Select" | "Read" | "View" | "Download" | "Filter" | "Retrieve" | "Preview" => {
                Activity::Read
            }
            "Update" | "Put" | "Modify" | "Set" | "Attach" | "Add" | "Associate" | "Enable"
            | "Disable" | "Start" | "Stop" | "Tag" | "Reset" | "Change" | "Replace" | "Restore"
            | "Rotate" | "Register" | "Authorize" | "Apply" | "Edit" | "Reboot" | "Accept"
            | "Reject" | "Confirm" | "Cancel" | "Resume" | "Suspend" | "Activate"
            | "Deactivate" | "Upgrade" | "Move" | "Assign" | "Grant" | "Link" | "Subscribe"
            | "Share" | "Promote" | "Patch" | "Write" | "Rename" => Activity::Update,
            "Delete" | "Remove" | "Detach" | "Disassociate" | "Deregister" | "Terminate"
            | "Revoke" | "Untag" | "Purge" | "Destroy" | "Drop" | "Release" | "Retire"
            | "Unassign" | "Unlink" | "Unsubscribe" | "Unshare" | "Erase" | "Discard" => {
                Activity::Delete
            }
            _ => Activity::Other,
        }
    }

    pub fn id(self) -> i64 {
        self as i64
    }

    pub fn name(self) -> &'static str {
        match self {
            Activity::Create => "Create",
            Activity::Read => "Read",
            Activity::Update => "Update",
            Activity::Delete => "Delete",
            Activity::Other => "Other",
        }
    }
}

/// OCSF `severity_id` (and ECS `event.severity`): info 1 .. critical 5.
pub fn severity_id(severity: Severity) -> i64 {
    severity as i64 + 1
}

/// OCSF severity caption for [`severity_id`].
pub fn severity_caption(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "Informational",
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

/// Whether `address` is an IPv4 or IPv6 address (not a host name such as
/// `cloudformation.amazonaws.com` or `AWS Internal`).
pub fn is_ip(address: &str) -> bool {
    address.parse::<std::net::IpAddr>().is_ok()
}

/// Milliseconds since the epoch for a CloudTrail time stamp.
pub fn epoch_ms(stamp: &str) -> Option<i64> {
    enrich::parse_time(stamp).and_then(secs_to_ms)
}

fn secs_to_ms(secs: f64) -> Option<i64> {
    let ms = (secs * 1000.0).round();
    (ms.is_finite() && ms.abs() < 9.0e15).then_some(ms as i64)
}

/// Write `secs` (epoch seconds) as a quoted `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn write_iso_time(out: &mut Vec<u8>, secs: f64) -> bool {
    let Some(ms) = secs_to_ms(secs) else {
        return false;
    };
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return false;
    }
    let _ = write!(
        out,
        "\"{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z\"",
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000
    );
    true
}

/// (year, month, day) for days since 1970-01-01, proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_map_to_ocsf_activities() {
        for (name, activity) in [
            ("CreateUser", Activity::Create),
            ("RunInstances", Activity::Create),
            ("CreateFunction20150331", Activity::Create),
            ("GetObject", Activity::Read),
            ("ListBuckets", Activity::Read),
            ("DescribeInstances", Activity::Read),
            ("HeadObject", Activity::Read),
            ("LookupEvents", Activity::Read),
            ("BatchGetItem", Activity::Read),
            ("UpdateFunctionCode20150331v2", Activity::Update),
            ("PutBucketPolicy", Activity::Update),
            ("ModifyInstanceAttribute", Activity::Update),
            ("SetDefaultPolicyVersion", Activity::Update),
            ("AttachUserPolicy", Activity::Update),
            ("AddUserToGroup", Activity::Update),
            ("StopLogging", Activity::Update),
            ("AuthorizeSecurityGroupIngress", Activity::Update),
            ("DeleteTrail", Activity::Delete),
            ("RemoveUserFromGroup", Activity::Delete),
            ("DetachRolePolicy", Activity::Delete),
            ("TerminateInstances", Activity::Delete),
            ("BatchDeleteImage", Activity::Delete),
            ("AssumeRole", Activity::Other),
            ("ConsoleLogin", Activity::Other),
            ("Decrypt", Activity::Other),
            ("Batch", Activity::Other),
            ("", Activity::Other),
            ("getObject", Activity::Other),
        ] {
            assert_eq!(Activity::of(name), activity, "{name}");
        }
        assert_eq!(Activity::Delete.id(), 4);
        assert_eq!(Activity::Other.id(), 99);
        assert_eq!(Activity::Update.name(), "Update");
    }

    #[test]
    fn severities_are_numbered_from_one() {
        assert_eq!(severity_id(Severity::Info), 1);
        assert_eq!(severity_id(Severity::Critical), 5);
        assert_eq!(severity_caption(Severity::Info), "Informational");
        assert_eq!(severity_caption(Severity::Medium), "Medium");
    }

    #[test]
    fn addresses_and_host_names() {
        assert!(is_ip("203.0.113.10"));
        assert!(is_ip("2001:db8::10"));
        assert!(!is_ip("cloudformation.amazonaws.com"));
        assert!(!is_ip("AWS Internal"));
        assert!(!is_ip(""));
    }

    #[test]
    fn times_in_milliseconds_and_iso() {
        assert_eq!(epoch_ms("2026-01-15T10:00:00Z"), Some(1_768_471_200_000));
        assert_eq!(
            epoch_ms("2026-01-15T10:00:00.250Z"),
            Some(1_768_471_200_250)
        );
        assert_eq!(epoch_ms("1969-12-31T23:59:59Z"), Some(-1000));
        assert_eq!(epoch_ms("soon"), None);
        let mut out = Vec::new();
        assert!(write_iso_time(&mut out, 1_768_471_200.25));
        assert_eq!(out, b"\"2026-01-15T10:00:00.250Z\"");
        out.clear();
        assert!(write_iso_time(&mut out, 1_709_164_800.0));
        assert_eq!(out, b"\"2024-02-29T00:00:00.000Z\"");
        out.clear();
        assert!(write_iso_time(&mut out, -1.0));
        assert_eq!(out, b"\"1969-12-31T23:59:59.000Z\"");
        out.clear();
        assert!(!write_iso_time(&mut out, f64::NAN));
        assert!(out.is_empty());
    }

    #[test]
    fn civil_dates_round_trip() {
        for days in [-719_468, -1, 0, 59, 10_956, 11_016, 20_468, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            let stamp = format!("{y:04}-{m:02}-{d:02}T00:00:00Z");
            assert_eq!(
                enrich::parse_time(&stamp),
                Some(days as f64 * 86_400.0),
                "{stamp}"
            );
        }
    }

    fn with_tape<R>(json: &str, f: impl FnOnce(Val<'_, '_>) -> R) -> R {
        let mut bytes = json.as_bytes().to_vec();
        let tape = simd_json::to_tape(&mut bytes).unwrap();
        f(tape.as_value())
    }

    #[test]
    fn json_text_is_one_escaped_string() {
        let (a, s) = with_tape(
            r#"{"a":{"k":"v \"q\" \\ \n","n":[1,2.5,null]},"s":"plain"}"#,
            |root| {
                let (mut a, mut s) = (Vec::new(), Vec::new());
                write_json_text(&mut a, root.get("a").unwrap());
                write_json_text(&mut s, root.get("s").unwrap());
                (String::from_utf8(a).unwrap(), String::from_utf8(s).unwrap())
            },
        );
        let inner: String = serde_json::from_str(&a).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&inner).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({"k": "v \"q\" \\ \n", "n": [1, 2.5, null]})
        );
        assert_eq!(s, "\"plain\"");
    }

    #[test]
    fn empty_nested_objects_are_removed() {
        let mut out = Vec::new();
        let mut root = Obj::root(&mut out);
        root.str(&mut out, "a", Some("x"));
        let mut empty = root.object(&mut out, "empty");
        empty.str(&mut out, "gone", None);
        let mut inner = empty.object(&mut out, "deeper");
        inner.int(&mut out, "n", None);
        inner.end(&mut out, &mut empty);
        empty.end(&mut out, &mut root);
        let mut full = root.object(&mut out, "full");
        full.bool(&mut out, "b", Some(true));
        full.end(&mut out, &mut root);
        root.end_root(&mut out);
        assert_eq!(out, b"{\"a\":\"x\",\"full\":{\"b\":true}}\n");

        let mut out = Vec::new();
        let mut root = Obj::root(&mut out);
        let empty = root.object(&mut out, "first");
        empty.end(&mut out, &mut root);
        root.int(&mut out, "n", Some(-3));
        root.end_root(&mut out);
        assert_eq!(out, b"{\"n\":-3}\n");
    }

    #[test]
    fn fields_keep_the_first_occurrence() {
        with_tape(
            r#"{"eventName":"First","eventName":"Second","awsRegion":null,"errorCode":""}"#,
            |root| {
                let fields = Fields::collect(root);
                assert_eq!(fields.str(Field::EventName), Some("First"));
                assert!(fields.is_first(Field::EventName, 0));
                assert!(!fields.is_first(Field::EventName, 1));
                assert!(fields.get(Field::AwsRegion).is_none());
                assert!(fields.str(Field::ErrorCode).is_none());
                assert!(fields.get(Field::ErrorCode).is_some());
            },
        );
    }

    #[test]
    fn formats_parse() {
        assert_eq!(parse("raw"), Ok(Format::Raw));
        assert_eq!(parse("OCSF"), Ok(Format::Ocsf));
        assert_eq!(parse(" ecs "), Ok(Format::Ecs));
        assert!(parse("cef").is_err());
    }
}
