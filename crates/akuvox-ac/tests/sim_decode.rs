//! The generated server side of the simulator (`src/sim/generated.rs`): its decoders invert the
//! client's encoders for arbitrary requests of every function, and decode the seed's literal
//! example requests once the simulator's form rewrite has turned them into the spec's form.

use akuvox_ac::models::{ConfigMap, Door, KeySelector};
use akuvox_ac::sim::generated::roundtrip;
use akuvox_ac::sim::normalize_request;
use akuvox_ac::*;
use http::Method;
use proptest::prelude::*;
use serde_json::{json, Value};
use watchpost_core::sim::{FromSimRequest, SimRequest};
use watchpost_tests::roundtrip::params;

fn samples(ty: &str) -> Vec<Value> {
    let key = json!({"ID": "1", "Name": "Lucy", "Code": "88888888", "DoorNum": "12", "Mon": "1", "Sun": "0",
                     "TimeStart": "08:00", "TimeEnd": "18:00"});
    match ty {
        "model:models::ConfigMap" => vec![json!({}), json!({"Config.DoorSetting.RELAY.HoldDelayA": "8", "X.Y.Z": ""})],
        "model:Vec<models::PrivateKey>" => vec![json!([]), json!([key])],
        "model:Vec<models::RfKey>" => vec![json!([{"ID": "0", "Code": "00B4161D", "Tags": "3", "Frequency": "10"}])],
        "model:Vec<models::KeySelector>" => vec![json!([{"ID": "7"}, {"Code": "1", "Name": "n"}])],
        "model:Vec<models::Contact>" => vec![json!([{"ID": "0", "Name": "Feya", "Phone": "126", "Group": "g"}])],
        "model:Vec<models::ContactSelector>" => vec![json!([{"Phone": "126"}])],
        "model:Vec<models::Group>" => vec![json!([{"ID": "13", "Name": "Staff"}])],
        "model:Vec<models::DialReplace>" => vec![json!([{"ID": "1", "Prefix": "9", "Replace5": "x"}])],
        "model:Vec<models::IdSelector>" => vec![json!([{"ID": "4"}])],
        "model:Vec<models::User>" => {
            vec![json!([{"UserID": "2", "LiftFloorNum": "1;2", "ScheduleRelay": "1001-1", "Extra": 1}])]
        }
        _ => Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]
    #[test]
    fn every_function_decodes_what_the_client_encodes(
        (op, p) in proptest::sample::select(akuvox_ac::OPERATIONS.to_vec())
            .prop_flat_map(|op| (Just(op), params(op, samples)))
    ) {
        prop_assert_eq!(roundtrip(op.id, p.clone()), Ok(()), "{} with {}", op.id, p);
    }
}

/// A seed example request as the simulator's decoder sees it after the form rewrite.
fn arrived(method: Method, target: &str, body: &str) -> SimRequest {
    let mut req = SimRequest::new(method, target).with_body(body.to_owned());
    normalize_request(&mut req);
    req
}

#[test]
fn the_seeds_example_requests_decode() {
    // L1065, verbatim.
    let d =
        RelayTrigRequest::from_sim_request(&arrived(Method::GET, "/api/relay/trig?mode=1&num=1&level=1&delay=5", ""))
            .unwrap();
    assert_eq!((d.mode, d.num, d.level, d.delay), (1, 1, Some(1), Some(5)));
    // L1069-1078, verbatim.
    let body = r#"{ "target": "relay", "action": "trig", "data" : { "mode": 1, "num": 1, "level": 1, "delay": 5 } }"#;
    assert_eq!(RelayTrigRequest::from_sim_request(&arrived(Method::POST, "/api/relay/trig", body)).unwrap(), d);
    // L2666, verbatim.
    let d = CallDialRequest::from_sim_request(&arrived(
        Method::GET,
        "/api/call/dial?Phone=192.168.1.58&DisplayName=Justa",
        "",
    ))
    .unwrap();
    assert_eq!((d.phone.as_str(), d.display_name.as_deref()), ("192.168.1.58", Some("Justa")));
    // L3387: the GET key is `type`.
    let d = CalllogClearRequest::from_sim_request(&arrived(Method::GET, "/api/calllog/clear?type=Missed", "")).unwrap();
    assert_eq!(d.call_type.as_deref(), Some("Missed"));
    // L829-837 (config set), sent to /api/ as L194 shows.
    let body = r#"{ "target": "config", "action": "set", "data": { "Config.DoorSetting.CLOUDSERVER.Enable": "0", "Config.DoorSetting.CLOUDSERVER.RpsServer": "192.168.1.163" } }"#;
    let d = ConfigSetRequest::from_sim_request(&arrived(Method::POST, "/api/", body)).unwrap();
    assert_eq!(
        d.config,
        ConfigMap::new()
            .with("Config.DoorSetting.CLOUDSERVER.Enable", "0")
            .with("Config.DoorSetting.CLOUDSERVER.RpsServer", "192.168.1.163")
    );
    // L1555-1577 (privatekey del selectors), verbatim.
    let body = r#"{ "target": "privatekey", "action": "del", "data" : { "item": [ { "ID": "7" }, { "Code": "66666666" }, { "Name": "Carol" }, { "ID": "5", "Code": "88888888", "Name": "Lucy" } ] } }"#;
    let d = PrivatekeyDelRequest::from_sim_request(&arrived(Method::POST, "/api/privatekey/del", body)).unwrap();
    assert_eq!(d.item.len(), 4);
    assert_eq!(d.item[0], KeySelector::id("7"));
    // L1400-1436 (privatekey add), one item of it.
    let body = r#"{ "target": "privatekey", "action": "add", "data" : { "item": [ { "Code": "88888888", "DoorNum": "1", "Fri": "1", "ID": "1", "Mon": "1", "Name": "Lucy", "Sat": "1", "Sun": "1", "Thur": "1", "TimeEnd": "00:00", "TimeStart": "00:00", "Tue": "1", "Wed": "1" } ] } }"#;
    let d = PrivatekeyAddRequest::from_sim_request(&arrived(Method::POST, "/api/privatekey/add", body)).unwrap();
    assert_eq!(d.item[0].door_num.as_ref().unwrap().doors(), vec![Door::A]);
    assert_eq!(d.item[0].days.as_bools(), [Some(true); 7]);
    // L3396 with the function table's `callog` spelling.
    let body = r#"{ "target": "callog", "action": "clear", "data" : { "Type" : "Missed" } }"#;
    let d = CalllogClearRequest::from_sim_request(&arrived(Method::POST, "/api/callog/clear", body)).unwrap();
    assert_eq!(d.call_type.as_deref(), Some("Missed"));
}
