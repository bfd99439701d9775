//! Device management messages: device information, channels, adding, deleting and searching.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};
use watchpost_core::codec::lenient;

use super::{BatchFailure, BatchOutcome, BatchStatus};
use crate::error::SubStatus;

watchpost_core::open_str_enum! {
    /// `deviceType` of `JSON_DeviceInfo` (9.3/9.4).
    DeviceType {
        /// `IPCamera`.
        IpCamera = "IPCamera",
        /// `IPDome`.
        IpDome = "IPDome",
        /// `DVR`.
        Dvr = "DVR",
        /// `HybirdNVR` (sic, matched literally; `HybridNVR` is accepted too).
        HybirdNvr = "HybirdNVR" | "HybridNVR",
        /// `NVR`.
        Nvr = "NVR",
        /// `DVS`.
        Dvs = "DVS",
        /// `IPZoom`.
        IpZoom = "IPZoom",
        /// `CVR`.
        Cvr = "CVR",
        /// `Gateway`.
        Gateway = "Gateway",
        /// `SecurityCP`: security control panel (9.4 only).
        SecurityCp = "SecurityCP",
        /// `ACS`: access control.
        Acs = "ACS",
    }
}

watchpost_core::open_str_enum! {
    /// `protocolType` of an added device (9.5, 9.6, 9.25, 9.26).
    ProtocolType {
        /// `ehome`: ISUP (Intelligent Security Uplink Protocol).
        Ehome = "ehome",
        /// `ehomeV5`: ISUP 5.0 (AX security control panels).
        EhomeV5 = "ehomeV5",
    }
}

watchpost_core::open_str_enum! {
    /// `devType` of an added device (9.5, 9.25, 9.26).
    DevType {
        /// `encodingDev`: encoding device.
        EncodingDev = "encodingDev",
        /// `SecurityCP`: security control panel (alarm device).
        SecurityCp = "SecurityCP",
        /// `AccessControl`: access control device.
        AccessControl = "AccessControl",
    }
}

watchpost_core::open_str_enum! {
    /// A device's connection status (`devStatus` of 9.25/9.26, `status` of devStatusChanged).
    DevStatus {
        /// `online`.
        Online = "online",
        /// `offline`.
        Offline = "offline",
    }
}

watchpost_core::open_str_enum! {
    /// Per-item result of a batch (`status` of 9.2 and 9.6).
    ItemStatus {
        /// `success`.
        Success = "success",
        /// `fail`.
        Fail = "fail" | "failed",
    }
}

watchpost_core::open_str_enum! {
    /// Channel `type` of `JSON_ChannelInfo` (9.1).
    ChannelType {
        /// `analog`.
        Analog = "analog",
        /// `digital`.
        Digital = "digital",
        /// `zero`.
        Zero = "zero",
    }
}

watchpost_core::open_str_enum! {
    /// Video channel `status` of `JSON_ChannelInfo` (9.1).
    ChannelStatus {
        /// `online`.
        Online = "online",
        /// `offline`.
        Offline = "offline",
        /// `disable`.
        Disable = "disable" | "disabled",
    }
}

