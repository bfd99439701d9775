//! Server-side HTTP Basic authentication: [`BasicServer::check`] reads `Authorization: Basic`.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};

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
    /// Wrong password or unknown user.
    Rejected {
        /// The user name presented.
        user: String,
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
            Self::Challenge { www_authenticate } | Self::Rejected { www_authenticate, .. } => Some(www_authenticate),
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
    users: HashMap<String, SecretString>,
    failures: AtomicU64,
    authorized: AtomicU64,
}

impl fmt::Debug for BasicServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut users: Vec<&str> = self.inner.users.keys().map(String::as_str).collect();
        users.sort_unstable();
        f.debug_struct("BasicServer").field("realm", &self.inner.realm).field("users", &users).finish()
    }
}

impl BasicServer {
    /// A verifier for `realm` and `users` (name, password).
    pub fn new<I, U, P>(realm: &str, users: I) -> Self
    where
        I: IntoIterator<Item = (U, P)>,
        U: Into<String>,
        P: Into<String>,
    {
        let users = users.into_iter().map(|(u, p)| (u.into(), SecretString::from(p.into()))).collect();
        BasicServer {
            inner: Arc::new(Inner {
                realm: realm.to_owned(),
                users,
                failures: AtomicU64::new(0),
                authorized: AtomicU64::new(0),
            }),
        }
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
        let right = self.inner.users.get(user).is_some_and(|p| p.expose_secret() == password);
        if right {
            self.inner.authorized.fetch_add(1, Ordering::Relaxed);
            BasicOutcome::Authorized { user: user.to_owned() }
        } else {
            self.inner.failures.fetch_add(1, Ordering::Relaxed);
            BasicOutcome::Rejected { user: user.to_owned(), www_authenticate }
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
