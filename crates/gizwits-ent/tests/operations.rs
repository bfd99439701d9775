//! Every operation of the spec against the simulator over loopback HTTP, with typed checks; the
//! last assertion proves that every operation of `OPERATIONS` was served (a new spec entry
//! without a test here fails the build), and the other tests cover the documented errors.

use std::time::Duration;

use gizwits_ent::models::{
    AttrValue, Attrs, BinaryCoding, CommandDirection, ControlCommand, Cycle, DeviceSearchType, GroupAction,
    LocationNode, OnlineEventType, RecordPayload, Sort,
};
use gizwits_ent::sim::fixtures::*;
use gizwits_ent::sim::Simulator;
use gizwits_ent::*;
use watchpost_core::clock::unix_now;
use watchpost_core::{ErrorClass, ErrorKind};

/// Operations the simulator does not serve, on purpose (see their `notes` in the spec).
const NOT_SIMULATED: &[&str] = &["reports.activation"];

fn now() -> i64 {
    unix_now().as_secs() as i64
}

/// `YYYY-MM-DD` (or `YYYY-MM` with `month`) of the day `days_ago` days before now.
fn date(days_ago: i64, month: bool) -> String {
    let z = (now() - days_ago * 86_400).div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    if month {
        format!("{y:04}-{m:02}")
    } else {
        format!("{y:04}-{m:02}-{d:02}")
    }
}

