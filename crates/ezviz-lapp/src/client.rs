//! [`Client`] and [`ClientBuilder`]: the EZVIZ client, its token handling and configuration.
//!
//! ## Tokens and the area domain
//! With an app key and secret, the client fetches a token from the **token host**
//! (`POST {token_host}/api/lapp/token/get`; default `https://open.ezvizlife.com`, or the host of
//! the [`Region`], or [`ClientBuilder::token_host`]). The answer carries `accessToken`,
//! `expireTime` (epoch milliseconds) and `areaDomain`; the token is cached until its expiry minus
//! a skew, refreshed single-flight, and every later call goes to its `areaDomain`. When the
//! service answers 10002 (token invalid or expired), the client refreshes once and replays the
//! call once.
//!
//! With a fixed token and its area domain (an EZVIZ sub-account token), nothing can be
//! refreshed: a 10002 reaches the caller as [`ErrorClass::AuthExpired`](watchpost_core::ErrorClass).
//!
//! Without any credentials, the client can call only the operation the seed documents without
//! an `accessToken`, the time zone list (1.21): it goes to the [`area_domain`](ClientBuilder::area_domain)
//! when one is given, else to the token host, with no token fetched and none attached. Every
//! other call fails with [`Error::InvalidInput`](watchpost_core::Error) before anything is sent.
//!
//! ## Requests
//! Every call is a form-encoded `POST` with `accessToken` first in the body (the time zone list
//! takes no token). Calls to one `deviceSerial` are sent one at a time by default
//! ([`ClientBuilder::serialize_per_device`], the core pipeline's per-device lock), because a
//! device answers 20008 ("too many operations") when it is asked several things at once.
//!
//! ## Configuration
//! The settings every vendor client shares ([`ClientConfig`]: transport and timeouts, retry,
//! rate limiter, clock, user agent, per-device serialisation) have the same setters here as on
//! every vendor builder. EZVIZ defaults: the core's retry settings, no rate limiter (EZVIZ
//! documents no quota), per-device serialisation on. [`ClientBuilder::base_url`] is the token
//! host: the only address a client is configured with, every other call goes to the token's
//! area domain.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use watchpost_core::auth::{Auth, Token, TokenAuth, TokenProvider};
use watchpost_core::config::ClientConfig;
use watchpost_core::operation::{Body, CallOptions, Request, ToRequest};
use watchpost_core::pipeline::Pipeline;
use watchpost_core::{Error, RawResponse, Result};

use crate::envelope::{Envelope, FromEnvelope};
use crate::generated::{ops, GetTokenRequest};
use crate::models::AccessToken;
use crate::profile::EzvizProfile;

/// The global token host: `https://open.ezvizlife.com`.
pub const DEFAULT_TOKEN_HOST: &str = "https://open.ezvizlife.com";

/// The form field the token travels in.
const TOKEN_FIELD: &str = "accessToken";

/// Where the client fetches tokens. The token's `areaDomain` decides where every other call
/// goes, so the region only picks the token host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Region {
    /// EZVIZ outside China: `https://open.ezvizlife.com`. Default.
    #[default]
    Global,
    /// Ys7 (EZVIZ in mainland China): `https://open.ys7.com`.
    China,
}

impl Region {
    /// The token host of the region.
    pub fn token_host(self) -> &'static str {
        match self {
            Region::Global => DEFAULT_TOKEN_HOST,
            Region::China => "https://open.ys7.com",
        }
    }
}

/// Builds a [`Client`]. Give either [`app_key`](Self::app_key) and [`app_secret`](Self::app_secret),
/// or a fixed [`access_token`](Self::access_token) with its [`area_domain`](Self::area_domain), or
/// no credentials at all for a client that can only list time zones (see the module docs).
#[must_use]
#[derive(Clone)]
pub struct ClientBuilder {
    app_key: Option<String>,
    app_secret: Option<SecretString>,
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
            .field("app_secret", &self.app_secret.as_ref().map(|_| "***"))
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
            app_secret: None,
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
    /// The application key. Default is none.
    pub fn app_key(mut self, app_key: impl Into<String>) -> Self {
        self.app_key = Some(app_key.into());
        self
    }

    /// The application secret (kept in a `SecretString`, never logged). Default is none.
    pub fn app_secret(mut self, app_secret: impl Into<String>) -> Self {
        self.app_secret = Some(SecretString::from(app_secret.into()));
        self
    }

