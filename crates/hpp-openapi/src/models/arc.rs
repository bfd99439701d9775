//! ARC service (sections 3.37 to 3.42): devices enabled for an alarm receiving centre, event types, account numbers, site information.

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient as wl;
use watchpost_core::Error;

use super::sites::{DeviceSerial, SharedInfo};

/// A device with the ARC service enabled (arcservice/device/list).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArcDevice {
    /// Device ID.
    #[serde(default, with = "wl::opt_string")]
    pub id: Option<String>,
    /// Device name.
    #[serde(default)]
    pub device_name: Option<String>,
    /// 0 offline, 1 online, 2 unknown.
    #[serde(default, with = "wl::opt_int")]
    pub device_online_status: Option<i64>,
    /// Device serial number, as sent (the example has a leading space).
    #[serde(default, with = "wl::opt_string")]
    pub device_serial: Option<String>,
    /// Firmware version.
    #[serde(default)]
    pub device_version: Option<String>,
    /// Device model.
    #[serde(default)]
    pub device_type: Option<String>,
    /// 1 IPC, 2 NVR, 3 alarm host, 4 intercom, 5 access control, 7 IP dome, 8 doorbell, 9 storage
    /// box, 10 thermal camera, 11 switch, 99 all (text is read too).
    #[serde(default, with = "wl::opt_int")]
    pub device_category: Option<i64>,
    /// Sub-type: 0 unknown, 1 NVR, 2 DVR, 3 AX2, 4 AX Hub, 5 AX Hybrid ... 13 fall detection radar.
    #[serde(default, with = "wl::opt_int")]
    pub device_sub_category: Option<i64>,
    /// Whether its events are subscribed (a Boolean in the table, 1 in the example).
    #[serde(default, with = "wl::opt_bool_any")]
    pub is_subscribed: Option<bool>,
    /// When the device was added (ISO 8601).
    #[serde(default)]
    pub device_add_time: Option<String>,
    /// Time zone ID of Appendix A.2, as text.
    #[serde(default, with = "wl::opt_string")]
    pub time_zone: Option<String>,
    /// Extended information of the device (`extInfo`; the table's `extinfo` is read too).
    #[serde(default, alias = "extinfo", alias = "extendInfo")]
    pub ext_info: Option<String>,
    /// Site ID (wire key `siteID`; `siteId` is read too).
    #[serde(default, rename = "siteID", alias = "siteId", with = "wl::opt_string")]
    pub site_id: Option<String>,
    /// Site name.
    #[serde(default)]
    pub site_name: Option<String>,
}

/// The ARC permission state after enabling the service or editing the event list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ArcPermission {
    /// 0 awaiting the end user's approval (or in progress), 1 applied; `None` (null) when the
    /// change failed.
    #[serde(default, with = "wl::opt_int")]
    pub permission: Option<i64>,
}

impl ArcPermission {
    /// Whether the change is applied.
    pub fn is_applied(&self) -> bool {
        self.permission == Some(1)
    }

    /// Whether the change awaits the end user.
    pub fn is_pending(&self) -> bool {
        self.permission == Some(0)
    }
}

/// The site of a device with the ARC service enabled (arcservice/site/{id}/info).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArcSiteInfo {
    /// Site ID.
    #[serde(default, with = "wl::opt_string")]
    pub id: Option<String>,
    /// Site name.
    #[serde(default)]
    pub site_name: Option<String>,
    /// Time zone ID, as text.
    #[serde(default, with = "wl::opt_string")]
    pub time_zone: Option<String>,
    /// Whether the time zone is synchronised.
    #[serde(default, with = "wl::opt_bool_any")]
    pub time_sync: Option<bool>,
    /// The first site manager (installer) ID when there are several.
    #[serde(default, with = "wl::opt_string")]
    pub installer_id: Option<String>,
    /// The site manager's first name.
    #[serde(default)]
    pub installer_first_name: Option<String>,
    /// The site manager's last name.
    #[serde(default)]
    pub installer_last_name: Option<String>,
    /// The site manager's email.
    #[serde(default)]
    pub installer_email: Option<String>,
    /// The site manager's phone number.
    #[serde(default)]
    pub installer_phone: Option<String>,
    /// State where the site is.
    #[serde(default)]
    pub site_state: Option<String>,
    /// City where the site is.
    #[serde(default)]
    pub site_city: Option<String>,
    /// Street where the site is.
    #[serde(default)]
    pub site_street: Option<String>,
    /// Detailed address.
    #[serde(default)]
    pub location: Option<String>,
    /// Site owner (end user) name.
    #[serde(default)]
    pub site_owner_name: Option<String>,
    /// Site owner email.
    #[serde(default)]
    pub site_owner_email: Option<String>,
    /// Site owner phone number.
    #[serde(default)]
    pub site_owner_phone: Option<String>,
    /// How the site is shared.
    #[serde(default)]
    pub shared_info: Option<SharedInfo>,
}

/// The serials of an arcservice/device/list filter: at most 200.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<DeviceSerial>", into = "Vec<DeviceSerial>")]
pub struct DeviceSerialList(Vec<DeviceSerial>);

impl DeviceSerialList {
    /// The most serials one call takes (L3407).
    pub const MAX: usize = 200;

    /// The serials, checked.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for more than [`Self::MAX`] serials.
    pub fn new(serials: impl IntoIterator<Item = DeviceSerial>) -> Result<Self, Error> {
        let serials: Vec<_> = serials.into_iter().collect();
        if serials.len() > Self::MAX {
            return Err(Error::invalid_input(
                "hpp.arc",
                format!("deviceSerialList takes at most {} serials, got {}", Self::MAX, serials.len()),
            ));
        }
        Ok(Self(serials))
    }

    /// The serials.
    pub fn as_slice(&self) -> &[DeviceSerial] {
        &self.0
    }
}

impl TryFrom<Vec<DeviceSerial>> for DeviceSerialList {
    type Error = Error;

    fn try_from(serials: Vec<DeviceSerial>) -> Result<Self, Error> {
        Self::new(serials)
    }
}

impl From<DeviceSerialList> for Vec<DeviceSerial> {
    fn from(value: DeviceSerialList) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_two_hundred_serials() {
        let serial = |i: usize| DeviceSerial::new(format!("Q{i:07}")).unwrap();
        assert!(DeviceSerialList::new((0..200).map(serial)).is_ok());
        let e = DeviceSerialList::new((0..201).map(serial)).unwrap_err();
        assert_eq!(e.kind(), watchpost_core::ErrorKind::InvalidInput);
        let json: Vec<String> = (0..201).map(|i| format!("Q{i:07}")).collect();
        assert!(serde_json::from_value::<DeviceSerialList>(serde_json::json!(json)).is_err());
    }
}
