//! `katalon-prep.yml`: read the raw YAML ([`raw`]), then validate it once
//! into a [`Config`] whose values carry the file, line and column they were
//! written at. Later stages never see raw YAML.
//!
//! This module reads one file and does no other I/O.

pub mod raw;
mod source;

pub use source::{GithubRelease, Origin, Source, StoreRef, StoreRelease, relative_path};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::digest::Sha256;
use crate::location::{self, Located, Location, closest};
use crate::yaml::{self, ErrorKind, Mark, Spanned, Value};
use raw::{RawConfig, RawEngine, RawKind, RawLint, RawPlugin, RawRun, RawStore};

/// The default config file name, looked for in the working directory.
pub const DEFAULT_FILE: &str = "katalon-prep.yml";
/// The Katalon Store katalonc talks to (katalon.md §2).
pub const DEFAULT_STORE_URL: &str = "https://store.katalon.com";
/// Where Katalon publishes the Runtime Engine archives (katalon.md §7).
pub const DEFAULT_DOWNLOAD_URL: &str = "https://download.katalon.com";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Could not read config file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{at}: {message}")]
    Invalid { at: Location, message: String, hint: Option<String> },
    #[error("{message}")]
    Other { message: String, hint: Option<String> },
}

impl Error {
    /// An error at `at` when the place is known, else one that names none.
    pub fn at(at: Option<Location>, message: impl Into<String>, hint: Option<String>) -> Error {
        match at {
            Some(at) => Error::Invalid { at, message: message.into(), hint },
            None => Error::Other { message: message.into(), hint },
        }
    }

    /// The documented exit code: a config error is a usage error (10), an
    /// unreadable config file included.
    pub fn exit(&self) -> crate::exit::Exit {
        match self {
            Error::Read { .. } => crate::exit::Exit::Usage,
            Error::Invalid { .. } => crate::exit::Exit::Usage,
            Error::Other { .. } => crate::exit::Exit::Usage,
        }
    }

    /// What the user can do about it, printed after the cause chain.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Read { .. } => None,
            Error::Invalid { hint, .. } => hint.clone(),
            Error::Other { hint, .. } => hint.clone(),
        }
    }
}

impl Error {
    /// Where the error is, when it is in a file.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Invalid { at, .. } => Some(at),
            _ => None,
        }
    }
}

/// Keyword plugins go to `Plugins/`, platform (OSGi) plugins to `Plugins/platform/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Keyword,
    Platform,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Keyword => "keyword",
            Kind::Platform => "platform",
        })
    }
}

/// Which kind of `.ts` file the run targets, as the config names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Suite(String),
    Collection(String),
}

impl Target {
    pub fn path(&self) -> &str {
        match self {
            Target::Suite(p) | Target::Collection(p) => p,
        }
    }
}

/// The validated `run:` section.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub target: Option<Located<Target>>,
    pub browser: Option<Located<String>>,
    pub profile: Option<Located<String>>,
    pub retry: Option<u32>,
    /// Resolved against the config's folder.
    pub report_folder: Option<PathBuf>,
    pub globals: BTreeMap<String, Located<String>>,
    pub args: Vec<Located<String>>,
    /// `--config` options, in name order: `(name without dash, value)`.
    pub config: Vec<(String, Located<String>)>,
    /// `run.display`: whether `run` may start an X display.
    pub display: Option<crate::run::display::Mode>,
    /// `run.timeout`: how long katalonc may run (0: no limit).
    pub timeout: Option<Duration>,
    /// `run.kill-after`: the grace period between SIGTERM and SIGKILL.
    pub kill_after: Option<Duration>,
}

/// Which licence the Store picks plugin versions for (`licenseType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LicenseType {
    #[default]
    Enterprise,
    Free,
    Trial,
}

impl LicenseType {
    pub fn as_str(self) -> &'static str {
        match self {
            LicenseType::Enterprise => "ENTERPRISE",
            LicenseType::Free => "FREE",
            LicenseType::Trial => "TRIAL",
        }
    }
}

