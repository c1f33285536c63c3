//! Running a plan over inputs: the driver (`driver`) and its message loop
//! (`pump`), ordered parallel
//! batches (`parallel`), one unit to output bytes (`process`), process-wide
//! memory settings (`memory`), and periodic metrics and the progress bar
//! (`watch`).
//!
//! Guarantees: output order is input order at any thread count, and every
//! unit is counted exactly once.

pub mod driver;
pub mod memory;
pub mod parallel;
pub mod process;
pub mod pump;
pub mod state;
pub mod watch;
