//! Property tests: whatever the service (or something in front of it) answers, the envelope
//! parser, the profile and every response model return a value or a typed error; none panics.
//! Runs without the simulator.

use ezviz_lapp::envelope::Envelope;
use ezviz_lapp::models::{
    parse_utc_offset, AccessToken, Capabilities, Chime, DefencePlan, DeviceInfo, DeviceLanguage, PirArea, PirMasks,
    ScheduleTime, SwitchStatus, TimeZoneEntry, Weekdays,
};
use ezviz_lapp::profile::EzvizProfile;
use proptest::prelude::*;
use serde_json::{Map, Value};
use watchpost_core::error::DecodeError;
use watchpost_core::pipeline::VendorProfile as _;
use watchpost_core::ErrorKind;
use watchpost_core::RawResponse;

/// The seed's examples, used as starting points for byte mutations.
const SEEDS: &[&str] = &[
    include_str!("../fixtures/seed/1.10.json"),
    include_str!("../fixtures/seed/1.12.json"),
    include_str!("../fixtures/seed/1.15.json"),
    include_str!("../fixtures/seed/1.17.json"),
    include_str!("../fixtures/seed/1.20.json"),
    include_str!("../fixtures/seed/1.23.json"),
];

fn raw(status: u16, body: Vec<u8>) -> RawResponse {
    RawResponse {
        op: "device.info",
        status: http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK),
        headers: http::HeaderMap::new(),
        body: body.into(),
    }
}

/// Scalars biased towards what breaks lenient decoders: extreme and negative numbers, floats,
/// numeric and almost-numeric text, the seed's time and list forms.
fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        prop::sample::select(vec![0i64, 1, 3, 8, 16, 32, 33, 64, -1, i64::from(u32::MAX), i64::MAX])
            .prop_map(Value::from),
        "[0-9]{0,25}".prop_map(Value::String),
        "-?[0-9]{1,3}(\\.[0-9]{1,3})?(e[0-9]{1,3})?".prop_map(Value::String),
        "n?[0-9]{0,3}:[0-9]{0,3}".prop_map(Value::String),
        "[0-9,]{0,20}".prop_map(Value::String),
        "UTC[+-]?[0-9]{0,3}:?[0-9]{0,3}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ]
}

/// Any JSON value, a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{0,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// The member names the models read, so that random objects reach the field decoders.
const FIELDS: &[&str] = &[
    "deviceSerial",
    "devceSerial",
    "channelNo",
    "enable",
    "startTime",
    "stopTime",
    "period",
    "rows",
    "columns",
    "area",
    "type",
    "duration",
    "deviceName",
    "model",
    "status",
    "defence",
    "isEncrypt",
    "alarmSoundMode",
    "offlineNotify",
    "wifiSsid",
    "timeZone",
    "tzCode",
    "tzValue",
    "disPlayName",
    "language",
    "accessToken",
    "expireTime",
    "areaDomain",
    "support_wifi",
    "support_language",
    "support_channel_number",
];

/// An object whose members are the models' own names with arbitrary values.
fn model_object() -> impl Strategy<Value = Value> {
    prop::collection::vec((prop::sample::select(FIELDS), json()), 0..12).prop_map(|members| {
        let mut map = Map::new();
        for (k, v) in members {
            map.insert(k.to_owned(), v);
        }
        Value::Object(map)
    })
}

