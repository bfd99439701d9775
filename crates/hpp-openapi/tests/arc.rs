//! The ARC service (3.37-3.42) against the simulator over loopback: enabling and disabling,
//! event lists, account numbers, the paged device list and site information, typed results
//! checked, and the client-side limits.

use futures_util::TryStreamExt as _;
use hpp_openapi::models::arc::DeviceSerialList;
use hpp_openapi::models::sites::{DeviceSerial, SiteId, SiteName};
use hpp_openapi::sim::Simulator;
use hpp_openapi::*;
use watchpost_core::ErrorKind;

fn serial(s: &str) -> DeviceSerial {
    DeviceSerial::new(s).unwrap()
}

/// A simulator with one site holding a panel and an NVR; returns the site ID.
async fn site_with_devices(sim: &Simulator, client: &Client) -> String {
    client.add_site(&AddSiteRequest::new(SiteName::new("Bank").unwrap(), 182)).await.unwrap();
    let id = sim.site_id("Bank").unwrap();
    assert!(sim.add_site_device(&id, "Q01728482", "Panel", true));
    assert!(sim.add_site_device(&id, "D00000001", "NVR", false));
    id
}

#[tokio::test]
async fn the_arc_service_is_enabled_edited_and_disabled() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let site = site_with_devices(&sim, &client).await;

    let p = client.enable_arc_service(&EnableArcServiceRequest::new(serial("Q01728482"), "ARC-1")).await.unwrap();
    assert!(p.is_applied());
    sim.require_end_user_approval("D00000001");
    let p = client.enable_arc_service(&EnableArcServiceRequest::new(serial("D00000001"), "ARC-1")).await.unwrap();
    assert!(p.is_pending(), "waits for the end user");
    sim.approve_arc("D00000001");

    let p = client
        .update_arc_event_types(
            &UpdateArcEventTypesRequest::new(serial("Q01728482")).ax2_permission_list(vec![39, 10, 18]),
        )
        .await
        .unwrap();
    assert_eq!(p.permission, Some(1));
    let p = client
        .update_arc_event_types(&UpdateArcEventTypesRequest::new(serial("D00000001")).cctv_event_list(vec![1, 2, 4]))
        .await
        .unwrap();
    assert!(p.is_applied());
    let sent = sim.journal().last_of("arc.event.type.update").unwrap().json().unwrap();
    assert_eq!(sent, serde_json::json!({"deviceSerial": "D00000001", "CCTVEventList": [1, 2, 4]}));
    client.update_arc_account_number(&UpdateArcAccountNumberRequest::new(serial("Q01728482"), "1234")).await.unwrap();
    let panel = sim.arc_service("Q01728482").unwrap();
    assert_eq!(panel.arc_id, "ARC-1");
    assert_eq!((panel.ax2_permissions, panel.cctv_events), (vec![39, 10, 18], vec![]));
    assert_eq!(panel.account_number.as_deref(), Some("1234"));
    assert_eq!(sim.arc_service("D00000001").unwrap().cctv_events, vec![1, 2, 4]);
    // [0] cancels every CCTV event.
    client
        .update_arc_event_types(&UpdateArcEventTypesRequest::new(serial("D00000001")).cctv_event_list(vec![0]))
        .await
        .unwrap();
    assert!(sim.arc_service("D00000001").unwrap().cctv_events.is_empty());

    // Neither list: refused before sending.
    let before = sim.hits("arc.event.type.update");
    let err = client.update_arc_event_types(&UpdateArcEventTypesRequest::new(serial("Q01728482"))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(sim.hits("arc.event.type.update"), before);
    let err = client.arc_site_info(&ArcSiteInfoRequest::new(" ")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);

    let info = client.arc_site_info(&ArcSiteInfoRequest::new(site.clone())).await.unwrap();
    assert_eq!(info.id.as_deref(), Some(site.as_str()));
    assert_eq!(info.site_name.as_deref(), Some("Bank"));
    assert_eq!(info.installer_email.as_deref(), Some("admin@sim-installer.example"));
    assert_eq!(info.shared_info.and_then(|s| s.share_type), Some(0));
    assert_eq!(sim.journal().last_of("arc.site.info").unwrap().method, http::Method::GET);

    client.disable_arc_service(&DisableArcServiceRequest::new(serial("Q01728482"))).await.unwrap();
    assert!(sim.arc_service("Q01728482").is_none());
    let err = client.disable_arc_service(&DisableArcServiceRequest::new(serial("Q01728482"))).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::DeviceNotFoundOrNoPermission));
    let err = client
        .update_arc_account_number(&UpdateArcAccountNumberRequest::new(serial("Q01728482"), "1"))
        .await
        .unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::DeviceNotFoundOrNoPermission));
    sim.shutdown().await;
}

