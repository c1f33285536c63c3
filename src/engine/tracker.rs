//! First-seen rules against the state: a plan's `first_seen` rules bound to
//! [`State`] ids, and one record's tuple judged per rule (issue 13).
//!
//! Guarantees: the tuple is built from the rule's `by` fields in order, a
//! string value by its bytes after the field's key transform (`|ipnet`,
//! `|family`) and any other (or missing) value as absent, so `{"a":null}`
//! and `{}` are the same tuple; the record's `eventTime` is noted before any
//! tuple, so learning starts at the first record; a record with no valid
//! `eventTime` is neither recorded nor reported; nothing allocates per
//! record. The run builds a [`Tracker`] with `--state` or `--dedupe`;
//! first-seen rules are judged only with `--state` ([`Tracker::set_modes`]),
//! so without it they stay inactive.
//!
//! Also (issue 13, operations): `--dedupe` ([`Tracker::duplicate`]), which
//! never drops a record with an `addendum`; and far-future event times: a
//! record whose `eventTime` is more than [`FUTURE_SLACK`] past the wall
//! clock ([`Tracker::set_clock`]) is treated like one with no valid
//! `eventTime` (neither recorded, judged nor deduplicated; counted in
//! [`Tracker::future`]), so it cannot move the state's clock and expire
//! everything. Records from the past, however old, are never affected.

use crate::engine::state::time::TimeCache;
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

/// How far past the wall clock an `eventTime` may be and still count.
/// CloudTrail stamps come from AWS clocks and reach us minutes later, so a
/// later stamp is forged or broken; an hour leaves room for a host clock
/// that runs a little slow.
pub const FUTURE_SLACK: Window = Window::hours(1);

/// The state plus the current plan's rules bound to it.
#[derive(Debug)]
pub struct Tracker {
    pub state: State,
    /// First-seen rules are judged (`--state`); off with `--dedupe` alone.
    first_seen: bool,
    /// `--dedupe` is on.
    dedupe: bool,
    /// Event times after this are from the future (`None`: no limit).
    horizon: Option<Time>,
    /// The current record has an `addendum` (set with `--dedupe` only).
    pub update: bool,
    /// Records whose `eventTime` was past the horizon, this run.
    pub future: u64,
    /// State id of each plan rule (`None`: not a first-seen rule).
    ids: Vec<Option<RuleId>>,
    /// Event time of the current record, set by [`Tracker::note`].
    time: Option<Time>,
    /// Parses `eventTime`, remembering the last minute.
    clock: TimeCache,
    /// First-seen rules that fired on the current record, ascending.
    pub fired: Vec<Fired>,
}

impl Tracker {
    pub fn new(state: State, plan: &Plan) -> Tracker {
        Tracker::with_modes(state, plan, true, false)
    }

    /// A tracker for first-seen rules (`--state`) and/or `--dedupe`.
    pub fn with_modes(state: State, plan: &Plan, first_seen: bool, dedupe: bool) -> Tracker {
        let mut tracker = Tracker {
            state,
            first_seen,
            dedupe,
            horizon: None,
            update: false,
            future: 0,
            ids: Vec::new(),
            time: None,
            clock: TimeCache::default(),
            fired: Vec::new(),
        };
        tracker.bind(plan);
        tracker
    }

    /// Choose what is tracked: first-seen rules (`--state`) and `--dedupe`.
    /// Without first-seen, the plan's first-seen rules stay inactive.
    pub fn set_modes(&mut self, plan: &Plan, first_seen: bool, dedupe: bool) {
        self.first_seen = first_seen;
        self.dedupe = dedupe;
        self.bind(plan);
    }

    pub fn dedupes(&self) -> bool {
        self.dedupe
    }

    /// Whether first-seen rules are judged (`--state`); with `--dedupe`
    /// alone they are inactive.
    pub fn judges(&self) -> bool {
        self.first_seen
    }

    /// The wall clock, in Unix seconds: event times more than
    /// [`FUTURE_SLACK`] after it are ignored. Call at start and now and
    /// then (the run does so at each input chunk), never per record.
    pub fn set_clock(&mut self, now_unix: i64) {
        let limit = now_unix.saturating_add(i64::from(FUTURE_SLACK.as_secs()));
        self.horizon =
            Some(Time::from_unix(limit).unwrap_or(if limit < 0 { Time::MIN } else { Time::MAX }));
    }

    /// Register `plan`'s first-seen rules (again after a reload: the same
    /// state name keeps its baseline).
    pub fn bind(&mut self, plan: &Plan) {
        self.ids.clear();
        for rule in &plan.rules.rules {
            let id = rule
                .first_seen
                .as_ref()
                .filter(|_| self.first_seen)
                .map(|fs| {
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
        self.update = false;
        self.time = event_time.and_then(|t| self.clock.parse(t.as_bytes()).ok());
        if let (Some(t), Some(horizon)) = (self.time, self.horizon) {
            if t > horizon {
                self.time = None;
                self.future += 1;
            }
        }
        if let (Some(t), true) = (self.time, self.first_seen) {
            self.state.first_seen.note_time(t);
        }
    }

    /// `--dedupe`, after [`Tracker::note`]: true if the record's `eventID`
    /// was already seen within the window (drop it). A record with an
    /// `addendum` is an update, never a duplicate: it is not looked up, and
    /// [`Tracker::update`] is set for the verdict. A record without an
    /// `eventID` or a valid (not future) `eventTime` is kept, unrecorded.
    pub fn duplicate(&mut self, event_id: Option<&str>, addendum: bool) -> bool {
        if !self.dedupe {
            return false;
        }
        if addendum {
            self.update = true;
            return false;
        }
        match (event_id, self.time) {
            (Some(id), Some(t)) => self.state.dedupe.check(id.as_bytes(), t),
            _ => false,
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
