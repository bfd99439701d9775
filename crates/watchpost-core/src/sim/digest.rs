//! Server-side HTTP Digest authentication (RFC 2617 and RFC 7616) as devices do it: nonces that
//! go stale, `nc` replay protection, `auth-int` body hashing, and an account lock-out after
//! repeated wrong passwords (Hikvision: 30 minutes).
//!
//! [`DigestServer::check`] verifies the `Authorization` header of a [`SimRequest`] by computing
//! the expected response itself ([`DigestInput::response`]) and returns a [`DigestOutcome`]; a
//! vendor simulator turns a refusal into its own 401 document with [`challenge_response`] or
//! [`DigestOutcome::into_response`].

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::header::WWW_AUTHENTICATE;
use secrecy::{ExposeSecret, SecretString};
use sha2::Digest as _;
use tokio::time::Instant;

use super::http_auth::Lockout;
use super::lock;
use super::request::SimRequest;
use super::response::SimResponse;

/// The hash algorithm of a Digest challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DigestAlgorithm {
    /// `MD5` (RFC 2617). Default.
    #[default]
    Md5,
    /// `MD5-sess`: HA1 also covers the nonce and cnonce.
    Md5Sess,
    /// `SHA-256` (RFC 7616).
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
}

impl DigestAlgorithm {
    /// The name on the wire (`MD5`, `MD5-sess`, `SHA-256`, `SHA-256-sess`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
        }
    }

    fn is_sess(self) -> bool {
        matches!(self, Self::Md5Sess | Self::Sha256Sess)
    }

    /// Lowercase hex of the hash of `data`.
    fn hash(self, data: &[u8]) -> String {
        match self {
            Self::Md5 | Self::Md5Sess => hex::encode(md5::Md5::digest(data)),
            Self::Sha256 | Self::Sha256Sess => hex::encode(sha2::Sha256::digest(data)),
        }
    }
}

/// A quality of protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qop {
    /// `auth`: the method and URI are protected.
    Auth,
    /// `auth-int`: the body is protected too.
    AuthInt,
}

impl Qop {
    /// The name on the wire (`auth`, `auth-int`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::AuthInt => "auth-int",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            t if t.eq_ignore_ascii_case("auth") => Some(Self::Auth),
            t if t.eq_ignore_ascii_case("auth-int") => Some(Self::AuthInt),
            _ => None,
        }
    }
}

/// Everything that goes into a Digest `response` value.
#[derive(Clone, Copy)]
pub struct DigestInput<'a> {
    /// The algorithm.
    pub algorithm: DigestAlgorithm,
    /// The user name.
    pub username: &'a str,
    /// The realm.
    pub realm: &'a str,
    /// The password.
    pub password: &'a str,
    /// The request method (`GET`).
    pub method: &'a str,
    /// The `uri` directive as sent.
    pub uri: &'a str,
    /// The server nonce.
    pub nonce: &'a str,
    /// The quality of protection; `None` for RFC 2069 compatibility (no nc or cnonce).
    pub qop: Option<Qop>,
    /// The `nc` directive as sent (8 hex digits); unused without qop.
    pub nc: &'a str,
    /// The client nonce; unused without qop and `-sess`.
    pub cnonce: &'a str,
    /// The request body (hashed for `auth-int`).
    pub body: &'a [u8],
}

impl fmt::Debug for DigestInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestInput")
            .field("algorithm", &self.algorithm)
            .field("username", &self.username)
            .field("realm", &self.realm)
            .field("password", &"<redacted>")
            .field("uri", &self.uri)
            .field("qop", &self.qop)
            .finish_non_exhaustive()
    }
}

impl DigestInput<'_> {
    /// The expected `response` directive (lowercase hex): `H(HA1:nonce:nc:cnonce:qop:HA2)`, or
    /// `H(HA1:nonce:HA2)` without qop, where `HA1 = H(user:realm:password)` (for `-sess`,
    /// `H(that:nonce:cnonce)`) and `HA2 = H(method:uri)` (for `auth-int`, `H(method:uri:H(body))`).
    pub fn response(&self) -> String {
        let alg = self.algorithm;
        let mut ha1 = alg.hash(format!("{}:{}:{}", self.username, self.realm, self.password).as_bytes());
        if alg.is_sess() {
            ha1 = alg.hash(format!("{ha1}:{}:{}", self.nonce, self.cnonce).as_bytes());
        }
        let ha2 = match self.qop {
            Some(Qop::AuthInt) => alg.hash(format!("{}:{}:{}", self.method, self.uri, alg.hash(self.body)).as_bytes()),
            _ => alg.hash(format!("{}:{}", self.method, self.uri).as_bytes()),
        };
        match self.qop {
            Some(qop) => {
                alg.hash(format!("{ha1}:{}:{}:{}:{}:{ha2}", self.nonce, self.nc, self.cnonce, qop.as_str()).as_bytes())
            }
            None => alg.hash(format!("{ha1}:{}:{ha2}", self.nonce).as_bytes()),
        }
    }
}

