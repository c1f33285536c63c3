//! `--threads N`: ordered parallel processing of batches of units.
//!
//! The calling thread frames input into batches and hands them to N workers,
//! each with its own [`Processor`]. A batch owns the input chunk its units
//! were framed from, so lines and streamed records that lie inside the chunk
//! are passed by range, not copied; only units assembled elsewhere (a line
//! or streamed record split across chunks, a pretty document, a record of a
//! host-wrapped file) are copied into the batch's own buffer. Spent chunks go
//! back to the reader for reuse. A writer thread puts results back in
//! sequence order, writes them, and flushes whenever no result is waiting, so
//! idle input still flushes promptly. Output is byte-identical to the
//! single-threaded path: the same processor runs on the same units in the
//! same order per batch, and batches are written in order.

use crate::input::frame::Unit;
use crate::input::origin::Shape;
use crate::input::source::Chunk;
use crate::output::deadletter::DeadLetterStyle;
use crate::output::explain::Style;
use crate::output::stats::Stats;
use crate::rules::plan::Plan;
use crate::run::process::{Processor, Sink};
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex};

/// Spent byte buffers, handed back so that batches and sinks reuse warm
/// memory instead of faulting in fresh pages.
#[derive(Clone, Default)]
pub struct Pool(Arc<Mutex<Vec<Vec<u8>>>>);

impl Pool {
    pub fn take(&self, capacity: usize) -> Vec<u8> {
        let buf = self.0.lock().ok().and_then(|mut bufs| bufs.pop());
        let mut buf = buf.unwrap_or_default();
        buf.clear();
        buf.reserve(capacity);
        buf
    }
    pub fn give(&self, buf: Vec<u8>) {
        if let Ok(mut bufs) = self.0.lock() {
            // Every batch and result in flight fits (about 12): dropping
            // buffers only to allocate new ones churned memory that mimalloc
            // returns lazily (peak RSS 55-60 -> 34-39 MiB with
            // `--events '*' --threads 2` on piped input).
            if bufs.len() < 32 {
                bufs.push(buf);
            }
        }
    }
}

/// A framed unit whose bytes live in the batch buffer.
pub enum Held {
    Line,
    Document,
    Record {
        index: usize,
        offset: u64,
    },
    TooLongRecord {
        len: u64,
        index: usize,
        offset: u64,
    },
    Broken {
        reason: String,
        truncated: bool,
        index: Option<usize>,
        offset: u64,
    },
    Trailing {
        offset: u64,
    },
    StreamEnd {
        bytes: u64,
    },
    TooLongLine {
        len: u64,
    },
}

/// Where a unit's bytes are kept in its batch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Store {
    /// Inside the input chunk the batch owns.
    Chunk,
    /// Copied into the batch's own buffer.
    Copied,
}

/// Units of input to be processed together.
pub struct Batch {
    pub seq: u64,
    pub plan: Arc<Plan>,
    pub source: Arc<str>,
    /// The input chunk that `Store::Chunk` units point into; it is attached
    /// once the chunk has been framed.
    pub chunk: Option<Chunk>,
    pub data: Vec<u8>,
    pub units: Vec<(Store, Range<usize>, u64, Held, Shape)>,
    refers_to_chunk: bool,
}

impl Batch {
    pub fn new(seq: u64, plan: Arc<Plan>, source: Arc<str>, data: Vec<u8>) -> Batch {
        Batch {
            seq,
            plan,
            source,
            chunk: None,
            data,
            units: Vec::with_capacity(512),
            refers_to_chunk: false,
        }
    }

    /// Whether some unit points into the chunk being framed.
    pub fn refers_to_chunk(&self) -> bool {
        self.refers_to_chunk
    }

