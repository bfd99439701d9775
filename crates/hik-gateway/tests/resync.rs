//! The resync after every subscription: a zone that alarmed while the stream was stalled is
//! named by the resync of the next subscription; a panel whose state cannot be read is an
//! error item and live events follow; panels are read with bounded concurrency, within the
//! idle watchdog. Loopback simulator, paused clock.

use std::time::Duration;

use futures_util::StreamExt;
use hik_gateway::models::{DevEvent, EventKind, SubscribeDeviceMgmtMsg};
use hik_gateway::sim::{SimConfig, Simulator};
use hik_gateway::{
    CidCode, Client, ConnectionState, Event, EventStream, EventStreamConfig, Notification, ResyncReport, ResyncSummary,
};
use watchpost_core::error::TimeoutPhase;
use watchpost_core::sim::SimResponse;
use watchpost_core::{Error, ErrorKind};

fn client(sim: &Simulator, events: EventStreamConfig) -> Client {
    Client::builder()
        .base_url(sim.base_url())
        .credentials(sim.username(), sim.password())
        .events(events)
        .build()
        .unwrap()
}

/// The next item, heartbeats left out.
async fn next(stream: &mut EventStream) -> Result<Notification, Error> {
    loop {
        let item = tokio::time::timeout(Duration::from_secs(120), stream.next())
            .await
            .expect("an item within two minutes")
            .expect("the stream does not end");
        if !matches!(&item, Ok(Notification::Event(e)) if e.is_heartbeat()) {
            return item;
        }
    }
}

/// What one subscription delivered up to the end of its resync.
#[derive(Debug, Default)]
struct Subscription {
    /// Everything before `Subscribed` (states, errors of the gap).
    before: Vec<Result<Notification, Error>>,
    reports: Vec<ResyncReport>,
    errors: Vec<Error>,
    summary: ResyncSummary,
}

/// Reads up to the next `Subscribed` and its resync, checking the order: `Connected`, then
/// `Subscribed`, then `ResyncStarted`, reports or errors, `ResyncDone`, and no event in between.
async fn next_subscription(stream: &mut EventStream) -> Subscription {
    let mut sub = Subscription::default();
    loop {
        let item = next(stream).await;
        if matches!(item, Ok(Notification::Subscribed(_))) {
            assert!(
                matches!(sub.before.last(), Some(Ok(Notification::State(ConnectionState::Connected)))),
                "Subscribed follows Connected: {:?}",
                sub.before
            );
            break;
        }
        sub.before.push(item);
    }
    assert!(matches!(next(stream).await, Ok(Notification::ResyncStarted)));
    loop {
        match next(stream).await {
            Ok(Notification::Resync(report)) => sub.reports.push(report),
            Err(e) => sub.errors.push(e),
            Ok(Notification::ResyncDone(summary)) => {
                sub.summary = summary;
                return sub;
            }
            other => panic!("only resync items before ResyncDone, got {other:?}"),
        }
    }
}

fn report<'a>(sub: &'a Subscription, dev: &str) -> &'a ResyncReport {
    sub.reports.iter().find(|r| r.dev_index == dev).unwrap_or_else(|| panic!("no report for {dev}: {sub:?}"))
}

