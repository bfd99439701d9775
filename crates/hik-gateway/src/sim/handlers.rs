//! The simulator's answer to every operation of the spec, by operation id.
//!
//! Helpers return `Result<_, SimResponse>` where the error is the HTTP answer itself; it is built
//! once per failed request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use watchpost_core::sim::{SimRequest, SimResponse};

use super::alarms::{self, Filter, Subscription, BOUNDARY};
use super::state::{DeviceState, GatewayState};
use super::{lock, Shared};
use crate::error::{StatusCode, SubStatus};
use crate::models::*;
use crate::time::IsoDateTime;
use crate::timezone::PosixTimeZone;

/// The HTTP status a gateway answers a failure status with.
fn http_status(status: StatusCode) -> u16 {
    match status {
        StatusCode::DeviceBusy => 503,
        StatusCode::DeviceError => 500,
        _ => 400,
    }
}

/// `JSON_ResponseStatus` OK.
fn ok(req: &SimRequest) -> SimResponse {
    SimResponse::json(200, &ResponseStatus::ok(req.path_and_query()))
}

/// `JSON_ResponseStatus` with `rebootRequired`: statusCode 7 (the change takes effect after a
/// reboot).
fn ok_reboot(req: &SimRequest) -> SimResponse {
    let mut s = ResponseStatus::failure(req.path_and_query(), SubStatus::RebootRequired);
    s.reboot_required = Some(true);
    SimResponse::json(200, &s)
}

/// A failure `JSON_ResponseStatus` for `sub`, with the code and text of table A.2.
pub(crate) fn fail(req: &SimRequest, sub: SubStatus) -> SimResponse {
    let s = ResponseStatus::failure(req.path_and_query(), sub);
    SimResponse::json(http_status(s.status_code), &s)
}

fn body<T: DeserializeOwned>(req: &SimRequest) -> Result<T, SimResponse> {
    req.json::<T>().map_err(|e| {
        let bad_format = e.is_syntax() || e.is_eof();
        fail(req, if bad_format { SubStatus::BadJsonFormat } else { SubStatus::BadParameters })
    })
}

fn dev_index(req: &SimRequest) -> String {
    req.param("dev_index").or_else(|| req.query_param("devIndex")).unwrap_or_default().to_owned()
}

/// The device of the request, or the failure to answer.
fn device<'a>(state: &'a mut GatewayState, req: &SimRequest) -> Result<&'a mut DeviceState, SimResponse> {
    let id = dev_index(req);
    state.devices.get_mut(&id).ok_or_else(|| fail(req, SubStatus::TheDeviceIdDoesNotExist))
}

/// The online device of the request (the gateway cannot reach an offline one).
fn online_device<'a>(state: &'a mut GatewayState, req: &SimRequest) -> Result<&'a mut DeviceState, SimResponse> {
    let d = device(state, req)?;
    if d.online {
        Ok(d)
    } else {
        Err(fail(req, SubStatus::NetworkError))
    }
}

/// The local time of a clock skewed by `skew` seconds at `offset`.
pub(crate) fn local_time(skew: i64, offset: i32) -> IsoDateTime {
    let now = i64::try_from(watchpost_core::clock::unix_now().as_secs()).unwrap_or(0);
    IsoDateTime::from_unix(now + skew, offset)
}

