//! The merged `watchpost::alarm` stream over one Device Gateway simulator and one Hik-Partner Pro
//! simulator, over real loopback HTTP: every alarm of both exactly once, in order per device,
//! and the HPP batches committed only once every alarm of the batch was acknowledged.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;
use watchpost::alarm::{Ack, Alarm, AlarmMerge, AlarmSource, Category, Merged, ResyncNotice};
use watchpost::core::supervise::ConnectionState;
use watchpost::hikgw::models::SubscribeDeviceMgmtMsg;
use watchpost::hikgw::CidCode;
use watchpost::hpp::consumer::{Consumer, ConsumerConfig, ALARM_VENDOR};
use watchpost::hpp::models::mq::FormatType;

/// (source, device) → correlation ids (the gateway's alarm UUID, HPP's `relationId`) in order.
type PerDevice = BTreeMap<(String, String), Vec<String>>;

const HPP_DEVICES: [&str; 3] = ["Q10000001", "Q10000002", "Q10000003"];

/// The next item of the merge, within two (paused-clock) minutes.
async fn next(merge: &mut AlarmMerge) -> Merged {
    tokio::time::timeout(Duration::from_secs(120), merge.next())
        .await
        .expect("an item within two minutes")
        .expect("the merge does not end")
}

/// A `cidEvent` as A.3 defines it (burglary 1130 on `zone`), tied to `relation_id`.
fn cid_event(serial: &str, relation_id: &str, zone: u32) -> serde_json::Value {
    json!({
        "deviceSerial": serial,
        "triggerTime": "2026-12-06T10:00:00",
        "eventType": "cidEvent",
        "eventDescription": "CID event",
        "relationId": relation_id,
        "CIDEvent": { "code": 1130, "description": "Burglary", "system": 1, "zone": zone, "zoneV30": zone + 1, "evttype": "11" }
    })
}

#[tokio::test(start_paused = true)]
async fn a_gateway_and_a_partner_pro_key_merged_every_alarm_once_in_order_with_acks_driving_the_offset() {
    let gateway = watchpost::hikgw::sim::Simulator::start().await.expect("the gateway simulator starts");
    let platform = watchpost::hpp::sim::Simulator::start().await.expect("the HPP simulator starts");

    let mut merge = AlarmMerge::new();
    let gw_alarms = gateway
        .client_builder()
        .build()
        .expect("a gateway client")
        .subscribe(SubscribeDeviceMgmtMsg::all())
        .gateway_alarms();
    merge.add_source("gw", gw_alarms.state(), gw_alarms).expect("a source");
    let hpp_client = platform.client_builder().build().expect("an HPP client");
    let hpp_alarms = Consumer::new(&hpp_client, ConsumerConfig::default())
        .alarms(AlarmSource::new(ALARM_VENDOR, watchpost::hpp::sim::fixtures::APP_KEY));
    let hpp_handle = hpp_alarms.handle();
    merge.add_source("hpp", hpp_handle.state(), hpp_alarms).expect("a source");

    // Both sources connected (the gateway's resync done, the key subscribed and polling).
    let (mut gw_ready, mut hpp_ready) = (false, false);
    while !(gw_ready && hpp_ready) {
        match next(&mut merge).await {
            Merged::Resync { source, notice: ResyncNotice::Done { complete, .. } } if &*source == "gw" => {
                assert!(complete);
                gw_ready = true;
            }
            Merged::State { source, state: ConnectionState::Connected } if &*source == "hpp" => hpp_ready = true,
            Merged::Ended { source } => panic!("{source} ended"),
            _ => {}
        }
    }

    // Interleaved alarms: the gateway's panels and three HPP devices.
    let mut raised = PerDevice::new();
    for round in 0..20u32 {
        for dev in gateway.device_ids() {
            let code = if round % 2 == 0 { CidCode::BurglaryAlarm } else { CidCode::BurglaryAlarmRestored };
            let r = gateway.raise_cid(&dev, code, 1 + round % 4);
            assert_eq!(r.delivered, 1, "gateway {dev}");
            raised.entry(("gw".to_owned(), dev)).or_default().push(r.uuid);
        }
        for serial in HPP_DEVICES {
            let relation = format!("{serial}-{round:03}");
            assert!(platform.push_alarm(serial, FormatType::Json, cid_event(serial, &relation, round % 8)));
            raised.entry(("hpp".to_owned(), serial.to_owned())).or_default().push(relation);
        }
    }
    let expected: usize = raised.values().map(Vec::len).sum();

    // Read everything. The HPP acknowledgements of the first batch are held at first: its offset
    // is not committed, and the consumer hands out no later batch (in order) until they settle.
    let mut seen = PerDevice::new();
    let mut held: Option<Vec<Ack>> = Some(Vec::new());
    let mut hpp_alarms: Vec<Alarm> = Vec::new();
    while seen.values().map(Vec::len).sum::<usize>() < expected {
        let item = tokio::select! {
            item = merge.next() => item.expect("the merge does not end"),
            () = tokio::time::sleep(Duration::from_secs(10)), if held.is_some() => {
                // Quiet for 10 s with acknowledgements held: nothing is committed yet.
                let acks = held.take().unwrap_or_default();
                assert!(!acks.is_empty(), "the first HPP batch arrived");
                assert_eq!(platform.batches_confirmed(), 0, "a batch committed before its alarms were acknowledged");
                assert!(platform.alarms_unconfirmed() > 0);
                acks.into_iter().for_each(Ack::ack);
                continue;
            }
        };
        if let Merged::Alarm { source, delivery } = item {
            let (alarm, ack) = delivery.into_parts();
            let id = alarm.correlation_id.clone().expect("a correlation id");
            seen.entry((source.to_string(), alarm.device_id.clone())).or_default().push(id);
            if &*source == "hpp" {
                hpp_alarms.push(alarm);
                match held.as_mut() {
                    Some(acks) => acks.push(ack),
                    None => ack.ack(),
                }
            } else {
                assert!(ack.is_noop(), "a gateway alarm has nothing to confirm");
                ack.ack();
            }
        }
    }
    assert!(held.is_none(), "the acknowledgements were held, then given");
    assert_eq!(seen, raised, "every alarm of both sources once, in order per device");
    assert!(hpp_alarms.iter().all(|a| a.category == Category::Intrusion && a.source.vendor == "hpp"));

    // Every batch is committed once its alarms are acknowledged.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while platform.alarms_unconfirmed() > 0 {
        assert!(tokio::time::Instant::now() < deadline, "the batches were not committed after the acks");
        tokio::select! {
            item = merge.next() => if let Some(Merged::Alarm { source, .. }) = item {
                panic!("an alarm of {source} came again after every alarm was acknowledged");
            },
            () = tokio::time::sleep(Duration::from_millis(200)) => {}
        }
    }
    assert!(platform.batches_confirmed() >= 2, "60 alarms in batches of at most 50");
    // Two more minutes of polling: no alarm comes again once its batch was committed.
    let quiet = tokio::time::sleep(Duration::from_secs(120));
    tokio::pin!(quiet);
    loop {
        tokio::select! {
            () = &mut quiet => break,
            item = merge.next() => if let Some(Merged::Alarm { source, .. }) = item {
                panic!("an alarm of {source} came again after its batch was committed");
            },
        }
    }
    let stats = hpp_handle.stats();
    assert_eq!(stats.delivered, 60);
    assert_eq!(stats.duplicates_suppressed, 0);
    hpp_handle.shutdown();
    gateway.shutdown().await;
    platform.shutdown().await;
}
