//! `katalon-prep init`: what goes into a new `katalon-prep.yml`, and the
//! commented text of it. The command (`commands::init`) gathers the facts
//! (project, flags, answers, a converted katalonc line, plugins) into a
//! [`Draft`]; [`render`] turns it into YAML that the config loader reads.
//!
//! Nothing here touches the disk or prints.

pub mod ci;
pub mod line;

use std::collections::BTreeMap;

use crate::config::Kind;
use crate::project::TsKind;

/// The folder `init --move-plugins` moves the jars of `Plugins/` to
/// (relative to the config's folder): a `path:` inside `Plugins/` would
/// install onto itself.
pub const VENDOR_DIR: &str = "vendor/katalon-plugins";

/// Everything the new config says.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// The `.prj`, relative to the config's folder.
    pub project: String,
    /// The Katalon version the project was saved with, and which element says so.
    pub version: Option<(String, &'static str)>,
    /// Every suite and collection of the project, for the comment.
    pub targets: Vec<(String, TsKind)>,
    pub target: Option<(TsKind, String)>,
    pub profiles: Vec<String>,
    pub profile: Option<String>,
    pub browser: Option<String>,
    pub retry: Option<u32>,
    pub report_folder: Option<String>,
    pub globals: BTreeMap<String, String>,
    pub args: Vec<String>,
    pub config: BTreeMap<String, String>,
    /// Credential options of the converted line, by name: comments.
    pub dropped: Vec<line::Dropped>,
    pub plugins: Vec<Plugin>,
    /// Plugins of the Store account that match no jar: commented entries.
    pub other_store: Vec<StoreListed>,
    /// Where the line came from, for the header.
    pub from_args: bool,
    /// Write `engine.version` (katalon-prep provisions the engine).
    pub engine: bool,
}

/// A plugin of the Store account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreListed {
    pub product_id: u64,
    pub name: String,
    pub version: String,
}

/// One jar found in the project's `Plugins/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plugin {
    /// Where it is now, relative to the project (`Plugins/x.jar`).
    pub was: String,
    pub kind: Kind,
    /// Where it was moved, relative to the config's folder (`--move-plugins`).
    pub moved_to: Option<String>,
    /// The Store plugin it is, when the Store was asked and knows it.
    pub store: Option<StoreListed>,
}

impl Draft {
    /// Every value taken from the project, the flags, the answers or the
    /// line that [`render`] writes (its own comments aside).
    pub fn written_values(&self) -> impl Iterator<Item = &str> {
        let target = self.target.iter().map(|(_, p)| p.as_str());
        let plugins = self.plugins.iter().flat_map(|p| {
            [Some(p.was.as_str()), p.moved_to.as_deref(), p.store.as_ref().map(|s| s.name.as_str())]
                .into_iter()
                .flatten()
        });
        [Some(self.project.as_str()), self.browser.as_deref(), self.profile.as_deref(), self.report_folder.as_deref()]
            .into_iter()
            .flatten()
            .chain(target)
            .chain(self.globals.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]))
            .chain(self.args.iter().map(String::as_str))
            .chain(self.config.iter().flat_map(|(k, v)| [k.as_str(), v.as_str()]))
            .chain(self.dropped.iter().map(|d| d.option.as_str()))
            .chain(plugins)
            .chain(self.other_store.iter().map(|s| s.name.as_str()))
    }
}

