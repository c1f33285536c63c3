//! First-seen rules over the compact table: rule registration, the learning
//! period, and the verdict for one tuple of one record.
//!
//! Guarantees:
//! - Every observation is recorded, whatever the verdict and whether or
//!   not the caller keeps the record, so the baseline is built from all
//!   traffic that reaches a rule.
//! - **Learning.** The state remembers `created`, the first event time it
//!   ever saw. A rule learns for one of its windows from its `start`: the
//!   state's creation for rules present from the beginning, or the newest
//!   event time already seen when a rule first appears in an existing
//!   state (so adding a rule later does not flood). While `t < learn end`,
//!   a tuple that would be new is reported [`Verdict::Learning`] instead.
//!   [`FirstSeen::set_learn_until`] overrides the end for every rule, and
//!   is saved with the state.
//! - A rule's identity is its registered name: the key namespace comes from
//!   it. The name should therefore include everything that changes what a
//!   tuple means (e.g. `rule-id/by=userIdentity.arn,eventName`), so that a
//!   redefined rule starts afresh (and learns) instead of matching old keys.
//! - A rule that stops being registered keeps its learning record while its
//!   entries can still be alive (one window); after that it is dropped at
//!   the next save and, if it comes back, learns again.
//! - Deterministic: verdicts depend only on the sequence of calls and the
//!   restored state, never on the clock.

use std::collections::BTreeMap;

use super::hash::{Key, KeyBuilder, Namespace};
use super::table::{Counters, Table};
use super::time::{Time, Window};

/// A registered rule, by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RuleId(u32);

/// What a first-seen rule says about one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not seen within the window (after learning): the rule fires.
    New,
    /// Seen within the window, or later than this record.
    Seen,
    /// Would be new, but the rule is still learning its baseline.
    Learning,
}

/// The verdict and the tuple's previous sighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observation {
    pub verdict: Verdict,
    /// The last time the tuple was seen before this record, if it is still
    /// stored (`None`: never, or expired). For `Seen` records older than the
    /// stored time, this is later than the record itself.
    pub previous: Option<Time>,
}

/// What the state keeps about a rule between runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleRecord {
    pub name: String,
    /// When its learning began (`None`: with the state, not yet known).
    pub start: Option<Time>,
    pub window: Window,
    /// Newest event time seen while it was registered.
    pub active_until: Option<Time>,
}

#[derive(Debug)]
struct Rule {
    ns: Namespace,
    record: RuleRecord,
}

/// Counts since start or restore (not persisted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub new: u64,
    pub seen: u64,
    pub learning: u64,
}

#[derive(Debug)]
pub struct FirstSeen {
    table: Table,
    created: Option<Time>,
    latest: Option<Time>,
    learn_until: Option<Time>,
    rules: Vec<Rule>,
    by_name: BTreeMap<String, RuleId>,
    /// Saved rules that this run has not registered (yet).
    dormant: BTreeMap<String, RuleRecord>,
    tally: Tally,
}

impl FirstSeen {
    /// An empty state: learning starts with the first event time seen.
    pub fn new(table: Table) -> FirstSeen {
        FirstSeen {
            latest: table.latest(),
            table,
            created: None,
            learn_until: None,
            rules: Vec::new(),
            by_name: BTreeMap::new(),
            dormant: BTreeMap::new(),
            tally: Tally::default(),
        }
    }

    /// A saved state. `latest` is the newest event time it had noted.
    pub fn restore(
        table: Table,
        created: Option<Time>,
        latest: Option<Time>,
        learn_until: Option<Time>,
        rules: impl IntoIterator<Item = RuleRecord>,
    ) -> FirstSeen {
        let mut fs = FirstSeen::new(table);
        fs.created = created;
        fs.latest = latest.max(fs.table.latest());
        fs.learn_until = learn_until;
        fs.dormant = rules.into_iter().map(|r| (r.name.clone(), r)).collect();
        fs
    }

    /// Register a rule (idempotent: the same name gives the same id, and
    /// updates the window).
    pub fn register(&mut self, name: &str, window: Window) -> RuleId {
        if let Some(&id) = self.by_name.get(name) {
            self.rules[id.0 as usize].record.window = window;
            return id;
        }
        let start = match self.dormant.remove(name) {
            Some(r) if !self.lapsed(&r) => r.start.or(self.created),
            _ => self.latest,
        };
        let id = RuleId(u32::try_from(self.rules.len()).expect("fewer than 2^32 rules"));
        self.rules.push(Rule {
            ns: Namespace::new(name.as_bytes()),
            record: RuleRecord {
                name: name.to_owned(),
                start,
                window,
                active_until: self.latest,
            },
        });
        self.by_name.insert(name.to_owned(), id);
        id
    }

