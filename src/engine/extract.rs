//! Unpacking an engine archive safely: a tar.gz read from a stream (the
//! download itself, so that download, hash and extraction are one pass) or
//! a zip on disk. Every entry is checked as plugin packages are (no `..`, no
//! absolute paths, no devices, capped total size and compression ratio),
//! except that symbolic links are allowed when they are relative and resolve
//! inside the folder being extracted (JREs and `.app` bundles carry them).
//! Every regular file is hashed as it is written: the manifest lets
//! `cache verify` find changed, missing or added files later.
//!
//! Pure file work under the folder it is given; no network, no cache policy.
//! Files are written read-only (their execute bits kept): the extracted tree
//! is the cache's, and nothing may write into it afterwards.

use fs_err::{self as fs, File};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use crate::digest::{HashingWriter, Sha256};
use crate::plugins::archive::{Limits, check_entry_name};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{name} is not a valid {format} archive: {reason}")]
    Format { name: String, format: &'static str, reason: String },
    #[error("Unsafe archive {name}: entry `{entry}` {reason}")]
    Unsafe { name: String, entry: String, reason: String },
    #[error("Archive {name} is too large when unpacked ({reason})")]
    Bomb { name: String, reason: String },
    /// The file and the operation that failed are in the cause: fs-err
    /// names them.
    #[error("Could not write the engine's files")]
    Io(#[from] io::Error),
}

impl Error {
    /// The documented exit code: bad content is an integrity error (30), a
    /// failed write the disk's (40).
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::Format { .. } => Exit::Integrity,
            Error::Unsafe { .. } => Exit::Integrity,
            Error::Bomb { .. } => Exit::Integrity,
            Error::Io(_) => Exit::Filesystem,
        }
    }
}

/// One entry of the extracted tree, by its `/`-separated path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Node {
    Dir,
    File { sha256: Sha256, size: u64, executable: bool },
    Symlink { target: String },
}

/// What was extracted: every path, and what it is.
pub type Manifest = BTreeMap<String, Node>;

/// The state of one extraction: where, what so far, the caps.
struct Unpacker<'a> {
    root: &'a Path,
    name: &'a str,
    limits: Limits,
    manifest: Manifest,
    symlinks: BTreeSet<String>,
    total: u64,
}

impl<'a> Unpacker<'a> {
    fn new(root: &'a Path, name: &'a str, limits: Limits) -> Self {
        Unpacker { root, name, limits, manifest: Manifest::new(), symlinks: BTreeSet::new(), total: 0 }
    }

    fn unsafe_entry(&self, entry: &str, reason: impl Into<String>) -> Error {
        Error::Unsafe { name: self.name.to_string(), entry: entry.to_string(), reason: reason.into() }
    }

    /// Checks an entry's name; returns its normalised relative path (`None`
    /// for the root itself, `./`).
    fn check(&self, raw: &str) -> Result<Option<String>, Error> {
        check_entry_name(raw).map_err(|reason| self.unsafe_entry(raw, reason))?;
        let parts: Vec<&str> = raw.split(['/', '\\']).filter(|c| !c.is_empty() && *c != ".").collect();
        if parts.is_empty() {
            return Ok(None);
        }
        if self.manifest.len() >= self.limits.max_entries {
            return Err(Error::Bomb {
                name: self.name.to_string(),
                reason: format!("more than {} entries", self.limits.max_entries),
            });
        }
        // Writing through a link the archive made could land anywhere it points.
        for i in 1..parts.len() {
            let prefix = parts[..i].join("/");
            if self.symlinks.contains(&prefix) {
                return Err(self.unsafe_entry(raw, format!("goes through the symbolic link `{prefix}`")));
            }
        }
        Ok(Some(parts.join("/")))
    }

