//! The ISAPI pass-through (3.23) against the simulator over loopback: every method+URI pair of
//! Appendix A.4 (and the NTP example of 3.23) round-trips typed through the shared models; the
//! device user's password stays secret; platform, header and ISAPI failures are typed errors.

use hpp_openapi::models::isapi::{a4, DeviceUser, IsapiBody, UserLevel};
use hpp_openapi::sim::Simulator;
use hpp_openapi::{HppCode, HppErrorExt as _};
use http::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use watchpost_core::ErrorKind;
use watchpost_isapi::models::*;
use watchpost_isapi::StatusCode;

const PANEL: &str = "Q01728482";

fn window(id: &str) -> SearchWindow {
    SearchWindow { search_id: id.to_owned(), search_result_position: 0, max_results: 2 }
}

#[tokio::test]
async fn every_a4_uri_round_trips_typed_through_the_pass_through() {
    let sim = Simulator::start().await.unwrap();
    sim.add_isapi_device(PANEL);
    let c = sim.client_builder().build().unwrap();
    let ok = |s: &XmlResponseStatus| assert_eq!(s.status_code, StatusCode::Ok);

    // access control searches.
    let cond = AcsEventCondMsg {
        acs_event_cond: AcsEventCond { window: window("e1"), major: 0, minor: 0, start_time: None, end_time: None },
    };
    let events = c.isapi(PANEL, &a4::acs_event_search(&cond)).await.unwrap();
    assert_eq!((events.acs_event.search_id.as_deref(), events.acs_event.info_list.len()), (Some("e1"), 1));
    let users = c
        .isapi(PANEL, &a4::user_info_search(&UserInfoSearchCondMsg { user_info_search_cond: window("u1") }))
        .await
        .unwrap();
    assert_eq!(users.user_info_search.user_info[0].employee_no.as_deref(), Some("1"));

    // A-3..A-6: digital channels.
    let channel = InputProxyChannel { id: 1, name: Some("Gate".into()), source_input_port_descriptor: None };
    ok(&c.isapi(PANEL, &a4::add_input_proxy_channel(&channel)).await.unwrap());
    assert_eq!(c.isapi(PANEL, &a4::input_proxy_channels()).await.unwrap().channels, vec![channel.clone()]);
    let renamed = InputProxyChannel { name: Some("Gate 2".into()), ..channel };
    let list = InputProxyChannelList { channels: vec![renamed.clone()] };
    ok(&c.isapi(PANEL, &a4::set_input_proxy_channels(&list)).await.unwrap());
    assert_eq!(c.isapi(PANEL, &a4::input_proxy_channels()).await.unwrap(), list);
    let status = c.isapi(PANEL, &a4::input_proxy_channels_status()).await.unwrap();
    assert_eq!((status.channels[0].id, status.channels[0].online), (1, Some(true)));
    //
    ok(&c.isapi(PANEL, &a4::manual_refresh(1)).await.unwrap());
    ok(&c.isapi(PANEL, &a4::ptz_continuous(1, &PtzData { pan: 60, tilt: -10, zoom: None })).await.unwrap());

    // A-9..A-15: presets.
    let preset = PtzPreset { id: 3, preset_name: Some("Door".into()), enabled: Some(true) };
    ok(&c.isapi(PANEL, &a4::set_ptz_preset(1, &preset)).await.unwrap());
    ok(&c.isapi(PANEL, &a4::manage_ptz_presets(1, &PtzPreset { id: 4, ..preset.clone() })).await.unwrap());
    assert_eq!(c.isapi(PANEL, &a4::ptz_preset(1, 3)).await.unwrap(), preset);
    assert_eq!(c.isapi(PANEL, &a4::ptz_presets(1)).await.unwrap().presets.len(), 2);
    ok(&c.isapi(PANEL, &a4::goto_ptz_preset(1, 3)).await.unwrap());
    ok(&c.isapi(PANEL, &a4::delete_ptz_preset(1, 3)).await.unwrap());
    let gone = c.isapi(PANEL, &a4::ptz_preset(1, 3)).await.unwrap_err();
    assert_eq!(gone.vendor_code(), Some("badParameters"), "{gone}");
    ok(&c.isapi(PANEL, &a4::delete_ptz_presets(1)).await.unwrap());
    assert!(c.isapi(PANEL, &a4::ptz_presets(1)).await.unwrap().presets.is_empty());

    // arm, clear, disarm, partition status.
    let armed = c.isapi(PANEL, &a4::arm(1, &ArmWays::Away)).await.unwrap();
    assert!(armed.is_success());
    let parts = c.isapi(PANEL, &a4::sub_systems()).await.unwrap();
    assert_eq!(parts.sub_sys_list[0].arming, Some(Arming::Away));
    assert_eq!(parts.sub_sys_list[1].arming, Some(Arming::Disarm));
    assert!(c.isapi(PANEL, &a4::clear_alarm(1)).await.unwrap().is_success());
    assert!(c.isapi(PANEL, &a4::disarm(u32::MAX)).await.unwrap().is_success());
    assert_eq!(sim.isapi_partition_arming(PANEL, 1).as_deref(), Some("disarm"));

    // bypass and zone status.
    assert!(c.isapi(PANEL, &a4::bypass([2])).await.unwrap().is_success());
    let zones = c.isapi(PANEL, &a4::zones()).await.unwrap();
    assert_eq!(zones.zone_list.iter().map(|z| z.bypassed).collect::<Vec<_>>(), [Some(false), Some(true), Some(false)]);
    assert!(c.isapi(PANEL, &a4::bypass_recover([2])).await.unwrap().is_success());
    let page = c.isapi(PANEL, &a4::search_zones(&ZoneCondMsg { zone_cond: window("z") })).await.unwrap();
    assert_eq!((page.zone_search.zone_list.len(), page.zone_search.total_matches), (2, Some(3)));
    assert_eq!(page.zone_search.response_status_strg.as_deref(), Some("MORE"));
    assert_eq!(page.zone_search.zone_list[1].bypassed, Some(false));

    // relays, with a per-relay outcome.
    let answer = c.isapi(PANEL, &a4::control_outputs(&OutputsCtrlMsg::new(Switch::Open, [1, 9]))).await.unwrap();
    let outcome = answer.outcome(&[1, 9]);
    assert_eq!(outcome.succeeded, vec![1]);
    assert_eq!((outcome.failed[0].item, outcome.failed[0].sub_status.as_str()), (9, "badParameters"));
    let relays = c.isapi(PANEL, &a4::output_status(&OutputCondMsg { output_cond: window("o") })).await.unwrap();
    assert_eq!(relays.output_search.output_list[0].status, Some(OnOffStatus::On));
    assert_eq!(relays.output_search.output_list[1].status, Some(OnOffStatus::Off));

    // device information.
    let info = c.isapi(PANEL, &a4::device_info()).await.unwrap();
    assert_eq!(info.device_type.as_deref(), Some("AxPro"));
    let rename = DeviceInfo { device_name: Some("Shop".into()), ..DeviceInfo::default() };
    ok(&c.isapi(PANEL, &a4::set_device_info(&rename)).await.unwrap());
    assert_eq!(c.isapi(PANEL, &a4::device_info()).await.unwrap().device_name.as_deref(), Some("Shop"));

    // A-28..A-30: IO outputs.
    assert_eq!(c.isapi(PANEL, &a4::io_outputs()).await.unwrap().ports.len(), 2);
    ok(&c.isapi(PANEL, &a4::trigger_io_output(2, &IoPortDataXml { output_state: "high".into() })).await.unwrap());
    let io = c.isapi(PANEL, &a4::io_output_status(2)).await.unwrap();
    assert_eq!((io.io_port_id, io.io_state.as_deref()), (2, Some("active")));

    // and the NTP example of 3.23.
    let time = TimeData {
        time_mode: Some("manual".into()),
        local_time: Some("2025-06-01T12:00:00+02:00".into()),
        time_zone: Some("CET-1CEST".into()),
    };
    ok(&c.isapi(PANEL, &a4::set_time(&time)).await.unwrap());
    assert_eq!(c.isapi(PANEL, &a4::time()).await.unwrap(), time);
    let ntp = NtpServer {
        id: 1,
        addressing_format_type: "ipaddress".into(),
        host_name: None,
        ip_address: Some("10.10.10.10".into()),
        port_no: Some(123),
        synchronize_interval: Some(1),
    };
    ok(&c.isapi(PANEL, &a4::set_ntp_server(&ntp)).await.unwrap());
    let sent = sim.journal().last_of("isapi.put").unwrap();
    assert_eq!(sent.header("x-devserial"), Some(PANEL));
    assert_eq!(sent.header("content-type"), Some("application/xml"));
    assert!(String::from_utf8_lossy(&sent.body).contains("<NTPServer version=\"2.0\""));
}

