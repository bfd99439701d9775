//! The request pipeline every vendor crate reuses:
//! encode → authorize → pace → send → classify → retry / re-auth → (caller) decode.
//!
//! A vendor crate supplies a [`VendorProfile`] (how to read its envelope and classify its
//! codes, which errors are safe to repeat), an [`Auth`] flow and a base URL, and gets back
//! [`RawResponse`]s that passed classification, ready for its typed decoder. The pipeline holds
//! the only retry loop of watchpost.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, StatusCode};
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::auth::http::{AuthExchange, Step};
use crate::auth::{Auth, AuthBody};
use crate::clock::{SharedClock, SystemClock};
use crate::config::ClientConfig;
use crate::device_lock::DeviceLocks;
use crate::error::{Error, ErrorClass, Result, TimeoutPhase, TransportError};
use crate::metrics::{MetricEvent, SharedMetrics};
use crate::operation::{Body, Operation, RawResponse, Request};
use crate::ratelimit::{RateLimitHints, RateLimiter};
use crate::retry::{RetryConfig, RetryStrategy};
use crate::transport::{BodyStream, HttpRequest, RequestBody, StreamedBody, Transport, TransportConfig};

mod decide;

use decide::Next;

/// What a vendor plugs into the pipeline.
pub trait VendorProfile: Send + Sync + 'static {
    /// Inspects a complete response: `Ok(())` when it is a success, otherwise the typed error
    /// (its [`Error::class`] drives retry and re-auth). The default reads the HTTP status only.
    ///
    /// # Errors
    /// The error the response represents.
    fn classify(&self, resp: &RawResponse) -> Result<()> {
        classify_http_status(resp)
    }

    /// Whether `err` may be repeated even for a non-idempotent operation (the vendor documents
    /// that the request had no effect, e.g. "device busy, try again"). Default: `false`.
    fn safe_to_retry(&self, err: &Error) -> bool {
        let _ = err;
        false
    }

    /// A tighter attempt limit for this error than the client's `max_attempts` (for example
    /// EZVIZ's 49999 "data exception", documented as worth exactly one retry: `Some(2)`).
    /// Default: `None`, the client's limit applies.
    fn max_attempts(&self, err: &Error) -> Option<u32> {
        let _ = err;
        None
    }
}

/// A profile that classifies by HTTP status alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct HttpStatusProfile;

impl VendorProfile for HttpStatusProfile {}

/// Classifies a response by its HTTP status: only 2xx succeeds; 3xx → [`Error::Redirect`]
/// (never followed); 401 → auth rejected; 403, 404 and other 4xx → permanent; 408, 425, 5xx →
/// retryable; 429 → rate limited (with `Retry-After`).
///
/// # Errors
/// The error for a non-success status.
pub fn classify_http_status(resp: &RawResponse) -> Result<()> {
    classify_redirect(resp)?;
    let status = resp.status;
    if status.is_success() {
        return Ok(());
    }
    let op = resp.op.to_owned();
    let code = Some(status.as_u16());
    let message = status.canonical_reason().map(str::to_owned);
    Err(match status {
        StatusCode::UNAUTHORIZED => {
            Error::Auth { op, status: code, code: None, message, expired: false, lockout: Default::default() }
        }
        StatusCode::TOO_MANY_REQUESTS => Error::RateLimited {
            op,
            status: code,
            code: None,
            message,
            retry_after: RateLimitHints::from_headers(&resp.headers).retry_after,
            reset_at: None,
        },
        StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_EARLY => {
            Error::api(op, code, None, message, ErrorClass::Retryable)
        }
        s if s.is_server_error() && s != StatusCode::NOT_IMPLEMENTED => {
            Error::api(op, code, None, message, ErrorClass::Retryable)
        }
        StatusCode::NOT_IMPLEMENTED => Error::Unsupported { op, status: code, code: None, message },
        _ => Error::api(op, code, None, message, ErrorClass::Permanent),
    })
}

