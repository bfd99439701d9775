//! [`Client`] and [`ClientBuilder`]: the Hik-Partner Pro client, its token handling and
//! configuration.
//!
//! ## Tokens and the area domain
//! With an API key (or ARC ID) and its secret, the client fetches a token from the **token host**
//! (`POST {token_host}/api/hpcgw/v1/token/get`, JSON `{"appKey","secretKey"}`; the host of the
//! [`Region`], `https://api.hik-partner.com` by default, or [`ClientBuilder::base_url`]). The
//! answer carries `accessToken`, `expireTime` (absolute epoch **milliseconds**, 7 days ahead) and
//! `areaDomain` (a full origin, scheme included); the token is cached until its expiry minus a
//! skew ([`ClientBuilder::token_refresh_skew`]), refreshed single-flight, and every later call
//! goes to its `areaDomain` with `Authorization: Bearer <accessToken>`. When the service answers
//! one of the four token codes (LAP500002 empty, LAP500003 malformed, LAP500004 expired or
//! incorrect, LAP500005 not verified), the client refreshes once and replays the call once.
//!
//! With a fixed token and its area domain nothing can be refreshed: a token code reaches the
//! caller as [`ErrorClass::AuthExpired`](watchpost_core::ErrorClass).
//!
//! ## Searches
//! The platform refuses concurrent searches with one key (LAP068001, "other user is in search
//! progress"). The client therefore sends the search-type operations of one key one at a time
//! (the core pipeline's per-key lock) instead of retrying them in a tight loop; a LAP068001
//! caused by another process using the same key is retried with backoff.
//!
//! ## Configuration
//! The settings every vendor client shares ([`ClientConfig`]: transport and timeouts, retry,
//! rate limiter, clock, user agent) have the same setters here as on every vendor builder.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use watchpost_core::auth::{Auth, Token, TokenAuth, TokenProvider};
use watchpost_core::config::ClientConfig;
use watchpost_core::operation::{CallOptions, Request, ToRequest};
use watchpost_core::pipeline::Pipeline;
use watchpost_core::{Error, RawResponse, Result};

use crate::generated::GetTokenRequest;
use crate::models::token::AccessToken;
use crate::profile::{self, HppProfile};

/// The general token host: `https://api.hik-partner.com`.
pub const DEFAULT_TOKEN_HOST: &str = "https://api.hik-partner.com";

/// Where the client fetches tokens. The token's `areaDomain` decides where every other call
/// goes, so the region only picks the token host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Region {
    /// Every area but Russia: `https://api.hik-partner.com`. Default.
    #[default]
    Global,
    /// Russia: `https://api.hik-partnerru.com`.
    Russia,
    /// The former general domain, `https://api.hik-proconnect.com` (documented "until the end of 2023").
    LegacyGlobal,
    /// The former Russian domain, `https://api.hik-proconnectru.com` (documented "until the end of 2023").
    LegacyRussia,
}

impl Region {
    /// The token host of the region.
    pub fn token_host(self) -> &'static str {
        match self {
            Region::Global => DEFAULT_TOKEN_HOST,
            Region::Russia => "https://api.hik-partnerru.com",
            Region::LegacyGlobal => "https://api.hik-proconnect.com",
            Region::LegacyRussia => "https://api.hik-proconnectru.com",
        }
    }
}

/// Builds a [`Client`]. Give either [`app_key`](Self::app_key) and [`secret_key`](Self::secret_key),
/// or a fixed [`access_token`](Self::access_token) with its [`area_domain`](Self::area_domain).
#[must_use]
#[derive(Clone)]
pub struct ClientBuilder {
    app_key: Option<String>,
    secret_key: Option<SecretString>,
    access_token: Option<SecretString>,
    area_domain: Option<String>,
    region: Region,
    token_host: Option<String>,
    token_refresh_skew: Duration,
    config: ClientConfig,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("app_key", &self.app_key)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "***"))
            .field("access_token", &self.access_token.as_ref().map(|_| "***"))
            .field("area_domain", &self.area_domain)
            .field("region", &self.region)
            .field("token_host", &self.token_host)
            .field("token_refresh_skew", &self.token_refresh_skew)
            .field("config", &self.config)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            app_key: None,
            secret_key: None,
            access_token: None,
            area_domain: None,
            region: Region::Global,
            token_host: None,
            // 60 s, the core's default: covers clock drift and the time a request is in flight,
            // out of a token life of 7 days.
            token_refresh_skew: Duration::from_secs(60),
            config: ClientConfig::default(),
        }
    }
}

