//! What the device and user reports of the simulator compute from its state (the report
//! operations themselves are methods in [`super::handlers`]).
//!
//! Handlers return their error answer early through `Result<_, Failure>`; the size of that
//! error does not matter in a test server.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use super::handlers::{fail, form_invalid, gid_filter, lookup, object, ok, product, Failure, Reply};
use super::state::{SimDevice, SimUser, State};
use super::time::date;
use crate::models::Cycle;
use crate::validate::days_from_civil;

/// Something with a place: country, region and city.
pub(crate) trait Located {
    fn place(&self) -> [&str; 3];
}

impl Located for SimDevice {
    fn place(&self) -> [&str; 3] {
        [&self.country, &self.region, &self.city]
    }
}

impl Located for SimUser {
    fn place(&self) -> [&str; 3] {
        [&self.country, &self.region, &self.city]
    }
}

/// What a place of a location tree shows of its items (`count`, `detail`).
type Members<'a, T> = dyn Fn(&[&T]) -> Map<String, Value> + 'a;

/// Countries, regions and cities with `members(items)` of each (`count`, `detail`); a city is
/// its bare count when `bare_city` is set.
pub(crate) fn location_tree<T: Located>(items: &[&T], members: &Members<T>, bare_city: bool) -> Value {
    fn level<T: Located>(items: &[&T], depth: usize, members: &Members<T>, bare: bool) -> Value {
        let mut places: BTreeMap<&str, Vec<&T>> = BTreeMap::new();
        for item in items {
            places.entry(item.place().get(depth).copied().unwrap_or_default()).or_default().push(*item);
        }
        let node = |items: &[&T]| match depth {
            2 if bare => json!(items.len()),
            2 => Value::Object(members(items)),
            _ => Value::Object(
                members(items).into_iter().chain(object(level(items, depth + 1, members, bare))).collect(),
            ),
        };
        Value::Object(places.into_iter().map(|(name, items)| (name.to_owned(), node(&items))).collect())
    }
    level(items, 0, members, bare_city)
}

pub(crate) fn plain_count<T>(items: &[&T]) -> Map<String, Value> {
    object(json!({ "count": items.len() }))
}

/// The enabled devices of product `pk` in group `gid` (all groups for `None`; 5206 unknown).
pub(crate) fn devices_of<'a>(st: &'a State, pk: &str, gid: Option<&str>) -> Result<Vec<&'a SimDevice>, Failure> {
    let p = product(st, pk)?;
    Ok(p.devices_in(gid_filter(p, gid)?).into_iter().filter(|d| !d.is_disabled).collect())
}

/// The activated/active device details (the two requests have the same fields).
macro_rules! detail_rows {
    ($st:expr, $r:expr, $day_of:expr) => {{
        let (st, r, day_of) = ($st, $r, $day_of);
        let devices = devices_of(st, &r.product_key, None)?;
        let dates = [("start", r.start.as_deref()), ("end", r.end.as_deref())];
        let (start, end) = crate::validate::date_range(lookup(&dates), "start", "end", false).map_err(form_invalid)?;
        let text = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let rows = devices
            .into_iter()
            .filter(|d| start.is_none_or(|s| day_of(d) >= s) && end.is_none_or(|e| day_of(d) <= e))
            .filter(|d| text(&r.country, &d.country) && text(&r.region, &d.region) && text(&r.city, &d.city))
            .map(|d| d.report_row(&r.product_key, day_of(d)))
            .collect();
        page(r.limit, r.skip, rows)
    }};
}
pub(crate) use detail_rows;

/// One period of a cyclic report: its label, first day and last day.
type Period = (String, i64, i64);

/// The periods of a cyclic report.
fn periods(cycle: Option<&Cycle>, start: &str, end: &str) -> Result<(Cycle, Vec<Period>), Failure> {
    let given = [("start", Some(start)), ("end", Some(end)), ("cycle", cycle.map(Cycle::as_str))];
    let checked = crate::validate::cycle_range(lookup(&given)).map_err(form_invalid)?;
    // Without a cycle the text is ambiguous; the simulator reads it as months (then weeks).
    let index = |t, c: &Cycle| crate::validate::period_index(t, c);
    let guess = |c: Cycle| Some((index(start, &c)?, index(end, &c)?)).map(|(s, e)| (c, s, e));
    let (cycle, s, e) = checked
        .or_else(|| guess(Cycle::Month).or_else(|| guess(Cycle::Week)))
        .ok_or_else(|| form_invalid("start/end"))?;
    if e - s + 1 > 53 {
        return Err(form_invalid("the range is too long"));
    }
    let list = (s..=e)
        .map(|i| match cycle {
            // Week `i` starts on the Monday of days 7i..7i+6 (day 0 was a Thursday).
            Cycle::Week => {
                let (y, w, _) = date(i * 7 + 4).to_iso_week_date();
                (format!("{y:04}-{w:02}"), i * 7 + 4, i * 7 + 10)
            }
            Cycle::Month => {
                let (y, m) = (i.div_euclid(12), i.rem_euclid(12) + 1);
                let first = days_from_civil(y, m, 1);
                let next = if m == 12 { days_from_civil(y + 1, 1, 1) } else { days_from_civil(y, m + 1, 1) };
                (format!("{y:04}-{m:02}"), first, next - 1)
            }
            _ => (date(i).to_string(), i, i),
        })
        .collect();
    Ok((cycle, list))
}

