//! [`FakeServer`]: the listener, the route table, and the per-connection
//! flow (read → pick fault → route → log → wait → write → close).
//!
//! Owns the lifecycle (bind on loopback, one thread per connection, stop on
//! drop) and the generic routes. It knows nothing about Katalon or GitHub:
//! those fakes add their own `impl FakeServer` blocks in `store.rs` and
//! `github.rs` and plug in through [`FakeServer::route_fn`]-style handlers.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::net::{Ipv4Addr, Shutdown, SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, OnceLock, RwLock, Weak};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::fault::{Fault, FaultPlan, TRUNCATE_OVERCLAIM};
use crate::http::{self, Misbehave, Request, Response};
use crate::log::{RecordedRequest, RequestLog};
use crate::{github, lock, store};

/// A client that connects and never finishes its request must not pin a
/// thread forever.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A handler computing a response per request.
pub(crate) type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

#[derive(Clone)]
enum Route {
    /// The same response every time (bytes shared, not copied).
    Fixed(Response),
    /// A file streamed from disk; its length is read per request.
    Disk(PathBuf),
    Dynamic(Handler),
}

#[derive(Default)]
struct Routes {
    exact: HashMap<String, Route>,
    /// Consulted when no exact route matches; the longest prefix wins.
    prefixes: Vec<(String, Route)>,
}

/// State shared by the owner and every connection thread.
pub(crate) struct Shared {
    routes: RwLock<Routes>,
    faults: FaultPlan,
    log: RequestLog,
    latency: Mutex<Duration>,
    /// Bytes per second for every body (0: unthrottled).
    rate: Mutex<u64>,
    stopping: Mutex<bool>,
    /// Wakes sleeping connections (latency, stalls) when the server stops.
    wake: Condvar,
}

/// A loopback HTTP/1.1 server for tests, with runtime routes, a fault plan
/// and a request log. Every method takes `&self` and is thread-safe.
///
/// Stops accepting when dropped; responses already being written finish on
/// their own threads, sleeping ones (latency, stalls) are cut short.
pub struct FakeServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    url: String,
    accept: Option<JoinHandle<()>>,
    pub(crate) store: OnceLock<Arc<Mutex<store::StoreState>>>,
    pub(crate) github: OnceLock<Arc<Mutex<github::GithubState>>>,
}

impl FakeServer {
    /// Starts a server on `127.0.0.1` with a port picked by the OS.
    ///
    /// # Panics
    /// If the loopback interface cannot be bound (a broken test machine).
    pub fn start() -> FakeServer {
        FakeServer::start_on_port(0).unwrap_or_else(|e| panic!("cannot start a fake server on 127.0.0.1: {e}"))
    }

