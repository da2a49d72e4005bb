//! `lock [--update]`: resolve every plugin, bring it into the cache, and
//! write `katalon-prep.lock`.
//!
//! Without `--update`, entries the lock already pins for the config as it
//! is stay exactly as they are (no network for them); new or changed
//! entries are resolved. With `--update`, everything is resolved again.
//! This is the only place a `url` plugin without `sha256` is hashed (trust
//! on first use), and it says so.

use std::collections::BTreeSet;

use katalon_prep::cli::LockArgs;
use katalon_prep::config::{self, Source};
use katalon_prep::engine::{self, Platform};
use katalon_prep::lock::{self, Lock};
use katalon_prep::plugins::resolve::{self, Mode, Origin, Planned, Remote};
use katalon_prep::plugins::{Fetcher, cache::Cache};
use katalon_prep::report::Event;
use katalon_prep::{Context, Error, Exit, pipeline, secret};

pub fn run(ctx: &Context, args: &LockArgs) -> Result<Exit, Error> {
    let config = config::load(ctx.config.as_deref(), &ctx.cwd)?;
    let (path, shown) = lock::path_for(&config);
    let existing = lock::load(&path, &shown)?;
    let matching = existing.as_ref().map(|l| lock::compare(&config, l));
    let mode = if args.update { Mode::Update } else { Mode::Lock };
    // The key is needed only when a Store entry must be resolved.
    let store_pending = config.plugins.iter().enumerate().any(|(i, p)| {
        matches!(p.source, Source::Store(..))
            && (args.update || matching.as_ref().and_then(|m| m.per_spec.get(i).cloned().flatten()).is_none())
    });
    let key = if store_pending { Some(secret::resolve(&ctx.key_request(&config), ctx.env)?) } else { None };
    let opts = super::prepare::fetch_options(&args.fetch, ctx.env);
    let rt = super::runtime()?;
    let entries = rt.block_on(async {
        let mut entries = Vec::new();
        if !config.plugins.is_empty() {
            let dir = ctx.cache_dir()?;
            let cache = Cache::open(&dir)?;
            let remote = Remote::new(opts.net.clone(), &config.store, key.as_ref(), ctx.env, ctx.reporter);
            let lock_ref = existing.as_ref().zip(matching.as_ref());
            let planned = resolve::resolve(&config, lock_ref, mode, &cache, &remote).await?;
            let fetcher = Fetcher {
                cache: &cache,
                remote: &remote,
                limits: opts.limits,
                jobs: opts.jobs,
                reporter: ctx.reporter,
            };
            let mut made = pipeline::fetch_selected(&planned, &fetcher).await?.into_iter();
            for p in &planned {
                match p {
                    Planned::Kept(indices) => {
                        if let Some(l) = &existing {
                            entries.extend(indices.iter().map(|&i| l.lock.plugins[i].clone()));
                        }
                    }
                    Planned::Fetch(list) => {
                        for got in made.by_ref().take(list.len()) {
                            let (a, meta) = (&got.artifact, &got.fetched.entry.meta);
                            let kind = got.items.first().map(|c| c.kind).unwrap_or(config::Kind::Keyword);
                            if a.sha256.is_none()
                                && let Origin::Url(url) = &a.origin
                            {
                                ctx.reporter.report(Event::warning(format!(
                                    "{url} has no sha256 in {}: trusting what was downloaded now (trust on first use) and pinning sha256 {} in {}{}",
                                    config.shown_file().display(),
                                    meta.sha256,
                                    shown.display(),
                                    katalon_prep::location::suffix(&a.at)
                                )));
                            }
                            entries.push(resolve::lock_entry(a, meta.sha256, meta.size, kind, got.files()));
                        }
                    }
                }
            }
        }
        Ok::<_, Error>(entries)
    })?;
    let engine = rt.block_on(lock_engine(ctx, &config, existing.as_ref(), args, &opts))?;
    let new = Lock { version: lock::VERSION, store: lock::store_info(&config), engine, plugins: entries };
    let text = new.render();
    let old = std::fs::read_to_string(&path).ok();
    if old.as_deref() == Some(text.as_str()) {
        ctx.reporter.report(Event::Info(format!("{} is up to date ({} plugins)", shown.display(), new.plugins.len())));
        return Ok(Exit::Ok);
    }
    katalon_prep::fsutil::write_atomic(&path, text.as_bytes(), katalon_prep::fsutil::Mode::Shared)
        .map_err(|source| Error::Write { path: shown.clone(), source })?;
    if let (Some(old), Some(now)) = (existing.as_ref().and_then(|l| l.lock.engine.as_ref()), new.engine.as_ref())
        && old != now
    {
        ctx.reporter.report(Event::Info(format!(
            "Engine {}: pinned for {}",
            now.version,
            now.platforms.keys().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
        )));
    }
    let before = existing.map(|l| l.lock.plugins).unwrap_or_default();
    let added = new.plugins.iter().filter(|e| !before.contains(e)).count();
    let removed = before.iter().filter(|e| !new.plugins.contains(e)).count();
    ctx.reporter.report(Event::Info(format!(
        "Wrote {}: {} plugin{} ({added} new or changed, {removed} dropped)",
        shown.display(),
        new.plugins.len(),
        if new.plugins.len() == 1 { "" } else { "s" }
    )));
    Ok(Exit::Ok)
}

