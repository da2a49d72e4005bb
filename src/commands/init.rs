//! `init`: from a checkout (and the katalonc line its CI runs today) to a
//! commented `katalon-prep.yml` that loads, and optionally the CI file.
//!
//! Asks on a terminal (prompts on stderr, answers line by line on stdin),
//! takes flags otherwise. Never overwrites a file without `--force`. The API
//! key of a `--from-args` line, and every other credential on it, is dropped:
//! registered for redaction before anything is printed, never written.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use katalon_prep::cli::{CiSystem, InitArgs};
use katalon_prep::config::{self, Kind, Target};
use katalon_prep::init::{self, Draft, Plugin, StoreListed, ci::System, line};
use katalon_prep::katalonc::argv;
use katalon_prep::katalonc::lint::{self, Arg, Facts, Settings};
use katalon_prep::katalonc::split;
use katalon_prep::location::Located;
use katalon_prep::plugins::install::{PLATFORM_DIR, PLUGINS_DIR, RECORD_FILE, Record};
use katalon_prep::project::{self, Project, TsKind};
use katalon_prep::report::Event;
use katalon_prep::{Context, Error, Exit, secret};

use super::findings;

/// The browser a new config runs suites in: one that works on Linux runners.
const DEFAULT_BROWSER: &str = "Chrome (headless)";

/// Where `init` writes: the config, and the CI file with `--ci`.
struct Targets {
    shown_config: PathBuf,
    config_path: PathBuf,
    /// The config's folder: what its relative paths are relative to.
    base_dir: PathBuf,
    system: Option<System>,
}

pub fn run(ctx: &Context, args: &InitArgs) -> Result<Exit, Error> {
    let to = targets(ctx, args)?;
    let pasted = args.from_args.as_deref().map(from_args).transpose()?;
    let project = find_project(ctx, pasted.as_ref().map(|p| &p.0), &to.base_dir)?;
    let mut draft = draft_for(&project, &to.base_dir);
    report_project(ctx, &project, &draft);
    let conv = match pasted {
        Some((conv, words, posix)) => {
            lint_line(ctx, &project, &posix, words);
            report_conversion(ctx, &conv);
            draft.from_args = true;
            conv
        }
        None => line::Converted::default(),
    };
    let mut ask = prompt(ctx, args)?;
    choose_run(ctx, args, &conv, &project, &mut draft, &mut ask)?;
    choose_engine(ctx, args, &to, &mut draft, &mut ask)?;
    take_line(ctx, &to, conv, &mut draft);
    choose_plugins(ctx, args, &project, &to, &mut draft, &mut ask)?;
    let ci_file = match to.system {
        Some(s) => Some((s, s.content().map_err(|e| Error::Internal(format!("the {} CI template: {e}", s.name())))?)),
        None => None,
    };
    let text = checked_config(ctx, &to, &project, &draft)?;

    move_jars(ctx, &project, &to.base_dir, &draft.plugins)?;
    write_new(&to.config_path, &to.shown_config, text.as_bytes(), args.force)?;
    let version = draft.version.as_ref().map(|(v, _)| format!(", Katalon {v}")).unwrap_or_default();
    ctx.reporter.report(Event::Info(format!(
        "Wrote {} for {}{version}",
        to.shown_config.display(),
        argv::relative(&project.prj, &ctx.cwd).display()
    )));
    if let Some((s, content)) = ci_file {
        write_ci(ctx, args, &to, s, &content)?;
    }
    next_steps(ctx, &draft, to.system);
    Ok(Exit::Ok)
}