/// Fails a redirect (3xx) with [`Error::Redirect`] naming its (scrubbed) `Location`; passes
/// anything else. The transport never follows redirects, so a 3xx means the operation did not
/// happen; every [`VendorProfile::classify`] calls this first, whatever the body says, and the
/// pipeline checks it again before the profile.
///
/// # Errors
/// [`Error::Redirect`] for a 3xx status.
pub fn classify_redirect(resp: &RawResponse) -> Result<()> {
    if !resp.status.is_redirection() {
        return Ok(());
    }
    let location = resp.headers.get(http::header::LOCATION).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    Err(Error::redirect(resp.op, resp.status.as_u16(), location.as_deref()))
}

/// A response whose body is still arriving (an event stream, a download).
#[derive(Debug)]
pub struct StreamResponse {
    /// HTTP status (always a success: errors are classified before this is returned).
    pub status: StatusCode,
    /// Response headers.
    pub headers: http::HeaderMap,
    /// The body, chunk by chunk.
    pub body: BodyStream,
}

impl StreamResponse {
    /// The `Content-Type` header, if any.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok())
    }
}

struct Shared {
    vendor: &'static str,
    transport: Transport,
    retry: RetryStrategy,
    limiter: Option<Arc<RateLimiter>>,
    profile: Arc<dyn VendorProfile>,
    clock: SharedClock,
    /// `Some` when calls naming the same device key wait for each other.
    device_locks: Option<DeviceLocks>,
    metrics: SharedMetrics,
}

/// The executor. Cheap to clone; clones share the connection pool, retry budget and limiter.
#[derive(Clone)]
pub struct Pipeline {
    shared: Arc<Shared>,
    base_url: Arc<str>,
    auth: Auth,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("vendor", &self.shared.vendor)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Pipeline`].
#[must_use]
pub struct PipelineBuilder {
    vendor: &'static str,
    base_url: String,
    transport: TransportConfig,
    retry: RetryConfig,
    jitter: Option<Arc<dyn crate::retry::JitterSource>>,
    limiter: Option<Arc<RateLimiter>>,
    profile: Arc<dyn VendorProfile>,
    auth: Auth,
    clock: Option<SharedClock>,
    serialize_per_device: bool,
    metrics: Option<SharedMetrics>,
}

impl PipelineBuilder {
    /// Applies a client configuration: its transport (with its user agent), and every setting
    /// it sets; settings it leaves to the vendor (retry, per-device serialisation, rate
    /// limiter, jitter) keep what this builder has.
    pub fn config(mut self, config: &ClientConfig) -> Self {
        self.transport = config.transport_config();
        if let Some(retry) = config.retry_config() {
            self.retry = *retry;
        }
        if let Some(jitter) = config.jitter_source() {
            self.jitter = Some(jitter.clone());
        }
        if let Some(limiter) = config.limiter() {
            self.limiter = Some(limiter.clone());
        }
        if let Some(on) = config.serialize_per_device_setting() {
            self.serialize_per_device = on;
        }
        self.clock = Some(config.shared_clock().clone());
        if let Some(sink) = config.metrics_sink() {
            self.metrics = Some(sink.clone());
        }
        self
    }

    /// Whether calls naming the same [`device_key`](Request::device_key) wait for each other:
    /// the pipeline then holds that device's lock around the whole call (every attempt,
    /// back-off and re-authentication). Streams ([`Pipeline::open_stream`]) never wait.
    /// Default: `false`.
    pub fn serialize_per_device(mut self, on: bool) -> Self {
        self.serialize_per_device = on;
        self
    }

    /// Sets the transport configuration. Default: [`TransportConfig::default`].
    pub fn transport(mut self, config: TransportConfig) -> Self {
        self.transport = config;
        self
    }

    /// Sets the retry configuration. Default: [`RetryConfig::default`].
    pub fn retry(mut self, config: RetryConfig) -> Self {
        self.retry = config;
        self
    }

    /// Injects the jitter source of the retry back-off (tests). Default: random.
    pub fn jitter(mut self, jitter: Arc<dyn crate::retry::JitterSource>) -> Self {
        self.jitter = Some(jitter);
        self
    }

    /// Sets a rate limiter (shared with other pipelines if the `Arc` is). Default: none.
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Sets the vendor profile. Default: [`HttpStatusProfile`].
    pub fn profile(mut self, profile: impl VendorProfile) -> Self {
        self.profile = Arc::new(profile);
        self
    }

    /// Sets the auth flow. Default: [`Auth::None`].
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Builds the pipeline.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a base URL that is not `http(s)://host[:port][/path]`;
    /// [`Error::Transport`] for an invalid TLS configuration.
    pub fn build(self) -> Result<Pipeline> {
        let base_url = normalize_base_url(self.vendor, &self.base_url)?;
        let retry = match self.jitter {
            Some(j) => RetryStrategy::with_jitter(self.retry, j),
            None => RetryStrategy::new(self.retry),
        };
        Ok(Pipeline {
            shared: Arc::new(Shared {
                vendor: self.vendor,
                transport: Transport::new(self.transport)?,
                retry,
                limiter: self.limiter,
                profile: self.profile,
                clock: self.clock.unwrap_or_else(SystemClock::shared),
                device_locks: self.serialize_per_device.then(DeviceLocks::default),
                metrics: self.metrics.unwrap_or_else(crate::metrics::no_metrics),
            }),
            base_url: base_url.into(),
            auth: self.auth,
        })
    }

