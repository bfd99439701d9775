//! The simulated operations, on the generated [`Handlers`] trait: the generated router decodes
//! each request (one that does not decode answers `badParameters`, or `badJsonFormat` for a body
//! that is not JSON), so these handlers hold only the gateway's checks and state.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};
use watchpost_core::operation::Operation;
use watchpost_core::sim::{SimRejection, SimRequest, SimResponse};

use super::alarms::{self, Filter, BOUNDARY};
use super::generated::Handlers;
use super::state::{local_time, DeviceState, GatewayState, PanelState};
use super::{lock, Shared};
use crate::cid::CidCode;
use crate::error::{StatusCode, SubStatus};
use crate::generated as api;
use crate::models::*;
use crate::timezone::PosixTimeZone;

/// A handler's answer, or the sub-status to fail with.
type Answer = Result<SimResponse, SubStatus>;

/// A failure `JSON_ResponseStatus` for `sub` (code and text of table A.2), under the HTTP status
/// a gateway answers its status code with.
fn failure(url: String, sub: SubStatus) -> SimResponse {
    let s = ResponseStatus::failure(url, sub);
    let http = match s.status_code {
        StatusCode::DeviceBusy => 503,
        StatusCode::DeviceError => 500,
        _ => 400,
    };
    SimResponse::json(http, &s)
}

fn json<T: Serialize>(v: &T) -> Answer {
    SimResponse::json_ok(v)
}

/// `JSON_ResponseStatus` OK.
fn ok(ctx: &SimRequest) -> Answer {
    json(&ResponseStatus::ok(ctx.path_and_query()))
}

/// `Ok(())` when `cond` holds, else `sub`.
fn check(cond: bool, sub: SubStatus) -> Result<(), SubStatus> {
    cond.then_some(()).ok_or(sub)
}

/// The device `dev`, online when `online` (the gateway cannot reach an offline one).
fn device<'a>(s: &'a mut GatewayState, dev: &str, online: bool) -> Result<&'a mut DeviceState, SubStatus> {
    let d = s.devices.get_mut(dev).ok_or(SubStatus::TheDeviceIdDoesNotExist)?;
    check(d.online || !online, SubStatus::NetworkError).map(|()| d)
}

fn panel(d: &mut DeviceState) -> Result<&mut PanelState, SubStatus> {
    d.panel.as_mut().ok_or(SubStatus::NotSupport)
}

/// Applies a `JSON_DeviceInfo` change; read-only members are ignored (8.5.1 remarks).
fn set_info(info: &mut DeviceInfo, msg: DeviceInfoMsg) -> Result<(), SubStatus> {
    if let Some(name) = msg.device_info.device_name {
        check(!name.is_empty() && name.chars().count() <= 32, SubStatus::BadParameters)?;
        info.device_name = Some(name);
    }
    info.device_description = msg.device_info.device_description.or(info.device_description.take());
    Ok(())
}

