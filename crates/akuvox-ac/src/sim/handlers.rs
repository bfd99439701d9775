//! The simulated device's functions: state logic on the generated [`Handlers`] trait, answering
//! with the seed's reply shapes and quirks (reboot echoes "status", log/set echoes "get" with
//! data, calllog/clear "upgrade", user/get "info", user/scan "scam"; user add/set/del answer
//! retcode 1; a privatekey add reply has no `Ret`).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};
use watchpost_core::clock::SharedClock;
use watchpost_core::operation::Operation;
use watchpost_core::sim::{lock, SimRejection, SimRequest, SimResponse};

use super::files::{self as f, CONFIG_MAGIC, USERS_MAGIC};
use super::generated::Handlers;
use super::state::{door_index, module_prefixes, Device};
use crate::generated as api;
use crate::models::{ConfigMap, Door};

/// The path `user.export` hands out.
pub(crate) const USER_DATA_PATH: &str = "/download/UserData.tgz";

/// The state behind the handlers.
pub(crate) struct Shared {
    pub(crate) device: Mutex<Device>,
    pub(crate) clock: SharedClock,
}

impl Shared {
    pub(crate) fn device(&self) -> MutexGuard<'_, Device> {
        lock(&self.device)
    }

    pub(crate) fn now(&self) -> Duration {
        self.clock.unix_now()
    }
}

/// `{"retcode": 0, "action": <action>, "message": "OK"}`.
pub(crate) fn ok(action: &str) -> SimResponse {
    SimResponse::json(200, &json!({"retcode": 0, "action": action, "message": "OK"}))
}

/// A positive reply with data.
pub(crate) fn ok_data(action: &str, data: Value) -> SimResponse {
    SimResponse::json(200, &json!({"retcode": 0, "action": action, "message": "OK", "data": data}))
}

/// A negative reply (`retcode` -1) with HTTP 200.
pub(crate) fn fail(action: &str, message: &str) -> SimResponse {
    SimResponse::json(200, &json!({"retcode": -1, "action": action, "message": message}))
}

/// The documented reply to a function the device does not know (L257-261).
pub(crate) fn unsupported() -> SimResponse {
    fail("unknow", crate::reply::UNSUPPORTED_ACTION)
}

/// A file download.
fn file(name: &str, content_type: &str, bytes: impl Into<Bytes>) -> SimResponse {
    SimResponse::bytes(200, content_type, bytes).header("content-disposition", format!("attachment;filename={name}"))
}

fn obj<T: Serialize>(t: &T) -> Map<String, Value> {
    match serde_json::to_value(t) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

fn from_obj<T: DeserializeOwned>(m: Map<String, Value>) -> Option<T> {
    serde_json::from_value(Value::Object(m)).ok()
}

/// The members `fields` of `item`, after `Ret` when given.
fn outcome(item: &Map<String, Value>, ret: Option<i64>, fields: &[&str]) -> Value {
    let mut out = Map::new();
    if let Some(r) = ret {
        out.insert("Ret".into(), Value::from(r));
    }
    for field in fields {
        if let Some(v) = item.get(*field) {
            out.insert((*field).to_owned(), v.clone());
        }
    }
    Value::Object(out)
}

fn list(items: Vec<Value>) -> Value {
    json!({"num": items.len(), "item": items})
}

/// How a batch function answers.
struct Batch<'a> {
    /// The members each outcome repeats.
    fields: &'a [&'a str],
    /// Whether a successful add reports `Ret` (a privatekey add does not, L1451-1460).
    ret_on_add: bool,
    /// Members that must be unique across the list (a key's `Code`).
    unique: Option<&'a str>,
}

/// Adds `items`: an absent, `"0"` or taken ID gets a fresh one.
fn add<T: Serialize + DeserializeOwned>(
    dev: &mut Device,
    list_of: fn(&mut Device) -> &mut Vec<T>,
    items: Vec<T>,
    b: &Batch<'_>,
) -> Value {
    let mut out = Vec::new();
    for item in items {
        let mut m = obj(&item);
        let existing: Vec<Map<String, Value>> = list_of(dev).iter().map(obj).collect();
        if let Some(key) = b.unique {
            if m.get(key).is_some_and(|v| existing.iter().any(|e| e.get(key) == Some(v))) {
                out.push(outcome(&m, Some(-1), b.fields));
                continue;
            }
        }
        let id_free = m.get("ID").and_then(Value::as_str).is_some_and(|id| {
            id != "0" && !id.is_empty() && !existing.iter().any(|e| e.get("ID").and_then(Value::as_str) == Some(id))
        });
        if !id_free {
            m.insert("ID".into(), Value::String(dev.new_id()));
        }
        let ret = b.ret_on_add.then_some(0);
        match from_obj::<T>(m.clone()) {
            Some(t) => {
                list_of(dev).push(t);
                out.push(outcome(&m, ret, b.fields));
            }
            None => out.push(outcome(&m, Some(-1), b.fields)),
        }
    }
    list(out)
}

