//! The plain-text POSIX time zone of `/ISAPI/System/time/timeZone` (8.5.10).
//!
//! The body is not JSON but a POSIX `TZ` string: `CST-8:00:00` is UTC+8 (POSIX counts hours
//! *west* of Greenwich, so the sign is inverted), and
//! `CST-8:00:00DST00:30:00,M4.1.0/02:00:00,M10.5.0/02:00:00` adds daylight saving time: the seed
//! reads `DST00:30:00` as a 30-minute shift, starting on Sunday (`0`) of week 1 of April at
//! 02:00:00 and ending on Sunday of week 5 (the last) of October at 02:00:00.
//!
//! [`PosixTimeZone::parse`] accepts the full POSIX grammar (quoted `<+08>` names, optional
//! minutes and seconds, `Mm.w.d`, `Jn` and `n` dates); `Display` writes the form of the seed
//! (`-8:00:00` for the standard offset, `00:30:00` and `/02:00:00` zero-padded), so both seed
//! examples round-trip byte for byte.
//!
//! ```
//! use hik_gateway::PosixTimeZone;
//! let tz: PosixTimeZone = "CST-8:00:00DST00:30:00,M4.1.0/02:00:00,M10.5.0/02:00:00".parse()?;
//! assert_eq!(tz.utc_offset_seconds(), 8 * 3600);
//! let dst = tz.dst.as_ref().unwrap();
//! assert_eq!(dst.offset.map(|o| o.seconds()), Some(30 * 60));
//! assert_eq!(tz.to_string(), "CST-8:00:00DST00:30:00,M4.1.0/02:00:00,M10.5.0/02:00:00");
//! assert_eq!(PosixTimeZone::fixed("CST", 8 * 3600).to_string(), "CST-8:00:00");
//! # Ok::<(), hik_gateway::TzParseError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A signed duration in seconds as POSIX writes offsets and times (`[+-]h[h][:mm[:ss]]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TzOffset(i32);

impl TzOffset {
    /// An offset of `seconds` (POSIX sign: positive is west of Greenwich for zone offsets).
    pub fn new(seconds: i32) -> Self {
        TzOffset(seconds)
    }

    /// The value in seconds.
    pub fn seconds(self) -> i32 {
        self.0
    }

    fn write(self, f: &mut fmt::Formatter<'_>, pad_hours: bool) -> fmt::Result {
        if self.0 < 0 {
            f.write_str("-")?;
        }
        let abs = self.0.unsigned_abs();
        let (h, m, s) = (abs / 3600, (abs % 3600) / 60, abs % 60);
        if pad_hours {
            write!(f, "{h:02}:{m:02}:{s:02}")
        } else {
            write!(f, "{h}:{m:02}:{s:02}")
        }
    }
}

/// The day a daylight-saving transition happens on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransitionDate {
    /// `Mm.w.d`: day `weekday` (0 = Sunday) of week `week` (1-5, 5 = last) of `month` (1-12).
    MonthWeekDay {
        /// Month, 1-12.
        month: u8,
        /// Week of the month, 1-5 (5 means the last).
        week: u8,
        /// Day of the week, 0 (Sunday) - 6.
        weekday: u8,
    },
    /// `Jn`: Julian day 1-365, February 29 never counted.
    Julian1(u16),
    /// `n`: zero-based day of the year 0-365, February 29 counted in leap years.
    Julian0(u16),
}

/// One daylight-saving transition: a date and an optional time of day (default 02:00:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransitionRule {
    /// The day.
    pub date: TransitionDate,
    /// The local time of the transition, if given.
    pub time: Option<TzOffset>,
}

/// The daylight-saving part of a [`PosixTimeZone`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DaylightSaving {
    /// The DST designation (`DST`).
    pub name: String,
    /// The offset after the name. The seed reads it as the DST shift (`00:30:00` = 30 minutes
    /// ahead); plain POSIX reads it as the full offset west of Greenwich. Kept as written.
    pub offset: Option<TzOffset>,
    /// When DST starts.
    pub start: Option<TransitionRule>,
    /// When DST ends.
    pub end: Option<TransitionRule>,
}

/// A POSIX `TZ` string as the time-zone endpoint sends and accepts it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PosixTimeZone {
    /// The standard-time designation (`CST`; the seed also shows `GST`).
    pub std_name: String,
    /// The standard offset, POSIX sign (`-8:00:00` is UTC+8).
    pub std_offset: TzOffset,
    /// Daylight saving time, if any.
    pub dst: Option<DaylightSaving>,
}

