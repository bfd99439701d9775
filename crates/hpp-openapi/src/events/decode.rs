//! From an [`AlarmMessage`] to an [`HppEvent`]: the document, its bounds, the dispatch.

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use watchpost_core::alarm::RawEvent;
use watchpost_core::codec::{lenient, xml};
use watchpost_core::error::DecodeError;

use super::xml::{GenericAlert, XmlAlert};
use super::{EventError, EventKind, HppEvent};
use crate::models::mq::{AlarmMessage, FormatType};

/// The largest alarm data [`HppEvent::from_message`] reads, in bytes (of the text, or of the
/// strings and about 8 bytes per other value of an embedded object). A.3's largest event, an
/// ACSEvent with every member, is under 4 KB.
pub const MAX_EVENT_BYTES: usize = 64 * 1024;

/// The deepest nesting of a JSON event [`HppEvent::from_message`] reads, in levels (the event
/// object is level 1). A.3's deepest, ACSEvent's `PersonInfoExtends`, nests 4 levels; XML events
/// are bounded by the core codec's limit (`watchpost_core::codec::xml::MAX_DEPTH`).
pub const MAX_EVENT_DEPTH: usize = 32;

/// The document an alarm message carries.
enum Doc<'a> {
    Json(Cow<'a, Value>),
    Xml(&'a str),
}

/// Reads the message's document: by its content first (`{` JSON, `<` XML, an embedded object
/// JSON), by `formatType` when the content says nothing.
fn document(msg: &AlarmMessage) -> Result<Doc<'_>, EventError> {
    match &msg.alarm_data {
        Value::Null => Err(EventError::Empty),
        Value::String(s) => {
            if s.len() > MAX_EVENT_BYTES {
                return Err(EventError::TooLarge { limit: MAX_EVENT_BYTES });
            }
            let t = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            let json = || -> Result<Doc<'_>, EventError> {
                let v: Value =
                    serde_json::from_str(t).map_err(|e| EventError::Syntax { source: DecodeError::json(e) })?;
                check_json(&v)?;
                Ok(Doc::Json(Cow::Owned(v)))
            };
            match t.as_bytes().first() {
                None => Err(EventError::Empty),
                Some(b'<') => Ok(Doc::Xml(t)),
                Some(b'{') => json(),
                Some(_) => match &msg.format_type {
                    FormatType::Json => json(),
                    FormatType::Xml => Ok(Doc::Xml(t)),
                    FormatType::Other(f) => Err(EventError::UnsupportedFormat { format: f.clone() }),
                },
            }
        }
        v @ Value::Object(_) => {
            check_json(v)?;
            Ok(Doc::Json(Cow::Borrowed(v)))
        }
        _ => Err(EventError::NotAnObject),
    }
}

/// Refuses a JSON value nested deeper than [`MAX_EVENT_DEPTH`] or larger than
/// [`MAX_EVENT_BYTES`], without recursion.
fn check_json(v: &Value) -> Result<(), EventError> {
    let mut stack = vec![(v, 1usize)];
    let mut bytes = 0usize;
    while let Some((v, depth)) = stack.pop() {
        if depth > MAX_EVENT_DEPTH {
            return Err(EventError::TooDeep { limit: MAX_EVENT_DEPTH });
        }
        match v {
            Value::String(s) => bytes += s.len() + 2,
            Value::Array(a) => {
                bytes += 2;
                stack.extend(a.iter().map(|x| (x, depth + 1)));
            }
            Value::Object(o) => {
                bytes += 2;
                for (k, x) in o {
                    bytes += k.len() + 3;
                    stack.push((x, depth + 1));
                }
            }
            _ => bytes += 8,
        }
        if bytes > MAX_EVENT_BYTES {
            return Err(EventError::TooLarge { limit: MAX_EVENT_BYTES });
        }
    }
    Ok(())
}

/// The event type of an XML document whose members do not fit: only `<eventType>` is read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct XmlEventType {
    #[serde(default, with = "lenient::opt_string")]
    event_type: Option<String>,
}

