//! Client-side checks of a request against the seed's documented limits, run on the wire form
//! of every request before it is sent (so typed calls and the CLI's `dispatch` are checked
//! alike, and no quota is spent on a request the service would reject).
//!
//! - Time windows (`start_ts`/`end_ts` of online, cmd and data): Unix seconds, both or neither,
//!   at most 2 days long, starting within the last 7 days (L793-797) by the client's injected
//!   [`Clock`] (the system clock in production, never a time anchored at start).
//! - Cyclic reports (`cycle`, `start`, `end`): `YYYY-MM-DD` / `YYYY-WW` / `YYYY-MM` by cycle, at
//!   most 30 days, 53 weeks or 12 months (L1550-1556).
//! - Dates of detail reports and user liveness: `YYYY-MM-DD`, start not after end.
//! - Group updates: 1 to 1000 MACs (L1152); bindings: at least one did.
//! - Control: exactly one of `attrs` and `raw`, not empty; `attrs` checked against the product's
//!   data points when the client has fetched them.
//! - `limit` at least 1.

use serde_json::Value;
use watchpost_core::clock::Clock;
use watchpost_core::operation::{Body, Request};
use watchpost_core::{Error, Result};

use crate::models::{BinaryCoding, ControlCommand, Cycle, ProductDatapoints};

/// The longest `start_ts`..`end_ts` window: two days.
pub const MAX_WINDOW_SECS: i64 = 2 * 86_400;
/// How far back `start_ts` may go: seven days.
pub const MAX_LOOKBACK_SECS: i64 = 7 * 86_400;
/// Most MACs in one group update.
pub const MAX_GROUP_MACS: usize = 1000;
/// Longest daily report, in days.
pub const MAX_REPORT_DAYS: i64 = 30;
/// Longest weekly report, in weeks.
pub const MAX_REPORT_WEEKS: i64 = 53;
/// Longest monthly report, in months.
pub const MAX_REPORT_MONTHS: i64 = 12;

/// Checks `req`, reading "now" from `clock`.
///
/// # Errors
/// [`Error::InvalidInput`] naming the operation and the offending parameter.
pub(crate) fn check(req: &Request, datapoints: Option<&ProductDatapoints>, clock: &dyn Clock) -> Result<()> {
    let now_unix = i64::try_from(clock.unix_now().as_secs()).unwrap_or(i64::MAX);
    let op = req.op.id;
    let bad = |m: String| Err(Error::invalid_input(op, m));
    if let Some(limit) = query(req, "limit") {
        match limit.parse::<u64>() {
            Ok(n) if n >= 1 => {}
            _ => return bad(format!("limit must be at least 1, got {limit:?}")),
        }
    }
    let q = |name: &str| query(req, name);
    let checked = match op {
        "devices.online" | "devices.cmd" | "devices.data" => time_window(q, now_unix).map(drop),
        "reports.liveness_history" | "user_reports.new" => cycle_range(q).map(drop),
        "reports.incr_devices" | "reports.active_devices" => date_range(q, "start", "end", false).map(drop),
        "user_reports.liveness_total" => date_range(q, "start_date", "end_date", true).map(drop),
        "groups.update" => list_len(req, "macs", MAX_GROUP_MACS),
        "bindings.bind" | "bindings.unbind" => list_len(req, "dids", usize::MAX),
        "devices.control" => control(req, datapoints),
        _ => Ok(()),
    };
    checked.or_else(bad)
}

fn query<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn json_body(req: &Request) -> Result<Value, String> {
    match &req.body {
        Body::Json(bytes) => serde_json::from_slice(bytes).map_err(|e| format!("the JSON body is invalid: {e}")),
        Body::Empty => Err("the request has no body".into()),
        _ => Err("the body must be JSON".into()),
    }
}

fn int_param<'a>(q: impl Fn(&str) -> Option<&'a str>, name: &str) -> Result<Option<i64>, String> {
    q(name)
        .map(|v| v.trim().parse::<i64>().map_err(|_| format!("{name} must be an integer (Unix seconds), got {v:?}")))
        .transpose()
}

