//! From one input line to output bytes: shape detection, parsing, the engine;
//! bad units go to [`crate::output::deadletter`].
//!
//! A line is one JSON value, or several (a host-wrapped file holding NDJSON).
//! A record is first offered to the fast path (`fast.rs`): a structural
//! pass, then a parse of only the fields the plan reads; it settles most
//! dropped records. Every other record takes the full path: one copy into a
//! reused, padded scratch buffer, one simd-json pass into a reused tape, and a
//! splice of the original bytes. Envelopes are cut into record spans with the raw scanner, so every
//! record is emitted as its own input bytes. Every unit (record, bad input,
//! skipped item) is counted exactly once; a bad unit is dead-lettered with its
//! raw bytes, or passed through with `--on-error pass`. Nothing here panics on
//! any input, and nothing allocates once buffers are warm.

use crate::engine::{Core, Decision};
use crate::input::origin::{Shape, Where};
use crate::input::scan::{self, Elements, ScanError};
use crate::model::record::{text, Val};
use crate::output::deadletter::{scan_kind, DeadLetter, DeadLetterStyle};
use crate::output::enrich;
use crate::output::stats::{BadKind, Stats};
use crate::rules::plan::{OnError, Plan};
use simd_json::tape::Tape;
use std::ops::Range;

/// Output produced while processing, written by the driver in input order.
#[derive(Default)]
pub struct Sink {
    pub out: Vec<u8>,
    pub dead: Vec<u8>,
}

impl Sink {
    pub fn clear(&mut self) {
        self.out.clear();
        self.dead.clear();
    }
}

/// Position of a unit inside an envelope, for dead letters.
#[derive(Clone, Copy, Debug, Default)]
struct Detail {
    index: Option<usize>,
    offset: Option<usize>,
}

/// Where a value sits: its line, the envelope it came from, how deep.
#[derive(Clone, Copy, Debug)]
struct Ctx<'a> {
    at: Where<'a>,
    shape: Shape,
    depth: usize,
    detail: Detail,
}

impl<'a> Ctx<'a> {
    fn top(at: Where<'a>, shape: Shape, depth: usize) -> Ctx<'a> {
        Ctx {
            at,
            shape,
            depth,
            detail: Detail::default(),
        }
    }
    /// A nested position. Records keep the outermost shape they arrived in
    /// (a Records file inside a Vector message counts as host-wrapped).
    fn with(self, shape: Shape, depth: usize, detail: Detail) -> Ctx<'a> {
        Ctx {
            shape: if self.shape == Shape::Bare {
                shape
            } else {
                self.shape
            },
            depth,
            detail,
            ..self
        }
    }
}

/// The deepest envelope nesting followed (wrapped -> Records -> record).
const MAX_NESTING: usize = 6;

enum Kind {
    Record,
    Records,
    EventBridge,
    CloudWatch {
        control: bool,
    },
    LookupItem,
    LookupResponse,
    Digest,
    Wrapped,
    Unknown,
    /// Several JSON values on one line (files joined without newlines).
    Concatenated,
}

pub struct Processor {
    eval: crate::engine::Evaluator,
    buffers: simd_json::Buffers,
    tape: Option<Tape<'static>>,
    scratch: Vec<u8>,
    verdict: Vec<u8>,
    /// Embedded JSON texts (CloudWatch messages, CloudTrailEvent strings,
    /// host-wrapped files), one buffer per nesting level.
    texts: Vec<(Vec<u8>, Vec<Range<usize>>)>,
    dead_style: DeadLetterStyle,
    /// The fast path's structural pass results and stand-in (`fast.rs`).
    fields: crate::input::fields::Fields,
    stand: Vec<u8>,
    /// Records the fast path counted as filtered (not in `--stats`: the
    /// counts are the same either way).
    pub fast_dropped: u64,
    /// `ctfilter explain`: write decision traces instead of records.
    pub explain: Option<crate::output::explain::Style>,
    pub stats: Stats,
    pub saw_bad: bool,
}

impl Processor {
    pub fn new(plan: &Plan, dead_style: DeadLetterStyle) -> Processor {
        Processor {
            eval: Default::default(),
            buffers: simd_json::Buffers::with_max_depth(4096, plan.options.max_depth),
            tape: Some(Tape::null().reset()),
            scratch: Vec::with_capacity(4096),
            verdict: Vec::with_capacity(1024),
            texts: (0..=MAX_NESTING).map(|_| Default::default()).collect(),
            dead_style,
            fields: Default::default(),
            stand: Vec::with_capacity(4096),
            fast_dropped: 0,
            explain: None,
            stats: Stats::default(),
            saw_bad: false,
        }
    }

    /// The first-seen tracker (`--state`); `None` leaves those rules inactive.
    pub fn tracker(&mut self) -> &mut Option<crate::engine::tracker::Tracker> {
        &mut self.eval.tracker
    }

    pub fn tracker_ref(&self) -> Option<&crate::engine::tracker::Tracker> {
        self.eval.tracker.as_ref()
    }

    /// Process one input line (without its `\n`).
    pub fn line(&mut self, plan: &Plan, line: &[u8], at: Where<'_>, sink: &mut Sink) {
        self.stats.lines += 1;
        self.stats.bytes += line.len() as u64 + 1;
        let line = scan::strip_bom(line.strip_suffix(b"\r").unwrap_or(line));
        if line.iter().all(u8::is_ascii_whitespace) {
            self.stats.blank_lines += 1;
            return;
        }
        let ctx = Ctx::top(at, Shape::Bare, 0);
        // An envelope line may be long; the limit then applies to each record.
        if line.len() > plan.options.max_line_bytes && !is_envelope_start(line) {
            let reason = format!(
                "line is {} bytes, over --max-line-bytes {}",
                line.len(),
                plan.options.max_line_bytes
            );
            self.bad(plan, ctx, BadKind::TooLong, &reason, line, sink);
            return;
        }
        self.value(plan, line, ctx, sink);
    }

