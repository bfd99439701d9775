//! Typed status codes of `JSON_ResponseStatus` (9.23, A.2) and their mapping to
//! [`watchpost_core::Error`].
//!
//! A failed call answers `{statusCode, statusString, subStatusCode, errorCode, errorMsg}`.
//! [`StatusCode`] is the class (1 OK ... 7 Reboot Required) and [`SubStatus`] the precise reason:
//! every sub-status of table A.2 with its error code, description and
//! [`ErrorClass`], plus `Other` for codes the seed does not define
//! (it cites `0x400000a0`, `0x60000004`-`0x60000007` and `0x60000010` without defining them).
//! Sub-statuses are matched by name first (the stable part), then by error code.
//!
//! A classified error is a plain [`watchpost_core::Error`] whose `vendor_code()` is the
//! sub-status name; [`HikStatusExt`] reads the typed status back ([`HikErrorExt`], generated
//! with the sub-status table from `spec/hikgw.toml`, the sub-status alone):
//!
//! ```
//! use hik_gateway::{HikStatusExt, StatusCode, SubStatus};
//! let err = hik_gateway::error::status_error(
//!     "device.info.get",
//!     Some(200),
//!     &serde_json::from_str(r#"{"statusCode":6,"statusString":"Invalid Content",
//!         "subStatusCode":"badParameters","errorCode":1610612737,"errorMsg":"bad"}"#)?,
//! );
//! assert_eq!(err.sub_status(), Some(SubStatus::BadParameters));
//! let status = err.hik_status().unwrap();
//! assert_eq!(status.status_code, Some(StatusCode::InvalidMessageContent));
//! assert_eq!(status.error_code, Some(0x6000_0001));
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::time::Duration;

use watchpost_core::{Error, ErrorClass, LockoutInfo};

use crate::models::{AuthLockStatus, ResponseStatus, UserCheck, UserLockStatus};

pub use watchpost_isapi::StatusCode;

pub use crate::generated::codes::{code_class, code_max_attempts, code_safe_to_retry, HikErrorExt, SubStatus};

impl SubStatus {
    /// The name as the gateway sends it (the seed's misspellings included): [`SubStatus::as_str`].
    pub fn name(&self) -> &str {
        self.as_str()
    }
}

/// The typed status carried by a classified [`watchpost_core::Error`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HikStatus {
    /// `statusCode`, when the body had one.
    pub status_code: Option<StatusCode>,
    /// `subStatusCode` (or the sub-status found by `errorCode`).
    pub sub_status: SubStatus,
    /// `errorCode` as a number (the body may send it as a number, hex literal or string).
    pub error_code: Option<u64>,
}

/// Typed Hikvision status information on [`watchpost_core::Error`] (the whole status; the
/// generated [`HikErrorExt`] gives the sub-status alone).
pub trait HikStatusExt {
    /// The status the gateway returned, when the error came from a `JSON_ResponseStatus`
    /// (or an authentication-failure body).
    fn hik_status(&self) -> Option<HikStatus>;

    /// The sub-status, when the error came from a status body.
    fn sub_status(&self) -> Option<SubStatus> {
        self.hik_status().map(|s| s.sub_status)
    }
}

const DETAIL_OPEN: &str = " [statusCode=";

impl HikStatusExt for Error {
    fn hik_status(&self) -> Option<HikStatus> {
        let code = self.vendor_code()?;
        let message = self.vendor_message().unwrap_or("");
        let detail = message.rfind(DETAIL_OPEN).map(|i| &message[i + DETAIL_OPEN.len()..])?;
        let detail = detail.strip_suffix(']')?;
        let mut parts = detail.split(", errorCode=");
        let status_code = parts.next().and_then(|s| s.parse::<i64>().ok()).map(StatusCode::from_value);
        let error_code = parts.next().and_then(parse_error_code);
        Some(HikStatus { status_code, sub_status: SubStatus::from_code(code), error_code })
    }
}

/// Reads an error code from decimal or `0x` hex text.
pub(crate) fn parse_error_code(text: &str) -> Option<u64> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => t.parse().ok(),
    }
}

