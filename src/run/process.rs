//! From one input line to output bytes: shape detection, parsing, the engine,
//! and dead letters.
//!
//! A line is one JSON value, or several (a host-wrapped file holding NDJSON).
//! Bare records take the fast path: one copy into a reused, padded scratch
//! buffer, one simd-json pass into a reused tape, and a splice of the original
//! bytes. Envelopes are cut into record spans with the raw scanner, so every
//! record is emitted as its own input bytes. Every unit (record, bad input,
//! skipped item) is counted exactly once; a bad unit is dead-lettered with its
//! raw bytes, or passed through with `--on-error pass`. Nothing here panics on
//! any input, and nothing allocates once buffers are warm.

use crate::engine::{Core, Decision};
use crate::input::origin::{Shape, Where};
use crate::input::scan::{self, Elements, ScanError};
use crate::model::json;
use crate::model::record::{text, Val};
use crate::output::enrich;
use crate::output::stats::{BadKind, Stats};
use crate::rules::plan::{OnError, Plan};
use simd_json::tape::Tape;
use std::ops::Range;

/// How dead letters are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadLetterStyle {
    /// `ctfilter: source:line: reason`, one line each (stderr default).
    Reason,
    /// One NDJSON object each with the raw input, lossless.
    Ndjson,
}

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
            explain: None,
            stats: Stats::default(),
            saw_bad: false,
        }
    }

    /// Process one input line (without its `\n`).
    pub fn line(&mut self, plan: &Plan, line: &[u8], at: Where<'_>, sink: &mut Sink) {
        self.stats.lines += 1;
        self.stats.bytes += line.len() as u64 + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
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
        let mut pos = scan::skip_ws(text, 0);
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

    fn value(&mut self, plan: &Plan, bytes: &[u8], ctx: Ctx<'_>, sink: &mut Sink) {
        let start = scan::skip_ws(bytes, 0);
        if ctx.depth > MAX_NESTING {
            self.bad(
                plan,
                ctx,
                BadKind::TooDeep,
                "envelopes nested too deep",
                bytes,
                sink,
            );
            return;
        }
        match bytes.get(start) {
            Some(b'[') => {
                self.array(
                    plan,
                    bytes,
                    start,
                    ctx.with(Shape::Array, ctx.depth, ctx.detail),
                    sink,
                );
            }
            Some(b'{') if records_first(bytes, start) => {
                self.records(plan, bytes, start, ctx, sink)
            }
            Some(b'{') => self.object(plan, bytes, ctx, sink),
            _ => {
                let (kind, reason) = match self.parse_error(bytes) {
                    Some(err) => err,
                    None => (
                        BadKind::NotObject,
                        "JSON value is not an object".to_string(),
                    ),
                };
                self.bad(plan, ctx, kind, &reason, bytes, sink);
            }
        }
    }

    /// Records of an array, one by one. Returns the offset after the array.
    fn array(
        &mut self,
        plan: &Plan,
        bytes: &[u8],
        open: usize,
        ctx: Ctx<'_>,
        sink: &mut Sink,
    ) -> usize {
        let base = ctx.detail.offset.unwrap_or(0);
        let mut elements = Elements::new(bytes, open, envelope_depth(plan));
        let mut index = 0;
        while let Some(item) = elements.next() {
            match item {
                Ok(span) => {
                    let element = Detail {
                        index: Some(index),
                        offset: Some(base + span.start),
                    };
                    let item_bytes = &bytes[span];
                    let inner = ctx.with(ctx.shape, ctx.depth + 1, element);
                    if item_bytes.first() == Some(&b'{') {
                        self.object(plan, item_bytes, inner, sink);
                    } else {
                        self.value(plan, item_bytes, inner, sink);
                    }
                    index += 1;
                }
                Err(e) => {
                    let from = elements.position().min(bytes.len());
                    let element = Detail {
                        index: Some(index),
                        offset: Some(base + from),
                    };
                    let reason = format!("{e} (after {index} complete records)");
                    self.bad(
                        plan,
                        ctx.with(ctx.shape, ctx.depth, element),
                        scan_kind(&e),
                        &reason,
                        &bytes[from..],
                        sink,
                    );
                    return bytes.len();
                }
            }
        }
        elements.position()
    }

    /// `{"Records":[...], ...}` cut into records without parsing the whole line.
    fn records(&mut self, plan: &Plan, bytes: &[u8], open: usize, ctx: Ctx<'_>, sink: &mut Sink) {
        let detail = ctx.detail;
        // records_first() has checked `{ "Records" :` up to here.
        let key = scan::skip_ws(bytes, open + 1);
        let colon = scan::skip_ws(bytes, key + b"\"Records\"".len());
        let array = scan::skip_ws(bytes, colon + 1);
        let ctx = ctx.with(Shape::S3Records, ctx.depth, detail);
        if bytes.get(array) != Some(&b'[') {
            self.object(plan, bytes, ctx, sink);
            return;
        }
        let end = self.array(plan, bytes, array, ctx, sink);
        if end >= bytes.len() {
            return;
        }
        // The rest of the envelope (other members) must still be well formed.
        let rest = scan::skip_ws(bytes, end);
        let tail_ok = match bytes.get(rest) {
            Some(b'}') => {
                let next = scan::skip_ws(bytes, rest + 1);
                if next < bytes.len() && matches!(bytes[next], b'{' | b'[') {
                    // Log files concatenated without a newline (`zcat *.gz`).
                    self.document(plan, &bytes[next..], ctx.at, Shape::Bare, ctx.depth, sink);
                    return;
                }
                next == bytes.len()
            }
            // `,}` is not JSON: a trailing comma is malformed like any other.
            Some(b',') if bytes.get(scan::skip_ws(bytes, rest + 1)) != Some(&b'}') => {
                let mut patched = Vec::with_capacity(bytes.len() - rest + 1);
                patched.push(b'{');
                patched.extend_from_slice(&bytes[rest + 1..]);
                scan::object_members(&patched, 0, envelope_depth(plan))
                    .is_ok_and(|(_, end)| scan::skip_ws(&patched, end) == patched.len())
            }
            _ => false,
        };
        if !tail_ok {
            let tail = Detail {
                index: None,
                offset: Some(detail.offset.unwrap_or(0) + rest),
            };
            let ctx = ctx.with(Shape::S3Records, ctx.depth, tail);
            self.bad(
                plan,
                ctx,
                BadKind::InvalidJson,
                "malformed text after the Records array",
                &bytes[rest..],
                sink,
            );
        }
    }

    /// Parse one object and act on its shape.
    fn object(&mut self, plan: &Plan, bytes: &[u8], ctx: Ctx<'_>, sink: &mut Sink) {
        let Ctx {
            at,
            shape,
            depth,
            detail,
        } = ctx;
        let limit = plan.options.max_line_bytes;
        if bytes.len() > limit && !records_first(bytes, scan::skip_ws(bytes, 0)) {
            let reason = format!(
                "record is {} bytes, over --max-line-bytes {limit}",
                bytes.len()
            );
            self.bad(plan, ctx, BadKind::TooLong, &reason, bytes, sink);
            return;
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut tape = self
            .tape
            .take()
            .unwrap_or_else(|| Tape::null().reset())
            .reset();
        scratch.clear();
        scratch.extend_from_slice(bytes);
        let len = scratch.len();
        scratch.resize(len + simd_json::INPUT_PADDING, 0);
        let parsed = simd_json::fill_tape_padded(&mut scratch, len, &mut self.buffers, &mut tape);
        let follow_up = match parsed {
            Err(_) if depth == 0 && is_concatenated(bytes, envelope_depth(plan)) => {
                Some((Kind::Concatenated, shape))
            }
            Err(e) => {
                let (kind, reason) = diagnose(bytes, &e, envelope_depth(plan));
                self.bad(plan, ctx, kind, &reason, bytes, sink);
                None
            }
            Ok(()) => {
                let root = tape.as_value();
                let kind = classify_shape(plan, root);
                match kind {
                    Kind::Record => {
                        let has_members = root.as_object().is_some_and(|o| !o.is_empty());
                        self.evaluate(plan, root, bytes, has_members, ctx, sink);
                        None
                    }
                    Kind::Digest => {
                        self.stats.read += 1;
                        self.stats.skipped_digest += 1;
                        None
                    }
                    Kind::CloudWatch { control: true } => {
                        self.stats.read += 1;
                        self.stats.skipped_control += 1;
                        None
                    }
                    Kind::Unknown => {
                        let reason = "object is neither a CloudTrail record nor a known envelope (Records, EventBridge, CloudWatch Logs, LookupEvents, message/log wrapper)";
                        self.bad(plan, ctx, BadKind::Unrecognized, reason, bytes, sink);
                        None
                    }
                    Kind::CloudWatch { control: false }
                    | Kind::LookupItem
                    | Kind::LookupResponse
                    | Kind::Wrapped => {
                        let (buf, ranges) = &mut self.texts[depth.min(MAX_NESTING)];
                        buf.clear();
                        ranges.clear();
                        let next_shape = gather_texts(plan, root, &kind, buf, ranges);
                        Some((kind, next_shape))
                    }
                    Kind::Records | Kind::EventBridge | Kind::Concatenated => Some((kind, shape)),
                }
            }
        };
        self.tape = Some(tape.reset());
        self.scratch = scratch;
        let Some((kind, next_shape)) = follow_up else {
            return;
        };
        match kind {
            Kind::Concatenated => self.document(plan, bytes, at, shape, depth, sink),
            Kind::Records | Kind::EventBridge => {
                let wanted = if matches!(kind, Kind::Records) {
                    "Records"
                } else {
                    "detail"
                };
                let start = scan::skip_ws(bytes, 0);
                let members = scan::object_members(bytes, start, envelope_depth(plan));
                let span = members.ok().and_then(|(members, _)| {
                    members
                        .into_iter()
                        .find(|(k, _)| k == wanted)
                        .map(|(_, span)| span)
                });
                match (kind, span) {
                    (Kind::Records, Some(span)) => {
                        let inner = Detail {
                            index: None,
                            offset: Some(detail.offset.unwrap_or(0) + span.start),
                        };
                        self.array(
                            plan,
                            &bytes[span.start..span.end],
                            0,
                            ctx.with(Shape::S3Records, depth, inner),
                            sink,
                        );
                    }
                    (Kind::EventBridge, Some(span)) => {
                        self.object(
                            plan,
                            &bytes[span],
                            ctx.with(Shape::EventBridge, depth + 1, detail),
                            sink,
                        );
                    }
                    _ => self.bad(
                        plan,
                        ctx,
                        BadKind::Unrecognized,
                        "envelope member not found",
                        bytes,
                        sink,
                    ),
                }
            }
            _ => {
                let slot = depth.min(MAX_NESTING);
                let (buf, ranges) = std::mem::take(&mut self.texts[slot]);
                for (i, range) in ranges.iter().enumerate() {
                    let inner = Detail {
                        index: Some(i),
                        offset: detail.offset,
                    };
                    let payload = &buf[range.clone()];
                    if matches!(kind, Kind::Wrapped) {
                        self.document(plan, payload, at, next_shape, depth + 1, sink);
                    } else {
                        self.value(plan, payload, ctx.with(next_shape, depth + 1, inner), sink);
                    }
                }
                self.texts[slot] = (buf, ranges);
            }
        }
    }

    fn evaluate(
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
    fn parse_error(&mut self, bytes: &[u8]) -> Option<(BadKind, String)> {
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

    fn bad(
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

/// One dead-letter entry.
struct DeadLetter<'a> {
    at: Where<'a>,
    kind: BadKind,
    reason: &'a str,
    raw: &'a [u8],
    index: Option<usize>,
    offset: Option<usize>,
}

impl DeadLetter<'_> {
    fn write(&self, out: &mut Vec<u8>, style: DeadLetterStyle) {
        use std::io::Write as _;
        let DeadLetter {
            at,
            kind,
            reason,
            raw,
            index,
            offset,
        } = *self;
        match style {
            DeadLetterStyle::Reason => {
                let _ = write!(out, "ctfilter: {}:{}", at.source, at.line);
                if let Some(index) = index {
                    let _ = write!(out, " (record {index})");
                }
                if let Some(offset) = offset {
                    let _ = write!(out, " (byte {offset})");
                }
                let _ = writeln!(out, ": {reason}");
            }
            DeadLetterStyle::Ndjson => {
                let first = &mut true;
                out.push(b'{');
                json::key(out, first, "source");
                json::write_str(out, at.source);
                json::key(out, first, "line");
                json::write_u64(out, at.line);
                if let Some(index) = index {
                    json::key(out, first, "index");
                    json::write_u64(out, index as u64);
                }
                if let Some(offset) = offset {
                    json::key(out, first, "offset");
                    json::write_u64(out, offset as u64);
                }
                json::key(out, first, "kind");
                json::write_str(out, kind.as_str());
                json::key(out, first, "reason");
                json::write_str(out, reason);
                match std::str::from_utf8(raw) {
                    Ok(text) => {
                        json::key(out, first, "raw");
                        json::write_str(out, text);
                    }
                    Err(_) => {
                        use base64::Engine as _;
                        json::key(out, first, "raw_base64");
                        out.push(b'"');
                        let encoded = base64::engine::general_purpose::STANDARD.encode(raw);
                        out.extend_from_slice(encoded.as_bytes());
                        out.push(b'"');
                    }
                }
                out.extend_from_slice(b"}\n");
            }
        }
    }
}

fn scan_kind(e: &ScanError) -> BadKind {
    match e {
        ScanError::Truncated(_) => BadKind::Truncated,
        ScanError::TooDeep(_) => BadKind::TooDeep,
        ScanError::Unexpected(..) => BadKind::InvalidJson,
    }
}

/// Scanner depth for envelopes: generous, because each record's own depth is
/// checked by the parser against `--max-depth` when it is parsed alone.
fn envelope_depth(plan: &Plan) -> usize {
    plan.options.max_depth.saturating_add(MAX_NESTING + 4)
}

/// The kind and a readable reason for a parse failure: structure problems are
/// located by the raw scanner (which knows truncation from garbage), scalar
/// problems are named after the parser's error.
fn diagnose(bytes: &[u8], e: &simd_json::Error, max_depth: usize) -> (BadKind, String) {
    let start = scan::skip_ws(bytes, 0);
    match scan::value_end(bytes, start, max_depth) {
        Err(ScanError::Truncated(_)) => {
            return (
                BadKind::Truncated,
                "truncated JSON: the input ends inside a value".to_string(),
            )
        }
        Err(ScanError::Unexpected(at, what)) => {
            return (
                BadKind::InvalidJson,
                format!("invalid JSON at byte {at}: expected {what}"),
            )
        }
        Ok(end) if scan::skip_ws(bytes, end) < bytes.len() => {
            let at = scan::skip_ws(bytes, end);
            return (
                BadKind::InvalidJson,
                format!("invalid JSON at byte {at}: text after the end of the value"),
            );
        }
        _ => {}
    }
    describe_parse_error(e)
}

fn describe_parse_error(e: &simd_json::Error) -> (BadKind, String) {
    use simd_json::ErrorType;
    let kind = match e.error() {
        ErrorType::InvalidUtf8 => BadKind::InvalidUtf8,
        ErrorType::DepthLimitExceeded => BadKind::TooDeep,
        ErrorType::Eof | ErrorType::UnterminatedString => BadKind::Truncated,
        _ => BadKind::InvalidJson,
    };
    let what = match e.error() {
        ErrorType::Eof | ErrorType::UnterminatedString => "input ends inside a value".to_string(),
        ErrorType::TrailingData => "text after the end of the value".to_string(),
        ErrorType::InvalidEscape
        | ErrorType::InvalidUnicodeEscape
        | ErrorType::InvalidUnicodeCodepoint => "bad escape in a string".to_string(),
        ErrorType::InvalidNumber | ErrorType::InvalidExponent => "bad number".to_string(),
        ErrorType::ExpectedObjectColon => "expected ':'".to_string(),
        ErrorType::ExpectedMapComma | ErrorType::ExpectedArrayComma => "expected ','".to_string(),
        ErrorType::ExpectedNull | ErrorType::ExpectedTrue | ErrorType::ExpectedFalse => {
            "a bare word that is not true, false or null".to_string()
        }
        ErrorType::UnexpectedCharacter | ErrorType::Syntax | ErrorType::InternalError => {
            "unexpected character".to_string()
        }
        ErrorType::KeyMustBeAString | ErrorType::BadKeyType => {
            "an object key that is not a string".to_string()
        }
        other => format!("{other:?}"),
    };
    let reason = match kind {
        BadKind::InvalidUtf8 => "invalid UTF-8".to_string(),
        BadKind::TooDeep => "JSON nested deeper than --max-depth".to_string(),
        _ => format!("invalid JSON at byte {}: {what}", e.index()),
    };
    (kind, reason)
}

/// A complete JSON value followed by another object or array on the same line.
fn is_concatenated(bytes: &[u8], max_depth: usize) -> bool {
    let start = scan::skip_ws(bytes, 0);
    scan::value_end(bytes, start, max_depth).is_ok_and(|end| {
        let next = scan::skip_ws(bytes, end);
        next < bytes.len() && matches!(bytes[next], b'{' | b'[')
    })
}

/// A line that holds an array or a Records file, whose records are checked
/// against the size limit one by one.
fn is_envelope_start(line: &[u8]) -> bool {
    let start = scan::skip_ws(line, 0);
    match line.get(start) {
        Some(b'[') => true,
        Some(b'{') => records_first(line, start),
        _ => false,
    }
}

/// `{ "Records" :` at the start of an object: the S3 log file shape, handled
/// without parsing the whole (possibly huge) line first.
fn records_first(bytes: &[u8], open: usize) -> bool {
    let key = scan::skip_ws(bytes, open + 1);
    bytes[key..].starts_with(b"\"Records\"")
        && bytes.get(scan::skip_ws(bytes, key + 9)) == Some(&b':')
}

fn classify_shape(plan: &Plan, root: Val<'_, '_>) -> Kind {
    let Some(object) = root.as_object() else {
        return Kind::Unknown;
    };
    let mut kind = None;
    let mut has_digest = false;
    for (key, value) in object.iter() {
        match key {
            "eventVersion" | "eventName" | "eventSource" | "eventType" | "eventID"
            | "eventTime" | "userIdentity" => {
                return Kind::Record;
            }
            "Records" if value.as_array().is_some() => kind = kind.or(Some(Kind::Records)),
            "detail-type" if text(value).is_some_and(|t| t.contains("CloudTrail")) => {
                kind = kind.or(Some(Kind::EventBridge))
            }
            "messageType" => {
                let control = text(value) == Some("CONTROL_MESSAGE");
                kind = kind.or(Some(Kind::CloudWatch { control }));
            }
            "CloudTrailEvent" if text(value).is_some() => kind = kind.or(Some(Kind::LookupItem)),
            "Events" if value.as_array().is_some() => kind = kind.or(Some(Kind::LookupResponse)),
            "digestStartTime" | "digestEndTime" | "digestPublicKeyFingerprint" => has_digest = true,
            _ => {}
        }
    }
    if let Some(kind) = kind {
        return kind;
    }
    if has_digest {
        return Kind::Digest;
    }
    if wrapped_text(plan, root).is_some() {
        return Kind::Wrapped;
    }
    Kind::Unknown
}

fn wrapped_text<'i>(plan: &Plan, root: Val<'_, 'i>) -> Option<&'i str> {
    if let Some(path) = &plan.options.field {
        if let Some(t) = path.first(root).and_then(text) {
            return Some(t);
        }
    }
    ["message", "log"]
        .into_iter()
        .find_map(|key| root.get(key).and_then(text))
        .filter(|t| t.trim_start().starts_with(['{', '[']))
}

/// Copy the embedded JSON texts of an envelope into `buf`.
fn gather_texts(
    plan: &Plan,
    root: Val<'_, '_>,
    kind: &Kind,
    buf: &mut Vec<u8>,
    ranges: &mut Vec<Range<usize>>,
) -> Shape {
    let mut push = |s: &str| {
        let start = buf.len();
        buf.extend_from_slice(s.as_bytes());
        ranges.push(start..buf.len());
    };
    match kind {
        Kind::CloudWatch { .. } => {
            if let Some(events) = root.get("logEvents").and_then(|v| v.as_array()) {
                for event in events.iter() {
                    if let Some(message) = event.get("message").and_then(text) {
                        push(message);
                    }
                }
            }
            Shape::CloudWatchLogs
        }
        Kind::LookupItem => {
            if let Some(event) = root.get("CloudTrailEvent").and_then(text) {
                push(event);
            }
            Shape::LookupEvents
        }
        Kind::LookupResponse => {
            if let Some(events) = root.get("Events").and_then(|v| v.as_array()) {
                for event in events.iter() {
                    if let Some(inner) = event.get("CloudTrailEvent").and_then(text) {
                        push(inner);
                    }
                }
            }
            Shape::LookupEvents
        }
        _ => {
            if let Some(inner) = wrapped_text(plan, root) {
                push(inner);
            }
            Shape::HostWrapped
        }
    }
}
