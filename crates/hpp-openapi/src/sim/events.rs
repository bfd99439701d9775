//! The seed example of every A.3 event type, to push into the simulated queue.
//!
//! The examples are the fixture files of `tests/fixtures/events` (each fix of the seed's text is
//! named in the `.md` beside it), with the device serial number replaced.

use serde_json::Value;

use super::Simulator;
use crate::events::seed::seed_text;
use crate::events::EventKind;
use crate::models::mq::FormatType;

/// The seed example of event type `kind` (`cidEvent`, `ACSEvent`, `VMD`, any A.3 name in any
/// letter case) for device `serial`: its `formatType` and its `alarmData` as the documented text
/// (JSON or XML). `None` for a name that is not an A.3 type.
pub(crate) fn seed_event(kind: &str, serial: &str) -> Option<(FormatType, Value)> {
    let kind = EventKind::from_event_type(kind)?;
    let text = seed_text(kind);
    if kind.is_xml() {
        return Some((FormatType::Xml, Value::String(with_xml_serial(text, serial))));
    }
    let mut v: Value = serde_json::from_str(text).ok()?;
    let key = if kind == EventKind::YsCallingEvent { "devSerial" } else { "deviceSerial" };
    v.as_object_mut()?.insert(key.to_owned(), Value::from(serial));
    Some((FormatType::Json, Value::String(v.to_string())))
}

/// `text` with the content of its `<deviceSerial>` element replaced by `serial`, escaped.
fn with_xml_serial(text: &str, serial: &str) -> String {
    const OPEN: &str = "<deviceSerial>";
    const CLOSE: &str = "</deviceSerial>";
    let Some(start) = text.find(OPEN).map(|i| i + OPEN.len()) else { return text.to_owned() };
    let Some(len) = text[start..].find(CLOSE) else { return text.to_owned() };
    let escaped = serial.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    format!("{}{escaped}{}", &text[..start], &text[start + len..])
}

/// Test hooks: the seed's events.
impl Simulator {
    /// Queues the seed example of A.3 event type `kind` (`cidEvent`, `ACSEvent`, `VMD`, ...) for
    /// device `serial`, as [`Simulator::push_alarm`] does; returns whether it was queued (`false`
    /// for a name that is not an A.3 type, or when `push_alarm` drops it).
    pub fn push_seed_event(&self, kind: &str, serial: &str) -> bool {
        match seed_event(kind, serial) {
            Some((format, data)) => self.push_alarm(serial, format, data),
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::HppEvent;
    use crate::models::mq::{AlarmMessage, SubMode, SubType};
    use crate::requests::{MqMessagesRequest, MqOffsetRequest, MqSubscribeRequest};

    #[test]
    fn every_type_has_its_seed_example_with_the_serial_replaced() {
        for kind in EventKind::ALL {
            let (format, data) = seed_event(kind.name(), "Q<&>1").unwrap();
            let msg = AlarmMessage { format_type: format, device_serial: "Q<&>1".into(), alarm_data: data };
            let event = HppEvent::from_message(&msg).unwrap();
            assert_eq!((event.kind(), event.device_serial()), (Some(kind), "Q<&>1"), "{kind}");
        }
        assert!(seed_event("voiceTalkEvent", "Q1").is_none());
        assert_eq!(seed_event("accesscontrollerevent", "Q1").map(|(f, _)| f), Some(FormatType::Json));
    }

    #[tokio::test]
    async fn seed_events_travel_through_the_simulated_queue() {
        let sim = Simulator::start().await.unwrap();
        let client = sim.client_builder().build().unwrap();
        assert!(!sim.push_seed_event("cidEvent", "Q01728482"), "nobody subscribed");
        client.mq_subscribe(&MqSubscribeRequest::new(SubType::Subscribe, SubMode::All)).await.unwrap();
        assert!(!sim.push_seed_event("notAnEvent", "Q01728482"));
        for kind in EventKind::ALL {
            assert!(sim.push_seed_event(kind.name(), "Q01728482"), "{kind}");
        }
        let mut seen = Vec::new();
        while seen.len() < EventKind::ALL.len() {
            let batch = client.mq_messages(&MqMessagesRequest::new()).await.unwrap();
            assert!(!batch.is_empty());
            for msg in &batch.list {
                let event = HppEvent::from_message(msg).unwrap();
                assert_eq!(event.device_serial(), "Q01728482");
                seen.extend(event.kind());
            }
            let id = batch.batch_id.unwrap();
            client.mq_offset(&MqOffsetRequest::new(id)).await.unwrap();
        }
        assert_eq!(seen, EventKind::ALL);
        sim.shutdown().await;
    }
}