impl ClientBuilder {
    /// The access key ID: the API key or the ARC ID. Default is none.
    pub fn app_key(mut self, app_key: impl Into<String>) -> Self {
        self.app_key = Some(app_key.into());
        self
    }

    /// The secret access key: the API secret or the ARC key (kept in a `SecretString`, never
    /// logged). Default is none.
    pub fn secret_key(mut self, secret_key: impl Into<String>) -> Self {
        self.secret_key = Some(SecretString::from(secret_key.into()));
        self
    }

    /// A fixed access token used instead of key credentials; it cannot be refreshed. Needs
    /// [`area_domain`](Self::area_domain). Default is none.
    pub fn access_token(mut self, access_token: impl Into<String>) -> Self {
        self.access_token = Some(SecretString::from(access_token.into()));
        self
    }

    /// The area domain (`https://ieuapi.hik-partner.com`): required with a fixed
    /// [`access_token`](Self::access_token); with key credentials it overrides the `areaDomain`
    /// of every token answer. Default is none: the token answer's `areaDomain`.
    pub fn area_domain(mut self, area_domain: impl Into<String>) -> Self {
        self.area_domain = Some(area_domain.into());
        self
    }

    /// The region whose token host to use. Default is [`Region::Global`].
    pub fn region(mut self, region: Region) -> Self {
        self.region = region;
        self
    }

    /// The token host, overriding the region's (`http://127.0.0.1:8080` for a simulator).
    /// Default is the region's host.
    pub fn token_host(mut self, token_host: impl Into<String>) -> Self {
        self.token_host = Some(token_host.into());
        self
    }

    /// The base URL every vendor builder takes: for HPP, the token host (the same as
    /// [`token_host`](Self::token_host)); every call but the token fetch goes to the token's area
    /// domain. Default is the region's host.
    pub fn base_url(self, url: impl Into<String>) -> Self {
        self.token_host(url)
    }

    /// How long before its expiry a token is refreshed. Default is 60 s.
    pub fn token_refresh_skew(mut self, skew: Duration) -> Self {
        self.token_refresh_skew = skew;
        self
    }

    watchpost_core::client_config_setters!(config);

    /// Builds the client. No request is sent: the first call fetches the token.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the credentials are incomplete or ambiguous, or a URL is
    /// invalid; [`Error::Transport`] for an invalid TLS configuration.
    pub fn build(self) -> Result<Client> {
        let host = self.token_host.clone().unwrap_or_else(|| self.region.token_host().to_owned());
        let source = match (self.access_token, self.app_key, self.secret_key) {
            (Some(token), None, None) => {
                let area = self
                    .area_domain
                    .ok_or_else(|| Error::invalid_input("hpp", "a fixed access_token needs its area_domain"))?;
                TokenSource::Fixed { token, area }
            }
            (None, Some(app_key), Some(secret_key)) if !app_key.trim().is_empty() => TokenSource::App(Credentials {
                app_key,
                secret_key,
                area_override: self.area_domain,
                skew: self.token_refresh_skew,
            }),
            (Some(_), _, _) => {
                return Err(Error::invalid_input("hpp", "give either access_token or app_key/secret_key, not both"));
            }
            _ => return Err(Error::invalid_input("hpp", "app_key and secret_key (or access_token) are required")),
        };
        let base_url = match &source {
            TokenSource::Fixed { area, .. } => area.clone(),
            TokenSource::App(_) => host,
        };
        let plain = Pipeline::builder("hpp", base_url)
            .profile(HppProfile)
            .serialize_per_device(true)
            .config(&self.config)
            .build()?;
        let (provider, search_key) = match source {
            TokenSource::Fixed { token, area } => {
                plain.with_base_url(&area)?;
                (TokenProvider::fixed(Token::new(token.expose_secret()).base_url(area)), "fixed-token".to_owned())
            }
            TokenSource::App(creds) => {
                if let Some(area) = &creds.area_override {
                    plain.with_base_url(area)?;
                }
                let key = creds.app_key.clone();
                let creds = Arc::new(creds);
                let token_pipeline = plain.clone();
                let provider = TokenProvider::new(move || fetch_token(token_pipeline.clone(), creds.clone()))
                    .skew(self.token_refresh_skew);
                (provider, key)
            }
        };
        let auth = TokenAuth::header(provider.clone(), "authorization", "Bearer ");
        let pipeline = plain.with_auth(Auth::Token(auth));
        Ok(Client {
            inner: Arc::new(Inner { pipeline, provider, search_lock: format!("search:{search_key}") }),
            options: CallOptions::default(),
        })
    }
}

