//! The alarm events of Appendix A.3, typed, and their vendor-neutral [`Alarm`].
//!
//! A message of `mq/messages` ([`AlarmMessage`]) carries one event in `alarmData`: JSON (text or
//! an embedded object) or ISAPI XML text. [`HppEvent::from_message`] reads it into one of 21
//! typed events (9 JSON, 12 XML) or, for any other type, [`HppEvent::Unknown`] with the event
//! kept raw; [`to_alarm`] maps it to an [`Alarm`] ([`decode_alarm`] does both, reading the JSON
//! once).
//!
//! ```
//! use std::time::SystemTime;
//! use hpp_openapi::events::{to_alarm, HppEvent};
//! use hpp_openapi::models::mq::MessageBatch;
//! use watchpost_core::alarm::{AlarmSource, Category};
//!
//! let xml = "<EventNotificationAlert><eventType>VMD</eventType><channelID>2</channelID>\
//!            <triggerTime>2024-05-08T20:48:17</triggerTime></EventNotificationAlert>";
//! let batch: MessageBatch = serde_json::from_value(serde_json::json!({"batchId": "b1",
//!     "list": [{"formatType": "XML", "deviceSerial": "Q01234567", "alarmData": xml}]}))?;
//! let source = AlarmSource::new("hpp", "my-app-key");
//! for msg in &batch.list {
//!     let (event, error) = HppEvent::from_message_or_raw(msg);
//!     assert!(error.is_none());
//!     let alarm = to_alarm(msg, &event, &source, SystemTime::now());
//!     assert_eq!((alarm.category, alarm.channel, alarm.device_id.as_str()), (Category::Intrusion, Some(2), "Q01234567"));
//!     assert!(alarm.event_time.is_some_and(|t| t.is_naive()));
//! }
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! ## Decoding
//! - The document is recognised by its content (`{`, `<`, an embedded object), `formatType`
//!   deciding only when the content says nothing; the type by `eventType` (the JSON member or the
//!   XML element), trimmed and in any letter case: the seed's `"YsCallingEvent "` and ACSEvent's
//!   `"AccessControllerEvent"` are read. A JSON event with an empty `eventType` and a `CIDEvent`
//!   member (the seed's own example) is a `cidEvent`.
//! - A missing `deviceSerial` (YsCallingEvent's is `devSerial`) is taken from the message.
//! - Times keep their text and say their kind ([`DeviceTime`], [`EventTime`]): `triggerTime`
//!   naive (device local), `dateTime` with `Z` or an offset, `callingTime` milliseconds since the
//!   epoch in UTC.
//! - The seed prints no body for `diskerror`, `regionEntrance`, `IO`, `recordException`,
//!   `shelteralarm` and `videoloss`: the first two are read with the members of their documented
//!   siblings (`diskfull`, `regionExiting`), the last four generically ([`GenericAlert`]: the
//!   common members typed, the document kept).
//! - Bounds: at most [`MAX_EVENT_BYTES`] of alarm data and [`MAX_EVENT_DEPTH`] levels of JSON
//!   (XML: the core codec's `MAX_DEPTH`); anything else that does not fit is an [`EventError`],
//!   never a panic. [`HppEvent::from_message_or_raw`] keeps such a message as an unknown event so
//!   that no alarm is lost.
//!
//! ## Mapping to [`Alarm`]
//!
//! | event | category | zone | partition | channel | user | media | code |
//! |---|---|---|---|---|---|---|---|
//! | `cidEvent` | Contact ID group of `code` ([`contact_id_category`]; a three-digit code takes its qualifier from `evttype`); without a usable code by `evttype`: 12 Fault, 31 Restore, 32 Restore of Fault, else Other | `zoneV30`, else `zone + 1` | `system` | `ipcChannel` | `userName`, else `userNo` | - | the four-digit CID code |
//! | `deviceonline` / `deviceoffline` | DeviceOnline / DeviceOffline | - | - | - | - | - | event type |
//! | `deviceadded` / `devicedeleted` | DeviceAdded / DeviceRemoved | - | - | - | `hcAccount` | - | event type |
//! | `Linkage` | VideoVerification | - | - | - | - | `pictureList` | event type |
//! | `ACSEvent` | Access | - | - | `channelID` | `name`, else `employeeNoString`, else `cardNo` | `pictureURL`, visible light, thermal | event type |
//! | `YsCallingEvent` | Intercom | - | - | `channel` | - | `coverUrl` | event type |
//! | `manualRep` | Intercom | `zoneV30`, else `zoneNo + 1` (`customInfo`) | - | `channelID` | `user` (`customInfo`) | `pictureList` | event type |
//! | `diskfull` / `diskerror` | Fault | - | - | - | - | - | event type |
//! | `diskrecover` | Restore of Fault | - | - | - | - | - | event type |
//! | `recordException` / `videoloss` | Fault | - | - | `channelID` | - | - | event type |
//! | `fielddetection` / `linedetection` / `regionEntrance` / `regionExiting` / `VMD` | Intrusion | - | - | `channelID` | - | - | event type |
//! | `IO` | Intrusion (see below) | - | - | `channelID` | - | - | event type |
//! | `shelteralarm` | Tamper | - | - | `channelID` | - | - | event type |
//! | unknown | Other | - | - | - | - | - | its `eventType` |
//!
//! Every alarm keeps the event's description (`eventDescription`; a CID event's own
//! `CIDEvent.description` first; the index table's feature name when the device sends none), its
//! time ([`HppEvent::event_time`]: for XML events `dateTime` when it parses, else `triggerTime`;
//! YsCallingEvent `callingTime`, else `timestamp`), the correlation id ([`HppEvent::correlation_id`]:
//! `relationId` of cidEvent and Linkage, `callingId` of YsCallingEvent) and the event as received
//! ([`Alarm::raw`]). `device_name` is ACSEvent's `deviceName`; the other events name no device.
//!
//! Decisions the seed leaves open:
//! - **Zone**: the seed says only `zoneV30 = zone + 1`. ISAPI numbers zones from 0 (seed L6317),
//!   the panel's keypad, app and Contact ID reports from 1, and A.3.9's example names its zone
//!   `Zonav?aradio1` ("zona via radio 1") with `zoneNo=0|zoneV30=1`: `zoneV30` is the panel's
//!   number, the one an operator looks up, and [`Alarm::zone`] carries it.
//! - **IO**: the index table calls it "IO Alarm", the section "alarm input alarm information": a
//!   detector wired to an alarm input of a camera or recorder (PIR, door contact, beam). With no
//!   body and no sensor type in the seed, the input is read as what such inputs are wired for,
//!   an intrusion detector: [`Category::Intrusion`], its code `IO` kept for routing rules that
//!   know better.
//! - **ACSEvent** is [`Category::Access`] whatever its major/minor type (the seed points to an
//!   ISAPI table it does not print); `majorEventType`/`subEventType` stay in the typed event.
//! - **manualRep** carries `evttype=13` (operation) in `customInfo`: a capture someone made on
//!   purpose, which the brief files with intercom calls as [`Category::Intercom`].

