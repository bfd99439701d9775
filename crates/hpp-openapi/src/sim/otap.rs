//! Simulator state and handlers of OTAP (3.24.1-3.24.11): per device a cloud shadow and the
//! device's own properties, actions, a product profile, and a table of N records.
//!
//! A shadow write reaches the device too unless it is offline (then only the shadow changes);
//! direct reads and writes, actions and the direct batches need the device online (EVZ20007).
//! Devices are added with [`Simulator::add_otap_device`](super::Simulator::add_otap_device).

use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use serde_json::{json, Value};
use watchpost_core::sim::{SimRequest, SimResponse};

use super::handlers::{failure, success, HppSim};
use crate::error::HppCode;
use crate::models::otap::{ops, DevicePropPuts, ProfileRequest, PropPut, PropRequest, MAX_TABLE_PAGE_SIZE};

/// A property key: resource category, local index, domain, property.
type Key = (String, String, String, String);

/// The simulator's `otap` state: the simulated devices by serial.
#[derive(Debug, Default)]
pub(crate) struct State {
    devices: BTreeMap<String, Device>,
}

/// One simulated OTAP device.
#[derive(Debug, Default)]
struct Device {
    shadow: BTreeMap<Key, Value>,
    device: BTreeMap<Key, Value>,
    table: Vec<String>,
}

fn key(category: &str, index: &str, domain: &str, prop: &str) -> Key {
    (category.to_owned(), index.to_owned(), domain.to_owned(), prop.to_owned())
}

impl Device {
    fn new(serial: &str) -> Self {
        let mut props = BTreeMap::new();
        props.insert(
            key("global", "0", "InfoMgr", "DeviceVersion"),
            json!({"firmwareReleasedDate": "build 240205", "firmwareVersion": "V1.0.0"}),
        );
        props.insert(
            key("global", "0", "InfoMgr", "DeviceDescription"),
            json!({"deviceName": "AX HOME", "deviceType": "PWAEco", "macAddress": "08:54:11:20:08:ff",
                   "model": "DS-PA101-32P-WB", "serialNumber": serial}),
        );
        props.insert(
            key("global", "0", "TimeMgr", "LocalDateTime"),
            json!({"localDateTime": "2024-04-22T15:39:01+08:00"}),
        );
        for area in ["1", "2"] {
            props.insert(
                key("SubSystem", area, "AlarmSubSystemMgr", "SingleSubSystemBasicInfo"),
                json!({"name": format!("Area {area}"), "enabled": true}),
            );
        }
        Device { shadow: props.clone(), device: props, table: Vec::new() }
    }
}

impl super::Simulator {
    /// Adds a simulated OTAP device `serial` (device information, time, two areas).
    pub fn add_otap_device(&self, serial: &str) {
        self.sim().state().otap.devices.entry(serial.trim().to_owned()).or_insert_with(|| Device::new(serial));
    }

    /// Gives the OTAP device `serial` a table of `records` records (`{"index": i}`).
    pub fn set_otap_table(&self, serial: &str, records: usize) {
        if let Some(d) = self.sim().state().otap.devices.get_mut(serial.trim()) {
            d.table = (1..=records).map(|i| json!({"index": i}).to_string()).collect();
        }
    }

    /// A property of the OTAP device itself (not its shadow), for tests.
    pub fn otap_device_prop(
        &self,
        serial: &str,
        category: &str,
        index: &str,
        domain: &str,
        prop: &str,
    ) -> Option<Value> {
        self.sim().state().otap.devices.get(serial.trim())?.device.get(&key(category, index, domain, prop)).cloned()
    }
}

/// Adds the OTAP routes to the area host's router.
/// The answer to the OTAP operation `op` (the generated router decoded the request; the
/// handler reads the headers and body of `req` itself).
pub(crate) fn answer(sim: &HppSim, op: &str, req: &SimRequest) -> SimResponse {
    handle(sim, op, req).unwrap_or_else(|code| failure(&code))
}

type Answer = Result<SimResponse, HppCode>;

fn header<'a>(req: &'a SimRequest, name: &str) -> Result<&'a str, HppCode> {
    req.header(name).map(str::trim).filter(|v| !v.is_empty()).ok_or(HppCode::ParameterError)
}

fn address(req: &SimRequest, id_header: &str) -> Result<Key, HppCode> {
    Ok(key(
        header(req, "x-resourcecategory")?,
        header(req, "x-localindex")?,
        header(req, "x-domainidentifier")?,
        header(req, id_header)?,
    ))
}

fn body<T: serde::de::DeserializeOwned>(req: &SimRequest) -> Result<T, HppCode> {
    serde_json::from_slice(&req.body).map_err(|_| HppCode::ParameterError)
}

fn user_type_ok(req: &SimRequest) -> Result<(), HppCode> {
    match req.header("x-usertype") {
        None | Some("installer" | "administrator" | "operator") => Ok(()),
        Some(_) => Err(HppCode::ParameterError),
    }
}

