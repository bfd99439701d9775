//! The simulated picture storage: alarm pictures, plain or encrypted in either mode, single or
//! multi-picture, served on a host of their own (like the platform's storage host, no token
//! needed), and the `alarm/pictureurl` answers for the `ISAPI_FILES` paths it issued.
//!
//! Files are built with [`crate::pictures::seal`], by the first reading of each ambiguity (the
//! one `docs/hpp.md` documents): platform key from the lowercase hex SHA-256, device check
//! MD5(raw MD5(key)), big-endian lengths not counting themselves.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use md5::{Digest, Md5};
use secrecy::SecretString;
use serde_json::{json, Value};
use watchpost_core::sim::{Router, SimKit, SimResponse};

use super::handlers::HppSim;
use super::Simulator;
use crate::pictures::frame::{Framing, MULTI_READINGS};
use crate::pictures::key::{DeviceCheck, KeyReading, KeySource};
use crate::pictures::seal::{self, SealError};

/// The route name of picture downloads (in the journal).
pub const DOWNLOAD_ROUTE: &str = "sim.pictures.download";
/// The path of picture downloads, as the platform's storage host spells it.
const DOWNLOAD_PATH: &str = "/v3/alarms/pic/get";

/// What the picture storage remembers.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// The storage host's base URL.
    host: String,
    /// Files by file id.
    files: BTreeMap<String, Bytes>,
    /// Issued `ISAPI_FILES` paths: their file id and whether they are encrypted.
    paths: BTreeMap<String, (String, bool)>,
    /// Pictures issued so far (for ids, checksums and timestamps).
    issued: u64,
}

/// How the simulator encrypts a picture it issues.
#[derive(Clone)]
pub enum SimEncryption {
    /// Not encrypted (`0`).
    Plain,
    /// Encrypted by the device with this stream encryption key (`1`).
    Device(SecretString),
    /// Encrypted by the platform (`2`), with a checksum and timestamp the simulator makes up.
    Platform,
}

impl fmt::Debug for SimEncryption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Plain => "Plain",
            Self::Device(_) => "Device([REDACTED])",
            Self::Platform => "Platform",
        })
    }
}

impl SimEncryption {
    /// The flag of the URLs (`encrypt=`, `isEncrypted=`).
    fn flag(&self) -> u8 {
        match self {
            Self::Plain => 0,
            Self::Device(_) => 1,
            Self::Platform => 2,
        }
    }
}

/// A picture issued with a direct URL, and the platform key material its event would carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectPicture {
    /// The URL the event carries (`...&isEncrypted=n&...&isDevVideo=n`).
    pub url: String,
    /// The event's `checksum` (platform mode).
    pub checksum: String,
    /// The event's alarm time (platform mode).
    pub alarm_time: String,
}

/// Starts the storage host beside the others.
pub(crate) async fn serve(kit: &mut SimKit, sim: Arc<HppSim>) -> std::io::Result<()> {
    let handler_sim = sim.clone();
    let router = Router::new().get(DOWNLOAD_PATH, DOWNLOAD_ROUTE, move |req| {
        let sim = handler_sim.clone();
        async move {
            let state = sim.state();
            match req.query_param("fileId").and_then(|id| state.pictures.files.get(id)) {
                Some(file) => SimResponse::bytes(200, "application/octet-stream", file.clone()),
                None => SimResponse::text(404, "no such picture"),
            }
        }
    });
    let ip = kit.local_addr().map_or(std::net::Ipv4Addr::LOCALHOST.into(), |a| a.ip());
    let host = kit.serve_extra(router, std::net::SocketAddr::new(ip, 0), None).await?;
    sim.state().pictures.host = host;
    Ok(())
}

/// The `alarm/pictureurl` answer for an `ISAPI_FILES` path the simulator issued.
pub(crate) fn picture_url(h: &HppSim, file_path: &str) -> Option<Value> {
    let state = h.state();
    let pictures = &state.pictures;
    let (id, encrypted) = pictures.paths.get(file_path)?;
    Some(json!({ "pictureUrl": download_url(&pictures.host, id, &[]), "encrypt": encrypted }))
}

