//! Checks a katalonc command line against the option table ([`options`])
//! and the project's facts, before katalonc gets a chance to ignore a typo
//! silently, swallow the next word as a value, or run the wrong thing.
//!
//! The input is a list of [`Arg`]s, each with where it came from (a config
//! line, a byte range of a hand-written `--args` string, an extra argument
//! after `--`, or katalon-prep itself); each [`Finding`] carries that origin
//! and the id of its rule. [`RULES`] lists every rule; [`Allow`] is the set
//! a user turned off. This module prints nothing: the commands render
//! findings.
//!
//! Secret values (`-apiKey=...` and the other credential options) are never
//! put into a message; [`register_secrets`] must run on hand-written input
//! before anything derived from it is printed.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;

use super::argv::{Line, Token};
use super::options::{self, CONFIG, INFO, Known, Os, Section, Value, Version};
use super::split::Word;
use crate::location::{Location, closest};
use crate::project::collection::Collection;
use crate::project::{Project, TsKind};
use crate::secret;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// Where an argument (and so a finding) comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Written by katalon-prep itself, or given by a flag.
    Generated,
    /// A place in a file: the config, or a project file.
    File(Location),
    /// A byte range of the hand-written `--args` string.
    Args(Range<usize>),
    /// The n-th (0-based) extra argument after `--` (`prepare`, `args`, `run`).
    Extra(usize),
}

impl Origin {
    /// A file place when known, else [`Origin::Generated`].
    pub fn of(at: Option<&Location>) -> Origin {
        at.cloned().map(Origin::File).unwrap_or(Origin::Generated)
    }
}

/// One rule: its stable id, the severity it is reported with, and whether
/// a user may turn it off (`--allow`, `lint.allow`, the Action's `allow`).
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    /// As documented: `error`, `warning`, `note`, or a mix (`warning or error`).
    pub severity: &'static str,
    /// `false` for the findings `check` reports about things that are not
    /// lint at all (an unpinned `url` is exit 10 for `prepare` whatever the
    /// lint says), and for lines that could not be read.
    pub allowable: bool,
}

const fn rule(id: &'static str, severity: &'static str) -> Rule {
    Rule { id, severity, allowable: true }
}

const fn fixed(id: &'static str, severity: &'static str) -> Rule {
    Rule { id, severity, allowable: false }
}

/// Every rule, in the order the rule table of docs/src/lint-rules.md lists them.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    rule("unknown-option",               "error"),
    rule("unlisted-option",              "warning"),
    rule("empty-value",                  "error"),
    rule("missing-value",                "error"),
    rule("separate-value",               "warning"),
    rule("duplicate-option",             "error"),
    rule("wrong-section",                "error"),
    rule("stray-word",                   "error"),
    rule("not-integer",                  "error"),
    rule("not-boolean",                  "error"),
    rule("bad-value",                    "error"),
    rule("newer-option",                 "warning"),
    rule("no-target",                    "error or warning"),
    rule("two-targets",                  "error"),
    rule("license-retry",                "error"),
    rule("license-release-without-org",  "warning"),
    rule("ignored-option",               "warning"),
    rule("testcloud-without-environment", "error"),
    rule("windows-cmd-only",             "warning"),
    rule("unknown-browser",              "error"),
    rule("browser-not-on-linux",         "warning"),
    rule("browser-not-on-os",            "warning"),
    rule("missing-suite",                "error"),
    rule("wrong-kind",                   "error or warning"),
    rule("unknown-profile",              "error"),
    rule("unknown-global",               "error"),
    rule("no-project-path",              "note"),
    rule("second-command",               "note"),
    rule("no-project",                   "warning"),
    rule("lock-outdated",                "warning"),
    rule("no-lock",                      "warning"),
    fixed("shell-syntax",                "error"),
    fixed("not-posix-shell",             "error"),
    fixed("lock-invalid",                "error"),
    fixed("unpinned-url",                "error"),
];

/// The rules turned off: validated ids of [`RULES`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allow(BTreeSet<&'static str>);

/// Why a rule id cannot be allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllowError {
    #[error("`{id}` is not a lint rule{}", did_you_mean(id))]
    Unknown { id: String },
    #[error("`{id}` cannot be allowed: {}", why_fixed(id))]
    Fixed { id: String },
}

fn did_you_mean(id: &str) -> String {
    match closest(id, RULES.iter().map(|r| r.id)) {
        Some(best) => format!("; did you mean `{best}`?"),
        None => String::new(),
    }
}

fn why_fixed(id: &str) -> &'static str {
    match id {
        "unpinned-url" | "lock-invalid" => {
            "it is not a lint finding (`prepare` refuses it with exit 10 whatever is allowed)"
        }
        _ => "the line could not be read, so nothing was checked",
    }
}

