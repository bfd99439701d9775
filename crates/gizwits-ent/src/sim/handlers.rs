//! The simulator's state logic, one method per operation of the generated [`Handlers`] trait
//! (the generated decoders parse every request, the generated router locks the world), and its
//! quota and auth middleware. The reports' computations are in [`super::reports`].
//!
//! Handlers return their error answer early through `Result<_, Failure>`; the size of that
//! error does not matter in a test server.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};
use watchpost_core::operation::Operation;
use watchpost_core::sim::{
    lock, Quota, QuotaDecision, Router, SimRejection, SimRequest, SimResponse, TokenCheck, FALLBACK_ROUTE,
};

use super::generated::{router_for, Handlers};
use super::reports::{
    self, bound_users, cyclic, detail_rows, devices_of, location_tree, plain_count, product_by_secret, status_counts,
};
use super::state::{SimDevice, SimGroup, SimProduct, SimUser, State};
use super::time::{date, days_of, now_f64, now_secs};
use crate::error::GizwitsCode;
use crate::generated::{self as api, ops};
use crate::models::{BinaryCoding, ControlCommand, DeviceSearchType, GroupAction, Sort};

/// A documented error answer: the code and a detail (empty for none).
#[derive(Debug)]
pub struct Failure(u32, String);

/// A handler's answer: `Err` carries the error (`[vendor] sim_error`; early return with `?`).
pub(crate) type Reply = Result<SimResponse, Failure>;

/// The members of a `json!` object (none for any other value).
pub(crate) fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// A `200` JSON answer.
pub(crate) fn ok(body: Value) -> Reply {
    Ok(SimResponse::json(200, &body))
}

/// The documented error answer: the HTTP status of the seed's table and the Chinese edition's
/// body (`error_code` as a string).
fn answer(Failure(code, detail): Failure) -> SimResponse {
    let c = GizwitsCode::from_code(&code.to_string());
    SimResponse::json(
        c.http_status().unwrap_or(400),
        &json!({ "error_code": code.to_string(), "error_message": c.description(), "detail": detail }),
    )
}

/// The error of `code`, without a detail.
pub(crate) fn fail(code: u32) -> Failure {
    Failure(code, String::new())
}

/// The error of `code` with a detail.
pub(crate) fn fail_with(code: u32, detail: &str) -> Failure {
    Failure(code, detail.to_owned())
}

/// 5002 (form invalid) with a detail.
pub(crate) fn form_invalid(detail: impl AsRef<str>) -> Failure {
    fail_with(5002, detail.as_ref())
}

/// Builds the router (every operation but the undocumented `reports.activation`): quota
/// (outermost), then auth, then the operation's handler.
pub(crate) fn router(shared: Arc<Mutex<State>>, quota: Quota) -> Router {
    let auth_shared = shared.clone();
    router_for(shared, |op| op.id != ops::DEVICE_ACTIVATION_REPORT.id)
        .wrap(move |req, next| {
            let quota = quota.clone();
            async move {
                // Every request counts, token requests and unknown paths included. The journal
                // names callers by a hash of their token (the token itself stays out of it).
                let caller = req.header("authorization").map(caller_id);
                match quota.try_acquire_as(caller) {
                    QuotaDecision::Allowed { headers } => headers.apply(next.run(req).await),
                    QuotaDecision::Exceeded { headers, .. } => headers.apply(answer(fail(5013))),
                }
            }
        })
        .layer(move |req| check_auth(&auth_shared, req).map(answer))
}

/// An opaque id of the caller holding `authorization`.
pub(crate) fn caller_id(authorization: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    authorization.trim().hash(&mut h);
    h.finish()
}

/// Token check for `/v1/products/{product_key}/*` (but the token request), enterprise headers
/// for `/v1/users/*`.
fn check_auth(shared: &Mutex<State>, req: &mut SimRequest) -> Option<Failure> {
    if req.route == ops::ACCESS_TOKEN.id || req.route == FALLBACK_ROUTE {
        return None;
    }
    if req.path.starts_with("/v1/users/") {
        let secret_required = req.route != ops::SEARCH_USERS.id;
        return check_enterprise(shared, req, secret_required).err();
    }
    let pk = req.param("product_key")?.to_owned();
    let st = lock(shared);
    if !st.products.contains_key(&pk) {
        return Some(fail(5015));
    }
    let token = req.header("authorization").and_then(|h| h.strip_prefix("token ")).map(str::trim).unwrap_or("");
    if token.is_empty() {
        return Some(fail_with(5009, "Authorization: token <token> required"));
    }
    match st.tokens.validate(token) {
        TokenCheck::Unknown => Some(fail(5009)),
        TokenCheck::Expired => Some(fail(5011)),
        TokenCheck::Valid => match st.tokens.data(token) {
            Some(owner) if owner == pk => None,
            _ => Some(fail(5010)),
        },
    }
}

