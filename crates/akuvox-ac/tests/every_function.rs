//! Every function of the spec, called against the simulator over loopback in each request form
//! it allows (GET with a query; POST of the envelope to the function's path; POST to `/api/`;
//! with the `callog` spelling), each typed result checked. A function of `OPERATIONS` that no
//! step calls fails `every_function_is_exercised`.

use std::collections::BTreeSet;

use akuvox_ac::forms::{self, CallLogSpelling, DeviceProfile, PostPath, RequestForm};
use akuvox_ac::models::{
    keys, CallType, ConfigMap, Contact, ContactSelector, DialReplace, Door, Group, IdSelector, KeySelector, PrivateKey,
    Registration, RfKey, User,
};
use akuvox_ac::sim::Simulator;
use akuvox_ac::*;

/// Runs `$body` when the client's profile allows the function `$op`, and records it.
macro_rules! step {
    ($done:ident, $client:ident, $op:expr, $body:expr) => {
        if forms::pick(&$op, $client.device_profile()).is_ok() {
            $body;
            $done.insert($op.id);
        }
    };
}

/// Calls every function the client's form allows; returns the ids called.
async fn exercise(client: &Client, sim: &Simulator) -> BTreeSet<&'static str> {
    let mut done = BTreeSet::new();
    let c = client;

    // system
    step!(done, c, ops::SYSTEM_INFO, {
        let info = c.system_info(&SystemInfoRequest::new()).await.unwrap();
        let status = info.status.unwrap();
        assert_eq!(status.model.as_deref(), Some("R29S"));
        assert_eq!(info.lan.unwrap().link(), Some(akuvox_ac::models::LinkStatus::Connected));
        assert_eq!(info.account1.unwrap().registration(), Some(Registration::Registered));
    });
    step!(done, c, ops::SYSTEM_STATUS, {
        let s = c.system_status(&SystemStatusRequest::new()).await.unwrap();
        assert!(s.system_time.unwrap() > 0 && s.up_time.is_some());
    });
    step!(done, c, ops::SYSTEM_REBOOT, {
        let before = sim.reboots();
        c.system_reboot(&SystemRebootRequest::new()).await.unwrap();
        assert_eq!(sim.reboots(), before + 1);
    });

    // firmware
    step!(done, c, ops::FIRMWARE_STATUS, {
        let f = c.firmware_status(&FirmwareStatusRequest::new()).await.unwrap();
        assert_eq!(f.firmware_parts().map(|p| p.len()), Some(sim.firmware_version().split('.').count()));
    });
    step!(done, c, ops::FIRMWARE_PREPARE, c.firmware_prepare(&FirmwarePrepareRequest::new()).await.unwrap());
    step!(done, c, ops::FIRMWARE_UPLOAD, c.firmware_upload(b"firmware image", false).await.unwrap());
    step!(done, c, ops::FIRMWARE_UPGRADE, {
        let md5 = akuvox_ac::files::md5_hex(b"firmware image");
        if done.contains("firmware.upload") {
            c.firmware_upgrade(&FirmwareUpgradeRequest::new().md5(md5)).await.unwrap();
            assert_ne!(sim.firmware_version(), akuvox_ac::sim::FIRMWARE_VERSION);
        } else {
            // The GET form cannot upload (POST only): nothing to upgrade, a negative reply.
            let e = c.firmware_upgrade(&FirmwareUpgradeRequest::new()).await.unwrap_err();
            assert_eq!(e.akuvox_retcode(), Some(-1));
        }
    });

    // config
    step!(done, c, ops::CONFIG_GET, {
        let all = c.config_get(&ConfigGetRequest::new()).await.unwrap();
        assert!(all.len() > 20);
        let section = c.config_get(&ConfigGetRequest::new().filter(["Config.DoorSetting.CLOUDSERVER"])).await.unwrap();
        assert!(section.len() >= 2 && section.0.keys().all(|k| k.starts_with(keys::CLOUDSERVER)));
        let one = c.config_get(&ConfigGetRequest::new().item([keys::LOG_LEVEL])).await.unwrap();
        assert_eq!(one.len(), 1);
    });
    step!(done, c, ops::CONFIG_SET, {
        let set = ConfigMap::new().with("Config.DoorSetting.CLOUDSERVER.Enable", "1");
        c.config_set(&ConfigSetRequest::new(set)).await.unwrap();
        assert_eq!(sim.config().get("Config.DoorSetting.CLOUDSERVER.Enable"), Some("1"));
    });
    step!(done, c, ops::CONFIG_EXPORT, {
        let file = c.config_export().await.unwrap();
        assert_eq!(file.filename.as_deref(), Some("Config.tgz"));
        assert!(!file.bytes.is_empty());
    });
    step!(done, c, ops::CONFIG_IMPORT, {
        let fresh = Simulator::start().await.unwrap();
        let exported = fresh.client_builder().build().unwrap().config_export().await.unwrap();
        c.config_import(&exported.bytes).await.unwrap();
        assert_eq!(sim.config().get("Config.DoorSetting.CLOUDSERVER.Enable"), Some("0"));
    });

    // relay
    step!(done, c, ops::RELAY_GET, {
        let r = c.relay_get(&RelayGetRequest::new()).await.unwrap();
        assert_eq!(r.relay_hold_delay(Door::A), Some(5));
        assert_eq!(r.relay_name(Door::B), Some("RelayB"));
    });
    step!(done, c, ops::RELAY_SET, {
        c.relay_set(&RelaySetRequest::new(ConfigMap::new().with_relay_hold_delay(Door::A, 8))).await.unwrap();
        assert_eq!(sim.config().relay_hold_delay(Door::A), Some(8));
    });
    step!(done, c, ops::RELAY_TRIG, {
        let logged = sim.door_log().len();
        c.relay_trig(&RelayTrigRequest::new(0, 2).level(1).delay(30)).await.unwrap();
        assert_eq!(sim.relay_state(Door::B), 1);
        assert_eq!(sim.door_log().len(), logged + 1);
    });
    step!(done, c, ops::RELAY_STATUS, {
        let s = c.relay_status(&RelayStatusRequest::new()).await.unwrap();
        assert_eq!(s.get(Door::B), Some(sim.relay_state(Door::B)));
    });

    // input
    step!(done, c, ops::INPUT_GET, {
        let i = c.input_get(&InputGetRequest::new()).await.unwrap();
        assert_eq!(i.input_relay(Door::C), Some(Door::C));
    });
    step!(done, c, ops::INPUT_SET, {
        c.input_set(&InputSetRequest::new(ConfigMap::new().with_input_enabled(Door::A, false))).await.unwrap();
        assert_eq!(sim.config().input_enabled(Door::A), Some(false));
    });
    step!(done, c, ops::INPUT_STATUS, {
        sim.set_input(Door::C, 0);
        let s = c.input_status(&InputStatusRequest::new()).await.unwrap();
        assert_eq!((s.get(Door::A), s.get(Door::C)), (Some(1), Some(0)));
    });

    // publiccode
    step!(done, c, ops::PUBLICCODE_GET, {
        let p = c.publiccode_get(&PubliccodeGetRequest::new()).await.unwrap();
        assert_eq!(
            (p.public_code_enabled(), p.public_code(1), p.public_code_digits()),
            (Some(true), Some("33333333"), Some(8))
        );
    });
    step!(done, c, ops::PUBLICCODE_SET, {
        let set = ConfigMap::new().with(format!("{}PublicKeyEnable", keys::PASSWORD), "0");
        c.publiccode_set(&PubliccodeSetRequest::new(set)).await.unwrap();
        assert_eq!(sim.config().public_code_enabled(), Some(false));
    });

    // privatekey
    step!(done, c, ops::PRIVATEKEY_ADD, {
        let added = c
            .privatekey_add(&PrivatekeyAddRequest::new(vec![
                PrivateKey::new("Lucy", "88888888", &[Door::A]),
                PrivateKey::new("Carol", "66666666", &[Door::A, Door::B]),
                PrivateKey::new("Dup", "88888888", &[Door::A]),
            ]))
            .await
            .unwrap();
        assert_eq!(added.item.len(), 3);
        assert_eq!(added.failures().count(), 1, "the duplicate code");
        assert!(added.item[0].ret.is_none(), "no Ret in a privatekey add reply");
    });
    step!(done, c, ops::PRIVATEKEY_GET, {
        let keys = c.privatekey_get(&PrivatekeyGetRequest::new()).await.unwrap();
        // Carol was added in the POST form; the GET form sees the seeded keys only.
        let (name, doors) =
            if done.contains("privatekey.add") { ("Carol", vec![Door::A, Door::B]) } else { ("5555", vec![Door::A]) };
        let key = keys.item.iter().find(|k| k.name.as_deref() == Some(name)).unwrap();
        assert_eq!(key.door_num.as_ref().unwrap().doors(), doors);
        assert_eq!(key.days.as_bools(), [Some(true); 7]);
        assert_eq!(key.time_start.as_ref().unwrap().hour_minute(), Some((0, 0)));
    });
    step!(done, c, ops::PRIVATEKEY_SET, {
        let id = sim.private_keys().iter().find(|k| k.name.as_deref() == Some("Carol")).unwrap().id.clone();
        let change = PrivateKey { id, code: Some("99999999".into()), ..PrivateKey::default() };
        let ghost = PrivateKey { id: Some("9999".into()), ..PrivateKey::default() };
        let out = c.privatekey_set(&PrivatekeySetRequest::new(vec![change, ghost])).await.unwrap();
        assert_eq!(out.item.iter().map(|o| o.ret).collect::<Vec<_>>(), vec![Some(0), Some(-1)]);
        assert!(sim.private_keys().iter().any(|k| k.code.as_deref() == Some("99999999")));
    });
    step!(done, c, ops::PRIVATEKEY_DEL, {
        let out = c
            .privatekey_del(&PrivatekeyDelRequest::new(vec![
                KeySelector { name: Some("Lucy".into()), ..KeySelector::default() },
                KeySelector::id("4242"),
            ]))
            .await
            .unwrap();
        assert_eq!(out.item.iter().map(|o| o.ret).collect::<Vec<_>>(), vec![Some(0), Some(-1)]);
        assert!(sim.private_keys().iter().all(|k| k.name.as_deref() != Some("Lucy")));
    });
    step!(done, c, ops::PRIVATEKEY_EXPORT, {
        let file = c.privatekey_export().await.unwrap();
        assert_eq!(file.filename.as_deref(), Some("PrivateKey.xml"));
        let code = if done.contains("privatekey.set") { "99999999" } else { "78965412" };
        assert!(std::str::from_utf8(&file.bytes).unwrap().contains(code));
    });
    step!(done, c, ops::PRIVATEKEY_CLEAR, {
        c.privatekey_clear(&PrivatekeyClearRequest::new()).await.unwrap();
        assert!(sim.private_keys().is_empty());
    });
    step!(done, c, ops::PRIVATEKEY_IMPORT, {
        let xml = "<?xml version=\"1.0\"?>\n<PrivateKeyData>\n  <Item ID=\"7\" Name=\"Imported\" Code=\"1234\" DoorNum=\"3\"/>\n</PrivateKeyData>\n";
        c.privatekey_import(xml.as_bytes()).await.unwrap();
        assert_eq!(sim.private_keys()[0].door_num.as_ref().unwrap().doors(), vec![Door::C]);
    });

    // rfkey
    step!(done, c, ops::RFKEY_ADD, {
        let out = c.rfkey_add(&RfkeyAddRequest::new(vec![RfKey::new("Card2", "0AB1C2D3", &[Door::B])])).await.unwrap();
        assert_eq!(out.item[0].ret, Some(0));
        assert!(out.item[0].id.as_deref().is_some_and(|id| id != "0"));
    });
    step!(done, c, ops::RFKEY_GET, {
        let cards = c.rfkey_get(&RfkeyGetRequest::new()).await.unwrap();
        let code = if done.contains("rfkey.add") { "0AB1C2D3" } else { "00B4161D" };
        assert!(cards.item.iter().any(|k| k.code.as_deref() == Some(code) && k.tags.as_deref() == Some("0")));
    });
    step!(done, c, ops::RFKEY_SET, {
        let id = sim.rf_keys().iter().find(|k| k.name.as_deref() == Some("Card2")).unwrap().id.clone();
        let out = c
            .rfkey_set(&RfkeySetRequest::new(vec![RfKey { id, tags: Some("2".into()), ..RfKey::default() }]))
            .await
            .unwrap();
        assert_eq!(out.failures().count(), 0);
    });
    step!(done, c, ops::RFKEY_EXPORT, {
        let file = c.rfkey_export().await.unwrap();
        assert_eq!(file.filename.as_deref(), Some("ICKey.xml"));
    });
    step!(done, c, ops::RFKEY_DEL, {
        let out = c
            .rfkey_del(&RfkeyDelRequest::new(vec![KeySelector {
                code: Some("0AB1C2D3".into()),
                ..KeySelector::default()
            }]))
            .await
            .unwrap();
        assert_eq!(out.item[0].ret, Some(0));
    });
    step!(done, c, ops::RFKEY_CLEAR, {
        c.rfkey_clear(&RfkeyClearRequest::new()).await.unwrap();
        assert!(sim.rf_keys().is_empty());
    });
    step!(done, c, ops::RFKEY_IMPORT, {
        c.rfkey_import(b"<ICKeyData>\n<Item ID=\"3\" Code=\"00B4161D\" DoorNum=\"1\"/>\n</ICKeyData>\n").await.unwrap();
        assert_eq!(sim.rf_keys().len(), 1);
    });

    // contact and group
    step!(done, c, ops::CONTACT_CLEAR, c.contact_clear(&ContactClearRequest::new()).await.unwrap());
    step!(done, c, ops::CONTACT_EXPORT, {
        if done.contains("contact.clear") {
            // An empty list exports as a negative JSON reply (L2455-2460): an error, not a file.
            let e = c.contact_export(&ContactExportRequest::new()).await.unwrap_err();
            assert_eq!(e.akuvox_retcode(), Some(-1));
        }
    });
    step!(done, c, ops::CONTACT_ADD, {
        let contact = |name: &str, phone: &str| Contact {
            id: Some("0".into()),
            name: Some(name.into()),
            phone: Some(phone.into()),
            dial_type: Some("0".into()),
            ..Contact::default()
        };
        let out =
            c.contact_add(&ContactAddRequest::new(vec![contact("Feya", "115"), contact("Leaf", "126")])).await.unwrap();
        assert_eq!(out.item.len(), 2);
        assert!(!out.count_mismatch());
    });
    step!(done, c, ops::CONTACT_GET, {
        let list = c.contact_get(&ContactGetRequest::new()).await.unwrap();
        assert_eq!(list.item.iter().any(|x| x.name.as_deref() == Some("Feya")), done.contains("contact.add"));
    });
    step!(done, c, ops::CONTACT_SET, {
        let id = c
            .contact_get(&ContactGetRequest::new())
            .await
            .unwrap()
            .item
            .into_iter()
            .find(|x| x.name.as_deref() == Some("Leaf"))
            .and_then(|x| x.id);
        let out = c
            .contact_set(&ContactSetRequest::new(vec![Contact { id, phone: Some("127".into()), ..Contact::default() }]))
            .await
            .unwrap();
        assert_eq!(out.item[0].phone.as_deref(), Some("127"));
    });
    step!(done, c, ops::CONTACT_DEL, {
        let out = c
            .contact_del(&ContactDelRequest::new(vec![ContactSelector {
                phone: Some("115".into()),
                ..ContactSelector::default()
            }]))
            .await
            .unwrap();
        assert_eq!(out.item[0].name.as_deref(), Some("Feya"));
    });
    step!(done, c, ops::CONTACT_EXPORT, {
        if done.contains("contact.add") {
            let csv = c.contact_export(&ContactExportRequest::new().filetype("csv")).await.unwrap();
            assert!(std::str::from_utf8(&csv.bytes).unwrap().contains("Leaf"));
        }
    });
    step!(done, c, ops::CONTACT_IMPORT, {
        c.contact_import(b"ID,Name,Phone,DialType,Group\n5,Tony,130,0,Default\n").await.unwrap();
        let list = c.contact_get(&ContactGetRequest::new()).await.unwrap_or_default();
        if !list.item.is_empty() {
            assert_eq!(list.item[0].name.as_deref(), Some("Tony"));
        }
    });
    step!(done, c, ops::GROUP_ADD, {
        let out = c
            .group_add(&GroupAddRequest::new(vec![Group {
                id: Some("0".into()),
                name: Some("Staff".into()),
                ..Group::default()
            }]))
            .await
            .unwrap();
        assert_eq!(out.item[0].ret, Some(0));
    });
    step!(done, c, ops::GROUP_GET, {
        let g = c.group_get(&GroupGetRequest::new()).await.unwrap();
        let name = if done.contains("group.add") { "Staff" } else { "Default" };
        assert!(g.item.iter().any(|g| g.name.as_deref() == Some(name)));
    });
    step!(done, c, ops::GROUP_SET, {
        let out = c
            .group_set(&GroupSetRequest::new(vec![Group {
                id: Some("12".into()),
                name: Some("Main".into()),
                ..Group::default()
            }]))
            .await
            .unwrap();
        assert!(out.item.iter().all(|o| !o.failed()));
    });
    step!(done, c, ops::GROUP_CLEAR, {
        c.group_clear(&GroupClearRequest::new()).await.unwrap();
    });

    // call and sip
    step!(done, c, ops::CALL_DIAL, {
        let calls = sim.call_log().len();
        c.call_dial(&CallDialRequest::new("192.168.1.58").display_name("Justa")).await.unwrap();
        assert_eq!(sim.call_log().len(), calls + 1);
    });
    step!(done, c, ops::CALL_STATUS, {
        let s = c.call_status(&CallStatusRequest::new()).await.unwrap();
        assert!(s.status.is_some());
    });
    step!(done, c, ops::CALL_HANGUP, {
        c.call_hangup(&CallHangupRequest::new()).await.unwrap();
        let status = c.call_status(&CallStatusRequest::new()).await.unwrap();
        assert_eq!(status.status.as_deref(), Some("READY"));
    });
    step!(done, c, ops::SIP_GET, {
        let s = c.sip_get(&SipGetRequest::new()).await.unwrap();
        assert_eq!(s.account_sip_port(1), Some(5060));
    });
    step!(done, c, ops::SIP_SET, {
        let set = ConfigMap::new()
            .with("Config.Account2.GENERAL.Enable", "1")
            .with("Config.Account2.GENERAL.UserName", "142");
        c.sip_set(&SipSetRequest::new(set)).await.unwrap();
        assert_eq!(sim.config().account_enabled(2), Some(true));
    });
    step!(done, c, ops::SIP_STATUS, {
        let s = c.sip_status(&SipStatusRequest::new()).await.unwrap();
        assert_eq!(s.account1.unwrap().registration(), Some(Registration::Registered));
    });

    // dialreplace
    step!(done, c, ops::DIALREPLACE_ADD, {
        let rule = DialReplace {
            id: Some("0".into()),
            prefix: Some("9".into()),
            line: Some("1".into()),
            replace1: Some("100".into()),
            ..DialReplace::default()
        };
        let out = c.dialreplace_add(&DialreplaceAddRequest::new(vec![rule])).await.unwrap();
        assert_eq!(out.item[0].ret, Some(0));
    });
    step!(done, c, ops::DIALREPLACE_GET, {
        let rules = c.dialreplace_get(&DialreplaceGetRequest::new()).await.unwrap();
        let prefix = if done.contains("dialreplace.add") { "9" } else { "1" };
        assert!(rules.item.iter().any(|r| r.prefix.as_deref() == Some(prefix)));
    });
    step!(done, c, ops::DIALREPLACE_SET, {
        let out = c
            .dialreplace_set(&DialreplaceSetRequest::new(vec![DialReplace {
                id: Some("1".into()),
                replace2: Some("200".into()),
                ..DialReplace::default()
            }]))
            .await
            .unwrap();
        assert!(out.item.len() == 1);
    });
    step!(done, c, ops::DIALREPLACE_EXPORT, {
        let file = c.dialreplace_export().await.unwrap();
        assert_eq!(file.filename.as_deref(), Some("DialReplace.xml"));
    });
    step!(done, c, ops::DIALREPLACE_DEL, {
        let out = c.dialreplace_del(&DialreplaceDelRequest::new(vec![IdSelector::id("1")])).await.unwrap();
        assert_eq!(out.item.len(), 1);
    });
    step!(done, c, ops::DIALREPLACE_CLEAR, c.dialreplace_clear(&DialreplaceClearRequest::new()).await.unwrap());
    step!(done, c, ops::DIALREPLACE_IMPORT, {
        c.dialreplace_import(b"<DialReplaceData>\n<Item ID=\"4\" Prefix=\"0\" Line=\"0\"/>\n</DialReplaceData>\n")
            .await
            .unwrap();
    });

    // log
    step!(done, c, ops::LOG_GET, {
        assert_eq!(c.log_get(&LogGetRequest::new()).await.unwrap().log_level(), Some(3));
    });
    step!(done, c, ops::LOG_SET, {
        let level = c.log_set(&LogSetRequest::new(ConfigMap::new().with(keys::LOG_LEVEL, "7"))).await.unwrap();
        assert_eq!(level.log_level(), Some(7));
    });
    step!(done, c, ops::LOG_EXPORT, {
        let file = c.log_export(&LogExportRequest::new().log_type("kmsg")).await.unwrap();
        assert_eq!(file.filename.as_deref(), Some("kmsg.txt"));
    });
    step!(done, c, ops::LOG_CLEAR, c.log_clear(&LogClearRequest::new().log_type("kmsg")).await.unwrap());

    // calllog
    step!(done, c, ops::CALLLOG_GET, {
        let all = c.calllog_get(&CalllogGetRequest::new()).await.unwrap();
        assert!(all
            .item
            .iter()
            .any(|e| e.kind() == Some(CallType::Dialed) && e.num.as_deref() == Some("192.168.1.58")));
        let dialed = c.calllog_get(&CalllogGetRequest::new().call_type("Dialed")).await.unwrap();
        assert!(dialed.item.iter().all(|e| e.kind() == Some(CallType::Dialed)));
    });
    step!(done, c, ops::CALLLOG_EXPORT, {
        let file = c.calllog_export().await.unwrap();
        assert!(std::str::from_utf8(&file.bytes).unwrap().starts_with("ID,Type"));
    });
    step!(done, c, ops::CALLLOG_DEL, {
        let id = sim.call_log().first().and_then(|e| e.id.clone()).unwrap();
        c.calllog_del(&CalllogDelRequest::new(id.clone())).await.unwrap();
        assert!(sim.call_log().iter().all(|e| e.id.as_ref() != Some(&id)));
    });
    step!(done, c, ops::CALLLOG_CLEAR, {
        c.calllog_clear(&CalllogClearRequest::new().call_type("All")).await.unwrap();
        assert!(sim.call_log().is_empty());
    });

    // doorlog
    step!(done, c, ops::DOORLOG_GET, {
        sim.swipe_card("NOSUCHCARD");
        let log = c.doorlog_get(&DoorlogGetRequest::new()).await.unwrap();
        assert!(log.item.iter().any(|e| e.code.as_deref() == Some("NOSUCHCARD") && e.succeeded() == Some(false)));
    });
    step!(done, c, ops::DOORLOG_EXPORT, {
        let file = c.doorlog_export().await.unwrap();
        assert_eq!(file.filename.as_deref(), Some("DoorLog.xml"));
    });
    step!(done, c, ops::DOORLOG_DEL, {
        let id = sim.door_log().last().and_then(|e| e.id.clone()).unwrap();
        c.doorlog_del(&DoorlogDelRequest::new(id)).await.unwrap();
    });
    step!(done, c, ops::DOORLOG_CLEAR, {
        c.doorlog_clear(&DoorlogClearRequest::new()).await.unwrap();
        assert!(sim.door_log().is_empty());
    });

    // pcap
    step!(done, c, ops::PCAP_START, {
        let s = c
            .pcap_start(&PcapStartRequest::new().capture_type("auto").filter("ip").time("180").size("1048576"))
            .await
            .unwrap();
        assert_eq!((s.time.as_deref(), s.interface.as_deref()), (Some("180"), Some("eth0")));
    });
    step!(done, c, ops::PCAP_STATUS, {
        let s = c.pcap_status(&PcapStatusRequest::new()).await.unwrap();
        assert!(s.status.is_some());
    });
    step!(done, c, ops::PCAP_STOP, {
        let s = c.pcap_stop(&PcapStopRequest::new()).await.unwrap();
        assert_eq!(s.file_size, Some(24));
    });
    step!(done, c, ops::PCAP_EXPORT, {
        if done.contains("pcap.stop") {
            let file = c.pcap_export().await.unwrap();
            assert_eq!(file.bytes.len(), 24);
        }
    });

    // user
    step!(done, c, ops::USER_INFO, {
        assert_eq!(c.user_info(&UserInfoRequest::new()).await.unwrap().default_user_id.as_deref(), Some("1"));
    });
    step!(done, c, ops::USER_ADD, {
        let user = User {
            id: Some("0".into()),
            user_id: Some("7".into()),
            name: Some("Ann".into()),
            lift_floor_num: Some("3;4".into()),
            ..User::default()
        };
        let out = c.user_add(&UserAddRequest::new(vec![user])).await.unwrap();
        assert!(out.item.is_empty(), "retcode 1 without data is success");
        assert!(sim.users().iter().any(|u| u.name.as_deref() == Some("Ann")));
    });
    step!(done, c, ops::USER_GET, {
        let users = c.user_get(&UserGetRequest::new().source_type("All")).await.unwrap();
        let ann = users.item.iter().find(|u| u.name.as_deref() == Some("Ann"));
        if let Some(ann) = ann {
            assert_eq!(ann.lift_floors(), vec![3, 4]);
        }
        assert!(!users.item.is_empty());
    });
    step!(done, c, ops::USER_SET, {
        c.user_set(&UserSetRequest::new(vec![User {
            id: Some("2".into()),
            name: Some("Renamed".into()),
            ..User::default()
        }]))
        .await
        .unwrap();
    });
    step!(done, c, ops::USER_SCAN, {
        sim.present_card(Some("99D78D72"));
        assert_eq!(c.user_scan(&UserScanRequest::new()).await.unwrap().rf_code.as_deref(), Some("99D78D72"));
    });
    step!(done, c, ops::USER_EDIT, {
        let e = c.user_edit(&UserEditRequest::new()).await.unwrap_err();
        assert!(e.is_unsupported_action(), "{e:?}");
    });
    step!(done, c, ops::USER_EXPORT, {
        let export = c.user_export(&UserExportRequest::new()).await.unwrap();
        assert_eq!(export.path().as_deref(), Some("/download/UserData.tgz"));
        let file = c.user_export_file().await.unwrap();
        assert!(!file.bytes.is_empty());
    });
    step!(done, c, ops::USER_IMPORT, {
        let other = Simulator::start().await.unwrap();
        let data = other.client_builder().build().unwrap().user_export_file().await.unwrap();
        c.user_import(&data.bytes).await.unwrap();
        assert_eq!(sim.users().len(), other.users().len());
    });
    step!(done, c, ops::USER_DEL, {
        c.user_del(&UserDelRequest::new(vec![IdSelector::id("2")])).await.unwrap();
        assert!(sim.users().iter().all(|u| u.id.as_deref() != Some("2")));
    });
    step!(done, c, ops::USER_CLEAR, {
        c.user_clear(&UserClearRequest::new()).await.unwrap();
        assert!(sim.users().is_empty());
    });
    step!(done, c, ops::CONFIG_RESET_FACTORY, {
        c.config_reset_factory(&ConfigResetFactoryRequest::new()).await.unwrap();
        assert!(sim.private_keys().is_empty());
    });
    done
}

