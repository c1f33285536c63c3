//! The `ctfilter coverage` report: a table for people, or one JSON document
//! (`--json`) for machines, both from the same [`Report`].
//!
//! Guarantees: both forms carry the same figures, computed once by
//! [`Report::figures`]; the JSON shape is documented in docs/rules.md
//! section 14 and only grows.

use super::{percent, PairLine, Report};
use crate::rules::reach::Status;
use serde_json::{json, Value};

/// Rule ids for a table cell: the first three, then `+N`.
fn rule_cell(rules: &[String]) -> String {
    match rules.len() {
        0 => "-".into(),
        1..=3 => rules.join(", "),
        n => format!("{} +{}", rules[..3].join(", "), n - 3),
    }
}

fn pair_row(p: &PairLine) -> String {
    let mut row = format!(
        "    {:<12} {:<58} {}",
        p.reach.status.as_str(),
        p.event,
        rule_cell(&p.reach.rules)
    );
    if let Some(reason) = &p.reach.reason {
        row.push_str(&format!("\n                 reason: {reason}"));
    }
    row
}

/// How many lines have each status, as `always 3, conditional 1, ...`.
fn tally<'a>(lines: impl Iterator<Item = &'a PairLine>) -> String {
    let mut counts = [0usize; 4];
    for l in lines {
        counts[l.reach.status as usize] += 1;
    }
    [
        Status::Always,
        Status::Conditional,
        Status::Excluded,
        Status::Never,
    ]
    .iter()
    .map(|s| format!("{} {}", s.as_str(), counts[*s as usize]))
    .collect::<Vec<_>>()
    .join(", ")
}

fn gate_line(report: &Report, fail_under: Option<f64>) -> Option<String> {
    let pct = fail_under?;
    let below: Vec<String> = report
        .below(pct)
        .iter()
        .map(|(name, f)| format!("{name} {f:.1}%"))
        .collect();
    Some(if below.is_empty() {
        format!("fail-under {pct}: pass")
    } else {
        format!("fail-under {pct}: FAIL ({})", below.join("; "))
    })
}

pub fn table(report: &Report, fail_under: Option<f64>) {
    let source = if report.defaults {
        "default pack and exclusions of rules/excluded/EXCLUDED.yml, plus -r layers"
    } else {
        "--no-default-rules: -r layers only, no exclusions"
    };
    out!("rules: {} effective ({source})", report.rules);
    if report.any_event_rules > 0 {
        out!(
            "note: {} rules without events run on every record under a condition; they count only for detections that name no pair (*)",
            report.any_event_rules
        );
    }
    if let Some(rules) = &report.sigma {
        out!("\nSigma rules");
        for r in rules {
            if let Some(reason) = &r.skipped {
                out!("  skipped  {} ({}): {reason}", r.id, r.file);
                continue;
            }
            let mark = if r.covered() { "covered" } else { "MISSING" };
            out!("  {mark:<8} {} [sigma:{}] {}", r.title, r.id, r.file);
            for p in &r.pairs {
                out!("{}", pair_row(p));
            }
        }
        let read: Vec<_> = rules.iter().filter(|r| r.skipped.is_none()).collect();
        let covered = read.iter().filter(|r| r.covered()).count();
        let (pairs_ok, pairs) = report.sigma_pairs();
        out!(
            "sigma: {} rules ({} skipped), {covered} covered; {pairs} pairs, {pairs_ok} kept or excluded ({:.1}%): {}",
            read.len(),
            rules.len() - read.len(),
            percent(pairs_ok, pairs),
            tally(read.iter().flat_map(|r| &r.pairs))
        );
    }
    if let Some(lines) = &report.events {
        out!("\nEvents");
        for p in lines {
            out!("{}", pair_row(p));
        }
        let ok = lines.iter().filter(|p| p.reach.status.covered()).count();
        out!(
            "events: {} entries, {ok} kept or excluded ({:.1}%): {}",
            lines.len(),
            percent(ok, lines.len()),
            tally(lines.iter())
        );
    }
    if let Some(expect) = &report.expect {
        out!("\nExpected records");
        for m in &expect.misses {
            out!(
                "  miss  line {:<5} {:<58} expected {}, got {} (rules: {})",
                m.line,
                m.event,
                m.expected,
                m.actual,
                rule_cell(&m.rules)
            );
        }
        let kept = expect.records - expect.misses.len();
        out!(
            "expect: {} records, {kept} kept as expected: recall {:.1}%",
            expect.records,
            percent(kept, expect.records)
        );
    }
    if let Some(line) = gate_line(report, fail_under) {
        out!("\n{line}");
    }
}

fn pair_json(p: &PairLine) -> Value {
    json!({
        "event": p.event,
        "status": p.reach.status.as_str(),
        "rules": p.reach.rules,
        "reason": p.reach.reason,
    })
}

pub fn json(report: &Report, fail_under: Option<f64>) {
    let mut doc = json!({
        "rules": {
            "effective": report.rules,
            "defaults": report.defaults,
            "any_event_rules": report.any_event_rules,
        },
    });
    if let Some(rules) = &report.sigma {
        let (pairs_ok, pairs) = report.sigma_pairs();
        let read: Vec<_> = rules.iter().filter(|r| r.skipped.is_none()).collect();
        doc["sigma"] = json!({
            "rules": rules.iter().map(|r| json!({
                "file": r.file,
                "id": r.id,
                "title": r.title,
                "covered": r.covered(),
                "skipped": r.skipped,
                "pairs": r.pairs.iter().map(pair_json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "rules_total": read.len(),
            "rules_covered": read.iter().filter(|r| r.covered()).count(),
            "rules_skipped": rules.len() - read.len(),
            "pairs_total": pairs,
            "pairs_covered": pairs_ok,
            "percent": percent(pairs_ok, pairs),
        });
    }
    if let Some(lines) = &report.events {
        let ok = lines.iter().filter(|p| p.reach.status.covered()).count();
        doc["events"] = json!({
            "entries": lines.iter().map(pair_json).collect::<Vec<_>>(),
            "total": lines.len(),
            "covered": ok,
            "percent": percent(ok, lines.len()),
        });
    }
    if let Some(expect) = &report.expect {
        let kept = expect.records - expect.misses.len();
        doc["expect"] = json!({
            "records": expect.records,
            "kept": kept,
            "recall": percent(kept, expect.records),
            "misses": expect.misses.iter().map(|m| json!({
                "line": m.line,
                "event": m.event,
                "expected": m.expected,
                "actual": m.actual,
                "rules": m.rules,
            })).collect::<Vec<_>>(),
        });
    }
    if let Some(pct) = fail_under {
        let below: Vec<Value> = report
            .below(pct)
            .iter()
            .map(|(name, f)| json!({"figure": name, "percent": f}))
            .collect();
        doc["fail_under"] = json!({"percent": pct, "pass": below.is_empty(), "below": below});
    }
    out!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
}
