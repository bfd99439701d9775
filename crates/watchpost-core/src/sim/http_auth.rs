//! One server-side HTTP authentication for a simulated device: the schemes it accepts
//! ([`AuthMode`]: none, an allow-list of source addresses, Basic, Digest, or Digest and Basic)
//! and one account [`Lockout`] that Basic and Digest share.
//!
//! A vendor simulator keeps an [`HttpAuthConfig`] in its configuration (mode, user, realm, qop
//! `auth`/`auth-int`, `opaque`, nonce lifetime, lock-out rule), starts the [`HttpAuthServer`] it
//! describes, and installs [`HttpAuthServer::layer`] with a function that writes its own refusal
//! document; the helper sets the status (401, or 403 for an address not allowed) and the
//! `WWW-Authenticate` challenges.
//!
//! ```
//! use watchpost_core::sim::{AuthMode, AuthOutcome, DigestConfig, HttpAuthServer, Router, SimResponse};
//!
//! let auth = HttpAuthServer::new(AuthMode::DigestOrBasic, DigestConfig::new("HTTPAPI").user("admin", "httpapi"));
//! let router = Router::new()
//!     .get("/api", "api", |_| async { SimResponse::text(200, "ok") })
//!     .layer(auth.layer(|_req, outcome| match outcome {
//!         AuthOutcome::Forbidden => SimResponse::text(403, "forbidden"),
//!         _ => SimResponse::json(401, &serde_json::json!({"retcode": -1})),
//!     }));
//! # drop(router);
//! ```

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::header::WWW_AUTHENTICATE;
use tokio::time::Instant;

use super::basic::{BasicOutcome, BasicServer};
use super::digest::{DigestConfig, DigestOutcome, DigestServer, Qop};
use super::lock;
use super::request::SimRequest;
use super::response::SimResponse;

/// The account lock-out rule: after `max_failures` wrong passwords in a row an account is
/// locked for `lock_duration`, whatever the scheme (clone freely: clones share the accounts).
#[derive(Clone)]
pub struct Lockout {
    max_failures: u32,
    lock_duration: Duration,
    accounts: Arc<Mutex<HashMap<String, Account>>>,
}

#[derive(Default)]
struct Account {
    failures: u32,
    locked_until: Option<Instant>,
}

impl fmt::Debug for Lockout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lockout")
            .field("max_failures", &self.max_failures)
            .field("lock_duration", &self.lock_duration)
            .finish_non_exhaustive()
    }
}

impl Lockout {
    /// Locks an account for `lock_duration` after `max_failures` failures in a row; 0 disables
    /// the lock-out.
    pub fn new(max_failures: u32, lock_duration: Duration) -> Self {
        Lockout { max_failures, lock_duration, accounts: Arc::default() }
    }

    /// How long `user` stays locked, if locked at `now` (an expired lock is forgotten, with the
    /// failures that led to it).
    pub fn locked_for(&self, user: &str, now: Instant) -> Option<Duration> {
        let mut accounts = lock(&self.accounts);
        let until = accounts.get(user).and_then(|a| a.locked_until)?;
        if until > now {
            return Some(until.saturating_duration_since(now));
        }
        accounts.remove(user);
        None
    }

    /// Counts a wrong password of `user`: the failures left before the account locks (0: it is
    /// now locked; `u32::MAX` when the lock-out is disabled).
    pub fn fail(&self, user: &str, now: Instant) -> u32 {
        if self.max_failures == 0 {
            return u32::MAX;
        }
        let mut accounts = lock(&self.accounts);
        let account = accounts.entry(user.to_owned()).or_default();
        account.failures = account.failures.saturating_add(1);
        let left = self.max_failures.saturating_sub(account.failures);
        if left == 0 {
            // A lock-out too long to represent is a lock-out for a century.
            account.locked_until = now
                .checked_add(self.lock_duration)
                .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)));
        }
        left
    }

    /// Forgets the failures of `user` (a right password).
    pub fn succeed(&self, user: &str) {
        lock(&self.accounts).remove(user);
    }

    /// Unlocks every account and forgets their failures (test control).
    pub fn unlock_all(&self) {
        lock(&self.accounts).clear();
    }
}