/// The settings of a [`DigestServer`]: plain data with consuming setters.
#[derive(Clone)]
pub struct DigestConfig {
    realm: String,
    algorithm: DigestAlgorithm,
    qop: Vec<Qop>,
    nonce_ttl: Duration,
    opaque: bool,
    max_failures: u32,
    lock_duration: Duration,
    nc_window: u32,
    users: HashMap<String, SecretString>,
    seed: Option<u64>,
}

impl fmt::Debug for DigestConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut users: Vec<&str> = self.users.keys().map(String::as_str).collect();
        users.sort_unstable();
        f.debug_struct("DigestConfig")
            .field("realm", &self.realm)
            .field("algorithm", &self.algorithm)
            .field("qop", &self.qop)
            .field("nonce_ttl", &self.nonce_ttl)
            .field("opaque", &self.opaque)
            .field("max_failures", &self.max_failures)
            .field("lock_duration", &self.lock_duration)
            .field("nc_window", &self.nc_window)
            .field("users", &users)
            .finish()
    }
}

impl DigestConfig {
    /// A configuration for `realm` with no users and the defaults below.
    pub fn new(realm: impl Into<String>) -> Self {
        DigestConfig {
            realm: realm.into(),
            algorithm: DigestAlgorithm::Md5,
            qop: vec![Qop::Auth],
            nonce_ttl: Duration::from_secs(60),
            opaque: false,
            max_failures: 5,
            // Hikvision: an account is locked for 30 minutes after too many failed logins.
            lock_duration: Duration::from_secs(30 * 60),
            nc_window: 64,
            seed: None,
            users: HashMap::new(),
        }
    }

    /// How far below the highest `nc` seen for a nonce a request may arrive (out of order) and
    /// still be accepted; 1 means every `nc` must exceed the highest seen, as strict firmware
    /// checks it. Clamped to 1..=64. Default is 64.
    #[must_use]
    pub fn nc_window(mut self, window: u32) -> Self {
        self.nc_window = window.clamp(1, 64);
        self
    }

    /// The hash algorithm offered. Default is MD5.
    #[must_use]
    pub fn algorithm(mut self, algorithm: DigestAlgorithm) -> Self {
        self.algorithm = algorithm;
        self
    }

    /// The qualities of protection offered; empty means none (RFC 2069 compatibility, no `nc`).
    /// Default is `auth`.
    #[must_use]
    pub fn qop(mut self, qop: impl IntoIterator<Item = Qop>) -> Self {
        self.qop = qop.into_iter().collect();
        self
    }

    /// How long a nonce stays fresh; an older one gets a `stale=TRUE` challenge. Default is 60 s.
    #[must_use]
    pub fn nonce_ttl(mut self, ttl: Duration) -> Self {
        self.nonce_ttl = ttl;
        self
    }

    /// Whether challenges carry an `opaque` value the client must echo. Default is off
    /// (Hikvision devices send none).
    #[must_use]
    pub fn opaque(mut self, opaque: bool) -> Self {
        self.opaque = opaque;
        self
    }

    /// Wrong passwords in a row that lock an account; 0 disables the lock-out. Default is 5.
    #[must_use]
    pub fn max_failures(mut self, max_failures: u32) -> Self {
        self.max_failures = max_failures;
        self
    }

    /// How long a locked account stays locked. Default is 30 minutes.
    #[must_use]
    pub fn lock_duration(mut self, lock_duration: Duration) -> Self {
        self.lock_duration = lock_duration;
        self
    }

    /// Draws nonces and the opaque value from a generator seeded with `seed`, so a run can be
    /// repeated. Default: a random seed.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Adds (or replaces) a user.
    #[must_use]
    pub fn user(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.users.insert(username.into(), SecretString::from(password.into()));
        self
    }
}

/// What [`DigestServer::check`] decided about a request.
#[derive(Clone, PartialEq, Eq)]
pub enum DigestOutcome {
    /// The credentials are right and fresh.
    Authorized {
        /// The authorized user.
        user: String,
    },
    /// No usable credentials (no or foreign `Authorization`, malformed, wrong realm, algorithm,
    /// opaque, qop or uri, replayed `nc`), or a correct response for a stale nonce (`stale`).
    /// Not counted as a failure.
    Challenge {
        /// The `WWW-Authenticate` value with a fresh nonce.
        www_authenticate: String,
        /// Whether the nonce was stale while the response was otherwise correct.
        stale: bool,
    },
    /// A wrong password (or unknown user): counted towards the lock-out.
    Rejected {
        /// The user name presented.
        user: String,
        /// Failures left before the account locks (0: it is now locked; `u32::MAX` when the
        /// lock-out is disabled).
        retries_left: u32,
        /// The `WWW-Authenticate` value with a fresh nonce.
        www_authenticate: String,
    },
    /// The account is locked, whatever the password.
    Locked {
        /// The locked user.
        user: String,
        /// Time until it unlocks.
        unlock_in: Duration,
        /// The `WWW-Authenticate` value with a fresh nonce.
        www_authenticate: String,
    },
}

