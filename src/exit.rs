//! The process exit codes of katalon-prep: one place, documented, stable.
//!
//! katalonc's own codes (0–4) are passed through unchanged by `run`, so every
//! code of ours sits at 10 or above to stay distinguishable. README.md and
//! docs/src/errors.md list the same table; a test keeps them in step.

/// A documented exit code. The numeric values are part of the public contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Everything went as asked.
    Ok = 0,
    /// Usage or configuration error (bad flag, bad `katalon-prep.yml`).
    Usage = 10,
    /// The API key is missing or malformed.
    ApiKey = 11,
    /// Project error: no or ambiguous `.prj`, missing suite or profile, a
    /// plugin name clashing with a file katalon-prep did not install.
    Project = 12,
    /// Lint errors in the katalonc line: refusing to emit it.
    Lint = 13,
    /// `report` found no report file (it says where it looked).
    NoReports = 14,
    /// The engine: Katalon publishes no Runtime Engine for this platform.
    PlatformUnsupported = 15,
    /// Network error, after retries.
    Network = 20,
    /// Credentials rejected by the Katalon Store or GitHub.
    Credentials = 21,
    /// Integrity error: checksum mismatch, not a jar, unsafe archive.
    Integrity = 30,
    /// `katalon-prep.lock` does not match the config (`--locked`), or no
    /// longer matches what the source serves.
    LockOutdated = 31,
    /// Something is outdated (`outdated --exit-code`).
    Outdated = 32,
    /// Filesystem error: not writable, disk full.
    Filesystem = 40,
    /// `run`: katalonc needs an X display and none could be started.
    NoDisplay = 50,
    /// `run`: katalonc ran longer than `--timeout` and was stopped.
    TimedOut = 51,
    /// Internal error: a bug in katalon-prep.
    Internal = 70,
}

impl Exit {
    /// Every code, in table order (used by the docs consistency test).
    pub const ALL: [Exit; 16] = [
        Exit::Ok,
        Exit::Usage,
        Exit::ApiKey,
        Exit::Project,
        Exit::Lint,
        Exit::NoReports,
        Exit::PlatformUnsupported,
        Exit::Network,
        Exit::Credentials,
        Exit::Integrity,
        Exit::LockOutdated,
        Exit::Outdated,
        Exit::Filesystem,
        Exit::NoDisplay,
        Exit::TimedOut,
        Exit::Internal,
    ];

    pub fn code(self) -> u8 {
        self as u8
    }
}

/// What the process exits with: one of our codes, or katalonc's own code,
/// passed through unchanged by `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ours(Exit),
    Passed(u8),
}

impl Status {
    pub fn code(self) -> u8 {
        match self {
            Status::Ours(exit) => exit.code(),
            Status::Passed(code) => code,
        }
    }
}

impl From<Exit> for Status {
    fn from(exit: Exit) -> Status {
        Status::Ours(exit)
    }
}
