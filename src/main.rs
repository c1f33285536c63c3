//! The `ctfilter` binary: parse flags, build the plan, run, map to an exit code.

use mimalloc::MiMalloc;

#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

fn main() {
    std::process::exit(ctfilter::cli::main());
}
