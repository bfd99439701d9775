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
