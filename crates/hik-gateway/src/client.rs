//! The gateway client: [`Client`], [`ClientBuilder`], and the calls that are not plain JSON
//! request/response (time zone text, device search pages, video download).
//!
//! ## Configuration
//! `Client::builder().base_url(..)` (required: the gateway's address), credentials, and the
//! settings every vendor client shares ([`ClientConfig`]: transport and timeouts, retry, rate
//! limiter, clock, user agent, per-device serialisation) with the same setters as on every
//! vendor builder. Gateway defaults: the core's retry settings, no rate limiter, per-device
//! serialisation off (the gateway queues for its devices itself).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use watchpost_core::auth::{Auth, Credentials, DigestUri, HttpAuth, HttpAuthMode, DEFAULT_REJECTION_COOLDOWN};
use watchpost_core::config::ClientConfig;
use watchpost_core::error::{DecodeError, TimeoutPhase, TransportError};
use watchpost_core::operation::{CallOptions, Operation, Request, ToRequest};
use watchpost_core::pipeline::Pipeline;
use watchpost_core::{Error, RawResponse, Result};

use crate::events::EventStreamConfig;
use crate::generated::{ops, SearchDevicesRequest, SetTimeZoneRequest, TimeZoneRequest};
use crate::models::{
    ResponseStatus, SearchDescription, SearchDescriptionMsg, SearchDevice, SearchFilter, ALL_PARTITIONS,
};
use crate::profile::HikProfile;
use crate::timezone::PosixTimeZone;

/// The vendor name used in operation tables, errors and logs.
pub const VENDOR: &str = "hikgw";

/// A Hikvision Device Gateway client. Cheap to clone: clones share the connection pool, the
/// Digest challenge and the retry budget.
///
/// Every documented operation is a method (generated from `spec/hikgw.toml`, see
/// [`crate::OPERATIONS`]); [`Client::device`] gives typed shortcuts per device and security
/// control panel, and [`Client::subscribe`] opens the supervised alarm stream.
/// [`customize`](Self::customize) makes a clone whose calls use per-call options.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    options: CallOptions,
}

struct Inner {
    pipeline: Pipeline,
    all_partitions: String,
    events: EventStreamConfig,
    page_size: u32,
    /// IDs of the `eventMode: all` subscriptions this client's streams opened, newest last.
    all_mode_subscriptions: Mutex<VecDeque<String>>,
}

/// How many `eventMode: all` subscription IDs a client remembers (a re-subscription gets a new
/// ID; older ones are dead on the gateway, which refuses them itself).
const REMEMBERED_SUBSCRIPTIONS: usize = 1024;

/// The operations the seed documents as not supported when the subscription's `eventMode` is
/// `all` (6.1 steps 2, 3 and 5): refused locally for such a subscription, without a request.
pub(crate) const UNSUPPORTED_UNDER_ALL: [&str; 3] =
    [ops::QUERY_SUBSCRIPTION_STATUS.id, ops::ADD_DEVICE_EVENTS.id, ops::REMOVE_DEVICE_EVENTS.id];

/// The local refusal of an operation of [`UNSUPPORTED_UNDER_ALL`].
pub(crate) fn unsupported_under_all(op: &str) -> Error {
    Error::Unsupported {
        op: op.to_owned(),
        status: None,
        code: None,
        message: Some("not supported when the subscription's eventMode is \"all\" (seed 6.1); nothing was sent".into()),
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("pipeline", &self.inner.pipeline)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]. Every setter documents its default.
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    credentials: Option<(String, SecretString)>,
    auth_mode: HttpAuthMode,
    digest_uri: DigestUri,
    rejection_cooldown: Duration,
    config: ClientConfig,
    all_partitions: String,
    events: EventStreamConfig,
    page_size: u32,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("username", &self.credentials.as_ref().map(|(u, _)| u))
            .field("auth_mode", &self.auth_mode)
            .field("digest_uri", &self.digest_uri)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            credentials: None,
            auth_mode: HttpAuthMode::Auto,
            digest_uri: DigestUri::PathAndQuery,
            rejection_cooldown: DEFAULT_REJECTION_COOLDOWN,
            config: ClientConfig::default(),
            all_partitions: ALL_PARTITIONS.to_owned(),
            events: EventStreamConfig::default(),
            page_size: 50,
        }
    }
}

