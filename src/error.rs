//! The top-level error: every module's error, and the documented exit code
//! each one maps to ([`Exit`]).

use std::path::PathBuf;

use crate::exit::Exit;
use crate::{config, lock, matrix, net, plugins, project, secret};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] config::Error),
    #[error(transparent)]
    Key(#[from] secret::Error),
    #[error(transparent)]
    Project(#[from] project::Error),
    #[error(transparent)]
    Plugins(#[from] plugins::Error),
    #[error(transparent)]
    Cache(#[from] plugins::cache::Error),
    #[error(transparent)]
    Install(#[from] plugins::install::Error),
    #[error(transparent)]
    Net(#[from] net::Error),
    #[error(transparent)]
    Lock(Box<lock::Error>),
    #[error(transparent)]
    Matrix(#[from] matrix::Error),
    #[error(transparent)]
    Platform(#[from] crate::engine::Unsupported),
    #[error(transparent)]
    Engine(Box<crate::engine::Error>),
    #[error("Could not write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Display(#[from] crate::run::display::Error),
    #[error(transparent)]
    Supervise(#[from] crate::run::supervise::Error),
    /// `killed_after`: the grace period, when the run ignored the stop request and was killed.
    #[error("katalonc timed out after {}: katalon-prep stopped it and every process it started{}", crate::duration::display(*after), how_stopped(*killed_after))]
    TimedOut { after: std::time::Duration, killed_after: Option<std::time::Duration> },
    #[error("{message}")]
    Usage { message: String },
    #[error("{message}")]
    Lint { message: String },
    #[error("{message}")]
    NoReports { message: String },
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<crate::engine::Error> for Error {
    fn from(e: crate::engine::Error) -> Self {
        Error::Engine(Box::new(e))
    }
}

impl From<lock::Error> for Error {
    fn from(e: lock::Error) -> Self {
        Error::Lock(Box::new(e))
    }
}

impl Error {
    pub fn exit(&self) -> Exit {
        match self {
            Error::Config(_) | Error::Usage { .. } => Exit::Usage,
            Error::Key(_) => Exit::ApiKey,
            Error::Project(project::Error::Read { .. } | project::Error::Write { .. }) => Exit::Filesystem,
            Error::Project(_) => Exit::Project,
            Error::Plugins(e) => plugins_exit(e),
            Error::Cache(_) => Exit::Filesystem,
            Error::Install(e) => install_exit(e),
            Error::Net(e) => net_exit(e),
            Error::Lock(e) => lock_exit(e),
            Error::Matrix(matrix::Error::Project(project::Error::Read { .. })) => Exit::Filesystem,
            Error::Matrix(matrix::Error::Glob { .. }) => Exit::Usage,
            Error::Matrix(_) => Exit::Project,
            Error::Platform(_) => Exit::PlatformUnsupported,
            Error::Engine(e) => e.exit(),
            Error::Write { .. } => Exit::Filesystem,
            Error::Lint { .. } => Exit::Lint,
            Error::NoReports { .. } => Exit::NoReports,
            Error::Display(_) => Exit::NoDisplay,
            Error::Supervise(crate::run::supervise::Error::Start { .. }) => Exit::Usage,
            Error::Supervise(_) => Exit::Internal,
            Error::TimedOut { .. } => Exit::TimedOut,
            Error::Internal(_) => Exit::Internal,
        }
    }
}

/// How a timed-out run ended, after "stopped it and every process it started".
fn how_stopped(killed_after: Option<std::time::Duration>) -> String {
    match killed_after {
        None => String::new(),
        Some(_) if cfg!(windows) => " (the job object was terminated)".into(),
        Some(grace) => format!(" (SIGKILL: still running {} after SIGTERM)", crate::duration::display(grace)),
    }
}

fn net_exit(e: &net::Error) -> Exit {
    match e {
        net::Error::Write { .. } => Exit::Filesystem,
        net::Error::Tls(_) | net::Error::Insecure { .. } => Exit::Usage,
        _ => Exit::Network,
    }
}

fn lock_exit(e: &lock::Error) -> Exit {
    match e {
        lock::Error::Read { .. } => Exit::Filesystem,
        lock::Error::Invalid { .. } => Exit::Usage,
        lock::Error::Drift { .. }
        | lock::Error::Missing { .. }
        | lock::Error::NoneToKeep { .. }
        | lock::Error::PathChanged(_)
        | lock::Error::EngineMissing { .. } => Exit::LockOutdated,
    }
}

fn store_exit(e: &plugins::store::Error) -> Exit {
    use plugins::store::Error as E;
    match e {
        E::Unauthorized { .. } => Exit::Credentials,
        E::List(source) => net_exit(source),
        E::BadUrl { .. } | E::NotOnAccount { .. } | E::Unavailable { .. } | E::NoAppVersion => Exit::Usage,
        E::NoLongerServed { .. } => Exit::LockOutdated,
    }
}

fn github_exit(e: &plugins::github::Error) -> Exit {
    use plugins::github::Error as E;
    match e {
        E::Unauthorized { .. } => Exit::Credentials,
        E::BadApiUrl { .. } | E::Asset(_) => Exit::Usage,
        E::AssetGone { .. } => Exit::LockOutdated,
        E::Insecure(source) => net_exit(source),
        E::Client(_)
        | E::NotFound { .. }
        | E::RateLimited { .. }
        | E::Status { .. }
        | E::Transport { .. }
        | E::TooLarge { .. } => Exit::Network,
    }
}

fn install_exit(e: &plugins::install::Error) -> Exit {
    match e {
        plugins::install::Error::Io { .. } => Exit::Filesystem,
        _ => Exit::Project,
    }
}

fn plugins_exit(e: &plugins::Error) -> Exit {
    use plugins::Error as E;
    match e {
        E::Network { source, .. } => net_exit(source),
        E::Save { .. } => Exit::Filesystem,
        E::Checksum { .. } => Exit::Integrity,
        E::Archive { source, .. } if source.is_io() => Exit::Filesystem,
        E::Archive { .. } => Exit::Integrity,
        E::Cache(_) | E::PathRead { .. } | E::CacheVanished { .. } => Exit::Filesystem,
        E::Store(e) => store_exit(e),
        E::Github(e) => github_exit(e),
        E::Lock(e) => lock_exit(e),
        E::Config(_) => Exit::Usage,
        E::NeedKey => Exit::ApiKey,
        E::Install(e) => install_exit(e),
        E::PathMissing { .. } | E::PathNotFile { .. } | E::Choice { .. } => Exit::Usage,
        E::Internal(_) => Exit::Internal,
    }
}
