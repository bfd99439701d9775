//! On/off switches read by the status operations (1.4, 1.6, 1.8, 1.12, 1.19).

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;

/// The state of one on/off switch of a device channel: the audio prompt (1.4), lens masking
/// (1.6), sound source positioning (1.8), microphone (1.12, one per channel) or infrared (1.19).
///
/// `enable` arrives as `1` or as `"1"` (1.12); `channelNo` as an int or a string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SwitchStatus {
    /// Device serial number.
    #[serde(default, with = "lenient::opt_string")]
    pub device_serial: Option<String>,
    /// Channel number, when the answer names one.
    #[serde(default, with = "lenient::opt_int")]
    pub channel_no: Option<u32>,
    /// Whether the switch is on.
    #[serde(with = "lenient::bool01")]
    pub enable: bool,
}