    /// A fixed access token, such as a sub-account token, used instead of app credentials; it
    /// cannot be refreshed. Needs [`area_domain`](Self::area_domain). Default is none.
    pub fn access_token(mut self, access_token: impl Into<String>) -> Self {
        self.access_token = Some(SecretString::from(access_token.into()));
        self
    }

    /// The area domain (`https://iusopen.ezvizlife.com`): required with a fixed
    /// [`access_token`](Self::access_token); with app credentials it overrides the `areaDomain`
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
    /// Default is the region's host, `https://open.ezvizlife.com` for [`Region::Global`].
    pub fn token_host(mut self, token_host: impl Into<String>) -> Self {
        self.token_host = Some(token_host.into());
        self
    }

    /// The base URL every vendor builder takes: for EZVIZ, the token host (the same as
    /// [`token_host`](Self::token_host)); every call but the token fetch goes to the token's area
    /// domain. Default is the region's host, `https://open.ezvizlife.com` for [`Region::Global`].
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
    /// [`Error::InvalidInput`] when the credentials are incomplete or ambiguous, or a URL is invalid;
    /// [`Error::Transport`] for an invalid TLS configuration.
    pub fn build(self) -> Result<Client> {
        let source = match (self.access_token, self.app_key, self.app_secret) {
            (None, None, None) => {
                let host = self.token_host.unwrap_or_else(|| self.region.token_host().to_owned());
                TokenSource::None { base: self.area_domain.unwrap_or(host) }
            }
            (Some(token), None, None) => {
                let area = self
                    .area_domain
                    .ok_or_else(|| Error::invalid_input("ezviz", "a fixed access_token needs its area_domain"))?;
                TokenSource::Fixed { token, area }
            }
            (None, Some(app_key), Some(app_secret)) if !app_key.trim().is_empty() => {
                let host = self.token_host.unwrap_or_else(|| self.region.token_host().to_owned());
                let creds =
                    Credentials { app_key, app_secret, area_override: self.area_domain, skew: self.token_refresh_skew };
                TokenSource::App(creds, host)
            }
            (Some(_), _, _) => {
                return Err(Error::invalid_input("ezviz", "give either access_token or app_key/app_secret, not both"));
            }
            _ => return Err(Error::invalid_input("ezviz", "app_key and app_secret (or access_token) are required")),
        };
        let base_url = match &source {
            TokenSource::Fixed { area, .. } => area.clone(),
            TokenSource::App(_, host) => host.clone(),
            TokenSource::None { base } => base.clone(),
        };
        // A device answers 20008 when asked several things at once: one call per device by default.
        let builder =
            Pipeline::builder("ezviz", base_url).profile(EzvizProfile).serialize_per_device(true).config(&self.config);
        // `plain` reaches the token host without auth; the API pipeline shares its connection
        // pool, retry budget, limiter and device locks, and goes wherever the token's areaDomain says.
        let plain = builder.build()?;
        let provider = match source {
            TokenSource::None { .. } => {
                return Ok(Client {
                    inner: Arc::new(Inner { pipeline: plain, provider: None }),
                    options: CallOptions::default(),
                });
            }
            TokenSource::Fixed { token, area } => {
                // Validate the area domain now rather than on the first call.
                plain.with_base_url(&area)?;
                TokenProvider::fixed(Token::new(token.expose_secret()).base_url(area))
            }
            TokenSource::App(creds, _) => {
                if let Some(area) = &creds.area_override {
                    plain.with_base_url(area)?;
                }
                let creds = Arc::new(creds);
                let token_pipeline = plain.clone();
                TokenProvider::new(move || fetch_token(token_pipeline.clone(), creds.clone()))
                    .skew(self.token_refresh_skew)
            }
        };
        let pipeline = plain.with_auth(Auth::Token(token_auth(provider.clone())));
        Ok(Client { inner: Arc::new(Inner { pipeline, provider: Some(provider) }), options: CallOptions::default() })
    }
}

/// Where tokens come from.
enum TokenSource {
    /// A caller-supplied token and its area domain.
    Fixed { token: SecretString, area: String },
    /// App credentials and the token host.
    App(Credentials, String),
    /// No credentials: only the time zone list, sent to `base`.
    None { base: String },
}

/// App credentials, captured by the token provider's fetch.
struct Credentials {
    app_key: String,
    app_secret: SecretString,
    area_override: Option<String>,
    skew: Duration,
}

/// The shortest life the client assumes for a fresh token, beyond the refresh skew.
///
/// A token whose `expireTime` is already (nearly) past by our clock would otherwise be fetched
/// again on every call, and EZVIZ blacklists apps that call the token endpoint too often. If the
/// token really is that short-lived, the service answers 10002 and the client refreshes then.
const MIN_TOKEN_LIFE: Duration = Duration::from_secs(300);

