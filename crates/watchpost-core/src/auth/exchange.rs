//! One request's authentication: which header it carried, and what a 401 means for it.
//!
//! An [`AuthExchange`] comes from [`HttpAuth::begin`]. The pipeline asks it for the header of
//! each send ([`AuthExchange::authorization`]) and tells it each response
//! ([`AuthExchange::on_response`]); it answers [`Step::Retry`] (send again with the new
//! header), [`Step::Done`] or [`Step::Rejected`] (the password was refused: classify the
//! response, then [`AuthExchange::settle`] to remember it). See [`super::http`] for the rules.

use http::{HeaderMap, HeaderValue, Method, StatusCode};
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

use super::challenge::{AuthBody, DigestState, HeaderError, Offers};
use super::http::{HttpAuth, HttpAuthMode, Scheme};
use super::rejection::Rejection;
use super::Credentials;
use crate::error::{Error, ErrorClass, Result};

/// Why Basic is not answered over plain `http://` in [`HttpAuthMode::Auto`].
const BASIC_OVER_HTTP: &str =
    "server offered only Basic over plain http; refused to send the password in clear; set auth mode Basic to allow";

/// Why Basic is not answered in [`HttpAuthMode::Digest`].
const BASIC_IN_DIGEST_MODE: &str =
    "server offered only Basic but the auth mode is Digest; refused to send the password in clear";

/// Most requests one exchange sends (first contact or a proven header, an answer to a fresh
/// nonce, one more after a stale nonce).
const MAX_SENDS: u8 = 3;

/// What was attached to a request, to judge the 401 that may follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// No credentials.
    Nothing,
    /// Basic credentials.
    Basic {
        /// Whether Basic had succeeded before.
        proven: bool,
    },
    /// Digest from a challenge; `proven` as it was then. An answer to a nonce this request just
    /// received is never proven.
    Digest {
        /// Whether that challenge had succeeded before.
        proven: bool,
    },
}

/// What to do after a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Send the request again (with [`AuthExchange::authorization`]'s new header).
    Retry,
    /// Hand the response to the caller.
    Done,
    /// The credentials were rejected: hand the response to the caller, and pass its classified
    /// error to [`AuthExchange::settle`] so later calls fail fast with it.
    Rejected,
}

/// The authentication of one request (its sends after challenges). Holds the single-flight
/// gate while the credentials are not proven; dropping it releases the gate.
pub struct AuthExchange {
    auth: HttpAuth,
    guard: Option<OwnedMutexGuard<()>>,
    generation: u64,
    creds: Credentials,
    https: bool,
    /// The challenge of this request's own 401, answered with a nonce no other request uses.
    private: Option<Box<DigestState>>,
    sent: Sent,
    sends: u8,
    stale_answered: bool,
    rejected: bool,
    /// A challenge to a request sent without the gate must be answered under the gate.
    needs_gate: bool,
}

impl std::fmt::Debug for AuthExchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthExchange")
            .field("single_flight", &self.guard.is_some())
            .field("sent", &self.sent)
            .field("sends", &self.sends)
            .field("rejected", &self.rejected)
            .finish_non_exhaustive()
    }
}

impl AuthExchange {
    pub(super) fn new(
        auth: HttpAuth,
        guard: Option<OwnedMutexGuard<()>>,
        generation: u64,
        creds: Credentials,
        https: bool,
    ) -> Self {
        AuthExchange {
            auth,
            guard,
            generation,
            creds,
            https,
            private: None,
            sent: Sent::Nothing,
            sends: 0,
            stale_answered: false,
            rejected: false,
            needs_gate: false,
        }
    }

    /// Whether this request holds the single-flight gate (the credentials are not proven).
    pub fn is_single_flight(&self) -> bool {
        self.guard.is_some()
    }

    /// What the last send carried.
    pub fn sent(&self) -> Sent {
        self.sent
    }

