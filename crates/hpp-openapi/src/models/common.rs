//! Shapes the chapters share: the platform's page ([`Page`]) and per-item outcomes inside a
//! successful answer ([`ItemOutcome`], [`ItemFailure`]).

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;

use crate::error::HppCode;

/// One page of a platform list: `data{page, pageSize, rows[], total, totalPage}` (installers,
/// sites, devices, ARC devices, person sync details). Every member is optional on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The page number, from 1.
    #[serde(default, with = "lenient::int")]
    pub page: u32,
    /// Items per page.
    #[serde(default, with = "lenient::int")]
    pub page_size: u32,
    /// The items of this page.
    #[serde(default)]
    pub rows: Vec<T>,
    /// The number of items in all pages.
    #[serde(default, with = "lenient::int")]
    pub total: u64,
    /// The number of pages.
    #[serde(default, with = "lenient::int")]
    pub total_page: u32,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page { page: 0, page_size: 0, rows: Vec::new(), total: 0, total_page: 0 }
    }
}

impl<T> Page<T> {
    /// Whether this is the last page (or the answer says there are no pages).
    pub fn is_last(&self) -> bool {
        self.page >= self.total_page || self.rows.is_empty()
    }
}

/// Why one item of a batch failed, inside an answer that succeeded as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFailure {
    /// The code, when the item carries one (as a field or inside its text, `add Exception{LAP006001}`).
    pub code: Option<HppCode>,
    /// The text the platform gave, as sent.
    pub message: String,
}

impl ItemFailure {
    /// A failure from a text that may embed a code (`"add Exception{LAP006001}"`).
    pub fn from_text(message: impl Into<String>) -> Self {
        let message = message.into();
        ItemFailure { code: crate::error::code_in(&message), message }
    }
}

/// The outcome of one item of a batch operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemOutcome<K> {
    /// The item was applied.
    Done(K),
    /// The item failed; the others may have succeeded.
    Failed(K, ItemFailure),
}

impl<K> ItemOutcome<K> {
    /// The item's key.
    pub fn key(&self) -> &K {
        match self {
            ItemOutcome::Done(k) | ItemOutcome::Failed(k, _) => k,
        }
    }

    /// The failure, if the item failed.
    pub fn failure(&self) -> Option<&ItemFailure> {
        match self {
            ItemOutcome::Done(_) => None,
            ItemOutcome::Failed(_, f) => Some(f),
        }
    }
}

// ---- Text values with a documented length (shared by every chapter).

/// Checks that `text` has `min..=max` characters; the error names `what`.
pub(crate) fn check_len(what: &str, text: &str, min: usize, max: usize) -> Result<(), watchpost_core::Error> {
    let n = text.chars().count();
    if n < min || n > max {
        return Err(watchpost_core::Error::invalid_input(
            "hpp",
            format!("{what} must have {min} to {max} characters, got {n}"),
        ));
    }
    Ok(())
}

/// Declares a text newtype with a length range, serde as a plain string (checked on reading).
macro_rules! bounded_text {
    ($(#[$meta:meta])* $name:ident, $wire:literal, $min:literal, $max:literal, debug = $debug:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The fewest characters allowed.
            pub const MIN_CHARS: usize = $min;
            /// The most characters allowed.
            pub const MAX_CHARS: usize = $max;

            /// The value, checked against the documented length.
            ///
            /// # Errors
            /// [`watchpost_core::Error::InvalidInput`] when it has fewer than `MIN_CHARS` or more than
            /// `MAX_CHARS` characters.
            pub fn new(text: impl Into<String>) -> Result<Self, watchpost_core::Error> {
                let text = text.into();
                $crate::models::common::check_len($wire, &text, $min, $max)?;
                Ok(Self(text))
            }

            /// The text as it is sent.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = watchpost_core::Error;

            fn try_from(text: String) -> Result<Self, watchpost_core::Error> {
                Self::new(text)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = watchpost_core::Error;

            fn try_from(text: &str) -> Result<Self, watchpost_core::Error> {
                Self::new(text)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        $crate::models::common::bounded_text!(@debug $name, $debug);
    };
    (@debug $name:ident, plain) => {
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.0).finish()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
    (@debug $name:ident, secret) => {
        /// Never prints the value.
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}(***)", stringify!($name))
            }
        }
    };
}

pub(crate) use bounded_text;

bounded_text!(
    /// A device serial number: 1 to 9 characters (3.18, 3.52, sites and ARC requests).
    DeviceSerial, "deviceSerial", 1, 9, debug = plain
);
bounded_text!(
    /// A site ID in a request: 1 to 48 characters.
    SiteId, "siteId", 1, 48, debug = plain
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_default_every_member_and_read_numbers_as_text() {
        let p: Page<u8> = serde_json::from_str(r#"{"page":"2","rows":[1,2],"totalPage":2}"#).unwrap();
        assert_eq!((p.page, p.page_size, p.rows.len(), p.total, p.total_page), (2, 0, 2, 0, 2));
        assert!(p.is_last());
        let p: Page<u8> = serde_json::from_str("{}").unwrap();
        assert_eq!(p, Page::default());
    }

    #[test]
    fn an_item_failure_finds_the_code_in_its_text() {
        let f = ItemFailure::from_text("add Exception{LAP006001}");
        assert_eq!(f.code, Some(HppCode::AddingDeviceFailed));
        assert_eq!(ItemFailure::from_text("plain").code, None);
    }
}
