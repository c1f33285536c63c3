//! The tracker through the evaluator: learning, then new, seen, late and
//! absent-field tuples, and a reload keeping the baseline.

use super::Tracker;
use crate::engine::state::{Config, State};
use crate::engine::{Core, Decision, Evaluator};
use crate::rules::plan::{Plan, RunOptions};
use crate::rules::source::Source;

const RULES: &str = "rules:
  - id: fs1
    title: New API for a principal
    severity: medium
    category: discovery
    events: [secretsmanager:ListSecrets]
    when: {userIdentity.type: IAMUser}
    first_seen: {by: [userIdentity.arn, eventName], within: 1d}
";

fn plan() -> Plan {
    let source = Source {
        name: "fs.yml".into(),
        text: RULES.into(),
        packed: None,
    };
    let mut diags = Vec::new();
    let set = crate::rules::compile::compile_sources(&[source], &mut diags).expect("compiles");
    Plan::new(set, RunOptions::default())
}

fn record(time: &str, user: &str, kind: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventSource":"secretsmanager.amazonaws.com","eventName":"ListSecrets","eventTime":"{time}","awsRegion":"us-east-1","recipientAccountId":"1","userIdentity":{{"type":"{kind}","arn":"arn:aws:iam::1:user/{user}"}}}}"#
    )
}

/// Whether the record is kept, and the fired rules' previous sightings.
/// [`run`] on the test record of `user` (of identity `kind`) at `time`.
fn run_at(
    eval: &mut Evaluator,
    plan: &Plan,
    time: &str,
    user: &str,
    kind: &str,
) -> (bool, Vec<Option<u32>>) {
    run(eval, plan, &record(time, user, kind))
}

fn run(eval: &mut Evaluator, plan: &Plan, json: &str) -> (bool, Vec<Option<u32>>) {
    let mut bytes = json.as_bytes().to_vec();
    let tape = simd_json::to_tape(&mut bytes).unwrap();
    let root = tape.as_value();
    let core = Core::extract(root).unwrap();
    let kept = matches!(eval.decide(plan, root, &core), Decision::Keep(_));
    let fired = eval.tracker.as_ref().unwrap().fired.iter();
    (kept, fired.map(|f| f.previous.map(|t| t.secs())).collect())
}

/// An evaluator with a fresh first-seen state for `plan`.
fn tracked(plan: &Plan) -> Evaluator {
    Evaluator {
        tracker: Some(Tracker::new(State::new(&Config::default()), plan)),
        ..Evaluator::default()
    }
}

#[test]
fn learns_one_window_then_reports_only_new_tuples() {
    let plan = plan();
    let mut eval = tracked(&plan);
    // Learning: the first day records but never reports.
    assert_eq!(
        run_at(&mut eval, &plan, "2026-01-01T00:00:00Z", "a", "IAMUser"),
        (false, vec![])
    );
    assert_eq!(
        run_at(&mut eval, &plan, "2026-01-01T12:00:00Z", "a", "IAMUser"),
        (false, vec![])
    );
    // After learning: a known tuple is seen, a new one fires.
    assert_eq!(
        run_at(&mut eval, &plan, "2026-01-02T06:00:00Z", "a", "IAMUser"),
        (false, vec![])
    );
    let (kept, fired) = run_at(&mut eval, &plan, "2026-01-02T07:00:00Z", "c", "IAMUser");
    assert!(kept);
    assert_eq!(fired, vec![None]);
    // The condition applies first: another type is not even recorded.
    assert_eq!(
        run_at(&mut eval, &plan, "2026-01-02T08:00:00Z", "d", "AssumedRole"),
        (false, vec![])
    );
    let (kept, _) = run_at(&mut eval, &plan, "2026-01-02T09:00:00Z", "d", "IAMUser");
    assert!(kept, "d was never recorded while its type did not match");
    // A late record older than what is stored is never new.
    assert_eq!(
        run_at(&mut eval, &plan, "2026-01-02T06:30:00Z", "c", "IAMUser"),
        (false, vec![])
    );
    // After a window without it, a tuple is new again, with its last sighting.
    let (kept, fired) = run_at(&mut eval, &plan, "2026-01-04T00:00:00Z", "a", "IAMUser");
    assert!(kept);
    assert_eq!(fired.len(), 1);
    // A reload rebinding the same rule keeps the baseline.
    eval.tracker.as_mut().unwrap().bind(&plan);
    assert_eq!(
        run_at(&mut eval, &plan, "2026-01-04T01:00:00Z", "a", "IAMUser"),
        (false, vec![])
    );
}

#[test]
fn without_a_tracker_the_rule_is_inactive() {
    let plan = plan();
    let mut eval = Evaluator::default();
    let json = record("2026-01-01T00:00:00Z", "a", "IAMUser");
    let mut bytes = json.into_bytes();
    let tape = simd_json::to_tape(&mut bytes).unwrap();
    let core = Core::extract(tape.as_value()).unwrap();
    assert!(matches!(
        eval.decide(&plan, tape.as_value(), &core),
        Decision::Drop(_)
    ));
}

#[test]
fn a_record_without_event_time_is_neither_recorded_nor_reported() {
    let plan = plan();
    let mut eval = tracked(&plan);
    let _ = run_at(&mut eval, &plan, "2026-01-01T00:00:00Z", "a", "IAMUser");
    let no_time = record("x", "z", "IAMUser");
    assert_eq!(run(&mut eval, &plan, &no_time), (false, vec![]));
    assert_eq!(eval.tracker.as_ref().unwrap().state.stats().entries, 1);
}

