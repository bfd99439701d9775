//! Every A.3 example decoded into its typed event and into an `Alarm`, and hand-written events.

use std::time::{Duration, SystemTime};

use serde_json::{json, Value};
use time::macros::datetime;
use watchpost_core::alarm::{Alarm, AlarmSource, Category, EventTime, Media, RawEvent};

use super::seed::seed_text;
use super::*;
use crate::models::mq::{AlarmMessage, FormatType};

fn message(kind: EventKind, embedded: bool) -> AlarmMessage {
    let text = seed_text(kind);
    let (format_type, alarm_data) = if kind.is_xml() {
        (FormatType::Xml, Value::String(text.to_owned()))
    } else if embedded {
        (FormatType::Json, serde_json::from_str(text).unwrap())
    } else {
        (FormatType::Json, Value::String(text.to_owned()))
    };
    AlarmMessage { format_type, device_serial: "MSG-SERIAL".into(), alarm_data }
}

fn decode(kind: EventKind) -> HppEvent {
    let text = HppEvent::from_message(&message(kind, false)).unwrap();
    if !kind.is_xml() {
        // alarmData as JSON text (documented) or an embedded object (3.34's example): the same event.
        assert_eq!(HppEvent::from_message(&message(kind, true)).unwrap(), text, "{kind}");
    }
    assert_eq!(text.kind(), Some(kind));
    assert_eq!(text.event_type(), kind.name());
    text
}

fn source() -> AlarmSource {
    AlarmSource::new("hpp", "app-key-1")
}

fn received() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_715_201_300)
}

fn alarm(kind: EventKind) -> Alarm {
    let msg = message(kind, false);
    let event = HppEvent::from_message(&msg).unwrap();
    let a = to_alarm(&msg, &event, &source(), received());
    assert_eq!(
        decode_alarm(&msg, &source(), received()).unwrap(),
        (event, a.clone()),
        "{kind}: the one-step path agrees"
    );
    let embedded = message(kind, true);
    let (_, b) = decode_alarm(&embedded, &source(), received()).unwrap();
    assert_eq!(b.raw, a.raw, "{kind}: text or embedded, the same raw event");
    assert_eq!(a.source, source());
    assert_eq!(a.received_at, received());
    assert!(!a.description.is_empty(), "{kind}");
    assert!(!a.code.is_empty(), "{kind}");
    match (&a.raw, kind.is_xml()) {
        (RawEvent::Xml(x), true) => assert_eq!(x, seed_text(kind)),
        (RawEvent::Json(v), false) => assert_eq!(v, &serde_json::from_str::<Value>(seed_text(kind)).unwrap()),
        (raw, _) => panic!("{kind}: {raw:?}"),
    }
    a
}

fn naive(t: time::PrimitiveDateTime) -> Option<EventTime> {
    Some(EventTime::Naive(t))
}

fn offset(t: time::OffsetDateTime) -> Option<EventTime> {
    Some(EventTime::Offset(t))
}

#[test]
fn every_example_of_a3_decodes_and_maps_to_its_category() {
    let expected = [
        (EventKind::CidEvent, Category::Intrusion, None),
        (EventKind::DeviceDeleted, Category::DeviceRemoved, None),
        (EventKind::DeviceAdded, Category::DeviceAdded, None),
        (EventKind::DeviceOffline, Category::DeviceOffline, None),
        (EventKind::DeviceOnline, Category::DeviceOnline, None),
        (EventKind::Linkage, Category::VideoVerification, None),
        (EventKind::AcsEvent, Category::Access, None),
        (EventKind::YsCallingEvent, Category::Intercom, None),
        (EventKind::ManualRep, Category::Intercom, None),
        (EventKind::DiskError, Category::Fault, None),
        (EventKind::DiskFull, Category::Fault, None),
        (EventKind::DiskRecover, Category::Restore, Some(Category::Fault)),
        (EventKind::FieldDetection, Category::Intrusion, None),
        (EventKind::Io, Category::Intrusion, None),
        (EventKind::LineDetection, Category::Intrusion, None),
        (EventKind::RecordException, Category::Fault, None),
        (EventKind::RegionExiting, Category::Intrusion, None),
        (EventKind::RegionEntrance, Category::Intrusion, None),
        (EventKind::ShelterAlarm, Category::Tamper, None),
        (EventKind::VideoLoss, Category::Fault, None),
        (EventKind::Vmd, Category::Intrusion, None),
    ];
    assert_eq!(expected.len(), EventKind::ALL.len());
    for (kind, category, restore_of) in expected {
        decode(kind);
        let a = alarm(kind);
        assert_eq!((a.category, a.restore_of), (category, restore_of), "{kind}");
        if kind.is_xml() {
            assert_eq!(a.device_id, "Q01234567", "{kind}");
            assert_eq!(a.code, kind.name());
        }
    }
}

