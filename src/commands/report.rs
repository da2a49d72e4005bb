//! `report`: reads the JUnit files Katalon left (see `results`), prints them
//! as text, Markdown or JSON, writes a merged JUnit file, and on GitHub
//! Actions the step summary, annotations and outputs. [`after_run`] does the
//! same for `run`, on stderr and without ever failing the step.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use katalon_prep::ci::github;
use katalon_prep::cli::{ReportArgs, ReportFormat};
use katalon_prep::exit::Status;
use katalon_prep::report::Event;
use katalon_prep::results::{self, Results, find, render};
use katalon_prep::{Context, Error, config, project, secret};

/// Where reports are looked for when no PATH is given, and the report
/// folder (where the merged JUnit file goes by default).
struct Places {
    roots: Vec<PathBuf>,
    folder: PathBuf,
}

/// The project's `Reports/` and every `-reportFolder` the config (and
/// `extra`, the options of `run --`) gives katalonc. Registers the key and
/// the config's credential option values for redaction on the way.
fn places(ctx: &Context, extra: &[String]) -> Result<Places, Error> {
    let config = config::load(ctx.config.as_deref(), &ctx.cwd)?;
    // The key, when there is one: a report that quotes it is redacted.
    if let Ok(key) = secret::resolve(&ctx.key_request(&config), ctx.env) {
        drop(key);
    }
    let mut settings: Vec<String> = config.run.args.iter().map(|a| a.value.clone()).collect();
    settings.extend(config.run.config.iter().map(|(name, v)| format!("-{name}={}", v.value)));
    settings.extend(extra.iter().cloned());
    register_credentials(&settings);

    let explicit = match &ctx.project {
        Some(flag) => Some(katalon_prep::location::Located::bare(ctx.cwd.join(flag))),
        None => config.project.clone(),
    };
    let project = match project::discover(explicit.as_ref(), &config.base_dir) {
        Ok(p) => Some(p),
        Err(e) if explicit.is_some() => return Err(e.into()),
        Err(e) => {
            tracing::debug!("no project for the reports ({e}); looking in ./Reports");
            None
        }
    };
    let mut folders: Vec<PathBuf> = config.run.report_folder.iter().cloned().collect();
    for word in settings.iter().filter(|w| !w.contains('\n')) {
        if let Some(dir) = word.strip_prefix("-reportFolder=").filter(|d| !d.is_empty()) {
            folders.push(ctx.cwd.join(dir.trim_matches(['"', '\''])));
        }
    }
    let reports = project.map(|p| p.root.join("Reports")).unwrap_or_else(|| ctx.cwd.join("Reports"));
    let folder = folders.first().cloned().unwrap_or_else(|| reports.clone());
    let mut roots = vec![reports];
    roots.extend(folders);
    Ok(Places { roots, folder })
}

/// Registers the values of credential options among katalonc words
/// (`-kobitonToken=v`, and the word after an empty `-proxy.password=`).
fn register_credentials(words: &[String]) {
    for (i, word) in words.iter().enumerate() {
        let Some((name, value)) = word.strip_prefix('-').and_then(|w| w.split_once('=')) else { continue };
        if !katalon_prep::katalonc::options::is_secret_name(name) {
            continue;
        }
        match words.get(i + 1) {
            _ if !value.is_empty() => secret::register(value),
            Some(next) if !next.starts_with('-') => secret::register(next),
            _ => {}
        }
    }
}

pub fn report(ctx: &Context, args: &ReportArgs) -> Result<Status, Error> {
    let since = match &args.since {
        Some(v) => {
            Some(results::since::parse(v, SystemTime::now()).map_err(|e| Error::usage_hint(e.to_string(), e.hint()))?)
        }
        None => None,
    };
    let places = places(ctx, &[])?;
    let (roots, folder) = if args.paths.is_empty() {
        (places.roots, places.folder)
    } else {
        let roots: Vec<PathBuf> = args.paths.iter().map(|p| ctx.cwd.join(p)).collect();
        let first = &roots[0];
        let folder =
            if first.is_file() { first.parent().map(Path::to_path_buf).unwrap_or_default() } else { first.clone() };
        (roots, folder)
    };
    let search = find::search(&roots);
    let selected = find::select(search.candidates, args.all, since);
    if selected.is_empty() {
        return Err(nothing_found(&search.looked, args.since.as_deref(), &ctx.cwd));
    }
    let results = results::read(&selected, &ctx.cwd);
    warn_unreadable(ctx, &results);
    let junit = match (&args.junit, ctx.env.github_actions) {
        (Some(path), _) => Some(ctx.cwd.join(path)),
        (None, true) => Some(folder.join(results::MERGED_JUNIT)),
        (None, false) => None,
    };
    if let Some(path) = &junit {
        write_junit(path, &results, &ctx.cwd)?;
    }
    let shown = junit.as_deref().map(|p| results::parse::show(p, &ctx.cwd));
    let out = match args.format {
        ReportFormat::Text => render::text(&results, &ctx.cwd),
        ReportFormat::Markdown => render::markdown(&results, &ctx.cwd, None),
        ReportFormat::Json => {
            let value = render::json(&results, &ctx.cwd, shown.as_deref());
            let mut s = serde_json::to_string_pretty(&value).map_err(|e| Error::Internal(e.to_string()))?;
            s.push('\n');
            s
        }
    };
    super::print_data(&secret::redact(&out))?;
    if ctx.env.github_actions {
        publish(ctx, &results, &folder, junit.as_deref())?;
    }
    // With --exit-code, a bad result exits as katalonc does for failed tests.
    if args.exit_code && results.any_bad() {
        return Ok(Status::Passed(1));
    }
    Ok(katalon_prep::Exit::Ok.into())
}

