//! Command-line flags, and their translation into a [`Plan`].
//!
//! The doc comment of each flag is its `--help` text (and later the man page):
//! one place only. Turning flags into a plan validates everything up front, so
//! a bad flag or rule stops the program with exit 2 before any input is read.

use crate::model::record::Path;
use crate::model::severity::Severity;
use crate::rules::events::{EventIndex, EventSpec};
use crate::rules::load::RuleSources;
use crate::rules::plan::{Categories, EventsMode, IdentityClass, OnError, Plan, RunOptions};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const AFTER_HELP: &str = "\
Examples:
  zcat AWSLogs/**/*.json.gz | ctfilter                 keep high-signal events, enriched
  ctfilter --identity human --min-severity medium logs.json.gz
  ctfilter -r my-rules/ --dead-letter bad.ndjson --stats < trail.ndjson
  aws cloudtrail lookup-events --max-results 50 | ctfilter --events '*'
  ctfilter test my-rules/        run the tests embedded in rule files
  ctfilter explain sample.json   show why each record was kept or dropped

Exit codes: 0 success (also on SIGTERM and on a closed stdout), 1 an input
could not be read, `ctfilter test` failed or a `ctfilter coverage` figure is
below --fail-under, 2 usage or rule errors (nothing
was read), 3 --strict met a bad input, 4 output or dead letters could not be
written.";

/// Streaming filter for AWS CloudTrail: keeps the records that matter, tags and
/// enriches them. Reads NDJSON (or S3 log files, EventBridge, CloudWatch Logs,
/// LookupEvents and host-wrapped shapes) on stdin or from FILEs; writes one
/// enriched record per line on stdout.
#[derive(Parser, Debug)]
#[command(name = "ctfilter", version = VERSION.as_str(), after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Input files; `-` is stdin (the default). Gzip is detected and decompressed.
    /// Example: `ctfilter a.json.gz b.json -`
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the tests embedded in rule files (the defaults, plus RULES), print
    /// failures with expected and actual values, exit 1 on any failure.
    /// Example: `ctfilter test my-rules/`
    Test(TestArgs),
    /// Validate rule files without reading input: errors with path:line:col,
    /// shadowed and unreachable rules, a coverage summary, and the count of
    /// event pairs the default pack excludes on purpose.
    /// Example: `ctfilter check my-rules/`
    Check(CheckArgs),
    /// Show, for each record, which stage kept or dropped it and why.
    /// Example: `ctfilter explain --identity human sample.json`
    Explain(Box<ExplainArgs>),
    /// List the effective rules. Example: `ctfilter rules --json | jq length`
    Rules(RulesArgs),
    /// Check, before deploying, that the effective rules keep what your
    /// detections need: the event pairs of Sigma rules (`--sigma`), a list of
    /// events (`--events`), or records that must be kept (`--expect`).
    /// Exit 0, 1 when a figure is below `--fail-under`, 2 on usage errors.
    /// Example: `ctfilter coverage --sigma sigma/rules/cloud/aws/cloudtrail/ --fail-under 100`
    Coverage(CoverageArgs),
    /// Print shell completions or the man page (for packagers).
    #[command(hide = true)]
    Generate(GenerateArgs),
}

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Rule files or directories to layer over the defaults.
    #[arg(value_name = "RULES")]
    pub rules: Vec<PathBuf>,
    /// Do not load the embedded default rules.
    #[arg(long)]
    pub no_default_rules: bool,
    /// Load Sigma rules from a file or directory too (repeatable).
    /// Example: `ctfilter check --sigma sigma/rules/cloud/aws/cloudtrail/`
    #[arg(long = "sigma", value_name = "PATH")]
    pub sigma: Vec<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub rules: TestArgs,
    /// List the default pack's excluded event pairs and detections
    /// (rules/excluded/EXCLUDED.yml) with their reasons.
    /// Example: `ctfilter check --exclusions`
    #[arg(long)]
    pub exclusions: bool,
}