impl Allow {
    /// Validates rule ids.
    pub fn parse<'a>(ids: impl IntoIterator<Item = &'a str>) -> Result<Allow, AllowError> {
        let mut set = BTreeSet::new();
        for id in ids {
            let id = id.trim();
            match RULES.iter().find(|r| r.id == id) {
                None => return Err(AllowError::Unknown { id: id.to_string() }),
                Some(r) if !r.allowable => return Err(AllowError::Fixed { id: id.to_string() }),
                Some(r) => {
                    set.insert(r.id);
                }
            }
        }
        Ok(Allow(set))
    }

    /// Both sets.
    pub fn union(mut self, other: &Allow) -> Allow {
        self.0.extend(other.0.iter().copied());
        self
    }

    pub fn allows(&self, rule: &str) -> bool {
        self.0.contains(rule)
    }

    /// Drops the findings of allowed rules.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        findings.retain(|f| !self.allows(f.rule));
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// A stable, kebab-case name of the rule (docs/src/lint-rules.md lists them).
    pub rule: &'static str,
    pub message: String,
    pub hint: Option<String>,
    pub origin: Origin,
}

/// One word of the line, with where it came from.
#[derive(Debug, Clone)]
pub struct Arg {
    pub text: String,
    pub origin: Origin,
    /// The split word, for findings that point inside it.
    word: Option<Word>,
    /// The `-apiKey=***` placeholder katalon-prep injects: its value is not linted.
    placeholder: bool,
}

impl Arg {
    pub fn new(text: impl Into<String>, origin: Origin) -> Arg {
        Arg { text: text.into(), origin, word: None, placeholder: false }
    }

    /// A word of a hand-written `--args` string.
    pub fn word(word: Word) -> Arg {
        Arg { text: word.text.clone(), origin: Origin::Args(word.span.clone()), word: Some(word), placeholder: false }
    }

    /// The origin of bytes `range` of the text.
    fn sub(&self, range: Range<usize>) -> Origin {
        match &self.word {
            Some(w) => Origin::Args(w.original(range)),
            None => self.origin.clone(),
        }
    }
}

/// The arguments of a built line, in the order katalonc receives them, with
/// `extra` (from `run -- ...`) inserted where [`Line::push_main`] and
/// [`Line::push_config`] put them: before the key, and after `--config`
/// from a `--config` among them on.
pub fn args_of(line: &Line, extra: &[String]) -> Vec<Arg> {
    let split = extra.iter().position(|a| a == CONFIG).unwrap_or(extra.len());
    let mut out = Vec::new();
    let mut key = None;
    for (i, token) in line.main.iter().enumerate() {
        match token {
            Token::Arg(a) => out.push(Arg::new(a.clone(), Origin::of(line.main_origin(i)))),
            Token::ApiKey => {
                key = Some(Arg {
                    text: format!("-apiKey={}", secret::MASK),
                    origin: Origin::Generated,
                    word: None,
                    placeholder: true,
                })
            }
        }
    }
    out.extend(extra[..split].iter().enumerate().map(|(i, a)| Arg::new(a.clone(), Origin::Extra(i))));
    out.extend(key);
    if !line.config.is_empty() || split < extra.len() {
        out.push(Arg::new(CONFIG, Origin::Generated));
    }
    out.extend(line.config.iter().enumerate().map(|(i, a)| Arg::new(a.clone(), Origin::of(line.config_origin(i)))));
    out.extend(extra.iter().enumerate().skip(split + 1).map(|(i, a)| Arg::new(a.clone(), Origin::Extra(i))));
    out
}

/// Registers the values of credential options (and a word an empty one
/// would swallow) for redaction. Call before printing anything derived from
/// hand-written input.
pub fn register_secrets(args: &[Arg]) {
    for (i, arg) in args.iter().enumerate() {
        if arg.placeholder {
            continue;
        }
        let Some(body) = arg.text.strip_prefix('-') else { continue };
        let (name, value) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        if !options::is_secret_name(name) {
            continue;
        }
        match value {
            Some(v) if !v.is_empty() => secret::register(v),
            // The word an empty value swallows is the key, unless it is an option.
            _ => {
                if let Some(next) = args.get(i + 1).filter(|n| !n.text.starts_with('-')) {
                    secret::register(&next.text);
                }
            }
        }
    }
}

/// What the project says, for the checks that need it.
#[derive(Debug, Clone)]
pub struct Facts {
    pub project: Project,
    pub profiles: Vec<String>,
    /// Profile → the global variables it defines.
    pub globals: BTreeMap<String, BTreeSet<String>>,
    pub custom_configs: Vec<String>,
    /// The Katalon version the run uses, as far as known, and where that is known from.
    pub version: Option<(Version, VersionFrom)>,
    /// The `.ts` files, listed when first asked for ([`Facts::ts_files`]):
    /// only a missing suite needs them, for its hint.
    ts_files: std::cell::OnceCell<Vec<String>>,
    /// The kinds of the `.ts` files read so far: each is read once.
    kinds: std::cell::RefCell<BTreeMap<String, Option<TsKind>>>,
}

