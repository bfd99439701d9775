//! A decode error names the path of the failing field, from the envelope down (`data[1].tzValue`),
//! for an answer of the simulator with a wrong type deep inside.

use ezviz_lapp::requests::ListTimezonesRequest;
use ezviz_lapp::sim::Simulator;
use serde_json::json;
use watchpost_core::error::DecodeError;
use watchpost_core::sim::SimResponse;
use watchpost_core::Error;

#[tokio::test]
async fn a_wrong_type_deep_in_data_is_named_by_its_path() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let body = json!({ "code": "200", "msg": "Operation succeeded", "data": [
        { "tzCode": 1, "tzValue": "UTC", "disPlayName": "(UTC) Coordinated Universal Time" },
        { "tzCode": 2, "tzValue": 345, "disPlayName": "(UTC+05:45) Kathmandu" },
    ]});
    sim.faults().on(&ezviz_lapp::ops::LIST_TIMEZONES).fail_next(1, SimResponse::json(200, &body));
    let e = client.list_timezones(&ListTimezonesRequest::new()).await.unwrap_err();
    let Error::Decode { source, .. } = &e else { panic!("not a decode error: {e:?}") };
    assert!(matches!(source, DecodeError::Json { .. }), "{source:?}");
    assert_eq!(source.path(), Some("data[1].tzValue"), "{}", e.report());
    let report = e.report().to_string();
    assert!(report.contains("invalid JSON at `data[1].tzValue`: invalid type: integer `345`"), "{report}");
    // The top-level message does not repeat its cause; the report gives each level once.
    assert!(!e.to_string().contains("invalid JSON"), "{e}");
    assert_eq!(report.matches("invalid JSON").count(), 1, "{report}");
    sim.shutdown().await;
}
