//! The simulator's in-memory world: the enterprise, its apps, products (data points, devices,
//! groups), users and bindings.

use std::collections::{BTreeMap, BTreeSet};

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Map, Value};
use watchpost_core::sim::TokenStore;

use super::time::{date_time_text, days_of};

/// What a device of the simulator knows about itself.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SimDevice {
    pub(crate) did: String,
    pub(crate) mac: String,
    #[serde(default)]
    pub(crate) passcode: String,
    pub(crate) is_online: bool,
    #[serde(default)]
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
    #[serde(default)]
    pub(crate) attrs: Map<String, Value>,
    /// Faults and alarms: (data point, is an alarm, resolved).
    #[serde(default)]
    pub(crate) issues: Vec<(String, bool, bool)>,
    /// Bound users: uid → (appid, owner).
    #[serde(default)]
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
        json!({
            "did": self.did,
            "mac": self.mac,
            "is_online": self.is_online,
            "is_faulty": self.is_faulty(),
            "is_alert": self.is_alert(),
            "country": self.country,
            "region": self.region,
            "city": self.city,
            "longitude": self.longitude,
            "latitude": self.latitude,
            "online_latest": self.online_latest,
            "created_at": self.created_at,
            "mcu_hard_version": null,
            "mcu_soft_version": self.mcu_soft_version,
            "wifi_hard_version": null,
            "wifi_soft_version": self.wifi_soft_version,
        })
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

    /// The devices of group `gid` and its descendants (all devices for `None`).
    pub(crate) fn devices_in(&self, gid: Option<&str>) -> Vec<&SimDevice> {
        match gid {
            None => self.devices.iter().collect(),
            Some(gid) => {
                let mut gids = vec![gid.to_owned()];
                let mut i = 0;
                while let Some(g) = gids.get(i).cloned() {
                    gids.extend(
                        self.groups.iter().filter(|(_, c)| c.parent.as_deref() == Some(&g)).map(|(k, _)| k.clone()),
                    );
                    i += 1;
                }
                let macs: BTreeSet<&String> =
                    gids.iter().filter_map(|g| self.groups.get(g)).flat_map(|g| g.macs.iter()).collect();
                self.devices.iter().filter(|d| macs.contains(&d.mac)).collect()
            }
        }
    }

    /// The data point definitions as `(name, data_type, writable, enum values, range, byte length)`.
    pub(crate) fn datapoint_list(&self) -> Option<crate::models::ProductDatapoints> {
        self.datapoints.as_ref().and_then(|d| serde_json::from_value(d.clone()).ok())
    }
}

/// A user of the enterprise's apps.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct SimUser {
    #[serde(default)]
    pub(crate) uid: String,
    pub(crate) appid: String,
    pub(crate) username: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) is_anonymous: bool,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    pub(crate) country: String,
    pub(crate) region: String,
    pub(crate) city: String,
    /// Product keys the user registered through.
    pub(crate) products: BTreeSet<String>,
}

impl SimUser {
    pub(crate) fn json(&self) -> Value {
        json!({
            "uid": self.uid,
            "username": self.username,
            "phone": self.phone,
            "email": self.email,
            "birthday": null,
            "is_anonymous": self.is_anonymous,
            "gender": null,
            "address": null,
            "remark": null,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        })
    }
}

/// The whole world.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct State {
    pub(crate) enterprise_id: String,
    pub(crate) enterprise_secret: String,
    pub(crate) apps: BTreeSet<String>,
    pub(crate) products: BTreeMap<String, SimProduct>,
    pub(crate) users: BTreeMap<String, SimUser>,
    /// Counter for generated MACs and dids.
    #[serde(default)]
    pub(crate) serial: u64,
    /// Issued tokens, each with its product key.
    #[serde(skip)]
    pub(crate) tokens: TokenStore<String>,
    /// The lifetime of tokens issued from now on.
    #[serde(skip)]
    pub(crate) token_ttl: Duration,
}

impl State {
    /// The product of `did`, if any product has it.
    pub(crate) fn product_of_device(&self, did: &str) -> Option<&str> {
        self.products.values().find(|p| p.device(did).is_some()).map(|p| p.key.as_str())
    }
}