/// Which requests a simulated device lets through.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AuthMode {
    /// Every request, without credentials.
    None,
    /// Requests from these source addresses, without credentials; others are forbidden (403).
    AllowList(Vec<IpAddr>),
    /// Basic only.
    Basic,
    /// Digest only. Default.
    #[default]
    Digest,
    /// Digest and Basic: both challenges, the client picks.
    DigestOrBasic,
}

/// The plain-data settings of an [`HttpAuthServer`] with one user, for a simulator's
/// configuration (the password is never shown by `Debug`).
#[derive(Clone, PartialEq, Eq)]
pub struct HttpAuthConfig {
    /// The schemes accepted. Default is Digest.
    pub mode: AuthMode,
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
    /// The realm of the challenges.
    pub realm: String,
    /// The qualities of protection Digest offers. Default is `auth`.
    pub qop: Vec<Qop>,
    /// Whether Digest challenges carry an `opaque` value to echo. Default is off.
    pub opaque: bool,
    /// How long a Digest nonce stays fresh (then `stale=TRUE`). Default is 60 s.
    pub nonce_ttl: Duration,
    /// Wrong passwords in a row that lock the account; 0 disables the lock-out. Default is 5.
    pub max_failures: u32,
    /// How long a locked account stays locked. Default is 30 minutes.
    pub lock_duration: Duration,
}

impl fmt::Debug for HttpAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpAuthConfig")
            .field("mode", &self.mode)
            .field("username", &self.username)
            .field("realm", &self.realm)
            .field("max_failures", &self.max_failures)
            .finish_non_exhaustive()
    }
}

impl HttpAuthConfig {
    /// Digest for `username` and `password` in `realm`, with the defaults above.
    pub fn new(realm: impl Into<String>, username: impl Into<String>, password: impl Into<String>) -> Self {
        HttpAuthConfig {
            mode: AuthMode::Digest,
            username: username.into(),
            password: password.into(),
            realm: realm.into(),
            qop: vec![Qop::Auth],
            opaque: false,
            nonce_ttl: Duration::from_secs(60),
            max_failures: 5,
            // Hikvision: an account is locked for 30 minutes after too many failed logins.
            lock_duration: Duration::from_secs(30 * 60),
        }
    }

    /// The verifier these settings describe, its nonces drawn from `seed`.
    pub fn server(&self, seed: u64) -> HttpAuthServer {
        let digest = DigestConfig::new(self.realm.clone())
            .user(self.username.clone(), self.password.clone())
            .qop(self.qop.iter().copied())
            .opaque(self.opaque)
            .nonce_ttl(self.nonce_ttl)
            .max_failures(self.max_failures)
            .lock_duration(self.lock_duration)
            .seed(seed);
        HttpAuthServer::new(self.mode.clone(), digest)
    }
}

/// What [`HttpAuthServer::check`] decided, whatever the scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// Let through: the user, or `None` when no credentials are needed.
    Authorized {
        /// The authorized user.
        user: Option<String>,
    },
    /// No usable credentials, or a right Digest answer for a stale nonce (`stale`): not a
    /// failed login.
    Challenge {
        /// Whether the nonce was stale.
        stale: bool,
    },
    /// A wrong password (or unknown user), counted by the [`Lockout`].
    Rejected {
        /// The user name presented.
        user: String,
        /// Failures left before the account locks (0: it is now locked; `u32::MAX` when the
        /// lock-out is disabled).
        retries_left: u32,
    },
    /// The account is locked: refused whatever the password.
    Locked {
        /// The locked user.
        user: String,
        /// Time until it unlocks.
        unlock_in: Duration,
    },
    /// The source address is not on the allow-list.
    Forbidden,
}

/// An [`AuthOutcome`] with the `WWW-Authenticate` challenges to send along a refusal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthDecision {
    /// The outcome.
    pub outcome: AuthOutcome,
    /// The challenges (fresh nonces), in order of preference: Digest first.
    pub www_authenticate: Vec<String>,
}