/// Calls the token endpoint and turns its answer into a [`Token`] bound to the area domain.
async fn fetch_token(pipeline: Pipeline, creds: Arc<Credentials>) -> Result<Token> {
    let req = GetTokenRequest::new(creds.app_key.clone(), creds.app_secret.expose_secret());
    let resp = pipeline.execute(req.to_request()?).await?;
    let env = Envelope::from_response(&resp)?;
    let answer = AccessToken::from_envelope(&env, &resp)?;
    tracing::debug!(target: "ezviz_lapp::token", expire_time = answer.expire_time, area_domain = ?answer.area_domain, "token issued");
    // Saturating: the skew is the caller's and may be absurdly large (`Duration::MAX`).
    let earliest = pipeline.clock().unix_now().saturating_add(creds.skew).saturating_add(MIN_TOKEN_LIFE);
    if answer.expires_at() < earliest {
        tracing::warn!(target: "ezviz_lapp::token", expire_time = answer.expire_time, "token expires (nearly) now by our clock: is the clock off?");
    }
    let mut token = Token::new(answer.access_token.clone()).expires_at(answer.expires_at().max(earliest));
    if let Some(area) = creds.area_override.clone().or_else(|| answer.area_domain.clone()) {
        token = token.base_url(area);
    }
    Ok(token)
}

/// Whether the seed documents the operation without an `accessToken` (only the time zone
/// list, 1.21).
fn documented_without_token(op_id: &str) -> bool {
    op_id == ops::LIST_TIMEZONES.id
}

/// `accessToken` as the first form field of every call but the time zone list, which the seed
/// documents without a token (it still goes to the token's area domain).
fn token_auth(provider: TokenProvider) -> TokenAuth {
    let form = TokenAuth::form_field(provider.clone(), TOKEN_FIELD);
    TokenAuth::new(provider, move |req: &mut Request, token: &Token| {
        if documented_without_token(req.op.id) {
            return Ok(());
        }
        form.apply(req, token)
    })
}

/// The EZVIZ client: one async method per operation of the seed (see the crate docs).
///
/// Cheap to clone: clones share the connection pool, the token cache, the retry budget and the
/// device locks. [`customize`](Self::customize) makes a clone with per-call options.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    options: CallOptions,
}

struct Inner {
    pipeline: Pipeline,
    /// `None` for a client built without credentials.
    provider: Option<TokenProvider>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("pipeline", &self.inner.pipeline)
            .field("serialize_per_device", &self.inner.pipeline.serializes_per_device())
            .field("options", &self.options)
            .finish()
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
        self.inner.provider.as_ref().map_or(0, TokenProvider::fetch_count)
    }

    /// Whether the client can fetch new tokens (`false` with a fixed token or without credentials).
    pub fn can_refresh_token(&self) -> bool {
        self.inner.provider.as_ref().is_some_and(TokenProvider::can_refresh)
    }

    /// Whether the client was built with credentials (without, it can only list time zones).
    pub fn has_credentials(&self) -> bool {
        self.inner.provider.is_some()
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

    /// Sends one typed request and decodes the answer: the body of every generated method.
    pub(crate) async fn call<R: ToRequest + ?Sized, T: FromEnvelope>(&self, req: &R) -> Result<T> {
        let resp = self.execute(req.to_request()?).await?;
        let env = Envelope::from_response(&resp)?;
        T::from_envelope(&env, &resp)
    }

    /// Sends one request through the client (token, per-device turn, retries) and returns the
    /// raw response once it passed classification: the escape hatch for a call no generated
    /// method covers.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the operation needs a token and the client has none
    /// (nothing is sent); otherwise the classified error of the call.
    pub async fn execute(&self, request: Request) -> Result<RawResponse> {
        if self.inner.provider.is_none() && !documented_without_token(request.op.id) {
            return Err(Error::invalid_input(
                request.op.id,
                "this operation needs an access token: build the client with app_key/app_secret or access_token",
            ));
        }
        // The pipeline sends one call per device serial at a time (when the option is on).
        let serial = device_serial(&request);
        let request = request.device_key(serial).options(&self.options);
        self.inner.pipeline.execute(request).await
    }
}

