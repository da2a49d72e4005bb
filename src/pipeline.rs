//! The pipeline of `prepare`, `args` and `run`: one function,
//! [`prepare`], calls the stages in the order they run, each entered once
//! and each in a tracing span of its name (`-v` shows them):
//!
//! ```text
//! stage      reads                                   writes
//! key        the CI secrets (never printed)          the ::add-mask:: hook, before anything logs
//!            (its errors are returned after the plan's, as the plan is checked first)
//! plan       the workspace + the shard               nothing: the Plan and its findings
//! line       the plan + extra options                nothing: the linted katalonc line (exit 13 on errors)
//!            ----- `args` stops here; `prepare` and `run` go on -----
//! reconcile  the plan's findings on the lock         (decides: refuse or warn)
//! resolve    config + lock (+ Store/GitHub APIs)      nothing: concrete artifacts
//! fetch      the artifacts (cache, else network)     the content-addressed cache
//! install    the cached jars                         Plugins/, Plugins/platform/
//! settings   the project's execution settings        plugin.reloadOption="OFFLINE"
//! engine     the lock's engine pin, the cache        the project's writable engine
//! ```
//!
//! Nothing here reads the config, the project index or the lock again: the
//! [`Plan`] borrows them from the [`Workspace`]. The line, the key and what
//! was installed are returned ([`Prepared`]); the binary prints the line and
//! publishes it to the CI, and `run` adds katalonc and the report after it.

use std::time::Instant;

use tracing::{Instrument, info_span};

use crate::context::Context;
use crate::error::Error;
use crate::katalonc::argv::{self, Line};
use crate::katalonc::{lint, options};
use crate::plan::{self, Finding, Plan};
use crate::plugins::FetchOptions;
use crate::plugins::resolve::{self, Artifact, FetchFrom, Mode, Planned, Remote};
use crate::plugins::{self, Fetched, Fetcher, cache::Cache, install};
use crate::report::Event;
use crate::secret::{self, ApiKey};
use crate::workspace::Workspace;
use crate::{digest, engine, lock, project};

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
    pub cache_dir: Option<std::path::PathBuf>,
    /// The engine, when `engine:` is configured ([`engine::provision`]).
    pub engine: Option<engine::Provisioned>,
}

/// What `prepare`, `args` and `run` ask of the pipeline.
pub struct Request<'a> {
    /// The shard and `--offline`.
    pub plan: plan::Request,
    /// `--without-api-key`: the line has no `-apiKey`.
    pub without_key: bool,
    /// `--workdir-as`: the paths as another working directory sees them.
    pub workdir_as: Option<String>,
    /// Extra katalonc options after `--`.
    pub extra: &'a [String],
    pub lint: LintRules,
    /// The plugin and engine stages; `None` for `args`, which stops at the line.
    pub fetch: Option<Fetch>,
}

/// How the line is linted.
pub struct LintRules {
    /// The rules `--allow` turns off (the config's `lint.allow` is added).
    pub allow: lint::Allow,
    /// A line without a target is an error (`run`), else a warning (`prepare`,
    /// `args`, whose users may add the target later, per shard).
    pub target_required: bool,
    /// The line is printed (`prepare`, `args`): a value with a line break
    /// would make it several lines, so it is refused. `run` hands katalonc
    /// its argv directly.
    pub one_line: bool,
}

/// How the stages after the line run.
pub struct Fetch {
    pub opts: FetchOptions,
    /// `--locked`: the lock must exist and fit the config (else exit 31).
    pub locked: bool,
}

/// What the pipeline made: the line, the key it is for, and (unless `args`)
/// what the plugin and engine stages did.
pub struct Prepared {
    pub line: Line,
    pub key: Option<ApiKey>,
    pub installed: Option<Installed>,
}

