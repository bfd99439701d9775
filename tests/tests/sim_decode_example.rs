//! The generated server side of the example vendor (`tests/src/example/sim_generated.rs`):
//! decoders invert the client's encoders for arbitrary requests, decode literal wire requests,
//! and the generated router answers what does not decode with the vendor's rejection shape.

use proptest::prelude::*;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use watchpost_core::sim::{FromSimRequest, SimRequest};
use watchpost_tests::example::generated::{self as g, ops};
use watchpost_tests::example::models::{Mode, Schedule, SortOrder};
use watchpost_tests::example::sim_generated::roundtrip;
use watchpost_tests::example::{ExampleSim, APP_KEY, APP_SECRET};
use watchpost_tests::roundtrip::params;

fn samples(ty: &str) -> Vec<Value> {
    match ty {
        "model:models::Schedule" => vec![
            json!({"days": [], "start": ""}),
            json!({"days": [0, 6], "start": "08:00"}),
            json!({"days": [1, 2, 3, 4, 5], "start": "23:59:59"}),
        ],
        "model:models::NewWidget" => {
            vec![json!({"name": "Gate", "siteId": "s1"}), json!({"name": "Tür \"Nord\"", "siteId": ""})]
        }
        "enum:models::SortOrder" => vec![json!("asc"), json!("desc")],
        "enum:models::Mode" => vec![json!("away"), json!("stay")],
        _ => Vec::new(),
    }
}

proptest! {
    #[test]
    fn every_operation_decodes_what_the_client_encodes(
        (op, p) in proptest::sample::select(g::OPERATIONS.to_vec())
            .prop_flat_map(|op| (Just(op), params(op, samples)))
    ) {
        prop_assert_eq!(roundtrip(op.id, p.clone()), Ok(()), "{} with {}", op.id, p);
    }
}

/// A request as it arrives, with the path parameters the route template captures.
fn arrived(op: &'static watchpost_core::operation::Operation, target: &str) -> SimRequest {
    let mut req = SimRequest::new(op.method.clone(), target);
    req.route = op.id;
    req
}

