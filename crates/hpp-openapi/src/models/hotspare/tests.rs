//! The seed's response examples of sections 3.53 to 3.61 (kept as fixtures under
//! `fixtures/seed/`), decoded through the envelope into their models, and the limits.

use serde::de::IgnoredAny;
use serde_json::json;
use watchpost_core::ErrorKind;

use super::*;

use crate::models::seed::data;

const UUID: &str = "e7c0cee2-74a0-473f-802e-1afbb33d5303";

#[test]
fn seed_examples_without_data_are_successes() {
    for name in ["3.53", "3.55", "3.60", "3.61"] {
        let _: IgnoredAny = data(name);
    }
}

#[test]
fn seed_3_54_lists_the_host() {
    let list: HotSpareList = data("3.54");
    assert_eq!(list.list, vec![HotSpare { uuid: UUID.into(), role: SpareRole::Host }]);
    assert_eq!(list.host().map(|h| h.uuid.as_str()), Some(UUID));
}

#[test]
fn seed_3_56_heartbeat_keeps_the_time_lag_as_sent() {
    let beats: HeartbeatList = data("3.56");
    let host = beats.host().expect("the host");
    assert_eq!((host.uuid.as_str(), host.role, host.time_lag), (UUID, SpareRole::Host, 1_707_102_237_228));
}

#[test]
fn seed_3_57_to_3_59_file_key_url_and_list() {
    let uploaded: UploadedFile = data("3.57");
    assert_eq!(uploaded.key, "");
    let url: DownloadUrl = data("3.58");
    assert_eq!(url.url, "");
    let files: FileList = data("3.59");
    assert_eq!(files.list, vec![SpareFile { key: String::new(), last_modified_time: 1_707_102_237_228 }]);
    assert_eq!(files.newest().map(|f| f.last_modified_time), Some(1_707_102_237_228));
}

#[test]
fn uuids_with_spaces_and_roles_as_text_are_read() {
    let beat: Heartbeat = serde_json::from_str(r#"{"uuid":" u1","type":"2","timeLag":"15"}"#).unwrap();
    assert_eq!((beat.uuid.as_str(), beat.role, beat.time_lag), ("u1", SpareRole::Spare2, 15));
}

fn rejects(op: &str, body: serde_json::Value, needle: &str) {
    let e = check(op, &body).expect_err(needle);
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(e.to_string().contains(needle), "{e} lacks {needle}");
}

#[test]
fn uuids_roles_and_delete_modes_are_checked() {
    check("hotspare.add", &json!({"uuid": UUID, "type": 3})).unwrap();
    rejects("hotspare.add", json!({"uuid": "u".repeat(129), "type": 0}), "uuid");
    rejects("hotspare.add", json!({"uuid": "u", "type": 4}), "type");
    rejects("hotspare.heartbeat", json!({"uuid": " "}), "uuid");
    check("hotspare.delete", &json!({"deleteMode": "all", "list": []})).unwrap();
    rejects("hotspare.delete", json!({"deleteMode": "list", "list": []}), "list");
    rejects("hotspare.delete", json!({"deleteMode": "some", "list": ["u"]}), "deleteMode");
    rejects("hotspare.file.delete", json!({"key": ""}), "key");
}

#[test]
fn opspack_num_is_1_to_10() {
    check("vas.opspack.active", &json!({"deviceSerial": "D1", "opspackType": 1, "num": 10})).unwrap();
    check("vas.opspack.active", &json!({"deviceSerial": "D1"})).unwrap();
    rejects("vas.opspack.active", json!({"deviceSerial": "D1", "num": 0}), "num");
    rejects("vas.opspack.active", json!({"deviceSerial": "D1", "num": 11}), "num");
    rejects("vas.opspack.active", json!({"deviceSerial": "D1", "opspackType": 3}), "opspackType");
    rejects("vas.opspack.active", json!({"num": 1}), "deviceSerial");
}