/// Where the run's Katalon version is known from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionFrom {
    /// The engine the config says the run uses (`engine.version`).
    Engine,
    /// `store.app-version` in the config: the Runtime Engine the run uses.
    StoreAppVersion,
    /// `<modifiedVersion>` of the `.prj`: the Katalon that last saved the project.
    Modified,
    /// `<createdVersion>` of the `.prj`.
    Created,
}

impl VersionFrom {
    /// How a message says where `version` comes from.
    fn says(self, version: &Version) -> String {
        match self {
            VersionFrom::Engine => format!("`engine.version` is {version}"),
            VersionFrom::StoreAppVersion => format!("`store.app-version` is {version}"),
            VersionFrom::Modified => format!("the project was last saved with {version} (`<modifiedVersion>`)"),
            VersionFrom::Created => format!("the project was created with {version} (`<createdVersion>`)"),
        }
    }
}

/// The Katalon version the run uses, first found: the configured engine,
/// `store.app-version`, the `.prj`'s `<modifiedVersion>`, its
/// `<createdVersion>`. The one place that decides it.
pub fn run_version(config: Option<&crate::config::Config>, project: &Project) -> Option<(Version, VersionFrom)> {
    let engine = config.and_then(|c| c.engine.as_ref()).map(|e| e.version.value.as_str());
    let store = config.and_then(|c| c.store.app_version.as_ref()).map(|v| v.value.as_str());
    [
        (engine, VersionFrom::Engine),
        (store, VersionFrom::StoreAppVersion),
        (project.modified_version.as_deref(), VersionFrom::Modified),
        (project.created_version.as_deref(), VersionFrom::Created),
    ]
    .into_iter()
    .find_map(|(text, from)| Some((Version::parse(text?)?, from)))
}

impl Facts {
    /// The project's facts; the run's version from `config` when given (see [`run_version`]).
    pub fn of(project: &Project, config: Option<&crate::config::Config>) -> Facts {
        let profiles = project.profiles();
        Facts {
            project: project.clone(),
            globals: project.global_variables_of(&profiles),
            profiles,
            custom_configs: project.custom_execution_configs(),
            version: run_version(config, project),
            ts_files: Default::default(),
            kinds: Default::default(),
        }
    }

    /// Every `.ts` under `Test Suites/` ([`Project::ts_files`]), listed once.
    pub fn ts_files(&self) -> &[String] {
        self.ts_files.get_or_init(|| self.project.ts_files())
    }

    /// The kind of the `.ts` at a project-relative path (`.ts` optional),
    /// `None` when there is none or it is neither kind; read once per path.
    pub fn ts_kind(&self, path: &str) -> Option<TsKind> {
        let path = crate::project::ts_path(path);
        if let Some(kind) = self.kinds.borrow().get(path) {
            return *kind;
        }
        let kind = self.project.ts_kind_at(path);
        self.kinds.borrow_mut().insert(path.to_string(), kind);
        kind
    }

    /// Notes the kind of a `.ts` read elsewhere (the plan's target), so it is not read again.
    pub fn remember(&self, path: &str, kind: TsKind) {
        self.kinds.borrow_mut().insert(crate::project::ts_path(path).to_string(), Some(kind));
    }

    /// The facts of `project` for a run configured by `config`.
    pub fn for_run(project: &Project, config: &crate::config::Config) -> Facts {
        Facts::of(project, Some(config))
    }

    fn variables(&self) -> BTreeSet<&str> {
        self.globals.values().flatten().map(String::as_str).collect()
    }

    /// Whether `-browserType` accepts `value` in this project.
    pub fn is_browser(&self, value: &str) -> bool {
        options::BROWSERS.contains(&value) || self.custom_configs.iter().any(|c| c == value)
    }
}

/// How to lint.
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    pub facts: Option<&'a Facts>,
    /// The system the run happens on (browsers that cannot run there warn).
    pub os: Os,
    /// A line written by hand (`check --args`), not built by katalon-prep.
    pub hand_written: bool,
    /// A line without a target is an error (`check --args`, `run`), not a
    /// warning (`prepare`, `args`: the target may be added later, per shard).
    pub target_required: bool,
    /// The hand-written string, for positions in messages.
    pub source: Option<&'a str>,
}

/// Whether built-in browser `browser` cannot run on `os`, from the one
/// table of which browsers run where ([`options::BROWSER_SYSTEMS`]): the
/// rule and a hint. The rule is `browser-not-on-linux` on Linux (its id
/// since the first release), `browser-not-on-os` elsewhere. Shared by the
/// lint and `matrix`.
pub fn browser_not_on(browser: &str, os: Os) -> Option<(&'static str, String)> {
    if !options::BROWSERS.contains(&browser) || options::runs_on(browser, os) {
        return None;
    }
    let rule = if os == Os::Linux { "browser-not-on-linux" } else { "browser-not-on-os" };
    Some((rule, format!("on {os} use {}", options::browsers_for(os).join(", "))))
}

struct Linter<'a> {
    args: &'a [Arg],
    settings: Settings<'a>,
    out: Vec<Finding>,
}