/// The members of `JSON_DeviceInfo` (9.3), also used by `JSON_DeviceInfoList` (9.4).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// `deviceName`.
    #[serde(rename = "deviceName", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub device_name: Option<String>,
    /// `deviceID` (read only).
    #[serde(rename = "deviceID", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub device_id: Option<String>,
    /// `deviceDescription`.
    #[serde(
        rename = "deviceDescription",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_string"
    )]
    pub device_description: Option<String>,
    /// `systemContact` (read only).
    #[serde(rename = "systemContact", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub system_contact: Option<String>,
    /// `model` (read only).
    #[serde(rename = "model", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub model: Option<String>,
    /// `serialNumber` (read only).
    #[serde(rename = "serialNumber", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub serial_number: Option<String>,
    /// `macAddress` (read only).
    #[serde(rename = "macAddress", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub mac_address: Option<String>,
    /// `firmwareVersion` (read only).
    #[serde(
        rename = "firmwareVersion",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_string"
    )]
    pub firmware_version: Option<String>,
    /// `firmwareReleasedDate` (read only).
    #[serde(
        rename = "firmwareReleasedDate",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_string"
    )]
    pub firmware_released_date: Option<String>,
    /// `bootVersion` (read only).
    #[serde(rename = "bootVersion", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub boot_version: Option<String>,
    /// `bootReleasedDate` (read only).
    #[serde(
        rename = "bootReleasedDate",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_string"
    )]
    pub boot_released_date: Option<String>,
    /// `hardwareVersion` (read only).
    #[serde(
        rename = "hardwareVersion",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_string"
    )]
    pub hardware_version: Option<String>,
    /// `encoderVersion` (read only).
    #[serde(rename = "encoderVersion", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub encoder_version: Option<String>,
    /// `encoderReleasedDate` (read only).
    #[serde(
        rename = "encoderReleasedDate",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_string"
    )]
    pub encoder_released_date: Option<String>,
    /// `decoderVersion` (read only).
    #[serde(rename = "decoderVersion", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub decoder_version: Option<String>,
    /// `decoderReleasedDate` (read only).
    #[serde(
        rename = "decoderReleasedDate",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_string"
    )]
    pub decoder_released_date: Option<String>,
    /// `softwareVersion` (read only).
    #[serde(
        rename = "softwareVersion",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_string"
    )]
    pub software_version: Option<String>,
    /// `deviceType`.
    #[serde(rename = "deviceType", default, skip_serializing_if = "Option::is_none")]
    pub device_type: Option<DeviceType>,
    /// `telecontrolID`: digital device type (read only).
    #[serde(rename = "telecontrolID", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub telecontrol_id: Option<i64>,
    /// `operationSystem` (read only).
    #[serde(
        rename = "operationSystem",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_string"
    )]
    pub operation_system: Option<String>,
    /// `devType`: device type value (read only, integer).
    #[serde(rename = "devType", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub dev_type: Option<i64>,
}

/// `JSON_DeviceInfo` (9.3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfoMsg {
    /// `DeviceInfo`.
    #[serde(rename = "DeviceInfo")]
    pub device_info: DeviceInfo,
}

/// One device of `JSON_DeviceInfoList` (9.4): `devIndex` and the members of `DeviceInfo`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfoEntry {
    /// `devIndex`: the device ID (uuid) assigned by the gateway.
    #[serde(rename = "devIndex", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub dev_index: Option<String>,
    /// The device information.
    #[serde(flatten)]
    pub info: DeviceInfo,
}

/// `JSON_DeviceInfoList` (9.4), answered by `refreshDevInfo`.
///
/// The seed shows one object although the call is a batch: an object, an array, and an array of
/// `{"DeviceInfo": {...}}` items are all accepted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfoListMsg {
    /// `DeviceInfoList`.
    #[serde(rename = "DeviceInfoList", default, deserialize_with = "device_info_list")]
    pub device_info_list: Vec<DeviceInfoEntry>,
}

fn device_info_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<DeviceInfoEntry>, D::Error> {
    super::de::keyed_list(d, "DeviceInfo")
}

/// A channel of `JSON_ChannelInfo` (9.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    /// `id`: channel number.
    #[serde(rename = "id", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub id: Option<i64>,
    /// `name`.
    #[serde(rename = "name", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub name: Option<String>,
    /// `type`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub channel_type: Option<ChannelType>,
    /// `status` (video channels only).
    #[serde(rename = "status", default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ChannelStatus>,
}

/// The members of `JSON_ChannelInfo` (9.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelInfo {
    /// `VideoChannel`.
    #[serde(rename = "VideoChannel", default, with = "super::de::channel")]
    pub video_channels: Vec<Channel>,
    /// `AlarmInChannel`.
    #[serde(rename = "AlarmInChannel", default, with = "super::de::channel")]
    pub alarm_in_channels: Vec<Channel>,
    /// `AlarmOutChannel`.
    #[serde(rename = "AlarmOutChannel", default, with = "super::de::channel")]
    pub alarm_out_channels: Vec<Channel>,
    /// `AudioChannel`.
    #[serde(rename = "AudioChannel", default, with = "super::de::channel")]
    pub audio_channels: Vec<Channel>,
}

