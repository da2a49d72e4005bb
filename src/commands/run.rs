//! `run`: prepare, then run katalonc with the line, as the one step a CI job
//! needs: with an X display when Linux has none, in a process group that
//! signals, a time limit and a grace period end as a whole ([`katalon_prep::run`]).
//! katalonc's output streams through untouched (its stdio is ours); its exit
//! code is passed through unchanged, explained in one line on stderr when not 0.
//!
//! The key reaches katalonc as its `-apiKey=` argument, katalonc's only way
//! to take it: like any katalonc run, it is visible in the process's
//! command line to other users of the same host.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::ExitStatus;

use katalon_prep::cli::RunArgs;
use katalon_prep::config::Config;
use katalon_prep::exit::Status;
use katalon_prep::katalonc::argv::KeyView;
use katalon_prep::report::Event;
use katalon_prep::run::display::{self, Xvfb};
use katalon_prep::run::supervise::{self, Ended, Limits, Stopped};
use katalon_prep::{Context, Error, secret};
use zeroize::Zeroizing;

use katalon_prep::plan::Request;
use katalon_prep::workspace::Workspace;

use katalon_prep::pipeline::{self, Prepared};

use super::prepare::{fetch_options, lint_rules, prepared, refuse_key_in, shard};

/// The names looked for on PATH, in order.
#[cfg(unix)]
const NAMES: &[&str] = &["katalonc", "katalonc.sh"];
#[cfg(not(unix))]
const NAMES: &[&str] = &["katalonc.exe", "katalonc.bat"];

pub fn run(ctx: &Context, args: &RunArgs) -> Result<Status, Error> {
    let request = Request { shard: shard(&args.shard)?, offline: args.offline, target: None };
    let ws = Workspace::load(ctx)?;
    // Before any plugin work: a missing katalonc or display fails the run.
    let (mode, limits) = settings(args, &ws.config);
    let katalonc = find(args.katalonc.as_deref(), &ctx.cwd, &ws.config, &ctx.env.path)?;
    let display = display::plan(mode, ctx.env.display.as_deref(), &ctx.env.path)?;
    refuse_key_in(&args.extra)?;
    let req = pipeline::Request {
        plan: request,
        without_key: args.without_api_key,
        workdir_as: None,
        extra: &args.extra,
        lint: lint_rules(&args.lint, true, false)?,
        fetch: Some(pipeline::Fetch { opts: fetch_options(&args.fetch, ctx.env), locked: args.locked }),
    };
    let Prepared { line, key, installed } = prepared(ctx, &ws, &req)?;
    let engine_katalonc = installed.and_then(|i| i.engine).map(|e| e.katalonc);
    let view = KeyView::real_or_omit(key.as_ref());
    // Holds the key: wiped from memory when dropped.
    let argv = Zeroizing::new(line.render(view));
    let program = match katalonc {
        Katalonc::At(path) => path,
        Katalonc::Engine => engine_katalonc
            .ok_or_else(|| Error::Internal("the engine is configured but prepare did not provision it".into()))?,
    };
    let xvfb = match display {
        display::Plan::AsIs => None,
        display::Plan::Xvfb(xvfb) => Some(start_display(ctx, &xvfb)?),
    };
    ctx.reporter.report(Event::Info(match limits.timeout {
        Some(t) => format!("Running {} (time limit {})", program.display(), katalon_prep::duration::display(t)),
        None => format!("Running {}", program.display()),
    }));
    let started = std::time::SystemTime::now();
    let ended =
        tracing::info_span!("katalonc").in_scope(|| supervised(&program, &argv, &ctx.cwd, xvfb.as_ref(), limits))?;
    drop(argv);
    // The display outlives katalonc's whole group, never the run.
    if let Some(mut xvfb) = xvfb {
        xvfb.stop();
    }
    let status = outcome(ctx, &ended, limits);
    // The tests' summary, whatever the code (a timed-out run's too); it never changes the code.
    tracing::info_span!("report").in_scope(|| super::report::after_run(ctx, started, &args.extra));
    status
}

