//! What every command shares: the working directory, the global flags, the
//! environment (read once by the binary) and the [`Reporter`] events go to.

use std::path::PathBuf;

use crate::config::Config;
use crate::env::Env;
use crate::plugins;
use crate::report::Reporter;
use crate::secret;

/// What every command shares: the working directory, the global flags and the environment.
pub struct Context<'a> {
    pub cwd: PathBuf,
    pub config: Option<PathBuf>,
    pub project: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    pub api_key_env: Option<String>,
    pub api_key_stdin: bool,
    pub reporter: &'a dyn Reporter,
    /// The process environment, read once by the binary.
    pub env: &'a Env,
}

impl Context<'_> {
    /// The plugin cache: `--cache-dir` (relative to the working directory),
    /// else the default (`$XDG_CACHE_HOME/katalon-prep`, `~/.cache/katalon-prep`).
    pub fn cache_dir(&self) -> Result<PathBuf, plugins::cache::Error> {
        match &self.cache_dir {
            Some(dir) => Ok(self.cwd.join(dir)),
            None => plugins::cache::default_dir(self.env),
        }
    }

    /// Where to look for the key, from flags, env and config (flags win).
    pub fn key_request(&self, config: &Config) -> secret::KeyRequest {
        let var = self
            .api_key_env
            .clone()
            .or_else(|| config.api_key_env.as_ref().map(|l| l.value.clone()))
            .unwrap_or_else(|| secret::DEFAULT_ENV.to_string());
        let secrets_dir = self.env.secrets_dir.clone().unwrap_or_else(|| PathBuf::from(secret::DEFAULT_SECRETS_DIR));
        secret::KeyRequest { var, stdin: self.api_key_stdin, secrets_dir }
    }
}
