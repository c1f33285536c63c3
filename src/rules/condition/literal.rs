//! Literal string tests (`contains`, `startswith`, `endswith`) on ASCII
//! needles, without a regex.
//!
//! A [`Needle`] is compiled once with an *anchor*: the position of its least
//! common byte in CloudTrail text (ARNs, user agents, host names). `contains`
//! jumps between occurrences of that byte (eight bytes at a time) and
//! compares the whole needle only there, so `:assumed-role/AWSReservedSSO_` is looked for at the
//! `_`s of an ARN, not at each of its five colons. The anchor changes how fast
//! a test runs, never its answer: every position where the needle could start
//! is still tried (a unit test checks this against a naive search).

/// contains / startswith / endswith.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralOp {
    Contains,
    StartsWith,
    EndsWith,
}

/// An ASCII needle (already lowercased unless the test is cased) and where
/// its rarest byte is.
#[derive(Clone, PartialEq, Eq)]
pub struct Needle {
    text: Box<str>,
    anchor: usize,
}

impl std::fmt::Debug for Needle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.text, f)
    }
}

impl Needle {
    pub fn new(text: Box<str>) -> Needle {
        let anchor = text
            .bytes()
            .enumerate()
            .min_by_key(|&(_, b)| commonness(b.to_ascii_lowercase()))
            .map_or(0, |(at, _)| at);
        Needle { text, anchor }
    }
}

impl LiteralOp {
    pub(super) fn parse(op: &str) -> Option<LiteralOp> {
        match op {
            "contains" => Some(LiteralOp::Contains),
            "startswith" => Some(LiteralOp::StartsWith),
            "endswith" => Some(LiteralOp::EndsWith),
            _ => None,
        }
    }

    /// Whether `haystack` passes for `needle` (already lowercased unless
    /// cased). Compiles the needle on every call: for tests only; the engine
    /// keeps compiled needles (`test_needle`).
    #[cfg(test)]
    pub fn test(self, haystack: &str, needle: &str, cased: bool) -> bool {
        self.test_needle(haystack, &Needle::new(needle.into()), cased)
    }

    /// Whether `haystack` passes for a compiled needle (already lowercased
    /// unless cased).
    #[inline]
    pub fn test_needle(self, haystack: &str, needle: &Needle, cased: bool) -> bool {
        let (h, n) = (haystack.as_bytes(), needle.text.as_bytes());
        if n.len() > h.len() {
            return false;
        }
        let eq = |a: &[u8]| {
            if cased {
                a == n
            } else {
                a.eq_ignore_ascii_case(n)
            }
        };
        match self {
            LiteralOp::StartsWith => eq(&h[..n.len()]),
            LiteralOp::EndsWith => eq(&h[h.len() - n.len()..]),
            LiteralOp::Contains => {
                if n.is_empty() {
                    return true;
                }
                let anchor = needle.anchor;
                let byte = n[anchor];
                // Either case of a letter is one byte with bit 0x20 set.
                let fold = !cased && byte.is_ascii_alphabetic();
                let byte = if fold {
                    byte.to_ascii_lowercase()
                } else {
                    byte
                };
                // The anchor byte of a match starting at `start` is at
                // `start + anchor`, so only that window of the haystack can
                // hold one.
                let window = &h[anchor..=h.len() - n.len() + anchor];
                let mut from = 0;
                while from < window.len() {
                    let Some(off) = find_byte(&window[from..], byte, fold) else {
                        return false;
                    };
                    let start = from + off;
                    if eq(&h[start..start + n.len()]) {
                        return true;
                    }
                    from = start + 1;
                }
                false
            }
        }
    }
}

/// The first position of `byte` in `hay` (of either case when `fold`, with
/// `byte` lowercase), eight bytes at a time. Haystacks here are ARNs and user
/// agents of tens of bytes, where a word-at-a-time loop costs less than
/// setting up `memchr`'s vector search.
fn find_byte(hay: &[u8], byte: u8, fold: bool) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let case: u8 = if fold { 0x20 } else { 0 };
    let target = ONES * u64::from(byte);
    let mut chunks = hay.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let diff = (u64::from_le_bytes(word) | (ONES * u64::from(case))) ^ target;
        // The lowest high bit set marks the first zero byte of `diff` (a
        // borrow can only mark bytes above a real zero).
        let zero = diff.wrapping_sub(ONES) & !diff & HIGHS;
        if zero != 0 {
            return Some(at + zero.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    let tail = chunks.remainder().iter().position(|&b| b | case == byte);
    tail.map(|p| at + p)
}

/// How common a (lowercased) byte is in CloudTrail text, higher is more
/// common: separators of ARNs, host names and user agents first, then
/// digits, then letters by English frequency; anything else is rare.
fn commonness(b: u8) -> u8 {
    const LETTERS: &[u8] = b"etaoinsrhldcumfpgwybvkxjqz";
    match b {
        b':' | b'/' | b'.' | b'-' | b' ' => 255,
        b'0'..=b'9' => 200,
        b'a'..=b'z' => {
            let rank = LETTERS.iter().position(|&l| l == b).unwrap_or(0);
            190 - rank as u8 * 6
        }
        b'=' | b'#' | b'(' | b')' | b';' | b',' => 30,
        _ => 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(op: LiteralOp, h: &str, n: &str, cased: bool) -> bool {
        let (h, n) = if cased {
            (h.to_string(), n.to_string())
        } else {
            (h.to_ascii_lowercase(), n.to_ascii_lowercase())
        };
        match op {
            LiteralOp::Contains => h.contains(&n),
            LiteralOp::StartsWith => h.starts_with(&n),
            LiteralOp::EndsWith => h.ends_with(&n),
        }
    }

    #[test]
    fn anchors_on_the_rarest_byte() {
        assert_eq!(
            Needle::new(":assumed-role/awsreservedsso_".into()).anchor,
            28
        );
        assert_eq!(Needle::new("kali".into()).anchor, 0);
        assert_eq!(Needle::new("".into()).anchor, 0);
    }

    #[test]
    fn agrees_with_a_naive_search_at_every_offset() {
        let alphabet = b"aA_:/kK-x";
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let hl = (next() % 40) as usize;
            let nl = (next() % 5) as usize;
            let pick = |r: u64| alphabet[(r % alphabet.len() as u64) as usize] as char;
            let h: String = (0..hl).map(|_| pick(next())).collect();
            let n: String = (0..nl).map(|_| pick(next())).collect();
            let cased = next() % 2 == 0;
            let needle = if cased {
                n.clone()
            } else {
                n.to_ascii_lowercase()
            };
            for op in [
                LiteralOp::Contains,
                LiteralOp::StartsWith,
                LiteralOp::EndsWith,
            ] {
                assert_eq!(
                    op.test(&h, &needle, cased),
                    naive(op, &h, &n, cased),
                    "{op:?} {h:?} {n:?} cased={cased}"
                );
            }
        }
    }
}
