//! Typed models for every `JSON_*` message of Chapter 9 (the event messages 9.10-9.14 live in
//! [`crate::events`]).
//!
//! Conventions:
//! - One `…Msg` struct per message holds its root member (`DeviceInfoMsg { device_info }` is
//!   `{"DeviceInfo": {...}}`); the flat messages (`ResponseStatus`, `AuthenticationFailed`) have
//!   none.
//! - Every member has an explicit `#[serde(rename)]`: the seed's naming rule (leaves lowerCamel,
//!   others UpperCamel) is broken by `userCheck`, `EhomeID`, `CIDCode`, `UUID`, `ISAPIUserBound`...
//! - Tolerant readers: unknown members are ignored, anything a device may omit is an `Option`,
//!   numbers and booleans are read from strings too, list items are read wrapped
//!   (`[{"Dev": {...}}]`, as documented) or bare, and a single object is read as a one-item list.
//! - Strict writers: requests are written exactly as documented; `None` members are left out.
//! - Documented value sets are enums with an `Other(String)` arm that keeps what a device sent.

//!
//! The ISAPI resources Hik-Partner Pro's pass-through also carries (security control panel, time,
//! IO ports, network, `ResponseStatus`) live in the shared crate `watchpost-isapi` and are
//! re-exported here; the status models are fixed to this crate's typed [`SubStatus`] (table A.2).

mod device;
mod subscribe;

pub use device::*;
pub use subscribe::*;
// The generic status models are shadowed below by their aliases with this crate's sub-status.
pub use watchpost_isapi::models::*;
// The gateway's own `JSON_DeviceInfo` (9.3), not the device's `XML_DeviceInfo` of the shared crate.
pub use device::DeviceInfo;

use crate::error::SubStatus;

/// `JSON_ResponseStatus` (9.23) with this crate's typed sub-status (see [`watchpost_isapi::models::ResponseStatus`]).
pub type ResponseStatus = watchpost_isapi::models::ResponseStatus<SubStatus>;
/// `JSON_ResponseStatus_AuthenticationFailed` (9.24) with this crate's typed sub-status.
pub type AuthenticationFailed = watchpost_isapi::models::AuthenticationFailed<SubStatus>;
/// One item of `JSON_ErrorList` (9.9) with this crate's typed sub-status.
pub type ErrorItem = watchpost_isapi::models::ErrorItem<SubStatus>;
/// `JSON_ErrorList` (9.9) with this crate's typed sub-status.
pub type ErrorListMsg = watchpost_isapi::models::ErrorListMsg<SubStatus>;
/// One failed item of a batch, with this crate's typed sub-status.
pub type BatchFailure<T> = watchpost_isapi::models::BatchFailure<T, SubStatus>;
/// The per-item outcome of a batch call, with this crate's typed sub-status.
pub type BatchOutcome<T> = watchpost_isapi::models::BatchOutcome<T, SubStatus>;
/// The status members that may accompany a batch list, with this crate's typed sub-status.
pub type BatchStatus = watchpost_isapi::models::BatchStatus<SubStatus>;
/// The answer of `control/outputs` (8.4.6), with this crate's typed sub-status.
pub type OutputsCtrlResponse = watchpost_isapi::models::OutputsCtrlResponse<SubStatus>;

/// The shared models read this crate's sub-status table through its inherent methods.
impl watchpost_isapi::SubStatusCode for SubStatus {
    fn ok() -> Self {
        SubStatus::Ok
    }

    fn reboot_required() -> Self {
        SubStatus::RebootRequired
    }

    fn name(&self) -> &str {
        SubStatus::name(self)
    }

    fn resolve(name: Option<&str>, error_code: Option<u64>) -> Self {
        SubStatus::resolve(name, error_code)
    }

    fn status_code(&self) -> Option<crate::StatusCode> {
        SubStatus::status_code(self)
    }

    fn error_code(&self) -> Option<u64> {
        SubStatus::error_code(self)
    }

    fn known_description(&self) -> Option<&'static str> {
        SubStatus::known_description(self)
    }

    fn is_success(&self) -> bool {
        SubStatus::is_success(self)
    }
}