/// The validated top-level `store:` section.
#[derive(Debug, Clone, Default)]
pub struct StoreSettings {
    /// `store.url`; `KATALON_STORE_URL` overrides it, and
    /// [`DEFAULT_STORE_URL`] is used when neither is set.
    pub url: Option<Located<reqwest::Url>>,
    /// The Katalon Runtime Engine version the run uses (`appVersion`).
    pub app_version: Option<Located<String>>,
    pub license_type: LicenseType,
}

/// The validated `engine:` section: which Katalon Runtime Engine to provision.
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// An exact version, e.g. `10.3.1`.
    pub version: Located<String>,
    /// `engine.url`: a mirror of `https://download.katalon.com`;
    /// `KATALON_DOWNLOAD_URL` overrides it.
    pub url: Option<Located<reqwest::Url>>,
}

/// One validated `plugins:` entry.
#[derive(Debug, Clone)]
pub struct PluginSpec {
    pub source: Source,
    pub sha256: Option<Sha256>,
    pub kind: Option<Kind>,
    /// A glob choosing one jar inside a package.
    pub jar: Option<String>,
    pub at: Option<Location>,
}

impl PluginSpec {
    /// A short human name: the file name of the path or URL.
    pub fn display_name(&self) -> String {
        match &self.source {
            Source::Path(p) => p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
            Source::Url(u) => u.path_segments().and_then(|mut s| s.next_back()).unwrap_or(u.as_str()).to_string(),
            Source::Store(StoreRef::Name(name), ()) => name.clone(),
            Source::Store(r, ()) => format!("store: {r}"),
            Source::Github(g, ()) => format!("{}@{}", g.slug(), g.tag),
        }
    }
}

/// The error for a `url` plugin that neither the config nor the lock pins.
/// Checked after the lock is read: `katalon-prep lock` may record the hash
/// (trust on first use), after which the entry is pinned by the lock.
pub fn unpinned_url(spec: &PluginSpec) -> Error {
    Error::at(
        spec.at.clone(),
        "a `url` plugin needs a `sha256`",
        Some(
            "add `sha256: <64 hex characters>` (`sha256sum FILE` prints it), or run `katalon-prep lock` \
             to record it in katalon-prep.lock (trust on first use)"
                .into(),
        ),
    )
}

/// The validated config. Relative paths are already resolved against
/// [`Config::base_dir`].
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from; `None` when there is no config file.
    pub file: Option<PathBuf>,
    /// The config file's folder (or the working directory).
    pub base_dir: PathBuf,
    pub project: Option<Located<PathBuf>>,
    pub run: Run,
    pub api_key_env: Option<Located<String>>,
    pub offline: bool,
    pub store: StoreSettings,
    pub plugins: Vec<PluginSpec>,
    /// `lint.allow`: the lint rules turned off.
    pub lint_allow: crate::katalonc::lint::Allow,
    /// `engine:`; `None` when katalon-prep does not provision katalonc.
    pub engine: Option<EngineSettings>,
}

impl Config {
    /// Whether any plugin comes from the Katalon Store.
    pub fn uses_store(&self) -> bool {
        self.plugins.iter().any(|p| matches!(p.source, Source::Store(..)))
    }

    /// The `url` plugins without a `sha256`: their pin must come from the lock.
    pub fn unpinned_urls(&self) -> impl Iterator<Item = &PluginSpec> {
        self.plugins.iter().filter(|p| matches!(p.source, Source::Url(_)) && p.sha256.is_none())
    }

    /// The file messages about the config name.
    pub fn shown_file(&self) -> PathBuf {
        self.file.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_FILE))
    }
}

/// Loads the config: `explicit` is `--config` (must exist); otherwise
/// `katalon-prep.yml` in `cwd` is used when present.
pub fn load(explicit: Option<&Path>, cwd: &Path) -> Result<Config, Error> {
    load_with_text(explicit, cwd).map(|(config, _)| config)
}

/// [`load`], also giving the file's text (`None` without a file): the
/// workspace keys the cache on it without reading the file again.
pub fn load_with_text(explicit: Option<&Path>, cwd: &Path) -> Result<(Config, Option<String>), Error> {
    let path = match explicit {
        Some(p) => cwd.join(p),
        None => {
            let p = cwd.join(DEFAULT_FILE);
            if !p.is_file() {
                return Ok((Config { base_dir: cwd.to_path_buf(), ..Config::default() }, None));
            }
            p
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Read { path: path.clone(), source })?;
    let shown = explicit.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from(DEFAULT_FILE));
    let config = parse(&text, &shown, path.parent().unwrap_or(cwd))?;
    Ok((config, Some(text)))
}

