//! The one table of katalonc options: name, aliases, what value it takes,
//! which section of the line it belongs to, and the Katalon version that
//! introduced it (katalon.md §4). The lint, the docs and `check` read it;
//! nothing else in the crate spells option names out.
//!
//! katalonc parses with jopt-simple: names are case-sensitive, unknown
//! options are silently ignored, and there are no abbreviations.

pub use crate::project::version::Version;

/// What an option's value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// No value (`-noSplash`).
    Flag,
    /// Any text.
    Text,
    /// A path (any text; relative paths are relative to katalonc's working directory).
    Path,
    /// A whole number.
    Int,
    /// `true` or `false` (katalonc reads anything else as `false`).
    Bool,
    /// Exactly one of these (case-sensitive).
    OneOf(&'static [&'static str]),
}

impl Value {
    /// Whether the option takes a value.
    pub fn takes_value(self) -> bool {
        self != Value::Flag
    }
}

/// Where on the line an option belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Before `--config`.
    Main,
    /// After `--info` (build information for TestOps).
    Info,
    /// After `--config`.
    Config,
}

impl Section {
    /// The token that starts the section (`None` for the main section).
    pub fn marker(self) -> Option<&'static str> {
        match self {
            Section::Main => None,
            Section::Info => Some(INFO),
            Section::Config => Some(CONFIG),
        }
    }
}

/// The token that starts the `--config` section.
pub const CONFIG: &str = "--config";
/// The token that starts the `--info` section.
pub const INFO: &str = "--info";
/// Global variable overrides: `-g_<Variable>=value`.
pub const GLOBAL_PREFIX: &str = "g_";

/// One katalonc option.
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    /// Without the leading dash.
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub value: Value,
    pub section: Section,
    /// The Katalon version that introduced it, `(major, minor)`; `None` for
    /// options present in 7.8 and earlier.
    pub since: Option<(u32, u32)>,
    /// Its value is a credential: registered for redaction, never echoed.
    pub secret: bool,
    /// `name` is a prefix (`proxy.auth.*`): any option starting with it matches.
    pub prefix: bool,
}

impl Opt {
    pub fn since_version(&self) -> Option<Version> {
        self.since.map(|(a, b)| Version(vec![a, b]))
    }
}

const fn opt(name: &'static str, value: Value) -> Opt {
    Opt { name, aliases: &[], value, section: Section::Main, since: None, secret: false, prefix: false }
}

const fn cfg(name: &'static str, value: Value) -> Opt {
    Opt { section: Section::Config, ..opt(name, value) }
}

const fn since(o: Opt, major: u32, minor: u32) -> Opt {
    Opt { since: Some((major, minor)), ..o }
}

const fn secret(o: Opt) -> Opt {
    Opt { secret: true, ..o }
}

const fn aka(o: Opt, aliases: &'static [&'static str]) -> Opt {
    Opt { aliases, ..o }
}

const fn prefix(o: Opt) -> Opt {
    Opt { prefix: true, ..o }
}

/// `-retryStrategy` values.
pub const RETRY_STRATEGIES: &[&str] = &["allExecutions", "failedExecutions", "immediately"];

/// Every katalonc option this tool knows (katalon.md §4).
pub const OPTIONS: &[Opt] = &[
    opt("noSplash", Value::Flag),
    opt("runMode", Value::OneOf(&["console"])),
    opt("projectPath", Value::Path),
    opt("testSuitePath", Value::Text),
    opt("testSuiteCollectionPath", Value::Text),
    opt("testSuiteQuery", Value::Text),
    since(opt("testSuiteCollectionQuery", Value::Text), 8, 0),
    opt("browserType", Value::Text),
    opt("executionProfile", Value::Text),
    opt("retry", Value::Int),
    opt("retryFailedTestCases", Value::Bool),
    opt("retryFailedTestCasesTestData", Value::Bool),
    opt("retryStrategy", Value::OneOf(RETRY_STRATEGIES)),
    opt("statusDelay", Value::Int),
    opt("reportFolder", Value::Path),
    opt("reportFileName", Value::Text),
    opt("sendMail", Value::Text),
    opt("maxResponseSize", Value::Int),
    since(opt("maxFailedTests", Value::Int), 8, 1),
    opt("remoteWebDriverUrl", Value::Text),
    opt("remoteWebDriverType", Value::OneOf(&["Selenium", "Appium"])),
    opt("deviceId", Value::Text),
    opt("kobitonDeviceId", Value::Text),
    secret(opt("kobitonToken", Value::Text)),
    opt("kobitonUserName", Value::Text),
    secret(aka(opt("apiKey", Value::Text), &["apikey"])),
    secret(aka(opt("apiKeyOnPremise", Value::Text), &["apiKeyOP"])),
    aka(opt("orgId", Value::Text), &["orgID"]),
    opt("license", Value::Text),
    since(opt("licenseRelease", Value::Bool), 8, 0),
    opt("serverUrl", Value::Text),
    opt("analyticsProjectId", Value::Text),
    opt("testOpsProjectId", Value::Text),
    opt("testOpsReleaseId", Value::Text),
    since(opt("testOpsBuildId", Value::Text), 8, 0),
    opt("executionUUID", Value::Text),
    opt("qTestDestId", Value::Text),
    opt("qTestDestType", Value::Text),
    since(opt("adoPlanId", Value::Text), 8, 0),
    since(opt("adoTestRunName", Value::Text), 8, 0),
    opt("propertiesFile", Value::Path),
    opt("installPlugin", Value::Path),
    opt("consoleLog", Value::Flag),
    opt("noExit", Value::Flag),
    Opt { section: Section::Info, ..opt("buildLabel", Value::Text) },
    Opt { section: Section::Info, ..opt("buildURL", Value::Text) },
    cfg("proxy.option", Value::Text),
    cfg("proxy.server.type", Value::Text),
    cfg("proxy.server.address", Value::Text),
    cfg("proxy.server.port", Value::Int),
    cfg("proxy.username", Value::Text),
    secret(cfg("proxy.password", Value::Text)),
    cfg("proxy.excludes", Value::Text),
    cfg("proxy.system.applyToDesiredCapabilities", Value::Bool),
    prefix(cfg("proxy.auth.", Value::Text)),
    prefix(cfg("proxy.system.", Value::Text)),
    cfg("kobiton.authentication.username", Value::Text),
    secret(cfg("kobiton.authentication.password", Value::Text)),
    cfg("webui.autoUpdateDrivers", Value::Bool),
];