/// Answers every operation but the alarm stream (see [`subscribe`]).
pub(crate) fn handle(shared: &Arc<Shared>, op: &str, req: &SimRequest) -> SimResponse {
    let result = match op {
        "gateway.device_info.get" => {
            Ok(SimResponse::json(200, &DeviceInfoMsg { device_info: lock(&shared.state).info.clone() }))
        }
        "gateway.device_info.put" => set_info(shared, req, None),
        "gateway.reboot" => {
            lock(&shared.state).reboots.push(None);
            Ok(ok(req))
        }
        "gateway.time.get" => {
            let s = lock(&shared.state);
            Ok(SimResponse::json(200, &TimeMsg::manual(local_time(s.clock_skew, s.utc_offset))))
        }
        "gateway.time.put" => set_time(shared, req, false),
        "security.user_check" => Ok(SimResponse::json(
            200,
            &json!({"userCheck": {"statusValue": 200, "statusString": "OK", "isDefaultPassword": false,
                                  "isRiskPassword": false, "isActivated": true}}),
        )),
        "devices.add" => add_devices(shared, req),
        "devices.list" => search(shared, req),
        "devices.refresh_info" => refresh(shared, req),
        "devices.delete_batch" => delete_batch(shared, req),
        "devices.delete" => {
            let id = dev_index(req);
            match lock(&shared.state).remove(&id) {
                Some(_) => Ok(ok(req)),
                None => Err(fail(req, SubStatus::TheDeviceIdDoesNotExist)),
            }
        }
        "devices.channel_info" => channel_info(shared, req),
        "device.info.get" => {
            let mut s = lock(&shared.state);
            device(&mut s, req).map(|d| SimResponse::json(200, &DeviceInfoMsg { device_info: d.info.clone() }))
        }
        "device.info.put" => set_info(shared, req, Some(dev_index(req))),
        "device.reboot" => {
            let mut s = lock(&shared.state);
            match online_device(&mut s, req).map(|d| d.dev_index.clone()) {
                Ok(id) => {
                    s.reboots.push(Some(id));
                    Ok(ok(req))
                }
                Err(resp) => Err(resp),
            }
        }
        "device.time.get" => {
            let mut s = lock(&shared.state);
            device(&mut s, req)
                .map(|d| SimResponse::json(200, &TimeMsg::manual(local_time(d.clock_skew, d.utc_offset))))
        }
        "device.time.put" => set_time(shared, req, true),
        "device.time_zone.get" => {
            let mut s = lock(&shared.state);
            device(&mut s, req).map(|d| SimResponse::text(200, d.time_zone.clone()))
        }
        "device.time_zone.put" => set_time_zone(shared, req),
        "device.io.get" => io_ports(shared, req),
        "device.io.output_trigger" => trigger_output(shared, req),
        "device.network.interfaces" => {
            let mut s = lock(&shared.state);
            device(&mut s, req).map(|d| {
                let list = d.nics.iter().map(|n| NetworkInterface { id: n.id.clone(), ip_address: n.address.clone() });
                SimResponse::json(200, &NetworkInterfaceListMsg { network_interface_list: list.collect() })
            })
        }
        "device.network.interface.get" | "device.network.ip_address.get" => nic_get(shared, req, op),
        "device.network.interface.put" | "device.network.ip_address.put" => nic_put(shared, req, op),
        "event.query_status" | "event.device_events.get" | "event.device_events.add" | "event.device_events.remove" => {
            per_device_subscription(shared, req, op)
        }
        "event.unsubscribe" => {
            let id = req.param("id").and_then(|i| i.parse::<u64>().ok());
            let mut subs = lock(&shared.subs);
            match id.and_then(|id| subs.by_id.remove(&id)) {
                Some(sub) => {
                    let _ = sub.tx.try_send(watchpost_core::sim::StreamChunk::End);
                    Ok(ok(req))
                }
                None => Err(fail(req, SubStatus::TheSessionIdDoesNotExist)),
            }
        }
        "security_cp.arm" | "security_cp.disarm" | "security_cp.clear_alarm" => partition_control(shared, req, op),
        "security_cp.bypass" | "security_cp.bypass_recover" => bypass(shared, req, op == "security_cp.bypass"),
        "security_cp.outputs" => outputs(shared, req),
        "security_cp.status.sub_systems" => with_panel(shared, req, |_, p| {
            let list =
                p.partitions.iter().map(|s| SubSys { id: s.id, arming: Some(s.arming.clone()), alarm: Some(s.alarm) });
            SimResponse::json(200, &SubSysListMsg { sub_sys_list: list.collect() })
        }),
        "security_cp.status.zones" => with_panel(shared, req, |_, p| {
            // The seed's template shows bypassed, armed and alarm as strings: send them so.
            let zones: Vec<Value> = p
                .zones
                .iter()
                .map(|z| {
                    let armed = p.partitions.iter().any(|s| s.id == z.partition && s.arming != Arming::Disarm);
                    json!({"Zone": {"id": z.id, "name": z.name, "status": z.status, "tamperEvident": true,
                        "shielded": false, "bypassed": z.bypassed.to_string(), "armed": (armed && !z.bypassed).to_string(),
                        "alarm": z.alarm.to_string(), "charge": z.charge}})
                })
                .collect();
            SimResponse::json(200, &json!({ "ZoneList": zones }))
        }),
        "security_cp.status.ex_dev" => with_panel(shared, req, |_, p| {
            let msg = ExDevStatusMsg {
                ex_dev_status: ExDevStatus {
                    output_mods: vec![OutputMod {
                        id: 1,
                        seq: Some("Q12345678".to_owned()),
                        status: Some(LinkStatus::Online),
                        tamper_evident: Some(false),
                        charge: Some(Charge::Normal),
                    }],
                    outputs: p
                        .relays
                        .iter()
                        .map(|r| Output {
                            id: r.id,
                            name: Some(format!("Relay {}", r.id)),
                            status: Some(DeviceState::relay_status(r.on)),
                            tamper_evident: Some(false),
                            charge: Some(Charge::Normal),
                            linkage: Some(r.linkage.clone()),
                        })
                        .collect(),
                    sirens: p
                        .sirens
                        .iter()
                        .map(|(id, on)| Siren {
                            id: *id,
                            seq: Some(format!("S{id:08}")),
                            name: Some(format!("Siren {id}")),
                            status: Some(DeviceState::relay_status(*on)),
                            tamper_evident: Some(false),
                            charge: Some(Charge::Normal),
                        })
                        .collect(),
                    repeaters: p
                        .repeaters
                        .iter()
                        .map(|(id, online)| Repeater {
                            id: *id,
                            seq: Some(format!("R{id:08}")),
                            name: Some(format!("Repeater {id}")),
                            status: Some(DeviceState::link_status(*online)),
                            tamper_evident: Some(false),
                            charge: Some(Charge::LowPower),
                        })
                        .collect(),
                },
            };
            SimResponse::json(200, &msg)
        }),
        "video.download" => {
            let key = req.path_and_query();
            match lock(&shared.state).videos.get(&key) {
                Some(video) => Ok(SimResponse::bytes(200, "video/mp4", video.clone())),
                None => {
                    let s = ResponseStatus::failure(key, SubStatus::TaskNoRecFile);
                    Ok(SimResponse::json(404, &s))
                }
            }
        }
        _ => Err(fail(req, SubStatus::NotSupport)),
    };
    result.unwrap_or_else(|resp| resp)
}