/// The functions `profile` allows.
fn allowed_by(profile: &DeviceProfile) -> BTreeSet<&'static str> {
    OPERATIONS.iter().filter(|op| forms::pick(op, profile).is_ok()).map(|op| op.id).collect()
}

async fn run(profile: DeviceProfile) -> BTreeSet<&'static str> {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().profile(profile).build().unwrap();
    let done = exercise(&client, &sim).await;
    assert_eq!(done, allowed_by(&profile), "{profile:?}: every allowed function called");
    for id in &done {
        assert!(sim.hits(id) > 0, "{profile:?}: {id} reached the simulator under its route");
    }
    done
}

#[tokio::test(start_paused = true)]
async fn every_function_is_exercised() {
    let post = run(DeviceProfile::default()).await;
    let get = run(DeviceProfile { form: RequestForm::Get, ..Default::default() }).await;
    let all: BTreeSet<&str> = OPERATIONS.iter().map(|op| op.id).collect();
    assert_eq!(post.union(&get).copied().collect::<BTreeSet<_>>(), all, "some function is never called");
    assert_eq!(OPERATIONS.len(), 85);
}

#[tokio::test(start_paused = true)]
async fn post_to_the_api_root() {
    run(DeviceProfile { form: RequestForm::Post, post_path: PostPath::Root, ..Default::default() }).await;
}

