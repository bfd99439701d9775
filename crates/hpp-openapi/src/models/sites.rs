//! Installers, sites, sharing and handover, customers, health report (sections 3.2 to 3.17).
//!
//! Answers are read leniently (every member optional, numbers where text is documented and the
//! reverse, the seed's misspelt keys as aliases); request values with documented limits are the
//! checked types of [`input`] (re-exported here).

mod health;
pub mod input;
pub(crate) mod lenient;
pub(crate) mod rules;
#[cfg(test)]
mod seed_examples;

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient as wl;

pub use health::*;
pub use input::*;

/// An employee of the company (installers/search).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Installer {
    /// Employee ID (installer ID).
    #[serde(default, with = "wl::opt_string")]
    pub id: Option<String>,
    /// First name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Whether the invited employee has registered.
    #[serde(default, with = "wl::opt_bool_any")]
    pub invited_status: Option<bool>,
    /// Whether the employee is the admin.
    #[serde(default, with = "wl::opt_bool_any")]
    pub is_admin: Option<bool>,
    /// Whether the employee is enabled.
    #[serde(default, with = "wl::opt_bool_any")]
    pub enable_status: Option<bool>,
}

/// A site (site/search).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    /// Site ID.
    #[serde(default, with = "wl::opt_string")]
    pub id: Option<String>,
    /// Site name.
    #[serde(default)]
    pub site_name: Option<String>,
    /// Time zone ID of Appendix A.2, as text (`"182"`; numbers are read too).
    #[serde(default, with = "wl::opt_string")]
    pub time_zone: Option<String>,
    /// Whether the devices' time zone is synchronised.
    #[serde(default, with = "wl::opt_bool_any")]
    pub time_sync: Option<bool>,
    /// The first installer (site manager) ID when there are several.
    #[serde(default, with = "wl::opt_string")]
    pub installer_id: Option<String>,
    /// The installer's first name.
    #[serde(default)]
    pub installer_first_name: Option<String>,
    /// The installer's last name.
    #[serde(default)]
    pub installer_last_name: Option<String>,
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
    /// How the site is shared.
    #[serde(default)]
    pub shared_info: Option<SharedInfo>,
    /// Handover: 0 not handed over, 1 in progress, 2 handed over.
    #[serde(default, with = "wl::opt_int")]
    pub site_delivery_status: Option<i64>,
    /// True while the permission of at least one device is enabled.
    #[serde(default, with = "wl::opt_bool_any")]
    pub cloud_enable: Option<bool>,
}

/// How a site is shared (`sharedInfo` of site/search and arcservice/site/info).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedInfo {
    /// 0 own site not shared; 1 own site shared with a maintenance partner; 2 shared with you,
    /// you maintain it; 3 own site shared with an installation partner (revoked at handover);
    /// 4 shared with you, you install and configure.
    #[serde(default, with = "wl::opt_int")]
    pub share_type: Option<i64>,
    /// 0 awaiting the end user; 1 awaiting the other company; 2 shared; 3 denied by the end
    /// user; 4 denied by the other company.
    #[serde(default, with = "wl::opt_int")]
    pub share_state: Option<i64>,
    /// The company the site is shared with (when you share it).
    #[serde(default)]
    pub share_to_company: Option<Company>,
    /// The company that shared the site with you.
    #[serde(default)]
    pub share_from_company: Option<Company>,
}

/// The other company of a sharing (sharer or sharee).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Company {
    /// Company address.
    #[serde(default)]
    pub address: Option<String>,
    /// Company name.
    #[serde(default)]
    pub company_name: Option<String>,
    /// The person's email address.
    #[serde(default)]
    pub email: Option<String>,
    /// The person's first name.
    #[serde(default)]
    pub first_name: Option<String>,
    /// The person's last name.
    #[serde(default)]
    pub last_name: Option<String>,
    /// Company phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Street of the company.
    #[serde(default)]
    pub street: Option<String>,
}

/// The managers of a site (site/sitemanagers).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SiteManagers {
    /// The managers (wire key `installerMangers`, sic).
    #[serde(rename = "installerMangers", alias = "installerManagers", default)]
    pub installer_managers: Vec<SiteManager>,
}

/// One site manager.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SiteManager {
    /// Site manager (installer) ID.
    #[serde(default, with = "wl::opt_string")]
    pub installer_id: Option<String>,
    /// First name (the example's OCR spelling `installerErirstName` is read too).
    #[serde(default, alias = "installerErirstName")]
    pub installer_first_name: Option<String>,
    /// Last name (the example's OCR spelling `installerEastName` is read too).
    #[serde(default, alias = "installerEastName")]
    pub installer_last_name: Option<String>,
    /// Email address.
    #[serde(default)]
    pub installer_email: Option<String>,
    /// Phone number.
    #[serde(default)]
    pub installer_phone: Option<String>,
    /// When the permission expires, epoch milliseconds; `-1` is permanent (text is read too).
    #[serde(default, with = "wl::opt_int", alias = "expiredDurationTime")]
    pub expire_duration_time: Option<i64>,
}

