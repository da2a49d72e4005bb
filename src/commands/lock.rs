//! `lock [--update]`: resolve every plugin, bring it into the cache, and
//! write `katalon-prep.lock`.
//!
//! Without `--update`, entries the lock already pins for the config as it
//! is stay exactly as they are (no network for them); new or changed
//! entries are resolved. With `--update`, everything is resolved again.
//! This is the only place a `url` plugin without `sha256` is hashed (trust
//! on first use), and it says so.

use crate::cli::LockArgs;
use crate::config::{self, Source};
use crate::lock::{self, Lock};
use crate::plugins::resolve::{self, Mode, Origin, Planned, Remote};
use crate::plugins::{self, Fetcher, cache::Cache, install};
use crate::report::Event;
use crate::{Context, Error, Exit, secret};

pub fn run(ctx: &Context, args: &LockArgs) -> Result<Exit, Error> {
    let config = config::load(ctx.config.as_deref(), &ctx.cwd)?;
    let (path, shown) = lock::path_for(&config);
    let existing = lock::load(&path, &shown)?;
    let matching = existing.as_ref().map(|l| lock::compare(&config, l));
    let mode = if args.update { Mode::Update } else { Mode::Lock };
    // The key is needed only when a Store entry must be resolved.
    let store_pending = config.plugins.iter().enumerate().any(|(i, p)| {
        matches!(p.source, Source::Store(_))
            && (args.update || matching.as_ref().and_then(|m| m.per_spec.get(i).cloned().flatten()).is_none())
    });
    let key = if store_pending { Some(secret::resolve(&crate::key_request(ctx, &config))?) } else { None };
    let opts = super::prepare::fetch_options(&args.fetch);
    let rt = super::runtime()?;
    let entries = rt.block_on(async {
        let mut entries = Vec::new();
        if !config.plugins.is_empty() {
            let dir = ctx.cache_dir()?;
            let cache = Cache::open(&dir)?;
            let remote = Remote::new(opts.net.clone(), &config.store, key.as_ref(), ctx.reporter);
            let lock_ref = existing.as_ref().zip(matching.as_ref());
            let planned = resolve::resolve(&config, lock_ref, mode, &cache, &remote).await?;
            let artifacts: Vec<resolve::Artifact> = planned
                .iter()
                .flat_map(|p| match p {
                    Planned::Fetch(a) => a.clone(),
                    Planned::Kept(_) => Vec::new(),
                })
                .collect();
            let fetcher = Fetcher {
                cache: &cache,
                remote: &remote,
                limits: opts.limits,
                jobs: opts.jobs,
                reporter: ctx.reporter,
            };
            let fetched = fetcher.fetch_all(&artifacts).await?;
            let mut made = artifacts.iter().zip(fetched);
            for p in &planned {
                match p {
                    Planned::Kept(indices) => {
                        if let Some(l) = &existing {
                            entries.extend(indices.iter().map(|&i| l.lock.plugins[i].clone()));
                        }
                    }
                    Planned::Fetch(list) => {
                        for _ in list {
                            let Some((a, f)) = made.next() else { break };
                            let chosen = plugins::select(a.jar.as_deref(), a.kind, &a.at, &f)?;
                            let kind = chosen.first().map(|c| c.kind).unwrap_or(config::Kind::Keyword);
                            let files =
                                chosen.iter().map(|c| format!("{}/{}", install::PLUGINS_DIR, c.relative())).collect();
                            if a.sha256.is_none()
                                && let Origin::Url { url } = &a.origin
                            {
                                ctx.reporter.report(Event::Warning(format!(
                                    "{url} has no sha256 in {}: trusting what was downloaded now (trust on first use) and pinning sha256 {} in {}{}",
                                    config.shown_file().display(),
                                    f.entry.meta.sha256,
                                    shown.display(),
                                    crate::location::suffix(&a.at)
                                )));
                            }
                            entries.push(resolve::lock_entry(a, f.entry.meta.sha256, f.entry.meta.size, kind, files));
                        }
                    }
                }
            }
        }
        Ok::<_, Error>(entries)
    })?;
    let new = Lock { version: lock::VERSION, store: lock::store_info(&config), plugins: entries };
    let text = new.render();
    let old = std::fs::read_to_string(&path).ok();
    if old.as_deref() == Some(text.as_str()) {
        ctx.reporter.report(Event::Info(format!("{} is up to date ({} plugins)", shown.display(), new.plugins.len())));
        return Ok(Exit::Ok);
    }
    crate::fsutil::write_atomic(&path, text.as_bytes(), crate::fsutil::Mode::Shared)
        .map_err(|source| Error::Write { path: shown.clone(), source })?;
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
