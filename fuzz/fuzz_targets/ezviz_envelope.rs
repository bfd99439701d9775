//! The EZVIZ envelope (`{"code", "msg", "data"}`): parsing, the profile's classification, and the
//! response models read from `data`.
//!
//! Input: one control byte (the HTTP status), then the body.
#![no_main]

use bytes::Bytes;
use ezviz_lapp::envelope::Envelope;
use ezviz_lapp::models::{
    AccessToken, Capabilities, Chime, DefencePlan, DeviceInfo, DeviceLanguage, PirArea, SwitchStatus, TimeZoneEntry,
};
use ezviz_lapp::profile::EzvizProfile;
use libfuzzer_sys::fuzz_target;
use watchpost_core::pipeline::VendorProfile as _;
use watchpost_core::RawResponse;

const STATUSES: [u16; 5] = [200, 400, 401, 429, 500];

fuzz_target!(|data: &[u8]| {
    let [ctl, body @ ..] = data else { return };
    let status = STATUSES[usize::from(*ctl) % STATUSES.len()];
    let raw = RawResponse {
        op: "fuzz.ezviz",
        status: http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK),
        headers: http::HeaderMap::new(),
        body: Bytes::copy_from_slice(body),
    };
    if let Err(e) = EzvizProfile.classify(&raw) {
        let _ = (e.to_string(), e.class(), e.retry_after());
    }
    let Ok(envelope) = Envelope::parse(body) else { return };
    let _ = (envelope.code(), envelope.message(), envelope.is_success(), envelope.ezviz_code());
    // Debug hides the token; it must not fail on any data.
    let _ = format!("{envelope:?}");
    let _ = envelope.data_as::<AccessToken>();
    let _ = envelope.data_as::<DeviceInfo>();
    let _ = envelope.data_as::<Vec<DeviceInfo>>();
    let _ = envelope.data_as::<Capabilities>();
    let _ = envelope.data_as::<DefencePlan>();
    let _ = envelope.data_as::<Vec<SwitchStatus>>();
    let _ = envelope.data_as::<PirArea>();
    let _ = envelope.data_as::<Chime>();
    let _ = envelope.data_as::<DeviceLanguage>();
    let _ = envelope.data_as::<Vec<TimeZoneEntry>>();
});
