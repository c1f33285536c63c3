//! Tests of `file.rs`: round trips, every truncation, every flipped bit,
//! foreign and newer files, failed saves and stale temporary files.

use super::super::first_seen::{RuleId, Verdict};
use super::super::Opened;
use super::*;
use std::path::PathBuf;

/// A fresh directory under the system temp dir, removed on drop.
pub(super) struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let seq = SAVES.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("ctfilter-state-{tag}-{}-{seq}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn config() -> Config {
    Config {
        max_entries: 1000,
        dedupe_max_entries: 1000,
        ..Config::default()
    }
}

/// Registers the rule keyed on (arn, eventName) that the tests share.
fn principal_api(s: &mut State) -> RuleId {
    s.first_seen
        .register("principal-api/by=arn,eventName", Window::days(10))
}

/// The key of `user` calling ListSecrets, for rule `rule`.
fn list_secrets_key(s: &State, rule: RuleId, user: &str) -> super::super::hash::Key {
    s.first_seen
        .key(rule)
        .field(user.as_bytes())
        .field(b"ListSecrets")
        .finish()
}

/// A small state with a bit of everything.
fn sample() -> State {
    let mut s = State::new(&config());
    let a = principal_api(&mut s);
    let b = s
        .first_seen
        .register("region/by=arn,awsRegion", Window::days(5));
    for i in 0..50u32 {
        let user = format!("user{}", i % 7);
        let t = Time(500_000_000 + i * 3000);
        let k = list_secrets_key(&s, a, &user);
        s.first_seen.observe(a, k, t);
        let k = s
            .first_seen
            .key(b)
            .field(user.as_bytes())
            .maybe(None)
            .finish();
        s.first_seen.observe(b, k, t);
        s.dedupe.check(format!("id-{}", i % 40).as_bytes(), t);
    }
    s
}

fn entries(t: &Table) -> Vec<(u64, u32, u32)> {
    let mut v: Vec<_> = t
        .entries()
        .map(|e| (e.key.get(), e.last.secs(), e.window.as_secs()))
        .collect();
    v.sort();
    v
}

fn assert_same(a: &State, b: &State) {
    assert_eq!(entries(a.first_seen.table()), entries(b.first_seen.table()));
    assert_eq!(entries(a.dedupe.table()), entries(b.dedupe.table()));
    assert_eq!(a.first_seen.table().latest(), b.first_seen.table().latest());
    assert_eq!(a.dedupe.table().latest(), b.dedupe.table().latest());
    assert_eq!(a.first_seen.created(), b.first_seen.created());
    assert_eq!(a.first_seen.latest(), b.first_seen.latest());
    assert_eq!(
        a.first_seen.learn_until_override(),
        b.first_seen.learn_until_override()
    );
    assert_eq!(a.first_seen.records(), b.first_seen.records());
}

fn bytes(state: &State) -> Vec<u8> {
    let mut v = Vec::new();
    encode(state, &mut v).unwrap();
    v
}

#[test]
fn round_trip_keeps_everything_and_answers_alike() {
    let dir = TempDir::new("round");
    let path = dir.path("state");
    let mut s = sample();
    s.first_seen.set_learn_until(Some(Time(500_060_000)));
    s.save(&path).unwrap();
    let mut l = State::load(&path, &config()).unwrap();
    assert_same(&s, &l);
    assert_eq!(bytes(&s), fs::read(&path).unwrap());
    // Both go on to give the same answers.
    let ra = principal_api(&mut s);
    let rb = principal_api(&mut l);
    for i in 0..20u32 {
        let user = format!("user{}", i % 11);
        let t = Time(500_100_000 + i * 100);
        let ka = list_secrets_key(&s, ra, &user);
        let kb = list_secrets_key(&l, rb, &user);
        assert_eq!(
            s.first_seen.observe(ra, ka, t),
            l.first_seen.observe(rb, kb, t)
        );
        let id = format!("id-{}", i * 3);
        assert_eq!(
            s.dedupe.check(id.as_bytes(), t),
            l.dedupe.check(id.as_bytes(), t)
        );
    }
    assert!(l.dedupe.duplicates() > 0);
    // No temporary file is left behind.
    assert_eq!(fs::read_dir(&dir.0).unwrap().count(), 1);
}

