//! The merged `watchpost::alarm` stream over two Device Gateway simulators, over real loopback
//! HTTP: every alarm of both exactly once and in order per device, each source's connection
//! state, and one gateway going away while the other keeps delivering.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use futures_util::StreamExt;
use watchpost::alarm::{AlarmMerge, Category, Merged, ResyncNotice};
use watchpost::core::supervise::ConnectionState;
use watchpost::hikgw::models::SubscribeDeviceMgmtMsg;
use watchpost::hikgw::sim::Simulator;
use watchpost::hikgw::{CidCode, EventStreamConfig};

/// (source, device) → the alarm UUIDs in the order they came (or were raised).
type PerDevice = BTreeMap<(String, String), Vec<String>>;

async fn gateway(merge: &mut AlarmMerge, name: &str) -> Simulator {
    let sim = Simulator::start().await.expect("the simulator starts");
    // A quick back-off: the test watches a lost gateway go to Connecting/Backoff.
    let config = EventStreamConfig::default().backoff(watchpost::core::retry::ExponentialBackoff {
        initial: Duration::from_millis(200),
        max: Duration::from_secs(2),
        jitter: false,
    });
    let client = sim.client_builder().events(config).build().expect("a client");
    let alarms = client.subscribe(SubscribeDeviceMgmtMsg::all()).gateway_alarms();
    merge.add_source(name, alarms.state(), alarms).expect("a new source name");
    sim
}

/// The next item of the merge, within two (paused-clock) minutes.
async fn next(merge: &mut AlarmMerge) -> Merged {
    tokio::time::timeout(Duration::from_secs(120), merge.next())
        .await
        .expect("an item within two minutes")
        .expect("the merge does not end")
}

/// Reads the merge until `done` says so, recording alarms and states; every other item is
/// checked for what it must not be.
#[derive(Default)]
struct Seen {
    alarms: PerDevice,
    states: HashMap<String, Vec<ConnectionState>>,
    resyncs_done: HashMap<String, usize>,
}

impl Seen {
    fn record(&mut self, item: Merged) {
        match item {
            Merged::Alarm { source, delivery } => {
                let alarm = delivery.ack();
                assert_eq!(alarm.source.vendor, "hik-gateway");
                assert!(!alarm.code.starts_with("resync"), "no standing alarm on a fresh gateway: {alarm:?}");
                let uuid = alarm.correlation_id.clone().unwrap_or_default();
                self.alarms.entry((source.to_string(), alarm.device_id.clone())).or_default().push(uuid);
            }
            Merged::State { source, state } => self.states.entry(source.to_string()).or_default().push(state),
            Merged::Resync { source, notice: ResyncNotice::Done { complete, .. } } => {
                assert!(complete, "{source}: resync incomplete");
                *self.resyncs_done.entry(source.to_string()).or_default() += 1;
            }
            Merged::Resync { .. } | Merged::Error { .. } => {}
            Merged::Ended { source } => panic!("source {source} ended"),
            other => panic!("unexpected {other:?}"),
        }
    }

    fn alarm_count(&self) -> usize {
        self.alarms.values().map(Vec::len).sum()
    }
}