    /// Waits, before the next send, for the single-flight gate when this request must answer a
    /// challenge the credentials have not yet proven; if another request proved them meanwhile,
    /// the next send carries the shared pre-emptive header instead.
    ///
    /// # Errors
    /// A rejection remembered meanwhile (nothing more is sent).
    pub async fn ready(&mut self, op: &str) -> Result<()> {
        if !self.needs_gate {
            return Ok(());
        }
        self.needs_gate = false;
        self.guard = self.auth.single_flight(op).await?;
        if self.guard.is_none() {
            self.private = None;
        }
        Ok(())
    }

    /// The hash of the body the next send's Digest answer will sign, when its challenge offers
    /// `qop=auth-int`: a streamed body is hashed (one read pass) and passed as
    /// [`AuthBody::Hashed`] to [`authorization`](Self::authorization).
    pub fn auth_int_hash(&self) -> Option<crate::transport::upload::BodyHash> {
        match &self.private {
            Some(state) => state.auth_int_hash(),
            None => self.auth.shared_auth_int_hash(),
        }
    }

    /// The `Authorization` header for the next send (none before a challenge is known). `uri`
    /// is the absolute request URI; `body` is used for `qop=auth-int`.
    ///
    /// # Errors
    /// [`Error::UnsupportedChallenge`] when the challenge cannot be answered,
    /// [`Error::InvalidInput`] when the credentials cannot be carried in a header.
    pub fn authorization<'b>(
        &mut self,
        op: &str,
        method: &Method,
        uri: &http::Uri,
        body: impl Into<AuthBody<'b>>,
    ) -> Result<Option<HeaderValue>> {
        let body = body.into();
        self.sends = self.sends.saturating_add(1);
        let built = match &mut self.private {
            Some(state) => state
                .header(&self.creds, self.auth.uri_form, method, uri, body)
                .map(|h| (Some(h), Sent::Digest { proven: false })),
            None => self.auth.shared_header(method, uri, body),
        };
        match built {
            Ok((header, sent)) => {
                self.sent = sent;
                Ok(header)
            }
            Err(HeaderError::Challenge(reason)) => Err(unsupported(op, "Digest", reason)),
            Err(HeaderError::Credentials) => {
                Err(Error::invalid_input(op, "the user name or password cannot be carried in an HTTP header"))
            }
        }
    }

    /// Judges a response to the last send.
    ///
    /// # Errors
    /// [`Error::UnsupportedChallenge`] for a 401 whose challenge will not be answered (nothing
    /// more is sent).
    pub fn on_response(&mut self, op: &str, status: StatusCode, headers: &HeaderMap) -> Result<Step> {
        if status != StatusCode::UNAUTHORIZED {
            self.succeeded();
            return Ok(Step::Done);
        }
        let mut state = self.auth.lock();
        if state.generation != self.generation {
            // The credentials were replaced meanwhile: this request's outcome says nothing
            // about the new ones, and its old password is not sent again.
            return Ok(Step::Done);
        }
        if state.rejection.is_some() {
            // Another request's password was just rejected: this one does not try again.
            return Ok(Step::Done);
        }
        let offers = Offers::read(headers);
        let step = match self.sent {
            Sent::Nothing => {
                // First contact: learn the scheme (a challenge, not a login attempt).
                match (offers.digest, self.auth.mode) {
                    (Some(Ok(parsed)), HttpAuthMode::Auto | HttpAuthMode::Digest) => {
                        self.private = Some(Box::new(DigestState::new(parsed, &self.creds)));
                        self.needs_gate = self.guard.is_none();
                        Step::Retry
                    }
                    (Some(Err(reason)), _) if !offers.basic => return Err(unsupported(op, "Digest", reason)),
                    (_, HttpAuthMode::Digest) if offers.basic => {
                        return Err(unsupported(op, "Basic", BASIC_IN_DIGEST_MODE))
                    }
                    (_, HttpAuthMode::Auto) if offers.basic && !self.https => {
                        return Err(unsupported(op, "Basic", BASIC_OVER_HTTP))
                    }
                    (_, HttpAuthMode::Auto) if offers.basic => {
                        if matches!(state.scheme, Scheme::Unknown) {
                            state.scheme = Scheme::Basic { proven: false };
                        }
                        self.needs_gate = self.guard.is_none();
                        Step::Retry
                    }
                    _ => {
                        let scheme = offers.first_scheme.unwrap_or_else(|| "none".to_owned());
                        return Err(unsupported(op, &scheme, "no challenge in a scheme the client speaks"));
                    }
                }
            }
            Sent::Digest { proven: true } => match offers.digest {
                // Refused for a reason that says nothing about the password (nc out of the
                // window, nonce expired, gateway restarted): answer this 401's own challenge.
                Some(Ok(parsed)) => {
                    tracing::debug!(target: "watchpost::auth", op, stale = parsed.stale(), "proven credentials re-challenged: answering the fresh nonce");
                    self.private = Some(Box::new(DigestState::new(parsed, &self.creds)));
                    Step::Retry
                }
                Some(Err(reason)) => return Err(unsupported(op, "Digest", reason)),
                // No challenge to answer: the 401 goes to the caller, not remembered.
                None => Step::Done,
            },
            Sent::Digest { proven: false } => match offers.digest {
                Some(Ok(parsed)) if parsed.stale() => {
                    // The password was right for an expired nonce, says the server; once.
                    let streak_ok = self.guard.is_none() || state.stale_streak == 0;
                    if self.guard.is_some() {
                        state.stale_streak = state.stale_streak.saturating_add(1);
                    }
                    if streak_ok && !self.stale_answered {
                        self.stale_answered = true;
                        self.private = Some(Box::new(DigestState::new(parsed, &self.creds)));
                        Step::Retry
                    } else {
                        Step::Rejected
                    }
                }
                _ => Step::Rejected,
            },
            Sent::Basic { .. } => Step::Rejected,
        };
        Ok(match step {
            // Defensive: the rules above never get here; a 401 left unjudged is not remembered.
            Step::Retry if self.sends >= MAX_SENDS => Step::Done,
            Step::Rejected => {
                self.rejected = true;
                Step::Rejected
            }
            other => other,
        })
    }

    /// A response other than 401: the header it carried is proven.
    fn succeeded(&mut self) {
        let mut state = self.auth.lock();
        if self.sent == Sent::Nothing {
            state.unchallenged = true;
        } else if state.generation == self.generation {
            state.stale_streak = 0;
            match (self.private.take(), &mut state.scheme) {
                // The nonce this request answered becomes the shared one (its nc continues).
                (Some(private), scheme) => *scheme = Scheme::Digest { state: *private, proven: true },
                (None, Scheme::Digest { proven, .. } | Scheme::Basic { proven }) => *proven = true,
                (None, Scheme::Unknown) => {}
            }
        }
        drop(state);
        self.guard = None;
    }

    /// Ends the exchange. After [`Step::Rejected`], remembers `err` (the classified response,
    /// `None` if the caller's classification found no error) so that later calls fail fast with
    /// it; forgets the challenge, so the next attempt after the cool-down is single-flight again.
    pub fn settle(mut self, err: Option<&Error>) {
        if !self.rejected {
            return;
        }
        let mut state = self.auth.lock();
        if state.generation != self.generation {
            return;
        }
        let err = err.filter(|e| e.class() == ErrorClass::AuthRejected);
        tracing::warn!(target: "watchpost::auth", user = state.creds.username(), "credentials rejected: later calls fail fast until the credentials are replaced or the cool-down passes");
        state.rejection = Some(Rejection::new(err, Instant::now()));
        state.scheme = match self.auth.mode {
            HttpAuthMode::Basic => Scheme::Basic { proven: false },
            HttpAuthMode::Auto | HttpAuthMode::Digest => Scheme::Unknown,
        };
        state.stale_streak = 0;
        drop(state);
        self.guard = None;
    }
}

fn unsupported(op: &str, scheme: &str, reason: &'static str) -> Error {
    tracing::warn!(target: "watchpost::auth", op, scheme, reason, "authentication challenge not answered");
    Error::UnsupportedChallenge { op: op.to_owned(), scheme: scheme.to_owned(), reason }
}
