//! Device and user reports of the simulator, computed from its state.
//!
//! Handlers return their error answer early through `Result<_, SimResponse>`; the size of that
//! error does not matter in a test server.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};
use watchpost_core::sim::SimResponse;

use super::handlers::{fail, form_invalid, gid_filter, lookup, object, ok, page, product, Reply};
use super::state::{SimDevice, SimUser, State};
use super::time::{date, days_of, now_secs};
use crate::generated as api;
use crate::models::Cycle;
use crate::validate::days_from_civil;

/// Something with a place: country, region and city.
trait Located {
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
fn location_tree<T: Located>(items: &[&T], members: &Members<T>, bare_city: bool) -> Value {
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

fn plain_count<T>(items: &[&T]) -> Map<String, Value> {
    object(json!({ "count": items.len() }))
}

/// The enabled devices of product `pk` in group `gid` (all groups for `None`; 5206 unknown).
fn devices_of<'a>(st: &'a State, pk: &str, gid: Option<&str>) -> Result<Vec<&'a SimDevice>, SimResponse> {
    let p = product(st, pk)?;
    Ok(p.devices_in(gid_filter(p, gid)?).into_iter().filter(|d| !d.is_disabled).collect())
}

pub(crate) fn device_locations(st: &mut State, r: api::DeviceLocationsRequest) -> Reply {
    let devices: Vec<&SimDevice> = devices_of(st, &r.product_key, r.gid.as_deref())?
        .into_iter()
        .filter(|d| r.is_online.is_none_or(|o| o == d.is_online))
        .filter(|d| r.is_faulty.is_none_or(|f| f == d.is_faulty()))
        .filter(|d| r.is_alert.is_none_or(|a| a == d.is_alert()))
        .collect();
    // As in the seed (L1321): the city leaf is a bare integer.
    let location = location_tree(&devices, &plain_count, true);
    ok(json!({ "gid": r.gid, "total": devices.len(), "location": location }))
}

