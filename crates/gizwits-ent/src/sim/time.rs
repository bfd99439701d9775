//! Calendar helpers of the simulator (UTC; the seed names no zone).

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

/// `(year, month, day)` of a day since the epoch (Howard Hinnant's algorithm).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `YYYY-MM-DD` of a day.
pub(crate) fn date_text(day: i64) -> String {
    let (y, m, d) = civil_from_days(day);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM-DD HH:MM:SS` of a Unix time (the zone-less form of the detail reports).
pub(crate) fn date_time_text(secs: i64) -> String {
    let rem = secs.rem_euclid(86_400);
    format!("{} {:02}:{:02}:{:02}", date_text(days_of(secs)), rem / 3600, rem % 3600 / 60, rem % 60)
}

/// ISO `(year, week)` of a day.
pub(crate) fn iso_week(day: i64) -> (i64, i64) {
    let weekday = (day + 3).rem_euclid(7);
    let thursday = day - weekday + 3;
    let (year, _, _) = civil_from_days(thursday);
    let jan1 = crate::validate::days_from_civil(year, 1, 1);
    (year, (thursday - jan1) / 7 + 1)
}

/// `YYYY-WW` of a day.
pub(crate) fn week_text(day: i64) -> String {
    let (y, w) = iso_week(day);
    format!("{y:04}-{w:02}")
}

/// `YYYY-MM` of a day.
pub(crate) fn month_text(day: i64) -> String {
    let (y, m, _) = civil_from_days(day);
    format!("{y:04}-{m:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::days_from_civil;

    #[test]
    fn calendar_round_trips() {
        for day in [-1, 0, 59, 365, 17_532, 20_000] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(date_text(0), "1970-01-01");
        assert_eq!(date_time_text(1_512_641_565), "2017-12-07 10:12:45");
        assert_eq!(week_text(days_from_civil(2016, 1, 4)), "2016-01");
        assert_eq!(week_text(days_from_civil(2016, 1, 3)), "2015-53");
        assert_eq!(month_text(days_from_civil(2017, 12, 31)), "2017-12");
    }
}
