//! Small filesystem helpers shared by the stages that write: atomic
//! replacement of a file, with a chosen mode for new files, and the clean-up
//! of temp files that a killed run left beside their targets.

use std::io::Write;
use std::path::Path;

/// Every temp file katalon-prep writes beside a target is named
/// `.katalon-prep-<pid>-<random>.tmp`: the pid tells a later run whether its
/// writer is still alive (a concurrent run) or gone (killed), so leftovers
/// can be removed without a lock and without touching live work.
pub const TEMP_PREFIX: &str = ".katalon-prep-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// A fresh temp file name for this process.
pub fn temp_name() -> String {
    format!("{TEMP_PREFIX}{}-{:08x}{TEMP_SUFFIX}", std::process::id(), fastrand::u32(..))
}

/// Removes the temp files in `dir` whose writing process no longer exists.
/// Best effort: a file that cannot be removed is left for the next run.
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(temp_owner) else { continue };
        if !process_alive(pid) && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// The pid in a temp file name made by [`temp_name`] or [`write_atomic`].
fn temp_owner(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(TEMP_PREFIX)?.strip_suffix(TEMP_SUFFIX)?;
    rest.split_once('-')?.0.parse().ok()
}

/// Whether a process with this pid exists (where that cannot be told, it is
/// assumed to, so nothing is removed).
#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    if pid <= 0 {
        return true;
    }
    // SAFETY: signal 0 only asks whether the process exists; nothing is sent.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    // EPERM: it exists, owned by another user.
    found || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Whether a process with this pid exists and has not exited (an exited
/// process whose handle someone still holds is gone for our purpose).
#[cfg(windows)]
fn process_alive(pid: u32) -> bool {
    use windows_sys::Win32::Foundation::{CloseHandle, ERROR_INVALID_PARAMETER, GetLastError, STILL_ACTIVE};
    use windows_sys::Win32::System::Threading::{GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION};
    // SAFETY: plain Win32 calls; the handle is closed before returning.
    unsafe {
        let handle = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if handle.is_null() {
            // No such process; any other failure (access denied) means it exists.
            return GetLastError() != ERROR_INVALID_PARAMETER;
        }
        let mut code = 0u32;
        let ok = GetExitCodeProcess(handle, &mut code) != 0;
        CloseHandle(handle);
        !ok || code == STILL_ACTIVE as u32
    }
}

#[cfg(not(any(unix, windows)))]
fn process_alive(_: u32) -> bool {
    true
}

/// Removes a folder and everything in it. The cache's files are read-only;
/// Windows refuses to delete a read-only file, so there a failed attempt
/// clears the attribute on every file and tries once more.
/// Its error names the folder (fs-err).
pub fn remove_tree(dir: &Path) -> std::io::Result<()> {
    match fs_err::remove_dir_all(dir) {
        Err(e) if cfg!(windows) && e.kind() != std::io::ErrorKind::NotFound => {
            make_writable_under(dir);
            fs_err::remove_dir_all(dir)
        }
        other => other,
    }
}

fn make_writable_under(dir: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(path);
            } else if let Ok(meta) = std::fs::metadata(&path) {
                let mut perms = meta.permissions();
                if perms.readonly() {
                    #[allow(clippy::permissions_set_readonly_false)] // Windows only: the read-only attribute
                    perms.set_readonly(false);
                    let _ = std::fs::set_permissions(&path, perms);
                }
            }
        }
    }
}

/// Who may read a file written by [`write_atomic`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Readable by all (0644): project files katalonc reads.
    Shared,
    /// Owner only (0600): files that may hold the API key.
    Private,
    /// Keep the mode of the file being replaced, else [`Mode::Shared`].
    Keep,
}

/// Writes `bytes` to a temp file beside `path`, syncs it and renames it over
/// `path`: readers see the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Mode) -> std::io::Result<()> {
    replace(path, bytes, mode, true)
}

/// [`write_atomic`] without the fsync: still never half a file for a reader
/// or after a crash of the process, but a power loss may lose the new file.
/// For katalon-prep's own bookkeeping that a later run can do without.
pub fn write_atomic_unsynced(path: &Path, bytes: &[u8], mode: Mode) -> std::io::Result<()> {
    replace(path, bytes, mode, false)
}

fn replace(path: &Path, bytes: &[u8], mode: Mode, sync: bool) -> std::io::Result<()> {
    // A device (`/dev/stdout`, `/dev/null`), a pipe or a symbolic link is
    // written through: renaming over it would replace the node or the link.
    if let Ok(meta) = std::fs::symlink_metadata(path)
        && !meta.file_type().is_file()
        && !meta.is_dir()
    {
        let mut f = std::fs::OpenOptions::new().write(true).truncate(true).open(path)?;
        // A symlink to a regular file: the file it names gets the mode asked for.
        #[cfg(unix)]
        if mode == Mode::Private && f.metadata()?.is_file() {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        return f.write_all(bytes);
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    remove_stale_temps(dir);
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut tmp = tempfile::Builder::new().prefix(&prefix).suffix(TEMP_SUFFIX).tempfile_in(dir)?;
    let old = std::fs::metadata(path).ok().map(|m| m.permissions());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let perms = match (mode, old) {
            (Mode::Keep, Some(old)) => old,
            (Mode::Private, _) => std::fs::Permissions::from_mode(0o600),
            _ => std::fs::Permissions::from_mode(0o644),
        };
        std::fs::set_permissions(tmp.path(), perms)?;
    }
    #[cfg(not(unix))]
    let _ = (mode, old);
    tmp.write_all(bytes)?;
    if sync {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The folders of `dir` named by a sha256 (a content-addressed cache's
/// entries), sorted; none when `dir` cannot be read.
pub fn sha256_dirs(dir: &Path) -> Vec<crate::digest::Sha256> {
    let mut out: Vec<crate::digest::Sha256> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_carry_the_pid() {
        let name = temp_name();
        assert_eq!(temp_owner(&name), Some(std::process::id()));
        assert_eq!(temp_owner(".katalon-prep.json"), None);
        assert_eq!(temp_owner(".katalon-prep.lock"), None);
        assert_eq!(temp_owner(".katalon-prep-x-1.tmp"), None);
    }

    #[test]
    fn only_leftovers_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let ours = dir.path().join(temp_name());
        // Beyond the kernel's pid_max: never a live process.
        let dead = dir.path().join(format!("{TEMP_PREFIX}4194305-0000abcd{TEMP_SUFFIX}"));
        let other = dir.path().join("plugin.jar");
        for p in [&ours, &dead, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        remove_stale_temps(dir.path());
        assert!(ours.exists() && other.exists());
        assert!(!dead.exists());
    }
}