impl fmt::Debug for DigestOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Authorized { user } => f.debug_struct("Authorized").field("user", user).finish(),
            Self::Challenge { stale, .. } => f.debug_struct("Challenge").field("stale", stale).finish_non_exhaustive(),
            Self::Rejected { user, retries_left, .. } => f
                .debug_struct("Rejected")
                .field("user", user)
                .field("retries_left", retries_left)
                .finish_non_exhaustive(),
            Self::Locked { user, unlock_in, .. } => {
                f.debug_struct("Locked").field("user", user).field("unlock_in", unlock_in).finish_non_exhaustive()
            }
        }
    }
}

impl DigestOutcome {
    /// Whether the request is authorized.
    pub fn is_authorized(&self) -> bool {
        matches!(self, Self::Authorized { .. })
    }

    /// The challenge to send, unless authorized.
    pub fn www_authenticate(&self) -> Option<&str> {
        match self {
            Self::Authorized { .. } => None,
            Self::Challenge { www_authenticate, .. }
            | Self::Rejected { www_authenticate, .. }
            | Self::Locked { www_authenticate, .. } => Some(www_authenticate),
        }
    }

    /// `None` when authorized; otherwise `body` (the vendor's failure document) as a 401 with
    /// the challenge (see [`challenge_response`]).
    pub fn into_response(self, body: SimResponse) -> Option<SimResponse> {
        self.www_authenticate().map(|challenge| challenge_response(challenge, body))
    }
}

/// Makes `body` a `401 Unauthorized` carrying `WWW-Authenticate: <www_authenticate>`.
pub fn challenge_response(www_authenticate: &str, body: SimResponse) -> SimResponse {
    body.with_status(401).header(WWW_AUTHENTICATE, www_authenticate)
}

/// A Digest verifier with nonces, replay protection and lock-out (clone freely: clones share
/// state). All time is tokio time, so nonce expiry and lock-out follow a paused clock.
#[derive(Clone)]
pub struct DigestServer {
    inner: Arc<Inner>,
}

struct Inner {
    config: DigestConfig,
    lockout: Lockout,
    opaque: String,
    rng: Mutex<fastrand::Rng>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    passwords: HashMap<String, SecretString>,
    nonces: HashMap<String, NonceState>,
    challenges: u64,
    stale: u64,
    failures: u64,
    authorized: u64,
    /// Requests that carried any `Authorization` header.
    authorization_headers: u64,
    /// Correct answers refused because of their `nc` (replayed, out of the window, or forced).
    nc_refusals: u64,
    /// Fault control: refuse this many more correct answers as replayed nonce counts.
    refuse_nc: u32,
}

/// Nonces kept at most; beyond it, expired then oldest nonces are forgotten. Large enough that
/// 10,000 concurrent clients, each answering a nonce of its own, never see theirs forgotten
/// (a forgotten nonce is answered `stale=true`); about 100 bytes a nonce.
const MAX_NONCES: usize = 65_536;

struct NonceState {
    issued: Instant,
    /// The highest `nc` seen.
    max_nc: u32,
    /// Bit `i` set: `max_nc - i` was seen (a 64-wide window, so concurrent requests may arrive
    /// out of order without being taken for replays).
    seen: u64,
}

impl NonceState {
    /// Records `nc`; false if it was seen already, is zero, or is `window` or more below the
    /// highest seen.
    fn accept(&mut self, nc: u32, window: u32) -> bool {
        if nc == 0 {
            return false;
        }
        if nc > self.max_nc {
            let shift = nc - self.max_nc;
            self.seen = if shift >= 64 { 0 } else { self.seen << shift };
            self.seen |= 1;
            self.max_nc = nc;
            return true;
        }
        let back = self.max_nc - nc;
        if back >= window.min(64) {
            return false;
        }
        let bit = 1u64 << back;
        let fresh = self.seen & bit == 0;
        self.seen |= bit;
        fresh
    }
}

/// The parsed directives of an `Authorization: Digest` header.
struct Credentials {
    username: String,
    realm: String,
    nonce: String,
    uri: String,
    response: String,
    algorithm: Option<String>,
    qop: Option<String>,
    nc: Option<String>,
    cnonce: Option<String>,
    opaque: Option<String>,
    userhash: bool,
}

impl Credentials {
    fn parse(header: &str) -> Option<Self> {
        let (scheme, mut p) = parse_auth_header(header)?;
        if !scheme.eq_ignore_ascii_case("digest") {
            return None;
        }
        Some(Credentials {
            username: p.remove("username")?,
            realm: p.remove("realm")?,
            nonce: p.remove("nonce")?,
            uri: p.remove("uri")?,
            response: p.remove("response")?,
            algorithm: p.remove("algorithm"),
            qop: p.remove("qop"),
            nc: p.remove("nc"),
            cnonce: p.remove("cnonce"),
            opaque: p.remove("opaque"),
            userhash: p.remove("userhash").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        })
    }
}

