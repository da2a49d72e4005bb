//! The one table of katalonc options ([`OPTIONS`]): every option of
//! katalon.md §4 with its section, the shape of its value and the Katalon
//! version that introduced it, one row each, in the order of Katalon's page
//! "Command-line syntax in Katalon Runtime Engine", so a reader can diff the
//! two. The lint, the docs and `check` read it; nothing else in the crate
//! spells option names out. Also here: katalonc's `-browserType` values and
//! which operating systems each runs on.
//!
//! katalonc parses with jopt-simple: names are case-sensitive, unknown
//! options are silently ignored, there are no abbreviations, and options
//! that share a prefix (`-proxy.auth.option`, `-proxy.auth.server.type`)
//! are different options.

pub use crate::project::version::Version;

/// What an option's value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    /// No value (`-noSplash`).
    Flag,
    /// Free text.
    Text,
    /// Free text naming a file or folder (relative paths are relative to katalonc's working directory).
    Path,
    /// A whole number.
    Int,
    /// A whole number from `.0` to `.1`, both included.
    IntIn(i64, i64),
    /// `true` or `false` (katalonc reads anything else as `false`).
    Bool,
    /// Exactly one of these (case-sensitive).
    Enum(&'static [&'static str]),
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

    /// The section a line is in after `word`, when `word` is a section
    /// marker (`None` otherwise). katalonc reads `--info` after `--config`
    /// as still in the config section.
    pub fn after_marker(self, word: &str) -> Option<Section> {
        match word {
            CONFIG => Some(Section::Config),
            INFO if self == Section::Main => Some(Section::Info),
            INFO => Some(self),
            _ => None,
        }
    }
}

/// The token that starts the `--config` section.
pub const CONFIG: &str = "--config";
/// The token that starts the `--info` section.
pub const INFO: &str = "--info";
/// Global variable overrides: `-g_<Variable>=value`.
pub const GLOBAL_PREFIX: &str = "g_";

/// One katalonc option: one row of [`OPTIONS`].
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    /// Without the leading dash; matched exactly (never as a prefix).
    pub name: &'static str,
    pub section: Section,
    pub value: Value,
    /// The Katalon version that introduced it; empty for options already in
    /// the 7.8 source (the floor of the table).
    pub since: &'static [u32],
    pub aliases: &'static [&'static str],
    /// Its value is a credential: registered for redaction, never echoed.
    pub secret: bool,
}

impl Opt {
    /// The version that introduced it, `None` for the 7.8 floor.
    pub fn since_version(&self) -> Option<Version> {
        (!self.since.is_empty()).then(|| Version(self.since.to_vec()))
    }
}

use Section::{Config as C, Info as I, Main as M};
use Value::{Bool, Enum, Flag, Int, IntIn, Path, Text};

/// An option of the 7.8 floor, or of a later version.
const fn row(name: &'static str, section: Section, value: Value, since: &'static [u32]) -> Opt {
    Opt { name, section, value, since, aliases: &[], secret: false }
}

const fn secret(o: Opt) -> Opt {
    Opt { secret: true, ..o }
}

const fn aka(o: Opt, aliases: &'static [&'static str]) -> Opt {
    Opt { aliases, ..o }
}

/// `-retryStrategy` values.
pub const RETRY_STRATEGIES: &[&str] = &["allExecutions", "failedExecutions", "immediately"];
/// `-proxy*.option` values.
pub const PROXY_OPTIONS: &[&str] = &["NO_PROXY", "USE_SYSTEM", "MANUAL_CONFIG"];
/// `-proxy*.server.type` values.
pub const PROXY_TYPES: &[&str] = &["HTTP", "HTTPS", "SOCKS"];

/// The 7.8 floor: an option in this version or earlier has `since: FLOOR`.
const FLOOR: &[u32] = &[];

