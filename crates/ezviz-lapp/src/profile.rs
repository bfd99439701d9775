//! The EZVIZ [`VendorProfile`]: how the pipeline classifies an EZVIZ answer.
//!
//! | answer | outcome |
//! |---|---|
//! | code 200 | success |
//! | 60016, 60019, 60022 | success for the pipeline; the set operation reports [`SetOutcome::AlreadyInState`](crate::models::SetOutcome) |
//! | 10002 | [`Error::Auth`] with `expired`: the pipeline refreshes the token once and replays once |
//! | 20006, 20008, 50000 | retryable, declared safe to repeat: backoff, up to the client's attempt limit |
//! | 49999 | retryable, at most one retry ([`VendorProfile::max_attempts`] is 2 for it) |
//! | 20007 | permanent: the device is offline, reported at once |
//! | 60020 | [`Error::Unsupported`] |
//! | anything else | permanent [`Error::Api`], code and message kept |
//! | no envelope | [`Error::Decode`] (or the HTTP status's error when the status is not 2xx) |
//! | a redirect (3xx), whatever the body | [`Error::Redirect`] (never followed) |
//!
//! The pipeline holds the only retry loop; this profile only classifies, and caps the attempts
//! for 49999 ("retried once") through [`VendorProfile::max_attempts`].

use watchpost_core::pipeline::{classify_http_status, classify_redirect, VendorProfile};
use watchpost_core::{Error, RawResponse, Result};

use crate::envelope::Envelope;
use crate::error::{code_max_attempts, code_safe_to_retry, to_error, EzvizCode};

/// The EZVIZ envelope classifier (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct EzvizProfile;

impl VendorProfile for EzvizProfile {
    fn classify(&self, resp: &RawResponse) -> Result<()> {
        // A redirect is never success, even with an envelope (an "already in state" code included).
        classify_redirect(resp)?;
        let status = resp.status.as_u16();
        match Envelope::parse(&resp.body) {
            Ok(env) if env.is_success() => classify_http_status(resp),
            Ok(env) => {
                let code = EzvizCode::from_code(env.code());
                if code.is_already_in_state() {
                    return Ok(());
                }
                Err(to_error(resp.op, Some(status), env.code(), env.message(), code.class()))
            }
            Err(e) => {
                // No envelope: a proxy's error page or a broken body. A non-2xx status says more
                // (a 502 is worth retrying); on 2xx the body itself is the problem.
                classify_http_status(resp)?;
                Err(resp.decode_error(e))
            }
        }
    }

    fn safe_to_retry(&self, err: &Error) -> bool {
        code_safe_to_retry(err)
    }

    fn max_attempts(&self, err: &Error) -> Option<u32> {
        // 49999 "data exception": the seed documents it as worth one retry, not more.
        code_max_attempts(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::EzvizErrorExt;
    use watchpost_core::error::DecodeError;
    use watchpost_core::{ErrorClass, ErrorKind};

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            op: "device.info",
            status: http::StatusCode::from_u16(status).unwrap(),
            headers: http::HeaderMap::new(),
            body: body.to_owned().into(),
        }
    }

    fn class(body: &str) -> Option<ErrorClass> {
        EzvizProfile.classify(&raw(200, body)).err().map(|e| e.class())
    }

    #[test]
    fn codes_are_classified() {
        assert_eq!(class(r#"{"code":"200","msg":"Operation succeeded"}"#), None);
        assert_eq!(class(r#"{"code":200}"#), None);
        assert_eq!(class(r#"{"code":"10002","msg":"expired"}"#), Some(ErrorClass::AuthExpired));
        assert_eq!(class(r#"{"code":"20008"}"#), Some(ErrorClass::Retryable));
        assert_eq!(class(r#"{"code":"20006"}"#), Some(ErrorClass::Retryable));
        assert_eq!(class(r#"{"code":50000}"#), Some(ErrorClass::Retryable));
        assert_eq!(class(r#"{"code":"20007"}"#), Some(ErrorClass::Permanent));
        assert_eq!(class(r#"{"code":"60020"}"#), Some(ErrorClass::Unsupported));
        assert_eq!(class(r#"{"code":"20002"}"#), Some(ErrorClass::Permanent));
        assert_eq!(class(r#"{"code":"99999","msg":"new"}"#), Some(ErrorClass::Permanent));
        for already in ["60016", "60019", "60022"] {
            assert_eq!(class(&format!(r#"{{"code":"{already}"}}"#)), None, "{already} passes to the decoder");
        }
    }

    #[test]
    fn redirects_are_errors_whatever_the_body_says() {
        for body in [r#"{"code":"200"}"#, r#"{"code":"60016"}"#, ""] {
            let e = EzvizProfile.classify(&raw(302, body)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Redirect, "{body}: {e:?}");
        }
    }

    #[test]
    fn busy_codes_are_declared_safe_to_retry() {
        let err = |code: &str| EzvizProfile.classify(&raw(200, &format!(r#"{{"code":"{code}"}}"#))).unwrap_err();
        for code in ["20006", "20008", "50000", "49999"] {
            assert!(EzvizProfile.safe_to_retry(&err(code)), "{code}");
        }
        for code in ["20007", "10001", "60020", "10002"] {
            assert!(!EzvizProfile.safe_to_retry(&err(code)), "{code}");
        }
    }

    #[test]
    fn data_exception_is_retried_at_most_once() {
        let err = EzvizProfile.classify(&raw(200, r#"{"code":"49999"}"#)).unwrap_err();
        assert_eq!(err.class(), ErrorClass::Retryable);
        assert_eq!(EzvizProfile.max_attempts(&err), Some(2));
        let busy = EzvizProfile.classify(&raw(200, r#"{"code":"20008"}"#)).unwrap_err();
        assert_eq!(EzvizProfile.max_attempts(&busy), None);
    }

    #[test]
    fn bodies_without_an_envelope_are_decode_errors_unless_the_status_says_more() {
        let e = EzvizProfile.classify(&raw(200, "not json")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Decode);
        let e = EzvizProfile.classify(&raw(502, "<html>bad gateway</html>")).unwrap_err();
        assert_eq!(e.class(), ErrorClass::Retryable);
        let e = EzvizProfile.classify(&raw(200, "")).unwrap_err();
        assert!(matches!(e, Error::Decode { source: DecodeError::Empty, .. }), "{e:?}");
        // An error envelope wins over the HTTP status.
        let e = EzvizProfile.classify(&raw(500, r#"{"code":"20007"}"#)).unwrap_err();
        assert!(e.is_device_offline());
    }
}
