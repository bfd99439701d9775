//! The EZVIZ [`VendorProfile`]: how the pipeline classifies an EZVIZ answer.
//!
//! | answer | outcome |
//! |---|---|
//! | code 200 | success |
//! | 60016, 60019, 60022 | success for the pipeline; the set operation reports [`SetOutcome::AlreadyInState`](crate::models::SetOutcome) |
//! | 10002 | [`Error::Auth`] with `expired`: the pipeline refreshes the token once and replays once |
//! | 20006, 20008, 50000 | retryable, declared safe to repeat: backoff, up to the client's attempt limit |
//! | 49999 | retryable once per call: the second 49999 of the same call is permanent |
//! | 20007 | permanent: the device is offline, reported at once |
//! | 60020 | [`Error::Unsupported`] |
//! | anything else | permanent [`Error::Api`], code and message kept |
//! | no envelope | [`Error::Decode`] (or the HTTP status's error when the status is not 2xx) |
//!
//! The pipeline holds the only retry loop; this profile only classifies. "49999 retried once" is
//! counted per call in a task-local scope that [`Client`](crate::Client) opens around each call.

use std::cell::Cell;
use std::future::Future;

use watchpost_core::error::DecodeError;
use watchpost_core::pipeline::{classify_http_status, VendorProfile};
use watchpost_core::{Error, ErrorClass, RawResponse, Result};

use crate::envelope::Envelope;
use crate::error::{to_error, EzvizCode, EzvizErrorExt as _};

tokio::task_local! {
    /// How many 49999 answers the current call has seen.
    static DATA_EXCEPTIONS: Cell<u32>;
}

/// Runs `fut` (one client call, all its attempts) with its own 49999 counter.
pub(crate) async fn call_scope<F: Future>(fut: F) -> F::Output {
    DATA_EXCEPTIONS.scope(Cell::new(0), fut).await
}

/// The class of a 49999 answer: retryable the first time in a call, permanent after that.
/// Outside a call scope it is retryable (the pipeline's attempt limit still bounds it).
fn data_exception_class() -> ErrorClass {
    DATA_EXCEPTIONS
        .try_with(|seen| {
            let n = seen.get();
            seen.set(n.saturating_add(1));
            if n == 0 {
                ErrorClass::Retryable
            } else {
                ErrorClass::Permanent
            }
        })
        .unwrap_or(ErrorClass::Retryable)
}

/// The EZVIZ envelope classifier (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct EzvizProfile;

impl VendorProfile for EzvizProfile {
    fn classify(&self, resp: &RawResponse) -> Result<()> {
        let status = resp.status.as_u16();
        match Envelope::parse(&resp.body) {
            Ok(env) if env.is_success() => classify_http_status(resp),
            Ok(env) => {
                let code = EzvizCode::from_code(env.code());
                if code.is_already_in_state() {
                    return Ok(());
                }
                let class = match code {
                    EzvizCode::DataException => data_exception_class(),
                    other => other.class(),
                };
                Err(to_error(resp.op, Some(status), env.code(), env.message(), class))
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
        err.ezviz_code().is_some_and(|c| c.is_safe_to_retry())
    }
}

/// Decodes a classified response into an envelope.
pub(crate) fn envelope(resp: &RawResponse) -> Result<Envelope> {
    Envelope::parse(&resp.body).map_err(|e: DecodeError| resp.decode_error(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::EzvizErrorExt;
    use watchpost_core::ErrorKind;

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
    fn busy_codes_are_declared_safe_to_retry() {
        let err = |code: &str| EzvizProfile.classify(&raw(200, &format!(r#"{{"code":"{code}"}}"#))).unwrap_err();
        for code in ["20006", "20008", "50000", "49999"] {
            assert!(EzvizProfile.safe_to_retry(&err(code)), "{code}");
        }
        for code in ["20007", "10001", "60020", "10002"] {
            assert!(!EzvizProfile.safe_to_retry(&err(code)), "{code}");
        }
    }

    #[tokio::test]
    async fn data_exception_is_retryable_once_per_call() {
        let classify = || class(r#"{"code":"49999"}"#);
        let (first, second) = call_scope(async { (classify(), classify()) }).await;
        assert_eq!((first, second), (Some(ErrorClass::Retryable), Some(ErrorClass::Permanent)));
        let again = call_scope(async { classify() }).await;
        assert_eq!(again, Some(ErrorClass::Retryable), "a new call has a new budget");
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
