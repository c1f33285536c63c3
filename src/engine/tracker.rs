//! First-seen rules against the state: a plan's `first_seen` rules bound to
//! [`State`] ids, and one record's tuple judged per rule (issue 13).
//!
//! Guarantees: the tuple is built from the rule's `by` fields in order, a
//! string value by its bytes after the field's key transform (`|ipnet`,
//! `|family`) and any other (or missing) value as absent, so `{"a":null}`
//! and `{}` are the same tuple; the record's `eventTime` is noted before any
//! tuple, so learning starts at the first record; a record with no valid
//! `eventTime` is neither recorded nor reported; nothing allocates per
//! record. The run builds a [`Tracker`] only with `--state`; without one,
//! first-seen rules stay inactive.

use crate::engine::state::{RuleId, State, Time, Verdict, Window};
use crate::model::record::{text, Rec};
use crate::rules::first_seen::TransformBuf;
use crate::rules::plan::Plan;

/// A rule that fired on this record, for the verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fired {
    /// Index of the rule in the plan.
    pub rule: u32,
    /// The tuple's previous sighting (`None`: never, or expired).
    pub previous: Option<Time>,
}

/// The state plus the current plan's rules bound to it.
#[derive(Debug)]
pub struct Tracker {
    pub state: State,
    /// State id of each plan rule (`None`: not a first-seen rule).
    ids: Vec<Option<RuleId>>,
    /// Event time of the current record, set by [`Tracker::note`].
    time: Option<Time>,
    /// First-seen rules that fired on the current record, ascending.
    pub fired: Vec<Fired>,
}

impl Tracker {
    pub fn new(state: State, plan: &Plan) -> Tracker {
        let mut tracker = Tracker {
            state,
            ids: Vec::new(),
            time: None,
            fired: Vec::new(),
        };
        tracker.bind(plan);
        tracker
    }

    /// Register `plan`'s first-seen rules (again after a reload: the same
    /// state name keeps its baseline).
    pub fn bind(&mut self, plan: &Plan) {
        self.ids.clear();
        for rule in &plan.rules.rules {
            let id = rule.first_seen.as_ref().map(|fs| {
                self.state
                    .first_seen
                    .register(&fs.state_name, Window(fs.within_secs))
            });
            self.ids.push(id);
        }
    }

    /// Start a record: note its event time (call for every record).
    pub fn note(&mut self, event_time: Option<&str>) {
        self.fired.clear();
        self.time = event_time.and_then(|t| Time::parse(t).ok());
        if let Some(t) = self.time {
            self.state.first_seen.note_time(t);
        }
    }

    /// Record the tuple of rule `idx` (whose condition matched) and say
    /// whether it is new; a new one is pushed onto [`Tracker::fired`].
    pub fn judge(&mut self, plan: &Plan, idx: u32, rec: Rec<'_, '_, '_>) -> bool {
        let (Some(Some(id)), Some(t)) = (self.ids.get(idx as usize), self.time) else {
            return false;
        };
        let Some(spec) = plan.rules.rules[idx as usize].first_seen.as_ref() else {
            return false;
        };
        let fs = &mut self.state.first_seen;
        let mut key = fs.key(*id);
        let mut buf = TransformBuf::default();
        for field in &spec.by {
            key = match field.path.first_in(rec).and_then(text) {
                Some(value) => key.field(field.transform.apply(value, &mut buf).as_bytes()),
                None => key.absent(),
            };
        }
        let o = fs.observe(*id, key.finish(), t);
        let new = o.verdict == Verdict::New;
        if new {
            self.fired.push(Fired {
                rule: idx,
                previous: o.previous,
            });
        }
        new
    }
}

#[cfg(test)]
#[path = "tracker_tests.rs"]
mod tests;
