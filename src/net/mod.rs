//! All network I/O of katalon-prep: one HTTP client (rustls with the ring
//! provider, bundled roots plus `SSL_CERT_FILE`), one retry policy, manual
//! redirects so that a credential header never follows a request to another
//! origin, and streaming downloads that hash as they write.
//!
//! Nothing else in the crate opens a socket.

pub mod retry;
pub mod tls;
pub mod urls;

use std::io::{Seek, Write};
use std::path::PathBuf;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::digest::{HashingWriter, Sha256};
use crate::report::{Event, Reporter};
pub use retry::RetryPolicy;
use urls::{is_loopback, redacted};

/// Network settings that come from flags, config and environment.
#[derive(Debug, Clone)]
pub struct Settings {
    pub connect_timeout: Duration,
    /// The longest pause between two reads of a response.
    pub read_timeout: Duration,
    /// The longest one download may take, every retry included: a server
    /// trickling one byte a second never stalls long enough for the read
    /// timeout.
    pub download_timeout: Duration,
    /// Downloads larger than this are refused.
    pub max_size: u64,
    pub allow_http: bool,
    pub retry: RetryPolicy,
    /// A CA bundle trusted besides the bundled roots (`SSL_CERT_FILE`).
    pub ca_file: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            download_timeout: Duration::from_secs(30 * 60),
            max_size: 2 * 1024 * 1024 * 1024,
            allow_http: false,
            retry: RetryPolicy::default(),
            ca_file: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Refusing plain http for {url}")]
    Insecure { url: String },
    #[error("{url} answered {status}{}", tries_suffix(*attempts))]
    Status { url: String, status: u16, attempts: u32, retry_after: Option<Duration> },
    #[error("Could not reach {url}{}", tries_suffix(*attempts))]
    Transport {
        url: String,
        attempts: u32,
        #[source]
        source: reqwest::Error,
    },
    #[error("The TLS certificate of {url} is not trusted")]
    Certificate {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("Download of {url} ended after {got} of {expected} bytes{}", tries_suffix(*attempts))]
    Truncated { url: String, got: u64, expected: u64, attempts: u32 },
    #[error("{url} is larger than the {limit}-byte limit")]
    TooLarge { url: String, limit: u64 },
    #[error(
        "Download of {url} did not finish within {} (retries included)",
        crate::duration::display(*limit)
    )]
    Deadline { url: String, limit: Duration },
    #[error("{url} redirected more than {max} times")]
    Redirects { url: String, max: usize },
    #[error("{url} redirected to an invalid location")]
    BadRedirect { url: String },
    #[error("Could not write the download of {url}")]
    Write {
        url: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{url} answered more than {} MiB; an API answer is never that large, so it was not read to the end", MAX_API_BODY >> 20)]
    ApiTooLarge { url: String },
    #[error("{url} did not answer valid JSON: {message}")]
    Json { url: String, message: String },
    #[error(transparent)]
    Tls(#[from] tls::Error),
    #[error("Could not set up the HTTP client")]
    Client(#[source] reqwest::Error),
}

impl Error {
    /// The documented exit code: a refused scheme or TLS set-up is the
    /// user's to fix (10), a failed write the disk's (40), the rest the
    /// network's (20).
    pub fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            Error::Insecure { .. } => Exit::Usage,
            Error::Status { .. } => Exit::Network,
            Error::Transport { .. } => Exit::Network,
            Error::Certificate { .. } => Exit::Network,
            Error::Truncated { .. } => Exit::Network,
            Error::TooLarge { .. } => Exit::Network,
            Error::Deadline { .. } => Exit::Network,
            Error::Redirects { .. } => Exit::Network,
            Error::BadRedirect { .. } => Exit::Network,
            Error::Write { .. } => Exit::Filesystem,
            Error::ApiTooLarge { .. } => Exit::Network,
            Error::Json { .. } => Exit::Network,
            Error::Tls(e) => e.exit(),
            Error::Client(_) => Exit::Network,
        }
    }

    /// What the user can do about it, printed after the cause chain.
    pub fn hint(&self) -> Option<String> {
        let hint = match self {
            Error::Insecure { .. } => "use https://, or pass --allow-http (loopback hosts are always allowed)",
            Error::Status { .. } => return None,
            Error::Transport { .. } => return None,
            Error::Certificate { .. } => {
                "if your network inspects TLS, give its CA bundle with SSL_CERT_FILE=/path/to/ca.pem"
            }
            Error::Truncated { .. } => return None,
            Error::TooLarge { .. } => "raise it with --max-download-size",
            Error::Deadline { .. } => "raise it with --download-timeout or KATALON_PREP_DOWNLOAD_TIMEOUT, e.g. 2h",
            Error::Redirects { .. } => return None,
            Error::BadRedirect { .. } => return None,
            Error::Write { .. } => return None,
            Error::ApiTooLarge { .. } => return None,
            Error::Json { .. } => return None,
            // The message names the CA file; no TLS set-up error has a hint.
            Error::Tls(_) => return None,
            Error::Client(_) => return None,
        };
        Some(hint.to_string())
    }
}