/// Where tokens come from.
enum TokenSource {
    /// A caller-supplied token and its area domain.
    Fixed { token: SecretString, area: String },
    /// Key credentials (the token host is the pipeline's base URL).
    App(Credentials),
}

/// Key credentials, captured by the token provider's fetch.
struct Credentials {
    app_key: String,
    secret_key: SecretString,
    area_override: Option<String>,
    skew: Duration,
}

/// The shortest life the client assumes for a fresh token, beyond the refresh skew: a token whose
/// `expireTime` is already (nearly) past by our clock would otherwise be fetched again on every
/// call. If the token really is that short-lived, the service answers LAP500004 and the client
/// refreshes then.
const MIN_TOKEN_LIFE: Duration = Duration::from_secs(300);

/// Calls the token endpoint and turns its answer into a [`Token`] bound to the area domain.
async fn fetch_token(pipeline: Pipeline, creds: Arc<Credentials>) -> Result<Token> {
    let req = GetTokenRequest::new(creds.app_key.clone(), creds.secret_key.expose_secret());
    let resp = pipeline.execute(req.to_request()?).await?;
    let answer: AccessToken = profile::envelope(&resp)?.into_result(&resp)?;
    if answer.access_token.trim().is_empty() {
        return Err(resp.decode_error(watchpost_core::error::DecodeError::Envelope {
            message: "the token answer has an empty accessToken".to_owned(),
        }));
    }
    tracing::debug!(target: "hpp_openapi::token", expire_time = answer.expire_time, area_domain = ?answer.area_domain, "token issued");
    let earliest = pipeline.clock().unix_now().saturating_add(creds.skew).saturating_add(MIN_TOKEN_LIFE);
    if answer.expires_at() < earliest {
        tracing::warn!(target: "hpp_openapi::token", expire_time = answer.expire_time, "token expires (nearly) now by our clock: is the clock off?");
    }
    let mut token = Token::new(answer.access_token.clone()).expires_at(answer.expires_at().max(earliest));
    if let Some(area) = creds.area_override.clone().or_else(|| answer.area_domain.clone()) {
        token = token.base_url(area.trim().trim_end_matches('/').to_owned());
    }
    Ok(token)
}

/// The Hik-Partner Pro client: one async method per operation of the guide (see the crate docs).
///
/// Cheap to clone: clones share the connection pool, the token cache, the retry budget and the
/// locks. [`customize`](Self::customize) makes a clone with per-call options.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    options: CallOptions,
}

struct Inner {
    pipeline: Pipeline,
    provider: TokenProvider,
    /// The per-key lock name of the search-type operations.
    search_lock: String,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("pipeline", &self.inner.pipeline).field("options", &self.options).finish()
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    watchpost_core::client_customize!(options);

    /// How many times the client fetched a token.
    pub fn token_fetches(&self) -> u64 {
        self.inner.provider.fetch_count()
    }

    /// Whether the client can fetch new tokens (`false` with a fixed token).
    pub fn can_refresh_token(&self) -> bool {
        self.inner.provider.can_refresh()
    }

    /// The pipeline the calls go through (for its retry budget and transport settings).
    pub fn pipeline(&self) -> &Pipeline {
        &self.inner.pipeline
    }

    /// Calls any operation by id with JSON parameters named as in the spec (the CLI's `call`);
    /// see [`dispatch`](crate::dispatch).
    ///
    /// # Errors
    /// As the operation; [`Error::InvalidInput`] for an unknown id or bad parameters.
    pub async fn call_json(&self, op_id: &str, params: serde_json::Value) -> Result<serde_json::Value> {
        crate::generated::dispatch(self, op_id, params).await
    }

