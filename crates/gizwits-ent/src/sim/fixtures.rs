//! The world a fresh simulator starts with, seeded from the seed document's examples.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::state::{SimDevice, SimProduct, SimUser, State};

/// Enterprise id of a fresh simulator.
pub const ENTERPRISE_ID: &str = "ent-7d1f3a9c";
/// Enterprise secret of a fresh simulator.
pub const ENTERPRISE_SECRET: &str = "ent-secret-5b2e91";
/// The product with data points and remote control (the seed's `4244bf2d...` product).
pub const PRODUCT_KEY: &str = "4244bf2d79694a259232431b6f2ef46a";
/// Its product secret.
pub const PRODUCT_SECRET: &str = "ps-0c8d4e2a7f";
/// A second product, without data points and with remote control disabled.
pub const SECOND_PRODUCT_KEY: &str = "6f2e214bf2d79649232431b94a25f46a";
/// Its product secret.
pub const SECOND_PRODUCT_SECRET: &str = "ps-93b1f6d055";
/// The enterprise's application.
pub const APP_ID: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
/// A fixture device of [`PRODUCT_KEY`]: online, controllable.
pub const DEVICE_DID: &str = "kYkSE2xspYjocBhaUHdM5k";
/// Its MAC.
pub const DEVICE_MAC: &str = "a4:cf:12:00:00:01";
/// A fixture device of [`PRODUCT_KEY`] that is offline.
pub const OFFLINE_DID: &str = "dE2xjocBhaUHkYkSspYM5k";
/// A fixture device of [`PRODUCT_KEY`] that is disabled.
pub const DISABLED_DID: &str = "cBYkSjoE2xspYMhaUHdk5k";
/// A fixture device of [`SECOND_PRODUCT_KEY`].
pub const SECOND_DEVICE_DID: &str = "jaUHdkYkSocBhE2xspYM5k";
/// A registered user bound (as owner) to [`DEVICE_DID`].
pub const USER_UID: &str = "25a5324c807842348f63ade277eb413a";
/// A second registered user, bound to nothing.
pub const OTHER_UID: &str = "2ac80784a695a5f88f63ade277eb413a";

/// The data points of [`PRODUCT_KEY`]: the seed's `switch` plus the air-conditioner points of
/// its history example (L1054) and an extended (binary) point.
pub(crate) fn datapoints() -> Value {
    json!({
        "name": "微信宠物屋",
        "product_key": PRODUCT_KEY,
        "protocolType": "standard",
        "packetVersion": "0x00000004",
        "entities": [{
            "id": 0,
            "name": "entity0",
            "display_name": "机智云开发套件",
            "attrs": [
                {"id": 0, "name": "switch", "display_name": "开关", "desc": ".....", "type": "status_writable",
                 "data_type": "bool", "position": {"bit_offset": 0, "len": 1, "unit": "bit", "byte_offset": 0}},
                {"id": 1, "name": "mode", "display_name": "模式", "desc": ".....", "type": "status_writable",
                 "data_type": "enum", "enum": ["制冷", "制热", "送风"],
                 "position": {"bit_offset": 1, "len": 2, "unit": "bit", "byte_offset": 0}},
                {"id": 2, "name": "fan_speed", "display_name": "风速", "desc": ".....", "type": "status_writable",
                 "data_type": "enum", "enum": ["低风", "中风", "高风"],
                 "position": {"bit_offset": 3, "len": 2, "unit": "bit", "byte_offset": 0}},
                {"id": 3, "name": "set_temp", "display_name": "设定温度", "desc": ".....", "type": "status_writable",
                 "data_type": "uint8", "uint_spec": {"min": 0, "max": 14, "ratio": 1, "addition": 16},
                 "position": {"bit_offset": 0, "len": 1, "unit": "byte", "byte_offset": 1}},
                {"id": 4, "name": "room_temp", "display_name": "室温", "desc": ".....", "type": "status_readonly",
                 "data_type": "uint8", "uint_spec": {"min": 0, "max": 80, "ratio": 1, "addition": -30},
                 "position": {"bit_offset": 0, "len": 1, "unit": "byte", "byte_offset": 2}},
                {"id": 5, "name": "alert_full", "display_name": "水满报警", "desc": ".....", "type": "alert",
                 "data_type": "bool", "position": {"bit_offset": 0, "len": 1, "unit": "bit", "byte_offset": 3}},
                {"id": 6, "name": "fault_roomtemp", "display_name": "室温故障", "desc": ".....", "type": "fault",
                 "data_type": "bool", "position": {"bit_offset": 1, "len": 1, "unit": "bit", "byte_offset": 3}},
                {"id": 7, "name": "binary", "display_name": "扩展", "desc": ".....", "type": "status_writable",
                 "data_type": "binary", "position": {"bit_offset": 0, "len": 5, "unit": "byte", "byte_offset": 4}}
            ]
        }],
        "ui": {
            "object": {"version": 4, "showEditButton": false},
            "sections": [{"elements": [{"boolValue": false, "object": {"action": "entity0", "bind": ["entity0.switch"], "perm": "W"},
                                        "type": "QBooleanElement", "key": "entity0.switch", "title": "开关"}]}]
        }
    })
}

