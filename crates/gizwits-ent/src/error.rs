//! Typed Gizwits error codes (every code of the seed's table, L1991-2183) with their class, and
//! the error envelope.
//!
//! The seed never shows an error body. The Chinese edition shows
//! `{"error_code":"5001","error_message":"body json invalid","detail":""}` (the code as a
//! string); other clients see numbers, and the Gizwits app API uses `detail_message`. All of
//! these are read. The code table is generated from the `[[error_code]]` rows of
//! `spec/gizwits.toml`. Auth failures come back as HTTP 400 and the quota error as 403, so the code,
//! not the HTTP status, decides the class.

use serde::Deserialize;
use watchpost_core::codec::lenient::LenientCode;
use watchpost_core::ErrorClass;

pub use crate::generated::codes::{code_class, code_max_attempts, code_safe_to_retry, GizwitsCode, GizwitsErrorExt};

impl GizwitsCode {
    /// The numeric code, when it is a number.
    pub fn code(&self) -> Option<u32> {
        self.as_str().parse().ok()
    }

    /// What can be done about it, with the HTTP status deciding for unknown codes (5xx:
    /// retryable, 429: rate limited, otherwise permanent).
    pub fn class_for_status(&self, http_status: Option<u16>) -> ErrorClass {
        self.documented_class().unwrap_or(match http_status {
            Some(429) => ErrorClass::RateLimited,
            Some(s) if (500..600).contains(&s) && s != 501 => ErrorClass::Retryable,
            _ => ErrorClass::Permanent,
        })
    }
}

/// An error body: `error_code` (number or string), `error_message`, and a detail under
/// `detail_message` or `detail`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ErrorEnvelope {
    /// The system error code.
    pub error_code: LenientCode,
    /// The message.
    #[serde(default, with = "watchpost_core::codec::lenient::opt_string")]
    pub error_message: Option<String>,
    /// Further detail.
    #[serde(default, alias = "detail", with = "watchpost_core::codec::lenient::opt_string")]
    pub detail_message: Option<String>,
}

impl ErrorEnvelope {
    /// Parses an error body; `None` when the body is not a JSON object with an `error_code`.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let serde_json::Value::Object(mut obj) = serde_json::from_slice(body).ok()? else { return None };
        // A message or detail that is an object or array is not text: keep the code anyway.
        obj.retain(|k, v| k == "error_code" || !(v.is_object() || v.is_array()));
        obj.contains_key("error_code").then(|| serde_json::from_value(serde_json::Value::Object(obj)).ok())?
    }

    /// The typed code.
    pub fn code(&self) -> GizwitsCode {
        GizwitsCode::from_code(self.error_code.as_str())
    }

    /// The message, with the detail appended when there is one.
    pub fn message(&self) -> Option<String> {
        match (&self.error_message, &self.detail_message) {
            (Some(m), Some(d)) if !d.trim().is_empty() && d != m => Some(format!("{m}: {d}")),
            (Some(m), _) => Some(m.clone()),
            (None, Some(d)) => Some(d.clone()),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_of_the_table_is_typed_with_its_status_and_class() {
        assert_eq!(GizwitsCode::ALL.len(), 56);
        for c in GizwitsCode::ALL {
            assert_eq!(&GizwitsCode::from_code(c.as_str()), c);
            assert!(c.http_status().is_some() && !c.description().is_empty());
        }
        assert_eq!(GizwitsCode::from_code("5013").http_status(), Some(403));
        assert_eq!(GizwitsCode::TokenExpired.class_for_status(Some(400)), ErrorClass::AuthExpired);
        assert_eq!(GizwitsCode::TokenInvalid.class_for_status(Some(400)), ErrorClass::AuthExpired);
        assert_eq!(GizwitsCode::RateLimitExceeded.class_for_status(Some(403)), ErrorClass::RateLimited);
        assert_eq!(GizwitsCode::EnterpriseSecretError.class_for_status(Some(400)), ErrorClass::AuthRejected);
        assert_eq!(GizwitsCode::KairosdbQueryError.class_for_status(Some(500)), ErrorClass::Retryable);
        assert!(GizwitsCode::SendCommandFailed.safe_to_retry());
        assert!(GizwitsCode::DeviceOffline.is_retry_later());
        let unknown = GizwitsCode::from_code("9999");
        assert_eq!(unknown, GizwitsCode::Other("9999".into()));
        assert_eq!(unknown.class_for_status(Some(503)), ErrorClass::Retryable);
        assert_eq!(unknown.class_for_status(Some(400)), ErrorClass::Permanent);
        assert_eq!(unknown.code(), Some(9999));
        assert_eq!(GizwitsCode::DeviceNotExist.to_string(), "5301 (device not exist)");
    }

    #[test]
    fn envelopes_with_string_or_number_codes_parse() {
        let e =
            ErrorEnvelope::parse(br#"{"error_code":"5001","error_message":"body json invalid","detail":""}"#).unwrap();
        assert_eq!(e.code(), GizwitsCode::BodyJsonInvalid);
        assert_eq!(e.message().as_deref(), Some("body json invalid"));
        let e = ErrorEnvelope::parse(
            br#" {"error_code":5011,"error_message":"token has expired","detail_message":"renew"}"#,
        )
        .unwrap();
        assert_eq!(e.code(), GizwitsCode::TokenExpired);
        assert_eq!(e.message().as_deref(), Some("token has expired: renew"));
        let e = ErrorEnvelope::parse(br#"{"error_code":5301,"detail":{"did":"x"}}"#).unwrap();
        assert_eq!(e.code(), GizwitsCode::DeviceNotExist);
        assert!(ErrorEnvelope::parse(b"<html>502 Bad Gateway</html>").is_none());
        assert!(ErrorEnvelope::parse(br#"{"error_code": }"#).is_none());
        assert!(ErrorEnvelope::parse(br#"{"token":"x"}"#).is_none());
        assert!(ErrorEnvelope::parse(b"").is_none());
    }
}
