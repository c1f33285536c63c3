//! The run loop: input messages in, records and dead letters out.
//!
//! Guarantees:
//! - output order is input order;
//! - output is flushed whenever input goes idle (the channel is empty), at the
//!   end of input, and before exit on SIGTERM/SIGINT, after everything already
//!   read has been processed;
//! - SIGHUP recompiles the rules from the same sources and swaps the plan
//!   between units; invalid rules are logged and the old plan stays;
//! - a closed stdout ends the run quietly with exit 0;
//! - with `--state`, the state is saved every `--state-save-interval` (from
//!   the loop, between chunks or on an idle wake-up), on SIGHUP and at exit;
//!   `--state` and `--dedupe` run inline, so `--threads` does not change
//!   their output.

use crate::input::frame::Unit;
use crate::input::source::{self, InputPath, Msg};
use crate::output::deadletter::DeadLetterStyle;
use crate::output::stats::Stats;
use crate::rules::load::RuleSources;
use crate::rules::plan::Plan;
use crate::run::parallel;
use crate::run::process::{Processor, Sink};
use crate::run::pump::{pump, Loop, Stop, Target};
use crate::run::watch::{self, Watch};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
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
    pub explain: Option<crate::output::explain::Style>,
    /// Raised on SIGTERM: the reader hands on what it has read, then stops.
    pub stop_reading: Arc<AtomicBool>,
    /// `--state`, `--dedupe` and their settings: the state is applied
    /// inline, in input order.
    pub state: crate::run::state::StateOptions,
    /// Periodic metrics and the progress bar.
    pub watch: watch::Settings,
}

impl Run {
    fn looped(&self) -> Loop<'_> {
        Loop {
            plan: &self.plan,
            rule_sources: &self.rule_sources,
            stop_reading: &self.stop_reading,
        }
    }
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

pub fn run(run: Run) -> i32 {
    let mut dead = match &run.dead_letter {
        None => DeadSink::Stderr,
        Some(path) => match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            Ok(file) => DeadSink::File(io::BufWriter::new(file), path.clone()),
            Err(e) => {
                eprintln!(
                    "ctfilter: cannot open dead-letter file {}: {e}",
                    path.display()
                );
                return exit::USAGE;
            }
        },
    };
    let style = if run.dead_letter.is_some() {
        DeadLetterStyle::Ndjson
    } else {
        DeadLetterStyle::Reason
    };
    // First-seen and dedupe state: opened before any input is read (issue 13).
    let tracker = match run.state.open(&run.plan) {
        Ok(tracker) => tracker,
        Err(message) => {
            eprintln!("ctfilter: {message}");
            return exit::USAGE;
        }
    };
    let raw_read = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let sizes = run.inputs.iter().map(source::InputPath::size).collect();
    let mut watch = match Watch::new(&run.watch, sizes, raw_read.clone()) {
        Ok(watch) => watch,
        Err(e) => {
            eprintln!("ctfilter: {e}");
            return exit::USAGE;
        }
    };
    let names: Vec<Arc<str>> = run.inputs.iter().map(|i| Arc::from(i.display())).collect();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Msg>(4);
    if let Err(e) = source::forward_signals(tx.clone()) {
        eprintln!("ctfilter: cannot install signal handlers: {e}");
    }
    let inline = run.threads <= 1 || tracker.is_some();
    let chunk_size = if inline {
        source::CHUNK
    } else {
        source::PARALLEL_CHUNK
    };
    let recycle = source::spawn_reader(
        run.inputs.clone(),
        chunk_size,
        tx,
        run.stop_reading.clone(),
        raw_read,
    );

    let mut save_failed = false;
    let (stop, stats, input_failed) = if inline {
        let mut target = Inline {
            processor: Processor::new(&run.plan, style),
            sink: Sink::default(),
            out: io::stdout().lock(),
            dead: &mut dead,
            state: &run.state,
            saver: run
                .state
                .file
                .as_ref()
                .map(|_| crate::run::state::Saver::new(run.state.save_interval)),
        };
        target.processor.explain = run.explain;
        *target.processor.tracker() = tracker;
        let (stop, input_failed) = pump(
            &run.looped(),
            &rx,
            &recycle,
            &names,
            &mut target,
            &mut watch,
        );
        let stop = match stop {
            Stop::Finished | Stop::Terminated => {
                match drain(&mut target.out, &mut target.sink, target.dead, true) {
                    Ok(()) => stop,
                    Err(e) => e,
                }
            }
            other => other,
        };
        save_failed = !target.save_state();
        (stop, target.stats(), input_failed)
    } else {
        let dead = dead_take(&mut dead);
        run_parallel(&run, &rx, &recycle, &names, style, dead, &mut watch)
    };
    watch.finish(&stats);

    let mut code = match &stop {
        Stop::Finished | Stop::Terminated | Stop::BrokenPipe => exit::OK,
        Stop::Strict(source) => {
            eprintln!("ctfilter: --strict: stopping at the first bad input in {source}");
            exit::STRICT
        }
        Stop::Fatal(message) => {
            eprintln!("ctfilter: {message}");
            exit::OUTPUT
        }
    };
    // After a fatal write error the sink has already failed and been reported.
    if !matches!(stop, Stop::Fatal(_)) {
        if let Err(message) = dead.flush() {
            eprintln!("ctfilter: {message}");
            code = exit::OUTPUT;
        }
    }
    if run.print_stats {
        print_stats(&stats);
    }
    if code == exit::OK && save_failed {
        code = exit::OUTPUT;
    }
    if code == exit::OK && input_failed {
        code = exit::INPUT;
    }
    code
}

