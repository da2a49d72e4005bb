//! The writable engine of a project: katalonc writes into its own folder
//! while it runs (OSGi state and Store plugins under `configuration/`, the
//! drivers `-webui.autoUpdateDrivers` replaces, its `.ini`), so a run never
//! uses the cache's tree. This module makes, per project, a tree outside
//! the cache where what katalonc writes to is copied (writable; `std::fs::copy`
//! reflinks where the filesystem can) and everything else is hardlinked
//! from the cache (read-only, so an in-place write fails instead of
//! reaching the cache; copied when the cache is on another filesystem).
//!
//! ```text
//! <project>/.katalon-prep/.gitignore                 `*`: never committed
//! <project>/.katalon-prep/engine/<version>-<platform>/
//!     .katalon-prep-engine.json                      the cache entry it was made from (written last)
//!     Katalon_Studio_Engine_…/…                      the engine
//! <project>/.katalon-prep/engine.lock                serialises concurrent runs
//! ```
//!
//! Built beside its final place and renamed into it; a writable engine whose
//! marker names another cache entry (the lock moved on) is replaced.

use fs_err::{self as fs, File};
use std::io;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::cache::Engine;
use super::extract::Node;

/// The folder, under the project, that holds katalon-prep's per-project state.
pub const STATE_DIR: &str = ".katalon-prep";
const MARKER: &str = ".katalon-prep-engine.json";

#[derive(Debug, thiserror::Error)]
#[error("Could not make the writable engine at {}", path.display())]
pub struct Error {
    /// The writable engine's folder; the file that failed, and how, is in
    /// `source` (fs-err names it).
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

impl Error {
    /// The documented exit code: exit 40, a filesystem error.
    pub fn exit(&self) -> crate::exit::Exit {
        crate::exit::Exit::Filesystem
    }
}

/// What making the writable engine did, for the summary and the docs.
#[derive(Debug, Clone, Default)]
pub struct Made {
    /// False when the writable engine was there already.
    pub made: bool,
    pub linked: u64,
    pub copied: u64,
    pub copied_bytes: u64,
    pub seconds: f64,
}

/// The writable engine's folder for `engine` in the project at `root`.
pub fn dir_for(root: &Path, engine: &Engine) -> PathBuf {
    root.join(STATE_DIR).join("engine").join(format!("{}-{}", engine.meta.version, engine.meta.platform))
}

/// Whether katalonc writes to `rel` (a path inside the engine's tree): its
/// OSGi configuration area (Store plugins, drivers under
/// `configuration/resources/drivers`), and its launcher `.ini`.
pub fn written_by_katalonc(rel: &str) -> bool {
    // Below the one top folder of Katalon's archives (or at the root).
    let inner = rel.split_once('/').map(|(_, r)| r).unwrap_or(rel);
    // macOS keeps them inside the `.app` bundle's Contents/{Eclipse,MacOS}.
    let parts: Vec<&str> = inner.split('/').collect();
    parts.iter().any(|p| *p == "configuration" || *p == "drivers") || parts.last().is_some_and(|f| f.ends_with(".ini"))
}

/// Makes (or finds) the writable engine for `engine` under the project at
/// `root`; returns its katalonc, absolute.
pub fn ensure(root: &Path, engine: &Engine) -> Result<(PathBuf, Made), Error> {
    let dir = dir_for(root, engine);
    make(root, &dir, engine).map_err(|source| Error { path: dir, source })
}

fn make(root: &Path, dir: &Path, engine: &Engine) -> io::Result<(PathBuf, Made)> {
    let katalonc = dir.join(&engine.meta.katalonc);
    let state = root.join(STATE_DIR);
    fs::create_dir_all(state.join("engine"))?;
    let ignore = state.join(".gitignore");
    if !ignore.exists() {
        crate::fsutil::write_atomic_unsynced(
            &ignore,
            b"# Made by katalon-prep: the writable engine and its state.\n*\n",
            crate::fsutil::Mode::Shared,
        )?;
    }
    if is_current(dir, engine) {
        return Ok((absolute(katalonc), Made::default()));
    }
    let lock_path = state.join("engine.lock");
    let lock = File::options().create(true).truncate(false).write(true).open(&lock_path)?;
    lock.lock()?;
    if is_current(dir, engine) {
        return Ok((absolute(katalonc), Made::default()));
    }
    let started = Instant::now();
    let parent = state.join("engine");
    // Leftovers of killed runs (we hold the lock: nobody else is building).
    for entry in fs::read_dir(&parent).into_iter().flatten().flatten() {
        if entry.file_name().to_string_lossy().starts_with(".tmp-") {
            remove_tree(&entry.path());
        }
    }
    let tmp = parent.join(format!(".tmp-{:016x}", fastrand::u64(..)));
    fs::create_dir(&tmp)?;
    let mut made = Made { made: true, ..Made::default() };
    let built = build(&engine.tree(), &tmp, engine, &mut made);
    if let Err(e) = built {
        remove_tree(&tmp);
        return Err(e);
    }
    let marker = serde_json::json!({ "sha256": engine.meta.sha256, "file": engine.meta.file });
    let marker_path = tmp.join(MARKER);
    fs::write(&marker_path, marker.to_string())?;
    if dir.exists() {
        // Made from another cache entry: move it aside, then remove it.
        let old = parent.join(format!(".tmp-{:016x}", fastrand::u64(..)));
        fs::rename(dir, &old)?;
        remove_tree(&old);
    }
    fs::rename(&tmp, dir)?;
    made.seconds = started.elapsed().as_secs_f64();
    Ok((absolute(katalonc), made))
}

fn absolute(p: PathBuf) -> PathBuf {
    std::path::absolute(&p).unwrap_or(p)
}

/// The writable engine at `dir` was made from `engine` and is complete.
fn is_current(dir: &Path, engine: &Engine) -> bool {
    let Ok(bytes) = fs::read(dir.join(MARKER)) else { return false };
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else { return false };
    v.get("sha256").and_then(|s| s.as_str()) == Some(engine.meta.sha256.hex().as_str())
        && dir.join(&engine.meta.katalonc).symlink_metadata().is_ok()
}

fn build(from: &Path, to: &Path, engine: &Engine, made: &mut Made) -> io::Result<()> {
    let mut can_link = true;
    for (rel, node) in &engine.meta.manifest {
        let src = from.join(rel);
        let dst = to.join(rel);
        match node {
            Node::Dir => fs::create_dir_all(&dst)?,
            Node::Symlink { target } => {
                if let Some(p) = dst.parent() {
                    fs::create_dir_all(p)?;
                }
                symlink(target, &dst)?;
            }
            Node::File { size, executable, .. } => {
                if let Some(p) = dst.parent() {
                    fs::create_dir_all(p)?;
                }
                let link = can_link && !written_by_katalonc(rel);
                if link {
                    match fs::hard_link(&src, &dst) {
                        Ok(()) => {
                            made.linked += 1;
                            continue;
                        }
                        // Another filesystem (EXDEV) or no hardlinks: copy from here on.
                        Err(_) => can_link = false,
                    }
                }
                fs::copy(&src, &dst)?;
                writable(&dst, *executable)?;
                made.copied += 1;
                made.copied_bytes += size;
            }
        }
    }
    Ok(())
}

#[cfg(unix)]
fn symlink(target: &str, path: &Path) -> io::Result<()> {
    fs::os::unix::fs::symlink(target, path)
}

#[cfg(not(unix))]
fn symlink(target: &str, path: &Path) -> io::Result<()> {
    let _ = (target, path);
    Err(io::Error::other("symbolic links in the engine are supported on Unix only"))
}

/// A copy katalonc may write to: owner-writable, execute bits kept.
fn writable(path: &Path, executable: bool) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, std::fs::Permissions::from_mode(if executable { 0o755 } else { 0o644 }))
    }
    #[cfg(not(unix))]
    {
        let _ = executable;
        let mut perms = fs::metadata(path)?.permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        fs::set_permissions(path, perms)
    }
}

