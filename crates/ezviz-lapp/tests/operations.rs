//! Every operation of the spec, called over loopback HTTP against the simulator with its typed
//! result checked. The last assertion fails when an operation of `OPERATIONS` (generated from
//! `spec/ezviz.toml`) was never called, so a new spec entry without a test fails the build.

use ezviz_lapp::models::{
    ChimeType, DefenceMode, Language, PirMasks, ScheduleTime, SetOutcome, SwitchStatus, TimeFormat, TimeZoneLanguage,
    TzCode, Weekday, Weekdays,
};
use ezviz_lapp::requests::*;
use ezviz_lapp::sim::{fixtures, Simulator};
use ezviz_lapp::{Client, EzvizCode, OPERATIONS};

const ALREADY: SetOutcome = SetOutcome::AlreadyInState(EzvizCode::AlreadyCurrentStatus);

fn on(serial: &str, enable: bool) -> SwitchStatus {
    SwitchStatus { device_serial: Some(serial.to_owned()), channel_no: Some(1), enable }
}

async fn switches(client: &Client) {
    use fixtures::{CAMERA_2, SSL_CAMERA};
    // 1.4 / 1.5: audio prompt.
    assert_eq!(client.get_sound_switch(&GetSoundSwitchRequest::new(CAMERA_2)).await.unwrap(), on(CAMERA_2, true));
    let off = SetSoundSwitchRequest::new(CAMERA_2, false);
    assert_eq!(client.set_sound_switch(&off).await.unwrap(), SetOutcome::Applied);
    assert_eq!(client.get_sound_switch(&GetSoundSwitchRequest::new(CAMERA_2)).await.unwrap(), on(CAMERA_2, false));
    assert_eq!(client.set_sound_switch(&off.clone().channel_no(1)).await.unwrap(), ALREADY);

    // 1.6 / 1.7: lens masking ("video tampering").
    assert_eq!(client.get_scene_switch(&GetSceneSwitchRequest::new(SSL_CAMERA)).await.unwrap(), on(SSL_CAMERA, true));
    let set = SetSceneSwitchRequest::new(SSL_CAMERA, false).channel_no(1);
    assert_eq!(client.set_scene_switch(&set).await.unwrap(), SetOutcome::Applied);
    assert!(!client.get_scene_switch(&GetSceneSwitchRequest::new(SSL_CAMERA)).await.unwrap().enable);

    // 1.8 / 1.9: sound source positioning.
    assert_eq!(client.get_ssl_switch(&GetSslSwitchRequest::new(SSL_CAMERA)).await.unwrap(), on(SSL_CAMERA, true));
    let set = SetSslSwitchRequest::new(SSL_CAMERA, false);
    assert_eq!(client.set_ssl_switch(&set).await.unwrap(), SetOutcome::Applied);
    assert_eq!(client.set_ssl_switch(&set).await.unwrap(), ALREADY);
    assert!(!client.get_ssl_switch(&GetSslSwitchRequest::new(SSL_CAMERA)).await.unwrap().enable);

    // 1.12 / 1.13: microphone, one entry per channel.
    assert_eq!(client.get_mic_status(&GetMicStatusRequest::new(SSL_CAMERA)).await.unwrap(), [on(SSL_CAMERA, true)]);
    let set = SetMicStatusRequest::new(SSL_CAMERA, false);
    assert_eq!(client.set_mic_status(&set).await.unwrap(), SetOutcome::Applied);
    assert_eq!(client.get_mic_status(&GetMicStatusRequest::new(SSL_CAMERA)).await.unwrap(), [on(SSL_CAMERA, false)]);
}