    /// A rule that was not registered for longer than its window.
    fn lapsed(&self, r: &RuleRecord) -> bool {
        match (r.active_until, self.latest) {
            (Some(a), Some(l)) => a.saturating_add(r.window) < l,
            _ => false,
        }
    }

    /// Start the key of a tuple for `rule`; add its fields, then `finish`.
    #[inline]
    pub fn key(&self, rule: RuleId) -> KeyBuilder {
        self.rules[rule.0 as usize].ns.key()
    }

    /// Note an event time without observing a tuple: lets `created` be the
    /// first record's time even if no rule matched it. Optional.
    #[inline]
    pub fn note_time(&mut self, t: Time) {
        if self.created.is_none() {
            self.created = Some(t);
        }
        if self.latest.is_none_or(|l| t > l) {
            self.latest = Some(t);
        }
    }

    /// Record `key` for `rule` at event time `t` and judge it.
    pub fn observe(&mut self, rule: RuleId, key: Key, t: Time) -> Observation {
        self.note_time(t);
        let window = self.rules[rule.0 as usize].record.window;
        let o = self.table.observe(key, t, window);
        let verdict = if !o.first_seen_within_window {
            self.tally.seen += 1;
            Verdict::Seen
        } else if self.learning_until(rule).is_none_or(|end| t < end) {
            self.tally.learning += 1;
            Verdict::Learning
        } else {
            self.tally.new += 1;
            Verdict::New
        };
        Observation {
            verdict,
            previous: o.previous,
        }
    }

    /// When `rule` stops learning (`None`: no event seen yet, so not known).
    pub fn learning_until(&self, rule: RuleId) -> Option<Time> {
        if self.learn_until.is_some() {
            return self.learn_until;
        }
        let r = &self.rules[rule.0 as usize].record;
        Some(r.start.or(self.created)?.saturating_add(r.window))
    }

    /// When the last registered rule stops learning, for `--stats`.
    pub fn learning_ends(&self) -> Option<Time> {
        if self.learn_until.is_some() || self.rules.is_empty() {
            return self.learn_until;
        }
        let ends = (0..self.rules.len()).map(|i| self.learning_until(RuleId(i as u32)));
        ends.collect::<Option<Vec<_>>>()?.into_iter().max()
    }

    /// Override the learning end for every rule (`None`: back to one
    /// window per rule). Saved with the state.
    pub fn set_learn_until(&mut self, end: Option<Time>) {
        self.learn_until = end;
    }

    pub fn learn_until_override(&self) -> Option<Time> {
        self.learn_until
    }

    /// The first event time this state saw.
    pub fn created(&self) -> Option<Time> {
        self.created
    }

    /// The newest event time this state noted.
    pub fn latest(&self) -> Option<Time> {
        self.latest
    }

    pub fn table(&self) -> &Table {
        &self.table
    }

    pub fn counters(&self) -> Counters {
        self.table.counters()
    }

    pub fn tally(&self) -> Tally {
        self.tally
    }

