//! Installers, sites, sharing, managers, handover customers and the health report (3.2-3.17)
//! against the simulator over loopback, typed results checked, and the client-side limits.

use futures_util::TryStreamExt as _;
use hpp_openapi::models::sites::{
    AccountType, AddressText, Ax2PermissionDetails, DevicePermission, HcAccount, HcAccounts, InstallerId,
    InstallerPermissionTime, InstallerPermissionTimes, OtherPermission, ShareDuration, SharedDevices, SharedHc, SiteId,
    SiteName,
};
use hpp_openapi::sim::Simulator;
use hpp_openapi::*;
use watchpost_core::ErrorKind;

fn name(n: &str) -> SiteName {
    SiteName::new(n).unwrap()
}

fn sid(id: &str) -> SiteId {
    SiteId::new(id).unwrap()
}

/// Adds a site through the API and returns its ID (found by name in the search).
async fn add_site(client: &Client, site: &str) -> String {
    client
        .add_site(
            &AddSiteRequest::new(name(site), 182)
                .time_sync(true)
                .site_city(AddressText::new("Lyon").unwrap())
                .location(AddressText::new("1 rue de la Paix").unwrap()),
        )
        .await
        .unwrap();
    let page = client.search_sites(&SearchSitesRequest::new().search(site)).await.unwrap();
    page.rows.iter().find(|s| s.site_name.as_deref() == Some(site)).and_then(|s| s.id.clone()).unwrap()
}

fn permissions(serial: &str) -> DevicePermission {
    let mut d = DevicePermission::new(serial);
    d.other_permission_details =
        vec![OtherPermission { permission: Some(1), channel_no: vec!["1".into(), "2".into()] }];
    d
}

#[tokio::test]
async fn installers_are_searched_and_paged() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    for i in 0..24 {
        sim.add_installer(&format!("Ivan{i}"), "Petrov", &format!("ivan{i}@example.com"), "+3300000");
    }
    let page = client.search_installers(&SearchInstallersRequest::new().search("ada")).await.unwrap();
    assert_eq!(page.rows.len(), 1);
    let admin = &page.rows[0];
    assert_eq!((admin.is_admin, admin.enable_status), (Some(true), Some(true)));
    assert_eq!(admin.last_name.as_deref(), Some("Admin"));

    let first = client.search_installers(&SearchInstallersRequest::new().search("ivan")).await.unwrap();
    assert_eq!((first.page, first.page_size, first.total, first.total_page, first.rows.len()), (1, 20, 24, 2, 20));
    let all: Vec<_> =
        client.search_installers_stream(&SearchInstallersRequest::new().page_size(7)).try_collect().await.unwrap();
    assert_eq!(all.len(), 25, "every employee once over four pages");
    let mut ids: Vec<_> = all.iter().filter_map(|i| i.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 25);
    sim.shutdown().await;
}

#[tokio::test]
async fn sites_are_added_searched_updated_and_deleted() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let id = add_site(&client, "Warehouse").await;
    assert_eq!(sim.site_id("Warehouse").as_deref(), Some(id.as_str()));

    // Page 0 and size 0, as the seed's example sends them, mean the defaults.
    let page = client.search_sites(&SearchSitesRequest::new().page(0).page_size(0)).await.unwrap();
    assert_eq!((page.page, page.page_size, page.total), (1, 20, 1));
    let site = &page.rows[0];
    assert_eq!(site.time_zone.as_deref(), Some("182"));
    assert_eq!(site.time_sync, Some(true));
    assert_eq!(site.site_city.as_deref(), Some("Lyon"));
    assert_eq!(site.installer_first_name.as_deref(), Some("Ada"));
    assert_eq!(site.shared_info.as_ref().and_then(|s| s.share_type), Some(0));
    assert_eq!(site.site_delivery_status, Some(0));

    let err = client.add_site(&AddSiteRequest::new(name("Warehouse"), 182)).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::DuplicateSiteName));
    let err = client.add_site(&AddSiteRequest::new(name("No zone"), 0)).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::SiteTimeZoneRequired));

    client
        .update_site(
            &UpdateSiteRequest::new(id.clone(), name("Depot")).site_street(AddressText::new("Main St").unwrap()),
        )
        .await
        .unwrap();
    let found = client.search_sites(&SearchSitesRequest::new().search("main st")).await.unwrap();
    assert_eq!(found.rows[0].site_name.as_deref(), Some("Depot"));
    assert_eq!(found.rows[0].site_city.as_deref(), Some("Lyon"), "fields not sent stay");
    let err = client.update_site(&UpdateSiteRequest::new("nope", name("X"))).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::SiteNotFoundOrNoPermission));

    client.delete_site(&DeleteSiteRequest::new(id.clone())).await.unwrap();
    assert!(client.search_sites(&SearchSitesRequest::new()).await.unwrap().rows.is_empty());
    let err = client.delete_site(&DeleteSiteRequest::new(id)).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::SiteNotFoundOrNoPermission));
    sim.shutdown().await;
}