/// `JSON_ChannelInfo` (9.1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelInfoMsg {
    /// `ChannelInfo`.
    #[serde(rename = "ChannelInfo")]
    pub channel_info: ChannelInfo,
}

/// `EhomeParams` of a device to add (9.5).
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct EhomeParamsIn {
    /// `EhomeID`: the ISUP ID (up to 31 characters).
    #[serde(rename = "EhomeID", with = "lenient::string")]
    pub ehome_id: String,
    /// `EhomeKey`: the ISUP 5.0 key (up to 32 bytes). Never shown by `Debug`.
    #[serde(rename = "EhomeKey", default, skip_serializing_if = "Option::is_none", with = "secret_opt")]
    pub ehome_key: Option<SecretString>,
    /// `heartInterval`: heartbeat interval in seconds (default 10).
    #[serde(rename = "heartInterval", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub heart_interval: Option<u32>,
    /// `heartExceededCount`: heartbeat timeouts tolerated (default 3).
    #[serde(
        rename = "heartExceededCount",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_int"
    )]
    pub heart_exceeded_count: Option<u32>,
}

impl PartialEq for EhomeParamsIn {
    fn eq(&self, other: &Self) -> bool {
        self.ehome_id == other.ehome_id
            && self.ehome_key.as_ref().map(ExposeSecret::expose_secret)
                == other.ehome_key.as_ref().map(ExposeSecret::expose_secret)
            && self.heart_interval == other.heart_interval
            && self.heart_exceeded_count == other.heart_exceeded_count
    }
}

impl std::fmt::Debug for EhomeParamsIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EhomeParamsIn")
            .field("ehome_id", &self.ehome_id)
            .field("ehome_key", &self.ehome_key.as_ref().map(|_| "***"))
            .field("heart_interval", &self.heart_interval)
            .field("heart_exceeded_count", &self.heart_exceeded_count)
            .finish()
    }
}

/// Serde for an optional secret string (written in clear only on the wire).
mod secret_opt {
    use secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(v: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(secret) => s.serialize_str(secret.expose_secret()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
        Ok(Option::<String>::deserialize(d)?.filter(|s| !s.is_empty()).map(SecretString::from))
    }
}

impl EhomeParamsIn {
    /// ISUP parameters with an ID and (for ISUP 5.0) a key.
    pub fn new(ehome_id: impl Into<String>, ehome_key: Option<&str>) -> Self {
        EhomeParamsIn {
            ehome_id: ehome_id.into(),
            ehome_key: ehome_key.map(|k| SecretString::from(k.to_owned())),
            heart_interval: None,
            heart_exceeded_count: None,
        }
    }
}

/// A device to add (`Device` of `JSON_DeviceInList`, 9.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceIn {
    /// `protocolType`.
    #[serde(rename = "protocolType")]
    pub protocol_type: ProtocolType,
    /// `EhomeParams` (for `ehome` and `ehomeV5`).
    #[serde(rename = "EhomeParams", default, skip_serializing_if = "Option::is_none")]
    pub ehome_params: Option<EhomeParamsIn>,
    /// `devName` (up to 32 characters).
    #[serde(rename = "devName", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub dev_name: Option<String>,
    /// `devType`.
    #[serde(rename = "devType", default, skip_serializing_if = "Option::is_none")]
    pub dev_type: Option<DevType>,
    /// `visualVerification`: verify uploaded alarm videos (ISUP 5.0 alarm devices; default on).
    #[serde(
        rename = "visualVerification",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_bool_any"
    )]
    pub visual_verification: Option<bool>,
}