/// Every katalonc option of 7.8–10.x (katalon.md §4).
#[rustfmt::skip]
pub const OPTIONS: &[Opt] = &[
    //  name                                       section  value                          since
    // run
    row("noSplash",                                M, Flag,                                FLOOR),
    row("runMode",                                 M, Enum(&["console"]),                  FLOOR),
    row("projectPath",                             M, Path,                                FLOOR),
    row("testSuitePath",                           M, Text,                                FLOOR),
    row("testSuiteCollectionPath",                 M, Text,                                FLOOR),
    row("testSuiteQuery",                          M, Text,                                FLOOR),
    row("testSuiteCollectionQuery",                M, Text,                                &[8, 0]),
    row("browserType",                             M, Text,                                FLOOR),
    row("executionProfile",                        M, Text,                                FLOOR),
    row("retry",                                   M, Int,                                 FLOOR),
    row("retryFailedTestCases",                    M, Bool,                                FLOOR),
    row("retryFailedTestCasesTestData",            M, Bool,                                FLOOR),
    row("retryStrategy",                           M, Enum(RETRY_STRATEGIES),              &[7, 6]),
    row("statusDelay",                             M, Int,                                 FLOOR),
    row("delayBetweenInstances",                   M, IntIn(0, 999),                       FLOOR),
    row("maxFailedTests",                          M, Int,                                 &[8, 1]),
    row("maxResponseSize",                         M, Int,                                 &[7, 6]),
    row("reportFolder",                            M, Path,                                FLOOR),
    row("reportFileName",                          M, Text,                                FLOOR),
    row("sendMail",                                M, Text,                                FLOOR),
    row("propertiesFile",                          M, Path,                                FLOOR),
    row("executionUUID",                           M, Text,                                FLOOR),
    row("consoleLog",                              M, Flag,                                FLOOR),
    row("noExit",                                  M, Flag,                                FLOOR),
    // devices
    row("remoteWebDriverUrl",                      M, Text,                                FLOOR),
    row("remoteWebDriverType",                     M, Enum(&["Selenium", "Appium"]),       FLOOR),
    row("deviceId",                                M, Text,                                FLOOR),
    row("appiumDirectory",                         M, Path,                                FLOOR),
    row("kobitonDeviceId",                         M, Text,                                FLOOR),
    secret(row("kobitonToken",                     M, Text,                                FLOOR)),
    row("kobitonUserName",                         M, Text,                                FLOOR),
    // licence
    secret(aka(row("apiKey",                       M, Text,                                FLOOR), &["apikey"])),
    secret(aka(row("apiKeyOnPremise",              M, Text,                                FLOOR), &["apiKeyOP"])),
    aka(row("orgId",                               M, Text,                                FLOOR), &["orgID"]),
    row("license",                                 M, Text,                                FLOOR),
    row("licenseRelease",                          M, Bool,                                &[8, 0]),
    row("serverUrl",                               M, Text,                                &[8, 3, 5]),
    row("enableLicenseRetry",                      M, Bool,                                FLOOR),
    row("licenseRetryMaxDuration",                 M, Int,                                 FLOOR),
    row("licenseRetryInterval",                    M, Int,                                 FLOOR),
    row("licenseRetryMaxJitter",                   M, Int,                                 FLOOR),
    // TestOps
    row("testOpsProjectId",                        M, Text,                                FLOOR),
    row("testOpsReleaseId",                        M, Text,                                FLOOR),
    row("testOpsBuildId",                          M, Text,                                &[8, 0]),
    row("analyticsProjectId",                      M, Text,                                FLOOR),
    row("testOps.serverUrl",                       M, Text,                                &[8, 4]),
    row("testOps.baselineCollectionId",            M, Text,                                &[8, 4]),
    row("testOps.customField",                     M, Text,                                FLOOR),
    row("testOps.tag",                             M, Text,                                FLOOR),
    row("testOps.enabled",                         M, Bool,                                &[10, 1]),
    row("testOps.testRunName",                     M, Text,                                &[10, 3, 1]),
    // TestCloud
    row("testcloudEnvironmentId",                  M, Text,                                &[8, 2, 5]),
    row("testcloudTunnel",                         M, Bool,                                &[8, 2, 5]),
    row("testcloudMobileDeviceId",                 M, Text,                                &[8, 2, 5]),
    row("testcloudMobileId",                       M, Text,                                &[8, 2, 5]),
    // other integrations
    row("qTestDestId",                             M, Text,                                FLOOR),
    row("qTestDestType",                           M, Text,                                FLOOR),
    row("adoPlanId",                               M, Text,                                &[8, 0]),
    row("adoTestRunName",                          M, Text,                                &[8, 0]),
    row("installPlugin",                           M, Path,                                FLOOR),
    // --info
    row("buildLabel",                              I, Text,                                FLOOR),
    row("buildURL",                                I, Text,                                FLOOR),
    row("adoDefinitionID",                         I, Text,                                &[8, 0]),
    // --config: proxy (the pre-7.5 names)
    row("proxy.option",                            C, Enum(PROXY_OPTIONS),                 FLOOR),
    row("proxy.server.type",                       C, Enum(PROXY_TYPES),                   FLOOR),
    row("proxy.server.address",                    C, Text,                                FLOOR),
    row("proxy.server.port",                       C, Int,                                 FLOOR),
    row("proxy.username",                          C, Text,                                FLOOR),
    secret(row("proxy.password",                   C, Text,                                FLOOR)),
    row("proxy.excludes",                          C, Text,                                FLOOR),
    // --config: authentication proxy
    row("proxy.auth.option",                       C, Enum(PROXY_OPTIONS),                 FLOOR),
    row("proxy.auth.server.type",                  C, Enum(PROXY_TYPES),                   FLOOR),
    row("proxy.auth.server.address",               C, Text,                                FLOOR),
    row("proxy.auth.server.port",                  C, Int,                                 FLOOR),
    row("proxy.auth.excludes",                     C, Text,                                FLOOR),
    row("proxy.auth.username",                     C, Text,                                FLOOR),
    secret(row("proxy.auth.password",              C, Text,                                FLOOR)),
    // --config: system proxy
    row("proxy.system.option",                     C, Enum(PROXY_OPTIONS),                 FLOOR),
    row("proxy.system.server.type",                C, Enum(PROXY_TYPES),                   FLOOR),
    row("proxy.system.server.address",             C, Text,                                FLOOR),
    row("proxy.system.server.port",                C, Int,                                 FLOOR),
    row("proxy.system.excludes",                   C, Text,                                FLOOR),
    row("proxy.system.username",                   C, Text,                                FLOOR),
    secret(row("proxy.system.password",            C, Text,                                FLOOR)),
    row("proxy.system.applyToDesiredCapabilities", C, Bool,                                FLOOR),
    // --config: Kobiton
    row("kobiton.authentication.serverUrl",        C, Text,                                &[7, 8]),
    row("kobiton.authentication.username",         C, Text,                                FLOOR),
    secret(row("kobiton.authentication.password",  C, Text,                                FLOOR)),
    secret(row("kobiton.authentication.apiKey",    C, Text,                                &[7, 8])),
    // --config: web UI
    row("webui.autoUpdateDrivers",                 C, Bool,                                FLOOR),
];

