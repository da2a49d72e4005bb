//! The process environment, read in one place: [`Env::from_process`] is the
//! only code in katalon-prep that reads an environment variable (a test,
//! `tests/it/boundaries.rs`, greps `src/` for any other). The binary builds one
//! `Env` at start-up and hands it down — in [`crate::context::Context::env`] or as an
//! argument — so what the library does follows from its arguments, and a
//! test can give it any environment ([`Env::from_vars`]).
//!
//! Two kinds of variable are not fields here:
//! - those whose *name* is chosen at run time — the API key's variable
//!   (`--api-key-env`, `api-key-env`, and its `_FILE` twin) and the GitHub
//!   Action's inputs (`INPUT_<NAME>`) — are looked up when asked, through
//!   [`Env::var`] and [`Env::path`];
//! - the fallbacks of flags (`KATALON_PREP_CACHE_DIR`,
//!   `KATALON_PREP_API_KEY_ENV`, `KATALONC`, `KATALON_PREP_DOWNLOAD_TIMEOUT`)
//!   are read by clap with the flags they stand for (`cli.rs`).
//!
//! Dependencies read a few variables themselves (reqwest the proxy
//! variables); that is theirs, not ours.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use zeroize::Zeroizing;

/// The names of the variables katalon-prep's own features read (the modules
/// that use them refer to these, so this module depends on none of them).
/// `false`/`0`/`no`: do not hand files over to the workspace's owner ([`crate::ownership`]).
pub const CHOWN: &str = "KATALON_PREP_CHOWN";
/// Overrides the detected engine platform (`linux-x64`, …): to prepare an
/// engine for another machine, and for tests.
pub const PLATFORM: &str = "KATALON_PREP_PLATFORM";
/// Overrides `store.url`.
pub const STORE_URL: &str = "KATALON_STORE_URL";
/// Overrides `engine.url` (a mirror of Katalon's downloads).
pub const DOWNLOAD_URL: &str = "KATALON_DOWNLOAD_URL";
/// GitHub's API base URL (GitHub Enterprise sets it on its runners).
pub const GITHUB_API_URL: &str = "GITHUB_API_URL";
/// The token for GitHub release plugins.
pub const GITHUB_TOKEN: &str = "GITHUB_TOKEN";

/// What katalon-prep takes from its environment. Empty values count as
/// unset wherever an empty value could mean nothing else.
pub struct Env {
    /// `CI` set to anything but empty or `false`: plain lines, no progress bars.
    pub ci: bool,
    /// `TERM=dumb`: a terminal that cannot draw progress bars.
    pub dumb_terminal: bool,
    /// `NO_COLOR` set (to anything): no colour in logs.
    pub no_color: bool,
    /// `RUST_LOG`: the log filter, instead of the one `-v`/`-q` choose.
    pub log_filter: Option<String>,
    /// `PATH` (empty when unset): where `katalonc` and `Xvfb` are looked for.
    pub path: OsString,
    /// `DISPLAY`, as set (`run` starts Xvfb when it is missing or empty).
    pub display: Option<OsString>,

    /// `XDG_CACHE_HOME`: the default cache goes in it.
    pub cache_home: Option<PathBuf>,
    /// `LOCALAPPDATA`: the default cache on Windows, when `XDG_CACHE_HOME` is not set.
    pub local_app_data: Option<PathBuf>,
    /// `HOME`: the default cache in `~/.cache`.
    pub home: Option<PathBuf>,
    /// `SSL_CERT_FILE`: a CA bundle trusted besides the bundled roots.
    pub ca_file: Option<PathBuf>,

    /// `KATALON_PREP_SECRETS_DIR`: where Docker secrets are mounted.
    pub secrets_dir: Option<PathBuf>,
    /// `KATALON_PREP_CHOWN` as written (`false`, `0`, `no`, `off` turn the hand-over off).
    pub chown: Option<String>,
    /// `KATALON_PREP_PLATFORM`: the engine platform to prepare, instead of this machine's.
    pub platform: Option<String>,
    /// `KATALON_STORE_URL`: the Store's base URL, over `store.url`.
    pub store_url: Option<String>,
    /// `KATALON_DOWNLOAD_URL`: the engine download base, over `engine.url`.
    pub engine_download_url: Option<String>,

