//! Device state replies: system info and status, firmware, relay/input status, call and SIP
//! status, packet capture, user info, card scan, user export.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use watchpost_core::codec::lenient::opt_int;

use super::wire::opt_text;

/// `system.info`: model, versions, network and SIP accounts (L436-490).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SystemInfo {
    /// Model and versions.
    #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<FirmwareStatus>,
    /// The LAN settings.
    #[serde(rename = "Lan", default, skip_serializing_if = "Option::is_none")]
    pub lan: Option<Lan>,
    /// SIP account 1.
    #[serde(rename = "Account1", default, skip_serializing_if = "Option::is_none")]
    pub account1: Option<SipAccountStatus>,
    /// SIP account 2.
    #[serde(rename = "Account2", default, skip_serializing_if = "Option::is_none")]
    pub account2: Option<SipAccountStatus>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// Model, MAC and versions (`system.info` `Status`, `firmware.status`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FirmwareStatus {
    /// Product model (`R29S`).
    #[serde(rename = "Model", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// MAC address.
    #[serde(rename = "MAC", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub mac: Option<String>,
    /// Firmware version (`29.31.101.624`).
    #[serde(rename = "FirmwareVersion", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub firmware_version: Option<String>,
    /// Hardware version.
    #[serde(rename = "HardwareVersion", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub hardware_version: Option<String>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl FirmwareStatus {
    /// The firmware version's numeric parts (`29.31.101.624` → `[29, 31, 101, 624]`), `None`
    /// when a part is not a number.
    pub fn firmware_parts(&self) -> Option<Vec<u32>> {
        self.firmware_version.as_deref()?.trim().split('.').map(|p| p.parse().ok()).collect()
    }
}

/// The LAN settings of `system.info`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Lan {
    /// 0 DHCP, 1 static (a string on the wire).
    #[serde(rename = "PortType", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub port_type: Option<String>,
    /// 0 disconnected, 1 connected, 2 IP conflict.
    #[serde(rename = "LinkStatus", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub link_status: Option<String>,
    /// IP address.
    #[serde(rename = "IPAddress", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// Subnet mask.
    #[serde(rename = "SubnetMask", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub subnet_mask: Option<String>,
    /// Gateway.
    #[serde(rename = "Gateway", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// First DNS server.
    #[serde(rename = "DNS1", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub dns1: Option<String>,
    /// Second DNS server.
    #[serde(rename = "DNS2", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub dns2: Option<String>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl Lan {
    /// The link state, when the code is known.
    pub fn link(&self) -> Option<LinkStatus> {
        match self.link_status.as_deref()?.trim() {
            "0" => Some(LinkStatus::Disconnected),
            "1" => Some(LinkStatus::Connected),
            "2" => Some(LinkStatus::IpConflict),
            _ => None,
        }
    }
}

/// `LinkStatus` of the LAN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStatus {
    /// 0.
    Disconnected,
    /// 1.
    Connected,
    /// 2.
    IpConflict,
}

/// One SIP account's registration (`system.info`, `sip.status`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SipAccountStatus {
    /// The account's user name.
    #[serde(rename = "UserName", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The SIP server.
    #[serde(rename = "SipServer", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub sip_server: Option<String>,
    /// -1 unknown, 0 disabled, 1 registering, 2 registered, 3 failed (string or number).
    #[serde(rename = "Status", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

impl SipAccountStatus {
    /// The registration state, when the code is known.
    pub fn registration(&self) -> Option<Registration> {
        match self.status.as_deref()?.trim() {
            "-1" => Some(Registration::Unknown),
            "0" => Some(Registration::Disabled),
            "1" => Some(Registration::Registering),
            "2" => Some(Registration::Registered),
            "3" => Some(Registration::Failed),
            _ => None,
        }
    }
}

/// A SIP account's registration state (L431).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// -1 "unknow".
    Unknown,
    /// 0.
    Disabled,
    /// 1.
    Registering,
    /// 2 "registed".
    Registered,
    /// 3 "registe failed".
    Failed,
}

/// `system.status`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SystemStatus {
    /// The device's Unix time.
    #[serde(rename = "SystemTime", default, with = "opt_int", skip_serializing_if = "Option::is_none")]
    pub system_time: Option<i64>,
    /// Seconds since boot.
    #[serde(rename = "UpTime", default, with = "opt_int", skip_serializing_if = "Option::is_none")]
    pub up_time: Option<u64>,
}

