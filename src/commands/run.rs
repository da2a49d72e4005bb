//! `run`: prepare, then run katalonc with the line. katalonc's output
//! streams through untouched (its stdio is ours); its exit code is passed
//! through unchanged, explained in one line on stderr when not 0; SIGINT and
//! SIGTERM reach it.
//!
//! The key reaches katalonc as its `-apiKey=` argument, katalonc's only way
//! to take it: like any katalonc run, it is visible in the process's
//! command line to other users of the same host.

use std::path::{Path, PathBuf};
use std::process::ExitStatus;

use crate::cli::RunArgs;
use crate::exit::Status;
use crate::katalonc::argv::KeyView;
use crate::report::Event;
use crate::{Context, Error, secret};
use zeroize::Zeroizing;

use super::prepare::{Lint, PrepareOptions, Prepared, prepared, shard};

/// The names looked for on PATH, in order.
#[cfg(unix)]
const NAMES: &[&str] = &["katalonc", "katalonc.sh"];
#[cfg(not(unix))]
const NAMES: &[&str] = &["katalonc.exe", "katalonc.bat", "katalonc"];

pub fn run(ctx: &Context, args: &RunArgs) -> Result<Status, Error> {
    // Before any plugin work: a missing katalonc is a usage error.
    let program = find(args.katalonc.as_deref(), &ctx.cwd)?;
    let shard = shard(&args.shard)?;
    let opts = PrepareOptions { net: &args.fetch, locked: args.locked };
    let Prepared { line, key } = prepared(
        ctx,
        &shard,
        args.without_api_key,
        None,
        Some((opts, args.offline)),
        &args.extra,
        Lint { allow: &args.lint, target_required: true },
    )?;
    let view = KeyView::real_or_omit(key.as_ref());
    // Holds the key: wiped from memory when dropped.
    let argv = Zeroizing::new(line.render(view));
    ctx.reporter.report(Event::Info(format!("Running {}", program.display())));
    let started = std::time::SystemTime::now();
    let (status, forwarded) = spawn(&program, &argv, &ctx.cwd)?;
    drop(argv);
    let code = code_of(status);
    if let Some(why) = explain(status, code, forwarded) {
        eprintln!("{}", secret::redact(&why));
    }
    // The tests' summary, whatever the code; it never changes the code.
    super::report::after_run(ctx, started, &args.extra);
    Ok(Status::Passed(code))
}

/// `--katalonc`/`KATALONC` (a path, or a name looked up on PATH), else
/// `katalonc` then `katalonc.sh` on PATH.
fn find(explicit: Option<&Path>, cwd: &Path) -> Result<PathBuf, Error> {
    let path_var = std::env::var_os("PATH").unwrap_or_default();
    if let Some(given) = explicit.filter(|p| !p.as_os_str().is_empty()) {
        let is_name = given.components().count() == 1 && !given.as_os_str().to_string_lossy().contains('/');
        let found = if is_name {
            on_path(given.as_os_str(), &path_var)
        } else {
            Some(crate::katalonc::argv::normalize(&cwd.join(given)))
        };
        return match found.filter(|p| p.is_file()) {
            Some(p) => Ok(p),
            None => Err(Error::Usage {
                message: format!(
                    "katalonc not found at {} (from --katalonc or KATALONC)\nhint: give the path of katalonc or katalonc.sh from the Katalon Runtime Engine",
                    given.display()
                ),
            }),
        };
    }
    for name in NAMES {
        if let Some(p) = on_path(name.as_ref(), &path_var) {
            return Ok(p);
        }
    }
    Err(Error::Usage {
        message: format!(
            "katalonc not found: no {} on PATH\nhint: install the Katalon Runtime Engine and put katalonc on PATH, or pass --katalonc PATH (or set KATALONC)",
            NAMES.join(" or ")
        ),
    })
}

fn on_path(name: &std::ffi::OsStr, path_var: &std::ffi::OsStr) -> Option<PathBuf> {
    std::env::split_paths(path_var).map(|dir| dir.join(name)).find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Runs katalonc with our stdio, forwarding SIGINT and SIGTERM; returns
/// its status and the last signal forwarded.
fn spawn(program: &Path, argv: &[String], cwd: &Path) -> Result<(ExitStatus, Option<&'static str>), Error> {
    let rt = super::runtime()?;
    rt.block_on(async {
        let start_error = |e: std::io::Error| Error::Usage {
            message: format!("Could not start {}: {e}\nhint: is it an executable katalonc?", program.display()),
        };
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            // Listen before the child exists, so no signal falls between.
            let listen = |kind| signal(kind).map_err(|e| Error::Internal(format!("could not listen for signals: {e}")));
            let mut int = listen(SignalKind::interrupt())?;
            let mut term = listen(SignalKind::terminate())?;
            let mut child =
                tokio::process::Command::new(program).args(argv).current_dir(cwd).spawn().map_err(start_error)?;
            let pid = child.id().and_then(|p| i32::try_from(p).ok());
            let mut forwarded = None;
            loop {
                let (sig, name) = tokio::select! {
                    status = child.wait() => {
                        let status = status.map_err(|e| Error::Internal(format!("waiting for katalonc failed: {e}")))?;
                        return Ok((status, forwarded));
                    }
                    _ = int.recv() => (libc::SIGINT, "SIGINT"),
                    _ = term.recv() => (libc::SIGTERM, "SIGTERM"),
                };
                forwarded = Some(name);
                if let Some(pid) = pid {
                    tracing::debug!(sig, pid, "forwarding signal to katalonc");
                    // SAFETY: kill(2) with a pid we spawned and still wait for, so it is not reused.
                    unsafe {
                        libc::kill(pid, sig);
                    }
                }
            }
        }
        #[cfg(not(unix))]
        {
            // The console delivers Ctrl+C to katalonc as well; just wait.
            let mut child =
                tokio::process::Command::new(program).args(argv).current_dir(cwd).spawn().map_err(start_error)?;
            let status =
                child.wait().await.map_err(|e| Error::Internal(format!("waiting for katalonc failed: {e}")))?;
            Ok((status, None))
        }
    })
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

/// One line on what a non-zero katalonc exit code means (katalon.md §4).
fn explain(status: ExitStatus, code: u8, forwarded: Option<&str>) -> Option<String> {
    if let Some(sig) = forwarded {
        return Some(format!("katalonc exited with {code} after katalon-prep passed it {sig}"));
    }
    let meaning = match status.code() {
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
