//! `katalon-prep.yml`: read the raw YAML ([`raw`]), then validate it once
//! into a [`Config`] whose values carry the file, line and column they were
//! written at. Later stages never see raw YAML.
//!
//! This module reads one file and does no other I/O.

pub mod locate;
pub mod raw;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::digest::Sha256;
use crate::location::{self, Located, Location, closest};
use locate::Index;
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
    #[error("{at}: {message}{}", hint.as_ref().map(|h| format!("\nhint: {h}")).unwrap_or_default())]
    Invalid { at: Location, message: String, hint: Option<String> },
    #[error("{message}{}", hint.as_ref().map(|h| format!("\nhint: {h}")).unwrap_or_default())]
    Other { message: String, hint: Option<String> },
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file in the repository, resolved against the config's folder.
    Path(PathBuf),
    Url(reqwest::Url),
    /// Plugins of the Katalon Store account.
    Store(StoreRef),
    /// An asset of a GitHub release.
    Github(GithubRelease),
}

/// Which Store plugins a `store:` entry means.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StoreRef {
    /// `product.id`.
    Id(u64),
    /// `product.name` (compared case-insensitively).
    Name(String),
    /// Every plugin on the account, as katalonc installs them.
    All,
}

impl std::fmt::Display for StoreRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreRef::Id(id) => write!(f, "{id}"),
            StoreRef::Name(name) => f.write_str(name),
            StoreRef::All => f.write_str("all"),
        }
    }
}

/// `github: owner/repo` with `tag` and an `asset` glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GithubRelease {
    pub owner: String,
    pub repo: String,
    pub tag: String,
    /// A glob that must match exactly one asset of the release; `None` means
    /// the release must have exactly one asset.
    pub asset: Option<String>,
}

impl GithubRelease {
    /// `owner/repo`.
    pub fn slug(&self) -> String {
        format!("{}/{}", self.owner, self.repo)
    }
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
            Source::Store(StoreRef::Name(name)) => name.clone(),
            Source::Store(r) => format!("store: {r}"),
            Source::Github(g) => format!("{}@{}", g.slug(), g.tag),
        }
    }

    /// The entry as written, for messages: `url https://…`, `store 42`.
    pub fn describe(&self, base_dir: &Path) -> String {
        match &self.source {
            // As written: relative to the config's folder.
            Source::Path(p) => format!("path: {}", p.strip_prefix(base_dir).unwrap_or(p).display()),
            Source::Url(u) => format!("url: {}", crate::net::urls::redacted(u)),
            Source::Store(r) => format!("store: {r}"),
            Source::Github(g) => format!("github: {} tag: {}", g.slug(), g.tag),
        }
    }
}

/// The error for a `url` plugin that neither the config nor the lock pins.
/// Checked after the lock is read: `katalon-prep lock` may record the hash
/// (trust on first use), after which the entry is pinned by the lock.
pub fn unpinned_url(spec: &PluginSpec, file: &Path) -> Error {
    Error::Invalid {
        at: spec.at.clone().unwrap_or(Location { file: file.to_path_buf(), line: 1, column: 1 }),
        message: "a `url` plugin needs a `sha256`".into(),
        hint: Some(
            "add `sha256: <64 hex characters>` (`sha256sum FILE` prints it), or run `katalon-prep lock` \
             to record it in katalon-prep.lock (trust on first use)"
                .into(),
        ),
    }
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
        self.plugins.iter().any(|p| matches!(p.source, Source::Store(_)))
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
    let raw = parse_raw(text, file)?;
    let v = Validator { file, index: Index::build(text), base_dir };
    v.validate(raw)
}

fn parse_raw(text: &str, file: &Path) -> Result<RawConfig, Error> {
    // An empty file, or one with only comments, is an empty config.
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| syntax_error(e, text, file))?;
    if value.is_null() {
        return Ok(RawConfig::default());
    }
    // Deserialise from the text (not the value) so errors keep their position.
    serde_yaml::from_str::<RawConfig>(text).map_err(|e| syntax_error(e, text, file))
}