#[tokio::test]
async fn the_raw_escape_hatch_carries_any_uri_and_reports_isapi_failures_typed() {
    let sim = Simulator::start().await.unwrap();
    sim.add_isapi_device(PANEL);
    let c = sim.client_builder().build().unwrap();
    let raw = c.isapi_raw(PANEL, Method::GET, "/ISAPI/System/deviceInfo", IsapiBody::Empty).await.unwrap();
    assert_eq!(raw.status, 200);
    assert!(raw.text().contains("<deviceType>AxPro</deviceType>"));
    // An unsupported URI: statusCode 4 notSupport is an error, never a success.
    let e = c.isapi_raw(PANEL, Method::GET, "/ISAPI/Nowhere", IsapiBody::Empty).await.unwrap_err();
    assert_eq!((e.vendor_code(), e.status()), (Some("notSupport"), Some(403)), "{e}");
    // A bad document: statusCode 5.
    let e = c
        .isapi_raw(PANEL, Method::PUT, "/ISAPI/SecurityCP/control/bypass?format=json", IsapiBody::Json("{".into()))
        .await
        .unwrap_err();
    assert_eq!(e.vendor_code(), Some("badJsonFormat"), "{e}");
    // The platform's own errors: an unknown device, an offline one.
    let e = c.isapi("Z99999999", &a4::zones()).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::DeviceNotFoundOrNoPermission), "{e}");
    sim.set_offline(PANEL, true);
    let e = c.isapi(PANEL, &a4::zones()).await.unwrap_err();
    assert_eq!(e.hpp_code(), Some(HppCode::DeviceOffline), "{e}");
    // Checked before sending.
    for (method, uri) in [(Method::GET, "/api/hpcgw/v1/token/get"), (Method::PATCH, "/ISAPI/System/time")] {
        let e = c.isapi_raw(PANEL, method, uri, IsapiBody::Empty).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
    }
    assert_eq!(
        c.isapi_raw("Q0 1", Method::GET, "/ISAPI/System/time", IsapiBody::Empty).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[tokio::test]
async fn a_device_user_is_sent_and_its_password_never_shows() {
    let sim = Simulator::start().await.unwrap();
    sim.add_isapi_device(PANEL);
    sim.set_isapi_device_user(PANEL, "installer", "Pa55-word!");
    let c = sim.client_builder().build().unwrap();
    let e = c.isapi(PANEL, &a4::zones()).await.unwrap_err();
    assert_eq!(e.vendor_code(), Some("badAuthorization"), "{e}");
    let wrong = DeviceUser::new("installer", "guess");
    let e = c.isapi_as(PANEL, Some(&wrong), &a4::zones()).await.unwrap_err();
    assert!(!e.to_string().contains("guess"));
    let user = DeviceUser::new("installer", "Pa55-word!").level(UserLevel::Installer);
    assert_eq!(c.isapi_as(PANEL, Some(&user), &a4::zones()).await.unwrap().zone_list.len(), 3);
    let sent = sim.journal().last_of("isapi.get").unwrap();
    assert_eq!((sent.header("x-username"), sent.header("x-userlevel")), (Some("installer"), Some("0")));
    assert_ne!(sent.header("x-password"), Some("Pa55-word!"), "the journal redacts the password");
    assert!(!format!("{sent:?}").contains("Pa55-word!"));
}

/// A server that answers every request with `response` (the bytes as given).
async fn hostile(response: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 16384];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(response.as_bytes()).await;
                let _ = s.shutdown().await;
            });
        }
    });
    format!("http://{addr}")
}

