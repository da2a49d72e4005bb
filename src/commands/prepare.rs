//! `prepare` (install plugins, then emit the line) and `args` (emit only).

use std::time::Duration;

use zeroize::Zeroizing;

use crate::ci::github;
use crate::cli::{EmitArgs, FetchArgs, LineFormat};
use crate::katalonc::argv::{KeyView, Line};
use crate::katalonc::quote;
use crate::net::{RetryPolicy, Settings};
use crate::plugins::archive::Limits;
use crate::report::Event;
use crate::{Context, Error, Exit, FetchOptions, secret};

/// What `prepare` adds to `args`.
pub struct PrepareOptions<'a> {
    pub net: &'a FetchArgs,
    /// `--locked`: the lock must exist and fit the config.
    pub locked: bool,
}

pub fn prepare(ctx: &Context, emit: &EmitArgs, fetch: Option<(PrepareOptions, bool)>) -> Result<Exit, Error> {
    let mut plan = crate::plan(ctx)?;
    let key = if emit.without_api_key { None } else { Some(secret::resolve(&crate::key_request(ctx, &plan.config))?) };
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
    let mut installed = None;
    if let Some((fetch, offline)) = fetch {
        plan.config.offline |= offline;
        let locked = fetch.locked;
        let opts = fetch_options(fetch.net);
        let rt = super::runtime()?;
        // Store plugins need the key even when the line leaves it out
        // (--without-api-key); found or not, it matters only on a cache miss.
        let store_key = match &key {
            None if plan.config.uses_store() => secret::resolve(&crate::key_request(ctx, &plan.config)).ok(),
            _ => None,
        };
        if github::active()
            && let Some(k) = &store_key
        {
            let mut text = github::add_mask_lines(k.expose()).join("\n");
            text.push('\n');
            eprint!("{text}");
        }
        let key_for_store = key.as_ref().or(store_key.as_ref());
        installed = Some(rt.block_on(crate::install_plugins(ctx, &plan, &opts, key_for_store, locked))?);
    }
    let mut line = crate::build_line(&plan, &ctx.cwd, emit.workdir_as.clone(), key.is_some());
    add_extra(&mut line, &emit.extra)?;
    ctx.reporter.report(Event::Info(format!("katalonc {}", quote::shell_line(&line.render(KeyView::Masked)))));
    let view = match &key {
        Some(key) => KeyView::Real(key),
        None => KeyView::Omit,
    };
    // Both hold the key: wiped from memory when dropped.
    let argv = Zeroizing::new(line.render(view));
    let mut text = Zeroizing::new(match emit.format {
        LineFormat::Shell => quote::shell_line(&argv),
        LineFormat::Json => quote::json_array(&argv),
    });
    text.push('\n');
    match &emit.output {
        Some(path) => {
            let path = ctx.cwd.join(path);
            crate::fsutil::write_atomic(&path, text.as_bytes(), crate::fsutil::Mode::Private)
                .map_err(|source| Error::Write { path, source })?;
        }
        None => super::print_data(&text)?,
    }
    if github::active() {
        github::publish(&github::Prepared {
            cwd: &ctx.cwd,
            project: &plan.project,
            line: &line,
            key: key.as_ref(),
            installed: installed.as_ref(),
            cache_dir: ctx.cache_dir.clone(),
            cache_key: github::cache_key(&plan.config),
        })?;
    }
    Ok(Exit::Ok)
}

/// Appends the options given after `--`: those before a `--config` to the
/// main section, those after it to the `--config` section.
fn add_extra(line: &mut Line, extra: &[String]) -> Result<(), Error> {
    let mut in_config = false;
    for arg in extra {
        let name = arg.split('=').next().unwrap_or(arg).to_ascii_lowercase();
        if name == "-apikey" || name == "--apikey" {
            return Err(Error::Usage {
                message: "The extra katalonc options contain an API key option\nhint: remove it; katalon-prep injects -apiKey from KATALON_API_KEY (or the action's `api-key` input) itself".into(),
            });
        }
        if arg == "--config" {
            in_config = true;
        } else if in_config {
            line.config.push(arg.clone());
        } else {
            line.push_main(arg.clone());
        }
    }
    Ok(())
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
