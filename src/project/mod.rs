//! The Katalon project on disk: find the `.prj`, check what the run names
//! (suite or collection, profile) against the files, and edit the one setting
//! katalon-prep owns (`plugin.reloadOption`, in [`settings`]).
//!
//! Reading is done here; the only write is [`settings::set_offline`]. The
//! `Plugins/` folder belongs to the plugin installer, not to this module.

pub mod collection;
pub mod settings;
pub mod version;
pub mod xml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::config::Target;
use crate::location::{Located, Location, closest, suffix};

/// Where Katalon keeps custom execution configurations: one folder each,
/// named as `-browserType` names it.
pub const CUSTOM_EXECUTION_DIR: &str = "settings/external/execution";

/// How deep the `.prj` search goes below the config's folder.
pub const SEARCH_DEPTH: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("No Katalon project (.prj) found {where_}")]
    NotFound { where_: String },
    #[error("Several Katalon projects found {where_}:\n{}", list(candidates))]
    Ambiguous { where_: String, candidates: Vec<PathBuf> },
    #[error("{message}")]
    Xml { message: String, hint: Option<String> },
    #[error("{what} `{}` does not exist in the project{}", crate::report::untrusted(name), suffix(at))]
    Missing { what: &'static str, name: String, at: Option<Location>, hint: Option<String> },
    #[error("Could not read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{} is UTF-16 text; `offline: true` edits only ISO-8859-1 or UTF-8 properties files (as Katalon writes them), so it was left untouched",
        path.display()
    )]
    Utf16 { path: PathBuf },
    #[error("Could not write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// The documented exit code: the project's content is a project error
    /// (12), reading or writing its files the disk's (40).
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::NotFound { .. } => Exit::Project,
            Error::Ambiguous { .. } => Exit::Project,
            Error::Xml { .. } => Exit::Project,
            Error::Missing { .. } => Exit::Project,
            Error::Read { .. } => Exit::Filesystem,
            Error::Utf16 { .. } => Exit::Project,
            Error::Write { .. } => Exit::Filesystem,
        }
    }

    /// What the user can do about it, printed after the cause chain.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::NotFound { .. } => Some("set `project:` in katalon-prep.yml or pass --project PATH".into()),
            Error::Ambiguous { .. } => Some("choose one with `project:` in katalon-prep.yml or --project PATH".into()),
            Error::Xml { hint, .. } => hint.clone(),
            Error::Missing { hint, .. } => hint.clone(),
            Error::Read { .. } => None,
            Error::Utf16 { .. } => Some(
                "save it as UTF-8, or set plugin.reloadOption=\"OFFLINE\" in it yourself and drop `offline: true`"
                    .into(),
            ),
            Error::Write { .. } => None,
        }
    }
}

fn list(paths: &[PathBuf]) -> String {
    paths.iter().map(|p| format!("  - {}", p.display())).collect::<Vec<_>>().join("\n")
}

/// A Katalon project found on disk.
#[derive(Debug, Clone)]
pub struct Project {
    /// The folder holding the `.prj`.
    pub root: PathBuf,
    /// The `.prj` file.
    pub prj: PathBuf,
    /// `<createdVersion>` / `<modifiedVersion>` of the `.prj`, when present.
    pub created_version: Option<String>,
    pub modified_version: Option<String>,
}

/// The kind of a `.ts` file, decided by its root element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TsKind {
    Suite,
    Collection,
}

/// A run target checked against the project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTarget {
    pub kind: TsKind,
    /// Project-relative, without `.ts`: `Test Suites/Smoke`.
    pub path: String,
}

/// Finds the project: `explicit` (a `.prj` or its folder) or the single
/// `.prj` under `search_root` (depth ≤ [`SEARCH_DEPTH`]).
pub fn discover(explicit: Option<&Located<PathBuf>>, search_root: &Path) -> Result<Project, Error> {
    let prj = match explicit {
        Some(Located { value: path, at }) => {
            let where_ = format!("at {}{}", path.display(), suffix(at));
            if path.is_file() {
                if has_ext(path, "prj") {
                    path.clone()
                } else {
                    return Err(Error::NotFound { where_: format!("{where_}: not a .prj file") });
                }
            } else if path.is_dir() {
                one_of(prj_files(path, 0), where_)?
            } else {
                return Err(Error::NotFound { where_: format!("{where_}: no such file or folder") });
            }
        }
        None => {
            let mut found = Vec::new();
            walk(search_root, SEARCH_DEPTH, &mut found);
            found.sort();
            one_of(found, format!("under {} (searched {SEARCH_DEPTH} levels deep)", search_root.display()))?
        }
    };
    open(&prj)
}

