//! Request values with the limits the seed documents, checked when they are built.
//!
//! Each fails with [`Error::InvalidInput`] from `new` (and from serde, which `dispatch` uses)
//! when it is out of range, so a request holding one is valid before it is sent. Lengths count
//! characters, not bytes.

use serde::{Deserialize, Serialize};
use watchpost_core::Error;

use super::{DevicePermission, HcAccount};
use crate::models::common::check_len;
pub use crate::models::common::{DeviceSerial, SiteId};

/// The context named in the errors of these values.
const CONTEXT: &str = "hpp.sites";

fn invalid(message: String) -> Error {
    Error::invalid_input(CONTEXT, message)
}

/// Checks that a list has `min..=max` items; the error names `what`.
fn check_count(what: &str, n: usize, min: usize, max: usize) -> Result<(), Error> {
    if n < min || n > max {
        return Err(invalid(format!("{what} must have {min} to {max} items, got {n}")));
    }
    Ok(())
}

crate::models::common::bounded_text!(
    /// A site name: 1 to 128 characters (site/add, site/update).
    SiteName, "name", 1, 128, debug = plain
);
crate::models::common::bounded_text!(
    /// A part of a site's address (`siteState`, `siteCity`, `siteStreet`, `location`): at most
    /// 128 characters.
    AddressText, "an address field", 0, 128, debug = plain
);
crate::models::common::bounded_text!(
    /// An employee (installer) ID: 1 to 48 characters, not empty (site/assign).
    InstallerId, "installerId", 1, 48, debug = plain
);

/// How long a site is shared (`applyTimeType` of site/share): the documented values only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub enum ShareDuration {
    /// `-1`: permanent (also when the field is left out).
    Permanent,
    /// `0`: one hour.
    OneHour,
    /// `1`: two hours.
    TwoHours,
    /// `2`: four hours.
    FourHours,
    /// `3`: eight hours.
    EightHours,
    /// `4`: 24 hours.
    OneDay,
}

impl TryFrom<i64> for ShareDuration {
    type Error = Error;

    fn try_from(value: i64) -> Result<Self, Error> {
        Ok(match value {
            -1 => ShareDuration::Permanent,
            0 => ShareDuration::OneHour,
            1 => ShareDuration::TwoHours,
            2 => ShareDuration::FourHours,
            3 => ShareDuration::EightHours,
            4 => ShareDuration::OneDay,
            other => return Err(invalid(format!("applyTimeType must be -1 to 4, got {other}"))),
        })
    }
}

impl From<ShareDuration> for i64 {
    fn from(value: ShareDuration) -> i64 {
        match value {
            ShareDuration::Permanent => -1,
            ShareDuration::OneHour => 0,
            ShareDuration::TwoHours => 1,
            ShareDuration::FourHours => 2,
            ShareDuration::EightHours => 3,
            ShareDuration::OneDay => 4,
        }
    }
}

/// One employee to assign as site manager and how long (site/assign).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstallerPermissionTime {
    /// The employee's ID (from installers/search); the employee needs the site management
    /// permission.
    pub installer_id: InstallerId,
    /// Validity of the permission in milliseconds; `-1` is permanent.
    pub expired_duration_time: i64,
}

impl InstallerPermissionTime {
    /// A permanent assignment of `installer_id`.
    pub fn permanent(installer_id: InstallerId) -> Self {
        InstallerPermissionTime { installer_id, expired_duration_time: -1 }
    }
}

/// The employees of one site/assign call: 1 to 100 pairs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<InstallerPermissionTime>", into = "Vec<InstallerPermissionTime>")]
pub struct InstallerPermissionTimes(Vec<InstallerPermissionTime>);

impl InstallerPermissionTimes {
    /// The most pairs one call takes (L1046).
    pub const MAX: usize = 100;

    /// The pairs, checked.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for no pair or more than [`Self::MAX`].
    pub fn new(pairs: impl IntoIterator<Item = InstallerPermissionTime>) -> Result<Self, Error> {
        let pairs: Vec<_> = pairs.into_iter().collect();
        check_count("installerPermissionTimes", pairs.len(), 1, Self::MAX)?;
        Ok(Self(pairs))
    }

    /// The pairs.
    pub fn as_slice(&self) -> &[InstallerPermissionTime] {
        &self.0
    }
}

impl TryFrom<Vec<InstallerPermissionTime>> for InstallerPermissionTimes {
    type Error = Error;

    fn try_from(pairs: Vec<InstallerPermissionTime>) -> Result<Self, Error> {
        Self::new(pairs)
    }
}

impl From<InstallerPermissionTimes> for Vec<InstallerPermissionTime> {
    fn from(value: InstallerPermissionTimes) -> Self {
        value.0
    }
}