/// The clock skew and UTC offset a manual `JSON_Time` sets.
fn clock_of(msg: TimeMsg) -> Result<(i64, i32), SubStatus> {
    check(msg.time.time_mode == TimeMode::Manual, SubStatus::NotSupport)?;
    let t = msg.time.local_time.ok_or(SubStatus::BadParameters)?;
    let (unix, offset) = t.unix_timestamp().zip(t.offset_seconds()).ok_or(SubStatus::BadParameters)?;
    Ok((unix - i64::try_from(watchpost_core::clock::unix_now().as_secs()).unwrap_or(0), offset))
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

/// The partitions a path ID selects (`0xffffffff` or its decimal form: all), as indexes.
fn partitions_of(id: &str, count: usize) -> Result<Vec<usize>, SubStatus> {
    let t = id.trim();
    if t.eq_ignore_ascii_case("0xffffffff") || t == "4294967295" {
        return Ok((0..count).collect());
    }
    let n: usize = t.parse().map_err(|_| SubStatus::BadParameters)?;
    check((1..=count).contains(&n), SubStatus::BadParameters).map(|()| vec![n - 1])
}

/// Ends the alarm of partition index `i` and of its zones (a zone still triggered keeps its
/// status unless `restore`); returns the partition's id.
fn settle(p: &mut PanelState, i: usize, restore: bool) -> u32 {
    let pid = p.partitions[i].id;
    p.partitions[i].alarm = Some(false);
    for z in p.zones.iter_mut().filter(|z| z.partition == pid) {
        z.zone.alarm = Some(false);
        if restore && z.zone.status == Some(ZoneStatus::Trigger) {
            z.zone.status = Some(ZoneStatus::Online);
        }
    }
    pid
}

/// The CID events a panel operation reports: (code, partition, zone).
type Events = Vec<(CidCode, u32, u32)>;

impl Shared {
    fn run(&self, f: impl FnOnce(&mut GatewayState) -> Answer) -> Answer {
        f(&mut lock(&self.state))
    }

    fn on_device(&self, dev: &str, online: bool, f: impl FnOnce(&mut DeviceState) -> Answer) -> Answer {
        self.run(|s| f(device(s, dev, online)?))
    }

    /// Runs a control operation on the panel of the online device `dev`, then reports its
    /// events on the alarm stream (CIDType 6, operation), as AX panels do.
    fn control(
        &self,
        ctx: &SimRequest,
        dev: &str,
        f: impl FnOnce(&mut PanelState) -> Result<Events, SubStatus>,
    ) -> Answer {
        let mut events = Vec::new();
        let resp = self.on_device(dev, true, |d| {
            events = f(panel(d)?)?;
            ok(ctx)
        });
        for (code, partition, zone) in events {
            self.emit_cid(dev, code, partition, zone, 6);
        }
        resp
    }

    fn bypass(&self, ctx: &SimRequest, dev: &str, msg: &ListMsg, on: bool) -> Answer {
        let (ids, code) = (msg.ids(), if on { CidCode::Bypass } else { CidCode::BypassRestored });
        if ids.is_empty() {
            return Err(SubStatus::BadParameters);
        }
        self.control(ctx, dev, |p| {
            check(ids.iter().all(|id| p.zones.iter().any(|z| z.zone.id == *id)), SubStatus::BadParameters)?;
            let mut events = Vec::new();
            for z in p.zones.iter_mut().filter(|z| ids.contains(&z.zone.id)) {
                z.zone.bypassed = Some(on);
                events.push((code.clone(), z.partition, z.zone.id));
            }
            Ok(events)
        })
    }

    /// Runs `f` on the per-device filter of subscription `id` (not supported when `eventMode`
    /// is all: 6.1 steps 2, 3 and 5), with the (device, online) pairs of the gateway.
    fn on_subscription(
        &self,
        id: &str,
        f: impl FnOnce(&mut BTreeMap<String, DevEvent>, &[(String, bool)]) -> Answer,
    ) -> Answer {
        let online: Vec<(String, bool)> =
            lock(&self.state).devices.values().map(|d| (d.dev_index.clone(), d.online)).collect();
        let mut subs = lock(&self.subs);
        match id.parse::<u64>().ok().and_then(|id| subs.filter_mut(id)) {
            Some(Filter::Devices(devices)) => f(devices, &online),
            Some(Filter::All(_)) => Err(SubStatus::NotSupport),
            None => Err(SubStatus::TheSessionIdDoesNotExist),
        }
    }

    fn set_nic(&self, ctx: &SimRequest, dev: &str, id: &str, address: IpAddress) -> Answer {
        if !valid_address(&address) {
            return Err(SubStatus::BadParameters);
        }
        self.on_device(dev, true, |d| {
            d.nics.iter_mut().find(|n| n.id == id).ok_or(SubStatus::BadParameters)?.ip_address = address;
            // A new address takes effect after a reboot: statusCode 7.
            let mut s = ResponseStatus::failure(ctx.path_and_query(), SubStatus::RebootRequired);
            s.reboot_required = Some(true);
            json(&s)
        })
    }

    fn nic(&self, dev: &str, id: &str, f: impl FnOnce(&IpAddress) -> Answer) -> Answer {
        self.on_device(dev, false, |d| {
            f(&d.nics.iter().find(|n| n.id == id).ok_or(SubStatus::BadParameters)?.ip_address)
        })
    }

    /// Serves a video file stored for a `videoURL`.
    pub(crate) fn download(&self, req: &SimRequest) -> SimResponse {
        let key = req.path_and_query();
        match lock(&self.state).videos.get(&key) {
            Some(video) => SimResponse::bytes(200, "video/mp4", video.clone()),
            None => SimResponse::json(404, &ResponseStatus::failure(key, SubStatus::TaskNoRecFile)),
        }
    }
}

/// The `JSON_ResponseStatus` of a batch that failed for every item.
fn batch_failure(first: Option<SubStatus>) -> BatchStatus {
    let sub = first.unwrap_or(SubStatus::BadParameters);
    let st = sub.status_code().unwrap_or(StatusCode::InvalidOperation);
    BatchStatus {
        status_code: Some(st),
        status_string: Some(st.description().to_owned()),
        error_code: sub.error_code(),
        error_msg: sub.known_description().map(str::to_owned),
        sub_status_code: Some(sub),
    }
}

/// Adds one device of `addDevice`: its per-item outcome.
fn add_device(s: &mut GatewayState, d: DeviceIn, layout: (u32, u32, u32)) -> DeviceOut {
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
    } else {
        (s.devices.len() >= s.max_devices).then_some(SubStatus::MonitorNodeOverLimit)
    };
    let mut out = DeviceOut {
        dev_index: None,
        dev_name: d.dev_name.clone(),
        protocol_type: Some(d.protocol_type.clone()),
        ehome_params: Some(EhomeParamsOut { ehome_id: Some(ehome_id.clone()), ..EhomeParamsOut::default() }),
        status: if failure.is_some() { ItemStatus::Fail } else { ItemStatus::Success },
        sub_status_code: failure,
    };
    if out.status == ItemStatus::Success {
        let n = s.next_device;
        let mut dev = DeviceState::panel(n, &ehome_id, &d.dev_name.unwrap_or_else(|| format!("Device {n}")), layout);
        dev.protocol_type = d.protocol_type;
        dev.dev_type = d.dev_type.unwrap_or(DevType::SecurityCp);
        if dev.dev_type != DevType::SecurityCp {
            dev.panel = None;
            dev.info.device_type = Some(DeviceType::IpCamera);
        }
        dev.visual_verification = d.visual_verification.unwrap_or(true);
        out.dev_index = Some(dev.dev_index.clone());
        s.insert(dev);
    }
    out
}

