//! The EZVIZ response envelope `{"code": "200", "msg": "...", "data": ...}`.
//!
//! Every answer of the lapp API is such an envelope on HTTP 200: `code` is a JSON string in
//! every example of the seed but a bare number in its error tables, so both are read; success is
//! `code == 200` and nothing else (`msg` is spelled three ways and is never branched on);
//! `data` is absent on set operations, an object on most gets and an array on two of them.
//!
//! [`Envelope::parse`] never panics: an empty body, a body that is not JSON, a JSON value that is
//! not an object and a missing or non-scalar `code` are each a typed [`DecodeError`].

use serde::de::DeserializeOwned;
use serde_json::Value;
use watchpost_core::error::DecodeError;
use watchpost_core::{RawResponse, Result};

use crate::error::{to_error, EzvizCode};

/// A decoded EZVIZ envelope. Its `Debug` output hides `data.accessToken` (the token answer).
#[derive(Clone, PartialEq)]
pub struct Envelope {
    code: String,
    msg: Option<String>,
    data: Option<Value>,
}

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let data = self.data.as_ref().map(|d| match d {
            Value::Object(map) if map.contains_key("accessToken") => {
                let mut shown = map.clone();
                shown.insert("accessToken".to_owned(), Value::String("***".to_owned()));
                Value::Object(shown)
            }
            other => other.clone(),
        });
        f.debug_struct("Envelope").field("code", &self.code).field("msg", &self.msg).field("data", &data).finish()
    }
}

impl Envelope {
    /// Reads the envelope of a classified response: [`Envelope::parse`], failing as an
    /// [`watchpost_core::Error::Decode`] with an excerpt of the body.
    ///
    /// # Errors
    /// When the body holds no envelope.
    pub fn from_response(resp: &RawResponse) -> Result<Envelope> {
        Envelope::parse(&resp.body).map_err(|e| resp.decode_error(e))
    }

    /// Reads an envelope from a response body.
    ///
    /// # Errors
    /// [`DecodeError::Empty`] for an empty (or all-whitespace) body, [`DecodeError::Json`] for a
    /// body that is not JSON, [`DecodeError::Envelope`] for JSON that is not an object or whose
    /// `code` is missing or neither a string nor a number.
    pub fn parse(body: &[u8]) -> Result<Envelope, DecodeError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(DecodeError::Empty);
        }
        let value: Value = watchpost_core::codec::json::from_slice(body)?;
        let Value::Object(mut map) = value else {
            return Err(DecodeError::Envelope { message: "the body is not a JSON object".to_owned() });
        };
        let code = match map.remove("code") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
            Some(Value::String(_)) => {
                return Err(DecodeError::Envelope { message: "`code` is empty".to_owned() });
            }
            Some(Value::Number(n)) => n.to_string(),
            None | Some(Value::Null) => {
                return Err(DecodeError::Envelope { message: "`code` is missing".to_owned() });
            }
            Some(_) => {
                return Err(DecodeError::Envelope { message: "`code` is neither a string nor a number".to_owned() });
            }
        };
        let msg = match map.remove("msg") {
            Some(Value::String(s)) => Some(s),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let data = map.remove("data").filter(|d| !d.is_null());
        Ok(Envelope { code, msg, data })
    }

    /// The code as sent (numbers in decimal).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The message, when there is one.
    pub fn message(&self) -> Option<&str> {
        self.msg.as_deref()
    }

    /// The `data` member (`None` when absent or `null`).
    pub fn data(&self) -> Option<&Value> {
        self.data.as_ref()
    }

    /// Whether the code is `200`.
    pub fn is_success(&self) -> bool {
        self.code == "200"
    }

    /// The code typed, or `None` on success.
    pub fn ezviz_code(&self) -> Option<EzvizCode> {
        (!self.is_success()).then(|| EzvizCode::from_code(&self.code))
    }

    /// Decodes `data` into `T` (an absent `data` is read as `null`).
    ///
    /// # Errors
    /// [`DecodeError::Json`] when `data` does not have the shape of `T`, with the path of the
    /// failing field from the envelope (`data.items[3].status`).
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        let data = self.data.clone().unwrap_or(Value::Null);
        watchpost_core::codec::json::from_value(data).map_err(|e| e.under("data"))
    }
}

