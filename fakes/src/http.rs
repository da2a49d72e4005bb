//! The HTTP/1.1 wire format, and nothing else: reading one request off a
//! socket and writing one response onto it, optionally lying about or
//! cutting short the body (the hooks the fault plan needs).
//!
//! It knows no routes, faults or logs. One request per connection: every
//! response carries `Connection: close` and the caller closes the socket, so
//! there is no keep-alive or pipelining to get right. Request bodies are read
//! by `Content-Length` only (no chunked uploads: nothing under test sends them).

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// Large enough for any header block a test client sends; a bigger one is an
/// error rather than an unbounded allocation.
const MAX_HEAD: usize = 64 * 1024;
/// Request bodies are only counted, but they are read into memory, so cap them.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Streaming chunk for bodies served from disk: big files never sit in memory.
pub(crate) const CHUNK: usize = 64 * 1024;

/// One request as it came in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// As sent, e.g. `GET`.
    pub method: String,
    /// The request target exactly as sent, query string included.
    pub target: String,
    /// The path, percent-decoded, without the query string; routes match on it.
    /// An absolute-form target (`http://host/p`, as sent to a proxy) yields `/p`.
    pub path: String,
    /// The raw query string after `?`, not decoded (Katalon does not encode it).
    pub query: Option<String>,
    /// Header names lower-cased, values trimmed, in the order received.
    pub headers: Vec<(String, String)>,
    /// The request body (by `Content-Length`).
    pub body: Vec<u8>,
}

impl Request {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }

    /// The raw value of the first query parameter with this name.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        query_param_in(self.query.as_deref(), name)
    }
}

pub(crate) fn header_in<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

pub(crate) fn query_param_in<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then_some(value)
    })
}

/// What a response carries after its headers.
#[derive(Clone, Debug)]
pub(crate) enum Body {
    Empty,
    /// Shared, so a static route answers many requests from one copy.
    Bytes(Arc<[u8]>),
    /// Streamed from disk in [`CHUNK`]s; the length is taken when it is sent.
    File(PathBuf),
}

/// A response to write: status, extra headers, body.
///
/// `Content-Length` and `Connection: close` are always added by the server;
/// do not set them here.
#[derive(Clone, Debug)]
pub struct Response {
    /// The status code, e.g. 200.
    pub status: u16,
    /// Extra headers, written in this order.
    pub headers: Vec<(String, String)>,
    pub(crate) body: Body,
}

impl Response {
    /// An empty response with this status.
    pub fn new(status: u16) -> Self {
        Response { status, headers: Vec::new(), body: Body::Empty }
    }

    /// Adds a header (kept in order; duplicates allowed).
    pub fn header(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.headers.push((name.into(), value.to_string()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = Body::Bytes(Arc::from(bytes.into()));
        self
    }

    /// A `text/plain` response.
    pub fn text(status: u16, text: impl Into<String>) -> Self {
        Response::new(status).header("Content-Type", "text/plain; charset=utf-8").body(text.into())
    }

    /// An `application/json` response.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Response::new(status).header("Content-Type", "application/json; charset=utf-8").body(value.to_string())
    }

    pub(crate) fn shared_bytes(status: u16, content_type: &str, bytes: Arc<[u8]>) -> Self {
        Response { status, headers: vec![("Content-Type".into(), content_type.into())], body: Body::Bytes(bytes) }
    }

    pub(crate) fn file(path: PathBuf, content_type: &str) -> Self {
        Response { status: 200, headers: vec![("Content-Type".into(), content_type.into())], body: Body::File(path) }
    }

    /// The first header with this name (case-insensitive).
    pub fn get_header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }

    /// The body length, if known without I/O (not for files on disk).
    pub(crate) fn known_len(&self) -> Option<u64> {
        match &self.body {
            Body::Empty => Some(0),
            Body::Bytes(b) => Some(b.len() as u64),
            Body::File(_) => None,
        }
    }
}

/// How to misbehave while writing a response (the default is not at all).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Misbehave {
    /// Send at most this many body bytes, then stop (headers still promise all).
    pub body_limit: Option<u64>,
    /// Add this to the `Content-Length` actually promised.
    pub overclaim: u64,
    /// Send the body at most this many bytes per second (0: as fast as possible).
    pub rate: u64,
}