fn set_info(shared: &Arc<Shared>, req: &SimRequest, dev: Option<String>) -> Result<SimResponse, SimResponse> {
    let msg: DeviceInfoMsg = body(req)?;
    let mut s = lock(&shared.state);
    let info = match dev {
        None => &mut s.info,
        Some(_) => &mut device(&mut s, req)?.info,
    };
    // Read-only members are ignored (8.5.1 remarks).
    if let Some(name) = msg.device_info.device_name {
        if name.is_empty() || name.chars().count() > 32 {
            return Err(fail(req, SubStatus::BadParameters));
        }
        info.device_name = Some(name);
    }
    if let Some(d) = msg.device_info.device_description {
        info.device_description = Some(d);
    }
    Ok(ok(req))
}

fn set_time(shared: &Arc<Shared>, req: &SimRequest, per_device: bool) -> Result<SimResponse, SimResponse> {
    let msg: TimeMsg = body(req)?;
    if msg.time.time_mode != TimeMode::Manual {
        return Err(fail(req, SubStatus::NotSupport));
    }
    let t = msg.time.local_time.ok_or_else(|| fail(req, SubStatus::BadParameters))?;
    let (Some(unix), Some(offset)) = (t.unix_timestamp(), t.offset_seconds()) else {
        return Err(fail(req, SubStatus::BadParameters));
    };
    let now = i64::try_from(watchpost_core::clock::unix_now().as_secs()).unwrap_or(0);
    let mut s = lock(&shared.state);
    if per_device {
        let d = online_device(&mut s, req)?;
        d.clock_skew = unix - now;
        d.utc_offset = offset;
    } else {
        s.clock_skew = unix - now;
        s.utc_offset = offset;
    }
    Ok(ok(req))
}

fn set_time_zone(shared: &Arc<Shared>, req: &SimRequest) -> Result<SimResponse, SimResponse> {
    let text = req.text().map_err(|_| fail(req, SubStatus::BadParameters))?.trim().to_owned();
    let tz = PosixTimeZone::parse(&text).map_err(|_| fail(req, SubStatus::BadParameters))?;
    let mut s = lock(&shared.state);
    let d = online_device(&mut s, req)?;
    d.time_zone = tz.to_string();
    d.utc_offset = tz.utc_offset_seconds();
    Ok(ok(req))
}

