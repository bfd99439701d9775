//! Lists page through the core paginator: lazily against the simulator, and never endlessly
//! against a hostile server that answers every page with the same full page.

use futures_util::{StreamExt as _, TryStreamExt as _};
use gizwits_ent::sim::fixtures::PRODUCT_KEY;
use gizwits_ent::sim::Simulator;
use gizwits_ent::{Client, Result, SearchDevicesRequest};
use watchpost_core::operation::ToRequest as _;
use watchpost_core::sim::{http_response, ScriptedServer};
use watchpost_core::ErrorKind;

#[tokio::test(start_paused = true)]
async fn the_generated_stream_fetches_a_page_only_when_needed() -> Result<()> {
    let sim = Simulator::builder().extra_devices(48).start().await.expect("simulator");
    let client = sim.client_builder().page_size(20).build()?;
    let mut stream = client.search_devices_stream(&SearchDevicesRequest::new(PRODUCT_KEY));
    for _ in 0..20 {
        stream.next().await.expect("an item")?;
    }
    assert_eq!(sim.hits("devices.search"), 1, "the second page is not fetched before it is needed");
    let rest: Vec<_> = stream.try_collect().await?;
    assert_eq!(rest.len(), 30);
    assert_eq!(sim.hits("devices.search"), 3, "ceil(50 / 20) pages, nothing more");
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_server_that_repeats_a_full_page_without_a_total_ends_the_stream_with_a_decode_error() -> Result<()> {
    // The simulator's real first page of 3, without `meta.total`: only a short or empty page
    // would end the list, and this server never sends one.
    let sim = Simulator::builder().extra_devices(8).start().await.expect("simulator");
    let client = sim.client_builder().build()?;
    let raw = client.execute(SearchDevicesRequest::new(PRODUCT_KEY).limit(3).to_request()?).await?;
    let mut page: serde_json::Value = serde_json::from_slice(&raw.body).expect("a JSON page");
    page["meta"].as_object_mut().expect("meta").remove("total");
    let page = serde_json::to_vec(&page).expect("json");
    let token = http_response(
        "200 OK",
        &[("Content-Type", "application/json")],
        br#"{"token":"89d753a234ef42cd90f75da7489e78a4","expired_at":4102444800}"#,
    );
    let hostile =
        ScriptedServer::start([token, http_response("200 OK", &[("Content-Type", "application/json")], &page)])
            .await
            .unwrap();
    let client = Client::builder()
        .base_url(hostile.base_url())
        .enterprise("ent-id", "ent-secret")
        .product(PRODUCT_KEY, "product-secret")
        .page_size(3)
        .build()?;
    let items: Vec<Result<_>> = client.paginate(&SearchDevicesRequest::new(PRODUCT_KEY)).take(50).collect().await;
    assert_eq!(
        items.len(),
        4,
        "three devices, then the error, then the end: {} errors",
        items.iter().filter(|r| r.is_err()).count()
    );
    let err = items[3].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.report().to_string().contains("page 2 repeats"), "{}", err.report());
    Ok(())
}
