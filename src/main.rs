//! The `katalon-prep` binary: parse the command line, set up output, run the
//! command, print the error chain, exit with the documented code.

mod ui;

use std::process::ExitCode;

use clap::Parser;
use katalon_prep::cli::Cli;
use katalon_prep::{Exit, commands};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            // Help asked for is success; help shown for a missing subcommand
            // is a usage error in a script.
            let code = match err.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Exit::Ok,
                _ => Exit::Usage,
            };
            let _ = err.print();
            return ExitCode::from(code.code());
        }
    };
    ui::init_logging(cli.global.verbose, cli.global.quiet);
    let reporter = ui::Ui::new(cli.global.quiet);
    let result = commands::run(cli, &reporter);
    reporter.finish();
    match result {
        Ok(code) => ExitCode::from(code.code()),
        Err(err) => {
            ui::print_error(&err);
            ExitCode::from(err.exit().code())
        }
    }
}
