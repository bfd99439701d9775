//! The simulated operations, on the generated [`Handlers`] trait (a request that does not decode
//! is a 10001; the generated router locks the state around each call), checked in the order the
//! module docs of [`super`] list.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use watchpost_core::operation::Operation;
use watchpost_core::sim::{SimRejection, SimRequest, SimResponse, TokenStore};

use super::fixtures;
use super::generated::Handlers;
pub(crate) use super::state::State;
use super::state::{Feature, SimDevice};
use crate::error::EzvizCode::{self, *};
use crate::generated as api;
use crate::models::ScheduleTime;

/// A handler's answer: the success envelope, or the EZVIZ code to answer
/// ([`Handlers::fail`]).
type Reply = Result<SimResponse, EzvizCode>;

/// The account a valid token belongs to (set by the token middleware).
#[derive(Debug, Clone)]
pub(crate) struct Account(pub(crate) String);

/// `{"code":"200","msg":"Operation succeeded","data":...}` (no `data` for `Null`).
fn reply(data: Value) -> Reply {
    let mut body = json!({ "code": "200", "msg": "Operation succeeded" });
    if let (false, Some(body)) = (data.is_null(), body.as_object_mut()) {
        body.insert("data".into(), data);
    }
    SimResponse::json_ok(&body)
}

/// The success envelope without `data`.
fn done() -> Reply {
    reply(Value::Null)
}

/// An error envelope with the seed's description as `msg` (HTTP 200, as EZVIZ answers).
pub(crate) fn failure(code: &EzvizCode) -> SimResponse {
    let msg = Some(code.description()).filter(|d| !d.is_empty()).unwrap_or("Unknown error.");
    SimResponse::json(200, &json!({ "code": code.as_str(), "msg": msg }))
}

/// A text parameter that must not be blank (EZVIZ answers 10001 for an empty value).
fn filled(text: &str) -> Result<&str, EzvizCode> {
    Some(text).filter(|t| !t.trim().is_empty()).ok_or(InvalidParameters)
}

/// A response model as the wire carries it, as `data`.
fn wire(model: &impl serde::Serialize) -> Reply {
    reply(serde_json::to_value(model).map_err(|_| DataException)?)
}

/// Fails with `code` unless `ok`.
fn check(ok: bool, code: EzvizCode) -> Result<(), EzvizCode> {
    ok.then_some(()).ok_or(code)
}

/// The EZVIZ platform: the state the token host and the area host share.
pub(crate) struct Ezviz {
    pub(crate) state: Arc<Mutex<State>>,
    pub(crate) tokens: TokenStore<String>,
    /// The area host handed out with each token (empty on the area host itself).
    pub(crate) area_domain: String,
}

/// The token check in front of every operation but the token endpoint and the time zone list.
pub(crate) fn check_token(tokens: &TokenStore<String>, req: &mut SimRequest) -> Option<SimResponse> {
    let Some(token) = req.form_value("accessToken").filter(|t| !t.is_empty()) else {
        return Some(failure(&InvalidParameters));
    };
    let Some(account) = tokens.data(&token) else { return Some(failure(&AccessTokenExpired)) };
    req.extensions.insert(Account(account));
    None
}

/// Whether the seed's error table of `op` lists 20007, i.e. the platform asks the device itself.
/// The tables of 1.18 and 1.19 look swapped (see the reading notes): the set reaches the device.
fn reaches_device(op: &str) -> bool {
    let status = ["sound_switch.status", "scene_switch.status", "ssl_switch.status", "defence_plan.get"];
    let rest = ["infrared.get", "info", "timezone.set", "capacity", "language.get"];
    !op.strip_prefix("device.").is_some_and(|op| status.contains(&op) || rest.contains(&op))
}

/// The device of the request (`ctx`: its operation and the token's account), checked in the
/// documented order.
fn device<'s>(
    devices: &'s mut BTreeMap<String, SimDevice>,
    ctx: &SimRequest,
    serial: &str,
) -> Result<&'s mut SimDevice, EzvizCode> {
    let serial = filled(serial)?;
    check(serial.len() <= 32 && serial.bytes().all(|b| b.is_ascii_alphanumeric()), IllegalSerial)?;
    let dev = devices.get_mut(serial).ok_or(DeviceNotFound)?;
    let account = ctx.extensions.get::<Account>().map(|a| a.0.as_str());
    check(Some(dev.owner.as_str()) == account, NotOwner)?;
    check(dev.online || !reaches_device(ctx.route), DeviceOffline)?;
    Ok(dev)
}

/// The status of a switch: `{deviceSerial, channelNo, enable}`.
fn switch_status(dev: &mut SimDevice, feature: Feature, channel: u32) -> Reply {
    let on = *dev.switch(feature)?;
    reply(json!({ "deviceSerial": dev.serial, "channelNo": channel, "enable": u8::from(on) }))
}