impl ClientBuilder {
    /// The gateway's base URL (`http://10.0.0.5`, `https://gw.example:8443`). Required; there
    /// is no default.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The user name and password (HTTP Basic or Digest, chapter 3); without them requests are
    /// sent without credentials and the gateway answers 401. Default is none.
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((username.into(), SecretString::from(password.into())));
        self
    }

    /// Which HTTP authentication scheme to use: `Auto` picks Digest or Basic as the gateway's
    /// challenge offers (Digest preferred; Basic only over `https://`), `Basic` sends Basic
    /// even over plain `http://` (an explicit choice), `Digest` never sends Basic. Default is
    /// [`HttpAuthMode::Auto`].
    pub fn auth_mode(mut self, mode: HttpAuthMode) -> Self {
        self.auth_mode = mode;
        self
    }

    /// What the Digest `uri` field holds: the request target (RFC 2617/7616), or the path alone as
    /// in the seed's chapter 6 example, which leaves out `?format=json` ([`DigestUri::PathOnly`],
    /// for firmware that expects that). Default is [`DigestUri::PathAndQuery`].
    pub fn digest_uri(mut self, form: DigestUri) -> Self {
        self.digest_uri = form;
        self
    }

    /// How long a rejected password is remembered: calls fail fast with the rejection, sending
    /// nothing, until [`Client::set_credentials`] or this long (or while the gateway says the
    /// account is locked, if longer). Default is 15 minutes
    /// ([`watchpost_core::auth::DEFAULT_REJECTION_COOLDOWN`]).
    pub fn rejection_cooldown(mut self, cooldown: Duration) -> Self {
        self.rejection_cooldown = cooldown;
        self
    }

    watchpost_core::client_config_setters!(config);

    /// The partition ID that selects all partitions in arm, disarm and clear-alarm paths (the
    /// seed does not say how to write it). Default is `"0xffffffff"` ([`ALL_PARTITIONS`]).
    pub fn all_partitions_id(mut self, id: impl Into<String>) -> Self {
        self.all_partitions = id.into();
        self
    }

    /// Alarm stream settings (idle watchdog, reconnect back-off, part size limit). Default is
    /// [`EventStreamConfig::default`].
    pub fn events(mut self, config: EventStreamConfig) -> Self {
        self.events = config;
        self
    }

    /// Devices per page when [`Client::devices`] pages through the device list. Default is 50.
    pub fn page_size(mut self, size: u32) -> Self {
        self.page_size = size.max(1);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a missing base URL or one that is not
    /// `http(s)://host[:port][/path]`; [`Error::Transport`] for an invalid TLS configuration.
    pub fn build(self) -> Result<Client> {
        let base_url = self.base_url.ok_or_else(|| {
            Error::invalid_input(VENDOR, "the gateway's base URL is required (ClientBuilder::base_url)")
        })?;
        let auth = match self.credentials {
            Some((user, password)) => Auth::Http(
                HttpAuth::new(Credentials::new(user, password.expose_secret()))
                    .mode(self.auth_mode)
                    .digest_uri(self.digest_uri)
                    .rejection_cooldown(self.rejection_cooldown),
            ),
            None => Auth::None,
        };
        let builder = Pipeline::builder(VENDOR, base_url).profile(HikProfile).auth(auth).config(&self.config);
        Ok(Client {
            inner: Arc::new(Inner {
                pipeline: builder.build()?,
                all_partitions: self.all_partitions,
                events: self.events,
                page_size: self.page_size,
                all_mode_subscriptions: Mutex::new(VecDeque::new()),
            }),
            options: CallOptions::default(),
        })
    }
}

