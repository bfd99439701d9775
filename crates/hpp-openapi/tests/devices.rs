//! The devices chapter (3.18-3.22, 3.25-3.32, 3.52) against the simulator over loopback: every
//! operation with its typed result, the per-item outcomes of device/add, pagination over 1,000
//! devices, offline devices, the PIN quota, clock-driven upgrades and client-side limits.

use std::time::Duration;

use futures_util::TryStreamExt as _;
use hpp_openapi::models::devices::*;
use hpp_openapi::requests::*;
use hpp_openapi::sim::Simulator;
use hpp_openapi::{HppCode, HppErrorExt as _, ItemOutcome};
use watchpost_core::ErrorKind;

const SITE: &str = "site-0001";

fn new_device(s: &str, code: &str) -> NewDevice {
    NewDevice::new(DeviceSerial::new(s).unwrap(), ValidateCode::new(code).unwrap())
}

/// A simulator with an NVR, a solar camera and an AX Pro panel registered.
async fn sim() -> Simulator {
    let sim = Simulator::start().await.unwrap();
    sim.register_device("NVR000001", "NVRCODE", DeviceCategory::Nvr, DeviceSubCategory::Nvr);
    sim.register_device("SOL000001", "SOLCODE", DeviceCategory::Ipc, DeviceSubCategory::SolarCamera);
    sim.register_device("AXP000001", "AXPCODE", DeviceCategory::AlarmHost, DeviceSubCategory::AxHybridPro);
    sim
}

