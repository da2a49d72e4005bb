//! GitHub Actions: `::add-mask::`, annotations, `$GITHUB_OUTPUT` entries
//! and the step summary, with the runner's escaping rules; the action's
//! inputs turned into a command line; what `prepare` publishes to the
//! workflow (step outputs and the step summary).
//!
//! This module forms what the runner reads and returns it; it prints and
//! writes nothing. The binary (`workflow.rs`) puts it on stderr and into
//! the files the runner names.
//!
//! Paths published here are relative to the working directory (the
//! workspace): a container action sees the checkout at
//! `/github/workspace`, a path that does not exist for the next step.

use std::path::{Path, PathBuf};

use crate::env::Env;
use crate::katalonc::argv::{KeyView, Line, relative};
use crate::katalonc::{quote, split};
use crate::pipeline::{Installed, PluginRow};
use crate::project::Project;
use crate::results::render::cell;
use crate::secret::ApiKey;

/// The `::add-mask::` command for a value (one per line of the value).
pub fn add_mask_lines(value: &str) -> Vec<String> {
    value.lines().filter(|l| !l.is_empty()).map(|l| format!("::add-mask::{}", escape_data(l))).collect()
}

/// Escapes a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Severity of an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

/// A path as GitHub places annotations: relative to the repository root
/// (`workspace`, from `GITHUB_WORKSPACE`), not to the working directory
/// (`cwd`) a step may have changed into. Paths outside the workspace, or
/// without one, are kept.
pub fn repo_path(file: &str, cwd: &Path, workspace: Option<&Path>) -> String {
    let Some(workspace) = workspace else {
        return file.to_string();
    };
    let full = crate::katalonc::argv::normalize(&cwd.join(file));
    let root = crate::katalonc::argv::normalize(workspace);
    match full.strip_prefix(&root) {
        Ok(rel) if !rel.as_os_str().is_empty() => {
            rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
        }
        _ => file.to_string(),
    }
}

/// `::error file=F,line=N,col=C,title=T::message`; `file` as GitHub
/// places it ([`repo_path`]).
pub fn annotation(
    level: Level,
    file: Option<&str>,
    line: Option<usize>,
    col: Option<usize>,
    title: Option<&str>,
    message: &str,
) -> String {
    let mut props = Vec::new();
    if let Some(f) = file {
        props.push(format!("file={}", escape_property(f)));
    }
    if let Some(l) = line {
        props.push(format!("line={l}"));
    }
    if let Some(c) = col {
        props.push(format!("col={c}"));
    }
    if let Some(t) = title {
        props.push(format!("title={}", escape_property(t)));
    }
    let name = match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Notice => "notice",
    };
    let props = if props.is_empty() { String::new() } else { format!(" {}", props.join(",")) };
    format!("::{name}{props}::{}", escape_data(message))
}

/// Formats one `$GITHUB_OUTPUT` entry: `name=value`, or the heredoc form
/// with a random delimiter that does not occur in the value.
pub fn output_entry(name: &str, value: &str) -> String {
    if !value.contains(['\n', '\r']) {
        return format!("{name}={value}\n");
    }
    loop {
        let delim = format!("ghadelimiter_{:016x}", fastrand::u64(..));
        if !value.contains(&delim) {
            return format!("{name}<<{delim}\n{value}\n{delim}\n");
        }
    }
}

/// The `$GITHUB_OUTPUT` text for `outputs`, in memory wiped when dropped
/// (values may hold the key).
pub fn output_text(outputs: &[(String, String)]) -> zeroize::Zeroizing<String> {
    let mut text = zeroize::Zeroizing::new(String::new());
    for (name, value) in outputs {
        text.push_str(&zeroize::Zeroizing::new(output_entry(name, value)));
    }
    text
}

/// The cache directory the action uses when its `cache-dir` input is empty:
/// inside the workspace, so actions/cache on the host can save it.
pub const ACTION_CACHE_DIR: &str = ".katalon-prep-cache";

/// An action input that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("The action input `{input}` {problem}")]
pub struct InputError {
    pub input: &'static str,
    pub problem: String,
    /// What to do about it, printed after the message.
    pub hint: Option<String>,
}

