//! katalon-prep: prepares a Katalon test run in CI.
//!
//! Data flows one way — **config → plan → fetch (cache) → install (project)
//! → emit** — and each stage is a module that knows nothing of the later
//! ones. The whole path, as `prepare` runs it:
//!
//! ```text
//! config::load            katalon-prep.yml → validated Config (with file:line)
//! secret::resolve         the API key from CI secrets (never printed)
//! project::discover       the .prj, the suite or collection, the profile
//! lock::load + compare    katalon-prep.lock, and whether it still fits the config
//! plugins::resolve        each entry (or its lock entry) as concrete artifacts
//! plugins::Fetcher        each artifact into the content-addressed cache
//! plugins::install        jars into Plugins/ and Plugins/platform/
//! project::settings       plugin.reloadOption="OFFLINE" when asked
//! engine::provision       the engine: lock pin → cache (verified) → the project's writable copy
//! katalonc::argv::build   the katalonc line, the key a placeholder until rendered
//! ```

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
pub mod plugins;
pub mod project;
pub mod report;
pub mod results;
pub mod run;
pub mod secret;
pub mod yaml;

use std::path::{Path, PathBuf};
use std::time::Instant;

pub use error::Error;
pub use exit::Exit;

use config::{Config, Target};
use katalonc::argv::{self, Line, PathStyle};
use plugins::resolve::{self, Artifact, FetchFrom, Mode, Origin, Planned, Remote};
use plugins::{Fetcher, cache::Cache, install};
use project::{Project, ResolvedTarget, TsKind};
use report::{Event, Reporter};

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

/// The config checked against the project: everything needed to install
/// plugins and build the line.
pub struct Plan {
    pub config: Config,
    pub project: Project,
    pub target: Option<ResolvedTarget>,
    /// Findings worth a warning; reported by the command once the API key
    /// has been masked (nothing may be printed before `::add-mask::`).
    pub warnings: Vec<String>,
}

/// Stage 1: config and project. For one shard, `--shard` (or
/// `--suite`/`--browser`/`--profile`) replaces the config's `run` values.
pub fn plan_with(ctx: &Context, shard: &matrix::Shard) -> Result<Plan, Error> {
    let mut config = config::load(ctx.config.as_deref(), &ctx.cwd)?;
    check_url_pins(&config)?;
    shard.apply(&mut config.run);
    let explicit = match &ctx.project {
        Some(flag) => Some(location::Located::bare(ctx.cwd.join(flag))),
        None => config.project.clone(),
    };
    let project = project::discover(explicit.as_ref(), &config.base_dir)?;
    let mut warnings = Vec::new();
    let target = match &config.run.target {
        Some(target) => {
            let resolved = project.resolve_target(target)?;
            match (&target.value, resolved.kind) {
                (Target::Suite(p), TsKind::Collection) if target.at.is_none() => warnings.push(format!(
                    "`{p}` is a test suite collection; emitting -testSuiteCollectionPath"
                )),
                (Target::Suite(p), TsKind::Collection) => warnings.push(format!(
                    "`run.test-suite: {p}` is a test suite collection; emitting -testSuiteCollectionPath (write `test-suite-collection:` to say so){}",
                    location::suffix(&target.at)
                )),
                (Target::Collection(p), TsKind::Suite) => warnings.push(format!(
                    "`run.test-suite-collection: {p}` is a test suite; emitting -testSuitePath (write `test-suite:` to say so){}",
                    location::suffix(&target.at)
                )),
                _ => {}
            }
            Some(resolved)
        }
        None => None,
    };
    if let Some(profile) = &config.run.profile {
        project.check_profile(profile)?;
    }
    Ok(Plan { config, project, target, warnings })
}

