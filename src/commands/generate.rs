//! `completions` and `man`: text generated from the clap definitions, so
//! they cannot fall behind the flags they describe.

use std::path::Path;

use clap::CommandFactory;

use katalon_prep::cli::Cli;
use katalon_prep::{Context, Error, Exit};

const BIN: &str = "katalon-prep";

/// The completion script for `shell`, on stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<Exit, Error> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut out);
    let mut script = String::from_utf8_lossy(&out).into_owned();
    if shell == clap_complete::Shell::Bash {
        script = fix_bash_case_labels(&script);
    }
    super::print_data(&script)?;
    Ok(Exit::Ok)
}

/// clap_complete 4.6 names a subcommand's bash case after the binary with
/// its `-` turned into `__subcmd__` (`katalon__subcmd__prep__subcmd__prepare`)
/// while the loop that picks the case uses `__` (`katalon__prep__subcmd__prepare`):
/// no option of any subcommand would complete. One spelling fixes it.
fn fix_bash_case_labels(script: &str) -> String {
    let wrong = format!("{}__subcmd__", BIN.replace('-', "__subcmd__"));
    let right = format!("{}__subcmd__", BIN.replace('-', "__"));
    script.replace(&wrong, &right)
}

/// `katalon-prep.1` on stdout, or every page (one per visible command) in `dir`.
pub fn man(ctx: &Context, dir: Option<&Path>) -> Result<Exit, Error> {
    let cmd = Cli::command();
    match dir {
        Some(dir) => {
            let dir = ctx.cwd.join(dir);
            std::fs::create_dir_all(&dir)
                .and_then(|()| clap_mangen::generate_to(cmd, &dir))
                .map_err(|source| Error::Write { path: dir, source })?;
        }
        None => {
            let mut out = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut out).map_err(|e| Error::Internal(format!("man page: {e}")))?;
            super::print_data(&String::from_utf8_lossy(&out))?;
        }
    }
    Ok(Exit::Ok)
}
