//! Device languages (1.24, 1.25) and the `support_language` capability.

use serde::{Deserialize, Serialize};

watchpost_core::open_str_enum! {
    /// A device language. The values seen in the seed; any other is kept in [`Language::Other`].
    /// The languages a device accepts are in its `support_language` capability
    /// ([`Capabilities::languages`](crate::models::Capabilities::languages)).
    Language {
        /// `ENGLISH`.
        English = "ENGLISH",
        /// `GERMAN`.
        German = "GERMAN",
        /// `FRENCH`.
        French = "FRENCH",
        /// `SPANISH`.
        Spanish = "SPANISH",
        /// `RUSSIAN`.
        Russian = "RUSSIAN",
        /// `KOREAN`.
        Korean = "KOREAN",
        /// `ITALIAN`.
        Italian = "ITALIAN",
    }
}

/// The answer of 1.24: the device's current language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceLanguage {
    /// The language.
    pub language: Language,
}