fn dead_take(dead: &mut DeadSink) -> DeadSink {
    std::mem::replace(dead, DeadSink::Stderr)
}

struct Inline<'a, W: Write> {
    processor: Processor,
    sink: Sink,
    out: W,
    dead: &'a mut DeadSink,
    state: &'a crate::run::state::StateOptions,
    /// Periodic saves, with `--state`.
    saver: Option<crate::run::state::Saver>,
}

impl<W: Write> Inline<'_, W> {
    /// Save the `--state` file, if any; false (reported) if it failed.
    fn save_state(&mut self) -> bool {
        let Some(tracker) = self.processor.tracker().as_ref() else {
            return true;
        };
        self.state
            .save(tracker)
            .map_err(|message| eprintln!("ctfilter: {message}"))
            .is_ok()
    }
}

impl<W: Write> Target for Inline<'_, W> {
    fn reloaded(&mut self, plan: &Arc<Plan>) {
        if let Some(tracker) = self.processor.tracker() {
            tracker.bind(plan);
        }
        self.save_state();
    }
    fn unit(&mut self, plan: &Arc<Plan>, source: &Arc<str>, unit: Unit<'_>) {
        if plan.options.strict && self.processor.saw_bad {
            return;
        }
        handle(plan, &mut self.processor, unit, source, &mut self.sink);
    }
    fn chunk_done(&mut self, plan: &Arc<Plan>) -> Result<(), Stop> {
        if plan.options.strict && self.processor.saw_bad {
            drain(&mut self.out, &mut self.sink, self.dead, true)?;
            return Err(Stop::Strict(String::new()));
        }
        if self.sink.out.len() >= FLUSH_AT || !self.sink.dead.is_empty() {
            drain(&mut self.out, &mut self.sink, self.dead, false)?;
        }
        Ok(())
    }
    fn idle(&mut self) -> Result<(), Stop> {
        drain(&mut self.out, &mut self.sink, self.dead, true)
    }
    fn stats(&self) -> Stats {
        let mut stats = self.processor.stats.clone();
        stats.state = self.processor.tracker_ref().map(|t| self.state.figures(t));
        stats
    }
    fn deadline(&self) -> Option<std::time::Instant> {
        self.saver.as_ref().map(crate::run::state::Saver::deadline)
    }
    fn tick(&mut self) {
        let read = self.processor.stats.read;
        let Some(tracker) = self.processor.tracker().as_mut() else {
            return;
        };
        tracker.set_clock(crate::run::state::unix_now());
        let now = std::time::Instant::now();
        if self.saver.as_mut().is_some_and(|s| s.due(now, read)) {
            self.save_state();
        }
    }
}