fn publish(ctx: &Context, results: &Results, folder: &Path, junit: Option<&Path>) -> Result<(), Error> {
    let (env, cwd) = (ctx.env, &ctx.cwd);
    let container = github::in_container_action(env);
    let md = render::markdown(results, cwd, Some(crate::workflow::summary_room(env)));
    let annotations = github::result_annotations(results, cwd, container);
    let outputs = github::result_outputs(folder, junit, cwd, container);
    crate::workflow::publish_results(env, &md, &annotations, &outputs)
}

fn write_junit(path: &Path, results: &Results, cwd: &Path) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| Error::Write { path: path.to_path_buf(), source })?;
    }
    let xml = render::junit(results, cwd);
    katalon_prep::fsutil::write_atomic(path, secret::redact(&xml).as_bytes(), katalon_prep::fsutil::Mode::Shared)
        .map_err(|source| Error::Write { path: path.to_path_buf(), source })
}

fn warn_unreadable(ctx: &Context, results: &Results) {
    for s in &results.suites {
        if let results::State::Unreadable(why) = &s.state {
            let file = s.file.as_deref().map(|f| results::parse::show(f, &ctx.cwd)).unwrap_or_default();
            ctx.reporter.report(Event::warning(format!("{file} {why}; its suite is reported without counts")));
        }
    }
}

/// Exit 14, saying where it looked.
fn nothing_found(looked: &[(PathBuf, Option<String>)], since: Option<&str>, cwd: &Path) -> Error {
    let places: Vec<String> = looked
        .iter()
        .map(|(p, why)| match why {
            Some(why) => format!("  - {} ({why})", results::parse::show(p, cwd)),
            None => format!("  - {}", results::parse::show(p, cwd)),
        })
        .collect();
    let when = since.map(|s| format!(" written since {s}")).unwrap_or_default();
    Error::NoReports {
        message: format!("No Katalon report ({}){when} found; looked in:\n{}", results::JUNIT_FILE, places.join("\n")),
        hint: Some(
            "run the tests first, or name the JUnit files or the folders holding them: `katalon-prep report PATH...`"
                .into(),
        ),
    }
}

/// After katalonc exits (`run`): the reports written since `started`,
/// summarised on stderr (and published on GitHub Actions). Never fails and
/// never changes the exit code: whatever goes wrong is a warning.
pub(crate) fn after_run(ctx: &Context, started: SystemTime, extra: &[String]) {
    if let Err(e) = summarise_run(ctx, started, extra) {
        ctx.reporter.report(Event::warning(format!("no test summary: {}", secret::redact(&e.to_string()))));
    }
}

fn summarise_run(ctx: &Context, started: SystemTime, extra: &[String]) -> Result<(), Error> {
    let places = places(ctx, extra)?;
    // Whole seconds: some file systems keep modification times no finer.
    let floor =
        started.duration_since(UNIX_EPOCH).map(|d| UNIX_EPOCH + Duration::from_secs(d.as_secs())).unwrap_or(started);
    let search = find::search(&places.roots);
    // Every report this run wrote: `since` already leaves out older runs.
    let selected = find::select(search.candidates, true, Some(floor));
    if selected.is_empty() {
        let looked: Vec<String> = search.looked.iter().map(|(p, _)| results::parse::show(p, &ctx.cwd)).collect();
        ctx.reporter.report(Event::warning(format!(
            "katalonc wrote no {} that katalon-prep could find (looked in {})",
            results::JUNIT_FILE,
            looked.join(", ")
        )));
        return Ok(());
    }
    let results = results::read(&selected, &ctx.cwd);
    warn_unreadable(ctx, &results);
    // Through the reporter: redacted, and silent with -q.
    ctx.reporter.report(Event::Info(render::text(&results, &ctx.cwd).trim_end().to_string()));
    if ctx.env.github_actions {
        let junit = places.folder.join(results::MERGED_JUNIT);
        write_junit(&junit, &results, &ctx.cwd)?;
        publish(ctx, &results, &places.folder, Some(&junit))?;
    }
    Ok(())
}
