//! The message loop shared by the inline and `--threads` modes: input
//! messages in, framed units to a [`Target`], signals acted on.
//!
//! Guarantees: units reach the target in input order; the target is told
//! when input goes idle (so output is flushed); SIGHUP swaps the plan between
//! chunks, keeping the old one when the new rules have errors; SIGTERM stops
//! after what was already read; the watch is polled, and the target ticked
//! (periodic state saves), once per message and while waiting for input,
//! never per record.

use crate::input::frame::{Framer, Unit};
use crate::input::source::{self, Msg, Sig};
use crate::output::stats::Stats;
use crate::rules::load::RuleSources;
use crate::rules::plan::{Plan, RunOptions};
use crate::run::watch::Watch;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// What the loop needs of the run.
pub struct Loop<'a> {
    pub plan: &'a Arc<Plan>,
    pub rule_sources: &'a RuleSources,
    pub stop_reading: &'a AtomicBool,
}

/// Why the run ended.
pub enum Stop {
    Finished,
    Terminated,
    BrokenPipe,
    Strict(String),
    Fatal(String),
}

/// Where framed units go: processed inline, or batched to workers.
pub trait Target {
    fn unit(&mut self, plan: &Arc<Plan>, source: &Arc<str>, unit: Unit<'_>);
    /// An input chunk is about to be framed.
    fn begin_chunk(&mut self, _chunk: &[u8]) {}
    /// The chunk has been framed: `None` when the target kept it (its units
    /// point into it), else the chunk back for reuse.
    fn end_chunk(&mut self, chunk: source::Chunk) -> Option<source::Chunk> {
        Some(chunk)
    }
    /// After a chunk: `Err` stops the run.
    fn chunk_done(&mut self, plan: &Arc<Plan>) -> Result<(), Stop>;
    /// Input is idle: make everything so far visible.
    fn idle(&mut self) -> Result<(), Stop>;
    /// The counters so far (of what has been written, with threads).
    fn stats(&self) -> Stats;
    /// SIGHUP swapped in `plan` (first-seen rules are rebound and saved).
    fn reloaded(&mut self, _plan: &Arc<Plan>) {}
    /// When [`Target::tick`] is wanted even if input stays idle.
    fn deadline(&self) -> Option<std::time::Instant> {
        None
    }
    /// Periodic work (`--state-save-interval`): called after every message
    /// and when the deadline passes, never per record.
    fn tick(&mut self) {}
}

/// The message loop shared by both modes.
pub fn pump(
    run: &Loop<'_>,
    rx: &std::sync::mpsc::Receiver<Msg>,
    recycle: &std::sync::mpsc::Sender<source::Chunk>,
    names: &[Arc<str>],
    target: &mut dyn Target,
    watch: &mut Watch,
) -> (Stop, bool) {
    let mut plan = run.plan.clone();
    let mut framer = Framer::new(run.plan.options.max_line_bytes);
    let mut input_failed = false;
    let mut current = 0usize;
    let mut terminating = false;
    let stop = loop {
        if terminating {
            // SIGTERM: the reader hands on what it has already read and sends
            // Done; a reader blocked in read() sends nothing, so stop after a
            // short wait.
            match rx.recv_timeout(std::time::Duration::from_millis(100)) {
                Ok(Msg::Data(id, chunk)) => {
                    let source = &names[id];
                    frame_chunk(&mut framer, target, &plan, source, chunk, recycle);
                    if let Err(stop) = target.chunk_done(&plan) {
                        break stop;
                    }
                    watch.poll(&|| target.stats());
                    target.tick();
                    continue;
                }
                Ok(Msg::Signal(_)) | Ok(Msg::Start(_)) | Ok(Msg::End(_)) | Ok(Msg::Error(..)) => {
                    continue
                }
                Ok(Msg::Done) | Err(_) => {
                    framer.finish(&mut |unit| target.unit(&plan, &names[current], unit));
                    break Stop::Terminated;
                }
            }
        }
        let msg = match rx.try_recv() {
            Ok(msg) => msg,
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                if let Err(stop) = target.idle() {
                    break stop;
                }
                match recv_watching(rx, watch, target) {
                    Some(msg) => msg,
                    None => break Stop::Finished,
                }
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => break Stop::Finished,
        };
        watch.message(&msg);
        let source = &names[current];
        let step = match msg {
            Msg::Start(id) => {
                current = id;
                framer.reset();
                Ok(())
            }
            Msg::Data(_, chunk) => {
                frame_chunk(&mut framer, target, &plan, source, chunk, recycle);
                target.chunk_done(&plan)
            }
            Msg::End(id) | Msg::Error(id, _) if id != current => Ok(()),
            Msg::End(_) => {
                framer.finish(&mut |unit| target.unit(&plan, source, unit));
                target.chunk_done(&plan)
            }
            Msg::Error(_, message) => {
                framer.finish(&mut |unit| target.unit(&plan, source, unit));
                eprintln!("ctfilter: {message}");
                input_failed = true;
                target.chunk_done(&plan)
            }
            Msg::Signal(Sig::Terminate) => {
                terminating = true;
                run.stop_reading.store(true, Ordering::SeqCst);
                Ok(())
            }
            Msg::Signal(Sig::Reload) => {
                if let Some(new_plan) = reload(run.rule_sources, &plan.options) {
                    plan = new_plan;
                }
                target.reloaded(&plan);
                Ok(())
            }
            Msg::Done => Err(Stop::Finished),
        };
        watch.poll(&|| target.stats());
        target.tick();
        if let Err(stop) = step {
            break match stop {
                Stop::Strict(_) => Stop::Strict(names[current].to_string()),
                other => other,
            };
        }
    };
    (stop, input_failed)
}

/// Wait for the next message; while none comes, write what the watch has due
/// (a quiet pipe still gets its metrics line) and let the target do its
/// periodic work (a quiet pipe still gets its state saved). `None`: input
/// is over.
fn recv_watching(
    rx: &std::sync::mpsc::Receiver<Msg>,
    watch: &mut Watch,
    target: &mut dyn Target,
) -> Option<Msg> {
    use std::sync::mpsc::RecvTimeoutError;
    loop {
        let now = std::time::Instant::now();
        let due = target.deadline().map(|d| d.saturating_duration_since(now));
        let Some(wait) = watch.wait(now).into_iter().chain(due).min() else {
            return rx.recv().ok();
        };
        match rx.recv_timeout(wait) {
            Ok(msg) => return Some(msg),
            Err(RecvTimeoutError::Timeout) => {
                watch.poll(&|| target.stats());
                target.tick();
            }
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

fn frame_chunk(
    framer: &mut Framer,
    target: &mut dyn Target,
    plan: &Arc<Plan>,
    source: &Arc<str>,
    chunk: source::Chunk,
    recycle: &std::sync::mpsc::Sender<source::Chunk>,
) {
    target.begin_chunk(chunk.bytes());
    framer.feed(chunk.bytes(), &mut |unit| target.unit(plan, source, unit));
    if let Some(chunk) = target.end_chunk(chunk) {
        let _ = recycle.send(chunk);
    }
}

fn reload(sources: &RuleSources, options: &RunOptions) -> Option<Arc<Plan>> {
    match sources.compile() {
        Ok((rules, warnings)) => {
            for w in warnings {
                eprintln!("ctfilter: {w}");
            }
            eprintln!("ctfilter: SIGHUP: reloaded {} rules", rules.rules.len());
            Some(Arc::new(Plan::new(rules, options.clone())))
        }
        Err(diags) => {
            for d in diags {
                eprintln!("ctfilter: {d}");
            }
            eprintln!("ctfilter: SIGHUP: the new rules have errors; keeping the previous rules");
            None
        }
    }
}
