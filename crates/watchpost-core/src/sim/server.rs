//! [`SimServer`]: binds a loopback port, serves a [`Router`] over HTTP/1.1 (one task per
//! connection), counts requests per route, applies [`Faults`] and shuts down gracefully.

use std::collections::BTreeMap;
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::FutureExt;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::body::{into_hyper, HyperBody};
use super::faults::Faults;
use super::journal::{Answer, Journal, JournalEntry};
use super::request::SimRequest;
use super::response::SimResponse;
use super::router::Router;
use super::{conn, lock};
use crate::clock::{SharedClock, TokioClock};

/// The largest request body the server reads (64 MiB); a larger one is answered `413`.
const MAX_REQUEST_BODY: usize = 64 * 1024 * 1024;

/// How long shutdown waits for requests in flight before aborting their connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running simulator server. Dropping it shuts it down (in the background).
///
/// ```
/// # use watchpost_core::sim::{Router, SimResponse, SimServer};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let server = SimServer::start(Router::new().get("/ping", "ping", |_| async { SimResponse::text(200, "pong") })).await?;
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// assert_eq!(server.unhit_routes(), ["ping"]);
/// # Ok(())
/// # }
/// ```
pub struct SimServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<()>>>,
}

/// What every connection task shares.
pub(crate) struct Shared {
    router: Arc<Router>,
    faults: Faults,
    journal: Journal,
    clock: SharedClock,
    stats: Stats,
    shutdown: watch::Receiver<bool>,
}

#[derive(Default)]
struct Stats {
    requests: AtomicU64,
    connections: AtomicU64,
    hits: Mutex<BTreeMap<&'static str, u64>>,
    answers: Mutex<BTreeMap<&'static str, AnswerCounts>>,
}

/// How the requests of one route were answered (kept apart from the bounded journal).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnswerCounts {
    /// Answers of the route's handler (successes and vendor-level errors).
    pub handler: u64,
    /// `501 Not Implemented` answers of the handler ("not simulated").
    pub not_simulated: u64,
}

/// Where and how a [`SimServer`] runs: what [`SimServer::start_with`] takes.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to bind. Default `127.0.0.1:0`.
    pub bind: SocketAddr,
    /// The journal to record requests in (shared by the servers of one simulator).
    pub journal: Journal,
    /// The clock journal times follow. Default [`TokioClock`].
    pub clock: SharedClock,
    /// Fault controls to apply instead of the router's own.
    pub faults: Option<Faults>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            journal: Journal::new(),
            clock: TokioClock::shared(),
            faults: None,
        }
    }
}

impl fmt::Debug for SimServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimServer")
            .field("addr", &self.addr)
            .field("requests_total", &self.requests_total())
            .field("router", &self.shared.router)
            .finish()
    }
}