#[derive(Args, Debug)]
pub struct CoverageArgs {
    /// Layer a rule file or directory over the defaults, as for the filter
    /// (repeatable). Example: `-r site.yml`
    #[arg(short = 'r', long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Do not load the embedded default rules (the default pack's exclusion
    /// list then does not apply either).
    #[arg(long)]
    pub no_default_rules: bool,
    /// Load Sigma rules as filter rules, as the filter's `--sigma` does
    /// (repeatable). Example: `--sigma-rules my-sigma/`
    #[arg(long = "sigma-rules", value_name = "PATH")]
    pub sigma_rules: Vec<PathBuf>,
    /// Sigma detections to check (a file or a directory, repeatable): for
    /// each rule, the event pairs it needs and whether the rules keep them.
    /// Here these are the detections to check, not extra filter rules.
    /// Example: `--sigma sigma/rules/cloud/aws/cloudtrail/`
    #[arg(long = "sigma", value_name = "PATH")]
    pub sigma: Vec<PathBuf>,
    /// Events to check: a comma list of `source:Name` or `Name`, or a file
    /// with one per line (`#` starts a comment).
    /// Example: `--events 'cloudtrail:StopLogging,iam:CreateUser,ConsoleLogin'`
    #[arg(long, value_name = "FILE|LIST")]
    pub events: Option<String>,
    /// Records that must be kept, one JSON object per line; a line
    /// `{"expect":{"severity":"medium"},"record":{...}}` must also be kept at
    /// that severity or above. Reports recall and lists the misses.
    /// Example: `--expect must-keep.ndjson`
    #[arg(long, value_name = "FILE.ndjson")]
    pub expect: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when any reported figure (pairs kept or excluded, recall) is
    /// below PCT percent. Example: `--fail-under 95`
    #[arg(long, value_name = "PCT")]
    pub fail_under: Option<f64>,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub filter: FilterArgs,
    /// Print one JSON object per record instead of text.
    #[arg(long)]
    pub json: bool,
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[command(flatten)]
    pub layers: RuleLayers,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Which rules to load: the embedded pack, `-r` layers and Sigma files, as
/// the filter and `ctfilter rules` take them.
#[derive(Args, Debug, Clone)]
pub struct RuleLayers {
    /// Layer a rule file or directory over the defaults (repeatable). Same id
    /// replaces a rule; `disable: [ids]` turns rules off.
    /// Example: `-r site.yml -r extra-rules/`
    #[arg(short = 'r', long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Do not load the embedded default rules. Example: `--no-default-rules -r mine.yml`
    #[arg(long)]
    pub no_default_rules: bool,
    /// Load Sigma rules (logsource aws/cloudtrail) from a file or a directory
    /// of .yml/.yaml files (repeatable), after the YAML rules: same id
    /// replaces, `disable:` applies. Rules of other logsources or with
    /// unsupported features are skipped with a warning.
    /// Example: `--sigma sigma/rules/cloud/aws/cloudtrail/`
    #[arg(long = "sigma", value_name = "PATH")]
    pub sigma: Vec<PathBuf>,
}

impl RuleLayers {
    /// The rule sources these flags name; `with_tests` also loads the
    /// embedded tests of the default rules.
    pub fn sources(&self, with_tests: bool) -> RuleSources {
        RuleSources {
            defaults: !self.no_default_rules,
            paths: self.rules.clone(),
            sigma: self.sigma.clone(),
            with_tests,
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct FilterArgs {
    #[command(flatten)]
    pub layers: RuleLayers,
    /// Which events pass the allow-list: `default` (records some rule matches),
    /// `*` (every record: high volume, use with --min-severity or on small
    /// inputs), or a comma list of `Name` or `source:Name` (rules still grade
    /// them). Example: `--events 'StopLogging,iam:CreateUser,lambda:AddPermission*'`
    #[arg(long, value_name = "default|*|LIST", default_value = "default")]
    pub events: String,
    /// Keep only these identity classes (comma list of human, machine, service,
    /// or `all`). Insights records have no caller and always pass.
    /// Example: `--identity human,service`
    #[arg(long, value_name = "CLASSES", default_value = "all")]
    pub identity: String,
    /// Drop kept records below this severity (info, low, medium, high, critical).
    /// Example: `--min-severity medium`
    #[arg(long, value_name = "LEVEL", default_value = "info")]
    pub min_severity: String,
    /// Keep only these accounts (recipientAccountId, else userIdentity.accountId).
    /// Example: `--accounts 111122223333,444455556666`
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Keep only these regions (awsRegion). Example: `--regions us-east-1,eu-west-1`
    #[arg(long, value_name = "REGIONS", value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Keep only these event categories: management, data, insight, network.
    /// Example: `--categories management,insight`
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub categories: Vec<String>,
    /// Drop records with `readOnly: true`. Example: `--write-only`
    #[arg(long)]
    pub write_only: bool,
    /// Name of the top-level key added to each record. Example: `--key _ct`
    #[arg(long, value_name = "NAME", default_value = "ctfilter")]
    pub key: String,
    /// Shape of each kept record: `raw` (the input record, unchanged, with the
    /// verdict added under --key), `ocsf` (OCSF 1.1.0 API Activity; Insights as
    /// Detection Finding; verdict in `enrichments`) or `ecs` (Elastic Common
    /// Schema, as Elastic's CloudTrail integration; verdict under --key).
    /// Mappings: docs/formats.md. Example: `--format ocsf`
    #[arg(long, value_name = "raw|ocsf|ecs", default_value = "raw")]
    pub format: String,
    /// A field holding the records as JSON text, besides `message` and `log`,
    /// which are always tried. Example: `--field payload.body`
    #[arg(long, value_name = "PATH")]
    pub field: Option<String>,
    /// Write bad inputs here as NDJSON {source, line, index, offset, kind,
    /// reason, raw}, appending. Default: one reason line per bad input on stderr.
    /// Example: `--dead-letter /var/log/ctfilter/bad.ndjson`
    #[arg(long, value_name = "PATH")]
    pub dead_letter: Option<PathBuf>,
    /// What to do with a bad input: `dead-letter` it, or `pass` it through
    /// unchanged on stdout. Example: `--on-error pass`
    #[arg(long, value_name = "MODE", default_value = "dead-letter")]
    pub on_error: String,
    /// Exit 3 at the first bad input (after writing what came before).
    #[arg(long)]
    pub strict: bool,
    /// Longest accepted line or record; longer ones are dead-lettered.
    /// Accepts K, M and G suffixes. Example: `--max-line-bytes 16M`
    #[arg(long, value_name = "BYTES", default_value = "64M")]
    pub max_line_bytes: String,
    /// Deepest JSON nesting accepted; deeper records are dead-lettered.
    /// Example: `--max-depth 64`
    #[arg(long, value_name = "N", default_value_t = 128)]
    pub max_depth: usize,
    /// How records are validated: `full` parses every record in full; `fast`
    /// checks each record's structure in one pass and parses only the fields
    /// the rules read, parsing kept and unusual records in full. Both give
    /// the same output and dead letters (README.md, "Validation"); `fast` is
    /// not yet faster. Example: `--validate fast`
    #[arg(long, value_name = "fast|full", default_value = "full")]
    pub validate: String,
    /// Print a JSON summary of the counters to stderr at exit.
    #[arg(long)]
    pub stats: bool,
    /// Every DURATION (ms, s, m or h), write the running counters as one
    /// JSON line `{"ctfilter_metrics":{...}}` to stderr (or --stats-file):
    /// the --stats counters, records/s and bytes/s over the interval and
    /// overall, and the lag (now minus the newest eventTime).
    /// Example: `--stats-interval 1m`
    #[arg(long, value_name = "DURATION")]
    pub stats_interval: Option<String>,
    /// Append the --stats-interval lines to this file instead of stderr
    /// (every 10s unless --stats-interval says otherwise).
    /// Example: `--stats-file /var/log/ctfilter/stats.ndjson`
    #[arg(long, value_name = "PATH")]
    pub stats_file: Option<PathBuf>,
    /// Keep the counters in this file in Prometheus text format, for
    /// node_exporter's textfile collector: replaced atomically every
    /// --stats-interval (default 10s) and at exit.
    /// Example: `--metrics-file /var/lib/node_exporter/textfile/ctfilter.prom`
    #[arg(long, value_name = "PATH")]
    pub metrics_file: Option<PathBuf>,
    /// Show a progress bar on stderr: bytes and files done, records/s, ETA.
    /// Default: shown when stderr is a terminal and the inputs are files, and
    /// --stats-interval does not write to stderr.
    #[arg(long, overrides_with = "no_progress")]
    pub progress: bool,
    /// Never show the progress bar.
    #[arg(long, overrides_with = "progress")]
    pub no_progress: bool,
    /// Worker threads; output order is unchanged. Example: `--threads 2`
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub threads: usize,
    // --- first-seen and dedupe state (issue 13; cli/state_args.rs) ---
    #[command(flatten)]
    pub state: super::state_args::StateArgs,
    // --- end first-seen state ---
    /// Use this time instead of the clock for `latency_s` (reproducible output).
    /// Example: `--now 2026-01-15T10:00:00Z`
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
}

static VERSION: once_cell::sync::Lazy<String> = once_cell::sync::Lazy::new(|| {
    format!(
        "{} (rules {})",
        env!("CARGO_PKG_VERSION"),
        crate::rules::defaults::pack_version()
    )
});

pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let (digits, mult) = match t.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&t[..t.len() - 1], 1usize << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    digits
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("'{text}' is not a size (e.g. 1048576, 512K, 64M)"))
}

/// `10s`, `1m`, `100ms`, `1h`, or plain seconds (`2`); more than zero.
pub use crate::model::duration::parse_interval as parse_duration;

impl FilterArgs {
    /// Periodic metrics and progress settings. `files` are the inputs.
    pub fn watch(&self, files: &[String]) -> Result<crate::run::watch::Settings, String> {
        let interval = match &self.stats_interval {
            Some(text) => Some(parse_duration(text).map_err(|e| format!("--stats-interval: {e}"))?),
            None => None,
        };
        let line_on_stderr = interval.is_some() && self.stats_file.is_none();
        let only_files = !files.is_empty() && files.iter().all(|f| f != "-");
        let progress = if self.progress {
            true
        } else if self.no_progress {
            false
        } else {
            use std::io::IsTerminal;
            only_files && !line_on_stderr && std::io::stderr().is_terminal()
        };
        Ok(crate::run::watch::Settings {
            interval,
            stats_file: self.stats_file.clone(),
            metrics_file: self.metrics_file.clone(),
            progress,
        })
    }

