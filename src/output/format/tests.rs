//! Unit tests of the parent module.

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
    use crate::model::calendar::civil_from_days;
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
