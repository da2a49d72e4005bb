//! Katalon's engine downloads: archives served under the real layout,
//! `/<version>/Katalon_Studio_Engine_<Platform>-<version>.<tar.gz|zip>`.
//! The archives themselves are built by the tests (a synthetic engine);
//! faults (503, a dropped body, other bytes) are the server's, per path.

use crate::FakeServer;

/// The path of an engine archive: `katalon_platform` is Katalon's name
/// (`Linux_64`, `Windows_64`, …).
pub fn engine_path(version: &str, katalon_platform: &str) -> String {
    let ext = if katalon_platform.starts_with("Windows") { "zip" } else { "tar.gz" };
    format!("/{version}/Katalon_Studio_Engine_{katalon_platform}-{version}.{ext}")
}

impl FakeServer {
    /// Serves `bytes` as the engine archive of `version` for
    /// `katalon_platform`; returns its path (for faults and counts).
    pub fn engine_archive(&self, version: &str, katalon_platform: &str, bytes: impl Into<Vec<u8>>) -> String {
        let path = engine_path(version, katalon_platform);
        self.file(&path, bytes);
        path
    }
}
