//! The generated server side of the Gizwits simulator (`src/sim/generated.rs`): its decoders
//! invert the client's encoders for arbitrary requests of every operation, and decode the seed's
//! literal example requests.

#![cfg(feature = "sim")]

use gizwits_ent::models::{Attrs, ControlCommand, Sort};
use gizwits_ent::ops;
use gizwits_ent::sim::generated::roundtrip;
use gizwits_ent::{ControlDeviceRequest, DeviceDataRequest, DeviceOnlineRecordsRequest};
use proptest::prelude::*;
use serde_json::{json, Value};
use watchpost_core::operation::Operation;
use watchpost_core::sim::{FromSimRequest, SimRequest};
use watchpost_tests::roundtrip::params;

fn samples(ty: &str) -> Vec<Value> {
    match ty {
        "enum:models::Sort" => vec![json!("asc"), json!("desc")],
        // `day` is read as `date`, which is what the client sends.
        "enum:models::Cycle" => vec![json!("date"), json!("week"), json!("month"), json!("quarter")],
        "enum:models::DeviceSearchType" => vec![json!("did"), json!("mac"), json!("uid"), json!("imei")],
        "enum:models::GroupAction" => vec![json!("assign"), json!("unassign")],
        "model:models::ControlCommand" => vec![
            json!({"attrs": {"binary": "1234567000"}}),
            json!({"attrs": {"switch": true, "set_temp": 16, "mode": "cool"}}),
            json!({"raw": [97, 98, 99]}),
            json!({"raw": [97, 98, 99], "binary_coding": "hex"}),
        ],
        _ => Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]
    #[test]
    fn every_operation_decodes_what_the_client_encodes(
        (op, p) in proptest::sample::select(gizwits_ent::OPERATIONS.to_vec())
            .prop_flat_map(|op| (Just(op), params(op, samples)))
    ) {
        prop_assert_eq!(roundtrip(op.id, p.clone()), Ok(()), "{} with {}", op.id, p);
    }
}

/// A request as it arrives at `target` for `op`, with the path parameters its template captures.
fn arrived(op: &'static Operation, target: &str, path_params: &[(&str, &str)], body: &str) -> SimRequest {
    let mut req = SimRequest::new(op.method.clone(), target).with_body(body.to_owned());
    req.route = op.id;
    req.params = path_params.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    req
}

#[test]
fn the_seeds_example_requests_decode() {
    // The seed's only literal request body (Device remote control, L763), copied verbatim, at
    // its URL with a product key and a did from the seed's own examples.
    let req = arrived(
        &ops::CONTROL_DEVICE,
        "/v1/products/4244bf2d79694a259232431b6f2ef46a/devices/kYkSE2xspYjocBhaUHdM5k/control",
        &[("product_key", "4244bf2d79694a259232431b6f2ef46a"), ("did", "kYkSE2xspYjocBhaUHdM5k")],
        r#"{ "attrs": { "binary": "1234567000" } }"#,
    );
    let d = ControlDeviceRequest::from_sim_request(&req).unwrap();
    assert_eq!(
        (d.product_key.as_str(), d.did.as_str()),
        ("4244bf2d79694a259232431b6f2ef46a", "kYkSE2xspYjocBhaUHdM5k")
    );
    assert_eq!(d.command, ControlCommand::attrs(Attrs::new().set("binary", "1234567000")));

    // The seed's URLs of device online records (L807) and history data (L987), with its ids and
    // its documented query parameters.
    let req = arrived(
        &ops::DEVICE_ONLINE_RECORDS,
        "/v1/products/ea202c9a5bd8708a145a4678c5afdcc3/devices/dE2xjocBhaUHkYkSspYM5k/online?start_ts=1517384243&end_ts=1517470643&sort=asc&limit=20&skip=0",
        &[("product_key", "ea202c9a5bd8708a145a4678c5afdcc3"), ("did", "dE2xjocBhaUHkYkSspYM5k")],
        "",
    );
    let d = DeviceOnlineRecordsRequest::from_sim_request(&req).unwrap();
    assert_eq!(
        (d.start_ts, d.end_ts, d.sort, d.limit, d.skip),
        (Some(1517384243), Some(1517470643), Some(Sort::Asc), Some(20), Some(0))
    );
    let req = arrived(
        &ops::DEVICE_DATA,
        "/v1/products/4244bf2d79694a259232431b6f2ef46a/devices/cBYkSjoE2xspYMhaUHdk5k/data?sort=desc",
        &[("product_key", "4244bf2d79694a259232431b6f2ef46a"), ("did", "cBYkSjoE2xspYMhaUHdk5k")],
        "",
    );
    let d = DeviceDataRequest::from_sim_request(&req).unwrap();
    assert_eq!((d.did.as_str(), d.sort, d.start_ts), ("cBYkSjoE2xspYMhaUHdk5k", Some(Sort::Desc), None));

    // Not in the seed: a body that is not a command is a rejection naming it, not a panic.
    let req = arrived(&ops::CONTROL_DEVICE, "/x", &[("product_key", "p"), ("did", "d")], "[1]");
    assert_eq!(ControlDeviceRequest::from_sim_request(&req).unwrap_err().param, "command");
}
