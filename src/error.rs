//! The top-level error: every module's error, and the documented exit code
//! each one maps to ([`Exit`]).

use std::path::PathBuf;

use crate::exit::Exit;
use crate::{config, lock, matrix, net, plugins, project, secret};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Exit 10.
    #[error(transparent)]
    Config(#[from] config::Error),
    /// Exit 11.
    #[error(transparent)]
    Key(#[from] secret::Error),
    /// Exit 12; 40 when a project file cannot be read or written.
    #[error(transparent)]
    Project(#[from] project::Error),
    /// The code of the stage that failed: 10, 11, 12, 20, 21, 30, 31, 40, 70 (see
    /// [`plugins::Error::exit`]).
    #[error(transparent)]
    Plugins(#[from] plugins::Error),
    /// Exit 40.
    #[error(transparent)]
    Cache(#[from] plugins::cache::Error),
    /// Exit 12; 40 when the project cannot be written.
    #[error(transparent)]
    Install(#[from] plugins::install::Error),
    /// Exit 20; 10 for refused plain http or a bad CA bundle, 40 for a failed write.
    #[error(transparent)]
    Net(#[from] net::Error),
    /// Exit 31; 10 for an invalid lock file, 40 for an unreadable one.
    #[error(transparent)]
    Lock(Box<lock::Error>),
    /// Exit 12; 10 for a bad glob, 40 for an unreadable project file.
    #[error(transparent)]
    Matrix(#[from] matrix::Error),
    /// Exit 15.
    #[error(transparent)]
    Platform(#[from] crate::engine::Unsupported),
    /// The code of the engine stage: 10, 20, 30, 40, 70 (see [`crate::engine::Error::exit`]).
    #[error(transparent)]
    Engine(Box<crate::engine::Error>),
    /// Exit 40.
    #[error("Could not write {}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Exit 50.
    #[error(transparent)]
    Display(#[from] crate::run::display::Error),
    /// Exit 10 when katalonc cannot be started, else 70.
    #[error(transparent)]
    Supervise(#[from] crate::run::supervise::Error),
    /// Exit 51. `killed_after`: the grace period, when the run ignored the stop request and was killed.
    #[error("katalonc timed out after {}: katalon-prep stopped it and every process it started{}", crate::duration::display(*after), how_stopped(*killed_after))]
    TimedOut { after: std::time::Duration, killed_after: Option<std::time::Duration> },
    /// Exit 10. `hint`: what to do about it, printed after the message.
    #[error("{message}")]
    Usage { message: String, hint: Option<String> },
    /// Exit 13.
    #[error("{message}")]
    Lint { message: String, hint: Option<String> },
    /// Exit 14.
    #[error("{message}")]
    NoReports { message: String, hint: Option<String> },
    /// Exit 70.
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
    /// The documented exit code ([`Exit`]). Every variant is listed: a new
    /// one does not compile until it says which code it ends the run with;
    /// a wrapped module error keeps the code its own `exit()` gives.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Config(e) => e.exit(),
            Error::Key(e) => e.exit(),
            Error::Project(e) => e.exit(),
            Error::Plugins(e) => e.exit(),
            Error::Cache(e) => e.exit(),
            Error::Install(e) => e.exit(),
            Error::Net(e) => e.exit(),
            Error::Lock(e) => e.exit(),
            Error::Matrix(e) => e.exit(),
            Error::Platform(e) => e.exit(),
            Error::Engine(e) => e.exit(),
            Error::Write { .. } => Exit::Filesystem,
            Error::Display(e) => e.exit(),
            Error::Supervise(e) => e.exit(),
            Error::TimedOut { .. } => Exit::TimedOut,
            Error::Usage { .. } => Exit::Usage,
            Error::Lint { .. } => Exit::Lint,
            Error::NoReports { .. } => Exit::NoReports,
            Error::Internal(_) => Exit::Internal,
        }
    }

    /// What the user can do about it: printed last, after the cause chain,
    /// so the cause is read first. A wrapped module error keeps its own.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::Config(e) => e.hint(),
            Error::Key(e) => e.hint(),
            Error::Project(e) => e.hint(),
            Error::Plugins(e) => e.hint(),
            Error::Cache(e) => e.hint(),
            Error::Install(e) => e.hint(),
            Error::Net(e) => e.hint(),
            Error::Lock(e) => e.hint(),
            Error::Matrix(e) => e.hint(),
            Error::Platform(e) => e.hint(),
            Error::Engine(e) => e.hint(),
            Error::Write { .. } => None,
            Error::Display(e) => e.hint(),
            Error::Supervise(e) => e.hint(),
            Error::TimedOut { .. } => None,
            Error::Usage { hint, .. } => hint.clone(),
            Error::Lint { hint, .. } => hint.clone(),
            Error::NoReports { hint, .. } => hint.clone(),
            Error::Internal(_) => None,
        }
    }

    /// A usage error without a hint.
    pub fn usage(message: impl Into<String>) -> Error {
        Error::Usage { message: message.into(), hint: None }
    }

    /// A usage error and what to do about it.
    pub fn usage_hint(message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Usage { message: message.into(), hint: Some(hint.into()) }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn io() -> std::io::Error {
        std::io::Error::other("x")
    }

    /// Every documented code is what some error ends the run with, except
    /// the two a command returns as its outcome: success, and `outdated
    /// --exit-code` finding something. A code no error reaches is either
    /// dead or mapped by a variant that lost it.
    #[test]
    fn every_exit_code_is_reachable() {
        let errors: Vec<Error> = vec![
            Error::usage("m"),
            secret::Error::BadVarName.into(),
            project::Error::NotFound { where_: "here".into() }.into(),
            Error::Lint { message: "m".into(), hint: None },
            Error::NoReports { message: "m".into(), hint: None },
            crate::engine::Unsupported { name: "os-arch".into() }.into(),
            net::Error::Redirects { url: "https://x".into(), max: 1 }.into(),
            plugins::Error::Store(Box::new(plugins::store::Error::Unauthorized {
                from: crate::secret::KeySource::Stdin,
                status: 401,
            }))
            .into(),
            plugins::Error::Archive {
                plugin: "p".into(),
                source: plugins::archive::Error::NoJar { name: "n".into(), entries: String::new() },
            }
            .into(),
            lock::Error::Missing { path: "katalon-prep.lock".into() }.into(),
            Error::Write { path: "f".into(), source: io() },
            crate::run::display::Error::NotInstalled.into(),
            Error::TimedOut { after: std::time::Duration::from_secs(1), killed_after: None },
            Error::Internal("bug".into()),
        ];
        let mut reached: Vec<Exit> = errors.iter().map(Error::exit).collect();
        reached.extend([Exit::Ok, Exit::Outdated]);
        for exit in Exit::ALL {
            assert!(reached.contains(&exit), "no error ends the run with {exit:?} ({})", exit.code());
        }
    }

    /// A wrapped error keeps the code of the module that raised it: a disk
    /// failure inside the plugin stage is still a filesystem error.
    #[test]
    fn wrapped_errors_keep_their_code() {
        let archive_io = plugins::Error::Archive { plugin: "p".into(), source: plugins::archive::Error::Io(io()) };
        assert_eq!(Error::from(archive_io).exit(), Exit::Filesystem);
        let insecure =
            plugins::Error::Network { plugin: "p".into(), source: net::Error::Insecure { url: "http://x".into() } };
        assert_eq!(Error::from(insecure).exit(), Exit::Usage);
        let read = matrix::Error::Project(project::Error::Read { path: "f".into(), source: io() });
        assert_eq!(Error::from(read).exit(), Exit::Filesystem);
        let start = crate::run::supervise::Error::Start { program: "katalonc".into(), source: io() };
        assert_eq!(Error::from(start).exit(), Exit::Usage);
    }
}
