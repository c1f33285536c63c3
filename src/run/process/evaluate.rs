//! One parsed record through the engine to output bytes, and bad units to
//! dead letters.
//!
//! Guarantees: a unit is counted exactly once (kept, filtered, dead-lettered
//! or passed through with `--on-error pass`), and nothing allocates once the
//! reused buffers are warm.

use super::*;
use crate::output::deadletter::describe_parse_error;

impl Processor {
    pub(super) fn evaluate(
        &mut self,
        plan: &Plan,
        root: Val<'_, '_>,
        raw: &[u8],
        has_members: bool,
        ctx: Ctx<'_>,
        sink: &mut Sink,
    ) {
        let core = match Core::extract(root) {
            Ok(core) => core,
            Err(bad) => {
                self.bad(plan, ctx, BadKind::WrongType, &bad.0, raw, sink);
                return;
            }
        };
        self.stats.read += 1;
        self.stats.shapes[ctx.shape as usize] += 1;
        if let Some(stamp) = core.event_time {
            self.stats.saw_event_time(stamp);
        }
        let decision = self.eval.decide(plan, root, &core);
        if let Some(style) = self.explain {
            let trace = crate::output::explain::Trace {
                plan,
                root,
                core: &core,
                decision: &decision,
                matched: &self.eval.matched,
                at: ctx.at,
            };
            trace.write(&mut sink.out, style);
        }
        match decision {
            Decision::Drop(stage) => self.stats.drop_at(stage),
            Decision::Keep(verdict) if self.explain.is_some() => {
                self.stats.emitted += 1;
                self.stats.severities[verdict.severity as usize] += 1;
            }
            Decision::Keep(verdict) => {
                let now = plan.options.now.unwrap_or_else(enrich::now_epoch);
                self.verdict.clear();
                enrich::write_verdict(
                    &mut self.verdict,
                    plan,
                    &core,
                    &verdict,
                    &self.eval.matched,
                    now,
                );
                if let Some(tracker) = &self.eval.tracker {
                    let fired = &tracker.fired;
                    crate::output::first_seen::append(
                        &mut self.verdict,
                        plan,
                        core.rec(root),
                        fired,
                    );
                    if tracker.update {
                        crate::output::update::append(&mut self.verdict, root);
                    }
                }
                let kept = crate::output::format::Kept {
                    plan,
                    root,
                    core: &core,
                    verdict: &verdict,
                    matched: &self.eval.matched,
                    verdict_json: &self.verdict,
                    raw,
                    has_members,
                    now,
                };
                crate::output::format::write(&mut sink.out, plan.options.format, &kept);
                self.stats.emitted += 1;
                self.stats.severities[verdict.severity as usize] += 1;
            }
        }
    }

    /// Why a value that is not an object or array was rejected.
    pub(super) fn parse_error(&mut self, bytes: &[u8]) -> Option<(BadKind, String)> {
        let start = scan::skip_ws(bytes, 0);
        let first = *bytes.get(start)?;
        if !matches!(first, b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') {
            let shown =
                String::from_utf8_lossy(&bytes[start..bytes.len().min(start + 12)]).into_owned();
            return Some((
                BadKind::InvalidJson,
                format!("not JSON: starts with {shown:?}"),
            ));
        }
        let mut copy = bytes.to_vec();
        simd_json::to_tape(&mut copy)
            .err()
            .map(|e| describe_parse_error(&e))
    }

    pub(super) fn bad(
        &mut self,
        plan: &Plan,
        ctx: Ctx<'_>,
        kind: BadKind,
        reason: &str,
        raw: &[u8],
        sink: &mut Sink,
    ) {
        self.stats.read += 1;
        self.stats.bad[kind as usize] += 1;
        self.saw_bad = true;
        if plan.options.on_error == OnError::Pass {
            sink.out.extend_from_slice(raw);
            sink.out.push(b'\n');
            self.stats.emitted += 1;
            self.stats.passed_bad += 1;
            return;
        }
        self.stats.dead_lettered += 1;
        let entry = DeadLetter {
            at: ctx.at,
            kind,
            reason,
            raw,
            index: ctx.detail.index,
            offset: ctx.detail.offset,
        };
        entry.write(&mut sink.dead, self.dead_style);
    }
}