fn add_devices(shared: &Arc<Shared>, req: &SimRequest) -> Result<SimResponse, SimResponse> {
    if req.query_param("security").is_some_and(|s| s != "0") {
        // The seed names AES128-CBC but specifies neither key nor encoding.
        return Err(fail(req, SubStatus::NotSupport));
    }
    let msg: DeviceInListMsg = body(req)?;
    if msg.device_in_list.is_empty() {
        return Err(fail(req, SubStatus::BadParameters));
    }
    let mut s = lock(&shared.state);
    let layout = shared.config.layout();
    let mut out = Vec::new();
    for d in msg.device_in_list {
        let ehome_id = d.ehome_params.as_ref().map(|p| p.ehome_id.clone()).unwrap_or_default();
        let key_ok =
            d.protocol_type != ProtocolType::EhomeV5 || d.ehome_params.as_ref().is_some_and(|p| p.ehome_key.is_some());
        let valid = matches!(d.protocol_type, ProtocolType::Ehome | ProtocolType::EhomeV5)
            && !ehome_id.is_empty()
            && ehome_id.chars().count() <= 31
            && key_ok;
        let failure = if !valid {
            Some(SubStatus::BadParameters)
        } else if s.devices.values().any(|x| x.ehome_id == ehome_id) {
            Some(SubStatus::DeviceExist)
        } else if s.devices.len() >= s.max_devices {
            Some(SubStatus::MonitorNodeOverLimit)
        } else {
            None
        };
        let mut result = DeviceOut {
            dev_index: None,
            dev_name: d.dev_name.clone(),
            protocol_type: Some(d.protocol_type.clone()),
            ehome_params: Some(EhomeParamsOut { ehome_id: Some(ehome_id.clone()), ..EhomeParamsOut::default() }),
            status: ItemStatus::Success,
            sub_status_code: None,
        };
        match failure {
            Some(sub) => {
                result.status = ItemStatus::Fail;
                result.sub_status_code = Some(sub);
            }
            None => {
                let n = s.next_device;
                let name = d.dev_name.clone().unwrap_or_else(|| format!("Device {n}"));
                let mut dev = DeviceState::panel(n, &ehome_id, &name, layout);
                dev.protocol_type = d.protocol_type.clone();
                dev.dev_type = d.dev_type.clone().unwrap_or(DevType::SecurityCp);
                if dev.dev_type != DevType::SecurityCp {
                    dev.panel = None;
                    dev.info.device_type = Some(DeviceType::IpCamera);
                }
                dev.visual_verification = d.visual_verification.unwrap_or(true);
                result.dev_index = Some(dev.dev_index.clone());
                s.insert(dev);
            }
        }
        out.push(result);
    }
    let all_failed = out.iter().all(|d| d.status != ItemStatus::Success);
    let status = if all_failed {
        let first = out.iter().find_map(|d| d.sub_status_code.clone()).unwrap_or(SubStatus::BadParameters);
        let st = first.status_code().unwrap_or(StatusCode::InvalidOperation);
        BatchStatus {
            status_code: Some(st),
            status_string: Some(st.description().to_owned()),
            error_code: first.error_code(),
            error_msg: first.known_description().map(str::to_owned),
            sub_status_code: Some(first),
        }
    } else {
        BatchStatus::default()
    };
    Ok(SimResponse::json(200, &DeviceOutListMsg { device_out_list: out, status }))
}

fn delete_batch(shared: &Arc<Shared>, req: &SimRequest) -> Result<SimResponse, SimResponse> {
    let msg: DevIndexListMsg = body(req)?;
    if msg.dev_index_list.is_empty() {
        return Err(fail(req, SubStatus::BadParameters));
    }
    let mut s = lock(&shared.state);
    let out: Vec<DelDev> = msg
        .dev_index_list
        .into_iter()
        .map(|id| match s.remove(&id) {
            Some(_) => DelDev { dev_index: id, status: ItemStatus::Success, sub_status_code: None },
            None => DelDev {
                dev_index: id,
                status: ItemStatus::Fail,
                sub_status_code: Some(SubStatus::TheDeviceIdDoesNotExist),
            },
        })
        .collect();
    let status = if out.iter().all(|d| d.status != ItemStatus::Success) {
        let sub = SubStatus::TheDeviceIdDoesNotExist;
        BatchStatus {
            status_code: Some(StatusCode::InvalidOperation),
            status_string: Some("Invalid Operation".to_owned()),
            error_code: sub.error_code(),
            error_msg: sub.known_description().map(str::to_owned),
            sub_status_code: Some(sub),
        }
    } else {
        BatchStatus::default()
    };
    Ok(SimResponse::json(200, &DelDevListMsg { del_dev_list: out, status }))
}

fn search(shared: &Arc<Shared>, req: &SimRequest) -> Result<SimResponse, SimResponse> {
    let msg: SearchDescriptionMsg = body(req)?;
    let d = msg.search_description;
    if d.max_result == 0 {
        return Err(fail(req, SubStatus::BadParameters));
    }
    let s = lock(&shared.state);
    let f = d.filter.unwrap_or_default();
    let matches: Vec<SearchDevice> = s
        .order
        .iter()
        .filter_map(|id| s.devices.get(id))
        .filter(|x| {
            f.key.as_deref().is_none_or(|k| {
                x.dev_index.contains(k)
                    || x.info.device_name.as_deref().is_some_and(|n| n.contains(k))
                    || x.info.model.as_deref().is_some_and(|m| m.contains(k))
            }) && f.dev_type.as_ref().is_none_or(|t| *t == x.dev_type)
                && f.protocol_type.as_ref().is_none_or(|p| *p == x.protocol_type)
                && f.dev_status.as_ref().is_none_or(|st| (*st == DevStatus::Online) == x.online)
                && f.visual_verification.is_none_or(|v| v == x.visual_verification)
        })
        .map(|x| SearchDevice {
            dev_index: x.dev_index.clone(),
            dev_name: x.info.device_name.clone(),
            dev_mode: x.info.model.clone(),
            dev_type: Some(x.dev_type.clone()),
            protocol_type: Some(x.protocol_type.clone()),
            ehome_params: Some(EhomeParamsOut {
                ehome_id: Some(x.ehome_id.clone()),
                heart_interval: Some(10),
                heart_exceeded_count: Some(3),
            }),
            dev_status: Some(if x.online { DevStatus::Online } else { DevStatus::Offline }),
            active_status: x.online.then_some(true),
            video_channel_num: Some(1),
            visual_verification: Some(x.visual_verification),
            isapi_user_bound: Some(false),
        })
        .collect();
    let total = u32::try_from(matches.len()).unwrap_or(u32::MAX);
    let page: Vec<SearchDevice> = matches.into_iter().skip(d.position as usize).take(d.max_result as usize).collect();
    let result = SearchResult {
        num_of_matches: Some(u32::try_from(page.len()).unwrap_or(u32::MAX)),
        total_matches: Some(total),
        match_list: page,
    };
    Ok(SimResponse::json(200, &SearchResultMsg { search_result: result }))
}

