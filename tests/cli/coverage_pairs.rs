//! The default pack against public detection content, through the real
//! binary: every event pair that Elastic's AWS rules and SigmaHQ's CloudTrail
//! rules query, called by a person with the parameters the detection looks
//! for, must be kept by the default rules, or be listed with a reason in
//! `rules/excluded/EXCLUDED.yml`.
//!
//! The pairs live in `tests/data/elastic-aws-pairs.tsv` and
//! `tests/data/sigma-cloudtrail-pairs.tsv` (names and project-written
//! records only; see their headers). Each line also names the default rule
//! expected to keep it, so the files double as the map from default rules to
//! the detections they serve.

use crate::util::*;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

const NOW: &str = "2026-01-15T10:05:00Z";
const SIGMA: &str = "../shared/data/sigma-cloudtrail";
const EXCLUDED: &str = "rules/excluded/EXCLUDED.yml";

/// One line of a pairs file.
struct Pair {
    line: usize,
    source: String,
    name: String,
    detection: String,
    kept_by: String,
    fields: Option<Map<String, Value>>,
}

impl Pair {
    /// `source:Name`, as in the exclusion file.
    fn key(&self) -> String {
        format!("{}:{}", self.source, self.name)
    }

    fn event_source(&self) -> String {
        if self.source.contains('.') {
            self.source.clone()
        } else {
            format!("{}.amazonaws.com", self.source)
        }
    }

    /// A human IAM user's aws-cli call of this pair, with the line's fields
    /// laid over it (top-level keys replace the defaults).
    fn record(&self, n: usize) -> Value {
        let read_only = [
            "Describe", "Get", "List", "Lookup", "Search", "Scan", "Query", "Head", "BatchGet",
        ]
        .iter()
        .any(|p| self.name.starts_with(p));
        let mut record = json!({
            "eventVersion": "1.09",
            "eventTime": "2026-01-15T10:00:00Z",
            "eventSource": self.event_source(),
            "eventName": self.name,
            "awsRegion": "us-east-1",
            "sourceIPAddress": "203.0.113.10",
            "userAgent": "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1014-aws exe/x86_64.ubuntu.22",
            "userIdentity": {
                "type": "IAMUser",
                "principalId": "AIDAEXAMPLEALICE0001",
                "arn": "arn:aws:iam::111122223333:user/alice",
                "accountId": "111122223333",
                "accessKeyId": "AKIAEXAMPLEALICE0001",
                "userName": "alice"
            },
            "requestParameters": null,
            "responseElements": null,
            "requestID": format!("pair-{n}"),
            "eventID": format!("00000000-0000-4000-8000-{n:012}"),
            "readOnly": read_only,
            "eventType": "AwsApiCall",
            "managementEvent": true,
            "recipientAccountId": "111122223333",
            "eventCategory": "Management"
        });
        if let Some(fields) = &self.fields {
            let map = record.as_object_mut().unwrap();
            for (k, v) in fields {
                map.insert(k.clone(), v.clone());
            }
        }
        record
    }
}

fn pairs(file: &str) -> Vec<Pair> {
    let path = root().join("tests/data").join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 5, "{file}:{}: expected 5 columns", i + 1);
        let fields = (cols[4] != "-").then(|| match serde_json::from_str::<Value>(cols[4]) {
            Ok(Value::Object(map)) => map,
            other => panic!("{file}:{}: fields must be a JSON object: {other:?}", i + 1),
        });
        out.push(Pair {
            line: i + 1,
            source: cols[0].to_string(),
            name: cols[1].to_string(),
            detection: cols[2].to_string(),
            kept_by: cols[3].to_string(),
            fields,
        });
    }
    assert!(!out.is_empty(), "{file} lists no pairs");
    out
}

/// The excluded pairs and whole detections of `rules/excluded/EXCLUDED.yml`.
/// The file's format is fixed by its header (one `- event:` or
/// `- detection:` line per entry, each with a `reason:`), so a line reader
/// is enough here.
struct Exclusions {
    events: BTreeSet<String>,
    detections: BTreeSet<String>,
}

