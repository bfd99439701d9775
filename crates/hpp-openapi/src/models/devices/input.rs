//! Request values with the limits the seed documents, checked when they are built.
//!
//! Each is a text newtype: [`new`](DeviceSerial::new) (and serde, which `dispatch` uses) fails
//! with [`Error::InvalidInput`] when the text is out of range, so a request holding one is valid
//! before it is sent. Lengths count characters, not bytes.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use watchpost_core::Error;

use crate::models::common::check_len;
pub use crate::models::common::{DeviceSerial, SiteId};

/// The context named in the errors of these values (they are shared by many operations).
const CONTEXT: &str = "hpp.device";

crate::models::common::bounded_text!(
    /// A device verification code: 1 to 18 characters (3.18). A secret: `Debug` prints `***`
    /// and there is no `Display`.
    ValidateCode, "validateCode", 1, 18, debug = secret
);
crate::models::common::bounded_text!(
    /// A device ID as device/list reports it: 1 to 48 characters (3.19).
    DeviceId, "id", 1, 48, debug = plain
);
crate::models::common::bounded_text!(
    /// A device name: 1 to 128 characters (3.20).
    DeviceName, "deviceName", 1, 128, debug = plain
);
crate::models::common::bounded_text!(
    /// Free extended information of a device: 1 to 256 characters (3.18, 3.20).
    ExtendInfo, "extendInfo", 1, 256, debug = plain
);

/// One device to add (a member of `deviceList` of 3.18).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewDevice {
    /// Device serial number.
    pub device_serial: DeviceSerial,
    /// Device verification code (on the device's label).
    pub validate_code: ValidateCode,
    /// Extended information, free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extend_info: Option<ExtendInfo>,
}

impl NewDevice {
    /// A device to add, from its serial number and verification code.
    pub fn new(device_serial: DeviceSerial, validate_code: ValidateCode) -> Self {
        NewDevice { device_serial, validate_code, extend_info: None }
    }

    /// With extended information.
    #[must_use]
    pub fn extend_info(mut self, extend_info: ExtendInfo) -> Self {
        self.extend_info = Some(extend_info);
        self
    }
}

/// The `deviceList` of 3.18: at least one device ("not allowed to be empty").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<NewDevice>", into = "Vec<NewDevice>")]
pub struct NewDevices(Vec<NewDevice>);

impl NewDevices {
    /// The list, checked not to be empty.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty list.
    pub fn new(devices: impl IntoIterator<Item = NewDevice>) -> Result<Self, Error> {
        let devices: Vec<NewDevice> = devices.into_iter().collect();
        if devices.is_empty() {
            return Err(Error::invalid_input(CONTEXT, "deviceList must hold at least one device"));
        }
        Ok(NewDevices(devices))
    }

    /// The devices, in the order given.
    pub fn as_slice(&self) -> &[NewDevice] {
        &self.0
    }
}

impl From<NewDevice> for NewDevices {
    fn from(device: NewDevice) -> Self {
        NewDevices(vec![device])
    }
}

impl TryFrom<Vec<NewDevice>> for NewDevices {
    type Error = Error;

    fn try_from(devices: Vec<NewDevice>) -> Result<Self, Error> {
        Self::new(devices)
    }
}

impl From<NewDevices> for Vec<NewDevice> {
    fn from(value: NewDevices) -> Self {
        value.0
    }
}

/// The operations whose requests [`check`] checks: every operation of this part.
pub(crate) const CHECKED_OPS: &[&str] = &[
    "device.add",
    "device.delete",
    "device.update",
    "device.list",
    "device.camera.list",
    "device.upgrade.state",
    "device.cloud.enable",
    "device.pincode.query",
    "device.upgrade",
    "device.upgrade.progress",
    "device.iot.ability.query",
    "device.iot.add.result",
    "device.camera.wake_up",
    "video.by_time",
];

/// The documented limits of the text members of this part's requests: (wire name, min, max).
const LIMITS: &[(&str, usize, usize)] = &[
    ("deviceSerial", DeviceSerial::MIN_CHARS, DeviceSerial::MAX_CHARS),
    ("siteId", SiteId::MIN_CHARS, SiteId::MAX_CHARS),
    ("id", DeviceId::MIN_CHARS, DeviceId::MAX_CHARS),
    ("deviceId", DeviceId::MIN_CHARS, DeviceId::MAX_CHARS),
    ("deviceName", DeviceName::MIN_CHARS, DeviceName::MAX_CHARS),
    ("extendInfo", ExtendInfo::MIN_CHARS, ExtendInfo::MAX_CHARS),
];

