//! The world a fresh simulator starts with (`world.json`, from the seed document's examples).

use serde_json::{Map, Value};

use super::state::{SimDevice, State};

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

/// The passcode of a device (derived from its MAC, so it is repeatable).
fn passcode(mac: &str) -> String {
    format!("{:06}", mac.bytes().map(u64::from).sum::<u64>() * 7919 % 1_000_000)
}

/// A generated device (for [`Simulator::add_devices`](super::Simulator::add_devices)): placed
/// like fixture device `serial % 3` of [`PRODUCT_KEY`] in the `fresh` world, without its issues,
/// bindings or history.
pub(crate) fn bulk_device(fresh: &State, serial: u64, now: i64) -> Option<SimDevice> {
    let devices = &fresh.products.get(PRODUCT_KEY)?.devices;
    let mut d = devices.get(serial as usize % devices.len().max(1))?.clone();
    let mac: Vec<String> = [24, 16, 8, 0].iter().map(|shift| format!("{:02x}", (serial >> shift) & 0xff)).collect();
    d.did = format!("sim{serial:019}");
    d.mac = format!("02:00:{}", mac.join(":"));
    d.passcode = passcode(&d.mac);
    d.is_online = serial.is_multiple_of(2);
    d.is_disabled = false;
    d.history = false;
    d.created_at = now - 86_400 * (1 + (serial % 60) as i64);
    d.online_latest = now - (serial % 7200) as i64;
    d.issues.clear();
    d.bindings.clear();
    Some(d)
}

/// The starting world of `world.json` (the seed's data point document of L597 and the devices,
/// users and bindings every test names), its times (seconds before now there) made absolute.
pub(crate) fn world(now: i64) -> serde_json::Result<State> {
    #[derive(serde::Deserialize)]
    struct World {
        /// The data point values every device starts with.
        attrs: Map<String, Value>,
        state: State,
    }
    let World { attrs, mut state } = serde_json::from_str(include_str!("world.json"))?;
    for (key, p) in &mut state.products {
        p.key.clone_from(key);
        for d in &mut p.devices {
            d.passcode = passcode(&d.mac);
            d.attrs.clone_from(&attrs);
            d.history = true;
            d.created_at += now;
            d.online_latest += now;
        }
    }
    for (uid, u) in &mut state.users {
        u.uid.clone_from(uid);
        u.created_at += now;
        u.updated_at += now;
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_has_the_named_fixtures() {
        let st = world(1_000_000_000).unwrap();
        assert_eq!((st.enterprise_id.as_str(), st.enterprise_secret.as_str()), (ENTERPRISE_ID, ENTERPRISE_SECRET));
        assert!(st.apps.contains(APP_ID));
        let (p, p2) = (&st.products[PRODUCT_KEY], &st.products[SECOND_PRODUCT_KEY]);
        assert_eq!((p.secret.as_str(), p2.secret.as_str()), (PRODUCT_SECRET, SECOND_PRODUCT_SECRET));
        assert!(p.datapoint_list().is_some() && p.remote_control && p2.datapoints.is_none() && !p2.remote_control);
        assert_eq!(p.device(DEVICE_DID).map(|d| (d.mac.as_str(), d.is_online)), Some((DEVICE_MAC, true)));
        assert_eq!(p.device(OFFLINE_DID).map(|d| d.is_online), Some(false));
        assert_eq!(p.device(DISABLED_DID).map(|d| d.is_disabled), Some(true));
        assert!(p2.device(SECOND_DEVICE_DID).is_some());
        assert_eq!(p.device(DEVICE_DID).map(|d| d.bindings[USER_UID].clone()), Some((APP_ID.to_owned(), true)));
        assert_eq!(st.users[OTHER_UID].created_at, 1_000_000_000 - 2 * 86_400);
        let bulk = bulk_device(&st, 5, 1_000_000_000).unwrap();
        assert_eq!((bulk.city.as_str(), bulk.mac.as_str()), ("Beijing", "02:00:00:00:00:05"));
    }
}
