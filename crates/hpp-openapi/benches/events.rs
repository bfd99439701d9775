//! Decode cost of Hik-Partner Pro alarm batches: a `mq/messages` batch of 100 messages of about
//! 0.5 KB (JSON and XML events of A.3, mixed) into typed `HppEvent`s, and on into `Alarm`s.
//! Criterion reports events/s (one element = one message).
//!
//! Run with `cargo bench -p hpp-openapi --bench events`.

use std::hint::black_box;
use std::time::SystemTime;

use criterion::{criterion_main, Criterion, Throughput};
use hpp_openapi::events::{to_alarm, HppEvent};
use hpp_openapi::models::mq::MessageBatch;
use serde_json::{json, Value};
use watchpost_core::alarm::AlarmSource;

const MESSAGES: usize = 100;
const TARGET_BYTES: usize = 512;

/// Pads `text` with spaces before its last `pad_before` marker so that it is `TARGET_BYTES` long.
fn pad(text: String, marker: &str) -> String {
    let missing = TARGET_BYTES.saturating_sub(text.len());
    match text.rfind(marker) {
        Some(at) => format!("{}{}{}", &text[..at], "x".repeat(missing), &text[at..]),
        None => text,
    }
}

/// The `alarmData` and `formatType` of message `i`: one of eight A.3 event types.
fn message(i: usize) -> (Value, &'static str) {
    let serial = format!("Q{:08}", i % 37);
    let json_text = |v: Value, marker: &str| Value::String(pad(v.to_string(), marker));
    match i % 8 {
        0 => (
            json_text(
                json!({"deviceSerial": serial, "triggerTime": "2024-05-08T20:48:17", "eventType": "cidEvent",
                    "eventDescription": "CID event", "relationId": format!("5c09bee8-0d44-11eb-b416-{i:012}"),
                    "CIDEvent": {"code": 1130, "description": "Burglary", "system": 1, "systemName": "House",
                    "zone": i % 32, "zoneV30": i % 32 + 1, "userNo": 1, "userName": "installer", "ipcChannel": 1,
                    "zoneName": "Hall PIR", "partitionNo": "1", "evttype": "11"}}),
                "\"}}",
            ),
            "JSON",
        ),
        1 => (
            json_text(
                json!({"deviceSerial": serial, "triggerTime": "2024-05-08T20:48:17", "eventType": "Linkage",
                    "eventDescription": "Linkage alarm", "media": 1, "relationId": format!("5c09bee8-{i:08}"),
                    "pictureList": [{"id": format!("20240508-{serial}-2-1"),
                    "url": format!("https://isgp.ezvizlife.com/v3/alarms/pic/get?fileId=20240508-{serial}-2-1&deviceSerialNo={serial}&cn=0&isEncrypted=0&ct=4&lc=7")}]}),
                "\"}]",
            ),
            "JSON",
        ),
        2 => (
            json_text(
                json!({"deviceSerial": serial, "dateTime": "2024-05-08T12:48:17Z", "activePostCount": 1,
                    "eventType": "AccessControllerEvent", "eventState": "active", "eventDescription": "Access Controller Event",
                    "AccessControllerEvent": {"deviceName": "Front door", "majorEventType": 5, "subEventType": 75,
                    "name": "Alice", "employeeNoString": "1001", "doorNo": 1, "serialNo": i, "currentVerifyMode": "face",
                    "pictureURL": ""}}),
                "\"}}",
            ),
            "JSON",
        ),
        3 => (
            json_text(
                json!({"callingId": format!("20240508124817-{serial}-1-{i:05}"), "callingTime": 1_715_201_297_000_i64,
                    "channel": 1, "coverPicture": {"crypt": 1, "length": 65536, "lifecycle": 90, "type": "JPEG"},
                    "coverUrl": {"id": "cover", "url": format!("https://isgp.ezvizlife.com/v3/alarms/pic/get?fileId={i}&isEncrypted=1")},
                    "customInfo": "", "devSerial": serial, "timestamp": "2024-05-08T20:48:17", "eventType": "YsCallingEvent "}),
                "\"}",
            ),
            "JSON",
        ),
        4 => (
            json_text(
                json!({"deviceSerial": serial, "dateTime": "2024-05-08T12:48:17Z", "eventType": "deviceoffline",
                    "eventDescription": "device offline"}),
                "\"}",
            ),
            "JSON",
        ),
        5 => (
            Value::String(pad(
                format!(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><EventNotificationAlert version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><deviceSerial>{serial}</deviceSerial><dateTime>2024-05-08T20:48:17+08:00</dateTime><eventType>diskfull</eventType><eventDescription>disk full</eventDescription><diskNo>1</diskNo><HDDList><HDD><id>1</id><diskNumber>2</diskNumber></HDD></HDDList></EventNotificationAlert>"
                ),
                "</eventDescription>",
            )),
            "XML",
        ),
        6 => (
            Value::String(pad(
                format!(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><EventNotificationAlert version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><deviceSerial>{serial}</deviceSerial><channelID>1</channelID><triggerTime>2024-05-08T20:48:17</triggerTime><eventType>fielddetection</eventType><eventDescription>intrusion</eventDescription><DetectionRegionList><DetectionRegionEntry><regionID>1</regionID><sensitivityLevel>50</sensitivityLevel><detectionTarget>human</detectionTarget></DetectionRegionEntry></DetectionRegionList><channelName>Camera 01</channelName></EventNotificationAlert>"
                ),
                "</eventDescription>",
            )),
            "XML",
        ),
        _ => (
            Value::String(pad(
                format!(
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?><EventNotificationAlert version=\"2.0\" xmlns=\"http://www.isapi.org/ver20/XMLSchema\"><deviceSerial>{serial}</deviceSerial><channelID>1</channelID><triggerTime>2024-05-08T20:48:17</triggerTime><eventType>VMD</eventType><eventDescription>motion</eventDescription><channelName>Camera 01</channelName></EventNotificationAlert>"
                ),
                "</eventDescription>",
            )),
            "XML",
        ),
    }
}

