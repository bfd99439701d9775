//! The simulated hot spare (3.53-3.60) and VAS ops pack (3.61).
//!
//! - Roles: the host first (LAP026338 for a spare before it), each role once (LAP026339), a UUID
//!   in one role only, spares No. 1 to 3.
//! - Heartbeats by the simulator clock: each device's `timeLag` is the milliseconds since its
//!   last heartbeat (or since it was added).
//! - Files: `hotspare/file/upload` takes `multipart/form-data` with the file in the part `file`
//!   (LAP000001 for anything else, LAP026341 above 2 MB, LAP026338 before a host is configured);
//!   the key is `hotspare/<file name>`, a new upload of the same name replaces the file. Download
//!   URLs point to the area host's [`DOWNLOAD_ROUTE`] (no token needed, as a pre-signed URL) and
//!   serve the file's bytes until it is deleted.
//! - Ops pack: a device with a premium service ([`Simulator::set_premium_service`]) needs no
//!   type or number; otherwise both are required (LAP000001). Activations are counted.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::{json, Value};
use tokio::time::Instant;
use watchpost_core::multipart::{boundary_from_content_type, DecoderConfig, MultipartDecoder};
use watchpost_core::sim::{Router, SimRequest, SimResponse};

use super::handlers::{answer, filled, Answer, HppSim};
use super::Simulator;
use crate::error::HppCode;
use crate::generated as api;
use crate::models::hotspare::{DeleteMode, OpspackType, SpareRole, MAX_FILE_BYTES, MAX_UUID};

/// The route name of the download URLs.
pub(crate) const DOWNLOAD_ROUTE: &str = "sim.hotspare.download";
/// The path of the download URLs.
const DOWNLOAD_PATH: &str = "/sim/hotspare/download/{token}";

/// One configured device.
#[derive(Debug, Clone)]
struct Device {
    uuid: String,
    last_beat: Instant,
}

/// One stored file.
#[derive(Debug, Clone)]
struct StoredFile {
    data: Bytes,
    modified_ms: u64,
}

/// The `hotspare` part of the simulator state.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Devices by role value (0 host, 1-3 spares).
    devices: BTreeMap<i64, Device>,
    files: BTreeMap<String, StoredFile>,
    /// Download tokens and the key each serves.
    downloads: BTreeMap<String, String>,
    next_download: u64,
    premium: Vec<String>,
    /// Ops pack activations: device serial, type and number used.
    activations: Vec<(String, Option<i64>, Option<u32>)>,
}

impl Simulator {
    /// Gives the device `serial` a premium service (ops pack activations then need no type or number).
    pub fn set_premium_service(&self, serial: &str) {
        self.sim().state().hotspare.premium.push(serial.to_owned());
    }

    /// The ops pack activations so far: device serial, package type and number, as sent.
    pub fn opspack_activations(&self) -> Vec<(String, Option<i64>, Option<u32>)> {
        self.sim().state().hotspare.activations.clone()
    }

    /// The stored hot spare file of `key`, if any.
    pub fn hot_spare_file(&self, key: &str) -> Option<Bytes> {
        self.sim().state().hotspare.files.get(key).map(|f| f.data.clone())
    }
}

fn now_ms() -> u64 {
    u64::try_from(watchpost_core::clock::unix_now().as_millis()).unwrap_or(u64::MAX)
}

fn uuid(text: &str) -> Answer<&str> {
    let u = filled(text)?.trim();
    if u.chars().count() > MAX_UUID {
        return Err(HppCode::ParameterError);
    }
    Ok(u)
}

fn list(state: &State, now: Instant, with_lag: bool) -> Value {
    let rows: Vec<Value> = state
        .devices
        .iter()
        .map(|(role, d)| {
            let mut row = json!({ "uuid": d.uuid, "type": role });
            if with_lag {
                let lag = u64::try_from(now.saturating_duration_since(d.last_beat).as_millis()).unwrap_or(u64::MAX);
                row["timeLag"] = json!(lag);
            }
            row
        })
        .collect();
    json!({ "list": rows })
}

/// The `{"errorCode":"0","message":"ok","data":…}` answer of the hot spare operations.
fn ok(data: Option<Value>) -> SimResponse {
    let mut body = json!({ "errorCode": "0", "message": "ok" });
    if let Some(d) = data {
        body["data"] = d;
    }
    SimResponse::json(200, &body)
}

