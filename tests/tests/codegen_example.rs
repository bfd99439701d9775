//! The code generator, proven on `tests/spec/example.toml`: `to_request()` of every generated
//! request struct (pure), then every operation and `dispatch` over loopback against a recording
//! simulator.

use serde_json::json;
use watchpost_core::operation::{Body, ParamLocation, TimeoutClass, ToRequest};
use watchpost_core::ErrorKind;
use watchpost_tests::example::generated::{self as g, ops};
use watchpost_tests::example::models::{Mode, NewWidget, Schedule, SortOrder};
use watchpost_tests::example::{Client, ExampleSim};

fn form(body: &Body) -> Vec<(String, String)> {
    match body {
        Body::Form(pairs) => pairs.clone(),
        other => panic!("expected a form body, got {other:?}"),
    }
}

fn json_body(body: &Body) -> serde_json::Value {
    match body {
        Body::Json(bytes) => serde_json::from_slice(bytes).unwrap(),
        other => panic!("expected a JSON body, got {other:?}"),
    }
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn operation_table_is_in_spec_order_with_metadata() {
    let ids: Vec<&str> = g::OPERATIONS.iter().map(|o| o.id).collect();
    assert_eq!(
        ids,
        [
            "widget.get",
            "widget.list",
            "widget.rename",
            "schedule.set",
            "widget.create",
            "token.get",
            "events.poll",
            "firmware.upload",
            "config.put",
            "widget.reboot_all"
        ]
    );
    assert!(g::OPERATIONS.iter().all(|o| o.vendor == "example"));
    assert!(ops::GET_WIDGET.idempotent && !ops::RENAME_WIDGET.idempotent && ops::SET_SCHEDULE.idempotent);
    assert_eq!(ops::POLL_EVENTS.timeout, TimeoutClass::LongPoll);
    assert_eq!(ops::UPLOAD_FIRMWARE.timeout, TimeoutClass::Transfer);
    assert_eq!(ops::GET_WIDGET.section, "2.1");
    let p = &ops::LIST_WIDGETS.params[0];
    assert_eq!(
        (p.name, p.wire, p.location, p.ty, p.required),
        ("tenant", "X-Tenant-Id", ParamLocation::Header, "string", true)
    );
    assert_eq!(ops::SET_SCHEDULE.params[1].ty, "model:models::Schedule");
}

#[test]
fn get_fills_path_and_omits_unset_query() {
    let r = g::GetWidgetRequest::new("site 1", 42).to_request().unwrap();
    assert_eq!(r.op.id, "widget.get");
    assert_eq!(r.path_and_query().unwrap(), "/v1/sites/site%201/widgets/42");
    assert!(matches!(r.body, Body::Empty));

    let r = g::GetWidgetRequest::new("s", 7).detail(2).fields(["name", "state"]).to_request().unwrap();
    assert_eq!(r.query, pairs(&[("detail", "2"), ("fields", "name,state")]));
    assert_eq!(r.path_and_query().unwrap(), "/v1/sites/s/widgets/7?detail=2&fields=name%2Cstate");
}

#[test]
fn list_sends_header_enum_and_json_list() {
    let r = g::ListWidgetsRequest::new("t-1").to_request().unwrap();
    assert_eq!(r.headers.get("x-tenant-id").unwrap(), "t-1");
    assert!(r.query.is_empty());

    let r = g::ListWidgetsRequest::new("t-1").page(3).sort(SortOrder::Desc).tags(["a", "b"]).to_request().unwrap();
    assert_eq!(r.query, pairs(&[("pageNo", "3"), ("sort", "desc"), ("tags", r#"["a","b"]"#)]));

    let e = g::ListWidgetsRequest::new("bad\nvalue").to_request().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
}

#[test]
fn form_post_sends_bool01_and_leaves_out_none() {
    let r = g::RenameWidgetRequest::new(9, "Front door", true).to_request().unwrap();
    assert_eq!(form(&r.body), pairs(&[("widgetId", "9"), ("widgetName", "Front door"), ("enable", "1")]));
    assert_eq!(r.path_and_query().unwrap(), "/v1/widget/rename");

    let r = g::RenameWidgetRequest::new(9, "x", false).note("hi").notify(true).to_request().unwrap();
    assert_eq!(
        form(&r.body),
        pairs(&[("widgetId", "9"), ("widgetName", "x"), ("note", "hi"), ("enable", "0"), ("notify", "true")])
    );
}

#[test]
fn json_put_embeds_model_list_enum_and_bool01() {
    let schedule = Schedule { days: vec![1, 2], start: "08:00".into() };
    let r = g::SetScheduleRequest::new(5, schedule.clone(), ["ch1"]).to_request().unwrap();
    assert_eq!(r.path_and_query().unwrap(), "/v1/widgets/5/schedule");
    assert_eq!(r.body.content_type(), Some("application/json"));
    assert_eq!(json_body(&r.body), json!({"schedule": {"days": [1, 2], "start": "08:00"}, "channels": ["ch1"]}));

    let r = g::SetScheduleRequest::new(5, schedule, ["ch1", "ch2"])
        .mode(Mode::Stay)
        .armed(true)
        .ratio(0.5)
        .extra(json!({"x": [1]}))
        .to_request()
        .unwrap();
    assert_eq!(
        json_body(&r.body),
        json!({
            "schedule": {"days": [1, 2], "start": "08:00"},
            "channels": ["ch1", "ch2"],
            "mode": "stay",
            "armed": 1,
            "ratio": 0.5,
            "extra": {"x": [1]}
        })
    );
}

#[test]
fn body_param_is_the_whole_json_body() {
    let w = NewWidget { name: "Gate".into(), site_id: "s1".into() };
    let r = g::CreateWidgetRequest::new(w).to_request().unwrap();
    assert_eq!(json_body(&r.body), json!({"name": "Gate", "siteId": "s1"}));
}

#[test]
fn secrets_are_sent_but_never_debug_printed() {
    let req = g::GetTokenRequest::new("key-1", "s3cr3t");
    let dbg = format!("{req:?}");
    assert!(!dbg.contains("s3cr3t"), "{dbg}");
    assert!(dbg.contains("***") && dbg.contains("key-1"), "{dbg}");
    let r = req.to_request().unwrap();
    assert_eq!(form(&r.body), pairs(&[("appKey", "key-1"), ("appSecret", "s3cr3t")]));
}

#[test]
fn long_poll_cursor_bytes_xml_and_empty_form() {
    let r = g::PollEventsRequest::new().cursor("c 9").to_request().unwrap();
    assert_eq!(r.path_and_query().unwrap(), "/v1/events?cursor=c+9");
    assert!(g::PollEventsRequest::new().to_request().unwrap().query.is_empty());

    let r = g::UploadFirmwareRequest::new(3, &b"\x00\x01fw"[..]).to_request().unwrap();
    assert_eq!(r.path_and_query().unwrap(), "/v1/widgets/3/firmware");
    assert_eq!(r.body.content_type(), Some("application/octet-stream"));
    assert_eq!(&r.body.encode()[..], b"\x00\x01fw");

    let r = g::PutConfigRequest::new("<Config/>").to_request().unwrap();
    assert!(matches!(&r.body, Body::Xml(b) if &b[..] == b"<Config/>"));

    // An operation without params still gets a form body an auth step can add its token to.
    let r = g::RebootAllRequest::new().to_request().unwrap();
    assert!(form(&r.body).is_empty());
    assert_eq!(r.body.content_type(), Some("application/x-www-form-urlencoded"));
}

#[test]
fn operation_matches_the_request() {
    assert_eq!(g::RebootAllRequest::new().operation().id, "widget.reboot_all");
    assert!(std::ptr::eq(g::PollEventsRequest::default().operation(), &ops::POLL_EVENTS));
}

#[tokio::test]
async fn every_operation_goes_over_loopback_with_typed_results() {
    let sim = ExampleSim::start().await.unwrap();
    let client = Client::new(&sim.server.base_url()).unwrap();
    let w = client.get_widget(&g::GetWidgetRequest::new("site 1", 42).detail(2)).await.unwrap();
    assert_eq!((w.id, w.name.as_str()), (42, "Gate"));
    let page = client.list_widgets(&g::ListWidgetsRequest::new("t-1").sort(SortOrder::Asc)).await.unwrap();
    assert_eq!(page.total, 1);
    client.rename_widget(&g::RenameWidgetRequest::new(9, "Front door", true)).await.unwrap();
    let schedule = Schedule { days: vec![1], start: "08:00".into() };
    let applied = client.set_schedule(&g::SetScheduleRequest::new(5, schedule, ["ch1"])).await.unwrap();
    assert_eq!(applied, json!({"applied": true}));
    let created = client
        .create_widget(&g::CreateWidgetRequest::new(NewWidget { name: "Gate".into(), site_id: "s1".into() }))
        .await
        .unwrap();
    assert_eq!((created.id, created.name.as_str()), (43, "Gate"));
    let fetched = client.get_widget(&g::GetWidgetRequest::new("s1", 43)).await.unwrap();
    assert_eq!(fetched, created, "the simulator keeps what it decoded");
    let events = client.poll_events(&g::PollEventsRequest::new().cursor("c 9")).await.unwrap();
    assert_eq!(events[0].kind, "alarm");
    client.upload_firmware(&g::UploadFirmwareRequest::new(3, &b"fw"[..])).await.unwrap();
    client.put_config(&g::PutConfigRequest::new("<Config/>")).await.unwrap();
    client.reboot_all(&g::RebootAllRequest::new()).await.unwrap();
    let seen = sim.seen.lock().unwrap().clone();
    let by_route = |r: &str| seen.iter().find(|s| s.route == r).cloned().unwrap();
    assert_eq!(by_route("widget.get").path_and_query, "/v1/sites/site%201/widgets/42?detail=2");
    assert_eq!(by_route("widget.list").tenant.as_deref(), Some("t-1"));
    let rename = by_route("widget.rename");
    assert_eq!(rename.content_type.as_deref(), Some("application/x-www-form-urlencoded"));
    assert_eq!(rename.body, b"widgetId=9&widgetName=Front+door&enable=1");
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&by_route("schedule.set").body).unwrap(),
        json!({"schedule": {"days": [1], "start": "08:00"}, "channels": ["ch1"]})
    );
    assert_eq!(by_route("events.poll").path_and_query, "/v1/events?cursor=c+9");
    assert_eq!(by_route("firmware.upload").body, b"fw");
    assert_eq!(by_route("config.put").body, b"<Config/>");
    // Every operation with a generated method was exercised; the handwritten one is not routable by method.
    let unhit: Vec<_> = sim.server.unhit_routes();
    assert_eq!(unhit, ["token.get"], "operations without a loopback call");
}

#[tokio::test]
async fn dispatch_decodes_wire_named_params_and_encodes_the_response() {
    let sim = ExampleSim::start().await.unwrap();
    let client = Client::new(&sim.server.base_url()).unwrap();
    let out = g::dispatch(&client, "widget.get", json!({"siteId": "s", "widgetId": 42, "detail": 1})).await.unwrap();
    assert_eq!(out, json!({"id": 42, "name": "Gate"}));
    let out =
        g::dispatch(&client, "widget.rename", json!({"widgetId": 1, "widgetName": "n", "enable": "1"})).await.unwrap();
    assert_eq!(out, serde_json::Value::Null);
    {
        let seen = sim.seen.lock().unwrap();
        assert_eq!(seen[0].path_and_query, "/v1/sites/s/widgets/42?detail=1");
        assert_eq!(seen[1].body, b"widgetId=1&widgetName=n&enable=1");
    }
    for (op, params, needle) in [
        ("nope.op", json!({}), "unknown operation"),
        ("token.get", json!({"appKey": "k", "appSecret": "s"}), "not available through dispatch"),
        ("widget.get", json!({"siteId": "s"}), "widgetId"),
        ("widget.get", json!({"siteId": "s", "widgetId": 1, "typo": 1}), "typo"),
    ] {
        let e = g::dispatch(&client, op, params).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{op}");
        assert_eq!(e.op(), op);
        assert!(e.to_string().contains(needle), "{e}");
    }
    assert_eq!(sim.server.requests_total(), 2, "invalid input is refused before any request");
    // Errors of the transport pass through dispatch.
    sim.server.faults().fail_next(1, watchpost_core::sim::SimResponse::text(404, "gone"));
    let e = g::dispatch(&client, "events.poll", serde_json::Value::Null).await.unwrap_err();
    assert_eq!(e.status(), Some(404));
}