impl Error {
    /// Errors of the local machine (disk), not of the network.
    pub fn is_local(&self) -> bool {
        matches!(self, Error::Write { .. })
    }
}

/// ` (after N tries)` when there was more than one.
pub(crate) fn tries_suffix(attempts: u32) -> String {
    if attempts > 1 { format!(" (after {attempts} tries)") } else { String::new() }
}

/// What a download wrote.
#[derive(Debug, Clone)]
pub struct Downloaded {
    pub sha256: Sha256,
    pub size: u64,
    /// Where the bytes came from after redirects (its file name names the artifact).
    pub final_url: Url,
}

/// A header sent only to one origin (scheme, host, port).
#[derive(Clone)]
pub struct OriginHeader<'a> {
    pub origin: Url,
    pub name: HeaderName,
    pub value: &'a str,
}

impl OriginHeader<'_> {
    fn applies_to(&self, url: &Url) -> bool {
        urls::same_origin(&self.origin, url)
    }
}

/// The HTTP client.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    settings: Settings,
}

const MAX_REDIRECTS: usize = 10;

/// The largest API answer read (Store listing, GitHub release): far above
/// any real one, far below what fills memory. `--max-download-size` is for
/// artifacts only.
pub const MAX_API_BODY: u64 = 16 * 1024 * 1024;