/// Whether an end user's account is an email address or a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "AccountTypeWire", into = "i64")]
pub enum AccountType {
    /// `0`: an email address.
    Email,
    /// `1`: a phone number.
    Phone,
    /// A value the guide does not document.
    Other(i64),
}

/// The wire form of [`AccountType`]: a number or its text.
#[derive(Deserialize)]
struct AccountTypeWire(#[serde(with = "wl::int")] i64);

impl From<AccountTypeWire> for AccountType {
    fn from(w: AccountTypeWire) -> Self {
        match w.0 {
            0 => AccountType::Email,
            1 => AccountType::Phone,
            n => AccountType::Other(n),
        }
    }
}

impl From<AccountType> for i64 {
    fn from(t: AccountType) -> i64 {
        match t {
            AccountType::Email => 0,
            AccountType::Phone => 1,
            AccountType::Other(n) => n,
        }
    }
}

/// An end user's account (`hcAccount` and its `type`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HcAccount {
    /// The account: an email address or a phone number (`hcAcccount` in the tables, sic).
    #[serde(alias = "hcAcccount", with = "wl::string")]
    pub hc_account: String,
    /// What the account is.
    #[serde(rename = "type")]
    pub account_type: AccountType,
}

impl HcAccount {
    /// An email account.
    pub fn email(address: impl Into<String>) -> Self {
        HcAccount { hc_account: address.into(), account_type: AccountType::Email }
    }

    /// A phone account.
    pub fn phone(number: impl Into<String>) -> Self {
        HcAccount { hc_account: number.into(), account_type: AccountType::Phone }
    }
}

/// The end users of a handed-over site (site/customer/list).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Customers {
    /// The end users.
    #[serde(default)]
    pub customers: Vec<Customer>,
}

/// One end user of a handover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    /// The end user's account.
    #[serde(alias = "hcAcccount", with = "wl::string")]
    pub hc_account: String,
    /// What the account is.
    #[serde(rename = "type", default)]
    pub account_type: Option<AccountType>,
    /// Sharing status: "0" rejected, "1" approved, "2" pending, "3" expired, "4" not registered
    /// (numbers are read too).
    #[serde(default, with = "wl::opt_string")]
    pub status: Option<String>,
}

/// The devices shared with one end user (site/customer/detail).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDetail {
    /// The shared devices and their permissions.
    #[serde(default)]
    pub share_devices: Vec<DevicePermission>,
}

/// A device shared with end users and what they may do with it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DevicePermission {
    /// Device serial number.
    #[serde(default, with = "wl::string")]
    pub device_serial: String,
    /// Permissions of an AX Pro security control panel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ax2_permission_details: Option<Ax2PermissionDetails>,
    /// Permissions of other devices (documented as an object, sent as a list: both are read).
    #[serde(default, deserialize_with = "lenient::one_or_many", skip_serializing_if = "Vec::is_empty")]
    pub other_permission_details: Vec<OtherPermission>,
}

impl DevicePermission {
    /// A device with no permission yet (add them with the fields).
    pub fn new(device_serial: impl Into<String>) -> Self {
        DevicePermission { device_serial: device_serial.into(), ..Default::default() }
    }
}

/// Permissions of an AX Pro security control panel shared with end users.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ax2PermissionDetails {
    /// 20 device sharing; 0 arm, 1 disarm/silence, 6 logs/status, 7 zone bypass, 8 automation;
    /// notifications 10-19 and 21-24 (see section 3.11).
    #[serde(default)]
    pub ax2_permission: Vec<i64>,
    /// The partitions (areas) shared, as text; `"-1"` is all.
    #[serde(default, deserialize_with = "lenient::text_list")]
    pub area_permission: Vec<String>,
}

/// One permission of a non-AX-Pro device and the channels it applies to.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherPermission {
    /// 0 live view, 1 playback, 2 two-way audio, 3 alarm, 4 call/open door, 5 PTZ, 6 sharing.
    #[serde(default, with = "wl::opt_int")]
    pub permission: Option<i64>,
    /// The channels, as text; `"-1"` is all (channel-level permissions only).
    #[serde(default, deserialize_with = "lenient::text_list")]
    pub channel_no: Vec<String>,
}

/// The end user and the devices of site/customer/devices/update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SharedHc {
    /// The end user's account.
    #[serde(alias = "hcAcccount")]
    pub hc_account: String,
    /// What the account is.
    #[serde(rename = "type")]
    pub account_type: AccountType,
    /// The devices and permissions shared with the end user from now on.
    pub share_devices: SharedDevices,
}