impl DeviceIn {
    /// An ISUP 5.0 security control panel with its ISUP ID and key.
    pub fn security_panel(ehome_id: impl Into<String>, ehome_key: &str, name: impl Into<String>) -> Self {
        DeviceIn {
            protocol_type: ProtocolType::EhomeV5,
            ehome_params: Some(EhomeParamsIn::new(ehome_id, Some(ehome_key))),
            dev_name: Some(name.into()),
            dev_type: Some(DevType::SecurityCp),
            visual_verification: None,
        }
    }
}

/// `JSON_DeviceInList` (9.5): the devices to add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceInListMsg {
    /// `DeviceInList`.
    #[serde(rename = "DeviceInList", with = "super::de::device")]
    pub device_in_list: Vec<DeviceIn>,
}

/// `EhomeParams` of an added device (9.6, 9.26).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EhomeParamsOut {
    /// `EhomeID`.
    #[serde(rename = "EhomeID", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub ehome_id: Option<String>,
    /// `heartInterval` (9.26).
    #[serde(rename = "heartInterval", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub heart_interval: Option<u32>,
    /// `heartExceededCount` (9.26).
    #[serde(
        rename = "heartExceededCount",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_int"
    )]
    pub heart_exceeded_count: Option<u32>,
}

/// The result for one device of `JSON_DeviceOutList` (9.6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceOut {
    /// `devIndex`: the new device ID, when it was added.
    #[serde(rename = "devIndex", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub dev_index: Option<String>,
    /// `devName`.
    #[serde(rename = "devName", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub dev_name: Option<String>,
    /// `protocolType`.
    #[serde(rename = "protocolType", default, skip_serializing_if = "Option::is_none")]
    pub protocol_type: Option<ProtocolType>,
    /// `EhomeParams`.
    #[serde(rename = "EhomeParams", default, skip_serializing_if = "Option::is_none")]
    pub ehome_params: Option<EhomeParamsOut>,
    /// `status`: success or fail.
    #[serde(rename = "status")]
    pub status: ItemStatus,
    /// `subStatusCode`: why it failed.
    #[serde(rename = "subStatusCode", default, skip_serializing_if = "Option::is_none")]
    pub sub_status_code: Option<SubStatus>,
}

/// `JSON_DeviceOutList` (9.6), possibly with the status members of `JSON_ResponseStatus` when
/// every device failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceOutListMsg {
    /// `DeviceOutList`.
    #[serde(rename = "DeviceOutList", default, with = "super::de::device")]
    pub device_out_list: Vec<DeviceOut>,
    /// The status sent next to the list, if any.
    #[serde(flatten)]
    pub status: BatchStatus,
}

fn split<T: Clone>(items: &[T], status: &BatchStatus, failed: impl Fn(&T) -> Option<SubStatus>) -> BatchOutcome<T> {
    let mut out = BatchOutcome { succeeded: Vec::new(), failed: Vec::new(), status: status.to_status() };
    for item in items {
        match failed(item) {
            Some(sub_status) => out.failed.push(BatchFailure { item: item.clone(), sub_status }),
            None => out.succeeded.push(item.clone()),
        }
    }
    out
}

impl DeviceOutListMsg {
    /// The per-device outcome.
    pub fn outcome(&self) -> BatchOutcome<DeviceOut> {
        split(&self.device_out_list, &self.status, |d| {
            (d.status != ItemStatus::Success)
                .then(|| d.sub_status_code.clone().unwrap_or_else(|| SubStatus::Other(d.status.to_string())))
        })
    }
}

/// `JSON_DevIndexList` (9.7): device IDs to delete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevIndexListMsg {
    /// `DevIndexList`.
    #[serde(rename = "DevIndexList", default, deserialize_with = "super::de::flexible_list")]
    pub dev_index_list: Vec<String>,
}

/// `JSON_DevList` (9.8): device IDs to refresh.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevListMsg {
    /// `DevList`.
    #[serde(rename = "DevList", default, deserialize_with = "super::de::flexible_list")]
    pub dev_list: Vec<String>,
}