#[test]
fn cid_event_example() {
    let HppEvent::Cid(e) = decode(EventKind::CidEvent) else { panic!() };
    assert_eq!(e.device_serial, "xxx");
    assert_eq!(e.trigger_time.as_ref().and_then(DeviceTime::time), naive(datetime!(2009-11-14 15:27:12)));
    assert_eq!(e.event_description.as_deref(), Some("CID event"));
    let c = &e.cid;
    assert_eq!((c.code, c.system, c.zone, c.zone_v30, c.user_no), (Some(1103), Some(1), Some(1), None, Some(1)));
    assert_eq!(
        (c.user_name.as_deref(), c.ipc_channel, c.mod_no, c.device_no, c.temp),
        (Some("test"), Some(0), Some(1), Some(1), Some(1))
    );
    // `""` for a string, a float and the partition mask reads as absent.
    assert_eq!(
        (c.description.as_deref(), c.longitude, c.latitude, c.partition_no.as_deref()),
        (None, None, None, None)
    );
    assert_eq!((c.evttype.as_deref(), c.is_talk, c.media), (Some("11"), Some(1), Some(3)));
    assert_eq!(c.contact_id().as_deref(), Some("1103"));

    let a = alarm(EventKind::CidEvent);
    assert_eq!(a.code, "1103");
    assert_eq!((a.zone, a.partition, a.channel, a.user.as_deref()), (Some(2), Some(1), Some(0), Some("test")));
    assert_eq!(a.device_id, "xxx");
    assert_eq!(a.description, "CID event");
    assert_eq!(a.event_time, naive(datetime!(2009-11-14 15:27:12)));
}

#[test]
fn device_status_examples() {
    for kind in [EventKind::DeviceDeleted, EventKind::DeviceOffline, EventKind::DeviceOnline] {
        let (HppEvent::DeviceDeleted(e) | HppEvent::DeviceOffline(e) | HppEvent::DeviceOnline(e)) = decode(kind) else {
            panic!("{kind}")
        };
        assert_eq!(e.device_serial, "xxx");
        assert_eq!(e.date_time.as_ref().and_then(DeviceTime::time), offset(datetime!(2009-11-14 15:27:12 UTC)));
        assert_eq!(e.event_description, None);
        let a = alarm(kind);
        assert_eq!(a.event_time, offset(datetime!(2009-11-14 15:27:12 UTC)));
        assert_eq!(a.description, kind.feature());
        assert_eq!(a.code, kind.name());
    }
    let HppEvent::DeviceAdded(e) = decode(EventKind::DeviceAdded) else { panic!() };
    assert_eq!(e.device_type.as_deref(), Some("xxx"));
    assert_eq!(
        (e.company_name.as_deref(), e.company_phone.as_deref(), e.company_email.as_deref(), e.hc_account.as_deref()),
        (Some("xxx"), Some("xxx"), Some("xxx"), Some("xxx"))
    );
    assert_eq!(alarm(EventKind::DeviceAdded).user.as_deref(), Some("xxx"));
}

#[test]
fn linkage_example() {
    let event = decode(EventKind::Linkage);
    let HppEvent::Linkage(e) = &event else { panic!() };
    assert_eq!(e.picture_list.len(), 2);
    assert_eq!(e.picture_list[0].id.as_deref(), Some("20220809023446-Q04814335-0-40002-2-1"));
    assert_eq!((e.media, e.relation_id.as_deref()), (Some(1), Some("5c09bee8-0d44-11eb-b416-4308bd0ace10")));
    let urls = event.picture_urls();
    assert_eq!(urls.len(), 2);
    assert!(urls[1]
        .starts_with("https://isgp.ezvizlife.com/v3/alarms/pic/get?fileId=20201013030822-Q03110476-0-40002-2-2&"));
    assert_eq!(event.correlation_id(), Some("5c09bee8-0d44-11eb-b416-4308bd0ace10"));
    let a = alarm(EventKind::Linkage);
    assert_eq!(a.media, urls.iter().map(|u| Media::Picture { url: (*u).to_owned() }).collect::<Vec<_>>());
    assert_eq!(a.correlation_id.as_deref(), Some("5c09bee8-0d44-11eb-b416-4308bd0ace10"));
    assert_eq!(a.event_time, naive(datetime!(2009-11-14 15:27:12)));
}

