//! The seed's two time formats, kept as sent and parsed on the side.
//!
//! - [`IsoDateTime`]: ISO 8601 `YYYY-MM-DDThh:mm:ss[.s]TZD` (2.4), always with a zone:
//!   `2017-08-16T20:17:06+08:00`, `2017-08-16T20:09:06Z`. Used by `dateTime` and `localTime`.
//! - [`LocalDateTime`]: `YYYY-MM-DD hh:mm:ss` with no zone, used by the CID `triggerTime` and
//!   `uploadTime` (l.1889); the zone is only in `timeZoneIdx`.
//!
//! Both keep the raw text (a device's odd time must never cost an alarm) and expose the parsed
//! fields when the text is well formed. Serialization writes the raw text back.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The parsed fields of a date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DateTimeParts {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u8,
    /// Day of the month, 1-31.
    pub day: u8,
    /// Hour, 0-23.
    pub hour: u8,
    /// Minute, 0-59.
    pub minute: u8,
    /// Second, 0-60 (a leap second is accepted).
    pub second: u8,
    /// Fraction of the second in nanoseconds.
    pub nanos: u32,
}

impl DateTimeParts {
    /// Seconds since the Unix epoch, reading these fields as UTC.
    pub fn unix_seconds_as_utc(&self) -> i64 {
        days_from_civil(self.year, self.month, self.day) * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')))
}

/// Parses `YYYY-MM-DD?hh:mm:ss[.fraction]` where `?` is one of `seps`; returns the parts and
/// the rest of the text.
fn parse_parts<'a>(s: &'a [u8], seps: &[u8]) -> Option<(DateTimeParts, &'a [u8])> {
    if s.len() < 19 || s[4] != b'-' || s[7] != b'-' || !seps.contains(&s[10]) || s[13] != b':' || s[16] != b':' {
        return None;
    }
    let year = i32::try_from(num(&s[0..4])?).ok()?;
    let month = u8::try_from(num(&s[5..7])?).ok()?;
    let day = u8::try_from(num(&s[8..10])?).ok()?;
    let hour = u8::try_from(num(&s[11..13])?).ok()?;
    let minute = u8::try_from(num(&s[14..16])?).ok()?;
    let second = u8::try_from(num(&s[17..19])?).ok()?;
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &s[19..];
    let mut nanos = 0u32;
    if let Some((b'.' | b',', frac)) = rest.split_first() {
        let len = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        for (i, d) in frac[..len].iter().take(9).enumerate() {
            nanos += u32::from(d - b'0') * 10u32.pow(8 - i as u32);
        }
        rest = &frac[len..];
    }
    Some((DateTimeParts { year, month, day, hour, minute, second, nanos }, rest))
}

/// An ISO 8601 date-time with a zone, as the gateway sends `dateTime` and `localTime`.
///
/// ```
/// use watchpost_isapi::IsoDateTime;
/// let t = IsoDateTime::parse("2018-01-21T12:50:39+08:00");
/// assert_eq!(t.offset_seconds(), Some(8 * 3600));
/// assert_eq!(t.unix_timestamp(), Some(1_516_510_239));
/// assert_eq!(t.as_str(), "2018-01-21T12:50:39+08:00");
/// assert!(IsoDateTime::parse("yesterday").parts().is_none());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IsoDateTime {
    raw: String,
    parsed: Option<(DateTimeParts, i32)>,
}

impl IsoDateTime {
    /// Reads the text; malformed text is kept (see [`IsoDateTime::parts`]).
    pub fn parse(text: impl Into<String>) -> Self {
        let raw = text.into();
        let parsed = parse_iso(raw.trim().as_bytes());
        IsoDateTime { raw, parsed }
    }

    /// Builds a date-time from its parts and a UTC offset in seconds.
    pub fn from_parts(parts: DateTimeParts, offset_seconds: i32) -> Self {
        let mut raw = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            parts.year, parts.month, parts.day, parts.hour, parts.minute, parts.second
        );
        if parts.nanos != 0 {
            let frac = format!("{:09}", parts.nanos);
            raw.push('.');
            raw.push_str(frac.trim_end_matches('0'));
        }
        if offset_seconds == 0 {
            raw.push('Z');
        } else {
            let sign = if offset_seconds < 0 { '-' } else { '+' };
            let abs = offset_seconds.unsigned_abs();
            raw.push_str(&format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60));
        }
        IsoDateTime { raw, parsed: Some((parts, offset_seconds)) }
    }

    /// The date-time of a Unix timestamp at a UTC offset (seconds).
    pub fn from_unix(unix_seconds: i64, offset_seconds: i32) -> Self {
        let local = unix_seconds + i64::from(offset_seconds);
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let parts = DateTimeParts {
            year,
            month,
            day,
            hour: (secs / 3600) as u8,
            minute: ((secs % 3600) / 60) as u8,
            second: (secs % 60) as u8,
            nanos: 0,
        };
        Self::from_parts(parts, offset_seconds)
    }

    /// The text as sent.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The local date and time fields, when the text is well formed.
    pub fn parts(&self) -> Option<DateTimeParts> {
        self.parsed.map(|(p, _)| p)
    }

    /// The UTC offset in seconds (`+08:00` is 28800), when the text is well formed.
    pub fn offset_seconds(&self) -> Option<i32> {
        self.parsed.map(|(_, o)| o)
    }

    /// Seconds since the Unix epoch, when the text is well formed.
    pub fn unix_timestamp(&self) -> Option<i64> {
        self.parsed.map(|(p, o)| p.unix_seconds_as_utc() - i64::from(o))
    }
}

fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

fn parse_iso(s: &[u8]) -> Option<(DateTimeParts, i32)> {
    let (parts, rest) = parse_parts(s, b"Tt ")?;
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), zone @ ..] => {
            let (h, m) = match zone {
                [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => (num(&[*h1, *h2])?, num(&[*m1, *m2])?),
                [h1, h2] => (num(&[*h1, *h2])?, 0),
                _ => return None,
            };
            if h > 23 || m > 59 {
                return None;
            }
            let secs = i32::try_from(h * 3600 + m * 60).ok()?;
            if *sign == b'-' {
                -secs
            } else {
                secs
            }
        }
        _ => return None,
    };
    Some((parts, offset))
}

impl fmt::Debug for IsoDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.raw, f)
    }
}

impl fmt::Display for IsoDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for IsoDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for IsoDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        watchpost_core::codec::lenient::text(d).map(IsoDateTime::parse)
    }
}

/// A date and time without a zone (`2009-02-24 16:59:00`), as the CID `triggerTime` and
/// `uploadTime` are sent.
///
/// ```
/// use watchpost_isapi::LocalDateTime;
/// let t = LocalDateTime::parse("2009-02-24 16:59:00");
/// assert_eq!(t.parts().map(|p| (p.year, p.hour)), Some((2009, 16)));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LocalDateTime {
    raw: String,
    parsed: Option<DateTimeParts>,
}

impl LocalDateTime {
    /// Reads the text (a `T` separator is accepted too); malformed text is kept.
    pub fn parse(text: impl Into<String>) -> Self {
        let raw = text.into();
        let parsed = parse_parts(raw.trim().as_bytes(), b" Tt").filter(|(_, rest)| rest.is_empty()).map(|(p, _)| p);
        LocalDateTime { raw, parsed }
    }

    /// The text as sent.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The fields, when the text is well formed.
    pub fn parts(&self) -> Option<DateTimeParts> {
        self.parsed
    }

    /// Seconds since the Unix epoch given the zone's UTC offset (see
    /// the Device Gateway's `CidAlarm::time_zone_offset`).
    pub fn unix_timestamp(&self, offset_seconds: i32) -> Option<i64> {
        self.parsed.map(|p| p.unix_seconds_as_utc() - i64::from(offset_seconds))
    }
}

impl fmt::Debug for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.raw, f)
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for LocalDateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for LocalDateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        watchpost_core::codec::lenient::text(d).map(LocalDateTime::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_examples_parse() {
        let a = IsoDateTime::parse("2017-08-16T20:17:06+08:00");
        let b = IsoDateTime::parse("2017-08-16T12:17:06Z");
        assert_eq!(a.unix_timestamp(), b.unix_timestamp());
        assert_eq!(b.offset_seconds(), Some(0));
        let c = IsoDateTime::parse("2019-02-28T10:50:44.250-03:30");
        assert_eq!(c.parts().map(|p| p.nanos), Some(250_000_000));
        assert_eq!(c.offset_seconds(), Some(-(3 * 3600 + 30 * 60)));
        assert_eq!(IsoDateTime::parse("2019-02-28T10:50:44+0800").offset_seconds(), Some(28_800));
    }

    #[test]
    fn malformed_text_is_kept_not_rejected() {
        for bad in
            ["", "2018-13-01T00:00:00Z", "2018-02-30T00:00:00Z", "2018-01-01T00:00:00", "2018-01-01T25:00:00Z", "x"]
        {
            let t = IsoDateTime::parse(bad);
            assert!(t.parts().is_none(), "{bad}");
            assert_eq!(t.as_str(), bad);
        }
        let t: IsoDateTime = serde_json::from_str("12345").unwrap();
        assert_eq!(t.as_str(), "12345");
    }

    #[test]
    fn unix_round_trip() {
        for (ts, off) in [(0i64, 0i32), (1_516_510_239, 28_800), (951_782_400, -18_000), (-86_400, 3600)] {
            let t = IsoDateTime::from_unix(ts, off);
            let again = IsoDateTime::parse(t.as_str());
            assert_eq!(again.unix_timestamp(), Some(ts), "{t}");
            assert_eq!(again.offset_seconds(), Some(off));
        }
        assert_eq!(IsoDateTime::from_unix(1_516_510_239, 28_800).as_str(), "2018-01-21T12:50:39+08:00");
    }

    #[test]
    fn local_times() {
        let t = LocalDateTime::parse("2019-10-09 17:55:46");
        assert_eq!(t.unix_timestamp(8 * 3600), IsoDateTime::parse("2019-10-09T17:55:46+08:00").unix_timestamp());
        assert!(LocalDateTime::parse("2019-10-09 17:55:46+08:00").parts().is_none());
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"2019-10-09 17:55:46\"");
    }
}
