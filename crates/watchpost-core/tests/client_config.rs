//! `PipelineBuilder::config` applies a `ClientConfig`: checked on the wire against a hostile
//! server that records what the client sent. Paused clock.

use std::sync::Arc;
use std::time::Duration;

use watchpost_core::clock::ManualClock;
use watchpost_core::config::ClientConfig;
use watchpost_core::operation::{Operation, Request};
use watchpost_core::pipeline::Pipeline;
use watchpost_core::retry::RetryConfig;
use watchpost_core::sim::{http_response, ScriptedServer};

static GET: Operation = Operation::adhoc("t", "t.get", http::Method::GET, "/x").idempotent(true);

#[tokio::test(start_paused = true)]
async fn the_user_agent_retry_and_clock_of_a_config_apply() {
    let server = ScriptedServer::start([http_response("503 Service Unavailable", &[], b"")]).await.unwrap();
    let clock = Arc::new(ManualClock::at_secs(1_000_000));
    let config = ClientConfig::default()
        .user_agent("acme-arc/2.1")
        .retry(RetryConfig { max_attempts: 2, ..RetryConfig::default() })
        .attempt_timeout(Duration::from_secs(7))
        .clock(clock);
    let p = Pipeline::builder("t", server.base_url()).config(&config).build().unwrap();
    assert_eq!(p.transport().config().attempt_timeout, Duration::from_secs(7));
    assert_eq!(p.clock().unix_now().as_secs(), 1_000_000);
    assert!(!p.serializes_per_device(), "the vendor's default when the config leaves it unset");
    p.execute(Request::new(&GET)).await.unwrap_err();
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "max_attempts 2");
    assert!(requests.iter().all(|r| r.header("user-agent") == Some("acme-arc/2.1")), "{requests:?}");
}

#[tokio::test(start_paused = true)]
async fn settings_a_config_leaves_unset_keep_the_vendor_default() {
    let server = ScriptedServer::start([http_response("503 Service Unavailable", &[], b"")]).await.unwrap();
    // A vendor default of one attempt and per-device locks, which an empty config keeps.
    let p = Pipeline::builder("t", server.base_url())
        .retry(RetryConfig { max_attempts: 1, ..RetryConfig::default() })
        .serialize_per_device(true)
        .config(&ClientConfig::default())
        .build()
        .unwrap();
    assert!(p.serializes_per_device());
    p.execute(Request::new(&GET)).await.unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert_eq!(server.requests()[0].header("user-agent"), Some(concat!("watchpost/", env!("CARGO_PKG_VERSION"))));
}
