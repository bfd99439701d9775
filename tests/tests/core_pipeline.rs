//! Conformance of the core pipeline against the simulator kit over real loopback HTTP:
//! Digest variants, stale nonces, wrong passwords, token refresh under concurrency, retries,
//! the rate limiter against a fixed-window quota, and secret-free logs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use watchpost_core::auth::{Auth, Credentials, HttpAuth, Token, TokenAuth, TokenProvider};
use watchpost_core::operation::{Operation, TimeoutClass};
use watchpost_core::pipeline::{classify_http_status, Pipeline, VendorProfile};
use watchpost_core::ratelimit::{Quota as ClientQuota, RateLimiter};
use watchpost_core::retry::{FixedJitter, RetryConfig};
use watchpost_core::sim::{
    DigestAlgorithm, DigestConfig, DigestServer, Qop, Quota, QuotaDecision, Router, SimResponse, SimServer, TokenCheck,
    TokenStore,
};
use watchpost_core::{ErrorClass, ErrorKind, RawResponse, Request};

const GET: http::Method = http::Method::GET;
const POST: http::Method = http::Method::POST;

static OP_DIGEST_GET: Operation = Operation::adhoc("test", "digest.get", GET, "/digest").idempotent(true);
static OP_DIGEST_POST: Operation = Operation::adhoc("test", "digest.post", POST, "/digest");
static OP_ITEMS: Operation = Operation::adhoc("test", "items.list", GET, "/items").idempotent(true);
static OP_FLAKY_GET: Operation = Operation::adhoc("test", "flaky.get", GET, "/flaky").idempotent(true);
static OP_FLAKY_POST: Operation = Operation::adhoc("test", "flaky.post", POST, "/flaky");
static OP_QUOTA: Operation = Operation::adhoc("test", "quota.get", GET, "/quota").idempotent(true);
static OP_SLOW: Operation = Operation::adhoc("test", "slow.get", GET, "/flaky").timeout(TimeoutClass::Default);

const PASSWORD: &str = "Pa55-w0rd!xyz";

/// The test vendor: a 401 with `{"code":"token_expired"}` is an expired token.
struct TestProfile;

impl VendorProfile for TestProfile {
    fn classify(&self, resp: &RawResponse) -> watchpost_core::Result<()> {
        if resp.status == 401 && resp.body.as_ref() == br#"{"code":"token_expired"}"# {
            return Err(watchpost_core::Error::Auth {
                op: resp.op.into(),
                status: Some(401),
                code: Some("token_expired".into()),
                message: None,
                expired: true,
                retries_left: None,
            });
        }
        classify_http_status(resp)
    }
}

fn digest_router(digest: DigestServer) -> Router {
    let d = digest.clone();
    Router::new()
        .get("/digest", "digest.get", |_req| async { SimResponse::json(200, &json!({"ok": true})) })
        .post("/digest", "digest.post", |req| async move { SimResponse::json(200, &json!({"len": req.body.len()})) })
        .layer(move |req| d.check(req).into_response(SimResponse::json(401, &json!({"error": "unauthorized"}))))
}

fn http_pipeline(base: &str, user: &str, password: &str) -> Pipeline {
    Pipeline::builder("test", base)
        .auth(Auth::Http(HttpAuth::new(Credentials::new(user, password))))
        .jitter(Arc::new(FixedJitter(1.0)))
        .build()
        .unwrap()
}

async fn digest_round_trips(config: DigestConfig) {
    let digest = DigestServer::new(config.user("admin", PASSWORD));
    let server = SimServer::start(digest_router(digest.clone())).await.unwrap();
    let p = http_pipeline(&server.base_url(), "admin", PASSWORD);
    for i in 0..5 {
        let resp = p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap();
        assert_eq!(resp.json::<serde_json::Value>().unwrap(), json!({"ok": true}), "call {i}");
        let body = format!("{{\"n\":{i}}}");
        let resp = p
            .execute(Request::new(&OP_DIGEST_POST).body(watchpost_core::Body::Json(body.clone().into())))
            .await
            .unwrap();
        assert_eq!(resp.json::<serde_json::Value>().unwrap(), json!({"len": body.len()}));
    }
    assert_eq!(digest.challenges_sent(), 1, "one challenge, then pre-emptive requests");
    assert_eq!(digest.authorized(), 10);
    assert_eq!(digest.failures(), 0);
    assert_eq!(server.requests_total(), 11);
}

