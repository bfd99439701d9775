//! The `Nats-Msg-Id` of an alarm: stable over re-deliveries of the same alarm.

use sha2::{Digest, Sha256};
use watchpost_core::alarm::{Alarm, RawEvent};

/// The `Nats-Msg-Id` of `alarm` followed from source `source`: `wp1-` and 32 hex digits.
///
/// Two alarms are **the same** (and JetStream's duplicate window drops the second) when they
/// agree on all of: the bridge source name, the vendor, the account, the device id, the vendor
/// code, the event time as the device gave it (with its kind, offset or naive), the correlation
/// id, and the raw event (SHA-256 of its JSON serialisation: format and body). The receive time
/// and everything derived from the raw event by the vendor mapping (category, description,
/// media) are left out, so a re-delivery of the same event after a reconnect or an
/// unacknowledged queue batch gets the same id. Two events that differ in any byte of their raw
/// body are different alarms.
pub fn message_id(source: &str, alarm: &Alarm) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        // Length-prefixed, so that no two field lists share an encoding.
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(b"watchpost-alarm-v1");
    field(source.as_bytes());
    field(alarm.source.vendor.as_bytes());
    field(alarm.source.account.as_bytes());
    field(alarm.device_id.as_bytes());
    field(alarm.code.as_bytes());
    match &alarm.event_time {
        Some(t) => field(format!("{}:{t}", if t.is_naive() { "naive" } else { "offset" }).as_bytes()),
        None => field(b"-"),
    }
    match &alarm.correlation_id {
        Some(c) => field(format!("+{c}").as_bytes()),
        None => field(b"-"),
    }
    field(&raw_digest(&alarm.raw));
    let digest = h.finalize();
    format!("wp1-{}", hex::encode(digest.get(..16).unwrap_or(&digest[..])))
}

fn raw_digest(raw: &RawEvent) -> [u8; 32] {
    let mut h = Sha256::new();
    match raw {
        RawEvent::Json(v) => {
            h.update(b"json:");
            // A `Value` serialises without failure; its map order is the order it was parsed in.
            h.update(serde_json::to_vec(v).unwrap_or_default());
        }
        RawEvent::Xml(s) => {
            h.update(b"xml:");
            h.update(s.as_bytes());
        }
    }
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};
    use time::macros::datetime;
    use watchpost_core::alarm::{AlarmSource, Category, EventTime};

    fn alarm() -> Alarm {
        Alarm {
            source: AlarmSource::new("hpp", "key-1"),
            device_id: "Q123".into(),
            device_name: Some("hall".into()),
            zone: Some(3),
            partition: None,
            channel: None,
            user: None,
            event_time: Some(EventTime::Offset(datetime!(2024-03-01 08:09:10 +08:00))),
            received_at: SystemTime::UNIX_EPOCH,
            category: Category::Intrusion,
            restore_of: None,
            code: "1130".into(),
            description: "burglary".into(),
            correlation_id: Some("rel-9".into()),
            media: vec![],
            raw: RawEvent::Json(serde_json::json!({"a": 1})),
        }
    }

    #[test]
    fn a_redelivery_received_later_has_the_same_id() {
        let a = alarm();
        let mut b = alarm();
        b.received_at = SystemTime::UNIX_EPOCH + Duration::from_secs(99);
        b.description = "re-mapped".into();
        assert_eq!(message_id("s", &a), message_id("s", &b));
        assert!(message_id("s", &a).starts_with("wp1-") && message_id("s", &a).len() == 36);
    }

    #[test]
    fn any_identifying_field_changes_the_id() {
        let base = message_id("s", &alarm());
        let mut variants: Vec<(&str, String)> = vec![("source", message_id("t", &alarm()))];
        type Edit = (&'static str, fn(&mut Alarm));
        let edits: [Edit; 8] = [
            ("vendor", |a| a.source.vendor = "hik-gateway".into()),
            ("account", |a| a.source.account = "key-2".into()),
            ("device", |a| a.device_id = "Q124".into()),
            ("code", |a| a.code = "1131".into()),
            ("time", |a| a.event_time = Some(EventTime::Naive(datetime!(2024-03-01 08:09:10)))),
            ("no time", |a| a.event_time = None),
            ("correlation", |a| a.correlation_id = None),
            ("raw", |a| a.raw = RawEvent::Json(serde_json::json!({"a": 2}))),
        ];
        for (what, edit) in edits {
            let mut a = alarm();
            edit(&mut a);
            variants.push((what, message_id("s", &a)));
        }
        for (what, id) in &variants {
            assert_ne!(&base, id, "{what} did not change the id");
        }
    }
}