pub(super) fn from_message(msg: &AlarmMessage) -> Result<HppEvent, EventError> {
    decode(msg).map(|(event, _)| event)
}

/// [`from_message`] with the message's data as the raw event of its alarm, read once: the JSON
/// parsed for the event is moved into the raw event instead of being parsed again.
pub(super) fn from_message_with_raw(msg: &AlarmMessage) -> Result<(HppEvent, RawEvent), EventError> {
    let (event, doc) = decode(msg)?;
    let raw = match (&event, doc) {
        (HppEvent::Unknown { raw, .. }, _) => raw.clone(),
        (_, Doc::Json(v)) => RawEvent::Json(v.into_owned()),
        (_, Doc::Xml(_)) => raw_event(msg),
    };
    Ok((event, raw))
}

fn decode(msg: &AlarmMessage) -> Result<(HppEvent, Doc<'_>), EventError> {
    let doc = document(msg)?;
    let mut event = match &doc {
        Doc::Json(v) => from_json(v)?,
        Doc::Xml(text) => from_xml(text)?,
    };
    if let Some(serial) = event.device_serial_mut() {
        if serial.trim().is_empty() {
            serial.clone_from(&msg.device_serial);
        }
    }
    Ok((event, doc))
}

fn from_json(v: &Value) -> Result<HppEvent, EventError> {
    let Value::Object(obj) = v else { return Err(EventError::NotAnObject) };
    // An ISAPI-style wrapper `{"EventNotificationAlert": {...}}` is unwrapped.
    let (obj, v) = match obj.get("EventNotificationAlert") {
        Some(inner @ Value::Object(o)) if obj.len() == 1 => (o, inner),
        _ => (obj, v),
    };
    let event_type = obj.get("eventType").and_then(Value::as_str).unwrap_or("");
    // The seed's cidEvent example leaves eventType empty; its CIDEvent member says what it is.
    let kind = EventKind::from_event_type(event_type)
        .or_else(|| (event_type.trim().is_empty() && obj.contains_key("CIDEvent")).then_some(EventKind::CidEvent));
    let Some(kind) = kind else {
        return Ok(HppEvent::Unknown { event_type: event_type.trim().to_owned(), raw: RawEvent::Json(v.clone()) });
    };
    json_event(kind, v)
}

fn typed_json<T: DeserializeOwned>(v: &Value, kind: EventKind) -> Result<T, EventError> {
    T::deserialize(v).map_err(|e| EventError::Invalid { event_type: kind.name(), source: DecodeError::json(e) })
}

/// Builds a JSON-defined event from its JSON value.
fn json_event(kind: EventKind, v: &Value) -> Result<HppEvent, EventError> {
    Ok(match kind {
        EventKind::CidEvent => HppEvent::Cid(typed_json(v, kind)?),
        EventKind::DeviceDeleted => HppEvent::DeviceDeleted(typed_json(v, kind)?),
        EventKind::DeviceAdded => HppEvent::DeviceAdded(typed_json(v, kind)?),
        EventKind::DeviceOffline => HppEvent::DeviceOffline(typed_json(v, kind)?),
        EventKind::DeviceOnline => HppEvent::DeviceOnline(typed_json(v, kind)?),
        EventKind::Linkage => HppEvent::Linkage(typed_json(v, kind)?),
        EventKind::AcsEvent => HppEvent::Acs(typed_json(v, kind)?),
        EventKind::YsCallingEvent => HppEvent::YsCalling(typed_json(v, kind)?),
        EventKind::ManualRep => HppEvent::ManualRep(typed_json(v, kind)?),
        // XML kinds are read into the shared XML document (`XmlAlert`), never here.
        _ => {
            let alert = XmlAlert::deserialize(v)
                .map_err(|e| EventError::Invalid { event_type: kind.name(), source: DecodeError::json(e) })?;
            xml_event(kind, alert, || RawEvent::Json(v.clone()))
        }
    })
}

