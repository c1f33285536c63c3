//! Plans and invariant checks shared by the fuzz targets.
//!
//! Every target asserts the same contract the README promises: nothing
//! panics, every unit is counted once (`read = emitted + filtered +
//! dead_lettered + skipped`), every output line is one valid JSON object that
//! carries the verdict key, and every NDJSON dead letter is one valid JSON
//! object holding the raw input.
#![allow(dead_code)]

use ctfilter::input::origin::Where;
use ctfilter::model::record::Path;
use ctfilter::output::deadletter::DeadLetterStyle;
use ctfilter::output::stats::Stats;
use ctfilter::rules::load::RuleSources;
use ctfilter::rules::plan::{EventsMode, OnError, Plan, RunOptions};
use ctfilter::run::process::{Processor, Sink};
use serde::de::{Deserialize, IgnoredAny};
use std::sync::OnceLock;

/// 2026-01-15T10:05:00Z, so `latency_s` never depends on the clock.
pub const NOW: f64 = 1_768_471_500.0;

/// The option sets each input is run under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The defaults: embedded rules, `--events default`, reasons on stderr.
    Default,
    /// `--events '*'` with NDJSON dead letters: every record is emitted.
    AllEvents,
    /// `--events '*'`, tight limits (`--max-line-bytes 512 --max-depth 8`),
    /// `--field payload.body`, `--on-error pass`.
    Tight,
    /// The defaults with `--validate fast`: must match `Default` exactly.
    Fast,
}

pub const VARIANTS: [Variant; 4] = [
    Variant::Default,
    Variant::AllEvents,
    Variant::Tight,
    Variant::Fast,
];

fn build(variant: Variant) -> Plan {
    let (rules, _warnings) = RuleSources {
        defaults: true,
        paths: Vec::new(),
        with_tests: false,
        ..RuleSources::default()
    }
    .compile()
    .unwrap_or_else(|d| panic!("the default rules must compile: {d:?}"));
    let mut options = RunOptions {
        now: Some(NOW),
        ..RunOptions::default()
    };
    match variant {
        Variant::Default => {}
        Variant::Fast => options.validate = ctfilter::rules::fast::Validate::Fast,
        Variant::AllEvents => options.events = EventsMode::All,
        Variant::Tight => {
            options.events = EventsMode::All;
            options.max_line_bytes = 512;
            options.max_depth = 8;
            options.field = Some(Path::parse("payload.body").unwrap());
            options.on_error = OnError::Pass;
        }
    }
    Plan::new(rules, options)
}

/// The plan for a variant, compiled once per process.
pub fn plan(variant: Variant) -> &'static Plan {
    static PLANS: OnceLock<[Plan; 4]> = OnceLock::new();
    let plans = PLANS.get_or_init(|| VARIANTS.map(build));
    &plans[VARIANTS.iter().position(|v| *v == variant).unwrap()]
}

pub fn style(variant: Variant) -> DeadLetterStyle {
    match variant {
        Variant::Default | Variant::Fast => DeadLetterStyle::Reason,
        _ => DeadLetterStyle::Ndjson,
    }
}

pub fn at(line: u64) -> Where<'static> {
    Where {
        source: "fuzz",
        line,
    }
}

/// Process one framed unit exactly as the driver does.
pub fn unit(
    plan: &Plan,
    processor: &mut Processor,
    unit: ctfilter::input::frame::Unit<'_>,
    sink: &mut Sink,
) {
    processor.unit(plan, unit, "fuzz", sink);
}

/// `text` is exactly one JSON value (syntax only: 1e400 is valid JSON even
/// though it does not fit an f64), valid UTF-8, nothing after it.
pub fn assert_one_json_value(text: &[u8], what: &str) {
    assert!(
        std::str::from_utf8(text).is_ok(),
        "{what} is not UTF-8: {:?}",
        String::from_utf8_lossy(text)
    );
    let mut de = serde_json::Deserializer::from_slice(text);
    de.disable_recursion_limit();
    let parsed = IgnoredAny::deserialize(&mut de).and_then(|_| de.end());
    if let Err(e) = parsed {
        panic!(
            "{what} is not one JSON value ({e}): {:?}",
            String::from_utf8_lossy(text)
        );
    }
}

/// The lines of a buffer that must end with `\n` when it is not empty.
fn lines<'a>(buf: &'a [u8], what: &str) -> Vec<&'a [u8]> {
    if buf.is_empty() {
        return Vec::new();
    }
    assert_eq!(
        buf.last(),
        Some(&b'\n'),
        "{what} does not end with a newline"
    );
    buf[..buf.len() - 1].split(|&b| b == b'\n').collect()
}

/// Check the sink and the counters after processing some input under `plan`.
pub fn check(plan: &Plan, style: DeadLetterStyle, sink: &Sink, stats: &Stats) {
    assert!(stats.balanced(), "counters do not balance: {stats:?}");
    assert_eq!(
        stats.bad_total(),
        stats.dead_lettered + stats.passed_bad,
        "every bad unit is dead-lettered or passed: {stats:?}"
    );
    assert_eq!(
        stats.shapes.iter().sum::<u64>() + stats.bad_total() + stats.skipped(),
        stats.read,
        "every good record has a shape: {stats:?}"
    );
    if plan.options.on_error == OnError::Pass {
        // Passed-through bad input is whatever it was: only count lines.
        assert!(stats.emitted >= stats.passed_bad);
        return;
    }
    let key = format!("\"{}\":{{\"severity\":", plan.options.key);
    let out = lines(&sink.out, "output");
    assert_eq!(
        out.len() as u64,
        stats.emitted,
        "one output line per emitted record: {stats:?}"
    );
    for line in &out {
        assert_one_json_value(line, "an output line");
        assert_eq!(line.first(), Some(&b'{'), "an output line is not an object");
        assert!(
            line.windows(key.len()).any(|w| w == key.as_bytes()),
            "an output line has no verdict: {:?}",
            String::from_utf8_lossy(line)
        );
    }
    if matches!(plan.options.events, EventsMode::All) {
        // No scope, identity or severity flags are set in any fuzz plan.
        assert_eq!(
            stats.filtered_total(),
            0,
            "--events '*' with no scope flags filters nothing: {stats:?}"
        );
    }
    match style {
        DeadLetterStyle::Reason => {
            let dead = lines(&sink.dead, "dead letters");
            assert_eq!(dead.len() as u64, stats.dead_lettered, "{stats:?}");
            for line in dead {
                assert!(line.starts_with(b"ctfilter: fuzz:"), "{line:?}");
            }
        }
        DeadLetterStyle::Ndjson => {
            let dead = lines(&sink.dead, "dead letters");
            assert_eq!(dead.len() as u64, stats.dead_lettered, "{stats:?}");
            for line in dead {
                assert_one_json_value(line, "a dead letter");
                let entry: serde_json::Value = serde_json::from_slice(line).unwrap();
                assert!(entry["kind"].is_string() && entry["reason"].is_string());
                assert!(
                    entry["raw"].is_string() || entry["raw_base64"].is_string(),
                    "a dead letter without its raw input: {entry}"
                );
            }
        }
    }
}