mod alarm;
mod decode;
mod json;
mod kind;
#[cfg(any(test, feature = "sim"))]
pub(crate) mod seed;
mod times;
mod xml;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use std::fmt;

#[cfg(doc)]
use watchpost_core::alarm::{contact_id_category, Alarm, Category};
use watchpost_core::alarm::{EventTime, RawEvent};
use watchpost_core::error::DecodeError;

pub use alarm::{decode_alarm, to_alarm};
pub use decode::{MAX_EVENT_BYTES, MAX_EVENT_DEPTH};
pub use json::{
    AccessControllerEvent, AcsEvent, CidBlock, CidEvent, CoverPicture, DeviceAddedEvent, DeviceStatusEvent,
    EventPicture, LinkageEvent, ManualRepEvent, YsCallingEvent,
};
pub use kind::EventKind;
pub use times::DeviceTime;
pub use xml::{AlertHeader, DetectionAlert, DetectionRegion, DiskAlert, GenericAlert, Hdd, RegionPoint, TargetRect};

use crate::models::mq::AlarmMessage;

/// One event of Appendix A.3, typed.
///
/// Types whose definitions share their members share a struct (the three device status events,
/// the three disk events, the four detection events, the four events without a documented
/// body); the variant says which type it is.
// Events are decoded and mapped one at a time and rarely stored: boxing the large variants
// would cost an allocation per event to save memory nobody holds.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum HppEvent {
    /// `cidEvent` (A.3.1): a Contact ID report.
    Cid(CidEvent),
    /// `devicedeleted` (A.3.2).
    DeviceDeleted(DeviceStatusEvent),
    /// `deviceadded` (A.3.3): the device was authorised to the ARC.
    DeviceAdded(DeviceAddedEvent),
    /// `deviceoffline` (A.3.4).
    DeviceOffline(DeviceStatusEvent),
    /// `deviceonline` (A.3.5).
    DeviceOnline(DeviceStatusEvent),
    /// `Linkage` (A.3.6): video verification pictures.
    Linkage(LinkageEvent),
    /// `ACSEvent` (A.3.7): access control.
    Acs(AcsEvent),
    /// `YsCallingEvent` (A.3.8): an intercom call.
    YsCalling(YsCallingEvent),
    /// `manualRep` (A.3.9): a manual capture.
    ManualRep(ManualRepEvent),
    /// `diskerror` (A.3.10; no body in the seed, read as diskfull's members).
    DiskError(DiskAlert),
    /// `diskfull` (A.3.11).
    DiskFull(DiskAlert),
    /// `diskrecover` (A.3.12).
    DiskRecover(DiskAlert),
    /// `fielddetection` (A.3.13): intrusion into a field.
    FieldDetection(DetectionAlert),
    /// `IO` (A.3.14; no body in the seed, read generically): an alarm input.
    Io(GenericAlert),
    /// `linedetection` (A.3.15): line crossing.
    LineDetection(DetectionAlert),
    /// `recordException` (A.3.16; no body in the seed, read generically): a recording failure.
    RecordException(GenericAlert),
    /// `regionExiting` (A.3.17).
    RegionExiting(DetectionAlert),
    /// `regionEntrance` (A.3.18; no body in the seed, read as regionExiting's members).
    RegionEntrance(DetectionAlert),
    /// `shelteralarm` (A.3.19; no body in the seed, read generically): video tampering.
    ShelterAlarm(GenericAlert),
    /// `videoloss` (A.3.20; no body in the seed, read generically).
    VideoLoss(GenericAlert),
    /// `VMD` (A.3.21): motion detection, the common members only.
    Vmd(AlertHeader),
    /// Any other event type, kept as received.
    Unknown {
        /// The `eventType` as sent (trimmed; empty when there was none).
        event_type: String,
        /// The event.
        raw: RawEvent,
    },
}

