//! Tests of `table.rs`: the documented semantics case by case, then a
//! randomized comparison against a naive model of the same rules, with
//! save/restore splits at random points.

use super::super::hash::wyhash;
use super::*;
use std::collections::BTreeMap;

const LATE: Window = Window::minutes(15);

fn key(i: u64) -> Key {
    Key::from_hash(wyhash(&i.to_le_bytes(), 1))
}

fn obs(first: bool, previous: Option<u32>) -> Observation {
    Observation {
        first_seen_within_window: first,
        previous: previous.map(Time),
    }
}

#[test]
fn first_seen_then_seen_then_new_after_window() {
    let mut t = Table::new(10, LATE);
    let w = Window(100);
    assert_eq!(t.observe(key(1), Time(1000), w), obs(true, None));
    assert_eq!(t.observe(key(1), Time(1050), w), obs(false, Some(1000)));
    // Exactly one window after the last sighting is still "within".
    assert_eq!(t.observe(key(1), Time(1150), w), obs(false, Some(1050)));
    assert_eq!(t.observe(key(1), Time(1251), w), obs(true, Some(1150)));
    assert_eq!(t.len(), 1);
    assert_eq!(t.get(key(1)).unwrap().last, Time(1251));
    assert_eq!(t.get(key(2)), None);
}

#[test]
fn out_of_order_and_late_records_are_not_new() {
    let mut t = Table::new(10, LATE);
    let w = Window(100);
    assert!(t.observe(key(1), Time(5000), w).first_seen_within_window);
    // Older than the stored time: seen, and the stored time stays.
    assert_eq!(t.observe(key(1), Time(4000), w), obs(false, Some(5000)));
    assert_eq!(t.observe(key(1), Time(5000), w), obs(false, Some(5000)));
    assert_eq!(t.get(key(1)).unwrap().last, Time(5000));
    // The window counts from the newest sighting, not the late one.
    assert_eq!(t.observe(key(1), Time(5100), w), obs(false, Some(5000)));
    // Another tuple moves `latest` past key 1's window; a record for key 1
    // arriving 14 minutes late, inside its window, is still "seen".
    t.observe(key(2), Time(5100 + 100 + 14 * 60), w);
    assert_eq!(t.observe(key(1), Time(5150), w), obs(false, Some(5100)));
}

#[test]
fn expired_entries_are_absent_and_swept() {
    let mut t = Table::new(10, Window(5));
    let w = Window(10);
    t.observe(key(1), Time(0), w);
    t.observe(key(2), Time(10), Window(3600 * 5));
    // latest 15 = 0 + 10 + 5: not yet expired.
    t.observe(key(3), Time(15), w);
    assert!(t.get(key(1)).is_some());
    t.observe(key(3), Time(16), w);
    assert_eq!(t.get(key(1)), None);
    assert_eq!(t.len(), 3, "not swept before the hour turns");
    // An expired entry answers like a missing one: no previous time.
    assert_eq!(t.observe(key(1), Time(17), w), obs(true, None));
    assert_eq!(t.counters().expired, 1);
    // Crossing into the next hour of event time sweeps keys 1 and 3.
    t.observe(key(2), Time(3600), Window(3600 * 5));
    assert_eq!(t.len(), 1);
    assert_eq!(t.counters().expired, 3);
    assert!(t.get(key(2)).is_some());
}

