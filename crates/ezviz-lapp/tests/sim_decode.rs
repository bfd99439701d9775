//! The generated server side of the EZVIZ simulator (`src/sim/generated.rs`): its decoders invert
//! the client's encoders for arbitrary requests of every operation, and decode the seed's literal
//! example requests.

#![cfg(feature = "sim")]

use ezviz_lapp::models::{ChimeType, InfoVersion, ScheduleTime, Weekdays};
use ezviz_lapp::ops;
use ezviz_lapp::requests as r;
use ezviz_lapp::sim::generated::roundtrip;
use proptest::prelude::*;
use serde_json::{json, Value};
use watchpost_core::operation::Operation;
use watchpost_core::sim::{FromSimRequest, SimRequest};
use watchpost_tests::roundtrip::params;

fn samples(ty: &str) -> Vec<Value> {
    match ty {
        // Sleep and Disarm are both sent as 0 (the service reads it by device type): the wire
        // cannot tell them apart, so only Disarm round-trips.
        "enum:models::DefenceMode" => vec![json!("disarm"), json!("arm"), json!("home"), json!("away")],
        "enum:models::ScheduleTime" => vec![json!("00:00"), json!("06:05"), json!("23:59"), json!("n07:30")],
        "enum:models::Weekdays" => vec![json!("0"), json!("1,3,5"), json!("0,1,2,3,4,5,6")],
        "enum:models::PirMasks" => vec![json!("0"), json!("1,3,6,7"), json!("7,0")],
        "enum:models::ChimeType" => vec![json!(1), json!(2), json!(3), json!(9)],
        "enum:models::InfoVersion" => vec![json!("utc")],
        "enum:models::TimeZoneLanguage" => vec![json!("ENGLISH"), json!("SIMPCN"), json!("LATIN")],
        "enum:models::TzCode" => vec![json!("UTC"), json!("UTC+08:00"), json!("UTC-03:30")],
        "enum:models::TimeFormat" => vec![json!(0), json!(1), json!(2), json!(7)],
        "enum:models::Language" => vec![json!("ENGLISH"), json!("GERMAN"), json!("KLINGON")],
        _ => Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]
    #[test]
    fn every_operation_decodes_what_the_client_encodes(
        (op, p) in proptest::sample::select(ezviz_lapp::OPERATIONS.to_vec())
            .prop_flat_map(|op| (Just(op), params(op, samples)))
    ) {
        prop_assert_eq!(roundtrip(op.id, p.clone()), Ok(()), "{} with {}", op.id, p);
    }
}

/// The seed's literal request body of `op` as the simulator receives it.
fn seed_request(op: &'static Operation, body: &str) -> SimRequest {
    let mut req = SimRequest::new(op.method.clone(), op.path).with_body(body.to_owned());
    req.route = op.id;
    req
}

#[test]
fn the_seeds_example_requests_decode() {
    // Each body is the seed's literal "Request Example" (HTTP body), copied verbatim.
    // 1.11, POST /api/lapp/device/defence/plan/set
    let req = seed_request(
        &ops::SET_DEFENCE_PLAN,
        "accessToken=at.dunwhxt2azk02hcn7phqygsybbw0wv6p&deviceSerial=427734888&channelNo=1&period=0%2C1%2C6&startTime=23%3A20&stopTime=23%3A21&enable=0",
    );
    let d = r::SetDefencePlanRequest::from_sim_request(&req).unwrap();
    assert_eq!((d.device_serial.as_str(), d.channel_no, d.enable), ("427734888", Some(1), Some(false)));
    assert_eq!(d.start_time, Some("23:20".parse::<ScheduleTime>().unwrap()));
    assert_eq!(d.stop_time, Some("23:21".parse::<ScheduleTime>().unwrap()));
    assert_eq!(d.period, Some("0,1,6".parse::<Weekdays>().unwrap()));

    // 1.16, POST /api/lapp/device/chime/set
    let req = seed_request(
        &ops::SET_CHIME,
        "accessToken=at.7jao9nxm84yxu7yw432mo40d9ewg4sgx-2rsq7g7pvj-11pgy9c-f3mvxd7vu&deviceSerial=C24899350&channelNo=1&type=3&duration=10000",
    );
    let d = r::SetChimeRequest::from_sim_request(&req).unwrap();
    assert_eq!((d.device_serial.as_str(), d.chime_type, d.duration), ("C24899350", ChimeType::NoChime, 10000));

    // 1.20, POST /api/lapp/device/info
    let req = seed_request(
        &ops::GET_DEVICE_INFO,
        "accessToken=at.8mozdi23c6gd3i3acx252ryl9nxdi7pc-9db2tvmfdx-0e8lbja-kqw6uutal&deviceSerial=Q00737271&version=utc",
    );
    let d = r::GetDeviceInfoRequest::from_sim_request(&req).unwrap();
    assert_eq!((d.device_serial.as_str(), d.version), ("Q00737271", InfoVersion::Utc));

    // 1.4, POST /api/lapp/device/sound/switch/set
    let req = seed_request(
        &ops::SET_SOUND_SWITCH,
        "accessToken=at.9mqitppidgce4y8n54ranvyqc9fjtsrl&deviceSerial=596510888&enable=1&channelNo=1",
    );
    let d = r::SetSoundSwitchRequest::from_sim_request(&req).unwrap();
    assert_eq!((d.device_serial.as_str(), d.enable, d.channel_no), ("596510888", true, Some(1)));

    // Not in the seed: a malformed value is a rejection naming the parameter, not a panic.
    let req = seed_request(&ops::SET_CHIME, "deviceSerial=C1&type=chime");
    assert_eq!(r::SetChimeRequest::from_sim_request(&req).unwrap_err().param, "type");
}
