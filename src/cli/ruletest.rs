//! `ctfilter test`: run the tests embedded in rule files.
//!
//! Each test record is evaluated by the whole effective plan (defaults plus
//! user files), exactly as `ctfilter` would with no flags, so an expected
//! severity is the record's final severity. A failure prints the rule, the
//! test's position and a diff of expected against actual.
//!
//! A test of a first-seen rule, or any test with a `history:`, runs as
//! `ctfilter --state` would on a fresh state whose learning is over: the
//! history records first, in order, then the test record, all on one
//! evaluator, so a tuple seen in the history is not new for the record.
//! Every record of such a test needs a valid `eventTime` (a record without
//! one is never judged by a first-seen rule), else the test fails.

use crate::cli::args::TestArgs;
use crate::engine::state::{Config, State, Time};
use crate::engine::tracker::Tracker;
use crate::engine::{classify, Core, Decision, Evaluator};
use crate::rules::load::RuleSources;
use crate::rules::plan::{Plan, Rule, RuleTest, RunOptions};
use crate::run::driver::exit;
use std::io::Write as _;

/// What a plan makes of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub kept: bool,
    pub severity: Option<String>,
    pub identity: Option<String>,
    pub rules: Vec<String>,
}

/// Evaluate one JSON record with a plan, as the filter would.
pub fn evaluate(plan: &Plan, record_json: &str) -> Result<Outcome, String> {
    evaluate_with(&mut Evaluator::default(), plan, record_json)
}

/// An evaluator as `--state` on a fresh state would have, learning over.
pub fn tracked_evaluator(plan: &Plan) -> Evaluator {
    let mut state = State::new(&Config::default());
    state.first_seen.set_learn_until(Some(Time::MIN));
    Evaluator {
        tracker: Some(Tracker::new(state, plan)),
        ..Evaluator::default()
    }
}

/// Evaluate one record with `eval` (which keeps its first-seen state).
pub fn evaluate_with(
    eval: &mut Evaluator,
    plan: &Plan,
    record_json: &str,
) -> Result<Outcome, String> {
    let mut bytes = record_json.as_bytes().to_vec();
    let tape = simd_json::to_tape(&mut bytes).map_err(|e| format!("invalid JSON: {e}"))?;
    let root = tape.as_value();
    let core = Core::extract(root).map_err(|e| e.0)?;
    if eval.tracker.is_some() && core.event_time.is_none_or(|t| Time::parse(t).is_err()) {
        return Err("no valid eventTime, which a first-seen test needs".into());
    }
    let decision = eval.decide(plan, root, &core);
    let rules = eval
        .matched
        .iter()
        .map(|&i| plan.rules.rules[i as usize].id.to_string())
        .collect();
    let identity = (!core.is_insight()).then(|| classify(plan, root).0.as_str().to_string());
    Ok(match decision {
        Decision::Keep(v) => Outcome {
            kept: true,
            severity: Some(v.severity.as_str().to_string()),
            identity,
            rules,
        },
        Decision::Drop(_) => Outcome {
            kept: false,
            severity: None,
            identity,
            rules,
        },
    })
}

pub fn run(args: &TestArgs) -> i32 {
    let sources = RuleSources::with_tests(!args.no_default_rules, &args.rules, &args.sigma);
    let rules = match sources.compile() {
        Ok((rules, _warnings)) => rules,
        Err(diags) => {
            for d in diags {
                eprintln!("ctfilter: {d}");
            }
            return exit::USAGE;
        }
    };
    let plan = Plan::new(rules, RunOptions::default());
    let mut passed = 0usize;
    let mut failed = 0usize;
    let mut untested = Vec::new();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for rule in &plan.rules.rules {
        if rule.tests.is_empty() {
            untested.push(rule.id.to_string());
        }
        for (n, test) in rule.tests.iter().enumerate() {
            let label = test
                .name
                .clone()
                .unwrap_or_else(|| format!("test {}", n + 1));
            let problems = run_test(&plan, rule, test);
            if problems.is_empty() {
                passed += 1;
            } else {
                failed += 1;
                let _ = writeln!(out, "FAIL {} / {label} ({})", rule.id, test.origin);
                for p in problems {
                    let _ = writeln!(out, "{p}");
                }
            }
        }
    }
    if !untested.is_empty() {
        let _ = writeln!(
            out,
            "note: {} rules carry no tests: {}",
            untested.len(),
            untested.join(", ")
        );
    }
    let _ = writeln!(out, "rule tests: {passed} passed, {failed} failed");
    if failed > 0 {
        exit::INPUT
    } else {
        exit::OK
    }
}

/// Run one test (its history first, if any); the problems found.
fn run_test(plan: &Plan, rule: &Rule, test: &RuleTest) -> Vec<String> {
    let mut eval = if rule.first_seen.is_some() || !test.history.is_empty() {
        tracked_evaluator(plan)
    } else {
        Evaluator::default()
    };
    let mut problems = Vec::new();
    for (n, step) in test.history.iter().enumerate() {
        let at = format!("history record {} ({})", n + 1, step.origin);
        match evaluate_with(&mut eval, plan, &step.record_json) {
            Err(e) => problems.push(format!("  {at} cannot be evaluated: {e}")),
            Ok(actual) => {
                let matched = actual.rules.iter().any(|r| **r == *rule.id);
                if step.should_match.is_some_and(|want| want != matched) {
                    problems.push(format!(
                        "  {at} match:\n    - expected: {}\n    + actual:   {matched} (matched rules: [{}])",
                        !matched,
                        actual.rules.join(", ")
                    ));
                }
            }
        }
    }
    match evaluate_with(&mut eval, plan, &test.record_json) {
        Err(e) => problems.push(format!("record cannot be evaluated: {e}")),
        Ok(actual) => problems.extend(compare(&rule.id, test, &actual)),
    }
    problems
}

fn compare(rule_id: &str, test: &RuleTest, actual: &Outcome) -> Vec<String> {
    let matched = actual.rules.iter().any(|r| r == rule_id);
    let mut diffs = Vec::new();
    let mut line = |what: &str, expected: String, got: String| {
        diffs.push(format!(
            "  {what}:\n    - expected: {expected}\n    + actual:   {got}"
        ));
    };
    if matched != test.should_match {
        line(
            "match",
            test.should_match.to_string(),
            format!("{matched} (matched rules: [{}])", actual.rules.join(", ")),
        );
    }
    if let Some(expected) = test.severity {
        let got = actual.severity.clone().unwrap_or_else(|| "dropped".into());
        if got != expected.as_str() {
            line("severity", expected.as_str().to_string(), got);
        }
    }
    if let Some(expected) = &test.identity {
        let got = actual.identity.clone().unwrap_or_else(|| "none".into());
        if !got.eq_ignore_ascii_case(expected) {
            line("identity", expected.clone(), got);
        }
    }
    diffs
}
