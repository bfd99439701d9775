//! The simulator's state: the devices of the seed's examples (`devices.json`), and the time zone
//! list.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::fixtures;
use crate::error::EzvizCode;
use crate::models::{Capabilities, DefencePlan};

/// A function a device may lack (the simulator answers 60020 for it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
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

/// A simulated device: everything the operations read and write.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimDevice {
    /// Serial number.
    pub serial: String,
    /// Display name.
    pub name: String,
    /// Model.
    pub model: String,
    /// The `isDefence` values it accepts: 0 Sleep, 8 Home, 16 Away for an A1 hub; 0 disarmed,
    /// 1 armed for the others.
    pub defence_values: Vec<u32>,
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
    /// The arming schedule (as 1.10 answers it).
    pub plan: DefencePlan,
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
    pub capabilities: Capabilities,
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

    /// Checks that the device has `feature` if named (60020), then `channelNo` when given
    /// (default 1; `unknown` is the code for a channel it lacks); returns the channel.
    pub(crate) fn channel(
        &self,
        feature: Option<Feature>,
        no: Option<u32>,
        unknown: EzvizCode,
    ) -> Result<u32, EzvizCode> {
        (feature.is_none_or(|f| self.has(f))).then_some(()).ok_or(EzvizCode::NotSupported)?;
        let c = no.unwrap_or(1);
        (1..=self.channels).contains(&c).then_some(c).ok_or(unknown)
    }
}

/// What the handlers share.
pub struct State {
    pub(crate) devices: BTreeMap<String, SimDevice>,
    /// The time zone list of the seed (1.21), all 105 entries, as answered.
    pub(crate) zones: Vec<Value>,
    pub(crate) app_frozen: bool,
}

impl State {
    /// The seed's devices and time zones.
    pub(crate) fn seeded() -> Self {
        let zones = data(include_str!("../../fixtures/seed/1.21.json")).as_array().cloned().unwrap_or_default();
        State { devices: seed_devices(), zones, app_frozen: false }
    }
}

/// The `data` of a seed example.
fn data(example: &str) -> Value {
    let doc: Value = serde_json::from_str(example).unwrap_or(Value::Null);
    doc.get("data").cloned().unwrap_or(Value::Null)
}

/// The devices of `devices.json` (see [`fixtures`] for their roles), each entry written over
/// the file's `defaults`; the hub answers the seed's capability map (1.23).
fn seed_devices() -> BTreeMap<String, SimDevice> {
    let file: Value = serde_json::from_str(include_str!("devices.json")).unwrap_or(Value::Null);
    let entries = file["devices"].as_array().into_iter().flatten();
    let devices = entries.filter_map(|entry| {
        let mut device = file["defaults"].clone();
        merge(&mut device, entry);
        serde_json::from_value::<SimDevice>(device).ok()
    });
    let mut devices: BTreeMap<String, SimDevice> = devices.map(|d| (d.serial.clone(), d)).collect();
    if let Some(hub) = devices.get_mut(fixtures::HUB) {
        let capabilities = data(include_str!("../../fixtures/seed/1.23.json"));
        hub.capabilities = serde_json::from_value(capabilities).unwrap_or_default();
    }
    devices
}

/// Writes `over` onto `base`, the members of objects one by one.
fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            over.iter().for_each(|(key, value)| merge(base.entry(key).or_insert(Value::Null), value));
        }
        (base, over) => over.clone_into(base),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_device_of_the_data_file_loads() {
        let file: serde_json::Value = serde_json::from_str(include_str!("devices.json")).unwrap();
        let devices = super::seed_devices();
        assert_eq!(devices.len(), file["devices"].as_array().unwrap().len());
    }

    #[test]
    fn the_capability_maps_of_the_data_file_match_the_features() {
        use super::Feature::*;
        let keys = [
            ("privacy", LensMasking),
            ("talk", Microphone),
            ("defenceplan", DefencePlan),
            ("ssl", SoundSourcePositioning),
            ("pir_setting", Pir),
            ("chime", Chime),
            ("infrared", Infrared),
        ];
        for (key, feature) in keys {
            for d in super::seed_devices().values() {
                assert_eq!(d.capabilities.supports(&format!("support_{key}")), d.has(feature), "{} {key}", d.serial);
            }
        }
    }
}