/// Splits `Scheme k=v, k="quoted \" v"` into the scheme and its parameters (lowercase names).
fn parse_auth_header(header: &str) -> Option<(&str, HashMap<String, String>)> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(|c: char| c.is_ascii_whitespace()).unwrap_or((header, ""));
    let bytes = rest.as_bytes();
    let is_sep = |b: &u8| *b == b',' || b.is_ascii_whitespace();
    let mut params = HashMap::new();
    let mut i = 0;
    loop {
        while bytes.get(i).is_some_and(is_sep) {
            i += 1;
        }
        if i >= bytes.len() {
            return Some((scheme, params));
        }
        let start = i;
        while bytes.get(i).is_some_and(|b| *b != b'=' && !is_sep(b)) {
            i += 1;
        }
        let name = rest.get(start..i)?.to_ascii_lowercase();
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            return None;
        }
        i += 1;
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let value = if bytes.get(i) == Some(&b'"') {
            i += 1;
            let mut value = Vec::new();
            loop {
                match bytes.get(i) {
                    None => return None,
                    Some(b'"') => break,
                    Some(b'\\') => {
                        value.push(*bytes.get(i + 1)?);
                        i += 2;
                    }
                    Some(&b) => {
                        value.push(b);
                        i += 1;
                    }
                }
            }
            i += 1;
            String::from_utf8(value).ok()?
        } else {
            let start = i;
            while bytes.get(i).is_some_and(|b| *b != b',') {
                i += 1;
            }
            rest.get(start..i)?.trim().to_owned()
        };
        params.insert(name, value);
    }
}

/// Quotes a value for a `WWW-Authenticate` parameter.
fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

impl fmt::Debug for DigestServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestServer")
            .field("config", &self.inner.config)
            .field("challenges_sent", &self.challenges_sent())
            .field("failures", &self.failures())
            .field("authorized", &self.authorized())
            .finish()
    }
}

impl DigestServer {
    /// A verifier for `config`.
    pub fn new(config: DigestConfig) -> Self {
        Self::with_opaque(config, None)
    }

    /// A verifier whose `opaque` value is `opaque` (drawn from the generator when `None`).
    fn with_opaque(config: DigestConfig, opaque: Option<&str>) -> Self {
        let state = State { passwords: config.users.clone(), ..State::default() };
        let mut rng = config.seed.map_or_else(fastrand::Rng::new, fastrand::Rng::with_seed);
        let opaque = opaque.map_or_else(|| format!("{:032x}", rng.u128(..)), str::to_owned);
        let lockout = Lockout::new(config.max_failures, config.lock_duration);
        let inner = Inner { config, lockout, opaque, rng: Mutex::new(rng), state: Mutex::new(state) };
        DigestServer { inner: Arc::new(inner) }
    }

    /// The realm.
    pub fn realm(&self) -> &str {
        &self.inner.config.realm
    }

    /// Checks the `Authorization` header of `req` (method, uri, and body for `auth-int`).
    ///
    /// The `uri` directive must be the request's path with its query, or the path alone. With a
    /// qop, each `nc` of a nonce is accepted once (out-of-order within a window of 64). RFC 7616
    /// `userhash=true` is not supported: such a request counts as an unknown user.
    pub fn check(&self, req: &SimRequest) -> DigestOutcome {
        let config = &self.inner.config;
        let mut state = lock(&self.inner.state);
        let now = Instant::now();
        if req.header("authorization").is_some() {
            state.authorization_headers += 1;
        }
        let Some(creds) = req.header("authorization").and_then(Credentials::parse) else {
            return self.challenge(&mut state, now, false);
        };
        let user = creds.username.clone();

        if let Some(unlock_in) = self.inner.lockout.locked_for(&user, now) {
            let www_authenticate = self.fresh_challenge(&mut state, now, false);
            return DigestOutcome::Locked { user, unlock_in, www_authenticate };
        }

        let Some(qop) = self.acceptable(&creds, req) else {
            return self.challenge(&mut state, now, false);
        };

        let password = if creds.userhash { None } else { state.passwords.get(&user) };
        let expected = password.map(|password| {
            DigestInput {
                algorithm: config.algorithm,
                username: &creds.username,
                realm: &creds.realm,
                password: password.expose_secret(),
                method: req.method.as_str(),
                uri: &creds.uri,
                nonce: &creds.nonce,
                qop,
                nc: creds.nc.as_deref().unwrap_or_default(),
                cnonce: creds.cnonce.as_deref().unwrap_or_default(),
                body: &req.body,
            }
            .response()
        });
        if !expected.is_some_and(|e| e.eq_ignore_ascii_case(&creds.response)) {
            return self.reject(&mut state, now, user);
        }

        let ttl = config.nonce_ttl;
        let fresh = state.nonces.get(&creds.nonce).is_some_and(|n| now.saturating_duration_since(n.issued) < ttl);
        if !fresh {
            state.nonces.remove(&creds.nonce);
            return self.challenge(&mut state, now, true);
        }
        // A replayed or out-of-window nc (or one the fault control refuses) gets a 401 with a
        // fresh nonce and *no* `stale=true` (RFC 7616 leaves it open; firmware is not known to
        // mark it stale, and the client copes with both): by the header alone it looks like a
        // wrong password, and only the client's memory of proven credentials tells it apart.
        // It is not counted as a failed login.
        let forced = state.refuse_nc > 0;
        let nonce_ok = match (qop.is_some(), state.nonces.get_mut(&creds.nonce)) {
            (true, Some(nonce)) => {
                let nc = creds.nc.as_deref().and_then(|nc| u32::from_str_radix(nc, 16).ok()).unwrap_or(0);
                nonce.accept(nc, config.nc_window)
            }
            _ => true,
        };
        if forced || !nonce_ok {
            state.refuse_nc = state.refuse_nc.saturating_sub(u32::from(forced));
            state.nc_refusals += 1;
            return self.challenge(&mut state, now, false);
        }
        self.inner.lockout.succeed(&user);
        state.authorized += 1;
        DigestOutcome::Authorized { user }
    }

