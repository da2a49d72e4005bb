//! The fakes' tests, one binary (as the main crate's `tests/it`): each module
//! is one fake, `common` the client helpers they share.

mod binary;
mod common;
mod github;
mod server;
mod store;