fn check_enterprise(shared: &Mutex<State>, req: &SimRequest, secret_required: bool) -> Result<(), Failure> {
    let st = lock(shared);
    let id =
        req.header("x-gizwits-enterprise-id").ok_or_else(|| form_invalid("X-Gizwits-Enterprise-ID is required"))?;
    let secret = req.header("x-gizwits-enterprise-secret").map_or(!secret_required, |s| s == st.enterprise_secret);
    first_failed(&[(id != st.enterprise_id, 5003), (!secret, 5004)])
}

/// 5002 when any of the named texts is empty.
fn filled(texts: &[(&str, &str)]) -> Result<(), Failure> {
    match texts.iter().find(|(_, t)| t.is_empty()) {
        Some((name, _)) => Err(form_invalid(format!("{name} is required"))),
        None => Ok(()),
    }
}

/// The error of the first failed check, in order: `(failed, code)`.
fn first_failed(checks: &[(bool, u32)]) -> Result<(), Failure> {
    checks.iter().find(|(failed, _)| *failed).map_or(Ok(()), |(_, code)| Err(fail(*code)))
}

/// The named values as the by-name lookup of the checks shared with the client (`validate`).
pub(crate) fn lookup<'a>(pairs: &'a [(&str, Option<&'a str>)]) -> impl Fn(&str) -> Option<&'a str> + 'a {
    move |name| pairs.iter().find(|(n, _)| *n == name).and_then(|(_, v)| *v)
}

/// The product `pk` (existence was checked by the auth layer; checked again anyway).
pub(crate) fn product<'a>(st: &'a State, pk: &str) -> Result<&'a SimProduct, Failure> {
    st.products.get(pk).ok_or_else(|| fail(5015))
}

fn product_mut<'a>(st: &'a mut State, pk: &str) -> Result<&'a mut SimProduct, Failure> {
    st.products.get_mut(pk).ok_or_else(|| fail(5015))
}

/// The `gid` filter: `Ok(None)` for none, 5206 for an unknown group.
pub(crate) fn gid_filter<'a>(p: &SimProduct, gid: Option<&'a str>) -> Result<Option<&'a str>, Failure> {
    match gid {
        Some(g) if !p.groups.contains_key(g) => Err(fail(5206)),
        other => Ok(other),
    }
}

/// A paginated answer: `limit` (default 20, at most 1000; at least 1 by the spec) and `skip`
/// (default 0); `next` and `previous` are `null` even when there are more pages, as in the
/// seed's examples.
pub(crate) fn page(limit: Option<u32>, skip: Option<u32>, items: Vec<Value>) -> Reply {
    let limit = limit.map_or(20, |n| n.min(1000)) as usize;
    let skip = skip.unwrap_or(0) as usize;
    let total = items.len();
    let objects: Vec<Value> = items.into_iter().skip(skip).take(limit).collect();
    ok(json!({
        "meta": { "previous": null, "skip": skip, "total": total, "limit": limit, "next": null },
        "objects": objects,
    }))
}

/// The device of `pk` that `is` picks, with the documented errors: 5301 when no product has it,
/// 5302 when another product has it.
fn device_where<'a>(st: &'a State, pk: &str, is: impl Fn(&SimDevice) -> bool) -> Result<&'a SimDevice, Failure> {
    match product(st, pk)?.devices.iter().find(|d| is(d)) {
        Some(d) => Ok(d),
        None if st.products.values().any(|p| p.devices.iter().any(&is)) => Err(fail(5302)),
        None => Err(fail(5301)),
    }
}

/// The device `did` of `pk` (a path parameter).
fn path_device<'a>(st: &'a State, pk: &str, did: &str) -> Result<&'a SimDevice, Failure> {
    device_where(st, pk, |d| d.did == did)
}

