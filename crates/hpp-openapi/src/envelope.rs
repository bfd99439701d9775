//! The Hik-Partner Pro response envelope `{"errorCode": "0", "data": ..., "message": ...}`.
//!
//! Success is `errorCode == "0"` and nothing else; `errorCode` is a string in the guide but is
//! read from a number too. `data` is an object, a bare array, a paged object, a `{list}` wrapper
//! or absent (no-data operations answer `{"errorCode":"0"}`); the typed models are the type of
//! `data`, so all of these are the model's business. `message` is optional (`"Ok"`, `"ok"`).
//!
//! The token endpoint's own example (3.1) is flat: no `errorCode`, no `data`, the token's keys at
//! the top level. [`Envelope::parse_token`] reads that form too; every other answer must carry
//! an `errorCode`.
//!
//! [`Envelope::parse`] never panics: an empty body, a body that is not JSON, a JSON value that is
//! not an object and a missing or non-scalar `errorCode` are each a typed [`DecodeError`].

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use watchpost_core::error::DecodeError;
use watchpost_core::{RawResponse, Result};

use crate::error::{to_error, HppCode};

/// The member holding the code.
const CODE: &str = "errorCode";

/// A decoded HPP envelope. Its `Debug` output hides `data.accessToken` (the token answer).
#[derive(Clone, PartialEq)]
pub struct Envelope {
    code: String,
    message: Option<String>,
    data: Option<Value>,
}

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let data = self.data.as_ref().map(|d| match d {
            Value::Object(map) if map.keys().any(|k| k.trim() == "accessToken") => {
                let shown: Map<String, Value> = map
                    .iter()
                    .map(|(k, v)| {
                        let v = if k.trim() == "accessToken" { Value::String("***".into()) } else { v.clone() };
                        (k.clone(), v)
                    })
                    .collect();
                Value::Object(shown)
            }
            other => other.clone(),
        });
        f.debug_struct("Envelope")
            .field("code", &self.code)
            .field("message", &self.message)
            .field("data", &data)
            .finish()
    }
}

/// Reads the body as a JSON object.
fn object(body: &[u8]) -> Result<Map<String, Value>, DecodeError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(DecodeError::Empty);
    }
    let value: Value = watchpost_core::codec::json::from_slice(body)?;
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(DecodeError::Envelope { message: "the body is not a JSON object".to_owned() }),
    }
}

impl Envelope {
    /// Reads an envelope from a response body.
    ///
    /// # Errors
    /// [`DecodeError::Empty`] for an empty (or all-whitespace) body, [`DecodeError::Json`] for a
    /// body that is not JSON, [`DecodeError::Envelope`] for JSON that is not an object or whose
    /// `errorCode` is missing, empty or neither a string nor a number.
    pub fn parse(body: &[u8]) -> Result<Envelope, DecodeError> {
        Self::from_object(object(body)?)
    }

    /// Reads the token endpoint's answer: an envelope, or the flat form of the section's own
    /// example (no `errorCode`, an `accessToken` member, keys possibly with trailing spaces),
    /// which is taken as a success whose `data` is the whole object.
    ///
    /// # Errors
    /// As [`parse`](Self::parse) when the body is neither form.
    pub fn parse_token(body: &[u8]) -> Result<Envelope, DecodeError> {
        let map = object(body)?;
        let has_code = map.get(CODE).is_some_and(|c| !c.is_null());
        if !has_code && map.keys().any(|k| k.trim() == "accessToken") {
            return Ok(Envelope { code: "0".to_owned(), message: None, data: Some(Value::Object(map)) });
        }
        Self::from_object(map)
    }

    fn from_object(mut map: Map<String, Value>) -> Result<Envelope, DecodeError> {
        let code = match map.remove(CODE) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
            Some(Value::String(_)) => return Err(DecodeError::Envelope { message: "`errorCode` is empty".to_owned() }),
            Some(Value::Number(n)) => n.to_string(),
            None | Some(Value::Null) => {
                return Err(DecodeError::Envelope { message: "`errorCode` is missing".to_owned() });
            }
            Some(_) => {
                return Err(DecodeError::Envelope {
                    message: "`errorCode` is neither a string nor a number".to_owned(),
                });
            }
        };
        let message = match map.remove("message") {
            Some(Value::String(s)) => Some(s),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let data = map.remove("data").filter(|d| !d.is_null());
        Ok(Envelope { code, message, data })
    }

    /// The code as sent (numbers in decimal).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The message, when there is one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The `data` member (`None` when absent or `null`).
    pub fn data(&self) -> Option<&Value> {
        self.data.as_ref()
    }

