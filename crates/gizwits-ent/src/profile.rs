//! The Gizwits [`VendorProfile`]: classifies error bodies by their `error_code`; a 5013 carries
//! the quota's reset instant.
//!
//! The classifier has no side effect: the pipeline feeds every response's `X-RateLimit-*`
//! headers to the client's limiter and holds it for a throttled answer's `retry_after`.

use std::time::{Duration, UNIX_EPOCH};

use watchpost_core::clock::{Clock, SharedClock};
use watchpost_core::operation::RawResponse;
use watchpost_core::pipeline::{classify_http_status, classify_redirect, VendorProfile};
use watchpost_core::ratelimit::RateLimitHints;
use watchpost_core::{Error, ErrorClass, Result};

use crate::error::{ErrorEnvelope, GizwitsCode};

/// How long to wait after a 5013 that carries neither `X-RateLimit-Reset` nor `Retry-After`:
/// the seed says calls resume "after one hour" (L100).
pub(crate) const QUOTA_WINDOW: Duration = Duration::from_secs(3600);

/// The shortest wait after a 5013 whose reset has already passed by our clock (the service's
/// clock lags ours): a 5013 is never retried at once.
pub(crate) const MIN_QUOTA_WAIT: Duration = Duration::from_secs(1);

/// Classifies Gizwits responses, reading Unix time from the client's clock.
#[derive(Debug, Clone)]
pub(crate) struct GizwitsProfile {
    pub(crate) clock: SharedClock,
}

impl VendorProfile for GizwitsProfile {
    fn classify(&self, resp: &RawResponse) -> Result<()> {
        classify(resp, &*self.clock)
    }

    fn safe_to_retry(&self, err: &Error) -> bool {
        crate::error::code_safe_to_retry(err)
    }
}

/// Classifies one response: a redirect (3xx) is [`Error::Redirect`] whatever the body; a success
/// status without an error body passes; an error body is typed by its `error_code`; anything
/// else (an HTML error page, an empty body) by its HTTP status.
pub(crate) fn classify(resp: &RawResponse, clock: &dyn Clock) -> Result<()> {
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
    Err(match code.class_for_status(status) {
        class @ (ErrorClass::AuthExpired | ErrorClass::AuthRejected) => {
            let expired = class == ErrorClass::AuthExpired;
            Error::Auth { op, status, code: code_text, message, expired, lockout: Default::default() }
        }
        ErrorClass::RateLimited => {
            let now = clock.unix_now();
            let (retry_after, reset_at) = quota_wait(resp, &code, now);
            Error::RateLimited {
                op,
                status,
                code: code_text,
                message,
                retry_after: Some(retry_after),
                reset_at: reset_at.map(|at| UNIX_EPOCH + at),
            }
        }
        class => Error::api(op, status, code_text, message, class),
    })
}

/// The time until the quota resets, and the reset as Unix time when the headers gave it:
/// `X-RateLimit-Reset` (Unix seconds, rounded up by the service, so never early), else
/// `Retry-After`, else a whole window; at least [`MIN_QUOTA_WAIT`] for a 5013.
fn quota_wait(resp: &RawResponse, code: &GizwitsCode, now_unix: Duration) -> (Duration, Option<Duration>) {
    let hints = RateLimitHints::read(&resp.headers, now_unix);
    let wait = hints.reset_in(now_unix).or(hints.retry_after);
    let reset_at = hints.reset_at.or_else(|| hints.retry_after.map(|after| now_unix.saturating_add(after)));
    match (wait, code) {
        (Some(w), GizwitsCode::RateLimitExceeded) => (w.max(MIN_QUOTA_WAIT), reset_at),
        (Some(w), _) => (w, reset_at),
        (None, GizwitsCode::RateLimitExceeded) => (QUOTA_WINDOW, None),
        (None, _) => (Duration::from_secs(1), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::GizwitsErrorExt as _;
    use bytes::Bytes;
    use http::{HeaderMap, StatusCode};
    use watchpost_core::clock::ManualClock;

    const NOW: u64 = 1_700_000_000;

    fn classify(resp: &RawResponse) -> Result<()> {
        super::classify(resp, &ManualClock::at_secs(NOW))
    }

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
    async fn quota_errors_carry_the_reset_instant() {
        let quota_error = |headers: &[(&'static str, String)]| {
            classify(&raw(403, r#"{"error_code":5013,"error_message":"API call rate limit execeed quota"}"#, headers))
                .unwrap_err()
        };
        let e = quota_error(&[
            ("x-ratelimit-limit", "3600".into()),
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", (NOW + 1800).to_string()),
        ]);
        assert_eq!(e.class(), ErrorClass::RateLimited);
        assert_eq!(e.retry_after(), Some(Duration::from_secs(1800)));
        assert_eq!(e.reset_at(), Some(UNIX_EPOCH + Duration::from_secs(NOW + 1800)));
        // Without headers: the documented hour, and no made-up reset instant.
        let bare = classify(&raw(403, r#"{"error_code":"5013"}"#, &[])).unwrap_err();
        assert_eq!((bare.retry_after(), bare.reset_at()), (Some(QUOTA_WINDOW), None));
        // A reset already past by our clock (the service's clock lags): never an instant retry.
        let lagging =
            quota_error(&[("x-ratelimit-remaining", "0".into()), ("x-ratelimit-reset", (NOW - 5).to_string())]);
        assert_eq!(lagging.retry_after(), Some(MIN_QUOTA_WAIT));
        let profile = GizwitsProfile { clock: std::sync::Arc::new(ManualClock::at_secs(NOW)) };
        assert!(profile.safe_to_retry(&classify(&raw(400, r#"{"error_code":5403}"#, &[])).unwrap_err()));
    }
}
