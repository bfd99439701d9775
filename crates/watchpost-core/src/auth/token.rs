//! Token providers: fetch a token with an async closure, cache it until its expiry minus a
//! skew, refresh single-flight, and invalidate it when the service says it expired.
//!
//! Single-flight: the cache sits behind an async mutex; the first caller that finds it empty or
//! expired fetches while holding the lock, and every concurrent caller waits for that one
//! fetch. Invalidation names the *generation* of the token that failed, so a hundred calls
//! failing with the same expired token cause one refresh, not a hundred.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Mutex;

use crate::clock::{Clock, SharedClock, SystemClock};
use crate::error::{Error, Result};

/// A bearer token as a vendor's login returned it.
#[derive(Clone)]
pub struct Token {
    value: SecretString,
    /// Unix time at which the token expires, when known.
    pub expires_at: Option<Duration>,
    /// The base URL the token is bound to (EZVIZ `areaDomain`, Hik-Partner Pro region domain).
    pub base_url: Option<String>,
}

impl Token {
    /// A token with no known expiry and no base URL.
    pub fn new(value: impl Into<String>) -> Self {
        Token { value: SecretString::from(value.into()), expires_at: None, base_url: None }
    }

    /// Sets the expiry as Unix time.
    #[must_use]
    pub fn expires_at(mut self, unix: Duration) -> Self {
        self.expires_at = Some(unix);
        self
    }

    /// Sets the expiry `ttl` after now by `clock` (the client's clock: see
    /// [`Pipeline::clock`](crate::pipeline::Pipeline::clock)).
    #[must_use]
    pub fn expires_in(mut self, ttl: Duration, clock: &dyn Clock) -> Self {
        self.expires_at = Some(clock.unix_now().saturating_add(ttl));
        self
    }

    /// Sets the base URL the token is bound to.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The token text (use only to build a request).
    pub fn secret(&self) -> &str {
        self.value.expose_secret()
    }

    /// Whether the token is still good `skew` after `now_unix`.
    fn fresh(&self, skew: Duration, now_unix: Duration) -> bool {
        self.expires_at.is_none_or(|at| now_unix.saturating_add(skew) < at)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("value", &"***")
            .field("expires_at", &self.expires_at)
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// The future a token fetch returns.
pub type TokenFuture = Pin<Box<dyn Future<Output = Result<Token>> + Send>>;
type FetchFn = dyn Fn() -> TokenFuture + Send + Sync;

struct Cached {
    token: Arc<Token>,
    generation: u64,
}

/// A token cache with single-flight refresh. Cheap to share (`Arc` inside).
#[derive(Clone)]
pub struct TokenProvider {
    inner: Arc<ProviderInner>,
}

struct ProviderInner {
    fetch: Option<Box<FetchFn>>,
    skew: Duration,
    clock: SharedClock,
    cache: Mutex<Option<Cached>>,
    generation: AtomicU64,
    fetches: AtomicU64,
}

impl fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenProvider")
            .field("refreshable", &self.can_refresh())
            .field("skew", &self.inner.skew)
            .field("fetches", &self.fetch_count())
            .finish()
    }
}

impl TokenProvider {
    /// A provider that calls `fetch` whenever it needs a token.
    pub fn new<F, Fut>(fetch: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Token>> + Send + 'static,
    {
        let fetch: Box<FetchFn> = Box::new(move || Box::pin(fetch()));
        Self::from_parts(Some(fetch), None)
    }

    /// A fixed token the client cannot refresh (for example an EZVIZ sub-account token):
    /// an expiry reaches the caller as [`ErrorClass::AuthExpired`](crate::ErrorClass::AuthExpired).
    pub fn fixed(token: Token) -> Self {
        Self::from_parts(None, Some(token))
    }

    fn from_parts(fetch: Option<Box<FetchFn>>, token: Option<Token>) -> Self {
        let cache = token.map(|t| Cached { token: Arc::new(t), generation: 1 });
        TokenProvider {
            inner: Arc::new(ProviderInner {
                fetch,
                // 60 s: covers clock drift between us and the vendor and the time a request
                // spends in flight, while wasting at most a minute of a token's life.
                skew: Duration::from_secs(60),
                clock: SystemClock::shared(),
                cache: Mutex::new(cache),
                generation: AtomicU64::new(1),
                fetches: AtomicU64::new(0),
            }),
        }
    }

    /// Sets how long before its expiry a token is refreshed. Default is 60 s.
    /// Only effective before the provider is shared (clones made earlier keep the old value).
    #[must_use]
    pub fn skew(mut self, skew: Duration) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.skew = skew;
        }
        self
    }

    /// Sets the clock [`get`](Self::get) judges expiry by. Default is the system clock; a
    /// pipeline judges by its own clock ([`get_with_clock`](Self::get_with_clock)).
    /// Only effective before the provider is shared, like [`skew`](Self::skew).
    #[must_use]
    pub fn clock(mut self, clock: SharedClock) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.clock = clock;
        }
        self
    }

    /// Whether this provider can fetch a new token.
    pub fn can_refresh(&self) -> bool {
        self.inner.fetch.is_some()
    }

    /// How many times the fetch closure ran.
    pub fn fetch_count(&self) -> u64 {
        self.inner.fetches.load(Ordering::Relaxed)
    }

    /// A valid token and its generation, fetching one (once, for all concurrent callers) if
    /// needed; expiry is judged by the provider's [`clock`](Self::clock).
    ///
    /// # Errors
    /// The fetch's error; or [`Error::Auth`] with `expired` when a fixed token has expired.
    pub async fn get(&self) -> Result<(Arc<Token>, u64)> {
        let clock = self.inner.clock.clone();
        self.get_with_clock(&*clock).await
    }

    /// As [`get`](Self::get), judging expiry by `clock` (the pipeline passes its own, so an
    /// NTP step of the client's clock is seen at once).
    ///
    /// # Errors
    /// As for [`get`](Self::get).
    pub async fn get_with_clock(&self, clock: &dyn Clock) -> Result<(Arc<Token>, u64)> {
        let mut cache = self.inner.cache.lock().await;
        if let Some(c) = cache.as_ref() {
            if c.token.fresh(self.inner.skew, clock.unix_now()) || self.inner.fetch.is_none() {
                return Ok((c.token.clone(), c.generation));
            }
        }
        let Some(fetch) = &self.inner.fetch else {
            return Err(Error::Auth {
                op: "token".into(),
                status: None,
                code: None,
                message: Some("the fixed token was invalidated and cannot be refreshed".into()),
                expired: true,
                lockout: Default::default(),
            });
        };
        self.inner.fetches.fetch_add(1, Ordering::Relaxed);
        tracing::debug!(target: "watchpost::auth", "fetching a new token");
        let token = Arc::new(fetch().await?);
        let generation = self.inner.generation.fetch_add(1, Ordering::Relaxed) + 1;
        *cache = Some(Cached { token: token.clone(), generation });
        Ok((token, generation))
    }

    /// Drops the cached token if it is still generation `generation` (the one that failed).
    /// Returns whether a new token can be fetched.
    pub async fn invalidate(&self, generation: u64) -> bool {
        if self.inner.fetch.is_none() {
            return false;
        }
        let mut cache = self.inner.cache.lock().await;
        if cache.as_ref().is_some_and(|c| c.generation == generation) {
            tracing::debug!(target: "watchpost::auth", generation, "token invalidated");
            *cache = None;
        }
        true
    }
}

