//! Loopback fake servers for katalon-prep's integration tests and benchmark.
//!
//! One [`FakeServer`] per test, bound to `127.0.0.1` on a free port, plays
//! any mix of: a CDN serving files (from memory or streamed from disk), the
//! Katalon Store plugin API ([`FakeServer::store_products`]), the GitHub
//! releases API ([`FakeServer::github_release`]), and Katalon's engine
//! downloads ([`FakeServer::engine_archive`]). Every route can be made to
//! misbehave a set number of times (error statuses, `Retry-After`, bodies cut
//! short or over-promised, stalls, latency), and every request is logged so
//! a test can assert what the client really sent, and to whom.
//!
//! Plain std threads and blocking sockets, one request per connection: the
//! fake must be simpler than the client it tests. Test-only: it serves
//! whatever it is told to, to anyone who can reach loopback.

mod engine;
mod fault;
mod github;
mod http;
mod log;
mod server;
mod store;

pub use engine::engine_path;
pub use fault::TRUNCATE_OVERCLAIM;
pub use http::{Request, Response};
pub use log::RecordedRequest;
pub use server::FakeServer;
pub use store::{STORE_PATH, StorePlugin};

/// Locks, ignoring poison: a panicking test thread must not take every later
/// request or log assertion down with it.
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
