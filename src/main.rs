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
            let code = match err.kind() {
                ErrorKind::DisplayHelp
                | ErrorKind::DisplayVersion
                | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Exit::Ok,
                _ => Exit::Usage,
            };
            let _ = err.print();
            // Help without a subcommand is a usage error in a script.
            let code =
                if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand { Exit::Usage } else { code };
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