/// Parses and validates config text. `file` is how the file is named in
/// messages; `base_dir` is what relative paths in it are relative to.
pub fn parse(text: &str, file: &Path, base_dir: &Path) -> Result<Config, Error> {
    let root = yaml::parse(text).map_err(|e| yaml_error(e, file))?;
    // An empty file, or one with only comments, is an empty config.
    let raw = if root.is_null() {
        RawConfig::default()
    } else {
        yaml::from_node::<RawConfig>(&root).map_err(|e| yaml_error(e, file))?
    };
    Validator { file, base_dir }.validate(raw)
}

/// Turns a YAML error into one naming file:line:column, with the closest
/// known key when a key is unknown.
fn yaml_error(err: yaml::Error, file: &Path) -> Error {
    let at = Location { file: file.to_path_buf(), line: err.at.line, column: err.at.column };
    let ErrorKind::UnknownField { field, expected } = &err.kind else {
        return Error::Invalid { at, message: err.to_string(), hint: None };
    };
    let message = match err.path.as_str() {
        "" => format!("unknown key `{field}`"),
        section => format!("unknown key `{field}` in `{section}`"),
    };
    let hint = match closest(field, expected.iter().copied()) {
        Some(best) => Some(format!("did you mean `{best}`?")),
        None if !expected.is_empty() => Some(format!("known keys here: {}", expected.join(", "))),
        None => None,
    };
    Error::Invalid { at, message, hint }
}

struct Validator<'a> {
    file: &'a Path,
    base_dir: &'a Path,
}

