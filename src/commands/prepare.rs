//! `prepare` (install plugins, then emit the line) and `args` (emit only).

use std::time::Duration;

use zeroize::Zeroizing;

use katalon_prep::ci::github;
use katalon_prep::cli::{AllowArgs, EmitArgs, FetchArgs, LineFormat, ShardArgs};
use katalon_prep::katalonc::argv::{KeyView, Line};
use katalon_prep::katalonc::lint::Allow;
use katalon_prep::katalonc::{lint, options, quote};
use katalon_prep::matrix::Shard;
use katalon_prep::net::{RetryPolicy, Settings};
use katalon_prep::plugins::archive::Limits;
use katalon_prep::report::Event;
use katalon_prep::secret::ApiKey;
use katalon_prep::{Context, Error, Exit, FetchOptions, secret};

/// What `prepare` adds to `args`.
pub struct PrepareOptions<'a> {
    pub net: &'a FetchArgs,
    /// `--locked`: the lock must exist and fit the config.
    pub locked: bool,
}

pub fn prepare(ctx: &Context, emit: &EmitArgs, fetch: Option<(PrepareOptions, bool)>) -> Result<Exit, Error> {
    let shard = shard(&emit.shard)?;
    let Prepared { line, key, .. } = prepared(
        ctx,
        &shard,
        emit.without_api_key,
        emit.workdir_as.clone(),
        fetch,
        &emit.extra,
        Lint::emit(&emit.lint),
    )?;
    let view = KeyView::real_or_omit(key.as_ref());
    // Both hold the key: wiped from memory when dropped.
    let argv = Zeroizing::new(line.render(view));
    let mut text = Zeroizing::new(match emit.format {
        LineFormat::Shell => quote::shell_line(&argv),
        LineFormat::Json => quote::json_array(&argv),
        LineFormat::Powershell => quote::powershell_line(&argv),
        LineFormat::Cmd => quote::cmd_line(&argv).map_err(|e| {
            Error::usage_hint(format!("The line has no cmd.exe form: {e}"), "use --format json or powershell")
        })?,
    });
    text.push('\n');
    match &emit.output {
        Some(path) => {
            let path = ctx.cwd.join(path);
            katalon_prep::fsutil::write_atomic(&path, text.as_bytes(), katalon_prep::fsutil::Mode::Private)
                .map_err(|source| Error::Write { path, source })?;
        }
        None => super::print_data(&text)?,
    }
    Ok(Exit::Ok)
}

/// The shard `--shard` or `--suite/--browser/--profile` ask for.
pub(crate) fn shard(args: &ShardArgs) -> Result<Shard, Error> {
    match &args.shard {
        Some(json) => Shard::parse(json).map_err(Error::usage),
        None => Ok(Shard { suite: args.suite.clone(), browser: args.browser.clone(), profile: args.profile.clone() }),
    }
}

/// How the line is linted: the rules `--allow` turns off, and whether a
/// line without a target is an error (`run`) or a warning (`prepare`, `args`).
pub(crate) struct Lint<'a> {
    pub allow: &'a AllowArgs,
    pub target_required: bool,
    /// The line is printed (`prepare`, `args`): a value with a line break
    /// would make it several lines, so it is refused. `run` hands katalonc
    /// its argv directly.
    pub one_line: bool,
}

impl Lint<'_> {
    /// For `prepare` and `args`, whose users may add the target later (per shard).
    pub fn emit(allow: &AllowArgs) -> Lint<'_> {
        // Every format refuses a line break before quoting: the line must stay
        // one line whatever it is printed as (cmd's own refusal stays as a
        // second guard).
        Lint { allow, target_required: false, one_line: true }
    }
}

/// A linted line, and the key it is for.
pub(crate) struct Prepared {
    pub line: Line,
    pub key: Option<ApiKey>,
    /// The provisioned engine's katalonc (writable, absolute), when the
    /// config has `engine:` and the plugin work was done.
    pub engine_katalonc: Option<std::path::PathBuf>,
}

