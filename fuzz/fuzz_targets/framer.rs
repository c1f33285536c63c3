//! (d) The whole per-source path: bytes cut into chunks at arbitrary points,
//! through `frame::Framer`, then `Processor`, as the driver does it.
//!
//! Input layout: byte 0 seeds the chunk sizes, byte 1 picks the plan variant,
//! the rest is the stream. Checks: the framer hands on every byte exactly once
//! and in order; output, dead letters and counters do not depend on where the
//! chunks were cut (one chunk vs. many); the shared invariants (common.rs).
//! The record stream of one-line envelopes (`input::stream`, used past 1 MiB)
//! is also driven directly on the input: cutting records from each part in
//! place (`feed`) gives the same pieces as one growing buffer (`pump`).
#![no_main]

use ctfilter::input::frame::{Framer, Unit};
use ctfilter::run::process::{Processor, Sink};
use libfuzzer_sys::fuzz_target;

mod common;
use common::*;

struct Run {
    sink: Sink,
    stats: ctfilter::output::stats::Stats,
    /// The units' bytes put back together (`\n` after each line).
    rebuilt: Vec<u8>,
    numbers: Vec<u64>,
}

fn run(variant: Variant, stream: &[u8], cuts: &[usize]) -> Run {
    let plan = plan(variant);
    let mut processor = Processor::new(plan, style(variant));
    let mut sink = Sink::default();
    let mut rebuilt = Vec::new();
    let mut numbers = Vec::new();
    let mut framer = Framer::default();
    let mut emit = |u: Unit<'_>| {
        match &u {
            Unit::Line(bytes, n) => {
                rebuilt.extend_from_slice(bytes);
                rebuilt.push(b'\n');
                numbers.push(*n);
            }
            Unit::Document(bytes, n) => {
                rebuilt.extend_from_slice(bytes);
                numbers.push(*n);
            }
            // Streamed and skipped lines start past 1 MiB; fuzz inputs are
            // far smaller, so every byte comes back as a line or document.
            Unit::Piece(..) | Unit::StreamEnd(..) | Unit::TooLong(..) => {
                panic!("a streamed or skipped unit from a small input")
            }
        }
        unit(plan, &mut processor, u, &mut sink);
    };
    let mut from = 0;
    for &cut in cuts {
        framer.feed(&stream[from..cut], &mut emit);
        from = cut;
    }
    framer.feed(&stream[from..], &mut emit);
    framer.finish(&mut emit);
    assert_eq!(framer.pending(), 0, "bytes left in the framer after finish");
    Run {
        sink,
        stats: processor.stats,
        rebuilt,
        numbers,
    }
}

/// The pieces the record stream cuts from `line`, fed at `cuts`: through
/// `Stream::feed` (records cut from each part) or, with `fed` false, by
/// appending each part to one buffer and pumping it. `None` when the input
/// does not start like an envelope.
fn stream_pieces(line: &[u8], cuts: &[usize], fed: bool) -> Option<Vec<String>> {
    use ctfilter::input::stream::{envelope_start, Piece, Stream};
    let mut got = Vec::new();
    let mut push = |p: Piece<'_>| {
        got.push(match p {
            Piece::Record {
                bytes,
                index,
                offset,
            } => {
                format!("record {index} at {offset}: {bytes:?}")
            }
            Piece::TooLong {
                prefix,
                len,
                index,
                offset,
            } => {
                format!("too long {index} at {offset}, {len}: {prefix:?}")
            }
            Piece::Broken {
                bytes,
                offset,
                reason,
                truncated,
                index,
            } => {
                format!("broken {index:?} at {offset} ({truncated}, {reason}): {bytes:?}")
            }
            Piece::Trailing { bytes, offset } => format!("trailing at {offset}: {bytes:?}"),
        })
    };
    let mut buf = Vec::new();
    let mut stream: Option<Stream> = None;
    let mut from = 0;
    for &cut in cuts.iter().chain([line.len()].iter()) {
        let part = &line[from..cut];
        from = cut;
        match &mut stream {
            Some(s) if fed => s.feed(&mut buf, part, &mut push),
            Some(s) => {
                buf.extend_from_slice(part);
                s.pump(&mut buf, &mut push);
            }
            None => {
                buf.extend_from_slice(part);
                if let Some((at, object)) = envelope_start(&buf) {
                    let mut s = Stream::new(at, object, 4096);
                    s.pump(&mut buf, &mut push);
                    stream = Some(s);
                }
            }
        }
    }
    stream?.finish(&mut buf, &mut push);
    Some(got)
}

fuzz_target!(
    init: {
        // Compile the plans before the first input, outside the per-input
        // timeout (the default rule pack takes seconds under ASan).
        for variant in VARIANTS {
            plan(variant);
        }
    },
    |data: &[u8]| {
        let [seed, pick, stream @ ..] = data else {
            return;
        };
        let variant = VARIANTS[*pick as usize % VARIANTS.len()];
        // Deterministic cut points from the seed: chunks of 1 to 64 bytes.
        let mut cuts = Vec::new();
        let mut x = u64::from(*seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut at = 0usize;
        loop {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            at += 1 + (x % 64) as usize;
            if at >= stream.len() {
                break;
            }
            cuts.push(at);
        }
        let whole = run(variant, stream, &[]);
        let split = run(variant, stream, &cuts);

        // Every byte once, in order: the rebuilt stream is the input, plus the
        // newline the framer supplies after a missing final one.
        let rebuilt = &whole.rebuilt;
        assert!(
            rebuilt[..] == stream[..]
                || (rebuilt.len() == stream.len() + 1
                    && rebuilt.starts_with(stream)
                    && rebuilt.last() == Some(&b'\n')),
            "framed units do not add up to the input"
        );
        assert!(
            whole.numbers.windows(2).all(|w| w[0] < w[1]),
            "unit line numbers go back: {:?}",
            whole.numbers
        );
        assert!(
            split.rebuilt == whole.rebuilt,
            "chunking changed the framing"
        );
        assert_eq!(
            split.numbers, whole.numbers,
            "chunking changed line numbers"
        );
        assert_eq!(split.stats, whole.stats, "chunking changed the counters");
        assert!(
            split.sink.out == whole.sink.out,
            "chunking changed the output"
        );
        assert!(
            split.sink.dead == whole.sink.dead,
            "chunking changed dead letters"
        );
        check(plan(variant), style(variant), &whole.sink, &whole.stats);

        let fed = stream_pieces(stream, &cuts, true);
        let pumped = stream_pieces(stream, &cuts, false);
        assert_eq!(fed, pumped, "feeding parts changed the streamed pieces");
    }
);
