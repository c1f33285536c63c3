//! The compact first-seen table: 64-bit tuple key -> last-seen event time,
//! bounded by expiry and by a least-recently-seen cap.
//!
//! Guarantees:
//! - **Deterministic.** Every answer and every eviction is a function of the
//!   sequence of `observe` calls (and of a restored table's entries and
//!   `latest`), never of the clock, of memory layout, of insertion order
//!   within a restored file or of a random seed. A table saved and restored
//!   between two calls answers exactly like one that was not.
//! - **Event time only, monotone.** An entry's stored time never moves
//!   backwards. A record older than (or as old as) the stored time is
//!   "seen", never "first seen", so records that arrive out of order or up
//!   to [`DEFAULT_LATENESS`] late are judged exactly as if they had arrived
//!   in time order... provided their entry still exists (see expiry).
//! - **Expiry.** `latest` is the newest event time observed. An entry is
//!   *expired* once `last + window + lateness < latest`; an expired entry is
//!   treated as absent by every call, so expiry never depends on when the
//!   sweep that frees it runs. Sweeps run when `latest` enters a new hour
//!   (of event time), so they too are a function of the input alone. A
//!   record more than `lateness` behind `latest` may therefore find its
//!   tuple expired and be reported as first seen: that is the only case in
//!   which delivery order changes an answer.
//! - **Cap.** At most `max_entries` entries. Inserting a new key into a full
//!   table evicts the entry with the smallest `(last seen, key)` (least
//!   recently seen by event time; the key breaks ties deterministically).
//!   That can be the newcomer itself, when it is older than everything
//!   stored: it is then not recorded. Each of these counts as an eviction.
//!   Expired entries not yet swept occupy room like live ones.
//! - **Compact.** 16 bytes per slot (key, last-seen, window); the table is
//!   at most 3/4 full, and grows by doubling only up to what `max_entries`
//!   needs, so 1M entries take about 21 MiB (see `tests::memory_at_1m`).
//!   Slots live in their own memory mapping ([`super::zeroed`]), so the
//!   arrays left behind by growth go back to the OS at once.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::hash::Key;
use super::time::{Time, Window};
use super::zeroed::{ZeroIsValid, ZeroedArray};

/// How late a record may arrive, behind the newest event time seen, and
/// still find its tuple if that tuple's window has just passed. CloudTrail
/// delivers within about 15 minutes; an hour leaves room.
pub const DEFAULT_LATENESS: Window = Window::hours(1);

/// Expired entries are swept when `latest` crosses a multiple of this.
const SWEEP_PERIOD: u32 = 3600;

/// Slots sampled to pick the eviction candidates' time bound.
const SAMPLE: usize = 4096;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(C)]
struct Slot {
    /// 0 = empty.
    key: u64,
    last: u32,
    window: u32,
}

// SAFETY: integers only; all zero is the empty slot.
unsafe impl ZeroIsValid for Slot {}

impl Slot {
    fn expired(self, latest: u64, lateness: u32) -> bool {
        u64::from(self.last) + u64::from(self.window) + u64::from(lateness) < latest
    }
}

/// What `observe` found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observation {
    /// No live entry, or the stored time is more than `window` before this
    /// record's time.
    pub first_seen_within_window: bool,
    /// The stored last-seen time before this call (`None` if there was no
    /// live entry). For a record older than the stored time this is later
    /// than the record.
    pub previous: Option<Time>,
}

/// One stored entry, for persistence and inspection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    pub key: Key,
    pub last: Time,
    pub window: Window,
}

/// Counts since the table was created or restored (not persisted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Entries dropped by the `max_entries` cap (including newcomers not
    /// recorded because they were the least recently seen).
    pub evicted: u64,
    /// Entries dropped or replaced because their window had passed.
    pub expired: u64,
}

#[derive(Debug)]
pub struct Table {
    slots: ZeroedArray<Slot>,
    len: usize,
    max_entries: usize,
    lateness: u32,
    latest: Option<Time>,
    /// Eviction candidates, smallest `(last, key)` first. Invariant: every
    /// entry whose `last < bound` has an item here with its current `last`.
    /// Items may be stale (entry gone or refreshed); they are checked when
    /// they reach the top. Derived data: never saved.
    cand: BinaryHeap<Reverse<(u32, u64)>>,
    bound: u64,
    counters: Counters,
}

impl Table {
    pub fn new(max_entries: usize, lateness: Window) -> Table {
        Table {
            slots: ZeroedArray::new(0),
            len: 0,
            max_entries,
            lateness: lateness.as_secs(),
            latest: None,
            cand: BinaryHeap::new(),
            bound: 0,
            counters: Counters::default(),
        }
    }