/// Decodes `data` into every model and exercises the accessors that compute from wire values.
fn decode_everything(data: &Value) {
    let _ = serde_json::from_value::<SwitchStatus>(data.clone());
    let _ = serde_json::from_value::<Vec<SwitchStatus>>(data.clone());
    if let Ok(plan) = serde_json::from_value::<DefencePlan>(data.clone()) {
        let _ = plan.start_time.map(ScheduleTime::minutes);
        let _ = plan.period.map(|p| p.to_string());
    }
    if let Ok(area) = serde_json::from_value::<PirArea>(data.clone()) {
        let grid = area.grid();
        assert!(grid.len() <= PirArea::MAX_GRID as usize);
        let _ = area.check(&area.masks());
        let _ = area.is_selected(u32::MAX, u32::MAX);
        let _ = area.is_selected(0, area.columns.saturating_sub(1));
    }
    let _ = serde_json::from_value::<Chime>(data.clone());
    if let Ok(info) = serde_json::from_value::<DeviceInfo>(data.clone()) {
        let _ = info.utc_offset_minutes();
        let _ = info.defence.map(|d| (d.as_hub(), d.as_camera()));
    }
    if let Ok(zones) = serde_json::from_value::<Vec<TimeZoneEntry>>(data.clone()) {
        for z in zones {
            let _ = z.utc_offset_minutes();
        }
    }
    if let Ok(caps) = serde_json::from_value::<Capabilities>(data.clone()) {
        for key in FIELDS {
            let _ = (caps.supports(key), caps.level(key), caps.list(key));
        }
        let _ = (caps.languages(), caps.channel_number());
    }
    let _ = serde_json::from_value::<DeviceLanguage>(data.clone());
    if let Ok(token) = serde_json::from_value::<AccessToken>(data.clone()) {
        let _ = token.expires_at();
        let shown = format!("{token:?}");
        let in_domain = token.area_domain.as_deref().is_some_and(|d| d.contains(&token.access_token));
        assert!(token.access_token.len() < 12 || in_domain || !shown.contains(&token.access_token), "{shown}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_give_an_envelope_or_a_typed_decode_error(body in prop::collection::vec(any::<u8>(), 0..256)) {
        match Envelope::parse(&body) {
            Ok(env) => prop_assert!(!env.code().is_empty()),
            Err(DecodeError::Empty | DecodeError::Json { .. } | DecodeError::Envelope { .. }) => {}
            Err(other) => prop_assert!(false, "unexpected decode error {other:?}"),
        }
    }

    #[test]
    fn any_bytes_are_classified_without_panicking(
        body in prop::collection::vec(any::<u8>(), 0..256),
        status in prop::sample::select(vec![200u16, 204, 404, 429, 500, 502]),
    ) {
        let resp = raw(status, body.clone());
        if let Err(e) = EzvizProfile.classify(&resp) {
            if Envelope::parse(&body).is_err() && status == 200 {
                prop_assert_eq!(e.kind(), ErrorKind::Decode);
            }
        }
    }

    #[test]
    fn mutated_seed_examples_never_panic(
        seed in prop::sample::select(SEEDS),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut body = seed.as_bytes().to_vec();
        let i = at.index(body.len());
        body[i] = byte;
        body.truncate(cut.index(body.len() + 1));
        if let Ok(env) = Envelope::parse(&body) {
            if let Some(data) = env.data() {
                decode_everything(data);
            }
        }
        let _ = EzvizProfile.classify(&raw(200, body));
    }

    #[test]
    fn any_data_member_decodes_or_fails_typed(data in prop_oneof![json(), model_object()], code in json()) {
        decode_everything(&data);
        let mut envelope = Map::new();
        envelope.insert("code".to_owned(), code);
        envelope.insert("data".to_owned(), data);
        let body = serde_json::to_vec(&Value::Object(envelope)).unwrap_or_default();
        if let Ok(env) = Envelope::parse(&body) {
            let _ = env.data_as::<DeviceInfo>();
            let _ = env.data_as::<Vec<TimeZoneEntry>>();
            let _ = env.ezviz_code();
        }
        let _ = EzvizProfile.classify(&raw(200, body));
    }

    #[test]
    fn text_parsers_never_panic(text in any::<String>()) {
        let _ = text.parse::<ScheduleTime>();
        let _ = text.parse::<Weekdays>();
        let _ = text.parse::<PirMasks>();
        let _ = parse_utc_offset(&text);
    }
}
