//! The routes of the simulator (one per operation of the spec, named by operation id), the quota
//! and auth middleware, and the documented error answers.
//!
//! Handlers return their error answer early through `Result<_, SimResponse>`; the size of that
//! error does not matter in a test server.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures_util::future::{ready, Ready};
use serde_json::{json, Map, Value};
use watchpost_core::sim::{
    Quota, QuotaDecision, Router, SimRequest, SimResponse, TokenCheck, TokenStore, FALLBACK_ROUTE,
};

use super::reports;
use super::state::{SimDevice, SimGroup, SimProduct, State};
use super::time::{now_f64, now_secs};
use crate::error::GizwitsCode;
use crate::generated::ops;
use crate::models::BinaryCoding;

/// What every route shares.
pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    pub(crate) tokens: TokenStore<String>,
    pub(crate) token_ttl: Mutex<Duration>,
}

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A handler's answer: `Err` carries an error response (early return with `?`).
pub(crate) type Reply = Result<SimResponse, SimResponse>;
type Handler = fn(&Shared, &SimRequest) -> Reply;

/// The documented error answer: the HTTP status of the seed's table and the Chinese edition's
/// body (`error_code` as a string).
pub(crate) fn fail(code: u32) -> SimResponse {
    fail_with(code, "")
}

/// [`fail`] with a detail.
pub(crate) fn fail_with(code: u32, detail: &str) -> SimResponse {
    let c = GizwitsCode::from_code(&code.to_string());
    SimResponse::json(
        c.http_status().unwrap_or(400),
        &json!({ "error_code": code.to_string(), "error_message": c.description(), "detail": detail }),
    )
}

fn form_invalid(detail: impl AsRef<str>) -> SimResponse {
    fail_with(5002, detail.as_ref())
}

/// Builds the router: quota (outermost), then auth, then the operation's handler.
pub(crate) fn router(shared: Arc<Shared>, quota: Quota) -> Router {
    let routes: [(&'static watchpost_core::Operation, Handler); 32] = [
        (&ops::ACCESS_TOKEN, access_token),
        (&ops::PRODUCT_DATAPOINTS, datapoints),
        (&ops::SEARCH_USERS, search_users),
        (&ops::SEARCH_BOUND_USERS, search_bound_users),
        (&ops::DEVICE_DID, device_did),
        (&ops::DEVICE_DETAIL, device_detail),
        (&ops::SEARCH_DEVICES, search_devices),
        (&ops::CONTROL_DEVICE, control),
        (&ops::DEVICE_ONLINE_RECORDS, online_records),
        (&ops::DEVICE_COMMANDS, command_log),
        (&ops::DEVICE_DATA, data_history),
        (&ops::DEVICE_GROUP_TREE, group_tree),
        (&ops::CREATE_DEVICE_GROUP, create_group),
        (&ops::DELETE_DEVICE_GROUP, delete_group),
        (&ops::DEVICE_GROUP_MACS, group_macs),
        (&ops::UPDATE_DEVICE_GROUP, update_group),
        (&ops::BIND_DEVICES, bind),
        (&ops::UNBIND_DEVICES, unbind),
        (&ops::DEVICE_LOCATIONS, reports::device_locations),
        (&ops::DEVICE_SUMMARY, reports::summary),
        (&ops::ACTIVATED_DEVICES, reports::activated_devices),
        (&ops::ACTIVE_DEVICES, reports::active_devices),
        (&ops::DEVICE_LIVENESS_HISTORY, reports::liveness_history),
        (&ops::DEVICE_STATUS_REPORT, reports::status),
        (&ops::FAULT_DEVICE_REPORT, reports::fault_devices),
        (&ops::ALERT_DEVICE_REPORT, reports::alert_devices),
        (&ops::FAULT_EVENT_REPORT, reports::fault_events),
        (&ops::ALERT_EVENT_REPORT, reports::alert_events),
        (&ops::NEW_USERS_REPORT, reports::new_users),
        (&ops::ACTIVE_USERS, reports::active_users),
        (&ops::USER_LOCATIONS, reports::user_locations),
        (&ops::TOTAL_USERS_REPORT, reports::total_users),
    ];
    let mut router = Router::new();
    for (op, handler) in routes {
        router = router.operation(op, serve(&shared, handler));
    }
    let auth_shared = shared.clone();
    router
        .wrap(move |req, next| {
            let quota = quota.clone();
            async move {
                // Every request counts, token requests and unknown paths included. The journal
                // names callers by a hash of their token (the token itself stays out of it).
                let caller = req.header("authorization").map(caller_id);
                match quota.try_acquire_as(caller) {
                    QuotaDecision::Allowed { headers } => headers.apply(next.run(req).await),
                    QuotaDecision::Exceeded { headers, .. } => headers.apply(fail(5013)),
                }
            }
        })
        .layer(move |req| check_auth(&auth_shared, req))
}

/// An opaque id of the caller holding `authorization`.
pub(crate) fn caller_id(authorization: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    authorization.trim().hash(&mut h);
    h.finish()
}

fn serve(shared: &Arc<Shared>, handler: Handler) -> impl Fn(SimRequest) -> Ready<SimResponse> + Send + Sync + 'static {
    let shared = shared.clone();
    move |req| ready(handler(&shared, &req).unwrap_or_else(|e| e))
}

