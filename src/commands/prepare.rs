//! `prepare` (install plugins, then emit the line) and `args` (emit only).

use std::time::Duration;

use crate::ci::github;
use crate::cli::{EmitArgs, FetchArgs, LineFormat, ShardArgs};
use crate::katalonc::argv::{KeyView, Line};
use crate::katalonc::{lint, options, quote};
use crate::matrix::Shard;
use crate::net::{RetryPolicy, Settings};
use crate::plugins::archive::Limits;
use crate::report::Event;
use crate::secret::ApiKey;
use crate::{Context, Error, Exit, FetchOptions, secret};

pub fn prepare(ctx: &Context, emit: &EmitArgs, fetch: Option<(&FetchArgs, bool)>) -> Result<Exit, Error> {
    let shard = shard(&emit.shard)?;
    let Prepared { line, key } = prepared(ctx, &shard, emit.without_api_key, emit.workdir_as.clone(), fetch, &[])?;
    let view = match &key {
        Some(key) => KeyView::Real(key),
        None => KeyView::Omit,
    };
    let argv = line.render(view);
    let mut text = match emit.format {
        LineFormat::Shell => quote::shell_line(&argv),
        LineFormat::Json => quote::json_array(&argv),
    };
    text.push('\n');
    match &emit.output {
        Some(path) => {
            let path = ctx.cwd.join(path);
            write_private(&path, text.as_bytes()).map_err(|source| Error::Write { path, source })?;
        }
        None => super::print_data(&text)?,
    }
    Ok(Exit::Ok)
}

/// The shard `--shard` or `--suite/--browser/--profile` ask for.
pub(crate) fn shard(args: &ShardArgs) -> Result<Shard, Error> {
    match &args.shard {
        Some(json) => Shard::parse(json).map_err(|message| Error::Usage { message }),
        None => Ok(Shard { suite: args.suite.clone(), browser: args.browser.clone(), profile: args.profile.clone() }),
    }
}

/// A linted line, and the key it is for.
pub(crate) struct Prepared {
    pub line: Line,
    pub key: Option<ApiKey>,
}

/// What `prepare` does before emitting, shared with `run`: plan, key (masked
/// first), lint (refusing on errors, before any plugin work), plugins.
pub(crate) fn prepared(
    ctx: &Context,
    shard: &Shard,
    without_key: bool,
    workdir_as: Option<String>,
    fetch: Option<(&FetchArgs, bool)>,
    extra: &[String],
) -> Result<Prepared, Error> {
    let mut plan = crate::plan_with(ctx, shard)?;
    let key = if without_key { None } else { Some(secret::resolve(&crate::key_request(ctx, &plan.config))?) };
    // The runner must see the mask before the value can appear anywhere.
    if github::active()
        && let Some(key) = &key
    {
        let mut text = github::add_mask_lines(key.expose()).join("\n");
        text.push('\n');
        eprint!("{text}");
    }
    for warning in std::mem::take(&mut plan.warnings) {
        ctx.reporter.report(Event::Warning(warning));
    }
    let mut line = crate::build_line(&plan, &ctx.cwd, workdir_as, key.is_some());
    lint_line(ctx, &plan, &line, extra)?;
    let split = extra.iter().position(|a| a == options::CONFIG).unwrap_or(extra.len());
    for arg in &extra[..split] {
        line.push_main(arg.clone());
    }
    for arg in extra.iter().skip(split + 1) {
        line.push_config(arg.clone());
    }
    if let Some((fetch, offline)) = fetch {
        plan.config.offline |= offline;
        let opts = fetch_options(fetch);
        let rt = super::runtime()?;
        rt.block_on(crate::install_plugins(ctx, &plan, &opts))?;
    }
    ctx.reporter.report(Event::Info(format!("katalonc {}", quote::shell_line(&line.render(KeyView::Masked)))));
    Ok(Prepared { line, key })
}

/// Lints the line (with `extra`) against the project: warnings to stderr,
/// errors refuse it (exit 13).
fn lint_line(ctx: &Context, plan: &crate::Plan, line: &Line, extra: &[String]) -> Result<(), Error> {
    let args = lint::args_of(line, extra);
    lint::register_secrets(&args);
    let facts = lint::Facts::of(&plan.project);
    let settings =
        lint::Settings { facts: Some(&facts), linux: lint::runs_on_linux(), hand_written: false, source: None };
    super::findings::report(ctx, &lint::lint(&args, settings))
}

pub(crate) fn fetch_options(f: &FetchArgs) -> FetchOptions {
    FetchOptions {
        jobs: f.jobs as usize,
        net: Settings {
            connect_timeout: Duration::from_secs(f.connect_timeout),
            read_timeout: Duration::from_secs(f.read_timeout),
            max_size: f.max_download_size,
            allow_http: f.allow_http,
            retry: RetryPolicy { max_retry_after: Duration::from_secs(f.max_retry_wait), ..RetryPolicy::default() },
        },
        limits: Limits { max_total: f.max_download_size.saturating_mul(4), ..Limits::default() },
    }
}

/// Writes a file only its owner can read (it may hold the key), atomically.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::Builder::new().prefix(".katalon-prep-").tempfile_in(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600))?;
    }
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