/// Sets a switch after its channel check, answering 60022 when it already is in that state.
fn set_switch(dev: &mut SimDevice, feature: Feature, channel_no: Option<u32>, to: bool) -> Reply {
    dev.channel(Some(feature), channel_no, ChannelNotFound)?;
    let slot = dev.switch(feature)?;
    check(*slot != to, AlreadyCurrentStatus)?;
    *slot = to;
    done()
}

impl Handlers for Ezviz {
    fn state(&self) -> &Mutex<State> {
        &self.state
    }

    fn fail(&self, _ctx: &SimRequest, code: EzvizCode) -> SimResponse {
        failure(&code)
    }

    fn get_token(&self, st: &mut State, req: api::GetTokenRequest, _ctx: &SimRequest) -> Reply {
        let (key, secret) = (filled(&req.app_key)?, filled(&req.app_secret)?);
        check(key == fixtures::APP_KEY, AppKeyNotFound)?;
        check(secret == fixtures::APP_SECRET, AppSecretMismatch)?;
        check(!st.app_frozen, AppKeyFrozen)?;
        let issued = self.tokens.issue_to(fixtures::ACCOUNT.to_owned());
        let expire_time = issued.expires_at_millis();
        reply(json!({ "accessToken": issued.token, "expireTime": expire_time, "areaDomain": self.area_domain }))
    }

    fn set_defence(&self, st: &mut State, req: api::SetDefenceRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        check(dev.defence_values.contains(&req.is_defence.value()), InvalidParameters)?;
        dev.defence = req.is_defence.value();
        done()
    }

    fn disable_encryption(&self, st: &mut State, req: api::DisableEncryptionRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        check(filled(&req.validate_code)? == dev.validate_code, WrongVerificationCode)?;
        check(dev.encrypted, EncryptionAlreadyDisabled)?;
        dev.encrypted = false;
        done()
    }

    fn enable_encryption(&self, st: &mut State, req: api::EnableEncryptionRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        check(!dev.encrypted, EncryptionAlreadyEnabled)?;
        dev.encrypted = true;
        done()
    }

    fn get_sound_switch(&self, st: &mut State, req: api::GetSoundSwitchRequest, ctx: &SimRequest) -> Reply {
        switch_status(device(&mut st.devices, ctx, &req.device_serial)?, Feature::SoundPrompt, 1)
    }

    fn set_sound_switch(&self, st: &mut State, req: api::SetSoundSwitchRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        set_switch(dev, Feature::SoundPrompt, req.channel_no, req.enable)
    }

    fn get_scene_switch(&self, st: &mut State, req: api::GetSceneSwitchRequest, ctx: &SimRequest) -> Reply {
        switch_status(device(&mut st.devices, ctx, &req.device_serial)?, Feature::LensMasking, 1)
    }

    fn set_scene_switch(&self, st: &mut State, req: api::SetSceneSwitchRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        set_switch(dev, Feature::LensMasking, req.channel_no, req.enable)
    }

    fn get_ssl_switch(&self, st: &mut State, req: api::GetSslSwitchRequest, ctx: &SimRequest) -> Reply {
        switch_status(device(&mut st.devices, ctx, &req.device_serial)?, Feature::SoundSourcePositioning, 1)
    }

    fn set_ssl_switch(&self, st: &mut State, req: api::SetSslSwitchRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        set_switch(dev, Feature::SoundSourcePositioning, req.channel_no, req.enable)
    }

    fn get_defence_plan(&self, st: &mut State, req: api::GetDefencePlanRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        dev.channel(Some(Feature::DefencePlan), req.channel_no, ChannelNotFound)?;
        wire(&dev.plan)
    }

    fn set_defence_plan(&self, st: &mut State, req: api::SetDefencePlanRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        dev.channel(Some(Feature::DefencePlan), req.channel_no, ChannelNotFound)?;
        // Omitted fields: the start time and `enable` take the seed's defaults (00:00, 1);
        // the stop time and the days stay as they were.
        let plan = &mut dev.plan;
        plan.start_time = Some(req.start_time.unwrap_or(ScheduleTime::MIDNIGHT));
        plan.stop_time = req.stop_time.or(plan.stop_time);
        plan.period = req.period.or(plan.period);
        plan.enable = Some(req.enable.unwrap_or(true));
        done()
    }

    fn get_mic_status(&self, st: &mut State, req: api::GetMicStatusRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        // As in the seed's example: an array, one entry per channel, `enable` as a string.
        let on = if *dev.switch(Feature::Microphone)? { "1" } else { "0" };
        reply((1..=dev.channels).map(|c| json!({ "deviceSerial": dev.serial, "channelNo": c, "enable": on })).collect())
    }

