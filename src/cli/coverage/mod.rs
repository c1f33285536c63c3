//! `ctfilter coverage`: will the effective rules starve a team's detections?
//!
//! The rules are built exactly as for the filter (`-r`, `--no-default-rules`,
//! `--sigma-rules`) into a [`Plan`]. Three checks run against it:
//!
//! - `--sigma PATH`: each Sigma rule's required (eventSource, eventName)
//!   pairs, derived as for `--sigma` filtering ([`events::required`]), each
//!   read off the rules as `always`, `conditional`, `excluded` or `never`
//!   ([`crate::rules::reach`]); a rule is covered when no pair is `never`;
//! - `--events FILE|LIST`: the same for plain `source:Name` or `Name` entries;
//! - `--expect FILE`: records run through the real engine, with recall and
//!   the misses (dropped, or kept below the line's minimum severity).
//!
//! Guarantees: nothing here changes the plan or the filter's output; the
//! default pack's exclusion list applies only when the default rules are
//! loaded; every usage problem is reported as `ctfilter: ...` with exit 2
//! before any figure is printed; `--fail-under` exits 1 when any figure is
//! below it, 0 otherwise. The report itself is written by [`report`].

mod report;

use crate::cli::args::CoverageArgs;
use crate::cli::ruletest::evaluate;
use crate::model::severity::Severity;
use crate::rules::diag::{Diagnostic, Level};
use crate::rules::events::EventSpec;
use crate::rules::excluded::Exclusions;
use crate::rules::load::RuleSources;
use crate::rules::plan::{Plan, RuleSet, RunOptions};
use crate::rules::reach::{reach, reach_any_event, Reach, Status};
use crate::rules::sigma::{self, events, load};
use crate::run::driver::exit;
use std::path::Path;
use std::sync::Arc;

/// One required pair and what the rules make of it. `event` is `*` for a
/// detection that names no pair (it can match any event).
#[derive(Debug)]
pub struct PairLine {
    pub event: String,
    pub reach: Reach,
}

/// One Sigma file: its pairs, or why it was skipped.
#[derive(Debug)]
pub struct SigmaRule {
    pub file: String,
    pub id: String,
    pub title: String,
    pub pairs: Vec<PairLine>,
    /// Not readable by ctfilter (another logsource, an unsupported feature):
    /// listed, not counted.
    pub skipped: Option<String>,
}

impl SigmaRule {
    pub fn covered(&self) -> bool {
        self.skipped.is_none() && self.pairs.iter().all(|p| p.reach.status.covered())
    }
}

/// An `--expect` record that was not kept as it must be.
#[derive(Debug)]
pub struct Miss {
    pub line: usize,
    pub event: String,
    pub expected: String,
    pub actual: String,
    pub rules: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Expect {
    pub records: usize,
    pub misses: Vec<Miss>,
}

/// Everything one run found.
#[derive(Debug, Default)]
pub struct Report {
    pub defaults: bool,
    pub rules: usize,
    pub any_event_rules: usize,
    pub sigma: Option<Vec<SigmaRule>>,
    pub events: Option<Vec<PairLine>>,
    pub expect: Option<Expect>,
}

/// `part` of `whole` in percent; an empty set is complete.
pub fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        100.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

impl Report {
    /// The (rule, pair) lines of the Sigma rules that were read: covered, all.
    pub fn sigma_pairs(&self) -> (usize, usize) {
        let lines = self.sigma.iter().flatten().filter(|r| r.skipped.is_none());
        let pairs: Vec<&PairLine> = lines.flat_map(|r| &r.pairs).collect();
        let covered = pairs.iter().filter(|p| p.reach.status.covered()).count();
        (covered, pairs.len())
    }

    /// Each figure `--fail-under` gates: a name and a percentage.
    pub fn figures(&self) -> Vec<(&'static str, f64)> {
        let mut out = Vec::new();
        if self.sigma.is_some() {
            let (covered, total) = self.sigma_pairs();
            out.push(("sigma pairs kept or excluded", percent(covered, total)));
        }
        if let Some(lines) = &self.events {
            let covered = lines.iter().filter(|p| p.reach.status.covered()).count();
            out.push(("events kept or excluded", percent(covered, lines.len())));
        }
        if let Some(expect) = &self.expect {
            let kept = expect.records - expect.misses.len();
            out.push(("expect recall", percent(kept, expect.records)));
        }
        out
    }

