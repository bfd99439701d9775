//! EZVIZ result codes, generated from the `[[error_code]]` rows of `spec/ezviz.toml` (codes,
//! classes, descriptions, retry rules), and their conversion into a [`watchpost_core::Error`],
//! whose `code` member keeps the code as text ([`EzvizErrorExt::ezviz_code`] types it again):
//!
//! ```
//! use ezviz_lapp::{EzvizCode, EzvizErrorExt as _};
//! use watchpost_core::{Error, ErrorClass};
//!
//! let err = ezviz_lapp::error::to_error("device.info", Some(200), "20007", Some("Device offline"), ErrorClass::Permanent);
//! assert_eq!(err.ezviz_code(), Some(EzvizCode::DeviceOffline));
//! assert!(err.is_device_offline());
//! assert_eq!(err.class(), ErrorClass::Permanent); // reported at once, never retried
//! ```

use watchpost_core::{Error, ErrorClass};

pub use crate::generated::codes::{code_class, code_max_attempts, code_safe_to_retry, EzvizCode, EzvizErrorExt};

/// The [`Error`] for an EZVIZ code of class `class` (normally [`EzvizCode::class`]): see
/// [`Error::from_code`] (10002 is an expired [`Error::Auth`], 10017 and 10030 rejected ones,
/// 60020 [`Error::Unsupported`], every other code [`Error::Api`]).
pub fn to_error(op: &str, status: Option<u16>, code: &str, message: Option<&str>, class: ErrorClass) -> Error {
    Error::from_code(op, status, code, message, class)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code of the seed's tables (sections 1.1 to 1.25), collected from the document.
    const SEED_CODES: &[&str] = &[
        "10001", "10002", "10004", "10005", "20002", "20006", "20007", "20008", "20010", "20014", "20018", "20032",
        "49999", "50000", "60016", "60019", "60020", "60022",
    ];

    #[test]
    fn every_seed_code_is_typed_and_round_trips() {
        for code in SEED_CODES {
            let typed = EzvizCode::from_code(code);
            assert!(!matches!(typed, EzvizCode::Other(_)), "{code} is not typed");
            assert_eq!(typed.as_str(), *code);
            assert!(!typed.description().is_empty());
            assert!(EzvizCode::ALL.contains(&typed));
        }
        assert_eq!(EzvizCode::ALL.len(), SEED_CODES.len() + 2, "the seed's codes plus 10017 and 10030");
    }

    #[test]
    fn classes_follow_the_issue() {
        use ErrorClass::*;
        let class = |c: &str| EzvizCode::from_code(c).class();
        assert_eq!(class("10002"), AuthExpired);
        for c in ["20006", "20008", "50000", "49999"] {
            assert_eq!(class(c), Retryable, "{c}");
            assert!(EzvizCode::from_code(c).safe_to_retry());
        }
        assert_eq!(class("20007"), Permanent);
        assert!(!EzvizCode::DeviceOffline.safe_to_retry());
        assert_eq!(class("60020"), Unsupported);
        for c in ["10001", "10004", "10005", "20002", "20010", "20014", "20018", "20032", "60016", "60019", "60022"] {
            assert_eq!(class(c), Permanent, "{c}");
        }
        assert_eq!(class("10017"), AuthRejected);
        assert_eq!(class("12345"), Permanent);
        for c in ["60016", "60019", "60022"] {
            assert!(EzvizCode::from_code(c).is_already_in_state());
        }
    }

    #[test]
    fn unknown_codes_are_kept_with_their_message() {
        let e = to_error("device.info", Some(200), "10031", Some("frequency limit"), ErrorClass::Permanent);
        assert_eq!(e.ezviz_code(), Some(EzvizCode::Other("10031".into())));
        assert_eq!(e.vendor_message(), Some("frequency limit"));
        assert_eq!(e.class(), ErrorClass::Permanent);
    }

    #[test]
    fn codes_map_to_core_variants() {
        assert!(to_error("x", Some(200), "60022", None, ErrorClass::Permanent).is_already_in_state());
        assert!(to_error("x", Some(200), "20008", None, ErrorClass::Retryable).is_device_busy());
        assert!(to_error("x", Some(200), "60020", None, ErrorClass::Unsupported).is_not_supported());
    }

    #[test]
    fn codes_serialize_as_text_and_read_numbers() {
        assert_eq!(serde_json::to_string(&EzvizCode::DeviceBusy).unwrap(), r#""20008""#);
        let c: EzvizCode = serde_json::from_str("20008").unwrap();
        assert_eq!(c, EzvizCode::DeviceBusy);
        assert_eq!(EzvizCode::from_code(" 60022 ").to_string(), "60022");
    }
}
