//! `ctfilter explain`: the decision trace of each record, as text or JSON.
//!
//! Not on the hot path: it re-evaluates the stages one by one to say which
//! stage decided, which classifier gave the identity class and which field
//! tests fired in every matching rule.

use crate::engine::{classify, scope_failure, Core, Decision, Stage};
use crate::input::origin::Where;
use crate::model::record::Val;
use crate::rules::plan::Plan;
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Text,
    Json,
}

/// Everything the trace of one record is made from.
pub struct Trace<'a, 't, 'i> {
    pub plan: &'a Plan,
    pub root: Val<'t, 'i>,
    pub core: &'a Core<'t, 'i>,
    pub decision: &'a Decision,
    pub matched: &'a [u32],
    pub at: Where<'a>,
}

impl Trace<'_, '_, '_> {
    pub fn write(&self, out: &mut Vec<u8>, style: Style) {
        let Trace {
            plan,
            root,
            core,
            decision,
            matched,
            at,
        } = *self;
        write(out, style, plan, root, core, decision, matched, at);
    }
}

#[allow(clippy::too_many_arguments)]
fn write(
    out: &mut Vec<u8>,
    style: Style,
    plan: &Plan,
    root: Val<'_, '_>,
    core: &Core<'_, '_>,
    decision: &Decision,
    matched: &[u32],
    at: Where<'_>,
) {
    let (source, name) = core.pair();
    let event = format!("{}:{}", source.unwrap_or("?"), name.unwrap_or("?"));
    let (verdict, stage) = match decision {
        Decision::Keep(v) => (Some(v), None),
        Decision::Drop(stage) => (None, Some(*stage)),
    };
    let scope = scope_failure(plan, core);
    let identity = if core.is_insight() {
        json!({"class": null, "why": "Insights records have no caller; identity filtering does not apply"})
    } else {
        let (class, classifier) = classify(plan, root);
        match classifier {
            Some(idx) => {
                let c = &plan.rules.classifiers[idx as usize];
                let mut fired = Vec::new();
                c.condition.explain(root, &mut fired);
                json!({"class": class.as_str(), "classifier": &*c.id, "signal": &*c.signal, "fired": fired})
            }
            None => {
                json!({"class": class.as_str(), "classifier": null, "signal": "no classifier matched: settings.identity_default"})
            }
        }
    };
    let rules: Vec<serde_json::Value> = matched
        .iter()
        .map(|&idx| {
            let rule = &plan.rules.rules[idx as usize];
            let mut fired = Vec::new();
            match &rule.condition {
                Some(c) => {
                    c.explain(root, &mut fired);
                }
                None => fired.push("event pair".to_string()),
            }
            json!({"id": &*rule.id, "severity": rule.severity.as_str(), "title": &*rule.title, "fired": fired})
        })
        .collect();
    let decided = match (verdict, stage) {
        (Some(v), _) => json!({
            "kept": true,
            "severity": v.severity.as_str(),
            "score": v.score,
            "denied": v.denied,
            "root_floor": core.identity_type() == Some("Root"),
        }),
        (None, Some(stage)) => json!({
            "kept": false,
            "dropped_by": stage.as_str(),
            "why": match stage {
                Stage::Scope => scope.clone().unwrap_or_default(),
                Stage::Identity => "identity class not in --identity".to_string(),
                Stage::Events => "no rule matched and the event is not allow-listed by --events".to_string(),
                Stage::Severity => format!("below --min-severity {}", plan.options.min_severity),
                Stage::Duplicate => "eventID already seen within --dedupe-window".to_string(),
            },
        }),
        _ => json!({}),
    };
    let doc = json!({
        "source": at.source,
        "line": at.line,
        "event": event,
        "decision": decided,
        "identity": identity,
        "rules": rules,
    });
    match style {
        Style::Json => {
            out.extend_from_slice(doc.to_string().as_bytes());
            out.push(b'\n');
        }
        Style::Text => write_text(out, &doc),
    }
}

fn write_text(out: &mut Vec<u8>, doc: &serde_json::Value) {
    use std::io::Write as _;
    let s = |v: &serde_json::Value| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    };
    let d = &doc["decision"];
    let head = if d["kept"] == json!(true) {
        format!("KEPT {} (score {})", s(&d["severity"]), d["score"])
    } else {
        format!("DROPPED by {}: {}", s(&d["dropped_by"]), s(&d["why"]))
    };
    let _ = writeln!(
        out,
        "{}:{} {} -> {head}",
        s(&doc["source"]),
        doc["line"],
        s(&doc["event"])
    );
    let id = &doc["identity"];
    let _ = write!(out, "  identity: {}", s(&id["class"]));
    if let Some(c) = id["classifier"].as_str() {
        let _ = write!(out, " via {c} ({})", s(&id["signal"]));
        if let Some(fired) = id["fired"].as_array() {
            let list: Vec<String> = fired.iter().map(s).collect();
            let _ = write!(out, " [{}]", list.join("; "));
        }
    } else {
        let _ = write!(out, " ({})", s(&id["signal"]).trim_start_matches("null"));
    }
    out.push(b'\n');
    let rules = doc["rules"].as_array().cloned().unwrap_or_default();
    if rules.is_empty() {
        let _ = writeln!(out, "  rules: none matched");
    }
    for r in rules {
        let fired: Vec<String> = r["fired"]
            .as_array()
            .map(|f| f.iter().map(s).collect())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  rule {} ({}): {} [{}]",
            s(&r["id"]),
            s(&r["severity"]),
            s(&r["title"]),
            fired.join("; ")
        );
    }
    if d["kept"] == json!(true) {
        let mut notes = Vec::new();
        if d["denied"] == json!(true) {
            notes.push("failed call bumped");
        }
        if d["root_floor"] == json!(true) {
            notes.push("root floor applies");
        }
        if !notes.is_empty() {
            let _ = writeln!(out, "  severity: {}", notes.join(", "));
        }
    }
}