/// The display mode and the limits: flags, then `run:` in the config, then defaults.
fn settings(args: &RunArgs, config: &Config) -> (display::Mode, Limits) {
    let mode = args.display.or(config.run.display).unwrap_or_default();
    let limits = Limits {
        // 0 means no limit, so that `--timeout 0` lifts a configured one.
        timeout: args.timeout.or(config.run.timeout).filter(|t| !t.is_zero()),
        kill_after: args.kill_after.or(config.run.kill_after).unwrap_or(katalon_prep::run::DEFAULT_KILL_AFTER),
    };
    (mode, limits)
}

fn start_display(ctx: &Context, program: &Path) -> Result<Xvfb, Error> {
    let xvfb = Xvfb::start(program)?;
    ctx.reporter.report(Event::Info(format!(
        "DISPLAY is not set: started {} on {} ({}) for katalonc",
        program.display(),
        xvfb.display(),
        display::SCREEN
    )));
    Ok(xvfb)
}

/// Runs katalonc under [`supervise`], with our stdio and the display.
fn supervised(
    program: &Path,
    argv: &[String],
    cwd: &Path,
    xvfb: Option<&Xvfb>,
    limits: Limits,
) -> Result<Ended, Error> {
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(argv).current_dir(cwd);
    if let Some(xvfb) = xvfb {
        cmd.env("DISPLAY", xvfb.display()).env("XAUTHORITY", xvfb.xauthority());
    }
    // In a process group of its own, katalonc is not the terminal's
    // foreground group: reading a terminal would stop it (SIGTTIN).
    #[cfg(unix)]
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        cmd.stdin(std::process::Stdio::null());
    }
    let rt = super::runtime()?;
    Ok(rt.block_on(supervise::run(cmd, limits))?)
}

/// katalon-prep's status for how the run ended.
fn outcome(ctx: &Context, ended: &Ended, limits: Limits) -> Result<Status, Error> {
    if ended.stopped == Some(Stopped::TimedOut) {
        return Err(Error::TimedOut {
            after: limits.timeout.unwrap_or_default(),
            killed_after: ended.killed.then_some(limits.kill_after),
        });
    }
    if ended.leftovers && ended.stopped.is_none() {
        ctx.reporter.report(Event::warning(
            "katalonc exited but left processes running in its process group; katalon-prep stopped them",
        ));
    }
    let code = code_of(ended.status);
    if let Some(why) = explain(ended, code, limits) {
        eprintln!("{}", secret::redact(&why));
    }
    Ok(Status::Passed(code))
}

/// `--katalonc`/`KATALONC` (a path, or a name looked up on PATH): an
/// explicit choice wins; else the provisioned engine when the config has
/// `engine:`; else `katalonc` then `katalonc.sh` on `path_var` (PATH).
fn find(explicit: Option<&Path>, cwd: &Path, config: &Config, path_var: &OsStr) -> Result<Katalonc, Error> {
    if let Some(given) = explicit.filter(|p| !p.as_os_str().is_empty()) {
        let is_name = given.components().count() == 1 && !given.as_os_str().to_string_lossy().contains(['/', '\\']);
        let found = if is_name {
            on_path(given.as_os_str(), path_var)
        } else {
            let path =
                katalon_prep::katalonc::argv::normalize(&katalon_prep::katalonc::argv::absolute_against(cwd, given));
            katalon_prep::run::with_suffixes(&path).into_iter().find(|p| p.is_file())
        };
        return match found {
            Some(p) => Ok(Katalonc::At(p)),
            None => Err(Error::usage_hint(
                format!("katalonc not found at {} (from --katalonc or KATALONC)", given.display()),
                "give the path of katalonc or katalonc.sh from the Katalon Runtime Engine",
            )),
        };
    }
    if engine_configured(config) {
        return Ok(Katalonc::Engine);
    }
    for name in NAMES {
        if let Some(p) = on_path(name.as_ref(), path_var) {
            return Ok(Katalonc::At(p));
        }
    }
    Err(Error::usage_hint(
        format!("katalonc not found: no {} on PATH", NAMES.join(" or ")),
        "install the Katalon Runtime Engine and put katalonc on PATH, or pass --katalonc PATH (or set KATALONC)",
    ))
}