fn one_of(mut found: Vec<PathBuf>, where_: String) -> Result<PathBuf, Error> {
    match found.len() {
        0 => Err(Error::NotFound { where_ }),
        1 => Ok(found.remove(0)),
        _ => Err(Error::Ambiguous { where_, candidates: found }),
    }
}

fn prj_files(dir: &Path, _depth: usize) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && has_ext(p, "prj"))
        .collect();
    out.sort();
    out
}

/// Collects `.prj` files, skipping hidden folders and folders that never
/// hold projects (dependency and build output trees).
fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    // One listing per folder: the `.prj` files in it, and the folders to search below.
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() && has_ext(&path, "prj") {
            found.push(path);
            continue;
        }
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if depth == 0
            || name.starts_with('.')
            || matches!(name.as_ref(), "node_modules" | "target" | "Libs" | "bin" | "Reports")
        {
            continue;
        }
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&path, depth - 1, found);
        }
    }
}

/// Reads a `.prj` file.
pub fn open(prj: &Path) -> Result<Project, Error> {
    let text = read(prj)?;
    let doc = xml::parse(&text, prj)?;
    xml::expect_root(&doc, prj, &["Project"])?;
    let root = prj.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    Ok(Project {
        root,
        prj: prj.to_path_buf(),
        created_version: xml::child_text(doc.root_element(), "createdVersion"),
        modified_version: xml::child_text(doc.root_element(), "modifiedVersion"),
    })
}

pub(crate) fn read(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    // Not the disk's fault: the project file itself is wrong (exit 12).
    String::from_utf8(bytes).map_err(|e| Error::Xml {
        message: format!(
            "{} is not UTF-8 text (byte {} is not valid UTF-8)",
            path.display(),
            e.utf8_error().valid_up_to()
        ),
        hint: Some("Katalon writes its project files as UTF-8; save it as UTF-8".into()),
    })
}

impl Project {
    /// Every `.ts` under `Test Suites/`, as project-relative paths without
    /// the extension, sorted.
    pub fn ts_files(&self) -> Vec<String> {
        let mut out = Vec::new();
        collect_ts(&self.root, &self.root.join("Test Suites"), &mut out);
        out.sort();
        out
    }

    /// Checks that the target exists and decides, from its root element,
    /// whether it is a suite or a collection. `known` gives [`Project::ts_files`]
    /// as the caller listed them, asked for only for the hint when the target is missing.
    pub fn resolve_target<'k>(
        &self,
        target: &Located<Target>,
        known: impl FnOnce() -> &'k [String],
    ) -> Result<ResolvedTarget, Error> {
        let path = target.value.path().to_string();
        let file = self.root.join(format!("{path}.ts"));
        let what = match target.value {
            Target::Suite(_) => "Test suite",
            Target::Collection(_) => "Test suite collection",
        };
        if !file.is_file() {
            let hint = Some(did_you_mean(&path, known(), "the project has no .ts files under `Test Suites/`"));
            return Err(Error::Missing { what, name: path, at: target.at.clone(), hint });
        }
        let kind = self.ts_kind(&file)?;
        Ok(ResolvedTarget { kind, path })
    }

    /// Reads the root element of a `.ts` file.
    pub fn ts_kind(&self, file: &Path) -> Result<TsKind, Error> {
        let text = read(file)?;
        let doc = xml::parse(&text, file)?;
        match xml::expect_root(&doc, file, &["TestSuiteEntity", "TestSuiteCollectionEntity"])? {
            "TestSuiteEntity" => Ok(TsKind::Suite),
            _ => Ok(TsKind::Collection),
        }
    }

    /// Execution profile names (`Profiles/*.glbl`), sorted.
    pub fn profiles(&self) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(self.root.join("Profiles"))
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let p = e.path();
                (has_ext(&p, "glbl")).then(|| p.file_stem().map(|s| s.to_string_lossy().into_owned())).flatten()
            })
            .collect();
        out.sort();
        out
    }

    /// Checks that a profile is one of `known` ([`Project::profiles`], listed once by the caller).
    pub fn check_profile(&self, profile: &Located<String>, known: &[String]) -> Result<(), Error> {
        if known.contains(&profile.value) {
            return Ok(());
        }
        let hint = Some(did_you_mean(&profile.value, known, "the project has no `Profiles/*.glbl`"));
        Err(Error::Missing { what: "Execution profile", name: profile.value.clone(), at: profile.at.clone(), hint })
    }
}

