//! Conformance of the core pipeline against the simulator kit over real loopback HTTP:
//! Digest variants, stale nonces, wrong passwords, token refresh under concurrency, retries and
//! timeouts, and the rate limiter against a fixed-window quota.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::json;
use watchpost_core::auth::{Auth, Credentials};
use watchpost_core::pipeline::Pipeline;
use watchpost_core::ratelimit::{Quota as ClientQuota, RateLimiter};
use watchpost_core::retry::{FixedJitter, RetryConfig};
use watchpost_core::sim::{
    DigestAlgorithm, DigestConfig, DigestServer, Qop, Quota, QuotaDecision, Router, SimResponse, SimServer,
};
use watchpost_core::{ErrorClass, ErrorKind, Request};

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
    // A second call fails fast with the same error: the rejection is remembered.
    let again = p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap_err();
    assert_eq!(again.class(), ErrorClass::AuthRejected);
    assert_eq!(again.to_string(), err.to_string());
    assert_eq!(digest.failures(), 1, "no second attempt");
    assert_eq!(server.requests_total(), 2, "nothing sent");
    assert!(!format!("{err:?} {err}").contains("wrong"), "no password in the error");
}

/// A server the test writes itself: answers every request with `response` (then closes the
/// connection) and records each request head.
async fn hostile_server(response: String) -> (String, Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let heads = Arc::new(Mutex::new(Vec::new()));
    let log = heads.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut tcp, _)) = listener.accept().await else { return };
            let (log, response) = (log.clone(), response.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tcp.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                log.lock().unwrap().push(String::from_utf8_lossy(&buf).into_owned());
                let _ = tcp.write_all(response.as_bytes()).await;
                let _ = tcp.shutdown().await;
            });
        }
    });
    (base, heads)
}

fn unauthorized(www_authenticate: &[&str]) -> String {
    let mut r = String::from("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n");
    for w in www_authenticate {
        r.push_str(&format!("WWW-Authenticate: {w}\r\n"));
    }
    r.push_str("\r\n");
    r
}

fn authorization_headers(heads: &Mutex<Vec<String>>) -> usize {
    heads.lock().unwrap().iter().filter(|h| h.to_ascii_lowercase().contains("\r\nauthorization:")).count()
}