/// Token check for `/v1/products/{product_key}/*` (but the token request), enterprise headers
/// for `/v1/users/*`.
fn check_auth(shared: &Shared, req: &mut SimRequest) -> Option<SimResponse> {
    if req.route == ops::ACCESS_TOKEN.id || req.route == FALLBACK_ROUTE {
        return None;
    }
    if req.path.starts_with("/v1/users/") {
        let secret_required = req.route != ops::SEARCH_USERS.id;
        return check_enterprise(shared, req, secret_required).err();
    }
    let pk = req.param("product_key")?.to_owned();
    if !shared.state().products.contains_key(&pk) {
        return Some(fail(5015));
    }
    let token = req.header("authorization").and_then(|h| h.strip_prefix("token ")).map(str::trim).unwrap_or("");
    if token.is_empty() {
        return Some(fail_with(5009, "Authorization: token <token> required"));
    }
    match shared.tokens.validate(token) {
        TokenCheck::Unknown => Some(fail(5009)),
        TokenCheck::Expired => Some(fail(5011)),
        TokenCheck::Valid => match shared.tokens.data(token) {
            Some(owner) if owner == pk => None,
            _ => Some(fail(5010)),
        },
    }
}

fn check_enterprise(shared: &Shared, req: &SimRequest, secret_required: bool) -> Result<(), SimResponse> {
    let st = shared.state();
    let id =
        req.header("x-gizwits-enterprise-id").ok_or_else(|| form_invalid("X-Gizwits-Enterprise-ID is required"))?;
    if id != st.enterprise_id {
        return Err(fail(5003));
    }
    match req.header("x-gizwits-enterprise-secret") {
        Some(s) if s == st.enterprise_secret => Ok(()),
        None if !secret_required => Ok(()),
        _ => Err(fail(5004)),
    }
}

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

pub(crate) fn q<'a>(req: &'a SimRequest, name: &str) -> Option<&'a str> {
    req.query_param(name).filter(|v| !v.is_empty())
}

fn body_json(req: &SimRequest) -> Result<Value, SimResponse> {
    req.json::<Value>().map_err(|_| fail(5001))
}

fn body_object(req: &SimRequest) -> Result<Map<String, Value>, SimResponse> {
    match body_json(req)? {
        Value::Object(m) => Ok(m),
        _ => Err(fail(5001)),
    }
}

fn text_member(obj: &Map<String, Value>, name: &str) -> Result<String, SimResponse> {
    match obj.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(form_invalid(format!("{name} is required"))),
    }
}

