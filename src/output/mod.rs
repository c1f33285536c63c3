//! A decision in, bytes out: the verdict and its splice into the record
//! (`enrich`), the raw/OCSF/ECS shapes (`format`), run counters and the
//! `--stats` summary (`stats`), the periodic metrics line and Prometheus file
//! (`metrics`), the `explain` trace, and the verdict's first-seen and
//! `update_of` members (`first_seen`, `update`).
//!
//! Guarantees: a kept record's own bytes are never re-serialised in `raw`
//! format, and writing allocates nothing beyond growing reused buffers.

pub mod deadletter;
pub mod enrich;
pub mod explain;
pub mod first_seen;
pub mod format;
pub mod metrics;
pub mod stats;
pub mod update;