/// An action input as the runner passes it: `INPUT_<NAME>` with the name
/// upper-cased, hyphens kept (`INPUT_CACHE-DIR`); the underscore spelling is
/// read too. Empty means not given.
pub fn input(env: &Env, name: &str) -> Option<String> {
    let upper = name.to_ascii_uppercase().replace(' ', "_");
    [format!("INPUT_{upper}"), format!("INPUT_{}", upper.replace('-', "_"))]
        .iter()
        .find_map(|var| env.var(var).filter(|v| !v.trim().is_empty()).map(|v| v.to_string()))
}

fn bool_input(env: &Env, name: &'static str) -> Result<bool, InputError> {
    match input(env, name).map(|v| v.trim().to_ascii_lowercase()) {
        None => Ok(false),
        Some(v) if v == "true" => Ok(true),
        Some(v) if v == "false" => Ok(false),
        Some(v) => Err(InputError { input: name, problem: format!("is `{v}`; expected true or false"), hint: None }),
    }
}

/// Where the runner mounts the checkout into a container action; also how
/// katalon-prep knows it runs in one (`GITHUB_WORKSPACE` says so).
pub const CONTAINER_WORKSPACE: &str = "/github/workspace";

/// The other folders the runner mounts into a container action, each with
/// its folder on the host, relative to the workspace there
/// (`<work>/<repo>/<repo>` beside `<work>/_temp`: the runner's layout).
/// `/github/runner_temp` is mounted only where the runner's feature flag is
/// on, so it counts only where it exists.
const CONTAINER_MOUNTS: [(&str, &str); 4] = [
    ("/github/home", "../../_temp/_github_home"),
    ("/github/workflow", "../../_temp/_github_workflow"),
    ("/github/file_commands", "../../_temp/_runner_file_commands"),
    ("/github/runner_temp", "../../_temp"),
];

/// True inside the GitHub container Action.
pub fn in_container_action(env: &Env) -> bool {
    env.github_workspace.as_deref().is_some_and(|w| w.as_os_str() == CONTAINER_WORKSPACE)
}

/// In the container Action: the path a folder inside the container has on
/// the host, relative to the workspace there; `None` when the runner does
/// not mount it (written there, it is lost with the container).
pub fn host_relative(path: &Path, cwd: &Path) -> Option<PathBuf> {
    let path = crate::katalonc::argv::normalize(&cwd.join(path));
    if let Ok(rest) = path.strip_prefix(CONTAINER_WORKSPACE) {
        return Some(relative(&Path::new(CONTAINER_WORKSPACE).join(rest), Path::new(CONTAINER_WORKSPACE)));
    }
    CONTAINER_MOUNTS.iter().find_map(|(inside, host)| {
        let rest = path.strip_prefix(inside).ok()?;
        (*inside != "/github/runner_temp" || Path::new(inside).is_dir()).then(|| Path::new(host).join(rest))
    })
}