/// The body, or `None` once it passes `limit` bytes (the rest is not read).
async fn read_capped(mut response: reqwest::Response, limit: u64) -> Result<Option<Vec<u8>>, reqwest::Error> {
    if response.content_length().is_some_and(|n| n > limit) {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() as u64 + chunk.len() as u64 > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

impl Http {
    pub fn new(settings: Settings) -> Result<Http, Error> {
        let tls = tls::client_config(settings.ca_file.as_deref())?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never())
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .user_agent(concat!("katalon-prep/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::Client)?;
        Ok(Http { client, settings })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The underlying client, for octocrab: the GitHub API then shares this
    /// TLS set-up (one crypto provider, bundled roots, `SSL_CERT_FILE`), the
    /// proxy settings and the timeouts. It follows no redirects by itself.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Refuses plain http except to loopback hosts or with `--allow-http`.
    pub fn check_scheme(&self, url: &Url) -> Result<(), Error> {
        match url.scheme() {
            "https" => Ok(()),
            "http" if self.settings.allow_http || is_loopback(url) => Ok(()),
            _ => Err(Error::Insecure { url: redacted(url) }),
        }
    }

    /// Sends one GET, following redirects by hand: `header` goes only to its
    /// own origin, on the first hop and on every later hop.
    /// Sends one download request and checks the announced size: the
    /// response, the URL it came from after redirects, and its length.
    async fn start(
        &self,
        url: &Url,
        header: Option<&OriginHeader<'_>>,
        accept: &str,
        name: &str,
        reporter: &dyn Reporter,
    ) -> Result<(reqwest::Response, Url, Option<u64>), (Error, bool)> {
        let response = self.send_once(url, header, accept).await?;
        let final_url = response.url().clone();
        let expected = response.content_length();
        let limit = self.settings.max_size;
        if expected.is_some_and(|len| len > limit) {
            return Err((Error::TooLarge { url: redacted(url), limit }, false));
        }
        reporter.report(Event::DownloadStarted { name: name.to_string(), size: expected });
        Ok((response, final_url, expected))
    }

    async fn send_once(
        &self,
        url: &Url,
        header: Option<&OriginHeader<'_>>,
        accept: &str,
    ) -> Result<reqwest::Response, (Error, bool)> {
        let mut current = url.clone();
        for _ in 0..=MAX_REDIRECTS {
            self.check_scheme(&current).map_err(|e| (e, false))?;
            let mut headers = HeaderMap::new();
            headers.insert(
                reqwest::header::ACCEPT,
                HeaderValue::from_str(accept).unwrap_or(HeaderValue::from_static("*/*")),
            );
            if let Some(h) = header.filter(|h| h.applies_to(&current))
                && let Ok(mut value) = HeaderValue::from_str(h.value)
            {
                value.set_sensitive(true);
                headers.insert(h.name.clone(), value);
            }
            tracing::debug!(url = %redacted(&current), "GET");
            let response = self.client.get(current.clone()).headers(headers).send().await.map_err(|e| {
                if is_certificate_error(&e) {
                    // Trying again cannot change a certificate: fail at once, with the fix.
                    return (Error::Certificate { url: redacted(&current), source: e.without_url() }, false);
                }
                let transient = e.is_timeout() || e.is_connect() || e.is_request() || e.is_body();
                (Error::Transport { url: redacted(&current), attempts: 1, source: e.without_url() }, transient)
            })?;
            if response.status().is_redirection()
                && let Some(location) = response.headers().get(reqwest::header::LOCATION)
            {
                let next = location
                    .to_str()
                    .ok()
                    .and_then(|l| current.join(l).ok())
                    .ok_or((Error::BadRedirect { url: redacted(&current) }, false))?;
                tracing::debug!(from = %redacted(&current), to = %redacted(&next), "redirect");
                current = next;
                continue;
            }
            let status = response.status();
            if !status.is_success() {
                let retry_after = retry::retry_after(response.headers());
                return Err((
                    Error::Status { url: redacted(&current), status: status.as_u16(), attempts: 1, retry_after },
                    retry::is_transient_status(status),
                ));
            }
            return Ok(response);
        }
        Err((Error::Redirects { url: redacted(url), max: MAX_REDIRECTS }, false))
    }

    /// GETs `url` and decodes a JSON body, with retries.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &Url,
        header: Option<&OriginHeader<'_>>,
        name: &str,
        reporter: &dyn Reporter,
    ) -> Result<T, Error> {
        self.retrying(name, reporter, || async {
            let response = self.send_once(url, header, "application/json").await?;
            match read_capped(response, MAX_API_BODY).await {
                // A body that does not decode is not a hiccup: not retried.
                Ok(Some(body)) => serde_json::from_slice(&body)
                    .map_err(|e| (Error::Json { url: redacted(url), message: e.to_string() }, false)),
                // Endless or huge: not a hiccup, so not retried.
                Ok(None) => Err((Error::ApiTooLarge { url: redacted(url) }, false)),
                Err(e) => Err((Error::Transport { url: redacted(url), attempts: 1, source: e.without_url() }, true)),
            }
        })
        .await
    }

    /// Runs `attempt` under the retry policy: again while it fails with an
    /// error it marks transient and the policy allows another try; the last
    /// error carries the number of attempts made.
    async fn retrying<T, F, Fut>(&self, name: &str, reporter: &dyn Reporter, attempt: F) -> Result<T, Error>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<T, (Error, bool)>>,
    {
        let mut tries = retry::Tries::new(&self.settings.retry, name, reporter);
        loop {
            let (error, transient) = match attempt().await {
                Ok(done) => return Ok(done),
                Err(failure) => failure,
            };
            if !tries.again(&error, transient, retry_after_of(&error)).await {
                return Err(with_attempts(error, tries.attempt()));
            }
        }
    }

    /// Streams `url` into `file` (truncated first on every try), hashing as
    /// it writes; a body cut short is retried and nothing partial is
    /// returned. `accept` matters to GitHub, which serves a release asset's
    /// bytes from its API URL only for `application/octet-stream`.
    pub async fn download_as(
        &self,
        url: &Url,
        header: Option<&OriginHeader<'_>>,
        accept: &str,
        name: &str,
        file: &std::fs::File,
        reporter: &dyn Reporter,
    ) -> Result<Downloaded, Error> {
        let limit = self.settings.download_timeout;
        let attempts = self.retrying(name, reporter, || self.try_download(url, header, accept, name, file, reporter));
        match tokio::time::timeout(limit, attempts).await {
            Ok(result) => result,
            Err(_) => Err(Error::Deadline { url: redacted(url), limit }),
        }
    }

    async fn try_download(
        &self,
        url: &Url,
        header: Option<&OriginHeader<'_>>,
        accept: &str,
        name: &str,
        mut file: &std::fs::File,
        reporter: &dyn Reporter,
    ) -> Result<Downloaded, (Error, bool)> {
        let write_err = |source| (Error::Write { url: redacted(url), source }, false);
        file.set_len(0).map_err(write_err)?;
        file.rewind().map_err(write_err)?;
        let (mut response, final_url, expected) = self.start(url, header, accept, name, reporter).await?;
        let limit = self.settings.max_size;
        let mut sink = Sink::start(file.try_clone().map_err(write_err)?);
        let mut got = 0u64;
        let mut last_report = 0u64;
        loop {
            let failure = match response.chunk().await {
                Ok(Some(chunk)) => {
                    if got + chunk.len() as u64 > limit {
                        Some((Error::TooLarge { url: redacted(url), limit }, false))
                    } else {
                        got += chunk.len() as u64;
                        // A refused chunk means the writer stopped: its error is the one to report.
                        if sink.send(chunk).await {
                            None
                        } else {
                            Some(match sink.finish().await {
                                Err(e) => write_err(e),
                                Ok(_) => write_err(std::io::Error::other("the download writer stopped")),
                            })
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => Some(match expected {
                    Some(expected) if got < expected => {
                        (Error::Truncated { url: redacted(url), got, expected, attempts: 1 }, true)
                    }
                    _ => (Error::Transport { url: redacted(url), attempts: 1, source: e.without_url() }, true),
                }),
            };
            if let Some(failure) = failure {
                // The writer must be done before a retry truncates the file.
                let _ = sink.finish().await;
                return Err(failure);
            }
            if got - last_report >= 1 << 20 {
                last_report = got;
                reporter.report(Event::DownloadProgress { name: name.to_string(), bytes: last_report });
            }
        }
        let (sha, len) = sink.finish().await.map_err(write_err)?;
        if let Some(expected) = expected
            && len != expected
        {
            return Err((Error::Truncated { url: redacted(url), got: len, expected, attempts: 1 }, true));
        }
        Ok(Downloaded { sha256: sha, size: len, final_url })
    }
}

/// Why a streamed download failed: the network (after retries), or the
/// consumer of the bytes (not retried: the bytes are what they are).
#[derive(Debug)]
pub enum StreamError<E> {
    Net(Error),
    Consumer(E),
}

impl<E> From<Error> for StreamError<E> {
    fn from(e: Error) -> Self {
        StreamError::Net(e)
    }
}

impl Http {
    /// Streams `url` through `consume` on a blocking thread, hashing every
    /// byte as it is read: download, hash and (say) extraction in one pass,
    /// with a few chunks in flight, never the whole body in memory. A try
    /// cut short by the network is retried with a fresh `consume`, which
    /// must start its work over (its reader fails with `ConnectionAborted`, and
    /// its error is then ignored); an error of `consume` on a complete body
    /// is returned as it is. Whatever `consume` leaves unread is read and
    /// hashed too, so the digest is always of the whole body.
    pub async fn download_streamed<T, E, F>(
        &self,
        url: &Url,
        name: &str,
        reporter: &dyn Reporter,
        consume: F,
    ) -> Result<(T, Downloaded), StreamError<E>>
    where
        T: Send + 'static,
        E: Send + 'static,
        F: Fn(&mut dyn std::io::Read) -> Result<T, E> + Send + Sync + 'static,
    {
        let consume = std::sync::Arc::new(consume);
        // A consumer's error ends the download as it is (the inner `Err`).
        match self.retrying(name, reporter, || self.try_streamed(url, name, reporter, consume.clone())).await {
            Ok(Ok(done)) => Ok(done),
            Ok(Err(consumer)) => Err(StreamError::Consumer(consumer)),
            Err(net) => Err(StreamError::Net(net)),
        }
    }

    #[allow(clippy::type_complexity)]
    async fn try_streamed<T, E, F>(
        &self,
        url: &Url,
        name: &str,
        reporter: &dyn Reporter,
        consume: std::sync::Arc<F>,
    ) -> Result<Result<(T, Downloaded), E>, (Error, bool)>
    where
        T: Send + 'static,
        E: Send + 'static,
        F: Fn(&mut dyn std::io::Read) -> Result<T, E> + Send + Sync + 'static,
    {
        let (mut response, final_url, expected) = self.start(url, None, "*/*", name, reporter).await?;
        let limit = self.settings.max_size;
        let (tx, rx) = tokio::sync::mpsc::channel::<Option<bytes::Bytes>>(8);
        let task = tokio::task::spawn_blocking(move || {
            let mut reader = ChunkReader::new(rx);
            let result = consume(&mut reader);
            // Hash what the consumer left (a tar's end padding, a trailer).
            let rest = std::io::copy(&mut reader, &mut std::io::sink());
            let (sha, len) = reader.finish();
            match (result, rest) {
                (Ok(t), Ok(_)) => Ok((t, sha, len)),
                (Err(e), _) => Err(Some(e)),
                (Ok(_), Err(_)) => Err(None),
            }
        });
        let mut got = 0u64;
        let mut last_report = 0u64;
        let mut failure = None;
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if got + chunk.len() as u64 > limit {
                        failure = Some((Error::TooLarge { url: redacted(url), limit }, false));
                        break;
                    }
                    got += chunk.len() as u64;
                    // Refused: the consumer stopped (its error is the answer).
                    if tx.send(Some(chunk)).await.is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    failure = Some(match expected {
                        Some(expected) if got < expected => {
                            (Error::Truncated { url: redacted(url), got, expected, attempts: 1 }, true)
                        }
                        _ => (Error::Transport { url: redacted(url), attempts: 1, source: e.without_url() }, true),
                    });
                    break;
                }
            }
            if got - last_report >= 1 << 20 {
                last_report = got;
                reporter.report(Event::DownloadProgress { name: name.to_string(), bytes: last_report });
            }
        }
        if failure.is_none() && expected.is_some_and(|e| got < e) {
            failure = Some((
                Error::Truncated { url: redacted(url), got, expected: expected.unwrap_or(0), attempts: 1 },
                true,
            ));
        }
        if failure.is_some() {
            // `None`: the reader fails with `ConnectionAborted` instead of seeing an end.
            let _ = tx.send(None).await;
        }
        drop(tx);
        let joined =
            task.await.map_err(|e| (Error::Write { url: redacted(url), source: std::io::Error::other(e) }, false))?;
        if let Some(failure) = failure {
            return Err(failure);
        }
        match joined {
            Ok((t, sha256, size)) => Ok(Ok((t, Downloaded { sha256, size, final_url }))),
            Err(Some(e)) => Ok(Err(e)),
            Err(None) => Err((
                Error::Write { url: redacted(url), source: std::io::Error::other("the download reader failed") },
                false,
            )),
        }
    }
}

/// The bytes of a streamed download as a `Read`, hashed as they are read.
/// A `None` chunk means the network failed: reads then fail.
struct ChunkReader {
    rx: tokio::sync::mpsc::Receiver<Option<bytes::Bytes>>,
    current: bytes::Bytes,
    hasher: HashingWriter<std::io::Sink>,
    interrupted: bool,
}

impl ChunkReader {
    fn new(rx: tokio::sync::mpsc::Receiver<Option<bytes::Bytes>>) -> Self {
        ChunkReader {
            rx,
            current: bytes::Bytes::new(),
            hasher: HashingWriter::new(std::io::sink()),
            interrupted: false,
        }
    }

    fn finish(self) -> (Sha256, u64) {
        let (sha, len, _) = self.hasher.finish();
        (sha, len)
    }
}

impl std::io::Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            if self.interrupted {
                return Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "the download was interrupted"));
            }
            match self.rx.blocking_recv() {
                Some(Some(chunk)) => self.current = chunk,
                Some(None) => self.interrupted = true,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        let chunk = self.current.split_to(n);
        buf[..n].copy_from_slice(&chunk);
        self.hasher.write_all(&chunk)?;
        Ok(n)
    }
}

