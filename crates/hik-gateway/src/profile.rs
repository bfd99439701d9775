//! The gateway's [`VendorProfile`]: reads `JSON_ResponseStatus`, `JSON_UserCheck` and the
//! authentication-failure body whatever the HTTP status, and classifies them.

use serde::de::IgnoredAny;
use serde::Deserialize;
use watchpost_core::pipeline::{classify_http_status, classify_redirect, VendorProfile};
use watchpost_core::{Error, RawResponse};

use crate::error::{code_safe_to_retry, status_error, user_check_error};
use crate::models::{ResponseStatus, UserCheck};

/// Classifies gateway responses.
///
/// - A body with a failing `statusCode` (not 1 or 7) is an error typed by its sub-status
///   ([`status_error`]), even under HTTP 200.
/// - A body that carries a batch list (`DeviceOutList`, `DelDevList`, `ErrorList`) is **not** an
///   error, whatever the status next to it or the HTTP status: the caller gets the per-item
///   outcome (with the overall status).
/// - `userCheck.statusValue` other than 200 is an authentication error.
/// - HTTP 401 is an authentication error with every lock-out member of the body.
/// - A redirect (3xx) is [`Error::Redirect`] whatever the body says (checked first).
/// - Anything else falls back to the HTTP status.
#[derive(Debug, Clone, Copy, Default)]
pub struct HikProfile;

#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "statusCode", default)]
    status_code: Option<IgnoredAny>,
    #[serde(rename = "ResponseStatus", default)]
    wrapped: Option<IgnoredAny>,
    #[serde(rename = "userCheck", alias = "UserCheck", default)]
    user_check: Option<UserCheck>,
    #[serde(rename = "DeviceOutList", default)]
    device_out_list: Option<IgnoredAny>,
    #[serde(rename = "DelDevList", default)]
    del_dev_list: Option<IgnoredAny>,
    #[serde(rename = "ErrorList", default)]
    error_list: Option<IgnoredAny>,
}

impl VendorProfile for HikProfile {
    fn classify(&self, resp: &RawResponse) -> Result<(), Error> {
        classify_redirect(resp)?;
        let http = resp.status.as_u16();
        let looks_json = resp.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
        if looks_json {
            if let Ok((probe, _)) = crate::json::from_slice::<Probe>(&resp.body) {
                if let Some(check) = &probe.user_check {
                    if !check.is_authenticated() || http == 401 {
                        return Err(user_check_error(resp.op, Some(http), check));
                    }
                    return Ok(());
                }
                let batch =
                    probe.device_out_list.is_some() || probe.del_dev_list.is_some() || probe.error_list.is_some();
                if batch && http != 401 {
                    // The per-item outcome is the answer, whatever the overall status says.
                    return Ok(());
                }
                if probe.status_code.is_some() || probe.wrapped.is_some() {
                    if let Ok((status, _)) = crate::json::from_slice::<ResponseStatus>(&resp.body) {
                        if http == 401 || !status.is_success() {
                            return Err(status_error(resp.op, Some(http), &status));
                        }
                    }
                }
            }
        }
        classify_http_status(resp)
    }