/// Writes `bytes`, sleeping as needed so that the body so far (`sent`
/// bytes since `start`) never runs ahead of `rate` bytes per second.
fn paced_write(
    stream: &mut impl Write,
    bytes: &[u8],
    rate: u64,
    start: std::time::Instant,
    sent: &mut u64,
) -> io::Result<()> {
    if rate == 0 {
        *sent += bytes.len() as u64;
        return stream.write_all(bytes);
    }
    // Small slices, so the pace is smooth rather than bursts of a chunk.
    for piece in bytes.chunks(16 * 1024) {
        stream.write_all(piece)?;
        *sent += piece.len() as u64;
        let due = std::time::Duration::from_secs_f64(*sent as f64 / rate as f64);
        let elapsed = start.elapsed();
        if due > elapsed {
            std::thread::sleep(due - elapsed);
        }
    }
    Ok(())
}

/// Reads one request. `Ok(None)` when the peer closed before sending a byte
/// (how the server's own shutdown wake-up connection looks).
pub(crate) fn read_request(stream: &mut impl Read) -> io::Result<Option<Request>> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            if buf.is_empty() {
                return Ok(None);
            }
            return Err(bad("connection closed inside the request head"));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = find(&buf, b"\r\n\r\n") {
            break pos;
        }
        if buf.len() > MAX_HEAD {
            return Err(bad("request head too large"));
        }
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| bad("request head is not UTF-8"))?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let (method, target) = parse_request_line(request_line)?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':').ok_or_else(|| bad("header line without a colon"))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }

    let body_len = match header_in(&headers, "content-length") {
        Some(v) => v.parse::<usize>().map_err(|_| bad("bad Content-Length"))?,
        None => 0,
    };
    if body_len > MAX_BODY {
        return Err(bad("request body too large"));
    }
    let mut body = buf[head_end + 4..].to_vec();
    body.truncate(body_len);
    if body.len() < body_len {
        let start = body.len();
        body.resize(body_len, 0);
        stream.read_exact(&mut body[start..])?;
    }

    let (raw_path, query) = split_target(&target);
    Ok(Some(Request { path: percent_decode(raw_path), query: query.map(str::to_owned), method, target, headers, body }))
}

/// `METHOD TARGET HTTP/1.x`. A target containing spaces (an unencoded query,
/// which Katalon does send) is kept whole rather than rejected.
fn parse_request_line(line: &str) -> io::Result<(String, String)> {
    let mut parts = line.split(' ');
    let method = parts.next().filter(|m| !m.is_empty());
    let rest: Vec<&str> = parts.collect();
    match (method, rest.split_last()) {
        (Some(method), Some((version, target))) if version.starts_with("HTTP/1.") && !target.is_empty() => {
            Ok((method.to_owned(), target.join(" ")))
        }
        _ => Err(bad("malformed request line")),
    }
}

/// Splits a target into the raw path and the raw query.
pub(crate) fn split_target(target: &str) -> (&str, Option<&str>) {
    // Absolute form (`http://host:port/path`), as sent to a proxy.
    let origin_form = match target.split_once("://") {
        Some((_, after_scheme)) => match after_scheme.find('/') {
            Some(i) => &after_scheme[i..],
            None => "/",
        },
        None => target,
    };
    let without_fragment = origin_form.split('#').next().unwrap_or_default();
    match without_fragment.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (without_fragment, None),
    }
}