#[tokio::test]
async fn the_site_stream_yields_each_site_once() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    for i in 0..45 {
        client.add_site(&AddSiteRequest::new(name(&format!("Site {i:02}")), 1)).await.unwrap();
    }
    let sites: Vec<_> = client.search_sites_stream(&SearchSitesRequest::new()).try_collect().await.unwrap();
    assert_eq!(sites.len(), 45);
    assert_eq!(sim.hits("site.search"), 3, "ceil(45 / 20) pages");
    let mut names: Vec<_> = sites.iter().filter_map(|s| s.site_name.clone()).collect();
    names.dedup();
    assert_eq!(names.len(), 45);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_site_is_shared_and_the_sharing_cancelled() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let id = add_site(&client, "Shop").await;
    let share = ShareSiteRequest::new("tech@partner.example", sid(&id))
        .apply_time_type(ShareDuration::EightHours)
        .describe("install the panel");
    client.share_site(&share).await.unwrap();
    let site = &client.search_sites(&SearchSitesRequest::new()).await.unwrap().rows[0];
    let info = site.shared_info.clone().unwrap();
    assert_eq!((info.share_type, info.share_state), (Some(3), Some(1)));
    assert_eq!(info.share_to_company.and_then(|c| c.email).as_deref(), Some("tech@partner.example"));
    assert_eq!(client.share_site(&share).await.unwrap_err().hpp_code(), Some(HppCode::SiteAlreadyShared));
    let own = ShareSiteRequest::new("me@sim-installer.example", sid(&id));
    client.cancel_site_share(&CancelSiteShareRequest::new(id.clone())).await.unwrap();
    assert_eq!(client.share_site(&own).await.unwrap_err().hpp_code(), Some(HppCode::SharingToOwnCompany));
    let err = client.cancel_site_share(&CancelSiteShareRequest::new(id)).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::SiteNotShared));
    sim.shutdown().await;
}

