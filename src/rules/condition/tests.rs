//! Unit tests of the parent module.

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

#[test]
fn the_direct_reach_agrees_with_the_walk() {
    let records = [
        REC,
        r#"{"userIdentity":[{"type":"Root"},{"type":"IAMUser"}],"x":null}"#,
        r#"{"a":[1,2],"b":{"c":[{"d":"x"}]},"n":null,"eventName":null}"#,
        r#"{"a":"SAME","b":{"c":{"d":["x","y"]}},"x":{"y":1}}"#,
        r#"[{"eventName":"A"}]"#,
        r#""text""#,
    ];
    let conditions = [
        "eventName: AuthorizeSecurityGroupIngress",
        "eventName: null",
        "eventName: [null, a]",
        "eventName|exists: true",
        "eventName|exists: false",
        "userIdentity.type: root",
        "userIdentity.type|all: [root, iamuser]",
        "userIdentity.sessionContext.attributes.mfaAuthenticated: true",
        "a: 1",
        "a|all: [1, 2]",
        "a|contains|all: [sa, me]",
        "b.c.d: x",
        "b.c.d|exists: true",
        "b.c.0.d: x",
        "n: null",
        "x|exists: true",
        "x.y|exists: false",
        "missing.deeper: null",
        "a|fieldref: b",
        "eventName|fieldref: a",
        "userIdentity.type|fieldref: a",
        "a|fieldref: missing",
        "missing|fieldref: a",
        "b.c.d|fieldref: a",
    ];
    for json in records {
        let mut bytes = json.as_bytes().to_vec();
        let tape = simd_json::to_tape(&mut bytes).unwrap();
        let rec = Rec::bare(tape.as_value());
        for yaml in conditions {
            let condition = compile_text(yaml).unwrap();
            condition.for_each_field(&mut |test| {
                assert_eq!(
                    test.eval_in(rec),
                    test.eval_walking(rec),
                    "{yaml} on {json}"
                );
            });
        }
    }
}

#[test]
fn equality_lists_reject_on_the_first_byte_only_what_cannot_fold() {
    let list = "k: [kelvin, İstanbul, Root, iamuser]";
    for (value, expected) in [
        ("KELVIN", true),
        ("\u{212A}elvin", true),
        ("\u{130}STANBUL", true),
        ("root", true),
        ("IAMUser", true),
        ("AssumedRole", false),
        ("", false),
        ("\u{131}stanbul", false),
    ] {
        let json = format!(r#"{{"k":"{value}"}}"#);
        assert_eq!(check(list, &json), expected, "{value:?}");
    }
    // Numbers are compared by their text, past the first-byte set.
    assert!(check("n: ['42', x]", r#"{"n":42}"#));
}
