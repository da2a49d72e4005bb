//! Builds katalonc's argument vector from the validated config and project.
//!
//! The key is not part of the vector: it is a placeholder token, replaced
//! only when the line is rendered for a consumer that asked for it. So a
//! [`Line`] can be logged, linted and compared without any risk of leaking.

use std::path::{Component, Path, PathBuf};

use crate::config::Run;
use crate::location::Location;
use crate::project::{Project, ResolvedTarget, TsKind};
use crate::secret::{ApiKey, MASK};

/// One token of the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Arg(String),
    /// `-apiKey=<key>`, filled in at rendering.
    ApiKey,
}

/// How the `-apiKey` token is rendered.
#[derive(Clone, Copy)]
pub enum KeyView<'a> {
    /// The real key (stdout, `--output`, GitHub outputs).
    Real(&'a ApiKey),
    /// `-apiKey=***` (logs, stderr).
    Masked,
    /// Left out (`--without-api-key`).
    Omit,
}

impl<'a> KeyView<'a> {
    /// The real key when there is one, else no `-apiKey` token at all.
    pub fn real_or_omit(key: Option<&'a ApiKey>) -> Self {
        key.map_or(KeyView::Omit, KeyView::Real)
    }
}

/// A katalonc line, without the program name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Line {
    pub main: Vec<Token>,
    /// Options after `--config`, without the `--config` token itself.
    pub config: Vec<String>,
    /// Where each token of `main` / `config` was written (config file:line),
    /// `None` for what katalon-prep generated or a flag gave. For the lint.
    pub main_at: Vec<Option<Location>>,
    pub config_at: Vec<Option<Location>>,
}

impl Line {
    /// The argv for `view`.
    pub fn render(&self, view: KeyView) -> Vec<String> {
        let mut out = Vec::with_capacity(self.main.len() + self.config.len() + 1);
        for token in &self.main {
            match (token, view) {
                (Token::Arg(a), _) => out.push(a.clone()),
                (Token::ApiKey, KeyView::Real(key)) => out.push(format!("-apiKey={}", key.expose())),
                (Token::ApiKey, KeyView::Masked) => out.push(format!("-apiKey={MASK}")),
                (Token::ApiKey, KeyView::Omit) => {}
            }
        }
        if !self.config.is_empty() {
            out.push("--config".to_string());
            out.extend(self.config.iter().cloned());
        }
        out
    }

    /// Appends extra options (e.g. `run -- ...`) before the key and `--config`.
    pub fn push_main(&mut self, arg: String) {
        let at = self.main.iter().position(|t| *t == Token::ApiKey).unwrap_or(self.main.len());
        self.main_at.resize(self.main.len(), None);
        self.main.insert(at, Token::Arg(arg));
        self.main_at.insert(at, None);
    }

    /// Appends an option after `--config`.
    pub fn push_config(&mut self, arg: String) {
        self.config_at.resize(self.config.len(), None);
        self.config.push(arg);
        self.config_at.push(None);
    }

    /// Where token `i` of `main` was written.
    pub fn main_origin(&self, i: usize) -> Option<&Location> {
        self.main_at.get(i).and_then(Option::as_ref)
    }

    /// Where option `i` after `--config` was written.
    pub fn config_origin(&self, i: usize) -> Option<&Location> {
        self.config_at.get(i).and_then(Option::as_ref)
    }
}

/// Where paths point: emitted paths are relative to the working directory,
/// prefixed with `--workdir-as` when the run sees the checkout elsewhere.
#[derive(Debug, Clone)]
pub struct PathStyle {
    pub cwd: PathBuf,
    pub workdir_as: Option<String>,
}

impl PathStyle {
    pub fn show(&self, path: &Path) -> String {
        let rel = relative(path, &self.cwd);
        match &self.workdir_as {
            Some(prefix) => {
                // `C:\runner\work` names a Windows folder: the rest follows its separator.
                let sep = if prefix.contains('\\') && !prefix.contains('/') { "\\" } else { "/" };
                let prefix = prefix.trim_end_matches(['/', '\\']);
                if rel.as_os_str() == "." {
                    if prefix.is_empty() { sep.into() } else { prefix.to_string() }
                } else {
                    format!("{prefix}{sep}{}", slash(&rel).replace('/', sep))
                }
            }
            None => slash(&rel),
        }
    }
}