/// The files to write; an existing one stops `init` before anything is
/// asked, read or moved (unless `--force`).
fn targets(ctx: &Context, args: &InitArgs) -> Result<Targets, Error> {
    let shown_config = ctx.config.clone().unwrap_or_else(|| PathBuf::from(config::DEFAULT_FILE));
    let config_path = ctx.cwd.join(&shown_config);
    let base_dir = config_path.parent().map(Path::to_path_buf).unwrap_or_else(|| ctx.cwd.clone());
    let system = args.ci.map(|c| match c {
        CiSystem::Github => System::Github,
        CiSystem::Gitlab => System::Gitlab,
        CiSystem::Jenkins => System::Jenkins,
        CiSystem::Azure => System::Azure,
    });
    if !args.force {
        let ci = system.map(|s| (ctx.cwd.join(s.file()), PathBuf::from(s.file())));
        for (path, shown) in std::iter::once((config_path.clone(), shown_config.clone())).chain(ci) {
            if std::fs::symlink_metadata(&path).is_ok() {
                return Err(exists(&shown));
            }
        }
    }
    Ok(Targets { shown_config, config_path, base_dir, system })
}

/// Questions on a terminal (or with `--interactive`), none with `--yes`.
fn prompt(ctx: &Context, args: &InitArgs) -> Result<Prompt, Error> {
    let interactive =
        !args.yes && (args.interactive || (std::io::stdin().is_terminal() && std::io::stderr().is_terminal()));
    if interactive && ctx.api_key_stdin {
        return Err(Error::usage_hint(
            "--api-key-stdin and the questions of `init` would both read standard input",
            "pass --yes and the answers as flags (--suite, --profile, --browser, --move-plugins)",
        ));
    }
    Ok(Prompt { interactive, lines: None })
}

/// `engine.version` active: `--engine` or the answer.
fn choose_engine(
    ctx: &Context,
    args: &InitArgs,
    to: &Targets,
    draft: &mut Draft,
    ask: &mut Prompt,
) -> Result<(), Error> {
    draft.engine = match &draft.version {
        None if args.engine => {
            return Err(Error::usage_hint(
                "--engine needs the project's Katalon version, and the project records none",
                "add `engine: { version: \"10.3.1\" }` to the config by hand",
            ));
        }
        Some((v, _)) if !args.engine && ask.interactive => ask.yes_no(&format!(
            "Let katalon-prep download, pin and run the Katalon Runtime Engine {v} itself (instead of the official image's)?"
        ))?,
        _ => args.engine,
    };
    if draft.engine && to.system.is_some() {
        ctx.reporter.report(Event::warning(
            "the CI file runs katalonc.sh of the official image; with `engine:`, `prepare` also downloads the engine: \
             run `katalon-prep run` in a plain job instead, or drop `engine:`",
        ));
    }
    Ok(())
}

/// The rest of the line: retry, report folder, globals, args, `--config`,
/// and the names of the credentials left out.
fn take_line(ctx: &Context, to: &Targets, conv: line::Converted, draft: &mut Draft) {
    draft.retry = conv.retry;
    // The line's folder is relative to where katalonc starts (here); the
    // config's to the config's folder.
    draft.report_folder = conv.report_folder.map(|r| slashed(&argv::relative(&ctx.cwd.join(r), &to.base_dir)));
    draft.globals = conv.globals;
    draft.args = conv.args;
    draft.config = conv.config;
    draft.dropped = conv.dropped;
}

/// The jars of `Plugins/`: listed, moved when asked, looked up in the Store when asked.
fn choose_plugins(
    ctx: &Context,
    args: &InitArgs,
    project: &Project,
    to: &Targets,
    draft: &mut Draft,
    ask: &mut Prompt,
) -> Result<(), Error> {
    let jars = plugin_jars(project);
    let mut moving = args.move_plugins;
    let mut store = args.store;
    if !jars.is_empty() {
        let list: Vec<String> = jars.iter().map(|(rel, _)| format!("  {rel}")).collect();
        ctx.reporter.report(Event::Info(format!(
            "The project's Plugins/ holds {} jar{}:\n{}",
            jars.len(),
            if jars.len() == 1 { "" } else { "s" },
            list.join("\n")
        )));
        if !moving && ask.interactive {
            moving = ask.yes_no(&format!("Move them to {}/ and list them as `path:` entries?", init::VENDOR_DIR))?;
        }
        // Asked only when there is a key to ask the Store with.
        if !store && ask.interactive && secret::resolve(&ctx.key_request(&config::Config::default()), ctx.env).is_ok() {
            store = ask.yes_no("Look them up in the Katalon Store account (with the key found in the environment)?")?;
        }
    }
    let listing = if store { Some(store_listing(ctx, draft)?) } else { None };
    draft.plugins = plan_plugins(project, &to.base_dir, &jars, moving, listing.as_deref(), &mut draft.other_store)?;
    Ok(())
}