    /// Whether the directives fit what was offered; returns the qop used.
    #[allow(clippy::option_option)]
    fn acceptable(&self, creds: &Credentials, req: &SimRequest) -> Option<Option<Qop>> {
        let config = &self.inner.config;
        let algorithm = creds.algorithm.as_deref().unwrap_or("MD5");
        let opaque_ok = !config.opaque || creds.opaque.as_deref() == Some(self.inner.opaque.as_str());
        let uri_ok = creds.uri == req.path_and_query() || creds.uri == req.path;
        if creds.realm != config.realm
            || !algorithm.eq_ignore_ascii_case(config.algorithm.as_str())
            || !opaque_ok
            || !uri_ok
        {
            return None;
        }
        match creds.qop.as_deref() {
            None if config.qop.is_empty() => Some(None),
            None => None,
            Some(text) => {
                let qop = Qop::parse(text).filter(|q| config.qop.contains(q))?;
                (creds.nc.is_some() && creds.cnonce.is_some()).then_some(Some(qop))
            }
        }
    }

    fn reject(&self, state: &mut State, now: Instant, user: String) -> DigestOutcome {
        state.failures += 1;
        let retries_left = self.inner.lockout.fail(&user, now);
        let www_authenticate = self.fresh_challenge(state, now, false);
        DigestOutcome::Rejected { user, retries_left, www_authenticate }
    }

    fn challenge(&self, state: &mut State, now: Instant, stale: bool) -> DigestOutcome {
        let www_authenticate = self.fresh_challenge(state, now, stale);
        DigestOutcome::Challenge { www_authenticate, stale }
    }

    /// Issues a nonce and builds the `WWW-Authenticate` value around it.
    fn fresh_challenge(&self, state: &mut State, now: Instant, stale: bool) -> String {
        let config = &self.inner.config;
        if state.nonces.len() >= MAX_NONCES {
            let ttl = config.nonce_ttl;
            state.nonces.retain(|_, n| now.saturating_duration_since(n.issued) < ttl);
            while state.nonces.len() >= MAX_NONCES {
                let oldest = state.nonces.iter().min_by_key(|(_, n)| n.issued).map(|(k, _)| k.clone());
                match oldest {
                    Some(key) => state.nonces.remove(&key),
                    None => break,
                };
            }
        }
        let nonce = format!("{:032x}", lock(&self.inner.rng).u128(..));
        state.nonces.insert(nonce.clone(), NonceState { issued: now, max_nc: 0, seen: 0 });
        state.challenges += 1;
        if stale {
            state.stale += 1;
        }
        let mut header = format!("Digest realm={}", quote(&config.realm));
        if !config.qop.is_empty() {
            let qop: Vec<&str> = config.qop.iter().map(|q| q.as_str()).collect();
            header.push_str(&format!(", qop=\"{}\"", qop.join(", ")));
        }
        header.push_str(&format!(", nonce=\"{nonce}\""));
        if config.opaque {
            header.push_str(&format!(", opaque=\"{}\"", self.inner.opaque));
        }
        header.push_str(&format!(", algorithm={}", config.algorithm.as_str()));
        if stale {
            header.push_str(", stale=TRUE");
        }
        header
    }

    /// Changes (or adds) a user's password behind the client's back.
    pub fn set_password(&self, username: &str, password: &str) {
        lock(&self.inner.state).passwords.insert(username.to_owned(), SecretString::from(password.to_owned()));
    }

    /// Makes every nonce issued so far stale (test control).
    pub fn expire_nonces(&self) {
        lock(&self.inner.state).nonces.clear();
    }

    /// Refuses the next `n` correct answers as if their `nc` were replayed: a 401 with a fresh
    /// nonce, not stale, not a failed login (test control: a nonce count out of the window
    /// because other requests advanced it).
    pub fn refuse_nonce_counts(&self, n: u32) {
        lock(&self.inner.state).refuse_nc = n;
    }

    /// Correct answers refused because of their `nc` (replayed, out of the window, or forced
    /// by [`refuse_nonce_counts`](Self::refuse_nonce_counts)).
    pub fn nc_refusals(&self) -> u64 {
        lock(&self.inner.state).nc_refusals
    }