#[test]
fn acs_event_example() {
    let event = decode(EventKind::AcsEvent);
    let HppEvent::Acs(e) = &event else { panic!() };
    assert_eq!(e.device_serial, "ABCEDF");
    assert_eq!(e.date_time.as_ref().and_then(DeviceTime::time), offset(datetime!(2024-05-08 12:48:17 UTC)));
    let x = &e.access;
    assert_eq!((x.major_event_type, x.sub_event_type, x.serial_no), (Some(5), Some(75), Some(1024)));
    assert_eq!((x.curr_temperature, x.is_abnormal_temperature, x.pic_enable), (Some(36.5), Some(false), Some(true)));
    assert_eq!(e.url_certification_type.as_deref(), Some("digest"));
    // `pictureURL` is "" in the seed; the visible light and thermal URLs are "test".
    assert_eq!(event.picture_urls(), ["test", "test"]);
    let a = alarm(EventKind::AcsEvent);
    assert_eq!((a.device_name.as_deref(), a.channel, a.user.as_deref()), (Some("Front door"), Some(1), None));
    assert_eq!(a.code, "ACSEvent");
    assert_eq!(a.description, "Access Controller Event");
}

#[test]
fn ys_calling_event_example() {
    let event = decode(EventKind::YsCallingEvent);
    let HppEvent::YsCalling(e) = &event else { panic!() };
    assert_eq!(e.device_serial, "K20924932", "devSerial");
    assert_eq!(e.calling_id.as_deref(), Some("20240508124817-K20924932-1-00000"));
    assert_eq!(e.calling_time(), offset(datetime!(2024-05-08 20:48:17 UTC)));
    let cover = e.cover_picture.as_ref().unwrap();
    assert_eq!(
        (cover.crypt, cover.length, cover.lifecycle, cover.format.as_deref()),
        (Some(1), Some(65536), Some(90), Some("JPEG"))
    );
    assert_eq!(e.timestamp.as_ref().and_then(DeviceTime::time), naive(datetime!(2024-05-08 20:48:17)));
    assert_eq!(e.custom_info, None);
    assert_eq!(event.correlation_id(), Some("20240508124817-K20924932-1-00000"));
    let a = alarm(EventKind::YsCallingEvent);
    assert_eq!(a.event_time, offset(datetime!(2024-05-08 20:48:17 UTC)), "callingTime wins over the naive timestamp");
    assert_eq!(a.channel, Some(1));
    assert_eq!(a.media.len(), 1);
    assert_eq!(a.description, "Intercom Call");
}

#[test]
fn manual_rep_example() {
    let event = decode(EventKind::ManualRep);
    let HppEvent::ManualRep(e) = &event else { panic!() };
    assert_eq!(e.device_serial, "Q19323594");
    assert_eq!((e.channel_id, e.device_no), (Some(0), Some(1)), "numbers sent as text");
    assert_eq!(e.custom_info_value("zoneNo"), Some("0"));
    assert_eq!(e.custom_info_value("evttype"), Some("13"));
    assert_eq!(e.custom_info_value("UID"), Some("501"));
    assert_eq!(e.custom_info_value("missing"), None);
    assert_eq!(e.picture_list[0].id.as_deref(), Some("E1$7$11$0$P5LH4HP$N1$Q30344009-0$00$09685446"));
    let a = alarm(EventKind::ManualRep);
    assert_eq!((a.zone, a.channel, a.user.as_deref()), (Some(1), Some(0), Some("lyh_uat7_0403@yopmail.com")));
    assert_eq!(a.event_time, naive(datetime!(2024-08-14 11:03:06)));
    assert_eq!(a.media.len(), 1);
}

