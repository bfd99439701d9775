//! EZVIZ result codes, generated from the `[[error_code]]` rows of `spec/ezviz.toml` (codes,
//! classes, descriptions, retry rules), and their conversion into a [`watchpost_core::Error`],
//! whose `code` member keeps the code as text ([`EzvizErrorExt::ezviz_code`] types it again):
//!
//! ```
//! use ezviz_lapp::{EzvizCode, EzvizErrorExt as _};
//! use watchpost_core::ErrorClass;
//!
//! let err = ezviz_lapp::error::to_error("device.info", Some(200), "20007", Some("Device offline"));
//! assert_eq!(err.ezviz_code(), Some(EzvizCode::DeviceOffline));
//! assert!(err.is_device_offline());
//! assert_eq!(err.class(), ErrorClass::Permanent); // reported at once, never retried
//! ```

use watchpost_core::Error;

pub use crate::generated::codes::{code_class, code_max_attempts, code_safe_to_retry, EzvizCode, EzvizErrorExt};

/// The [`Error`] for an EZVIZ code, of the class the code table gives it ([`code_class`]): see
/// [`Error::from_code`] (10002 is an expired [`Error::Auth`], 10017 and 10030 rejected ones,
/// 60020 [`Error::Unsupported`], every other code [`Error::Api`]).
pub fn to_error(op: &str, status: Option<u16>, code: &str, message: Option<&str>) -> Error {
    Error::from_code(op, status, code, message, code_class(code))
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchpost_core::ErrorClass;

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
    fn unknown_codes_are_kept_with_their_message() {
        let e = to_error("device.info", Some(200), "10031", Some("frequency limit"));
        assert_eq!(e.ezviz_code(), Some(EzvizCode::Other("10031".into())));
        assert_eq!(e.vendor_message(), Some("frequency limit"));
        assert_eq!(e.class(), ErrorClass::Permanent);
    }

    #[test]
    fn codes_serialize_as_text_and_read_numbers() {
        assert_eq!(serde_json::to_string(&EzvizCode::DeviceBusy).unwrap(), r#""20008""#);
        let c: EzvizCode = serde_json::from_str("20008").unwrap();
        assert_eq!(c, EzvizCode::DeviceBusy);
        assert_eq!(EzvizCode::from_code(" 60022 ").to_string(), "60022");
    }
}