/// Turns a serde_yaml error into one naming file:line:column, with the
/// closest known key when a key is unknown.
fn syntax_error(err: serde_yaml::Error, text: &str, file: &Path) -> Error {
    let (line, column) = crate::location::yaml_line_column(text, err.location());
    let at = Location { file: file.to_path_buf(), line, column };
    let full = err.to_string();
    // serde_yaml appends " at line L column C"; the location is printed first instead.
    let message = match full.find(" at line ") {
        Some(i) => full[..i].to_string(),
        None => full,
    };
    if let Some(unknown) = message.split("unknown field `").nth(1).and_then(|s| s.split('`').next()) {
        let expected: Vec<&str> =
            message.split("expected").nth(1).map(|s| s.split('`').skip(1).step_by(2).collect()).unwrap_or_default();
        let section = message.split(": unknown field").next().filter(|s| *s != message && !s.is_empty());
        let message = match section {
            Some(section) => format!("unknown key `{unknown}` in `{section}`"),
            None => format!("unknown key `{unknown}`"),
        };
        let hint = match closest(unknown, expected.iter().copied()) {
            Some(best) => Some(format!("did you mean `{best}`?")),
            None if !expected.is_empty() => Some(format!("known keys here: {}", expected.join(", "))),
            None => None,
        };
        return Error::Invalid { at, message, hint };
    }
    Error::Invalid { at, message, hint: None }
}

struct Validator<'a> {
    file: &'a Path,
    index: Index,
    base_dir: &'a Path,
}

