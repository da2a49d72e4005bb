//! The plan: what one run asks for ([`Request`]) checked against the
//! [`Workspace`], once, for every command that runs or checks the config
//! (`prepare`, `args`, `run`, `check`, `matrix`).
//!
//! [`check`] reads nothing: it borrows the workspace and returns the
//! [`Plan`] with every [`Finding`]; each command decides which findings are
//! fatal for it (`prepare` refuses a missing suite, `check` lists it). The
//! plan is not changed once made.

use crate::config::{self, Config, Source, Target};
use crate::error::Error;
use crate::location::Located;
use crate::lock;
use crate::matrix::Shard;
use crate::project::collection::{Collection, Ts};
use crate::project::{self, Project, ResolvedTarget, TsKind};
use crate::workspace::Workspace;

/// What one run asks for beyond the config.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// `--shard` (or `--suite`/`--browser`/`--profile`): replaces the config's `run` values.
    pub shard: Shard,
    /// `--offline`: set `plugin.reloadOption="OFFLINE"` even when the config does not.
    pub offline: bool,
    /// Replaces the run's target after the shard (`matrix --collection`).
    pub target: Option<Located<Target>>,
}

/// The config checked against the project, for one run.
pub struct Plan<'w> {
    pub workspace: &'w Workspace,
    /// The config's `run:` with the shard applied.
    pub run: config::Run,
    /// The run's target, checked; `None` when none is configured or it is missing.
    pub target: Option<ResolvedTarget>,
    /// The target's entries when it is a collection, from the one read of its `.ts`.
    pub collection: Option<Collection>,
    /// Whether the project is set to load plugins offline (config or `--offline`).
    pub offline: bool,
    /// How the lock fits the config, when there is a lock that parses.
    pub matching: Option<lock::Matching>,
}

impl Plan<'_> {
    /// The katalonc line of this plan.
    pub fn line(
        &self,
        cwd: &std::path::Path,
        workdir_as: Option<String>,
        with_key: bool,
    ) -> crate::katalonc::argv::Line {
        crate::katalonc::argv::line_of(self.project(), self.target.as_ref(), &self.run, cwd, workdir_as, with_key)
    }

    pub fn config(&self) -> &Config {
        &self.workspace.config
    }

    pub fn project(&self) -> &Project {
        &self.workspace.project
    }
}

/// What the plan check found. Each command decides what is fatal for it.
#[derive(Debug)]
pub enum Finding {
    /// The suite, collection or profile the run names is not in the project.
    Missing(project::Error),
    /// `test-suite:` names a collection, or the other way round; the right option is emitted anyway.
    WrongKind { written: Located<Target>, resolved: ResolvedTarget },
    /// The lock could not be read or does not parse.
    LockUnreadable(lock::Error),
    /// No lock, and Store or GitHub plugins that it would pin.
    NoLock,
    /// The lock no longer fits the config: why, one line each.
    LockDrift(Vec<String>),
    /// A `url` plugin with a `sha256` in neither the config nor the lock.
    UnpinnedUrl(config::Error),
}

/// Checks `request` against the workspace: the target and profile against
/// the project, the lock against the config. Errors are what no command
/// can go on from (a target file that does not parse).
pub fn check<'w>(workspace: &'w Workspace, request: &Request) -> Result<(Plan<'w>, Vec<Finding>), Error> {
    let config = &workspace.config;
    let mut run = config.run.clone();
    request.shard.apply(&mut run);
    if let Some(target) = &request.target {
        run.target = Some(target.clone());
    }
    let mut findings = Vec::new();
    let mut collection = None;
    let target = match &run.target {
        Some(written) => match read_target(workspace, written) {
            Ok((resolved, read)) => {
                collection = read;
                workspace.index.remember(&resolved.path, resolved.kind);
                let kind = match written.value {
                    Target::Suite(_) => TsKind::Suite,
                    Target::Collection(_) => TsKind::Collection,
                };
                if kind != resolved.kind {
                    findings.push(Finding::WrongKind { written: written.clone(), resolved: resolved.clone() });
                }
                Some(resolved)
            }
            Err(e @ project::Error::Missing { .. }) => {
                findings.push(Finding::Missing(e));
                None
            }
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    if let Some(profile) = &run.profile
        && let Err(e) = workspace.project.check_profile(profile, &workspace.index.profiles)
    {
        findings.push(Finding::Missing(e));
    }
    let matching = lock_findings(workspace, &mut findings);
    let offline = config.offline || request.offline;
    Ok((Plan { workspace, run, target, collection, offline, matching }, findings))
}

/// The run's target, its `.ts` read once: its kind and, for a collection,
/// its entries. A missing one is the project's error, with the names it has.
fn read_target(
    ws: &Workspace,
    written: &Located<Target>,
) -> Result<(ResolvedTarget, Option<Collection>), project::Error> {
    let path = written.value.path();
    if !ws.project.root.join(format!("{path}.ts")).is_file() {
        return ws.project.resolve_target(written, || ws.index.ts_files()).map(|t| (t, None));
    }
    Ok(match ws.project.ts(path)? {
        Ts::Suite => (ResolvedTarget { kind: TsKind::Suite, path: path.to_string() }, None),
        Ts::Collection(c) => (ResolvedTarget { kind: TsKind::Collection, path: path.to_string() }, Some(c)),
    })
}

/// The lock against the config: unreadable, missing while it would pin
/// something, drifted, or missing a `url` plugin's pin. Gives how it fits.
fn lock_findings(workspace: &Workspace, findings: &mut Vec<Finding>) -> Option<lock::Matching> {
    let config = &workspace.config;
    let loaded = match workspace.lock() {
        Ok(loaded) => loaded,
        Err(e) => {
            findings.push(Finding::LockUnreadable(e));
            return None;
        }
    };
    let matching = loaded.map(|l| lock::compare(config, l));
    match &matching {
        None if config.plugins.iter().any(|p| matches!(p.source, Source::Store(..) | Source::Github(..))) => {
            findings.push(Finding::NoLock)
        }
        Some(m) if !m.drift.is_empty() => findings.push(Finding::LockDrift(m.drift.clone())),
        _ => {}
    }
    for spec in config.unpinned_urls() {
        let pinned = loaded.is_some_and(|l| l.lock.plugins.iter().any(|e| e.matches(spec, &config.base_dir)));
        if !pinned {
            findings.push(Finding::UnpinnedUrl(config::unpinned_url(spec)));
        }
    }
    matching
}
