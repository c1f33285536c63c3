//! Unit tests of `load`: one Sigma file into one plan rule.

use super::*;

fn compile(text: &str) -> Result<Rule, Failure> {
    compile_file(&Arc::from("rules/t.yml"), text)
}

const RULE: &str = r#"
title: Trail stopped
id: 0b0f2b6a-1111-4c1e-9a57-000000000001
status: test
description: Someone stopped or deleted a trail.
author: Jane Doe, John Roe
date: 2024-01-01
tags:
    - attack.defense-evasion
    - attack.t1562.008
    - attack.t1562.008
    - attack.t1078
    - detection.threat-hunting
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventSource: cloudtrail.amazonaws.com
        eventName:
            - StopLogging
            - DeleteTrail
    filter:
        userAgent|startswith: 'terraform'
    condition: selection and not filter
level: high
"#;

#[test]
fn metadata_maps_onto_the_rule() {
    let rule = compile(RULE).unwrap();
    assert_eq!(&*rule.id, "0b0f2b6a-1111-4c1e-9a57-000000000001");
    assert_eq!(&*rule.title, "Trail stopped");
    assert_eq!(rule.severity, Severity::High);
    assert_eq!(&*rule.category, "sigma");
    assert_eq!(
        rule.attack,
        vec!["T1562.008".into(), "T1078".into()] as Vec<Box<str>>
    );
    assert_eq!(
        rule.tags,
        vec![
            "attack.defense-evasion".into(),
            "detection.threat-hunting".into()
        ] as Vec<Box<str>>
    );
    assert_eq!(rule.author.as_deref(), Some("Jane Doe, John Roe"));
    assert_eq!(
        rule.rationale.as_deref(),
        Some("Someone stopped or deleted a trail.")
    );
    let events: Vec<String> = rule.events.iter().map(ToString::to_string).collect();
    assert_eq!(
        events,
        [
            "cloudtrail.amazonaws.com:StopLogging",
            "cloudtrail.amazonaws.com:DeleteTrail"
        ]
    );
    assert_eq!(&*rule.origin.file, "rules/t.yml");
}

