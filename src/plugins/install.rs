//! Places plugin jars into the project: keyword plugins in `Plugins/`,
//! platform plugins in `Plugins/platform/`, hardlinked from the cache when
//! the filesystem allows, copied otherwise (always on Windows).
//!
//! A record of what katalon-prep installed (`Plugins/.katalon-prep.json`)
//! lets a later run remove what the config no longer lists. A file that is
//! not in the record is the user's: never overwritten, never removed.
//!
//! A run can be killed at any moment (a cancelled CI job, `docker stop`,
//! kill -9). So the record names every file *before* it is renamed into
//! place, as pending with its sha256; a later run adopts a pending file only
//! when its content hashes to that sha256 (anything else there is the
//! user's), and the record is rewritten without pending entries once every
//! file is in place.

use fs_err::{self as fs, File};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::Metadata;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Kind;
use crate::digest::Sha256;
use crate::report::{Event, Reporter};

pub const PLUGINS_DIR: &str = "Plugins";
pub const PLATFORM_DIR: &str = "platform";
pub const RECORD_FILE: &str = ".katalon-prep.json";
const LOCK_FILE: &str = ".katalon-prep.lock";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{} exists and was not installed by katalon-prep; refusing to overwrite it", path.display())]
    Clash { path: PathBuf },
    #[error("Two plugins install the same file {}: {first} and {second}", path.display())]
    Duplicate { path: PathBuf, first: String, second: String },
    /// The file and the operation that failed are in the cause: fs-err
    /// names them.
    #[error("Could not update the plugin files of the project")]
    Io(#[from] std::io::Error),
}

impl Error {
    /// The documented exit code: a clash with the project's files is a
    /// project error (12), a failed write the disk's (40).
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::Clash { .. } => Exit::Project,
            Error::Duplicate { .. } => Exit::Project,
            Error::Io(_) => Exit::Filesystem,
        }
    }

    /// What the user can do about it, printed after the cause chain.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Clash { .. } => {
                Some("remove or rename that file, or remove the plugin from katalon-prep.yml".into())
            }
            Error::Duplicate { .. } => None,
            Error::Io(_) => None,
        }
    }
}

/// One jar to place.
#[derive(Debug, Clone)]
pub struct Item {
    /// The plugin it belongs to (for messages).
    pub plugin: String,
    pub file: String,
    pub kind: Kind,
    /// The jar in the cache.
    pub source: PathBuf,
    pub sha256: Sha256,
    pub size: u64,
}

impl Item {
    /// The path relative to `Plugins/`.
    pub fn relative(&self) -> String {
        match self.kind {
            Kind::Keyword => self.file.clone(),
            Kind::Platform => format!("{PLATFORM_DIR}/{}", self.file),
        }
    }
}

/// `Plugins/.katalon-prep.json`: what katalon-prep placed, so it can clean up.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Record {
    pub format: u32,
    /// Keyed by the path relative to `Plugins/`.
    pub files: BTreeMap<String, Recorded>,
    /// Files being placed by a run that has not finished (or was killed):
    /// ours only if their content hashes to the recorded sha256.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<String, Pending>,
    /// The settings file edit of `offline: true`, for `clean` to undo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<SettingsEdit>,
}

/// An edit katalon-prep made to a project file outside `Plugins/`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SettingsEdit {
    /// Relative to the project root, `/`-separated.
    pub file: String,
    /// The file's bytes (hex) before katalon-prep edited it; absent when
    /// katalon-prep created the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The sha256 of the file as katalon-prep left it: `clean` restores
    /// `before` only while the file is still exactly that.
    pub after: Sha256,
}

/// A file about to be renamed into place.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pending {
    pub sha256: Sha256,
    pub size: u64,
}

