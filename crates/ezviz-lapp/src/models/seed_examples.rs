//! Every response example of the seed (sections 1.1 to 1.25), decoded into its typed model.
//!
//! The examples are in `fixtures/seed/1.NN.json`, cut verbatim from the seed document (only the
//! indentation of the document's code blocks is removed). All 25 are valid JSON, so none is fixed.

use watchpost_core::RawResponse;

use super::*;
use crate::envelope::{Envelope, FromEnvelope};
use crate::generated::{ops, OPERATIONS};

macro_rules! seed {
    ($section:literal) => {
        include_str!(concat!("../../fixtures/seed/1.", $section, ".json"))
    };
}

/// Decodes an example as the client does for `op`: classification, envelope, then the model.
fn decode<T: FromEnvelope>(op: &'static watchpost_core::Operation, body: &str) -> T {
    let resp = RawResponse {
        op: op.id,
        status: http::StatusCode::OK,
        headers: http::HeaderMap::new(),
        body: body.to_owned().into(),
    };
    watchpost_core::pipeline::VendorProfile::classify(&crate::profile::EzvizProfile, &resp).expect("a success");
    let env = Envelope::parse(&resp.body).expect("an envelope");
    assert!(env.is_success());
    T::from_envelope(&env, &resp).expect("the typed model")
}

#[test]
fn set_examples_are_applied_outcomes() {
    let sets = [
        (&ops::SET_DEFENCE, seed!("01")),
        (&ops::DISABLE_ENCRYPTION, seed!("02")),
        (&ops::ENABLE_ENCRYPTION, seed!("03")),
        (&ops::SET_SOUND_SWITCH, seed!("05")),
        (&ops::SET_SCENE_SWITCH, seed!("07")),
        (&ops::SET_SSL_SWITCH, seed!("09")),
        (&ops::SET_DEFENCE_PLAN, seed!("11")),
        (&ops::SET_MIC_STATUS, seed!("13")),
        (&ops::SET_PIR_AREA, seed!("14")),
        (&ops::SET_CHIME, seed!("16")),
        (&ops::SET_INFRARED, seed!("18")),
        (&ops::SET_TIMEZONE, seed!("22")),
        (&ops::SET_LANGUAGE, seed!("25")),
    ];
    for (op, body) in sets {
        assert_eq!(decode::<SetOutcome>(op, body), SetOutcome::Applied, "{}", op.id);
    }
    // Every operation of the seed is covered by this test or the next ones: the spec has exactly
    // one operation per section 1.1 to 1.25 (plus the token endpoint, which has none).
    let mut sections: Vec<&str> = OPERATIONS.iter().map(|o| o.section).filter(|s| !s.is_empty()).collect();
    sections.sort_by_key(|s| s.strip_prefix("1.").and_then(|n| n.parse::<u32>().ok()));
    let expected: Vec<String> = (1..=25).map(|n| format!("1.{n}")).collect();
    assert_eq!(sections, expected);
}

#[test]
fn switch_status_examples() {
    for (op, body, serial) in [
        (&ops::GET_SOUND_SWITCH, seed!("04"), "502608888"),
        (&ops::GET_SCENE_SWITCH, seed!("06"), "596510666"),
        (&ops::GET_SSL_SWITCH, seed!("08"), "596510666"),
    ] {
        let s: SwitchStatus = decode(op, body);
        assert_eq!(s, SwitchStatus { device_serial: Some(serial.into()), channel_no: Some(1), enable: true });
    }
    let s: SwitchStatus = decode(&ops::GET_INFRARED, seed!("19"));
    assert_eq!(s, SwitchStatus { device_serial: Some("C24899350".into()), channel_no: Some(1), enable: false });
}

#[test]
fn defence_plan_example() {
    let p: DefencePlan = decode(&ops::GET_DEFENCE_PLAN, seed!("10"));
    assert_eq!(p.start_time, ScheduleTime::at(23, 20));
    assert_eq!(p.stop_time, ScheduleTime::at(23, 21));
    assert_eq!(p.period, Some(Weekdays::from_iter([Weekday::Monday, Weekday::Tuesday, Weekday::Sunday])));
    assert_eq!(p.enable, Some(false));
}

#[test]
fn mic_status_example_is_an_array_with_a_string_enable() {
    let list: Vec<SwitchStatus> = decode(&ops::GET_MIC_STATUS, seed!("12"));
    assert_eq!(list, [SwitchStatus { device_serial: Some("596510666".into()), channel_no: Some(1), enable: true }]);
}

#[test]
fn pir_area_example() {
    let a: PirArea = decode(&ops::GET_PIR_AREA, seed!("15"));
    assert_eq!((a.rows, a.columns, a.area.as_slice()), (3, 4, [1, 9, 13].as_slice()));
    assert_eq!(a.device_serial.as_deref(), Some("C24899350"));
    assert_eq!(a.grid(), [[false, false, false, true], [true, false, false, true], [true, true, false, true]]);
}