/// Checks `start_ts`/`end_ts`; the window, or `None` when both are absent.
pub(crate) fn time_window<'a>(q: impl Fn(&str) -> Option<&'a str>, now: i64) -> Result<Option<(i64, i64)>, String> {
    let (start, end) = (int_param(&q, "start_ts")?, int_param(&q, "end_ts")?);
    let (start, end) = match (start, end) {
        (None, None) => return Ok(None),
        (Some(s), Some(e)) => (s, e),
        _ => {
            return Err("start_ts and end_ts go together (omit both for the last two days)".into());
        }
    };
    // 10^11 s is the year 5138: a bigger value is milliseconds.
    if start > 100_000_000_000 || end > 100_000_000_000 {
        return Err("start_ts/end_ts look like milliseconds; the API takes Unix seconds".into());
    }
    if end < start {
        return Err(format!("end_ts {end} is before start_ts {start}"));
    }
    if end.saturating_sub(start) > MAX_WINDOW_SECS {
        return Err(format!("the window {start}..{end} is longer than two days ({MAX_WINDOW_SECS} s)"));
    }
    if start < now.saturating_sub(MAX_LOOKBACK_SECS) {
        return Err(format!("start_ts {start} is more than seven days ago; only the last seven days are kept"));
    }
    Ok(Some((start, end)))
}

/// A period of a cyclic report, as a comparable index (days, weeks or months since the epoch).
pub(crate) fn period_index(text: &str, cycle: &Cycle) -> Option<i64> {
    match cycle {
        Cycle::Date => parse_date(text),
        Cycle::Week => {
            let (y, w) = split_pair(text)?;
            (1..=53).contains(&w).then(|| iso_week_monday(y, w) / 7)
        }
        Cycle::Month => {
            let (y, m) = split_pair(text)?;
            (1..=12).contains(&m).then_some(y * 12 + m - 1)
        }
        Cycle::Other(_) => None,
    }
}

/// Checks `cycle`/`start`/`end`; the cycle and period indexes, or `None` when no cycle is given
/// and the periods are ambiguous (only their shape is checked then).
pub(crate) fn cycle_range<'a>(q: impl Fn(&str) -> Option<&'a str>) -> Result<Option<(Cycle, i64, i64)>, String> {
    let start = q("start").ok_or("start is required")?;
    let end = q("end").ok_or("end is required")?;
    let cycle = match q("cycle") {
        Some(c) => Cycle::parse(c),
        // No documented default: a full date can only be a daily report; otherwise the text is
        // ambiguous (2016-12 is a week or a month) and only its shape is checked.
        None if parse_date(start).is_some() => Cycle::Date,
        None => {
            return if split_pair(start).is_some() && split_pair(end).is_some() && start <= end {
                Ok(None)
            } else {
                Err(format!("start {start:?} and end {end:?} must be YYYY-MM-DD, YYYY-WW or YYYY-MM, start first"))
            };
        }
    };
    let (format, max, unit) = match cycle {
        Cycle::Date => ("YYYY-MM-DD", MAX_REPORT_DAYS, "days"),
        Cycle::Week => ("YYYY-WW", MAX_REPORT_WEEKS, "weeks"),
        Cycle::Month => ("YYYY-MM", MAX_REPORT_MONTHS, "months"),
        Cycle::Other(c) => return Err(format!("cycle must be date, week or month, got {c:?}")),
    };
    let s = period_index(start, &cycle).ok_or_else(|| format!("start {start:?} is not {format}"))?;
    let e = period_index(end, &cycle).ok_or_else(|| format!("end {end:?} is not {format}"))?;
    if e < s {
        return Err(format!("end {end} is before start {start}"));
    }
    if e - s + 1 > max {
        return Err(format!("{start}..{end} spans {} {unit}; at most {max} can be queried", e - s + 1));
    }
    Ok(Some((cycle, s, e)))
}

/// Checks a pair of `YYYY-MM-DD` dates; their days since the epoch.
pub(crate) fn date_range<'a>(
    q: impl Fn(&str) -> Option<&'a str>,
    start: &str,
    end: &str,
    required: bool,
) -> Result<(Option<i64>, Option<i64>), String> {
    let parse = |name: &str| -> Result<Option<i64>, String> {
        match q(name) {
            None if required => Err(format!("{name} is required")),
            None => Ok(None),
            Some(v) => parse_date(v).map(Some).ok_or_else(|| format!("{name} {v:?} is not a YYYY-MM-DD date")),
        }
    };
    let (s, e) = (parse(start)?, parse(end)?);
    if let (Some(s), Some(e)) = (s, e) {
        if e < s {
            return Err(format!("{end} is before {start}"));
        }
    }
    Ok((s, e))
}

fn list_len(req: &Request, member: &str, max: usize) -> Result<(), String> {
    let body = json_body(req)?;
    let n =
        body.get(member).and_then(Value::as_array).map(Vec::len).ok_or_else(|| format!("{member} must be a list"))?;
    if n == 0 {
        return Err(format!("{member} is empty"));
    }
    if n > max {
        return Err(format!("{member} has {n} entries; at most {max} per call"));
    }
    Ok(())
}