/// The `deviceSerial` of a request, if it has one.
fn device_serial(req: &Request) -> Option<String> {
    match &req.body {
        Body::Form(pairs) => pairs.iter().find(|(k, _)| k == "deviceSerial").map(|(_, v)| v.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_must_be_complete_unambiguous_or_absent() {
        let e = Client::builder().app_key("k").build().unwrap_err();
        assert_eq!(e.kind(), watchpost_core::ErrorKind::InvalidInput);
        let e = Client::builder().app_secret("s").build().unwrap_err();
        assert_eq!(e.kind(), watchpost_core::ErrorKind::InvalidInput);
        let none = Client::builder().build().unwrap();
        assert!(!none.has_credentials() && !none.can_refresh_token());
        assert_eq!(none.pipeline().base_url(), DEFAULT_TOKEN_HOST);
        let none = Client::builder().area_domain("https://isgpopen.ezvizlife.com").build().unwrap();
        assert_eq!(none.pipeline().base_url(), "https://isgpopen.ezvizlife.com");
        let e = Client::builder().access_token("at.x").build().unwrap_err();
        assert!(e.to_string().contains("area_domain"), "{e}");
        let e = Client::builder().access_token("at.x").app_key("k").app_secret("s").build().unwrap_err();
        assert!(e.to_string().contains("not both"), "{e}");
        let e = Client::builder().access_token("at.x").area_domain("not a url").build().unwrap_err();
        assert_eq!(e.kind(), watchpost_core::ErrorKind::InvalidInput);
        let c = Client::builder().access_token("at.x").area_domain("https://iusopen.ezvizlife.com").build().unwrap();
        assert!(!c.can_refresh_token());
        let c = Client::builder().app_key("k").app_secret("s").build().unwrap();
        assert!(c.can_refresh_token());
        assert_eq!(c.token_fetches(), 0);
        assert_eq!(c.pipeline().base_url(), DEFAULT_TOKEN_HOST);
        let c = Client::builder().app_key("k").app_secret("s").region(Region::China).build().unwrap();
        assert_eq!(c.pipeline().base_url(), "https://open.ys7.com");
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let b = Client::builder().app_key("key").app_secret("s3cr3t-value").access_token("at.t0ken");
        let dbg = format!("{b:?}");
        assert!(!dbg.contains("s3cr3t") && !dbg.contains("t0ken"), "{dbg}");
        let c = Client::builder().app_key("key").app_secret("s3cr3t-value").build().unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t"));
        let req = GetTokenRequest::new("key", "s3cr3t-value");
        assert!(!format!("{req:?}").contains("s3cr3t"));
    }

    fn pairs(req: &Request) -> Vec<(String, String)> {
        match &req.body {
            Body::Form(p) => p.clone(),
            other => panic!("not a form: {other:?}"),
        }
    }

    #[test]
    fn requests_are_encoded_as_the_seed_documents() {
        use crate::models::{ScheduleTime, Weekday, Weekdays};
        use crate::requests::*;
        // Table order, 0/1 booleans, optional fields left out, the token first.
        let req = SetDefencePlanRequest::new("427734888")
            .channel_no(1)
            .start_time(ScheduleTime::at(23, 20).unwrap())
            .stop_time(ScheduleTime::at(23, 21).unwrap())
            .period([Weekday::Monday, Weekday::Tuesday, Weekday::Sunday].into_iter().collect::<Weekdays>())
            .enable(false);
        let mut wire = req.to_request().unwrap();
        let provider = TokenProvider::fixed(Token::new("at.test"));
        token_auth(provider.clone()).apply(&mut wire, &Token::new("at.test")).unwrap();
        let expect = [
            ("accessToken", "at.test"),
            ("deviceSerial", "427734888"),
            ("channelNo", "1"),
            ("startTime", "23:20"),
            ("stopTime", "23:21"),
            ("period", "0,1,6"),
            ("enable", "0"),
        ];
        let got = pairs(&wire);
        assert_eq!(got.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>(), expect);
        assert_eq!(
            String::from_utf8(wire.body.encode().to_vec()).unwrap(),
            "accessToken=at.test&deviceSerial=427734888&channelNo=1&startTime=23%3A20&stopTime=23%3A21&period=0%2C1%2C6&enable=0"
        );

        let req = SetSoundSwitchRequest::new("596510888", true);
        assert_eq!(
            pairs(&req.to_request().unwrap()),
            [("deviceSerial".into(), "596510888".into()), ("enable".into(), "1".into())]
        );
        assert_eq!(wire.op.method, http::Method::POST);

        // The time zone list carries no token.
        let mut tz = ListTimezonesRequest::new().to_request().unwrap();
        token_auth(provider).apply(&mut tz, &Token::new("at.test")).unwrap();
        assert!(pairs(&tz).is_empty());
    }
}
