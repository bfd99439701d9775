//! Decoding one part of the alarm stream into a typed [`Part`].

use serde::de::IgnoredAny;
use serde::Deserialize;
use watchpost_core::error::DecodeError;

use super::model::{Event, RawAlert};
use crate::models::{ResponseStatus, SubscribeDeviceMgmtRsp};

/// What one part of the `subscribeDeviceMgmt` stream carries.
// Nearly every part is an event: boxing it would add an allocation per event to save space
// only in the rare first-part and status cases.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// The first part: `SubscribeDeviceMgmtRsp` with the subscription ID and `FailList`.
    Subscribed(SubscribeDeviceMgmtRsp),
    /// An `EventNotificationAlert`.
    Event(Event),
    /// A `JSON_ResponseStatus` (the gateway refused or ended the subscription).
    Status(ResponseStatus),
}

#[derive(Deserialize)]
struct JsonPart {
    #[serde(rename = "EventNotificationAlert", default)]
    alert: Option<RawAlert>,
    #[serde(rename = "SubscribeDeviceMgmtRsp", default)]
    rsp: Option<SubscribeDeviceMgmtRsp>,
    #[serde(rename = "statusCode", default)]
    status_code: Option<IgnoredAny>,
    #[serde(rename = "ResponseStatus", default)]
    wrapped_status: Option<IgnoredAny>,
}

/// Decodes a part body. JSON or XML is recognised by the first significant byte (`{` or `<`),
/// whatever the part's content type says; the content type only breaks a tie.
///
/// JSON is read leniently (trailing commas and hex literals are repaired, see [`crate::json`]);
/// XML is read by local names whatever the namespace.
///
/// # Errors
/// A [`DecodeError`] for an empty body, a body that is neither JSON nor XML, invalid JSON/XML,
/// or a document that is none of the documented messages.
pub fn parse_part(content_type: Option<&str>, body: &[u8]) -> Result<Part, DecodeError> {
    let first = body.iter().copied().find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
    match first {
        None => Err(DecodeError::Empty),
        Some(b'{') => parse_json(body),
        Some(b'<') => parse_xml(body),
        Some(_) => match content_type.map(str::to_ascii_lowercase) {
            Some(ct) if ct.contains("xml") => parse_xml(body),
            Some(ct) if ct.contains("json") => parse_json(body),
            other => Err(DecodeError::ContentType { content_type: other.unwrap_or_default() }),
        },
    }
}

fn parse_json(body: &[u8]) -> Result<Part, DecodeError> {
    let (part, repaired): (JsonPart, bool) = crate::json::decode_with_repair(body)?;
    if repaired {
        tracing::debug!(target: "hik_gateway::events", "alarm stream part needed JSON repair");
    }
    if let Some(alert) = part.alert {
        return Ok(Part::Event(alert.into_event(|| {
            crate::json::from_slice::<serde_json::Value>(body).map(|(v, _)| v).unwrap_or(serde_json::Value::Null)
        })));
    }
    if let Some(rsp) = part.rsp {
        return Ok(Part::Subscribed(rsp));
    }
    if part.status_code.is_some() || part.wrapped_status.is_some() {
        let status = crate::json::decode::<ResponseStatus>(body)?;
        return Ok(Part::Status(status));
    }
    Err(DecodeError::Envelope {
        message: "part has no EventNotificationAlert, SubscribeDeviceMgmtRsp or statusCode member".to_owned(),
    })
}

/// The local name of the root element.
fn xml_root(body: &[u8]) -> Option<&str> {
    let mut rest = body;
    loop {
        let start = rest.iter().position(|b| *b == b'<')?;
        rest = &rest[start + 1..];
        match rest.first() {
            Some(b'?') | Some(b'!') => continue,
            Some(_) => {
                let end = rest.iter().position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')?;
                let name = std::str::from_utf8(&rest[..end]).ok()?;
                return Some(name.rsplit(':').next().unwrap_or(name));
            }
            None => return None,
        }
    }
}

