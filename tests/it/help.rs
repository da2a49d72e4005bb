//! `--help` of every command and subcommand, as snapshots: walked from the
//! clap definition, so a new command or flag shows up as a new or changed
//! snapshot for review.

use clap::CommandFactory;
use katalon_prep::cli::Cli;

use crate::support::{self, Fixture};

/// Every command path below `cmd`, the top level first (`[]`, `["cache"]`,
/// `["cache", "dir"]`, …).
fn command_paths(cmd: &clap::Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    for sub in cmd.get_subcommands() {
        let mut path = prefix.clone();
        path.push(sub.get_name().to_string());
        command_paths(sub, path, out);
    }
}

#[test]
fn help_of_every_command() {
    let mut paths = Vec::new();
    command_paths(&Cli::command(), Vec::new(), &mut paths);
    assert!(paths.len() > 15, "the walk found only {paths:?}");
    let f = Fixture::empty();
    for path in paths {
        // clap wraps help at $COLUMNS (at most 100, the CLI's max_term_width),
        // and shows the value of each flag's variable: the test's cache dir,
        // whose length would move the wrapping.
        let out = f
            .cmd()
            .env("COLUMNS", "100")
            .env_remove("KATALON_PREP_CACHE_DIR")
            .args(&path)
            .arg("--help")
            .output()
            .unwrap();
        support::assert_success(&out);
        let name = if path.is_empty() { "help".to_string() } else { format!("help_{}", path.join("_")) };
        // No port or time filters: help has none, and its defaults (`30m`)
        // are wording to review.
        support::platform_settings().bind(|| insta::assert_snapshot!(name, support::transcript(f.root(), &out)));
    }
}