#[tokio::test]
async fn managers_are_assigned_and_listed() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let a = add_site(&client, "A").await;
    let b = add_site(&client, "B").await;
    let bob = sim.add_installer("Bob", "Builder", "bob@example.com", "+331");
    let pairs = InstallerPermissionTimes::new([InstallerPermissionTime {
        installer_id: InstallerId::new(bob.clone()).unwrap(),
        expired_duration_time: 1_873_727_183_782,
    }])
    .unwrap();
    client.assign_site_managers(&AssignSiteManagersRequest::new([a.clone(), b.clone()], pairs)).await.unwrap();
    for site in [&a, &b] {
        let managers = client.site_managers(&SiteManagersRequest::new(sid(site))).await.unwrap().installer_managers;
        assert_eq!(managers.len(), 2, "the new manager and the admin, who manages all sites");
        assert_eq!(managers[0].installer_id.as_deref(), Some(bob.as_str()));
        assert_eq!(managers[0].installer_first_name.as_deref(), Some("Bob"));
        assert_eq!(managers[0].expire_duration_time, Some(1_873_727_183_782));
        assert_eq!(managers[1].expire_duration_time, Some(-1));
    }
    let unknown =
        InstallerPermissionTimes::new([InstallerPermissionTime::permanent(InstallerId::new("ghost").unwrap())])
            .unwrap();
    let err = client.assign_site_managers(&AssignSiteManagersRequest::new([a.clone()], unknown)).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::EmployeeNotFound));
    let err = client.site_managers(&SiteManagersRequest::new(sid("missing"))).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::SiteNotFoundOrNoPermission));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_site_is_handed_over_and_its_end_users_managed() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let id = add_site(&client, "Home").await;
    assert!(sim.add_site_device(&id, "ABC", "NVR", false));
    assert!(sim.add_site_device(&id, "DEF", "Panel", true));

    // Customers before any handover: none, and details say the site was not handed over.
    assert!(client.site_customers(&SiteCustomersRequest::new(sid(&id))).await.unwrap().customers.is_empty());
    let err = client.site_customer_detail(&SiteCustomerDetailRequest::new(sid(&id), "x@y.z")).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::SiteNotHandledBySharing));

    let mut panel = DevicePermission::new("DEF");
    panel.ax2_permission_details =
        Some(Ax2PermissionDetails { ax2_permission: vec![0, 1, 20], area_permission: vec!["-1".into()] });
    let devices = SharedDevices::new([permissions("ABC"), panel.clone()]).unwrap();
    let accounts = HcAccounts::new([HcAccount::email("owner@example.com"), HcAccount::phone("+33123")]).unwrap();
    client.hand_over_site(&HandOverSiteRequest::new(sid(&id), accounts, devices).remark("keys given")).await.unwrap();

    let customers = client.site_customers(&SiteCustomersRequest::new(sid(&id))).await.unwrap().customers;
    assert_eq!(customers.len(), 2);
    assert_eq!(customers[0].hc_account, "owner@example.com");
    assert_eq!(customers[0].account_type, Some(AccountType::Email));
    assert_eq!(customers[1].account_type, Some(AccountType::Phone));
    assert_eq!(customers[0].status.as_deref(), Some("2"), "pending until the end user accepts");
    assert!(sim.accept_handover(&id, "owner@example.com"));
    let customers = client.site_customers(&SiteCustomersRequest::new(sid(&id))).await.unwrap().customers;
    assert_eq!(customers[0].status.as_deref(), Some("1"));
    let site = &client.search_sites(&SearchSitesRequest::new()).await.unwrap().rows[0];
    assert_eq!(site.site_delivery_status, Some(2));

    let detail =
        client.site_customer_detail(&SiteCustomerDetailRequest::new(sid(&id), "owner@example.com")).await.unwrap();
    assert_eq!(detail.share_devices, vec![permissions("ABC"), panel.clone()]);

    // Only the panel from now on.
    let shared = SharedHc {
        hc_account: "owner@example.com".into(),
        account_type: AccountType::Email,
        share_devices: SharedDevices::new([panel.clone()]).unwrap(),
    };
    client.update_site_customer_devices(&UpdateSiteCustomerDevicesRequest::new(sid(&id), shared)).await.unwrap();
    let detail =
        client.site_customer_detail(&SiteCustomerDetailRequest::new(sid(&id), "owner@example.com")).await.unwrap();
    assert_eq!(detail.share_devices, vec![panel.clone()]);

    // A device that is not in the site is refused.
    let foreign = SharedHc {
        hc_account: "owner@example.com".into(),
        account_type: AccountType::Email,
        share_devices: SharedDevices::new([permissions("ZZZ")]).unwrap(),
    };
    let err = client
        .update_site_customer_devices(&UpdateSiteCustomerDevicesRequest::new(sid(&id), foreign))
        .await
        .unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::DeviceNotFoundOrNoPermission));

    // A new account for the owner.
    client
        .update_site_customer_account(&UpdateSiteCustomerAccountRequest::new(
            sid(&id),
            HcAccount::email("owner@example.com"),
            HcAccount::email("new-owner@example.com"),
        ))
        .await
        .unwrap();
    let err =
        client.site_customer_detail(&SiteCustomerDetailRequest::new(sid(&id), "owner@example.com")).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::SharingCredentialsNotFound));

    // The typo path `cancle` is the wire path.
    client.cancel_site_customers(&CancelSiteCustomersRequest::new(sid(&id), ["new-owner@example.com"])).await.unwrap();
    let sent = sim.journal().last_of("site.customer.cancel").unwrap();
    assert_eq!(sent.path_and_query, "/api/hpcgw/v1/site/customer/cancle");
    assert_eq!(sent.json().unwrap()["hcAccounts"], serde_json::json!(["new-owner@example.com"]));
    let customers = client.site_customers(&SiteCustomersRequest::new(sid(&id))).await.unwrap().customers;
    assert_eq!(customers.iter().map(|c| c.hc_account.as_str()).collect::<Vec<_>>(), ["+33123"]);
    let err = client.cancel_site_customers(&CancelSiteCustomersRequest::new(sid(&id), ["nobody"])).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::SharingCredentialsNotFound));
    sim.shutdown().await;
}