    /// Add a unit. `chunk` is the address range of the input chunk being
    /// framed: a unit whose bytes lie inside it is recorded by offset (the
    /// chunk must then be attached to this batch before it is sent).
    pub fn push(&mut self, unit: Unit<'_>, chunk: Range<usize>) {
        use crate::input::stream::Piece;
        let shape = match &unit {
            Unit::Piece(_, _, shape) => *shape,
            _ => Shape::Bare,
        };
        let (bytes, line, held): (&[u8], u64, Held) = match unit {
            Unit::Line(bytes, line) => (bytes, line, Held::Line),
            Unit::Document(bytes, line) => (bytes, line, Held::Document),
            Unit::Piece(
                Piece::Record {
                    bytes,
                    index,
                    offset,
                },
                line,
                _,
            ) => (bytes, line, Held::Record { index, offset }),
            Unit::Piece(
                Piece::TooLong {
                    prefix,
                    len,
                    index,
                    offset,
                },
                line,
                _,
            ) => (prefix, line, Held::TooLongRecord { len, index, offset }),
            Unit::Piece(
                Piece::Broken {
                    bytes,
                    offset,
                    reason,
                    truncated,
                    index,
                },
                line,
                _,
            ) => (
                bytes,
                line,
                Held::Broken {
                    reason,
                    truncated,
                    index,
                    offset,
                },
            ),
            Unit::Piece(Piece::Trailing { bytes, offset }, line, _) => {
                (bytes, line, Held::Trailing { offset })
            }
            Unit::StreamEnd(line, bytes) => (&[], line, Held::StreamEnd { bytes }),
            Unit::TooLong(prefix, len, line) => (prefix, line, Held::TooLongLine { len }),
        };
        let at = bytes.as_ptr() as usize;
        if !bytes.is_empty() && chunk.start <= at && at + bytes.len() <= chunk.end {
            let start = at - chunk.start;
            let range = start..start + bytes.len();
            self.units.push((Store::Chunk, range, line, held, shape));
            self.refers_to_chunk = true;
            return;
        }
        let start = self.data.len();
        self.data.extend_from_slice(bytes);
        let range = start..self.data.len();
        self.units.push((Store::Copied, range, line, held, shape));
    }
}

impl Held {
    /// The unit again, borrowing its bytes from the batch buffer.
    fn unit<'a>(&'a self, bytes: &'a [u8], line: u64, shape: Shape) -> Unit<'a> {
        use crate::input::stream::Piece;
        match self {
            Held::Line => Unit::Line(bytes, line),
            Held::Document => Unit::Document(bytes, line),
            Held::Record { index, offset } => Unit::Piece(
                Piece::Record {
                    bytes,
                    index: *index,
                    offset: *offset,
                },
                line,
                shape,
            ),
            Held::TooLongRecord { len, index, offset } => Unit::Piece(
                Piece::TooLong {
                    prefix: bytes,
                    len: *len,
                    index: *index,
                    offset: *offset,
                },
                line,
                shape,
            ),
            Held::Broken {
                reason,
                truncated,
                index,
                offset,
            } => Unit::Piece(
                Piece::Broken {
                    bytes,
                    offset: *offset,
                    reason: reason.clone(),
                    truncated: *truncated,
                    index: *index,
                },
                line,
                shape,
            ),
            Held::Trailing { offset } => Unit::Piece(
                Piece::Trailing {
                    bytes,
                    offset: *offset,
                },
                line,
                shape,
            ),
            Held::StreamEnd { bytes: len } => Unit::StreamEnd(line, *len),
            Held::TooLongLine { len } => Unit::TooLong(bytes, *len, line),
        }
    }
}

pub struct Done {
    pub seq: u64,
    pub sink: Sink,
    pub stats: Stats,
    /// `--strict` and this batch met a bad input (units after it were skipped).
    pub strict_stop: bool,
}

/// Start `threads` workers. Returns the batch sender. Spent input chunks are
/// handed back on `chunks`.
pub fn spawn_workers(
    threads: usize,
    style: DeadLetterStyle,
    explain: Option<Style>,
    results: SyncSender<Done>,
    pool: Pool,
    chunks: Sender<Chunk>,
) -> SyncSender<Batch> {
    // One batch waiting per worker keeps them busy; each one holds an input
    // chunk, so more would only add RSS.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(threads);
    let rx = Arc::new(Mutex::new(rx));
    for n in 0..threads {
        let rx = rx.clone();
        let results = results.clone();
        let pool = pool.clone();
        let chunks = chunks.clone();
        std::thread::Builder::new()
            .name(format!("ctfilter-worker-{n}"))
            .spawn(move || worker(rx, results, style, explain, pool, chunks))
            .expect("spawn worker thread");
    }
    tx
}

