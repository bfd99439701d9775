//! The simulated operations, on the generated [`Handlers`] trait: the generated router decodes
//! each request (a request that does not decode is a 10001), so these handlers hold only the
//! platform's checks and state.
//!
//! Validation order, as a platform would do it: parameters present and well-formed (10001),
//! serial format (20014), device known (20002), owned by the token's account (20018), device
//! online where the seed lists 20007, feature supported (60020), channel (20032 where the seed
//! lists it, else 10001), then the operation's own checks (20010, 60016, 60019, 60022).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Map, Value};
use watchpost_core::operation::Operation;
use watchpost_core::sim::{SimRejection, SimRequest, SimResponse, TokenStore};

use super::generated::Handlers;
use super::state::{DeviceKind, Feature, SimDevice, SimPlan};
use super::{fixtures, lock, State};
use crate::error::EzvizCode;
use crate::generated as api;
use crate::models::{ScheduleTime, TimeZoneLanguage};

/// A handler's result: the value, or the EZVIZ code to answer with.
type Answer<T> = Result<T, EzvizCode>;

/// The account a valid token belongs to (set by the token middleware).
#[derive(Debug, Clone)]
pub(crate) struct Account(pub(crate) String);

/// `{"code":"200","msg":"Operation succeeded"}` with `data` when given.
pub(crate) fn success(data: Option<Value>) -> SimResponse {
    let mut body = Map::new();
    body.insert("code".into(), json!("200"));
    body.insert("msg".into(), json!("Operation succeeded"));
    if let Some(d) = data {
        body.insert("data".into(), d);
    }
    SimResponse::json(200, &Value::Object(body))
}

/// An error envelope with the seed's description as `msg` (HTTP 200, as EZVIZ answers).
pub(crate) fn failure(code: &EzvizCode) -> SimResponse {
    let msg = match code.description() {
        "" => "Unknown error.",
        d => d,
    };
    SimResponse::json(200, &json!({ "code": code.code(), "msg": msg }))
}

fn fail<T>(code: EzvizCode) -> Answer<T> {
    Err(code)
}

/// A text parameter that must not be blank (EZVIZ answers 10001 for an empty value).
fn filled(text: &str) -> Answer<&str> {
    if text.trim().is_empty() {
        fail(EzvizCode::InvalidParameters)
    } else {
        Ok(text)
    }
}

/// The EZVIZ platform: the state the token host and the area host share.
pub(crate) struct Ezviz {
    pub(crate) state: Arc<Mutex<State>>,
    pub(crate) tokens: TokenStore<String>,
    /// The area host handed out with each token (empty on the area host itself).
    pub(crate) area_domain: String,
}

/// Runs one operation on the device of `serial`, checked in the documented order, and answers
/// its result or its code.
fn on_device(
    h: &Ezviz,
    op: &Operation,
    serial: &str,
    ctx: &SimRequest,
    f: impl FnOnce(&mut SimDevice, &[super::state::Zone]) -> Answer<SimResponse>,
) -> SimResponse {
    let account = ctx.extensions.get::<Account>().map(|a| a.0.as_str());
    let mut state = lock(&h.state);
    let State { devices, zones, .. } = &mut *state;
    let run = || -> Answer<SimResponse> {
        let dev = device(devices, op.id, serial, account)?;
        f(dev, zones)
    };
    run().unwrap_or_else(|code| failure(&code))
}

/// Checks the token endpoint's request and issues a token for the app's account.
fn token_get(h: &Ezviz, req: &api::GetTokenRequest) -> SimResponse {
    let state = lock(&h.state);
    let run = || -> Answer<SimResponse> {
        let key = filled(&req.app_key)?;
        let secret = filled(&req.app_secret)?;
        if key != fixtures::APP_KEY {
            return fail(EzvizCode::AppKeyNotFound);
        }
        if secret != fixtures::APP_SECRET {
            return fail(EzvizCode::AppSecretMismatch);
        }
        if state.app_frozen {
            return fail(EzvizCode::AppKeyFrozen);
        }
        let issued = h.tokens.issue_with(fixtures::ACCOUNT.to_owned(), state.token_ttl);
        Ok(success(Some(json!({
            "accessToken": issued.token,
            "expireTime": issued.expires_at_millis(),
            "areaDomain": h.area_domain,
        }))))
    };
    run().unwrap_or_else(|code| failure(&code))
}

