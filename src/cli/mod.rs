//! Flags and subcommands: parses the command line, builds the plan, and hands
//! it to [`crate::run`]; the subcommands (`check`, `test`, `rules`, `explain`,
//! `coverage`, `generate`) live beside it.
//!
//! Guarantees: every flag and rule error is reported (exit 2) before any input
//! is read, and [`main`] maps every outcome to a documented exit code.

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
