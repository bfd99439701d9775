//! [`Client`] and [`ClientBuilder`]: one device, its auth mode and its [`DeviceProfile`].
//!
//! ## Configuration
//! `Client::builder().base_url("http://192.168.1.78")`, the auth mode ([`AuthMode`]) and its
//! credentials, the device profile (request form, POST path, call log spelling), and the
//! settings every vendor client shares ([`ClientConfig`]: transport and timeouts, retry, rate
//! limiter, clock, user agent, per-device serialisation) with the same setters as on every
//! vendor builder. Akuvox defaults for a LAN device: connect timeout 3 s, attempt timeout 10 s,
//! one call at a time per device (the pipeline's per-device lock, keyed by the base URL).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use watchpost_core::auth::http::{HttpAuth, HttpAuthMode};
use watchpost_core::auth::{Auth, Credentials};
use watchpost_core::config::ClientConfig;
use watchpost_core::operation::{CallOptions, RawResponse, Request, ToRequest};
use watchpost_core::pipeline::Pipeline;
use watchpost_core::{Error, Result};

use crate::capabilities::Capabilities;
use crate::forms::{self, CallLogSpelling, DeviceProfile, PostPath, RequestForm};
use crate::profile::AkuvoxProfile;

/// The vendor name of the pipeline.
const VENDOR: &str = "akuvox";

/// The default connect timeout: a device on the LAN answers fast or not at all.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The default per-attempt timeout.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// The default largest file [`Client`] uploads (firmware and imports): 256 MiB. The seed
/// documents no limit for any upload (L621-636, L876-880, the imports), so this is the
/// client's own bound, far above an access-control firmware image; an upload is built in
/// memory, so the bound also caps the copy. Change it with [`ClientBuilder::max_upload_size`].
pub const DEFAULT_MAX_UPLOAD_SIZE: usize = 256 * 1024 * 1024;

/// How the client authenticates (the device's "Auth Mode", L276-317).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMode {
    /// No authentication ("only used by demo testing", L291): nothing is sent.
    None,
    /// The device's allow-list (IP01-IP05): access by source address, nothing is sent.
    AllowList,
    /// HTTP Basic, sent pre-emptively (over `http://` too: the caller's explicit choice).
    Basic,
    /// HTTP Digest (MD5, qop `auth` or `auth-int`, `opaque` echoed); never falls back to Basic.
    Digest,
    /// Digest or Basic as the device's challenge says (Basic only over `https://`). Default
    /// when credentials are set.
    #[default]
    Auto,
}

/// An Akuvox device client. Cheap to clone (an `Arc` inside); clones share the connection pool
/// and the per-device lock.
///
/// Every function of the spec is a method (`client.relay_trig(&RelayTrigRequest::new(1, 1))`),
/// sent in the form the [`DeviceProfile`] picks ([`forms`]); the reply's `data` decodes into the
/// method's type, and a negative reply is an error ([`crate::reply`]).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    options: CallOptions,
    /// Checked before every request ([`Client::with_capabilities`]).
    caps: Option<Arc<Capabilities>>,
}