#[test]
fn levels_and_defaults() {
    for (level, want) in [
        ("informational", Severity::Info),
        ("low", Severity::Low),
        ("medium", Severity::Medium),
        ("high", Severity::High),
        ("critical", Severity::Critical),
    ] {
        let text = RULE.replace("level: high", &format!("level: {level}"));
        assert_eq!(compile(&text).unwrap().severity, want);
    }
    let bare = "logsource: {product: aws, service: cloudtrail}\ndetection: {sel: {eventName: X}, condition: sel}\n";
    let rule = compile(bare).unwrap();
    assert_eq!(&*rule.id, "t");
    assert_eq!(&*rule.title, "t");
    assert_eq!(rule.severity, Severity::Medium);
    assert!(rule.author.is_none());
    assert!(rule.events.is_empty());
    match compile(&RULE.replace("level: high", "level: severe")) {
        Err(Failure::Invalid { pos, message }) => {
            assert!(message.contains("severe"), "{message}");
            assert_eq!(pos.line, 26);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn attack_ids() {
    assert_eq!(attack_id("attack.t1078").as_deref(), Some("T1078"));
    assert_eq!(attack_id("attack.t1078.004").as_deref(), Some("T1078.004"));
    assert_eq!(attack_id("attack.T1078").as_deref(), Some("T1078"));
    assert_eq!(attack_id("attack.persistence"), None);
    assert_eq!(attack_id("attack.g0016"), None);
    assert_eq!(attack_id("attack.t10"), None);
    assert_eq!(attack_id("cve.2021-44228"), None);
}

fn skipped(text: &str) -> String {
    match compile(text) {
        Err(Failure::Skipped { reason, line, .. }) => format!("{reason} (line {line})"),
        other => panic!("expected a skip, got {other:?}"),
    }
}

fn invalid(text: &str) -> (Pos, String) {
    match compile(text) {
        Err(Failure::Invalid { pos, message }) => (pos, message),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn other_logsources_are_skipped() {
    let windows = RULE.replace(
        "product: aws\n    service: cloudtrail",
        "product: windows\n    category: process_creation",
    );
    let reason = skipped(&windows);
    assert!(
        reason.contains("product: windows, service: (none)"),
        "{reason}"
    );
    let reason = skipped("title: x\nfoo: bar\n");
    assert!(reason.contains("not a Sigma detection rule"), "{reason}");
    // Case does not matter.
    assert!(compile(&RULE.replace("product: aws", "product: AWS")).is_ok());
}

#[test]
fn unsupported_features_are_skipped_with_the_feature_named() {
    let with = |old: &str, new: &str| {
        assert!(RULE.contains(old), "{old}");
        skipped(&RULE.replace(old, new))
    };
    let r = with("userAgent|startswith", "userAgent|base64offset|contains");
    assert!(
        r.contains("modifier 'base64offset'") && r.contains("line 24"),
        "{r}"
    );
    let r = with("userAgent|startswith", "userAgent|windash");
    assert!(r.contains("modifier 'windash'"), "{r}");
    let r = with("userAgent|startswith", "userAgent|expand");
    assert!(r.contains("modifier 'expand'"), "{r}");
    let r = with(
        "condition: selection and not filter",
        "condition: selection | count() by userName > 3",
    );
    assert!(r.contains("aggregation"), "{r}");
    let r = with(
        "condition: selection and not filter",
        "condition: selection near filter",
    );
    assert!(r.contains("near"), "{r}");
    let r = with(
        "condition: selection and not filter",
        "timeframe: 5m\n    condition: selection",
    );
    assert!(r.contains("timeframe"), "{r}");
    let r = with(
        "    filter:\n        userAgent|startswith: 'terraform'\n",
        "    keywords:\n        - evil\n",
    );
    assert!(r.contains("keyword search"), "{r}");
    let r = skipped("title: c\ncorrelation:\n  type: event_count\n  rules: [x]\n");
    assert!(r.contains("correlation"), "{r}");
    let r = skipped(&format!("{RULE}---\ntitle: second\n"));
    assert!(r.contains("multi-document"), "{r}");
}

#[test]
fn malformed_rules_are_errors_with_positions() {
    let (pos, m) = invalid(&RULE.replace(
        "condition: selection and not filter",
        "condition: selection and not fliter",
    ));
    assert!(m.contains("'fliter'"), "{m}");
    assert_eq!(pos.line, 25);
    let (_, m) = invalid(&RULE.replace(
        "condition: selection and not filter",
        "condition: (selection",
    ));
    assert!(m.contains("not closed"), "{m}");
    let (_, m) = invalid(&RULE.replace("    condition: selection and not filter\n", ""));
    assert!(m.contains("no condition"), "{m}");
    let (pos, m) = invalid(&RULE.replace(
        "userAgent|startswith: 'terraform'",
        "userAgent|exists: sometimes",
    ));
    assert!(m.contains("true or false"), "{m}");
    assert_eq!(pos.line, 24);
    let (pos, _) = invalid("title: [unclosed\n");
    assert!(pos.line >= 1);
    let (_, m) = invalid(&RULE.replace(
        "id: 0b0f2b6a-1111-4c1e-9a57-000000000001",
        "id: 'has space'",
    ));
    assert!(m.contains("has space"), "{m}");
}

/// Compile a detection block (indented under `detection:`) and evaluate
/// it on a JSON record.
fn eval(detection: &str, json: &str) -> bool {
    let text = format!("logsource: {{product: aws, service: cloudtrail}}\ndetection:\n{detection}");
    let rule = compile(&text).unwrap_or_else(|e| panic!("{detection}: {e:?}"));
    let mut bytes = json.as_bytes().to_vec();
    let tape = simd_json::to_tape(&mut bytes).unwrap();
    rule.condition.unwrap().eval(tape.as_value())
}

#[test]
fn conditions_evaluate_with_sigma_precedence() {
    let sels = "  a: {x: 1}\n  b: {y: 1}\n  c: {z: 1}\n";
    let with = |cond: &str, json: &str| eval(&format!("{sels}  condition: {cond}\n"), json);
    // a or (b and c)
    assert!(with("a or b and c", r#"{"x":1}"#));
    assert!(!with("a or b and c", r#"{"y":1}"#));
    assert!(with("a or b and c", r#"{"y":1,"z":1}"#));
    // (a or b) and c
    assert!(!with("(a or b) and c", r#"{"x":1}"#));
    assert!(with("(a or b) and c", r#"{"x":1,"z":1}"#));
    // (not a) and b
    assert!(with("not a and b", r#"{"y":1}"#));
    assert!(!with("not a and b", r#"{"x":1,"y":1}"#));
    assert!(with("not (a and b)", r#"{"x":1}"#));
    assert!(!with("not (a and b)", r#"{"x":1,"y":1}"#));
}

#[test]
fn quantifiers_evaluate() {
    let sels = "  sel_a: {x: 1}\n  sel_b: {y: 1}\n  filter_1: {f: 1}\n  filter_2: {g: 1}\n  _aux: {h: 1}\n";
    let with = |cond: &str, json: &str| eval(&format!("{sels}  condition: {cond}\n"), json);
    assert!(with("1 of sel_*", r#"{"y":1}"#));
    assert!(!with("all of sel_*", r#"{"y":1}"#));
    assert!(with("all of sel_*", r#"{"x":1,"y":1}"#));
    assert!(with("1 of sel_* and not 1 of filter_*", r#"{"x":1}"#));
    assert!(!with(
        "1 of sel_* and not 1 of filter_*",
        r#"{"x":1,"g":1}"#
    ));
    assert!(with("not all of filter_*", r#"{"f":1}"#));
    assert!(!with("not all of filter_*", r#"{"f":1,"g":1}"#));
    // `them` leaves out `_aux`.
    assert!(with("all of them", r#"{"x":1,"y":1,"f":1,"g":1}"#));
    assert!(with("1 of them", r#"{"g":1}"#));
    assert!(!with("1 of them", r#"{"h":1}"#));
    assert!(with("any of them", r#"{"x":1}"#));
}

#[test]
fn multiple_conditions_are_any() {
    let text = RULE.replace(
        "condition: selection and not filter",
        "condition:\n        - selection\n        - filter",
    );
    let rule = compile(&text).unwrap();
    assert!(matches!(rule.condition, Some(Condition::Any(_))));
    // `filter` names no event pair, so nothing is derived.
    assert!(rule.events.is_empty());
}
