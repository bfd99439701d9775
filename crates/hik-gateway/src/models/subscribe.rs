//! Alarm/event subscription messages (6.1, 8.2, 9.27-9.30).

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;

use super::{BatchFailure, BatchOutcome};
use crate::error::SubStatus;

watchpost_core::open_str_enum! {
    /// `eventMode` of `JSON_SubscribeDeviceMgmt` (9.28).
    EventMode {
        /// `all`: subscribe every device.
        All = "all",
        /// `device`: subscribe the devices of `DevEventList`.
        Device = "device",
    }
}

watchpost_core::open_str_enum! {
    /// `uploadMode` (9.27, 9.28) and `defenceMode` (9.28): all events or some of them.
    UploadMode {
        /// `all`: every event of the device.
        All = "all",
        /// `part`: the events of `eventList`.
        Part = "part",
    }
}

watchpost_core::open_str_enum! {
    /// An event type of `eventList` (9.27, 9.28; A.1).
    EventKind {
        /// `videoReview`: video verification alarm.
        VideoReview = "videoReview",
        /// `CIDAlarm`: CID (Contact ID) alarm.
        CidAlarm = "CIDAlarm",
        /// `devStatusChanged`: device online/offline (A.1 general event).
        DevStatusChanged = "devStatusChanged",
    }
}

/// The subscription of one device (`Dev` of `DevEventList`, 9.28; also 9.27).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevEvent {
    /// `devIndex`.
    #[serde(rename = "devIndex", with = "lenient::string")]
    pub dev_index: String,
    /// `uploadMode`: all or part.
    #[serde(rename = "uploadMode")]
    pub upload_mode: UploadMode,
    /// `eventList` (valid when uploadMode is part).
    #[serde(
        rename = "eventList",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "super::de::flexible_list"
    )]
    pub event_list: Vec<EventKind>,
}

impl DevEvent {
    /// Every event of a device.
    pub fn all(dev_index: impl Into<String>) -> Self {
        DevEvent { dev_index: dev_index.into(), upload_mode: UploadMode::All, event_list: Vec::new() }
    }

    /// Some events of a device.
    pub fn part(dev_index: impl Into<String>, events: impl IntoIterator<Item = EventKind>) -> Self {
        DevEvent {
            dev_index: dev_index.into(),
            upload_mode: UploadMode::Part,
            event_list: events.into_iter().collect(),
        }
    }
}

/// The members of `JSON_SubscribeDeviceMgmt` (9.28).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeDeviceMgmt {
    /// `eventMode`.
    #[serde(rename = "eventMode")]
    pub event_mode: EventMode,
    /// `DevEventList` (valid when eventMode is device).
    #[serde(rename = "DevEventList", default, skip_serializing_if = "Vec::is_empty", with = "super::de::dev")]
    pub dev_event_list: Vec<DevEvent>,
    /// `defenceMode` (required, meaningful when eventMode is all).
    #[serde(rename = "defenceMode", default, skip_serializing_if = "Option::is_none")]
    pub defence_mode: Option<UploadMode>,
    /// `eventList` (valid when defenceMode is part).
    #[serde(
        rename = "eventList",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "super::de::flexible_list"
    )]
    pub event_list: Vec<EventKind>,
}

/// `JSON_SubscribeDeviceMgmt` (9.28): what to subscribe.
///
/// ```
/// use hik_gateway::models::{SubscribeDeviceMgmtMsg, EventKind, DevEvent};
/// assert_eq!(
///     serde_json::to_string(&SubscribeDeviceMgmtMsg::all())?,
///     r#"{"SubscribeDeviceMgmt":{"eventMode":"all","defenceMode":"all"}}"#,
/// );
/// let by_device = SubscribeDeviceMgmtMsg::devices([DevEvent::part("u1", [EventKind::CidAlarm])]);
/// assert_eq!(
///     serde_json::to_string(&by_device)?,
///     r#"{"SubscribeDeviceMgmt":{"eventMode":"device","DevEventList":[{"Dev":{"devIndex":"u1","uploadMode":"part","eventList":["CIDAlarm"]}}],"defenceMode":"all"}}"#,
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeDeviceMgmtMsg {
    /// `SubscribeDeviceMgmt`.
    #[serde(rename = "SubscribeDeviceMgmt")]
    pub subscribe_device_mgmt: SubscribeDeviceMgmt,
}

impl SubscribeDeviceMgmtMsg {
    /// Every event of every device: the seed's example body (`eventMode` and `defenceMode` all).
    pub fn all() -> Self {
        SubscribeDeviceMgmtMsg {
            subscribe_device_mgmt: SubscribeDeviceMgmt {
                event_mode: EventMode::All,
                dev_event_list: Vec::new(),
                defence_mode: Some(UploadMode::All),
                event_list: Vec::new(),
            },
        }
    }

    /// Some event types of every device (`defenceMode` part).
    pub fn all_of(events: impl IntoIterator<Item = EventKind>) -> Self {
        SubscribeDeviceMgmtMsg {
            subscribe_device_mgmt: SubscribeDeviceMgmt {
                event_mode: EventMode::All,
                dev_event_list: Vec::new(),
                defence_mode: Some(UploadMode::Part),
                event_list: events.into_iter().collect(),
            },
        }
    }

