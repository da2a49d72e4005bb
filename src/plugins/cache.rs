//! The content-addressed plugin cache.
//!
//! Layout (versioned so a future format can live beside this one):
//! ```text
//! <cache-dir>/CACHEDIR.TAG
//! <cache-dir>/v1/entries/<sha256>/entry.json   what the artifact holds
//! <cache-dir>/v1/entries/<sha256>/jars/*.jar   its plugin jars, read-only
//! <cache-dir>/v1/locks/<sha256>.lock           per-entry lock
//! <cache-dir>/v1/tmp/<random>/ + .lock         staging, inside the cache
//! ```
//! An entry is keyed by the sha256 of the artifact as downloaded (what the
//! config and the lock pin). It is built in a staging folder on the same
//! filesystem and moved into place with one atomic rename, under the
//! entry's lock and after re-checking that no other process made it first.
//! Files are verified when they enter and are read-only afterwards, so the
//! warm path never re-hashes.

use fs_err::{self as fs, File};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Kind;
use crate::digest::Sha256;

pub const LAYOUT: &str = "v1";
const TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by katalon-prep.\n# For information about cache directory tags see https://bford.info/cachedir/\n";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("The cache directory {} is not writable", dir.display())]
    NotWritable {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("No cache directory: neither XDG_CACHE_HOME nor HOME (nor LOCALAPPDATA on Windows) is set")]
    NoDefault,
    /// The file and the operation that failed are in the cause: fs-err
    /// names them.
    #[error("Cache I/O failed")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// The documented exit code: every cache error is a filesystem error (40).
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::NotWritable { .. } => Exit::Filesystem,
            Error::NoDefault => Exit::Filesystem,
            Error::Io(_) => Exit::Filesystem,
        }
    }

    /// What the user can do about it, printed after the cause chain.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::NotWritable { .. } => Some("choose another with --cache-dir DIR (or KATALON_PREP_CACHE_DIR)".into()),
            Error::NoDefault => Some("choose one with --cache-dir DIR (or KATALON_PREP_CACHE_DIR)".into()),
            Error::Io(_) => None,
        }
    }
}

/// One jar of an entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct JarMeta {
    pub file: String,
    pub sha256: Sha256,
    pub size: u64,
    /// Detected from the jar's content; `None` when it says neither.
    pub kind: Option<Kind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbolic_name: Option<String>,
}

/// `entry.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Meta {
    pub format: u32,
    /// The artifact's sha256 (the entry's address).
    pub sha256: Sha256,
    pub size: u64,
    /// The artifact's file name as downloaded.
    pub artifact: String,
    /// Whether the artifact was a zip package (then `jars` were extracted).
    pub package: bool,
    pub jars: Vec<JarMeta>,
}

/// An entry that is in the cache.
#[derive(Debug, Clone)]
pub struct Entry {
    pub dir: PathBuf,
    pub meta: Meta,
}

impl Entry {
    pub fn jar_path(&self, file: &str) -> PathBuf {
        self.dir.join("jars").join(file)
    }
}

/// The cache.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
    root: PathBuf,
    /// A shared lock on `v1/use.lock`, held while this run may read entries:
    /// `cache prune` takes it exclusively, so it never removes an entry
    /// between a run finding it and linking a jar from it.
    _in_use: Option<std::sync::Arc<File>>,
}

/// The lock file runs share and `cache prune` takes alone.
const USE_LOCK: &str = "use.lock";

/// The default cache directory: `$XDG_CACHE_HOME/katalon-prep`, else
/// `$HOME/.cache/katalon-prep`.
/// On Windows, where neither is usually set, `%LOCALAPPDATA%\katalon-prep`
/// comes between them (the per-user, non-roaming place for caches).
pub fn default_dir(env: &crate::env::Env) -> Result<PathBuf, Error> {
    if let Some(x) = &env.cache_home {
        return Ok(x.join("katalon-prep"));
    }
    if cfg!(windows)
        && let Some(local) = &env.local_app_data
    {
        return Ok(local.join("katalon-prep"));
    }
    match &env.home {
        Some(home) => Ok(home.join(".cache").join("katalon-prep")),
        None => Err(Error::NoDefault),
    }
}

impl Cache {
    /// Opens (creating) the cache and proves it writable, removing staging
    /// folders left by killed runs.
    pub fn open(dir: &Path) -> Result<Cache, Error> {
        let root = dir.join(LAYOUT);
        let not_writable = |source| Error::NotWritable { dir: dir.to_path_buf(), source };
        for sub in ["entries", "engines", "locks", "tmp"] {
            fs::create_dir_all(root.join(sub)).map_err(not_writable)?;
        }
        let tag = dir.join("CACHEDIR.TAG");
        if !tag.exists() {
            crate::fsutil::write_atomic(&tag, TAG.as_bytes(), crate::fsutil::Mode::Shared).map_err(not_writable)?;
        }
        // Prove we can write where staging happens (a read-only mount passes the above
        // when everything already exists).
        tempfile::tempfile_in(root.join("tmp")).map_err(not_writable)?;
        let use_path = root.join(USE_LOCK);
        let in_use = File::options().create(true).truncate(false).write(true).open(&use_path).map_err(not_writable)?;
        in_use.lock_shared()?;
        let cache = Cache { dir: dir.to_path_buf(), root, _in_use: Some(std::sync::Arc::new(in_use)) };
        cache.clean_staging();
        Ok(cache)
    }