/// What `prepare` does before emitting, shared with `run`: plan, key (masked
/// first), lint (refusing on errors, before any plugin work), plugins.
pub(crate) fn prepared(
    ctx: &Context,
    shard: &Shard,
    without_key: bool,
    workdir_as: Option<String>,
    fetch: Option<(PrepareOptions, bool)>,
    extra: &[String],
    lint: Lint,
) -> Result<Prepared, Error> {
    refuse_key_in(extra)?;
    let allow = super::allow_flags(lint.allow)?;
    // Every secret learnt from here on (the key, a token among the options)
    // is masked on GitHub before it can reach a log or an output: `commands::run`
    // installed the `::add-mask::` hook first thing.
    let mut plan = katalon_prep::plan_with(ctx, shard)?;
    let key =
        if without_key { None } else { Some(secret::resolve(&katalon_prep::key_request(ctx, &plan.config), ctx.env)?) };
    for warning in std::mem::take(&mut plan.warnings) {
        ctx.reporter.report(Event::warning(warning));
    }
    let mut line = katalon_prep::build_line(&plan, &ctx.cwd, workdir_as, key.is_some());
    refuse_line_breaks(&line, extra, lint.one_line)?;
    lint_line(ctx, &plan, &line, extra, &allow, lint.target_required)?;
    let split = extra.iter().position(|a| a == options::CONFIG).unwrap_or(extra.len());
    for arg in &extra[..split] {
        line.push_main(arg.clone());
    }
    for arg in extra.iter().skip(split + 1) {
        line.push_config(arg.clone());
    }
    let mut installed = None;
    if let Some((fetch, offline)) = fetch {
        plan.config.offline |= offline;
        let locked = fetch.locked;
        let opts = fetch_options(fetch.net, ctx.env);
        let rt = super::runtime()?;
        // Store plugins need the key even when the line leaves it out
        // (--without-api-key); found or not, it matters only on a cache miss.
        let store_key = match &key {
            None if plan.config.uses_store() => {
                Some(secret::resolve(&katalon_prep::key_request(ctx, &plan.config), ctx.env))
            }
            _ => None,
        };
        let key_for_store = key.as_ref().or(store_key.as_ref().and_then(|k| k.as_ref().ok()));
        let result = rt.block_on(katalon_prep::install_plugins(ctx, &plan, &opts, key_for_store, locked));
        let mut done = match (result, store_key) {
            // The Store needed the key after all: say why it could not be had
            // (a malformed key, both variables set), not merely that it is missing.
            (Err(Error::Plugins(katalon_prep::plugins::Error::NeedKey)), Some(Err(why)))
                if !matches!(why, secret::Error::Missing { .. }) =>
            {
                return Err(why.into());
            }
            (result, _) => result?,
        };
        done.engine =
            rt.block_on(katalon_prep::engine::provision(ctx, &plan.config, &plan.project.root, &opts, locked))?;
        installed = Some(done);
    }
    ctx.reporter.report(Event::Info(format!("katalonc {}", quote::shell_line(&line.render(KeyView::Masked)))));
    if ctx.env.github_actions {
        crate::workflow::publish(
            ctx.env,
            &github::Prepared {
                cwd: &ctx.cwd,
                container: github::in_container_action(ctx.env),
                project: &plan.project,
                line: &line,
                key: key.as_ref(),
                installed: installed.as_ref(),
                cache_dir: ctx.cache_dir.clone(),
                cache_key: github::cache_key(&plan.config, ctx.env),
            },
        )?;
    }
    let engine_katalonc = installed.as_ref().and_then(|i| i.engine.as_ref()).map(|e| e.katalonc.clone());
    Ok(Prepared { line, key, engine_katalonc })
}

/// Refuses extra options carrying a key: it belongs in the CI's secrets,
/// and katalon-prep injects `-apiKey` itself.
fn refuse_key_in(extra: &[String]) -> Result<(), Error> {
    if extra.iter().any(|a| options::is_api_key_arg(a)) {
        return Err(Error::usage_hint(
            "The extra katalonc options contain an API key option",
            "remove it; katalon-prep injects -apiKey from KATALON_API_KEY (or the action's `api-key` input) itself",
        ));
    }
    Ok(())
}

/// The line is printed as one line (and no argv carries a NUL): a value
/// holding a NUL byte, or a line break when the line is printed, from the
/// config, a flag or `--shard`, is refused (exit 10), naming where it was
/// written.
fn refuse_line_breaks(line: &Line, extra: &[String], one_line: bool) -> Result<(), Error> {
    use katalon_prep::katalonc::argv::Token;
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
                katalon_prep::report::untrusted(&secret::redact(arg))
            ),
            "remove it from the value (a suite, profile or option written across lines)",
        )),
    }
}

/// Lints the line (with `extra`) against the project: warnings to stderr,
/// errors refuse it (exit 13).
fn lint_line(
    ctx: &Context,
    plan: &katalon_prep::Plan,
    line: &Line,
    extra: &[String],
    allow: &Allow,
    target_required: bool,
) -> Result<(), Error> {
    let args = lint::args_of(line, extra);
    let facts = lint::Facts::for_run(&plan.project, &plan.config);
    let settings = lint::Settings {
        facts: Some(&facts),
        os: options::Os::of_run(ctx.env),
        hand_written: false,
        target_required,
        source: None,
    };
    let mut found = lint::lint(&args, settings);
    allow.clone().union(&plan.config.lint_allow).apply(&mut found);
    super::findings::report(ctx, &found)
}

pub(crate) fn fetch_options(f: &FetchArgs, env: &katalon_prep::env::Env) -> FetchOptions {
    FetchOptions {
        jobs: f.jobs as usize,
        net: Settings {
            connect_timeout: Duration::from_secs(f.connect_timeout),
            read_timeout: Duration::from_secs(f.read_timeout),
            download_timeout: f.download_timeout,
            max_size: f.max_download_size,
            allow_http: f.allow_http,
            retry: RetryPolicy { max_retry_after: Duration::from_secs(f.max_retry_wait), ..RetryPolicy::default() },
            ca_file: env.ca_file.clone(),
        },
        limits: Limits { max_total: f.max_download_size.saturating_mul(4), ..Limits::default() },
    }
}