/// The platforms `--platform` names (`all`, or a list).
fn requested_platforms(args: &LockArgs) -> Result<Vec<Platform>, Error> {
    let mut out = Vec::new();
    for name in &args.platform {
        if name.trim() == "all" {
            out.extend(Platform::ALL);
        } else {
            out.push(
                name.parse::<Platform>()
                    .map_err(|message| Error::usage_hint(format!("--platform: {message}"), "or `--platform all`"))?,
            );
        }
    }
    Ok(out)
}

/// The lock's `engine:` section. Platforms locked already for this version
/// are kept as they are (no network) unless `--update`; this machine's
/// platform is installed into the cache and pinned; other platforms are
/// downloaded only to be hashed. Katalon publishes no checksums: what is
/// downloaded now is trusted (trust on first use), and the warning says so.
async fn lock_engine(
    ctx: &Context<'_>,
    config: &config::Config,
    existing: Option<&lock::Loaded>,
    args: &LockArgs,
    opts: &katalon_prep::FetchOptions,
) -> Result<Option<lock::EngineLock>, Error> {
    let requested = requested_platforms(args)?;
    let Some(settings) = &config.engine else {
        if !requested.is_empty() {
            return Err(Error::usage_hint(
                format!("--platform pins the engine, and {} has no `engine:`", config.shown_file().display()),
                "add `engine: { version: \"10.3.1\" }`",
            ));
        }
        return Ok(None);
    };
    let version = settings.version.value.clone();
    let old = existing.and_then(|l| l.lock.engine.as_ref()).filter(|e| e.version == version);
    let mut platforms: BTreeSet<Platform> = requested.into_iter().collect();
    if platforms.is_empty() {
        platforms.extend(old.map(|e| e.platforms.keys().copied().collect::<Vec<_>>()).unwrap_or_default());
        platforms.insert(engine::platform::host(ctx.env)?);
    }
    let host = engine::platform::host(ctx.env).ok();
    let mut locked = std::collections::BTreeMap::new();
    let pending: Vec<Platform> = platforms
        .iter()
        .copied()
        .filter(|p| {
            let kept = if args.update { None } else { old.and_then(|e| e.platforms.get(p)) };
            match kept {
                Some(archive) => {
                    locked.insert(*p, archive.clone());
                    false
                }
                None => true,
            }
        })
        .collect();
    if pending.is_empty() {
        return Ok(Some(lock::EngineLock { version, platforms: locked }));
    }
    let cache = Cache::open(&ctx.cache_dir()?)?;
    let http = katalon_prep::net::Http::new(opts.net.clone())?;
    let (_, lock_shown) = lock::path_for(config);
    for platform in pending {
        let (mut wanted, _) = engine::wanted(config, None, platform, false, ctx.env)?;
        wanted.lock = lock_shown.clone();
        let (sha256, size) = if Some(platform) == host {
            let fetched = engine::fetch(&cache, &http, &wanted, engine::engine_limits(opts), ctx.reporter).await?;
            (fetched.engine.meta.sha256, fetched.engine.meta.size)
        } else {
            let got = engine::hash_only(&http, &wanted, ctx.reporter).await?;
            (got.sha256, got.size)
        };
        ctx.reporter.report(Event::warning(format!(
            "{}: Katalon publishes no checksums; trusting what was downloaded now (trust on first use) and pinning sha256 {sha256} in {}",
            wanted.file,
            lock_shown.display()
        )));
        locked.insert(platform, lock::EngineArchive { file: wanted.file, size, sha256 });
    }
    Ok(Some(lock::EngineLock { version, platforms: locked }))
}
