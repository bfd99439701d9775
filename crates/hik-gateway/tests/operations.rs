//! Every operation of the spec against the simulator over loopback, with typed checks; the
//! last assertion fails when an operation of `OPERATIONS` was not exercised.

use std::time::Duration;

use futures_util::StreamExt;
use hik_gateway::models::*;
use hik_gateway::sim::Simulator;
use hik_gateway::*;

fn client(sim: &Simulator) -> Client {
    Client::builder().base_url(sim.base_url()).credentials(sim.username(), sim.password()).build().unwrap()
}

/// The next notification that is not a state change or a heartbeat.
async fn next_interesting(stream: &mut EventStream) -> Notification {
    loop {
        let item = tokio::time::timeout(Duration::from_secs(60), stream.next())
            .await
            .expect("a notification within a minute")
            .expect("the stream does not end")
            .expect("no error item");
        match &item {
            Notification::State(_) => continue,
            Notification::Event(e) if e.is_heartbeat() => continue,
            // The resync after each subscription (tested in tests/resync.rs).
            Notification::ResyncStarted | Notification::Resync(_) => continue,
            Notification::ResyncDone(summary) => {
                assert!(summary.is_complete(), "{summary:?}");
                continue;
            }
            _ => return item,
        }
    }
}

#[tokio::test]
async fn every_operation_against_the_simulator() {
    let sim = Simulator::start().await.unwrap();
    let c = client(&sim);
    let devices = sim.device_ids();
    let panel_id = devices[0].clone();
    let panel = c.device(&panel_id);

    // ── 8.3 login check
    let check = c.login_check().await.unwrap();
    assert!(check.is_authenticated());
    assert_eq!(check.is_activated, Some(true));

    // ── 8.5 gateway
    let info = c.gateway_info(&GatewayInfoRequest::new()).await.unwrap().device_info;
    assert_eq!(info.device_type, Some(DeviceType::Gateway));
    assert_eq!(info.model.as_deref(), Some("DS-GWAS0101"));
    let new_info = DeviceInfo { device_name: Some("ARC gateway".into()), ..Default::default() };
    let st = c.set_gateway_info(&SetGatewayInfoRequest::new(DeviceInfoMsg { device_info: new_info })).await.unwrap();
    assert!(st.is_success() && !st.reboot_required());
    let info = c.gateway_info(&GatewayInfoRequest::new()).await.unwrap().device_info;
    assert_eq!(info.device_name.as_deref(), Some("ARC gateway"));

    let t = c.gateway_time(&GatewayTimeRequest::new()).await.unwrap().time;
    assert_eq!(t.time_mode, TimeMode::Manual);
    assert_eq!(t.local_time.as_ref().and_then(|t| t.offset_seconds()), Some(8 * 3600));
    let target = IsoDateTime::parse("2030-01-02T03:04:05+01:00");
    c.set_gateway_time(&SetGatewayTimeRequest::new(TimeMsg::manual(target.clone()))).await.unwrap();
    let t = c.gateway_time(&GatewayTimeRequest::new()).await.unwrap().time.local_time.unwrap();
    assert_eq!(t.offset_seconds(), Some(3600));
    assert!(t.unix_timestamp().unwrap() - target.unix_timestamp().unwrap() < 5);

    // ── 8.1 device management
    let page: Vec<SearchDevice> = c.devices(None).map(|d| d.unwrap()).collect().await;
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].dev_type, Some(DevType::SecurityCp));
    let one = c
        .search_devices(&SearchDevicesRequest::new(SearchDescriptionMsg {
            search_description: SearchDescription {
                position: 0,
                max_result: 1,
                filter: Some(SearchFilter { protocol_type: Some(ProtocolType::EhomeV5), ..Default::default() }),
            },
        }))
        .await
        .unwrap()
        .search_result;
    assert_eq!((one.num_of_matches, one.total_matches), (Some(1), Some(2)));

    let added = c
        .add_devices(&AddDevicesRequest::new(DeviceInListMsg {
            device_in_list: vec![
                DeviceIn::security_panel("AXNEW1", "key-1", "Warehouse"),
                DeviceIn::security_panel("AX0001", "key-2", "Duplicate"),
            ],
        }))
        .await
        .unwrap()
        .outcome();
    assert_eq!(added.succeeded.len(), 1);
    assert_eq!(added.failed.len(), 1);
    assert_eq!(added.failed[0].sub_status, SubStatus::DeviceExist);
    assert!(added.status.is_none(), "a partial success carries no overall failure status");
    let new_dev = added.succeeded[0].dev_index.clone().unwrap();

    let refreshed = c
        .refresh_device_info(&RefreshDeviceInfoRequest::new(DevListMsg {
            dev_list: vec![new_dev.clone(), panel_id.clone()],
        }))
        .await
        .unwrap()
        .device_info_list;
    assert_eq!(refreshed.len(), 2);
    assert_eq!(refreshed[0].info.device_name.as_deref(), Some("Warehouse"));

    let channels = c.channel_info(&ChannelInfoRequest::new(&new_dev)).await.unwrap().channel_info;
    assert_eq!(channels.video_channels[0].status, Some(ChannelStatus::Online));
    assert_eq!(channels.alarm_in_channels.len(), 16);

    let deleted = c
        .delete_devices(&DeleteDevicesRequest::new(DevIndexListMsg {
            dev_index_list: vec![new_dev.clone(), "no-such-device".into()],
        }))
        .await
        .unwrap()
        .outcome();
    assert_eq!(deleted.succeeded[0].dev_index, new_dev);
    assert_eq!(deleted.failed[0].sub_status, SubStatus::TheDeviceIdDoesNotExist);

    // A single delete of an unknown device is a typed error.
    let err = c.delete_device(&DeleteDeviceRequest::new(&new_dev)).await.unwrap_err();
    assert_eq!(err.sub_status(), Some(SubStatus::TheDeviceIdDoesNotExist));
    let again = c
        .add_devices(&AddDevicesRequest::new(DeviceInListMsg {
            device_in_list: vec![DeviceIn::security_panel("AXNEW2", "key", "Shop")],
        }))
        .await
        .unwrap()
        .outcome();
    let shop = again.succeeded[0].dev_index.clone().unwrap();
    assert!(c.delete_device(&DeleteDeviceRequest::new(&shop)).await.unwrap().is_success());

    // ── 8.5 per device
    let di = panel.info().await.unwrap();
    assert_eq!(di.device_type, Some(DeviceType::SecurityCp));
    assert_eq!(di.model.as_deref(), Some("DS-PWA32-HS"));
    let edit = DeviceInfo { device_name: Some("Front office".into()), ..Default::default() };
    assert!(panel.set_info(edit).await.unwrap().is_success());
    assert_eq!(panel.info().await.unwrap().device_name.as_deref(), Some("Front office"));

    let dt = panel.time().await.unwrap();
    assert!(dt.local_time.is_some());
    assert!(panel
        .set_time(TimeMsg::manual(IsoDateTime::parse("2031-05-06T07:08:09Z")).time)
        .await
        .unwrap()
        .is_success());
    assert_eq!(panel.time().await.unwrap().local_time.and_then(|t| t.offset_seconds()), Some(0));

    let tz = panel.time_zone().await.unwrap();
    assert_eq!(tz.utc_offset_seconds(), 8 * 3600);
    let dst: PosixTimeZone = "CST-8:00:00DST00:30:00,M4.1.0/02:00:00,M10.5.0/02:00:00".parse().unwrap();
    assert!(panel.set_time_zone(&dst).await.unwrap().is_success());
    assert_eq!(panel.time_zone().await.unwrap(), dst);

    let io = panel.io_ports().await.unwrap();
    assert_eq!(io.outputs.len(), 4);
    assert_eq!(io.inputs[0].triggering, Some(IoLevel::High));
    assert!(panel.trigger_output(2, IoLevel::High).await.unwrap().is_success());
    let err = panel.trigger_output(99, IoLevel::High).await.unwrap_err();
    assert_eq!(err.sub_status(), Some(SubStatus::BadParameters));

    let nics = panel.network_interfaces().await.unwrap();
    assert_eq!(nics[0].ip_address.addressing_type, Some(AddressingType::Static));
    let mut nic = panel.network_interface("1").await.unwrap();
    nic.ip_address.ip_address = Some("10.20.9.9".into());
    let st = panel.set_network_interface(nic).await.unwrap();
    assert!(st.is_success() && st.reboot_required(), "a network change needs a reboot: {st:?}");
    let mut addr = panel.ip_address("1").await.unwrap();
    assert_eq!(addr.ip_address.as_deref(), Some("10.20.9.9"));
    addr.ip_address = Some("not-an-ip".into());
    let err = panel.set_ip_address("1", addr.clone()).await.unwrap_err();
    assert_eq!(err.sub_status(), Some(SubStatus::BadParameters));
    addr.ip_address = Some("10.20.9.10".into());
    assert!(panel.set_ip_address("1", addr).await.unwrap().reboot_required());

    // ── 8.4 security control panel
    let parts = panel.partitions().await.unwrap();
    assert_eq!(parts.len(), 4);
    assert!(parts.iter().all(|p| p.arming == Some(Arming::Disarm)));
    assert!(panel.arm(1, ArmWays::Away).await.unwrap().is_success());
    assert!(panel.arm(2, ArmWays::Stay).await.unwrap().is_success());
    let parts = panel.partitions().await.unwrap();
    assert_eq!(parts[0].arming, Some(Arming::Away));
    assert_eq!(parts[1].arming, Some(Arming::Stay));
    let zones = panel.zones().await.unwrap();
    assert_eq!(zones.len(), 16);
    assert_eq!(zones[0].armed, Some(true), "zones of an armed partition are armed");
    assert_eq!(zones[8].armed, Some(false));
    assert!(panel.bypass([9, 10]).await.unwrap().is_success());
    assert_eq!(panel.zones().await.unwrap()[8].bypassed, Some(true));
    assert!(panel.recover_bypass([10]).await.unwrap().is_success());
    assert_eq!(panel.zones().await.unwrap()[9].bypassed, Some(false));
    let err = panel.bypass([99]).await.unwrap_err();
    assert_eq!(err.sub_status(), Some(SubStatus::BadParameters));

    // A zone in alarm blocks arming its partition until the alarm is cleared.
    sim.raise_cid(&panel_id, CidCode::BurglaryAlarm, 13);
    let err = panel.arm(4, ArmWays::Away).await.unwrap_err();
    assert_eq!(err.sub_status(), Some(SubStatus::SetArmingError));
    assert_eq!(err.hik_status().unwrap().status_code, Some(StatusCode::InvalidOperation));
    assert_eq!(panel.partitions().await.unwrap()[3].alarm, Some(true));
    assert!(panel.clear_alarm(4).await.unwrap().is_success());
    assert!(panel.arm(4, ArmWays::Away).await.unwrap().is_success());
    assert!(panel.clear_all_alarms().await.unwrap().is_success());
    assert!(panel.disarm(1).await.unwrap().is_success());
    assert!(panel.arm_all(ArmWays::Stay).await.unwrap().is_success());
    assert!(panel.partitions().await.unwrap().iter().all(|p| p.arming == Some(Arming::Stay)));
    assert!(panel.disarm_all().await.unwrap().is_success());
    assert!(panel.partitions().await.unwrap().iter().all(|p| p.arming == Some(Arming::Disarm)));
    let err = panel.disarm(9).await.unwrap_err();
    assert_eq!(err.sub_status(), Some(SubStatus::BadParameters));

    let relays = panel.set_relays(Switch::Open, &[1, 3, 7]).await.unwrap();
    assert_eq!(relays.succeeded, vec![1, 3]);
    assert_eq!(relays.failed.len(), 1);
    assert_eq!((relays.failed[0].item, relays.failed[0].sub_status.clone()), (7, SubStatus::BadParameters));
    let ex = panel.peripherals().await.unwrap();
    assert_eq!(ex.outputs[0].status, Some(OnOffStatus::On));
    assert_eq!(ex.outputs[1].status, Some(OnOffStatus::Off));
    assert_eq!(ex.outputs[0].linkage, Some(Linkage::ManualCtrl));
    assert_eq!(ex.repeaters[0].charge, Some(Charge::LowPower));
    assert!(panel.set_relays(Switch::Close, &[1, 3]).await.unwrap().all_succeeded());

    // ── 8.2 events: a subscription by device, per-device event types, status, unsubscribe
    let mut stream = c.subscribe(SubscribeDeviceMgmtMsg::devices([
        DevEvent::part(&panel_id, [EventKind::CidAlarm]),
        DevEvent::all("unknown-device"),
    ]));
    let Notification::Subscribed(rsp) = next_interesting(&mut stream).await else { panic!("first part") };
    assert_eq!(rsp.id.as_deref(), Some("5939"));
    assert_eq!(rsp.fail_list[0].dev_index, "unknown-device");
    assert_eq!(stream.subscription_id().as_deref(), Some("5939"));

    let status = stream.query_status().await.unwrap();
    assert_eq!(status, vec![DevSubscribeStatus { dev_index: panel_id.clone(), status: SubscribeStatus::Continue }]);
    let second = devices[1].clone();
    assert!(stream.add_device_events(DevEvent::part(&second, [EventKind::VideoReview])).await.unwrap().is_success());
    let got = stream.device_events(&second).await.unwrap();
    assert_eq!(got.event_list, vec![EventKind::VideoReview]);
    assert!(stream.remove_device_events(&second).await.unwrap().is_success());
    let err = stream.device_events(&second).await.unwrap_err();
    assert_eq!(err.sub_status(), Some(SubStatus::TheDeviceIdDoesNotExist));

    let raised = sim.raise_cid(&panel_id, CidCode::PanicAlarm, 2);
    assert_eq!(raised.delivered, 1);
    let Notification::Event(Event::CidAlarm(alarm)) = next_interesting(&mut stream).await else { panic!() };
    assert_eq!(alarm.cid.code, Some(CidCode::PanicAlarm));
    assert_eq!(alarm.cid.uuid, Some(raised.uuid));
    assert_eq!(alarm.header.dev_index.as_deref(), Some(panel_id.as_str()));

    // Video verification: the second device is back in the subscription for videoReview.
    assert!(stream.add_device_events(DevEvent::part(&second, [EventKind::VideoReview])).await.unwrap().is_success());
    let (raised, url) = sim.raise_video_review(&second, CidCode::BurglaryAlarm, 5);
    assert_eq!(raised.delivered, 1);
    let Notification::Event(Event::VideoReview(review)) = next_interesting(&mut stream).await else { panic!() };
    assert_eq!(review.review.params.video_url.as_deref(), Some(url.as_str()));
    assert_eq!(review.review.params.zone_no, Some(5));
    let mut file = Vec::new();
    let n = c.download_video(&url, &mut file).await.unwrap();
    assert_eq!(n, 256 * 1024);
    assert_eq!(file.len(), 256 * 1024);
    let err = c.download_video("/HikGatewayStorage/pic?missing.mp4", &mut Vec::new()).await.unwrap_err();
    assert_eq!(err.sub_status(), Some(SubStatus::TaskNoRecFile));

    let unsubscribed = stream.unsubscribe().await.unwrap().unwrap();
    assert!(unsubscribed.is_success());
    assert_eq!(sim.live_subscriptions(), 0);

    // Per-device calls are refused under eventMode "all" (6.1), locally (tests/event_mode_all.rs).
    let mut all = c.subscribe(SubscribeDeviceMgmtMsg::all());
    let Notification::Subscribed(rsp) = next_interesting(&mut all).await else { panic!() };
    let hits = sim.hits("event.query_status");
    let err = all.query_status().await.unwrap_err();
    assert_eq!(err.kind(), watchpost_core::ErrorKind::Unsupported);
    assert_eq!(sim.hits("event.query_status"), hits, "refused without a request");
    drop(all);
    let err = c.unsubscribe(&UnsubscribeRequest::new("424242")).await.unwrap_err();
    assert_eq!(err.sub_status(), Some(SubStatus::TheSessionIdDoesNotExist));
    assert!(rsp.id.is_some());

    // ── reboots last
    assert!(panel.reboot().await.unwrap().is_success());
    assert!(c.reboot_gateway(&RebootGatewayRequest::new()).await.unwrap().is_success());
    assert_eq!(sim.reboots(), vec![Some(panel_id.clone()), None]);

    // ── coverage: every operation of the spec was served
    for op in OPERATIONS {
        assert!(sim.hits(op.id) > 0, "operation {} was not exercised", op.id);
    }
    assert!(sim.unhit_operations().is_empty(), "{:?}", sim.unhit_operations());
    sim.shutdown().await;
}

