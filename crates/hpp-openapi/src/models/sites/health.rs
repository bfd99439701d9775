//! The site health monitoring report (section 3.17): per device, the alarm panel's or the
//! recorder's status, down to zones, peripherals, channels, disks and SMART attributes.
//!
//! Every member is optional and read leniently: the example drifts from the table in many places
//! (see the operation's notes), and the forms of both are read.

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient as wl;

use super::lenient::one_or_many;

/// The health report of a site.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthReport {
    /// Site ID.
    #[serde(default, with = "wl::opt_string", alias = "siteld")]
    pub site_id: Option<String>,
    /// One entry per device.
    #[serde(default)]
    pub report_detail: Vec<DeviceHealth>,
}

/// The health of one device.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceHealth {
    /// Device serial number.
    #[serde(default, with = "wl::opt_string")]
    pub device_serial: Option<String>,
    /// Device name.
    #[serde(default)]
    pub device_name: Option<String>,
    /// Firmware version (in the example, not in the table).
    #[serde(default)]
    pub device_version: Option<String>,
    /// Device type: "1" encoding device, "2" alarm device.
    #[serde(default, with = "wl::opt_string")]
    pub category: Option<String>,
    /// Sub-category: 0 unknown, 1 NVR, 2 DVR, 3 Ax2, 4 Ax Hub, 5 Ax Hybrid, 6-8 panic alarm
    /// stations, 9 MinMoe, 10 Ax Hybrid Pro, 11 solar camera, 12 door station, 13 fall detection
    /// radar (text is read too).
    #[serde(default, with = "wl::opt_int")]
    pub device_sub_category: Option<i64>,
    /// Device IP address (`devicelp` in the seed, OCR).
    #[serde(default, rename = "deviceIp", alias = "devicelp", alias = "deviceIP")]
    pub device_ip: Option<String>,
    /// Device model.
    #[serde(default)]
    pub device_model: Option<String>,
    /// Device ID.
    #[serde(default, with = "wl::opt_string")]
    pub device_id: Option<String>,
    /// 0 offline, 1 online.
    #[serde(default, with = "wl::opt_int")]
    pub online_status: Option<i64>,
    /// Last time offline, `yyyy-MM-ddTHH:mm:ss`.
    #[serde(default)]
    pub last_offline_time: Option<String>,
    /// Status of an alarm device (documented as a list, sent as an object: both are read).
    #[serde(default, deserialize_with = "one_or_many")]
    pub alarm_device_status: Vec<AlarmDeviceStatus>,
    /// Status of an encoding device (wire key `enCodingDeviceStatus`; a list or an object).
    #[serde(
        default,
        rename = "enCodingDeviceStatus",
        alias = "encodingDeviceStatus",
        deserialize_with = "one_or_many"
    )]
    pub encoding_device_status: Vec<EncodingDeviceStatus>,
}

/// The status of an alarm device (security control panel).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlarmDeviceStatus {
    /// Diagnosis result: "pass", "not pass".
    #[serde(default)]
    pub oper_res: Option<String>,
    /// Cloud connection: "online", "offline".
    #[serde(default)]
    pub cloud_status: Option<String>,
    /// Working status: "alarm", "partArm", "allDisArm".
    #[serde(default)]
    pub work_status: Option<String>,
    /// Mobile network: "connected", "not connected", "not Enabled", "unknown".
    #[serde(default)]
    pub cell_connect_status: Option<String>,
    /// Mobile signal: "strong", "middle", "weak", "noSignal".
    #[serde(default)]
    pub cell_signal_strength: Option<String>,
    /// Mobile data used, in MB (the example writes "70M").
    #[serde(default, with = "wl::opt_string")]
    pub data_used: Option<String>,
    /// Wired network: "ok", "disconnect".
    #[serde(default)]
    pub network_cable: Option<String>,
    /// Wi-Fi signal: "strong", "middle", "weak", "noSignal".
    #[serde(default)]
    pub wifi_signal_strength: Option<String>,
    /// Battery: "ok", "low".
    #[serde(default)]
    pub battery_status: Option<String>,
    /// ARC connections, comma-separated: `connected[1]`, `not connected[1]`, `notEnabled[1]`.
    #[serde(default)]
    pub arc_connect_status: Option<String>,
    /// Last inspection, device local time (`20,May,2023 16:56:12`).
    #[serde(default)]
    pub last_inspected: Option<String>,
    /// Network camera channels of the panel (wire key `IPCStatusList`).
    #[serde(default, rename = "IPCStatusList", alias = "ipcStatusList", deserialize_with = "one_or_many")]
    pub ipc_status_list: Vec<IpcStatus>,
    /// Zones.
    #[serde(default, deserialize_with = "one_or_many")]
    pub zones: Vec<ZoneStatus>,
    /// Keypads (the example's key has a trailing space: read too).
    #[serde(default, alias = "keyPadList ", deserialize_with = "one_or_many")]
    pub key_pad_list: Vec<PeripheralStatus>,
    /// Remote controls (keyfobs).
    #[serde(default, deserialize_with = "one_or_many")]
    pub remote_list: Vec<PeripheralStatus>,
    /// Card readers.
    #[serde(default, deserialize_with = "one_or_many")]
    pub card_reader_list: Vec<PeripheralStatus>,
    /// Output modules.
    #[serde(default, deserialize_with = "one_or_many")]
    pub out_put_list: Vec<PeripheralStatus>,
    /// Repeaters.
    #[serde(default, deserialize_with = "one_or_many")]
    pub repeater_list: Vec<PeripheralStatus>,
    /// Sounders (sirens).
    #[serde(default, deserialize_with = "one_or_many")]
    pub siren_list: Vec<PeripheralStatus>,
    /// Transmitters (`TransmitterList` in the example: read too).
    #[serde(default, alias = "TransmitterList", deserialize_with = "one_or_many")]
    pub transmitter_list: Vec<PeripheralStatus>,
    /// Relays.
    #[serde(default, deserialize_with = "one_or_many")]
    pub relay_list: Vec<PeripheralStatus>,
}

