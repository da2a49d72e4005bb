//! `cache dir`, `cache verify`, `cache key` and `cache prune`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use katalon_prep::cli::CacheCommand;
use katalon_prep::digest::Sha256;
use katalon_prep::engine::cache::Engines;
use katalon_prep::plugins::cache::Cache;
use katalon_prep::report::Event;
use katalon_prep::{Context, Error, Exit, config, human_bytes, lock};

pub fn run(ctx: &Context, cmd: CacheCommand) -> Result<Exit, Error> {
    let dir = ctx.cache_dir()?;
    match cmd {
        CacheCommand::Dir => {
            super::print_data(&format!("{}\n", dir.display()))?;
            Ok(Exit::Ok)
        }
        CacheCommand::Verify { fix } => {
            let cache = Cache::at(&dir);
            let entries = cache.entries().len();
            let corrupt = cache.verify();
            for c in &corrupt {
                ctx.reporter.report(Event::warning(format!("corrupt cache entry {}: {}", c.sha256, c.reason)));
                if fix {
                    cache.remove(&c.sha256)?;
                    ctx.reporter.report(Event::Info(format!("removed {}", c.sha256)));
                }
            }
            // Engines: every file re-hashed against the manifest written when
            // it was extracted; changed, missing and added files are named.
            let engines = Engines::new(&cache);
            let all = engines.all();
            let mut bad_engines = 0usize;
            for sha in &all {
                let problems = engines.verify(sha);
                if problems.is_empty() {
                    continue;
                }
                bad_engines += 1;
                const SHOWN: usize = 20;
                let mut text = problems.iter().take(SHOWN).map(|p| format!("\n  {p}")).collect::<String>();
                if problems.len() > SHOWN {
                    text.push_str(&format!("\n  … and {} more", problems.len() - SHOWN));
                }
                ctx.reporter.report(Event::warning(format!("corrupt engine {sha}:{text}")));
                if fix {
                    engines.remove(sha)?;
                    ctx.reporter.report(Event::Info(format!("removed engine {sha}")));
                }
            }
            ctx.reporter.report(Event::Info(format!(
                "{entries} cache entr{} checked, {} corrupt; {} engine{} checked, {bad_engines} corrupt",
                if entries == 1 { "y" } else { "ies" },
                corrupt.len(),
                all.len(),
                if all.len() == 1 { "" } else { "s" },
            )));
            Ok(if (corrupt.is_empty() && bad_engines == 0) || fix { Exit::Ok } else { Exit::Integrity })
        }
        CacheCommand::Key => {
            let config = config::load(ctx.config.as_deref(), &ctx.cwd)?;
            let (path, shown) = lock::path_for(&config);
            let loaded = lock::load(&path, &shown)?.ok_or(lock::Error::Missing { path: shown })?;
            super::print_data(&format!(
                "{}\n",
                loaded.lock.cache_key(katalon_prep::engine::platform::host(ctx.env).ok())
            ))?;
            Ok(Exit::Ok)
        }
        CacheCommand::Prune { locks, dry_run } => prune(ctx, &dir, &locks, dry_run),
    }
}

/// Removes every entry that none of the given locks references. Refuses to
/// run without at least one lock: an empty keep-list would empty the cache.
fn prune(ctx: &Context, dir: &std::path::Path, locks: &[PathBuf], dry_run: bool) -> Result<Exit, Error> {
    let files: Vec<(PathBuf, PathBuf)> = if locks.is_empty() {
        let config = config::load(ctx.config.as_deref(), &ctx.cwd)?;
        vec![lock::path_for(&config)]
    } else {
        locks
            .iter()
            .map(|p| {
                let full = ctx.cwd.join(p);
                if full.is_dir() { (full.join(lock::FILE), p.join(lock::FILE)) } else { (full, p.clone()) }
            })
            .collect()
    };
    let mut keep: BTreeSet<Sha256> = BTreeSet::new();
    for (path, shown) in &files {
        let loaded = lock::load(path, shown)?.ok_or(lock::Error::NoneToKeep { path: shown.clone() })?;
        keep.extend(loaded.lock.plugins.iter().map(|e| e.sha256));
        keep.extend(loaded.lock.engine.iter().flat_map(|e| e.platforms.values().map(|a| a.sha256)));
    }
    // Waits for running prepares; none starts reading entries until done.
    let held = if dry_run { None } else { Cache::exclusive(dir)? };
    let cache = held.as_ref().map(|(c, _)| c.clone()).unwrap_or_else(|| Cache::at(dir));
    // Plugin entries, then engines: every one no lock references.
    let engines = Engines::new(&cache);
    let unkept = |all: Vec<Sha256>| all.into_iter().filter(|sha| !keep.contains(sha));
    let plugins = unkept(cache.entries()).map(|sha| {
        let (artifact, size) = cache.get(&sha).map(|e| (e.meta.artifact, e.meta.size)).unwrap_or_default();
        (sha, artifact, size, false)
    });
    let engine_dirs = unkept(engines.all()).map(|sha| {
        let (file, size) = engines.get(&sha).map(|e| (e.meta.file, e.meta.size)).unwrap_or_default();
        (sha, file, size, true)
    });
    let mut removed = 0usize;
    let mut bytes = 0u64;
    let mut listing = String::new();
    for (sha, name, size, is_engine) in plugins.chain(engine_dirs) {
        listing.push_str(&format!("{sha}  {}  {name}\n", human_bytes(size)));
        if !dry_run {
            if is_engine { engines.remove(&sha)? } else { cache.remove(&sha)? }
        }
        removed += 1;
        bytes += size;
    }
    super::print_data(&listing)?;
    ctx.reporter.report(Event::Info(format!(
        "{} {removed} cache entr{} ({}); kept {} referenced by {} lock{}",
        if dry_run { "Would remove" } else { "Removed" },
        if removed == 1 { "y" } else { "ies" },
        human_bytes(bytes),
        (cache.entries().len() + engines.all().len()) - if dry_run { removed } else { 0 },
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    )));
    Ok(Exit::Ok)
}