/// The `katalon-prep` command line the action's inputs ask for (without the
/// program name): the `command` input (`prepare` by default, `report`, `run`)
/// and its flags. The key is not in it: the commands read `INPUT_API-KEY`
/// themselves, so it never sits on a command line. In the container Action,
/// a cache outside the folders the runner mounts is refused: it would be
/// written inside the container and lost.
pub fn action_argv(env: &Env, cwd: &Path) -> Result<Vec<String>, InputError> {
    let input = |name| input(env, name);
    let command = input("command").map(|c| c.trim().to_ascii_lowercase()).unwrap_or_else(|| "prepare".into());
    let mut argv = match command.as_str() {
        "prepare" | "report" | "run" => vec![command.clone()],
        other => {
            return Err(InputError {
                input: "command",
                problem: format!("is `{other}`; expected prepare, report or run"),
                hint: None,
            });
        }
    };
    for (name, flag) in [("config", "--config"), ("project", "--project")] {
        if let Some(v) = input(name) {
            argv.extend([flag.to_string(), v]);
        }
    }
    // `report` reads what a run left: no plugins, no key, no katalonc options.
    if command == "report" {
        return Ok(argv);
    }
    let cache = input("cache-dir").unwrap_or_else(|| ACTION_CACHE_DIR.to_string());
    if in_container_action(env) && host_relative(Path::new(&cache), cwd).is_none() {
        let runner_temp = if Path::new("/github/runner_temp").is_dir() { ", /github/runner_temp" } else { "" };
        return Err(InputError {
            input: "cache-dir",
            problem: format!(
                "is `{cache}`: outside the folders the runner mounts into the container ({CONTAINER_WORKSPACE}, /github/home, /github/workflow, /github/file_commands{runner_temp}), so the cache would be written inside the container and lost"
            ),
            hint: Some(
                "put it in the workspace, e.g. `cache-dir: .katalon-prep-cache` (the default; actions/cache can save it)".into(),
            ),
        });
    }
    argv.extend(["--cache-dir".to_string(), cache]);
    if bool_input(env, "locked")? {
        argv.push("--locked".into());
    }
    if bool_input(env, "offline")? {
        argv.push("--offline".into());
    }
    if let Some(shard) = input("shard") {
        argv.extend(["--shard".to_string(), shard]);
    }
    // Only `prepare` emits a line for another tool; `run` starts katalonc here.
    if let Some(workdir) = input("workdir-as").filter(|_| command == "prepare") {
        argv.extend(["--workdir-as".to_string(), workdir]);
    }
    // Rule ids, separated by commas, spaces or newlines; each checked by `prepare` (exit 10 when unknown).
    for rule in input("allow").iter().flat_map(|v| v.split([',', ' ', '\n', '\r', '\t'])).filter(|r| !r.is_empty()) {
        argv.extend(["--allow".to_string(), rule.to_string()]);
    }
    if let Some(extra) = input("args") {
        // An input may spread options over several lines: more words, not more commands.
        let one_line = extra.replace(['\n', '\r'], " ");
        let split = split::split(&one_line).map_err(|e| InputError {
            input: "args",
            problem: format!("cannot be split into options: {e}"),
            hint: None,
        })?;
        if split.rest.is_some() {
            return Err(InputError {
                input: "args",
                problem: "holds shell syntax (`;`, `&&`, `|`); give katalonc options only".into(),
                hint: None,
            });
        }
        let words: Vec<String> = split.words.into_iter().map(|w| w.text).collect();
        if !words.is_empty() {
            argv.push("--".into());
            argv.extend(words);
        }
    }
    Ok(argv)
}

/// katalonc options the official Katalon action adds itself; katalonc
/// aborts on a repeated `-projectPath`.
const ADDED_BY_KATALON_ACTION: [&str; 3] = ["-noSplash", "-runMode", "-projectPath"];

/// The argv without what the official Katalon action adds itself (only
/// from the main section: `--config` options are left alone).
pub fn for_katalon_action(argv: &[String]) -> Vec<String> {
    let config_at = argv.iter().position(|a| a == "--config").unwrap_or(argv.len());
    argv.iter()
        .enumerate()
        .filter(|(i, a)| {
            let name = a.split('=').next().unwrap_or(a);
            *i >= config_at || !ADDED_BY_KATALON_ACTION.contains(&name)
        })
        .map(|(_, a)| a.clone())
        .collect()
}

/// What `prepare` (or `args`) made, to be published to the workflow.
pub struct Prepared<'a> {
    /// The working directory: the workspace. Published paths are relative to it.
    pub cwd: &'a Path,
    /// In the container Action ([`in_container_action`]): paths are published as the host sees them.
    pub container: bool,
    pub project: &'a Project,
    pub line: &'a Line,
    /// `None` with `--without-api-key`.
    pub key: Option<&'a ApiKey>,
    /// `None` for `args`, which does no plugin work.
    pub installed: Option<&'a Installed>,
    /// The cache directory as asked for (`--cache-dir`), when no plugin work told.
    pub cache_dir: Option<PathBuf>,
    /// [`crate::workspace::Workspace::cache_key`].
    pub cache_key: String,
}

