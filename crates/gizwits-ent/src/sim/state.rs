//! The simulator's in-memory world: the enterprise, its apps, products (data points, devices,
//! groups), users and bindings.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use watchpost_core::sim::TokenStore;

use super::handlers::object;
use super::time::{date_time_text, days_of};

/// What a device of the simulator knows about itself; it serialises to the fields of its
/// enumeration view that it stores.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct SimDevice {
    pub(crate) did: String,
    pub(crate) mac: String,
    #[serde(default, skip_serializing)]
    pub(crate) passcode: String,
    pub(crate) is_online: bool,
    #[serde(default, skip_serializing)]
    pub(crate) is_disabled: bool,
    pub(crate) country: String,
    pub(crate) region: String,
    pub(crate) city: String,
    pub(crate) longitude: f64,
    pub(crate) latitude: f64,
    /// Unix seconds.
    pub(crate) online_latest: i64,
    /// Unix seconds.
    pub(crate) created_at: i64,
    pub(crate) mcu_soft_version: Option<String>,
    pub(crate) wifi_soft_version: Option<String>,
    /// Latest data point values.
    #[serde(default, skip_serializing)]
    pub(crate) attrs: Map<String, Value>,
    /// Faults and alarms: (data point, is an alarm, resolved).
    #[serde(default, skip_serializing)]
    pub(crate) issues: Vec<(String, bool, bool)>,
    /// Bound users: uid → (appid, owner).
    #[serde(default, skip_serializing)]
    pub(crate) bindings: BTreeMap<String, (String, bool)>,
    /// Communication log recorded by control calls: (timestamp, direction, hex payload).
    #[serde(skip)]
    pub(crate) commands: Vec<(f64, &'static str, String)>,
    /// Data history recorded by control calls: (timestamp, values).
    #[serde(skip)]
    pub(crate) data: Vec<(i64, Map<String, Value>)>,
    /// Whether this device has the synthetic seven days of history (fixture devices only).
    #[serde(skip)]
    pub(crate) history: bool,
}

impl SimDevice {
    pub(crate) fn is_faulty(&self) -> bool {
        self.issues.iter().any(|(_, alarm, resolved)| !alarm && !resolved)
    }

    pub(crate) fn is_alert(&self) -> bool {
        self.issues.iter().any(|(_, alarm, resolved)| *alarm && !resolved)
    }

    /// The enumeration view (`devices/search`), with the seed's boolean flags and decimal
    /// coordinates.
    pub(crate) fn search_json(&self) -> Value {
        let mut view = object(json!(self));
        view.extend(object(json!({
            "is_faulty": self.is_faulty(),
            "is_alert": self.is_alert(),
            "mcu_hard_version": null,
            "wifi_hard_version": null,
        })));
        Value::Object(view)
    }

    /// A row of the activated/active device details (created_at as zone-less text).
    pub(crate) fn report_row(&self, product_key: &str, day: i64) -> Value {
        json!({
            "report_date": super::time::date(day).to_string(),
            "product_key": product_key,
            "mac": self.mac,
            "country": self.country,
            "region": self.region,
            "city": self.city,
            "created_at": date_time_text(self.created_at),
        })
    }

    pub(crate) fn created_day(&self) -> i64 {
        days_of(self.created_at)
    }
}

/// A device group: its parent and its MACs.
#[derive(Debug, Clone, Default)]
pub(crate) struct SimGroup {
    pub(crate) parent: Option<String>,
    pub(crate) macs: BTreeSet<String>,
}

/// A product.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SimProduct {
    #[serde(default)]
    pub(crate) key: String,
    pub(crate) secret: String,
    /// The `GET .../datapoint` document; `None` when no data points are defined (5402).
    pub(crate) datapoints: Option<Value>,
    /// Whether remote control is enabled in the console (else 5404).
    pub(crate) remote_control: bool,
    pub(crate) devices: Vec<SimDevice>,
    #[serde(skip)]
    pub(crate) groups: BTreeMap<String, SimGroup>,
}

impl SimProduct {
    #[cfg(test)]
    pub(crate) fn device(&self, did: &str) -> Option<&SimDevice> {
        self.devices.iter().find(|d| d.did == did)
    }

    pub(crate) fn device_mut(&mut self, did: &str) -> Option<&mut SimDevice> {
        self.devices.iter_mut().find(|d| d.did == did)
    }

    pub(crate) fn device_by_mac(&self, mac: &str) -> Option<&SimDevice> {
        self.devices.iter().find(|d| d.mac.eq_ignore_ascii_case(mac))
    }

    /// The group a MAC is in.
    pub(crate) fn group_of(&self, mac: &str) -> Option<&str> {
        self.groups.iter().find(|(_, g)| g.macs.contains(mac)).map(|(gid, _)| gid.as_str())
    }

    /// The devices of group `gid` and its descendants (all devices for `None`): those whose group
    /// has `gid` among itself and its ancestors.
    pub(crate) fn devices_in(&self, gid: Option<&str>) -> Vec<&SimDevice> {
        let ancestors =
            |mac: &str| std::iter::successors(self.group_of(mac), |g| self.groups.get(*g)?.parent.as_deref());
        let within = |d: &&SimDevice| gid.is_none_or(|gid| ancestors(&d.mac).take(self.groups.len()).any(|g| g == gid));
        self.devices.iter().filter(within).collect()
    }

