//! The `katalon-prep` binary: parse the command line, set up output, run the
//! command, print the error chain, exit with the documented code.

mod commands;
mod ui;
mod workflow;

use std::process::ExitCode;

use clap::Parser;
use katalon_prep::Exit;
use katalon_prep::cli::Cli;

fn main() -> ExitCode {
    quiet_panics();
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
    // The environment is read here, once; everything below is handed it.
    let env = katalon_prep::env::Env::from_process();
    ui::init_logging(cli.global.verbose, cli.global.quiet, &env);
    let reporter = ui::Ui::new(cli.global.quiet, &env);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| commands::run(cli, &reporter, &env)));
    reporter.finish();
    match result {
        Ok(Ok(code)) => ExitCode::from(code.code()),
        Ok(Err(err)) => {
            ui::print_error(&err);
            ExitCode::from(err.exit().code())
        }
        // The hook has said what there is to say.
        Err(_) => ExitCode::from(Exit::Internal.code()),
    }
}

/// A panic's message can quote the input that caused it (a line holding
/// the API key, say) and is printed before anything could redact it, so the
/// hook prints a fixed message and where in our source it happened, never
/// the payload. A bug still ends the run with exit 70.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!(
            "error: katalon-prep hit an internal error{at} (its message is withheld: it may quote a secret)\nhint: this is a bug; please report it with the command that caused it, key removed"
        );
    }));
}
