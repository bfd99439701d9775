//! Hot spare (sections 3.53 to 3.61) and the VAS ops pack.
//!
//! An ARC runs a host and up to three spares, each identified by a UUID (at most 128
//! characters). The host registers first (`hotspare/add` with [`SpareRole::Host`]), sends a
//! heartbeat every minute and uploads its configuration file (at most 2 MB) whenever it changes;
//! a spare registers with its number, sends its own heartbeat (whose answer tells it how long ago
//! every device last beat), polls `hotspare/file/get` and downloads a newer file through
//! `hotspare/file/downloadurl`.
//!
//! The documented limits (the `MAX_*` constants) are checked before anything is sent, as
//! [`Error::InvalidInput`].

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use watchpost_core::codec::lenient;
use watchpost_core::{Error, Result};

/// Largest hot spare file: 2 MB (L613, L4341).
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// Longest hot spare device UUID: 128 characters (L4220).
pub const MAX_UUID: usize = 128;
/// Most spare devices: 3 (L4214).
pub const MAX_SPARES: usize = 3;
/// Local maintenance packages per activation: 1 to 10 (L4474).
pub const MAX_OPSPACK_NUM: u64 = 10;

watchpost_core::open_int_enum! {
    /// A hot spare device's role (`type`).
    SpareRole {
        /// 0: the host device (configured first).
        Host = 0,
        /// 1: spare device No. 1.
        Spare1 = 1,
        /// 2: spare device No. 2.
        Spare2 = 2,
        /// 3: spare device No. 3.
        Spare3 = 3,
    }
}

impl SpareRole {
    /// Whether this is the host.
    pub fn is_host(self) -> bool {
        self == SpareRole::Host
    }
}

watchpost_core::open_str_enum! {
    /// How `hotspare/delete` picks the devices (`deleteMode`).
    DeleteMode {
        /// `"all"`: every hot spare device of the key.
        All = "all",
        /// `"list"`: the devices of `list`.
        List = "list",
    }
}

watchpost_core::open_int_enum! {
    /// A maintenance package type (`opspackType`).
    OpspackType {
        /// 1: yearly package for every type of device.
        AllDevicesYearly = 1,
        /// 2: yearly package for network cameras.
        CamerasYearly = 2,
    }
}

/// One configured hot spare device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HotSpare {
    /// The device's UUID (the example of 3.56 sends it with a leading space: trimmed).
    #[serde(deserialize_with = "trimmed")]
    pub uuid: String,
    /// Host or spare number.
    #[serde(rename = "type")]
    pub role: SpareRole,
}

/// The `data` of `hotspare/get`: the configured devices.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HotSpareList {
    /// The devices.
    #[serde(default)]
    pub list: Vec<HotSpare>,
}

impl HotSpareList {
    /// The host, when one is configured.
    pub fn host(&self) -> Option<&HotSpare> {
        self.list.iter().find(|d| d.role.is_host())
    }
}

/// One device's heartbeat state, as `hotspare/heartbeat` answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Heartbeat {
    /// The device's UUID.
    #[serde(deserialize_with = "trimmed")]
    pub uuid: String,
    /// Host or spare number.
    #[serde(rename = "type")]
    pub role: SpareRole,
    /// Milliseconds between the device's last heartbeat and the server's time, as sent (the
    /// seed's example shows an epoch instead, L4326; how long a host may be silent before a spare
    /// takes over is the caller's choice, the seed gives no threshold).
    #[serde(default, with = "lenient::int")]
    pub time_lag: i64,
}

/// The `data` of `hotspare/heartbeat`: every device's heartbeat state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HeartbeatList {
    /// The devices.
    #[serde(default)]
    pub list: Vec<Heartbeat>,
}

impl HeartbeatList {
    /// The host's state, when the host is configured.
    pub fn host(&self) -> Option<&Heartbeat> {
        self.list.iter().find(|d| d.role.is_host())
    }
}

/// The `data` of `hotspare/file/upload`: where the file was stored.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UploadedFile {
    /// The file's key, for `hotspare/file/downloadurl` and `hotspare/file/delete`.
    #[serde(default, with = "lenient::string")]
    pub key: String,
}

