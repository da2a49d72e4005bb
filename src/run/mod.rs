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
