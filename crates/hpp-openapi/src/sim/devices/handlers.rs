//! The handlers of the devices part: one function per operation, each checking what the
//! platform checks and answering from [`State`](super::State).

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};
use watchpost_core::clock::unix_now;
use watchpost_core::sim::SimResponse;

use super::model::{SimDevice, Upgrade};
use crate::error::HppCode;
use crate::generated as api;
use crate::models::devices::{DeviceCategory, DeviceSubCategory, RecordSource, UpgradeStatus};
use crate::sim::handlers::{answer, page, Answer, HppSim};
use crate::sim::lock;

/// Milliseconds since the epoch of a unix time.
fn millis(t: Duration) -> u64 {
    u64::try_from(t.as_millis()).unwrap_or(u64::MAX)
}

/// A unix time in the ISO 8601 form of device/list, `2021-03-25T06:26:01.927Z`.
fn iso8601(t: Duration) -> String {
    let at = std::time::UNIX_EPOCH.checked_add(t).unwrap_or(std::time::UNIX_EPOCH);
    humantime::format_rfc3339_millis(at).to_string()
}

/// The account's device with this serial: LAP006009 when there is none.
fn known<'a>(devices: &'a super::State, serial: &str) -> Answer<&'a SimDevice> {
    devices.device(serial).ok_or(HppCode::DeviceNotFoundOrNoPermission)
}

/// The devices taken offline with `Simulator::set_offline` (a copy: the settings are never
/// locked together with the state).
fn offline(h: &HppSim) -> BTreeSet<String> {
    lock(&h.settings).offline.clone()
}

/// The account's device with this serial, which must be online: `online` is the base's
/// `HppSim::check_online`, asked before the state is locked (EVZ20007 when offline).
fn reachable<'a>(online: Answer<()>, devices: &'a super::State, serial: &str) -> Answer<&'a SimDevice> {
    online?;
    known(devices, serial)
}

/// 3.18: adds each device; a device that cannot be added is a `failReason` with its code.
pub(crate) fn add(h: &HppSim, req: api::AddDevicesRequest) -> SimResponse {
    let mut state = h.state();
    let devices = &mut state.devices;
    let (mut added, mut failed) = (Vec::new(), Vec::new());
    for item in req.device_list.as_slice() {
        let serial = item.device_serial.as_str();
        match devices.add_device(req.site_id.as_str(), serial, item.validate_code.as_str()) {
            Ok(d) => {
                added.push(json!({
                    "deviceCategory": d.category.value().to_string(),
                    "deviceName": d.name,
                    "deviceSerial": d.serial,
                }));
                if let (Some(info), Some(d)) = (&item.extend_info, devices.device_mut(serial)) {
                    d.extend_info = Some(info.as_str().to_owned());
                }
            }
            Err(code) => {
                failed.push(json!({ "deviceSerial": serial, "failReason": format!("add Exception{{{code}}}") }))
            }
        }
    }
    answer(Ok(Some(json!({ "addSuccessList": added, "addFailedList": failed }))))
}

/// 3.19: deletes a device by ID (LAP006009 when there is none).
pub(crate) fn delete(h: &HppSim, req: api::DeleteDeviceRequest) -> SimResponse {
    let ok = h.state().devices.delete(req.id.as_str());
    answer(if ok { Ok(None) } else { Err(HppCode::DeviceNotFoundOrNoPermission) })
}

/// 3.20: renames a device and sets its extended information.
pub(crate) fn update(h: &HppSim, req: api::UpdateDeviceRequest) -> SimResponse {
    let mut state = h.state();
    let result = match state.devices.device_by_id_mut(req.device_id.as_str()) {
        Some(d) => {
            req.device_name.as_str().clone_into(&mut d.name);
            if let Some(info) = &req.extend_info {
                d.extend_info = Some(info.as_str().to_owned());
            }
            Ok(None)
        }
        None => Err(HppCode::DeviceNotFoundOrNoPermission),
    };
    answer(result)
}

/// The device/list row of a device.
fn row(d: &SimDevice, online: bool) -> Value {
    json!({
        "id": d.id,
        "deviceName": d.name,
        "deviceOnlineStatus": i32::from(online),
        "deviceSerial": d.serial,
        "deviceVersion": d.version,
        "deviceType": "DS-SIM",
        "deviceCategory": d.category.value(),
        "deviceSubCategory": d.sub_category.value(),
        "isSubscribed": false,
        "deviceAddTime": iso8601(d.added_at),
        "timeZone": "182",
        "extInfo": d.extend_info,
        "siteID": d.site_id,
        "siteName": format!("Site {}", d.site_id),
        "deviceShareFlag": false,
    })
}

