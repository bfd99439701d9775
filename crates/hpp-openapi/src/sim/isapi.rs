//! Simulator state and handlers of the ISAPI pass-through (3.23, Appendix A.4): simulated
//! devices (a security control panel with partitions, zones and relays; IO outputs; time and
//! NTP; device information; PTZ presets; digital channels) answering raw ISAPI documents built
//! from the shared `watchpost-isapi` models, the same the Device Gateway simulator's panel speaks.
//!
//! Devices are added with [`Simulator::add_isapi_device`](super::Simulator::add_isapi_device);
//! any other serial is answered with the platform's "device not found" envelope. A request
//! without `X-Devserial` or without an XML/JSON `Content-Type` is a parameter error.

use std::collections::BTreeMap;
use std::sync::Arc;

use http::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use watchpost_core::codec::xml;
use watchpost_core::sim::{Router, SimRequest, SimResponse};
use watchpost_isapi::models::*;

use super::handlers::{failure, HppSim};
use crate::error::HppCode;
use crate::models::isapi::ops;

/// The route template of the pass-through.
const TEMPLATE: &str = "/api/hpcgw/v1/device/transparent/{*uri}";

/// The simulator's `isapi` state: the simulated devices by serial.
#[derive(Debug, Default)]
pub(crate) struct State {
    devices: BTreeMap<String, Device>,
}

/// One simulated device.
#[derive(Debug)]
struct Device {
    info: DeviceInfo,
    partitions: Vec<SubSys>,
    zones: Vec<Zone>,
    relays: BTreeMap<u32, bool>,
    io_outputs: BTreeMap<u32, String>,
    time: TimeData,
    ntp: BTreeMap<u32, NtpServer>,
    presets: BTreeMap<(u32, u32), PtzPreset>,
    channels: Vec<InputProxyChannel>,
    /// The device user of `X-Username`/`X-Password`, when one is required.
    user: Option<(String, String)>,
}

impl Device {
    fn new(serial: &str) -> Self {
        let zone = |id: u32, name: &str| Zone {
            id,
            name: Some(name.to_owned()),
            status: Some(ZoneStatus::Online),
            tamper_evident: Some(false),
            shielded: Some(false),
            bypassed: Some(false),
            armed: Some(false),
            alarm: Some(false),
            charge: Some(Charge::Normal),
        };
        Device {
            info: DeviceInfo {
                device_name: Some("AX PRO".to_owned()),
                device_id: Some(format!("uuid-{serial}")),
                model: Some("DS-PWA96-M-WE".to_owned()),
                serial_number: Some(format!("DS-PWA96-M-WE20200101{serial}")),
                mac_address: Some("44:47:cc:00:00:01".to_owned()),
                firmware_version: Some("V1.2.5".to_owned()),
                firmware_released_date: Some("build 210101".to_owned()),
                device_type: Some("AxPro".to_owned()),
            },
            partitions: (1..=2).map(|id| SubSys { id, arming: Some(Arming::Disarm), alarm: Some(false) }).collect(),
            zones: vec![zone(1, "Front door"), zone(2, "Hall PIR"), zone(3, "Window")],
            relays: (1..=2).map(|id| (id, false)).collect(),
            io_outputs: (1..=2).map(|id| (id, "low".to_owned())).collect(),
            time: TimeData {
                time_mode: Some("manual".to_owned()),
                local_time: Some("2024-01-01T00:00:00+01:00".to_owned()),
                time_zone: Some("CET-1".to_owned()),
            },
            ntp: BTreeMap::new(),
            presets: BTreeMap::new(),
            channels: Vec::new(),
            user: None,
        }
    }
}

impl super::Simulator {
    /// Adds a simulated ISAPI device (a security control panel) reachable through the
    /// pass-through as `serial`.
    pub fn add_isapi_device(&self, serial: &str) {
        self.sim().state().isapi.devices.entry(serial.trim().to_owned()).or_insert_with(|| Device::new(serial));
    }

    /// Requires `X-Username`/`X-Password` for the device `serial` from now on.
    pub fn set_isapi_device_user(&self, serial: &str, username: &str, password: &str) {
        if let Some(d) = self.sim().state().isapi.devices.get_mut(serial.trim()) {
            d.user = Some((username.to_owned(), password.to_owned()));
        }
    }

    /// The arming state of a simulated device's partition (for tests and demos).
    pub fn isapi_partition_arming(&self, serial: &str, partition: u32) -> Option<String> {
        let state = self.sim().state();
        let device = state.isapi.devices.get(serial.trim())?;
        device.partitions.iter().find(|p| p.id == partition)?.arming.as_ref().map(|a| a.as_str().to_owned())
    }
}