/// Changes items by `ID` (members given replace the stored ones); an unknown ID is `Ret` -1.
fn set<T: Serialize + DeserializeOwned>(
    dev: &mut Device,
    list_of: fn(&mut Device) -> &mut Vec<T>,
    items: Vec<T>,
    b: &Batch<'_>,
) -> Value {
    let mut out = Vec::new();
    for item in items {
        let m = obj(&item);
        let id = m.get("ID").cloned();
        let stored = list_of(dev);
        let found = stored.iter().position(|s| id.is_some() && obj(s).get("ID") == id.as_ref());
        match found {
            Some(i) => {
                let mut merged = obj(&stored[i]);
                merged.extend(m.clone());
                match from_obj::<T>(merged.clone()) {
                    Some(t) => {
                        stored[i] = t;
                        out.push(outcome(&merged, Some(0), b.fields));
                    }
                    None => out.push(outcome(&m, Some(-1), b.fields)),
                }
            }
            None => out.push(outcome(&m, Some(-1), b.fields)),
        }
    }
    list(out)
}

/// Deletes the items each selector names (every member given must match); a selector that
/// names nothing is `Ret` -1.
fn del<T: Serialize, S: Serialize>(
    dev: &mut Device,
    list_of: fn(&mut Device) -> &mut Vec<T>,
    selectors: Vec<S>,
    fields: &[&str],
) -> Value {
    let mut out = Vec::new();
    for sel in selectors {
        let sel = obj(&sel);
        let stored = list_of(dev);
        let hit = stored.iter().position(|s| {
            let s = obj(s);
            !sel.is_empty() && sel.iter().all(|(k, v)| s.get(k) == Some(v))
        });
        match hit {
            Some(i) => {
                let removed = obj(&stored.remove(i));
                out.push(outcome(&removed, Some(0), fields));
            }
            None => out.push(outcome(&sel, Some(-1), fields)),
        }
    }
    list(out)
}

fn items<T: Serialize>(items: &[T]) -> Value {
    list(items.iter().map(|i| Value::Object(obj(i))).collect())
}

/// The configuration keys under `prefixes`.
fn view(dev: &Device, prefixes: &[&str]) -> Value {
    let m: Map<String, Value> = dev
        .config
        .iter()
        .filter(|(k, _)| prefixes.iter().any(|p| k.starts_with(p)))
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Value::Object(m)
}

/// Writes keys under `prefixes`; a key outside them is refused (nothing is written).
fn write(dev: &mut Device, prefixes: &[&str], config: ConfigMap) -> bool {
    if config.0.keys().any(|k| !prefixes.iter().any(|p| k.starts_with(p))) {
        return false;
    }
    dev.config.extend(config.0);
    true
}

/// The uploaded file of an import, when it came in the expected field.
fn upload<'a>(ctx: &'a SimRequest, field: &str) -> Option<&'a [u8]> {
    let ct = ctx.header("content-type")?;
    let (name, file) = f::multipart_file(ct, &ctx.body)?;
    (name == field).then_some(file)
}

fn parse_items<T: DeserializeOwned>(bytes: &[u8]) -> Option<Vec<T>> {
    let text = std::str::from_utf8(bytes).ok()?;
    f::parse_xml_items(text)?.into_iter().map(from_obj).collect()
}

fn maps<T: Serialize>(items: &[T]) -> Vec<Map<String, Value>> {
    items.iter().map(obj).collect()
}

const KEY_FIELDS: &[&str] = &["Code", "ID", "Name"];
const CONTACT_FIELDS: &[&str] = &["ID", "Name", "Phone"];
const ID_FIELDS: &[&str] = &["ID", "Name"];
const CONTACT_COLUMNS: &[&str] = &["ID", "Name", "Phone", "DialType", "Group"];
const CALL_COLUMNS: &[&str] = &["ID", "Type", "Date", "Time", "LocalIdentity", "Name", "Num"];

impl Handlers for Shared {
    async fn system_info(&self, _req: api::SystemInfoRequest, _ctx: SimRequest) -> SimResponse {
        let dev = self.device();
        let account = |n: u8| {
            let get = |k: &str| dev.config.get(&format!("Config.Account{n}.{k}")).cloned().unwrap_or_default();
            let enabled = get("GENERAL.Enable") == "1";
            json!({"UserName": get("GENERAL.UserName"), "SipServer": get("SIP.Server"), "Status": if enabled { "2" } else { "0" }})
        };
        ok_data(
            "info",
            json!({
                "Account1": account(1),
                "Account2": account(2),
                "Lan": {"DNS1": "192.168.1.1", "DNS2": "", "Gateway": "192.168.1.1", "IPAddress": "192.168.1.78",
                        "LinkStatus": "1", "PortType": "0", "SubnetMask": "255.255.255.0"},
                "Status": {"FirmwareVersion": dev.firmware.version, "HardwareVersion": "29.3.0",
                           "MAC": super::state::MAC, "Model": dev.model},
            }),
        )
    }

