//! Every response example of sections 3.2-3.17 and 3.37-3.42 (kept as `fixtures/seed/3.NN.json`,
//! fixed only where the seed's JSON is invalid, each fix listed in its `_fixes` member) decodes
//! into its model.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::*;
use crate::models::arc::{ArcDevice, ArcPermission, ArcSiteInfo};
use crate::models::common::Page;
use crate::models::seed;

/// Reads a fixture through the crate's envelope parser (as the client does) and returns its
/// `data`, after checking the envelope says success.
fn data_of(section: &str) -> Option<Value> {
    seed::envelope(section).data().cloned()
}

fn decode<T: DeserializeOwned>(section: &str) -> T {
    assert!(seed::envelope(section).data().is_some(), "{section} has no data");
    seed::data(section)
}

#[test]
fn no_data_examples_are_bare_successes() {
    for s in ["3.3", "3.4", "3.5", "3.7", "3.8", "3.9", "3.11", "3.14", "3.15", "3.16", "3.39", "3.41"] {
        assert_eq!(data_of(s), None, "{s}");
    }
}

#[test]
fn installers_search_3_2() {
    let p: Page<Installer> = decode("3.2");
    assert_eq!((p.page, p.page_size, p.total, p.total_page), (1, 20, 0, 0));
    let i = &p.rows[0];
    assert_eq!(i.id.as_deref(), Some("string"));
    assert_eq!((i.invited_status, i.is_admin, i.enable_status), (Some(true), Some(true), Some(true)));
    assert_eq!(i.email.as_deref(), Some("string"));
}

#[test]
fn site_search_3_6() {
    let p: Page<Site> = decode("3.6");
    assert_eq!(p.rows.len(), 2);
    let s = &p.rows[0];
    assert_eq!(s.time_zone.as_deref(), Some("182"));
    assert_eq!((s.time_sync, s.cloud_enable, s.site_delivery_status), (Some(true), Some(true), Some(2)));
    let shared = s.shared_info.as_ref().unwrap();
    assert_eq!((shared.share_state, shared.share_type), (Some(4), Some(3)));
    assert!(shared.share_to_company.is_some() && shared.share_from_company.is_none());
    let shared = p.rows[1].shared_info.as_ref().unwrap();
    assert_eq!(shared.share_type, Some(4));
    assert!(shared.share_from_company.is_some());
}

#[test]
fn site_managers_3_10() {
    let m: SiteManagers = decode("3.10");
    let m = &m.installer_managers[0];
    assert_eq!(m.installer_id.as_deref(), Some("aaa"));
    assert_eq!(m.installer_first_name.as_deref(), Some("aa"));
    assert_eq!(m.installer_last_name.as_deref(), Some("bb"));
    assert_eq!(m.expire_duration_time, Some(1_873_727_183_782));
}

#[test]
fn site_customers_3_12() {
    let c: Customers = decode("3.12");
    assert_eq!(c.customers[0].hc_account, "abc@yopmail.com");
    assert_eq!(c.customers[0].account_type, Some(AccountType::Email));
    assert_eq!(c.customers[0].status.as_deref(), Some("0"));
}

#[test]
fn site_customer_detail_3_13() {
    let d: CustomerDetail = decode("3.13");
    assert_eq!(d.share_devices[0].device_serial, "ABC");
    assert_eq!(d.share_devices[0].other_permission_details[0].permission, Some(1));
    assert_eq!(d.share_devices[0].other_permission_details[0].channel_no, ["1", "2"]);
    let ax = d.share_devices[1].ax2_permission_details.as_ref().unwrap();
    assert_eq!(ax.ax2_permission, [1, 2]);
    assert_eq!(ax.area_permission, ["1", "2"]);
}