#[test]
fn disk_examples() {
    for kind in [EventKind::DiskError, EventKind::DiskFull, EventKind::DiskRecover] {
        let (HppEvent::DiskError(d) | HppEvent::DiskFull(d) | HppEvent::DiskRecover(d)) = decode(kind) else {
            panic!("{kind}")
        };
        assert_eq!(d.header.device_serial, "Q01234567");
        assert_eq!(d.header.event_time(), offset(datetime!(2024-05-08 20:48:17 +08:00)));
        assert_eq!(d.disk_no, Some(1));
        assert_eq!(d.hdds.len(), 1);
        assert_eq!((d.hdds[0].id, d.hdds[0].disk_number), (Some(1), Some(2)));
        assert_eq!(alarm(kind).description, kind.name());
    }
}

#[test]
fn detection_examples() {
    for kind in
        [EventKind::FieldDetection, EventKind::LineDetection, EventKind::RegionExiting, EventKind::RegionEntrance]
    {
        let (HppEvent::FieldDetection(d)
        | HppEvent::LineDetection(d)
        | HppEvent::RegionExiting(d)
        | HppEvent::RegionEntrance(d)) = decode(kind)
        else {
            panic!("{kind}")
        };
        assert_eq!((d.header.channel(), d.header.channel_name.as_deref()), (Some(1), Some("Camera 01")));
        assert_eq!(d.regions.len(), 1);
        let r = &d.regions[0];
        assert_eq!((r.region_id.as_deref(), r.sensitivity_level), (Some("1"), Some(50)));
        assert_eq!((r.points.len(), r.points[0].position_x, r.points[0].position_y), (1, Some(100), Some(200)));
        let a = alarm(kind);
        assert_eq!(a.channel, Some(1));
        let region = matches!(kind, EventKind::RegionExiting | EventKind::RegionEntrance);
        if region {
            // dateTime (with its zone) wins over the naive triggerTime.
            assert_eq!(a.event_time, offset(datetime!(2024-05-08 20:48:17 +08:00)));
            assert_eq!((d.header.active_post_count, d.header.event_state.as_deref()), (Some(1), Some("active")));
            assert_eq!(r.target_rect, None);
        } else {
            assert_eq!(a.event_time, naive(datetime!(2024-05-08 20:48:17)));
            assert_eq!(r.detection_target.as_deref(), Some("human"));
            let t = r.target_rect.unwrap();
            assert_eq!((t.x, t.y, t.width, t.height), (Some(0.1), Some(0.2), Some(0.3), Some(0.4)));
        }
    }
}

#[test]
fn vmd_and_the_generic_examples() {
    let HppEvent::Vmd(h) = decode(EventKind::Vmd) else { panic!() };
    assert_eq!(
        (h.device_serial.as_str(), h.channel(), h.event_description.as_deref()),
        ("Q01234567", Some(1), Some("Motion Detection"))
    );
    for kind in [EventKind::Io, EventKind::RecordException, EventKind::ShelterAlarm, EventKind::VideoLoss] {
        let (HppEvent::Io(g) | HppEvent::RecordException(g) | HppEvent::ShelterAlarm(g) | HppEvent::VideoLoss(g)) =
            decode(kind)
        else {
            panic!("{kind}")
        };
        assert_eq!(g.header.device_serial, "Q01234567");
        assert_eq!(g.header.event_description.as_deref(), Some(kind.feature()));
        assert_eq!(g.raw, RawEvent::Xml(seed_text(kind).to_owned()), "the document is kept");
        assert_eq!(alarm(kind).channel, Some(1));
    }
}

#[test]
fn the_seed_xml_templates_as_printed_do_not_fail() {
    // The seed's diskfull template verbatim (comments where the values go): no eventType, so
    // an unknown event kept raw, not an error.
    let template = r#"<?xml version="1.0" encoding="utf-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
<deviceSerial><!--required, xs:string, device serial No.--></deviceSerial>
 <dateTime>
  <!--required, xs:datetime, alarm triggered time-->
 </dateTime>
 <eventType><!--required, xs:string, event type, here it is "diskfull"--></eventType>
 <diskNo><!--optional, xs:integer, disk No.--></diskNo>
</EventNotificationAlert>"#;
    let msg = AlarmMessage { format_type: FormatType::Xml, device_serial: "D1".into(), alarm_data: json!(template) };
    let event = HppEvent::from_message(&msg).unwrap();
    assert_eq!(event, HppEvent::Unknown { event_type: String::new(), raw: RawEvent::Xml(template.to_owned()) });
    let a = to_alarm(&msg, &event, &source(), received());
    assert_eq!((a.category, a.device_id.as_str()), (Category::Other, "D1"));
    assert_eq!((a.code.as_str(), a.description.as_str()), ("", "Hik-Partner Pro event without a type"));
}

