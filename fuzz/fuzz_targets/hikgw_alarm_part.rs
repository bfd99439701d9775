//! Hik-Gateway alarm-stream part parsing (`events::parse_part`), JSON and XML, under every
//! content type the stream meets, and the accessors an alarm centre calls on the result.
//!
//! Input: one control byte (the content type), then the part body.
#![no_main]

use hik_gateway::events::{parse_part, Part};
use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: [Option<&str>; 5] =
    [None, Some("application/json"), Some("application/xml; charset=\"UTF-8\""), Some("text/plain"), Some("")];

fuzz_target!(|data: &[u8]| {
    let [ctl, body @ ..] = data else { return };
    let content_type = CONTENT_TYPES[usize::from(*ctl) % CONTENT_TYPES.len()];
    match parse_part(content_type, body) {
        Ok(Part::Event(event)) => {
            let _ = (event.is_heartbeat(), event.dev_index(), event.header(), event.cid_code());
            let _ = format!("{event:?}");
        }
        Ok(Part::Subscribed(rsp)) => {
            let _ = rsp.failures();
        }
        Ok(Part::Status(status)) => {
            let _ = (status.is_success(), status.sub_status());
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