impl SimServer {
    /// Serves `router` on `127.0.0.1` on a free port.
    ///
    /// # Errors
    /// When the port cannot be bound.
    pub async fn start(router: Router) -> std::io::Result<SimServer> {
        Self::start_on(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), router).await
    }

    /// Serves `router` on `addr` (for a standalone `watchpost sim --listen`).
    ///
    /// # Errors
    /// When `addr` cannot be bound.
    pub async fn start_on(addr: SocketAddr, router: Router) -> std::io::Result<SimServer> {
        Self::start_with(router, ServeOptions { bind: addr, ..ServeOptions::default() }).await
    }

    /// Serves `router` as `options` say (address, shared journal, clock, shared faults).
    ///
    /// # Errors
    /// When the address cannot be bound.
    pub async fn start_with(mut router: Router, options: ServeOptions) -> std::io::Result<SimServer> {
        let listener = TcpListener::bind(options.bind).await?;
        let addr = listener.local_addr()?;
        let (shutdown, shutdown_rx) = watch::channel(false);
        if let Some(faults) = options.faults {
            router.set_faults(faults);
        }
        let faults = router.faults();
        let shared = Arc::new(Shared {
            router: Arc::new(router),
            faults,
            journal: options.journal,
            clock: options.clock,
            stats: Stats::default(),
            shutdown: shutdown_rx,
        });
        let task = tokio::spawn(accept_loop(listener, shared.clone()));
        Ok(SimServer { addr, shared, shutdown, task: Mutex::new(Some(task)) })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://IP:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The fault controls of this server (the router's [`Router::faults`]).
    pub fn faults(&self) -> Faults {
        self.shared.faults.clone()
    }

    /// Every request received so far (bounded: the oldest are dropped first).
    pub fn journal(&self) -> Journal {
        self.shared.journal.clone()
    }

    /// How each route's requests were answered so far (routes answered at least once).
    pub fn answer_counts(&self) -> BTreeMap<&'static str, AnswerCounts> {
        lock(&self.shared.stats.answers).clone()
    }

    /// How many requests were received (all routes, the fallback and faulted requests included).
    pub fn requests_total(&self) -> u64 {
        self.shared.stats.requests.load(Ordering::Relaxed)
    }

    /// How many connections were accepted.
    pub fn connections_total(&self) -> u64 {
        self.shared.stats.connections.load(Ordering::Relaxed)
    }

    /// How many requests matched the route named `route` (use
    /// [`FALLBACK_ROUTE`](super::FALLBACK_ROUTE) for unmatched ones).
    pub fn hits(&self, route: &str) -> u64 {
        lock(&self.shared.stats.hits).get(route).copied().unwrap_or(0)
    }

    /// Hit counts of every route that was hit at least once.
    pub fn hit_counts(&self) -> BTreeMap<&'static str, u64> {
        lock(&self.shared.stats.hits).clone()
    }

    /// The router's route names, in the order they were added.
    pub fn route_names(&self) -> Vec<&'static str> {
        self.shared.router.route_names()
    }

    /// Routes never hit so far: an empty list proves every operation was exercised.
    pub fn unhit_routes(&self) -> Vec<&'static str> {
        let hits = lock(&self.shared.stats.hits);
        self.route_names().into_iter().filter(|r| !hits.contains_key(r)).collect()
    }

    /// Stops accepting connections, ends open streams cleanly, lets requests in flight finish
    /// (for up to 5 s of tokio time, then aborts them) and waits until every connection is
    /// closed. Calling it again does nothing.
    pub async fn shutdown(&self) {
        let _ = self.shutdown.send(true);
        let task = lock(&self.task).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown.clone();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = super::shutting_down(&mut shutdown) => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    shared.stats.connections.fetch_add(1, Ordering::Relaxed);
                    connections.spawn(conn::serve(stream, peer, shared.clone(), shared.shutdown.clone()));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "simulator accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
    drop(listener);
    let drained =
        tokio::time::timeout(SHUTDOWN_GRACE, async { while connections.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        connections.shutdown().await;
    }
}

impl Shared {
    /// Answers one request; `None` resets the connection.
    pub(crate) async fn handle(
        &self,
        req: http::Request<Incoming>,
        peer: SocketAddr,
    ) -> Option<http::Response<HyperBody>> {
        let (parts, body) = req.into_parts();
        let body = match Limited::new(body, MAX_REQUEST_BODY).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => {
                let resp = SimResponse::text(413, format!("simulator: request body over {MAX_REQUEST_BODY} bytes"));
                return into_hyper(resp, self.shutdown.clone());
            }
            // The client went away mid-body: nobody is listening for an answer.
            Err(_) => return None,
        };
        let response = self.respond(build_request(parts, body, peer)).await;
        into_hyper(response, self.shutdown.clone())
    }

    async fn respond(&self, mut req: SimRequest) -> SimResponse {
        let (sent_method, sent_target, sent_body) = (req.method.clone(), req.path_and_query(), req.body.clone());
        self.router.apply_rewrite(&mut req);
        let resolved = self.router.resolve(&req.method, &req.path, &req.query);
        req.route = resolved.route;
        req.params = resolved.params;
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        *lock(&self.stats.hits).entry(resolved.route).or_insert(0) += 1;
        let mut entry = JournalEntry {
            operation: (resolved.route != super::FALLBACK_ROUTE).then_some(resolved.route),
            method: sent_method,
            path_and_query: sent_target,
            headers: req.headers.clone(),
            body: sent_body,
            status: 0,
            answer: Answer::Fault,
            at: self.clock.unix_now(),
        };
        let (response, answer) = self.answer(req, resolved.endpoint).await;
        entry.status = if response.is_reset() { 0 } else { response.status().as_u16() };
        entry.answer = answer;
        if let (Some(route), Answer::Handler | Answer::NotSimulated) = (entry.operation, answer) {
            let mut answers = lock(&self.stats.answers);
            let counts = answers.entry(route).or_default();
            if answer == Answer::Handler {
                counts.handler += 1;
            } else {
                counts.not_simulated += 1;
            }
        }
        self.journal.record(entry);
        response
    }

    async fn answer(&self, req: SimRequest, endpoint: super::router::Endpoint) -> (SimResponse, Answer) {
        let unrouted = req.route == super::FALLBACK_ROUTE;
        let resolved_route = req.route;

        tracing::debug!(method = %req.method, path = %req.path, route = resolved_route, "simulator request");
        let plan = self.faults.plan(resolved_route);
        if !plan.latency.is_zero() {
            tokio::time::sleep(plan.latency).await;
        }
        let (response, answer) = match plan.replace {
            Some(canned) => (canned, Answer::Fault),
            None => {
                let route = req.route;
                let run = self.router.clone().dispatch(req, endpoint);
                match AssertUnwindSafe(run).catch_unwind().await {
                    Ok((resp, reached)) => {
                        let answer = match (unrouted, reached) {
                            (true, _) => Answer::Unrouted,
                            (false, false) => Answer::Middleware,
                            (false, true) if resp.status() == http::StatusCode::NOT_IMPLEMENTED => Answer::NotSimulated,
                            (false, true) => Answer::Handler,
                        };
                        (resp, answer)
                    }
                    Err(panic) => {
                        let message = panic
                            .downcast_ref::<&str>()
                            .map(|s| (*s).to_owned())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_default();
                        let resp =
                            SimResponse::text(500, format!("simulator handler for route {route} panicked: {message}"));
                        (resp, Answer::Panicked)
                    }
                }
            }
        };
        match plan.truncate {
            Some(bytes) => (response.truncate_after(bytes), answer),
            None => (response, answer),
        }
    }
}

fn build_request(parts: http::request::Parts, body: Bytes, peer: SocketAddr) -> SimRequest {
    let path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().map(str::to_owned);
    let query = raw_query.as_deref().map(|q| crate::codec::form::decode_pairs(q.as_bytes())).unwrap_or_default();
    SimRequest {
        method: parts.method,
        path,
        raw_query,
        query,
        headers: parts.headers,
        body,
        params: Default::default(),
        route: super::FALLBACK_ROUTE,
        peer,
        extensions: parts.extensions,
    }
}