/// Decodes a JSON body leniently (see [`crate::json`]). Every JSON operation of the seed
/// documents a response document, so an empty body is [`DecodeError::Empty`], never a success.
pub(crate) fn decode_json<T: DeserializeOwned>(resp: &RawResponse) -> Result<T> {
    if resp.body.iter().all(u8::is_ascii_whitespace) {
        return Err(resp.decode_error(DecodeError::Empty));
    }
    crate::json::decode(&resp.body).map_err(|e| resp.decode_error(e))
}

impl Client {
    /// Starts building a client; give it the gateway's [`base_url`](ClientBuilder::base_url).
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    watchpost_core::client_customize!(options);

    /// The request pipeline (for its transport, auth state and retry budget).
    pub fn pipeline(&self) -> &Pipeline {
        &self.inner.pipeline
    }

    /// Replaces the user name and password for this client and its clones (after a rejection,
    /// or a password change on the gateway): a remembered rejection is forgotten and the next
    /// call logs in afresh.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when the client was built without credentials (nothing changes).
    pub fn set_credentials(&self, username: impl Into<String>, password: impl Into<String>) -> Result<()> {
        match self.inner.pipeline.auth() {
            Auth::Http(http) => {
                http.replace_credentials(Credentials::new(username, password));
                Ok(())
            }
            _ => Err(Error::invalid_input("set_credentials", "the client was built without credentials")),
        }
    }

    /// The gateway's base URL.
    pub fn base_url(&self) -> &str {
        self.inner.pipeline.base_url()
    }

    /// The partition ID that selects all partitions (see [`ClientBuilder::all_partitions_id`]).
    pub fn all_partitions_id(&self) -> &str {
        &self.inner.all_partitions
    }

    /// The alarm stream settings.
    pub fn event_config(&self) -> &EventStreamConfig {
        &self.inner.events
    }

    /// Runs a generated request through the pipeline and decodes the JSON answer into `T`.
    ///
    /// A per-device subscription call ([`UNSUPPORTED_UNDER_ALL`]) naming an `eventMode: all`
    /// subscription this client opened is refused with [`Error::Unsupported`] before sending.
    pub(crate) async fn call<R: ToRequest + ?Sized, T: DeserializeOwned>(&self, req: &R) -> Result<T> {
        let resp = self.execute(req.to_request()?).await?;
        decode_json(&resp)
    }

    /// Sends one request through the client (auth, retries) and returns the raw response once
    /// it passed classification: the escape hatch for a call no generated method covers.
    ///
    /// # Errors
    /// [`Error::Unsupported`] for a call the gateway refuses on an `eventMode: all`
    /// subscription (nothing is sent); otherwise the classified error of the call.
    pub async fn execute(&self, request: Request) -> Result<RawResponse> {
        if UNSUPPORTED_UNDER_ALL.contains(&request.op.id) {
            let id = request.path_params.iter().find(|(name, _)| *name == "id").map(|(_, v)| v.as_str());
            if id.is_some_and(|id| self.is_all_mode_subscription(id)) {
                return Err(unsupported_under_all(request.op.id));
            }
        }
        self.inner.pipeline.execute(request.options(&self.options)).await
    }

    /// Remembers that subscription `id` (opened by one of this client's streams) has
    /// `eventMode: all`.
    pub(crate) fn note_all_mode_subscription(&self, id: &str) {
        let mut ids = self.inner.all_mode_subscriptions.lock().unwrap_or_else(PoisonError::into_inner);
        if ids.iter().any(|known| known == id) {
            return;
        }
        if ids.len() >= REMEMBERED_SUBSCRIPTIONS {
            ids.pop_front();
        }
        ids.push_back(id.to_owned());
    }

