//! Conformance of the core pipeline against the simulator kit over real loopback HTTP:
//! Digest variants, stale nonces, wrong passwords, token refresh under concurrency, retries and
//! timeouts, and the rate limiter against a fixed-window quota.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use serde_json::json;
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
    // A second call spends one more attempt, never a retry loop that locks the account.
    let err = p.execute(Request::new(&OP_DIGEST_GET)).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::AuthRejected);
    assert_eq!(digest.failures(), 2);
    assert!(!format!("{err:?} {err}").contains("wrong"), "no password in the error");
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