    fn set_mic_status(&self, st: &mut State, req: api::SetMicStatusRequest, ctx: &SimRequest) -> Reply {
        *device(&mut st.devices, ctx, &req.device_serial)?.switch(Feature::Microphone)? = req.enable;
        done()
    }

    fn set_pir_area(&self, st: &mut State, req: api::SetPirAreaRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        dev.channel(Some(Feature::Pir), req.channel_no, InvalidParameters)?;
        let (rows, columns, _) = dev.pir;
        let limit = 1u64.checked_shl(columns).unwrap_or(u64::MAX);
        let mut area = req.area.0;
        let fits = area.len() <= rows as usize && area.iter().all(|m| u64::from(*m) < limit);
        check(!area.is_empty() && fits, InvalidParameters)?;
        area.resize(rows as usize, 0);
        dev.pir = (rows, columns, area);
        done()
    }

    fn get_pir_area(&self, st: &mut State, req: api::GetPirAreaRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        let c = dev.channel(Some(Feature::Pir), req.channel_no, InvalidParameters)?;
        let (rows, columns, area) = &dev.pir;
        reply(json!({ "deviceSerial": dev.serial, "channelNo": c, "rows": rows, "columns": columns, "area": area }))
    }

    fn set_chime(&self, st: &mut State, req: api::SetChimeRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        dev.channel(Some(Feature::Chime), req.channel_no, InvalidParameters)?;
        dev.chime = (req.chime_type.value(), req.duration);
        done()
    }

    fn get_chime(&self, st: &mut State, req: api::GetChimeRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        let c = dev.channel(Some(Feature::Chime), req.channel_no, InvalidParameters)?;
        reply(json!({ "deviceSerial": dev.serial, "channelNo": c, "type": dev.chime.0, "duration": dev.chime.1 }))
    }

    fn set_infrared(&self, st: &mut State, req: api::SetInfraredRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        set_switch(dev, Feature::Infrared, req.channel_no, req.enable)
    }

    fn get_infrared(&self, st: &mut State, req: api::GetInfraredRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        let c = dev.channel(Some(Feature::Infrared), req.channel_no, InvalidParameters)?;
        switch_status(dev, Feature::Infrared, c)
    }

    fn get_device_info(&self, st: &mut State, req: api::GetDeviceInfoRequest, ctx: &SimRequest) -> Reply {
        // `version` decodes only as `utc`; anything else was a 10001 already.
        let d = device(&mut st.devices, ctx, &req.device_serial)?;
        let zone = st.zones.iter().find(|z| z["tzCode"] == d.tz_code.as_str());
        let tz = zone.map_or(json!("UTC"), |z| z["tzValue"].clone());
        let (online, encrypt, notify) = (u8::from(d.online), u8::from(d.encrypted), u8::from(d.offline_notify));
        reply(json!({
            "deviceSerial": d.serial, "deviceName": d.name, "model": d.model, "status": online, "defence": d.defence,
            "isEncrypt": encrypt, "alarmSoundMode": d.alarm_sound_mode, "offlineNotify": notify,
            "wifiSsid": d.wifi_ssid, "timeZone": tz,
        }))
    }

    fn list_timezones(&self, st: &mut State, _: api::ListTimezonesRequest, _: &SimRequest) -> Reply {
        reply(Value::Array(st.zones.clone()))
    }

    fn set_timezone(&self, st: &mut State, req: api::SetTimezoneRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        let code = filled(&req.timezone.0)?;
        check(st.zones.iter().any(|z| z["tzCode"] == code), InvalidParameters)?;
        (dev.tz_code, dev.time_format) = (code.to_owned(), req.time_format.value());
        dev.daylight_saving = req.daylight_saving.unwrap_or(dev.daylight_saving);
        done()
    }

    fn get_capabilities(&self, st: &mut State, req: api::GetCapabilitiesRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        dev.channel(None, req.channel_no, InvalidParameters)?;
        wire(&dev.capabilities)
    }

    fn get_language(&self, st: &mut State, req: api::GetLanguageRequest, ctx: &SimRequest) -> Reply {
        reply(json!({ "language": device(&mut st.devices, ctx, &req.device_serial)?.language }))
    }

    fn set_language(&self, st: &mut State, req: api::SetLanguageRequest, ctx: &SimRequest) -> Reply {
        let dev = device(&mut st.devices, ctx, &req.device_serial)?;
        let language = filled(req.language.as_str())?;
        check(dev.capabilities.languages().contains(&req.language), InvalidParameters)?;
        dev.language = language.to_owned();
        done()
    }

    /// EZVIZ's "bad parameter" answer: 10001, whatever the parameter.
    fn reject(&self, _op: &'static Operation, _rejection: SimRejection) -> SimResponse {
        failure(&InvalidParameters)
    }
}
