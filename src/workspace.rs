//! The workspace a command works on: the config, the project's index and
//! the lock, each read **once** by [`Workspace::load`]; every later stage
//! borrows them and reads none of these files again.
//!
//! Reads: `katalon-prep.yml`, the `.prj` (and the `.prj` search),
//! `Profiles/` (with each profile's global variables),
//! `settings/external/execution/` and `katalon-prep.lock`. The listing of
//! `Test Suites/` and each `.ts` are read when first asked for, once
//! ([`Facts::ts_files`], [`Facts::ts_kind`]). Writes nothing.
//!
//! A lock that cannot be read or parsed is kept as its error: only the
//! stages that need the lock fail on it (`prepare` with plugins or an
//! engine), `check` reports it as a finding, and a command that does not
//! need it runs as if it were absent.

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::context::Context;
use crate::error::Error;
use crate::katalonc::lint::Facts;
use crate::location::Located;
use crate::lock;
use crate::project::{self, Project};

/// The config, the project index and the lock, read once.
pub struct Workspace {
    pub config: Config,
    pub project: Project,
    /// What the project holds (suites, profiles, variables, custom
    /// browsers) and the Katalon version the run uses.
    pub index: Facts,
    lock: Result<Option<lock::Loaded>, lock::Error>,
    lock_path: PathBuf,
    lock_shown: PathBuf,
    /// The config file's text (empty without one): the cache key when there is no lock.
    config_text: String,
}

impl Workspace {
    /// Reads the config (`--config`, or `katalon-prep.yml`), finds the
    /// project (`--project`, the config's `project:`, or the single `.prj`
    /// below the config), lists it and reads the lock next to the config.
    pub fn load(ctx: &Context) -> Result<Workspace, Error> {
        let (config, text) = config::load_with_text(ctx.config.as_deref(), &ctx.cwd)?;
        let explicit = match &ctx.project {
            Some(flag) => Some(Located::bare(ctx.cwd.join(flag))),
            None => config.project.clone(),
        };
        let project = project::discover(explicit.as_ref(), &config.base_dir)?;
        let index = Facts::for_run(&project, &config);
        let (lock_path, lock_shown) = lock::path_for(&config);
        let lock = lock::load(&lock_path, &lock_shown);
        Ok(Workspace { config, project, index, lock, lock_path, lock_shown, config_text: text.unwrap_or_default() })
    }

    /// The lock: `None` when there is no file; the error it was read with
    /// when it could not be read or does not parse.
    pub fn lock(&self) -> Result<Option<&lock::Loaded>, lock::Error> {
        match &self.lock {
            Ok(loaded) => Ok(loaded.as_ref()),
            Err(e) => Err(copy_error(e)),
        }
    }

    /// Where the lock is, and how messages name it.
    pub fn lock_path(&self) -> (&Path, &Path) {
        (&self.lock_path, &self.lock_shown)
    }

    /// The key the CI cache of plugins and engine is saved under: the
    /// lock's pins when there is a lock that parses, else a digest of the
    /// config file's text.
    pub fn cache_key(&self, env: &crate::env::Env) -> String {
        if let Ok(Some(loaded)) = &self.lock {
            return loaded.lock.cache_key(crate::engine::platform::host(env).ok());
        }
        let digest = crate::digest::Sha256::of(self.config_text.as_bytes());
        format!("katalon-prep-{}-config-{}", crate::plugins::cache::LAYOUT, &digest.hex()[..32])
    }
}

/// The read error again, for each stage that needs the lock: only the two
/// errors [`lock::load`] gives are possible here.
fn copy_error(e: &lock::Error) -> lock::Error {
    match e {
        lock::Error::Read { path, source } => {
            lock::Error::Read { path: path.clone(), source: std::io::Error::new(source.kind(), source.to_string()) }
        }
        lock::Error::Invalid { at, message } => lock::Error::Invalid { at: at.clone(), message: message.clone() },
        other => lock::Error::Invalid {
            at: crate::location::Location { file: PathBuf::new(), line: 1, column: 1 },
            message: other.to_string(),
        },
    }
}