    /// The cache with no run using it, for `cache prune`: waits for the runs
    /// that have it open, and keeps new ones out until the result is dropped.
    /// `None` when there is no cache there.
    pub fn exclusive(dir: &Path) -> Result<Option<(Cache, File)>, Error> {
        let root = dir.join(LAYOUT);
        if !root.is_dir() {
            return Ok(None);
        }
        let use_path = root.join(USE_LOCK);
        let lock = File::options().create(true).truncate(false).write(true).open(&use_path)?;
        lock.lock()?;
        Ok(Some((Cache::at(dir), lock)))
    }

    /// Opens an existing cache without creating anything (for `cache dir`, `verify`).
    pub fn at(dir: &Path) -> Cache {
        Cache { dir: dir.to_path_buf(), root: dir.join(LAYOUT), _in_use: None }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<cache-dir>/v1`: where every kind of entry of this layout lives.
    pub fn layout_dir(&self) -> &Path {
        &self.root
    }

    fn entry_dir(&self, sha: &Sha256) -> PathBuf {
        self.root.join("entries").join(sha.hex())
    }

    /// The entry for `sha`, if it is complete in the cache.
    pub fn get(&self, sha: &Sha256) -> Option<Entry> {
        let dir = self.entry_dir(sha);
        let bytes = fs::read(dir.join("entry.json")).ok()?;
        let meta: Meta = serde_json::from_slice(&bytes).ok()?;
        (meta.sha256 == *sha).then_some(Entry { dir, meta })
    }

    /// Every entry's address.
    pub fn entries(&self) -> Vec<Sha256> {
        crate::fsutil::sha256_dirs(&self.root.join("entries"))
    }

    /// Takes the entry's lock, blocking until it is free.
    pub fn lock(&self, sha: &Sha256) -> Result<File, Error> {
        let path = self.root.join("locks").join(format!("{}.lock", sha.hex()));
        let file = File::options().create(true).truncate(false).write(true).open(&path)?;
        file.lock()?;
        Ok(file)
    }

    /// A new staging folder inside the cache, owned by this process while
    /// the returned value lives (its `.lock` is held).
    pub fn staging(&self) -> Result<Staging, Error> {
        let tmp = self.root.join("tmp");
        // Between creating its lock file and locking it, a staging folder
        // looks abandoned to a concurrent clean-up: keep that one out.
        let _guard = self.tmp_guard(false)?;
        loop {
            let name = format!("{:016x}", fastrand::u64(..));
            let lock_path = tmp.join(format!("{name}.lock"));
            let lock = match File::options().write(true).create_new(true).open(&lock_path) {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e.into()),
            };
            lock.lock()?;
            let dir = tmp.join(&name);
            fs::create_dir(&dir)?;
            return Ok(Staging { dir, lock_path, _lock: lock, committed: false });
        }
    }

    /// Moves a staged entry into place. If another process made the same
    /// entry first, theirs is kept and ours discarded.
    pub fn commit(&self, mut staging: Staging, meta: Meta) -> Result<Entry, Error> {
        let meta_path = staging.dir.join("entry.json");
        let bytes = serde_json::to_vec_pretty(&meta).map_err(|e| Error::Io(e.into()))?;
        fs::write(&meta_path, bytes)?;
        for path in files_under(&staging.dir) {
            // Flushed through a handle that may write, before the file is
            // made read-only: Windows refuses FlushFileBuffers on a handle
            // opened for reading ("Access denied").
            File::options().write(true).open(&path).and_then(|f| f.sync_all())?;
            make_read_only(&path)?;
        }
        let target = self.entry_dir(&meta.sha256);
        match fs::rename(&staging.dir, &target) {
            Ok(()) => staging.committed = true,
            Err(_) if self.get(&meta.sha256).is_some() => {}
            Err(e) => return Err(e.into()),
        }
        Ok(Entry { dir: target, meta })
    }

    /// Removes an entry (for `cache verify --fix` and `cache prune`).
    pub fn remove(&self, sha: &Sha256) -> Result<(), Error> {
        self.remove_dir(sha, &self.entry_dir(sha))
    }

    /// Removes the folder of the entry `sha` (a plugin's or an engine's)
    /// under its lock, moving it out of the way first.
    pub fn remove_dir(&self, sha: &Sha256, dir: &Path) -> Result<(), Error> {
        let _lock = self.lock(sha)?;
        // Move it out of the way first, so a reader never sees half an entry.
        let doomed = self.root.join("tmp").join(format!("rm-{}-{:08x}", sha.hex(), fastrand::u32(..)));
        let _guard = self.tmp_guard(false)?;
        fs::rename(dir, &doomed)?;
        Ok(crate::fsutil::remove_tree(&doomed)?)
    }

    /// `v1/locks/tmp.lock`: held shared while a staging folder is being set
    /// up (or an entry removed through `tmp/`), exclusively while `tmp/` is
    /// cleaned, so the clean-up never mistakes work in progress for a
    /// killed run's leftovers.
    fn tmp_guard(&self, exclusive: bool) -> Result<File, Error> {
        let path = self.root.join("locks").join("tmp.lock");
        let file = File::options().create(true).truncate(false).write(true).open(&path)?;
        if exclusive { file.lock() } else { file.lock_shared() }?;
        Ok(file)
    }

    /// Removes staging folders whose owner is gone (killed runs).
    fn clean_staging(&self) {
        let tmp = self.root.join("tmp");
        let Ok(_guard) = self.tmp_guard(true) else { return };
        let Ok(entries) = fs::read_dir(&tmp) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(stem) = name.strip_suffix(".lock") {
                let Ok(file) = File::options().write(true).open(&path) else { continue };
                if file.try_lock().is_ok() {
                    let _ = crate::fsutil::remove_tree(&tmp.join(stem));
                    let _ = fs::remove_file(&path);
                }
            } else if name.starts_with("rm-") {
                let _ = crate::fsutil::remove_tree(&path);
            } else if path.is_dir() && !tmp.join(format!("{name}.lock")).exists() {
                // Its owner died while cleaning up: nobody owns it.
                let _ = crate::fsutil::remove_tree(&path);
            }
        }
    }
}

/// A staging folder; removed on drop unless committed.
pub struct Staging {
    pub dir: PathBuf,
    lock_path: PathBuf,
    _lock: File,
    committed: bool,
}

impl Staging {
    /// Renames the staging folder to `target` (one atomic step). When
    /// `target` exists already (another process made it first) the staging
    /// folder is discarded and `false` returned.
    pub fn persist(mut self, target: &Path) -> Result<bool, Error> {
        match fs::rename(&self.dir, target) {
            Ok(()) => {
                self.committed = true;
                Ok(true)
            }
            Err(_) if target.is_dir() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = crate::fsutil::remove_tree(&self.dir);
        }
        let _ = fs::remove_file(&self.lock_path);
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn make_read_only(path: &Path) -> std::io::Result<()> {
    let mut perms = fs::metadata(path)?.permissions();
    perms.set_readonly(true);
    fs::set_permissions(path, perms)
}

/// What `verify` found wrong with one entry.
#[derive(Debug, Clone)]
pub struct Corrupt {
    pub sha256: Sha256,
    pub reason: String,
}

impl Cache {
    /// Re-hashes every jar of every entry against its `entry.json`; one
    /// [`Corrupt`] per bad entry.
    pub fn verify(&self) -> Vec<Corrupt> {
        let mut out = Vec::new();
        for sha in self.entries() {
            let dir = self.entry_dir(&sha);
            let Some(entry) = self.get(&sha) else {
                out.push(Corrupt {
                    sha256: sha,
                    reason: format!("{} is missing or unreadable", dir.join("entry.json").display()),
                });
                continue;
            };
            // One report per entry (the unit `--fix` removes), naming every bad jar.
            let reasons: Vec<String> = entry
                .meta
                .jars
                .iter()
                .filter_map(|jar| match Sha256::of_file(&entry.jar_path(&jar.file)) {
                    Err(e) => Some(format!("{}: {e}", jar.file)),
                    Ok(actual) if actual != jar.sha256 => {
                        Some(format!("{}: sha256 is {actual}, expected {}", jar.file, jar.sha256))
                    }
                    Ok(_) => None,
                })
                .collect();
            if !reasons.is_empty() {
                out.push(Corrupt { sha256: sha, reason: reasons.join("; ") });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// fs-err names the file that failed: the message stays the cache's,
    /// the cause says which file and what was tried.
    #[test]
    fn a_failed_lock_names_its_file() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::open(tmp.path()).unwrap();
        let locks = tmp.path().join(LAYOUT).join("locks");
        std::fs::remove_dir_all(&locks).unwrap();
        // A file where the folder of locks was: opening a lock in it fails.
        std::fs::write(&locks, b"").unwrap();
        let err = cache.lock(&Sha256::of(b"x")).unwrap_err();
        assert_eq!(err.to_string(), "Cache I/O failed");
        assert_eq!(err.exit(), crate::exit::Exit::Filesystem);
        let cause = std::error::Error::source(&err).unwrap().to_string();
        assert!(cause.contains(&locks.display().to_string()), "{cause}");
    }
}
