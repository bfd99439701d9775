//! The Gizwits [`VendorProfile`]: classifies error bodies by their `error_code` and holds the
//! client's rate limiter until the quota resets after a 5013.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;
use watchpost_core::operation::RawResponse;
use watchpost_core::pipeline::{classify_http_status, classify_redirect, VendorProfile};
use watchpost_core::ratelimit::{RateLimitHints, RateLimiter};
use watchpost_core::{Error, ErrorClass, Result};

use crate::error::{ErrorEnvelope, GizwitsCode, GizwitsErrorExt as _};

/// How long to wait after a 5013 that carries neither `X-RateLimit-Reset` nor `Retry-After`:
/// the seed says calls resume "after one hour" (L100).
pub(crate) const QUOTA_WINDOW: Duration = Duration::from_secs(3600);

/// Classifies Gizwits responses; on a 5013 holds every caller of the shared limiter until the reset
/// (the pipeline does so too when it retries, this also covers a call that gives up).
#[derive(Debug, Clone)]
pub(crate) struct GizwitsProfile {
    pub(crate) limiter: Arc<RateLimiter>,
}

impl VendorProfile for GizwitsProfile {
    fn classify(&self, resp: &RawResponse) -> Result<()> {
        // The pipeline feeds every response's X-RateLimit-* headers to the limiter itself.
        let result = classify(resp);
        if let Err(e) = &result {
            if let (ErrorClass::RateLimited, Some(after)) = (e.class(), e.retry_after()) {
                // Hold every caller of the client (all products share the quota) until the reset.
                self.limiter.block_until(Instant::now() + after);
            }
        }
        result
    }

    fn safe_to_retry(&self, err: &Error) -> bool {
        err.gizwits_code().is_some_and(|c| c.safe_to_retry())
    }
}

/// Classifies one response: a redirect (3xx) is [`Error::Redirect`] whatever the body; a success
/// status without an error body passes; an error body is typed by its `error_code`; anything
/// else (an HTML error page, an empty body) by its HTTP status.
pub(crate) fn classify(resp: &RawResponse) -> Result<()> {
    classify_redirect(resp)?;
    let status = resp.status.as_u16();
    let Some(envelope) = ErrorEnvelope::parse(&resp.body) else {
        return classify_http_status(resp);
    };
    let code = envelope.code();
    let op = resp.op.to_owned();
    let code_text = Some(envelope.error_code.as_str().trim().to_owned());
    let message = envelope.message();
    let status = Some(status);
    Err(match code.class(status) {
        ErrorClass::AuthExpired => {
            Error::Auth { op, status, code: code_text, message, expired: true, lockout: Default::default() }
        }
        ErrorClass::AuthRejected => {
            Error::Auth { op, status, code: code_text, message, expired: false, lockout: Default::default() }
        }
        ErrorClass::RateLimited => {
            Error::RateLimited { op, status, code: code_text, message, retry_after: Some(quota_wait(resp, &code)) }
        }
        class => Error::api(op, status, code_text, message, class),
    })
}

