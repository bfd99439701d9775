//! The HTTP transport: a pooled hyper-util HTTP/1.1 client over rustls, with connect,
//! attempt and operation timeouts and a bounded response body.
//!
//! The transport sends one request and hands back the response head and body; it knows nothing
//! about auth, retries or vendors (see [`crate::pipeline`]).

pub mod tls;

use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::error::{DecodeError, Error, TimeoutPhase, TransportError};
use crate::operation::TimeoutClass;
pub use tls::TlsConfig;

type HttpsConnector = hyper_rustls::HttpsConnector<HttpConnector>;

/// Transport settings. Every field has a documented default; see [`TransportConfig::default`].
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// Limit for establishing a connection (TCP and TLS). Default is 10 s.
    pub connect_timeout: Duration,
    /// Limit for one ordinary attempt: send and read the whole response. Default is 30 s.
    pub attempt_timeout: Duration,
    /// Attempt limit for long-poll operations ([`TimeoutClass::LongPoll`]). Default is 45 s
    /// (a 20-30 s server hold plus margin).
    pub long_poll_timeout: Duration,
    /// Attempt limit for file transfers ([`TimeoutClass::Transfer`]). Default is 10 min.
    pub transfer_timeout: Duration,
    /// Limit for a whole operation, all attempts and back-off included. `None` means only the
    /// attempt limits apply. Default is 120 s.
    pub operation_timeout: Option<Duration>,
    /// Largest response body read into memory; larger bodies fail with
    /// [`DecodeError::TooLarge`]. Default is 8 MiB.
    pub max_body_size: usize,
    /// How long an idle pooled connection is kept. Default is 60 s (below the 75 s keep-alive
    /// of common embedded web servers, so we close first).
    pub pool_idle_timeout: Duration,
    /// Idle connections kept per host. Default is 16.
    pub pool_max_idle_per_host: usize,
    /// TLS roots and pins. Default: webpki roots only.
    pub tls: TlsConfig,
    /// `User-Agent` header. Default is `watchpost/<version>`.
    pub user_agent: String,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(30),
            long_poll_timeout: Duration::from_secs(45),
            transfer_timeout: Duration::from_secs(600),
            operation_timeout: Some(Duration::from_secs(120)),
            max_body_size: 8 * 1024 * 1024,
            pool_idle_timeout: Duration::from_secs(60),
            pool_max_idle_per_host: 16,
            tls: TlsConfig::default(),
            user_agent: concat!("watchpost/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl TransportConfig {
    /// The attempt limit for an operation of `class` (`None` for streams: they have an idle
    /// watchdog instead).
    pub fn attempt_limit(&self, class: TimeoutClass) -> Option<Duration> {
        match class {
            TimeoutClass::Default => Some(self.attempt_timeout),
            TimeoutClass::LongPoll => Some(self.long_poll_timeout),
            TimeoutClass::Transfer => Some(self.transfer_timeout),
            TimeoutClass::Stream => None,
        }
    }
}

/// A pooled HTTP/1.1 client for `http://` and `https://`. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Transport {
    client: Client<HttpsConnector, Full<Bytes>>,
    config: std::sync::Arc<TransportConfig>,
}

impl Transport {
    /// Builds a transport.
    ///
    /// # Errors
    /// [`Error::Transport`] when the TLS configuration is invalid.
    pub fn new(config: TransportConfig) -> Result<Self, Error> {
        tls::install_default_provider();
        let tls = config.tls.build().map_err(|source| Error::Transport { op: "transport".into(), source })?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(config.connect_timeout));
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .build(https);
        Ok(Transport { client, config: std::sync::Arc::new(config) })
    }

    /// The configuration.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// Sends a request and returns the response head with its unread body.
    ///
    /// # Errors
    /// [`Error::Transport`] (connect errors say so through [`TransportError::is_connect`]) or
    /// [`Error::Timeout`] with phase `Connect`.
    pub async fn send(&self, op: &str, req: http::Request<Full<Bytes>>) -> Result<http::Response<Incoming>, Error> {
        self.client.request(req).await.map_err(|e| {
            let connect_timeout = e.is_connect() && is_timeout(&e);
            if let Some(reason) = certificate_rejection(&e) {
                // A certificate the client does not trust will not become trusted by retrying.
                Error::Transport { op: op.to_owned(), source: TransportError::certificate(reason, e) }
            } else if connect_timeout {
                Error::Timeout { op: op.to_owned(), phase: TimeoutPhase::Connect, after: self.config.connect_timeout }
            } else if e.is_connect() {
                Error::Transport { op: op.to_owned(), source: TransportError::connect(e) }
            } else {
                Error::Transport { op: op.to_owned(), source: TransportError::request(e) }
            }
        })
    }

    /// Reads a whole body, failing with [`DecodeError::TooLarge`] past `max_body_size`.
    ///
    /// # Errors
    /// [`Error::Decode`] when the body is too large, [`Error::Transport`] when reading fails.
    pub async fn read_body(&self, op: &str, status: u16, body: Incoming) -> Result<Bytes, Error> {
        let limit = self.config.max_body_size;
        match Limited::new(body, limit).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                Err(Error::decode(op, Some(status), b"", DecodeError::TooLarge { limit }))
            }
            Err(e) => Err(Error::Transport { op: op.to_owned(), source: TransportError::body(e) }),
        }
    }
}

fn is_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return true;
            }
        }
        if err.to_string().contains("timed out") {
            return true;
        }
        cur = err.source();
    }
    false
}

/// Why the TLS handshake failed on the server's certificate (unknown issuer, bad pin, wrong
/// name, expired), when it did: rustls reports it inside an `io::Error` somewhere in the chain.
fn certificate_rejection(e: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return match tls {
                rustls::Error::InvalidCertificate(reason) => Some(tls::certificate_reason(reason)),
                _ => None,
            };
        }
        // `io::Error::source` skips the wrapped error itself, so descend with `get_ref`.
        cur = match err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

/// A response body as a stream of byte chunks (for event streams and downloads).
pub struct BodyStream {
    op: String,
    body: Incoming,
}

impl BodyStream {
    /// Wraps a hyper body.
    pub fn new(op: impl Into<String>, body: Incoming) -> Self {
        BodyStream { op: op.into(), body }
    }
}

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyStream").field("op", &self.op).finish_non_exhaustive()
    }
}

impl Stream for BodyStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use hyper::body::Body as _;
        use std::task::Poll;
        loop {
            let this = &mut *self;
            match std::pin::Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => {
                    return Poll::Ready(Some(Err(Error::Transport {
                        op: this.op.clone(),
                        source: TransportError::body(e),
                    })))
                }
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        if !data.is_empty() {
                            return Poll::Ready(Some(Ok(data)));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempt_limits_follow_the_timeout_class() {
        let c = TransportConfig::default();
        assert_eq!(c.attempt_limit(TimeoutClass::Default), Some(Duration::from_secs(30)));
        assert_eq!(c.attempt_limit(TimeoutClass::LongPoll), Some(Duration::from_secs(45)));
        assert_eq!(c.attempt_limit(TimeoutClass::Stream), None);
    }

    #[tokio::test]
    async fn connection_refused_is_a_connect_error() {
        let t = Transport::new(TransportConfig::default()).unwrap();
        // Bind then drop a listener to get a port that refuses connections.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let req = http::Request::get(format!("http://127.0.0.1:{port}/")).body(Full::new(Bytes::new())).unwrap();
        let err = t.send("t", req).await.unwrap_err();
        match err {
            Error::Transport { source, .. } => assert!(source.is_connect()),
            other => panic!("unexpected {other:?}"),
        }
    }
}
