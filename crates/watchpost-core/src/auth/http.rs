//! HTTP authentication: Basic and Digest (RFC 2617 / 7616 via the `digest_auth` crate),
//! negotiated from `WWW-Authenticate`, with a memory of rejections and single-flight logins.
//!
//! The rules, all for the sake of devices that lock an account after a few wrong passwords and
//! of passwords that must never travel in clear:
//!
//! - **Never in clear.** Basic is answered over `http://` only in [`HttpAuthMode::Basic`] (the
//!   caller's explicit choice); [`HttpAuthMode::Auto`] answers Basic over `https://` only, and
//!   [`HttpAuthMode::Digest`] never. A challenge that will not be answered (Basic refused, an
//!   unknown Digest algorithm, no nonce, unparsable, no scheme we speak) is
//!   [`Error::UnsupportedChallenge`]: nothing was sent, so it is not a rejected password.
//! - **Single flight until proven.** While no request has succeeded with the credentials, one
//!   request at a time answers a challenge; concurrent callers wait for its outcome, then go
//!   pre-emptive (proven) or fail fast (rejected). Once proven, requests run concurrently with a
//!   pre-emptive header from the shared challenge and an increasing `nc`.
//! - **A rejection is remembered.** After a rejected password every call of this `HttpAuth` (and
//!   its clones) fails fast with the same typed error, sending nothing, until
//!   [`HttpAuth::replace_credentials`] or the [cool-down](HttpAuth::rejection_cooldown) passes.
//! - **A 401 to proven credentials is not a rejection.** A header built from a challenge that has
//!   succeeded can be refused for reasons that say nothing about the password (its `nc` fell out
//!   of the server's window because other requests advanced it, the nonce expired, the gateway
//!   restarted). The request answers the fresh challenge of that 401 with a nonce of its own
//!   (`nc=1`, which no other request can push out of a window) and the shared state stays proven.
//!   Only the refusal of an answer to a fresh nonce counts as a rejected password.
//! - **Stale, once.** A 401 with `stale=true` to an answer to a fresh nonce is answered once more;
//!   a second one in a row (in the same call, or across calls while not proven) counts as a
//!   rejection, so firmware that sends `stale=true` on every 401 cannot burn attempts forever.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http::{HeaderValue, Method};
use tokio::time::Instant;

pub use super::challenge::format_digest;
use super::challenge::{basic_header, DigestState, HeaderError};
pub use super::exchange::{AuthExchange, Sent, Step};
use super::rejection::Rejection;
use super::Credentials;
#[cfg(doc)]
use crate::error::Error;
use crate::error::Result;

/// Which scheme to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpAuthMode {
    /// Pick Digest or Basic from the server's challenge (Digest preferred); Basic only over
    /// `https://`, never in clear over `http://`. Default.
    #[default]
    Auto,
    /// Send Basic pre-emptively on every request, over `http://` too: the caller's explicit
    /// choice for a device that speaks nothing else on a trusted network.
    Basic,
    /// Digest only; a Basic-only challenge is refused (never send a password in clear text
    /// to a server that was expected to use Digest).
    Digest,
}

/// What the Digest `uri` field contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DigestUri {
    /// The request target: path and query (RFC 7616). Default.
    #[default]
    PathAndQuery,
    /// The path without the query (some firmware hashes only the path).
    PathOnly,
    /// The absolute URI (`http://host:port/path?query`).
    Absolute,
}

/// How long a rejected password is remembered by default: 15 minutes.
///
/// During the cool-down no call sends the password; afterwards one call tries once (concurrent
/// calls wait for it). So an unattended client spends at most 4 attempts an hour on a wrong
/// password instead of one per call: with Hikvision's 5 attempts that is more than an hour before
/// a lock that would otherwise come within seconds, and a lock the device reports
/// ([`Error::AuthLocked`]) is waited out in full before the next attempt.
pub const DEFAULT_REJECTION_COOLDOWN: Duration = Duration::from_secs(15 * 60);

