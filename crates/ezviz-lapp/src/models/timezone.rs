//! Time zones (1.20, 1.21, 1.22).

use std::fmt;

use serde::{Deserialize, Serialize};
use watchpost_core::codec::lenient;
use watchpost_core::codec::param::ToParam;

/// A time zone code (`tzCode` of the list, `timezone` of the set): a numeric string such as
/// `"188"`, kept as text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TzCode(#[serde(with = "lenient::string")] pub String);

impl TzCode {
    /// A code from its text.
    pub fn new(code: impl Into<String>) -> Self {
        TzCode(code.into())
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TzCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for TzCode {
    fn from(code: &str) -> Self {
        TzCode(code.to_owned())
    }
}

impl ToParam for TzCode {
    fn to_param(&self) -> String {
        self.0.clone()
    }
}

/// One entry of the time zone list (1.21).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeZoneEntry {
    /// The code to pass to `set_timezone`.
    #[serde(rename = "tzCode")]
    pub tz_code: TzCode,
    /// The offset, `UTC` or `UTC±HH:MM`.
    #[serde(rename = "tzValue")]
    pub tz_value: String,
    /// The display name, such as `(UTC+14:00) Kiritimati Island` (the wire name is `disPlayName`).
    #[serde(rename = "disPlayName", alias = "displayName", default)]
    pub display_name: String,
}

impl TimeZoneEntry {
    /// The offset from UTC in minutes (`UTC+05:45` is 345).
    pub fn utc_offset_minutes(&self) -> Option<i32> {
        parse_utc_offset(&self.tz_value)
    }
}

/// Reads `UTC`, `UTC+HH:MM` or `UTC-HH:MM` as minutes east of UTC.
///
/// ```
/// use ezviz_lapp::models::parse_utc_offset;
/// assert_eq!(parse_utc_offset("UTC"), Some(0));
/// assert_eq!(parse_utc_offset("UTC+05:45"), Some(345));
/// assert_eq!(parse_utc_offset("UTC-03:30"), Some(-210));
/// assert_eq!(parse_utc_offset("GMT+1"), None);
/// ```
pub fn parse_utc_offset(text: &str) -> Option<i32> {
    let rest = text.trim().strip_prefix("UTC")?;
    if rest.is_empty() {
        return Some(0);
    }
    let (sign, hm) = match rest.as_bytes().first()? {
        b'+' => (1, rest.get(1..)?),
        b'-' => (-1, rest.get(1..)?),
        _ => return None,
    };
    let (h, m) = hm.split_once(':')?;
    let digits = |s: &str| {
        (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i32>().ok())
            .flatten()
    };
    let (h, m) = (digits(h)?, digits(m)?);
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

watchpost_core::open_int_enum! {
    /// The date format of a device (`timeFormat` of 1.22).
    TimeFormat {
        /// 0: `YYYY-MM-DD`.
        YearMonthDay = 0,
        /// 1: `MM-DD-YYYY`.
        MonthDayYear = 1,
        /// 2: `DD-MM-YYYY`.
        DayMonthYear = 2,
    }
}

watchpost_core::open_str_enum! {
    /// The language of the time zone list (1.21).
    TimeZoneLanguage {
        /// `ENGLISH`, the default.
        English = "ENGLISH",
        /// `SIMPCN`, simplified Chinese.
        SimplifiedChinese = "SIMPCN",
    }
}
