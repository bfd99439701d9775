//! The doorbell chime (1.16, 1.17).

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;

watchpost_core::open_int_enum! {
    /// The chime a doorbell drives.
    ChimeType {
        /// 1: a mechanical chime.
        Mechanical = 1,
        /// 2: an electronic chime.
        Electronic = 2,
        /// 3: no chime.
        NoChime = 3,
    }
}

/// The chime setting of a doorbell (1.17).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Chime {
    /// Device serial number (the field table spells it `devceSerial`; the wire name is `deviceSerial`).
    #[serde(default, alias = "devceSerial", with = "lenient::opt_string")]
    pub device_serial: Option<String>,
    /// Channel number.
    #[serde(default, with = "lenient::opt_int")]
    pub channel_no: Option<u32>,
    /// The chime type.
    #[serde(rename = "type")]
    pub chime_type: ChimeType,
    /// The chime duration. The seed documents no unit (10000 in one example, 1000 in the other),
    /// so it is kept as sent.
    #[serde(default, with = "lenient::opt_int")]
    pub duration: Option<u32>,
}
