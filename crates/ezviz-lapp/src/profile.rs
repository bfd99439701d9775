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
        match Envelope::parse(&resp.body) {
            Ok(env) if env.is_success() => classify_http_status(resp),
            // Passed to the decoder: a set operation reports it as `SetOutcome::AlreadyInState`.
            Ok(env) if EzvizCode::from_code(env.code()).is_already_in_state() => Ok(()),
            Ok(env) => Err(to_error(resp.op, Some(resp.status.as_u16()), env.code(), env.message())),
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

    /// Every code of the seed's tables (and the token endpoint's), as text and as a number:
    /// its class (`None`: success, or passed to the decoder), whether it is declared safe to
    /// repeat, and its attempt cap.
    #[test]
    fn every_code_is_classified_as_documented() {
        use ErrorClass::*;
        let table = [
            ("200", None, false, None),
            ("10002", Some(AuthExpired), false, None),
            ("10017", Some(AuthRejected), false, None),
            ("10030", Some(AuthRejected), false, None),
            ("20006", Some(Retryable), true, None),
            ("20008", Some(Retryable), true, None),
            ("50000", Some(Retryable), true, None),
            ("49999", Some(Retryable), true, Some(2)),
            ("60020", Some(Unsupported), false, None),
            ("60016", None, false, None),
            ("60019", None, false, None),
            ("60022", None, false, None),
        ];
        let permanent = ["10001", "10004", "10005", "20002", "20007", "20010", "20014", "20018", "20032", "99999"];
        for (code, class, safe, cap) in table.into_iter().chain(permanent.map(|c| (c, Some(Permanent), false, None))) {
            for body in [format!(r#"{{"code":"{code}","msg":"m"}}"#), format!(r#"{{"code":{code}}}"#)] {
                let result = EzvizProfile.classify(&raw(200, &body));
                assert_eq!(result.as_ref().err().map(Error::class), class, "{body}");
                if let Err(e) = result {
                    assert_eq!(e.ezviz_code(), Some(EzvizCode::from_code(code)), "{body}");
                    assert_eq!((EzvizProfile.safe_to_retry(&e), EzvizProfile.max_attempts(&e)), (safe, cap), "{body}");
                }
            }
        }
        let err = |code: &str| EzvizProfile.classify(&raw(200, &format!(r#"{{"code":"{code}"}}"#))).unwrap_err();
        assert!(err("20007").is_device_offline() && err("20008").is_device_busy() && err("60020").is_not_supported());
        assert!(["60016", "60019", "60022"].iter().all(|c| EzvizCode::from_code(c).is_already_in_state()));
    }

    #[test]
    fn redirects_are_errors_whatever_the_body_says() {
        for body in [r#"{"code":"200"}"#, r#"{"code":"60016"}"#, ""] {
            let e = EzvizProfile.classify(&raw(302, body)).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Redirect, "{body}: {e:?}");
        }
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
