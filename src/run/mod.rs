//! Running a plan over inputs: the driver loop (`driver`), ordered parallel
//! batches (`parallel`), one unit to output bytes (`process`) and process-wide
//! memory settings (`memory`).
//!
//! Guarantees: output order is input order at any thread count, and every
//! unit is counted exactly once.

pub mod driver;
pub mod memory;
pub mod parallel;
pub mod process;
pub mod state;