fn exclusions() -> Exclusions {
    let text = std::fs::read_to_string(root().join(EXCLUDED)).expect("read the exclusion file");
    let unquote = |s: &str| s.trim().trim_matches('"').trim_matches('\'').to_string();
    let mut ex = Exclusions {
        events: BTreeSet::new(),
        detections: BTreeSet::new(),
    };
    let mut reasons = 0;
    let mut entries = 0;
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(v) = t.strip_prefix("- event:") {
            ex.events.insert(unquote(v));
            entries += 1;
        } else if let Some(v) = t.strip_prefix("- detection:") {
            ex.detections.insert(unquote(v));
            entries += 1;
        } else if let Some(v) = t.strip_prefix("reason:") {
            assert!(!v.trim().is_empty(), "empty reason in {EXCLUDED}: {line}");
            reasons += 1;
        }
    }
    assert_eq!(reasons, entries, "every exclusion needs a reason");
    ex
}

/// What the default pack (or the given flags) decides for each pair.
struct Decision {
    kept: bool,
    severity: String,
    rules: Vec<String>,
}

fn decide(pairs: &[Pair], flags: &[&str]) -> Vec<Decision> {
    let input: String = pairs
        .iter()
        .enumerate()
        .map(|(n, p)| format!("{}\n", p.record(n)))
        .collect();
    let mut args = vec!["explain", "--json", "--now", NOW];
    args.extend_from_slice(flags);
    args.push("-");
    let out = ctfilter(&args).stdin(input).run();
    out.assert_code(0);
    let traces: Vec<Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(traces.len(), pairs.len(), "{}", out.stderr);
    traces
        .iter()
        .map(|t| Decision {
            kept: t["decision"]["kept"] == Value::Bool(true),
            severity: t["decision"]["severity"]
                .as_str()
                .unwrap_or("-")
                .to_string(),
            rules: t["rules"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|r| r["id"].as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// Checks every pair against the default pack and returns (kept, total).
/// A kept pair must be kept by its `kept_by` rule; a dropped pair must be
/// excluded (by pair or by detection) and say `-`.
fn check_against_default_pack(file: &str, pairs: &[Pair]) -> (usize, usize) {
    let ex = exclusions();
    let decisions = decide(pairs, &[]);
    let mut problems = Vec::new();
    let mut misses = Vec::new();
    let mut kept = 0;
    for (p, d) in pairs.iter().zip(&decisions) {
        let at = format!("{file}:{} {} ({})", p.line, p.key(), p.detection);
        if d.kept {
            kept += 1;
            if p.kept_by == "-" {
                problems.push(format!(
                    "{at}: now kept at {} by {:?}; name the rule instead of '-'",
                    d.severity, d.rules
                ));
            } else if !d.rules.contains(&p.kept_by) {
                problems.push(format!(
                    "{at}: expected to be kept by {}, kept by {:?}",
                    p.kept_by, d.rules
                ));
            }
        } else {
            misses.push(at.clone());
            if !ex.events.contains(&p.key()) && !ex.detections.contains(&p.detection) {
                problems.push(format!("{at}: dropped and not in {EXCLUDED}"));
            }
            if p.kept_by != "-" {
                problems.push(format!(
                    "{at}: dropped, but the file expects rule {}",
                    p.kept_by
                ));
            }
        }
    }
    notice(&format!(
        "{file}: {kept}/{} kept by the default pack ({:.1}%), {} distinct pairs",
        pairs.len(),
        100.0 * kept as f64 / pairs.len() as f64,
        pairs.iter().map(Pair::key).collect::<BTreeSet<_>>().len()
    ));
    for miss in &misses {
        notice(&format!("  not kept (excluded): {miss}"));
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    (kept, pairs.len())
}

#[test]
fn elastic_aws_pairs_are_kept_or_excluded() {
    let pairs = pairs("elastic-aws-pairs.tsv");
    assert!(pairs.len() >= 200, "only {} Elastic pairs", pairs.len());
    let (kept, total) = check_against_default_pack("elastic-aws-pairs.tsv", &pairs);
    assert!(
        kept * 100 >= total * 95,
        "only {kept}/{total} Elastic pairs kept (need 95%)"
    );
}

fn sigma_dir() -> Option<PathBuf> {
    let dir = root().join(SIGMA);
    if dir.is_dir() {
        Some(dir)
    } else {
        notice(&format!("skipping: {SIGMA} not found"));
        None
    }
}

/// Every pair the Sigma rules name has a line, and every line's record
/// matches the Sigma rule it names: the file cannot drift from the rules.
#[test]
fn sigma_pairs_file_matches_the_sigma_rules() {
    let Some(dir) = sigma_dir() else { return };
    let dir = dir.to_string_lossy().into_owned();
    let pairs = pairs("sigma-cloudtrail-pairs.tsv");
    let out = ctfilter(&["rules", "--no-default-rules", "--sigma", &dir, "--json"]).run();
    out.assert_code(0);
    let rules: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert!(rules.len() >= 50, "only {} Sigma rules loaded", rules.len());
    let mut by_rule: BTreeMap<String, Vec<&Pair>> = BTreeMap::new();
    for p in &pairs {
        by_rule.entry(p.detection.clone()).or_default().push(p);
    }
    let mut problems = Vec::new();
    for rule in &rules {
        let id = format!("sigma:{}", rule["id"].as_str().unwrap());
        let lines = by_rule.remove(&id).unwrap_or_default();
        if lines.is_empty() {
            problems.push(format!("{id}: no line in sigma-cloudtrail-pairs.tsv"));
            continue;
        }
        for spec in rule["events"].as_array().unwrap() {
            let spec = spec.as_str().unwrap();
            let (source, name) = spec.split_once(':').unwrap();
            let found = lines.iter().any(|p| {
                p.event_source() == source
                    && match name.strip_suffix('*') {
                        Some(prefix) => p.name.starts_with(prefix),
                        None => p.name == name,
                    }
            });
            if !found {
                problems.push(format!("{id}: pair {spec} has no line"));
            }
        }
    }
    for id in by_rule.keys() {
        problems.push(format!("{id}: no such Sigma rule in {SIGMA}"));
    }
    let decisions = decide(&pairs, &["--no-default-rules", "--sigma", &dir]);
    for (p, d) in pairs.iter().zip(&decisions) {
        let id = p.detection.trim_start_matches("sigma:");
        if !d.rules.iter().any(|r| r == id) {
            problems.push(format!(
                "sigma-cloudtrail-pairs.tsv:{} {}: the record does not match {} (matched {:?})",
                p.line,
                p.key(),
                p.detection,
                d.rules
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn sigma_pairs_are_kept_or_excluded() {
    if sigma_dir().is_none() {
        return;
    }
    let pairs = pairs("sigma-cloudtrail-pairs.tsv");
    check_against_default_pack("sigma-cloudtrail-pairs.tsv", &pairs);
}

/// Every default rule that keeps a pair of a public detection names that
/// detection in its `refs:`, so `ctfilter rules --json` maps rules to the
/// detections they serve.
#[test]
fn kept_by_rules_name_their_detections_in_refs() {
    let out = ctfilter(&["rules", "--json"]).run();
    out.assert_code(0);
    let listed: Vec<Value> = serde_json::from_str(&out.stdout).expect("rules --json");
    let refs: std::collections::HashMap<String, Vec<String>> = listed
        .iter()
        .map(|r| {
            let id = r["id"].as_str().expect("id").to_string();
            let refs = r["refs"].as_array().expect("refs").iter();
            (
                id,
                refs.map(|x| x.as_str().expect("ref").to_string()).collect(),
            )
        })
        .collect();
    let mut problems = Vec::new();
    for file in ["elastic-aws-pairs.tsv", "sigma-cloudtrail-pairs.tsv"] {
        for pair in pairs(file).iter().filter(|p| p.kept_by != "-") {
            match refs.get(&pair.kept_by) {
                None => problems.push(format!("{file}:{}: no rule {}", pair.line, pair.kept_by)),
                Some(list) if !list.contains(&pair.detection) => problems.push(format!(
                    "{file}:{}: {} does not list {} in refs",
                    pair.line, pair.kept_by, pair.detection
                )),
                Some(_) => {}
            }
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The exclusion file is not a rule file: build.rs embeds `rules/*.yml`
/// only, and nothing in it shows up among the default rules.
#[test]
fn the_exclusion_file_is_not_embedded() {
    let out = ctfilter(&["rules", "--json"]).run();
    out.assert_code(0);
    assert!(
        !out.stdout.contains("rules/excluded/"),
        "the exclusion file was loaded as rules"
    );
    let ex = exclusions();
    assert!(!ex.events.is_empty() && !ex.detections.is_empty());
    for event in &ex.events {
        assert!(
            event
                .split_once(':')
                .is_some_and(|(s, n)| !s.is_empty() && !n.is_empty()),
            "bad event {event:?} in {EXCLUDED}"
        );
    }
}
