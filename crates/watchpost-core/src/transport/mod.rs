//! The HTTP transport: by default a pooled hyper-util HTTP/1.1 client over rustls, through the
//! configured proxy, with connect, attempt and operation timeouts and a bounded response body.
//!
//! Every request goes through the [`HttpService`] seam ([`service`]): replace the default with
//! [`TransportConfig::service`] or wrap it in tower layers with [`TransportConfig::layer`].
//! The transport sends one request and hands back the response head and body; it knows nothing
//! about auth, retries or vendors (see [`crate::pipeline`]).

pub mod proxy;
pub mod service;
pub mod tls;
pub mod upload;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::Stream;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::error::{BoxError, DecodeError, Error, TimeoutPhase, TransportError};
use crate::operation::TimeoutClass;
pub use proxy::ProxyConfig;
pub use service::{
    HttpRequest, HttpResponse, HttpService, RequestBody, ResponseBody, ServiceFuture, SharedService, TowerService,
};
pub use tls::TlsConfig;
/// The `tower` crate the seam is written against (for `Layer` and `Service` implementations).
pub use tower;
pub use upload::{BodySource, FileSource, StreamedBody};

use proxy::{ProxyConnector, ProxyMatcher};
use service::LayerFn;

type HttpsConnector = hyper_rustls::HttpsConnector<ProxyConnector>;

/// The service requests go through: the default hyper-util client or a replacement, wrapped
/// in tower layers. Set it with [`TransportConfig::service`] and [`TransportConfig::layer`].
#[derive(Clone, Default)]
pub struct ServiceStack {
    base: Option<SharedService>,
    layers: Vec<LayerFn>,
}

impl fmt::Debug for ServiceStack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceStack")
            .field("service", &if self.base.is_some() { "custom" } else { "hyper-util" })
            .field("layers", &self.layers.len())
            .finish()
    }
}

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
    /// The forward proxy of the default service. Default: [`ProxyConfig::from_env`]
    /// (`HTTP_PROXY`, `HTTPS_PROXY`, `NO_PROXY`); [`ProxyConfig::none`] opts out.
    pub proxy: ProxyConfig,
    /// The service requests go through. Default: hyper-util over rustls, no layers.
    pub stack: ServiceStack,
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
            proxy: ProxyConfig::default(),
            stack: ServiceStack::default(),
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

    /// Sends requests through `service` instead of the default hyper-util client (a recorded
    /// replay, an in-memory test server, another HTTP stack). The default client's settings
    /// (`connect_timeout`, pool, `tls`, `proxy`) then do not apply; layers still do.
    #[must_use]
    pub fn service(mut self, service: impl HttpService) -> Self {
        self.stack.base = Some(SharedService::new(service));
        self
    }

    /// Wraps the service in a tower `layer` that sees every request a client sends (Digest
    /// challenge round trips and token fetches included) with its final headers, and every
    /// response head. Each layer wraps the ones added before it: the last added sees a request
    /// first. Secrets: requests carry `Authorization` headers (marked sensitive) and token
    /// bodies; a layer that records or logs must redact them.
    ///
    /// ```
    /// use watchpost_core::transport::TransportConfig;
    ///
    /// // tower's `util` feature: stamp every request with a header.
    /// let config = TransportConfig::default().layer(tower::ServiceBuilder::new().map_request(
    ///     |mut req: http::Request<_>| {
    ///         req.headers_mut().insert("x-site", http::HeaderValue::from_static("arc-7"));
    ///         req
    ///     },
    /// ));
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn layer<L, B>(mut self, layer: L) -> Self
    where
        L: tower::Layer<SharedService> + Send + Sync + 'static,
        L::Service: tower::Service<HttpRequest, Response = http::Response<B>> + Clone + Send + Sync + 'static,
        <L::Service as tower::Service<HttpRequest>>::Error: Into<BoxError>,
        <L::Service as tower::Service<HttpRequest>>::Future: Send + 'static,
        B: http_body::Body<Data = Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        self.stack.layers.push(service::layer_fn(layer));
        self
    }
}

/// Sends requests through the configured [`HttpService`] and maps its errors. Cheap to clone.
#[derive(Clone)]
pub struct Transport {
    service: SharedService,
    config: Arc<TransportConfig>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport").field("config", &self.config).finish_non_exhaustive()
    }
}

/// The default service: a pooled hyper-util client over rustls through the proxy.
#[derive(Clone)]
struct HyperService {
    client: Client<HttpsConnector, RequestBody>,
    proxy: Option<Arc<ProxyMatcher>>,
}

impl HyperService {
    fn new(config: &TransportConfig) -> Result<Self, Error> {
        tls::install_default_provider();
        let tls = config.tls.build().map_err(|source| Error::Transport { op: "transport".into(), source })?;
        let proxy = config.proxy.matcher()?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(config.connect_timeout));
        http.set_nodelay(true);
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(ProxyConnector { http, proxy: proxy.clone() });
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .pool_timer(hyper_util::rt::TokioTimer::new())
            .build(https);
        Ok(HyperService { client, proxy })
    }
}

impl HttpService for HyperService {
    fn call(&self, mut request: HttpRequest) -> ServiceFuture {
        if let Some(auth) = self.proxy.as_ref().and_then(|p| p.forward_authorization(request.uri())) {
            request.headers_mut().insert(http::header::PROXY_AUTHORIZATION, auth);
        }
        let response = self.client.request(request);
        Box::pin(async move {
            match response.await {
                Ok(response) => Ok(response.map(ResponseBody::new)),
                Err(e) => Err(e.into()),
            }
        })
    }
}