#[tokio::test]
async fn the_health_report_follows_the_sites_devices() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let id = add_site(&client, "Bank").await;
    let empty = client.site_health_report(&SiteHealthReportRequest::new(sid(&id))).await.unwrap();
    assert_eq!(empty.site_id.as_deref(), Some(id.as_str()));
    assert!(empty.report_detail.is_empty());

    sim.add_site_device(&id, "Q11111111", "Panel", true);
    sim.add_site_device(&id, "D22222222", "NVR", false);
    sim.set_offline("D22222222", true);
    let report = client.site_health_report(&SiteHealthReportRequest::new(sid(&id))).await.unwrap();
    assert_eq!(report.report_detail.len(), 2);
    let panel = &report.report_detail[0];
    assert_eq!(panel.device_serial.as_deref(), Some("Q11111111"));
    assert_eq!((panel.category.as_deref(), panel.online_status), (Some("2"), Some(1)));
    let status = &panel.alarm_device_status[0];
    assert_eq!(status.cloud_status.as_deref(), Some("online"));
    assert_eq!(status.zones[0].zone_id, Some(1));
    assert_eq!(status.siren_list[0].id.as_deref(), Some("1"));
    let nvr = &report.report_detail[1];
    assert_eq!((nvr.category.as_deref(), nvr.online_status), (Some("1"), Some(0)));
    assert!(nvr.last_offline_time.is_some());
    let enc = &nvr.encoding_device_status[0];
    assert_eq!((enc.disk_status, enc.video_signal), (Some(8), Some(1)));
    assert_eq!(enc.channels[0].channel_ip_addr.as_deref(), Some("192.0.2.11"));
    assert_eq!(enc.hdds[0].hdd_attribute_dto_list[0].attribute_id, Some(194));

    let err = client.site_health_report(&SiteHealthReportRequest::new(sid("nope"))).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::SiteNotFoundOrNoPermission));
    sim.shutdown().await;
}

#[tokio::test]
async fn documented_limits_fail_before_anything_is_sent() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    // The checked values cannot be built out of range ...
    assert_eq!(SiteName::new("n".repeat(129)).unwrap_err().kind(), ErrorKind::InvalidInput);
    assert_eq!(AddressText::new("a".repeat(129)).unwrap_err().kind(), ErrorKind::InvalidInput);
    let pair = |i: usize| InstallerPermissionTime::permanent(InstallerId::new(format!("i{i}")).unwrap());
    assert_eq!(InstallerPermissionTimes::new((0..101).map(pair)).unwrap_err().kind(), ErrorKind::InvalidInput);
    assert_eq!(SharedDevices::new([permissions("0123456789")]).unwrap_err().kind(), ErrorKind::InvalidInput);
    // ... plain text parameters are checked on the wire form, typed or not ...
    let err = client.add_site(&AddSiteRequest::new("n".repeat(129), 1)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = client.add_site(&AddSiteRequest::new("ok", 1).site_city("c".repeat(129))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = client.site_managers(&SiteManagersRequest::new("s".repeat(49))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = client.site_health_report(&SiteHealthReportRequest::new(" ")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    // ... nor read by `dispatch` from JSON parameters.
    let err =
        client.call_json("site.add", serde_json::json!({"name": "n".repeat(129), "timeZone": 1})).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let pairs: Vec<_> =
        (0..101).map(|i| serde_json::json!({"installerId": format!("i{i}"), "expiredDurationTime": -1})).collect();
    let err = client
        .call_json("site.assign", serde_json::json!({"siteIds": ["s"], "installerPermissionTimes": pairs}))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let one = InstallerPermissionTimes::new([pair(1)]).unwrap();
    let no_site: [&str; 0] = [];
    let err = client.assign_site_managers(&AssignSiteManagersRequest::new(no_site, one)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let err = client.cancel_site_customers(&CancelSiteCustomersRequest::new(sid("s"), no_site)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    for blank in ["", "  "] {
        let err = client.delete_site(&DeleteSiteRequest::new(blank)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let err = client.cancel_site_share(&CancelSiteShareRequest::new(blank)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let err = client.update_site(&UpdateSiteRequest::new(blank, name("x"))).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
    }
    let sent = [
        "site.add",
        "site.assign",
        "site.customer.cancel",
        "site.delete",
        "site.share.cancel",
        "site.update",
        "site.managers",
        "site.health.report",
    ];
    assert_eq!(sent.iter().map(|op| sim.hits(op)).sum::<u64>(), 0, "nothing was sent");
    sim.shutdown().await;
}