pub(crate) fn summary(st: &mut State, r: api::DeviceSummaryRequest) -> Reply {
    let devices = devices_of(st, &r.product_key, None)?;
    let today = days_of(now_secs());
    let active_since = |days: i64| devices.iter().filter(|d| days_of(d.online_latest) >= today - days).count();
    let created_since = |days: i64| devices.iter().filter(|d| d.created_day() >= today - days).count();
    ok(json!({
        "active": { "7_day": active_since(7), "yesterday": active_since(1) },
        "new": { "7_day": created_since(7), "30_day": created_since(30), "yesterday": devices.iter().filter(|d| d.created_day() == today - 1).count(), "today": created_since(0) },
        "total": devices.len(),
        "online": devices.iter().filter(|d| d.is_online).count(),
    }))
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

pub(crate) fn activated_devices(st: &mut State, r: api::ActivatedDevicesRequest) -> Reply {
    detail_rows!(st, r, SimDevice::created_day)
}

pub(crate) fn active_devices(st: &mut State, r: api::ActiveDevicesRequest) -> Reply {
    detail_rows!(st, r, |d: &SimDevice| days_of(d.online_latest))
}

/// One period of a cyclic report: its label, first day and last day.
type Period = (String, i64, i64);

/// The periods of a cyclic report.
fn periods(cycle: Option<&Cycle>, start: &str, end: &str) -> Result<(Cycle, Vec<Period>), SimResponse> {
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
fn cyclic(
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

pub(crate) fn liveness_history(st: &mut State, r: api::DeviceLivenessHistoryRequest) -> Reply {
    let devices = devices_of(st, &r.product_key, r.gid.as_deref())?;
    cyclic((&r.start, &r.end, json!(r.gid)), r.cycle.as_ref(), |first, last| {
        let active: Vec<&SimDevice> = devices
            .iter()
            .copied()
            .filter(|d| (days_of(d.online_latest) >= first || d.is_online) && d.created_day() <= last)
            .collect();
        let mut point = plain_count(&active);
        point.insert("location".into(), location_tree(&active, &plain_count, false));
        point
    })
}

/// The `count` of activated, faulty and alerting devices; zero counts are left out unless
/// `zeros` (as in the seed, L1653, where only the top-level count has them all).
fn status_counts(devices: &[&SimDevice], zeros: bool) -> Map<String, Value> {
    let faulty = devices.iter().filter(|d| d.is_faulty()).count();
    let alert = devices.iter().filter(|d| d.is_alert()).count();
    let counts = [("activated", devices.len()), ("faulty", faulty), ("alert", alert)];
    let count: Map<String, Value> =
        counts.into_iter().filter(|(_, n)| zeros || *n > 0).map(|(k, n)| (k.into(), json!(n))).collect();
    object(json!({ "count": count }))
}

pub(crate) fn status(st: &mut State, r: api::DeviceStatusReportRequest) -> Reply {
    let devices = devices_of(st, &r.product_key, r.gid.as_deref())?;
    let location = location_tree(&devices, &|items| status_counts(items, false), false);
    let mut top = status_counts(&devices, true);
    top.extend([("gid".into(), json!(r.gid)), ("location".into(), location)]);
    ok(Value::Object(top))
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
fn bound_users<'a>(st: &'a State, pk: &str, gid: Option<&str>) -> Result<Vec<&'a SimUser>, SimResponse> {
    let p = product(st, pk)?;
    let uids: BTreeSet<&String> =
        p.devices_in(gid_filter(p, gid)?).into_iter().flat_map(|d| d.bindings.keys()).collect();
    Ok(uids.into_iter().filter_map(|u| st.users.get(u)).collect())
}

pub(crate) fn new_users(st: &mut State, r: api::NewUsersReportRequest) -> Reply {
    if r.gid.is_empty() {
        return Err(form_invalid("gid is required"));
    }
    let users = bound_users(st, &r.product_key, Some(&r.gid))?;
    cyclic((&r.start, &r.end, json!(r.gid)), r.cycle.as_ref(), |first, last| {
        let new: Vec<&&SimUser> = users.iter().filter(|u| (first..=last).contains(&days_of(u.created_at))).collect();
        plain_count(&new)
    })
}

/// The product named by the `product_secret` query parameter of the `/v1/users/*` reports.
fn product_by_secret<'a>(st: &'a State, secret: &str) -> Result<&'a str, SimResponse> {
    if secret.is_empty() {
        return Err(form_invalid("product_secret is required"));
    }
    st.products.values().find(|p| p.secret == secret).map(|p| p.key.as_str()).ok_or_else(|| fail(5005))
}

pub(crate) fn active_users(st: &mut State, r: api::ActiveUsersRequest) -> Reply {
    let pk = product_by_secret(st, &r.product_secret)?;
    if r.appid.as_ref().is_some_and(|app| !st.apps.contains(app)) {
        return Err(fail(5016));
    }
    let dates = [("start_date", Some(r.start_date.as_str())), ("end_date", Some(r.end_date.as_str()))];
    let (start, end) =
        crate::validate::date_range(lookup(&dates), "start_date", "end_date", true).map_err(form_invalid)?;
    let (Some(start), Some(end)) = (start, end) else {
        return Err(form_invalid("start_date and end_date are required"));
    };
    if end - start > 366 {
        return Err(form_invalid("at most a year"));
    }
    let users: Vec<&SimUser> = st
        .users
        .values()
        .filter(|u| u.products.contains(pk) && r.appid.as_ref().is_none_or(|a| *a == u.appid))
        .collect();
    let data: Vec<Value> = (start..=end)
        .map(|day| json!({ "count": users.iter().filter(|u| days_of(u.updated_at) == day).count(), "date": date(day).to_string() }))
        .collect();
    ok(json!({ "data": data }))
}

pub(crate) fn user_locations(st: &mut State, r: api::UserLocationsRequest) -> Reply {
    let pk = product_by_secret(st, &r.product_secret)?;
    let users: Vec<&SimUser> = st.users.values().filter(|u| u.products.contains(pk)).collect();
    ok(location_tree(&users, &plain_count, false))
}

pub(crate) fn total_users(st: &mut State, r: api::TotalUsersReportRequest) -> Reply {
    let users = bound_users(st, &r.product_key, r.gid.as_deref())?;
    ok(json!({ "gid": r.gid, "total": users.len() }))
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
