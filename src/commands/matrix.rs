//! `matrix`: shards from a test suite collection or a suite glob, for
//! GitHub's `strategy.matrix` or a GitLab child pipeline. Needs no key.

use katalon_prep::ci::gitlab;
use katalon_prep::cli::{MatrixArgs, MatrixFormat, RunnerOs};
use katalon_prep::config::Target;
use katalon_prep::katalonc::lint::{self, Allow};
use katalon_prep::katalonc::options::Os;
use katalon_prep::location::Located;
use katalon_prep::matrix::{self, Matrix};
use katalon_prep::plan::{self, Request};
use katalon_prep::report::Event;
use katalon_prep::workspace::Workspace;
use katalon_prep::{Context, Error, Exit};

pub fn matrix(ctx: &Context, args: &MatrixArgs) -> Result<Exit, Error> {
    let ws = Workspace::load(ctx)?;
    let (config, project) = (&ws.config, &ws.project);
    let allow = super::allow_flags(&args.lint)?.union(&config.lint_allow);
    let (m, source): (Matrix, String) = match (&args.suites, &args.collection, &config.run.target) {
        (Some(glob), _, _) => {
            let browser = args.browser.clone().or_else(|| config.run.browser.as_ref().map(|b| b.value.clone()));
            let profile = args.profile.clone().or_else(|| config.run.profile.as_ref().map(|p| p.value.clone()));
            (matrix::from_suites(project, glob, browser, profile)?, format!("suites `{glob}`"))
        }
        (None, Some(path), _) => {
            let path = Located::bare(path.clone());
            (collection(&ws, &path)?, format!("`{}`", path.value))
        }
        (None, None, Some(target)) => {
            let path = Located::new(target.value.path().to_string(), target.at.clone());
            (collection(&ws, &path)?, format!("`{}`", path.value))
        }
        (None, None, None) => {
            return Err(Error::usage_hint(
                "Nothing to shard",
                "pass --collection PATH or --suites GLOB, or set `run.test-suite-collection` in katalon-prep.yml",
            ));
        }
    };
    let max_parallel = args.max_parallel.unwrap_or(m.max_parallel);
    for w in &m.warnings {
        ctx.reporter.report(Event::warning(w.clone()));
    }
    let os = match args.runner_os {
        Some(RunnerOs::Linux) => Os::Linux,
        Some(RunnerOs::Windows) => Os::Windows,
        Some(RunnerOs::Macos) => Os::Macos,
        None => Os::of_run(ctx.env),
    };
    for (message, hint) in browser_warnings(&m, os, &allow) {
        ctx.reporter.report(Event::warning_hint(message, hint));
    }
    let skipped = if m.skipped > 0 { format!(" ({} disabled skipped)", m.skipped) } else { String::new() };
    ctx.reporter.report(Event::Info(format!(
        "{} shard{} from {source}{skipped}, max-parallel {max_parallel}",
        m.shards.len(),
        if m.shards.len() == 1 { "" } else { "s" }
    )));
    match args.format {
        MatrixFormat::Github => {
            let json = m.github_json();
            super::print_data(&format!("{json}\n"))?;
            if ctx.env.github_actions {
                crate::workflow::write_outputs(
                    ctx.env,
                    &[("matrix".into(), json), ("max-parallel".into(), max_parallel.to_string())],
                )
                .map_err(|source| Error::Write { path: "$GITHUB_OUTPUT".into(), source })?;
            }
        }
        MatrixFormat::Gitlab => {
            let key_var = ctx.key_request(config).var;
            let mut global_args = Vec::new();
            if let Some(c) = &ctx.config {
                global_args.extend(["--config".to_string(), c.to_string_lossy().into_owned()]);
            }
            if let Some(p) = &ctx.project {
                global_args.extend(["--project".to_string(), p.to_string_lossy().into_owned()]);
            }
            // Paths as the jobs see them: relative to the project directory
            // (where `matrix` runs), with `/` whatever the host.
            let rel = |p: &std::path::Path| {
                katalon_prep::katalonc::argv::relative(p, &ctx.cwd)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/")
            };
            let report_folder = match &config.run.report_folder {
                Some(folder) => rel(folder),
                None => rel(&project.root.join("Reports")),
            };
            let pipeline = gitlab::Pipeline {
                image: &args.image,
                prep_image: &args.prep_image,
                key_var: &key_var,
                global_args,
                lock: rel(ws.lock_path().0),
                report_folder,
                source,
            };
            super::print_data(&gitlab::child_pipeline(&m.shards, max_parallel, &pipeline))?;
        }
    }
    Ok(Exit::Ok)
}

/// The shards of the collection at `path`, checked by the plan check as
/// `prepare` checks a target (it must exist, its `.ts` is read once). What is
/// fatal for `matrix`: a missing collection, or a suite given for one; the
/// profile and the lock are not its concern.
fn collection(ws: &Workspace, path: &Located<String>) -> Result<Matrix, Error> {
    let written = Target::Collection(katalon_prep::project::ts_path(&path.value).to_string());
    let request = Request { target: Some(Located::new(written, path.at.clone())), ..Request::default() };
    let (plan, findings) = plan::check(ws, &request)?;
    match (plan.target, plan.collection) {
        (_, Some(collection)) => Ok(matrix::from_collection(&ws.project, &collection)?),
        (Some(suite), None) => Err(matrix::Error::NotACollection { path: suite.path, at: path.at.clone() }.into()),
        // The target's `Missing` comes first; the profile's, if any, after it.
        (None, _) => match findings.into_iter().find_map(|f| match f {
            plan::Finding::Missing(e) => Some(e),
            _ => None,
        }) {
            Some(missing) => Err(matrix::Error::from(missing).into()),
            None => Err(Error::Internal("the plan check found no target and said nothing".into())),
        },
    }
}

/// One warning per browser that some shards use and that cannot run on
/// `os` (the lint's table), naming the shards; none for allowed rules.
fn browser_warnings(m: &Matrix, os: Os, allow: &Allow) -> Vec<(String, String)> {
    let mut by_browser: std::collections::BTreeMap<&str, Vec<&str>> = std::collections::BTreeMap::new();
    for shard in &m.shards {
        if let Some(browser) = &shard.browser {
            by_browser.entry(browser).or_default().push(shard.suite.as_deref().unwrap_or("(config)"));
        }
    }
    by_browser
        .into_iter()
        .filter_map(|(browser, suites)| {
            let (rule, hint) = lint::browser_not_on(browser, os)?;
            if allow.allows(rule) {
                return None;
            }
            let n = suites.len();
            let message = format!(
                "{n} {} `{browser}`, which does not run on {os}, where the shards run: {} [{rule}]",
                if n == 1 { "shard uses" } else { "shards use" },
                suites.join(", ")
            );
            Some((message, format!("{hint}; or pass --runner-os for the runners the shards go to")))
        })
        .collect()
}
