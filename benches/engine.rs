//! Micro benchmarks of the per-record path, in bytes per second, on the
//! generated realistic corpus (`benches/corpus.rs`):
//! - `parse`: copy into the padded scratch buffer and build the simd-json tape;
//! - `evaluate`: core fields, scope, rules and severity on parsed records;
//! - `splice`: writing the verdict and splicing it into the record bytes;
//! - `line/*`: the whole per-line path (`Processor::line`) with the default
//!   rules, with `--events '*'`, and on the S3 `Records` shape.
//!
//! Run with `cargo bench --bench engine`; add `-- --quick` for a fast pass.

#[path = "corpus.rs"]
mod corpus;

use clap::Parser;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ctfilter::cli::args::Cli;
use ctfilter::engine::{Core, Decision, Evaluator};
use ctfilter::input::origin::Where;
use ctfilter::output::deadletter::DeadLetterStyle;
use ctfilter::rules::plan::Plan;
use ctfilter::run::process::{Processor, Sink};
use std::hint::black_box;

const CORPUS_BYTES: u64 = 8 << 20;

fn plan(args: &[&str]) -> Plan {
    let mut argv = vec!["ctfilter", "--now", "2026-01-15T10:05:00Z"];
    argv.extend_from_slice(args);
    Cli::try_parse_from(argv)
        .expect("flags")
        .filter
        .plan()
        .expect("plan")
}

fn corpus(shape: corpus::Shape) -> Vec<u8> {
    corpus::generate(&corpus::Options { seed: 7, shape }, CORPUS_BYTES).0
}

fn lines(data: &[u8]) -> Vec<&[u8]> {
    data.split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .collect()
}

fn parse(c: &mut Criterion) {
    let data = corpus(corpus::Shape::Ndjson);
    let lines = lines(&data);
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("tape", |b| {
        let mut buffers = simd_json::Buffers::new(4096);
        let mut scratch = Vec::with_capacity(16 << 10);
        let mut spare = Some(simd_json::tape::Tape::null().reset());
        b.iter(|| {
            for line in &lines {
                scratch.clear();
                scratch.extend_from_slice(line);
                let len = scratch.len();
                scratch.resize(len + simd_json::INPUT_PADDING, 0);
                let mut tape = spare
                    .take()
                    .unwrap_or_else(|| simd_json::tape::Tape::null().reset())
                    .reset();
                simd_json::fill_tape_padded(&mut scratch, len, &mut buffers, &mut tape)
                    .expect("valid corpus");
                black_box(tape.0.len());
                spare = Some(tape.reset());
            }
        })
    });
    group.finish();
}

fn evaluate(c: &mut Criterion) {
    let data = corpus(corpus::Shape::Ndjson);
    let mut owned: Vec<Vec<u8>> = lines(&data).iter().map(|l| l.to_vec()).collect();
    let tapes: Vec<simd_json::tape::Tape<'_>> = owned
        .iter_mut()
        .map(|l| simd_json::to_tape(l).expect("valid corpus"))
        .collect();
    let mut group = c.benchmark_group("evaluate");
    group.throughput(Throughput::Bytes(data.len() as u64));
    for (name, args) in [("default", &[][..]), ("all-events", &["--events", "*"][..])] {
        let plan = plan(args);
        group.bench_function(name, |b| {
            let mut eval = Evaluator::default();
            b.iter(|| {
                let mut kept = 0usize;
                for tape in &tapes {
                    let root = tape.as_value();
                    let core = Core::extract(root).expect("valid corpus");
                    if let Decision::Keep(_) = eval.decide(&plan, root, &core) {
                        kept += 1;
                    }
                }
                black_box(kept)
            })
        });
    }
    group.finish();
}

fn splice(c: &mut Criterion) {
    let data = corpus(corpus::Shape::Ndjson);
    let lines = lines(&data);
    let plan = plan(&["--events", "*"]);
    let mut owned: Vec<Vec<u8>> = lines.iter().map(|l| l.to_vec()).collect();
    let tapes: Vec<simd_json::tape::Tape<'_>> = owned
        .iter_mut()
        .map(|l| simd_json::to_tape(l).expect("valid corpus"))
        .collect();
    let mut eval = Evaluator::default();
    let decided: Vec<_> = tapes
        .iter()
        .map(|tape| {
            let root = tape.as_value();
            let core = Core::extract(root).expect("valid corpus");
            match eval.decide(&plan, root, &core) {
                Decision::Keep(v) => (v, eval.matched.clone()),
                Decision::Drop(_) => unreachable!("--events '*' keeps all"),
            }
        })
        .collect();
    let mut group = c.benchmark_group("splice");
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("verdict+splice", |b| {
        let mut out = Vec::with_capacity(data.len() * 2);
        let mut verdict = Vec::with_capacity(1024);
        b.iter(|| {
            out.clear();
            for ((tape, (v, matched)), raw) in tapes.iter().zip(&decided).zip(&lines) {
                let core = Core::extract(tape.as_value()).expect("valid corpus");
                verdict.clear();
                ctfilter::output::enrich::write_verdict(
                    &mut verdict,
                    &plan,
                    &core,
                    v,
                    matched,
                    1.768_471_5e9,
                );
                ctfilter::output::enrich::splice(&mut out, raw, true, &plan.key_json, &verdict);
            }
            black_box(out.len())
        })
    });
    group.finish();
}

fn whole_line(c: &mut Criterion) {
    let mut group = c.benchmark_group("line");
    let workloads: [(&str, corpus::Shape, &[&str]); 3] = [
        ("default", corpus::Shape::Ndjson, &[]),
        ("all-events", corpus::Shape::Ndjson, &["--events", "*"]),
        ("s3-records", corpus::Shape::s3(1000), &[]),
    ];
    for (name, shape, args) in workloads {
        let data = corpus(shape);
        let lines = lines(&data);
        let plan = plan(args);
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function(name, |b| {
            let mut processor = Processor::new(&plan, DeadLetterStyle::Reason);
            let mut sink = Sink::default();
            b.iter(|| {
                for (n, line) in lines.iter().enumerate() {
                    let at = Where {
                        source: "bench",
                        line: n as u64,
                    };
                    processor.line(&plan, line, at, &mut sink);
                    if sink.out.len() > 1 << 20 {
                        sink.clear();
                    }
                }
                sink.clear();
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(3));
    targets = parse, evaluate, splice, whole_line
}
criterion_main!(benches);
