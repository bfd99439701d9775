//! Per-call options (`Client::customize`) against a hostile server that records what the client
//! sent: extra headers reach the server on a product call (token fetch first) and retries can be
//! turned off for one call. Paused clock.

use gizwits_ent::models::{Attrs, ControlCommand};
use gizwits_ent::{Client, ControlDeviceRequest};
use http::{HeaderName, HeaderValue};
use watchpost_core::sim::{http_response, ScriptedServer};
use watchpost_core::ErrorClass;

const PRODUCT_KEY: &str = "6f2e214bf2d79649232431b94a25f46a";

fn token_answer() -> bytes::Bytes {
    http_response(
        "200 OK",
        &[("Content-Type", "application/json")],
        br#"{"token":"89d753a234ef42cd90f75da7489e78a4","expired_at":4102444800}"#,
    )
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .enterprise("ent-id", "ent-secret")
        .product(PRODUCT_KEY, "product-secret")
        .build()
        .unwrap()
}

fn control() -> ControlDeviceRequest {
    ControlDeviceRequest::new(PRODUCT_KEY, "did-1", ControlCommand::attrs(Attrs::new().set("switch", true)))
}

#[tokio::test(start_paused = true)]
async fn extra_headers_reach_the_server() {
    let server = ScriptedServer::start([token_answer(), http_response("200 OK", &[], b"")]).await.unwrap();
    let c = client(&server.base_url())
        .customize(|o| o.header(HeaderName::from_static("x-request-id"), HeaderValue::from_static("arc-7")));
    c.control_device(&control()).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{requests:?}");
    let call = &requests[1];
    assert!(call.target().ends_with("/devices/did-1/control"), "{call:?}");
    assert_eq!(call.header("x-request-id"), Some("arc-7"));
}

#[tokio::test(start_paused = true)]
async fn retry_off_makes_one_attempt_on_a_retryable_error() {
    let server =
        ScriptedServer::start([token_answer(), http_response("503 Service Unavailable", &[], b"")]).await.unwrap();
    let c = client(&server.base_url());
    let req = gizwits_ent::DeviceDetailRequest::new(PRODUCT_KEY, "did-1");
    let err = c.customize(|o| o.disable_retry()).device_detail(&req).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Retryable, "{err:?}");
    assert_eq!(server.requests().len(), 2, "the token, then one attempt");
    let err = c.device_detail(&req).await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Retryable, "{err:?}");
    assert_eq!(server.requests().len(), 5, "without the option: 3 attempts");
}
