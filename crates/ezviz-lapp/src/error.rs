//! EZVIZ result codes: every code of the seed's tables, typed, with its retry class, and the
//! conversion of an envelope code into a [`watchpost_core::Error`].
//!
//! Every fallible call of this crate returns [`watchpost_core::Error`]; the EZVIZ code travels in
//! its `code` member (as text) and [`EzvizErrorExt::ezviz_code`] gives it back typed:
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

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use watchpost_core::{Error, ErrorClass};

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $class:ident, $text:literal; )*) => {
        /// An EZVIZ result code other than `200`.
        ///
        /// One variant per code in the error tables of the seed (sections 1.1 to 1.25) and of the
        /// token endpoint; [`EzvizCode::Other`] keeps any other code as sent.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EzvizCode {
            $( $(#[$doc])* $variant, )*
            /// A code the seed does not document, kept as sent.
            Other(String),
        }

        impl EzvizCode {
            /// Every documented code, in numeric order.
            pub const ALL: &'static [EzvizCode] = &[$(EzvizCode::$variant),*];

            /// The code from its text (`"20007"`); unknown codes become [`EzvizCode::Other`].
            pub fn from_code(code: &str) -> Self {
                match code.trim() {
                    $( $code => EzvizCode::$variant, )*
                    other => EzvizCode::Other(other.to_owned()),
                }
            }

            /// The code as text, as the service sends it.
            pub fn code(&self) -> &str {
                match self {
                    $( EzvizCode::$variant => $code, )*
                    EzvizCode::Other(code) => code,
                }
            }

            /// What can be done about this code (see the crate docs for the table).
            pub fn class(&self) -> ErrorClass {
                match self {
                    $( EzvizCode::$variant => ErrorClass::$class, )*
                    EzvizCode::Other(_) => ErrorClass::Permanent,
                }
            }

            /// The seed's description of the code (empty for [`EzvizCode::Other`]).
            pub fn description(&self) -> &'static str {
                match self {
                    $( EzvizCode::$variant => $text, )*
                    EzvizCode::Other(_) => "",
                }
            }
        }
    };
}

codes! {
    /// 10001: parameters are empty or the format is incorrect.
    InvalidParameters = "10001", Permanent, "Parameters error. Parameters are empty or the format is incorrect.";
    /// 10002: the accessToken is invalid or expired; get a new one (the client refreshes once).
    AccessTokenExpired = "10002", AuthExpired, "accessToken exception or is expired. Get accessToken again.";
    /// 10004: the user does not exist.
    UserNotFound = "10004", Permanent, "The user does not exist.";
    /// 10005: the appKey is frozen.
    AppKeyFrozen = "10005", Permanent, "appKey exception. appKey is frozen.";
    /// 10017: the appKey does not exist (token endpoint; documented outside the seed).
    AppKeyNotFound = "10017", AuthRejected, "appKey does not exist.";
    /// 10030: the appKey and appSecret do not match (token endpoint; documented outside the seed).
    AppSecretMismatch = "10030", AuthRejected, "appKey and appSecret mismatched.";
    /// 20002: the device does not exist.
    DeviceNotFound = "20002", Permanent, "Device does not exist.";
    /// 20006: network exception between the platform and the device; try later (retried).
    NetworkError = "20006", Retryable, "Network exception. Check the device network status. Try later.";
    /// 20007: the device is offline (reported at once, not retried).
    DeviceOffline = "20007", Permanent, "Device offline. Check the device online status.";
    /// 20008: device response timeout, too many operations; try later (retried with backoff).
    DeviceBusy = "20008", Retryable, "Device response overtime. Too many operations. Try later.";
    /// 20010: wrong device verification code.
    WrongVerificationCode = "20010", Permanent, "Device verification code error. Check the device verification code.";
    /// 20014: the deviceSerial is not a valid serial.
    IllegalSerial = "20014", Permanent, "Illegal deviceSerial.";
    /// 20018: the account does not own the device.
    NotOwner = "20018", Permanent, "The user does not have this device. Check whether the device belongs to the current account.";
    /// 20032: the channel does not exist.
    ChannelNotFound = "20032", Permanent, "The channel does not exist.";
    /// 49999: data exception while calling the API (retried once).
    DataException = "49999", Retryable, "Data exception. Calling the API exception.";
    /// 50000: service exception (retried with backoff).
    ServiceException = "50000", Retryable, "Service exception. System service exception.";
    /// 60016: encryption is already disabled: "already in that state".
    EncryptionAlreadyDisabled = "60016", Permanent, "Encryption is already disabled.";
    /// 60019: encryption is already enabled: "already in that state".
    EncryptionAlreadyEnabled = "60019", Permanent, "Encryption is already enabled.";
    /// 60020: the device does not support this command (the seed also words it "Subscription failed").
    NotSupported = "60020", Unsupported, "This command is not supported.";
    /// 60022: the device is already in the requested state.
    AlreadyCurrentStatus = "60022", Permanent, "Already the current status.";
}

