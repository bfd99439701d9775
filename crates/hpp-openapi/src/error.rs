//! Hik-Partner Pro error codes: every code of Appendix A.1, typed, with its retry class, and the
//! conversion of an envelope code into a [`watchpost_core::Error`].
//!
//! The table is generated from the `[[error_code]]` rows of `spec/hpp.toml`; this module adds the
//! conversion into an [`Error`] and [`code_in`], which finds a code inside a per-item text
//! (`"add Exception{LAP006001}"`).
//!
//! ```
//! use hpp_openapi::{HppCode, HppErrorExt as _};
//! use watchpost_core::ErrorClass;
//!
//! let err = hpp_openapi::error::to_error("device.list", Some(200), "EVZ20007", Some("The device is offline."));
//! assert_eq!(err.hpp_code(), Some(HppCode::DeviceOffline));
//! assert_eq!(err.class(), ErrorClass::Retryable);
//! ```

use watchpost_core::{Error, ErrorClass};

pub use crate::generated::codes::{code_class, code_max_attempts, code_safe_to_retry, HppCode, HppErrorExt};

/// Builds the [`Error`] for an HPP `errorCode`: the four token codes (LAP500002..5) become
/// [`Error::Auth`] with `expired` (the client refreshes once and replays once), the key codes
/// LAP300001..3 and LAP001005 [`Error::Auth`] (rejected), the "not supported" codes
/// [`Error::Unsupported`], every other code [`Error::Api`] with the code's class (unknown codes
/// permanent). The code and message are kept as sent.
pub fn to_error(op: &str, status: Option<u16>, code: &str, message: Option<&str>) -> Error {
    let typed = HppCode::from_code(code);
    let class = typed.class();
    let code = Some(code.trim().to_owned());
    let message = message.map(str::to_owned);
    let op = op.to_owned();
    match class {
        ErrorClass::AuthExpired => {
            Error::Auth { op, status, code, message, expired: true, lockout: Default::default() }
        }
        ErrorClass::AuthRejected => {
            Error::Auth { op, status, code, message, expired: false, lockout: Default::default() }
        }
        ErrorClass::Unsupported => Error::Unsupported { op, status, code, message },
        _ => Error::api(op, status, code, message, class),
    }
}

/// The first HPP code inside a text, as per-item failures carry them (`"add Exception{LAP006001}"`,
/// `"EVZ20008"`): `LAP` + 6 digits or `EVZ` + 5 digits, not part of a longer word or number.
pub fn code_in(text: &str) -> Option<HppCode> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 3 <= bytes.len() {
        let prefix = bytes.get(i..i + 3)?;
        let digits = match prefix {
            b"LAP" => 6,
            b"EVZ" => 5,
            _ => {
                i += 1;
                continue;
            }
        };
        let before_ok = i == 0 || bytes.get(i - 1).is_some_and(|b| !b.is_ascii_alphanumeric());
        let end = i + 3 + digits;
        let run = bytes.get(i + 3..end).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
        let after_ok = bytes.get(end).is_none_or(|b| !b.is_ascii_alphanumeric());
        if before_ok && run && after_ok {
            return text.get(i..end).map(HppCode::from_code);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appendix_a1_has_124_distinct_typed_codes() {
        assert_eq!(HppCode::ALL.len(), 124);
        for c in HppCode::ALL {
            assert!(!matches!(c, HppCode::Other(_)));
            assert_eq!(&HppCode::from_code(c.as_str()), c);
            assert!(!c.description().is_empty());
        }
    }

    #[test]
    fn classes_follow_the_notes() {
        use ErrorClass::*;
        let class = |c: &str| HppCode::from_code(c).class();
        for c in ["LAP500002", "LAP500003", "LAP500004", "LAP500005"] {
            assert_eq!(class(c), AuthExpired, "{c}");
        }
        for c in ["LAP500007", "EVZ10007", "EVZ10029", "LAP004040"] {
            assert_eq!(class(c), RateLimited, "{c}");
        }
        for c in ["LAP068001", "LAP000000", "EVZ20007", "EVZ20008", "LAP500001"] {
            assert_eq!(class(c), Retryable, "{c}");
        }
        for c in ["LAP300001", "LAP300002"] {
            assert_eq!(class(c), AuthRejected, "{c}");
        }
        assert_eq!(class("LAP000001"), Permanent);
        assert_eq!(class("EVZ60020"), Unsupported);
        assert_eq!(class("LAP999999"), Permanent);
    }

    #[test]
    fn codes_map_to_core_variants_and_unknown_ones_are_kept() {
        let e = to_error("x", Some(200), "LAP500004", Some("expired"));
        assert!(matches!(e, Error::Auth { expired: true, .. }));
        let e = to_error("x", Some(200), "LAP300002", None);
        assert_eq!(e.class(), ErrorClass::AuthRejected);
        let e = to_error("x", Some(200), "LAP123456", Some("new code"));
        assert_eq!(e.hpp_code(), Some(HppCode::Other("LAP123456".into())));
        assert_eq!(e.vendor_message(), Some("new code"));
        assert!(to_error("x", None, "EVZ20007", None).is_device_offline());
    }

    #[test]
    fn codes_are_found_inside_texts() {
        assert_eq!(code_in("add Exception{LAP006001}"), Some(HppCode::AddingDeviceFailed));
        assert_eq!(code_in("EVZ20008"), Some(HppCode::DeviceTimeout));
        assert_eq!(code_in("x LAP999999 y"), Some(HppCode::Other("LAP999999".into())));
        assert_eq!(code_in("LAP00600"), None, "too short");
        assert_eq!(code_in("LAP0060011"), None, "too long");
        assert_eq!(code_in("XLAP006001"), None);
        assert_eq!(code_in("ЛAP006001 é LAP"), None);
        assert_eq!(code_in(""), None);
    }
}
