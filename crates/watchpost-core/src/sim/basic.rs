//! Server-side HTTP Basic authentication: [`BasicServer::check`] reads `Authorization: Basic`,
//! optionally under a [`Lockout`] (shared with a Digest verifier by [`BasicServer::from_digest`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use super::digest::DigestServer;
use super::http_auth::Lockout;
use super::request::SimRequest;

/// What [`BasicServer::check`] decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BasicOutcome {
    /// The user name and password are right.
    Authorized {
        /// The authorized user.
        user: String,
    },
    /// No Basic credentials (or malformed ones): answer 401 with this `WWW-Authenticate`.
    Challenge {
        /// `Basic realm="..."`.
        www_authenticate: String,
    },
    /// Wrong password or unknown user, counted by the lock-out.
    Rejected {
        /// The user name presented.
        user: String,
        /// Failures left before the account locks (0: it is now locked; `u32::MAX` without a
        /// lock-out).
        retries_left: u32,
        /// `Basic realm="..."`.
        www_authenticate: String,
    },
    /// The account is locked: refused whatever the password.
    Locked {
        /// The locked user.
        user: String,
        /// Time until it unlocks.
        unlock_in: Duration,
        /// `Basic realm="..."`.
        www_authenticate: String,
    },
}

impl BasicOutcome {
    /// Whether the request is authorized.
    pub fn is_authorized(&self) -> bool {
        matches!(self, Self::Authorized { .. })
    }

    /// The challenge to send, unless authorized.
    pub fn www_authenticate(&self) -> Option<&str> {
        match self {
            Self::Authorized { .. } => None,
            Self::Challenge { www_authenticate }
            | Self::Rejected { www_authenticate, .. }
            | Self::Locked { www_authenticate, .. } => Some(www_authenticate),
        }
    }
}

/// A Basic verifier (clone freely: clones share counters).
#[derive(Clone)]
pub struct BasicServer {
    inner: Arc<Inner>,
}

struct Inner {
    realm: String,
    users: Users,
    lockout: Lockout,
    failures: AtomicU64,
    authorized: AtomicU64,
}

/// Where the passwords are: the verifier's own, or those of a Digest verifier.
enum Users {
    Own(HashMap<String, SecretString>),
    Digest(DigestServer),
}

impl fmt::Debug for BasicServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut users: Vec<&str> = match &self.inner.users {
            Users::Own(users) => users.keys().map(String::as_str).collect(),
            Users::Digest(_) => Vec::new(),
        };
        users.sort_unstable();
        f.debug_struct("BasicServer").field("realm", &self.inner.realm).field("users", &users).finish_non_exhaustive()
    }
}

impl BasicServer {
    /// A verifier for `realm` and `users` (name, password), without lock-out.
    pub fn new<I, U, P>(realm: &str, users: I) -> Self
    where
        I: IntoIterator<Item = (U, P)>,
        U: Into<String>,
        P: Into<String>,
    {
        let users = users.into_iter().map(|(u, p)| (u.into(), SecretString::from(p.into()))).collect();
        Self::with(realm, Users::Own(users), Lockout::new(0, Duration::ZERO))
    }

    /// A verifier of the realm and users of `digest` (their passwords as they change), under
    /// its lock-out: a wrong password counts towards the same lock, whatever the scheme.
    pub fn from_digest(digest: &DigestServer) -> Self {
        Self::with(digest.realm(), Users::Digest(digest.clone()), digest.lockout().clone())
    }

    fn with(realm: &str, users: Users, lockout: Lockout) -> Self {
        let (failures, authorized) = (AtomicU64::new(0), AtomicU64::new(0));
        BasicServer { inner: Arc::new(Inner { realm: realm.to_owned(), users, lockout, failures, authorized }) }
    }

    /// Checks the `Authorization` header of `req`.
    pub fn check(&self, req: &SimRequest) -> BasicOutcome {
        let www_authenticate = format!("Basic realm=\"{}\"", self.inner.realm.replace('"', "'"));
        let decoded = req
            .header("authorization")
            .and_then(|h| h.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
            .and_then(|(_, b64)| base64::engine::general_purpose::STANDARD.decode(b64.trim()).ok())
            .and_then(|raw| String::from_utf8(raw).ok());
        let Some((user, password)) = decoded.as_deref().and_then(|d| d.split_once(':')) else {
            return BasicOutcome::Challenge { www_authenticate };
        };
        let (user, now) = (user.to_owned(), Instant::now());
        if let Some(unlock_in) = self.inner.lockout.locked_for(&user, now) {
            return BasicOutcome::Locked { user, unlock_in, www_authenticate };
        }
        let right = match &self.inner.users {
            Users::Own(users) => users.get(&user).is_some_and(|p| p.expose_secret() == password),
            Users::Digest(digest) => digest.password_matches(&user, password),
        };
        if right {
            self.inner.authorized.fetch_add(1, Ordering::Relaxed);
            self.inner.lockout.succeed(&user);
            BasicOutcome::Authorized { user }
        } else {
            self.inner.failures.fetch_add(1, Ordering::Relaxed);
            let retries_left = self.inner.lockout.fail(&user, now);
            BasicOutcome::Rejected { user, retries_left, www_authenticate }
        }
    }

    /// Wrong passwords (and unknown users) seen.
    pub fn failures(&self) -> u64 {
        self.inner.failures.load(Ordering::Relaxed)
    }

    /// Requests authorized.
    pub fn authorized(&self) -> u64 {
        self.inner.authorized.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn basic_checks_credentials() {
        let server = BasicServer::new("dev", [("admin", "pw")]);
        let req = |h: &str| SimRequest::new(Method::GET, "/").with_header("Authorization", h);
        let ok = base64::engine::general_purpose::STANDARD.encode("admin:pw");
        assert_eq!(server.check(&req(&format!("Basic {ok}"))), BasicOutcome::Authorized { user: "admin".into() });
        let bad = base64::engine::general_purpose::STANDARD.encode("admin:no");
        assert!(matches!(server.check(&req(&format!("basic {bad}"))), BasicOutcome::Rejected { .. }));
        let outcome = server.check(&req("Basic !!!"));
        assert_eq!(outcome.www_authenticate(), Some("Basic realm=\"dev\""));
        assert!(!server.check(&SimRequest::new(Method::GET, "/")).is_authorized());
        assert_eq!((server.authorized(), server.failures()), (1, 1));
    }
}
