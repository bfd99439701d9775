//! A required parameter with a documented default (`version`, which must be `utc`, 1.20) is not
//! an argument of `new()`, holds its default, goes on the wire, and may be left out of
//! `dispatch`'s JSON.

use ezviz_lapp::models::InfoVersion;
use ezviz_lapp::sim::{fixtures, Simulator};
use ezviz_lapp::{ops, GetDeviceInfoRequest};
use watchpost_core::operation::ToRequest as _;
use watchpost_core::Body;

#[test]
fn the_documented_version_is_the_default_and_is_sent() {
    let req = GetDeviceInfoRequest::new(fixtures::HUB);
    assert_eq!(req.version, InfoVersion::Utc);
    let wire = req.to_request().unwrap();
    let Body::Form(pairs) = &wire.body else { panic!("a form body: {:?}", wire.body) };
    assert!(pairs.iter().any(|(k, v)| k == "version" && v == "utc"), "{pairs:?}");
    let info = ops::GET_DEVICE_INFO.params.iter().find(|p| p.name == "version").unwrap();
    assert!(!info.required, "a caller need not give it");
}

#[tokio::test]
async fn dispatch_fills_in_the_default() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let out = client.call_json("device.info", serde_json::json!({ "deviceSerial": fixtures::HUB })).await.unwrap();
    assert_eq!(out["deviceSerial"], fixtures::HUB, "{out}");
    assert_eq!(sim.hits("device.info"), 1);
    sim.shutdown().await;
}