/// A list member (a JSON array, or tolerated: comma-separated text).
fn list_member(obj: &Map<String, Value>, name: &str) -> Result<Vec<String>, SimResponse> {
    match obj.get(name) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned).ok_or_else(|| form_invalid(format!("{name} holds text"))))
            .collect(),
        Some(Value::String(s)) => {
            Ok(s.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        }
        _ => Err(form_invalid(format!("{name} is required"))),
    }
}

pub(crate) fn path_product(req: &SimRequest) -> String {
    req.param("product_key").unwrap_or_default().to_owned()
}

/// The product of the path (existence was checked by the auth layer; checked again anyway).
pub(crate) fn product<'a>(st: &'a State, req: &SimRequest) -> Result<&'a SimProduct, SimResponse> {
    st.products.get(&path_product(req)).ok_or_else(|| fail(5015))
}

fn product_mut<'a>(st: &'a mut State, req: &SimRequest) -> Result<&'a mut SimProduct, SimResponse> {
    st.products.get_mut(&path_product(req)).ok_or_else(|| fail(5015))
}

/// A 0/1 flag of the query.
pub(crate) fn flag(req: &SimRequest, name: &str) -> Result<Option<bool>, SimResponse> {
    match q(req, name) {
        None => Ok(None),
        Some("1") => Ok(Some(true)),
        Some("0") => Ok(Some(false)),
        Some(other) => Err(form_invalid(format!("{name} must be 0 or 1, got {other}"))),
    }
}

/// The `gid` filter: `Ok(None)` for none, 5206 for an unknown group.
pub(crate) fn gid_filter<'a>(p: &SimProduct, req: &'a SimRequest) -> Result<Option<&'a str>, SimResponse> {
    match q(req, "gid") {
        None => Ok(None),
        Some(g) if p.groups.contains_key(g) => Ok(Some(g)),
        Some(_) => Err(fail(5206)),
    }
}

/// A paginated answer: `limit` (default 20, 1..=1000) and `skip` (default 0); `next` and
/// `previous` are `null` even when there are more pages, as in the seed's examples.
pub(crate) fn page(req: &SimRequest, items: Vec<Value>) -> Reply {
    let limit = match q(req, "limit") {
        None => 20,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if n >= 1 => n.min(1000),
            _ => return Err(form_invalid(format!("limit must be a positive integer, got {v}"))),
        },
    };
    let skip = match q(req, "skip") {
        None => 0,
        Some(v) => {
            v.parse::<usize>().map_err(|_| form_invalid(format!("skip must be a non-negative integer, got {v}")))?
        }
    };
    let total = items.len();
    let objects: Vec<Value> = items.into_iter().skip(skip).take(limit).collect();
    Ok(SimResponse::json(
        200,
        &json!({
            "meta": { "previous": null, "skip": skip, "total": total, "limit": limit, "next": null },
            "objects": objects,
        }),
    ))
}

/// The device of the path, with the documented errors: 5301 unknown, 5302 in another product.
fn path_device<'a>(st: &'a State, req: &SimRequest) -> Result<&'a SimDevice, SimResponse> {
    let did = req.param("did").unwrap_or_default();
    let p = product(st, req)?;
    match p.device(did) {
        Some(d) => Ok(d),
        None if st.product_of_device(did).is_some() => Err(fail(5302)),
        None => Err(fail(5301)),
    }
}

// ---------------------------------------------------------------------------------------------
// authorization and product
// ---------------------------------------------------------------------------------------------