impl Pending {
    /// Whether the file at `path` (already stat'ed as `meta`) is the one a
    /// killed run was placing.
    fn matches(&self, meta: &Metadata, path: &Path) -> bool {
        meta.is_file() && meta.len() == self.size && Sha256::of_file(path).is_ok_and(|h| h == self.sha256)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Recorded {
    pub sha256: Sha256,
    pub size: u64,
    /// Modification time (ns since the epoch) right after placing: with the
    /// size, tells an untouched copy from an edited one without hashing.
    pub mtime_ns: i128,
}

/// What `install` did, per file.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub placed: Vec<PathBuf>,
    pub unchanged: Vec<PathBuf>,
    pub removed: Vec<PathBuf>,
    /// Files in the record that the user changed: left alone.
    pub kept: Vec<PathBuf>,
}

/// Installs `items` under `<project>/Plugins`, removing jars an earlier run
/// installed that are no longer wanted. Checks every clash before changing
/// anything.
pub fn install(project_root: &Path, items: &[Item], reporter: &dyn Reporter) -> Result<Outcome, Error> {
    let plugins = project_root.join(PLUGINS_DIR);
    let mut wanted: BTreeMap<String, &Item> = BTreeMap::new();
    for item in items {
        if let Some(first) = wanted.insert(item.relative(), item) {
            return Err(Error::Duplicate {
                path: plugins.join(item.relative()),
                first: first.plugin.clone(),
                second: item.plugin.clone(),
            });
        }
    }
    let record_path = plugins.join(RECORD_FILE);
    // Nothing to do and nothing recorded: leave the project untouched.
    if wanted.is_empty() && !record_path.exists() {
        return Ok(Outcome::default());
    }
    let _lock = lock_plugins(&plugins)?;
    // Temp files of a killed run (a crash between link and rename).
    crate::fsutil::remove_stale_temps(&plugins);
    crate::fsutil::remove_stale_temps(&plugins.join(PLATFORM_DIR));

    let mut old = read_record(&record_path);
    // The record is a file in the project anyone can edit: a path that could
    // name anything outside Plugins/ (`../../victim.txt`) is not ours.
    let unsafe_paths: Vec<String> =
        old.files.keys().chain(old.pending.keys()).filter(|rel| !is_record_path(rel)).cloned().collect();
    for rel in unsafe_paths {
        old.files.remove(&rel);
        old.pending.remove(&rel);
        reporter.report(Event::warning(format!(
            "{} lists `{}`, which is not a file in {}; ignoring that entry",
            record_path.display(),
            rel.escape_debug(),
            plugins.display()
        )));
    }
    // What a killed run was placing: the files that made it are ours again
    // (content checked), the rest is forgotten.
    for (rel, pending) in std::mem::take(&mut old.pending) {
        let target = plugins.join(&rel);
        if let Ok(meta) = fs::symlink_metadata(&target)
            && pending.matches(&meta, &target)
        {
            let rec = Recorded { sha256: pending.sha256, size: pending.size, mtime_ns: mtime_ns(&meta) };
            old.files.insert(rel, rec);
        }
    }
    let mut record =
        Record { format: 1, files: BTreeMap::new(), pending: BTreeMap::new(), settings: old.settings.clone() };
    let mut outcome = Outcome::default();

    // Plan first: refuse clashes before touching anything.
    let mut to_place = Vec::new();
    for (rel, item) in &wanted {
        let target = plugins.join(rel);
        match fs::symlink_metadata(&target) {
            Err(_) => to_place.push((rel.clone(), *item)),
            Ok(meta) => match old.files.get(rel) {
                None => return Err(Error::Clash { path: target }),
                Some(rec) if rec.sha256 == item.sha256 && untouched(&meta, rec, &item.source) => {
                    record.files.insert(rel.clone(), rec.clone());
                    outcome.unchanged.push(target.clone());
                    reporter.report(Event::Installed { file: target, unchanged: true });
                }
                Some(_) => to_place.push((rel.clone(), *item)),
            },
        }
    }
    if to_place.iter().any(|(_, i)| i.kind == Kind::Platform) {
        let dir = plugins.join(PLATFORM_DIR);
        fs::create_dir_all(&dir)?;
    }
    if !to_place.is_empty() {
        // Claimed before the first rename: a kill from here on leaves every
        // file accounted for.
        let mut intent = old.clone();
        for (rel, item) in &to_place {
            intent.pending.insert(rel.clone(), Pending { sha256: item.sha256, size: item.size });
        }
        write_record(&record_path, &intent)?;
    }
    for (rel, item) in to_place {
        let target = plugins.join(&rel);
        place(&item.source, &target)?;
        let meta = fs::metadata(&target)?;
        record.files.insert(rel, Recorded { sha256: item.sha256, size: item.size, mtime_ns: mtime_ns(&meta) });
        reporter.report(Event::Installed { file: target.clone(), unchanged: false });
        outcome.placed.push(target);
    }

    // Remove what an earlier run installed and the config no longer lists.
    let wanted_names: BTreeSet<&String> = wanted.keys().collect();
    for (rel, rec) in &old.files {
        if wanted_names.contains(rel) {
            continue;
        }
        let target = plugins.join(rel);
        match fs::symlink_metadata(&target) {
            Err(_) => {}
            Ok(meta) if meta.is_file() && meta.len() == rec.size && mtime_ns(&meta) == rec.mtime_ns => {
                fs::remove_file(&target)?;
                reporter.report(Event::Removed { file: target.clone() });
                outcome.removed.push(target);
            }
            Ok(_) => {
                reporter.report(Event::warning(format!(
                    "{} was installed by katalon-prep but has changed since; leaving it in place",
                    target.display()
                )));
                outcome.kept.push(target);
            }
        }
    }

    let on_disk: Option<Record> = fs::read(&record_path).ok().and_then(|b| serde_json::from_slice(&b).ok());
    if on_disk.as_ref() != Some(&record) {
        if record.files.is_empty() && record.settings.is_none() {
            let _ = fs::remove_file(&record_path);
        } else {
            write_record(&record_path, &record)?;
        }
    }
    Ok(outcome)
}

/// Holds `Plugins/.katalon-prep.lock` (creating `Plugins/`) while it lives.
fn lock_plugins(plugins: &Path) -> Result<File, Error> {
    fs::create_dir_all(plugins)?;
    let lock_path = plugins.join(LOCK_FILE);
    let lock = File::options().create(true).truncate(false).write(true).open(&lock_path)?;
    lock.lock()?;
    Ok(lock)
}

fn read_record(path: &Path) -> Record {
    fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

/// Notes in the record, before the file is written, that katalon-prep is
/// about to change `file` (relative to the project root) from `before` to
/// `after`. The earliest `before` is kept while the file is still as
/// katalon-prep left it; a file the user changed since starts a new entry.
pub fn note_settings_edit(project_root: &Path, file: &str, before: Option<&[u8]>, after: &[u8]) -> Result<(), Error> {
    let plugins = project_root.join(PLUGINS_DIR);
    let _lock = lock_plugins(&plugins)?;
    let record_path = plugins.join(RECORD_FILE);
    let mut record = read_record(&record_path);
    record.format = 1;
    let current = before.map(Sha256::of);
    let original = match record.settings.take() {
        Some(old) if old.file == file && current == Some(old.after) => old.before,
        _ => before.map(hex::encode),
    };
    record.settings = Some(SettingsEdit { file: file.to_string(), before: original, after: Sha256::of(after) });
    write_record(&record_path, &record)
}

/// What `clean` did.
#[derive(Debug, Clone, Default)]
pub struct Cleaned {
    pub removed: Vec<PathBuf>,
    /// Files katalon-prep placed or edited that changed since: left alone.
    pub kept: Vec<PathBuf>,
    /// The settings file, restored (or removed, when katalon-prep made it).
    pub restored: Option<PathBuf>,
}

/// Undoes what the install record says katalon-prep did: removes the jars
/// it placed (while they are as it left them) and restores the settings
/// file (while it is as katalon-prep left it), then the record itself. A
/// file the record does not name, or one changed since, is never touched.
pub fn clean(project_root: &Path, reporter: &dyn Reporter) -> Result<Cleaned, Error> {
    let plugins = project_root.join(PLUGINS_DIR);
    let record_path = plugins.join(RECORD_FILE);
    let mut done = Cleaned::default();
    if !record_path.exists() {
        return Ok(done);
    }
    let lock = lock_plugins(&plugins)?;
    crate::fsutil::remove_stale_temps(&plugins);
    crate::fsutil::remove_stale_temps(&plugins.join(PLATFORM_DIR));
    let record = read_record(&record_path);
    let keep = |target: PathBuf, done: &mut Cleaned| {
        reporter.report(Event::warning(format!(
            "{} has changed since katalon-prep wrote it; leaving it in place",
            crate::report::untrusted_path(&target)
        )));
        done.kept.push(target);
    };
    for (rel, rec) in record.files.iter().filter(|(rel, _)| is_record_path(rel)) {
        let target = plugins.join(rel);
        match fs::symlink_metadata(&target) {
            Err(_) => {}
            Ok(meta)
                if meta.is_file()
                    && meta.len() == rec.size
                    && (mtime_ns(&meta) == rec.mtime_ns || Sha256::of_file(&target).is_ok_and(|h| h == rec.sha256)) =>
            {
                fs::remove_file(&target)?;
                reporter.report(Event::Removed { file: target.clone() });
                done.removed.push(target);
            }
            Ok(_) => keep(target, &mut done),
        }
    }
    for (rel, pending) in
        record.pending.iter().filter(|(rel, _)| is_record_path(rel) && !record.files.contains_key(*rel))
    {
        let target = plugins.join(rel);
        if let Ok(meta) = fs::symlink_metadata(&target)
            && pending.matches(&meta, &target)
        {
            fs::remove_file(&target)?;
            reporter.report(Event::Removed { file: target.clone() });
            done.removed.push(target);
        }
    }
    if let Some(edit) = &record.settings
        // The one file outside Plugins/ katalon-prep edits; a record naming
        // another (it is a file anyone can edit) is not obeyed.
        && edit.file == crate::project::settings::FILE
    {
        let target = project_root.join(&edit.file);
        let before = edit.before.as_deref().and_then(|h| hex::decode(h).ok());
        match fs::read(&target) {
            Ok(now) if Sha256::of(&now) == edit.after => {
                match &before {
                    Some(bytes) => crate::fsutil::write_atomic(&target, bytes, crate::fsutil::Mode::Keep),
                    None => fs::remove_file(&target),
                }?;
                done.restored = Some(target);
            }
            // Never written (a run killed before the edit), or already undone.
            Ok(now) if Some(&now) == before.as_ref() => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && before.is_none() => {}
            _ => keep(target, &mut done),
        }
    }
    fs::remove_file(&record_path)?;
    // Folders katalon-prep made, if nothing else is in them now.
    let _ = fs::remove_dir(plugins.join(PLATFORM_DIR));
    drop(lock);
    let _ = fs::remove_file(plugins.join(LOCK_FILE));
    let _ = fs::remove_dir(&plugins);
    Ok(done)
}

fn write_record(path: &Path, record: &Record) -> Result<(), Error> {
    let bytes = serde_json::to_vec_pretty(record).map_err(|e| Error::Io(e.into()))?;
    // Not synced: on the warm path the fsync cost more than the rest of the
    // install. A record lost to a power cut makes the next run refuse (exit
    // 12: a file it did not place) rather than overwrite anything.
    Ok(crate::fsutil::write_atomic_unsynced(path, &bytes, crate::fsutil::Mode::Shared)?)
}

/// A path katalon-prep could have written: `name.jar` or `platform/name.jar`,
/// a plain file name (no separators, `..`, drive letters or control characters).
fn is_record_path(rel: &str) -> bool {
    let name = rel.strip_prefix(&format!("{PLATFORM_DIR}/")).unwrap_or(rel);
    !name.is_empty()
        && name != "."
        && name != ".."
        && name != RECORD_FILE
        && name != LOCK_FILE
        && name.len() <= 255
        && !name.contains(['/', '\\', ':'])
        && !name.chars().any(char::is_control)
}

/// Same file as the cache's (hardlink), or same size and mtime as recorded
/// (copy): either way, no re-hashing.
fn untouched(meta: &Metadata, rec: &Recorded, source: &Path) -> bool {
    if !meta.is_file() || meta.len() != rec.size {
        return false;
    }
    if same_file(meta, source) {
        return true;
    }
    mtime_ns(meta) == rec.mtime_ns
}

#[cfg(unix)]
fn same_file(meta: &Metadata, other: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(other).is_ok_and(|o| o.dev() == meta.dev() && o.ino() == meta.ino())
}

#[cfg(not(unix))]
fn same_file(_: &Metadata, _: &Path) -> bool {
    false
}

fn mtime_ns(meta: &Metadata) -> i128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

/// Hardlinks (else copies) `source` to a temp name beside `target`, then
/// renames it over `target`: a reader never sees half a jar.
fn place(source: &Path, target: &Path) -> Result<(), Error> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(crate::fsutil::temp_name());
    // On Windows the read-only attribute belongs to the file, not the link:
    // a hardlinked jar could be neither replaced nor deleted in the project
    // (nor the cache entry while katalonc holds the jar open). Copy there.
    if cfg!(windows) || fs::hard_link(source, &tmp).is_err() {
        fs::copy(source, &tmp).inspect_err(|_| {
            let _ = fs::remove_file(&tmp);
        })?;
        // A copy of a read-only cache file is read-only too; the project's copy
        // is the user's to manage.
        if let Ok(meta) = fs::metadata(&tmp) {
            let mut perms = meta.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            let _ = fs::set_permissions(&tmp, perms);
        }
    }
    fs::rename(&tmp, target).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })?;
    Ok(())
}