impl EzvizCode {
    /// Whether the code means "the device is already in the requested state" (60016, 60019,
    /// 60022): the set operations report it as [`SetOutcome::AlreadyInState`](crate::models::SetOutcome).
    pub fn is_already_in_state(&self) -> bool {
        matches!(
            self,
            EzvizCode::EncryptionAlreadyDisabled
                | EzvizCode::EncryptionAlreadyEnabled
                | EzvizCode::AlreadyCurrentStatus
        )
    }

    /// Whether the EZVIZ documentation says the request had no effect and may simply be repeated
    /// (20006, 20008, 49999, 50000).
    pub fn is_safe_to_retry(&self) -> bool {
        matches!(
            self,
            EzvizCode::NetworkError | EzvizCode::DeviceBusy | EzvizCode::DataException | EzvizCode::ServiceException
        )
    }
}

impl fmt::Display for EzvizCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for EzvizCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for EzvizCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = watchpost_core::codec::lenient::LenientCode::deserialize(deserializer)?;
        Ok(EzvizCode::from_code(code.as_str()))
    }
}

/// Builds the [`Error`] for an EZVIZ code (`class` is the class to report, normally
/// [`EzvizCode::class`]): 10002 becomes [`Error::Auth`] with `expired`, 10017 and 10030
/// [`Error::Auth`] (rejected), 60020 [`Error::Unsupported`], every other code [`Error::Api`].
/// The code and message are kept as sent.
pub fn to_error(op: &str, status: Option<u16>, code: &str, message: Option<&str>, class: ErrorClass) -> Error {
    let typed = EzvizCode::from_code(code);
    let code = Some(code.to_owned());
    let message = message.map(str::to_owned);
    let op = op.to_owned();
    match typed {
        EzvizCode::AccessTokenExpired => {
            Error::Auth { op, status, code, message, expired: true, lockout: Default::default() }
        }
        EzvizCode::AppKeyNotFound | EzvizCode::AppSecretMismatch => {
            Error::Auth { op, status, code, message, expired: false, lockout: Default::default() }
        }
        EzvizCode::NotSupported => Error::Unsupported { op, status, code, message },
        _ => Error::api(op, status, code, message, class),
    }
}

/// EZVIZ views of a [`watchpost_core::Error`].
pub trait EzvizErrorExt {
    /// The EZVIZ code the service answered, typed (`None` for transport, timeout and decode errors).
    fn ezviz_code(&self) -> Option<EzvizCode>;

    /// Whether the device is offline (20007).
    fn is_device_offline(&self) -> bool {
        self.ezviz_code() == Some(EzvizCode::DeviceOffline)
    }

    /// Whether the device was busy (20008) even after the client's retries.
    fn is_device_busy(&self) -> bool {
        self.ezviz_code() == Some(EzvizCode::DeviceBusy)
    }

    /// Whether the device is already in the requested state (60016, 60019, 60022).
    fn is_already_in_state(&self) -> bool {
        self.ezviz_code().is_some_and(|c| c.is_already_in_state())
    }

    /// Whether the device does not support the command (60020).
    fn is_not_supported(&self) -> bool {
        self.ezviz_code() == Some(EzvizCode::NotSupported)
    }
}

impl EzvizErrorExt for Error {
    fn ezviz_code(&self) -> Option<EzvizCode> {
        match self {
            Error::Decode { .. } | Error::Transport { .. } | Error::Timeout { .. } | Error::InvalidInput { .. } => None,
            other => other.vendor_code().map(EzvizCode::from_code),
        }
    }
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
            assert_eq!(typed.code(), *code);
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
            assert!(EzvizCode::from_code(c).is_safe_to_retry());
        }
        assert_eq!(class("20007"), Permanent);
        assert!(!EzvizCode::DeviceOffline.is_safe_to_retry());
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
        let e = to_error("x", Some(200), "10002", None, ErrorClass::AuthExpired);
        assert!(matches!(e, Error::Auth { expired: true, .. }));
        assert_eq!(e.class(), ErrorClass::AuthExpired);
        let e = to_error("x", Some(200), "10030", None, ErrorClass::AuthRejected);
        assert_eq!(e.class(), ErrorClass::AuthRejected);
        let e = to_error("x", Some(200), "60020", Some("Subscription failed"), ErrorClass::Unsupported);
        assert!(matches!(e, Error::Unsupported { .. }));
        assert!(e.is_not_supported());
        let e = to_error("x", Some(200), "60022", None, ErrorClass::Permanent);
        assert!(e.is_already_in_state());
        let e = to_error("x", Some(200), "20008", None, ErrorClass::Retryable);
        assert!(e.is_device_busy());
    }

    #[test]
    fn codes_serialize_as_text_and_read_numbers() {
        assert_eq!(serde_json::to_string(&EzvizCode::DeviceBusy).unwrap(), r#""20008""#);
        let c: EzvizCode = serde_json::from_str("20008").unwrap();
        assert_eq!(c, EzvizCode::DeviceBusy);
        assert_eq!(EzvizCode::from_code(" 60022 ").to_string(), "60022");
    }
}
