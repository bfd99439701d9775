//! The operation the seed documents without an `accessToken` (1.21, the time zone list) works
//! on a client built without credentials: no token is fetched and none attached. Every other
//! operation is refused before anything is sent.

use ezviz_lapp::models::DefenceMode;
use ezviz_lapp::requests::{ListTimezonesRequest, SetDefenceRequest};
use ezviz_lapp::sim::Simulator;
use ezviz_lapp::Client;
use watchpost_core::ErrorKind;

#[tokio::test(start_paused = true)]
async fn the_time_zone_list_needs_no_credentials() {
    let sim = Simulator::start().await.unwrap();
    let client = Client::builder().area_domain(sim.area_domain()).build().unwrap();
    assert!(!client.has_credentials());
    let zones = client.list_timezones(&ListTimezonesRequest::new()).await.unwrap();
    assert_eq!(zones.len(), 105, "the seed's whole list");
    assert_eq!(sim.hits("timezone.list"), 1);
    assert_eq!((sim.token_calls(), sim.tokens_issued(), client.token_fetches()), (0, 0, 0), "no token fetched");
    assert_eq!(sim.requests_total(), 1, "the list request, nothing else");

    // Anything else needs a token: refused locally, nothing sent.
    let e = client.set_defence(&SetDefenceRequest::new("Q00737272", DefenceMode::Away)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:?}");
    assert_eq!(sim.requests_total(), 1);
    let e = client.call_json("device.info", serde_json::json!({"deviceSerial": "Q00737272"})).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:?}");
    assert_eq!(sim.requests_total(), 1);
}

#[tokio::test(start_paused = true)]
async fn without_an_area_domain_the_list_goes_to_the_token_host() {
    let sim = Simulator::start().await.unwrap();
    // The simulator's token host serves no operation but the token: the request reaching it
    // (and failing there) shows where the client sent it.
    let client = Client::builder().token_host(sim.token_host()).build().unwrap();
    let _ = client.list_timezones(&ListTimezonesRequest::new()).await;
    assert_eq!(sim.hits("timezone.list"), 0);
    assert_eq!(sim.requests_total(), 1, "sent to the token host, once");
    assert_eq!(sim.tokens_issued(), 0);
}
