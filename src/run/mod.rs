//! What `run` puts around katalonc: an X display when Linux has none
//! ([`display`]), and a supervisor that answers for every process katalonc
//! starts ([`supervise`]): signals, a time limit, a grace period, no process
//! left behind.
//!
//! Nothing here knows about plugins, the key or the katalonc line: it gets a
//! program, its arguments and environment, and says how the run ended.

pub mod display;
pub mod supervise;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long katalonc's process group gets between SIGTERM and SIGKILL
/// when neither `--kill-after` nor `run.kill-after` says.
pub const DEFAULT_KILL_AFTER: Duration = Duration::from_secs(10);

/// The first executable called `name` in the directories of `path_var`.
pub fn on_path(name: &OsStr, path_var: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(path_var).flat_map(|dir| with_suffixes(&dir.join(name))).find(|p| is_executable(p))
}

/// The files a program path may name: on Windows, one without an extension
/// also as `.exe`, `.bat` and `.cmd` (`--katalonc C:\Katalon\katalonc`), as
/// the shell would find it; elsewhere just itself.
pub fn with_suffixes(path: &Path) -> Vec<PathBuf> {
    let mut out = vec![path.to_path_buf()];
    if cfg!(windows) && path.extension().is_none() {
        for ext in ["exe", "bat", "cmd"] {
            out.push(path.with_extension(ext));
        }
    }
    out
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
