//! Engines in the content-addressed cache, beside the plugins:
//!
//! ```text
//! <cache-dir>/v1/engines/<sha256>/engine.json   what the archive was, and its manifest
//! <cache-dir>/v1/engines/<sha256>/tree/…        the archive, extracted, read-only
//! ```
//!
//! An engine is keyed by the sha256 of its archive as downloaded. It is
//! extracted into a staging folder inside the cache (`v1/tmp/`, removed by
//! a later run if this one is killed), `engine.json` is written last, and
//! the folder is renamed into place in one atomic step under the entry's
//! lock: an engine folder exists complete or not at all, so a warm run
//! trusts it (no re-hash); `cache verify` re-hashes it against the manifest.

use fs_err as fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::extract::{Manifest, Node};
use super::platform::Platform;
use crate::digest::Sha256;
use crate::plugins::cache::{Cache, Error};

/// The format of `engine.json`.
pub const FORMAT: u32 = 1;
const META: &str = "engine.json";
pub const TREE: &str = "tree";

/// `engine.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Meta {
    pub format: u32,
    /// The archive's sha256 (the engine's address).
    pub sha256: Sha256,
    pub size: u64,
    /// The archive's file name, e.g. `Katalon_Studio_Engine_Linux_64-10.3.1.tar.gz`.
    pub file: String,
    pub version: String,
    pub platform: Platform,
    /// katalonc, relative to `tree/`, `/`-separated.
    pub katalonc: String,
    pub manifest: Manifest,
}

/// An engine that is complete in the cache.
#[derive(Debug, Clone)]
pub struct Engine {
    pub dir: PathBuf,
    pub meta: Meta,
}

impl Engine {
    pub fn tree(&self) -> PathBuf {
        self.dir.join(TREE)
    }

    pub fn katalonc(&self) -> PathBuf {
        self.tree().join(&self.meta.katalonc)
    }
}

/// The engines of a cache.
pub struct Engines<'a> {
    cache: &'a Cache,
}

impl<'a> Engines<'a> {
    pub fn new(cache: &'a Cache) -> Self {
        Engines { cache }
    }

    pub fn cache(&self) -> &Cache {
        self.cache
    }

    pub fn dir_of(&self, sha: &Sha256) -> PathBuf {
        self.cache.layout_dir().join("engines").join(sha.hex())
    }

    /// The engine `sha`, if complete in the cache (its `engine.json` is
    /// written before the folder is renamed into place: its presence is the
    /// completion marker).
    pub fn get(&self, sha: &Sha256) -> Option<Engine> {
        let dir = self.dir_of(sha);
        let bytes = fs::read(dir.join(META)).ok()?;
        let meta: Meta = serde_json::from_slice(&bytes).ok()?;
        (meta.sha256 == *sha && meta.format == FORMAT).then_some(Engine { dir, meta })
    }

    /// Every engine folder's address (complete or not).
    pub fn all(&self) -> Vec<Sha256> {
        crate::fsutil::sha256_dirs(&self.cache.layout_dir().join("engines"))
    }

    /// Writes `engine.json` into the staging folder, then renames it into
    /// place. Someone else's complete engine wins over ours.
    pub fn commit(&self, staging: crate::plugins::cache::Staging, meta: Meta) -> Result<Engine, Error> {
        let meta_path = staging.dir.join(META);
        let bytes = serde_json::to_vec(&meta).map_err(|e| Error::Io(e.into()))?;
        // Synced before the rename: after a crash the marker is whole or absent.
        // Closed before it too (Windows cannot rename a folder with an open file).
        {
            let mut f = fs::File::create(&meta_path)?;
            std::io::Write::write_all(&mut f, &bytes)?;
            f.sync_all()?;
        }
        let target = self.dir_of(&meta.sha256);
        if target.exists() && self.get(&meta.sha256).is_none() {
            // A folder without a valid marker is nobody's engine (a bug or a
            // hand edit): make way.
            self.cache.remove_dir(&meta.sha256, &target)?;
        }
        staging.persist(&target)?;
        Ok(Engine { dir: target, meta })
    }

    pub fn remove(&self, sha: &Sha256) -> Result<(), Error> {
        self.cache.remove_dir(sha, &self.dir_of(sha))
    }

    /// Re-hashes every file of the engine `sha` against its manifest: what
    /// changed, went missing or was added (empty when none).
    pub fn verify(&self, sha: &Sha256) -> Vec<String> {
        let Some(engine) = self.get(sha) else {
            return vec![format!("{} is missing or unreadable", self.dir_of(sha).join(META).display())];
        };
        compare(&engine.tree(), &engine.meta.manifest)
    }
}

/// How the tree at `root` differs from `manifest`, one line per path.
pub fn compare(root: &Path, manifest: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    let found = walk(root);
    for (rel, node) in manifest {
        let path = root.join(rel);
        let Some(kind) = found.get(rel) else {
            problems.push(format!("{rel}: missing"));
            continue;
        };
        match (node, kind) {
            (Node::Dir, Kind::Dir) => {}
            (Node::File { sha256, size, .. }, Kind::File) => match Sha256::of_file(&path) {
                Err(e) => problems.push(format!("{rel}: {e}")),
                Ok(actual) if actual != *sha256 => {
                    let len = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                    problems
                        .push(format!("{rel}: changed (sha256 {actual}, {len} bytes; expected {sha256}, {size} bytes)"))
                }
                Ok(_) => {}
            },
            (Node::Symlink { target }, Kind::Symlink) => {
                let now = fs::read_link(&path).map(|t| t.to_string_lossy().replace('\\', "/")).unwrap_or_default();
                if now != *target {
                    problems.push(format!("{rel}: link changed (to `{now}`, expected `{target}`)"));
                }
            }
            _ => problems.push(format!("{rel}: changed type")),
        }
    }
    for rel in found.keys().filter(|r| !manifest.contains_key(*r)) {
        problems.push(format!("{rel}: added"));
    }
    problems
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dir,
    File,
    Symlink,
}

/// Every path under `root` (not following links), `/`-separated.
fn walk(root: &Path) -> std::collections::BTreeMap<String, Kind> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
            let Ok(t) = entry.file_type() else { continue };
            if t.is_symlink() {
                out.insert(rel, Kind::Symlink);
            } else if t.is_dir() {
                stack.push((entry.path(), rel.clone()));
                out.insert(rel, Kind::Dir);
            } else {
                out.insert(rel, Kind::File);
            }
        }
    }
    out
}