fn search_device(x: &DeviceState) -> Value {
    let mut v = json!({"devIndex": x.dev_index, "devName": x.info.device_name, "devMode": x.info.model,
        "devType": x.dev_type, "protocolType": x.protocol_type, "devStatus": DevStatus::Offline,
        "EhomeParams": {"EhomeID": x.ehome_id, "heartInterval": 10, "heartExceededCount": 3},
        "videoChannelNum": 1, "visualVerification": x.visual_verification, "isapiUserBound": false});
    if x.online {
        (v["devStatus"], v["activeStatus"]) = (json!(DevStatus::Online), json!(true));
    }
    v
}

fn matches_filter(f: &SearchFilter, x: &DeviceState) -> bool {
    f.key.as_deref().is_none_or(|k| {
        x.dev_index.contains(k)
            || x.info.device_name.as_deref().is_some_and(|n| n.contains(k))
            || x.info.model.as_deref().is_some_and(|m| m.contains(k))
    }) && f.dev_type.as_ref().is_none_or(|t| *t == x.dev_type)
        && f.protocol_type.as_ref().is_none_or(|p| *p == x.protocol_type)
        && f.dev_status.as_ref().is_none_or(|st| (*st == DevStatus::Online) == x.online)
        && f.visual_verification.is_none_or(|v| v == x.visual_verification)
}