/// Decodes `%XX` escapes; anything malformed is kept as written.
pub(crate) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes the response. Returns how many body bytes were sent.
pub(crate) fn write_response(
    stream: &mut impl Write,
    method: &str,
    response: &Response,
    misbehave: Misbehave,
) -> io::Result<u64> {
    let mut file = None;
    let len = match &response.body {
        Body::Empty => 0,
        Body::Bytes(b) => b.len() as u64,
        Body::File(path) => {
            let f = File::open(path)?;
            let len = f.metadata()?.len();
            file = Some(f);
            len
        }
    };

    let mut head = format!("HTTP/1.1 {} {}\r\n", response.status, reason(response.status));
    for (name, value) in &response.headers {
        let _ = write!(head, "{name}: {value}\r\n");
    }
    let _ = write!(head, "Content-Length: {}\r\nConnection: close\r\n\r\n", len + misbehave.overclaim);
    stream.write_all(head.as_bytes())?;

    // HEAD and bodiless statuses promise a length but send nothing.
    if method.eq_ignore_ascii_case("HEAD") || matches!(response.status, 100..=199 | 204 | 304) {
        stream.flush()?;
        return Ok(0);
    }

    let to_send = misbehave.body_limit.map_or(len, |limit| limit.min(len));
    let (start, mut sent) = (std::time::Instant::now(), 0u64);
    match (&response.body, file) {
        (Body::Bytes(b), _) => paced_write(stream, &b[..to_send as usize], misbehave.rate, start, &mut sent)?,
        (Body::File(_), Some(f)) => {
            let mut reader = f.take(to_send);
            let mut chunk = vec![0u8; CHUNK];
            loop {
                let n = reader.read(&mut chunk)?;
                if n == 0 {
                    break;
                }
                paced_write(stream, &chunk[..n], misbehave.rate, start, &mut sent)?;
            }
        }
        _ => {}
    }
    stream.flush()?;
    Ok(to_send)
}

/// The standard reason phrase; clients ignore it, humans reading dumps do not.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn bad(msg: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> Request {
        read_request(&mut raw.as_bytes()).unwrap().unwrap()
    }

    #[test]
    fn parses_target_query_and_lowercases_header_names_in_order() {
        let r = parse(
            "GET /api/products/ks?appVersion=9.0.0&appType=ENGINE HTTP/1.1\r\nHost: x\r\napiKey: k\r\nX-B:  two \r\n\r\n",
        );
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, "/api/products/ks?appVersion=9.0.0&appType=ENGINE");
        assert_eq!(r.path, "/api/products/ks");
        assert_eq!(r.query_param("appType"), Some("ENGINE"));
        assert_eq!(
            r.headers,
            vec![
                ("host".to_owned(), "x".to_owned()),
                ("apikey".to_owned(), "k".to_owned()),
                ("x-b".to_owned(), "two".to_owned()),
            ]
        );
        assert_eq!(r.header("APIKEY"), Some("k"));
    }

    #[test]
    fn keeps_an_unencoded_query_with_spaces_whole() {
        let r = parse("GET /p?a=b c HTTP/1.1\r\n\r\n");
        assert_eq!(r.target, "/p?a=b c");
        assert_eq!(r.path, "/p");
    }

    #[test]
    fn decodes_the_path_and_handles_absolute_form() {
        assert_eq!(parse("GET /a%20b.zip HTTP/1.1\r\n\r\n").path, "/a b.zip");
        assert_eq!(parse("GET /bad%zz HTTP/1.1\r\n\r\n").path, "/bad%zz");
        let r = parse("GET http://example.com:8080/x/y?q=1 HTTP/1.1\r\n\r\n");
        assert_eq!(r.path, "/x/y");
        assert_eq!(r.query.as_deref(), Some("q=1"));
    }

    #[test]
    fn reads_a_body_by_content_length() {
        let r = parse("POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
        assert_eq!(r.body, b"hello");
    }

    #[test]
    fn rejects_garbage_and_reports_an_empty_connection_as_none() {
        assert!(read_request(&mut &b"nonsense\r\n\r\n"[..]).is_err());
        assert!(read_request(&mut &b""[..]).unwrap().is_none());
        assert!(read_request(&mut &b"GET / HTTP/1.1\r\n"[..]).is_err());
    }

    #[test]
    fn writes_a_limited_or_overclaimed_body() {
        let resp = Response::text(200, "0123456789");
        let mut out = Vec::new();
        let sent =
            write_response(&mut out, "GET", &resp, Misbehave { body_limit: Some(4), overclaim: 0, rate: 0 }).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(sent, 4);
        assert!(text.contains("Content-Length: 10\r\n"));
        assert!(text.ends_with("\r\n\r\n0123"));

        let mut out = Vec::new();
        write_response(&mut out, "HEAD", &resp, Misbehave::default()).unwrap();
        assert!(String::from_utf8(out).unwrap().ends_with("\r\n\r\n"));
    }
}
