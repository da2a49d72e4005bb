//! Shards for a CI's own parallel engine: one per enabled entry of a test
//! suite collection, or one per test suite matching a glob. A [`Shard`] is
//! also what `prepare`/`args`/`run --shard` take back to prepare one of them.
//!
//! Reads the project only; rendering for a CI lives in `ci::github` and
//! `ci::gitlab`.

use serde::{Deserialize, Serialize};

use crate::config::{Run, Target};
use crate::location::{Located, Location};
use crate::project::collection::{Collection, Mode};
use crate::project::{self, Project, TsKind};

/// One shard: the suite, and optionally the browser and profile, that
/// replace the config's `run` values. Serialised as one `include` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suite: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

impl Shard {
    /// Parses `--shard '<json>'`.
    pub fn parse(json: &str) -> Result<Shard, String> {
        serde_json::from_str(json).map_err(|e| format!("`--shard` is not a shard: {e}"))
    }

    /// One line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// Replaces the run's suite, browser and profile with the shard's.
    pub fn apply(&self, run: &mut Run) {
        if let Some(suite) = &self.suite {
            let suite = crate::project::ts_path(suite);
            run.target = Some(Located::bare(Target::Suite(suite.to_string())));
        }
        if let Some(browser) = &self.browser {
            run.browser = Some(Located::bare(browser.clone()));
        }
        if let Some(profile) = &self.profile {
            run.profile = Some(Located::bare(profile.clone()));
        }
    }

    /// A short label for job names: `Test Suites/A (Chrome, default)`.
    pub fn label(&self) -> String {
        let extra: Vec<&str> = [&self.browser, &self.profile].into_iter().flatten().map(String::as_str).collect();
        let suite = self.suite.as_deref().unwrap_or("(config)");
        if extra.is_empty() { suite.to_string() } else { format!("{suite} ({})", extra.join(", ")) }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Project(#[from] project::Error),
    #[error("`{glob}` is not a valid glob: {reason}")]
    Glob { glob: String, reason: String },
    #[error("{what} gives no shards")]
    Empty { what: String, hint: Option<String> },
    #[error("`{path}` is a test suite, not a test suite collection{}", crate::location::suffix(at))]
    NotACollection { path: String, at: Option<Location> },
    #[error("The collection runs suites that do not exist in the project:\n{}", list(missing))]
    MissingSuites { missing: Vec<(String, Location)> },
}

impl Error {
    /// The documented exit code.
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::Project(e) => e.exit(),
            Error::Glob { .. } => Exit::Usage,
            Error::Empty { .. } => Exit::Project,
            Error::NotACollection { .. } => Exit::Project,
            Error::MissingSuites { .. } => Exit::Project,
        }
    }

    /// What the user can do about it, printed after the cause chain.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Project(e) => e.hint(),
            Error::Glob { .. } => None,
            Error::Empty { hint, .. } => hint.clone(),
            Error::NotACollection { path, .. } => Some(format!("shard suites with --suites '{path}'")),
            Error::MissingSuites { .. } => None,
        }
    }
}

fn list(missing: &[(String, Location)]) -> String {
    missing.iter().map(|(s, at)| format!("  - {s} (at {at})")).collect::<Vec<_>>().join("\n")
}

/// Shards and how many may run at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    pub shards: Vec<Shard>,
    pub max_parallel: u32,
    /// Collection entries left out because `runEnabled` is false.
    pub skipped: usize,
    /// Worth a warning (e.g. device settings a shard cannot carry).
    pub warnings: Vec<String>,
}

impl Matrix {
    /// `{"include":[...]}` for GitHub's `strategy.matrix`, on one line, keys
    /// in shard order (suite, browser, profile).
    pub fn github_json(&self) -> String {
        #[derive(Serialize)]
        struct Include<'a> {
            include: &'a [Shard],
        }
        serde_json::to_string(&Include { include: &self.shards }).unwrap_or_else(|_| "{}".into())
    }
}

/// One shard per enabled `<TestSuiteRunConfiguration>` of `collection`
/// (read by [`crate::plan::check`]), whatever the execution mode;
/// `max_parallel` is `maxConcurrentInstances` for a PARALLEL collection, 1
/// for a SEQUENTIAL one.
pub fn from_collection(project: &Project, collection: &Collection) -> Result<Matrix, Error> {
    let mut shards = Vec::new();
    let mut missing = Vec::new();
    let mut warnings = Vec::new();
    let mut skipped = 0;
    for entry in &collection.entries {
        if !entry.enabled {
            skipped += 1;
            continue;
        }
        if project.ts_kind_at(&entry.suite) != Some(TsKind::Suite) {
            missing.push((entry.suite.clone(), entry.at.clone()));
            continue;
        }
        if !entry.data_keys.is_empty() {
            warnings.push(format!(
                "{}: `{}` on `{}` has run configuration data ({}) that -browserType cannot carry; give it with `run.args` (e.g. -deviceId=...)",
                entry.at,
                entry.suite,
                entry.run_configuration.as_deref().unwrap_or("?"),
                entry.data_keys.join(", ")
            ));
        }
        shards.push(Shard {
            suite: Some(entry.suite.clone()),
            browser: entry.run_configuration.clone(),
            profile: entry.profile.clone(),
        });
    }
    if !missing.is_empty() {
        return Err(Error::MissingSuites { missing });
    }
    if shards.is_empty() {
        let hint = if skipped > 0 {
            Some(format!("all {skipped} entries have runEnabled=false"))
        } else {
            Some("the collection lists no test suites".into())
        };
        return Err(Error::Empty { what: format!("Collection `{}`", collection.path), hint });
    }
    let max_parallel = match collection.mode {
        Mode::Sequential => 1,
        Mode::Parallel => collection.max_parallel(),
    };
    Ok(Matrix { shards, max_parallel, skipped, warnings })
}

/// One shard per test suite (not collection) whose project-relative path,
/// with or without `.ts`, matches `glob` (`*` stays within a folder, `**`
/// crosses folders). `max_parallel` is the number of shards.
pub fn from_suites(
    project: &Project,
    glob: &str,
    browser: Option<String>,
    profile: Option<String>,
) -> Result<Matrix, Error> {
    let matcher = globset::GlobBuilder::new(glob.trim_end_matches('/'))
        .literal_separator(true)
        .build()
        .map_err(|e| Error::Glob { glob: glob.to_string(), reason: e.kind().to_string() })?
        .compile_matcher();
    let shards: Vec<Shard> = project
        .ts_files()
        .into_iter()
        .filter(|p| matcher.is_match(p) || matcher.is_match(format!("{p}.ts")))
        .filter(|p| project.ts_kind_at(p) == Some(TsKind::Suite))
        .map(|p| Shard { suite: Some(p), browser: browser.clone(), profile: profile.clone() })
        .collect();
    if shards.is_empty() {
        return Err(Error::Empty {
            what: format!("`--suites {glob}`"),
            hint: Some(
                "no test suite under `Test Suites/` matches; `*` stays within a folder, `**` crosses folders".into(),
            ),
        });
    }
    let max_parallel = u32::try_from(shards.len()).unwrap_or(u32::MAX);
    Ok(Matrix { shards, max_parallel, skipped: 0, warnings: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_json_round_trips_and_rejects_unknown_keys() {
        let s = Shard::parse(r#"{"suite":"Test Suites/A","browser":"Chrome"}"#).unwrap();
        assert_eq!(s.to_json(), r#"{"suite":"Test Suites/A","browser":"Chrome"}"#);
        assert!(Shard::parse(r#"{"suite":"x","brower":"y"}"#).unwrap_err().contains("brower"));
    }
}