/// How a response type is built from a response that passed classification: a model from
/// `data` on success, or [`SetOutcome`](crate::models::SetOutcome) from the code.
pub(crate) trait FromEnvelope: Sized {
    /// Builds the value.
    fn from_envelope(env: &Envelope, resp: &RawResponse) -> Result<Self>;
}

impl<T: DeserializeOwned> FromEnvelope for T {
    fn from_envelope(env: &Envelope, resp: &RawResponse) -> Result<Self> {
        if !env.is_success() {
            // Only "already in that state" codes get here (the profile fails every other code);
            // for an operation that does not answer with a `SetOutcome` they are an error.
            return Err(to_error(resp.op, Some(resp.status.as_u16()), env.code(), env.message()));
        }
        env.data_as().map_err(|e| resp.decode_error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(body: &str) -> String {
        match Envelope::parse(body.as_bytes()) {
            Ok(_) => "ok".to_owned(),
            Err(DecodeError::Empty) => "empty".to_owned(),
            Err(DecodeError::Json { .. }) => "json".to_owned(),
            Err(DecodeError::Envelope { message }) => message,
            Err(other) => other.to_string(),
        }
    }

    #[test]
    fn code_is_read_from_a_string_or_a_number() {
        let a = Envelope::parse(br#"{"code":"200","msg":"Operating succeeded!"}"#).unwrap();
        let b = Envelope::parse(br#"{"code":200,"data":null}"#).unwrap();
        assert!(a.is_success() && b.is_success());
        assert_eq!(a.message(), Some("Operating succeeded!"));
        assert_eq!(b.data(), None);
        let e = Envelope::parse(br#"{"code":20007,"msg":"Device offline."}"#).unwrap();
        assert_eq!(e.ezviz_code(), Some(EzvizCode::DeviceOffline));
        assert!(!Envelope::parse(br#"{"code":"2000"}"#).unwrap().is_success());
    }

    #[test]
    fn data_may_be_an_object_an_array_or_absent() {
        let e = Envelope::parse(br#"{"data":[{"enable":"1"}],"code":"200"}"#).unwrap();
        let v: Vec<serde_json::Value> = e.data_as().unwrap();
        assert_eq!(v.len(), 1);
        let e = Envelope::parse(br#"{"code":"200","data":{"language":"ENGLISH"}}"#).unwrap();
        assert_eq!(e.data().and_then(|d| d["language"].as_str()), Some("ENGLISH"));
        let e = Envelope::parse(br#"{"code":"200"}"#).unwrap();
        assert!(e.data_as::<Vec<u8>>().is_err(), "absent data is not a list");
    }

    #[test]
    fn debug_output_hides_the_token_of_a_token_answer() {
        let e = Envelope::parse(
            br#"{"code":"200","data":{"accessToken":"at.s3cr3t","expireTime":1,"areaDomain":"https://x"}}"#,
        )
        .unwrap();
        let shown = format!("{e:?}");
        assert!(!shown.contains("s3cr3t") && shown.contains("https://x"), "{shown}");
        assert_eq!(e.data().and_then(|d| d["accessToken"].as_str()), Some("at.s3cr3t"), "the data itself is intact");
    }

    #[test]
    fn malformed_bodies_are_typed_decode_errors() {
        assert_eq!(kind(""), "empty");
        assert_eq!(kind("  \n"), "empty");
        assert_eq!(kind("<html>502 Bad Gateway</html>"), "json");
        assert_eq!(kind(r#"{"code":"200""#), "json");
        assert_eq!(kind("[1,2]"), "the body is not a JSON object");
        assert_eq!(kind(r#"{"msg":"no code"}"#), "`code` is missing");
        assert_eq!(kind(r#"{"code":null}"#), "`code` is missing");
        assert_eq!(kind(r#"{"code":""}"#), "`code` is empty");
        assert_eq!(kind(r#"{"code":{"x":1}}"#), "`code` is neither a string nor a number");
        assert_eq!(kind(r#"{"code":true}"#), "`code` is neither a string nor a number");
        assert_eq!(
            Envelope::parse(&[0xff, 0xfe, 0x00]).map(|_| ()).map_err(|e| e.to_string()),
            Err("invalid JSON".into())
        );
    }
}