    fn safe_to_retry(&self, err: &Error) -> bool {
        // "Device Busy: upgrading" is refused before anything happens; other busy codes may
        // have been half-executed by the panel behind the gateway.
        code_safe_to_retry(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{HikStatusExt as _, SubStatus};
    use bytes::Bytes;
    use watchpost_core::{ErrorClass, ErrorKind};

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            op: "test.op",
            status: http::StatusCode::from_u16(status).unwrap(),
            headers: http::HeaderMap::new(),
            body: Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn success_bodies_pass() {
        assert!(HikProfile.classify(&raw(200, r#"{"DeviceInfo":{"deviceName":"x"}}"#)).is_ok());
        assert!(HikProfile.classify(&raw(200, r#"{"statusCode":1,"subStatusCode":"ok"}"#)).is_ok());
        assert!(HikProfile.classify(&raw(200, r#"{"statusCode":7,"subStatusCode":"rebootRequired"}"#)).is_ok());
        assert!(HikProfile.classify(&raw(200, "CST-8:00:00")).is_ok());
        assert!(HikProfile.classify(&raw(200, "")).is_ok());
    }

    #[test]
    fn failing_status_under_http_200_or_400_is_typed() {
        let e = HikProfile
            .classify(&raw(200, r#"{"statusCode":6,"statusString":"Invalid Content","subStatusCode":"badParameters","errorCode":1610612737}"#))
            .unwrap_err();
        assert_eq!(e.sub_status(), Some(SubStatus::BadParameters));
        assert_eq!(e.status(), Some(200));
        let e = HikProfile
            .classify(&raw(400, r#"{"ResponseStatus":{"statusCode":5,"subStatusCode":"badJsonFormat"}}"#))
            .unwrap_err();
        assert_eq!(e.sub_status(), Some(SubStatus::BadJsonFormat));
        let e = HikProfile.classify(&raw(503, "<html>busy</html>")).unwrap_err();
        assert_eq!(e.class(), ErrorClass::Retryable);
    }

    #[test]
    fn batch_bodies_are_not_errors() {
        let body = r#"{"statusCode":4,"subStatusCode":"deviceExist","DeviceOutList":[{"Device":{"status":"fail","subStatusCode":"deviceExist"}}]}"#;
        assert!(HikProfile.classify(&raw(200, body)).is_ok());
        assert!(HikProfile.classify(&raw(200, r#"{"ErrorList":[{"id":"1","statusCode":6}]}"#)).is_ok());
        assert!(HikProfile.classify(&raw(400, body)).is_ok(), "a batch answer under HTTP 400 is still per item");
    }

    #[test]
    fn authentication_failures_carry_attempts_or_lock() {
        let e = HikProfile
            .classify(&raw(401, r#"{"statusCode":4,"subStatusCode":"badAuthorization","errorCode":0x40000003,"lockStatus":"unlock","retryTimes":3,"resLockTime":30}"#))
            .unwrap_err();
        assert!(matches!(e, Error::Auth { .. }), "{e:?}");
        let lockout = e.lockout().copied().unwrap_or_default();
        assert_eq!(
            (lockout.retries_left, lockout.lock_time, lockout.locked),
            (Some(3), Some(std::time::Duration::from_secs(30)), Some(false))
        );
        let e = HikProfile
            .classify(&raw(401, r#"{"userCheck":{"statusValue":401,"statusString":"Unauthorized","lockStatus":"locked","unlockTime":120,"retryLoginTime":0}}"#))
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AuthLocked);
        assert_eq!(e.retry_after(), Some(std::time::Duration::from_secs(120)));
        let e = HikProfile.classify(&raw(200, r#"{"userCheck":{"statusValue":401,"retryLoginTime":2}}"#)).unwrap_err();
        assert!(matches!(e, Error::Auth { .. }) && e.retries_left() == Some(2), "{e:?}");
        assert!(HikProfile.classify(&raw(200, r#"{"userCheck":{"statusValue":200,"statusString":"OK"}}"#)).is_ok());
        let e = HikProfile.classify(&raw(401, "")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Auth);
    }

    #[test]
    fn redirects_are_errors_whatever_the_body_says() {
        for body in [r#"{"statusCode":1,"subStatusCode":"ok"}"#, r#"{"userCheck":{"statusValue":200}}"#, ""] {
            let mut r = raw(307, body);
            r.headers.insert(http::header::LOCATION, http::HeaderValue::from_static("http://other.example/x"));
            let e = HikProfile.classify(&r).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Redirect, "{body}: {e:?}");
            assert!(e.to_string().contains("http://other.example/x"), "{e}");
        }
    }

    #[test]
    fn only_upgrading_is_safe_to_repeat() {
        let busy = HikProfile.classify(&raw(200, r#"{"statusCode":2,"subStatusCode":"upgrading"}"#)).unwrap_err();
        assert!(HikProfile.safe_to_retry(&busy));
        let net = HikProfile.classify(&raw(200, r#"{"statusCode":2,"subStatusCode":"networkError"}"#)).unwrap_err();
        assert!(!HikProfile.safe_to_retry(&net));
    }
}