/// What a `-name` resolves to.
#[derive(Debug, Clone, Copy)]
pub enum Known {
    Opt(&'static Opt),
    /// `-g_<name>`: overrides the global variable `name`.
    Global,
}

/// Looks an option up by its exact (case-sensitive) name, without the dash.
pub fn find(name: &str) -> Option<Known> {
    if let Some(var) = name.strip_prefix(GLOBAL_PREFIX)
        && !var.is_empty()
    {
        return Some(Known::Global);
    }
    OPTIONS
        .iter()
        .find(|o| o.name == name || o.aliases.contains(&name))
        .or_else(|| OPTIONS.iter().find(|o| o.prefix && name.len() > o.name.len() && name.starts_with(o.name)))
        .map(Known::Opt)
}

/// The bare, lower-cased option name of a word: `--ApiKey=x` → `apikey`.
fn bare_name(word: &str) -> String {
    word.trim_start_matches('-').split('=').next().unwrap_or("").to_ascii_lowercase()
}

/// Whether a word is an `-apiKey` option (any case, any number of dashes,
/// either alias, on-premise too): katalon-prep injects the key itself.
pub fn is_api_key_arg(word: &str) -> bool {
    word.starts_with('-') && matches!(bare_name(word).as_str(), "apikey" | "apikeyonpremise" | "apikeyop")
}

/// Whether the value of option `name` (dashes optional, any case) is a
/// credential: a secret option of the table, or a name that says so. Used
/// for redaction, where masking too much is harmless and too little is a leak.
pub fn is_secret_name(name: &str) -> bool {
    let bare = bare_name(name);
    OPTIONS
        .iter()
        .filter(|o| o.secret)
        .any(|o| o.name.eq_ignore_ascii_case(&bare) || o.aliases.iter().any(|a| a.eq_ignore_ascii_case(&bare)))
        || ["password", "token", "apikey", "secret"].iter().any(|w| bare.contains(w))
}

/// Every name and alias, for "did you mean" suggestions.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    OPTIONS.iter().filter(|o| !o.prefix).flat_map(|o| std::iter::once(o.name).chain(o.aliases.iter().copied()))
}

/// katalonc's own `-browserType` values (exact, case-sensitive).
pub const BROWSERS: &[&str] = &[
    "Firefox",
    "Chrome",
    "IE",
    "Safari",
    "Remote",
    "Edge",
    "Edge Chromium",
    "Chrome (headless)",
    "Firefox (headless)",
    "Kobiton Device",
    "Android",
    "iOS",
    "Web Service",
    "Windows",
];

/// Built-in browsers that cannot run on a Linux host.
pub const NOT_ON_LINUX: &[&str] = &["IE", "Safari", "Edge", "Edge Chromium", "iOS", "Windows"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_case_sensitive_and_knows_aliases_and_prefixes() {
        assert!(matches!(find("apikey"), Some(Known::Opt(o)) if o.name == "apiKey"));
        assert!(find("testsuitepath").is_none());
        assert!(matches!(find("proxy.auth.option"), Some(Known::Opt(o)) if o.section == Section::Config));
        assert!(matches!(find("g_baseUrl"), Some(Known::Global)));
        assert!(find("g_").is_none());
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = all_names().collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }
}
