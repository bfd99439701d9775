//! The reply envelope `{retcode, action, message[, data]}` (L222-261): `retcode` < 0 is an
//! error, 0 and positive are success (user add/set/del answer 1 "OK", L3821); `action` is a
//! string or a number, often a wrong echo, and never checked; `data` is the result.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use watchpost_core::error::DecodeError;
use watchpost_core::operation::RawResponse;
use watchpost_core::{Error, ErrorClass, Result};

/// The message of the documented "unknown function" reply (L260).
pub const UNSUPPORTED_ACTION: &str = "unsupport action";

/// The message of a failed MD5 check of `firmware.upgrade` (L688).
pub const WRONG_MD5: &str = "Wrong MD5";

/// What precedes the sent hash appended to a "Wrong MD5" message (see [`Reply::error`]).
pub(crate) const WRONG_MD5_SENT: &str = " (md5 ";

/// What separates the sent hash from the device's in a "Wrong MD5" message.
pub(crate) const WRONG_MD5_CALC: &str = ", md5_calc ";

/// One reply envelope as the device sent it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Reply {
    /// The result: negative is an error, zero or positive success.
    #[serde(with = "watchpost_core::codec::lenient::int")]
    pub retcode: i64,
    /// The echo of the action: a string, a number (`0`, L177), or a wrong echo. Never checked.
    #[serde(default)]
    pub action: Option<Value>,
    /// `OK` or the error text.
    #[serde(default, with = "crate::models::wire::opt_text")]
    pub message: Option<String>,
    /// The result's data, when there is one.
    #[serde(default)]
    pub data: Option<Value>,
}

impl Reply {
    /// Parses a reply envelope from a body; `None` when the body is not a JSON object with a
    /// `retcode` (a file, an HTML page, nothing).
    pub fn parse(body: &[u8]) -> Option<Reply> {
        let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
        if body.get(start) != Some(&b'{') {
            return None;
        }
        serde_json::from_slice(body).ok()
    }

    /// Whether the reply reports success (`retcode` >= 0).
    pub fn is_success(&self) -> bool {
        self.retcode >= 0
    }

    /// The typed error of a negative reply: [`Error::Unsupported`] for "unsupport action",
    /// otherwise [`Error::Api`] (permanent) with the retcode as the code and the message, the
    /// `data` of a "Wrong MD5" reply (`md5`, `md5_calc`, when both are plain alphanumeric
    /// hashes) appended to it, read back by
    /// [`AkuvoxErrorExt::wrong_md5`](crate::AkuvoxErrorExt::wrong_md5).
    pub fn error(&self, op: &str, status: u16) -> Error {
        let code = self.retcode.to_string();
        let mut message = self.message.clone().unwrap_or_default();
        if message.trim().eq_ignore_ascii_case(UNSUPPORTED_ACTION) {
            return Error::from_code(op, Some(status), &code, Some(&message), ErrorClass::Unsupported);
        }
        if let Some(Value::Object(data)) = &self.data {
            let sum = |k: &str| {
                data.get(k)
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|s| !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric()))
            };
            if let (Some(md5), Some(calc)) = (sum("md5"), sum("md5_calc")) {
                message = format!("{message}{WRONG_MD5_SENT}{md5}{WRONG_MD5_CALC}{calc})");
            }
        }
        Error::api(op, Some(status), Some(code), Some(message), ErrorClass::Permanent)
    }
}

/// Decodes the `data` of a successful reply into `T`. A reply without `data` (or with `null`)
/// decodes as an empty object, so list and map results are empty and `()` results succeed.
///
/// # Errors
/// [`Error::Decode`] when the body is not a reply envelope (empty, not JSON, no `retcode`) or
/// `data` does not fit `T`; the reply's error when `retcode` < 0 (normally already raised by
/// the profile).
pub fn data<T: DeserializeOwned>(raw: &RawResponse) -> Result<T> {
    let reply = envelope(raw)?;
    if !reply.is_success() {
        return Err(reply.error(raw.op, raw.status.as_u16()));
    }
    let data = match reply.data {
        None | Some(Value::Null) => Value::Object(serde_json::Map::new()),
        Some(v) => v,
    };
    serde_json::from_value(data).map_err(|e| raw.decode_error(DecodeError::json(e)))
}

/// Reads the envelope of a response that must be one.
///
/// # Errors
/// [`Error::Decode`]: empty body, not JSON, or no `retcode`.
pub fn envelope(raw: &RawResponse) -> Result<Reply> {
    if raw.body.iter().all(u8::is_ascii_whitespace) {
        return Err(raw.decode_error(DecodeError::Empty));
    }
    serde_json::from_slice::<Reply>(&raw.body).map_err(|e| raw.decode_error(DecodeError::json(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_is_never_checked_and_positive_retcodes_succeed() {
        let r = Reply::parse(br#"{"retcode": 1, "action": 0, "message": "OK"}"#).unwrap();
        assert!(r.is_success());
        let r = Reply::parse(br#"{"message":"OK","retcode":"0","action":"scam"}"#).unwrap();
        assert!(r.is_success());
        assert!(Reply::parse(b"PK\x03\x04").is_none());
        assert!(Reply::parse(b"{\"no\": 1}").is_none());
        assert!(Reply::parse(b"").is_none());
    }

    #[test]
    fn negative_replies_are_typed() {
        let r = Reply::parse(br#"{"retcode":-1,"action":"unknow","message":"unsupport action"}"#).unwrap();
        let e = r.error("x.y", 200);
        assert_eq!((e.kind(), e.vendor_code()), (watchpost_core::ErrorKind::Unsupported, Some("-1")));
        let r = Reply::parse(
            br#"{"retcode":-1,"action":"upgrade","message":"Wrong MD5","data":{"md5":"a","md5_calc":"b"}}"#,
        )
        .unwrap();
        let e = r.error("firmware.upgrade", 200);
        assert_eq!(e.vendor_message(), Some("Wrong MD5 (md5 a, md5_calc b)"));
        assert_eq!(e.class(), ErrorClass::Permanent);
        let sums = crate::AkuvoxErrorExt::wrong_md5(&e).unwrap();
        assert_eq!((sums.expected.as_str(), sums.computed.as_str()), ("a", "b"));
        // A hash that is not a plain token is not echoed (the message could not be read back).
        let r = Reply::parse(br#"{"retcode":-1,"message":"Wrong MD5","data":{"md5":"a, md5_calc x","md5_calc":"b"}}"#)
            .unwrap();
        let e = r.error("firmware.upgrade", 200);
        assert!(crate::AkuvoxErrorExt::is_wrong_md5(&e));
        assert_eq!(crate::AkuvoxErrorExt::wrong_md5(&e), None);
    }
}
