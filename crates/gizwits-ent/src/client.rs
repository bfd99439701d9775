//! [`Client`] and [`ClientBuilder`]: one token per product key, one quota for all of them.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use watchpost_core::auth::{Auth, Token, TokenAuth, TokenProvider};
use watchpost_core::clock::{SharedClock, SystemClock};
use watchpost_core::error::DecodeError;
use watchpost_core::operation::{Body, RawResponse, Request, ToRequest};
use watchpost_core::pipeline::Pipeline;
use watchpost_core::ratelimit::{Quota, RateLimiter};
use watchpost_core::retry::RetryConfig;
use watchpost_core::transport::TransportConfig;
use watchpost_core::{Error, Result};

use crate::generated::ops;
use crate::models::{AccessToken, ProductDatapoints};
use crate::profile::GizwitsProfile;

/// The documented host (every URL of the seed is `http://enterpriseapi.gizwits.com`; HTTPS is
/// used by default, `http://` works as a base URL too).
pub const DEFAULT_BASE_URL: &str = "https://enterpriseapi.gizwits.com";

/// The documented default quota: 3600 requests per hour (L100).
pub const DEFAULT_QUOTA: Quota = Quota::per_hour(3600);

/// The documented default page size (L391).
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// Header names of the enterprise credentials on the `/v1/users/*` calls.
const ENTERPRISE_ID_HEADER: &str = "x-gizwits-enterprise-id";
const ENTERPRISE_SECRET_HEADER: &str = "x-gizwits-enterprise-secret";
const APPLICATION_ID_HEADER: &str = "x-gizwits-application-id";

/// A Gizwits Enterprise API client. Cheap to clone (an `Arc` inside); clones share the
/// connection pool, the tokens, the quota and the retry budget.
///
/// Every `/v1/products/{product_key}/*` call is authorized with that product's token
/// (`Authorization: token <t>`), fetched on first use, refreshed before it expires and, when the
/// service answers 5009/5010/5011, refreshed once and the call replayed once. Every call, token
/// fetches included, first takes a permit from one rate limiter shared by all products of the
/// client (3600 per hour by default), and every response's `X-RateLimit-*` headers adjust it.
/// The quota belongs to the enterprise, so other processes may spend it too: the limiter paces by
/// the server's `Remaining` when it is lower than its own count, spreads the last tenth of a
/// window until `Reset`, waits for `Reset` at `Remaining: 0`, and after a 5013 sends nothing
/// until the reset that the error carries ([`Error::reset_at`]).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// No auth: token fetches and the `/v1/users/*` calls.
    base: Pipeline,
    products: BTreeMap<String, Product>,
    enterprise_id: String,
    enterprise_secret: SecretString,
    application_id: Option<String>,
    limiter: Arc<RateLimiter>,
    clock: SharedClock,
    page_size: u32,
    datapoints: Mutex<HashMap<String, Arc<ProductDatapoints>>>,
}