#[test]
fn site_health_report_3_17() {
    let r: HealthReport = decode("3.17");
    assert_eq!(r.site_id.as_deref(), Some("8a748c538837c238018837d715ec0045"));
    let d = &r.report_detail[0];
    assert_eq!(d.device_ip.as_deref(), Some("127.0.0.1"));
    assert_eq!((d.device_sub_category, d.online_status), (Some(1), Some(0)));
    assert_eq!(d.category.as_deref(), Some("1"));
    let e = &d.encoding_device_status[0];
    assert_eq!((e.loop_enable, e.disk_usage, e.video_signal), (Some(1), Some(90.0), Some(0)));
    assert_eq!(e.channels[0].channel_ip_addr.as_deref(), Some("xxx"));
    assert_eq!(e.channels[0].channel_no, Some(35));
    assert_eq!(e.hdds[0].power_on_days, Some(5));
    assert_eq!(e.hdds[0].self_evaluating_status, Some(1));
    assert_eq!(e.hdd_attribute_dto_list[0].attribute_id, Some(0));
    let a = &d.alarm_device_status[0];
    assert_eq!(a.arc_connect_status.as_deref(), Some("not connected[1],notEnabled[2]"));
    assert_eq!(a.ipc_status_list[0].channel_type.as_deref(), Some("Network Camera "));
    assert_eq!(a.zones[0].zone_id, Some(0));
    assert_eq!(a.key_pad_list[0].id.as_deref(), Some("0"));
    assert_eq!(a.key_pad_list[0].seq.as_deref(), Some("Q132344"));
    assert_eq!(a.card_reader_list.len(), 1);
    assert_eq!(a.out_put_list.len(), 1);
    assert_eq!(a.repeater_list.len(), 1);
    assert_eq!(a.siren_list[0].last_sound_time.as_deref(), Some("5,Sep,2023 18:14:59"));
    assert_eq!(a.transmitter_list[0].seq.as_deref(), Some("Q1323446"));
    assert_eq!(a.relay_list.len(), 1);
    assert!(a.remote_list.is_empty());
}

#[test]
fn health_report_reads_the_tables_forms_too() {
    let r: HealthReport = serde_json::from_value(serde_json::json!({
        "reportDetail": [{
            "deviceSubCategory": 3,
            "alarmDeviceStatus": [{"transmitterList": [{"id": "7", "name": 3, "LastSoundTime": "x"}]}],
            "enCodingDeviceStatus": [{"hdds": [{"hddAttributeDtoList": [{"attributed": 194}]}]}],
            "unknownMember": {"ignored": true}
        }]
    }))
    .unwrap();
    let d = &r.report_detail[0];
    assert_eq!(d.device_sub_category, Some(3));
    let t = &d.alarm_device_status[0].transmitter_list[0];
    assert_eq!((t.id.as_deref(), t.name.as_deref(), t.last_sound_time.as_deref()), (Some("7"), Some("3"), Some("x")));
    assert_eq!(d.encoding_device_status[0].hdds[0].hdd_attribute_dto_list[0].attribute_id, Some(194));
}

#[test]
fn arc_device_list_3_37() {
    let p: Page<ArcDevice> = decode("3.37");
    let d = &p.rows[0];
    assert_eq!(d.device_serial.as_deref(), Some(" Q01728482"));
    assert_eq!((d.device_category, d.device_sub_category, d.device_online_status), (Some(3), Some(0), Some(0)));
    assert_eq!(d.is_subscribed, Some(true));
    assert_eq!(d.ext_info.as_deref(), Some("xxxx"));
    assert_eq!(d.site_id.as_deref(), Some("xxxxxxxxx"));
    assert_eq!(d.time_zone.as_deref(), Some("182"));
}

#[test]
fn arc_permissions_3_38_and_3_40() {
    for s in ["3.38", "3.40"] {
        let p: ArcPermission = decode(s);
        assert!(p.is_applied(), "{s}");
    }
    let failed: ArcPermission = serde_json::from_str(r#"{"permission":null}"#).unwrap();
    assert_eq!(failed.permission, None);
}

#[test]
fn arc_site_info_3_42() {
    let s: ArcSiteInfo = decode("3.42");
    assert_eq!(s.time_sync, Some(true));
    assert_eq!(s.id, None, "an empty text reads as None");
    let shared = s.shared_info.unwrap();
    assert_eq!((shared.share_state, shared.share_type), (Some(4), Some(3)));
    assert!(shared.share_to_company.is_some());
}