impl HppEvent {
    /// Reads the event of an alarm message.
    ///
    /// # Errors
    /// An [`EventError`] when the data is empty, too large or too deep, not a JSON object or XML
    /// document, or an event of a known type whose members do not fit it. An event of an unknown
    /// type is not an error: it is [`HppEvent::Unknown`].
    pub fn from_message(msg: &AlarmMessage) -> Result<HppEvent, EventError> {
        decode::from_message(msg)
    }

    /// [`Self::from_message`], keeping a message that cannot be read as an
    /// [`HppEvent::Unknown`] with its data raw, and the error beside it: an alarm that does not
    /// decode is still an alarm ([`to_alarm`] maps it to [`Category::Other`]).
    pub fn from_message_or_raw(msg: &AlarmMessage) -> (HppEvent, Option<EventError>) {
        match decode::from_message(msg) {
            Ok(e) => (e, None),
            Err(e) => {
                let event_type = match &e {
                    EventError::Invalid { event_type, .. } => (*event_type).to_owned(),
                    _ => String::new(),
                };
                (HppEvent::Unknown { event_type, raw: decode::raw_event(msg) }, Some(e))
            }
        }
    }

    /// The event's type, when it is one of A.3.
    pub fn kind(&self) -> Option<EventKind> {
        Some(match self {
            HppEvent::Cid(_) => EventKind::CidEvent,
            HppEvent::DeviceDeleted(_) => EventKind::DeviceDeleted,
            HppEvent::DeviceAdded(_) => EventKind::DeviceAdded,
            HppEvent::DeviceOffline(_) => EventKind::DeviceOffline,
            HppEvent::DeviceOnline(_) => EventKind::DeviceOnline,
            HppEvent::Linkage(_) => EventKind::Linkage,
            HppEvent::Acs(_) => EventKind::AcsEvent,
            HppEvent::YsCalling(_) => EventKind::YsCallingEvent,
            HppEvent::ManualRep(_) => EventKind::ManualRep,
            HppEvent::DiskError(_) => EventKind::DiskError,
            HppEvent::DiskFull(_) => EventKind::DiskFull,
            HppEvent::DiskRecover(_) => EventKind::DiskRecover,
            HppEvent::FieldDetection(_) => EventKind::FieldDetection,
            HppEvent::Io(_) => EventKind::Io,
            HppEvent::LineDetection(_) => EventKind::LineDetection,
            HppEvent::RecordException(_) => EventKind::RecordException,
            HppEvent::RegionExiting(_) => EventKind::RegionExiting,
            HppEvent::RegionEntrance(_) => EventKind::RegionEntrance,
            HppEvent::ShelterAlarm(_) => EventKind::ShelterAlarm,
            HppEvent::VideoLoss(_) => EventKind::VideoLoss,
            HppEvent::Vmd(_) => EventKind::Vmd,
            HppEvent::Unknown { .. } => return None,
        })
    }