fn client_for(url: &str) -> hpp_openapi::Client {
    hpp_openapi::Client::builder().access_token("hpc.fixed").area_domain(url).build().unwrap()
}

#[tokio::test]
async fn error_headers_and_empty_answers_are_never_a_success() {
    // X-ErrorCode on a 200 with a plausible body.
    let url = hostile(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-ErrorCode: EVZ20014\r\nX-DeviceCode: 0x30000\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    )
    .await;
    let e = client_for(&url).isapi(PANEL, &a4::zones()).await.unwrap_err();
    assert_eq!(e.vendor_code(), Some("EVZ20014"), "{e}");
    assert!(e.to_string().contains("0x30000"), "{e}");
    // An empty 200: a decode error, not an empty zone list.
    let url =
        hostile("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .await;
    let e = client_for(&url).isapi(PANEL, &a4::zones()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    // An XML ResponseStatus that is not OK on a 200.
    let url = hostile(
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 100\r\nConnection: close\r\n\r\n<ResponseStatus><statusCode>2</statusCode><subStatusCode>deviceBusy</subStatusCode></ResponseStatus>",
    )
    .await;
    let e = client_for(&url).isapi(PANEL, &a4::set_time(&TimeData::default())).await.unwrap_err();
    assert_eq!(e.vendor_code(), Some("deviceBusy"), "{e}");
    // An HTML error page.
    let url = hostile(
        "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html></html>",
    )
    .await;
    let e = client_for(&url).isapi(PANEL, &a4::device_info()).await.unwrap_err();
    assert_eq!(e.status(), Some(404), "{e}");
}

#[tokio::test]
async fn an_expired_token_on_the_pass_through_is_refreshed_once_and_unseen() {
    let sim = Simulator::start().await.unwrap();
    sim.add_isapi_device(PANEL);
    let c = sim.client_builder().build().unwrap();
    c.isapi(PANEL, &a4::device_info()).await.unwrap();
    sim.expire_tokens();
    // The platform's LAP500004 envelope on the pass-through path refreshes the token, not the
    // caller's problem, and the ISAPI answer comes through.
    assert!(c.isapi(PANEL, &a4::arm(1, &ArmWays::Stay)).await.unwrap().is_success());
    assert_eq!(c.token_fetches(), 2);
    assert_eq!(sim.isapi_partition_arming(PANEL, 1).as_deref(), Some("stay"));
}
