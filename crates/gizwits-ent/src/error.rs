//! Typed Gizwits error codes (every code of the seed's table, L1991-2183) with their class, and
//! the error envelope.
//!
//! The seed never shows an error body. The Chinese edition shows
//! `{"error_code":"5001","error_message":"body json invalid","detail":""}` (the code as a
//! string); other clients see numbers, and the Gizwits app API uses `detail_message`. All of
//! these are read. Auth failures come back as HTTP 400 and the quota error as 403, so the code,
//! not the HTTP status, decides the class.

use std::fmt;

use serde::Deserialize;
use watchpost_core::codec::lenient::LenientCode;
use watchpost_core::{Error, ErrorClass};

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $status:literal, $class:ident, $desc:literal; )+) => {
        /// A Gizwits system error code (`error_code`), from the seed's error table.
        ///
        /// [`GizwitsCode::class`] says what can be done about it; unknown codes are kept in
        /// [`GizwitsCode::Other`].
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum GizwitsCode {
            $( $(#[$doc])* $variant, )+
            /// A code the seed does not list, kept as sent.
            Other(String),
        }

        impl GizwitsCode {
            /// Every documented code, in table order.
            pub const ALL: &'static [GizwitsCode] = &[$( GizwitsCode::$variant, )+];

            /// The code from its text (`"5001"`, `" 5001 "`); unknown codes become [`Other`](Self::Other).
            pub fn from_code(code: &str) -> Self {
                match code.trim() {
                    $( stringify!($code) => GizwitsCode::$variant, )+
                    other => GizwitsCode::Other(other.to_owned()),
                }
            }

            /// The numeric code, when it is a number.
            pub fn code(&self) -> Option<u32> {
                match self {
                    $( GizwitsCode::$variant => Some($code), )+
                    GizwitsCode::Other(s) => s.trim().parse().ok(),
                }
            }

            /// The HTTP status the seed documents for it.
            pub fn http_status(&self) -> Option<u16> {
                match self {
                    $( GizwitsCode::$variant => Some($status), )+
                    GizwitsCode::Other(_) => None,
                }
            }

            /// The seed's description.
            pub fn description(&self) -> &'static str {
                match self {
                    $( GizwitsCode::$variant => $desc, )+
                    GizwitsCode::Other(_) => "undocumented error code",
                }
            }

            /// What can be done about it; for an unknown code, `None` (the HTTP status decides).
            pub fn documented_class(&self) -> Option<ErrorClass> {
                match self {
                    $( GizwitsCode::$variant => Some(ErrorClass::$class), )+
                    GizwitsCode::Other(_) => None,
                }
            }
        }
    };
}