#[test]
fn evicts_least_recently_seen_by_event_time() {
    let w = Window::days(30);
    let mut t = Table::new(3, LATE);
    t.observe(key(1), Time(10), w);
    t.observe(key(2), Time(20), w);
    t.observe(key(3), Time(30), w);
    t.observe(key(1), Time(40), w); // key 1 refreshed: key 2 is now oldest
    t.observe(key(4), Time(50), w);
    let mut left: Vec<_> = t.entries().map(|e| e.last.0).collect();
    left.sort();
    assert_eq!(left, [30, 40, 50]);
    assert_eq!(t.counters().evicted, 1);
    // A late newcomer older than everything stored is not recorded.
    assert_eq!(t.observe(key(5), Time(25), w), obs(true, None));
    assert_eq!(t.get(key(5)), None);
    assert_eq!(t.counters().evicted, 2);
    assert_eq!(t.len(), 3);
    // Ties on time go by key: the smaller key leaves first.
    let mut t = Table::new(2, LATE);
    let (a, b) = (key(7).min(key(8)), key(7).max(key(8)));
    t.observe(b, Time(100), w);
    t.observe(a, Time(100), w);
    t.observe(key(9), Time(101), w);
    assert!(t.get(a).is_none() && t.get(b).is_some());
}

#[test]
fn zero_cap_and_shrinking_cap() {
    let mut t = Table::new(0, LATE);
    assert!(
        t.observe(key(1), Time(1), Window(10))
            .first_seen_within_window
    );
    assert!(
        t.observe(key(1), Time(2), Window(10))
            .first_seen_within_window
    );
    assert_eq!((t.len(), t.counters().evicted), (0, 2));
    let mut t = Table::new(100, LATE);
    for i in 0..100 {
        t.observe(key(i), Time(i as u32), Window::days(1));
    }
    t.set_max_entries(10);
    let mut left: Vec<_> = t.entries().map(|e| e.last.0).collect();
    left.sort();
    assert_eq!(left, (90..100).collect::<Vec<_>>());
    assert_eq!(t.counters().evicted, 90);
}

#[test]
fn restore_checks_and_caps() {
    let e = |k, last| Entry {
        key: key(k),
        last: Time(last),
        window: Window(50),
    };
    assert!(Table::restore(10, LATE, Some(Time(9)), [e(1, 5), e(1, 6)]).is_err());
    assert!(Table::restore(10, LATE, Some(Time(9)), [e(1, 10)]).is_err());
    assert!(Table::restore(10, LATE, None, [e(1, 1)]).is_err());
    let t = Table::restore(2, LATE, Some(Time(9)), [e(1, 3), e(2, 1), e(3, 2)]).unwrap();
    assert_eq!(t.len(), 2);
    assert!(t.get(key(2)).is_none());
    assert_eq!(t.latest(), Some(Time(9)));
    assert_eq!(t.counters().evicted, 1);
}

/// The documented rules, written as plainly as possible.
struct Model {
    m: BTreeMap<u64, (u32, u32)>,
    max: usize,
    late: u64,
    latest: Option<u32>,
}

