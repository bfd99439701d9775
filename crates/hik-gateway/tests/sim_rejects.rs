//! A request the simulator's generated decoders reject answers the gateway's own
//! `JSON_ResponseStatus` (`badJsonFormat` for a body that is not JSON, `badParameters` for JSON
//! of the wrong shape), never the kit's plain-text 400, and changes nothing.

use bytes::Bytes;
use hik_gateway::models::{SearchDescription, SearchDescriptionMsg};
use hik_gateway::sim::Simulator;
use hik_gateway::{HikStatusExt as _, SearchDevicesRequest, SubStatus};
use watchpost_core::operation::{Body, ToRequest as _};

#[tokio::test(start_paused = true)]
async fn undecodable_requests_answer_the_gateways_status() {
    let sim = Simulator::start().await.unwrap();
    let c = sim.client_builder().build().unwrap();
    let search = SearchDevicesRequest::new(SearchDescriptionMsg {
        search_description: SearchDescription { position: 0, max_result: 2, filter: None },
    });
    for (body, want) in [
        (&br#"{"SearchDescription":"#[..], SubStatus::BadJsonFormat),
        (br#"not json"#, SubStatus::BadJsonFormat),
        (br#"{"SearchDescription":{"searchResultPosition":"first"}}"#, SubStatus::BadParameters),
    ] {
        let mut req = search.to_request().unwrap();
        req.body = Body::Json(Bytes::copy_from_slice(body));
        let err = c.execute(req).await.unwrap_err();
        assert_eq!(err.sub_status(), Some(want.clone()), "{}", err.report());
        assert_eq!(err.status(), Some(400));
        let status = err.hik_status().unwrap();
        assert_eq!((status.status_code, status.error_code), (want.status_code(), want.error_code()));
    }
    assert_eq!(sim.hits("devices.list"), 4, "one Digest challenge, then three rejected requests");
    assert_eq!(sim.device_ids().len(), 2);
    sim.shutdown().await;
}