fn worker(
    rx: Arc<Mutex<Receiver<Batch>>>,
    results: SyncSender<Done>,
    style: DeadLetterStyle,
    explain: Option<Style>,
    pool: Pool,
    chunks: Sender<Chunk>,
) {
    let mut processor: Option<Processor> = None;
    loop {
        let batch = match rx.lock() {
            Ok(guard) => match guard.recv() {
                Ok(batch) => batch,
                Err(_) => return,
            },
            Err(_) => return,
        };
        let plan = &*batch.plan;
        let processor = processor.get_or_insert_with(|| {
            let mut p = Processor::new(plan, style);
            p.explain = explain;
            p
        });
        processor.stats = Stats::default();
        processor.saw_bad = false;
        // Output grows as needed: with the default rules it is a few percent
        // of the input, and reserving for all of it cost 15 MiB of RSS.
        let mut sink = Sink {
            out: pool.take(0),
            dead: Vec::new(),
        };
        let mut strict_stop = false;
        for (store, range, line, held, shape) in &batch.units {
            let bytes = match store {
                Store::Chunk => match &batch.chunk {
                    Some(chunk) => &chunk.bytes()[range.clone()],
                    None => unreachable!("a batch pointing into a chunk is sent with it"),
                },
                Store::Copied => &batch.data[range.clone()],
            };
            let unit = held.unit(bytes, *line, *shape);
            processor.unit(plan, unit, &batch.source, &mut sink);
            if plan.options.strict && processor.saw_bad {
                strict_stop = true;
                break;
            }
        }
        pool.give(batch.data);
        if let Some(chunk) = batch.chunk {
            let _ = chunks.send(chunk);
        }
        let done = Done {
            seq: batch.seq,
            sink,
            stats: std::mem::take(&mut processor.stats),
            strict_stop,
        };
        if results.send(done).is_err() {
            return;
        }
    }
}

/// What the writer saw when it finished.
#[derive(Default)]
pub struct WriterEnd {
    pub stats: Stats,
    pub broken_pipe: bool,
    pub fatal: Option<String>,
    pub strict_stop: bool,
}

/// Write results in sequence order until the channel closes or writing stops.
/// `stop` is raised when the writer gives up (broken pipe, error, strict).
/// `live` holds the counters of what has been written so far.
pub fn write_in_order(
    results: Receiver<Done>,
    mut write: impl FnMut(&Sink, bool) -> Result<(), WriteStop>,
    stop: Arc<AtomicBool>,
    pool: Pool,
    live: &Mutex<Stats>,
) -> WriterEnd {
    let mut end = WriterEnd::default();
    let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
    let mut next = 0u64;
    loop {
        let done = match results.try_recv() {
            Ok(done) => done,
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                if let Err(e) = write(&Sink::default(), true) {
                    end.apply(e, &stop);
                    return end;
                }
                match results.recv() {
                    Ok(done) => done,
                    Err(_) => return end,
                }
            }
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                if let Err(e) = write(&Sink::default(), true) {
                    end.apply(e, &stop);
                }
                return end;
            }
        };
        pending.insert(done.seq, done);
        while let Some(done) = pending.remove(&next) {
            next += 1;
            end.stats.add(&done.stats);
            // For the periodic metrics: one lock per batch, not per record.
            if let Ok(mut live) = live.lock() {
                live.clone_from(&end.stats);
            }
            let written = write(&done.sink, false);
            pool.give(done.sink.out);
            if let Err(e) = written {
                end.apply(e, &stop);
                return end;
            }
            if done.strict_stop {
                end.strict_stop = true;
                let _ = write(&Sink::default(), true);
                stop.store(true, Ordering::SeqCst);
                return end;
            }
        }
    }
}

pub enum WriteStop {
    BrokenPipe,
    Fatal(String),
}

impl WriterEnd {
    fn apply(&mut self, e: WriteStop, stop: &AtomicBool) {
        match e {
            WriteStop::BrokenPipe => self.broken_pipe = true,
            WriteStop::Fatal(message) => self.fatal = Some(message),
        }
        stop.store(true, Ordering::SeqCst);
    }
}
