//! Everything specific to a CI system's conventions: GitHub Actions'
//! workflow commands, outputs and step summary. Nothing else in the crate
//! writes CI-specific syntax.

pub mod github;