/// What a `-name` resolves to.
#[derive(Debug, Clone, Copy)]
pub enum Known {
    Opt(&'static Opt),
    /// `-g_<name>`: overrides the global variable `name`.
    Global,
}

/// Looks an option up by its exact (case-sensitive) name or alias, without the dash.
pub fn find(name: &str) -> Option<Known> {
    if let Some(var) = name.strip_prefix(GLOBAL_PREFIX)
        && !var.is_empty()
    {
        return Some(Known::Global);
    }
    OPTIONS.iter().find(|o| o.name == name || o.aliases.contains(&name)).map(Known::Opt)
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
    OPTIONS.iter().flat_map(|o| std::iter::once(o.name).chain(o.aliases.iter().copied()))
}

/// The known name `name` is a near miss of — equal ignoring case, or at
/// most two edits away — when there is one (the closest). katalonc ignores
/// an unknown option silently, so a near miss is a real bug; a name far
/// from every known one may simply be newer than this table.
pub fn near_miss(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    all_names()
        .map(|known| (strsim::levenshtein(&lower, &known.to_ascii_lowercase()), known))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, known)| known)
}

/// An operating system a run happens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    Linux,
    Windows,
    Macos,
}

impl Os {
    /// `linux`, `windows`, `macos` (any case; GitHub's `RUNNER_OS` spells them `Linux`, `Windows`, `macOS`).
    pub fn parse(text: &str) -> Option<Os> {
        match text.trim().to_ascii_lowercase().as_str() {
            "linux" => Some(Os::Linux),
            "windows" => Some(Os::Windows),
            "macos" | "osx" | "darwin" => Some(Os::Macos),
            _ => None,
        }
    }