    /// `GITHUB_ACTIONS=true`: a run inside GitHub Actions.
    pub github_actions: bool,
    /// `GITHUB_WORKSPACE`: the checkout; `/github/workspace` in the container Action.
    pub github_workspace: Option<PathBuf>,
    /// `GITHUB_OUTPUT`: the file step outputs are appended to.
    pub github_output: Option<PathBuf>,
    /// `GITHUB_STEP_SUMMARY`: the file the step summary is appended to.
    pub github_step_summary: Option<PathBuf>,
    /// `GITHUB_API_URL`: the GitHub API (it differs on GitHub Enterprise Server).
    pub github_api_url: Option<String>,
    /// `GITHUB_TOKEN`, trimmed: sent to the GitHub API. Never printed.
    pub github_token: Option<Zeroizing<String>>,
    /// `RUNNER_OS`: the OS of the CI runner (GitHub Actions).
    pub runner_os: Option<String>,

    source: Source,
}

/// Where [`Env::var`] looks.
enum Source {
    Process,
    Given(BTreeMap<String, Zeroizing<String>>),
}

impl Source {
    fn os(&self, name: &str) -> Option<OsString> {
        match self {
            Source::Process => std::env::var_os(name),
            Source::Given(vars) => vars.get(name).map(|v| OsString::from(v.as_str())),
        }
    }

    /// As `std::env::var(name).ok()`: unset or not Unicode is `None`.
    fn text(&self, name: &str) -> Option<String> {
        self.os(name)?.into_string().ok()
    }

    /// Set and not empty.
    fn path(&self, name: &str) -> Option<PathBuf> {
        self.os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
    }

    /// Set and not blank; as written.
    fn word(&self, name: &str) -> Option<String> {
        self.text(name).filter(|v| !v.trim().is_empty())
    }
}

impl Env {
    /// Reads this process's environment. Called once, by the binary.
    pub fn from_process() -> Env {
        Env::read(Source::Process)
    }

    /// An environment holding exactly `vars` (for tests).
    pub fn from_vars<'v>(vars: impl IntoIterator<Item = (&'v str, &'v str)>) -> Env {
        Env::read(Source::Given(
            vars.into_iter().map(|(k, v)| (k.to_string(), Zeroizing::new(v.to_string()))).collect(),
        ))
    }

    fn read(source: Source) -> Env {
        let s = &source;
        Env {
            ci: s.os("CI").is_some_and(|v| !v.is_empty() && v != "false"),
            dumb_terminal: s.text("TERM").is_some_and(|t| t == "dumb"),
            no_color: s.os("NO_COLOR").is_some(),
            log_filter: s.text("RUST_LOG"),
            path: s.os("PATH").unwrap_or_default(),
            display: s.os("DISPLAY"),
            cache_home: s.path("XDG_CACHE_HOME"),
            local_app_data: s.path("LOCALAPPDATA"),
            home: s.path("HOME"),
            ca_file: s.path("SSL_CERT_FILE"),
            secrets_dir: s.path("KATALON_PREP_SECRETS_DIR"),
            chown: s.text(CHOWN),
            platform: s.path(PLATFORM).map(|p| p.to_string_lossy().into_owned()),
            store_url: s.word(STORE_URL),
            engine_download_url: s.path(DOWNLOAD_URL).map(|p| p.into_os_string().to_string_lossy().into_owned()),
            github_actions: s.text("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
            github_workspace: s.path("GITHUB_WORKSPACE"),
            github_output: s.path("GITHUB_OUTPUT"),
            github_step_summary: s.path("GITHUB_STEP_SUMMARY"),
            github_api_url: s.word(GITHUB_API_URL),
            github_token: s
                .text(GITHUB_TOKEN)
                .map(|t| Zeroizing::new(Zeroizing::new(t).trim().to_string()))
                .filter(|t| !t.is_empty()),
            runner_os: s.text("RUNNER_OS"),
            source,
        }
    }

    /// A variable whose name is known only at run time (the API key's, an
    /// action input), as text (not Unicode: converted lossily), held in
    /// memory that is wiped when dropped: it may be a secret.
    pub fn var(&self, name: &str) -> Option<Zeroizing<String>> {
        self.source.os(name).map(|v| {
            Zeroizing::new(match v.into_string() {
                Ok(text) => text,
                Err(raw) => raw.to_string_lossy().into_owned(),
            })
        })
    }

    /// A variable whose name is known only at run time and that holds a
    /// path (`KATALON_API_KEY_FILE`), as set (empty included).
    pub fn path(&self, name: &str) -> Option<PathBuf> {
        self.source.os(name).map(PathBuf::from)
    }
}

