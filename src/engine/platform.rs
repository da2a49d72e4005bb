//! The platforms Katalon publishes a Runtime Engine for, as katalon-prep
//! spells them (`linux-x64`) and as Katalon's archive names do (`Linux_64`),
//! and which one this machine is.
//!
//! Pure mapping: no I/O beyond reading `KATALON_PREP_PLATFORM`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Overrides the detected platform (`linux-x64`, …): to prepare an engine
/// for another machine, and for tests.
pub const PLATFORM_ENV: &str = crate::env::PLATFORM;

/// One platform of the engine. The order is the order of the lock's entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    LinuxX64,
    LinuxArm64,
    MacosX64,
    MacosArm64,
    WindowsX64,
}

/// How the archive is packed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Packing {
    TarGz,
    Zip,
}

impl Packing {
    pub fn extension(self) -> &'static str {
        match self {
            Packing::TarGz => "tar.gz",
            Packing::Zip => "zip",
        }
    }
}

impl Platform {
    pub const ALL: [Platform; 5] =
        [Platform::LinuxX64, Platform::LinuxArm64, Platform::MacosX64, Platform::MacosArm64, Platform::WindowsX64];

    /// katalon-prep's name: `linux-x64`.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::LinuxX64 => "linux-x64",
            Platform::LinuxArm64 => "linux-arm64",
            Platform::MacosX64 => "macos-x64",
            Platform::MacosArm64 => "macos-arm64",
            Platform::WindowsX64 => "windows-x64",
        }
    }

    /// Katalon's name in the archive: `Linux_64`.
    pub fn katalon_name(self) -> &'static str {
        match self {
            Platform::LinuxX64 => "Linux_64",
            Platform::LinuxArm64 => "Linux_arm64",
            Platform::MacosX64 => "MacOS",
            Platform::MacosArm64 => "MacOS_Arm64",
            Platform::WindowsX64 => "Windows_64",
        }
    }

    pub fn packing(self) -> Packing {
        match self {
            Platform::WindowsX64 => Packing::Zip,
            _ => Packing::TarGz,
        }
    }

    /// `Katalon_Studio_Engine_Linux_64-10.3.1.tar.gz`.
    pub fn archive_name(self, version: &str) -> String {
        format!("Katalon_Studio_Engine_{}-{version}.{}", self.katalon_name(), self.packing().extension())
    }

    /// The launcher's file name.
    pub fn katalonc_name(self) -> &'static str {
        match self {
            Platform::WindowsX64 => "katalonc.exe",
            _ => "katalonc",
        }
    }

    /// The platform of an OS and architecture as Rust names them
    /// (`std::env::consts`), if Katalon publishes an engine for it.
    pub fn of(os: &str, arch: &str) -> Option<Platform> {
        match (os, arch) {
            ("linux", "x86_64") => Some(Platform::LinuxX64),
            ("linux", "aarch64") => Some(Platform::LinuxArm64),
            ("macos", "x86_64") => Some(Platform::MacosX64),
            ("macos", "aarch64") => Some(Platform::MacosArm64),
            ("windows", "x86_64") => Some(Platform::WindowsX64),
            _ => None,
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = String;

    fn from_str(s: &str) -> Result<Platform, String> {
        Platform::ALL.into_iter().find(|p| p.as_str() == s.trim()).ok_or_else(|| {
            format!("`{s}` is not a platform of the engine (known: {})", Platform::ALL.map(Platform::as_str).join(", "))
        })
    }
}

/// This machine is one Katalon publishes no engine for.
#[derive(Debug, Clone, thiserror::Error)]
#[error("Katalon publishes no Runtime Engine for this platform ({name})")]
pub struct Unsupported {
    /// `os-arch` as detected, or the value of [`PLATFORM_ENV`].
    pub name: String,
}

impl Unsupported {
    /// The documented exit code: exit 15.
    pub fn exit(&self) -> crate::exit::Exit {
        crate::exit::Exit::PlatformUnsupported
    }

    /// What the user can do about it, printed after the message.
    pub fn hint(&self) -> Option<String> {
        Some(format!(
            "run on one of {}, or set {PLATFORM_ENV} to prepare the engine of another platform",
            Platform::ALL.map(Platform::as_str).join(", ")
        ))
    }
}

/// The platform this process prepares for: [`PLATFORM_ENV`] when set, else
/// the machine it runs on.
pub fn host(env: &crate::env::Env) -> Result<Platform, Unsupported> {
    if let Some(v) = &env.platform {
        return v.parse().map_err(|_| Unsupported { name: format!("{v}, from {PLATFORM_ENV}") });
    }
    let (os, arch) = (std::env::consts::OS, std::env::consts::ARCH);
    Platform::of(os, arch).ok_or_else(|| Unsupported { name: format!("{os}-{arch}") })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_map_to_katalon_archives() {
        for p in Platform::ALL {
            assert_eq!(p.as_str().parse::<Platform>().unwrap(), p);
        }
        assert_eq!(Platform::LinuxX64.archive_name("10.3.1"), "Katalon_Studio_Engine_Linux_64-10.3.1.tar.gz");
        assert_eq!(Platform::MacosArm64.archive_name("10.3.1"), "Katalon_Studio_Engine_MacOS_Arm64-10.3.1.tar.gz");
        assert_eq!(Platform::WindowsX64.archive_name("9.7.2"), "Katalon_Studio_Engine_Windows_64-9.7.2.zip");
        assert_eq!(Platform::of("linux", "riscv64"), None);
        assert!("linux-amd64".parse::<Platform>().is_err());
    }
}