/// Hashes and writes one download on a blocking thread. The downloads of a
/// run are all polled by one thread; hashing there put every byte of every
/// download through one core. Chunks are handed over through a short queue
/// (a few chunks per download: memory stays flat for any size).
struct Sink<B> {
    tx: Option<tokio::sync::mpsc::Sender<B>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<(Sha256, u64)>>>,
}

impl<B: AsRef<[u8]> + Send + 'static> Sink<B> {
    fn start(mut out: std::fs::File) -> Sink<B> {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<B>(4);
        let task = tokio::task::spawn_blocking(move || {
            let mut w = HashingWriter::new(std::io::BufWriter::with_capacity(256 * 1024, &mut out));
            while let Some(chunk) = rx.blocking_recv() {
                w.write_all(chunk.as_ref())?;
            }
            let (sha, len, buffered) = w.finish();
            buffered.into_inner().map_err(|e| e.into_error())?;
            Ok((sha, len))
        });
        Sink { tx: Some(tx), task: Some(task) }
    }

    /// False when the writer has stopped (a write failed).
    async fn send(&mut self, chunk: B) -> bool {
        match &self.tx {
            Some(tx) => tx.send(chunk).await.is_ok(),
            None => false,
        }
    }

    /// Waits for the writer: the sha256 and length of what it wrote.
    async fn finish(&mut self) -> std::io::Result<(Sha256, u64)> {
        self.tx = None;
        match self.task.take() {
            Some(task) => task.await.map_err(std::io::Error::other)?,
            None => Err(std::io::Error::other("the download writer already finished")),
        }
    }
}

/// A certificate the verifier rejected (unknown issuer, expired, wrong
/// name): permanent, unlike a connection that failed.
fn is_certificate_error(e: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if matches!(tls_error(err), Some(rustls::Error::InvalidCertificate(_))) {
            return true;
        }
        source = err.source();
    }
    false
}

/// The rustls error inside `err`, looking through the `io::Error` layers
/// the TLS stream wraps it in.
fn tls_error<'a>(mut err: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    loop {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        err = err.downcast_ref::<std::io::Error>()?.get_ref()?;
    }
}

fn retry_after_of(error: &Error) -> Option<Duration> {
    match error {
        Error::Status { retry_after, .. } => *retry_after,
        _ => None,
    }
}

fn with_attempts(error: Error, n: u32) -> Error {
    match error {
        Error::Status { url, status, retry_after, .. } => Error::Status { url, status, attempts: n, retry_after },
        Error::Transport { url, source, .. } => Error::Transport { url, attempts: n, source },
        Error::Truncated { url, got, expected, .. } => Error::Truncated { url, got, expected, attempts: n },
        other => other,
    }
}
