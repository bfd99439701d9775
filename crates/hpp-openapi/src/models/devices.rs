//! Devices (sections 3.18 to 3.22, 3.25 to 3.32, 3.52): add, delete, update, list, cameras, upgrade, pincode, cloud, IoT ability, wake-up, video by time.
//!
//! - [`input`]: the documented limits (deviceSerial 1-9 characters, validateCode 1-18, siteId
//!   1-48, ...): checked on every request of this part before it is sent, and by the value types
//!   of device/add's list ([`NewDevice`], [`DeviceSerial`], [`ValidateCode`], ...) when built. A
//!   value out of range is `Error::InvalidInput` and nothing is sent.
//! - [`added`]: the answer of device/add, one [`ItemOutcome`](crate::ItemOutcome) per device.
//! - [`listing`]: devices, cameras and recorded files.
//! - [`maintenance`]: upgrade state and progress, PIN code, object-model (IoT) adding, wake-up.

pub mod added;
pub mod input;
pub mod listing;
pub mod maintenance;

pub use added::{AddDevicesResult, AddedDevice, FailedDevice};
pub(crate) use input::{check, CHECKED_OPS};
pub use input::{DeviceId, DeviceName, DeviceSerial, ExtendInfo, NewDevice, NewDevices, SiteId, ValidateCode};
pub use listing::{
    Camera, ChannelShare, ChannelStatus, Device, DeviceCategory, DeviceSubCategory, OnlineStatus, RecordFile,
    RecordFileType, RecordSource, VideoLevel,
};
pub use maintenance::{
    DevicePin, IotAbility, IotAddResult, Pin, UpgradeProgress, UpgradeResult, UpgradeState, UpgradeStatus, WakeUp,
};

#[cfg(test)]
mod seed_examples;