#[test]
fn chime_example() {
    let c: Chime = decode(&ops::GET_CHIME, seed!("17"));
    assert_eq!(c.chime_type, ChimeType::NoChime);
    assert_eq!((c.channel_no, c.duration), (Some(1), Some(1000)));
}

#[test]
fn device_info_example() {
    let d: DeviceInfo = decode(&ops::GET_DEVICE_INFO, seed!("20"));
    assert_eq!(d.device_serial.as_deref(), Some("Q00737272"));
    assert_eq!(d.device_name.as_deref(), Some("A1S(Q00737272)"));
    assert_eq!(d.model.as_deref(), Some("CS-A1S-32WE2G"));
    assert!(d.is_online());
    assert_eq!(d.defence.and_then(DefenceValue::as_hub), Some(DefenceMode::Home));
    assert_eq!((d.is_encrypt, d.offline_notify), (Some(false), Some(false)));
    assert_eq!(d.alarm_sound_mode, Some(AlarmSoundMode::LongCall));
    assert_eq!(d.wifi_ssid.as_deref(), Some(""));
    assert_eq!(d.utc_offset_minutes(), Some(14 * 60));
}

#[test]
fn time_zone_list_example() {
    let list: Vec<TimeZoneEntry> = decode(&ops::LIST_TIMEZONES, seed!("21"));
    assert_eq!(list.len(), 105);
    let first = &list[0];
    assert_eq!((first.tz_code.as_str(), first.display_name.as_str()), ("2", "(UTC+14:00) Kiritimati Island"));
    assert!(list.iter().all(|e| e.utc_offset_minutes().is_some()), "every tzValue parses");
    let nepal = list.iter().find(|e| e.tz_value == "UTC+05:45").map(TimeZoneEntry::utc_offset_minutes);
    assert_eq!(nepal, Some(Some(345)));
    let codes: Vec<u32> = list.iter().filter_map(|e| e.tz_code.as_str().parse().ok()).collect();
    assert_eq!(codes, (1..=105).map(|n| n * 2).collect::<Vec<_>>(), "the even numbers 2..210");
}

#[test]
fn capability_example() {
    let caps: Capabilities = decode(&ops::GET_CAPABILITIES, seed!("23"));
    assert_eq!(caps.keys().count(), 40);
    assert!(caps.supports("support_defence") && caps.supports("support_defenceplan"));
    assert!(!caps.supports("support_ptz") && !caps.supports("support_encrypt"));
    assert!(!caps.supports("support_not_in_the_answer"));
    assert_eq!((caps.level("support_wifi"), caps.level("support_ap_mode")), (Some(3), Some(2)));
    assert_eq!(caps.channel_number(), Some(0));
    assert!(!caps.supports("video_quality_capacity"), "an empty array");
    assert_eq!(caps.list("support_modify_detectorguard").len(), 10);
    assert_eq!(
        caps.languages(),
        [
            Language::French,
            Language::Spanish,
            Language::Russian,
            Language::Korean,
            Language::Italian,
            Language::German,
            Language::English
        ]
    );
}

#[test]
fn language_example() {
    let l: DeviceLanguage = decode(&ops::GET_LANGUAGE, seed!("24"));
    assert_eq!(l.language, Language::English);
}

#[test]
fn models_round_trip_through_serde() {
    let d: DeviceInfo = decode(&ops::GET_DEVICE_INFO, seed!("20"));
    let again: DeviceInfo = serde_json::from_value(serde_json::to_value(&d).unwrap()).unwrap();
    assert_eq!(again, d);
    let p: DefencePlan = decode(&ops::GET_DEFENCE_PLAN, seed!("10"));
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["period"], "0,1,6");
    assert_eq!(serde_json::from_value::<DefencePlan>(json).unwrap(), p);
    let unknown: Language = serde_json::from_str(r#""PORTUGUESE""#).unwrap();
    assert_eq!(unknown, Language::Other("PORTUGUESE".into()));
    assert_eq!(ChimeType::from_value(9), ChimeType::Other(9));
}

/// The models the simulator answers with (its devices' schedule and capability map) serialise
/// exactly as the seed's literal examples: same members, same JSON types.
#[test]
fn models_the_simulator_serves_write_the_seeds_examples() {
    let data = |example: &str| serde_json::from_str::<serde_json::Value>(example).unwrap()["data"].clone();
    let plan: DefencePlan = decode(&ops::GET_DEFENCE_PLAN, seed!("10"));
    assert_eq!(serde_json::to_value(&plan).unwrap(), data(seed!("10")));
    let caps: Capabilities = decode(&ops::GET_CAPABILITIES, seed!("23"));
    assert_eq!(serde_json::to_value(&caps).unwrap(), data(seed!("23")));
}
