//! The simulator's state: accounts, the device registry seeded from the seed's examples, and the
//! time zone list.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::fixtures;

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
    /// The audio prompt of Wi-Fi configuration (1.4, 1.5).
    SoundPrompt,
    /// The video tampering / lens masking switch (1.6, 1.7).
    LensMasking,
    /// Sound source positioning (1.8, 1.9).
    SoundSourcePositioning,
    /// The arming schedule (1.10, 1.11).
    DefencePlan,
    /// The microphone switch (1.12, 1.13).
    Microphone,
    /// The PIR area (1.14, 1.15).
    Pir,
    /// The chime (1.16, 1.17).
    Chime,
    /// The infrared light (1.18, 1.19).
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
    /// Functions it has; the others answer 60020.
    pub features: BTreeSet<Feature>,
    /// Channels; `channelNo` must be one of them.
    pub channels: u32,
    /// Arming state (`isDefence` / `defence`).
    pub defence: u32,
    /// Video encryption.
    pub encrypted: bool,
    /// The verification code printed on the device (for disabling encryption).
    pub validate_code: String,
    /// Audio prompt switch.
    pub sound_prompt: bool,
    /// Lens masking switch.
    pub lens_masking: bool,
    /// Sound source positioning switch.
    pub sound_source_positioning: bool,
    /// Microphone switch.
    pub microphone: bool,
    /// Infrared light switch.
    pub infrared: bool,
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
        self.features.contains(&feature)
    }

    /// The languages of the `support_language` capability.
    pub fn languages(&self) -> Vec<String> {
        self.capabilities
            .get("support_language")
            .and_then(Value::as_str)
            .map(|s| s.split(',').map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect())
            .unwrap_or_default()
    }
}

/// One entry of the time zone list: code, value, display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Zone {
    pub(crate) code: String,
    pub(crate) value: String,
    pub(crate) display: String,
}

/// The time zone list of the seed (1.21), all 105 entries.
pub(crate) fn zones() -> Vec<Zone> {
    let doc: Value = serde_json::from_str(include_str!("../../fixtures/seed/1.21.json")).unwrap_or(Value::Null);
    doc.get("data")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|z| Zone { code: text(z, "tzCode"), value: text(z, "tzValue"), display: text(z, "disPlayName") })
                .collect()
        })
        .unwrap_or_default()
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// The A1 hub's capability map: the example of 1.23, verbatim.
fn hub_capabilities() -> Map<String, Value> {
    let doc: Value = serde_json::from_str(include_str!("../../fixtures/seed/1.23.json")).unwrap_or(Value::Null);
    match doc.get("data") {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    }
}

/// A camera's capability map: the keys of the seed's example where they apply, plus one
/// `support_*` key per feature (names of the simulator's own where the seed has none).
fn camera_capabilities(features: &BTreeSet<Feature>) -> Map<String, Value> {
    let flag = |f: Feature| Value::from(if features.contains(&f) { "1" } else { "0" });
    let mut m = Map::new();
    m.insert("support_channel_number".into(), json!(1));
    m.insert("support_cloud".into(), json!("1"));
    m.insert("support_defence".into(), json!("1"));
    m.insert("support_defenceplan".into(), flag(Feature::DefencePlan));
    m.insert("support_encrypt".into(), json!("1"));
    m.insert("support_language".into(), json!("ENGLISH,GERMAN,FRENCH,SPANISH"));
    m.insert("support_privacy".into(), flag(Feature::LensMasking));
    m.insert("support_ptz".into(), json!("0"));
    m.insert("support_talk".into(), flag(Feature::Microphone));
    m.insert("support_timezone".into(), json!("1"));
    m.insert("support_wifi".into(), json!("3"));
    if features.contains(&Feature::SoundSourcePositioning) {
        m.insert("support_ssl".into(), json!("1"));
    }
    if features.contains(&Feature::Pir) {
        m.insert("support_pir_setting".into(), json!("1"));
    }
    if features.contains(&Feature::Chime) {
        m.insert("support_chime".into(), json!("1"));
    }
    if features.contains(&Feature::Infrared) {
        m.insert("support_infrared".into(), json!("1"));
    }
    m.insert("video_quality_capacity".into(), json!([]));
    m
}