    /// Starts a server on `127.0.0.1:port` (`0` picks a free port).
    pub fn start_on_port(port: u16) -> io::Result<FakeServer> {
        let listener = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            routes: RwLock::default(),
            faults: FaultPlan::default(),
            log: RequestLog::default(),
            latency: Mutex::new(Duration::ZERO),
            rate: Mutex::new(0),
            stopping: Mutex::new(false),
            wake: Condvar::new(),
        });
        let accept = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name(format!("fake-accept-{}", addr.port()))
                .spawn(move || accept_loop(&listener, &shared))?
        };
        Ok(FakeServer {
            shared,
            addr,
            url: format!("http://{addr}"),
            accept: Some(accept),
            store: OnceLock::new(),
            github: OnceLock::new(),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The web origin (scheme, host, port) of this server, for comparing
    /// against where a client sent something. Equal to [`url`](Self::url)
    /// since the server has no path prefix.
    pub fn origin(&self) -> &str {
        &self.url
    }

    /// `url()` followed by `path` (which should start with `/`).
    pub fn url_for(&self, path: &str) -> String {
        format!("{}{}", self.url, route_path(path))
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    // --- routes -----------------------------------------------------------

    /// Serves `bytes` at `path` (200, content type guessed from the extension).
    pub fn file(&self, path: &str, bytes: impl Into<Vec<u8>>) {
        let response = Response::shared_bytes(200, content_type_for(path), Arc::from(bytes.into()));
        self.set_route(path, Route::Fixed(response));
    }

    /// Serves `value` as `application/json` at `path` (200).
    pub fn json(&self, path: &str, value: serde_json::Value) {
        self.set_route(path, Route::Fixed(Response::json(200, &value)));
    }

    /// Answers `path` with `code` and a `text/plain` body.
    pub fn status(&self, path: &str, code: u16, body: impl Into<Vec<u8>>) {
        let response = Response::new(code).header("Content-Type", "text/plain; charset=utf-8").body(body);
        self.set_route(path, Route::Fixed(response));
    }

    /// Redirects `path` to `location` (absolute or relative) with `code`
    /// (301, 302, 303, 307 or 308).
    pub fn redirect(&self, path: &str, location: &str, code: u16) {
        self.set_route(path, Route::Fixed(Response::new(code).header("Location", location)));
    }

    /// Streams the file at `file` from disk in 64 KiB chunks, never holding
    /// it in memory. Its length is read per request; a missing file is a 500.
    pub fn file_from_disk(&self, path: &str, file: impl Into<PathBuf>) {
        self.set_route(path, Route::Disk(file.into()));
    }

    /// Answers `path` with whatever `handler` returns for each request.
    pub fn route_fn(&self, path: &str, handler: impl Fn(&Request) -> Response + Send + Sync + 'static) {
        self.set_route(path, Route::Dynamic(Arc::new(handler)));
    }

    /// Answers every path starting with `prefix` that has no exact route.
    pub(crate) fn prefix_fn(&self, prefix: &str, handler: Handler) {
        let mut routes = self.shared.routes.write().unwrap_or_else(|p| p.into_inner());
        routes.prefixes.retain(|(p, _)| p != prefix);
        routes.prefixes.push((prefix.to_owned(), Route::Dynamic(handler)));
        routes.prefixes.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    }

    /// Removes the exact route at `path` (later requests get 404).
    pub fn remove(&self, path: &str) {
        let mut routes = self.shared.routes.write().unwrap_or_else(|p| p.into_inner());
        routes.exact.remove(&route_path(path));
    }

    fn set_route(&self, path: &str, route: Route) {
        let mut routes = self.shared.routes.write().unwrap_or_else(|p| p.into_inner());
        routes.exact.insert(route_path(path), route);
    }

    /// A weak handle for handlers that need to look at other routes; weak so
    /// a handler stored in the route table does not keep the table alive.
    pub(crate) fn weak_shared(&self) -> Weak<Shared> {
        Arc::downgrade(&self.shared)
    }

    // --- faults -----------------------------------------------------------

    /// The next `n` requests to `path` get `status` (with a short text body)
    /// instead of the route's answer.
    pub fn fail_times(&self, path: &str, n: usize, status: u16) {
        self.add_fault(path, n, Fault::Status(status));
    }

    /// The next `n` requests to `path` get 429 with `Retry-After: secs`.
    pub fn retry_after(&self, path: &str, n: usize, secs: u64) {
        self.add_fault(path, n, Fault::RetryAfter(secs));
    }

    /// The next `n` responses at `path` promise the full `Content-Length`
    /// but the connection closes after `after_bytes` body bytes.
    pub fn drop_mid_body(&self, path: &str, n: usize, after_bytes: u64) {
        self.add_fault(path, n, Fault::DropMidBody(after_bytes));
    }

    /// The next `n` responses at `path` send the whole body but promise
    /// [`TRUNCATE_OVERCLAIM`](crate::TRUNCATE_OVERCLAIM) bytes more, then close.
    pub fn truncate(&self, path: &str, n: usize) {
        self.add_fault(path, n, Fault::Truncate);
    }

    /// The next `n` requests to `path` are read, then left waiting `dur`
    /// before the (normal) response is sent.
    pub fn stall(&self, path: &str, n: usize, dur: Duration) {
        self.add_fault(path, n, Fault::Stall(dur));
    }

    /// A delay added before every response (on top of any stall).
    pub fn latency(&self, latency: Duration) {
        *lock(&self.shared.latency) = latency;
    }

    /// Sends every response body at most `bytes_per_sec` bytes per second
    /// (0 lifts the limit), as a slow link would.
    pub fn throttle(&self, bytes_per_sec: u64) {
        *lock(&self.shared.rate) = bytes_per_sec;
    }

    /// Forgets every queued fault (latency stays).
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    fn add_fault(&self, path: &str, n: usize, fault: Fault) {
        self.shared.faults.add(route_path(path), n, fault);
    }

    // --- request log ------------------------------------------------------

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.log.entries()
    }

    /// The requests whose (decoded, query-less) path is `path`.
    pub fn requests_for(&self, path: &str) -> Vec<RecordedRequest> {
        let path = route_path(path);
        let mut entries = self.shared.log.entries();
        entries.retain(|e| e.path == path);
        entries
    }

    /// How many requests were made to `path`.
    pub fn count(&self, path: &str) -> usize {
        let path = route_path(path);
        self.shared.log.count_matching(|e| e.path == path)
    }

    /// How many requests were made in all.
    pub fn total(&self) -> usize {
        self.shared.log.count_matching(|_| true)
    }

    /// Forgets the requests logged so far.
    pub fn clear_log(&self) {
        self.shared.log.clear();
    }

    /// Writes the log as a JSON array of [`RecordedRequest`].
    pub fn write_log(&self, file: impl AsRef<Path>) -> io::Result<()> {
        self.shared.log.write(file.as_ref())
    }

    /// Writes the log now and rewrites it (atomically) after every request,
    /// so it is complete even if the process is killed.
    pub fn autosave_log(&self, file: impl Into<PathBuf>) -> io::Result<()> {
        self.shared.log.autosave(file.into())
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        *lock(&self.shared.stopping) = true;
        self.shared.wake.notify_all();
        // `accept` blocks; our own connection wakes it to see the flag. If
        // even that fails, leave the thread rather than hang the test.
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)).is_ok();
        if let Some(handle) = self.accept.take()
            && woke
        {
            let _ = handle.join();
        }
    }
}

