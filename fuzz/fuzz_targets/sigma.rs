//! (c) The Sigma loader on arbitrary YAML text: `compile::compile_layered`
//! with the input as a Sigma file over no YAML rules.
//!
//! Checks: no panic; a rule set comes back exactly when no diagnostic is an
//! error (unsupported features are warnings and skip the rule); every
//! diagnostic prints with its file; and the loaded rules run over a fixed set
//! of records with balanced counters and valid output.
#![no_main]

use ctfilter::output::deadletter::DeadLetterStyle;
use ctfilter::rules::diag::has_errors;
use ctfilter::rules::load::compile_layered;
use ctfilter::rules::plan::{EventsMode, Plan, RunOptions};
use ctfilter::rules::source::Source;
use ctfilter::run::process::{Processor, Sink};
use libfuzzer_sys::fuzz_target;

mod common;
use common::*;

const RECORDS: &[u8] = include_bytes!("../../fixtures/records.ndjson");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let sigma = [Source::yaml("rule.yml", text)];
    let mut diags = Vec::new();
    let rules = compile_layered(&[], &sigma, &mut diags);
    assert_eq!(
        rules.is_some(),
        !has_errors(&diags),
        "a rule set must come back exactly when there is no error: {diags:?}"
    );
    for d in &diags {
        let shown = d.to_string();
        assert!(shown.starts_with(&*d.file), "{shown}");
    }
    let Some(rules) = rules else { return };
    let plan = Plan::new(
        rules,
        RunOptions {
            events: EventsMode::All,
            now: Some(NOW),
            ..RunOptions::default()
        },
    );
    let mut processor = Processor::new(&plan, DeadLetterStyle::Ndjson);
    let mut sink = Sink::default();
    for (n, line) in RECORDS.split(|&b| b == b'\n').enumerate() {
        processor.line(&plan, line, at(n as u64 + 1), &mut sink);
    }
    check(&plan, DeadLetterStyle::Ndjson, &sink, &processor.stats);
});
