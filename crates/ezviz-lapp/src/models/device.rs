//! Device information (1.20).

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;
use watchpost_core::codec::param::ToParam;

use super::defence::DefenceValue;

watchpost_core::open_int_enum! {
    /// Whether a device is online (`status` of 1.20).
    DeviceStatus {
        /// 0: offline.
        Offline = 0,
        /// 1: online.
        Online = 1,
    }
}

watchpost_core::open_int_enum! {
    /// How a device sounds an alarm (`alarmSoundMode` of 1.20).
    AlarmSoundMode {
        /// 0: a short call.
        ShortCall = 0,
        /// 1: a long call.
        LongCall = 1,
        /// 2: mute.
        Mute = 2,
    }
}

/// The interface version of 1.20; `utc` is the only documented value and the one that returns the
/// device's time zone and Wi-Fi SSID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InfoVersion {
    /// `utc`.
    #[default]
    Utc,
}

impl ToParam for InfoVersion {
    fn to_param(&self) -> String {
        "utc".to_owned()
    }
}

/// The basic information of a device (1.20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceInfo {
    /// Device serial number.
    #[serde(default, with = "lenient::opt_string")]
    pub device_serial: Option<String>,
    /// Device name.
    #[serde(default)]
    pub device_name: Option<String>,
    /// Device model, such as `CS-C2S-21WPFR-WX`.
    #[serde(default)]
    pub model: Option<String>,
    /// Online status.
    #[serde(default)]
    pub status: Option<DeviceStatus>,
    /// Arming state, raw: its meaning depends on the device type (see [`DefenceValue`]).
    #[serde(default)]
    pub defence: Option<DefenceValue>,
    /// Whether video encryption is on.
    #[serde(default, with = "lenient::opt_bool01")]
    pub is_encrypt: Option<bool>,
    /// How the device sounds an alarm.
    #[serde(default)]
    pub alarm_sound_mode: Option<AlarmSoundMode>,
    /// Whether the account is notified when the device goes offline.
    #[serde(default, with = "lenient::opt_bool01")]
    pub offline_notify: Option<bool>,
    /// The Wi-Fi SSID (with `version=utc`; `""` for a wired device).
    #[serde(default)]
    pub wifi_ssid: Option<String>,
    /// The time zone, such as `UTC+14:00` (with `version=utc`).
    #[serde(default)]
    pub time_zone: Option<String>,
}

impl DeviceInfo {
    /// Whether the device is online.
    pub fn is_online(&self) -> bool {
        self.status == Some(DeviceStatus::Online)
    }

    /// The time zone's offset from UTC in minutes, when it reads as `UTC`, `UTC+HH:MM` or `UTC-HH:MM`.
    pub fn utc_offset_minutes(&self) -> Option<i32> {
        self.time_zone.as_deref().and_then(super::parse_utc_offset)
    }
}