impl Shared {
    fn is_stopping(&self) -> bool {
        *lock(&self.stopping)
    }

    /// Sleeps up to `d`, returning early if the server stops.
    fn pause(&self, d: Duration) {
        let deadline = Instant::now() + d;
        let mut stopping = lock(&self.stopping);
        while !*stopping {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            stopping = self.wake.wait_timeout(stopping, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
        }
    }

    fn route_for(&self, path: &str) -> Option<Route> {
        let routes = self.routes.read().unwrap_or_else(|p| p.into_inner());
        routes.exact.get(path).cloned().or_else(|| {
            routes.prefixes.iter().find(|(prefix, _)| path.starts_with(prefix.as_str())).map(|(_, route)| route.clone())
        })
    }

    /// What the route table answers (faults aside).
    fn respond(&self, request: &Request) -> Response {
        // The handler runs outside the route lock: it may look routes up.
        match self.route_for(&request.path) {
            None => Response::text(404, format!("no route for {}\n", request.path)),
            Some(Route::Fixed(response)) => response,
            Some(Route::Dynamic(handler)) => handler(request),
            Some(Route::Disk(file)) => match fs::metadata(&file) {
                Ok(meta) if meta.is_file() => Response::file(file, content_type_for(&request.path)),
                _ => Response::text(500, format!("fake: cannot read {}\n", file.display())),
            },
        }
    }

    /// The body length the exact route at `path` would serve, if it is static.
    pub(crate) fn body_len_of(&self, path: &str) -> Option<u64> {
        match self.route_for(path)? {
            Route::Fixed(response) => response.known_len(),
            Route::Disk(file) => fs::metadata(file).ok().map(|m| m.len()),
            Route::Dynamic(_) => None,
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for conn in listener.incoming() {
        if shared.is_stopping() {
            break;
        }
        match conn {
            Ok(stream) => {
                let shared = Arc::clone(shared);
                // If no thread can be spawned the stream is dropped: the client
                // sees a reset, which is a fair answer from an overloaded server.
                let _ =
                    thread::Builder::new().name("fake-conn".into()).spawn(move || serve_connection(&shared, stream));
            }
            // E.g. out of file descriptors: back off instead of spinning.
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

fn serve_connection(shared: &Shared, mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let request = match http::read_request(&mut stream) {
        Ok(Some(request)) => request,
        Ok(None) => return,
        Err(e) => {
            let response = Response::text(400, format!("fake: {e}\n"));
            let _ = http::write_response(&mut stream, "GET", &response, Misbehave::default());
            return;
        }
    };

    let fault = shared.faults.take(&request.path);
    let mut misbehave = Misbehave { rate: *lock(&shared.rate), ..Misbehave::default() };
    let mut stall = Duration::ZERO;
    let response = match fault {
        Some(Fault::Status(code)) => Response::text(code, format!("fake: injected status {code}\n")),
        Some(Fault::RetryAfter(secs)) => Response::text(429, "fake: injected rate limit\n").header("Retry-After", secs),
        Some(Fault::DropMidBody(after)) => {
            misbehave.body_limit = Some(after);
            shared.respond(&request)
        }
        Some(Fault::Truncate) => {
            misbehave.overclaim = TRUNCATE_OVERCLAIM;
            shared.respond(&request)
        }
        Some(Fault::Stall(d)) => {
            stall = d;
            shared.respond(&request)
        }
        None => shared.respond(&request),
    };

    shared.log.push(RecordedRequest::new(&request, response.status, fault.map(|f| f.to_string())));

    let wait = *lock(&shared.latency) + stall;
    if !wait.is_zero() {
        shared.pause(wait);
        if shared.is_stopping() {
            return;
        }
    }

    let _ = http::write_response(&mut stream, &request.method, &response, misbehave);
    // FIN after the last byte sent; for the cut-short faults this is the
    // point: the peer sees EOF before the promised length.
    let _ = stream.shutdown(Shutdown::Write);
}

/// Routes are registered with a leading `/`; accept `"x.zip"` too.
fn route_path(path: &str) -> String {
    if path.starts_with('/') { path.to_owned() } else { format!("/{path}") }
}

/// A plausible `Content-Type` for a file name.
pub(crate) fn content_type_for(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("json") => "application/json",
        Some("zip") => "application/zip",
        Some("jar") => "application/java-archive",
        Some("gz" | "tgz") => "application/gzip",
        Some("txt") => "text/plain; charset=utf-8",
        Some("xml") => "application/xml",
        _ => "application/octet-stream",
    }
}