/// Checks the JSON body of a request of operation `op` (of the devices part) against the
/// documented limits, before it is sent: each text member of [`LIMITS`] that is present, and
/// device/add's `deviceList` (not empty, each device's members in range).
///
/// # Errors
/// [`Error::InvalidInput`] naming the operation and the first member out of range.
pub(crate) fn check(op: &str, body: &Value) -> Result<(), Error> {
    let named = |e: Error| match e {
        Error::InvalidInput { message, .. } => Error::invalid_input(op, message),
        other => other,
    };
    for (name, min, max) in LIMITS {
        if let Some(text) = body.get(*name).and_then(Value::as_str) {
            check_len(name, text, *min, *max).map_err(named)?;
        }
    }
    if let Some(list) = body.get("deviceList") {
        serde_json::from_value::<NewDevices>(list.clone())
            .map_err(|e| Error::invalid_input(op, format!("deviceList: {e}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bodies_are_checked_member_by_member() {
        let ok = serde_json::json!({"deviceSerial": "Q01728482", "siteId": "s", "deviceName": "n"});
        assert!(check("device.iot.ability.query", &ok).is_ok());
        let e = check("device.camera.list", &serde_json::json!({"deviceSerial": "Q017284820"})).unwrap_err();
        assert_eq!(
            e.to_string(),
            "device.camera.list: invalid input: deviceSerial must have 1 to 9 characters, got 10"
        );
        assert!(check("device.update", &serde_json::json!({"deviceId": "d", "deviceName": ""})).is_err());
        assert!(check("device.delete", &serde_json::json!({"id": "x".repeat(49)})).is_err());
        let e = check("device.add", &serde_json::json!({"deviceList": [], "siteId": "s"})).unwrap_err();
        assert!(e.to_string().contains("deviceList"), "{e}");
        // Every operation of the part is checked, and only those.
        let part: Vec<&str> = crate::OPERATIONS
            .iter()
            .filter(|o| o.id.starts_with("device.") || o.id == "video.by_time")
            .map(|o| o.id)
            .collect();
        assert_eq!(part, CHECKED_OPS);
        // Members absent or of another type are left to the platform.
        assert!(check("device.list", &serde_json::json!({"page": 1})).is_ok());
    }

    #[test]
    fn lengths_are_checked_in_characters_at_both_ends() {
        assert!(DeviceSerial::new("Q01728482").is_ok());
        assert!(DeviceSerial::new("a").is_ok());
        for bad in ["", "Q017284820"] {
            let e = DeviceSerial::new(bad).unwrap_err();
            assert_eq!(e.kind(), watchpost_core::ErrorKind::InvalidInput, "{bad:?}");
            assert!(e.to_string().contains("deviceSerial must have 1 to 9 characters"), "{e}");
        }
        // Nine multi-byte characters are nine characters, not 18 bytes.
        assert!(DeviceSerial::new("ééééééééé").is_ok());
        assert!(ValidateCode::new("x".repeat(18)).is_ok());
        assert!(ValidateCode::new("x".repeat(19)).is_err());
        assert!(SiteId::new("s".repeat(48)).is_ok());
        assert!(SiteId::new("s".repeat(49)).is_err());
        assert!(DeviceId::new("").is_err());
        assert!(DeviceName::new("n".repeat(128)).is_ok());
        assert!(DeviceName::new("n".repeat(129)).is_err());
        assert!(ExtendInfo::new("e".repeat(256)).is_ok());
        assert!(ExtendInfo::new("e".repeat(257)).is_err());
        assert!(ExtendInfo::new("").is_err());
    }

    #[test]
    fn serde_checks_the_same_limits_and_writes_plain_strings() {
        let d: NewDevice =
            serde_json::from_str(r#"{"deviceSerial":"abc","validateCode":"def","extendInfo":"xxx"}"#).unwrap();
        assert_eq!(d.device_serial.as_str(), "abc");
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"deviceSerial":"abc","validateCode":"def","extendInfo":"xxx"}"#
        );
        let too_long = serde_json::from_str::<NewDevice>(r#"{"deviceSerial":"0123456789","validateCode":"d"}"#);
        assert!(too_long.unwrap_err().to_string().contains("deviceSerial must have 1 to 9"));
        assert!(serde_json::from_str::<NewDevices>("[]").is_err());
        assert!(NewDevices::new(Vec::new()).is_err());
        let one = NewDevices::from(d.clone());
        assert_eq!(one.as_slice(), std::slice::from_ref(&d));
    }

    #[test]
    fn the_verification_code_never_shows_in_debug() {
        let code = ValidateCode::new("ABCDEF").unwrap();
        let d = NewDevice::new(DeviceSerial::new("abc").unwrap(), code);
        let text = format!("{d:?}");
        assert!(!text.contains("ABCDEF"), "{text}");
        assert!(text.contains("ValidateCode(***)"), "{text}");
    }
}
