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

/// The date of a day since the epoch (clamped to the dates `time` knows); its `Display` is
/// `YYYY-MM-DD`.
pub(crate) fn date(day: i64) -> Date {
    let julian = i32::try_from(day.saturating_add(2_440_588)).unwrap_or(if day < 0 { i32::MIN } else { i32::MAX });
    Date::from_julian_day(julian).unwrap_or(if day < 0 { Date::MIN } else { Date::MAX })
}

/// `YYYY-MM-DD HH:MM:SS` of a Unix time (the zone-less form of the detail reports).
pub(crate) fn date_time_text(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    format!("{} {:02}:{:02}:{:02}", date(days_of(secs)), rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::days_from_civil;

    #[test]
    fn calendar_texts() {
        assert_eq!(date(0).to_string(), "1970-01-01");
        assert_eq!(date(days_from_civil(2000, 2, 29)).to_string(), "2000-02-29");
        assert_eq!(date(-1).to_string(), "1969-12-31");
        assert_eq!(date_time_text(1_512_641_565), "2017-12-07 10:12:45");
        assert_eq!(date(days_from_civil(2016, 1, 3)).to_iso_week_date().1, 53);
    }
}