/// Formats the vendor message of a classified error: the gateway's text followed by the
/// numeric codes that [`HikStatusExt::hik_status`] reads back.
fn vendor_message(text: Option<&str>, status_code: Option<StatusCode>, error_code: Option<u64>) -> String {
    let text = text.unwrap_or("");
    let status = status_code.map_or_else(|| "?".to_owned(), |s| s.value().to_string());
    match error_code {
        Some(c) => format!("{text}{DETAIL_OPEN}{status}, errorCode=0x{c:X}]"),
        None => format!("{text}{DETAIL_OPEN}{status}]"),
    }
}

/// The lock-out members of `JSON_ResponseStatus_AuthenticationFailed` (9.24): `retryTimes`,
/// `resLockTime` and `lockStatus`, each as sent.
pub fn status_lockout(status: &ResponseStatus) -> LockoutInfo {
    LockoutInfo {
        retries_left: status.retry_times,
        lock_time: status.res_lock_time.map(Duration::from_secs),
        locked: status.lock_status.as_ref().and_then(auth_locked),
    }
}

/// The lock-out members of `JSON_UserCheck` (9.33): `retryLoginTime`, `unlockTime` and
/// `lockStatus`, each as sent.
pub fn user_check_lockout(check: &UserCheck) -> LockoutInfo {
    LockoutInfo {
        retries_left: check.retry_login_time,
        lock_time: check.unlock_time.map(Duration::from_secs),
        locked: check.lock_status.as_ref().and_then(|s| match s {
            UserLockStatus::Locked => Some(true),
            UserLockStatus::Unlocked => Some(false),
            UserLockStatus::Other(_) => None,
        }),
    }
}

fn auth_locked(s: &AuthLockStatus) -> Option<bool> {
    match s {
        AuthLockStatus::Lock => Some(true),
        AuthLockStatus::Unlock => Some(false),
        AuthLockStatus::Other(_) => None,
    }
}

/// The error a failed `JSON_ResponseStatus` (or `JSON_ResponseStatus_AuthenticationFailed`)
/// stands for. Authentication failures become [`Error::Auth`], or [`Error::AuthLocked`] when
/// the body says the user is locked, each carrying every lock-out member the gateway sent
/// ([`status_lockout`]: attempts left, lock time, lock state); `notSupport` and
/// `methodNotAllowed` become [`Error::Unsupported`]; anything else [`Error::Api`] with the
/// sub-status's class.
pub fn status_error(op: &str, http_status: Option<u16>, status: &ResponseStatus) -> Error {
    let status_code = Some(status.status_code);
    let sub = SubStatus::resolve(status.sub_status_code.as_ref().map(SubStatus::name), status.error_code);
    let code = Some(if sub.name().is_empty() { status.status_code.value().to_string() } else { sub.name().to_owned() });
    let text = status.error_msg.as_deref().or(status.status_string.as_deref());
    let message = Some(vendor_message(text, status_code, status.error_code.or_else(|| sub.error_code())));
    let lockout = status_lockout(status);
    let auth_failure = http_status == Some(401)
        || matches!(sub.documented_class(), Some(ErrorClass::AuthRejected))
        || !lockout.is_empty();
    if lockout.locked == Some(true) {
        return Error::AuthLocked { op: op.to_owned(), status: http_status, code, message, lockout };
    }
    if auth_failure {
        return Error::Auth { op: op.to_owned(), status: http_status, code, message, expired: false, lockout };
    }
    match sub.class_under(status_code) {
        ErrorClass::Unsupported => Error::Unsupported { op: op.to_owned(), status: http_status, code, message },
        class => Error::Api { op: op.to_owned(), status: http_status, code, message, class },
    }
}