/// Builds an XML-defined event from the shared document.
fn xml_event(kind: EventKind, alert: XmlAlert, raw: impl FnOnce() -> RawEvent) -> HppEvent {
    match kind {
        EventKind::DiskError => HppEvent::DiskError(alert.into_disk()),
        EventKind::DiskFull => HppEvent::DiskFull(alert.into_disk()),
        EventKind::DiskRecover => HppEvent::DiskRecover(alert.into_disk()),
        EventKind::FieldDetection => HppEvent::FieldDetection(alert.into_detection()),
        EventKind::LineDetection => HppEvent::LineDetection(alert.into_detection()),
        EventKind::RegionExiting => HppEvent::RegionExiting(alert.into_detection()),
        EventKind::RegionEntrance => HppEvent::RegionEntrance(alert.into_detection()),
        EventKind::Vmd => HppEvent::Vmd(alert.into_header()),
        EventKind::Io => HppEvent::Io(GenericAlert { header: alert.into_header(), raw: raw() }),
        EventKind::RecordException => {
            HppEvent::RecordException(GenericAlert { header: alert.into_header(), raw: raw() })
        }
        EventKind::ShelterAlarm => HppEvent::ShelterAlarm(GenericAlert { header: alert.into_header(), raw: raw() }),
        EventKind::VideoLoss => HppEvent::VideoLoss(GenericAlert { header: alert.into_header(), raw: raw() }),
        // JSON kinds never reach here (see `from_xml`); keep the event rather than lose it.
        _ => HppEvent::Unknown { event_type: kind.name().to_owned(), raw: raw() },
    }
}

fn xml_error(e: DecodeError) -> EventError {
    match e {
        DecodeError::Empty => EventError::Empty,
        DecodeError::TooDeep { limit } => EventError::TooDeep { limit },
        source => EventError::Syntax { source },
    }
}

fn from_xml(text: &str) -> Result<HppEvent, EventError> {
    let raw = || RawEvent::Xml(text.to_owned());
    let alert: XmlAlert = match xml::from_str(text) {
        Ok(a) => a,
        Err(e) => {
            // The members do not fit: say which event it was, or keep an unknown one raw.
            let Ok(head) = xml::from_str::<XmlEventType>(text) else { return Err(xml_error(e)) };
            let event_type = head.event_type.unwrap_or_default();
            return match EventKind::from_event_type(&event_type) {
                Some(kind) => Err(EventError::Invalid { event_type: kind.name(), source: e }),
                None => Ok(HppEvent::Unknown { event_type: event_type.trim().to_owned(), raw: raw() }),
            };
        }
    };
    let event_type = alert.event_type.as_deref().unwrap_or("");
    let Some(kind) = EventKind::from_event_type(event_type) else {
        return Ok(HppEvent::Unknown { event_type: event_type.trim().to_owned(), raw: raw() });
    };
    if kind.is_xml() {
        return Ok(xml_event(kind, alert, raw));
    }
    // A JSON-defined type sent as XML: its own members, read from the XML text.
    let v: Value = xml::from_str(text).map_err(|source| EventError::Invalid { event_type: kind.name(), source })?;
    json_event(kind, &v)
}

/// The message's data as the raw event of an alarm: XML text as [`RawEvent::Xml`], JSON (an
/// embedded value, or text that parses) as [`RawEvent::Json`]; other text by `formatType`, as
/// a JSON string when it is not XML (text that did not parse, or larger than
/// [`MAX_EVENT_BYTES`], is not parsed again).
pub(super) fn raw_event(msg: &AlarmMessage) -> RawEvent {
    match &msg.alarm_data {
        Value::String(s) => {
            let t = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
            if t.starts_with('<') {
                return RawEvent::Xml(s.clone());
            }
            if t.starts_with('{') && s.len() <= MAX_EVENT_BYTES {
                if let Ok(v) = serde_json::from_str::<Value>(t) {
                    return RawEvent::Json(v);
                }
            }
            match msg.format_type {
                FormatType::Xml => RawEvent::Xml(s.clone()),
                _ => RawEvent::Json(Value::String(s.clone())),
            }
        }
        other => RawEvent::Json(other.clone()),
    }
}