/// How a token is attached to a request (a header, a query pair, a form field).
pub type ApplyFn = dyn Fn(&mut crate::operation::Request, &Token) -> Result<()> + Send + Sync;

/// A token provider plus the vendor's rule for attaching the token to a request.
#[derive(Clone)]
pub struct TokenAuth {
    /// The provider.
    pub provider: TokenProvider,
    apply: Arc<ApplyFn>,
}

impl fmt::Debug for TokenAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenAuth").field("provider", &self.provider).finish_non_exhaustive()
    }
}

impl TokenAuth {
    /// Token auth with a custom attach rule.
    pub fn new<F>(provider: TokenProvider, apply: F) -> Self
    where
        F: Fn(&mut crate::operation::Request, &Token) -> Result<()> + Send + Sync + 'static,
    {
        TokenAuth { provider, apply: Arc::new(apply) }
    }

    /// Token in a header with a prefix, e.g. `Authorization: token <t>` (`header("authorization", "token ")`).
    pub fn header(provider: TokenProvider, name: &'static str, prefix: &'static str) -> Self {
        Self::new(provider, move |req, token| {
            let mut v = http::HeaderValue::from_str(&format!("{prefix}{}", token.secret()))
                .map_err(|_| Error::invalid_input(req.op.id, "token is not a valid header value"))?;
            v.set_sensitive(true);
            req.headers.insert(name, v);
            Ok(())
        })
    }

    /// Token as a form field of the body (EZVIZ `accessToken`); a query pair when the body is not a form.
    pub fn form_field(provider: TokenProvider, name: &'static str) -> Self {
        Self::new(provider, move |req, token| {
            match &mut req.body {
                crate::operation::Body::Form(pairs) => {
                    pairs.retain(|(k, _)| k != name);
                    pairs.insert(0, (name.to_owned(), token.secret().to_owned()));
                }
                crate::operation::Body::Empty if req.op.method != http::Method::GET => {
                    req.body = crate::operation::Body::Form(vec![(name.to_owned(), token.secret().to_owned())]);
                }
                _ => req.query.push((name.to_owned(), token.secret().to_owned())),
            }
            Ok(())
        })
    }

    /// Attaches `token` to `req`.
    ///
    /// # Errors
    /// Whatever the attach rule reports.
    pub fn apply(&self, req: &mut crate::operation::Request, token: &Token) -> Result<()> {
        (self.apply)(req, token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_fetch_and_refresh_after_expiry() {
        let p = TokenProvider::new(|| async {
            Ok(Token::new("t").expires_in(Duration::from_secs(3600), &crate::clock::TokioClock))
        })
        .clock(crate::clock::TokioClock::shared());
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let p = p.clone();
            tasks.push(tokio::spawn(async move { p.get().await.map(|(_, g)| g) }));
        }
        let mut gens = Vec::new();
        for t in tasks {
            gens.push(t.await.unwrap().unwrap());
        }
        assert_eq!(p.fetch_count(), 1);
        assert!(gens.iter().all(|g| *g == gens[0]));
        tokio::time::advance(Duration::from_secs(3600 - 59)).await;
        p.get().await.unwrap();
        assert_eq!(p.fetch_count(), 2, "refreshed within the skew");
    }

    #[tokio::test]
    async fn invalidation_by_generation_refreshes_once() {
        let p = TokenProvider::new(|| async { Ok(Token::new("t")) });
        let (_, g1) = p.get().await.unwrap();
        for _ in 0..10 {
            assert!(p.invalidate(g1).await);
            let (_, g) = p.get().await.unwrap();
            assert_ne!(g, g1);
        }
        assert_eq!(p.fetch_count(), 2);
    }

    #[tokio::test]
    async fn fixed_token_cannot_refresh() {
        let p = TokenProvider::fixed(Token::new("sub-account"));
        let (t, g) = p.get().await.unwrap();
        assert_eq!(t.secret(), "sub-account");
        assert!(!p.invalidate(g).await);
        assert!(format!("{:?}", t).contains("***"));
    }
}