struct Batcher {
    pool: parallel::Pool,
    batch: Option<parallel::Batch>,
    seq: u64,
    tx: Option<std::sync::mpsc::SyncSender<parallel::Batch>>,
    stop: Arc<AtomicBool>,
    /// Address range of the chunk being framed (empty between chunks).
    chunk: std::ops::Range<usize>,
    /// The writer's running counters.
    live: Arc<std::sync::Mutex<Stats>>,
}

impl Batcher {
    fn send(&mut self) {
        if let (Some(batch), Some(tx)) = (self.batch.take(), &self.tx) {
            if !batch.units.is_empty() {
                let _ = tx.send(batch);
            }
        }
    }
}

impl Target for Batcher {
    fn unit(&mut self, plan: &Arc<Plan>, source: &Arc<str>, unit: Unit<'_>) {
        let reuse = self
            .batch
            .as_ref()
            .is_some_and(|b| Arc::ptr_eq(&b.plan, plan) && Arc::ptr_eq(&b.source, source));
        if !reuse {
            self.send();
            self.batch = Some(parallel::Batch::new(
                self.seq,
                plan.clone(),
                source.clone(),
                self.pool.take(0),
            ));
            self.seq += 1;
        }
        if let Some(batch) = &mut self.batch {
            batch.push(unit, self.chunk.clone());
            // A batch that points into the chunk waits for it (end_chunk).
            if batch.data.len() >= COPIED_BYTES && !batch.refers_to_chunk() {
                self.send();
            }
        }
    }
    fn begin_chunk(&mut self, chunk: &[u8]) {
        let start = chunk.as_ptr() as usize;
        self.chunk = start..start + chunk.len();
    }
    fn end_chunk(&mut self, chunk: source::Chunk) -> Option<source::Chunk> {
        self.chunk = 0..0;
        match &mut self.batch {
            Some(batch) if batch.refers_to_chunk() => {
                batch.chunk = Some(chunk);
                self.send();
                None
            }
            _ => Some(chunk),
        }
    }
    fn chunk_done(&mut self, _plan: &Arc<Plan>) -> Result<(), Stop> {
        if self.stop.load(Ordering::SeqCst) {
            return Err(Stop::Finished);
        }
        Ok(())
    }
    fn idle(&mut self) -> Result<(), Stop> {
        self.send();
        if self.stop.load(Ordering::SeqCst) {
            return Err(Stop::Finished);
        }
        Ok(())
    }
    fn stats(&self) -> Stats {
        self.live.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// Bytes copied into a batch (units not inside the input chunk) before it is
/// sent on its own.
const COPIED_BYTES: usize = 256 * 1024;

fn run_parallel(
    run: &Run,
    rx: &std::sync::mpsc::Receiver<Msg>,
    recycle: &std::sync::mpsc::Sender<source::Chunk>,
    names: &[Arc<str>],
    style: DeadLetterStyle,
    mut dead: DeadSink,
    watch: &mut Watch,
) -> (Stop, Stats, bool) {
    let (results_tx, results_rx) = std::sync::mpsc::sync_channel::<parallel::Done>(run.threads);
    let stop = Arc::new(AtomicBool::new(false));
    let pool = parallel::Pool::default();
    let batches = parallel::spawn_workers(
        run.threads,
        style,
        run.explain,
        results_tx,
        pool.clone(),
        recycle.clone(),
    );
    let writer_pool = pool.clone();
    let writer_stop = stop.clone();
    let live = Arc::new(std::sync::Mutex::new(Stats::default()));
    let writer_live = live.clone();
    let writer = std::thread::Builder::new()
        .name("ctfilter-writer".into())
        .spawn(move || {
            let stdout = io::stdout();
            let mut out = stdout.lock();
            let mut scratch = Sink::default();
            let end = parallel::write_in_order(
                results_rx,
                |sink, flush| {
                    let written = if scratch.out.is_empty() && sink.out.len() >= FLUSH_AT {
                        // Large results go straight out; small ones are
                        // gathered so that writes stay large.
                        write_sink(&mut out, sink, &mut dead, true)
                    } else {
                        scratch.out.extend_from_slice(&sink.out);
                        scratch.dead.extend_from_slice(&sink.dead);
                        let flush = flush || scratch.out.len() >= FLUSH_AT;
                        if !flush && scratch.dead.is_empty() {
                            return Ok(());
                        }
                        drain(&mut out, &mut scratch, &mut dead, flush)
                    };
                    written.map_err(|stop| match stop {
                        Stop::BrokenPipe => parallel::WriteStop::BrokenPipe,
                        Stop::Fatal(m) => parallel::WriteStop::Fatal(m),
                        _ => parallel::WriteStop::Fatal("stopped".into()),
                    })
                },
                writer_stop,
                writer_pool,
                &writer_live,
            );
            (end, dead)
        })
        .expect("spawn writer thread");
    let mut batcher = Batcher {
        pool,
        batch: None,
        seq: 0,
        tx: Some(batches),
        stop: stop.clone(),
        chunk: 0..0,
        live,
    };
    let (mut outcome, input_failed) = pump(&run.looped(), rx, recycle, names, &mut batcher, watch);
    batcher.send();
    batcher.tx = None;
    let (end, _dead) = match writer.join() {
        Ok(result) => result,
        Err(_) => (parallel::WriterEnd::default(), DeadSink::Stderr),
    };
    if end.broken_pipe {
        outcome = Stop::BrokenPipe;
    } else if let Some(message) = end.fatal {
        outcome = Stop::Fatal(message);
    } else if end.strict_stop {
        outcome = Stop::Strict(names.first().map(|n| n.to_string()).unwrap_or_default());
    }
    (outcome, end.stats, input_failed)
}

fn handle(plan: &Plan, processor: &mut Processor, unit: Unit<'_>, source: &str, sink: &mut Sink) {
    processor.unit(plan, unit, source, sink);
}

/// Write pending output and dead letters, then empty the sink; flush stdout
/// when asked.
fn drain(
    out: &mut impl Write,
    sink: &mut Sink,
    dead: &mut DeadSink,
    flush: bool,
) -> Result<(), Stop> {
    let result = write_sink(out, sink, dead, flush);
    sink.dead.clear();
    sink.out.clear();
    result
}

fn write_sink(
    out: &mut impl Write,
    sink: &Sink,
    dead: &mut DeadSink,
    flush: bool,
) -> Result<(), Stop> {
    dead.write(&sink.dead).map_err(Stop::Fatal)?;
    if flush {
        dead.flush().map_err(Stop::Fatal)?;
    }
    let result = out
        .write_all(&sink.out)
        .and_then(|()| if flush { out.flush() } else { Ok(()) });
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Stop::BrokenPipe),
        Err(e) => Err(Stop::Fatal(format!("cannot write output: {e}"))),
    }
}

/// Peak resident memory of this process (Linux `VmHWM`), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `--stats`, with the state's figures when `--state` or `--dedupe` is on.
pub fn print_stats(stats: &Stats) {
    let mut line = serde_json::json!({
        "ctfilter_stats": stats.to_json(),
        "process": { "peak_rss_kib": peak_rss_kib() },
    });
    if let Some(state) = &stats.state {
        line["state"] = state.to_json();
    }
    eprintln!("{line}");
}
