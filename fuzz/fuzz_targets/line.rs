//! (a) One input line through shape detection, parsing and the engine:
//! `Processor::line` under the default plan, `--events '*'`, and tight limits
//! with `--on-error pass`. Checks the shared invariants (see common.rs), and
//! that processing is a pure function of the line: the same processor fed the
//! line twice writes the same bytes twice (no state leaks between lines); and
//! a line that is one bare record gives the same output inside a Records
//! file and inside a Vector `message` string (every path decides alike); and
//! `--validate fast` writes the same bytes, dead letters and counters as the
//! full parse of the default plan.
#![no_main]

use ctfilter::run::process::{Processor, Sink};
use libfuzzer_sys::fuzz_target;

mod common;
use common::*;

fuzz_target!(
    init: {
        // Compile the plans before the first input, outside the per-input
        // timeout (the default rule pack takes seconds under ASan).
        for variant in VARIANTS {
            plan(variant);
        }
    },
    |data: &[u8]| {
        let mut full = None;
        for variant in VARIANTS {
            let plan = plan(variant);
            let mut processor = Processor::new(plan, style(variant));
            let mut first = Sink::default();
            processor.line(plan, data, at(1), &mut first);
            let stats = std::mem::take(&mut processor.stats);
            check(plan, style(variant), &first, &stats);
            let mut again = Sink::default();
            processor.line(plan, data, at(1), &mut again);
            assert_eq!(
                stats, processor.stats,
                "{variant:?}: counters differ on a rerun"
            );
            assert!(
                first.out == again.out,
                "{variant:?}: output differs on a rerun"
            );
            assert!(
                first.dead == again.dead,
                "{variant:?}: dead letters differ on a rerun"
            );
            if variant == Variant::AllEvents {
                same_inside_envelopes(data, &stats, &first);
            }
            match variant {
                Variant::Default => full = Some((stats, first)),
                Variant::Fast => {
                    let (full_stats, full_sink) = full.take().expect("Default runs first");
                    assert_eq!(stats, full_stats, "--validate fast: counters differ");
                    assert!(first.out == full_sink.out, "--validate fast: output differs");
                    assert!(first.dead == full_sink.dead, "--validate fast: dead letters differ");
                }
                _ => {}
            }
        }
    }
);

/// A bare record (emitted alone, no dead letter, counted as shape `bare`)
/// must come out byte for byte the same from `{"Records":[...]}` and from a
/// Vector envelope `{"message":"..."}`.
fn same_inside_envelopes(data: &[u8], stats: &ctfilter::output::stats::Stats, bare: &Sink) {
    use ctfilter::input::origin::Shape;
    // A byte order mark at the start of a line belongs to the line, not to
    // the record: the record is what follows it.
    let data = ctfilter::input::scan::strip_bom(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if stats.emitted != 1
        || stats.read != 1
        || stats.shapes[Shape::Bare as usize] != 1
        || text.contains('\n')
    {
        return;
    }
    let variant = Variant::AllEvents;
    let plan = plan(variant);
    let records = format!("{{\"Records\":[{text}]}}");
    let vector = format!(
        "{{\"message\":{},\"source_type\":\"aws_s3\"}}",
        serde_json::to_string(text.strip_suffix('\r').unwrap_or(text)).unwrap()
    );
    for (what, line) in [("Records", records), ("message", vector)] {
        let mut processor = Processor::new(plan, style(variant));
        let mut sink = Sink::default();
        processor.line(plan, line.as_bytes(), at(1), &mut sink);
        assert_eq!(
            processor.stats.emitted, 1,
            "inside {what}: {:?}",
            processor.stats
        );
        assert!(
            sink.out == bare.out,
            "inside {what} the record comes out differently:\n  bare: {}\n  {what}: {}",
            String::from_utf8_lossy(&bare.out),
            String::from_utf8_lossy(&sink.out)
        );
    }
}
