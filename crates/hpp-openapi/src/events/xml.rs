//! The XML events of A.3 (A.3.10 to A.3.21): ISAPI `EventNotificationAlert` documents.
//!
//! Every one is read into one private document type with the members of all of them (one pass
//! of the XML reader whatever the type), then into the typed event its `<eventType>` names.
//! Element names match whatever the namespace or prefix (the core XML codec), and the same
//! members read from JSON, for a device that sends an XML-type event as JSON (the seed's 3.34
//! example sends `VMD` as JSON).

use serde::Deserialize;
use watchpost_core::codec::lenient;

use super::times::{null_as_empty, opt_float, opt_time, DeviceTime};

/// The members every XML event of A.3 shares.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct AlertHeader {
    /// The device serial number.
    pub device_serial: String,
    /// The channel (`xs:string` in the seed); see [`Self::channel`].
    pub channel_id: Option<String>,
    /// The channel's name.
    pub channel_name: Option<String>,
    /// When it happened, with a zone (`dateTime`).
    pub date_time: Option<DeviceTime>,
    /// When the alarm was triggered, device local (`triggerTime`, no zone).
    pub trigger_time: Option<DeviceTime>,
    /// How many times the event occurred.
    pub active_post_count: Option<u32>,
    /// `active` or `inactive`, for a persistent event.
    pub event_state: Option<String>,
    /// The event description.
    pub event_description: Option<String>,
}

impl AlertHeader {
    /// The channel number, when `channelID` is one.
    pub fn channel(&self) -> Option<u32> {
        self.channel_id.as_deref()?.trim().parse().ok()
    }

    /// The best time of the event: `dateTime` when it parses (it has a zone), else `triggerTime`.
    pub fn event_time(&self) -> Option<watchpost_core::alarm::EventTime> {
        self.date_time
            .as_ref()
            .and_then(DeviceTime::time)
            .or_else(|| self.trigger_time.as_ref().and_then(DeviceTime::time))
    }
}

/// One `HDD` of `HDDList`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Hdd {
    /// The HDD number, from 1.
    #[serde(default, with = "lenient::opt_int")]
    pub id: Option<u32>,
    /// The number of HDDs.
    #[serde(default, with = "lenient::opt_int")]
    pub disk_number: Option<u32>,
}

/// A.3.10-A.3.12 `diskerror`, `diskfull`, `diskrecover`: a disk event of a recorder.
///
/// The seed prints no body for `diskerror`, only the end of one (`</HDDList>`); it is read with
/// diskfull's members, as that end suggests.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct DiskAlert {
    /// The common members.
    pub header: AlertHeader,
    /// The disk number.
    pub disk_no: Option<u32>,
    /// The disks.
    pub hdds: Vec<Hdd>,
}

/// A point of `RegionCoordinatesList`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RegionPoint {
    /// The X coordinate.
    #[serde(default, with = "lenient::opt_int")]
    pub position_x: Option<i64>,
    /// The Y coordinate.
    #[serde(default, with = "lenient::opt_int")]
    pub position_y: Option<i64>,
}

/// `TargetRect`: the target's frame, each value in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Default, Deserialize)]
#[non_exhaustive]
pub struct TargetRect {
    /// The frame's X coordinate.
    #[serde(rename = "X", alias = "x", default, deserialize_with = "opt_float")]
    pub x: Option<f64>,
    /// The frame's Y coordinate.
    #[serde(rename = "Y", alias = "y", default, deserialize_with = "opt_float")]
    pub y: Option<f64>,
    /// The frame's width.
    #[serde(default, deserialize_with = "opt_float")]
    pub width: Option<f64>,
    /// The frame's height.
    #[serde(default, deserialize_with = "opt_float")]
    pub height: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
struct PointList {
    #[serde(rename = "RegionCoordinates", default, deserialize_with = "null_as_empty")]
    points: Vec<RegionPoint>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRegion {
    #[serde(rename = "regionID", default, with = "lenient::opt_string")]
    region_id: Option<String>,
    #[serde(default, with = "lenient::opt_int")]
    sensitivity_level: Option<u8>,
    #[serde(rename = "RegionCoordinatesList", default)]
    points: Option<PointList>,
    #[serde(default, with = "lenient::opt_string")]
    detection_target: Option<String>,
    #[serde(rename = "TargetRect", default)]
    target_rect: Option<TargetRect>,
}

/// One `DetectionRegionEntry`.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct DetectionRegion {
    /// The region's id.
    pub region_id: Option<String>,
    /// The sensitivity, 0 to 100.
    pub sensitivity_level: Option<u8>,
    /// The region's outline.
    pub points: Vec<RegionPoint>,
    /// `human`, `vehicle` or `others`.
    pub detection_target: Option<String>,
    /// The target's frame (not in regionExiting's definition).
    pub target_rect: Option<TargetRect>,
}

/// A.3.13, A.3.15, A.3.17, A.3.18 `fielddetection`, `linedetection`, `regionExiting`,
/// `regionEntrance`: a camera's smart detection.
///
/// The seed prints no body for `regionEntrance`; it is read with regionExiting's members.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct DetectionAlert {
    /// The common members.
    pub header: AlertHeader,
    /// The detection regions.
    pub regions: Vec<DetectionRegion>,
}