    /// Requests that carried an `Authorization` header (of any scheme, right or wrong).
    pub fn authorization_headers(&self) -> u64 {
        lock(&self.inner.state).authorization_headers
    }

    /// Unlocks every account and forgets their failures (test control).
    pub fn unlock_all(&self) {
        self.inner.lockout.unlock_all();
    }

    /// The account lock-out (shared with a Basic verifier made by
    /// [`BasicServer::from_digest`](super::BasicServer::from_digest)).
    pub fn lockout(&self) -> &Lockout {
        &self.inner.lockout
    }

    /// A `WWW-Authenticate` value with a fresh nonce, without a request to check (for a
    /// refusal by another scheme).
    pub fn new_challenge(&self) -> String {
        self.fresh_challenge(&mut lock(&self.inner.state), Instant::now(), false)
    }

    /// Whether `password` is the current password of `username` (for a Basic verifier sharing
    /// these users).
    pub(crate) fn password_matches(&self, username: &str, password: &str) -> bool {
        lock(&self.inner.state).passwords.get(username).is_some_and(|p| p.expose_secret() == password)
    }

    /// `WWW-Authenticate` values issued (challenges, rejections and lock-out answers).
    pub fn challenges_sent(&self) -> u64 {
        lock(&self.inner.state).challenges
    }

    /// Challenges sent with `stale=TRUE`.
    pub fn stale_challenges(&self) -> u64 {
        lock(&self.inner.state).stale
    }

    /// Wrong passwords (and unknown users) seen.
    pub fn failures(&self) -> u64 {
        lock(&self.inner.state).failures
    }

    /// Requests authorized.
    pub fn authorized(&self) -> u64 {
        lock(&self.inner.state).authorized
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    fn rfc2617(algorithm: DigestAlgorithm) -> DigestInput<'static> {
        DigestInput {
            algorithm,
            username: "Mufasa",
            realm: "testrealm@host.com",
            password: "Circle Of Life",
            method: "GET",
            uri: "/dir/index.html",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            qop: Some(Qop::Auth),
            nc: "00000001",
            cnonce: "0a4f113b",
            body: b"",
        }
    }

    #[test]
    fn rfc2617_example() {
        // RFC 2617 section 3.5 (its password is "Circle Of Life"; the errata confirms this value).
        assert_eq!(rfc2617(DigestAlgorithm::Md5).response(), "6629fae49393a05397450978507c4ef1");
    }

    /// A verifier that issued `nonce` just now, as the server of an RFC example did.
    fn rfc_server(config: DigestConfig, nonce: &str, opaque: &str) -> DigestServer {
        let server = DigestServer::with_opaque(config, Some(opaque));
        let issued = NonceState { issued: Instant::now(), max_nc: 0, seen: 0 };
        lock(&server.inner.state).nonces.insert(nonce.to_owned(), issued);
        server
    }