    pub fn rule_sources(&self) -> RuleSources {
        self.layers.sources(false)
    }

    /// Validate flags into run options. Errors are usage errors.
    pub fn options(&self) -> Result<RunOptions, String> {
        let mut options = RunOptions {
            min_severity: self
                .min_severity
                .parse::<Severity>()
                .map_err(|e| format!("--min-severity: {e}"))?,
            write_only: self.write_only,
            strict: self.strict,
            max_depth: self.max_depth.max(2),
            max_line_bytes: parse_size(&self.max_line_bytes)
                .map_err(|e| format!("--max-line-bytes: {e}"))?,
            key: self.key.clone(),
            validate: crate::rules::fast::Validate::parse(&self.validate)?,
            ..RunOptions::default()
        };
        if self.key.is_empty() {
            return Err("--key: the key name cannot be empty".into());
        }
        options.format = crate::output::format::parse(&self.format)?;
        options.events = match self.events.trim() {
            "default" => EventsMode::Rules,
            "*" | "all" => EventsMode::All,
            list => {
                let mut index = EventIndex::default();
                for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                    let spec = EventSpec::parse(item).map_err(|e| format!("--events: {e}"))?;
                    index.insert(&spec, ());
                }
                if index.is_empty() {
                    return Err("--events: the list is empty".into());
                }
                EventsMode::List(index)
            }
        };
        options.identities = match self.identity.trim() {
            "all" | "" => None,
            list => Some(
                list.split(',')
                    .map(|c| {
                        IdentityClass::parse(c).ok_or_else(|| {
                            format!("--identity: unknown class '{c}' (expected human, machine, service or all)")
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        if !self.accounts.is_empty() {
            options.accounts = Some(self.accounts.iter().map(|a| a.trim().to_string()).collect());
        }
        if !self.regions.is_empty() {
            options.regions = Some(self.regions.iter().map(|r| r.trim().to_string()).collect());
        }
        if !self.categories.is_empty() {
            let mut cats = Categories::default();
            for c in &self.categories {
                match c.trim().to_ascii_lowercase().as_str() {
                    "management" => cats.management = true,
                    "data" => cats.data = true,
                    "insight" | "insights" => cats.insight = true,
                    "network" | "networkactivity" => cats.network = true,
                    other => {
                        return Err(format!(
                            "--categories: unknown category '{other}' (expected management, data, insight, network)"
                        ))
                    }
                }
            }
            options.categories = cats;
        }
        options.field = match &self.field {
            Some(p) => Some(Path::parse(p).map_err(|e| format!("--field: {e}"))?),
            None => None,
        };
        options.on_error = match self.on_error.as_str() {
            "dead-letter" | "deadletter" => OnError::DeadLetter,
            "pass" => OnError::Pass,
            other => {
                return Err(format!(
                    "--on-error: unknown mode '{other}' (expected dead-letter or pass)"
                ))
            }
        };
        if let Some(now) = &self.now {
            options.now = Some(crate::output::enrich::parse_time(now).ok_or_else(|| {
                format!("--now: '{now}' is not a time like 2026-01-15T10:00:00Z")
            })?);
        }
        if self.threads == 0 {
            return Err("--threads: must be at least 1".into());
        }
        Ok(options)
    }

    /// Flags and rules into a plan, or every error found.
    pub fn plan(&self) -> Result<Plan, Vec<String>> {
        let options = self.options().map_err(|e| vec![e])?;
        match self.rule_sources().compile() {
            Ok((rules, warnings)) => {
                for w in warnings {
                    eprintln!("ctfilter: {w}");
                }
                Ok(Plan::new(rules, options))
            }
            Err(diags) => Err(diags.iter().map(ToString::to_string).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("0").is_err());
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("100ms"), Ok(Duration::from_millis(100)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        for bad in ["0", "0s", "s", "10x", "-1s", "", "1e3s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn flags_parse_into_options() {
        let cli = Cli::try_parse_from([
            "ctfilter",
            "--events",
            "StopLogging,iam:CreateUser",
            "--identity",
            "human,service",
            "--categories",
            "management,insight",
            "--min-severity",
            "medium",
        ])
        .unwrap();
        let options = cli.filter.options().unwrap();
        assert!(matches!(options.events, EventsMode::List(_)));
        assert_eq!(
            options.identities,
            Some(vec![IdentityClass::Human, IdentityClass::Service])
        );
        assert!(options.categories.insight && !options.categories.data);
        assert_eq!(options.min_severity, Severity::Medium);
    }

    #[test]
    fn bad_flags_are_usage_errors() {
        for args in [
            &["ctfilter", "--identity", "robot"][..],
            &["ctfilter", "--min-severity", "loud"],
            &["ctfilter", "--categories", "weird"],
            &["ctfilter", "--on-error", "ignore"],
            &["ctfilter", "--events", "iam:"],
            &["ctfilter", "--now", "soon"],
            &["ctfilter", "--format", "cef"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            assert!(cli.filter.options().is_err(), "{args:?}");
        }
    }
}

/// `ctfilter generate`: see [`crate::cli::generate`].
#[derive(Args, Debug)]
pub struct GenerateArgs {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Subcommand, Debug)]
pub enum What {
    /// Print a completion script for SHELL on stdout.
    /// Example: `ctfilter generate completions zsh > ~/.zfunc/_ctfilter`
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff, section 1) on stdout, or with `--dir` write
    /// `ctfilter.1` and one page per subcommand (`ctfilter-test.1`, ...) there.
    /// Example: `ctfilter generate man --dir /usr/local/share/man/man1`
    Man {
        /// Write every page into this directory instead of stdout.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
}
