//! Memory and speed of the first-seen / dedupe state (src/state) at 1M
//! entries: bytes per entry, extra RSS, cost of an observation, save and
//! load time, file size.
//!
//! ```sh
//! cargo run --release --example state_memory [ENTRIES]
//! ```
//! Uses mimalloc, like the ctfilter binary. Prints one `name: value` per line.

use std::fmt::Write as _;
use std::time::Instant;

use ctfilter::engine::state::{Config, State, Time, Verdict, Window};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A `/proc/self/status` field in KiB (VmRSS, VmHWM).
fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| {
            l.strip_prefix(field)?
                .trim_start_matches(':')
                .trim()
                .strip_suffix(" kB")?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

const NAMES: [&str; 8] = [
    "ListSecrets",
    "GetSecretValue",
    "ListBuckets",
    "DescribeInstances",
    "GetCallerIdentity",
    "ListUsers",
    "AssumeRole",
    "ListAccessKeys",
];

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().expect("ENTRIES"));
    let rss0 = status_kib("VmRSS");
    let config = Config {
        max_entries: n,
        dedupe_max_entries: n,
        ..Config::default()
    };
    let mut state = State::new(&config);
    let fs = &mut state.first_seen;
    let rule = fs.register(
        "principal-api/by=userIdentity.arn,eventName",
        Window::days(10),
    );
    fs.set_learn_until(Some(Time(0)));
    let t0 = Time::parse("2026-01-01T00:00:00Z").unwrap().secs();
    let mut arn = String::new();
    let run = |fs: &mut ctfilter::engine::state::FirstSeen, from: usize, to: usize, dt: u32| {
        let mut new = 0usize;
        let mut arn = String::new();
        for i in from..to {
            arn.clear();
            write!(arn, "arn:aws:iam::123456789012:user/person-{i:07}").unwrap();
            let key = fs
                .key(rule)
                .field(arn.as_bytes())
                .field(NAMES[i % 8].as_bytes())
                .finish();
            let t = Time(t0 + dt + (i / 100) as u32);
            new += usize::from(fs.observe(rule, key, t).verdict == Verdict::New);
        }
        new
    };

    // The same keys built without observing them: formatting plus hashing.
    let mut keys = 0u64;
    let start = Instant::now();
    for i in 0..n {
        arn.clear();
        write!(arn, "arn:aws:iam::123456789012:user/person-{i:07}").unwrap();
        keys ^= fs
            .key(rule)
            .field(arn.as_bytes())
            .field(NAMES[i % 8].as_bytes())
            .finish()
            .get();
    }
    println!(
        "key_build_ns: {:.0} (x{keys:x})",
        start.elapsed().as_nanos() as f64 / n as f64
    );

    let start = Instant::now();
    assert_eq!(run(fs, 0, n, 0), n);
    let insert = start.elapsed();
    let rss1 = status_kib("VmRSS");
    let table = fs.table();
    println!("entries: {}", table.len());
    println!("table_bytes: {}", table.memory_bytes());
    println!(
        "bytes_per_entry: {:.1}",
        table.memory_bytes() as f64 / table.len() as f64
    );
    println!("extra_rss_mib: {:.1}", mib(rss1 - rss0));
    println!(
        "peak_rss_mib: {:.1} (whole process)",
        mib(status_kib("VmHWM"))
    );
    println!("observe_new_ns: {:.0}", insert.as_nanos() as f64 / n as f64);

    let start = Instant::now();
    assert_eq!(run(fs, 0, n, 3600), 0);
    println!(
        "observe_seen_ns: {:.0}",
        start.elapsed().as_nanos() as f64 / n as f64
    );

    let extra = n / 10;
    let start = Instant::now();
    assert_eq!(run(fs, n, n + extra, 7200), extra);
    println!(
        "observe_evicting_ns: {:.0}",
        start.elapsed().as_nanos() as f64 / extra as f64
    );
    println!("evicted: {}", fs.counters().evicted);

    let mut id = String::new();
    let start = Instant::now();
    for pass in 0..2 {
        for i in 0..n {
            id.clear();
            write!(id, "{:08x}-1c2d-4e5f-8a9b-{:012x}", i as u32, i * 7919).unwrap();
            let dup = state
                .dedupe
                .check(id.as_bytes(), Time(t0 + (i / 1000) as u32));
            assert_eq!(dup, pass == 1);
        }
    }
    println!(
        "dedupe_check_ns: {:.0}",
        start.elapsed().as_nanos() as f64 / (2 * n) as f64
    );
    println!("dedupe_entries: {}", state.dedupe.table().len());
    println!(
        "rss_both_tables_mib: {:.1}",
        mib(status_kib("VmRSS") - rss0)
    );

    let path = std::env::temp_dir().join(format!("ctfilter-state-memory-{}", std::process::id()));
    let start = Instant::now();
    state.save(&path).unwrap();
    println!("save_ms: {:.1}", start.elapsed().as_secs_f64() * 1e3);
    println!("file_bytes: {}", std::fs::metadata(&path).unwrap().len());
    drop(state);
    let start = Instant::now();
    let loaded = State::load(&path, &config).unwrap();
    println!("load_ms: {:.1}", start.elapsed().as_secs_f64() * 1e3);
    println!(
        "loaded_entries: {} + {}",
        loaded.first_seen.table().len(),
        loaded.dedupe.table().len()
    );
    std::fs::remove_file(&path).unwrap();
}