    /// The figures below `pct` percent.
    pub fn below(&self, pct: f64) -> Vec<(&'static str, f64)> {
        self.figures()
            .into_iter()
            .filter(|(_, f)| *f < pct)
            .collect()
    }
}

pub fn run(args: &CoverageArgs) -> i32 {
    match build(args) {
        Ok(report) => {
            if args.json {
                report::json(&report, args.fail_under);
            } else {
                report::table(&report, args.fail_under);
            }
            if args
                .fail_under
                .is_some_and(|pct| !report.below(pct).is_empty())
            {
                exit::INPUT
            } else {
                exit::OK
            }
        }
        Err(errors) => {
            for e in errors {
                eprintln!("ctfilter: {e}");
            }
            exit::USAGE
        }
    }
}

/// Every check asked for, or the usage errors found.
fn build(args: &CoverageArgs) -> Result<Report, Vec<String>> {
    if args.sigma.is_empty() && args.events.is_none() && args.expect.is_none() {
        return Err(vec![
            "coverage: nothing to check; give --sigma PATH, --events FILE|LIST or --expect FILE"
                .into(),
        ]);
    }
    if let Some(pct) = args.fail_under {
        if !(0.0..=100.0).contains(&pct) {
            return Err(vec![format!(
                "--fail-under: {pct} is not a percentage from 0 to 100"
            )]);
        }
    }
    let sources = RuleSources {
        defaults: !args.no_default_rules,
        paths: args.rules.clone(),
        sigma: args.sigma_rules.clone(),
        with_tests: false,
    };
    let (set, warnings) = sources
        .compile()
        .map_err(|d| d.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    for w in warnings {
        eprintln!("ctfilter: {w}");
    }
    let exclusions = if args.no_default_rules {
        None
    } else {
        Some(Exclusions::embedded().map_err(|d| strings(&d))?)
    };
    let plan = Plan::new(set, RunOptions::default());
    let mut report = Report {
        defaults: !args.no_default_rules,
        rules: plan.rules.rules.len(),
        any_event_rules: crate::rules::reach::any_event_rules(&plan.rules).len(),
        ..Report::default()
    };
    if !args.sigma.is_empty() {
        report.sigma = Some(sigma_rules(&args.sigma, &plan.rules, exclusions.as_ref())?);
    }
    if let Some(list) = &args.events {
        let specs = event_list(list)?;
        report.events = Some(
            specs
                .iter()
                .map(|spec| pair_line(&plan.rules, exclusions.as_ref(), spec))
                .collect(),
        );
    }
    if let Some(path) = &args.expect {
        report.expect = Some(expect(&plan, path)?);
    }
    Ok(report)
}

fn strings(diags: &[Diagnostic]) -> Vec<String> {
    diags.iter().map(ToString::to_string).collect()
}

fn pair_line(set: &RuleSet, exclusions: Option<&Exclusions>, spec: &EventSpec) -> PairLine {
    let any = spec.source.is_none() && spec.prefix && spec.name.is_empty();
    PairLine {
        event: if any { "*".into() } else { spec.to_string() },
        reach: if any {
            reach_any_event(set)
        } else {
            reach(set, exclusions, spec)
        },
    }
}

/// Each Sigma file's required pairs against the rules. A detection listed
/// in the exclusion list as a whole (`sigma:<id>`) makes every pair that is
/// not always kept `excluded`, with the list's reason.
fn sigma_rules(
    paths: &[std::path::PathBuf],
    set: &RuleSet,
    exclusions: Option<&Exclusions>,
) -> Result<Vec<SigmaRule>, Vec<String>> {
    let mut diags = Vec::new();
    let sources = sigma::read(paths, &mut diags);
    let mut errors = strings(&diags);
    let mut out = Vec::new();
    for source in &sources {
        let file = source.name.to_string();
        match load::compile_with_needs(&source.name, &source.text) {
            Ok((rule, needs)) => {
                let whole = exclusions.and_then(|l| l.detection(&format!("sigma:{}", rule.id)));
                let mut specs = events::required(&needs);
                if specs.is_empty() {
                    specs.push(EventSpec {
                        source: None,
                        name: "".into(),
                        prefix: true,
                        nocase: true,
                    });
                }
                let pairs = specs
                    .iter()
                    .map(|spec| {
                        let mut line = pair_line(set, exclusions, spec);
                        if let Some(d) = whole.filter(|_| line.reach.status != Status::Always) {
                            line.reach.status = Status::Excluded;
                            line.reach.reason = Some(d.reason.clone());
                        }
                        line
                    })
                    .collect();
                out.push(SigmaRule {
                    file,
                    id: rule.id.to_string(),
                    title: rule.title.to_string(),
                    pairs,
                    skipped: None,
                });
            }
            Err(load::Failure::Skipped { rule, reason, .. }) => out.push(SigmaRule {
                file,
                title: rule.clone(),
                id: rule,
                pairs: Vec::new(),
                skipped: Some(reason),
            }),
            Err(load::Failure::Invalid { pos, message }) => errors.push(
                Diagnostic {
                    level: Level::Error,
                    file: Arc::from(file.as_str()),
                    pos,
                    message,
                }
                .to_string(),
            ),
        }
    }
    if errors.is_empty() && !out.iter().any(|r| r.skipped.is_none()) {
        errors.push(format!(
            "--sigma: no CloudTrail Sigma rule found in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// `--events`: a file with one entry a line (`#` comments), or a comma list.
fn event_list(arg: &str) -> Result<Vec<EventSpec>, Vec<String>> {
    let path = Path::new(arg);
    let (entries, from_file): (Vec<(String, usize)>, bool) = if path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| vec![format!("--events: {}: {e}", path.display())])?;
        let entries = text
            .lines()
            .enumerate()
            .map(|(i, l)| (l.split('#').next().unwrap_or("").trim().to_string(), i + 1))
            .filter(|(l, _)| !l.is_empty())
            .collect();
        (entries, true)
    } else {
        let entries = arg
            .split(',')
            .map(|s| (s.trim().to_string(), 0))
            .filter(|(s, _)| !s.is_empty())
            .collect();
        (entries, false)
    };
    let mut errors = Vec::new();
    let mut specs = Vec::new();
    for (entry, line) in entries {
        match EventSpec::parse(&entry) {
            Ok(spec) if !specs.contains(&spec) => specs.push(spec),
            Ok(_) => {}
            Err(e) if from_file => errors.push(format!("{}:{line}: {e}", path.display())),
            Err(e) => errors.push(format!("--events: {e}")),
        }
    }
    if errors.is_empty() && specs.is_empty() {
        errors.push(format!("--events: no event in '{arg}'"));
    }
    if errors.is_empty() {
        Ok(specs)
    } else {
        Err(errors)
    }
}

/// One `--expect` line: the record's JSON text and the minimum severity.
fn expect_line(text: &str) -> Result<(String, Option<Severity>), String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let serde_json::Value::Object(map) = &value else {
        return Err(
            "a line must be a JSON object (a record, or {\"expect\":..,\"record\":..})".into(),
        );
    };
    if !map.contains_key("record") || map.contains_key("eventName") {
        return Ok((text.to_string(), None));
    }
    if let Some(key) = map.keys().find(|k| *k != "record" && *k != "expect") {
        return Err(format!(
            "unknown key '{key}' next to 'record' (expected 'expect')"
        ));
    }
    let record = &map["record"];
    if !record.is_object() {
        return Err("'record' must be a JSON object".into());
    }
    let severity = match map.get("expect") {
        None => None,
        Some(serde_json::Value::Object(expect)) => {
            if let Some(key) = expect.keys().find(|k| *k != "severity") {
                return Err(format!(
                    "unknown key '{key}' in 'expect' (expected 'severity')"
                ));
            }
            match expect.get("severity") {
                None => None,
                Some(serde_json::Value::String(s)) => Some(
                    s.parse::<Severity>()
                        .map_err(|e| format!("expect.severity: {e}"))?,
                ),
                Some(_) => return Err("expect.severity must be a string".into()),
            }
        }
        Some(_) => return Err("'expect' must be a JSON object".into()),
    };
    Ok((record.to_string(), severity))
}

/// `--expect`: every record through the plan, as the filter would.
fn expect(plan: &Plan, path: &Path) -> Result<Expect, Vec<String>> {
    let shown = path.display();
    let text =
        std::fs::read_to_string(path).map_err(|e| vec![format!("--expect: {shown}: {e}")])?;
    let mut errors = Vec::new();
    let mut report = Expect::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = |e: String| format!("{shown}:{}: {e}", i + 1);
        let (record, minimum) = match expect_line(line) {
            Ok(parsed) => parsed,
            Err(e) => {
                errors.push(at(e));
                continue;
            }
        };
        let outcome = match evaluate(plan, &record) {
            Ok(outcome) => outcome,
            Err(e) => {
                errors.push(at(e));
                continue;
            }
        };
        report.records += 1;
        let actual = outcome
            .severity
            .as_deref()
            .and_then(|s| s.parse::<Severity>().ok());
        let ok = match (actual, minimum) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(got), Some(min)) => got >= min,
        };
        if !ok {
            report.misses.push(Miss {
                line: i + 1,
                event: event_of(&record),
                expected: minimum.map_or("kept".into(), |m| format!("{} or above", m.as_str())),
                actual: actual.map_or("dropped".into(), |s| s.as_str().to_string()),
                rules: outcome.rules,
            });
        }
    }
    if errors.is_empty() && report.records == 0 {
        errors.push(format!("--expect: {shown} holds no record"));
    }
    if errors.is_empty() {
        Ok(report)
    } else {
        Err(errors)
    }
}

/// `eventSource:eventName` of a record, for a miss.
fn event_of(record: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(record).unwrap_or_default();
    let field = |k: &str| {
        value
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("?")
            .to_string()
    };
    format!("{}:{}", field("eventSource"), field("eventName"))
}