/// The config's text, checked: it loads, no value taken from the line is a
/// registered credential, and the lint of the line it gives is reported.
fn checked_config(ctx: &Context, to: &Targets, project: &Project, draft: &Draft) -> Result<String, Error> {
    let text = init::render(draft);
    let parsed = config::parse(&text, &to.shown_config, &to.base_dir)
        .map_err(|e| Error::Internal(format!("the config `init` wrote does not load: {e}")))?;
    if draft.written_values().any(|v| secret::redact(v) != v) {
        return Err(Error::Internal("the config would hold a credential of the line; nothing written".into()));
    }
    lint_result(ctx, parsed, project, draft);
    Ok(text)
}

fn write_ci(ctx: &Context, args: &InitArgs, to: &Targets, s: System, content: &str) -> Result<(), Error> {
    let path = ctx.cwd.join(s.file());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write { path: dir.to_path_buf(), source })?;
    }
    write_new(&path, Path::new(s.file()), content.as_bytes(), args.force)?;
    ctx.reporter.report(Event::Info(format!("Wrote {}", s.file())));
    if to.shown_config != Path::new(config::DEFAULT_FILE) {
        ctx.reporter.report(Event::warning(format!(
            "{} expects katalon-prep.yml at the repository root: point it at {}",
            s.file(),
            to.shown_config.display()
        )));
    }
    Ok(())
}

fn exists(shown: &Path) -> Error {
    Error::usage_hint(
        format!("{} already exists; `init` does not overwrite it", shown.display()),
        "pass --force to replace it, or --config FILE to write the config elsewhere",
    )
}

/// Writes a new file; without `force`, refuses one that appeared meanwhile.
fn write_new(path: &Path, shown: &Path, bytes: &[u8], force: bool) -> Result<(), Error> {
    use std::io::Write;
    if force {
        return katalon_prep::fsutil::write_atomic(path, bytes, katalon_prep::fsutil::Mode::Keep)
            .map_err(|source| Error::Write { path: shown.to_path_buf(), source });
    }
    let mut f = match std::fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(exists(shown)),
        Err(source) => return Err(Error::Write { path: shown.to_path_buf(), source }),
    };
    f.write_all(bytes).map_err(|source| Error::Write { path: shown.to_path_buf(), source })
}