    async fn system_status(&self, _req: api::SystemStatusRequest, _ctx: SimRequest) -> SimResponse {
        let now = self.now();
        let up = now.saturating_sub(self.device().booted_at);
        ok_data("status", json!({"SystemTime": now.as_secs(), "UpTime": up.as_secs()}))
    }

    async fn system_reboot(&self, _req: api::SystemRebootRequest, _ctx: SimRequest) -> SimResponse {
        let now = self.now();
        let mut dev = self.device();
        dev.reboots += 1;
        dev.booted_at = now;
        // The seed's reply echoes "status" (L556).
        ok("status")
    }

    async fn firmware_status(&self, _req: api::FirmwareStatusRequest, _ctx: SimRequest) -> SimResponse {
        let dev = self.device();
        ok_data(
            "status",
            json!({"FirmwareVersion": dev.firmware.version, "HardwareVersion": "29.3.0",
                   "MAC": super::state::MAC, "Model": dev.model}),
        )
    }

    async fn firmware_prepare(&self, _req: api::FirmwarePrepareRequest, _ctx: SimRequest) -> SimResponse {
        self.device().firmware.prepared = true;
        ok("prepare")
    }

    async fn firmware_upload(&self, _req: api::FirmwareUploadRequest, ctx: SimRequest) -> SimResponse {
        let Some(image) = upload(&ctx, "file") else { return fail("upload", "Upload Failed.") };
        let mut dev = self.device();
        if !dev.firmware.prepared {
            return fail("upload", "Not Prepared");
        }
        dev.firmware.image = Some(Bytes::copy_from_slice(image));
        ok("upload")
    }

    async fn firmware_upgrade(&self, req: api::FirmwareUpgradeRequest, _ctx: SimRequest) -> SimResponse {
        let mut dev = self.device();
        let Some(image) = dev.firmware.image.clone().filter(|_| dev.firmware.prepared) else {
            return fail("upgrade", "No Firmware");
        };
        let calc = crate::files::md5_hex(&image);
        if let Some(md5) = req.md5.filter(|m| !m.trim().eq_ignore_ascii_case(&calc)) {
            return SimResponse::json(
                200,
                &json!({"retcode": -1, "action": "upgrade", "message": crate::reply::WRONG_MD5,
                        "data": {"md5": md5, "md5_calc": calc}}),
            );
        }
        dev.firmware.upgrades += 1;
        dev.firmware.version = format!("{}.{}", super::state::FIRMWARE_VERSION, dev.firmware.upgrades);
        dev.firmware.prepared = false;
        dev.firmware.image = None;
        ok("upgrade")
    }

    async fn config_get(&self, req: api::ConfigGetRequest, _ctx: SimRequest) -> SimResponse {
        let dev = self.device();
        let mut data = Map::new();
        let filters = req.filter.unwrap_or_default();
        let keys = req.item.unwrap_or_default();
        for (k, v) in &dev.config {
            let wanted = (filters.is_empty() && keys.is_empty())
                || filters.iter().any(|p| k.starts_with(p.as_str()))
                || keys.iter().any(|key| key == k);
            if wanted {
                data.insert(k.clone(), Value::String(v.clone()));
            }
        }
        ok_data("get", Value::Object(data))
    }

    async fn config_set(&self, req: api::ConfigSetRequest, _ctx: SimRequest) -> SimResponse {
        if write(&mut self.device(), module_prefixes("config"), req.config) {
            ok("set")
        } else {
            fail("set", "invalid key")
        }
    }

    async fn config_export(&self, _req: api::ConfigExportRequest, _ctx: SimRequest) -> SimResponse {
        let config = serde_json::to_string(&self.device().config).unwrap_or_default();
        file("Config.tgz", "application/octet-stream", format!("{CONFIG_MAGIC}\n{config}"))
    }