codes! {
    /// 5001: the JSON body is invalid.
    BodyJsonInvalid = 5001, 400, Permanent, "body json invalid";
    /// 5002: a parameter is invalid.
    FormInvalid = 5002, 400, Permanent, "form invalid";
    /// 5003: the enterprise id does not exist (bad credentials).
    EnterpriseIdNotExist = 5003, 404, AuthRejected, "enterprise id not exist";
    /// 5004: the enterprise secret is wrong.
    EnterpriseSecretError = 5004, 400, AuthRejected, "enterprise secret error";
    /// 5005: the product secret is wrong.
    ProductSecretError = 5005, 400, AuthRejected, "product secret error";
    /// 5006: the product has device groups.
    ProductExistDeviceGroups = 5006, 400, Permanent, "product exist devicegroups";
    /// 5007: the Enterprise API service is not opened for the product.
    AssociationNotExist = 5007, 404, Permanent, "association not exist";
    /// 5008: the association already exists.
    AssociationExisted = 5008, 400, Permanent, "association existed";
    /// 5009: missing token or bad `Authorization` format: refresh once and replay.
    TokenInvalid = 5009, 400, AuthExpired, "token invalid";
    /// 5010: the token belongs to another product key: refresh once and replay.
    TokenNotMatchProductKey = 5010, 400, AuthExpired, "token not match product_key";
    /// 5011: the token expired: refresh once and replay.
    TokenExpired = 5011, 400, AuthExpired, "token has expired";
    /// 5012: the caller's IP is not in the enterprise's white list.
    IpNotInWhiteList = 5012, 400, Permanent, "ip not in white list";
    /// 5013: the hourly request quota is used up: wait for `X-RateLimit-Reset`.
    RateLimitExceeded = 5013, 403, RateLimited, "API call rate limit execeed quota";
    /// 5014: the report has not been generated yet (retry later).
    ReportNotGenerated = 5014, 400, Permanent, "Report has not been generated!";
    /// 5015: the product key does not exist.
    ProductKeyNotExist = 5015, 404, Permanent, "Product key not exist!";
    /// 5016: the appid does not exist (listed twice in the seed).
    AppidNotExist = 5016, 404, Permanent, "Appid not exist!";
    /// 5017: the uid does not exist.
    UidNotExist = 5017, 404, Permanent, "Uid not exist!";
    /// 5018: the operation is not allowed on the product.
    ProductOperationNotAllowed = 5018, 403, Permanent, "product operation not allowed";
    /// 5019: the organization does not exist.
    OrganizationNotExist = 5019, 404, Permanent, "organization does not exist";
    /// 5020: a published product cannot be deleted.
    CannotDeletePublishedProduct = 5020, 400, Permanent, "can not delete published product!";
    /// 5021: the enterprise already exists.
    EnterpriseExists = 5021, 400, Permanent, "enterprise is exist";
    /// 5022: the enterprise does not exist.
    EnterpriseNotExist = 5022, 404, Permanent, "enterprise does not exist";
    /// 5023: the enterprise is being created (retry later).
    EnterpriseCreating = 5023, 403, Permanent, "enterprise is creating";
    /// 5024: the API may not be visited.
    ApiDenied = 5024, 403, Permanent, "api deny to visit!";
    /// 5025: the product does not exist.
    ProductNotExist = 5025, 404, Permanent, "product does not exist";
    /// 5201: the device group belongs to another product.
    GroupNotBelongToProduct = 5201, 403, Permanent, "device group not belong to this product";
    /// 5202: the parent group does not exist.
    ParentGroupNotExist = 5202, 404, Permanent, "parent group not exist";
    /// 5203: the product already has a root group.
    RootGroupExists = 5203, 400, Permanent, "already has one root group";
    /// 5204: the group has child groups.
    GroupHasSubgroup = 5204, 400, Permanent, "group has subgroup";
    /// 5205: the group has devices.
    GroupHasDevice = 5205, 400, Permanent, "group has device item";
    /// 5206: the group does not exist.
    GroupNotExist = 5206, 404, Permanent, "group not exist";
    /// 5207: the product key is not in pre-assignment.
    ProductKeyNotInPreAssignment = 5207, 400, Permanent, "product key not in pre assignment!";
    /// 5208: a device assignment is in progress (retry later).
    AssignInProgress = 5208, 400, Permanent, "create assign device in progress!";
    /// 5301: the device does not exist.
    DeviceNotExist = 5301, 404, Permanent, "device not exist";
    /// 5302: the device belongs to another product.
    DeviceNotBelongToProduct = 5302, 403, Permanent, "device not belong to this product";
    /// 5303: the device is not bound.
    DeviceNotBound = 5303, 400, Permanent, "device not bound";
    /// 5304: the device is disabled.
    DeviceDisabled = 5304, 400, Permanent, "device is disabled";
    /// 5305: the device is offline (retry when it is online).
    DeviceOffline = 5305, 400, Permanent, "device offline!";
    /// 5401: a data point value is invalid.
    AttrInvalid = 5401, 400, Permanent, "attr invalid!";
    /// 5402: the product has no data points.
    DatapointNotFound = 5402, 404, Permanent, "datapoint data not found!";
    /// 5403: sending the command failed ("please try it again"): safe to repeat.
    SendCommandFailed = 5403, 400, Retryable, "send command failed!";
    /// 5404: remote control is not enabled for the product.
    RemoteControlNotAllowed = 5404, 403, Permanent, "remote control not allowed!";
    /// 5405: the data points do not exist.
    AttrsNotExist = 5405, 404, Permanent, "attrs not exist!";
    /// 5406: the data points are malformed.
    DatapointsMalformed = 5406, 500, Permanent, "Datapoints malformed";
    /// 5407: generating meta data failed.
    GenerateMetaFailed = 5407, 500, Retryable, "generate meta failed";
    /// 5408: the raw data is invalid.
    RawDataError = 5408, 400, Permanent, "raw data error!";
    /// 5409: an internal call failed.
    CallInnerApiFailed = 5409, 500, Retryable, "call innerapi failed!";
    /// 5501: the firmware does not exist.
    FirmwareNotExist = 5501, 404, Permanent, "firmware does not exist";
    /// 5502: the firmware version was already created.
    FirmwareVersionCreated = 5502, 400, Permanent, "firmware version has created";
    /// 5503: the firmware operation is not allowed.
    FirmwareOperationNotAllowed = 5503, 403, Permanent, "firmware operation not allowed";
    /// 5601: the time-series query failed.
    KairosdbQueryError = 5601, 500, Retryable, "kairosdb query error!";
    /// 5701: the enterprise may not reset passwords.
    NoResetPwdPermission = 5701, 403, Permanent, "This eid has no permission to reset pwd.";
    /// 5702: the enterprise may not reset passwords for this appid.
    NoResetPwdPermissionForAppid = 5702, 403, Permanent, "This eid has no permission to reset pwd for this appid.";
    /// 5703: an anonymous user's password cannot be reset.
    CannotResetAnonymousPwd = 5703, 400, Permanent, "Cannot reset pwd for anonymous user";
    /// 5801: the product keys are not associated with the enterprise.
    PksNotAssociated = 5801, 400, Permanent, "the pks has not associate with enterprise!";
    /// 5901: the x-service secret key is invalid.
    XServiceSecretInvalid = 5901, 400, AuthRejected, "x-service secret key invalid!";
}

