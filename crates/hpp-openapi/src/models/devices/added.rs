//! The answer of device/add (3.18): one outcome per device, never one error for the batch.

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;

use super::listing::DeviceCategory;
use crate::models::common::{ItemFailure, ItemOutcome};

/// What device/add did with each device: `data{addSuccessList, addFailedList}`.
///
/// The call succeeds as a whole even when some (or all) devices failed; each failure carries its
/// reason and the code inside it (`"add Exception{LAP006001}"`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddDevicesResult {
    /// The devices added (possibly none).
    #[serde(default)]
    pub add_success_list: Vec<AddedDevice>,
    /// The devices that could not be added (possibly none).
    #[serde(default)]
    pub add_failed_list: Vec<FailedDevice>,
}

impl AddDevicesResult {
    /// One outcome per device, keyed by serial number: the added ones first, then the failed
    /// ones, each with its reason and code.
    pub fn outcomes(&self) -> Vec<ItemOutcome<String>> {
        let done = self.add_success_list.iter().map(|d| ItemOutcome::Done(d.device_serial.clone()));
        let failed = self.add_failed_list.iter().map(|d| ItemOutcome::Failed(d.device_serial.clone(), d.failure()));
        done.chain(failed).collect()
    }

    /// Whether every device was added.
    pub fn all_added(&self) -> bool {
        self.add_failed_list.is_empty()
    }
}

/// A device device/add added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AddedDevice {
    /// Device serial number.
    #[serde(default, with = "lenient::string")]
    pub device_serial: String,
    /// Device name.
    #[serde(default)]
    pub device_name: Option<String>,
    /// Device type (text here, `"0"`; a number in device/list).
    #[serde(default)]
    pub device_category: Option<DeviceCategory>,
}

/// A device device/add could not add.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedDevice {
    /// Device serial number.
    #[serde(default, with = "lenient::string")]
    pub device_serial: String,
    /// Cause of failure as the platform wrote it, e.g. `"add Exception{LAP006001}"`.
    #[serde(default, with = "lenient::string")]
    pub fail_reason: String,
}

impl FailedDevice {
    /// The failure, with the code found in the reason (`LAP006001` in
    /// `"add Exception{LAP006001}"`) when there is one.
    pub fn failure(&self) -> ItemFailure {
        ItemFailure::from_text(self.fail_reason.clone())
    }
}