/// A YAML double-quoted scalar (JSON's escapes are YAML's).
pub fn q(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// The normalised name of a plugin for matching a jar file against a Store
/// product: letters and digits only, lower case, without a trailing version
/// (`excel-keywords-1.2.3.jar` and `Excel Keywords` are both `excelkeywords`).
pub fn plugin_key(name: &str) -> String {
    let stem = name.strip_suffix(".jar").unwrap_or(name);
    // Cut at the first `-`/`_`/space followed by a digit: the version.
    let bytes = stem.as_bytes();
    let cut = (1..bytes.len())
        .find(|&i| matches!(bytes[i - 1], b'-' | b'_' | b' ') && bytes[i].is_ascii_digit())
        .map(|i| i - 1)
        .unwrap_or(stem.len());
    stem[..cut].chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// The commented `katalon-prep.yml`.
pub fn render(d: &Draft) -> String {
    let mut o = String::new();
    let mut line = |s: &str| {
        o.push_str(s);
        o.push('\n');
    };
    line("# katalon-prep.yml, written by `katalon-prep init`. Every key is explained in katalon-prep's");
    line("# docs/src/configuration.md; `katalon-prep check` lints this file, the project and the line.");
    line("#");
    if d.from_args {
        line("# Converted from the katalonc line your CI ran: `katalon-prep args` gives it back, minus the key.");
        line("#");
    }
    line("# The Katalon API key is not in this file and must never be: store it as the CI");
    line("# secret KATALON_API_KEY. katalon-prep reads it from there and adds -apiKey itself.");
    for dropped in &d.dropped {
        let text = if dropped.api_key {
            format!(
                "# `{}` was on the line and is left out: move the key into the CI secret KATALON_API_KEY.",
                dropped.option
            )
        } else {
            format!(
                "# `{}` (a credential) was on the line and is left out: keep it in a CI secret and pass it at run time, e.g. `katalon-prep run -- {}{}=\"$SECRET\"`.",
                dropped.option,
                if dropped.config_section { "--config " } else { "" },
                dropped.option
            )
        };
        line(&text);
    }
    line("");
    line("# The Katalon project: its .prj, relative to this file.");
    line(&format!("project: {}", q(&d.project)));
    line("");
    line("run:");
    if !d.targets.is_empty() {
        line("  # What katalonc runs: a test suite (test-suite) or a collection (test-suite-collection).");
        line("  # The project has:");
        let width = d.targets.iter().map(|(p, _)| p.len()).max().unwrap_or(0);
        for (path, kind) in &d.targets {
            let kind = if *kind == TsKind::Collection { "collection" } else { "suite" };
            line(&format!("  #   {path:width$}  ({kind})"));
        }
    }
    match &d.target {
        Some((TsKind::Suite, p)) => line(&format!("  test-suite: {}", q(p))),
        Some((TsKind::Collection, p)) => line(&format!("  test-suite-collection: {}", q(p))),
        None => line("  # test-suite: \"Test Suites/...\"    # choose one, or pass --suite to `prepare`/`run`"),
    }
    line("  # -browserType. On Linux runners: Chrome, Firefox, Chrome (headless), Firefox (headless),");
    line("  # Remote, TestCloud. Given here, it overrides the browser of every entry of a collection.");
    match &d.browser {
        Some(b) => line(&format!("  browser: {}", q(b))),
        None => line("  # browser: \"Chrome (headless)\""),
    }
    let profiles = if d.profiles.is_empty() { "none".to_string() } else { d.profiles.join(", ") };
    line(&format!("  # -executionProfile, one of the project's Profiles/*.glbl: {profiles}."));
    match &d.profile {
        Some(p) => line(&format!("  profile: {}", q(p))),
        None => line("  # profile: \"default\""),
    }
    if let Some(r) = d.retry {
        line(&format!("  retry: {r}"));
    }
    if let Some(r) = &d.report_folder {
        line("  # -reportFolder, relative to this file.");
        line(&format!("  report-folder: {}", q(r)));
    }
    if !d.globals.is_empty() {
        line("  # -g_<name>=<value>: global variables the profiles define.");
        line("  globals:");
        for (k, v) in &d.globals {
            line(&format!("    {}: {}", q(k), q(v)));
        }
    }
    if !d.args.is_empty() {
        line("  # Other katalonc options, emitted as written, before -apiKey.");
        line("  args:");
        for a in &d.args {
            line(&format!("    - {}", q(a)));
        }
    }
    if !d.config.is_empty() {
        line("  # Options after --config (proxy settings, webui.autoUpdateDrivers).");
        line("  config:");
        for (k, v) in &d.config {
            line(&format!("    {}: {}", q(k), q(v)));
        }
    }
    line("");
    line("# Load plugins from the project only (plugin.reloadOption=\"OFFLINE\"): katalonc makes no");
    line("# Store call and loads exactly the plugins listed below, as katalon-prep installed them.");
    line("offline: true");
    line("");
    match &d.version {
        Some((v, from)) => {
            line(&format!("# The Katalon Runtime Engine the run uses, from the project's <{from}>: the Store"));
            line("# picks plugin versions for it, and `check` warns about options newer than it.");
            line("store:");
            line(&format!("  app-version: {}", q(v)));
            line("# With `engine:`, katalon-prep downloads, pins and caches this Runtime Engine itself and");
            line("# `run` starts its katalonc; without it, katalonc comes from elsewhere (the official image).");
            if d.engine {
                line("engine:");
                line(&format!("  version: {}", q(v)));
            } else {
                line("# engine:");
                line(&format!("#   version: {}", q(v)));
            }
        }
        None => {
            line("# The project records no Katalon version: set the Runtime Engine version the run uses.");
            line("# store:");
            line("#   app-version: \"9.7.2\"");
        }
    }
    line("");
    render_plugins(d, &mut line);
    o
}

fn render_plugins(d: &Draft, line: &mut impl FnMut(&str)) {
    if d.plugins.is_empty() && d.other_store.is_empty() {
        line("# Plugins to install into the project's Plugins/, pinned in katalon-prep.lock:");
        line("# plugins:");
        line("#   - path: vendor/katalon-plugins/my-keywords.jar   # a jar in the repository");
        line("#   - store: 42                                      # a Store plugin by product id");
        return;
    }
    line("# Plugins katalon-prep installs into the project's Plugins/; `katalon-prep lock` pins them.");
    let active: Vec<&Plugin> = d.plugins.iter().filter(|p| p.store.is_some() || p.moved_to.is_some()).collect();
    let left: Vec<&Plugin> = d.plugins.iter().filter(|p| p.store.is_none() && p.moved_to.is_none()).collect();
    if active.is_empty() {
        line("# plugins:");
    } else {
        line("plugins:");
    }
    for p in &active {
        match (&p.store, &p.moved_to) {
            (Some(s), moved) => {
                line(&format!("  # {} {} from the Store (was {})", s.name, s.version, p.was));
                line(&format!("  - store: {}", s.product_id));
                if let Some(m) = moved {
                    line(&format!("  # or the same jar from the repository, instead of the Store: - path: {}", q(m)));
                }
            }
            (None, Some(m)) => {
                line(&format!("  # was {}", p.was));
                line(&format!("  - path: {}", q(m)));
                line(&format!("    kind: {}", p.kind));
            }
            (None, None) => {}
        }
    }
    // Comments under `plugins:` are indented as its entries; under `# plugins:` they are not.
    let c = if active.is_empty() { "#" } else { "  #" };
    if !left.is_empty() {
        line(&format!("{c} Still in the project's Plugins/, where katalonc loads them as they are. A `path:` inside"));
        line(&format!("{c} Plugins/ would install onto itself: move them to {VENDOR_DIR}/ (`init --move-plugins`)."));
        for p in left {
            line(&format!("{c}   {}", p.was));
        }
    }
    if !d.other_store.is_empty() {
        line(&format!("{c} Other plugins of the Store account. katalonc installs all of them when it runs online;"));
        line(&format!("{c} with `offline: true` only the listed ones load: uncomment what the project uses."));
        for s in &d.other_store {
            line(&format!("{c} - store: {}   # {} {}", s.product_id, s.name, s.version));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_keys_match_jars_to_products() {
        assert_eq!(plugin_key("excel-keywords-1.2.3.jar"), "excelkeywords");
        assert_eq!(plugin_key("Excel Keywords"), "excelkeywords");
        assert_eq!(plugin_key("katalon_s3_1.0.jar"), "katalons3");
        assert_eq!(plugin_key("log4j2-keywords.jar"), "log4j2keywords");
    }

    #[test]
    fn the_rendered_draft_loads() {
        let d = Draft {
            project: "shop.prj".into(),
            version: Some(("8.0.5".into(), "modifiedVersion")),
            target: Some((TsKind::Suite, "Test Suites/A \"quoted\"".into())),
            globals: [("url".to_string(), "https://x?a=1#b".to_string())].into(),
            args: vec!["-statusDelay=30".into(), "-x=y: z".into()],
            config: [("webui.autoUpdateDrivers".to_string(), "true".to_string())].into(),
            plugins: vec![Plugin {
                was: "Plugins/a.jar".into(),
                kind: Kind::Keyword,
                moved_to: Some("vendor/katalon-plugins/a.jar".into()),
                store: None,
            }],
            ..Draft::default()
        };
        let text = render(&d);
        let c = crate::config::parse(&text, std::path::Path::new("k.yml"), std::path::Path::new("/r")).unwrap();
        assert_eq!(c.run.args[1].value, "-x=y: z");
        assert_eq!(c.run.globals["url"].value, "https://x?a=1#b");
        assert_eq!(c.run.config[0].1.value, "true");
        assert_eq!(c.plugins.len(), 1);
        assert!(c.offline);
        assert_eq!(c.store.app_version.unwrap().value, "8.0.5");
    }
}
