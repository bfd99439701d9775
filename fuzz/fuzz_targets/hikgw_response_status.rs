//! The Hik-Gateway envelope: `ResponseStatus` read as lenient JSON and as ISAPI XML, and the
//! profile's classification of any body under the HTTP statuses it distinguishes.
//!
//! Input: one control byte (the HTTP status), then the body.
#![no_main]

use bytes::Bytes;
use hik_gateway::error::status_error;
use hik_gateway::models::ResponseStatus;
use hik_gateway::{HikProfile, HikStatusExt as _};
use libfuzzer_sys::fuzz_target;
use watchpost_core::pipeline::VendorProfile as _;
use watchpost_core::RawResponse;

const STATUSES: [u16; 6] = [200, 400, 401, 403, 500, 503];

fn use_status(status: &ResponseStatus) {
    let _ = (status.is_success(), status.sub_status());
    let e = status_error("fuzz.status", Some(200), status);
    let _ = (e.to_string(), e.class(), e.hik_status());
}

fuzz_target!(|data: &[u8]| {
    let [ctl, body @ ..] = data else { return };
    let status = STATUSES[usize::from(*ctl) % STATUSES.len()];
    if let Ok((s, _)) = hik_gateway::json::from_slice::<ResponseStatus>(body) {
        use_status(&s);
    }
    if let Ok(s) = watchpost_core::codec::xml::from_slice::<ResponseStatus>(body) {
        use_status(&s);
    }
    let raw = RawResponse {
        op: "fuzz.status",
        status: http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK),
        headers: http::HeaderMap::new(),
        body: Bytes::copy_from_slice(body),
    };
    if let Err(e) = HikProfile.classify(&raw) {
        let _ = (e.to_string(), e.class(), e.retry_after(), e.hik_status());
    }
});
