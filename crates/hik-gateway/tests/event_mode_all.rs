//! The operations the seed documents as not supported for an `eventMode: all` subscription
//! (6.1 steps 2, 3 and 5: query status, add and remove a device's event types) are refused
//! locally with `Error::Unsupported`: the simulator counts zero requests for them. The client
//! knows the mode from its own streams: the stream's request, and for the generated methods
//! taking a raw subscription ID, the IDs its `eventMode: all` streams received.

use std::time::Duration;

use futures_util::StreamExt;
use hik_gateway::models::*;
use hik_gateway::sim::Simulator;
use hik_gateway::*;
use watchpost_core::ErrorKind;

const REFUSED: [&str; 3] = ["event.query_status", "event.device_events.add", "event.device_events.remove"];

/// Reads the stream until its `Subscribed` notification and returns the subscription ID.
async fn subscribed(stream: &mut EventStream) -> String {
    loop {
        let item = tokio::time::timeout(Duration::from_secs(60), stream.next()).await.expect("in time");
        if let Some(Ok(Notification::Subscribed(rsp))) = item {
            return rsp.id.expect("an id");
        }
    }
}

fn refused_hits(sim: &Simulator) -> Vec<u64> {
    REFUSED.iter().map(|op| sim.hits(op)).collect()
}

#[tokio::test(start_paused = true)]
async fn per_device_subscription_calls_under_event_mode_all_send_nothing() {
    let sim = Simulator::start().await.unwrap();
    let c = Client::builder().base_url(sim.base_url()).credentials(sim.username(), sim.password()).build().unwrap();
    let dev = sim.device_ids().into_iter().next().unwrap();
    let mut stream = c.subscribe(SubscribeDeviceMgmtMsg::all());
    let id = subscribed(&mut stream).await;
    assert!(c.is_all_mode_subscription(&id));
    let total = sim.requests_total();

    // Through the stream.
    let e = stream.query_status().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e:?}");
    let e = stream.add_device_events(DevEvent::part(&dev, [EventKind::CidAlarm])).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e:?}");
    let e = stream.remove_device_events(&dev).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e:?}");
    // Through the generated methods, with the raw subscription ID.
    let e = c.query_subscription_status(&QuerySubscriptionStatusRequest::new(&id)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e:?}");
    let body = SubscribeDevEventMsg { subscribe_dev_event: DevEvent::part(&dev, [EventKind::CidAlarm]) };
    let e = c.add_device_events(&AddDeviceEventsRequest::new(&id, &dev, body)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e:?}");
    let e = c.remove_device_events(&RemoveDeviceEventsRequest::new(&id, &dev)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e:?}");
    assert!(e.to_string().contains("eventMode"), "{e}");

    assert_eq!(refused_hits(&sim), vec![0, 0, 0], "nothing reached the gateway");
    assert_eq!(sim.requests_total(), total, "no request at all");
    drop(stream);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_same_calls_go_out_for_an_event_mode_device_subscription() {
    let sim = Simulator::start().await.unwrap();
    let c = Client::builder().base_url(sim.base_url()).credentials(sim.username(), sim.password()).build().unwrap();
    let dev = sim.device_ids().into_iter().next().unwrap();
    let mut stream = c.subscribe(SubscribeDeviceMgmtMsg::devices([DevEvent::all(&dev)]));
    let id = subscribed(&mut stream).await;
    assert!(!c.is_all_mode_subscription(&id));
    assert_eq!(stream.query_status().await.unwrap().len(), 1);
    assert_eq!(refused_hits(&sim), vec![1, 0, 0]);
    drop(stream);
    sim.shutdown().await;
}
