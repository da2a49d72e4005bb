//! The request log: every request the server read, in arrival order, with
//! the status it was answered with and the fault (if any) that shaped it.
//!
//! Owns the record type and its JSON dump. It must not influence responses:
//! an entry is appended after the response is chosen and before it is sent,
//! so a client that got an answer can always find its request here (also in
//! the autosaved file, which the benchmark reads after killing the server).

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::http::{Request, header_in, query_param_in};
use crate::lock;

/// One logged request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// As sent, e.g. `GET`.
    pub method: String,
    /// The full request target as sent, query string included.
    pub target: String,
    /// The percent-decoded path without the query (what routes match on).
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// `[name, value]` pairs, names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
    /// Length of the request body.
    pub body_len: usize,
    /// The status the server answered with.
    pub status: u16,
    /// The injected fault, e.g. `"drop-mid-body 1024"`; `None` for a normal answer.
    pub fault: Option<String>,
}

impl RecordedRequest {
    pub(crate) fn new(request: &Request, status: u16, fault: Option<String>) -> Self {
        RecordedRequest {
            method: request.method.clone(),
            target: request.target.clone(),
            path: request.path.clone(),
            query: request.query.clone(),
            headers: request.headers.clone(),
            body_len: request.body.len(),
            status,
            fault,
        }
    }

    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header_in(&self.headers, name)
    }

    /// The raw value of the first query parameter with this name.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        query_param_in(self.query.as_deref(), name)
    }
}

#[derive(Default)]
pub(crate) struct RequestLog {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: Vec<RecordedRequest>,
    autosave: Option<PathBuf>,
}

impl RequestLog {
    pub(crate) fn push(&self, entry: RecordedRequest) {
        let mut inner = lock(&self.inner);
        inner.entries.push(entry);
        if let Some(path) = &inner.autosave {
            // Best effort: a failed save must not turn into a failed response.
            if let Err(e) = save(path, &inner.entries) {
                eprintln!("katalon-prep-fakes: cannot write {}: {e}", path.display());
            }
        }
    }

    pub(crate) fn entries(&self) -> Vec<RecordedRequest> {
        lock(&self.inner).entries.clone()
    }

    pub(crate) fn count_matching(&self, pred: impl Fn(&RecordedRequest) -> bool) -> usize {
        lock(&self.inner).entries.iter().filter(|e| pred(e)).count()
    }

    pub(crate) fn clear(&self) {
        lock(&self.inner).entries.clear();
    }

    pub(crate) fn write(&self, path: &Path) -> io::Result<()> {
        save(path, &lock(&self.inner).entries)
    }

    pub(crate) fn autosave(&self, path: PathBuf) -> io::Result<()> {
        let mut inner = lock(&self.inner);
        save(&path, &inner.entries)?;
        inner.autosave = Some(path);
        Ok(())
    }
}

/// Writes a sibling temp file and renames it over `path`, so a reader (or a
/// kill at the wrong moment) never sees half a JSON document.
fn save(path: &Path, entries: &[RecordedRequest]) -> io::Result<()> {
    let json = serde_json::to_vec_pretty(entries).map_err(io::Error::other)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, json)?;
    fs::rename(&tmp, path)
}
