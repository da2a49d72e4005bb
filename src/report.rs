//! How library code tells the user what it is doing, without knowing about
//! terminals: stages emit [`Event`]s to a [`Reporter`]; the binary decides
//! how to show them (bars on a TTY, plain lines in CI, nothing with `-q`).

use std::path::PathBuf;

/// Something worth telling the user.
#[derive(Debug, Clone)]
pub enum Event {
    /// A download started; `size` when the server said.
    DownloadStarted { name: String, size: Option<u64> },
    /// Bytes received so far for a download.
    DownloadProgress { name: String, bytes: u64 },
    /// A transient failure; the request will be tried again after `delay`.
    Retrying { name: String, attempt: u32, reason: String, delay: std::time::Duration },
    /// A plugin was resolved from the cache or downloaded.
    Fetched { name: String, cached: bool, bytes: u64 },
    /// A jar was placed in the project (or was already there).
    Installed { file: PathBuf, unchanged: bool },
    /// A jar installed earlier and no longer listed was removed.
    Removed { file: PathBuf },
    /// A stage with several lines of output begins (a `::group::` on GitHub).
    GroupStart(String),
    /// The stage begun by the last [`Event::GroupStart`] ended.
    GroupEnd,
    /// Something the user should look at; the run goes on.
    Warning(String),
    /// Plain information.
    Info(String),
}

pub trait Reporter: Send + Sync {
    fn report(&self, event: Event);
}