struct Product {
    pipeline: Pipeline,
    tokens: TokenProvider,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base.base_url())
            .field("enterprise_id", &self.inner.enterprise_id)
            .field("products", &self.inner.products.keys().collect::<Vec<_>>())
            .field("local_quota", &self.inner.limiter.local_quota())
            .field("server_quota", &self.inner.limiter.quota())
            .field("page_size", &self.inner.page_size)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        self.inner.base.base_url()
    }

    /// The product keys this client holds a product secret (and so a token) for.
    pub fn product_keys(&self) -> impl Iterator<Item = &str> {
        self.inner.products.keys().map(String::as_str)
    }

    /// The rate limiter shared by every call of this client (and its clones).
    pub fn rate_limiter(&self) -> &Arc<RateLimiter> {
        &self.inner.limiter
    }

    /// The clock the client reads Unix time from (quota resets, time-window checks).
    pub fn clock(&self) -> &SharedClock {
        &self.inner.clock
    }

    /// The default page size of [`paginate`](Self::paginate).
    pub fn page_size(&self) -> u32 {
        self.inner.page_size
    }

    /// How many tokens were fetched for `product_key` so far (`None` for an unknown product).
    pub fn token_fetches(&self, product_key: &str) -> Option<u64> {
        self.inner.products.get(product_key).map(|p| p.tokens.fetch_count())
    }

    /// The data point definitions of `product_key`, when [`product_datapoints`](Self::product_datapoints)
    /// fetched them (or [`set_datapoints`](Self::set_datapoints) set them).
    pub fn datapoints(&self, product_key: &str) -> Option<Arc<ProductDatapoints>> {
        lock(&self.inner.datapoints).get(product_key).cloned()
    }

    /// Sets the data point definitions that `attrs` of control calls on `product_key` are
    /// checked against (normally learned from [`product_datapoints`](Self::product_datapoints)).
    pub fn set_datapoints(&self, product_key: impl Into<String>, datapoints: ProductDatapoints) {
        lock(&self.inner.datapoints).insert(product_key.into(), Arc::new(datapoints));
    }

    /// Forgets the data point definitions of `product_key` (control values go unchecked).
    pub fn forget_datapoints(&self, product_key: &str) {
        lock(&self.inner.datapoints).remove(product_key);
    }

    /// Calls a typed request and decodes its response (what every generated method does).
    pub(crate) async fn call<R: ToRequest + ?Sized, T: DeserializeOwned>(&self, req: &R) -> Result<T> {
        let request = req.to_request()?;
        self.call_request(request).await
    }

    /// Executes `request` and decodes the response into `T`.
    pub(crate) async fn call_request<T: DeserializeOwned>(&self, request: Request) -> Result<T> {
        let op = request.op;
        let product = product_key(&request).map(str::to_owned);
        let raw = self.execute(request).await?;
        if op.id == ops::PRODUCT_DATAPOINTS.id {
            if let Some(pk) = product {
                let datapoints: ProductDatapoints = raw.json()?;
                self.set_datapoints(pk, datapoints);
            }
        }
        decode(&raw)
    }

    /// Sends one request through the client (checks, auth, quota, retries) and returns the raw
    /// response once it passed classification. For operations without a generated method, such
    /// as the undocumented `reports.activation` (at your own risk).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the request breaks a documented limit or names a product key
    /// the client has no secret for (nothing is sent); otherwise the classified error of the call.
    ///
    /// A control call's `attrs` are first put in the seed's wire encoding when the product's
    /// data points are known (a short `binary` value is padded, see
    /// [`ProductDatapoints::encode_attrs`]).
    pub async fn execute(&self, mut request: Request) -> Result<RawResponse> {
        let op = request.op;
        let product = product_key(&request).map(str::to_owned);
        let datapoints = product.as_deref().and_then(|pk| self.datapoints(pk));
        if let Some(dp) = &datapoints {
            crate::encode::encode_control(&mut request, dp)?;
        }
        crate::validate::check(&request, datapoints.as_deref(), &*self.inner.clock)?;
        let pipeline = if op.id == ops::ACCESS_TOKEN.id {
            &self.inner.base
        } else if let Some(pk) = &product {
            match self.inner.products.get(pk) {
                Some(p) => &p.pipeline,
                None => {
                    return Err(Error::invalid_input(
                        op.id,
                        format!("no product secret for product key {pk:?}: add it with ClientBuilder::product"),
                    ))
                }
            }
        } else {
            self.enterprise_headers(&mut request)?;
            &self.inner.base
        };
        // The pipeline fetches (or renews) the product's token before each attempt's deadline
        // starts, so a token fetch waiting for the quota never times the call out.
        pipeline.execute(request).await
    }

    /// Adds `X-Gizwits-Enterprise-ID` / `-Secret` (and the optional application id) unless the
    /// request already carries them.
    fn enterprise_headers(&self, request: &mut Request) -> Result<()> {
        let op = request.op.id;
        let value = |v: &str, sensitive: bool| {
            let mut h = HeaderValue::from_str(v)
                .map_err(|_| Error::invalid_input(op, "enterprise credentials are not valid header values"))?;
            h.set_sensitive(sensitive);
            Ok::<_, Error>(h)
        };
        if !request.headers.contains_key(ENTERPRISE_ID_HEADER) {
            request.headers.insert(ENTERPRISE_ID_HEADER, value(&self.inner.enterprise_id, false)?);
        }
        if !request.headers.contains_key(ENTERPRISE_SECRET_HEADER) {
            request
                .headers
                .insert(ENTERPRISE_SECRET_HEADER, value(self.inner.enterprise_secret.expose_secret(), true)?);
        }
        if let Some(app) = &self.inner.application_id {
            if !request.headers.contains_key(APPLICATION_ID_HEADER) {
                request.headers.insert(APPLICATION_ID_HEADER, value(app, false)?);
            }
        }
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn product_key(request: &Request) -> Option<&str> {
    request.path_params.iter().find(|(n, _)| *n == "product_key").map(|(_, v)| v.as_str())
}

/// Decodes a response body into `T`.
///
/// Only the operations the seed documents without a response (`devices.control` L791,
/// `groups.delete` L1123: spec response `()`, which the generated methods decode into
/// `serde::de::IgnoredAny`) accept an empty body or any JSON: their `T` is a zero-sized type that
/// reads from `null`. Every other operation documents a response document, so an empty body is
/// [`DecodeError::Empty`] even when `T` could read `null` (`Option<_>`, `serde_json::Value`).
pub(crate) fn decode<T: DeserializeOwned>(raw: &RawResponse) -> Result<T> {
    let no_response_documented = std::mem::size_of::<T>() == 0;
    if let (true, Ok(unit)) = (no_response_documented, serde_json::from_value::<T>(serde_json::Value::Null)) {
        let blank = raw.body.iter().all(u8::is_ascii_whitespace);
        if blank || serde_json::from_slice::<serde::de::IgnoredAny>(&raw.body).is_ok() {
            return Ok(unit);
        }
        return Err(raw.decode_error(DecodeError::Envelope { message: "expected an empty body or JSON".into() }));
    }
    raw.json()
}

/// Builds a [`Client`]. Every setter documents its default.
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    enterprise_id: Option<String>,
    enterprise_secret: Option<SecretString>,
    products: Vec<(String, SecretString)>,
    application_id: Option<String>,
    quota: Option<Quota>,
    rate_limiter: Option<Arc<RateLimiter>>,
    quota_tail_percent: u8,
    clock: SharedClock,
    retry: RetryConfig,
    transport: TransportConfig,
    token_refresh_skew: Duration,
    page_size: u32,
    jitter: Option<Arc<dyn watchpost_core::retry::JitterSource>>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("enterprise_id", &self.enterprise_id)
            .field("enterprise_secret", &self.enterprise_secret.as_ref().map(|_| "***"))
            .field("products", &self.products.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("quota", &self.quota)
            .field("quota_tail_percent", &self.quota_tail_percent)
            .field("clock", &self.clock)
            .field("retry", &self.retry)
            .field("token_refresh_skew", &self.token_refresh_skew)
            .field("page_size", &self.page_size)
            .finish_non_exhaustive()
    }
}