/// The error a failed `JSON_UserCheck` (statusValue other than 200) stands for:
/// [`Error::AuthLocked`] when `lockStatus` is `locked`, else [`Error::Auth`], each carrying
/// every lock-out member the gateway sent ([`user_check_lockout`]).
pub fn user_check_error(op: &str, http_status: Option<u16>, check: &UserCheck) -> Error {
    let code = Some(check.status_value.to_string());
    let message = check.status_string.clone().or_else(|| Some("Unauthorized".to_owned()));
    let lockout = user_check_lockout(check);
    if lockout.locked == Some(true) {
        return Error::AuthLocked { op: op.to_owned(), status: http_status, code, message, lockout };
    }
    Error::Auth { op: op.to_owned(), status: http_status, code, message, expired: false, lockout }
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchpost_core::ErrorKind;

    /// Table A.2 of the seed, one row a line: statusCode, subStatusCode, errorCode.
    const TABLE: &str = include_str!("../tests/data/a2_error_codes.txt");

    #[test]
    fn every_sub_status_of_the_seed_is_typed() {
        let rows: Vec<Vec<&str>> = TABLE.lines().map(|l| l.split('\t').collect()).collect();
        assert_eq!(SubStatus::ALL.len(), rows.len());
        for row in rows {
            let (status, name, code) = (row[0].parse().unwrap(), row[1], parse_error_code(row[2]).unwrap());
            let s = SubStatus::from_code(name);
            assert!(!matches!(s, SubStatus::Other(_)), "{name}");
            assert_eq!(s.name(), name);
            assert_eq!(s.error_code(), Some(code), "{name}");
            assert_eq!(s.status_code(), Some(StatusCode::from_value(status)), "{name}");
            assert_eq!(SubStatus::from_error_code(code), Some(s.clone()));
            assert!(s.known_description().is_some_and(|d| !d.is_empty()));
        }
    }

    fn status(json: &str) -> ResponseStatus {
        crate::json::from_slice(json.as_bytes()).unwrap().0
    }

    #[test]
    fn status_bodies_become_typed_errors() {
        let e = status_error(
            "op",
            Some(200),
            &status(
                r#"{"statusCode":2,"statusString":"Device Busy","subStatusCode":"upgrading","errorCode":"0x20000003","errorMsg":"upgrading"}"#,
            ),
        );
        assert_eq!(e.class(), ErrorClass::Retryable);
        assert_eq!(e.sub_status(), Some(SubStatus::Upgrading));
        assert_eq!(e.hik_status().unwrap().error_code, Some(0x2000_0003));
        let e = status_error(
            "op",
            Some(200),
            &status(r#"{"statusCode":4,"subStatusCode":"notSupport","errorCode":1073741825}"#),
        );
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert_eq!(e.hik_status().unwrap().status_code, Some(StatusCode::InvalidOperation));
    }

    #[test]
    fn unknown_codes_are_kept() {
        let e = status_error(
            "op",
            Some(200),
            &status(
                r#"{"statusCode":9,"statusString":"?","subStatusCode":"brandNew","errorCode":0x90000001,"errorMsg":"x"}"#,
            ),
        );
        let s = e.hik_status().unwrap();
        assert_eq!(s.sub_status, SubStatus::Other("brandNew".into()));
        assert_eq!(s.status_code, Some(StatusCode::Other(9)));
        assert_eq!(s.error_code, Some(0x9000_0001));
        assert_eq!(e.class(), ErrorClass::Permanent);
        // A code the seed cites but never defines, with no sub-status name.
        let e = status_error("op", Some(200), &status(r#"{"statusCode":6,"errorCode":"0x60000004"}"#));
        assert_eq!(e.sub_status(), Some(SubStatus::Other("0x60000004".into())));
        // The 9-digit tokenTimeout and its probable 8-digit form.
        assert_eq!(SubStatus::resolve(None, Some(0x6000_0040)), SubStatus::TokenTimeout);
        assert_eq!(SubStatus::resolve(None, Some(0x6_0000_0040)), SubStatus::TokenTimeout);
    }

    #[test]
    fn the_seed_authentication_failure_example_carries_the_attempts_left() {
        // 9.24's example, verbatim (a data file): the hex literal errorCode is invalid JSON and is
        // repaired.
        let body = include_str!("../tests/data/9.24_authentication_failed.json");
        let e = status_error("security.user_check", Some(401), &status(body));
        match &e {
            Error::Auth { lockout, expired, .. } => {
                // Every lock-out member of the example, although the user is not locked yet.
                let want = LockoutInfo {
                    retries_left: Some(5),
                    lock_time: Some(Duration::from_secs(30)),
                    locked: Some(false),
                };
                assert_eq!(*lockout, want);
                assert!(!expired);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.class(), ErrorClass::AuthRejected);
        assert_eq!(e.sub_status(), Some(SubStatus::BadAuthorization));
        let locked = status(
            r#"{"statusCode":4,"subStatusCode":"badAuthorization","lockStatus":"lock","retryTimes":0,"resLockTime":1800}"#,
        );
        match status_error("op", Some(401), &locked) {
            Error::AuthLocked { lockout, .. } => assert_eq!(
                lockout,
                LockoutInfo { retries_left: Some(0), lock_time: Some(Duration::from_secs(1800)), locked: Some(true) }
            ),
            other => panic!("{other:?}"),
        }
    }
}
