//! Akuvox errors on top of [`watchpost_core::Error`]: a negative reply carries its `retcode` as
//! the vendor code and its message; 403 is the disabled API ([`API_DISABLED`]).

use watchpost_core::{Error, ErrorKind};

use crate::reply::{UNSUPPORTED_ACTION, WRONG_MD5, WRONG_MD5_CALC, WRONG_MD5_SENT};

/// The vendor code of the error for HTTP 403: the device's HTTP API is disabled (L277).
pub const API_DISABLED: &str = "api_disabled";

/// The two hashes of a "Wrong MD5" reply of `firmware.upgrade` (its `data`, L686-694).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrongMd5 {
    /// The MD5 the client sent (`md5`): the hash of the image as the caller built it.
    pub expected: String,
    /// The MD5 the device computed of the image it received (`md5_calc`).
    pub computed: String,
}

/// Akuvox-specific questions about a [`watchpost_core::Error`].
pub trait AkuvoxErrorExt {
    /// The `retcode` of a negative reply.
    fn akuvox_retcode(&self) -> Option<i64>;
    /// HTTP 403: the device's HTTP API is disabled.
    fn is_api_disabled(&self) -> bool;
    /// `firmware.upgrade` refused the image: its MD5 differs from the one sent.
    fn is_wrong_md5(&self) -> bool;
    /// The hashes of a "Wrong MD5" refusal, when the device sent both (`md5`, `md5_calc`).
    fn wrong_md5(&self) -> Option<WrongMd5>;
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

    fn wrong_md5(&self) -> Option<WrongMd5> {
        if !self.is_wrong_md5() {
            return None;
        }
        let message = self.vendor_message()?.strip_suffix(')')?;
        let (_, sums) = message.rsplit_once(WRONG_MD5_SENT)?;
        let (expected, computed) = sums.split_once(WRONG_MD5_CALC)?;
        Some(WrongMd5 { expected: expected.to_owned(), computed: computed.to_owned() })
    }

    fn is_unsupported_action(&self) -> bool {
        self.kind() == ErrorKind::Unsupported
            && self.vendor_message().is_some_and(|m| m.trim().eq_ignore_ascii_case(UNSUPPORTED_ACTION))
    }
}