fn access_token(shared: &Shared, req: &SimRequest) -> Reply {
    let body = body_object(req)?;
    let (eid, esecret, psecret) = (
        text_member(&body, "enterprise_id")?,
        text_member(&body, "enterprise_secret")?,
        text_member(&body, "product_secret")?,
    );
    let pk = path_product(req);
    {
        let st = shared.state();
        let p = st.products.get(&pk).ok_or_else(|| fail(5015))?;
        if eid != st.enterprise_id {
            return Err(fail(5003));
        }
        if esecret != st.enterprise_secret {
            return Err(fail(5004));
        }
        if psecret != p.secret {
            return Err(fail(5005));
        }
    }
    let ttl = *shared.token_ttl.lock().unwrap_or_else(PoisonError::into_inner);
    let issued = shared.tokens.issue_with(pk, ttl);
    Ok(SimResponse::json(200, &json!({ "token": issued.token, "expired_at": issued.expires_at_secs() })))
}

fn datapoints(shared: &Shared, req: &SimRequest) -> Reply {
    let st = shared.state();
    let p = product(&st, req)?;
    p.datapoints.as_ref().map(|d| SimResponse::json(200, d)).ok_or_else(|| fail(5402))
}

// ---------------------------------------------------------------------------------------------
// users
// ---------------------------------------------------------------------------------------------

fn search_users(shared: &Shared, req: &SimRequest) -> Reply {
    let st = shared.state();
    let pk = q(req, "product_key").ok_or_else(|| form_invalid("product_key is required"))?;
    if !st.products.contains_key(pk) {
        return Err(fail(5015));
    }
    if let Some(app) = q(req, "appid") {
        if !st.apps.contains(app) {
            return Err(fail(5016));
        }
    }
    let matches = |want: Option<&str>, have: &Option<String>| want.is_none_or(|w| have.as_deref() == Some(w));
    let users = st
        .users
        .values()
        .filter(|u| u.products.contains(pk))
        .filter(|u| q(req, "appid").is_none_or(|a| a == u.appid))
        .filter(|u| matches(q(req, "username"), &u.username))
        .filter(|u| matches(q(req, "phone"), &u.phone))
        .filter(|u| matches(q(req, "email"), &u.email))
        .map(|u| u.json())
        .collect();
    page(req, users)
}

fn search_bound_users(shared: &Shared, req: &SimRequest) -> Reply {
    let st = shared.state();
    let p = product(&st, req)?;
    let gid = gid_filter(p, req)?;
    let devices = p.devices_in(gid);
    let kind = q(req, "type");
    let val = q(req, "val");
    // uid → owner flag (only reported when searching by did).
    let mut found: BTreeMap<String, Option<bool>> = BTreeMap::new();
    match (kind, val) {
        (Some("did"), Some(did)) => {
            let d = devices.iter().find(|d| d.did == did).ok_or_else(|| fail(5301))?;
            for (uid, (_, owner)) in &d.bindings {
                found.insert(uid.clone(), Some(*owner));
            }
        }
        (Some("mac"), Some(mac)) => {
            let d = devices.iter().find(|d| d.mac.eq_ignore_ascii_case(mac)).ok_or_else(|| fail(5301))?;
            found.extend(d.bindings.keys().map(|u| (u.clone(), None)));
        }
        (Some("uid"), Some(uid)) => {
            if devices.iter().any(|d| d.bindings.contains_key(uid)) {
                found.insert(uid.to_owned(), None);
            }
        }
        (Some(other), _) if !matches!(other, "did" | "mac" | "uid") => {
            return Err(form_invalid(format!("type must be did, mac or uid, got {other}")))
        }
        (Some(_), None) => return Err(form_invalid("val is required with type")),
        _ => found.extend(devices.iter().flat_map(|d| d.bindings.keys()).map(|u| (u.clone(), None))),
    }
    let users = found
        .into_iter()
        .filter_map(|(uid, owner)| {
            let u = st.users.get(&uid)?;
            let mut v = u.json();
            if let Some(obj) = v.as_object_mut() {
                obj.remove("updated_at");
                obj.insert("auth_src".into(), Value::Null);
                obj.insert("name".into(), json!(u.username));
                if let Some(o) = owner {
                    obj.insert("is_owner".into(), json!(o));
                }
            }
            Some(v)
        })
        .collect();
    page(req, users)
}

