//! `katalon-prep.yml` exactly as written: serde types that mirror the YAML,
//! with no validation beyond shapes. Unknown keys are rejected here
//! (`deny_unknown_fields`) so that a misspelt key is reported, not ignored.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    pub project: Option<String>,
    pub run: Option<RawRun>,
    pub api_key: Option<RawApiKey>,
    pub offline: Option<bool>,
    pub store: Option<RawStore>,
    pub plugins: Option<Vec<RawPlugin>>,
    pub lint: Option<RawLint>,
    pub engine: Option<RawEngine>,
}

/// The top-level `engine:` section (the Katalon Runtime Engine to provision).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawEngine {
    /// An exact version, but YAML may read `10.3` as a float: kept as a value.
    pub version: Option<serde_yaml::Value>,
    pub url: Option<String>,
}

/// The top-level `store:` settings (the Katalon Store the account lives on).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawStore {
    pub url: Option<String>,
    /// A version number, but YAML may read `9.0` as a float: kept as a value.
    pub app_version: Option<serde_yaml::Value>,
    pub license_type: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRun {
    pub test_suite: Option<String>,
    pub test_suite_collection: Option<String>,
    pub browser: Option<String>,
    pub profile: Option<String>,
    pub retry: Option<u32>,
    pub report_folder: Option<String>,
    pub globals: Option<BTreeMap<String, serde_yaml::Value>>,
    pub args: Option<Vec<String>>,
    pub config: Option<BTreeMap<String, serde_yaml::Value>>,
    pub display: Option<String>,
    /// A duration: a bare number of seconds, or text such as `30m`.
    pub timeout: Option<serde_yaml::Value>,
    pub kill_after: Option<serde_yaml::Value>,
}

/// The `lint:` settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLint {
    /// Rule ids turned off.
    pub allow: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawApiKey {
    pub env: Option<String>,
}

/// One plugin entry: every source key is optional here and validation checks
/// that exactly one is present (an untagged enum would swallow misspelt keys).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPlugin {
    pub path: Option<String>,
    pub url: Option<String>,
    /// A product id (`42`), a product name, or `all`.
    pub store: Option<serde_yaml::Value>,
    /// `owner/repo` of a GitHub release.
    pub github: Option<String>,
    pub tag: Option<serde_yaml::Value>,
    pub asset: Option<String>,
    pub sha256: Option<String>,
    pub kind: Option<RawKind>,
    pub jar: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RawKind {
    Keyword,
    Platform,
}