#[tokio::test]
async fn digest_md5_round_trips_with_one_challenge() {
    digest_round_trips(DigestConfig::new("DS-GWAS0101(6419)")).await;
}

#[tokio::test]
async fn digest_md5_sess_round_trips() {
    digest_round_trips(DigestConfig::new("sess").algorithm(DigestAlgorithm::Md5Sess).opaque(true)).await;
}

#[tokio::test]
async fn digest_sha256_round_trips() {
    digest_round_trips(DigestConfig::new("sha").algorithm(DigestAlgorithm::Sha256)).await;
}

#[tokio::test]
async fn digest_auth_int_round_trips() {
    digest_round_trips(DigestConfig::new("int").qop([Qop::AuthInt])).await;
}

#[tokio::test(start_paused = true)]
async fn stale_nonce_costs_one_extra_round_trip() {
    let digest = DigestServer::new(DigestConfig::new("r").nonce_ttl(Duration::from_secs(60)).user("admin", PASSWORD));
    let server = SimServer::start(digest_router(digest.clone())).await.unwrap();
    let p = http_pipeline(&server.base_url(), "admin", PASSWORD);
    p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap();
    assert_eq!(server.requests_total(), 2);
    tokio::time::advance(Duration::from_secs(61)).await;
    p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap();
    assert_eq!(server.requests_total(), 4, "stale 401, then the answer to the fresh nonce");
    assert_eq!(digest.stale_challenges(), 1);
    assert_eq!(digest.failures(), 0);
    p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap();
    assert_eq!(server.requests_total(), 5, "pre-emptive again");
}

#[tokio::test]
async fn wrong_password_is_one_attempt_and_auth_rejected() {
    let digest = DigestServer::new(DigestConfig::new("r").max_failures(3).user("admin", PASSWORD));
    let server = SimServer::start(digest_router(digest.clone())).await.unwrap();
    let p = http_pipeline(&server.base_url(), "admin", "wrong");
    let err = p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::AuthRejected);
    assert_eq!(err.status(), Some(401));
    assert_eq!(digest.failures(), 1, "exactly one login attempt spent");
    assert_eq!(server.requests_total(), 2, "the challenge fetch and one authenticated request");
    // A second call spends one more attempt, never a retry loop that locks the account.
    let err = p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::AuthRejected);
    assert_eq!(digest.failures(), 2);
    assert!(!format!("{err:?} {err}").contains("wrong"), "no password in the error");
}

/// A token server: `POST /token` issues, `GET /items` checks `Authorization: Bearer <t>`.
struct TokenSim {
    server: SimServer,
    store: TokenStore,
    issued: Arc<Mutex<Vec<String>>>,
}

async fn token_sim() -> TokenSim {
    let store = TokenStore::with_prefix("at.");
    let issued = Arc::new(Mutex::new(Vec::new()));
    let (s1, s2, log) = (store.clone(), store.clone(), issued.clone());
    let router = Router::new()
        .post("/token", "token", move |req| {
            let (store, log) = (s1.clone(), log.clone());
            async move {
                if req.form_value("appSecret").as_deref() != Some("app-s3cret-value") {
                    return SimResponse::json(401, &json!({"code": "bad_secret"}));
                }
                let t = store.issue(Duration::from_secs(7 * 86400));
                log.lock().unwrap().push(t.token.clone());
                SimResponse::json(200, &json!({"token": t.token, "expires": t.expires_at_secs()}))
            }
        })
        .get("/items", "items.list", move |req| {
            let store = s2.clone();
            async move {
                let token = req.header("authorization").and_then(|h| h.strip_prefix("Bearer ")).unwrap_or("");
                match store.validate(token) {
                    TokenCheck::Valid => SimResponse::json(200, &json!({"items": [1, 2, 3]})),
                    _ => SimResponse::json(401, &json!({"code": "token_expired"})),
                }
            }
        });
    TokenSim { server: SimServer::start(router).await.unwrap(), store, issued }
}