/// The body of `mq/messages`' `data`: a batch of `MESSAGES` messages.
fn batch_json() -> String {
    let list: Vec<Value> = (0..MESSAGES)
        .map(|i| {
            let (data, format) = message(i);
            json!({"formatType": format, "deviceSerial": format!("Q{:08}", i % 37), "alarmData": data})
        })
        .collect();
    json!({"batchId": "b-1", "list": list}).to_string()
}

fn bench(c: &mut Criterion) {
    let body = batch_json();
    let batch: MessageBatch = serde_json::from_str(&body).expect("the bench batch is valid");
    assert_eq!(batch.list.len(), MESSAGES);
    for m in &batch.list {
        let size = m.alarm_text().len();
        assert!((TARGET_BYTES - 64..=TARGET_BYTES + 128).contains(&size), "{size} bytes");
        let event = HppEvent::from_message(m).expect("every bench message decodes");
        assert!(event.kind().is_some(), "{event:?}");
    }
    let source = AlarmSource::new("hpp", "bench-app-key");
    let now = SystemTime::now();

    let mut g = c.benchmark_group("hpp_events");
    g.throughput(Throughput::Elements(MESSAGES as u64));
    g.bench_function("batch_to_events_100x512B", |b| {
        b.iter(|| {
            let batch: MessageBatch = serde_json::from_str(black_box(&body)).unwrap_or_default();
            let n = batch.list.iter().filter_map(|m| HppEvent::from_message(m).ok()).count();
            black_box(n)
        })
    });
    g.bench_function("batch_to_alarms_100x512B", |b| {
        b.iter(|| {
            let batch: MessageBatch = serde_json::from_str(black_box(&body)).unwrap_or_default();
            let alarms: Vec<_> = batch
                .list
                .iter()
                .filter_map(|m| HppEvent::from_message(m).ok().map(|e| to_alarm(m, &e, &source, now)))
                .collect();
            black_box(alarms)
        })
    });
    g.finish();
}

/// The benchmark group: 30 samples (each sample decodes one batch of 100 messages).
fn benches() {
    let mut c = Criterion::default().sample_size(30).configure_from_args();
    bench(&mut c);
}

criterion_main!(benches);
