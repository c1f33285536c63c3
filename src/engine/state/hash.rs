//! Fixed, portable 64-bit hashing of state keys: (namespace, field values...).
//!
//! Guarantees:
//! - The same bytes give the same [`Key`] on every machine, build, Rust
//!   release and run: no random seed, no `std` hasher (whose algorithm `std`
//!   may change), little-endian reads on every platform. Keys are stored in
//!   state files, so this function is part of the file format: changing it
//!   needs a new file version.
//! - A key is never 0 (the table's empty-slot marker).
//! - Field boundaries and absent fields are part of the key: `("ab", "c")`,
//!   `("a", "bc")`, `("abc")`, `("", "abc")` and `(<absent>, "abc")` differ.
//!
//! The function is wyhash "final version 4" (Wang Yi, public domain) with its
//! default secrets, reimplemented here and checked against the reference C
//! code's output. It passes SMHasher and mixes every input bit into all 64
//! output bits through 64x64->128-bit multiplies. A key is built by chaining:
//! `h = wyhash(namespace, 0)`, then `h = wyhash(field_i, h)` for each field.
//!
//! Collision odds: two distinct tuples share a key with probability about
//! 2^-64. With n entries resident, a brand-new tuple is wrongly taken as
//! "seen" with probability n / 2^64: 5.4e-14 at 1M entries. Even a million
//! new tuples a day at a full 1M-entry table gives about one mistake in
//! 50,000 years; the mistake is one missed first-seen, never a false alert. 128-bit keys would cost 8 more bytes per entry (+50%) for no
//! practical gain. The key is not secret, so someone who can choose field
//! values could search for a second preimage of a stored tuple; for a
//! 64-bit hash that needs about 2^64 attempts per target.

/// wyhash's default secret (the reference implementation's `_wyp`).
const P: [u64; 4] = [
    0xa076_1d64_78bd_642f,
    0xe703_7ed1_a0b4_28db,
    0x8ebc_6af0_9c88_c6e3,
    0x5899_65cc_7537_4cc3,
];

/// Marks an absent field in a key chain (not the hash of any byte string).
const ABSENT: u64 = 0x1d8e_4e27_c47d_124f;

#[inline]
fn mum(a: u64, b: u64) -> (u64, u64) {
    let r = u128::from(a) * u128::from(b);
    (r as u64, (r >> 64) as u64)
}

#[inline]
fn mix(a: u64, b: u64) -> u64 {
    let (lo, hi) = mum(a, b);
    lo ^ hi
}

