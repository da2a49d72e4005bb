//! `check`: lint the config, the project and the katalonc line they give,
//! or a hand-written line (`--args`), without running anything and without
//! the API key. Findings go to standard output; exit 13 when any is an error.

use katalon_prep::cli::{CheckArgs, CheckFormat};
use katalon_prep::katalonc::lint::{self, Allow, Arg, Facts, Finding, Origin, Settings, Severity};
use katalon_prep::katalonc::{options, split};
use katalon_prep::location::{Located, Location};
use katalon_prep::plan::{self, Request};
use katalon_prep::project::{self, Project, TsKind};
use katalon_prep::report::Event;
use katalon_prep::workspace::Workspace;
use katalon_prep::{Context, Error, Exit, config, lock, secret};

use super::findings;

pub fn check(ctx: &Context, args: &CheckArgs) -> Result<Exit, Error> {
    let allow = super::allow_flags(&args.lint)?;
    let (mut found, source) = match &args.args {
        Some(line) => (hand_written(ctx, line, &allow)?, Some(line.as_str())),
        None => (configured(ctx, &allow)?, None),
    };
    if args.strict {
        lint::strict(&mut found);
    }
    let text = match args.format {
        CheckFormat::Text => findings::text(&found, source, &ctx.cwd),
        CheckFormat::Json => findings::json(&found, source, &ctx.cwd),
    };
    super::print_data(&text)?;
    if ctx.env.github_actions && !found.is_empty() {
        crate::workflow::print_commands(&findings::annotations(&found, source, &ctx.cwd, ctx.env));
    }
    let (errors, warnings, notes) = lint::counts(&found);
    if args.format == CheckFormat::Json {
        ctx.reporter.report(Event::Info(findings::summary(errors, warnings, notes)));
    }
    Ok(if errors > 0 { Exit::Lint } else { Exit::Ok })
}

/// The config's line, its target and, for a collection, its entries: the
/// plan check `prepare` runs, every finding listed rather than refused.
fn configured(ctx: &Context, allow: &Allow) -> Result<Vec<Finding>, Error> {
    let ws = Workspace::load(ctx)?;
    let config = &ws.config;
    let allow = allow.clone().union(&config.lint_allow);
    let settings = Settings {
        facts: Some(&ws.index),
        os: options::Os::of_run(ctx.env),
        hand_written: false,
        target_required: false,
        source: None,
    };
    let (plan, checked) = plan::check(&ws, &Request::default())?;
    let mut found = Vec::new();
    for finding in checked {
        found.extend(as_findings(&ws, finding)?);
    }
    let mut collection = Vec::new();
    if let Some(c) = &plan.collection {
        // A `-browserType` on the line (`run.browser`, or one in `run.args`) replaces the entries' own.
        let overridden =
            config.run.browser.is_some() || config.run.args.iter().any(|a| a.value.starts_with("-browserType"));
        collection = lint::lint_collection(c, settings, overridden);
    }
    let line = plan.line(&ctx.cwd, None, false);
    found.extend(lint::lint(&lint::args_of(&line, &[]), settings));
    found.extend(collection);
    allow.apply(&mut found);
    Ok(found)
}

/// A plan finding as `check` lists it; none for what the line's lint
/// reports itself (a missing profile is `unknown-profile` there).
fn as_findings(ws: &Workspace, finding: plan::Finding) -> Result<Vec<Finding>, Error> {
    let (_, shown) = ws.lock_path();
    Ok(vec![match finding {
        plan::Finding::Missing(project::Error::Missing { what: "Execution profile", .. }) => return Ok(Vec::new()),
        plan::Finding::Missing(project::Error::Missing { what, name, at, hint }) => Finding {
            severity: Severity::Error,
            rule: "missing-suite",
            message: format!("{} `{name}` does not exist in the project", what.to_lowercase()),
            hint,
            origin: Origin::of(at.as_ref()),
        },
        plan::Finding::Missing(other) => return Err(other.into()),
        plan::Finding::WrongKind { written, resolved } => {
            let (key, other) = match resolved.kind {
                TsKind::Suite => ("test-suite-collection", "test-suite"),
                TsKind::Collection => ("test-suite", "test-suite-collection"),
            };
            Finding {
                severity: Severity::Warning,
                rule: "wrong-kind",
                message: format!(
                    "`run.{key}: {}` names a {}; katalon-prep emits the right option anyway",
                    resolved.path,
                    if resolved.kind == TsKind::Suite { "test suite" } else { "test suite collection" }
                ),
                hint: Some(format!("write `{other}:` to say so")),
                origin: Origin::of(written.at.as_ref()),
            }
        }
        plan::Finding::LockUnreadable(lock::Error::Invalid { at, message }) => Finding {
            severity: Severity::Error,
            rule: "lock-invalid",
            message,
            hint: Some("regenerate it with `katalon-prep lock --update`".into()),
            origin: Origin::File(at),
        },
        plan::Finding::LockUnreadable(other) => return Err(other.into()),
        plan::Finding::NoLock => Finding {
            severity: Severity::Warning,
            rule: "no-lock",
            message: format!(
                "no {}: Store and GitHub plugins are installed as served at run time, not pinned",
                shown.display()
            ),
            hint: Some("run `katalon-prep lock` and commit the file".into()),
            origin: Origin::Generated,
        },
        plan::Finding::LockDrift(items) => {
            let at = Location { file: shown.to_path_buf(), line: 1, column: 1 };
            return Ok(items
                .into_iter()
                .map(|item| Finding {
                    severity: Severity::Warning,
                    rule: "lock-outdated",
                    message: format!("{} is out of date: {item}", shown.display()),
                    hint: Some("run `katalon-prep lock` and commit it; `prepare --locked` refuses it (exit 31)".into()),
                    origin: Origin::File(at.clone()),
                })
                .collect());
        }
        plan::Finding::UnpinnedUrl(config::Error::Invalid { at, message, hint }) => {
            Finding { severity: Severity::Error, rule: "unpinned-url", message, hint, origin: Origin::File(at) }
        }
        plan::Finding::UnpinnedUrl(other) => return Err(other.into()),
    }])
}

