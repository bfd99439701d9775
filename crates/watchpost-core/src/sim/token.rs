//! [`TokenStore`]: issues random bearer tokens with an expiry and checks them, so a simulator can
//! answer "token expired" exactly when the vendor would. Expiry follows [`unix_now`].

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::clock::unix_now;

use super::lock;

/// A token just issued.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The token text (prefix + 32 random alphanumerics).
    pub token: String,
    /// Unix time at which it expires.
    pub expires_at_unix: Duration,
    /// How long it is valid from issuance.
    pub ttl: Duration,
}

impl IssuedToken {
    /// Expiry in Unix seconds.
    pub fn expires_at_secs(&self) -> u64 {
        self.expires_at_unix.as_secs()
    }

    /// Expiry in Unix milliseconds (EZVIZ's `expireTime`).
    pub fn expires_at_millis(&self) -> u64 {
        u64::try_from(self.expires_at_unix.as_millis()).unwrap_or(u64::MAX)
    }
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("token", &"<redacted>")
            .field("expires_at_unix", &self.expires_at_unix)
            .field("ttl", &self.ttl)
            .finish()
    }
}

/// The state of a presented token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    /// Issued here and not expired.
    Valid,
    /// Issued here but expired (or expired by [`TokenStore::expire_all`]).
    Expired,
    /// Never issued here, or revoked.
    Unknown,
}

/// Issues and checks tokens, each carrying data `T` (the account or app it belongs to; `()` by
/// default). Clone freely: clones share the tokens and their [`lifetime`](Self::lifetime).
pub struct TokenStore<T = ()> {
    inner: Arc<Mutex<StoreState<T>>>,
}

struct StoreState<T> {
    prefix: String,
    lifetime: Duration,
    rng: fastrand::Rng,
    tokens: HashMap<String, (Duration, T)>,
    issued: u64,
}

impl<T> Clone for TokenStore<T> {
    fn clone(&self) -> Self {
        TokenStore { inner: self.inner.clone() }
    }
}

impl<T> fmt::Debug for TokenStore<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = lock(&self.inner);
        let (prefix, lifetime, issued) = (&s.prefix, &s.lifetime, &s.issued);
        f.debug_struct("TokenStore")
            .field("prefix", prefix)
            .field("lifetime", lifetime)
            .field("issued", issued)
            .finish()
    }
}

impl<T> Default for TokenStore<T> {
    fn default() -> Self {
        Self::with_prefix("")
    }
}

impl TokenStore<()> {
    /// A store of tokens without a prefix.
    pub fn new() -> Self {
        Self::default()
    }

    /// Issues a token valid for `ttl`.
    pub fn issue(&self, ttl: Duration) -> IssuedToken {
        self.issue_with((), ttl)
    }
}

impl<T> TokenStore<T> {
    /// A store whose tokens start with `prefix` (for example `"at."`).
    pub fn with_prefix(prefix: &str) -> Self {
        TokenStore {
            inner: Arc::new(Mutex::new(StoreState {
                prefix: prefix.to_owned(),
                // A vendor states its own; one hour is the common OAuth 2.0 access token lifetime.
                lifetime: Duration::from_secs(3600),
                rng: fastrand::Rng::new(),
                tokens: HashMap::new(),
                issued: 0,
            })),
        }
    }

    /// The same store drawing its tokens from a generator seeded with `seed`: the same seed
    /// issues the same tokens in the same order.
    #[must_use]
    pub fn seeded(self, seed: u64) -> Self {
        lock(&self.inner).rng = fastrand::Rng::with_seed(seed);
        self
    }

    /// The same store issuing tokens valid for `ttl` from [`issue_to`](Self::issue_to). Default
    /// is one hour.
    #[must_use]
    pub fn lifetime(self, ttl: Duration) -> Self {
        self.set_lifetime(ttl);
        self
    }

    /// Changes the lifetime of tokens issued from now on by [`issue_to`](Self::issue_to) (test
    /// control, shared by every clone).
    pub fn set_lifetime(&self, ttl: Duration) {
        lock(&self.inner).lifetime = ttl;
    }

