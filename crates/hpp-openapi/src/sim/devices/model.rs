//! What the devices part remembers, and the rules of its state (no HTTP here).

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use watchpost_core::clock::unix_now;

use crate::error::HppCode;
use crate::models::devices::{DeviceCategory, DeviceSubCategory, UpgradeStatus};

/// How long a simulated upgrade takes, start to finish.
pub(crate) const UPGRADE_TIME: Duration = Duration::from_secs(60);
/// PIN queries allowed per device in [`PIN_WINDOW`] (L3021).
pub(crate) const PIN_QUOTA: usize = 100;
/// The window of the PIN quota.
pub(crate) const PIN_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// The firmware of a device with an upgrade available, and after it.
const OLD_VERSION: &str = "V1.0.0 build 200101";
const NEW_VERSION: &str = "V2.0.0 build 240101";

/// A device that exists (may be added with its verification code).
#[derive(Debug, Clone)]
pub(crate) struct Registered {
    pub(crate) validate_code: String,
    pub(crate) category: DeviceCategory,
    pub(crate) sub_category: DeviceSubCategory,
}

/// An upgrade under way (or over), timed by the simulator clock.
#[derive(Debug, Clone)]
pub(crate) struct Upgrade {
    /// Unix time it started.
    pub(crate) started: Duration,
}

impl Upgrade {
    /// The step and percentage at `now`.
    pub(crate) fn at(&self, now: Duration) -> (UpgradeStatus, u32) {
        let elapsed = now.saturating_sub(self.started);
        let secs = elapsed.as_secs();
        let percent = u32::try_from((elapsed.as_millis() * 100 / UPGRADE_TIME.as_millis()).min(100)).unwrap_or(100);
        let status = match secs {
            0..=1 => UpgradeStatus::Started,
            2..=29 => UpgradeStatus::Downloading,
            30..=31 => UpgradeStatus::Downloaded,
            32..=49 => UpgradeStatus::Burning,
            50..=51 => UpgradeStatus::Burned,
            52..=59 => UpgradeStatus::Rebooting,
            _ => UpgradeStatus::Finished,
        };
        (status, percent)
    }
}

/// A device of the account.
#[derive(Debug, Clone)]
pub struct SimDevice {
    /// Device ID (`id` of device/list).
    pub id: String,
    /// Serial number.
    pub serial: String,
    /// Name.
    pub name: String,
    /// Site it belongs to.
    pub site_id: String,
    /// Type.
    pub category: DeviceCategory,
    /// Sub type.
    pub sub_category: DeviceSubCategory,
    /// Extended information.
    pub extend_info: Option<String>,
    /// Whether a solar camera is awake.
    pub awake: bool,
    /// Firmware version.
    pub version: String,
    /// Its PIN code (device/pincode/query).
    pub pin: String,
    /// Channels (cameras), numbered from 1.
    pub channels: u32,
    /// Unix time it was added.
    pub added_at: Duration,
    /// Its upgrade, once started.
    pub(crate) upgrade: Option<Upgrade>,
}

impl SimDevice {
    /// Whether a later firmware is available (none once an upgrade finished).
    pub fn upgrade_available(&self) -> bool {
        self.version == OLD_VERSION
    }
}

/// Devices every simulator starts with in its registry (serial, verification code, type, sub
/// type), so that device/add works from the command line at once.
pub(crate) const SAMPLE_DEVICES: &[(&str, &str, DeviceCategory, DeviceSubCategory)] = &[
    ("Q01728482", "ABCDEF", DeviceCategory::AlarmHost, DeviceSubCategory::AxHybridPro),
    ("427734222", "ABCDEF", DeviceCategory::Nvr, DeviceSubCategory::Nvr),
    ("S00000001", "ABCDEF", DeviceCategory::Ipc, DeviceSubCategory::SolarCamera),
    ("H00000001", "ABCDEF", DeviceCategory::AlarmHost, DeviceSubCategory::Unknown),
];

/// The simulator's `devices` state.
#[derive(Debug)]
pub(crate) struct State {
    /// Devices that exist, by serial.
    registry: BTreeMap<String, Registered>,
    /// The account's devices, in the order they were added.
    devices: Vec<SimDevice>,
    /// Devices added so far (for IDs).
    added: u64,
    /// device/cloud/enable per site.
    pub(crate) cloud: BTreeMap<String, bool>,
    /// Times of the PIN queries of each device within the quota window.
    pins: BTreeMap<String, VecDeque<Duration>>,
}

impl Default for State {
    fn default() -> Self {
        let mut state = State {
            registry: BTreeMap::new(),
            devices: Vec::new(),
            added: 0,
            cloud: BTreeMap::new(),
            pins: BTreeMap::new(),
        };
        for (serial, code, category, sub) in SAMPLE_DEVICES {
            state.register(serial, code, *category, *sub);
        }
        state
    }
}

/// Channels of a device of a type.
fn channels_of(category: DeviceCategory) -> u32 {
    match category {
        DeviceCategory::Nvr => 4,
        DeviceCategory::Ipc | DeviceCategory::IpDome | DeviceCategory::ThermalCamera | DeviceCategory::Doorbell => 1,
        _ => 0,
    }
}

impl State {
    /// Registers a device that exists (replacing an earlier registration).
    pub(crate) fn register(&mut self, serial: &str, code: &str, category: DeviceCategory, sub: DeviceSubCategory) {
        let r = Registered { validate_code: code.to_owned(), category, sub_category: sub };
        self.registry.insert(serial.to_owned(), r);
    }

