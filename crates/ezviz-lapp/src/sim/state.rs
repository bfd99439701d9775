//! The simulator's state: the devices seeded from the seed's examples, and the time zone list.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::fixtures;
use crate::error::EzvizCode;

/// What kind of device a simulated device is (it decides the valid `isDefence` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    /// An A1 alarm hub: defence 0 Sleep, 8 Home, 16 Away.
    Hub,
    /// A camera: defence 0 disarmed, 1 armed.
    Camera,
    /// A video doorbell with a chime and a PIR sensor: defence 0/1.
    Doorbell,
}

/// A function a device may lack (the simulator answers 60020 for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Feature {
    /// The audio prompt of Wi-Fi configuration (1.4, 1.5): a switch.
    SoundPrompt,
    /// The video tampering / lens masking switch (1.6, 1.7).
    LensMasking,
    /// The sound source positioning switch (1.8, 1.9).
    SoundSourcePositioning,
    /// The arming schedule (1.10, 1.11).
    DefencePlan,
    /// The microphone switch (1.12, 1.13).
    Microphone,
    /// The PIR area (1.14, 1.15).
    Pir,
    /// The chime (1.16, 1.17).
    Chime,
    /// The infrared light switch (1.18, 1.19).
    Infrared,
}

/// An arming schedule as stored (texts already validated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimPlan {
    /// `HH:MM`.
    pub start_time: String,
    /// `HH:MM` or `nHH:MM`.
    pub stop_time: String,
    /// `0,1,6`.
    pub period: String,
    /// Whether the schedule is on.
    pub enable: bool,
}

/// A simulated device: everything the operations read and write.
#[derive(Debug, Clone, PartialEq)]
pub struct SimDevice {
    /// Serial number.
    pub serial: String,
    /// Display name.
    pub name: String,
    /// Model.
    pub model: String,
    /// Kind.
    pub kind: DeviceKind,
    /// The account that owns it (another account gets 20018).
    pub owner: String,
    /// Whether it is online (offline devices answer 20007 where the seed lists it).
    pub online: bool,
    /// The functions it has (the others answer 60020), with the state of the switch ones.
    pub features: BTreeMap<Feature, bool>,
    /// Channels; `channelNo` must be one of them.
    pub channels: u32,
    /// Arming state (`isDefence` / `defence`).
    pub defence: u32,
    /// Video encryption.
    pub encrypted: bool,
    /// The verification code printed on the device (for disabling encryption).
    pub validate_code: String,
    /// The arming schedule.
    pub plan: SimPlan,
    /// PIR grid: rows, columns and row masks.
    pub pir: (u32, u32, Vec<u32>),
    /// Chime type and duration.
    pub chime: (i64, u32),
    /// Time zone code (`tzCode`).
    pub tz_code: String,
    /// Date format (0 to 2).
    pub time_format: i64,
    /// Daylight saving time.
    pub daylight_saving: bool,
    /// Language.
    pub language: String,
    /// Alarm sound mode (0 to 2).
    pub alarm_sound_mode: i64,
    /// Offline notification.
    pub offline_notify: bool,
    /// Wi-Fi SSID (`""` when wired).
    pub wifi_ssid: String,
    /// The capability map answered by 1.23.
    pub capabilities: Map<String, Value>,
}

impl SimDevice {
    /// Whether the device has `feature`.
    pub fn has(&self, feature: Feature) -> bool {
        self.features.contains_key(&feature)
    }

    /// Whether the switch of `feature` is on (`false` when the device lacks it).
    pub fn is_on(&self, feature: Feature) -> bool {
        self.features.get(&feature).copied().unwrap_or(false)
    }

    /// The switch of `feature`, or 60020 when the device lacks it.
    pub(crate) fn switch(&mut self, feature: Feature) -> Result<&mut bool, EzvizCode> {
        self.features.get_mut(&feature).ok_or(EzvizCode::NotSupported)
    }

    /// Checks `channelNo` when given (default 1); `unknown` is the code for a channel it lacks.
    pub(crate) fn channel(&self, channel_no: Option<u32>, unknown: EzvizCode) -> Result<u32, EzvizCode> {
        let c = channel_no.unwrap_or(1);
        (1..=self.channels).contains(&c).then_some(c).ok_or(unknown)
    }

    /// The languages of the `support_language` capability.
    pub fn languages(&self) -> Vec<String> {
        let list = self.capabilities.get("support_language").and_then(Value::as_str).unwrap_or_default();
        list.split(',').map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect()
    }
}

/// What the handlers share.
pub(crate) struct State {
    pub(crate) devices: BTreeMap<String, SimDevice>,
    /// The time zone list of the seed (1.21), all 105 entries, as answered.
    pub(crate) zones: Vec<Value>,
    pub(crate) app_frozen: bool,
    pub(crate) token_ttl: Duration,
}

impl State {
    /// The seed's devices and time zones; tokens live 7 days, as EZVIZ issues them.
    pub(crate) fn seeded() -> Self {
        let zones = data(include_str!("../../fixtures/seed/1.21.json")).as_array().cloned().unwrap_or_default();
        let token_ttl = Duration::from_secs(7 * 24 * 3600);
        State { devices: seed_devices(), zones, app_frozen: false, token_ttl }
    }
}

/// The `data` of a seed example.
fn data(example: &str) -> Value {
    let doc: Value = serde_json::from_str(example).unwrap_or(Value::Null);
    doc.get("data").cloned().unwrap_or(Value::Null)
}

