//! The times of A.3 events: kept as sent, parsed into an [`EventTime`] that says its kind.
//!
//! The seed uses three forms: `triggerTime` `yyyy-MM-ddTHH:mm:ss` with no zone (device local),
//! `dateTime` `yyyy-MM-ddTHH:mm:ssZ` or with an offset, and YsCallingEvent's `callingTime` in
//! milliseconds since the Unix epoch. A text with a zone becomes [`EventTime::Offset`], one
//! without becomes [`EventTime::Naive`]; whatever the field is called. A time that is none of these
//! keeps its text and has no parsed value: an odd clock never costs an alarm.

use serde::{Deserialize, Deserializer};
use time::format_description::well_known::Rfc3339;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};
use watchpost_core::alarm::EventTime;
use watchpost_core::codec::lenient;

/// `2024-05-08T20:48:17+0800`: an offset without a colon (RFC 3339 wants `+08:00`).
const OFFSET_NO_COLON: &[BorrowedFormatItem<'static>] = format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]][offset_hour sign:mandatory][offset_minute]"
);
/// `2024-05-08T20:48:17[.5]`: device local.
const NAIVE_T: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]");
/// `2024-05-08 20:48:17[.5]`: device local, with a space.
const NAIVE_SPACE: &[BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second][optional [.[subsecond]]]");

/// A time as the device sent it, with its parsed value when the text is one of the known forms.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceTime {
    raw: String,
    time: Option<EventTime>,
}

impl DeviceTime {
    /// Parses `raw`: RFC 3339 (`Z` or `+08:00`), an offset without colon (`+0800`), or a naive
    /// `yyyy-MM-ddTHH:mm:ss` / `yyyy-MM-dd HH:mm:ss` with an optional fraction.
    pub fn parse(raw: &str) -> Self {
        DeviceTime { raw: raw.to_owned(), time: parse_event_time(raw) }
    }

    /// The text as sent.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The parsed time, when the text is one of the known forms.
    pub fn time(&self) -> Option<EventTime> {
        self.time
    }
}

/// Parses an event time; `None` when the text is none of the known forms.
pub(crate) fn parse_event_time(raw: &str) -> Option<EventTime> {
    let s = raw.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(EventTime::Offset(t));
    }
    if let Ok(t) = OffsetDateTime::parse(s, OFFSET_NO_COLON) {
        return Some(EventTime::Offset(t));
    }
    PrimitiveDateTime::parse(s, NAIVE_T)
        .or_else(|_| PrimitiveDateTime::parse(s, NAIVE_SPACE))
        .ok()
        .map(EventTime::Naive)
}

/// The instant `ms` milliseconds after the Unix epoch, in UTC; `None` out of `time`'s range.
pub(crate) fn from_epoch_millis(ms: i64) -> Option<EventTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok().map(EventTime::Offset)
}

/// Reads an optional time from a string, a number or an XML element's text; `null`, a missing
/// field and blank text are `None`.
pub(crate) fn opt_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DeviceTime>, D::Error> {
    Ok(lenient::opt_string::deserialize(d)?.map(|s| DeviceTime::parse(&s)))
}

/// Reads an optional float from a number or numeric text; `null`, blank text (the seed's
/// `"longitude": ""`) and text that is not a finite number are `None`.
pub(crate) fn opt_float<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(lenient::opt_string::deserialize(d)?.and_then(|s| s.trim().parse::<f64>().ok()).filter(|f| f.is_finite()))
}

/// Reads a list that may be `null` or missing as empty.
pub(crate) fn null_as_empty<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_three_forms_of_the_seed_parse_with_their_kind() {
        assert_eq!(
            DeviceTime::parse("2009-11-14T15:27:12").time(),
            Some(EventTime::Naive(datetime!(2009-11-14 15:27:12)))
        );
        assert_eq!(
            DeviceTime::parse("2009-11-14T15:27:12Z").time(),
            Some(EventTime::Offset(datetime!(2009-11-14 15:27:12 UTC)))
        );
        assert_eq!(
            DeviceTime::parse(" 2017-04-22T15:39:01+08:00 ").time(),
            Some(EventTime::Offset(datetime!(2017-04-22 15:39:01 +08:00)))
        );
        assert_eq!(
            DeviceTime::parse("2017-04-22T15:39:01+0800").time(),
            Some(EventTime::Offset(datetime!(2017-04-22 15:39:01 +08:00)))
        );
        assert_eq!(
            DeviceTime::parse("2018-12-26 19:39:21.5").time(),
            Some(EventTime::Naive(datetime!(2018-12-26 19:39:21.5)))
        );
        // YsCallingEvent's callingTime of the seed is 2024-05-08T20:48:17Z.
        assert_eq!(from_epoch_millis(1_715_201_297_000), Some(EventTime::Offset(datetime!(2024-05-08 20:48:17 UTC))));
    }

    #[test]
    fn an_odd_time_keeps_its_text_and_has_no_value() {
        for odd in ["", "yesterday", "2009-13-14T15:27:12", "2009-11-14T25:27:12Z", "2009-11-14"] {
            let t = DeviceTime::parse(odd);
            assert_eq!((t.as_str(), t.time()), (odd, None));
        }
        assert_eq!(from_epoch_millis(i64::MAX), None);
    }
}
