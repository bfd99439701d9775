//! Pagination across pages, and typed errors (never a panic) for whatever a server may answer.

use std::collections::HashSet;

use futures_util::{StreamExt as _, TryStreamExt as _};
use gizwits_ent::sim::fixtures::{DEVICE_DID, DEVICE_MAC, PRODUCT_KEY};
use gizwits_ent::sim::Simulator;
use gizwits_ent::{
    DeviceDataRequest, DeviceDetailRequest, GizwitsCode, GizwitsErrorExt as _, Result, SearchDevicesRequest,
};
use watchpost_core::error::DecodeError;
use watchpost_core::sim::SimResponse;
use watchpost_core::transport::TransportConfig;
use watchpost_core::{Error, ErrorClass, ErrorKind};

static DETAIL: &watchpost_core::operation::Operation = &gizwits_ent::ops::DEVICE_DETAIL;

#[tokio::test(start_paused = true)]
async fn pagination_over_a_thousand_devices_yields_each_exactly_once() -> Result<()> {
    // 998 generated devices plus the two enabled fixture devices (the disabled one is hidden).
    let sim = Simulator::builder().extra_devices(998).start().await.expect("simulator");
    let client = sim.client_builder().page_size(30).build()?;
    let devices: Vec<_> = client.paginate(&SearchDevicesRequest::new(PRODUCT_KEY)).try_collect().await?;
    assert_eq!(devices.len(), 1000);
    let unique: HashSet<&str> = devices.iter().map(|d| d.did.as_str()).collect();
    assert_eq!(unique.len(), 1000, "no device twice");
    let expected: Vec<String> =
        sim.device_dids(PRODUCT_KEY).into_iter().filter(|d| d != gizwits_ent::sim::fixtures::DISABLED_DID).collect();
    assert_eq!(devices.iter().map(|d| d.did.clone()).collect::<Vec<_>>(), expected, "in order");
    assert_eq!(sim.hits("devices.search"), 34, "ceil(1000 / 30) pages, nothing more");

    // The request's own limit and skip win over the client's page size.
    let tail: Vec<_> =
        client.paginate(&SearchDevicesRequest::new(PRODUCT_KEY).limit(400).skip(900)).try_collect().await?;
    assert_eq!(tail.len(), 100);
    assert_eq!(sim.hits("devices.search"), 35);

    // An error mid-way is yielded as an item and ends the stream.
    sim.faults()
        .on(&gizwits_ent::ops::SEARCH_DEVICES)
        .fail_next(1, SimResponse::json(404, &serde_json::json!({"error_code": 5206})));
    let mut stream = Box::pin(client.paginate_with(&SearchDevicesRequest::new(PRODUCT_KEY).skip(990), Some(5)));
    let first = stream.next().await.expect("an item");
    assert_eq!(first.unwrap_err().gizwits_code(), Some(GizwitsCode::GroupNotExist));
    assert!(stream.next().await.is_none());

    // Small lists and time-windowed history page the same way.
    let history: Vec<_> = client.paginate(&DeviceDataRequest::new(PRODUCT_KEY, DEVICE_DID)).try_collect().await?;
    assert!((48..=49).contains(&history.len()), "two days of hourly records by default: {}", history.len());
    let bad =
        client.paginate(&DeviceDataRequest::new(PRODUCT_KEY, DEVICE_DID).start_ts(1)).try_collect::<Vec<_>>().await;
    assert_eq!(bad.unwrap_err().kind(), ErrorKind::InvalidInput);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn error_codes_as_numbers_or_strings_are_typed() -> Result<()> {
    let sim = Simulator::start().await.expect("simulator");
    let client = sim.client_builder().build()?;
    let detail = DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC);
    client.device_detail(&detail).await?;
    for body in [
        r#"{"error_code": 5301, "error_message": "device not exist", "detail_message": "did"}"#,
        r#"{"error_code": "5301", "error_message": "device not exist", "detail": ""}"#,
        r#"{"error_code": " 5301 ", "error_message": null, "detail": {"did": "x"}}"#,
    ] {
        sim.faults().on(DETAIL).fail_next(1, SimResponse::bytes(404, "application/json", body));
        let e = client.device_detail(&detail).await.unwrap_err();
        assert_eq!(
            (e.gizwits_code(), e.class(), e.status()),
            (Some(GizwitsCode::DeviceNotExist), ErrorClass::Permanent, Some(404)),
            "{body}"
        );
    }
    // An unknown code is kept; a 5xx one is retried (GET), and succeeds the second time.
    sim.faults()
        .on(DETAIL)
        .fail_next(1, SimResponse::json(500, &serde_json::json!({"error_code": "7001", "error_message": "new"})));
    client.device_detail(&detail).await?;
    sim.faults().on(DETAIL).fail_next(1, SimResponse::json(418, &serde_json::json!({"error_code": 7002})));
    let e = client.device_detail(&detail).await.unwrap_err();
    assert_eq!((e.gizwits_code(), e.class()), (Some(GizwitsCode::Other("7002".into())), ErrorClass::Permanent));
    // An expired-token answer from nowhere: one refresh, one replay, the caller sees success.
    let tokens = sim.tokens_issued();
    sim.faults().on(DETAIL).fail_next(
        1,
        SimResponse::json(400, &serde_json::json!({"error_code": "5009", "error_message": "token invalid"})),
    );
    client.device_detail(&detail).await?;
    assert_eq!(sim.tokens_issued(), tokens + 1);
    // A rate-limit answer without any header waits a whole window, as the seed says.
    sim.faults().on(DETAIL).fail_next(1, SimResponse::json(403, &serde_json::json!({"error_code": 5013})));
    let start = tokio::time::Instant::now();
    client.device_detail(&detail).await?;
    assert!(start.elapsed() >= std::time::Duration::from_secs(3600));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn malformed_html_and_oversized_bodies_are_typed_errors() -> Result<()> {
    let sim = Simulator::builder().extra_devices(200).start().await.expect("simulator");
    let client = sim.client_builder().build()?;
    let detail = DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC);
    client.device_detail(&detail).await?;

    // Malformed JSON on a success status.
    for body in [r#"{"did": "#, "", "null", r#""just text""#, "{\"did\": 1}}", "\u{0}\u{1}"] {
        sim.faults().on(DETAIL).fail_next(1, SimResponse::bytes(200, "application/json", body));
        let e = client.device_detail(&detail).await.unwrap_err();
        assert_eq!((e.kind(), e.class()), (ErrorKind::Decode, ErrorClass::Permanent), "{body:?}: {e}");
    }
    // An HTML page: on 200 it cannot be decoded; on 404 it is the HTTP status that counts; on 502
    // it is retried and the next attempt succeeds.
    let html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    sim.faults().on(DETAIL).fail_next(1, SimResponse::bytes(200, "text/html", html));
    assert_eq!(client.device_detail(&detail).await.unwrap_err().kind(), ErrorKind::Decode);
    sim.faults().on(DETAIL).fail_next(1, SimResponse::bytes(404, "text/html", html));
    let e = client.device_detail(&detail).await.unwrap_err();
    assert_eq!((e.kind(), e.status(), e.gizwits_code()), (ErrorKind::Api, Some(404), None));
    assert!(!e.to_string().contains("<html"), "{e}");
    sim.faults().on(DETAIL).fail_next(1, SimResponse::bytes(502, "text/html", html));
    client.device_detail(&detail).await?;
    // A body cut short by the connection: a transport error, retried for a GET.
    sim.faults().on(DETAIL).truncate_next(1, 10);
    client.device_detail(&detail).await?;

    // A body over the size limit.
    let small = sim
        .client_builder()
        .transport(TransportConfig { max_body_size: 4096, ..TransportConfig::default() })
        .build()?;
    let e = small.search_devices(&SearchDevicesRequest::new(PRODUCT_KEY).limit(200)).await.unwrap_err();
    assert!(matches!(e, Error::Decode { source: DecodeError::TooLarge { limit: 4096 }, .. }), "{e:?}");
    assert_eq!(e.class(), ErrorClass::Permanent);
    let fine = small.search_devices(&SearchDevicesRequest::new(PRODUCT_KEY).limit(5)).await?;
    assert_eq!(fine.objects.len(), 5);
    Ok(())
}