    /// Sets the wall clock Unix times are read by: token expiry, and the `X-RateLimit-Reset`
    /// or HTTP-date `Retry-After` of a throttled answer. Default is [`SystemClock`] (an NTP
    /// correction is seen at once); simulators and paused-clock tests use
    /// [`TokioClock`](crate::clock::TokioClock). A [`RateLimiter`] reads its own clock
    /// ([`RateLimiter::with_clock`]): give it the same one.
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Sets the sink of the pipeline's metric events (see [`crate::metrics`]). Default: none
    /// ([`NoMetrics`](crate::metrics::NoMetrics)).
    pub fn metrics(mut self, sink: SharedMetrics) -> Self {
        self.metrics = Some(sink);
        self
    }
}

fn normalize_base_url(vendor: &str, url: &str) -> Result<String> {
    let trimmed = url.trim().trim_end_matches('/');
    let uri: http::Uri =
        trimmed.parse().map_err(|_| Error::invalid_input(vendor, format!("invalid base URL {trimmed:?}")))?;
    match (uri.scheme_str(), uri.authority()) {
        (Some("http" | "https"), Some(_)) if uri.query().is_none() => Ok(trimmed.to_owned()),
        _ => Err(Error::invalid_input(vendor, format!("base URL {trimmed:?} must be http(s)://host[:port][/path]"))),
    }
}

/// `scheme://authority` of a normalized base URL (without its path).
fn origin_of(base: &str) -> &str {
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    match base[after_scheme..].find('/') {
        Some(i) => &base[..after_scheme + i],
        None => base,
    }
}

/// The outcome of one attempt (send plus the Digest challenge round trips inside it), with the
/// HTTP auth exchange still to be settled once the response is classified.
enum Attempt {
    Done(RawResponse, Option<AuthExchange>),
    Failed(Error),
}

impl Pipeline {
    /// Starts building a pipeline for `vendor` at `base_url`.
    pub fn builder(vendor: &'static str, base_url: impl Into<String>) -> PipelineBuilder {
        PipelineBuilder {
            vendor,
            base_url: base_url.into(),
            transport: TransportConfig::default(),
            retry: RetryConfig::default(),
            jitter: None,
            limiter: None,
            profile: Arc::new(HttpStatusProfile),
            auth: Auth::None,
            clock: None,
            serialize_per_device: false,
            metrics: None,
        }
    }

    /// A pipeline sharing everything with this one but authenticating with `auth`
    /// (for example one token per Gizwits product key).
    #[must_use]
    pub fn with_auth(&self, auth: Auth) -> Pipeline {
        Pipeline { shared: self.shared.clone(), base_url: self.base_url.clone(), auth }
    }

    /// A pipeline sharing everything with this one but sending to `base_url`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an invalid URL.
    pub fn with_base_url(&self, base_url: &str) -> Result<Pipeline> {
        Ok(Pipeline {
            shared: self.shared.clone(),
            base_url: normalize_base_url(self.shared.vendor, base_url)?.into(),
            auth: self.auth.clone(),
        })
    }