/// A network camera channel of an alarm device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IpcStatus {
    /// Channel ID.
    #[serde(default, with = "wl::opt_string")]
    pub id: Option<String>,
    /// "normal" connected, "break" disconnected, "notRegister" not registered (as sent; the
    /// example has trailing spaces).
    #[serde(default)]
    pub status: Option<String>,
    /// Channel type (in the example, not in the table).
    #[serde(default, rename = "type")]
    pub channel_type: Option<String>,
    /// Last trigger, device local time.
    #[serde(default)]
    pub last_trigger_time: Option<String>,
}

/// The status of one zone of an alarm device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZoneStatus {
    /// Zone name.
    #[serde(default, with = "wl::opt_string")]
    pub name: Option<String>,
    /// Zone ID (`zoneld` in the table, OCR).
    #[serde(default, with = "wl::opt_int", alias = "zoneld")]
    pub zone_id: Option<i64>,
    /// Device ID.
    #[serde(default, with = "wl::opt_string")]
    pub device_id: Option<String>,
    /// Tamper: "true" enabled, "false" disabled.
    #[serde(default, with = "wl::opt_string")]
    pub tamper_status: Option<String>,
    /// Diagnosis: "PASS", "NOT PASS".
    #[serde(default)]
    pub diagnostics_result: Option<String>,
    /// Network: "ok", "offline".
    #[serde(default)]
    pub network_status: Option<String>,
    /// Battery: "ok", "low", "unknown".
    #[serde(default)]
    pub battery_status: Option<String>,
    /// Signal: "strong", "middle", "weak", "noSignal".
    #[serde(default)]
    pub signal_strength: Option<String>,
    /// Zone type: "Wired Zone", "Wireless Zone".
    #[serde(default)]
    pub peripheral_type: Option<String>,
    /// Bypass: "No" disabled, "Yes" enabled.
    #[serde(default)]
    pub by_pass_status: Option<String>,
    /// External power: "Connected", "not connected".
    #[serde(default)]
    pub external_power: Option<String>,
    /// Last trigger, device local time.
    #[serde(default)]
    pub last_trigger_time: Option<String>,
    /// Last capture, device local time.
    #[serde(default)]
    pub last_capture_time: Option<String>,
}

/// The status of a peripheral of an alarm device (keypad, keyfob, card reader, output module,
/// repeater, sounder, transmitter, relay).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeripheralStatus {
    /// ID (documented as an array, sent as a number: read as text).
    #[serde(default, with = "wl::opt_string")]
    pub id: Option<String>,
    /// Name (documented as an integer, sent as text: read as text).
    #[serde(default, with = "wl::opt_string")]
    pub name: Option<String>,
    /// Serial number.
    #[serde(default, with = "wl::opt_string")]
    pub seq: Option<String>,
    /// Tamper: "true" enabled, "false" disabled.
    #[serde(default, with = "wl::opt_string")]
    pub tamper_status: Option<String>,
    /// Diagnosis: "PASS", "NOT PASS".
    #[serde(default)]
    pub diagnostics_result: Option<String>,
    /// Network: "ok", "offline".
    #[serde(default)]
    pub network_status: Option<String>,
    /// Battery: "ok", "low", "unknown".
    #[serde(default)]
    pub battery_status: Option<String>,
    /// Signal: "strong", "middle", "weak", "noSignal".
    #[serde(default)]
    pub signal_strength: Option<String>,
    /// Type: "Wired Zone", "Wireless Zone".
    #[serde(default)]
    pub peripheral_type: Option<String>,
    /// Bypass: "No", "Yes".
    #[serde(default)]
    pub by_pass_status: Option<String>,
    /// External power: "Connected", "not connected".
    #[serde(default)]
    pub external_power: Option<String>,
    /// Last operation, device local time.
    #[serde(default)]
    pub last_operation_time: Option<String>,
    /// Last trigger, device local time.
    #[serde(default)]
    pub last_trigger_time: Option<String>,
    /// Last sounding (sirens), device local time (`LastSoundTime` in the table: read too).
    #[serde(default, alias = "LastSoundTime")]
    pub last_sound_time: Option<String>,
}

