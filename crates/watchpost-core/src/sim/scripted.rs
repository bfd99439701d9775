//! [`ScriptedServer`]: a hostile HTTP/1.1 server for tests that answers each request with
//! exactly the bytes the test chose (a redirect, an empty `200`, a broken head...) and records
//! every request it read, so a test can assert what the client really sent.
//!
//! Unlike [`SimServer`](super::SimServer), nothing is normalised by an HTTP library: the bytes
//! of the script go to the socket as given. Each connection serves one request and is closed.
//!
//! ```
//! use watchpost_core::sim::scripted::{http_response, ScriptedServer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let other = ScriptedServer::start([http_response("200 OK", &[], b"{}")]).await?;
//! let location = format!("{}/steal", other.base_url());
//! let server = ScriptedServer::start([http_response("307 Temporary Redirect", &[("Location", &location)], b"")]).await?;
//! // ... point a client at `server.base_url()`, then:
//! assert!(server.requests().is_empty());
//! assert_eq!(other.connections(), 0);
//! # Ok(())
//! # }
//! ```

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The most bytes of a request head the server reads before it gives up on the request.
const MAX_HEAD: usize = 64 * 1024;
/// The most bytes of a request body the server keeps.
const MAX_BODY: usize = 1024 * 1024;

/// A request as the [`ScriptedServer`] read it off the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// The request line and headers, as text (lossy UTF-8), without the blank line.
    pub head: String,
    /// The body, per `Content-Length` (empty without one).
    pub body: Bytes,
}

impl RecordedRequest {
    /// The method of the request line.
    pub fn method(&self) -> &str {
        self.head.split_whitespace().next().unwrap_or_default()
    }

    /// The request target of the request line (`/path?query`).
    pub fn target(&self) -> &str {
        self.head.split_whitespace().nth(1).unwrap_or_default()
    }

    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Builds the bytes of a complete response: `HTTP/1.1 {status_line}`, the given headers, a
/// `Content-Length` for `body` and `Connection: close`.
pub fn http_response(status_line: &str, headers: &[(&str, &str)], body: &[u8]) -> Bytes {
    let mut out = format!("HTTP/1.1 {status_line}\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    Bytes::from(bytes)
}

struct Shared {
    script: Mutex<VecDeque<Bytes>>,
    last: Mutex<Option<Bytes>>,
    requests: Mutex<Vec<RecordedRequest>>,
    connections: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A loopback server that answers the n-th request with the n-th scripted response (the last
/// one again once the script is used up) and records every request. Stops when dropped.
pub struct ScriptedServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for ScriptedServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScriptedServer").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl ScriptedServer {
    /// Starts the server on `127.0.0.1:0` with its script of raw responses.
    ///
    /// # Errors
    /// When the listener cannot be bound.
    pub async fn start<B: Into<Bytes>>(script: impl IntoIterator<Item = B>) -> std::io::Result<ScriptedServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            script: Mutex::new(script.into_iter().map(Into::into).collect()),
            last: Mutex::new(None),
            requests: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
        });
        let accept_shared = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                accept_shared.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(serve(socket, accept_shared.clone()));
            }
        });
        Ok(ScriptedServer { addr, shared, task })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The requests read so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Connections accepted so far (with or without a request on them).
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request, records it, writes the next scripted response and closes.
async fn serve(mut socket: TcpStream, shared: Arc<Shared>) {
    let Some(request) = read_request(&mut socket).await else { return };
    lock(&shared.requests).push(request);
    let response = {
        let next = lock(&shared.script).pop_front();
        let mut last = lock(&shared.last);
        if let Some(n) = next {
            *last = Some(n);
        }
        last.clone()
    };
    if let Some(bytes) = response {
        let _ = socket.write_all(&bytes).await;
    }
    let _ = socket.shutdown().await;
}

async fn read_request(socket: &mut TcpStream) -> Option<RecordedRequest> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(chunk.get(..n)?);
    };
    let head = String::from_utf8_lossy(buf.get(..head_end)?).into_owned();
    let length = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0)
        .min(MAX_BODY);
    let mut body = buf.get(head_end + 4..).map(<[u8]>::to_vec).unwrap_or_default();
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(chunk.get(..n)?);
    }
    body.truncate(length);
    Some(RecordedRequest { head, body: Bytes::from(body) })
}