impl Linter<'_> {
    fn push(&mut self, severity: Severity, rule: &'static str, origin: Origin, message: String, hint: Option<String>) {
        self.out.push(Finding { severity, rule, message, hint, origin });
    }
}

/// Lints a line. Findings come in line order.
pub fn lint(args: &[Arg], settings: Settings) -> Vec<Finding> {
    // Findings quote the input: its credentials must be registered first.
    register_secrets(args);
    let mut l = Linter { args, settings, out: Vec::new() };
    let mut section = Section::Main;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut consumed = vec![false; args.len()];
    let mut has_project_path = false;
    let mut given: BTreeMap<String, Given> = BTreeMap::new();
    for i in 0..args.len() {
        if consumed[i] {
            continue;
        }
        let arg = &args[i];
        let text = arg.text.as_str();
        if let Some(next) = section.after_marker(text) {
            section = next;
            continue;
        }
        if !text.starts_with('-') || text == "-" {
            stray_word(&mut l, i);
            continue;
        }
        let body = &text[1..];
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        let name_origin = arg.sub(0..1 + name.len());
        let Some(known) = options::find(name) else {
            // `-unknown value`: the word after an unknown option is most likely its value, which
            // katalonc ignores with it; one finding for both, not a second one for a stray word.
            let takes_next = inline.is_none()
                && args.get(i + 1).is_some_and(|n| !n.text.starts_with('-') && n.text != CONFIG && n.text != INFO);
            if takes_next {
                consumed[i + 1] = true;
            }
            unknown_option(&mut l, name, name_origin, takes_next);
            continue;
        };
        let (key, kind, belongs, since, is_secret) = match known {
            Known::Global => (name.to_string(), Value::Text, Section::Main, None, false),
            Known::Opt(o) => (o.name.to_string(), o.value, o.section, o.since_version(), o.secret),
        };

        // The value: inline, or (jopt-simple's way) the next word.
        let mut value: Option<(&str, Origin)> = None;
        if kind.takes_value() {
            match inline {
                Some(v) if !v.is_empty() => value = Some((v, arg.sub(1 + name.len() + 1..text.len()))),
                _ => {
                    let next = args.get(i + 1).filter(|n| n.text != CONFIG && n.text != INFO);
                    match (inline, next) {
                        (Some(_), Some(next)) => {
                            consumed[i + 1] = true;
                            let shown = if is_secret { String::new() } else { format!(" `{}`", next.text) };
                            l.push(
                                Severity::Error,
                                "empty-value",
                                name_origin.clone(),
                                format!(
                                    "`-{name}=` has an empty value: katalonc takes the next word{shown} as its value"
                                ),
                                Some(format!(
                                    "write `-{name}=<value>` as one word; if the value comes from a variable or secret, check that it is set (an empty secret shifts every later option)"
                                )),
                            );
                        }
                        (None, Some(next)) if !next.text.starts_with('-') => {
                            consumed[i + 1] = true;
                            let shown = if is_secret { "<value>".to_string() } else { next.text.clone() };
                            l.push(
                                Severity::Warning,
                                "separate-value",
                                name_origin.clone(),
                                format!("`-{name}` takes its value from the next word"),
                                Some(format!(
                                    "write it as one word, `-{name}={shown}`: if the next word is ever empty, katalonc takes the option after it as the value"
                                )),
                            );
                            if !is_secret {
                                value = Some((next.text.as_str(), next.origin.clone()));
                            }
                        }
                        _ => l.push(
                            Severity::Error,
                            "missing-value",
                            name_origin.clone(),
                            format!("`-{name}` needs a value and none follows: katalonc stops with exit 2"),
                            Some(format!("write `-{name}=<value>`")),
                        ),
                    }
                }
            }
        }

        // Section.
        match (belongs, section) {
            (Section::Main, Section::Config) => l.push(
                Severity::Error,
                "wrong-section",
                name_origin.clone(),
                format!("`-{name}` comes after `--config`, where katalonc does not read ordinary options"),
                Some("move it before `--config` (in katalon-prep.yml: `run.args`, not `run.config`)".into()),
            ),
            (Section::Config, Section::Main | Section::Info) => l.push(
                Severity::Error,
                "wrong-section",
                name_origin.clone(),
                format!("`-{name}` is a `--config` option but comes before `--config`"),
                Some("put it after `--config` (in katalon-prep.yml: under `run.config`)".into()),
            ),
            _ => {}
        }

        // Repeats: jopt-simple refuses a second value.
        if kind.takes_value() {
            if let Some(&first) = seen.get(&key) {
                l.push(
                    Severity::Error,
                    "duplicate-option",
                    name_origin.clone(),
                    format!("`-{key}` is given twice: katalonc stops with exit 2"),
                    Some(match describe(&args[first].origin, l.settings.source) {
                        Some(at) => format!("keep one; the first is at {at}"),
                        None => "keep one".into(),
                    }),
                );
            } else {
                seen.insert(key.clone(), i);
            }
        }

        // Version.
        if let Some(since) = since {
            newer(&mut l, &format!("`-{key}`"), &since, name_origin.clone());
        }

        if key == "projectPath" {
            has_project_path = true;
        }
        given.entry(key.clone()).or_insert_with(|| Given {
            value: value.as_ref().map(|(v, _)| v.to_string()),
            origin: name_origin.clone(),
        });
        if arg.placeholder {
            continue;
        }
        let Some((value, origin)) = value else { continue };
        check_value(&mut l, &key, kind, known, value, origin);
    }
    together(&mut l, &given);
    if settings.hand_written && !has_project_path {
        l.push(
            Severity::Info,
            "no-project-path",
            Origin::Generated,
            "the line has no `-projectPath`".into(),
            Some("fine for the official Katalon GitHub action, which adds it; katalonc itself needs it".into()),
        );
    }
    l.out
}