#[test]
fn empty_state_round_trips() {
    let dir = TempDir::new("empty");
    let path = dir.path("s");
    let s = State::new(&config());
    s.save(&path).unwrap();
    let l = State::load(&path, &config()).unwrap();
    assert_same(&s, &l);
    assert_eq!(
        fs::metadata(&path).unwrap().len(),
        HEADER + 3 * OPT_TIME + 4 + 13 + 4 + 13 + TRAILER
    );
}

#[test]
fn smaller_cap_at_load_evicts_oldest() {
    let dir = TempDir::new("cap");
    let path = dir.path("s");
    let s = sample();
    s.save(&path).unwrap();
    let small = Config {
        max_entries: 3,
        dedupe_max_entries: 2,
        ..config()
    };
    let l = State::load(&path, &small).unwrap();
    // What is left is the most recently seen, by (last, key).
    let top = |t: &Table, n: usize| {
        let mut v: Vec<_> = t.entries().map(|e| (e.last, e.key)).collect();
        v.sort();
        v.split_off(v.len() - n)
    };
    assert_eq!(top(l.first_seen.table(), 3), top(s.first_seen.table(), 3));
    assert_eq!(top(l.dedupe.table(), 2), top(s.dedupe.table(), 2));
    assert_eq!(
        l.first_seen.table().counters().evicted as usize,
        s.first_seen.table().len() - 3
    );
}

#[test]
fn missing_file_is_its_own_case() {
    let dir = TempDir::new("missing");
    let e = State::load(&dir.path("nope"), &config()).unwrap_err();
    assert!(e.is_missing(), "{e:?}");
    assert_eq!(e.to_string(), "no such state file");
    let e = State::load(&dir.0, &config()).unwrap_err();
    assert!(matches!(e, LoadError::Io(_)), "a directory: {e:?}");
}

fn load_bytes(dir: &TempDir, data: &[u8]) -> Result<State, LoadError> {
    let path = dir.path("x");
    fs::write(&path, data).unwrap();
    State::load(&path, &config())
}

#[test]
fn foreign_files_are_refused() {
    let dir = TempDir::new("foreign");
    for data in [
        &b"{\"Records\":[]}\n"[..],
        b"CTFSTATX and more bytes here",
        b"\x1f\x8b\x08\x00",
        b"X",
    ] {
        let e = load_bytes(&dir, data).unwrap_err();
        assert!(matches!(e, LoadError::Foreign), "{e:?}");
        assert_eq!(e.to_string(), "not a ctfilter state file");
    }
}

#[test]
fn every_truncation_is_reported_as_such() {
    let dir = TempDir::new("trunc");
    let full = bytes(&sample());
    for cut in 0..full.len() {
        match load_bytes(&dir, &full[..cut]) {
            Err(LoadError::Truncated { len, expected }) => {
                assert_eq!(len, cut as u64);
                assert!(expected > len);
            }
            other => panic!("cut at {cut}: {:?}", other.map(|_| ())),
        }
    }
    let e = load_bytes(&dir, &full[..100]).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("state file is truncated (100 of {} bytes)", full.len())
    );
    let mut longer = full.clone();
    longer.push(0);
    assert!(matches!(
        load_bytes(&dir, &longer),
        Err(LoadError::Corrupt(_))
    ));
}

#[test]
fn every_flipped_bit_is_caught() {
    let dir = TempDir::new("flip");
    let full = bytes(&sample());
    for at in 0..full.len() {
        for bit in [0, 3, 7] {
            let mut bad = full.clone();
            bad[at] ^= 1 << bit;
            match load_bytes(&dir, &bad) {
                Ok(_) => panic!("byte {at} bit {bit} went unnoticed"),
                Err(LoadError::Foreign) => assert!(at < 8),
                Err(LoadError::Newer { .. }) => assert!((8..10).contains(&at)),
                Err(LoadError::Truncated { .. }) => assert!((16..24).contains(&at)),
                Err(LoadError::Corrupt(_)) => {}
                Err(e) => panic!("byte {at}: {e:?}"),
            }
        }
    }
    let mut bad = full.clone();
    let mid = bad.len() / 2;
    bad[mid] ^= 0x40;
    let e = load_bytes(&dir, &bad).unwrap_err();
    assert_eq!(e.to_string(), "state file is corrupt (checksum mismatch)");
}

