//! Flags and subcommands: parses the command line, builds the plan, and hands
//! it to [`crate::run`]; the subcommands (`check`, `test`, `rules`, `explain`,
//! `coverage`, `generate`) live beside it.
//!
//! Guarantees: every flag and rule error is reported (exit 2) before any input
//! is read, and [`main`] maps every outcome to a documented exit code.

/// `println!` for the subcommands' reports: a closed stdout (`ctfilter
/// rules | head`) is a quiet exit 0, as it is for the filter, and any other
/// write error exits 4 with a message, where `println!` would panic.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_line(format_args!($($arg)*))
    };
}

pub mod args;
pub mod check;
pub mod coverage;
pub mod generate;
pub mod ruletest;
pub mod state_args;

use crate::cli::args::{Cli, Command, FilterArgs};
use crate::input::source::InputPath;
use crate::run::driver::{self, exit, Run};
use clap::Parser;
use std::sync::Arc;

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    match cli.command {
        None => filter(cli.filter, cli.files, false, false),
        Some(Command::Explain(args)) => {
            let args = *args;
            filter(args.filter, args.files, true, args.json)
        }
        Some(Command::Test(args)) => crate::cli::ruletest::run(&args),
        Some(Command::Check(args)) => crate::cli::check::run(&args),
        Some(Command::Rules(args)) => crate::cli::check::list(&args),
        Some(Command::Coverage(args)) => crate::cli::coverage::run(&args),
        Some(Command::Generate(args)) => crate::cli::generate::run(&args),
    }
}

/// One line of a subcommand's report on stdout (the `out!` macro).
pub(crate) fn write_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let written = stdout
        .write_fmt(args)
        .and_then(|()| stdout.write_all(b"\n"));
    if let Err(e) = written {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(exit::OK);
        }
        eprintln!("ctfilter: cannot write to stdout: {e}");
        std::process::exit(exit::OUTPUT);
    }
}

fn clap_error(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            exit::OK
        }
        _ => {
            let text = e.to_string();
            let text = text.strip_prefix("error: ").unwrap_or(&text);
            eprint!("ctfilter: {text}");
            exit::USAGE
        }
    }
}

fn filter(args: FilterArgs, files: Vec<String>, explain: bool, explain_json: bool) -> i32 {
    let plan = match args.plan() {
        Ok(plan) => plan,
        Err(errors) => {
            for e in &errors {
                eprintln!("ctfilter: {e}");
            }
            return exit::USAGE;
        }
    };
    let watch = match args.watch(&files) {
        Ok(watch) => watch,
        Err(e) => {
            eprintln!("ctfilter: {e}");
            return exit::USAGE;
        }
    };
    let state = match args.state.options() {
        Ok(state) => state,
        Err(e) => {
            eprintln!("ctfilter: {e}");
            return exit::USAGE;
        }
    };
    let inputs = if files.is_empty() {
        vec![InputPath::Stdin]
    } else {
        files.iter().map(|f| InputPath::parse(f)).collect()
    };
    driver::run(Run {
        plan: Arc::new(plan),
        rule_sources: args.rule_sources(),
        inputs,
        dead_letter: args.dead_letter.clone(),
        print_stats: args.stats,
        threads: args.threads,
        stop_reading: Default::default(),
        watch,
        state,
        explain: match (explain, explain_json) {
            (false, _) => None,
            (true, false) => Some(crate::output::explain::Style::Text),
            (true, true) => Some(crate::output::explain::Style::Json),
        },
    })
}