/// The status of an encoding device (NVR, DVR, camera).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EncodingDeviceStatus {
    /// Overwrite recording: 0 disabled, 1 enabled.
    #[serde(default, with = "wl::opt_int")]
    pub loop_enable: Option<i64>,
    /// Disk usage.
    #[serde(default)]
    pub disk_usage: Option<f64>,
    /// Disk status of all disks (0 unknown ... 16 thermal imaging device disk error; see 3.17).
    #[serde(default, with = "wl::opt_int")]
    pub disk_status: Option<i64>,
    /// Video loss: 0 not relevant, 1 normal, 2 lost (wire key `videoSingle`, sic).
    #[serde(default, rename = "videoSingle", alias = "videoSignal", with = "wl::opt_int")]
    pub video_signal: Option<i64>,
    /// Channels.
    #[serde(default, deserialize_with = "one_or_many")]
    pub channels: Vec<ChannelStatus>,
    /// Disks.
    #[serde(default, deserialize_with = "one_or_many")]
    pub hdds: Vec<HddStatus>,
    /// SMART attributes: the example puts them beside `hdds` rather than in each disk.
    #[serde(default, deserialize_with = "one_or_many")]
    pub hdd_attribute_dto_list: Vec<HddAttribute>,
}

/// The status of one channel of an encoding device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelStatus {
    /// Channel name.
    #[serde(default, with = "wl::opt_string")]
    pub name: Option<String>,
    /// 0 offline, 1 online.
    #[serde(default, with = "wl::opt_int")]
    pub status: Option<i64>,
    /// Device ID.
    #[serde(default, with = "wl::opt_string")]
    pub device_id: Option<String>,
    /// Channel number.
    #[serde(default, with = "wl::opt_int")]
    pub channel_no: Option<i64>,
    /// Channel IP address (`channellpaddr` in the seed, OCR).
    #[serde(default, rename = "channelIpaddr", alias = "channellpaddr", alias = "channelIpAddr")]
    pub channel_ip_addr: Option<String>,
}

/// The status of one disk of an encoding device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HddStatus {
    /// Device ID.
    #[serde(default, with = "wl::opt_string")]
    pub device_id: Option<String>,
    /// Disk number.
    #[serde(default, with = "wl::opt_int")]
    pub hdd_no: Option<i64>,
    /// Temperature.
    #[serde(default, with = "wl::opt_int")]
    pub temperature: Option<i64>,
    /// Running time in days (wire key `poweronday`).
    #[serde(default, rename = "poweronday", with = "wl::opt_int")]
    pub power_on_days: Option<i64>,
    /// Self-evaluation: 0 ok, 1 error (wire key `selfevaluatingstatus`).
    #[serde(default, rename = "selfevaluatingstatus", with = "wl::opt_int")]
    pub self_evaluating_status: Option<i64>,
    /// Overall evaluation: 0 functional, 1 bad sectors, 2 fault (wire key `allevaluatingstatus`).
    #[serde(default, rename = "allevaluatingstatus", with = "wl::opt_int")]
    pub all_evaluating_status: Option<i64>,
    /// SMART attributes of the disk.
    #[serde(default, deserialize_with = "one_or_many")]
    pub hdd_attribute_dto_list: Vec<HddAttribute>,
}

/// One SMART attribute of a disk.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HddAttribute {
    /// Disk number.
    #[serde(default, with = "wl::opt_int")]
    pub hdd_no: Option<i64>,
    /// 0 normal, 1 exceptional.
    #[serde(default, with = "wl::opt_int")]
    pub status: Option<i64>,
    /// The SMART attribute ID (1 raw read error rate ... 250 read error retry rate; see 3.17)
    /// (wire key `attributed`; the example's `"attributed "` with a space and text are read too).
    #[serde(default, rename = "attributed", alias = "attributed ", with = "wl::opt_int")]
    pub attribute_id: Option<i64>,
}