    /// Sends one typed request and decodes the `data` of its envelope: the body of every
    /// generated method.
    ///
    /// # Errors
    /// The classified error of the call, or [`Error::Decode`] when `data` does not fit `T`.
    pub async fn call<R: ToRequest + ?Sized, T: serde::de::DeserializeOwned>(&self, req: &R) -> Result<T> {
        let resp = self.execute(req.to_request()?).await?;
        profile::envelope(&resp)?.into_result(&resp)
    }

    /// Sends one request through the client (token, search lock, retries) and returns the raw
    /// response once it passed classification: the escape hatch for a call no generated method
    /// covers.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the request breaks a documented limit (nothing is sent);
    /// otherwise the classified error of the call.
    pub async fn execute(&self, request: Request) -> Result<RawResponse> {
        crate::validate::check(&request)?;
        let key = is_search(request.op.path).then(|| self.inner.search_lock.clone());
        let request = request.device_key(key).options(&self.options);
        self.inner.pipeline.execute(request).await
    }
}

/// Whether an operation is a search the platform refuses to run concurrently with one key
/// (LAP068001, "other user is in search progress"): the platform's searches and paged lists,
/// whose path ends in `/search`, `/list` or `/details` (installers, sites, devices, cameras,
/// customers, ARC devices, person sync details, the OTAP table list).
pub fn is_search(path: &str) -> bool {
    let path = path.split('?').next().unwrap_or_default().trim_end_matches('/');
    matches!(path.rsplit('/').next(), Some("search" | "list" | "details"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_must_be_complete_and_unambiguous() {
        let e = Client::builder().app_key("k").build().unwrap_err();
        assert_eq!(e.kind(), watchpost_core::ErrorKind::InvalidInput);
        let e = Client::builder().build().unwrap_err();
        assert_eq!(e.kind(), watchpost_core::ErrorKind::InvalidInput);
        let e = Client::builder().access_token("hpc.x").build().unwrap_err();
        assert!(e.to_string().contains("area_domain"), "{e}");
        let e = Client::builder().access_token("hpc.x").app_key("k").secret_key("s").build().unwrap_err();
        assert!(e.to_string().contains("not both"), "{e}");
        let c = Client::builder().app_key("k").secret_key("s").build().unwrap();
        assert!(c.can_refresh_token());
        assert_eq!(c.pipeline().base_url(), DEFAULT_TOKEN_HOST);
        for (region, host) in [
            (Region::Russia, "https://api.hik-partnerru.com"),
            (Region::LegacyGlobal, "https://api.hik-proconnect.com"),
            (Region::LegacyRussia, "https://api.hik-proconnectru.com"),
        ] {
            let c = Client::builder().app_key("k").secret_key("s").region(region).build().unwrap();
            assert_eq!(c.pipeline().base_url(), host);
        }
        let c = Client::builder().access_token("hpc.x").area_domain("https://ieuapi.hik-partner.com").build().unwrap();
        assert!(!c.can_refresh_token());
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let b = Client::builder().app_key("key").secret_key("s3cr3t-value").access_token("hpc.t0ken");
        let dbg = format!("{b:?}");
        assert!(!dbg.contains("s3cr3t") && !dbg.contains("t0ken"), "{dbg}");
        let c = Client::builder().app_key("key").secret_key("s3cr3t-value").build().unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t"));
        assert!(!format!("{:?}", GetTokenRequest::new("key", "s3cr3t-value")).contains("s3cr3t"));
    }

    #[test]
    fn searches_are_recognised_by_their_id() {
        assert!(is_search("/api/hpcgw/v1/site/search"));
        assert!(is_search("/api/hpcgw/v1/device/list"));
        assert!(is_search("/api/hpcgw/v1/person/synchronize/details"));
        assert!(is_search("/api/hpcgw/v2/device/transparent/api/service/device/otap/table/list?pageIndex=1"));
        assert!(!is_search("/api/hpcgw/v1/mq/messages"));
        assert!(!is_search("/api/hpcgw/v1/research"));
    }
}