    /// Creates the folders above `rel`, recording those the archive did not
    /// list (so `cache verify` does not report them as added).
    fn parent_dirs(&mut self, rel: &str) -> Result<PathBuf, Error> {
        let mut prefix = String::new();
        let parts: Vec<&str> = rel.split('/').collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(part);
            self.manifest.entry(prefix.clone()).or_insert(Node::Dir);
        }
        let path = self.root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        Ok(path)
    }

    fn dir(&mut self, rel: String) -> Result<(), Error> {
        let path = self.root.join(&rel);
        fs::create_dir_all(&path)?;
        self.manifest.entry(rel).or_insert(Node::Dir);
        Ok(())
    }

    /// Writes one regular file from `content`, counting real bytes (headers
    /// can lie) against the caps; `compressed` tells how many bytes of the
    /// archive have been read so far, for the ratio.
    fn file(
        &mut self,
        rel: String,
        mut content: impl Read,
        executable: bool,
        compressed: &dyn Fn() -> u64,
    ) -> Result<(), Error> {
        let path = self.parent_dirs(&rel)?;
        if self.manifest.contains_key(&rel) {
            return Err(self.unsafe_entry(&rel, "appears twice"));
        }
        let file = File::options().write(true).create_new(true).open(&path)?;
        let mut out = HashingWriter::new(io::BufWriter::with_capacity(256 * 1024, file));
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match content.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.format_error(e)),
            };
            self.total += n as u64;
            if self.total > self.limits.max_total {
                return Err(Error::Bomb {
                    name: self.name.to_string(),
                    reason: format!("more than {} bytes", self.limits.max_total),
                });
            }
            if self.total > (1 << 20) && self.total / compressed().max(1) > self.limits.max_ratio {
                return Err(Error::Bomb {
                    name: self.name.to_string(),
                    reason: format!("expands more than {}:1", self.limits.max_ratio),
                });
            }
            out.write_all(&buf[..n])?;
        }
        let (sha256, size, buffered) = out.finish();
        let file = buffered.into_inner().map_err(|e| Error::Io(e.into_error()))?;
        read_only(&file, executable)?;
        self.manifest.insert(rel, Node::File { sha256, size, executable });
        Ok(())
    }

    fn format_error(&self, e: io::Error) -> Error {
        Error::Format { name: self.name.to_string(), format: "engine", reason: e.to_string() }
    }

    /// A symbolic link: relative, and resolving (by its text) inside the root.
    fn symlink(&mut self, rel: String, target: &str) -> Result<(), Error> {
        if target.is_empty() || target.contains('\0') {
            return Err(self.unsafe_entry(&rel, "is a symbolic link with an empty or invalid target"));
        }
        if target.starts_with('/') || target.starts_with('\\') || target.as_bytes().get(1) == Some(&b':') {
            return Err(self.unsafe_entry(&rel, format!("is a symbolic link to the absolute path `{target}`")));
        }
        if resolve_inside(&rel, target).is_none() {
            return Err(
                self.unsafe_entry(&rel, format!("is a symbolic link to `{target}`, outside the engine's folder"))
            );
        }
        if self.manifest.contains_key(&rel) {
            return Err(self.unsafe_entry(&rel, "appears twice"));
        }
        let path = self.parent_dirs(&rel)?;
        make_symlink(target, &path)?;
        self.symlinks.insert(rel.clone());
        self.manifest.insert(rel, Node::Symlink { target: target.to_string() });
        Ok(())
    }

    /// A hard link to a file extracted before it.
    fn hardlink(&mut self, rel: String, target_raw: &str) -> Result<(), Error> {
        let Some(target) = self.check(target_raw)? else {
            return Err(self.unsafe_entry(&rel, "is a hard link to the archive's root"));
        };
        let Some(node @ Node::File { .. }) = self.manifest.get(&target).cloned() else {
            return Err(self.unsafe_entry(&rel, format!("is a hard link to `{target}`, which is not a file before it")));
        };
        if self.manifest.contains_key(&rel) {
            return Err(self.unsafe_entry(&rel, "appears twice"));
        }
        let path = self.parent_dirs(&rel)?;
        fs::hard_link(self.root.join(&target), &path)?;
        self.manifest.insert(rel, node);
        Ok(())
    }

    /// After the last entry: every link must really resolve inside the root
    /// (a chain of links can leave it although each one's text stays in).
    fn finish(self) -> Result<Manifest, Error> {
        let root = fs::canonicalize(self.root)?;
        for rel in &self.symlinks {
            let path = self.root.join(rel);
            match fs::canonicalize(&path) {
                Ok(real) if real.starts_with(&root) => {}
                Ok(_) => {
                    return Err(self.unsafe_entry(rel, "is a symbolic link that resolves outside the engine's folder"));
                }
                // Dangling: fine only if its text does not pass through another link.
                Err(_) => {
                    let Some(Node::Symlink { target }) = self.manifest.get(rel) else { continue };
                    if through_links(rel, target, &self.symlinks) {
                        return Err(self.unsafe_entry(rel, "is a dangling symbolic link through another link"));
                    }
                }
            }
        }
        Ok(self.manifest)
    }
}

/// The components of `target` resolved from the folder of the link at
/// `link` (both relative to the root), or `None` when it climbs out.
fn resolve_inside(link: &str, target: &str) -> Option<Vec<String>> {
    let mut parts: Vec<String> = link.split('/').map(str::to_string).collect();
    parts.pop();
    for c in Path::new(&target.replace('\\', "/")).components() {
        match c {
            Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts)
}

/// Whether resolving `target` from the link at `link` passes through one
/// of `links` (then its text says nothing about where it really leads).
fn through_links(link: &str, target: &str, links: &BTreeSet<String>) -> bool {
    let mut parts: Vec<String> = link.split('/').map(str::to_string).collect();
    parts.pop();
    for c in Path::new(&target.replace('\\', "/")).components() {
        match c {
            Component::Normal(n) => {
                parts.push(n.to_string_lossy().into_owned());
                if links.contains(&parts.join("/")) {
                    return true;
                }
            }
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return true;
                }
            }
            Component::RootDir | Component::Prefix(_) => return true,
        }
    }
    false
}