/// `ChannelInfo`: one video channel, the alarm inputs and outputs.
fn channel_info(d: &DeviceState) -> Value {
    let channel =
        |id: u32, name: &Option<String>| json!({"Channel": {"id": id, "name": name, "type": ChannelType::Analog}});
    let status = if d.online { ChannelStatus::Online } else { ChannelStatus::Offline };
    json!({"ChannelInfo": {
        "VideoChannel": [{"Channel": {"id": 1, "name": "Camera 01", "type": ChannelType::Digital, "status": status}}],
        "AlarmInChannel": d.io.inputs.iter().map(|i| channel(i.id, &i.name)).collect::<Vec<_>>(),
        "AlarmOutChannel": d.io.outputs.iter().map(|o| channel(o.id, &o.name)).collect::<Vec<_>>(),
    }})
}

impl Handlers for Shared {
    async fn add_devices(&self, r: api::AddDevicesRequest, _: SimRequest) -> Answer {
        let layout = self.config.layout();
        self.run(|s| {
            // The seed names AES128-CBC but specifies neither key nor encoding.
            check(r.security.is_none_or(|s| s == 0), SubStatus::NotSupport)?;
            check(!r.body.device_in_list.is_empty(), SubStatus::BadParameters)?;
            let out: Vec<DeviceOut> = r.body.device_in_list.into_iter().map(|d| add_device(s, d, layout)).collect();
            let all_failed = out.iter().all(|d| d.status != ItemStatus::Success);
            let status = if all_failed {
                batch_failure(out.iter().find_map(|d| d.sub_status_code.clone()))
            } else {
                BatchStatus::default()
            };
            json(&DeviceOutListMsg { device_out_list: out, status })
        })
    }

    async fn channel_info(&self, r: api::ChannelInfoRequest, _: SimRequest) -> Answer {
        self.on_device(&r.dev_index, false, |d| json(&channel_info(d)))
    }

    async fn delete_devices(&self, r: api::DeleteDevicesRequest, _: SimRequest) -> Answer {
        self.run(|s| {
            check(!r.body.dev_index_list.is_empty(), SubStatus::BadParameters)?;
            let del = |id: String| match s.remove(&id) {
                Some(_) => DelDev { dev_index: id, status: ItemStatus::Success, sub_status_code: None },
                None => DelDev {
                    dev_index: id,
                    status: ItemStatus::Fail,
                    sub_status_code: Some(SubStatus::TheDeviceIdDoesNotExist),
                },
            };
            let out: Vec<DelDev> = r.body.dev_index_list.into_iter().map(del).collect();
            let status = if out.iter().all(|d| d.status != ItemStatus::Success) {
                batch_failure(Some(SubStatus::TheDeviceIdDoesNotExist))
            } else {
                BatchStatus::default()
            };
            json(&DelDevListMsg { del_dev_list: out, status })
        })
    }

    async fn delete_device(&self, r: api::DeleteDeviceRequest, ctx: SimRequest) -> Answer {
        self.run(|s| s.remove(&r.dev_index).ok_or(SubStatus::TheDeviceIdDoesNotExist).and_then(|_| ok(&ctx)))
    }

    async fn search_devices(&self, r: api::SearchDevicesRequest, _: SimRequest) -> Answer {
        let d = r.body.search_description;
        self.run(|s| {
            check(d.max_result > 0, SubStatus::BadParameters)?;
            let f = d.filter.unwrap_or_default();
            let all = s.order.iter().filter_map(|id| s.devices.get(id)).filter(|x| matches_filter(&f, x));
            let matches: Vec<&DeviceState> = all.collect();
            let page = matches.iter().skip(d.position as usize).take(d.max_result as usize);
            let page: Vec<Value> = page.map(|x| json!({ "Device": search_device(x) })).collect();
            json(&json!({"SearchResult": {"numOfMatches": page.len(), "totalMatches": matches.len(), "MatchList": page}}))
        })
    }