fn token_pipeline(base: &str) -> (Pipeline, TokenProvider) {
    let token_url = format!("{base}/token");
    let provider = TokenProvider::new(move || {
        let url = token_url.clone();
        async move { fetch_token(&url).await }
    });
    let p = Pipeline::builder("test", base)
        .profile(TestProfile)
        .auth(Auth::Token(TokenAuth::header(provider.clone(), "authorization", "Bearer ")))
        .build()
        .unwrap();
    (p, provider)
}

static OP_TOKEN: Operation = Operation::adhoc("test", "token", POST, "/token");

async fn fetch_token(url: &str) -> watchpost_core::Result<Token> {
    let base = url.trim_end_matches("/token");
    let p = Pipeline::builder("test", base).build()?;
    let req = Request::new(&OP_TOKEN).body(watchpost_core::Body::Form(vec![
        ("appKey".into(), "app-key".into()),
        ("appSecret".into(), "app-s3cret-value".into()),
    ]));
    let v: serde_json::Value = p.execute(req).await?.json()?;
    let token = v["token"].as_str().unwrap_or_default().to_owned();
    let expires = v["expires"].as_u64().unwrap_or_default();
    Ok(Token::new(token).expires_at(Duration::from_secs(expires)))
}

#[tokio::test]
async fn hundred_concurrent_calls_with_an_expired_token_cause_one_fetch() {
    let sim = token_sim().await;
    let (p, provider) = token_pipeline(&sim.server.base_url());
    p.execute(Request::new(&OP_ITEMS)).await.unwrap();
    assert_eq!(provider.fetch_count(), 1);
    sim.store.expire_all();
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let p = p.clone();
        tasks.push(tokio::spawn(async move { p.execute(Request::new(&OP_ITEMS)).await }));
    }
    for t in tasks {
        let resp = t.await.unwrap().unwrap();
        assert_eq!(resp.json::<serde_json::Value>().unwrap()["items"], json!([1, 2, 3]));
    }
    assert_eq!(provider.fetch_count(), 2, "exactly one refresh for 100 callers");
    assert_eq!(sim.issued.lock().unwrap().len(), 2);
}

fn flaky_router() -> Router {
    Router::new().get("/flaky", "flaky.get", |_req| async { SimResponse::json(200, &json!({"ok": 1})) }).post(
        "/flaky",
        "flaky.post",
        |_req| async { SimResponse::json(200, &json!({"ok": 1})) },
    )
}

#[tokio::test(start_paused = true)]
async fn idempotent_call_recovers_from_two_503s_and_non_idempotent_is_not_repeated() {
    let server = SimServer::start(flaky_router()).await.unwrap();
    let p = Pipeline::builder("test", server.base_url()).jitter(Arc::new(FixedJitter(1.0))).build().unwrap();
    server.faults().fail_next(2, Some("flaky.get"), SimResponse::text(503, "busy"));
    let started = tokio::time::Instant::now();
    p.execute(Request::new(&OP_FLAKY_GET)).await.unwrap();
    assert_eq!(server.hits("flaky.get"), 3);
    assert_eq!(started.elapsed(), Duration::from_millis(200 + 400), "backoff 200 ms then 400 ms");

    server.faults().fail_next(2, Some("flaky.post"), SimResponse::text(503, "busy"));
    let err = p.execute(Request::new(&OP_FLAKY_POST)).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Retryable);
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.hits("flaky.post"), 1, "a non-idempotent call is sent once");
}

