//! Small filesystem helpers shared by the stages that write: atomic
//! replacement of a file, with a chosen mode for new files.

use std::io::Write;
use std::path::Path;

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
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".katalon-prep-").tempfile_in(dir)?;
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
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