/// A camera's capability map: the keys of the seed's example where they apply, plus one
/// `support_*` key per feature (names of the simulator's own where the seed has none).
fn camera_capabilities(features: &BTreeMap<Feature, bool>) -> Map<String, Value> {
    use Feature::*;
    let flag = |f: Feature| if features.contains_key(&f) { "1" } else { "0" };
    let mut m = Map::new();
    for (key, on) in [("cloud", "1"), ("defence", "1"), ("defenceplan", flag(DefencePlan)), ("encrypt", "1")] {
        m.insert(format!("support_{key}"), json!(on));
    }
    for (key, on) in [("privacy", flag(LensMasking)), ("ptz", "0"), ("talk", flag(Microphone)), ("timezone", "1")] {
        m.insert(format!("support_{key}"), json!(on));
    }
    for (key, f) in [("ssl", SoundSourcePositioning), ("pir_setting", Pir), ("chime", Chime), ("infrared", Infrared)] {
        if features.contains_key(&f) {
            m.insert(format!("support_{key}"), json!("1"));
        }
    }
    m.insert("support_channel_number".into(), json!(1));
    m.insert("support_language".into(), json!("ENGLISH,GERMAN,FRENCH,SPANISH"));
    m.insert("support_wifi".into(), json!("3"));
    m.insert("video_quality_capacity".into(), json!([]));
    m
}

/// A device of the simulator's account with the defaults of a camera, every switch off.
fn camera(serial: &str, name: &str, model: &str, kind: DeviceKind, features: &[Feature]) -> SimDevice {
    let features: BTreeMap<Feature, bool> = features.iter().map(|f| (*f, false)).collect();
    let plan = ("00:00", "n00:00", "0,1,2,3,4,5,6", false);
    SimDevice {
        serial: serial.to_owned(),
        name: name.to_owned(),
        model: model.to_owned(),
        kind,
        owner: fixtures::ACCOUNT.to_owned(),
        online: true,
        capabilities: camera_capabilities(&features),
        features,
        channels: 1,
        defence: 0,
        encrypted: false,
        validate_code: fixtures::VALIDATE_CODE.to_owned(),
        plan: SimPlan { start_time: plan.0.into(), stop_time: plan.1.into(), period: plan.2.into(), enable: plan.3 },
        pir: (3, 4, vec![0, 0, 0]),
        chime: (1, 10000),
        tz_code: "2".to_owned(),
        time_format: 0,
        daylight_saving: false,
        language: "ENGLISH".to_owned(),
        alarm_sound_mode: 0,
        offline_notify: true,
        wifi_ssid: "watchpost-lab".to_owned(),
    }
}

/// The devices of the seed's examples (see [`fixtures`] for their roles), plus one device of
/// another account.
fn seed_devices() -> BTreeMap<String, SimDevice> {
    use DeviceKind::*;
    use Feature::*;
    let cam = [SoundPrompt, LensMasking, DefencePlan, Microphone, Infrared];
    let ssl = [SoundSourcePositioning, SoundPrompt, LensMasking, DefencePlan, Microphone, Infrared];
    let bell = [SoundPrompt, DefencePlan, Microphone, Pir, Chime, Infrared];
    let devices = [
        (fixtures::HUB, "A1S", "CS-A1S-32WE2G", Hub, &[SoundPrompt, DefencePlan][..]),
        (fixtures::CAMERA, "C6N", "CS-C6N-A0-1C2WFR", Camera, &cam),
        (fixtures::CAMERA_2, "C3W", "CS-C3W-A0-3H4WFRL", Camera, &cam),
        (fixtures::SSL_CAMERA, "C8C", "CS-C8C-A0-32H2L", Camera, &ssl),
        (fixtures::CAMERA_3, "C1C", "CS-C1C-D0-1D2WFR", Camera, &cam),
        (fixtures::DOORBELL, "DB1", "CS-DB1C-A0-1E2W2FR", Doorbell, &bell),
        (fixtures::FOREIGN_DEVICE, "Neighbour", "CS-C6N-A0-1C2WFR", Camera, &[SoundPrompt]),
    ];
    let mut devices: BTreeMap<String, SimDevice> = devices
        .into_iter()
        .map(|(serial, name, model, kind, features)| {
            let name = if serial == fixtures::FOREIGN_DEVICE { name.to_owned() } else { format!("{name}({serial})") };
            (serial.to_owned(), camera(serial, &name, model, kind, features))
        })
        .collect();
    let mut set = |serial: &str, f: &dyn Fn(&mut SimDevice)| devices.get_mut(serial).map(f);
    // 1.20, 1.23, 1.24: the A1S hub of the examples, with the seed's capability map.
    set(fixtures::HUB, &|d| {
        d.capabilities = data(include_str!("../../fixtures/seed/1.23.json")).as_object().cloned().unwrap_or_default();
        (d.defence, d.alarm_sound_mode, d.offline_notify, d.wifi_ssid) = (8, 1, false, String::new());
    });
    // 1.1, 1.2, 1.3, 1.10: encrypted, with the schedule of the example.
    set(fixtures::CAMERA, &|d| {
        d.encrypted = true;
        (d.plan.start_time, d.plan.stop_time, d.plan.period) = ("23:20".into(), "23:21".into(), "0,1,6".into());
    });
    // 1.4: the audio prompt on; 1.6, 1.8, 1.12: lens masking, sound source positioning, microphone on.
    set(fixtures::CAMERA_2, &|d| d.features.extend([(SoundPrompt, true)]));
    set(fixtures::SSL_CAMERA, &|d| {
        d.features.extend([(LensMasking, true), (SoundSourcePositioning, true), (Microphone, true)])
    });
    // 1.15 to 1.17: the doorbell's PIR grid and chime.
    set(fixtures::DOORBELL, &|d| (d.pir, d.chime) = ((3, 4, vec![1, 9, 13]), (3, 1000)));
    // Not in the seed: a device of another account, for 20018.
    set(fixtures::FOREIGN_DEVICE, &|d| d.owner = "another-account".to_owned());
    devices
}
