//! Decode errors name the path of the failing field, for a JSON answer of the simulator with a
//! wrong type deep inside a list, and for an XML alarm stream part with one.

use std::time::Duration;

use futures_util::StreamExt;
use hik_gateway::models::SubscribeDeviceMgmtMsg;
use hik_gateway::sim::Simulator;
use hik_gateway::ZonesStatusRequest;
use hik_gateway::{Client, EventStream, Notification};
use serde_json::json;
use watchpost_core::error::DecodeError;
use watchpost_core::sim::SimResponse;
use watchpost_core::Error;

fn client(sim: &Simulator) -> Client {
    Client::builder().base_url(sim.base_url()).credentials(sim.username(), sim.password()).build().unwrap()
}

/// The decode error under `e` (directly, or as the cause of a stream error).
fn decode_error(e: &Error) -> &DecodeError {
    match e {
        Error::Decode { source, .. } => source,
        Error::Stream { cause: Some(cause), .. } => decode_error(cause),
        other => panic!("not a decode error: {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_wrong_type_deep_in_a_json_answer_is_named_by_its_path() {
    let sim = Simulator::start().await.unwrap();
    let dev = sim.device_ids()[0].clone();
    let zones = json!({ "ZoneList": [
        { "Zone": { "id": 1, "status": "normal" } },
        { "Zone": { "id": 2, "status": "normal" } },
        { "id": 3, "status": "normal" },
        { "Zone": { "id": 4, "status": { "unexpected": true } } },
    ]});
    sim.faults().on(&hik_gateway::ops::ZONES_STATUS).fail_next(1, SimResponse::json(200, &zones));
    let e = client(&sim).zones_status(&ZonesStatusRequest::new(dev.clone())).await.unwrap_err();
    let decode = decode_error(&e);
    assert_eq!(decode.path(), Some("ZoneList[3].Zone.status"), "{}", e.report());
    let report = e.report().to_string();
    assert!(report.contains("invalid JSON at `ZoneList[3].Zone.status`: invalid type: map"), "{report}");

    // A bare item keeps its path too.
    let zones = json!({ "ZoneList": [{ "Zone": { "id": 1 } }, { "id": "three" }] });
    sim.faults().on(&hik_gateway::ops::ZONES_STATUS).fail_next(1, SimResponse::json(200, &zones));
    let e = client(&sim).zones_status(&ZonesStatusRequest::new(dev)).await.unwrap_err();
    assert_eq!(decode_error(&e).path(), Some("ZoneList[1].id"), "{}", e.report());
    sim.shutdown().await;
}

/// The next item that is not a heartbeat (at most 1,000 items are read).
async fn next(stream: &mut EventStream) -> Result<Notification, Error> {
    for _ in 0..1000 {
        let item = tokio::time::timeout(Duration::from_secs(120), stream.next())
            .await
            .expect("an item within two minutes")
            .expect("the stream does not end");
        if !matches!(&item, Ok(Notification::Event(e)) if e.is_heartbeat()) {
            return item;
        }
    }
    panic!("only heartbeats");
}

#[tokio::test(start_paused = true)]
async fn a_wrong_type_deep_in_an_xml_alarm_part_is_named_by_its_path() {
    let sim = Simulator::start().await.unwrap();
    let c = client(&sim);
    let mut s = c.subscribe(SubscribeDeviceMgmtMsg::all());
    // Up to the end of the resync that follows the subscription.
    let mut subscribed = false;
    for _ in 0..1000 {
        let item = next(&mut s).await;
        subscribed |= matches!(item, Ok(Notification::Subscribed(_)));
        if subscribed && matches!(item, Ok(Notification::ResyncDone(_))) {
            break;
        }
    }
    assert!(subscribed);
    let body = "<EventNotificationAlert version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\">\
        <eventType>CIDAlarm</eventType><CIDAlarm><CIDCode>1130</CIDCode><zoneNo>twelve</zoneNo></CIDAlarm>\
        </EventNotificationAlert>";
    sim.send_raw(format!(
        "--boundary\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\r\n{body}\r\n",
        body.len()
    ));
    let e = next(&mut s).await.unwrap_err();
    assert_eq!(decode_error(&e).path(), Some("CIDAlarm.zoneNo"), "{}", e.report());
    let report = e.report().to_string();
    assert!(report.contains("invalid XML at `CIDAlarm.zoneNo`"), "{report}");
    sim.shutdown().await;
}
