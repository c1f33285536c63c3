//! The corpus's only source of randomness, and the writers that turn it into text.
//!
//! `Rng` is splitmix64: the same seed gives the same sequence on every
//! platform, so every byte of the corpus is a function of the seed. The
//! writers (`hex`, `b32`, `b64`, `uuid`, `num`, `two`) append ASCII only, and
//! draw a fixed number of values for a given length, so a change to one
//! field's length never shifts the rest of the stream unexpectedly.

#[derive(Clone)]
pub(super) struct Rng(pub(super) u64);

impl Rng {
    #[inline]
    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n <= 2^32).
    #[inline]
    pub(super) fn below(&mut self, n: u64) -> u64 {
        ((self.next() >> 32) * n) >> 32
    }
    /// Uniform in lo..=hi.
    #[inline]
    pub(super) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability pct/100.
    #[inline]
    pub(super) fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    #[inline]
    pub(super) fn pick<'a, T>(&mut self, s: &'a [T]) -> &'a T {
        &s[self.below(s.len() as u64) as usize]
    }
    /// Index drawn from integer weights.
    pub(super) fn weighted(&mut self, w: &[u64]) -> usize {
        let total: u64 = w.iter().sum();
        let mut x = self.below(total);
        for (i, &wi) in w.iter().enumerate() {
            if x < wi {
                return i;
            }
            x -= wi;
        }
        w.len() - 1
    }
}

pub(super) const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
pub(super) const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
pub(super) const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub(super) const B64: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(super) fn rand_chars(out: &mut Vec<u8>, r: &mut Rng, n: usize, alphabet: &[u8], bits: u32) {
    let per = (64 / bits) as usize;
    let mask = (1u64 << bits) - 1;
    let mut left = n;
    while left > 0 {
        let mut x = r.next();
        for _ in 0..per.min(left) {
            out.push(alphabet[(x & mask) as usize]);
            x >>= bits;
        }
        left -= per.min(left);
    }
}
pub(super) fn hex(out: &mut Vec<u8>, r: &mut Rng, n: usize) {
    rand_chars(out, r, n, HEX_LOWER, 4)
}
pub(super) fn hex_upper(out: &mut Vec<u8>, r: &mut Rng, n: usize) {
    rand_chars(out, r, n, HEX_UPPER, 4)
}
pub(super) fn b32(out: &mut Vec<u8>, r: &mut Rng, n: usize) {
    rand_chars(out, r, n, B32, 5)
}
pub(super) fn b64(out: &mut Vec<u8>, r: &mut Rng, n: usize) {
    rand_chars(out, r, n, B64, 6)
}
pub(super) fn uuid(out: &mut Vec<u8>, r: &mut Rng) {
    hex(out, r, 8);
    out.push(b'-');
    hex(out, r, 4);
    put!(out, "-4");
    hex(out, r, 3);
    out.push(b'-');
    out.push(b"89ab"[r.below(4) as usize]);
    hex(out, r, 3);
    out.push(b'-');
    hex(out, r, 12);
}
pub(super) fn num(out: &mut Vec<u8>, mut n: u64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&tmp[i..]);
}
pub(super) fn two(out: &mut Vec<u8>, n: u64) {
    out.push(b'0' + (n / 10 % 10) as u8);
    out.push(b'0' + (n % 10) as u8);
}
pub(super) fn s_hex(r: &mut Rng, n: usize) -> String {
    let mut v = Vec::with_capacity(n);
    hex(&mut v, r, n);
    String::from_utf8(v).unwrap()
}
pub(super) fn s_b32(r: &mut Rng, n: usize) -> String {
    let mut v = Vec::with_capacity(n);
    b32(&mut v, r, n);
    String::from_utf8(v).unwrap()
}
pub(super) fn s_uuid(r: &mut Rng) -> String {
    let mut v = Vec::with_capacity(36);
    uuid(&mut v, r);
    String::from_utf8(v).unwrap()
}
