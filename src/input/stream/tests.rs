//! Tests of the record stream: cuts at any chunk size, limits, malformed
//! tails, and the element scan against a byte-by-byte reference.

use super::*;

/// The element scanner as first written, one byte at a time: the
/// reference the faster `scan` must agree with.
fn scan_bytewise(s: &mut Stream, buf: &[u8]) -> Option<usize> {
    let mut i = s.pos;
    while i < buf.len() {
        let b = buf[i];
        if s.in_string {
            if s.escaped {
                s.escaped = false;
            } else if b == b'\\' {
                s.escaped = true;
            } else if b == b'"' {
                s.in_string = false;
                if s.depth == 0 {
                    s.pos = i + 1;
                    return Some(i + 1);
                }
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => s.in_string = true,
            b'{' | b'[' => s.depth += 1,
            b'}' | b']' => {
                s.depth = s.depth.saturating_sub(1);
                if s.depth == 0 {
                    s.pos = i + 1;
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    s.pos = i;
    None
}

#[test]
fn element_scan_agrees_with_the_bytewise_scan_on_random_input() {
    const ALPHABET: &[u8] = b"\"\\{}[]a,: \\\"";
    let mut next = crate::input::blocks::noise::rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let len = (next() % 80) as usize;
        let buf: Vec<u8> = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        let mut fast = Stream::new(0, true, usize::MAX);
        fast.pos = (next() % (len as u64 + 1)) as usize;
        fast.depth = (next() % 3) as u32;
        fast.in_string = next().is_multiple_of(2);
        fast.escaped = fast.in_string && next().is_multiple_of(4);
        let mut slow = Stream::new(0, true, usize::MAX);
        (slow.pos, slow.depth, slow.in_string, slow.escaped) =
            (fast.pos, fast.depth, fast.in_string, fast.escaped);
        // Feed the buffer in two growing steps, as chunks arrive.
        let cut = fast.pos + (next() % (len - fast.pos + 1) as u64) as usize;
        for end in [cut, len] {
            let a = fast.scan(&buf[..end]);
            let b = scan_bytewise(&mut slow, &buf[..end]);
            let state = |s: &Stream| (s.pos, s.depth, s.in_string, s.escaped);
            assert_eq!(a, b, "{:?}", String::from_utf8_lossy(&buf[..end]));
            assert_eq!(
                state(&fast),
                state(&slow),
                "{:?}",
                String::from_utf8_lossy(&buf)
            );
            if a.is_some() {
                break;
            }
        }
    }
}

#[derive(Debug, PartialEq)]
enum Got {
    Rec(String, usize, u64),
    Long(u64, usize),
    Broken(String, u64, bool),
}

/// The pieces of `line` fed in chunks of `chunk` bytes, both ways the
/// framer can feed them; the two must agree.
fn run(line: &[u8], chunk: usize, max: usize) -> Vec<Got> {
    let pumped = run_with(line, chunk, max, false);
    let fed = run_with(line, chunk, max, true);
    assert_eq!(pumped, fed, "pump and feed differ at chunk size {chunk}");
    pumped
}

/// `fed`: parts go through `feed` (records cut in place, only a split
/// record held), as the framer streams S3 lines; else each part is appended
/// to one buffer and `pump`ed, as for host-wrapped lines.
fn run_with(line: &[u8], chunk: usize, max: usize, fed: bool) -> Vec<Got> {
    let mut got = Vec::new();
    let mut push = |p: Piece<'_>| match p {
        Piece::Record {
            bytes,
            index,
            offset,
        } => got.push(Got::Rec(
            String::from_utf8_lossy(bytes).into(),
            index,
            offset,
        )),
        Piece::TooLong { len, index, .. } => got.push(Got::Long(len, index)),
        Piece::Broken {
            bytes,
            offset,
            truncated,
            ..
        } => got.push(Got::Broken(
            String::from_utf8_lossy(bytes).into(),
            offset,
            truncated,
        )),
        Piece::Trailing { bytes, offset } => got.push(Got::Broken(
            format!("trailing {}", String::from_utf8_lossy(bytes)),
            offset,
            false,
        )),
    };
    let mut buf = Vec::new();
    let mut stream: Option<Stream> = None;
    for piece in line.chunks(chunk) {
        match &mut stream {
            Some(s) if fed => s.feed(&mut buf, piece, &mut push),
            _ => buf.extend_from_slice(piece),
        }
        if stream.is_none() {
            if let Some((at, object)) = envelope_start(&buf) {
                stream = Some(Stream::new(at, object, max));
            }
        }
        if let Some(s) = &mut stream {
            s.pump(&mut buf, &mut push);
            assert!(
                buf.len() <= max.max(TOO_LONG_PREFIX) + 2 * chunk + 8,
                "buffer grew to {}",
                buf.len()
            );
        }
    }
    stream.expect("envelope").finish(&mut buf, &mut push);
    got
}

#[test]
fn cuts_records_at_any_chunk_size() {
    let line = br#"{"Records":[{"a":"x]}"},{"b":[1,{"c":"\""}]} , {"d":2}]}"#;
    for chunk in 1..line.len() {
        let got = run(line, chunk, 1 << 20);
        assert_eq!(
            got,
            vec![
                Got::Rec(r#"{"a":"x]}"}"#.into(), 0, 12),
                Got::Rec(r#"{"b":[1,{"c":"\""}]}"#.into(), 1, 24),
                Got::Rec(r#"{"d":2}"#.into(), 2, 47),
            ],
            "chunk size {chunk}"
        );
    }
}

#[test]
fn oversized_records_are_skipped_without_being_held() {
    let big = format!(r#"{{"pad":"{}"}}"#, "y".repeat(5000));
    let line = format!(r#"[{{"a":1}},{big},{{"b":2}}]"#);
    let got = run(line.as_bytes(), 100, 1000);
    assert_eq!(got[0], Got::Rec(r#"{"a":1}"#.into(), 0, 1));
    assert_eq!(got[1], Got::Long(big.len() as u64, 1));
    assert_eq!(
        got[2],
        Got::Rec(r#"{"b":2}"#.into(), 2, 9 + big.len() as u64 + 1)
    );
}

#[test]
fn a_cut_off_array_yields_complete_records_then_its_tail() {
    let got = run(br#"{"Records":[{"a":1},{"b":2},{"c":"#, 7, 1000);
    assert_eq!(got.len(), 3);
    assert_eq!(got[2], Got::Broken(r#"{"c":"#.into(), 28, true));
}

#[test]
fn concatenated_log_files_keep_streaming() {
    let line = br#"{"Records":[{"a":1}]}{"Records":[{"b":2},{"c":3}]}"#;
    for chunk in [1, 3, 7, 100] {
        let got = run(line, chunk, 1000);
        let recs: Vec<_> = got.iter().filter(|g| matches!(g, Got::Rec(..))).collect();
        assert_eq!(recs.len(), 3, "chunk {chunk}: {got:?}");
        assert_eq!(got.len(), 3, "chunk {chunk}: {got:?}");
    }
}

#[test]
fn malformed_separators_and_tails_are_reported() {
    let got = run(br#"{"Records":[{"a":1} x {"b":2}]}"#, 5, 1000);
    assert!(matches!(&got[1], Got::Broken(_, 20, false)), "{got:?}");
    let got = run(br#"{"Records":[{"a":1}] trailing"#, 5, 1000);
    assert!(matches!(&got[1], Got::Broken(_, _, false)), "{got:?}");
    let got = run(br#"{"Records":[{"a":1}],"x":{"y":2}}"#, 5, 1000);
    assert_eq!(got.len(), 1, "{got:?}");
    let got = run(br#"{"Records":[]}"#, 3, 1000);
    assert!(got.is_empty(), "{got:?}");
}

#[test]
fn feeding_parts_agrees_with_pumping_one_buffer_on_random_envelopes() {
    let mut next = crate::input::blocks::noise::rng(0x2545_f491_4f6c_dd1d);
    const PIECES: &[&str] = &[
        r#"{"a":1}"#,
        r#"{"s":"x]}\"\\","n":[1,{"m":"{"}]}"#,
        r#"[1,2]"#,
        r#""str\"ing""#,
        "42",
        r#"{"pad":"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"}"#,
        " ",
        ",",
        "x",
        "]",
        "}",
        r#"{"Records":["#,
    ];
    for round in 0..3000 {
        let mut line = String::from(if next().is_multiple_of(4) {
            "["
        } else {
            r#"{"Records":["#
        });
        for i in 0..(next() % 12) {
            if i > 0 {
                line.push(',');
            }
            // Mostly records; now and then anything at all.
            let pick = if next().is_multiple_of(6) {
                (next() % PIECES.len() as u64) as usize
            } else {
                (next() % 6) as usize
            };
            line.push_str(PIECES[pick]);
        }
        if !next().is_multiple_of(5) {
            line.push_str("]}");
        }
        let chunk = 1 + (next() % 40) as usize;
        let max = [30, 70, 1000][(next() % 3) as usize];
        let pumped = run_with(line.as_bytes(), chunk, max, false);
        let fed = run_with(line.as_bytes(), chunk, max, true);
        assert_eq!(
            pumped, fed,
            "round {round}, chunk {chunk}, max {max}: {line}"
        );
    }
}