    /// The data point definitions as `(name, data_type, writable, enum values, range, byte length)`.
    pub(crate) fn datapoint_list(&self) -> Option<crate::models::ProductDatapoints> {
        self.datapoints.as_ref().and_then(|d| serde_json::from_value(d.clone()).ok())
    }
}

/// A user of the enterprise's apps; it serialises to the fields of the user searches it stores.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct SimUser {
    #[serde(default)]
    pub(crate) uid: String,
    #[serde(skip_serializing)]
    pub(crate) appid: String,
    pub(crate) username: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) is_anonymous: bool,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    #[serde(skip_serializing)]
    pub(crate) country: String,
    #[serde(skip_serializing)]
    pub(crate) region: String,
    #[serde(skip_serializing)]
    pub(crate) city: String,
    /// Product keys the user registered through.
    #[serde(skip_serializing)]
    pub(crate) products: BTreeSet<String>,
}

impl SimUser {
    /// The user as the user searches show it.
    pub(crate) fn json(&self) -> Map<String, Value> {
        let mut user = object(json!(self));
        user.extend(object(json!({ "birthday": null, "gender": null, "address": null, "remark": null })));
        user
    }
}

/// A repeating pattern of synthetic history (`world.json`): the `records`, each at its offset
/// into the period, of each of the last `periods` periods of `period` seconds.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Pattern {
    period: i64,
    periods: i64,
    records: Vec<(f64, Value)>,
}

impl Pattern {
    /// The records of device `d` (none unless it has the synthetic history), newest period
    /// first, each with its time as `timestamp`.
    pub(crate) fn replay(&self, d: &SimDevice, now: i64) -> Vec<(f64, Value)> {
        let (period, periods) = (self.period.max(1), if d.history { self.periods } else { 0 });
        let start = now - now.rem_euclid(period);
        let at = |k: i64| self.records.iter().map(move |(at, r)| ((start - k * period) as f64 + at, r));
        let stamped = |(t, r): (f64, &Value)| {
            (t, Value::Object(object(json!({ "timestamp": t })).into_iter().chain(object(r.clone())).collect()))
        };
        (0..periods).flat_map(at).map(stamped).collect()
    }
}

/// The synthetic history of the fixture devices: online records, communication log, data.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct History {
    pub(crate) online: Pattern,
    pub(crate) commands: Pattern,
    pub(crate) data: Pattern,
}

/// The whole world.
#[derive(Debug, Clone, Deserialize)]
pub struct State {
    pub(crate) enterprise_id: String,
    pub(crate) enterprise_secret: String,
    pub(crate) apps: BTreeSet<String>,
    pub(crate) products: BTreeMap<String, SimProduct>,
    pub(crate) users: BTreeMap<String, SimUser>,
    pub(crate) history: History,
    /// Counter for generated MACs and dids.
    #[serde(default)]
    pub(crate) serial: u64,
    /// Issued tokens, each with its product key.
    #[serde(skip)]
    pub(crate) tokens: TokenStore<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::fixtures::{world, DEVICE_DID, PRODUCT_KEY, USER_UID};

    /// Whether `ours` has exactly the members of the seed's literal example, each of the same
    /// JSON type (or `null` on either side).
    fn same_shape(ours: &Value, seed: &Value) -> bool {
        let (Some(ours), Some(seed)) = (ours.as_object(), seed.as_object()) else { return false };
        let kind = |v: &Value| std::mem::discriminant(v);
        ours.len() == seed.len()
            && seed.iter().all(|(k, s)| {
                ours.get(k).is_some_and(|o| {
                    o.is_null() || s.is_null() || kind(o) == kind(s) || (o.is_number() && s.is_number())
                })
            })
    }

    #[test]
    fn the_serialised_views_have_the_seed_examples_members() {
        let st = world(1_517_296_665).unwrap();
        // L759, the device enumeration.
        let seed = json!({ "city": "Guangzhou", "mcu_hard_version": null, "mcu_soft_version": null, "did": "kYkSE2xspYjocBhaUHdM5k", "country": "China", "region": "Guangdong", "mac": "virtual:site", "longitude": 113.280637, "wifi_hard_version": null, "online_latest": 1517296665, "wifi_soft_version": null, "is_online": false, "latitude": 23.125178, "is_alert": false, "created_at": 1505789918, "is_faulty": false });
        let device = st.products[PRODUCT_KEY].device(DEVICE_DID).unwrap();
        assert!(same_shape(&device.search_json(), &seed), "{}", device.search_json());
        // L453, the user search.
        let seed = json!({ "username": null, "remark": null, "uid": "25a5324c807842348f63ade277eb413a", "is_anonymous": true, "gender": null, "created_at": 1513135417, "updated_at": 1513135417, "phone": null, "birthday": null, "address": null, "email": null });
        let user = Value::Object(st.users[USER_UID].json());
        assert!(same_shape(&user, &seed), "{user}");
    }
}