/// The end users of a handover (`batchHcAccount`): at least one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<HcAccount>", into = "Vec<HcAccount>")]
pub struct HcAccounts(Vec<HcAccount>);

impl HcAccounts {
    /// The accounts, checked.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for no account or an empty account text.
    pub fn new(accounts: impl IntoIterator<Item = HcAccount>) -> Result<Self, Error> {
        let accounts: Vec<_> = accounts.into_iter().collect();
        check_count("batchHcAccount", accounts.len(), 1, usize::MAX)?;
        if accounts.iter().any(|a| a.hc_account.trim().is_empty()) {
            return Err(invalid("hcAccount must not be empty".into()));
        }
        Ok(Self(accounts))
    }

    /// The accounts.
    pub fn as_slice(&self) -> &[HcAccount] {
        &self.0
    }
}

impl TryFrom<Vec<HcAccount>> for HcAccounts {
    type Error = Error;

    fn try_from(accounts: Vec<HcAccount>) -> Result<Self, Error> {
        Self::new(accounts)
    }
}

impl From<HcAccounts> for Vec<HcAccount> {
    fn from(value: HcAccounts) -> Self {
        value.0
    }
}

/// Devices shared with end users and their permissions (`userSharePermission`,
/// `shareDevices`): at least one, each serial of 1 to 9 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<DevicePermission>", into = "Vec<DevicePermission>")]
pub struct SharedDevices(Vec<DevicePermission>);

impl SharedDevices {
    /// The devices, checked.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for no device or a serial out of 1 to 9 characters.
    pub fn new(devices: impl IntoIterator<Item = DevicePermission>) -> Result<Self, Error> {
        let devices: Vec<_> = devices.into_iter().collect();
        check_count("shareDevices", devices.len(), 1, usize::MAX)?;
        for d in &devices {
            check_len("deviceSerial", &d.device_serial, 1, 9)?;
        }
        Ok(Self(devices))
    }

    /// The devices.
    pub fn as_slice(&self) -> &[DevicePermission] {
        &self.0
    }
}

impl TryFrom<Vec<DevicePermission>> for SharedDevices {
    type Error = Error;

    fn try_from(devices: Vec<DevicePermission>) -> Result<Self, Error> {
        Self::new(devices)
    }
}

impl From<SharedDevices> for Vec<DevicePermission> {
    fn from(value: SharedDevices) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchpost_core::ErrorKind;

    #[test]
    fn names_and_ids_keep_to_their_documented_lengths() {
        assert!(SiteName::new("a".repeat(128)).is_ok());
        assert_eq!(SiteName::new("é".repeat(129)).unwrap_err().kind(), ErrorKind::InvalidInput);
        assert_eq!(SiteName::new("").unwrap_err().kind(), ErrorKind::InvalidInput);
        assert!(AddressText::new("").is_ok());
        assert!(AddressText::new("x".repeat(129)).is_err());
        assert!(SiteId::new("x".repeat(48)).is_ok());
        assert!(SiteId::new("x".repeat(49)).is_err());
        assert!(DeviceSerial::new("Q01728482").is_ok());
        assert!(DeviceSerial::new("Q017284821").is_err());
        assert!(serde_json::from_str::<SiteName>(&format!("\"{}\"", "n".repeat(129))).is_err());
    }

    #[test]
    fn at_most_one_hundred_installer_pairs() {
        let pair = |i: usize| InstallerPermissionTime::permanent(InstallerId::new(format!("i{i}")).unwrap());
        assert!(InstallerPermissionTimes::new((0..100).map(pair)).is_ok());
        let e = InstallerPermissionTimes::new((0..101).map(pair)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(InstallerPermissionTimes::new([]).is_err());
        assert!(InstallerId::new("").is_err());
        let json = serde_json::to_string(&InstallerPermissionTimes::new([pair(1)]).unwrap()).unwrap();
        assert_eq!(json, r#"[{"installerId":"i1","expiredDurationTime":-1}]"#);
    }

    #[test]
    fn share_durations_are_the_documented_numbers() {
        assert_eq!(serde_json::to_string(&ShareDuration::Permanent).unwrap(), "-1");
        assert_eq!(serde_json::from_str::<ShareDuration>("4").unwrap(), ShareDuration::OneDay);
        assert!(serde_json::from_str::<ShareDuration>("5").is_err());
    }

    #[test]
    fn shared_devices_need_one_device_with_a_short_serial() {
        assert!(SharedDevices::new([]).is_err());
        assert!(SharedDevices::new([DevicePermission::new("ABCDEFGHIJ")]).is_err());
        assert!(SharedDevices::new([DevicePermission::new("ABC")]).is_ok());
        assert!(HcAccounts::new([]).is_err());
        assert!(HcAccounts::new([HcAccount::email(" ")]).is_err());
    }
}
