//! System messages: time, IO ports, network interfaces and the login check.

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;

use crate::time::IsoDateTime;

watchpost_core::open_str_enum! {
    /// `timeMode` of `JSON_Time` (9.32).
    TimeMode {
        /// `manual`: the only value the seed documents.
        Manual = "manual",
        /// `NTP` (not in the seed; sent by ISAPI devices in general).
        Ntp = "NTP",
    }
}

/// The members of `JSON_Time` (9.32).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Time {
    /// `timeMode`.
    #[serde(rename = "timeMode")]
    pub time_mode: TimeMode,
    /// `localTime`, with a zone (valid when timeMode is manual).
    #[serde(rename = "localTime", default, skip_serializing_if = "Option::is_none")]
    pub local_time: Option<IsoDateTime>,
}

/// `JSON_Time` (9.32): time synchronization parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeMsg {
    /// `Time`.
    #[serde(rename = "Time")]
    pub time: Time,
}

impl TimeMsg {
    /// Manual time set to `local_time`.
    pub fn manual(local_time: IsoDateTime) -> Self {
        TimeMsg { time: Time { time_mode: TimeMode::Manual, local_time: Some(local_time) } }
    }
}

watchpost_core::open_str_enum! {
    /// A signal level: `outputState` of 9.16 and `triggering` of 9.17.
    IoLevel {
        /// `high`.
        High = "high",
        /// `low`.
        Low = "low",
    }
}

/// The members of `JSON_IOPortData` (9.16).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IoPortData {
    /// `outputState`: high or low.
    #[serde(rename = "outputState")]
    pub output_state: IoLevel,
}

/// `JSON_IOPortData` (9.16): the level to drive an alarm output to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IoPortDataMsg {
    /// `IOPortData`.
    #[serde(rename = "IOPortData")]
    pub io_port_data: IoPortData,
}

impl IoPortDataMsg {
    /// Drive the output to `level`.
    pub fn new(level: IoLevel) -> Self {
        IoPortDataMsg { io_port_data: IoPortData { output_state: level } }
    }
}

/// An alarm input of `JSON_IOPortList` (9.17).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IoInputPort {
    /// `id`: alarm input number.
    #[serde(rename = "id", with = "lenient::int")]
    pub id: u32,
    /// `enable`.
    #[serde(rename = "enable", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_bool_any")]
    pub enable: Option<bool>,
    /// `triggering`: high or low.
    #[serde(rename = "triggering", default, skip_serializing_if = "Option::is_none")]
    pub triggering: Option<IoLevel>,
    /// `name`.
    #[serde(rename = "name", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub name: Option<String>,
}

/// An alarm output of `JSON_IOPortList` (9.17).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IoOutputPort {
    /// `id`: alarm output number.
    #[serde(rename = "id", with = "lenient::int")]
    pub id: u32,
    /// `enable`.
    #[serde(rename = "enable", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_bool_any")]
    pub enable: Option<bool>,
    /// `name`.
    #[serde(rename = "name", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub name: Option<String>,
}

/// The members of `JSON_IOPortList` (9.17).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IoPortList {
    /// `IOInputPortList`.
    #[serde(rename = "IOInputPortList", default, with = "super::de::io_input_port")]
    pub inputs: Vec<IoInputPort>,
    /// `IOOutputPortList`.
    #[serde(rename = "IOOutputPortList", default, with = "super::de::io_output_port")]
    pub outputs: Vec<IoOutputPort>,
}

/// `JSON_IOPortList` (9.17): alarm inputs and outputs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IoPortListMsg {
    /// `IOPortList`.
    #[serde(rename = "IOPortList")]
    pub io_port_list: IoPortList,
}

watchpost_core::open_str_enum! {
    /// `ipVersion` (9.18).
    IpVersion {
        /// `v4`.
        V4 = "v4",
        /// `v6`.
        V6 = "v6",
        /// `dual`.
        Dual = "dual",
    }
}

watchpost_core::open_str_enum! {
    /// `addressingType` (9.18; the seed writes both `apipa` and `APIPA`).
    AddressingType {
        /// `static`.
        Static = "static",
        /// `dynamic`: DHCP.
        Dynamic = "dynamic",
        /// `apipa`.
        Apipa = "apipa",
    }
}

