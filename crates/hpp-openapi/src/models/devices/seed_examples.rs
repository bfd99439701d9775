//! Every response example of sections 3.18-3.22, 3.25-3.32 and 3.52, decoded into its model.
//!
//! The examples are in `fixtures/seed/3.NN.json`; the three the seed prints as invalid JSON (split
//! at a page break, or without their opening brace) are fixed as their sibling `3.NN.md` says.

use serde::de::DeserializeOwned;

use super::*;
use crate::envelope::Envelope;
use crate::models::common::{ItemOutcome, Page};
use crate::HppCode;

macro_rules! seed {
    ($section:literal) => {
        include_str!(concat!("../../../fixtures/seed/3.", $section, ".json"))
    };
}

/// The `data` of an example, decoded into `T` through the client's envelope parser.
fn data<T: DeserializeOwned>(body: &str) -> T {
    let env = Envelope::parse(body.as_bytes()).expect("an envelope");
    assert!(env.is_success(), "errorCode {}", env.code());
    env.data_as().expect("the typed model")
}

#[test]
fn no_data_examples_are_bare_successes() {
    for body in [seed!("19"), seed!("20"), seed!("26")] {
        let env = Envelope::parse(body.as_bytes()).unwrap();
        assert!(env.is_success() && env.data().is_none());
    }
}

#[test]
fn device_add_reports_each_device_with_the_code_of_its_failure() {
    let r: AddDevicesResult = data(seed!("18"));
    assert_eq!(r.add_success_list.len(), 1);
    assert_eq!(r.add_success_list[0].device_category, Some(DeviceCategory::Other(0)));
    assert_eq!(r.add_success_list[0].device_name.as_deref(), Some("string"));
    assert!(!r.all_added());
    let outcomes = r.outcomes();
    assert_eq!(outcomes.len(), 3);
    assert_eq!(outcomes[0], ItemOutcome::Done("abc".to_owned()));
    let failed: Vec<_> = outcomes.iter().filter_map(|o| o.failure().map(|f| (o.key().clone(), f.clone()))).collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[1].0, "def");
    assert_eq!(failed[1].1.code, Some(HppCode::AddingDeviceFailed));
    assert_eq!(failed[1].1.message, "add Exception{LAP006001}");
}

#[test]
fn device_list_example_decodes_with_its_type_drift() {
    let p: Page<Device> = data(seed!("21"));
    assert_eq!((p.page, p.page_size, p.total, p.total_page), (1, 20, 0, 0));
    let d = &p.rows[0];
    assert_eq!(d.device_category, Some(DeviceCategory::AlarmHost));
    assert_eq!(d.device_online_status, Some(OnlineStatus::Offline));
    assert_eq!(d.device_serial.as_deref(), Some("Q01728482"));
    assert_eq!(d.device_version.as_deref(), Some("V2.0.0 build 200224"));
    assert_eq!(d.device_sub_category, Some(DeviceSubCategory::Unknown));
    assert_eq!(d.is_subscribed, Some(true));
    assert_eq!(d.time_zone.as_deref(), Some("182"));
    assert_eq!(d.site_id.as_deref(), Some("xxxxxxxx"));
    assert_eq!(d.device_share_flag, Some(false));
    assert_eq!(d.arc_id.as_deref(), Some("xxx"));
    assert_eq!(d.arc_company_name.as_deref(), Some("xxx"));
    assert_eq!(d.id, "xxxxxxxxxxx");
}

#[test]
fn camera_list_example_is_a_bare_array() {
    let cams: Vec<Camera> = data(seed!("22"));
    let c = &cams[0];
    assert_eq!(c.channel_no, Some(1));
    assert_eq!(c.status, Some(ChannelStatus::Online));
    assert_eq!(c.is_shared, Some(ChannelShare::NotShared));
    assert_eq!(c.is_encrypt, Some(false));
    assert_eq!(c.video_level, Some(VideoLevel::Hd));
    assert_eq!(c.related_ipc, Some(false));
    assert_eq!(c.ipc_serial.as_deref(), Some("427734222"));
}

#[test]
fn upgrade_examples_decode() {
    let s: UpgradeState = data(seed!("25"));
    assert!(s.is_need_upgrade);
    let u: UpgradeResult = data(seed!("28"));
    assert_eq!(u.failure().map(|f| f.message), Some("xxxx: xxxx".to_owned()));
    let p: UpgradeProgress = data(seed!("29"));
    assert_eq!((p.progress, p.status), (Some(1), Some(UpgradeStatus::Started)));
    assert!(!p.is_over());
    assert!(p.failure().is_some());
}

#[test]
fn pin_code_example_decodes_and_hides_the_pin() {
    let pin: DevicePin = data(seed!("27"));
    assert_eq!(pin.pin.expose(), "xxxx");
    assert_eq!(pin.device_serial.as_deref(), Some("xxxx"));
    let pin: DevicePin = serde_json::from_str(r#"{"pin":"4321","deviceSerial":"Q01728482"}"#).unwrap();
    let text = format!("{pin:?}");
    assert!(!text.contains("4321") && text.contains("Pin(***)"), "{text}");
}

#[test]
fn iot_examples_decode_placeholders_as_none() {
    let a: IotAbility = data(seed!("30"));
    assert!(a.support_force_check_auth);
    let r: IotAddResult = data(seed!("31"));
    assert_eq!(r.device_name.as_deref(), Some("xxxx"));
    assert_eq!((r.device_category, r.sub_type), (None, None));
    let r: IotAddResult = serde_json::from_str(r#"{"deviceCategory":"3","subType":4}"#).unwrap();
    assert_eq!((r.device_category, r.sub_type), (Some(DeviceCategory::AlarmHost), Some(4)));
}

#[test]
fn wake_up_and_video_examples_decode() {
    let w: WakeUp = data(seed!("32"));
    assert!(w.awake);
    let files: Vec<RecordFile> = data(seed!("52"));
    let f = &files[0];
    assert_eq!(f.rec_type, Some(RecordSource::Local));
    assert_eq!((f.start_time, f.end_time), (Some(1_689_929_320_315), Some(1_689_929_356_315)));
    assert_eq!(f.local_type, Some(RecordFileType::Alarm));
    assert_eq!(f.crypt, Some(true));
}