/// An option as first given on the line.
struct Given {
    /// `None` for a flag, or a value that is not shown (a credential).
    value: Option<String>,
    origin: Origin,
}

/// The rules about options together (katalon.md §4): a target, the licence
/// retry timings, options katalonc ignores without their partner.
fn together(l: &mut Linter, given: &BTreeMap<String, Given>) {
    let has = |k: &str| given.contains_key(k);
    let int = |k: &str| given.get(k).and_then(|g| g.value.as_deref()).and_then(|v| v.trim().parse::<i64>().ok());

    match (given.get("testSuitePath"), given.get("testSuiteCollectionPath")) {
        (None, None) => {
            let (severity, hint) = if l.settings.target_required {
                (Severity::Error, "add `-testSuitePath=\"Test Suites/...\"` or `-testSuiteCollectionPath=...`")
            } else {
                (
                    Severity::Warning,
                    "set `run.test-suite` or `run.test-suite-collection`, or pass `--suite`/`--shard`; fine if the target is added later",
                )
            };
            l.push(
                severity,
                "no-target",
                Origin::Generated,
                "the line has neither `-testSuitePath` nor `-testSuiteCollectionPath`: katalonc has nothing to run"
                    .into(),
                Some(hint.into()),
            );
        }
        (Some(_), Some(second)) => l.push(
            Severity::Error,
            "two-targets",
            second.origin.clone(),
            "`-testSuitePath` and `-testSuiteCollectionPath` are both given: katalonc runs one of them".into(),
            Some("keep one".into()),
        ),
        _ => {}
    }

    // Licence retries, in minutes; katalonc's defaults stand in for what is not given.
    if ["licenseRetryMaxDuration", "licenseRetryInterval", "licenseRetryMaxJitter"].iter().any(|k| has(k)) {
        let shown = |k: &str, default: i64| match int(k) {
            Some(v) => (v, format!("`-{k}={v}`")),
            None => (default, format!("the default `-{k}` of {default}")),
        };
        let (duration, duration_says) = shown("licenseRetryMaxDuration", 20);
        let (interval, interval_says) = shown("licenseRetryInterval", 5);
        let (jitter, _) = shown("licenseRetryMaxJitter", 2);
        let at = |k: &str| given.get(k).map(|g| g.origin.clone()).unwrap_or(Origin::Generated);
        if interval < 3 {
            l.push(
                Severity::Error,
                "license-retry",
                at("licenseRetryInterval"),
                format!("`-licenseRetryInterval={interval}` is under 3: katalonc retries the licence every 3 minutes at most"),
                Some("use 3 or more".into()),
            );
        } else if interval > duration {
            l.push(
                Severity::Error,
                "license-retry",
                at("licenseRetryInterval"),
                format!("{interval_says} is above {duration_says}: the interval must not be longer than the whole retry time"),
                Some("lower the interval or raise `-licenseRetryMaxDuration`".into()),
            );
        }
        if has("licenseRetryMaxJitter") && jitter > interval {
            l.push(
                Severity::Error,
                "license-retry",
                at("licenseRetryMaxJitter"),
                format!("`-licenseRetryMaxJitter={jitter}` is above {interval_says}: the jitter must not exceed the interval"),
                Some("lower the jitter".into()),
            );
        }
    }

    if let Some(release) = given.get("licenseRelease")
        && release.value.as_deref().is_none_or(|v| !v.eq_ignore_ascii_case("false"))
        && !has("orgId")
    {
        l.push(
            Severity::Warning,
            "license-release-without-org",
            release.origin.clone(),
            "`-licenseRelease` without `-orgID`: katalonc needs the organisation to release its licence sessions"
                .into(),
            Some("add `-orgID=<your organisation id>`".into()),
        );
    }

    for (option, needs) in
        [("reportFileName", "reportFolder"), ("remoteWebDriverType", "remoteWebDriverUrl"), ("deviceId", "browserType")]
    {
        if let Some(g) = given.get(option)
            && !has(needs)
        {
            l.push(
                Severity::Warning,
                "ignored-option",
                g.origin.clone(),
                format!("`-{option}` without `-{needs}`: katalonc ignores it"),
                Some(format!("add `-{needs}=...`, or remove `-{option}`")),
            );
        }
    }

    if let Some(browser) = given.get("browserType")
        && browser.value.as_deref() == Some("TestCloud")
        && !["testcloudEnvironmentId", "testcloudMobileDeviceId", "testcloudMobileId"].iter().any(|k| has(k))
    {
        l.push(
            Severity::Error,
            "testcloud-without-environment",
            browser.origin.clone(),
            "`-browserType=TestCloud` without `-testcloudEnvironmentId`, `-testcloudMobileDeviceId` or `-testcloudMobileId`: TestCloud does not know what to start".into(),
            Some("add `-testcloudEnvironmentId=<id>` (web) or `-testcloudMobileDeviceId=<id>` (mobile)".into()),
        );
    }

    for option in ["consoleLog", "noExit"] {
        if let Some(g) = given.get(option) {
            l.push(
                Severity::Warning,
                "windows-cmd-only",
                g.origin.clone(),
                format!("`-{option}` is for an interactive Windows cmd window, never for CI"),
                Some(format!("remove `-{option}`")),
            );
        }
    }
}