fn prop_resp(serial: &str, k: &Key, value: Option<&Value>) -> Value {
    let mut item = json!({"deviceSerial": serial, "resourceCategory": k.0, "localIndex": k.1, "domainId": k.2,
                          "propId": k.3, "timestamp": 1_711_616_019_401_i64});
    match value {
        Some(v) => item["value"] = v.clone(),
        None => {
            item["errorCode"] = json!(HppCode::ParameterError.as_str());
            item["message"] = json!("no such property");
        }
    }
    item
}

fn handle(sim: &HppSim, op: &str, req: &SimRequest) -> Answer {
    // Batches across devices name them in the body.
    if op == ops::MULTI_GET_SHADOW.id {
        return multi_get_shadow(sim, req);
    }
    if op == ops::MULTI_PUT_SHADOW.id {
        return multi_put_shadow(sim, req);
    }
    let serial = header(req, "x-devserial")?.to_owned();
    let online = sim.check_online(&serial).is_ok();
    let mut state = sim.state();
    let d = state.otap.devices.get_mut(&serial).ok_or(HppCode::DeviceNotFoundOrNoPermission)?;
    let direct = [ops::DIRECT_GET.id, ops::DIRECT_PUT.id, ops::ACTION.id, ops::MULTI_GET.id, ops::MULTI_PUT.id];
    if direct.contains(&op) {
        if !online {
            return Err(HppCode::DeviceOffline);
        }
        user_type_ok(req)?;
    }
    match op {
        "otap.prop.get" => {
            let k = address(req, "x-propidentifier")?;
            Ok(success(Some(d.shadow.get(&k).cloned().ok_or(HppCode::ParameterError)?)))
        }
        "otap.direct.get" => {
            let k = address(req, "x-propidentifier")?;
            Ok(success(Some(d.device.get(&k).cloned().ok_or(HppCode::ParameterError)?)))
        }
        "otap.prop.put" | "otap.direct.put" => {
            let k = address(req, "x-propidentifier")?;
            let value: Value = body(req)?;
            if !value.is_object() {
                return Err(HppCode::ParameterError);
            }
            if op == "otap.prop.put" {
                d.shadow.insert(k.clone(), value.clone());
                if online {
                    d.device.insert(k, value);
                }
            } else {
                d.device.insert(k.clone(), value.clone());
                d.shadow.insert(k, value);
            }
            Ok(success(None))
        }
        "otap.action" => {
            let k = address(req, "x-actionidentifier")?;
            let input: Value = body(req)?;
            match (k.2.as_str(), k.3.as_str()) {
                ("ZoneMgr", "SearchZoneStatus") => {
                    let from = input.get("searchResultPosition").and_then(Value::as_u64).unwrap_or(0);
                    let areas: Vec<Value> = d
                        .device
                        .iter()
                        .filter(|(k, _)| k.0 == "SubSystem")
                        .skip(usize::try_from(from.saturating_sub(1)).unwrap_or(usize::MAX))
                        .map(|(k, v)| {
                            json!({"armStatus": "disarmed", "exitDelayTime": 0, "name": v["name"],
                                             "subSystemID": k.1.parse::<u32>().unwrap_or(0)})
                        })
                        .collect();
                    Ok(success(Some(Value::Array(areas))))
                }
                ("InfoMgr", "Reboot") => Ok(success(None)),
                _ => Err(HppCode::ParameterError),
            }
        }
        "otap.product.profile" => {
            let request: ProfileRequest = if req.body.is_empty() { ProfileRequest::default() } else { body(req)? };
            Ok(success(Some(profile(d, &request))))
        }
        "otap.multi.get" => {
            let requests: Vec<PropRequest> = body(req)?;
            if requests.is_empty() {
                return Err(HppCode::ParameterError);
            }
            let resps: Vec<Value> = requests
                .iter()
                .map(|r| {
                    let k = key(&r.resource_category, &r.local_index, &r.domain_id, r.prop_id.as_deref().unwrap_or(""));
                    prop_resp(&serial, &k, d.device.get(&k))
                })
                .collect();
            Ok(success(Some(json!([{"deviceSerial": serial, "propResps": resps}]))))
        }
        "otap.multi.put" => {
            let puts: Vec<PropPut> = body(req)?;
            if puts.is_empty() {
                return Err(HppCode::ParameterError);
            }
            let resps: Vec<Value> = puts.into_iter().map(|p| put_one(d, &serial, p, true)).collect();
            Ok(success(Some(json!([{"deviceSerial": serial, "propResps": resps}]))))
        }
        "otap.table.list" => table(d, req),
        _ => Err(HppCode::ParameterError),
    }
}

/// Sets one property (known ones only), answering its `propResps` item.
fn put_one(d: &mut Device, serial: &str, p: PropPut, to_device: bool) -> Value {
    let k = key(&p.resource_category, &p.local_index, &p.domain_id, &p.prop_id);
    if !d.shadow.contains_key(&k) || !p.value.is_object() {
        return prop_resp(serial, &k, None);
    }
    d.shadow.insert(k.clone(), p.value.clone());
    if to_device {
        d.device.insert(k.clone(), p.value.clone());
    }
    prop_resp(serial, &k, Some(&p.value))
}