/// A `url` plugin needs a `sha256`, in the config or in the lock (where
/// `katalon-prep lock` records it on first use).
fn check_url_pins(config: &Config) -> Result<(), Error> {
    let unpinned: Vec<&config::PluginSpec> =
        config.plugins.iter().filter(|p| matches!(p.source, config::Source::Url(_)) && p.sha256.is_none()).collect();
    if unpinned.is_empty() {
        return Ok(());
    }
    let (path, shown) = lock::path_for(config);
    let loaded = lock::load(&path, &shown)?;
    for spec in &unpinned {
        let pinned = loaded.as_ref().is_some_and(|l| l.lock.plugins.iter().any(|e| e.matches(spec, &config.base_dir)));
        if !pinned {
            return Err(config::unpinned_url(spec).into());
        }
    }
    Ok(())
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

/// What stage 2 did.
#[derive(Debug, Clone, Default)]
pub struct Installed {
    pub plugins: Vec<PluginRow>,
    pub outcome: install::Outcome,
    pub settings_changed: bool,
    pub cache_dir: Option<PathBuf>,
    /// The engine, when `engine:` is configured ([`engine::provision`]).
    pub engine: Option<engine::Provisioned>,
}

/// Stage 2: plugins into the cache, then into the project; the offline setting.
///
/// With a lock, installs what it pins (`locked`: refuses a lock that does
/// not fit the config, exit 31). `key` is sent to the Store only, and only
/// when a Store plugin is not in the cache.
pub async fn install_plugins(
    ctx: &Context<'_>,
    plan: &Plan,
    opts: &FetchOptions,
    key: Option<&secret::ApiKey>,
    locked: bool,
) -> Result<Installed, Error> {
    let started = Instant::now();
    let mut installed = Installed::default();
    let config = &plan.config;
    if !config.plugins.is_empty() {
        let dir = ctx.cache_dir()?;
        let cache = Cache::open(&dir)?;
        let (lock_path, lock_shown) = lock::path_for(config);
        let loaded = lock::load(&lock_path, &lock_shown)?;
        let matching = loaded.as_ref().map(|l| lock::compare(config, l));
        check_lock_fits(ctx, config, loaded.as_ref(), matching.as_ref(), locked)?;
        let remote = Remote::new(opts.net.clone(), &config.store, key, ctx.env, ctx.reporter);
        ctx.reporter.report(Event::GroupStart(format!("Plugins ({} configured)", config.plugins.len())));
        let lock_ref = loaded.as_ref().zip(matching.as_ref());
        let planned = resolve::resolve(config, lock_ref, Mode::Prepare, &cache, &remote).await?;
        let artifacts: Vec<Artifact> = planned
            .into_iter()
            .flat_map(|p| match p {
                Planned::Fetch(a) => a,
                Planned::Kept(_) => Vec::new(),
            })
            .collect();
        let fetcher =
            Fetcher { cache: &cache, remote: &remote, limits: opts.limits, jobs: opts.jobs, reporter: ctx.reporter };
        let fetched = fetcher.fetch_all(&artifacts).await?;
        let mut items = Vec::new();
        for (a, f) in artifacts.iter().zip(&fetched) {
            check_path_pin(ctx, a, f, loaded.as_ref(), locked)?;
            let chosen = plugins::select(a.jar.as_deref(), a.kind, &a.at, f)?;
            installed.plugins.push(PluginRow {
                name: f.name.clone(),
                version: a.origin.version().map(str::to_string),
                source: describe_origin(&a.origin),
                sha256: f.entry.meta.sha256,
                files: chosen.iter().map(|i| format!("{}/{}", install::PLUGINS_DIR, i.relative())).collect(),
                downloaded: f.downloaded,
                bytes: f.entry.meta.size,
            });
            items.extend(chosen);
        }
        installed.cache_dir = Some(dir);
        installed.outcome = install::install(&plan.project.root, &items, ctx.reporter)?;
        ctx.reporter.report(Event::GroupEnd);
    } else {
        installed.outcome = install::install(&plan.project.root, &[], ctx.reporter)?;
    }
    if config.offline {
        let root = &plan.project.root;
        let edit = project::settings::plan_offline(root)?;
        installed.settings_changed = edit.is_some();
        if let Some(edit) = edit {
            // Noted before it is made: `clean` can undo it even after a kill.
            install::note_settings_edit(root, project::settings::FILE, edit.before.as_deref(), &edit.after)?;
            project::settings::apply(&edit)?;
            let path = edit.path;
            let shown = argv::relative(&path, &ctx.cwd);
            ctx.reporter.report(Event::Info(format!("Set plugin.reloadOption=\"OFFLINE\" in {}", shown.display())));
        }
    }
    let n = installed.plugins.len();
    if n > 0 {
        let downloaded: Vec<&PluginRow> = installed.plugins.iter().filter(|p| p.downloaded).collect();
        let bytes: u64 = downloaded.iter().map(|p| p.bytes).sum();
        ctx.reporter.report(Event::Info(format!(
            "{n} plugin{}: {} cached, {} downloaded ({}) in {:.2} s",
            if n == 1 { "" } else { "s" },
            n - downloaded.len(),
            downloaded.len(),
            human_bytes(bytes),
            started.elapsed().as_secs_f64()
        )));
    }
    Ok(installed)
}

/// Whether the lock may be used as it is: missing under `--locked` or
/// drifted from the config is exit 31 with `--locked`, a warning without.
fn check_lock_fits(
    ctx: &Context,
    config: &Config,
    loaded: Option<&lock::Loaded>,
    matching: Option<&lock::Matching>,
    locked: bool,
) -> Result<(), Error> {
    let (_, lock_shown) = lock::path_for(config);
    match (loaded, matching) {
        (None, _) if locked => return Err(lock::Error::Missing { path: lock_shown }.into()),
        (None, _) if config.plugins.iter().any(|p| matches!(p.source, config::Source::Store(..) | config::Source::Github(..))) => {
            ctx.reporter.report(Event::warning(format!(
                "no {}: Store and GitHub plugins are installed as served now, not pinned; run `katalon-prep lock` and commit the file",
                lock_shown.display()
            )))
        }
        (Some(_), Some(m)) if !m.drift.is_empty() => {
            let drift = lock::Error::Drift { lock: lock_shown, config: config.shown_file(), items: m.drift.clone() };
            if locked {
                return Err(drift.into());
            }
            ctx.reporter.report(Event::warning(format!(
                "{}; installing the entries that changed from {} as configured",
                drift,
                config.shown_file().display()
            )));
        }
        _ => {}
    }
    Ok(())
}

/// A locked `path` plugin whose file changed since `lock`: exit 31 with
/// `--locked`, a warning without (the file is installed as it is now).
fn check_path_pin(
    ctx: &Context,
    a: &Artifact,
    f: &plugins::Fetched,
    loaded: Option<&lock::Loaded>,
    locked: bool,
) -> Result<(), Error> {
    let (Some(idx), Some(l), FetchFrom::Path(path)) = (a.locked, loaded, &a.from) else { return Ok(()) };
    let pinned = l.lock.plugins[idx].sha256;
    if pinned == f.entry.meta.sha256 {
        return Ok(());
    }
    let changed = lock::Error::PathChanged(Box::new(lock::PathChange {
        name: a.name.clone(),
        path: argv::relative(path, &ctx.cwd),
        lock: l.shown.clone(),
        locked: pinned,
        actual: f.entry.meta.sha256,
        at: a.at.clone(),
    }));
    if locked {
        return Err(changed.into());
    }
    ctx.reporter
        .report(Event::Warning { message: format!("{changed}; installing it as it is now"), hint: changed.hint() });
    Ok(())
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

/// Stage 3: the katalonc line.
pub fn build_line(plan: &Plan, cwd: &Path, workdir_as: Option<String>, with_key: bool) -> Line {
    let paths = PathStyle { cwd: cwd.to_path_buf(), workdir_as };
    argv::build(&argv::Inputs {
        project: &plan.project,
        target: plan.target.as_ref(),
        run: &plan.config.run,
        paths: &paths,
        with_key,
    })
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