    /// The base URL requests go to (unless a token carries its own).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The auth flow.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The transport (for its configuration).
    pub fn transport(&self) -> &Transport {
        &self.shared.transport
    }

    /// The rate limiter, if any.
    pub fn rate_limiter(&self) -> Option<&Arc<RateLimiter>> {
        self.shared.limiter.as_ref()
    }

    /// The retry strategy (for its budget).
    pub fn retry_strategy(&self) -> &RetryStrategy {
        &self.shared.retry
    }

    /// The wall clock the pipeline reads Unix time from (token expiry, quota resets).
    pub fn clock(&self) -> &SharedClock {
        &self.shared.clock
    }

    /// Whether calls naming the same device key wait for each other
    /// (see [`PipelineBuilder::serialize_per_device`]).
    pub fn serializes_per_device(&self) -> bool {
        self.shared.device_locks.is_some()
    }

    /// How many devices have a call in flight or waiting (0 when per-device serialisation is
    /// off): entries are removed as soon as no call needs them.
    pub fn devices_in_use(&self) -> usize {
        self.shared.device_locks.as_ref().map_or(0, DeviceLocks::in_use)
    }

    /// The metrics sink (to hand to a stream supervisor, for example).
    pub fn metrics(&self) -> &SharedMetrics {
        &self.shared.metrics
    }

    /// Runs an operation to completion: returns the response once it passed the vendor's
    /// classification, after any retries and at most one re-authentication.
    ///
    /// Time spent waiting for the rate limiter (a quota, a server's `Retry-After`) does not
    /// count against the attempt or operation timeouts: callers wait, they are not failed.
    ///
    /// # Errors
    /// The classified error of the last attempt, [`Error::Timeout`] with phase `Operation` when
    /// the whole-operation limit passed, or [`Error::InvalidInput`] when the request cannot be built.
    pub async fn execute(&self, req: Request) -> Result<RawResponse> {
        let span = self.op_span(req.op, false);
        let started = Instant::now();
        // One call per device at a time, all attempts included, when the option is on.
        let _turn = match (&self.shared.device_locks, &req.device_key) {
            (Some(locks), Some(key)) => Some(locks.acquire(key.clone()).instrument(span.clone()).await),
            _ => None,
        };
        let result = self.run(req).instrument(span.clone()).await;
        span.record("duration_ms", millis(started.elapsed()));
        result
    }

    /// The span of one operation, with OpenTelemetry's HTTP client attribute names
    /// (`http.request.method`, `url.template`, `server.address`, `server.port`,
    /// `http.response.status_code`, `otel.kind`, `otel.name`) besides `vendor` and `op`.
    fn op_span(&self, op: &'static Operation, stream: bool) -> tracing::Span {
        let (host, port) = server_of(&self.base_url);
        macro_rules! span {
            ($name:literal) => {
                tracing::info_span!(
                    $name,
                    vendor = self.shared.vendor,
                    op = op.id,
                    otel.kind = "client",
                    otel.name = %format_args!("{} {}", op.method, op.path),
                    http.request.method = %op.method,
                    url.template = op.path,
                    server.address = %host,
                    server.port = port,
                    http.response.status_code = tracing::field::Empty,
                    http.request.resend_count = tracing::field::Empty,
                    attempt = tracing::field::Empty,
                    duration_ms = tracing::field::Empty,
                )
            };
        }
        if stream {
            span!("watchpost.stream")
        } else {
            span!("watchpost.op")
        }
    }

    /// Records the attempt number and the target (a token may name another host) on the span.
    fn record_attempt(attempt: u32, uri: &http::Uri) {
        let span = tracing::Span::current();
        span.record("attempt", attempt);
        if attempt > 1 {
            span.record("http.request.resend_count", attempt - 1);
        }
        if let Some(host) = uri.host() {
            span.record("server.address", host);
        }
        if let Some(port) = uri.port_u16().or_else(|| default_port(uri.scheme_str())) {
            span.record("server.port", port);
        }
    }