/// key → plan → line → reconcile → resolve → fetch → install → settings → engine.
pub async fn prepare(ctx: &Context<'_>, ws: &Workspace, req: &Request<'_>) -> Result<Prepared, Error> {
    // Resolved (and so masked) before anything logs; a missing key is said after the plan's errors.
    let keys = info_span!("key").in_scope(|| Keys::resolve(ctx, ws, req));
    let (plan, findings) = info_span!("plan").in_scope(|| checked(ws, req))?;
    let keys = keys?;
    report_wrong_kind(ctx, &findings);
    // Refused on lint errors before any plugin work.
    let line = info_span!("line").in_scope(|| line(ctx, &plan, req, keys.line.is_some()))?;
    let Some(fetch) = &req.fetch else { return Ok(Prepared { line, key: keys.line, installed: None }) };
    let (started, config, root) = (Instant::now(), plan.config(), &plan.project().root);
    let mut installed = Installed::default();
    let lock = info_span!("reconcile").in_scope(|| reconcile(ctx, &plan, &findings, fetch.locked))?;
    let mut items = Vec::new();
    // Open (and so kept from `cache prune`) until the jars are installed from it.
    let mut cache = open_cache(ctx, config)?;
    if let Some((cache, dir)) = &cache {
        let remote = Remote::new(fetch.opts.net.clone(), &config.store, keys.for_store(), ctx.env, ctx.reporter);
        ctx.reporter.report(Event::GroupStart(format!("Plugins ({} configured)", config.plugins.len())));
        let lock_ref = lock.zip(plan.matching.as_ref());
        let planned =
            resolve::resolve(config, lock_ref, Mode::Prepare, cache, &remote).instrument(info_span!("resolve"));
        let planned = planned.await.map_err(|e| keys.explain(e.into()))?;
        let fetched = fetch_selected(&planned, &fetcher(cache, &remote, &fetch.opts, ctx)).await;
        for got in fetched.map_err(|e| keys.explain(e))? {
            check_path_pin(ctx, &got, lock, fetch.locked)?;
            installed.plugins.push(row(&got));
            items.extend(got.items);
        }
        installed.cache_dir = Some(dir.clone());
    }
    installed.outcome = info_span!("install").in_scope(|| install::install(root, &items, ctx.reporter))?;
    if cache.take().is_some() {
        ctx.reporter.report(Event::GroupEnd);
    }
    installed.settings_changed = info_span!("settings").in_scope(|| offline_setting(ctx, &plan))?;
    summary(ctx, &installed.plugins, started);
    let provisioned = engine::provision(ctx, config, lock, root, &fetch.opts, fetch.locked);
    installed.engine = provisioned.instrument(info_span!("engine")).await?;
    Ok(Prepared { line, key: keys.line, installed: Some(installed) })
}

/// The plan check, and what in it is fatal for `prepare`, `args` and `run`.
fn checked<'w>(ws: &'w Workspace, req: &Request) -> Result<(Plan<'w>, Vec<Finding>), Error> {
    let (plan, findings) = plan::check(ws, &req.plan)?;
    let config = &ws.config;
    let needs_lock = req.fetch.is_some() && (!config.plugins.is_empty() || config.engine.is_some());
    let findings = refuse(findings, needs_lock || config.unpinned_urls().next().is_some())?;
    Ok((plan, findings))
}

/// What is fatal in the plan check for `prepare`, `args` and `run`: a
/// missing suite, collection or profile, a `url` plugin with no pin, and a
/// lock that cannot be read when something needs it. The rest is reported
/// at the stage it concerns.
fn refuse(findings: Vec<Finding>, needs_lock: bool) -> Result<Vec<Finding>, Error> {
    // The lock's first, as the plan check meets them: a `url` plugin's pin is read before the project.
    let rank = |f: &Finding| match f {
        Finding::LockUnreadable(_) if needs_lock => Some(0),
        Finding::UnpinnedUrl(_) => Some(0),
        Finding::Missing(_) => Some(1),
        _ => None,
    };
    let (fatal, rest): (Vec<Finding>, Vec<Finding>) = findings.into_iter().partition(|f| rank(f).is_some());
    match fatal.into_iter().min_by_key(rank) {
        Some(Finding::LockUnreadable(e)) => Err(e.into()),
        Some(Finding::UnpinnedUrl(e)) => Err(e.into()),
        Some(Finding::Missing(e)) => Err(e.into()),
        _ => Ok(rest),
    }
}

/// The key of the line, and the one the Store needs.
struct Keys {
    /// `None` with `--without-api-key`.
    line: Option<ApiKey>,
    /// With `--without-api-key`, Store plugins still need the key: found
    /// or not, it matters only on a cache miss.
    store: Option<ApiKey>,
    /// Why the Store's key could not be had (a malformed key, both
    /// variables set), said if the Store needed it after all.
    why_not: std::cell::Cell<Option<secret::Error>>,
}

impl Keys {
    fn resolve(ctx: &Context, ws: &Workspace, req: &Request) -> Result<Keys, Error> {
        let ask = || secret::resolve(&ctx.key_request(&ws.config), ctx.env);
        let line = if req.without_key { None } else { Some(ask()?) };
        let (store, why_not) = match &line {
            None if req.fetch.is_some() && ws.config.uses_store() => match ask() {
                Ok(key) => (Some(key), None),
                Err(why) => (None, Some(why)),
            },
            _ => (None, None),
        };
        Ok(Keys { line, store, why_not: why_not.into() })
    }

    /// The key sent to the Store: the line's, else the one asked for the Store alone.
    fn for_store(&self) -> Option<&ApiKey> {
        self.line.as_ref().or(self.store.as_ref())
    }