fn stray_word(l: &mut Linter, i: usize) {
    let arg = &l.args[i];
    let hint = match i.checked_sub(1).map(|p| &l.args[p].text) {
        Some(prev) if prev.starts_with('-') && prev.contains('=') => {
            Some(format!("if it belongs to the value before it, quote the whole option: '{prev} {}'", arg.text))
        }
        _ => Some("katalonc ignores words that are not options; remove it or make it an option".into()),
    };
    l.push(Severity::Error, "stray-word", arg.origin.clone(), format!("`{}` is not an option", arg.text), hint);
}

fn unknown_option(l: &mut Linter, name: &str, origin: Origin, with_next: bool) {
    let and_next = if with_next { " (and the word after it)" } else { "" };
    match options::near_miss(name) {
        Some(best) => {
            let hint = if best.eq_ignore_ascii_case(name) {
                format!("did you mean `-{best}`? katalonc's option names are case-sensitive")
            } else {
                format!("did you mean `-{best}`?")
            };
            l.push(
                Severity::Error,
                "unknown-option",
                origin,
                format!("unknown option `-{name}`: katalonc ignores it{and_next} without a word"),
                Some(hint),
            );
        }
        None => l.push(
            Severity::Warning,
            "unlisted-option",
            origin,
            format!(
                "`-{name}` is not in katalon-prep's table of katalonc options up to 10.x; katalonc ignores options it does not know{and_next}"
            ),
            Some(
                "if your Katalon version has it, turn this warning off with `--allow unlisted-option` (or `lint: { allow: [unlisted-option] }`); else remove it"
                    .into(),
            ),
        ),
    }
}

fn check_value(l: &mut Linter, key: &str, kind: Value, known: Known, value: &str, origin: Origin) {
    match kind {
        Value::Int if value.trim().parse::<i64>().is_err() => l.push(
            Severity::Error,
            "not-integer",
            origin.clone(),
            format!("`-{key}` takes a whole number, not `{value}`"),
            None,
        ),
        Value::Bool if !value.eq_ignore_ascii_case("true") && !value.eq_ignore_ascii_case("false") => l.push(
            Severity::Error,
            "not-boolean",
            origin.clone(),
            format!("`-{key}` takes true or false, not `{value}`: katalonc reads anything else as false"),
            None,
        ),
        Value::IntIn(min, max) if value.trim().parse::<i64>().is_ok_and(|n| n < min || n > max) => l.push(
            Severity::Error,
            "bad-value",
            origin.clone(),
            format!("`-{key}` takes a whole number from {min} to {max}, not `{value}`"),
            None,
        ),
        Value::IntIn(..) if value.trim().parse::<i64>().is_err() => l.push(
            Severity::Error,
            "not-integer",
            origin.clone(),
            format!("`-{key}` takes a whole number, not `{value}`"),
            None,
        ),
        Value::Enum(allowed) if !allowed.contains(&value) => {
            let hint = match closest(value, allowed.iter().copied()) {
                Some(best) => format!("did you mean `{best}`? one of: {}", allowed.join(", ")),
                None => format!("one of: {}", allowed.join(", ")),
            };
            l.push(
                Severity::Error,
                "bad-value",
                origin.clone(),
                format!("`-{key}={value}` is not a value katalonc knows"),
                Some(hint),
            );
        }
        _ => {}
    }
    let facts = l.settings.facts;
    match (known, key) {
        (Known::Opt(_), "browserType") => {
            if let Some(since) = options::browser_since(value) {
                newer(l, &format!("`-browserType={value}`"), &since, origin.clone());
            }
            check_browser(l, value, origin)
        }
        (Known::Opt(_), "testSuitePath") => check_ts(l, TsKind::Suite, value, origin),
        (Known::Opt(_), "testSuiteCollectionPath") => check_ts(l, TsKind::Collection, value, origin),
        (Known::Opt(_), "executionProfile") => {
            if let Some(f) = facts
                && !f.profiles.iter().any(|p| p == value)
            {
                l.push(
                    Severity::Error,
                    "unknown-profile",
                    origin,
                    format!("execution profile `{value}` does not exist in the project"),
                    Some(crate::project::did_you_mean(value, &f.profiles, "the project has no `Profiles/*.glbl`")),
                );
            }
        }
        (Known::Global, _) => {
            let var = &key[options::GLOBAL_PREFIX.len()..];
            if let Some(f) = facts {
                let vars = f.variables();
                if !vars.contains(var) {
                    let all: Vec<String> = vars.iter().map(|v| v.to_string()).collect();
                    l.push(
                        Severity::Error,
                        "unknown-global",
                        origin,
                        format!("no execution profile defines the global variable `{var}`: katalonc ignores `-{key}`"),
                        Some(crate::project::did_you_mean(
                            var,
                            &all,
                            "the project's profiles define no global variables",
                        )),
                    );
                }
            }
        }
        _ => {}
    }
}

