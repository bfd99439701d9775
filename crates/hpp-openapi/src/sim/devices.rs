//! Simulator state and handlers of the `devices` part of the API (3.18-3.22, 3.25-3.32, 3.52).
//!
//! Two collections, as on the platform: the **registry** of devices that exist (serial,
//! verification code, type; filled by [`Simulator::register_device`]) and the **account**'s
//! devices, added to sites with device/add or directly with [`Simulator::seed_devices`]. Each
//! added device has its channels, a PIN, and an upgrade whose progress follows the simulator
//! clock (tokio's, so a paused test clock drives it). A device taken offline with
//! [`Simulator::set_offline`] is listed offline and answers EVZ20007 to what must reach it.
//!
//! The registry starts with four sample devices, each with verification code `ABCDEF`:
//! `Q01728482` (AX Hybrid Pro panel), `427734222` (NVR, 4 channels), `S00000001` (solar camera)
//! and `H00000001` (first-generation panel, upgraded with user name and password).
//!
//! Other parts look devices up through [`State::device`] and add them with [`State::add_device`].

mod handlers;
mod model;

pub(crate) use handlers::*;
pub use model::SimDevice;
pub(crate) use model::State;

use crate::models::devices::{DeviceCategory, DeviceSubCategory};

use super::Simulator;

/// Test hooks of the devices part.
impl Simulator {
    /// The serials of the devices every simulator's registry starts with (verification code
    /// `ABCDEF`).
    pub fn sample_devices() -> Vec<&'static str> {
        model::SAMPLE_DEVICES.iter().map(|d| d.0).collect()
    }

    /// Registers a device that exists (so device/add accepts it with `validate_code`).
    pub fn register_device(
        &self,
        serial: &str,
        validate_code: &str,
        category: DeviceCategory,
        sub_category: DeviceSubCategory,
    ) {
        self.sim().state().devices.register(serial, validate_code, category, sub_category);
    }

    /// Registers and adds `count` cameras to `site_id` at once (serials `{prefix}00000`,
    /// `{prefix}00001`, ... of at most 9 characters); returns their serials.
    pub fn seed_devices(&self, site_id: &str, prefix: &str, count: usize) -> Vec<String> {
        let mut state = self.sim().state();
        (0..count)
            .filter_map(|i| {
                let serial = format!("{prefix}{i:05}");
                state.devices.register(&serial, "ABCDEF", DeviceCategory::Ipc, DeviceSubCategory::Unknown);
                state.devices.add_device(site_id, &serial, "ABCDEF").ok().map(|d| d.serial.clone())
            })
            .collect()
    }

    /// A copy of an added device, as the simulator holds it.
    pub fn device(&self, serial: &str) -> Option<SimDevice> {
        self.sim().state().devices.device(serial).cloned()
    }

    /// Whether the end user's device permission is enabled for a site (device/cloud/enable);
    /// `None` before any call for it.
    pub fn cloud_enabled(&self, site_id: &str) -> Option<bool> {
        self.sim().state().devices.cloud.get(site_id).copied()
    }
}
