//! The run loop: input messages in, records and dead letters out.
//!
//! Guarantees:
//! - output order is input order;
//! - output is flushed whenever input goes idle (the channel is empty), at the
//!   end of input, and before exit on SIGTERM/SIGINT, after everything already
//!   read has been processed;
//! - SIGHUP recompiles the rules from the same sources and swaps the plan
//!   between units; invalid rules are logged and the old plan stays;
//! - a closed stdout ends the run quietly with exit 0.

use crate::compile::RuleSources;
use crate::frame::{Framer, Unit};
use crate::input::{self, InputPath, Msg, Sig};
use crate::plan::{Plan, RunOptions};
use crate::process::{DeadLetterStyle, Processor, Sink, Where};
use crate::stats::Stats;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// Documented exit codes.
pub mod exit {
    pub const OK: i32 = 0;
    /// An input could not be read (the others were processed), or `ctfilter test` failed.
    pub const INPUT: i32 = 1;
    /// Usage or rule errors; nothing was read.
    pub const USAGE: i32 = 2;
    /// `--strict` stopped at the first bad input.
    pub const STRICT: i32 = 3;
    /// Output or the dead-letter sink could not be written.
    pub const OUTPUT: i32 = 4;
}

const FLUSH_AT: usize = 256 * 1024;

pub struct Run {
    pub plan: Arc<Plan>,
    pub rule_sources: RuleSources,
    pub inputs: Vec<InputPath>,
    pub dead_letter: Option<PathBuf>,
    pub print_stats: bool,
    pub threads: usize,
    pub explain: Option<crate::explain::Style>,
}

enum DeadSink {
    Stderr,
    File(io::BufWriter<std::fs::File>, PathBuf),
}

impl DeadSink {
    fn write(&mut self, bytes: &[u8]) -> Result<(), String> {
        if bytes.is_empty() {
            return Ok(());
        }
        match self {
            DeadSink::Stderr => {
                let _ = io::stderr().lock().write_all(bytes);
                Ok(())
            }
            DeadSink::File(w, path) => w
                .write_all(bytes)
                .map_err(|e| format!("cannot write dead letters to {}: {e}", path.display())),
        }
    }
    fn flush(&mut self) -> Result<(), String> {
        match self {
            DeadSink::Stderr => Ok(()),
            DeadSink::File(w, path) => w
                .flush()
                .map_err(|e| format!("cannot write dead letters to {}: {e}", path.display())),
        }
    }
}

enum Stop {
    Finished,
    Terminated,
    BrokenPipe,
    Strict(String),
    Fatal(String),
}