/// Splits the line as `check --args` does, registers its credentials before
/// anything is printed, and converts it.
fn from_args(text: &str) -> Result<(line::Converted, Vec<split::Word>, String), Error> {
    // A cmd or PowerShell line is read in its POSIX form: continuations joined, backslashes kept.
    let dialect = split::foreign_dialect(text).map(|(d, _)| d);
    let posix = match dialect {
        Some(d) => line::posix_form(text, d),
        None => text.to_string(),
    };
    let text = posix.as_str();
    let split = split::split(text).map_err(|e| {
        // Not quoted: the line may hold a key that could not be registered.
        Error::usage_hint(
            format!("--from-args: {e} at byte {} of the line; a shell would refuse it", e.at()),
            "paste the line exactly as the CI runs it (`katalon-prep check --args` shows where)",
        )
    })?;
    let mut words = split.words;
    // On the raw text, as `check --args` does: a Windows path is matched before POSIX unescaping.
    if let Some(p) = split::program_position(text, &words) {
        words.drain(..=p);
    }
    let args: Vec<Arg> = words.iter().cloned().map(Arg::word).collect();
    lint::register_secrets(&args);
    let texts: Vec<String> = words.iter().map(|w| w.text.clone()).collect();
    let mut converted = line::convert(&texts);
    if split.rest.is_some() {
        converted.messages.push(line::Message {
            warning: false,
            text: "the line goes on with another command (after `;`, `|`, `&&` or a newline): only the first is read"
                .into(),
        });
    }
    if let Some(d) = dialect {
        converted.messages.push(line::Message {
            warning: true,
            text: format!(
                "the line is written for {d}: read with its line continuations joined and its quotes as a POSIX \
                 shell reads them; check the result (`%VAR%` and `$env:VAR` stay as written)"
            ),
        });
    }
    Ok((converted, words, posix))
}

/// `--project`, else the line's `-projectPath` when it exists here, else the
/// single `.prj` under the config's folder.
fn find_project(ctx: &Context, conv: Option<&line::Converted>, base_dir: &Path) -> Result<Project, Error> {
    if let Some(flag) = &ctx.project {
        return Ok(project::discover(Some(&Located::bare(ctx.cwd.join(flag))), &ctx.cwd)?);
    }
    if let Some(named) = conv.and_then(|c| c.project.as_deref()) {
        let path = ctx.cwd.join(named);
        if path.exists() {
            return Ok(project::discover(Some(&Located::bare(path)), &ctx.cwd)?);
        }
        let found = project::discover(None, base_dir)?;
        ctx.reporter.report(Event::warning(format!(
            "-projectPath={named} does not exist here (a path inside the CI's container?); using {}",
            argv::relative(&found.prj, &ctx.cwd).display()
        )));
        return Ok(found);
    }
    Ok(project::discover(None, base_dir)?)
}

/// The lint of the pasted line, on stderr: what katalonc would have done
/// with it today.
fn lint_line(ctx: &Context, project: &Project, text: &str, words: Vec<split::Word>) {
    let args: Vec<Arg> = words.into_iter().map(Arg::word).collect();
    let facts = Facts::of(project, None);
    let settings = Settings {
        facts: Some(&facts),
        os: katalon_prep::katalonc::options::Os::of_run(ctx.env),
        hand_written: true,
        target_required: true,
        source: Some(text),
    };
    let found = lint::lint(&args, settings);
    if found.is_empty() {
        return;
    }
    let report = findings::text(&found, Some(text), &ctx.cwd);
    ctx.reporter
        .report(Event::Info(format!("The katalonc line, as katalonc would take it today:\n{}", report.trim_end())));
}

/// The lint of the line the new config gives, as `check` runs it: what the
/// conversion could not mend (a misspelt option, a wrong value) is said now,
/// pointing at the config's lines, rather than when `prepare` refuses it.
fn lint_result(ctx: &Context, config: config::Config, project: &Project, draft: &Draft) {
    let target = draft.target.as_ref().map(|(kind, path)| project::ResolvedTarget { kind: *kind, path: path.clone() });
    let facts = Facts::for_run(project, &config);
    let line = katalon_prep::katalonc::argv::line_of(project, target.as_ref(), &config.run, &ctx.cwd, None, false);
    let settings = Settings {
        facts: Some(&facts),
        os: katalon_prep::katalonc::options::Os::of_run(ctx.env),
        hand_written: false,
        target_required: false,
        source: None,
    };
    let mut found = lint::lint(&lint::args_of(&line, &[]), settings);
    config.lint_allow.apply(&mut found);
    let found: Vec<_> = found.into_iter().filter(|f| f.severity != lint::Severity::Info).collect();
    if found.is_empty() {
        return;
    }
    let (errors, _, _) = lint::counts(&found);
    let consequence = if errors > 0 { "; `prepare`, `args` and `run` refuse it until they are fixed" } else { "" };
    ctx.reporter.report(Event::warning(format!(
        "The line the new config gives has findings{consequence}:\n{}",
        findings::text(&found, None, &ctx.cwd).trim_end()
    )));
}