    /// Reports one HTTP request (attempt) to the metrics sink and its status to the span.
    fn record_request(&self, op: &'static Operation, status: Option<StatusCode>, began: Instant) {
        if let Some(status) = status {
            tracing::Span::current().record("http.response.status_code", status.as_u16());
        }
        self.shared.metrics.record(&MetricEvent::Request {
            vendor: self.shared.vendor,
            op: op.id,
            status: status.map(|s| s.as_u16()),
            duration: began.elapsed(),
        });
    }

    /// Takes a rate-limiter permit (if there is a limiter), reporting any wait.
    async fn acquire_permit(&self, op: &'static Operation) {
        if let Some(limiter) = &self.shared.limiter {
            let began = Instant::now();
            limiter.acquire().await;
            let waited = began.elapsed();
            if !waited.is_zero() {
                self.shared.metrics.record(&MetricEvent::LimiterWait { vendor: self.shared.vendor, op: op.id, waited });
            }
        }
    }

    async fn run(&self, req: Request) -> Result<RawResponse> {
        let op = req.op;
        let op_limit = req.timeouts.operation.or(self.shared.transport.config().operation_timeout);
        let attempt_limit = req.timeouts.attempt.or_else(|| self.shared.transport.config().attempt_limit(op.timeout));
        // Time counted against the operation limit: everything but rate-limiter waits.
        let mut spent = Duration::ZERO;
        let op_timeout = |after| Error::Timeout { op: op.id.into(), phase: TimeoutPhase::Operation, after };
        let mut attempt = 0u32;
        let mut reauthed = false;
        loop {
            attempt += 1;
            // The token (a fetch or refresh may itself wait for the quota) and the permit come
            // before the attempt's deadline starts.
            let (prepared, token_generation) = self.prepare(&req).await?;
            Self::record_attempt(attempt, &prepared.uri);
            self.acquire_permit(op).await;
            let remaining = op_limit.map(|l| l.saturating_sub(spent));
            if remaining == Some(Duration::ZERO) {
                return Err(op_timeout(op_limit.unwrap_or_default()));
            }
            let began = Instant::now();
            let outcome = match (attempt_limit, remaining) {
                (Some(a), Some(r)) if r < a => match tokio::time::timeout(r, self.attempt(prepared, None)).await {
                    Ok(outcome) => outcome,
                    Err(_) => return Err(op_timeout(op_limit.unwrap_or_default())),
                },
                (Some(a), _) => self.attempt(prepared, Some(a)).await,
                (None, Some(r)) => match tokio::time::timeout(r, self.attempt(prepared, None)).await {
                    Ok(outcome) => outcome,
                    Err(_) => return Err(op_timeout(op_limit.unwrap_or_default())),
                },
                (None, None) => self.attempt(prepared, None).await,
            };
            spent += began.elapsed();
            let (mut err, headers) = match outcome {
                Attempt::Done(resp, exchange) => {
                    self.record_request(op, Some(resp.status), began);
                    // A redirect is an error whatever the profile makes of the body.
                    let verdict = classify_redirect(&resp).and_then(|()| self.shared.profile.classify(&resp));
                    if let Some(exchange) = exchange {
                        exchange.settle(verdict.as_ref().err());
                    }
                    match verdict {
                        Ok(()) => {
                            self.shared.retry.on_success();
                            return Ok(resp);
                        }
                        Err(e) => (e, Some(resp.headers)),
                    }
                }
                Attempt::Failed(e) => {
                    self.record_request(op, None, began);
                    (e, None)
                }
            };
            match self
                .after_failure(op, &mut err, headers.as_ref(), attempt, token_generation, &mut reauthed, req.no_retry)
                .await
            {
                // The replay with a fresh token does not count as an attempt.
                Next::Replay => attempt -= 1,
                Next::Stop => return Err(err),
                Next::Retry(delay) => {
                    match self.wait_to_retry(op, &err, delay, op_limit.map(|l| l.saturating_sub(spent))).await {
                        Some(counted) => spent += counted,
                        None => return Err(err),
                    }
                }
            }
        }
    }

