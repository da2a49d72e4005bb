//! The plugin and engine stages of `prepare` (and `run`), in the order they
//! run, each entered once and each in a tracing span of its name (`-v`
//! shows them):
//!
//! ```text
//! stage      reads                                   writes
//! reconcile  the plan's findings on the lock         (decides: refuse or warn)
//! resolve    config + lock (+ Store/GitHub APIs)      nothing: concrete artifacts
//! fetch      the artifacts (cache, else network)     the content-addressed cache
//! install    the cached jars                         Plugins/, Plugins/platform/
//! settings   the project's execution settings        plugin.reloadOption="OFFLINE"
//! engine     the lock's engine pin, the cache        the project's writable engine
//! ```
//!
//! Nothing here reads the config, the project index or the lock again: the
//! [`Plan`] borrows them from the [`crate::workspace::Workspace`].

use std::time::Instant;

use tracing::Instrument;

use crate::katalonc::argv;
use crate::plan::{Finding, Plan};
use crate::plugins::resolve::{self, Artifact, FetchFrom, Mode, Planned, Remote};
use crate::plugins::{self, Fetched, Fetcher, cache::Cache, install};
use crate::report::Event;
use crate::{Context, Error, FetchOptions, Installed, PluginRow, engine, lock, project, secret};

/// How `prepare` runs the stages after the line.
pub struct Stages<'a> {
    pub opts: &'a FetchOptions,
    /// Sent to the Store only, and only when a Store plugin is not in the cache.
    pub key: Option<&'a secret::ApiKey>,
    /// `--locked`: the lock must exist and fit the config (else exit 31).
    pub locked: bool,
}

/// reconcile → resolve → fetch → install → settings → engine.
pub async fn prepare(
    ctx: &Context<'_>,
    plan: &Plan<'_>,
    findings: &[Finding],
    s: &Stages<'_>,
) -> Result<Installed, Error> {
    let started = Instant::now();
    let config = plan.config();
    let root = &plan.project().root;
    let mut installed = Installed::default();
    let lock = tracing::info_span!("reconcile").in_scope(|| reconcile(ctx, plan, findings, s.locked))?;
    let mut items = Vec::new();
    // Open (and so kept from `cache prune`) until the jars are installed from it.
    let mut cache = match config.plugins.is_empty() {
        true => None,
        false => {
            let dir = ctx.cache_dir()?;
            Some((Cache::open(&dir)?, dir))
        }
    };
    if let Some((cache, dir)) = &cache {
        let remote = Remote::new(s.opts.net.clone(), &config.store, s.key, ctx.env, ctx.reporter);
        ctx.reporter.report(Event::GroupStart(format!("Plugins ({} configured)", config.plugins.len())));
        let lock_ref = lock.zip(plan.matching.as_ref());
        let planned = resolve::resolve(config, lock_ref, Mode::Prepare, cache, &remote)
            .instrument(tracing::info_span!("resolve"))
            .await?;
        for got in fetch_selected(&planned, &fetcher(cache, &remote, s.opts, ctx)).await? {
            check_path_pin(ctx, &got, lock, s.locked)?;
            installed.plugins.push(row(&got));
            items.extend(got.items);
        }
        installed.cache_dir = Some(dir.clone());
    }
    installed.outcome = tracing::info_span!("install").in_scope(|| install::install(root, &items, ctx.reporter))?;
    if cache.take().is_some() {
        ctx.reporter.report(Event::GroupEnd);
    }
    installed.settings_changed = tracing::info_span!("settings").in_scope(|| offline_setting(ctx, plan))?;
    summary(ctx, &installed.plugins, started);
    installed.engine =
        engine::provision(ctx, config, lock, root, s.opts, s.locked).instrument(tracing::info_span!("engine")).await?;
    Ok(installed)
}