#[tokio::test]
async fn unknown_offline_and_unmonitored_devices_and_sites_answer_their_codes() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let site = site_with_devices(&sim, &client).await;
    let err = client.enable_arc_service(&EnableArcServiceRequest::new(serial("NOPE"), "ARC-1")).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::DeviceNotFoundOrNoPermission));
    sim.set_offline("Q01728482", true);
    let err = client.enable_arc_service(&EnableArcServiceRequest::new(serial("Q01728482"), "ARC-1")).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::DeviceOffline));
    // No device of the site has the service: the ARC does not see the site.
    let err = client.arc_site_info(&ArcSiteInfoRequest::new(site)).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::SiteNotFoundOrNoPermission));
    let err = client.arc_site_info(&ArcSiteInfoRequest::new("unknown")).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::SiteNotFoundOrNoPermission));
    sim.shutdown().await;
}

#[tokio::test]
async fn the_device_list_pages_and_filters() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let site = site_with_devices(&sim, &client).await;
    client.add_site(&AddSiteRequest::new(SiteName::new("Other").unwrap(), 1)).await.unwrap();
    let other = sim.site_id("Other").unwrap();
    for i in 0..43 {
        let s = format!("P{i:07}");
        sim.add_site_device(&other, &s, "Panel", true);
        client.enable_arc_service(&EnableArcServiceRequest::new(serial(&s), "ARC-1")).await.unwrap();
    }
    client.enable_arc_service(&EnableArcServiceRequest::new(serial("Q01728482"), "ARC-1")).await.unwrap();
    client.update_arc_account_number(&UpdateArcAccountNumberRequest::new(serial("Q01728482"), "77")).await.unwrap();

    let first = client.list_arc_devices(&ListArcDevicesRequest::new()).await.unwrap();
    assert_eq!((first.page, first.page_size, first.total, first.total_page, first.rows.len()), (1, 20, 44, 3, 20));
    let all: Vec<_> = client.list_arc_devices_stream(&ListArcDevicesRequest::new()).try_collect().await.unwrap();
    assert_eq!(all.len(), 44);
    let mut serials: Vec<_> = all.iter().filter_map(|d| d.device_serial.clone()).collect();
    serials.sort();
    serials.dedup();
    assert_eq!(serials.len(), 44, "each device once");

    let mine = client
        .list_arc_devices(&ListArcDevicesRequest::new().site_id(SiteId::new(site.clone()).unwrap()))
        .await
        .unwrap();
    assert_eq!(mine.rows.len(), 1);
    let d = &mine.rows[0];
    assert_eq!(d.device_serial.as_deref(), Some("Q01728482"));
    assert_eq!((d.device_category, d.is_subscribed, d.device_online_status), (Some(3), Some(true), Some(1)));
    assert_eq!(d.site_id.as_deref(), Some(site.as_str()));
    assert_eq!(d.site_name.as_deref(), Some("Bank"));
    assert_eq!(d.ext_info.as_deref(), Some("77"));

    let list = DeviceSerialList::new([serial("P0000001"), serial("P0000002")]).unwrap();
    let some = client.list_arc_devices(&ListArcDevicesRequest::new().device_serial_list(list)).await.unwrap();
    assert_eq!(
        some.rows.iter().filter_map(|d| d.device_serial.as_deref()).collect::<Vec<_>>(),
        ["P0000001", "P0000002"]
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn serial_limits_fail_before_anything_is_sent() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    assert_eq!(DeviceSerial::new("0123456789").unwrap_err().kind(), ErrorKind::InvalidInput);
    let many = (0..201).map(|i| serial(&format!("S{i:05}")));
    assert_eq!(DeviceSerialList::new(many).unwrap_err().kind(), ErrorKind::InvalidInput);
    let serials: Vec<String> = (0..201).map(|i| format!("S{i:05}")).collect();
    let err = client.call_json("arc.device.list", serde_json::json!({"deviceSerialList": serials})).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = client.disable_arc_service(&DisableArcServiceRequest::new("0123456789")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = client.enable_arc_service(&EnableArcServiceRequest::new("", "ARC-1")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = client.call_json("arc.device.disable", serde_json::json!({"deviceSerial": ""})).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let ops = ["arc.device.list", "arc.device.disable", "arc.device.enable"];
    assert_eq!(ops.iter().map(|op| sim.hits(op)).sum::<u64>(), 0, "nothing was sent");
    sim.shutdown().await;
}

/// Whether a seed section is one of this part's (3.2-3.17, 3.37-3.42).
fn is_sites_or_arc(section: &str) -> bool {
    let minor = section.strip_prefix("3.").and_then(|m| m.parse::<u32>().ok());
    minor.is_some_and(|m| (2..=17).contains(&m) || (37..=42).contains(&m))
}

#[tokio::test]
async fn every_sites_and_arc_operation_is_in_the_spec_and_called() {
    use hpp_openapi::models::sites::{
        DevicePermission, HcAccount, HcAccounts, InstallerId, InstallerPermissionTime, InstallerPermissionTimes,
        SharedDevices, SharedHc,
    };
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let ours: Vec<&str> = OPERATIONS.iter().filter(|o| is_sites_or_arc(o.section)).map(|o| o.id).collect();
    assert_eq!(ours.len(), 22, "16 site operations and 6 ARC operations: {ours:?}");

    let site = site_with_devices(&sim, &client).await;
    let sid = || SiteId::new(site.clone()).unwrap();
    assert_eq!(client.search_installers(&SearchInstallersRequest::new()).await.unwrap().total, 1);
    assert_eq!(client.search_sites(&SearchSitesRequest::new()).await.unwrap().total, 1);
    client.update_site(&UpdateSiteRequest::new(site.clone(), SiteName::new("Bank 2").unwrap())).await.unwrap();
    client.share_site(&ShareSiteRequest::new("a@partner.example", sid())).await.unwrap();
    client.cancel_site_share(&CancelSiteShareRequest::new(site.clone())).await.unwrap();
    let pairs = InstallerPermissionTimes::new([InstallerPermissionTime::permanent(
        InstallerId::new(hpp_openapi::sim::ADMIN_INSTALLER_ID).unwrap(),
    )])
    .unwrap();
    client.assign_site_managers(&AssignSiteManagersRequest::new([site.clone()], pairs)).await.unwrap();
    assert_eq!(client.site_managers(&SiteManagersRequest::new(sid())).await.unwrap().installer_managers.len(), 1);
    let devices = SharedDevices::new([DevicePermission::new("Q01728482")]).unwrap();
    let accounts = HcAccounts::new([HcAccount::email("o@example.com")]).unwrap();
    client.hand_over_site(&HandOverSiteRequest::new(sid(), accounts, devices.clone())).await.unwrap();
    assert_eq!(client.site_customers(&SiteCustomersRequest::new(sid())).await.unwrap().customers.len(), 1);
    let detail = client.site_customer_detail(&SiteCustomerDetailRequest::new(sid(), "o@example.com")).await.unwrap();
    assert_eq!(detail.share_devices.len(), 1);
    let shared = SharedHc {
        hc_account: "o@example.com".into(),
        account_type: hpp_openapi::models::sites::AccountType::Email,
        share_devices: devices,
    };
    client.update_site_customer_devices(&UpdateSiteCustomerDevicesRequest::new(sid(), shared)).await.unwrap();
    client
        .update_site_customer_account(&UpdateSiteCustomerAccountRequest::new(
            sid(),
            HcAccount::email("o@example.com"),
            HcAccount::phone("+331"),
        ))
        .await
        .unwrap();
    client.cancel_site_customers(&CancelSiteCustomersRequest::new(sid(), ["+331"])).await.unwrap();
    assert_eq!(client.site_health_report(&SiteHealthReportRequest::new(sid())).await.unwrap().report_detail.len(), 2);
    assert!(client
        .enable_arc_service(&EnableArcServiceRequest::new(serial("Q01728482"), "A"))
        .await
        .unwrap()
        .is_applied());
    assert_eq!(client.list_arc_devices(&ListArcDevicesRequest::new()).await.unwrap().total, 1);
    let p = client
        .update_arc_event_types(&UpdateArcEventTypesRequest::new(serial("Q01728482")).ax2_permission_list(vec![40]))
        .await
        .unwrap();
    assert!(p.is_applied());
    client.update_arc_account_number(&UpdateArcAccountNumberRequest::new(serial("Q01728482"), "9")).await.unwrap();
    assert_eq!(
        client.arc_site_info(&ArcSiteInfoRequest::new(site.clone())).await.unwrap().site_name.as_deref(),
        Some("Bank 2")
    );
    client.disable_arc_service(&DisableArcServiceRequest::new(serial("Q01728482"))).await.unwrap();
    client.delete_site(&DeleteSiteRequest::new(site)).await.unwrap();

    let unhit = sim.unhit_operations();
    for op in &ours {
        assert!(!unhit.contains(op), "{op} was not called");
    }
    sim.shutdown().await;
}