    /// The host katalon-prep runs on (Linux for anything not Windows or macOS).
    pub fn host() -> Os {
        match std::env::consts::OS {
            "windows" => Os::Windows,
            "macos" => Os::Macos,
            _ => Os::Linux,
        }
    }

    /// The OS the run is on: `RUNNER_OS` (GitHub Actions) when set, else the host.
    pub fn of_run(env: &crate::env::Env) -> Os {
        env.runner_os.as_deref().and_then(Os::parse).unwrap_or_else(Os::host)
    }
}

impl std::fmt::Display for Os {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Os::Linux => "Linux",
            Os::Windows => "Windows",
            Os::Macos => "macOS",
        })
    }
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
    "TestCloud",
];

/// The built-in browsers that run on some systems only, and those systems
/// (katalon.md §4); every other browser runs everywhere. The lint and
/// `matrix` both read it.
#[rustfmt::skip]
pub const BROWSER_SYSTEMS: &[(&str, &[Os])] = &[
    ("IE",            &[Os::Windows]),
    ("Edge",          &[Os::Windows]),
    ("Windows",       &[Os::Windows]),
    ("Edge Chromium", &[Os::Windows, Os::Macos]),
    ("Safari",        &[Os::Macos]),
    ("iOS",           &[Os::Macos]),
];

/// Whether built-in browser `browser` runs on `os` (custom configurations: yes, as far as known).
pub fn runs_on(browser: &str, os: Os) -> bool {
    BROWSER_SYSTEMS.iter().find(|(b, _)| *b == browser).is_none_or(|(_, systems)| systems.contains(&os))
}

/// The browsers that run on `os`, for hints.
pub fn browsers_for(os: Os) -> Vec<&'static str> {
    BROWSERS.iter().copied().filter(|b| runs_on(b, os)).collect()
}

/// The Katalon version a `-browserType` value needs, beyond the option itself.
pub fn browser_since(browser: &str) -> Option<Version> {
    (browser == "TestCloud").then(|| Version(vec![8, 2, 5]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_markers_switch_sections_as_katalonc_reads_them() {
        assert_eq!(Section::Main.after_marker(CONFIG), Some(Section::Config));
        assert_eq!(Section::Info.after_marker(CONFIG), Some(Section::Config));
        assert_eq!(Section::Main.after_marker(INFO), Some(Section::Info));
        // `--info` after `--config` is still the config section.
        assert_eq!(Section::Config.after_marker(INFO), Some(Section::Config));
        assert_eq!(Section::Main.after_marker("-browserType=Chrome"), None);
    }

    #[test]
    fn lookup_is_exact_and_knows_aliases() {
        assert!(matches!(find("apikey"), Some(Known::Opt(o)) if o.name == "apiKey"));
        assert!(find("testsuitepath").is_none());
        assert!(matches!(find("g_baseUrl"), Some(Known::Global)));
        assert!(find("g_").is_none());
        assert!(find("proxy.auth.").is_none());
    }

    #[test]
    fn options_sharing_a_prefix_are_different_options() {
        let auth: Vec<&str> = OPTIONS.iter().map(|o| o.name).filter(|n| n.starts_with("proxy.auth.")).collect();
        assert_eq!(auth.len(), 7, "{auth:?}");
        for name in auth {
            assert!(matches!(find(name), Some(Known::Opt(o)) if o.name == name && o.section == Section::Config));
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = all_names().collect();
        let n = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn near_misses_are_case_or_two_edits() {
        assert_eq!(near_miss("testSuitPath"), Some("testSuitePath"));
        assert_eq!(near_miss("executionProfle"), Some("executionProfile"));
        assert_eq!(near_miss("TESTSUITEPATH"), Some("testSuitePath"));
        assert_eq!(near_miss("fooBarBaz"), None);
        assert_eq!(near_miss("testOps.newThing"), None);
    }

    #[test]
    fn browsers_run_where_the_table_says() {
        assert!(runs_on("Chrome", Os::Linux) && runs_on("Chrome Grid", Os::Linux));
        assert!(!runs_on("IE", Os::Linux) && runs_on("IE", Os::Windows) && !runs_on("Safari", Os::Windows));
        assert!(runs_on("Safari", Os::Macos) && runs_on("TestCloud", Os::Linux));
    }
}
