//! katalon-prep: prepares a Katalon test run in CI.
//!
//! Data flows one way — **workspace → key → plan → line → reconcile (lock) →
//! resolve → fetch (cache) → install (project) → settings → engine** — and
//! each stage is a module that knows nothing of the later ones. The whole
//! path, as `prepare` runs it: the binary loads the workspace and hands it to
//! [`pipeline::prepare`], one function that calls the stages in this order,
//! each in a tracing span of its name (`-v` shows them):
//!
//! ```text
//! workspace::Workspace::load  katalon-prep.yml, the project index, katalon-prep.lock: each read once
//! pipeline::prepare
//!   key                       the API key from CI secrets (never printed), masked before anything logs
//!   plan                      plan::check: the run (config + shard) against the project and the lock
//!   line                      build_line + katalonc::lint; refused on lint errors (exit 13); `args` stops here
//!   reconcile                 whether the lock may be used as it is (--locked refuses drift)
//!   resolve                   each plugin entry (or its lock entry) as concrete artifacts
//!   fetch                     each artifact into the content-addressed cache
//!   install                   jars into Plugins/ and Plugins/platform/
//!   settings                  plugin.reloadOption="OFFLINE" when asked
//!   engine                    the engine: lock pin → cache (verified) → the project's writable copy
//! ```
//!
//! It returns the line, the key and what was installed; the binary prints the
//! line and publishes it to the CI, and `run` adds katalonc (`run::supervise`)
//! and the report (`results`) after it. The library prints nothing: it
//! returns values and reports [`report::Event`]s through the
//! [`report::Reporter`] the binary gives it.

pub mod ci;
pub mod cli;
pub mod config;
pub mod context;
pub mod digest;
pub mod duration;
pub mod engine;
pub mod env;
pub mod error;
pub mod exit;
pub mod fsutil;
pub mod init;
pub mod katalonc;
pub mod location;
pub mod lock;
pub mod matrix;
pub mod net;
pub mod ownership;
pub mod pipeline;
pub mod plan;
pub mod plugins;
pub mod project;
pub mod report;
pub mod results;
pub mod run;
pub mod secret;
pub mod workspace;
pub mod yaml;

pub use context::Context;
pub use error::Error;
pub use exit::Exit;
pub use pipeline::{Installed, PluginRow};
pub use plugins::FetchOptions;
pub use report::human_bytes;
