//! [`Journal`]: every request a simulator received, as it arrived, with how it was answered, so
//! a test can assert on what a client actually sent.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};

use super::lock;

/// How many entries a journal keeps by default; older ones are dropped (and counted) so a
/// simulator serving for months stays bounded.
pub const DEFAULT_JOURNAL_CAPACITY: usize = 10_000;

/// How many body bytes a journal keeps at most (64 MiB): beyond, the oldest entries are dropped
/// (the latest entry is always kept).
pub const JOURNAL_BODY_BUDGET: usize = 64 * 1024 * 1024;

/// What a header value is replaced with when it may carry a credential.
pub const REDACTED: &str = "<redacted>";

/// Who produced the answer of a journaled request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    /// The operation's handler answered (a success or a vendor-level error).
    Handler,
    /// The handler answered `501 Not Implemented`: the operation is routed but not simulated.
    NotSimulated,
    /// A middleware (auth, quota, content checks) answered before the handler.
    Middleware,
    /// An injected fault (a canned failure or a reset) answered instead of the handler.
    Fault,
    /// No route matched: the fallback answered.
    Unrouted,
    /// The handler panicked (answered `500`).
    Panicked,
}

/// One request the simulator received, with its answer.
#[derive(Clone)]
pub struct JournalEntry {
    /// The operation id of the matched route, or `None` when no route matched.
    pub operation: Option<&'static str>,
    /// The request method.
    pub method: Method,
    /// The path and query exactly as sent.
    pub path_and_query: String,
    /// The request headers, with credential-like values replaced by [`REDACTED`].
    pub headers: HeaderMap,
    /// The request body, as received.
    pub body: Bytes,
    /// The response status (`0` for a reset connection).
    pub status: u16,
    /// Who answered.
    pub answer: Answer,
    /// When the request arrived, since the Unix epoch, on the simulator's clock.
    pub at: Duration,
}

impl fmt::Debug for JournalEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body may hold a secret (a token request's form): only its length is shown.
        f.debug_struct("JournalEntry")
            .field("operation", &self.operation)
            .field("method", &self.method)
            .field("path_and_query", &self.path_and_query)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("status", &self.status)
            .field("answer", &self.answer)
            .field("at", &self.at)
            .finish()
    }
}

impl JournalEntry {
    /// The body as UTF-8 text (lossy).
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body decoded as `application/x-www-form-urlencoded` pairs, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        crate::codec::form::decode_pairs(&self.body)
    }

    /// The body decoded as JSON, if it is JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The first value of a header, if it is visible ASCII text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Whether the operation's handler answered: a success or a vendor-level error, not a
    /// fault, an auth or quota refusal, or a "not simulated".
    pub fn reached_handler(&self) -> bool {
        self.answer == Answer::Handler
    }
}

/// The requests a simulator received, oldest first (clone freely: clones share the entries).
#[derive(Clone)]
pub struct Journal {
    inner: Arc<Inner>,
}

struct Inner {
    capacity: AtomicUsize,
    entries: Mutex<Entries>,
    dropped: AtomicU64,
}

/// The entries kept and the body bytes they hold.
#[derive(Default)]
struct Entries {
    list: VecDeque<JournalEntry>,
    body_bytes: usize,
}

impl Entries {
    fn pop_front(&mut self) -> bool {
        match self.list.pop_front() {
            Some(e) => {
                self.body_bytes = self.body_bytes.saturating_sub(e.body.len());
                true
            }
            None => false,
        }
    }
}

impl Default for Journal {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_JOURNAL_CAPACITY)
    }
}

impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journal")
            .field("len", &self.len())
            .field("dropped", &self.dropped())
            .field("capacity", &self.capacity())
            .finish()
    }
}

impl Journal {
    /// An empty journal keeping the last [`DEFAULT_JOURNAL_CAPACITY`] entries.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty journal keeping the last `capacity` entries (`0` keeps none).
    pub fn with_capacity(capacity: usize) -> Self {
        Journal {
            inner: Arc::new(Inner {
                capacity: AtomicUsize::new(capacity),
                entries: Mutex::new(Entries::default()),
                dropped: AtomicU64::new(0),
            }),
        }
    }

    /// Every entry kept, oldest first.
    pub fn entries(&self) -> Vec<JournalEntry> {
        lock(&self.inner.entries).list.iter().cloned().collect()
    }

    /// The entries of operation `op_id`, oldest first.
    pub fn of(&self, op_id: &str) -> Vec<JournalEntry> {
        lock(&self.inner.entries).list.iter().filter(|e| e.operation == Some(op_id)).cloned().collect()
    }

    /// The latest entry of operation `op_id`.
    pub fn last_of(&self, op_id: &str) -> Option<JournalEntry> {
        lock(&self.inner.entries).list.iter().rev().find(|e| e.operation == Some(op_id)).cloned()
    }

