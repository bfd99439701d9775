//! The device list pages through the core paginator: lazily against the simulator, and never
//! endlessly against a hostile gateway that answers every page with the same devices.

use futures_util::{StreamExt as _, TryStreamExt as _};
use hik_gateway::models::{SearchDescription, SearchDescriptionMsg};
use hik_gateway::sim::{SimConfig, Simulator};
use hik_gateway::{Client, SearchDevicesRequest};
use watchpost_core::operation::ToRequest as _;
use watchpost_core::sim::{http_response, ScriptedServer};
use watchpost_core::{ErrorKind, Result};

fn client(sim: &Simulator, page_size: u32) -> Client {
    Client::builder()
        .base_url(sim.base_url())
        .credentials(sim.username(), sim.password())
        .page_size(page_size)
        .build()
        .unwrap()
}

fn search(position: u32, max_result: u32) -> SearchDevicesRequest {
    SearchDevicesRequest::new(SearchDescriptionMsg {
        search_description: SearchDescription { position, max_result, filter: None },
    })
}

#[tokio::test(start_paused = true)]
async fn the_device_list_is_fetched_page_by_page_and_only_when_needed() -> Result<()> {
    let sim = Simulator::start_with(SimConfig::default().devices(10)).await.expect("simulator");
    let c = client(&sim, 4);
    let mut stream = c.search_devices_stream(&search(0, 4));
    for _ in 0..4 {
        stream.next().await.expect("an item")?;
    }
    // The first page may take two requests (the Digest challenge, then the answer).
    let first = sim.hits("devices.list");
    stream.next().await.expect("an item")?;
    assert_eq!(sim.hits("devices.list"), first + 1, "the second page is fetched only when needed");
    for _ in 0..3 {
        stream.next().await.expect("an item")?;
    }
    assert_eq!(sim.hits("devices.list"), first + 1, "and nothing more while its items last");
    let rest: Vec<_> = stream.try_collect().await?;
    assert_eq!(rest.len(), 2);
    assert_eq!(sim.hits("devices.list"), first + 2, "ceil(10 / 4) pages, nothing more");

    // The request's position is where the list starts; devices() is the same stream.
    let tail: Vec<_> = c.search_devices_stream(&search(7, 4)).try_collect().await?;
    assert_eq!(tail.len(), 3);
    let all: Vec<_> = c.devices(None).try_collect().await?;
    let ids: Vec<&str> = all.iter().map(|d| d.dev_index.as_str()).collect();
    assert_eq!(ids, sim.device_ids().iter().map(String::as_str).collect::<Vec<_>>());
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn a_gateway_that_repeats_its_first_page_ends_the_stream_with_a_decode_error() -> Result<()> {
    // The simulator's real first page (2 of 10 devices, totalMatches 10), served for every page.
    let sim = Simulator::start_with(SimConfig::default().devices(10)).await.expect("simulator");
    let page = client(&sim, 2).execute(search(0, 2).to_request()?).await?.body;
    let hostile =
        ScriptedServer::start([http_response("200 OK", &[("Content-Type", "application/json")], &page)]).await.unwrap();
    let c = Client::builder().base_url(hostile.base_url()).credentials("admin", "pw").page_size(2).build()?;
    let items: Vec<Result<_>> = c.devices(None).take(20).collect().await;
    assert_eq!(
        items.len(),
        3,
        "two devices, then the error, then the end: {} errors",
        items.iter().filter(|r| r.is_err()).count()
    );
    assert!(items[..2].iter().all(Result::is_ok));
    let err = items[2].as_ref().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
    assert!(err.report().to_string().contains("page 2 repeats"), "{}", err.report());
    assert_eq!(hostile.requests().len(), 2, "no third page was asked for");
    Ok(())
}
