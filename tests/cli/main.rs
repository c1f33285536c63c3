//! Integration tests for the `ctfilter` binary: run it as users do (flags,
//! files, stdin, signals, pipes) and check what comes out.
//!
//! Run with `cargo test --test cli`; refresh golden files with
//! `UPDATE_GOLDEN=1 cargo test --test cli` and review the diff.
//! Fixtures live in `fixtures/` (see `fixtures/README.md`); the tests use the
//! stable rule file `fixtures/rules/test-rules.yml` with `--no-default-rules`
//! so they do not depend on the default rule pack.

#[path = "../util/mod.rs"]
mod util;

mod bad_input;
mod corpus;
mod coverage;
mod coverage_pairs;
mod dedupe;
mod errors;
mod fast;
mod first_seen;
mod first_seen_rules;
mod flags;
mod formats;
/// The benchmark corpus generator, shared by the tests that need records.
#[path = "../../benches/corpus.rs"]
mod generator;
mod hardening;
mod hostile;
mod memory;
mod metrics;
mod output;
mod pipes;
mod property;
mod rule_pack;
mod severity;
mod shapes;
mod sigma;
mod state_flags;
mod streaming;
