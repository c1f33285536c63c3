//! Finds where a JSON container closes, 64 bytes at a time.
//!
//! The record stream (`stream`) has to find the end of every record of a
//! `{"Records":[...]}` line before the record can be parsed. Stepping through
//! the bytes, even jumping from quote to quote, cost more than the parse
//! itself on those files. Here each 64-byte block becomes four bit masks
//! (quotes, backslashes, opening and closing brackets; AVX2 when the CPU
//! has it, else SSE2 on x86-64, a plain loop elsewhere); string interiors follow from the quotes by a prefix
//! XOR, and only the brackets outside strings are counted.
//!
//! Guarantees: the result and the state left behind are exactly those of the
//! byte-by-byte scan it replaces (a backslash escapes the next byte inside a
//! string and means nothing outside one, so invalid JSON is cut the same
//! way; the tests compare the two on random input). It never reads out of
//! bounds: a short last block is copied into a padded one.

/// Where a scan stands inside a container, carried from one buffer to the
/// next as bytes arrive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Nest {
    /// Open brackets not yet closed; at least 1 while scanning a container.
    pub depth: u32,
    pub in_string: bool,
    /// The previous byte was a backslash inside a string.
    pub escaped: bool,
}

/// Bit `i` of each mask stands for byte `i` of a block.
#[derive(Default)]
struct Masks {
    quote: u64,
    backslash: u64,
    open: u64,
    close: u64,
}

/// Scan `buf` from `at` until the container being scanned closes.
/// `nest.depth` must be at least 1. Returns the offset just past the closing
/// bracket (and resets `nest`), or `None` when `buf` ends first, with `nest`
/// updated so that the scan can go on in the bytes that follow.
pub fn close(buf: &[u8], at: usize, nest: &mut Nest) -> Option<usize> {
    close_within(buf, at, nest, u32::MAX)
}

/// `close`, but giving up (`None`, with `nest` left unspecified) as soon as
/// the depth might pass `limit`: the caller then finds the exact place with
/// a slower scan.
pub fn close_within(buf: &[u8], at: usize, nest: &mut Nest, limit: u32) -> Option<usize> {
    debug_assert!(nest.depth > 0);
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("popcnt") {
        // SAFETY: the CPU has just been checked for both features.
        return unsafe { close_avx2(buf, at, nest, limit) };
    }
    close_with(buf, at, nest, limit, masks)
}

/// `close` compiled for AVX2 and POPCNT: half the instructions per block.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt")]
unsafe fn close_avx2(buf: &[u8], at: usize, nest: &mut Nest, limit: u32) -> Option<usize> {
    close_with(buf, at, nest, limit, |block| {
        // SAFETY: only called from here, where AVX2 is enabled.
        unsafe { masks_avx2(block) }
    })
}

#[inline(always)]
fn close_with(
    buf: &[u8],
    mut at: usize,
    nest: &mut Nest,
    limit: u32,
    masks: impl Fn(&[u8; 64]) -> Masks,
) -> Option<usize> {
    while at < buf.len() {
        let n = (buf.len() - at).min(64);
        let masks = match <&[u8; 64]>::try_from(&buf[at..at + n]) {
            Ok(block) => masks(block),
            Err(_) => {
                // Spaces are none of the four bytes, so the padding is inert.
                let mut block = [b' '; 64];
                block[..n].copy_from_slice(&buf[at..at + n]);
                masks(&block)
            }
        };
        let quotes = if masks.backslash == 0 && !nest.escaped {
            masks.quote
        } else {
            real_quotes(&masks, n, nest)
        };
        let inside = prefix_xor(quotes) ^ if nest.in_string { !0 } else { 0 };
        let open = masks.open & !inside;
        let close = masks.close & !inside;
        let closes = close.count_ones();
        if nest.depth.saturating_add(open.count_ones()) > limit {
            return None;
        }
        if closes < nest.depth {
            // Depth stays above zero through the whole block.
            nest.depth = nest.depth + open.count_ones() - closes;
        } else {
            let mut depth = nest.depth;
            let mut brackets = open | close;
            while brackets != 0 {
                let i = brackets.trailing_zeros();
                brackets &= brackets - 1;
                if open >> i & 1 == 1 {
                    depth += 1;
                } else {
                    depth -= 1;
                    if depth == 0 {
                        *nest = Nest::default();
                        return Some(at + i as usize + 1);
                    }
                }
            }
            nest.depth = depth;
        }
        nest.in_string = inside >> (n - 1) & 1 == 1;
        at += n;
    }
    None
}