/// 3.21: one page of the devices (of a site, or one serial), in the order they were added
/// (the base's page helper: page 0 reads as 1 and page size 0 as 20).
pub(crate) fn list(h: &HppSim, req: api::ListDevicesRequest) -> SimResponse {
    let offline = offline(h);
    let state = h.state();
    let rows: Vec<Value> = state
        .devices
        .devices()
        .iter()
        .filter(|d| req.site_id.as_ref().is_none_or(|s| *s == d.site_id))
        .filter(|d| req.device_serial.as_ref().is_none_or(|s| *s == d.serial))
        .map(|d| row(d, !offline.contains(&d.serial)))
        .collect();
    answer(Ok(Some(page(&rows, req.page.map(i64::from), req.page_size.map(i64::from)))))
}

/// 3.22: the channels of a device (a bare array; listed whether the device is online or not).
pub(crate) fn cameras(h: &HppSim, req: api::ListCamerasRequest) -> SimResponse {
    let online = h.check_online(req.device_serial.as_str()).is_ok();
    let state = h.state();
    let run = || -> Answer<Option<Value>> {
        let d = known(&state.devices, req.device_serial.as_str())?;
        let cams: Vec<Value> = (1..=d.channels)
            .map(|ch| {
                json!({
                    "deviceSerial": d.serial,
                    "ipcSerial": if d.channels == 1 { d.serial.clone() } else { format!("{}{ch}", d.serial) },
                    "channelNo": ch,
                    "deviceName": d.name,
                    "channelName": format!("{} channel {ch}", d.name),
                    "status": i32::from(online),
                    "isShared": "0",
                    "picUrl": "",
                    "isEncrypt": 0,
                    "videoLevel": 2,
                    "relatedIpc": d.channels > 1,
                })
            })
            .collect();
        Ok(Some(Value::Array(cams)))
    };
    answer(run())
}

/// 3.25: whether a later firmware exists.
pub(crate) fn upgrade_state(h: &HppSim, req: api::DeviceUpgradeStateRequest) -> SimResponse {
    let mut state = h.state();
    let serial = req.device_serial.as_str();
    state.devices.settle_upgrade(serial, unix_now());
    let result =
        known(&state.devices, serial).map(|d| Some(json!({ "isNeedUpgrade": i32::from(d.upgrade_available()) })));
    answer(result)
}

/// 3.26: enables or disables the end user's device operations for a site.
pub(crate) fn cloud_enable(h: &HppSim, req: api::SetCloudEnableRequest) -> SimResponse {
    h.state().devices.cloud.insert(req.site_id.as_str().to_owned(), req.cloud_enable);
    answer(Ok(None))
}

/// 3.27: the PIN of an online device, 100 per device per 24 hours (LAP500007 beyond).
pub(crate) fn pin(h: &HppSim, req: api::QueryPinCodeRequest) -> SimResponse {
    let online = h.check_online(req.device_serial.as_str());
    let mut state = h.state();
    let serial = req.device_serial.as_str();
    let run = || -> Answer<Option<Value>> {
        let pin = reachable(online, &state.devices, serial)?.pin.clone();
        if !state.devices.take_pin_query(serial, unix_now()) {
            return Err(HppCode::CallLimitExceeded);
        }
        Ok(Some(json!({ "pin": pin, "deviceSerial": serial })))
    };
    answer(run())
}

/// Whether a sub type is a security control panel that takes a PIN for upgrades.
fn pin_panel(sub: DeviceSubCategory) -> bool {
    matches!(
        sub,
        DeviceSubCategory::Ax2
            | DeviceSubCategory::AxHub
            | DeviceSubCategory::AxHybrid
            | DeviceSubCategory::AxHybridPro
    )
}

/// 3.28: starts an upgrade. A first-generation panel needs user name and password, the other
/// panels the PIN (EVZ60042 when wrong); a device with nothing newer, or already upgrading,
/// refuses inside the success (`error` LAP006018).
pub(crate) fn upgrade(h: &HppSim, req: api::UpgradeDeviceRequest) -> SimResponse {
    let online = h.check_online(req.device_serial.as_str());
    let mut state = h.state();
    let serial = req.device_serial.as_str();
    let now = unix_now();
    state.devices.settle_upgrade(serial, now);
    let run = || -> Answer<Option<Value>> {
        let d = reachable(online, &state.devices, serial)?;
        if d.category == DeviceCategory::AlarmHost
            && !pin_panel(d.sub_category)
            && (req.username.is_none() || req.password.is_none())
        {
            return Err(HppCode::ParameterError);
        }
        if pin_panel(d.sub_category) && req.pin_code.as_deref() != Some(d.pin.as_str()) {
            return Err(HppCode::IncorrectDevicePassword);
        }
        let busy = d.upgrade.as_ref().is_some_and(|u| u.at(now).0 != UpgradeStatus::Finished);
        if busy || !d.upgrade_available() {
            let why = if busy { "An upgrade is in progress." } else { "No later version." };
            return Ok(Some(json!({ "deviceSerial": serial, "error": "LAP006018", "errorDesc": why })));
        }
        if let Some(d) = state.devices.device_mut(serial) {
            d.upgrade = Some(Upgrade { started: now });
        }
        Ok(Some(json!({ "deviceSerial": serial })))
    };
    answer(run())
}