fn cycle_key(cycle: &Cycle) -> &'static str {
    match cycle {
        Cycle::Week => "week",
        Cycle::Month => "month",
        _ => "date",
    }
}

/// A cyclic report: one data point per period, labelled under the cycle's name, with what
/// `point(first day, last day)` counts.
pub(crate) fn cyclic(
    (start, end, gid): (&str, &str, Value),
    cycle: Option<&Cycle>,
    point: impl Fn(i64, i64) -> Map<String, Value>,
) -> Reply {
    let (cycle, periods) = periods(cycle, start, end)?;
    let data: Vec<Value> = periods
        .into_iter()
        .map(|(label, first, last)| {
            let mut p = point(first, last);
            p.insert(cycle_key(&cycle).into(), json!(label));
            Value::Object(p)
        })
        .collect();
    ok(json!({ "start": start, "gid": gid, "end": end, "data": data, "cycle": cycle.as_str() }))
}

/// The `count` of activated, faulty and alerting devices; zero counts are left out unless
/// `zeros` (as in the seed, L1653, where only the top-level count has them all).
pub(crate) fn status_counts(devices: &[&SimDevice], zeros: bool) -> Map<String, Value> {
    let faulty = devices.iter().filter(|d| d.is_faulty()).count();
    let alert = devices.iter().filter(|d| d.is_alert()).count();
    let counts = [("activated", devices.len()), ("faulty", faulty), ("alert", alert)];
    let count: Map<String, Value> =
        counts.into_iter().filter(|(_, n)| zeros || *n > 0).map(|(k, n)| (k.into(), json!(n))).collect();
    object(json!({ "count": count }))
}

/// `count`: how many devices have had issues of one kind (`alarm`), resolved or not.
fn issue_device_members(devices: &[&SimDevice], alarm: bool) -> Map<String, Value> {
    let with = devices.iter().filter(|d| d.issues.iter().any(|(_, a, _)| *a == alarm)).count();
    let unresolved = devices.iter().filter(|d| d.issues.iter().any(|(_, a, r)| *a == alarm && !r)).count();
    object(json!({ "count": { "total": with, "resolved": with - unresolved, "unresolved": unresolved } }))
}

/// Event counts (one per issue of one kind) and their `detail` per data point.
fn event_members(devices: &[&SimDevice], alarm: bool) -> Map<String, Value> {
    let mut detail: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for (dp, a, resolved) in devices.iter().flat_map(|d| d.issues.iter()) {
        if *a == alarm {
            let e = detail.entry(dp).or_default();
            e.0 += 1;
            e.1 += u64::from(*resolved);
        }
    }
    let counts = |(t, r): (u64, u64)| json!({ "resolved": r, "total": t, "unresolved": t - r });
    let total = detail.values().fold((0, 0), |(t, r), (a, b)| (t + a, r + b));
    let detail: Map<String, Value> = detail.into_iter().map(|(k, n)| (k.to_owned(), counts(n))).collect();
    object(json!({ "count": counts(total), "detail": detail }))
}

/// The fault or alarm (`alarm`) report by devices or by events (`events`): the counts of the
/// group and of every place with devices that had such issues.
pub(crate) fn issues(st: &mut State, (pk, gid): (&str, Option<String>), alarm: bool, events: bool) -> Reply {
    let devices = devices_of(st, pk, gid.as_deref())?;
    let with: Vec<&SimDevice> =
        devices.iter().copied().filter(|d| d.issues.iter().any(|(_, a, _)| *a == alarm)).collect();
    let members = |items: &[&SimDevice]| match events {
        true => event_members(items, alarm),
        false => issue_device_members(items, alarm),
    };
    let mut top = members(&devices);
    top.extend([("gid".into(), json!(gid)), ("location".into(), location_tree(&with, &members, false))]);
    ok(Value::Object(top))
}

/// The users bound to the devices of the request's product (and group).
pub(crate) fn bound_users<'a>(st: &'a State, pk: &str, gid: Option<&str>) -> Result<Vec<&'a SimUser>, Failure> {
    let p = product(st, pk)?;
    let uids: BTreeSet<&String> =
        p.devices_in(gid_filter(p, gid)?).into_iter().flat_map(|d| d.bindings.keys()).collect();
    Ok(uids.into_iter().filter_map(|u| st.users.get(u)).collect())
}

/// The product named by the `product_secret` query parameter of the `/v1/users/*` reports.
pub(crate) fn product_by_secret<'a>(st: &'a State, secret: &str) -> Result<&'a str, Failure> {
    if secret.is_empty() {
        return Err(form_invalid("product_secret is required"));
    }
    st.products.values().find(|p| p.secret == secret).map(|p| p.key.as_str()).ok_or_else(|| fail(5005))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekly_periods_are_the_requested_iso_weeks() {
        let (_, weeks) = periods(Some(&Cycle::Week), "2015-53", "2016-02").unwrap();
        let labels: Vec<&str> = weeks.iter().map(|(label, ..)| label.as_str()).collect();
        assert_eq!(labels, ["2015-53", "2016-01", "2016-02"]);
        // 2016-W01 runs from Monday 4 January to Sunday 10 January.
        assert_eq!(weeks.get(1).map(|w| (w.1, w.2)), Some((days_from_civil(2016, 1, 4), days_from_civil(2016, 1, 10))));
    }
}