fn report_conversion(ctx: &Context, conv: &line::Converted) {
    for d in &conv.dropped {
        let text = if d.api_key {
            format!(
                "The line holds the API key (`{}`): it is left out and written nowhere. Move it into a CI secret named \
                 KATALON_API_KEY; katalon-prep reads it from there and adds -apiKey itself (rotate the key if the line \
                 was committed)",
                d.option
            )
        } else {
            format!(
                "`{}` holds a credential: it is left out of the config (a committed file); keep it in a CI secret and \
                 pass it at run time: katalon-prep run -- {}{}=\"$SECRET\"",
                d.option,
                if d.config_section { "--config " } else { "" },
                d.option
            )
        };
        ctx.reporter.report(Event::warning(text));
    }
    for m in &conv.messages {
        let event = if m.warning { Event::warning(m.text.clone()) } else { Event::Info(format!("note: {}", m.text)) };
        ctx.reporter.report(event);
    }
}

/// What was found: the project, its version, suites, collections, profiles.
fn report_project(ctx: &Context, project: &Project, draft: &Draft) {
    let list = |kind: TsKind| {
        let names: Vec<&str> = draft.targets.iter().filter(|(_, k)| *k == kind).map(|(p, _)| p.as_str()).collect();
        if names.is_empty() { "none".to_string() } else { names.join(", ") }
    };
    let version = draft.version.as_ref().map(|(v, _)| format!(" (Katalon {v})")).unwrap_or_default();
    let profiles = if draft.profiles.is_empty() { "none".to_string() } else { draft.profiles.join(", ") };
    ctx.reporter.report(Event::Info(format!(
        "Project {}{version}\n  suites: {}\n  collections: {}\n  profiles: {profiles}",
        argv::relative(&project.prj, &ctx.cwd).display(),
        list(TsKind::Suite),
        list(TsKind::Collection),
    )));
}

/// What the project says: its path, version, suites and profiles.
fn draft_for(project: &Project, base_dir: &Path) -> Draft {
    let rel = argv::relative(&project.prj, base_dir);
    let version = [(&project.modified_version, "modifiedVersion"), (&project.created_version, "createdVersion")]
        .into_iter()
        .find_map(|(v, from)| v.as_deref().and_then(project::version::Version::parse).map(|v| (v.to_string(), from)));
    let targets = project.ts_files().into_iter().filter_map(|p| project.ts_kind_at(&p).map(|k| (p, k))).collect();
    Draft { project: slashed(&rel), version, targets, profiles: project.profiles(), ..Draft::default() }
}