#[test]
fn newer_versions_are_refused() {
    let dir = TempDir::new("newer");
    let mut data = bytes(&sample());
    data[8..10].copy_from_slice(&2u16.to_le_bytes());
    let e = load_bytes(&dir, &data).unwrap_err();
    assert!(matches!(e, LoadError::Newer { version: 2 }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "state file version 2 is newer than this ctfilter supports (1)"
    );
    // A newer version is recognised even when its layout is unknown.
    let mut short = data[..10].to_vec();
    short.extend_from_slice(&[9; 30]);
    assert!(matches!(
        load_bytes(&dir, &short),
        Err(LoadError::Newer { version: 2 })
    ));
}

#[test]
fn structure_is_checked_behind_a_valid_checksum() {
    let dir = TempDir::new("struct");
    // Rewrite one field and fix the checksum: the structure check catches it.
    let reseal = |mut d: Vec<u8>| {
        let n = d.len() - 4;
        let crc = crc32fast::hash(&d[..n]);
        d[n..].copy_from_slice(&crc.to_le_bytes());
        d
    };
    let good = bytes(&sample());
    let mut bad = good.clone();
    bad[24] = 7; // `created` presence flag
    assert!(matches!(
        load_bytes(&dir, &reseal(bad)),
        Err(LoadError::Corrupt("bad time field"))
    ));
    // An entry count larger than the file.
    let state = State::new(&config());
    let mut bad = bytes(&state);
    let at = 24 + 3 * 5 + 4 + 5;
    bad[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        load_bytes(&dir, &reseal(bad)),
        Err(LoadError::Corrupt(_))
    ));
    assert!(load_bytes(&dir, &reseal(good)).is_ok());
}

#[test]
fn failed_saves_touch_nothing() {
    let dir = TempDir::new("fail");
    // The target is a non-empty directory: the rename fails.
    let target = dir.path("busy");
    fs::create_dir(&target).unwrap();
    fs::write(target.join("keep"), b"x").unwrap();
    let e = sample().save(&target).unwrap_err();
    assert_eq!(e.step, SaveStep::Rename);
    assert!(e
        .to_string()
        .starts_with("cannot rename the new state file into place: "));
    assert!(target.join("keep").exists());
    let names: Vec<_> = fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["busy"], "temporary file removed");
    // The directory does not exist: nothing can be written.
    let e = sample().save(&dir.path("no/such/dir/state")).unwrap_err();
    assert_eq!(e.step, SaveStep::Write);
}

#[test]
fn saves_replace_and_clean_up_stale_temps() {
    let dir = TempDir::new("stale");
    let path = dir.path("state.bin");
    // A PID that has certainly exited: a child we waited for.
    let mut dead = std::process::Command::new("true").spawn().unwrap();
    let pid = dead.id();
    dead.wait().unwrap();
    let me = std::process::id();
    fs::write(dir.path(&format!("state.bin.tmp.{pid}.5.0")), b"half").unwrap();
    // Our PID from an earlier incarnation (a previous container run).
    let earlier = format!("state.bin.tmp.{me}.{:x}.0", incarnation() ^ 1);
    fs::write(dir.path(&earlier), b"old").unwrap();
    fs::write(dir.path("state.bin.tmp.notapid"), b"other").unwrap();
    // Ours, as if another save of this process were in flight.
    let mine = temp_name(&path, 1 << 40);
    fs::write(dir.path(&mine), b"in flight").unwrap();
    State::new(&config()).save(&path).unwrap();
    let mut s = sample();
    s.save(&path).unwrap();
    let mut names: Vec<_> = fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["state.bin", &mine, "state.bin.tmp.notapid"]);
    let l = State::load(&path, &config()).unwrap();
    assert_same(&s, &l);
    let r = s
        .first_seen
        .register("principal-api/by=arn,eventName", Window::days(10));
    let k = s
        .first_seen
        .key(r)
        .field(b"user1")
        .field(b"ListSecrets")
        .finish();
    assert_eq!(
        s.first_seen.observe(r, k, Time(500_200_000)).verdict,
        Verdict::Seen
    );
}