/// The result for one device of `JSON_DelDevList` (9.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelDev {
    /// `devIndex`.
    #[serde(rename = "devIndex", with = "lenient::string")]
    pub dev_index: String,
    /// `status`: success or fail.
    #[serde(rename = "status")]
    pub status: ItemStatus,
    /// `subStatusCode`: why it failed (badParameters, theDeviceIdDoesNotExist, noMemory).
    #[serde(rename = "subStatusCode", default, skip_serializing_if = "Option::is_none")]
    pub sub_status_code: Option<SubStatus>,
}

/// `JSON_DelDevList` (9.2), possibly with status members when every deletion failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelDevListMsg {
    /// `DelDevList`.
    #[serde(rename = "DelDevList", default, with = "super::de::dev")]
    pub del_dev_list: Vec<DelDev>,
    /// The status sent next to the list, if any.
    #[serde(flatten)]
    pub status: BatchStatus,
}

impl DelDevListMsg {
    /// The per-device outcome.
    pub fn outcome(&self) -> BatchOutcome<DelDev> {
        split(&self.del_dev_list, &self.status, |d| {
            (d.status != ItemStatus::Success)
                .then(|| d.sub_status_code.clone().unwrap_or_else(|| SubStatus::Other(d.status.to_string())))
        })
    }
}

/// `Filter` of `JSON_SearchDescription` (9.25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchFilter {
    /// `key`: keyword (device ID, name or model).
    #[serde(rename = "key", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub key: Option<String>,
    /// `devType`.
    #[serde(rename = "devType", default, skip_serializing_if = "Option::is_none")]
    pub dev_type: Option<DevType>,
    /// `protocolType`.
    #[serde(rename = "protocolType", default, skip_serializing_if = "Option::is_none")]
    pub protocol_type: Option<ProtocolType>,
    /// `devStatus`.
    #[serde(rename = "devStatus", default, skip_serializing_if = "Option::is_none")]
    pub dev_status: Option<DevStatus>,
    /// `visualVerification`.
    #[serde(
        rename = "visualVerification",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_bool_any"
    )]
    pub visual_verification: Option<bool>,
    /// `ISAPIUserBound`: bound to a user with the ISAPI integration permission.
    #[serde(
        rename = "ISAPIUserBound",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_bool_any"
    )]
    pub isapi_user_bound: Option<bool>,
}

/// The members of `JSON_SearchDescription` (9.25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchDescription {
    /// `position`: index of the first result, from 0.
    #[serde(rename = "position", with = "lenient::int")]
    pub position: u32,
    /// `maxResult`: the page size.
    #[serde(rename = "maxResult", with = "lenient::int")]
    pub max_result: u32,
    /// `Filter`.
    #[serde(rename = "Filter", default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<SearchFilter>,
}

/// `JSON_SearchDescription` (9.25).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchDescriptionMsg {
    /// `SearchDescription`.
    #[serde(rename = "SearchDescription")]
    pub search_description: SearchDescription,
}

/// A device of `JSON_SearchResult` (9.26).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDevice {
    /// `devIndex`.
    #[serde(rename = "devIndex", with = "lenient::string")]
    pub dev_index: String,
    /// `devName`.
    #[serde(rename = "devName", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub dev_name: Option<String>,
    /// `devMode`: the device model (sic).
    #[serde(
        rename = "devMode",
        alias = "devModel",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_string"
    )]
    pub dev_mode: Option<String>,
    /// `devType`.
    #[serde(rename = "devType", default, skip_serializing_if = "Option::is_none")]
    pub dev_type: Option<DevType>,
    /// `protocolType`.
    #[serde(rename = "protocolType", default, skip_serializing_if = "Option::is_none")]
    pub protocol_type: Option<ProtocolType>,
    /// `EhomeParams`.
    #[serde(rename = "EhomeParams", default, skip_serializing_if = "Option::is_none")]
    pub ehome_params: Option<EhomeParamsOut>,
    /// `devStatus`.
    #[serde(rename = "devStatus", default, skip_serializing_if = "Option::is_none")]
    pub dev_status: Option<DevStatus>,
    /// `activeStatus`: activated (sent when online).
    #[serde(rename = "activeStatus", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_bool_any")]
    pub active_status: Option<bool>,
    /// `videoChannelNum`.
    #[serde(rename = "videoChannelNum", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub video_channel_num: Option<u32>,
    /// `visualVerification`.
    #[serde(
        rename = "visualVerification",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_bool_any"
    )]
    pub visual_verification: Option<bool>,
    /// `ISAPIUserBound`.
    #[serde(
        rename = "ISAPIUserBound",
        default,
        skip_serializing_if = "Option::is_none",
        with = "lenient::opt_bool_any"
    )]
    pub isapi_user_bound: Option<bool>,
}

