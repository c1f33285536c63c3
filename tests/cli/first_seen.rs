//! First-seen rules (issue 13): the YAML spelling, its errors, and that
//! without `--state` such a rule is inactive and the output is today's.

use crate::util::{ctfilter, TempDir};

const RULE: &str = "rules:
  - id: fs1
    title: New API for a principal
    severity: medium
    category: discovery
    events: [secretsmanager:ListSecrets]
    first_seen: {by: [userIdentity.arn, eventName], within: 10d}
";

const RECORD: &str = r#"{"eventVersion":"1.08","eventSource":"secretsmanager.amazonaws.com","eventName":"ListSecrets","eventTime":"2026-01-15T10:00:00Z","awsRegion":"us-east-1","recipientAccountId":"111122223333","eventID":"e1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/a"}}"#;

#[test]
fn check_says_a_first_seen_rule_is_inactive_without_state() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("fs.yml");
    std::fs::write(&file, RULE).unwrap();
    let out = ctfilter(&["check", "--no-default-rules", &file]).run();
    out.assert_code(0);
    assert!(
        out.stdout.contains(
            "rule 'fs1' is a first-seen rule (by userIdentity.arn,eventName): inactive without --state"
        ),
        "{}",
        out.stdout
    );
}

#[test]
fn without_state_a_first_seen_rule_never_matches() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("fs.yml");
    std::fs::write(&file, RULE).unwrap();
    let input = format!("{RECORD}\n{RECORD}\n");
    let out = ctfilter(&["--no-default-rules", "-r", &file])
        .stdin(input)
        .run();
    out.assert_code(0);
    assert_eq!(out.stdout, "", "an inactive rule keeps nothing");
}

#[test]
fn bad_first_seen_blocks_are_reported_with_positions() {
    let tmp = TempDir::new("first-seen");
    let file = tmp.file("bad.yml");
    let bad = RULE.replace(
        "{by: [userIdentity.arn, eventName], within: 10d}",
        "{by: [eventName, eventName, 'a..b'], within: 10x}",
    );
    std::fs::write(&file, bad).unwrap();
    let out = ctfilter(&["check", "--no-default-rules", &file]).run();
    out.assert_code(2);
    for want in [
        "field 'eventName' is listed twice in 'by'",
        "empty step in field path 'a..b'",
        "'10x' is not a duration",
    ] {
        assert!(
            out.stdout.contains(want),
            "missing {want:?} in {}",
            out.stdout
        );
    }
    let empty = RULE.replace("[userIdentity.arn, eventName]", "[]");
    std::fs::write(&file, empty).unwrap();
    let out = ctfilter(&["check", "--no-default-rules", &file]).run();
    out.assert_code(2);
    assert!(
        out.stdout.contains("needs at least one field"),
        "{}",
        out.stdout
    );
}
