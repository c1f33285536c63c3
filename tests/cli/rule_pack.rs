//! The default rule pack as users run it: its embedded tests pass, `check`
//! finds nothing to complain about, it covers at least 150 event pairs, the
//! well-known attack simulations come out kept at medium or above, and every
//! TrailDiscover record gets the reviewed decision in
//! `tests/golden/traildiscover-decisions.tsv`.

use crate::util::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const NOW: &str = "2026-01-15T10:05:00Z";

#[test]
fn every_embedded_rule_test_passes() {
    let out = ctfilter(&["test"]).run();
    out.assert_code(0);
    let last = out.stdout.lines().last().unwrap_or_default().to_string();
    let passed: usize = last
        .strip_prefix("rule tests: ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected summary line: {last}"));
    assert!(last.ends_with(" 0 failed"), "{last}");
    assert!(passed >= 300, "only {passed} embedded tests ran");
    assert!(!out.stdout.contains("FAIL "), "{}", out.stdout);
}

#[test]
fn check_finds_no_problem_in_the_default_pack() {
    let out = ctfilter(&["check"]).run();
    out.assert_code(0);
    let problems: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("warning:"))
        .collect();
    assert!(
        problems.is_empty(),
        "check warnings:\n{}",
        problems.join("\n")
    );
    let covered: usize = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("event pairs covered: "))
        .and_then(|n| n.trim().parse().ok())
        .expect("check prints the pairs covered");
    assert!(
        covered >= 150,
        "the default pack covers only {covered} event pairs"
    );
}

#[test]
fn check_flags_rules_without_the_required_tests() {
    let tmp = TempDir::new("rule-pack");
    let file = tmp.file("untested.yml");
    std::fs::write(
        &file,
        "rules:\n  - id: u1\n    title: U\n    severity: low\n    category: x\n    events: [iam:CreateUser]\n    when: {requestParameters.userName|startswith: tmp}\n",
    )
    .unwrap();
    let out = ctfilter(&["check", "--no-default-rules", &file]).run();
    out.assert_code(0);
    assert!(
        out.stdout.contains("has no test that must match"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("no test that must not match"),
        "{}",
        out.stdout
    );
}

#[test]
fn every_rule_carries_tests_and_metadata() {
    let out = ctfilter(&["rules", "--json"]).run();
    out.assert_code(0);
    let rules: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert!(rules.len() >= 150, "{} rules", rules.len());
    let mut ids = BTreeSet::new();
    for rule in &rules {
        let id = rule["id"].as_str().unwrap();
        assert!(ids.insert(id.to_string()), "duplicate id {id}");
        for field in ["title", "severity", "category", "rationale"] {
            assert!(
                rule[field].as_str().is_some_and(|s| !s.is_empty()),
                "rule {id} lacks {field}"
            );
        }
        assert!(
            rule["attack"].as_array().is_some_and(|a| !a.is_empty()),
            "rule {id} has no ATT&CK ids"
        );
        assert!(
            rule["tests_match"].as_u64().unwrap() >= 1,
            "rule {id} has no matching test"
        );
        if rule["conditional"] == Value::Bool(true) {
            assert!(
                rule["tests_nomatch"].as_u64().unwrap() >= 1,
                "conditional rule {id} has no non-matching test"
            );
        }
    }
}

#[test]
fn well_known_attack_simulations_are_kept_at_medium_or_above_with_no_flags() {
    let input = fixture_bytes("attacks.ndjson");
    let labels: Vec<(String, String)> = std::fs::read_to_string(fixture("attacks.labels"))
        .unwrap()
        .lines()
        .map(|l| {
            let mut parts = l.split('\t');
            (
                parts.next().unwrap().to_string(),
                parts.nth(1).unwrap().to_string(),
            )
        })
        .collect();
    let out = ctfilter(&["--now", NOW]).stdin(input).run();
    out.assert_clean();
    let kept: BTreeMap<String, Value> = out
        .records()
        .into_iter()
        .map(|r| (r["requestID"].as_str().unwrap().to_string(), r))
        .collect();
    for (request, label) in &labels {
        let record = kept
            .get(request)
            .unwrap_or_else(|| panic!("attack '{label}' ({request}) was dropped"));
        let severity = record["ctfilter"]["severity"].as_str().unwrap();
        assert!(
            matches!(severity, "medium" | "high" | "critical"),
            "attack '{label}' kept only at {severity}"
        );
    }
    assert_eq!(kept.len(), labels.len());
}

fn traildiscover_files() -> Option<(PathBuf, Vec<PathBuf>)> {
    let dir = root().join("../shared/data/traildiscover/events");
    if !dir.is_dir() {
        return None;
    }
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.to_string_lossy().ends_with(".json.cloudtrail") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&dir, &mut files);
    files.sort();
    Some((dir, files))
}

/// One row per TrailDiscover record: file, index in file, event, decision,
/// severity. The golden file is the reviewed expectation; regenerate it with
/// UPDATE_GOLDEN=1 and review the diff like any rule change.
#[test]
fn traildiscover_records_get_the_reviewed_decisions() {
    let Some((dir, files)) = traildiscover_files() else {
        notice("skipping: ../shared/data/traildiscover not found");
        return;
    };
    let out = ctfilter(&["explain", "--json", "--now", NOW])
        .args(files.iter().map(|f| f.as_os_str().to_owned()))
        .run();
    out.assert_code(0);
    assert!(
        out.stderr_without_stats().trim().is_empty(),
        "dead letters or errors: {}",
        out.stderr
    );
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut rows = String::new();
    let (mut total, mut kept) = (0usize, 0usize);
    let mut names_all = BTreeSet::new();
    let mut names_kept = BTreeSet::new();
    let mut dropped = Vec::new();
    for line in out.stdout.lines() {
        let trace: Value = serde_json::from_str(line).unwrap();
        let source = trace["source"].as_str().unwrap();
        let rel = Path::new(source)
            .strip_prefix(&dir)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| source.to_string());
        let n = index.entry(rel.clone()).or_default();
        let event = trace["event"].as_str().unwrap().to_string();
        let decision = &trace["decision"];
        let is_kept = decision["kept"] == Value::Bool(true);
        let severity = decision["severity"].as_str().unwrap_or("-");
        rows.push_str(&format!(
            "{rel}\t{n}\t{event}\t{}\t{severity}\n",
            if is_kept { "kept" } else { "dropped" }
        ));
        *n += 1;
        total += 1;
        names_all.insert(event.clone());
        if is_kept {
            kept += 1;
            names_kept.insert(event);
        } else {
            dropped.push(format!("{rel}#{}: {event}", *n - 1));
        }
    }
    notice(&format!(
        "traildiscover coverage: {kept}/{total} records kept ({:.1}%), {}/{} event pairs kept",
        100.0 * kept as f64 / total.max(1) as f64,
        names_kept.len(),
        names_all.len()
    ));
    notice(&format!("dropped: {}", dropped.join(", ")));
    assert!(total >= 300, "only {total} TrailDiscover records");
    assert_golden("traildiscover-decisions.tsv", &rows);
}
