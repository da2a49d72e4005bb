//! One function per subcommand: turns parsed flags into calls of the
//! library (the pipeline: `katalon_prep::pipeline::prepare`, via `prepare::prepared`)
//! and decides what goes to stdout.

mod cache;
mod check;
mod clean;
mod engine;
pub(crate) mod findings;
mod generate;
mod init;
mod lock;
mod matrix;
mod outdated;
mod prepare;
mod report;
mod run;

use clap::Parser;

use katalon_prep::cli::{Cli, Command};
use katalon_prep::env::Env;
use katalon_prep::exit::Status;
use katalon_prep::report::{Event, Reporter};
use katalon_prep::{Context, Error};

/// Runs a parsed command line; run as root in someone else's folder, gives
/// what it wrote there to that folder's owner (`ownership`), whatever the
/// outcome.
pub fn run(cli: Cli, reporter: &dyn Reporter, env: &Env) -> Result<Status, Error> {
    let cwd = std::env::current_dir().map_err(|e| Error::Internal(format!("no working directory: {e}")))?;
    // Every secret katalon-prep learns (the key, a credential in `check
    // --args`) is masked on GitHub the moment it is known, before anything
    // that could fail or print.
    if env.github_actions {
        katalon_prep::secret::on_register(crate::workflow::print_mask);
    }
    // The action's cache comes from its input, not from a flag.
    let cache_dir = match cli.command {
        Command::GithubAction => katalon_prep::ci::github::input(env, "cache-dir").map(std::path::PathBuf::from),
        _ => cli.global.cache_dir.clone(),
    };
    let handover = katalon_prep::ownership::plan(&cwd, cache_dir.as_deref(), env);
    let result = dispatch(cli, cwd, reporter, env);
    if let Some(h) = handover {
        let outcome = h.apply();
        if outcome.changed > 0 {
            reporter.report(Event::Info(format!(
                "Gave {} root-owned entr{} to UID {}:{} (the owner of the working directory)",
                outcome.changed,
                if outcome.changed == 1 { "y" } else { "ies" },
                h.uid,
                h.gid
            )));
        }
        if let Some((path, why)) = outcome.failed {
            reporter.report(Event::warning_hint(
                format!("Could not give {} to UID {}:{}: {why}; it stays root's", path.display(), h.uid, h.gid),
                format!(
                    "run the container as that user (docker run -u {}:{}), or set {}=false to keep root's files as they are",
                    h.uid,
                    h.gid,
                    katalon_prep::ownership::ENV_SWITCH
                ),
            ));
        }
    }
    result
}

fn dispatch(cli: Cli, cwd: std::path::PathBuf, reporter: &dyn Reporter, env: &Env) -> Result<Status, Error> {
    let g = cli.global;
    let ctx = Context {
        cwd,
        config: g.config,
        project: g.project,
        cache_dir: g.cache_dir,
        api_key_env: g.api_key_env,
        api_key_stdin: g.api_key_stdin,
        reporter,
        env,
    };
    match cli.command {
        Command::Prepare(args) => {
            let opts = prepare::PrepareOptions { net: &args.fetch, locked: args.locked };
            prepare::prepare(&ctx, &args.emit, Some(opts), args.offline).map(Into::into)
        }
        Command::Lock(args) => lock::run(&ctx, &args).map(Into::into),
        Command::Outdated(args) => outdated::run(&ctx, &args).map(Into::into),
        Command::Args(args) => prepare::prepare(&ctx, &args, None, false).map(Into::into),
        Command::Cache(cmd) => cache::run(&ctx, cmd).map(Into::into),
        Command::Engine(cmd) => engine::run(&ctx, cmd).map(Into::into),
        Command::Check(args) => check::check(&ctx, &args).map(Into::into),
        Command::Run(args) => run::run(&ctx, &args),
        Command::Matrix(args) => matrix::matrix(&ctx, &args).map(Into::into),
        Command::Clean => clean::clean(&ctx).map(Into::into),
        Command::Report(args) => report::report(&ctx, &args),
        Command::Init(args) => init::run(&ctx, &args).map(Into::into),
        Command::GithubAction => github_action(ctx.cwd, reporter, env),
        Command::Completions { shell } => generate::completions(shell).map(Into::into),
        Command::Man { dir } => generate::man(&ctx, dir.as_deref()).map(Into::into),
    }
}

/// The GitHub Action's entry point: its inputs become a `prepare`, `report`
/// or `run` command line, parsed by the same definitions as any other.
fn github_action(cwd: std::path::PathBuf, reporter: &dyn Reporter, env: &Env) -> Result<Status, Error> {
    let argv = katalon_prep::ci::github::action_argv(env, &cwd)
        .map_err(|e| Error::Usage { message: e.to_string(), hint: e.hint })?;
    let cli = Cli::try_parse_from(std::iter::once("katalon-prep".to_string()).chain(argv))
        .map_err(|e| Error::usage(format!("The action inputs make an invalid command line: {}", e.kind())))?;
    if matches!(cli.command, Command::GithubAction) {
        return Err(Error::Internal("the action's command line names the action again".into()));
    }
    dispatch(cli, cwd, reporter, env)
}

/// The lint rules `--allow` turns off (an unknown or unallowable id is exit 10).
pub(crate) fn allow_flags(flags: &katalon_prep::cli::AllowArgs) -> Result<katalon_prep::katalonc::lint::Allow, Error> {
    katalon_prep::katalonc::lint::Allow::parse(flags.allow.iter().map(String::as_str))
        .map_err(|e| Error::usage_hint(format!("--allow: {e}"), "docs/src/lint-rules.md lists all rule ids"))
}

/// Writes data to stdout; a closed pipe (`| head`) is not an error.
pub(crate) fn print_data(text: &str) -> Result<(), Error> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::Write { path: "standard output".into(), source: e })
        }
        _ => Ok(()),
    }
}

/// A tokio runtime for the commands that do network I/O.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Internal(format!("could not start the async runtime: {e}")))
}
