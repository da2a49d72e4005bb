//! Test suite collections (`.ts` files with a `<TestSuiteCollectionEntity>`
//! root): their run entries, execution mode and concurrency, each entry with
//! the line it is written at. Read-only and tolerant: a missing element takes
//! Katalon's default instead of failing.

use std::path::PathBuf;

use super::{Error, Project, read, xml};
use crate::location::Location;

/// `<executionMode>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Sequential,
    Parallel,
}

/// One `<TestSuiteRunConfiguration>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `<testSuiteEntity>`: project-relative, without `.ts`.
    pub suite: String,
    /// `<runConfigurationId>`: a `-browserType` value.
    pub run_configuration: Option<String>,
    /// `<profileName>`.
    pub profile: Option<String>,
    /// `<runEnabled>` (missing means enabled).
    pub enabled: bool,
    /// `<runConfigurationData>` entries (device ids and the like), by key:
    /// katalonc's `-browserType` cannot carry them.
    pub data_keys: Vec<String>,
    pub at: Location,
}

/// A test suite collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    /// Project-relative, without `.ts`.
    pub path: String,
    pub file: PathBuf,
    pub mode: Mode,
    /// `<maxConcurrentInstances>`, when present and a number.
    pub max_concurrent: Option<u32>,
    pub entries: Vec<Entry>,
}

impl Collection {
    /// How many entries may run at once: `maxConcurrentInstances` for a
    /// PARALLEL collection, 1 for a SEQUENTIAL one.
    pub fn max_parallel(&self) -> u32 {
        match self.mode {
            Mode::Sequential => 1,
            Mode::Parallel => self.max_concurrent.filter(|n| *n > 0).unwrap_or(1),
        }
    }
}

/// A `.ts` file, read and parsed once: a suite, or a collection with its entries.
pub enum Ts {
    Suite,
    Collection(Collection),
}

impl Project {
    /// Reads the collection at `path` (project-relative, `.ts` optional).
    pub fn collection(&self, path: &str) -> Result<Collection, Error> {
        let path = super::ts_path(path);
        match self.ts(path)? {
            Ts::Collection(collection) => Ok(collection),
            Ts::Suite => Err(Error::Xml {
                message: format!("`{path}` is a test suite, not a test suite collection"),
                hint: Some("give a collection, or shard suites with --suites".into()),
            }),
        }
    }

    /// Reads the `.ts` at `path` (project-relative, without `.ts`) once:
    /// its kind and, for a collection, its entries.
    pub fn ts(&self, path: &str) -> Result<Ts, Error> {
        let path = path.to_string();
        let file = self.root.join(format!("{path}.ts"));
        let text = read(&file)?;
        let doc = xml::parse(&text, &file)?;
        if xml::expect_root(&doc, &file, &["TestSuiteEntity", "TestSuiteCollectionEntity"])?
            != "TestSuiteCollectionEntity"
        {
            return Ok(Ts::Suite);
        }
        let root = doc.root_element();
        let mode = match xml::child_text(root, "executionMode").as_deref() {
            Some(m) if m.eq_ignore_ascii_case("PARALLEL") => Mode::Parallel,
            _ => Mode::Sequential,
        };
        let max_concurrent = xml::child_text(root, "maxConcurrentInstances").and_then(|n| n.parse().ok());
        let entries = root
            .descendants()
            .filter(|n| n.has_tag_name("TestSuiteRunConfiguration"))
            .filter_map(|n| {
                let suite = xml::child_text(n, "testSuiteEntity")?;
                let suite = suite.strip_suffix(".ts").unwrap_or(&suite).to_string();
                let data_keys = n
                    .descendants()
                    .filter(|d| d.has_tag_name("runConfigurationData"))
                    .flat_map(|d| d.descendants().filter(|e| e.has_tag_name("key")))
                    .filter_map(|k| k.text().map(|t| t.trim().to_string()))
                    .filter(|t| !t.is_empty())
                    .collect();
                Some(Entry {
                    suite,
                    run_configuration: xml::descendant_text(n, "runConfigurationId"),
                    profile: xml::descendant_text(n, "profileName"),
                    enabled: !xml::child_text(n, "runEnabled").is_some_and(|v| v.eq_ignore_ascii_case("false")),
                    data_keys,
                    at: xml::location(&doc, n, &file),
                })
            })
            .collect();
        Ok(Ts::Collection(Collection { path, file, mode, max_concurrent, entries }))
    }
}