    /// The `Authorization` headers of the RFC examples, verbatim but for line breaks, are
    /// accepted; one wrong digit of `response` is a wrong password; a wrong `opaque` is refused.
    #[tokio::test(start_paused = true)]
    async fn the_rfc_example_requests_are_verified() {
        let rfc2617 = r#"Digest username="Mufasa", realm="testrealm@host.com",
            nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001,
            cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1",
            opaque="5ccc069c403ebaf9f0171e9517f40e41""#;
        let rfc7616 = |algorithm: &str, response: &str| {
            format!(
                r#"Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html",
                algorithm={algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001,
                cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="{response}",
                opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#
            )
        };
        let sha = "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1";
        let cases = [
            ("testrealm@host.com", "Circle Of Life", DigestAlgorithm::Md5, rfc2617.to_owned()),
            (
                "http-auth@example.org",
                "Circle of Life",
                DigestAlgorithm::Md5,
                rfc7616("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
            ),
            ("http-auth@example.org", "Circle of Life", DigestAlgorithm::Sha256, rfc7616("SHA-256", sha)),
        ];
        let req = SimRequest::new(Method::GET, "/dir/index.html");
        for (realm, password, algorithm, header) in cases {
            let header = header.split_whitespace().collect::<Vec<_>>().join(" ");
            let (nonce, opaque) = (directive(&header, "nonce"), directive(&header, "opaque"));
            let config = DigestConfig::new(realm).user("Mufasa", password).algorithm(algorithm).opaque(true);
            let server = rfc_server(config.clone(), &nonce, &opaque);
            let outcome = server.check(&req.clone().with_header("Authorization", &header));
            assert_eq!(outcome, DigestOutcome::Authorized { user: "Mufasa".into() }, "{header}");
            let response = directive(&header, "response");
            let last = if response.ends_with('0') { "1" } else { "0" };
            let wrong = header.replace(&response, &format!("{}{last}", &response[..response.len() - 1]));
            let server = rfc_server(config.clone(), &nonce, &opaque);
            let outcome = server.check(&req.clone().with_header("Authorization", &wrong));
            assert!(matches!(outcome, DigestOutcome::Rejected { retries_left: 4, .. }), "{outcome:?}");
            let server = rfc_server(config, &nonce, "another-opaque");
            let outcome = server.check(&req.clone().with_header("Authorization", &header));
            assert!(matches!(outcome, DigestOutcome::Challenge { stale: false, .. }), "{outcome:?}");
            assert_eq!(server.failures(), 0, "a wrong opaque is not a wrong password");
        }
    }

    fn directive(header: &str, name: &str) -> String {
        parse_auth_header(header).and_then(|(_, mut p)| p.remove(name)).unwrap_or_default()
    }

    #[test]
    fn rfc7616_examples() {
        let input = DigestInput {
            algorithm: DigestAlgorithm::Md5,
            username: "Mufasa",
            realm: "http-auth@example.org",
            password: "Circle of Life",
            method: "GET",
            uri: "/dir/index.html",
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            qop: Some(Qop::Auth),
            nc: "00000001",
            cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
            body: b"",
        };
        assert_eq!(input.response(), "8ca523f5e9506fed4657c9700eebdbec");
        let sha = DigestInput { algorithm: DigestAlgorithm::Sha256, ..input };
        assert_eq!(sha.response(), "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    }

    /// Cross-checks the variants digest_auth also implements (sess, auth-int, no qop).
    #[test]
    fn agrees_with_digest_auth_for_every_variant() {
        use digest_auth::{AuthContext, HttpMethod};
        let cases = [
            ("MD5-sess", DigestAlgorithm::Md5Sess, "auth-int"),
            ("SHA-256-sess", DigestAlgorithm::Sha256Sess, "auth"),
            ("SHA-256", DigestAlgorithm::Sha256, "auth-int"),
        ];
        for (name, algorithm, qop) in cases {
            let prompt = format!(r#"Digest realm="r", qop="{qop}", nonce="n1", algorithm={name}"#);
            let mut prompt = digest_auth::parse(&prompt).unwrap();
            let body = b"<x/>".to_vec();
            let mut ctx = AuthContext::new_with_method("u", "p", "/a?b=1", Some(body.clone()), HttpMethod::PUT);
            ctx.set_custom_cnonce("c1");
            let answer = prompt.respond(&ctx).unwrap();
            let mine = DigestInput {
                algorithm,
                username: "u",
                realm: "r",
                password: "p",
                method: "PUT",
                uri: "/a?b=1",
                nonce: "n1",
                qop: Qop::parse(qop),
                nc: "00000001",
                cnonce: "c1",
                body: &body,
            };
            assert_eq!(mine.response(), answer.response, "{name} {qop}");
        }
        let mut legacy = digest_auth::parse(r#"Digest realm="r", nonce="n1""#).unwrap();
        let answer = legacy.respond(&AuthContext::new("u", "p", "/x")).unwrap();
        let mine = DigestInput {
            qop: None,
            realm: "r",
            nonce: "n1",
            username: "u",
            password: "p",
            uri: "/x",
            ..rfc2617(DigestAlgorithm::Md5)
        };
        assert_eq!(mine.response(), answer.response);
    }

    #[test]
    fn header_parser_handles_quotes_escapes_and_garbage() {
        let (scheme, p) = parse_auth_header(r#"Digest username="a\"b, c", qop=auth, nc=00000001 ,x = "y""#).unwrap();
        assert_eq!(scheme, "Digest");
        assert_eq!(p["username"], "a\"b, c");
        assert_eq!(p["qop"], "auth");
        assert_eq!(p["nc"], "00000001");
        assert_eq!(p["x"], "y");
        assert!(parse_auth_header(r#"Digest username="open"#).is_none());
        assert!(parse_auth_header("Digest novalue").is_none());
        assert!(parse_auth_header("Digest a=\"\\").is_none());
        assert!(parse_auth_header("Digest é=\"ü\"").is_some());
        assert_eq!(quote(r#"a"b\c"#), r#""a\"b\\c""#);
    }

    #[test]
    fn nc_window_allows_reordering_but_not_replays() {
        let mut n = NonceState { issued: Instant::now(), max_nc: 0, seen: 0 };
        assert!(!n.accept(0, 64));
        assert!(n.accept(1, 64));
        assert!(n.accept(3, 64));
        assert!(n.accept(2, 64), "out of order is fine");
        assert!(!n.accept(2, 64), "replay");
        assert!(n.accept(100, 64));
        assert!(!n.accept(30, 64), "too old for the window");
        assert!(n.accept(40, 64));
        let mut strict = NonceState { issued: Instant::now(), max_nc: 0, seen: 0 };
        assert!(strict.accept(2, 1));
        assert!(!strict.accept(1, 1), "a window of 1: every nc must exceed the highest seen");
        assert!(strict.accept(3, 1));
    }

    fn answer(server: &DigestServer, www: &str, user: &str, pw: &str, req: &SimRequest) -> String {
        let mut prompt = digest_auth::parse(www).unwrap();
        let ctx = digest_auth::AuthContext::new_with_method(
            user,
            pw,
            req.path_and_query(),
            Some(req.body.to_vec()),
            digest_auth::HttpMethod::from(req.method.as_str().to_owned()),
        );
        let _ = server;
        prompt.respond(&ctx).unwrap().to_string()
    }

    #[tokio::test(start_paused = true)]
    async fn challenge_authorize_stale_reject_lock() {
        let server = DigestServer::new(
            DigestConfig::new("IP Camera(C1)")
                .user("admin", "right")
                .opaque(true)
                .qop([Qop::Auth, Qop::AuthInt])
                .max_failures(2)
                .lock_duration(Duration::from_secs(600)),
        );
        assert!(!format!("{server:?}").contains("right"));
        let req = SimRequest::new(Method::PUT, "/ISAPI/x?format=json").with_body("{}");
        let DigestOutcome::Challenge { www_authenticate, stale: false } = server.check(&req) else { panic!() };
        assert!(www_authenticate.contains("opaque="), "{www_authenticate}");
        let auth = answer(&server, &www_authenticate, "admin", "right", &req);
        assert!(auth.contains("qop=auth-int"));
        let ok = req.clone().with_header("Authorization", &auth);
        assert_eq!(server.check(&ok), DigestOutcome::Authorized { user: "admin".into() });
        assert!(!server.check(&ok).is_authorized(), "replayed nc");

        // a different uri is not accepted
        let other = SimRequest::new(Method::PUT, "/ISAPI/y").with_body("{}").with_header("Authorization", &auth);
        assert!(matches!(server.check(&other), DigestOutcome::Challenge { stale: false, .. }));

        // stale after the ttl
        let DigestOutcome::Challenge { www_authenticate, .. } = server.check(&req) else { panic!() };
        let auth = answer(&server, &www_authenticate, "admin", "right", &req);
        tokio::time::advance(Duration::from_secs(61)).await;
        let outcome = server.check(&req.clone().with_header("Authorization", &auth));
        assert!(matches!(outcome, DigestOutcome::Challenge { stale: true, .. }), "{outcome:?}");
        assert!(outcome.www_authenticate().unwrap().ends_with("stale=TRUE"));
        assert_eq!(server.stale_challenges(), 1);

        // wrong password twice locks, even the right password then
        let www = outcome.www_authenticate().unwrap().to_owned();
        let bad = req.clone().with_header("Authorization", &answer(&server, &www, "admin", "wrong", &req));
        let DigestOutcome::Rejected { retries_left: 1, www_authenticate, .. } = server.check(&bad) else { panic!() };
        let bad = req.clone().with_header("Authorization", &answer(&server, &www_authenticate, "admin", "x", &req));
        let DigestOutcome::Rejected { retries_left: 0, www_authenticate, .. } = server.check(&bad) else { panic!() };
        let good =
            req.clone().with_header("Authorization", &answer(&server, &www_authenticate, "admin", "right", &req));
        let locked = server.check(&good);
        let DigestOutcome::Locked { unlock_in, .. } = &locked else { panic!("{locked:?}") };
        assert_eq!(*unlock_in, Duration::from_secs(600));
        let resp = locked.into_response(SimResponse::json(200, &serde_json::json!({"statusCode": 4}))).unwrap();
        assert_eq!(resp.status().as_u16(), 401);
        assert!(resp.headers_map().contains_key("www-authenticate"));
        tokio::time::advance(Duration::from_secs(600)).await;
        let outcome = server.check(&good);
        assert!(matches!(outcome, DigestOutcome::Challenge { stale: true, .. }), "unlocked, but the nonce is old");
        let www = outcome.www_authenticate().unwrap();
        let good = req.clone().with_header("Authorization", &answer(&server, www, "admin", "right", &req));
        assert!(server.check(&good).is_authorized());
        assert_eq!(server.failures(), 2);
        assert_eq!(server.authorized(), 2);
    }

    #[test]
    fn foreign_and_legacy_headers() {
        let server = DigestServer::new(DigestConfig::new("r").qop([]).user("u", "p"));
        let basic = SimRequest::new(Method::GET, "/").with_header("Authorization", "Basic dTpw");
        let outcome = server.check(&basic);
        assert!(matches!(outcome, DigestOutcome::Challenge { stale: false, .. }));
        let www = outcome.www_authenticate().unwrap().to_owned();
        assert!(!www.contains("qop"));
        let req = SimRequest::new(Method::GET, "/");
        let legacy = req.clone().with_header("Authorization", &answer(&server, &www, "u", "p", &req));
        assert!(server.check(&legacy).is_authorized());
        let unknown = req.clone().with_header("Authorization", &answer(&server, &www, "nobody", "p", &req));
        assert!(matches!(server.check(&unknown), DigestOutcome::Rejected { retries_left: 4, .. }));
        server.set_password("u", "new");
        let old = req.clone().with_header("Authorization", &answer(&server, &www, "u", "p", &req));
        assert!(matches!(server.check(&old), DigestOutcome::Rejected { .. }));
        server.unlock_all();
        server.expire_nonces();
        let fresh = req.clone().with_header("Authorization", &answer(&server, &www, "u", "new", &req));
        assert!(matches!(server.check(&fresh), DigestOutcome::Challenge { stale: true, .. }));
    }
}