fn reply(result: Answer<Option<Value>>) -> SimResponse {
    match result {
        Ok(data) => ok(data),
        Err(code) => answer(Err(code)),
    }
}

/// 3.53: configures the host or a spare.
pub(crate) fn add(h: &HppSim, req: api::AddHotSpareRequest) -> SimResponse {
    let mut state = h.state();
    let spare = &mut state.hotspare;
    let mut run = || -> Answer<Option<Value>> {
        let uuid = uuid(&req.uuid)?;
        let role = match req.role {
            SpareRole::Other(_) => return Err(HppCode::ParameterError),
            r => r.value(),
        };
        if role != 0 && !spare.devices.contains_key(&0) {
            return Err(HppCode::HotSpareHostNotAdded);
        }
        if spare.devices.contains_key(&role) {
            return Err(HppCode::SpareNoAlreadyExists);
        }
        if spare.devices.values().any(|d| d.uuid == uuid) {
            return Err(HppCode::ParameterError);
        }
        spare.devices.insert(role, Device { uuid: uuid.to_owned(), last_beat: Instant::now() });
        Ok(None)
    };
    reply(run())
}

/// 3.54: the configured devices.
pub(crate) fn get(h: &HppSim, _req: api::HotSparesRequest) -> SimResponse {
    let state = h.state();
    ok(Some(list(&state.hotspare, Instant::now(), false)))
}

/// 3.55: deletes all devices or the listed ones (every one known, or none deleted).
pub(crate) fn delete(h: &HppSim, req: api::DeleteHotSparesRequest) -> SimResponse {
    let mut state = h.state();
    let spare = &mut state.hotspare;
    let mut run = || -> Answer<Option<Value>> {
        match req.delete_mode {
            DeleteMode::All => spare.devices.clear(),
            DeleteMode::List => {
                if req.list.is_empty() {
                    return Err(HppCode::ParameterError);
                }
                let known = |u: &String| spare.devices.values().any(|d| d.uuid == u.trim());
                if !req.list.iter().all(known) {
                    return Err(HppCode::NoResourceFound);
                }
                spare.devices.retain(|_, d| !req.list.iter().any(|u| u.trim() == d.uuid));
            }
            DeleteMode::Other(_) => return Err(HppCode::ParameterError),
        }
        Ok(None)
    };
    reply(run())
}

/// 3.56: records a device's heartbeat and answers every device's time lag.
pub(crate) fn heartbeat(h: &HppSim, req: api::HotSpareHeartbeatRequest) -> SimResponse {
    let mut state = h.state();
    let spare = &mut state.hotspare;
    let now = Instant::now();
    let mut run = || -> Answer<Option<Value>> {
        let uuid = uuid(&req.uuid)?;
        let device = spare.devices.values_mut().find(|d| d.uuid == uuid).ok_or(HppCode::NoResourceFound)?;
        device.last_beat = now;
        Ok(Some(list(spare, now, true)))
    };
    reply(run())
}

/// The file part of a `multipart/form-data` upload: its file name and bytes.
fn file_part(content_type: Option<&str>, body: &[u8]) -> Answer<(String, Bytes)> {
    let ct = content_type.ok_or(HppCode::ParameterError)?;
    if !ct.trim_start().to_ascii_lowercase().starts_with("multipart/form-data") {
        return Err(HppCode::ParameterError);
    }
    let boundary = boundary_from_content_type(ct).ok_or(HppCode::ParameterError)?;
    let config = DecoderConfig::default().max_part_size(MAX_FILE_BYTES * 2);
    let mut decoder = MultipartDecoder::new(&boundary, config);
    decoder.push(body);
    let mut parts = Vec::new();
    while let Some(part) = decoder.next_part() {
        parts.push(part);
    }
    parts.extend(decoder.finish());
    for part in parts.into_iter().flatten() {
        let disposition = part.headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
        if disposition_param(disposition, "name").as_deref() == Some("file") {
            let name = disposition_param(disposition, "filename").filter(|n| !n.is_empty());
            return Ok((name.unwrap_or_else(|| "hotspare.dat".to_owned()), part.body));
        }
    }
    Err(HppCode::ParameterError)
}