/// The lock as the later stages may use it: unreadable is refused when
/// plugins or the engine need it; missing under `--locked` or drifted from
/// the config is exit 31 with `--locked`, a warning without.
fn reconcile<'w>(
    ctx: &Context,
    plan: &Plan<'w>,
    findings: &[Finding],
    locked: bool,
) -> Result<Option<&'w lock::Loaded>, Error> {
    let ws = plan.workspace;
    let config = &ws.config;
    let (_, shown) = ws.lock_path();
    if config.plugins.is_empty() && config.engine.is_none() {
        return Ok(None);
    }
    let loaded = ws.lock()?;
    if config.plugins.is_empty() {
        return Ok(loaded);
    }
    if loaded.is_none() && locked {
        return Err(lock::Error::Missing { path: shown.to_path_buf() }.into());
    }
    for finding in findings {
        match finding {
            Finding::NoLock => ctx.reporter.report(Event::warning(format!(
                "no {}: Store and GitHub plugins are installed as served now, not pinned; run `katalon-prep lock` and commit the file",
                shown.display()
            ))),
            Finding::LockDrift(items) => {
                let drift = lock::Error::Drift {
                    lock: shown.to_path_buf(),
                    config: config.shown_file(),
                    items: items.clone(),
                };
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
    }
    Ok(loaded)
}

fn fetcher<'a>(cache: &'a Cache, remote: &'a Remote<'a>, opts: &FetchOptions, ctx: &'a Context) -> Fetcher<'a> {
    Fetcher { cache, remote, limits: opts.limits, jobs: opts.jobs, reporter: ctx.reporter }
}

/// One planned artifact in the cache, with the files it installs.
pub struct Selected {
    pub artifact: Artifact,
    pub fetched: Fetched,
    pub items: Vec<install::Item>,
}

impl Selected {
    /// The files it installs, as the summary and the lock name them: `Plugins/x.jar`.
    pub fn files(&self) -> Vec<String> {
        self.items.iter().map(|i| format!("{}/{}", install::PLUGINS_DIR, i.relative())).collect()
    }
}

/// The fetch stage, shared by `prepare` and `lock`: every artifact the
/// plan fetches (not those `lock` keeps), into the cache, with the jars
/// each installs, in the plan's order.
pub async fn fetch_selected(planned: &[Planned], fetcher: &Fetcher<'_>) -> Result<Vec<Selected>, Error> {
    let artifacts: Vec<Artifact> = planned
        .iter()
        .flat_map(|p| match p {
            Planned::Fetch(a) => a.clone(),
            Planned::Kept(_) => Vec::new(),
        })
        .collect();
    let fetched = fetcher.fetch_all(&artifacts).instrument(tracing::info_span!("fetch")).await?;
    let mut out = Vec::with_capacity(artifacts.len());
    for (artifact, fetched) in artifacts.into_iter().zip(fetched) {
        let items = plugins::select(artifact.jar.as_deref(), artifact.kind, &artifact.at, &fetched)?;
        out.push(Selected { artifact, fetched, items });
    }
    Ok(out)
}

/// A locked `path` plugin whose file changed since `lock`: exit 31 with
/// `--locked`, a warning without (the file is installed as it is now).
fn check_path_pin(ctx: &Context, got: &Selected, loaded: Option<&lock::Loaded>, locked: bool) -> Result<(), Error> {
    let (a, f) = (&got.artifact, &got.fetched);
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

/// The summary row of one installed plugin.
fn row(got: &Selected) -> PluginRow {
    let (a, f) = (&got.artifact, &got.fetched);
    PluginRow {
        name: f.name.clone(),
        version: a.origin.version().map(str::to_string),
        source: crate::describe_origin(&a.origin),
        sha256: f.entry.meta.sha256,
        files: got.files(),
        downloaded: f.downloaded,
        bytes: f.entry.meta.size,
    }
}

/// `plugin.reloadOption="OFFLINE"` when the plan asks for it; whether the file changed.
fn offline_setting(ctx: &Context, plan: &Plan) -> Result<bool, Error> {
    if !plan.offline {
        return Ok(false);
    }
    let root = &plan.project().root;
    let Some(edit) = project::settings::plan_offline(root)? else { return Ok(false) };
    // Noted before it is made: `clean` can undo it even after a kill.
    install::note_settings_edit(root, project::settings::FILE, edit.before.as_deref(), &edit.after)?;
    project::settings::apply(&edit)?;
    let shown = argv::relative(&edit.path, &ctx.cwd);
    ctx.reporter.report(Event::Info(format!("Set plugin.reloadOption=\"OFFLINE\" in {}", shown.display())));
    Ok(true)
}

/// `3 plugins: 2 cached, 1 downloaded (1.2 MB) in 0.40 s`.
fn summary(ctx: &Context, plugins: &[PluginRow], started: Instant) {
    let n = plugins.len();
    if n == 0 {
        return;
    }
    let downloaded: Vec<&PluginRow> = plugins.iter().filter(|p| p.downloaded).collect();
    let bytes: u64 = downloaded.iter().map(|p| p.bytes).sum();
    ctx.reporter.report(Event::Info(format!(
        "{n} plugin{}: {} cached, {} downloaded ({}) in {:.2} s",
        if n == 1 { "" } else { "s" },
        n - downloaded.len(),
        downloaded.len(),
        crate::human_bytes(bytes),
        started.elapsed().as_secs_f64()
    )));
}
