//! (b) The rule compiler on arbitrary YAML text: `compile::compile_sources`.
//!
//! The text is cut at the first line `#---` into two layers, so layering
//! (same-id replacement, `disable:`) is exercised too. Checks: no panic;
//! a rule set comes back exactly when no diagnostic is an error; every
//! diagnostic prints; and a compiled rule set runs over a fixed set of
//! records (fixtures/records.ndjson and a few hostile ones) with balanced
//! counters and valid output.
#![no_main]

use ctfilter::output::deadletter::DeadLetterStyle;
use ctfilter::rules::compile::compile_sources;
use ctfilter::rules::diag::has_errors;
use ctfilter::rules::plan::{EventsMode, Plan, RunOptions};
use ctfilter::rules::source::Source;
use ctfilter::run::process::{Processor, Sink};
use libfuzzer_sys::fuzz_target;

mod common;
use common::*;

const RECORDS: &[u8] = include_bytes!("../../fixtures/records.ndjson");
const EXTRA: &[u8] = br#"{"eventVersion":"1.08","eventSource":"ec2.amazonaws.com","eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"ipPermissions":{"items":[{"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}},"sourceIPAddress":"2001:db8::1","userIdentity":{"type":"IAMUser","userName":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"},"requestID":"x1"}
{"eventVersion":"1.08","eventSource":"s3.amazonaws.com","eventName":"GetObject","readOnly":"true","resources":[{"ARN":"arn:aws:s3:::b/k","type":"AWS::S3::Object"},{"ARN":null}],"tags":[1,2.5,-0,1e400,true,null,"x",[],{}],"userIdentity":{"type":"Root"},"requestID":"x2"}
{"eventVersion":"1.11","eventType":"AwsCloudTrailInsight","eventCategory":"Insight","insightDetails":{"eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey"},"requestID":"x3"}
"#;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (first, second) = match text.find("\n#---\n") {
        Some(at) => (&text[..at + 1], Some(&text[at + 6..])),
        None => (text, None),
    };
    let mut sources = vec![Source::yaml("a.yml", first)];
    if let Some(second) = second {
        sources.push(Source::yaml("b.yml", second));
    }
    let mut diags = Vec::new();
    let rules = compile_sources(&sources, &mut diags);
    assert_eq!(
        rules.is_some(),
        !has_errors(&diags),
        "a rule set must come back exactly when there is no error: {diags:?}"
    );
    for d in &diags {
        let shown = d.to_string();
        assert!(shown.starts_with(&*d.file), "{shown}");
    }
    if rules.is_none() {
        return;
    }
    for events in [EventsMode::Rules, EventsMode::All] {
        // RuleSet is not Clone: compile again for the second plan.
        let rules = compile_sources(&sources, &mut Vec::new()).expect("compiles twice");
        let plan = Plan::new(
            rules,
            RunOptions {
                events,
                now: Some(NOW),
                ..RunOptions::default()
            },
        );
        let mut processor = Processor::new(&plan, DeadLetterStyle::Ndjson);
        let mut sink = Sink::default();
        for (n, line) in RECORDS
            .split(|&b| b == b'\n')
            .chain(EXTRA.split(|&b| b == b'\n'))
            .enumerate()
        {
            processor.line(&plan, line, at(n as u64 + 1), &mut sink);
        }
        check(&plan, DeadLetterStyle::Ndjson, &sink, &processor.stats);
    }
});
