//! `--sigma PATH`: Sigma rules run through the real binary.
//!
//! Two sources of rules:
//! - `../shared/data/sigma-cloudtrail`: SigmaHQ's CloudTrail rules (Detection
//!   Rule License 1.1, never copied here). Every file must load or be skipped
//!   for a named reason, and every loaded rule must match the project-written
//!   `match` records of `fixtures/sigma/cases.yml` and none of its `nomatch`
//!   records, with the severity, ATT&CK ids and author credit its file says.
//!   When the folder is absent, these tests print a line and pass.
//! - `fixtures/sigma/`: Sigma rules written for these tests, for everything
//!   that must not depend on shared data (warnings, errors, layering,
//!   explain, the subcommands, SIGHUP).

use crate::util::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

const SHARED: &str = "../shared/data/sigma-cloudtrail";
const TRAIL_RULE: &str = "fixtures/sigma/rules/trail-tampering.yml";
const TRAIL_ID: &str = "7d1c3f0e-5b2a-4c8e-9f61-2a4b6c8d0e11";

/// The shared rules folder, or `None` after saying it is skipped.
fn shared_dir() -> Option<PathBuf> {
    let dir = root().join(SHARED);
    if dir.is_dir() {
        Some(dir)
    } else {
        notice(&format!("skipping: {SHARED} not found"));
        None
    }
}

/// A YAML file as JSON, read with ctfilter's own YAML reader (YAML 1.2
/// scalars: `No` stays text).
fn yaml_file(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let node: ctfilter::rules::yaml::Node = ctfilter::rules::yaml::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message));
    ctfilter::rules::compile::to_json(&node)
}

/// The `*.yml` files of a folder, sorted.
fn sigma_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// What a Sigma file says its rule must report, worked out here from the
/// file, independently of ctfilter's own mapping.
#[derive(Debug)]
struct Expected {
    id: String,
    title: String,
    severity: &'static str,
    attack: Vec<String>,
    author: Option<String>,
}

