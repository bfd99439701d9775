//! The batch of the `events` bench, checked without running the bench: it parses as a
//! `mq/messages` batch, each message is about 0.5 KB, and every one decodes into a typed event and
//! an alarm.

#[path = "../benches/support/batch.rs"]
mod batch;

use std::collections::BTreeSet;
use std::time::SystemTime;

use hpp_openapi::events::{to_alarm, HppEvent};
use hpp_openapi::models::mq::MessageBatch;
use watchpost_core::alarm::{AlarmSource, Category};

#[test]
fn the_bench_batch_is_100_typed_messages_of_about_half_a_kilobyte() {
    let batch: MessageBatch = serde_json::from_str(&batch::batch_json()).unwrap();
    assert_eq!(batch.list.len(), batch::MESSAGES);
    let source = AlarmSource::new("hpp", "bench");
    let mut kinds = BTreeSet::new();
    for m in &batch.list {
        let size = m.alarm_text().len();
        assert!((batch::TARGET_BYTES..=batch::TARGET_BYTES + 64).contains(&size), "{size} bytes: {}", m.alarm_text());
        let event = HppEvent::from_message(m).unwrap();
        kinds.insert(event.kind().unwrap());
        let alarm = to_alarm(m, &event, &source, SystemTime::UNIX_EPOCH);
        assert_ne!(alarm.category, Category::Other);
    }
    assert_eq!(kinds.len(), 8);
}
