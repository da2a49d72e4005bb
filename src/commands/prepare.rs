//! `prepare` (install plugins, then emit the line) and `args` (emit only).

use std::time::Duration;

use zeroize::Zeroizing;

use katalon_prep::ci::github;
use katalon_prep::cli::{AllowArgs, EmitArgs, FetchArgs, LineFormat, ShardArgs};
use katalon_prep::katalonc::argv::KeyView;
use katalon_prep::katalonc::{options, quote};
use katalon_prep::matrix::Shard;
use katalon_prep::net::{RetryPolicy, Settings};
use katalon_prep::pipeline::{self, LintRules, Prepared};
use katalon_prep::plan::Request;
use katalon_prep::plugins::archive::Limits;
use katalon_prep::report::Event;
use katalon_prep::workspace::Workspace;
use katalon_prep::{Context, Error, Exit, FetchOptions};

/// What `prepare` adds to `args`.
pub struct PrepareOptions<'a> {
    pub net: &'a FetchArgs,
    /// `--locked`: the lock must exist and fit the config.
    pub locked: bool,
}

pub fn prepare(ctx: &Context, emit: &EmitArgs, fetch: Option<PrepareOptions>, offline: bool) -> Result<Exit, Error> {
    let request = Request { shard: shard(&emit.shard)?, offline, target: None };
    let ws = Workspace::load(ctx)?;
    refuse_key_in(&emit.extra)?;
    let fetch = fetch.map(|f| pipeline::Fetch { opts: fetch_options(f.net, ctx.env), locked: f.locked });
    let req = pipeline::Request {
        plan: request,
        without_key: emit.without_api_key,
        workdir_as: emit.workdir_as.clone(),
        extra: &emit.extra,
        // Every format refuses a line break before quoting: the line must stay
        // one line whatever it is printed as (cmd's own refusal stays as a
        // second guard).
        lint: lint_rules(&emit.lint, false, true)?,
        fetch,
    };
    let Prepared { line, key, .. } = prepared(ctx, &ws, &req)?;
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

/// How the line is linted: the rules `--allow` turns off, whether a line
/// without a target is an error (`run`) or a warning (`prepare`, `args`),
/// and whether it must stay one line (printed) or not (`run`).
pub(crate) fn lint_rules(allow: &AllowArgs, target_required: bool, one_line: bool) -> Result<LintRules, Error> {
    Ok(LintRules { allow: super::allow_flags(allow)?, target_required, one_line })
}

/// The whole of `prepare`, shared with `run`: [`pipeline::prepare`], then
/// the line (masked) said and, on GitHub Actions, published with what was
/// done.
pub(crate) fn prepared(ctx: &Context, ws: &Workspace, req: &pipeline::Request) -> Result<Prepared, Error> {
    let prepared = super::runtime()?.block_on(pipeline::prepare(ctx, ws, req))?;
    let (line, key) = (&prepared.line, prepared.key.as_ref());
    ctx.reporter.report(Event::Info(format!("katalonc {}", quote::shell_line(&line.render(KeyView::Masked)))));
    if ctx.env.github_actions {
        crate::workflow::publish(
            ctx.env,
            &github::Prepared {
                cwd: &ctx.cwd,
                container: github::in_container_action(ctx.env),
                project: &ws.project,
                line,
                key,
                installed: prepared.installed.as_ref(),
                cache_dir: ctx.cache_dir.clone(),
                cache_key: ws.cache_key(ctx.env),
            },
        )?;
    }
    Ok(prepared)
}

/// Refuses extra options carrying a key: it belongs in the CI's secrets,
/// and katalon-prep injects `-apiKey` itself.
pub(crate) fn refuse_key_in(extra: &[String]) -> Result<(), Error> {
    if extra.iter().any(|a| options::is_api_key_arg(a)) {
        return Err(Error::usage_hint(
            "The extra katalonc options contain an API key option",
            "remove it; katalon-prep injects -apiKey from KATALON_API_KEY (or the action's `api-key` input) itself",
        ));
    }
    Ok(())
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