/// The download URL of file `id` with extra query parameters.
fn download_url(host: &str, id: &str, extra: &[(&str, String)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("fileId", id);
    for (name, value) in extra {
        query.append_pair(name, value);
    }
    format!("{host}{DOWNLOAD_PATH}?{}", query.finish())
}

/// The key and reading the simulator seals with, and the platform key material it made up.
fn keying(mode: &SimEncryption, n: u64, serial: &str) -> (KeySource, KeyReading, String, String) {
    let checksum = hex::encode(Md5::digest(format!("{serial}-{n}").as_bytes()));
    let timestamp = format!("2024-05-08T{:02}:{:02}:{:02}", 8 + (n / 3600) % 12, (n / 60) % 60, n % 60);
    let (key, reading) = match mode {
        SimEncryption::Plain => (KeySource::None, KeyReading::Plain),
        SimEncryption::Device(k) => (KeySource::Device(k.clone()), KeyReading::Device { check: DeviceCheck::RawInner }),
        SimEncryption::Platform => (
            KeySource::Platform { checksum: checksum.clone(), timestamp: timestamp.clone() },
            KeyReading::PlatformHexLower,
        ),
    };
    (key, reading, checksum, timestamp)
}

/// Test hooks of the picture storage.
impl Simulator {
    /// Issues a single picture behind an `ISAPI_FILES` path, encrypted as `mode` says; returns
    /// the path an alarm carries (`ISAPI_FILES/<serial>_1/<file>$encrypt=<n>,<timestamp>,<checksum>`),
    /// which `alarm/pictureurl` resolves to the storage host.
    pub fn encrypted_picture(&self, device_serial: &str, jpeg: &[u8], mode: &SimEncryption) -> String {
        let mut state = self.sim().state();
        let pictures = &mut state.pictures;
        pictures.issued += 1;
        let n = pictures.issued;
        let (key, reading, checksum, timestamp) = keying(mode, n, device_serial);
        let file = seal::seal_one(jpeg, &key, reading).unwrap_or_else(|_| jpeg.to_vec());
        let id = format!("20240508124817{n:03}-{device_serial}-1-10000-2");
        let path = format!("ISAPI_FILES/{device_serial}_1/{id}$encrypt={},{timestamp},{checksum}", mode.flag());
        pictures.files.insert(id.clone(), Bytes::from(file));
        pictures.paths.insert(path.clone(), (id, mode.flag() != 0));
        path
    }

    /// Issues pictures behind a direct URL on the storage host, encrypted as `mode` says: one
    /// picture is a single-picture file (`isDevVideo=0`), several a multi-picture file
    /// (`isDevVideo=1`). Returns the URL with the checksum and alarm time its event carries.
    ///
    /// # Errors
    /// [`SealError`] for no pictures, or one too long for a 4-byte length.
    pub fn direct_picture(
        &self,
        device_serial: &str,
        jpegs: &[&[u8]],
        mode: &SimEncryption,
    ) -> Result<DirectPicture, SealError> {
        let mut state = self.sim().state();
        let pictures = &mut state.pictures;
        pictures.issued += 1;
        let n = pictures.issued;
        let (key, reading, checksum, alarm_time) = keying(mode, n, device_serial);
        let multi = jpegs.len() > 1;
        let framing = if multi { MULTI_READINGS[0] } else { Framing::Single };
        let owned: Vec<Vec<u8>> = jpegs.iter().map(|j| j.to_vec()).collect();
        let file = seal::seal(&owned, &key, reading, framing)?;
        let id = format!("20240508124817{n:03}-{device_serial}-1-10000-2-1");
        let url = download_url(
            &pictures.host,
            &id,
            &[
                ("deviceSerialNo", device_serial.to_owned()),
                ("cn", "1".to_owned()),
                ("isEncrypted", mode.flag().to_string()),
                ("isCloudStored", "0".to_owned()),
                ("isDevVideo", u8::from(multi).to_string()),
            ],
        );
        pictures.files.insert(id, Bytes::from(file));
        Ok(DirectPicture { url, checksum, alarm_time })
    }

    /// The stored file of a picture the simulator issued (by its `ISAPI_FILES` path or direct URL).
    pub fn picture_file(&self, reference: &str) -> Option<Vec<u8>> {
        let state = self.sim().state();
        let id = file_id(&state.pictures, reference)?;
        state.pictures.files.get(&id).map(|f| f.to_vec())
    }

    /// Replaces the stored file of an issued picture (to serve a damaged file or an error body);
    /// returns whether the picture exists.
    pub fn set_picture_file(&self, reference: &str, file: impl Into<Bytes>) -> bool {
        let mut state = self.sim().state();
        let Some(id) = file_id(&state.pictures, reference) else {
            return false;
        };
        state.pictures.files.insert(id, file.into()).is_some()
    }
}

/// The file id of an issued path or URL.
fn file_id(pictures: &State, reference: &str) -> Option<String> {
    if let Some((id, _)) = pictures.paths.get(reference) {
        return Some(id.clone());
    }
    let url = url::Url::parse(reference).ok()?;
    let id = url.query_pairs().find(|(k, _)| k == "fileId").map(|(_, v)| v.into_owned())?;
    pictures.files.contains_key(&id).then_some(id)
}