/// The hint for a name the project does not have: the closest of `known`,
/// else `none` when there is nothing, else the whole list.
pub fn did_you_mean(name: &str, known: &[String], none: &str) -> String {
    match closest(name, known.iter().map(String::as_str)) {
        Some(best) => format!("did you mean `{best}`?"),
        None if known.is_empty() => none.to_string(),
        None => format!("the project has: {}", known.join(", ")),
    }
}

/// A project-relative `.ts` path as written (`Test Suites/A.ts`, `Test Suites/A/`)
/// without surrounding blanks, trailing `/` or the `.ts` extension.
pub fn ts_path(written: &str) -> &str {
    let path = written.trim().trim_end_matches('/');
    path.strip_suffix(".ts").unwrap_or(path)
}

impl Project {
    /// The newest Katalon version that saved the project
    /// (`<modifiedVersion>`, else `<createdVersion>`).
    pub fn katalon_version(&self) -> Option<version::Version> {
        [&self.modified_version, &self.created_version]
            .into_iter()
            .flatten()
            .filter_map(|v| version::Version::parse(v))
            .max()
    }

    /// The global variables each execution profile defines
    /// (`<GlobalVariableEntity><name>` in `Profiles/<profile>.glbl`). A profile
    /// that does not parse is listed with no variables.
    pub fn global_variables(&self) -> BTreeMap<String, BTreeSet<String>> {
        self.global_variables_of(&self.profiles())
    }

    /// [`Project::global_variables`] of the `profiles` already listed.
    pub fn global_variables_of(&self, profiles: &[String]) -> BTreeMap<String, BTreeSet<String>> {
        let mut out = BTreeMap::new();
        for profile in profiles.iter().cloned() {
            let file = self.root.join("Profiles").join(format!("{profile}.glbl"));
            let mut names = BTreeSet::new();
            if let Ok(text) = std::fs::read_to_string(&file)
                && let Ok(doc) = roxmltree::Document::parse(&text)
            {
                names.extend(
                    doc.descendants()
                        .filter(|n| n.has_tag_name("GlobalVariableEntity"))
                        .filter_map(|n| xml::child_text(n, "name")),
                );
            }
            out.insert(profile, names);
        }
        out
    }

    /// Custom execution configurations: the visible folders under
    /// `settings/external/execution/`, sorted (Katalon lists them the same way).
    pub fn custom_execution_configs(&self) -> Vec<String> {
        let mut out: Vec<String> = std::fs::read_dir(self.root.join(CUSTOM_EXECUTION_DIR))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        out.sort();
        out
    }

    /// The kind of the `.ts` at a project-relative path (`.ts` optional),
    /// `None` when there is no such file or it is neither kind.
    pub fn ts_kind_at(&self, path: &str) -> Option<TsKind> {
        let path = ts_path(path);
        let file = self.root.join(format!("{path}.ts"));
        if !file.is_file() {
            return None;
        }
        self.ts_kind(&file).ok()
    }
}

fn collect_ts(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            collect_ts(root, &path, out);
        } else if has_ext(&path, "ts")
            && let Ok(rel) = path.with_extension("").strip_prefix(root)
        {
            out.push(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
}

/// Whether `path` has extension `ext`: ignoring case on Windows, whose file
/// systems do (`Demo.PRJ` is the project there), exactly elsewhere.
pub(crate) fn has_ext(path: &Path, ext: &str) -> bool {
    path.extension().is_some_and(|e| if cfg!(windows) { e.eq_ignore_ascii_case(ext) } else { e == ext })
}

#[cfg(test)]
mod ext_tests {
    use super::*;

    #[test]
    fn extensions_match_exactly_off_windows_and_in_any_case_on_it() {
        assert!(has_ext(Path::new("Demo.prj"), "prj"));
        assert_eq!(has_ext(Path::new("Demo.PRJ"), "prj"), cfg!(windows));
        assert_eq!(has_ext(Path::new(r"Test Suites\Smoke.Ts"), "ts"), cfg!(windows));
        assert!(!has_ext(Path::new("Demo.prj.bak"), "prj"));
    }
}