// ---------------------------------------------------------------------------------------------
// devices
// ---------------------------------------------------------------------------------------------

fn mac_device<'a>(st: &'a State, req: &SimRequest) -> Result<&'a SimDevice, SimResponse> {
    let mac = q(req, "mac").ok_or_else(|| form_invalid("mac is required"))?;
    let p = product(st, req)?;
    match p.device_by_mac(mac) {
        Some(d) => Ok(d),
        None if st.products.values().any(|o| o.device_by_mac(mac).is_some()) => Err(fail(5302)),
        None => Err(fail(5301)),
    }
}

fn device_did(shared: &Shared, req: &SimRequest) -> Reply {
    let st = shared.state();
    let d = mac_device(&st, req)?;
    Ok(SimResponse::json(200, &json!({ "did": d.did, "passcode": d.passcode })))
}

fn device_detail(shared: &Shared, req: &SimRequest) -> Reply {
    let st = shared.state();
    let d = mac_device(&st, req)?;
    Ok(SimResponse::json(
        200,
        &json!({
            "did": d.did, "is_disabled": d.is_disabled, "product_key": path_product(req),
            "mac": d.mac, "is_online": d.is_online, "type": "normal",
        }),
    ))
}

fn search_devices(shared: &Shared, req: &SimRequest) -> Reply {
    let st = shared.state();
    let p = product(&st, req)?;
    let gid = gid_filter(p, req)?;
    let (online, faulty, alert) = (flag(req, "is_online")?, flag(req, "is_faulty")?, flag(req, "is_alert")?);
    let show_disabled = flag(req, "show_disabled")?.unwrap_or(false);
    let liveness_start = match q(req, "liveness_start") {
        None => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| form_invalid("liveness_start must be a timestamp"))?),
    };
    let kind = q(req, "type");
    let val = q(req, "val");
    if let Some(k) = kind {
        if !matches!(k, "did" | "mac" | "uid") {
            return Err(form_invalid(format!("type must be did, mac or uid, got {k}")));
        }
        if val.is_none() {
            return Err(form_invalid("val is required with type"));
        }
    }
    let text = |name: &str, have: &str| q(req, name).is_none_or(|w| w == have);
    let items = p
        .devices_in(gid)
        .into_iter()
        .filter(|d| show_disabled || !d.is_disabled)
        .filter(|d| online.is_none_or(|o| o == d.is_online))
        .filter(|d| faulty.is_none_or(|f| f == d.is_faulty()))
        .filter(|d| alert.is_none_or(|a| a == d.is_alert()))
        .filter(|d| liveness_start.is_none_or(|t| d.online_latest >= t))
        .filter(|d| text("country", &d.country) && text("region", &d.region) && text("city", &d.city))
        .filter(|d| match (kind, val) {
            (Some("did"), Some(v)) => d.did == v,
            (Some("mac"), Some(v)) => d.mac.eq_ignore_ascii_case(v),
            (Some("uid"), Some(v)) => d.bindings.contains_key(v),
            _ => true,
        })
        .map(SimDevice::search_json)
        .collect();
    page(req, items)
}

/// The `[start, end]` window of a history query (default: the last two days) and whether to
/// sort descending (the default).
fn window(req: &SimRequest) -> Result<(f64, f64, bool), SimResponse> {
    let now = now_secs();
    let w = crate::validate::time_window(|n| q(req, n), now).map_err(form_invalid)?;
    let desc = match q(req, "sort") {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(other) => return Err(form_invalid(format!("sort must be asc or desc, got {other}"))),
    };
    let (s, e) = w.unwrap_or((now - 2 * 86_400, now));
    // The end second is included whole (records carry fractional timestamps).
    Ok((s as f64, e as f64 + 0.999_999, desc))
}

fn sorted(mut records: Vec<(f64, Value)>, desc: bool) -> Vec<Value> {
    records.sort_by(|a, b| a.0.total_cmp(&b.0));
    if desc {
        records.reverse();
    }
    records.into_iter().map(|(_, v)| v).collect()
}

