//! A decode error names the path of the failing field (`objects[1].is_online`), for an answer
//! of the simulator with a wrong type deep inside a page.

use gizwits_ent::sim::fixtures::PRODUCT_KEY;
use gizwits_ent::sim::Simulator;
use gizwits_ent::SearchDevicesRequest;
use serde_json::json;
use watchpost_core::sim::SimResponse;
use watchpost_core::Error;

#[tokio::test]
async fn a_wrong_type_deep_in_a_page_is_named_by_its_path() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let body = json!({
        "meta": { "total": 2, "limit": 20, "skip": 0 },
        "objects": [
            { "did": "d1", "mac": "aa", "is_online": true },
            { "did": "d2", "mac": "bb", "is_online": { "since": 3 } },
        ],
    });
    sim.faults().on(&gizwits_ent::ops::SEARCH_DEVICES).fail_next(1, SimResponse::json(200, &body));
    let e = client.search_devices(&SearchDevicesRequest::new(PRODUCT_KEY)).await.unwrap_err();
    let Error::Decode { source, .. } = &e else { panic!("not a decode error: {e:?}") };
    assert_eq!(source.path(), Some("objects[1].is_online"), "{}", e.report());
    let report = e.report().to_string();
    assert!(report.contains("invalid JSON at `objects[1].is_online`: "), "{report}");
    sim.shutdown().await;
}