watchpost_core::open_str_enum! {
    /// IPv6 addressing type (`ipV6AddressingType` and `type` of 9.18).
    Ipv6AddressingType {
        /// `ra`: router advertisement.
        Ra = "ra",
        /// `manual`.
        Manual = "manual",
        /// `dhcp`.
        Dhcp = "dhcp",
    }
}

/// A gateway or DNS address of 9.18.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostAddress {
    /// `ipAddress`.
    #[serde(rename = "ipAddress", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub ip_address: Option<String>,
    /// `ipv6Address`.
    #[serde(rename = "ipv6Address", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub ipv6_address: Option<String>,
}

/// An IPv6 address of `ipv6AddressList` (9.18).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct V6Address {
    /// `id`.
    #[serde(rename = "id", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub id: Option<String>,
    /// `type`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub address_type: Option<Ipv6AddressingType>,
    /// `address`.
    #[serde(rename = "address", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub address: Option<String>,
    /// `bitMask`.
    #[serde(rename = "bitMask", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub bit_mask: Option<u32>,
}

/// `Ipv6Mode` of 9.18 (`ipv6Mode` in the note; both read). Not available on the gateway itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ipv6Mode {
    /// `ipV6AddressingType`.
    #[serde(rename = "ipV6AddressingType", default, skip_serializing_if = "Option::is_none")]
    pub ipv6_addressing_type: Option<Ipv6AddressingType>,
    /// `ipv6AddressList`.
    #[serde(
        rename = "ipv6AddressList",
        default,
        skip_serializing_if = "Vec::is_empty",
        with = "super::de::v6_address"
    )]
    pub ipv6_address_list: Vec<V6Address>,
}

/// The members of `JSON_IPAddress` (9.18).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpAddress {
    /// `ipVersion`.
    #[serde(rename = "ipVersion", default, skip_serializing_if = "Option::is_none")]
    pub ip_version: Option<IpVersion>,
    /// `addressingType`.
    #[serde(rename = "addressingType", default, skip_serializing_if = "Option::is_none")]
    pub addressing_type: Option<AddressingType>,
    /// `ipAddress`: the IPv4 address.
    #[serde(rename = "ipAddress", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub ip_address: Option<String>,
    /// `subnetMask`.
    #[serde(rename = "subnetMask", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub subnet_mask: Option<String>,
    /// `ipv6Address`.
    #[serde(rename = "ipv6Address", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub ipv6_address: Option<String>,
    /// `bitMask`: IPv6 prefix length (called "string" by the seed, numeric in its example).
    #[serde(rename = "bitMask", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub bit_mask: Option<u32>,
    /// `DefaultGateway`.
    #[serde(rename = "DefaultGateway", default, skip_serializing_if = "Option::is_none")]
    pub default_gateway: Option<HostAddress>,
    /// `PrimaryDNS`.
    #[serde(rename = "PrimaryDNS", default, skip_serializing_if = "Option::is_none")]
    pub primary_dns: Option<HostAddress>,
    /// `SecondaryDNS`.
    #[serde(rename = "SecondaryDNS", default, skip_serializing_if = "Option::is_none")]
    pub secondary_dns: Option<HostAddress>,
    /// `Ipv6Mode`.
    #[serde(rename = "Ipv6Mode", alias = "ipv6Mode", default, skip_serializing_if = "Option::is_none")]
    pub ipv6_mode: Option<Ipv6Mode>,
}

/// `JSON_IPAddress` (9.18).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IpAddressMsg {
    /// `IPAddress`.
    #[serde(rename = "IPAddress")]
    pub ip_address: IpAddress,
}

/// The members of `JSON_NetworkInterface` (9.20).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInterface {
    /// `id`: the interface ID.
    #[serde(rename = "id", with = "lenient::string")]
    pub id: String,
    /// `IPAddress`.
    #[serde(rename = "IPAddress", default)]
    pub ip_address: IpAddress,
}

/// `JSON_NetworkInterface` (9.20).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInterfaceMsg {
    /// `NetworkInterface`.
    #[serde(rename = "NetworkInterface")]
    pub network_interface: NetworkInterface,
}

/// `JSON_NetworkInterfaceList` (9.21).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkInterfaceListMsg {
    /// `NetworkInterfaceList`.
    #[serde(rename = "NetworkInterfaceList", default, with = "super::de::network_interface")]
    pub network_interface_list: Vec<NetworkInterface>,
}