/// Suite or collection, profile and browser: flags, then the line, then the
/// answers (with those as defaults), then defaults that work on a Linux runner.
fn choose_run(
    ctx: &Context,
    args: &InitArgs,
    conv: &line::Converted,
    project: &Project,
    draft: &mut Draft,
    ask: &mut Prompt,
) -> Result<(), Error> {
    let given = args.suite.clone().or_else(|| conv.target.as_ref().map(|(_, p)| p.clone()));
    let target = match given {
        Some(t) if !ask.interactive || args.suite.is_some() => Some(t),
        given => {
            let default = given.or_else(|| match draft.targets.as_slice() {
                [(only, _)] => Some(only.clone()),
                _ => None,
            });
            if ask.interactive && !draft.targets.is_empty() {
                Some(ask.choose_target(&draft.targets, default.as_deref())?)
            } else {
                default
            }
        }
    };
    draft.target = match target {
        Some(t) => {
            let known = project.ts_files();
            let resolved = project.resolve_target(&Located::bare(Target::Suite(trim_ts(&t))), || &known)?;
            Some((resolved.kind, resolved.path))
        }
        None => {
            ctx.reporter.report(Event::warning(format!(
                "No test suite chosen ({} in the project): `run.test-suite` is left for you to fill in, or pass --suite",
                draft.targets.len()
            )));
            None
        }
    };
    let is_collection = matches!(draft.target, Some((TsKind::Collection, _)));

    let profile = args.profile.clone().or_else(|| conv.profile.clone());
    let profile = if ask.interactive && args.profile.is_none() && !draft.profiles.is_empty() {
        let default = profile.or_else(|| draft.profiles.iter().find(|p| *p == "default").cloned());
        Some(ask.choose("Execution profile", &draft.profiles, default.as_deref())?)
    } else if args.from_args.is_some() {
        profile
    } else {
        profile.or_else(|| draft.profiles.iter().find(|p| *p == "default").cloned())
    };
    if let Some(p) = &profile {
        project.check_profile(&Located::bare(p.clone()), &draft.profiles)?;
    }
    draft.profile = profile;

    // A browser given for a collection replaces every entry's own browser:
    // only when asked for.
    let browser = args.browser.clone().or_else(|| conv.browser.clone());
    draft.browser = if ask.interactive && args.browser.is_none() {
        let default = browser.or_else(|| (!is_collection).then(|| DEFAULT_BROWSER.to_string()));
        let question = if is_collection {
            "-browserType (Enter: none, each entry of the collection keeps its own)"
        } else {
            "-browserType"
        };
        ask.text(question, default.as_deref())?
    } else if args.from_args.is_some() || is_collection {
        browser
    } else {
        browser.or_else(|| Some(DEFAULT_BROWSER.to_string()))
    };
    Ok(())
}

/// A relative path with `/` between its parts, as the config writes paths.
fn slashed(path: &Path) -> String {
    path.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

fn trim_ts(path: &str) -> String {
    katalon_prep::project::ts_path(path).to_string()
}

/// The jars katalonc loads offline from the project (`Plugins/*.jar`,
/// `Plugins/platform/*.jar`), minus those katalon-prep installed itself:
/// `(path relative to the project, kind)`, sorted.
fn plugin_jars(project: &Project) -> Vec<(String, Kind)> {
    let dir = project.root.join(PLUGINS_DIR);
    let record: Record =
        std::fs::read(dir.join(RECORD_FILE)).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let mut out = Vec::new();
    for (sub, kind) in [("", Kind::Keyword), (PLATFORM_DIR, Kind::Platform)] {
        let folder = if sub.is_empty() { dir.clone() } else { dir.join(sub) };
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !entry.file_type().is_ok_and(|t| t.is_file()) || !name.ends_with(".jar") {
                continue;
            }
            let rel = if sub.is_empty() { name } else { format!("{sub}/{name}") };
            if record.files.contains_key(&rel) {
                continue;
            }
            out.push((format!("{PLUGINS_DIR}/{rel}"), kind));
        }
    }
    out.sort();
    out
}

/// Lists the Store account's plugins for the project's Katalon version.
fn store_listing(ctx: &Context, draft: &Draft) -> Result<Vec<StoreListed>, Error> {
    use katalon_prep::plugins::store;
    let Some((version, _)) = &draft.version else {
        return Err(Error::usage_hint(
            "--store needs the Katalon version the run uses, and the project records none",
            "leave out --store and add `store:` entries by hand",
        ));
    };
    let key = secret::resolve(&ctx.key_request(&config::Config::default()), ctx.env)?;
    let settings = config::StoreSettings::default();
    let base = store::base_url(&settings, ctx.env).map_err(katalon_prep::plugins::Error::from)?;
    let s = store::Store { base, app_version: version.clone(), license_type: settings.license_type, key: &key };
    let listing = super::runtime()?.block_on(async {
        let http = katalon_prep::net::Http::new(katalon_prep::net::Settings {
            ca_file: ctx.env.ca_file.clone(),
            ..katalon_prep::net::Settings::default()
        })?;
        s.list(&http, ctx.reporter).await.map_err(|e| Error::from(katalon_prep::plugins::Error::from(e)))
    })?;
    Ok(listing
        .plugins
        .into_iter()
        .map(|p| StoreListed { product_id: p.product_id, name: p.name, version: p.version })
        .collect())
}