    async fn refresh_device_info(&self, r: api::RefreshDeviceInfoRequest, _: SimRequest) -> Answer {
        self.run(|s| {
            let entry =
                |d: &DeviceState| DeviceInfoEntry { dev_index: Some(d.dev_index.clone()), info: d.info.clone() };
            let mut found: Vec<DeviceInfoEntry> =
                r.body.dev_list.iter().filter_map(|id| s.devices.get(id)).map(entry).collect();
            match found.len() {
                0 => Err(SubStatus::TheDeviceIdDoesNotExist),
                // One device: one object, as the seed shows it (9.4).
                1 => json(&json!({ "DeviceInfoList": found.pop() })),
                _ => json(&DeviceInfoListMsg { device_info_list: found }),
            }
        })
    }

    async fn get_device_events(&self, r: api::GetDeviceEventsRequest, _: SimRequest) -> Answer {
        self.on_subscription(&r.id, |devices, _| {
            let d = devices.get(&r.dev_index).ok_or(SubStatus::TheDeviceIdDoesNotExist)?;
            json(&SubscribeDevEventMsg { subscribe_dev_event: d.clone() })
        })
    }

    async fn add_device_events(&self, r: api::AddDeviceEventsRequest, ctx: SimRequest) -> Answer {
        let (ev, dev) = (r.body.subscribe_dev_event, r.dev_index);
        self.on_subscription(&r.id, |devices, online| {
            check(ev.dev_index == dev && online.iter().any(|(i, _)| *i == dev), SubStatus::TheDeviceIdDoesNotExist)?;
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
            ok(&ctx)
        })
    }

    async fn query_subscription_status(&self, r: api::QuerySubscriptionStatusRequest, _: SimRequest) -> Answer {
        self.on_subscription(&r.id, |devices, online| {
            let status = |d: &String| match online.iter().find(|(i, _)| i == d) {
                Some((_, true)) => SubscribeStatus::Continue,
                Some((_, false)) => SubscribeStatus::AbnormalLink,
                None => SubscribeStatus::Fail,
            };
            let list = devices.keys().map(|d| DevSubscribeStatus { dev_index: d.clone(), status: status(d) }).collect();
            json(&SubscribeQueryStatusListMsg { subscribe_query_status_list: list })
        })
    }

    /// Opens an endless `multipart/mixed` stream whose first part is the subscription ID (and
    /// the devices that could not be armed), then events and heartbeats.
    async fn subscribe_raw(&self, r: api::SubscribeRawRequest, _: SimRequest) -> Answer {
        let m = r.body.subscribe_device_mgmt;
        let known: Vec<String> = lock(&self.state).devices.keys().cloned().collect();
        let mut fail_list = Vec::new();
        let filter = match m.event_mode {
            EventMode::All => match m.defence_mode {
                None | Some(UploadMode::All) => Filter::All(None),
                Some(UploadMode::Part) if !m.event_list.is_empty() => Filter::All(Some(m.event_list)),
                _ => return Err(SubStatus::BadParameters),
            },
            EventMode::Device => {
                let (known, unknown): (Vec<_>, Vec<_>) =
                    m.dev_event_list.into_iter().partition(|d| known.contains(&d.dev_index));
                let failed = |d: DevEvent| FailedDevice {
                    dev_index: d.dev_index,
                    sub_status_code: SubStatus::TheDeviceIdDoesNotExist,
                };
                fail_list.extend(unknown.into_iter().map(failed));
                Filter::Devices(known.into_iter().map(|d| (d.dev_index.clone(), d)).collect())
            }
            EventMode::Other(_) => return Err(SubStatus::BadParameters),
        };
        let (id, rx) = lock(&self.subs).open(filter, |id| {
            let first =
                SubscribeDeviceMgmtRspMsg { subscribe_device_mgmt_rsp: SubscribeDeviceMgmtRsp { id: None, fail_list } };
            // The id is a number on the wire (the seed's example), whatever the template says.
            let mut first = serde_json::to_value(&first).unwrap_or(Value::Null);
            first["SubscribeDeviceMgmtRsp"]["id"] = json!(id);
            alarms::json_part(&first)
        });
        tracing::debug!(target: "hik_gateway::sim", id, "subscription opened");
        let span = lock(&self.subs).span_guard(id);
        let (beats, state) = (AtomicU64::new(0), Arc::clone(&self.state));
        Ok(SimResponse::stream(200, &format!("multipart/mixed; boundary={BOUNDARY}"), rx)
            .heartbeat(self.config.heartbeat_interval, move || {
                let (skew, offset) = {
                    let s = lock(&state);
                    (s.clock_skew, s.utc_offset)
                };
                alarms::heartbeat(local_time(skew, offset).as_str(), beats.fetch_add(1, Ordering::Relaxed) + 1)
            })
            .header("MIME-Version", "1.0")
            .guard(span))
    }