#[test]
fn open_starts_fresh_only_when_allowed() {
    let dir = TempDir::new("open");
    let path = dir.path("s");
    let (_, how) = State::open(&path, &config(), false).unwrap();
    assert_eq!(how, Opened::Fresh);
    sample().save(&path).unwrap();
    let (s, how) = State::open(&path, &config(), false).unwrap();
    assert_eq!(
        (how, s.stats().entries),
        (Opened::Loaded, sample().stats().entries)
    );
    fs::write(&path, b"garbage").unwrap();
    assert!(matches!(
        State::open(&path, &config(), false),
        Err(LoadError::Foreign)
    ));
    let (s, how) = State::open(&path, &config(), true).unwrap();
    assert_eq!((how, s.stats().entries), (Opened::Reset, 0));
    assert_eq!(fs::read(&path).unwrap(), b"garbage", "open never writes");
}

/// One stream, run straight through and run with save/load splits: the
/// answers must be identical (the "split the replay" criterion, at
/// the level of this module: rules, learning, expiry, eviction, dedupe).
#[test]
fn split_runs_through_the_file_match_one_run() {
    let cfg = Config {
        max_entries: 60,
        dedupe_max_entries: 40,
        dedupe_window: Window::minutes(20),
        lateness: Window::minutes(15),
    };
    let rules = [
        ("a/by=user", Window::hours(6)),
        ("b/by=user,api", Window::days(1)),
    ];
    let dir = TempDir::new("split");
    let path = dir.path("s");
    for seed in 0..6u64 {
        let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut rand = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        let mut clock = 400_000_000u32;
        let mut events: Vec<(usize, u64, u64, u32, u64)> = Vec::new();
        for i in 0..3000u64 {
            clock += rand(240) as u32;
            let t = clock - rand(600) as u32;
            let (rule, user, api) = (rand(2) as usize, rand(90), rand(4));
            if i > 10 && rand(8) == 0 {
                // A redelivery: a recent record's eventID and time.
                let (_, _, _, t, id) = events[(i - 1 - rand(10)) as usize];
                events.push((rule, user, api, t, id));
            } else {
                events.push((rule, user, api, t, i));
            }
        }
        let run = |splits: &[usize]| {
            let mut state = State::new(&cfg);
            let mut ids: Vec<RuleId> = rules
                .iter()
                .map(|(n, w)| state.first_seen.register(n, *w))
                .collect();
            let mut out = Vec::new();
            for (i, &(rule, user, api, t, event)) in events.iter().enumerate() {
                if splits.contains(&i) {
                    state.save(&path).unwrap();
                    state = State::load(&path, &cfg).unwrap();
                    ids = rules
                        .iter()
                        .map(|(n, w)| state.first_seen.register(n, *w))
                        .collect();
                }
                let fs = &mut state.first_seen;
                let mut k = fs.key(ids[rule]).field(format!("user{user}").as_bytes());
                if rule == 1 {
                    k = k.field(format!("api{api}").as_bytes());
                }
                let o = fs.observe(ids[rule], k.finish(), Time(t));
                let dup = state.dedupe.check(format!("{event}").as_bytes(), Time(t));
                out.push((o, dup));
            }
            out
        };
        let straight = run(&[]);
        let verdicts = |v: Verdict| straight.iter().filter(|(o, _)| o.verdict == v).count();
        assert!(
            verdicts(Verdict::New) > 50
                && verdicts(Verdict::Learning) > 50
                && verdicts(Verdict::Seen) > 50
        );
        assert!(straight.iter().filter(|(_, d)| *d).count() > 20);
        let splits: Vec<usize> = (0..8).map(|_| rand(3000) as usize).collect();
        assert_eq!(straight, run(&splits), "seed {seed}, splits {splits:?}");
    }
}