/// The `data` of `hotspare/file/downloadurl`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DownloadUrl {
    /// Where to download the file.
    #[serde(default, with = "lenient::string")]
    pub url: String,
}

/// One uploaded hot spare file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SpareFile {
    /// The file's key.
    #[serde(default, with = "lenient::string")]
    pub key: String,
    /// When the file was last modified: epoch milliseconds (the example's key has a trailing
    /// space, `"lastModifiedTime "`, L4422).
    #[serde(default, alias = "lastModifiedTime ", with = "lenient::int")]
    pub last_modified_time: i64,
}

/// The `data` of `hotspare/file/get`: the uploaded files.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FileList {
    /// The files.
    #[serde(default)]
    pub list: Vec<SpareFile>,
}

impl FileList {
    /// The most recently modified file, which a spare compares with its local copy.
    pub fn newest(&self) -> Option<&SpareFile> {
        self.list.iter().max_by_key(|f| f.last_modified_time)
    }
}

/// Text (a string or a number), trimmed.
fn trimmed<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    lenient::string::deserialize(d).map(|s| s.trim().to_owned())
}

/// Checks the JSON body of an operation of this chapter; other operations pass. The file
/// upload's 2 MB are checked while the file is read (`Client::upload_hot_spare_file`).
///
/// # Errors
/// [`Error::InvalidInput`] naming the operation and the first member out of its limits.
pub(crate) fn check(op: &str, body: &Value) -> Result<()> {
    let checked = match op {
        "hotspare.add" => uuid(body.get("uuid")).and_then(|()| role(body)),
        "hotspare.heartbeat" => uuid(body.get("uuid")),
        "hotspare.delete" => delete(body),
        "hotspare.file.downloadurl" | "hotspare.file.delete" => match body.get("key").and_then(Value::as_str) {
            Some(k) if !k.trim().is_empty() => Ok(()),
            _ => Err("key is required and must not be empty".to_owned()),
        },
        "vas.opspack.active" => opspack(body),
        _ => Ok(()),
    };
    checked.map_err(|m| Error::invalid_input(op, m))
}

type Check = std::result::Result<(), String>;

/// A UUID of 1 to 128 characters.
fn uuid(value: Option<&Value>) -> Check {
    match value.and_then(Value::as_str).map(str::trim) {
        Some(u) if !u.is_empty() && u.chars().count() <= MAX_UUID => Ok(()),
        _ => Err(format!("uuid must be 1 to {MAX_UUID} characters")),
    }
}

/// `type` 0 (host) to 3 (spare No. 3).
fn role(body: &Value) -> Check {
    match body.get("type").and_then(Value::as_i64) {
        Some(0..=3) => Ok(()),
        other => Err(format!("type must be 0 (host) or 1 to {MAX_SPARES} (spare No.), got {other:?}")),
    }
}

/// Mode "all" or "list"; in mode "list" at least one valid UUID.
fn delete(body: &Value) -> Check {
    let list = body.get("list").and_then(Value::as_array);
    match body.get("deleteMode").and_then(Value::as_str) {
        Some("all") => Ok(()),
        Some("list") => {
            let list = list.filter(|l| !l.is_empty()).ok_or("list must name at least one uuid in mode \"list\"")?;
            list.iter().try_for_each(|u| uuid(Some(u)))
        }
        other => Err(format!("deleteMode must be \"all\" or \"list\", got {other:?}")),
    }
}

/// A device, `opspackType` 1 or 2 and `num` 1 to 10 when given.
fn opspack(body: &Value) -> Check {
    match body.get("deviceSerial").and_then(Value::as_str) {
        Some(s) if !s.trim().is_empty() => {}
        _ => return Err("deviceSerial is required and must not be empty".to_owned()),
    }
    if let Some(n) = body.get("num") {
        match n.as_u64() {
            Some(1..=MAX_OPSPACK_NUM) => {}
            _ => return Err(format!("num must be 1 to {MAX_OPSPACK_NUM}, got {n}")),
        }
    }
    if let Some(t) = body.get("opspackType") {
        if !matches!(t.as_i64(), Some(1 | 2)) {
            return Err(format!("opspackType must be 1 (all devices) or 2 (network cameras), got {t}"));
        }
    }
    Ok(())
}

mod upload;

#[cfg(test)]
mod tests;