/// 3.29: the progress of the device's upgrade, by the simulator clock (step 0 before any).
pub(crate) fn upgrade_progress(h: &HppSim, req: api::DeviceUpgradeProgressRequest) -> SimResponse {
    let mut state = h.state();
    let serial = req.device_serial.as_str();
    let now = unix_now();
    state.devices.settle_upgrade(serial, now);
    let result = known(&state.devices, serial).map(|d| {
        let (status, progress) = d.upgrade.as_ref().map_or((UpgradeStatus::Pending, 0), |u| u.at(now));
        Some(json!({ "deviceSerial": serial, "progress": progress, "statue": status.value() }))
    });
    answer(result)
}

/// 3.30: whether a registered device can be added by its physical button (panels and solar
/// cameras can; LAP006002 for a device that does not exist).
pub(crate) fn iot_ability(h: &HppSim, req: api::QueryIotAbilityRequest) -> SimResponse {
    let state = h.state();
    let result = state.devices.registered(req.device_serial.as_str()).ok_or(HppCode::UnknownDevice).map(|r| {
        let button = pin_panel(r.sub_category) || r.sub_category == DeviceSubCategory::SolarCamera;
        Some(json!({ "supportForceCheckAuth": i32::from(button) }))
    });
    answer(result)
}

/// 3.31: the adding status of a device: its name and types once it is in the account.
pub(crate) fn iot_add_result(h: &HppSim, req: api::IotAddResultRequest) -> SimResponse {
    let state = h.state();
    let result = known(&state.devices, req.device_serial.as_str()).map(|d| {
        Some(json!({
            "deviceSerial": d.serial,
            "deviceName": d.name,
            "deviceCategory": d.category.value(),
            "subType": d.sub_category.value(),
        }))
    });
    answer(result)
}

/// 3.32: wakes an online solar camera (EVZ20015 for another device).
pub(crate) fn wake_up(h: &HppSim, req: api::WakeUpCameraRequest) -> SimResponse {
    let online = h.check_online(req.device_serial.as_str());
    let mut state = h.state();
    let serial = req.device_serial.as_str();
    let run = || -> Answer<Option<Value>> {
        let d = reachable(online, &state.devices, serial)?;
        if d.sub_category != DeviceSubCategory::SolarCamera {
            return Err(HppCode::FunctionNotSupported);
        }
        if let Some(d) = state.devices.device_mut(serial) {
            d.awake = true;
        }
        Ok(Some(json!({ "wakeUp": 1 })))
    };
    answer(run())
}

/// Length of a simulated recorded file.
const FILE_LEN_MS: u64 = 10 * 60 * 1000;
/// The most files one answer lists.
const MAX_FILES: u64 = 100;

/// 3.52: the files of a channel in a range: one every 10 minutes of the range (at most 100),
/// alarm/timing/IO in turn. Local recordings need the device online (EVZ20007); EVZ20001 for a
/// channel the device does not have; LAP000001 for a range that ends before it starts.
pub(crate) fn videos(h: &HppSim, req: api::VideosByTimeRequest) -> SimResponse {
    let online = h.check_online(req.device_serial.as_str()).is_ok();
    let state = h.state();
    let now = millis(unix_now());
    let run = || -> Answer<Option<Value>> {
        let serial = req.device_serial.as_str();
        let source = req.rec_type.unwrap_or(RecordSource::Auto);
        let d = known(&state.devices, serial)?;
        if source == RecordSource::Local && !online {
            return Err(HppCode::DeviceOffline);
        }
        let channel = req.channel_no.unwrap_or(1);
        if channel == 0 || channel > d.channels {
            return Err(HppCode::ChannelNotFound);
        }
        let start = req.start_time.unwrap_or(now - now % 86_400_000);
        let end = req.end_time.unwrap_or(now);
        if end < start {
            return Err(HppCode::ParameterError);
        }
        let stored = if source == RecordSource::Cloud { 1 } else { 2 };
        let files: Vec<Value> = (0..MAX_FILES)
            .map(|i| (i, start.saturating_add(i.saturating_mul(FILE_LEN_MS))))
            .take_while(|(_, from)| *from < end)
            .map(|(i, from)| {
                json!({
                    "recType": stored,
                    "startTime": from,
                    "endTime": from.saturating_add(FILE_LEN_MS).min(end),
                    "localType": (i % 3).to_string(),
                    "crypt": 0,
                })
            })
            .collect();
        Ok(Some(Value::Array(files)))
    };
    answer(run())
}
