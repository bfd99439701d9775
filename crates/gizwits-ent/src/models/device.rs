//! Devices: lookup, details, enumeration, online records, communication log and data history.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::{opt_f64, opt_timestamp, Timestamp};
use super::control::AttrValue;
use super::enums::{CommandDirection, OfflineReason, OnlineEventType};
use super::product::ProductDatapoints;

/// The did of a device found by MAC (`GET .../devices?mac=`).
///
/// The table lists only `did`; the example adds `passcode`, which `Debug` never shows.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceDid {
    /// Device ID.
    #[serde(with = "watchpost_core::codec::lenient::string")]
    pub did: String,
    /// Device passcode (a credential: redacted in `Debug`).
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub passcode: Option<String>,
}

impl fmt::Debug for DeviceDid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeviceDid")
            .field("did", &self.did)
            .field("passcode", &self.passcode.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Details of a device (`GET .../device_detail?mac=`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceDetail {
    /// Device ID.
    #[serde(with = "watchpost_core::codec::lenient::string")]
    pub did: String,
    /// MAC address.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub mac: Option<String>,
    /// Product key.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub product_key: Option<String>,
    /// Whether the device is online.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_bool_any")]
    pub is_online: Option<bool>,
    /// Whether the device is logged off (disabled).
    #[serde(default, with = "watchpost_core::codec::lenient::opt_bool_any")]
    pub is_disabled: Option<bool>,
    /// Device type (`normal`, ...).
    #[serde(rename = "type", default, with = "watchpost_core::codec::lenient::opt_string")]
    pub device_type: Option<String>,
}

/// A device of the enumeration (`GET .../devices/search`).
///
/// The flags are typed integer but sent as booleans, the coordinates typed string/integer but
/// sent as decimals: every form is read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Device {
    /// Device ID.
    #[serde(with = "watchpost_core::codec::lenient::string")]
    pub did: String,
    /// MAC address.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub mac: Option<String>,
    /// Whether the device is online.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_bool_any")]
    pub is_online: Option<bool>,
    /// Whether a fault is active.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_bool_any")]
    pub is_faulty: Option<bool>,
    /// Whether an alarm is active.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_bool_any")]
    pub is_alert: Option<bool>,
    /// Country.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub country: Option<String>,
    /// Province.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub region: Option<String>,
    /// City.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub city: Option<String>,
    /// Longitude (decimal degrees).
    #[serde(default, with = "opt_f64")]
    pub longitude: Option<f64>,
    /// Latitude (decimal degrees).
    #[serde(default, with = "opt_f64")]
    pub latitude: Option<f64>,
    /// When the device was most recently online.
    #[serde(default, with = "opt_timestamp")]
    pub online_latest: Option<Timestamp>,
    /// Device creation time.
    #[serde(default, with = "opt_timestamp")]
    pub created_at: Option<Timestamp>,
    /// MCU hardware version.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub mcu_hard_version: Option<String>,
    /// MCU software version.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub mcu_soft_version: Option<String>,
    /// Wi-Fi hardware version.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub wifi_hard_version: Option<String>,
    /// Wi-Fi software version.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub wifi_soft_version: Option<String>,
}

/// The payload of an online/offline or communication record: an object (online records), text
/// (the communication log's hex or base64 frame), or anything else kept as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RecordPayload {
    /// Text.
    Text(String),
    /// An online/offline details object.
    Details(OnlineDetails),
    /// Anything else.
    Other(Value),
}

impl RecordPayload {
    /// The text, when the payload is text.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            RecordPayload::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The online/offline details, when the payload is an object.
    pub fn details(&self) -> Option<&OnlineDetails> {
        match self {
            RecordPayload::Details(d) => Some(d),
            _ => None,
        }
    }

    /// The frame bytes of a text payload: hex when it is hex (as in the seed's examples), else
    /// base64 (as its prose says).
    pub fn bytes(&self) -> Option<Vec<u8>> {
        let text = self.as_text()?.trim();
        if text.len() % 2 == 0 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return hex::decode(text).ok();
        }
        base64::engine::general_purpose::STANDARD.decode(text).ok()
    }
}