#[tokio::test(start_paused = true)]
async fn every_operation_against_the_simulator() -> Result<()> {
    let sim = Simulator::start().await.expect("simulator");
    let client = sim.client_builder().build()?;
    let pk = PRODUCT_KEY;

    // Authorization
    let token =
        client.access_token(&AccessTokenRequest::new(pk, ENTERPRISE_ID, ENTERPRISE_SECRET, PRODUCT_SECRET)).await?;
    assert_eq!(token.token.len(), 32);
    let ttl = token.expired_at.as_secs() - now();
    assert!((7 * 86_400 - 5..=7 * 86_400).contains(&ttl), "{ttl}");

    // Product management: the definitions are cached for control checks.
    assert!(client.datapoints(pk).is_none());
    let dp = client.product_datapoints(&ProductDatapointsRequest::new(pk)).await?;
    assert_eq!(dp.product_key.as_deref(), Some(pk));
    assert!(dp.datapoint("set_temp").is_some_and(|d| d.uint_spec.and_then(|s| s.value_range()) == Some((16.0, 30.0))));
    assert!(client.datapoints(pk).is_some());

    // User management
    let users = client.search_users(&SearchUsersRequest::new(pk)).await?;
    assert_eq!(users.meta.total, Some(2));
    assert!(users.objects.iter().any(|u| u.uid == USER_UID && u.is_anonymous == Some(true)));
    let lin = client.search_users(&SearchUsersRequest::new(pk).username("lin").appid(APP_ID)).await?;
    assert_eq!(lin.objects.iter().map(|u| u.uid.as_str()).collect::<Vec<_>>(), [OTHER_UID]);
    let bound = client.search_bound_users(&SearchBoundUsersRequest::new(pk).search_type("did").val(DEVICE_DID)).await?;
    assert_eq!(bound.objects.len(), 1);
    assert_eq!((bound.objects[0].uid.as_str(), bound.objects[0].is_owner), (USER_UID, Some(true)));

    // Device management
    let did = client.device_did(&DeviceDidRequest::new(pk, DEVICE_MAC)).await?;
    assert_eq!(did.did, DEVICE_DID);
    assert!(did.passcode.as_deref().is_some_and(|p| p.len() == 6));
    let detail = client.device_detail(&DeviceDetailRequest::new(pk, DEVICE_MAC)).await?;
    assert_eq!(
        (detail.is_online, detail.is_disabled, detail.device_type.as_deref()),
        (Some(true), Some(false), Some("normal"))
    );
    let devices = client.search_devices(&SearchDevicesRequest::new(pk)).await?;
    assert_eq!(devices.meta.total, Some(2), "the disabled device is filtered out by default");
    let all = client.search_devices(&SearchDevicesRequest::new(pk).show_disabled(true)).await?;
    assert_eq!(all.objects.len(), 3);
    let main = all.objects.iter().find(|d| d.did == DEVICE_DID).expect("main device");
    assert_eq!((main.is_online, main.is_alert, main.is_faulty), (Some(true), Some(true), Some(false)));
    assert!(main.longitude.is_some_and(|l| (l - 113.280637).abs() < 1e-9));
    let offline = client.search_devices(&SearchDevicesRequest::new(pk).is_online(false)).await?;
    assert_eq!(offline.objects.iter().map(|d| d.did.as_str()).collect::<Vec<_>>(), [OFFLINE_DID]);
    let by_mac = client
        .search_devices(&SearchDevicesRequest::new(pk).search_type(DeviceSearchType::Mac).val(DEVICE_MAC))
        .await?;
    assert_eq!(by_mac.objects.len(), 1);

    let attrs =
        Attrs::new().set("switch", false).set("set_temp", 20).set("mode", "制热").set("binary", vec![0x12, 0x34]);
    client.control_device(&ControlDeviceRequest::new(pk, DEVICE_DID, ControlCommand::attrs(attrs))).await?;
    let now_attrs = sim.device_attrs(DEVICE_DID).expect("device");
    assert_eq!((now_attrs["switch"].as_i64(), now_attrs["set_temp"].as_i64()), (Some(0), Some(20)));
    assert_eq!(now_attrs["mode"], "制热");
    assert_eq!(now_attrs["binary"], "1234000000", "binary values are padded to the data point's 5 bytes");
    client.control_device(&ControlDeviceRequest::new(pk, DEVICE_DID, ControlCommand::raw(b"abc".to_vec()))).await?;
    let hex = ControlCommand::raw(b"abd".to_vec()).binary_coding(BinaryCoding::Hex);
    client.control_device(&ControlDeviceRequest::new(pk, DEVICE_DID, hex)).await?;
    assert_eq!(sim.commands_sent(DEVICE_DID)[1..], ["616263".to_owned(), "616264".to_owned()]);

    tokio::time::advance(Duration::from_secs(2)).await;
    let online = client.device_online_records(&DeviceOnlineRecordsRequest::new(pk, DEVICE_DID)).await?;
    assert!(!online.objects.is_empty());
    let first = &online.objects[0];
    assert!(first.timestamp.0.fract() > 0.0, "fractional timestamps");
    let offline_event = online.objects.iter().find(|r| r.event == OnlineEventType::Offline).expect("an offline record");
    let details = offline_event.payload.as_ref().and_then(RecordPayload::details).expect("object payload");
    assert!(details.reason.is_some() && details.heartbeat_stats().is_some());
    let window = (now() - 86_400, now());
    let asc = client
        .device_online_records(
            &DeviceOnlineRecordsRequest::new(pk, DEVICE_DID).start_ts(window.0).end_ts(window.1).sort(Sort::Asc),
        )
        .await?;
    assert!(asc.objects.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));
    assert!(asc.objects.iter().all(|r| r.timestamp.as_secs() >= window.0));

    let cmds = client.device_commands(&DeviceCommandsRequest::new(pk, DEVICE_DID).limit(50)).await?;
    assert_eq!(cmds.objects.len(), 50);
    let sent = cmds.objects.iter().find(|c| c.payload.as_ref().and_then(RecordPayload::bytes) == Some(b"abd".to_vec()));
    assert_eq!(sent.map(|c| &c.direction), Some(&CommandDirection::AppToDevice));
    assert!(cmds.objects.windows(2).all(|w| w[0].timestamp >= w[1].timestamp), "newest first");

    let data = client.device_data(&DeviceDataRequest::new(pk, DEVICE_DID).sort(Sort::Desc)).await?;
    let latest = &data.objects[0];
    assert_eq!(latest.value("switch", Some(&dp)), Some(AttrValue::Bool(false)));
    assert_eq!(latest.value("mode", Some(&dp)), Some(AttrValue::Text("制热".into())));

    // Device grouping
    assert!(client.device_group_tree(&DeviceGroupTreeRequest::new(pk)).await?.0.is_empty());
    let root = client.create_device_group(&CreateDeviceGroupRequest::new(pk)).await?.gid;
    let child = client.create_device_group(&CreateDeviceGroupRequest::new(pk).parent_gid(&root)).await?.gid;
    let tree = client.device_group_tree(&DeviceGroupTreeRequest::new(pk)).await?;
    assert_eq!(tree.gids(), [root.clone(), child.clone()]);
    let assigned = client
        .update_device_group(&UpdateDeviceGroupRequest::new(
            pk,
            &root,
            GroupAction::Assign,
            false,
            [DEVICE_MAC, "00:00:00:00:00:00"],
        ))
        .await?;
    assert_eq!(
        (assigned.success, assigned.failed),
        (vec![DEVICE_MAC.to_owned()], vec!["00:00:00:00:00:00".to_owned()])
    );
    let moved = client
        .update_device_group(&UpdateDeviceGroupRequest::new(pk, &child, GroupAction::Assign, false, [DEVICE_MAC]))
        .await?;
    assert_eq!(moved.failed, [DEVICE_MAC], "already in a group and reassign is false");
    let macs = client.device_group_macs(&DeviceGroupMacsRequest::new(pk, &root)).await?;
    assert_eq!(macs.macs, [DEVICE_MAC]);
    let in_group = client.search_devices(&SearchDevicesRequest::new(pk).gid(&root)).await?;
    assert_eq!(in_group.objects.len(), 1);

    // Binding management
    let bound =
        client.bind_devices(&BindDevicesRequest::new(pk, OTHER_UID, APP_ID, [DEVICE_DID, "no-such-did"])).await?;
    assert_eq!((bound.success, bound.failed), (vec![DEVICE_DID.to_owned()], vec!["no-such-did".to_owned()]));
    let both = client.search_bound_users(&SearchBoundUsersRequest::new(pk)).await?;
    assert_eq!(both.objects.len(), 2);
    let unbound = client.unbind_devices(&UnbindDevicesRequest::new(pk, OTHER_UID, APP_ID, [DEVICE_DID])).await?;
    assert!(unbound.all_succeeded() && unbound.success == [DEVICE_DID]);

    // Device reporting
    let loc = client.device_locations(&DeviceLocationsRequest::new(pk)).await?;
    assert_eq!(loc.total, Some(2));
    assert_eq!(loc.location.find(&["China", "Guangdong", "Guangzhou"]).and_then(LocationNode::total), Some(1));
    assert_eq!(loc.location.find(&["China", "Guangdong"]).and_then(LocationNode::total), Some(2));
    let online_loc = client.device_locations(&DeviceLocationsRequest::new(pk).is_online(true)).await?;
    assert_eq!(online_loc.total, Some(1));
    let summary = client.device_summary(&DeviceSummaryRequest::new(pk)).await?;
    assert_eq!((summary.total, summary.online, summary.new.last_7_days, summary.new.last_30_days), (2, 1, 1, 2));
    let activated =
        client.activated_devices(&ActivatedDevicesRequest::new(pk).start(date(7, false)).end(date(0, false))).await?;
    assert_eq!(activated.objects.len(), 1, "only the offline device was activated this week");
    assert!(activated.objects[0].created_at.as_deref().is_some_and(|c| c.len() == 19));
    let active = client.active_devices(&ActiveDevicesRequest::new(pk).city("Guangzhou")).await?;
    assert_eq!(active.objects.len(), 1);
    let history = client
        .device_liveness_history(
            &DeviceLivenessHistoryRequest::new(pk, date(6, false), date(0, false)).cycle(Cycle::Date),
        )
        .await?;
    assert_eq!((history.cycle, history.data.len()), (Some(Cycle::Date), 7));
    assert!(history.data.iter().all(|p| p.period.is_some() && p.count >= 1));
    let rt = client.device_status_report(&DeviceStatusReportRequest::new(pk)).await?;
    assert_eq!((rt.count.activated, rt.count.faulty, rt.count.alert), (2, 1, 1));
    assert_eq!(rt.location.find(&["China", "Guangdong", "Shenzhen"]).map(|n| n.get("faulty")), Some(1));
    let faults = client.fault_device_report(&FaultDeviceReportRequest::new(pk)).await?;
    assert_eq!((faults.count.total, faults.count.resolved, faults.count.unresolved), (2, 1, 1));
    let alerts = client.alert_device_report(&AlertDeviceReportRequest::new(pk)).await?;
    assert_eq!((alerts.count.total, alerts.count.unresolved), (1, 1));
    let fault_events = client.fault_event_report(&FaultEventReportRequest::new(pk)).await?;
    assert_eq!(fault_events.detail["fault_roomtemp"].total, 2);
    let alert_events = client.alert_event_report(&AlertEventReportRequest::new(pk).gid(&root)).await?;
    assert_eq!(alert_events.gid.as_deref(), Some(root.as_str()));
    assert_eq!(alert_events.detail["alert_full"].unresolved, 1);
    let china = alert_events.location.find(&["China"]).expect("China");
    assert_eq!(china.detail.as_ref().map(|d| d["alert_full"].total), Some(1));

    // User reporting
    let new_users = client
        .new_users_report(&NewUsersReportRequest::new(pk, &root, date(29, false), date(0, false)).cycle(Cycle::Date))
        .await?;
    assert_eq!(new_users.data.iter().map(|p| p.count).sum::<u64>(), 1);
    let monthly = client
        .new_users_report(&NewUsersReportRequest::new(pk, &root, date(40, true), date(0, true)).cycle(Cycle::Month))
        .await?;
    assert!(monthly.data.iter().all(|p| p.period.as_deref().is_some_and(|m| m.len() == 7)));
    let liveness =
        client.active_users(&ActiveUsersRequest::new(PRODUCT_SECRET, date(2, false), date(0, false))).await?;
    assert_eq!(liveness.data.len(), 3);
    assert_eq!(liveness.data.iter().map(|d| d.count).sum::<u64>(), 2);
    let user_loc = client.user_locations(&UserLocationsRequest::new(PRODUCT_SECRET)).await?;
    assert_eq!(user_loc.find(&["China"]).and_then(LocationNode::total), Some(2));
    let total = client.total_users_report(&TotalUsersReportRequest::new(pk)).await?;
    assert_eq!(total.total, 1);

    // Cleanup through the remaining group operations.
    let e = client.delete_device_group(&DeleteDeviceGroupRequest::new(pk, &root)).await.unwrap_err();
    assert_eq!(e.gizwits_code(), Some(GizwitsCode::GroupHasSubgroup));
    client.delete_device_group(&DeleteDeviceGroupRequest::new(pk, &child)).await?;
    let e = client.delete_device_group(&DeleteDeviceGroupRequest::new(pk, &root)).await.unwrap_err();
    assert_eq!(e.gizwits_code(), Some(GizwitsCode::GroupHasDevice));
    client
        .update_device_group(&UpdateDeviceGroupRequest::new(pk, &root, GroupAction::Unassign, false, [DEVICE_MAC]))
        .await?;
    client.delete_device_group(&DeleteDeviceGroupRequest::new(pk, &root)).await?;
    assert!(client.device_group_tree(&DeviceGroupTreeRequest::new(pk)).await?.0.is_empty());

    // The CLI path: dispatch by operation id with wire-named parameters.
    let out = dispatch(&client, "devices.detail", serde_json::json!({ "product_key": pk, "mac": DEVICE_MAC })).await?;
    assert_eq!(out["did"], DEVICE_DID);
    let e = dispatch(&client, "reports.activation", serde_json::json!({ "product_key": pk })).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "the undocumented operation has no method");

    // Coverage: every operation of the spec was served, but the ones deliberately not simulated.
    for op in OPERATIONS {
        if NOT_SIMULATED.contains(&op.id) {
            assert!(!sim.simulated_operations().contains(&op.id), "{} is not simulated", op.id);
        } else {
            assert!(sim.hits(op.id) > 0, "operation {} was not exercised", op.id);
        }
    }
    assert!(sim.unhit_operations().is_empty(), "{:?}", sim.unhit_operations());
    assert_eq!(sim.quota().rejected_count(), 0);
    assert_eq!(client.token_fetches(pk), Some(1), "one token for the whole run");
    sim.shutdown().await;
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn one_token_per_product_and_documented_errors() -> Result<()> {
    let sim = Simulator::start().await.expect("simulator");
    let client = sim.client_builder().build()?;

    // Two products, two tokens: each call carries its own product's token.
    client.device_detail(&DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC)).await?;
    let second = client.search_devices(&SearchDevicesRequest::new(SECOND_PRODUCT_KEY)).await?;
    assert_eq!(second.objects[0].did, SECOND_DEVICE_DID);
    client.device_detail(&DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC)).await?;
    assert_eq!((client.token_fetches(PRODUCT_KEY), client.token_fetches(SECOND_PRODUCT_KEY)), (Some(1), Some(1)));
    assert_eq!(sim.tokens_issued(), 2);

    let code = |e: &Error| e.gizwits_code();
    // Unknown and foreign devices.
    let e = client.device_detail(&DeviceDetailRequest::new(PRODUCT_KEY, "00:11:22:33:44:55")).await.unwrap_err();
    assert_eq!(
        (code(&e), e.status(), e.class()),
        (Some(GizwitsCode::DeviceNotExist), Some(404), ErrorClass::Permanent)
    );
    let e = client
        .device_online_records(&DeviceOnlineRecordsRequest::new(PRODUCT_KEY, SECOND_DEVICE_DID))
        .await
        .unwrap_err();
    assert_eq!(code(&e), Some(GizwitsCode::DeviceNotBelongToProduct));
    // Bad parameters the client cannot see.
    let e = client
        .search_devices(&SearchDevicesRequest::new(PRODUCT_KEY).search_type(DeviceSearchType::Did))
        .await
        .unwrap_err();
    assert_eq!((code(&e), e.status()), (Some(GizwitsCode::FormInvalid), Some(400)));
    let e =
        client.bind_devices(&BindDevicesRequest::new(PRODUCT_KEY, "nobody", APP_ID, [DEVICE_DID])).await.unwrap_err();
    assert_eq!(code(&e), Some(GizwitsCode::UidNotExist));
    let e = client.search_users(&SearchUsersRequest::new("0000")).await.unwrap_err();
    assert_eq!(code(&e), Some(GizwitsCode::ProductKeyNotExist));
    let e = client.active_users(&ActiveUsersRequest::new("wrong", "2017-12-01", "2017-12-02")).await.unwrap_err();
    assert_eq!(code(&e), Some(GizwitsCode::ProductSecretError));

    // Device state: offline, disabled, remote control disabled, data points checked by the service.
    let switch_on = || ControlCommand::attrs(Attrs::new().set("switch", true));
    let e = client.control_device(&ControlDeviceRequest::new(PRODUCT_KEY, OFFLINE_DID, switch_on())).await.unwrap_err();
    assert_eq!(code(&e), Some(GizwitsCode::DeviceOffline));
    assert!(code(&e).is_some_and(|c| c.is_retry_later()));
    let e =
        client.control_device(&ControlDeviceRequest::new(PRODUCT_KEY, DISABLED_DID, switch_on())).await.unwrap_err();
    assert_eq!(code(&e), Some(GizwitsCode::DeviceDisabled));
    let e = client
        .control_device(&ControlDeviceRequest::new(SECOND_PRODUCT_KEY, SECOND_DEVICE_DID, switch_on()))
        .await
        .unwrap_err();
    assert_eq!((code(&e), e.status()), (Some(GizwitsCode::RemoteControlNotAllowed), Some(403)));
    let bad = ControlCommand::attrs(Attrs::new().set("set_temp", 99));
    let e = client.control_device(&ControlDeviceRequest::new(PRODUCT_KEY, DEVICE_DID, bad.clone())).await.unwrap_err();
    assert_eq!(code(&e), Some(GizwitsCode::AttrInvalid), "unchecked without data points: the service says 5401");
    let unknown = ControlCommand::attrs(Attrs::new().set("turbo", true));
    let e =
        client.control_device(&ControlDeviceRequest::new(PRODUCT_KEY, DEVICE_DID, unknown.clone())).await.unwrap_err();
    assert_eq!(code(&e), Some(GizwitsCode::AttrsNotExist));

    // With the data points fetched, the same mistakes never leave the client.
    client.product_datapoints(&ProductDatapointsRequest::new(PRODUCT_KEY)).await?;
    let sent = sim.hits("devices.control");
    for cmd in [bad, unknown, ControlCommand::attrs(Attrs::new().set("room_temp", 3)), ControlCommand::raw(Vec::new())]
    {
        let e = client.control_device(&ControlDeviceRequest::new(PRODUCT_KEY, DEVICE_DID, cmd)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    }
    // Time windows and report spans are checked before any request is spent.
    let old = now() - 8 * 86_400;
    let e = client
        .device_data(&DeviceDataRequest::new(PRODUCT_KEY, DEVICE_DID).start_ts(old).end_ts(old + 3600))
        .await
        .unwrap_err();
    assert!(e.kind() == ErrorKind::InvalidInput && e.to_string().contains("seven days"), "{e}");
    let e = client
        .device_commands(
            &DeviceCommandsRequest::new(PRODUCT_KEY, DEVICE_DID).start_ts(now() - 3 * 86_400).end_ts(now()),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("two days"), "{e}");
    let e = client
        .device_liveness_history(
            &DeviceLivenessHistoryRequest::new(PRODUCT_KEY, "2017-01", "2018-01").cycle(Cycle::Month),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    let macs: Vec<String> = (0..1001).map(|i| format!("02:00:00:00:{:02x}:{:02x}", i / 256, i % 256)).collect();
    let e = client
        .update_device_group(&UpdateDeviceGroupRequest::new(PRODUCT_KEY, "g", GroupAction::Assign, false, macs))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert_eq!(sim.hits("devices.control"), sent);
    assert_eq!(sim.hits("devices.data") + sim.hits("devices.cmd") + sim.hits("groups.update"), 0);

    // Groups: one root only, unknown parents and groups.
    let root = client.create_device_group(&CreateDeviceGroupRequest::new(PRODUCT_KEY)).await?.gid;
    let e = client.create_device_group(&CreateDeviceGroupRequest::new(PRODUCT_KEY)).await.unwrap_err();
    assert_eq!(code(&e), Some(GizwitsCode::RootGroupExists));
    let e =
        client.create_device_group(&CreateDeviceGroupRequest::new(PRODUCT_KEY).parent_gid("nope")).await.unwrap_err();
    assert_eq!(code(&e), Some(GizwitsCode::ParentGroupNotExist));
    let e = client.device_group_macs(&DeviceGroupMacsRequest::new(PRODUCT_KEY, "nope")).await.unwrap_err();
    assert_eq!(code(&e), Some(GizwitsCode::GroupNotExist));
    client.delete_device_group(&DeleteDeviceGroupRequest::new(PRODUCT_KEY, &root)).await?;
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn credentials_are_checked_and_never_logged() -> Result<()> {
    let sim = Simulator::start().await.expect("simulator");
    let wrong_product = Client::builder()
        .base_url(sim.base_url())
        .enterprise(ENTERPRISE_ID, ENTERPRISE_SECRET)
        .product(PRODUCT_KEY, "not-the-secret")
        .build()?;
    let e = wrong_product.device_detail(&DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC)).await.unwrap_err();
    assert_eq!((e.gizwits_code(), e.class()), (Some(GizwitsCode::ProductSecretError), ErrorClass::AuthRejected));
    assert!(!e.to_string().contains("not-the-secret") && !format!("{e:?}").contains("not-the-secret"));
    assert_eq!(sim.tokens_issued(), 0);

    let wrong_enterprise = Client::builder()
        .base_url(sim.base_url())
        .enterprise(ENTERPRISE_ID, "not-the-enterprise-secret")
        .product(PRODUCT_KEY, PRODUCT_SECRET)
        .build()?;
    let e = wrong_enterprise.device_detail(&DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC)).await.unwrap_err();
    assert_eq!(e.gizwits_code(), Some(GizwitsCode::EnterpriseSecretError));
    let e = wrong_enterprise.search_users(&SearchUsersRequest::new(PRODUCT_KEY)).await.unwrap_err();
    assert_eq!(e.gizwits_code(), Some(GizwitsCode::EnterpriseSecretError), "the enterprise headers of /v1/users");
    let e = wrong_enterprise.user_locations(&UserLocationsRequest::new(PRODUCT_SECRET)).await.unwrap_err();
    assert!(!format!("{e:?} {e}").contains(PRODUCT_SECRET), "the query secret stays out of errors");
    let unknown = Client::builder()
        .base_url(sim.base_url())
        .enterprise("who", "x")
        .product(PRODUCT_KEY, PRODUCT_SECRET)
        .build()?;
    let e = unknown.device_detail(&DeviceDetailRequest::new(PRODUCT_KEY, DEVICE_MAC)).await.unwrap_err();
    assert_eq!((e.gizwits_code(), e.status()), (Some(GizwitsCode::EnterpriseIdNotExist), Some(404)));
    let dbg = format!("{unknown:?} {:?}", sim.client_builder());
    assert!(!dbg.contains(ENTERPRISE_SECRET) && !dbg.contains(PRODUCT_SECRET), "{dbg}");
    Ok(())
}