fn refresh(shared: &Arc<Shared>, req: &SimRequest) -> Result<SimResponse, SimResponse> {
    let msg: DevListMsg = body(req)?;
    let s = lock(&shared.state);
    let found: Vec<DeviceInfoEntry> = msg
        .dev_list
        .iter()
        .filter_map(|id| s.devices.get(id))
        .map(|d| DeviceInfoEntry { dev_index: Some(d.dev_index.clone()), info: d.info.clone() })
        .collect();
    match found.len() {
        0 => Err(fail(req, SubStatus::TheDeviceIdDoesNotExist)),
        // One device: one object, as the seed shows it (9.4).
        1 => Ok(SimResponse::json(200, &json!({ "DeviceInfoList": found[0] }))),
        _ => Ok(SimResponse::json(200, &DeviceInfoListMsg { device_info_list: found })),
    }
}

fn channel_info(shared: &Arc<Shared>, req: &SimRequest) -> Result<SimResponse, SimResponse> {
    let mut s = lock(&shared.state);
    let d = device(&mut s, req)?;
    let video = vec![Channel {
        id: Some(1),
        name: Some("Camera 01".to_owned()),
        channel_type: Some(ChannelType::Digital),
        status: Some(if d.online { ChannelStatus::Online } else { ChannelStatus::Offline }),
    }];
    let alarm_in = d
        .inputs
        .iter()
        .map(|(id, _, name)| Channel {
            id: Some(i64::from(*id)),
            name: Some(name.clone()),
            channel_type: Some(ChannelType::Analog),
            status: None,
        })
        .collect();
    let alarm_out = d
        .outputs
        .iter()
        .map(|(id, _)| Channel {
            id: Some(i64::from(*id)),
            name: Some(format!("Output {id}")),
            channel_type: Some(ChannelType::Analog),
            status: None,
        })
        .collect();
    let info = ChannelInfo {
        video_channels: video,
        alarm_in_channels: alarm_in,
        alarm_out_channels: alarm_out,
        audio_channels: Vec::new(),
    };
    Ok(SimResponse::json(200, &ChannelInfoMsg { channel_info: info }))
}

fn io_ports(shared: &Arc<Shared>, req: &SimRequest) -> Result<SimResponse, SimResponse> {
    let mut s = lock(&shared.state);
    let d = device(&mut s, req)?;
    let list = IoPortList {
        inputs: d
            .inputs
            .iter()
            .map(|(id, enable, name)| IoInputPort {
                id: *id,
                enable: Some(*enable),
                triggering: Some(IoLevel::High),
                name: Some(name.clone()),
            })
            .collect(),
        outputs: d
            .outputs
            .iter()
            .map(|(id, _)| IoOutputPort { id: *id, enable: Some(true), name: Some(format!("Output {id}")) })
            .collect(),
    };
    Ok(SimResponse::json(200, &IoPortListMsg { io_port_list: list }))
}

fn trigger_output(shared: &Arc<Shared>, req: &SimRequest) -> Result<SimResponse, SimResponse> {
    let msg: IoPortDataMsg = body(req)?;
    let level = msg.io_port_data.output_state;
    if matches!(level, IoLevel::Other(_)) {
        return Err(fail(req, SubStatus::BadParameters));
    }
    let id: u32 = req.param("id").and_then(|i| i.parse().ok()).ok_or_else(|| fail(req, SubStatus::BadParameters))?;
    let mut s = lock(&shared.state);
    let d = online_device(&mut s, req)?;
    let out = d.outputs.iter_mut().find(|(o, _)| *o == id).ok_or_else(|| fail(req, SubStatus::BadParameters))?;
    out.1 = level;
    Ok(ok(req))
}