    /// Process one framed unit of input.
    pub fn unit(
        &mut self,
        plan: &Plan,
        unit: crate::input::frame::Unit<'_>,
        source: &str,
        sink: &mut Sink,
    ) {
        use crate::input::frame::Unit;
        match unit {
            Unit::Line(line, n) => self.line(plan, line, Where { source, line: n }, sink),
            Unit::Document(doc, n) => {
                self.stats.lines += 1;
                self.stats.bytes += doc.len() as u64;
                self.document(plan, doc, Where { source, line: n }, Shape::Bare, 0, sink);
            }
            Unit::Piece(piece, n, shape) => {
                self.piece(plan, piece, Where { source, line: n }, shape, sink)
            }
            Unit::StreamEnd(_, bytes) => self.streamed_line(bytes),
            Unit::TooLong(prefix, len, n) => {
                self.too_long_line(plan, prefix, len, Where { source, line: n }, sink)
            }
        }
    }

    /// One piece of a streamed envelope line.
    pub fn piece(
        &mut self,
        plan: &Plan,
        piece: crate::input::stream::Piece<'_>,
        at: Where<'_>,
        shape: Shape,
        sink: &mut Sink,
    ) {
        use crate::input::stream::Piece;
        let ctx = |index: Option<usize>, offset: u64| {
            Ctx::top(at, shape, 1).with(
                shape,
                1,
                Detail {
                    index,
                    offset: Some(offset as usize),
                },
            )
        };
        match piece {
            Piece::Record {
                bytes,
                index,
                offset,
            } if bytes.first() == Some(&b'{') => {
                self.object(plan, bytes, ctx(Some(index), offset), sink)
            }
            Piece::Record {
                bytes,
                index,
                offset,
            } => self.value(plan, bytes, ctx(Some(index), offset), sink),
            Piece::TooLong {
                prefix,
                len,
                index,
                offset,
            } => {
                let reason = format!(
                    "record is {len} bytes, over --max-line-bytes {} (raw holds its first {} bytes)",
                    plan.options.max_line_bytes,
                    prefix.len()
                );
                self.bad(
                    plan,
                    ctx(Some(index), offset),
                    BadKind::TooLong,
                    &reason,
                    prefix,
                    sink,
                );
            }
            Piece::Broken {
                bytes,
                offset,
                reason,
                truncated,
                index,
            } => {
                let kind = if truncated {
                    BadKind::Truncated
                } else {
                    BadKind::InvalidJson
                };
                self.bad(plan, ctx(index, offset), kind, &reason, bytes, sink);
            }
            Piece::Trailing { bytes, .. } => self.document(plan, bytes, at, Shape::Bare, 0, sink),
        }
    }

    /// A line over the limit that was skipped, not held: `prefix` is its start.
    pub fn too_long_line(
        &mut self,
        plan: &Plan,
        prefix: &[u8],
        len: u64,
        at: Where<'_>,
        sink: &mut Sink,
    ) {
        self.stats.lines += 1;
        self.stats.bytes += len + 1;
        let reason = format!(
            "line is {len} bytes, over --max-line-bytes {} (raw holds its first {} bytes)",
            plan.options.max_line_bytes,
            prefix.len()
        );
        self.bad(
            plan,
            Ctx::top(at, Shape::Bare, 0),
            BadKind::TooLong,
            &reason,
            prefix,
            sink,
        );
    }

    /// Count a streamed line once it has ended.
    pub fn streamed_line(&mut self, bytes: u64) {
        self.stats.lines += 1;
        self.stats.bytes += bytes;
    }

    /// Process a text that may hold several JSON values one after another.
    pub fn document(
        &mut self,
        plan: &Plan,
        text: &[u8],
        at: Where<'_>,
        shape: Shape,
        depth: usize,
        sink: &mut Sink,
    ) {
        let mut pos = scan::skip_ws(text, text.len() - scan::strip_bom(text).len());
        let mut index = 0;
        while pos < text.len() {
            match scan::value_end(text, pos, envelope_depth(plan)) {
                Ok(end) => {
                    let detail = Detail {
                        index: Some(index),
                        offset: Some(pos),
                    };
                    self.value(
                        plan,
                        &text[pos..end],
                        Ctx::top(at, shape, depth).with(shape, depth, detail),
                        sink,
                    );
                    pos = scan::skip_ws(text, end);
                    index += 1;
                }
                Err(e) => {
                    let detail = Detail {
                        index: Some(index),
                        offset: Some(pos),
                    };
                    let ctx = Ctx::top(at, shape, depth).with(shape, depth, detail);
                    if matches!(e, ScanError::Truncated(_)) && matches!(text[pos], b'[' | b'{') {
                        // A cut-off envelope still yields its complete records.
                        self.value(plan, &text[pos..], ctx, sink);
                    } else {
                        self.bad(plan, ctx, scan_kind(&e), &e.to_string(), &text[pos..], sink);
                    }
                    return;
                }
            }
        }
    }
}

mod evaluate;
mod fast;
mod shapes;

use shapes::{envelope_depth, is_envelope_start};