    /// Issues a token valid for the store's [`lifetime`](Self::lifetime), carrying `data`.
    pub fn issue_to(&self, data: T) -> IssuedToken {
        let ttl = lock(&self.inner).lifetime;
        self.issue_with(data, ttl)
    }

    /// Issues a token valid for `ttl`, carrying `data`.
    pub fn issue_with(&self, data: T, ttl: Duration) -> IssuedToken {
        let mut s = lock(&self.inner);
        let token: String = std::iter::repeat_with(|| s.rng.alphanumeric()).take(32).collect();
        let token = format!("{}{token}", s.prefix);
        let expires_at_unix = unix_now().saturating_add(ttl);
        s.tokens.insert(token.clone(), (expires_at_unix, data));
        s.issued += 1;
        IssuedToken { token, expires_at_unix, ttl }
    }

    /// Checks a presented token.
    pub fn validate(&self, token: &str) -> TokenCheck {
        match lock(&self.inner).tokens.get(token) {
            None => TokenCheck::Unknown,
            Some((expires, _)) if unix_now() >= *expires => TokenCheck::Expired,
            Some(_) => TokenCheck::Valid,
        }
    }

    /// The data of a valid token (`None` when expired or unknown).
    pub fn data(&self, token: &str) -> Option<T>
    where
        T: Clone,
    {
        match lock(&self.inner).tokens.get(token) {
            Some((expires, data)) if unix_now() < *expires => Some(data.clone()),
            _ => None,
        }
    }

    /// Forgets a token (it becomes [`TokenCheck::Unknown`]); returns whether it existed.
    pub fn revoke(&self, token: &str) -> bool {
        lock(&self.inner).tokens.remove(token).is_some()
    }

    /// Expires every token now (test control: the next call meets the vendor's expiry code).
    pub fn expire_all(&self) {
        let now = unix_now();
        for (expires, _) in lock(&self.inner).tokens.values_mut() {
            *expires = (*expires).min(now);
        }
    }

    /// How many tokens were issued so far.
    pub fn issued_count(&self) -> u64 {
        lock(&self.inner).issued
    }

    /// How many tokens are valid now.
    pub fn active_count(&self) -> usize {
        let now = unix_now();
        lock(&self.inner).tokens.values().filter(|(expires, _)| now < *expires).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn tokens_expire_with_tokio_time() {
        let store = TokenStore::with_prefix("at.");
        let t = store.issue_with("app-1", Duration::from_secs(7 * 86400));
        assert!(t.token.starts_with("at.") && t.token.len() == 35);
        assert!(!format!("{t:?}").contains(&t.token));
        assert_eq!(store.validate(&t.token), TokenCheck::Valid);
        assert_eq!(store.data(&t.token), Some("app-1"));
        assert_eq!(store.validate("at.nope"), TokenCheck::Unknown);
        assert_eq!(t.expires_at_millis() / 1000, t.expires_at_secs());
        tokio::time::advance(Duration::from_secs(7 * 86400)).await;
        assert_eq!(store.validate(&t.token), TokenCheck::Expired);
        assert_eq!(store.data(&t.token), None);

        let plain = TokenStore::new();
        let a = plain.issue(Duration::from_secs(60));
        assert_eq!(plain.active_count(), 1);
        plain.expire_all();
        assert_eq!(plain.validate(&a.token), TokenCheck::Expired);
        assert!(plain.revoke(&a.token));
        assert_eq!(plain.validate(&a.token), TokenCheck::Unknown);
        assert_eq!(plain.issued_count(), 1);

        let store = TokenStore::with_prefix("").lifetime(Duration::from_secs(60));
        assert_eq!(store.issue_to("a").ttl, Duration::from_secs(60));
        store.clone().set_lifetime(Duration::from_secs(5));
        let short = store.issue_to("b");
        assert_eq!(short.ttl, Duration::from_secs(5));
        tokio::time::advance(Duration::from_secs(5)).await;
        assert_eq!((store.validate(&short.token), store.active_count()), (TokenCheck::Expired, 1));
    }
}