    /// The rule records to save: registered rules (with their start
    /// resolved) and dormant ones that have not lapsed, sorted by name.
    pub fn records(&self) -> Vec<RuleRecord> {
        let live = self.rules.iter().map(|r| RuleRecord {
            start: r.record.start.or(self.created),
            active_until: self.latest,
            ..r.record.clone()
        });
        let dormant = self.dormant.values().filter(|r| !self.lapsed(r)).cloned();
        let mut all: Vec<RuleRecord> = live.chain(dormant).collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::DEFAULT_LATENESS;
    use super::*;

    const DAY: u32 = 86_400;

    fn fresh() -> FirstSeen {
        FirstSeen::new(Table::new(1000, DEFAULT_LATENESS))
    }

    fn obs(fs: &mut FirstSeen, rule: RuleId, value: &str, t: u32) -> Verdict {
        let key = fs.key(rule).field(value.as_bytes()).finish();
        fs.observe(rule, key, Time(t)).verdict
    }

    /// Save-and-restore through the public pieces (the file layer does the
    /// same with bytes in between).
    fn reload(fs: &FirstSeen) -> FirstSeen {
        let t = fs.table();
        let table =
            Table::restore(t.max_entries(), DEFAULT_LATENESS, t.latest(), t.entries()).unwrap();
        FirstSeen::restore(
            table,
            fs.created(),
            fs.latest(),
            fs.learn_until_override(),
            fs.records(),
        )
    }

    #[test]
    fn learns_for_one_window_then_reports() {
        let mut fs = fresh();
        let r = fs.register("r/by=arn", Window::days(10));
        assert_eq!(fs.learning_ends(), None);
        fs.note_time(Time(100 * DAY));
        assert_eq!(fs.created(), Some(Time(100 * DAY)));
        assert_eq!(fs.learning_ends(), Some(Time(110 * DAY)));
        assert_eq!(obs(&mut fs, r, "alice", 100 * DAY), Verdict::Learning);
        assert_eq!(obs(&mut fs, r, "alice", 101 * DAY), Verdict::Seen);
        assert_eq!(obs(&mut fs, r, "bob", 110 * DAY - 1), Verdict::Learning);
        assert_eq!(obs(&mut fs, r, "carol", 110 * DAY), Verdict::New);
        assert_eq!(obs(&mut fs, r, "carol", 110 * DAY + 5), Verdict::Seen);
        // Recorded during learning: bob is known afterwards.
        assert_eq!(obs(&mut fs, r, "bob", 111 * DAY), Verdict::Seen);
        assert_eq!(
            fs.tally(),
            Tally {
                new: 1,
                seen: 3,
                learning: 2
            }
        );
    }

    #[test]
    fn override_applies_to_all_rules_and_is_kept() {
        let mut fs = fresh();
        let r = fs.register("r", Window::days(10));
        fs.set_learn_until(Some(Time(5)));
        assert_eq!(obs(&mut fs, r, "a", 4), Verdict::Learning);
        assert_eq!(obs(&mut fs, r, "b", 5), Verdict::New);
        let mut fs = reload(&fs);
        let r = fs.register("r", Window::days(10));
        assert_eq!(fs.learning_ends(), Some(Time(5)));
        assert_eq!(obs(&mut fs, r, "c", 6), Verdict::New);
        fs.set_learn_until(None);
        assert_eq!(fs.learning_ends(), Some(Time(4 + 10 * DAY)));
    }

    #[test]
    fn a_rule_added_later_learns_from_then() {
        let mut fs = fresh();
        let a = fs.register("a", Window::days(1));
        obs(&mut fs, a, "x", 0);
        obs(&mut fs, a, "x", 30 * DAY);
        let mut fs = reload(&fs);
        let a = fs.register("a", Window::days(1));
        let b = fs.register("b", Window::days(1));
        assert_eq!(fs.learning_until(a), Some(Time(DAY)));
        assert_eq!(fs.learning_until(b), Some(Time(31 * DAY)));
        assert_eq!(obs(&mut fs, b, "x", 30 * DAY + 1), Verdict::Learning);
        assert_eq!(obs(&mut fs, a, "y", 30 * DAY + 1), Verdict::New);
        assert_eq!(obs(&mut fs, b, "y", 31 * DAY), Verdict::New);
    }

    #[test]
    fn rules_keep_their_keys_apart_and_ids_are_stable() {
        let mut fs = fresh();
        let a = fs.register("a", Window::days(1));
        let b = fs.register("b", Window::days(1));
        assert_eq!(fs.register("a", Window::days(2)), a);
        fs.set_learn_until(Some(Time(0)));
        assert_eq!(obs(&mut fs, a, "x", 10), Verdict::New);
        assert_eq!(obs(&mut fs, b, "x", 10), Verdict::New);
        assert_eq!(obs(&mut fs, a, "x", 11), Verdict::Seen);
        assert_eq!(fs.table().len(), 2);
    }

    #[test]
    fn dormant_rules_survive_one_window_then_lapse() {
        let mut fs = fresh();
        let a = fs.register("a", Window::days(1));
        fs.register("gone", Window::days(1));
        obs(&mut fs, a, "x", 0);
        let fs2 = reload(&fs);
        // "gone" is not registered this run but is still within its window.
        assert_eq!(fs2.records().len(), 2);
        let mut fs3 = reload(&fs2);
        let a = fs3.register("a", Window::days(1));
        obs(&mut fs3, a, "x", 2 * DAY);
        let names: Vec<_> = fs3.records().into_iter().map(|r| r.name).collect();
        assert_eq!(names, ["a"]);
        // Coming back after lapsing: learns again from now.
        let mut fs4 = reload(&fs2);
        fs4.note_time(Time(2 * DAY));
        let g = fs4.register("gone", Window::days(1));
        assert_eq!(fs4.learning_until(g), Some(Time(3 * DAY)));
    }
}