    /// A registered device.
    pub(crate) fn registered(&self, serial: &str) -> Option<&Registered> {
        self.registry.get(serial)
    }

    /// The account's device with this serial.
    pub(crate) fn device(&self, serial: &str) -> Option<&SimDevice> {
        self.devices.iter().find(|d| d.serial == serial)
    }

    /// The account's device with this serial, to change.
    pub(crate) fn device_mut(&mut self, serial: &str) -> Option<&mut SimDevice> {
        self.devices.iter_mut().find(|d| d.serial == serial)
    }

    /// The account's device with this ID, to change.
    pub(crate) fn device_by_id_mut(&mut self, id: &str) -> Option<&mut SimDevice> {
        self.devices.iter_mut().find(|d| d.id == id)
    }

    /// The account's devices in the order they were added.
    pub(crate) fn devices(&self) -> &[SimDevice] {
        &self.devices
    }

    /// Adds a registered device to a site: LAP006008 when the serial is already added,
    /// LAP006002 when no such device exists, EVZ20010 for a wrong verification code.
    pub(crate) fn add_device(&mut self, site_id: &str, serial: &str, code: &str) -> Result<&SimDevice, HppCode> {
        if self.device(serial).is_some() {
            return Err(HppCode::SerialAlreadyExists);
        }
        let reg = self.registry.get(serial).ok_or(HppCode::UnknownDevice)?;
        if reg.validate_code != code {
            return Err(HppCode::IncorrectVerificationCode);
        }
        let (category, sub_category) = (reg.category, reg.sub_category);
        self.added += 1;
        let index = self.devices.len();
        self.devices.push(SimDevice {
            id: format!("dev{:016x}", self.added),
            serial: serial.to_owned(),
            name: format!("Device {serial}"),
            site_id: site_id.to_owned(),
            category,
            sub_category,
            extend_info: None,
            awake: false,
            version: OLD_VERSION.to_owned(),
            pin: format!("{:06}", self.added.wrapping_mul(7919) % 1_000_000),
            channels: channels_of(category),
            added_at: unix_now(),
            upgrade: None,
        });
        self.devices.get(index).ok_or(HppCode::SystemException)
    }

    /// Deletes the device with this ID; false when there is none.
    pub(crate) fn delete(&mut self, id: &str) -> bool {
        let before = self.devices.len();
        self.devices.retain(|d| d.id != id);
        self.devices.len() != before
    }

    /// Counts a PIN query of `serial` now: false when the quota of the window is used up.
    pub(crate) fn take_pin_query(&mut self, serial: &str, now: Duration) -> bool {
        let times = self.pins.entry(serial.to_owned()).or_default();
        while times.front().is_some_and(|t| now.saturating_sub(*t) >= PIN_WINDOW) {
            times.pop_front();
        }
        if times.len() >= PIN_QUOTA {
            return false;
        }
        times.push_back(now);
        true
    }

    /// Brings the device's upgrade up to `now`: a finished upgrade installs the new firmware.
    pub(crate) fn settle_upgrade(&mut self, serial: &str, now: Duration) {
        if let Some(d) = self.device_mut(serial) {
            if let Some(u) = &d.upgrade {
                if u.at(now).0 == UpgradeStatus::Finished {
                    NEW_VERSION.clone_into(&mut d.version);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upgrade_walks_its_steps_with_the_clock() {
        let u = Upgrade { started: Duration::from_secs(1000) };
        assert_eq!(u.at(Duration::from_secs(1000)), (UpgradeStatus::Started, 0));
        assert_eq!(u.at(Duration::from_secs(1010)).0, UpgradeStatus::Downloading);
        assert_eq!(u.at(Duration::from_secs(1040)).0, UpgradeStatus::Burning);
        assert_eq!(u.at(Duration::from_secs(1055)).0, UpgradeStatus::Rebooting);
        assert_eq!(u.at(Duration::from_secs(1060)), (UpgradeStatus::Finished, 100));
        assert_eq!(u.at(Duration::from_secs(5000)), (UpgradeStatus::Finished, 100));
        // A clock that went back reads as just started.
        assert_eq!(u.at(Duration::from_secs(10)), (UpgradeStatus::Started, 0));
    }

    #[test]
    fn the_pin_quota_is_100_per_device_per_24_hours() {
        let mut s = State::default();
        let t0 = Duration::from_secs(1_000_000);
        for _ in 0..PIN_QUOTA {
            assert!(s.take_pin_query("A", t0));
        }
        assert!(!s.take_pin_query("A", t0 + Duration::from_secs(3600)));
        assert!(s.take_pin_query("B", t0), "per device");
        assert!(s.take_pin_query("A", t0 + PIN_WINDOW), "the window slides");
    }

    #[test]
    fn adding_checks_registry_code_and_duplicates() {
        let mut s = State::default();
        assert_eq!(s.add_device("site", "Q1", "c").err(), Some(HppCode::UnknownDevice));
        s.register("Q1", "c", DeviceCategory::Nvr, DeviceSubCategory::Nvr);
        assert_eq!(s.add_device("site", "Q1", "x").err(), Some(HppCode::IncorrectVerificationCode));
        let d = s.add_device("site", "Q1", "c").unwrap();
        assert_eq!(d.channels, 4);
        let id = d.id.clone();
        assert_eq!(s.add_device("site", "Q1", "c").err(), Some(HppCode::SerialAlreadyExists));
        assert!(s.delete(&id));
        assert!(s.device("Q1").is_none());
        assert!(s.add_device("site", "Q1", "c").is_ok(), "a deleted device can be added again");
    }
}
