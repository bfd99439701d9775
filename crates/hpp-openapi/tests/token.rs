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