/// The retry defaults of a Gizwits client: the core's, except that a quota reset may be
/// waited for: `max_retry_after` is one hour (the quota window, L100) plus a minute for
/// `X-RateLimit-Reset` being rounded up to whole seconds and for clock skew.
pub fn default_retry() -> RetryConfig {
    RetryConfig { max_retry_after: Duration::from_secs(3600 + 60), ..RetryConfig::default() }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_BASE_URL.to_owned(),
            enterprise_id: None,
            enterprise_secret: None,
            products: Vec::new(),
            application_id: None,
            quota: Some(DEFAULT_QUOTA),
            rate_limiter: None,
            quota_tail_percent: watchpost_core::ratelimit::DEFAULT_TAIL_PERCENT,
            // Production reads the system clock on every call (an NTP correction is seen at once).
            clock: SystemClock::shared(),
            retry: default_retry(),
            transport: TransportConfig::default(),
            // Five minutes before expiry (tokens live 7 days): well clear of clock skew and of
            // requests in flight, at no cost.
            token_refresh_skew: Duration::from_secs(300),
            page_size: DEFAULT_PAGE_SIZE,
            jitter: None,
        }
    }
}

impl ClientBuilder {
    /// The base URL, `http(s)://host[:port]`. Default is `https://enterpriseapi.gizwits.com`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The enterprise id and secret (token requests; `X-Gizwits-Enterprise-*` headers of the
    /// `/v1/users/*` calls). Required; there is no default.
    pub fn enterprise(mut self, id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.enterprise_id = Some(id.into());
        self.enterprise_secret = Some(SecretString::from(secret.into()));
        self
    }