/// Why a time-zone string could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TzParseError {
    /// What is wrong.
    pub message: &'static str,
    /// Byte position in the text.
    pub position: usize,
}

impl fmt::Display for TzParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid POSIX time zone at byte {}: {}", self.position, self.message)
    }
}

impl std::error::Error for TzParseError {}

impl PosixTimeZone {
    /// A zone without daylight saving time at `utc_offset_seconds` east of UTC
    /// (`fixed("CST", 8 * 3600)` is `CST-8:00:00`).
    pub fn fixed(name: impl Into<String>, utc_offset_seconds: i32) -> Self {
        PosixTimeZone { std_name: name.into(), std_offset: TzOffset(-utc_offset_seconds), dst: None }
    }

    /// The standard-time offset east of UTC in seconds (the inverse of the POSIX sign).
    pub fn utc_offset_seconds(&self) -> i32 {
        -self.std_offset.0
    }

    /// Parses a POSIX `TZ` string.
    ///
    /// # Errors
    /// [`TzParseError`] with the position of the first invalid byte.
    pub fn parse(text: &str) -> Result<Self, TzParseError> {
        let mut p = Parser { s: text.trim().as_bytes(), i: 0 };
        let std_name = p.name()?;
        let std_offset = p.offset(true)?.ok_or(p.err("standard offset missing"))?;
        let dst = if p.done() {
            None
        } else {
            let name = p.name()?;
            let offset = p.offset(false)?;
            let (start, end) = if p.eat(b',') {
                let start = p.rule()?;
                if !p.eat(b',') {
                    return Err(p.err("expected ',' before the end rule"));
                }
                (Some(start), Some(p.rule()?))
            } else {
                (None, None)
            };
            Some(DaylightSaving { name, offset, start, end })
        };
        if !p.done() {
            return Err(p.err("unexpected text after the zone"));
        }
        Ok(PosixTimeZone { std_name, std_offset, dst })
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, message: &'static str) -> TzParseError {
        TzParseError { message, position: self.i }
    }
    fn done(&self) -> bool {
        self.i >= self.s.len()
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn name(&mut self) -> Result<String, TzParseError> {
        let start = self.i;
        if self.eat(b'<') {
            while let Some(c) = self.peek() {
                self.i += 1;
                if c == b'>' {
                    let inner = &self.s[start..self.i];
                    return Ok(String::from_utf8_lossy(inner).into_owned());
                }
            }
            return Err(self.err("unterminated <name>"));
        }
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            self.i += 1;
        }
        if self.i - start < 3 {
            return Err(TzParseError { message: "a zone name needs at least 3 letters", position: start });
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn number(&mut self, max_digits: usize) -> Option<u32> {
        let start = self.i;
        while self.i - start < max_digits && self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let digits = &self.s[start..self.i];
        (!digits.is_empty()).then(|| digits.iter().fold(0u32, |a, d| a * 10 + u32::from(d - b'0')))
    }
    /// `[+-]hh[:mm[:ss]]`; `None` when no digits follow (only allowed when `required` is false).
    fn offset(&mut self, required: bool) -> Result<Option<TzOffset>, TzParseError> {
        let start = self.i;
        let negative = if self.eat(b'-') {
            true
        } else {
            self.eat(b'+');
            false
        };
        let Some(h) = self.number(3) else {
            if required || self.i != start {
                return Err(self.err("expected hours"));
            }
            return Ok(None);
        };
        let mut secs = h * 3600;
        for unit in [60, 1] {
            if !self.eat(b':') {
                break;
            }
            let v = self.number(2).ok_or(self.err("expected two digits"))?;
            if v > 59 {
                return Err(self.err("minutes and seconds must be below 60"));
            }
            secs += v * unit;
        }
        if h > 167 {
            return Err(TzParseError { message: "hours out of range", position: start });
        }
        let secs = i32::try_from(secs).map_err(|_| self.err("offset out of range"))?;
        Ok(Some(TzOffset(if negative { -secs } else { secs })))
    }
    fn rule(&mut self) -> Result<TransitionRule, TzParseError> {
        let date = if self.eat(b'M') {
            let month = self.number(2).ok_or(self.err("expected month"))?;
            let week = if self.eat(b'.') { self.number(1) } else { None }.ok_or(self.err("expected .week"))?;
            let weekday = if self.eat(b'.') { self.number(1) } else { None }.ok_or(self.err("expected .weekday"))?;
            if !(1..=12).contains(&month) || !(1..=5).contains(&week) || weekday > 6 {
                return Err(self.err("month, week or weekday out of range"));
            }
            TransitionDate::MonthWeekDay { month: month as u8, week: week as u8, weekday: weekday as u8 }
        } else if self.eat(b'J') {
            let day = self.number(3).filter(|d| (1..=365).contains(d)).ok_or(self.err("expected day 1-365"))?;
            TransitionDate::Julian1(day as u16)
        } else {
            let day = self.number(3).filter(|d| *d <= 365).ok_or(self.err("expected a transition date"))?;
            TransitionDate::Julian0(day as u16)
        };
        let time = if self.eat(b'/') { Some(self.offset(true)?.ok_or(self.err("expected a time"))?) } else { None };
        Ok(TransitionRule { date, time })
    }
}

impl fmt::Display for TransitionRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.date {
            TransitionDate::MonthWeekDay { month, week, weekday } => write!(f, "M{month}.{week}.{weekday}")?,
            TransitionDate::Julian1(d) => write!(f, "J{d}")?,
            TransitionDate::Julian0(d) => write!(f, "{d}")?,
        }
        if let Some(t) = self.time {
            f.write_str("/")?;
            t.write(f, true)?;
        }
        Ok(())
    }
}