fn parse_xml(body: &[u8]) -> Result<Part, DecodeError> {
    match xml_root(body) {
        Some("EventNotificationAlert") => {
            let alert: RawAlert = watchpost_core::codec::xml::from_slice(body)?;
            Ok(Part::Event(alert.into_event(|| serde_json::Value::String(String::from_utf8_lossy(body).into_owned()))))
        }
        Some("ResponseStatus") => Ok(Part::Status(watchpost_core::codec::xml::from_slice(body)?)),
        Some("SubscribeDeviceMgmtRsp") => Ok(Part::Subscribed(watchpost_core::codec::xml::from_slice(body)?)),
        Some(other) => Err(DecodeError::Envelope { message: format!("unexpected XML root element <{other}>") }),
        None => Err(DecodeError::xml("no root element")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cid::CidCode;
    use crate::events::model::{CidType, CidUserType, EventState};
    use crate::models::DevStatus;

    fn event(body: &str) -> Event {
        match parse_part(Some("application/json; charset=\"UTF-8\""), body.as_bytes()).unwrap() {
            Part::Event(e) => e,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn seed_stream_parts() {
        // 6.1 example, part 1.
        match parse_part(None, br#"{"SubscribeDeviceMgmtRsp":{"id":5939}}"#).unwrap() {
            Part::Subscribed(r) => assert_eq!(r.id.as_deref(), Some("5939")),
            other => panic!("{other:?}"),
        }
        // Part 2, verbatim: the trailing comma is repaired.
        let e = event(
            r#"{
  "EventNotificationAlert":{
    "channelID": "1",
    "dateTime": "2018-01-21T12:50:39+08:00",
    "activePostCount": 1,
    "eventType": "devStatusChanged",
    "eventState": "active",
    "eventDescription": "device status about online or offline changed",
    "devIndex":"2cd6716d-767f-4756-ac55-50276a5e3b4a",
    "channelName": "Device1",
    "status":"online",
  }
}"#,
        );
        match &e {
            Event::DevStatusChanged(d) => {
                assert_eq!(d.status, Some(DevStatus::Online));
                assert_eq!(d.header.dev_index.as_deref(), Some("2cd6716d-767f-4756-ac55-50276a5e3b4a"));
                assert_eq!(d.header.event_state, Some(EventState::Active));
                assert_eq!(d.header.date_time.as_ref().and_then(|t| t.offset_seconds()), Some(28_800));
            }
            other => panic!("{other:?}"),
        }
        // Part 3, verbatim: `dataTime` for `dateTime`.
        let e = event(
            r#"{
  "EventNotificationAlert":{
    "dataTime":"2018-12-26T19:39:21+08:00",
    "activePostCount":1,
    "eventType":"heartBeat",
    "eventState":"active",
    "eventDescription":"Heart Beat"
  }
}"#,
        );
        assert!(e.is_heartbeat());
        assert_eq!(e.header().date_time.as_ref().map(|t| t.as_str()), Some("2018-12-26T19:39:21+08:00"));
    }

    #[test]
    fn seed_dev_status_changed_example() {
        // 9.12's example, verbatim.
        let e = event(
            r#"{
  "EventNotificationAlert": {
    "channelID": "1",
     "dateTime": "2018-01-21T12:50:39+08:00",
    "activePostCount": 1,
    "eventType": "devStatusChanged",
    "eventState": "active",
    "eventDescription": "device status about online or offline changed",
    "devIndex":"2cd6716d-767f-4756-ac55-50276a5e3b4a",
    "channelName": "Ipdome",
    "status":"online"
  }
}"#,
        );
        let Event::DevStatusChanged(d) = e else { panic!() };
        assert_eq!(d.status, Some(DevStatus::Online));
        assert_eq!(d.header.channel_name.as_deref(), Some("Ipdome"));
    }

    #[test]
    fn seed_heartbeat_with_trailing_space() {
        let e = event(
            r#"{"EventNotificationAlert": {"channelID":"1","dateTime":"2017-04-22T15:39:01+08:00","activePostCount":2,
                "eventType":"heartBeat ","eventState":"active","eventDescription":"Heartbeat"}}"#,
        );
        assert!(e.is_heartbeat());
        assert_eq!(e.header().active_post_count, Some(2));
    }

    #[test]
    fn seed_cid_example_is_typed_by_structure() {
        // 9.11's example says eventType "videoReview" but carries CIDAlarm.
        let e = event(
            r#"{
  "EventNotificationAlert": {
    "channelID": "1",
    "dateTime": "2018-01-21T12:50:39+08:00",
    "activePostCount": 1,
    "eventType": "videoReview",
    "eventState": "active",
     "eventDescription": "video review",
    "devIndex":"2cd6716d-767f-4756-ac55-50276a5e3b4a",
    "channelName": "Ipdome",
    "deviceID":"123456",
    "CIDAlarm":{
      "subSys": 0,
      "zoneNo": 1,
      "CIDCode":"1103",
      "CIDType": 1,
      "CIDDescribe": "alarm",
      "timeZoneIdx": 0,
      "triggerTime": "2009-02-24 16:59:00",
      "uploadTime": "2009-02-24 16:59:00",
      "CIDParam":"1,2,1,1,1,1,0,admin",
      "UUID": "0"
    }
  }
}"#,
        );
        let Event::CidAlarm(c) = &e else { panic!("{e:?}") };
        assert_eq!(c.cid.code, Some(CidCode::InstantAlarm));
        assert_eq!(c.cid.cid_type, Some(CidType::Zone));
        assert_eq!(c.cid.zone_no, Some(1));
        assert_eq!(c.cid.trigger_time.as_ref().and_then(|t| t.parts()).map(|p| p.year), Some(2009));
        assert_eq!(c.cid.params().and_then(|p| p.user_type), Some(CidUserType::Keyboard));
        assert_eq!(c.header.device_id.as_deref(), Some("123456"));
        assert_eq!(e.cid_code().and_then(CidCode::description), Some("Instant Alarm"));
    }

    #[test]
    fn video_verification_with_url() {
        let e = event(
            r#"{"EventNotificationAlert":{"VideoReview":{"HikCIDParams":{"CIDCode":"1130","CIDDescribe":"Burglary","CIDParam":"2,1,3,-1,2,-1,-1,NONE",
               "CIDType":2,"UUID":"77","ZoneNo":3,"subSys":1,"timeZoneIdx":16,"triggerTime":"2019-10-09 16:59:00","uploadTime":"2019-10-09 17:55:46",
               "videoURL":"/HikGatewayStorage/pic?F14EEF8D4F9A900DF3048E0F920BB7E4Q00162958_CH02_20191009175543.mp4"},"protocolType":"HikCIDProtocol"},
               "activePostCount":1,"channelID":"2","channelName":"Cam","dateTime":"2019-10-10T10:55:43+08:00","devIndex":"u1","deviceID":"d",
               "eventDescription":"video review","eventState":"active","eventType":"videoReview"}}"#,
        );
        let Event::VideoReview(v) = &e else { panic!("{e:?}") };
        assert_eq!(v.review.params.zone_no, Some(3));
        assert_eq!(v.review.params.code, Some(CidCode::BurglaryAlarm));
        assert!(v.review.params.video_url.as_deref().is_some_and(|u| u.ends_with(".mp4")));
        assert_eq!(v.review.protocol_type.as_deref(), Some("HikCIDProtocol"));
    }

    #[test]
    fn unknown_event_types_keep_the_part() {
        let e = event(r#"{"EventNotificationAlert":{"eventType":"doorbell","devIndex":"u2","ring":3}}"#);
        let Event::Unknown(u) = &e else { panic!("{e:?}") };
        assert_eq!(u.raw["EventNotificationAlert"]["ring"], 3);
        assert_eq!(e.dev_index(), Some("u2"));
    }

    #[test]
    fn xml_parts_are_decoded() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
<channelID>1</channelID><dateTime>2018-01-21T12:50:39+08:00</dateTime><activePostCount>3</activePostCount>
<eventType>CIDAlarm</eventType><eventState>active</eventState><eventDescription>CID</eventDescription><devIndex>u5</devIndex>
<CIDAlarm><subSys>1</subSys><zoneNo>4</zoneNo><CIDCode>1130</CIDCode><CIDType>1</CIDType><UUID>9</UUID></CIDAlarm>
</EventNotificationAlert>"#;
        let Part::Event(Event::CidAlarm(c)) = parse_part(Some("application/xml"), xml).unwrap() else { panic!() };
        assert_eq!(c.cid.code, Some(CidCode::BurglaryAlarm));
        assert_eq!(c.cid.zone_no, Some(4));
        assert_eq!(c.header.active_post_count, Some(3));
        let hb = br#"<EventNotificationAlert><eventType>heartBeat</eventType><activePostCount>9</activePostCount></EventNotificationAlert>"#;
        assert!(matches!(parse_part(None, hb).unwrap(), Part::Event(Event::Heartbeat(_))));
        let other = br#"<hik:EventNotificationAlert xmlns:hik="x"><hik:eventType>videoloss</hik:eventType></hik:EventNotificationAlert>"#;
        let Part::Event(Event::Unknown(u)) = parse_part(None, other).unwrap() else { panic!() };
        assert!(u.raw.as_str().is_some_and(|s| s.contains("videoloss")));
    }

    #[test]
    fn status_parts() {
        let s = parse_part(None, br#"{"statusCode":4,"subStatusCode":"notSupport","errorCode":0x40000001}"#).unwrap();
        let Part::Status(s) = s else { panic!() };
        assert_eq!(s.sub_status(), crate::SubStatus::NotSupport);
    }

    #[test]
    fn malformed_parts_are_typed_errors_never_panics() {
        let cases: &[&[u8]] = &[
            b"",
            b"   ",
            b"{\"EventNotificationAlert\":{",
            b"{\"EventNotificationAlert\":{\"eventType\":}}x",
            b"{\"unrelated\":1}",
            b"[1,2]",
            b"hello",
            b"<EventNotificationAlert><eventType>x</eventType>",
            b"<Unrelated/>",
            b"<",
            b"\xff\xfe\x00",
            b"{\"EventNotificationAlert\":{\"CIDAlarm\":5}}",
        ];
        for c in cases {
            assert!(parse_part(Some("application/json"), c).is_err(), "{:?}", String::from_utf8_lossy(c));
        }
    }
}