#[tokio::test(start_paused = true)]
async fn two_gateways_merged_every_alarm_once_in_order_and_one_lost_alone() {
    let mut merge = AlarmMerge::new();
    let north = gateway(&mut merge, "north").await;
    let south = gateway(&mut merge, "south").await;
    let mut seen = Seen::default();
    while seen.resyncs_done.len() < 2 {
        seen.record(next(&mut merge).await);
    }
    for name in ["north", "south"] {
        assert_eq!(seen.states.get(name).and_then(|s| s.last()), Some(&ConnectionState::Connected), "{name}");
    }

    // Interleaved alarms on both panels of both gateways.
    let mut raised = PerDevice::new();
    let codes = [CidCode::BurglaryAlarm, CidCode::FireAlarm, CidCode::BurglaryAlarmRestored, CidCode::Disarming];
    for round in 0..25u32 {
        for (name, sim) in [("north", &north), ("south", &south)] {
            for (i, dev) in sim.device_ids().into_iter().enumerate() {
                let code = codes[(round as usize + i) % codes.len()].clone();
                let r = sim.raise_cid(&dev, code, 1 + round % 4);
                assert_eq!(r.delivered, 1, "{name} {dev}");
                raised.entry((name.to_owned(), dev)).or_default().push(r.uuid);
            }
        }
    }
    let expected: usize = raised.values().map(Vec::len).sum();
    assert_eq!(expected, 100);
    while seen.alarm_count() < expected {
        seen.record(next(&mut merge).await);
    }
    // Nothing more arrives (no duplicate): read on for two heartbeat periods.
    let quiet = tokio::time::sleep(Duration::from_secs(25));
    tokio::pin!(quiet);
    loop {
        tokio::select! {
            () = &mut quiet => break,
            item = merge.next() => seen.record(item.expect("the merge does not end")),
        }
    }
    assert_eq!(seen.alarms, raised, "every alarm once, in order per device");

    // The south gateway goes away: its state leaves Connected, the north one keeps delivering.
    south.shutdown().await;
    loop {
        let item = next(&mut merge).await;
        let lost = matches!(&item, Merged::State { source, state: ConnectionState::Connecting | ConnectionState::Backoff { .. } }
            if &**source == "south");
        seen.record(item);
        if lost {
            break;
        }
    }
    let dev = north.device_ids().into_iter().next().expect("a panel");
    let mut more = Vec::new();
    for _ in 0..3 {
        let r = north.raise_cid(&dev, CidCode::PanicAlarm, 2);
        assert_eq!(r.delivered, 1);
        more.push(r.uuid);
    }
    let key = ("north".to_owned(), dev);
    let before = seen.alarms.get(&key).map_or(0, Vec::len);
    while seen.alarms.get(&key).map_or(0, Vec::len) < before + more.len() {
        seen.record(next(&mut merge).await);
    }
    assert_eq!(seen.alarms.get(&key).map(|v| v[before..].to_vec()), Some(more));
    let south_states = seen.states.get("south").cloned().unwrap_or_default();
    assert!(
        south_states.iter().any(|s| matches!(s, ConnectionState::Connecting | ConnectionState::Backoff { .. })),
        "{south_states:?}"
    );
    assert_eq!(seen.states.get("north").and_then(|s| s.last()), Some(&ConnectionState::Connected));
    north.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_alarm_standing_on_a_panel_at_subscription_arrives_as_a_resync_alarm() {
    let sim = Simulator::start().await.expect("the simulator starts");
    let dev = sim.device_ids().into_iter().next().expect("a panel");
    // Raised before anyone listens: the event itself is missed, the panel holds the alarm.
    assert_eq!(sim.raise_cid(&dev, CidCode::BurglaryAlarm, 3).delivered, 0);
    let client = sim.client_builder().build().expect("a client");
    let alarms = client.subscribe(SubscribeDeviceMgmtMsg::all()).gateway_alarms();
    let mut merge = AlarmMerge::new();
    merge.add_source("gw", alarms.state(), alarms).expect("a source");
    let mut standing = Vec::new();
    loop {
        match next(&mut merge).await {
            Merged::Alarm { delivery, .. } => standing.push(delivery.ack()),
            Merged::Resync { notice: ResyncNotice::Done { .. }, .. } => break,
            _ => {}
        }
    }
    let zone = standing.iter().find(|a| a.code == "resync.zone_in_alarm").expect("the zone in alarm");
    assert_eq!((zone.device_id.as_str(), zone.zone, zone.category), (dev.as_str(), Some(3), Category::Intrusion));
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn every_kind_of_gateway_event_arrives_with_its_category_and_media() {
    let sim = Simulator::start().await.expect("the simulator starts");
    let dev = sim.device_ids().into_iter().next().expect("a panel");
    let client = sim.client_builder().build().expect("a client");
    let alarms = client.subscribe(SubscribeDeviceMgmtMsg::all()).gateway_alarms();
    let mut merge = AlarmMerge::new();
    merge.add_source("gw", alarms.state(), alarms).expect("a source");
    while !matches!(next(&mut merge).await, Merged::Resync { notice: ResyncNotice::Done { .. }, .. }) {}

    assert_eq!(sim.raise_cid(&dev, CidCode::BurglaryAlarm, 1).delivered, 1);
    assert_eq!(sim.raise_cid(&dev, CidCode::BurglaryAlarmRestored, 1).delivered, 1);
    let (raised, url) = sim.raise_video_review(&dev, CidCode::BurglaryAlarm, 2);
    assert_eq!(raised.delivered, 1);
    assert_eq!(sim.raise_dev_status(&dev, false).delivered, 1);
    assert_eq!(sim.raise_dev_status(&dev, true).delivered, 1);
    let mut got = Vec::new();
    while got.len() < 5 {
        if let Merged::Alarm { delivery, .. } = next(&mut merge).await {
            got.push(delivery.ack());
        }
    }
    let kinds: Vec<_> = got.iter().map(|a| (a.category, a.restore_of, a.code.as_str())).collect();
    assert_eq!(
        kinds,
        vec![
            (Category::Intrusion, None, "1130"),
            (Category::Restore, Some(Category::Intrusion), "3130"),
            (Category::VideoVerification, None, "1130"),
            (Category::DeviceOffline, None, "devStatusChanged"),
            (Category::DeviceOnline, None, "devStatusChanged"),
        ]
    );
    assert!(got.iter().all(|a| a.device_id == dev && a.source.account == sim.base_url()));
    assert_eq!(got[0].zone, Some(1));
    assert_eq!(got[2].zone, Some(2));
    assert_eq!(got[2].media, vec![watchpost::alarm::Media::Video { url }]);
    // The simulator's CID times are naive (timeZoneIdx 0); its dateTime carries an offset.
    assert!(got[0].event_time.is_some_and(|t| t.is_naive()));
    assert!(got[3].event_time.is_some_and(|t| t.instant().is_some()));
    sim.shutdown().await;
}