fn online_records(shared: &Shared, req: &SimRequest) -> Reply {
    let st = shared.state();
    let d = path_device(&st, req)?;
    let (start, end, desc) = window(req)?;
    let mut records = Vec::new();
    if d.history {
        // A session per half day: online at +10 min, offline at +11 h 6 min 40 s.
        let now = now_secs();
        let slot0 = now - now.rem_euclid(43_200);
        for k in 0..16 {
            let slot = (slot0 - k * 43_200) as f64;
            records.push((
                slot + 600.229,
                json!({ "timestamp": slot + 600.229, "type": "dev_online", "payload": { "keep_alive": 130 } }),
            ));
            let off = slot + 40_000.201;
            records.push((off, json!({
                "timestamp": off, "type": "dev_offline",
                "payload": { "duration": 39_400, "heartbeat": { "count": 656, "max": 60, "avg": 60, "last": 130, "min": 60 }, "reason": "no_heartbeat" }
            })));
        }
    }
    let now = now_f64();
    let records = records.into_iter().filter(|(t, _)| *t >= start && *t <= end && *t <= now).collect();
    page(req, sorted(records, desc))
}

fn command_log(shared: &Shared, req: &SimRequest) -> Reply {
    let st = shared.state();
    let d = path_device(&st, req)?;
    let (start, end, desc) = window(req)?;
    let mut records: Vec<(f64, Value)> = Vec::new();
    if d.history {
        let now = now_secs();
        let slot0 = now - now.rem_euclid(7200);
        for k in 0..(8 * 12) {
            let slot = (slot0 - k * 7200) as f64;
            records.push((
                slot + 5.294,
                json!({ "timestamp": slot + 5.294, "type": "app2dev", "payload": "0000000309000090010101000010" }),
            ));
            records.push((
                slot + 6.044,
                json!({ "timestamp": slot + 6.044, "type": "dev2app", "payload": "000000030b0000910401000010000000" }),
            ));
        }
    }
    for (t, dir, payload) in &d.commands {
        records.push((*t, json!({ "timestamp": t, "type": dir, "payload": payload })));
    }
    let now = now_f64();
    let records = records.into_iter().filter(|(t, _)| *t >= start && *t <= end && *t <= now).collect();
    page(req, sorted(records, desc))
}

fn data_history(shared: &Shared, req: &SimRequest) -> Reply {
    let st = shared.state();
    let d = path_device(&st, req)?;
    let (start, end, desc) = window(req)?;
    let mut records: Vec<(f64, Value)> = Vec::new();
    if d.history {
        let now = now_secs();
        let slot0 = now - now.rem_euclid(3600);
        for k in 0..(8 * 24) {
            let ts = slot0 - k * 3600;
            let mut attrs = d.attrs.clone();
            attrs.insert("room_temp".into(), json!(-10 + (ts / 3600).rem_euclid(40)));
            records.push((ts as f64, json!({ "ts": ts, "attrs": attrs })));
        }
    }
    for (ts, attrs) in &d.data {
        records.push((*ts as f64, json!({ "ts": ts, "attrs": attrs })));
    }
    let now = now_f64();
    let records = records.into_iter().filter(|(t, _)| *t >= start && *t <= end && *t <= now).collect();
    page(req, sorted(records, desc))
}