    async fn remove_device_events(&self, r: api::RemoveDeviceEventsRequest, ctx: SimRequest) -> Answer {
        self.on_subscription(&r.id, |devices, _| {
            devices.remove(&r.dev_index).ok_or(SubStatus::TheDeviceIdDoesNotExist).and_then(|_| ok(&ctx))
        })
    }

    async fn unsubscribe(&self, r: api::UnsubscribeRequest, ctx: SimRequest) -> Answer {
        let closed = r.id.parse::<u64>().is_ok_and(|id| lock(&self.subs).close(id));
        check(closed, SubStatus::TheSessionIdDoesNotExist).and_then(|()| ok(&ctx))
    }

    async fn user_check(&self, _: api::UserCheckRequest, _: SimRequest) -> Answer {
        let check = json!({"statusValue": 200, "statusString": "OK", "isDefaultPassword": false,
                           "isRiskPassword": false, "isActivated": true});
        json(&json!({ "userCheck": check }))
    }

    async fn arm(&self, r: api::ArmRequest, ctx: SimRequest) -> Answer {
        let stay = r.ways == ArmWays::Stay;
        let (arming, code) = if stay { (Arming::Stay, CidCode::StayArming) } else { (Arming::Away, CidCode::Arming) };
        self.control(&ctx, &r.dev_index, |p| {
            let selected = partitions_of(&r.id, p.partitions.len())?;
            // A partition with a zone in alarm that is not bypassed cannot be armed.
            let alarm = |pid: u32| {
                let trigger = |z: &Zone| z.status == Some(ZoneStatus::Trigger) && z.bypassed != Some(true);
                p.zones.iter().any(|z| z.partition == pid && trigger(&z.zone))
            };
            check(!selected.iter().any(|&i| alarm(p.partitions[i].id)), SubStatus::SetArmingError)?;
            for &i in &selected {
                p.partitions[i].arming = Some(arming.clone());
            }
            Ok(selected.into_iter().map(|i| (code.clone(), p.partitions[i].id, 0)).collect())
        })
    }

    async fn bypass_zones(&self, r: api::BypassZonesRequest, ctx: SimRequest) -> Answer {
        self.bypass(&ctx, &r.dev_index, &r.body, true)
    }

    async fn recover_bypass(&self, r: api::RecoverBypassRequest, ctx: SimRequest) -> Answer {
        self.bypass(&ctx, &r.dev_index, &r.body, false)
    }

    async fn clear_alarm(&self, r: api::ClearAlarmRequest, ctx: SimRequest) -> Answer {
        self.control(&ctx, &r.dev_index, |p| {
            let selected = partitions_of(&r.id, p.partitions.len())?;
            Ok(selected.into_iter().map(|i| (CidCode::AlarmClearing, settle(p, i, true), 0)).collect())
        })
    }

    async fn disarm(&self, r: api::DisarmRequest, ctx: SimRequest) -> Answer {
        self.control(&ctx, &r.dev_index, |p| {
            // Disarming ends the partition's alarm, as on AX panels; a zone still triggered keeps
            // its `trigger` status (it blocks arming).
            let selected = partitions_of(&r.id, p.partitions.len())?;
            for &i in &selected {
                p.partitions[i].arming = Some(Arming::Disarm);
            }
            Ok(selected.into_iter().map(|i| (CidCode::Disarming, settle(p, i, false), 0)).collect())
        })
    }