    /// A Store that needed the key says why it could not be had, not
    /// merely that it is missing.
    fn explain(&self, err: Error) -> Error {
        match (err, self.why_not.take()) {
            (Error::Plugins(plugins::Error::NeedKey), Some(why)) if !matches!(why, secret::Error::Missing { .. }) => {
                why.into()
            }
            (err, _) => err,
        }
    }
}

/// A target of the other kind than written: said once the key is masked.
fn report_wrong_kind(ctx: &Context, findings: &[Finding]) {
    use crate::config::Target;
    use crate::project::TsKind;
    for finding in findings {
        let Finding::WrongKind { written, resolved } = finding else { continue };
        let at = crate::location::suffix(&written.at);
        let warning = match (&written.value, resolved.kind) {
            (Target::Suite(p), TsKind::Collection) if written.at.is_none() => {
                format!("`{p}` is a test suite collection; emitting -testSuiteCollectionPath")
            }
            (Target::Suite(p), _) => format!(
                "`run.test-suite: {p}` is a test suite collection; emitting -testSuiteCollectionPath (write `test-suite-collection:` to say so){at}"
            ),
            (Target::Collection(p), _) => format!(
                "`run.test-suite-collection: {p}` is a test suite; emitting -testSuitePath (write `test-suite:` to say so){at}"
            ),
        };
        ctx.reporter.report(Event::warning(warning));
    }
}

/// The katalonc line of the plan, with the extra options: refused when a
/// value breaks it (exit 10) or lint finds errors (exit 13); warnings and
/// notes are reported ([`Event::Findings`]).
fn line(ctx: &Context, plan: &Plan, req: &Request, with_key: bool) -> Result<Line, Error> {
    let mut line = plan.line(&ctx.cwd, req.workdir_as.clone(), with_key);
    refuse_line_breaks(&line, req.extra, req.lint.one_line)?;
    let settings = lint::Settings {
        facts: Some(&plan.workspace.index),
        os: options::Os::of_run(ctx.env),
        hand_written: false,
        target_required: req.lint.target_required,
        source: None,
    };
    let mut found = lint::lint(&lint::args_of(&line, req.extra), settings);
    req.lint.allow.clone().union(&plan.config().lint_allow).apply(&mut found);
    let refusal = lint::refusal(&found, &ctx.cwd);
    found.retain(|f| f.severity != lint::Severity::Error);
    if !found.is_empty() {
        ctx.reporter.report(Event::Findings(found));
    }
    if let Some(message) = refusal {
        return Err(Error::Lint { message, hint: Some("`katalon-prep check` lists every finding".into()) });
    }
    let split = req.extra.iter().position(|a| a == options::CONFIG).unwrap_or(req.extra.len());
    req.extra[..split].iter().for_each(|arg| line.push_main(arg.clone()));
    req.extra.iter().skip(split + 1).for_each(|arg| line.push_config(arg.clone()));
    Ok(line)
}

/// The line is printed as one line (and no argv carries a NUL): a value
/// holding a NUL byte, or a line break when the line is printed, from the
/// config, a flag or `--shard`, is refused (exit 10), naming where it was
/// written.
fn refuse_line_breaks(line: &Line, extra: &[String], one_line: bool) -> Result<(), Error> {
    use crate::katalonc::argv::Token;
    // No argv can carry a NUL, whatever the format.
    let broken = |a: &str| a.contains('\0') || (one_line && a.contains(['\n', '\r']));
    let main = line.main.iter().enumerate().filter_map(|(i, t)| match t {
        Token::Arg(a) => Some((a, line.main_origin(i))),
        Token::ApiKey => None,
    });
    let config = line.config.iter().enumerate().map(|(i, a)| (a, line.config_origin(i)));
    let extra = extra.iter().map(|a| (a, None));
    match main.chain(config).chain(extra).find(|(a, _)| broken(a)) {
        None => Ok(()),
        Some((arg, at)) => Err(Error::usage_hint(
            format!(
                "{}the katalonc argument `{}` holds a line break or a NUL byte; the line must stay one line",
                at.map(|at| format!("{at}: ")).unwrap_or_default(),
                crate::report::untrusted(&secret::redact(arg))
            ),
            "remove it from the value (a suite, profile or option written across lines)",
        )),
    }
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

/// The plugin cache, when there are plugins to fetch into it.
fn open_cache(ctx: &Context, config: &crate::config::Config) -> Result<Option<(Cache, std::path::PathBuf)>, Error> {
    if config.plugins.is_empty() {
        return Ok(None);
    }
    let dir = ctx.cache_dir()?;
    Ok(Some((Cache::open(&dir)?, dir)))
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
        source: a.origin.summary_cell(),
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
        crate::report::human_bytes(bytes),
        started.elapsed().as_secs_f64()
    )));
}