struct Inner {
    pipeline: Pipeline,
    profile: DeviceProfile,
    device_key: String,
    max_upload: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.pipeline.base_url())
            .field("profile", &self.inner.profile)
            .field("options", &self.options)
            .field("capabilities", &self.caps)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`].
#[must_use]
pub struct ClientBuilder {
    base_url: Option<String>,
    credentials: Option<(String, SecretString)>,
    auth: Option<AuthMode>,
    profile: DeviceProfile,
    keep_alive: bool,
    max_upload: usize,
    config: ClientConfig,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .field("auth", &self.auth)
            .field("profile", &self.profile)
            .field("keep_alive", &self.keep_alive)
            .field("max_upload", &self.max_upload)
            .field("config", &self.config)
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            credentials: None,
            auth: None,
            profile: DeviceProfile::default(),
            keep_alive: true,
            max_upload: DEFAULT_MAX_UPLOAD_SIZE,
            config: ClientConfig::default()
                .connect_timeout(DEFAULT_CONNECT_TIMEOUT)
                .attempt_timeout(DEFAULT_ATTEMPT_TIMEOUT),
        }
    }
}

impl ClientBuilder {
    /// The device's base URL (`http://192.168.1.78`, `https://door.lan:8443`). Required.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The HTTP API user and password (device defaults `admin` / `httpapi`, L282-283), for
    /// Basic and Digest.
    pub fn credentials(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials = Some((username.into(), SecretString::from(password.into())));
        self
    }

    /// The auth mode. Default: [`AuthMode::Auto`] with credentials, [`AuthMode::None`] without.
    pub fn auth_mode(mut self, mode: AuthMode) -> Self {
        self.auth = Some(mode);
        self
    }

    /// The device profile (request form, POST path, call log spelling).
    pub fn profile(mut self, profile: DeviceProfile) -> Self {
        self.profile = profile;
        self
    }

    /// Forces a request form (see [`RequestForm`]).
    pub fn request_form(mut self, form: RequestForm) -> Self {
        self.profile.form = form;
        self
    }

    /// Where POSTs go (see [`PostPath`]).
    pub fn post_path(mut self, path: PostPath) -> Self {
        self.profile.post_path = path;
        self
    }

    /// How the call log target is spelt (see [`CallLogSpelling`]).
    pub fn calllog_spelling(mut self, spelling: CallLogSpelling) -> Self {
        self.profile.calllog = spelling;
        self
    }

    /// Whether connections are kept open between calls. Default `true`; `false` opens a
    /// connection per call (firmware that mishandles keep-alive).
    pub fn keep_alive(mut self, on: bool) -> Self {
        self.keep_alive = on;
        self
    }

    /// The largest file uploaded (firmware image, import file), in bytes. Default
    /// [`DEFAULT_MAX_UPLOAD_SIZE`]. A larger file is refused before anything is sent.
    pub fn max_upload_size(mut self, bytes: usize) -> Self {
        self.max_upload = bytes;
        self
    }

    watchpost_core::client_config_setters!(config);

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a missing base URL, or Basic/Digest without credentials;
    /// [`Error::Transport`] for an invalid TLS configuration.
    pub fn build(self) -> Result<Client> {
        let base_url = self.base_url.ok_or_else(|| {
            Error::invalid_input(VENDOR, "the device's base URL is required (ClientBuilder::base_url)")
        })?;
        let mode = self.auth.unwrap_or(if self.credentials.is_some() { AuthMode::Auto } else { AuthMode::None });
        let http_mode = match mode {
            AuthMode::None | AuthMode::AllowList => None,
            AuthMode::Basic => Some(HttpAuthMode::Basic),
            AuthMode::Digest => Some(HttpAuthMode::Digest),
            AuthMode::Auto => Some(HttpAuthMode::Auto),
        };
        let auth = match (http_mode, self.credentials) {
            (None, _) => Auth::None,
            (Some(m), Some((user, password))) => {
                Auth::Http(HttpAuth::new(Credentials::new(user, password.expose_secret())).mode(m))
            }
            (Some(_), None) => {
                return Err(Error::invalid_input(VENDOR, format!("auth mode {mode:?} needs credentials")));
            }
        };
        let mut config = self.config;
        if !self.keep_alive {
            let mut transport = config.transport_config();
            transport.pool_max_idle_per_host = 0;
            config = config.transport(transport);
        }
        let pipeline = Pipeline::builder(VENDOR, base_url.clone())
            .serialize_per_device(true)
            .profile(AkuvoxProfile)
            .auth(auth)
            .config(&config)
            .build()?;
        Ok(Client {
            inner: Arc::new(Inner {
                pipeline,
                profile: self.profile,
                device_key: base_url,
                max_upload: self.max_upload,
            }),
            options: CallOptions::default(),
            caps: None,
        })
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    watchpost_core::client_customize!(options);

    /// The device's base URL.
    pub fn base_url(&self) -> &str {
        self.inner.pipeline.base_url()
    }

    /// The device profile in use.
    pub fn device_profile(&self) -> &DeviceProfile {
        &self.inner.profile
    }

    /// The largest file the client uploads, in bytes ([`ClientBuilder::max_upload_size`]).
    pub fn max_upload_size(&self) -> usize {
        self.inner.max_upload
    }

    /// A client (sharing this one's connections and device turn) that checks `caps` before
    /// every request: a function they deny fails with [`Error::Unsupported`] naming the model,
    /// the firmware and the rule, and nothing is sent ([`crate::capabilities`]).
    #[must_use]
    pub fn with_capabilities(&self, caps: Capabilities) -> Client {
        Client { caps: Some(Arc::new(caps)), ..self.clone() }
    }

    /// The same client without a capability check.
    #[must_use]
    pub fn without_capabilities(&self) -> Client {
        Client { caps: None, ..self.clone() }
    }

    /// The capabilities checked before every request, if any.
    pub fn capabilities(&self) -> Option<&Capabilities> {
        self.caps.as_deref()
    }

    /// Fails `op` when the client's capabilities deny it.
    pub(crate) fn check_capability(&self, op: &watchpost_core::Operation) -> Result<()> {
        self.caps.as_ref().map_or(Ok(()), |c| c.require(op))
    }

    /// The key of the device's turn (per-device serialisation): its base URL.
    pub(crate) fn device_key(&self) -> &str {
        &self.inner.device_key
    }

    /// The pipeline (auth, transport, retry) the client sends through.
    pub fn pipeline(&self) -> &Pipeline {
        &self.inner.pipeline
    }

    /// Calls a typed request and decodes the reply's `data` (what every generated method does).
    pub(crate) async fn call<R: ToRequest + ?Sized, T: DeserializeOwned>(&self, req: &R) -> Result<T> {
        let raw = self.execute(req.to_request()?).await?;
        crate::reply::data(&raw)
    }

    /// Sends one spec request in the form the device profile picks (see [`forms::shape`]),
    /// serialised with the device's other calls, and returns the raw response once it passed
    /// classification (a negative reply is an error). For downloads and unusual replies.
    ///
    /// # Errors
    /// [`Error::Unsupported`] when the profile forces a form the function does not allow, or
    /// the client's [capabilities](Self::with_capabilities) deny it (nothing is sent);
    /// otherwise the classified error of the call.
    pub async fn execute(&self, request: Request) -> Result<RawResponse> {
        self.check_capability(request.op)?;
        let request = forms::shape(request.options(&self.options), &self.inner.profile)?
            .device_key(Some(self.inner.device_key.clone()));
        self.inner.pipeline.execute(request).await
    }
}
