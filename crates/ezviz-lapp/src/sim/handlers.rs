//! The simulated operations: validation with the seed's codes, then state read or written.
//!
//! Validation order, as a platform would do it: parameters present and well-formed (10001),
//! serial format (20014), device known (20002), owned by the token's account (20018), device
//! online where the seed lists 20007, feature supported (60020), channel (20032 where the seed
//! lists it, else 10001), then the operation's own checks (20010, 60016, 60019, 60022).

use std::time::Duration;

use serde_json::{json, Map, Value};
use watchpost_core::sim::{SimRequest, SimResponse, TokenStore};

use super::state::{DeviceKind, Feature, SimDevice, SimPlan, Zone};
use super::{fixtures, State};
use crate::error::EzvizCode;
use crate::models::{PirMasks, ScheduleTime, Weekdays};

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

/// The form fields of a request: the first value of each name; an empty value is a 10001.
pub(crate) struct Form(Vec<(String, String)>);

impl Form {
    pub(crate) fn new(req: &SimRequest) -> Self {
        Form(req.form())
    }

    fn get(&self, name: &str) -> Answer<Option<&str>> {
        match self.0.iter().find(|(k, _)| k == name) {
            None => Ok(None),
            Some((_, v)) if v.trim().is_empty() => fail(EzvizCode::InvalidParameters),
            Some((_, v)) => Ok(Some(v.as_str())),
        }
    }

    fn required(&self, name: &str) -> Answer<&str> {
        self.get(name)?.map_or_else(|| fail(EzvizCode::InvalidParameters), Ok)
    }

    fn parse<T: std::str::FromStr>(&self, name: &str) -> Answer<Option<T>> {
        match self.get(name)? {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).or_else(|_| fail(EzvizCode::InvalidParameters)),
        }
    }

    fn flag(&self, name: &str) -> Answer<Option<bool>> {
        match self.get(name)? {
            None => Ok(None),
            Some("0") => Ok(Some(false)),
            Some("1") => Ok(Some(true)),
            Some(_) => fail(EzvizCode::InvalidParameters),
        }
    }

    fn required_flag(&self, name: &str) -> Answer<bool> {
        self.flag(name)?.map_or_else(|| fail(EzvizCode::InvalidParameters), Ok)
    }
}