pub fn run(run: Run) -> i32 {
    let mut dead = match &run.dead_letter {
        None => DeadSink::Stderr,
        Some(path) => match std::fs::OpenOptions::new().create(true).append(true).open(path) {
            Ok(file) => DeadSink::File(io::BufWriter::new(file), path.clone()),
            Err(e) => {
                eprintln!("ctfilter: cannot open dead-letter file {}: {e}", path.display());
                return exit::USAGE;
            }
        },
    };
    let style = if run.dead_letter.is_some() {
        DeadLetterStyle::Ndjson
    } else {
        DeadLetterStyle::Reason
    };
    let names: Vec<String> = run.inputs.iter().map(InputPath::display).collect();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Msg>(8);
    if let Err(e) = input::forward_signals(tx.clone()) {
        eprintln!("ctfilter: cannot install signal handlers: {e}");
    }
    let recycle = input::spawn_reader(run.inputs.clone(), tx);

    let mut plan = run.plan.clone();
    let mut processor = Processor::new(&plan, style);
    processor.explain = run.explain;
    let mut framer = Framer::default();
    let mut sink = Sink::default();
    let mut input_failed = false;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut current = 0usize;

    let stop = loop {
        let msg = match rx.try_recv() {
            Ok(msg) => msg,
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                // Input is idle: everything processed so far goes out now.
                if let Err(stop) = drain(&mut out, &mut sink, &mut dead, true) {
                    break stop;
                }
                match rx.recv() {
                    Ok(msg) => msg,
                    Err(_) => break Stop::Finished,
                }
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => break Stop::Finished,
        };
        match msg {
            Msg::Start(id) => {
                current = id;
                framer.reset();
            }
            Msg::Data(id, chunk) => {
                let source = &names[id];
                let mut strict_stop = None;
                framer.feed(&chunk, &mut |unit| {
                    if strict_stop.is_some() {
                        return;
                    }
                    handle(&plan, &mut processor, unit, source, &mut sink);
                    if plan.options.strict && processor.saw_bad {
                        strict_stop = Some(source.clone());
                    }
                });
                let _ = recycle.send(chunk);
                if let Some(source) = strict_stop {
                    let _ = drain(&mut out, &mut sink, &mut dead, true);
                    break Stop::Strict(source);
                }
                if sink.out.len() >= FLUSH_AT || !sink.dead.is_empty() {
                    if let Err(stop) = drain(&mut out, &mut sink, &mut dead, false) {
                        break stop;
                    }
                }
            }
            Msg::End(id) | Msg::Error(id, _) if id != current => {}
            Msg::End(_) => {
                let source = &names[current];
                framer.finish(&mut |unit| handle(&plan, &mut processor, unit, source, &mut sink));
                if plan.options.strict && processor.saw_bad {
                    let _ = drain(&mut out, &mut sink, &mut dead, true);
                    break Stop::Strict(source.clone());
                }
            }
            Msg::Error(_, message) => {
                let source = &names[current];
                framer.finish(&mut |unit| handle(&plan, &mut processor, unit, source, &mut sink));
                eprintln!("ctfilter: {message}");
                input_failed = true;
            }
            Msg::Signal(Sig::Terminate) => break Stop::Terminated,
            Msg::Signal(Sig::Reload) => {
                if let Some(new_plan) = reload(&run.rule_sources, &plan.options) {
                    plan = new_plan;
                }
            }
            Msg::Done => break Stop::Finished,
        }
    };

    let mut code = match &stop {
        Stop::Finished | Stop::Terminated => exit::OK,
        Stop::BrokenPipe => exit::OK,
        Stop::Strict(source) => {
            eprintln!("ctfilter: --strict: stopping at the first bad input in {source}");
            exit::STRICT
        }
        Stop::Fatal(message) => {
            eprintln!("ctfilter: {message}");
            exit::OUTPUT
        }
    };
    if matches!(stop, Stop::Finished | Stop::Terminated) {
        if let Err(stop) = drain(&mut out, &mut sink, &mut dead, true) {
            if let Stop::Fatal(message) = stop {
                eprintln!("ctfilter: {message}");
                code = exit::OUTPUT;
            }
        }
    }
    if let Err(message) = dead.flush() {
        eprintln!("ctfilter: {message}");
        code = exit::OUTPUT;
    }
    if run.print_stats {
        print_stats(&processor.stats);
    }
    if code == exit::OK && input_failed {
        code = exit::INPUT;
    }
    code
}

fn handle(plan: &Plan, processor: &mut Processor, unit: Unit<'_>, source: &str, sink: &mut Sink) {
    match unit {
        Unit::Line(line, n) => processor.line(plan, line, Where { source, line: n }, sink),
        Unit::Document(doc, n) => {
            processor.stats.lines += 1;
            processor.stats.bytes += doc.len() as u64;
            processor.document(plan, doc, Where { source, line: n }, crate::stats::Shape::Bare, 0, sink);
        }
    }
}

/// Write pending output and dead letters; flush stdout when asked.
fn drain(out: &mut impl Write, sink: &mut Sink, dead: &mut DeadSink, flush: bool) -> Result<(), Stop> {
    dead.write(&sink.dead).map_err(Stop::Fatal)?;
    sink.dead.clear();
    if flush {
        dead.flush().map_err(Stop::Fatal)?;
    }
    let result = out.write_all(&sink.out).and_then(|()| if flush { out.flush() } else { Ok(()) });
    sink.out.clear();
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Stop::BrokenPipe),
        Err(e) => Err(Stop::Fatal(format!("cannot write output: {e}"))),
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

pub fn print_stats(stats: &Stats) {
    let line = serde_json::json!({ "ctfilter_stats": stats.to_json() });
    eprintln!("{line}");
}
