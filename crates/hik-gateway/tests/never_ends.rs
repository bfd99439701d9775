//! A subscription that was once established never ends by itself: a rejected password, a
//! refusal or an unexpected answer to a later re-subscription is an error item, and the stream
//! retries (a rejected password only after the slow back-off, so the account is not locked)
//! until the caller drops it. Loopback simulator, paused clock.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use hik_gateway::models::{ResponseStatus, SubscribeDeviceMgmtMsg};
use hik_gateway::sim::Simulator;
use hik_gateway::{CidCode, Client, ConnectionState, Event, EventStream, EventStreamConfig, Notification, SubStatus};
use watchpost_core::retry::FixedJitter;
use watchpost_core::sim::SimResponse;
use watchpost_core::{Error, ErrorClass};

fn client(sim: &Simulator) -> Client {
    let events = EventStreamConfig::default().jitter(Arc::new(FixedJitter(1.0)));
    Client::builder()
        .base_url(sim.base_url())
        .credentials(sim.username(), sim.password())
        .events(events)
        .build()
        .unwrap()
}

/// The next item that is neither a heartbeat nor a resync item.
async fn next(stream: &mut EventStream) -> Result<Notification, Error> {
    loop {
        let item = tokio::time::timeout(Duration::from_secs(3600), stream.next())
            .await
            .expect("an item within an hour")
            .expect("the stream does not end");
        match &item {
            Ok(Notification::Event(e)) if e.is_heartbeat() => {}
            Ok(Notification::ResyncStarted | Notification::Resync(_) | Notification::ResyncDone(_)) => {}
            _ => return item,
        }
    }
}

/// Items up to the next `Subscribed` and the end of its resync (heartbeats and resync items
/// left out).
async fn until_subscribed(stream: &mut EventStream) -> Vec<Result<Notification, Error>> {
    let mut seen = Vec::new();
    loop {
        let item = tokio::time::timeout(Duration::from_secs(3600), stream.next())
            .await
            .expect("an item within an hour")
            .expect("the stream does not end");
        assert!(!matches!(item, Ok(Notification::State(ConnectionState::Closed))), "closed: {seen:?}");
        match item {
            Ok(Notification::ResyncDone(_)) if seen.iter().any(|i| matches!(i, Ok(Notification::Subscribed(_)))) => {
                return seen
            }
            Ok(Notification::Event(e)) if e.is_heartbeat() => {}
            Ok(Notification::ResyncStarted | Notification::Resync(_) | Notification::ResyncDone(_)) => {}
            other => seen.push(other),
        }
    }
}

async fn expect_live_alarm(sim: &Simulator, stream: &mut EventStream) {
    let dev = sim.device_ids()[0].clone();
    let raised = sim.raise_cid(&dev, CidCode::FireAlarm, 1);
    assert_eq!(raised.delivered, 1);
    match next(stream).await {
        Ok(Notification::Event(Event::CidAlarm(a))) => assert_eq!(a.cid.uuid, Some(raised.uuid)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_password_rejected_after_the_subscription_was_established_does_not_end_the_stream() {
    let sim = Simulator::start().await.unwrap();
    let c = client(&sim);
    let mut s = c.subscribe(SubscribeDeviceMgmtMsg::all());
    until_subscribed(&mut s).await;

    // The gateway starts rejecting the password (changed on the device, or a glitch of its
    // user database), and the stream drops.
    sim.digest().set_password(sim.username(), "changed-on-the-device");
    sim.cut_streams();
    let failures_before = sim.digest().failures();
    let mut seen = Vec::new();
    let delay = loop {
        let item = next(&mut s).await;
        assert!(!matches!(item, Ok(Notification::State(ConnectionState::Closed))), "closed: {seen:?}");
        if let Ok(Notification::State(ConnectionState::Backoff { delay, .. })) = &item {
            if seen
                .iter()
                .any(|i: &Result<Notification, Error>| i.as_ref().is_err_and(|e| e.class() == ErrorClass::AuthRejected))
            {
                break *delay;
            }
        }
        seen.push(item);
    };
    // The slow back-off (10 min, jitter fixed at its maximum), not the 1 s of the ordinary one.
    assert_eq!(delay, Duration::from_secs(600), "{seen:?}");
    let spent = sim.digest().failures() - failures_before;
    assert!(spent <= 2, "one subscription attempt costs at most two lock-out attempts, spent {spent}");

    // The password is back (the glitch is over): the next attempt subscribes again, and
    // nothing more was tried during the slow back-off.
    sim.digest().set_password(sim.username(), sim.password());
    let waited_from = tokio::time::Instant::now();
    until_subscribed(&mut s).await;
    assert!(waited_from.elapsed() >= Duration::from_secs(600));
    assert_eq!(sim.digest().failures() - failures_before, spent, "no attempt during the slow back-off");
    expect_live_alarm(&sim, &mut s).await;
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_refusal_after_the_subscription_was_established_is_retried() {
    let sim = Simulator::start().await.unwrap();
    let c = client(&sim);
    let mut s = c.subscribe(SubscribeDeviceMgmtMsg::all());
    until_subscribed(&mut s).await;

    let refused = ResponseStatus::failure("/ISAPI/Event/notification/subscribeDeviceMgmt", SubStatus::BadParameters);
    let answers = [
        (SimResponse::json(400, &refused), ErrorClass::Permanent),
        (SimResponse::bytes(404, "text/html", "<html>Not Found</html>"), ErrorClass::Permanent),
    ];
    for (answer, class) in answers {
        sim.faults().on(&hik_gateway::ops::SUBSCRIBE_RAW).fail_next(1, answer);
        sim.cut_streams();
        let seen = until_subscribed(&mut s).await;
        assert!(seen.iter().any(|i| i.as_ref().is_err_and(|e| e.class() == class)), "{class:?} reported: {seen:?}");
        expect_live_alarm(&sim, &mut s).await;
    }
    assert_eq!(sim.subscriptions_opened(), 3);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_wrong_password_before_the_first_subscription_still_ends_the_stream() {
    // Before any subscription succeeded, a rejected login is a configuration error: it is
    // reported once and never repeated (the account would be locked).
    let sim = Simulator::start().await.unwrap();
    let c = Client::builder().base_url(sim.base_url()).credentials(sim.username(), "wrong").build().unwrap();
    let mut s = c.subscribe(SubscribeDeviceMgmtMsg::all());
    let mut items = Vec::new();
    while let Some(item) = s.next().await {
        items.push(item);
    }
    assert!(items.iter().any(|i| i.as_ref().is_err_and(|e| e.class() == ErrorClass::AuthRejected)), "{items:?}");
    assert!(matches!(items.last(), Some(Ok(Notification::State(ConnectionState::Closed)))));
    assert_eq!(sim.digest().failures(), 1);
    sim.shutdown().await;
}