    /// The event type: A.3's name of a typed event (`cidEvent`, `ACSEvent`), the `eventType` as
    /// sent (trimmed) of an unknown one.
    pub fn event_type(&self) -> &str {
        match self {
            HppEvent::Unknown { event_type, .. } => event_type,
            other => other.kind().map_or("", EventKind::name),
        }
    }

    /// The XML members common to the XML events.
    pub fn header(&self) -> Option<&AlertHeader> {
        match self {
            HppEvent::DiskError(d) | HppEvent::DiskFull(d) | HppEvent::DiskRecover(d) => Some(&d.header),
            HppEvent::FieldDetection(d)
            | HppEvent::LineDetection(d)
            | HppEvent::RegionExiting(d)
            | HppEvent::RegionEntrance(d) => Some(&d.header),
            HppEvent::Io(g) | HppEvent::RecordException(g) | HppEvent::ShelterAlarm(g) | HppEvent::VideoLoss(g) => {
                Some(&g.header)
            }
            HppEvent::Vmd(h) => Some(h),
            _ => None,
        }
    }

    /// The device's serial number (the message's when the event carries none); empty for an
    /// unknown event.
    pub fn device_serial(&self) -> &str {
        match self {
            HppEvent::Cid(e) => &e.device_serial,
            HppEvent::DeviceDeleted(e) | HppEvent::DeviceOffline(e) | HppEvent::DeviceOnline(e) => &e.device_serial,
            HppEvent::DeviceAdded(e) => &e.device_serial,
            HppEvent::Linkage(e) => &e.device_serial,
            HppEvent::Acs(e) => &e.device_serial,
            HppEvent::YsCalling(e) => &e.device_serial,
            HppEvent::ManualRep(e) => &e.device_serial,
            HppEvent::Unknown { .. } => "",
            other => other.header().map_or("", |h| &h.device_serial),
        }
    }

    fn device_serial_mut(&mut self) -> Option<&mut String> {
        Some(match self {
            HppEvent::Cid(e) => &mut e.device_serial,
            HppEvent::DeviceDeleted(e) | HppEvent::DeviceOffline(e) | HppEvent::DeviceOnline(e) => &mut e.device_serial,
            HppEvent::DeviceAdded(e) => &mut e.device_serial,
            HppEvent::Linkage(e) => &mut e.device_serial,
            HppEvent::Acs(e) => &mut e.device_serial,
            HppEvent::YsCalling(e) => &mut e.device_serial,
            HppEvent::ManualRep(e) => &mut e.device_serial,
            HppEvent::DiskError(d) | HppEvent::DiskFull(d) | HppEvent::DiskRecover(d) => &mut d.header.device_serial,
            HppEvent::FieldDetection(d)
            | HppEvent::LineDetection(d)
            | HppEvent::RegionExiting(d)
            | HppEvent::RegionEntrance(d) => &mut d.header.device_serial,
            HppEvent::Io(g) | HppEvent::RecordException(g) | HppEvent::ShelterAlarm(g) | HppEvent::VideoLoss(g) => {
                &mut g.header.device_serial
            }
            HppEvent::Vmd(h) => &mut h.device_serial,
            HppEvent::Unknown { .. } => return None,
        })
    }

    /// The URLs of the event's pictures, in the order sent, blank ones left out: Linkage's and
    /// manualRep's `pictureList`, YsCallingEvent's `coverUrl`, ACSEvent's `pictureURL`,
    /// `visibleLightPicUrl` and `thermalPicUrl`.
    pub fn picture_urls(&self) -> Vec<&str> {
        let urls: Vec<&str> = match self {
            HppEvent::Linkage(e) => e.picture_list.iter().map(|p| p.url.as_str()).collect(),
            HppEvent::ManualRep(e) => e.picture_list.iter().map(|p| p.url.as_str()).collect(),
            HppEvent::YsCalling(e) => e.cover_url.iter().map(|p| p.url.as_str()).collect(),
            HppEvent::Acs(e) => [&e.access.picture_url, &e.access.visible_light_pic_url, &e.access.thermal_pic_url]
                .into_iter()
                .filter_map(|u| u.as_deref())
                .collect(),
            _ => Vec::new(),
        };
        urls.into_iter().map(str::trim).filter(|u| !u.is_empty()).collect()
    }