/// Each jar as a plugin entry: the Store plugin it is, when the Store knows
/// it; moved to the vendor folder when asked. Refuses a destination that
/// holds another file, before anything is moved.
fn plan_plugins(
    project: &Project,
    base_dir: &Path,
    jars: &[(String, Kind)],
    moving: bool,
    listing: Option<&[StoreListed]>,
    other_store: &mut Vec<StoreListed>,
) -> Result<Vec<Plugin>, Error> {
    let mut out = Vec::new();
    let mut matched = Vec::new();
    for (rel, kind) in jars {
        let file = rel.rsplit('/').next().unwrap_or(rel);
        let store = listing.and_then(|l| {
            l.iter().find(|s| init::plugin_key(&s.name) == init::plugin_key(file) && !matched.contains(&s.product_id))
        });
        if let Some(s) = store {
            matched.push(s.product_id);
        }
        // A jar the Store entry replaces leaves Plugins/ too: katalon-prep
        // installs the Store's copy there, beside (or onto) the old one.
        let moved_to = if moving || store.is_some() {
            let sub = if *kind == Kind::Platform { format!("{PLATFORM_DIR}/") } else { String::new() };
            let to = format!("{}/{sub}{file}", init::VENDOR_DIR);
            let dest = base_dir.join(&to);
            if dest.exists() && std::fs::read(&dest).ok() != std::fs::read(project.root.join(rel)).ok() {
                return Err(Error::usage_hint(
                    format!("{to} already exists and differs from {rel}; not moving the project's plugins"),
                    format!("remove or rename {to}, or leave out --move-plugins"),
                ));
            }
            Some(to)
        } else {
            None
        };
        out.push(Plugin { was: rel.clone(), kind: *kind, moved_to, store: store.cloned() });
    }
    if let Some(l) = listing {
        other_store.extend(l.iter().filter(|s| !matched.contains(&s.product_id)).cloned());
    }
    Ok(out)
}

fn move_jars(ctx: &Context, project: &Project, base_dir: &Path, plugins: &[Plugin]) -> Result<(), Error> {
    for p in plugins {
        let Some(to) = &p.moved_to else { continue };
        let from = project.root.join(&p.was);
        let dest = base_dir.join(to);
        let write_err = |source| Error::Write { path: PathBuf::from(to), source };
        if let Some(dir) = dest.parent() {
            std::fs::create_dir_all(dir).map_err(write_err)?;
        }
        if dest.exists() {
            // The same bytes are already there (checked when planned).
            std::fs::remove_file(&from).map_err(write_err)?;
        } else if std::fs::rename(&from, &dest).is_err() {
            // Another filesystem: copy, then remove.
            std::fs::copy(&from, &dest).map_err(write_err)?;
            std::fs::remove_file(&from).map_err(write_err)?;
        }
        ctx.reporter.report(Event::Info(format!("Moved {} to {to}", p.was)));
    }
    Ok(())
}

fn next_steps(ctx: &Context, draft: &Draft, system: Option<System>) {
    let mut steps = vec![
        "store the Katalon API key as the CI secret KATALON_API_KEY".to_string(),
        "katalon-prep check                     # lints the config, the project and the line".to_string(),
        "katalon-prep args --without-api-key    # the katalonc line it builds".to_string(),
    ];
    if draft.plugins.iter().any(|p| p.moved_to.is_some() || p.store.is_some()) {
        steps.push("katalon-prep lock                      # pins the plugins; commit katalon-prep.lock".into());
    }
    if let Some(s) = system {
        steps.push(format!("commit {} with the config", s.file()));
    }
    ctx.reporter.report(Event::Info(format!("Next:\n  {}", steps.join("\n  "))));
}