impl Validator<'_> {
    fn loc(&self, at: Mark) -> Location {
        Location { file: self.file.to_path_buf(), line: at.line, column: at.column }
    }

    fn located<T>(&self, s: Spanned<T>) -> Located<T> {
        Located::new(s.value, Some(self.loc(s.at)))
    }

    fn invalid(&self, at: Mark, message: impl Into<String>, hint: Option<String>) -> Error {
        Error::Invalid { at: self.loc(at), message: message.into(), hint }
    }

    fn validate(&self, raw: RawConfig) -> Result<Config, Error> {
        let project = raw.project.map(|p| Located::new(self.base_dir.join(&p.value), Some(self.loc(p.at))));
        let api_key_env = match raw.api_key.and_then(|a| a.env) {
            Some(name) if !crate::secret::is_env_name(&name.value) => {
                return Err(self.invalid(
                    name.at,
                    // Not echoed: what is written here instead of a name is often the key.
                    "`api-key.env` holds something that is not an environment variable name (not shown: it may be the key itself)",
                    Some("give the variable's name, e.g. `env: KATALON_API_KEY`, never the key itself".into()),
                ));
            }
            Some(name) => Some(self.located(name)),
            None => None,
        };
        let run = self.run(raw.run.unwrap_or_default())?;
        let store_key = raw.store.as_ref().map(Spanned::key_or_value);
        let mut store = self.store(raw.store.map(|s| s.value).unwrap_or_default())?;
        let engine = match raw.engine {
            Some(e) => Some(self.engine(e)?),
            None => None,
        };
        if let Some(engine) = &engine {
            match &store.app_version {
                // The engine is what the run uses: the Store picks plugins for it.
                None => store.app_version = Some(engine.version.clone()),
                Some(app) if app.value != engine.version.value => {
                    return Err(Error::at(
                        app.at.clone(),
                        format!(
                            "`store.app-version: {}` differs from `engine.version: {}`{}",
                            app.value,
                            engine.version.value,
                            location::suffix(&engine.version.at)
                        ),
                        Some(
                            "the Store must pick plugins for the engine the run uses: remove `store.app-version` \
                             (it then follows `engine.version`) or make the two equal"
                                .into(),
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        let plugins =
            raw.plugins.unwrap_or_default().into_iter().map(|p| self.plugin(p)).collect::<Result<Vec<_>, _>>()?;
        self.check_store_plugins(&plugins, &store, store_key)?;
        let lint_allow = self.lint(raw.lint.unwrap_or_default())?;
        Ok(Config {
            file: Some(self.file.to_path_buf()),
            base_dir: self.base_dir.to_path_buf(),
            project,
            run,
            api_key_env,
            offline: raw.offline.unwrap_or(false),
            store,
            plugins,
            lint_allow,
            engine,
        })
    }

    /// `lint.allow`: each entry a rule id that may be turned off.
    fn lint(&self, raw: RawLint) -> Result<crate::katalonc::lint::Allow, Error> {
        let Some(allow) = raw.allow else { return Ok(crate::katalonc::lint::Allow::default()) };
        for id in &allow.value {
            crate::katalonc::lint::Allow::parse([id.value.as_str()]).map_err(|e| {
                self.invalid(id.at, e.to_string(), Some("README's rule table lists every rule id".into()))
            })?;
        }
        crate::katalonc::lint::Allow::parse(allow.value.iter().map(|id| id.value.as_str()))
            .map_err(|e| self.invalid(allow.at, e.to_string(), None))
    }

    /// `engine: { version, url }`.
    fn engine(&self, raw: Spanned<RawEngine>) -> Result<EngineSettings, Error> {
        let section = raw.key_or_value();
        let RawEngine { version, url } = raw.value;
        let Some(version) = version else {
            return Err(self.invalid(
                section,
                "`engine` needs a `version`",
                Some("e.g.\n  engine:\n    version: \"10.3.1\"".into()),
            ));
        };
        let at = version.at;
        let version = match version.value {
            Value::String(v) if is_exact_version(v.trim()) => v.trim().to_string(),
            Value::Number(n) => {
                return Err(self.invalid(
                    at,
                    format!("`engine.version` must be text; YAML reads {n} as a number"),
                    Some(format!("quote it, with every digit you mean: `version: \"{n}.0\"`")),
                ));
            }
            Value::String(v) => {
                return Err(self.invalid(
                    at,
                    format!("`{v}` is not an exact engine version"),
                    Some(
                        "write the full version Katalon publishes, e.g. `version: \"10.3.1\"` (no ranges, no `latest`)"
                            .into(),
                    ),
                ));
            }
            _ => return Err(self.invalid(at, "`engine.version` must be a version such as \"10.3.1\"", None)),
        };
        let url = match url {
            Some(u) => {
                let url = reqwest::Url::parse(&u.value)
                    .map_err(|e| self.invalid(u.at, format!("`{}` is not a valid URL: {e}", u.value), None))?;
                if !matches!(url.scheme(), "https" | "http") || url.cannot_be_a_base() {
                    return Err(self.invalid(
                        u.at,
                        format!("`{}` is not an http(s) base URL", u.value),
                        Some(format!("the default is {DEFAULT_DOWNLOAD_URL}; a mirror serves the same layout")),
                    ));
                }
                Some(Located::new(url, Some(self.loc(u.at))))
            }
            None => None,
        };
        Ok(EngineSettings { version: Located::new(version, Some(self.loc(at))), url })
    }

    fn store(&self, raw: RawStore) -> Result<StoreSettings, Error> {
        let url = match raw.url {
            Some(u) => {
                let url = reqwest::Url::parse(&u.value)
                    .map_err(|e| self.invalid(u.at, format!("`{}` is not a valid URL: {e}", u.value), None))?;
                if !matches!(url.scheme(), "https" | "http") {
                    return Err(self.invalid(
                        u.at,
                        format!("unsupported URL scheme `{}`", url.scheme()),
                        Some(format!("the Store's URL is normally {DEFAULT_STORE_URL}")),
                    ));
                }
                Some(Located::new(url, Some(self.loc(u.at))))
            }
            None => None,
        };
        let app_version = match raw.app_version {
            None => None,
            Some(Spanned { value: Value::String(v), at, .. }) if !v.trim().is_empty() => {
                Some(Located::new(v.trim().to_string(), Some(self.loc(at))))
            }
            Some(Spanned { value: Value::Number(n), at, .. }) => {
                return Err(self.invalid(
                    at,
                    format!("`store.app-version` must be text; YAML reads {n} as a number"),
                    Some(format!("quote it: `app-version: \"{n}\"` (with every digit you mean, e.g. \"9.10\")")),
                ));
            }
            Some(other) => {
                return Err(self.invalid(other.at, "`store.app-version` must be a version such as \"9.7.2\"", None));
            }
        };
        let license_type = match &raw.license_type {
            None => LicenseType::Enterprise,
            Some(l) => match l.value.to_ascii_uppercase().as_str() {
                "ENTERPRISE" => LicenseType::Enterprise,
                "FREE" => LicenseType::Free,
                "TRIAL" => LicenseType::Trial,
                other => {
                    return Err(self.invalid(
                        l.at,
                        format!("unknown licence type `{other}`"),
                        Some("use ENTERPRISE (the default), FREE or TRIAL".into()),
                    ));
                }
            },
        };
        Ok(StoreSettings { url, app_version, license_type })
    }

    /// Store plugins need `store.app-version`; `store: all` excludes the others.
    fn check_store_plugins(
        &self,
        plugins: &[PluginSpec],
        store: &StoreSettings,
        section: Option<Mark>,
    ) -> Result<(), Error> {
        let store_specs: Vec<&PluginSpec> = plugins.iter().filter(|p| matches!(p.source, Source::Store(..))).collect();
        let Some(first) = store_specs.first() else { return Ok(()) };
        if store.app_version.is_none() {
            return Err(Error::at(
                section.map(|at| self.loc(at)).or_else(|| first.at.clone()),
                "Store plugins need `store.app-version`: the Katalon Runtime Engine version the run \
                 uses (the Store picks each plugin's version from it)",
                Some("add, at the top level:\n  store:\n    app-version: \"9.7.2\"".into()),
            ));
        }
        if store_specs.len() > 1
            && let Some(all) = store_specs.iter().find(|p| p.source == Source::Store(StoreRef::All, ()))
        {
            let other = store_specs.iter().find(|p| p.source != Source::Store(StoreRef::All, ())).unwrap_or(all);
            return Err(Error::at(
                other.at.clone(),
                format!(
                    "`{}` is already part of `store: all`{}",
                    other.source.describe(self.base_dir),
                    location::suffix(&all.at)
                ),
                Some("keep either `store: all` or the single Store entries".into()),
            ));
        }
        Ok(())
    }

    fn run(&self, raw: RawRun) -> Result<Run, Error> {
        let target = match (raw.test_suite, raw.test_suite_collection) {
            (Some(_), Some(c)) => {
                return Err(self.invalid(
                    c.at,
                    "`run.test-suite` and `run.test-suite-collection` are both set",
                    Some("katalonc runs one of them; keep one".into()),
                ));
            }
            (Some(s), None) => Some(Located::new(Target::Suite(trim_ts(&s.value)), Some(self.loc(s.at)))),
            (None, Some(c)) => Some(Located::new(Target::Collection(trim_ts(&c.value)), Some(self.loc(c.at)))),
            (None, None) => None,
        };
        let mut globals = BTreeMap::new();
        for (name, value) in raw.globals.unwrap_or_default() {
            let text = self.scalar(&value)?;
            globals.insert(name, Located::new(text, Some(self.loc(value.at))));
        }
        let mut args = Vec::new();
        for arg in raw.args.unwrap_or_default() {
            if crate::katalonc::options::is_api_key_arg(&arg.value) {
                return Err(self.invalid(
                    arg.at,
                    "`run.args` contains an API key option: a secret in a committed file",
                    Some(
                        "remove it and store the key in your CI's secrets as KATALON_API_KEY; \
                         katalon-prep injects `-apiKey` itself"
                            .into(),
                    ),
                ));
            }
            args.push(self.located(arg));
        }
        let mut config = Vec::new();
        for (name, value) in raw.config.unwrap_or_default() {
            let text = self.scalar(&value)?;
            let at = self.loc(value.key_or_value());
            config.push((name.trim_start_matches('-').to_string(), Located::new(text, Some(at))));
        }
        let display = match raw.display {
            None => None,
            Some(text) => Some(crate::run::display::Mode::parse(text.value.trim()).ok_or_else(|| {
                self.invalid(
                    text.at,
                    format!("unknown `run.display` value `{}`", text.value),
                    Some("use `auto` (a private Xvfb on Linux when DISPLAY is unset; the default) or `none`".into()),
                )
            })?),
        };
        Ok(Run {
            display,
            timeout: self.duration("run.timeout", raw.timeout)?,
            kill_after: self.duration("run.kill-after", raw.kill_after)?,
            target,
            browser: raw.browser.map(|b| self.located(b)),
            profile: raw.profile.map(|p| self.located(p)),
            retry: raw.retry,
            report_folder: raw.report_folder.map(|r| self.base_dir.join(r)),
            globals,
            args,
            config,
        })
    }

    /// A duration as users write it (`90`, `90s`, `30m`, `1h30m`).
    fn duration(&self, name: &str, value: Option<Spanned<Value>>) -> Result<Option<Duration>, Error> {
        let Some(value) = value else { return Ok(None) };
        let text = match value.value {
            Value::String(s) => s,
            Value::Number(n) => n.to_string(),
            _ => {
                return Err(self.invalid(
                    value.at,
                    format!("`{name}` must be a duration such as 90, 30m or 1h30m"),
                    None,
                ));
            }
        };
        crate::duration::parse(&text).map(Some).map_err(|e| self.invalid(value.at, format!("`{name}`: {e}"), None))
    }

    /// A YAML scalar as katalonc will see it (`true`, `30`, `text`).
    fn scalar(&self, value: &Spanned<Value>) -> Result<String, Error> {
        match &value.value {
            Value::String(s) => Ok(s.clone()),
            Value::Bool(b) => Ok(b.to_string()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(self.invalid(value.at, "expected a single value (text, number or true/false)", None)),
        }
    }

    fn plugin(&self, raw: Spanned<RawPlugin>) -> Result<PluginSpec, Error> {
        let entry = raw.at;
        let raw = raw.value;
        let sources: Vec<&str> = [
            ("path", raw.path.is_some()),
            ("url", raw.url.is_some()),
            ("store", raw.store.is_some()),
            ("github", raw.github.is_some()),
        ]
        .iter()
        .filter(|(_, s)| *s)
        .map(|(n, _)| *n)
        .collect();
        let no_source = "a plugin entry needs a source: `path`, `url`, `store` or `github`";
        if sources.is_empty() {
            return Err(self.invalid(entry, no_source, None));
        }
        if sources.len() > 1 {
            return Err(self.invalid(
                entry,
                format!("a plugin entry needs exactly one source, found {}", sources.join(" and ")),
                None,
            ));
        }
        if raw.github.is_none() {
            let github_only = [("tag", raw.tag.as_ref().map(|t| t.at)), ("asset", raw.asset.as_ref().map(|a| a.at))];
            if let Some((key, at)) = github_only.into_iter().find_map(|(key, at)| at.map(|at| (key, at))) {
                return Err(self.invalid(at, format!("`{key}` belongs to `github` plugins only"), None));
            }
        }
        let source = if let Some(p) = raw.path {
            Source::Path(self.base_dir.join(p))
        } else if let Some(u) = raw.url {
            let url = reqwest::Url::parse(&u.value)
                .map_err(|e| self.invalid(u.at, format!("`{}` is not a valid URL: {e}", u.value), None))?;
            if !matches!(url.scheme(), "https" | "http") {
                return Err(self.invalid(
                    u.at,
                    format!("unsupported URL scheme `{}`", url.scheme()),
                    Some("plugin URLs must be https://".into()),
                ));
            }
            // A missing `sha256` is checked once the lock has been read: the lock may pin it.
            Source::Url(url)
        } else if let Some(value) = raw.store {
            let r = self.store_ref(&value)?;
            if r == StoreRef::All {
                let options = [
                    ("sha256", raw.sha256.as_ref().map(|s| s.at)),
                    ("kind", raw.kind.as_ref().map(|k| k.at)),
                    ("jar", raw.jar.as_ref().map(|j| j.at)),
                ];
                if let Some((key, at)) = options.into_iter().find_map(|(key, at)| at.map(|at| (key, at))) {
                    return Err(self.invalid(
                        at,
                        format!("`{key}` cannot apply to `store: all` (it lists many plugins)"),
                        Some("list the plugin on its own, e.g. `- store: 42`, to give it options".into()),
                    ));
                }
            }
            Source::Store(r, ())
        } else if let Some(slug) = raw.github {
            Source::Github(self.github(slug, raw.tag, raw.asset)?, ())
        } else {
            return Err(self.invalid(entry, no_source, None));
        };
        let sha256 = match raw.sha256 {
            Some(s) => Some(s.value.parse::<Sha256>().map_err(|e| self.invalid(s.at, e, None))?),
            None => None,
        };
        if let Some(glob) = &raw.jar {
            globset::Glob::new(&glob.value).map_err(|e| {
                self.invalid(glob.at, format!("`{}` is not a valid glob: {}", glob.value, e.kind()), None)
            })?;
        }
        let kind = raw.kind.map(|k| match k.value {
            RawKind::Keyword => Kind::Keyword,
            RawKind::Platform => Kind::Platform,
        });
        Ok(PluginSpec { source, sha256, kind, jar: raw.jar.map(|j| j.value), at: Some(self.loc(entry)) })
    }

    /// `store: 42`, `store: "Excel Keywords"`, `store: all`.
    fn store_ref(&self, value: &Spanned<Value>) -> Result<StoreRef, Error> {
        let bad = || {
            self.invalid(
                value.at,
                "`store` must be a product id (`store: 42`), a product name (`store: \"Excel Keywords\"`) or `all`",
                None,
            )
        };
        match &value.value {
            Value::Number(n) => n.as_u64().map(StoreRef::Id).ok_or_else(bad),
            Value::String(s) => StoreRef::from_text(s).ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    /// `github: owner/repo` with its `tag` and `asset`.
    fn github(
        &self,
        slug: Spanned<String>,
        tag: Option<Spanned<Value>>,
        asset: Option<Spanned<String>>,
    ) -> Result<GithubRelease, Error> {
        let Some((owner, repo)) = split_slug(&slug.value) else {
            return Err(self.invalid(
                slug.at,
                format!("`{}` is not a GitHub repository", slug.value),
                Some("write it as `owner/repo`, e.g. `github: katalon-studio/my-keywords`".into()),
            ));
        };
        let tag = match tag {
            Some(Spanned { value: Value::String(t), .. }) if !t.trim().is_empty() => t.trim().to_string(),
            Some(Spanned { value: Value::Number(n), at, .. }) => {
                return Err(self.invalid(
                    at,
                    format!("`tag` must be text; YAML reads {n} as a number"),
                    Some(format!("quote it: `tag: \"{n}\"` (with every character of the tag)")),
                ));
            }
            Some(other) => return Err(self.invalid(other.at, "`tag` must be a release tag", None)),
            None => {
                return Err(self.invalid(
                    slug.at,
                    format!("the `github: {}` plugin needs a `tag`", slug.value),
                    Some("pin the release, e.g. `tag: v1.2.0`".into()),
                ));
            }
        };
        if let Some(glob) = &asset {
            globset::Glob::new(&glob.value).map_err(|e| {
                self.invalid(glob.at, format!("`{}` is not a valid glob: {}", glob.value, e.kind()), None)
            })?;
        }
        Ok(GithubRelease { owner, repo, tag, asset: asset.map(|a| a.value) })
    }
}

/// `owner/repo` as GitHub allows the two names, else `None`.
pub fn split_slug(slug: &str) -> Option<(String, String)> {
    let valid_part =
        |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    match slug.trim().split_once('/') {
        Some((o, r)) if valid_part(o) && valid_part(r) => Some((o.to_string(), r.to_string())),
        _ => None,
    }
}

/// `10.3.1`: two to four dot-separated numbers, nothing else (the engine
/// is pinned exactly; Katalon's download URLs name exact versions).
pub fn is_exact_version(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    (2..=4).contains(&parts.len())
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `Test Suites/Smoke.ts` and `Test Suites/Smoke` name the same suite.
fn trim_ts(path: &str) -> String {
    crate::project::ts_path(path).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config, Error> {
        parse(text, Path::new("katalon-prep.yml"), Path::new("/repo"))
    }

    #[test]
    fn empty_file_is_an_empty_config() {
        let c = parse_str("# nothing\n").unwrap();
        assert!(c.plugins.is_empty());
        assert!(!c.offline);
    }

    /// The error as the user reads it: the message, then the hint.
    fn shown(e: Error) -> String {
        match e.hint() {
            Some(hint) => format!("{e}\nhint: {hint}"),
            None => e.to_string(),
        }
    }

    #[test]
    fn unknown_key_names_line_and_suggests() {
        let err = parse_str("run:\n  tset-suite: x\n").map(drop).map_err(shown).unwrap_err();
        assert!(err.starts_with("katalon-prep.yml:2:"), "{err}");
        assert!(err.contains("did you mean `test-suite`?"), "{err}");
    }

    #[test]
    fn misspelt_plugin_key_is_reported() {
        let err =
            parse_str("plugins:\n  - url: https://h/x.jar\n    sah256: abc\n").map(drop).map_err(shown).unwrap_err();
        assert!(err.contains("katalon-prep.yml:3:"), "{err}");
        assert!(err.contains("`sha256`"), "{err}");
    }

    #[test]
    fn api_key_in_args_is_refused_with_its_line() {
        let err = parse_str("run:\n  args:\n    - -statusDelay=3\n    - -apiKey=abc\n").unwrap_err().to_string();
        assert!(err.starts_with("katalon-prep.yml:4:"), "{err}");
        assert!(!err.contains("abc"), "{err}");
    }

    #[test]
    fn run_display_timeout_and_kill_after() {
        let c = parse_str("run:\n  display: none\n  timeout: 30m\n  kill-after: 5\n").unwrap();
        assert_eq!(c.run.display, Some(crate::run::display::Mode::None));
        assert_eq!(c.run.timeout, Some(Duration::from_secs(1800)));
        assert_eq!(c.run.kill_after, Some(Duration::from_secs(5)));
    }

    #[test]
    fn bad_run_timeout_names_its_line() {
        let err = parse_str("run:\n  browser: Chrome\n  timeout: 10x\n").unwrap_err().to_string();
        assert!(err.starts_with("katalon-prep.yml:3:"), "{err}");
        assert!(err.contains("`run.timeout`: invalid duration `10x`"), "{err}");
    }

    #[test]
    fn unknown_run_display_names_its_line() {
        let err = parse_str("run:\n  display: xvfb\n").map(drop).map_err(shown).unwrap_err();
        assert!(err.starts_with("katalon-prep.yml:2:"), "{err}");
        assert!(err.contains("`auto`"), "{err}");
    }

    #[test]
    fn engine_version_is_the_app_version_unless_both_differ() {
        let c = parse_str("engine:\n  version: \"10.3.1\"\n").unwrap();
        assert_eq!(c.store.app_version.unwrap().value, "10.3.1");
        let c = parse_str("engine:\n  version: \"10.3.1\"\nstore:\n  app-version: \"10.3.1\"\n").unwrap();
        assert_eq!(c.engine.unwrap().version.value, "10.3.1");
        let err =
            parse_str("engine:\n  version: \"10.3.1\"\nstore:\n  app-version: \"9.7.2\"\n").unwrap_err().to_string();
        assert!(err.starts_with("katalon-prep.yml:4:"), "{err}");
        assert!(err.contains("differs from `engine.version: 10.3.1` (at katalon-prep.yml:2:"), "{err}");
    }

    #[test]
    fn engine_versions_are_exact() {
        for bad in ["latest", "10.x", "10", "^10.3.1", "10.3.1-beta"] {
            let err = parse_str(&format!("engine:\n  version: \"{bad}\"\n")).map(drop).map_err(shown).unwrap_err();
            assert!(err.starts_with("katalon-prep.yml:2:"), "{bad}: {err}");
        }
        let err = parse_str("engine:\n  version: 10.3\n").map(drop).map_err(shown).unwrap_err();
        assert!(err.contains("quote it"), "{err}");
        let err = parse_str("engine:\n  url: https://mirror.example.com\n").map(drop).map_err(shown).unwrap_err();
        assert!(err.contains("needs a `version`"), "{err}");
    }

    #[test]
    fn paths_are_relative_to_the_config_folder() {
        let c = parse_str("project: tests/k\nplugins:\n  - path: vendor/a.jar\n").unwrap();
        assert_eq!(c.project.unwrap().value, PathBuf::from("/repo/tests/k"));
        assert_eq!(c.plugins[0].source, Source::Path(PathBuf::from("/repo/vendor/a.jar")));
    }
}
