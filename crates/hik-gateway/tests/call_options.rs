//! Per-call options (`Client::customize`) against a hostile server that records exactly what the
//! client sent: extra headers reach the server on typed and hand-written methods, retries can be
//! turned off for one call, and a timeout override takes effect. Paused clock.

use std::time::Duration;

use hik_gateway::{Client, TimeZoneRequest, UserCheckRequest};
use http::{HeaderName, HeaderValue};
use tokio::time::Instant;
use watchpost_core::error::TimeoutPhase;
use watchpost_core::sim::{http_response, ScriptedServer};
use watchpost_core::{Error, ErrorClass};

const USER_CHECK: &[u8] = br#"{"UserCheck":{"statusValue":200,"statusString":"OK"}}"#;

fn client(base_url: &str) -> Client {
    Client::builder().base_url(base_url).build().unwrap()
}

#[tokio::test(start_paused = true)]
async fn extra_headers_reach_the_server() {
    let server = ScriptedServer::start([
        http_response("200 OK", &[("Content-Type", "application/json")], USER_CHECK),
        http_response("200 OK", &[("Content-Type", "text/plain")], b"CST-8:00:00"),
    ])
    .await
    .unwrap();
    let plain = client(&server.base_url());
    let traced = plain.customize(|o| {
        o.header(HeaderName::from_static("x-request-id"), HeaderValue::from_static("arc-42"))
            .header(HeaderName::from_static("x-site"), HeaderValue::from_static("north"))
    });
    traced.user_check(&UserCheckRequest::new()).await.unwrap();
    traced.time_zone(&TimeZoneRequest::new("dev-1")).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for r in &requests {
        assert_eq!(r.header("x-request-id"), Some("arc-42"), "{r:?}");
        assert_eq!(r.header("x-site"), Some("north"), "{r:?}");
    }
    // The client it was made from sends none.
    plain.user_check(&UserCheckRequest::new()).await.unwrap_err();
    let last = server.requests().pop().unwrap();
    assert_eq!(last.header("x-request-id"), None);
}

#[tokio::test(start_paused = true)]
async fn retry_off_makes_one_attempt_on_a_retryable_error() {
    let server = ScriptedServer::start([http_response("503 Service Unavailable", &[], b"")]).await.unwrap();
    let c = client(&server.base_url());
    let err = c.customize(|o| o.disable_retry()).user_check(&UserCheckRequest::new()).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Retryable, "{err:?}");
    assert_eq!(server.requests().len(), 1);
    // The same client without the option retries the idempotent call: 3 attempts in all.
    let err = c.user_check(&UserCheckRequest::new()).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Retryable, "{err:?}");
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_timeout_override_takes_effect() {
    // A server that accepts and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let c = client(&url).customize(|o| o.operation_timeout(Duration::from_secs(5)));
    let started = Instant::now();
    let err = c.user_check(&UserCheckRequest::new()).await.unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(err, Error::Timeout { phase: TimeoutPhase::Operation, after, .. } if after == Duration::from_secs(5)),
        "{err:?}"
    );
    assert!(took >= Duration::from_secs(5) && took < Duration::from_secs(30), "{took:?}");
}

#[tokio::test(start_paused = true)]
async fn extra_headers_reach_the_server_when_the_alarm_stream_opens() {
    use futures_util::StreamExt;
    use hik_gateway::models::SubscribeDeviceMgmtMsg;
    use hik_gateway::EventStreamConfig;

    let server = ScriptedServer::start([http_response("503 Service Unavailable", &[], b"")]).await.unwrap();
    let c = Client::builder()
        .base_url(server.base_url())
        .events(EventStreamConfig::default().resync(false))
        .build()
        .unwrap()
        .customize(|o| o.header(HeaderName::from_static("x-request-id"), HeaderValue::from_static("arc-9")));
    let mut stream = c.subscribe(SubscribeDeviceMgmtMsg::all());
    // Whatever the stream yields meanwhile (it keeps trying), the first attempt has been sent.
    for _ in 0..10 {
        if !server.requests().is_empty() {
            break;
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), stream.next()).await;
    }
    let requests = server.requests();
    let first = requests.first().expect("the subscription was sent");
    assert_eq!(first.method(), "POST");
    assert_eq!(first.header("x-request-id"), Some("arc-9"), "{first:?}");
}