#[tokio::test(start_paused = true)]
async fn the_callog_spelling() {
    for form in [RequestForm::Get, RequestForm::Post] {
        let profile = DeviceProfile { form, calllog: CallLogSpelling::Callog, ..Default::default() };
        let sim = Simulator::start().await.unwrap();
        let client = sim.client_builder().profile(profile).build().unwrap();
        let log = client.calllog_get(&CalllogGetRequest::new()).await.unwrap();
        assert_eq!(log.item.len(), 1);
        client.calllog_clear(&CalllogClearRequest::new().call_type("Received")).await.unwrap();
        assert!(sim.call_log().is_empty());
        let sent = sim.journal().entries();
        assert!(sent.iter().all(|e| e.path_and_query.starts_with("/api/callog/")), "{form:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_forced_form_the_function_does_not_allow_sends_nothing() {
    let sim = Simulator::start().await.unwrap();
    let get = sim.client_builder().request_form(RequestForm::Get).build().unwrap();
    let e = get.config_set(&ConfigSetRequest::new(ConfigMap::new())).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported);
    let post = sim.client_builder().request_form(RequestForm::Post).build().unwrap();
    assert_eq!(post.pcap_export().await.unwrap_err().kind(), ErrorKind::Unsupported);
    assert_eq!(sim.requests_total(), 0);
}

use watchpost_core::ErrorKind;