watchpost_core::open_str_enum! {
    /// `lockStatus` of `JSON_UserCheck` (9.33; not the `unlock`/`lock` of 9.24).
    UserLockStatus {
        /// `unlocked`.
        Unlocked = "unlocked" | "unlock",
        /// `locked`.
        Locked = "locked" | "lock",
    }
}

/// The members of `JSON_UserCheck` (9.33).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserCheck {
    /// `statusValue`: 200 authenticated, 401 not.
    #[serde(rename = "statusValue", with = "lenient::int")]
    pub status_value: u16,
    /// `statusString`: OK or Unauthorized.
    #[serde(rename = "statusString", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub status_string: Option<String>,
    /// `isDefaultPassword`.
    #[serde(
        rename = "isDefaultPassword",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_bool_any"
    )]
    pub is_default_password: Option<bool>,
    /// `isRiskPassword`.
    #[serde(
        rename = "isRiskPassword",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_bool_any"
    )]
    pub is_risk_password: Option<bool>,
    /// `isActivated`.
    #[serde(rename = "isActivated", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_bool_any")]
    pub is_activated: Option<bool>,
    /// `lockStatus`: unlocked or locked.
    #[serde(rename = "lockStatus", default, skip_serializing_if = "Option::is_none")]
    pub lock_status: Option<UserLockStatus>,
    /// `unlockTime`: seconds until the user unlocks.
    #[serde(rename = "unlockTime", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub unlock_time: Option<u64>,
    /// `retryLoginTime`: login attempts left (0 means locked).
    #[serde(rename = "retryLoginTime", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub retry_login_time: Option<u32>,
}

impl UserCheck {
    /// Whether the user was authenticated (statusValue 200).
    pub fn is_authenticated(&self) -> bool {
        self.status_value == 200
    }
}

/// `JSON_UserCheck` (9.33). The root member is lowerCamel (`userCheck`); `UserCheck` is accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserCheckMsg {
    /// `userCheck`.
    #[serde(rename = "userCheck", alias = "UserCheck")]
    pub user_check: UserCheck,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_address_template_fields() {
        let m: IpAddressMsg = serde_json::from_str(
            r#"{"IPAddress":{"ipVersion":"dual","addressingType":"APIPA","ipAddress":"10.0.0.2","subnetMask":"255.255.255.0",
              "ipv6Address":"2001:DB8:2de::1","bitMask":"48","DefaultGateway":{"ipAddress":"10.0.0.1","ipv6Address":""},
              "ipv6Mode":{"ipV6AddressingType":"ra","ipv6AddressList":[{"v6Address":{"id":"1","type":"manual","address":"::2","bitMask":60}}]}}}"#,
        )
        .unwrap();
        assert_eq!(m.ip_address.addressing_type, Some(AddressingType::Apipa));
        assert_eq!(m.ip_address.bit_mask, Some(48));
        assert_eq!(m.ip_address.default_gateway.as_ref().and_then(|g| g.ipv6_address.as_deref()), None);
        let v6 = m.ip_address.ipv6_mode.unwrap();
        assert_eq!(v6.ipv6_address_list[0].bit_mask, Some(60));
    }

    #[test]
    fn user_check_root_is_lower_camel() {
        let m: UserCheckMsg = serde_json::from_str(
            r#"{"userCheck":{"statusValue":401,"statusString":"Unauthorized","lockStatus":"unlocked","unlockTime":0,"retryLoginTime":4,"isDefaultPassword":"false"}}"#,
        )
        .unwrap();
        assert!(!m.user_check.is_authenticated());
        assert_eq!(m.user_check.retry_login_time, Some(4));
        assert_eq!(m.user_check.is_default_password, Some(false));
        assert!(serde_json::to_string(&m).unwrap().starts_with(r#"{"userCheck":"#));
    }

    #[test]
    fn time_and_io() {
        let t = TimeMsg::manual(IsoDateTime::parse("2019-02-28T10:50:44+08:00"));
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"Time":{"timeMode":"manual","localTime":"2019-02-28T10:50:44+08:00"}}"#
        );
        assert_eq!(
            serde_json::to_string(&IoPortDataMsg::new(IoLevel::High)).unwrap(),
            r#"{"IOPortData":{"outputState":"high"}}"#
        );
    }
}