/// The negotiated scheme.
#[derive(Debug)]
pub(super) enum Scheme {
    /// No challenge seen yet.
    Unknown,
    /// Basic; `proven` once a request carrying it succeeded.
    Basic { proven: bool },
    /// Digest from a cached challenge; `proven` once a request answering it succeeded.
    Digest { state: DigestState, proven: bool },
}

impl Scheme {
    fn proven(&self) -> bool {
        matches!(self, Scheme::Basic { proven: true } | Scheme::Digest { proven: true, .. })
    }
}

impl State {
    /// Whether a request may start without the single-flight gate: the credentials are proven,
    /// or no challenge is known and the server has let requests through without one (the gate
    /// is then taken only to answer a challenge, see [`AuthExchange::ready`]).
    fn free_to_go(&self) -> bool {
        self.scheme.proven() || (matches!(self.scheme, Scheme::Unknown) && self.unchallenged)
    }
}

/// The state shared by the clones of one [`HttpAuth`].
#[derive(Debug)]
pub(super) struct State {
    pub(super) creds: Credentials,
    /// Bumped by [`HttpAuth::replace_credentials`]: outcomes of exchanges begun before are ignored.
    pub(super) generation: u64,
    pub(super) scheme: Scheme,
    pub(super) rejection: Option<Rejection>,
    /// `stale=true` answers to unproven challenges since the last success, across calls.
    pub(super) stale_streak: u32,
    /// A request without credentials succeeded: the server does not challenge every request, so
    /// first requests need not wait for each other (only answers to challenges do).
    pub(super) unchallenged: bool,
}

/// Basic/Digest credentials with the cached challenge, the rejection memory and the
/// single-flight gate. Cheap to clone: clones share all of it (one client, many calls).
#[derive(Clone)]
pub struct HttpAuth {
    pub(super) mode: HttpAuthMode,
    pub(super) uri_form: DigestUri,
    cooldown: Duration,
    pub(super) state: Arc<Mutex<State>>,
    /// Held by the one request answering a not yet proven challenge.
    gate: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for HttpAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("HttpAuth")
            .field("creds", &state.creds)
            .field("mode", &self.mode)
            .field("proven", &state.scheme.proven())
            .field("rejected", &state.rejection.is_some())
            .finish_non_exhaustive()
    }
}

