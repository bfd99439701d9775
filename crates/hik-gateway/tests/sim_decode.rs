//! The generated server side of the Hikvision gateway simulator (`src/sim/generated.rs`): its
//! decoders invert the client's encoders for arbitrary requests of every operation, and decode
//! the seed's literal example requests.

#![cfg(feature = "sim")]

use hik_gateway::models::{DevIndexListMsg, SubscribeDeviceMgmtMsg};
use hik_gateway::ops;
use hik_gateway::sim::generated::roundtrip;
use hik_gateway::{DeleteDevicesRequest, RebootDeviceRequest, SubscribeRawRequest};
use proptest::prelude::*;
use serde_json::{json, Value};
use watchpost_core::operation::Operation;
use watchpost_core::sim::{FromSimRequest, SimRequest};
use watchpost_tests::roundtrip::params;

fn samples(ty: &str) -> Vec<Value> {
    match ty {
        "enum:models::ArmWays" => vec![json!("stay"), json!("away"), json!("instant")],
        "model:models::DeviceInListMsg" => vec![
            json!({"DeviceInList": [{"Device": {"protocolType": "ehomeV5", "EhomeParams": {"EhomeID": "e1", "EhomeKey": "k"}, "devName": "Hall", "devType": "SecurityCP"}}]}),
            json!({"DeviceInList": [{"Device": {"protocolType": "ehome", "EhomeParams": {"EhomeID": "e2"}}}]}),
        ],
        "model:models::DevIndexListMsg" => vec![json!({"DevIndexList": ["a", "b"]}), json!({"DevIndexList": []})],
        "model:models::DevListMsg" => vec![json!({"DevList": ["a"]}), json!({"DevList": ["a", "b", "c"]})],
        "model:models::SearchDescriptionMsg" => vec![
            json!({"SearchDescription": {"position": 0, "maxResult": 20}}),
            json!({"SearchDescription": {"position": 40, "maxResult": 5, "Filter": {"key": "DS-2CD", "devStatus": "online"}}}),
        ],
        "model:models::SubscribeDevEventMsg" => vec![
            json!({"SubscribeDevEvent": {"devIndex": "u1", "uploadMode": "all"}}),
            json!({"SubscribeDevEvent": {"devIndex": "u1", "uploadMode": "part", "eventList": ["CIDAlarm"]}}),
        ],
        "model:models::SubscribeDeviceMgmtMsg" => vec![
            json!({"SubscribeDeviceMgmt": {"eventMode": "all", "defenceMode": "all"}}),
            json!({"SubscribeDeviceMgmt": {"eventMode": "device", "DevEventList": [{"Dev": {"devIndex": "u1", "uploadMode": "part", "eventList": ["videoReview"]}}]}}),
        ],
        "model:models::ListMsg" => vec![json!({"List": [{"id": 1}, {"id": 3}]}), json!({"List": []})],
        "model:models::OutputsCtrlMsg" => vec![
            json!({"OutputsCtrl": {"switch": "open", "List": [{"id": 1}, {"id": 2}]}}),
            json!({"OutputsCtrl": {"switch": "close", "List": [{"id": 1}]}}),
        ],
        "model:models::DeviceInfoMsg" => vec![
            json!({"DeviceInfo": {"deviceName": "Gateway"}}),
            json!({"DeviceInfo": {"deviceName": "Hall panel", "deviceDescription": "ground floor"}}),
        ],
        "model:models::IoPortDataMsg" => {
            vec![json!({"IOPortData": {"outputState": "high"}}), json!({"IOPortData": {"outputState": "low"}})]
        }
        "model:models::IpAddressMsg" => vec![
            json!({"IPAddress": {"ipVersion": "v4", "addressingType": "static", "ipAddress": "10.0.0.2", "subnetMask": "255.255.255.0", "DefaultGateway": {"ipAddress": "10.0.0.1"}}}),
            json!({"IPAddress": {"ipVersion": "dual", "addressingType": "dynamic"}}),
        ],
        "model:models::NetworkInterfaceMsg" => vec![
            json!({"NetworkInterface": {"id": "1", "IPAddress": {"ipVersion": "v4", "addressingType": "static", "ipAddress": "10.0.0.2"}}}),
        ],
        "model:models::TimeMsg" => vec![
            json!({"Time": {"timeMode": "manual", "localTime": "2019-02-28T10:50:44+08:00"}}),
            json!({"Time": {"timeMode": "manual", "localTime": "2031-05-06T07:08:09Z"}}),
        ],
        _ => Vec::new(),
    }
}

/// The operations whose request has a wire form to invert: `video.download` is sent to a URL
/// the device handed out (verbatim), not through its path template.
fn templated() -> Vec<&'static Operation> {
    hik_gateway::OPERATIONS.iter().copied().filter(|op| op.path.starts_with('/')).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]
    #[test]
    fn every_operation_decodes_what_the_client_encodes(
        (op, p) in proptest::sample::select(templated()).prop_flat_map(|op| (Just(op), params(op, samples)))
    ) {
        prop_assert_eq!(roundtrip(op.id, p.clone()), Ok(()), "{} with {}", op.id, p);
    }
}

/// A request as it arrives at `target` for `op`.
fn arrived(op: &'static Operation, target: &str, body: &str) -> SimRequest {
    let mut req = SimRequest::new(op.method.clone(), target).with_body(body.to_owned());
    req.route = op.id;
    req
}

#[test]
fn the_seeds_example_requests_decode() {
    // Chapter 6, "Message Example of Subscribing Alarm/Event in Arming Mode": the request line
    // and body copied verbatim (its Content-Type claims a form; the body is JSON).
    let req = arrived(
        &ops::SUBSCRIBE_RAW,
        "/ISAPI/Event/notification/subscribeDeviceMgmt?format=json",
        "{\n  \"SubscribeDeviceMgmt\":{\n     \"eventMode\":\"all\",\n    \"defenceMode\":\"all\"\n  }\n}",
    )
    .with_header("Content-Type", "application/x-www-form-urlencoded");
    let d = SubscribeRawRequest::from_sim_request(&req).unwrap();
    assert_eq!(d.body, SubscribeDeviceMgmtMsg::all());

    // 9.7 JSON_DevIndexList, the seed's body verbatim, posted to delDevice (2.4).
    let req = arrived(
        &ops::DELETE_DEVICES,
        "/ISAPI/ContentMgmt/DeviceMgmt/delDevice?format=json",
        "{\n  \"DevIndexList\": [\"\",\"\"] \n}",
    );
    let d = DeleteDevicesRequest::from_sim_request(&req).unwrap();
    assert_eq!(d.body, DevIndexListMsg { dev_index_list: vec![String::new(), String::new()] });

    // 2.4, "Reboot device added to Device Gateway", with the uuid of the seed's streamMedia
    // example (2.3).
    let req =
        arrived(&ops::REBOOT_DEVICE, "/ISAPI/System/reboot?format=json&devIndex=550e8400e29b41d4a716446655440000", "");
    let d = RebootDeviceRequest::from_sim_request(&req).unwrap();
    assert_eq!(d.dev_index, "550e8400e29b41d4a716446655440000");

    // Not in the seed: a reboot without its device is a rejection naming `devIndex`.
    let req = arrived(&ops::REBOOT_DEVICE, "/ISAPI/System/reboot?format=json", "");
    assert_eq!(RebootDeviceRequest::from_sim_request(&req).unwrap_err().param, "devIndex");
}