    /// Rebuild a saved table. Entries may come in any order; a repeated key
    /// is an error. If there are more than `max_entries`, the least
    /// recently seen are evicted (and counted) until the cap holds.
    pub fn restore(
        max_entries: usize,
        lateness: Window,
        latest: Option<Time>,
        entries: impl IntoIterator<Item = Entry>,
    ) -> Result<Table, &'static str> {
        let mut table = Table::new(max_entries, lateness);
        table.latest = latest;
        let entries = entries.into_iter();
        // Size for everything first: entries come in the saved table's slot
        // order, and inserting them into a smaller table would pile them up
        // into a few long runs (quadratic).
        let (low, high) = entries.size_hint();
        table.resize_for(high.unwrap_or(low));
        for e in entries {
            if latest.is_none_or(|l| e.last > l) {
                return Err("an entry is newer than the newest time seen");
            }
            table.reserve_one();
            match table.probe(e.key.get()) {
                Ok(_) => return Err("a key is stored twice"),
                Err(i) => table.fill(i, e.key.get(), e.last.0, e.window.0),
            }
        }
        table.set_max_entries(max_entries);
        Ok(table)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// The newest event time observed (the watermark that drives expiry).
    pub fn latest(&self) -> Option<Time> {
        self.latest
    }

    pub fn counters(&self) -> Counters {
        self.counters
    }

    /// Heap bytes held by the table (slots and eviction candidates).
    pub fn memory_bytes(&self) -> usize {
        self.slots.len() * std::mem::size_of::<Slot>()
            + self.cand.capacity() * std::mem::size_of::<Reverse<(u32, u64)>>()
    }

    /// Change the cap; evicts the least recently seen down to it.
    pub fn set_max_entries(&mut self, max_entries: usize) {
        self.max_entries = max_entries;
        while self.len > max_entries {
            let (_, key) = self.min_entry();
            let i = self.probe(key).expect("candidate is stored");
            self.remove_at(i);
            self.counters.evicted += 1;
        }
    }