#[cfg(unix)]
fn make_symlink(target: &str, path: &Path) -> io::Result<()> {
    fs::os::unix::fs::symlink(target, path)
}

#[cfg(not(unix))]
fn make_symlink(target: &str, path: &Path) -> io::Result<()> {
    let _ = target;
    Err(io::Error::other(format!(
        "cannot make the symbolic link `{}`: symbolic links in the engine are supported on Unix only",
        path.display()
    )))
}

/// Read-only, keeping the execute bits.
fn read_only(file: &File, executable: bool) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(if executable { 0o555 } else { 0o444 }))
    }
    #[cfg(not(unix))]
    {
        let _ = executable;
        let mut perms = file.metadata()?.permissions();
        perms.set_readonly(true);
        file.set_permissions(perms)
    }
}

/// Counts the bytes read through it (the compressed side, for the ratio).
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Extracts a gzipped tar read from `input` into `root` (which must exist).
pub fn untar_gz(input: &mut dyn Read, root: &Path, name: &str, limits: Limits) -> Result<Manifest, Error> {
    let count = Rc::new(Cell::new(0u64));
    let counting = Counting { inner: input, count: Rc::clone(&count) };
    let compressed = || count.get();
    let gz = flate2::read::GzDecoder::new(io::BufReader::with_capacity(256 * 1024, counting));
    let mut archive = tar::Archive::new(gz);
    let mut un = Unpacker::new(root, name, limits);
    let bad = |e: io::Error| Error::Format { name: name.to_string(), format: "tar.gz", reason: e.to_string() };
    for entry in archive.entries().map_err(bad)? {
        let entry = entry.map_err(bad)?;
        let raw = String::from_utf8(entry.path_bytes().into_owned())
            .map_err(|e| un.unsafe_entry(&String::from_utf8_lossy(e.as_bytes()), "has a name that is not UTF-8"))?;
        let kind = entry.header().entry_type();
        let Some(rel) = un.check(&raw)? else { continue };
        use tar::EntryType as T;
        match kind {
            T::Directory => un.dir(rel)?,
            T::Regular | T::Continuous => {
                let executable = entry.header().mode().map(|m| m & 0o111 != 0).unwrap_or(false);
                un.file(rel, entry, executable, &compressed)?;
            }
            T::Symlink => {
                let target =
                    entry.link_name_bytes().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
                un.symlink(rel, &target)?;
            }
            T::Link => {
                let target =
                    entry.link_name_bytes().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
                un.hardlink(rel, &target)?;
            }
            // Metadata the tar reader has applied already.
            T::XGlobalHeader | T::XHeader | T::GNULongName | T::GNULongLink => {}
            other => {
                return Err(
                    un.unsafe_entry(&raw, format!("is a {other:?} entry (only files, folders and links are allowed)"))
                );
            }
        }
    }
    un.finish()
}

/// Extracts a zip on disk into `root` (which must exist).
pub fn unzip(archive: &Path, root: &Path, name: &str, limits: Limits) -> Result<Manifest, Error> {
    let file = File::open(archive)?;
    let bad = |e: zip::result::ZipError| Error::Format { name: name.to_string(), format: "zip", reason: e.to_string() };
    let mut zip = zip::ZipArchive::new(io::BufReader::new(file)).map_err(bad)?;
    let mut un = Unpacker::new(root, name, limits);
    if zip.len() > limits.max_entries {
        return Err(Error::Bomb { name: name.to_string(), reason: format!("{} entries", zip.len()) });
    }
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(bad)?;
        let raw = entry.name().map(|n| n.into_owned()).map_err(bad)?;
        let Some(rel) = un.check(&raw)? else { continue };
        let compressed_so_far = entry.data_start().unwrap_or(0) + entry.compressed_size();
        if entry.is_dir() {
            un.dir(rel)?;
        } else if entry.is_symlink() {
            let mut target = String::new();
            entry.by_ref().take(4096).read_to_string(&mut target).map_err(|e| un.format_error(e))?;
            un.symlink(rel, &target)?;
        } else {
            let executable = entry.unix_mode().is_some_and(|m| m & 0o111 != 0);
            un.file(rel, entry, executable, &|| compressed_so_far)?;
        }
    }
    un.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_from_their_folder() {
        assert_eq!(resolve_inside("a/b/link", "../c"), Some(vec!["a".to_string(), "c".to_string()]));
        assert_eq!(resolve_inside("a/link", "../../x"), None);
        assert_eq!(resolve_inside("link", "./x/../y"), Some(vec!["y".to_string()]));
        assert_eq!(resolve_inside("link", ".."), None);
    }
}
