//! Which report files to read: every `JUnit_Report.xml` under the folders
//! searched (and the files named), grouped by suite, the newest run of each
//! suite kept unless `all`. A run folder (named `yyyyMMdd_HHmmss`) holding
//! `execution0.log` and no JUnit file is a suite that crashed before writing
//! its report, and competes as that suite's run like any other.
//!
//! Layouts: Katalon 6.x writes `Reports/<suite path>/<ts>/`, 7.x and later
//! `Reports/<ts>/<suite path>/<ts>/`; `-reportFolder=DIR` copies one run's
//! files into DIR. The suite of a run folder is the path between the folder
//! searched (and a leading `Reports` and `<ts>`) and the run folder.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{EXECUTION_LOG, JUNIT_FILE};

/// Folders are searched this deep at most (symbolic links are not followed).
const MAX_DEPTH: usize = 16;

/// What a candidate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A JUnit file to read.
    Junit,
    /// A run folder with a log and without a JUnit file.
    Crashed,
}

/// One suite run found on disk.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub kind: Kind,
    /// The JUnit file ([`Kind::Junit`]) or the log ([`Kind::Crashed`]).
    pub path: PathBuf,
    /// The run folder.
    pub folder: PathBuf,
    /// The suite, from the path (`Regression/Checkout`); empty when the
    /// path does not tell (a file named on the command line, a flat folder).
    pub suite: String,
    /// The run folder's `yyyyMMdd_HHmmss` name, when it has one.
    pub stamp: Option<String>,
    /// The `Reports/<ts>/` folder above it (7.x+: one per katalonc run), when there is one.
    pub batch: Option<String>,
    pub modified: SystemTime,
    /// Named on the command line: always read.
    pub named: bool,
}

/// What was searched, for the message when nothing is found.
#[derive(Debug, Clone, Default)]
pub struct Search {
    pub candidates: Vec<Candidate>,
    /// Each place looked in, with what was wrong with it (`None`: searched).
    pub looked: Vec<(PathBuf, Option<String>)>,
}

/// Whether a folder name is a Katalon run timestamp, `yyyyMMdd_HHmmss`.
pub fn is_stamp(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() == 15 && b[8] == b'_' && b.iter().enumerate().all(|(i, c)| i == 8 || c.is_ascii_digit())
}

/// Searches `roots` (folders to walk, or files to read).
pub fn search(roots: &[PathBuf]) -> Search {
    let mut out = Search::default();
    let mut seen = std::collections::HashSet::new();
    for root in roots {
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                let why = if e.kind() == std::io::ErrorKind::NotFound {
                    "no such file or folder".into()
                } else {
                    e.to_string()
                };
                out.looked.push((root.clone(), Some(why)));
                continue;
            }
        };
        out.looked.push((root.clone(), None));
        if meta.is_file() {
            let key = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
            if seen.insert(key) {
                let folder = root.parent().map(Path::to_path_buf).unwrap_or_default();
                out.candidates.push(Candidate {
                    kind: Kind::Junit,
                    stamp: stamp_of(&folder),
                    batch: None,
                    path: root.clone(),
                    folder,
                    suite: String::new(),
                    modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    named: true,
                });
            }
            continue;
        }
        walk(root, root, 0, &mut seen, &mut out.candidates);
    }
    out
}

fn stamp_of(folder: &Path) -> Option<String> {
    folder.file_name().map(|n| n.to_string_lossy().into_owned()).filter(|n| is_stamp(n))
}

fn walk(
    root: &Path,
    dir: &Path,
    depth: usize,
    seen: &mut std::collections::HashSet<PathBuf>,
    out: &mut Vec<Candidate>,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        tracing::debug!(dir = %dir.display(), "cannot list");
        return;
    };
    let mut subdirs = Vec::new();
    let (mut junit, mut log) = (None, None);
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        let name = entry.file_name();
        if kind.is_dir() {
            subdirs.push(entry.path());
        } else if kind.is_file() && name == JUNIT_FILE {
            junit = Some(entry.path());
        } else if kind.is_file() && name == EXECUTION_LOG {
            log = Some(entry.path());
        }
    }
    let stamp = stamp_of(dir);
    let found = match (junit, log) {
        (Some(file), _) => Some((Kind::Junit, file)),
        (None, Some(log)) if stamp.is_some() => Some((Kind::Crashed, log)),
        _ => None,
    };
    if let Some((kind, path)) = found {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(key) {
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
            let (suite, batch) = suite_of(root, dir);
            out.push(Candidate { kind, path, folder: dir.to_path_buf(), suite, batch, stamp, modified, named: false });
        }
    }
    if depth >= MAX_DEPTH {
        return;
    }
    subdirs.sort();
    for sub in subdirs {
        walk(root, &sub, depth + 1, seen, out);
    }
}

