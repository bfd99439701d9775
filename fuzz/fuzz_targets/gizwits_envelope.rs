//! The Gizwits envelope: the error body (`error_code`, `error_message`, `detail_message`) and its
//! classification, and the response models decoded the way the client decodes them (including
//! the recursive group and location trees).
//!
//! Input: the body.
#![no_main]

use bytes::Bytes;
use gizwits_ent::models::{
    AccessToken, BatchResult, CommandLog, Device, GroupTree, LocationReport, LocationTree, Page, ProductDatapoints,
};
use gizwits_ent::ErrorEnvelope;
use libfuzzer_sys::fuzz_target;
use watchpost_core::RawResponse;

fuzz_target!(|body: &[u8]| {
    if let Some(envelope) = ErrorEnvelope::parse(body) {
        let code = envelope.code();
        let _ = (code.class_for_status(Some(400)), code.class_for_status(None), code.is_retry_later(), code.safe_to_retry());
        let _ = (code.as_str(), envelope.message());
    }
    let raw = RawResponse {
        op: "fuzz.gizwits",
        status: http::StatusCode::OK,
        headers: http::HeaderMap::new(),
        body: Bytes::copy_from_slice(body),
    };
    let _ = raw.json::<AccessToken>();
    let _ = raw.json::<ProductDatapoints>().map(|d| d.datapoints().count());
    let _ = raw.json::<Page<Device>>();
    let _ = raw.json::<Page<CommandLog>>();
    let _ = raw.json::<BatchResult>().map(|b| b.all_succeeded());
    if let Ok(tree) = raw.json::<GroupTree>() {
        let _ = (tree.gids(), tree.root());
    }
    if let Ok(tree) = raw.json::<LocationTree>() {
        let _ = tree.find(&["China"]).map(|n| n.total());
    }
    let _ = raw.json::<LocationReport>();
});