/// A parameter of a `Content-Disposition` header (`name="file"`), unquoted.
fn disposition_param(header: &str, name: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k.trim().eq_ignore_ascii_case(name)).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// 3.57: stores the uploaded file.
pub(crate) fn upload(h: &HppSim, req: api::UploadHotSpareFileRequest, ctx: &SimRequest) -> SimResponse {
    let mut state = h.state();
    let spare = &mut state.hotspare;
    let mut run = || -> Answer<Option<Value>> {
        let (name, data) = file_part(ctx.header("content-type"), &req.file)?;
        if data.len() > MAX_FILE_BYTES {
            return Err(HppCode::HotSpareFileTooLarge);
        }
        if !spare.devices.contains_key(&0) {
            return Err(HppCode::HotSpareHostNotAdded);
        }
        let safe: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).collect();
        let key = format!("hotspare/{}", if safe.is_empty() { "hotspare.dat" } else { &safe });
        spare.files.insert(key.clone(), StoredFile { data, modified_ms: now_ms() });
        Ok(Some(json!({ "key": key })))
    };
    reply(run())
}

/// 3.58: a download URL on the area host for a stored file.
pub(crate) fn download_url(h: &HppSim, req: api::HotSpareFileDownloadUrlRequest) -> SimResponse {
    let area = h.area_domain.lock().map(|a| a.clone()).unwrap_or_default();
    let mut state = h.state();
    let spare = &mut state.hotspare;
    let mut run = || -> Answer<Option<Value>> {
        let key = filled(&req.key)?;
        if !spare.files.contains_key(key) {
            return Err(HppCode::NoResourceFound);
        }
        spare.next_download += 1;
        let token = format!("{:016x}", spare.next_download.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        spare.downloads.insert(token.clone(), key.to_owned());
        let path = DOWNLOAD_PATH.replace("{token}", &token);
        Ok(Some(json!({ "url": format!("{}{path}", area.trim_end_matches('/')) })))
    };
    reply(run())
}

/// 3.59: the stored files.
pub(crate) fn files(h: &HppSim, _req: api::HotSpareFilesRequest) -> SimResponse {
    let state = h.state();
    let rows: Vec<Value> =
        state.hotspare.files.iter().map(|(key, f)| json!({ "key": key, "lastModifiedTime": f.modified_ms })).collect();
    ok(Some(json!({ "list": rows })))
}

/// 3.60: deletes a stored file (its download URLs stop working).
pub(crate) fn delete_file(h: &HppSim, req: api::DeleteHotSpareFileRequest) -> SimResponse {
    let mut state = h.state();
    let spare = &mut state.hotspare;
    if spare.files.remove(req.key.as_str()).is_none() {
        return answer(Err(HppCode::NoResourceFound));
    }
    spare.downloads.retain(|_, k| *k != req.key);
    answer(Ok(None))
}

/// 3.61: activates a maintenance package.
pub(crate) fn activate_opspack(h: &HppSim, req: api::ActivateOpspackRequest) -> SimResponse {
    let mut state = h.state();
    let spare = &mut state.hotspare;
    let mut run = || -> Answer<Option<Value>> {
        let serial = filled(&req.device_serial)?;
        let premium = spare.premium.iter().any(|p| p == serial);
        let kind = match req.opspack_type {
            Some(OpspackType::Other(_)) => return Err(HppCode::ParameterError),
            other => other.map(OpspackType::value),
        };
        if req.num.is_some_and(|n| !(1..=10).contains(&n)) || (!premium && (kind.is_none() || req.num.is_none())) {
            return Err(HppCode::ParameterError);
        }
        spare.activations.push((serial.to_owned(), kind, req.num));
        Ok(None)
    };
    answer(run())
}

/// Adds the download route of the URLs `hotspare/file/downloadurl` hands out to the area host.
pub(crate) fn with_download_route(router: Router, sim: std::sync::Arc<HppSim>) -> Router {
    router.get(DOWNLOAD_PATH, DOWNLOAD_ROUTE, move |req| {
        let sim = sim.clone();
        async move {
            let state = sim.state();
            let spare = &state.hotspare;
            let file = req.param("token").and_then(|t| spare.downloads.get(t)).and_then(|k| spare.files.get(k));
            match file {
                Some(f) => SimResponse::bytes(200, "application/octet-stream", f.data.clone()),
                None => SimResponse::text(404, "no such download"),
            }
        }
    })
}

/// Whether the route of a request checks its own content type (the upload is multipart, the
/// download a bodiless GET) and needs no token (the download).
pub(crate) fn own_content_type(route: &str) -> bool {
    route == DOWNLOAD_ROUTE || route == api::ops::UPLOAD_HOT_SPARE_FILE.id
}