    /// The entries of requests no route matched.
    pub fn unrouted(&self) -> Vec<JournalEntry> {
        lock(&self.inner.entries).list.iter().filter(|e| e.operation.is_none()).cloned().collect()
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        lock(&self.inner.entries).list.len()
    }

    /// Whether no entry is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many old entries were dropped to stay within capacity.
    pub fn dropped(&self) -> u64 {
        self.inner.dropped.load(Ordering::Relaxed)
    }

    /// How many entries are kept at most.
    pub fn capacity(&self) -> usize {
        self.inner.capacity.load(Ordering::Relaxed)
    }

    /// Changes how many entries are kept at most, dropping the oldest beyond; `0` turns the
    /// journal off (for measurements of the client's own memory, say). Hit counts and coverage
    /// records do not depend on it.
    pub fn set_capacity(&self, capacity: usize) {
        self.inner.capacity.store(capacity, Ordering::Relaxed);
        let mut entries = lock(&self.inner.entries);
        while entries.list.len() > capacity && entries.pop_front() {
            self.inner.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Forgets every entry.
    pub fn clear(&self) {
        let mut entries = lock(&self.inner.entries);
        entries.list.clear();
        entries.body_bytes = 0;
    }

    /// Appends an entry, redacting its headers.
    pub(crate) fn record(&self, mut entry: JournalEntry) {
        let capacity = self.capacity();
        if capacity == 0 {
            self.inner.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        redact(&mut entry.headers);
        let mut entries = lock(&self.inner.entries);
        let incoming = entry.body.len();
        while (entries.list.len() >= capacity
            || entries.body_bytes.saturating_add(incoming) > JOURNAL_BODY_BUDGET && !entries.list.is_empty())
            && entries.pop_front()
        {
            self.inner.dropped.fetch_add(1, Ordering::Relaxed);
        }
        entries.body_bytes = entries.body_bytes.saturating_add(incoming);
        entries.list.push_back(entry);
    }
}

/// Whether a header may carry a credential: `Authorization`, cookies, and any name mentioning
/// a token, secret, password, key, signature or session.
pub fn is_credential_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(name.as_str(), "authorization" | "proxy-authorization" | "cookie" | "set-cookie")
        || ["token", "secret", "password", "passwd", "key", "sign", "session", "auth"].iter().any(|w| name.contains(w))
}

fn redact(headers: &mut HeaderMap) {
    let names: Vec<_> = headers.keys().filter(|n| is_credential_header(n.as_str())).cloned().collect();
    for name in names {
        let count = headers.get_all(&name).iter().count();
        headers.remove(&name);
        for _ in 0..count {
            headers.append(name.clone(), http::HeaderValue::from_static(REDACTED));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(op: Option<&'static str>) -> JournalEntry {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", http::HeaderValue::from_static("Digest username=\"a\", response=\"x\""));
        headers.insert("x-gizwits-enterprise-token", http::HeaderValue::from_static("secret-token"));
        headers.insert("content-type", http::HeaderValue::from_static("application/json"));
        JournalEntry {
            operation: op,
            method: Method::POST,
            path_and_query: "/a?b=1".into(),
            headers,
            body: Bytes::from_static(b"appSecret=s3cr3t"),
            status: 200,
            answer: Answer::Handler,
            at: Duration::ZERO,
        }
    }

    #[test]
    fn credentials_are_redacted_and_capacity_is_kept() {
        let journal = Journal::with_capacity(2);
        journal.record(entry(Some("a")));
        journal.record(entry(None));
        journal.record(entry(Some("b")));
        assert_eq!((journal.len(), journal.dropped()), (2, 1));
        let last = journal.last_of("b").unwrap();
        assert_eq!(last.header("authorization"), Some(REDACTED));
        assert_eq!(last.header("x-gizwits-enterprise-token"), Some(REDACTED));
        assert_eq!(last.header("content-type"), Some("application/json"));
        assert_eq!(last.form(), [("appSecret".to_owned(), "s3cr3t".to_owned())]);
        assert!(!format!("{last:?}").contains("s3cr3t"), "Debug hides the body");
        assert_eq!(journal.unrouted().len(), 1);
        assert!(journal.of("a").is_empty(), "the oldest entry was dropped");
        journal.set_capacity(0);
        journal.record(entry(Some("c")));
        assert_eq!((journal.len(), journal.dropped()), (0, 4), "off: nothing kept");

        // Bodies are kept within a byte budget: a large one pushes the older ones out.
        let journal = Journal::new();
        journal.record(entry(Some("small")));
        let mut big = entry(Some("big"));
        big.body = Bytes::from(vec![b'x'; JOURNAL_BODY_BUDGET]);
        journal.record(big.clone());
        assert_eq!((journal.len(), journal.dropped()), (1, 1));
        journal.record(big);
        assert_eq!((journal.len(), journal.dropped()), (1, 2), "the latest entry is always kept");
    }
}