/// A hand-written JSON event with values of our own: a CID restore from partition 3, zone index
/// 4, a three-digit code whose qualifier is in `evttype`, an offset-less time with a fraction.
#[test]
fn a_hand_written_json_cid_restore() {
    let msg = AlarmMessage {
        format_type: FormatType::Json,
        device_serial: "AXPRO-77".into(),
        alarm_data: json!(
            r#"{"triggerTime":"2031-02-03 04:05:06.25","eventType":" CIDEVENT ","eventDescription":"CID event",
            "relationId":"r-9","isVideo":"2",
            "CIDEvent":{"code":"130","system":"3","zone":4,"userNo":"7","evttype":31,"partitionNo":"1,5",
            "longitude":"12.5","latitude":48.25}}"#
        ),
    };
    let event = HppEvent::from_message(&msg).unwrap();
    let HppEvent::Cid(e) = &event else { panic!("{event:?}") };
    assert_eq!(e.device_serial, "AXPRO-77", "taken from the message");
    assert_eq!(e.is_video, Some(2));
    assert_eq!((e.cid.longitude, e.cid.latitude), (Some(12.5), Some(48.25)));
    assert_eq!(e.cid.contact_id().as_deref(), Some("3130"));
    assert_eq!(e.cid.partitions(), [1, 3, 33]);
    let a = to_alarm(&msg, &event, &source(), received());
    assert_eq!((a.category, a.restore_of), (Category::Restore, Some(Category::Intrusion)));
    assert_eq!((a.code.as_str(), a.zone, a.partition, a.user.as_deref()), ("3130", Some(5), Some(3), Some("7")));
    assert_eq!(a.event_time, naive(datetime!(2031-02-03 04:05:06.25)));
    assert_eq!(a.correlation_id.as_deref(), Some("r-9"));
    assert_eq!(a.device_id, "AXPRO-77");
}

/// A hand-written XML event with values of our own: a prefixed namespace, a line crossing with
/// two regions and an offset time without colon.
#[test]
fn a_hand_written_xml_line_crossing() {
    let xml = r#"<hik:EventNotificationAlert xmlns:hik="http://www.hikvision.com/ver20/XMLSchema">
  <hik:deviceSerial>NVR-42</hik:deviceSerial><hik:channelID>12</hik:channelID>
  <hik:dateTime>2030-12-31T23:59:59-0330</hik:dateTime><hik:eventType>LineDetection</hik:eventType>
  <hik:DetectionRegionList>
    <hik:DetectionRegionEntry><hik:regionID>a</hik:regionID><hik:detectionTarget>vehicle</hik:detectionTarget></hik:DetectionRegionEntry>
    <hik:DetectionRegionEntry><hik:regionID>b</hik:regionID><hik:TargetRect><hik:X>0.5</hik:X><hik:Y/></hik:TargetRect></hik:DetectionRegionEntry>
  </hik:DetectionRegionList>
</hik:EventNotificationAlert>"#;
    let msg = AlarmMessage { format_type: FormatType::Xml, device_serial: "other".into(), alarm_data: json!(xml) };
    let event = HppEvent::from_message(&msg).unwrap();
    let HppEvent::LineDetection(d) = &event else { panic!("{event:?}") };
    assert_eq!(d.regions.iter().map(|r| r.region_id.as_deref()).collect::<Vec<_>>(), [Some("a"), Some("b")]);
    assert_eq!(d.regions[0].detection_target.as_deref(), Some("vehicle"));
    let rect = d.regions[1].target_rect.unwrap();
    assert_eq!((rect.x, rect.y), (Some(0.5), None));
    let a = to_alarm(&msg, &event, &source(), received());
    assert_eq!((a.category, a.device_id.as_str(), a.channel), (Category::Intrusion, "NVR-42", Some(12)));
    assert_eq!(a.event_time, offset(datetime!(2030-12-31 23:59:59 -03:30)));
    assert_eq!(a.description, "Line Crossing");
}

