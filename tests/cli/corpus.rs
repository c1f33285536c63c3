//! Real-world samples: every TrailDiscover event file (pretty-printed arrays
//! and objects) goes through without a single dead letter. Skipped when the
//! shared data folder is not there.

use crate::util::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn traildiscover() -> Option<PathBuf> {
    let dir = root().join("../shared/data/traildiscover");
    dir.is_dir().then_some(dir)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.to_string_lossy().ends_with(".json.cloudtrail") {
            out.push(path);
        }
    }
}

#[test]
fn every_traildiscover_event_file_is_read_without_dead_letters() {
    let Some(dir) = traildiscover() else {
        notice("skipping: ../shared/data/traildiscover not found");
        return;
    };
    let mut files = Vec::new();
    collect(&dir.join("events"), &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no *.json.cloudtrail files under {}",
        dir.display()
    );
    let mut expected = 0u64;
    for file in &files {
        let value: Value = serde_json::from_slice(&std::fs::read(file).unwrap())
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", file.display()));
        expected += match &value {
            Value::Array(items) => items.len() as u64,
            Value::Object(_) => 1,
            _ => 0,
        };
    }
    let tmp = TempDir::new("corpus");
    let dead = tmp.file("dead.ndjson");
    let out = ctfilter(&["--events", "*", "--stats", "--dead-letter", &dead])
        .args(files.iter().map(|f| f.as_os_str().to_owned()))
        .run();
    out.assert_code(0);
    let dead_text = std::fs::read_to_string(&dead).unwrap_or_default();
    assert!(
        dead_text.is_empty(),
        "dead letters from the TrailDiscover corpus:\n{}",
        dead_text
            .lines()
            .map(|l| truncate(l, 300) + "\n")
            .collect::<String>()
    );
    assert_eq!(out.stderr_without_stats(), "");
    let stats = out.stats();
    assert_eq!(stats["dead_lettered"], 0, "{stats}");
    assert_eq!(stats["emitted"], expected, "{stats}");
    assert_eq!(stats["balanced"], true);
}

#[test]
fn every_traildiscover_record_comes_out_on_one_line_equal_to_its_input() {
    let Some(dir) = traildiscover() else {
        notice("skipping: ../shared/data/traildiscover not found");
        return;
    };
    let mut files = Vec::new();
    collect(&dir.join("events"), &mut files);
    files.sort();
    let mut expected = Vec::new();
    for file in &files {
        match serde_json::from_slice::<Value>(&std::fs::read(file).unwrap()).unwrap() {
            Value::Array(items) => expected.extend(items),
            object @ Value::Object(_) => expected.push(object),
            _ => {}
        }
    }
    let out = ctfilter(&["--events", "*"])
        .args(files.iter().map(|f| f.as_os_str().to_owned()))
        .run();
    out.assert_clean();
    let records = out.records();
    assert_eq!(records.len(), expected.len());
    for (n, (got, want)) in records.iter().zip(&expected).enumerate() {
        assert_eq!(&without_key(got, "ctfilter"), want, "record {n}");
    }
}
