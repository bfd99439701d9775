//! The Hik-Partner Pro [`VendorProfile`]: how the pipeline classifies an HPP answer.
//!
//! | answer | outcome |
//! |---|---|
//! | `errorCode` `"0"` | success (when the HTTP status is 2xx) |
//! | LAP500002..5 (token empty, malformed, expired, not verified) | [`Error::Auth`] with `expired`: the pipeline refreshes the token once and replays once |
//! | LAP300001..3, LAP001005 | [`Error::Auth`] rejected: never retried |
//! | LAP500007, EVZ10007, EVZ10029, LAP004040 | rate limited: backoff |
//! | transient codes (system exception, network, device timeout, search in progress, ...) | retryable (for idempotent operations, or any operation when declared safe to repeat) |
//! | "not supported" codes | [`Error::Unsupported`] |
//! | anything else | permanent [`Error::Api`], code and message kept |
//! | no envelope | [`Error::Decode`] (or the HTTP status's error when the status is not 2xx) |
//! | a redirect (3xx), whatever the body | [`Error::Redirect`] (never followed) |
//!
//! The token endpoint's answer may also be the flat form of the section's example (see
//! [`Envelope::parse_token`]).

use watchpost_core::error::DecodeError;
use watchpost_core::pipeline::{classify_http_status, classify_redirect, VendorProfile};
use watchpost_core::{Error, RawResponse, Result};

use crate::envelope::Envelope;
use crate::error::{code_max_attempts, code_safe_to_retry, to_error};
use crate::generated::ops;

/// The HPP envelope classifier (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct HppProfile;

impl VendorProfile for HppProfile {
    fn classify(&self, resp: &RawResponse) -> Result<()> {
        if resp.op.starts_with(crate::models::isapi::OP_PREFIX) {
            return crate::models::isapi::classify(resp);
        }
        classify_redirect(resp)?;
        let status = resp.status.as_u16();
        match parse(resp) {
            Ok(env) if env.is_success() => classify_http_status(resp),
            Ok(env) => Err(to_error(resp.op, Some(status), env.code(), env.message())),
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
        code_max_attempts(err)
    }
}

/// The envelope of a response (the token endpoint's flat form included).
fn parse(resp: &RawResponse) -> Result<Envelope, DecodeError> {
    if resp.op == ops::GET_TOKEN.id {
        Envelope::parse_token(&resp.body)
    } else {
        Envelope::parse(&resp.body)
    }
}

/// Decodes a classified response into an envelope.
pub(crate) fn envelope(resp: &RawResponse) -> Result<Envelope> {
    parse(resp).map_err(|e| resp.decode_error(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{HppCode, HppErrorExt};
    use watchpost_core::{ErrorClass, ErrorKind};

    fn raw(status: u16, body: &str) -> RawResponse {
        RawResponse {
            op: "mq.messages",
            status: http::StatusCode::from_u16(status).unwrap(),
            headers: http::HeaderMap::new(),
            body: body.to_owned().into(),
        }
    }

    fn class(body: &str) -> Option<ErrorClass> {
        HppProfile.classify(&raw(200, body)).err().map(|e| e.class())
    }

    #[test]
    fn codes_are_classified() {
        assert_eq!(class(r#"{"errorCode":"0"}"#), None);
        assert_eq!(class(r#"{"errorCode":0}"#), None);
        for c in ["LAP500002", "LAP500003", "LAP500004", "LAP500005"] {
            assert_eq!(class(&format!(r#"{{"errorCode":"{c}"}}"#)), Some(ErrorClass::AuthExpired), "{c}");
        }
        assert_eq!(class(r#"{"errorCode":"LAP500007"}"#), Some(ErrorClass::RateLimited));
        assert_eq!(class(r#"{"errorCode":"LAP068001"}"#), Some(ErrorClass::Retryable));
        assert_eq!(class(r#"{"errorCode":"LAP000001"}"#), Some(ErrorClass::Permanent));
        assert_eq!(class(r#"{"errorCode":"XYZ","message":"new"}"#), Some(ErrorClass::Permanent));
        let e = HppProfile.classify(&raw(200, r#"{"errorCode":"EVZ20007","message":"offline"}"#)).unwrap_err();
        assert_eq!(e.hpp_code(), Some(HppCode::DeviceOffline));
    }

    #[test]
    fn redirects_and_bodies_without_an_envelope_are_errors() {
        assert_eq!(HppProfile.classify(&raw(302, r#"{"errorCode":"0"}"#)).unwrap_err().kind(), ErrorKind::Redirect);
        assert_eq!(HppProfile.classify(&raw(200, "<html>x</html>")).unwrap_err().kind(), ErrorKind::Decode);
        assert_eq!(
            HppProfile.classify(&raw(502, "<html>bad gateway</html>")).unwrap_err().class(),
            ErrorClass::Retryable
        );
        assert_eq!(HppProfile.classify(&raw(200, "")).unwrap_err().kind(), ErrorKind::Decode);
        // A success envelope on a non-2xx status is not a success.
        assert!(HppProfile.classify(&raw(500, r#"{"errorCode":"0"}"#)).is_err());
    }
}
