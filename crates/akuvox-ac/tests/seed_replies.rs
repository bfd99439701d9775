//! Every reply example of the seed (`tests/fixtures/<function>.json`, invalid JSON fixed and the
//! fix named in the fixture's `_fixes`) decoded as the client decodes a reply: the envelope
//! checked, `data` into the function's response type.

use std::collections::BTreeSet;

use akuvox_ac::models::*;
use akuvox_ac::reply;
use akuvox_ac::AkuvoxErrorExt as _;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::de::{DeserializeOwned, IgnoredAny};
use watchpost_core::operation::RawResponse;

fn raw(name: &str) -> RawResponse {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    RawResponse { op: "seed", status: StatusCode::OK, headers: HeaderMap::new(), body: Bytes::from(body) }
}

fn data<T: DeserializeOwned>(name: &str) -> T {
    reply::data(&raw(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// The fixtures every test below reads.
const READ: &[&str] = &[
    "system.info",
    "system.status",
    "system.reboot",
    "firmware.status",
    "firmware.prepare",
    "firmware.upgrade",
    "firmware.upgrade.wrong_md5",
    "config.get",
    "config.get.section",
    "config.get.keys",
    "config.set",
    "config.reset_factory",
    "relay.get",
    "relay.set",
    "relay.status",
    "relay.trig",
    "input.get",
    "input.set",
    "input.status",
    "publiccode.get",
    "publiccode.set",
    "privatekey.get",
    "privatekey.add",
    "privatekey.set",
    "privatekey.del",
    "privatekey.clear",
    "rfkey.get",
    "rfkey.add",
    "rfkey.set",
    "rfkey.del",
    "rfkey.clear",
    "contact.get",
    "contact.add",
    "contact.set",
    "contact.del",
    "contact.clear",
    "contact.export",
    "group.get",
    "group.add",
    "group.set",
    "group.clear",
    "call.status",
    "call.dial",
    "call.hangup",
    "sip.get",
    "sip.set",
    "sip.status",
    "dialreplace.get",
    "dialreplace.add",
    "dialreplace.set",
    "dialreplace.del",
    "dialreplace.clear",
    "log.get",
    "log.set",
    "log.clear",
    "calllog.get",
    "calllog.del",
    "calllog.clear",
    "doorlog.get",
    "doorlog.del",
    "doorlog.clear",
    "pcap.status",
    "pcap.start",
    "pcap.stop",
    "user.info",
    "user.get",
    "user.add",
    "user.set",
    "user.scan",
    "user.del",
    "user.clear",
    "user.export",
    "user.import",
];

#[test]
fn every_fixture_is_read() {
    let dir = format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".json").to_owned())
        .collect();
    let read: BTreeSet<String> = READ.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(files, read);
}

#[test]
fn replies_without_data_succeed() {
    for name in [
        "system.reboot",
        "firmware.prepare",
        "firmware.upgrade",
        "config.set",
        "config.reset_factory",
        "relay.set",
        "relay.trig",
        "input.set",
        "publiccode.set",
        "privatekey.clear",
        "rfkey.clear",
        "contact.clear",
        "group.clear",
        "call.dial",
        "call.hangup",
        "sip.set",
        "dialreplace.clear",
        "log.clear",
        "calllog.del",
        "calllog.clear",
        "doorlog.get",
        "doorlog.del",
        "doorlog.clear",
        "user.clear",
        "user.import",
    ] {
        data::<IgnoredAny>(name);
    }
    // user add/set/del answer retcode 1 "OK" (L3821, L3867, L3932): success, an empty list.
    for name in ["user.add", "user.set", "user.del"] {
        assert!(data::<ItemList<ItemOutcome>>(name).item.is_empty(), "{name}");
    }
    // doorlog.get's example is a copy-paste without data (L3467-3472): an empty log.
    assert!(data::<ItemList<DoorLogEntry>>("doorlog.get").item.is_empty());
}

#[test]
fn negative_replies_are_errors() {
    let e = reply::data::<IgnoredAny>(&raw("firmware.upgrade.wrong_md5")).unwrap_err();
    assert!(e.is_wrong_md5(), "{e:?}");
    assert!(e.vendor_message().unwrap().contains("md5_calc 25e317773f308e446cc84c503a6d1f85"));
    let e = reply::data::<IgnoredAny>(&raw("contact.export")).unwrap_err();
    assert_eq!((e.akuvox_retcode(), e.vendor_message()), (Some(-1), Some("Export Failed.")));
}

#[test]
fn system_and_status_replies() {
    let info: SystemInfo = data("system.info");
    let status = info.status.unwrap();
    assert_eq!((status.model.as_deref(), status.firmware_parts()), (Some("R29S"), Some(vec![29, 31, 101, 624])));
    let lan = info.lan.unwrap();
    assert_eq!((lan.link(), lan.dns2.as_deref()), (Some(LinkStatus::Connected), Some("")));
    assert_eq!(info.account2.unwrap().registration(), Some(Registration::Registered));
    let s: SystemStatus = data("system.status");
    assert_eq!((s.system_time, s.up_time), (Some(1_544_336_389), Some(137)));
    let f: FirmwareStatus = data("firmware.status");
    assert_eq!(f.mac.as_deref(), Some("0C:11:05:07:8B:71"));
    let r: RelayStatus = data("relay.status");
    assert_eq!(r.get(Door::C), Some(0));
    let i: InputStatus = data("input.status");
    assert_eq!(i.get(Door::A), Some(1));
    let c: CallStatus = data("call.status");
    assert_eq!(c.status.as_deref(), Some("READY"));
    let sip: SipStatus = data("sip.status");
    assert_eq!(sip.account1.unwrap().registration(), Some(Registration::Registered));
    assert_eq!(sip.account2.unwrap().registration(), Some(Registration::Disabled));
    let p: PcapStatus = data("pcap.status");
    assert_eq!((p.file_size, p.status.as_deref()), (Some(0), Some("stop")));
    let p: PcapStart = data("pcap.start");
    assert_eq!((p.interface.as_deref(), p.time.as_deref()), (Some("eth0"), Some("180")));
    let p: PcapStop = data("pcap.stop");
    assert_eq!((p.file_size, p.time), (Some(314_407), Some(9)));
    let u: UserInfo = data("user.info");
    assert_eq!(u.default_user_id.as_deref(), Some("1"));
    let u: ScanResult = data("user.scan");
    assert_eq!(u.rf_code.as_deref(), Some("99D78D72"));
    let u: UserExport = data("user.export");
    assert_eq!(u.path().as_deref(), Some("/download/UserData.tgz"));
}

#[test]
fn config_views() {
    let all: ConfigMap = data("config.get");
    assert_eq!(all.account(1, "ANONYMOUS_CALL", "PrivacyHeaderValue"), Some("id"));
    let section: ConfigMap = data("config.get.section");
    assert_eq!(section.section(keys::CLOUDSERVER).len(), 14);
    let two: ConfigMap = data("config.get.keys");
    assert_eq!(two.len(), 2);
    let relay: ConfigMap = data("relay.get");
    assert_eq!(relay.relay_open_type(Door::A), Some(RelayOpenType::NcCom));
    assert_eq!((relay.relay_hold_delay(Door::C), relay.dtmf_enabled()), (Some(5), Some(true)));
    assert_eq!(relay.get("Config.DoorSetting.RELAY.HttpTrig"), Some("0"), "keys the table omits are kept");
    let input: ConfigMap = data("input.get");
    assert_eq!((input.input_trigger(Door::B), input.input_relay(Door::B)), (Some(InputTrigger::Low), Some(Door::B)));
    let code: ConfigMap = data("publiccode.get");
    assert_eq!((code.public_code(3), code.public_code_digits()), (Some("88888888"), Some(8)));
    let sip: ConfigMap = data("sip.get");
    assert_eq!(sip.account_sip_port(2), Some(5060));
    assert_eq!(sip.account(2, "STUN", "Port"), Some("3478"), "the orphan fragment is joined");
    let log: ConfigMap = data("log.get");
    assert!(log.log_level().is_some());
    let set: ConfigMap = data("log.set");
    assert_eq!(set.log_level(), Some(7));
}

#[test]
fn entity_lists() {
    let keys: ItemList<PrivateKey> = data("privatekey.get");
    assert_eq!((keys.num, keys.item.len()), (Some(2), 2));
    assert_eq!(keys.item[1].code.as_deref(), Some("78965412"));
    assert_eq!(keys.item[0].days, Weekdays::every_day());
    let added: ItemList<ItemOutcome> = data("privatekey.add");
    assert!(added.item.iter().all(|o| o.ret.is_none()), "no Ret in a privatekey add reply");
    let set: ItemList<ItemOutcome> = data("privatekey.set");
    assert_eq!(set.item[1].name.as_deref(), Some("Carol"));
    let del: ItemList<ItemOutcome> = data("privatekey.del");
    assert_eq!(del.item.len(), 4);
    let cards: ItemList<RfKey> = data("rfkey.get");
    assert!(!cards.item.is_empty());
    let added: ItemList<ItemOutcome> = data("rfkey.add");
    assert!(added.item.iter().all(|o| !o.failed()), "Ret 1 and 2 (L1854, L1860) are not failures");
    let deleted: ItemList<ItemOutcome> = data("rfkey.del");
    assert!(deleted.failures().count() >= 1, "the seed's rfkey del shows a Ret -1 (L1980)");
    data::<ItemList<ItemOutcome>>("rfkey.set");
    let contacts: ItemList<Contact> = data("contact.get");
    assert_eq!(contacts.item.len(), 4);
    let added: ItemList<ItemOutcome> = data("contact.add");
    assert!(added.count_mismatch(), "num 6 with three items (L2229-2245)");
    data::<ItemList<ItemOutcome>>("contact.set");
    data::<ItemList<ItemOutcome>>("contact.del");
    let groups: ItemList<Group> = data("group.get");
    assert_eq!(groups.item[0].id.as_deref(), Some("12"));
    data::<ItemList<ItemOutcome>>("group.add");
    data::<ItemList<ItemOutcome>>("group.set");
    let rules: ItemList<DialReplace> = data("dialreplace.get");
    assert!(rules.item[0].prefix.is_some());
    data::<ItemList<ItemOutcome>>("dialreplace.add");
    data::<ItemList<ItemOutcome>>("dialreplace.set");
    data::<ItemList<ItemOutcome>>("dialreplace.del");
    let calls: ItemList<CallLogEntry> = data("calllog.get");
    assert_eq!(calls.item[0].kind(), Some(CallType::Received));
    let users: ItemList<User> = data("user.get");
    assert_eq!(users.item[0].lift_floors(), vec![1, 2]);
    assert_eq!(users.item[0].schedule_relay.as_deref(), Some("1001-1"));
}