fn nic_get(shared: &Arc<Shared>, req: &SimRequest, op: &str) -> Result<SimResponse, SimResponse> {
    let id = req.param("id").unwrap_or_default().to_owned();
    let mut s = lock(&shared.state);
    let d = device(&mut s, req)?;
    let nic = d.nics.iter().find(|n| n.id == id).ok_or_else(|| fail(req, SubStatus::BadParameters))?;
    Ok(if op == "device.network.interface.get" {
        SimResponse::json(
            200,
            &NetworkInterfaceMsg {
                network_interface: NetworkInterface { id: nic.id.clone(), ip_address: nic.address.clone() },
            },
        )
    } else {
        SimResponse::json(200, &IpAddressMsg { ip_address: nic.address.clone() })
    })
}

fn valid_address(a: &IpAddress) -> bool {
    let v4 = |s: &Option<String>| s.as_deref().is_none_or(|t| t.parse::<std::net::Ipv4Addr>().is_ok());
    let v6 = |s: &Option<String>| s.as_deref().is_none_or(|t| t.is_empty() || t.parse::<std::net::Ipv6Addr>().is_ok());
    !matches!(a.ip_version, Some(IpVersion::Other(_)))
        && !matches!(a.addressing_type, Some(AddressingType::Other(_)))
        && v4(&a.ip_address)
        && v4(&a.subnet_mask)
        && v6(&a.ipv6_address)
        && (a.addressing_type != Some(AddressingType::Static) || a.ip_address.is_some() || a.ipv6_address.is_some())
}

fn nic_put(shared: &Arc<Shared>, req: &SimRequest, op: &str) -> Result<SimResponse, SimResponse> {
    let id = req.param("id").unwrap_or_default().to_owned();
    let address = if op == "device.network.interface.put" {
        let msg: NetworkInterfaceMsg = body(req)?;
        if msg.network_interface.id != id {
            return Err(fail(req, SubStatus::BadParameters));
        }
        msg.network_interface.ip_address
    } else {
        body::<IpAddressMsg>(req)?.ip_address
    };
    if !valid_address(&address) {
        return Err(fail(req, SubStatus::BadParameters));
    }
    let mut s = lock(&shared.state);
    let d = online_device(&mut s, req)?;
    let nic = d.nics.iter_mut().find(|n| n.id == id).ok_or_else(|| fail(req, SubStatus::BadParameters))?;
    nic.address = address;
    // A new address takes effect after a reboot.
    Ok(ok_reboot(req))
}

fn with_panel(
    shared: &Arc<Shared>,
    req: &SimRequest,
    f: impl FnOnce(&str, &mut super::state::PanelState) -> SimResponse,
) -> Result<SimResponse, SimResponse> {
    let mut s = lock(&shared.state);
    let d = online_device(&mut s, req)?;
    let id = d.dev_index.clone();
    match d.panel.as_mut() {
        Some(p) => Ok(f(&id, p)),
        None => Err(fail(req, SubStatus::NotSupport)),
    }
}

/// The partitions a path ID selects (`0xffffffff` or its decimal form: all).
fn partitions_of(id: &str, count: usize) -> Option<Vec<usize>> {
    let t = id.trim();
    if t.eq_ignore_ascii_case("0xffffffff") || t == "4294967295" {
        return Some((0..count).collect());
    }
    let n: usize = t.parse().ok()?;
    (1..=count).contains(&n).then(|| vec![n - 1])
}

fn partition_control(shared: &Arc<Shared>, req: &SimRequest, op: &str) -> Result<SimResponse, SimResponse> {
    let id = req.param("id").unwrap_or_default().to_owned();
    let ways = match op {
        "security_cp.arm" => match ArmWays::parse(req.param("ways").unwrap_or_default()) {
            ArmWays::Other(_) => return Err(fail(req, SubStatus::BadParameters)),
            w => Some(w),
        },
        _ => None,
    };
    let mut events = Vec::new();
    let result = with_panel(shared, req, |dev, p| {
        let Some(selected) = partitions_of(&id, p.partitions.len()) else {
            return fail(req, SubStatus::BadParameters);
        };
        match op {
            "security_cp.arm" => {
                // A partition with a zone in alarm that is not bypassed cannot be armed.
                let blocked = selected.iter().any(|&i| {
                    let pid = p.partitions[i].id;
                    p.zones.iter().any(|z| z.partition == pid && z.status == ZoneStatus::Trigger && !z.bypassed)
                });
                if blocked {
                    return fail(req, SubStatus::SetArmingError);
                }
                let stay = ways == Some(ArmWays::Stay);
                for &i in &selected {
                    p.partitions[i].arming = if stay { Arming::Stay } else { Arming::Away };
                    let code = if stay { crate::CidCode::StayArming } else { crate::CidCode::Arming };
                    events.push((dev.to_owned(), code, p.partitions[i].id, 0));
                }
            }
            "security_cp.disarm" => {
                for &i in &selected {
                    // Disarming ends the partition's alarm, as on AX panels; a zone still
                    // triggered keeps its `trigger` status (it blocks arming).
                    let pid = p.partitions[i].id;
                    p.partitions[i].arming = Arming::Disarm;
                    p.partitions[i].alarm = false;
                    for z in p.zones.iter_mut().filter(|z| z.partition == pid) {
                        z.alarm = false;
                    }
                    events.push((dev.to_owned(), crate::CidCode::Disarming, p.partitions[i].id, 0));
                }
            }
            _ => {
                for &i in &selected {
                    let pid = p.partitions[i].id;
                    p.partitions[i].alarm = false;
                    for z in p.zones.iter_mut().filter(|z| z.partition == pid) {
                        z.alarm = false;
                        if z.status == ZoneStatus::Trigger {
                            z.status = ZoneStatus::Online;
                        }
                    }
                    events.push((dev.to_owned(), crate::CidCode::AlarmClearing, pid, 0));
                }
            }
        }
        ok(req)
    })?;
    // The panel reports the operation as a CID event (CIDType 6, operation), as AX panels do.
    for (dev, code, partition, zone) in events {
        shared.emit_cid(&dev, code, partition, zone, 6);
    }
    Ok(result)
}