/// The `type`/`val` search of devices and bound users: `None` without a type; 5002 for another
/// type, or a type without a value.
fn search_key<'a>(
    kind: Option<&DeviceSearchType>,
    val: Option<&'a str>,
) -> Result<Option<(DeviceSearchType, &'a str)>, Failure> {
    match (kind, val) {
        (None, _) => Ok(None),
        (Some(k @ DeviceSearchType::Other(_)), _) => {
            Err(form_invalid(format!("type must be did, mac or uid, got {k}")))
        }
        (Some(_), None) => Err(form_invalid("val is required with type")),
        (Some(k), Some(v)) => Ok(Some((k.clone(), v))),
    }
}

/// Whether device `d` is the one a `type`/`val` search names (a bound user's, for `uid`).
fn is_searched(d: &SimDevice, key: &Option<(DeviceSearchType, &str)>) -> bool {
    match key {
        Some((DeviceSearchType::Did, v)) => d.did == *v,
        Some((DeviceSearchType::Mac, v)) => d.mac.eq_ignore_ascii_case(v),
        Some((_, v)) => d.bindings.contains_key(*v),
        None => true,
    }
}

fn mac_device<'a>(st: &'a State, pk: &str, mac: &str) -> Result<&'a SimDevice, Failure> {
    device_where(st, pk, |d| d.mac.eq_ignore_ascii_case(mac))
}

/// A history list of `did`: the device's `records` (timestamp, item) inside the request's
/// window (default: the last two days; the end second included whole, as records carry
/// fractional timestamps) and not in the future, sorted (descending by default) and paged.
fn history(
    st: &State,
    (pk, did): (&str, &str),
    (start_ts, end_ts, sort): (Option<i64>, Option<i64>, Option<Sort>),
    (limit, skip): (Option<u32>, Option<u32>),
    records: impl FnOnce(&SimDevice, i64) -> Vec<(f64, Value)>,
) -> Reply {
    let d = path_device(st, pk, did)?;
    let now = now_secs();
    let (s, e) = (start_ts.map(|t| t.to_string()), end_ts.map(|t| t.to_string()));
    let window = crate::validate::time_window(lookup(&[("start_ts", s.as_deref()), ("end_ts", e.as_deref())]), now)
        .map_err(form_invalid)?;
    let desc = sort != Some(Sort::Asc);
    let (s, e) = window.unwrap_or((now - 2 * 86_400, now));
    let (s, e, now_f) = (s as f64, e as f64 + 0.999_999, now_f64());
    let mut records: Vec<(f64, Value)> =
        records(d, now).into_iter().filter(|(t, _)| *t >= s && *t <= e && *t <= now_f).collect();
    records.sort_by(|a, b| a.0.total_cmp(&b.0));
    if desc {
        records.reverse();
    }
    page(limit, skip, records.into_iter().map(|(_, v)| v).collect())
}

/// The per-item answer of group and binding updates.
fn outcome(items: Vec<String>, mut done: impl FnMut(&str) -> bool) -> Reply {
    let (success, failed): (Vec<String>, Vec<String>) = items.into_iter().partition(|i| done(i));
    ok(json!({ "failed": failed, "success": success }))
}

/// Checks a binding request's user and app, and returns the product to change.
fn binding<'a>(st: &'a mut State, pk: &str, uid: &str, appid: &str) -> Result<&'a mut SimProduct, Failure> {
    first_failed(&[(!st.apps.contains(appid), 5016), (!st.users.contains_key(uid), 5017)])?;
    product_mut(st, pk)
}

/// The operations, on the world every route shares (the generated router locks it for the
/// whole of each call).
impl Handlers for Mutex<State> {
    fn state(&self) -> &Mutex<State> {
        self
    }

    fn fail(&self, _: &SimRequest, failure: Failure) -> SimResponse {
        answer(failure)
    }

    /// A body that is not JSON is 5001, any other malformed or missing parameter 5002.
    fn reject(&self, _: &'static Operation, r: SimRejection) -> SimResponse {
        answer(fail_with(if r.param.is_empty() { 5001 } else { 5002 }, &r.to_string()))
    }

