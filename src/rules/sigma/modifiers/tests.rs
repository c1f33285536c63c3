//! Unit tests of the parent module.

use super::*;

fn node(yaml: &str) -> Node {
    crate::rules::yaml::from_str(yaml).unwrap()
}

fn compile(yaml: &str) -> Result<Condition, Problem> {
    selection(&node(yaml))
}

fn check(yaml: &str, json: &str) -> bool {
    let cond = compile(yaml).unwrap_or_else(|e| panic!("{yaml}: {e:?}"));
    let mut bytes = json.as_bytes().to_vec();
    let tape = simd_json::to_tape(&mut bytes).unwrap();
    cond.eval(tape.as_value())
}

fn unsupported(yaml: &str) -> String {
    match compile(yaml) {
        Err(Problem::Unsupported { what, .. }) => what,
        other => panic!("{yaml}: expected unsupported, got {other:?}"),
    }
}

fn invalid(yaml: &str) -> String {
    match compile(yaml) {
        Err(Problem::Invalid { message, .. }) => message,
        other => panic!("{yaml}: expected invalid, got {other:?}"),
    }
}

const REC: &str = r#"{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey",
        "userAgent":"S3 Browser 9.5.5 https://s3browser.com","n":42,"flag":true,"star":"a*b",
        "path":"C:\\Windows\\System32","errorCode":null,"sourceIPAddress":"10.1.2.3",
        "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","userName":"alice"},
        "requestParameters":{"userName":"alice","layers":["arn:aws:lambda:us-east-1:111122223333:layer:x:1"]},
        "responseElements":{"accessKey":{"userName":"bob"}},"unicode":"ÉCOLE"}"#;

#[test]
fn wildcards_parse_with_escapes() {
    use Part::*;
    let lit = |s: &str| Lit(s.into());
    assert_eq!(
        parse_wildcards("a*b?c"),
        [lit("a"), Star, lit("b"), One, lit("c")]
    );
    assert_eq!(parse_wildcards(r"a\*b\?c\\d"), [lit(r"a*b?c\d")]);
    assert_eq!(parse_wildcards(r"C:\Windows\*"), [lit(r"C:\Windows*")]);
    assert_eq!(parse_wildcards(r"C:\Windows\x"), [lit(r"C:\Windows\x")]);
    assert_eq!(parse_wildcards("**a***"), [Star, lit("a"), Star]);
    assert_eq!(parse_wildcards(""), []);
}

#[test]
fn plain_values_are_whole_value_and_case_insensitive() {
    assert!(check("eventName: createaccesskey", REC));
    assert!(check("eventName: CREATEACCESSKEY", REC));
    assert!(!check("eventName: CreateAccess", REC));
    assert!(check("unicode: école", REC));
    assert!(!check("eventName|cased: createaccesskey", REC));
    assert!(check("eventName|cased: CreateAccessKey", REC));
}

#[test]
fn wildcards_in_plain_values() {
    assert!(check("eventName: 'Create*'", REC));
    assert!(check("eventName: '*Key'", REC));
    assert!(check("eventName: '*access*'", REC));
    assert!(check("eventName: 'Create?ccessKey'", REC));
    assert!(!check("eventName: 'Create?Key'", REC));
    assert!(check("unicode: 'é*'", REC));
    assert!(!check("eventName|cased: 'create*'", REC));
    // Escaped wildcards are literal characters.
    assert!(check(r"star: 'a\*b'", REC));
    assert!(!check(r"star: 'a\*c'", REC));
    assert!(check("star: 'a*b'", REC));
    assert!(!check(r"eventName: 'Create\*'", REC));
    // A backslash before anything else is a plain backslash.
    assert!(check(r"path: 'C:\Windows\System32'", REC));
    assert!(check(r"path|endswith: '\System32'", REC));
}

#[test]
fn contains_startswith_endswith() {
    assert!(check("userAgent|contains: 's3 browser'", REC));
    assert!(check("userAgent|startswith: 'S3 BROWSER'", REC));
    assert!(check("userAgent|endswith: '.COM'", REC));
    assert!(!check("userAgent|endswith: 'browser'", REC));
    assert!(check("userAgent|contains: 'Browser*s3browser'", REC));
    assert!(check("eventName|startswith: 'Create?ccess'", REC));
    assert!(!check("userAgent|contains|cased: 's3 browser'", REC));
    assert!(check("n|contains: 4", REC));
    assert!(check("flag|startswith: tr", REC));
    assert!(check("unicode|contains: 'col'", REC));
    assert!(check("unicode|contains: 'éco'", REC));
}

