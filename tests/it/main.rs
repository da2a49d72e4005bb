//! The integration tests: one binary, one module per story area. Every test runs
//! the real `katalon-prep` binary against real local servers and temp dirs.

mod remote;
mod support;

mod api_key;
mod boundaries;
mod check;
mod completions;
mod config_errors;
mod docs;
mod emit;
// The synthetic engines are Unix archives (symlinks, a shell-script katalonc)
// that the engine refuses on Windows: not run under Wine yet.
#[cfg(unix)]
mod engine;
mod fuzz;
mod github;
mod github_action;
mod hardening;
mod help;
mod init;
mod lint_corpus;
mod lint_rules;
mod lock;
mod matrix;
mod network;
// File owners and root: Unix notions.
#[cfg(unix)]
mod ownership;
mod plugins;
mod project;
mod reliability;
mod report;
mod run;
mod secrets;
mod shells;
mod store;
mod supervise;
// Needs openssl to make its certificates: not on the Windows test runs.
#[cfg(unix)]
mod tls;
