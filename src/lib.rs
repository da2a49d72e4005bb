//! katalon-prep: prepares a Katalon test run in CI.
//!
//! Data flows one way — **workspace → key → plan → line → reconcile (lock) →
//! resolve → fetch (cache) → install (project) → settings → engine** — and
//! each stage is a module that knows nothing of the later ones. The whole
//! path, as `prepare` runs it: the binary loads the workspace and hands it to
//! [`pipeline::prepare`], one function that calls the stages in this order,
//! each in a tracing span of its name (`-v` shows them):
//!
//! ```text
//! workspace::Workspace::load  katalon-prep.yml, the project index, katalon-prep.lock: each read once
//! pipeline::prepare
//!   key                       the API key from CI secrets (never printed), masked before anything logs
//!   plan                      plan::check: the run (config + shard) against the project and the lock
//!   line                      build_line + katalonc::lint; refused on lint errors (exit 13); `args` stops here
//!   reconcile                 whether the lock may be used as it is (--locked refuses drift)
//!   resolve                   each plugin entry (or its lock entry) as concrete artifacts
//!   fetch                     each artifact into the content-addressed cache
//!   install                   jars into Plugins/ and Plugins/platform/
//!   settings                  plugin.reloadOption="OFFLINE" when asked
//!   engine                    the engine: lock pin → cache (verified) → the project's writable copy
//! ```
//!
//! It returns the line, the key and what was installed; the binary prints the
//! line and publishes it to the CI, and `run` adds katalonc (`run::supervise`)
//! and the report (`results`) after it. The library prints nothing: it
//! returns values and reports [`report::Event`]s through the
//! [`report::Reporter`] the binary gives it.

pub mod ci;
pub mod cli;
pub mod config;
pub mod digest;
pub mod duration;
pub mod engine;
pub mod env;
pub mod error;
pub mod exit;
pub mod fsutil;
pub mod init;
pub mod katalonc;
pub mod location;
pub mod lock;
pub mod matrix;
pub mod net;
pub mod ownership;
pub mod pipeline;
pub mod plan;
pub mod plugins;
pub mod project;
pub mod report;
pub mod results;
pub mod run;
pub mod secret;
pub mod workspace;
pub mod yaml;

use std::path::{Path, PathBuf};

pub use error::Error;
pub use exit::Exit;

use config::Config;
use katalonc::argv::{self, Line, PathStyle};
use plugins::install;
use plugins::resolve::Origin;
use report::Reporter;

/// What every command shares: the working directory, the global flags and the environment.
pub struct Context<'a> {
    pub cwd: PathBuf,
    pub config: Option<PathBuf>,
    pub project: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    pub api_key_env: Option<String>,
    pub api_key_stdin: bool,
    pub reporter: &'a dyn Reporter,
    /// The process environment, read once by the binary.
    pub env: &'a env::Env,
}

impl Context<'_> {
    /// The plugin cache: `--cache-dir` (relative to the working directory),
    /// else the default (`$XDG_CACHE_HOME/katalon-prep`, `~/.cache/katalon-prep`).
    pub fn cache_dir(&self) -> Result<PathBuf, plugins::cache::Error> {
        match &self.cache_dir {
            Some(dir) => Ok(self.cwd.join(dir)),
            None => plugins::cache::default_dir(self.env),
        }
    }
}

/// Where to look for the key, from flags, env and config (flags win).
pub fn key_request(ctx: &Context, config: &Config) -> secret::KeyRequest {
    let var = ctx
        .api_key_env
        .clone()
        .or_else(|| config.api_key_env.as_ref().map(|l| l.value.clone()))
        .unwrap_or_else(|| secret::DEFAULT_ENV.to_string());
    let secrets_dir = ctx.env.secrets_dir.clone().unwrap_or_else(|| PathBuf::from(secret::DEFAULT_SECRETS_DIR));
    secret::KeyRequest { var, stdin: ctx.api_key_stdin, secrets_dir }
}

/// How plugins are fetched.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub jobs: usize,
    pub net: net::Settings,
    pub limits: plugins::archive::Limits,
}

/// One row of the closing summary.
#[derive(Debug, Clone)]
pub struct PluginRow {
    pub name: String,
    /// The plugin's version, when its source says (`path`/`url` do not).
    pub version: Option<String>,
    pub source: String,
    pub sha256: digest::Sha256,
    pub files: Vec<String>,
    pub downloaded: bool,
    pub bytes: u64,
}

/// What the plugin and engine stages did ([`pipeline::prepare`]).
#[derive(Debug, Clone, Default)]
pub struct Installed {
    pub plugins: Vec<PluginRow>,
    pub outcome: install::Outcome,
    pub settings_changed: bool,
    pub cache_dir: Option<PathBuf>,
    /// The engine, when `engine:` is configured ([`engine::provision`]).
    pub engine: Option<engine::Provisioned>,
}

/// `store 42 1.2.3`, `url https://…/x.jar`: the source column of the summary.
pub fn describe_origin(origin: &Origin) -> String {
    match origin {
        Origin::Path(path) => format!("path {}", config::relative_path(path, Path::new(""))),
        Origin::Url(url) => format!("url {url}"),
        Origin::Store(_, release) => format!("store {} {}", release.product_id, release.version),
        Origin::Github(release, _) => format!("github {} {}", release.slug(), release.tag),
    }
}

/// The katalonc line of a plan.
pub fn build_line(plan: &plan::Plan, cwd: &Path, workdir_as: Option<String>, with_key: bool) -> Line {
    line_of(plan.project(), plan.target.as_ref(), &plan.run, cwd, workdir_as, with_key)
}

/// The katalonc line of a run of `project` (for `init`, which has a draft, not a plan).
pub fn line_of(
    project: &project::Project,
    target: Option<&project::ResolvedTarget>,
    run: &config::Run,
    cwd: &Path,
    workdir_as: Option<String>,
    with_key: bool,
) -> Line {
    let paths = PathStyle { cwd: cwd.to_path_buf(), workdir_as };
    argv::build(&argv::Inputs { project, target, run, paths: &paths, with_key })
}

/// `1.5 MB`-style sizes for people.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 { format!("{n} B") } else { format!("{v:.1} {}", UNITS[u]) }
}