    /// Whether `id` is an `eventMode: all` subscription one of this client's streams opened.
    pub fn is_all_mode_subscription(&self, id: &str) -> bool {
        let ids = self.inner.all_mode_subscriptions.lock().unwrap_or_else(PoisonError::into_inner);
        ids.iter().any(|known| known == id.trim())
    }

    /// Verifies the credentials with `GET /ISAPI/Security/userCheck` (8.3.1).
    ///
    /// # Errors
    /// [`Error::Auth`] with the attempts left, or [`Error::AuthLocked`] with the time until
    /// the account unlocks; a rejected password is never sent twice.
    pub async fn login_check(&self) -> Result<crate::models::UserCheck> {
        Ok(self.user_check(&crate::generated::UserCheckRequest::new()).await?.user_check)
    }

    /// Gets a device's time zone (8.5.10): the plain-text POSIX string, parsed.
    ///
    /// # Errors
    /// Those of any call, and [`Error::Decode`] when the text is not a POSIX time zone.
    pub async fn time_zone(&self, req: &TimeZoneRequest) -> Result<PosixTimeZone> {
        let resp = self.inner.pipeline.execute(req.to_request()?.options(&self.options)).await?;
        let text = resp.text()?;
        PosixTimeZone::parse(text.trim())
            .map_err(|e| resp.decode_error(DecodeError::Envelope { message: e.to_string() }))
    }

    /// Sets a device's time zone (8.5.10) from a POSIX string sent as plain text.
    ///
    /// # Errors
    /// Those of any call.
    pub async fn set_time_zone(&self, req: &SetTimeZoneRequest) -> Result<ResponseStatus> {
        self.call(req).await
    }

    /// Every device matching `filter`, page by page (`deviceList`, 8.1.5) as a stream of
    /// [`page_size`](ClientBuilder::page_size) devices per call: a thin wrapper over the generated
    /// [`search_devices_stream`](Self::search_devices_stream). A page that fails ends the stream
    /// with its error; a page that repeats the one before it ends it with a decode error.
    pub fn devices(&self, filter: Option<SearchFilter>) -> Pin<Box<dyn Stream<Item = Result<SearchDevice>> + Send>> {
        let req = SearchDevicesRequest::new(SearchDescriptionMsg {
            search_description: SearchDescription { position: 0, max_result: self.inner.page_size, filter },
        });
        self.search_devices_stream(&req)
    }

    /// Downloads the alarm video of a `videoReview` event (8.6.1, 7.2 step 5) into `out` and
    /// returns the number of bytes written.
    ///
    /// `video_url` is the event's `videoURL` (`/HikGatewayStorage/pic?F14E...mp4`): it is
    /// requested verbatim on the gateway's scheme, host and port, with the client's credentials
    /// and no `format=json`. An absolute URL is accepted only when it points at the gateway (the
    /// credentials never go elsewhere). The body is streamed, never buffered whole; each chunk
    /// must arrive within the attempt timeout, the whole transfer within the transfer timeout.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a URL that is not a path or points elsewhere; the gateway's
    /// typed error (`taskNoRecFile`, 404...) when it refuses; [`Error::Transport`] or
    /// [`Error::Timeout`] when the transfer breaks; an I/O error of `out` as [`Error::Transport`].
    pub async fn download_video<W: AsyncWrite + Unpin + ?Sized>(&self, video_url: &str, out: &mut W) -> Result<u64> {
        let op: &'static Operation = &ops::DOWNLOAD_VIDEO;
        let target = video_target(self.base_url(), video_url).map_err(|m| Error::invalid_input(op.id, m))?;
        let config = self.inner.pipeline.transport().config().clone();
        // Per-call options (see `customize`) replace the transfer and chunk limits.
        let total_limit = self.options.timeouts().operation.unwrap_or(config.transfer_timeout);
        let chunk_limit = self.options.timeouts().attempt.unwrap_or(config.attempt_timeout);
        let run = async {
            // The pipeline authorizes (Digest challenge, stale nonce), classifies an error status
            // and retries a failed connection; the URL is sent byte for byte.
            let req = Request::new(op).verbatim_target(target)?.options(&self.options);
            let mut body = self.inner.pipeline.open_stream(req).await?.body;
            let mut written = 0u64;
            loop {
                let chunk = tokio::time::timeout(chunk_limit, body.next()).await.map_err(|_| Error::Timeout {
                    op: op.id.into(),
                    phase: TimeoutPhase::Idle,
                    after: chunk_limit,
                })?;
                match chunk {
                    None => break,
                    Some(chunk) => {
                        let chunk: Bytes = chunk?;
                        out.write_all(&chunk).await.map_err(|e| io_error(op, e))?;
                        written += chunk.len() as u64;
                    }
                }
            }
            out.flush().await.map_err(|e| io_error(op, e))?;
            Ok(written)
        };
        tokio::time::timeout(total_limit, run).await.map_err(|_| Error::Timeout {
            op: op.id.into(),
            phase: TimeoutPhase::Operation,
            after: total_limit,
        })?
    }
}