/// `newer-option` when `what` needs a newer Katalon than the run uses.
fn newer(l: &mut Linter, what: &str, since: &Version, origin: Origin) {
    if let Some((run, from)) = l.settings.facts.and_then(|f| f.version.as_ref())
        && since > run
    {
        l.push(
            Severity::Warning,
            "newer-option",
            origin,
            format!("{what} needs Katalon {since} or newer; {}", from.says(run)),
            Some("katalonc ignores options it does not know: check the Katalon version the run uses".into()),
        );
    }
}

fn check_browser(l: &mut Linter, value: &str, origin: Origin) {
    let builtin = options::BROWSERS.contains(&value);
    if !builtin && let Some(f) = l.settings.facts {
        if !f.is_browser(value) {
            let mut all: Vec<&str> = options::BROWSERS.to_vec();
            all.extend(f.custom_configs.iter().map(String::as_str));
            let custom = if f.custom_configs.is_empty() {
                "the project has no custom execution configurations".to_string()
            } else {
                format!("the project's custom execution configurations: {}", f.custom_configs.join(", "))
            };
            let hint = match closest(value, all.iter().copied()) {
                Some(best) => format!("did you mean `{best}`? {custom}"),
                None => format!("katalonc's browsers: {}; {custom}", options::BROWSERS.join(", ")),
            };
            l.push(
                Severity::Error,
                "unknown-browser",
                origin,
                format!(
                    "`{value}` is neither a katalonc browser nor a custom execution configuration of the project: katalonc stops with exit 4"
                ),
                Some(hint),
            );
        }
        return;
    }
    let os = l.settings.os;
    if let Some((rule, hint)) = browser_not_on(value, os) {
        l.push(
            Severity::Warning,
            rule,
            origin,
            format!("`{value}` does not run on {os}, and this run is on {os}"),
            Some(hint),
        );
    }
}

fn check_ts(l: &mut Linter, want: TsKind, value: &str, origin: Origin) {
    let Some(f) = l.settings.facts else { return };
    let path = crate::project::ts_path(value);
    let (what, option, other) = match want {
        TsKind::Suite => ("test suite", "-testSuitePath", "-testSuiteCollectionPath"),
        TsKind::Collection => ("test suite collection", "-testSuiteCollectionPath", "-testSuitePath"),
    };
    match f.ts_kind(path) {
        None => l.push(
            Severity::Error,
            "missing-suite",
            origin,
            format!("{what} `{path}` does not exist in the project"),
            Some(crate::project::did_you_mean(path, f.ts_files(), "the project has no .ts files under `Test Suites/`")),
        ),
        Some(kind) if kind != want => {
            let is = match kind {
                TsKind::Suite => "a test suite",
                TsKind::Collection => "a test suite collection",
            };
            l.push(
                Severity::Error,
                "wrong-kind",
                origin,
                format!("`{path}` is {is}, but `{option}` takes a {what}"),
                Some(format!("use `{other}={path}`")),
            );
        }
        Some(_) => {}
    }
}

/// How an origin is shown in a message (`katalon-prep.yml:4:7`,
/// `--args:1:12`, `argument 2 after `--``), `None` for generated ones.
pub fn describe(origin: &Origin, source: Option<&str>) -> Option<String> {
    match origin {
        Origin::Generated => None,
        Origin::File(at) => Some(at.to_string()),
        Origin::Args(range) => {
            let (line, column) = line_col(source.unwrap_or(""), range.start);
            Some(format!("--args:{line}:{column}"))
        }
        Origin::Extra(i) => Some(format!("argument {} after `--`", i + 1)),
    }
}