impl HttpAuth {
    /// HTTP auth with `creds`, negotiating the scheme.
    pub fn new(creds: Credentials) -> Self {
        HttpAuth {
            mode: HttpAuthMode::Auto,
            uri_form: DigestUri::default(),
            cooldown: DEFAULT_REJECTION_COOLDOWN,
            state: Arc::new(Mutex::new(State {
                creds,
                generation: 0,
                scheme: Scheme::Unknown,
                rejection: None,
                stale_streak: 0,
                unchallenged: false,
            })),
            gate: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// Sets the scheme. Default is [`HttpAuthMode::Auto`].
    #[must_use]
    pub fn mode(self, mode: HttpAuthMode) -> Self {
        let this = HttpAuth { mode, ..self };
        this.lock().scheme = this.initial_scheme();
        this
    }

    /// Sets what the Digest `uri` field contains. Default is [`DigestUri::PathAndQuery`].
    #[must_use]
    pub fn digest_uri(mut self, form: DigestUri) -> Self {
        self.uri_form = form;
        self
    }

    /// Sets how long a rejected password is remembered: calls fail fast with the rejection,
    /// sending nothing, for this long (or while the device says the account is locked, if
    /// longer). Default is [`DEFAULT_REJECTION_COOLDOWN`] (15 minutes).
    #[must_use]
    pub fn rejection_cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// Replaces the credentials (for every clone): forgets a remembered rejection and the
    /// negotiated challenge, so the next call starts afresh (one request at a time until proven).
    pub fn replace_credentials(&self, creds: Credentials) {
        let scheme = self.initial_scheme();
        let mut state = self.lock();
        state.creds = creds;
        state.generation = state.generation.wrapping_add(1);
        state.scheme = scheme;
        state.rejection = None;
        state.stale_streak = 0;
        tracing::debug!(target: "watchpost::auth", "credentials replaced");
    }

    /// The user name.
    pub fn username(&self) -> String {
        self.lock().creds.username().to_owned()
    }

    /// Whether a request has succeeded with the current credentials and challenge (requests
    /// then carry a pre-emptive header and run concurrently).
    pub fn is_proven(&self) -> bool {
        self.lock().scheme.proven()
    }

    /// Whether a rejection is remembered now (calls fail fast without sending).
    pub fn is_rejected(&self) -> bool {
        let now = Instant::now();
        self.lock().rejection.as_ref().is_some_and(|r| r.holds(now, self.cooldown))
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn initial_scheme(&self) -> Scheme {
        match self.mode {
            HttpAuthMode::Basic => Scheme::Basic { proven: false },
            HttpAuthMode::Auto | HttpAuthMode::Digest => Scheme::Unknown,
        }
    }

    /// The remembered rejection as an error for `op`, if it still holds; forgets it once the
    /// cool-down has passed.
    fn remembered(&self, state: &mut State, op: &str) -> Result<()> {
        let now = Instant::now();
        match &state.rejection {
            Some(r) if r.holds(now, self.cooldown) => {
                tracing::debug!(target: "watchpost::auth", op, "credentials were rejected: failing fast without sending");
                Err(r.error(op, now))
            }
            Some(_) => {
                state.rejection = None;
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Begins the authentication of one request to `uri` (which decides whether Basic may be
    /// answered): fails fast with a remembered rejection; while the credentials are not proven,
    /// waits until no other request is answering a challenge, then checks again.
    ///
    /// # Errors
    /// The remembered [`Error::Auth`] / [`Error::AuthLocked`] for `op`.
    pub async fn begin(&self, op: &str, uri: &http::Uri) -> Result<AuthExchange> {
        let free = {
            let mut state = self.lock();
            self.remembered(&mut state, op)?;
            state.free_to_go()
        };
        let guard = if free { None } else { self.single_flight(op).await? };
        let (generation, creds) = {
            let state = self.lock();
            (state.generation, state.creds.clone())
        };
        Ok(AuthExchange::new(self.clone(), guard, generation, creds, uri.scheme_str() == Some("https")))
    }

    /// Waits until no other request is answering a challenge. Returns the gate, or `None` when
    /// the credentials got proven meanwhile (go pre-emptive, concurrently).
    ///
    /// # Errors
    /// A rejection remembered meanwhile.
    pub(super) async fn single_flight(&self, op: &str) -> Result<Option<tokio::sync::OwnedMutexGuard<()>>> {
        let guard = self.gate.clone().lock_owned().await;
        let mut state = self.lock();
        self.remembered(&mut state, op)?;
        Ok((!state.scheme.proven()).then_some(guard))
    }

    /// The body hash the shared Digest challenge's `auth-int` needs, if it offers it.
    pub(super) fn shared_auth_int_hash(&self) -> Option<crate::transport::upload::BodyHash> {
        match &self.lock().scheme {
            Scheme::Digest { state, .. } => state.auth_int_hash(),
            _ => None,
        }
    }

    /// The pre-emptive `Authorization` header from the shared state, if the scheme is known,
    /// and what it was. `uri` is the absolute request URI; `body` is used for `qop=auth-int`.
    pub(super) fn shared_header(
        &self,
        method: &Method,
        uri: &http::Uri,
        body: super::challenge::AuthBody<'_>,
    ) -> std::result::Result<(Option<HeaderValue>, Sent), HeaderError> {
        let mut state = self.lock();
        let State { creds, scheme, .. } = &mut *state;
        match scheme {
            Scheme::Unknown => Ok((None, Sent::Nothing)),
            Scheme::Basic { proven } => Ok((Some(basic_header(creds)?), Sent::Basic { proven: *proven })),
            Scheme::Digest { state, proven } => {
                let header = state.header(creds, self.uri_form, method, uri, body)?;
                Ok((Some(header), Sent::Digest { proven: *proven }))
            }
        }
    }
}

#[cfg(test)]
mod tests;