#[tokio::test(start_paused = true)]
async fn attempt_timeout_is_typed_and_overridable() {
    let server = SimServer::start(flaky_router()).await.unwrap();
    let p = Pipeline::builder("test", server.base_url())
        .retry(RetryConfig { max_attempts: 1, ..RetryConfig::default() })
        .build()
        .unwrap();
    server.faults().latency_next(1, Some("flaky.get"), Duration::from_secs(40));
    let err = p.execute(Request::new(&OP_SLOW).attempt_timeout(Duration::from_secs(5))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.to_string().contains("attempt timeout after 5s"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn burst_of_2000_stays_within_a_600_per_minute_quota() {
    let quota = Quota::new(600, Duration::from_secs(60));
    let q = quota.clone();
    let router = Router::new()
        .get("/quota", "quota.get", |_req| async { SimResponse::json(200, &json!({"ok": true})) })
        .wrap(move |req, next| {
            let q = q.clone();
            async move {
                match q.try_acquire() {
                    QuotaDecision::Allowed { headers } => headers.apply(next.run(req).await),
                    QuotaDecision::Exceeded { headers, .. } => headers.apply(SimResponse::text(429, "quota")),
                }
            }
        });
    let server = SimServer::start(router).await.unwrap();
    let limiter = Arc::new(RateLimiter::new(Some(ClientQuota::per_minute(600))));
    let p = Pipeline::builder("test", server.base_url())
        .rate_limiter(limiter.clone())
        .retry(RetryConfig { max_attempts: 1, ..RetryConfig::default() })
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let p = p.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..100 {
                p.execute(Request::new(&OP_QUOTA)).await?;
            }
            Ok::<_, watchpost_core::Error>(())
        }));
    }
    for t in tasks {
        t.await.unwrap().expect("no call fails: callers wait");
    }
    assert_eq!(quota.rejected_count(), 0, "the server never refused a call");
    assert_eq!(server.hits("quota.get"), 2000);
    let elapsed = started.elapsed();
    // 2000 calls at 600/min: windows at 0, 60, 120 and 180 s; the last call cannot go before 180 s.
    assert!(elapsed >= Duration::from_secs(180), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(185), "close to the minimum the quota allows: {elapsed:?}");
}

/// A `MakeWriter` collecting everything logged into a shared buffer.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[tokio::test(flavor = "current_thread")]
async fn captured_logs_hold_no_password_secret_or_token() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    // Digest with a right and a wrong password, retries, token fetch and refresh.
    let digest = DigestServer::new(DigestConfig::new("r").user("admin", PASSWORD));
    let server = SimServer::start(digest_router(digest)).await.unwrap();
    http_pipeline(&server.base_url(), "admin", PASSWORD).execute(Request::new(&OP_DIGEST_GET)).await.unwrap();
    let _ = http_pipeline(&server.base_url(), "admin", "Wr0ng-Pa55").execute(Request::new(&OP_DIGEST_GET)).await;
    let sim = token_sim().await;
    let (p, _) = token_pipeline(&sim.server.base_url());
    p.execute(Request::new(&OP_ITEMS)).await.unwrap();
    sim.store.expire_all();
    p.execute(Request::new(&OP_ITEMS)).await.unwrap();
    let err = format!("{:?}", p);

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap() + &err;
    assert!(logs.contains("watchpost.op"), "the run was logged");
    assert!(logs.contains("refreshing once"), "the re-auth decision was logged");
    let tokens = sim.issued.lock().unwrap().clone();
    assert_eq!(tokens.len(), 2);
    for secret in [PASSWORD, "Wr0ng-Pa55", "app-s3cret-value"].iter().copied().chain(tokens.iter().map(String::as_str))
    {
        assert!(!logs.contains(secret), "secret {secret:?} leaked into the logs");
    }
}