async fn expect_cid(stream: &mut EventStream, uuid: &str) {
    match next(stream).await {
        Ok(Notification::Event(Event::CidAlarm(a))) => assert_eq!(a.cid.uuid.as_deref(), Some(uuid)),
        other => panic!("expected CID alarm {uuid}, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_zone_that_alarmed_during_a_stall_is_named_by_the_resync() {
    let sim = Simulator::start_with(SimConfig::default().devices(3)).await.unwrap();
    let ids = sim.device_ids();
    let c = client(&sim, EventStreamConfig::default());
    let mut s = c.subscribe(SubscribeDeviceMgmtMsg::all());

    // The first subscription's resync: every panel read, nothing in alarm.
    let first = next_subscription(&mut s).await;
    assert!(first.summary.is_complete(), "{first:?}");
    assert_eq!(first.summary.reported, 3);
    assert!(first.reports.iter().all(|r| !r.in_alarm()), "{first:?}");

    // The stream stalls (no bytes, no heartbeats). Meanwhile zone 6 of the second panel
    // alarms: the event is lost with the stalled connection.
    sim.stall_streams();
    let lost = sim.raise_cid(&ids[1], CidCode::BurglaryAlarm, 6);
    assert_eq!(lost.delivered, 0, "the alarm is raised while the stream is stalled");
    // A zone that alarmed and restored during the gap: the panel holds the alarm (alarm
    // memory) until it is cleared, so it is named too.
    assert_eq!(sim.raise_cid(&ids[2], CidCode::PanicAlarm, 1).delivered, 0);
    assert_eq!(sim.raise_cid(&ids[2], CidCode::PanicAlarmRestored, 1).delivered, 0);
    // An alarm raised and cleared during the gap is gone: it cannot be recovered.
    assert_eq!(sim.raise_cid(&ids[0], CidCode::FireAlarm, 2).delivered, 0);
    c.device(&ids[0]).clear_alarm(1).await.unwrap();

    // The idle watchdog fires, the client re-subscribes, and the resync names the zone.
    let second = next_subscription(&mut s).await;
    assert!(
        second.before.iter().any(|i| matches!(i, Err(Error::Timeout { phase: TimeoutPhase::Idle, .. }))),
        "the gap is reported: {:?}",
        second.before
    );
    assert!(second.summary.is_complete(), "{second:?}");
    let gap = report(&second, &ids[1]);
    assert_eq!(gap.zones_in_alarm, vec![6], "{gap:?}");
    assert_eq!(gap.partitions_in_alarm, vec![2], "zone 6 is in partition 2: {gap:?}");
    assert_eq!(report(&second, &ids[2]).zones_in_alarm, vec![1]);
    assert!(!report(&second, &ids[0]).in_alarm(), "a cleared alarm is not standing");

    // Live events of the new subscription follow the resync.
    let live = sim.raise_cid(&ids[0], CidCode::Duress, 0);
    assert_eq!(live.delivered, 1);
    expect_cid(&mut s, &live.uuid).await;

    // The detector restores (the panel keeps the alarm), then disarming ends the alarm: the
    // next resync no longer names it.
    let restored = sim.raise_cid(&ids[1], CidCode::BurglaryAlarmRestored, 6);
    expect_cid(&mut s, &restored.uuid).await;
    c.device(&ids[1]).disarm(2).await.unwrap();
    sim.cut_streams();
    let third = next_subscription(&mut s).await;
    assert!(!report(&third, &ids[1]).in_alarm(), "{third:?}");
    assert_eq!(sim.subscriptions_opened(), 3);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_status_read_failure_is_an_error_item_and_live_events_follow() {
    let sim = Simulator::start_with(SimConfig::default().devices(3)).await.unwrap();
    let ids = sim.device_ids();
    // An offline panel cannot be read; another answers its zone status with broken JSON.
    sim.raise_dev_status(&ids[0], false);
    sim.faults().on(&hik_gateway::ops::ZONES_STATUS).fail_next(1, SimResponse::bytes(200, "application/json", "{\"Zo"));
    let c = client(&sim, EventStreamConfig::default().resync_concurrency(1));
    let mut s = c.subscribe(SubscribeDeviceMgmtMsg::all());
    let sub = next_subscription(&mut s).await;

    assert_eq!(sub.errors.len(), 2, "{sub:?}");
    for (e, dev) in sub.errors.iter().zip([&ids[0], &ids[1]]) {
        match e {
            Error::Stream { message, cause: Some(_), .. } => assert!(message.contains(dev.as_str()), "{message}"),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(sub.errors[1].class(), watchpost_core::ErrorClass::Permanent, "the decode error is the cause");
    assert_eq!(sub.summary.failed, vec![ids[0].clone(), ids[1].clone()]);
    assert_eq!(sub.summary.reported, 1);
    assert!(!sub.summary.is_complete());
    assert_eq!(report(&sub, &ids[2]).zones.len(), 16);

    // The stream goes on: live events arrive, on the same subscription.
    let live = sim.raise_cid(&ids[2], CidCode::FireAlarm, 3);
    assert_eq!(live.delivered, 1);
    expect_cid(&mut s, &live.uuid).await;
    assert_eq!(sim.subscriptions_opened(), 1);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_device_list_failure_is_an_error_item_and_the_resync_says_so() {
    let sim = Simulator::start().await.unwrap();
    let dev = sim.device_ids()[0].clone();
    sim.faults().on(&hik_gateway::ops::SEARCH_DEVICES).fail_next(1, SimResponse::bytes(200, "application/json", "[]]"));
    let c = client(&sim, EventStreamConfig::default());
    let mut s = c.subscribe(SubscribeDeviceMgmtMsg::all());
    let sub = next_subscription(&mut s).await;
    assert_eq!(sub.errors.len(), 1, "{sub:?}");
    assert!(sub.summary.device_list_failed && !sub.summary.is_complete(), "{sub:?}");
    assert!(sub.reports.is_empty());
    let live = sim.raise_cid(&dev, CidCode::FireAlarm, 3);
    expect_cid(&mut s, &live.uuid).await;
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_device_subscription_reads_only_its_alarm_panels() {
    let sim = Simulator::start_with(SimConfig::default().devices(4)).await.unwrap();
    let ids = sim.device_ids();
    let c = client(&sim, EventStreamConfig::default());
    let mut s = c.subscribe(SubscribeDeviceMgmtMsg::devices([
        DevEvent::all(&ids[0]),
        DevEvent::part(&ids[1], [EventKind::CidAlarm]),
        // Status changes only: no alarm can be missed, nothing to read.
        DevEvent::part(&ids[2], [EventKind::DevStatusChanged]),
        // Not on the gateway: in the subscription's FailList, not read.
        DevEvent::all("no-such-device"),
    ]));
    let sub = next_subscription(&mut s).await;
    let read: Vec<&str> = sub.reports.iter().map(|r| r.dev_index.as_str()).collect();
    assert_eq!(read, vec![ids[0].as_str(), ids[1].as_str()]);
    assert!(sub.summary.is_complete() && sub.errors.is_empty(), "{sub:?}");
    assert_eq!(sim.hits("security_cp.status.zones"), 2);
    assert_eq!(sim.hits("devices.list"), 0, "the subscription names its devices");
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn resync_off_sends_no_resync_items() {
    let sim = Simulator::start().await.unwrap();
    let dev = sim.device_ids()[0].clone();
    let c = client(&sim, EventStreamConfig::default().resync(false));
    let mut s = c.subscribe(SubscribeDeviceMgmtMsg::all());
    loop {
        if let Ok(Notification::Subscribed(_)) = next(&mut s).await {
            break;
        }
    }
    let live = sim.raise_cid(&dev, CidCode::FireAlarm, 3);
    expect_cid(&mut s, &live.uuid).await;
    assert_eq!(sim.hits("security_cp.status.zones") + sim.hits("security_cp.status.sub_systems"), 0);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn panels_are_read_a_few_at_a_time() {
    // 12 panels, 3 at a time, each status request taking 1 s: four rounds of two requests.
    // Were every panel read at once, the resync would take 2 s.
    let sim = Simulator::start_with(SimConfig::default().devices(12)).await.unwrap();
    for op in [&hik_gateway::ops::ZONES_STATUS, &hik_gateway::ops::PARTITIONS_STATUS] {
        sim.faults().on(op).latency_next(12, Duration::from_secs(1));
    }
    let c = client(&sim, EventStreamConfig::default().resync_concurrency(3));
    let mut s = c.subscribe(SubscribeDeviceMgmtMsg::all());
    loop {
        if let Ok(Notification::ResyncStarted) = next(&mut s).await {
            break;
        }
    }
    let started = tokio::time::Instant::now();
    let mut reports = 0;
    loop {
        match next(&mut s).await {
            Ok(Notification::Resync(_)) => reports += 1,
            Ok(Notification::ResyncDone(summary)) => {
                assert!(summary.is_complete(), "{summary:?}");
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    let took = started.elapsed();
    assert_eq!(reports, 12);
    assert!(took >= Duration::from_secs(8), "12 panels, 3 at a time, 2 s each: {took:?}");
    assert!(took < Duration::from_secs(9), "rounds overlap nothing but themselves: {took:?}");
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_hanging_panel_is_a_timeout_item_and_the_watchdog_keeps_the_subscription() {
    // A panel that does not answer within half the idle timeout is given up (an error item),
    // so the idle watchdog never fires during a resync.
    let sim = Simulator::start_with(SimConfig::default().devices(2)).await.unwrap();
    let ids = sim.device_ids();
    sim.faults().on(&hik_gateway::ops::ZONES_STATUS).latency_next(1, Duration::from_secs(300));
    let c = client(&sim, EventStreamConfig::default());
    let mut s = c.subscribe(SubscribeDeviceMgmtMsg::all());
    let sub = next_subscription(&mut s).await;
    assert_eq!(sub.errors.len(), 1, "{sub:?}");
    let Error::Stream { cause: Some(cause), .. } = &sub.errors[0] else { panic!("{sub:?}") };
    assert_eq!(cause.kind(), ErrorKind::Timeout);
    assert_eq!(sub.summary.failed, vec![ids[0].clone()]);
    assert_eq!(sub.summary.reported, 1);
    let live = sim.raise_cid(&ids[1], CidCode::FireAlarm, 3);
    expect_cid(&mut s, &live.uuid).await;
    assert_eq!(sim.subscriptions_opened(), 1, "no idle reconnect during the resync");
    sim.shutdown().await;
}