#[test]
fn contains_star_means_any_non_null_value() {
    assert!(check("userAgent|contains: '*'", REC));
    assert!(check("requestParameters.layers|contains: '*'", REC));
    assert!(check("requestParameters|contains: '*'", REC));
    assert!(!check("errorCode|contains: '*'", REC));
    assert!(!check("errorMessage|contains: '*'", REC));
}

#[test]
fn lists_are_any_unless_all() {
    assert!(check("eventName: [CreateUser, CreateAccessKey]", REC));
    assert!(!check("eventName: [CreateUser, DeleteUser]", REC));
    assert!(check(
        "userAgent|contains: [terraform, 'S3 Browser', 'x*y']",
        REC
    ));
    assert!(check(
        "userAgent|contains|all: ['S3 Browser', 's3browser.com']",
        REC
    ));
    assert!(!check(
        "userAgent|contains|all: ['S3 Browser', terraform]",
        REC
    ));
    assert!(check("eventName: ['Delete*', 'Create*']", REC));
    assert!(check("eventName|all: ['Create*', '*Key']", REC));
    assert!(!check("eventName|all: ['Create*', '*User']", REC));
}

#[test]
fn null_numbers_and_booleans() {
    assert!(check("errorCode: null", REC));
    assert!(check("errorMessage: null", REC));
    assert!(!check("eventName: null", REC));
    assert!(check("errorCode: [Success, null]", REC));
    assert!(check("n: 42", REC));
    assert!(!check("n: 41", REC));
    assert!(check("flag: true", REC));
    assert!(check("flag: 'true'", REC));
    assert!(!check("flag: false", REC));
}

#[test]
fn a_map_is_and_a_list_of_maps_is_or() {
    assert!(check(
        "{eventName: CreateAccessKey, userIdentity.type: IAMUser}",
        REC
    ));
    assert!(!check(
        "{eventName: CreateAccessKey, userIdentity.type: Root}",
        REC
    ));
    assert!(check("[{eventName: x}, {userIdentity.type: iamuser}]", REC));
    assert!(!check("[{eventName: x}, {userIdentity.type: root}]", REC));
}

#[test]
fn regex_is_case_sensitive_unless_i() {
    assert!(check("userIdentity.arn|re: ':user/ali'", REC));
    assert!(!check("userIdentity.arn|re: ':USER/'", REC));
    assert!(check("userIdentity.arn|re|i: ':USER/'", REC));
    assert!(check("eventName|re: '^Create.+Key$'", REC));
    assert!(!check("userAgent|re: 'Browser.s3'", REC));
    assert!(check("userAgent|re|s: 'Browser.*s3'", REC));
    assert!(check("userAgent|re|m: '^S3'", REC));
}

#[test]
fn cidr_exists_fieldref_and_comparisons() {
    assert!(check("sourceIPAddress|cidr: 10.0.0.0/8", REC));
    assert!(!check(
        "sourceIPAddress|cidr: [192.168.0.0/16, 172.16.0.0/12]",
        REC
    ));
    assert!(check("userAgent|exists: true", REC));
    assert!(check("errorMessage|exists: false", REC));
    assert!(check(
        "userIdentity.userName|fieldref: requestParameters.userName",
        REC
    ));
    assert!(!check(
        "userIdentity.userName|fieldref: responseElements.accessKey.userName",
        REC
    ));
    assert!(check("n|gt: 41", REC));
    assert!(check("n|gte: 42", REC));
    assert!(check("n|lt: 43", REC));
    assert!(!check("n|lte: 41", REC));
}

#[test]
fn unsupported_modifiers_name_the_feature() {
    for m in [
        "base64",
        "base64offset",
        "windash",
        "utf16le",
        "wide",
        "expand",
    ] {
        let what = unsupported(&format!("CommandLine|{m}|contains: x"));
        assert!(what.contains(&format!("modifier '{m}'")), "{what}");
    }
    assert!(unsupported("a|bogus: x").contains("unknown modifier 'bogus'"));
    assert!(unsupported("a|contains|re: x").contains("combines"));
    assert!(unsupported("a|i: x").contains("only go with re"));
    assert!(unsupported("a|re: '(?<=x)y'").contains("does not compile"));
    assert!(unsupported("[evil, worse]").contains("keyword search"));
    assert!(unsupported("'|contains': evil").contains("keyword search"));
}

#[test]
fn malformed_values_are_invalid() {
    assert!(invalid("a|exists: maybe").contains("true or false"));
    assert!(invalid("a|cidr: 10.0.0.0/99").contains("prefix"));
    assert!(invalid("a|gt: lots").contains("number"));
    assert!(invalid("a|contains: null").contains("null"));
    assert!(invalid("a: []").contains("empty list"));
    assert!(invalid("a: [[x]]").contains("plain values"));
    assert!(invalid("{}").contains("empty selection"));
}
