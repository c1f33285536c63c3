//! (a) One input line through shape detection, parsing and the engine:
//! `Processor::line` under the default plan, `--events '*'`, and tight limits
//! with `--on-error pass`. Checks the shared invariants (see common.rs), and
//! that processing is a pure function of the line: the same processor fed the
//! line twice writes the same bytes twice (no state leaks between lines).
#![no_main]

use ctfilter::process::{Processor, Sink};
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
        }
    }
);
