//! `EventStream::finisher`: the subscription is ended on the gateway while the stream is still
//! read, so the events the gateway pushed before it closed the connection are all delivered,
//! and the stream then ends instead of re-subscribing.

use std::time::Duration;

use futures_util::StreamExt;
use hik_gateway::models::SubscribeDeviceMgmtMsg;
use hik_gateway::sim::Simulator;
use hik_gateway::{CidCode, Event, Notification};

#[tokio::test]
async fn a_finished_stream_yields_what_was_pushed_before_the_close_then_ends() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let mut stream = client.subscribe(SubscribeDeviceMgmtMsg::all());
    while !matches!(stream.next().await, Some(Ok(Notification::Subscribed(_)))) {}
    // Let the resync after the subscription finish, so the events below are the last items.
    while !matches!(stream.next().await, Some(Ok(Notification::ResyncDone(_)))) {}

    // Pushed by the gateway and not read yet when the subscription is ended.
    let dev = sim.device_ids()[0].clone();
    let raised: Vec<String> = (0..20)
        .map(|i| {
            let r = sim.raise_cid(&dev, CidCode::BurglaryAlarm, i % 8 + 1);
            assert_eq!(r.delivered, 1);
            r.uuid
        })
        .collect();
    let finished = stream.finisher().finish().await.unwrap();
    assert!(finished.is_some_and(|s| s.is_success()), "the gateway ended the subscription");

    let mut seen = Vec::new();
    let end = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(item) = stream.next().await {
            if let Ok(Notification::Event(Event::CidAlarm(a))) = item {
                seen.extend(a.cid.uuid.clone());
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the stream ends once the gateway closed the connection");
    assert_eq!(seen, raised, "every event pushed before the close, in order");
    assert_eq!(sim.subscriptions_opened(), 1, "no re-subscription after the finish");
    sim.shutdown().await;
}

#[tokio::test]
async fn finishing_a_stream_that_is_not_subscribed_ends_it_at_once() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let mut stream = client.subscribe(SubscribeDeviceMgmtMsg::all());
    assert_eq!(stream.finisher().finish().await.unwrap(), None, "nothing to unsubscribe yet");
    let end = tokio::time::timeout(Duration::from_secs(5), async { while stream.next().await.is_some() {} }).await;
    assert!(end.is_ok());
    sim.shutdown().await;
}