async fn doorbell(client: &Client) {
    use fixtures::DOORBELL;
    // 1.15 / 1.14: PIR area.
    let area = client.get_pir_area(&GetPirAreaRequest::new(DOORBELL)).await.unwrap();
    assert_eq!((area.rows, area.columns, area.area.clone()), (3, 4, vec![1, 9, 13]));
    let masks = PirMasks::from_grid(&[
        vec![true, true, true, true],
        vec![false, true, true, false],
        vec![false, false, false, false],
    ])
    .unwrap();
    area.check(&masks).unwrap();
    let set = SetPirAreaRequest::new(DOORBELL, masks).channel_no(1);
    assert_eq!(client.set_pir_area(&set).await.unwrap(), SetOutcome::Applied);
    let area = client.get_pir_area(&GetPirAreaRequest::new(DOORBELL).channel_no(1)).await.unwrap();
    assert_eq!(area.area, [15, 6, 0]);
    assert!(area.is_selected(1, 1) && !area.is_selected(1, 0));

    // 1.17 / 1.16: chime.
    let chime = client.get_chime(&GetChimeRequest::new(DOORBELL)).await.unwrap();
    assert_eq!((chime.chime_type, chime.duration), (ChimeType::NoChime, Some(1000)));
    let set = SetChimeRequest::new(DOORBELL, ChimeType::Electronic, 5000);
    assert_eq!(client.set_chime(&set).await.unwrap(), SetOutcome::Applied);
    let chime = client.get_chime(&GetChimeRequest::new(DOORBELL).channel_no(1)).await.unwrap();
    assert_eq!((chime.chime_type, chime.duration), (ChimeType::Electronic, Some(5000)));

    // 1.19 / 1.18: infrared.
    assert_eq!(client.get_infrared(&GetInfraredRequest::new(DOORBELL)).await.unwrap(), on(DOORBELL, false));
    let set = SetInfraredRequest::new(DOORBELL, true);
    assert_eq!(client.set_infrared(&set).await.unwrap(), SetOutcome::Applied);
    assert_eq!(client.set_infrared(&set).await.unwrap(), ALREADY);
    assert_eq!(client.get_infrared(&GetInfraredRequest::new(DOORBELL)).await.unwrap(), on(DOORBELL, true));
}

async fn arming(client: &Client) {
    use fixtures::{CAMERA, HUB};
    let info =
        |serial: &'static str| async move { client.get_device_info(&GetDeviceInfoRequest::new(serial)).await.unwrap() };
    // 1.20 and 1.1: the hub starts at Home (8), as in the seed's example.
    assert_eq!(info(HUB).await.defence.and_then(|d| d.as_hub()), Some(DefenceMode::Home));
    assert_eq!(client.set_defence(&SetDefenceRequest::new(HUB, DefenceMode::Away)).await.unwrap(), SetOutcome::Applied);
    assert_eq!(info(HUB).await.defence.and_then(|d| d.as_hub()), Some(DefenceMode::Away));
    client.set_defence(&SetDefenceRequest::new(CAMERA, DefenceMode::Arm)).await.unwrap();
    assert_eq!(info(CAMERA).await.defence.and_then(|d| d.as_camera()), Some(DefenceMode::Arm));

    // 1.10 / 1.11: the schedule of the seed's example, then a new one.
    let plan = client.get_defence_plan(&GetDefencePlanRequest::new(CAMERA)).await.unwrap();
    assert_eq!((plan.start_time, plan.stop_time), (ScheduleTime::at(23, 20), ScheduleTime::at(23, 21)));
    assert_eq!(plan.period.map(|p| p.to_string()).as_deref(), Some("0,1,6"));
    assert_eq!(plan.enable, Some(false));
    let weekdays: Weekdays = Weekday::ALL[..5].iter().copied().collect();
    let set = SetDefencePlanRequest::new(CAMERA)
        .channel_no(1)
        .start_time(ScheduleTime::at(8, 30).unwrap())
        .stop_time(ScheduleTime::next_day_at(0, 0).unwrap())
        .period(weekdays)
        .enable(true);
    assert_eq!(client.set_defence_plan(&set).await.unwrap(), SetOutcome::Applied);
    let plan = client.get_defence_plan(&GetDefencePlanRequest::new(CAMERA).channel_no(1)).await.unwrap();
    assert_eq!(plan.start_time, ScheduleTime::at(8, 30));
    assert_eq!(plan.stop_time, ScheduleTime::next_day_at(0, 0));
    assert_eq!(plan.period, Some(weekdays));
    assert_eq!(plan.enable, Some(true));

    // 1.2 / 1.3: the camera starts encrypted.
    assert_eq!(info(CAMERA).await.is_encrypt, Some(true));
    let off = DisableEncryptionRequest::new(CAMERA, fixtures::VALIDATE_CODE);
    assert_eq!(client.disable_encryption(&off).await.unwrap(), SetOutcome::Applied);
    assert_eq!(
        client.disable_encryption(&off).await.unwrap(),
        SetOutcome::AlreadyInState(EzvizCode::EncryptionAlreadyDisabled)
    );
    assert_eq!(info(CAMERA).await.is_encrypt, Some(false));
    let on = EnableEncryptionRequest::new(CAMERA);
    assert_eq!(client.enable_encryption(&on).await.unwrap(), SetOutcome::Applied);
    assert_eq!(
        client.enable_encryption(&on).await.unwrap(),
        SetOutcome::AlreadyInState(EzvizCode::EncryptionAlreadyEnabled)
    );
}