/// Adds the pass-through routes (one per method) to the area host's router.
pub(crate) fn routes(router: Router, sim: Arc<HppSim>) -> Router {
    let mut router = router;
    for op in [&ops::ISAPI_GET, &ops::ISAPI_PUT, &ops::ISAPI_POST, &ops::ISAPI_DELETE] {
        let sim = sim.clone();
        router = router.route(op.method.clone(), TEMPLATE, op.id, move |req: SimRequest| {
            let sim = sim.clone();
            async move { transparent(&sim, &req) }
        });
    }
    router
}

/// An ISAPI answer.
type Reply = SimResponse;

fn status_json(uri: &str, code: u16, sub: &str, http: u16) -> Reply {
    let status = code_status(code);
    SimResponse::json(
        http,
        &serde_json::json!({"requestURL": uri, "statusCode": code, "statusString": status, "subStatusCode": sub}),
    )
}

fn status_xml(uri: &str, code: u16, sub: &str, http: u16) -> Reply {
    let doc = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ResponseStatus version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\">\
         <requestURL>{}</requestURL><statusCode>{code}</statusCode><statusString>{}</statusString><subStatusCode>{sub}</subStatusCode></ResponseStatus>",
        escape(uri),
        code_status(code)
    );
    SimResponse::xml(http, doc)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn code_status(code: u16) -> &'static str {
    match code {
        1 => "OK",
        2 => "Device Busy",
        3 => "Device Error",
        4 => "Invalid Operation",
        5 => "Invalid XML Format",
        6 => "Invalid XML Content",
        _ => "Reboot Required",
    }
}

/// The answer format of a request.
#[derive(Clone, Copy, PartialEq)]
enum Fmt {
    Json,
    Xml,
}

struct Ctx<'a> {
    uri: &'a str,
    fmt: Fmt,
    body: &'a [u8],
}

impl Ctx<'_> {
    fn status(&self, code: u16, sub: &str, http: u16) -> Reply {
        match self.fmt {
            Fmt::Json => status_json(self.uri, code, sub, http),
            Fmt::Xml => status_xml(self.uri, code, sub, http),
        }
    }

    fn ok(&self) -> Reply {
        self.status(1, "ok", 200)
    }

    fn not_found(&self) -> Reply {
        self.status(4, "notSupport", 403)
    }

    fn bad_content(&self) -> Reply {
        self.status(6, "badParameters", 400)
    }

    /// The request document, or the ISAPI "bad format" answer.
    fn bad(&self) -> Box<Reply> {
        Box::new(self.bad_content())
    }

    fn read<T: DeserializeOwned>(&self) -> Result<T, Box<Reply>> {
        let decoded = match self.fmt {
            Fmt::Json => serde_json::from_slice(self.body).ok(),
            Fmt::Xml => xml::from_slice(self.body).ok(),
        };
        decoded.ok_or_else(|| {
            Box::new(match self.fmt {
                Fmt::Json => self.status(5, "badJsonFormat", 400),
                Fmt::Xml => self.status(5, "badXmlFormat", 400),
            })
        })
    }

    fn json<T: Serialize>(&self, value: &T) -> Reply {
        SimResponse::json(200, value)
    }

    fn xml<T: Serialize + XmlDocument>(&self, value: &T) -> Reply {
        match watchpost_isapi::xml::to_string(value, T::ROOT) {
            Ok(doc) => SimResponse::xml(200, doc),
            Err(_) => self.status(3, "deviceError", 500),
        }
    }
}

/// The pass-through handler: platform checks, then the device's ISAPI answer.
fn transparent(sim: &HppSim, req: &SimRequest) -> Reply {
    let Some(serial) = req.header("x-devserial").map(str::trim).filter(|s| !s.is_empty()) else {
        return failure(&HppCode::ParameterError);
    };
    let content_type = req.header("content-type").unwrap_or_default().to_ascii_lowercase();
    let fmt = if content_type.starts_with("application/json") {
        Fmt::Json
    } else if content_type.starts_with("application/xml") || content_type.starts_with("text/xml") {
        Fmt::Xml
    } else {
        return failure(&HppCode::ParameterError);
    };
    if let Err(code) = sim.check_online(serial) {
        return failure(&code);
    }
    let path = format!("/{}", req.param("uri").unwrap_or_default());
    let uri = match &req.raw_query {
        Some(q) => format!("{path}?{q}"),
        None => path.clone(),
    };
    // The answer's format follows the URI (`format=json`), as a device does.
    let fmt = if crate::models::isapi::is_json_uri(&uri) { Fmt::Json } else { fmt };
    let ctx = Ctx { uri: &uri, fmt, body: &req.body };
    let mut state = sim.state();
    let Some(device) = state.isapi.devices.get_mut(serial) else {
        return failure(&HppCode::DeviceNotFoundOrNoPermission);
    };
    if let Some((user, password)) = &device.user {
        let given = (req.header("x-username").unwrap_or_default(), req.header("x-password").unwrap_or_default());
        if given != (user.as_str(), password.as_str()) {
            return ctx.status(4, "badAuthorization", 401);
        }
    }
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match handle(device, &ctx, &req.method, &segments, req) {
        Ok(reply) => reply,
        Err(reply) => *reply,
    }
}