    /// Adds a product: its key and secret. Call once per product; each gets its own token.
    /// Default is no product (only the `/v1/users/*` calls work).
    pub fn product(mut self, product_key: impl Into<String>, product_secret: impl Into<String>) -> Self {
        let key = product_key.into();
        self.products.retain(|(k, _)| *k != key);
        self.products.push((key, SecretString::from(product_secret.into())));
        self
    }

    /// The `X-Gizwits-Application-Id` header sent on the `/v1/users/*` calls (only the seed's
    /// debugger walkthrough mentions it). Default is none (not sent).
    pub fn application_id(mut self, app_id: impl Into<String>) -> Self {
        self.application_id = Some(app_id.into());
        self
    }

    /// The request quota the client keeps to, shared by all its products; `None` paces by the
    /// server's `X-RateLimit-*` headers only. Ignored when [`rate_limiter`](Self::rate_limiter)
    /// is set. Default is 3600 per hour (L100).
    pub fn quota(mut self, quota: Option<Quota>) -> Self {
        self.quota = quota;
        self
    }

    /// A rate limiter to share with other clients of the same enterprise (the quota's scope is
    /// undocumented). Default is a limiter of this client's own, from [`quota`](Self::quota).
    pub fn rate_limiter(mut self, limiter: Arc<RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// The share of the server's quota (percent of `X-RateLimit-Limit`) whose use is spread
    /// evenly until `X-RateLimit-Reset` instead of sent as fast as the local quota allows, so
    /// that several processes sharing the enterprise's quota slow down together before it runs
    /// out; 0 sends until `Remaining` is 0 (fine for a process alone on its quota). Ignored when
    /// [`rate_limiter`](Self::rate_limiter) is set. Default is 10.
    pub fn quota_tail_percent(mut self, percent: u8) -> Self {
        self.quota_tail_percent = percent;
        self
    }

    /// The clock Unix time is read from: `X-RateLimit-Reset` and 5013 resets (by the client's
    /// own limiter; a limiter given with [`rate_limiter`](Self::rate_limiter) has its own clock)
    /// and the time-window checks of `start_ts`/`end_ts`. Default is the system clock
    /// ([`SystemClock`]); simulators and paused-clock tests use
    /// [`TokioClock`](watchpost_core::clock::TokioClock).
    pub fn clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Retry settings. Default is [`default_retry`]: 3 attempts, 200 ms doubling to 20 s with
    /// full jitter, and quota resets up to an hour waited for.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Transport settings (timeouts, body limit, TLS). Default is [`TransportConfig::default`]
    /// (30 s per attempt, 120 s per operation, 8 MiB bodies); waits for the quota count against
    /// neither limit.
    pub fn transport(mut self, transport: TransportConfig) -> Self {
        self.transport = transport;
        self
    }

    /// How long before its expiry a token is renewed. Default is 5 minutes.
    pub fn token_refresh_skew(mut self, skew: Duration) -> Self {
        self.token_refresh_skew = skew;
        self
    }

    /// The page size of [`Client::paginate`] when the request sets no `limit` (clamped to at
    /// least 1). Larger pages spend less quota; the service's maximum is undocumented. Default
    /// is 20, the documented default.
    pub fn page_size(mut self, page_size: u32) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Injects the jitter source of the retry back-off (tests). Default is random jitter.
    pub fn jitter(mut self, jitter: Arc<dyn watchpost_core::retry::JitterSource>) -> Self {
        self.jitter = Some(jitter);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the enterprise credentials are missing or the base URL is
    /// invalid; [`Error::Transport`] for an invalid TLS configuration.
    pub fn build(self) -> Result<Client> {
        let (Some(enterprise_id), Some(enterprise_secret)) = (self.enterprise_id, self.enterprise_secret) else {
            return Err(Error::invalid_input(
                "gizwits",
                "enterprise id and secret are required (ClientBuilder::enterprise)",
            ));
        };
        let limiter = self.rate_limiter.unwrap_or_else(|| {
            Arc::new(RateLimiter::with_clock(self.quota, self.clock.clone()).tail_percent(self.quota_tail_percent))
        });
        let mut builder = Pipeline::builder("gizwits", self.base_url)
            .transport(self.transport)
            .retry(self.retry)
            .rate_limiter(limiter.clone())
            .clock(self.clock.clone())
            .profile(GizwitsProfile { clock: self.clock.clone() });
        if let Some(j) = self.jitter {
            builder = builder.jitter(j);
        }
        let base = builder.build()?;
        let mut products = BTreeMap::new();
        for (key, secret) in self.products {
            let tokens =
                token_provider(base.clone(), key.clone(), enterprise_id.clone(), enterprise_secret.clone(), secret)
                    .skew(self.token_refresh_skew);
            let pipeline = base.with_auth(Auth::Token(TokenAuth::header(tokens.clone(), "authorization", "token ")));
            products.insert(key, Product { pipeline, tokens });
        }
        Ok(Client {
            inner: Arc::new(Inner {
                base,
                products,
                enterprise_id,
                enterprise_secret,
                application_id: self.application_id,
                limiter,
                clock: self.clock,
                page_size: self.page_size,
                datapoints: Mutex::new(HashMap::new()),
            }),
        })
    }
}

/// The token provider of one product: `POST /v1/products/{product_key}/access_token` through the
/// unauthenticated pipeline, under the shared quota (the pipeline takes the permit).
fn token_provider(
    pipeline: Pipeline,
    product_key: String,
    enterprise_id: String,
    enterprise_secret: SecretString,
    product_secret: SecretString,
) -> TokenProvider {
    TokenProvider::new(move || {
        let (pipeline, product_key) = (pipeline.clone(), product_key.clone());
        let body = serde_json::json!({
            "enterprise_id": enterprise_id,
            "enterprise_secret": enterprise_secret.expose_secret(),
            "product_secret": product_secret.expose_secret(),
        });
        async move {
            let op = &ops::ACCESS_TOKEN;
            let request = Request::new(op).path_param("product_key", product_key).body(Body::json(op.id, &body)?);
            let raw = pipeline.execute(request).await?;
            let token: AccessToken = raw.json()?;
            let expires_at = token.expires_at().filter(|_| !token.token.trim().is_empty()).ok_or_else(|| {
                raw.decode_error(DecodeError::Envelope {
                    message: "access token response without token or expiry".into(),
                })
            })?;
            tracing::debug!(target: "watchpost::gizwits", expired_at = %token.expired_at, "fetched an access token");
            Ok(Token::new(token.token).expires_at(expires_at))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_requires_enterprise_credentials_and_hides_secrets() {
        let e = Client::builder().build().unwrap_err();
        assert_eq!(e.kind(), watchpost_core::ErrorKind::InvalidInput);
        let b = Client::builder().enterprise("eid", "es-secret").product("pk", "ps-secret");
        let dbg = format!("{b:?}");
        assert!(!dbg.contains("es-secret") && !dbg.contains("ps-secret"), "{dbg}");
        assert_eq!(default_retry().max_retry_after, Duration::from_secs(3660));
    }

    #[tokio::test]
    async fn unknown_products_fail_before_anything_is_sent() {
        let client = Client::builder().base_url("http://127.0.0.1:9").enterprise("e", "s").build().unwrap();
        let req = crate::DeviceDetailRequest::new("nope", "aa:bb");
        let e = client.device_detail(&req).await.unwrap_err();
        assert_eq!(e.kind(), watchpost_core::ErrorKind::InvalidInput);
        assert!(e.to_string().contains("no product secret"), "{e}");
    }

    #[test]
    fn unit_responses_accept_empty_bodies_and_json() {
        let raw = |body: &'static str| RawResponse {
            op: "t",
            status: http::StatusCode::OK,
            headers: http::HeaderMap::new(),
            body: bytes::Bytes::from_static(body.as_bytes()),
        };
        assert!(decode::<()>(&raw("")).is_ok());
        assert!(decode::<()>(&raw("{}")).is_ok());
        assert!(decode::<()>(&raw("<html>")).is_err());
        assert!(decode::<serde::de::IgnoredAny>(&raw("")).is_ok());
        assert!(decode::<crate::models::GroupMacs>(&raw("")).is_err());
        // Types that read `null` are not "no response documented": an empty body is no answer.
        for empty in ["", " \n"] {
            let e = decode::<serde_json::Value>(&raw(empty)).unwrap_err();
            assert!(matches!(e, Error::Decode { source: DecodeError::Empty, .. }), "{e:?}");
            assert!(decode::<Option<crate::models::CreatedGroup>>(&raw(empty)).is_err());
        }
    }
}
