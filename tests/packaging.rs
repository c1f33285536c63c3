//! What packagers and CLI users expect from the installed binary: completions
//! and man pages generated from the clap definitions (`ctfilter generate`),
//! kept out of `--help`, and a `--version` that names the rule pack.

#[path = "util/mod.rs"]
mod util;

use std::process::{Command, Stdio};
use util::*;

#[test]
fn bash_completion_script_loads_and_registers_ctfilter() {
    let out = ctfilter(&["generate", "completions", "bash"]).run();
    out.assert_clean();
    let tmp = TempDir::new("completion");
    let script = tmp.write("ctfilter.bash", &out.stdout);
    let Ok(status) = Command::new("bash")
        .arg("--noprofile")
        .arg("--norc")
        .arg("-c")
        .arg(format!(
            "source '{script}' && complete -p ctfilter | grep -q ctfilter"
        ))
        .stdin(Stdio::null())
        .status()
    else {
        notice("skipping: bash not installed");
        return;
    };
    assert!(
        status.success(),
        "bash could not load the completion script"
    );
}

#[test]
fn every_shell_gets_a_completion_script_naming_the_flags() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = ctfilter(&["generate", "completions", shell]).run();
        out.assert_clean();
        assert!(
            out.stdout.contains("min-severity") && out.stdout.contains("explain"),
            "{shell} completions lack flags or subcommands"
        );
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = ctfilter(&["generate", "completions", "tcsh"]).run();
    out.assert_code(2);
    assert!(out.stderr.contains("tcsh"), "{}", out.stderr);
}

#[test]
fn man_page_on_stdout_and_one_page_per_subcommand_with_dir() {
    let out = ctfilter(&["generate", "man"]).run();
    out.assert_clean();
    assert!(
        out.stdout.contains(".TH ctfilter 1"),
        "{}",
        truncate(&out.stdout, 300)
    );
    assert!(out.stdout.contains("\\-\\-dead\\-letter"));

    let tmp = TempDir::new("man");
    let dir = tmp.file("man1");
    ctfilter(&["generate", "man", "--dir", &dir])
        .run()
        .assert_clean();
    for page in [
        "ctfilter.1",
        "ctfilter-test.1",
        "ctfilter-check.1",
        "ctfilter-explain.1",
        "ctfilter-rules.1",
        "ctfilter-coverage.1",
    ] {
        let text = std::fs::read_to_string(tmp.path().join("man1").join(page))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH "), "{page} is not a man page");
    }
}

#[test]
fn generate_is_hidden_from_help() {
    let out = ctfilter(&["--help"]).run();
    out.assert_clean();
    assert!(!out.stdout.contains("generate"), "{}", out.stdout);
}

#[test]
fn version_names_the_crate_and_the_rule_pack_version() {
    let out = ctfilter(&["--version"]).run();
    out.assert_clean();
    let line = out.stdout.trim_end();
    let expected = format!("ctfilter {} (rules ", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(&expected), "{line}");
    assert!(line.ends_with(')'), "{line}");
}