/// Written by hand: the token is shown as `***`, and of the variables
/// looked up by name ([`Env::var`], which may hold the key) nothing is shown.
impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env")
            .field("ci", &self.ci)
            .field("dumb_terminal", &self.dumb_terminal)
            .field("no_color", &self.no_color)
            .field("log_filter", &self.log_filter)
            .field("path", &self.path)
            .field("display", &self.display)
            .field("cache_home", &self.cache_home)
            .field("local_app_data", &self.local_app_data)
            .field("home", &self.home)
            .field("ca_file", &self.ca_file)
            .field("secrets_dir", &self.secrets_dir)
            .field("chown", &self.chown)
            .field("platform", &self.platform)
            .field("store_url", &self.store_url.as_ref().map(|_| SET))
            .field("engine_download_url", &self.engine_download_url.as_ref().map(|_| SET))
            .field("github_actions", &self.github_actions)
            .field("github_workspace", &self.github_workspace)
            .field("github_output", &self.github_output)
            .field("github_step_summary", &self.github_step_summary)
            .field("github_api_url", &self.github_api_url.as_ref().map(|_| SET))
            .field("github_token", &self.github_token.as_ref().map(|_| SET))
            .field("runner_os", &self.runner_os)
            .finish_non_exhaustive()
    }
}

/// What `Debug` shows of a URL or token: that it is set, never its value (a
/// URL can carry credentials), and without reaching into the modules that
/// know how to redact (they depend on this one).
const SET: &str = "<set>";

#[cfg(test)]
mod tests {
    use super::*;

    const SENTINEL: &str = "sentinel-ENV-DEBUG-0123456789";

    #[test]
    fn debug_shows_no_secret_value() {
        let env = Env::from_vars([
            ("GITHUB_TOKEN", SENTINEL),
            ("KATALON_API_KEY", SENTINEL),
            ("INPUT_API-KEY", SENTINEL),
            ("KATALON_STORE_URL", &format!("https://user:{SENTINEL}@store.example/")),
            ("GITHUB_ACTIONS", "true"),
        ]);
        let shown = format!("{env:?}");
        assert!(!shown.contains("sentinel"), "{shown}");
        assert!(shown.contains("github_token: Some(\"<set>\")"), "{shown}");
        assert!(shown.contains("store_url: Some(\"<set>\")"), "{shown}");
        assert!(shown.contains("github_actions: true"), "{shown}");
        // The values are there for whoever asks by name.
        assert_eq!(env.var("KATALON_API_KEY").as_deref().map(String::as_str), Some(SENTINEL));
        assert_eq!(env.github_token.as_deref().map(String::as_str), Some(SENTINEL));
    }

    #[test]
    fn empty_and_blank_values_count_as_unset_where_they_mean_nothing() {
        let env = Env::from_vars([
            ("CI", "false"),
            ("XDG_CACHE_HOME", ""),
            ("KATALON_STORE_URL", "  "),
            ("GITHUB_TOKEN", " \n"),
            ("GITHUB_ACTIONS", "1"),
            ("DISPLAY", ""),
            ("NO_COLOR", ""),
        ]);
        assert!(!env.ci && !env.github_actions);
        assert_eq!((&env.cache_home, &env.store_url, env.github_token.is_some()), (&None, &None, false));
        // Set but empty still tells: DISPLAY for `run`, NO_COLOR by its definition.
        assert_eq!(env.display, Some(OsString::new()));
        assert!(env.no_color);
        // Looked up by name, empty is kept: the key's lookup reports a set-but-empty secret.
        assert_eq!(env.var("CI").as_deref().map(String::as_str), Some("false"));
        assert_eq!(env.var("UNSET"), None);
    }
}