#[test]
fn an_xml_type_sent_as_json_and_a_json_type_sent_as_xml() {
    // 3.34's example: VMD as an embedded JSON object.
    let msg = AlarmMessage {
        format_type: FormatType::Json,
        device_serial: "DS2323".into(),
        alarm_data: json!({"deviceSerial": "xxx", "eventType": "VMD"}),
    };
    let event = HppEvent::from_message(&msg).unwrap();
    assert_eq!((event.kind(), event.device_serial()), (Some(EventKind::Vmd), "xxx"));
    // A device status event as XML.
    let msg = AlarmMessage {
        format_type: FormatType::Xml,
        device_serial: "DS1".into(),
        alarm_data: json!("<EventNotificationAlert><eventType>deviceonline</eventType><dateTime>2024-01-01T00:00:00Z</dateTime></EventNotificationAlert>"),
    };
    let event = HppEvent::from_message(&msg).unwrap();
    assert_eq!(event.kind(), Some(EventKind::DeviceOnline));
    assert_eq!(event.device_serial(), "DS1");
    assert_eq!(event.event_time(), offset(datetime!(2024-01-01 0:00 UTC)));
}

#[test]
fn unknown_types_are_kept_raw_and_map_to_other() {
    let data = json!({"deviceSerial": "D9", "eventType": "voiceTalkEvent", "x": [1, 2]});
    let msg = AlarmMessage { format_type: FormatType::Json, device_serial: "D9".into(), alarm_data: data.clone() };
    let event = HppEvent::from_message(&msg).unwrap();
    assert_eq!(event, HppEvent::Unknown { event_type: "voiceTalkEvent".into(), raw: RawEvent::Json(data.clone()) });
    let a = to_alarm(&msg, &event, &source(), received());
    assert_eq!(
        (a.category, a.code.as_str(), a.description.as_str()),
        (Category::Other, "voiceTalkEvent", "voiceTalkEvent")
    );
    assert_eq!((a.device_id.as_str(), a.raw.clone()), ("D9", RawEvent::Json(data)));
}

#[test]
fn malformed_messages_are_typed_errors_and_can_still_be_kept() {
    let msg = |format: FormatType, data: Value| AlarmMessage {
        format_type: format,
        device_serial: "D".into(),
        alarm_data: data,
    };
    let err = |m: &AlarmMessage| HppEvent::from_message(m).unwrap_err();
    assert!(matches!(err(&msg(FormatType::Json, Value::Null)), EventError::Empty));
    assert!(matches!(err(&msg(FormatType::Json, json!("  "))), EventError::Empty));
    assert!(matches!(err(&msg(FormatType::Json, json!([1]))), EventError::NotAnObject));
    assert!(matches!(err(&msg(FormatType::Json, json!("[1]"))), EventError::NotAnObject));
    assert!(matches!(err(&msg(FormatType::Json, json!("{\"a\":"))), EventError::Syntax { .. }));
    assert!(matches!(err(&msg(FormatType::Xml, json!("<a><b></a>"))), EventError::Syntax { .. }));
    assert!(matches!(err(&msg(FormatType::Other("CSV".into()), json!("a,b"))), EventError::UnsupportedFormat { .. }));
    let big = format!("{{\"eventType\":\"VMD\",\"pad\":\"{}\"}}", "x".repeat(MAX_EVENT_BYTES));
    assert!(matches!(err(&msg(FormatType::Json, json!(big))), EventError::TooLarge { .. }));
    let big_object = json!({"eventType": "VMD", "pad": "x".repeat(MAX_EVENT_BYTES)});
    assert!(matches!(err(&msg(FormatType::Json, big_object)), EventError::TooLarge { .. }));
    let deep = format!("{}{}", "{\"a\":".repeat(MAX_EVENT_DEPTH), "1".to_owned() + &"}".repeat(MAX_EVENT_DEPTH));
    assert!(matches!(err(&msg(FormatType::Json, json!(deep))), EventError::TooDeep { .. }));
    let deep_xml = format!("{}{}", "<a>".repeat(200), "</a>".repeat(200));
    assert!(matches!(err(&msg(FormatType::Xml, json!(deep_xml))), EventError::TooDeep { .. }));
    // A known type whose members do not fit: Invalid, naming the type; kept raw by the lossy reader.
    let bad = msg(FormatType::Json, json!({"eventType": "cidEvent", "CIDEvent": {"zone": "north"}}));
    let e = err(&bad);
    assert!(matches!(e, EventError::Invalid { event_type: "cidEvent", .. }), "{e:?}");
    assert!(std::error::Error::source(&e).is_some());
    let bad_xml = msg(
        FormatType::Xml,
        json!("<EventNotificationAlert><eventType>diskfull</eventType><diskNo>two</diskNo></EventNotificationAlert>"),
    );
    assert!(matches!(err(&bad_xml), EventError::Invalid { event_type: "diskfull", .. }));
    let (kept, why) = HppEvent::from_message_or_raw(&bad);
    assert!(why.is_some());
    assert_eq!(kept.event_type(), "cidEvent");
    assert_eq!(kept.kind(), None);
    let a = to_alarm(&bad, &kept, &source(), received());
    assert_eq!((a.category, a.code.as_str()), (Category::Other, "cidEvent"));
    assert!(matches!(a.raw, RawEvent::Json(_)));
    // Kept raw in the format it was sent in, even when it did not parse.
    let broken = msg(FormatType::Json, json!("{\"eventType\": \"cidEvent\", "));
    let (kept, why) = HppEvent::from_message_or_raw(&broken);
    assert!(matches!(why, Some(EventError::Syntax { .. })));
    assert_eq!(
        kept,
        HppEvent::Unknown { event_type: String::new(), raw: RawEvent::Json(json!("{\"eventType\": \"cidEvent\", ")) }
    );
    let broken_xml = msg(FormatType::Xml, json!("<EventNotificationAlert><eventType>VMD"));
    let (kept, _) = HppEvent::from_message_or_raw(&broken_xml);
    assert!(matches!(kept, HppEvent::Unknown { raw: RawEvent::Xml(_), .. }));
    // An unknown XML type whose members would not fit a known one is kept raw, not refused.
    let odd = msg(
        FormatType::Xml,
        json!("<EventNotificationAlert><eventType>heatmap</eventType><diskNo>two</diskNo></EventNotificationAlert>"),
    );
    assert_eq!(HppEvent::from_message(&odd).unwrap().event_type(), "heatmap");
}

