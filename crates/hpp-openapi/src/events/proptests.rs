//! `from_message` never panics: arbitrary strings, arbitrary JSON objects and mutated seed
//! examples give an event or a typed error, and every event maps to an alarm.

use std::time::SystemTime;

use proptest::prelude::*;
use serde_json::{Map, Value};
use watchpost_core::alarm::AlarmSource;

use super::seed::seed_text;
use super::*;
use crate::models::mq::{AlarmMessage, FormatType};

fn format() -> impl Strategy<Value = FormatType> {
    prop_oneof![Just(FormatType::Json), Just(FormatType::Xml), "[A-Z]{0,4}".prop_map(FormatType::Other)]
}

/// Keys that reach the typed decoders as well as arbitrary ones.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "eventType",
            "deviceSerial",
            "devSerial",
            "CIDEvent",
            "code",
            "zone",
            "zoneV30",
            "evttype",
            "partitionNo",
            "triggerTime",
            "dateTime",
            "callingTime",
            "pictureList",
            "url",
            "coverUrl",
            "AccessControllerEvent",
            "channelID",
            "DetectionRegionList",
            "HDDList",
            "customInfo",
            "longitude",
            "EventNotificationAlert",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z]{1,8}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(EventKind::ALL.map(EventKind::name).to_vec()).prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn json_object() -> impl Strategy<Value = Value> {
    (prop::collection::btree_map(key(), json_value(), 0..10), prop::sample::select(EventKind::ALL.to_vec())).prop_map(
        |(m, kind)| {
            let mut o: Map<String, Value> = m.into_iter().collect();
            o.entry("eventType").or_insert_with(|| Value::from(kind.name()));
            Value::Object(o)
        },
    )
}

/// Decodes `msg` and maps any event to an alarm: nothing may panic.
fn run(msg: &AlarmMessage) {
    let source = AlarmSource::new("hpp", "k");
    match HppEvent::from_message(msg) {
        Ok(event) => {
            let alarm = to_alarm(msg, &event, &source, SystemTime::UNIX_EPOCH);
            let one_step = decode_alarm(msg, &source, SystemTime::UNIX_EPOCH).ok();
            assert_eq!(one_step.map(|(_, a)| a.raw), Some(alarm.raw));
            let _ = (event.picture_urls(), event.correlation_id(), event.event_time(), event.category());
        }
        Err(e) => {
            let _ = e.to_string();
            let (kept, why) = HppEvent::from_message_or_raw(msg);
            assert!(why.is_some());
            let _ = to_alarm(msg, &kept, &source, SystemTime::UNIX_EPOCH);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings(format in format(), text in ".{0,200}") {
        run(&AlarmMessage { format_type: format, device_serial: "D".into(), alarm_data: Value::String(text) });
    }

    #[test]
    fn arbitrary_markup(format in format(), text in "[<>/a-zA-Z\"={}:, ]{0,120}") {
        let text = format!("<EventNotificationAlert>{text}");
        run(&AlarmMessage { format_type: format.clone(), device_serial: "D".into(), alarm_data: Value::String(text) });
    }

    #[test]
    fn arbitrary_json_objects(format in format(), v in json_object(), as_text in any::<bool>()) {
        let alarm_data = if as_text { Value::String(v.to_string()) } else { v };
        run(&AlarmMessage { format_type: format, device_serial: "D".into(), alarm_data });
    }

    #[test]
    fn mutated_seed_examples(
        kind in prop::sample::select(EventKind::ALL.to_vec()),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut bytes = seed_text(kind).as_bytes().to_vec();
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                _ => bytes.insert(i, byte),
            }
        }
        if truncate && !bytes.is_empty() {
            bytes.truncate(cut.index(bytes.len()));
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let format = if kind.is_xml() { FormatType::Xml } else { FormatType::Json };
        run(&AlarmMessage { format_type: format, device_serial: "D".into(), alarm_data: Value::String(text) });
    }
}