/// The token check in front of every operation but the token endpoint and the time zone list.
pub(crate) fn check_token(tokens: &TokenStore<String>, req: &mut SimRequest) -> Option<SimResponse> {
    let Some(token) = req.form_value("accessToken").filter(|t| !t.is_empty()) else {
        return Some(failure(&EzvizCode::InvalidParameters));
    };
    match tokens.data(&token) {
        Some(account) => {
            req.extensions.insert(Account(account));
            None
        }
        None => Some(failure(&EzvizCode::AccessTokenExpired)),
    }
}

/// Whether the seed's error table of `op` lists 20007, i.e. the platform asks the device itself.
/// The tables of 1.18 and 1.19 look swapped (see the reading notes): the set reaches the device.
fn reaches_device(op: &str) -> bool {
    !matches!(
        op,
        "device.sound_switch.status"
            | "device.scene_switch.status"
            | "device.ssl_switch.status"
            | "device.defence_plan.get"
            | "device.infrared.get"
            | "device.info"
            | "device.timezone.set"
            | "device.capacity"
            | "device.language.get"
    )
}

/// The device of the request, checked in the documented order.
fn device<'s>(
    devices: &'s mut std::collections::BTreeMap<String, SimDevice>,
    op: &str,
    serial: &str,
    account: Option<&str>,
) -> Answer<&'s mut SimDevice> {
    let serial = filled(serial)?;
    if serial.len() > 32 || !serial.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return fail(EzvizCode::IllegalSerial);
    }
    let Some(dev) = devices.get_mut(serial) else {
        return fail(EzvizCode::DeviceNotFound);
    };
    if Some(dev.owner.as_str()) != account {
        return fail(EzvizCode::NotOwner);
    }
    if reaches_device(op) && !dev.online {
        return fail(EzvizCode::DeviceOffline);
    }
    Ok(dev)
}

fn feature(dev: &SimDevice, feature: Feature) -> Answer<()> {
    if dev.has(feature) {
        Ok(())
    } else {
        fail(EzvizCode::NotSupported)
    }
}

/// Checks `channelNo` when given; `unknown` is the code for a channel the device lacks.
fn channel(channel_no: Option<u32>, dev: &SimDevice, unknown: EzvizCode) -> Answer<u32> {
    match channel_no {
        None => Ok(1),
        Some(c) if (1..=dev.channels).contains(&c) => Ok(c),
        Some(_) => fail(unknown),
    }
}

/// Sets a switch, answering 60022 when it already is in that state.
fn set_switch(slot: &mut bool, to: bool) -> Answer<SimResponse> {
    if *slot == to {
        return fail(EzvizCode::AlreadyCurrentStatus);
    }
    *slot = to;
    Ok(success(None))
}

fn switch_status(dev: &SimDevice, channel: u32, on: bool) -> SimResponse {
    success(Some(json!({ "deviceSerial": dev.serial, "channelNo": channel, "enable": u8::from(on) })))
}

impl Handlers for Ezviz {
    async fn get_token(&self, req: api::GetTokenRequest, _ctx: SimRequest) -> SimResponse {
        token_get(self, &req)
    }