/// An XML event whose body the seed does not print (`IO`, `recordException`, `shelteralarm`,
/// `videoloss`): the common members typed, the whole document kept.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GenericAlert {
    /// The common members.
    pub header: AlertHeader,
    /// The event as received (the XML text, or JSON when the device sent JSON).
    pub raw: watchpost_core::alarm::RawEvent,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
struct RegionList {
    #[serde(rename = "DetectionRegionEntry", default, deserialize_with = "null_as_empty")]
    entries: Vec<RawRegion>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
struct HddList {
    #[serde(rename = "HDD", default, deserialize_with = "null_as_empty")]
    hdds: Vec<Hdd>,
}

/// The members of every XML event of A.3 in one document type.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct XmlAlert {
    #[serde(default, with = "lenient::string")]
    device_serial: String,
    #[serde(rename = "channelID", default, with = "lenient::opt_string")]
    channel_id: Option<String>,
    #[serde(default, with = "lenient::opt_string")]
    channel_name: Option<String>,
    #[serde(default, deserialize_with = "opt_time")]
    date_time: Option<DeviceTime>,
    #[serde(default, deserialize_with = "opt_time")]
    trigger_time: Option<DeviceTime>,
    #[serde(default, with = "lenient::opt_int")]
    active_post_count: Option<u32>,
    #[serde(default, with = "lenient::opt_string")]
    pub(crate) event_type: Option<String>,
    #[serde(default, with = "lenient::opt_string")]
    event_state: Option<String>,
    #[serde(default, with = "lenient::opt_string")]
    event_description: Option<String>,
    #[serde(default, with = "lenient::opt_int")]
    disk_no: Option<u32>,
    #[serde(rename = "HDDList", default)]
    hdd_list: Option<HddList>,
    #[serde(rename = "DetectionRegionList", default)]
    region_list: Option<RegionList>,
}

impl XmlAlert {
    fn header(&mut self) -> AlertHeader {
        AlertHeader {
            device_serial: std::mem::take(&mut self.device_serial),
            channel_id: self.channel_id.take(),
            channel_name: self.channel_name.take(),
            date_time: self.date_time.take(),
            trigger_time: self.trigger_time.take(),
            active_post_count: self.active_post_count,
            event_state: self.event_state.take(),
            event_description: self.event_description.take(),
        }
    }

    pub(crate) fn into_header(mut self) -> AlertHeader {
        self.header()
    }

    pub(crate) fn into_disk(mut self) -> DiskAlert {
        let header = self.header();
        DiskAlert { header, disk_no: self.disk_no, hdds: self.hdd_list.map(|l| l.hdds).unwrap_or_default() }
    }

    pub(crate) fn into_detection(mut self) -> DetectionAlert {
        let header = self.header();
        let regions = self
            .region_list
            .map(|l| l.entries)
            .unwrap_or_default()
            .into_iter()
            .map(|r| DetectionRegion {
                region_id: r.region_id,
                sensitivity_level: r.sensitivity_level,
                points: r.points.map(|p| p.points).unwrap_or_default(),
                detection_target: r.detection_target,
                target_rect: r.target_rect,
            })
            .collect();
        DetectionAlert { header, regions }
    }
}
