//! Shapes and envelopes: which input shape a value is, and cutting
//! `{"Records":[...]}`, arrays, EventBridge, CloudWatch Logs, lookup-events
//! and host-wrapped values into record spans.
//!
//! Guarantees: each record is cut as its own input bytes (never
//! re-serialised), envelopes nest at most [`MAX_NESTING`] deep, and a unit
//! that fits no shape is dead-lettered as unrecognized, never dropped.

use super::*;
use crate::output::deadletter::{diagnose, scan_kind};

impl Processor {
    pub(super) fn value(&mut self, plan: &Plan, bytes: &[u8], ctx: Ctx<'_>, sink: &mut Sink) {
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
    pub(super) fn array(
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
    pub(super) fn records(
        &mut self,
        plan: &Plan,
        bytes: &[u8],
        open: usize,
        ctx: Ctx<'_>,
        sink: &mut Sink,
    ) {
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
    pub(super) fn object(&mut self, plan: &Plan, bytes: &[u8], ctx: Ctx<'_>, sink: &mut Sink) {
        self.parse_object(plan, bytes, ctx, sink, false);
    }

    /// [`Self::object`]; with `masked`, the parser's copy has its numbers
    /// beyond a double masked (`input::numbers`), while `bytes` are emitted.
    fn parse_object(
        &mut self,
        plan: &Plan,
        bytes: &[u8],
        ctx: Ctx<'_>,
        sink: &mut Sink,
        masked: bool,
    ) {
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
        if !masked && self.fast(plan, bytes, ctx) {
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
        if masked {
            crate::input::numbers::mask_out_of_range(&mut scratch);
        }
        scratch.resize(len + simd_json::INPUT_PADDING, 0);
        let parsed = simd_json::fill_tape_padded(&mut scratch, len, &mut self.buffers, &mut tape);
        let mut unmask = false;
        let follow_up = match parsed {
            Err(_) if depth == 0 && is_concatenated(bytes, envelope_depth(plan)) => {
                Some((Kind::Concatenated, shape))
            }
            Err(e) if !masked && is_number_error(&e) => {
                unmask = true;
                None
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
        if unmask {
            return self.parse_object(plan, bytes, ctx, sink, true);
        }
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
}

/// simd-json's errors for a number it cannot hold (`1e400`, or not a number).
fn is_number_error(e: &simd_json::Error) -> bool {
    matches!(
        e.error(),
        simd_json::ErrorType::InvalidNumber | simd_json::ErrorType::InvalidExponent
    )
}

/// Scanner depth for envelopes: generous, because each record's own depth is
/// checked by the parser against `--max-depth` when it is parsed alone.
pub(super) fn envelope_depth(plan: &Plan) -> usize {
    plan.options.max_depth.saturating_add(MAX_NESTING + 4)
}

pub(super) fn is_concatenated(bytes: &[u8], max_depth: usize) -> bool {
    let start = scan::skip_ws(bytes, 0);
    scan::value_end(bytes, start, max_depth).is_ok_and(|end| {
        let next = scan::skip_ws(bytes, end);
        next < bytes.len() && matches!(bytes[next], b'{' | b'[')
    })
}

/// A line that holds an array or a Records file, whose records are checked
/// against the size limit one by one.
pub(super) fn is_envelope_start(line: &[u8]) -> bool {
    let start = scan::skip_ws(line, 0);
    match line.get(start) {
        Some(b'[') => true,
        Some(b'{') => records_first(line, start),
        _ => false,
    }
}

/// `{ "Records" :` at the start of an object: the S3 log file shape, handled
/// without parsing the whole (possibly huge) line first.
pub(super) fn records_first(bytes: &[u8], open: usize) -> bool {
    let key = scan::skip_ws(bytes, open + 1);
    bytes[key..].starts_with(b"\"Records\"")
        && bytes.get(scan::skip_ws(bytes, key + 9)) == Some(&b':')
}

pub(super) fn classify_shape(plan: &Plan, root: Val<'_, '_>) -> Kind {
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

pub(super) fn wrapped_text<'i>(plan: &Plan, root: Val<'_, 'i>) -> Option<&'i str> {
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
pub(super) fn gather_texts(
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