/// A path with `/` between its parts, as katalonc reads it on every
/// platform (Java takes `/` on Windows too). A path on another drive or
/// share keeps it: `D:/proj/Demo.prj`, `//server/share/proj/Demo.prj`; a
/// verbatim `\\?\` path is shown as it is (it does not take `/`).
fn slash(path: &Path) -> String {
    let mut out = String::new();
    for c in path.components() {
        match c {
            Component::Prefix(p) => {
                if p.kind().is_verbatim() {
                    return path.display().to_string();
                }
                out.push_str(&p.as_os_str().to_string_lossy().replace('\\', "/"));
            }
            Component::RootDir => out.push('/'),
            other => {
                if !out.is_empty() && !out.ends_with('/') {
                    out.push('/');
                }
                out.push_str(&other.as_os_str().to_string_lossy());
            }
        }
    }
    out
}

/// Whether two components name the same thing: Windows compares names
/// without regard to case (`C:\Work` is `c:\work`).
fn same_component(a: &Component, b: &Component) -> bool {
    if cfg!(windows) {
        a.as_os_str().to_string_lossy().to_lowercase() == b.as_os_str().to_string_lossy().to_lowercase()
    } else {
        a == b
    }
}

/// `path` relative to `base` (both made absolute against `base`), `.` when equal.
pub fn relative(path: &Path, base: &Path) -> PathBuf {
    let path = normalize(&absolute_against(base, path));
    let base = normalize(base);
    let p: Vec<Component> = path.components().collect();
    let b: Vec<Component> = base.components().collect();
    let common = p.iter().zip(&b).take_while(|(x, y)| same_component(x, y)).count();
    if common == 0 || (common == 1 && matches!(p[0], Component::Prefix(_))) {
        return path;
    }
    let mut out = PathBuf::new();
    for _ in common..b.len() {
        out.push("..");
    }
    for c in &p[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

/// `base.join(path)`, except that a drive-relative Windows path (`D:dir`,
/// a drive but no root) is resolved against that drive's current folder,
/// as Windows itself does, instead of being left relative.
pub fn absolute_against(base: &Path, path: &Path) -> PathBuf {
    let mut parts = path.components();
    if matches!(parts.next(), Some(Component::Prefix(_)))
        && !matches!(parts.next(), Some(Component::RootDir))
        && let Ok(abs) = std::path::absolute(path)
    {
        return abs;
    }
    base.join(path)
}

/// Removes `.` and resolves `..` lexically (no filesystem access).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Everything that goes into the line.
pub struct Inputs<'a> {
    pub project: &'a Project,
    pub target: Option<&'a ResolvedTarget>,
    pub run: &'a Run,
    pub paths: &'a PathStyle,
    /// Whether an `-apiKey` token goes in.
    pub with_key: bool,
}

/// Builds the line in the documented order.
pub fn build(inputs: &Inputs) -> Line {
    let run = inputs.run;
    let mut line = Line::default();
    let mut push = |token: Token, at: Option<&Location>| {
        line.main.push(token);
        line.main_at.push(at.cloned());
    };
    push(Token::Arg("-noSplash".into()), None);
    push(Token::Arg("-runMode=console".into()), None);
    push(Token::Arg(format!("-projectPath={}", inputs.paths.show(&inputs.project.prj))), None);
    if let Some(target) = inputs.target {
        let option = match target.kind {
            TsKind::Suite => "-testSuitePath",
            TsKind::Collection => "-testSuiteCollectionPath",
        };
        push(Token::Arg(format!("{option}={}", target.path)), run.target.as_ref().and_then(|t| t.at.as_ref()));
    }
    if let Some(browser) = &run.browser {
        push(Token::Arg(format!("-browserType={}", browser.value)), browser.at.as_ref());
    }
    if let Some(profile) = &run.profile {
        push(Token::Arg(format!("-executionProfile={}", profile.value)), profile.at.as_ref());
    }
    if let Some(retry) = run.retry {
        push(Token::Arg(format!("-retry={retry}")), None);
    }
    if let Some(folder) = &run.report_folder {
        push(Token::Arg(format!("-reportFolder={}", inputs.paths.show(folder))), None);
    }
    for (name, value) in &run.globals {
        push(Token::Arg(format!("-g_{name}={}", value.value)), value.at.as_ref());
    }
    for arg in &run.args {
        push(Token::Arg(arg.value.clone()), arg.at.as_ref());
    }
    if inputs.with_key {
        push(Token::ApiKey, None);
    }
    for (name, value) in &run.config {
        line.config.push(format!("-{name}={}", value.value));
        line.config_at.push(value.at.clone());
    }
    line
}

/// The katalonc line of a run of `project` (a plan's, or `init`'s draft).
pub fn line_of(
    project: &Project,
    target: Option<&ResolvedTarget>,
    run: &Run,
    cwd: &Path,
    workdir_as: Option<String>,
    with_key: bool,
) -> Line {
    let paths = PathStyle { cwd: cwd.to_path_buf(), workdir_as };
    build(&Inputs { project, target, run, paths: &paths, with_key })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/a/b/c.prj"), Path::new("/a")), PathBuf::from("b/c.prj"));
        assert_eq!(relative(Path::new("/a"), Path::new("/a")), PathBuf::from("."));
        assert_eq!(relative(Path::new("/x/y"), Path::new("/a/b")), PathBuf::from("../../x/y"));
        assert_eq!(relative(Path::new("b/./c"), Path::new("/a")), PathBuf::from("b/c"));
    }

    #[test]
    fn workdir_as_in_windows_form_keeps_its_separator() {
        let s = PathStyle { cwd: "/repo".into(), workdir_as: Some("C:\\runner\\work\\".into()) };
        assert_eq!(s.show(Path::new("/repo/tests/demo.prj")), "C:\\runner\\work\\tests\\demo.prj");
        assert_eq!(s.show(Path::new("/repo")), "C:\\runner\\work");
    }

    /// Windows paths as a Windows build sees them (run under Wine in CI).
    #[cfg(windows)]
    mod windows {
        use super::*;

        fn show(cwd: &str, path: &str) -> String {
            PathStyle { cwd: cwd.into(), workdir_as: None }.show(Path::new(path))
        }

        #[test]
        fn backslashes_become_slashes_relative_to_the_working_directory() {
            assert_eq!(show(r"C:\repo", r"C:\repo\tests\katalon\Demo.prj"), "tests/katalon/Demo.prj");
            assert_eq!(show(r"C:\repo\ci", r"C:\repo\tests\Demo.prj"), "../tests/Demo.prj");
            assert_eq!(show(r"C:\repo", r"tests\.\katalon\..\Demo.prj"), "tests/Demo.prj");
            assert_eq!(show(r"C:\repo", r"C:\repo"), ".");
        }

        #[test]
        fn drive_letters_and_folder_names_compare_without_case() {
            assert_eq!(show(r"c:\Work\Repo", r"C:\work\repo\Demo.prj"), "Demo.prj");
            assert_eq!(relative(Path::new(r"C:\A\B\x.prj"), Path::new(r"c:\a")), PathBuf::from(r"B\x.prj"));
        }

        #[test]
        fn another_drive_stays_absolute_with_its_drive() {
            assert_eq!(show(r"C:\repo", r"D:\proj\Demo.prj"), "D:/proj/Demo.prj");
        }

        #[test]
        fn a_rooted_path_without_drive_is_on_the_working_directorys_drive() {
            assert_eq!(show(r"C:\repo", r"\repo\Demo.prj"), "Demo.prj");
            assert_eq!(show(r"C:\repo", r"\other\Demo.prj"), "../other/Demo.prj");
        }

        #[test]
        fn unc_paths_keep_their_server_and_share() {
            assert_eq!(show(r"C:\repo", r"\\server\share\proj\Demo.prj"), "//server/share/proj/Demo.prj");
            assert_eq!(show(r"\\server\share\repo", r"\\SERVER\Share\repo\a\Demo.prj"), "a/Demo.prj");
            assert_eq!(show(r"\\server\share\repo", r"\\other\share\Demo.prj"), "//other/share/Demo.prj");
        }

        #[test]
        fn verbatim_paths_are_shown_as_they_are() {
            assert_eq!(show(r"C:\repo", r"\\?\D:\proj\Demo.prj"), r"\\?\D:\proj\Demo.prj");
        }

        /// `D:dir` is relative to the current folder of drive D: (here the
        /// working directory's drive, whose current folder is the working directory).
        #[test]
        fn drive_relative_paths_resolve_against_that_drives_current_folder() {
            let cwd = std::env::current_dir().unwrap();
            let Some(Component::Prefix(drive)) = cwd.components().next() else { panic!("{cwd:?} has no drive") };
            let drive = drive.as_os_str().to_string_lossy().into_owned();
            let given = format!(r"{drive}tests\Demo.prj");
            assert_eq!(show(&cwd.to_string_lossy(), &given), "tests/Demo.prj");
        }
    }

    #[test]
    fn workdir_as_prefixes_paths() {
        let s = PathStyle { cwd: "/repo".into(), workdir_as: Some("/tmp/project/".into()) };
        assert_eq!(s.show(Path::new("/repo/demo.prj")), "/tmp/project/demo.prj");
        assert_eq!(s.show(Path::new("/repo")), "/tmp/project");
    }
}