/// Details of an online or offline event.
///
/// The table lists `KeepAlive`, `count`, `max`... flat; the example nests `keep_alive` and puts the
/// heartbeat statistics under `heartbeat`. Both layouts are read.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OnlineDetails {
    /// Heartbeat interval the device asked for, seconds (online events).
    #[serde(default, alias = "KeepAlive", with = "watchpost_core::codec::lenient::opt_int")]
    pub keep_alive: Option<u64>,
    /// How long the device was online, seconds (offline events).
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub duration: Option<u64>,
    /// Heartbeat statistics of the session (offline events).
    #[serde(default)]
    pub heartbeat: Option<HeartbeatStats>,
    /// Why the device went offline.
    #[serde(default)]
    pub reason: Option<OfflineReason>,
    /// Heartbeat count when sent flat (as the table lists it).
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

impl OnlineDetails {
    /// The heartbeat statistics, nested or flat.
    pub fn heartbeat_stats(&self) -> Option<HeartbeatStats> {
        self.heartbeat
            .clone()
            .or_else(|| self.count.map(|count| HeartbeatStats { count: Some(count), ..Default::default() }))
    }
}

/// Heartbeats received during an online session.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HeartbeatStats {
    /// Number of heartbeats.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub count: Option<u64>,
    /// Maximum interval, seconds.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub max: Option<u64>,
    /// Minimum interval, seconds.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub min: Option<u64>,
    /// Average interval, seconds.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub avg: Option<u64>,
    /// Time from the last heartbeat to going offline, seconds.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_int")]
    pub last: Option<u64>,
}

/// An online or offline record (`GET .../devices/{did}/online`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnlineRecord {
    /// When the event was received (fractional Unix seconds).
    pub timestamp: Timestamp,
    /// `dev_online` or `dev_offline`.
    #[serde(rename = "type")]
    pub event: OnlineEventType,
    /// Details.
    #[serde(default)]
    pub payload: Option<RecordPayload>,
}

/// A communication-log record (`GET .../devices/{did}/cmd`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommandLog {
    /// When the frame was received (fractional Unix seconds).
    pub timestamp: Timestamp,
    /// `app2dev` or `dev2app`.
    #[serde(rename = "type")]
    pub direction: CommandDirection,
    /// The raw frame (hex text in the examples).
    #[serde(default)]
    pub payload: Option<RecordPayload>,
}

/// A data history record (`GET .../devices/{did}/data`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataRecord {
    /// When the values were reported (Unix seconds).
    pub ts: Timestamp,
    /// Data point values, loosely typed (bools as 0/1, enums as display text).
    #[serde(default)]
    pub attrs: BTreeMap<String, Value>,
}

impl DataRecord {
    /// The value of data point `name`, typed by the product's definition (see
    /// [`ProductDatapoints::typed_value`]), or untyped when the point is not defined there.
    pub fn value(&self, name: &str, datapoints: Option<&ProductDatapoints>) -> Option<AttrValue> {
        let raw = self.attrs.get(name)?;
        Some(datapoints.and_then(|d| d.typed_value(name, raw)).unwrap_or_else(|| AttrValue::from_json(raw)))
    }
}

#[cfg(test)]
mod tests {
    use super::super::Page;
    use super::*;