impl AuthDecision {
    /// `None` when authorized; otherwise `body` (the vendor's refusal document) with status 401
    /// (403 when forbidden) and the challenges.
    pub fn respond(&self, body: impl FnOnce() -> SimResponse) -> Option<SimResponse> {
        let status = match self.outcome {
            AuthOutcome::Authorized { .. } => return None,
            AuthOutcome::Forbidden => 403,
            _ => 401,
        };
        let challenges = self.www_authenticate.iter().map(|c| (WWW_AUTHENTICATE, c.as_str()));
        Some(body().with_status(status).headers(challenges))
    }
}

/// The server-side authentication of a simulated device (clone freely: clones share nonces,
/// counters and the lock-out).
#[derive(Debug, Clone)]
pub struct HttpAuthServer {
    mode: AuthMode,
    digest: DigestServer,
    basic: BasicServer,
}

impl HttpAuthServer {
    /// Accepts `mode`; the Digest verifier follows `digest`, and Basic checks the same realm and
    /// users under the same lock-out rule.
    pub fn new(mode: AuthMode, digest: DigestConfig) -> Self {
        let digest = DigestServer::new(digest);
        let basic = BasicServer::from_digest(&digest);
        HttpAuthServer { mode, digest, basic }
    }

    /// The mode.
    pub fn mode(&self) -> &AuthMode {
        &self.mode
    }

    /// The Digest verifier (its counters and test controls).
    pub fn digest(&self) -> &DigestServer {
        &self.digest
    }

    /// The Basic verifier (its counters).
    pub fn basic(&self) -> &BasicServer {
        &self.basic
    }

    /// Checks `req` against the mode: with Digest and Basic, a request that sent Basic is
    /// checked as Basic, any other as Digest.
    pub fn check(&self, req: &SimRequest) -> AuthDecision {
        let basic_challenge = || format!("Basic realm=\"{}\"", self.digest.realm().replace('"', "'"));
        let (outcome, mut www_authenticate) = match &self.mode {
            AuthMode::None => (AuthOutcome::Authorized { user: None }, Vec::new()),
            AuthMode::AllowList(allowed) if allowed.contains(&req.peer.ip()) => {
                (AuthOutcome::Authorized { user: None }, Vec::new())
            }
            AuthMode::AllowList(_) => (AuthOutcome::Forbidden, Vec::new()),
            AuthMode::Basic => (from_basic(self.basic.check(req)), vec![basic_challenge()]),
            AuthMode::DigestOrBasic if sent_basic(req) => {
                (from_basic(self.basic.check(req)), vec![self.digest.new_challenge(), basic_challenge()])
            }
            AuthMode::Digest | AuthMode::DigestOrBasic => {
                let outcome = self.digest.check(req);
                let challenge = outcome.www_authenticate().map(str::to_owned);
                (from_digest(outcome), challenge.into_iter().collect())
            }
        };
        if self.mode == AuthMode::DigestOrBasic && !sent_basic(req) {
            www_authenticate.push(basic_challenge());
        }
        if matches!(outcome, AuthOutcome::Authorized { .. }) {
            www_authenticate.clear();
        }
        AuthDecision { outcome, www_authenticate }
    }

    /// A router middleware (for [`Router::layer`](super::Router::layer)): lets authorized
    /// requests through (their user, when named, in the request's extensions as a `String`)
    /// and answers the others with `refusal(req, outcome)` made a 401 (403) with the challenges.
    pub fn layer<F>(&self, refusal: F) -> impl Fn(&mut SimRequest) -> Option<SimResponse> + Send + Sync + 'static
    where
        F: Fn(&SimRequest, &AuthOutcome) -> SimResponse + Send + Sync + 'static,
    {
        let auth = self.clone();
        move |req| {
            let decision = auth.check(req);
            if let AuthOutcome::Authorized { user: Some(user) } = &decision.outcome {
                req.extensions.insert(user.clone());
            }
            decision.respond(|| refusal(req, &decision.outcome))
        }
    }
}