fn id(text: &str) -> Option<u32> {
    if text.eq_ignore_ascii_case("0xffffffff") {
        return Some(u32::MAX);
    }
    text.parse().ok()
}

/// One ISAPI resource of a device.
fn handle(d: &mut Device, ctx: &Ctx<'_>, method: &Method, seg: &[&str], req: &SimRequest) -> Result<Reply, Box<Reply>> {
    let num = |i: usize| seg.get(i).and_then(|s| id(s)).ok_or_else(|| ctx.bad());
    let m = method.clone();
    Ok(match (m, seg) {
        (Method::POST, ["ISAPI", "AccessControl", "AcsEvent"]) => {
            let cond: AcsEventCondMsg = ctx.read()?;
            let info = AcsEventInfo {
                major: Some(5),
                minor: Some(75),
                time: Some("2024-01-01T08:00:00+01:00".to_owned()),
                employee_no_string: Some("1".to_owned()),
                door_no: Some(1),
                serial_no: Some(1),
                ..AcsEventInfo::default()
            };
            let matches = u32::from(cond.acs_event_cond.window.search_result_position == 0);
            let info_list = if matches == 1 { vec![info] } else { Vec::new() };
            ctx.json(&AcsEventMsg {
                acs_event: AcsEvent {
                    search_id: Some(cond.acs_event_cond.window.search_id),
                    response_status_strg: Some(if matches == 1 { "OK" } else { "NO MATCH" }.to_owned()),
                    num_of_matches: Some(matches),
                    total_matches: Some(1),
                    info_list,
                },
            })
        }
        (Method::POST, ["ISAPI", "AccessControl", "UserInfo", "Search"]) => {
            let cond: UserInfoSearchCondMsg = ctx.read()?;
            ctx.json(&UserInfoSearchMsg {
                user_info_search: UserInfoSearch {
                    search_id: Some(cond.user_info_search_cond.search_id),
                    response_status_strg: Some("OK".to_owned()),
                    num_of_matches: Some(1),
                    total_matches: Some(1),
                    user_info: vec![UserInfo {
                        employee_no: Some("1".to_owned()),
                        name: Some("Installer".to_owned()),
                        user_type: Some("normal".to_owned()),
                    }],
                },
            })
        }
        (Method::GET, ["ISAPI", "ContentMgmt", "InputProxy", "channels"]) => {
            ctx.xml(&InputProxyChannelList { channels: d.channels.clone() })
        }
        (Method::PUT, ["ISAPI", "ContentMgmt", "InputProxy", "channels"]) => {
            let list: InputProxyChannelList = ctx.read()?;
            d.channels = list.channels;
            ctx.ok()
        }
        (Method::POST, ["ISAPI", "ContentMgmt", "InputProxy", "channels"]) => {
            let channel: InputProxyChannel = ctx.read()?;
            if d.channels.iter().any(|c| c.id == channel.id) {
                return Err(Box::new(ctx.status(6, "deviceExist", 400)));
            }
            d.channels.push(channel);
            ctx.ok()
        }
        (Method::GET, ["ISAPI", "ContentMgmt", "InputProxy", "channels", "status"]) => {
            let channels = d
                .channels
                .iter()
                .map(|c| InputProxyChannelStatus {
                    id: c.id,
                    online: Some(true),
                    chan_detect_result: Some("connect".into()),
                })
                .collect();
            ctx.xml(&InputProxyChannelStatusList { channels })
        }
        (Method::PUT, ["ISAPI", "ContentMgmt", "record", "control", "manualRefresh", "channels", _]) => {
            num(6)?;
            ctx.ok()
        }
        (Method::PUT, ["ISAPI", "PTZCtrl", "channels", _, "continuous"]) => {
            num(3)?;
            let _: PtzData = ctx.read()?;
            ctx.ok()
        }
        (Method::GET, ["ISAPI", "PTZCtrl", "channels", _, "presets"]) => {
            let ch = num(3)?;
            let presets = d.presets.iter().filter(|((c, _), _)| *c == ch).map(|(_, p)| p.clone()).collect();
            ctx.xml(&PtzPresetList { presets })
        }
        (Method::POST, ["ISAPI", "PTZCtrl", "channels", _, "presets"]) => {
            let ch = num(3)?;
            let preset: PtzPreset = ctx.read()?;
            d.presets.insert((ch, preset.id), preset);
            ctx.ok()
        }
        (Method::DELETE, ["ISAPI", "PTZCtrl", "channels", _, "presets"]) => {
            let ch = num(3)?;
            d.presets.retain(|(c, _), _| *c != ch);
            ctx.ok()
        }
        (Method::GET, ["ISAPI", "PTZCtrl", "channels", _, "presets", _]) => {
            let key = (num(3)?, num(5)?);
            match d.presets.get(&key) {
                Some(p) => ctx.xml(p),
                None => ctx.status(6, "badParameters", 400),
            }
        }
        (Method::PUT, ["ISAPI", "PTZCtrl", "channels", _, "presets", _]) => {
            let key = (num(3)?, num(5)?);
            let preset: PtzPreset = ctx.read()?;
            if preset.id != key.1 {
                return Err(ctx.bad());
            }
            d.presets.insert(key, preset);
            ctx.ok()
        }
        (Method::DELETE, ["ISAPI", "PTZCtrl", "channels", _, "presets", _]) => {
            let key = (num(3)?, num(5)?);
            match d.presets.remove(&key) {
                Some(_) => ctx.ok(),
                None => ctx.bad_content(),
            }
        }
        (Method::PUT, ["ISAPI", "PTZCtrl", "channels", _, "presets", _, "goto"]) => {
            let key = (num(3)?, num(5)?);
            if d.presets.contains_key(&key) {
                ctx.ok()
            } else {
                ctx.bad_content()
            }
        }
        (Method::PUT, ["ISAPI", "SecurityCP", "control", "arm", _]) => {
            let ways = match req.query_param("ways") {
                Some("stay") => Arming::Stay,
                Some("away") => Arming::Away,
                _ => return Err(ctx.bad()),
            };
            set_arming(d, num(4)?, ways).map_err(|()| ctx.bad())?;
            ctx.ok()
        }
        (Method::PUT, ["ISAPI", "SecurityCP", "control", "disarm", _]) => {
            set_arming(d, num(4)?, Arming::Disarm).map_err(|()| ctx.bad())?;
            ctx.ok()
        }
        (Method::PUT, ["ISAPI", "SecurityCP", "control", "clearAlarm", _]) => {
            let p = num(4)?;
            let mut found = false;
            for s in d.partitions.iter_mut().filter(|s| p == u32::MAX || s.id == p) {
                s.alarm = Some(false);
                found = true;
            }
            if !found {
                return Err(ctx.bad());
            }
            ctx.ok()
        }
        (Method::PUT, ["ISAPI", "SecurityCP", "control", bypass @ ("bypass" | "bypassRecover")]) => {
            let list: ListMsg = ctx.read()?;
            let ids = list.ids();
            if ids.is_empty() || ids.iter().any(|i| !d.zones.iter().any(|z| z.id == *i)) {
                return Err(ctx.bad());
            }
            for z in d.zones.iter_mut().filter(|z| ids.contains(&z.id)) {
                z.bypassed = Some(*bypass == "bypass");
            }
            ctx.ok()
        }
        (Method::POST, ["ISAPI", "SecurityCP", "control", "outputs"]) => {
            let ctrl: OutputsCtrlMsg = ctx.read()?;
            let on = ctrl.outputs_ctrl.switch == Switch::Open;
            let mut errors = Vec::new();
            for item in &ctrl.outputs_ctrl.list {
                match d.relays.get_mut(&item.id) {
                    Some(state) => *state = on,
                    None => errors.push(serde_json::json!({"id": item.id.to_string(), "statusCode": 6,
                        "statusString": "Invalid Content", "subStatusCode": "badParameters"})),
                }
            }
            if errors.is_empty() {
                ctx.ok()
            } else {
                SimResponse::json(200, &serde_json::json!({"requestURL": ctx.uri, "ErrorList": errors}))
            }
        }
        (Method::GET, ["ISAPI", "SecurityCP", "status", "subSystems"]) => {
            ctx.json(&SubSysListMsg { sub_sys_list: d.partitions.clone() })
        }
        (Method::POST, ["ISAPI", "SecurityCP", "status", "outputStatus"]) => {
            let cond: OutputCondMsg = ctx.read()?;
            let outputs: Vec<serde_json::Value> = d
                .relays
                .iter()
                .map(|(id, on)| serde_json::json!({"Output": {"id": id, "status": if *on { "on" } else { "off" }}}))
                .collect();
            let total = outputs.len();
            SimResponse::json(
                200,
                &serde_json::json!({"OutputSearch": {"searchID": cond.output_cond.search_id, "responseStatusStrg": "OK",
                    "numOfMatches": total, "totalMatches": total, "OutputList": outputs}}),
            )
        }
        (Method::GET, ["ISAPI", "SecurityCP", "status", "zones"]) => {
            ctx.json(&ZoneListMsg { zone_list: d.zones.clone() })
        }
        (Method::POST, ["ISAPI", "SecurityCP", "status", "zones"]) => {
            let cond: ZoneCondMsg = ctx.read()?;
            let w = cond.zone_cond;
            let from = usize::try_from(w.search_result_position).unwrap_or(usize::MAX);
            let page: Vec<Zone> =
                d.zones.iter().skip(from).take(usize::try_from(w.max_results).unwrap_or(0)).cloned().collect();
            let more = from.saturating_add(page.len()) < d.zones.len();
            ctx.json(&ZoneSearchMsg {
                zone_search: ZoneSearch {
                    search_id: Some(w.search_id),
                    response_status_strg: Some(if more { "MORE" } else { "OK" }.to_owned()),
                    num_of_matches: u32::try_from(page.len()).ok(),
                    total_matches: u32::try_from(d.zones.len()).ok(),
                    zone_list: page,
                },
            })
        }
        (Method::GET, ["ISAPI", "System", "deviceInfo"]) => ctx.xml(&d.info),
        (Method::PUT, ["ISAPI", "System", "deviceInfo"]) => {
            let info: DeviceInfo = ctx.read()?;
            if let Some(name) = info.device_name.filter(|n| !n.trim().is_empty()) {
                d.info.device_name = Some(name);
            } else {
                return Err(ctx.bad());
            }
            ctx.ok()
        }
        (Method::GET, ["ISAPI", "System", "IO", "outputs"]) => {
            let ports = d
                .io_outputs
                .keys()
                .map(|id| IoOutputPortXml {
                    id: *id,
                    name: Some(format!("Output {id}")),
                    default_state: Some("low".into()),
                })
                .collect();
            ctx.xml(&IoOutputPortListXml { ports })
        }
        (Method::GET, ["ISAPI", "System", "IO", "outputs", _, "status"]) => {
            let o = num(4)?;
            let level = d.io_outputs.get(&o).ok_or_else(|| ctx.bad())?;
            ctx.xml(&IoPortStatus {
                io_port_id: o,
                io_port_type: Some("output".into()),
                io_state: Some(if level == "high" { "active" } else { "inactive" }.into()),
            })
        }
        (Method::PUT, ["ISAPI", "System", "IO", "outputs", _, "trigger"]) => {
            let o = num(4)?;
            let data: IoPortDataXml = ctx.read()?;
            if !matches!(data.output_state.as_str(), "high" | "low") {
                return Err(ctx.bad());
            }
            let level = d.io_outputs.get_mut(&o).ok_or_else(|| ctx.bad())?;
            *level = data.output_state;
            ctx.ok()
        }
        (Method::GET, ["ISAPI", "System", "time"]) => ctx.xml(&d.time),
        (Method::PUT, ["ISAPI", "System", "time"]) => {
            let time: TimeData = ctx.read()?;
            if time.time_mode.is_none() {
                return Err(ctx.bad());
            }
            d.time = time;
            ctx.ok()
        }
        (Method::PUT, ["ISAPI", "System", "time", "ntpServers", _]) => {
            let n = num(4)?;
            let server: NtpServer = ctx.read()?;
            if server.id != n {
                return Err(ctx.bad());
            }
            d.ntp.insert(n, server);
            ctx.ok()
        }
        _ => ctx.not_found(),
    })
}

/// Sets the arming of one partition, or every one (`0xffffffff`).
fn set_arming(d: &mut Device, partition: u32, arming: Arming) -> Result<(), ()> {
    let mut found = false;
    for s in d.partitions.iter_mut().filter(|s| partition == u32::MAX || s.id == partition) {
        s.arming = Some(arming.clone());
        found = true;
    }
    let armed = arming != Arming::Disarm;
    if found {
        for z in &mut d.zones {
            z.armed = Some(armed);
        }
        Ok(())
    } else {
        Err(())
    }
}