impl Model {
    fn observe(&mut self, k: u64, t: u32, w: u32) -> Observation {
        let late = self.late;
        let latest = match self.latest {
            Some(l) if l >= t => l,
            old => {
                self.latest = Some(t);
                if old.is_some_and(|o| t / 3600 > o / 3600) {
                    self.m.retain(|_, &mut (l, w)| {
                        u64::from(l) + u64::from(w) + late >= u64::from(t)
                    });
                }
                t
            }
        };
        let expired = |l: u32, w: u32| u64::from(l) + u64::from(w) + late < u64::from(latest);
        let fresh = obs(true, None);
        if let Some(&(l, sw)) = self.m.get(&k) {
            if expired(l, sw) {
                self.m.insert(k, (t.max(l), w));
                return fresh;
            }
            self.m.insert(k, (t.max(l), w));
            return obs(t > l && t - l > w, Some(l));
        }
        if self.max == 0 {
            return fresh;
        }
        if self.m.len() >= self.max {
            let victim = self.m.iter().map(|(&k, &(l, _))| (l, k)).min().unwrap();
            if (t, k) < victim {
                return fresh;
            }
            self.m.remove(&victim.1);
        }
        self.m.insert(k, (t, w));
        fresh
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
        let r = u128::from(self.0) * u128::from(self.0 ^ 0xe703_7ed1_a0b4_28db);
        (r as u64) ^ ((r >> 64) as u64)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn run_model(seed: u64, steps: usize, splits: bool) {
    let mut rng = Rng(seed);
    let max = [0, 1, 3, 17, 200, 5000][rng.below(6) as usize];
    let late = [0u32, 900, 3600][rng.below(3) as usize];
    let keys = [5u64, 50, 400, 20_000][rng.below(4) as usize];
    // Raw small keys all share home slot 0: long runs and wrap-around.
    let clustered = rng.below(3) == 0;
    let mk = |i: u64| {
        if clustered {
            Key::from_hash(i + 1)
        } else {
            key(i)
        }
    };
    let mut table = Table::new(max, Window(late));
    let mut model = Model {
        m: BTreeMap::new(),
        max,
        late: u64::from(late),
        latest: None,
    };
    let mut clock = 1_000_000u32;
    for step in 0..steps {
        clock += rng.below(400) as u32;
        let lag = match rng.below(10) {
            0 => rng.below(20_000) as u32, // very late
            1..=4 => rng.below(900) as u32,
            _ => 0,
        };
        let t = clock - lag;
        let w = [1u32, 60, 600, 3600, 86_400][rng.below(5) as usize];
        let k = rng.below(keys);
        let got = table.observe(mk(k), Time(t), Window(w));
        let want = model.observe(mk(k).get(), t, w);
        assert_eq!(got, want, "seed {seed} step {step}: key {k} t {t} w {w}");
        assert_eq!(table.len(), model.m.len(), "seed {seed} step {step}");
        if splits && rng.below(500) == 0 {
            // Save and restore, entries in a different order.
            let mut saved: Vec<Entry> = table.entries().collect();
            saved.reverse();
            table = Table::restore(max, Window(late), table.latest(), saved).unwrap();
        }
    }
    let mut stored: Vec<(u64, u32, u32)> = table
        .entries()
        .map(|e| (e.key.get(), e.last.0, e.window.0))
        .collect();
    stored.sort();
    let want: Vec<(u64, u32, u32)> = model.m.iter().map(|(&k, &(l, w))| (k, l, w)).collect();
    assert_eq!(stored, want, "seed {seed}");
}

#[test]
fn matches_model_on_random_streams() {
    for seed in 0..60 {
        run_model(seed, 4000, false);
    }
}

#[test]
fn save_and_restore_anywhere_changes_nothing() {
    for seed in 100..160 {
        run_model(seed, 4000, true);
    }
}

#[test]
fn memory_at_1m() {
    let mut t = Table::new(1_000_000, DEFAULT_LATENESS);
    for i in 0..1_000_000u64 {
        t.observe(key(i), Time(i as u32), Window::days(30));
    }
    assert_eq!(t.len(), 1_000_000);
    let per = t.memory_bytes() as f64 / 1e6;
    eprintln!(
        "table: {} bytes for 1M entries, {per:.1} bytes/entry",
        t.memory_bytes()
    );
    assert!(t.memory_bytes() <= 24 << 20, "{}", t.memory_bytes());
    // Full: every newcomer evicts the oldest, in order.
    for i in 0..1000u64 {
        t.observe(
            key(2_000_000 + i),
            Time(2_000_000 + i as u32),
            Window::days(30),
        );
        assert!(t.get(key(i)).is_none() && t.get(key(i + 1)).is_some());
    }
    assert_eq!(t.counters().evicted, 1000);
    assert!(t.memory_bytes() <= 24 << 20, "{}", t.memory_bytes());
}

#[test]
fn restoring_in_slot_order_is_linear() {
    // Saved entries come out sorted by home slot; inserting them into a
    // table that is still small made every run pile up (minutes at 1M).
    let mut t = Table::new(usize::MAX, DEFAULT_LATENESS);
    for i in 0..100_000u64 {
        t.observe(key(i), Time(i as u32), Window::days(30));
    }
    let start = std::time::Instant::now();
    let r = Table::restore(usize::MAX, DEFAULT_LATENESS, t.latest(), t.entries()).unwrap();
    assert_eq!(r.len(), 100_000);
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
}