/// Which katalonc, as far as it is known before any plugin work.
enum Katalonc {
    At(PathBuf),
    /// The provisioned engine's: known once `prepare` has fetched it.
    Engine,
}

/// Whether katalon-prep provisions katalonc itself (`engine:`).
fn engine_configured(config: &Config) -> bool {
    config.engine.is_some()
}

fn on_path(name: &OsStr, path_var: &OsStr) -> Option<PathBuf> {
    katalon_prep::run::on_path(name, path_var)
}

/// katalonc's code; a child killed by a signal gives 128 + the signal, as a shell does.
fn code_of(status: ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code & 0xff).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return u8::try_from(128 + sig).unwrap_or(255);
        }
    }
    1
}

/// One line on what a non-zero katalonc exit code means (katalon.md §4),
/// or on how katalon-prep stopped it.
fn explain(ended: &Ended, code: u8, limits: Limits) -> Option<String> {
    match ended.stopped {
        Some(Stopped::Signal(sig)) if ended.killed => {
            return Some(format!(
                "katalonc was still running {} after katalon-prep passed it {sig}: it and every process it started were killed (exit {code})",
                katalon_prep::duration::display(limits.kill_after)
            ));
        }
        Some(Stopped::Signal(sig)) => {
            return Some(format!("katalonc exited with {code} after katalon-prep passed it {sig}"));
        }
        _ => {}
    }
    let meaning = match ended.status.code() {
        Some(0) => return None,
        Some(1) => "some tests failed",
        Some(2) => "some tests errored, or katalonc crashed or could not parse its arguments",
        Some(3) => "tests failed and errored, or the licence could not be activated or TestOps was unreachable",
        Some(4) => "invalid arguments, or no Runtime Engine licence for the command line",
        Some(_) => "not one of katalonc's documented codes",
        None => return Some(format!("katalonc was stopped by a signal (exit {code})")),
    };
    Some(format!("katalonc exited with {code}: {meaning}"))
}

/// How Windows finds katalonc (these run under Wine in CI).
#[cfg(all(test, windows))]
mod windows_tests {
    use super::*;

    /// `find` without `engine:` (and an empty PATH: these are paths): the path it settles on.
    fn found(explicit: &Path, cwd: &Path) -> Result<PathBuf, Error> {
        match find(Some(explicit), cwd, &Config::default(), OsStr::new(""))? {
            Katalonc::At(p) => Ok(p),
            Katalonc::Engine => panic!("no engine is configured"),
        }
    }

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("Katalon")).unwrap();
        std::fs::write(dir.path().join("Katalon").join("KATALONC.EXE"), b"MZ").unwrap();
        dir
    }

    #[test]
    fn katalonc_exe_is_found_on_path_whatever_its_case() {
        let dir = tree();
        let path_var = std::env::join_paths([dir.path().join("nothing"), dir.path().join("Katalon")]).unwrap();
        let found = on_path("katalonc.exe".as_ref(), &path_var).expect("found");
        assert!(found.is_file() && found.starts_with(dir.path().join("Katalon")), "{found:?}");
    }

    #[test]
    fn a_path_without_extension_finds_the_exe() {
        let dir = tree();
        let path = found(Path::new(r"Katalon\katalonc"), dir.path()).unwrap();
        assert_eq!(path.file_name().unwrap().to_ascii_lowercase(), "katalonc.exe");
        let path = found(&dir.path().join("katalon").join("katalonc"), Path::new(r"C:\elsewhere")).unwrap();
        assert!(path.is_file());
    }

    #[test]
    fn a_name_with_a_backslash_is_a_path_not_a_name() {
        let dir = tree();
        let err = found(Path::new(r"nowhere\katalonc.exe"), dir.path()).unwrap_err();
        assert!(err.to_string().contains(r"nowhere\katalonc.exe"), "{err}");
    }
}