fn control(req: &Request, datapoints: Option<&ProductDatapoints>) -> Result<(), String> {
    let body = json_body(req)?;
    match ControlCommand::from_json(&body)? {
        ControlCommand::Raw { raw, .. } if raw.is_empty() => Err("raw is empty".into()),
        ControlCommand::Raw { .. } => Ok(()),
        ControlCommand::Attrs { attrs, binary_coding } => {
            if attrs.is_empty() {
                return Err("attrs is empty".into());
            }
            let (Some(dp), Some(wire)) = (datapoints, body.get("attrs").and_then(Value::as_object)) else {
                return Ok(());
            };
            dp.check_attrs(wire, Some(binary_coding.as_ref().unwrap_or(&BinaryCoding::Hex)))
        }
    }
}

/// `YYYY-MM-DD` → days since 1970-01-01.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, i64, i64) = (digits(y)?, digits(m)?, digits(d)?);
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// `YYYY-NN` → (year, NN).
fn split_pair(text: &str) -> Option<(i64, i64)> {
    let (y, n) = text.trim().split_once('-')?;
    if y.len() != 4 || n.is_empty() || n.len() > 2 {
        return None;
    }
    Some((digits(y)?, digits(n)?))
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The day (since the epoch) of the Monday of ISO week `w` of year `y`.
fn iso_week_monday(y: i64, w: i64) -> i64 {
    let jan4 = days_from_civil(y, 1, 4);
    // 1970-01-01 was a Thursday: weekday index with Monday = 0.
    let weekday = (jan4 + 3).rem_euclid(7);
    jan4 - weekday + 7 * (w - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generated::ops;
    use std::time::Duration;
    use watchpost_core::ErrorKind;

    const NOW: i64 = 1_700_000_000;

    /// A test clock that reads a fixed Unix time.
    #[derive(Debug)]
    struct FixedClock(i64);

    impl Clock for FixedClock {
        fn unix_now(&self) -> Duration {
            Duration::from_secs(self.0.unsigned_abs())
        }
    }

    /// The test clock at [`NOW`].
    fn clock() -> FixedClock {
        FixedClock(NOW)
    }

    #[test]
    fn time_windows_are_judged_by_the_injected_clock() {
        // A window of the last day is fine at NOW, and more than seven days old by a clock
        // eight days later: the wall clock of the test machine plays no part.
        let s = (NOW - 86_400).to_string();
        let e = NOW.to_string();
        let r = req(&ops::DEVICE_ONLINE_RECORDS, &[("start_ts", &s), ("end_ts", &e)]);
        assert!(check(&r, None, &FixedClock(NOW)).is_ok());
        assert!(msg(check(&r, None, &FixedClock(NOW + 8 * 86_400))).contains("seven days"));
    }

    fn req(op: &'static watchpost_core::Operation, query: &[(&str, &str)]) -> Request {
        query.iter().fold(Request::new(op), |r, (k, v)| r.query(*k, *v))
    }

    fn msg(r: Result<()>) -> String {
        match r {
            Ok(()) => String::new(),
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::InvalidInput);
                e.to_string()
            }
        }
    }

    #[test]
    fn time_windows_follow_the_documented_limits() {
        let op = &ops::DEVICE_DATA;
        let ok = |q: &[(&str, &str)]| check(&req(op, q), None, &clock());
        assert!(ok(&[]).is_ok());
        let s = (NOW - 3 * 86_400).to_string();
        let e = (NOW - 86_400).to_string();
        assert!(ok(&[("start_ts", &s), ("end_ts", &e)]).is_ok());
        assert!(msg(ok(&[("start_ts", &s)])).contains("go together"));
        let long = (NOW - 3 * 86_400 + 2 * 86_400 + 1).to_string();
        assert!(msg(ok(&[("start_ts", &s), ("end_ts", &long)])).contains("longer than two days"));
        let old = (NOW - 8 * 86_400).to_string();
        let old_end = (NOW - 7 * 86_400).to_string();
        assert!(msg(ok(&[("start_ts", &old), ("end_ts", &old_end)])).contains("seven days"));
        assert!(msg(ok(&[("start_ts", &e), ("end_ts", &s)])).contains("before"));
        let ms = (NOW * 1000).to_string();
        assert!(msg(ok(&[("start_ts", &ms), ("end_ts", &ms)])).contains("milliseconds"));
        assert!(msg(ok(&[("limit", "0")])).contains("limit"));
        let (min, max) = (i64::MIN.to_string(), i64::MAX.to_string());
        assert!(!msg(ok(&[("start_ts", &min), ("end_ts", &max)])).is_empty(), "no overflow");
    }

    #[test]
    fn cyclic_reports_follow_the_documented_spans() {
        let op = &ops::DEVICE_LIVENESS_HISTORY;
        let run = |q: &[(&str, &str)]| msg(check(&req(op, q), None, &clock()));
        assert_eq!(run(&[("cycle", "date"), ("start", "2017-12-01"), ("end", "2017-12-30")]), "");
        assert!(run(&[("cycle", "date"), ("start", "2017-12-01"), ("end", "2017-12-31")]).contains("31 days"));
        assert_eq!(run(&[("cycle", "week"), ("start", "2016-01"), ("end", "2016-53")]), "");
        assert!(run(&[("cycle", "week"), ("start", "2016-01"), ("end", "2017-02")]).contains("54 weeks"));
        assert!(run(&[("cycle", "week"), ("start", "2016-54"), ("end", "2016-54")]).contains("YYYY-WW"));
        assert_eq!(run(&[("cycle", "month"), ("start", "2017-01"), ("end", "2017-12")]), "");
        assert!(run(&[("cycle", "month"), ("start", "2017-01"), ("end", "2018-01")]).contains("13 months"));
        assert!(run(&[("cycle", "month"), ("start", "2017-12"), ("end", "2017-01")]).contains("before"));
        assert!(run(&[("cycle", "date"), ("start", "2017-02-30"), ("end", "2017-03-01")]).contains("YYYY-MM-DD"));
        assert_eq!(run(&[("start", "2017-12-01"), ("end", "2017-12-02")]), "");
        assert_eq!(run(&[("start", "2017-11"), ("end", "2017-12")]), "");
        assert!(run(&[("start", "yesterday"), ("end", "today")]).contains("must be"));
    }

    #[test]
    fn dates_lists_and_control_bodies_are_checked() {
        let op = &ops::ACTIVE_USERS;
        assert!(msg(check(&req(op, &[("start_date", "2017-12-13")]), None, &clock())).contains("end_date is required"));
        let r = req(op, &[("start_date", "2017-12-13"), ("end_date", "2017-12-12")]);
        assert!(msg(check(&r, None, &clock())).contains("before"));
        let r = req(&ops::ACTIVATED_DEVICES, &[("start", "2017/12/13")]);
        assert!(msg(check(&r, None, &clock())).contains("YYYY-MM-DD"));

        let json = |op, v: Value| Request::new(op).body(Body::json("t", &v).unwrap());
        let macs: Vec<String> = (0..1001).map(|i| format!("m{i}")).collect();
        let r =
            json(&ops::UPDATE_DEVICE_GROUP, serde_json::json!({"action": "assign", "reassign": false, "macs": macs}));
        assert!(msg(check(&r, None, &clock())).contains("at most 1000"));
        let r = json(&ops::BIND_DEVICES, serde_json::json!({"uid": "u", "appid": "a", "dids": []}));
        assert!(msg(check(&r, None, &clock())).contains("empty"));

        let r = json(&ops::CONTROL_DEVICE, serde_json::json!({"attrs": {"switch": true}, "raw": [1]}));
        assert!(msg(check(&r, None, &clock())).contains("never both"));
        let r = json(&ops::CONTROL_DEVICE, serde_json::json!({"raw": []}));
        assert!(msg(check(&r, None, &clock())).contains("raw is empty"));
        let dp: ProductDatapoints = serde_json::from_value(serde_json::json!({"entities": [{"attrs": [
            {"name": "switch", "data_type": "bool", "type": "status_writable"}]}]}))
        .unwrap();
        let r = json(&ops::CONTROL_DEVICE, serde_json::json!({"attrs": {"switch": 3}}));
        assert!(check(&r, None, &clock()).is_ok(), "unchecked without data points");
        assert!(msg(check(&r, Some(&dp), &clock())).contains("boolean"));
    }

    #[test]
    fn calendar_helpers() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2016-02-29"), Some(days_from_civil(2016, 2, 29)));
        assert_eq!(parse_date("2017-02-29"), None);
        // ISO week 1 of 2016 starts on Monday 2016-01-04; of 2015 on 2014-12-29.
        assert_eq!(iso_week_monday(2016, 1), days_from_civil(2016, 1, 4));
        assert_eq!(iso_week_monday(2015, 1), days_from_civil(2014, 12, 29));
    }
}