    // authorization and product
    fn access_token(&self, st: &mut State, r: api::AccessTokenRequest, _: &SimRequest) -> Reply {
        filled(&[("enterprise_secret", &r.enterprise_secret), ("product_secret", &r.product_secret)])?;
        let p = product(st, &r.product_key)?;
        first_failed(&[
            (r.enterprise_id != st.enterprise_id, 5003),
            (r.enterprise_secret != st.enterprise_secret, 5004),
            (r.product_secret != p.secret, 5005),
        ])?;
        let issued = st.tokens.issue_to(r.product_key);
        ok(json!({ "token": issued.token, "expired_at": issued.expires_at_secs() }))
    }

    fn product_datapoints(&self, st: &mut State, r: api::ProductDatapointsRequest, _: &SimRequest) -> Reply {
        product(st, &r.product_key)?.datapoints.clone().map_or_else(|| Err(fail(5402)), ok)
    }

    // users
    fn search_users(&self, st: &mut State, r: api::SearchUsersRequest, _: &SimRequest) -> Reply {
        product(st, &r.product_key)?;
        if r.appid.as_ref().is_some_and(|app| !st.apps.contains(app)) {
            return Err(fail(5016));
        }
        let matches = |want: &Option<String>, have: &Option<String>| want.is_none() || want == have;
        let users = st
            .users
            .values()
            .filter(|u| u.products.contains(&r.product_key))
            .filter(|u| r.appid.as_ref().is_none_or(|a| *a == u.appid))
            .filter(|u| matches(&r.username, &u.username) && matches(&r.phone, &u.phone) && matches(&r.email, &u.email))
            .map(|u| Value::Object(u.json()))
            .collect();
        page(r.limit, r.skip, users)
    }

    fn search_bound_users(&self, st: &mut State, r: api::SearchBoundUsersRequest, _: &SimRequest) -> Reply {
        let p = product(st, &r.product_key)?;
        let devices = p.devices_in(gid_filter(p, r.gid.as_deref())?);
        let key = search_key(r.search_type.as_deref().map(DeviceSearchType::from).as_ref(), r.val.as_deref())?;
        let matched: Vec<&SimDevice> = devices.into_iter().filter(|d| is_searched(d, &key)).collect();
        if matched.is_empty() && matches!(key, Some((DeviceSearchType::Did | DeviceSearchType::Mac, _))) {
            return Err(fail(5301));
        }
        // uid → owner flag (only reported when searching by did); a uid search finds that user only.
        let found: BTreeMap<&String, Option<bool>> = matched
            .iter()
            .flat_map(|d| d.bindings.iter())
            .filter(|(uid, _)| !matches!(key, Some((DeviceSearchType::Uid, v)) if v != uid.as_str()))
            .map(|(uid, (_, owner))| (uid, matches!(key, Some((DeviceSearchType::Did, _))).then_some(*owner)))
            .collect();
        let users = found
            .into_iter()
            .filter_map(|(uid, owner)| {
                let u = st.users.get(uid)?;
                let mut v = u.json();
                v.remove("updated_at");
                v.extend(object(json!({ "auth_src": null, "name": u.username })));
                v.extend(owner.map(|o| ("is_owner".to_owned(), json!(o))));
                Some(Value::Object(v))
            })
            .collect();
        page(r.limit, r.skip, users)
    }

    // devices
    fn device_did(&self, st: &mut State, r: api::DeviceDidRequest, _: &SimRequest) -> Reply {
        let d = mac_device(st, &r.product_key, &r.mac)?;
        ok(json!({ "did": d.did, "passcode": d.passcode }))
    }

    fn device_detail(&self, st: &mut State, r: api::DeviceDetailRequest, _: &SimRequest) -> Reply {
        let d = mac_device(st, &r.product_key, &r.mac)?;
        ok(json!({
            "did": d.did, "is_disabled": d.is_disabled, "product_key": r.product_key,
            "mac": d.mac, "is_online": d.is_online, "type": "normal",
        }))
    }