/// The suite path of run folder `dir` found under `root`: the folders in
/// between, without a leading `Reports` or `<ts>` (the 7.x+ katalonc run,
/// returned second).
fn suite_of(root: &Path, dir: &Path) -> (String, Option<String>) {
    let Ok(rel) = dir.strip_prefix(root) else { return (String::new(), None) };
    let mut parts: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    // The run folder itself.
    if parts.last().is_some_and(|p| is_stamp(p)) {
        parts.pop();
    }
    if parts.first().is_some_and(|p| p == "Reports") {
        parts.remove(0);
    }
    let mut batch = None;
    if parts.first().is_some_and(|p| is_stamp(p)) {
        batch = Some(parts.remove(0));
    }
    (parts.join("/"), batch)
}

/// Keeps the runs to read: those modified at or after `since`, then per
/// suite the newest (by the run folder's timestamp when every run of the
/// suite has one, else by modification time) unless `all`. The newest run
/// is one katalonc run: a collection that ran a suite twice (two browsers)
/// left two run folders under one `Reports/<ts>/`, and both are kept. Files
/// named on the command line are always kept. Sorted by suite, then oldest
/// first.
pub fn select(mut candidates: Vec<Candidate>, all: bool, since: Option<SystemTime>) -> Vec<Candidate> {
    if let Some(since) = since {
        candidates.retain(|c| c.modified >= since);
    }
    candidates.sort_by(|a, b| a.suite.cmp(&b.suite).then_with(|| a.folder.cmp(&b.folder)));
    if all {
        return candidates;
    }
    let mut kept: Vec<Candidate> = Vec::new();
    let mut groups: std::collections::BTreeMap<String, Vec<Candidate>> = std::collections::BTreeMap::new();
    for c in candidates {
        if c.named || c.suite.is_empty() {
            kept.push(c);
        } else {
            groups.entry(c.suite.clone()).or_default().push(c);
        }
    }
    for (_, runs) in groups {
        let by_stamp = runs.iter().all(|r| r.stamp.is_some());
        let order = |a: &&Candidate, b: &&Candidate| {
            if by_stamp {
                a.batch.cmp(&b.batch).then_with(|| a.stamp.cmp(&b.stamp)).then_with(|| a.modified.cmp(&b.modified))
            } else {
                a.modified.cmp(&b.modified)
            }
        };
        let Some(newest) = runs.iter().max_by(order).cloned() else { continue };
        match &newest.batch {
            Some(batch) if by_stamp => kept.extend(runs.into_iter().filter(|r| r.batch.as_ref() == Some(batch))),
            _ => kept.push(newest),
        }
    }
    kept.sort_by(|a, b| a.suite.cmp(&b.suite).then_with(|| a.folder.cmp(&b.folder)));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suite_paths_of_both_layouts() {
        let root = Path::new("/p/Reports");
        let ts = Some("20240105_101010".to_string());
        assert_eq!(suite_of(root, Path::new("/p/Reports/Smoke/20240105_101010")), ("Smoke".into(), None));
        assert_eq!(
            suite_of(root, Path::new("/p/Reports/20240105_101010/Web/Login/20240105_101011")),
            ("Web/Login".into(), ts.clone())
        );
        assert_eq!(
            suite_of(Path::new("/p"), Path::new("/p/Reports/20240105_101010/A/20240105_101011")),
            ("A".into(), ts)
        );
        assert_eq!(suite_of(root, root), (String::new(), None));
    }

    #[test]
    fn stamps() {
        assert!(is_stamp("20240105_101010"));
        assert!(!is_stamp("2024010_1010101"));
        assert!(!is_stamp("Smoke"));
    }
}