/// A decision for `json` through `eval`: kept, or the stage that dropped it.
fn stage(eval: &mut Evaluator, plan: &Plan, json: &str) -> Option<crate::engine::Stage> {
    let mut bytes = json.as_bytes().to_vec();
    let tape = simd_json::to_tape(&mut bytes).unwrap();
    let core = Core::extract(tape.as_value()).unwrap();
    match eval.decide(plan, tape.as_value(), &core) {
        Decision::Keep(_) => None,
        Decision::Drop(stage) => Some(stage),
    }
}

fn with_id(json: &str, id: &str) -> String {
    json.replacen('{', &format!(r#"{{"eventID":"{id}","#), 1)
}

#[test]
fn dedupe_drops_repeats_first_and_marks_addenda() {
    use crate::engine::Stage;
    let plan = plan();
    let mut eval = tracked(&plan);
    eval.tracker.as_mut().unwrap().set_modes(&plan, false, true);
    let rec = record("2026-01-01T00:00:00Z", "a", "AssumedRole");
    let first = with_id(&rec, "e1");
    assert_eq!(stage(&mut eval, &plan, &first), Some(Stage::Events));
    assert_eq!(stage(&mut eval, &plan, &first), Some(Stage::Duplicate));
    let update = with_id(&rec, "e2").replacen(
        '{',
        r#"{"addendum":{"reason":"UPDATED_DATA","originalEventID":"e1"},"#,
        1,
    );
    assert_eq!(stage(&mut eval, &plan, &update), Some(Stage::Events));
    assert!(eval.tracker.as_ref().unwrap().update);
    assert_eq!(
        stage(&mut eval, &plan, &update),
        Some(Stage::Events),
        "never a duplicate"
    );
    // No eventID: kept by dedupe, unrecorded.
    assert_eq!(stage(&mut eval, &plan, &rec), Some(Stage::Events));
    assert_eq!(stage(&mut eval, &plan, &rec), Some(Stage::Events));
    let tracker = eval.tracker.as_ref().unwrap();
    assert!(!tracker.update);
    assert_eq!(tracker.state.dedupe.duplicates(), 1);
    // First-seen off (--dedupe alone): the first-seen rule never fires.
    let iam = with_id(&record("2026-01-09T00:00:00Z", "n", "IAMUser"), "e9");
    assert_eq!(stage(&mut eval, &plan, &iam), Some(Stage::Events));
    assert_eq!(eval.tracker.as_ref().unwrap().state.stats().entries, 0);
}

#[test]
fn a_future_event_time_is_ignored_and_counted() {
    let plan = plan();
    let mut eval = tracked(&plan);
    let tracker = eval.tracker.as_mut().unwrap();
    tracker.set_clock(
        crate::engine::state::Time::parse("2026-01-01T00:00:00Z")
            .unwrap()
            .unix(),
    );
    let _ = run_at(&mut eval, &plan, "2026-01-01T00:00:00Z", "a", "IAMUser");
    // Within the hour of slack: counts.
    let _ = run_at(&mut eval, &plan, "2026-01-01T00:59:00Z", "b", "IAMUser");
    // Beyond it: neither recorded nor judged, and the clock does not move.
    let _ = run_at(&mut eval, &plan, "2026-01-01T01:01:00Z", "c", "IAMUser");
    let tracker = eval.tracker.as_ref().unwrap();
    assert_eq!(tracker.future, 1);
    assert_eq!(tracker.state.stats().entries, 2);
    assert_eq!(
        tracker
            .state
            .first_seen
            .table()
            .latest()
            .map(|t| t.to_string())
            .as_deref(),
        Some("2026-01-01T00:59:00Z")
    );
}

#[test]
fn first_seen_rules_with_one_condition_share_its_result_within_a_record() {
    let rules = "rules:
  - {id: r1, title: T, severity: low, category: x, when: {userIdentity.type: IAMUser}, first_seen: {by: [userIdentity.arn], within: 1d}}
  - {id: r2, title: T, severity: low, category: x, when: {userIdentity.type: IAMUser}, first_seen: {by: [awsRegion], within: 1d}}
  - {id: r3, title: T, severity: low, category: x, when: {userIdentity.type: Root}, first_seen: {by: [awsRegion], within: 1d}}
";
    let source = Source {
        name: "fs.yml".into(),
        text: rules.into(),
        packed: None,
    };
    let mut diags = Vec::new();
    let set = crate::rules::compile::compile_sources(&[source], &mut diags).expect("compiles");
    let plan = Plan::new(set, RunOptions::default());
    assert_eq!(plan.same_condition, vec![None, Some(0), None]);
    let mut state = State::new(&Config::default());
    state
        .first_seen
        .set_learn_until(Some(crate::engine::state::Time::MIN));
    let mut eval = Evaluator {
        tracker: Some(Tracker::new(state, &plan)),
        ..Evaluator::default()
    };
    // Both sharing rules fire on a person's record, the Root rule does not;
    // a machine's record fires none (the shared result is per record).
    let (kept, fired) = run(
        &mut eval,
        &plan,
        &record("2026-01-01T00:00:00Z", "a", "IAMUser"),
    );
    assert!(kept);
    assert_eq!(fired.len(), 2);
    assert_eq!(eval.matched, vec![0, 1]);
    let (kept, _) = run(
        &mut eval,
        &plan,
        &record("2026-01-01T00:01:00Z", "b", "AssumedRole"),
    );
    assert!(!kept);
    assert!(eval.matched.is_empty());
}