fn camera(serial: &str, name: &str, model: &str, kind: DeviceKind, features: &[Feature]) -> SimDevice {
    let features: BTreeSet<Feature> = features.iter().copied().collect();
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
        sound_prompt: false,
        lens_masking: false,
        sound_source_positioning: false,
        microphone: false,
        infrared: false,
        plan: SimPlan {
            start_time: "00:00".to_owned(),
            stop_time: "n00:00".to_owned(),
            period: "0,1,2,3,4,5,6".to_owned(),
            enable: false,
        },
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
pub(crate) fn seed_devices() -> BTreeMap<String, SimDevice> {
    use Feature::*;
    let mut devices = Vec::new();

    // 1.20, 1.23, 1.24: the A1S hub of the examples.
    let mut hub =
        camera(fixtures::HUB, "A1S(Q00737272)", "CS-A1S-32WE2G", DeviceKind::Hub, &[SoundPrompt, DefencePlan]);
    hub.capabilities = hub_capabilities();
    hub.defence = 8;
    hub.alarm_sound_mode = 1;
    hub.offline_notify = false;
    hub.wifi_ssid = String::new();
    devices.push(hub);

    // 1.1, 1.2, 1.3, 1.10: the camera of the arming, encryption and schedule examples.
    let mut cam = camera(
        fixtures::CAMERA,
        "C6N(427734888)",
        "CS-C6N-A0-1C2WFR",
        DeviceKind::Camera,
        &[SoundPrompt, LensMasking, DefencePlan, Microphone, Infrared],
    );
    cam.encrypted = true;
    cam.plan = SimPlan {
        start_time: "23:20".to_owned(),
        stop_time: "23:21".to_owned(),
        period: "0,1,6".to_owned(),
        enable: false,
    };
    devices.push(cam);

    // 1.4: the camera of the audio prompt status example.
    let mut cam2 = camera(
        fixtures::CAMERA_2,
        "C3W(502608888)",
        "CS-C3W-A0-3H4WFRL",
        DeviceKind::Camera,
        &[SoundPrompt, LensMasking, DefencePlan, Microphone, Infrared],
    );
    cam2.sound_prompt = true;
    devices.push(cam2);

    // 1.6, 1.8, 1.12: the camera with lens masking, sound source positioning and a microphone on.
    let mut ssl = camera(
        fixtures::SSL_CAMERA,
        "C8C(596510666)",
        "CS-C8C-A0-32H2L",
        DeviceKind::Camera,
        &[SoundPrompt, LensMasking, SoundSourcePositioning, DefencePlan, Microphone, Infrared],
    );
    ssl.lens_masking = true;
    ssl.sound_source_positioning = true;
    ssl.microphone = true;
    devices.push(ssl);

    // 1.5, 1.19 (request): a camera with an infrared light.
    let cam3 = camera(
        fixtures::CAMERA_3,
        "C1C(596510888)",
        "CS-C1C-D0-1D2WFR",
        DeviceKind::Camera,
        &[SoundPrompt, LensMasking, DefencePlan, Microphone, Infrared],
    );
    devices.push(cam3);

    // 1.15, 1.16, 1.17, 1.18, 1.19: the doorbell with a chime and a PIR sensor.
    let mut bell = camera(
        fixtures::DOORBELL,
        "DB1(C24899350)",
        "CS-DB1C-A0-1E2W2FR",
        DeviceKind::Doorbell,
        &[SoundPrompt, DefencePlan, Microphone, Pir, Chime, Infrared],
    );
    bell.pir = (3, 4, vec![1, 9, 13]);
    bell.chime = (3, 1000);
    devices.push(bell);

    // Not in the seed: a device of another account, for 20018.
    let mut foreign =
        camera(fixtures::FOREIGN_DEVICE, "Neighbour", "CS-C6N-A0-1C2WFR", DeviceKind::Camera, &[SoundPrompt]);
    foreign.owner = "another-account".to_owned();
    devices.push(foreign);

    devices.into_iter().map(|d| (d.serial.clone(), d)).collect()
}
