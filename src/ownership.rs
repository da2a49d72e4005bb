//! Root in a container, files for the workspace's owner: a container started
//! as root (the GitHub container Action, `docker run -v "$PWD":/work`)
//! writes `Plugins/`, the cache and the settings as UID 0 into a checkout
//! that belongs to someone else, who then cannot clean it. When katalon-prep
//! runs as root in a working directory owned by another user, it gives
//! every root-owned entry under that directory (and under an explicitly
//! chosen cache directory) to the directory's owner when the command ends.
//!
//! Owns the hand-over only: it never changes modes, never follows a
//! symlink, never crosses into another filesystem, and does nothing when
//! katalon-prep is not root, when the working directory is root's, or when
//! `KATALON_PREP_CHOWN=false`.

use std::path::{Path, PathBuf};

/// Who gets the files, and where to look for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub uid: u32,
    pub gid: u32,
    pub roots: Vec<PathBuf>,
}

/// The switch that turns the hand-over off.
pub const ENV_SWITCH: &str = crate::env::CHOWN;

/// What a finished command should hand over, decided before it runs (the
/// working directory's owner cannot change under us, but is read once).
/// `cache_dir` is the cache only when chosen explicitly (`--cache-dir`,
/// `KATALON_PREP_CACHE_DIR`): root's own default cache stays root's.
#[cfg(unix)]
pub fn plan(cwd: &Path, cache_dir: Option<&Path>, env: &crate::env::Env) -> Option<Handover> {
    use std::os::unix::fs::MetadataExt;
    let switch = env.chown.as_deref().unwrap_or_default().trim().to_ascii_lowercase();
    if matches!(switch.as_str(), "false" | "0" | "no" | "off") {
        return None;
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let meta = std::fs::metadata(cwd).ok()?;
    if meta.uid() == 0 {
        return None;
    }
    let mut roots = vec![cwd.to_path_buf()];
    if let Some(cache) = cache_dir {
        let cache = cwd.join(cache);
        if !cache.starts_with(cwd) {
            roots.push(cache);
        }
    }
    Some(Handover { uid: meta.uid(), gid: meta.gid(), roots })
}

#[cfg(not(unix))]
pub fn plan(_cwd: &Path, _cache_dir: Option<&Path>, _env: &crate::env::Env) -> Option<Handover> {
    None
}

/// What the hand-over did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Entries given to the owner.
    pub changed: usize,
    /// The first entry that could not be changed, and why.
    pub failed: Option<(PathBuf, String)>,
}

impl Handover {
    /// Gives every root-owned entry under the roots to the owner.
    #[cfg(unix)]
    pub fn apply(&self) -> Outcome {
        use std::os::unix::fs::MetadataExt;
        let mut out = Outcome::default();
        for root in &self.roots {
            let Ok(root_meta) = std::fs::symlink_metadata(root) else { continue };
            let device = root_meta.dev();
            let mut stack = vec![(root.clone(), root_meta)];
            while let Some((path, meta)) = stack.pop() {
                if meta.dev() != device {
                    continue; // another filesystem mounted inside: not ours to change
                }
                if meta.uid() == 0 {
                    match std::os::unix::fs::lchown(&path, Some(self.uid), Some(self.gid)) {
                        Ok(()) => out.changed += 1,
                        Err(e) => {
                            if out.failed.is_none() {
                                out.failed = Some((path.clone(), e.to_string()));
                            }
                        }
                    }
                }
                if !meta.is_dir() {
                    continue;
                }
                for entry in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                    if let Ok(m) = entry.metadata() {
                        stack.push((entry.path(), m));
                    }
                }
            }
        }
        out
    }

    #[cfg(not(unix))]
    pub fn apply(&self) -> Outcome {
        Outcome::default()
    }
}