/// Whether the request sent `Authorization: Basic`.
fn sent_basic(req: &SimRequest) -> bool {
    req.header("authorization")
        .is_some_and(|a| a.trim_start().get(..6).is_some_and(|p| p.eq_ignore_ascii_case("basic ")))
}

fn from_basic(outcome: BasicOutcome) -> AuthOutcome {
    match outcome {
        BasicOutcome::Authorized { user } => AuthOutcome::Authorized { user: Some(user) },
        BasicOutcome::Challenge { .. } => AuthOutcome::Challenge { stale: false },
        BasicOutcome::Rejected { user, retries_left, .. } => AuthOutcome::Rejected { user, retries_left },
        BasicOutcome::Locked { user, unlock_in, .. } => AuthOutcome::Locked { user, unlock_in },
    }
}

fn from_digest(outcome: DigestOutcome) -> AuthOutcome {
    match outcome {
        DigestOutcome::Authorized { user } => AuthOutcome::Authorized { user: Some(user) },
        DigestOutcome::Challenge { stale, .. } => AuthOutcome::Challenge { stale },
        DigestOutcome::Rejected { user, retries_left, .. } => AuthOutcome::Rejected { user, retries_left },
        DigestOutcome::Locked { user, unlock_in, .. } => AuthOutcome::Locked { user, unlock_in },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Qop;
    use base64::Engine as _;
    use http::Method;

    fn basic(user: &str, password: &str) -> String {
        format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
    }

    fn config() -> DigestConfig {
        DigestConfig::new("HTTPAPI")
            .user("admin", "httpapi")
            .qop([Qop::Auth, Qop::AuthInt])
            .opaque(true)
            .max_failures(3)
            .lock_duration(Duration::from_secs(60))
    }

    #[tokio::test(start_paused = true)]
    async fn basic_and_digest_share_one_lockout() {
        let auth = HttpAuthServer::new(AuthMode::DigestOrBasic, config());
        let req = SimRequest::new(Method::GET, "/api");
        let bare = auth.check(&req);
        assert_eq!(bare.outcome, AuthOutcome::Challenge { stale: false });
        assert!(bare.www_authenticate[0].starts_with("Digest realm=\"HTTPAPI\", qop=\"auth, auth-int\""));
        assert!(bare.www_authenticate[0].contains("opaque="));
        assert_eq!(bare.www_authenticate[1], "Basic realm=\"HTTPAPI\"");
        let wrong = req.clone().with_header("Authorization", &basic("admin", "nope"));
        let outcome = |r: &SimRequest| auth.check(r).outcome;
        assert_eq!(outcome(&wrong), AuthOutcome::Rejected { user: "admin".into(), retries_left: 2 });
        assert_eq!(outcome(&wrong), AuthOutcome::Rejected { user: "admin".into(), retries_left: 1 });
        // The third failure locks the account for Digest too.
        assert_eq!(outcome(&wrong), AuthOutcome::Rejected { user: "admin".into(), retries_left: 0 });
        assert_eq!(auth.digest().lockout().locked_for("admin", Instant::now()), Some(Duration::from_secs(60)));
        let right = req.clone().with_header("Authorization", &basic("admin", "httpapi"));
        let locked = auth.check(&right);
        assert_eq!(locked.outcome, AuthOutcome::Locked { user: "admin".into(), unlock_in: Duration::from_secs(60) });
        assert_eq!(locked.www_authenticate.len(), 2, "both challenges on a refusal");
        let resp = locked.respond(|| SimResponse::text(200, "locked")).unwrap();
        assert_eq!((resp.status().as_u16(), resp.headers_map().get_all(WWW_AUTHENTICATE).iter().count()), (401, 2));
        tokio::time::advance(Duration::from_secs(60)).await;
        let ok = auth.check(&right);
        assert_eq!(ok.outcome, AuthOutcome::Authorized { user: Some("admin".into()) });
        assert!(ok.www_authenticate.is_empty() && ok.respond(|| SimResponse::empty(401)).is_none());
        assert_eq!((auth.basic().authorized(), auth.basic().failures()), (1, 3));
    }

    #[test]
    fn a_config_describes_its_server_and_hides_its_password() {
        let mut config = HttpAuthConfig::new("HTTPAPI", "admin", "httpapi");
        (config.mode, config.qop, config.opaque) = (AuthMode::Basic, vec![Qop::Auth, Qop::AuthInt], true);
        assert!(!format!("{config:?}").contains("httpapi\""), "{config:?}");
        let server = config.server(7);
        assert_eq!(server.mode(), &AuthMode::Basic);
        let req = SimRequest::new(Method::GET, "/").with_header("Authorization", &basic("admin", "httpapi"));
        assert_eq!(server.check(&req).outcome, AuthOutcome::Authorized { user: Some("admin".into()) });
        let challenge = server.digest().new_challenge();
        assert!(challenge.contains("qop=\"auth, auth-int\"") && challenge.contains("opaque="), "{challenge}");
        assert_eq!(server.digest().lockout().locked_for("admin", Instant::now()), None);
        assert_eq!(format!("{:?}", server.digest().lockout()), "Lockout { max_failures: 5, lock_duration: 1800s, .. }");
    }

    #[tokio::test(start_paused = true)]
    async fn a_lockout_counts_per_account_and_forgets_an_expired_lock() {
        let (lockout, now) = (Lockout::new(2, Duration::from_secs(10)), Instant::now());
        assert_eq!((lockout.fail("a", now), lockout.fail("b", now), lockout.fail("a", now)), (1, 1, 0));
        assert_eq!((lockout.locked_for("a", now), lockout.locked_for("b", now)), (Some(Duration::from_secs(10)), None));
        lockout.succeed("b");
        assert_eq!(lockout.fail("b", now), 1, "a right password resets the count");
        let later = now + Duration::from_secs(10);
        assert_eq!(lockout.locked_for("a", later), None);
        assert_eq!(lockout.fail("a", later), 1, "the failures before the lock are forgotten with it");
        let disabled = Lockout::new(0, Duration::from_secs(10));
        assert_eq!(
            (disabled.fail("a", now), disabled.fail("a", now), disabled.locked_for("a", now)),
            (u32::MAX, u32::MAX, None)
        );
    }

    #[test]
    fn none_and_allow_list_need_no_credentials() {
        let req = SimRequest::new(Method::GET, "/api");
        let none = HttpAuthServer::new(AuthMode::None, config());
        assert_eq!(none.check(&req).outcome, AuthOutcome::Authorized { user: None });
        let listed = HttpAuthServer::new(AuthMode::AllowList(vec![req.peer.ip()]), config());
        assert_eq!(listed.check(&req).outcome, AuthOutcome::Authorized { user: None });
        let other = HttpAuthServer::new(AuthMode::AllowList(vec!["192.0.2.7".parse().unwrap()]), config());
        let refused = other.check(&req.clone().with_header("Authorization", &basic("admin", "httpapi")));
        assert_eq!((refused.outcome.clone(), refused.www_authenticate.len()), (AuthOutcome::Forbidden, 0));
        assert_eq!(refused.respond(|| SimResponse::empty(200)).unwrap().status().as_u16(), 403);
        assert_eq!(other.basic().authorized() + other.digest().authorized(), 0, "no password checked");
    }

    #[test]
    fn one_scheme_only_refuses_the_other() {
        let req = SimRequest::new(Method::GET, "/api").with_header("Authorization", &basic("admin", "httpapi"));
        let digest = HttpAuthServer::new(AuthMode::Digest, config());
        let d = digest.check(&req);
        assert_eq!((d.outcome, d.www_authenticate.len()), (AuthOutcome::Challenge { stale: false }, 1));
        assert!(d.www_authenticate[0].starts_with("Digest "));
        let basic_only = HttpAuthServer::new(AuthMode::Basic, config());
        assert_eq!(basic_only.check(&req).outcome, AuthOutcome::Authorized { user: Some("admin".into()) });
        let b = basic_only.check(&SimRequest::new(Method::GET, "/api"));
        assert_eq!(b.outcome, AuthOutcome::Challenge { stale: false });
        assert_eq!(b.www_authenticate, vec!["Basic realm=\"HTTPAPI\"".to_owned()]);
    }
}