    /// Every stored entry, in no particular order. Includes expired entries
    /// not yet swept: saving them keeps a restored table identical.
    pub fn entries(&self) -> impl Iterator<Item = Entry> + '_ {
        self.slots.iter().filter(|s| s.key != 0).map(|s| Entry {
            key: Key::from_stored(s.key).expect("occupied"),
            last: Time(s.last),
            window: Window(s.window),
        })
    }

    /// The live entry for `key`, without recording anything.
    pub fn get(&self, key: Key) -> Option<Entry> {
        let latest = u64::from(self.latest?.0);
        let s = self.slots[self.probe(key.get()).ok()?];
        (!s.expired(latest, self.lateness)).then_some(Entry {
            key,
            last: Time(s.last),
            window: Window(s.window),
        })
    }

    /// Record that `key` occurred at event time `t`, and say whether that
    /// is a first sighting within `window`. See the module header.
    pub fn observe(&mut self, key: Key, t: Time, window: Window) -> Observation {
        let (k, t, w) = (key.get(), t.0, window.0);
        let latest = match self.latest {
            Some(l) if l.0 >= t => l.0,
            old => {
                self.latest = Some(Time(t));
                if old.is_some_and(|o| t / SWEEP_PERIOD > o.0 / SWEEP_PERIOD) {
                    self.sweep();
                }
                t
            }
        };
        let fresh = Observation {
            first_seen_within_window: true,
            previous: None,
        };
        match self.probe(k) {
            Ok(i) => {
                let s = self.slots[i];
                if s.expired(u64::from(latest), self.lateness) {
                    // Treated as absent; the stored time still never goes back.
                    self.counters.expired += 1;
                    self.set(i, t.max(s.last), w);
                    return fresh;
                }
                let previous = Some(Time(s.last));
                if t > s.last {
                    self.set(i, t, w);
                    Observation {
                        first_seen_within_window: t - s.last > w,
                        previous,
                    }
                } else {
                    self.slots[i].window = w;
                    Observation {
                        first_seen_within_window: false,
                        previous,
                    }
                }
            }
            Err(_) if self.max_entries == 0 => {
                self.counters.evicted += 1;
                fresh
            }
            Err(mut at) => {
                if self.len >= self.max_entries {
                    let victim = self.min_entry();
                    self.counters.evicted += 1;
                    if (t, k) < victim {
                        return fresh;
                    }
                    let i = self.probe(victim.1).expect("candidate is stored");
                    self.remove_at(i);
                    at = self.probe(k).unwrap_err();
                } else if self.reserve_one() {
                    at = self.probe(k).unwrap_err();
                }
                self.fill(at, k, t, w);
                fresh
            }
        }
    }

    /// Ideal slot of a key (multiply-shift range reduction: any capacity).
    #[inline]
    fn home(&self, key: u64) -> usize {
        ((u128::from(key) * self.slots.len() as u128) >> 64) as usize
    }

    #[inline]
    fn next(&self, i: usize) -> usize {
        if i + 1 == self.slots.len() {
            0
        } else {
            i + 1
        }
    }

    /// `Ok(slot)` holding `key`, or `Err(empty slot)` where it would go.
    /// `Err(0)` on an unallocated table.
    #[inline]
    fn probe(&self, key: u64) -> Result<usize, usize> {
        if self.slots.is_empty() {
            return Err(0);
        }
        let mut i = self.home(key);
        loop {
            match self.slots[i].key {
                k if k == key => return Ok(i),
                0 => return Err(i),
                _ => i = self.next(i),
            }
        }
    }

    fn set(&mut self, i: usize, last: u32, window: u32) {
        let s = &mut self.slots[i];
        s.last = last;
        s.window = window;
        let key = s.key;
        self.note_candidate(last, key);
    }

    fn fill(&mut self, i: usize, key: u64, last: u32, window: u32) {
        self.slots[i] = Slot { key, last, window };
        self.len += 1;
        self.note_candidate(last, key);
    }

    fn note_candidate(&mut self, last: u32, key: u64) {
        if u64::from(last) < self.bound {
            if self.cand.len() > SAMPLE.max(self.len / 4) {
                // Too many stale items: drop them all; bound 0 keeps the
                // invariant trivially and the next eviction rebuilds.
                self.cand.clear();
                self.bound = 0;
            } else {
                self.cand.push(Reverse((last, key)));
            }
        }
    }

    /// Make room for one more entry: grow (double, up to what the cap
    /// needs) when the table would pass 3/4 full. True if it moved slots.
    fn reserve_one(&mut self) -> bool {
        if (self.len + 1) * 4 <= self.slots.len() * 3 {
            return false;
        }
        let need = slots_for(self.max_entries.max(self.len + 1));
        self.rehash(
            (self.slots.len() * 2)
                .clamp(16, need)
                .max(slots_for(self.len + 1)),
        );
        true
    }

    /// Grow (never shrink) to hold `n` entries without rehashing.
    fn resize_for(&mut self, n: usize) {
        if slots_for(n) > self.slots.len() {
            self.rehash(slots_for(n));
        }
    }

    fn rehash(&mut self, cap: usize) {
        let old = std::mem::replace(&mut self.slots, ZeroedArray::new(cap));
        for &s in old.iter().filter(|s| s.key != 0) {
            let i = self.probe(s.key).unwrap_err();
            self.slots[i] = s;
        }
    }

    /// Delete slot `i` by shifting later members of its run back into the
    /// hole (no tombstones).
    fn remove_at(&mut self, mut hole: usize) {
        let cap = self.slots.len();
        let mut j = hole;
        loop {
            j = self.next(j);
            let s = self.slots[j];
            if s.key == 0 {
                break;
            }
            let home = self.home(s.key);
            // s may fill the hole if the hole lies between its home and j.
            if (j + cap - home) % cap >= (j + cap - hole) % cap {
                self.slots[hole] = s;
                hole = j;
            }
        }
        self.slots[hole] = Slot::default();
        self.len -= 1;
    }

    /// Remove every expired entry.
    fn sweep(&mut self) {
        let (Some(latest), true) = (self.latest, self.len > 0) else {
            return;
        };
        let latest = u64::from(latest.0);
        let cap = self.slots.len();
        // Start just after an empty slot, so no run wraps past the start and
        // shifted entries only ever move into the slot being examined.
        let start = self
            .slots
            .iter()
            .position(|s| s.key == 0)
            .expect("never full");
        let mut i = self.next(start);
        for _ in 0..cap {
            while self.slots[i].key != 0 && self.slots[i].expired(latest, self.lateness) {
                self.remove_at(i);
                self.counters.expired += 1;
            }
            i = self.next(i);
        }
    }

    /// The stored entry with the smallest `(last, key)`. Table not empty.
    fn min_entry(&mut self) -> (u32, u64) {
        loop {
            while let Some(&Reverse((last, key))) = self.cand.peek() {
                if self.probe(key).is_ok_and(|i| self.slots[i].last == last) {
                    return (last, key);
                }
                self.cand.pop();
            }
            self.refill();
        }
    }

    /// Rebuild the candidates: about the oldest 1/16 of the entries, chosen
    /// by a time bound estimated from a sample of slots.
    fn refill(&mut self) {
        let stride = (self.slots.len() / SAMPLE).max(1);
        let mut sample: Vec<u32> = (0..self.slots.len())
            .step_by(stride)
            .map(|i| self.slots[i])
            .filter(|s| s.key != 0)
            .map(|s| s.last)
            .collect();
        if sample.is_empty() {
            sample = self
                .slots
                .iter()
                .filter(|s| s.key != 0)
                .map(|s| s.last)
                .collect();
        }
        let at = sample.len() / 16;
        let (_, &mut cut, _) = sample.select_nth_unstable(at);
        self.bound = u64::from(cut) + 1;
        self.cand.clear();
        let bound = self.bound;
        self.cand.extend(
            self.slots
                .iter()
                .filter(|s| s.key != 0 && u64::from(s.last) < bound)
                .map(|s| Reverse((s.last, s.key))),
        );
    }
}

/// Slots that hold `n` entries at most 3/4 full.
fn slots_for(n: usize) -> usize {
    (n.saturating_mul(4).div_ceil(3) + 1).max(16)
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;