#[tokio::test]
async fn basic_over_plain_http_gets_no_credentials() {
    let (base, heads) = hostile_server(unauthorized(&[r#"Basic realm="x""#])).await;
    let p = http_pipeline(&base, "admin", PASSWORD);
    for _ in 0..3 {
        let err = p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UnsupportedChallenge, "{err:?}");
        assert_ne!(err.class(), ErrorClass::AuthRejected);
        assert!(
            err.to_string().contains(
                "server offered only Basic over plain http; refused to send the password in clear; set auth mode Basic to allow"
            ),
            "{err}"
        );
    }
    assert_eq!(heads.lock().unwrap().len(), 3, "one unauthenticated request per call, not retried");
    assert_eq!(authorization_headers(&heads), 0, "the password never went out");
}

#[tokio::test]
async fn challenges_that_cannot_be_answered_get_no_credentials() {
    let cases: [(&[&str], &str); 5] = [
        (&[r#"Digest realm="r", nonce="n", algorithm=MD4"#], "unknown Digest algorithm"),
        (&[r#"Digest realm="r", qop="auth""#], "challenge without a nonce"),
        (&[r#"Digest realm="r", nonce="n"#], "unparsable challenge"),
        (&[r#"Negotiate abc"#], "no challenge in a scheme the client speaks"),
        (&[], "no challenge in a scheme the client speaks"),
    ];
    for (challenge, reason) in cases {
        let (base, heads) = hostile_server(unauthorized(challenge)).await;
        let err = http_pipeline(&base, "admin", PASSWORD).execute(Request::new(&OP_DIGEST_GET)).await.unwrap_err();
        match &err {
            watchpost_core::Error::UnsupportedChallenge { reason: r, .. } => assert_eq!(*r, reason, "{challenge:?}"),
            other => panic!("{challenge:?}: {other:?}"),
        }
        assert!(!err.to_string().contains("credentials rejected"), "{err}");
        assert_eq!(authorization_headers(&heads), 0, "{challenge:?}");
    }
}

#[tokio::test]
async fn a_refused_nonce_count_on_proven_credentials_is_re_challenged_not_rejected() {
    let digest = DigestServer::new(DigestConfig::new("r").user("admin", PASSWORD));
    let server = SimServer::start(digest_router(digest.clone())).await.unwrap();
    let p = http_pipeline(&server.base_url(), "admin", PASSWORD);
    p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap();
    // The device refuses the next nc (out of its window): a 401 without stale.
    digest.refuse_nonce_counts(1);
    p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap();
    assert_eq!(digest.nc_refusals(), 1);
    assert_eq!(digest.failures(), 0);
    let Auth::Http(h) = p.auth() else { panic!() };
    assert!(h.is_proven() && !h.is_rejected());
    let before = server.requests_total();
    p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap();
    assert_eq!(server.requests_total() - before, 1, "pre-emptive again");
}

/// Many concurrent requests share one nonce on strict firmware (every nc must exceed the
/// highest seen): requests that arrive out of order are refused, and none of them may be taken
/// for a rejected password because another request advanced the nc.
#[tokio::test(start_paused = true)]
async fn concurrent_requests_refused_for_their_nc_all_converge() {
    let digest = DigestServer::new(DigestConfig::new("r").nc_window(1).max_failures(3).user("admin", PASSWORD));
    let server = SimServer::start(digest_router(digest.clone())).await.unwrap();
    let p = http_pipeline(&server.base_url(), "admin", PASSWORD);
    p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap();
    // The first 100 requests are held up on the way: those behind them overtake them.
    server.faults().on(&OP_DIGEST_GET).latency_next(100, Duration::from_millis(50));
    let mut tasks = Vec::new();
    for _ in 0..300 {
        let p = p.clone();
        tasks.push(tokio::spawn(async move { p.execute(Request::new(&OP_DIGEST_GET)).await }));
    }
    for t in tasks {
        t.await.unwrap().expect("every request succeeds");
    }
    assert_eq!(digest.failures(), 0);
    assert_eq!(digest.authorized(), 301);
    assert_eq!(digest.nc_refusals(), 100, "the held-up requests were refused for their nc");
    let Auth::Http(h) = p.auth() else { panic!() };
    assert!(h.is_proven());
    // Each request sent at most three times (first contact or pre-emptive, the fresh answer).
    assert!(server.requests_total() <= 2 + 3 * 300, "{}", server.requests_total());
}

#[tokio::test(start_paused = true)]
async fn wrong_password_from_many_calls_costs_one_attempt_in_total() {
    let digest = DigestServer::new(DigestConfig::new("r").max_failures(5).user("admin", PASSWORD));
    let server = SimServer::start(digest_router(digest.clone())).await.unwrap();
    let p = http_pipeline(&server.base_url(), "admin", "wrong");
    for _ in 0..3 {
        assert_eq!(p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap_err().class(), ErrorClass::AuthRejected);
    }
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let p = p.clone();
        tasks.push(tokio::spawn(async move { p.execute(Request::new(&OP_DIGEST_GET)).await }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap_err().class(), ErrorClass::AuthRejected);
    }
    assert_eq!(digest.authorization_headers(), 1, "one Authorization header for 11 calls");
    assert_eq!(digest.failures(), 1);
    // New credentials on the same pipeline: a fresh start that works.
    let Auth::Http(h) = p.auth() else { panic!() };
    h.replace_credentials(Credentials::new("admin", PASSWORD));
    p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap();
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
    server.faults().on(&OP_FLAKY_GET).fail_next(2, SimResponse::text(503, "busy"));
    let started = tokio::time::Instant::now();
    p.execute(Request::new(&OP_FLAKY_GET)).await.unwrap();
    assert_eq!(server.hits("flaky.get"), 3);
    assert_eq!(started.elapsed(), Duration::from_millis(200 + 400), "backoff 200 ms then 400 ms");

    server.faults().on(&OP_FLAKY_POST).fail_next(2, SimResponse::text(503, "busy"));
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
    server.faults().on(&OP_FLAKY_GET).latency_next(1, Duration::from_secs(40));
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