    async fn control_outputs(&self, r: api::ControlOutputsRequest, ctx: SimRequest) -> Answer {
        let c = r.body.outputs_ctrl;
        let on = match c.switch {
            Switch::Open if !c.list.is_empty() => true,
            Switch::Close if !c.list.is_empty() => false,
            _ => return Err(SubStatus::BadParameters),
        };
        self.on_device(&r.dev_index, true, |d| {
            let p = panel(d)?;
            let mut errors = Vec::new();
            for item in &c.list {
                if let Some(r) = p.peripherals.outputs.iter_mut().find(|r| r.id == item.id) {
                    let status = if on { OnOffStatus::On } else { OnOffStatus::Off };
                    (r.status, r.linkage) = (Some(status), Some(Linkage::ManualCtrl));
                    continue;
                }
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
            if errors.is_empty() {
                return ok(&ctx);
            }
            json(&ErrorListMsg { request_url: Some(ctx.path_and_query()), error_list: errors })
        })
    }

    async fn peripherals_status(&self, r: api::PeripheralsStatusRequest, _: SimRequest) -> Answer {
        self.on_device(&r.dev_index, true, |d| json(&ExDevStatusMsg { ex_dev_status: panel(d)?.peripherals.clone() }))
    }

    async fn partitions_status(&self, r: api::PartitionsStatusRequest, _: SimRequest) -> Answer {
        self.on_device(&r.dev_index, true, |d| json(&SubSysListMsg { sub_sys_list: panel(d)?.partitions.clone() }))
    }

    async fn zones_status(&self, r: api::ZonesStatusRequest, _: SimRequest) -> Answer {
        self.on_device(&r.dev_index, true, |d| {
            let p = panel(d)?;
            // The seed's template shows bypassed, armed and alarm as strings: send them so.
            let zone = |s: &super::ZoneState| {
                let armed = p.partitions.iter().any(|x| x.id == s.partition && x.arming != Some(Arming::Disarm));
                let (z, flag) = (&s.zone, |b: Option<bool>| b.unwrap_or(false).to_string());
                json!({"Zone": {"id": z.id, "name": z.name, "status": z.status, "tamperEvident": z.tamper_evident,
                    "shielded": z.shielded, "bypassed": flag(z.bypassed), "armed": flag(Some(armed && z.bypassed != Some(true))),
                    "alarm": flag(z.alarm), "charge": z.charge}})
            };
            json(&json!({ "ZoneList": p.zones.iter().map(zone).collect::<Vec<_>>() }))
        })
    }

    async fn gateway_info(&self, _: api::GatewayInfoRequest, _: SimRequest) -> Answer {
        self.run(|s| json(&DeviceInfoMsg { device_info: s.info.clone() }))
    }

    async fn set_gateway_info(&self, r: api::SetGatewayInfoRequest, ctx: SimRequest) -> Answer {
        self.run(|s| set_info(&mut s.info, r.body).and_then(|()| ok(&ctx)))
    }

    async fn device_info(&self, r: api::DeviceInfoRequest, _: SimRequest) -> Answer {
        self.on_device(&r.dev_index, false, |d| json(&DeviceInfoMsg { device_info: d.info.clone() }))
    }

    async fn set_device_info(&self, r: api::SetDeviceInfoRequest, ctx: SimRequest) -> Answer {
        self.on_device(&r.dev_index, false, |d| set_info(&mut d.info, r.body).and_then(|()| ok(&ctx)))
    }

    async fn trigger_io_output(&self, r: api::TriggerIoOutputRequest, ctx: SimRequest) -> Answer {
        let level = r.body.io_port_data.output_state;
        if matches!(level, IoLevel::Other(_)) {
            return Err(SubStatus::BadParameters);
        }
        self.on_device(&r.dev_index, true, |d| {
            check(d.io.outputs.iter().any(|o| o.id == r.id), SubStatus::BadParameters)?;
            d.output_levels.insert(r.id, level);
            ok(&ctx)
        })
    }

    async fn io_ports(&self, r: api::IoPortsRequest, _: SimRequest) -> Answer {
        self.on_device(&r.dev_index, false, |d| json(&IoPortListMsg { io_port_list: d.io.clone() }))
    }

    async fn ip_address(&self, r: api::IpAddressRequest, _: SimRequest) -> Answer {
        self.nic(&r.dev_index, &r.id, |a| json(&IpAddressMsg { ip_address: a.clone() }))
    }

    async fn set_ip_address(&self, r: api::SetIpAddressRequest, ctx: SimRequest) -> Answer {
        self.set_nic(&ctx, &r.dev_index, &r.id, r.body.ip_address)
    }

    async fn network_interface(&self, r: api::NetworkInterfaceRequest, _: SimRequest) -> Answer {
        let id = r.id.clone();
        self.nic(&r.dev_index, &r.id, |a| {
            json(&NetworkInterfaceMsg { network_interface: NetworkInterface { id, ip_address: a.clone() } })
        })
    }

    async fn set_network_interface(&self, r: api::SetNetworkInterfaceRequest, ctx: SimRequest) -> Answer {
        if r.body.network_interface.id != r.id {
            return Err(SubStatus::BadParameters);
        }
        self.set_nic(&ctx, &r.dev_index, &r.id, r.body.network_interface.ip_address)
    }

    async fn network_interfaces(&self, r: api::NetworkInterfacesRequest, _: SimRequest) -> Answer {
        self.on_device(&r.dev_index, false, |d| {
            json(&NetworkInterfaceListMsg { network_interface_list: d.nics.clone() })
        })
    }

    async fn reboot_gateway(&self, _: api::RebootGatewayRequest, ctx: SimRequest) -> Answer {
        self.run(|s| {
            s.reboots.push(None);
            ok(&ctx)
        })
    }

    async fn reboot_device(&self, r: api::RebootDeviceRequest, ctx: SimRequest) -> Answer {
        self.run(|s| {
            let id = device(s, &r.dev_index, true)?.dev_index.clone();
            s.reboots.push(Some(id));
            ok(&ctx)
        })
    }

    async fn time_zone(&self, r: api::TimeZoneRequest, _: SimRequest) -> Answer {
        self.on_device(&r.dev_index, false, |d| Ok(SimResponse::text(200, d.time_zone.clone())))
    }

    async fn set_time_zone(&self, r: api::SetTimeZoneRequest, ctx: SimRequest) -> Answer {
        let Ok(tz) = PosixTimeZone::parse(r.time_zone.trim()) else {
            return Err(SubStatus::BadParameters);
        };
        self.on_device(&r.dev_index, true, |d| {
            (d.time_zone, d.utc_offset) = (tz.to_string(), tz.utc_offset_seconds());
            ok(&ctx)
        })
    }

    async fn gateway_time(&self, _: api::GatewayTimeRequest, _: SimRequest) -> Answer {
        self.run(|s| json(&TimeMsg::manual(local_time(s.clock_skew, s.utc_offset))))
    }

    async fn set_gateway_time(&self, r: api::SetGatewayTimeRequest, ctx: SimRequest) -> Answer {
        let clock = clock_of(r.body);
        self.run(|s| {
            (s.clock_skew, s.utc_offset) = clock?;
            ok(&ctx)
        })
    }

    async fn device_time(&self, r: api::DeviceTimeRequest, _: SimRequest) -> Answer {
        self.on_device(&r.dev_index, false, |d| json(&TimeMsg::manual(local_time(d.clock_skew, d.utc_offset))))
    }

    async fn set_device_time(&self, r: api::SetDeviceTimeRequest, ctx: SimRequest) -> Answer {
        let clock = clock_of(r.body)?;
        self.on_device(&r.dev_index, true, |d| {
            (d.clock_skew, d.utc_offset) = clock;
            ok(&ctx)
        })
    }

    fn fail(&self, ctx: &SimRequest, sub: SubStatus) -> SimResponse {
        failure(ctx.path_and_query(), sub)
    }

    /// A request that does not decode: `badJsonFormat` for a body that is not JSON, else
    /// `badParameters`.
    fn reject(&self, op: &'static Operation, rejection: SimRejection) -> SimResponse {
        let syntax = rejection.reason.contains("syntax error") || rejection.reason.contains("truncated");
        failure(op.path.to_owned(), if syntax { SubStatus::BadJsonFormat } else { SubStatus::BadParameters })
    }
}