/// A hand-written line: split as a shell would, its secrets registered
/// before anything is printed, linted against the project it names.
fn hand_written(ctx: &Context, line: &str, allow: &Allow) -> Result<Vec<Finding>, Error> {
    // Masked before anything can fail: splitting, linting or printing.
    register_loosely(line);
    // A cmd or PowerShell line split as POSIX would give a pile of false findings: say so once instead.
    if let Some((dialect, at)) = split::foreign_dialect(line) {
        return Ok(vec![Finding {
            severity: Severity::Error,
            rule: "not-posix-shell",
            message: format!(
                "this line is written for {dialect}: `check --args` reads POSIX-shell syntax only, so it was not checked"
            ),
            hint: Some(
                "give the options as a POSIX shell (bash, sh) would: `\\` to continue a line, '...' or \"...\" to quote, $VAR for variables"
                    .into(),
            ),
            origin: Origin::Args(at..at + 1),
        }]);
    }
    let split = match split::split(line) {
        Ok(split) => split,
        Err(e) => {
            let hint = match e {
                split::Error::Unexpected { .. } => "quote the whole option, e.g. '-browserType=Chrome (headless)'",
                split::Error::Unterminated { .. } => "close the quote",
            };
            return Ok(vec![Finding {
                severity: Severity::Error,
                rule: "shell-syntax",
                message: format!("{e}: a shell would refuse this line"),
                hint: Some(hint.into()),
                origin: Origin::Args(e.at()..e.at() + 1),
            }]);
        }
    };
    let mut words = split.words;
    // `katalonc ...`, `./katalonc.sh ...`, `docker run ... katalonc.sh ...`: lint what follows the program.
    if let Some(p) = split::program_position(line, &words) {
        words.drain(..=p);
    }
    let args: Vec<Arg> = words.into_iter().map(Arg::word).collect();
    lint::register_secrets(&args);
    let mut found = Vec::new();
    // The config (when there is one) gives the run's version and `lint.allow`;
    // a broken one is exit 10 here as everywhere, so `lint.allow` is never half read.
    let config = config::load(ctx.config.as_deref(), &ctx.cwd)?;
    let allow = allow.clone().union(&config.lint_allow);
    let facts = match project_for(ctx, &args, &config) {
        Ok(project) => Some(Facts::of(&project, Some(&config))),
        Err(e) => {
            found.push(Finding {
                severity: Severity::Warning,
                rule: "no-project",
                message: format!("project checks skipped: {}", e.to_string().lines().next().unwrap_or("")),
                hint: Some("pass --project PATH so suites, profiles, variables and browsers can be checked".into()),
                origin: Origin::Generated,
            });
            None
        }
    };
    let settings = Settings {
        facts: facts.as_ref(),
        os: options::Os::of_run(ctx.env),
        hand_written: true,
        target_required: true,
        source: Some(line),
    };
    found.extend(lint::lint(&args, settings));
    if let Some(rest) = split.rest {
        found.push(Finding {
            severity: Severity::Info,
            rule: "second-command",
            message: "only the first command is checked; the string goes on with another".into(),
            hint: None,
            origin: Origin::Args(rest..rest + 1),
        });
    }
    allow.apply(&mut found);
    Ok(found)
}

/// The project to check against: `--project`, else the line's `-projectPath`
/// when it exists here, else the config's `project:` or discovery.
fn project_for(ctx: &Context, args: &[Arg], config: &config::Config) -> Result<Project, project::Error> {
    if let Some(flag) = &ctx.project {
        return project::discover(Some(&Located::bare(ctx.cwd.join(flag))), &ctx.cwd);
    }
    let named = args.iter().find_map(|a| a.text.strip_prefix("-projectPath=")).map(|p| ctx.cwd.join(p));
    if let Some(path) = named.filter(|p| p.exists()) {
        return project::discover(Some(&Located::bare(path)), &ctx.cwd);
    }
    project::discover(config.project.as_ref(), &config.base_dir)
}

/// When the line does not split, still keep credential values out of the
/// output: any `-secretOption=value` word (and the word after an empty one).
fn register_loosely(line: &str) {
    let words: Vec<&str> = line.split_whitespace().collect();
    for (i, word) in words.iter().enumerate() {
        // `-remoteWebDriverUrl=https://user:PASS@grid/wd/hub`: a password in any URL.
        if let Some(password) = super::findings::url_password(word) {
            secret::register(word[password].trim_matches(['"', '\'']));
        }
        let word = word.trim_matches(['"', '\'']);
        let Some((name, value)) = word.strip_prefix('-').and_then(|b| b.split_once('=')) else { continue };
        if !options::is_secret_name(name) {
            continue;
        }
        let value = value.trim_matches(['"', '\'']);
        if value.is_empty() {
            if let Some(next) = words.get(i + 1).filter(|n| !n.starts_with('-')) {
                secret::register(next.trim_matches(['"', '\'']));
            }
        } else {
            secret::register(value);
        }
    }
}