    /// Applies token auth (fetching a token if needed) and returns the request to send, its
    /// target base URL and the token generation used.
    async fn prepare(&self, req: &Request) -> Result<(Prepared, Option<u64>)> {
        let mut r = req.clone();
        let mut base = self.base_url.clone();
        let mut generation = None;
        if let Auth::Token(t) = &self.auth {
            let (token, g) = t.provider.get_with_clock(&*self.shared.clock).await.map_err(|e| e.with_op(req.op.id))?;
            t.apply(&mut r, &token)?;
            if let Some(url) = &token.base_url {
                base = normalize_base_url(self.shared.vendor, url)?.into();
            }
            generation = Some(g);
        }
        let origin = if r.is_verbatim() { origin_of(&base) } else { &base };
        let uri: http::Uri = format!("{origin}{}", r.path_and_query()?)
            .parse()
            .map_err(|_| Error::invalid_input(req.op.id, "request URI is invalid"))?;
        let body = match &r.body {
            Body::Stream(streamed) => PreparedBody::Stream(streamed.clone()),
            other => PreparedBody::Bytes(other.encode()),
        };
        Ok((Prepared { req: r, uri, body }, generation))
    }

    fn build_http(&self, p: &Prepared, authorization: Option<HeaderValue>) -> Result<HttpRequest> {
        let mut builder = http::Request::builder().method(p.req.op.method.clone()).uri(p.uri.clone());
        let headers = builder.headers_mut().ok_or_else(|| Error::invalid_input(p.req.op.id, "invalid request"))?;
        headers.extend(p.req.headers.clone());
        if let Some(ct) = p.req.body.content_type() {
            if !headers.contains_key(http::header::CONTENT_TYPE) {
                headers.insert(
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_str(ct).map_err(|_| Error::invalid_input(p.req.op.id, "invalid content type"))?,
                );
            }
        }
        if let Ok(ua) = HeaderValue::from_str(&self.shared.transport.config().user_agent) {
            headers.entry(http::header::USER_AGENT).or_insert(ua);
        }
        if let Some(mut auth) = authorization {
            auth.set_sensitive(true);
            headers.insert(http::header::AUTHORIZATION, auth);
        }
        let body = match &p.body {
            PreparedBody::Bytes(bytes) => RequestBody::full(bytes.clone()),
            PreparedBody::Stream(streamed) => {
                headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(streamed.len()));
                streamed.http_body()
            }
        };
        builder.body(body).map_err(|_| Error::invalid_input(p.req.op.id, "invalid request"))
    }

    /// Sends the request, answering Digest/Basic challenges (see [`crate::auth::http`]: at most
    /// three sends), and returns the head and unread body of the final response with the auth
    /// exchange to settle once that response is classified.
    async fn send_authorized(
        &self,
        p: &Prepared,
        mut have_permit: bool,
    ) -> Result<(crate::transport::HttpResponse, Option<AuthExchange>)> {
        let op = p.req.op;
        // Fails fast after a rejection; waits while another request answers an unproven challenge.
        let mut exchange = match &self.auth {
            Auth::Http(h) => Some(h.begin(op.id, &p.uri).await?),
            _ => None,
        };
        loop {
            let authorization = match &mut exchange {
                Some(ex) => {
                    ex.ready(op.id).await?;
                    match &p.body {
                        PreparedBody::Bytes(bytes) => ex.authorization(op.id, &op.method, &p.uri, bytes)?,
                        PreparedBody::Stream(streamed) => match ex.auth_int_hash() {
                            // auth-int signs H(body): one read pass of the sources (cached).
                            Some(kind) => {
                                let hex = streamed.hash(kind).await.map_err(|e| Error::Transport {
                                    op: op.id.to_owned(),
                                    source: TransportError::body(e),
                                })?;
                                ex.authorization(op.id, &op.method, &p.uri, AuthBody::Hashed { kind, hex: &hex })?
                            }
                            None => ex.authorization(op.id, &op.method, &p.uri, AuthBody::Unavailable)?,
                        },
                    }
                }
                None => None,
            };
            let request = self.build_http(p, authorization)?;
            if let (Some(limiter), false) = (&self.shared.limiter, have_permit) {
                limiter.acquire().await;
            }
            have_permit = false;
            let resp = self.shared.transport.send(op.id, request).await?;
            if let Some(limiter) = &self.shared.limiter {
                limiter.observe(resp.headers());
            }
            let Some(ex) = &mut exchange else { return Ok((resp, None)) };
            match ex.on_response(op.id, resp.status(), resp.headers())? {
                Step::Retry => {
                    tracing::debug!(target: "watchpost::auth", op = op.id, "answering an authentication challenge");
                    // Drain the small 401 body so the connection can be reused.
                    let _ = self.shared.transport.read_body(op.id, 401, resp.into_body()).await;
                }
                Step::Done | Step::Rejected => return Ok((resp, exchange)),
            }
        }
    }

    /// One attempt: send (answering challenges) and read the body, within `limit`. The caller
    /// has already prepared the request (token) and taken a rate-limiter permit for the first send.
    async fn attempt(&self, p: Prepared, limit: Option<Duration>) -> Attempt {
        let op = p.req.op;
        let fut = async {
            let (resp, exchange) = self.send_authorized(&p, true).await?;
            let (parts, body) = resp.into_parts();
            let body = self.shared.transport.read_body(op.id, parts.status.as_u16(), body).await?;
            Ok::<_, Error>((RawResponse { op: op.id, status: parts.status, headers: parts.headers, body }, exchange))
        };
        let result = match limit {
            Some(limit) => tokio::time::timeout(limit, fut).await.unwrap_or_else(|_| {
                Err(Error::Timeout { op: op.id.into(), phase: TimeoutPhase::Attempt, after: limit })
            }),
            None => fut.await,
        };
        match result {
            Ok((r, exchange)) => Attempt::Done(r, exchange),
            Err(e) => Attempt::Failed(e),
        }
    }

    /// Opens a streaming response (an event stream or a download): authorizes, sends, and on a
    /// success status returns the head with the unread body. With
    /// [`serialize_per_device`](PipelineBuilder::serialize_per_device) on and a device key on the
    /// request, the device's turn is taken first and held by the body until it is dropped. An error status is read and
    /// classified like [`execute`](Self::execute) would, and the failure goes through the same
    /// retry and re-auth decision (vendor limits, idempotency, budget, one token replay); only
    /// the operation deadline does not apply (the stream's supervisor handles that).
    ///
    /// # Errors
    /// As for [`execute`](Self::execute).
    pub async fn open_stream(&self, req: Request) -> Result<StreamResponse> {
        let op = req.op;
        let span = self.op_span(op, true);
        async {
            // With per-device serialisation, the body holds the device's turn until it is
            // dropped: a download is one call, however long it streams.
            let mut turn = match (&self.shared.device_locks, &req.device_key) {
                (Some(locks), Some(key)) => Some(locks.acquire_owned(key.clone()).await),
                _ => None,
            };
            let mut attempt = 0u32;
            let mut reauthed = false;
            let connect_limit = req.timeouts.attempt.unwrap_or(self.shared.transport.config().attempt_timeout);
            loop {
                attempt += 1;
                let (p, generation) = self.prepare(&req).await?;
                Self::record_attempt(attempt, &p.uri);
                self.acquire_permit(op).await;
                let began = Instant::now();
                let head =
                    tokio::time::timeout(connect_limit, self.send_authorized(&p, true)).await.unwrap_or_else(|_| {
                        Err(Error::Timeout { op: op.id.into(), phase: TimeoutPhase::Attempt, after: connect_limit })
                    });
                let (mut err, headers) = match head {
                    Ok((resp, _exchange)) if resp.status().is_success() => {
                        self.record_request(op, Some(resp.status()), began);
                        let (parts, body) = resp.into_parts();
                        self.shared.retry.on_success();
                        let mut body = BodyStream::new(op.id, body);
                        if let Some(turn) = turn.take() {
                            body = body.holding(turn);
                        }
                        return Ok(StreamResponse { status: parts.status, headers: parts.headers, body });
                    }
                    Ok((resp, exchange)) => {
                        let (parts, body) = resp.into_parts();
                        let body = self.shared.transport.read_body(op.id, parts.status.as_u16(), body).await?;
                        self.record_request(op, Some(parts.status), began);
                        let raw = RawResponse { op: op.id, status: parts.status, headers: parts.headers, body };
                        let err = match classify_redirect(&raw).and_then(|()| self.shared.profile.classify(&raw)) {
                            Ok(()) => classify_http_status(&raw).err().unwrap_or_else(|| {
                                Error::api(op.id, Some(raw.status.as_u16()), None, None, ErrorClass::Permanent)
                            }),
                            Err(e) => e,
                        };
                        if let Some(exchange) = exchange {
                            exchange.settle(Some(&err));
                        }
                        (err, Some(raw.headers))
                    }
                    Err(e) => {
                        self.record_request(op, None, began);
                        (e, None)
                    }
                };
                match self
                    .after_failure(op, &mut err, headers.as_ref(), attempt, generation, &mut reauthed, req.no_retry)
                    .await
                {
                    Next::Replay => attempt -= 1,
                    Next::Stop => return Err(err),
                    Next::Retry(delay) => {
                        if self.wait_to_retry(op, &err, delay, None).await.is_none() {
                            return Err(err);
                        }
                    }
                }
            }
        }
        .instrument(span)
        .await
    }
}

