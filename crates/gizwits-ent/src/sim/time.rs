//! Calendar helpers of the simulator (UTC; the seed names no zone), on the `time` crate.

use ::time::Date;
use watchpost_core::clock::unix_now;

/// Now, Unix seconds (following tokio's clock).
pub(crate) fn now_secs() -> i64 {
    i64::try_from(unix_now().as_secs()).unwrap_or(i64::MAX)
}

/// Now, fractional Unix seconds.
pub(crate) fn now_f64() -> f64 {
    unix_now().as_secs_f64()
}

/// The day (since the epoch) of a Unix time.
pub(crate) fn days_of(secs: i64) -> i64 {
    secs.div_euclid(86_400)
}

/// The date of a day since the epoch (clamped to the dates `time` knows).
fn date(day: i64) -> Date {
    let julian = i32::try_from(day.saturating_add(2_440_588)).unwrap_or(if day < 0 { i32::MIN } else { i32::MAX });
    Date::from_julian_day(julian).unwrap_or(if day < 0 { Date::MIN } else { Date::MAX })
}

/// `YYYY-MM-DD` of a day.
pub(crate) fn date_text(day: i64) -> String {
    let d = date(day);
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// `YYYY-MM-DD HH:MM:SS` of a Unix time (the zone-less form of the detail reports).
pub(crate) fn date_time_text(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    format!("{} {:02}:{:02}:{:02}", date_text(days_of(secs)), rem / 3600, rem % 3600 / 60, rem % 60)
}

/// `YYYY-WW` (ISO year and week) of a day.
pub(crate) fn week_text(day: i64) -> String {
    let (y, w, _) = date(day).to_iso_week_date();
    format!("{y:04}-{w:02}")
}

/// `YYYY-MM` of a day.
pub(crate) fn month_text(day: i64) -> String {
    let d = date(day);
    format!("{:04}-{:02}", d.year(), u8::from(d.month()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::days_from_civil;

    #[test]
    fn calendar_texts() {
        assert_eq!(date_text(0), "1970-01-01");
        assert_eq!(date_text(days_from_civil(2000, 2, 29)), "2000-02-29");
        assert_eq!(date_text(-1), "1969-12-31");
        assert_eq!(date_time_text(1_512_641_565), "2017-12-07 10:12:45");
        assert_eq!(week_text(days_from_civil(2016, 1, 4)), "2016-01");
        assert_eq!(week_text(days_from_civil(2016, 1, 3)), "2015-53");
        assert_eq!(month_text(days_from_civil(2017, 12, 31)), "2017-12");
    }
}
