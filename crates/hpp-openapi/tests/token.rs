//! The token flow against the simulator over loopback: token host, area domain, bearer header,
//! refresh across an expiry and under concurrency.

use std::time::Duration;

use hpp_openapi::models::mq::{SubMode, SubType};
use hpp_openapi::requests::MqSubscribeRequest;
use hpp_openapi::sim::Simulator;
use hpp_openapi::{HppCode, HppErrorExt as _};

fn subscribe_all() -> MqSubscribeRequest {
    MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)
}

#[tokio::test]
async fn the_client_gets_a_token_and_calls_the_area_domain_with_a_bearer_header() {
    let sim = Simulator::start().await.unwrap();
    assert_ne!(sim.token_host(), sim.area_domain());
    let client = sim.client_builder().build().unwrap();
    client.mq_subscribe(&subscribe_all()).await.unwrap();
    assert_eq!(sim.token_calls(), 1);
    assert_eq!(sim.hits("mq.subscribe"), 1);
    let call = sim.journal().last_of("mq.subscribe").unwrap();
    assert!(call.headers.get("authorization").is_some(), "the bearer header was sent (redacted in the journal)");
    let token = sim.journal().last_of("token.get").unwrap();
    assert!(token.headers.get("authorization").is_none(), "no header on the token call");
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&token.body).unwrap()["appKey"], "sim-hpp-app-key");
    sim.shutdown().await;
}

#[tokio::test]
async fn wrong_credentials_are_rejected_and_never_retried() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().secret_key("wrong").build().unwrap();
    let err = client.mq_subscribe(&subscribe_all()).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::AkSkMismatch));
    assert_eq!(sim.token_calls(), 1);
    let client = sim.client_builder().app_key("nobody").build().unwrap();
    let err = client.mq_subscribe(&subscribe_all()).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::AkNotFound));
    assert_eq!(sim.hits("mq.subscribe"), 0, "nothing reached the area host");
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn across_a_token_expiry_one_refresh_and_no_caller_sees_lap500004() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.mq_subscribe(&subscribe_all()).await.unwrap();
    // Seven days and an hour later, the token has expired on the platform and by our clock.
    tokio::time::advance(Duration::from_secs(7 * 24 * 3600 + 3600)).await;
    for _ in 0..5 {
        client.mq_subscribe(&subscribe_all()).await.unwrap();
    }
    assert_eq!(sim.token_calls(), 2, "exactly one refresh");
    assert_eq!(client.token_fetches(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_token_the_platform_expired_early_is_refreshed_once_and_the_call_replayed() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.mq_subscribe(&subscribe_all()).await.unwrap();
    sim.expire_tokens();
    client.mq_subscribe(&subscribe_all()).await.unwrap();
    assert_eq!(sim.token_calls(), 2);
    assert_eq!(sim.hits("mq.subscribe"), 3, "the first call, the rejected one, its replay");
    sim.shutdown().await;
}

#[tokio::test]
async fn a_hundred_concurrent_calls_with_an_expired_token_cause_one_refresh() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    client.mq_subscribe(&subscribe_all()).await.unwrap();
    sim.expire_tokens();
    let calls = (0..100).map(|_| {
        let c = client.clone();
        tokio::spawn(async move { c.mq_subscribe(&subscribe_all()).await })
    });
    for r in futures_join(calls).await {
        r.unwrap();
    }
    let token_requests = sim.journal().of("token.get").len();
    assert_eq!(token_requests, 2, "the first token and one refresh");
    sim.shutdown().await;
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

/// Sends one raw HTTP request to `base` and returns the body of the answer.
async fn raw_post(base: &str, path: &str, headers: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n{headers}content-length: 2\r\nconnection: close\r\n\r\n{{}}"
    );
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut out = String::new();
    sock.read_to_string(&mut out).await.unwrap();
    out.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn the_area_host_checks_the_bearer_header_as_the_platform_does() {
    let sim = Simulator::start().await.unwrap();
    let area = sim.area_domain();
    let path = "/api/hpcgw/v1/mq/messages";
    assert!(raw_post(&area, path, "").await.contains("LAP500002"), "no header");
    assert!(raw_post(&area, path, "authorization: Basic abc\r\n").await.contains("LAP500003"), "not bearer");
    assert!(raw_post(&area, path, "authorization: Bearer hpc.nope\r\n").await.contains("LAP500004"), "unknown");
    // The token host serves only the token endpoint.
    assert!(!raw_post(&sim.token_host(), path, "").await.contains("\"errorCode\":\"0\""));
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_short_token_life_set_on_the_builder_is_refreshed_before_it_runs_out() {
    let sim = Simulator::builder()
        .token_ttl(Duration::from_secs(3600))
        .credentials("arc-id", "arc-key")
        .start()
        .await
        .unwrap();
    let client = hpp_openapi::Client::builder()
        .app_key("arc-id")
        .secret_key("arc-key")
        .base_url(sim.token_host())
        .clock(watchpost_core::clock::TokioClock::shared())
        .build()
        .unwrap();
    client.mq_subscribe(&subscribe_all()).await.unwrap();
    tokio::time::advance(Duration::from_secs(3600 - 30)).await;
    client.mq_subscribe(&subscribe_all()).await.unwrap();
    assert_eq!(sim.token_calls(), 2, "refreshed within the 60 s skew, before the platform said LAP500004");
    // The default key is not accepted once keys are configured.
    let err = sim.client_builder().build().unwrap().mq_subscribe(&subscribe_all()).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::AkNotFound));
    sim.shutdown().await;
}