    /// Whether the code is `"0"`.
    pub fn is_success(&self) -> bool {
        self.code == "0"
    }

    /// The code typed, or `None` on success.
    pub fn hpp_code(&self) -> Option<HppCode> {
        (!self.is_success()).then(|| HppCode::from_code(&self.code))
    }

    /// Decodes `data` into `T` (an absent `data` is read as `null`, which `()` and `Option`
    /// accept).
    ///
    /// # Errors
    /// [`DecodeError::Json`] when `data` does not have the shape of `T`, with the path of the
    /// failing field from the envelope (`data.rows[3].status`).
    pub fn data_as<T: DeserializeOwned>(&self) -> Result<T, DecodeError> {
        let data = self.data.clone().unwrap_or(Value::Null);
        watchpost_core::codec::json::from_value(data).map_err(|e| e.under("data"))
    }

    /// Decodes a successful envelope's `data` into `T`; an error code is the operation's error.
    ///
    /// # Errors
    /// The code's error, or [`watchpost_core::Error::Decode`] when `data` does not fit `T`.
    pub fn into_result<T: DeserializeOwned>(&self, resp: &RawResponse) -> Result<T> {
        if !self.is_success() {
            return Err(to_error(resp.op, Some(resp.status.as_u16()), &self.code, self.message()));
        }
        self.data_as().map_err(|e| resp.decode_error(e))
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
    fn the_code_is_a_string_or_a_number_and_only_0_is_success() {
        let e = Envelope::parse(br#"{"errorCode":"0","message":"Ok"}"#).unwrap();
        assert!(e.is_success() && e.data().is_none());
        assert_eq!(e.message(), Some("Ok"));
        assert!(Envelope::parse(br#"{"errorCode":0,"data":null}"#).unwrap().is_success());
        let e = Envelope::parse(br#"{"errorCode":"EVZ20007"}"#).unwrap();
        assert_eq!(e.hpp_code(), Some(HppCode::DeviceOffline));
        assert!(!Envelope::parse(br#"{"errorCode":"00"}"#).unwrap().is_success());
    }

    #[test]
    fn data_shapes_decode_into_their_models() {
        let e = Envelope::parse(br#"{"data":[{"a":1}],"errorCode":"0"}"#).unwrap();
        assert_eq!(e.data_as::<Vec<Value>>().unwrap().len(), 1);
        let e = Envelope::parse(br#"{"data":{"list":[1,2]},"errorCode":"0","message":"ok"}"#).unwrap();
        assert_eq!(e.data().and_then(|d| d["list"].as_array()).map(Vec::len), Some(2));
        let e =
            Envelope::parse(br#"{"data":{"page":1,"pageSize":20,"rows":[],"total":0,"totalPage":0},"errorCode":"0"}"#)
                .unwrap();
        let p: crate::models::common::Page<Value> = e.data_as().unwrap();
        assert_eq!(p.page_size, 20);
        let e = Envelope::parse(br#"{"errorCode":"0"}"#).unwrap();
        e.data_as::<()>().unwrap();
        assert!(e.data_as::<Vec<u8>>().is_err());
    }

    #[test]
    fn the_flat_token_form_is_read_only_by_parse_token() {
        let flat = br#"{"accessToken ": "jmna8", "expireTime ": 1585747008592, "areaDomain": "https://ieuapi.hik-partner.com"}"#;
        assert!(Envelope::parse(flat).is_err());
        let e = Envelope::parse_token(flat).unwrap();
        assert!(e.is_success());
        assert!(!format!("{e:?}").contains("jmna8"));
        let e = Envelope::parse_token(br#"{"errorCode":"LAP300001"}"#).unwrap();
        assert_eq!(e.hpp_code(), Some(HppCode::AkNotFound));
    }

    #[test]
    fn malformed_bodies_are_typed_decode_errors() {
        assert_eq!(kind(""), "empty");
        assert_eq!(kind(" \n"), "empty");
        assert_eq!(kind("<html>502 Bad Gateway</html>"), "json");
        assert_eq!(kind(r#"{"errorCode":"0""#), "json");
        assert_eq!(kind("[1,2]"), "the body is not a JSON object");
        assert_eq!(kind(r#"{"data":{}}"#), "`errorCode` is missing");
        assert_eq!(kind(r#"{"errorCode":""}"#), "`errorCode` is empty");
        assert_eq!(kind(r#"{"errorCode":{"x":1}}"#), "`errorCode` is neither a string nor a number");
        assert_eq!(kind(r#"{"errorCode":[]}"#), "`errorCode` is neither a string nor a number");
        assert!(Envelope::parse(&[0xff, 0xfe]).is_err());
    }
}