impl fmt::Display for PosixTimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.std_name)?;
        self.std_offset.write(f, false)?;
        if let Some(dst) = &self.dst {
            f.write_str(&dst.name)?;
            if let Some(o) = dst.offset {
                o.write(f, true)?;
            }
            if let (Some(start), Some(end)) = (&dst.start, &dst.end) {
                write!(f, ",{start},{end}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for PosixTimeZone {
    type Err = TzParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for PosixTimeZone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PosixTimeZone {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_examples_round_trip() {
        for s in ["CST-8:00:00", "GST-8:00:00", "CST-8:00:00DST00:30:00,M4.1.0/02:00:00,M10.5.0/02:00:00"] {
            let tz = PosixTimeZone::parse(s).unwrap();
            assert_eq!(tz.to_string(), s);
            assert_eq!(tz.utc_offset_seconds(), 28_800);
        }
        let tz = PosixTimeZone::parse("CST-8:00:00DST00:30:00,M4.1.0/02:00:00,M10.5.0/02:00:00").unwrap();
        let dst = tz.dst.unwrap();
        assert_eq!(dst.name, "DST");
        assert_eq!(
            dst.start,
            Some(TransitionRule {
                date: TransitionDate::MonthWeekDay { month: 4, week: 1, weekday: 0 },
                time: Some(TzOffset(7200))
            })
        );
        assert_eq!(dst.end.map(|r| r.date), Some(TransitionDate::MonthWeekDay { month: 10, week: 5, weekday: 0 }));
    }

    #[test]
    fn general_posix_forms() {
        let tz = PosixTimeZone::parse("EST5EDT,M3.2.0,M11.1.0").unwrap();
        assert_eq!(tz.utc_offset_seconds(), -5 * 3600);
        assert_eq!(tz.to_string(), "EST5:00:00EDT,M3.2.0,M11.1.0");
        let tz = PosixTimeZone::parse("<+0545>-5:45").unwrap();
        assert_eq!(tz.std_name, "<+0545>");
        assert_eq!(tz.utc_offset_seconds(), 5 * 3600 + 45 * 60);
        let tz = PosixTimeZone::parse("AAA+3BBB,J60/1:30,300").unwrap();
        let dst = tz.dst.unwrap();
        assert_eq!(dst.start.map(|r| r.date), Some(TransitionDate::Julian1(60)));
        assert_eq!(dst.end.map(|r| r.date), Some(TransitionDate::Julian0(300)));
        assert_eq!(PosixTimeZone::fixed("UTC", 0).to_string(), "UTC0:00:00");
    }

    #[test]
    fn bad_text_is_an_error_with_a_position() {
        for bad in
            ["", "C-8", "CST", "CST-", "CST-8:60", "CST-8DST,M13.1.0,M1.1.0", "CST-8DST,M4.1.0", "CST-8 junk", "<CST-8"]
        {
            let e = PosixTimeZone::parse(bad).unwrap_err();
            assert!(e.position <= bad.len(), "{bad}: {e}");
        }
    }
}