async fn time_and_language(client: &Client) {
    use fixtures::HUB;
    // 1.21: the whole list, in either language.
    let zones = client.list_timezones(&ListTimezonesRequest::new()).await.unwrap();
    assert_eq!(zones.len(), 105);
    let chinese = ListTimezonesRequest::new().language(TimeZoneLanguage::SimplifiedChinese);
    assert_eq!(client.list_timezones(&chinese).await.unwrap().len(), 105);
    let central_america = zones.iter().find(|z| z.tz_code == TzCode::new("188")).unwrap();
    assert_eq!(central_america.utc_offset_minutes(), Some(-360));

    // 1.20 / 1.22.
    let info = client.get_device_info(&GetDeviceInfoRequest::new(HUB)).await.unwrap();
    assert_eq!((info.time_zone.as_deref(), info.model.as_deref()), (Some("UTC+14:00"), Some("CS-A1S-32WE2G")));
    let set =
        SetTimezoneRequest::new(HUB, central_america.tz_code.clone(), TimeFormat::DayMonthYear).daylight_saving(true);
    assert_eq!(client.set_timezone(&set).await.unwrap(), SetOutcome::Applied);
    let info = client.get_device_info(&GetDeviceInfoRequest::new(HUB)).await.unwrap();
    assert_eq!(info.utc_offset_minutes(), Some(-360));

    // 1.23: the hub answers the seed's capability map.
    let caps = client.get_capabilities(&GetCapabilitiesRequest::new(HUB)).await.unwrap();
    assert_eq!(caps.keys().count(), 40);
    assert!(caps.supports("support_defence") && !caps.supports("support_ptz"));
    assert!(caps.languages().contains(&Language::German));
    let cam_caps =
        client.get_capabilities(&GetCapabilitiesRequest::new(fixtures::DOORBELL).channel_no(1)).await.unwrap();
    assert!(cam_caps.supports("support_chime") && !cam_caps.supports("support_ssl"));

    // 1.24 / 1.25.
    assert_eq!(client.get_language(&GetLanguageRequest::new(HUB)).await.unwrap().language, Language::English);
    let set = SetLanguageRequest::new(HUB, Language::German);
    assert_eq!(client.set_language(&set).await.unwrap(), SetOutcome::Applied);
    assert_eq!(client.get_language(&GetLanguageRequest::new(HUB)).await.unwrap().language, Language::German);
}

#[tokio::test]
async fn every_operation_against_the_simulator() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();

    switches(&client).await;
    doorbell(&client).await;
    arming(&client).await;
    time_and_language(&client).await;

    // The token endpoint was called once, by the token provider, and every call went to the area
    // domain (the token host answers nothing else).
    assert_eq!((sim.token_calls(), client.token_fetches()), (1, 1));
    let unhit = sim.unhit_operations();
    assert!(unhit.is_empty(), "operations of the spec never called: {unhit:?}");
    assert_eq!(OPERATIONS.len(), 26, "25 seed operations and the token endpoint");
    sim.shutdown().await;
}

