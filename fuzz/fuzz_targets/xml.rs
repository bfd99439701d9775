//! The core XML codec (`codec::xml::from_slice`) into a generic value and into typed models:
//! a flat one with attributes, text and lenient fields, a recursive one, and the gateway's
//! `SubscribeDeviceMgmtRsp` (whose `FailList` goes through a generic value).
//!
//! Checks: no panic and no stack overflow (the nesting limit); a document refused as too deep by
//! one decode is refused the same way by every other.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use watchpost_core::codec::{lenient, xml};
use watchpost_core::error::DecodeError;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Zone {
    #[serde(rename = "@id", default)]
    id_attr: Option<String>,
    #[serde(with = "lenient::int")]
    id: u32,
    #[serde(rename = "zoneName", default)]
    name: Option<String>,
    #[serde(default, with = "lenient::opt_bool_any")]
    enabled: Option<bool>,
    #[serde(rename = "Zone", default)]
    zones: Vec<Zone>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Nest {
    #[serde(rename = "$text", default)]
    text: Option<String>,
    #[serde(default)]
    a: Vec<Nest>,
}

fn too_deep<T>(result: &Result<T, DecodeError>) -> bool {
    matches!(result, Err(DecodeError::TooDeep { limit }) if *limit == xml::MAX_DEPTH)
}

fuzz_target!(|data: &[u8]| {
    let value = xml::from_slice::<serde_json::Value>(data);
    let zone = xml::from_slice::<Zone>(data);
    let nest = xml::from_slice::<Nest>(data);
    let rsp = xml::from_slice::<hik_gateway::models::SubscribeDeviceMgmtRsp>(data);
    if let Ok(rsp) = &rsp {
        let _ = rsp.failures();
    }
    let deep = too_deep(&value);
    assert_eq!(deep, too_deep(&zone));
    assert_eq!(deep, too_deep(&nest));
    assert_eq!(deep, too_deep(&rsp));
    if let Err(e) = value {
        let _ = e.to_string();
    }
});
