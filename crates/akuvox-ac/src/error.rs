//! Akuvox errors on top of [`watchpost_core::Error`]: a negative reply carries its `retcode` as
//! the vendor code and its message; 403 is the disabled API ([`API_DISABLED`]).

use watchpost_core::{Error, ErrorKind};

use crate::reply::{UNSUPPORTED_ACTION, WRONG_MD5};

/// The vendor code of the error for HTTP 403: the device's HTTP API is disabled (L277).
pub const API_DISABLED: &str = "api_disabled";

/// Akuvox-specific questions about a [`watchpost_core::Error`].
pub trait AkuvoxErrorExt {
    /// The `retcode` of a negative reply.
    fn akuvox_retcode(&self) -> Option<i64>;
    /// HTTP 403: the device's HTTP API is disabled.
    fn is_api_disabled(&self) -> bool;
    /// `firmware.upgrade` refused the image: its MD5 differs from the one sent.
    fn is_wrong_md5(&self) -> bool;
    /// The device does not know the function ("unsupport action").
    fn is_unsupported_action(&self) -> bool;
}

impl AkuvoxErrorExt for Error {
    fn akuvox_retcode(&self) -> Option<i64> {
        match self.kind() {
            ErrorKind::Api | ErrorKind::Unsupported | ErrorKind::Auth => self.vendor_code()?.parse().ok(),
            _ => None,
        }
    }

    fn is_api_disabled(&self) -> bool {
        self.vendor_code() == Some(API_DISABLED)
    }

    fn is_wrong_md5(&self) -> bool {
        self.akuvox_retcode().is_some_and(|c| c < 0)
            && self
                .vendor_message()
                .is_some_and(|m| m.trim_start().to_ascii_lowercase().starts_with(&WRONG_MD5.to_ascii_lowercase()))
    }

    fn is_unsupported_action(&self) -> bool {
        self.kind() == ErrorKind::Unsupported
            && self.vendor_message().is_some_and(|m| m.trim().eq_ignore_ascii_case(UNSUPPORTED_ACTION))
    }
}