/// Where a finding is, for people: `katalon-prep.yml:4:7` (the file
/// relative to `cwd`), `--args:1:12`.
pub fn place(origin: &Origin, source: Option<&str>, cwd: &Path) -> Option<String> {
    match origin {
        Origin::File(at) => Some(format!("{}:{}:{}", shown_path(&at.file, cwd), at.line, at.column)),
        other => describe(other, source),
    }
}

/// The message refusing a line with lint errors (the pipeline's exit 13),
/// one indented line per error (its hint under it); `None` when there is no
/// error.
pub fn refusal(findings: &[Finding], cwd: &Path) -> Option<String> {
    let errors: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            let at = place(&f.origin, None, cwd).map(|p| format!("{p}: ")).unwrap_or_default();
            let hint = f.hint.as_ref().map(|h| format!("\nhint: {h}").replace('\n', "\n    ")).unwrap_or_default();
            format!("  {at}{} [{}]{hint}", f.message, f.rule)
        })
        .collect();
    let n = errors.len();
    (n > 0).then(|| {
        format!(
            "Refusing to emit the katalonc line: {n} lint error{}\n{}",
            if n == 1 { "" } else { "s" },
            errors.join("\n")
        )
    })
}

/// The 1-based line and column (in characters) of byte `at` of `text`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = (0..=at.min(text.len())).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, text[line_start..at].chars().count() + 1)
}

/// Counts of each severity.
pub fn counts(findings: &[Finding]) -> (usize, usize, usize) {
    let n = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    (n(Severity::Error), n(Severity::Warning), n(Severity::Info))
}

/// `--strict`: warnings become errors.
pub fn strict(findings: &mut [Finding]) {
    for f in findings.iter_mut().filter(|f| f.severity == Severity::Warning) {
        f.severity = Severity::Error;
    }
}

/// A file path as the user should see it: relative to `cwd` when inside it.
pub fn shown_path(path: &Path, cwd: &Path) -> String {
    if path.is_absolute() {
        let rel = super::argv::relative(path, cwd);
        if !rel.starts_with("..") {
            return rel.to_string_lossy().into_owned();
        }
    }
    path.to_string_lossy().into_owned()
}

/// Lints the enabled entries of a test suite collection: each suite must
/// exist and be a suite, each run configuration must be a browser katalonc
/// or the project knows (unless `browser_overridden`: a `-browserType` on
/// the line replaces every entry's, so theirs do not run), each profile
/// must exist.
pub fn lint_collection(collection: &Collection, settings: Settings, browser_overridden: bool) -> Vec<Finding> {
    let mut l = Linter { args: &[], settings, out: Vec::new() };
    for entry in collection.entries.iter().filter(|e| e.enabled) {
        let origin = Origin::File(entry.at.clone());
        check_ts(&mut l, TsKind::Suite, &entry.suite, origin.clone());
        if let Some(browser) = &entry.run_configuration
            && !browser_overridden
        {
            check_browser(&mut l, browser, origin.clone());
        }
        if let (Some(profile), Some(f)) = (&entry.profile, settings.facts)
            && !f.profiles.iter().any(|p| p == profile)
        {
            l.push(
                Severity::Error,
                "unknown-profile",
                origin,
                format!("execution profile `{profile}` does not exist in the project"),
                Some(crate::project::did_you_mean(profile, &f.profiles, "the project has no `Profiles/*.glbl`")),
            );
        }
    }
    l.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<Arg> {
        super::super::split::split(line).unwrap().words.into_iter().map(Arg::word).collect()
    }

    #[test]
    fn secrets_are_registered_and_options_after_an_empty_key_are_not() {
        register_secrets(&words("-apiKey=lint-unit-KEY-1 -kobitonToken lint-unit-TOKEN-2 -apiKeyOP= -retry=1"));
        assert_eq!(secret::redact("a lint-unit-KEY-1 b lint-unit-TOKEN-2"), "a *** b ***");
        assert_eq!(secret::redact("-retry=1"), "-retry=1");
    }

    #[test]
    fn extra_arguments_go_before_the_key_and_after_config() {
        let line = Line {
            main: vec![Token::Arg("-noSplash".into()), Token::ApiKey],
            config: vec!["-webui.autoUpdateDrivers=true".into()],
            ..Line::default()
        };
        let extra: Vec<String> = ["-retry=1", "--config", "-proxy.option=NO_PROXY"].map(String::from).to_vec();
        let texts: Vec<String> = args_of(&line, &extra).into_iter().map(|a| a.text).collect();
        assert_eq!(
            texts,
            [
                "-noSplash",
                "-retry=1",
                "-apiKey=***",
                "--config",
                "-webui.autoUpdateDrivers=true",
                "-proxy.option=NO_PROXY"
            ]
        );
    }

    #[test]
    fn a_clean_line_without_project_facts_has_no_findings() {
        let settings =
            Settings { facts: None, os: Os::Linux, hand_written: false, target_required: false, source: None };
        let found = lint(
            &words("-noSplash -testSuitePath=S -browserType=Chrome -retry=2 --config -proxy.server.port=80"),
            settings,
        );
        assert_eq!(found, Vec::new());
    }
}