/// Questions on stderr, answers from stdin, one line each; end of input
/// takes the defaults.
struct Prompt {
    interactive: bool,
    lines: Option<std::io::Lines<std::io::StdinLock<'static>>>,
}

impl Prompt {
    fn read(&mut self, question: &str) -> Result<Option<String>, Error> {
        eprint!("{question}: ");
        let lines = self.lines.get_or_insert_with(|| std::io::stdin().lock().lines());
        match lines.next() {
            None => {
                eprintln!();
                Ok(None)
            }
            Some(Ok(l)) => Ok(Some(l.trim().to_string())),
            Some(Err(e)) => Err(Error::usage(format!("could not read the answer from standard input: {e}"))),
        }
    }

    fn yes_no(&mut self, question: &str) -> Result<bool, Error> {
        loop {
            match self.read(&format!("{question} [y/N]"))?.as_deref().map(str::to_ascii_lowercase).as_deref() {
                None | Some("" | "n" | "no") => return Ok(false),
                Some("y" | "yes") => return Ok(true),
                Some(_) => eprintln!("Answer y or n."),
            }
        }
    }

    fn text(&mut self, question: &str, default: Option<&str>) -> Result<Option<String>, Error> {
        let shown = default.map(|d| format!(" [{d}]")).unwrap_or_default();
        Ok(match self.read(&format!("{question}{shown}"))? {
            Some(a) if !a.is_empty() => Some(a),
            _ => default.map(str::to_string),
        })
    }

    /// One of `items`, by number or by name.
    fn choose(&mut self, what: &str, items: &[String], default: Option<&str>) -> Result<String, Error> {
        for (i, item) in items.iter().enumerate() {
            eprintln!("  {}) {}", i + 1, katalon_prep::report::untrusted(item));
        }
        let default = default.unwrap_or(&items[0]).to_string();
        loop {
            let answer = self.read(&format!("{what} [{default}]"))?;
            let answer = match answer.as_deref() {
                None | Some("") => return Ok(default),
                Some(a) => a,
            };
            if let Some(item) = answer.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).and_then(|n| items.get(n)) {
                return Ok(item.clone());
            }
            if let Some(item) = items.iter().find(|i| i.as_str() == answer) {
                return Ok(item.clone());
            }
            eprintln!("Answer a number from 1 to {} or a name from the list.", items.len());
        }
    }

    fn choose_target(&mut self, targets: &[(String, TsKind)], default: Option<&str>) -> Result<String, Error> {
        eprintln!("Test suites and collections of the project:");
        let items: Vec<String> = targets.iter().map(|(p, _)| p.clone()).collect();
        let labelled: Vec<String> = targets
            .iter()
            .map(|(p, k)| if *k == TsKind::Collection { format!("{p} (collection)") } else { p.clone() })
            .collect();
        for (i, item) in labelled.iter().enumerate() {
            eprintln!("  {}) {}", i + 1, katalon_prep::report::untrusted(item));
        }
        let default = default.map(trim_ts).unwrap_or_else(|| items[0].clone());
        loop {
            let answer = self.read(&format!("Run which one [{default}]"))?;
            let answer = match answer.as_deref() {
                None | Some("") => return Ok(default),
                Some(a) => trim_ts(a),
            };
            if let Some(item) = answer.parse::<usize>().ok().and_then(|n| n.checked_sub(1)).and_then(|n| items.get(n)) {
                return Ok(item.clone());
            }
            if items.contains(&answer) {
                return Ok(answer);
            }
            eprintln!("Answer a number from 1 to {} or a path from the list.", items.len());
        }
    }
}