impl Transport {
    /// Builds a transport.
    ///
    /// # Errors
    /// [`Error::Transport`] when the TLS configuration is invalid; [`Error::InvalidInput`] when
    /// a proxy variable of the environment is not a usable proxy URL.
    pub fn new(config: TransportConfig) -> Result<Self, Error> {
        let mut service = match &config.stack.base {
            Some(custom) => custom.clone(),
            None => SharedService::new(HyperService::new(&config)?),
        };
        for layer in &config.stack.layers {
            service = layer(service);
        }
        Ok(Transport { service, config: Arc::new(config) })
    }

    /// The configuration.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// Sends a request and returns the response head with its unread body.
    ///
    /// # Errors
    /// [`Error::Transport`] (connect errors say so through [`TransportError::is_connect`]),
    /// [`Error::Timeout`] with phase `Connect`, [`Error::Auth`] with status 407 when a proxy
    /// refused to open a tunnel without (other) credentials, or the [`Error`] a custom service returned.
    pub async fn send(&self, op: &str, req: HttpRequest) -> Result<HttpResponse, Error> {
        match self.service.call(req).await {
            Ok(response) => Ok(response),
            Err(e) => Err(self.map_error(op, e)),
        }
    }

    fn map_error(&self, op: &str, e: BoxError) -> Error {
        let e = match e.downcast::<Error>() {
            Ok(err) => return (*err).with_op(op),
            Err(e) => e,
        };
        let e = match e.downcast::<TransportError>() {
            Ok(source) => return Error::Transport { op: op.to_owned(), source: *source },
            Err(e) => e,
        };
        if find::<proxy::ProxyAuthRequired>(&*e).is_some() {
            // Not retried: the same credentials would be refused again.
            return Error::Auth {
                op: op.to_owned(),
                status: Some(407),
                code: None,
                message: Some("the proxy requires credentials or refused the ones given".to_owned()),
                expired: false,
                lockout: Default::default(),
            };
        }
        let connect = find::<hyper_util::client::legacy::Error>(&*e).is_some_and(|l| l.is_connect());
        if let Some(reason) = certificate_rejection(&*e) {
            // A certificate the client does not trust will not become trusted by retrying.
            Error::Transport { op: op.to_owned(), source: TransportError::certificate(reason, e) }
        } else if connect && is_timeout(&*e) {
            Error::Timeout { op: op.to_owned(), phase: TimeoutPhase::Connect, after: self.config.connect_timeout }
        } else if connect {
            Error::Transport { op: op.to_owned(), source: TransportError::connect(e) }
        } else {
            Error::Transport { op: op.to_owned(), source: TransportError::request(e) }
        }
    }

    /// Reads a whole body, failing with [`DecodeError::TooLarge`] past `max_body_size`.
    ///
    /// # Errors
    /// [`Error::Decode`] when the body is too large, [`Error::Transport`] when reading fails.
    pub async fn read_body(&self, op: &str, status: u16, body: ResponseBody) -> Result<Bytes, Error> {
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

/// The errors of `e`'s source chain, descending into `io::Error`s (whose `source` skips the
/// wrapped error itself).
fn chain<'a>(e: &'a (dyn std::error::Error + 'static)) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(e), |err| match err.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
        Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
        None => err.source(),
    })
}

/// The first error of type `T` in `e`'s source chain.
fn find<'a, T: std::error::Error + 'static>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a T> {
    chain(e).find_map(|err| err.downcast_ref::<T>())
}

fn is_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    chain(e).any(|err| {
        err.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
            || err.to_string().contains("timed out")
    })
}

/// Why the TLS handshake failed on the server's certificate (unknown issuer, bad pin, wrong
/// name, expired), when it did: rustls reports it inside an `io::Error` somewhere in the chain.
fn certificate_rejection(e: &(dyn std::error::Error + 'static)) -> Option<&'static str> {
    match find::<rustls::Error>(e)? {
        rustls::Error::InvalidCertificate(reason) => Some(tls::certificate_reason(reason)),
        _ => None,
    }
}

/// A response body as a stream of byte chunks (for event streams and downloads).
pub struct BodyStream {
    op: String,
    body: ResponseBody,
    /// The device's turn, held while the body is read (per-device serialisation).
    turn: Option<crate::device_lock::OwnedDeviceTurn>,
}

impl BodyStream {
    /// Wraps a response body.
    pub fn new(op: impl Into<String>, body: ResponseBody) -> Self {
        BodyStream { op: op.into(), body, turn: None }
    }

    /// The same stream holding `turn` until it is dropped: no other call to that device is
    /// sent while the body is read.
    #[must_use]
    pub fn holding(mut self, turn: crate::device_lock::OwnedDeviceTurn) -> Self {
        self.turn = Some(turn);
        self
    }

    /// Whether the stream holds its device's turn.
    pub fn holds_device_turn(&self) -> bool {
        self.turn.is_some()
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
        use http_body::Body as _;
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
        let req = http::Request::get(format!("http://127.0.0.1:{port}/")).body(RequestBody::empty()).unwrap();
        let err = t.send("t", req).await.unwrap_err();
        match err {
            Error::Transport { source, .. } => assert!(source.is_connect()),
            other => panic!("unexpected {other:?}"),
        }
    }
}
