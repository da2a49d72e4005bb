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
    pub plugins: Option<Vec<RawPlugin>>,
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