fn expected(path: &Path) -> Expected {
    let sigma = yaml_file(path);
    let severity = match sigma["level"].as_str() {
        Some("informational") => "info",
        Some("low") => "low",
        Some("medium") | None => "medium",
        Some("high") => "high",
        Some("critical") => "critical",
        Some(other) => panic!("{}: unexpected level {other}", path.display()),
    };
    let mut attack = Vec::new();
    for tag in sigma["tags"].as_array().into_iter().flatten() {
        let tag = tag.as_str().unwrap();
        let Some(technique) = tag.strip_prefix("attack.t") else {
            continue;
        };
        let (main, sub) = technique.split_once('.').unwrap_or((technique, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if main.len() == 4 && digits(main) && (sub.is_empty() || sub.len() == 3 && digits(sub)) {
            let id = format!("T{technique}");
            if !attack.contains(&id) {
                attack.push(id);
            }
        }
    }
    let id = sigma["id"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| stem(path));
    Expected {
        title: sigma["title"].as_str().unwrap_or(&id).to_string(),
        id,
        severity,
        attack,
        author: sigma["author"].as_str().map(|a| a.trim().to_string()),
    }
}

/// The final severity of a matched record: the rule's, bumped one tier for a
/// failed call, and at least high for root (the engine's documented rules).
fn final_severity(rule: &str, record: &Value) -> String {
    const LEVELS: [&str; 5] = ["info", "low", "medium", "high", "critical"];
    let mut at = LEVELS.iter().position(|l| *l == rule).unwrap();
    let failed = record["errorCode"].as_str().is_some_and(|c| !c.is_empty())
        || record["errorMessage"].is_string();
    if failed {
        at = (at + 1).min(4);
    }
    if record["userIdentity"]["type"] == "Root" {
        at = at.max(3);
    }
    LEVELS[at].to_string()
}

/// `fixtures/sigma/cases.yml`: `(stem -> (match records, nomatch records))`,
/// each record laid over `base`.
fn cases() -> BTreeMap<String, (Vec<Value>, Vec<Value>)> {
    let doc = yaml_file(&fixture("sigma/cases.yml"));
    let base = doc["base"]
        .as_object()
        .expect("cases.yml has a base record");
    let build = |record: &Value| -> Value {
        let mut full = base.clone();
        for (k, v) in record.as_object().expect("a case record is a mapping") {
            full.insert(k.clone(), v.clone());
        }
        Value::Object(full)
    };
    let mut out = BTreeMap::new();
    for (name, case) in doc["cases"].as_object().expect("cases.yml has cases") {
        let list = |key: &str| -> Vec<Value> {
            case[key]
                .as_array()
                .map(|items| items.iter().map(build).collect())
                .unwrap_or_default()
        };
        out.insert(name.clone(), (list("match"), list("nomatch")));
    }
    out
}

fn ndjson(records: &[&Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

/// `ctfilter rules --json` for these Sigma paths: the rules and stderr.
fn listed(sigma: &[&str]) -> (Vec<Value>, String) {
    let mut args = vec!["rules", "--json", "--no-default-rules"];
    for path in sigma {
        args.extend(["--sigma", path]);
    }
    let out = ctfilter(&args).run();
    out.assert_code(0);
    let rules: Value = serde_json::from_str(&out.stdout).expect("rules --json is JSON");
    (rules.as_array().unwrap().clone(), out.stderr)
}

/// The file part of an `origin` (`path:line:col`).
fn origin_file(rule: &Value) -> String {
    let origin = rule["origin"].as_str().unwrap();
    let mut parts = origin.rsplitn(3, ':');
    parts.nth(2).unwrap_or(origin).to_string()
}

// ---------------------------------------------------------------------------
// SigmaHQ's CloudTrail rules (shared data)

#[test]
fn shared_rules_all_load_or_are_skipped_for_a_named_reason() {
    let Some(dir) = shared_dir() else { return };
    let files = sigma_files(&dir);
    let (rules, stderr) = listed(&[SHARED]);
    let mut skipped: BTreeMap<String, String> = BTreeMap::new();
    for line in stderr.lines() {
        let rest = line
            .strip_prefix(&format!("ctfilter: {SHARED}/"))
            .unwrap_or_else(|| panic!("unexpected stderr line: {line}"));
        let (file, reason) = rest
            .split_once(": warning: ")
            .unwrap_or_else(|| panic!("not a warning: {line}"));
        assert!(reason.contains("skipped"), "{line}");
        skipped.insert(file.to_string(), reason.to_string());
    }
    let mut table = vec![format!("Sigma rules in {SHARED}: {} files", files.len())];
    let mut loaded = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let shown = format!("{SHARED}/{name}");
        let rule = rules.iter().find(|r| origin_file(r) == shown);
        match (rule, skipped.get(&name)) {
            (Some(rule), None) => {
                loaded += 1;
                let events = rule["events"].as_array().unwrap().len();
                let events = if events == 0 {
                    "any event".to_string()
                } else {
                    format!("{events} pairs")
                };
                table.push(format!(
                    "  loaded   {:<8} {:<10} {name}",
                    rule["severity"].as_str().unwrap(),
                    events
                ));
            }
            (None, Some(reason)) => {
                assert!(
                    reason.len() > "Sigma rule '' skipped: ".len() + 10,
                    "{name}: the reason must say what is unsupported: {reason}"
                );
                table.push(format!("  skipped  {name}: {reason}"));
            }
            (Some(_), Some(reason)) => panic!("{name} both loaded and skipped ({reason})"),
            (None, None) => panic!("{name} neither loaded nor skipped with a reason"),
        }
    }
    table.push(format!(
        "  {loaded} loaded, {} skipped",
        files.len() - loaded
    ));
    notice(&table.join("\n"));
    assert_eq!(rules.len(), loaded, "one rule per loaded file");
    for rule in &rules {
        assert_eq!(rule["category"], "sigma");
    }
}

#[test]
fn each_loaded_shared_rule_matches_its_cases_and_only_those() {
    let Some(dir) = shared_dir() else { return };
    let (rules, _) = listed(&[SHARED]);
    let cases = cases();
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in sigma_files(&dir) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if !rules
            .iter()
            .any(|r| origin_file(r) == format!("{SHARED}/{name}"))
        {
            continue; // skipped, with its reason (see the test above)
        }
        let stem = stem(&file);
        let Some((matches, nomatches)) = cases.get(&stem) else {
            problems.push(format!("{stem}: no cases in fixtures/sigma/cases.yml"));
            continue;
        };
        if matches.is_empty() || nomatches.is_empty() {
            problems.push(format!(
                "{stem}: needs at least one match and one nomatch record"
            ));
            continue;
        }
        let want = expected(&file);
        let all: Vec<&Value> = matches.iter().chain(nomatches).collect();
        let rule_file = format!("{SHARED}/{name}");
        let out = ctfilter(&[
            "--no-default-rules",
            "--sigma",
            &rule_file,
            "--events",
            "*",
            "--now",
            NOW,
        ])
        .stdin(ndjson(&all))
        .run();
        out.assert_clean();
        let got = out.records();
        assert_eq!(
            got.len(),
            all.len(),
            "{stem}: every record is kept with --events '*'"
        );
        for (n, (record, output)) in all.iter().zip(&got).enumerate() {
            let verdict = &output["ctfilter"];
            let should = n < matches.len();
            let label = if should {
                format!("{stem} match #{}", n + 1)
            } else {
                format!("{stem} nomatch #{}", n + 1 - matches.len())
            };
            if !should {
                if verdict["rules"] != json!([]) || verdict.get("authors").is_some() {
                    problems.push(format!("{label}: matched ({verdict})"));
                }
                continue;
            }
            let severity = final_severity(want.severity, record);
            let mut wrong = Vec::new();
            if verdict["rules"] != json!([want.id]) {
                wrong.push(format!("rules {}", verdict["rules"]));
            }
            if verdict["severity"] != json!(severity) {
                wrong.push(format!(
                    "severity {} (want {severity})",
                    verdict["severity"]
                ));
            }
            if verdict["attack"] != json!(want.attack) {
                wrong.push(format!(
                    "attack {} (want {:?})",
                    verdict["attack"], want.attack
                ));
            }
            if let Some(author) = &want.author {
                if verdict["authors"] != json!([author]) {
                    wrong.push(format!("authors {} (want [{author}])", verdict["authors"]));
                }
            }
            if verdict["category"] != "sigma" || verdict["title"] != json!(want.title) {
                wrong.push(format!(
                    "category/title {} {}",
                    verdict["category"], verdict["title"]
                ));
            }
            if !wrong.is_empty() {
                problems.push(format!("{label}: {}", wrong.join("; ")));
            }
        }
        checked += 1;
    }
    notice(&format!(
        "Sigma cases: {checked} shared rules checked against fixtures/sigma/cases.yml"
    ));
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    let stray: Vec<&String> = cases
        .keys()
        .filter(|k| !dir.join(format!("{k}.yml")).exists())
        .collect();
    assert!(
        stray.is_empty(),
        "cases for rules that do not exist: {stray:?}"
    );
}

#[test]
fn all_shared_rules_together_still_find_each_match() {
    let Some(dir) = shared_dir() else { return };
    let cases = cases();
    let mut records = Vec::new();
    let mut wants = Vec::new();
    for file in sigma_files(&dir) {
        let Some((matches, nomatches)) = cases.get(&stem(&file)) else {
            continue;
        };
        let id = expected(&file).id;
        for r in matches {
            records.push(r);
            wants.push((id.clone(), true));
        }
        for r in nomatches {
            records.push(r);
            wants.push((id.clone(), false));
        }
    }
    let out = ctfilter(&[
        "--no-default-rules",
        "--sigma",
        SHARED,
        "--events",
        "*",
        "--now",
        NOW,
    ])
    .stdin(ndjson(&records))
    .run();
    out.assert_clean();
    let got = out.records();
    assert_eq!(got.len(), records.len());
    for ((id, should), output) in wants.iter().zip(&got) {
        let rules = output["ctfilter"]["rules"].as_array().unwrap();
        assert_eq!(
            rules.iter().any(|r| r == id.as_str()),
            *should,
            "rule {id} with every rule loaded, record {output}"
        );
    }
}

// ---------------------------------------------------------------------------
// The project's own Sigma fixtures

#[test]
fn own_rules_load_and_unsupported_ones_are_skipped_with_a_warning() {
    let input = format!("{}\n{}\n", record_line("req-0001"), record_line("req-0003"));
    let out = ctfilter(&[
        "--no-default-rules",
        "--sigma",
        "fixtures/sigma/rules",
        "--now",
        NOW,
    ])
    .stdin(input)
    .run();
    out.assert_code(0);
    assert_eq!(
        out.stderr,
        "ctfilter: fixtures/sigma/rules/base64-payload.yml: warning: Sigma rule 'ctfilter-test-base64' \
         skipped (line 11): modifier 'base64offset' in 'requestParameters.userData|base64offset|contains' \
         (it matches base64-encoded text, which CloudTrail fields do not hold)\n\
         ctfilter: fixtures/sigma/rules/windows-process.yml: warning: Sigma rule 'ctfilter-test-windows' \
         skipped: its logsource is product: windows, service: (none) (ctfilter reads product: aws, service: cloudtrail)\n"
    );
    let records = out.records();
    assert_eq!(ids(&records), ["req-0001"], "only the trail rule matches");
    let verdict = &records[0]["ctfilter"];
    assert_eq!(verdict["rules"], json!([TRAIL_ID]));
    assert_eq!(verdict["severity"], "high");
    assert_eq!(verdict["category"], "sigma");
    assert_eq!(
        verdict["title"],
        "Trail stopped or deleted outside the deployment pipeline"
    );
    assert_eq!(verdict["attack"], json!(["T1562.008"]));
    assert_eq!(verdict["authors"], json!(["ctfilter test suite"]));
}

#[test]
fn own_rule_filters_apply() {
    let terraform = edit_record(&record_line("req-0001"), |r| {
        r.insert(
            "userAgent".into(),
            json!("Terraform/1.7.5 terraform-provider-aws/5.40"),
        );
    });
    let deployer = edit_record(&record_line("req-0001"), |r| {
        r["userIdentity"]["arn"] = json!("arn:aws:sts::111122223333:assumed-role/deployer/ci-42");
    });
    let other_role = edit_record(&record_line("req-0001"), |r| {
        r["userIdentity"]["arn"] = json!("arn:aws:sts::111122223333:assumed-role/deployer-old/x");
    });
    let out = ctfilter(&["--no-default-rules", "--sigma", TRAIL_RULE, "--now", NOW])
        .stdin(format!("{terraform}\n{deployer}\n{other_role}\n"))
        .run();
    out.assert_clean();
    assert_eq!(out.records().len(), 1, "{}", out.stdout);
    assert_eq!(
        out.records()[0]["userIdentity"]["arn"],
        "arn:aws:sts::111122223333:assumed-role/deployer-old/x"
    );
}

#[test]
fn event_pairs_match_case_insensitively_as_sigma_values_do() {
    // Regression: the event index compared Sigma-derived pairs with their
    // case as written, so `eventName: stoplogging` never fired.
    let dir = TempDir::new("sigma-case");
    let rule = dir.write(
        "lower.yml",
        "title: Lower-case pair\nid: 1b0c1f2e-0000-4000-8000-00000000ca5e\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  selection:\n    eventSource: CloudTrail.amazonaws.com\n    eventName: stoplogging\n  condition: selection\nlevel: high\n",
    );
    let (rules, stderr) = listed(&[&rule]);
    assert_eq!(stderr, "");
    assert_ne!(rules[0]["events"], json!([]), "the pair is still derived");
    let stop = record_line("req-0001");
    let upper = edit_record(&stop, |r| {
        r["eventName"] = json!("STOPLOGGING");
        r["requestID"] = json!("upper");
    });
    let other = edit_record(&stop, |r| {
        r["eventName"] = json!("StartLogging");
        r["requestID"] = json!("other");
    });
    let out = ctfilter(&["--no-default-rules", "--sigma", &rule, "--now", NOW])
        .stdin(format!("{stop}\n{upper}\n{other}\n"))
        .run();
    out.assert_clean();
    assert_eq!(ids(&out.records()), ["req-0001", "upper"], "{}", out.stdout);
}

#[test]
fn own_rule_without_event_pairs_is_tried_on_every_record() {
    let rule = "fixtures/sigma/rules/root-console-no-mfa.yml";
    let (rules, stderr) = listed(&[rule]);
    assert_eq!(stderr, "");
    assert_eq!(rules[0]["events"], json!([]), "no eventSource: no pairs");
    let root = json!({"type": "Root", "principalId": "111122223333",
        "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"});
    let root_no_mfa = edit_record(&record_line("req-0004"), |r| {
        r.insert("userIdentity".into(), root.clone());
    });
    let root_mfa = edit_record(&root_no_mfa, |r| {
        r["additionalEventData"]["MFAUsed"] = json!("Yes");
    });
    let alice_no_mfa = record_line("req-0004");
    let out = ctfilter(&["--no-default-rules", "--sigma", rule, "--now", NOW])
        .stdin(format!("{root_no_mfa}\n{root_mfa}\n{alice_no_mfa}\n"))
        .run();
    out.assert_clean();
    let records = out.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["ctfilter"]["severity"], "critical");
    assert_eq!(records[0]["ctfilter"]["attack"], json!(["T1078.004"]));
    assert_eq!(records[0]["userIdentity"]["type"], "Root");
}

#[test]
fn a_broken_sigma_rule_is_an_error_with_its_position() {
    let out = ctfilter(&["--no-default-rules", "--sigma", "fixtures/sigma/broken"])
        .stdin(record_line("req-0001"))
        .run();
    out.assert_code(2);
    assert_eq!(
        out.stderr,
        "ctfilter: fixtures/sigma/broken/undefined-selection.yml:11:16: condition \
         'selection and not filter': the condition names 'filter', which the detection does not define\n"
    );
    assert_eq!(out.stdout, "", "nothing is read after a rule error");
}

#[test]
fn a_sigma_yaml_syntax_error_and_a_missing_path_are_errors() {
    let dir = TempDir::new("sigma-syntax");
    let bad = dir.write("bad.yml", "title: x\ndetection: [unclosed\n");
    let out = ctfilter(&["--no-default-rules", "--sigma", &bad]).run();
    out.assert_code(2);
    assert!(
        out.stderr.starts_with(&format!("ctfilter: {bad}:")),
        "{}",
        out.stderr
    );
    let out = ctfilter(&["--no-default-rules", "--sigma", "fixtures/sigma/nope.yml"]).run();
    out.assert_code(2);
    assert!(
        out.stderr
            .starts_with("ctfilter: fixtures/sigma/nope.yml: cannot read rules:"),
        "{}",
        out.stderr
    );
}

#[test]
fn sigma_rules_layer_over_yaml_rules_and_disable_reaches_them() {
    let dir = TempDir::new("sigma-layers");
    let same_id = dir.write(
        "same-id.yml",
        format!(
            "rules:\n  - {{id: {TRAIL_ID}, title: YAML version, severity: low, category: logging, \
             events: [cloudtrail:StopLogging]}}\n"
        ),
    );
    let out = ctfilter(&[
        "--no-default-rules",
        "-r",
        &same_id,
        "--sigma",
        TRAIL_RULE,
        "--now",
        NOW,
    ])
    .stdin(record_line("req-0001"))
    .run();
    out.assert_clean();
    let verdict = &out.records()[0]["ctfilter"];
    assert_eq!(verdict["rules"], json!([TRAIL_ID]));
    assert_eq!(
        verdict["title"],
        "Trail stopped or deleted outside the deployment pipeline"
    );
    assert_eq!(
        verdict["severity"], "high",
        "the Sigma rule replaced the YAML one"
    );

    let disable = dir.write("disable.yml", format!("disable: [{TRAIL_ID}]\n"));
    let out = ctfilter(&[
        "--no-default-rules",
        "-r",
        &disable,
        "--sigma",
        TRAIL_RULE,
        "--now",
        NOW,
    ])
    .stdin(record_line("req-0001"))
    .run();
    out.assert_clean();
    assert!(out.records().is_empty(), "the Sigma rule is disabled");
}

#[test]
fn sigma_rules_join_the_default_rules() {
    let out = ctfilter(&["--sigma", TRAIL_RULE, "--now", NOW])
        .stdin(record_line("req-0001"))
        .run();
    out.assert_clean();
    let rules = out.records()[0]["ctfilter"]["rules"].clone();
    let rules = rules.as_array().unwrap();
    assert!(
        rules.len() >= 2,
        "a default rule and the Sigma rule: {rules:?}"
    );
    assert!(rules.iter().any(|r| r == TRAIL_ID));
    assert_eq!(
        out.records()[0]["ctfilter"]["authors"],
        json!(["ctfilter test suite"])
    );
}

#[test]
fn explain_shows_the_sigma_rule_and_the_tests_that_fired() {
    let out = ctfilter(&["explain", "--no-default-rules", "--sigma", TRAIL_RULE])
        .stdin(record_line("req-0001"))
        .run();
    out.assert_clean();
    assert!(
        out.stdout.contains(&format!(
            "rule {TRAIL_ID} (high): Trail stopped or deleted outside the deployment pipeline"
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("eventName: [\"stoplogging\", \"deletetrail\"]"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("not(any(userAgent|contains"),
        "{}",
        out.stdout
    );
}

#[test]
fn rules_check_and_test_accept_sigma() {
    let (rules, stderr) = listed(&[TRAIL_RULE]);
    assert_eq!(stderr, "");
    assert_eq!(rules.len(), 1);
    let rule = &rules[0];
    assert_eq!(rule["id"], TRAIL_ID);
    assert_eq!(rule["category"], "sigma");
    assert_eq!(rule["severity"], "high");
    assert_eq!(rule["author"], "ctfilter test suite");
    assert_eq!(rule["attack"], json!(["T1562.008"]));
    assert_eq!(
        rule["events"],
        json!([
            "cloudtrail.amazonaws.com:StopLogging",
            "cloudtrail.amazonaws.com:DeleteTrail"
        ])
    );
    assert!(rule["rationale"]
        .as_str()
        .unwrap()
        .starts_with("A CloudTrail trail"));

    let (_, stderr) = listed(&["fixtures/sigma/rules"]);
    assert_eq!(
        stderr.lines().count(),
        2,
        "rules names the skipped files: {stderr}"
    );

    let out = ctfilter(&[
        "check",
        "--no-default-rules",
        "--sigma",
        "fixtures/sigma/rules",
    ])
    .run();
    out.assert_code(0);
    assert!(
        out.stdout.contains("rules: 2 (critical 1, high 1)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("categories: sigma 2"), "{}", out.stdout);
    assert!(
        out.stdout.contains("windows-process.yml: warning:"),
        "{}",
        out.stdout
    );

    let out = ctfilter(&[
        "check",
        "--no-default-rules",
        "--sigma",
        "fixtures/sigma/broken",
    ])
    .run();
    out.assert_code(2);
    assert!(
        out.stdout.contains("undefined-selection.yml:11:16:"),
        "{}",
        out.stdout
    );

    let out = ctfilter(&["test", "--no-default-rules", "--sigma", TRAIL_RULE]).run();
    out.assert_code(0);
    assert!(
        out.stdout.contains("rule tests: 0 passed, 0 failed"),
        "{}",
        out.stdout
    );
}

#[test]
fn help_documents_sigma_with_an_example() {
    for args in [
        &["--help"][..],
        &["explain", "--help"],
        &["check", "--help"],
        &["test", "--help"],
        &["rules", "--help"],
    ] {
        let out = ctfilter(args).run();
        out.assert_code(0);
        assert!(
            out.stdout.contains("--sigma <PATH>"),
            "{args:?}: {}",
            out.stdout
        );
        assert!(out.stdout.contains("--sigma "), "{args:?}");
    }
    let out = ctfilter(&["--help"]).run();
    let sigma = &out.stdout[out.stdout.find("--sigma <PATH>").unwrap()..];
    let sigma = &sigma[..sigma.find("--events").unwrap()];
    assert!(sigma.contains("Example:"), "{sigma}");
    assert!(
        sigma.contains("`--sigma sigma/rules/cloud/aws/cloudtrail/`"),
        "{sigma}"
    );
}

#[test]
fn sighup_reloads_sigma_rules() {
    let dir = TempDir::new("sigma-hup");
    let original = std::fs::read_to_string(root().join(TRAIL_RULE)).unwrap();
    // Start with the rule watching DeleteTrail only.
    let narrowed = original.replace("            - StopLogging\n", "");
    assert_ne!(narrowed, original);
    let rule = dir.write("rule.yml", &narrowed);
    let mut child = ctfilter(&[
        "--no-default-rules",
        "--sigma",
        &rule,
        "--events",
        "*",
        "--now",
        NOW,
    ])
    .spawn();
    let mut stdin = child.stdin.take().unwrap();
    let (out_tx, stdout) = std::sync::mpsc::channel::<String>();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                if out_tx.send(line).is_err() {
                    return;
                }
            }
        }
    });
    let (err_tx, stderr) = std::sync::mpsc::channel::<String>();
    let mut err_reader = BufReader::new(child.stderr.take().unwrap());
    std::thread::spawn(move || loop {
        let mut line = String::new();
        match err_reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                if err_tx.send(line).is_err() {
                    return;
                }
            }
        }
    });
    let rules_for_stop_logging = |stdin: &mut std::process::ChildStdin| -> Value {
        writeln!(stdin, "{}", record_line("req-0001")).unwrap();
        stdin.flush().unwrap();
        let line = stdout
            .recv_timeout(Duration::from_secs(10))
            .expect("an output record");
        let record: Value = serde_json::from_str(&line).unwrap();
        record["ctfilter"]["rules"].clone()
    };
    assert_eq!(rules_for_stop_logging(&mut stdin), json!([]));
    std::fs::write(&rule, &original).unwrap();
    signal(&child, "HUP");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let line = stderr
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
            .expect("ctfilter reports the reload");
        if line.contains("SIGHUP: reloaded 1 rules") {
            break;
        }
    }
    assert_eq!(rules_for_stop_logging(&mut stdin), json!([TRAIL_ID]));
    drop(stdin);
    let status = wait_with_deadline(&mut child, Duration::from_secs(20)).expect("ctfilter exits");
    assert_eq!(status.code(), Some(0));
}