fn initial_attrs() -> Map<String, Value> {
    let v = json!({
        "switch": 1, "mode": "制冷", "fan_speed": "低风", "set_temp": 16, "room_temp": -10,
        "alert_full": 0, "fault_roomtemp": 0, "binary": "0000000000"
    });
    v.as_object().cloned().unwrap_or_default()
}

struct Place(&'static str, &'static str, &'static str, f64, f64);

const PLACES: [Place; 3] = [
    Place("China", "Guangdong", "Guangzhou", 113.280637, 23.125178),
    Place("China", "Guangdong", "Shenzhen", 114.057868, 22.543099),
    Place("China", "Beijing", "Beijing", 116.407526, 39.90403),
];

/// A device at `PLACES[place]`, online or not, created at and last online at the given times.
fn device(did: &str, mac: &str, place: usize, online: bool, (created_at, online_latest): (i64, i64)) -> SimDevice {
    let Place(country, region, city, longitude, latitude) = PLACES.get(place % PLACES.len()).unwrap_or(&PLACES[0]);
    SimDevice {
        did: did.to_owned(),
        mac: mac.to_owned(),
        passcode: format!("{:06}", mac.bytes().map(u64::from).sum::<u64>() * 7919 % 1_000_000),
        is_online: online,
        is_disabled: false,
        country: (*country).to_owned(),
        region: (*region).to_owned(),
        city: (*city).to_owned(),
        longitude: *longitude,
        latitude: *latitude,
        online_latest,
        created_at,
        mcu_soft_version: Some("04020015".to_owned()),
        wifi_soft_version: Some("04020019".to_owned()),
        attrs: initial_attrs(),
        issues: Vec::new(),
        bindings: BTreeMap::new(),
        commands: Vec::new(),
        data: Vec::new(),
        history: true,
    }
}

/// A generated device (for [`Simulator::add_devices`](super::Simulator::add_devices)).
pub(crate) fn bulk_device(serial: u64, now: i64) -> SimDevice {
    let mac: Vec<String> = [24, 16, 8, 0].iter().map(|shift| format!("{:02x}", (serial >> shift) & 0xff)).collect();
    let times = (now - 86_400 * (1 + (serial % 60) as i64), now - (serial % 7200) as i64);
    let place = (serial % 3) as usize;
    let mut d = device(
        &format!("sim{serial:019}"),
        &format!("02:00:{}", mac.join(":")),
        place,
        serial.is_multiple_of(2),
        times,
    );
    d.history = false;
    d
}

/// The starting world, with times relative to `now` (Unix seconds).
pub(crate) fn world(now: i64) -> State {
    let days = |n: i64| now - n * 86_400;
    let issue = |dp: &str, alarm: bool, resolved: bool| (dp.to_owned(), alarm, resolved);
    let mut main = device(DEVICE_DID, DEVICE_MAC, 0, true, (days(30), now - 60));
    main.issues = vec![issue("fault_roomtemp", false, true), issue("alert_full", true, false)];
    main.bindings.insert(USER_UID.to_owned(), (APP_ID.to_owned(), true));
    let mut offline = device(OFFLINE_DID, "a4:cf:12:00:00:02", 1, false, (days(3), days(2)));
    offline.issues = vec![issue("fault_roomtemp", false, false)];
    let mut disabled = device(DISABLED_DID, "a4:cf:12:00:00:03", 2, true, (days(400), now - 300));
    disabled.is_disabled = true;
    let second = device(SECOND_DEVICE_DID, "b8:27:eb:00:00:01", 2, true, (days(10), now - 120));
    let product = |key: &str, secret: &str, datapoints: Option<Value>, devices| SimProduct {
        key: key.to_owned(),
        secret: secret.to_owned(),
        remote_control: datapoints.is_some(),
        datapoints,
        devices,
        groups: BTreeMap::new(),
    };
    let products = [
        product(PRODUCT_KEY, PRODUCT_SECRET, Some(datapoints()), vec![main, offline, disabled]),
        product(SECOND_PRODUCT_KEY, SECOND_PRODUCT_SECRET, None, vec![second]),
    ];
    let user = |uid: &str, username: Option<&str>, created: i64, place: usize| {
        let Place(country, region, city, ..) = PLACES.get(place).unwrap_or(&PLACES[0]);
        let user = SimUser {
            uid: uid.to_owned(),
            appid: APP_ID.to_owned(),
            username: username.map(str::to_owned),
            phone: None,
            email: username.map(|u| format!("{u}@example.com")),
            is_anonymous: username.is_none(),
            created_at: created,
            updated_at: now - 3600,
            country: (*country).to_owned(),
            region: (*region).to_owned(),
            city: (*city).to_owned(),
            products: BTreeSet::from([PRODUCT_KEY.to_owned()]),
        };
        (uid.to_owned(), user)
    };
    State {
        enterprise_id: ENTERPRISE_ID.to_owned(),
        enterprise_secret: ENTERPRISE_SECRET.to_owned(),
        apps: BTreeSet::from([APP_ID.to_owned()]),
        products: products.into_iter().map(|p| (p.key.clone(), p)).collect(),
        users: BTreeMap::from([user(USER_UID, None, days(20), 0), user(OTHER_UID, Some("lin"), days(2), 2)]),
        serial: 0,
    }
}
