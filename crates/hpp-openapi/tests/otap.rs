//! OTAP (3.24.1-3.24.11) against the simulator over loopback: shadow and direct properties,
//! actions, the product profile, the four batches with per-item outcomes, and the table list
//! over 400 records stopping at the last page.

use hpp_openapi::models::otap::{Address, DevicePropPuts, DeviceUser, ProfileRequest, PropPut, PropRequest, UserType};
use hpp_openapi::sim::Simulator;
use hpp_openapi::{HppCode, HppErrorExt as _};
use serde_json::json;
use watchpost_core::ErrorKind;

const PANEL: &str = "Q31153369";

fn version() -> Address {
    Address::global("InfoMgr", "DeviceVersion")
}

fn description() -> Address {
    Address::global("InfoMgr", "DeviceDescription")
}

#[tokio::test]
async fn shadow_and_direct_properties_and_actions() {
    let sim = Simulator::start().await.unwrap();
    sim.add_otap_device(PANEL);
    let c = sim.client_builder().build().unwrap();

    let v = c.otap_prop(PANEL, &version()).await.unwrap();
    assert_eq!(v["firmwareVersion"], "V1.0.0");
    let time = Address::global("TimeMgr", "LocalDateTime");
    c.otap_set_prop(PANEL, &time, &json!({"localDateTime": "2025-01-01T00:00:00+01:00"})).await.unwrap();
    assert_eq!(c.otap_prop(PANEL, &time).await.unwrap()["localDateTime"], "2025-01-01T00:00:00+01:00");
    let sent = sim.journal().last_of("otap.prop.put").unwrap();
    assert_eq!(
        (sent.header("x-devserial"), sent.header("x-localindex"), sent.header("x-resourcecategory")),
        (Some(PANEL), Some("0"), Some("global"))
    );
    assert_eq!(
        (sent.header("x-domainidentifier"), sent.header("x-propidentifier")),
        (Some("TimeMgr"), Some("LocalDateTime"))
    );

    let user = DeviceUser { username: "installer@example.com".into(), user_type: Some(UserType::Administrator) };
    c.otap_set_direct(PANEL, &description(), Some(&user), &json!({"deviceName": "test1234"})).await.unwrap();
    let d = c.otap_direct(PANEL, &description(), Some(&user)).await.unwrap();
    assert_eq!(d["deviceName"], "test1234");
    let sent = sim.journal().last_of("otap.direct.get").unwrap();
    assert_eq!(
        (sent.header("x-username"), sent.header("x-usertype")),
        (Some("installer@example.com"), Some("administrator"))
    );

    let areas = c
        .otap_action(
            PANEL,
            &Address::global("ZoneMgr", "SearchZoneStatus"),
            None,
            &json!({"searchID": "test101", "searchResultPosition": 1, "maxResults": 32}),
        )
        .await
        .unwrap();
    assert_eq!(areas[0]["subSystemID"], 1);
    assert_eq!(sim.journal().last_of("otap.action").unwrap().header("x-actionidentifier"), Some("SearchZoneStatus"));

    // Offline: the shadow still answers and takes writes; the device does not.
    sim.set_offline(PANEL, true);
    c.otap_set_prop(PANEL, &time, &json!({"localDateTime": "2026-01-01T00:00:00+01:00"})).await.unwrap();
    assert_eq!(
        sim.otap_device_prop(PANEL, "global", "0", "TimeMgr", "LocalDateTime").unwrap()["localDateTime"],
        "2025-01-01T00:00:00+01:00",
        "an offline device keeps its value"
    );
    let e = c.otap_direct(PANEL, &description(), None).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::DeviceOffline), "{e}");
    sim.set_offline(PANEL, false);

    // Unknown device, unknown property, bad address: typed errors.
    let e = c.otap_prop("Z00000001", &version()).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::DeviceNotFoundOrNoPermission), "{e}");
    let e = c.otap_prop(PANEL, &Address::global("InfoMgr", "Nothing")).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::ParameterError), "{e}");
    let e = c.otap_prop(PANEL, &Address::global("", "DeviceVersion")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn the_product_profile_and_its_md5() {
    let sim = Simulator::start().await.unwrap();
    sim.add_otap_device(PANEL);
    let c = sim.client_builder().build().unwrap();
    let p = c.otap_product_profile(PANEL, &ProfileRequest::default()).await.unwrap();
    assert_eq!(p.changed, Some(true));
    let domains = &p.profile.as_ref().unwrap().resources[0].domains;
    assert!(domains.iter().any(|d| d.identifier.as_deref() == Some("InfoMgr")));
    let again = ProfileRequest { check_md5: Some(true), md5: p.md5.clone(), ..ProfileRequest::default() };
    let same = c.otap_product_profile(PANEL, &again).await.unwrap();
    assert_eq!((same.changed, same.profile), (Some(false), None));
}

#[tokio::test]
async fn batches_answer_per_device_and_per_property() {
    let sim = Simulator::start().await.unwrap();
    sim.add_otap_device(PANEL);
    sim.add_otap_device("Q29598581");
    let c = sim.client_builder().build().unwrap();

    // 3.24.7: two devices, one unknown; one property missing.
    let reqs = [
        PropRequest::at(Some(PANEL), &version()),
        PropRequest::at(Some("Q29598581"), &Address::global("InfoMgr", "Nothing")),
        PropRequest::at(Some("Z00000001"), &version()),
    ];
    let got = c.otap_batch_get_shadow(&reqs).await.unwrap();
    assert_eq!(got.len(), 3);
    let panel = got.iter().find(|d| d.device_serial.as_deref() == Some(PANEL)).unwrap();
    assert_eq!(panel.prop_resps[0].value.as_ref().unwrap()["firmwareVersion"], "V1.0.0");
    let other = got.iter().find(|d| d.device_serial.as_deref() == Some("Q29598581")).unwrap();
    assert!(other.prop_outcomes()[0].failure().is_some(), "a missing property is its own failure");
    let unknown = got.iter().find(|d| d.device_serial.as_deref() == Some("Z00000001")).unwrap();
    assert_eq!(unknown.outcome().failure().unwrap().code, Some(HppCode::DeviceNotFoundOrNoPermission));

    // 3.24.8: per device.
    let area = Address::of("SubSystem", "2", "AlarmSubSystemMgr", "SingleSubSystemBasicInfo");
    let puts = [
        DevicePropPuts {
            device_serial: PANEL.into(),
            prop_reqs: vec![PropPut::at(&area, json!({"name": "area 8", "enabled": false}))],
        },
        DevicePropPuts { device_serial: "Z00000001".into(), prop_reqs: vec![PropPut::at(&area, json!({}))] },
    ];
    let set = c.otap_batch_put_shadow(&puts).await.unwrap();
    assert!(set[0].outcome().failure().is_none());
    assert!(set[1].outcome().failure().is_some());
    let sent = sim.journal().last_of("otap.multi.put.shadow").unwrap();
    assert!(sent.body.starts_with(b"["), "a top-level JSON array");

    // 3.24.9, 3.24.10: direct, one device in the header.
    let direct = c
        .otap_batch_get(
            PANEL,
            Some("installer@example.com"),
            &[PropRequest::at(None, &area), PropRequest::at(None, &description())],
        )
        .await
        .unwrap();
    assert_eq!(direct[0].prop_resps[0].value.as_ref().unwrap()["name"], "area 8");
    assert_eq!(direct[0].prop_resps.len(), 2);
    let one = Address::of("SubSystem", "1", "AlarmSubSystemMgr", "SingleSubSystemBasicInfo");
    let set = c
        .otap_batch_put(
            PANEL,
            None,
            &[PropPut::at(&one, json!({"name": "Shop", "enabled": true})), PropPut::at(&version(), json!(1))],
        )
        .await
        .unwrap();
    let outcomes = set[0].prop_outcomes();
    assert!(outcomes[0].failure().is_none());
    assert!(outcomes[1].failure().is_some(), "a value that is not an object is refused, alone");
    assert_eq!(
        sim.otap_device_prop(PANEL, "SubSystem", "1", "AlarmSubSystemMgr", "SingleSubSystemBasicInfo").unwrap()["name"],
        "Shop"
    );

    // Checked before sending.
    assert_eq!(c.otap_batch_get_shadow(&[]).await.unwrap_err().kind(), ErrorKind::InvalidInput);
    assert_eq!(
        c.otap_batch_get_shadow(&[PropRequest::at(None, &version())]).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn the_table_list_over_400_records_stops_at_the_last_page() {
    let sim = Simulator::start().await.unwrap();
    sim.add_otap_device(PANEL);
    sim.set_otap_table(PANEL, 400);
    let c = sim.client_builder().build().unwrap();
    let users = Address::global("UserMgr", "UserInfoCfgList");

    let records = c.otap_table_all(PANEL, &users, "UserInfoCfgChangeSync", 150).await.unwrap();
    assert_eq!(records.len(), 400, "each record once");
    let first: serde_json::Value = serde_json::from_str(&records[0]).unwrap();
    let last: serde_json::Value = serde_json::from_str(&records[399]).unwrap();
    assert_eq!((first["index"].as_u64(), last["index"].as_u64()), (Some(1), Some(400)));
    assert_eq!(sim.hits("otap.table.list"), 3, "pages 1, 2, 3 and no more");
    let sent = sim.journal().last_of("otap.table.list").unwrap();
    assert_eq!(sent.header("x-listidentifier"), Some("UserInfoCfgChangeSync"));
    assert!(sent.path_and_query.contains("pageIndex=3&pageSize=150"), "{}", sent.path_and_query);

    // A page past the end is clamped to the last one by the platform.
    let clamped = c.otap_table_page(PANEL, &users, "UserInfoCfgChangeSync", 9, 150).await.unwrap();
    assert_eq!(
        (clamped.page_index, clamped.records.len(), clamped.total_pages, clamped.total_elements),
        (3, 100, 3, 400)
    );
    // Limits are checked before sending.
    for (page, size) in [(0, 10), (1, 0), (1, 151)] {
        let e = c.otap_table_page(PANEL, &users, "UserInfoCfgChangeSync", page, size).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }
    // An empty table: one call, nothing.
    sim.set_otap_table(PANEL, 0);
    assert!(c.otap_table_all(PANEL, &users, "UserInfoCfgChangeSync", 150).await.unwrap().is_empty());
}