    /// The listed devices (`eventMode` device). `defenceMode` is sent as `all` because the
    /// seed marks it required even though it only applies to eventMode all.
    pub fn devices(devices: impl IntoIterator<Item = DevEvent>) -> Self {
        SubscribeDeviceMgmtMsg {
            subscribe_device_mgmt: SubscribeDeviceMgmt {
                event_mode: EventMode::Device,
                dev_event_list: devices.into_iter().collect(),
                defence_mode: Some(UploadMode::All),
                event_list: Vec::new(),
            },
        }
    }
}

/// `JSON_SubscribeDevEvent` (9.27): the event types of one device in a subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeDevEventMsg {
    /// `SubscribeDevEvent`.
    #[serde(rename = "SubscribeDevEvent")]
    pub subscribe_dev_event: DevEvent,
}

/// A device that could not be subscribed (`Dev` of `FailList`, 9.29).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedDevice {
    /// `devIndex`.
    #[serde(rename = "devIndex", with = "lenient::string")]
    pub dev_index: String,
    /// `subStatusCode`: why.
    #[serde(rename = "subStatusCode")]
    pub sub_status_code: SubStatus,
}

/// The members of `JSON_SubscribeDeviceMgmtRsp` (9.29): the first part of the alarm stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeDeviceMgmtRsp {
    /// `id`: the subscription ID (a number in the example, a string in the template).
    #[serde(rename = "id", default, skip_serializing_if = "Option::is_none", with = "lenient::opt_string")]
    pub id: Option<String>,
    /// `FailList`: devices that could not be armed (the stream still runs for the others).
    #[serde(rename = "FailList", default, skip_serializing_if = "Vec::is_empty", with = "super::de::dev")]
    pub fail_list: Vec<FailedDevice>,
}

impl SubscribeDeviceMgmtRsp {
    /// The failed devices as a batch outcome (the succeeded side is unknown to the gateway's
    /// answer and left empty).
    pub fn failures(&self) -> BatchOutcome<String> {
        BatchOutcome {
            succeeded: Vec::new(),
            failed: self
                .fail_list
                .iter()
                .map(|f| BatchFailure { item: f.dev_index.clone(), sub_status: f.sub_status_code.clone() })
                .collect(),
            status: None,
        }
    }
}

/// `JSON_SubscribeDeviceMgmtRsp` (9.29).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeDeviceMgmtRspMsg {
    /// `SubscribeDeviceMgmtRsp`.
    #[serde(rename = "SubscribeDeviceMgmtRsp")]
    pub subscribe_device_mgmt_rsp: SubscribeDeviceMgmtRsp,
}

watchpost_core::open_str_enum! {
    /// Arming status of one device in a subscription (9.30).
    SubscribeStatus {
        /// `continue`: connected.
        Continue = "continue",
        /// `abnormalLink`: connection exception.
        AbnormalLink = "abnormalLink",
        /// `fail`: subscribing failed.
        Fail = "fail",
    }
}

/// One device of `JSON_SubscribeQueryStatusList` (9.30).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevSubscribeStatus {
    /// `devIndex`.
    #[serde(rename = "devIndex", with = "lenient::string")]
    pub dev_index: String,
    /// `status`.
    #[serde(rename = "status")]
    pub status: SubscribeStatus,
}

/// `JSON_SubscribeQueryStatusList` (9.30).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubscribeQueryStatusListMsg {
    /// `SubscribeQueryStatusList`.
    #[serde(rename = "SubscribeQueryStatusList", default, with = "super::de::dev")]
    pub subscribe_query_status_list: Vec<DevSubscribeStatus>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_part_of_the_seed_stream() {
        let r: SubscribeDeviceMgmtRspMsg = serde_json::from_str(r#"{"SubscribeDeviceMgmtRsp":{"id":5939}}"#).unwrap();
        assert_eq!(r.subscribe_device_mgmt_rsp.id.as_deref(), Some("5939"));
        let r: SubscribeDeviceMgmtRspMsg = serde_json::from_str(
            r#"{"SubscribeDeviceMgmtRsp":{"id":"7","FailList":[{"Dev":{"devIndex":"u9","subStatusCode":"theDeviceIdDoesNotExist"}}]}}"#,
        )
        .unwrap();
        let f = r.subscribe_device_mgmt_rsp.failures();
        assert_eq!(f.failed[0].item, "u9");
        assert_eq!(f.failed[0].sub_status, SubStatus::TheDeviceIdDoesNotExist);
    }

    #[test]
    fn query_status() {
        let q: SubscribeQueryStatusListMsg = serde_json::from_str(
            r#"{"SubscribeQueryStatusList":[{"Dev":{"devIndex":"a","status":"continue"}},{"Dev":{"devIndex":"b","status":"abnormalLink"}}]}"#,
        )
        .unwrap();
        assert_eq!(q.subscribe_query_status_list[1].status, SubscribeStatus::AbnormalLink);
    }
}
