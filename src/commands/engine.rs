//! `engine install`, `engine path` and `engine list`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use katalon_prep::cli::{EngineArgs, EngineCommand};
use katalon_prep::engine::{Platform, cache::Engines};
use katalon_prep::location::Located;
use katalon_prep::plugins::cache::Cache;
use katalon_prep::{Context, Error, Exit, config, lock, project};

pub fn run(ctx: &Context, cmd: EngineCommand) -> Result<Exit, Error> {
    match cmd {
        EngineCommand::Install(args) => {
            install(ctx, &args)?;
            Ok(Exit::Ok)
        }
        EngineCommand::Path(args) => {
            let katalonc = install(ctx, &args)?;
            super::print_data(&format!("{}\n", katalonc.display()))?;
            Ok(Exit::Ok)
        }
        EngineCommand::List => list(ctx),
    }
}

/// The engine into the cache and the writable engine of the project (the
/// config's folder when there is no project).
fn install(ctx: &Context, args: &EngineArgs) -> Result<PathBuf, Error> {
    let config = config::load(ctx.config.as_deref(), &ctx.cwd)?;
    if config.engine.is_none() {
        return Err(katalon_prep::engine::Error::NotConfigured { config: config.shown_file() }.into());
    }
    let root = project_root(ctx, &config)?;
    let opts = super::prepare::fetch_options(&args.fetch, ctx.env);
    let rt = super::runtime()?;
    let (lock_path, lock_shown) = katalon_prep::lock::path_for(&config);
    let lock = katalon_prep::lock::load(&lock_path, &lock_shown)?;
    let provisioned =
        rt.block_on(katalon_prep::engine::provision(ctx, &config, lock.as_ref(), &root, &opts, args.locked))?;
    provisioned
        .map(|p| p.katalonc)
        .ok_or_else(|| Error::Internal("the engine is configured but was not provisioned".into()))
}

/// Where the writable engine goes: the project's folder, or the config's
/// folder when it has no project (e.g. an image prepared before the tests).
pub(crate) fn project_root(ctx: &Context, config: &config::Config) -> Result<PathBuf, Error> {
    let explicit = match &ctx.project {
        Some(flag) => Some(Located::bare(ctx.cwd.join(flag))),
        None => config.project.clone(),
    };
    match project::discover(explicit.as_ref(), &config.base_dir) {
        Ok(p) => Ok(p.root),
        Err(project::Error::NotFound { .. }) if explicit.is_none() => Ok(config.base_dir.clone()),
        Err(e) => Err(e.into()),
    }
}

/// One row per engine version and platform, from the cache and the lock.
fn list(ctx: &Context) -> Result<Exit, Error> {
    let config = config::load(ctx.config.as_deref(), &ctx.cwd)?;
    let (path, shown) = lock::path_for(&config);
    let loaded = lock::load(&path, &shown)?;
    #[derive(Default)]
    struct Row {
        size: u64,
        cached: bool,
        locked: bool,
    }
    let mut rows: BTreeMap<(String, Platform, String), Row> = BTreeMap::new();
    if let Some(engine) = loaded.as_ref().and_then(|l| l.lock.engine.as_ref()) {
        for (platform, archive) in &engine.platforms {
            let row = rows.entry((engine.version.clone(), *platform, archive.sha256.hex())).or_default();
            row.size = archive.size;
            row.locked = true;
        }
    }
    let cache = Cache::at(&ctx.cache_dir()?);
    let engines = Engines::new(&cache);
    for sha in engines.all() {
        let Some(e) = engines.get(&sha) else { continue };
        let row = rows.entry((e.meta.version.clone(), e.meta.platform, sha.hex())).or_default();
        row.size = e.meta.size;
        row.cached = true;
    }
    let mut out = String::new();
    for ((version, platform, sha256), row) in &rows {
        let place = match (row.cached, row.locked) {
            (true, true) => "cached, locked",
            (true, false) => "cached",
            (false, true) => "locked",
            (false, false) => "-",
        };
        out.push_str(&format!(
            "{}\t{platform}\t{}\t{}\t{place}\n",
            // A cache's engine.json is a file anyone can edit: shown escaped.
            katalon_prep::report::untrusted(version),
            sha256.get(..12).unwrap_or(sha256),
            katalon_prep::human_bytes(row.size)
        ));
    }
    super::print_data(&out)?;
    if rows.is_empty() {
        ctx.reporter.report(katalon_prep::report::Event::Info("No engine in the cache or the lock".into()));
    }
    Ok(Exit::Ok)
}
