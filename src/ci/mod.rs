//! Everything specific to a CI system's conventions: GitHub Actions'
//! workflow commands, outputs and step summary; GitLab's child pipelines.
//! Nothing else in the crate writes CI-specific syntax.

pub mod github;
pub mod gitlab;