fn control(shared: &Shared, req: &SimRequest) -> Reply {
    let body = body_object(req)?;
    let mut st = shared.state();
    path_device(&st, req)?;
    let did = req.param("did").unwrap_or_default().to_owned();
    let p = product_mut(&mut st, req)?;
    let datapoints = p.datapoint_list();
    let remote_control = p.remote_control;
    let d = p.device_mut(&did).ok_or_else(|| fail(5301))?;
    if d.is_disabled {
        return Err(fail(5304));
    }
    if !d.is_online {
        return Err(fail(5305));
    }
    if !remote_control {
        return Err(fail(5404));
    }
    let coding = match body.get("binary_coding") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "hex" => Some(BinaryCoding::Hex),
        Some(Value::String(s)) if s == "base64" => Some(BinaryCoding::Base64),
        Some(other) => return Err(form_invalid(format!("binary_coding must be hex or base64, got {other}"))),
    };
    let now = now_f64();
    match (body.get("attrs"), body.get("raw")) {
        (Some(_), Some(_)) => Err(form_invalid("attrs and raw are exclusive")),
        (None, None) => Err(form_invalid("attrs or raw is required")),
        (Some(attrs), None) => {
            let dp = datapoints.ok_or_else(|| fail(5402))?;
            let attrs = attrs.as_object().filter(|a| !a.is_empty()).ok_or_else(|| fail(5401))?;
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
            Ok(SimResponse::json(200, &json!({})))
        }
        (None, Some(raw)) => {
            let bytes = crate::models::decode_raw(raw, coding.as_ref()).map_err(|m| fail_with(5408, &m))?;
            if bytes.is_empty() {
                return Err(fail_with(5408, "raw is empty"));
            }
            d.commands.push((now, "app2dev", hex::encode(bytes)));
            Ok(SimResponse::json(200, &json!({})))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// groups
// ---------------------------------------------------------------------------------------------

fn group_tree(shared: &Shared, req: &SimRequest) -> Reply {
    let st = shared.state();
    let p = product(&st, req)?;
    fn node(p: &SimProduct, gid: &str) -> Value {
        let children: Map<String, Value> = p
            .groups
            .iter()
            .filter(|(_, g)| g.parent.as_deref() == Some(gid))
            .map(|(k, _)| (k.clone(), node(p, k)))
            .collect();
        if children.is_empty() {
            Value::String(String::new())
        } else {
            Value::Object(children)
        }
    }
    let tree: Map<String, Value> =
        p.groups.iter().filter(|(_, g)| g.parent.is_none()).map(|(k, _)| (k.clone(), node(p, k))).collect();
    Ok(SimResponse::json(200, &tree))
}

fn create_group(shared: &Shared, req: &SimRequest) -> Reply {
    let body = body_object(req)?;
    let parent = match body.get("parent_gid") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(form_invalid("parent_gid must be text")),
    };
    let mut st = shared.state();
    st.serial += 1;
    let serial = st.serial;
    let p = product_mut(&mut st, req)?;
    match &parent {
        None if p.groups.values().any(|g| g.parent.is_none()) => return Err(fail(5203)),
        Some(g) if !p.groups.contains_key(g) => return Err(fail(5202)),
        _ => {}
    }
    let gid = format!("{:032x}", (u128::from(serial) << 64) | u128::from(fastrand::u64(..)));
    p.groups.insert(gid.clone(), SimGroup { parent, macs: BTreeSet::new() });
    Ok(SimResponse::json(200, &json!({ "gid": gid })))
}

fn delete_group(shared: &Shared, req: &SimRequest) -> Reply {
    let mut st = shared.state();
    let p = product_mut(&mut st, req)?;
    let gid = req.param("gid").unwrap_or_default().to_owned();
    let g = p.groups.get(&gid).ok_or_else(|| fail(5206))?;
    if p.groups.values().any(|c| c.parent.as_deref() == Some(&gid)) {
        return Err(fail(5204));
    }
    if !g.macs.is_empty() {
        return Err(fail(5205));
    }
    p.groups.remove(&gid);
    Ok(SimResponse::empty(200))
}

fn group_macs(shared: &Shared, req: &SimRequest) -> Reply {
    let st = shared.state();
    let p = product(&st, req)?;
    let g = p.groups.get(req.param("gid").unwrap_or_default()).ok_or_else(|| fail(5206))?;
    Ok(SimResponse::json(200, &json!({ "macs": g.macs })))
}

fn update_group(shared: &Shared, req: &SimRequest) -> Reply {
    let body = body_object(req)?;
    let action = text_member(&body, "action")?;
    let reassign = match body.get("reassign") {
        Some(Value::Bool(b)) => *b,
        _ => return Err(form_invalid("reassign (boolean) is required")),
    };
    let macs = list_member(&body, "macs")?;
    if macs.is_empty() || macs.len() > 1000 {
        return Err(form_invalid("macs holds 1 to 1000 MACs"));
    }
    let mut st = shared.state();
    let p = product_mut(&mut st, req)?;
    let gid = req.param("gid").unwrap_or_default().to_owned();
    if !p.groups.contains_key(&gid) {
        return Err(fail(5206));
    }
    let (mut success, mut failed) = (Vec::new(), Vec::new());
    for mac in macs {
        let known = p.device_by_mac(&mac).map(|d| d.mac.clone());
        let current = known.as_deref().and_then(|m| p.group_of(m)).map(str::to_owned);
        let ok = match (action.as_str(), &known, current.as_deref()) {
            (_, None, _) => false,
            ("assign", Some(_), Some(g)) if g == gid => true,
            ("assign", Some(_), Some(_)) if !reassign => false,
            ("assign", Some(m), other) => {
                if let Some(g) = other.and_then(|o| p.groups.get_mut(o)) {
                    g.macs.remove(m);
                }
                p.groups.get_mut(&gid).map(|g| g.macs.insert(m.clone())).is_some()
            }
            ("unassign", Some(m), Some(g)) if g == gid => {
                p.groups.get_mut(&gid).map(|g| g.macs.remove(m)).unwrap_or(false)
            }
            ("unassign", _, _) => false,
            (other, _, _) => return Err(form_invalid(format!("action must be assign or unassign, got {other}"))),
        };
        if ok {
            success.push(mac);
        } else {
            failed.push(mac);
        }
    }
    Ok(SimResponse::json(200, &json!({ "failed": failed, "success": success })))
}

// ---------------------------------------------------------------------------------------------
// bindings
// ---------------------------------------------------------------------------------------------

fn binding_request(shared: &Shared, req: &SimRequest) -> Result<(String, String, Vec<String>), SimResponse> {
    let body = body_object(req)?;
    let (uid, appid, dids) = (text_member(&body, "uid")?, text_member(&body, "appid")?, list_member(&body, "dids")?);
    if dids.is_empty() {
        return Err(form_invalid("dids is empty"));
    }
    let st = shared.state();
    if !st.apps.contains(&appid) {
        return Err(fail(5016));
    }
    if !st.users.contains_key(&uid) {
        return Err(fail(5017));
    }
    Ok((uid, appid, dids))
}

fn bind(shared: &Shared, req: &SimRequest) -> Reply {
    let (uid, appid, dids) = binding_request(shared, req)?;
    let mut st = shared.state();
    let p = product_mut(&mut st, req)?;
    let (mut success, mut failed) = (Vec::new(), Vec::new());
    for did in dids {
        match p.device_mut(&did) {
            Some(d) if !d.is_disabled => {
                let owner = d.bindings.is_empty();
                d.bindings.entry(uid.clone()).or_insert((appid.clone(), owner));
                success.push(did);
            }
            _ => failed.push(did),
        }
    }
    Ok(SimResponse::json(200, &json!({ "failed": failed, "success": success })))
}

fn unbind(shared: &Shared, req: &SimRequest) -> Reply {
    let (uid, _, dids) = binding_request(shared, req)?;
    let mut st = shared.state();
    let p = product_mut(&mut st, req)?;
    let (mut success, mut failed) = (Vec::new(), Vec::new());
    for did in dids {
        match p.device_mut(&did).map(|d| d.bindings.remove(&uid).is_some()) {
            Some(true) => success.push(did),
            _ => failed.push(did),
        }
    }
    Ok(SimResponse::json(200, &json!({ "failed": failed, "success": success })))
}
