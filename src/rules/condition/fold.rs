//! Case-insensitive equality of strings, fast for the ASCII values that make
//! up almost all of CloudTrail (identity types, account ids, error codes).
//!
//! Guarantee: [`eq_fold`] answers exactly `haystack.to_lowercase() ==
//! needle` for a lowercase needle, and [`eq_ignore_case`] exactly
//! `a.to_lowercase() == b.to_lowercase()`; the ASCII shortcuts only decide
//! what they can (unit tests compare them with the Unicode definitions).

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether `haystack` folds to `lowered_needle` (already lowercase).
#[inline]
pub fn eq_fold(haystack: &str, lowered_needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), lowered_needle.as_bytes());
    // Most compared values differ from the needle in their first byte. The
    // only characters whose lowercase starts with an ASCII byte are ASCII
    // itself, the Kelvin sign (U+212A -> `k`, first byte 0xE2) and the
    // dotted capital I (U+0130 -> `i` + U+0307, first byte 0xC4).
    if let (Some(&a), Some(&b)) = (h.first(), n.first()) {
        let may_fold =
            a.to_ascii_lowercase() == b || (a == 0xE2 && b == b'k') || (a == 0xC4 && b == b'i');
        if b.is_ascii() && !may_fold {
            return false;
        }
    }
    if h.len() == n.len() {
        if let Some(equal) = ascii_lower_eq(h, n) {
            return equal;
        }
    } else if h.is_ascii() && n.is_ascii() {
        return false;
    }
    unicode_fold_eq(haystack, lowered_needle)
}

/// The rare non-ASCII case, kept out of line so the hot callers stay small.
#[cold]
#[inline(never)]
fn unicode_fold_eq(haystack: &str, lowered_needle: &str) -> bool {
    haystack.to_lowercase() == lowered_needle
}

/// Whether `a` and `b` are equal ignoring case.
#[inline]
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    unicode_eq(a, b)
}

#[cold]
#[inline(never)]
fn unicode_eq(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

/// For two strings of equal length: whether the ASCII lowercase of `h` is
/// `n`, eight bytes at a time; `None` when `h` has a non-ASCII byte (then
/// only Unicode folding can tell).
fn ascii_lower_eq(h: &[u8], n: &[u8]) -> Option<bool> {
    let mut equal = true;
    let (mut hs, mut ns) = (h.chunks_exact(8), n.chunks_exact(8));
    for (a, b) in (&mut hs).zip(&mut ns) {
        let (a, b) = (full_word(a), full_word(b));
        if a & HIGHS != 0 {
            return None;
        }
        equal &= lower(a) == b;
    }
    let (a, b) = (word(hs.remainder()), word(ns.remainder()));
    if a & HIGHS != 0 {
        return None;
    }
    Some(equal && lower(a) == b)
}

/// Eight bytes as a little-endian word.
#[inline]
fn full_word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

/// Up to eight bytes as a little-endian word, zero-padded (a byte loop:
/// these are short tails, where a `memcpy` call costs more).
#[inline]
fn word(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0, |word, &byte| (word << 8) | u64::from(byte))
}

/// The ASCII lowercase of a word of ASCII bytes: a byte's high bit is set
/// after adding `0x80 - 'A'` when it is at least `A`, and after adding
/// `0x80 - 'Z' - 1` when it is above `Z` (no sum carries into the next byte,
/// since every byte is below 0x80).
#[inline]
fn lower(w: u64) -> u64 {
    let at_least_a = w + ONES * u64::from(0x80 - b'A');
    let above_z = w + ONES * u64::from(0x80 - b'Z' - 1);
    let upper = at_least_a & !above_z & HIGHS;
    w | (upper >> 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLES: &[&str] = &[
        "",
        "k",
        "K",
        "\u{212A}",
        "\u{212A}elvin",
        "kelvin",
        "KELVIN",
        "i\u{307}stanbul",
        "\u{130}stanbul",
        "ISTANBUL",
        "istanbul",
        "\u{131}stanbul",
        "Root",
        "root",
        "rOOT",
        "AssumedRole",
        "assumedrole",
        "AssumedRolf",
        "é",
        "É",
        "AÉ",
        "aé",
        "Aè",
        "\u{23A}\u{23A}\u{212A}",
        "\u{2c65}\u{2c65}k",
        "@[`{",
        "@[`{@[`{@",
        "123456789012",
        "123456789013",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "abcdefghijklmnopqrstuvwxyz",
        "abcdefghijklmnopqrstuvwxyZ",
    ];

    #[test]
    fn eq_fold_is_unicode_lowercase_equality() {
        for h in SAMPLES {
            for n in SAMPLES {
                let needle = n.to_lowercase();
                assert_eq!(
                    eq_fold(h, &needle),
                    h.to_lowercase() == needle,
                    "{h:?} vs {needle:?}"
                );
            }
        }
    }

    #[test]
    fn eq_ignore_case_is_unicode_lowercase_equality() {
        for a in SAMPLES {
            for b in SAMPLES {
                assert_eq!(
                    eq_ignore_case(a, b),
                    a.to_lowercase() == b.to_lowercase(),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }

    #[test]
    fn lower_changes_exactly_the_capital_letters() {
        for byte in 0u8..0x80 {
            let word = ONES * u64::from(byte);
            assert_eq!(
                lower(word),
                ONES * u64::from(byte.to_ascii_lowercase()),
                "{byte:#x}"
            );
        }
    }
}