impl Validator<'_> {
    fn at(&self, path: &str) -> Option<Location> {
        // A sequence item is where its first key is.
        let pos = if path.ends_with(']') { self.index.key(path) } else { self.index.value(path) };
        pos.map(|p| Location { file: self.file.to_path_buf(), line: p.line, column: p.column })
    }

    fn at_key(&self, path: &str) -> Option<Location> {
        self.index.key(path).map(|p| Location { file: self.file.to_path_buf(), line: p.line, column: p.column })
    }

    fn invalid(&self, path: &str, message: impl Into<String>, hint: Option<String>) -> Error {
        let at = self.at(path).unwrap_or(Location { file: self.file.to_path_buf(), line: 1, column: 1 });
        Error::Invalid { at, message: message.into(), hint }
    }

    fn validate(&self, raw: RawConfig) -> Result<Config, Error> {
        let project = raw.project.map(|p| Located::new(self.base_dir.join(p), self.at("project")));
        let api_key_env = match raw.api_key.and_then(|a| a.env) {
            Some(name) if !crate::secret::is_env_name(&name) => {
                return Err(self.invalid(
                    "api-key.env",
                    // Not echoed: what is written here instead of a name is often the key.
                    "`api-key.env` holds something that is not an environment variable name (not shown: it may be the key itself)",
                    Some("give the variable's name, e.g. `env: KATALON_API_KEY`, never the key itself".into()),
                ));
            }
            Some(name) => Some(Located::new(name, self.at("api-key.env"))),
            None => None,
        };
        let run = self.run(raw.run.unwrap_or_default())?;
        let has_store_section = raw.store.is_some();
        let mut store = self.store(raw.store.unwrap_or_default())?;
        let engine = match raw.engine {
            Some(e) => Some(self.engine(e)?),
            None => None,
        };
        if let Some(engine) = &engine {
            match &store.app_version {
                // The engine is what the run uses: the Store picks plugins for it.
                None => store.app_version = Some(engine.version.clone()),
                Some(app) if app.value != engine.version.value => {
                    return Err(Error::Invalid {
                        at: app.at.clone().unwrap_or(Location { file: self.file.to_path_buf(), line: 1, column: 1 }),
                        message: format!(
                            "`store.app-version: {}` differs from `engine.version: {}`{}",
                            app.value,
                            engine.version.value,
                            location::suffix(&engine.version.at)
                        ),
                        hint: Some(
                            "the Store must pick plugins for the engine the run uses: remove `store.app-version` \
                             (it then follows `engine.version`) or make the two equal"
                                .into(),
                        ),
                    });
                }
                Some(_) => {}
            }
        }
        let plugins = raw
            .plugins
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, p)| self.plugin(i, p))
            .collect::<Result<Vec<_>, _>>()?;
        self.check_store_plugins(&plugins, &store, has_store_section)?;
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
        let ids = raw.allow.unwrap_or_default();
        for (i, id) in ids.iter().enumerate() {
            crate::katalonc::lint::Allow::parse([id.as_str()]).map_err(|e| {
                self.invalid(
                    &format!("lint.allow[{i}]"),
                    e.to_string(),
                    Some("README's rule table lists every rule id".into()),
                )
            })?;
        }
        crate::katalonc::lint::Allow::parse(ids.iter().map(String::as_str))
            .map_err(|e| self.invalid("lint.allow", e.to_string(), None))
    }

    /// `engine: { version, url }`.
    fn engine(&self, raw: RawEngine) -> Result<EngineSettings, Error> {
        let version = match raw.version {
            Some(serde_yaml::Value::String(v)) if is_exact_version(v.trim()) => v.trim().to_string(),
            Some(serde_yaml::Value::Number(n)) => {
                return Err(self.invalid(
                    "engine.version",
                    format!("`engine.version` must be text; YAML reads {n} as a number"),
                    Some(format!("quote it, with every digit you mean: `version: \"{n}.0\"`")),
                ));
            }
            Some(serde_yaml::Value::String(v)) => {
                return Err(self.invalid(
                    "engine.version",
                    format!("`{v}` is not an exact engine version"),
                    Some(
                        "write the full version Katalon publishes, e.g. `version: \"10.3.1\"` (no ranges, no `latest`)"
                            .into(),
                    ),
                ));
            }
            Some(_) => {
                return Err(self.invalid(
                    "engine.version",
                    "`engine.version` must be a version such as \"10.3.1\"",
                    None,
                ));
            }
            None => {
                return Err(Error::Invalid {
                    at: self.at_key("engine").unwrap_or(Location { file: self.file.to_path_buf(), line: 1, column: 1 }),
                    message: "`engine` needs a `version`".into(),
                    hint: Some("e.g.\n  engine:\n    version: \"10.3.1\"".into()),
                });
            }
        };
        let url = match raw.url {
            Some(u) => {
                let url = reqwest::Url::parse(&u)
                    .map_err(|e| self.invalid("engine.url", format!("`{u}` is not a valid URL: {e}"), None))?;
                if !matches!(url.scheme(), "https" | "http") || url.cannot_be_a_base() {
                    return Err(self.invalid(
                        "engine.url",
                        format!("`{u}` is not an http(s) base URL"),
                        Some(format!("the default is {DEFAULT_DOWNLOAD_URL}; a mirror serves the same layout")),
                    ));
                }
                Some(Located::new(url, self.at("engine.url")))
            }
            None => None,
        };
        Ok(EngineSettings { version: Located::new(version, self.at("engine.version")), url })
    }

    fn store(&self, raw: RawStore) -> Result<StoreSettings, Error> {
        let url = match raw.url {
            Some(u) => {
                let url = reqwest::Url::parse(&u)
                    .map_err(|e| self.invalid("store.url", format!("`{u}` is not a valid URL: {e}"), None))?;
                if !matches!(url.scheme(), "https" | "http") {
                    return Err(self.invalid(
                        "store.url",
                        format!("unsupported URL scheme `{}`", url.scheme()),
                        Some(format!("the Store's URL is normally {DEFAULT_STORE_URL}")),
                    ));
                }
                Some(Located::new(url, self.at("store.url")))
            }
            None => None,
        };
        let app_version = match raw.app_version {
            None => None,
            Some(serde_yaml::Value::String(v)) if !v.trim().is_empty() => {
                Some(Located::new(v.trim().to_string(), self.at("store.app-version")))
            }
            Some(serde_yaml::Value::Number(n)) => {
                return Err(self.invalid(
                    "store.app-version",
                    format!("`store.app-version` must be text; YAML reads {n} as a number"),
                    Some(format!("quote it: `app-version: \"{n}\"` (with every digit you mean, e.g. \"9.10\")")),
                ));
            }
            Some(_) => {
                return Err(self.invalid(
                    "store.app-version",
                    "`store.app-version` must be a version such as \"9.7.2\"",
                    None,
                ));
            }
        };
        let license_type = match raw.license_type.as_deref().map(str::to_ascii_uppercase).as_deref() {
            None | Some("ENTERPRISE") => LicenseType::Enterprise,
            Some("FREE") => LicenseType::Free,
            Some("TRIAL") => LicenseType::Trial,
            Some(other) => {
                return Err(self.invalid(
                    "store.license-type",
                    format!("unknown licence type `{other}`"),
                    Some("use ENTERPRISE (the default), FREE or TRIAL".into()),
                ));
            }
        };
        Ok(StoreSettings { url, app_version, license_type })
    }

    /// Store plugins need `store.app-version`; `store: all` excludes the others.
    fn check_store_plugins(&self, plugins: &[PluginSpec], store: &StoreSettings, section: bool) -> Result<(), Error> {
        let store_specs: Vec<&PluginSpec> = plugins.iter().filter(|p| matches!(p.source, Source::Store(_))).collect();
        let Some(first) = store_specs.first() else { return Ok(()) };
        if store.app_version.is_none() {
            let at = if section { self.at_key("store") } else { first.at.clone() };
            return Err(Error::Invalid {
                at: at.unwrap_or(Location { file: self.file.to_path_buf(), line: 1, column: 1 }),
                message: "Store plugins need `store.app-version`: the Katalon Runtime Engine version the run \
                          uses (the Store picks each plugin's version from it)"
                    .into(),
                hint: Some("add, at the top level:\n  store:\n    app-version: \"9.7.2\"".into()),
            });
        }
        if store_specs.len() > 1
            && let Some(all) = store_specs.iter().find(|p| p.source == Source::Store(StoreRef::All))
        {
            let other = store_specs.iter().find(|p| p.source != Source::Store(StoreRef::All)).unwrap_or(all);
            return Err(Error::Invalid {
                at: other.at.clone().unwrap_or(Location { file: self.file.to_path_buf(), line: 1, column: 1 }),
                message: format!(
                    "`{}` is already part of `store: all`{}",
                    other.describe(self.base_dir),
                    location::suffix(&all.at)
                ),
                hint: Some("keep either `store: all` or the single Store entries".into()),
            });
        }
        Ok(())
    }

    fn run(&self, raw: RawRun) -> Result<Run, Error> {
        let target = match (raw.test_suite, raw.test_suite_collection) {
            (Some(_), Some(_)) => {
                return Err(self.invalid(
                    "run.test-suite-collection",
                    "`run.test-suite` and `run.test-suite-collection` are both set",
                    Some("katalonc runs one of them; keep one".into()),
                ));
            }
            (Some(s), None) => Some(Located::new(Target::Suite(trim_ts(&s)), self.at("run.test-suite"))),
            (None, Some(c)) => {
                Some(Located::new(Target::Collection(trim_ts(&c)), self.at("run.test-suite-collection")))
            }
            (None, None) => None,
        };
        let mut globals = BTreeMap::new();
        for (name, value) in raw.globals.unwrap_or_default() {
            let path = format!("run.globals.{name}");
            let value = self.scalar(&path, &value)?;
            globals.insert(name, Located::new(value, self.at(&path)));
        }
        let mut args = Vec::new();
        for (i, arg) in raw.args.unwrap_or_default().into_iter().enumerate() {
            let path = format!("run.args[{i}]");
            if crate::katalonc::options::is_api_key_arg(&arg) {
                return Err(self.invalid(
                    &path,
                    "`run.args` contains an API key option: a secret in a committed file",
                    Some(
                        "remove it and store the key in your CI's secrets as KATALON_API_KEY; \
                         katalon-prep injects `-apiKey` itself"
                            .into(),
                    ),
                ));
            }
            args.push(Located::new(arg, self.at_key(&path)));
        }
        let mut config = Vec::new();
        for (name, value) in raw.config.unwrap_or_default() {
            let path = format!("run.config.{name}");
            let value = self.scalar(&path, &value)?;
            config.push((name.trim_start_matches('-').to_string(), Located::new(value, self.at_key(&path))));
        }
        let display = match raw.display {
            None => None,
            Some(text) => Some(crate::run::display::Mode::parse(text.trim()).ok_or_else(|| {
                self.invalid(
                    "run.display",
                    format!("unknown `run.display` value `{text}`"),
                    Some("use `auto` (a private Xvfb on Linux when DISPLAY is unset; the default) or `none`".into()),
                )
            })?),
        };
        Ok(Run {
            display,
            timeout: self.duration("run.timeout", raw.timeout)?,
            kill_after: self.duration("run.kill-after", raw.kill_after)?,
            target,
            browser: raw.browser.map(|b| Located::new(b, self.at("run.browser"))),
            profile: raw.profile.map(|p| Located::new(p, self.at("run.profile"))),
            retry: raw.retry,
            report_folder: raw.report_folder.map(|r| self.base_dir.join(r)),
            globals,
            args,
            config,
        })
    }

    /// A duration as users write it (`90`, `90s`, `30m`, `1h30m`).
    fn duration(&self, path: &str, value: Option<serde_yaml::Value>) -> Result<Option<Duration>, Error> {
        let text = match value {
            None => return Ok(None),
            Some(serde_yaml::Value::String(s)) => s,
            Some(serde_yaml::Value::Number(n)) => n.to_string(),
            Some(_) => {
                return Err(self.invalid(path, format!("`{path}` must be a duration such as 90, 30m or 1h30m"), None));
            }
        };
        crate::duration::parse(&text).map(Some).map_err(|e| self.invalid(path, format!("`{path}`: {e}"), None))
    }

    /// A YAML scalar as katalonc will see it (`true`, `30`, `text`).
    fn scalar(&self, path: &str, value: &serde_yaml::Value) -> Result<String, Error> {
        match value {
            serde_yaml::Value::String(s) => Ok(s.clone()),
            serde_yaml::Value::Bool(b) => Ok(b.to_string()),
            serde_yaml::Value::Number(n) => Ok(n.to_string()),
            _ => Err(self.invalid(path, "expected a single value (text, number or true/false)", None)),
        }
    }

    fn plugin(&self, i: usize, raw: RawPlugin) -> Result<PluginSpec, Error> {
        let path = format!("plugins[{i}]");
        let at = self.at_key(&path);
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
        let source_error = |message: String| Error::Invalid {
            at: at.clone().unwrap_or(Location { file: self.file.to_path_buf(), line: 1, column: 1 }),
            message,
            hint: None,
        };
        let no_source = "a plugin entry needs a source: `path`, `url`, `store` or `github`";
        if sources.is_empty() {
            return Err(source_error(no_source.into()));
        }
        if sources.len() > 1 {
            return Err(source_error(format!(
                "a plugin entry needs exactly one source, found {}",
                sources.join(" and ")
            )));
        }
        if raw.github.is_none() {
            for key in ["tag", "asset"] {
                let set = if key == "tag" { raw.tag.is_some() } else { raw.asset.is_some() };
                if set {
                    return Err(self.invalid(
                        &format!("{path}.{key}"),
                        format!("`{key}` belongs to `github` plugins only"),
                        None,
                    ));
                }
            }
        }
        let source = if let Some(p) = raw.path {
            Source::Path(self.base_dir.join(p))
        } else if let Some(u) = raw.url {
            let url = reqwest::Url::parse(&u)
                .map_err(|e| self.invalid(&format!("{path}.url"), format!("`{u}` is not a valid URL: {e}"), None))?;
            if !matches!(url.scheme(), "https" | "http") {
                return Err(self.invalid(
                    &format!("{path}.url"),
                    format!("unsupported URL scheme `{}`", url.scheme()),
                    Some("plugin URLs must be https://".into()),
                ));
            }
            // A missing `sha256` is checked once the lock has been read: the lock may pin it.
            Source::Url(url)
        } else if let Some(value) = raw.store {
            let r = self.store_ref(&format!("{path}.store"), &value)?;
            if r == StoreRef::All {
                for (key, set) in
                    [("sha256", raw.sha256.is_some()), ("kind", raw.kind.is_some()), ("jar", raw.jar.is_some())]
                {
                    if set {
                        return Err(self.invalid(
                            &format!("{path}.{key}"),
                            format!("`{key}` cannot apply to `store: all` (it lists many plugins)"),
                            Some("list the plugin on its own, e.g. `- store: 42`, to give it options".into()),
                        ));
                    }
                }
            }
            Source::Store(r)
        } else if let Some(slug) = raw.github {
            Source::Github(self.github(&path, &slug, raw.tag, raw.asset)?)
        } else {
            return Err(source_error(no_source.into()));
        };
        let sha256 = match raw.sha256 {
            Some(s) => Some(s.parse::<Sha256>().map_err(|e| self.invalid(&format!("{path}.sha256"), e, None))?),
            None => None,
        };
        if let Some(glob) = &raw.jar {
            globset::Glob::new(glob).map_err(|e| {
                self.invalid(&format!("{path}.jar"), format!("`{glob}` is not a valid glob: {}", e.kind()), None)
            })?;
        }
        let kind = raw.kind.map(|k| match k {
            RawKind::Keyword => Kind::Keyword,
            RawKind::Platform => Kind::Platform,
        });
        Ok(PluginSpec { source, sha256, kind, jar: raw.jar, at })
    }
    /// `store: 42`, `store: "Excel Keywords"`, `store: all`.
    fn store_ref(&self, path: &str, value: &serde_yaml::Value) -> Result<StoreRef, Error> {
        let bad = || {
            self.invalid(
                path,
                "`store` must be a product id (`store: 42`), a product name (`store: \"Excel Keywords\"`) or `all`",
                None,
            )
        };
        match value {
            serde_yaml::Value::Number(n) => n.as_u64().map(StoreRef::Id).ok_or_else(bad),
            serde_yaml::Value::String(s) => {
                let s = s.trim();
                if s.is_empty() {
                    Err(bad())
                } else if s == "all" {
                    Ok(StoreRef::All)
                } else if let Ok(id) = s.parse::<u64>() {
                    Ok(StoreRef::Id(id))
                } else {
                    Ok(StoreRef::Name(s.to_string()))
                }
            }
            _ => Err(bad()),
        }
    }

    /// `github: owner/repo` with its `tag` and `asset`.
    fn github(
        &self,
        path: &str,
        slug: &str,
        tag: Option<serde_yaml::Value>,
        asset: Option<String>,
    ) -> Result<GithubRelease, Error> {
        let valid_part =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        let (owner, repo) = match slug.trim().split_once('/') {
            Some((o, r)) if valid_part(o) && valid_part(r) => (o.to_string(), r.to_string()),
            _ => {
                return Err(self.invalid(
                    &format!("{path}.github"),
                    format!("`{slug}` is not a GitHub repository"),
                    Some("write it as `owner/repo`, e.g. `github: katalon-studio/my-keywords`".into()),
                ));
            }
        };
        let tag = match tag {
            Some(serde_yaml::Value::String(t)) if !t.trim().is_empty() => t.trim().to_string(),
            Some(serde_yaml::Value::Number(n)) => {
                return Err(self.invalid(
                    &format!("{path}.tag"),
                    format!("`tag` must be text; YAML reads {n} as a number"),
                    Some(format!("quote it: `tag: \"{n}\"` (with every character of the tag)")),
                ));
            }
            Some(_) => return Err(self.invalid(&format!("{path}.tag"), "`tag` must be a release tag", None)),
            None => {
                return Err(self.invalid(
                    &format!("{path}.github"),
                    format!("the `github: {slug}` plugin needs a `tag`"),
                    Some("pin the release, e.g. `tag: v1.2.0`".into()),
                ));
            }
        };
        if let Some(glob) = &asset {
            globset::Glob::new(glob).map_err(|e| {
                self.invalid(&format!("{path}.asset"), format!("`{glob}` is not a valid glob: {}", e.kind()), None)
            })?;
        }
        Ok(GithubRelease { owner, repo, tag, asset })
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

    #[test]
    fn unknown_key_names_line_and_suggests() {
        let err = parse_str("run:\n  tset-suite: x\n").unwrap_err().to_string();
        assert!(err.starts_with("katalon-prep.yml:2:"), "{err}");
        assert!(err.contains("did you mean `test-suite`?"), "{err}");
    }

    #[test]
    fn misspelt_plugin_key_is_reported() {
        let err = parse_str("plugins:\n  - url: https://h/x.jar\n    sah256: abc\n").unwrap_err().to_string();
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
        let err = parse_str("run:\n  display: xvfb\n").unwrap_err().to_string();
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
            let err = parse_str(&format!("engine:\n  version: \"{bad}\"\n")).unwrap_err().to_string();
            assert!(err.starts_with("katalon-prep.yml:2:"), "{bad}: {err}");
        }
        let err = parse_str("engine:\n  version: 10.3\n").unwrap_err().to_string();
        assert!(err.contains("quote it"), "{err}");
        let err = parse_str("engine:\n  url: https://mirror.example.com\n").unwrap_err().to_string();
        assert!(err.contains("needs a `version`"), "{err}");
    }

    #[test]
    fn paths_are_relative_to_the_config_folder() {
        let c = parse_str("project: tests/k\nplugins:\n  - path: vendor/a.jar\n").unwrap();
        assert_eq!(c.project.unwrap().value, PathBuf::from("/repo/tests/k"));
        assert_eq!(c.plugins[0].source, Source::Path(PathBuf::from("/repo/vendor/a.jar")));
    }
}