#[tokio::test]
async fn dispatch_calls_operations_by_id_with_json_params() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let out =
        client.call_json("device.language.get", serde_json::json!({ "deviceSerial": fixtures::HUB })).await.unwrap();
    assert_eq!(out, serde_json::json!({ "language": "ENGLISH" }));
    let out = client
        .call_json("device.defence.set", serde_json::json!({ "deviceSerial": fixtures::HUB, "isDefence": "sleep" }))
        .await
        .unwrap();
    assert_eq!(out, serde_json::json!("applied"));
    let out = client
        .call_json("device.sound_switch.set", serde_json::json!({ "deviceSerial": fixtures::CAMERA_2, "enable": 1 }))
        .await
        .unwrap();
    assert_eq!(out, serde_json::json!({ "already_in_state": "60022" }));
    let e = client.call_json("token.get", serde_json::json!({})).await.unwrap_err();
    assert_eq!(e.kind(), watchpost_core::ErrorKind::InvalidInput);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_journal_holds_the_form_body_of_the_seed_example() {
    // 1.5: `accessToken=at.9mqitppidgce4y8n54ranvyqc9fjtsrl&deviceSerial=596510888&enable=1&channelNo=1`,
    // with the token the simulator issued in place of the seed's.
    let sim = Simulator::builder().seed(5).start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let request = SetSoundSwitchRequest::new(fixtures::CAMERA_3, true).channel_no(1);
    client.set_sound_switch(&request).await.unwrap();

    let token_request = sim.journal().last_of(ezviz_lapp::ops::GET_TOKEN.id).expect("a token request");
    let token = token_request.status == 200;
    assert!(token, "{token_request:?}");
    let sent = sim.journal().last_of(ezviz_lapp::ops::SET_SOUND_SWITCH.id).expect("the call was journaled");
    let issued = sent.form().into_iter().find(|(k, _)| k == "accessToken").map(|(_, v)| v).unwrap();
    assert!(issued.starts_with("at.") && issued.len() == 35, "{issued}");
    let seed_example = "accessToken=at.9mqitppidgce4y8n54ranvyqc9fjtsrl&deviceSerial=596510888&enable=1&channelNo=1";
    assert_eq!(sent.body_text(), seed_example.replace("at.9mqitppidgce4y8n54ranvyqc9fjtsrl", &issued));
    assert_eq!(sent.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!((sent.method.as_str(), sent.path_and_query.as_str()), ("POST", "/api/lapp/device/sound/switch/set"));
    assert!(sent.reached_handler());
    sim.shutdown().await;

    // The same seed issues the same token.
    let again = Simulator::builder().seed(5).start().await.unwrap();
    again.client_builder().build().unwrap().set_sound_switch(&request).await.unwrap();
    let sent = again.journal().last_of(ezviz_lapp::ops::SET_SOUND_SWITCH.id).unwrap();
    assert_eq!(sent.form().into_iter().find(|(k, _)| k == "accessToken").map(|(_, v)| v), Some(issued));
    again.shutdown().await;
}

#[tokio::test]
async fn the_area_domain_is_the_advertised_host() {
    // A simulator reached as `localhost` (say, another container's name for it): the token
    // endpoint hands out an area domain on that host, which the client then uses.
    let sim = Simulator::builder().advertise("http://localhost:1").start().await.unwrap();
    assert_eq!(sim.base_url(), "http://localhost:1");
    let area = sim.area_domain();
    assert!(area.starts_with("http://localhost:") && area != "http://localhost:1", "{area}");
    let token_host = format!("http://{}", sim.local_addr());
    let client = sim.client_builder().token_host(token_host).build().unwrap();
    client.get_device_info(&GetDeviceInfoRequest::new(fixtures::HUB)).await.unwrap();
    assert_eq!(sim.hits(ezviz_lapp::ops::GET_DEVICE_INFO.id), 1);
    sim.shutdown().await;
}
