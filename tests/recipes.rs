//! Runs `tests/recipes.sh` against the binary under test, so `cargo test`
//! exercises every recipe in `docs/integrations/` (the real command lines,
//! between stand-ins for the hosts CI cannot install). Skipped, with a
//! message, when bash or python3 is missing.

#[path = "util/mod.rs"]
mod util;

use std::process::{Command, Stdio};
use util::*;

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

#[test]
fn every_integration_recipe_runs() {
    for program in ["bash", "python3"] {
        if !have(program) {
            notice(&format!("skipping: {program} not installed"));
            return;
        }
    }
    let mut child = Command::new("bash")
        .arg(root().join("tests/recipes.sh"))
        .env("CTFILTER", bin())
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tests/recipes.sh");
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let status = wait_with_deadline(&mut child, std::time::Duration::from_secs(180))
        .expect("tests/recipes.sh did not finish within 180 s");
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    // The summary and any skip show even when the test passes.
    for line in out.lines() {
        if line.starts_with("skipped") || line.starts_with("recipes:") {
            notice(line);
        }
    }
    assert!(status.success(), "tests/recipes.sh failed:\n{out}\n{err}");
}