/// A path for the next step: relative to the workspace, valid on the host
/// (in the container Action, through the runner's folder layout).
fn show(path: &Path, cwd: &Path, container: bool) -> String {
    let rel = match container.then(|| host_relative(path, cwd)).flatten() {
        Some(host) => host,
        None => relative(path, cwd),
    };
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// The step outputs, in the order action.yml documents them. `args` holds
/// the key (masked by the runner: `::add-mask::` was printed first).
pub fn outputs(p: &Prepared) -> Vec<(String, String)> {
    let view = KeyView::real_or_omit(p.key);
    let argv = zeroize::Zeroizing::new(p.line.render(view));
    let cache_dir = p.installed.and_then(|i| i.cache_dir.clone()).or_else(|| p.cache_dir.clone());
    vec![
        ("args".into(), quote::shell_line(&argv)),
        ("args-for-katalon-action".into(), quote::shell_line(&zeroize::Zeroizing::new(for_katalon_action(&argv)))),
        ("project-path".into(), show(&p.project.prj, p.cwd, p.container)),
        ("plugins-dir".into(), show(&p.project.root.join(crate::plugins::install::PLUGINS_DIR), p.cwd, p.container)),
        ("cache-dir".into(), cache_dir.map(|d| show(&p.cwd.join(d), p.cwd, p.container)).unwrap_or_default()),
        ("cache-key".into(), p.cache_key.clone()),
    ]
    .into_iter()
    // Only with `engine:`: the writable engine's katalonc, absolute.
    .chain(p.installed.and_then(|i| i.engine.as_ref()).map(|e| ("katalonc".into(), e.katalonc.display().to_string())))
    .collect()
}

/// The step summary: the plugins as a Markdown table and the katalonc line
/// with the key masked. Never the key, never the cache key.
pub fn summary(p: &Prepared) -> String {
    let mut md = String::from("### katalon-prep\n\n");
    if let Some(installed) = p.installed {
        md.push_str(&plugin_table(&installed.plugins));
    }
    if let Some(e) = p.installed.and_then(|i| i.engine.as_ref()) {
        md.push_str(&format!(
            "\nEngine: {} {} `{}` ({})\n",
            e.version,
            e.platform,
            e.sha256.short(),
            if e.downloaded { "downloaded" } else { "cached" }
        ));
    }
    let masked = quote::shell_line(&p.line.render(KeyView::Masked));
    md.push_str(&format!(
        "\nProject: `{}`\n\n```sh\nkatalonc {masked}\n```\n",
        cell(&show(&p.project.prj, p.cwd, p.container))
    ));
    md
}

/// `| Plugin | Version | Source | SHA-256 | Fetched |`, one row per plugin.
pub fn plugin_table(rows: &[PluginRow]) -> String {
    if rows.is_empty() {
        return "No plugins configured.\n".into();
    }
    let downloaded = rows.iter().filter(|r| r.downloaded).count();
    let mut md = format!(
        "{} plugin{}: {} cached, {downloaded} downloaded\n\n| Plugin | Version | Source | SHA-256 | Fetched |\n|---|---|---|---|---|\n",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        rows.len() - downloaded
    );
    for r in rows {
        md.push_str(&format!(
            "| {} | {} | {} | `{}` | {} |\n",
            cell(&r.name),
            cell(r.version.as_deref().unwrap_or("-")),
            cell(&r.source),
            r.sha256.short(),
            if r.downloaded { "downloaded" } else { "cached" }
        ));
    }
    md
}

/// GitHub's limit for one step's summary.
pub const SUMMARY_LIMIT: usize = 1024 * 1024;
/// Error annotations GitHub shows per step.
pub const MAX_ANNOTATIONS: usize = 10;

/// Bytes this step may still add to the step summary: the limit less
/// `used`, what the step wrote already (`run` writes the plugin table
/// first), and a margin for the runner's own bookkeeping.
pub fn summary_room(used: u64) -> usize {
    SUMMARY_LIMIT.saturating_sub(usize::try_from(used).unwrap_or(usize::MAX)).saturating_sub(4096)
}

/// One `::error` per failed or errored test case and per suite that crashed
/// before writing its report, and one `::warning` per report that cannot be
/// read (as `run` treats it: not a failure), at most [`MAX_ANNOTATIONS`];
/// then one `::notice` counting the rest.
pub fn result_annotations(results: &crate::results::Results, cwd: &Path, container: bool) -> Vec<String> {
    use crate::results::State;
    let mut all: Vec<(Level, String, String)> = Vec::new();
    for s in &results.suites {
        let file = s.file.as_deref().map(|f| show(f, cwd, container)).unwrap_or_default();
        match &s.state {
            State::Read => {}
            State::Crashed => all.push((
                Level::Error,
                format!("{} crashed", s.name),
                format!(
                    "No {} in {}: the suite stopped before writing it",
                    crate::results::JUNIT_FILE,
                    show(&s.folder, cwd, container)
                ),
            )),
            State::Unreadable(why) => {
                all.push((Level::Warning, format!("{}: report unreadable", s.name), format!("{file} {why}")))
            }
        }
    }
    for (s, c) in results.bad_cases() {
        let mut message = c.message.clone().unwrap_or_else(|| "(no message)".into());
        if let Some(log) = &s.log {
            message.push_str(&format!("\nlog: {log}"));
        }
        all.push((Level::Error, format!("{}: {} > {}", c.status.upper(), s.name, c.name), message));
    }
    let mut out: Vec<String> = all
        .iter()
        .take(MAX_ANNOTATIONS)
        .map(|(level, title, message)| annotation(*level, None, None, None, Some(title), message))
        .collect();
    if all.len() > MAX_ANNOTATIONS {
        let rest = all.len() - MAX_ANNOTATIONS;
        out.push(annotation(
            Level::Notice,
            None,
            None,
            None,
            Some("katalon-prep report"),
            &format!(
                "{rest} more failed or errored test case{} not annotated (GitHub shows {MAX_ANNOTATIONS} per step): see the step summary",
                if rest == 1 { " is" } else { "s are" }
            ),
        ));
    }
    out
}

/// The outputs `report` and `run` publish: `report-path` and `junit-path`
/// (relative to the workspace).
pub fn result_outputs(
    report_path: &Path,
    junit_path: Option<&Path>,
    cwd: &Path,
    container: bool,
) -> Vec<(String, String)> {
    vec![
        ("report-path".to_string(), show(report_path, cwd, container)),
        ("junit-path".to_string(), junit_path.map(|p| show(p, cwd, container)).unwrap_or_default()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_escaping() {
        let a = annotation(Level::Error, Some("a,b:c.yml"), Some(3), Some(5), Some("x"), "100% bad\nreally");
        assert_eq!(a, "::error file=a%2Cb%3Ac.yml,line=3,col=5,title=x::100%25 bad%0Areally");
    }

    #[test]
    fn multiline_outputs_use_a_fresh_delimiter() {
        let e = output_entry("args", "a\nb");
        let mut lines = e.lines();
        let head = lines.next().unwrap();
        let delim = head.strip_prefix("args<<").unwrap();
        assert_eq!(lines.collect::<Vec<_>>(), vec!["a", "b", delim]);
        assert_eq!(output_entry("x", "1"), "x=1\n");
    }

    #[test]
    fn katalon_action_args_drop_what_that_action_adds() {
        let argv: Vec<String> =
            ["-noSplash", "-runMode=console", "-projectPath=a.prj", "-retry=1", "--config", "-projectPath=x"]
                .iter()
                .map(|s| s.to_string())
                .collect();
        assert_eq!(for_katalon_action(&argv), vec!["-retry=1", "--config", "-projectPath=x"]);
    }

    #[test]
    fn table_cells_are_escaped() {
        // Markdown shows `\\n` as `\n`: the newline is visible, not a row break.
        assert_eq!(cell("a|b\nc"), "a\\|b\\\\nc");
    }

    #[test]
    fn result_annotations_stop_at_ten_then_count_the_rest() {
        use crate::results::{Case, Results, State, Status, Suite};
        let case = |i: usize| Case {
            name: format!("Test Cases/T{i}"),
            classname: None,
            status: Status::Failed,
            time: None,
            message: Some(format!("boom, 100% {i}")),
            failure_type: None,
            failure_text: None,
            system_out: None,
            system_err: None,
            screenshots: Vec::new(),
        };
        let suite = Suite {
            name: "Test Suites/S:1".into(),
            file: None,
            folder: PathBuf::from("/w/R"),
            state: State::Read,
            timestamp: None,
            hostname: None,
            properties: Vec::new(),
            time: None,
            cases: (0..12).map(case).collect(),
            log: None,
        };
        let lines = result_annotations(&Results { suites: vec![suite] }, Path::new("/w"), false);
        assert_eq!(lines.len(), 11);
        assert_eq!(lines[0], "::error title=FAILED%3A Test Suites/S%3A1 > Test Cases/T0::boom, 100%25 0");
        assert_eq!(
            lines[10],
            "::notice title=katalon-prep report::2 more failed or errored test cases are not annotated (GitHub shows 10 per step): see the step summary"
        );
    }
}
