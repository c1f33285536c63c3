//! Bytes in, record units out: sources and the reader thread (`source`),
//! framing into lines and documents (`frame`), streaming of one-line
//! envelopes (`stream`), the raw structural scanner (`scan`) and incremental
//! unescaping of wrapped files (`unescape`).
//!
//! Guarantees: this layer never parses a record's values or decides anything
//! about it; every input byte reaches exactly one unit or is counted as blank.

pub mod frame;
pub mod origin;
pub mod scan;
pub mod source;
pub mod stream;
pub mod unescape;
