//! The simulator kit (feature `sim`): a small in-process HTTP/1.1 server on which every vendor
//! simulator is built, with server-side auth, quotas, tokens, fault injection and endless streams.
//!
//! A vendor simulator is a [`Router`] of named routes whose handlers capture the simulator's state
//! (typically an `Arc<Mutex<State>>`), plus middleware for the vendor's auth or quota checks,
//! served by a [`SimServer`] on `127.0.0.1:0`. Tests drive it over real loopback HTTP, often under
//! tokio's paused clock: all time in the kit (nonce expiry, lock-out, quota windows, token expiry,
//! latency, stream heartbeats) follows `tokio::time` and [`crate::clock::unix_now`].
//!
//! ## Pieces
//! - [`server`]: [`SimServer`], the listener, per-connection tasks, counters and graceful shutdown.
//! - [`router`]: [`Router`], path templates with `{param}` and `{*rest}`, middleware ([`Next`]).
//! - [`request`] / [`response`]: [`SimRequest`] and [`SimResponse`] (full, streamed, truncated, reset).
//! - [`decode`]: [`FromSimRequest`], the server-side inverse of generated requests, and [`SimRejection`].
//! - [`stream`]: [`StreamChunk`] controls and the [`StreamHub`] broadcasting to open streams.
//! - [`digest`] / [`basic`]: server-side HTTP Digest (RFC 2617/7616, lock-out) and Basic auth;
//!   [`http_auth`]: [`HttpAuthServer`], the two behind one mode and one lock-out.
//! - [`token`]: [`TokenStore`] issuing and checking expiring bearer tokens.
//! - [`quota`]: [`Quota`], a fixed-window request quota with `X-RateLimit-*` headers.
//! - [`faults`]: [`Faults`], latency, failures, resets and truncation injected while the server
//!   runs, for any request or for one [`Operation`](crate::operation::Operation) (`faults.on(&op)`).
//! - [`journal`]: [`Journal`], every request received (operation, method, path and query,
//!   redacted headers, body, status, who answered, when).
//! - [`kit`]: [`SimKit`] and [`SimSettings`], the shared part of every vendor `Simulator` (bind
//!   address, advertised base URL, seed, clock, hosts (a token host's area host included),
//!   journal, faults, hits, shutdown) and the macros that forward to it.
//! - [`coverage`]: the records simulators leave in `WATCHPOST_COVERAGE_DIR` for
//!   `cargo xtask coverage`.
//! - [`scripted`]: [`ScriptedServer`], a hostile server answering exactly the bytes a test chose
//!   (redirects, empty bodies) and recording what the client sent.
//!
//! ## Order of work for one request
//! The path is matched to a route (or the fallback), the server's counters are bumped, faults are
//! applied (latency, then a reset or a canned failure instead of the handler), then the middleware
//! chain runs in the order it was added and ends in the handler, and finally a pending truncation
//! fault cuts the response body short. A panicking handler answers `500` instead of killing the
//! connection.
//!
//! ## Example
//! ```
//! use watchpost_core::sim::{Router, SimResponse, SimServer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let router = Router::new()
//!     .get("/v1/devices/{serial}", "device.get", |req| async move {
//!         let serial = req.param("serial").unwrap_or_default().to_owned();
//!         SimResponse::json(200, &serde_json::json!({ "serial": serial }))
//!     })
//!     .layer(|req| {
//!         // Every route but the login needs a token.
//!         (req.route != "login" && req.header("x-token").is_none())
//!             .then(|| SimResponse::text(401, "token required"))
//!     });
//! let server = SimServer::start(router).await?;
//! println!("listening on {}", server.base_url());
//! assert_eq!(server.hits("device.get"), 0);
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! ## Recipes
//! Digest on every route, a quota with headers on every answer, an alarm stream, and faults:
//! ```
//! use std::time::Duration;
//! use watchpost_core::sim::*;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let digest = DigestServer::new(DigestConfig::new("IP Camera(C1)").user("admin", "12345"));
//! let quota = Quota::per_hour(3600);
//! let alarms = StreamHub::new();
//!
//! let hub = alarms.clone();
//! let router = Router::new()
//!     .get("/ISAPI/Event/notification/alertStream", "alert.stream", move |_| {
//!         let rx = hub.subscribe_with(["--boundary\r\n\r\nsubscribed\r\n"]);
//!         async move {
//!             SimResponse::stream(200, "multipart/mixed; boundary=boundary", rx)
//!                 .heartbeat(Duration::from_secs(10), || "--boundary\r\n\r\nheartBeat\r\n".into())
//!         }
//!     })
//!     // Outermost: the quota counts every call and decorates every answer.
//!     .wrap(move |req, next| {
//!         let quota = quota.clone();
//!         async move {
//!             match quota.try_acquire() {
//!                 QuotaDecision::Allowed { headers } => headers.apply(next.run(req).await),
//!                 QuotaDecision::Exceeded { headers, .. } => headers.apply(SimResponse::text(403, "quota")),
//!             }
//!         }
//!     })
//!     // Then Digest, with the vendor's own 401 document.
//!     .layer(move |req| match digest.check(req) {
//!         DigestOutcome::Authorized { user } => {
//!             req.extensions.insert(user);
//!             None
//!         }
//!         refused => refused.into_response(SimResponse::xml(401, "<ResponseStatus/>")),
//!     });
//! let faults = router.faults();
//! let server = SimServer::start(router).await?;
//!
//! faults.fail_next(2, SimResponse::text(503, "busy"));
//! alarms.send("--boundary\r\n\r\n<EventNotificationAlert/>\r\n");
//! alarms.cut_all();
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```

pub mod basic;
mod body;
mod conn;
pub mod coverage;
pub mod decode;
pub mod digest;
pub mod faults;
pub mod http_auth;
pub mod journal;
pub mod kit;
mod path;
pub mod quota;
pub mod request;
pub mod response;
pub mod router;
pub mod scripted;
pub mod server;
pub mod stream;
pub mod subscriptions;
pub mod token;

pub use basic::{BasicOutcome, BasicServer};
pub use decode::{FromSimRequest, SimRejection};
pub use digest::{challenge_response, DigestAlgorithm, DigestConfig, DigestInput, DigestOutcome, DigestServer, Qop};
pub use faults::{Faults, OperationFaults};
pub use http_auth::{AuthDecision, AuthMode, AuthOutcome, HttpAuthConfig, HttpAuthServer, Lockout};
pub use journal::{Answer, Journal, JournalEntry};
pub use kit::{with_port, SimKit, SimSettings};
pub use quota::{Quota, QuotaDecision, QuotaEvent, RateLimitHeaders, JOURNAL_CAPACITY};
pub use request::SimRequest;
pub use response::SimResponse;
pub use router::{Next, Router, FALLBACK_ROUTE};
pub use scripted::{http_response, RecordedRequest, ScriptedServer};
pub use server::{AnswerCounts, ServeOptions, SimServer};
pub use stream::{StreamChunk, StreamHub};
pub use token::{IssuedToken, TokenCheck, TokenStore};

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks a mutex, ignoring poisoning: simulator state stays usable after a handler panicked.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Resolves once the server shuts down (the flag is set or its sender is gone).
async fn shutting_down(shutdown: &mut tokio::sync::watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|down| *down).await;
}