#[inline]
fn r8(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

#[inline]
fn r4(b: &[u8], at: usize) -> u64 {
    u64::from(u32::from_le_bytes(b[at..at + 4].try_into().unwrap()))
}

/// wyhash final v4 of `bytes` with `seed` and the default secret.
pub fn wyhash(bytes: &[u8], seed: u64) -> u64 {
    let len = bytes.len();
    let mut seed = seed ^ mix(seed ^ P[0], P[1]);
    let (a, b);
    if len <= 16 {
        if len >= 4 {
            let q = (len >> 3) << 2;
            a = (r4(bytes, 0) << 32) | r4(bytes, q);
            b = (r4(bytes, len - 4) << 32) | r4(bytes, len - 4 - q);
        } else if len > 0 {
            a = (u64::from(bytes[0]) << 16)
                | (u64::from(bytes[len >> 1]) << 8)
                | u64::from(bytes[len - 1]);
            b = 0;
        } else {
            a = 0;
            b = 0;
        }
    } else {
        let mut p = 0;
        let mut i = len;
        if i > 48 {
            let (mut see1, mut see2) = (seed, seed);
            while i > 48 {
                seed = mix(r8(bytes, p) ^ P[1], r8(bytes, p + 8) ^ seed);
                see1 = mix(r8(bytes, p + 16) ^ P[2], r8(bytes, p + 24) ^ see1);
                see2 = mix(r8(bytes, p + 32) ^ P[3], r8(bytes, p + 40) ^ see2);
                p += 48;
                i -= 48;
            }
            seed ^= see1 ^ see2;
        }
        while i > 16 {
            seed = mix(r8(bytes, p) ^ P[1], r8(bytes, p + 8) ^ seed);
            i -= 16;
            p += 16;
        }
        a = r8(bytes, p + i - 16);
        b = r8(bytes, p + i - 8);
    }
    let (a, b) = mum(a ^ P[1], b ^ seed);
    mix(a ^ P[0] ^ len as u64, b ^ P[1])
}

/// A 64-bit state key; never 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(u64);

impl Key {
    /// Wrap a hash; 0 (the empty-slot marker) becomes a fixed other value.
    #[inline]
    pub fn from_hash(h: u64) -> Key {
        Key(if h == 0 { ABSENT } else { h })
    }

    /// A key read back from a state file: `None` for the impossible 0.
    pub fn from_stored(raw: u64) -> Option<Key> {
        (raw != 0).then_some(Key(raw))
    }

    #[inline]
    pub fn get(self) -> u64 {
        self.0
    }
}

/// The starting point of a key chain: a rule (or the dedupe stage) hashed
/// once, so that per-record work is only the field values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Namespace(u64);

impl Namespace {
    pub fn new(name: &[u8]) -> Namespace {
        Namespace(wyhash(name, 0))
    }

    /// Start a key for a tuple in this namespace.
    #[inline]
    pub fn key(self) -> KeyBuilder {
        KeyBuilder(self.0)
    }

    /// The key of a one-field tuple: `self.key().field(value).finish()`.
    #[inline]
    pub fn key_of(self, value: &[u8]) -> Key {
        self.key().field(value).finish()
    }
}

/// Folds a tuple's fields, in order, into a [`Key`].
#[derive(Clone, Copy, Debug)]
pub struct KeyBuilder(u64);

impl KeyBuilder {
    /// Add a present field (its raw bytes, e.g. the unescaped JSON string or
    /// a number's text). An empty string is present and differs from absent.
    #[inline]
    pub fn field(self, value: &[u8]) -> KeyBuilder {
        KeyBuilder(wyhash(value, self.0))
    }

    /// Add a field that the record does not have (or that is `null`).
    #[inline]
    pub fn absent(self) -> KeyBuilder {
        KeyBuilder(mix(self.0 ^ ABSENT, P[2]))
    }

    /// `field` or `absent`.
    #[inline]
    pub fn maybe(self, value: Option<&[u8]>) -> KeyBuilder {
        match value {
            Some(v) => self.field(v),
            None => self.absent(),
        }
    }

    #[inline]
    pub fn finish(self) -> Key {
        Key::from_hash(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_reference_wyhash() {
        // Printed by the reference C implementation (wyhash.h final v4,
        // default secret): wyhash(msg, strlen(msg), seed, _wyp).
        let vectors: [(u64, &[u8], u64); 8] = [
            (0, b"", 0x0409_638e_e2bd_e459),
            (1, b"a", 0xa841_2d09_1b5f_e0a9),
            (2, b"abc", 0x32dd_92e4_b291_5153),
            (3, b"message digest", 0x8619_1240_89a3_a16b),
            (4, b"abcdefghijklmnopqrstuvwxyz", 0x7a43_afb6_1d7f_5f40),
            (
                5,
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                0xff42_329b_90e5_0d58,
            ),
            (
                6,
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                0xc39c_ab13_b115_aad3,
            ),
            (
                7,
                b"arn:aws:iam::123456789012:user/alice",
                0x2c60_a30d_73b4_dcfa,
            ),
        ];
        for (seed, msg, want) in vectors {
            assert_eq!(wyhash(msg, seed), want, "{}", String::from_utf8_lossy(msg));
        }
    }

    #[test]
    fn keys_separate_fields_and_absence() {
        let ns = Namespace::new(b"rule");
        let k =
            |fields: &[Option<&[u8]>]| fields.iter().fold(ns.key(), |b, f| b.maybe(*f)).finish();
        let all = [
            k(&[Some(b"ab"), Some(b"c")]),
            k(&[Some(b"a"), Some(b"bc")]),
            k(&[Some(b"abc")]),
            k(&[Some(b""), Some(b"abc")]),
            k(&[None, Some(b"abc")]),
            k(&[Some(b"abc"), None]),
            k(&[Some(b"abc"), Some(b"")]),
            k(&[]),
            Namespace::new(b"other")
                .key()
                .field(b"ab")
                .field(b"c")
                .finish(),
        ];
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(all[0], ns.key().field(b"ab").field(b"c").finish());
        assert_eq!(ns.key_of(b"x"), ns.key().field(b"x").finish());
    }

    #[test]
    fn zero_is_never_a_key() {
        assert_ne!(Key::from_hash(0).get(), 0);
        assert_eq!(Key::from_stored(0), None);
        assert_eq!(Key::from_stored(7).map(Key::get), Some(7));
    }

    #[test]
    fn every_length_reads_in_bounds_and_differs() {
        let data: Vec<u8> = (0..200u32).map(|i| (i * 7 + 3) as u8).collect();
        let mut seen = std::collections::HashSet::new();
        for n in 0..=data.len() {
            assert!(seen.insert(wyhash(&data[..n], 9)), "length {n}");
        }
    }
}
