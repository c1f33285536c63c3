//! Bytes in, record units out: sources and the reader thread (`source`),
//! framing into lines and documents (`frame`), streaming of one-line
//! envelopes (`stream`, which finds record ends with `blocks`), the raw structural scanner (`scan`), incremental
//! unescaping of wrapped files (`unescape`) and masking of numbers beyond a
//! double for the parser's copy (`numbers`), and the fast path's structural
//! pass over a record (`fields`).
//!
//! Guarantees: this layer never parses a record's values or decides anything
//! about it; every input byte reaches exactly one unit or is counted as blank.

pub mod blocks;
pub mod fields;
pub mod frame;
pub mod numbers;
pub mod origin;
pub mod scan;
pub mod source;
pub mod stream;
pub mod unescape;