/// The quotes that open or close a string, found in order when backslashes
/// are about: one inside a string escapes the byte after it, one outside a
/// string is ignored. Sets `nest.escaped` when the block ends on an escape.
fn real_quotes(masks: &Masks, n: usize, nest: &mut Nest) -> u64 {
    let mut in_string = nest.in_string;
    let mut bits = masks.quote | masks.backslash;
    if nest.escaped {
        bits &= !1; // the first byte is escaped
    }
    nest.escaped = false;
    let mut real = 0;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        let bit = 1u64 << i;
        bits &= !bit;
        if i >= n {
            break;
        }
        if masks.quote & bit != 0 {
            real |= bit;
            in_string = !in_string;
        } else if in_string {
            if i + 1 == n {
                nest.escaped = true;
            } else {
                bits &= !(bit << 1);
            }
        }
    }
    real
}

/// Bit `i` is the parity of the set bits at or below `i`: inside a string
/// from its opening quote up to (not including) its closing quote.
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

#[cfg(target_arch = "x86_64")]
fn masks(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::*;
    let mut m = Masks::default();
    // `{` and `[` differ only in bit 0x20, as do `}` and `]`: OR-ing it in
    // folds each pair onto one byte, and no other byte folds onto them.
    // SAFETY: SSE2 is part of the x86-64 baseline; each unaligned load reads
    // 16 bytes at offsets 0, 16, 32 and 48 of the 64-byte block.
    unsafe {
        let quote = _mm_set1_epi8(b'"' as i8);
        let backslash = _mm_set1_epi8(b'\\' as i8);
        let open = _mm_set1_epi8(b'{' as i8);
        let close = _mm_set1_epi8(b'}' as i8);
        let fold = _mm_set1_epi8(0x20);
        for k in 0..4 {
            let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
            let folded = _mm_or_si128(v, fold);
            let bits = |x: __m128i| (_mm_movemask_epi8(x) as u32 as u64) << (16 * k);
            m.quote |= bits(_mm_cmpeq_epi8(v, quote));
            m.backslash |= bits(_mm_cmpeq_epi8(v, backslash));
            m.open |= bits(_mm_cmpeq_epi8(folded, open));
            m.close |= bits(_mm_cmpeq_epi8(folded, close));
        }
    }
    m
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn masks_avx2(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::*;
    let quote = _mm256_set1_epi8(b'"' as i8);
    let backslash = _mm256_set1_epi8(b'\\' as i8);
    let open = _mm256_set1_epi8(b'{' as i8);
    let close = _mm256_set1_epi8(b'}' as i8);
    let fold = _mm256_set1_epi8(0x20);
    let mut m = Masks::default();
    for k in 0..2 {
        // SAFETY: two unaligned 32-byte loads at offsets 0 and 32 of the block.
        let v = unsafe { _mm256_loadu_si256(block.as_ptr().add(32 * k).cast::<__m256i>()) };
        let folded = _mm256_or_si256(v, fold);
        let bits = |x: __m256i| (_mm256_movemask_epi8(x) as u32 as u64) << (32 * k);
        m.quote |= bits(_mm256_cmpeq_epi8(v, quote));
        m.backslash |= bits(_mm256_cmpeq_epi8(v, backslash));
        m.open |= bits(_mm256_cmpeq_epi8(folded, open));
        m.close |= bits(_mm256_cmpeq_epi8(folded, close));
    }
    m
}

#[cfg(not(target_arch = "x86_64"))]
fn masks(block: &[u8; 64]) -> Masks {
    let mut m = Masks::default();
    for (i, &b) in block.iter().enumerate() {
        let bit = 1u64 << i;
        match b {
            b'"' => m.quote |= bit,
            b'\\' => m.backslash |= bit,
            b'{' | b'[' => m.open |= bit,
            b'}' | b']' => m.close |= bit,
            _ => {}
        }
    }
    m
}

/// Random input for the tests that compare a block scan with a byte-by-byte
/// one: one generator, so every such test draws from the same distribution.
#[cfg(test)]
pub(crate) mod noise {
    /// An xorshift generator: deterministic, no dependency.
    pub fn rng(mut seed: u64) -> impl FnMut() -> u64 {
        move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        }
    }

    /// `len` bytes: a byte of `alphabet` one time in three, else `a`, so
    /// that strings and depth often survive a 64-byte block.
    pub fn bytes(next: &mut impl FnMut() -> u64, len: usize, alphabet: &[u8]) -> Vec<u8> {
        (0..len)
            .map(|_| {
                let r = next() as usize;
                if r.is_multiple_of(3) {
                    alphabet[(r >> 8) % alphabet.len()]
                } else {
                    b'a'
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-by-byte scan the block scan must agree with.
    fn close_bytewise(buf: &[u8], at: usize, nest: &mut Nest) -> Option<usize> {
        for (i, &b) in buf.iter().enumerate().skip(at) {
            if nest.in_string {
                if nest.escaped {
                    nest.escaped = false;
                } else if b == b'\\' {
                    nest.escaped = true;
                } else if b == b'"' {
                    nest.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => nest.in_string = true,
                b'{' | b'[' => nest.depth += 1,
                b'}' | b']' => {
                    nest.depth -= 1;
                    if nest.depth == 0 {
                        *nest = Nest::default();
                        return Some(i + 1);
                    }
                }
                _ => {}
            }
        }
        None
    }

    #[test]
    fn agrees_with_the_bytewise_scan_on_random_input_and_cuts() {
        const ALPHABET: &[u8] = b"\"\\{}[]a,: \\\"x";
        let mut next = noise::rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..40_000 {
            // Long enough to cross several blocks, with few brackets so that
            // depth often survives a block.
            let len = (next() % 300) as usize;
            let buf = noise::bytes(&mut next, len, ALPHABET);
            let start = Nest {
                depth: 1 + (next() % 4) as u32,
                in_string: next().is_multiple_of(2),
                escaped: false,
            };
            let start = Nest {
                escaped: start.in_string && next().is_multiple_of(4),
                ..start
            };
            let at = (next() % (len as u64 + 1)) as usize;
            // Feed in up to three growing prefixes, as chunks arrive.
            let cuts = [
                at + (next() % (len - at + 1) as u64) as usize,
                at + (next() % (len - at + 1) as u64) as usize,
                len,
            ];
            // `close` picks AVX2 where the CPU has it; `close_with(.., masks)`
            // is the baseline path every x86-64 CPU takes otherwise.
            let (mut fast, mut base, mut slow) = (start, start, start);
            let mut from = at;
            for end in cuts {
                let end = end.max(from);
                let a = close(&buf[..end], from, &mut fast);
                let c = close_with(&buf[..end], from, &mut base, u32::MAX, masks);
                let b = close_bytewise(&buf[..end], from, &mut slow);
                let shown = String::from_utf8_lossy(&buf[..end]);
                assert_eq!(a, b, "round {round}: {shown:?} from {at} {start:?}");
                assert_eq!(c, b, "round {round}: {shown:?} from {at} {start:?}");
                assert_eq!(fast, slow, "round {round}: {shown:?} from {at} {start:?}");
                assert_eq!(base, slow, "round {round}: {shown:?} from {at} {start:?}");
                if a.is_some() {
                    break;
                }
                from = end;
            }
        }
    }

    #[test]
    fn finds_the_close_past_strings_escapes_and_blocks() {
        let record = format!(
            r#"{{"a":"}}]\"{{","b":[{{"c":"\\"}}],"pad":"{}"}},{{"next":1}}"#,
            "x".repeat(150)
        );
        let mut nest = Nest {
            depth: 1,
            ..Nest::default()
        };
        let end = close(record.as_bytes(), 1, &mut nest);
        assert_eq!(end, Some(record.find(",{\"next\"").unwrap()));
        assert_eq!(nest, Nest::default());
    }
}