fn multi_get_shadow(sim: &HppSim, req: &SimRequest) -> Answer {
    let requests: Vec<PropRequest> = body(req)?;
    if requests.is_empty() {
        return Err(HppCode::ParameterError);
    }
    let state = sim.state();
    let mut by_device: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    let mut missing = Vec::new();
    for r in &requests {
        let serial = r.device_serial.clone().ok_or(HppCode::ParameterError)?;
        match state.otap.devices.get(&serial) {
            Some(d) => {
                let k = key(&r.resource_category, &r.local_index, &r.domain_id, r.prop_id.as_deref().unwrap_or(""));
                by_device.entry(serial.clone()).or_default().push(prop_resp(&serial, &k, d.shadow.get(&k)));
            }
            None if !missing.contains(&serial) => missing.push(serial),
            None => {}
        }
    }
    let mut data: Vec<Value> =
        by_device.into_iter().map(|(s, resps)| json!({"deviceSerial": s, "propResps": resps})).collect();
    let not_found = HppCode::DeviceNotFoundOrNoPermission;
    data.extend(
        missing
            .into_iter()
            .map(|s| json!({"deviceSerial": s, "errorCode": not_found.as_str(), "message": not_found.description()})),
    );
    Ok(success(Some(Value::Array(data))))
}

fn multi_put_shadow(sim: &HppSim, req: &SimRequest) -> Answer {
    let puts: Vec<DevicePropPuts> = body(req)?;
    if puts.is_empty() {
        return Err(HppCode::ParameterError);
    }
    let mut data = Vec::new();
    for p in puts {
        let online = sim.check_online(&p.device_serial).is_ok();
        let mut state = sim.state();
        let Some(d) = state.otap.devices.get_mut(&p.device_serial) else {
            let code = HppCode::DeviceNotFoundOrNoPermission;
            data.push(
                json!({"deviceSerial": p.device_serial, "errorCode": code.as_str(), "message": code.description()}),
            );
            continue;
        };
        let resps: Vec<Value> = p.prop_reqs.into_iter().map(|one| put_one(d, &p.device_serial, one, online)).collect();
        let failed = resps.iter().any(|r| r.get("errorCode").is_some());
        let (code, message) =
            if failed { (HppCode::ParameterError.as_str(), "a property was not set") } else { ("0", "Ok") };
        data.push(json!({"deviceSerial": p.device_serial, "errorCode": code, "message": message, "propResps": resps}));
    }
    Ok(success(Some(Value::Array(data))))
}

fn profile(d: &Device, request: &ProfileRequest) -> Value {
    let mut domains: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for k in d.device.keys() {
        domains.entry(k.2.as_str()).or_default().push(json!({"identifier": k.3, "version": "v3.0", "access": "rw"}));
    }
    let domains: Vec<Value> = domains
        .into_iter()
        .map(|(id, props)| json!({"identifier": id, "props": props, "actions": [], "events": []}))
        .collect();
    let profile = json!({"version": "v3.0", "resources": [{"resourceCategory": "global", "localIndex": ["0"],
        "dynamic": false, "global": true, "domains": domains}]});
    let mut h = DefaultHasher::new();
    profile.to_string().hash(&mut h);
    let md5 = format!("{:016x}{:016x}", h.finish(), h.finish().rotate_left(17));
    let changed = request.md5.as_deref() != Some(md5.as_str());
    let send_profile = request.check_md5 != Some(true) || changed;
    json!({"productId": "DS-PA101-32P-WB", "version": "V1.0.0 build 240205", "md5": md5, "changed": changed,
           "gzipProfile": null, "profile": if send_profile { profile } else { Value::Null }})
}

fn table(d: &Device, req: &SimRequest) -> Answer {
    header(req, "x-listidentifier")?;
    address(req, "x-propidentifier")?;
    let number = |name: &str, default: i64| -> Result<i64, HppCode> {
        match req.query_param(name) {
            None => Ok(default),
            Some(v) => v.trim().parse().map_err(|_| HppCode::ParameterError),
        }
    };
    let size = number("pageSize", 10)?;
    if !(1..=i64::from(MAX_TABLE_PAGE_SIZE)).contains(&size) {
        return Err(HppCode::ParameterError);
    }
    let size = usize::try_from(size).map_err(|_| HppCode::ParameterError)?;
    let total = d.table.len();
    let pages = total.div_ceil(size).max(1);
    // Documented clamping: <= 0 is page 1, past the end is the last page.
    let index = usize::try_from(number("pageIndex", 1)?.max(1)).unwrap_or(usize::MAX).min(pages);
    let records: Vec<&String> = d.table.iter().skip((index - 1) * size).take(size).collect();
    Ok(success(Some(json!({"pageIndex": index, "pageSize": size, "records": records,
                            "totalPages": total.div_ceil(size), "totalElements": total}))))
}
