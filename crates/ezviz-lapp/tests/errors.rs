//! Error codes, retries and decode robustness against the simulator over loopback HTTP.
//! Retry timing runs on tokio's paused clock with a fixed jitter, so delays are exact.

use std::sync::Arc;
use std::time::Duration;

use ezviz_lapp::models::{DefenceMode, SetOutcome};
use ezviz_lapp::requests::*;
use ezviz_lapp::sim::{fixtures, Simulator};
use ezviz_lapp::{Client, EzvizCode, EzvizErrorExt as _};
use serde_json::json;
use tokio::time::Instant;
use watchpost_core::error::DecodeError;
use watchpost_core::retry::FixedJitter;
use watchpost_core::sim::SimResponse;
use watchpost_core::{Error, ErrorClass, ErrorKind};

fn client(sim: &Simulator) -> Client {
    sim.client_builder().jitter(Arc::new(FixedJitter(1.0))).build().unwrap()
}

fn arm_hub() -> SetDefenceRequest {
    SetDefenceRequest::new(fixtures::HUB, DefenceMode::Home)
}

fn info(serial: &str) -> GetDeviceInfoRequest {
    GetDeviceInfoRequest::new(serial)
}

#[tokio::test(start_paused = true)]
async fn busy_twice_then_success_after_backoff() {
    let sim = Simulator::start().await.unwrap();
    let client = client(&sim);
    client.get_language(&GetLanguageRequest::new(fixtures::HUB)).await.unwrap(); // fetch the token first

    sim.busy_next(2, &ezviz_lapp::ops::SET_DEFENCE);
    let started = Instant::now();
    assert_eq!(client.set_defence(&arm_hub()).await.unwrap(), SetOutcome::Applied);
    // Default backoff with full jitter pinned to 1.0: 200 ms, then 400 ms.
    assert_eq!(started.elapsed(), Duration::from_millis(600));
    assert_eq!(sim.hits("device.defence.set"), 3);
    assert_eq!(sim.device(fixtures::HUB).unwrap().defence, 8);

    // Busy for longer than the attempt limit: the caller sees 20008.
    sim.busy_next(3, &ezviz_lapp::ops::SET_DEFENCE);
    let e = client.set_defence(&arm_hub()).await.unwrap_err();
    assert!(e.is_device_busy(), "{e}");
    assert_eq!(e.class(), ErrorClass::Retryable);
    assert_eq!(sim.hits("device.defence.set"), 6);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn device_offline_is_typed_and_reported_at_once() {
    let sim = Simulator::start().await.unwrap();
    let client = client(&sim);
    assert!(sim.set_online(fixtures::CAMERA, false));
    let started = Instant::now();
    let e = client.set_defence(&SetDefenceRequest::new(fixtures::CAMERA, DefenceMode::Arm)).await.unwrap_err();
    assert!(e.is_device_offline(), "{e}");
    assert_eq!(e.ezviz_code(), Some(EzvizCode::DeviceOffline));
    assert_eq!(e.class(), ErrorClass::Permanent);
    assert_eq!(sim.hits("device.defence.set"), 1, "one request, no retry");
    assert_eq!(started.elapsed(), Duration::ZERO, "no backoff");

    // Operations the platform answers itself (no 20007 in their table) still work.
    let info = client.get_device_info(&info(fixtures::CAMERA)).await.unwrap();
    assert!(!info.is_online());
    client.get_sound_switch(&GetSoundSwitchRequest::new(fixtures::CAMERA)).await.unwrap();
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn data_exception_is_retried_once_and_service_exception_with_backoff() {
    let sim = Simulator::start().await.unwrap();
    let client = client(&sim);
    let get = GetLanguageRequest::new(fixtures::HUB);

    sim.fail_next_code(1, Some(&ezviz_lapp::ops::GET_LANGUAGE), "49999");
    client.get_language(&get).await.unwrap();
    assert_eq!(sim.hits("device.language.get"), 2);

    sim.fail_next_code(3, Some(&ezviz_lapp::ops::GET_LANGUAGE), "49999");
    let e = client.get_language(&get).await.unwrap_err();
    assert_eq!(e.ezviz_code(), Some(EzvizCode::DataException));
    assert_eq!(sim.hits("device.language.get"), 4, "retried once, not twice");
    sim.faults().clear();

    sim.fail_next_code(2, Some(&ezviz_lapp::ops::GET_LANGUAGE), "50000");
    client.get_language(&get).await.unwrap();
    assert_eq!(sim.hits("device.language.get"), 7);

    sim.fail_next_code(1, Some(&ezviz_lapp::ops::GET_LANGUAGE), "20006");
    client.get_language(&get).await.unwrap();
    assert_eq!(sim.hits("device.language.get"), 9);
    sim.shutdown().await;
}

#[tokio::test]
async fn validation_answers_the_documented_codes() {
    let sim = Simulator::start().await.unwrap();
    let client = client(&sim);
    let code = |e: Error| (e.ezviz_code(), e.class());

    let e = client.get_device_info(&info("ZZ0000001")).await.unwrap_err();
    assert_eq!(code(e), (Some(EzvizCode::DeviceNotFound), ErrorClass::Permanent));
    let e = client.get_device_info(&info("not/a serial")).await.unwrap_err();
    assert_eq!(code(e), (Some(EzvizCode::IllegalSerial), ErrorClass::Permanent));
    let e = client.get_device_info(&info(fixtures::FOREIGN_DEVICE)).await.unwrap_err();
    assert_eq!(code(e), (Some(EzvizCode::NotOwner), ErrorClass::Permanent));

    // A1 hub modes on a camera: bad parameter.
    let e = client.set_defence(&SetDefenceRequest::new(fixtures::CAMERA, DefenceMode::Away)).await.unwrap_err();
    assert_eq!(code(e), (Some(EzvizCode::InvalidParameters), ErrorClass::Permanent));
    // An empty serial is never sent empty by accident: the service answers 10001.
    let e = client.get_language(&GetLanguageRequest::new("")).await.unwrap_err();
    assert_eq!(code(e), (Some(EzvizCode::InvalidParameters), ErrorClass::Permanent));

    // The hub has no sound source positioning: 60020, as a typed Unsupported error.
    let e = client.get_ssl_switch(&GetSslSwitchRequest::new(fixtures::HUB)).await.unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e:?}");
    assert_eq!(code(e), (Some(EzvizCode::NotSupported), ErrorClass::Unsupported));

    let e = client
        .set_sound_switch(&SetSoundSwitchRequest::new(fixtures::CAMERA_2, false).channel_no(7))
        .await
        .unwrap_err();
    assert_eq!(code(e), (Some(EzvizCode::ChannelNotFound), ErrorClass::Permanent));

    let e = client.disable_encryption(&DisableEncryptionRequest::new(fixtures::CAMERA, "WRONG1")).await.unwrap_err();
    assert!(!format!("{e} {e:?}").contains("WRONG1"), "the verification code stays out of errors");
    assert_eq!(code(e), (Some(EzvizCode::WrongVerificationCode), ErrorClass::Permanent));

    // An "already in that state" code on a get is an error, not an outcome (1.19 lists 60022).
    sim.fail_next_code(1, Some(&ezviz_lapp::ops::GET_INFRARED), "60022");
    let e = client.get_infrared(&GetInfraredRequest::new(fixtures::DOORBELL)).await.unwrap_err();
    assert!(e.is_already_in_state());
    assert_eq!(e.class(), ErrorClass::Permanent);

    // Unknown codes are kept with their message.
    sim.fail_next_code(1, Some(&ezviz_lapp::ops::GET_LANGUAGE), "10031");
    let e = client.get_language(&GetLanguageRequest::new(fixtures::HUB)).await.unwrap_err();
    assert_eq!(e.ezviz_code(), Some(EzvizCode::Other("10031".into())));
    assert_eq!((e.vendor_message(), e.class()), (Some("Unknown error."), ErrorClass::Permanent));
    sim.shutdown().await;
}

/// Answers the next call of `op` with `response` and returns the client's error.
async fn broken(sim: &Simulator, client: &Client, response: SimResponse) -> Error {
    sim.faults().on(&ezviz_lapp::ops::GET_DEVICE_INFO).fail_next(1, response);
    client.get_device_info(&info(fixtures::HUB)).await.unwrap_err()
}

#[tokio::test]
async fn malformed_answers_are_typed_decode_errors_never_panics() {
    let sim = Simulator::start().await.unwrap();
    let client = client(&sim);
    let decode = |e: Error| match e {
        Error::Decode { source, .. } => source,
        other => panic!("not a decode error: {other:?}"),
    };

    let e = broken(&sim, &client, SimResponse::text(200, "<html>gateway error</html>")).await;
    assert!(matches!(decode(e), DecodeError::Json { .. }));

    let e = broken(&sim, &client, SimResponse::json(200, &json!({ "msg": "no code", "data": {} }))).await;
    assert!(matches!(decode(e), DecodeError::Envelope { message } if message.contains("missing")));

    let e = broken(&sim, &client, SimResponse::json(200, &json!({ "code": "200", "data": "not an object" }))).await;
    assert!(matches!(decode(e), DecodeError::Json { .. }));

    let e = broken(&sim, &client, SimResponse::json(200, &json!({ "code": "200", "data": [1, 2] }))).await;
    assert!(matches!(decode(e), DecodeError::Json { .. }));

    let e = broken(&sim, &client, SimResponse::json(200, &json!({ "code": "200" }))).await;
    assert!(matches!(decode(e), DecodeError::Json { .. }), "a get without data");

    let e = broken(&sim, &client, SimResponse::empty(200)).await;
    assert!(matches!(decode(e), DecodeError::Empty));

    let e = broken(&sim, &client, SimResponse::bytes(200, "application/json", vec![0xff, 0xfe, 0x7b])).await;
    assert!(matches!(decode(e), DecodeError::Json { .. }));

    // A data member of the wrong shape for a list operation.
    sim.faults()
        .on(&ezviz_lapp::ops::GET_MIC_STATUS)
        .fail_next(1, SimResponse::json(200, &json!({ "code": "200", "data": { "enable": 1 } })));
    let e = client.get_mic_status(&GetMicStatusRequest::new(fixtures::SSL_CAMERA)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);

    // Decode errors are permanent: one request each.
    assert_eq!(sim.hits("device.info"), 7);

    // A body over the size limit: the time zone list is about 10 KiB.
    let small = sim.client_builder().max_body_size(1024).build().unwrap();
    let e = small.list_timezones(&ListTimezonesRequest::new()).await.unwrap_err();
    assert!(matches!(decode(e), DecodeError::TooLarge { limit: 1024 }));

    // The client still works after all that.
    client.get_device_info(&info(fixtures::HUB)).await.unwrap();
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_gateway_error_page_is_retried_as_transient() {
    let sim = Simulator::start().await.unwrap();
    let client = client(&sim);
    sim.faults().on(&ezviz_lapp::ops::GET_DEVICE_INFO).fail_next(1, SimResponse::text(502, "<html>Bad Gateway</html>"));
    client.get_device_info(&info(fixtures::HUB)).await.unwrap();
    assert_eq!(sim.hits("device.info"), 2);

    sim.faults().on(&ezviz_lapp::ops::GET_DEVICE_INFO).truncate_next(1, 10);
    client.get_device_info(&info(fixtures::HUB)).await.unwrap();
    assert_eq!(sim.hits("device.info"), 4, "a truncated body is a transport error, retried");
    sim.shutdown().await;
}

#[tokio::test]
async fn the_simulator_is_strict_about_the_request_shape() {
    use ezviz_lapp::ops;
    use ezviz_lapp::profile::EzvizProfile;
    use watchpost_core::operation::{Body, Request};
    use watchpost_core::pipeline::Pipeline;

    let sim = Simulator::start().await.unwrap();
    let raw = Pipeline::builder("ezviz", sim.area_domain()).profile(EzvizProfile).build().unwrap();
    let form =
        |pairs: &[(&str, &str)]| Body::Form(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect());
    let code = |r: Result<_, Error>| r.map(|_| ()).unwrap_err().ezviz_code();

    // No token, an unknown token, a token in JSON instead of a form.
    let req = Request::new(&ops::GET_LANGUAGE).body(form(&[("deviceSerial", fixtures::HUB)]));
    assert_eq!(code(raw.execute(req).await), Some(EzvizCode::InvalidParameters));
    let req =
        Request::new(&ops::GET_LANGUAGE).body(form(&[("accessToken", "at.forged"), ("deviceSerial", fixtures::HUB)]));
    assert_eq!(code(raw.execute(req).await), Some(EzvizCode::AccessTokenExpired));
    let json = Body::json("t", &json!({ "accessToken": "at.x", "deviceSerial": fixtures::HUB })).unwrap();
    assert_eq!(
        code(raw.execute(Request::new(&ops::GET_LANGUAGE).body(json)).await),
        Some(EzvizCode::InvalidParameters)
    );

    // A valid token, but an empty optional field: optional fields must be left out, not sent empty.
    let token = sim.issue_sub_account_token(Duration::from_secs(60)).access_token;
    let req = Request::new(&ops::GET_PIR_AREA).body(form(&[
        ("accessToken", &token),
        ("deviceSerial", fixtures::DOORBELL),
        ("channelNo", ""),
    ]));
    assert_eq!(code(raw.execute(req).await), Some(EzvizCode::InvalidParameters));
    // Enable must be 0 or 1.
    let req = Request::new(&ops::SET_MIC_STATUS).body(form(&[
        ("accessToken", &token),
        ("deviceSerial", fixtures::DOORBELL),
        ("enable", "true"),
    ]));
    assert_eq!(code(raw.execute(req).await), Some(EzvizCode::InvalidParameters));
    // The time zone list needs no token.
    let req = Request::new(&ops::LIST_TIMEZONES).body(form(&[]));
    assert!(raw.execute(req).await.is_ok());
    sim.shutdown().await;
}
