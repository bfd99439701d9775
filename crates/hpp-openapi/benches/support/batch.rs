//! The bench batch of `benches/events.rs`: a `mq/messages` batch of 100 messages of about
//! 0.5 KB, eight A.3 event types (five JSON, three XML) in turn. Shared with
//! `tests/events_batch.rs`, which checks the batch without running the bench.

use serde_json::{json, Value};

/// Messages in the batch.
pub const MESSAGES: usize = 100;
/// The size of each message's `alarmData`, in bytes.
pub const TARGET_BYTES: usize = 512;

/// Pads XML `text` with `x`s before its last `marker` so that it is `TARGET_BYTES` long.
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
    // serde_json writes keys sorted: the JSON events are padded in one string member instead.
    let json_text = |mut v: Value, member: &str| {
        let missing = TARGET_BYTES.saturating_sub(v.to_string().len());
        if let Some(Value::String(s)) = v.get_mut(member) {
            s.push_str(&"x".repeat(missing));
        }
        Value::String(v.to_string())
    };
    match i % 8 {
        0 => (
            json_text(
                json!({"deviceSerial": serial, "triggerTime": "2024-05-08T20:48:17", "eventType": "cidEvent",
                    "eventDescription": "CID event", "relationId": format!("5c09bee8-0d44-11eb-b416-{i:012}"),
                    "CIDEvent": {"code": 1130, "description": "Burglary", "system": 1, "systemName": "House",
                    "zone": i % 32, "zoneV30": i % 32 + 1, "userNo": 1, "userName": "installer", "ipcChannel": 1,
                    "zoneName": "Hall PIR", "partitionNo": "1", "evttype": "11"}}),
                "eventDescription",
            ),
            "JSON",
        ),
        1 => (
            json_text(
                json!({"deviceSerial": serial, "triggerTime": "2024-05-08T20:48:17", "eventType": "Linkage",
                    "eventDescription": "Linkage alarm", "media": 1, "relationId": format!("5c09bee8-{i:08}"),
                    "pictureList": [{"id": format!("20240508-{serial}-2-1"),
                    "url": format!("https://isgp.ezvizlife.com/v3/alarms/pic/get?fileId=20240508-{serial}-2-1&deviceSerialNo={serial}&cn=0&isEncrypted=0&ct=4&lc=7")}]}),
                "eventDescription",
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
                "eventDescription",
            ),
            "JSON",
        ),
        3 => (
            json_text(
                json!({"callingId": format!("20240508124817-{serial}-1-{i:05}"), "callingTime": 1_715_201_297_000_i64,
                    "channel": 1, "coverPicture": {"crypt": 1, "length": 65536, "lifecycle": 90, "type": "JPEG"},
                    "coverUrl": {"id": "cover", "url": format!("https://isgp.ezvizlife.com/v3/alarms/pic/get?fileId={i}&isEncrypted=1")},
                    "customInfo": "", "devSerial": serial, "timestamp": "2024-05-08T20:48:17", "eventType": "YsCallingEvent "}),
                "customInfo",
            ),
            "JSON",
        ),
        4 => (
            json_text(
                json!({"deviceSerial": serial, "dateTime": "2024-05-08T12:48:17Z", "eventType": "deviceoffline",
                    "eventDescription": "device offline"}),
                "eventDescription",
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
pub fn batch_json() -> String {
    let list: Vec<Value> = (0..MESSAGES)
        .map(|i| {
            let (data, format) = message(i);
            json!({"formatType": format, "deviceSerial": format!("Q{:08}", i % 37), "alarmData": data})
        })
        .collect();
    json!({"batchId": "b-1", "list": list}).to_string()
}