/// The members of `JSON_SearchResult` (9.26).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    /// `numOfMatches`: results in this page.
    #[serde(rename = "numOfMatches", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub num_of_matches: Option<u32>,
    /// `totalMatches`: results in total.
    #[serde(rename = "totalMatches", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_int")]
    pub total_matches: Option<u32>,
    /// `MatchList` (present when totalMatches > 0).
    #[serde(rename = "MatchList", default, with = "super::de::device")]
    pub match_list: Vec<SearchDevice>,
}

/// `JSON_SearchResult` (9.26).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResultMsg {
    /// `SearchResult`.
    #[serde(rename = "SearchResult")]
    pub search_result: SearchResult,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_out_list_with_status_gives_a_per_item_outcome() {
        let body = r#"{"statusCode":4,"statusString":"Invalid Operation","subStatusCode":"deviceExist","errorCode":1073745940,
            "DeviceOutList":[{"Device":{"protocolType":"ehomeV5","EhomeParams":{"EhomeID":"a"},"status":"fail","subStatusCode":"deviceExist"}},
                             {"Device":{"protocolType":"ehomeV5","EhomeParams":{"EhomeID":"b"},"status":"fail","subStatusCode":"monitorNodeOverLimit"}}]}"#;
        let m: DeviceOutListMsg = serde_json::from_str(body).unwrap();
        let o = m.outcome();
        assert!(o.succeeded.is_empty());
        assert_eq!(o.failed.len(), 2);
        assert_eq!(o.failed[1].sub_status, SubStatus::MonitorNodeOverLimit);
        assert_eq!(o.status.unwrap().sub_status(), SubStatus::DeviceExist);
    }

    #[test]
    fn ehome_key_is_written_but_never_debugged() {
        let d = DeviceIn::security_panel("ax1", "s3cr3t-key", "Shop");
        let json = serde_json::to_string(&DeviceInListMsg { device_in_list: vec![d.clone()] }).unwrap();
        assert_eq!(
            json,
            r#"{"DeviceInList":[{"Device":{"protocolType":"ehomeV5","EhomeParams":{"EhomeID":"ax1","EhomeKey":"s3cr3t-key"},"devName":"Shop","devType":"SecurityCP"}}]}"#
        );
        assert!(!format!("{d:?}").contains("s3cr3t"));
    }

    #[test]
    fn device_info_list_object_or_array() {
        let one: DeviceInfoListMsg =
            serde_json::from_str(r#"{"DeviceInfoList":{"devIndex":"u1","deviceName":"a","deviceType":"SecurityCP"}}"#)
                .unwrap();
        assert_eq!(one.device_info_list.len(), 1);
        assert_eq!(one.device_info_list[0].info.device_type, Some(DeviceType::SecurityCp));
        let many: DeviceInfoListMsg = serde_json::from_str(
            r#"{"DeviceInfoList":[{"DeviceInfo":{"devIndex":"u1","deviceName":"a"}},{"devIndex":"u2","deviceType":"HybirdNVR"}]}"#,
        )
        .unwrap();
        assert_eq!(many.device_info_list[1].dev_index.as_deref(), Some("u2"));
        assert_eq!(many.device_info_list[1].info.device_type, Some(DeviceType::HybirdNvr));
    }
}
