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
use katalon_prep::plan::{self, Finding, Plan, Request};
use katalon_prep::plugins::archive::Limits;
use katalon_prep::report::Event;
use katalon_prep::secret::ApiKey;
use katalon_prep::workspace::Workspace;
use katalon_prep::{Context, Error, Exit, FetchOptions, Installed, pipeline, secret};

/// What `prepare` adds to `args`.
pub struct PrepareOptions<'a> {
    pub net: &'a FetchArgs,
    /// `--locked`: the lock must exist and fit the config.
    pub locked: bool,
}

pub fn prepare(ctx: &Context, emit: &EmitArgs, fetch: Option<PrepareOptions>, offline: bool) -> Result<Exit, Error> {
    let request = Request { shard: shard(&emit.shard)?, offline };
    let ws = Workspace::load(ctx)?;
    let how = How { without_key: emit.without_api_key, workdir_as: emit.workdir_as.clone(), fetch, extra: &emit.extra };
    let Prepared { line, key, .. } = prepared(ctx, &ws, &request, how, Lint::emit(&emit.lint))?;
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

/// The whole of `prepare`, shared with `run`, top to bottom: the plan,
/// the key (masked first), the line (linted, refused on errors before any
/// plugin work), the plugin and engine stages ([`pipeline::prepare`]), then
/// the line and what was done published to the CI.
pub(crate) fn prepared(
    ctx: &Context,
    ws: &Workspace,
    request: &Request,
    how: How,
    lint: Lint,
) -> Result<Prepared, Error> {
    refuse_key_in(how.extra)?;
    let allow = super::allow_flags(lint.allow)?;
    let (plan, findings) = plan::check(ws, request)?;
    let needs_lock = how.fetch.is_some() && (!ws.config.plugins.is_empty() || ws.config.engine.is_some());
    let findings = refuse(findings, needs_lock || has_unpinned_url(&ws.config))?;
    let key = if how.without_key {
        None
    } else {
        Some(secret::resolve(&katalon_prep::key_request(ctx, &ws.config), ctx.env)?)
    };
    // Store plugins need the key even when the line leaves it out
    // (--without-api-key); found or not, it matters only on a cache miss.
    // Asked now, so that it is masked before any stage logs.
    let store_key = match &key {
        None if how.fetch.is_some() && ws.config.uses_store() => {
            Some(secret::resolve(&katalon_prep::key_request(ctx, &ws.config), ctx.env))
        }
        _ => None,
    };
    report_wrong_kind(ctx, &findings);
    let line = tracing::info_span!("line").in_scope(|| {
        let mut line = katalon_prep::build_line(&plan, &ctx.cwd, how.workdir_as, key.is_some());
        refuse_line_breaks(&line, how.extra, lint.one_line)?;
        lint_line(ctx, &plan, &line, how.extra, &allow, lint.target_required)?;
        let split = how.extra.iter().position(|a| a == options::CONFIG).unwrap_or(how.extra.len());
        how.extra[..split].iter().for_each(|arg| line.push_main(arg.clone()));
        how.extra.iter().skip(split + 1).for_each(|arg| line.push_config(arg.clone()));
        Ok::<_, Error>(line)
    })?;
    let installed = match how.fetch {
        Some(fetch) => Some(plugins_and_engine(ctx, &plan, &findings, fetch, key.as_ref(), store_key)?),
        None => None,
    };
    ctx.reporter.report(Event::Info(format!("katalonc {}", quote::shell_line(&line.render(KeyView::Masked)))));
    if ctx.env.github_actions {
        crate::workflow::publish(
            ctx.env,
            &github::Prepared {
                cwd: &ctx.cwd,
                container: github::in_container_action(ctx.env),
                project: &ws.project,
                line: &line,
                key: key.as_ref(),
                installed: installed.as_ref(),
                cache_dir: ctx.cache_dir.clone(),
                cache_key: ws.cache_key(ctx.env),
            },
        )?;
    }
    let engine_katalonc = installed.and_then(|i| i.engine).map(|e| e.katalonc);
    Ok(Prepared { line, key, engine_katalonc })
}

/// What `prepare`, `args` and `run` ask of [`prepared`] beyond the plan.
pub(crate) struct How<'a> {
    pub without_key: bool,
    /// `--workdir-as`: the paths as another working directory sees them.
    pub workdir_as: Option<String>,
    /// `None` for `args`, which does no plugin work.
    pub fetch: Option<PrepareOptions<'a>>,
    /// Extra katalonc options after `--`.
    pub extra: &'a [String],
}

/// The plugin and engine stages, with the key the Store needs: the line's,
/// else `store_key`, asked for the Store alone.
fn plugins_and_engine(
    ctx: &Context,
    plan: &Plan,
    findings: &[Finding],
    fetch: PrepareOptions,
    key: Option<&ApiKey>,
    store_key: Option<Result<ApiKey, secret::Error>>,
) -> Result<Installed, Error> {
    let opts = fetch_options(fetch.net, ctx.env);
    let rt = super::runtime()?;
    let key = key.or(store_key.as_ref().and_then(|k| k.as_ref().ok()));
    let stages = pipeline::Stages { opts: &opts, key, locked: fetch.locked };
    match (rt.block_on(pipeline::prepare(ctx, plan, findings, &stages)), store_key) {
        // The Store needed the key after all: say why it could not be had
        // (a malformed key, both variables set), not merely that it is missing.
        (Err(Error::Plugins(katalon_prep::plugins::Error::NeedKey)), Some(Err(why)))
            if !matches!(why, secret::Error::Missing { .. }) =>
        {
            Err(why.into())
        }
        (result, _) => result,
    }
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
    let (mut fatal, rest): (Vec<Finding>, Vec<Finding>) = findings.into_iter().partition(|f| rank(f).is_some());
    fatal.sort_by_key(|f| rank(f));
    match fatal.into_iter().next() {
        Some(Finding::LockUnreadable(e)) => Err(e.into()),
        Some(Finding::UnpinnedUrl(e)) => Err(e.into()),
        Some(Finding::Missing(e)) => Err(e.into()),
        _ => Ok(rest),
    }
}

/// A `url` plugin without `sha256`: its pin is in the lock, which must then be read.
fn has_unpinned_url(config: &katalon_prep::config::Config) -> bool {
    config.plugins.iter().any(|p| matches!(p.source, katalon_prep::config::Source::Url(_)) && p.sha256.is_none())
}

/// A target of the other kind than written: said once the key is masked.
fn report_wrong_kind(ctx: &Context, findings: &[Finding]) {
    use katalon_prep::config::Target;
    use katalon_prep::project::TsKind;
    for finding in findings {
        let Finding::WrongKind { written, resolved } = finding else { continue };
        let at = katalon_prep::location::suffix(&written.at);
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
    plan: &Plan,
    line: &Line,
    extra: &[String],
    allow: &Allow,
    target_required: bool,
) -> Result<(), Error> {
    let args = lint::args_of(line, extra);
    let settings = lint::Settings {
        facts: Some(&plan.workspace.index),
        os: options::Os::of_run(ctx.env),
        hand_written: false,
        target_required,
        source: None,
    };
    let mut found = lint::lint(&args, settings);
    allow.clone().union(&plan.config().lint_allow).apply(&mut found);
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
