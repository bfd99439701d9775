//! The outcome classes of an ISAPI call: `statusCode` of `ResponseStatus` (1 OK ... 7 Reboot
//! Required), and [`SubStatusCode`], what a vendor crate's typed `subStatusCode` offers the shared
//! models.

use std::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::Serialize;
use watchpost_core::ErrorClass;

watchpost_core::open_int_enum! {
    /// `statusCode` of `JSON_ResponseStatus`: the class of the outcome (A.2).
    StatusCode {
        /// 1: OK.
        Ok = 1,
        /// 2: Device Busy.
        DeviceBusy = 2,
        /// 3: Device Error.
        DeviceError = 3,
        /// 4: Invalid Operation.
        InvalidOperation = 4,
        /// 5: Invalid Message Format.
        InvalidMessageFormat = 5,
        /// 6: Invalid Message Content.
        InvalidMessageContent = 6,
        /// 7: Reboot Required (the change succeeded and takes effect after a reboot).
        RebootRequired = 7,
    }
}

impl StatusCode {
    /// Whether the status means the request succeeded (1, or 7 = succeeded, reboot required).
    pub fn is_success(self) -> bool {
        matches!(self, StatusCode::Ok | StatusCode::RebootRequired)
    }

    /// The seed's name for the status code.
    pub fn description(self) -> &'static str {
        match self {
            StatusCode::Ok => "OK",
            StatusCode::DeviceBusy => "Device Busy",
            StatusCode::DeviceError => "Device Error",
            StatusCode::InvalidOperation => "Invalid Operation",
            StatusCode::InvalidMessageFormat => "Invalid Message Format",
            StatusCode::InvalidMessageContent => "Invalid Message Content",
            StatusCode::RebootRequired => "Reboot Required",
            StatusCode::Other(_) => "unknown status code",
        }
    }

    /// The retry class of a failure with this status when the sub-status is unknown.
    pub fn class(self) -> ErrorClass {
        match self {
            StatusCode::DeviceBusy | StatusCode::DeviceError => ErrorClass::Retryable,
            _ => ErrorClass::Permanent,
        }
    }
}

/// A typed `subStatusCode`: the Device Gateway crate has the whole table of its seed (generated
/// from its spec); a crate without a table uses [`String`], the name as sent.
pub trait SubStatusCode: Clone + Debug + PartialEq + Serialize + DeserializeOwned {
    /// `ok`.
    fn ok() -> Self;
    /// `rebootRequired`.
    fn reboot_required() -> Self;
    /// The name as sent (`badParameters`).
    fn name(&self) -> &str;
    /// The sub-status of a status body: by name when there is one, else by error code.
    fn resolve(name: Option<&str>, error_code: Option<u64>) -> Self;
    /// The status code this sub-status belongs to, when known.
    fn status_code(&self) -> Option<StatusCode>;
    /// The error code of this sub-status, when known.
    fn error_code(&self) -> Option<u64>;
    /// The documented description, when known.
    fn known_description(&self) -> Option<&'static str>;
    /// Whether the sub-status means the request succeeded.
    fn is_success(&self) -> bool;
}

/// A sub-status known by its name only (`ok`, `rebootRequired` and `riskPassword` are successes).
impl SubStatusCode for String {
    fn ok() -> Self {
        "ok".to_owned()
    }

    fn reboot_required() -> Self {
        "rebootRequired".to_owned()
    }

    fn name(&self) -> &str {
        self
    }

    fn resolve(name: Option<&str>, error_code: Option<u64>) -> Self {
        match (name.map(str::trim).filter(|n| !n.is_empty()), error_code) {
            (Some(n), _) => n.to_owned(),
            (None, Some(c)) => format!("0x{c:X}"),
            (None, None) => String::new(),
        }
    }

    fn status_code(&self) -> Option<StatusCode> {
        None
    }

    fn error_code(&self) -> Option<u64> {
        None
    }

    fn known_description(&self) -> Option<&'static str> {
        None
    }

    fn is_success(&self) -> bool {
        matches!(self.as_str(), "ok" | "OK" | "riskPassword" | "rebootRequired")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_codes_classify_outcomes() {
        assert!(StatusCode::Ok.is_success() && StatusCode::RebootRequired.is_success());
        assert!(!StatusCode::DeviceBusy.is_success());
        assert_eq!(StatusCode::DeviceBusy.class(), ErrorClass::Retryable);
        assert_eq!(StatusCode::InvalidMessageContent.class(), ErrorClass::Permanent);
        assert_eq!(StatusCode::from_value(6).description(), "Invalid Message Content");
    }

    #[test]
    fn a_name_only_sub_status_resolves_by_name_then_code() {
        assert_eq!(<String as SubStatusCode>::resolve(Some(" badParameters "), Some(1)), "badParameters");
        assert_eq!(<String as SubStatusCode>::resolve(None, Some(0x6000_0001)), "0x60000001");
        assert!(SubStatusCode::is_success(&"rebootRequired".to_owned()));
        assert!(!SubStatusCode::is_success(&"badParameters".to_owned()));
    }
}