fn bypass(shared: &Arc<Shared>, req: &SimRequest, on: bool) -> Result<SimResponse, SimResponse> {
    let msg: ListMsg = body(req)?;
    if msg.list.is_empty() {
        return Err(fail(req, SubStatus::BadParameters));
    }
    let mut events = Vec::new();
    let result = with_panel(shared, req, |dev, p| {
        let ids = msg.ids();
        if ids.iter().any(|id| !p.zones.iter().any(|z| z.id == *id)) {
            return fail(req, SubStatus::BadParameters);
        }
        for z in p.zones.iter_mut().filter(|z| ids.contains(&z.id)) {
            z.bypassed = on;
            let code = if on { crate::CidCode::Bypass } else { crate::CidCode::BypassRestored };
            events.push((dev.to_owned(), code, z.partition, z.id));
        }
        ok(req)
    })?;
    for (dev, code, partition, zone) in events {
        shared.emit_cid(&dev, code, partition, zone, 6);
    }
    Ok(result)
}

fn outputs(shared: &Arc<Shared>, req: &SimRequest) -> Result<SimResponse, SimResponse> {
    let msg: OutputsCtrlMsg = body(req)?;
    let on = match msg.outputs_ctrl.switch {
        Switch::Open => true,
        Switch::Close => false,
        Switch::Other(_) => return Err(fail(req, SubStatus::BadParameters)),
    };
    if msg.outputs_ctrl.list.is_empty() {
        return Err(fail(req, SubStatus::BadParameters));
    }
    with_panel(shared, req, |_, p| {
        let mut errors = Vec::new();
        for item in &msg.outputs_ctrl.list {
            match p.relays.iter_mut().find(|r| r.id == item.id) {
                Some(r) => {
                    r.on = on;
                    r.linkage = Linkage::ManualCtrl;
                }
                None => {
                    let sub = SubStatus::BadParameters;
                    errors.push(ErrorItem {
                        id: item.id.to_string(),
                        status_code: Some(StatusCode::InvalidMessageContent),
                        status_string: Some("Invalid Message Content".to_owned()),
                        error_code: sub.error_code(),
                        error_msg: Some(format!("relay {} does not exist", item.id)),
                        sub_status_code: Some(sub),
                    });
                }
            }
        }
        if errors.is_empty() {
            ok(req)
        } else {
            SimResponse::json(200, &ErrorListMsg { request_url: Some(req.path_and_query()), error_list: errors })
        }
    })
}

