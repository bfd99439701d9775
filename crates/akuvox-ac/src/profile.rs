//! The Akuvox [`VendorProfile`]: a negative reply (`retcode` < 0) is an error whatever the HTTP
//! status (200 or 401, L254); 403 is the disabled HTTP API (L277); anything else by its status.

use watchpost_core::operation::RawResponse;
use watchpost_core::pipeline::{classify_http_status, classify_redirect, VendorProfile};
use watchpost_core::{Error, ErrorClass, Result};

use crate::error::API_DISABLED;
use crate::reply::Reply;

/// Classifies Akuvox responses.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct AkuvoxProfile;

impl VendorProfile for AkuvoxProfile {
    fn classify(&self, resp: &RawResponse) -> Result<()> {
        classify(resp)
    }
}

/// Classifies one response (see the module docs).
pub(crate) fn classify(resp: &RawResponse) -> Result<()> {
    classify_redirect(resp)?;
    let status = resp.status.as_u16();
    if status == 403 {
        return Err(Error::api(
            resp.op,
            Some(403),
            Some(API_DISABLED.to_owned()),
            Some("the device's HTTP API is disabled (403 Forbidden)".to_owned()),
            ErrorClass::Permanent,
        ));
    }
    match Reply::parse(&resp.body) {
        Some(reply) if !reply.is_success() && status == 401 => Err(Error::Auth {
            op: resp.op.to_owned(),
            status: Some(401),
            code: Some(reply.retcode.to_string()),
            message: reply.message,
            expired: false,
            lockout: Default::default(),
        }),
        Some(reply) if !reply.is_success() => Err(reply.error(resp.op, status)),
        _ => classify_http_status(resp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::AkuvoxErrorExt as _;
    use bytes::Bytes;
    use http::{HeaderMap, StatusCode};
    use watchpost_core::ErrorKind;

    fn raw(status: u16, body: &'static str) -> RawResponse {
        RawResponse {
            op: "t.x",
            status: StatusCode::from_u16(status).unwrap(),
            headers: HeaderMap::new(),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn negative_replies_fail_whatever_the_status() {
        let neg = r#"{"retcode":-1,"action":"unknow","message":"unsupport action"}"#;
        assert_eq!(classify(&raw(200, neg)).unwrap_err().kind(), ErrorKind::Unsupported);
        assert_eq!(classify(&raw(401, neg)).unwrap_err().kind(), ErrorKind::Auth);
        let e = classify(&raw(200, r#"{"retcode":-1,"message":"Export Failed."}"#)).unwrap_err();
        assert_eq!((e.kind(), e.akuvox_retcode()), (ErrorKind::Api, Some(-1)));
        assert!(classify(&raw(200, r#"{"retcode":1,"action":"add","message":"OK"}"#)).is_ok());
        assert!(classify(&raw(200, "PK\x03\x04 a file")).is_ok());
    }

    #[test]
    fn forbidden_is_the_disabled_api() {
        let e = classify(&raw(403, "")).unwrap_err();
        assert!(e.is_api_disabled());
        assert_eq!(classify(&raw(401, "")).unwrap_err().kind(), ErrorKind::Auth);
        assert_eq!(classify(&raw(302, "")).unwrap_err().kind(), ErrorKind::Redirect);
    }
}
