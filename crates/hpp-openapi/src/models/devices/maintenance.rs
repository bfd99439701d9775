//! Upgrades (3.25, 3.28, 3.29), PIN codes (3.27), object-model adding (3.30, 3.31) and wake-up
//! (3.32).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};
use watchpost_core::codec::lenient;

use super::listing::DeviceCategory;
use crate::models::common::ItemFailure;

/// Whether a later firmware version is available (3.25).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeState {
    /// `isNeedUpgrade`: 1 when a later version is available.
    #[serde(default, with = "lenient::bool01")]
    pub is_need_upgrade: bool,
}

/// A device PIN code: `Debug` prints `***`; [`expose`](Pin::expose) gives the text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Pin(String);

impl Pin {
    /// The PIN itself, to pass on to device/upgrade.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(***)")
    }
}

/// The PIN code of a device (3.27).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicePin {
    /// The PIN code (a secret).
    pub pin: Pin,
    /// Device serial number.
    #[serde(default)]
    pub device_serial: Option<String>,
}

/// Reads an optional device error from `error`/`errorDesc` (3.28, 3.29).
fn failure(error: Option<&String>, desc: Option<&String>) -> Option<ItemFailure> {
    let error = error.map(|e| e.trim()).filter(|e| !e.is_empty() && *e != "0");
    let desc = desc.map(|d| d.trim()).filter(|d| !d.is_empty());
    if error.is_none() && desc.is_none() {
        return None;
    }
    let message = match (error, desc) {
        (Some(e), Some(d)) => format!("{e}: {d}"),
        (Some(t), None) | (None, Some(t)) => t.to_owned(),
        (None, None) => String::new(),
    };
    Some(ItemFailure::from_text(message))
}

/// The answer of device/upgrade (3.28): the device may refuse inside a success.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeResult {
    /// Device serial number.
    #[serde(default)]
    pub device_serial: Option<String>,
    /// Error code when the upgrade could not start.
    #[serde(default, with = "lenient::opt_string")]
    pub error: Option<String>,
    /// Error description when the upgrade could not start.
    #[serde(default)]
    pub error_desc: Option<String>,
}

impl UpgradeResult {
    /// The device's refusal, when `error` or `errorDesc` is set (an `error` of `"0"` is none).
    pub fn failure(&self) -> Option<ItemFailure> {
        failure(self.error.as_ref(), self.error_desc.as_ref())
    }
}

watchpost_core::open_int_enum! {
    /// Upgrade step (`statue` of 3.29).
    UpgradeStatus {
        /// 0: to be upgraded.
        Pending = 0,
        /// 1: upgrade started.
        Started = 1,
        /// 2: downloading.
        Downloading = 2,
        /// 3: download finished.
        Downloaded = 3,
        /// 4: burning (writing the firmware).
        Burning = 4,
        /// 5: burning finished.
        Burned = 5,
        /// 6: rebooting.
        Rebooting = 6,
        /// 7: upgrade finished.
        Finished = 7,
        /// 8: the device returned an error code.
        Failed = 8,
    }
}

/// The upgrade progress of a device (3.29).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpgradeProgress {
    /// Device serial number.
    #[serde(default)]
    pub device_serial: Option<String>,
    /// Progress, percent.
    #[serde(default, with = "lenient::opt_int")]
    pub progress: Option<u32>,
    /// Upgrade step (`statue` on the wire).
    #[serde(default, rename = "statue", alias = "status")]
    pub status: Option<UpgradeStatus>,
    /// Error code when the upgrade failed.
    #[serde(default, with = "lenient::opt_string")]
    pub error: Option<String>,
    /// Error description when the upgrade failed.
    #[serde(default)]
    pub error_desc: Option<String>,
}

impl UpgradeProgress {
    /// Whether the upgrade is over, finished or failed.
    pub fn is_over(&self) -> bool {
        matches!(self.status, Some(UpgradeStatus::Finished | UpgradeStatus::Failed))
    }

    /// The device's error, when `error` or `errorDesc` is set (an `error` of `"0"` is none).
    pub fn failure(&self) -> Option<ItemFailure> {
        failure(self.error.as_ref(), self.error_desc.as_ref())
    }
}

/// Whether a device can be added as an object-model device (3.30).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IotAbility {
    /// `supportForceCheckAuth`: 1 when adding by pressing the device's physical button is
    /// supported.
    #[serde(default, with = "lenient::bool01")]
    pub support_force_check_auth: bool,
}

/// Reads an integer sent as a number or numeric text; other text (the seed's placeholder
/// `"xxxx"`) and `null` read as `None`.
fn int_or_placeholder<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Reads a device category like [`int_or_placeholder`].
fn category_or_placeholder<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DeviceCategory>, D::Error> {
    Ok(int_or_placeholder(d)?.map(DeviceCategory::from_value))
}

/// The adding status of an object-model device (3.31).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IotAddResult {
    /// Device serial number.
    #[serde(default)]
    pub device_serial: Option<String>,
    /// Device name.
    #[serde(default)]
    pub device_name: Option<String>,
    /// Device type (`None` when the platform sent something else than a number).
    #[serde(default, deserialize_with = "category_or_placeholder")]
    pub device_category: Option<DeviceCategory>,
    /// Device sub type (`None` when the platform sent something else than a number).
    #[serde(default, deserialize_with = "int_or_placeholder")]
    pub sub_type: Option<i64>,
}

/// Whether a solar camera is awake (3.32).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WakeUp {
    /// `wakeUp`: 1 awake, 0 sleeping.
    #[serde(rename = "wakeUp", with = "lenient::bool01")]
    pub awake: bool,
}
