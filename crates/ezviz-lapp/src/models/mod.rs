//! Request values and response models of the EZVIZ lapp API.
//!
//! Tolerant readers, strict writers: responses accept what the seed shows and what devices are
//! known to send (`enable` as `1` or `"1"`, `channelNo` as int or string, unknown members
//! ignored, `Option` for anything a device may omit); request values write exactly the text the
//! seed documents (`0`/`1`, `23:20`, `0,1,6`). Enumerations of documented values keep any other
//! value in an `Other` variant.
//!
//! | module | types |
//! |---|---|
//! | [`switch`] | [`SwitchStatus`] (sound prompt, lens masking, sound source positioning, microphone, infrared) |
//! | [`defence`] | [`DefenceMode`], [`DefenceValue`], [`DefencePlan`], [`ScheduleTime`], [`Weekday`], [`Weekdays`] |
//! | [`pir`] | [`PirArea`], [`PirMasks`] |
//! | [`chime`] | [`Chime`], [`ChimeType`] |
//! | [`device`] | [`DeviceInfo`], [`DeviceStatus`], [`AlarmSoundMode`], [`InfoVersion`] |
//! | [`timezone`] | [`TimeZoneEntry`], [`TzCode`], [`TimeFormat`], [`TimeZoneLanguage`], [`parse_utc_offset`] |
//! | [`capability`] | [`Capabilities`] |
//! | [`language`] | [`Language`], [`DeviceLanguage`] |
//! | [`token`] | [`AccessToken`] |
//! | [`outcome`] | [`SetOutcome`] |

/// An enumeration of documented integer values with an `Other(i64)` fallback: serialized as the
/// number, read from a number or a numeric string, sent as decimal text.
macro_rules! int_enum {
    ($(#[$meta:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $value:literal ),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
            /// A value the seed does not document, kept as sent.
            Other(i64),
        }

        impl $name {
            /// The variant for a wire value.
            pub fn from_value(value: i64) -> Self {
                match value {
                    $( $value => $name::$variant, )*
                    other => $name::Other(other),
                }
            }

            /// The wire value.
            pub fn value(self) -> i64 {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Other(v) => v,
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_i64(self.value())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                watchpost_core::codec::lenient::int::deserialize::<i64, D>(d).map($name::from_value)
            }
        }

        impl watchpost_core::codec::param::ToParam for $name {
            fn to_param(&self) -> String {
                self.value().to_string()
            }
        }
    };
}

/// An enumeration of documented text values with an `Other(String)` fallback: serialized and sent
/// as the text, read case-insensitively.
macro_rules! str_enum {
    ($(#[$meta:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $value:literal ),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )*
            /// A value the seed does not document, kept as sent.
            Other(String),
        }

        impl $name {
            /// The variant for a wire value (matched case-insensitively).
            pub fn from_value(value: &str) -> Self {
                let v = value.trim();
                $( if v.eq_ignore_ascii_case($value) { return $name::$variant; } )*
                $name::Other(v.to_owned())
            }

            /// The wire value.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $value, )*
                    $name::Other(v) => v,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok($name::from_value(s))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                watchpost_core::codec::lenient::string::deserialize(d).map(|s| $name::from_value(&s))
            }
        }

        impl watchpost_core::codec::param::ToParam for $name {
            fn to_param(&self) -> String {
                self.as_str().to_owned()
            }
        }
    };
}

pub mod capability;
pub mod chime;
pub mod defence;
pub mod device;
pub mod language;
pub mod outcome;
pub mod pir;
pub mod switch;
pub mod timezone;
pub mod token;

pub use capability::Capabilities;
pub use chime::{Chime, ChimeType};
pub use defence::{DefenceMode, DefencePlan, DefenceValue, ScheduleTime, Weekday, Weekdays};
pub use device::{AlarmSoundMode, DeviceInfo, DeviceStatus, InfoVersion};
pub use language::{DeviceLanguage, Language};
pub use outcome::SetOutcome;
pub use pir::{PirArea, PirMasks};
pub use switch::SwitchStatus;
pub use timezone::{parse_utc_offset, TimeFormat, TimeZoneEntry, TimeZoneLanguage, TzCode};
pub use token::AccessToken;

/// Reads an optional value from its text form: `null`, a missing member and `""` are `None`.
pub(crate) mod opt_text {
    use std::fmt::Display;
    use std::str::FromStr;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn deserialize<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: FromStr,
        T::Err: Display,
    {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(s) if s.trim().is_empty() => Ok(None),
            Some(s) => s.parse().map(Some).map_err(serde::de::Error::custom),
        }
    }

    pub(crate) fn serialize<S: Serializer, T: Serialize>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}

#[cfg(test)]
mod seed_examples;