#[tokio::test(start_paused = true)]
async fn device_add_reports_each_device_and_the_code_of_each_failure() {
    let sim = sim().await;
    let client = sim.client_builder().build().unwrap();
    let list = NewDevices::new([
        new_device("NVR000001", "NVRCODE").extend_info(ExtendInfo::new("rack 4").unwrap()),
        new_device("SOL000001", "WRONG"),
        new_device("UNKNOWN01", "X"),
    ])
    .unwrap();
    let r = client.add_devices(&AddDevicesRequest::new(list, SITE)).await.unwrap();
    assert_eq!(r.add_success_list.len(), 1);
    assert_eq!(r.add_success_list[0].device_category, Some(DeviceCategory::Nvr));
    let outcomes = r.outcomes();
    assert_eq!(outcomes[0], ItemOutcome::Done("NVR000001".to_owned()));
    let codes: Vec<_> =
        outcomes.iter().filter_map(|o| o.failure().map(|f| (o.key().as_str(), f.code.clone()))).collect();
    assert_eq!(
        codes,
        [("SOL000001", Some(HppCode::IncorrectVerificationCode)), ("UNKNOWN01", Some(HppCode::UnknownDevice))]
    );
    // The same serial again: LAP006008 for that device, still a success of the call.
    let again = NewDevices::from(new_device("NVR000001", "NVRCODE"));
    let r = client.add_devices(&AddDevicesRequest::new(again, SITE)).await.unwrap();
    assert!(!r.all_added());
    assert_eq!(r.add_failed_list[0].failure().code, Some(HppCode::SerialAlreadyExists));
    assert_eq!(sim.device("NVR000001").unwrap().extend_info.as_deref(), Some("rack 4"));
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn every_device_operation_answers_its_typed_result() {
    let sim = sim().await;
    let client = sim.client_builder().build().unwrap();
    let list = NewDevices::new([
        new_device("NVR000001", "NVRCODE"),
        new_device("SOL000001", "SOLCODE"),
        new_device("AXP000001", "AXPCODE"),
    ])
    .unwrap();
    assert!(client.add_devices(&AddDevicesRequest::new(list, SITE)).await.unwrap().all_added());

    // 3.21 list, of the site and of one serial.
    let page = client.list_devices(&ListDevicesRequest::new().site_id(SITE)).await.unwrap();
    assert_eq!((page.total, page.total_page, page.rows.len()), (3, 1, 3));
    let nvr = page.rows.iter().find(|d| d.device_serial.as_deref() == Some("NVR000001")).unwrap().clone();
    assert_eq!(nvr.device_category, Some(DeviceCategory::Nvr));
    assert_eq!(nvr.device_online_status, Some(OnlineStatus::Online));
    assert_eq!(nvr.site_id.as_deref(), Some(SITE));
    let added = nvr.device_add_time.as_deref().unwrap();
    assert!(added.len() == 24 && added.ends_with('Z') && added.as_bytes()[10] == b'T', "ISO 8601: {added}");
    let one = client.list_devices(&ListDevicesRequest::new().device_serial("SOL000001")).await.unwrap();
    assert_eq!(one.rows.len(), 1);
    assert_eq!(one.rows[0].device_sub_category, Some(DeviceSubCategory::SolarCamera));

    // 3.20 update, 3.22 cameras.
    let id = nvr.id.clone();
    client.update_device(&UpdateDeviceRequest::new(&id, "Lobby NVR")).await.unwrap();
    let cams = client.list_cameras(&ListCamerasRequest::new("NVR000001")).await.unwrap();
    assert_eq!(cams.len(), 4);
    assert_eq!(cams[3].channel_no, Some(4));
    assert_eq!(cams[0].device_name.as_deref(), Some("Lobby NVR"));
    assert_eq!(cams[0].status, Some(ChannelStatus::Online));

    // 3.25 upgrade state, 3.27 PIN, 3.28 upgrade, 3.29 progress along the clock.
    let state = client.device_upgrade_state(&DeviceUpgradeStateRequest::new("AXP000001")).await.unwrap();
    assert!(state.is_need_upgrade);
    let pin = client.query_pin_code(&QueryPinCodeRequest::new("AXP000001")).await.unwrap();
    assert_eq!(pin.device_serial.as_deref(), Some("AXP000001"));
    let wrong = UpgradeDeviceRequest::new("AXP000001").pin_code("000000x");
    assert_eq!(client.upgrade_device(&wrong).await.unwrap_err().hpp_code(), Some(HppCode::IncorrectDevicePassword));
    let start = UpgradeDeviceRequest::new("AXP000001").pin_code(pin.pin.expose());
    let started = client.upgrade_device(&start).await.unwrap();
    assert_eq!(started.failure(), None);
    let again = client.upgrade_device(&start).await.unwrap();
    assert_eq!(again.failure().and_then(|f| f.code), Some(HppCode::DoNotOperateAgain), "per-item refusal");
    let progress = DeviceUpgradeProgressRequest::new("AXP000001");
    tokio::time::advance(Duration::from_secs(10)).await;
    let p = client.device_upgrade_progress(&progress).await.unwrap();
    assert_eq!(p.status, Some(UpgradeStatus::Downloading));
    assert!(p.progress.is_some_and(|n| (10..20).contains(&n)), "{p:?}");
    assert!(!p.is_over());
    tokio::time::advance(Duration::from_secs(60)).await;
    let p = client.device_upgrade_progress(&progress).await.unwrap();
    assert_eq!((p.status, p.progress), (Some(UpgradeStatus::Finished), Some(100)));
    let state = client.device_upgrade_state(&DeviceUpgradeStateRequest::new("AXP000001")).await.unwrap();
    assert!(!state.is_need_upgrade, "the new firmware is installed");

    // 3.26 cloud permission.
    client.set_cloud_enable(&SetCloudEnableRequest::new(SITE, false)).await.unwrap();
    assert_eq!(sim.cloud_enabled(SITE), Some(false));

    // 3.30 and 3.31 object-model adding.
    let ability = QueryIotAbilityRequest::new("SOL000001", SITE);
    assert!(client.query_iot_ability(&ability).await.unwrap().support_force_check_auth);
    let ability = QueryIotAbilityRequest::new("NVR000001", SITE);
    assert!(!client.query_iot_ability(&ability).await.unwrap().support_force_check_auth);
    let added = client.iot_add_result(&IotAddResultRequest::new("SOL000001")).await.unwrap();
    assert_eq!(added.device_category, Some(DeviceCategory::Ipc));
    assert_eq!(added.sub_type, Some(DeviceSubCategory::SolarCamera.value()));

    // 3.32 wake-up: a solar camera only.
    assert!(client.wake_up_camera(&WakeUpCameraRequest::new("SOL000001")).await.unwrap().awake);
    let err = client.wake_up_camera(&WakeUpCameraRequest::new("NVR000001")).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::FunctionNotSupported));

    // 3.52 recordings by time: one file per 10 minutes of the range.
    let t0 = 1_689_929_320_315;
    let req = VideosByTimeRequest::new("NVR000001")
        .channel_no(2)
        .start_time(t0)
        .end_time(t0 + 25 * 60 * 1000)
        .rec_type(RecordSource::Local);
    let files = client.videos_by_time(&req).await.unwrap();
    assert_eq!(files.len(), 3);
    assert_eq!(files[0].start_time, Some(t0));
    assert_eq!(files[2].end_time, Some(t0 + 25 * 60 * 1000));
    assert_eq!(files[1].local_type, Some(RecordFileType::Timing));
    assert_eq!(files[0].rec_type, Some(RecordSource::Local));
    let err = client.videos_by_time(&VideosByTimeRequest::new("NVR000001").channel_no(9)).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::ChannelNotFound));

    // 3.19 delete; the device is gone.
    client.delete_device(&DeleteDeviceRequest::new(&id)).await.unwrap();
    assert!(sim.device("NVR000001").is_none());
    let err = client.delete_device(&DeleteDeviceRequest::new(id)).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::DeviceNotFoundOrNoPermission));

    let ours = [
        "device.add",
        "device.delete",
        "device.update",
        "device.list",
        "device.camera.list",
        "device.upgrade.state",
        "device.cloud.enable",
        "device.pincode.query",
        "device.upgrade",
        "device.upgrade.progress",
        "device.iot.ability.query",
        "device.iot.add.result",
        "device.camera.wake_up",
        "video.by_time",
    ];
    let unhit = sim.unhit_operations();
    for op in ours {
        assert!(!unhit.contains(&op), "{op} was not called");
    }
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn pagination_over_1000_devices_yields_each_once() {
    let sim = Simulator::start().await.unwrap();
    let seeded = sim.seed_devices(SITE, "P", 1000);
    assert_eq!(seeded.len(), 1000);
    sim.seed_devices("site-other", "O", 7);
    let client = sim.client_builder().build().unwrap();
    let devices: Vec<Device> =
        client.list_devices_stream(&ListDevicesRequest::new().site_id(SITE).page_size(30)).try_collect().await.unwrap();
    let mut serials: Vec<String> = devices.iter().filter_map(|d| d.device_serial.clone()).collect();
    assert_eq!(serials.len(), 1000);
    serials.sort();
    serials.dedup();
    assert_eq!(serials.len(), 1000, "no device twice");
    let mut expected = seeded.clone();
    expected.sort();
    assert_eq!(serials, expected);
    assert_eq!(sim.hits("device.list"), 34, "ceil(1000 / 30) pages, nothing more");
    // A page size of 0 is the platform's default (20): still every device once.
    let devices: Vec<Device> =
        client.list_devices_stream(&ListDevicesRequest::new().site_id(SITE).page_size(0)).try_collect().await.unwrap();
    let mut ids: Vec<String> = devices.into_iter().map(|d| d.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1000);
    assert_eq!(sim.hits("device.list"), 34 + 50);
    // Unset, the page size is the client's.
    let client = sim.client_builder().page_size(100).build().unwrap();
    let n = client
        .list_devices_stream(&ListDevicesRequest::new().site_id(SITE))
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .len();
    assert_eq!(n, 1000);
    assert_eq!(sim.hits("device.list"), 34 + 50 + 10);
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn an_offline_device_answers_evz20007_where_it_must_be_reached() {
    let sim = sim().await;
    let client = sim.client_builder().build().unwrap();
    let list = NewDevices::new([new_device("SOL000001", "SOLCODE"), new_device("NVR000001", "NVRCODE")]).unwrap();
    client.add_devices(&AddDevicesRequest::new(list, SITE)).await.unwrap();
    sim.set_offline("SOL000001", true);
    sim.set_offline("NVR000001", true);
    let err = client.wake_up_camera(&WakeUpCameraRequest::new("SOL000001")).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::DeviceOffline));
    let err = client.query_pin_code(&QueryPinCodeRequest::new("SOL000001")).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::DeviceOffline));
    let local = VideosByTimeRequest::new("NVR000001").rec_type(RecordSource::Local);
    assert_eq!(client.videos_by_time(&local).await.unwrap_err().hpp_code(), Some(HppCode::DeviceOffline));
    // Cloud recordings and the platform's own lists still answer.
    let cloud = VideosByTimeRequest::new("NVR000001").rec_type(RecordSource::Cloud);
    assert!(client.videos_by_time(&cloud).await.is_ok());
    let cams = client.list_cameras(&ListCamerasRequest::new("NVR000001")).await.unwrap();
    assert!(cams.iter().all(|c| c.status == Some(ChannelStatus::Offline)));
    let page = client.list_devices(&ListDevicesRequest::new()).await.unwrap();
    assert!(page.rows.iter().all(|d| d.device_online_status == Some(OnlineStatus::Offline)));
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn the_pin_quota_is_100_per_device_per_day() {
    let sim = sim().await;
    let client = sim.client_builder().build().unwrap();
    let list = NewDevices::new([new_device("AXP000001", "AXPCODE"), new_device("SOL000001", "SOLCODE")]).unwrap();
    client.add_devices(&AddDevicesRequest::new(list, SITE)).await.unwrap();
    let req = QueryPinCodeRequest::new("AXP000001");
    for _ in 0..100 {
        client.query_pin_code(&req).await.unwrap();
    }
    let err = client.query_pin_code(&req).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::CallLimitExceeded));
    assert_eq!(err.class(), watchpost_core::ErrorClass::RateLimited, "{err:?}");
    client.query_pin_code(&QueryPinCodeRequest::new("SOL000001")).await.unwrap();
    tokio::time::advance(Duration::from_secs(24 * 3600)).await;
    client.query_pin_code(&req).await.unwrap();
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn documented_limits_fail_before_anything_is_sent() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    assert_eq!(DeviceSerial::new("Q017284820").unwrap_err().kind(), ErrorKind::InvalidInput);
    assert_eq!(ValidateCode::new("x".repeat(19)).unwrap_err().kind(), ErrorKind::InvalidInput);
    assert_eq!(SiteId::new("").unwrap_err().kind(), ErrorKind::InvalidInput);
    assert_eq!(NewDevices::new(Vec::new()).unwrap_err().kind(), ErrorKind::InvalidInput);
    // Typed requests with a member out of range fail before anything is sent.
    let err = client.list_cameras(&ListCamerasRequest::new("Q017284820")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(err.to_string().contains("deviceSerial must have 1 to 9 characters"), "{err}");
    let err = client.set_cloud_enable(&SetCloudEnableRequest::new("s".repeat(49), true)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = client.update_device(&UpdateDeviceRequest::new("d", "n".repeat(129))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let err = client.videos_by_time(&VideosByTimeRequest::new("")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    // Through the generic entry point (the CLI's) the same limits hold.
    let bad = serde_json::json!({ "deviceSerial": "Q017284820" });
    let err = client.call_json("device.camera.list", bad).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    let bad = serde_json::json!({ "deviceList": [], "siteId": SITE });
    assert_eq!(client.call_json("device.add", bad).await.unwrap_err().kind(), ErrorKind::InvalidInput);
    assert_eq!(sim.requests_total(), 0, "nothing was sent, not even a token request");
    // And a good one goes through.
    let ok = serde_json::json!({ "deviceSerial": "Q01728482" });
    let err = client.call_json("device.camera.list", ok).await.unwrap_err();
    assert_eq!(err.hpp_code(), Some(HppCode::DeviceNotFoundOrNoPermission));
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_first_generation_panel_upgrades_with_user_name_and_password_never_shown() {
    let sim = Simulator::start().await.unwrap();
    assert_eq!(Simulator::sample_devices().len(), 4);
    let client = sim.client_builder().build().unwrap();
    let list = NewDevices::from(new_device("H00000001", "ABCDEF"));
    assert!(client.add_devices(&AddDevicesRequest::new(list, SITE)).await.unwrap().all_added());
    let bare = UpgradeDeviceRequest::new("H00000001");
    assert_eq!(client.upgrade_device(&bare).await.unwrap_err().hpp_code(), Some(HppCode::ParameterError));
    let with = UpgradeDeviceRequest::new("H00000001").username("installer").password("s3cr3t-pw").pin_code("9876");
    let text = format!("{with:?}");
    assert!(!text.contains("s3cr3t-pw") && !text.contains("9876"), "{text}");
    assert_eq!(client.upgrade_device(&with).await.unwrap().failure(), None);
    let sent: serde_json::Value =
        serde_json::from_slice(&sim.journal().last_of("device.upgrade").unwrap().body).unwrap();
    assert_eq!(sent["pinCode"], "9876", "the wire name is pinCode, not the example's pinCdode");
    sim.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn a_malformed_device_page_is_a_typed_decode_error() {
    let sim = Simulator::start().await.unwrap();
    let client = sim.client_builder().build().unwrap();
    let bad = watchpost_core::sim::SimResponse::json(200, &serde_json::json!({"errorCode": "0", "data": {"rows": 7}}));
    sim.faults().on(&hpp_openapi::ops::LIST_DEVICES).fail_next(1, bad);
    let err = client.list_devices(&ListDevicesRequest::new()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");
    // A row with a failReason and no code inside is a failure without a code, not an error.
    let odd = serde_json::json!({"errorCode": "0", "data": {"addFailedList": [{"deviceSerial": "A1", "failReason": "busy"}]}});
    sim.faults().on(&hpp_openapi::ops::ADD_DEVICES).fail_next(1, watchpost_core::sim::SimResponse::json(200, &odd));
    let r = client.add_devices(&AddDevicesRequest::new(NewDevices::from(new_device("A1", "c")), SITE)).await.unwrap();
    let failure = r.add_failed_list[0].failure();
    assert_eq!((failure.code, failure.message.as_str()), (None, "busy"));
    sim.shutdown().await;
}