/// `host` and port of a base URL (the scheme's default port when it names none).
fn server_of(base: &str) -> (String, u16) {
    match base.parse::<http::Uri>() {
        Ok(uri) => (
            uri.host().unwrap_or_default().to_owned(),
            uri.port_u16().or_else(|| default_port(uri.scheme_str())).unwrap_or(0),
        ),
        Err(_) => (String::new(), 0),
    }
}

/// The default port of `http` and `https`.
fn default_port(scheme: Option<&str>) -> Option<u16> {
    match scheme {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A request ready to send: the vendor request after auth, its URI and encoded body.
struct Prepared {
    req: Request,
    uri: http::Uri,
    body: PreparedBody,
}

/// The body of a [`Prepared`] request: encoded bytes, or a stream opened anew for each send.
enum PreparedBody {
    Bytes(Bytes),
    Stream(StreamedBody),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_drops_the_base_path() {
        assert_eq!(origin_of("https://gw:8443/base/x"), "https://gw:8443");
        assert_eq!(origin_of("http://gw"), "http://gw");
    }

    #[test]
    fn base_urls_are_validated_and_normalized() {
        assert_eq!(normalize_base_url("v", "http://127.0.0.1:8080/").unwrap(), "http://127.0.0.1:8080");
        assert_eq!(normalize_base_url("v", "https://open.ys7.com").unwrap(), "https://open.ys7.com");
        assert!(normalize_base_url("v", "open.ys7.com").is_err());
        assert!(normalize_base_url("v", "ftp://x").is_err());
        assert!(normalize_base_url("v", "http://x/?a=1").is_err());
    }

    fn raw(status: u16) -> RawResponse {
        RawResponse {
            op: "t",
            status: StatusCode::from_u16(status).unwrap(),
            headers: http::HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    #[test]
    fn http_status_classification() {
        assert!(classify_http_status(&raw(200)).is_ok());
        for redirect in [301, 302, 303, 307, 308] {
            let e = classify_http_status(&raw(redirect)).unwrap_err();
            assert!(matches!(e, Error::Redirect { status, location: None, .. } if status == redirect), "{e:?}");
            assert_eq!(e.class(), ErrorClass::Permanent);
        }
        let mut moved = raw(307);
        moved.headers.insert(http::header::LOCATION, HeaderValue::from_static("http://other.example/x?token=abc"));
        let e = classify_redirect(&moved).unwrap_err();
        assert!(e.to_string().contains("http://other.example/x?token=***"), "{e}");
        assert_eq!(classify_http_status(&raw(401)).unwrap_err().class(), ErrorClass::AuthRejected);
        assert_eq!(classify_http_status(&raw(429)).unwrap_err().class(), ErrorClass::RateLimited);
        assert_eq!(classify_http_status(&raw(503)).unwrap_err().class(), ErrorClass::Retryable);
        assert_eq!(classify_http_status(&raw(404)).unwrap_err().class(), ErrorClass::Permanent);
        assert_eq!(classify_http_status(&raw(501)).unwrap_err().class(), ErrorClass::Unsupported);
    }
}