    fn search_devices(&self, st: &mut State, r: api::SearchDevicesRequest, _: &SimRequest) -> Reply {
        let p = product(st, &r.product_key)?;
        let gid = gid_filter(p, r.gid.as_deref())?;
        let liveness_start = match &r.liveness_start {
            None => None,
            Some(v) => Some(v.parse::<i64>().map_err(|_| form_invalid("liveness_start must be a timestamp"))?),
        };
        let key = search_key(r.search_type.as_ref(), r.val.as_deref())?;
        let text = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        let items = p
            .devices_in(gid)
            .into_iter()
            .filter(|d| r.show_disabled.unwrap_or(false) || !d.is_disabled)
            .filter(|d| r.is_online.is_none_or(|o| o == d.is_online))
            .filter(|d| r.is_faulty.is_none_or(|f| f == d.is_faulty()))
            .filter(|d| r.is_alert.is_none_or(|a| a == d.is_alert()))
            .filter(|d| liveness_start.is_none_or(|t| d.online_latest >= t))
            .filter(|d| text(&r.country, &d.country) && text(&r.region, &d.region) && text(&r.city, &d.city))
            .filter(|d| is_searched(d, &key))
            .map(SimDevice::search_json)
            .collect();
        page(r.limit, r.skip, items)
    }

    fn control_device(&self, st: &mut State, r: api::ControlDeviceRequest, _: &SimRequest) -> Reply {
        path_device(st, &r.product_key, &r.did)?;
        let p = product_mut(st, &r.product_key)?;
        let datapoints = p.datapoint_list();
        let remote_control = p.remote_control;
        let d = p.device_mut(&r.did).ok_or_else(|| fail(5301))?;
        first_failed(&[(d.is_disabled, 5304), (!d.is_online, 5305), (!remote_control, 5404)])?;
        let (ControlCommand::Attrs { binary_coding: coding, .. } | ControlCommand::Raw { binary_coding: coding, .. }) =
            &r.command;
        if let Some(BinaryCoding::Other(other)) = coding {
            return Err(form_invalid(format!("binary_coding must be hex or base64, got {other}")));
        }
        let now = now_f64();
        if let ControlCommand::Raw { raw, .. } = &r.command {
            if raw.is_empty() {
                return Err(fail_with(5408, "raw is empty"));
            }
            d.commands.push((now, "app2dev", hex::encode(raw)));
            return ok(json!({}));
        }
        let dp = datapoints.ok_or_else(|| fail(5402))?;
        let body = r.command.to_json();
        let attrs = body.get("attrs").and_then(Value::as_object).filter(|a| !a.is_empty()).ok_or_else(|| fail(5401))?;
        for (name, value) in attrs {
            let def = dp.datapoint(name).ok_or_else(|| fail_with(5405, name))?;
            def.check_value(value, coding.as_ref()).map_err(|m| fail_with(5401, &format!("{name}: {m}")))?;
        }
        for (name, value) in attrs {
            let stored = match dp.datapoint(name).map(|d| d.typed_value(value)) {
                Some(crate::models::AttrValue::Bool(b)) => json!(u8::from(b)),
                // Binary values were checked to have exactly their declared length.
                Some(v) => v.to_json(coding.as_ref()),
                None => value.clone(),
            };
            d.attrs.insert(name.clone(), stored);
        }
        let frame = hex::encode(serde_json::to_vec(attrs).unwrap_or_default());
        d.commands.push((now, "app2dev", frame));
        d.data.push((now.floor() as i64, d.attrs.clone()));
        ok(json!({}))
    }

    /// A session per half day (`world.json`).
    fn device_online_records(&self, st: &mut State, r: api::DeviceOnlineRecordsRequest, _: &SimRequest) -> Reply {
        let window = (r.start_ts, r.end_ts, r.sort);
        history(st, (&r.product_key, &r.did), window, (r.limit, r.skip), |d, now| st.history.online.replay(d, now))
    }

    /// Two frames every two hours (`world.json`), then what control calls sent.
    fn device_commands(&self, st: &mut State, r: api::DeviceCommandsRequest, _: &SimRequest) -> Reply {
        let window = (r.start_ts, r.end_ts, r.sort);
        history(st, (&r.product_key, &r.did), window, (r.limit, r.skip), |d, now| {
            let sent = d.commands.iter().map(|(t, dir, p)| (*t, json!({ "timestamp": t, "type": dir, "payload": p })));
            st.history.commands.replay(d, now).into_iter().chain(sent).collect()
        })
    }