    /// The id that ties related events together: `relationId` (a cidEvent and its Linkage),
    /// `callingId` (an intercom call).
    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            HppEvent::Cid(e) => e.relation_id.as_deref(),
            HppEvent::Linkage(e) => e.relation_id.as_deref(),
            HppEvent::YsCalling(e) => e.calling_id.as_deref(),
            _ => None,
        }
    }

    /// When the event happened, as the device said: naive for `triggerTime` and the other
    /// zone-less times, with an offset for `dateTime` and `callingTime`.
    pub fn event_time(&self) -> Option<EventTime> {
        let t = |t: &Option<DeviceTime>| t.as_ref().and_then(DeviceTime::time);
        match self {
            HppEvent::Cid(e) => t(&e.trigger_time),
            HppEvent::DeviceDeleted(e) | HppEvent::DeviceOffline(e) | HppEvent::DeviceOnline(e) => t(&e.date_time),
            HppEvent::DeviceAdded(e) => t(&e.date_time),
            HppEvent::Linkage(e) => t(&e.trigger_time),
            HppEvent::Acs(e) => t(&e.date_time),
            HppEvent::YsCalling(e) => e.calling_time().or_else(|| t(&e.timestamp)),
            HppEvent::ManualRep(e) => t(&e.date_time),
            HppEvent::Unknown { .. } => None,
            other => other.header().and_then(AlertHeader::event_time),
        }
    }

    /// The event's own description, when it sent a non-blank one (a CID event's
    /// `CIDEvent.description` first).
    pub fn description(&self) -> Option<&str> {
        let d = match self {
            HppEvent::Cid(e) => {
                e.cid.description.as_deref().filter(|d| !d.trim().is_empty()).or(e.event_description.as_deref())
            }
            HppEvent::DeviceDeleted(e) | HppEvent::DeviceOffline(e) | HppEvent::DeviceOnline(e) => {
                e.event_description.as_deref()
            }
            HppEvent::DeviceAdded(e) => e.event_description.as_deref(),
            HppEvent::Linkage(e) => e.event_description.as_deref(),
            HppEvent::Acs(e) => e.event_description.as_deref(),
            HppEvent::ManualRep(e) => e.event_description.as_deref(),
            HppEvent::YsCalling(_) | HppEvent::Unknown { .. } => None,
            other => other.header().and_then(|h| h.event_description.as_deref()),
        };
        d.map(str::trim).filter(|d| !d.is_empty())
    }
}

/// Why an alarm message's event could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum EventError {
    /// The message has no alarm data (`null`, missing or blank).
    Empty,
    /// The alarm data is larger than [`MAX_EVENT_BYTES`].
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The alarm data nests deeper than the limit ([`MAX_EVENT_DEPTH`] for JSON).
    TooDeep {
        /// The limit in levels.
        limit: usize,
    },
    /// The `formatType` is neither `JSON` nor `XML` and the data is neither.
    UnsupportedFormat {
        /// The `formatType` as sent.
        format: String,
    },
    /// The JSON alarm data is not an object.
    NotAnObject,
    /// The alarm data is not a JSON or XML document.
    Syntax {
        /// The parser's error.
        source: DecodeError,
    },
    /// An event of a known type whose members do not fit its definition.
    Invalid {
        /// The A.3 type.
        event_type: &'static str,
        /// What did not fit.
        source: DecodeError,
    },
}

impl fmt::Display for EventError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EventError::Empty => f.write_str("alarm message without alarm data"),
            EventError::TooLarge { limit } => write!(f, "alarm data larger than {limit} bytes"),
            EventError::TooDeep { limit } => write!(f, "alarm data nested deeper than {limit} levels"),
            EventError::UnsupportedFormat { format } => write!(f, "alarm data of unsupported format {format:?}"),
            EventError::NotAnObject => f.write_str("JSON alarm data is not an object"),
            EventError::Syntax { .. } => f.write_str("alarm data is not a JSON or XML document"),
            EventError::Invalid { event_type, .. } => write!(f, "{event_type} event does not fit its definition"),
        }
    }
}

impl std::error::Error for EventError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EventError::Syntax { source } | EventError::Invalid { source, .. } => Some(source),
            _ => None,
        }
    }
}