impl GizwitsCode {
    /// What can be done about it, with the HTTP status deciding for unknown codes (5xx:
    /// retryable, 429: rate limited, otherwise permanent).
    pub fn class(&self, http_status: Option<u16>) -> ErrorClass {
        self.documented_class().unwrap_or(match http_status {
            Some(429) => ErrorClass::RateLimited,
            Some(s) if (500..600).contains(&s) && s != 501 => ErrorClass::Retryable,
            _ => ErrorClass::Permanent,
        })
    }

    /// Whether the condition may clear by itself later (device offline, report not generated,
    /// enterprise being created, assignment in progress): not worth an immediate retry, but
    /// worth trying again in a while.
    pub fn is_retry_later(&self) -> bool {
        matches!(
            self,
            GizwitsCode::DeviceOffline
                | GizwitsCode::ReportNotGenerated
                | GizwitsCode::EnterpriseCreating
                | GizwitsCode::AssignInProgress
        )
    }

    /// Whether a request that failed with this code had no effect and may be repeated even when
    /// it is not idempotent (5403 "send command failed, please try it again").
    pub fn safe_to_retry(&self) -> bool {
        matches!(self, GizwitsCode::SendCommandFailed)
    }

    /// The code as text (`"5001"`).
    pub fn as_code_str(&self) -> String {
        match self {
            GizwitsCode::Other(s) => s.clone(),
            known => known.code().map(|c| c.to_string()).unwrap_or_default(),
        }
    }
}

impl fmt::Display for GizwitsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.as_code_str(), self.description())
    }
}

/// Reads the Gizwits code of a watchpost [`Error`].
pub trait GizwitsErrorExt {
    /// The Gizwits `error_code` of this error, when the service sent one.
    fn gizwits_code(&self) -> Option<GizwitsCode>;
}

impl GizwitsErrorExt for Error {
    fn gizwits_code(&self) -> Option<GizwitsCode> {
        self.vendor_code().map(GizwitsCode::from_code)
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
        let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
        if *first != b'{' {
            return None;
        }
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        let obj = v.as_object()?;
        if !obj.contains_key("error_code") {
            return None;
        }
        // A detail that is an object or array is not text: keep the code and message anyway.
        let mut clean = obj.clone();
        for key in ["detail", "detail_message"] {
            if clean.get(key).is_some_and(|d| d.is_object() || d.is_array()) {
                clean.remove(key);
            }
        }
        if clean.get("error_message").is_some_and(|d| d.is_object() || d.is_array()) {
            clean.remove("error_message");
        }
        serde_json::from_value(serde_json::Value::Object(clean)).ok()
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
            let text = c.as_code_str();
            assert_eq!(&GizwitsCode::from_code(&text), c);
            assert!(c.http_status().is_some() && !c.description().is_empty());
        }
        assert_eq!(GizwitsCode::from_code("5013").http_status(), Some(403));
        assert_eq!(GizwitsCode::TokenExpired.class(Some(400)), ErrorClass::AuthExpired);
        assert_eq!(GizwitsCode::TokenInvalid.class(Some(400)), ErrorClass::AuthExpired);
        assert_eq!(GizwitsCode::RateLimitExceeded.class(Some(403)), ErrorClass::RateLimited);
        assert_eq!(GizwitsCode::EnterpriseSecretError.class(Some(400)), ErrorClass::AuthRejected);
        assert_eq!(GizwitsCode::KairosdbQueryError.class(Some(500)), ErrorClass::Retryable);
        assert!(GizwitsCode::SendCommandFailed.safe_to_retry());
        assert!(GizwitsCode::DeviceOffline.is_retry_later());
        let unknown = GizwitsCode::from_code("9999");
        assert_eq!(unknown, GizwitsCode::Other("9999".into()));
        assert_eq!(unknown.class(Some(503)), ErrorClass::Retryable);
        assert_eq!(unknown.class(Some(400)), ErrorClass::Permanent);
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