    /// The latest values every hour (`world.json`), the room temperature cycling from -10 to 29,
    /// then what control calls set.
    fn device_data(&self, st: &mut State, r: api::DeviceDataRequest, _: &SimRequest) -> Reply {
        let window = (r.start_ts, r.end_ts, r.sort);
        history(st, (&r.product_key, &r.did), window, (r.limit, r.skip), |d, now| {
            let synthetic = st.history.data.replay(d, now).into_iter().map(|(t, _)| {
                let (ts, mut attrs) = (t as i64, d.attrs.clone());
                attrs.insert("room_temp".into(), json!(-10 + (ts / 3600).rem_euclid(40)));
                (ts, attrs)
            });
            let records = synthetic.chain(d.data.iter().cloned());
            records.map(|(ts, attrs)| (ts as f64, json!({ "ts": ts, "attrs": attrs }))).collect()
        })
    }

    // groups
    fn device_group_tree(&self, st: &mut State, r: api::DeviceGroupTreeRequest, _: &SimRequest) -> Reply {
        let p = product(st, &r.product_key)?;
        fn children(p: &SimProduct, parent: Option<&str>) -> Map<String, Value> {
            let kids = p.groups.iter().filter(|(_, g)| g.parent.as_deref() == parent);
            kids.map(|(k, _)| (k.clone(), node(p, k))).collect()
        }
        fn node(p: &SimProduct, gid: &str) -> Value {
            let kids = children(p, Some(gid));
            if kids.is_empty() {
                Value::String(String::new())
            } else {
                Value::Object(kids)
            }
        }
        ok(Value::Object(children(p, None)))
    }

    fn create_device_group(&self, st: &mut State, r: api::CreateDeviceGroupRequest, _: &SimRequest) -> Reply {
        st.serial += 1;
        let serial = st.serial;
        let p = product_mut(st, &r.product_key)?;
        match &r.parent_gid {
            None if p.groups.values().any(|g| g.parent.is_none()) => return Err(fail(5203)),
            Some(g) if !p.groups.contains_key(g) => return Err(fail(5202)),
            _ => {}
        }
        let gid = format!("{:032x}", (u128::from(serial) << 64) | u128::from(fastrand::u64(..)));
        p.groups.insert(gid.clone(), SimGroup { parent: r.parent_gid, macs: BTreeSet::new() });
        ok(json!({ "gid": gid }))
    }

    fn delete_device_group(&self, st: &mut State, r: api::DeleteDeviceGroupRequest, _: &SimRequest) -> Reply {
        let p = product_mut(st, &r.product_key)?;
        let g = p.groups.get(&r.gid).ok_or_else(|| fail(5206))?;
        let has_subgroup = p.groups.values().any(|c| c.parent.as_deref() == Some(&r.gid));
        first_failed(&[(has_subgroup, 5204), (!g.macs.is_empty(), 5205)])?;
        p.groups.remove(&r.gid);
        Ok(SimResponse::empty(200))
    }

    fn device_group_macs(&self, st: &mut State, r: api::DeviceGroupMacsRequest, _: &SimRequest) -> Reply {
        let g = product(st, &r.product_key)?.groups.get(&r.gid).ok_or_else(|| fail(5206))?;
        ok(json!({ "macs": g.macs }))
    }

    fn update_device_group(&self, st: &mut State, r: api::UpdateDeviceGroupRequest, _: &SimRequest) -> Reply {
        let p = product_mut(st, &r.product_key)?;
        let gid = r.gid;
        if !p.groups.contains_key(&gid) {
            return Err(fail(5206));
        }
        outcome(r.macs, |mac| {
            let known = p.device_by_mac(mac).map(|d| d.mac.clone());
            let current = known.as_deref().and_then(|m| p.group_of(m)).map(str::to_owned);
            match (&r.action, &known, current.as_deref()) {
                (_, None, _) => false,
                (GroupAction::Assign, Some(_), Some(g)) if g == gid => true,
                (GroupAction::Assign, Some(_), Some(_)) if !r.reassign => false,
                (GroupAction::Assign, Some(m), other) => {
                    if let Some(g) = other.and_then(|o| p.groups.get_mut(o)) {
                        g.macs.remove(m);
                    }
                    p.groups.get_mut(&gid).map(|g| g.macs.insert(m.clone())).is_some()
                }
                (_, Some(m), Some(g)) if g == gid => p.groups.get_mut(&gid).is_some_and(|g| g.macs.remove(m)),
                _ => false,
            }
        })
    }