fn io_error(op: &Operation, e: std::io::Error) -> Error {
    Error::Transport { op: op.id.into(), source: TransportError::body(e) }
}

/// The request target of a video URL on the gateway: the URL's path and query byte for byte
/// (an absolute URL must point at the gateway itself).
fn video_target(base_url: &str, video_url: &str) -> std::result::Result<String, String> {
    let base: http::Uri = base_url.parse().map_err(|_| format!("invalid base URL {base_url:?}"))?;
    let (scheme, authority) = match (base.scheme_str(), base.authority()) {
        (Some(s), Some(a)) => (s.to_owned(), a.as_str().to_owned()),
        _ => return Err(format!("invalid base URL {base_url:?}")),
    };
    let url = video_url.trim();
    let target = if url.starts_with('/') {
        url.to_owned()
    } else {
        let abs: http::Uri = url.parse().map_err(|_| format!("invalid video URL {url:?}"))?;
        let same = abs.authority().is_some_and(|a| a.as_str().eq_ignore_ascii_case(&authority))
            && abs.scheme_str().is_some_and(|s| s.eq_ignore_ascii_case(&scheme));
        if !same {
            return Err(format!("video URL {url:?} does not point at the gateway {scheme}://{authority}"));
        }
        abs.path_and_query().map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned())
    };
    match target.parse::<http::uri::PathAndQuery>() {
        Ok(_) => Ok(target),
        Err(_) => Err(format!("invalid video URL {url:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_urls_are_used_verbatim_on_the_gateway() {
        let u = video_target(
            "http://10.0.0.5:8080",
            "/HikGatewayStorage/pic?F14EEF8D4F9A900DF3048E0F920BB7E4Q00162958_CH02_20191009175543.mp4",
        )
        .unwrap();
        assert_eq!(u, "/HikGatewayStorage/pic?F14EEF8D4F9A900DF3048E0F920BB7E4Q00162958_CH02_20191009175543.mp4");
        let u = video_target("https://gw:8443/base", "https://GW:8443/HikGatewayStorage/a%20b?x=1&y").unwrap();
        assert_eq!(u, "/HikGatewayStorage/a%20b?x=1&y");
        assert!(video_target("http://gw", "http://evil.example/x.mp4").is_err());
        assert!(video_target("http://gw", "relative.mp4").is_err());
        assert!(video_target("http://gw", "/bad path").is_err());
    }

    #[test]
    fn builder_debug_hides_the_password() {
        let b = Client::builder().base_url("http://127.0.0.1").credentials("admin", "hunter2");
        let s = format!("{b:?}");
        assert!(s.contains("admin") && !s.contains("hunter2"), "{s}");
        let c = b.build().unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