#[test]
fn literal_wire_requests_decode_field_by_field() {
    // The spec's notes: the seed's example sends `enable=true` although its table says 0/1. The
    // client sends 0/1, and the simulator holds it to that.
    let req = arrived(&ops::RENAME_WIDGET, "/v1/widget/rename")
        .with_body("widgetId=9&widgetName=Front+door&enable=1&accessToken=ignored");
    let r = g::RenameWidgetRequest::from_sim_request(&req).unwrap();
    assert_eq!((r.widget_id, r.name.as_str(), r.enabled, r.note, r.notify), (9, "Front door", true, None, None));
    let req = arrived(&ops::RENAME_WIDGET, "/v1/widget/rename").with_body("widgetId=9&widgetName=x&enable=true");
    assert_eq!(g::RenameWidgetRequest::from_sim_request(&req).unwrap_err().reason, "expected 0 or 1");

    let mut req = arrived(&ops::GET_WIDGET, "/v1/sites/site%201/widgets/42?detail=2&fields=name,state");
    req.params.insert("siteId".into(), "site 1".into());
    req.params.insert("widgetId".into(), "42".into());
    let r = g::GetWidgetRequest::from_sim_request(&req).unwrap();
    assert_eq!(r, g::GetWidgetRequest::new("site 1", 42).detail(2).fields(["name", "state"]));

    let req = arrived(&ops::LIST_WIDGETS, r#"/v1/widgets?pageNo=3&sort=desc&tags=%5B%22a%22%5D"#)
        .with_header("X-Tenant-Id", "t-1");
    let r = g::ListWidgetsRequest::from_sim_request(&req).unwrap();
    assert_eq!(r, g::ListWidgetsRequest::new("t-1").page(3).sort(SortOrder::Desc).tags(["a"]));

    let mut req = arrived(&ops::SET_SCHEDULE, "/v1/widgets/5/schedule").with_body(
        r#"{"schedule":{"days":[1],"start":"08:00"},"channels":["ch1"],"mode":"stay","armed":1,"ratio":0.5,"extra":{"k":[1]}}"#,
    );
    req.params.insert("widgetId".into(), "5".into());
    let r = g::SetScheduleRequest::from_sim_request(&req).unwrap();
    let want = g::SetScheduleRequest::new(5, Schedule { days: vec![1], start: "08:00".into() }, ["ch1"])
        .mode(Mode::Stay)
        .armed(true)
        .ratio(0.5)
        .extra(json!({"k": [1]}));
    assert_eq!(r, want);
}

#[test]
fn bad_requests_are_rejected_naming_the_parameter() {
    let req = arrived(&ops::RENAME_WIDGET, "/v1/widget/rename").with_body("widgetId=nine&widgetName=x&enable=1");
    let e = g::RenameWidgetRequest::from_sim_request(&req).unwrap_err();
    assert_eq!((e.op, e.param, e.reason.as_str()), ("widget.rename", "widgetId", "not a valid u64"));
    let req = arrived(&ops::RENAME_WIDGET, "/v1/widget/rename").with_body("widgetId=9&enable=1");
    assert_eq!(
        g::RenameWidgetRequest::from_sim_request(&req).unwrap_err().to_string(),
        "widget.rename: parameter `widgetName`: missing"
    );
    let req = arrived(&ops::LIST_WIDGETS, "/v1/widgets?sort=sideways").with_header("x-tenant-id", "t");
    assert_eq!(g::ListWidgetsRequest::from_sim_request(&req).unwrap_err().param, "sort");
    let req = arrived(&ops::SET_SCHEDULE, "/v1/widgets/5/schedule").with_body("[1]");
    assert_eq!(
        g::SetScheduleRequest::from_sim_request(&req).unwrap_err().to_string(),
        "schedule.set: body: the body is not a JSON object"
    );
    // A secret never appears in a rejection.
    let req = arrived(&ops::GET_TOKEN, "/v1/token").with_body("appSecret=hunter2");
    let e = g::GetTokenRequest::from_sim_request(&req).unwrap_err();
    assert_eq!(e.param, "appKey");
    assert!(!format!("{e} {e:?}").contains("hunter2"));
}

#[test]
fn declared_limits_bind_the_client_and_the_decoder() {
    use watchpost_core::operation::ToRequest as _;
    // `pageNo` is declared 1..=1000 and `widgetName` 1..=32 characters in tests/spec/example.toml.
    let e = g::ListWidgetsRequest::new("t").page(0).to_request().unwrap_err();
    assert_eq!(e.to_string(), "widget.list: invalid input: pageNo must be in 1..=1000");
    assert!(g::ListWidgetsRequest::new("t").page(1000).to_request().is_ok());
    let long = "x".repeat(33);
    assert!(g::RenameWidgetRequest::new(9, long.as_str(), true).to_request().is_err());
    assert!(g::RenameWidgetRequest::new(9, "ü".repeat(32).as_str(), true).to_request().is_ok());
    // The same limits on the wire, decoded by the simulator.
    let req = arrived(&ops::LIST_WIDGETS, "/v1/widgets?pageNo=1001").with_header("x-tenant-id", "t");
    let e = g::ListWidgetsRequest::from_sim_request(&req).unwrap_err();
    assert_eq!((e.param, e.reason.as_str()), ("pageNo", "must be in 1..=1000"));
    let req = arrived(&ops::RENAME_WIDGET, "/v1/widget/rename").with_body("widgetId=9&widgetName=&enable=1");
    let e = g::RenameWidgetRequest::from_sim_request(&req).unwrap_err();
    assert_eq!((e.param, e.reason.as_str()), ("widgetName", "must have 1..=32 characters"));
}

/// Sends raw bytes to the simulator and returns the status and body of its answer.
async fn raw(sim: &ExampleSim, request: String) -> (u16, Value) {
    let addr = sim.server.base_url().trim_start_matches("http://").to_owned();
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).await.unwrap();
    let text = String::from_utf8(answer).unwrap();
    let status = text.get(9..12).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or_default();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_generated_router_rejects_over_loopback_with_the_vendor_shape() {
    let sim = ExampleSim::start().await.unwrap();
    let (status, body) =
        raw(&sim, "GET /v1/sites/s/widgets/forty-two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_owned())
            .await;
    assert_eq!(
        (status, body),
        (400, json!({"code": "bad_parameter", "param": "widgetId", "message": "not a valid u64"}))
    );

    let form = format!("appKey={APP_KEY}&appSecret={APP_SECRET}");
    let (status, body) = raw(
        &sim,
        format!(
            "POST /v1/token HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ),
    )
    .await;
    assert_eq!((status, body["accessToken"].as_str()), (200, Some("at.example")));
    let seen = sim.seen.lock().unwrap();
    assert_eq!(seen.iter().map(|s| s.route).collect::<Vec<_>>(), ["widget.get", "token.get"]);
}