#[tokio::test]
async fn the_device_list_pages_as_a_stream() {
    let sim = Simulator::start_with(hik_gateway::sim::SimConfig::default().devices(7)).await.unwrap();
    let c = Client::builder()
        .base_url(sim.base_url())
        .credentials(sim.username(), sim.password())
        .page_size(3)
        .build()
        .unwrap();
    let all: Vec<String> = c.devices(None).map(|d| d.unwrap().dev_index).collect().await;
    assert_eq!(all, sim.device_ids());
    // Three pages of 3, 3 and 1 (plus the Digest challenge of the first).
    assert_eq!(sim.hits("devices.list"), 4);
    let online = SearchFilter { dev_status: Some(DevStatus::Online), ..Default::default() };
    sim.raise_dev_status(&all[2], false);
    let n = c.devices(Some(online)).count().await;
    assert_eq!(n, 6);
    // A failing page ends the stream with its typed error.
    let bad = Client::builder().base_url(sim.base_url()).credentials(sim.username(), "wrong").build().unwrap();
    let items: Vec<_> = bad.devices(None).collect().await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap_err().kind(), watchpost_core::ErrorKind::Auth);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn unknown_status_codes_and_transient_failures_of_ordinary_calls() {
    use watchpost_core::sim::SimResponse;
    let sim = Simulator::start().await.unwrap();
    let c = client(&sim);
    let odd = serde_json::json!({"statusCode": 8, "statusString": "Flux", "subStatusCode": "quantumFlux",
        "errorCode": "0xA0000001", "errorMsg": "?"});
    sim.faults().on(&hik_gateway::ops::GATEWAY_TIME).fail_next(1, SimResponse::json(200, &odd));
    let e = c.gateway_time(&GatewayTimeRequest::new()).await.unwrap_err();
    let s = e.hik_status().unwrap();
    assert_eq!(s.status_code, Some(StatusCode::Other(8)));
    assert_eq!(s.sub_status, SubStatus::Other("quantumFlux".into()));
    assert_eq!(s.error_code, Some(0xA000_0001));
    assert_eq!(e.class(), watchpost_core::ErrorClass::Permanent);
    // A 503 HTML page on an idempotent call is retried (and succeeds on the next attempt).
    sim.faults()
        .on(&hik_gateway::ops::GATEWAY_TIME)
        .fail_next(1, SimResponse::bytes(503, "text/html", "<html>busy</html>"));
    assert!(c.gateway_time(&GatewayTimeRequest::new()).await.is_ok());
    // A busy device on a reboot (not idempotent) is returned, not repeated...
    let busy = ResponseStatus::failure("/ISAPI/System/reboot?format=json", SubStatus::NetworkError);
    sim.faults().on(&hik_gateway::ops::REBOOT_GATEWAY).fail_next(1, SimResponse::json(503, &busy));
    let e = c.reboot_gateway(&RebootGatewayRequest::new()).await.unwrap_err();
    assert_eq!(e.sub_status(), Some(SubStatus::NetworkError));
    assert!(sim.reboots().is_empty());
    // ...unless the gateway says it is upgrading: refused before anything happened.
    let upgrading = ResponseStatus::failure("/ISAPI/System/reboot?format=json", SubStatus::Upgrading);
    sim.faults().on(&hik_gateway::ops::REBOOT_GATEWAY).fail_next(1, SimResponse::json(503, &upgrading));
    assert!(c.reboot_gateway(&RebootGatewayRequest::new()).await.unwrap().is_success());
    assert_eq!(sim.reboots(), vec![None]);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_journal_shows_the_subscription_exactly_as_the_seed_example() {
    // Chapter 6, step 3: the body of the subscription, and a Digest exchange around it.
    let sim = Simulator::builder().devices(1).seed(7).start().await.unwrap();
    let c = sim.client_builder().build().unwrap();
    let mut stream = c.subscribe(SubscribeDeviceMgmtMsg::all());
    // Connection states come first; the resync starts once the subscription is answered.
    loop {
        let item = tokio::time::timeout(Duration::from_secs(60), stream.next()).await.expect("a notification");
        if !matches!(item, Some(Ok(Notification::State(_)))) {
            break;
        }
    }

    let journal = sim.journal();
    let sent = journal.of(ops::SUBSCRIBE_RAW.id);
    let seed_example: serde_json::Value =
        serde_json::from_str(r#"{ "SubscribeDeviceMgmt":{ "eventMode":"all", "defenceMode":"all" } }"#).unwrap();
    let answered = sent.iter().find(|e| e.reached_handler()).expect("an authenticated subscription");
    assert_eq!(answered.json(), Some(seed_example));
    assert_eq!(answered.method, http::Method::POST);
    assert_eq!(answered.path_and_query, "/ISAPI/Event/notification/subscribeDeviceMgmt?format=json");
    assert_eq!(
        (answered.status, answered.header("authorization")),
        (200, Some(watchpost_core::sim::journal::REDACTED))
    );
    // The challenge before it: answered by the auth check, without the handler.
    let challenged = sent.first().expect("the first attempt");
    assert_eq!((challenged.status, challenged.answer), (401, watchpost_core::sim::Answer::Middleware));
    drop(stream);
    sim.shutdown().await;
}