    #[test]
    fn lookup_and_detail_examples_decode() {
        // L572
        let d: DeviceDid =
            serde_json::from_str(r#"{ "did": "cBYkSjoE2xspYMhaUHdk5k", "passcode": "123456" }"#).unwrap();
        assert_eq!(d.did, "cBYkSjoE2xspYMhaUHdk5k");
        assert!(!format!("{d:?}").contains("123456"));
        // L613
        let d: DeviceDetail = serde_json::from_str(r#"{ "did": "dE2xjocBhaUHkYkSspYM5k", "is_disabled": false, "product_key": "6f2e214bf2d79649232431b94a25f46a", "mac": "virtual:site", "is_online": false, "type": "normal" }"#).unwrap();
        assert_eq!((d.is_online, d.is_disabled, d.device_type.as_deref()), (Some(false), Some(false), Some("normal")));
    }

    #[test]
    fn enumeration_example_decodes_with_bool_flags_and_decimal_coordinates() {
        // L759
        let p: Page<Device> = serde_json::from_str(r#"{ "meta": { "previous": null, "skip": 0, "total": 3, "limit": 20, "next": null }, "objects": [ { "city": "Guangzhou", "mcu_hard_version": null, "mcu_soft_version": null, "did": "kYkSE2xspYjocBhaUHdM5k", "country": "China", "region": "Guangdong", "mac": "virtual:site", "longitude": 113.280637, "wifi_hard_version": null, "online_latest": 1517296665, "wifi_soft_version": null, "is_online": false, "latitude": 23.125178, "is_alert": false, "created_at": 1505789918, "is_faulty": false } ] }"#).unwrap();
        let d = &p.objects[0];
        assert_eq!((d.longitude, d.latitude), (Some(113.280637), Some(23.125178)));
        assert_eq!((d.is_online, d.is_alert, d.is_faulty), (Some(false), Some(false), Some(false)));
        // As typed in the table: integer flags, string longitude.
        let d: Device = serde_json::from_str(r#"{"did":"x","is_online":1,"longitude":"113.2","latitude":23}"#).unwrap();
        assert_eq!((d.is_online, d.longitude, d.latitude), (Some(true), Some(113.2), Some(23.0)));
    }

    #[test]
    fn online_example_decodes_with_fractional_timestamps_and_object_payloads() {
        // L901
        let p: Page<OnlineRecord> = serde_json::from_str(r#"{ "meta": { "previous": null, "skip": 0, "total": 5, "limit": 20, "next": null }, "objects": [ { "timestamp": 1517384124.229, "type": "dev_online", "payload": { "keep_alive": 130 } }, { "timestamp": 1517298056.201, "type": "dev_offline", "payload": { "duration": 1391, "heartbeat": { "count": 21, "max": 60, "avg": 60, "last": 130, "min": 60 }, "reason": "no_heartbeat" } } ] }"#).unwrap();
        assert_eq!(p.objects[0].event, OnlineEventType::Online);
        assert_eq!(p.objects[0].timestamp.as_millis(), 1_517_384_124_229);
        let d = p.objects[0].payload.as_ref().and_then(RecordPayload::details).unwrap();
        assert_eq!(d.keep_alive, Some(130));
        let off = p.objects[1].payload.as_ref().and_then(RecordPayload::details).unwrap();
        assert_eq!(off.reason, Some(OfflineReason::NoHeartbeat));
        assert_eq!(off.heartbeat_stats().and_then(|h| h.count), Some(21));
        // The table's flat layout.
        let flat: OnlineRecord =
            serde_json::from_str(r#"{"timestamp":1,"type":"dev_online","payload":{"KeepAlive":60,"count":3}}"#)
                .unwrap();
        let d = flat.payload.as_ref().and_then(RecordPayload::details).unwrap();
        assert_eq!((d.keep_alive, d.heartbeat_stats().and_then(|h| h.count)), (Some(60), Some(3)));
    }

    #[test]
    fn command_and_data_examples_decode() {
        // L980
        let p: Page<CommandLog> = serde_json::from_str(r#"{ "meta": { "previous": null, "skip": 0, "total": 6, "limit": 20, "next": null }, "objects": [ { "timestamp": 1517384252.294, "type": "app2dev", "payload": "0000000309000090010101000010" }, { "timestamp": 1517384243.044, "type": "dev2app", "payload": "000000030b0000910401000010000000" } ] }"#).unwrap();
        assert_eq!(p.objects[0].direction, CommandDirection::AppToDevice);
        let bytes = p.objects[0].payload.as_ref().and_then(RecordPayload::bytes).unwrap();
        assert_eq!(bytes[..4], [0, 0, 0, 3]);
        // L1054
        let p: Page<DataRecord> = serde_json::from_str(r#"{ "meta": { "previous": null, "skip": 0, "total": 3, "limit": 20, "next": null }, "objects": [ { "ts": 1517384243, "attrs": { "alert_full": 0, "alert_shutdown": 0, "mode": "制冷", "fan_swing": 0, "switch": 1, "fan_speed": "低风", "fault_roomtemp": 0, "room_temp": -10, "set_temp": 16, "off_timing": 0, "on_timing": 0 } } ] }"#).unwrap();
        let r = &p.objects[0];
        assert_eq!(r.value("room_temp", None), Some(AttrValue::Int(-10)));
        assert_eq!(r.value("mode", None), Some(AttrValue::Text("制冷".into())));
        assert_eq!(r.value("missing", None), None);
    }
}