    // bindings
    fn bind_devices(&self, st: &mut State, r: api::BindDevicesRequest, _: &SimRequest) -> Reply {
        let p = binding(st, &r.product_key, &r.uid, &r.appid)?;
        outcome(r.dids, |did| match p.device_mut(did) {
            Some(d) if !d.is_disabled => {
                let owner = d.bindings.is_empty();
                d.bindings.entry(r.uid.clone()).or_insert((r.appid.clone(), owner));
                true
            }
            _ => false,
        })
    }

    fn unbind_devices(&self, st: &mut State, r: api::UnbindDevicesRequest, _: &SimRequest) -> Reply {
        let p = binding(st, &r.product_key, &r.uid, &r.appid)?;
        outcome(r.dids, |did| p.device_mut(did).is_some_and(|d| d.bindings.remove(&r.uid).is_some()))
    }

    // reports
    fn device_locations(&self, st: &mut State, r: api::DeviceLocationsRequest, _: &SimRequest) -> Reply {
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

    fn device_summary(&self, st: &mut State, r: api::DeviceSummaryRequest, _: &SimRequest) -> Reply {
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

    fn activated_devices(&self, st: &mut State, r: api::ActivatedDevicesRequest, _: &SimRequest) -> Reply {
        detail_rows!(st, r, SimDevice::created_day)
    }

    fn active_devices(&self, st: &mut State, r: api::ActiveDevicesRequest, _: &SimRequest) -> Reply {
        detail_rows!(st, r, |d: &SimDevice| days_of(d.online_latest))
    }

    fn device_liveness_history(&self, st: &mut State, r: api::DeviceLivenessHistoryRequest, _: &SimRequest) -> Reply {
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

    fn device_status_report(&self, st: &mut State, r: api::DeviceStatusReportRequest, _: &SimRequest) -> Reply {
        let devices = devices_of(st, &r.product_key, r.gid.as_deref())?;
        let location = location_tree(&devices, &|items| status_counts(items, false), false);
        let mut top = status_counts(&devices, true);
        top.extend([("gid".into(), json!(r.gid)), ("location".into(), location)]);
        ok(Value::Object(top))
    }

    fn fault_device_report(&self, st: &mut State, r: api::FaultDeviceReportRequest, _: &SimRequest) -> Reply {
        reports::issues(st, (&r.product_key, r.gid), false, false)
    }

    fn alert_device_report(&self, st: &mut State, r: api::AlertDeviceReportRequest, _: &SimRequest) -> Reply {
        reports::issues(st, (&r.product_key, r.gid), true, false)
    }

    fn fault_event_report(&self, st: &mut State, r: api::FaultEventReportRequest, _: &SimRequest) -> Reply {
        reports::issues(st, (&r.product_key, r.gid), false, true)
    }

    fn alert_event_report(&self, st: &mut State, r: api::AlertEventReportRequest, _: &SimRequest) -> Reply {
        reports::issues(st, (&r.product_key, r.gid), true, true)
    }

    fn new_users_report(&self, st: &mut State, r: api::NewUsersReportRequest, _: &SimRequest) -> Reply {
        let users = bound_users(st, &r.product_key, Some(&r.gid))?;
        cyclic((&r.start, &r.end, json!(r.gid)), r.cycle.as_ref(), |first, last| {
            let new: Vec<&&SimUser> =
                users.iter().filter(|u| (first..=last).contains(&days_of(u.created_at))).collect();
            plain_count(&new)
        })
    }

    fn active_users(&self, st: &mut State, r: api::ActiveUsersRequest, _: &SimRequest) -> Reply {
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

    fn user_locations(&self, st: &mut State, r: api::UserLocationsRequest, _: &SimRequest) -> Reply {
        let pk = product_by_secret(st, &r.product_secret)?;
        let users: Vec<&SimUser> = st.users.values().filter(|u| u.products.contains(pk)).collect();
        ok(location_tree(&users, &plain_count, false))
    }

    fn total_users_report(&self, st: &mut State, r: api::TotalUsersReportRequest, _: &SimRequest) -> Reply {
        let users = bound_users(st, &r.product_key, r.gid.as_deref())?;
        ok(json!({ "gid": r.gid, "total": users.len() }))
    }
}