    async fn config_import(&self, _req: api::ConfigImportRequest, ctx: SimRequest) -> SimResponse {
        let parsed = upload(&ctx, "config")
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|t| t.strip_prefix(CONFIG_MAGIC))
            .and_then(|t| serde_json::from_str::<std::collections::BTreeMap<String, String>>(t.trim()).ok());
        let Some(config) = parsed else { return fail("import", "Import Failed.") };
        let now = self.now();
        let mut dev = self.device();
        dev.config = config;
        // The device reboots after a configuration import (L878).
        dev.reboots += 1;
        dev.booted_at = now;
        ok("import")
    }

    async fn config_reset_factory(&self, _req: api::ConfigResetFactoryRequest, _ctx: SimRequest) -> SimResponse {
        let now = self.now();
        let mut dev = self.device();
        let reboots = dev.reboots;
        *dev = Device::seeded(now);
        dev.private_keys.clear();
        dev.rf_keys.clear();
        dev.contacts.clear();
        dev.users.clear();
        dev.call_log.clear();
        dev.reboots = reboots + 1;
        ok("reset_factory")
    }

    async fn relay_get(&self, _req: api::RelayGetRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("get", view(&self.device(), module_prefixes("relay")))
    }

    async fn relay_set(&self, req: api::RelaySetRequest, _ctx: SimRequest) -> SimResponse {
        if write(&mut self.device(), module_prefixes("relay"), req.config) {
            ok("set")
        } else {
            fail("set", "invalid key")
        }
    }

    async fn relay_status(&self, _req: api::RelayStatusRequest, _ctx: SimRequest) -> SimResponse {
        let now = self.now();
        let dev = self.device();
        ok_data(
            "status",
            json!({"RelayA": dev.relay_state(Door::A, now), "RelayB": dev.relay_state(Door::B, now),
                   "RelayC": dev.relay_state(Door::C, now)}),
        )
    }

    async fn relay_trig(&self, req: api::RelayTrigRequest, _ctx: SimRequest) -> SimResponse {
        let Some(door) = Door::from_number(req.num) else { return fail("trig", "invalid relay") };
        if req.mode > 1 || req.level.is_some_and(|l| l > 1) || req.delay.is_some_and(|d| d > 65_535) {
            return fail("trig", "invalid param");
        }
        let now = self.now();
        let mut dev = self.device();
        let seconds = req.delay.map_or_else(|| dev.hold_delay(door), u64::from);
        dev.open_relay(door, req.mode == 1, seconds, now);
        let name = dev.config.get(&ConfigMap::door_key(crate::models::keys::RELAY, "Name", door)).cloned();
        dev.log_door("Unknow", &name.unwrap_or_else(|| format!("Relay{}", door.letter())), "HTTP API", true, now);
        ok("trig")
    }

    async fn input_get(&self, _req: api::InputGetRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("get", view(&self.device(), module_prefixes("input")))
    }

    async fn input_set(&self, req: api::InputSetRequest, _ctx: SimRequest) -> SimResponse {
        if write(&mut self.device(), module_prefixes("input"), req.config) {
            ok("set")
        } else {
            fail("set", "invalid key")
        }
    }

    async fn input_status(&self, _req: api::InputStatusRequest, _ctx: SimRequest) -> SimResponse {
        let i = self.device().inputs;
        ok_data("status", json!({"InputA": i[0], "InputB": i[1], "InputC": i[2]}))
    }

    async fn publiccode_get(&self, _req: api::PubliccodeGetRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("get", view(&self.device(), module_prefixes("publiccode")))
    }

    async fn publiccode_set(&self, req: api::PubliccodeSetRequest, _ctx: SimRequest) -> SimResponse {
        if write(&mut self.device(), module_prefixes("publiccode"), req.config) {
            ok("set")
        } else {
            fail("set", "invalid key")
        }
    }

    async fn privatekey_get(&self, _req: api::PrivatekeyGetRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("get", items(&self.device().private_keys))
    }

    async fn privatekey_add(&self, req: api::PrivatekeyAddRequest, _ctx: SimRequest) -> SimResponse {
        let b = Batch { fields: KEY_FIELDS, ret_on_add: false, unique: Some("Code") };
        ok_data("add", add(&mut self.device(), |d| &mut d.private_keys, req.item, &b))
    }

    async fn privatekey_set(&self, req: api::PrivatekeySetRequest, _ctx: SimRequest) -> SimResponse {
        let b = Batch { fields: KEY_FIELDS, ret_on_add: true, unique: None };
        ok_data("set", set(&mut self.device(), |d| &mut d.private_keys, req.item, &b))
    }

    async fn privatekey_del(&self, req: api::PrivatekeyDelRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("del", del(&mut self.device(), |d| &mut d.private_keys, req.item, KEY_FIELDS))
    }

    async fn privatekey_clear(&self, _req: api::PrivatekeyClearRequest, _ctx: SimRequest) -> SimResponse {
        self.device().private_keys.clear();
        ok("clear")
    }

    async fn privatekey_export(&self, _req: api::PrivatekeyExportRequest, _ctx: SimRequest) -> SimResponse {
        let xml = f::xml_items("PrivateKeyData", &maps(&self.device().private_keys));
        file("PrivateKey.xml", "application/octet-stream", xml)
    }

    async fn privatekey_import(&self, _req: api::PrivatekeyImportRequest, ctx: SimRequest) -> SimResponse {
        match upload(&ctx, "config").and_then(parse_items) {
            Some(keys) => {
                self.device().private_keys = keys;
                ok("import")
            }
            None => fail("import", "Import Failed."),
        }
    }

    async fn rfkey_get(&self, _req: api::RfkeyGetRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("get", items(&self.device().rf_keys))
    }

    async fn rfkey_add(&self, req: api::RfkeyAddRequest, _ctx: SimRequest) -> SimResponse {
        let b = Batch { fields: KEY_FIELDS, ret_on_add: true, unique: Some("Code") };
        ok_data("add", add(&mut self.device(), |d| &mut d.rf_keys, req.item, &b))
    }

    async fn rfkey_set(&self, req: api::RfkeySetRequest, _ctx: SimRequest) -> SimResponse {
        let b = Batch { fields: KEY_FIELDS, ret_on_add: true, unique: None };
        ok_data("set", set(&mut self.device(), |d| &mut d.rf_keys, req.item, &b))
    }

    async fn rfkey_del(&self, req: api::RfkeyDelRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("del", del(&mut self.device(), |d| &mut d.rf_keys, req.item, KEY_FIELDS))
    }

    async fn rfkey_clear(&self, _req: api::RfkeyClearRequest, _ctx: SimRequest) -> SimResponse {
        self.device().rf_keys.clear();
        ok("clear")
    }

    async fn rfkey_export(&self, _req: api::RfkeyExportRequest, _ctx: SimRequest) -> SimResponse {
        let xml = f::xml_items("ICKeyData", &maps(&self.device().rf_keys));
        file("ICKey.xml", "application/octet-stream", xml)
    }

    async fn rfkey_import(&self, _req: api::RfkeyImportRequest, ctx: SimRequest) -> SimResponse {
        match upload(&ctx, "config").and_then(parse_items) {
            Some(cards) => {
                self.device().rf_keys = cards;
                ok("import")
            }
            None => fail("import", "Import Failed."),
        }
    }

    async fn contact_get(&self, _req: api::ContactGetRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("get", items(&self.device().contacts))
    }

    async fn contact_add(&self, req: api::ContactAddRequest, _ctx: SimRequest) -> SimResponse {
        let b = Batch { fields: CONTACT_FIELDS, ret_on_add: true, unique: None };
        ok_data("add", add(&mut self.device(), |d| &mut d.contacts, req.item, &b))
    }

    async fn contact_set(&self, req: api::ContactSetRequest, _ctx: SimRequest) -> SimResponse {
        let b = Batch { fields: CONTACT_FIELDS, ret_on_add: true, unique: None };
        ok_data("set", set(&mut self.device(), |d| &mut d.contacts, req.item, &b))
    }

    async fn contact_del(&self, req: api::ContactDelRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("del", del(&mut self.device(), |d| &mut d.contacts, req.item, CONTACT_FIELDS))
    }

    async fn contact_clear(&self, _req: api::ContactClearRequest, _ctx: SimRequest) -> SimResponse {
        self.device().contacts.clear();
        ok("clear")
    }

    async fn contact_export(&self, req: api::ContactExportRequest, _ctx: SimRequest) -> SimResponse {
        let dev = self.device();
        if dev.contacts.is_empty() {
            // An empty list answers JSON instead of a file (L2455-2460).
            return fail("export", "Export Failed.");
        }
        let rows = maps(&dev.contacts);
        match req.filetype.as_deref().unwrap_or("csv") {
            "csv" => file("Contacts.csv", "application/octet-stream", f::csv(CONTACT_COLUMNS, &rows)),
            "xml" => file("Contacts.xml", "application/octet-stream", f::xml_items("ContactData", &rows)),
            "vcf" => {
                let cards: String = dev
                    .contacts
                    .iter()
                    .map(|c| {
                        format!(
                            "BEGIN:VCARD\nVERSION:3.0\nFN:{}\nTEL:{}\nEND:VCARD\n",
                            c.name.as_deref().unwrap_or(""),
                            c.phone.as_deref().unwrap_or("")
                        )
                    })
                    .collect();
                file("Contacts.vcf", "application/octet-stream", cards)
            }
            _ => fail("export", "Export Failed."),
        }
    }

    async fn contact_import(&self, _req: api::ContactImportRequest, ctx: SimRequest) -> SimResponse {
        let parsed = upload(&ctx, "config")
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(f::parse_csv)
            .and_then(|rows| rows.into_iter().map(from_obj).collect::<Option<Vec<_>>>());
        match parsed {
            Some(contacts) => {
                self.device().contacts = contacts;
                ok("import")
            }
            None => fail("import", "Import Failed."),
        }
    }

    async fn group_get(&self, _req: api::GroupGetRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("get", items(&self.device().groups))
    }

    async fn group_add(&self, req: api::GroupAddRequest, _ctx: SimRequest) -> SimResponse {
        let b = Batch { fields: ID_FIELDS, ret_on_add: true, unique: Some("Name") };
        ok_data("add", add(&mut self.device(), |d| &mut d.groups, req.item, &b))
    }

    async fn group_set(&self, req: api::GroupSetRequest, _ctx: SimRequest) -> SimResponse {
        let b = Batch { fields: ID_FIELDS, ret_on_add: true, unique: None };
        ok_data("set", set(&mut self.device(), |d| &mut d.groups, req.item, &b))
    }

    async fn group_clear(&self, _req: api::GroupClearRequest, _ctx: SimRequest) -> SimResponse {
        self.device().groups.clear();
        ok("clear")
    }

    async fn call_status(&self, _req: api::CallStatusRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("status", json!({"Status": self.device().call}))
    }

    async fn call_dial(&self, req: api::CallDialRequest, _ctx: SimRequest) -> SimResponse {
        if req.phone.trim().is_empty() {
            return fail("dial", "invalid param");
        }
        let now = self.now();
        let mut dev = self.device();
        dev.call = "CALLING".into();
        let name = req.display_name.unwrap_or_else(|| req.phone.clone());
        dev.log_call("Dialed", &name, &req.phone, now);
        ok("dial")
    }

    async fn call_hangup(&self, _req: api::CallHangupRequest, _ctx: SimRequest) -> SimResponse {
        self.device().call = "READY".into();
        ok("hangup")
    }

    async fn sip_get(&self, _req: api::SipGetRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("get", view(&self.device(), module_prefixes("sip")))
    }

    async fn sip_set(&self, req: api::SipSetRequest, _ctx: SimRequest) -> SimResponse {
        if write(&mut self.device(), module_prefixes("sip"), req.config) {
            ok("set")
        } else {
            fail("set", "invalid key")
        }
    }

    async fn sip_status(&self, _req: api::SipStatusRequest, _ctx: SimRequest) -> SimResponse {
        let dev = self.device();
        let account = |n: u8| {
            let get = |k: &str| dev.config.get(&format!("Config.Account{n}.{k}")).cloned().unwrap_or_default();
            let enabled = get("GENERAL.Enable") == "1";
            json!({"UserName": get("GENERAL.UserName"), "SipServer": get("SIP.Server"), "Status": if enabled { "2" } else { "0" }})
        };
        ok_data("status", json!({"Account1": account(1), "Account2": account(2)}))
    }

    async fn dialreplace_get(&self, _req: api::DialreplaceGetRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("get", items(&self.device().dial_replace))
    }

    async fn dialreplace_add(&self, req: api::DialreplaceAddRequest, _ctx: SimRequest) -> SimResponse {
        let b = Batch { fields: &["ID", "Prefix"], ret_on_add: true, unique: Some("Prefix") };
        ok_data("add", add(&mut self.device(), |d| &mut d.dial_replace, req.item, &b))
    }

    async fn dialreplace_set(&self, req: api::DialreplaceSetRequest, _ctx: SimRequest) -> SimResponse {
        let b = Batch { fields: &["ID", "Prefix"], ret_on_add: true, unique: None };
        ok_data("set", set(&mut self.device(), |d| &mut d.dial_replace, req.item, &b))
    }

    async fn dialreplace_del(&self, req: api::DialreplaceDelRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("del", del(&mut self.device(), |d| &mut d.dial_replace, req.item, &["ID"]))
    }

    async fn dialreplace_clear(&self, _req: api::DialreplaceClearRequest, _ctx: SimRequest) -> SimResponse {
        self.device().dial_replace.clear();
        ok("clear")
    }

    async fn dialreplace_export(&self, _req: api::DialreplaceExportRequest, _ctx: SimRequest) -> SimResponse {
        let xml = f::xml_items("DialReplaceData", &maps(&self.device().dial_replace));
        file("DialReplace.xml", "application/octet-stream", xml)
    }

    async fn dialreplace_import(&self, _req: api::DialreplaceImportRequest, ctx: SimRequest) -> SimResponse {
        match upload(&ctx, "config").and_then(parse_items) {
            Some(rules) => {
                self.device().dial_replace = rules;
                ok("import")
            }
            None => fail("import", "Import Failed."),
        }
    }

    async fn log_get(&self, _req: api::LogGetRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("get", view(&self.device(), module_prefixes("log")))
    }

    async fn log_set(&self, req: api::LogSetRequest, _ctx: SimRequest) -> SimResponse {
        if req.config.log_level().is_none() && !req.config.is_empty() {
            return fail("set", "invalid param");
        }
        let mut dev = self.device();
        if !write(&mut dev, module_prefixes("log"), req.config) {
            return fail("set", "invalid key");
        }
        // The seed's reply echoes "get" and returns the level (L3223-3227).
        ok_data("get", view(&dev, module_prefixes("log")))
    }

    async fn log_export(&self, req: api::LogExportRequest, _ctx: SimRequest) -> SimResponse {
        match req.log_type.as_deref().unwrap_or("log") {
            "log" => file("log.txt", "text/plain", "simulated application log\n"),
            "kmsg" => file("kmsg.txt", "text/plain", "simulated kernel log\n"),
            // Android only (L3244): the simulated device is Linux.
            _ => fail("export", "Export Failed."),
        }
    }

    async fn log_clear(&self, req: api::LogClearRequest, _ctx: SimRequest) -> SimResponse {
        match req.log_type.as_deref().unwrap_or("log") {
            "log" | "kmsg" | "log_debug" => ok("clear"),
            _ => fail("clear", "invalid param"),
        }
    }

    async fn calllog_get(&self, req: api::CalllogGetRequest, _ctx: SimRequest) -> SimResponse {
        let wanted = req.call_type.as_deref().and_then(crate::models::CallType::parse);
        let dev = self.device();
        let entries: Vec<_> = dev
            .call_log
            .iter()
            .filter(|e| matches!(wanted, None | Some(crate::models::CallType::All)) || e.kind() == wanted)
            .cloned()
            .collect();
        ok_data("get", items(&entries))
    }

    async fn calllog_del(&self, req: api::CalllogDelRequest, _ctx: SimRequest) -> SimResponse {
        let mut dev = self.device();
        let before = dev.call_log.len();
        dev.call_log.retain(|e| e.id.as_deref() != Some(req.id.as_str()));
        if dev.call_log.len() == before {
            return fail("del", "not found");
        }
        ok("del")
    }

    async fn calllog_clear(&self, req: api::CalllogClearRequest, _ctx: SimRequest) -> SimResponse {
        let wanted = req.call_type.as_deref().and_then(crate::models::CallType::parse);
        let mut dev = self.device();
        dev.call_log.retain(|e| !(matches!(wanted, None | Some(crate::models::CallType::All)) || e.kind() == wanted));
        // The seed's reply echoes "upgrade" (L3406).
        ok("upgrade")
    }

    async fn calllog_export(&self, _req: api::CalllogExportRequest, _ctx: SimRequest) -> SimResponse {
        file("History.csv", "application/octet-stream", f::csv(CALL_COLUMNS, &maps(&self.device().call_log)))
    }

    async fn doorlog_get(&self, _req: api::DoorlogGetRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("get", items(&self.device().door_log))
    }

    async fn doorlog_del(&self, req: api::DoorlogDelRequest, _ctx: SimRequest) -> SimResponse {
        let mut dev = self.device();
        let before = dev.door_log.len();
        dev.door_log.retain(|e| e.id.as_deref() != Some(req.id.as_str()));
        if dev.door_log.len() == before {
            return fail("del", "not found");
        }
        ok("del")
    }

    async fn doorlog_clear(&self, _req: api::DoorlogClearRequest, _ctx: SimRequest) -> SimResponse {
        self.device().door_log.clear();
        ok("clear")
    }

    async fn doorlog_export(&self, _req: api::DoorlogExportRequest, _ctx: SimRequest) -> SimResponse {
        file("DoorLog.xml", "application/octet-stream", f::xml_items("DoorLogData", &maps(&self.device().door_log)))
    }

    async fn pcap_status(&self, _req: api::PcapStatusRequest, _ctx: SimRequest) -> SimResponse {
        let dev = self.device();
        let size = dev.pcap.file.as_ref().map_or(0, Bytes::len);
        let status = if dev.pcap.running { "start" } else { "stop" };
        ok_data("status", json!({"FileSize": size, "Status": status}))
    }

    async fn pcap_start(&self, req: api::PcapStartRequest, _ctx: SimRequest) -> SimResponse {
        let time = req.time.unwrap_or_else(|| "60".into());
        if !time.trim().parse::<u32>().is_ok_and(|t| (1..=180).contains(&t)) {
            return fail("start", "invalid param");
        }
        let now = self.now();
        let mut dev = self.device();
        let settings: std::collections::BTreeMap<String, String> = [
            ("type", req.capture_type.unwrap_or_else(|| "auto".into())),
            ("filter", req.filter.unwrap_or_else(|| "ip".into())),
            ("time", time),
            ("size", req.size.unwrap_or_else(|| "1048576".into())),
            ("interface", "eth0".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        dev.pcap.running = true;
        dev.pcap.started_at = now;
        dev.pcap.settings = settings.clone();
        ok_data("start", serde_json::to_value(settings).unwrap_or_default())
    }

    async fn pcap_stop(&self, _req: api::PcapStopRequest, _ctx: SimRequest) -> SimResponse {
        let now = self.now();
        let mut dev = self.device();
        let elapsed = now.saturating_sub(dev.pcap.started_at).as_secs();
        dev.pcap.running = false;
        // A pcap global header (little endian, link type Ethernet) and no packets.
        let header: [u8; 24] =
            [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0];
        let file = Bytes::copy_from_slice(&header);
        let size = file.len();
        dev.pcap.file = Some(file);
        // FileSize and Time are strings here (L3664-3665).
        ok_data("stop", json!({"FileSize": size.to_string(), "Time": elapsed.to_string()}))
    }

    async fn pcap_export(&self, _req: api::PcapExportRequest, _ctx: SimRequest) -> SimResponse {
        match self.device().pcap.file.clone() {
            Some(pcap) => file("phone.pcap", "application/octet-stream", pcap),
            None => fail("export", "Export Failed."),
        }
    }

    async fn user_info(&self, _req: api::UserInfoRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("info", json!({"DefaultUserId": 1}))
    }

    async fn user_get(&self, _req: api::UserGetRequest, _ctx: SimRequest) -> SimResponse {
        // The seed's reply echoes "info" (L3750).
        ok_data("info", items(&self.device().users))
    }

    async fn user_add(&self, req: api::UserAddRequest, _ctx: SimRequest) -> SimResponse {
        let b = Batch { fields: &["ID"], ret_on_add: true, unique: Some("UserID") };
        let _ = add(&mut self.device(), |d| &mut d.users, req.item, &b);
        // retcode 1 "OK" without data (L3821).
        SimResponse::json(200, &json!({"retcode": 1, "action": "add", "message": "OK"}))
    }

    async fn user_set(&self, req: api::UserSetRequest, _ctx: SimRequest) -> SimResponse {
        let b = Batch { fields: &["ID"], ret_on_add: true, unique: None };
        let _ = set(&mut self.device(), |d| &mut d.users, req.item, &b);
        SimResponse::json(200, &json!({"retcode": 1, "action": "set", "message": "OK"}))
    }

    async fn user_scan(&self, _req: api::UserScanRequest, _ctx: SimRequest) -> SimResponse {
        match self.device().card_at_reader.clone() {
            // The seed's reply echoes "scam" (L3893).
            Some(card) => ok_data("scam", json!({"RFCode": card})),
            None => fail("scan", "No Card"),
        }
    }

    async fn user_edit(&self, _req: api::UserEditRequest, _ctx: SimRequest) -> SimResponse {
        // "This function do not support GET and POST method" (L3904).
        unsupported()
    }

    async fn user_del(&self, req: api::UserDelRequest, _ctx: SimRequest) -> SimResponse {
        let _ = del(&mut self.device(), |d| &mut d.users, req.item, &["ID"]);
        SimResponse::json(200, &json!({"retcode": 1, "action": "del", "message": "OK"}))
    }

    async fn user_clear(&self, _req: api::UserClearRequest, _ctx: SimRequest) -> SimResponse {
        self.device().users.clear();
        ok("clear")
    }

    async fn user_export(&self, _req: api::UserExportRequest, _ctx: SimRequest) -> SimResponse {
        ok_data("export", json!({"address": USER_DATA_PATH}))
    }

    async fn user_import(&self, _req: api::UserImportRequest, ctx: SimRequest) -> SimResponse {
        let parsed = upload(&ctx, "file")
            .and_then(|b| std::str::from_utf8(b).ok())
            .and_then(|t| t.strip_prefix(USERS_MAGIC))
            .and_then(|t| serde_json::from_str::<Vec<crate::models::User>>(t.trim()).ok());
        match parsed {
            Some(users) => {
                self.device().users = users;
                ok_data("import", json!({}))
            }
            None => fail("import", "Import Failed."),
        }
    }

    fn reject(&self, op: &'static Operation, rejection: SimRejection) -> SimResponse {
        let (_, action) = crate::forms::target_action(op);
        fail(action, &format!("invalid param {}", rejection.param))
    }
}

/// The user data file `user.export` points at.
pub(crate) fn user_data(shared: &Arc<Shared>) -> SimResponse {
    let users = serde_json::to_string(&shared.device().users).unwrap_or_default();
    file("UserData.tgz", "application/octet-stream", format!("{USERS_MAGIC}\n{users}"))
}

/// The index of a door in the input array (for the simulator's controls).
pub(crate) fn input_index(door: Door) -> usize {
    door_index(door)
}
