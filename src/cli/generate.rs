//! `ctfilter generate`: shell completions and the man page, generated from
//! the same clap definitions as `--help`, so they never drift from the flags.
//!
//! The subcommand is hidden from `--help` (clap_complete still completes it,
//! which does no harm): it is for packagers and the README's install lines:
//!
//! ```sh
//! ctfilter generate completions bash > /usr/share/bash-completion/completions/ctfilter
//! ctfilter generate man > /usr/share/man/man1/ctfilter.1
//! ```
//!
//! Generating at run time (rather than in `build.rs`) keeps `cargo install`
//! plain: the installed binary can always print files that match itself.

use crate::cli::args::{Cli, GenerateArgs, What};
use crate::run::driver::exit;
use clap::CommandFactory;
use std::io::Write;

/// Write the requested file to `out`.
pub fn write(what: &What, out: &mut dyn Write) -> std::io::Result<()> {
    let mut command = Cli::command();
    match what {
        What::Completions { shell } => {
            clap_complete::generate(*shell, &mut command, "ctfilter", out);
            Ok(())
        }
        // No `help` subcommand in the pages: it has no page of its own.
        What::Man { dir: None } => {
            clap_mangen::Man::new(command.disable_help_subcommand(true)).render(out)
        }
        What::Man { dir: Some(dir) } => {
            std::fs::create_dir_all(dir)?;
            clap_mangen::generate_to(command, dir)?;
            writeln!(out, "wrote man pages to {}", dir.display())
        }
    }
}

pub fn run(args: &GenerateArgs) -> i32 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match write(&args.what, &mut out).and_then(|()| out.flush()) {
        Ok(()) => exit::OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            eprintln!("ctfilter: generate: {e}");
            exit::OUTPUT
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(what: What) -> String {
        let mut out = Vec::new();
        write(&what, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn completions_cover_the_flags_and_subcommands() {
        for shell in [
            clap_complete::Shell::Bash,
            clap_complete::Shell::Zsh,
            clap_complete::Shell::Fish,
        ] {
            let script = text(What::Completions { shell });
            for word in ["--min-severity", "--dead-letter", "explain", "rules"] {
                assert!(script.contains(word), "{shell}: no {word}");
            }
        }
    }

    #[test]
    fn man_page_has_the_flags_and_the_examples() {
        let page = text(What::Man { dir: None });
        assert!(
            page.starts_with(".ie") || page.contains(".TH ctfilter"),
            "{page}"
        );
        for word in ["min\\-severity", "dead\\-letter", "Exit codes"] {
            assert!(page.contains(word), "man page lacks {word}");
        }
        assert!(
            page.contains("ctfilter\\-explain(1)"),
            "subcommands are listed"
        );
        assert!(!page.contains("ctfilter\\-help(1)"), "no page for `help`");
    }

    #[test]
    fn man_dir_gets_one_page_per_visible_subcommand() {
        let dir = std::env::temp_dir().join(format!("ctfilter-man-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        write(
            &What::Man {
                dir: Some(dir.clone()),
            },
            &mut Vec::new(),
        )
        .unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(
            names,
            [
                "ctfilter-check.1",
                "ctfilter-coverage.1",
                "ctfilter-explain.1",
                "ctfilter-rules.1",
                "ctfilter-test.1",
                "ctfilter.1"
            ]
        );
    }
}