/// Best effort: a tree that cannot be removed is left for the next run.
fn remove_tree(path: &Path) {
    let _ = fs::remove_dir_all(path);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_katalonc_writes_to_is_copied() {
        let top = "Katalon_Studio_Engine_Linux_64-10.3.1";
        assert!(written_by_katalonc(&format!("{top}/configuration/config.ini")));
        assert!(written_by_katalonc(&format!(
            "{top}/configuration/resources/drivers/chromedriver_linux64/chromedriver"
        )));
        assert!(written_by_katalonc(&format!("{top}/katalonc.ini")));
        assert!(!written_by_katalonc(&format!("{top}/jre/lib/modules")));
        assert!(!written_by_katalonc(&format!("{top}/plugins/org.eclipse.osgi.jar")));
        assert!(!written_by_katalonc(&format!("{top}/katalonc")));
    }

    /// fs-err names the file that failed: the message gives the writable
    /// engine's folder, the cause the exact file and operation.
    #[test]
    fn a_failed_copy_names_its_file() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = tmp.path().join("cache");
        let manifest = [(
            "top/gone.bin".to_string(),
            Node::File { size: 1, sha256: crate::digest::Sha256::of(b"x"), executable: false },
        )];
        let engine = Engine {
            dir: cache.clone(),
            meta: crate::engine::cache::Meta {
                format: 1,
                sha256: crate::digest::Sha256::of(b"x"),
                size: 1,
                file: "e.tar.gz".into(),
                version: "10.3.1".into(),
                platform: crate::engine::Platform::LinuxX64,
                katalonc: "top/katalonc".into(),
                manifest: manifest.into_iter().collect(),
            },
        };
        let root = tmp.path().join("project");
        let err = ensure(&root, &engine).unwrap_err();
        assert_eq!(err.path, dir_for(&root, &engine));
        let cause = err.source.to_string();
        assert!(cause.contains(&engine.tree().join("top/gone.bin").display().to_string()), "{cause}");
    }
}