fn per_device_subscription(shared: &Arc<Shared>, req: &SimRequest, op: &str) -> Result<SimResponse, SimResponse> {
    let id = req
        .param("id")
        .and_then(|i| i.parse::<u64>().ok())
        .ok_or_else(|| fail(req, SubStatus::TheSessionIdDoesNotExist))?;
    let dev = req.param("dev_index").unwrap_or_default().to_owned();
    let new_dev = if op == "event.device_events.add" { Some(body::<SubscribeDevEventMsg>(req)?) } else { None };
    let online: Vec<(String, bool)> =
        lock(&shared.state).devices.values().map(|d| (d.dev_index.clone(), d.online)).collect();
    let mut subs = lock(&shared.subs);
    subs.prune();
    let sub = subs.by_id.get_mut(&id).ok_or_else(|| fail(req, SubStatus::TheSessionIdDoesNotExist))?;
    let Filter::Devices(devices) = &mut sub.filter else {
        // Not supported when eventMode is "all" (6.1 steps 2, 3 and 5).
        return Err(fail(req, SubStatus::NotSupport));
    };
    match op {
        "event.query_status" => {
            let list = devices
                .keys()
                .map(|d| DevSubscribeStatus {
                    dev_index: d.clone(),
                    status: match online.iter().find(|(i, _)| i == d) {
                        Some((_, true)) => SubscribeStatus::Continue,
                        Some((_, false)) => SubscribeStatus::AbnormalLink,
                        None => SubscribeStatus::Fail,
                    },
                })
                .collect();
            Ok(SimResponse::json(200, &SubscribeQueryStatusListMsg { subscribe_query_status_list: list }))
        }
        "event.device_events.get" => match devices.get(&dev) {
            Some(d) => Ok(SimResponse::json(200, &SubscribeDevEventMsg { subscribe_dev_event: d.clone() })),
            None => Err(fail(req, SubStatus::TheDeviceIdDoesNotExist)),
        },
        "event.device_events.add" => {
            let msg = new_dev.ok_or_else(|| fail(req, SubStatus::BadParameters))?;
            let ev = msg.subscribe_dev_event;
            if ev.dev_index != dev || !online.iter().any(|(i, _)| *i == dev) {
                return Err(fail(req, SubStatus::TheDeviceIdDoesNotExist));
            }
            match devices.get_mut(&dev) {
                // Adding event types to a device already subscribed extends its list.
                Some(existing) if ev.upload_mode == UploadMode::Part && existing.upload_mode == UploadMode::Part => {
                    for k in ev.event_list {
                        if !existing.event_list.contains(&k) {
                            existing.event_list.push(k);
                        }
                    }
                }
                _ => {
                    devices.insert(dev, ev);
                }
            }
            Ok(ok(req))
        }
        _ => match devices.remove(&dev) {
            Some(_) => Ok(ok(req)),
            None => Err(fail(req, SubStatus::TheDeviceIdDoesNotExist)),
        },
    }
}

/// `POST subscribeDeviceMgmt`: opens an endless `multipart/mixed` stream whose first part is the
/// subscription ID (and the devices that could not be armed), then events and heartbeats.
pub(crate) fn subscribe(shared: &Arc<Shared>, req: &SimRequest) -> SimResponse {
    let msg: SubscribeDeviceMgmtMsg = match body(req) {
        Ok(m) => m,
        Err(resp) => return resp,
    };
    let m = msg.subscribe_device_mgmt;
    let known: Vec<String> = lock(&shared.state).devices.keys().cloned().collect();
    let mut fail_list = Vec::new();
    let filter = match m.event_mode {
        EventMode::All => match m.defence_mode {
            None | Some(UploadMode::All) => Filter::All(None),
            Some(UploadMode::Part) if !m.event_list.is_empty() => Filter::All(Some(m.event_list)),
            _ => return fail(req, SubStatus::BadParameters),
        },
        EventMode::Device => {
            let mut devices = std::collections::BTreeMap::new();
            for d in m.dev_event_list {
                if known.contains(&d.dev_index) {
                    devices.insert(d.dev_index.clone(), d);
                } else {
                    fail_list.push(FailedDevice {
                        dev_index: d.dev_index,
                        sub_status_code: SubStatus::TheDeviceIdDoesNotExist,
                    });
                }
            }
            Filter::Devices(devices)
        }
        EventMode::Other(_) => return fail(req, SubStatus::BadParameters),
    };
    let (tx, rx) = mpsc::channel(shared.config.stream_capacity);
    let heartbeats = Arc::new(AtomicU64::new(0));
    let id = {
        let mut subs = lock(&shared.subs);
        subs.prune();
        let id = subs.next_id;
        subs.next_id += 1;
        subs.opened += 1;
        let first =
            SubscribeDeviceMgmtRspMsg { subscribe_device_mgmt_rsp: SubscribeDeviceMgmtRsp { id: None, fail_list } };
        // The id is a number on the wire (the seed's example), whatever the template says.
        let mut first = serde_json::to_value(&first).unwrap_or(Value::Null);
        first["SubscribeDeviceMgmtRsp"]["id"] = json!(id);
        let _ = tx.try_send(watchpost_core::sim::StreamChunk::Data(alarms::json_part(&first)));
        subs.by_id.insert(id, Subscription { tx, filter, stalled: false });
        id
    };
    tracing::debug!(target: "hik_gateway::sim", id, "subscription opened");
    let beat_shared = shared.clone();
    let period: Duration = shared.config.heartbeat_interval;
    SimResponse::stream(200, &format!("multipart/mixed; boundary={BOUNDARY}"), rx)
        .heartbeat(period, move || {
            let (skew, offset) = {
                let s = lock(&beat_shared.state);
                (s.clock_skew, s.utc_offset)
            };
            alarms::heartbeat(local_time(skew, offset).as_str(), alarms::next_beat(&heartbeats))
        })
        .header("MIME-Version", "1.0")
}