/// Checks the token endpoint's form and issues a token for the app's account.
pub(crate) fn token_get(state: &State, tokens: &TokenStore<String>, area_domain: &str, form: &Form) -> SimResponse {
    let run = || -> Answer<SimResponse> {
        let key = form.required("appKey")?;
        let secret = form.required("appSecret")?;
        if key != fixtures::APP_KEY {
            return fail(EzvizCode::AppKeyNotFound);
        }
        if secret != fixtures::APP_SECRET {
            return fail(EzvizCode::AppSecretMismatch);
        }
        if state.app_frozen {
            return fail(EzvizCode::AppKeyFrozen);
        }
        let issued = tokens.issue_with(fixtures::ACCOUNT.to_owned(), state.token_ttl);
        Ok(success(Some(json!({
            "accessToken": issued.token,
            "expireTime": issued.expires_at_millis(),
            "areaDomain": area_domain,
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

/// Runs one operation against the state.
pub(crate) fn operation(state: &mut State, op: &str, form: &Form, account: Option<&str>) -> SimResponse {
    run(state, op, form, account).unwrap_or_else(|code| failure(&code))
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
fn device<'s>(state: &'s mut State, op: &str, form: &Form, account: Option<&str>) -> Answer<&'s mut SimDevice> {
    let serial = form.required("deviceSerial")?;
    if serial.len() > 32 || !serial.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return fail(EzvizCode::IllegalSerial);
    }
    let Some(dev) = state.devices.get_mut(serial) else {
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
fn channel(form: &Form, dev: &SimDevice, unknown: EzvizCode) -> Answer<u32> {
    match form.parse::<u32>("channelNo")? {
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

fn run(state: &mut State, op: &str, form: &Form, account: Option<&str>) -> Answer<SimResponse> {
    use EzvizCode::{ChannelNotFound, InvalidParameters};
    if op == "timezone.list" {
        let language = form.get("language")?.unwrap_or("ENGLISH");
        if !matches!(language, "ENGLISH" | "SIMPCN") {
            return fail(InvalidParameters);
        }
        let list: Vec<Value> = state
            .zones
            .iter()
            .map(|z| json!({ "tzCode": z.code, "tzValue": z.value, "disPlayName": z.display }))
            .collect();
        return Ok(success(Some(Value::Array(list))));
    }
    let zones: Vec<Zone> =
        if op == "device.timezone.set" || op == "device.info" { state.zones.clone() } else { Vec::new() };
    let dev = device(state, op, form, account)?;
    Ok(match op {
        "device.defence.set" => {
            let value: u32 = form.parse("isDefence")?.map_or_else(|| fail(InvalidParameters), Ok)?;
            let valid = match dev.kind {
                DeviceKind::Hub => matches!(value, 0 | 8 | 16),
                DeviceKind::Camera | DeviceKind::Doorbell => matches!(value, 0 | 1),
            };
            if !valid {
                return fail(InvalidParameters);
            }
            dev.defence = value;
            success(None)
        }
        "device.encrypt.off" => {
            let code = form.required("validateCode")?;
            if code != dev.validate_code {
                return fail(EzvizCode::WrongVerificationCode);
            }
            if !dev.encrypted {
                return fail(EzvizCode::EncryptionAlreadyDisabled);
            }
            dev.encrypted = false;
            success(None)
        }
        "device.encrypt.on" => {
            if dev.encrypted {
                return fail(EzvizCode::EncryptionAlreadyEnabled);
            }
            dev.encrypted = true;
            success(None)
        }
        "device.sound_switch.status" => {
            feature(dev, Feature::SoundPrompt)?;
            switch_status(dev, 1, dev.sound_prompt)
        }
        "device.sound_switch.set" => {
            feature(dev, Feature::SoundPrompt)?;
            let on = form.required_flag("enable")?;
            channel(form, dev, ChannelNotFound)?;
            set_switch(&mut dev.sound_prompt, on)?
        }
        "device.scene_switch.status" => {
            feature(dev, Feature::LensMasking)?;
            switch_status(dev, 1, dev.lens_masking)
        }
        "device.scene_switch.set" => {
            feature(dev, Feature::LensMasking)?;
            let on = form.required_flag("enable")?;
            channel(form, dev, ChannelNotFound)?;
            set_switch(&mut dev.lens_masking, on)?
        }
        "device.ssl_switch.status" => {
            feature(dev, Feature::SoundSourcePositioning)?;
            switch_status(dev, 1, dev.sound_source_positioning)
        }
        "device.ssl_switch.set" => {
            feature(dev, Feature::SoundSourcePositioning)?;
            let on = form.required_flag("enable")?;
            channel(form, dev, ChannelNotFound)?;
            set_switch(&mut dev.sound_source_positioning, on)?
        }
        "device.defence_plan.get" => {
            feature(dev, Feature::DefencePlan)?;
            channel(form, dev, ChannelNotFound)?;
            let p = &dev.plan;
            success(Some(json!({
                "startTime": p.start_time,
                "stopTime": p.stop_time,
                "period": p.period,
                "enable": u8::from(p.enable),
            })))
        }
        "device.defence_plan.set" => {
            feature(dev, Feature::DefencePlan)?;
            channel(form, dev, ChannelNotFound)?;
            // Omitted fields: the start time and `enable` take the seed's defaults (00:00, 1);
            // the stop time and the days stay as they were.
            let start = form.parse::<ScheduleTime>("startTime")?.unwrap_or(ScheduleTime::MIDNIGHT);
            let stop = match form.parse::<ScheduleTime>("stopTime")? {
                Some(t) => t.to_string(),
                None => dev.plan.stop_time.clone(),
            };
            let period = match form.parse::<Weekdays>("period")? {
                Some(days) => days.to_string(),
                None => dev.plan.period.clone(),
            };
            let enable = form.flag("enable")?.unwrap_or(true);
            dev.plan = SimPlan { start_time: start.to_string(), stop_time: stop, period, enable };
            success(None)
        }
        "camera.video_sound.status" => {
            feature(dev, Feature::Microphone)?;
            // As in the seed's example: an array, one entry per channel, `enable` as a string.
            let list: Vec<Value> = (1..=dev.channels)
                .map(|c| json!({ "deviceSerial": dev.serial, "channelNo": c, "enable": if dev.microphone { "1" } else { "0" } }))
                .collect();
            success(Some(Value::Array(list)))
        }
        "camera.video_sound.set" => {
            feature(dev, Feature::Microphone)?;
            dev.microphone = form.required_flag("enable")?;
            success(None)
        }
        "device.pir.set" => {
            feature(dev, Feature::Pir)?;
            channel(form, dev, InvalidParameters)?;
            let masks = form.parse::<PirMasks>("area")?.map_or_else(|| fail(InvalidParameters), Ok)?;
            let (rows, columns, _) = dev.pir;
            let limit = 1u64.checked_shl(columns).unwrap_or(u64::MAX);
            if masks.0.is_empty() || masks.0.len() > rows as usize || masks.0.iter().any(|m| u64::from(*m) >= limit) {
                return fail(InvalidParameters);
            }
            let mut area = masks.0;
            area.resize(rows as usize, 0);
            dev.pir = (rows, columns, area);
            success(None)
        }
        "device.pir.get" => {
            feature(dev, Feature::Pir)?;
            let c = channel(form, dev, InvalidParameters)?;
            let (rows, columns, area) = &dev.pir;
            success(Some(json!({
                "deviceSerial": dev.serial,
                "channelNo": c,
                "rows": rows,
                "columns": columns,
                "area": area,
            })))
        }
        "device.chime.set" => {
            feature(dev, Feature::Chime)?;
            channel(form, dev, InvalidParameters)?;
            let kind: i64 = form.parse("type")?.map_or_else(|| fail(InvalidParameters), Ok)?;
            let duration: u32 = form.parse("duration")?.map_or_else(|| fail(InvalidParameters), Ok)?;
            if !(1..=3).contains(&kind) {
                return fail(InvalidParameters);
            }
            dev.chime = (kind, duration);
            success(None)
        }
        "device.chime.get" => {
            feature(dev, Feature::Chime)?;
            let c = channel(form, dev, InvalidParameters)?;
            success(Some(
                json!({ "deviceSerial": dev.serial, "channelNo": c, "type": dev.chime.0, "duration": dev.chime.1 }),
            ))
        }
        "device.infrared.set" => {
            feature(dev, Feature::Infrared)?;
            let on = form.required_flag("enable")?;
            channel(form, dev, ChannelNotFound)?;
            set_switch(&mut dev.infrared, on)?
        }
        "device.infrared.get" => {
            feature(dev, Feature::Infrared)?;
            let c = channel(form, dev, InvalidParameters)?;
            switch_status(dev, c, dev.infrared)
        }
        "device.info" => {
            if form.required("version")? != "utc" {
                return fail(InvalidParameters);
            }
            let tz = zones.iter().find(|z| z.code == dev.tz_code).map_or("UTC", |z| z.value.as_str());
            success(Some(json!({
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
            })))
        }
        "device.timezone.set" => {
            let code = form.required("timezone")?;
            if !zones.iter().any(|z| z.code == code) {
                return fail(InvalidParameters);
            }
            let format: i64 = form.parse("timeFormat")?.map_or_else(|| fail(InvalidParameters), Ok)?;
            if !(0..=2).contains(&format) {
                return fail(InvalidParameters);
            }
            let dst = form.flag("daylightSaving")?;
            dev.tz_code = code.to_owned();
            dev.time_format = format;
            if let Some(dst) = dst {
                dev.daylight_saving = dst;
            }
            success(None)
        }
        "device.capacity" => {
            channel(form, dev, InvalidParameters)?;
            success(Some(Value::Object(dev.capabilities.clone())))
        }
        "device.language.get" => success(Some(json!({ "language": dev.language }))),
        "device.language.set" => {
            let language = form.required("language")?;
            if !dev.languages().iter().any(|l| l == language) {
                return fail(InvalidParameters);
            }
            dev.language = language.to_owned();
            success(None)
        }
        _ => return fail(EzvizCode::DataException),
    })
}

/// The default lifetime of a token: EZVIZ issues them for 7 days.
pub(crate) const TOKEN_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