/// The time until the quota resets: `X-RateLimit-Reset` (Unix seconds, so never early), else
/// `Retry-After`, else a whole window.
fn quota_wait(resp: &RawResponse, code: &GizwitsCode) -> Duration {
    let hints = RateLimitHints::from_headers(&resp.headers);
    let wait = hints.reset_in.or(hints.retry_after);
    match (wait, code) {
        (Some(w), _) => w,
        (None, GizwitsCode::RateLimitExceeded) => QUOTA_WINDOW,
        (None, _) => Duration::from_secs(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::{HeaderMap, StatusCode};
    use watchpost_core::clock::unix_now;
    use watchpost_core::ratelimit::Quota;

    fn raw(status: u16, body: &str, headers: &[(&'static str, String)]) -> RawResponse {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.insert(*k, v.parse().unwrap());
        }
        RawResponse {
            op: "t",
            status: StatusCode::from_u16(status).unwrap(),
            headers: h,
            body: Bytes::from(body.to_owned()),
        }
    }

    #[test]
    fn codes_decide_not_the_status() {
        let e = classify(&raw(400, r#"{"error_code":5011,"error_message":"token has expired"}"#, &[])).unwrap_err();
        assert!(matches!(e, Error::Auth { expired: true, .. }), "{e:?}");
        assert_eq!(e.gizwits_code(), Some(GizwitsCode::TokenExpired));
        let e = classify(&raw(400, r#"{"error_code":"5009","error_message":"token invalid"}"#, &[])).unwrap_err();
        assert_eq!(e.class(), ErrorClass::AuthExpired);
        let e = classify(&raw(400, r#"{"error_code":"5004"}"#, &[])).unwrap_err();
        assert_eq!(e.class(), ErrorClass::AuthRejected);
        let e = classify(&raw(404, r#"{"error_code":5301,"error_message":"device not exist"}"#, &[])).unwrap_err();
        assert_eq!((e.class(), e.status(), e.vendor_code()), (ErrorClass::Permanent, Some(404), Some("5301")));
        let e = classify(&raw(500, r#"{"error_code":5601}"#, &[])).unwrap_err();
        assert_eq!(e.class(), ErrorClass::Retryable);
        let e = classify(&raw(418, r#"{"error_code":"7777","error_message":"new"}"#, &[])).unwrap_err();
        assert_eq!((e.class(), e.gizwits_code()), (ErrorClass::Permanent, Some(GizwitsCode::Other("7777".into()))));
        assert!(classify(&raw(200, r#"{"did":"x"}"#, &[])).is_ok());
        let e = classify(&raw(200, r#"{"error_code":5002,"error_message":"form invalid"}"#, &[])).unwrap_err();
        assert_eq!(e.gizwits_code(), Some(GizwitsCode::FormInvalid));
    }

    #[test]
    fn html_and_empty_error_pages_fall_back_to_the_status() {
        let e = classify(&raw(502, "<html><body>502 Bad Gateway</body></html>", &[])).unwrap_err();
        assert_eq!((e.class(), e.status()), (ErrorClass::Retryable, Some(502)));
        let e = classify(&raw(404, "<html>Not Found</html>", &[])).unwrap_err();
        assert_eq!(e.class(), ErrorClass::Permanent);
        let e = classify(&raw(403, "", &[])).unwrap_err();
        assert_eq!(e.class(), ErrorClass::Permanent);
    }

    #[test]
    fn redirects_are_errors_whatever_the_body_says() {
        for body in ["", "{}", r#"{"did":"x"}"#, r#"{"error_code":5002}"#] {
            let e = classify(&raw(307, body, &[("location", "http://other.example/x".into())])).unwrap_err();
            assert_eq!(e.kind(), watchpost_core::ErrorKind::Redirect, "{body}: {e:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn quota_errors_wait_for_the_reset_and_hold_the_limiter() {
        let reset = unix_now().as_secs() + 1800;
        let resp = raw(
            403,
            r#"{"error_code":5013,"error_message":"API call rate limit execeed quota"}"#,
            &[
                ("x-ratelimit-limit", "3600".into()),
                ("x-ratelimit-remaining", "0".into()),
                ("x-ratelimit-reset", reset.to_string()),
            ],
        );
        let limiter = Arc::new(RateLimiter::new(Some(Quota::per_hour(3600))));
        let profile = GizwitsProfile { limiter: limiter.clone() };
        let e = profile.classify(&resp).unwrap_err();
        let after = e.retry_after().unwrap();
        assert!(after > Duration::from_secs(1798) && after <= Duration::from_secs(1800), "{after:?}");
        let start = Instant::now();
        limiter.acquire().await;
        assert!(Instant::now() - start >= after, "callers are held until the reset");
        let bare = classify(&raw(403, r#"{"error_code":"5013"}"#, &[])).unwrap_err();
        assert_eq!(bare.retry_after(), Some(QUOTA_WINDOW));
        assert!(profile.safe_to_retry(&classify(&raw(400, r#"{"error_code":5403}"#, &[])).unwrap_err()));
    }
}