/// Accepts every response, so the test sees the simulator's wire answers as they are.
struct AcceptAll;

impl watchpost_core::pipeline::VendorProfile for AcceptAll {
    fn classify(&self, _: &watchpost_core::RawResponse) -> Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn the_simulator_answers_like_the_documented_wire() -> Result<()> {
    use watchpost_core::pipeline::Pipeline;
    use watchpost_core::Request;

    let sim = Simulator::start().await.expect("simulator");
    let raw = Pipeline::builder("gizwits-test", sim.base_url()).profile(AcceptAll).build()?;
    let detail = |pk: &str, auth: Option<&str>| {
        let r = Request::new(&ops::DEVICE_DETAIL).path_param("product_key", pk).query("mac", DEVICE_MAC);
        match auth {
            Some(a) => r.header("authorization", a),
            None => Ok(r),
        }
    };
    let code = |resp: &watchpost_core::RawResponse| {
        let v: serde_json::Value = serde_json::from_slice(&resp.body).unwrap_or_default();
        (resp.status.as_u16(), v["error_code"].as_str().unwrap_or_default().to_owned())
    };
    let token = |pk: &str, secret: &str| {
        let body = serde_json::json!({"enterprise_id": ENTERPRISE_ID, "enterprise_secret": ENTERPRISE_SECRET, "product_secret": secret});
        Request::new(&ops::ACCESS_TOKEN)
            .path_param("product_key", pk.to_owned())
            .body(watchpost_core::Body::json("t", &body).unwrap_or_default())
    };

    let first = raw.execute(detail(PRODUCT_KEY, None)?).await?;
    assert_eq!(code(&first), (400, "5009".to_owned()), "no token");
    let header = |name: &str| first.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert_eq!((header("x-ratelimit-limit").as_str(), header("x-ratelimit-remaining").as_str()), ("3600", "3599"));
    let reset: u64 = header("x-ratelimit-reset").parse().unwrap_or_default();
    let window_end = unix_now().as_secs_f64() + 3600.0;
    assert_eq!(reset, window_end.ceil() as u64, "Reset is the window's end in Unix seconds, rounded up");
    assert_eq!(code(&raw.execute(detail(PRODUCT_KEY, Some("Bearer abc"))?).await?).1, "5009");
    assert_eq!(code(&raw.execute(detail(PRODUCT_KEY, Some("token abc"))?).await?).1, "5009");
    assert_eq!(code(&raw.execute(detail("ffff", Some("token abc"))?).await?), (404, "5015".to_owned()));

    let issued = raw.execute(token(PRODUCT_KEY, PRODUCT_SECRET)).await?;
    let t: gizwits_ent::models::AccessToken = issued.json()?;
    let auth = format!("token {}", t.token);
    assert_eq!(raw.execute(detail(PRODUCT_KEY, Some(&auth))?).await?.status.as_u16(), 200);
    assert_eq!(
        code(&raw.execute(detail(SECOND_PRODUCT_KEY, Some(&auth))?).await?).1,
        "5010",
        "another product's token"
    );
    // A parameter the generated decoder refuses is the documented 5002 (form invalid).
    for (name, value) in [("is_online", "yes"), ("limit", "-1"), ("type", "")] {
        let bad = Request::new(&ops::SEARCH_DEVICES).path_param("product_key", PRODUCT_KEY).query(name, value);
        assert_eq!(code(&raw.execute(bad.header("authorization", &auth)?).await?), (400, "5002".to_owned()), "{name}");
    }
    sim.expire_tokens();
    assert_eq!(code(&raw.execute(detail(PRODUCT_KEY, Some(&auth))?).await?), (400, "5011".to_owned()));
    assert_eq!(code(&raw.execute(token(PRODUCT_KEY, "wrong")).await?), (400, "5005".to_owned()));
    assert_eq!(code(&raw.execute(token("ffff", PRODUCT_SECRET)).await?), (404, "5015".to_owned()));
    let bad_json = Request::new(&ops::ACCESS_TOKEN)
        .path_param("product_key", PRODUCT_KEY)
        .body(watchpost_core::Body::Json(bytes::Bytes::from_static(b"{not json")));
    assert_eq!(code(&raw.execute(bad_json).await?), (400, "5001".to_owned()));
    let users = Request::new(&ops::SEARCH_USERS).query("product_key", PRODUCT_KEY);
    assert_eq!(code(&raw.execute(users.clone()).await?), (400, "5002".to_owned()), "enterprise id header missing");
    let users = users.header("x-gizwits-enterprise-id", ENTERPRISE_ID)?;
    assert_eq!(raw.execute(users).await?.status.as_u16(), 200, "the secret header is optional here");

    sim.quota().set_limit(12);
    let over = raw.execute(detail(PRODUCT_KEY, None)?).await?;
    assert_eq!(code(&over), (403, "5013".to_owned()));
    assert_eq!(over.headers.get("x-ratelimit-remaining").and_then(|v| v.to_str().ok()), Some("0"));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn binary_points_are_sent_padded_as_the_seed_says() -> Result<()> {
    // L762-763: hex 1234567 for the 5-byte point `binary` must be sent as "1234567000". The
    // simulator, like the service, rejects a value shorter than the point (5401).
    let sim = Simulator::start().await.expect("simulator");
    let client = sim.client_builder().build()?;
    let pk = PRODUCT_KEY;
    let short = || ControlCommand::attrs(Attrs::new().set("binary", "1234567"));

    // Data points unknown: sent as given, and the service refuses it.
    let e = client.control_device(&ControlDeviceRequest::new(pk, DEVICE_DID, short())).await.unwrap_err();
    assert_eq!(e.gizwits_code(), Some(GizwitsCode::AttrInvalid), "{e}");

    // Data points known: padded on the right, by the typed method and by dispatch alike.
    client.product_datapoints(&ProductDatapointsRequest::new(pk)).await?;
    client.control_device(&ControlDeviceRequest::new(pk, DEVICE_DID, short())).await?;
    assert_eq!(sim.device_attrs(DEVICE_DID).expect("device")["binary"], "1234567000");
    // The journal holds what was actually sent: exactly the seed's example body (L763), with
    // the product token redacted.
    let sent_control = sim.journal().last_of(ops::CONTROL_DEVICE.id).expect("the control request was journaled");
    let seed_example: serde_json::Value =
        serde_json::from_str(r#"{ "attrs": { "binary": "1234567000" } }"#).expect("the seed example is JSON");
    assert_eq!(sent_control.json(), Some(seed_example));
    assert_eq!(sent_control.method, http::Method::POST);
    assert_eq!(sent_control.path_and_query, format!("/v1/products/{pk}/devices/{DEVICE_DID}/control"));
    assert_eq!(sent_control.header("authorization"), Some(watchpost_core::sim::journal::REDACTED));
    assert_eq!((sent_control.status, sent_control.reached_handler()), (200, true));
    let params = serde_json::json!({"product_key": pk, "did": DEVICE_DID, "command": {"attrs": {"binary": "abc"}}});
    dispatch(&client, "devices.control", params).await?;
    assert_eq!(sim.device_attrs(DEVICE_DID).expect("device")["binary"], "abc0000000");

    // Longer than the point: refused before anything is sent.
    let sent = sim.requests_total();
    let long = ControlCommand::attrs(Attrs::new().set("binary", "12345670001"));
    let e = client.control_device(&ControlDeviceRequest::new(pk, DEVICE_DID, long)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("longer"), "{e}");
    assert_eq!(sim.requests_total(), sent);
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn time_windows_are_checked_by_the_clients_injected_clock() -> Result<()> {
    // The simulator's clock and the client's agree on the last day being within the last seven.
    let sim = Simulator::start().await.expect("simulator");
    let window = |c: &Client| {
        let now = c.clock().unix_now().as_secs() as i64;
        DeviceDataRequest::new(PRODUCT_KEY, DEVICE_DID).start_ts(now - 86_400).end_ts(now)
    };
    let client = sim.client_builder().build()?;
    client.device_data(&window(&client)).await?;

    // A client whose clock reads eight days later judges the same window by its own clock: it is
    // more than seven days old, and nothing is sent.
    let later =
        std::sync::Arc::new(watchpost_core::clock::ManualClock::new(unix_now() + Duration::from_secs(8 * 86_400)));
    let ahead = sim.client_builder().clock(later).build()?;
    let sent = sim.requests_total();
    let e = ahead.device_data(&window(&client)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains("seven days"), "{e}");
    assert_eq!(sim.requests_total(), sent);
    Ok(())
}
