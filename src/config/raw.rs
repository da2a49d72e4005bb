//! `katalon-prep.yml` exactly as written: serde types that mirror the YAML,
//! with no validation beyond shapes. Unknown keys are rejected here
//! (`deny_unknown_fields`) so that a misspelt key is reported, not ignored.
//! A value whose place a later check may name is read as a [`Spanned`].

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::yaml::{Spanned, Value};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawConfig {
    pub project: Option<Spanned<String>>,
    pub run: Option<RawRun>,
    pub api_key: Option<RawApiKey>,
    pub offline: Option<bool>,
    pub store: Option<Spanned<RawStore>>,
    pub plugins: Option<Vec<Spanned<RawPlugin>>>,
    pub lint: Option<RawLint>,
    pub engine: Option<Spanned<RawEngine>>,
}

/// The top-level `engine:` section (the Katalon Runtime Engine to provision).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawEngine {
    /// An exact version, but YAML may read `10.3` as a float: kept as a value.
    pub version: Option<Spanned<Value>>,
    pub url: Option<Spanned<String>>,
}

/// The top-level `store:` settings (the Katalon Store the account lives on).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawStore {
    pub url: Option<Spanned<String>>,
    /// A version number, but YAML may read `9.0` as a float: kept as a value.
    pub app_version: Option<Spanned<Value>>,
    pub license_type: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawRun {
    pub test_suite: Option<Spanned<String>>,
    pub test_suite_collection: Option<Spanned<String>>,
    pub browser: Option<Spanned<String>>,
    pub profile: Option<Spanned<String>>,
    pub retry: Option<u32>,
    pub report_folder: Option<String>,
    pub globals: Option<BTreeMap<String, Spanned<Value>>>,
    pub args: Option<Vec<Spanned<String>>>,
    pub config: Option<BTreeMap<String, Spanned<Value>>>,
    pub display: Option<Spanned<String>>,
    /// A duration: a bare number of seconds, or text such as `30m`.
    pub timeout: Option<Spanned<Value>>,
    pub kill_after: Option<Spanned<Value>>,
}

/// The `lint:` settings.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawLint {
    /// Rule ids turned off.
    pub allow: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawApiKey {
    pub env: Option<Spanned<String>>,
}

/// One plugin entry: every source key is optional here and validation checks
/// that exactly one is present (an untagged enum would swallow misspelt keys).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawPlugin {
    pub path: Option<String>,
    pub url: Option<Spanned<String>>,
    /// A product id (`42`), a product name, or `all`.
    pub store: Option<Spanned<Value>>,
    /// `owner/repo` of a GitHub release.
    pub github: Option<Spanned<String>>,
    pub tag: Option<Spanned<Value>>,
    pub asset: Option<Spanned<String>>,
    pub sha256: Option<Spanned<String>>,
    pub kind: Option<Spanned<RawKind>>,
    pub jar: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum RawKind {
    Keyword,
    Platform,
}