/// `relay.status`: each relay's state (integers; the seed does not say what 0 and 1 mean).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RelayStatus {
    /// Relay A.
    #[serde(rename = "RelayA", default, with = "opt_int", skip_serializing_if = "Option::is_none")]
    pub relay_a: Option<i64>,
    /// Relay B.
    #[serde(rename = "RelayB", default, with = "opt_int", skip_serializing_if = "Option::is_none")]
    pub relay_b: Option<i64>,
    /// Relay C.
    #[serde(rename = "RelayC", default, with = "opt_int", skip_serializing_if = "Option::is_none")]
    pub relay_c: Option<i64>,
}

impl RelayStatus {
    /// The state of one relay.
    pub fn get(&self, door: super::Door) -> Option<i64> {
        match door {
            super::Door::A => self.relay_a,
            super::Door::B => self.relay_b,
            super::Door::C => self.relay_c,
        }
    }
}

/// `input.status`: each input's GPIO level.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InputStatus {
    /// Input A.
    #[serde(rename = "InputA", default, with = "opt_int", skip_serializing_if = "Option::is_none")]
    pub input_a: Option<i64>,
    /// Input B.
    #[serde(rename = "InputB", default, with = "opt_int", skip_serializing_if = "Option::is_none")]
    pub input_b: Option<i64>,
    /// Input C.
    #[serde(rename = "InputC", default, with = "opt_int", skip_serializing_if = "Option::is_none")]
    pub input_c: Option<i64>,
}

impl InputStatus {
    /// The level of one input.
    pub fn get(&self, door: super::Door) -> Option<i64> {
        match door {
            super::Door::A => self.input_a,
            super::Door::B => self.input_b,
            super::Door::C => self.input_c,
        }
    }
}

/// `call.status`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CallStatus {
    /// The call state (`READY` is the only value shown).
    #[serde(rename = "Status", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Members the seed does not document.
    #[serde(flatten)]
    pub extra: BTreeMap<String, Value>,
}

/// `sip.status`: both accounts' registration.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SipStatus {
    /// Account 1.
    #[serde(rename = "Account1", default, skip_serializing_if = "Option::is_none")]
    pub account1: Option<SipAccountStatus>,
    /// Account 2.
    #[serde(rename = "Account2", default, skip_serializing_if = "Option::is_none")]
    pub account2: Option<SipAccountStatus>,
}

/// `pcap.status`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PcapStatus {
    /// Size of the capture so far (a number here, a string in `pcap.stop`).
    #[serde(rename = "FileSize", default, with = "opt_int", skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    /// `stop` (the only value shown) or a running state.
    #[serde(rename = "Status", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// `pcap.start`: the capture's settings as the device took them (strings on the wire).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PcapStart {
    /// `auto` or `manual`.
    #[serde(rename = "type", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub capture_type: Option<String>,
    /// The libpcap filter.
    #[serde(default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The network interface (`eth0`).
    #[serde(default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub interface: Option<String>,
    /// Size limit in bytes.
    #[serde(default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// Capture seconds.
    #[serde(default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
}

/// `pcap.stop`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PcapStop {
    /// Size of the capture in bytes (a string here).
    #[serde(rename = "FileSize", default, with = "opt_int", skip_serializing_if = "Option::is_none")]
    pub file_size: Option<u64>,
    /// Seconds captured.
    #[serde(rename = "Time", default, with = "opt_int", skip_serializing_if = "Option::is_none")]
    pub time: Option<u64>,
}

/// `user.info`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UserInfo {
    /// The default user's ID (an integer, unlike every other ID).
    #[serde(rename = "DefaultUserId", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub default_user_id: Option<String>,
}

/// `user.scan`: the card held at the reader.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ScanResult {
    /// The card number (hex).
    #[serde(rename = "RFCode", default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub rf_code: Option<String>,
}

/// `user.export`: where to fetch the user data file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct UserExport {
    /// The path of the file on the device (`/download/UserData.tgz`); whitespace the seed's
    /// example carries inside it is removed by [`UserExport::path`].
    #[serde(default, with = "opt_text", skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl UserExport {
    /// The download path without whitespace, when it is an absolute path.
    pub fn path(&self) -> Option<String> {
        let p: String = self.address.as_deref()?.chars().filter(|c| !c.is_whitespace()).collect();
        p.starts_with('/').then_some(p)
    }
}