#[test]
fn partitions_read_the_seed_examples_and_refuse_what_is_not_a_mask() {
    let p = |s: &str| CidBlock { partition_no: Some(s.to_owned()), ..CidBlock::default() }.partitions();
    assert_eq!(p("43"), [1, 2, 4, 6]);
    assert_eq!(p("21,2"), [2, 33, 35, 37]);
    assert_eq!(p("0,0,0,2147483648"), [32]);
    assert_eq!(p("1,0,0,0"), [97]);
    assert!(p("1,0,0,0,0").is_empty(), "more than 128 partitions");
    assert!(p("x").is_empty() && p("-1").is_empty() && p("4294967296").is_empty());
}

#[test]
fn cid_codes_and_evttypes_without_a_usable_code() {
    let cid = |code: Option<u32>, evttype: Option<&str>| {
        super::alarm::cid_category(&CidBlock { code, evttype: evttype.map(str::to_owned), ..CidBlock::default() })
    };
    assert_eq!(cid(Some(1121), Some("11")), (Category::Duress, None));
    assert_eq!(cid(Some(3401), Some("33")), (Category::Arming, None));
    assert_eq!(cid(Some(1302), None), (Category::Fault, None));
    assert_eq!(cid(Some(302), Some("32")), (Category::Restore, Some(Category::Fault)));
    assert_eq!(cid(None, Some("12")), (Category::Fault, None));
    assert_eq!(cid(None, Some("31")), (Category::Restore, None));
    assert_eq!(cid(Some(99_999), Some("13")), (Category::Other, None));
    assert_eq!(cid(None, None), (Category::Other, None));
}

#[test]
fn hikvision_cid_codes_that_leave_their_dc05_group() {
    let cid = |code: u32| super::alarm::cid_category(&CidBlock { code: Some(code), ..CidBlock::default() });
    assert_eq!(cid(1103), (Category::Intrusion, None), "Hikvision's Instant Alarm, not medical");
    assert_eq!(cid(3103), (Category::Restore, Some(Category::Intrusion)));
    assert_eq!(cid(1100), (Category::Medical, None));
    assert_eq!(cid(1341), (Category::Tamper, None));
    assert_eq!(cid(1811), (Category::Fire, None));
    assert_eq!(cid(1914), (Category::Fault, None));
    assert_eq!(cid(3940), (Category::Restore, Some(Category::Intrusion)));
}