    async fn set_defence(&self, req: api::SetDefenceRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::SET_DEFENCE, &req.device_serial, &ctx, |dev, _| {
            let value = req.is_defence.value();
            let valid = match dev.kind {
                DeviceKind::Hub => matches!(value, 0 | 8 | 16),
                DeviceKind::Camera | DeviceKind::Doorbell => matches!(value, 0 | 1),
            };
            if !valid {
                return fail(EzvizCode::InvalidParameters);
            }
            dev.defence = value;
            Ok(success(None))
        })
    }

    async fn disable_encryption(&self, req: api::DisableEncryptionRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::DISABLE_ENCRYPTION, &req.device_serial, &ctx, |dev, _| {
            if filled(&req.validate_code)? != dev.validate_code {
                return fail(EzvizCode::WrongVerificationCode);
            }
            if !dev.encrypted {
                return fail(EzvizCode::EncryptionAlreadyDisabled);
            }
            dev.encrypted = false;
            Ok(success(None))
        })
    }

    async fn enable_encryption(&self, req: api::EnableEncryptionRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::ENABLE_ENCRYPTION, &req.device_serial, &ctx, |dev, _| {
            if dev.encrypted {
                return fail(EzvizCode::EncryptionAlreadyEnabled);
            }
            dev.encrypted = true;
            Ok(success(None))
        })
    }

    async fn get_sound_switch(&self, req: api::GetSoundSwitchRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::GET_SOUND_SWITCH, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::SoundPrompt)?;
            Ok(switch_status(dev, 1, dev.sound_prompt))
        })
    }

    async fn set_sound_switch(&self, req: api::SetSoundSwitchRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::SET_SOUND_SWITCH, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::SoundPrompt)?;
            channel(req.channel_no, dev, EzvizCode::ChannelNotFound)?;
            set_switch(&mut dev.sound_prompt, req.enable)
        })
    }

    async fn get_scene_switch(&self, req: api::GetSceneSwitchRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::GET_SCENE_SWITCH, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::LensMasking)?;
            Ok(switch_status(dev, 1, dev.lens_masking))
        })
    }

    async fn set_scene_switch(&self, req: api::SetSceneSwitchRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::SET_SCENE_SWITCH, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::LensMasking)?;
            channel(req.channel_no, dev, EzvizCode::ChannelNotFound)?;
            set_switch(&mut dev.lens_masking, req.enable)
        })
    }

    async fn get_ssl_switch(&self, req: api::GetSslSwitchRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::GET_SSL_SWITCH, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::SoundSourcePositioning)?;
            Ok(switch_status(dev, 1, dev.sound_source_positioning))
        })
    }

    async fn set_ssl_switch(&self, req: api::SetSslSwitchRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::SET_SSL_SWITCH, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::SoundSourcePositioning)?;
            channel(req.channel_no, dev, EzvizCode::ChannelNotFound)?;
            set_switch(&mut dev.sound_source_positioning, req.enable)
        })
    }

    async fn get_defence_plan(&self, req: api::GetDefencePlanRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::GET_DEFENCE_PLAN, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::DefencePlan)?;
            channel(req.channel_no, dev, EzvizCode::ChannelNotFound)?;
            let p = &dev.plan;
            Ok(success(Some(json!({
                "startTime": p.start_time,
                "stopTime": p.stop_time,
                "period": p.period,
                "enable": u8::from(p.enable),
            }))))
        })
    }

    async fn set_defence_plan(&self, req: api::SetDefencePlanRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::SET_DEFENCE_PLAN, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::DefencePlan)?;
            channel(req.channel_no, dev, EzvizCode::ChannelNotFound)?;
            // Omitted fields: the start time and `enable` take the seed's defaults (00:00, 1);
            // the stop time and the days stay as they were.
            let start = req.start_time.unwrap_or(ScheduleTime::MIDNIGHT).to_string();
            let stop = req.stop_time.map_or_else(|| dev.plan.stop_time.clone(), |t| t.to_string());
            let period = req.period.map_or_else(|| dev.plan.period.clone(), |d| d.to_string());
            dev.plan = SimPlan { start_time: start, stop_time: stop, period, enable: req.enable.unwrap_or(true) };
            Ok(success(None))
        })
    }

    async fn get_mic_status(&self, req: api::GetMicStatusRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::GET_MIC_STATUS, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::Microphone)?;
            // As in the seed's example: an array, one entry per channel, `enable` as a string.
            let list: Vec<Value> = (1..=dev.channels)
                .map(|c| json!({ "deviceSerial": dev.serial, "channelNo": c, "enable": if dev.microphone { "1" } else { "0" } }))
                .collect();
            Ok(success(Some(Value::Array(list))))
        })
    }

    async fn set_mic_status(&self, req: api::SetMicStatusRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::SET_MIC_STATUS, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::Microphone)?;
            dev.microphone = req.enable;
            Ok(success(None))
        })
    }

    async fn set_pir_area(&self, req: api::SetPirAreaRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::SET_PIR_AREA, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::Pir)?;
            channel(req.channel_no, dev, EzvizCode::InvalidParameters)?;
            let (rows, columns, _) = dev.pir;
            let limit = 1u64.checked_shl(columns).unwrap_or(u64::MAX);
            let masks = req.area.0;
            if masks.is_empty() || masks.len() > rows as usize || masks.iter().any(|m| u64::from(*m) >= limit) {
                return fail(EzvizCode::InvalidParameters);
            }
            let mut area = masks;
            area.resize(rows as usize, 0);
            dev.pir = (rows, columns, area);
            Ok(success(None))
        })
    }

    async fn get_pir_area(&self, req: api::GetPirAreaRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::GET_PIR_AREA, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::Pir)?;
            let c = channel(req.channel_no, dev, EzvizCode::InvalidParameters)?;
            let (rows, columns, area) = &dev.pir;
            Ok(success(Some(json!({
                "deviceSerial": dev.serial,
                "channelNo": c,
                "rows": rows,
                "columns": columns,
                "area": area,
            }))))
        })
    }

    async fn set_chime(&self, req: api::SetChimeRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::SET_CHIME, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::Chime)?;
            channel(req.channel_no, dev, EzvizCode::InvalidParameters)?;
            let kind = req.chime_type.value();
            if !(1..=3).contains(&kind) {
                return fail(EzvizCode::InvalidParameters);
            }
            dev.chime = (kind, req.duration);
            Ok(success(None))
        })
    }

    async fn get_chime(&self, req: api::GetChimeRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::GET_CHIME, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::Chime)?;
            let c = channel(req.channel_no, dev, EzvizCode::InvalidParameters)?;
            Ok(success(Some(
                json!({ "deviceSerial": dev.serial, "channelNo": c, "type": dev.chime.0, "duration": dev.chime.1 }),
            )))
        })
    }

    async fn set_infrared(&self, req: api::SetInfraredRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::SET_INFRARED, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::Infrared)?;
            channel(req.channel_no, dev, EzvizCode::ChannelNotFound)?;
            set_switch(&mut dev.infrared, req.enable)
        })
    }

    async fn get_infrared(&self, req: api::GetInfraredRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::GET_INFRARED, &req.device_serial, &ctx, |dev, _| {
            feature(dev, Feature::Infrared)?;
            let c = channel(req.channel_no, dev, EzvizCode::InvalidParameters)?;
            Ok(switch_status(dev, c, dev.infrared))
        })
    }

    async fn get_device_info(&self, req: api::GetDeviceInfoRequest, ctx: SimRequest) -> SimResponse {
        // `version` decodes only as `utc`; anything else was a 10001 already.
        on_device(self, &api::ops::GET_DEVICE_INFO, &req.device_serial, &ctx, |dev, zones| {
            let tz = zones.iter().find(|z| z.code == dev.tz_code).map_or("UTC", |z| z.value.as_str());
            Ok(success(Some(json!({
                "deviceSerial": dev.serial,
                "deviceName": dev.name,
                "model": dev.model,
                "status": u8::from(dev.online),
                "defence": dev.defence,
                "isEncrypt": u8::from(dev.encrypted),
                "alarmSoundMode": dev.alarm_sound_mode,
                "offlineNotify": u8::from(dev.offline_notify),
                "wifiSsid": dev.wifi_ssid,
                "timeZone": tz,
            }))))
        })
    }

    async fn list_timezones(&self, req: api::ListTimezonesRequest, _ctx: SimRequest) -> SimResponse {
        if matches!(req.language, Some(TimeZoneLanguage::Other(_))) {
            return failure(&EzvizCode::InvalidParameters);
        }
        let state = lock(&self.state);
        let list: Vec<Value> = state
            .zones
            .iter()
            .map(|z| json!({ "tzCode": z.code, "tzValue": z.value, "disPlayName": z.display }))
            .collect();
        success(Some(Value::Array(list)))
    }

    async fn set_timezone(&self, req: api::SetTimezoneRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::SET_TIMEZONE, &req.device_serial, &ctx, |dev, zones| {
            let code = filled(&req.timezone.0)?;
            if !zones.iter().any(|z| z.code == code) {
                return fail(EzvizCode::InvalidParameters);
            }
            let format = req.time_format.value();
            if !(0..=2).contains(&format) {
                return fail(EzvizCode::InvalidParameters);
            }
            dev.tz_code = code.to_owned();
            dev.time_format = format;
            if let Some(dst) = req.daylight_saving {
                dev.daylight_saving = dst;
            }
            Ok(success(None))
        })
    }

    async fn get_capabilities(&self, req: api::GetCapabilitiesRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::GET_CAPABILITIES, &req.device_serial, &ctx, |dev, _| {
            channel(req.channel_no, dev, EzvizCode::InvalidParameters)?;
            Ok(success(Some(Value::Object(dev.capabilities.clone()))))
        })
    }

    async fn get_language(&self, req: api::GetLanguageRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::GET_LANGUAGE, &req.device_serial, &ctx, |dev, _| {
            Ok(success(Some(json!({ "language": dev.language }))))
        })
    }

    async fn set_language(&self, req: api::SetLanguageRequest, ctx: SimRequest) -> SimResponse {
        on_device(self, &api::ops::SET_LANGUAGE, &req.device_serial, &ctx, |dev, _| {
            let language = filled(req.language.as_str())?;
            if !dev.languages().iter().any(|l| l == language) {
                return fail(EzvizCode::InvalidParameters);
            }
            dev.language = language.to_owned();
            Ok(success(None))
        })
    }

    /// EZVIZ's "bad parameter" answer: 10001, whatever the parameter.
    fn reject(&self, _op: &'static Operation, _rejection: SimRejection) -> SimResponse {
        failure(&EzvizCode::InvalidParameters)
    }
}

/// The default lifetime of a token: EZVIZ issues them for 7 days.
pub(crate) const TOKEN_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
